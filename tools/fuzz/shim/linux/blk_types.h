/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/blk_types.h>: blk_status_t and the status values
 * kmod/scsi.c names, with the values of the 6.12 kernel's header.
 */
#ifndef _FUZZ_LINUX_BLK_TYPES_H
#define _FUZZ_LINUX_BLK_TYPES_H

#include "../fuzz_kernel.h"

typedef u8 blk_status_t;

#define BLK_STS_OK		0
#define BLK_STS_NOTSUPP		((blk_status_t)1)
#define BLK_STS_NOSPC		((blk_status_t)3)
#define BLK_STS_RESOURCE	((blk_status_t)9)
#define BLK_STS_IOERR		((blk_status_t)10)
#define BLK_STS_AGAIN		((blk_status_t)12)

#endif
