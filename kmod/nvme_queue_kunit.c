// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: NVMe queues in real pinned guest memory. The test plays the host
 * driver: it writes commands and doorbells, reads completions and their
 * phase tags, and it also plays a hostile one: doorbells past the queue,
 * queues outside memory, completion queues it never drains.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/nvme.h>
#include <linux/slab.h>

#include "kunit_util.h"
#include "mem.h"
#include "nvme_queue.h"

#define MEM_GPA		0x100000ULL
#define MEM_SIZE	0x10000ULL
#define SQ_GPA		(MEM_GPA + 0x0000)
#define CQ_GPA		(MEM_GPA + 0x4000)
#define SHADOW_GPA	(MEM_GPA + 0x8000)
#define EVENT_GPA	(MEM_GPA + 0x9000)
#define OUT_GPA		0x2000ULL	/* outside guest memory */
#define QID		3

struct vdev_nq_fix {
	struct vdev_mem *mem;
	struct vdev_nvme_db db;
	struct vdev_nvme_cq cq;
	struct vdev_nvme_sq sq;
};

static struct vdev_nq_fix *vdev_nq_fix(struct kunit *test, u16 sq_size,
				       u16 cq_size)
{
	struct vdev_nq_fix *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->mem = vdev_kunit_mem(test, MEM_GPA, MEM_SIZE);
	f->db.page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->db.page);
	vdev_nvme_cq_init(&f->cq, QID, CQ_GPA, cq_size);
	vdev_nvme_sq_init(&f->sq, QID, SQ_GPA, sq_size, &f->cq);
	return f;
}

/* The host writes command @slot with @cid as its command id. */
static void vdev_nq_put_cmd(struct kunit *test, struct vdev_nq_fix *f,
			    u16 slot, u16 cid)
{
	struct nvme_command c = { };

	c.common.opcode = nvme_cmd_read;
	c.common.command_id = cid;
	c.common.nsid = cpu_to_le32(slot + 100);
	KUNIT_ASSERT_EQ(test, vdev_mem_write(f->mem, SQ_GPA + slot * 64ULL,
					     &c, sizeof(c)), 0);
}

static void vdev_nq_set_db(struct vdev_nq_fix *f, u32 idx, u32 val)
{
	f->db.page[idx] = cpu_to_le32(val);
}

static void vdev_nq_set_shadow(struct kunit *test, struct vdev_nq_fix *f,
			       u32 idx, u32 val)
{
	__le32 v = cpu_to_le32(val);

	KUNIT_ASSERT_EQ(test, vdev_mem_write(f->mem, SHADOW_GPA + idx * 4ULL,
					     &v, sizeof(v)), 0);
}

static u32 vdev_nq_get_event(struct kunit *test, struct vdev_nq_fix *f,
			     u32 idx)
{
	__le32 v;

	KUNIT_ASSERT_EQ(test, vdev_mem_read(f->mem, EVENT_GPA + idx * 4ULL,
					    &v, sizeof(v)), 0);
	return le32_to_cpu(v);
}

static struct nvme_completion vdev_nq_get_cqe(struct kunit *test,
					      struct vdev_nq_fix *f, u16 slot)
{
	struct nvme_completion e;

	KUNIT_ASSERT_EQ(test, vdev_mem_read(f->mem, CQ_GPA + slot * 16ULL,
					    &e, sizeof(e)), 0);
	return e;
}

/* Fetch and check that the command came from @slot and carries @cid. */
static void vdev_nq_expect_pop(struct kunit *test, struct vdev_nq_fix *f,
			       u16 slot, u16 cid)
{
	struct nvme_command c;

	KUNIT_ASSERT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db, &c), 1);
	KUNIT_EXPECT_EQ(test, c.common.command_id, cid);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(c.common.nsid), slot + 100);
}

static void vdev_nq_pop_in_order(struct kunit *test)
{
	struct vdev_nq_fix *f = vdev_nq_fix(test, 8, 8);
	struct nvme_command c;
	int i;

	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db, &c), 0);
	for (i = 0; i < 3; i++)
		vdev_nq_put_cmd(test, f, i, 0x40 + i);
	vdev_nq_set_db(f, 2 * QID, 3);
	for (i = 0; i < 3; i++)
		vdev_nq_expect_pop(test, f, i, 0x40 + i);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db, &c), 0);
	KUNIT_EXPECT_EQ(test, f->sq.head, 3);
}

/* Another queue's doorbell, or the CQ head of this one, fetches nothing. */
static void vdev_nq_pop_own_doorbell(struct kunit *test)
{
	struct vdev_nq_fix *f = vdev_nq_fix(test, 8, 8);
	struct nvme_command c;

	vdev_nq_put_cmd(test, f, 0, 1);
	vdev_nq_set_db(f, 2 * QID + 1, 1);
	vdev_nq_set_db(f, 2 * (QID + 1), 1);
	vdev_nq_set_db(f, 2 * (QID - 1), 1);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db, &c), 0);
}

static void vdev_nq_pop_wraps(struct kunit *test)
{
	struct vdev_nq_fix *f = vdev_nq_fix(test, 4, 4);
	struct nvme_command c;
	int i;

	for (i = 0; i < 4; i++)
		vdev_nq_put_cmd(test, f, i, i);
	vdev_nq_set_db(f, 2 * QID, 3);
	for (i = 0; i < 3; i++)
		vdev_nq_expect_pop(test, f, i, i);
	/* The tail wraps past the end: slot 3, then slot 0 again. */
	vdev_nq_put_cmd(test, f, 0, 9);
	vdev_nq_set_db(f, 2 * QID, 1);
	vdev_nq_expect_pop(test, f, 3, 3);
	vdev_nq_expect_pop(test, f, 0, 9);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db, &c), 0);
	KUNIT_EXPECT_EQ(test, f->sq.head, 1);
}

static const u32 vdev_nq_bad_tails[] = { 4, 5, 0xffff, 0x10000, U32_MAX };

static void vdev_nq_pop_bad_tail(struct kunit *test)
{
	struct vdev_nq_fix *f = vdev_nq_fix(test, 4, 4);
	struct nvme_command c;
	int i;

	for (i = 0; i < ARRAY_SIZE(vdev_nq_bad_tails); i++) {
		vdev_nq_set_db(f, 2 * QID, vdev_nq_bad_tails[i]);
		KUNIT_EXPECT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db,
						       &c), -EPROTO);
		KUNIT_EXPECT_EQ(test, f->sq.head, 0);
		KUNIT_EXPECT_EQ(test, f->sq.tail, 0);
	}
}

static void vdev_nq_pop_outside_memory(struct kunit *test)
{
	struct vdev_nq_fix *f = vdev_nq_fix(test, 4, 4);
	struct nvme_command c;

	vdev_nvme_sq_init(&f->sq, QID, OUT_GPA, 4, &f->cq);
	vdev_nq_set_db(f, 2 * QID, 1);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db, &c),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, f->sq.head, 0);
	/* A queue whose last entry runs off the end of memory. */
	vdev_nvme_sq_init(&f->sq, QID, MEM_GPA + MEM_SIZE - 64, 2, &f->cq);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db, &c), 1);
	vdev_nq_set_db(f, 2 * QID, 0);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db, &c),
			-EFAULT);
}

/* With shadow doorbells the page is not what counts any more. */
static void vdev_nq_pop_shadow(struct kunit *test)
{
	struct vdev_nq_fix *f = vdev_nq_fix(test, 8, 8);
	struct nvme_command c;

	vdev_nq_put_cmd(test, f, 0, 5);
	vdev_nq_put_cmd(test, f, 1, 6);
	f->db.shadow = SHADOW_GPA;
	f->db.eventidx = EVENT_GPA;
	vdev_nq_set_db(f, 2 * QID, 2);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db, &c), 0);
	vdev_nq_set_shadow(test, f, 2 * QID, 1);
	vdev_nq_expect_pop(test, f, 0, 5);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db, &c), 0);
	vdev_nq_set_shadow(test, f, 2 * QID, 9);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db, &c),
			-EPROTO);
	/* A shadow buffer the guest placed outside its memory. */
	f->db.shadow = OUT_GPA;
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db, &c),
			-EFAULT);
}

static void vdev_nq_sq_notify(struct kunit *test)
{
	struct vdev_nq_fix *f = vdev_nq_fix(test, 8, 8);
	struct nvme_command c;

	/* Without shadow doorbells: nothing to arm, nothing written. */
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_enable_notify(&f->sq, f->mem,
							 &f->db), 0);
	f->db.shadow = SHADOW_GPA;
	f->db.eventidx = EVENT_GPA;
	KUNIT_EXPECT_EQ(test, vdev_nq_get_event(test, f, 2 * QID), 0);
	vdev_nq_put_cmd(test, f, 0, 1);
	vdev_nq_put_cmd(test, f, 1, 2);
	vdev_nq_set_shadow(test, f, 2 * QID, 2);
	vdev_nq_expect_pop(test, f, 0, 1);
	vdev_nq_expect_pop(test, f, 1, 2);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_pop(&f->sq, f->mem, &f->db, &c), 0);
	/* Idle: the event index is our head, and nothing new came. */
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_enable_notify(&f->sq, f->mem,
							 &f->db), 0);
	KUNIT_EXPECT_EQ(test, vdev_nq_get_event(test, f, 2 * QID), 2);
	KUNIT_EXPECT_EQ(test, vdev_nq_get_event(test, f, 2 * QID + 1), 0);
	/* Work that came before the sleep is seen. */
	vdev_nq_set_shadow(test, f, 2 * QID, 3);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_enable_notify(&f->sq, f->mem,
							 &f->db), 1);
	vdev_nq_set_shadow(test, f, 2 * QID, 8);
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_enable_notify(&f->sq, f->mem,
							 &f->db), -EPROTO);
	f->db.eventidx = OUT_GPA;
	KUNIT_EXPECT_EQ(test, vdev_nvme_sq_enable_notify(&f->sq, f->mem,
							 &f->db), -EFAULT);
}

static int vdev_nq_post(struct vdev_nq_fix *f, u16 cid, u16 status, u64 res)
{
	struct nvme_completion e = {
		.result.u64 = cpu_to_le64(res),
		.sq_head = cpu_to_le16(f->sq.head),
		.sq_id = cpu_to_le16(f->sq.qid),
		.command_id = cid,
		.status = cpu_to_le16(status << 1),
	};

	return vdev_nvme_cq_post(&f->cq, f->mem, NULL, &f->db, &e);
}

static void vdev_nq_expect_cqe(struct kunit *test, struct vdev_nq_fix *f,
			       u16 slot, u16 cid, u16 status, bool phase)
{
	struct nvme_completion e = vdev_nq_get_cqe(test, f, slot);

	KUNIT_EXPECT_EQ(test, e.command_id, cid);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(e.sq_id), QID);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(e.result.u64), 0x1122334455667700ULL + cid);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(e.status), status << 1 | phase);
}

static void vdev_nq_cq_layout_and_phase(struct kunit *test)
{
	struct vdev_nq_fix *f = vdev_nq_fix(test, 4, 4);
	int i;

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, vdev_nq_post(f, i, i ? NVME_SC_INVALID_FIELD : 0,
						   0x1122334455667700ULL + i), 0);
	for (i = 0; i < 3; i++)
		vdev_nq_expect_cqe(test, f, i, i, i ? NVME_SC_INVALID_FIELD : 0,
				   true);
	/* The slot past the tail is untouched: phase 0 still. */
	KUNIT_EXPECT_EQ(test, le16_to_cpu(vdev_nq_get_cqe(test, f, 3).status), 0);
	/* The host consumed all three: the next pass flips the phase. */
	vdev_nq_set_db(f, 2 * QID + 1, 3);
	for (i = 3; i < 6; i++)
		KUNIT_EXPECT_EQ(test, vdev_nq_post(f, i, 0,
						   0x1122334455667700ULL + i), 0);
	vdev_nq_expect_cqe(test, f, 3, 3, 0, true);
	vdev_nq_expect_cqe(test, f, 0, 4, 0, false);
	vdev_nq_expect_cqe(test, f, 1, 5, 0, false);
}

/* A caller's phase bit never leaks into the entry. */
static void vdev_nq_cq_phase_is_ours(struct kunit *test)
{
	struct vdev_nq_fix *f = vdev_nq_fix(test, 4, 4);
	struct nvme_completion e = {
		.command_id = 7,
		.status = cpu_to_le16(NVME_SC_INTERNAL << 1 | 1),
	};

	vdev_nq_set_db(f, 2 * QID + 1, 0);
	f->cq.tail = 3;
	f->cq.head = 2;
	f->cq.phase = false;
	KUNIT_ASSERT_EQ(test, vdev_nvme_cq_post(&f->cq, f->mem, NULL, &f->db,
						&e), 0);
	e = vdev_nq_get_cqe(test, f, 3);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(e.status), NVME_SC_INTERNAL << 1);
	KUNIT_EXPECT_EQ(test, f->cq.tail, 0);
	KUNIT_EXPECT_TRUE(test, f->cq.phase);
}

static void vdev_nq_cq_full(struct kunit *test)
{
	struct vdev_nq_fix *f = vdev_nq_fix(test, 4, 4);
	struct nvme_completion before, after;
	int i;

	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, vdev_nq_post(f, i, 0, 0), 0);
	before = vdev_nq_get_cqe(test, f, 3);
	KUNIT_EXPECT_EQ(test, vdev_nvme_cq_space(&f->cq, f->mem, &f->db), 0);
	KUNIT_EXPECT_EQ(test, vdev_nq_post(f, 9, 0, 0), -EAGAIN);
	after = vdev_nq_get_cqe(test, f, 3);
	KUNIT_EXPECT_EQ(test, memcmp(&before, &after, sizeof(after)), 0);
	KUNIT_EXPECT_EQ(test, f->cq.tail, 3);
	/* The host frees two entries. */
	vdev_nq_set_db(f, 2 * QID + 1, 2);
	KUNIT_EXPECT_EQ(test, vdev_nvme_cq_space(&f->cq, f->mem, &f->db), 2);
	KUNIT_EXPECT_EQ(test, vdev_nq_post(f, 9, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, vdev_nq_post(f, 10, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, vdev_nq_post(f, 11, 0, 0), -EAGAIN);
	/* A head past the queue is an invalid doorbell write. */
	vdev_nq_set_db(f, 2 * QID + 1, 4);
	KUNIT_EXPECT_EQ(test, vdev_nq_post(f, 11, 0, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, f->cq.tail, 1);
}

static void vdev_nq_cq_notify(struct kunit *test)
{
	struct vdev_nq_fix *f = vdev_nq_fix(test, 4, 4);
	int i;

	f->db.shadow = SHADOW_GPA;
	f->db.eventidx = EVENT_GPA;
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, vdev_nq_post(f, i, 0, 0), 0);
	vdev_nq_set_shadow(test, f, 2 * QID + 1, 0);
	KUNIT_EXPECT_EQ(test, vdev_nvme_cq_enable_notify(&f->cq, f->mem,
							 &f->db), 0);
	KUNIT_EXPECT_EQ(test, vdev_nq_get_event(test, f, 2 * QID + 1), 0);
	KUNIT_EXPECT_EQ(test, vdev_nq_get_event(test, f, 2 * QID), 0);
	/* The page doorbell no longer counts; the shadow head does. */
	vdev_nq_set_db(f, 2 * QID + 1, 2);
	KUNIT_EXPECT_EQ(test, vdev_nq_post(f, 3, 0, 0), -EAGAIN);
	vdev_nq_set_shadow(test, f, 2 * QID + 1, 1);
	KUNIT_EXPECT_EQ(test, vdev_nvme_cq_enable_notify(&f->cq, f->mem,
							 &f->db), 1);
	KUNIT_EXPECT_EQ(test, vdev_nq_post(f, 3, 0, 0x1122334455667703ULL), 0);
	vdev_nq_expect_cqe(test, f, 3, 3, 0, true);
}

static void vdev_nq_cq_outside_memory(struct kunit *test)
{
	struct vdev_nq_fix *f = vdev_nq_fix(test, 4, 4);

	vdev_nvme_cq_init(&f->cq, QID, OUT_GPA, 4);
	KUNIT_EXPECT_EQ(test, vdev_nq_post(f, 1, 0, 0), -EFAULT);
	KUNIT_EXPECT_EQ(test, f->cq.tail, 0);
	KUNIT_EXPECT_TRUE(test, f->cq.phase);
}

static struct kunit_case vdev_nvme_queue_cases[] = {
	KUNIT_CASE(vdev_nq_pop_in_order),
	KUNIT_CASE(vdev_nq_pop_own_doorbell),
	KUNIT_CASE(vdev_nq_pop_wraps),
	KUNIT_CASE(vdev_nq_pop_bad_tail),
	KUNIT_CASE(vdev_nq_pop_outside_memory),
	KUNIT_CASE(vdev_nq_pop_shadow),
	KUNIT_CASE(vdev_nq_sq_notify),
	KUNIT_CASE(vdev_nq_cq_layout_and_phase),
	KUNIT_CASE(vdev_nq_cq_phase_is_ours),
	KUNIT_CASE(vdev_nq_cq_full),
	KUNIT_CASE(vdev_nq_cq_notify),
	KUNIT_CASE(vdev_nq_cq_outside_memory),
	{}
};

static struct kunit_suite vdev_nvme_queue_suite = {
	.name = "vdev_nvme_queue",
	.test_cases = vdev_nvme_queue_cases,
};

kunit_test_suite(vdev_nvme_queue_suite);
