// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the NVMe PCI function's configuration space and BAR0. Every
 * access goes through the same calls the vfio-user transport makes, with
 * little-endian byte buffers; expected values are literals read off the
 * specifications, not the implementation's constants, so that a changed
 * register cannot pass unnoticed. A refused access must leave the whole
 * state as it was: the cases compare it byte for byte.
 */
#include <kunit/test.h>
#include <linux/nvme.h>
#include <linux/pci_regs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "nvme_regs.h"

#define POISON		0xa5
#define QSIZE		1024
#define NVEC		17
/* CAP of a function with 1024-entry queues: MQES 3FFh, CQR, TO 64, NVM
 * command set, MPSMAX 4.
 */
#define CAP		0x00400020400103ffULL
/* CC as Linux writes it: NVM, 4 KiB pages, round robin, 64/16-byte SQ/CQ
 * entries.
 */
#define CC_LINUX	0x00460000
#define EN		0x1
#define SHN(n)		((n) << 14)
#define AQA_OK		0x001f001f

/* A function with @qsize-entry queues and @nvec vectors. */
static struct vdev_nvme_regs *vdev_regs_new(struct kunit *test, u32 qsize,
					    u32 nvec)
{
	struct vdev_nvme_regs_cfg cfg = { .queue_size = qsize,
					  .nr_vectors = nvec };
	struct vdev_nvme_regs *r = kunit_kmalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	memset(r, POISON, sizeof(*r));
	KUNIT_ASSERT_EQ(test, vdev_nvme_regs_init(r, &cfg), 0);
	return r;
}

static struct vdev_nvme_regs *vdev_regs_copy(struct kunit *test,
					     const struct vdev_nvme_regs *r)
{
	struct vdev_nvme_regs *c = kunit_kmalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	memcpy(c, r, sizeof(*r));
	return c;
}

static u64 vdev_bar_rd(struct kunit *test, const struct vdev_nvme_regs *r,
		       u64 off, u32 len)
{
	u8 buf[8];

	memset(buf, POISON, sizeof(buf));
	KUNIT_ASSERT_EQ_MSG(test, vdev_nvme_bar_read(r, off, buf, len), 0,
			    "read %u at %llx", len, off);
	return len == 8 ? get_unaligned_le64(buf) : get_unaligned_le32(buf);
}

static void vdev_bar_wr(struct kunit *test, struct vdev_nvme_regs *r, u64 off,
			u32 len, u64 val, struct vdev_nvme_reg_event *ev)
{
	u8 buf[8];

	put_unaligned_le64(val, buf);
	KUNIT_ASSERT_EQ_MSG(test, vdev_nvme_bar_write(r, off, buf, len, ev), 0,
			    "write %u at %llx", len, off);
}

static u32 vdev_cfg_rd(struct kunit *test, const struct vdev_nvme_regs *r,
		       u64 off, u32 len)
{
	u8 buf[4] = {};

	KUNIT_ASSERT_EQ_MSG(test, vdev_nvme_cfg_read(r, off, buf, len), 0,
			    "config read %u at %llx", len, off);
	return get_unaligned_le32(buf);
}

static void vdev_cfg_wr(struct kunit *test, struct vdev_nvme_regs *r, u64 off,
			u32 len, u32 val, struct vdev_nvme_reg_event *ev)
{
	u8 buf[4];

	put_unaligned_le32(val, buf);
	KUNIT_ASSERT_EQ_MSG(test, vdev_nvme_cfg_write(r, off, buf, len, ev), 0,
			    "config write %u at %llx", len, off);
}

/* --- init ----------------------------------------------------------------- */

/**
 * struct vdev_regs_init_case - a configuration and whether it is taken
 * @desc: the case's name
 * @cfg: the configuration
 * @err: vdev_nvme_regs_init()'s return
 */
struct vdev_regs_init_case {
	const char *desc;
	struct vdev_nvme_regs_cfg cfg;
	int err;
};

static const struct vdev_regs_init_case vdev_regs_init_cases[] = {
	{ "smallest", { 2, 1 } },
	{ "largest", { 65536, 65 } },
	{ "queue size 0", { 0, 1 }, -EINVAL },
	{ "queue size 1: MQES 0 is invalid", { 1, 1 }, -EINVAL },
	{ "queue size 65537", { 65537, 1 }, -EINVAL },
	{ "queue size U32_MAX", { U32_MAX, 1 }, -EINVAL },
	{ "no vector", { 64, 0 }, -EINVAL },
	{ "66 vectors", { 64, 66 }, -EINVAL },
	{ "U32_MAX vectors", { 64, U32_MAX }, -EINVAL },
};

static void vdev_regs_init_test(struct kunit *test)
{
	const struct vdev_regs_init_case *c = test->param_value;
	struct vdev_nvme_regs *r = kunit_kmalloc(test, sizeof(*r), GFP_KERNEL);
	struct vdev_nvme_regs *before;

	KUNIT_ASSERT_NOT_NULL(test, r);
	memset(r, POISON, sizeof(*r));
	before = vdev_regs_copy(test, r);
	KUNIT_ASSERT_EQ(test, vdev_nvme_regs_init(r, &c->cfg), c->err);
	if (c->err) {
		KUNIT_EXPECT_MEMEQ(test, r, before, sizeof(*r));
		return;
	}
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, NVME_REG_CAP, 4) & 0xffff,
			c->cfg.queue_size - 1);
	KUNIT_EXPECT_EQ(test, vdev_cfg_rd(test, r, 0x52, 2),
			c->cfg.nr_vectors - 1);
}

/* --- reset values ---------------------------------------------------------- */

/**
 * struct vdev_regs_val_case - an offset and the value it reads
 * @desc: the case's name
 * @off: the offset
 * @len: bytes read
 * @val: what they read
 */
struct vdev_regs_val_case {
	const char *desc;
	u64 off;
	u32 len;
	u64 val;
};

static const struct vdev_regs_val_case vdev_regs_bar_reset_cases[] = {
	{ "CAP", 0x00, 8, CAP },
	{ "CAP low half", 0x00, 4, 0x400103ff },
	{ "CAP high half", 0x04, 4, 0x00400020 },
	{ "VS 1.4.0", 0x08, 4, 0x00010400 },
	{ "INTMS", 0x0c, 4, 0 },
	{ "INTMC", 0x10, 4, 0 },
	{ "reserved 18h", 0x18, 4, 0 },
	{ "CC", 0x14, 4, 0 },
	{ "CSTS", 0x1c, 4, 0 },
	{ "NSSR", 0x20, 4, 0 },
	{ "AQA", 0x24, 4, 0 },
	{ "ASQ", 0x28, 8, 0 },
	{ "ASQ high half", 0x2c, 4, 0 },
	{ "ACQ", 0x30, 8, 0 },
	{ "ACQ low half", 0x30, 4, 0 },
	{ "CMBLOC", 0x38, 4, 0 },
	{ "CMBSZ", 0x3c, 4, 0 },
	{ "CRTO", 0x68, 4, 0 },
	{ "PMRCAP", 0xe00, 4, 0 },
	{ "last register dword", 0xffc, 4, 0 },
	{ "SQ 0 tail doorbell", 0x1000, 4, 0 },
	{ "CQ 64 head doorbell", 0x1204, 4, 0 },
	{ "last doorbell dword", 0x1ffc, 4, 0 },
	{ "vector 0 address", 0x2000, 8, 0 },
	{ "vector 0 data", 0x2008, 4, 0 },
	{ "vector 0 masked", 0x200c, 4, 1 },
	{ "vector 16 data and control", 0x2108, 8, 0x100000000ULL },
	{ "vector 17 is past the table", 0x211c, 4, 0 },
	{ "last table page dword", 0x2ffc, 4, 0 },
	{ "PBA", 0x3000, 8, 0 },
	{ "last PBA page qword", 0x3ff8, 8, 0 },
};

static void vdev_regs_bar_reset_test(struct kunit *test)
{
	const struct vdev_regs_val_case *c = test->param_value;
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	u8 buf[8];

	memset(buf, POISON, sizeof(buf));
	KUNIT_ASSERT_EQ(test, vdev_nvme_bar_read(r, c->off, buf, c->len), 0);
	if (c->len == 8) {
		KUNIT_EXPECT_EQ(test, get_unaligned_le64(buf), c->val);
	} else {
		KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf), c->val);
		KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf + 4),
				0xa5a5a5a5);
	}
}

static const struct vdev_regs_val_case vdev_regs_cfg_reset_cases[] = {
	{ "vendor 0000h, device 0001h", 0x00, 4, 0x00010000 },
	{ "device id as a word", 0x02, 2, 0x0001 },
	{ "command", 0x04, 2, 0 },
	{ "status: capability list", 0x06, 2, 0x0010 },
	{ "class 010802h, revision 0", 0x08, 4, 0x01080200 },
	{ "programming interface byte", 0x09, 1, 0x02 },
	{ "class as a word", 0x0a, 2, 0x0108 },
	{ "cache line, latency, header type 0, BIST", 0x0c, 4, 0 },
	{ "BAR0: 64-bit memory", 0x10, 4, 0x00000004 },
	{ "BAR1", 0x14, 4, 0 },
	{ "BAR2", 0x18, 4, 0 },
	{ "BAR5", 0x24, 4, 0 },
	{ "CardBus CIS", 0x28, 4, 0 },
	{ "subsystem vendor 0000h, id 0001h", 0x2c, 4, 0x00010000 },
	{ "no expansion ROM", 0x30, 4, 0 },
	{ "capabilities at 40h", 0x34, 4, 0x40 },
	{ "reserved 38h", 0x38, 4, 0 },
	{ "interrupt line 0, pin 0 (no INTx)", 0x3c, 4, 0 },
	{ "PM: id, next 50h, PMC version 3", 0x40, 4, 0x00035001 },
	{ "PMCSR: D0, No_Soft_Reset", 0x44, 4, 0x00000008 },
	{ "MSI-X: id, next 60h, 17 vectors", 0x50, 4, 0x00106011 },
	{ "MSI-X table: BIR 0 at 2000h", 0x54, 4, 0x00002000 },
	{ "MSI-X PBA: BIR 0 at 3000h", 0x58, 4, 0x00003000 },
	{ "reserved 5Ch", 0x5c, 4, 0 },
	{ "PCIe: id, last, version 2 endpoint", 0x60, 4, 0x00020010 },
	{ "Device Capabilities: RBER, no FLR", 0x64, 4, 0x00008000 },
	{ "Device Control and Status", 0x68, 4, 0x00002810 },
	{ "Link Capabilities: x1 2.5 GT/s", 0x6c, 4, 0x00000011 },
	{ "Link Control and Status", 0x70, 4, 0x00110000 },
	{ "Slot Capabilities", 0x74, 4, 0 },
	{ "Root Control", 0x7c, 4, 0 },
	{ "Device Capabilities 2", 0x84, 4, 0 },
	{ "Device Control 2", 0x88, 4, 0 },
	{ "Link Capabilities 2: 2.5 GT/s", 0x8c, 4, 0x00000002 },
	{ "Link Control 2 and Status 2", 0x90, 4, 0x00000001 },
	{ "past the capabilities", 0x94, 4, 0 },
	{ "last standard dword", 0xfc, 4, 0 },
	{ "no extended capability", 0x100, 4, 0 },
	{ "last byte", 0xfff, 1, 0 },
};

static void vdev_regs_cfg_reset_test(struct kunit *test)
{
	const struct vdev_regs_val_case *c = test->param_value;
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);

	KUNIT_EXPECT_EQ(test, vdev_cfg_rd(test, r, c->off, c->len), c->val);
}

/* One read of the whole space: what a client does when it sets up. */
static void vdev_regs_cfg_whole_test(struct kunit *test)
{
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	u8 *buf = kunit_kmalloc(test, VDEV_NVME_CFG_SIZE, GFP_KERNEL);
	u32 off;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, POISON, VDEV_NVME_CFG_SIZE);
	KUNIT_ASSERT_EQ(test, vdev_nvme_cfg_read(r, 0, buf, VDEV_NVME_CFG_SIZE),
			0);
	for (off = 0; off < PCI_CFG_SPACE_SIZE; off += 4)
		KUNIT_EXPECT_EQ_MSG(test, get_unaligned_le32(buf + off),
				    vdev_cfg_rd(test, r, off, 4), "at %x", off);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf + PCI_CFG_SPACE_SIZE, 0,
					     VDEV_NVME_CFG_SIZE -
					     PCI_CFG_SPACE_SIZE), NULL);
	/* From the middle of the header into the extended space. */
	memset(buf, POISON, 16);
	KUNIT_ASSERT_EQ(test, vdev_nvme_cfg_read(r, 0xf8, buf, 16), 0);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf, 0, 16), NULL);
}

/* --- access rules ---------------------------------------------------------- */

/**
 * struct vdev_regs_access_case - an access and whether it is taken
 * @desc: the case's name
 * @off: the offset
 * @len: its size
 * @bad: BAD_RD: a read is refused; BAD_WR: a write is
 */
struct vdev_regs_access_case {
	const char *desc;
	u64 off;
	u32 len;
	u8 bad;
};

#define BAD_RD		BIT(0)
#define BAD_WR		BIT(1)
#define BAD		(BAD_RD | BAD_WR)

static const struct vdev_regs_access_case vdev_regs_bar_access_cases[] = {
	{ "CAP, 8 bytes", 0x00, 8 },
	{ "CAP high half", 0x04, 4 },
	{ "CC", 0x14, 4 },
	{ "ASQ, 8 bytes", 0x28, 8 },
	{ "ACQ, 8 bytes", 0x30, 8 },
	{ "ACQ high half", 0x34, 4 },
	{ "reserved, 4 bytes", 0x800, 4 },
	{ "CAP across the halves", 0x04, 8, BAD },
	{ "VS and INTMS as 8 bytes", 0x08, 8, BAD },
	{ "reserved and CSTS as 8 bytes", 0x18, 8, BAD },
	{ "NSSR and AQA as 8 bytes", 0x20, 8, BAD },
	{ "CMBLOC and CMBSZ as 8 bytes", 0x38, 8, BAD },
	{ "reserved as 8 bytes", 0x800, 8, BAD },
	{ "0 bytes", 0x14, 0, BAD },
	{ "1 byte", 0x14, 1, BAD },
	{ "2 bytes", 0x14, 2, BAD },
	{ "3 bytes", 0x14, 3, BAD },
	{ "16 bytes", 0x00, 16, BAD },
	{ "U32_MAX bytes", 0x00, U32_MAX, BAD },
	{ "misaligned by 1", 0x15, 4, BAD },
	{ "misaligned by 2", 0x16, 4, BAD },
	{ "ASQ misaligned 8 bytes", 0x2c, 8, BAD },
	{ "last register dword", 0xffc, 4 },
	{ "last register dword and first doorbell", 0xffc, 8, BAD },
	{ "doorbell", 0x1004, 4 },
	{ "doorbell pair as 8 bytes", 0x1000, 8, BAD },
	{ "misaligned doorbell", 0x1002, 4, BAD },
	{ "last doorbell", 0x1ffc, 4 },
	{ "last doorbell into the table", 0x1ffc, 8, BAD },
	{ "MSI-X address pair", 0x2000, 8 },
	{ "MSI-X data and control", 0x2008, 8 },
	{ "MSI-X dword", 0x2004, 4 },
	{ "MSI-X misaligned qword", 0x2004, 8, BAD },
	{ "MSI-X 2 bytes", 0x200c, 2, BAD },
	{ "PBA qword", 0x3000, 8 },
	{ "PBA dword", 0x3004, 4 },
	{ "PBA byte", 0x3000, 1, BAD },
	{ "last PBA dword", 0x3ffc, 4 },
	{ "last PBA dword as 8 bytes", 0x3ffc, 8, BAD },
	{ "end of BAR0", 0x4000, 4, BAD },
	{ "end of BAR0, 8 bytes", 0x4000, 8, BAD },
	{ "CAP plus 4 GiB", 0x100000000ULL, 4, BAD },
	{ "CC plus 4 GiB", 0x100000014ULL, 4, BAD },
	{ "doorbell plus 4 GiB", 0x100001000ULL, 4, BAD },
	{ "2^63", 0x8000000000000000ULL, 8, BAD },
	{ "U64_MAX - 7, 8 bytes", U64_MAX - 7, 8, BAD },
	{ "U64_MAX - 3, 4 bytes", U64_MAX - 3, 4, BAD },
	{ "U64_MAX", U64_MAX, 4, BAD },
};

/* A refused access changes nothing: not the state, not the buffer. */
static void vdev_regs_bar_access_test(struct kunit *test)
{
	const struct vdev_regs_access_case *c = test->param_value;
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	struct vdev_nvme_regs *before;
	struct vdev_nvme_reg_event ev = { .type = POISON };
	u8 buf[16];

	/* An admin queue set up: a write that got through would show. */
	vdev_bar_wr(test, r, NVME_REG_AQA, 4, AQA_OK, &ev);
	vdev_bar_wr(test, r, NVME_REG_ASQ, 8, 0x10000, &ev);
	vdev_bar_wr(test, r, NVME_REG_ACQ, 8, 0x20000, &ev);
	before = vdev_regs_copy(test, r);

	memset(buf, POISON, sizeof(buf));
	KUNIT_EXPECT_EQ(test, vdev_nvme_bar_read(r, c->off, buf, c->len),
			c->bad & BAD_RD ? -EINVAL : 0);
	if (c->bad & BAD_RD)
		KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf, POISON, sizeof(buf)),
				    NULL);

	memset(buf, 0xff, sizeof(buf));
	ev.type = POISON;
	KUNIT_EXPECT_EQ(test, vdev_nvme_bar_write(r, c->off, buf, c->len, &ev),
			c->bad & BAD_WR ? -EINVAL : 0);
	if (c->bad & BAD_WR) {
		KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_NONE);
		KUNIT_EXPECT_MEMEQ(test, r, before, sizeof(*r));
	}
}

static const struct vdev_regs_access_case vdev_regs_cfg_access_cases[] = {
	{ "a dword", 0x04, 4 },
	{ "a word", 0x06, 2 },
	{ "a byte", 0x3c, 1 },
	{ "a word at byte 1", 0x05, 2 },
	{ "3 bytes at byte 1", 0x11, 3 },
	{ "last standard dword", 0xfc, 4 },
	{ "extended space", 0x100, 4 },
	{ "last dword", 0xffc, 4 },
	{ "last byte", 0xfff, 1 },
	{ "the whole space", 0x000, 4096, BAD_WR },
	{ "two dwords", 0x10, 8, BAD_WR },
	{ "a word across dwords", 0x07, 2, BAD_WR },
	{ "a dword across dwords", 0x12, 4, BAD_WR },
	{ "5 bytes", 0x10, 5, BAD_WR },
	{ "0 bytes", 0x04, 0, BAD },
	{ "past the end by 1", 0xffd, 4, BAD },
	{ "the whole space plus 1", 0x000, 4097, BAD },
	{ "at the end", 0x1000, 1, BAD },
	{ "U32_MAX bytes", 0x000, U32_MAX, BAD },
	{ "command plus 4 GiB", 0x100000004ULL, 2, BAD },
	{ "U64_MAX - 4095, 4096 bytes", U64_MAX - 4095, 4096, BAD },
	{ "U64_MAX - 3, 4 bytes", U64_MAX - 3, 4, BAD },
	{ "U64_MAX", U64_MAX, 1, BAD },
};

static void vdev_regs_cfg_access_test(struct kunit *test)
{
	const struct vdev_regs_access_case *c = test->param_value;
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	struct vdev_nvme_regs *before = vdev_regs_copy(test, r);
	struct vdev_nvme_reg_event ev;
	u8 *buf = kunit_kmalloc(test, 8192, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, POISON, 8192);
	KUNIT_EXPECT_EQ(test, vdev_nvme_cfg_read(r, c->off, buf, c->len),
			c->bad & BAD_RD ? -EINVAL : 0);
	if (c->bad & BAD_RD)
		KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf, POISON, 8192), NULL);

	memset(buf, 0xff, 8192);
	ev.type = POISON;
	KUNIT_EXPECT_EQ(test, vdev_nvme_cfg_write(r, c->off, buf, c->len, &ev),
			c->bad & BAD_WR ? -EINVAL : 0);
	if (c->bad & BAD_WR) {
		KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_NONE);
		KUNIT_EXPECT_MEMEQ(test, r, before, sizeof(*r));
	}
}

/* --- read-only and writable bits ------------------------------------------- */

/**
 * struct vdev_regs_wr_case - a write and what the same place reads after
 * @desc: the case's name
 * @off: the offset
 * @len: its size
 * @val: the value written
 * @want: what reading @len bytes at @off returns then
 */
struct vdev_regs_wr_case {
	const char *desc;
	u64 off;
	u32 len;
	u64 val;
	u64 want;
};

#define ONES		0xffffffffffffffffULL

static const struct vdev_regs_wr_case vdev_regs_bar_wr_cases[] = {
	{ "CAP", 0x00, 8, 0, CAP },
	{ "CAP low half", 0x00, 4, 0, 0x400103ff },
	{ "CAP high half", 0x04, 4, 0, 0x00400020 },
	{ "VS", 0x08, 4, 0, 0x00010400 },
	{ "INTMS sets", 0x0c, 4, 0x5, 0x5 },
	{ "INTMC clears nothing set", 0x10, 4, ONES, 0 },
	{ "CC reserved bits", 0x14, 4, 0xfffffffe, 0x00fffff0 },
	{ "CSTS", 0x1c, 4, ONES, 0 },
	{ "NSSR", 0x20, 4, 0x4e564d65, 0 },
	{ "AQA reserved bits", 0x24, 4, ONES, 0x0fff0fff },
	{ "ASQ: low 12 bits cleared", 0x28, 8, ONES, 0xfffffffffffff000ULL },
	{ "ASQ low half", 0x28, 4, 0x12345678, 0x12345000 },
	{ "ASQ high half", 0x2c, 4, ONES, 0xffffffff },
	{ "ACQ: low 12 bits cleared", 0x30, 8, 0x123456789abcdefULL,
	  0x0123456789abc000ULL },
	{ "ACQ low half", 0x30, 4, 0xfff, 0 },
	{ "CMBLOC", 0x38, 4, ONES, 0 },
	{ "CMBMSC", 0x50, 4, ONES, 0 },
	{ "reserved", 0x800, 4, ONES, 0 },
	{ "last register dword", 0xffc, 4, ONES, 0 },
	{ "doorbell", 0x1000, 4, ONES, 0 },
	{ "MSI-X address: dword aligned", 0x2000, 4, ONES, 0xfffffffc },
	{ "MSI-X upper address", 0x2004, 4, ONES, 0xffffffff },
	{ "MSI-X address pair", 0x2010, 8, 0x00000001fee01003ULL,
	  0x00000001fee01000ULL },
	{ "MSI-X data", 0x2008, 4, ONES, 0xffffffff },
	{ "MSI-X control: mask bit only", 0x200c, 4, ONES, 1 },
	{ "MSI-X unmask", 0x200c, 4, 0, 0 },
	{ "MSI-X data and control", 0x2108, 8, 0xfffffffe00004021ULL,
	  0x0000000000004021ULL },
	{ "MSI-X past the vectors", 0x2110, 8, ONES, 0 },
	{ "MSI-X last table dword", 0x2ffc, 4, ONES, 0 },
	{ "PBA", 0x3000, 8, ONES, 0 },
	{ "PBA last dword", 0x3ffc, 4, ONES, 0 },
};

static void vdev_regs_bar_wr_test(struct kunit *test)
{
	const struct vdev_regs_wr_case *c = test->param_value;
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	struct vdev_nvme_reg_event ev;

	vdev_bar_wr(test, r, c->off, c->len, c->val, &ev);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, c->off, c->len), c->want);
	/* Only doorbells and live MSI-X entries report here. */
	KUNIT_EXPECT_EQ(test, ev.type, c->off >= 0x2000 && c->off < 0x2110 ?
			VDEV_NVME_REG_MSIX_ENTRY : c->off == 0x1000 ?
			VDEV_NVME_REG_DOORBELL : VDEV_NVME_REG_NONE);
}

static const struct vdev_regs_wr_case vdev_regs_cfg_wr_cases[] = {
	{ "vendor id", 0x00, 2, 0xffff, 0x0000 },
	{ "device id", 0x02, 2, 0xffff, 0x0001 },
	{ "command: writable bits", 0x04, 2, 0xffff, 0x0546 },
	{ "command high byte", 0x05, 1, 0xff, 0x05 },
	{ "status: nothing to clear", 0x06, 2, 0xffff, 0x0010 },
	{ "command and status", 0x04, 4, 0xffffffff, 0x00100546 },
	{ "revision", 0x08, 1, 0xff, 0 },
	{ "class", 0x08, 4, 0xffffffff, 0x01080200 },
	{ "cache line size", 0x0c, 1, 0x10, 0x10 },
	{ "latency timer: 0 in PCIe", 0x0d, 1, 0xff, 0 },
	{ "header type", 0x0e, 1, 0xff, 0 },
	{ "BIST", 0x0f, 1, 0xff, 0 },
	{ "BAR0 sizing", 0x10, 4, 0xffffffff, 0xffffc004 },
	{ "BAR0 address", 0x10, 4, 0xfebf1234, 0xfebf0004 },
	{ "BAR0 byte 1: below 16 KiB", 0x11, 1, 0xff, 0xc0 },
	{ "BAR0 flags word", 0x10, 2, 0xffff, 0xc004 },
	{ "BAR1 sizing", 0x14, 4, 0xffffffff, 0xffffffff },
	{ "BAR2", 0x18, 4, 0xffffffff, 0 },
	{ "BAR3", 0x1c, 4, 0xffffffff, 0 },
	{ "BAR4", 0x20, 4, 0xffffffff, 0 },
	{ "BAR5", 0x24, 4, 0xffffffff, 0 },
	{ "CardBus CIS", 0x28, 4, 0xffffffff, 0 },
	{ "subsystem ids", 0x2c, 4, 0xffffffff, 0x00010000 },
	{ "ROM BAR sizing: no ROM", 0x30, 4, 0xffffffff, 0 },
	{ "capabilities pointer", 0x34, 1, 0xff, 0x40 },
	{ "interrupt line", 0x3c, 1, 0x0b, 0x0b },
	{ "interrupt pin", 0x3d, 1, 0x01, 0 },
	{ "PM header", 0x40, 4, 0xffffffff, 0x00035001 },
	{ "PMCSR D3hot", 0x44, 2, 0x0003, 0x000b },
	{ "PMCSR D1 refused", 0x44, 2, 0x0001, 0x0008 },
	{ "PMCSR D2 refused", 0x44, 2, 0x0002, 0x0008 },
	{ "PMCSR all ones: D3hot, no PME", 0x44, 4, 0xffffffff, 0x0000000b },
	{ "MSI-X header and control", 0x50, 4, 0xffffffff, 0xc0106011 },
	{ "MSI-X table size", 0x52, 2, 0x07ff, 0x0010 },
	{ "MSI-X enable byte", 0x53, 1, 0x80, 0x80 },
	{ "MSI-X table offset", 0x54, 4, 0xffffffff, 0x00002000 },
	{ "MSI-X PBA offset", 0x58, 4, 0xffffffff, 0x00003000 },
	{ "PCIe header and flags", 0x60, 4, 0xffffffff, 0x00020010 },
	{ "Device Capabilities", 0x64, 4, 0xffffffff, 0x00008000 },
	{ "Device Control: no FLR, ext tag, phantom, aux", 0x68, 2, 0xffff,
	  0x78ff },
	{ "Device Control cleared", 0x68, 2, 0, 0 },
	{ "Device Status: nothing to clear", 0x6a, 2, 0xffff, 0 },
	{ "Link Capabilities", 0x6c, 4, 0xffffffff, 0x00000011 },
	{ "Link Control", 0x70, 2, 0xffff, 0 },
	{ "Link Status", 0x72, 2, 0xffff, 0x0011 },
	{ "Device Control 2", 0x88, 4, 0xffffffff, 0 },
	{ "Link Capabilities 2", 0x8c, 4, 0xffffffff, 0x00000002 },
	{ "Link Control 2", 0x90, 4, 0xffffffff, 0x00000001 },
	{ "last standard dword", 0xfc, 4, 0xffffffff, 0 },
	{ "extended header", 0x100, 4, 0xffffffff, 0 },
	{ "last byte", 0xfff, 1, 0xff, 0 },
};

static void vdev_regs_cfg_wr_test(struct kunit *test)
{
	const struct vdev_regs_wr_case *c = test->param_value;
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	struct vdev_nvme_reg_event ev;

	vdev_cfg_wr(test, r, c->off, c->len, c->val, &ev);
	KUNIT_EXPECT_EQ(test, vdev_cfg_rd(test, r, c->off, c->len), c->want);
}

/* --- sequences: CC transitions, setters and config events ------------------- */

enum vdev_regs_op {
	OP_END,
	OP_WR,		/* BAR0 write, then the event is checked */
	OP_RD,		/* BAR0 read */
	OP_CFG_WR,	/* config write, then the event is checked */
	OP_READY,
	OP_RESET_DONE,
	OP_SHN_BUSY,
	OP_SHN_DONE,
	OP_FATAL,
	OP_AQ,		/* AQA @val, ASQ 10000h, ACQ 20000h */
	OP_UP,		/* enabled and ready, as Linux gets there */
	OP_REFUSED,	/* enable with CC @val: CFS, no RDY, no event */
};

/**
 * struct vdev_regs_step - one step of a sequence
 * @op: what to do
 * @off: the offset
 * @len: the access size
 * @val: the value written or expected
 * @ev: the event a write must report
 * @ev_val: the event's value
 */
struct vdev_regs_step {
	enum vdev_regs_op op;
	u64 off;
	u32 len;
	u64 val;
	enum vdev_nvme_reg_event_type ev;
	u32 ev_val;
};

#define STEPS_MAX	16

/**
 * struct vdev_regs_seq_case - a sequence of steps from power-on
 * @desc: the case's name
 * @steps: the steps, up to an OP_END
 */
struct vdev_regs_seq_case {
	const char *desc;
	struct vdev_regs_step steps[STEPS_MAX];
};

#define WR(o, l, v, e, x)	{ OP_WR, o, l, v, VDEV_NVME_REG_##e, x }
#define W(o, v, e)		WR(o, 4, v, e, 0)
#define RD(o, l, v)		{ OP_RD, o, l, v }
#define R(o, v)			RD(o, 4, v)
#define CW(o, l, v, e, x)	{ OP_CFG_WR, o, l, v, VDEV_NVME_REG_##e, x }
#define DO(op)			{ OP_##op }
#define CC			NVME_REG_CC
#define CSTS			NVME_REG_CSTS
#define AQ(aqa)			{ OP_AQ, 0, 0, aqa }
#define UP			{ OP_UP }
#define REFUSED(cc)		{ OP_REFUSED, 0, 0, cc }

static const struct vdev_regs_seq_case vdev_regs_seq_cases[] = {
	{ "enable as Linux does", { AQ(AQA_OK), W(CC, CC_LINUX, NONE),
	  R(CSTS, 0), W(CC, CC_LINUX | EN, ENABLE), R(CC, CC_LINUX | EN),
	  R(CSTS, 0), DO(READY), R(CSTS, 1) } },
	{ "enable with queues of MQES + 1 entries", { AQ(0x03ff03ff),
	  W(CC, CC_LINUX | EN, ENABLE) } },
	{ "enable with 2-entry queues", { AQ(0x00010001),
	  W(CC, CC_LINUX | EN, ENABLE) } },
	{ "enable with 64 KiB pages", { AQ(AQA_OK),
	  W(CC, CC_LINUX | 4 << 7 | EN, ENABLE) } },
	{ "enable with queues above 4 GiB", { W(NVME_REG_AQA, AQA_OK, NONE),
	  W(NVME_REG_ASQ + 4, 1, NONE), W(NVME_REG_ACQ + 4, 2, NONE),
	  W(CC, CC_LINUX | EN, ENABLE), RD(NVME_REG_ASQ, 8, 0x100000000ULL) } },
	{ "enable with any IOSQES and IOCQES", { AQ(AQA_OK),
	  W(CC, 0x00ff0000 | EN, ENABLE), R(CC, 0x00ff0001) } },
	{ "enable drops SHN", { AQ(AQA_OK),
	  W(CC, CC_LINUX | SHN(1) | EN, ENABLE), R(CC, CC_LINUX | EN) } },
	{ "no admin queue at all", { REFUSED(CC_LINUX) } },
	{ "ASQS 0", { AQ(0x001f0000), REFUSED(CC_LINUX) } },
	{ "ACQS 0", { AQ(0x0000001f), REFUSED(CC_LINUX) } },
	{ "ASQS above MQES", { AQ(0x001f0400), REFUSED(CC_LINUX) } },
	{ "ACQS above MQES", { AQ(0x0400001f), REFUSED(CC_LINUX) } },
	{ "ASQ 0", { W(NVME_REG_AQA, AQA_OK, NONE),
	  WR(NVME_REG_ACQ, 8, 0x20000, NONE, 0), REFUSED(CC_LINUX) } },
	{ "ACQ 0", { W(NVME_REG_AQA, AQA_OK, NONE),
	  WR(NVME_REG_ASQ, 8, 0x10000, NONE, 0), REFUSED(CC_LINUX) } },
	{ "ASQ only reserved bits", { W(NVME_REG_AQA, AQA_OK, NONE),
	  WR(NVME_REG_ASQ, 8, 0xfff, NONE, 0),
	  WR(NVME_REG_ACQ, 8, 0x20000, NONE, 0), REFUSED(CC_LINUX) } },
	{ "CSS 001b", { AQ(AQA_OK), REFUSED(CC_LINUX | 1 << 4) } },
	{ "CSS 110b (I/O command sets)", { AQ(AQA_OK),
	  REFUSED(CC_LINUX | 6 << 4) } },
	{ "CSS 111b (admin only)", { AQ(AQA_OK), REFUSED(CC_LINUX | 7 << 4) } },
	{ "MPS 5 (128 KiB)", { AQ(AQA_OK), REFUSED(CC_LINUX | 5 << 7) } },
	{ "MPS 15", { AQ(AQA_OK), REFUSED(CC_LINUX | 15 << 7) } },
	{ "AMS weighted round robin", { AQ(AQA_OK),
	  REFUSED(CC_LINUX | 1 << 11) } },
	{ "AMS vendor specific", { AQ(AQA_OK), REFUSED(CC_LINUX | 7 << 11) } },
	{ "refused enable, then disable and reset", { REFUSED(CC_LINUX),
	  W(CC, CC_LINUX, RESET), R(CSTS, 2), DO(RESET_DONE), R(CSTS, 0),
	  AQ(AQA_OK), W(CC, CC_LINUX | EN, ENABLE) } },
	{ "enable before the reset is done", { UP, W(CC, CC_LINUX, RESET),
	  W(CC, CC_LINUX | EN, NONE), R(CSTS, 3) } },
	{ "disable: a controller reset", { UP, W(NVME_REG_INTMS, 0x3, NONE),
	  W(CC, CC_LINUX, RESET), R(CC, CC_LINUX), R(CSTS, 1),
	  DO(RESET_DONE), R(CC, 0), R(CSTS, 0), R(NVME_REG_INTMS, 0),
	  R(NVME_REG_AQA, AQA_OK), RD(NVME_REG_ASQ, 8, 0x10000),
	  RD(NVME_REG_ACQ, 8, 0x20000), RD(NVME_REG_CAP, 8, CAP),
	  W(CC, CC_LINUX | EN, ENABLE) } },
	{ "disable with SHN: a reset, not a shutdown", { UP,
	  W(CC, CC_LINUX | SHN(1), RESET) } },
	{ "disabled to disabled stores and reports nothing", {
	  W(CC, 0x00fffff0, NONE), W(CC, 0, NONE), R(CC, 0) } },
	{ "normal shutdown", { UP, WR(CC, 4, CC_LINUX | SHN(1) | EN,
	  SHUTDOWN, 1), R(CC, CC_LINUX | SHN(1) | EN), DO(SHN_BUSY),
	  R(CSTS, 0x5), DO(SHN_DONE), R(CSTS, 0x9),
	  W(CC, CC_LINUX | SHN(1) | EN, NONE), W(CC, CC_LINUX, RESET),
	  DO(RESET_DONE), R(CSTS, 0) } },
	{ "abrupt shutdown", { UP, WR(CC, 4, CC_LINUX | SHN(2) | EN,
	  SHUTDOWN, 2), R(CC, CC_LINUX | SHN(2) | EN) } },
	{ "normal then abrupt: one shutdown", { UP,
	  WR(CC, 4, CC_LINUX | SHN(1) | EN, SHUTDOWN, 1),
	  W(CC, CC_LINUX | SHN(2) | EN, NONE), R(CC, CC_LINUX | SHN(2) | EN) } },
	{ "SHN 11b is ignored", { UP, W(CC, CC_LINUX | SHN(3) | EN, NONE),
	  R(CC, CC_LINUX | EN), R(CSTS, 1) } },
	{ "SHN back to 00b, then again", { UP,
	  WR(CC, 4, CC_LINUX | SHN(1) | EN, SHUTDOWN, 1),
	  W(CC, CC_LINUX | EN, NONE),
	  WR(CC, 4, CC_LINUX | SHN(1) | EN, SHUTDOWN, 1) } },
	{ "fields frozen while enabled", { UP,
	  W(CC, 0x00ff0000 | 3 << 11 | 4 << 7 | 1 << 4 | EN, NONE),
	  R(CC, CC_LINUX | EN), R(CSTS, 1) } },
	{ "admin queue frozen while enabled", { UP,
	  W(NVME_REG_AQA, 0x00070007, NONE), R(NVME_REG_AQA, AQA_OK),
	  WR(NVME_REG_ASQ, 8, 0x50000, NONE, 0), W(NVME_REG_ASQ + 4, 1, NONE),
	  W(NVME_REG_ACQ, 0x60000, NONE), W(NVME_REG_ACQ + 4, 1, NONE),
	  RD(NVME_REG_ASQ, 8, 0x10000), RD(NVME_REG_ACQ, 8, 0x20000) } },
	{ "admin queue writable again after disable", { UP,
	  W(CC, CC_LINUX, RESET), W(NVME_REG_AQA, 0x00070007, NONE),
	  R(NVME_REG_AQA, 0x00070007) } },
	{ "ASQ halves, high first", { W(NVME_REG_ASQ + 4, 0x1, NONE),
	  W(NVME_REG_ASQ, 0x12345fff, NONE),
	  RD(NVME_REG_ASQ, 8, 0x112345000ULL) } },
	{ "INTMS and INTMC", { W(NVME_REG_INTMS, 0xf, NONE),
	  W(NVME_REG_INTMC, 0x5, NONE), R(NVME_REG_INTMS, 0xa),
	  R(NVME_REG_INTMC, 0xa) } },
	{ "fatal while ready", { UP, DO(FATAL), R(CSTS, 3),
	  W(CC, CC_LINUX, RESET), DO(RESET_DONE), R(CSTS, 0) } },
	{ "memory space enable reports nothing", {
	  CW(0x04, 2, 0x0002, NONE, 0) } },
	{ "bus master on, again, off", { CW(0x04, 2, 0x0006, BUS_MASTER, 1),
	  CW(0x04, 2, 0x0006, NONE, 0), CW(0x04, 1, 0x02, BUS_MASTER, 0) } },
	{ "bus master through the dword", {
	  CW(0x04, 4, 0xffffffff, BUS_MASTER, 1) } },
	{ "D3hot and back", { CW(0x44, 2, 0x0003, POWER, 3),
	  CW(0x44, 1, 0x03, NONE, 0), CW(0x44, 2, 0x0000, POWER, 0) } },
	{ "D1 and D2 are dropped", { CW(0x44, 2, 0x0001, NONE, 0),
	  CW(0x44, 2, 0x0002, NONE, 0), CW(0x44, 2, 0x0003, POWER, 3),
	  CW(0x44, 2, 0x0002, NONE, 0) } },
	{ "MSI-X enable, mask, both off", { CW(0x53, 1, 0x80, MSIX_CTRL, 0x8010),
	  CW(0x52, 2, 0xc000, MSIX_CTRL, 0xc010),
	  CW(0x50, 4, 0x00000000, MSIX_CTRL, 0x0010) } },
	{ "MSI-X table size written: nothing", {
	  CW(0x52, 2, 0x07ff, NONE, 0) } },
	{ "BAR writes report nothing", { CW(0x10, 4, 0xffffffff, NONE, 0),
	  CW(0x14, 4, 0xffffffff, NONE, 0) } },
	{ "Device Control reports nothing", { CW(0x68, 2, 0x0000, NONE, 0) } },
	{ "config writes leave the controller alone", { UP,
	  CW(0x04, 2, 0x0000, NONE, 0), CW(0x44, 2, 0x3, POWER, 3),
	  R(CSTS, 1), R(CC, CC_LINUX | EN) } },
};

static void vdev_regs_aq(struct kunit *test, struct vdev_nvme_regs *r,
			 u32 aqa)
{
	struct vdev_nvme_reg_event ev;

	vdev_bar_wr(test, r, NVME_REG_AQA, 4, aqa, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_NONE);
	vdev_bar_wr(test, r, NVME_REG_ASQ, 8, 0x10000, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_NONE);
	vdev_bar_wr(test, r, NVME_REG_ACQ, 8, 0x20000, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_NONE);
}

static void vdev_regs_up(struct kunit *test, struct vdev_nvme_regs *r)
{
	struct vdev_nvme_reg_event ev;

	vdev_regs_aq(test, r, AQA_OK);
	vdev_bar_wr(test, r, NVME_REG_CC, 4, CC_LINUX, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_NONE);
	vdev_bar_wr(test, r, NVME_REG_CC, 4, CC_LINUX | EN, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_ENABLE);
	vdev_nvme_regs_ready(r);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, NVME_REG_CSTS, 4), 1);
}

static void vdev_regs_refused(struct kunit *test, struct vdev_nvme_regs *r,
			      u32 cc)
{
	struct vdev_nvme_reg_event ev;

	vdev_bar_wr(test, r, NVME_REG_CC, 4, cc | EN, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_NONE);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, NVME_REG_CSTS, 4),
			NVME_CSTS_CFS);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, NVME_REG_CC, 4), cc | EN);
}

/* The steps that are calls of a setter or of a helper above. */
static void vdev_regs_call(struct kunit *test, struct vdev_nvme_regs *r,
			   const struct vdev_regs_step *s)
{
	switch (s->op) {
	case OP_READY:
		vdev_nvme_regs_ready(r);
		break;
	case OP_RESET_DONE:
		vdev_nvme_regs_reset_done(r);
		break;
	case OP_SHN_BUSY:
		vdev_nvme_regs_shutdown_busy(r);
		break;
	case OP_SHN_DONE:
		vdev_nvme_regs_shutdown_done(r);
		break;
	case OP_FATAL:
		vdev_nvme_regs_fatal(r);
		break;
	case OP_AQ:
		vdev_regs_aq(test, r, s->val);
		break;
	case OP_UP:
		vdev_regs_up(test, r);
		break;
	default:
		vdev_regs_refused(test, r, s->val);
		break;
	}
}

static void vdev_regs_step(struct kunit *test, struct vdev_nvme_regs *r,
			   const struct vdev_regs_step *s, int i)
{
	struct vdev_nvme_reg_event ev = { .type = POISON };

	switch (s->op) {
	case OP_WR:
		vdev_bar_wr(test, r, s->off, s->len, s->val, &ev);
		break;
	case OP_CFG_WR:
		vdev_cfg_wr(test, r, s->off, s->len, s->val, &ev);
		break;
	case OP_RD:
		KUNIT_EXPECT_EQ_MSG(test, vdev_bar_rd(test, r, s->off, s->len),
				    s->val, "step %d: read at %llx", i, s->off);
		return;
	default:
		vdev_regs_call(test, r, s);
		return;
	}
	KUNIT_EXPECT_EQ_MSG(test, ev.type, s->ev, "step %d: event", i);
	if (s->ev != VDEV_NVME_REG_NONE)
		KUNIT_EXPECT_EQ_MSG(test, ev.value, s->ev_val,
				    "step %d: event value", i);
}

static void vdev_regs_seq_test(struct kunit *test)
{
	const struct vdev_regs_seq_case *c = test->param_value;
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	int i;

	for (i = 0; i < STEPS_MAX && c->steps[i].op != OP_END; i++)
		vdev_regs_step(test, r, &c->steps[i], i);
}

/* The helpers the controller reads the admin queue setup with. */
static void vdev_regs_helpers_test(struct kunit *test)
{
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	struct vdev_nvme_reg_event ev;

	vdev_bar_wr(test, r, NVME_REG_AQA, 4, 0x00ff0007, &ev);
	vdev_bar_wr(test, r, NVME_REG_CC, 4, CC_LINUX | 4 << 7, &ev);
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_asq_size(r), 8);
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_acq_size(r), 256);
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_page_shift(r), 16);
}

/* --- doorbells ------------------------------------------------------------- */

/**
 * struct vdev_regs_db_case - a doorbell write and its report
 * @desc: the case's name
 * @off: the offset in BAR0
 * @val: the value written
 * @qid: the queue id reported
 * @cq: the CQ head doorbell, not the SQ tail one
 */
struct vdev_regs_db_case {
	const char *desc;
	u32 off;
	u32 val;
	u32 qid;
	bool cq;
};

static const struct vdev_regs_db_case vdev_regs_db_cases[] = {
	{ "SQ 0 tail", 0x1000, 1, 0, false },
	{ "CQ 0 head", 0x1004, 31, 0, true },
	{ "SQ 1 tail", 0x1008, 0, 1, false },
	{ "CQ 1 head", 0x100c, 1023, 1, true },
	{ "SQ 7 tail", 0x1038, 5, 7, false },
	{ "SQ 64 tail", 0x1200, 2, 64, false },
	{ "CQ 64 head", 0x1204, 3, 64, true },
	{ "SQ 65: past the queues, still reported", 0x1208, 4, 65, false },
	{ "CQ 100 head", 0x1324, 0xffff, 100, true },
	{ "out-of-range value, unchecked", 0x1008, 0xffffffff, 1, false },
	{ "SQ 511 tail", 0x1ff8, 7, 511, false },
	{ "CQ 511 head: the page's last dword", 0x1ffc, 0x80000000, 511,
	  true },
};

static void vdev_regs_db_test(struct kunit *test)
{
	const struct vdev_regs_db_case *c = test->param_value;
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	struct vdev_nvme_regs *before = vdev_regs_copy(test, r);
	struct vdev_nvme_reg_event ev = { .type = POISON };

	vdev_bar_wr(test, r, c->off, 4, c->val, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_DOORBELL);
	KUNIT_EXPECT_EQ(test, ev.index, c->qid);
	KUNIT_EXPECT_EQ(test, ev.cq, c->cq);
	KUNIT_EXPECT_EQ(test, ev.value, c->val);
	/* Doorbells keep nothing and read 0. */
	KUNIT_EXPECT_MEMEQ(test, r, before, sizeof(*r));
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, c->off, 4), 0);
}

/* --- MSI-X ----------------------------------------------------------------- */

static void vdev_regs_msix_table_test(struct kunit *test)
{
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	struct vdev_nvme_reg_event ev;

	vdev_bar_wr(test, r, 0x2030, 4, 0xfee00000, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_MSIX_ENTRY);
	KUNIT_EXPECT_EQ(test, ev.index, 3);
	vdev_bar_wr(test, r, 0x2034, 4, 0x1, &ev);
	vdev_bar_wr(test, r, 0x2038, 4, 0x4023, &ev);
	vdev_bar_wr(test, r, 0x203c, 4, 0, &ev);
	KUNIT_EXPECT_EQ(test, ev.index, 3);
	KUNIT_EXPECT_EQ(test, r->msix[3].addr_lo, 0xfee00000);
	KUNIT_EXPECT_EQ(test, r->msix[3].addr_hi, 1);
	KUNIT_EXPECT_EQ(test, r->msix[3].data, 0x4023);
	KUNIT_EXPECT_EQ(test, r->msix[3].ctrl, 0);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x2030, 8),
			0x1fee00000ULL);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x2038, 8), 0x4023);
	/* Its neighbours are untouched and still masked. */
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x2020, 8), 0);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x202c, 4), 1);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x204c, 4), 1);

	/* The last vector, 16, as two qwords. */
	vdev_bar_wr(test, r, 0x2100, 8, 0x00000002fee0100cULL, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_MSIX_ENTRY);
	KUNIT_EXPECT_EQ(test, ev.index, 16);
	vdev_bar_wr(test, r, 0x2108, 8, 0x0000000100000041ULL, &ev);
	KUNIT_EXPECT_EQ(test, ev.index, 16);
	KUNIT_EXPECT_EQ(test, r->msix[16].addr_lo, 0xfee0100c);
	KUNIT_EXPECT_EQ(test, r->msix[16].addr_hi, 2);
	KUNIT_EXPECT_EQ(test, r->msix[16].data, 0x41);
	KUNIT_EXPECT_EQ(test, r->msix[16].ctrl, 1);

	/* Vector 17 does not exist; neither does the rest of the page. */
	vdev_bar_wr(test, r, 0x2110, 8, ~0ULL, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_NONE);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x2110, 8), 0);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x211c, 4), 0);
	vdev_bar_wr(test, r, 0x2ff8, 8, ~0ULL, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_NONE);
	KUNIT_EXPECT_EQ(test, r->msix[17].ctrl, 1);
	KUNIT_EXPECT_EQ(test, r->msix[17].data, 0);
}

/* All 65 vectors: the table's end at 2410h. */
static void vdev_regs_msix_max_test(struct kunit *test)
{
	struct vdev_nvme_regs *r = vdev_regs_new(test, 65536, 65);
	struct vdev_nvme_reg_event ev;

	KUNIT_EXPECT_EQ(test, vdev_cfg_rd(test, r, 0x52, 2), 64);
	vdev_bar_wr(test, r, 0x240c, 4, 0, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_MSIX_ENTRY);
	KUNIT_EXPECT_EQ(test, ev.index, 64);
	KUNIT_EXPECT_EQ(test, r->msix[64].ctrl, 0);
	vdev_bar_wr(test, r, 0x2410, 4, 0, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_NONE);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x2410, 4), 0);

	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_pba_set(r, 64), 0);
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_pba_set(r, 0), 0);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x3000, 8), 1);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x3008, 8), 1);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x3008, 4), 1);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x300c, 4), 0);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x3010, 8), 0);
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_pba_set(r, 65), -EINVAL);
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_pba_clear(r, 64), 0);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x3008, 8), 0);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x3000, 8), 1);
}

static void vdev_regs_pba_test(struct kunit *test)
{
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	struct vdev_nvme_regs *before;
	struct vdev_nvme_reg_event ev;

	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_pba_set(r, 0), 0);
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_pba_set(r, 5), 0);
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_pba_set(r, 16), 0);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x3000, 4), 0x00010021);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x3000, 8), 0x00010021);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x3004, 4), 0);
	before = vdev_regs_copy(test, r);
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_pba_set(r, 17), -EINVAL);
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_pba_set(r, U32_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_pba_clear(r, 17), -EINVAL);
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_pba_clear(r, 64), -EINVAL);
	/* Read-only: a write is taken and dropped. */
	vdev_bar_wr(test, r, 0x3000, 8, 0, &ev);
	KUNIT_EXPECT_EQ(test, ev.type, VDEV_NVME_REG_NONE);
	vdev_bar_wr(test, r, 0x3004, 4, ~0U, &ev);
	KUNIT_EXPECT_MEMEQ(test, r, before, sizeof(*r));
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_pba_clear(r, 5), 0);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x3000, 4), 0x00010001);
	KUNIT_EXPECT_EQ(test, vdev_nvme_regs_pba_clear(r, 5), 0);
	KUNIT_EXPECT_EQ(test, vdev_bar_rd(test, r, 0x3000, 4), 0x00010001);
}

/* When a message may go out: every condition, one at a time. */
static void vdev_regs_msix_live_test(struct kunit *test)
{
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	struct vdev_nvme_reg_event ev;

	vdev_bar_wr(test, r, 0x203c, 4, 0, &ev);
	KUNIT_EXPECT_FALSE(test, vdev_nvme_regs_msix_live(r, 3));
	vdev_cfg_wr(test, r, 0x53, 1, 0x80, &ev);
	KUNIT_EXPECT_FALSE(test, vdev_nvme_regs_msix_live(r, 3));
	vdev_cfg_wr(test, r, 0x04, 2, 0x0006, &ev);
	KUNIT_EXPECT_TRUE(test, vdev_nvme_regs_msix_live(r, 3));
	KUNIT_EXPECT_FALSE(test, vdev_nvme_regs_msix_live(r, 2));
	KUNIT_EXPECT_FALSE(test, vdev_nvme_regs_msix_live(r, 17));
	KUNIT_EXPECT_FALSE(test, vdev_nvme_regs_msix_live(r, U32_MAX));
	vdev_cfg_wr(test, r, 0x53, 1, 0xc0, &ev);
	KUNIT_EXPECT_FALSE(test, vdev_nvme_regs_msix_live(r, 3));
	vdev_cfg_wr(test, r, 0x53, 1, 0x80, &ev);
	KUNIT_EXPECT_TRUE(test, vdev_nvme_regs_msix_live(r, 3));
	vdev_cfg_wr(test, r, 0x44, 2, 0x3, &ev);
	KUNIT_EXPECT_FALSE(test, vdev_nvme_regs_msix_live(r, 3));
	vdev_cfg_wr(test, r, 0x44, 2, 0x0, &ev);
	KUNIT_EXPECT_TRUE(test, vdev_nvme_regs_msix_live(r, 3));
	vdev_cfg_wr(test, r, 0x04, 2, 0x0002, &ev);
	KUNIT_EXPECT_FALSE(test, vdev_nvme_regs_msix_live(r, 3));
	vdev_cfg_wr(test, r, 0x04, 2, 0x0004, &ev);
	vdev_bar_wr(test, r, 0x203c, 4, 1, &ev);
	KUNIT_EXPECT_FALSE(test, vdev_nvme_regs_msix_live(r, 3));
}

/* --- capabilities, BAR sizing, reset ---------------------------------------- */

/* Linux's bound on a capability list walk (PCI_FIND_CAP_TTL). */
#define CAP_TTL		48

/*
 * Walk the capability list the way pci_find_capability() does, through
 * the read function alone: pointers masked to a dword, one below 40h
 * ends it, and a bound stops a loop. Returns the capabilities found, or
 * -ELOOP when the bound ran out.
 */
static int vdev_regs_caps(struct kunit *test, const struct vdev_nvme_regs *r,
			  u8 *ids, u8 *offs, int max)
{
	int n = 0, ttl = CAP_TTL;
	u8 pos;

	KUNIT_ASSERT_TRUE(test, vdev_cfg_rd(test, r, PCI_STATUS, 2) &
			  PCI_STATUS_CAP_LIST);
	pos = vdev_cfg_rd(test, r, PCI_CAPABILITY_LIST, 1);
	while (ttl--) {
		pos &= ~3;
		if (pos < 0x40)
			return n;
		KUNIT_ASSERT_LT(test, n, max);
		ids[n] = vdev_cfg_rd(test, r, pos + PCI_CAP_LIST_ID, 1);
		offs[n++] = pos;
		if (ids[n - 1] == 0xff)
			return n;
		pos = vdev_cfg_rd(test, r, pos + PCI_CAP_LIST_NEXT, 1);
	}
	return -ELOOP;
}

static void vdev_regs_caps_test(struct kunit *test)
{
	static const u8 want_ids[] = { PCI_CAP_ID_PM, PCI_CAP_ID_MSIX,
				       PCI_CAP_ID_EXP };
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	u8 ids[8], offs[8];
	u32 table, pba, size;
	int n;

	n = vdev_regs_caps(test, r, ids, offs, ARRAY_SIZE(ids));
	KUNIT_ASSERT_EQ(test, n, ARRAY_SIZE(want_ids));
	KUNIT_EXPECT_MEMEQ(test, ids, want_ids, sizeof(want_ids));
	KUNIT_EXPECT_EQ(test, offs[0], 0x40);
	KUNIT_EXPECT_EQ(test, offs[1], 0x50);
	KUNIT_EXPECT_EQ(test, offs[2], 0x60);

	/* PM: version 3, no D1, D2 or PME; in D0. */
	KUNIT_EXPECT_EQ(test, vdev_cfg_rd(test, r, offs[0] + PCI_PM_PMC, 2),
			0x0003);
	KUNIT_EXPECT_EQ(test, vdev_cfg_rd(test, r, offs[0] + PCI_PM_CTRL, 2) &
			PCI_PM_CTRL_STATE_MASK, 0);

	/* MSI-X: table and PBA in BAR0, off the doorbell page, in the BAR. */
	size = (vdev_cfg_rd(test, r, offs[1] + PCI_MSIX_FLAGS, 2) &
		PCI_MSIX_FLAGS_QSIZE) + 1;
	table = vdev_cfg_rd(test, r, offs[1] + PCI_MSIX_TABLE, 4);
	pba = vdev_cfg_rd(test, r, offs[1] + PCI_MSIX_PBA, 4);
	KUNIT_EXPECT_EQ(test, size, NVEC);
	KUNIT_EXPECT_EQ(test, table & PCI_MSIX_TABLE_BIR, 0);
	KUNIT_EXPECT_EQ(test, pba & PCI_MSIX_PBA_BIR, 0);
	table &= PCI_MSIX_TABLE_OFFSET;
	pba &= PCI_MSIX_PBA_OFFSET;
	KUNIT_EXPECT_EQ(test, table, 0x2000);
	KUNIT_EXPECT_EQ(test, pba, 0x3000);
	KUNIT_EXPECT_LE(test, table + size * PCI_MSIX_ENTRY_SIZE, pba);
	KUNIT_EXPECT_LE(test, pba + DIV_ROUND_UP(size, 64) * 8, 0x4000);

	/* PCI Express: version 2, an endpoint, no FLR. */
	KUNIT_EXPECT_EQ(test, vdev_cfg_rd(test, r, offs[2] + PCI_EXP_FLAGS, 2) &
			(PCI_EXP_FLAGS_VERS | PCI_EXP_FLAGS_TYPE), 0x0002);
	KUNIT_EXPECT_FALSE(test, vdev_cfg_rd(test, r, offs[2] + PCI_EXP_DEVCAP,
					     4) & PCI_EXP_DEVCAP_FLR);

	/* The extended list is empty. */
	KUNIT_EXPECT_EQ(test, vdev_cfg_rd(test, r, PCI_CFG_SPACE_SIZE, 4), 0);
}

/* The walker itself: a list that points back must end. */
static void vdev_regs_caps_loop_test(struct kunit *test)
{
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	u8 ids[CAP_TTL], offs[CAP_TTL];

	/* The test's own copy: PCI Express's next pointer back at MSI-X. */
	r->pci[0x61] = 0x50;
	KUNIT_EXPECT_EQ(test, vdev_regs_caps(test, r, ids, offs, CAP_TTL),
			-ELOOP);
	/* 40h, then 50h and 60h by turns to the bound. */
	KUNIT_EXPECT_EQ(test, offs[2], 0x60);
	KUNIT_EXPECT_EQ(test, offs[3], 0x50);
	KUNIT_EXPECT_EQ(test, offs[CAP_TTL - 1], 0x50);
}

/* Sizing BAR0 as firmware does: all ones into both halves. */
static void vdev_regs_bar_sizing_test(struct kunit *test)
{
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	struct vdev_nvme_reg_event ev;
	u32 lo, hi, i;
	u64 mask;

	lo = vdev_cfg_rd(test, r, PCI_BASE_ADDRESS_0, 4);
	KUNIT_EXPECT_EQ(test, lo & PCI_BASE_ADDRESS_SPACE, 0);
	KUNIT_EXPECT_EQ(test, lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK,
			PCI_BASE_ADDRESS_MEM_TYPE_64);
	KUNIT_EXPECT_EQ(test, lo & PCI_BASE_ADDRESS_MEM_PREFETCH, 0);
	vdev_cfg_wr(test, r, PCI_BASE_ADDRESS_0, 4, ~0U, &ev);
	vdev_cfg_wr(test, r, PCI_BASE_ADDRESS_1, 4, ~0U, &ev);
	lo = vdev_cfg_rd(test, r, PCI_BASE_ADDRESS_0, 4);
	hi = vdev_cfg_rd(test, r, PCI_BASE_ADDRESS_1, 4);
	mask = (u64)hi << 32 | (lo & PCI_BASE_ADDRESS_MEM_MASK);
	KUNIT_EXPECT_EQ(test, ~mask + 1, 16384);
	KUNIT_EXPECT_EQ(test, lo & ~PCI_BASE_ADDRESS_MEM_MASK, 0x4);

	/* Placed above 4 GiB. */
	vdev_cfg_wr(test, r, PCI_BASE_ADDRESS_0, 4, 0xc0004000, &ev);
	vdev_cfg_wr(test, r, PCI_BASE_ADDRESS_1, 4, 0x8, &ev);
	KUNIT_EXPECT_EQ(test, vdev_cfg_rd(test, r, PCI_BASE_ADDRESS_0, 4),
			0xc0004004);
	KUNIT_EXPECT_EQ(test, vdev_cfg_rd(test, r, PCI_BASE_ADDRESS_1, 4), 0x8);

	/* No other BAR. */
	for (i = PCI_BASE_ADDRESS_2; i <= PCI_BASE_ADDRESS_5; i += 4) {
		vdev_cfg_wr(test, r, i, 4, ~0U, &ev);
		KUNIT_EXPECT_EQ(test, vdev_cfg_rd(test, r, i, 4), 0);
	}
}

/* DEVICE_RESET: every register back, the admin queue and config too. */
static void vdev_regs_reset_test(struct kunit *test)
{
	static const struct vdev_regs_seq_case up = { "up", { UP,
		CW(0x04, 2, 0x0546, BUS_MASTER, 1),
		CW(0x10, 4, 0xfebf0000, NONE, 0),
		CW(0x53, 1, 0xc0, MSIX_CTRL, 0xc010),
		CW(0x44, 2, 0x3, POWER, 3), CW(0x68, 2, 0, NONE, 0),
		WR(0x2000, 8, 0xfee00000, MSIX_ENTRY, 0),
		W(0x200c, 0, MSIX_ENTRY) } };
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	struct vdev_nvme_regs *fresh = vdev_regs_copy(test, r);
	int i;

	for (i = 0; up.steps[i].op != OP_END; i++)
		vdev_regs_step(test, r, &up.steps[i], i);
	KUNIT_ASSERT_EQ(test, vdev_nvme_regs_pba_set(r, 4), 0);
	vdev_nvme_regs_fatal(r);
	vdev_nvme_regs_reset(r);
	KUNIT_EXPECT_MEMEQ(test, r, fresh, sizeof(*r));
}

/* A controller reset keeps PCI state, MSI-X and the admin queue. */
static void vdev_regs_reset_done_test(struct kunit *test)
{
	struct vdev_nvme_regs *r = vdev_regs_new(test, QSIZE, NVEC);
	struct vdev_nvme_regs *before;
	struct vdev_nvme_reg_event ev;

	vdev_cfg_wr(test, r, 0x04, 2, 0x0006, &ev);
	vdev_cfg_wr(test, r, 0x53, 1, 0x80, &ev);
	vdev_bar_wr(test, r, 0x200c, 4, 0, &ev);
	KUNIT_ASSERT_EQ(test, vdev_nvme_regs_pba_set(r, 1), 0);
	before = vdev_regs_copy(test, r);
	vdev_bar_wr(test, r, NVME_REG_AQA, 4, AQA_OK, &ev);
	vdev_bar_wr(test, r, NVME_REG_ASQ, 8, 0x10000, &ev);
	vdev_bar_wr(test, r, NVME_REG_ACQ, 8, 0x20000, &ev);
	vdev_bar_wr(test, r, NVME_REG_CC, 4, CC_LINUX | EN, &ev);
	KUNIT_ASSERT_EQ(test, ev.type, VDEV_NVME_REG_ENABLE);
	vdev_nvme_regs_ready(r);
	vdev_bar_wr(test, r, NVME_REG_CC, 4, CC_LINUX, &ev);
	KUNIT_ASSERT_EQ(test, ev.type, VDEV_NVME_REG_RESET);
	vdev_nvme_regs_reset_done(r);
	before->aqa = AQA_OK;
	before->asq = 0x10000;
	before->acq = 0x20000;
	KUNIT_EXPECT_MEMEQ(test, r, before, sizeof(*r));
}

/* --- the suite ------------------------------------------------------------- */

KUNIT_ARRAY_PARAM_DESC(vdev_regs_init, vdev_regs_init_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_regs_bar_reset, vdev_regs_bar_reset_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_regs_cfg_reset, vdev_regs_cfg_reset_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_regs_bar_access, vdev_regs_bar_access_cases,
		       desc);
KUNIT_ARRAY_PARAM_DESC(vdev_regs_cfg_access, vdev_regs_cfg_access_cases,
		       desc);
KUNIT_ARRAY_PARAM_DESC(vdev_regs_bar_wr, vdev_regs_bar_wr_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_regs_cfg_wr, vdev_regs_cfg_wr_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_regs_seq, vdev_regs_seq_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_regs_db, vdev_regs_db_cases, desc);

static struct kunit_case vdev_nvme_regs_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_regs_init_test, vdev_regs_init_gen_params),
	KUNIT_CASE_PARAM(vdev_regs_bar_reset_test,
			 vdev_regs_bar_reset_gen_params),
	KUNIT_CASE_PARAM(vdev_regs_cfg_reset_test,
			 vdev_regs_cfg_reset_gen_params),
	KUNIT_CASE(vdev_regs_cfg_whole_test),
	KUNIT_CASE_PARAM(vdev_regs_bar_access_test,
			 vdev_regs_bar_access_gen_params),
	KUNIT_CASE_PARAM(vdev_regs_cfg_access_test,
			 vdev_regs_cfg_access_gen_params),
	KUNIT_CASE_PARAM(vdev_regs_bar_wr_test, vdev_regs_bar_wr_gen_params),
	KUNIT_CASE_PARAM(vdev_regs_cfg_wr_test, vdev_regs_cfg_wr_gen_params),
	KUNIT_CASE_PARAM(vdev_regs_seq_test, vdev_regs_seq_gen_params),
	KUNIT_CASE(vdev_regs_helpers_test),
	KUNIT_CASE_PARAM(vdev_regs_db_test, vdev_regs_db_gen_params),
	KUNIT_CASE(vdev_regs_msix_table_test),
	KUNIT_CASE(vdev_regs_msix_max_test),
	KUNIT_CASE(vdev_regs_pba_test),
	KUNIT_CASE(vdev_regs_msix_live_test),
	KUNIT_CASE(vdev_regs_caps_test),
	KUNIT_CASE(vdev_regs_caps_loop_test),
	KUNIT_CASE(vdev_regs_bar_sizing_test),
	KUNIT_CASE(vdev_regs_reset_test),
	KUNIT_CASE(vdev_regs_reset_done_test),
	{}
};

static struct kunit_suite vdev_nvme_regs_test_suite = {
	.name = "vdev_nvme_regs",
	.test_cases = vdev_nvme_regs_test_cases,
};

kunit_test_suite(vdev_nvme_regs_test_suite);
