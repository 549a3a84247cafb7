// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: NVMe Identify data. Each builder fills a poisoned buffer, and the
 * case checks the fields a host reads, then that every other byte is
 * zero. Namespaces are hand-made infos and, for vdev_nvme_ns_info_get(),
 * real RAM disks. Expected identifiers and NQNs were computed apart from
 * the kernel, with a SipHash-2-4 of our own: they must never change.
 */
#include <kunit/test.h>
#include <linux/nvme.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kunit_util.h"
#include "nvme_id.h"
#include "vdev.h"

#define POISON		0xa5
#define NQN		"nqn.2014-08.org.nvmexpress:uuid:"
#define NAME31		"a-controller-name-of-31-chars-x"
#define DNR		NVME_STATUS_DNR

/* A poisoned Identify buffer: what the builder leaves unset shows. */
static u8 *vdev_id_buf(struct kunit *test)
{
	u8 *buf = kunit_kmalloc(test, VDEV_NVME_ID_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, POISON, VDEV_NVME_ID_SIZE);
	return buf;
}

static void *vdev_id_zalloc(struct kunit *test)
{
	void *p = kunit_kzalloc(test, VDEV_NVME_ID_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

/* Bytes from @from to the end of the buffer are all zero. */
static void vdev_id_expect_zero(struct kunit *test, const u8 *buf, u32 from)
{
	const u8 *bad = memchr_inv(buf + from, 0, VDEV_NVME_ID_SIZE - from);

	KUNIT_EXPECT_PTR_EQ_MSG(test, bad, NULL, "byte %td is 0x%02x",
				bad ? bad - buf : 0, bad ? *bad : 0);
}

/* --- Identify Controller ------------------------------------------------- */

/**
 * struct vdev_id_ctrl_case - one controller and what Identify must say
 * @desc: the case's name
 * @cfg: the controller
 * @status: the status expected
 * @sn: SN, all 20 bytes
 * @mdts: MDTS
 * @vwc: VWC
 * @subnqn: SUBNQN
 */
struct vdev_id_ctrl_case {
	const char *desc;
	struct vdev_nvme_id_cfg cfg;
	u16 status;
	const char *sn;
	u8 mdts;
	u8 vwc;
	const char *subnqn;
};

#define CFG(...)	{ .name = "nvme0", .cntlid = 1, .max_cmd = 256,	\
			  .nn = VDEV_MAX_NSID, __VA_ARGS__ }
#define NQN_NVME0	NQN "2ca60255-3719-8838-a54f-8634844effae"
#define NQN_CTRL0	NQN "3d87fd24-6a57-8534-9db7-041af46a8b23"

static const struct vdev_id_ctrl_case vdev_id_ctrl_cases[] = {
	{ "the name is the serial, no limit", CFG(),
	  .sn = "nvme0               ", .subnqn = NQN_NVME0 },
	{ "an empty serial is the name", CFG(.name = "ctrl0", .serial = ""),
	  .sn = "ctrl0               ", .subnqn = NQN_CTRL0 },
	{ "20 characters of serial, none padding, NQN from the name",
	  CFG(.name = "ctrl0", .serial = "S3R1AL-0123456789~!z"),
	  .sn = "S3R1AL-0123456789~!z", .subnqn = NQN_CTRL0 },
	{ "a 31-character name is cut at 20", CFG(.name = NAME31),
	  .sn = "a-controller-name-of",
	  .subnqn = NQN "c9ea16f2-e85a-8a1a-8645-e877aeb6dbad" },
	{ "unprintable bytes are '?'", CFG(.serial = "ab\177c\001\351"),
	  .sn = "ab?c??              ", .subnqn = NQN_NVME0 },
	{ "128 KiB transfers", CFG(.max_xfer = SZ_128K), .mdts = 5,
	  .sn = "nvme0               ", .subnqn = NQN_NVME0 },
	{ "192 KiB transfers round down", CFG(.max_xfer = SZ_128K + SZ_64K),
	  .mdts = 5, .sn = "nvme0               ", .subnqn = NQN_NVME0 },
	{ "8 KiB, the least MDTS says", CFG(.max_xfer = SZ_8K), .mdts = 1,
	  .sn = "nvme0               ", .subnqn = NQN_NVME0 },
	{ "U32_MAX bytes", CFG(.max_xfer = U32_MAX), .mdts = 19,
	  .sn = "nvme0               ", .subnqn = NQN_NVME0 },
	{ "4 KiB cannot be said", CFG(.max_xfer = SZ_4K),
	  .status = NVME_SC_INTERNAL },
	{ "8 KiB less a byte cannot either", CFG(.max_xfer = SZ_8K - 1),
	  .status = NVME_SC_INTERNAL },
	{ "a write cache, broadcast flush refused", CFG(.write_cache = true),
	  .vwc = 0x05, .sn = "nvme0               ", .subnqn = NQN_NVME0 },
	{ "cntlid, maxcmd and nn as given",
	  CFG(.cntlid = 0xfffe, .max_cmd = 4096, .nn = 1),
	  .sn = "nvme0               ", .subnqn = NQN_NVME0 },
};

/* The whole structure the case expects, from literal values. */
static struct nvme_id_ctrl *vdev_id_ctrl_want(struct kunit *test,
					      const struct vdev_id_ctrl_case *c)
{
	struct nvme_id_ctrl *w = vdev_id_zalloc(test);

	memcpy(w->sn, c->sn, sizeof(w->sn));
	memcpy(w->mn, "vdev NVMe                               ", sizeof(w->mn));
	memcpy(w->fr, "0.1     ", sizeof(w->fr));
	strscpy(w->subnqn, c->subnqn, sizeof(w->subnqn));
	w->rab = 6;
	w->mdts = c->mdts;
	w->cntlid = cpu_to_le16(c->cfg.cntlid);
	w->ver = cpu_to_le32(0x10400);
	w->oaes = cpu_to_le32(1 << 8);		/* namespace attribute notices */
	w->cntrltype = 1;			/* I/O controller */
	w->oacs = cpu_to_le16(1 << 8);		/* Doorbell Buffer Config */
	w->acl = 3;
	w->aerl = 3;
	w->kas = cpu_to_le16(10);
	w->frmw = 0x03;
	w->lpa = 0x04;
	w->sqes = 0x66;
	w->cqes = 0x44;
	w->maxcmd = cpu_to_le16(c->cfg.max_cmd);
	w->nn = cpu_to_le32(c->cfg.nn);
	w->oncs = cpu_to_le16(0x0c);		/* DSM, Write Zeroes */
	w->vwc = c->vwc;
	w->sgls = cpu_to_le32(0x1);
	return w;
}

static void vdev_id_ctrl_test(struct kunit *test)
{
	const struct vdev_id_ctrl_case *c = test->param_value;
	struct nvme_id_ctrl *id = (struct nvme_id_ctrl *)vdev_id_buf(test);
	struct nvme_id_ctrl *want;

	KUNIT_ASSERT_EQ(test, vdev_nvme_id_ctrl(id, &c->cfg), c->status);
	if (c->status) {
		vdev_id_expect_zero(test, (u8 *)id, 0);
		return;
	}
	want = vdev_id_ctrl_want(test, c);
	/* What Linux reads first, one by one, for clear failures. */
	KUNIT_EXPECT_MEMEQ(test, id->sn, want->sn, sizeof(id->sn));
	KUNIT_EXPECT_MEMEQ(test, id->mn, want->mn, sizeof(id->mn));
	KUNIT_EXPECT_MEMEQ(test, id->fr, want->fr, sizeof(id->fr));
	KUNIT_EXPECT_STREQ(test, id->subnqn, want->subnqn);
	KUNIT_EXPECT_EQ(test, id->mdts, c->mdts);
	KUNIT_EXPECT_EQ(test, id->vwc, c->vwc);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(id->ver), NVME_VS(1, 4, 0));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(id->sgls), 1);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(id->oncs),
			NVME_CTRL_ONCS_DSM | NVME_CTRL_ONCS_WRITE_ZEROES);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(id->oacs), NVME_CTRL_OACS_DBBUF_SUPP);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(id->cntlid), c->cfg.cntlid);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(id->nn), c->cfg.nn);
	KUNIT_EXPECT_EQ(test, id->cmic, 0);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(id->kas), 10);
	/* Then all 4 KiB: nothing else set, the poison gone. */
	KUNIT_EXPECT_MEMEQ(test, id, want, sizeof(*id));
}

/* --- Identify Namespace -------------------------------------------------- */

/**
 * struct vdev_id_ns_case - one namespace and what Identify must say
 * @desc: the case's name
 * @info: the namespace
 * @status: the status expected
 * @nsze: NSZE, NCAP and NUSE
 * @ds: LBAF 0's data size
 * @nsfeat: NSFEAT
 * @npwg: NPWG and NPWA
 * @npdg: NPDG and NPDA
 * @nows: NOWS
 * @nmic: NMIC
 * @dlfeat: DLFEAT
 * @nsattr: NSATTR
 */
struct vdev_id_ns_case {
	const char *desc;
	struct vdev_nvme_ns_info info;
	u16 status;
	u64 nsze;
	u8 ds;
	u8 nsfeat;
	u16 npwg;
	u16 npdg;
	u16 nows;
	u8 nmic;
	u8 dlfeat;
	u8 nsattr;
};

#define NS(...)		{ .nr_blocks = 8, .lba_shift = 9, __VA_ARGS__ }
#define IDS_NGUID	{ 0xc5, 0x95, 0x76, 0xd4, 0x21, 0x06, 0x70, 0xe0,	\
			  0x12, 0x2c, 0x07, 0x85, 0x0a, 0x3e, 0x75, 0xe2 }
#define IDS_EUI64	{ 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 }
#define IDS_UUID	{ .b = { 0x31, 0xf2, 0xe2, 0x26, 0x03, 0x06, 0x80, 0x90, \
			  0x81, 0xc7, 0x49, 0xe5, 0x5a, 0x0a, 0x22, 0x06 } }

static const struct vdev_id_ns_case vdev_id_ns_cases[] = {
	{ "8 blocks of 512 bytes", NS(), .nsze = 8, .ds = 9, .dlfeat = 0x08 },
	{ "2^40 blocks of 4 KiB", NS(.nr_blocks = 1ULL << 40, .lba_shift = 12),
	  .nsze = 1ULL << 40, .ds = 12, .dlfeat = 0x08 },
	{ "64 KiB blocks", NS(.lba_shift = 16), .nsze = 8, .ds = 16,
	  .dlfeat = 0x08 },
	{ "no blocks at all", NS(.nr_blocks = 0), .ds = 9, .dlfeat = 0x08 },
	{ "write, deallocate and optimal sizes",
	  NS(.io_min_blocks = 8, .io_opt_blocks = 256,
	     .discard_gran_blocks = 2048),
	  .nsze = 8, .ds = 9, .nsfeat = NVME_NS_FEAT_IO_OPT, .npwg = 7,
	  .npdg = 2047, .nows = 255, .dlfeat = 0x08 },
	{ "one-block write granularity, no optimal size",
	  NS(.io_min_blocks = 1), .nsze = 8, .ds = 9,
	  .nsfeat = NVME_NS_FEAT_IO_OPT, .dlfeat = 0x08 },
	{ "only a deallocate granularity", NS(.discard_gran_blocks = 16),
	  .nsze = 8, .ds = 9, .nsfeat = NVME_NS_FEAT_IO_OPT, .npdg = 15,
	  .dlfeat = 0x08 },
	{ "2^16 blocks fit, more are cut to 2^16",
	  NS(.io_min_blocks = 1 << 16, .io_opt_blocks = 70000,
	     .discard_gran_blocks = 1 << 20),
	  .nsze = 8, .ds = 9, .nsfeat = NVME_NS_FEAT_IO_OPT, .npwg = 0xffff,
	  .npdg = 0xffff, .nows = 0xffff, .dlfeat = 0x08 },
	{ "read-only", NS(.read_only = true), .nsze = 8, .ds = 9,
	  .dlfeat = 0x08, .nsattr = NVME_NS_ATTR_RO },
	{ "shared", NS(.shared = true), .nsze = 8, .ds = 9, .dlfeat = 0x08,
	  .nmic = NVME_NS_NMIC_SHARED },
	{ "deallocated blocks read as zeroes", NS(.dealloc_zeroes = true),
	  .nsze = 8, .ds = 9, .dlfeat = 0x09 },
	{ "discard and write zeroes limits are no Identify field",
	  NS(.max_discard_blocks = 1024, .max_zeroes_blocks = 4096),
	  .nsze = 8, .ds = 9, .dlfeat = 0x08 },
	{ "NGUID and EUI-64 as given",
	  NS(.nguid = IDS_NGUID, .eui64 = IDS_EUI64, .uuid = IDS_UUID),
	  .nsze = 8, .ds = 9, .dlfeat = 0x08 },
	{ "everything at once",
	  NS(.nr_blocks = 3, .lba_shift = 12, .io_min_blocks = 2,
	     .read_only = true, .shared = true, .dealloc_zeroes = true,
	     .nguid = IDS_NGUID),
	  .nsze = 3, .ds = 12, .nsfeat = NVME_NS_FEAT_IO_OPT, .npwg = 1,
	  .nmic = NVME_NS_NMIC_SHARED, .dlfeat = 0x09,
	  .nsattr = NVME_NS_ATTR_RO },
	{ "256-byte blocks are refused", NS(.lba_shift = 8),
	  .status = NVME_SC_INTERNAL },
};

static void vdev_id_ns_test(struct kunit *test)
{
	const struct vdev_id_ns_case *c = test->param_value;
	struct nvme_id_ns *id = (struct nvme_id_ns *)vdev_id_buf(test);
	struct nvme_id_ns *want = vdev_id_zalloc(test);

	KUNIT_ASSERT_EQ(test, vdev_nvme_id_ns(id, &c->info), c->status);
	if (c->status) {
		vdev_id_expect_zero(test, (u8 *)id, 0);
		return;
	}
	want->nsze = cpu_to_le64(c->nsze);
	want->ncap = want->nsze;
	want->nuse = want->nsze;
	want->lbaf[0].ds = c->ds;
	want->nsfeat = c->nsfeat;
	want->npwg = cpu_to_le16(c->npwg);
	want->npwa = want->npwg;
	want->npdg = cpu_to_le16(c->npdg);
	want->npda = want->npdg;
	want->nows = cpu_to_le16(c->nows);
	want->nmic = c->nmic;
	want->dlfeat = c->dlfeat;
	want->nsattr = c->nsattr;
	memcpy(want->nguid, c->info.nguid, sizeof(want->nguid));
	memcpy(want->eui64, c->info.eui64, sizeof(want->eui64));

	KUNIT_EXPECT_EQ(test, le64_to_cpu(id->nsze), c->nsze);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(id->ncap), c->nsze);
	KUNIT_EXPECT_EQ(test, id->flbas, 0);
	KUNIT_EXPECT_EQ(test, id->nlbaf, 0);
	KUNIT_EXPECT_EQ(test, id->lbaf[0].ds, c->ds);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(id->lbaf[0].ms), 0);
	KUNIT_EXPECT_EQ(test, id->nsfeat, c->nsfeat);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(id->npwg), c->npwg);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(id->nows), c->nows);
	KUNIT_EXPECT_EQ(test, id->nmic, c->nmic);
	KUNIT_EXPECT_EQ(test, id->dlfeat, c->dlfeat);
	KUNIT_EXPECT_EQ(test, id->nsattr, c->nsattr);
	KUNIT_EXPECT_MEMEQ(test, id, want, sizeof(*id));
}

/* --- Active Namespace ID list -------------------------------------------- */

/**
 * struct vdev_id_list_case - a controller's NSIDs and one list of them
 * @desc: the case's name
 * @nsids: the controller's NSIDs, unless @range
 * @n: entries in @nsids
 * @range: the controller has NSIDs 1 to @range
 * @start: the command's NSID
 * @status: the status expected
 * @want: the list expected, unless @want_from
 * @want_n: entries in the list expected
 * @want_from: the list expected is @want_from, @want_from + 1, ...
 */
struct vdev_id_list_case {
	const char *desc;
	const u32 *nsids;
	unsigned int n;
	u32 range;
	u32 start;
	u16 status;
	const u32 *want;
	unsigned int want_n;
	u32 want_from;
};

#define U32S(...)	((const u32[]){ __VA_ARGS__ })
#define NSIDS(...)	.nsids = U32S(__VA_ARGS__),				\
			.n = ARRAY_SIZE(U32S(__VA_ARGS__))
#define WANT(...)	.want = U32S(__VA_ARGS__),				\
			.want_n = ARRAY_SIZE(U32S(__VA_ARGS__))

static const struct vdev_id_list_case vdev_id_list_cases[] = {
	{ "no namespaces", .start = 0 },
	{ "all, from 0", NSIDS(1, 2, 3), .start = 0, WANT(1, 2, 3) },
	{ "sparse NSIDs", NSIDS(1, 5, 9, 1024), .start = 0,
	  WANT(1, 5, 9, 1024) },
	{ "start between two", NSIDS(1, 5, 9), .start = 4, WANT(5, 9) },
	{ "start on one: only those above", NSIDS(1, 5, 9), .start = 5,
	  WANT(9) },
	{ "start at the last", NSIDS(1, 5, 9), .start = 9 },
	{ "start past the last", NSIDS(1, 5, 9), .start = 100 },
	{ "the highest NSID", NSIDS(0xfffffffd, 0xfffffffe),
	  .start = 0xfffffffd, WANT(0xfffffffe) },
	{ "exactly 1024", .range = 1024, .want_from = 1, .want_n = 1024 },
	{ "1500 from 0: the first 1024", .range = 1500, .want_from = 1,
	  .want_n = 1024 },
	{ "1500 from 1000: the last 500", .range = 1500, .start = 1000,
	  .want_from = 1001, .want_n = 500 },
	{ "1500 from 476: 477 to 1500 fill it", .range = 1500, .start = 476,
	  .want_from = 477, .want_n = 1024 },
	{ "start FFFFFFFDh", NSIDS(1), .start = 0xfffffffd },
	{ "start FFFFFFFEh", NSIDS(1), .start = 0xfffffffe,
	  .status = NVME_SC_INVALID_NS | DNR },
	{ "start FFFFFFFFh", NSIDS(1), .start = NVME_NSID_ALL,
	  .status = NVME_SC_INVALID_NS | DNR },
	{ "NSIDs out of order", NSIDS(2, 1), .status = NVME_SC_INTERNAL },
	{ "an NSID twice", NSIDS(1, 1), .status = NVME_SC_INTERNAL },
	{ "NSID 0", NSIDS(0, 1), .status = NVME_SC_INTERNAL },
	{ "NSID FFFFFFFFh", NSIDS(1, NVME_NSID_ALL),
	  .status = NVME_SC_INTERNAL },
};

static const u32 *vdev_id_list_nsids(struct kunit *test,
				     const struct vdev_id_list_case *c,
				     unsigned int *n)
{
	u32 *nsids, i;

	*n = c->n;
	if (!c->range)
		return c->nsids;
	nsids = kunit_kcalloc(test, c->range, sizeof(*nsids), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, nsids);
	for (i = 0; i < c->range; i++)
		nsids[i] = i + 1;
	*n = c->range;
	return nsids;
}

static void vdev_id_list_test(struct kunit *test)
{
	const struct vdev_id_list_case *c = test->param_value;
	__le32 *list = (__le32 *)vdev_id_buf(test);
	const u32 *nsids;
	unsigned int n, i;
	u32 want;

	nsids = vdev_id_list_nsids(test, c, &n);
	KUNIT_ASSERT_EQ(test, vdev_nvme_id_active_ns_list(list, nsids, n,
							  c->start),
			c->status);
	for (i = 0; i < c->want_n; i++) {
		want = c->want ? c->want[i] : c->want_from + i;
		KUNIT_EXPECT_EQ_MSG(test, le32_to_cpu(list[i]), want,
				    "entry %u", i);
	}
	vdev_id_expect_zero(test, (u8 *)list, c->want_n * sizeof(*list));
}

/* --- Namespace Identification Descriptor list ---------------------------- */

/**
 * struct vdev_id_desc_case - a namespace's identifiers and their list
 * @desc: the case's name
 * @info: the namespace
 * @want: the descriptors expected, in order, up to one of length 0
 * @want.off: byte offset of its header
 * @want.nidt: its type
 * @want.nidl: its length
 * @end: the first byte after the last descriptor
 */
struct vdev_id_desc_case {
	const char *desc;
	struct vdev_nvme_ns_info info;
	struct {
		u16 off;
		u8 nidt;
		u8 nidl;
	} want[5];
	u16 end;
};

#define D_EUI	NVME_NIDT_EUI64
#define D_NGUID	NVME_NIDT_NGUID
#define D_UUID	NVME_NIDT_UUID
#define D_CSI	NVME_NIDT_CSI

static const struct vdev_id_desc_case vdev_id_desc_cases[] = {
	{ "NGUID and UUID, as vdev makes them",
	  NS(.nguid = IDS_NGUID, .uuid = IDS_UUID),
	  { { 0, D_NGUID, 16 }, { 20, D_UUID, 16 }, { 40, D_CSI, 1 } }, 45 },
	{ "EUI-64, NGUID and UUID",
	  NS(.eui64 = IDS_EUI64, .nguid = IDS_NGUID, .uuid = IDS_UUID),
	  { { 0, D_EUI, 8 }, { 12, D_NGUID, 16 }, { 32, D_UUID, 16 },
	    { 52, D_CSI, 1 } }, 57 },
	{ "no identifier: the command set alone", NS(),
	  { { 0, D_CSI, 1 } }, 5 },
	{ "UUID only", NS(.uuid = IDS_UUID),
	  { { 0, D_UUID, 16 }, { 20, D_CSI, 1 } }, 25 },
	{ "EUI-64 only", NS(.eui64 = IDS_EUI64),
	  { { 0, D_EUI, 8 }, { 12, D_CSI, 1 } }, 17 },
	{ "an NGUID of one set bit is one",
	  NS(.nguid = { [15] = 0x01 }), { { 0, D_NGUID, 16 }, { 20, D_CSI, 1 } },
	  25 },
};

/* What descriptor type @nidt of @info must carry. */
static const void *vdev_id_desc_data(const struct vdev_nvme_ns_info *info,
				     u8 nidt)
{
	static const u8 csi = NVME_CSI_NVM;

	switch (nidt) {
	case NVME_NIDT_EUI64:
		return info->eui64;
	case NVME_NIDT_NGUID:
		return info->nguid;
	case NVME_NIDT_UUID:
		return &info->uuid;
	default:
		return &csi;
	}
}

static void vdev_id_desc_test(struct kunit *test)
{
	const struct vdev_id_desc_case *c = test->param_value;
	u8 *buf = vdev_id_buf(test);
	unsigned int i, n = 0;
	u32 pos;

	KUNIT_ASSERT_EQ(test, vdev_nvme_id_ns_desc_list(buf, &c->info), 0);
	for (i = 0; i < ARRAY_SIZE(c->want) && c->want[i].nidl; i++) {
		const u8 *d = buf + c->want[i].off;

		KUNIT_EXPECT_EQ_MSG(test, d[0], c->want[i].nidt, "desc %u", i);
		KUNIT_EXPECT_EQ_MSG(test, d[1], c->want[i].nidl, "desc %u", i);
		KUNIT_EXPECT_EQ_MSG(test, d[2] | d[3], 0, "desc %u", i);
		KUNIT_EXPECT_MEMEQ(test, d + 4,
				   vdev_id_desc_data(&c->info, c->want[i].nidt),
				   c->want[i].nidl);
	}
	vdev_id_expect_zero(test, buf, c->end);
	/* Walked as Linux walks it: it ends where the case says. */
	for (pos = 0; pos + 4 <= VDEV_NVME_ID_SIZE && buf[pos + 1]; n++)
		pos += 4 + buf[pos + 1];
	KUNIT_EXPECT_EQ(test, n, i);
	KUNIT_EXPECT_EQ(test, pos, c->end);
}

/* --- I/O Command Set specific structures --------------------------------- */

/**
 * struct vdev_id_cs_case - one CNS 05h or 06h command
 * @desc: the case's name
 * @ns: CNS 05h (namespace), else 06h (controller)
 * @csi: its CSI
 * @status: the status expected; the data is all zero either way
 */
struct vdev_id_cs_case {
	const char *desc;
	bool ns;
	u8 csi;
	u16 status;
};

static const struct vdev_id_cs_case vdev_id_cs_cases[] = {
	{ "controller, NVM", false, NVME_CSI_NVM, 0 },
	{ "controller, key value", false, 1, NVME_SC_INVALID_FIELD | DNR },
	{ "controller, zoned", false, NVME_CSI_ZNS,
	  NVME_SC_INVALID_FIELD | DNR },
	{ "controller, CSI FFh", false, 0xff, NVME_SC_INVALID_FIELD | DNR },
	{ "namespace, NVM", true, NVME_CSI_NVM, 0 },
	{ "namespace, zoned", true, NVME_CSI_ZNS,
	  NVME_SC_INVALID_FIELD | DNR },
};

static void vdev_id_cs_test(struct kunit *test)
{
	const struct vdev_id_cs_case *c = test->param_value;
	u8 *buf = vdev_id_buf(test);

	if (c->ns)
		KUNIT_EXPECT_EQ(test, vdev_nvme_id_cs_ns(buf, c->csi),
				c->status);
	else
		KUNIT_EXPECT_EQ(test, vdev_nvme_id_cs_ctrl(buf, c->csi),
				c->status);
	vdev_id_expect_zero(test, buf, 0);
}

/* --- identifiers ---------------------------------------------------------- */

/**
 * struct vdev_id_ids_case - a seed, an NSID and the identifiers they make
 * @desc: the case's name
 * @seed: serial or controller name
 * @nsid: the NSID
 * @nguid: the NGUID expected
 * @uuid: the UUID expected, as its 16 bytes
 */
struct vdev_id_ids_case {
	const char *desc;
	const char *seed;
	u32 nsid;
	u8 nguid[16];
	u8 uuid[16];
};

static const struct vdev_id_ids_case vdev_id_ids_cases[] = {
	{ "a serial on NSID 1", "disk-1", 1, IDS_NGUID,
	  { 0x31, 0xf2, 0xe2, 0x26, 0x03, 0x06, 0x80, 0x90,
	    0x81, 0xc7, 0x49, 0xe5, 0x5a, 0x0a, 0x22, 0x06 } },
	{ "the same serial on NSID 2", "disk-1", 2,
	  { 0xee, 0xad, 0x8d, 0xf7, 0x40, 0xe7, 0x38, 0x74,
	    0x25, 0x44, 0xdb, 0x29, 0x60, 0x8b, 0x72, 0x22 },
	  { 0x20, 0x96, 0xed, 0xe3, 0xbd, 0x98, 0x86, 0x18,
	    0x87, 0xd7, 0x26, 0x6e, 0x05, 0xdf, 0xb6, 0xb3 } },
	{ "a controller name on NSID 7", "ctrl0", 7,
	  { 0x8d, 0x06, 0xd1, 0xc8, 0x9b, 0x8d, 0x81, 0x87,
	    0x9c, 0x77, 0xb0, 0xc2, 0x84, 0xd8, 0x0d, 0xb0 },
	  { 0x3d, 0xde, 0xdb, 0x52, 0x78, 0x04, 0x8b, 0x39,
	    0xb8, 0x99, 0xe5, 0x04, 0xe4, 0x2a, 0x0c, 0x00 } },
};

static void vdev_id_ids_test(struct kunit *test)
{
	const struct vdev_id_ids_case *c = test->param_value;
	struct vdev_nvme_ns_info info;

	memset(&info, POISON, sizeof(info));
	vdev_nvme_ns_ids(&info, c->seed, c->nsid);
	KUNIT_EXPECT_MEMEQ(test, info.nguid, c->nguid, sizeof(info.nguid));
	KUNIT_EXPECT_MEMEQ(test, info.uuid.b, c->uuid, sizeof(info.uuid));
	/* Version 8, variant 10b. */
	KUNIT_EXPECT_EQ(test, info.uuid.b[6] >> 4, 8);
	KUNIT_EXPECT_EQ(test, info.uuid.b[8] >> 6, 2);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(info.eui64, 0, sizeof(info.eui64)),
			    NULL);
}

/* A seed is cut where the longest serial or name ends, and no sooner. */
static void vdev_id_ids_seed_test(struct kunit *test)
{
	struct vdev_nvme_ns_info a, b;

	vdev_nvme_ns_ids(&a, NAME31, 1);
	vdev_nvme_ns_ids(&b, NAME31 "-and-more", 1);
	KUNIT_EXPECT_MEMEQ(test, a.nguid, b.nguid, sizeof(a.nguid));
	vdev_nvme_ns_ids(&b, "a-controller-name-of-31-chars-y", 1);
	KUNIT_EXPECT_MEMNEQ(test, a.nguid, b.nguid, sizeof(a.nguid));
	KUNIT_EXPECT_MEMNEQ(test, a.uuid.b, b.uuid.b, sizeof(a.uuid));
}

/* --- from a block device ------------------------------------------------- */

/**
 * struct vdev_id_disk_case - a namespace on a RAM disk, and its info
 * @desc: the case's name
 * @disk: the disk's limits
 * @bytes: its RAM
 * @ns_ro: the namespace is read-only
 * @shared: the namespace is shared
 * @serial: its serial
 * @nsid: its NSID
 * @want: the info expected, but for the identifiers
 * @seed: what the identifiers must be made of
 */
struct vdev_id_disk_case {
	const char *desc;
	struct vdev_kunit_disk_cfg disk;
	u32 bytes;
	bool ns_ro;
	bool shared;
	const char *serial;
	u32 nsid;
	struct vdev_nvme_ns_info want;
	const char *seed;
};

static const struct vdev_id_disk_case vdev_id_disk_cases[] = {
	{ "4 KiB blocks, discard, a read-only disk",
	  { .lbs = SZ_4K, .io_min = SZ_16K, .io_opt = SZ_64K,
	    .discard = 1024, .discard_gran = SZ_8K, .disk_ro = true },
	  SZ_1M, .serial = "disk-1", .nsid = 1,
	  { .nr_blocks = 256, .lba_shift = 12, .io_min_blocks = 4,
	    .io_opt_blocks = 16, .discard_gran_blocks = 2,
	    .max_discard_blocks = 128, .read_only = true }, "disk-1" },
	{ "512-byte blocks, write zeroes, shared, read-only, no serial",
	  { .lbs = 512, .zeroes = 2048, .capacity = 1ULL << 31 },
	  SZ_64K, .ns_ro = true, .shared = true, .serial = "", .nsid = 3,
	  { .nr_blocks = 1ULL << 31, .lba_shift = 9, .io_min_blocks = 1,
	    .max_zeroes_blocks = 2048, .read_only = true, .shared = true },
	  "nvme0" },
	{ "2^40 blocks of 4 KiB, writable",
	  { .lbs = SZ_4K, .capacity = 1ULL << 43 },
	  SZ_64K, .serial = "S3R1AL-0123456789~!z", .nsid = 1024,
	  { .nr_blocks = 1ULL << 40, .lba_shift = 12, .io_min_blocks = 1 },
	  "S3R1AL-0123456789~!z" },
};

static void vdev_id_disk_expect(struct kunit *test,
				const struct vdev_nvme_ns_info *got,
				const struct vdev_nvme_ns_info *want)
{
	KUNIT_EXPECT_EQ(test, got->nr_blocks, want->nr_blocks);
	KUNIT_EXPECT_EQ(test, got->lba_shift, want->lba_shift);
	KUNIT_EXPECT_EQ(test, got->io_min_blocks, want->io_min_blocks);
	KUNIT_EXPECT_EQ(test, got->io_opt_blocks, want->io_opt_blocks);
	KUNIT_EXPECT_EQ(test, got->discard_gran_blocks,
			want->discard_gran_blocks);
	KUNIT_EXPECT_EQ(test, got->max_discard_blocks,
			want->max_discard_blocks);
	KUNIT_EXPECT_EQ(test, got->max_zeroes_blocks, want->max_zeroes_blocks);
	KUNIT_EXPECT_FALSE(test, got->dealloc_zeroes);
	KUNIT_EXPECT_EQ(test, got->read_only, want->read_only);
	KUNIT_EXPECT_EQ(test, got->shared, want->shared);
}

static void vdev_id_disk_test(struct kunit *test)
{
	const struct vdev_id_disk_case *c = test->param_value;
	struct vdev_nvme_ns_info info, ids = {};
	struct vdev_kunit_disk *d;
	struct nvme_id_ns *id;
	struct vdev_ctrl *ctrl;
	struct vdev_ns *ns;

	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	ctrl = kunit_kzalloc(test, sizeof(*ctrl), GFP_KERNEL);
	ns = kunit_kzalloc(test, sizeof(*ns), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, d && ctrl && ns);
	strscpy(ctrl->name, "nvme0", sizeof(ctrl->name));
	ns->ctrl = ctrl;
	ns->addr.nsid = c->nsid;
	ns->addr.has_nsid = true;
	ns->read_only = c->ns_ro;
	ns->shared = c->shared;
	strscpy(ns->ident.serial, c->serial, sizeof(ns->ident.serial));
	ns->bdev_file = vdev_kunit_disk_add(test, d, c->bytes, &c->disk);

	memset(&info, POISON, sizeof(info));
	vdev_nvme_ns_info_get(ns, &info);
	vdev_id_disk_expect(test, &info, &c->want);
	vdev_nvme_ns_ids(&ids, c->seed, c->nsid);
	KUNIT_EXPECT_MEMEQ(test, info.nguid, ids.nguid, sizeof(ids.nguid));
	KUNIT_EXPECT_MEMEQ(test, info.uuid.b, ids.uuid.b, sizeof(ids.uuid));
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(info.eui64, 0, sizeof(info.eui64)),
			    NULL);

	/* And on through the builder, as a host would see the disk. */
	id = (struct nvme_id_ns *)vdev_id_buf(test);
	KUNIT_ASSERT_EQ(test, vdev_nvme_id_ns(id, &info), 0);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(id->nsze), c->want.nr_blocks);
	KUNIT_EXPECT_EQ(test, id->lbaf[0].ds, c->want.lba_shift);
	KUNIT_EXPECT_EQ(test, id->nsattr & NVME_NS_ATTR_RO, c->want.read_only);
	KUNIT_EXPECT_EQ(test, id->nmic & NVME_NS_NMIC_SHARED, c->want.shared);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(id->npwg) + 1, c->want.io_min_blocks);
}

/* --- the suite ------------------------------------------------------------ */

KUNIT_ARRAY_PARAM_DESC(vdev_id_ctrl, vdev_id_ctrl_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_id_ns, vdev_id_ns_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_id_list, vdev_id_list_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_id_desc, vdev_id_desc_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_id_cs, vdev_id_cs_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_id_ids, vdev_id_ids_cases, desc);
KUNIT_ARRAY_PARAM_DESC(vdev_id_disk, vdev_id_disk_cases, desc);

static struct kunit_case vdev_nvme_id_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_id_ctrl_test, vdev_id_ctrl_gen_params),
	KUNIT_CASE_PARAM(vdev_id_ns_test, vdev_id_ns_gen_params),
	KUNIT_CASE_PARAM(vdev_id_list_test, vdev_id_list_gen_params),
	KUNIT_CASE_PARAM(vdev_id_desc_test, vdev_id_desc_gen_params),
	KUNIT_CASE_PARAM(vdev_id_cs_test, vdev_id_cs_gen_params),
	KUNIT_CASE_PARAM(vdev_id_ids_test, vdev_id_ids_gen_params),
	KUNIT_CASE(vdev_id_ids_seed_test),
	KUNIT_CASE_PARAM(vdev_id_disk_test, vdev_id_disk_gen_params),
	{}
};

static struct kunit_suite vdev_nvme_id_test_suite = {
	.name = "vdev_nvme_id",
	.test_cases = vdev_nvme_id_test_cases,
};

kunit_test_suite(vdev_nvme_id_test_suite);
