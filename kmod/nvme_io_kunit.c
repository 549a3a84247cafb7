// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the NVMe I/O command parse, Dataset Management ranges, the block
 * layer status mapping and the completion status field. Commands are
 * built dword by dword as the specification's figures lay them out, not
 * through the kernel's structs, so that a field read from the wrong place
 * shows. Namespaces are hand-made infos, as nvme_id_kunit.c makes them.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/blk_types.h>
#include <linux/nvme.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/wordpart.h>

#include "nvme_id.h"
#include "nvme_io.h"

#define POISON		0xa5
#define NN		1024		/* the controller's NN */
#define NBLK		BIT_ULL(20)	/* blocks of the usual namespaces */
#define NLB_MAX		65536		/* NLB 0xffff, 0's based */

/* CDW0's flags byte: FUSE bits 1:0, reserved bits 5:2, PSDT bits 7:6. */
#define FUSE1		0x01
#define FUSE2		0x02
#define FUSE3		0x03
#define RSVD0		0x3c
#define SGL1		0x40
#define SGL2		0x80
#define PSDT3		0xc0

/* CDW12 control bits (31:16), as the specification numbers them. */
#define LR		BIT(15)
#define FUA		BIT(14)
#define PRACT		BIT(13)
#define PRCHK_GUARD	BIT(12)
#define PRCHK_APP	BIT(11)
#define PRCHK_REF	BIT(10)
#define DEAC		BIT(9)
#define STC		BIT(8)
#define DTYPE_STREAMS	BIT(4)

/* Dataset Management attributes, CDW11. */
#define IDR		BIT(0)
#define IDW		BIT(1)
#define AD		BIT(2)

static const struct vdev_nvme_ns_info ns_512 = {
	.nr_blocks = NBLK, .lba_shift = 9,
	.max_zeroes_blocks = 2048, .max_discard_blocks = 8192,
};

static const struct vdev_nvme_ns_info ns_4k = {
	.nr_blocks = NBLK, .lba_shift = 12,
};

static const struct vdev_nvme_ns_info ns_64k = {
	.nr_blocks = NBLK, .lba_shift = 16,
};

static const struct vdev_nvme_ns_info ns_ro = {
	.nr_blocks = NBLK, .lba_shift = 9, .read_only = true,
	.max_zeroes_blocks = 2048, .max_discard_blocks = 8192,
};

/* Every LBA a 64-bit SLBA can name, but the last. */
static const struct vdev_nvme_ns_info ns_huge = {
	.nr_blocks = U64_MAX, .lba_shift = 9,
	.max_zeroes_blocks = U64_MAX, .max_discard_blocks = U64_MAX,
};

/* The most 4 KiB blocks whose sectors fit a u64. */
static const struct vdev_nvme_ns_info ns_4k_huge = {
	.nr_blocks = U64_MAX >> 3, .lba_shift = 12,
	.max_zeroes_blocks = U64_MAX, .max_discard_blocks = 1ULL << 40,
};

static const struct vdev_nvme_ns_info ns_empty = { .lba_shift = 9 };

/* Namespaces no controller may hand the parse. */
static const struct vdev_nvme_ns_info ns_256 = {
	.nr_blocks = NBLK, .lba_shift = 8,
};

static const struct vdev_nvme_ns_info ns_128k = {
	.nr_blocks = NBLK, .lba_shift = 17,
};

static const struct vdev_nvme_ns_info ns_4k_over = {
	.nr_blocks = (U64_MAX >> 3) + 1, .lba_shift = 12,
};

/* --- the parse ------------------------------------------------------------ */

/**
 * struct vdev_io_case - one command and what the parse must make of it
 * @desc: the case's name
 * @opcode: CDW0 bits 7:0
 * @flags: CDW0 bits 15:8
 * @nsid: CDW1
 * @slba: added to CDW10 (bits 31:0) and CDW11 (bits 63:32)
 * @dw: dwords 2 to 15 (0 and 1 come from the fields above)
 * @ns: the namespace the caller finds for @nsid
 * @lim: the controller's NN and MDTS
 * @status: the status expected
 * @want: the decoded command expected when @status is 0
 */
struct vdev_io_case {
	const char *desc;
	u8 opcode;
	u8 flags;
	u32 nsid;
	u64 slba;
	u32 dw[16];
	const struct vdev_nvme_ns_info *ns;
	struct vdev_nvme_io_limits lim;
	u16 status;
	struct vdev_nvme_io want;
};

#define LIM		{ .nn = NN }
#define LIM_MDTS(m)	{ .nn = NN, .mdts = (m) }
#define CMD(op, ...)							\
	.opcode = (op), .nsid = 1, .ns = &ns_512, .lim = LIM, ##__VA_ARGS__
#define C_FLUSH(...)	CMD(nvme_cmd_flush, ##__VA_ARGS__)
#define C_READ(...)	CMD(nvme_cmd_read, ##__VA_ARGS__)
#define C_WRITE(...)	CMD(nvme_cmd_write, ##__VA_ARGS__)
#define C_WZ(...)	CMD(nvme_cmd_write_zeroes, ##__VA_ARGS__)
#define C_DSM(...)	CMD(nvme_cmd_dsm, ##__VA_ARGS__)

/* CDW10-12 of Read, Write, Write Zeroes: SLBA, @n blocks, control bits. */
#define RW(lba, n, ctl, ...)						\
	.slba = (lba), .dw = { [12] = ((n) - 1) | (ctl) << 16, __VA_ARGS__ }
/* CDW10-11 of Dataset Management: @n ranges, attributes. */
#define RANGES(n, attr, ...)						\
	.dw = { [10] = (n) - 1, [11] = (attr), __VA_ARGS__ }

#define WANT(...)	.want = { .dir = DMA_NONE, __VA_ARGS__ }
#define W_READ(sect, nsect, bytes, ...)					\
	WANT(.op = VDEV_NVME_IO_READ, .sector = (sect),			\
	     .nr_sectors = (nsect), .dir = DMA_FROM_DEVICE,		\
	     .len = (bytes), __VA_ARGS__)
#define W_WRITE(sect, nsect, bytes, ...)				\
	WANT(.op = VDEV_NVME_IO_WRITE, .sector = (sect),		\
	     .nr_sectors = (nsect), .dir = DMA_TO_DEVICE,		\
	     .len = (bytes), __VA_ARGS__)
#define W_WZ(sect, nsect, max, ...)					\
	WANT(.op = VDEV_NVME_IO_WRITE_ZEROES, .sector = (sect),		\
	     .nr_sectors = (nsect), .max_bio_sectors = (max), __VA_ARGS__)
#define W_DEALLOC(n, bytes, max, ...)					\
	WANT(.op = VDEV_NVME_IO_DEALLOCATE, .dir = DMA_TO_DEVICE,	\
	     .len = (bytes), .nr_ranges = (n),				\
	     .max_bio_sectors = (max), __VA_ARGS__)
#define W_FLUSH		WANT(.op = VDEV_NVME_IO_FLUSH)
#define W_NONE		WANT(.op = VDEV_NVME_IO_NONE)

#define INVALID_FIELD	.status = NVME_SC_INVALID_FIELD
#define INVALID_NS	.status = NVME_SC_INVALID_NS
#define LBA_RANGE	.status = NVME_SC_LBA_RANGE
#define WRITE_PROT	.status = NVME_SC_NS_WRITE_PROTECTED
#define INTERNAL	.status = NVME_SC_INTERNAL

static const struct vdev_io_case vdev_io_cases[] = {
	/* Flush (Base 2.0, 7.1) */
	{ "flush", C_FLUSH(), W_FLUSH },
	{ "flush, read-only namespace", C_FLUSH(.ns = &ns_ro), W_FLUSH },
	{ "flush ignores reserved fields and PSDT",
	  C_FLUSH(.flags = RSVD0 | PSDT3,
		  .dw = { [2] = ~0U, [3] = ~0U, [10] = ~0U, [11] = ~0U,
			  [12] = ~0U, [13] = ~0U, [14] = ~0U, [15] = ~0U }),
	  W_FLUSH },
	{ "flush, broadcast NSID: VWC says 10b", C_FLUSH(.nsid = NVME_NSID_ALL),
	  INVALID_NS },
	{ "flush, broadcast NSID, no namespace given",
	  C_FLUSH(.nsid = NVME_NSID_ALL, .ns = NULL), INVALID_NS },
	{ "flush, fused (first)", C_FLUSH(.flags = FUSE1), INVALID_FIELD },
	{ "flush, bad namespace: 256-byte blocks", C_FLUSH(.ns = &ns_256),
	  INTERNAL },

	/* Read (NVM CS 1.0, 3.2.4) */
	{ "read one block", C_READ(RW(0, 1, 0)), W_READ(0, 1, 512) },
	{ "read the last block", C_READ(RW(NBLK - 1, 1, 0)),
	  W_READ(NBLK - 1, 1, 512) },
	{ "read one past the last block", C_READ(RW(NBLK, 1, 0)), LBA_RANGE },
	{ "read the last block and one past", C_READ(RW(NBLK - 1, 2, 0)),
	  LBA_RANGE },
	{ "read NLB max, to the end", C_READ(RW(NBLK - NLB_MAX, NLB_MAX, 0)),
	  W_READ(NBLK - NLB_MAX, NLB_MAX, 32 * SZ_1M) },
	{ "read NLB max, one past the end",
	  C_READ(RW(NBLK - NLB_MAX + 1, NLB_MAX, 0)), LBA_RANGE },
	{ "read, SLBA U64_MAX", C_READ(RW(U64_MAX, 1, 0)), LBA_RANGE },
	{ "read, SLBA + NLB wraps to 0",
	  C_READ(RW(0ULL - NLB_MAX, NLB_MAX, 0)), LBA_RANGE },
	{ "read, SLBA + NLB wraps to 1",
	  C_READ(RW(0ULL - NLB_MAX + 1, NLB_MAX, 0)), LBA_RANGE },
	{ "read 4 KiB blocks", C_READ(RW(3, 2, 0), .ns = &ns_4k),
	  W_READ(24, 16, SZ_8K) },
	{ "read NLB max of 4 KiB blocks",
	  C_READ(RW(5, NLB_MAX, 0), .ns = &ns_4k),
	  W_READ(40, 8 * NLB_MAX, 256 * SZ_1M) },
	{ "read 4 KiB, one past the end", C_READ(RW(NBLK, 1, 0), .ns = &ns_4k),
	  LBA_RANGE },
	{ "read 64 KiB blocks, the last",
	  C_READ(RW(NBLK - 1, 1, 0), .ns = &ns_64k),
	  W_READ((NBLK - 1) * 128, 128, SZ_64K) },
	{ "huge namespace: NLB max up to U64_MAX",
	  C_READ(RW(U64_MAX - NLB_MAX, NLB_MAX, 0), .ns = &ns_huge),
	  W_READ(U64_MAX - NLB_MAX, NLB_MAX, 32 * SZ_1M) },
	{ "huge namespace: one past",
	  C_READ(RW(U64_MAX - NLB_MAX + 1, NLB_MAX, 0), .ns = &ns_huge),
	  LBA_RANGE },
	{ "huge namespace: SLBA U64_MAX",
	  C_READ(RW(U64_MAX, 1, 0), .ns = &ns_huge), LBA_RANGE },
	{ "largest 4 KiB namespace: its last block",
	  C_READ(RW((U64_MAX >> 3) - 1, 1, 0), .ns = &ns_4k_huge),
	  W_READ(U64_MAX - 15, 8, SZ_4K) },
	{ "empty namespace", C_READ(RW(0, 1, 0), .ns = &ns_empty), LBA_RANGE },
	{ "read with FUA", C_READ(RW(9, 1, FUA)),
	  W_READ(9, 1, 512, .fua = true) },
	{ "read with limited retry", C_READ(RW(9, 1, LR)), W_READ(9, 1, 512) },
	{ "read, SGL (PSDT 01b)", C_READ(RW(0, 4, 0), .flags = SGL1),
	  W_READ(0, 4, SZ_2K, .sgl = true) },
	{ "read, SGL (PSDT 10b)", C_READ(RW(0, 4, 0), .flags = SGL2),
	  W_READ(0, 4, SZ_2K, .sgl = true) },
	{ "read, PSDT 11b", C_READ(RW(0, 4, 0), .flags = PSDT3),
	  INVALID_FIELD },
	{ "read ignores reserved fields, tags, hints and MPTR",
	  C_READ(RW(0, 1, 0x02ff, [2] = ~0U, [3] = ~0U, [4] = ~0U,
		    [5] = ~0U, [13] = ~0U, [14] = ~0U, [15] = ~0U),
		 .flags = RSVD0),
	  W_READ(0, 1, 512) },
	{ "read, PRACT", C_READ(RW(0, 1, PRACT)), INVALID_FIELD },
	{ "read, PRCHK guard", C_READ(RW(0, 1, PRCHK_GUARD)), INVALID_FIELD },
	{ "read, PRCHK application tag", C_READ(RW(0, 1, PRCHK_APP)),
	  INVALID_FIELD },
	{ "read, PRCHK reference tag", C_READ(RW(0, 1, PRCHK_REF)),
	  INVALID_FIELD },
	{ "read, storage tag check", C_READ(RW(0, 1, STC)), INVALID_FIELD },
	{ "read, read-only namespace", C_READ(RW(0, 1, 0), .ns = &ns_ro),
	  W_READ(0, 1, 512) },
	{ "read, fused (first)", C_READ(RW(0, 1, 0), .flags = FUSE1),
	  INVALID_FIELD },
	{ "read, fused (second)", C_READ(RW(0, 1, 0), .flags = FUSE2),
	  INVALID_FIELD },
	{ "read, FUSE 11b", C_READ(RW(0, 1, 0), .flags = FUSE3),
	  INVALID_FIELD },
	{ "read, fused, NSID 0: FUSE first",
	  C_READ(RW(0, 1, 0), .flags = FUSE1, .nsid = 0), INVALID_FIELD },
	{ "read, broadcast NSID", C_READ(RW(0, 1, 0), .nsid = NVME_NSID_ALL),
	  INVALID_FIELD },
	{ "read, MDTS 128 KiB, 512-byte blocks: exactly",
	  C_READ(RW(0, 256, 0), .lim = LIM_MDTS(5)), W_READ(0, 256, SZ_128K) },
	{ "read, MDTS 128 KiB, 512-byte blocks: a block over",
	  C_READ(RW(0, 257, 0), .lim = LIM_MDTS(5)), INVALID_FIELD },
	{ "read, MDTS 128 KiB, 4 KiB blocks: exactly",
	  C_READ(RW(0, 32, 0), .ns = &ns_4k, .lim = LIM_MDTS(5)),
	  W_READ(0, 256, SZ_128K) },
	{ "read, MDTS 128 KiB, 4 KiB blocks: a block over",
	  C_READ(RW(0, 33, 0), .ns = &ns_4k, .lim = LIM_MDTS(5)),
	  INVALID_FIELD },
	{ "read, above MDTS and past the end: MDTS first",
	  C_READ(RW(NBLK, 257, 0), .lim = LIM_MDTS(5)), INVALID_FIELD },
	{ "read 4 GiB less 64 KiB, no MDTS",
	  C_READ(RW(0, NLB_MAX - 1, 0), .ns = &ns_64k),
	  W_READ(0, 128 * (NLB_MAX - 1), 0xffff0000) },
	{ "read 4 GiB, no MDTS: too much for a u32",
	  C_READ(RW(0, NLB_MAX, 0), .ns = &ns_64k), INVALID_FIELD },
	{ "read, bad namespace: 256-byte blocks",
	  C_READ(RW(0, 1, 0), .ns = &ns_256), INTERNAL },
	{ "read, bad namespace: 128 KiB blocks",
	  C_READ(RW(0, 1, 0), .ns = &ns_128k), INTERNAL },
	{ "read, bad namespace: sectors beyond a u64",
	  C_READ(RW(0, 1, 0), .ns = &ns_4k_over), INTERNAL },

	/* Write (NVM CS 1.0, 3.2.6) */
	{ "write one block", C_WRITE(RW(0, 1, 0)), W_WRITE(0, 1, 512) },
	{ "write 4 KiB blocks with FUA", C_WRITE(RW(7, 3, FUA), .ns = &ns_4k),
	  W_WRITE(56, 24, 3 * SZ_4K, .fua = true) },
	{ "write the last block", C_WRITE(RW(NBLK - 1, 1, 0)),
	  W_WRITE(NBLK - 1, 1, 512) },
	{ "write one past the last block", C_WRITE(RW(NBLK, 1, 0)), LBA_RANGE },
	{ "write, SLBA + NLB wraps to 0", C_WRITE(RW(0ULL - 1, 1, 0)),
	  LBA_RANGE },
	{ "write, read-only namespace", C_WRITE(RW(0, 1, 0), .ns = &ns_ro),
	  WRITE_PROT },
	{ "write, read-only namespace and PRACT: write protection first",
	  C_WRITE(RW(0, 1, PRACT), .ns = &ns_ro), WRITE_PROT },
	{ "write, PRACT", C_WRITE(RW(0, 1, PRACT)), INVALID_FIELD },
	{ "write, PRCHK all", C_WRITE(RW(0, 1, PRCHK_GUARD | PRCHK_APP |
				       PRCHK_REF)), INVALID_FIELD },
	{ "write, storage tag check", C_WRITE(RW(0, 1, STC)), INVALID_FIELD },
	{ "write, streams directive: directives are ignored",
	  C_WRITE(RW(0, 1, DTYPE_STREAMS, [13] = 0x00050000)),
	  W_WRITE(0, 1, 512) },
	{ "write, SGL", C_WRITE(RW(0, 1, 0), .flags = SGL1),
	  W_WRITE(0, 1, 512, .sgl = true) },
	{ "write, PSDT 11b", C_WRITE(RW(0, 1, 0), .flags = PSDT3),
	  INVALID_FIELD },
	{ "write, MDTS 8 KiB: exactly", C_WRITE(RW(0, 2, 0), .ns = &ns_4k,
					       .lim = LIM_MDTS(1)),
	  W_WRITE(0, 16, SZ_8K) },
	{ "write, MDTS 8 KiB: a block over", C_WRITE(RW(0, 3, 0), .ns = &ns_4k,
						    .lim = LIM_MDTS(1)),
	  INVALID_FIELD },
	{ "write, fused (second)", C_WRITE(RW(0, 1, 0), .flags = FUSE2),
	  INVALID_FIELD },
	{ "write, broadcast NSID", C_WRITE(RW(0, 1, 0), .nsid = NVME_NSID_ALL),
	  INVALID_FIELD },
	{ "write, bad namespace", C_WRITE(RW(0, 1, 0), .ns = &ns_128k),
	  INTERNAL },

	/* Write Zeroes (NVM CS 1.0, 3.2.8) */
	{ "write zeroes", C_WZ(RW(8, 16, 0)), W_WZ(8, 16, 2048) },
	{ "write zeroes, DEAC", C_WZ(RW(8, 16, DEAC)),
	  W_WZ(8, 16, 2048, .unmap = true) },
	{ "write zeroes, FUA", C_WZ(RW(8, 16, FUA)),
	  W_WZ(8, 16, 2048, .fua = true) },
	{ "write zeroes, no device limit: zero pages",
	  C_WZ(RW(2, 4, DEAC), .ns = &ns_4k), W_WZ(16, 32, 0, .unmap = true) },
	{ "write zeroes, a limit beyond a u32 of sectors",
	  C_WZ(RW(0, 1, 0), .ns = &ns_4k_huge), W_WZ(0, 8, 0xfffffff8) },
	{ "write zeroes, U64_MAX blocks a bio, 512-byte blocks",
	  C_WZ(RW(0, 1, 0), .ns = &ns_huge), W_WZ(0, 1, U32_MAX) },
	{ "write zeroes, NLB max above MDTS: no data, no limit",
	  C_WZ(RW(0, NLB_MAX, 0), .ns = &ns_64k, .lim = LIM_MDTS(1)),
	  W_WZ(0, 128 * NLB_MAX, 0) },
	{ "write zeroes, the last block", C_WZ(RW(NBLK - 1, 1, 0)),
	  W_WZ(NBLK - 1, 1, 2048) },
	{ "write zeroes, one past the last block", C_WZ(RW(NBLK, 1, 0)),
	  LBA_RANGE },
	{ "write zeroes, SLBA + NLB wraps",
	  C_WZ(RW(0ULL - 2, 3, 0), .ns = &ns_huge), LBA_RANGE },
	{ "write zeroes, read-only namespace", C_WZ(RW(0, 1, 0), .ns = &ns_ro),
	  WRITE_PROT },
	{ "write zeroes, PRACT", C_WZ(RW(0, 1, PRACT)), INVALID_FIELD },
	{ "write zeroes, PRCHK reference tag", C_WZ(RW(0, 1, PRCHK_REF)),
	  INVALID_FIELD },
	{ "write zeroes, storage tag check", C_WZ(RW(0, 1, STC)),
	  INVALID_FIELD },
	{ "write zeroes ignores PSDT and reserved fields",
	  C_WZ(RW(0, 1, 0x00ff, [2] = ~0U, [13] = ~0U), .flags = PSDT3 | RSVD0),
	  W_WZ(0, 1, 2048) },
	{ "write zeroes, fused", C_WZ(RW(0, 1, 0), .flags = FUSE1),
	  INVALID_FIELD },
	{ "write zeroes, broadcast NSID", C_WZ(RW(0, 1, 0),
					      .nsid = NVME_NSID_ALL),
	  INVALID_FIELD },

	/* Dataset Management (NVM CS 1.0, 3.2.3) */
	{ "deallocate, one range", C_DSM(RANGES(1, AD)),
	  W_DEALLOC(1, 16, 8192) },
	{ "deallocate, 256 ranges", C_DSM(RANGES(256, AD)),
	  W_DEALLOC(256, 4096, 8192) },
	{ "deallocate, 256 ranges under the least MDTS",
	  C_DSM(RANGES(256, AD), .lim = LIM_MDTS(1)),
	  W_DEALLOC(256, 4096, 8192) },
	{ "deallocate, NR's reserved bits",
	  C_DSM(.dw = { [10] = 0xffffff03, [11] = AD }),
	  W_DEALLOC(4, 64, 8192) },
	{ "deallocate, all attribute bits", C_DSM(RANGES(2, ~0U)),
	  W_DEALLOC(2, 32, 8192) },
	{ "deallocate, SGL", C_DSM(RANGES(2, AD), .flags = SGL2),
	  W_DEALLOC(2, 32, 8192, .sgl = true) },
	{ "deallocate, PSDT 11b", C_DSM(RANGES(2, AD), .flags = PSDT3),
	  INVALID_FIELD },
	{ "deallocate, a device that cannot discard",
	  C_DSM(RANGES(1, AD), .ns = &ns_4k), W_DEALLOC(1, 16, 0) },
	{ "deallocate, U64_MAX blocks a bio",
	  C_DSM(RANGES(1, AD), .ns = &ns_huge), W_DEALLOC(1, 16, U32_MAX) },
	{ "deallocate, 2^40 blocks a bio of 4 KiB",
	  C_DSM(RANGES(1, AD), .ns = &ns_4k_huge),
	  W_DEALLOC(1, 16, 0xfffffff8) },
	{ "deallocate, read-only namespace",
	  C_DSM(RANGES(1, AD), .ns = &ns_ro), WRITE_PROT },
	{ "dataset management, IDR and IDW only: nothing to do",
	  C_DSM(RANGES(8, IDR | IDW)), W_NONE },
	{ "dataset management, no attribute", C_DSM(RANGES(8, 0)), W_NONE },
	{ "dataset management without AD, read-only namespace",
	  C_DSM(RANGES(8, IDR), .ns = &ns_ro), W_NONE },
	{ "dataset management without AD, PSDT 11b",
	  C_DSM(RANGES(8, IDW), .flags = PSDT3), W_NONE },
	{ "dataset management, fused", C_DSM(RANGES(1, AD), .flags = FUSE3),
	  INVALID_FIELD },
	{ "deallocate, broadcast NSID",
	  C_DSM(RANGES(1, AD), .nsid = NVME_NSID_ALL), INVALID_FIELD },
	{ "dataset management without AD, inactive NSID",
	  C_DSM(RANGES(1, 0), .nsid = 3, .ns = NULL), INVALID_FIELD },
	{ "deallocate, bad namespace", C_DSM(RANGES(1, AD), .ns = &ns_256),
	  INTERNAL },

	/* Opcodes we do not serve */
	{ "Write Uncorrectable", CMD(0x04), .status = NVME_SC_INVALID_OPCODE },
	{ "Compare", CMD(0x05), .status = NVME_SC_INVALID_OPCODE },
	{ "Verify", CMD(0x0c), .status = NVME_SC_INVALID_OPCODE },
	{ "Reservation Register", CMD(0x0d),
	  .status = NVME_SC_INVALID_OPCODE },
	{ "Reservation Report", CMD(0x0e), .status = NVME_SC_INVALID_OPCODE },
	{ "Reservation Acquire", CMD(0x11), .status = NVME_SC_INVALID_OPCODE },
	{ "Reservation Release", CMD(0x15), .status = NVME_SC_INVALID_OPCODE },
	{ "Copy", CMD(0x19), .status = NVME_SC_INVALID_OPCODE },
	{ "Zone Append", CMD(0x7d), .status = NVME_SC_INVALID_OPCODE },
	{ "vendor specific 80h", CMD(0x80), .status = NVME_SC_INVALID_OPCODE },
	{ "opcode FFh", CMD(0xff), .status = NVME_SC_INVALID_OPCODE },
	{ "unknown opcode, fused, NSID 0: the opcode first",
	  CMD(0x05, .flags = FUSE1, .nsid = 0, .ns = NULL),
	  .status = NVME_SC_INVALID_OPCODE },
};

/* The submission queue entry of a case, dword by dword, little-endian. */
static void vdev_io_sqe(struct nvme_command *cmd, const struct vdev_io_case *c)
{
	__le32 *dw = (__le32 *)cmd;
	int i;

	BUILD_BUG_ON(sizeof(*cmd) != 64);
	dw[0] = cpu_to_le32(c->opcode | c->flags << 8 | 0xbeefU << 16);
	dw[1] = cpu_to_le32(c->nsid);
	for (i = 2; i < 16; i++)
		dw[i] = cpu_to_le32(c->dw[i]);
	dw[10] = cpu_to_le32(c->dw[10] + lower_32_bits(c->slba));
	dw[11] = cpu_to_le32(c->dw[11] + upper_32_bits(c->slba));
}

static void vdev_io_expect(struct kunit *test, const struct vdev_nvme_io *io,
			   const struct vdev_nvme_io *want)
{
	KUNIT_EXPECT_EQ(test, io->op, want->op);
	KUNIT_EXPECT_EQ(test, io->sector, want->sector);
	KUNIT_EXPECT_EQ(test, io->nr_sectors, want->nr_sectors);
	KUNIT_EXPECT_EQ(test, io->dir, want->dir);
	KUNIT_EXPECT_EQ(test, io->len, want->len);
	KUNIT_EXPECT_EQ(test, io->sgl, want->sgl);
	KUNIT_EXPECT_EQ(test, io->fua, want->fua);
	KUNIT_EXPECT_EQ(test, io->unmap, want->unmap);
	KUNIT_EXPECT_EQ(test, io->max_bio_sectors, want->max_bio_sectors);
	KUNIT_EXPECT_EQ(test, io->nr_ranges, want->nr_ranges);
}

static void vdev_io_parse_test(struct kunit *test)
{
	static const struct vdev_nvme_io empty = {
		.op = VDEV_NVME_IO_NONE, .dir = DMA_NONE,
	};
	const struct vdev_io_case *c = test->param_value;
	struct nvme_command cmd;
	struct vdev_nvme_io io;

	vdev_io_sqe(&cmd, c);
	memset(&io, POISON, sizeof(io));
	KUNIT_EXPECT_EQ(test, vdev_nvme_io_parse(&cmd, c->ns, &c->lim, &io),
			c->status);
	/* A failed parse leaves nothing that looks like work. */
	vdev_io_expect(test, &io, c->status ? &empty : &c->want);
}

/*
 * A command of @opcode valid for each of the five served: CDW10-11 are
 * SLBA 2^34 (inside ns_huge) or one range to deallocate, CDW12 one block.
 */
static void vdev_io_any_sqe(struct nvme_command *cmd, u8 opcode, u32 nsid)
{
	struct vdev_io_case c = {
		.opcode = opcode, .nsid = nsid, .dw = { [11] = AD },
	};

	vdev_io_sqe(cmd, &c);
}

static bool vdev_io_served(unsigned int opcode)
{
	return opcode == 0x00 || opcode == 0x01 || opcode == 0x02 ||
	       opcode == 0x08 || opcode == 0x09;
}

/* Exactly the five commands are served, whatever the opcode byte. */
static void vdev_io_opcode_test(struct kunit *test)
{
	const struct vdev_nvme_io_limits lim = LIM;
	struct nvme_command cmd;
	struct vdev_nvme_io io;
	unsigned int op;
	u16 status;

	for (op = 0; op < 256; op++) {
		vdev_io_any_sqe(&cmd, op, 1);
		status = vdev_nvme_io_parse(&cmd, &ns_huge, &lim, &io);
		KUNIT_EXPECT_EQ_MSG(test, status,
				    vdev_io_served(op) ? 0 :
				    NVME_SC_INVALID_OPCODE, "opcode %02xh", op);
	}
}

/**
 * struct vdev_io_nsid_case - an NSID, tried with each served opcode
 * @desc: the case's name
 * @nsid: the command's NSID
 * @attached: the caller found a namespace for it
 * @flush: the status expected of Flush
 * @other: the status expected of the other four
 */
struct vdev_io_nsid_case {
	const char *desc;
	u32 nsid;
	bool attached;
	u16 flush;
	u16 other;
};

static const struct vdev_io_nsid_case vdev_io_nsid_cases[] = {
	{ "NSID 1", 1, true, 0, 0 },
	{ "NSID NN, the highest valid", NN, true, 0, 0 },
	{ "NSID 0", 0, false, NVME_SC_INVALID_NS, NVME_SC_INVALID_NS },
	{ "NSID 0, a namespace given all the same", 0, true,
	  NVME_SC_INVALID_NS, NVME_SC_INVALID_NS },
	{ "NSID NN + 1", NN + 1, false, NVME_SC_INVALID_NS,
	  NVME_SC_INVALID_NS },
	{ "NSID NN + 1, a namespace given", NN + 1, true, NVME_SC_INVALID_NS,
	  NVME_SC_INVALID_NS },
	{ "NSID FFFFFFFEh", 0xfffffffe, false, NVME_SC_INVALID_NS,
	  NVME_SC_INVALID_NS },
	{ "broadcast NSID", NVME_NSID_ALL, false, NVME_SC_INVALID_NS,
	  NVME_SC_INVALID_FIELD },
	{ "broadcast NSID, a namespace given", NVME_NSID_ALL, true,
	  NVME_SC_INVALID_NS, NVME_SC_INVALID_FIELD },
	{ "inactive NSID 7", 7, false, NVME_SC_INVALID_FIELD,
	  NVME_SC_INVALID_FIELD },
	{ "inactive NSID NN", NN, false, NVME_SC_INVALID_FIELD,
	  NVME_SC_INVALID_FIELD },
};

static void vdev_io_nsid_test(struct kunit *test)
{
	static const u8 ops[] = { nvme_cmd_flush, nvme_cmd_write, nvme_cmd_read,
				  nvme_cmd_write_zeroes, nvme_cmd_dsm };
	const struct vdev_io_nsid_case *c = test->param_value;
	const struct vdev_nvme_io_limits lim = LIM;
	struct nvme_command cmd;
	struct vdev_nvme_io io;
	unsigned int i;
	u16 want;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		vdev_io_any_sqe(&cmd, ops[i], c->nsid);
		want = ops[i] == nvme_cmd_flush ? c->flush : c->other;
		KUNIT_EXPECT_EQ_MSG(test,
				    vdev_nvme_io_parse(&cmd,
						       c->attached ? &ns_huge :
						       NULL, &lim, &io),
				    want, "opcode %02xh", ops[i]);
		if (want)
			KUNIT_EXPECT_EQ(test, io.op, VDEV_NVME_IO_NONE);
	}
}

/* --- MDTS: the rounding Identify reports is the limit ------------------- */

/**
 * struct vdev_io_mdts_case - a controller's transfer limit and one read
 * @desc: the case's name
 * @max_xfer: the controller's byte limit (vdev_nvme_id_cfg.max_xfer)
 * @mdts: the MDTS Identify must report for it
 * @bytes: the limit that MDTS says
 * @ns: the namespace read
 * @nlb: blocks read
 * @status: the parse's status
 */
struct vdev_io_mdts_case {
	const char *desc;
	u32 max_xfer;
	u8 mdts;
	u64 bytes;
	const struct vdev_nvme_ns_info *ns;
	u32 nlb;
	u16 status;
};

static const struct vdev_io_mdts_case vdev_io_mdts_cases[] = {
	{ "128 KiB: 256 blocks of 512", SZ_128K, 5, SZ_128K, &ns_512, 256, 0 },
	{ "128 KiB: 257 blocks of 512", SZ_128K, 5, SZ_128K, &ns_512, 257,
	  NVME_SC_INVALID_FIELD },
	{ "192 KiB says 128 KiB: 256 blocks", SZ_128K + SZ_64K, 5, SZ_128K,
	  &ns_512, 256, 0 },
	{ "192 KiB says 128 KiB: 257 blocks are refused",
	  SZ_128K + SZ_64K, 5, SZ_128K, &ns_512, 257, NVME_SC_INVALID_FIELD },
	{ "8 KiB: 2 blocks of 4 KiB", SZ_8K, 1, SZ_8K, &ns_4k, 2, 0 },
	{ "8 KiB: 3 blocks of 4 KiB", SZ_8K, 1, SZ_8K, &ns_4k, 3,
	  NVME_SC_INVALID_FIELD },
	{ "U32_MAX says 2 GiB: 32768 blocks of 64 KiB", U32_MAX, 19, SZ_2G,
	  &ns_64k, 32768, 0 },
	{ "U32_MAX says 2 GiB: 32769 blocks of 64 KiB", U32_MAX, 19, SZ_2G,
	  &ns_64k, 32769, NVME_SC_INVALID_FIELD },
	{ "no limit: NLB max of 4 KiB", 0, 0, 0, &ns_4k, NLB_MAX, 0 },
	{ "no limit: NLB max of 64 KiB is 4 GiB", 0, 0, 0, &ns_64k, NLB_MAX,
	  NVME_SC_INVALID_FIELD },
};

static void vdev_io_mdts_test(struct kunit *test)
{
	const struct vdev_io_mdts_case *c = test->param_value;
	struct vdev_nvme_io_limits lim = { .nn = NN };
	struct vdev_io_case rd = { C_READ(RW(0, c->nlb, 0)) };
	struct nvme_command cmd;
	struct vdev_nvme_io io;

	KUNIT_ASSERT_EQ(test, vdev_nvme_id_mdts(c->max_xfer, &lim.mdts), 0);
	KUNIT_EXPECT_EQ(test, lim.mdts, c->mdts);
	KUNIT_EXPECT_EQ(test, vdev_nvme_mdts_bytes(lim.mdts), c->bytes);
	vdev_io_sqe(&cmd, &rd);
	KUNIT_EXPECT_EQ(test, vdev_nvme_io_parse(&cmd, c->ns, &lim, &io),
			c->status);
	if (!c->status)
		KUNIT_EXPECT_EQ(test, io.len, (u64)c->nlb << c->ns->lba_shift);
}

/* The limit of every MDTS value, and those past what a u64 holds. */
static void vdev_io_mdts_bytes_test(struct kunit *test)
{
	unsigned int m;

	KUNIT_EXPECT_EQ(test, vdev_nvme_mdts_bytes(0), 0);
	for (m = 1; m <= 51; m++)
		KUNIT_EXPECT_EQ_MSG(test, vdev_nvme_mdts_bytes(m),
				    1ULL << (12 + m), "MDTS %u", m);
	for (m = 52; m <= 255; m++)
		KUNIT_EXPECT_EQ_MSG(test, vdev_nvme_mdts_bytes(m), 0,
				    "MDTS %u", m);
}

/* --- Dataset Management ranges ------------------------------------------- */

/**
 * struct vdev_io_range_case - one range and what it deallocates
 * @desc: the case's name
 * @ns: the namespace
 * @slba: the range's starting LBA
 * @nlb: its length in blocks
 * @cattr: its context attributes
 * @status: the status expected
 * @sector: the first sector expected
 * @nr_sectors: the sectors expected
 */
struct vdev_io_range_case {
	const char *desc;
	const struct vdev_nvme_ns_info *ns;
	u64 slba;
	u32 nlb;
	u32 cattr;
	u16 status;
	u64 sector;
	u64 nr_sectors;
};

static const struct vdev_io_range_case vdev_io_range_cases[] = {
	{ "the first block", &ns_512, 0, 1, 0, 0, 0, 1 },
	{ "the last block", &ns_512, NBLK - 1, 1, 0, 0, NBLK - 1, 1 },
	{ "one past the last block", &ns_512, NBLK, 1, 0, NVME_SC_LBA_RANGE },
	{ "the last block and one past", &ns_512, NBLK - 1, 2, 0,
	  NVME_SC_LBA_RANGE },
	{ "the whole namespace", &ns_512, 0, NBLK, 0, 0, 0, NBLK },
	{ "4 KiB blocks", &ns_4k, 5, 3, 0, 0, 40, 24 },
	{ "U32_MAX blocks of 4 KiB: more sectors than a u32", &ns_4k_huge,
	  1, U32_MAX, 0, 0, 8, (u64)U32_MAX << 3 },
	{ "huge namespace: up to U64_MAX", &ns_huge, U64_MAX - U32_MAX,
	  U32_MAX, 0, 0, U64_MAX - U32_MAX, U32_MAX },
	{ "huge namespace: SLBA U64_MAX", &ns_huge, U64_MAX, 1, 0,
	  NVME_SC_LBA_RANGE },
	{ "SLBA + length wraps to 0", &ns_huge, U64_MAX - U32_MAX + 1,
	  U32_MAX, 0, NVME_SC_LBA_RANGE },
	{ "SLBA + length wraps past 0", &ns_512, U64_MAX, 2, 0,
	  NVME_SC_LBA_RANGE },
	{ "length 0 names no block", &ns_512, 17, 0, 0, 0, 0, 0 },
	{ "length 0 past the end names none either", &ns_512, U64_MAX, 0, 0,
	  0, 0, 0 },
	{ "context attributes are hints", &ns_512, 8, 8, ~0U, 0, 8, 8 },
	{ "empty namespace", &ns_empty, 0, 1, 0, NVME_SC_LBA_RANGE },
	{ "bad namespace", &ns_256, 0, 1, 0, NVME_SC_INTERNAL },
};

static void vdev_io_range_test(struct kunit *test)
{
	const struct vdev_io_range_case *c = test->param_value;
	struct nvme_dsm_range r;
	u64 sector = 1, nr = 1;
	__le32 *dw = (__le32 *)&r;

	/* Figure "Dataset Management - Range Definition": dwords 0 to 3. */
	BUILD_BUG_ON(sizeof(r) != 16);
	dw[0] = cpu_to_le32(c->cattr);
	dw[1] = cpu_to_le32(c->nlb);
	dw[2] = cpu_to_le32(lower_32_bits(c->slba));
	dw[3] = cpu_to_le32(upper_32_bits(c->slba));
	KUNIT_EXPECT_EQ(test, vdev_nvme_dsm_range(&r, c->ns, &sector, &nr),
			c->status);
	KUNIT_EXPECT_EQ(test, sector, c->sector);
	KUNIT_EXPECT_EQ(test, nr, c->nr_sectors);
}

/* --- block layer status ------------------------------------------------- */

/**
 * struct vdev_io_blk_case - a block layer status and its NVMe status
 * @desc: the case's name
 * @sts: the bios' status
 * @op: the command's operation
 * @status: the NVMe status expected, as SCT << 8 | SC
 * @dnr: DNR expected
 */
struct vdev_io_blk_case {
	const char *desc;
	blk_status_t sts;
	enum vdev_nvme_io_op op;
	u16 status;
	bool dnr;
};

#define OPR	VDEV_NVME_IO_READ
#define OPW	VDEV_NVME_IO_WRITE
#define OPZ	VDEV_NVME_IO_WRITE_ZEROES
#define OPD	VDEV_NVME_IO_DEALLOCATE
#define OPF	VDEV_NVME_IO_FLUSH

static const struct vdev_io_blk_case vdev_io_blk_cases[] = {
	{ "OK", BLK_STS_OK, OPR, 0x000, false },
	{ "OK, deallocate", BLK_STS_OK, OPD, 0x000, false },
	{ "NOSPC: Capacity Exceeded", BLK_STS_NOSPC, OPW, 0x081, true },
	{ "TARGET: LBA Out of Range", BLK_STS_TARGET, OPR, 0x080, true },
	{ "RESV_CONFLICT: Reservation Conflict", BLK_STS_RESV_CONFLICT, OPW,
	  0x083, true },
	{ "NOTSUPP, write zeroes: Invalid Opcode", BLK_STS_NOTSUPP, OPZ, 0x001,
	  true },
	{ "NOTSUPP, deallocate: Invalid Opcode", BLK_STS_NOTSUPP, OPD, 0x001,
	  true },
	{ "NOTSUPP, read: Internal Error", BLK_STS_NOTSUPP, OPR, 0x006, true },
	{ "NOTSUPP, write: Internal Error", BLK_STS_NOTSUPP, OPW, 0x006, true },
	{ "NOTSUPP, flush: Internal Error", BLK_STS_NOTSUPP, OPF, 0x006, true },
	{ "INVAL: Internal Error", BLK_STS_INVAL, OPW, 0x006, true },
	{ "MEDIUM, read: Unrecovered Read Error", BLK_STS_MEDIUM, OPR, 0x281,
	  true },
	{ "MEDIUM, write: Write Fault", BLK_STS_MEDIUM, OPW, 0x280, true },
	{ "MEDIUM, write zeroes: Write Fault", BLK_STS_MEDIUM, OPZ, 0x280,
	  true },
	{ "MEDIUM, flush: Write Fault", BLK_STS_MEDIUM, OPF, 0x280, true },
	{ "MEDIUM, deallocate: Internal Error", BLK_STS_MEDIUM, OPD, 0x006,
	  true },
	{ "IOERR, read", BLK_STS_IOERR, OPR, 0x281, true },
	{ "IOERR, write", BLK_STS_IOERR, OPW, 0x280, true },
	{ "IOERR, flush", BLK_STS_IOERR, OPF, 0x280, true },
	{ "IOERR, deallocate", BLK_STS_IOERR, OPD, 0x006, true },
	{ "PROTECTION, read: no PI here, a media error", BLK_STS_PROTECTION,
	  OPR, 0x281, true },
	{ "PROTECTION, write", BLK_STS_PROTECTION, OPW, 0x280, true },
	{ "TRANSPORT, read", BLK_STS_TRANSPORT, OPR, 0x281, true },
	{ "DURATION_LIMIT, write", BLK_STS_DURATION_LIMIT, OPW, 0x280, true },
	{ "an unknown status, read", (__force blk_status_t)200, OPR, 0x281,
	  true },
	{ "RESOURCE: Namespace Not Ready, retry", BLK_STS_RESOURCE, OPR, 0x082,
	  false },
	{ "DEV_RESOURCE: Namespace Not Ready, retry", BLK_STS_DEV_RESOURCE,
	  OPW, 0x082, false },
	{ "AGAIN: Namespace Not Ready, retry", BLK_STS_AGAIN, OPW, 0x082,
	  false },
	{ "TIMEOUT: Namespace Not Ready, retry", BLK_STS_TIMEOUT, OPF, 0x082,
	  false },
	{ "OFFLINE: Namespace Not Ready, final", BLK_STS_OFFLINE, OPR, 0x082,
	  true },
};

static void vdev_io_blk_test(struct kunit *test)
{
	const struct vdev_io_blk_case *c = test->param_value;
	bool dnr = !c->dnr;

	KUNIT_EXPECT_EQ(test, vdev_nvme_blk_status(c->sts, c->op, &dnr),
			c->status);
	KUNIT_EXPECT_EQ(test, dnr, c->dnr);
}

/* --- completion status field ---------------------------------------------- */

/**
 * struct vdev_io_cqe_case - a status and its completion entry field
 * @desc: the case's name
 * @status: the NVMe status
 * @dnr: Do Not Retry
 * @phase: the phase tag
 * @field: the 16-bit Status field expected (bit 0 the phase tag)
 */
struct vdev_io_cqe_case {
	const char *desc;
	u16 status;
	bool dnr;
	bool phase;
	u16 field;
};

static const struct vdev_io_cqe_case vdev_io_cqe_cases[] = {
	{ "success, phase 0", 0x000, false, false, 0x0000 },
	{ "success, phase 1", 0x000, false, true, 0x0001 },
	{ "success never carries DNR", 0x000, true, true, 0x0001 },
	{ "Invalid Field, DNR, phase 1", 0x002, true, true, 0x8005 },
	{ "Invalid Opcode, DNR, phase 0", 0x001, true, false, 0x8002 },
	{ "LBA Out of Range, SCT 0 SC 80h", 0x080, true, false, 0x8100 },
	{ "Namespace Not Ready, no DNR", 0x082, false, true, 0x0105 },
	{ "Write Fault, SCT 2", 0x280, true, false, 0x8500 },
	{ "Unrecovered Read Error, phase 1", 0x281, true, true, 0x8503 },
	{ "Invalid Queue Identifier, SCT 1", 0x101, false, false, 0x0202 },
	{ "Host Aborted Command, SCT 3 SC 71h", 0x371, false, false, 0x06e2 },
	{ "DNR inside the status counts", 0x400b, false, false, 0x8016 },
	{ "More and CRD bits are dropped", 0x3806, false, true, 0x000d },
};

static void vdev_io_cqe_test(struct kunit *test)
{
	const struct vdev_io_cqe_case *c = test->param_value;
	__le16 field = vdev_nvme_cqe_status(c->status, c->dnr, c->phase);
	const u8 *b = (const u8 *)&field;

	/* Little-endian whatever the CPU: the low byte holds the phase tag. */
	KUNIT_EXPECT_EQ(test, b[0], c->field & 0xff);
	KUNIT_EXPECT_EQ(test, b[1], c->field >> 8);
}

/* --- the suite ------------------------------------------------------------ */

KUNIT_ARRAY_PARAM_DESC(vdev_io_parse, vdev_io_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_io_nsid, vdev_io_nsid_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_io_mdts, vdev_io_mdts_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_io_range, vdev_io_range_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_io_blk, vdev_io_blk_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_io_cqe, vdev_io_cqe_cases, desc);

static struct kunit_case vdev_nvme_io_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_io_parse_test, vdev_io_parse_gen_params),
	KUNIT_CASE(vdev_io_opcode_test),
	KUNIT_CASE_PARAM(vdev_io_nsid_test, vdev_io_nsid_gen_params),
	KUNIT_CASE_PARAM(vdev_io_mdts_test, vdev_io_mdts_gen_params),
	KUNIT_CASE(vdev_io_mdts_bytes_test),
	KUNIT_CASE_PARAM(vdev_io_range_test, vdev_io_range_gen_params),
	KUNIT_CASE_PARAM(vdev_io_blk_test, vdev_io_blk_gen_params),
	KUNIT_CASE_PARAM(vdev_io_cqe_test, vdev_io_cqe_gen_params),
	{}
};

static struct kunit_suite vdev_nvme_io_test_suite = {
	.name = "vdev_nvme_io",
	.test_cases = vdev_nvme_io_test_cases,
};

kunit_test_suite(vdev_nvme_io_test_suite);
