// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the virtio-scsi device type's fixed parts: LUN addressing on the
 * wire, the config space the guest sees (as QEMU 7.2 shows it), the
 * features and the queues the core leaves alone, and a LUN's identity
 * (ns-add's serial, vendor and product, or the defaults) as INQUIRY
 * answers it. Then commands that run in the slow work (VERIFY, WRITE
 * SAME) through vdev_scsi_ops as the core calls it, on a RAM disk of the
 * test's own whose bios really carry the data, with guest memory on a
 * pinned shmem file.
 */
#include <kunit/test.h>
#include <linux/blkdev.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/unaligned.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_scsi.h>
#include <scsi/scsi_proto.h>

#include "kunit_util.h"
#include "poller.h"
#include "scsi.h"
#include "session.h"

#define CFG16(x)	le16_to_cpu((__force __le16)(x))
#define CFG32(x)	le32_to_cpu((__force __le32)(x))

struct vdev_st_lun_case {
	const char *desc;
	u8 lun[8];
	int ret;
	u8 target;
	u16 id;
};

static const struct vdev_st_lun_case vdev_st_lun_cases[] = {
	{ "peripheral 0:0", { 1, 0, 0, 0 }, 0, 0, 0 },
	{ "peripheral 3:200", { 1, 3, 0, 200 }, 0, 3, 200 },
	{ "flat 0:1 (Linux)", { 1, 0, 0x40, 1 }, 0, 0, 1 },
	{ "flat 255:16383", { 1, 255, 0x7f, 0xff }, 0, 255, 16383 },
	{ "last bytes ignored", { 1, 2, 0x40, 5, 9, 9, 9, 9 }, 0, 2, 5 },
	{ "first byte 0", { 0, 0, 0, 0 }, -EINVAL },
	{ "first byte 2", { 2, 0, 0, 0 }, -EINVAL },
	{ "logical unit addressing", { 1, 0, 0x80, 1 }, -EINVAL },
	{ "extended addressing", { 1, 0, 0xc0, 1 }, -EINVAL },
	{ "peripheral with a bus", { 1, 0, 0x01, 1 }, -EINVAL },
};

static void vdev_st_lun_desc(const struct vdev_st_lun_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_st_lun, vdev_st_lun_cases, vdev_st_lun_desc);

static void vdev_scsi_lun_decode_test(struct kunit *test)
{
	const struct vdev_st_lun_case *c = test->param_value;
	u8 target = 0xaa;
	u16 id = 0xaaaa;

	KUNIT_ASSERT_EQ(test, vdev_scsi_lun_decode(c->lun, &target, &id),
			c->ret);
	if (c->ret)
		return;
	KUNIT_EXPECT_EQ(test, target, c->target);
	KUNIT_EXPECT_EQ(test, id, c->id);
}

/* A LUN's table key is one per address, and in its target's range. */
static void vdev_scsi_key_test(struct kunit *test)
{
	struct vdev_ns_addr a = { .target = 255, .lun = 16383 };
	struct vdev_ns_addr b = { .target = 1, .lun = 0 };
	struct vdev_ns_addr c = { .target = 0, .lun = 16383 };

	KUNIT_EXPECT_EQ(test, vdev_scsi_ops.ns_addr_key(&a), 255UL << 14 | 16383);
	KUNIT_EXPECT_NE(test, vdev_scsi_ops.ns_addr_key(&b),
			vdev_scsi_ops.ns_addr_key(&c));
	KUNIT_EXPECT_GT(test, vdev_scsi_ops.ns_addr_key(&b),
			vdev_scsi_ops.ns_addr_key(&c));
}

struct vdev_st_cfg_case {
	const char *desc;
	u32 queues;
	u32 queue_size;
	u32 seg_max;
};

static const struct vdev_st_cfg_case vdev_st_cfg_cases[] = {
	{ "QEMU's default: 1 queue of 128", 1, 128, 126 },
	{ "4 queues of 256", 4, 256, 254 },
	{ "rings beyond QEMU's 1024", 2, 4096, 1022 },
	{ "a ring of 2", 1, 2, 1 },
};

static void vdev_st_cfg_desc(const struct vdev_st_cfg_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_st_cfg, vdev_st_cfg_cases, vdev_st_cfg_desc);

/* What QEMU 7.2's vhost-user-scsi-pci shows the guest, field by field. */
static void vdev_scsi_get_config_test(struct kunit *test)
{
	const struct vdev_st_cfg_case *c = test->param_value;
	struct vdev_session *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct vdev_ctrl *ctrl = kunit_kzalloc(test, sizeof(*ctrl), GFP_KERNEL);
	u8 *buf = kunit_kzalloc(test, VDEV_VU_MAX_CONFIG, GFP_KERNEL);
	struct virtio_scsi_config *cfg = (void *)buf;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, ctrl);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	ctrl->ops = &vdev_scsi_ops;
	ctrl->cfg.num_queues = c->queues;
	ctrl->cfg.queue_size = c->queue_size;
	s->ctrl = ctrl;
	KUNIT_ASSERT_EQ(test, vdev_scsi_ops.get_config(s, buf), 0);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->num_queues), c->queues);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->seg_max), c->seg_max);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->max_sectors), 0xffff);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->cmd_per_lun), 128);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->event_info_size), 16);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->sense_size), 96);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->cdb_size), 32);
	KUNIT_EXPECT_EQ(test, CFG16(cfg->max_channel), 0);
	KUNIT_EXPECT_EQ(test, CFG16(cfg->max_target), 255);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->max_lun), 16383);
	/* Requests as long as the guest may make them fit a chain. */
	KUNIT_EXPECT_EQ(test, vdev_scsi_ops.chain_max(ctrl), c->seg_max + 2);
}

static void vdev_scsi_features_test(struct kunit *test)
{
	u64 want = BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_RING_PACKED) |
		   BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) |
		   BIT_ULL(VIRTIO_RING_F_EVENT_IDX) |
		   BIT_ULL(VDEV_VU_F_PROTOCOL_FEATURES) |
		   BIT_ULL(VIRTIO_SCSI_F_HOTPLUG) |
		   BIT_ULL(VIRTIO_SCSI_F_CHANGE);

	/* No bidirectional commands, no protection information. */
	KUNIT_EXPECT_EQ(test, vdev_scsi_ops.features(NULL), want);
}

/* Control and event queues besides the request queues. */
static void vdev_scsi_queues_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vdev_scsi_ops.extra_queues, 2);
	/* A LUN is looked up per request: none is resolved at attach. */
	KUNIT_EXPECT_TRUE(test, vdev_scsi_ops.hot_ns);
}

/* --- commands in the slow work ------------------------------------------- */

/* The disk: 4 MiB of RAM; I/O from err_from on fails, as dm-error does. */
#define VST_BYTES	SZ_4M
/* Guest memory: header and response, then the data-out. */
#define VST_MEM_GPA	0x100000ULL
#define VST_MEM_SIZE	SZ_2M
#define VST_HDR		(VST_MEM_GPA + 0x0000)
#define VST_RESP	(VST_MEM_GPA + 0x0100)
#define VST_DATA	(VST_MEM_GPA + 0x1000)
#define VST_DATA_MAX	(VST_MEM_SIZE - 0x1000)
#define VST_PIECES	3

struct vdev_vst {
	struct kunit *test;
	struct vdev_kunit_disk d;
	struct vdev_mem *mem;
	struct vdev_mem_gen gen;
	struct vdev_ctrl *ctrl;
	struct vdev_ns ns;
	struct vdev_session s;
	struct vdev_queue q;
	struct vdev_req *req;
	struct vdev_vring_buf bufs[VST_PIECES + 2];
	struct vdev_vring_chain chain;
	struct virtio_scsi_cmd_resp resp;
};

KUNIT_DEFINE_ACTION_WRAPPER(vdev_vst_ctrl_put, vdev_ctrl_put,
			    struct vdev_ctrl *);

/* As vdev_ns_detach() would, minus the reference the test holds. */
static void vdev_vst_lun_del(void *data)
{
	struct vdev_vst *t = data;

	xa_erase(&t->ctrl->ns, vdev_scsi_ops.ns_addr_key(&t->ns.addr));
	vdev_scsi_ops.ns_free(&t->ns);
}

/*
 * Send the CDB @cdb with a data-out of @out bytes at VST_DATA, in pieces
 * of @pieces bytes (0 ends the list; the last piece takes the rest), as
 * the poller would; wait for its slow work; complete it, and read the
 * response back into t->resp.
 */
static void vdev_vst_run(struct vdev_vst *t, const u8 *cdb, u32 out,
			 const u32 *pieces)
{
	struct virtio_scsi_cmd_req hdr = { .lun = { 1, 0, 0, 0 } };
	struct vdev_vring_chain *c = &t->chain;
	struct kunit *test = t->test;
	struct vdev_req *req = t->req;
	u32 off = 0, n;
	unsigned int i;

	memset(req, 0, sizeof(*req));
	req->q = &t->q;
	req->gen = &t->gen;
	req->stat = VDEV_STAT_OTHER;
	atomic_set(&req->remaining, 1);
	memcpy(hdr.cdb, cdb, 16);
	KUNIT_ASSERT_EQ(test, vdev_mem_write(t->mem, VST_HDR, &hdr,
					     sizeof(hdr)), 0);
	memset(c, 0, sizeof(*c));
	c->bufs = t->bufs;
	c->max = ARRAY_SIZE(t->bufs);
	t->bufs[c->nbufs++] = (struct vdev_vring_buf){ VST_HDR, sizeof(hdr) };
	for (i = 0; off < out; i++) {
		KUNIT_ASSERT_LT(test, i, VST_PIECES);
		n = pieces && pieces[i] && i < VST_PIECES - 1 ?
		    min(pieces[i], out - off) : out - off;
		t->bufs[c->nbufs++] = (struct vdev_vring_buf){ VST_DATA + off,
							      n };
		off += n;
	}
	c->out_len = sizeof(hdr) + out;
	t->bufs[c->nbufs++] = (struct vdev_vring_buf){ VST_RESP,
						      sizeof(t->resp), true };
	c->in_len = sizeof(t->resp);
	vdev_scsi_ops.req_execute(req, c);
	if (atomic_read(&req->remaining) > 1)
		flush_work(&req->work);
	/* The work ended: only the poller's reference is left. */
	KUNIT_EXPECT_EQ(test, atomic_read(&req->remaining), 1);
	vdev_scsi_ops.req_complete(req, true);
	if (req->ns)
		vdev_ns_put(req->ns);
	KUNIT_ASSERT_EQ(test, vdev_mem_read(t->mem, VST_RESP, &t->resp,
					    sizeof(t->resp)), 0);
}

/*
 * A LUN 0:0 on a new disk of @lbs blocks behind a controller, a session
 * and one request queue; its POWER ON unit attention already reported.
 */
static struct vdev_vst *vdev_vst_setup(struct kunit *test, u32 lbs)
{
	const struct vdev_kunit_disk_cfg cfg = { .lbs = lbs, .zeroes = 256 };
	const u8 tur[16] = { TEST_UNIT_READY };
	struct vdev_vst *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	t->req = kunit_kzalloc(test, sizeof(*t->req), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->req);
	t->ctrl = vdev_ctrl_alloc();
	KUNIT_ASSERT_NOT_NULL(test, t->ctrl);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vdev_vst_ctrl_put,
							t->ctrl), 0);
	t->ctrl->ops = &vdev_scsi_ops;
	t->ctrl->cfg.type = VDEV_CTRL_TYPE_VIRTIO_SCSI;
	t->ctrl->cfg.num_queues = 1;
	strscpy(t->ctrl->name, "scsi0", sizeof(t->ctrl->name));
	t->mem = vdev_kunit_mem(test, VST_MEM_GPA, VST_MEM_SIZE);
	t->gen.mem = t->mem;
	t->ns.bdev_file = vdev_kunit_disk_add(test, &t->d, VST_BYTES, &cfg);
	kref_init(&t->ns.ref);
	t->ns.ctrl = t->ctrl;
	t->ns.addr = (struct vdev_ns_addr){ .has_target = true,
					    .has_lun = true };
	KUNIT_ASSERT_EQ(test, vdev_scsi_ops.ns_init(&t->ns), 0);
	KUNIT_ASSERT_EQ(test, xa_err(xa_store(&t->ctrl->ns,
					      vdev_scsi_ops.ns_addr_key(&t->ns.addr),
					      &t->ns, GFP_KERNEL)), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vdev_vst_lun_del,
							t), 0);
	t->s.ctrl = t->ctrl;
	t->q.session = &t->s;
	t->q.index = 2;		/* the first request queue */
	vdev_vst_run(t, tur, 0, NULL);
	KUNIT_ASSERT_EQ(test, t->resp.status, SAM_STAT_CHECK_CONDITION);
	KUNIT_ASSERT_EQ(test, t->resp.sense[2], UNIT_ATTENTION);
	return t;
}

/* What the data-out holds. */
enum vdev_vst_data {
	D_NONE,		/* no data-out */
	D_MEDIUM,	/* the range's blocks as the medium holds them */
	D_BLOCK,	/* one block of a pattern (VERIFY: the range holds it) */
	D_ZERO,		/* one block of zeroes */
};

/**
 * struct vdev_vst_case - one VERIFY (16) or WRITE SAME (16)
 * @desc: what it shows
 * @lbs: logical block size of the disk
 * @op: VERIFY_16 or WRITE_SAME_16
 * @flags: CDB byte 1 (BYTCHK, UNMAP, NDOB)
 * @lba: first block
 * @nblocks: blocks
 * @data: the data-out
 * @pieces: its buffers' lengths (the last one takes the rest)
 * @flip_out: byte of the data-out changed after it was made (-1: none)
 * @flip_disk: byte of the range on the medium changed (-1: none)
 * @err_from: the disk fails I/O from this byte of the range on (0: never)
 * @key: sense key expected (0: GOOD)
 * @code: ASC and ASCQ expected
 * @info: INFORMATION expected (-1: not valid)
 * @stat: the request's statistics type
 */
struct vdev_vst_case {
	const char *desc;
	u32 lbs;
	u8 op;
	u8 flags;
	u64 lba;
	u32 nblocks;
	enum vdev_vst_data data;
	u32 pieces[VST_PIECES];
	int flip_out;
	int flip_disk;
	u64 err_from;
	u8 key;
	u16 code;
	s64 info;
	u8 stat;
};

#define VST_VERIFY(b)	.op = VERIFY_16, .flags = (b) << 1
#define VST_WS(f)	.op = WRITE_SAME_16, .flags = (f)
#define VST_GOOD	.flip_out = -1, .flip_disk = -1, .info = -1
#define VST_MISC(i)	.key = MISCOMPARE, .code = 0x1d00, .info = (i)

static const struct vdev_vst_case vdev_vst_cases[] = {
	{ "VERIFY BYTCHK 0: three reads", 512, VST_VERIFY(0), 8, 1200, D_NONE,
	  VST_GOOD, .stat = VDEV_STAT_READ },
	{ "VERIFY BYTCHK 1 equal, data-out in three pieces", 512,
	  VST_VERIFY(1), 8, 1200, D_MEDIUM, { 1000, 300000 }, VST_GOOD,
	  .stat = VDEV_STAT_READ },
	{ "VERIFY BYTCHK 1: the third piece, the third read", 512,
	  VST_VERIFY(1), 8, 1200, D_MEDIUM, { 1000, 300000 }, .flip_out = 600000,
	  .flip_disk = -1, VST_MISC(600000), .stat = VDEV_STAT_READ },
	{ "VERIFY BYTCHK 1: the medium's first byte", 512, VST_VERIFY(1), 8,
	  1200, D_MEDIUM, { 4096 }, .flip_out = -1, .flip_disk = 0,
	  VST_MISC(0), .stat = VDEV_STAT_READ },
	{ "VERIFY BYTCHK 1: two differ, the first is told", 512,
	  VST_VERIFY(1), 8, 1200, D_MEDIUM, { 7 }, .flip_out = 500000,
	  .flip_disk = 300001, VST_MISC(300001), .stat = VDEV_STAT_READ },
	{ "VERIFY BYTCHK 1, 4 KiB blocks: last byte of block 70", 4096,
	  VST_VERIFY(1), 3, 100, D_MEDIUM, { 4095 }, .flip_out = 70 * 4096 + 4095,
	  .flip_disk = -1, VST_MISC(70 * 4096 + 4095),
	  .stat = VDEV_STAT_READ },
	{ "VERIFY BYTCHK 3 equal", 512, VST_VERIFY(3), 8, 1200, D_BLOCK,
	  { 100 }, VST_GOOD, .stat = VDEV_STAT_READ },
	{ "VERIFY BYTCHK 3: block 700 differs", 512, VST_VERIFY(3), 8, 1200,
	  D_BLOCK, .flip_out = -1, .flip_disk = 700 * 512 + 9,
	  VST_MISC(700 * 512 + 9), .stat = VDEV_STAT_READ },
	{ "VERIFY BYTCHK 3: the data-out block differs", 512, VST_VERIFY(3), 8,
	  1200, D_BLOCK, .flip_out = 5, .flip_disk = -1, VST_MISC(5),
	  .stat = VDEV_STAT_READ },
	{ "VERIFY BYTCHK 3, 4 KiB blocks: block 99", 4096, VST_VERIFY(3), 0,
	  100, D_BLOCK, .flip_out = -1, .flip_disk = 99 * 4096,
	  VST_MISC(99 * 4096), .stat = VDEV_STAT_READ },
	{ "VERIFY BYTCHK 0: medium error", 512, VST_VERIFY(0), 8, 1200, D_NONE,
	  VST_GOOD, .err_from = 1000 * 512, .key = MEDIUM_ERROR,
	  .code = 0x1100, .stat = VDEV_STAT_READ },
	{ "VERIFY BYTCHK 1: a medium error before a miscompare", 512,
	  VST_VERIFY(1), 8, 1200, D_MEDIUM, .flip_out = 600000,
	  .flip_disk = -1, .info = -1, .err_from = 300000,
	  .key = MEDIUM_ERROR, .code = 0x1100, .stat = VDEV_STAT_READ },
	{ "WRITE SAME a pattern: three bios", 512, VST_WS(0), 100, 4100,
	  D_BLOCK, VST_GOOD, .stat = VDEV_STAT_WRITE },
	{ "WRITE SAME a pattern in two pieces", 512, VST_WS(0), 1, 9, D_BLOCK,
	  { 100 }, VST_GOOD, .stat = VDEV_STAT_WRITE },
	{ "WRITE SAME a pattern with UNMAP", 512, VST_WS(0x08), 1, 9, D_BLOCK,
	  VST_GOOD, .stat = VDEV_STAT_WRITE },
	{ "WRITE SAME a pattern, 4 KiB blocks", 4096, VST_WS(0), 5, 300,
	  D_BLOCK, VST_GOOD, .stat = VDEV_STAT_WRITE },
	{ "WRITE SAME zeroes", 512, VST_WS(0), 100, 600, D_ZERO, VST_GOOD,
	  .stat = VDEV_STAT_WRITE_ZEROES },
	{ "WRITE SAME zeroes, UNMAP and NDOB", 512, VST_WS(0x09), 100, 600,
	  D_NONE, VST_GOOD, .stat = VDEV_STAT_WRITE_ZEROES },
	{ "WRITE SAME a pattern: medium error", 512, VST_WS(0), 100, 4100,
	  D_BLOCK, VST_GOOD, .err_from = SZ_1M, .key = MEDIUM_ERROR,
	  .code = 0x0c00, .stat = VDEV_STAT_WRITE },
};

static void vdev_vst_desc(const struct vdev_vst_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_vst, vdev_vst_cases, vdev_vst_desc);

/* Lay out the medium and the data-out for @c; returns the data-out bytes. */
static u32 vdev_vst_arrange(struct vdev_vst *t, const struct vdev_vst_case *c,
			    u8 *out)
{
	u64 start = c->lba * c->lbs, len = (u64)c->nblocks * c->lbs, i;
	u8 *range = t->d.data + start;
	u32 n = 0;

	switch (c->data) {
	case D_NONE:
		break;
	case D_MEDIUM:
		n = len;
		memcpy(out, range, n);
		break;
	case D_BLOCK:
		n = c->lbs;
		for (i = 0; i < n; i++)
			out[i] = i * 13 + 0x55;
		if (c->op == VERIFY_16)
			for (i = 0; i < len; i += n)
				memcpy(range + i, out, n);
		break;
	case D_ZERO:
		n = c->lbs;
		memset(out, 0, n);
		break;
	}
	if (c->flip_out >= 0)
		out[c->flip_out] ^= 0x20;
	if (c->flip_disk >= 0)
		range[c->flip_disk] ^= 0x02;
	if (c->err_from)
		t->d.err_from = start + c->err_from;
	return n;
}

/* A WRITE SAME that succeeded: the range holds @block, its sides not. */
static void vdev_vst_expect_written(struct vdev_vst *t,
				    const struct vdev_vst_case *c,
				    const u8 *block)
{
	u64 start = c->lba * c->lbs, end = start + (u64)c->nblocks * c->lbs;
	struct kunit *test = t->test;
	u64 i;

	for (i = start; i < end; i++)
		if (t->d.data[i] != (block ? block[(i - start) % c->lbs] : 0))
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, end, "byte %llu of the disk", i);
	for (i = start - c->lbs; i < start; i++)
		KUNIT_ASSERT_EQ(test, t->d.data[i], vdev_kunit_disk_byte(i));
	for (i = end; i < end + c->lbs; i++)
		KUNIT_ASSERT_EQ(test, t->d.data[i], vdev_kunit_disk_byte(i));
}

static void vdev_scsi_slow_cmd_test(struct kunit *test)
{
	const struct vdev_vst_case *c = test->param_value;
	struct vdev_vst *t = vdev_vst_setup(test, c->lbs);
	u64 len = (u64)c->nblocks * c->lbs;
	const u8 *sense = t->resp.sense;
	u8 cdb[16] = { c->op, c->flags };
	u8 *out;
	u32 n;

	out = kunit_kzalloc(test, VST_DATA_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	n = vdev_vst_arrange(t, c, out);
	KUNIT_ASSERT_EQ(test, vdev_mem_write(t->mem, VST_DATA, out, n), 0);
	put_unaligned_be64(c->lba, &cdb[2]);
	put_unaligned_be32(c->nblocks, &cdb[10]);
	t->d.read_bytes = 0;
	t->d.write_bytes = 0;
	vdev_vst_run(t, cdb, n, c->pieces);

	KUNIT_EXPECT_EQ(test, t->resp.response, VIRTIO_SCSI_S_OK);
	KUNIT_EXPECT_EQ(test, t->req->stat, c->stat);
	KUNIT_EXPECT_EQ(test, t->req->bytes, len);
	if (!c->key) {
		KUNIT_EXPECT_EQ(test, t->resp.status, SAM_STAT_GOOD);
		KUNIT_EXPECT_EQ(test, t->resp.sense_len, 0);
		KUNIT_EXPECT_EQ(test, t->resp.resid, 0);
		KUNIT_EXPECT_EQ(test, t->req->written, sizeof(t->resp));
		if (c->op == VERIFY_16)
			KUNIT_EXPECT_EQ(test, t->d.read_bytes, len);
		else
			KUNIT_EXPECT_EQ(test, t->d.write_bytes, len);
		if (c->op == WRITE_SAME_16)
			vdev_vst_expect_written(t, c, c->data == D_BLOCK ?
						out : NULL);
		return;
	}
	KUNIT_EXPECT_EQ(test, t->resp.status, SAM_STAT_CHECK_CONDITION);
	KUNIT_EXPECT_EQ(test, t->resp.sense_len, 18);
	KUNIT_EXPECT_EQ(test, t->resp.resid, n);
	KUNIT_EXPECT_EQ(test, sense[2], c->key);
	KUNIT_EXPECT_EQ(test, sense[12] << 8 | sense[13], c->code);
	if (c->info < 0) {
		KUNIT_EXPECT_EQ(test, sense[0], 0x70);
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(&sense[3]), 0);
	} else {
		KUNIT_EXPECT_EQ(test, sense[0], 0xf0);	/* VALID */
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(&sense[3]), c->info);
	}
}

/* Punch a hole in guest memory from @gpa: its pinned folios are orphaned. */
static void vdev_vst_punch(struct vdev_vst *t, u64 gpa, u64 len)
{
	struct file *file = t->mem->regions[0]->file;

	KUNIT_ASSERT_EQ(t->test, vfs_fallocate(file, FALLOC_FL_PUNCH_HOLE |
					       FALLOC_FL_KEEP_SIZE,
					       gpa - VST_MEM_GPA, len), 0);
}

/*
 * Guest memory gone under a data-out (a balloon, say): the work finds it
 * as it reads the data-out and ends the command with a FAILURE response,
 * as a bad chain; a VERIFY reads no further, a WRITE SAME writes nothing.
 */
static void vdev_scsi_slow_cmd_hole_test(struct kunit *test)
{
	struct vdev_vst *t = vdev_vst_setup(test, 512);
	u8 verify[16] = { VERIFY_16, 0x02, [9] = 8, [12] = 0x04, [13] = 0xb0 };
	u8 ws[16] = { WRITE_SAME_16, [9] = 100, [13] = 16 };
	u32 len = 1200 * 512;
	u8 *out;

	out = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	memcpy(out, t->d.data + 8 * 512, len);
	KUNIT_ASSERT_EQ(test, vdev_mem_write(t->mem, VST_DATA, out, len), 0);
	vdev_vst_punch(t, VST_DATA + SZ_256K + SZ_64K, PAGE_SIZE);
	t->d.read_bytes = 0;
	vdev_vst_run(t, verify, len, NULL);
	KUNIT_EXPECT_EQ(test, t->resp.response, VIRTIO_SCSI_S_FAILURE);
	KUNIT_EXPECT_EQ(test, t->req->written, sizeof(t->resp));
	KUNIT_EXPECT_GT(test, t->d.read_bytes, SZ_256K);
	KUNIT_EXPECT_LT(test, t->d.read_bytes, len);

	/* WRITE SAME whose one block lies in the hole. */
	t->d.write_bytes = 0;
	vdev_vst_run(t, ws, 512, NULL);
	KUNIT_EXPECT_EQ(test, t->resp.response, VIRTIO_SCSI_S_OK);
	KUNIT_EXPECT_EQ(test, t->resp.status, SAM_STAT_GOOD);
	vdev_vst_punch(t, VST_DATA, PAGE_SIZE);
	t->d.write_bytes = 0;
	vdev_vst_run(t, ws, 512, NULL);
	KUNIT_EXPECT_EQ(test, t->resp.response, VIRTIO_SCSI_S_FAILURE);
	KUNIT_EXPECT_EQ(test, t->d.write_bytes, 0);
}

/* --- identity ------------------------------------------------------------ */

struct vdev_st_ident_case {
	const char *desc;
	struct vdev_ns_ident set;	/* as ns-add left it */
	const char *vendor;		/* INQUIRY bytes 8-15 */
	const char *product;		/* INQUIRY bytes 16-31 */
	const char *serial;		/* VPD 80h, and after the vendor in 83h */
};

static const struct vdev_st_ident_case vdev_st_ident_cases[] = {
	{ "defaults", {}, "VDEV    ", "vdev-scsi disk  ", "scsi7.3.200" },
	{ "all three", { "SN-0001", "ACME", "Disk 9000" },
	  "ACME    ", "Disk 9000       ", "SN-0001" },
	{ "longest", { "12345678901234567890", "ABCDEFGH", "ABCDEFGHIJKLMNOP" },
	  "ABCDEFGH", "ABCDEFGHIJKLMNOP", "12345678901234567890" },
	{ "serial only", { .serial = "x" }, "VDEV    ", "vdev-scsi disk  ",
	  "x" },
	{ "vendor only", { .vendor = "LIO-ORG" }, "LIO-ORG ",
	  "vdev-scsi disk  ", "scsi7.3.200" },
	{ "product only", { .product = "QEMU HARDDISK" }, "VDEV    ",
	  "QEMU HARDDISK   ", "scsi7.3.200" },
};

static void vdev_st_ident_desc(const struct vdev_st_ident_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_st_ident, vdev_st_ident_cases, vdev_st_ident_desc);

/* INQUIRY (or a VPD page of it) of @info into @buf; the bytes built. */
static u32 vdev_st_inquiry(struct kunit *test,
			   const struct vdev_scsi_lun_info *info, u8 evpd,
			   u8 page, u8 *buf)
{
	u8 cdb[VDEV_SCSI_CDB_MAX] = { INQUIRY, evpd, page, 0, 255 };
	struct vdev_scsi_cmd cmd;

	KUNIT_ASSERT_EQ(test, vdev_scsi_parse(&cmd, info, cdb, 6), 0);
	KUNIT_ASSERT_EQ(test, vdev_scsi_check_xfer(&cmd, 0, 255), 0);
	KUNIT_ASSERT_EQ(test, cmd.op, VDEV_SCSI_OP_EMULATED);
	return vdev_scsi_emulate(&cmd, info, NULL, buf);
}

/* The LUN's T10 vendor id designator in VPD page 83h, or NULL. */
static const u8 *vdev_st_t10_lu(const u8 *buf, u32 len, u32 *desig_len)
{
	u32 off;

	for (off = 4; off + 4 <= len; off += 4 + buf[off + 3]) {
		/* Association 0 (the LUN), designator type 1 (T10). */
		if ((buf[off + 1] & 0x3f) == 0x01) {
			*desig_len = buf[off + 3];
			return &buf[off + 4];
		}
	}
	return NULL;
}

/*
 * What ns-add set (or the defaults) reaches the LUN's info as the LUN is
 * attached, and the guest reads it back with INQUIRY: standard data, the
 * unit serial number page and the device identification page.
 */
static void vdev_scsi_lun_ident_test(struct kunit *test)
{
	const struct vdev_st_ident_case *c = test->param_value;
	struct vdev_scsi_lun_info *info;
	struct vdev_ctrl *ctrl;
	struct vdev_ns *ns;
	u32 len, dlen = 0;
	const u8 *t10;
	u8 *buf;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	ctrl = kunit_kzalloc(test, sizeof(*ctrl), GFP_KERNEL);
	ns = kunit_kzalloc(test, sizeof(*ns), GFP_KERNEL);
	buf = kunit_kzalloc(test, VDEV_SCSI_BUF_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_ASSERT_NOT_NULL(test, ctrl);
	KUNIT_ASSERT_NOT_NULL(test, ns);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	strscpy(ctrl->name, "scsi7", sizeof(ctrl->name));
	ctrl->ops = &vdev_scsi_ops;
	ns->ctrl = ctrl;
	ns->addr = (struct vdev_ns_addr){ .target = 3, .lun = 200,
					  .has_target = true, .has_lun = true };
	ns->ident = c->set;
	info->block_size = 512;
	info->nr_blocks = 2048;

	vdev_scsi_lun_ident(info, ns);
	KUNIT_EXPECT_STREQ(test, info->serial, c->serial);
	KUNIT_EXPECT_STREQ(test, info->device_id, c->serial);

	len = vdev_st_inquiry(test, info, 0, 0, buf);
	KUNIT_ASSERT_EQ(test, len, 36);
	KUNIT_EXPECT_MEMEQ(test, &buf[8], c->vendor, 8);
	KUNIT_EXPECT_MEMEQ(test, &buf[16], c->product, 16);

	len = vdev_st_inquiry(test, info, 1, 0x80, buf);
	KUNIT_EXPECT_EQ(test, buf[1], 0x80);
	KUNIT_ASSERT_EQ(test, len, 4 + strlen(c->serial));
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(&buf[2]), strlen(c->serial));
	KUNIT_EXPECT_MEMEQ(test, &buf[4], c->serial, strlen(c->serial));

	len = vdev_st_inquiry(test, info, 1, 0x83, buf);
	t10 = vdev_st_t10_lu(buf, len, &dlen);
	KUNIT_ASSERT_NOT_NULL(test, t10);
	KUNIT_ASSERT_EQ(test, dlen, 8 + strlen(c->serial));
	KUNIT_EXPECT_MEMEQ(test, t10, c->vendor, 8);
	KUNIT_EXPECT_MEMEQ(test, t10 + 8, c->serial, strlen(c->serial));
}

static struct kunit_case vdev_virtio_scsi_cases[] = {
	KUNIT_CASE_PARAM(vdev_scsi_lun_decode_test, vdev_st_lun_gen_params),
	KUNIT_CASE(vdev_scsi_key_test),
	KUNIT_CASE_PARAM(vdev_scsi_get_config_test, vdev_st_cfg_gen_params),
	KUNIT_CASE(vdev_scsi_features_test),
	KUNIT_CASE(vdev_scsi_queues_test),
	KUNIT_CASE_PARAM(vdev_scsi_slow_cmd_test, vdev_vst_gen_params),
	KUNIT_CASE(vdev_scsi_slow_cmd_hole_test),
	KUNIT_CASE_PARAM(vdev_scsi_lun_ident_test, vdev_st_ident_gen_params),
	{}
};

static struct kunit_suite vdev_virtio_scsi_suite = {
	.name = "vdev_virtio_scsi",
	.test_cases = vdev_virtio_scsi_cases,
};

kunit_test_suite(vdev_virtio_scsi_suite);
