// SPDX-License-Identifier: GPL-2.0
/*
 * vfu_nvme_host: the selftests' NVMe host driver over vfu_client. See
 * vfu_nvme_host.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "vfu_nvme_host.h"

#define VFU_NVME_SQE_SIZE	64
#define VFU_NVME_CQE_SIZE	16
#define VFU_NVME_CID_BUSY	1
#define VFU_NVME_CID_DONE	2

_Static_assert(sizeof(struct vfu_nvme_sqe) == VFU_NVME_SQE_SIZE, "SQE");
_Static_assert(sizeof(struct vfu_nvme_cqe) == VFU_NVME_CQE_SIZE, "CQE");
_Static_assert(sizeof(struct vfu_nvme_sgl) == 16, "SGL descriptor");
_Static_assert(sizeof(struct vfu_nvme_dsm_range) == 16, "DSM range");

/* --- guest memory ----------------------------------------------------------- */

uint64_t vfu_nvme_alloc(struct vfu_nvme *n, uint64_t len)
{
	uint64_t at = n->brk;

	len = (len + VFU_NVME_PAGE - 1) & ~(uint64_t)(VFU_NVME_PAGE - 1);
	if (!len || len > n->mem.size - at) {
		vfu_fail(n->c, -ENOMEM, "guest memory: %llu bytes wanted, %llu of %llu used",
			 (unsigned long long)len, (unsigned long long)at,
			 (unsigned long long)n->mem.size);
		return 0;
	}
	n->brk += len;
	memset(n->mem.host + at, 0, len);
	return n->iova + at;
}

void *vfu_nvme_ptr(struct vfu_nvme *n, uint64_t iova)
{
	return n->mem.host + (iova - n->iova);
}

/* --- setup ---------------------------------------------------------------- */

static int vfu_nvme_irqs(struct vfu_nvme *n)
{
	struct vfio_irq_info info;
	unsigned int i;
	int ret;

	ret = vfu_irq_info(n->c, VFIO_PCI_MSIX_IRQ_INDEX, &info);
	if (ret)
		return ret;
	if (!info.count || info.count > VFU_NVME_MAX_VECTORS)
		return vfu_fail(n->c, -EPROTO, "MSI-X: %u vectors", info.count);
	n->nr_vectors = info.count;
	for (i = 0; i < n->nr_vectors; i++) {
		n->efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (n->efd[i] < 0)
			return vfu_fail(n->c, -errno, "eventfd: %s",
					strerror(errno));
	}
	return vfu_set_irqs(n->c, VFIO_PCI_MSIX_IRQ_INDEX,
			    VFIO_IRQ_SET_DATA_EVENTFD |
			    VFIO_IRQ_SET_ACTION_TRIGGER, 0, n->nr_vectors,
			    n->efd, NULL);
}

static int vfu_nvme_bar0(struct vfu_nvme *n)
{
	int ret;

	ret = vfu_region_info(n->c, VFIO_PCI_BAR0_REGION_INDEX, &n->bar0);
	if (ret || !n->bar0.sparse)
		return ret;
	if (n->bar0.nr_areas != 1 || n->bar0.areas[0].offset != NVME_REG_DBS)
		return vfu_fail(n->c, -EPROTO, "BAR0: %u sparse areas, the first at 0x%llx",
				n->bar0.nr_areas,
				(unsigned long long)n->bar0.areas[0].offset);
	n->db = vfu_region_mmap(n->c, &n->bar0, 0);
	return n->db ? 0 : -EPROTO;
}

int vfu_nvme_open(struct vfu_nvme *n, struct vfu_client *c, uint64_t iova,
		  uint64_t mem_size)
{
	unsigned int i;
	int ret;

	memset(n, 0, sizeof(*n));
	n->c = c;
	n->iova = iova;
	n->mem.fd = -1;
	n->bar0.fd = -1;
	n->timeout_ms = c->timeout_ms;
	for (i = 0; i < VFU_NVME_MAX_VECTORS; i++)
		n->efd[i] = -1;
	ret = vfu_mem_create(c, &n->mem, mem_size);
	if (!ret)
		ret = vfu_dma_map(c, &n->mem, 0, iova, mem_size,
				  VDEV_VFU_DMA_READ_OK | VDEV_VFU_DMA_WRITE_OK);
	if (!ret)
		ret = vfu_nvme_bar0(n);
	if (!ret)
		ret = vfu_nvme_irqs(n);
	return ret;
}

static void vfu_nvme_q_free(struct vfu_nvme_q *q)
{
	free(q->busy);
	free(q->seq_of);
	free(q->done);
	q->busy = NULL;
	q->seq_of = NULL;
	q->done = NULL;
}

void vfu_nvme_close(struct vfu_nvme *n)
{
	unsigned int i;

	for (i = 0; i <= VFU_NVME_MAX_QID; i++)
		vfu_nvme_q_free(&n->q[i]);
	for (i = 0; i < VFU_NVME_MAX_VECTORS; i++)
		if (n->efd[i] >= 0)
			close(n->efd[i]);
	if (n->db)
		munmap((void *)n->db, VFU_NVME_PAGE);
	n->db = NULL;
	vfu_region_put(&n->bar0);
	vfu_mem_destroy(&n->mem);
}

/* --- registers ------------------------------------------------------------ */

int vfu_nvme_reg_read(struct vfu_nvme *n, uint32_t off, void *val,
		      unsigned int len)
{
	return vfu_region_read(n->c, VFIO_PCI_BAR0_REGION_INDEX, off, val, len);
}

int vfu_nvme_reg_write(struct vfu_nvme *n, uint32_t off, uint64_t val,
		       unsigned int len)
{
	uint32_t v32 = val;

	return vfu_region_write(n->c, VFIO_PCI_BAR0_REGION_INDEX, off,
				len == 8 ? (void *)&val : (void *)&v32, len);
}

/* CSTS.RDY becomes @rdy within CAP.TO; CFS must stay 0. */
static int vfu_nvme_wait_rdy(struct vfu_nvme *n, bool rdy)
{
	long long start = vfu_now_ms();
	uint32_t csts;
	int ret;

	for (;;) {
		ret = vfu_nvme_reg_read(n, NVME_REG_CSTS, &csts, 4);
		if (ret)
			return ret;
		if (csts & NVME_CSTS_CFS)
			return vfu_fail(n->c, -EIO, "CSTS 0x%x: controller fatal status waiting for RDY %d",
					csts, rdy);
		if (!!(csts & NVME_CSTS_RDY) == rdy)
			return 0;
		if (vfu_now_ms() - start > n->to_ms)
			return vfu_fail(n->c, -ETIMEDOUT, "CSTS.RDY not %d within CAP.TO (%u ms): CSTS 0x%x",
					rdy, n->to_ms, csts);
		vfu_sleep_ms(1);
	}
}

void vfu_nvme_forget(struct vfu_nvme *n)
{
	unsigned int i;

	for (i = 0; i <= VFU_NVME_MAX_QID; i++)
		n->q[i].live = false;
	n->dbbuf = false;
	if (n->dbbuf_iova)
		memset(vfu_nvme_ptr(n, n->dbbuf_iova), 0, 2 * VFU_NVME_PAGE);
}

int vfu_nvme_disable(struct vfu_nvme *n)
{
	uint32_t cc;
	int ret;

	ret = vfu_nvme_reg_read(n, NVME_REG_CAP, &n->cap, 8);
	if (ret)
		return ret;
	n->to_ms = ((n->cap >> 24) & 0xff) * 500;
	ret = vfu_nvme_reg_read(n, NVME_REG_CC, &cc, 4);
	if (!ret && (cc & NVME_CC_ENABLE))
		ret = vfu_nvme_reg_write(n, NVME_REG_CC, cc & ~NVME_CC_ENABLE,
					 4);
	if (!ret)
		ret = vfu_nvme_wait_rdy(n, false);
	vfu_nvme_forget(n);
	return ret;
}

/* Memory for queue @qid of @size entries: kept, grown when too small. */
static int vfu_nvme_q_init(struct vfu_nvme *n, uint16_t qid, uint16_t size)
{
	struct vfu_nvme_q *q = &n->q[qid];

	if (size < 2)
		return vfu_fail(n->c, -EINVAL, "queue %u of %u entries", qid,
				size);
	if (q->cap < size) {
		vfu_nvme_q_free(q);
		q->sq_iova = vfu_nvme_alloc(n, (uint64_t)size * VFU_NVME_SQE_SIZE);
		q->cq_iova = vfu_nvme_alloc(n, (uint64_t)size * VFU_NVME_CQE_SIZE);
		q->prp_iova = vfu_nvme_alloc(n, (uint64_t)size * VFU_NVME_PAGE);
		q->busy = calloc(size, sizeof(*q->busy));
		q->seq_of = calloc(size, sizeof(*q->seq_of));
		q->done = calloc(size, sizeof(*q->done));
		if (!q->sq_iova || !q->cq_iova || !q->prp_iova || !q->busy ||
		    !q->seq_of || !q->done)
			return vfu_fail(n->c, -ENOMEM, "queue %u: no memory", qid);
		q->cap = size;
	}
	memset(vfu_nvme_ptr(n, q->sq_iova), 0, (size_t)size * VFU_NVME_SQE_SIZE);
	memset(vfu_nvme_ptr(n, q->cq_iova), 0, (size_t)size * VFU_NVME_CQE_SIZE);
	memset(q->busy, 0, size);
	q->qid = qid;
	q->size = size;
	q->tail = q->head = q->sq_head = 0;
	q->phase = true;
	q->inflight = 0;
	q->seq = 0;
	return 0;
}

int vfu_nvme_enable(struct vfu_nvme *n, uint16_t aq_size)
{
	struct vfu_nvme_q *aq = &n->q[0];
	int ret;

	ret = vfu_nvme_disable(n) ?: vfu_nvme_q_init(n, 0, aq_size);
	if (ret)
		return ret;
	if (aq_size > (n->cap & 0xffff) + 1)
		return vfu_fail(n->c, -EINVAL, "admin queue of %u: CAP.MQES %llu",
				aq_size, (unsigned long long)(n->cap & 0xffff));
	aq->vector = 0;
	aq->ien = true;
	ret = vfu_nvme_reg_write(n, NVME_REG_AQA,
				 (aq_size - 1) | (aq_size - 1) << 16, 4) ?:
	      vfu_nvme_reg_write(n, NVME_REG_ASQ, aq->sq_iova, 8) ?:
	      vfu_nvme_reg_write(n, NVME_REG_ACQ, aq->cq_iova, 8) ?:
	      vfu_nvme_reg_write(n, NVME_REG_CC, NVME_CC_IOSQES |
				 NVME_CC_IOCQES | NVME_CC_ENABLE, 4) ?:
	      vfu_nvme_wait_rdy(n, true);
	aq->live = !ret;
	return ret;
}

/* --- doorbells ------------------------------------------------------------ */

/* Linux's nvme_dbbuf_need_event(). */
static bool vfu_nvme_need_event(uint16_t event_idx, uint16_t new_idx,
				uint16_t old)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old);
}

/* Linux's nvme_dbbuf_update_and_check_event(): is a BAR0 write needed? */
static bool vfu_nvme_shadow_update(struct vfu_nvme *n, unsigned int idx,
				   uint16_t val)
{
	volatile uint32_t *shadow = vfu_nvme_ptr(n, n->dbbuf_iova);
	volatile uint32_t *ei = vfu_nvme_ptr(n, n->dbbuf_iova + VFU_NVME_PAGE);
	uint16_t old;

	/* The queue entries before the shadow doorbell. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	old = shadow[idx];
	shadow[idx] = val;
	/* The shadow doorbell before the event index read. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return vfu_nvme_need_event(ei[idx], val, old);
}

static int vfu_nvme_doorbell(struct vfu_nvme *n, uint16_t qid, bool cq,
			     uint16_t val)
{
	unsigned int idx = 2 * qid + cq;
	uint32_t v = val;

	if (n->dbbuf && qid && !vfu_nvme_shadow_update(n, idx, val)) {
		n->db_skipped++;
		return 0;
	}
	n->db_writes++;
	if (n->db) {
		__atomic_thread_fence(__ATOMIC_RELEASE);
		n->db[idx] = v;
		return 0;
	}
	return vfu_region_write(n->c, VFIO_PCI_BAR0_REGION_INDEX,
				NVME_REG_DBS + 4 * idx, &v, sizeof(v));
}

int vfu_nvme_ring_sq(struct vfu_nvme *n, uint16_t qid, uint16_t val)
{
	return vfu_nvme_doorbell(n, qid, false, val);
}

uint32_t vfu_nvme_eventidx(struct vfu_nvme *n, uint16_t qid, bool cq)
{
	volatile uint32_t *ei = vfu_nvme_ptr(n, n->dbbuf_iova + VFU_NVME_PAGE);

	return ei[2 * qid + cq];
}

/* --- commands --------------------------------------------------------------- */

/* PRP1/PRP2 for @len bytes at @iova; beyond two pages a list in @list. */
static void vfu_nvme_prps(struct vfu_nvme *n, struct vfu_nvme_sqe *sqe,
			  uint64_t iova, uint32_t len, uint64_t list)
{
	uint64_t first = VFU_NVME_PAGE - (iova & (VFU_NVME_PAGE - 1));
	uint64_t *e = vfu_nvme_ptr(n, list), p;
	unsigned int i = 0;

	sqe->prp1 = iova;
	sqe->prp2 = 0;
	if (len <= first)
		return;
	p = iova + first;
	if (len - first <= VFU_NVME_PAGE) {
		sqe->prp2 = p;
		return;
	}
	/* One list page: 512 entries, far beyond MDTS's 64 pages. */
	for (; p < iova + len; p += VFU_NVME_PAGE)
		e[i++] = p;
	sqe->prp2 = list;
}

static int vfu_nvme_cid_get(struct vfu_nvme *n, struct vfu_nvme_q *q)
{
	unsigned int cid;

	if (!q->live)
		return vfu_fail(n->c, -ENODEV, "queue %u does not exist",
				q->qid);
	if (q->inflight + 1 >= q->size)
		return vfu_fail(n->c, -EBUSY, "queue %u: %u of %u in flight",
				q->qid, q->inflight, q->size);
	for (cid = 0; cid < q->size; cid++)
		if (!q->busy[cid])
			return cid;
	return vfu_fail(n->c, -EBUSY, "queue %u: no free command id", q->qid);
}

int vfu_nvme_submit(struct vfu_nvme *n, uint16_t qid, struct vfu_nvme_sqe *sqe,
		    uint64_t iova, uint32_t len)
{
	struct vfu_nvme_q *q = &n->q[qid];
	int cid, ret;

	cid = vfu_nvme_cid_get(n, q);
	if (cid < 0)
		return cid;
	sqe->cid = cid;
	if (len)
		vfu_nvme_prps(n, sqe, iova, len,
			      q->prp_iova + (uint64_t)cid * VFU_NVME_PAGE);
	memcpy(vfu_nvme_ptr(n, q->sq_iova) + (size_t)q->tail * VFU_NVME_SQE_SIZE,
	       sqe, sizeof(*sqe));
	q->busy[cid] = VFU_NVME_CID_BUSY;
	q->seq_of[cid] = q->seq++;
	q->inflight++;
	q->tail = (q->tail + 1) % q->size;
	ret = vfu_nvme_doorbell(n, qid, false, q->tail);
	return ret ?: cid;
}

/* What a CQE must say of the command it completes. */
static int vfu_nvme_cqe_check(struct vfu_nvme *n, struct vfu_nvme_q *q,
			      const struct vfu_nvme_cqe *e)
{
	uint16_t s;

	if (e->sq_id != q->qid)
		return vfu_fail(n->c, -EPROTO, "CQ %u: CQE for SQ %u (cid %u)",
				q->qid, e->sq_id, e->cid);
	if (e->cid >= q->size || q->busy[e->cid] != VFU_NVME_CID_BUSY)
		return vfu_fail(n->c, -EPROTO, "CQ %u: CQE for cid %u, not in flight",
				q->qid, e->cid);
	if (e->sq_head >= q->size)
		return vfu_fail(n->c, -EPROTO, "CQ %u: SQ head %u of %u entries",
				q->qid, e->sq_head, q->size);
	/*
	 * The head has passed the command's slot and not our tail (unless
	 * the ring went round since: an AER waits for long).
	 */
	if (q->seq - q->seq_of[e->cid] >= q->size)
		return 0;
	s = q->seq_of[e->cid] % q->size;
	if ((e->sq_head - s - 1 + q->size) % q->size >=
	    (q->tail - s + q->size) % q->size && q->tail != s)
		return vfu_fail(n->c, -EPROTO, "CQ %u: cid %u in slot %u completed with SQ head %u, tail %u",
				q->qid, e->cid, s, e->sq_head, q->tail);
	return 0;
}

/* Take the CQE at the head if the controller posted it: 1, 0 or an error. */
static int vfu_nvme_take(struct vfu_nvme *n, struct vfu_nvme_q *q,
			 struct vfu_nvme_cqe *cqe)
{
	volatile struct vfu_nvme_cqe *e;
	int ret;

	e = vfu_nvme_ptr(n, q->cq_iova + (uint64_t)q->head * VFU_NVME_CQE_SIZE);
	if ((e->status & 1) != q->phase)
		return 0;
	/* The status before the rest of the entry. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy(cqe, (const void *)e, sizeof(*cqe));
	ret = vfu_nvme_cqe_check(n, q, cqe);
	if (ret)
		return ret;
	q->sq_head = cqe->sq_head;
	if (++q->head == q->size) {
		q->head = 0;
		q->phase = !q->phase;
	}
	return 1;
}

int vfu_nvme_reap(struct vfu_nvme *n, uint16_t qid)
{
	struct vfu_nvme_q *q = &n->q[qid];
	struct vfu_nvme_cqe cqe;
	int got = 0, ret;

	while ((ret = vfu_nvme_take(n, q, &cqe)) > 0) {
		q->done[cqe.cid] = cqe;
		q->busy[cqe.cid] = VFU_NVME_CID_DONE;
		got++;
	}
	if (ret < 0)
		return ret;
	if (!got)
		return 0;
	ret = vfu_nvme_doorbell(n, qid, true, q->head);
	return ret ?: got;
}

int vfu_nvme_poll(struct vfu_nvme *n, uint16_t qid, struct vfu_nvme_cqe *cqes,
		  unsigned int max)
{
	struct vfu_nvme_q *q = &n->q[qid];
	unsigned int got = 0;
	int ret = 0;

	while (got < max && (ret = vfu_nvme_take(n, q, &cqes[got])) > 0) {
		q->busy[cqes[got].cid] = 0;
		q->inflight--;
		got++;
	}
	if (ret < 0)
		return ret;
	if (!got)
		return 0;
	/* One CQ head doorbell for the batch, as nvme_poll_cq() rings it. */
	ret = vfu_nvme_doorbell(n, qid, true, q->head);
	return ret ?: (int)got;
}

uint64_t vfu_nvme_irq_count(struct vfu_nvme *n, unsigned int vector)
{
	uint64_t v;

	if (vector < n->nr_vectors &&
	    read(n->efd[vector], &v, sizeof(v)) == sizeof(v))
		n->irqs[vector] += v;
	return vector < n->nr_vectors ? n->irqs[vector] : 0;
}

/* Until something may have completed: the vector's signal, or a while. */
static void vfu_nvme_idle(struct vfu_nvme *n, struct vfu_nvme_q *q)
{
	struct pollfd pfd = { .events = POLLIN };

	if (!q->ien || q->vector >= n->nr_vectors) {
		vfu_sleep_ms(1);
		return;
	}
	pfd.fd = n->efd[q->vector];
	if (poll(&pfd, 1, 20) > 0)
		vfu_nvme_irq_count(n, q->vector);
}

int vfu_nvme_wait(struct vfu_nvme *n, uint16_t qid, uint16_t cid,
		  struct vfu_nvme_cqe *cqe)
{
	struct vfu_nvme_q *q = &n->q[qid];
	long long deadline = vfu_now_ms() + n->timeout_ms;
	int ret;

	if (cid >= q->size || !q->busy[cid])
		return vfu_fail(n->c, -EINVAL, "queue %u: cid %u not submitted",
				qid, cid);
	while (q->busy[cid] != VFU_NVME_CID_DONE) {
		ret = vfu_nvme_reap(n, qid);
		if (ret < 0)
			return ret;
		if (ret)
			continue;
		if (vfu_now_ms() > deadline)
			return vfu_fail(n->c, -ETIMEDOUT, "queue %u: cid %u (opcode 0x%02x) not completed in %d ms",
					qid, cid,
					((struct vfu_nvme_sqe *)vfu_nvme_ptr(n, q->sq_iova))[q->seq_of[cid] % q->size].opcode,
					n->timeout_ms);
		vfu_nvme_idle(n, q);
	}
	q->busy[cid] = 0;
	q->inflight--;
	if (cqe)
		*cqe = q->done[cid];
	return vfu_nvme_sc(&q->done[cid]);
}

int vfu_nvme_cmd(struct vfu_nvme *n, uint16_t qid, struct vfu_nvme_sqe *sqe,
		 uint64_t iova, uint32_t len, struct vfu_nvme_cqe *cqe)
{
	int cid = vfu_nvme_submit(n, qid, sqe, iova, len);

	return cid < 0 ? cid : vfu_nvme_wait(n, qid, cid, cqe);
}

int vfu_nvme_admin(struct vfu_nvme *n, struct vfu_nvme_sqe *sqe,
		   uint64_t iova, uint32_t len, struct vfu_nvme_cqe *cqe)
{
	return vfu_nvme_cmd(n, 0, sqe, iova, len, cqe);
}

int vfu_nvme_identify(struct vfu_nvme *n, uint8_t cns, uint32_t nsid,
		      uint64_t iova)
{
	struct vfu_nvme_sqe sqe = {
		.opcode = nvme_admin_identify, .nsid = nsid, .cdw10 = cns,
	};

	return vfu_nvme_admin(n, &sqe, iova, VFU_NVME_PAGE, NULL);
}

int vfu_nvme_get_log(struct vfu_nvme *n, uint8_t lid, uint32_t nsid,
		     uint64_t iova, uint32_t len)
{
	uint32_t numd = len / 4 - 1;
	struct vfu_nvme_sqe sqe = {
		.opcode = nvme_admin_get_log_page, .nsid = nsid,
		.cdw10 = lid | (numd & 0xffff) << 16, .cdw11 = numd >> 16,
	};

	return vfu_nvme_admin(n, &sqe, iova, len, NULL);
}

/* --- queues ----------------------------------------------------------------- */

int vfu_nvme_create_qpair(struct vfu_nvme *n, uint16_t qid, uint16_t size,
			  uint16_t vector, bool ien)
{
	struct vfu_nvme_q *q = &n->q[qid];
	struct vfu_nvme_sqe cq = {
		.opcode = nvme_admin_create_cq,
		.cdw10 = qid | (uint32_t)(size - 1) << 16,
		.cdw11 = NVME_QUEUE_PHYS_CONTIG |
			 (ien ? NVME_CQ_IRQ_ENABLED : 0) |
			 (uint32_t)vector << 16,
	}, sq = {
		.opcode = nvme_admin_create_sq,
		.cdw10 = qid | (uint32_t)(size - 1) << 16,
		.cdw11 = NVME_QUEUE_PHYS_CONTIG | (uint32_t)qid << 16,
	};
	int ret;

	if (!qid || qid > VFU_NVME_MAX_QID)
		return vfu_fail(n->c, -EINVAL, "queue id %u", qid);
	ret = vfu_nvme_q_init(n, qid, size);
	if (ret)
		return ret;
	q->vector = vector;
	q->ien = ien;
	cq.prp1 = q->cq_iova;
	sq.prp1 = q->sq_iova;
	ret = vfu_nvme_admin(n, &cq, 0, 0, NULL) ?:
	      vfu_nvme_admin(n, &sq, 0, 0, NULL);
	q->live = !ret;
	return ret;
}

int vfu_nvme_delete_qpair(struct vfu_nvme *n, uint16_t qid)
{
	struct vfu_nvme_sqe sq = { .opcode = nvme_admin_delete_sq, .cdw10 = qid };
	struct vfu_nvme_sqe cq = { .opcode = nvme_admin_delete_cq, .cdw10 = qid };
	int ret;

	ret = vfu_nvme_admin(n, &sq, 0, 0, NULL) ?:
	      vfu_nvme_admin(n, &cq, 0, 0, NULL);
	if (!ret)
		n->q[qid].live = false;
	return ret;
}

int vfu_nvme_dbbuf_config(struct vfu_nvme *n)
{
	struct vfu_nvme_sqe sqe = { .opcode = nvme_admin_dbbuf };
	int ret;

	if (!n->dbbuf_iova)
		n->dbbuf_iova = vfu_nvme_alloc(n, 2 * VFU_NVME_PAGE);
	if (!n->dbbuf_iova)
		return -ENOMEM;
	memset(vfu_nvme_ptr(n, n->dbbuf_iova), 0, 2 * VFU_NVME_PAGE);
	sqe.prp1 = n->dbbuf_iova;
	sqe.prp2 = n->dbbuf_iova + VFU_NVME_PAGE;
	ret = vfu_nvme_admin(n, &sqe, 0, 0, NULL);
	n->dbbuf = !ret;
	return ret;
}

/* --- I/O ------------------------------------------------------------------- */

int vfu_nvme_rw_submit(struct vfu_nvme *n, uint16_t qid, uint8_t opcode,
		       uint32_t nsid, uint64_t slba, uint32_t nlb,
		       uint64_t iova, unsigned int lba_shift)
{
	struct vfu_nvme_sqe sqe = {
		.opcode = opcode, .nsid = nsid,
		.cdw10 = (uint32_t)slba, .cdw11 = (uint32_t)(slba >> 32),
		.cdw12 = nlb - 1,
	};

	return vfu_nvme_submit(n, qid, &sqe, iova, nlb << lba_shift);
}

int vfu_nvme_rw(struct vfu_nvme *n, uint16_t qid, uint8_t opcode,
		uint32_t nsid, uint64_t slba, uint32_t nlb, uint64_t iova,
		unsigned int lba_shift)
{
	int cid = vfu_nvme_rw_submit(n, qid, opcode, nsid, slba, nlb, iova,
				     lba_shift);

	return cid < 0 ? cid : vfu_nvme_wait(n, qid, cid, NULL);
}
