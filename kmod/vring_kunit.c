// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: split and packed rings laid out in a real guest memory table (a
 * pinned shmem file), driven through the engine as a guest driver would.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_ring.h>

#include "vdev.h"
#include "kunit_util.h"
#include "mem.h"
#include "vring.h"

/* One 2 MiB region; GAP is outside the table. */
#define MEM_GPA		0x100000ULL
#define MEM_SIZE	(2ULL << 20)
#define GAP		0x80000ULL
#define DESC		0x100000ULL
#define AVAIL		0x101000ULL	/* split avail, or packed driver event */
#define USED		0x102000ULL	/* split used, or packed device event */
#define IND		0x103000ULL	/* indirect tables */
#define BUF		0x104000ULL
#define BIGIND		0x110000ULL	/* a 64 KiB indirect table */
#define NUM		8

#define F_EVENT_IDX	BIT_ULL(VIRTIO_RING_F_EVENT_IDX)
#define F_INDIRECT	BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)
#define F_PACKED	BIT_ULL(VIRTIO_F_RING_PACKED)

#define N		VRING_DESC_F_NEXT
#define W		VRING_DESC_F_WRITE
#define I		VRING_DESC_F_INDIRECT
#define P_AVAIL		BIT(VRING_PACKED_DESC_F_AVAIL)
#define P_USED		BIT(VRING_PACKED_DESC_F_USED)

struct vdev_vt {
	struct kunit *test;
	struct vdev_mem *mem;
	struct vdev_vring vr;
	struct vdev_vring_buf bufs[NUM + 2];
	struct vdev_vring_chain chain;
	u16 drv_slot;		/* packed driver side: next slot */
	bool drv_wrap;		/* and its wrap counter */
};

static void vdev_vt_init(struct kunit *test, struct vdev_vt *t, u64 features)
{
	t->test = test;
	t->mem = vdev_kunit_mem(test, MEM_GPA, MEM_SIZE);
	KUNIT_ASSERT_EQ(test, vdev_vring_setup(&t->vr, t->mem, features, NUM,
					       DESC, AVAIL, USED), 0);
	t->chain.bufs = t->bufs;
	t->chain.max = ARRAY_SIZE(t->bufs);
	t->drv_slot = 0;
	t->drv_wrap = true;
}

static void wr16(struct vdev_vt *t, u64 gpa, u16 v)
{
	__le16 x = cpu_to_le16(v);

	KUNIT_ASSERT_EQ(t->test, vdev_mem_write(t->mem, gpa, &x, sizeof(x)), 0);
}

static u16 rd16(struct vdev_vt *t, u64 gpa)
{
	__le16 x = 0;

	KUNIT_EXPECT_EQ(t->test, vdev_mem_read(t->mem, gpa, &x, sizeof(x)), 0);
	return le16_to_cpu(x);
}

static u32 rd32(struct vdev_vt *t, u64 gpa)
{
	__le32 x = 0;

	KUNIT_EXPECT_EQ(t->test, vdev_mem_read(t->mem, gpa, &x, sizeof(x)), 0);
	return le32_to_cpu(x);
}

/* A descriptor, split or packed layout, at index @i of @table. */
static void wr_desc(struct vdev_vt *t, bool packed, u64 table, u32 i,
		    u64 addr, u32 len, u16 flags, u16 next)
{
	struct { __le64 addr; __le32 len; __le16 a, b; } d = {
		cpu_to_le64(addr), cpu_to_le32(len),
		cpu_to_le16(packed ? next : flags),
		cpu_to_le16(packed ? flags : next),
	};

	KUNIT_ASSERT_EQ(t->test, vdev_mem_write(t->mem, table + 16ULL * i, &d,
						sizeof(d)), 0);
}

/* Split driver side: make head @head available at avail slot @idx. */
static void split_post(struct vdev_vt *t, u16 idx, u16 head)
{
	wr16(t, AVAIL + 4 + 2 * (idx % NUM), head);
	wr16(t, AVAIL + 2, idx + 1);
}

/* Packed driver side: a descriptor in the next slot, in the driver's wrap. */
static void packed_post(struct vdev_vt *t, u64 addr, u32 len, u16 flags,
			u16 id)
{
	flags |= t->drv_wrap ? P_AVAIL : P_USED;
	wr_desc(t, true, DESC, t->drv_slot, addr, len, flags, id);
	if (++t->drv_slot == NUM) {
		t->drv_slot = 0;
		t->drv_wrap = !t->drv_wrap;
	}
}

/* A descriptor of a chain case: in the ring (or at slot @i) or indirect. */
struct vdev_td {
	bool ind;
	u16 i;
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;	/* split: next; packed: buffer id */
};

struct vdev_chain_case {
	const char *desc;
	bool packed;
	u64 features;
	u16 head;		/* split */
	unsigned int max;	/* 0: the whole array */
	unsigned int nd;
	struct vdev_td d[NUM + 1];
	int ret;
	unsigned int nbufs;
	u32 out_len;
	u32 in_len;
	u16 id;
	u16 ndesc;
};

#define D(i, a, l, f, n)	{ false, i, a, l, f, n }
#define ID(i, a, l, f, n)	{ true, i, a, l, f, n }
#define ALL			(F_INDIRECT | F_EVENT_IDX)

static const struct vdev_chain_case vdev_chain_cases[] = {
	/* split */
	{ "one readable", false, ALL, 0, 0, 1, { D(0, BUF, 512, 0, 0) },
	  1, 1, 512, 0, 0, 1 },
	{ "blk request", false, ALL, 0, 0, 3, {
		D(0, BUF, 16, N, 1), D(1, BUF + 16, 4096, N | W, 2),
		D(2, BUF + 8192, 1, W, 0) }, 1, 3, 16, 4097, 0, 1 },
	{ "head 5, out of order", false, ALL, 5, 0, 3, {
		D(5, BUF, 16, N, 2), D(2, BUF, 8, N, 7), D(7, BUF, 1, W, 0) },
	  1, 3, 24, 1, 5, 1 },
	{ "indirect", false, ALL, 0, 0, 4, {
		D(0, IND, 48, I, 0), ID(0, BUF, 16, N, 2),
		ID(2, BUF, 4096, N | W, 1), ID(1, BUF, 1, W, 0) },
	  1, 3, 16, 4097, 0, 1 },
	{ "direct then indirect", false, ALL, 0, 0, 4, {
		D(0, BUF, 16, N, 1), D(1, IND, 32, I, 0),
		ID(0, BUF, 512, N | W, 1), ID(1, BUF, 1, W, 0) }, 1, 3, 16, 513, 0, 1 },
	{ "as long as the ring", false, ALL, 0, NUM, NUM, {
		D(0, BUF, 1, N, 1), D(1, BUF, 1, N, 2), D(2, BUF, 1, N, 3),
		D(3, BUF, 1, N, 4), D(4, BUF, 1, N, 5), D(5, BUF, 1, N, 6),
		D(6, BUF, 1, N, 7), D(7, BUF, 1, W, 0) }, 1, NUM, 7, 1, 0, 1 },
	{ "longer than the array", false, ALL, 0, 2, 3, {
		D(0, BUF, 1, N, 1), D(1, BUF, 1, N, 2), D(2, BUF, 1, 0, 0) },
	  -EBADMSG, .id = 0 },
	{ "loop", false, ALL, 0, 0, 2, { D(0, BUF, 1, N, 1), D(1, BUF, 1, N, 0) },
	  -EBADMSG },
	{ "self loop", false, ALL, 3, 0, 1, { D(3, BUF, 1, N, 3) }, -EBADMSG,
	  .id = 3 },
	{ "next beyond ring", false, ALL, 0, 0, 1, { D(0, BUF, 1, N, NUM) },
	  -EBADMSG },
	{ "head beyond ring", false, ALL, NUM, 0, 0, {}, -EPROTO },
	{ "readable after writable", false, ALL, 0, 0, 2, {
		D(0, BUF, 1, N | W, 1), D(1, BUF, 1, 0, 0) }, -EBADMSG },
	{ "buffer outside memory", false, ALL, 0, 0, 1, { D(0, GAP, 16, 0, 0) },
	  -EBADMSG },
	{ "buffer past the end", false, ALL, 0, 0, 1, {
		D(0, MEM_GPA + MEM_SIZE - 8, 16, 0, 0) }, -EBADMSG },
	{ "buffer wraps", false, ALL, 0, 0, 1, { D(0, U64_MAX - 3, 16, 0, 0) },
	  -EBADMSG },
	{ "zero-length buffer", false, ALL, 0, 0, 1, { D(0, GAP, 0, 0, 0) },
	  1, 1, 0, 0, 0, 1 },
	{ "indirect not negotiated", false, F_EVENT_IDX, 0, 0, 2, {
		D(0, IND, 16, I, 0), ID(0, BUF, 1, 0, 0) }, -EBADMSG },
	{ "indirect length 0", false, ALL, 0, 0, 1, { D(0, IND, 0, I, 0) },
	  -EBADMSG },
	{ "indirect length 40", false, ALL, 0, 0, 3, {
		D(0, IND, 40, I, 0), ID(0, BUF, 1, N, 1), ID(1, BUF, 1, 0, 0) },
	  -EBADMSG },
	{ "indirect in indirect", false, ALL, 0, 0, 2, {
		D(0, IND, 16, I, 0), ID(0, IND + 64, 16, I, 0) }, -EBADMSG },
	{ "indirect with next", false, ALL, 0, 0, 3, {
		D(0, IND, 16, I | N, 1), ID(0, BUF, 1, 0, 0), D(1, BUF, 1, 0, 0) },
	  -EBADMSG },
	{ "indirect loop", false, ALL, 0, 0, 3, {
		D(0, IND, 32, I, 0), ID(0, BUF, 1, N, 1), ID(1, BUF, 1, N, 0) },
	  -EBADMSG },
	{ "indirect next beyond table", false, ALL, 0, 0, 3, {
		D(0, IND, 32, I, 0), ID(0, BUF, 1, N, 2), ID(2, BUF, 1, 0, 0) },
	  -EBADMSG },
	{ "indirect table outside memory", false, ALL, 0, 0, 1, {
		D(0, GAP, 16, I, 0) }, -EBADMSG },
	{ "indirect buffer outside memory", false, ALL, 0, 0, 2, {
		D(0, IND, 16, I, 0), ID(0, GAP, 1, 0, 0) }, -EBADMSG },
	/* packed: .next is the buffer id, the last descriptor's counts */
	{ "one readable", true, ALL, 0, 0, 1, { D(0, BUF, 512, 0, 9) },
	  1, 1, 512, 0, 9, 1 },
	{ "blk request", true, ALL, 0, 0, 3, {
		D(0, BUF, 16, N, 0), D(1, BUF + 16, 4096, N | W, 0),
		D(2, BUF + 8192, 1, W, 4) }, 1, 3, 16, 4097, 4, 3 },
	{ "indirect", true, ALL, 0, 0, 4, {
		D(0, IND, 48, I, 6), ID(0, BUF, 16, 0, 0),
		ID(1, BUF, 4096, W, 0), ID(2, BUF, 1, W | N, 0) },
	  1, 3, 16, 4097, 6, 1 },
	{ "as long as the ring", true, ALL, 0, NUM, NUM, {
		D(0, BUF, 1, N, 0), D(1, BUF, 1, N, 0), D(2, BUF, 1, N, 0),
		D(3, BUF, 1, N, 0), D(4, BUF, 1, N, 0), D(5, BUF, 1, N, 0),
		D(6, BUF, 1, N, 0), D(7, BUF, 1, W, 3) }, 1, NUM, 7, 1, 3, NUM },
	{ "longer than the array", true, ALL, 0, 2, 3, {
		D(0, BUF, 1, N, 0), D(1, BUF, 1, N, 0), D(2, BUF, 1, 0, 5) },
	  -EBADMSG, .id = 5, .ndesc = 3 },
	{ "never ends", true, ALL, 0, 0, NUM, {
		D(0, BUF, 1, N, 0), D(1, BUF, 1, N, 0), D(2, BUF, 1, N, 0),
		D(3, BUF, 1, N, 0), D(4, BUF, 1, N, 0), D(5, BUF, 1, N, 0),
		D(6, BUF, 1, N, 0), D(7, BUF, 1, N, 0) }, -EPROTO },
	{ "readable after writable", true, ALL, 0, 0, 2, {
		D(0, BUF, 1, N | W, 0), D(1, BUF, 1, 0, 2) }, -EBADMSG,
	  .id = 2, .ndesc = 2 },
	{ "buffer outside memory", true, ALL, 0, 0, 2, {
		D(0, GAP, 16, N, 0), D(1, BUF, 1, 0, 1) }, -EBADMSG,
	  .id = 1, .ndesc = 2 },
	{ "indirect not negotiated", true, F_EVENT_IDX, 0, 0, 2, {
		D(0, IND, 16, I, 1), ID(0, BUF, 1, 0, 0) }, -EBADMSG,
	  .id = 1, .ndesc = 1 },
	{ "indirect length 40", true, ALL, 0, 0, 1, { D(0, IND, 40, I, 1) },
	  -EBADMSG, .id = 1, .ndesc = 1 },
	{ "indirect length 0", true, ALL, 0, 0, 1, { D(0, IND, 0, I, 1) },
	  -EBADMSG, .id = 1, .ndesc = 1 },
	{ "indirect in indirect", true, ALL, 0, 0, 2, {
		D(0, IND, 16, I, 1), ID(0, IND + 64, 16, I, 0) }, -EBADMSG,
	  .id = 1, .ndesc = 1 },
	{ "indirect with next", true, ALL, 0, 0, 3, {
		D(0, IND, 16, I | N, 0), ID(0, BUF, 1, 0, 0), D(1, BUF, 1, 0, 2) },
	  -EBADMSG, .id = 2, .ndesc = 2 },
	{ "indirect table outside memory", true, ALL, 0, 0, 1, {
		D(0, GAP, 16, I, 1) }, -EBADMSG, .id = 1, .ndesc = 1 },
};

static void vdev_chain_case_desc(const struct vdev_chain_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s: %s",
		 c->packed ? "packed" : "split", c->desc);
}

KUNIT_ARRAY_PARAM(vdev_chain, vdev_chain_cases, vdev_chain_case_desc);

static void vdev_vring_chain_test(struct kunit *test)
{
	const struct vdev_chain_case *c = test->param_value;
	const struct vdev_td *d;
	struct vdev_vt *t;
	unsigned int i;
	u16 flags;
	int ret;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	vdev_vt_init(test, t, c->features | (c->packed ? F_PACKED : 0));
	if (c->max)
		t->chain.max = c->max;
	for (i = 0; i < c->nd; i++) {
		d = &c->d[i];
		flags = d->flags;
		if (c->packed && !d->ind)
			flags |= P_AVAIL;	/* wrap counter 1: available */
		wr_desc(t, c->packed, d->ind ? IND : DESC, d->i, d->addr, d->len,
			flags, d->next);
	}
	if (!c->packed)
		split_post(t, 0, c->head);

	ret = vdev_vring_pop(&t->vr, &t->chain);
	KUNIT_ASSERT_EQ(test, ret, c->ret);
	if (ret == -EPROTO) {
		/* Nothing consumed: the device is broken, not the request. */
		KUNIT_EXPECT_EQ(test, t->vr.last_avail_idx, 0);
		return;
	}
	KUNIT_EXPECT_EQ(test, t->chain.head.id, c->id);
	if (c->packed) {
		KUNIT_EXPECT_EQ(test, t->chain.head.ndesc, c->ndesc);
		KUNIT_EXPECT_EQ(test, t->vr.last_avail_idx, c->ndesc % NUM);
		KUNIT_EXPECT_EQ(test, t->vr.avail_wrap, c->ndesc != NUM);
	} else {
		KUNIT_EXPECT_EQ(test, t->vr.last_avail_idx, 1);
	}
	if (ret < 0)
		return;
	KUNIT_EXPECT_EQ(test, t->chain.nbufs, c->nbufs);
	KUNIT_EXPECT_EQ(test, t->chain.out_len, c->out_len);
	KUNIT_EXPECT_EQ(test, t->chain.in_len, c->in_len);
	/* Nothing more: empty. */
	KUNIT_EXPECT_EQ(test, vdev_vring_pop(&t->vr, &t->chain), 0);
}

/*
 * A chain of 4 GiB or more: 4096 indirect buffers of 1 MiB each is one
 * byte too many; 4095 fit.
 */
static void vdev_vring_total_len_test(struct kunit *test)
{
	const unsigned int n = 4096;
	struct vdev_vring_buf *bufs;
	struct vdev_vt *t;
	unsigned int i, nd, packed;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	bufs = kunit_kcalloc(test, n, sizeof(*bufs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, bufs);
	for (packed = 0; packed < 2; packed++) {
		for (nd = n - 1; nd <= n; nd++) {
			vdev_vt_init(test, t, ALL | (packed ? F_PACKED : 0));
			t->chain.bufs = bufs;
			t->chain.max = n;
			for (i = 0; i < nd; i++)
				wr_desc(t, packed, BIGIND, i, MEM_GPA, SZ_1M,
					W | (i + 1 < nd ? N : 0), i + 1);
			if (packed) {
				packed_post(t, BIGIND, nd * 16, I, 0);
			} else {
				wr_desc(t, false, DESC, 0, BIGIND, nd * 16, I, 0);
				split_post(t, 0, 0);
			}
			KUNIT_EXPECT_EQ(test, vdev_vring_pop(&t->vr, &t->chain),
					nd < n ? 1 : -EBADMSG);
			if (nd < n)
				KUNIT_EXPECT_EQ(test, t->chain.in_len, nd * SZ_1M);
		}
	}
}

/* The avail idx may run at most a ring ahead of what was fetched. */
static void vdev_vring_avail_jump_test(struct kunit *test)
{
	struct vdev_vt *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	vdev_vt_init(test, t, ALL);
	KUNIT_EXPECT_EQ(test, vdev_vring_pop(&t->vr, &t->chain), 0);
	wr_desc(t, false, DESC, 0, BUF, 1, 0, 0);
	wr16(t, AVAIL + 2, NUM + 1);
	KUNIT_EXPECT_EQ(test, vdev_vring_pop(&t->vr, &t->chain), -EPROTO);
	wr16(t, AVAIL + 2, NUM);
	KUNIT_EXPECT_EQ(test, vdev_vring_pop(&t->vr, &t->chain), 1);
	/* Behind what was fetched: a jump of 65535. */
	t->vr.avail_idx = t->vr.last_avail_idx;
	wr16(t, AVAIL + 2, 0);
	KUNIT_EXPECT_EQ(test, vdev_vring_pop(&t->vr, &t->chain), -EPROTO);
}

/* Split: used entries in completion order, idx published, u16 wrap. */
static void vdev_vring_split_push_test(struct kunit *test)
{
	struct vdev_vt *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct vdev_vring_head heads[3];
	unsigned int i;
	u16 idx;

	KUNIT_ASSERT_NOT_NULL(test, t);
	vdev_vt_init(test, t, ALL);
	wr16(t, USED + 2, 0xfffe);
	KUNIT_ASSERT_EQ(test, vdev_vring_set_base(&t->vr, 0xfffe), 0);
	for (i = 0; i < 3; i++) {
		idx = 0xfffe + i;
		wr_desc(t, false, DESC, i + 4, BUF, 64, W, 0);
		split_post(t, idx, i + 4);
		KUNIT_ASSERT_EQ(test, vdev_vring_pop(&t->vr, &t->chain), 1);
		heads[i] = t->chain.head;
		KUNIT_EXPECT_EQ(test, heads[i].id, i + 4);
	}
	KUNIT_EXPECT_EQ(test, vdev_vring_get_base(&t->vr), 1);
	/* Complete the last first. */
	KUNIT_ASSERT_EQ(test, vdev_vring_push(&t->vr, heads[2], 30), 0);
	KUNIT_ASSERT_EQ(test, vdev_vring_push(&t->vr, heads[0], 10), 0);
	KUNIT_ASSERT_EQ(test, vdev_vring_push(&t->vr, heads[1], 20), 0);
	KUNIT_EXPECT_EQ(test, rd16(t, USED + 2), 1);
	/* 0xfffe and 0xffff are slots 6 and 7, 0 is slot 0. */
	KUNIT_EXPECT_EQ(test, rd32(t, USED + 4 + 8 * 6), 6);
	KUNIT_EXPECT_EQ(test, rd32(t, USED + 4 + 8 * 6 + 4), 30);
	KUNIT_EXPECT_EQ(test, rd32(t, USED + 4 + 8 * 7), 4);
	KUNIT_EXPECT_EQ(test, rd32(t, USED + 4 + 8 * 7 + 4), 10);
	KUNIT_EXPECT_EQ(test, rd32(t, USED + 4), 5);
	KUNIT_EXPECT_EQ(test, rd32(t, USED + 4 + 4), 20);
	heads[0].id = NUM;
	KUNIT_EXPECT_EQ(test, vdev_vring_push(&t->vr, heads[0], 0), -EINVAL);
}

/*
 * Packed: a driver and the device going round the ring three times, with
 * chains of 1 and 3 descriptors; both wrap counters flip every lap.
 */
static void vdev_vring_packed_wrap_test(struct kunit *test)
{
	struct vdev_vt *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	u16 slot, flags, id = 0, n, k;
	bool wrap;

	KUNIT_ASSERT_NOT_NULL(test, t);
	vdev_vt_init(test, t, ALL | F_PACKED);
	while (id < 3 * NUM) {
		/* Every third a chain of 3, some of them across the wrap. */
		n = id % 3 == 0 ? 3 : 1;
		slot = t->vr.used_idx;
		wrap = t->vr.used_wrap;
		for (k = 1; k < n; k++)
			packed_post(t, BUF, 16, N, 0);
		packed_post(t, BUF + 16, 512, W, id);
		KUNIT_ASSERT_EQ(test, vdev_vring_pop(&t->vr, &t->chain), 1);
		KUNIT_EXPECT_EQ(test, t->chain.head.id, id);
		KUNIT_EXPECT_EQ(test, t->chain.head.ndesc, n);
		KUNIT_EXPECT_EQ(test, vdev_vring_pop(&t->vr, &t->chain), 0);
		KUNIT_ASSERT_EQ(test, vdev_vring_push(&t->vr, t->chain.head, 100),
				0);
		/* Only the first slot of the chain is written back. */
		flags = rd16(t, DESC + 16 * slot + 14);
		KUNIT_EXPECT_EQ(test, !!(flags & P_AVAIL), wrap);
		KUNIT_EXPECT_EQ(test, !!(flags & P_USED), wrap);
		KUNIT_EXPECT_TRUE(test, flags & W);
		KUNIT_EXPECT_EQ(test, rd16(t, DESC + 16 * slot + 12), id);
		KUNIT_EXPECT_EQ(test, rd32(t, DESC + 16 * slot + 8), 100);
		KUNIT_EXPECT_EQ(test, t->vr.used_idx, t->drv_slot);
		KUNIT_EXPECT_EQ(test, t->vr.used_wrap, t->drv_wrap);
		KUNIT_EXPECT_EQ(test, t->vr.last_avail_idx, t->drv_slot);
		KUNIT_EXPECT_EQ(test, t->vr.avail_wrap, t->drv_wrap);
		id++;
	}
	KUNIT_EXPECT_EQ(test, vdev_vring_get_base(&t->vr),
			t->drv_slot | (t->drv_wrap ? 0x8000 : 0) |
			(t->drv_slot | (t->drv_wrap ? 0x8000 : 0)) << 16);
}

struct vdev_event_case {
	u16 old, new, event;
	bool notify;
};

/* (old, new, used_event) -> signal, as vring_need_event() defines it. */
static const struct vdev_event_case vdev_event_cases[] = {
	{ 0, 1, 0, true },
	{ 0, 1, 1, false },
	{ 0, 5, 3, true },
	{ 0, 5, 4, true },
	{ 0, 5, 5, false },
	{ 3, 5, 2, false },	/* signalled already at 3 */
	{ 3, 5, 3, true },
	{ 65535, 1, 0, true },	/* across the u16 wrap */
	{ 65535, 1, 65535, true },
	{ 65534, 65535, 0, false },
	{ 10, 10, 9, false },	/* nothing new */
};

static void vdev_event_case_desc(const struct vdev_event_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "old %u new %u event %u", c->old,
		 c->new, c->event);
}

KUNIT_ARRAY_PARAM(vdev_event, vdev_event_cases, vdev_event_case_desc);

static void vdev_vring_event_idx_test(struct kunit *test)
{
	const struct vdev_event_case *c = test->param_value;
	struct vdev_vt *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	vdev_vt_init(test, t, ALL);
	wr16(t, AVAIL + 4 + 2 * NUM, c->event);
	t->vr.signalled_used = c->old;
	t->vr.signalled_valid = true;
	t->vr.used_idx = c->new;
	KUNIT_EXPECT_EQ(test, vdev_vring_need_signal(&t->vr), c->notify);
	KUNIT_EXPECT_EQ(test, t->vr.signalled_used, c->new);
}

struct vdev_pevent_case {
	const char *desc;
	u16 old, new;
	bool used_wrap;
	u16 flags, off_wrap;
	bool notify;
};

#define WRAP	0x8000

static const struct vdev_pevent_case vdev_pevent_cases[] = {
	{ "enable", 2, 5, true, VRING_PACKED_EVENT_FLAG_ENABLE, 0, true },
	{ "disable", 2, 5, true, VRING_PACKED_EVENT_FLAG_DISABLE, 3 | WRAP,
	  false },
	{ "desc passed", 2, 5, true, VRING_PACKED_EVENT_FLAG_DESC, 3 | WRAP,
	  true },
	{ "desc at old", 2, 5, true, VRING_PACKED_EVENT_FLAG_DESC, 2 | WRAP,
	  true },
	{ "desc not yet", 2, 5, true, VRING_PACKED_EVENT_FLAG_DESC, 5 | WRAP,
	  false },
	{ "desc next lap", 2, 5, true, VRING_PACKED_EVENT_FLAG_DESC, 3, false },
	{ "wrapped, event before", 6, 1, false, VRING_PACKED_EVENT_FLAG_DESC,
	  7 | WRAP, true },
	{ "wrapped, event after", 6, 1, false, VRING_PACKED_EVENT_FLAG_DESC,
	  0, true },
	{ "wrapped, not yet", 6, 1, false, VRING_PACKED_EVENT_FLAG_DESC, 2,
	  false },
};

static void vdev_pevent_case_desc(const struct vdev_pevent_case *c,
				  char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(vdev_pevent, vdev_pevent_cases, vdev_pevent_case_desc);

static void vdev_vring_packed_event_test(struct kunit *test)
{
	const struct vdev_pevent_case *c = test->param_value;
	struct vdev_vt *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	vdev_vt_init(test, t, ALL | F_PACKED);
	wr16(t, AVAIL, c->off_wrap);
	wr16(t, AVAIL + 2, c->flags);
	t->vr.signalled_used = c->old;
	t->vr.signalled_valid = true;
	t->vr.used_idx = c->new;
	t->vr.used_wrap = c->used_wrap;
	KUNIT_EXPECT_EQ(test, vdev_vring_need_signal(&t->vr), c->notify);
}

/* Without event idx, the flags; and the first decision always signals. */
static void vdev_vring_signal_flags_test(struct kunit *test)
{
	struct vdev_vt *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	vdev_vt_init(test, t, F_INDIRECT);
	KUNIT_EXPECT_EQ(test, vdev_vring_need_signal(&t->vr), 1);
	wr16(t, AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
	KUNIT_EXPECT_EQ(test, vdev_vring_need_signal(&t->vr), 0);

	vdev_vt_init(test, t, ALL);
	wr16(t, AVAIL + 4 + 2 * NUM, 100);
	t->vr.used_idx = 1;
	KUNIT_EXPECT_EQ(test, vdev_vring_need_signal(&t->vr), 1);
	t->vr.used_idx = 2;
	KUNIT_EXPECT_EQ(test, vdev_vring_need_signal(&t->vr), 0);
}

/* Asking for kicks, and noticing buffers that came meanwhile. */
static void vdev_vring_notify_test(struct kunit *test)
{
	struct vdev_vt *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	vdev_vt_init(test, t, F_INDIRECT);
	KUNIT_EXPECT_EQ(test, vdev_vring_disable_notify(&t->vr), 0);
	KUNIT_EXPECT_EQ(test, rd16(t, USED), VRING_USED_F_NO_NOTIFY);
	KUNIT_EXPECT_EQ(test, vdev_vring_enable_notify(&t->vr), 0);
	KUNIT_EXPECT_EQ(test, rd16(t, USED), 0);
	wr_desc(t, false, DESC, 0, BUF, 1, 0, 0);
	split_post(t, 0, 0);
	KUNIT_EXPECT_EQ(test, vdev_vring_enable_notify(&t->vr), 1);

	vdev_vt_init(test, t, ALL);
	wr_desc(t, false, DESC, 0, BUF, 1, 0, 0);
	split_post(t, 0, 0);
	KUNIT_ASSERT_EQ(test, vdev_vring_pop(&t->vr, &t->chain), 1);
	KUNIT_EXPECT_EQ(test, vdev_vring_enable_notify(&t->vr), 0);
	KUNIT_EXPECT_EQ(test, rd16(t, USED + 4 + 8 * NUM), 1);	/* avail_event */
	KUNIT_EXPECT_EQ(test, vdev_vring_disable_notify(&t->vr), 0);
	KUNIT_EXPECT_EQ(test, rd16(t, USED), 0);

	vdev_vt_init(test, t, ALL | F_PACKED);
	KUNIT_EXPECT_EQ(test, vdev_vring_disable_notify(&t->vr), 0);
	KUNIT_EXPECT_EQ(test, rd16(t, USED + 2), VRING_PACKED_EVENT_FLAG_DISABLE);
	packed_post(t, BUF, 1, 0, 0);
	KUNIT_ASSERT_EQ(test, vdev_vring_pop(&t->vr, &t->chain), 1);
	KUNIT_EXPECT_EQ(test, vdev_vring_enable_notify(&t->vr), 0);
	KUNIT_EXPECT_EQ(test, rd16(t, USED + 2), VRING_PACKED_EVENT_FLAG_DESC);
	KUNIT_EXPECT_EQ(test, rd16(t, USED), 1 | WRAP);
	packed_post(t, BUF, 1, 0, 1);
	KUNIT_EXPECT_EQ(test, vdev_vring_enable_notify(&t->vr), 1);

	vdev_vt_init(test, t, F_PACKED);
	KUNIT_EXPECT_EQ(test, vdev_vring_disable_notify(&t->vr), 0);
	KUNIT_EXPECT_EQ(test, vdev_vring_enable_notify(&t->vr), 0);
	KUNIT_EXPECT_EQ(test, rd16(t, USED + 2), VRING_PACKED_EVENT_FLAG_ENABLE);
}

struct vdev_setup_case {
	const char *desc;
	u64 features;
	unsigned int num;
	u64 desc_gpa, avail, used;
	int ret;
};

static const struct vdev_setup_case vdev_setup_cases[] = {
	{ "split 8", 0, 8, DESC, AVAIL, USED, 0 },
	{ "split 0", 0, 0, DESC, AVAIL, USED, -EINVAL },
	{ "split 7", 0, 7, DESC, AVAIL, USED, -EINVAL },
	{ "packed 7", F_PACKED, 7, DESC, AVAIL, USED, 0 },
	{ "split 32768", 0, 32768, MEM_GPA, 0x180000, 0x1a0000, 0 },
	{ "packed 32768", F_PACKED, 32768, MEM_GPA, 0x180000, 0x1a0000, 0 },
	{ "split 65536", 0, 65536, MEM_GPA, 0x180000, 0x1a0000, -EINVAL },
	{ "packed 32769", F_PACKED, 32769, MEM_GPA, 0x180000, 0x1a0000, -EINVAL },
	{ "desc misaligned", 0, 8, DESC + 8, AVAIL, USED, -EINVAL },
	{ "avail odd", 0, 8, DESC, AVAIL + 1, USED, -EINVAL },
	{ "used misaligned", 0, 8, DESC, AVAIL, USED + 2, -EINVAL },
	{ "packed event misaligned", F_PACKED, 8, DESC, AVAIL + 2, USED, -EINVAL },
	{ "desc outside", 0, 8, GAP, AVAIL, USED, -EFAULT },
	{ "used ring past the end", 0, 8, DESC, AVAIL, MEM_GPA + MEM_SIZE - 64,
	  -EFAULT },
	{ "avail wraps", 0, 8, DESC, U64_MAX - 7, USED, -EFAULT },
};

static void vdev_setup_case_desc(const struct vdev_setup_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(vdev_setup, vdev_setup_cases, vdev_setup_case_desc);

static void vdev_vring_setup_test(struct kunit *test)
{
	const struct vdev_setup_case *c = test->param_value;
	struct vdev_vt *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	vdev_vt_init(test, t, 0);
	KUNIT_EXPECT_EQ(test, vdev_vring_setup(&t->vr, t->mem, c->features,
					       c->num, c->desc_gpa, c->avail,
					       c->used), c->ret);
}

/* Packed ring state through GET/SET_VRING_BASE. */
static void vdev_vring_base_test(struct kunit *test)
{
	struct vdev_vt *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	vdev_vt_init(test, t, F_PACKED);
	KUNIT_EXPECT_EQ(test, vdev_vring_get_base(&t->vr), 0x80008000);
	KUNIT_ASSERT_EQ(test, vdev_vring_set_base(&t->vr, 0x00038005), 0);
	KUNIT_EXPECT_EQ(test, t->vr.last_avail_idx, 5);
	KUNIT_EXPECT_TRUE(test, t->vr.avail_wrap);
	KUNIT_EXPECT_EQ(test, t->vr.used_idx, 3);
	KUNIT_EXPECT_FALSE(test, t->vr.used_wrap);
	KUNIT_EXPECT_EQ(test, vdev_vring_get_base(&t->vr), 0x00038005);
	KUNIT_EXPECT_EQ(test, vdev_vring_set_base(&t->vr, NUM), -EINVAL);
	KUNIT_EXPECT_EQ(test, vdev_vring_set_base(&t->vr, NUM << 16), -EINVAL);
}

/* --- inflight tracking ---------------------------------------------------- */

/* The region: a table of its own at 0; ring 1's part starts at STRIDE. */
#define STRIDE		vdev_inflight_stride(NUM)

struct vdev_it {
	struct vdev_vt t;
	struct vdev_mem *reg;
};

static struct vdev_it *vdev_it_init(struct kunit *test, u64 features)
{
	struct vdev_it *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, it);
	vdev_vt_init(test, &it->t, features);
	it->reg = vdev_kunit_mem(test, 0, PAGE_SIZE);
	return it;
}

static struct vdev_inflight_hdr *it_hdr(struct vdev_it *it, u64 base)
{
	struct vdev_inflight_hdr *h = vdev_mem_ptr(it->reg, base, sizeof(*h));

	KUNIT_ASSERT_FALSE(it->t.test, IS_ERR(h));
	return h;
}

static struct vdev_inflight_desc *it_desc(struct vdev_it *it, u64 base, u16 i)
{
	struct vdev_inflight_desc *d;

	d = vdev_mem_ptr(it->reg, base + VDEV_INFLIGHT_HDR_SIZE +
			 i * VDEV_INFLIGHT_DESC_SIZE, sizeof(*d));
	KUNIT_ASSERT_FALSE(it->t.test, IS_ERR(d));
	return d;
}

/* A part a previous session left: version 1, its used_idx at @used. */
static void it_used_part(struct vdev_it *it, u16 used)
{
	struct vdev_inflight_hdr *h = it_hdr(it, 0);

	h->version = VDEV_INFLIGHT_VERSION;
	h->desc_num = NUM;
	h->used_idx = used;
}

static void it_mark(struct vdev_it *it, u16 head, u64 counter)
{
	struct vdev_inflight_desc *d = it_desc(it, 0, head);

	d->inflight = 1;
	d->counter = counter;
}

/* The used ring at @used, the ring set to @base, then tracked. */
static int it_start(struct vdev_it *it, u16 used, u16 base)
{
	u16 i;

	for (i = 0; i < NUM; i++)
		wr_desc(&it->t, false, DESC, i, BUF + 64 * i, 64, W, 0);
	wr16(&it->t, USED + 2, used);
	KUNIT_ASSERT_EQ(it->t.test, vdev_vring_set_base(&it->t.vr, base), 0);
	return vdev_vring_inflight_start(&it->t.vr, it->reg, 0);
}

static u16 it_pop(struct vdev_it *it)
{
	KUNIT_ASSERT_EQ(it->t.test, vdev_vring_pop(&it->t.vr, &it->t.chain), 1);
	return it->t.chain.head.id;
}

/* A fresh region: set up for the ring; each chain marked from fetch to push. */
static void vdev_inflight_fresh_test(struct kunit *test)
{
	struct vdev_it *it = vdev_it_init(test, 0);
	struct vdev_vring *vr = &it->t.vr;
	struct vdev_inflight_hdr *h = it_hdr(it, 0);
	struct vdev_vring_head head;
	u16 i;

	/* Whatever a fresh part holds, nothing in it is taken as in flight. */
	it_desc(it, 0, 3)->inflight = 1;
	KUNIT_ASSERT_EQ(test, it_start(it, 5, 5), 0);
	KUNIT_EXPECT_EQ(test, h->version, VDEV_INFLIGHT_VERSION);
	KUNIT_EXPECT_EQ(test, h->desc_num, NUM);
	KUNIT_EXPECT_EQ(test, h->used_idx, 5);
	KUNIT_EXPECT_EQ(test, it_desc(it, 0, 3)->inflight, 0);
	KUNIT_EXPECT_EQ(test, vr->nr_resubmit, 0);
	KUNIT_EXPECT_EQ(test, vr->last_avail_idx, 5);
	for (i = 0; i < 3; i++)
		split_post(&it->t, 5 + i, 4 + i);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, it_pop(it), 4 + i);
		KUNIT_EXPECT_EQ(test, it_desc(it, 0, 4 + i)->inflight, 1);
		KUNIT_EXPECT_EQ(test, it_desc(it, 0, 4 + i)->counter, i + 1);
	}
	head = (struct vdev_vring_head){ .id = 5, .ndesc = 1 };
	KUNIT_ASSERT_EQ(test, vdev_vring_push(vr, head, 64), 0);
	KUNIT_EXPECT_EQ(test, it_desc(it, 0, 5)->inflight, 0);
	KUNIT_EXPECT_EQ(test, h->last_batch_head, 5);
	KUNIT_EXPECT_EQ(test, h->used_idx, 6);
	KUNIT_EXPECT_EQ(test, it_desc(it, 0, 4)->inflight, 1);
	head.id = 6;
	KUNIT_ASSERT_EQ(test, vdev_vring_push(vr, head, 64), 0);
	KUNIT_EXPECT_EQ(test, it_desc(it, 0, 6)->next, 5);
	KUNIT_EXPECT_EQ(test, h->last_batch_head, 6);
	KUNIT_EXPECT_EQ(test, h->used_idx, 7);
}

/*
 * What a previous session left in flight is fetched again, oldest first,
 * before anything new; the ring goes on from used idx + their number,
 * whatever its base said.
 */
static void vdev_inflight_resubmit_test(struct kunit *test)
{
	struct vdev_it *it = vdev_it_init(test, 0);
	struct vdev_vring *vr = &it->t.vr;

	it_used_part(it, 7);
	it_mark(it, 2, 30);
	it_mark(it, 6, 10);
	it_mark(it, 3, 20);
	/* Avail entries 7..9 were those three; QEMU says base 7. */
	wr16(&it->t, AVAIL + 2, 10);
	KUNIT_ASSERT_EQ(test, it_start(it, 7, 7), 0);
	KUNIT_EXPECT_EQ(test, vr->last_avail_idx, 10);
	KUNIT_EXPECT_EQ(test, vdev_vring_enable_notify(vr), 1);
	KUNIT_EXPECT_EQ(test, it_pop(it), 6);
	KUNIT_EXPECT_EQ(test, it_pop(it), 3);
	KUNIT_EXPECT_EQ(test, it_pop(it), 2);
	/* Still in flight, their counters unchanged. */
	KUNIT_EXPECT_EQ(test, it_desc(it, 0, 2)->inflight, 1);
	KUNIT_EXPECT_EQ(test, it_desc(it, 0, 2)->counter, 30);
	KUNIT_EXPECT_EQ(test, vdev_vring_pop(vr, &it->t.chain), 0);
	KUNIT_EXPECT_EQ(test, vdev_vring_enable_notify(vr), 0);
	/* The next new one is stamped after the newest found. */
	split_post(&it->t, 10, 5);
	KUNIT_EXPECT_EQ(test, it_pop(it), 5);
	KUNIT_EXPECT_EQ(test, it_desc(it, 0, 5)->counter, 31);
	vdev_vring_release(vr);
	KUNIT_EXPECT_NULL(test, vr->resubmit);
}

/* The last batch reached the used ring before it was cleared: clear it. */
static void vdev_inflight_last_batch_test(struct kunit *test)
{
	struct vdev_it *it = vdev_it_init(test, 0);
	struct vdev_vring *vr = &it->t.vr;
	struct vdev_inflight_hdr *h = it_hdr(it, 0);

	it_used_part(it, 3);
	h->last_batch_head = 4;
	it_mark(it, 4, 2);
	it_desc(it, 0, 4)->next = 1;
	it_mark(it, 1, 1);
	it_mark(it, 7, 3);
	KUNIT_ASSERT_EQ(test, it_start(it, 5, 0), 0);
	KUNIT_EXPECT_EQ(test, it_desc(it, 0, 4)->inflight, 0);
	KUNIT_EXPECT_EQ(test, it_desc(it, 0, 1)->inflight, 0);
	KUNIT_EXPECT_EQ(test, h->used_idx, 5);
	KUNIT_EXPECT_EQ(test, vr->nr_resubmit, 1);
	KUNIT_EXPECT_EQ(test, vr->last_avail_idx, 6);
	KUNIT_EXPECT_EQ(test, it_pop(it), 7);
	vdev_vring_release(vr);
}

/* A region the front end wrote garbage into: refused or bounded. */
static void vdev_inflight_hostile_test(struct kunit *test)
{
	struct vdev_it *it = vdev_it_init(test, 0);
	struct vdev_vring *vr = &it->t.vr;
	struct vdev_inflight_hdr *h = it_hdr(it, 0);
	u16 i;

	it_used_part(it, 0);
	h->desc_num = NUM * 2;
	KUNIT_EXPECT_EQ(test, it_start(it, 0, 0), -EPROTO);
	KUNIT_EXPECT_NULL(test, vr->inflight);
	h->desc_num = NUM;
	h->version = 2;
	KUNIT_EXPECT_EQ(test, it_start(it, 0, 0), -EPROTO);
	KUNIT_EXPECT_NULL(test, vr->inflight);

	/* A batch list that loops, far longer than the ring: bounded. */
	it_used_part(it, 0);
	h->last_batch_head = 2;
	it_desc(it, 0, 2)->next = 2;
	KUNIT_EXPECT_EQ(test, it_start(it, 0x8000, 0), 0);
	KUNIT_EXPECT_EQ(test, h->used_idx, 0x8000);
	/* A head out of range ends the list. */
	h->used_idx = 0x7fff;
	h->last_batch_head = NUM;
	KUNIT_EXPECT_EQ(test, it_start(it, 0x8000, 0), 0);
	KUNIT_EXPECT_EQ(test, h->used_idx, 0x8000);

	/* Every head marked: all of them again, and nothing past them. */
	for (i = 0; i < NUM; i++)
		it_mark(it, i, NUM - i);
	KUNIT_EXPECT_EQ(test, it_start(it, 0x8000, 0), 0);
	KUNIT_EXPECT_EQ(test, vr->nr_resubmit, NUM);
	KUNIT_EXPECT_EQ(test, vr->last_avail_idx, 0x8000 + NUM);
	for (i = 0; i < NUM; i++)
		KUNIT_EXPECT_EQ(test, it_pop(it), NUM - 1 - i);
	/* The driver's avail idx must cover them, or the ring is corrupt. */
	wr16(&it->t, AVAIL + 2, 0x8000);
	KUNIT_EXPECT_EQ(test, vdev_vring_pop(vr, &it->t.chain), -EPROTO);
	vdev_vring_release(vr);
}

/* Ring 1 uses its own part. */
static void vdev_inflight_layout_test(struct kunit *test)
{
	struct vdev_it *it = vdev_it_init(test, 0);

	KUNIT_EXPECT_EQ(test, STRIDE % VDEV_INFLIGHT_ALIGN, 0);
	KUNIT_EXPECT_GE(test, STRIDE, VDEV_INFLIGHT_HDR_SIZE +
			NUM * VDEV_INFLIGHT_DESC_SIZE);
	KUNIT_ASSERT_EQ(test, vdev_vring_inflight_start(&it->t.vr, it->reg,
							STRIDE), 0);
	KUNIT_EXPECT_EQ(test, it_hdr(it, STRIDE)->version, VDEV_INFLIGHT_VERSION);
	KUNIT_EXPECT_EQ(test, it_hdr(it, 0)->version, 0);
	split_post(&it->t, 0, 3);
	wr_desc(&it->t, false, DESC, 3, BUF, 64, W, 0);
	KUNIT_EXPECT_EQ(test, it_pop(it), 3);
	KUNIT_EXPECT_EQ(test, it_desc(it, STRIDE, 3)->inflight, 1);
	KUNIT_EXPECT_EQ(test, it_desc(it, 0, 3)->inflight, 0);
	/* Beyond the region: refused, untracked. */
	KUNIT_EXPECT_EQ(test, vdev_vring_inflight_start(&it->t.vr, it->reg,
							PAGE_SIZE), -EFAULT);
	KUNIT_EXPECT_NULL(test, it->t.vr.inflight);
}

/* Post, fetch and use @n chains of one descriptor; the part follows. */
static void it_packed_io(struct vdev_it *it, u16 n, u16 *id)
{
	struct kunit *test = it->t.test;
	struct vdev_vring *vr = &it->t.vr;

	while (n--) {
		packed_post(&it->t, BUF, 512, W, (*id)++);
		KUNIT_ASSERT_EQ(test, vdev_vring_pop(vr, &it->t.chain), 1);
		KUNIT_ASSERT_EQ(test, vdev_vring_push(vr, it->t.chain.head, 0),
				0);
		KUNIT_EXPECT_EQ(test, it_hdr(it, 0)->used_idx,
				vdev_inflight_packed_used(vr));
	}
}

/*
 * A packed ring's part says where its used ring stands, and a ring that
 * starts on it goes on there, whatever its base says: QEMU 7.2 sends the
 * base of its last start again after a broken connection.
 */
static void vdev_inflight_packed_test(struct kunit *test)
{
	struct vdev_it *it = vdev_it_init(test, F_PACKED);
	struct vdev_vring *vr = &it->t.vr;
	struct vdev_inflight_hdr *h = it_hdr(it, 0);
	u16 id = 0;

	KUNIT_ASSERT_EQ(test, vdev_vring_inflight_start(vr, it->reg, 0), 0);
	KUNIT_EXPECT_EQ(test, h->version, VDEV_INFLIGHT_VERSION);
	KUNIT_EXPECT_EQ(test, h->features, VDEV_INFLIGHT_F_PACKED);
	KUNIT_EXPECT_EQ(test, h->desc_num, NUM);
	KUNIT_EXPECT_EQ(test, h->used_idx, VDEV_INFLIGHT_WRAP);
	/* Past the wrap: slot 3 of the second lap. */
	it_packed_io(it, NUM + 3, &id);
	KUNIT_EXPECT_EQ(test, h->used_idx, 3);

	/* The next session, with the base of the first start. */
	KUNIT_ASSERT_EQ(test, vdev_vring_set_base(vr, 0x80008000), 0);
	KUNIT_ASSERT_EQ(test, vdev_vring_inflight_start(vr, it->reg, 0), 0);
	KUNIT_EXPECT_EQ(test, vr->last_avail_idx, 3);
	KUNIT_EXPECT_FALSE(test, vr->avail_wrap);
	KUNIT_EXPECT_EQ(test, vr->used_idx, 3);
	KUNIT_EXPECT_FALSE(test, vr->used_wrap);
	KUNIT_EXPECT_EQ(test, vr->nr_resubmit, 0);
	/* Slot 2 holds a used descriptor: without the part it would stall. */
	it_packed_io(it, NUM, &id);
	KUNIT_EXPECT_EQ(test, vr->used_idx, 3);
	KUNIT_EXPECT_TRUE(test, vr->used_wrap);

	/* Parts it cannot use: refused, untracked, the ring as it was. */
	h->used_idx = NUM;
	KUNIT_EXPECT_EQ(test, vdev_vring_inflight_start(vr, it->reg, 0), -EPROTO);
	KUNIT_EXPECT_NULL(test, vr->inflight);
	KUNIT_EXPECT_EQ(test, vr->used_idx, 3);
	h->used_idx = 0;
	h->desc_num = NUM * 2;
	KUNIT_EXPECT_EQ(test, vdev_vring_inflight_start(vr, it->reg, 0), -EPROTO);
	h->desc_num = NUM;
	h->features = 0;
	KUNIT_EXPECT_EQ(test, vdev_vring_inflight_start(vr, it->reg, 0), -EPROTO);
	h->features = VDEV_INFLIGHT_F_PACKED;
	h->version = 2;
	KUNIT_EXPECT_EQ(test, vdev_vring_inflight_start(vr, it->reg, 0), -EPROTO);
	KUNIT_EXPECT_NULL(test, vr->inflight);

	/* A split ring refuses a packed ring's part. */
	it = vdev_it_init(test, 0);
	it_used_part(it, 0);
	it_hdr(it, 0)->features = VDEV_INFLIGHT_F_PACKED;
	KUNIT_EXPECT_EQ(test, it_start(it, 0, 0), -EPROTO);
	KUNIT_EXPECT_NULL(test, it->t.vr.inflight);
}

static struct kunit_case vdev_vring_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_vring_chain_test, vdev_chain_gen_params),
	KUNIT_CASE(vdev_vring_total_len_test),
	KUNIT_CASE(vdev_vring_avail_jump_test),
	KUNIT_CASE(vdev_vring_split_push_test),
	KUNIT_CASE(vdev_vring_packed_wrap_test),
	KUNIT_CASE_PARAM(vdev_vring_event_idx_test, vdev_event_gen_params),
	KUNIT_CASE_PARAM(vdev_vring_packed_event_test, vdev_pevent_gen_params),
	KUNIT_CASE(vdev_vring_signal_flags_test),
	KUNIT_CASE(vdev_vring_notify_test),
	KUNIT_CASE_PARAM(vdev_vring_setup_test, vdev_setup_gen_params),
	KUNIT_CASE(vdev_vring_base_test),
	KUNIT_CASE(vdev_inflight_fresh_test),
	KUNIT_CASE(vdev_inflight_resubmit_test),
	KUNIT_CASE(vdev_inflight_last_batch_test),
	KUNIT_CASE(vdev_inflight_hostile_test),
	KUNIT_CASE(vdev_inflight_layout_test),
	KUNIT_CASE(vdev_inflight_packed_test),
	{}
};

static struct kunit_suite vdev_vring_test_suite = {
	.name = "vdev_vring",
	.test_cases = vdev_vring_test_cases,
};

kunit_test_suite(vdev_vring_test_suite);
