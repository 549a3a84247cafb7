// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: NVMe data pointer walks. PRP lists and SGL segments are laid out
 * in real pinned guest memory, as a host driver would lay them out, or a
 * hostile one: misaligned, outside the map, pointing back at themselves.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/nvme.h>
#include <linux/shmem_fs.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kunit_util.h"
#include "mem.h"
#include "nvme_dptr.h"

#define PG		4096ULL		/* an NVMe page (CC.MPS 0), not PAGE_SIZE */
#define MEM_GPA		0x100000ULL	/* the map: one region of 64 pages */
#define MEM_PAGES	64
#define P(n)		(MEM_GPA + (n) * PG)	/* page n of the map */
#define MEM_END		P(MEM_PAGES)		/* the first byte after it */
#define OUT		0x2000ULL		/* outside the map */
#define TOP		(U64_MAX - PG + 1)	/* the last page of GPA space */
#define NSEGS		16			/* segs unless a case says */

/* SGL descriptor type bytes, subtype Address unless named otherwise. */
#define DATA		(NVME_SGL_FMT_DATA_DESC << 4)
#define BITB		0x10	/* Bit Bucket: linux/nvme.h has no name */
#define SEG		(NVME_SGL_FMT_SEG_DESC << 4)
#define LAST		(NVME_SGL_FMT_LAST_SEG_DESC << 4)
#define KEYED		(NVME_KEY_SGL_FMT_DATA_DESC << 4)
#define TPORT		(NVME_TRANSPORT_SGL_DATA_DESC << 4)

/* An SGL descriptor as a test writes it, in CPU order. */
struct vdev_sgld {
	u64 addr;
	u32 len;
	u8 type;
};

/* What a case writes to guest memory: PRP entries or SGL descriptors. */
struct vdev_dptr_put {
	u64 gpa;
	const u64 *prp;
	const struct vdev_sgld *sgl;
	unsigned int n;
};

#define PRPS(at, ...)							\
	{ .gpa = (at), .prp = (const u64[]){ __VA_ARGS__ },		\
	  .n = ARRAY_SIZE(((const u64[]){ __VA_ARGS__ })) }
#define SGLS(at, ...)							\
	{ .gpa = (at), .sgl = (const struct vdev_sgld[]){ __VA_ARGS__ },	\
	  .n = ARRAY_SIZE(((const struct vdev_sgld[]){ __VA_ARGS__ })) }

/**
 * struct vdev_dptr_case - one walk and what it must give
 * @desc: the case's name
 * @page_size: 0: 4 KiB
 * @max_len: MDTS in bytes, 0: none
 * @max_segs: 0: %NSEGS
 * @prp1: PRP entry 1 (PRP cases)
 * @prp2: PRP entry 2 (PRP cases)
 * @sgl: the command's descriptor (SGL cases)
 * @len: the transfer length
 * @put: lists and segments in guest memory
 * @status: the NVMe status expected
 * @segs: the segments expected on success, up to the first of length 0
 */
struct vdev_dptr_case {
	const char *desc;
	u32 page_size;
	u32 max_len;
	unsigned int max_segs;
	u64 prp1;
	u64 prp2;
	struct vdev_sgld sgl;
	u32 len;
	struct vdev_dptr_put put[3];
	u16 status;
	struct vdev_nvme_seg segs[5];
};

static const struct vdev_dptr_case vdev_prp_cases[] = {
	{ "len 0 uses no PRP", .prp1 = 3, .prp2 = 5, .len = 0 },
	{ "one whole page", .prp1 = P(1), .len = PG,
	  .segs = { { P(1), PG } } },
	{ "inside a page, with an offset", .prp1 = P(1) + 0x204, .len = 0x100,
	  .segs = { { P(1) + 0x204, 0x100 } } },
	{ "to the end of PRP1's page, PRP2 ignored", .prp1 = P(1) + 0x200,
	  .prp2 = 3, .len = PG - 0x200, .segs = { { P(1) + 0x200, PG - 0x200 } } },
	{ "an offset spills into PRP2", .prp1 = P(1) + 0x800, .prp2 = P(5),
	  .len = PG, .segs = { { P(1) + 0x800, 0x800 }, { P(5), 0x800 } } },
	{ "two pages, PRP2 is data", .prp1 = P(1), .prp2 = P(3), .len = 2 * PG,
	  .segs = { { P(1), PG }, { P(3), PG } } },
	{ "two contiguous pages merge", .prp1 = P(1), .prp2 = P(2),
	  .len = 2 * PG, .segs = { { P(1), 2 * PG } } },
	{ "more than a page after PRP1's is a list", .prp1 = P(1) + 0x800,
	  .prp2 = P(10), .len = 2 * PG, .put = { PRPS(P(10), P(3), P(4)) },
	  .segs = { { P(1) + 0x800, 0x800 }, { P(3), PG + 0x800 } } },
	{ "three pages through a list", .prp1 = P(1), .prp2 = P(10),
	  .len = 3 * PG, .put = { PRPS(P(10), P(3), P(7)) },
	  .segs = { { P(1), PG }, { P(3), PG }, { P(7), PG } } },
	{ "a list starting mid-page", .prp1 = P(1), .prp2 = P(10) + 0x108,
	  .len = 3 * PG, .put = { PRPS(P(10) + 0x108, P(3), P(7)) },
	  .segs = { { P(1), PG }, { P(3), PG }, { P(7), PG } } },
	{ "a short last page", .prp1 = P(1), .prp2 = P(10),
	  .len = 2 * PG + 0x10, .put = { PRPS(P(10), P(3), P(7)) },
	  .segs = { { P(1), PG }, { P(3), PG }, { P(7), 0x10 } } },
	{ "a list's last slot holds data when that is enough", .prp1 = P(1),
	  .prp2 = P(10) + PG - 16, .len = 3 * PG,
	  .put = { PRPS(P(10) + PG - 16, P(3), P(5)) },
	  .segs = { { P(1), PG }, { P(3), PG }, { P(5), PG } } },
	{ "a list chains from its last slot", .prp1 = P(1),
	  .prp2 = P(10) + PG - 24, .len = 5 * PG,
	  .put = { PRPS(P(10) + PG - 24, P(3), P(4), P(11)),
		   PRPS(P(11), P(6), P(8)) },
	  .segs = { { P(1), PG }, { P(3), 2 * PG }, { P(6), PG },
		    { P(8), PG } } },
	{ "a list pointer in a page's last slot chains at once", .prp1 = P(1),
	  .prp2 = P(10) + PG - 8, .len = 3 * PG,
	  .put = { PRPS(P(10) + PG - 8, P(11)), PRPS(P(11), P(3), P(4)) },
	  .segs = { { P(1), PG }, { P(3), 2 * PG } } },
	{ "8 KiB pages: PRP1's offset", .page_size = 2 * PG,
	  .prp1 = P(2) + 0x1000, .prp2 = P(6), .len = 3 * PG,
	  .segs = { { P(2) + 0x1000, PG }, { P(6), 2 * PG } } },
	{ "8 KiB pages: a list", .page_size = 2 * PG, .prp1 = P(2),
	  .prp2 = P(10), .len = 6 * PG, .put = { PRPS(P(10), P(4), P(8)) },
	  .segs = { { P(2), 4 * PG }, { P(8), 2 * PG } } },
	{ "8 KiB pages: PRP2 only 4 KiB aligned", .page_size = 2 * PG,
	  .prp1 = P(2), .prp2 = P(5), .len = 3 * PG,
	  .status = NVME_SC_PRP_INVALID_OFFSET },
	{ "exactly MDTS", .max_len = 2 * PG, .prp1 = P(1), .prp2 = P(3),
	  .len = 2 * PG, .segs = { { P(1), PG }, { P(3), PG } } },
	{ "above MDTS, refused before anything else", .max_len = 2 * PG,
	  .prp1 = OUT + 1, .len = 2 * PG + 1, .status = NVME_SC_INVALID_FIELD },
	{ "max_segs exactly enough", .max_segs = 3, .prp1 = P(1),
	  .prp2 = P(10), .len = 3 * PG, .put = { PRPS(P(10), P(3), P(7)) },
	  .segs = { { P(1), PG }, { P(3), PG }, { P(7), PG } } },
	{ "max_segs 1, pages contiguous", .max_segs = 1, .prp1 = P(1),
	  .prp2 = P(10), .len = 3 * PG, .put = { PRPS(P(10), P(2), P(3)) },
	  .segs = { { P(1), 3 * PG } } },
	{ "more segments than max_segs", .max_segs = 2, .prp1 = P(1),
	  .prp2 = P(10), .len = 3 * PG, .put = { PRPS(P(10), P(3), P(7)) },
	  .status = NVME_SC_DATA_XFER_ERROR },
	{ "PRP1 not on a dword", .prp1 = P(1) + 2, .len = 0x10,
	  .status = NVME_SC_PRP_INVALID_OFFSET },
	{ "PRP2 data with an offset", .prp1 = P(1), .prp2 = P(3) + 0x200,
	  .len = 2 * PG, .status = NVME_SC_PRP_INVALID_OFFSET },
	{ "a list pointer not on a qword", .prp1 = P(1), .prp2 = P(10) + 4,
	  .len = 3 * PG, .put = { PRPS(P(10), P(3), P(7)) },
	  .status = NVME_SC_PRP_INVALID_OFFSET },
	{ "a list entry with an offset", .prp1 = P(1), .prp2 = P(10),
	  .len = 3 * PG, .put = { PRPS(P(10), P(3), P(7) + 0x10) },
	  .status = NVME_SC_PRP_INVALID_OFFSET },
	{ "a chain pointer with an offset", .prp1 = P(1),
	  .prp2 = P(10) + PG - 16, .len = 4 * PG,
	  .put = { PRPS(P(10) + PG - 16, P(3), P(11) + 8),
		   PRPS(P(11), P(5), P(6)) },
	  .status = NVME_SC_PRP_INVALID_OFFSET },
	{ "PRP1 outside the map", .prp1 = OUT, .len = PG,
	  .status = NVME_SC_DATA_XFER_ERROR },
	{ "PRP1 in the last page of GPA space", .prp1 = TOP + 0x100,
	  .len = 0x100, .status = NVME_SC_DATA_XFER_ERROR },
	{ "PRP2 data past the end of the map", .prp1 = P(63), .prp2 = MEM_END,
	  .len = 2 * PG, .status = NVME_SC_DATA_XFER_ERROR },
	{ "a list outside the map", .prp1 = P(1), .prp2 = OUT, .len = 3 * PG,
	  .status = NVME_SC_DATA_XFER_ERROR },
	{ "a list entry past the end of the map", .prp1 = P(1),
	  .prp2 = P(10), .len = 3 * PG, .put = { PRPS(P(10), P(3), MEM_END) },
	  .status = NVME_SC_DATA_XFER_ERROR },
	{ "a list entry just below the map", .prp1 = P(1), .prp2 = P(10),
	  .len = 3 * PG, .put = { PRPS(P(10), P(3), MEM_GPA - PG) },
	  .status = NVME_SC_DATA_XFER_ERROR },
	{ "a chain outside the map", .prp1 = P(1), .prp2 = P(10) + PG - 16,
	  .len = 4 * PG, .put = { PRPS(P(10) + PG - 16, P(3), OUT) },
	  .status = NVME_SC_DATA_XFER_ERROR },
	{ "the map's last qword chains past its end", .prp1 = P(1),
	  .prp2 = MEM_END - 8, .len = 3 * PG,
	  .put = { PRPS(MEM_END - 8, MEM_END) },
	  .status = NVME_SC_DATA_XFER_ERROR },
};

static const struct vdev_dptr_case vdev_sgl_cases[] = {
	{ "len 0 ignores the SGL", .sgl = { OUT + 3, 7, 0xff }, .len = 0 },
	{ "one data block", .sgl = { P(1) + 0x10, 2 * PG, DATA }, .len = 2 * PG,
	  .segs = { { P(1) + 0x10, 2 * PG } } },
	{ "a data block at an odd address", .sgl = { P(1) + 1, 7, DATA },
	  .len = 7, .segs = { { P(1) + 1, 7 } } },
	{ "a last segment of data", .sgl = { P(10), 48, LAST },
	  .len = 2 * PG + 0x200,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { P(4), PG, DATA },
			{ P(7), 0x200, DATA }) },
	  .segs = { { P(3), 2 * PG }, { P(7), 0x200 } } },
	{ "segment, last segment, data", .sgl = { P(10), 32, SEG },
	  .len = 2 * PG + 0x10,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { P(11), 32, LAST }),
		   SGLS(P(11), { P(5), PG, DATA }, { P(6), 0x10, DATA }) },
	  .segs = { { P(3), PG }, { P(5), PG + 0x10 } } },
	{ "segment, segment, last segment", .sgl = { P(10), 32, SEG },
	  .len = 3 * PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { P(11), 32, SEG }),
		   SGLS(P(11), { P(5), PG, DATA }, { P(12), 16, LAST }),
		   SGLS(P(12), { P(7), PG, DATA }) },
	  .segs = { { P(3), PG }, { P(5), PG }, { P(7), PG } } },
	{ "a segment ending in data ends the SGL", .sgl = { P(10), 32, SEG },
	  .len = 2 * PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { P(5), PG, DATA }) },
	  .segs = { { P(3), PG }, { P(5), PG } } },
	{ "a segment on a qword", .sgl = { P(10) + 8, 16, LAST }, .len = PG,
	  .put = { SGLS(P(10) + 8, { P(3), PG, DATA }) },
	  .segs = { { P(3), PG } } },
	{ "zero-length data blocks, anywhere", .sgl = { P(10), 64, LAST },
	  .len = 2 * PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { OUT, 0, DATA },
			{ U64_MAX, 0, DATA }, { P(4), PG, DATA }) },
	  .segs = { { P(3), 2 * PG } } },
	{ "max_segs exactly enough", .max_segs = 2, .sgl = { P(10), 32, LAST },
	  .len = 2 * PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { P(5), PG, DATA }) },
	  .segs = { { P(3), PG }, { P(5), PG } } },
	{ "exactly MDTS", .max_len = PG, .sgl = { P(3), PG, DATA }, .len = PG,
	  .segs = { { P(3), PG } } },
	{ "above MDTS, refused before anything else", .max_len = PG,
	  .sgl = { OUT, 0, 0xff }, .len = PG + 1,
	  .status = NVME_SC_INVALID_FIELD },
	{ "a zero-length command data block", .sgl = { P(3), 0, DATA },
	  .len = PG, .status = NVME_SC_SGL_INVALID_DATA },
	{ "a bit bucket", .sgl = { P(3), PG, BITB }, .len = PG,
	  .status = NVME_SC_SGL_INVALID_TYPE },
	{ "a keyed data block", .sgl = { P(3), PG, KEYED }, .len = PG,
	  .status = NVME_SC_SGL_INVALID_TYPE },
	{ "a transport data block", .sgl = { P(3), PG, TPORT }, .len = PG,
	  .status = NVME_SC_SGL_INVALID_TYPE },
	{ "a data block of the offset subtype",
	  .sgl = { P(3), PG, DATA | NVME_SGL_FMT_OFFSET }, .len = PG,
	  .status = NVME_SC_SGL_INVALID_TYPE },
	{ "a vendor specific type", .sgl = { P(3), PG, 0xf0 }, .len = PG,
	  .status = NVME_SC_SGL_INVALID_TYPE },
	{ "a segment of the offset subtype",
	  .sgl = { P(10), 16, LAST | NVME_SGL_FMT_OFFSET }, .len = PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }) },
	  .status = NVME_SC_SGL_INVALID_TYPE },
	{ "a bit bucket in a segment", .sgl = { P(10), 32, LAST }, .len = PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { P(4), PG, BITB }) },
	  .status = NVME_SC_SGL_INVALID_TYPE },
	{ "a keyed data block in a segment", .sgl = { P(10), 32, LAST },
	  .len = 2 * PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { P(4), PG, KEYED }) },
	  .status = NVME_SC_SGL_INVALID_TYPE },
	{ "a segment of length 0", .sgl = { P(10), 0, SEG }, .len = PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }) },
	  .status = NVME_SC_SGL_INVALID_LAST },
	{ "a segment length not a multiple of 16", .sgl = { P(10), 24, LAST },
	  .len = PG, .put = { SGLS(P(10), { P(3), PG, DATA }) },
	  .status = NVME_SC_SGL_INVALID_LAST },
	{ "a segment not on a qword", .sgl = { P(10) + 4, 16, LAST },
	  .len = PG, .put = { SGLS(P(10) + 4, { P(3), PG, DATA }) },
	  .status = NVME_SC_SGL_INVALID_LAST },
	{ "a segment pointer not last", .sgl = { P(10), 32, SEG }, .len = PG,
	  .put = { SGLS(P(10), { P(11), 16, LAST }, { P(3), PG, DATA }),
		   SGLS(P(11), { P(4), PG, DATA }) },
	  .status = NVME_SC_SGL_INVALID_LAST },
	{ "a last segment pointer not last", .sgl = { P(10), 32, SEG },
	  .len = PG,
	  .put = { SGLS(P(10), { P(11), 16, SEG }, { P(3), PG, DATA }),
		   SGLS(P(11), { P(4), PG, DATA }) },
	  .status = NVME_SC_SGL_INVALID_LAST },
	{ "a last segment holding a segment pointer",
	  .sgl = { P(10), 32, LAST }, .len = 2 * PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { P(11), 16, SEG }),
		   SGLS(P(11), { P(4), PG, DATA }) },
	  .status = NVME_SC_SGL_INVALID_LAST },
	{ "a last segment holding a last segment pointer",
	  .sgl = { P(10), 32, LAST }, .len = 2 * PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { P(11), 16, LAST }),
		   SGLS(P(11), { P(4), PG, DATA }) },
	  .status = NVME_SC_SGL_INVALID_LAST },
	{ "a next segment of a bad length", .sgl = { P(10), 32, SEG },
	  .len = 2 * PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { P(11), 8, LAST }),
		   SGLS(P(11), { P(4), PG, DATA }) },
	  .status = NVME_SC_SGL_INVALID_LAST },
	{ "data shorter than len", .sgl = { P(10), 16, LAST }, .len = 2 * PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }) },
	  .status = NVME_SC_SGL_INVALID_DATA },
	{ "data longer than len", .sgl = { P(10), 16, LAST }, .len = PG,
	  .put = { SGLS(P(10), { P(3), 2 * PG, DATA }) },
	  .status = NVME_SC_SGL_INVALID_DATA },
	{ "a later descriptor beyond len", .sgl = { P(10), 32, LAST },
	  .len = PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { P(5), 1, DATA }) },
	  .status = NVME_SC_SGL_INVALID_DATA },
	{ "data beyond len is refused before the map is checked",
	  .sgl = { P(10), 32, LAST }, .len = PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { OUT, 1, DATA }) },
	  .status = NVME_SC_SGL_INVALID_DATA },
	{ "a command data block a byte short", .sgl = { P(3), PG - 1, DATA },
	  .len = PG, .status = NVME_SC_SGL_INVALID_DATA },
	{ "a command data block a byte long", .sgl = { P(3), PG + 1, DATA },
	  .len = PG, .status = NVME_SC_SGL_INVALID_DATA },
	{ "descriptors outside the map", .sgl = { OUT, 32, LAST }, .len = PG,
	  .status = NVME_SC_DATA_XFER_ERROR },
	{ "descriptors past the end of the map",
	  .sgl = { MEM_END - 16, 32, LAST }, .len = 2 * PG,
	  .put = { SGLS(MEM_END - 16, { P(3), PG, DATA }) },
	  .status = NVME_SC_DATA_XFER_ERROR },
	{ "a next segment outside the map", .sgl = { P(10), 32, SEG },
	  .len = 2 * PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { OUT, 16, LAST }) },
	  .status = NVME_SC_DATA_XFER_ERROR },
	{ "data outside the map", .sgl = { OUT, PG, DATA }, .len = PG,
	  .status = NVME_SC_DATA_XFER_ERROR },
	{ "data past the end of the map", .sgl = { MEM_END - 0x800, PG, DATA },
	  .len = PG, .status = NVME_SC_DATA_XFER_ERROR },
	{ "data wrapping GPA space", .sgl = { U64_MAX - 0xff, PG, DATA },
	  .len = PG, .status = NVME_SC_DATA_XFER_ERROR },
	{ "data in a segment outside the map", .sgl = { P(10), 32, LAST },
	  .len = 2 * PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { MEM_GPA - PG, PG, DATA }) },
	  .status = NVME_SC_DATA_XFER_ERROR },
	{ "more segments than max_segs", .max_segs = 1,
	  .sgl = { P(10), 32, LAST }, .len = 2 * PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { P(5), PG, DATA }) },
	  .status = NVME_SC_SGL_INVALID_COUNT },
	{ "a segment pointing at itself", .sgl = { P(10), 16, SEG }, .len = PG,
	  .put = { SGLS(P(10), { P(10), 16, SEG }) },
	  .status = NVME_SC_SGL_INVALID_COUNT },
	{ "zero-length data in a loop", .sgl = { P(10), 32, SEG }, .len = PG,
	  .put = { SGLS(P(10), { P(3), 0, DATA }, { P(10), 32, SEG }) },
	  .status = NVME_SC_SGL_INVALID_COUNT },
	{ "data in a loop ends by len", .sgl = { P(10), 32, SEG },
	  .len = 3 * PG,
	  .put = { SGLS(P(10), { P(3), PG, DATA }, { P(10), 32, SEG }) },
	  .status = NVME_SC_SGL_INVALID_DATA },
	{ "a segment above the descriptor bound",
	  .sgl = { P(10), (VDEV_NVME_SGL_MAX_DESC + 1) * 16, LAST },
	  .len = PG, .status = NVME_SC_SGL_INVALID_COUNT },
	{ "a segment of 4 GiB", .sgl = { P(10), 0xfffffff0, LAST }, .len = PG,
	  .status = NVME_SC_SGL_INVALID_COUNT },
};

static void vdev_dptr_case_desc(const struct vdev_dptr_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(vdev_prp, vdev_prp_cases, vdev_dptr_case_desc);
KUNIT_ARRAY_PARAM(vdev_sgl, vdev_sgl_cases, vdev_dptr_case_desc);

static void vdev_sgld_encode(const struct vdev_sgld *s,
			     struct nvme_sgl_desc *desc)
{
	memset(desc, 0, sizeof(*desc));
	desc->addr = cpu_to_le64(s->addr);
	desc->length = cpu_to_le32(s->len);
	desc->type = s->type;
}

/* @p as the bytes it puts in guest memory (a test allocation). */
static void *vdev_dptr_put_bytes(struct kunit *test,
				 const struct vdev_dptr_put *p, size_t *size)
{
	struct nvme_sgl_desc *sgl;
	__le64 *prp;
	unsigned int i;

	if (p->sgl) {
		*size = p->n * sizeof(*sgl);
		sgl = kunit_kcalloc(test, p->n, sizeof(*sgl), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, sgl);
		for (i = 0; i < p->n; i++)
			vdev_sgld_encode(&p->sgl[i], &sgl[i]);
		return sgl;
	}
	*size = p->n * sizeof(*prp);
	prp = kunit_kcalloc(test, p->n, sizeof(*prp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, prp);
	for (i = 0; i < p->n; i++)
		prp[i] = cpu_to_le64(p->prp[i]);
	return prp;
}

static void vdev_dptr_put(struct kunit *test, const struct vdev_mem *mem,
			  const struct vdev_dptr_put *p)
{
	size_t size;
	void *buf = vdev_dptr_put_bytes(test, p, &size);

	KUNIT_ASSERT_EQ(test, vdev_mem_write(mem, p->gpa, buf, size), 0);
}

/* The walk only reads guest memory: what the test put there is intact. */
static void vdev_dptr_put_check(struct kunit *test, const struct vdev_mem *mem,
				const struct vdev_dptr_put *p)
{
	size_t size;
	void *want = vdev_dptr_put_bytes(test, p, &size);
	void *got = kunit_kzalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_EQ(test, vdev_mem_read(mem, p->gpa, got, size), 0);
	KUNIT_EXPECT_MEMEQ(test, got, want, size);
}

/* A walk's limits on @mem, its segs array exactly @max_segs long. */
static void vdev_dptr_init(struct kunit *test, struct vdev_nvme_dptr *d,
			   const struct vdev_mem *mem, unsigned int max_segs)
{
	*d = (struct vdev_nvme_dptr){
		.mem = mem,
		.page_size = PG,
		.max_segs = max_segs,
		/* left over from an earlier walk: every walk resets them */
		.nsegs = 99,
		.len = 99,
	};
	/* KASAN sees a write past the end. */
	d->segs = kunit_kcalloc(test, max_segs, sizeof(*d->segs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d->segs);
}

static void vdev_dptr_case_run(struct kunit *test, bool sgl)
{
	const struct vdev_dptr_case *c = test->param_value;
	struct vdev_mem *mem = vdev_kunit_mem(test, MEM_GPA, MEM_PAGES * PG);
	struct nvme_sgl_desc desc;
	struct vdev_nvme_dptr d;
	unsigned int i, n;
	u16 status;

	vdev_dptr_init(test, &d, mem, c->max_segs ?: NSEGS);
	d.page_size = c->page_size ?: PG;
	d.max_len = c->max_len;
	for (i = 0; i < ARRAY_SIZE(c->put) && c->put[i].n; i++)
		vdev_dptr_put(test, mem, &c->put[i]);

	if (sgl) {
		vdev_sgld_encode(&c->sgl, &desc);
		status = vdev_nvme_sgl_walk(&d, &desc, c->len);
	} else {
		status = vdev_nvme_prp_walk(&d, c->prp1, c->prp2, c->len);
	}

	KUNIT_EXPECT_EQ(test, status, c->status);
	for (n = 0; n < ARRAY_SIZE(c->segs) && c->segs[n].len; n++)
		;
	KUNIT_ASSERT_EQ(test, d.nsegs, n);
	KUNIT_EXPECT_EQ(test, d.len, c->status ? 0 : c->len);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, d.segs[i].gpa, c->segs[i].gpa,
				    "seg %u", i);
		KUNIT_EXPECT_EQ_MSG(test, d.segs[i].len, c->segs[i].len,
				    "seg %u", i);
	}
	for (i = 0; i < ARRAY_SIZE(c->put) && c->put[i].n; i++)
		vdev_dptr_put_check(test, mem, &c->put[i]);
}

static void vdev_prp_test(struct kunit *test)
{
	vdev_dptr_case_run(test, false);
}

static void vdev_sgl_test(struct kunit *test)
{
	vdev_dptr_case_run(test, true);
}

/* A 128 KiB transfer on contiguous pages is one segment, however listed. */
static void vdev_prp_merge_test(struct kunit *test)
{
	struct vdev_mem *mem = vdev_kunit_mem(test, MEM_GPA, MEM_PAGES * PG);
	u64 list[SZ_128K / PG - 1];
	struct vdev_dptr_put p = { .gpa = P(10), .prp = list,
				   .n = ARRAY_SIZE(list) };
	struct vdev_nvme_dptr d;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(list); i++)
		list[i] = P(21 + i);
	vdev_dptr_put(test, mem, &p);
	vdev_dptr_init(test, &d, mem, 1);
	KUNIT_EXPECT_EQ(test, vdev_nvme_prp_walk(&d, P(20), P(10), SZ_128K), 0);
	KUNIT_ASSERT_EQ(test, d.nsegs, 1);
	KUNIT_EXPECT_EQ(test, d.segs[0].gpa, P(20));
	KUNIT_EXPECT_EQ(test, d.segs[0].len, SZ_128K);
	KUNIT_EXPECT_EQ(test, d.len, SZ_128K);

	/* One page elsewhere cuts it in three. */
	list[15] = P(60);
	vdev_dptr_put(test, mem, &p);
	vdev_dptr_init(test, &d, mem, 3);
	KUNIT_EXPECT_EQ(test, vdev_nvme_prp_walk(&d, P(20), P(10), SZ_128K), 0);
	KUNIT_ASSERT_EQ(test, d.nsegs, 3);
	KUNIT_EXPECT_EQ(test, d.segs[0].gpa, P(20));
	KUNIT_EXPECT_EQ(test, d.segs[0].len, 16 * PG);
	KUNIT_EXPECT_EQ(test, d.segs[1].gpa, P(60));
	KUNIT_EXPECT_EQ(test, d.segs[1].len, PG);
	KUNIT_EXPECT_EQ(test, d.segs[2].gpa, P(37));
	KUNIT_EXPECT_EQ(test, d.segs[2].len, 15 * PG);
	KUNIT_EXPECT_EQ(test, d.len, SZ_128K);
}

/* Entries per 4 KiB list page. */
#define LIST_ROOM	(PG / 8)

/* Data page of list entry @i: never contiguous with the one before. */
static u64 vdev_prp_data_page(unsigned int i)
{
	return P(20 + 2 * (i % 2));
}

/*
 * A full list page at P(10): data entries, and @last in its last slot;
 * P(11) holds [P(30), P(31)]. The transfer length decides whether that
 * slot is data or the pointer to the next list page.
 */
static struct vdev_mem *vdev_prp_full_page(struct kunit *test, u64 last)
{
	struct vdev_mem *mem = vdev_kunit_mem(test, MEM_GPA, MEM_PAGES * PG);
	static const u64 next[] = { P(30), P(31) };
	struct vdev_dptr_put p = { .gpa = P(10), .n = LIST_ROOM };
	u64 *list;
	unsigned int i;

	list = kunit_kcalloc(test, LIST_ROOM, sizeof(*list), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, list);
	for (i = 0; i < LIST_ROOM - 1; i++)
		list[i] = vdev_prp_data_page(i);
	list[LIST_ROOM - 1] = last;
	p.prp = list;
	vdev_dptr_put(test, mem, &p);
	p = (struct vdev_dptr_put){ .gpa = P(11), .prp = next, .n = 2 };
	vdev_dptr_put(test, mem, &p);
	return mem;
}

/* Segments 0 to LIST_ROOM - 1 of a walk of vdev_prp_full_page() from P(1). */
static void vdev_prp_expect_page(struct kunit *test,
				 const struct vdev_nvme_dptr *d)
{
	unsigned int i;

	KUNIT_EXPECT_EQ(test, d->segs[0].gpa, P(1));
	KUNIT_EXPECT_EQ(test, d->segs[0].len, PG);
	for (i = 0; i < LIST_ROOM - 1; i++) {
		KUNIT_EXPECT_EQ_MSG(test, d->segs[1 + i].gpa,
				    vdev_prp_data_page(i), "seg %u", 1 + i);
		KUNIT_EXPECT_EQ_MSG(test, d->segs[1 + i].len, PG,
				    "seg %u", 1 + i);
	}
}

/*
 * A full list page's last slot: data when exactly a page's worth of
 * entries remains, a pointer to the next list page when more do.
 */
static void vdev_prp_full_page_test(struct kunit *test)
{
	struct vdev_mem *mem = vdev_prp_full_page(test, P(11));
	u32 len = PG + LIST_ROOM * PG;
	struct vdev_nvme_dptr d;

	vdev_dptr_init(test, &d, mem, LIST_ROOM + 1);
	KUNIT_EXPECT_EQ(test, vdev_nvme_prp_walk(&d, P(1), P(10), len), 0);
	KUNIT_ASSERT_EQ(test, d.nsegs, LIST_ROOM + 1);
	vdev_prp_expect_page(test, &d);
	KUNIT_EXPECT_EQ(test, d.segs[LIST_ROOM].gpa, P(11));
	KUNIT_EXPECT_EQ(test, d.segs[LIST_ROOM].len, PG);
	KUNIT_EXPECT_EQ(test, d.len, len);

	len += PG;
	vdev_dptr_init(test, &d, mem, LIST_ROOM + 1);
	KUNIT_EXPECT_EQ(test, vdev_nvme_prp_walk(&d, P(1), P(10), len), 0);
	KUNIT_ASSERT_EQ(test, d.nsegs, LIST_ROOM + 1);
	vdev_prp_expect_page(test, &d);
	KUNIT_EXPECT_EQ(test, d.segs[LIST_ROOM].gpa, P(30));
	KUNIT_EXPECT_EQ(test, d.segs[LIST_ROOM].len, 2 * PG);
	KUNIT_EXPECT_EQ(test, d.len, len);
}

/*
 * A list whose last slot points back at itself: harmless, the walk ends
 * with the transfer, taking the same entries again; or at max_segs.
 */
static void vdev_prp_loop_test(struct kunit *test)
{
	struct vdev_mem *mem = vdev_prp_full_page(test, P(10));
	unsigned int pages = 1100, i;
	struct vdev_nvme_dptr d;

	vdev_dptr_init(test, &d, mem, pages + 1);
	KUNIT_EXPECT_EQ(test, vdev_nvme_prp_walk(&d, P(1), P(10),
						 PG + pages * PG), 0);
	KUNIT_ASSERT_EQ(test, d.nsegs, pages + 1);
	for (i = 0; i < pages; i++) {
		KUNIT_EXPECT_EQ_MSG(test, d.segs[1 + i].gpa,
				    vdev_prp_data_page(i % (LIST_ROOM - 1)),
				    "seg %u", 1 + i);
		KUNIT_EXPECT_EQ_MSG(test, d.segs[1 + i].len, PG,
				    "seg %u", 1 + i);
	}
	KUNIT_EXPECT_EQ(test, d.len, PG + pages * PG);

	vdev_dptr_init(test, &d, mem, pages);
	KUNIT_EXPECT_EQ(test, vdev_nvme_prp_walk(&d, P(1), P(10),
						 PG + pages * PG),
			NVME_SC_DATA_XFER_ERROR);
	KUNIT_EXPECT_EQ(test, d.nsegs, 0);
	KUNIT_EXPECT_EQ(test, d.len, 0);

	/* The largest transfer a command can ask for, without MDTS. */
	vdev_dptr_init(test, &d, mem, 64);
	KUNIT_EXPECT_EQ(test, vdev_nvme_prp_walk(&d, P(1), P(10), U32_MAX),
			NVME_SC_DATA_XFER_ERROR);
	KUNIT_EXPECT_EQ(test, d.nsegs, 0);
	KUNIT_EXPECT_EQ(test, d.len, 0);
}

/*
 * The descriptor bound: an SGL of exactly VDEV_NVME_SGL_MAX_DESC
 * descriptors in guest memory is taken, one more is refused.
 */
static void vdev_sgl_bound_test(struct kunit *test)
{
	struct vdev_mem *mem = vdev_kunit_mem(test, MEM_GPA, MEM_PAGES * PG);
	const u32 seg_len = VDEV_NVME_SGL_MAX_DESC * 16;
	const struct vdev_sgld first = { P(10), seg_len, LAST };
	struct vdev_dptr_put p = { .gpa = P(10), .n = VDEV_NVME_SGL_MAX_DESC };
	struct nvme_sgl_desc desc;
	struct vdev_sgld *sgl;
	struct vdev_nvme_dptr d;
	unsigned int i;

	sgl = kunit_kcalloc(test, VDEV_NVME_SGL_MAX_DESC, sizeof(*sgl),
			    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sgl);
	sgl[0] = (struct vdev_sgld){ P(40), PG, DATA };
	for (i = 1; i < VDEV_NVME_SGL_MAX_DESC; i++)
		sgl[i].type = DATA;
	p.sgl = sgl;
	vdev_dptr_put(test, mem, &p);
	p = (struct vdev_dptr_put){ .gpa = P(30), .sgl = &first, .n = 1 };
	vdev_dptr_put(test, mem, &p);

	vdev_dptr_init(test, &d, mem, 1);
	vdev_sgld_encode(&first, &desc);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sgl_walk(&d, &desc, PG), 0);
	KUNIT_ASSERT_EQ(test, d.nsegs, 1);
	KUNIT_EXPECT_EQ(test, d.segs[0].gpa, P(40));
	KUNIT_EXPECT_EQ(test, d.segs[0].len, PG);
	KUNIT_EXPECT_EQ(test, d.len, PG);

	/* The same, reached through one more segment. */
	vdev_dptr_init(test, &d, mem, 1);
	vdev_sgld_encode(&(struct vdev_sgld){ P(30), 16, SEG }, &desc);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sgl_walk(&d, &desc, PG),
			NVME_SC_SGL_INVALID_COUNT);
	KUNIT_EXPECT_EQ(test, d.nsegs, 0);
	KUNIT_EXPECT_EQ(test, d.len, 0);
}

KUNIT_DEFINE_ACTION_WRAPPER(vdev_dptr_fput, fput, struct file *);
KUNIT_DEFINE_ACTION_WRAPPER(vdev_dptr_region_put, vdev_mem_region_put,
			    struct vdev_mem_region *);
KUNIT_DEFINE_ACTION_WRAPPER(vdev_dptr_mem_put, vdev_mem_put,
			    struct vdev_mem *);

/* A map of two pages: the last of GPA space and the first. */
static struct vdev_mem *vdev_dptr_wrap_mem(struct kunit *test)
{
	struct vdev_mem_desc md[] = {
		{ .gpa = 0, .size = PG, .uva = 0, .mmap_offset = 0 },
		{ .gpa = TOP, .size = PG, .uva = PG, .mmap_offset = PG },
	};
	struct vdev_mem_region *r[ARRAY_SIZE(md)];
	struct vdev_mem *mem;
	struct file *file;
	unsigned int i;

	file = shmem_file_setup("vdev-kunit", 2 * PG, VM_NORESERVE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vdev_dptr_fput,
							file), 0);
	for (i = 0; i < ARRAY_SIZE(md); i++) {
		md[i].file = file;
		r[i] = vdev_mem_region_pin(&md[i], U64_MAX);
		KUNIT_ASSERT_FALSE(test, IS_ERR(r[i]));
		KUNIT_ASSERT_EQ(test,
				kunit_add_action_or_reset(test,
							  vdev_dptr_region_put,
							  r[i]), 0);
	}
	mem = vdev_mem_create(r, ARRAY_SIZE(r), U64_MAX);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mem));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vdev_dptr_mem_put,
							mem), 0);
	return mem;
}

/*
 * Pages at the top and the bottom of GPA space are both in the map, but
 * not contiguous: the top one ends at 2^64, not at 0.
 */
static void vdev_dptr_wrap_test(struct kunit *test)
{
	struct vdev_mem *mem = vdev_dptr_wrap_mem(test);
	struct nvme_sgl_desc desc;
	struct vdev_nvme_dptr d;

	vdev_dptr_init(test, &d, mem, 2);
	KUNIT_EXPECT_EQ(test, vdev_nvme_prp_walk(&d, TOP, 0, 2 * PG), 0);
	KUNIT_ASSERT_EQ(test, d.nsegs, 2);
	KUNIT_EXPECT_EQ(test, d.segs[0].gpa, TOP);
	KUNIT_EXPECT_EQ(test, d.segs[0].len, PG);
	KUNIT_EXPECT_EQ(test, d.segs[1].gpa, 0);
	KUNIT_EXPECT_EQ(test, d.segs[1].len, PG);

	vdev_dptr_init(test, &d, mem, 2);
	vdev_sgld_encode(&(struct vdev_sgld){ TOP, 2 * PG, DATA }, &desc);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sgl_walk(&d, &desc, 2 * PG),
			NVME_SC_DATA_XFER_ERROR);
	KUNIT_EXPECT_EQ(test, d.nsegs, 0);
}

static struct kunit_case vdev_nvme_dptr_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_prp_test, vdev_prp_gen_params),
	KUNIT_CASE(vdev_prp_merge_test),
	KUNIT_CASE(vdev_prp_full_page_test),
	KUNIT_CASE(vdev_prp_loop_test),
	KUNIT_CASE_PARAM(vdev_sgl_test, vdev_sgl_gen_params),
	KUNIT_CASE(vdev_sgl_bound_test),
	KUNIT_CASE(vdev_dptr_wrap_test),
	{}
};

static struct kunit_suite vdev_nvme_dptr_test_suite = {
	.name = "vdev_nvme_dptr",
	.test_cases = vdev_nvme_dptr_test_cases,
};

kunit_test_suite(vdev_nvme_dptr_test_suite);
