// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe queues in guest memory (NVMe Base Specification 2.0, 3.3 and 4.6).
 *
 * The guest owns the tail of a submission queue and the head of a
 * completion queue and tells the controller through doorbells; the
 * controller owns the other two ends and tells the guest through the SQ
 * head field and the phase tag of each completion entry. Every doorbell
 * value is the guest's and is checked against the queue size before it
 * is used: a value out of range is an invalid doorbell write (Base 2.0,
 * 3.3.1.1), reported as -EPROTO for the controller to turn into an
 * asynchronous error event and a stopped queue.
 */
#include <linux/err.h>

#include "mem.h"
#include "nvme_queue.h"

/**
 * vdev_nvme_cq_init - set up a completion queue the host created
 * @cq: the queue
 * @qid: its id
 * @base: guest address of its entries
 * @size: entries, at least 2 (the caller checked the command)
 *
 * The host zeroes its queue memory, so the first pass posts phase 1.
 */
void vdev_nvme_cq_init(struct vdev_nvme_cq *cq, u16 qid, u64 base, u16 size)
{
	*cq = (struct vdev_nvme_cq) {
		.base = base,
		.size = size,
		.qid = qid,
		.phase = true,
	};
}

/**
 * vdev_nvme_sq_init - set up a submission queue the host created
 * @sq: the queue
 * @qid: its id
 * @base: guest address of its entries
 * @size: entries, at least 2
 * @cq: where its commands complete
 */
void vdev_nvme_sq_init(struct vdev_nvme_sq *sq, u16 qid, u64 base, u16 size,
		       struct vdev_nvme_cq *cq)
{
	*sq = (struct vdev_nvme_sq) {
		.base = base,
		.size = size,
		.qid = qid,
		.cq = cq,
	};
}

/*
 * Read doorbell dword @idx: the shadow one once Doorbell Buffer Config
 * set it up (the guest then writes the page only when the event index
 * asks for it), else the page.
 */
static int vdev_nvme_db_read(const struct vdev_nvme_db *db,
			     const struct vdev_mem *mem, u32 idx, u32 *val)
{
	__le32 *p;

	if (!db->shadow) {
		*val = le32_to_cpu(READ_ONCE(db->page[idx]));
		return 0;
	}
	p = vdev_mem_ptr(mem, db->shadow + idx * sizeof(*p), sizeof(*p));
	if (IS_ERR(p))
		return PTR_ERR(p);
	*val = le32_to_cpu(READ_ONCE(*p));
	return 0;
}

/* Ask for a page write once the doorbell moves past @val. */
static int vdev_nvme_db_set_event(const struct vdev_nvme_db *db,
				  const struct vdev_mem *mem, u32 idx, u16 val)
{
	__le32 *p;

	p = vdev_mem_ptr(mem, db->eventidx + idx * sizeof(*p), sizeof(*p));
	if (IS_ERR(p))
		return PTR_ERR(p);
	WRITE_ONCE(*p, cpu_to_le32(val));
	return 0;
}

/* A doorbell value for a queue of @size entries: an index into it. */
static int vdev_nvme_db_index(const struct vdev_nvme_db *db,
			      const struct vdev_mem *mem, u32 idx, u16 size,
			      u16 *out)
{
	u32 val;
	int ret = vdev_nvme_db_read(db, mem, idx, &val);

	if (ret)
		return ret;
	if (val >= size)
		return -EPROTO;
	*out = val;
	return 0;
}

/**
 * vdev_nvme_sq_pop - fetch the next command of a submission queue
 * @sq: the queue
 * @mem: guest memory
 * @db: the doorbells
 * @cmd: the command, copied out of guest memory (never parsed in place:
 *	the guest may rewrite the entry once the head has passed it)
 *
 * Return: 1 a command was fetched, 0 the queue is empty, -EPROTO an
 * invalid tail doorbell value, or a memory error (-EFAULT: the entry is
 * outside guest memory).
 */
int vdev_nvme_sq_pop(struct vdev_nvme_sq *sq, const struct vdev_mem *mem,
		     const struct vdev_nvme_db *db, struct nvme_command *cmd)
{
	int ret;

	if (sq->head == sq->tail) {
		ret = vdev_nvme_db_index(db, mem, 2 * sq->qid, sq->size,
					 &sq->tail);
		if (ret)
			return ret;
		if (sq->head == sq->tail)
			return 0;
		/* The entries before the tail value we read. */
		smp_rmb();
	}
	ret = vdev_mem_read(mem, sq->base + (u64)sq->head * VDEV_NVME_SQE_SIZE,
			    cmd, sizeof(*cmd));
	if (ret)
		return ret;
	sq->head = sq->head + 1 == sq->size ? 0 : sq->head + 1;
	return 1;
}

/**
 * vdev_nvme_sq_enable_notify - ask to be told when the queue gets work
 * @sq: an empty queue (the poller fetched everything)
 * @mem: guest memory
 * @db: the doorbells
 *
 * With shadow doorbells the event index says "write the page doorbell
 * once your tail moves past my head" (the guest driver's
 * nvme_dbbuf_need_event()); without them every tail write reaches the
 * page or the transport, and there is nothing to arm.
 *
 * Return: 1 work arrived meanwhile (look again before sleeping), 0, or
 * an error as vdev_nvme_sq_pop().
 */
int vdev_nvme_sq_enable_notify(struct vdev_nvme_sq *sq,
			       const struct vdev_mem *mem,
			       const struct vdev_nvme_db *db)
{
	int ret;

	if (!db->shadow)
		return 0;
	ret = vdev_nvme_db_set_event(db, mem, 2 * sq->qid, sq->head);
	if (ret)
		return ret;
	/* The event index before the tail: pairs with the guest's mb(). */
	smp_mb();
	ret = vdev_nvme_db_index(db, mem, 2 * sq->qid, sq->size, &sq->tail);
	if (ret)
		return ret;
	return sq->tail != sq->head;
}

/* Free entries, by the head as last read. */
static u16 vdev_nvme_cq_free(const struct vdev_nvme_cq *cq)
{
	return (cq->head + cq->size - cq->tail - 1) % cq->size;
}

/**
 * vdev_nvme_cq_space - may a completion be posted?
 * @cq: the queue
 * @mem: guest memory
 * @db: the doorbells
 *
 * One entry always stays empty, so a full queue is never mistaken for an
 * empty one (Base 2.0, 3.3.1.5). The head doorbell is read only when the
 * cached head says full.
 *
 * Return: free entries (0: full), -EPROTO an invalid head doorbell value,
 * or a memory error.
 */
int vdev_nvme_cq_space(struct vdev_nvme_cq *cq, const struct vdev_mem *mem,
		       const struct vdev_nvme_db *db)
{
	u16 head;
	int ret;

	if (vdev_nvme_cq_free(cq))
		return vdev_nvme_cq_free(cq);
	ret = vdev_nvme_db_index(db, mem, 2 * cq->qid + 1, cq->size, &head);
	if (ret)
		return ret;
	cq->head = head;
	return vdev_nvme_cq_free(cq);
}

/**
 * vdev_nvme_cq_enable_notify - ask to be told when the host frees entries
 * @cq: a full queue
 * @mem: guest memory
 * @db: the doorbells
 *
 * Return: as vdev_nvme_cq_space(), after arming the head's event index
 * when shadow doorbells are on.
 */
int vdev_nvme_cq_enable_notify(struct vdev_nvme_cq *cq,
			       const struct vdev_mem *mem,
			       const struct vdev_nvme_db *db)
{
	int ret;

	if (db->shadow) {
		ret = vdev_nvme_db_set_event(db, mem, 2 * cq->qid + 1,
					     cq->head);
		if (ret)
			return ret;
		/* The event index before the head: as for the tail. */
		smp_mb();
	}
	return vdev_nvme_cq_space(cq, mem, db);
}

/**
 * vdev_nvme_cq_post - post one completion entry
 * @cq: the queue
 * @mem: guest memory
 * @log: the dirty log, or NULL
 * @db: the doorbells
 * @cqe: the entry; its status field without the phase tag
 *
 * Everything but the status halfword goes first; the status with the
 * phase tag that makes the entry valid goes last, after a write barrier,
 * so a guest that sees the new phase sees the whole entry (the guest's
 * driver reads the status, then the rest after a read barrier).
 *
 * Return: 0, -EAGAIN the queue is full (nothing written), -EPROTO an
 * invalid head doorbell value, or a memory error.
 */
int vdev_nvme_cq_post(struct vdev_nvme_cq *cq, const struct vdev_mem *mem,
		      const struct vdev_mem *log, const struct vdev_nvme_db *db,
		      const struct nvme_completion *cqe)
{
	u64 gpa = cq->base + (u64)cq->tail * VDEV_NVME_CQE_SIZE;
	struct nvme_completion *e;
	u16 status;
	int ret;

	ret = vdev_nvme_cq_space(cq, mem, db);
	if (ret <= 0)
		return ret ?: -EAGAIN;
	e = vdev_mem_ptr(mem, gpa, sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	memcpy(e, cqe, offsetof(struct nvme_completion, status));
	status = (le16_to_cpu(cqe->status) & ~1) | cq->phase;
	/* The entry's body before the phase tag that makes it valid. */
	smp_wmb();
	WRITE_ONCE(e->status, cpu_to_le16(status));
	if (log) {
		/* The entry before its bit: see vdev_log_mark(). */
		smp_wmb();
		vdev_log_mark(log, gpa, sizeof(*e));
	}
	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase = !cq->phase;
	}
	return 0;
}
