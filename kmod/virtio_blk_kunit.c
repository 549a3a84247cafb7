// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the virtio-blk device type, through vdev_blk_ops as the core
 * calls it, on real block devices. Each test adds its own RAM disk: a
 * bio-based gendisk whose queue limits it picks (block sizes, topology,
 * write cache, discard, write zeroes, read-only), so that every branch on
 * what the disk can do is reachable under UML. Requests are descriptor
 * chains over a guest memory table on a pinned shmem file; their bios
 * really reach the disk, and the disk records what it saw.
 */
#include <kunit/test.h>
#include <linux/blkdev.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "kunit_util.h"
#include "mem.h"
#include "poller.h"

/* The disk: 1 MiB of RAM; a larger capacity is only addressable. */
#define BT_SECTORS	2048ULL
#define BT_BYTES	(BT_SECTORS << SECTOR_SHIFT)
#define BT_QUEUES	2
#define BT_QUEUE_SIZE	256

/* Guest memory: one 1 MiB region. */
#define MEM_GPA		0x100000ULL
#define MEM_SIZE	SZ_1M
#define HDR		(MEM_GPA + 0x0000)
#define HDR2		(MEM_GPA + 0x0100)	/* a header's second piece */
#define STATUS		(MEM_GPA + 0x0200)
#define SEGS		(MEM_GPA + 0x1000)	/* discard/write zeroes table */
#define SEGS2		(MEM_GPA + 0x2000)	/* a table's second piece */
#define ID		(MEM_GPA + 0x3000)	/* GET_ID buffers, 0x100 apart */
#define DATA		(MEM_GPA + 0x10000)
#define DATA_SIZE	0x10000
#define ID_SENTINEL	0xee

#define F(bit)		BIT_ULL(bit)
#define BT_ALWAYS	VDEV_KUNIT_BLK_BASE_FEATURES

/* What reached the disk: bits of vdev_kunit_disk.seen. */
#define S_READ		VDEV_KUNIT_SEEN_READ
#define S_WRITE		VDEV_KUNIT_SEEN_WRITE
#define S_DISCARD	VDEV_KUNIT_SEEN_DISCARD
#define S_ZEROES	VDEV_KUNIT_SEEN_ZEROES
#define S_PREFLUSH	VDEV_KUNIT_SEEN_PREFLUSH
#define S_FUA		VDEV_KUNIT_SEEN_FUA
#define S_NOUNMAP	VDEV_KUNIT_SEEN_NOUNMAP

#define T_IN		VIRTIO_BLK_T_IN
#define T_OUT		VIRTIO_BLK_T_OUT
#define T_FLUSH		VIRTIO_BLK_T_FLUSH
#define T_DISCARD	VIRTIO_BLK_T_DISCARD
#define T_ZEROES	VIRTIO_BLK_T_WRITE_ZEROES
#define OK		VIRTIO_BLK_S_OK
#define IOERR		VIRTIO_BLK_S_IOERR
#define UNSUPP		VIRTIO_BLK_S_UNSUPP
#define UNMAP		VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP

/* The config space is little-endian: VERSION_1 is always negotiated. */
#define CFG16(x)	le16_to_cpu((__force __le16)(x))
#define CFG32(x)	le32_to_cpu((__force __le32)(x))
#define CFG64(x)	le64_to_cpu((__force __le64)(x))

static const struct vdev_kunit_disk_cfg bt_plain = { .lbs = 512 };
static const struct vdev_kunit_disk_cfg bt_4k = { .lbs = 4096 };

static const struct vdev_kunit_disk_cfg bt_cache = {
	.lbs = 512, .cache = true,
};

static const struct vdev_kunit_disk_cfg bt_ro = {
	.lbs = 512, .disk_ro = true,
};

static const struct vdev_kunit_disk_cfg bt_wt = {
	.lbs = 512, .cache = true, .write_through = true,
};

static const struct vdev_kunit_disk_cfg bt_full = {
	.lbs = 512, .cache = true, .discard = 1024, .discard_gran = 4096,
	.zeroes = 512,
};

struct vdev_bt {
	struct kunit *test;
	struct vdev_kunit_disk d;
	struct vdev_mem *mem;
	struct vdev_mem_gen gen;
	struct vdev_ctrl *ctrl;
	struct vdev_ns ns;
	struct vdev_session s;
	struct vdev_queue q;
	struct vdev_req *req;
	struct vdev_vring_buf bufs[8];
	struct vdev_vring_chain chain;
};

/* The request header as the driver writes it (virtio_blk_outhdr). */
struct vdev_bt_hdr {
	__le32 type;
	__le32 ioprio;
	__le64 sector;
};

KUNIT_DEFINE_ACTION_WRAPPER(vdev_bt_ctrl_put, vdev_ctrl_put,
			    struct vdev_ctrl *);

/* Unlike vdev_kunit_disk_byte(), so that a copy that did not happen shows. */
static u8 vdev_bt_guest_byte(u64 off)
{
	return off % 241 + 7;
}

/* --- the guest and the request ------------------------------------------ */

static void vdev_bt_mem_init(struct vdev_bt *t)
{
	struct kunit *test = t->test;
	u8 buf[256];
	u32 off, i;

	t->mem = vdev_kunit_mem(test, MEM_GPA, MEM_SIZE);
	t->gen.mem = t->mem;
	for (off = 0; off < DATA_SIZE; off += sizeof(buf)) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = vdev_bt_guest_byte(off + i);
		KUNIT_ASSERT_EQ(test, vdev_mem_write(t->mem, DATA + off, buf,
						     sizeof(buf)), 0);
	}
	memset(buf, ID_SENTINEL, sizeof(buf));
	for (off = 0; off < 0x400; off += sizeof(buf))
		KUNIT_ASSERT_EQ(test, vdev_mem_write(t->mem, ID + off, buf,
						     sizeof(buf)), 0);
}

/*
 * A controller, a session and one queue with a request fetched as the
 * poller fetches one, and a disk made to @c (none when NULL).
 */
static struct vdev_bt *vdev_bt_setup(struct kunit *test,
				     const struct vdev_kunit_disk_cfg *c,
				     bool ns_ro)
{
	struct vdev_bt *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	t->req = kunit_kzalloc(test, sizeof(*t->req), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->req);
	t->ctrl = vdev_ctrl_alloc();
	KUNIT_ASSERT_NOT_NULL(test, t->ctrl);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vdev_bt_ctrl_put,
							t->ctrl), 0);
	t->ctrl->ops = &vdev_blk_ops;
	t->ctrl->cfg.type = VDEV_CTRL_TYPE_VIRTIO_BLK;
	t->ctrl->cfg.num_queues = BT_QUEUES;
	t->ctrl->cfg.queue_size = BT_QUEUE_SIZE;
	strscpy(t->ctrl->name, "blk0", sizeof(t->ctrl->name));
	vdev_bt_mem_init(t);
	t->ns.ctrl = t->ctrl;
	t->ns.read_only = ns_ro;
	if (c) {
		t->ns.bdev_file = vdev_kunit_disk_add(test, &t->d, BT_BYTES, c);
		t->s.ns = &t->ns;
	}
	t->s.ctrl = t->ctrl;
	t->s.wce = 1;
	t->q.session = &t->s;
	/* What vdev_queue_req_get() sets; the poller's reference stays. */
	t->req->q = &t->q;
	t->req->gen = &t->gen;
	t->req->status = OK;
	t->req->stat = VDEV_STAT_OTHER;
	atomic_set(&t->req->remaining, 1);
	t->chain.bufs = t->bufs;
	t->chain.max = ARRAY_SIZE(t->bufs);
	return t;
}

static void vdev_bt_buf(struct vdev_bt *t, u64 gpa, u32 len, bool write)
{
	struct vdev_vring_chain *c = &t->chain;

	KUNIT_ASSERT_LT(t->test, c->nbufs, c->max);
	t->bufs[c->nbufs].gpa = gpa;
	t->bufs[c->nbufs].len = len;
	t->bufs[c->nbufs].write = write;
	c->nbufs++;
	if (write)
		c->in_len += len;
	else
		c->out_len += len;
}

/* Write the header across the chain's first readable buffers. */
static void vdev_bt_put_hdr(struct vdev_bt *t, u32 type, u64 sector)
{
	struct vdev_bt_hdr h = {
		.type = cpu_to_le32(type),
		.sector = cpu_to_le64(sector),
	};
	u8 *p = (u8 *)&h;
	u32 left = sizeof(h), n, i;

	for (i = 0; i < t->chain.nbufs && left && !t->bufs[i].write; i++) {
		n = min(left, t->bufs[i].len);
		KUNIT_ASSERT_EQ(t->test, vdev_mem_write(t->mem, t->bufs[i].gpa,
							p, n), 0);
		p += n;
		left -= n;
	}
}

/* The common chain: header, readable data, writable data, status. */
static void vdev_bt_chain(struct vdev_bt *t, u32 type, u64 sector, u32 out,
			  u32 in)
{
	vdev_bt_buf(t, HDR, sizeof(struct vdev_bt_hdr), false);
	if (out)
		vdev_bt_buf(t, DATA, out, false);
	if (in)
		vdev_bt_buf(t, DATA, in, true);
	vdev_bt_buf(t, STATUS, 1, true);
	vdev_bt_put_hdr(t, type, sector);
}

/* Start the chain as the poller does, and wait for the slow path. */
static void vdev_bt_run(struct vdev_bt *t)
{
	struct vdev_req *req = t->req;

	vdev_blk_ops.req_execute(req, &t->chain);
	/* Discard and write zeroes hold a reference until their work ran. */
	if (atomic_read(&req->remaining) > 1)
		flush_work(&req->work);
	/* Every bio completed: only the poller's reference is left. */
	KUNIT_EXPECT_EQ(t->test, atomic_read(&req->remaining), 1);
	if (req->bio.bi_bdev)
		bio_uninit(&req->bio);
}

/* @len guest bytes at @gpa equal the disk's bytes at @sector. */
static void vdev_bt_expect_same(struct vdev_bt *t, u64 gpa, u64 sector,
				u32 len)
{
	u8 *buf = kunit_kmalloc(t->test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(t->test, buf);
	KUNIT_ASSERT_EQ(t->test, vdev_mem_read(t->mem, gpa, buf, len), 0);
	KUNIT_EXPECT_EQ(t->test, memcmp(buf, t->d.data +
					(sector << SECTOR_SHIFT), len), 0);
}

/* --- features ----------------------------------------------------------- */

struct vdev_bt_features_case {
	const char *name;
	const struct vdev_kunit_disk_cfg *disk;	/* NULL: no namespace */
	bool ns_ro;
	u64 features;
};

static const struct vdev_bt_features_case vdev_bt_features_cases[] = {
	{ "no disk", NULL, false, BT_ALWAYS },
	{ "plain disk", &bt_plain, false, BT_ALWAYS },
	{ "4K disk", &bt_4k, false, BT_ALWAYS },
	{ "write cache", &bt_cache, false,
	  BT_ALWAYS | F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_CONFIG_WCE) },
	{ "cache switched to write through", &bt_wt, false, BT_ALWAYS },
	{ "read-only namespace", &bt_plain, true, BT_ALWAYS | F(VIRTIO_BLK_F_RO) },
	{ "read-only disk", &bt_ro, false, BT_ALWAYS | F(VIRTIO_BLK_F_RO) },
	{ "cache, discard, write zeroes", &bt_full, false,
	  BT_ALWAYS | F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_CONFIG_WCE) |
	  F(VIRTIO_BLK_F_DISCARD) },
	{ "all that, read-only", &bt_full, true,
	  BT_ALWAYS | F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_CONFIG_WCE) |
	  F(VIRTIO_BLK_F_DISCARD) | F(VIRTIO_BLK_F_RO) },
};

static void vdev_bt_features_desc(const struct vdev_bt_features_case *c,
				  char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_bt_features, vdev_bt_features_cases,
		  vdev_bt_features_desc);

/* What the disk can do decides RO, FLUSH, CONFIG_WCE and DISCARD. */
static void vdev_blk_features_test(struct kunit *test)
{
	const struct vdev_bt_features_case *c = test->param_value;
	struct vdev_bt *t = vdev_bt_setup(test, c->disk, c->ns_ro);

	KUNIT_EXPECT_EQ(test, vdev_blk_ops.features(t->s.ns), c->features);
}

/* --- config space ------------------------------------------------------- */

struct vdev_bt_config_case {
	const char *name;
	struct vdev_kunit_disk_cfg disk;
	u32 queue_size;
	u32 num_queues;
	u8 wce;
	u64 capacity;
	u32 blk_size;
	u8 physical_block_exp;
	u8 alignment_offset;
	u16 min_io_size;
	u32 opt_io_size;
	u32 seg_max;
	u32 max_discard_sectors;
	u32 max_discard_seg;
	u32 discard_sector_alignment;
	u32 max_write_zeroes_sectors;
	u8 write_zeroes_may_unmap;
};

/* Write zeroes the block layer emulates go in 32 MiB chunks. */
#define EMUL	(SZ_32M >> SECTOR_SHIFT)

static const struct vdev_bt_config_case vdev_bt_config_cases[] = {
	{ "512-byte disk", { .lbs = 512 }, 256, 2, 1,
	  2048, 512, 0, 0, 1, 0, 128, 0, 0, 0, EMUL, 0 },
	{ "4K disk", { .lbs = 4096 }, 256, 1, 0,
	  2048, 4096, 0, 0, 1, 0, 128, 0, 0, 0, EMUL, 0 },
	{ "512e topology",
	  { .lbs = 512, .pbs = 4096, .io_min = 8192, .io_opt = 65536,
	    .align = 3584 }, 256, 1, 1,
	  2048, 512, 3, 7, 16, 128, 128, 0, 0, 0, EMUL, 0 },
	{ "4K topology",
	  { .lbs = 4096, .pbs = 16384, .io_min = 32768, .io_opt = 1 << 20,
	    .align = 8192 }, 256, 1, 1,
	  2048, 4096, 2, 2, 8, 256, 128, 0, 0, 0, EMUL, 0 },
	{ "min_io_size over 16 bits", { .lbs = 512, .io_min = SZ_64M },
	  256, 1, 1, 2048, 512, 0, 0, U16_MAX, 0, 128, 0, 0, 0, EMUL, 0 },
	{ "capacity past 32 bits", { .lbs = 512, .capacity = (1ULL << 40) + 8 },
	  256, 1, 1, (1ULL << 40) + 8, 512, 0, 0, 1, 0, 128, 0, 0, 0, EMUL, 0 },
	{ "discard and write zeroes",
	  { .lbs = 512, .discard = 1024, .discard_gran = 4096, .zeroes = 512 },
	  256, 1, 1, 2048, 512, 0, 0, 1, 0, 128, 1024, 16, 8, 512, 1 },
	{ "discard on a 4K disk, granularity from the disk",
	  { .lbs = 4096, .discard = 8192 },
	  256, 1, 1, 2048, 4096, 0, 0, 1, 0, 128, 8192, 16, 8, EMUL, 0 },
	{ "queue of 2, 16 queues", { .lbs = 512 }, 2, 16, 1,
	  2048, 512, 0, 0, 1, 0, 1, 0, 0, 0, EMUL, 0 },
	{ "queue of 4", { .lbs = 512 }, 4, 1, 1,
	  2048, 512, 0, 0, 1, 0, 2, 0, 0, 0, EMUL, 0 },
	{ "queue of 128", { .lbs = 512 }, 128, 1, 1,
	  2048, 512, 0, 0, 1, 0, 126, 0, 0, 0, EMUL, 0 },
};

static void vdev_bt_config_desc(const struct vdev_bt_config_case *c,
				char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_bt_config, vdev_bt_config_cases, vdev_bt_config_desc);

static void vdev_blk_config_test(struct kunit *test)
{
	const struct vdev_bt_config_case *c = test->param_value;
	struct vdev_bt *t = vdev_bt_setup(test, &c->disk, false);
	struct virtio_blk_config *cfg;
	u8 *buf;

	buf = kunit_kzalloc(test, VDEV_VU_MAX_CONFIG, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	t->ctrl->cfg.queue_size = c->queue_size;
	t->ctrl->cfg.num_queues = c->num_queues;
	t->s.wce = c->wce;
	vdev_blk_ops.get_config(&t->s, buf);
	cfg = (struct virtio_blk_config *)buf;
	KUNIT_EXPECT_EQ(test, CFG64(cfg->capacity), c->capacity);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->size_max), SZ_1M);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->seg_max), c->seg_max);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->blk_size), c->blk_size);
	KUNIT_EXPECT_EQ(test, cfg->physical_block_exp, c->physical_block_exp);
	KUNIT_EXPECT_EQ(test, cfg->alignment_offset, c->alignment_offset);
	KUNIT_EXPECT_EQ(test, CFG16(cfg->min_io_size), c->min_io_size);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->opt_io_size), c->opt_io_size);
	KUNIT_EXPECT_EQ(test, cfg->wce, c->wce);
	KUNIT_EXPECT_EQ(test, CFG16(cfg->num_queues), c->num_queues);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->max_discard_sectors),
			c->max_discard_sectors);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->max_discard_seg), c->max_discard_seg);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->discard_sector_alignment),
			c->discard_sector_alignment);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->max_write_zeroes_sectors),
			c->max_write_zeroes_sectors);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->max_write_zeroes_seg), 16);
	KUNIT_EXPECT_EQ(test, cfg->write_zeroes_may_unmap,
			c->write_zeroes_may_unmap);
	/* No geometry, zoned or secure erase: those stay as given, zero. */
	KUNIT_EXPECT_EQ(test, CFG16(cfg->geometry.cylinders), 0);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->max_secure_erase_sectors), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(buf + sizeof(*cfg), 0,
					   VDEV_VU_MAX_CONFIG - sizeof(*cfg)));
	/* A chain may carry every segment, a header and a status byte. */
	KUNIT_EXPECT_EQ(test, vdev_blk_ops.chain_max(t->ctrl), c->seg_max + 2);
}

struct vdev_bt_set_config_case {
	const char *name;
	bool acked;	/* CONFIG_WCE negotiated */
	u32 offset;
	u32 size;
	u8 value;
	u8 wce_before;
	int ret;
};

#define WCE	offsetof(struct virtio_blk_config, wce)

static const struct vdev_bt_set_config_case vdev_bt_set_config_cases[] = {
	{ "wce 1 to 0", true, WCE, 1, 0, 1, 0 },
	{ "wce 0 to 1", true, WCE, 1, 1, 0, 0 },
	{ "wce 2", true, WCE, 1, 2, 1, -EINVAL },
	{ "wce 0xff", true, WCE, 1, 0xff, 0, -EINVAL },
	{ "CONFIG_WCE not acked", false, WCE, 1, 0, 1, -EPERM },
	{ "wce, 2 bytes", true, WCE, 2, 0, 1, -EPERM },
	{ "wce, 0 bytes", true, WCE, 0, 0, 1, -EPERM },
	{ "from the byte before wce", true, WCE - 1, 2, 0, 1, -EPERM },
	{ "the byte after wce", true, WCE + 1, 1, 0, 1, -EPERM },
	{ "capacity", true, 0, 8, 0, 1, -EPERM },
	{ "num_queues", true, offsetof(struct virtio_blk_config, num_queues), 2,
	  0, 1, -EPERM },
	{ "past the config space", true, VDEV_VU_MAX_CONFIG - 1, 1, 0, 1,
	  -EPERM },
};

static void vdev_bt_set_config_desc(const struct vdev_bt_set_config_case *c,
				    char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_bt_set_config, vdev_bt_set_config_cases,
		  vdev_bt_set_config_desc);

/* Only wce is writable; a refused write changes nothing at all. */
static void vdev_blk_set_config_test(struct kunit *test)
{
	const struct vdev_bt_set_config_case *c = test->param_value;
	struct vdev_bt *t = vdev_bt_setup(test, &bt_cache, false);
	u8 data[8], *before, *after;
	u64 features;

	before = kunit_kzalloc(test, VDEV_VU_MAX_CONFIG, GFP_KERNEL);
	after = kunit_kzalloc(test, VDEV_VU_MAX_CONFIG, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);
	t->s.features = vdev_blk_ops.features(&t->ns);
	if (!c->acked)
		t->s.features &= ~F(VIRTIO_BLK_F_CONFIG_WCE);
	features = t->s.features;
	t->s.wce = c->wce_before;
	vdev_blk_ops.get_config(&t->s, before);
	memset(data, c->value, sizeof(data));
	KUNIT_EXPECT_EQ(test, vdev_blk_ops.set_config(&t->s, c->offset, data,
						      c->size), c->ret);
	KUNIT_EXPECT_EQ(test, t->s.wce, c->ret ? c->wce_before : c->value);
	KUNIT_EXPECT_EQ(test, t->s.features, features);
	vdev_blk_ops.get_config(&t->s, after);
	if (!c->ret)
		before[WCE] = c->value;
	KUNIT_EXPECT_EQ(test, memcmp(before, after, VDEV_VU_MAX_CONFIG), 0);
}

/* --- reads, writes, flushes and unknown types --------------------------- */

struct vdev_bt_rw_case {
	const char *name;
	const struct vdev_kunit_disk_cfg *disk;
	bool ns_ro;
	u8 wce;
	u32 type;
	u64 sector;
	u32 out;	/* readable data bytes after the header */
	u32 in;		/* writable data bytes before the status byte */
	u8 status;
	u32 seen;	/* what reached the disk */
	u8 stat;
};

#define RD	VDEV_STAT_READ
#define WR	VDEV_STAT_WRITE
#define OTHER	VDEV_STAT_OTHER
#define WRAP	(U64_MAX - 7)	/* + 16 sectors wraps to sector 8 */

static const struct vdev_bt_rw_case vdev_bt_rw_cases[] = {
	{ "read 4 KiB", &bt_plain, false, 1, T_IN, 0, 0, 4096, OK, S_READ, RD },
	{ "read the last sector", &bt_plain, false, 1, T_IN, 2047, 0, 512, OK,
	  S_READ, RD },
	{ "read the last 4 KiB", &bt_plain, false, 1, T_IN, 2040, 0, 4096, OK,
	  S_READ, RD },
	{ "read 16 KiB", &bt_plain, false, 1, T_IN, 100, 0, 16384, OK, S_READ,
	  RD },
	{ "read past the end", &bt_plain, false, 1, T_IN, 2048, 0, 512, IOERR,
	  0, RD },
	{ "read across the end", &bt_plain, false, 1, T_IN, 2047, 0, 1024,
	  IOERR, 0, RD },
	{ "read far past the end", &bt_plain, false, 1, T_IN, 1ULL << 40, 0,
	  512, IOERR, 0, RD },
	{ "read: sector + length wraps", &bt_plain, false, 1, T_IN, WRAP, 0,
	  8192, IOERR, 0, RD },
	{ "read of nothing at the end", &bt_plain, false, 1, T_IN, 2048, 0, 0,
	  OK, 0, RD },
	{ "read of nothing past the end", &bt_plain, false, 1, T_IN, 2049, 0,
	  0, IOERR, 0, RD },
	{ "read 513 bytes", &bt_plain, false, 1, T_IN, 0, 0, 513, IOERR, 0,
	  RD },
	{ "read 511 bytes", &bt_plain, false, 1, T_IN, 0, 0, 511, IOERR, 0,
	  RD },
	{ "read 4095 bytes", &bt_plain, false, 1, T_IN, 0, 0, 4095, IOERR, 0,
	  RD },
	{ "read with readable data", &bt_plain, false, 1, T_IN, 0, 512, 512,
	  IOERR, 0, RD },
	{ "read, read-only namespace", &bt_plain, true, 1, T_IN, 8, 0, 4096,
	  OK, S_READ, RD },
	{ "read, read-only disk", &bt_ro, false, 1, T_IN, 8, 0, 4096, OK,
	  S_READ, RD },
	{ "write 4 KiB", &bt_plain, false, 1, T_OUT, 8, 4096, 0, OK, S_WRITE,
	  WR },
	{ "write the last sector", &bt_plain, false, 1, T_OUT, 2047, 512, 0,
	  OK, S_WRITE, WR },
	{ "write past the end", &bt_plain, false, 1, T_OUT, 2048, 512, 0,
	  IOERR, 0, WR },
	{ "write: sector + length wraps", &bt_plain, false, 1, T_OUT, WRAP,
	  8192, 0, IOERR, 0, WR },
	{ "write 513 bytes", &bt_plain, false, 1, T_OUT, 0, 513, 0, IOERR, 0,
	  WR },
	{ "write with writable data", &bt_plain, false, 1, T_OUT, 0, 512, 512,
	  IOERR, 0, WR },
	{ "write, read-only namespace", &bt_plain, true, 1, T_OUT, 8, 512, 0,
	  IOERR, 0, WR },
	{ "write, read-only disk", &bt_ro, false, 1, T_OUT, 8, 512, 0, IOERR,
	  0, WR },
	{ "write, guest cache on", &bt_cache, false, 1, T_OUT, 8, 4096, 0, OK,
	  S_WRITE, WR },
	{ "write, guest cache off: FUA", &bt_cache, false, 0, T_OUT, 8, 4096,
	  0, OK, S_WRITE | S_FUA, WR },
	{ "4K disk: read 4 KiB", &bt_4k, false, 1, T_IN, 8, 0, 4096, OK,
	  S_READ, RD },
	{ "4K disk: read 512 bytes", &bt_4k, false, 1, T_IN, 0, 0, 512, IOERR,
	  0, RD },
	{ "4K disk: read at sector 1", &bt_4k, false, 1, T_IN, 1, 0, 4096,
	  IOERR, 0, RD },
	{ "4K disk: write at sector 4", &bt_4k, false, 1, T_OUT, 4, 4096, 0,
	  IOERR, 0, WR },
	{ "4K disk: read wraps", &bt_4k, false, 1, T_IN, WRAP, 0, 8192, IOERR,
	  0, RD },
	{ "flush, write cache", &bt_cache, false, 1, T_FLUSH, 0, 0, 0, OK,
	  S_PREFLUSH, VDEV_STAT_FLUSH },
	{ "flush, no write cache", &bt_plain, false, 1, T_FLUSH, 0, 0, 0, OK, 0,
	  VDEV_STAT_FLUSH },
	{ "flush, cache switched off", &bt_wt, false, 1, T_FLUSH, 0, 0, 0, OK,
	  0, VDEV_STAT_FLUSH },
	{ "type 2 (SCSI_CMD)", &bt_plain, false, 1, 2, 0, 0, 512, UNSUPP, 0,
	  OTHER },
	{ "type 5 (FLUSH_OUT)", &bt_plain, false, 1, 5, 0, 512, 0, UNSUPP, 0,
	  OTHER },
	{ "type 10 (GET_LIFETIME)", &bt_plain, false, 1, 10, 0, 0, 512,
	  UNSUPP, 0, OTHER },
	{ "type 14 (SECURE_ERASE)", &bt_full, false, 1, 14, 0, 16, 0, UNSUPP,
	  0, OTHER },
	{ "type IN | BARRIER", &bt_plain, false, 1, 0x80000000, 0, 0, 512,
	  UNSUPP, 0, OTHER },
	{ "type U32_MAX", &bt_plain, false, 1, U32_MAX, 0, 0, 0, UNSUPP, 0,
	  OTHER },
};

static void vdev_bt_rw_desc(const struct vdev_bt_rw_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_bt_rw, vdev_bt_rw_cases, vdev_bt_rw_desc);

static void vdev_blk_rw_test(struct kunit *test)
{
	const struct vdev_bt_rw_case *c = test->param_value;
	struct vdev_bt *t = vdev_bt_setup(test, c->disk, c->ns_ro);
	struct vdev_req *req = t->req;
	bool done = c->status == OK && (c->type == T_IN || c->type == T_OUT);

	t->s.wce = c->wce;
	vdev_bt_chain(t, c->type, c->sector, c->out, c->in);
	vdev_bt_run(t);
	KUNIT_EXPECT_EQ(test, req->status, c->status);
	KUNIT_EXPECT_EQ(test, req->status_gpa, STATUS);
	KUNIT_EXPECT_EQ(test, req->stat, c->stat);
	KUNIT_EXPECT_EQ(test, t->d.seen, c->seen);
	/* A read counts what it wrote into the chain; a failure nothing. */
	KUNIT_EXPECT_EQ(test, req->written,
			1 + (done && c->type == T_IN ? c->in : 0));
	KUNIT_EXPECT_EQ(test, req->bytes, done ? c->in + c->out : 0);
	if (done && c->in + c->out)
		vdev_bt_expect_same(t, DATA, c->sector, c->in + c->out);
}

/* --- chain shapes: the header and the status byte ----------------------- */

struct vdev_bt_shape_buf {
	u64 gpa;
	u32 len;
	bool write;
};

struct vdev_bt_shape_case {
	const char *name;
	u32 type;
	u64 sector;
	struct vdev_bt_shape_buf bufs[4];
	u8 status;
	u64 status_gpa;	/* 0: no status byte, nothing to write */
	u32 written;
	u32 seen;
	u32 data;	/* bytes at DATA that must match the disk at @sector */
};

#define R(gpa, len)	{ gpa, len, false }
#define W(gpa, len)	{ gpa, len, true }

static const struct vdev_bt_shape_case vdev_bt_shape_cases[] = {
	{ "header in two buffers", T_IN, 3,
	  { R(HDR, 5), R(HDR2, 11), W(DATA, 512), W(STATUS, 1) },
	  OK, STATUS, 513, S_READ, 512 },
	{ "header and data in one buffer", T_OUT, 16,
	  { R(DATA - 16, 16 + 4096), W(STATUS, 1) },
	  OK, STATUS, 1, S_WRITE, 4096 },
	{ "data in two buffers", T_IN, 40,
	  { R(HDR, 16), W(DATA, 512), W(DATA + 512, 1024), W(STATUS, 1) },
	  OK, STATUS, 1537, S_READ, 1536 },
	{ "status at the end of the data buffer", T_IN, 0,
	  { R(HDR, 16), W(DATA, 513) }, OK, DATA + 512, 513, S_READ, 512 },
	{ "status in a 2-byte buffer", T_IN, 0,
	  { R(HDR, 16), W(STATUS, 2) }, IOERR, STATUS + 1, 1, 0, 0 },
	{ "header of 15 bytes", T_IN, 0,
	  { R(HDR, 15), W(STATUS, 1) }, IOERR, STATUS, 1, 0, 0 },
	{ "no header", T_IN, 0,
	  { W(STATUS, 1) }, IOERR, STATUS, 1, 0, 0 },
	{ "no status byte", T_IN, 0,
	  { R(HDR, 16) }, OK, 0, 0, 0, 0 },
	{ "status byte readable", T_IN, 0,
	  { R(HDR, 16), R(STATUS, 1) }, OK, 0, 0, 0, 0 },
	{ "write, status byte readable", T_OUT, 8,
	  { R(HDR, 16), R(DATA, 512), R(STATUS, 1) }, OK, 0, 0, 0, 0 },
	{ "flush, status byte readable", T_FLUSH, 0,
	  { R(HDR, 16), R(STATUS, 1) }, OK, 0, 0, 0, 0 },
	{ "empty chain", T_IN, 0, {}, OK, 0, 0, 0, 0 },
	{ "empty buffer after the status byte", T_IN, 24,
	  { R(HDR, 16), W(DATA, 512), W(STATUS, 1), W(STATUS + 64, 0) },
	  OK, 0, 0, 0, 0 },
	{ "empty data buffer", T_IN, 24,
	  { R(HDR, 16), W(DATA + 4096, 0), W(DATA, 512), W(STATUS, 1) },
	  IOERR, STATUS, 1, 0, 0 },
};

static void vdev_bt_shape_desc(const struct vdev_bt_shape_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_bt_shape, vdev_bt_shape_cases, vdev_bt_shape_desc);

/*
 * The status byte is the last byte of the last, writable, buffer; the
 * header the first 16 readable bytes, wherever the buffers split them.
 */
static void vdev_blk_shape_test(struct kunit *test)
{
	const struct vdev_bt_shape_case *c = test->param_value;
	struct vdev_bt *t = vdev_bt_setup(test, &bt_cache, false);
	const struct vdev_bt_shape_buf *b;
	unsigned int i;

	/* An empty buffer has an address; the end of the list has none. */
	for (i = 0; i < ARRAY_SIZE(c->bufs) && c->bufs[i].gpa; i++) {
		b = &c->bufs[i];
		vdev_bt_buf(t, b->gpa, b->len, b->write);
	}
	vdev_bt_put_hdr(t, c->type, c->sector);
	vdev_bt_run(t);
	KUNIT_EXPECT_EQ(test, t->req->status_gpa, c->status_gpa);
	KUNIT_EXPECT_EQ(test, t->req->written, c->written);
	KUNIT_EXPECT_EQ(test, t->d.seen, c->seen);
	if (c->status_gpa)
		KUNIT_EXPECT_EQ(test, t->req->status, c->status);
	if (c->data)
		vdev_bt_expect_same(t, DATA, c->sector, c->data);
}

/* Without a disk every request fails, once its status byte is known. */
static void vdev_blk_no_disk_test(struct kunit *test)
{
	struct vdev_bt *t = vdev_bt_setup(test, NULL, false);

	vdev_bt_chain(t, T_IN, 0, 0, 512);
	vdev_bt_run(t);
	KUNIT_EXPECT_EQ(test, t->req->status, IOERR);
	KUNIT_EXPECT_EQ(test, t->req->status_gpa, STATUS);
	KUNIT_EXPECT_EQ(test, t->req->written, 1);
}

/* --- GET_ID ------------------------------------------------------------- */

struct vdev_bt_id_case {
	const char *name;
	const char *ctrl_name;
	u32 lens[3];	/* writable buffers at ID, ID + 0x100, ... */
	u32 written;
	const char *serial;	/* the namespace's (ns-add --serial), or NULL */
};

static const struct vdev_bt_id_case vdev_bt_id_cases[] = {
	{ "short name", "blk0", { 20 }, 21 },
	{ "20 characters", "abcdefghijklmnopqrst", { 20 }, 21 },
	{ "31 characters, cut", "abcdefghijklmnopqrstuvwxyz01234", { 20 },
	  21 },
	{ "8-byte buffer", "abcdefghijklmnopqrst", { 8 }, 9 },
	{ "32-byte buffer", "blk0", { 32 }, 21 },
	{ "three buffers", "abcdefghijklmnopqrst", { 5, 3, 12 }, 21 },
	{ "three buffers, 30 bytes", "abcdefghijklmnopqrst", { 10, 10, 10 },
	  21 },
	{ "no buffer", "blk0", {}, 1 },
	{ "serial set", "blk0", { 20 }, 21, "SN 0001-x" },
	{ "serial of 20, not the name", "abcdefghijklmnopqrst", { 20 }, 21,
	  "12345678901234567890" },
	{ "serial of 1", "blk0", { 32 }, 21, "Z" },
	{ "serial in three buffers", "blk0", { 5, 3, 12 }, 21,
	  "ABCDEFGHIJKLMNOPQRST" },
	{ "serial, 8-byte buffer", "blk0", { 8 }, 9, "ABCDEFGHIJ" },
};

static void vdev_bt_id_desc(const struct vdev_bt_id_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_bt_id, vdev_bt_id_cases, vdev_bt_id_desc);

/*
 * The serial is the namespace's, else the controller name, cut or
 * NUL-padded to 20 bytes.
 */
static void vdev_blk_get_id_test(struct kunit *test)
{
	const struct vdev_bt_id_case *c = test->param_value;
	struct vdev_bt *t = vdev_bt_setup(test, &bt_plain, false);
	const char *want = c->serial ?: c->ctrl_name;
	char id[VIRTIO_BLK_ID_BYTES] = {};
	u32 i, j, n, done = 0;
	u8 buf[32];

	memcpy(id, want, min(strlen(want), sizeof(id)));
	strscpy(t->ctrl->name, c->ctrl_name, sizeof(t->ctrl->name));
	if (c->serial)
		strscpy(t->ns.ident.serial, c->serial,
			sizeof(t->ns.ident.serial));
	vdev_bt_buf(t, HDR, sizeof(struct vdev_bt_hdr), false);
	for (i = 0; i < ARRAY_SIZE(c->lens) && c->lens[i]; i++)
		vdev_bt_buf(t, ID + 0x100 * i, c->lens[i], true);
	vdev_bt_buf(t, STATUS, 1, true);
	vdev_bt_put_hdr(t, VIRTIO_BLK_T_GET_ID, 0);
	vdev_bt_run(t);
	KUNIT_EXPECT_EQ(test, t->req->status, OK);
	KUNIT_EXPECT_EQ(test, t->req->stat, VDEV_STAT_GET_ID);
	KUNIT_EXPECT_EQ(test, t->req->written, c->written);
	KUNIT_EXPECT_EQ(test, t->d.seen, 0);
	/* Each buffer holds its piece of the id; what is past it is untouched. */
	for (i = 0; i < ARRAY_SIZE(c->lens) && c->lens[i]; i++) {
		KUNIT_ASSERT_EQ(test, vdev_mem_read(t->mem, ID + 0x100 * i, buf,
						    sizeof(buf)), 0);
		n = min(c->lens[i], (u32)sizeof(id) - done);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(buf, id + done, n), 0,
				    "buffer %u", i);
		for (j = n; j < sizeof(buf); j++)
			KUNIT_EXPECT_EQ_MSG(test, buf[j], ID_SENTINEL,
					    "buffer %u byte %u", i, j);
		done += n;
	}
}

/* --- discard and write zeroes ------------------------------------------- */

struct vdev_bt_seg {
	u64 sector;
	u32 num;
	u32 flags;
};

/**
 * struct vdev_bt_seg_case - a discard or write zeroes request
 * @name: what it tests
 * @disk: the disk
 * @ns_ro: a read-only namespace
 * @type: T_DISCARD or T_ZEROES
 * @segs: the segments; with @many, the first one repeated 8 sectors apart
 * @many: segments in the table (0: those of @segs with a length or flags)
 * @cut: bytes cut from the end of the table
 * @split: the table in two buffers
 * @in: writable data bytes before the status byte
 * @status: the status
 * @seen: what reached the disk
 * @bytes: bytes of the segments run, for the statistics
 */
struct vdev_bt_seg_case {
	const char *name;
	const struct vdev_kunit_disk_cfg *disk;
	bool ns_ro;
	u32 type;
	struct vdev_bt_seg segs[2];
	u32 many;
	u32 cut;
	bool split;
	u32 in;
	u8 status;
	u32 seen;
	u32 bytes;
};

static const struct vdev_bt_seg_case vdev_bt_seg_cases[] = {
	{ "discard", &bt_full, false, T_DISCARD, { { 8, 16 } }, 0, 0, false, 0,
	  OK, S_DISCARD, 8192 },
	{ "discard to the end", &bt_full, false, T_DISCARD, { { 2032, 16 } },
	  0, 0, false, 0, OK, S_DISCARD, 8192 },
	{ "discard two segments", &bt_full, false, T_DISCARD,
	  { { 8, 8 }, { 100, 4 } }, 0, 0, false, 0, OK, S_DISCARD, 6144 },
	{ "discard 16 segments", &bt_full, false, T_DISCARD, { { 0, 8 } }, 16,
	  0, false, 0, OK, S_DISCARD, 16 * 4096 },
	{ "discard of nothing", &bt_full, false, T_DISCARD, { { 8, 0 } }, 1, 0,
	  false, 0, OK, 0, 0 },
	{ "discard, disk cannot", &bt_plain, false, T_DISCARD, { { 8, 16 } }, 0,
	  0, false, 0, UNSUPP, 0, 0 },
	{ "discard with UNMAP", &bt_full, false, T_DISCARD,
	  { { 8, 16, UNMAP } }, 0, 0, false, 0, UNSUPP, 0, 0 },
	{ "discard with flag 2", &bt_full, false, T_DISCARD, { { 8, 16, 2 } },
	  0, 0, false, 0, UNSUPP, 0, 0 },
	{ "discard, read-only namespace", &bt_full, true, T_DISCARD,
	  { { 8, 16 } }, 0, 0, false, 0, IOERR, 0, 0 },
	{ "discard past the end", &bt_full, false, T_DISCARD, { { 2040, 16 } },
	  0, 0, false, 0, IOERR, 0, 0 },
	{ "discard: sector + length wraps", &bt_full, false, T_DISCARD,
	  { { WRAP, 16 } }, 0, 0, false, 0, IOERR, 0, 0 },
	{ "discard 17 segments", &bt_full, false, T_DISCARD, { { 0, 8 } }, 17,
	  0, false, 0, IOERR, 0, 0 },
	{ "discard, empty table", &bt_full, false, T_DISCARD, { { 8, 16 } }, 0,
	  16, false, 0, IOERR, 0, 0 },
	{ "discard, table of 15 bytes", &bt_full, false, T_DISCARD,
	  { { 8, 16 } }, 0, 1, false, 0, IOERR, 0, 0 },
	{ "discard, table in two buffers", &bt_full, false, T_DISCARD,
	  { { 8, 16 }, { 100, 8 } }, 0, 0, true, 0, IOERR, 0, 0 },
	{ "discard with writable data", &bt_full, false, T_DISCARD,
	  { { 8, 16 } }, 0, 0, false, 512, IOERR, 0, 0 },
	{ "discard, second segment past the end", &bt_full, false, T_DISCARD,
	  { { 8, 8 }, { 2048, 8 } }, 0, 0, false, 0, IOERR, 0, 0 },
	{ "discard, second segment with a flag", &bt_full, false, T_DISCARD,
	  { { 8, 8 }, { 100, 8, 2 } }, 0, 0, false, 0, UNSUPP, 0, 0 },
	{ "discard past the end, with a flag", &bt_full, false, T_DISCARD,
	  { { 2040, 16, 2 } }, 0, 0, false, 0, UNSUPP, 0, 0 },
	{ "write zeroes, UNMAP", &bt_full, false, T_ZEROES, { { 8, 16, UNMAP } },
	  0, 0, false, 0, OK, S_ZEROES, 8192 },
	{ "write zeroes, keep allocated", &bt_full, false, T_ZEROES,
	  { { 8, 16 } }, 0, 0, false, 0, OK, S_ZEROES | S_NOUNMAP, 8192 },
	{ "write zeroes with flag 2", &bt_full, false, T_ZEROES,
	  { { 8, 16, 2 } }, 0, 0, false, 0, UNSUPP, 0, 0 },
	{ "write zeroes, emulated", &bt_plain, false, T_ZEROES, { { 8, 16 } },
	  0, 0, false, 0, OK, S_WRITE, 8192 },
	{ "write zeroes, emulated, UNMAP", &bt_plain, false, T_ZEROES,
	  { { 2040, 8, UNMAP } }, 0, 0, false, 0, OK, S_WRITE, 4096 },
	{ "write zeroes, 4K disk", &bt_4k, false, T_ZEROES, { { 8, 16 } }, 0, 0,
	  false, 0, OK, S_WRITE, 8192 },
	{ "write zeroes, 4K disk, sector 4", &bt_4k, false, T_ZEROES,
	  { { 4, 8 } }, 0, 0, false, 0, IOERR, 0, 0 },
	{ "write zeroes, 4K disk, 4 sectors", &bt_4k, false, T_ZEROES,
	  { { 8, 4 } }, 0, 0, false, 0, IOERR, 0, 0 },
	{ "write zeroes, read-only namespace", &bt_full, true, T_ZEROES,
	  { { 8, 16 } }, 0, 0, false, 0, IOERR, 0, 0 },
	{ "write zeroes, read-only disk", &bt_ro, false, T_ZEROES,
	  { { 8, 16 } }, 0, 0, false, 0, IOERR, 0, 0 },
	{ "write zeroes past the end", &bt_full, false, T_ZEROES,
	  { { 2047, 2 } }, 0, 0, false, 0, IOERR, 0, 0 },
	{ "write zeroes: sector + length wraps", &bt_plain, false, T_ZEROES,
	  { { WRAP, 16 } }, 0, 0, false, 0, IOERR, 0, 0 },
	{ "write zeroes, 16 segments", &bt_plain, false, T_ZEROES,
	  { { 0, 8 } }, 16, 0, false, 0, OK, S_WRITE, 16 * 4096 },
	{ "write zeroes, 17 segments", &bt_full, false, T_ZEROES, { { 0, 8 } },
	  17, 0, false, 0, IOERR, 0, 0 },
	{ "write zeroes, table in two buffers", &bt_full, false, T_ZEROES,
	  { { 8, 16 }, { 100, 8 } }, 0, 0, true, 0, IOERR, 0, 0 },
};

static void vdev_bt_seg_desc(const struct vdev_bt_seg_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_bt_seg, vdev_bt_seg_cases, vdev_bt_seg_desc);

/* The i-th segment of @c. */
static struct vdev_bt_seg vdev_bt_seg_of(const struct vdev_bt_seg_case *c,
					 u32 i)
{
	struct vdev_bt_seg s = c->segs[c->many ? 0 : i];

	if (c->many)
		s.sector += 8ULL * i;
	return s;
}

static u32 vdev_bt_nseg(const struct vdev_bt_seg_case *c)
{
	if (c->many)
		return c->many;
	return c->segs[1].num || c->segs[1].flags ? 2 : 1;
}

/* The segment table at SEGS, in one buffer or split after 16 bytes. */
static void vdev_bt_put_segs(struct vdev_bt *t,
			     const struct vdev_bt_seg_case *c)
{
	struct virtio_blk_discard_write_zeroes w;
	u32 i, n = vdev_bt_nseg(c), len = n * sizeof(w) - c->cut;
	struct vdev_bt_seg s;

	for (i = 0; i < n; i++) {
		s = vdev_bt_seg_of(c, i);
		w.sector = cpu_to_le64(s.sector);
		w.num_sectors = cpu_to_le32(s.num);
		w.flags = cpu_to_le32(s.flags);
		KUNIT_ASSERT_EQ(t->test, vdev_mem_write(t->mem, SEGS + i * sizeof(w),
							&w, sizeof(w)), 0);
	}
	vdev_bt_buf(t, HDR, sizeof(struct vdev_bt_hdr), false);
	if (c->split) {
		KUNIT_ASSERT_EQ(t->test, vdev_mem_write(t->mem, SEGS2,
							&w, sizeof(w)), 0);
		vdev_bt_buf(t, SEGS, sizeof(w), false);
		vdev_bt_buf(t, SEGS2, len - sizeof(w), false);
	} else if (len) {
		vdev_bt_buf(t, SEGS, len, false);
	}
}

/* Zeroes where a segment ran, the disk's own bytes everywhere else. */
static void vdev_bt_expect_zeroed(struct vdev_bt *t,
				  const struct vdev_bt_seg_case *c)
{
	u8 *z = kunit_kzalloc(t->test, BT_BYTES, GFP_KERNEL);
	struct vdev_bt_seg s;
	u64 i;
	u32 n;

	KUNIT_ASSERT_NOT_NULL(t->test, z);
	/* @z marks the bytes a segment that ran covers. */
	for (n = 0; n < vdev_bt_nseg(c); n++) {
		s = vdev_bt_seg_of(c, n);
		if (s.sector + s.num <= BT_SECTORS)
			memset(z + (s.sector << SECTOR_SHIFT), 1,
			       s.num << SECTOR_SHIFT);
	}
	for (i = 0; i < BT_BYTES; i++) {
		if (t->d.data[i] != (z[i] ? 0 : vdev_kunit_disk_byte(i))) {
			KUNIT_FAIL(t->test, "disk byte %llu is %u", i,
				   t->d.data[i]);
			break;
		}
	}
}

static void vdev_blk_segs_test(struct kunit *test)
{
	const struct vdev_bt_seg_case *c = test->param_value;
	struct vdev_bt *t = vdev_bt_setup(test, c->disk, c->ns_ro);

	vdev_bt_put_segs(t, c);
	if (c->in)
		vdev_bt_buf(t, DATA, c->in, true);
	vdev_bt_buf(t, STATUS, 1, true);
	vdev_bt_put_hdr(t, c->type, 0);
	vdev_bt_run(t);
	KUNIT_EXPECT_EQ(test, t->req->status, c->status);
	KUNIT_EXPECT_EQ(test, t->req->status_gpa, STATUS);
	KUNIT_EXPECT_EQ(test, t->req->written, 1);
	KUNIT_EXPECT_EQ(test, t->req->stat, c->type == T_DISCARD ?
			VDEV_STAT_DISCARD : VDEV_STAT_WRITE_ZEROES);
	KUNIT_EXPECT_EQ(test, t->d.seen, c->seen);
	KUNIT_EXPECT_EQ(test, t->req->bytes, c->bytes);
	if (c->status == OK)
		vdev_bt_expect_zeroed(t, c);
}

static struct kunit_case vdev_blk_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_blk_features_test, vdev_bt_features_gen_params),
	KUNIT_CASE_PARAM(vdev_blk_config_test, vdev_bt_config_gen_params),
	KUNIT_CASE_PARAM(vdev_blk_set_config_test,
			 vdev_bt_set_config_gen_params),
	KUNIT_CASE_PARAM(vdev_blk_rw_test, vdev_bt_rw_gen_params),
	KUNIT_CASE_PARAM(vdev_blk_shape_test, vdev_bt_shape_gen_params),
	KUNIT_CASE(vdev_blk_no_disk_test),
	KUNIT_CASE_PARAM(vdev_blk_get_id_test, vdev_bt_id_gen_params),
	KUNIT_CASE_PARAM(vdev_blk_segs_test, vdev_bt_seg_gen_params),
	{}
};

static struct kunit_suite vdev_blk_test_suite = {
	.name = "vdev_blk",
	.test_cases = vdev_blk_test_cases,
};

kunit_test_suite(vdev_blk_test_suite);
