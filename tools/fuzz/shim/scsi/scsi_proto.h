/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <scsi/scsi_proto.h>: the operation codes, service action,
 * sense keys and peripheral device type kmod/scsi.c uses. The values are
 * SPC-4's and SBC-3's, as the 6.12 kernel's header spells them.
 */
#ifndef _FUZZ_SCSI_SCSI_PROTO_H
#define _FUZZ_SCSI_SCSI_PROTO_H

/* Operation codes */
#define TEST_UNIT_READY		0x00
#define REQUEST_SENSE		0x03
#define READ_6			0x08
#define WRITE_6			0x0a
#define INQUIRY			0x12
#define MODE_SELECT		0x15
#define MODE_SENSE		0x1a
#define START_STOP		0x1b
#define READ_CAPACITY		0x25
#define READ_10			0x28
#define WRITE_10		0x2a
#define VERIFY			0x2f
#define SYNCHRONIZE_CACHE	0x35
#define WRITE_SAME		0x41
#define UNMAP			0x42
#define MODE_SELECT_10		0x55
#define MODE_SENSE_10		0x5a
#define READ_16			0x88
#define WRITE_16		0x8a
#define VERIFY_16		0x8f
#define SYNCHRONIZE_CACHE_16	0x91
#define WRITE_SAME_16		0x93
#define SERVICE_ACTION_IN_16	0x9e
#define REPORT_LUNS		0xa0
#define READ_12			0xa8
#define WRITE_12		0xaa

/* SERVICE ACTION IN (16) */
#define SAI_READ_CAPACITY_16	0x10

/* Sense keys */
#define NO_SENSE		0x00
#define MEDIUM_ERROR		0x03
#define ILLEGAL_REQUEST		0x05
#define UNIT_ATTENTION		0x06
#define DATA_PROTECT		0x07
#define MISCOMPARE		0x0e

/* Peripheral device types */
#define TYPE_DISK		0x00

#endif
