// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the SCSI command emulation of scsi.c, as a virtio-scsi device
 * drives it: a unit attention check, parse, a match with the request's
 * buffers, then the emulated data-in or the parameter list. Every failure
 * is checked down to the bytes of its fixed format sense data.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "scsi.h"

/* Additional sense code and qualifier, as asc << 8 | ascq. */
#define INV_OPCODE	0x2000
#define LBA_RANGE	0x2100
#define INV_CDB		0x2400
#define NO_LUN		0x2500
#define INV_PARAM	0x2600
#define WPROT		0x2700
#define SPACE_ALLOC	0x2707
#define PARAM_LEN	0x1a00
#define INV_IU		0x0e03
#define NO_SAVE		0x3900
#define READ_ERR	0x1100
#define WRITE_ERR	0x0c00
#define MISCOMP		0x1d00

#define OP(x)		VDEV_SCSI_OP_##x
#define DIR(x)		VDEV_SCSI_DIR_##x

/* The LUNs under test. */
enum {
	L_BASE,		/* 64 Ki blocks of 512, cache on, thin */
	L_RO,		/* L_BASE, read-only */
	L_WT,		/* L_BASE, cache switched off by MODE SELECT */
	L_THICK,	/* no cache, cannot deallocate, rotational */
	L_BIG,		/* 2^33 blocks of 4096, no transfer limit */
	L_NONE,		/* no LUN at the address */
};

#define NR_BLOCKS	0x10000ULL
#define BIG_BLOCKS	BIT_ULL(33)

static const struct vdev_scsi_lun_info vdev_st_base = {
	.nr_blocks = NR_BLOCKS,
	.block_size = 512,
	.phys_exp = 3,
	.lowest_aligned = 0x0123,
	.wc_present = true,
	.wce = true,
	.max_xfer_blocks = 2048,
	.opt_xfer_blocks = 256,
	.opt_gran_blocks = 8,
	.max_unmap_blocks = 0x4000,
	.max_unmap_desc = 4,
	.unmap_gran = 8,
	.unmap_align = 2,
	.lbprz = true,
	.max_ws_blocks = 0x8000,
	.naa = 0xf123456789abcdefULL,
	.vendor = "VDEV",
	.product = "vdev scsi disk",
	.revision = "0.1",
	.serial = "SN-0042",
	.device_id = "lun-0",
	.port_id = "port-1",
};

/* Rebuilt from vdev_st_base at each use; KUnit runs one test at a time. */
static struct vdev_scsi_lun_info vdev_st_luns[L_NONE];

static const struct vdev_scsi_lun_info *vdev_st_lun(int which)
{
	struct vdev_scsi_lun_info *l;

	if (which == L_NONE)
		return NULL;
	l = &vdev_st_luns[which];
	*l = vdev_st_base;
	switch (which) {
	case L_RO:
		l->read_only = true;
		break;
	case L_WT:
		l->wce = false;
		break;
	case L_THICK:
		l->wc_present = false;
		l->wce = false;
		l->rotational = true;
		l->max_unmap_blocks = 0;
		l->max_unmap_desc = 0;
		l->lbprz = false;
		l->port_id[0] = 0;
		break;
	case L_BIG:
		l->nr_blocks = BIG_BLOCKS;
		l->block_size = 4096;
		l->phys_exp = 0;
		l->lowest_aligned = 0;
		l->max_xfer_blocks = 0;
		l->max_ws_blocks = 0;
		break;
	}
	return l;
}

/*
 * The sense as the guest gets it: fixed format, 18 bytes, current error,
 * additional sense length 10, no information or sense key specific data.
 */
static void vdev_st_expect_sense(struct kunit *test,
				 const struct vdev_scsi_sense *s, u8 key,
				 u16 code)
{
	u8 buf[VDEV_SCSI_SENSE_FIXED_LEN];
	u32 len, i;

	len = vdev_scsi_sense_fixed(buf, s->key, s->asc, s->ascq);
	KUNIT_EXPECT_EQ(test, len, VDEV_SCSI_SENSE_FIXED_LEN);
	KUNIT_EXPECT_EQ(test, buf[0], 0x70);
	KUNIT_EXPECT_EQ(test, buf[2], key);
	KUNIT_EXPECT_EQ(test, buf[7], 10);
	KUNIT_EXPECT_EQ(test, buf[12], code >> 8);
	KUNIT_EXPECT_EQ(test, buf[13], code & 0xff);
	for (i = 0; i < len; i++)
		if (i != 0 && i != 2 && i != 7 && i != 12 && i != 13)
			KUNIT_EXPECT_EQ_MSG(test, buf[i], 0, "byte %u", i);
}

/*
 * A CDB in a table: its bytes, and the LBA and transfer (or allocation or
 * parameter list) length where SBC puts them in a CDB of its length. A
 * field left 0 leaves the bytes as they are.
 */
struct vdev_st_cdb {
	u8 b[VDEV_SCSI_CDB_MAX];
	u64 lba;
	u32 len;
};

static void vdev_st_cdb(const struct vdev_st_cdb *c, u8 *cdb)
{
	memcpy(cdb, c->b, VDEV_SCSI_CDB_MAX);
	switch (c->b[0] >> 5) {
	case 1:		/* 10 bytes */
	case 2:
		if (c->lba)
			put_unaligned_be32(c->lba, &cdb[2]);
		if (c->len)
			put_unaligned_be16(c->len, &cdb[7]);
		break;
	case 4:		/* 16 bytes */
		if (c->lba)
			put_unaligned_be64(c->lba, &cdb[2]);
		if (c->len)
			put_unaligned_be32(c->len, &cdb[10]);
		break;
	case 5:		/* 12 bytes */
		if (c->lba)
			put_unaligned_be32(c->lba, &cdb[2]);
		if (c->len)
			put_unaligned_be32(c->len, &cdb[6]);
		break;
	}
}

static u8 *vdev_st_buf(struct kunit *test)
{
	u8 *buf = kunit_kmalloc(test, VDEV_SCSI_BUF_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* Stale bytes: the emulation must write every byte it returns. */
	memset(buf, 0xa5, VDEV_SCSI_BUF_LEN);
	return buf;
}

/* --- parse --------------------------------------------------------------- */

struct vdev_st_parse_case {
	const char *desc;
	int lun;
	struct vdev_st_cdb cdb;
	u32 cdb_len;
	/* Failure: key and code; success when key is 0. */
	u8 key;
	u16 code;
	enum vdev_scsi_op op;
	enum vdev_scsi_dir dir;
	u64 lba;
	u32 nblocks;
	u32 data_len;
	u8 bytchk;
	bool fua;
	bool unmap;
	bool ndob;
};

#define FAIL(k, c)	.key = (k), .code = (c)
#define INVALID		FAIL(ILLEGAL_REQUEST, INV_CDB)
#define EMUL_IN(len)	.op = VDEV_SCSI_OP_EMULATED,		\
			.dir = VDEV_SCSI_DIR_IN, .data_len = (len)
#define RW(o, d, l, n, len) \
	.op = VDEV_SCSI_OP_##o, .dir = VDEV_SCSI_DIR_##d, .lba = (l),	\
	.nblocks = (n), .data_len = (len)

static const struct vdev_st_parse_case vdev_st_parse_cases[] = {
	/* No CDB, unknown operation codes, missing LUN. */
	{ "empty cdb", L_BASE, { {} }, 0, FAIL(ILLEGAL_REQUEST, INV_OPCODE) },
	{ "unknown opcode 0xff", L_BASE, { { 0xff } }, 16,
	  FAIL(ILLEGAL_REQUEST, INV_OPCODE) },
	{ "SEND DIAGNOSTIC", L_BASE, { { SEND_DIAGNOSTIC } }, 6,
	  FAIL(ILLEGAL_REQUEST, INV_OPCODE) },
	{ "REPORT SUPPORTED OPCODES", L_BASE, { { MAINTENANCE_IN, 0x0c } }, 12,
	  FAIL(ILLEGAL_REQUEST, INV_OPCODE) },
	{ "WRITE AND VERIFY", L_BASE, { { WRITE_VERIFY } }, 10,
	  FAIL(ILLEGAL_REQUEST, INV_OPCODE) },
	{ "unknown opcode, no LUN", L_NONE, { { 0xff } }, 16,
	  FAIL(ILLEGAL_REQUEST, NO_LUN) },
	{ "TEST UNIT READY, no LUN", L_NONE, { { TEST_UNIT_READY } }, 6,
	  FAIL(ILLEGAL_REQUEST, NO_LUN) },
	{ "READ(10), no LUN", L_NONE, { { READ_10 } }, 10,
	  FAIL(ILLEGAL_REQUEST, NO_LUN) },

	/* TEST UNIT READY; CDB lengths and the CONTROL byte. */
	{ "TEST UNIT READY", L_BASE, { { TEST_UNIT_READY } }, 6,
	  .op = OP(NONE) },
	{ "TEST UNIT READY in a 32-byte CDB", L_BASE, { { TEST_UNIT_READY } },
	  32, .op = OP(NONE) },
	{ "TEST UNIT READY short", L_BASE, { { TEST_UNIT_READY } }, 5,
	  INVALID },
	{ "TEST UNIT READY reserved byte 1", L_BASE,
	  { { TEST_UNIT_READY, 0x01 } }, 6, INVALID },
	{ "TEST UNIT READY reserved byte 4", L_BASE,
	  { { TEST_UNIT_READY, [4] = 0x80 } }, 6, INVALID },
	{ "TEST UNIT READY NACA", L_BASE, { { TEST_UNIT_READY, [5] = 0x04 } },
	  6, INVALID },
	{ "TEST UNIT READY LINK", L_BASE, { { TEST_UNIT_READY, [5] = 0x01 } },
	  6, INVALID },
	{ "TEST UNIT READY vendor control bits", L_BASE,
	  { { TEST_UNIT_READY, [5] = 0xc0 } }, 6, .op = OP(NONE) },

	/* INQUIRY. */
	{ "INQUIRY", L_BASE, { { INQUIRY, 0, 0, 0, 36 } }, 6, EMUL_IN(36) },
	{ "INQUIRY allocation length 16 bits", L_BASE,
	  { { INQUIRY, 0, 0, 0x01, 0xff } }, 6, EMUL_IN(0x1ff) },
	{ "INQUIRY allocation length 0", L_BASE, { { INQUIRY } }, 6,
	  .op = OP(EMULATED), .dir = DIR(NONE) },
	{ "INQUIRY page without EVPD", L_BASE, { { INQUIRY, 0, 0x80, 0, 255 } },
	  6, INVALID },
	{ "INQUIRY CMDDT", L_BASE, { { INQUIRY, 0x02, 0, 0, 255 } }, 6,
	  INVALID },
	{ "INQUIRY short", L_BASE, { { INQUIRY, 0, 0, 0, 36 } }, 5, INVALID },
	{ "INQUIRY VPD 00h", L_BASE, { { INQUIRY, 1, 0x00, 0, 255 } }, 6,
	  EMUL_IN(255) },
	{ "INQUIRY VPD 80h", L_BASE, { { INQUIRY, 1, 0x80, 0, 255 } }, 6,
	  EMUL_IN(255) },
	{ "INQUIRY VPD 83h", L_BASE, { { INQUIRY, 1, 0x83, 0, 255 } }, 6,
	  EMUL_IN(255) },
	{ "INQUIRY VPD B0h", L_BASE, { { INQUIRY, 1, 0xb0, 0, 64 } }, 6,
	  EMUL_IN(64) },
	{ "INQUIRY VPD B1h", L_BASE, { { INQUIRY, 1, 0xb1, 0, 64 } }, 6,
	  EMUL_IN(64) },
	{ "INQUIRY VPD B2h", L_BASE, { { INQUIRY, 1, 0xb2, 0, 8 } }, 6,
	  EMUL_IN(8) },
	{ "INQUIRY VPD 89h unknown", L_BASE, { { INQUIRY, 1, 0x89, 0, 255 } },
	  6, INVALID },
	{ "INQUIRY VPD B7h unknown", L_BASE, { { INQUIRY, 1, 0xb7, 0, 255 } },
	  6, INVALID },
	{ "INQUIRY, no LUN", L_NONE, { { INQUIRY, 0, 0, 0, 36 } }, 6,
	  EMUL_IN(36) },
	{ "INQUIRY VPD, no LUN", L_NONE, { { INQUIRY, 1, 0x00, 0, 255 } }, 6,
	  FAIL(ILLEGAL_REQUEST, NO_LUN) },

	/* REQUEST SENSE. */
	{ "REQUEST SENSE", L_BASE, { { REQUEST_SENSE, 0, 0, 0, 18 } }, 6,
	  EMUL_IN(18) },
	{ "REQUEST SENSE DESC", L_BASE, { { REQUEST_SENSE, 1, 0, 0, 252 } }, 6,
	  EMUL_IN(252) },
	{ "REQUEST SENSE reserved", L_BASE, { { REQUEST_SENSE, 2, 0, 0, 18 } },
	  6, INVALID },
	{ "REQUEST SENSE, no LUN", L_NONE, { { REQUEST_SENSE, 0, 0, 0, 18 } },
	  6, EMUL_IN(18) },

	/* REPORT LUNS. */
	{ "REPORT LUNS", L_BASE, { { REPORT_LUNS }, 0, 4096 }, 12,
	  .op = OP(REPORT_LUNS), .dir = DIR(IN), .data_len = 4096 },
	{ "REPORT LUNS select 2", L_BASE, { { REPORT_LUNS, 0, 2 }, 0, 16 }, 12,
	  .op = OP(REPORT_LUNS), .dir = DIR(IN), .data_len = 16 },
	{ "REPORT LUNS select 3", L_BASE, { { REPORT_LUNS, 0, 3 }, 0, 16 }, 12,
	  INVALID },
	{ "REPORT LUNS short", L_BASE, { { REPORT_LUNS }, 0, 16 }, 11,
	  INVALID },
	{ "REPORT LUNS, no LUN", L_NONE, { { REPORT_LUNS }, 0, 16 }, 12,
	  .op = OP(REPORT_LUNS), .dir = DIR(IN), .data_len = 16 },

	/* READ CAPACITY (10) and (16). */
	{ "READ CAPACITY(10)", L_BASE, { { READ_CAPACITY } }, 10, EMUL_IN(8) },
	{ "READ CAPACITY(10) LBA without PMI", L_BASE, { { READ_CAPACITY }, 5 },
	  10, INVALID },
	{ "READ CAPACITY(10) PMI", L_BASE,
	  { { READ_CAPACITY, 0, [6] = 0, 0, 1 }, 5 }, 10, EMUL_IN(8) },
	{ "READ CAPACITY(10) RELADR", L_BASE, { { READ_CAPACITY, 1 } }, 10,
	  INVALID },
	{ "READ CAPACITY(10) short", L_BASE, { { READ_CAPACITY } }, 9,
	  INVALID },
	{ "READ CAPACITY(16)", L_BASE,
	  { { SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16 }, 0, 32 }, 16,
	  EMUL_IN(32) },
	{ "READ CAPACITY(16) GET LBA STATUS", L_BASE,
	  { { SERVICE_ACTION_IN_16, 0x12 }, 0, 32 }, 16, INVALID },
	{ "READ CAPACITY(16) LBA without PMI", L_BASE,
	  { { SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16 }, 1, 32 }, 16,
	  INVALID },
	{ "READ CAPACITY(16) reserved byte 1", L_BASE,
	  { { SERVICE_ACTION_IN_16, 0x20 | SAI_READ_CAPACITY_16 }, 0, 32 }, 16,
	  INVALID },
	{ "READ CAPACITY(16) short", L_BASE,
	  { { SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16 }, 0, 32 }, 12,
	  INVALID },

	/* READ (6), (10), (12), (16). */
	{ "READ(6)", L_BASE, { { READ_6, 0, 0x12, 0x03, 16 } }, 6,
	  RW(READ, IN, 0x1203, 16, 16 * 512) },
	{ "READ(6) 21-bit LBA", L_BIG, { { READ_6, 0x1f, 0xff, 0xff, 1 } }, 6,
	  RW(READ, IN, 0x1fffff, 1, 4096) },
	{ "READ(6) length 0 is 256 blocks", L_BASE, { { READ_6, 0, 0, 8, 0 } },
	  6, RW(READ, IN, 8, 256, 256 * 512) },
	{ "READ(6) reserved bits", L_BASE, { { READ_6, 0x20, 0, 0, 1 } }, 6,
	  INVALID },
	{ "READ(6) past the end", L_BASE, { { READ_6, 0x01, 0, 0, 1 } }, 6,
	  FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "READ(6) 256 blocks over the end", L_BASE,
	  { { READ_6, 0, 0xff, 0x01, 0 } }, 6,
	  FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "READ(6) short", L_BASE, { { READ_6, 0, 0, 0, 1 } }, 4, INVALID },
	{ "READ(10)", L_BASE, { { READ_10 }, 0x1234, 8 }, 10,
	  RW(READ, IN, 0x1234, 8, 4096) },
	{ "READ(10) DPO FUA", L_BASE, { { READ_10, 0x18 }, 16, 1 }, 10,
	  RW(READ, IN, 16, 1, 512) },
	{ "READ(10) group number", L_BASE,
	  { { READ_10, 0, [6] = 0x1f }, 16, 1 }, 10, RW(READ, IN, 16, 1, 512) },
	{ "READ(10) reserved byte 6", L_BASE,
	  { { READ_10, 0, [6] = 0x20 }, 16, 1 }, 10, INVALID },
	{ "READ(10) RDPROTECT", L_BASE, { { READ_10, 0x20 }, 16, 1 }, 10,
	  INVALID },
	{ "READ(10) length 0", L_BASE, { { READ_10 }, 16 }, 10, .op = OP(NONE),
	  .dir = DIR(NONE), .lba = 16 },
	{ "READ(10) length 0 at the capacity", L_BASE,
	  { { READ_10 }, NR_BLOCKS }, 10, .op = OP(NONE), .dir = DIR(NONE),
	  .lba = NR_BLOCKS },
	{ "READ(10) length 0 past the capacity", L_BASE,
	  { { READ_10 }, NR_BLOCKS + 1 }, 10,
	  FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "READ(10) last block", L_BASE, { { READ_10 }, NR_BLOCKS - 1, 1 }, 10,
	  RW(READ, IN, NR_BLOCKS - 1, 1, 512) },
	{ "READ(10) over the end", L_BASE, { { READ_10 }, NR_BLOCKS - 1, 2 },
	  10, FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "READ(10) max transfer length", L_BASE,
	  { { READ_10, 0, 0, 0, 0, 0, 0 }, 0, 2048 }, 10,
	  RW(READ, IN, 0, 2048, 2048 * 512) },
	{ "READ(10) over max transfer length", L_BASE,
	  { { READ_10, 0, 0, 0, 0, 0, 0 }, 0, 2049 }, 10, INVALID },
	{ "READ(10) short", L_BASE, { { READ_10, 0, 0, 0, 0, 0, 0, 0, 1 } }, 9,
	  INVALID },
	{ "READ(10) read-only", L_RO, { { READ_10 }, 1, 1 }, 10,
	  RW(READ, IN, 1, 1, 512) },
	{ "READ(12)", L_BASE, { { READ_12, 0x08 }, 100, 4 }, 12,
	  RW(READ, IN, 100, 4, 2048) },
	{ "READ(12) reserved byte 10", L_BASE,
	  { { READ_12, 0, [10] = 0x80 }, 100, 4 }, 12, INVALID },
	{ "READ(12) short", L_BASE, { { READ_12 }, 100, 4 }, 11, INVALID },
	{ "READ(16)", L_BASE, { { READ_16 }, 0xfff0, 16 }, 16,
	  RW(READ, IN, 0xfff0, 16, 8192) },
	{ "READ(16) 64-bit LBA", L_BIG, { { READ_16 }, BIG_BLOCKS - 2, 2 }, 16,
	  RW(READ, IN, BIG_BLOCKS - 2, 2, 8192) },
	{ "READ(16) LBA past 2^64 - 1", L_BASE, { { READ_16 }, U64_MAX, 2 }, 16,
	  FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "READ(16) lba + length wraps", L_BIG,
	  { { READ_16 }, 0xfffffffffffffff0ULL, 0x20 }, 16,
	  FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "READ(16) 4 GiB in one request", L_BIG, { { READ_16 }, 0, 0x100000 },
	  16, INVALID },
	{ "READ(16) 4 GiB - 4 KiB", L_BIG, { { READ_16 }, 0, 0xfffff }, 16,
	  RW(READ, IN, 0, 0xfffff, 0xfffff000) },
	{ "READ(16) short", L_BASE, { { READ_16 }, 0, 1 }, 15, INVALID },

	/* WRITE (6), (10), (12), (16). */
	{ "WRITE(6)", L_BASE, { { WRITE_6, 0, 0, 1, 2 } }, 6,
	  RW(WRITE, OUT, 1, 2, 1024) },
	{ "WRITE(6) length 0 is 256 blocks", L_BASE, { { WRITE_6 } }, 6,
	  RW(WRITE, OUT, 0, 256, 256 * 512) },
	{ "WRITE(6), cache off: FUA", L_WT, { { WRITE_6, 0, 0, 1, 2 } }, 6,
	  RW(WRITE, OUT, 1, 2, 1024), .fua = true },
	{ "WRITE(6) read-only", L_RO, { { WRITE_6, 0, 0, 1, 2 } }, 6,
	  FAIL(DATA_PROTECT, WPROT) },
	{ "WRITE(10)", L_BASE, { { WRITE_10 }, 8, 8 }, 10,
	  RW(WRITE, OUT, 8, 8, 4096) },
	{ "WRITE(10) FUA", L_BASE, { { WRITE_10, 0x08 }, 8, 8 }, 10,
	  RW(WRITE, OUT, 8, 8, 4096), .fua = true },
	{ "WRITE(10) cache off: FUA", L_WT, { { WRITE_10 }, 8, 8 }, 10,
	  RW(WRITE, OUT, 8, 8, 4096), .fua = true },
	{ "WRITE(10) FUA without a cache", L_THICK,
	  { { WRITE_10, 0x08 }, 8, 8 }, 10, RW(WRITE, OUT, 8, 8, 4096) },
	{ "WRITE(10) length 0", L_BASE, { { WRITE_10 }, 8 }, 10, .op = OP(NONE),
	  .dir = DIR(NONE), .lba = 8 },
	{ "WRITE(10) read-only", L_RO, { { WRITE_10 }, 8, 8 }, 10,
	  FAIL(DATA_PROTECT, WPROT) },
	{ "WRITE(10) length 0, read-only", L_RO, { { WRITE_10 }, 8 }, 10,
	  FAIL(DATA_PROTECT, WPROT) },
	{ "WRITE(10) over the end", L_BASE, { { WRITE_10 }, NR_BLOCKS - 4, 8 },
	  10, FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "WRITE(10) WRPROTECT", L_BASE, { { WRITE_10, 0x20 }, 8, 8 }, 10,
	  INVALID },
	{ "WRITE(12)", L_BASE, { { WRITE_12 }, 8, 1 }, 12,
	  RW(WRITE, OUT, 8, 1, 512) },
	{ "WRITE(12) read-only", L_RO, { { WRITE_12 }, 8, 1 }, 12,
	  FAIL(DATA_PROTECT, WPROT) },
	{ "WRITE(16) FUA", L_BIG, { { WRITE_16, 0x08 }, 1ULL << 32, 2 }, 16,
	  RW(WRITE, OUT, 1ULL << 32, 2, 8192), .fua = true },
	{ "WRITE(16) lba + length wraps", L_BIG, { { WRITE_16 }, U64_MAX, 2 },
	  16, FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "WRITE(16) short", L_BASE, { { WRITE_16 }, 0, 1 }, 10, INVALID },

	/* VERIFY (10) and (16); every one reads, so max transfer length. */
	{ "VERIFY(10) medium only", L_BASE, { { VERIFY }, 10, 2048 }, 10,
	  RW(VERIFY, NONE, 10, 2048, 0) },
	{ "VERIFY(10) medium only over max transfer length", L_BASE,
	  { { VERIFY }, 10, 2049 }, 10, INVALID },
	{ "VERIFY(10) DPO", L_BASE, { { VERIFY, 0x10 }, 10, 1 }, 10,
	  RW(VERIFY, NONE, 10, 1, 0) },
	{ "VERIFY(10) VRPROTECT", L_BASE, { { VERIFY, 0x20 }, 10, 1 }, 10,
	  INVALID },
	{ "VERIFY(10) BYTCHK 1", L_BASE, { { VERIFY, 0x02 }, 10, 4 }, 10,
	  RW(VERIFY, OUT, 10, 4, 2048), .bytchk = 1 },
	{ "VERIFY(10) BYTCHK 1 max transfer length", L_BASE,
	  { { VERIFY, 0x02 }, 10, 2048 }, 10,
	  RW(VERIFY, OUT, 10, 2048, SZ_1M), .bytchk = 1 },
	{ "VERIFY(10) BYTCHK 1 over max transfer length", L_BASE,
	  { { VERIFY, 0x02 }, 10, 4000 }, 10, INVALID },
	{ "VERIFY(10) BYTCHK 2", L_BASE, { { VERIFY, 0x04 }, 10, 4 }, 10,
	  INVALID },
	{ "VERIFY(10) BYTCHK 2 length 0", L_BASE, { { VERIFY, 0x04 }, 10 }, 10,
	  INVALID },
	{ "VERIFY(10) BYTCHK 3", L_BASE, { { VERIFY, 0x06 }, 10, 2048 }, 10,
	  RW(VERIFY, OUT, 10, 2048, 512), .bytchk = 3 },
	{ "VERIFY(10) BYTCHK 3 over max transfer length", L_BASE,
	  { { VERIFY, 0x06 }, 10, 2049 }, 10, INVALID },
	{ "VERIFY(10) BYTCHK 3 over the end", L_BASE,
	  { { VERIFY, 0x06 }, NR_BLOCKS - 1, 2 }, 10,
	  FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "VERIFY(10) length 0", L_BASE, { { VERIFY, 0x02 }, 10 }, 10,
	  .op = OP(NONE), .dir = DIR(NONE), .lba = 10, .bytchk = 1 },
	{ "VERIFY(10) BYTCHK 3 length 0", L_BASE, { { VERIFY, 0x06 }, 10 }, 10,
	  .op = OP(NONE), .dir = DIR(NONE), .lba = 10, .bytchk = 3 },
	{ "VERIFY(10) read-only", L_RO, { { VERIFY }, 10, 1 }, 10,
	  RW(VERIFY, NONE, 10, 1, 0) },
	{ "VERIFY(10) over the end", L_BASE, { { VERIFY }, NR_BLOCKS, 1 }, 10,
	  FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "VERIFY(10) reserved bit 0", L_BASE, { { VERIFY, 0x01 }, 10, 1 }, 10,
	  INVALID },
	{ "VERIFY(16) BYTCHK 1", L_BIG,
	  { { VERIFY_16, 0x02 }, BIG_BLOCKS - 1, 1 }, 16,
	  RW(VERIFY, OUT, BIG_BLOCKS - 1, 1, 4096), .bytchk = 1 },
	{ "VERIFY(16) BYTCHK 3, 4 KiB blocks", L_BIG,
	  { { VERIFY_16, 0x06 }, 1ULL << 32, 0x1000 }, 16,
	  RW(VERIFY, OUT, 1ULL << 32, 0x1000, 4096), .bytchk = 3 },
	{ "VERIFY(16) no limit: just under 4 GiB", L_BIG,
	  { { VERIFY_16 }, 0, 0xfffff }, 16, RW(VERIFY, NONE, 0, 0xfffff, 0) },
	{ "VERIFY(16) no limit: 4 GiB", L_BIG,
	  { { VERIFY_16 }, 0, 0x100000 }, 16, INVALID },
	{ "VERIFY(16) over the end", L_BIG,
	  { { VERIFY_16 }, BIG_BLOCKS - 1, 2 }, 16,
	  FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "VERIFY(16) short", L_BASE, { { VERIFY_16 } }, 14, INVALID },

	/* SYNCHRONIZE CACHE (10) and (16). */
	{ "SYNCHRONIZE CACHE(10)", L_BASE, { { SYNCHRONIZE_CACHE } }, 10,
	  .op = OP(SYNC) },
	{ "SYNCHRONIZE CACHE(10) IMMED range", L_BASE,
	  { { SYNCHRONIZE_CACHE, 0x02 }, 16, 16 }, 10, .op = OP(SYNC),
	  .lba = 16, .nblocks = 16 },
	{ "SYNCHRONIZE CACHE(10) over the end", L_BASE,
	  { { SYNCHRONIZE_CACHE }, NR_BLOCKS - 1, 2 }, 10,
	  FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "SYNCHRONIZE CACHE(10) SYNC_NV", L_BASE,
	  { { SYNCHRONIZE_CACHE, 0x04 } }, 10, INVALID },
	{ "SYNCHRONIZE CACHE(10) without a cache", L_THICK,
	  { { SYNCHRONIZE_CACHE } }, 10, .op = OP(NONE) },
	{ "SYNCHRONIZE CACHE(10) read-only", L_RO, { { SYNCHRONIZE_CACHE } },
	  10, .op = OP(SYNC) },
	{ "SYNCHRONIZE CACHE(16)", L_BIG,
	  { { SYNCHRONIZE_CACHE_16 }, 1ULL << 32, 8 }, 16, .op = OP(SYNC),
	  .lba = 1ULL << 32, .nblocks = 8 },
	{ "SYNCHRONIZE CACHE(16) short", L_BASE, { { SYNCHRONIZE_CACHE_16 } },
	  12, INVALID },

	/* WRITE SAME (10) and (16). */
	{ "WRITE SAME(10)", L_BASE, { { WRITE_SAME }, 4, 100 }, 10,
	  RW(WRITE_SAME, OUT, 4, 100, 512) },
	{ "WRITE SAME(10) UNMAP", L_BASE, { { WRITE_SAME, 0x08 }, 4, 100 }, 10,
	  RW(WRITE_SAME, OUT, 4, 100, 512), .unmap = true },
	{ "WRITE SAME(10) UNMAP, cannot deallocate", L_THICK,
	  { { WRITE_SAME, 0x08 }, 4, 100 }, 10,
	  RW(WRITE_SAME, OUT, 4, 100, 512) },
	{ "WRITE SAME(10) cache off: FUA", L_WT, { { WRITE_SAME }, 4, 100 }, 10,
	  RW(WRITE_SAME, OUT, 4, 100, 512), .fua = true },
	{ "WRITE SAME(10) 0 blocks (WSNZ)", L_BASE, { { WRITE_SAME }, 4 }, 10,
	  INVALID },
	{ "WRITE SAME(10) ANCHOR", L_BASE, { { WRITE_SAME, 0x18 }, 4, 1 }, 10,
	  INVALID },
	{ "WRITE SAME(10) NDOB is reserved", L_BASE,
	  { { WRITE_SAME, 0x01 }, 4, 1 }, 10, INVALID },
	{ "WRITE SAME(10) read-only", L_RO, { { WRITE_SAME }, 4, 1 }, 10,
	  FAIL(DATA_PROTECT, WPROT) },
	{ "WRITE SAME(10) over the end", L_BASE,
	  { { WRITE_SAME }, NR_BLOCKS - 1, 2 }, 10,
	  FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "WRITE SAME(16) max write same length", L_BASE,
	  { { WRITE_SAME_16 }, 0, 0x8000 }, 16,
	  RW(WRITE_SAME, OUT, 0, 0x8000, 512) },
	{ "WRITE SAME(16) over max write same length", L_BASE,
	  { { WRITE_SAME_16 }, 0, 0x8001 }, 16, INVALID },
	{ "WRITE SAME(16) UNMAP NDOB", L_BASE,
	  { { WRITE_SAME_16, 0x09 }, 8, 8 }, 16, RW(WRITE_SAME, NONE, 8, 8, 0),
	  .unmap = true, .ndob = true },
	{ "WRITE SAME(16) whole big LUN", L_BIG,
	  { { WRITE_SAME_16 }, BIG_BLOCKS - 0xffffffffULL, 0xffffffff }, 16,
	  RW(WRITE_SAME, OUT, BIG_BLOCKS - 0xffffffffULL, 0xffffffff, 4096) },
	{ "WRITE SAME(16) lba + length wraps", L_BIG,
	  { { WRITE_SAME_16 }, U64_MAX - 1, 4 }, 16,
	  FAIL(ILLEGAL_REQUEST, LBA_RANGE) },
	{ "WRITE SAME(16) read-only", L_RO, { { WRITE_SAME_16, 0x08 }, 0, 1 },
	  16, FAIL(DATA_PROTECT, WPROT) },
	{ "WRITE SAME(16) short", L_BASE, { { WRITE_SAME_16 }, 0, 1 }, 10,
	  INVALID },

	/* UNMAP. */
	{ "UNMAP", L_BASE, { { UNMAP }, 0, 24 }, 10, .op = OP(UNMAP),
	  .dir = DIR(OUT), .data_len = 24 },
	{ "UNMAP parameter list length 0", L_BASE, { { UNMAP } }, 10,
	  .op = OP(NONE) },
	{ "UNMAP longer than a buffer", L_BASE,
	  { { UNMAP }, 0, VDEV_SCSI_BUF_LEN + 1 }, 10, INVALID },
	{ "UNMAP ANCHOR", L_BASE, { { UNMAP, 0x01 }, 0, 24 }, 10, INVALID },
	{ "UNMAP group number", L_BASE, { { UNMAP, [6] = 0x1f }, 0, 24 }, 10,
	  .op = OP(UNMAP), .dir = DIR(OUT), .data_len = 24 },
	{ "UNMAP, cannot deallocate", L_THICK, { { UNMAP }, 0, 24 }, 10,
	  FAIL(ILLEGAL_REQUEST, INV_OPCODE) },
	{ "UNMAP read-only", L_RO, { { UNMAP }, 0, 24 }, 10,
	  FAIL(DATA_PROTECT, WPROT) },
	{ "UNMAP short", L_BASE, { { UNMAP }, 0, 24 }, 8, INVALID },

	/* MODE SENSE (6) and (10). */
	{ "MODE SENSE(6) caching", L_BASE,
	  { { MODE_SENSE, 0x08, 0x08, 0, 255 } }, 6, EMUL_IN(255) },
	{ "MODE SENSE(6) all pages, all subpages", L_BASE,
	  { { MODE_SENSE, 0, 0x3f, 0xff, 4 } }, 6, EMUL_IN(4) },
	{ "MODE SENSE(6) changeable control", L_BASE,
	  { { MODE_SENSE, 0, 0x4a, 0, 255 } }, 6, EMUL_IN(255) },
	{ "MODE SENSE(6) default", L_BASE, { { MODE_SENSE, 0, 0x88, 0, 255 } },
	  6, EMUL_IN(255) },
	{ "MODE SENSE(6) saved", L_BASE, { { MODE_SENSE, 0, 0xc8, 0, 255 } }, 6,
	  FAIL(ILLEGAL_REQUEST, NO_SAVE) },
	{ "MODE SENSE(6) page 1Ch", L_BASE, { { MODE_SENSE, 0, 0x1c, 0, 255 } },
	  6, INVALID },
	{ "MODE SENSE(6) page 0", L_BASE, { { MODE_SENSE, 0, 0x00, 0, 255 } },
	  6, INVALID },
	{ "MODE SENSE(6) subpage 1", L_BASE,
	  { { MODE_SENSE, 0, 0x0a, 0x01, 255 } }, 6, INVALID },
	{ "MODE SENSE(6) caching, all subpages", L_BASE,
	  { { MODE_SENSE, 0, 0x08, 0xff, 255 } }, 6, INVALID },
	{ "MODE SENSE(6) LLBAA is reserved", L_BASE,
	  { { MODE_SENSE, 0x10, 0x08, 0, 255 } }, 6, INVALID },
	{ "MODE SENSE(6) short", L_BASE, { { MODE_SENSE, 0, 0x08, 0, 255 } }, 5,
	  INVALID },
	{ "MODE SENSE(10)", L_BASE,
	  { { MODE_SENSE_10, 0x18, 0x3f, 0, 0, 0, 0 }, 0, 0x1000 }, 10,
	  EMUL_IN(0x1000) },
	{ "MODE SENSE(10) reserved byte 6", L_BASE,
	  { { MODE_SENSE_10, 0, 0x3f, 0, 0, 0, 1 }, 0, 0x1000 }, 10, INVALID },
	{ "MODE SENSE(10), no LUN", L_NONE,
	  { { MODE_SENSE_10, 0, 0x3f, 0, 0, 0, 0 }, 0, 0x1000 }, 10,
	  FAIL(ILLEGAL_REQUEST, NO_LUN) },

	/* MODE SELECT (6) and (10). */
	{ "MODE SELECT(6)", L_BASE, { { MODE_SELECT, 0x10, 0, 0, 24 } }, 6,
	  .op = OP(MODE_SELECT), .dir = DIR(OUT), .data_len = 24 },
	{ "MODE SELECT(6) without PF", L_BASE, { { MODE_SELECT, 0, 0, 0, 24 } },
	  6, INVALID },
	{ "MODE SELECT(6) SP", L_BASE, { { MODE_SELECT, 0x11, 0, 0, 24 } }, 6,
	  INVALID },
	{ "MODE SELECT(6) length 0", L_BASE, { { MODE_SELECT } }, 6,
	  .op = OP(NONE) },
	{ "MODE SELECT(6) reserved byte 2", L_BASE,
	  { { MODE_SELECT, 0x10, 1, 0, 24 } }, 6, INVALID },
	{ "MODE SELECT(10)", L_BASE, { { MODE_SELECT_10, 0x10 }, 0, 28 }, 10,
	  .op = OP(MODE_SELECT), .dir = DIR(OUT), .data_len = 28 },
	{ "MODE SELECT(10) longer than a buffer", L_BASE,
	  { { MODE_SELECT_10, 0x10 }, 0, VDEV_SCSI_BUF_LEN + 1 }, 10, INVALID },
	{ "MODE SELECT(10) short", L_BASE, { { MODE_SELECT_10, 0x10 }, 0, 28 },
	  9, INVALID },

	/* START STOP UNIT. */
	{ "START STOP UNIT start", L_BASE, { { START_STOP, 0, 0, 0, 0x01 } }, 6,
	  .op = OP(NONE) },
	{ "START STOP UNIT stop flushes", L_BASE, { { START_STOP, 0x01 } }, 6,
	  .op = OP(SYNC) },
	{ "START STOP UNIT stop NO_FLUSH", L_BASE,
	  { { START_STOP, 0, 0, 0, 0x04 } }, 6, .op = OP(NONE) },
	{ "START STOP UNIT stop without a cache", L_THICK, { { START_STOP } },
	  6, .op = OP(NONE) },
	{ "START STOP UNIT LOEJ", L_BASE, { { START_STOP, 0, 0, 0, 0x02 } }, 6,
	  INVALID },
	{ "START STOP UNIT power condition", L_BASE,
	  { { START_STOP, 0, 0, 0, 0x11 } }, 6, INVALID },
	{ "START STOP UNIT power condition modifier", L_BASE,
	  { { START_STOP, 0, 0, 0x01, 0x01 } }, 6, INVALID },
};

static void vdev_st_parse_desc(const struct vdev_st_parse_case *c,
			       char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_st_parse, vdev_st_parse_cases, vdev_st_parse_desc);

static void vdev_scsi_parse_test(struct kunit *test)
{
	const struct vdev_st_parse_case *c = test->param_value;
	const struct vdev_scsi_lun_info *info = vdev_st_lun(c->lun);
	/* The request's CDB field is longer than any CDB served. */
	u8 cdb[32] = {};
	struct vdev_scsi_cmd cmd;
	int ret;

	vdev_st_cdb(&c->cdb, cdb);
	memset(&cmd, 0x5a, sizeof(cmd));
	ret = vdev_scsi_parse(&cmd, info, cdb, c->cdb_len);
	if (c->key) {
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		vdev_st_expect_sense(test, &cmd.sense, c->key, c->code);
		return;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, cmd.op, c->op);
	KUNIT_EXPECT_EQ(test, cmd.dir, c->dir);
	KUNIT_EXPECT_EQ(test, cmd.lba, c->lba);
	KUNIT_EXPECT_EQ(test, cmd.nblocks, c->nblocks);
	KUNIT_EXPECT_EQ(test, cmd.data_len, c->data_len);
	KUNIT_EXPECT_EQ(test, cmd.bytchk, c->bytchk);
	KUNIT_EXPECT_EQ(test, cmd.fua, c->fua);
	KUNIT_EXPECT_EQ(test, cmd.unmap, c->unmap);
	KUNIT_EXPECT_EQ(test, cmd.ndob, c->ndob);
	KUNIT_EXPECT_EQ(test, cmd.xfer_len, 0);
	KUNIT_EXPECT_EQ(test, cmd.resid, 0);
	KUNIT_EXPECT_EQ(test, cmd.sense.key, 0);
	KUNIT_EXPECT_MEMEQ(test, cmd.cdb, cdb, VDEV_SCSI_CDB_MAX);
}

/* --- data buffers -------------------------------------------------------- */

struct vdev_st_xfer_case {
	const char *desc;
	int lun;
	struct vdev_st_cdb cdb;
	u32 out_len;
	u32 in_len;
	bool fail; /* INVALID FIELD IN COMMAND INFORMATION UNIT */
	u32 xfer_len;
	u32 resid;
	enum vdev_scsi_op op;
	u32 nblocks;
};

static const struct vdev_st_xfer_case vdev_st_xfer_cases[] = {
	{ "no data, no buffer", L_BASE, { { TEST_UNIT_READY } }, 0, 0, false, 0,
	  0, OP(NONE) },
	{ "no data, data-in buffer", L_BASE, { { TEST_UNIT_READY } }, 0, 512,
	  false, 0, 512, OP(NONE) },
	{ "no data, data-out buffer", L_BASE, { { TEST_UNIT_READY } }, 100, 0,
	  false, 0, 100, OP(NONE) },
	{ "buffers both ways", L_BASE, { { TEST_UNIT_READY } }, 512, 512,
	  true },
	{ "READ exact", L_BASE, { { READ_10 }, 0, 8 }, 0, 4096, false, 4096, 0,
	  OP(READ), 8 },
	{ "READ into a larger buffer", L_BASE, { { READ_10 }, 0, 8 }, 0, 8192,
	  false, 4096, 4096, OP(READ), 8 },
	{ "READ into a buffer of 1.9 blocks", L_BASE, { { READ_10 }, 0, 8 }, 0,
	  1000, false, 512, 488, OP(READ), 1 },
	{ "READ into less than a block", L_BASE, { { READ_10 }, 0, 8 }, 0, 100,
	  false, 0, 100, OP(NONE), 0 },
	{ "READ with no buffer", L_BASE, { { READ_10 }, 0, 8 }, 0, 0, false, 0,
	  0, OP(NONE), 0 },
	{ "READ with a data-out buffer", L_BASE, { { READ_10 }, 0, 8 }, 4096, 0,
	  true },
	{ "READ(6) 256 blocks of 4 KiB into 1 MiB", L_BIG, { { READ_6 } }, 0,
	  SZ_1M, false, SZ_1M, 0, OP(READ), 256 },
	{ "WRITE exact", L_BASE, { { WRITE_10 }, 0, 8 }, 4096, 0, false, 4096,
	  0, OP(WRITE), 8 },
	{ "WRITE from a larger buffer", L_BASE, { { WRITE_10 }, 0, 8 }, 5000, 0,
	  false, 4096, 904, OP(WRITE), 8 },
	{ "WRITE from a short buffer", L_BASE, { { WRITE_10 }, 0, 8 }, 4095, 0,
	  true },
	{ "WRITE with a data-in buffer", L_BASE, { { WRITE_10 }, 0, 8 }, 0,
	  4096, true },
	{ "WRITE with no buffer", L_BASE, { { WRITE_10 }, 0, 8 }, 0, 0, true },
	{ "WRITE SAME one block", L_BASE, { { WRITE_SAME }, 0, 8 }, 512, 0,
	  false, 512, 0, OP(WRITE_SAME), 8 },
	{ "WRITE SAME NDOB ignores a buffer", L_BASE,
	  { { WRITE_SAME_16, 0x01 }, 0, 8 }, 512, 0, false, 0, 512,
	  OP(WRITE_SAME), 8 },
	{ "WRITE SAME short buffer", L_BASE, { { WRITE_SAME }, 0, 8 }, 511, 0,
	  true },
	{ "WRITE SAME with no buffer", L_BASE, { { WRITE_SAME }, 0, 8 }, 0, 0,
	  true },
	{ "WRITE SAME from a larger buffer", L_BASE, { { WRITE_SAME }, 0, 8 },
	  4096, 0, false, 512, 3584, OP(WRITE_SAME), 8 },
	{ "WRITE SAME NDOB, no buffer", L_BASE,
	  { { WRITE_SAME_16, 0x01 }, 0, 8 }, 0, 0, false, 0, 0,
	  OP(WRITE_SAME), 8 },
	{ "WRITE SAME with a data-in buffer", L_BASE, { { WRITE_SAME }, 0, 8 },
	  0, 512, true },
	{ "VERIFY BYTCHK 0 ignores a buffer", L_BASE, { { VERIFY }, 0, 8 },
	  512, 0, false, 0, 512, OP(VERIFY), 8 },
	{ "VERIFY BYTCHK 1 exact", L_BASE, { { VERIFY, 0x02 }, 0, 8 }, 4096, 0,
	  false, 4096, 0, OP(VERIFY), 8 },
	{ "VERIFY BYTCHK 1 from a larger buffer", L_BASE,
	  { { VERIFY, 0x02 }, 0, 8 }, 5000, 0, false, 4096, 904, OP(VERIFY),
	  8 },
	{ "VERIFY BYTCHK 1, a block short", L_BASE, { { VERIFY, 0x02 }, 0, 8 },
	  3584, 0, true },
	{ "VERIFY BYTCHK 1, a byte short", L_BASE, { { VERIFY, 0x02 }, 0, 8 },
	  4095, 0, true },
	{ "VERIFY BYTCHK 1 with a data-in buffer", L_BASE,
	  { { VERIFY, 0x02 }, 0, 8 }, 0, 4096, true },
	{ "VERIFY BYTCHK 3, one block", L_BASE, { { VERIFY, 0x06 }, 0, 8 },
	  512, 0, false, 512, 0, OP(VERIFY), 8 },
	{ "VERIFY BYTCHK 3, all the blocks", L_BASE,
	  { { VERIFY, 0x06 }, 0, 8 }, 4096, 0, false, 512, 3584, OP(VERIFY),
	  8 },
	{ "VERIFY BYTCHK 3, short buffer", L_BASE, { { VERIFY, 0x06 }, 0, 8 },
	  511, 0, true },
	{ "INQUIRY into a small buffer", L_BASE, { { INQUIRY, 0, 0, 0, 36 } },
	  0, 16, false, 16, 0, OP(EMULATED) },
	{ "INQUIRY into a large buffer", L_BASE, { { INQUIRY, 0, 0, 0, 36 } },
	  0, 100, false, 36, 64, OP(EMULATED) },
	{ "INQUIRY with a data-out buffer", L_BASE,
	  { { INQUIRY, 0, 0, 0, 36 } }, 36, 0, true },
	{ "UNMAP list", L_BASE, { { UNMAP }, 0, 24 }, 24, 0, false, 24, 0,
	  OP(UNMAP) },
	{ "UNMAP list cut by the buffer", L_BASE, { { UNMAP }, 0, 24 }, 23, 0,
	  true },
	{ "MODE SELECT list in a larger buffer", L_BASE,
	  { { MODE_SELECT, 0x10, 0, 0, 24 } }, 512, 0, false, 24, 488,
	  OP(MODE_SELECT) },
};

static void vdev_st_xfer_desc(const struct vdev_st_xfer_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_st_xfer, vdev_st_xfer_cases, vdev_st_xfer_desc);

static void vdev_scsi_xfer_test(struct kunit *test)
{
	const struct vdev_st_xfer_case *c = test->param_value;
	u8 cdb[VDEV_SCSI_CDB_MAX];
	struct vdev_scsi_cmd cmd;
	int ret;

	vdev_st_cdb(&c->cdb, cdb);
	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(&cmd, vdev_st_lun(c->lun), cdb,
					      VDEV_SCSI_CDB_MAX), 0);
	ret = vdev_scsi_check_xfer(&cmd, c->out_len, c->in_len);
	if (c->fail) {
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		vdev_st_expect_sense(test, &cmd.sense, ILLEGAL_REQUEST, INV_IU);
		return;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, cmd.xfer_len, c->xfer_len);
	KUNIT_EXPECT_EQ(test, cmd.resid, c->resid);
	KUNIT_EXPECT_EQ(test, cmd.op, c->op);
	if (c->op == OP(READ) || c->op == OP(WRITE) ||
	    c->op == OP(WRITE_SAME) || c->op == OP(VERIFY))
		KUNIT_EXPECT_EQ(test, cmd.nblocks, c->nblocks);
}

/* --- emulated data-in ---------------------------------------------------- */

/* Parse @cdb, match it with a data-in buffer of @in_len, build the data. */
static u32 vdev_st_emulate(struct kunit *test, int lun,
			   struct vdev_scsi_lun_state *st, const u8 *cdb,
			   u32 in_len, u8 *buf, struct vdev_scsi_cmd *cmd)
{
	const struct vdev_scsi_lun_info *info = vdev_st_lun(lun);
	u32 len;

	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(cmd, info, cdb,
					      VDEV_SCSI_CDB_MAX), 0);
	KUNIT_ASSERT_EQ(test, vdev_scsi_check_xfer(cmd, 0, in_len), 0);
	KUNIT_ASSERT_EQ(test, cmd->op, OP(EMULATED));
	len = vdev_scsi_emulate(cmd, info, st, buf);
	KUNIT_EXPECT_EQ(test, len, cmd->xfer_len);
	KUNIT_EXPECT_EQ(test, cmd->xfer_len + cmd->resid, in_len);
	return len;
}

static void vdev_st_expect_zero(struct kunit *test, const u8 *buf, u32 from,
				u32 to)
{
	for (; from < to; from++)
		KUNIT_EXPECT_EQ_MSG(test, buf[from], 0, "byte %u", from);
}

static void vdev_scsi_inquiry_std_test(struct kunit *test)
{
	const u8 cdb[VDEV_SCSI_CDB_MAX] = { INQUIRY, 0, 0, 0, 96 };
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);

	KUNIT_EXPECT_EQ(test, vdev_st_emulate(test, L_BASE, NULL, cdb, 96, buf,
					      &cmd), 36);
	KUNIT_EXPECT_EQ(test, cmd.resid, 60);
	KUNIT_EXPECT_EQ(test, buf[0], TYPE_DISK);	/* PQ 0, disk */
	KUNIT_EXPECT_EQ(test, buf[1], 0);		/* not removable */
	KUNIT_EXPECT_EQ(test, buf[2], 0x06);		/* SPC-4 */
	KUNIT_EXPECT_EQ(test, buf[3], 0x02); /* response format */
	KUNIT_EXPECT_EQ(test, buf[4], 31); /* additional length */
	KUNIT_EXPECT_EQ(test, buf[5], 0);
	KUNIT_EXPECT_EQ(test, buf[6], 0);
	KUNIT_EXPECT_EQ(test, buf[7], 0x02);		/* CMDQUE */
	KUNIT_EXPECT_MEMEQ(test, &buf[8], "VDEV    ", 8);
	KUNIT_EXPECT_MEMEQ(test, &buf[16], "vdev scsi disk  ", 16);
	KUNIT_EXPECT_MEMEQ(test, &buf[32], "0.1 ", 4);
}

/* Cut to the allocation length; the rest of the buffer is residual. */
static void vdev_scsi_inquiry_cut_test(struct kunit *test)
{
	const u8 cdb[VDEV_SCSI_CDB_MAX] = { INQUIRY, 0, 0, 0, 8 };
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);

	KUNIT_EXPECT_EQ(test, vdev_st_emulate(test, L_BASE, NULL, cdb, 255, buf,
					      &cmd), 8);
	KUNIT_EXPECT_EQ(test, cmd.xfer_len, 8);
	KUNIT_EXPECT_EQ(test, cmd.resid, 247);
	KUNIT_EXPECT_EQ(test, buf[4], 31);	/* still the whole length */

	/* And to the buffer, when that is shorter. */
	KUNIT_EXPECT_EQ(test, vdev_st_emulate(test, L_BASE, NULL, cdb, 5, buf,
					      &cmd), 5);
	KUNIT_EXPECT_EQ(test, cmd.resid, 0);
}

/* No LUN at the address: peripheral qualifier 3, type 1Fh. */
static void vdev_scsi_inquiry_no_lun_test(struct kunit *test)
{
	const u8 cdb[VDEV_SCSI_CDB_MAX] = { INQUIRY, 0, 0, 0, 36 };
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);
	u32 i;

	KUNIT_EXPECT_EQ(test, vdev_st_emulate(test, L_NONE, NULL, cdb, 36, buf,
					      &cmd), 36);
	KUNIT_EXPECT_EQ(test, buf[0], 0x7f);
	KUNIT_EXPECT_EQ(test, buf[2], 0x06);
	KUNIT_EXPECT_EQ(test, buf[4], 31);
	for (i = 8; i < 36; i++)
		KUNIT_EXPECT_EQ_MSG(test, buf[i], ' ', "byte %u", i);
}

/* A VPD page of @lun: header checked, its length returned. */
static u32 vdev_st_vpd(struct kunit *test, int lun, u8 page, u8 *buf)
{
	u8 cdb[VDEV_SCSI_CDB_MAX] = { INQUIRY, 1, page };
	struct vdev_scsi_cmd cmd;
	u32 len;

	put_unaligned_be16(1024, &cdb[3]);
	len = vdev_st_emulate(test, lun, NULL, cdb, 1024, buf, &cmd);
	KUNIT_EXPECT_EQ(test, buf[0], TYPE_DISK);
	KUNIT_EXPECT_EQ(test, buf[1], page);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(&buf[2]), len - 4);
	return len;
}

static void vdev_scsi_vpd_supported_test(struct kunit *test)
{
	static const u8 pages[] = { 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2 };
	u8 *buf = vdev_st_buf(test);

	KUNIT_ASSERT_EQ(test, vdev_st_vpd(test, L_BASE, 0x00, buf), 10);
	KUNIT_EXPECT_MEMEQ(test, &buf[4], pages, sizeof(pages));
}

static void vdev_scsi_vpd_serial_test(struct kunit *test)
{
	u8 *buf = vdev_st_buf(test);

	KUNIT_ASSERT_EQ(test, vdev_st_vpd(test, L_BASE, 0x80, buf), 11);
	KUNIT_EXPECT_MEMEQ(test, &buf[4], "SN-0042", 7);
}

static void vdev_scsi_vpd_devid_test(struct kunit *test)
{
	static const u8 naa[] = {
		0x01, 0x03, 0x00, 0x08,	/* binary; LU, NAA; 8 bytes */
		0x31, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	};
	static const u8 t10_lu[] = {
		0x02, 0x01, 0x00, 13,	/* ASCII; LU, T10 vendor ID */
		'V', 'D', 'E', 'V', ' ', ' ', ' ', ' ', 'l', 'u', 'n', '-', '0',
	};
	static const u8 rel_port[] = {
		0x01, 0x14, 0x00, 0x04,	/* binary; port, relative port */
		0x00, 0x00, 0x00, 0x01,
	};
	static const u8 t10_port[] = {
		0x02, 0x11, 0x00, 14,	/* ASCII; port, T10 vendor ID */
		'V', 'D', 'E', 'V', ' ', ' ', ' ', ' ',
		'p', 'o', 'r', 't', '-', '1',
	};
	u8 *buf = vdev_st_buf(test);
	u32 off = 4;

	KUNIT_ASSERT_EQ(test, vdev_st_vpd(test, L_BASE, 0x83, buf), 59);
	KUNIT_EXPECT_MEMEQ(test, &buf[off], naa, sizeof(naa));
	off += sizeof(naa);
	KUNIT_EXPECT_MEMEQ(test, &buf[off], t10_lu, sizeof(t10_lu));
	off += sizeof(t10_lu);
	KUNIT_EXPECT_MEMEQ(test, &buf[off], rel_port, sizeof(rel_port));
	off += sizeof(rel_port);
	KUNIT_EXPECT_MEMEQ(test, &buf[off], t10_port, sizeof(t10_port));

	/* No port name: no port T10 designator. */
	KUNIT_ASSERT_EQ(test, vdev_st_vpd(test, L_THICK, 0x83, buf), 41);
	KUNIT_EXPECT_MEMEQ(test, &buf[33], rel_port, sizeof(rel_port));
}

static void vdev_scsi_vpd_limits_test(struct kunit *test)
{
	u8 *buf = vdev_st_buf(test);

	KUNIT_ASSERT_EQ(test, vdev_st_vpd(test, L_BASE, 0xb0, buf), 64);
	KUNIT_EXPECT_EQ(test, buf[4], 0x01);			/* WSNZ */
	KUNIT_EXPECT_EQ(test, buf[5], 0);	/* no COMPARE AND WRITE */
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(&buf[6]), 8);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[8]), 2048);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[12]), 256);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[16]), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[20]), 0x4000);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[24]), 4);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[28]), 8);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[32]), 0x80000002);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(&buf[36]), 0x8000);
	vdev_st_expect_zero(test, buf, 44, 64);

	/* A LUN that cannot deallocate reports no unmap limits. */
	KUNIT_ASSERT_EQ(test, vdev_st_vpd(test, L_THICK, 0xb0, buf), 64);
	vdev_st_expect_zero(test, buf, 20, 36);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(&buf[36]), 0x8000);

	/* No transfer or write same limit: 0. */
	KUNIT_ASSERT_EQ(test, vdev_st_vpd(test, L_BIG, 0xb0, buf), 64);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[8]), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(&buf[36]), 0);
}

/* More descriptors than a parameter list can hold count as that many. */
static void vdev_scsi_vpd_limits_desc_max_test(struct kunit *test)
{
	const u8 cdb[VDEV_SCSI_CDB_MAX] = { INQUIRY, 1, 0xb0, 0, 64 };
	struct vdev_scsi_lun_info info = vdev_st_base;
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);

	info.max_unmap_desc = 100000;
	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(&cmd, &info, cdb,
					      VDEV_SCSI_CDB_MAX), 0);
	KUNIT_ASSERT_EQ(test, vdev_scsi_check_xfer(&cmd, 0, 64), 0);
	KUNIT_ASSERT_EQ(test, vdev_scsi_emulate(&cmd, &info, NULL, buf), 64);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[24]),
			VDEV_SCSI_UNMAP_DESC_MAX);
}

static void vdev_scsi_vpd_chars_test(struct kunit *test)
{
	u8 *buf = vdev_st_buf(test);

	KUNIT_ASSERT_EQ(test, vdev_st_vpd(test, L_BASE, 0xb1, buf), 64);
	/* Medium rotation rate 1: non-rotating; 0: not reported. */
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(&buf[4]), 1);
	vdev_st_expect_zero(test, buf, 6, 64);
	KUNIT_ASSERT_EQ(test, vdev_st_vpd(test, L_THICK, 0xb1, buf), 64);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(&buf[4]), 0);
}

static void vdev_scsi_vpd_provisioning_test(struct kunit *test)
{
	u8 *buf = vdev_st_buf(test);

	KUNIT_ASSERT_EQ(test, vdev_st_vpd(test, L_BASE, 0xb2, buf), 8);
	KUNIT_EXPECT_EQ(test, buf[4], 0);
	KUNIT_EXPECT_EQ(test, buf[5], 0xe4); /* LBPU LBPWS LBPWS10 LBPRZ */
	KUNIT_EXPECT_EQ(test, buf[6], 0x02);	/* thin provisioned */
	KUNIT_EXPECT_EQ(test, buf[7], 0);
	KUNIT_ASSERT_EQ(test, vdev_st_vpd(test, L_THICK, 0xb2, buf), 8);
	vdev_st_expect_zero(test, buf, 4, 8);	/* fully provisioned */
}

static void vdev_scsi_read_capacity_test(struct kunit *test)
{
	const u8 cdb[VDEV_SCSI_CDB_MAX] = { READ_CAPACITY };
	struct vdev_scsi_lun_info info = vdev_st_base;
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);

	KUNIT_ASSERT_EQ(test, vdev_st_emulate(test, L_BASE, NULL, cdb, 8, buf,
					      &cmd), 8);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[0]), NR_BLOCKS - 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[4]), 512);

	/* Past 32 bits: FFFFFFFFh sends the initiator to READ CAPACITY (16). */
	KUNIT_ASSERT_EQ(test, vdev_st_emulate(test, L_BIG, NULL, cdb, 8, buf,
					      &cmd), 8);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[0]), U32_MAX);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[4]), 4096);

	/* 2^32 blocks: the last LBA, FFFFFFFFh, still fits. */
	info.nr_blocks = 1ULL << 32;
	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(&cmd, &info, cdb,
					      VDEV_SCSI_CDB_MAX), 0);
	KUNIT_ASSERT_EQ(test, vdev_scsi_check_xfer(&cmd, 0, 8), 0);
	KUNIT_ASSERT_EQ(test, vdev_scsi_emulate(&cmd, &info, NULL, buf), 8);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[0]), U32_MAX);
}

static void vdev_scsi_read_capacity16_test(struct kunit *test)
{
	u8 cdb[VDEV_SCSI_CDB_MAX] = {
		SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16, [13] = 32
	};
	u8 cut[VDEV_SCSI_CDB_MAX] = {
		SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16, [13] = 12
	};
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);

	KUNIT_ASSERT_EQ(test, vdev_st_emulate(test, L_BASE, NULL, cdb, 32, buf,
					      &cmd), 32);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(&buf[0]), NR_BLOCKS - 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[8]), 512);
	KUNIT_EXPECT_EQ(test, buf[12], 0);		/* no protection */
	KUNIT_EXPECT_EQ(test, buf[13], 3);		/* 8 per physical */
	KUNIT_EXPECT_EQ(test, buf[14], 0xc1); /* LBPME LBPRZ, 0x123 */
	KUNIT_EXPECT_EQ(test, buf[15], 0x23);
	vdev_st_expect_zero(test, buf, 16, 32);

	KUNIT_ASSERT_EQ(test, vdev_st_emulate(test, L_THICK, NULL, cdb, 32, buf,
					      &cmd), 32);
	KUNIT_EXPECT_EQ(test, buf[14], 0x01);		/* no LBPME */

	KUNIT_ASSERT_EQ(test, vdev_st_emulate(test, L_BIG, NULL, cdb, 32, buf,
					      &cmd), 32);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(&buf[0]), BIG_BLOCKS - 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[8]), 4096);
	KUNIT_EXPECT_EQ(test, buf[13], 0);
	KUNIT_EXPECT_EQ(test, buf[14], 0xc0);
	KUNIT_EXPECT_EQ(test, buf[15], 0);

	/* An allocation length of 12 cuts it; a larger buffer is residual. */
	KUNIT_ASSERT_EQ(test, vdev_st_emulate(test, L_BASE, NULL, cut, 512, buf,
					      &cmd), 12);
	KUNIT_EXPECT_EQ(test, cmd.resid, 500);
}

/* --- MODE SENSE ---------------------------------------------------------- */

struct vdev_st_msense_case {
	const char *desc;
	int lun;
	struct vdev_st_cdb cdb;
	u32 len;		/* whole response */
	u8 dsp;			/* device-specific parameter */
	u32 bdl;		/* block descriptor length */
	u64 bd_blocks;		/* and its number of blocks */
	u32 bd_size;		/* and its block length */
	u8 pages[2];		/* page codes in order; 0: none */
	bool wce;		/* the caching page's WCE */
	u8 qam;			/* the control page's byte 3 */
};

static const struct vdev_st_msense_case vdev_st_msense_cases[] = {
	{ "6: caching, DBD", L_BASE,
	  { { MODE_SENSE, 0x08, 0x08, 0, 255 } },
	  24, 0x10, 0, 0, 0, { 0x08 }, true },
	{ "6: caching, block descriptor", L_BASE,
	  { { MODE_SENSE, 0, 0x08, 0, 255 } },
	  32, 0x10, 8, NR_BLOCKS, 512, { 0x08 }, true },
	{ "6: control", L_BASE,
	  { { MODE_SENSE, 0x08, 0x0a, 0, 255 } },
	  16, 0x10, 0, 0, 0, { 0x0a }, .qam = 0x10 },
	{ "6: all pages", L_BASE,
	  { { MODE_SENSE, 0, 0x3f, 0, 255 } },
	  44, 0x10, 8, NR_BLOCKS, 512, { 0x08, 0x0a }, true, 0x10 },
	{ "6: all pages and subpages", L_BASE,
	  { { MODE_SENSE, 0x08, 0x3f, 0xff, 255 } },
	  36, 0x10, 0, 0, 0, { 0x08, 0x0a }, true, 0x10 },
	{ "6: read-only: WP", L_RO,
	  { { MODE_SENSE, 0x08, 0x08, 0, 255 } },
	  24, 0x90, 0, 0, 0, { 0x08 }, true },
	{ "6: cache off", L_WT,
	  { { MODE_SENSE, 0x08, 0x08, 0, 255 } },
	  24, 0x10, 0, 0, 0, { 0x08 }, false },
	{ "6: cache off, default", L_WT,
	  { { MODE_SENSE, 0x08, 0x88, 0, 255 } },
	  24, 0x10, 0, 0, 0, { 0x08 }, true },
	{ "6: no cache", L_THICK,
	  { { MODE_SENSE, 0x08, 0x08, 0, 255 } },
	  24, 0x10, 0, 0, 0, { 0x08 }, false },
	{ "6: changeable: WCE only", L_WT,
	  { { MODE_SENSE, 0, 0x7f, 0, 255 } },
	  44, 0x10, 8, 0, 0, { 0x08, 0x0a }, true, 0 },
	{ "6: changeable, no cache: nothing", L_THICK,
	  { { MODE_SENSE, 0x08, 0x48, 0, 255 } },
	  24, 0x10, 0, 0, 0, { 0x08 }, false },
	{ "6: big LUN block descriptor", L_BIG,
	  { { MODE_SENSE, 0, 0x08, 0, 255 } },
	  32, 0x10, 8, U32_MAX, 4096, { 0x08 }, true },
	{ "10: caching, DBD", L_BASE,
	  { { MODE_SENSE_10, 0x08, 0x08, 0 }, .len = 512 },
	  28, 0x10, 0, 0, 0, { 0x08 }, true },
	{ "10: all pages", L_BASE,
	  { { MODE_SENSE_10, 0, 0x3f, 0 }, .len = 512 },
	  48, 0x10, 8, NR_BLOCKS, 512, { 0x08, 0x0a }, true, 0x10 },
	{ "10: LLBAA", L_BIG,
	  { { MODE_SENSE_10, 0x10, 0x3f, 0 }, .len = 512 },
	  56, 0x10, 16, BIG_BLOCKS, 4096, { 0x08, 0x0a }, true, 0x10 },
	{ "10: LLBAA and DBD", L_BIG,
	  { { MODE_SENSE_10, 0x18, 0x3f, 0 }, .len = 512 },
	  40, 0x10, 0, 0, 0, { 0x08, 0x0a }, true, 0x10 },
	{ "10: read-only", L_RO,
	  { { MODE_SENSE_10, 0x08, 0x0a, 0 }, .len = 512 },
	  20, 0x90, 0, 0, 0, { 0x0a }, .qam = 0x10 },
};

static void vdev_st_msense_desc(const struct vdev_st_msense_case *c,
				char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_st_msense, vdev_st_msense_cases, vdev_st_msense_desc);

static void vdev_st_expect_bd(struct kunit *test,
			      const struct vdev_st_msense_case *c, const u8 *p)
{
	if (c->bdl == 16) {
		KUNIT_EXPECT_EQ(test, get_unaligned_be64(p), c->bd_blocks);
		vdev_st_expect_zero(test, p, 8, 12);
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(&p[12]), c->bd_size);
	} else {
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(p), c->bd_blocks);
		KUNIT_EXPECT_EQ(test, p[4], 0); /* density code */
		KUNIT_EXPECT_EQ(test, get_unaligned_be24(&p[5]), c->bd_size);
	}
}

static void vdev_st_expect_mpage(struct kunit *test,
				 const struct vdev_st_msense_case *c, u8 page,
				 const u8 *p)
{
	KUNIT_EXPECT_EQ(test, p[0], page);	/* PS 0, SPF 0 */
	if (page == 0x08) {
		KUNIT_EXPECT_EQ(test, p[1], 18);
		KUNIT_EXPECT_EQ(test, p[2], c->wce ? 0x04 : 0);
		vdev_st_expect_zero(test, p, 3, 20);
	} else {
		KUNIT_EXPECT_EQ(test, p[1], 10);
		KUNIT_EXPECT_EQ(test, p[2], 0);		/* D_SENSE 0 */
		KUNIT_EXPECT_EQ(test, p[3], c->qam);
		vdev_st_expect_zero(test, p, 4, 12);
	}
}

static void vdev_scsi_mode_sense_test(struct kunit *test)
{
	const struct vdev_st_msense_case *c = test->param_value;
	bool ten = c->cdb.b[0] == MODE_SENSE_10;
	u32 hdr = ten ? 8 : 4, off, i;
	u8 cdb[VDEV_SCSI_CDB_MAX];
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);

	vdev_st_cdb(&c->cdb, cdb);
	KUNIT_ASSERT_EQ(test, vdev_st_emulate(test, c->lun, NULL, cdb, 512,
					      buf, &cmd), c->len);
	if (ten) {
		KUNIT_EXPECT_EQ(test, get_unaligned_be16(&buf[0]), c->len - 2);
		KUNIT_EXPECT_EQ(test, buf[2], 0); /* medium type */
		KUNIT_EXPECT_EQ(test, buf[3], c->dsp);
		KUNIT_EXPECT_EQ(test, buf[4], c->bdl == 16 ? 0x01 : 0);
		KUNIT_EXPECT_EQ(test, buf[5], 0);
		KUNIT_EXPECT_EQ(test, get_unaligned_be16(&buf[6]), c->bdl);
	} else {
		KUNIT_EXPECT_EQ(test, buf[0], c->len - 1);
		KUNIT_EXPECT_EQ(test, buf[1], 0);
		KUNIT_EXPECT_EQ(test, buf[2], c->dsp);
		KUNIT_EXPECT_EQ(test, buf[3], c->bdl);
	}
	if (c->bdl && c->bd_size)
		vdev_st_expect_bd(test, c, &buf[hdr]);
	else
		vdev_st_expect_zero(test, buf, hdr, hdr + c->bdl);
	off = hdr + c->bdl;
	for (i = 0; i < ARRAY_SIZE(c->pages) && c->pages[i]; i++) {
		vdev_st_expect_mpage(test, c, c->pages[i], &buf[off]);
		off += buf[off + 1] + 2;
	}
	KUNIT_EXPECT_EQ(test, off, c->len);
}

/* A 4-byte MODE SENSE (6), as sd asks first: the header, whole length. */
static void vdev_scsi_mode_sense_cut_test(struct kunit *test)
{
	const u8 cdb[VDEV_SCSI_CDB_MAX] = { MODE_SENSE, 0, 0x3f, 0, 4 };
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);

	KUNIT_ASSERT_EQ(test, vdev_st_emulate(test, L_RO, NULL, cdb, 4, buf,
					      &cmd), 4);
	KUNIT_EXPECT_EQ(test, buf[0], 43);
	KUNIT_EXPECT_EQ(test, buf[2], 0x90);
	KUNIT_EXPECT_EQ(test, buf[3], 8);
	KUNIT_EXPECT_EQ(test, cmd.resid, 0);
}

/* --- REPORT LUNS --------------------------------------------------------- */

static u32 vdev_st_report_luns(struct kunit *test, u8 select, u32 alloc,
			       const u16 *luns, u32 nr_luns, u8 *buf,
			       struct vdev_scsi_cmd *cmd)
{
	u8 cdb[VDEV_SCSI_CDB_MAX] = { REPORT_LUNS, 0, select };
	u32 len;

	put_unaligned_be32(alloc, &cdb[6]);
	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(cmd, NULL, cdb,
					      VDEV_SCSI_CDB_MAX), 0);
	KUNIT_ASSERT_EQ(test, cmd->op, OP(REPORT_LUNS));
	KUNIT_ASSERT_EQ(test, vdev_scsi_check_xfer(cmd, 0, alloc), 0);
	len = vdev_scsi_report_luns(cmd, luns, nr_luns, buf);
	KUNIT_EXPECT_EQ(test, len, cmd->xfer_len);
	KUNIT_EXPECT_EQ(test, len + cmd->resid, alloc);
	return len;
}

static void vdev_scsi_report_luns_test(struct kunit *test)
{
	static const u16 luns[] = { 0, 5, 255, 256, 16383 };
	static const u8 want[][8] = {
		{ 0x00, 0x00 }, /* peripheral device addressing */
		{ 0x00, 0x05 },
		{ 0x00, 0xff },
		{ 0x41, 0x00 },		/* flat space addressing */
		{ 0x7f, 0xff },
	};
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);
	u32 i;

	KUNIT_ASSERT_EQ(test, vdev_st_report_luns(test, 0, 256, luns,
						  ARRAY_SIZE(luns), buf, &cmd),
			48);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[0]), 40);
	vdev_st_expect_zero(test, buf, 4, 8);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_MEMEQ(test, &buf[8 + 8 * i], want[i], 8);
	KUNIT_EXPECT_EQ(test, cmd.resid, 256 - 48);

	/* Well known LUs only: there are none. */
	KUNIT_ASSERT_EQ(test, vdev_st_report_luns(test, 1, 256, luns,
						  ARRAY_SIZE(luns), buf, &cmd),
			8);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[0]), 0);

	/* Cut by the allocation length, the list length still says all. */
	KUNIT_ASSERT_EQ(test, vdev_st_report_luns(test, 2, 16, luns,
						  ARRAY_SIZE(luns), buf, &cmd),
			16);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[0]), 40);
	KUNIT_EXPECT_MEMEQ(test, &buf[8], want[0], 8);

	/* Even the header: the list length alone. */
	KUNIT_ASSERT_EQ(test, vdev_st_report_luns(test, 0, 4, luns,
						  ARRAY_SIZE(luns), buf, &cmd),
			4);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[0]), 40);
	KUNIT_EXPECT_EQ(test, cmd.resid, 0);
}

/* More LUNs than VDEV_SCSI_BUF_LEN holds: the list length says all. */
static void vdev_scsi_report_luns_many_test(struct kunit *test)
{
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);
	u16 *luns;
	u32 i;

	luns = kunit_kcalloc(test, 600, sizeof(*luns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, luns);
	for (i = 0; i < 600; i++)
		luns[i] = i;
	KUNIT_ASSERT_EQ(test, vdev_st_report_luns(test, 0, 8192, luns, 600,
						  buf, &cmd),
			VDEV_SCSI_BUF_LEN);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[0]), 4800);
	KUNIT_EXPECT_EQ(test, cmd.resid, 8192 - VDEV_SCSI_BUF_LEN);
	KUNIT_EXPECT_EQ(test, buf[VDEV_SCSI_BUF_LEN - 8], 0x41);
	KUNIT_EXPECT_EQ(test, buf[VDEV_SCSI_BUF_LEN - 7], 510 - 256);
}

/* --- MODE SELECT --------------------------------------------------------- */

struct vdev_st_mselect_case {
	const char *desc;
	int lun;
	bool ten;
	u8 list[64];
	u32 len;
	u8 key;
	u16 code;
	bool wce;		/* on success */
};

/*
 * Parameter lists, byte by byte: a header (4 bytes for MODE SELECT (6), 8
 * for (10); the last byte or two are the block descriptor length), then
 * maybe a block descriptor, then pages. The caching page is 08h, 12h, then
 * WCE (04h) in byte 2; the control page 0Ah, 0Ah, then QAM 1 (10h) in
 * byte 3.
 */
#define PLIST		FAIL(ILLEGAL_REQUEST, INV_PARAM)
#define PLEN		FAIL(ILLEGAL_REQUEST, PARAM_LEN)

static const struct vdev_st_mselect_case vdev_st_mselect_cases[] = {
	{ "6: WCE off", L_BASE, false, { 0, 0, 0, 0, 0x08, 0x12, 0 }, 24,
	  .wce = false },
	{ "6: WCE on", L_WT, false, { 0, 0, 0, 0, 0x08, 0x12, 0x04 }, 24,
	  .wce = true },
	{ "6: WCE unchanged", L_BASE, false, { 0, 0, 0, 0, 0x08, 0x12, 0x04 },
	  24, .wce = true },
	{ "6: PS bit ignored", L_BASE, false, { 0, 0, 0, 0, 0x88, 0x12, 0 },
	  24, .wce = false },
	{ "6: device-specific parameter ignored", L_BASE, false,
	  { 0, 0, 0x90, 0, 0x08, 0x12, 0 }, 24, .wce = false },
	{ "6: header only", L_BASE, false, {}, 4, .wce = true },
	{ "6: shorter than the header", L_BASE, false, {}, 3, PLEN },
	{ "6: medium type", L_BASE, false, { 0, 1, 0, 0, 0x08, 0x12, 0 }, 24,
	  PLIST },
	{ "6: block descriptor repeated", L_BASE, false,
	  { 0, 0, 0, 8, 0, 1, 0, 0, 0, 0, 2, 0, 0x08, 0x12, 0 }, 32,
	  .wce = false },
	{ "6: block descriptor, 0 blocks", L_BASE, false,
	  { 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 2, 0, 0x08, 0x12, 0 }, 32,
	  .wce = false },
	{ "6: block descriptor, other block length", L_BASE, false,
	  { 0, 0, 0, 8, 0, 1, 0, 0, 0, 0, 0x10, 0, 0x08, 0x12, 0 }, 32,
	  PLIST },
	{ "6: block descriptor, other capacity", L_BASE, false,
	  { 0, 0, 0, 8, 0, 0, 0, 100, 0, 0, 2, 0, 0x08, 0x12, 0 }, 32,
	  PLIST },
	{ "6: block descriptor density code", L_BASE, false,
	  { 0, 0, 0, 8, 0, 1, 0, 0, 1, 0, 2, 0 }, 12, PLIST },
	{ "6: block descriptor length 5", L_BASE, false, { 0, 0, 0, 5 }, 9,
	  PLIST },
	{ "6: block descriptor cut", L_BASE, false,
	  { 0, 0, 0, 8, 0, 1, 0, 0, 0, 0 }, 10, PLEN },
	{ "6: RCD is not changeable", L_BASE, false,
	  { 0, 0, 0, 0, 0x08, 0x12, 0x01 }, 24, PLIST },
	{ "6: IC is not changeable", L_BASE, false,
	  { 0, 0, 0, 0, 0x08, 0x12, 0x84 }, 24, PLIST },
	{ "6: caching page byte 12 is not changeable", L_BASE, false,
	  { 0, 0, 0, 0, 0x08, 0x12, 0, [16] = 1 }, 24, PLIST },
	{ "6: caching page, wrong length", L_BASE, false,
	  { 0, 0, 0, 0, 0x08, 0x0a }, 16, PLIST },
	{ "6: page 1Ch", L_BASE, false, { 0, 0, 0, 0, 0x1c, 0x0a }, 16,
	  PLIST },
	{ "6: sub-page format", L_BASE, false,
	  { 0, 0, 0, 0, 0x48, 0x00, 0x00, 0x10 }, 24, PLIST },
	{ "6: page cut", L_BASE, false, { 0, 0, 0, 0, 0x08, 0x12 }, 14,
	  PLEN },
	{ "6: page header cut", L_BASE, false, { 0, 0, 0, 0, 0x08 }, 5,
	  PLEN },
	{ "6: no cache, WCE on", L_THICK, false,
	  { 0, 0, 0, 0, 0x08, 0x12, 0x04 }, 24, PLIST },
	{ "6: no cache, WCE off", L_THICK, false,
	  { 0, 0, 0, 0, 0x08, 0x12, 0 }, 24, .wce = false },
	{ "6: control unchanged", L_BASE, false,
	  { 0, 0, 0, 0, 0x0a, 0x0a, 0, 0x10 }, 16, .wce = true },
	{ "6: control D_SENSE", L_BASE, false,
	  { 0, 0, 0, 0, 0x0a, 0x0a, 0x04, 0x10 }, 16, PLIST },
	{ "6: caching and control", L_BASE, false,
	  { 0, 0, 0, 0, 0x08, 0x12, 0, [24] = 0x0a, 0x0a, 0, 0x10 }, 36,
	  .wce = false },
	{ "6: bad second page applies nothing", L_BASE, false,
	  { 0, 0, 0, 0, 0x08, 0x12, 0, [24] = 0x0a, 0x0a, 0, 0 }, 36, PLIST },
	{ "10: WCE off", L_BASE, true, { [8] = 0x08, 0x12, 0 }, 28,
	  .wce = false },
	{ "10: long LBA block descriptor", L_BIG, true,
	  { 0, 0, 0, 0, 1, 0, 0, 16,
	    0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0,
	    0x08, 0x12, 0 }, 44, .wce = false },
	{ "10: long LBA, 8-byte descriptor", L_BASE, true,
	  { 0, 0, 0, 0, 1, 0, 0, 8, 0, 1, 0, 0, 0, 0, 2, 0, 0x08, 0x12, 0 },
	  36, PLIST },
	{ "10: block descriptor past the list", L_BASE, true,
	  { 0, 0, 0, 0, 0, 0, 0, 8, 0, 1, 0, 0 }, 12, PLEN },
	{ "10: medium type", L_BASE, true, { 0, 0, 1 }, 8, PLIST },
};

static void vdev_st_mselect_desc(const struct vdev_st_mselect_case *c,
				 char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_st_mselect, vdev_st_mselect_cases,
		  vdev_st_mselect_desc);

static void vdev_scsi_mode_select_test(struct kunit *test)
{
	const struct vdev_st_mselect_case *c = test->param_value;
	const struct vdev_scsi_lun_info *info = vdev_st_lun(c->lun);
	u8 cdb[VDEV_SCSI_CDB_MAX] = {};
	struct vdev_scsi_cmd cmd;
	bool wce = info->wce;
	int ret;

	if (c->ten) {
		cdb[0] = MODE_SELECT_10;
		put_unaligned_be16(c->len, &cdb[7]);
	} else {
		cdb[0] = MODE_SELECT;
		cdb[4] = c->len;
	}
	cdb[1] = 0x10;		/* PF */
	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(&cmd, info, cdb,
					      VDEV_SCSI_CDB_MAX), 0);
	KUNIT_ASSERT_EQ(test, cmd.op, OP(MODE_SELECT));
	KUNIT_ASSERT_EQ(test, vdev_scsi_check_xfer(&cmd, c->len, 0), 0);
	ret = vdev_scsi_mode_select(&cmd, info, c->list, cmd.xfer_len, &wce);
	if (c->key) {
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		vdev_st_expect_sense(test, &cmd.sense, c->key, c->code);
		KUNIT_EXPECT_EQ(test, wce, info->wce);
		return;
	}
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, wce, c->wce);
}

/* What MODE SELECT switched is what MODE SENSE and writes then see. */
static void vdev_scsi_mode_select_sense_test(struct kunit *test)
{
	const u8 sel[VDEV_SCSI_CDB_MAX] = { MODE_SELECT, 0x10, 0, 0, 24 };
	const u8 sense[VDEV_SCSI_CDB_MAX] = { MODE_SENSE, 0x08, 0x08, 0, 24 };
	const u8 write[VDEV_SCSI_CDB_MAX] = { WRITE_10, [8] = 1 };
	const u8 list[24] = { 0, 0, 0, 0, 0x08, 0x12, 0 };
	struct vdev_scsi_lun_info info = vdev_st_base;
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);

	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(&cmd, &info, sel,
					      VDEV_SCSI_CDB_MAX), 0);
	KUNIT_ASSERT_EQ(test, vdev_scsi_check_xfer(&cmd, 24, 0), 0);
	KUNIT_ASSERT_EQ(test, vdev_scsi_mode_select(&cmd, &info, list, 24,
						    &info.wce), 0);
	KUNIT_EXPECT_FALSE(test, info.wce);

	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(&cmd, &info, sense,
					      VDEV_SCSI_CDB_MAX), 0);
	KUNIT_ASSERT_EQ(test, vdev_scsi_check_xfer(&cmd, 0, 24), 0);
	KUNIT_ASSERT_EQ(test, vdev_scsi_emulate(&cmd, &info, NULL, buf), 24);
	KUNIT_EXPECT_EQ(test, buf[4], 0x08);
	KUNIT_EXPECT_EQ(test, buf[6], 0);		/* WCE 0 */

	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(&cmd, &info, write,
					      VDEV_SCSI_CDB_MAX), 0);
	KUNIT_EXPECT_TRUE(test, cmd.fua);
}

/* --- UNMAP --------------------------------------------------------------- */

/* A parameter list: its header, up to 5 descriptors, and its length. */
struct vdev_st_unmap_case {
	const char *desc;
	u16 data_len;		/* UNMAP DATA LENGTH */
	u16 bd_len;		/* UNMAP BLOCK DESCRIPTOR DATA LENGTH */
	struct vdev_scsi_range d[5];
	u32 len;
	u8 key;
	u16 code;
	int nr;			/* on success */
	struct vdev_scsi_range ranges[2];
};

#define LBA_OUT		FAIL(ILLEGAL_REQUEST, LBA_RANGE)

static const struct vdev_st_unmap_case vdev_st_unmap_cases[] = {
	{ "one descriptor", 22, 16, { { 100, 8 } }, 24, .nr = 1,
	  .ranges = { { 100, 8 } } },
	{ "first and last block", 38, 32, { { 0, 1 }, { NR_BLOCKS - 1, 1 } },
	  40, .nr = 2, .ranges = { { 0, 1 }, { NR_BLOCKS - 1, 1 } } },
	{ "0 blocks left out", 38, 32, { { 5 }, { 6, 2 } }, 40, .nr = 1,
	  .ranges = { { 6, 2 } } },
	{ "no descriptors", 6, 0, {}, 8, .nr = 0 },
	{ "up to the end", 22, 16, { { NR_BLOCKS - 8, 8 } }, 24, .nr = 1,
	  .ranges = { { NR_BLOCKS - 8, 8 } } },
	{ "max unmap LBA count in all", 38, 32,
	  { { 0, 0x3000 }, { 0x8000, 0x1000 } }, 40, .nr = 2,
	  .ranges = { { 0, 0x3000 }, { 0x8000, 0x1000 } } },
	{ "last descriptor cut short is ignored", 30, 24,
	  { { 1, 1 }, { 2, 2 } }, 32, .nr = 1, .ranges = { { 1, 1 } } },
	{ "list shorter than its header", 6, 0, {}, 7, PLEN },
	{ "UNMAP data length past the list", 100, 16, { { 1, 1 } }, 24,
	  PLIST },
	{ "block descriptor data length past the list", 22, 32, { { 1, 1 } },
	  24, PLIST },
	{ "more descriptors than the LUN takes", 86, 80,
	  { { 0, 1 }, { 1, 1 }, { 2, 1 }, { 3, 1 }, { 4, 1 } }, 88, PLIST },
	{ "more blocks than the max unmap LBA count", 38, 32,
	  { { 0, 0x3000 }, { 0x8000, 0x1001 } }, 40, PLIST },
	{ "descriptor past the end", 22, 16, { { NR_BLOCKS, 1 } }, 24,
	  LBA_OUT },
	{ "descriptor over the end", 38, 32,
	  { { 0, 1 }, { NR_BLOCKS - 1, 2 } }, 40, LBA_OUT },
	{ "descriptor lba + length wraps", 22, 16,
	  { { 0xffffffffffffff00ULL, 0x200 } }, 24, LBA_OUT },
	{ "0 blocks past the end", 22, 16, { { NR_BLOCKS + 1, 0 } }, 24,
	  LBA_OUT },
};

static void vdev_st_unmap_desc(const struct vdev_st_unmap_case *c,
			       char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_st_unmap, vdev_st_unmap_cases, vdev_st_unmap_desc);

static int vdev_st_unmap(struct kunit *test,
			 const struct vdev_scsi_lun_info *info, const u8 *list,
			 u32 len, struct vdev_scsi_cmd *cmd,
			 struct vdev_scsi_range **ranges)
{
	u8 cdb[VDEV_SCSI_CDB_MAX] = { UNMAP };

	put_unaligned_be16(len, &cdb[7]);
	*ranges = kunit_kcalloc(test, VDEV_SCSI_UNMAP_DESC_MAX,
				sizeof(**ranges), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *ranges);
	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(cmd, info, cdb,
					      VDEV_SCSI_CDB_MAX), 0);
	KUNIT_ASSERT_EQ(test, cmd->op, OP(UNMAP));
	KUNIT_ASSERT_EQ(test, vdev_scsi_check_xfer(cmd, len, 0), 0);
	return vdev_scsi_unmap_parse(cmd, info, list, cmd->xfer_len, *ranges);
}

static void vdev_scsi_unmap_test(struct kunit *test)
{
	const struct vdev_st_unmap_case *c = test->param_value;
	struct vdev_scsi_range *ranges;
	u8 *list = vdev_st_buf(test);
	struct vdev_scsi_cmd cmd;
	int ret, i;

	memset(list, 0, VDEV_SCSI_BUF_LEN);
	put_unaligned_be16(c->data_len, &list[0]);
	put_unaligned_be16(c->bd_len, &list[2]);
	for (i = 0; i < ARRAY_SIZE(c->d); i++) {
		put_unaligned_be64(c->d[i].lba, &list[8 + 16 * i]);
		put_unaligned_be32(c->d[i].nblocks, &list[8 + 16 * i + 8]);
	}
	ret = vdev_st_unmap(test, vdev_st_lun(L_BASE), list, c->len, &cmd,
			    &ranges);
	if (c->key) {
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		vdev_st_expect_sense(test, &cmd.sense, c->key, c->code);
		return;
	}
	KUNIT_ASSERT_EQ(test, ret, c->nr);
	for (i = 0; i < c->nr; i++) {
		KUNIT_EXPECT_EQ(test, ranges[i].lba, c->ranges[i].lba);
		KUNIT_EXPECT_EQ(test, ranges[i].nblocks, c->ranges[i].nblocks);
	}
}

/* A full buffer of descriptors, on a LUN that would take more. */
static void vdev_scsi_unmap_full_test(struct kunit *test)
{
	u32 n = VDEV_SCSI_UNMAP_DESC_MAX, len = 8 + 16 * n, i;
	struct vdev_scsi_lun_info info = vdev_st_base;
	struct vdev_scsi_range *ranges;
	struct vdev_scsi_cmd cmd;
	u8 *list = vdev_st_buf(test);

	info.max_unmap_desc = U32_MAX;
	memset(list, 0, VDEV_SCSI_BUF_LEN);
	put_unaligned_be16(len - 2, &list[0]);
	put_unaligned_be16(len - 8, &list[2]);
	for (i = 0; i < n; i++) {
		put_unaligned_be64(2 * i, &list[8 + 16 * i]);
		put_unaligned_be32(1, &list[8 + 16 * i + 8]);
	}
	KUNIT_ASSERT_EQ(test, vdev_st_unmap(test, &info, list, len, &cmd,
					    &ranges), n);
	KUNIT_EXPECT_EQ(test, ranges[n - 1].lba, 2 * (n - 1));
	KUNIT_EXPECT_EQ(test, ranges[n - 1].nblocks, 1);
}

/* --- unit attentions and REQUEST SENSE ----------------------------------- */

static int vdev_st_ua_check(struct vdev_scsi_lun_state *st, u8 op,
			    struct vdev_scsi_sense *sense)
{
	u8 cdb[VDEV_SCSI_CDB_MAX] = { op };

	memset(sense, 0, sizeof(*sense));
	return vdev_scsi_ua_check(st, cdb, VDEV_SCSI_CDB_MAX, sense);
}

/* Reset first; each report clears the condition it reports. */
static void vdev_scsi_ua_priority_test(struct kunit *test)
{
	static const u16 order[] = { 0x2900, 0x2a09, 0x2a01, 0x3f0e };
	struct vdev_scsi_lun_state st = {};
	struct vdev_scsi_sense sense;
	u32 i;

	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_LUNS);
	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_MODE);
	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_CAPACITY);
	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_POWER_ON);
	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_POWER_ON); /* not queued twice */
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		KUNIT_EXPECT_EQ(test, vdev_st_ua_check(&st, TEST_UNIT_READY,
						       &sense), -EINVAL);
		vdev_st_expect_sense(test, &sense, UNIT_ATTENTION, order[i]);
	}
	KUNIT_EXPECT_EQ(test, vdev_st_ua_check(&st, TEST_UNIT_READY, &sense),
			0);
	KUNIT_EXPECT_EQ(test, st.ua, 0);
}

/* INQUIRY, REPORT LUNS and REQUEST SENSE go through and clear nothing. */
static void vdev_scsi_ua_pass_test(struct kunit *test)
{
	struct vdev_scsi_lun_state st = {};
	struct vdev_scsi_sense sense;

	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_CAPACITY);
	KUNIT_EXPECT_EQ(test, vdev_st_ua_check(&st, INQUIRY, &sense), 0);
	KUNIT_EXPECT_EQ(test, vdev_st_ua_check(&st, REPORT_LUNS, &sense), 0);
	KUNIT_EXPECT_EQ(test, vdev_st_ua_check(&st, REQUEST_SENSE, &sense), 0);
	KUNIT_EXPECT_EQ(test, st.ua, BIT(VDEV_SCSI_UA_CAPACITY));
	/* Any other command, even one that parse would refuse. */
	KUNIT_EXPECT_EQ(test, vdev_st_ua_check(&st, 0xff, &sense), -EINVAL);
	vdev_st_expect_sense(test, &sense, UNIT_ATTENTION, 0x2a09);

	/* No LUN, or no CDB: nothing to report. */
	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_POWER_ON);
	KUNIT_EXPECT_EQ(test, vdev_st_ua_check(NULL, READ_10, &sense), 0);
	KUNIT_EXPECT_EQ(test, vdev_scsi_ua_check(&st, NULL, 0, &sense), 0);
	KUNIT_EXPECT_EQ(test, st.ua, BIT(VDEV_SCSI_UA_POWER_ON));
}

/* REPORT LUNS has the caller drop REPORTED LUNS DATA HAS CHANGED. */
static void vdev_scsi_ua_clear_test(struct kunit *test)
{
	struct vdev_scsi_lun_state st = {};
	struct vdev_scsi_sense sense;

	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_LUNS);
	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_MODE);
	vdev_scsi_ua_clear(&st, VDEV_SCSI_UA_LUNS);
	vdev_scsi_ua_clear(&st, VDEV_SCSI_UA_CAPACITY);	/* not pending */
	KUNIT_EXPECT_EQ(test, vdev_st_ua_check(&st, READ_10, &sense), -EINVAL);
	vdev_st_expect_sense(test, &sense, UNIT_ATTENTION, 0x2a01);
	KUNIT_EXPECT_EQ(test, vdev_st_ua_check(&st, READ_10, &sense), 0);
}

static u32 vdev_st_request_sense(struct kunit *test, int lun,
				 struct vdev_scsi_lun_state *st, u8 desc,
				 u8 alloc, u8 *buf, struct vdev_scsi_cmd *cmd)
{
	const u8 cdb[VDEV_SCSI_CDB_MAX] = { REQUEST_SENSE, desc, 0, 0, alloc };
	struct vdev_scsi_sense sense = {};

	KUNIT_ASSERT_EQ(test, vdev_scsi_ua_check(st, cdb, 6, &sense), 0);
	return vdev_st_emulate(test, lun, st, cdb, alloc, buf, cmd);
}

static void vdev_scsi_request_sense_fixed_test(struct kunit *test)
{
	static const u8 reset[18] = {
		0x70, 0, UNIT_ATTENTION, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x29, 0x00,
	};
	static const u8 capacity[18] = {
		0x70, 0, UNIT_ATTENTION, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x2a, 0x09,
	};
	static const u8 nothing[18] = { 0x70, 0, NO_SENSE, 0, 0, 0, 0, 10 };
	struct vdev_scsi_lun_state st = {};
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);

	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_CAPACITY);
	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_POWER_ON);
	KUNIT_ASSERT_EQ(test, vdev_st_request_sense(test, L_BASE, &st, 0, 18,
						    buf, &cmd), 18);
	KUNIT_EXPECT_MEMEQ(test, buf, reset, 18);
	KUNIT_ASSERT_EQ(test, vdev_st_request_sense(test, L_BASE, &st, 0, 252,
						    buf, &cmd), 18);
	KUNIT_EXPECT_MEMEQ(test, buf, capacity, 18);
	KUNIT_EXPECT_EQ(test, cmd.resid, 252 - 18);
	KUNIT_ASSERT_EQ(test, vdev_st_request_sense(test, L_BASE, &st, 0, 18,
						    buf, &cmd), 18);
	KUNIT_EXPECT_MEMEQ(test, buf, nothing, 18);
}

static void vdev_scsi_request_sense_desc_test(struct kunit *test)
{
	static const u8 mode[8] = { 0x72, UNIT_ATTENTION, 0x2a, 0x01 };
	static const u8 nothing[8] = { 0x72, NO_SENSE };
	struct vdev_scsi_lun_state st = {};
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);

	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_MODE);
	KUNIT_ASSERT_EQ(test, vdev_st_request_sense(test, L_BASE, &st, 1, 252,
						    buf, &cmd), 8);
	KUNIT_EXPECT_MEMEQ(test, buf, mode, 8);
	KUNIT_EXPECT_EQ(test, cmd.resid, 244);
	KUNIT_ASSERT_EQ(test, vdev_st_request_sense(test, L_BASE, &st, 1, 252,
						    buf, &cmd), 8);
	KUNIT_EXPECT_MEMEQ(test, buf, nothing, 8);
}

/* Cut or not sent at all, the condition is reported and so cleared. */
static void vdev_scsi_request_sense_cut_test(struct kunit *test)
{
	struct vdev_scsi_lun_state st = {};
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);

	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_LUNS);
	vdev_scsi_ua_set(&st, VDEV_SCSI_UA_POWER_ON);
	KUNIT_ASSERT_EQ(test, vdev_st_request_sense(test, L_BASE, &st, 0, 8,
						    buf, &cmd), 8);
	KUNIT_EXPECT_EQ(test, buf[0], 0x70);
	KUNIT_EXPECT_EQ(test, buf[2], UNIT_ATTENTION);
	KUNIT_EXPECT_EQ(test, buf[7], 10);
	KUNIT_EXPECT_EQ(test, st.ua, BIT(VDEV_SCSI_UA_LUNS));
	KUNIT_ASSERT_EQ(test, vdev_st_request_sense(test, L_BASE, &st, 0, 0,
						    buf, &cmd), 0);
	KUNIT_EXPECT_EQ(test, st.ua, 0);
}

/* No LUN: GOOD, with sense data that says so. */
static void vdev_scsi_request_sense_no_lun_test(struct kunit *test)
{
	static const u8 no_lun[18] = {
		0x70, 0, ILLEGAL_REQUEST, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x25, 0,
	};
	struct vdev_scsi_cmd cmd;
	u8 *buf = vdev_st_buf(test);

	KUNIT_ASSERT_EQ(test, vdev_st_request_sense(test, L_NONE, NULL, 0, 18,
						    buf, &cmd), 18);
	KUNIT_EXPECT_MEMEQ(test, buf, no_lun, 18);
}

/* --- sense data and I/O errors ------------------------------------------- */

static void vdev_scsi_sense_format_test(struct kunit *test)
{
	static const u8 fixed[18] = {
		0x70, 0, MEDIUM_ERROR, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x11, 0x04,
	};
	static const u8 desc[8] = { 0x72, MEDIUM_ERROR, 0x11, 0x04 };
	u8 buf[32];

	memset(buf, 0xa5, sizeof(buf));
	KUNIT_EXPECT_EQ(test, vdev_scsi_sense_fixed(buf, MEDIUM_ERROR, 0x11,
						    0x04), 18);
	KUNIT_EXPECT_MEMEQ(test, buf, fixed, 18);
	KUNIT_EXPECT_EQ(test, buf[18], 0xa5);
	memset(buf, 0xa5, sizeof(buf));
	KUNIT_EXPECT_EQ(test, vdev_scsi_sense_desc(buf, MEDIUM_ERROR, 0x11,
						   0x04), 8);
	KUNIT_EXPECT_MEMEQ(test, buf, desc, 8);
	KUNIT_EXPECT_EQ(test, buf[8], 0xa5);
}

struct vdev_st_io_error_case {
	const char *desc;
	struct vdev_st_cdb cdb;
	blk_status_t status;
	u8 key;
	u16 code;
};

static const struct vdev_st_io_error_case vdev_st_io_error_cases[] = {
	{ "read I/O error", { { READ_10, 0, 0, 0, 0, 0, 0, 0, 1 } },
	  BLK_STS_IOERR, MEDIUM_ERROR, READ_ERR },
	{ "read medium error", { { READ_16, [13] = 1 } }, BLK_STS_MEDIUM,
	  MEDIUM_ERROR, READ_ERR },
	{ "verify error", { { VERIFY, 0, 0, 0, 0, 0, 0, 0, 1 } }, BLK_STS_IOERR,
	  MEDIUM_ERROR, READ_ERR },
	{ "write I/O error", { { WRITE_10, 0, 0, 0, 0, 0, 0, 0, 1 } },
	  BLK_STS_IOERR, MEDIUM_ERROR, WRITE_ERR },
	{ "write out of space", { { WRITE_10, 0, 0, 0, 0, 0, 0, 0, 1 } },
	  BLK_STS_NOSPC, DATA_PROTECT, SPACE_ALLOC },
	{ "flush error", { { SYNCHRONIZE_CACHE } }, BLK_STS_IOERR, MEDIUM_ERROR,
	  WRITE_ERR },
	{ "write same unsupported",
	  { { WRITE_SAME, 0x08, 0, 0, 0, 0, 0, 0, 1 } }, BLK_STS_NOTSUPP,
	  ILLEGAL_REQUEST, INV_OPCODE },
	{ "unmap error", { { UNMAP, [8] = 24 } }, BLK_STS_TARGET, MEDIUM_ERROR,
	  WRITE_ERR },
	{ "unmap unsupported", { { UNMAP, [8] = 24 } }, BLK_STS_NOTSUPP,
	  ILLEGAL_REQUEST, INV_OPCODE },
};

static void vdev_st_io_error_desc(const struct vdev_st_io_error_case *c,
				  char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_st_io_error, vdev_st_io_error_cases,
		  vdev_st_io_error_desc);

static void vdev_scsi_io_error_test(struct kunit *test)
{
	const struct vdev_st_io_error_case *c = test->param_value;
	u8 cdb[VDEV_SCSI_CDB_MAX];
	struct vdev_scsi_cmd cmd;

	vdev_st_cdb(&c->cdb, cdb);
	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(&cmd, vdev_st_lun(L_BASE), cdb,
					      VDEV_SCSI_CDB_MAX), 0);
	vdev_scsi_io_error(&cmd, c->status);
	vdev_st_expect_sense(test, &cmd.sense, c->key, c->code);
}

static void vdev_scsi_miscompare_test(struct kunit *test)
{
	const u8 cdb[VDEV_SCSI_CDB_MAX] = { VERIFY, 0x02, [8] = 1 };
	struct vdev_scsi_cmd cmd;

	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(&cmd, vdev_st_lun(L_BASE), cdb,
					      VDEV_SCSI_CDB_MAX), 0);
	KUNIT_EXPECT_FALSE(test, cmd.sense.info_valid);
	vdev_scsi_miscompare(&cmd, 0x1234);
	vdev_st_expect_sense(test, &cmd.sense, MISCOMPARE, MISCOMP);
	KUNIT_EXPECT_TRUE(test, cmd.sense.info_valid);
	KUNIT_EXPECT_EQ(test, cmd.sense.info, 0x1234);
	/* A later failure of the same command says nothing of an offset. */
	vdev_scsi_io_error(&cmd, BLK_STS_IOERR);
	KUNIT_EXPECT_FALSE(test, cmd.sense.info_valid);
}

/* The INFORMATION field in fixed and descriptor format. */
static void vdev_scsi_sense_info_test(struct kunit *test)
{
	static const u8 fixed[18] = {
		0xf0, 0, MISCOMPARE, 0x12, 0x34, 0x56, 0x78, 10, 0, 0, 0, 0,
		0x1d, 0x00,
	};
	static const u8 desc[20] = {
		0x72, MISCOMPARE, 0x1d, 0x00, 0, 0, 0, 12,
		0x00, 0x0a, 0x80, 0, 0, 0, 0, 0x01, 0x23, 0x45, 0x67, 0x89,
	};
	u8 buf[40];
	u32 len;

	memset(buf, 0xa5, sizeof(buf));
	len = vdev_scsi_sense_fixed(buf, MISCOMPARE, 0x1d, 0);
	KUNIT_EXPECT_EQ(test, vdev_scsi_sense_info(buf, len, 0x12345678), 18);
	KUNIT_EXPECT_MEMEQ(test, buf, fixed, 18);
	KUNIT_EXPECT_EQ(test, buf[18], 0xa5);
	/* Too large for four bytes: not VALID, and the field left alone. */
	len = vdev_scsi_sense_fixed(buf, MISCOMPARE, 0x1d, 0);
	KUNIT_EXPECT_EQ(test, vdev_scsi_sense_info(buf, len, BIT_ULL(32)), 18);
	KUNIT_EXPECT_EQ(test, buf[0], 0x70);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(&buf[3]), 0);
	memset(buf, 0xa5, sizeof(buf));
	len = vdev_scsi_sense_desc(buf, MISCOMPARE, 0x1d, 0);
	KUNIT_EXPECT_EQ(test, vdev_scsi_sense_info(buf, len, 0x123456789ULL),
			VDEV_SCSI_SENSE_DESC_LEN + VDEV_SCSI_SENSE_INFO_LEN);
	KUNIT_EXPECT_MEMEQ(test, buf, desc, 20);
	KUNIT_EXPECT_EQ(test, buf[20], 0xa5);
}

/*
 * A compare of @len bytes of medium, @off bytes into the range, where the
 * bytes at @diff (and @diff2, when not 0) differ from what the VERIFY
 * expects (-1: none do).
 */
struct vdev_st_cmp_case {
	const char *desc;
	int lun;
	u8 bytchk;
	u32 len;
	u64 off;
	int diff;
	int diff2;
};

static const struct vdev_st_cmp_case vdev_st_cmp_cases[] = {
	{ "BYTCHK 1 equal", L_BASE, 1, 4096, 0, -1 },
	{ "BYTCHK 1 first byte", L_BASE, 1, 4096, 0, 0 },
	{ "BYTCHK 1 last byte, 256 KiB in", L_BASE, 1, 4096, SZ_256K, 4095 },
	{ "BYTCHK 1 two bytes: the first", L_BASE, 1, 4096, 512, 100, 3000 },
	{ "BYTCHK 1 one block", L_BASE, 1, 512, 0, 511 },
	{ "BYTCHK 3 equal, 8 blocks", L_BASE, 3, 4096, 0, -1 },
	{ "BYTCHK 3 first byte", L_BASE, 3, 4096, 0, 0 },
	{ "BYTCHK 3 third block", L_BASE, 3, 4096, 0, 2 * 512 + 17 },
	{ "BYTCHK 3 two bytes, last block: the first", L_BASE, 3, 4096, SZ_1M, 7 * 512,
	  7 * 512 + 1 },
	{ "BYTCHK 3 4 KiB blocks, last byte", L_BIG, 3, 8192, SZ_1M, 8191 },
	{ "BYTCHK 3 4 KiB blocks equal", L_BIG, 3, 8192, 0, -1 },
};

static void vdev_st_cmp_desc(const struct vdev_st_cmp_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_st_cmp, vdev_st_cmp_cases, vdev_st_cmp_desc);

static void vdev_scsi_verify_cmp_test(struct kunit *test)
{
	const struct vdev_st_cmp_case *c = test->param_value;
	const struct vdev_scsi_lun_info *info = vdev_st_lun(c->lun);
	u8 cdb[VDEV_SCSI_CDB_MAX] = { VERIFY_16, c->bytchk << 1, [13] = 1 };
	u32 lbs = info->block_size, i;
	struct vdev_scsi_cmd cmd;
	u8 *medium, *data;
	int ret;

	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(&cmd, info, cdb,
					      VDEV_SCSI_CDB_MAX), 0);
	medium = kunit_kmalloc(test, c->len, GFP_KERNEL);
	data = kunit_kmalloc(test, c->len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, medium);
	KUNIT_ASSERT_NOT_NULL(test, data);
	/* BYTCHK 3: each block of the medium repeats the one of data-out. */
	for (i = 0; i < c->len; i++) {
		data[i] = (c->bytchk == 3 ? i % lbs : i) * 7 + 3;
		medium[i] = data[c->bytchk == 3 ? i % lbs : i];
	}
	if (c->diff >= 0)
		medium[c->diff] ^= 0x40;
	if (c->diff2)
		medium[c->diff2] ^= 0x01;
	ret = vdev_scsi_verify_cmp(&cmd, info, medium, data, c->len, c->off);
	if (c->diff < 0) {
		KUNIT_EXPECT_EQ(test, ret, 0);
		KUNIT_EXPECT_EQ(test, cmd.sense.key, 0);
		KUNIT_EXPECT_FALSE(test, cmd.sense.info_valid);
		return;
	}
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	vdev_st_expect_sense(test, &cmd.sense, MISCOMPARE, MISCOMP);
	KUNIT_EXPECT_TRUE(test, cmd.sense.info_valid);
	KUNIT_EXPECT_EQ(test, cmd.sense.info, c->off + c->diff);
}

/* --- suites -------------------------------------------------------------- */

static struct kunit_case vdev_scsi_cdb_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_scsi_parse_test, vdev_st_parse_gen_params),
	KUNIT_CASE_PARAM(vdev_scsi_xfer_test, vdev_st_xfer_gen_params),
	{}
};

static struct kunit_suite vdev_scsi_cdb_test_suite = {
	.name = "vdev_scsi_cdb",
	.test_cases = vdev_scsi_cdb_test_cases,
};

static struct kunit_case vdev_scsi_data_test_cases[] = {
	KUNIT_CASE(vdev_scsi_inquiry_std_test),
	KUNIT_CASE(vdev_scsi_inquiry_cut_test),
	KUNIT_CASE(vdev_scsi_inquiry_no_lun_test),
	KUNIT_CASE(vdev_scsi_vpd_supported_test),
	KUNIT_CASE(vdev_scsi_vpd_serial_test),
	KUNIT_CASE(vdev_scsi_vpd_devid_test),
	KUNIT_CASE(vdev_scsi_vpd_limits_test),
	KUNIT_CASE(vdev_scsi_vpd_limits_desc_max_test),
	KUNIT_CASE(vdev_scsi_vpd_chars_test),
	KUNIT_CASE(vdev_scsi_vpd_provisioning_test),
	KUNIT_CASE(vdev_scsi_read_capacity_test),
	KUNIT_CASE(vdev_scsi_read_capacity16_test),
	KUNIT_CASE(vdev_scsi_report_luns_test),
	KUNIT_CASE(vdev_scsi_report_luns_many_test),
	{}
};

static struct kunit_suite vdev_scsi_data_test_suite = {
	.name = "vdev_scsi_data",
	.test_cases = vdev_scsi_data_test_cases,
};

static struct kunit_case vdev_scsi_mode_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_scsi_mode_sense_test, vdev_st_msense_gen_params),
	KUNIT_CASE(vdev_scsi_mode_sense_cut_test),
	KUNIT_CASE_PARAM(vdev_scsi_mode_select_test,
			 vdev_st_mselect_gen_params),
	KUNIT_CASE(vdev_scsi_mode_select_sense_test),
	{}
};

static struct kunit_suite vdev_scsi_mode_test_suite = {
	.name = "vdev_scsi_mode",
	.test_cases = vdev_scsi_mode_test_cases,
};

static struct kunit_case vdev_scsi_unmap_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_scsi_unmap_test, vdev_st_unmap_gen_params),
	KUNIT_CASE(vdev_scsi_unmap_full_test),
	{}
};

static struct kunit_suite vdev_scsi_unmap_test_suite = {
	.name = "vdev_scsi_unmap",
	.test_cases = vdev_scsi_unmap_test_cases,
};

static struct kunit_case vdev_scsi_sense_test_cases[] = {
	KUNIT_CASE(vdev_scsi_ua_priority_test),
	KUNIT_CASE(vdev_scsi_ua_pass_test),
	KUNIT_CASE(vdev_scsi_ua_clear_test),
	KUNIT_CASE(vdev_scsi_request_sense_fixed_test),
	KUNIT_CASE(vdev_scsi_request_sense_desc_test),
	KUNIT_CASE(vdev_scsi_request_sense_cut_test),
	KUNIT_CASE(vdev_scsi_request_sense_no_lun_test),
	KUNIT_CASE(vdev_scsi_sense_format_test),
	KUNIT_CASE_PARAM(vdev_scsi_io_error_test, vdev_st_io_error_gen_params),
	KUNIT_CASE(vdev_scsi_miscompare_test),
	KUNIT_CASE(vdev_scsi_sense_info_test),
	KUNIT_CASE_PARAM(vdev_scsi_verify_cmp_test, vdev_st_cmp_gen_params),
	{}
};

static struct kunit_suite vdev_scsi_sense_test_suite = {
	.name = "vdev_scsi_sense",
	.test_cases = vdev_scsi_sense_test_cases,
};

kunit_test_suites(&vdev_scsi_cdb_test_suite, &vdev_scsi_data_test_suite,
		  &vdev_scsi_mode_test_suite, &vdev_scsi_unmap_test_suite,
		  &vdev_scsi_sense_test_suite);
