// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the decisions of the vhost-user request handlers that need no
 * socket, file or guest memory: feature negotiation, ring setup checks,
 * status, config windows and the envelope. The message cycle itself runs
 * against real sockets in the selftests (selftests/vu).
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/unaligned.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "kunit_util.h"
#include "vhost.h"

#define VDEV_T_QUEUES		2
#define VDEV_T_QUEUE_SIZE	256

struct vdev_vhost_fixture {
	struct vdev_session s;
	struct vdev_queue queues[VDEV_T_QUEUES];
	struct vdev_vu_hdr hdr;
	struct vdev_vu_ctx ctx;
};

static int vdev_vhost_init(struct kunit *test)
{
	struct vdev_vhost_fixture *f;
	struct vdev_ctrl *ctrl;
	int i;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	ctrl = vdev_ctrl_alloc();
	KUNIT_ASSERT_NOT_NULL(test, ctrl);
	ctrl->ops = &vdev_blk_ops;
	ctrl->cfg.type = VDEV_CTRL_TYPE_VIRTIO_BLK;
	ctrl->cfg.num_queues = VDEV_T_QUEUES;
	ctrl->cfg.queue_size = VDEV_T_QUEUE_SIZE;
	mutex_init(&f->s.lock);
	f->s.ctrl = ctrl;
	f->s.nr_queues = VDEV_T_QUEUES;
	f->s.queues = f->queues;
	for (i = 0; i < VDEV_T_QUEUES; i++) {
		f->queues[i].session = &f->s;
		f->queues[i].index = i;
	}
	f->ctx.s = &f->s;
	f->ctx.hdr = &f->hdr;
	test->priv = f;
	return 0;
}

static void vdev_vhost_exit(struct kunit *test)
{
	struct vdev_vhost_fixture *f = test->priv;

	vdev_ctrl_put(f->s.ctrl);
}

/*
 * The handlers run under the session lock; lockdep checks it. KUnit runs
 * .init and the case in one thread but .exit in another, so the lock is
 * taken and dropped around the case itself: a mutex is its owner's.
 */
#define VDEV_VHOST_LOCKED(fn)						\
static void fn##_locked(struct kunit *test)				\
{									\
	struct vdev_vhost_fixture *f = test->priv;			\
									\
	mutex_lock(&f->s.lock);						\
	fn(test);							\
	mutex_unlock(&f->s.lock);					\
}

#define VDEV_VHOST_CASE(fn)						\
	{ .run_case = fn##_locked, .name = #fn, .module_name = KBUILD_MODNAME }
#define VDEV_VHOST_CASE_PARAM(fn, gen)					\
	{ .run_case = fn##_locked, .name = #fn, .generate_params = gen,	\
	  .module_name = KBUILD_MODNAME }

#define F(bit)	BIT_ULL(bit)
/* The type's features, and dirty logging, which the core offers. */
#define VDEV_T_BASE_FEATURES	\
	(VDEV_KUNIT_BLK_BASE_FEATURES | BIT_ULL(VDEV_VU_F_LOG_ALL))

/* Without a disk, exactly what every virtio-blk controller offers. */
static void vdev_vhost_get_features_test(struct kunit *test)
{
	struct vdev_vhost_fixture *f = test->priv;
	const struct vdev_vu_req *req;
	struct vdev_vu_u64 a = {};

	req = vdev_vu_req_of(VDEV_VU_IOC(VDEV_VU_GET_FEATURES));
	KUNIT_ASSERT_NOT_NULL(test, req);
	KUNIT_EXPECT_EQ(test, req->prepare(&f->ctx, &a), 0);
	KUNIT_EXPECT_EQ(test, a.value, VDEV_T_BASE_FEATURES);
	KUNIT_EXPECT_EQ(test, f->ctx.reply_size, 8);
}

struct vdev_u64_case {
	const char *name;
	u64 value;
	int ret;
};

static const struct vdev_u64_case vdev_set_features_cases[] = {
	{ "all offered", VDEV_T_BASE_FEATURES, 0 },
	{ "VERSION_1 only", F(VIRTIO_F_VERSION_1), 0 },
	{ "no VERSION_1", VDEV_T_BASE_FEATURES & ~F(VIRTIO_F_VERSION_1),
	  -EOPNOTSUPP },
	{ "LOG_ALL", F(VIRTIO_F_VERSION_1) | F(26), 0 },
	{ "RO without a read-only disk",
	  F(VIRTIO_F_VERSION_1) | F(VIRTIO_BLK_F_RO), -EOPNOTSUPP },
	{ "ACCESS_PLATFORM", F(VIRTIO_F_VERSION_1) | F(VIRTIO_F_ACCESS_PLATFORM),
	  -EOPNOTSUPP },
	{ "bit 63", F(VIRTIO_F_VERSION_1) | F(63), -EOPNOTSUPP },
};

static void vdev_u64_case_desc(const struct vdev_u64_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_set_features, vdev_set_features_cases,
		  vdev_u64_case_desc);

static int vdev_vhost_prep(struct kunit *test, int request, void *arg)
{
	struct vdev_vhost_fixture *f = test->priv;
	const struct vdev_vu_req *req = vdev_vu_req_of(VDEV_VU_IOC(request));

	KUNIT_ASSERT_NOT_NULL(test, req);
	f->hdr.request = request;
	return req->prepare(&f->ctx, arg);
}

static void vdev_vhost_set_features_test(struct kunit *test)
{
	const struct vdev_u64_case *c = test->param_value;
	struct vdev_vu_u64 a = { .value = c->value };

	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_FEATURES, &a),
			c->ret);
}

static const struct vdev_u64_case vdev_set_protocol_cases[] = {
	{ "none", 0, 0 },
	{ "what QEMU 7.2 acks",
	  F(VDEV_VU_PROTOCOL_F_MQ) | F(VDEV_VU_PROTOCOL_F_LOG_SHMFD) |
	  F(VDEV_VU_PROTOCOL_F_REPLY_ACK) |
	  F(VDEV_VU_PROTOCOL_F_BACKEND_REQ) | F(VDEV_VU_PROTOCOL_F_CONFIG) |
	  F(VDEV_VU_PROTOCOL_F_INFLIGHT_SHMFD) |
	  F(VDEV_VU_PROTOCOL_F_RESET_DEVICE) |
	  F(VDEV_VU_PROTOCOL_F_CONFIGURE_MEM_SLOTS) |
	  F(VDEV_VU_PROTOCOL_F_STATUS), 0 },
	{ "LOG_SHMFD", F(VDEV_VU_PROTOCOL_F_LOG_SHMFD), 0 },
	{ "INFLIGHT_SHMFD", F(VDEV_VU_PROTOCOL_F_INFLIGHT_SHMFD), 0 },
	{ "PAGEFAULT", F(8), -EOPNOTSUPP },
	{ "bit 17", F(17), -EOPNOTSUPP },
};

KUNIT_ARRAY_PARAM(vdev_set_protocol, vdev_set_protocol_cases,
		  vdev_u64_case_desc);

static void vdev_vhost_set_protocol_test(struct kunit *test)
{
	const struct vdev_u64_case *c = test->param_value;
	struct vdev_vu_u64 a = { .value = c->value };

	KUNIT_EXPECT_EQ(test,
			vdev_vhost_prep(test, VDEV_VU_SET_PROTOCOL_FEATURES, &a),
			c->ret);
}

static const struct vdev_u64_case vdev_set_status_cases[] = {
	{ "0", 0, 0 },
	{ "DRIVER_OK", 0x0f, 0 },
	{ "0xff", 0xff, 0 },
	{ "0x100", 0x100, -EINVAL },
	{ "huge", U64_MAX, -EINVAL },
};

KUNIT_ARRAY_PARAM(vdev_set_status, vdev_set_status_cases, vdev_u64_case_desc);

static void vdev_vhost_set_status_test(struct kunit *test)
{
	const struct vdev_u64_case *c = test->param_value;
	struct vdev_vu_u64 a = { .value = c->value };

	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_STATUS, &a),
			c->ret);
}

/* Which requests are refused unless their protocol feature was acked. */
static void vdev_vhost_gates_test(struct kunit *test)
{
	static const struct { int request; int bit; } gates[] = {
		{ VDEV_VU_GET_QUEUE_NUM, VDEV_VU_PROTOCOL_F_MQ },
		{ VDEV_VU_SET_LOG_BASE, VDEV_VU_PROTOCOL_F_LOG_SHMFD },
		{ VDEV_VU_GET_CONFIG, VDEV_VU_PROTOCOL_F_CONFIG },
		{ VDEV_VU_SET_CONFIG, VDEV_VU_PROTOCOL_F_CONFIG },
		{ VDEV_VU_SET_BACKEND_REQ_FD, VDEV_VU_PROTOCOL_F_BACKEND_REQ },
		{ VDEV_VU_RESET_DEVICE, VDEV_VU_PROTOCOL_F_RESET_DEVICE },
		{ VDEV_VU_GET_INFLIGHT_FD, VDEV_VU_PROTOCOL_F_INFLIGHT_SHMFD },
		{ VDEV_VU_SET_INFLIGHT_FD, VDEV_VU_PROTOCOL_F_INFLIGHT_SHMFD },
		{ VDEV_VU_GET_MAX_MEM_SLOTS,
		  VDEV_VU_PROTOCOL_F_CONFIGURE_MEM_SLOTS },
		{ VDEV_VU_ADD_MEM_REG, VDEV_VU_PROTOCOL_F_CONFIGURE_MEM_SLOTS },
		{ VDEV_VU_REM_MEM_REG, VDEV_VU_PROTOCOL_F_CONFIGURE_MEM_SLOTS },
		{ VDEV_VU_SET_STATUS, VDEV_VU_PROTOCOL_F_STATUS },
		{ VDEV_VU_GET_STATUS, VDEV_VU_PROTOCOL_F_STATUS },
	};
	static const int ungated[] = {
		VDEV_VU_GET_FEATURES, VDEV_VU_SET_FEATURES, VDEV_VU_SET_OWNER,
		VDEV_VU_SET_MEM_TABLE, VDEV_VU_SET_VRING_NUM,
		VDEV_VU_SET_VRING_ADDR, VDEV_VU_SET_VRING_BASE,
		VDEV_VU_GET_VRING_BASE, VDEV_VU_SET_VRING_KICK,
		VDEV_VU_SET_VRING_CALL, VDEV_VU_SET_VRING_ERR,
		VDEV_VU_GET_PROTOCOL_FEATURES, VDEV_VU_SET_PROTOCOL_FEATURES,
		VDEV_VU_SET_VRING_ENABLE,
	};
	const struct vdev_vu_req *req;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gates); i++) {
		req = vdev_vu_req_of(VDEV_VU_IOC(gates[i].request));
		KUNIT_ASSERT_NOT_NULL(test, req);
		KUNIT_EXPECT_EQ_MSG(test, req->gate, gates[i].bit + 1,
				    "request %d", gates[i].request);
	}
	for (i = 0; i < ARRAY_SIZE(ungated); i++) {
		req = vdev_vu_req_of(VDEV_VU_IOC(ungated[i]));
		KUNIT_ASSERT_NOT_NULL(test, req);
		KUNIT_EXPECT_EQ_MSG(test, req->gate, 0, "request %d", ungated[i]);
	}
	/* Not applied by the kernel: vdevd drops them. */
	KUNIT_EXPECT_NULL(test, vdev_vu_req_of(VDEV_VU_IOC(VDEV_VU_RESET_OWNER)));
	KUNIT_EXPECT_NULL(test, vdev_vu_req_of(VDEV_VU_IOC(7)));	/* SET_LOG_FD */
	KUNIT_EXPECT_NULL(test, vdev_vu_req_of(VDEV_VU_IOC(63)));
	KUNIT_EXPECT_NULL(test, vdev_vu_req_of(_IOR(VDEV_IOC_MAGIC, 0x41, u64)));
	KUNIT_EXPECT_NULL(test, vdev_vu_req_of(_IO(0xAF, 0x41)));
}

struct vdev_inflight_case {
	const char *name;
	bool set;
	u32 nfds;
	u16 num_queues;
	u16 queue_size;
	u64 mmap_size;
	u64 mmap_offset;
	bool started;
	int ret;
};

#define STRIDE_256	VDEV_INFLIGHT_STRIDE(256)

static const struct vdev_inflight_case vdev_inflight_cases[] = {
	{ "get: 2 rings of 256", false, 0, 2, 256, 0, 0, false, 0 },
	{ "get: 1 ring of 32768", false, 0, 1, 32768, 0, 0, false, 0 },
	{ "get: no ring", false, 0, 0, 256, 0, 0, false, -EINVAL },
	{ "get: more rings than queues", false, 0, 3, 256, 0, 0, false, -EINVAL },
	{ "get: size 0", false, 0, 2, 0, 0, 0, false, -EINVAL },
	{ "get: size 32769", false, 0, 2, 32769, 0, 0, false, -EINVAL },
	{ "get: with an fd", false, 1, 2, 256, 0, 0, false, -EINVAL },
	{ "get: a ring started", false, 0, 2, 256, 0, 0, true, -EBUSY },
	{ "set: no fd", true, 0, 2, 256, 2 * STRIDE_256, 0, false, -EINVAL },
	{ "set: two fds", true, 2, 2, 256, 2 * STRIDE_256, 0, false, -EINVAL },
	{ "set: no ring", true, 1, 0, 256, 2 * STRIDE_256, 0, false, -EINVAL },
	{ "set: size 0", true, 1, 2, 0, 2 * STRIDE_256, 0, false, -EINVAL },
	{ "set: short", true, 1, 2, 256, 2 * STRIDE_256 - 1, 0, false, -EINVAL },
	{ "set: offset 32", true, 1, 2, 256, 2 * STRIDE_256, 32, false, -EINVAL },
	{ "set: a ring started", true, 1, 2, 256, 2 * STRIDE_256, 0, true, -EBUSY },
	{ "set: fd -1", true, 1, 2, 256, 2 * STRIDE_256, 64, false, -EBADF },
};

static void vdev_inflight_case_desc(const struct vdev_inflight_case *c,
				    char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_inflight, vdev_inflight_cases, vdev_inflight_case_desc);

/*
 * GET makes a region of the layout asked for and sends its fd; a refusal
 * answers a zero size. SET takes one fd of a layout that fits.
 */
static void vdev_vhost_inflight_test(struct kunit *test)
{
	const struct vdev_inflight_case *c = test->param_value;
	struct vdev_vhost_fixture *f = test->priv;
	struct vdev_vu_inflight a = {
		.mmap_size = c->mmap_size,
		.mmap_offset = c->mmap_offset,
		.num_queues = c->num_queues,
		.queue_size = c->queue_size,
	};
	const struct vdev_vu_req *req;
	u8 zero[24] = { };
	int ret;

	f->hdr.nfds = c->nfds;
	f->hdr.fds[0] = -1;
	f->hdr.fds[1] = -1;
	f->ctx.nfds = c->nfds;
	f->ctx.fds = f->hdr.fds;
	f->queues[1].started = c->started;
	ret = vdev_vhost_prep(test, c->set ? VDEV_VU_SET_INFLIGHT_FD :
			      VDEV_VU_GET_INFLIGHT_FD, &a);
	f->queues[1].started = false;
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	if (c->set)
		goto out;
	if (ret) {
		/* The refusal's answer, as the message cycle sends it. */
		KUNIT_EXPECT_NULL(test, f->ctx.send_file);
		KUNIT_EXPECT_NULL(test, f->ctx.mem);
		memset(f->ctx.reply, 0xff, sizeof(zero));
		req = vdev_vu_req_of(VDEV_VU_IOC(VDEV_VU_GET_INFLIGHT_FD));
		KUNIT_ASSERT_TRUE(test, req->error_form && req->error_reply);
		req->error_reply(&f->ctx);
		KUNIT_EXPECT_EQ(test, f->ctx.reply_size, 24);
		KUNIT_EXPECT_MEMEQ(test, f->ctx.reply, zero, sizeof(zero));
		goto out;
	}
	KUNIT_ASSERT_EQ(test, f->ctx.reply_size, 24);
	KUNIT_EXPECT_EQ(test, a.mmap_size,
			c->num_queues * vdev_inflight_stride(c->queue_size));
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(f->ctx.reply), a.mmap_size);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(f->ctx.reply + 8), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(f->ctx.reply + 16),
			c->num_queues);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(f->ctx.reply + 18),
			c->queue_size);
	KUNIT_ASSERT_NOT_NULL(test, f->ctx.send_file);
	KUNIT_EXPECT_EQ(test, i_size_read(file_inode(f->ctx.send_file)),
			a.mmap_size);
	KUNIT_ASSERT_NOT_NULL(test, f->ctx.mem);
	KUNIT_EXPECT_EQ(test, f->ctx.mem->total, a.mmap_size);
	/* Applied, it is the session's; what it replaced goes with the ctx. */
	vdev_vu_set_inflight_fd(&f->ctx, &a);
	KUNIT_EXPECT_NOT_NULL(test, f->s.inflight);
	KUNIT_EXPECT_EQ(test, f->s.inflight_queue_size, c->queue_size);
	swap(f->s.inflight, f->ctx.mem);
out:
	vdev_vu_ctx_cleanup(&f->ctx);
	f->ctx.mem = NULL;
	f->ctx.send_file = NULL;
}

struct vdev_ring_case {
	const char *name;
	bool packed;
	bool started;
	u32 index;
	u32 num;
	int ret;
};

static const struct vdev_ring_case vdev_vring_num_cases[] = {
	{ "split 256", false, false, 0, 256, 0 },
	{ "split 2", false, false, 1, 2, 0 },
	{ "split 1", false, false, 0, 1, 0 },
	{ "split 0", false, false, 0, 0, -EINVAL },
	{ "split 100: not a power of two", false, false, 0, 100, -EINVAL },
	{ "split 512: over the queue size", false, false, 0, 512, -EINVAL },
	{ "packed 100", true, false, 0, 100, 0 },
	{ "packed 257", true, false, 0, 257, -EINVAL },
	{ "index 2 of 2", false, false, 2, 16, -EINVAL },
	{ "index 255", false, false, 255, 16, -EINVAL },
	{ "started", false, true, 0, 16, -EBUSY },
};

static void vdev_ring_case_desc(const struct vdev_ring_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_vring_num, vdev_vring_num_cases, vdev_ring_case_desc);

static void vdev_vhost_ring_case_setup(struct kunit *test,
				       const struct vdev_ring_case *c)
{
	struct vdev_vhost_fixture *f = test->priv;

	if (c->packed)
		f->s.features |= F(VIRTIO_F_RING_PACKED);
	f->queues[0].started = c->started;
}

static void vdev_vhost_vring_num_test(struct kunit *test)
{
	const struct vdev_ring_case *c = test->param_value;
	struct vdev_vu_vring_state a = { .index = c->index, .num = c->num };

	vdev_vhost_ring_case_setup(test, c);
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_VRING_NUM, &a),
			c->ret);
}

static const struct vdev_ring_case vdev_vring_base_cases[] = {
	{ "split 0", false, false, 0, 0, 0 },
	{ "split 65535", false, false, 0, 0xffff, 0 },
	{ "split 65536", false, false, 0, 0x10000, -EINVAL },
	{ "packed wraps set", true, false, 0, 0x80008000, 0 },
	{ "packed avail 15 of 16", true, false, 0, 15, 0 },
	{ "packed avail 16 of 16", true, false, 0, 16, -EINVAL },
	{ "packed used 16 of 16", true, false, 0, 16 << 16, -EINVAL },
	{ "started", false, true, 0, 0, -EBUSY },
	{ "bad index", false, false, 7, 0, -EINVAL },
};

KUNIT_ARRAY_PARAM(vdev_vring_base, vdev_vring_base_cases, vdev_ring_case_desc);

static void vdev_vhost_vring_base_test(struct kunit *test)
{
	const struct vdev_ring_case *c = test->param_value;
	struct vdev_vhost_fixture *f = test->priv;
	struct vdev_vu_vring_state a = { .index = c->index, .num = c->num };

	vdev_vhost_ring_case_setup(test, c);
	f->queues[0].num = 16;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_VRING_BASE, &a),
			c->ret);
}

struct vdev_addr_case {
	const char *name;
	bool packed;
	bool started;	/* at 0x1000, 0x2000, 0x3000 */
	u32 flags;
	u64 desc, avail, used;
	int ret;
};

static const struct vdev_addr_case vdev_vring_addr_cases[] = {
	{ "split aligned", false, false, 0, 0x1000, 0x2002, 0x3004, 0 },
	{ "split desc 8", false, false, 0, 0x1008, 0x2000, 0x3000, -EINVAL },
	{ "split avail odd", false, false, 0, 0x1000, 0x2001, 0x3000, -EINVAL },
	{ "split used 2", false, false, 0, 0x1000, 0x2000, 0x3002, -EINVAL },
	{ "packed driver event 2", true, false, 0, 0x1000, 0x2002, 0x3000,
	  -EINVAL },
	{ "packed aligned", true, false, 0, 0x1000, 0x2004, 0x3004, 0 },
	{ "F_LOG", false, false, 1, 0x1000, 0x2000, 0x3000, 0 },
	{ "unknown flag", false, false, 2, 0x1000, 0x2000, 0x3000, -EINVAL },
	{ "started, F_LOG on", false, true, 1, 0x1000, 0x2000, 0x3000, 0 },
	{ "started, F_LOG off", true, true, 0, 0x1000, 0x2000, 0x3000, 0 },
	{ "started, another used", false, true, 1, 0x1000, 0x2000, 0x4000,
	  -EBUSY },
	{ "started, another desc", false, true, 0, 0x5000, 0x2000, 0x3000,
	  -EBUSY },
	{ "started, unknown flag", false, true, 2, 0x1000, 0x2000, 0x3000,
	  -EINVAL },
};

static void vdev_addr_case_desc(const struct vdev_addr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_vring_addr, vdev_vring_addr_cases, vdev_addr_case_desc);

static void vdev_vhost_vring_addr_test(struct kunit *test)
{
	const struct vdev_addr_case *c = test->param_value;
	struct vdev_vhost_fixture *f = test->priv;
	struct vdev_vu_vring_addr a = {
		.flags = c->flags, .desc_uaddr = c->desc,
		.avail_uaddr = c->avail, .used_uaddr = c->used,
	};
	struct vdev_queue *q = &f->queues[0];

	if (c->packed)
		f->s.features |= F(VIRTIO_F_RING_PACKED);
	if (c->started) {
		q->desc_uva = 0x1000;
		q->avail_uva = 0x2000;
		q->used_uva = 0x3000;
		q->addr_set = true;
		q->started = true;
	}
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_VRING_ADDR, &a),
			c->ret);
}

/* SET_VRING_ENABLE needs PROTOCOL_FEATURES acked, and a 0 or 1. */
static void vdev_vhost_vring_enable_test(struct kunit *test)
{
	struct vdev_vhost_fixture *f = test->priv;
	struct vdev_vu_vring_state a = { .index = 1, .num = 1 };

	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_VRING_ENABLE, &a),
			-EPROTO);
	f->s.features = F(VDEV_VU_F_PROTOCOL_FEATURES) | F(VIRTIO_F_VERSION_1);
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_VRING_ENABLE, &a),
			0);
	a.num = 2;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_VRING_ENABLE, &a),
			-EINVAL);
	a.num = 0;
	a.index = 2;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_VRING_ENABLE, &a),
			-EINVAL);
}

/* The fd count must match NOFD, whatever the fds are. */
static void vdev_vhost_vring_file_test(struct kunit *test)
{
	struct vdev_vhost_fixture *f = test->priv;
	struct vdev_vu_vring_file a = { .index = 0 };

	f->hdr.nfds = 0;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_VRING_CALL, &a),
			-EINVAL);
	a.vflags = VDEV_VU_VRING_NOFD;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_VRING_CALL, &a),
			0);
	f->hdr.nfds = 1;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_VRING_KICK, &a),
			-EINVAL);
	a.vflags = 2;
	f->hdr.nfds = 0;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_VRING_ERR, &a),
			-EINVAL);
	a.vflags = VDEV_VU_VRING_NOFD;
	a.index = 2;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_VRING_ERR, &a),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, f->ctx.ioctl_err, 0);
}

/* GET_CONFIG windows; without a disk there is no config space. */
static void vdev_vhost_config_test(struct kunit *test)
{
	struct vdev_vhost_fixture *f = test->priv;
	struct vdev_vu_config *a;

	a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	a->offset = 0;
	a->size = 257;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_GET_CONFIG, a),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, f->ctx.reply_size, 0);
	a->offset = 200;
	a->size = 57;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_GET_CONFIG, a),
			-EINVAL);
	a->offset = U32_MAX;
	a->size = 2;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_GET_CONFIG, a),
			-EINVAL);
	a->offset = 0;
	a->size = 60;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_GET_CONFIG, a),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, f->ctx.reply_size, 0);
	/* SET_CONFIG: migration writes are taken and ignored. */
	a->cfg_flags = 1;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_CONFIG, a), 0);
	a->cfg_flags = 0;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_CONFIG, a),
			-EPERM);
	a->cfg_flags = 2;
	KUNIT_EXPECT_EQ(test, vdev_vhost_prep(test, VDEV_VU_SET_CONFIG, a),
			-EINVAL);
}

struct vdev_hdr_case {
	const char *name;
	struct vdev_vu_hdr hdr;
	int id;
	int ret;
};

static const struct vdev_hdr_case vdev_hdr_cases[] = {
	{ "plain", { .request = 1, .msg_flags = 1 }, 1, 0 },
	{ "NEED_REPLY", { .request = 2, .msg_flags = 9, .msg_size = 8 }, 2, 0 },
	{ "drop takes any id", { .request = 99, .msg_flags = 1 }, -1, 0 },
	{ "envelope flags", { .flags = 1, .request = 1, .msg_flags = 1 }, 1,
	  -EINVAL },
	{ "request is another ioctl's", { .request = 2, .msg_flags = 1 }, 1,
	  -EINVAL },
	{ "version 0", { .request = 1, .msg_flags = 0 }, 1, -EINVAL },
	{ "version 2", { .request = 1, .msg_flags = 2 }, 1, -EINVAL },
	{ "REPLY flag", { .request = 1, .msg_flags = 5 }, 1, -EINVAL },
	{ "unknown flag", { .request = 1, .msg_flags = 0x11 }, 1, -EINVAL },
	{ "payload 4097", { .request = 1, .msg_flags = 1, .msg_size = 4097 }, 1,
	  -EINVAL },
	{ "9 fds", { .request = 5, .msg_flags = 1, .nfds = 9 }, 5, -EINVAL },
};

static void vdev_hdr_case_desc(const struct vdev_hdr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_hdr, vdev_hdr_cases, vdev_hdr_case_desc);

static void vdev_vhost_hdr_test(struct kunit *test)
{
	const struct vdev_hdr_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, vdev_vu_hdr_check(&c->hdr, c->id), c->ret);
}

VDEV_VHOST_LOCKED(vdev_vhost_get_features_test)
VDEV_VHOST_LOCKED(vdev_vhost_inflight_test)
VDEV_VHOST_LOCKED(vdev_vhost_set_features_test)
VDEV_VHOST_LOCKED(vdev_vhost_set_protocol_test)
VDEV_VHOST_LOCKED(vdev_vhost_set_status_test)
VDEV_VHOST_LOCKED(vdev_vhost_gates_test)
VDEV_VHOST_LOCKED(vdev_vhost_vring_num_test)
VDEV_VHOST_LOCKED(vdev_vhost_vring_base_test)
VDEV_VHOST_LOCKED(vdev_vhost_vring_addr_test)
VDEV_VHOST_LOCKED(vdev_vhost_vring_enable_test)
VDEV_VHOST_LOCKED(vdev_vhost_vring_file_test)
VDEV_VHOST_LOCKED(vdev_vhost_config_test)
VDEV_VHOST_LOCKED(vdev_vhost_hdr_test)

static struct kunit_case vdev_vhost_cases[] = {
	VDEV_VHOST_CASE(vdev_vhost_get_features_test),
	VDEV_VHOST_CASE_PARAM(vdev_vhost_set_features_test,
			      vdev_set_features_gen_params),
	VDEV_VHOST_CASE_PARAM(vdev_vhost_set_protocol_test,
			      vdev_set_protocol_gen_params),
	VDEV_VHOST_CASE_PARAM(vdev_vhost_set_status_test,
			      vdev_set_status_gen_params),
	VDEV_VHOST_CASE(vdev_vhost_gates_test),
	VDEV_VHOST_CASE_PARAM(vdev_vhost_vring_num_test,
			      vdev_vring_num_gen_params),
	VDEV_VHOST_CASE_PARAM(vdev_vhost_vring_base_test,
			      vdev_vring_base_gen_params),
	VDEV_VHOST_CASE_PARAM(vdev_vhost_vring_addr_test,
			      vdev_vring_addr_gen_params),
	VDEV_VHOST_CASE(vdev_vhost_vring_enable_test),
	VDEV_VHOST_CASE(vdev_vhost_vring_file_test),
	VDEV_VHOST_CASE(vdev_vhost_config_test),
	VDEV_VHOST_CASE_PARAM(vdev_vhost_hdr_test, vdev_hdr_gen_params),
	VDEV_VHOST_CASE_PARAM(vdev_vhost_inflight_test, vdev_inflight_gen_params),
	{}
};

static struct kunit_suite vdev_vhost_suite = {
	.name = "vdev_vhost",
	.init = vdev_vhost_init,
	.exit = vdev_vhost_exit,
	.test_cases = vdev_vhost_cases,
};

kunit_test_suite(vdev_vhost_suite);
