// SPDX-License-Identifier: GPL-2.0
/*
 * vdev-perf --nvme: an NVMe controller over vfio-user (vdev through
 * vdevd). tools/lib/vfu plays QEMU's vfio-user-pci (guest memory mapped
 * for DMA, BAR0, MSI-X eventfds) and its vfu_nvme_host the guest's nvme
 * driver: enable, Identify the controller and the first active
 * namespace, Set Features Number of Queues, then one I/O queue pair a
 * --queues, created as Linux creates its poll queues (no interrupt)
 * unless --notify. Reads and writes carry PRPs as Linux builds them:
 * PRP1, PRP2 the second page or a PRP list for more than two. Each queue
 * thread rings its SQ tail doorbell per command, busy-polls its CQ's
 * phase tags and rings the CQ head doorbell once per batch, as
 * nvme_poll() does.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "vdev-perf.h"
#include "vfu_nvme_host.h"

#define PERF_NVME_IOVA		0x100000000ULL	/* where guest memory is */
#define PERF_NVME_AQ_SIZE	32
#define PERF_NVME_BATCH		32	/* CQEs a look at the CQ takes */
#define MIB			(1024ULL * 1024)

struct perf_nvme_q {
	struct perf_req **by_cid;	/* the slot each command id is for */
	struct vfu_nvme_cqe cqes[PERF_NVME_BATCH];
	unsigned int ncqe, next;	/* taken from the CQ, handed out */
	uint64_t kicks, calls;		/* SQ doorbells; vector signals */
} __attribute__((aligned(64)));

struct perf_nvme {
	struct vfu_client c;
	struct vfu_nvme n;
	uint32_t nsid;
	unsigned int lba_shift;
	unsigned int mdts;		/* most bytes a command, 0: no limit */
	uint16_t qsize;			/* entries of each I/O SQ and CQ */
	unsigned int granted;		/* I/O queue pairs the controller gives */
	bool opened;			/* vfu_nvme_open() called */
	bool closed;			/* perf_nvme_close() done */
	bool mapped;			/* the doorbell page is mapped */
	/* Doorbells as REGION_WRITEs on the one socket: one at a time. */
	bool locked;
	pthread_mutex_t lock;
	struct perf_nvme_q q[PERF_MAX_QUEUES];
};

/* --- the queues' ops ------------------------------------------------------ */

static uint8_t *perf_nvme_buf_alloc(struct perf_job *j, uint32_t len,
				    uint64_t *gpa)
{
	*gpa = vfu_nvme_alloc(&j->nvme->n, len);
	return *gpa ? vfu_nvme_ptr(&j->nvme->n, *gpa) : NULL;
}

static int perf_nvme_req_init(struct perf_job *j, struct perf_req *r,
			      uint64_t gpa)
{
	(void)j;
	r->nvme.iova = gpa;
	return 0;
}

static void perf_nvme_lock(struct perf_nvme *nv)
{
	if (nv->locked)
		pthread_mutex_lock(&nv->lock);
}

static void perf_nvme_unlock(struct perf_nvme *nv)
{
	if (nv->locked)
		pthread_mutex_unlock(&nv->lock);
}

static int perf_nvme_submit(struct perf_thread *t, struct perf_req *r)
{
	struct perf_nvme *nv = t->job->nvme;
	uint64_t slba = r->block * t->job->o->bs >> nv->lba_shift;
	int cid;

	perf_nvme_lock(nv);
	cid = vfu_nvme_rw_submit(&nv->n, t->qid,
				 r->write ? nvme_cmd_write : nvme_cmd_read,
				 nv->nsid, slba, t->job->o->bs >> nv->lba_shift,
				 r->nvme.iova, nv->lba_shift);
	perf_nvme_unlock(nv);
	if (cid < 0)
		return cid;
	nv->q[t->index].by_cid[cid] = r;
	nv->q[t->index].kicks++;
	return 0;
}

/* The SQ doorbell went with each command. */
static int perf_nvme_kick(struct perf_thread *t)
{
	(void)t;
	return 0;
}

static int perf_nvme_poll(struct perf_thread *t, struct perf_req **r)
{
	struct perf_nvme *nv = t->job->nvme;
	struct perf_nvme_q *q = &nv->q[t->index];
	const struct vfu_nvme_cqe *e;
	int ret;

	if (q->next == q->ncqe) {
		perf_nvme_lock(nv);
		ret = vfu_nvme_poll(&nv->n, t->qid, q->cqes, PERF_NVME_BATCH);
		perf_nvme_unlock(nv);
		if (ret <= 0)
			return ret;
		q->ncqe = ret;
		q->next = 0;
	}
	e = &q->cqes[q->next++];
	*r = q->by_cid[e->cid];
	(*r)->nvme.status = vfu_nvme_sc(e) | (e->status & NVME_CQE_DNR);
	return 1;
}

/* --notify: the queue's vector is its own. */
static int perf_nvme_sleep(struct perf_thread *t, int ms)
{
	struct vfu_nvme *n = &t->job->nvme->n;
	struct pollfd pfd = { .fd = n->efd[t->qid], .events = POLLIN };
	uint64_t v;

	if (poll(&pfd, 1, ms) < 0)
		return vfu_fail(n->c, -errno, "poll: %s", strerror(errno));
	if (read(pfd.fd, &v, sizeof(v)) == sizeof(v))
		t->job->nvme->q[t->index].calls += v;
	return 0;
}

static unsigned int perf_nvme_inflight(const struct perf_thread *t)
{
	const struct perf_nvme *nv = t->job->nvme;
	const struct perf_nvme_q *q = &nv->q[t->index];

	/* Taken from the CQ but not yet handed out count as in flight. */
	return nv->n.q[t->qid].inflight + q->ncqe - q->next;
}

static void perf_nvme_reset(struct perf_thread *t)
{
	struct perf_nvme_q *q = &t->job->nvme->q[t->index];

	q->kicks = q->calls = 0;
}

static void perf_nvme_end(struct perf_thread *t)
{
	struct perf_nvme_q *q = &t->job->nvme->q[t->index];

	t->st.kicks = q->kicks;
	t->st.calls = q->calls;
}

static const char *perf_nvme_err(const struct perf_job *j)
{
	return j->nvme->c.err;
}

static enum perf_result_kind perf_nvme_result(const struct perf_job *j,
					      const struct perf_req *r)
{
	(void)j;
	return r->nvme.status ? PERF_REQ_ERROR : PERF_REQ_OK;
}

static void perf_nvme_describe(const struct perf_req *r, char *buf, size_t len)
{
	snprintf(buf, len, "NVMe status 0x%x (SCT %u SC 0x%02x)%s",
		 r->nvme.status & NVME_SC_MASK, (r->nvme.status >> 8) & 7,
		 r->nvme.status & 0xff,
		 r->nvme.status & NVME_CQE_DNR ? ", do not retry" : "");
}

static const struct perf_dev_ops perf_nvme_ops = {
	.buf_alloc = perf_nvme_buf_alloc,
	.req_init = perf_nvme_req_init,
	.submit = perf_nvme_submit,
	.kick = perf_nvme_kick,
	.poll = perf_nvme_poll,
	.sleep = perf_nvme_sleep,
	.inflight = perf_nvme_inflight,
	.reset = perf_nvme_reset,
	.end = perf_nvme_end,
	.err = perf_nvme_err,
	.result = perf_nvme_result,
	.describe = perf_nvme_describe,
};

/* --- the controller -------------------------------------------------------- */

static int perf_nvme_fail(struct perf_job *j, int ret, const char *what)
{
	if (ret > 0)
		fprintf(stderr, "vdev-perf: %s: %s: NVMe status 0x%x\n",
			j->name, what, ret);
	else
		fprintf(stderr, "vdev-perf: %s: %s: %s\n", j->name, what,
			j->nvme->c.err[0] ? j->nvme->c.err : strerror(-ret));
	return ret > 0 ? -EIO : ret;
}

/* Admin queue, I/O queues with a PRP list page an entry, the buffers. */
static uint64_t perf_nvme_mem_size(const struct perf_job *j, uint16_t qsize)
{
	const struct perf_opts *o = j->o;
	uint64_t need;

	need = (PERF_NVME_AQ_SIZE + (uint64_t)o->queues * qsize) *
	       (64 + 16 + 4096 + 3 * 4096) +
	       (uint64_t)o->queues * o->iodepth * ((o->bs + 4095ULL) & ~4095ULL) +
	       MIB;
	return (need + 2 * MIB - 1) / (2 * MIB) * (2 * MIB);
}

/* Identify Controller: MDTS; the first active namespace: its geometry. */
static int perf_nvme_identify(struct perf_job *j, uint64_t page)
{
	struct perf_nvme *nv = j->nvme;
	const uint8_t *id = vfu_nvme_ptr(&nv->n, page);
	uint64_t nsze;
	unsigned int lbaf;
	int ret;

	ret = vfu_nvme_identify(&nv->n, NVME_ID_CNS_CTRL, 0, page);
	if (ret)
		return perf_nvme_fail(j, ret, "Identify Controller");
	nv->mdts = id[77] ? VFU_NVME_PAGE << id[77] : 0;
	ret = vfu_nvme_identify(&nv->n, NVME_ID_CNS_NS_ACTIVE_LIST, 0, page);
	if (ret)
		return perf_nvme_fail(j, ret, "Identify active namespaces");
	memcpy(&nv->nsid, id, 4);
	if (!nv->nsid) {
		fprintf(stderr, "vdev-perf: %s: the controller has no namespace\n",
			j->name);
		return -ENODEV;
	}
	ret = vfu_nvme_identify(&nv->n, NVME_ID_CNS_NS, nv->nsid, page);
	if (ret)
		return perf_nvme_fail(j, ret, "Identify Namespace");
	memcpy(&nsze, id, 8);
	lbaf = id[26] & 0xf;
	nv->lba_shift = id[128 + 4 * lbaf + 2];
	if (nv->lba_shift < 9 || nv->lba_shift > 16) {
		fprintf(stderr, "vdev-perf: %s: namespace %u: LBA data size 2^%u\n",
			j->name, nv->nsid, nv->lba_shift);
		return -EPROTO;
	}
	j->blk_size = 1U << nv->lba_shift;
	j->capacity = nsze << nv->lba_shift;
	if (nv->mdts && j->o->bs > nv->mdts) {
		fprintf(stderr, "vdev-perf: --bs %u: the controller takes %u bytes a command (MDTS)\n",
			j->o->bs, nv->mdts);
		return -EINVAL;
	}
	return 0;
}

/* Set Features Number of Queues, then the I/O queue pairs. */
static int perf_nvme_queues(struct perf_job *j)
{
	struct perf_nvme *nv = j->nvme;
	const struct perf_opts *o = j->o;
	unsigned int want = o->queues - 1, i;
	struct vfu_nvme_sqe sqe = {
		.opcode = nvme_admin_set_features,
		.cdw10 = NVME_FEAT_NUM_QUEUES, .cdw11 = want | want << 16,
	};
	struct vfu_nvme_cqe cqe;
	int ret;

	ret = vfu_nvme_admin(&nv->n, &sqe, 0, 0, &cqe);
	if (ret)
		return perf_nvme_fail(j, ret, "Set Features Number of Queues");
	nv->granted = ((cqe.dw0 & 0xffff) < (cqe.dw0 >> 16) ?
		       (cqe.dw0 & 0xffff) : (cqe.dw0 >> 16)) + 1;
	if (nv->granted < o->queues) {
		fprintf(stderr, "vdev-perf: %s: --queues %u: the controller gives %u\n",
			j->name, o->queues, nv->granted);
		return -EINVAL;
	}
	if (o->notify && nv->n.nr_vectors <= o->queues) {
		fprintf(stderr, "vdev-perf: %s: --notify: %u MSI-X vectors for %u queues and the admin queue\n",
			j->name, nv->n.nr_vectors, o->queues);
		return -EINVAL;
	}
	for (i = 1; i <= o->queues; i++) {
		/* Linux's poll queues have no interrupt; --notify: vector i. */
		ret = vfu_nvme_create_qpair(&nv->n, i, nv->qsize,
					    o->notify ? i : 0, o->notify);
		if (ret)
			return perf_nvme_fail(j, ret, "create an I/O queue pair");
		nv->q[i - 1].by_cid = calloc(nv->qsize, sizeof(struct perf_req *));
		if (!nv->q[i - 1].by_cid)
			return -ENOMEM;
	}
	return 0;
}

int perf_nvme_open(struct perf_job *j)
{
	const struct perf_opts *o = j->o;
	struct perf_nvme *nv;
	uint64_t page, mqes;
	int ret;

	j->ops = &perf_nvme_ops;
	snprintf(j->name, sizeof(j->name), "%s", o->socket);
	nv = aligned_alloc(64, sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	memset(nv, 0, sizeof(*nv));
	j->nvme = nv;
	vfu_init(&nv->c);
	nv->c.timeout_ms = o->reply_ms;
	nv->n.mem.fd = -1;
	nv->n.bar0.fd = -1;
	pthread_mutex_init(&nv->lock, NULL);
	ret = vfu_open(&nv->c, o->socket, o->connect_ms);
	if (ret)
		return perf_nvme_fail(j, ret, "connect");
	/* A slot for every request, and one the SQ keeps empty. */
	nv->qsize = o->iodepth + 1 < 16 ? 16 : o->iodepth + 1;
	nv->opened = true;
	ret = vfu_nvme_open(&nv->n, &nv->c, PERF_NVME_IOVA,
			    perf_nvme_mem_size(j, nv->qsize));
	if (ret)
		return perf_nvme_fail(j, ret, "open the controller");
	ret = vfu_nvme_enable(&nv->n, PERF_NVME_AQ_SIZE);
	if (ret)
		return perf_nvme_fail(j, ret, "enable");
	mqes = (nv->n.cap & 0xffff) + 1;
	if (nv->qsize > mqes) {
		fprintf(stderr, "vdev-perf: %s: --iodepth %u: the queues take %llu entries (CAP.MQES)\n",
			j->name, o->iodepth, (unsigned long long)mqes);
		return -EINVAL;
	}
	/* Without the doorbell page (poll always) they go on the socket. */
	nv->mapped = nv->n.db;
	nv->locked = !nv->mapped;
	page = vfu_nvme_alloc(&nv->n, VFU_NVME_PAGE);
	if (!page)
		return perf_nvme_fail(j, -ENOMEM, "guest memory");
	ret = perf_nvme_identify(j, page);
	if (!ret)
		ret = perf_range(j);
	if (!ret)
		ret = perf_nvme_queues(j);
	if (!ret)
		ret = perf_threads_alloc(j);
	return ret;
}

int perf_nvme_sock(const struct perf_job *j)
{
	return j->nvme->c.fd;
}

/*
 * As Linux shuts a controller down: the queues deleted, then disabled.
 * What the report says of it stays, for main() to free.
 */
void perf_nvme_close(struct perf_job *j)
{
	struct perf_nvme *nv = j->nvme;
	unsigned int i;

	if (!nv || nv->closed)
		return;
	nv->closed = true;
	if (nv->opened) {
		for (i = 1; i <= j->o->queues && nv->c.fd >= 0; i++)
			if (nv->n.q[i].live && vfu_nvme_delete_qpair(&nv->n, i))
				fprintf(stderr, "vdev-perf: %s: delete queue %u: %s\n",
					j->name, i, nv->c.err);
		if (nv->n.q[0].live && vfu_nvme_disable(&nv->n))
			fprintf(stderr, "vdev-perf: %s: disable: %s\n",
				j->name, nv->c.err);
		vfu_nvme_close(&nv->n);
	}
	vfu_close(&nv->c);
	for (i = 0; i < PERF_MAX_QUEUES; i++) {
		free(nv->q[i].by_cid);
		nv->q[i].by_cid = NULL;
	}
	pthread_mutex_destroy(&nv->lock);
}

/* --- the report ------------------------------------------------------------ */

void perf_nvme_json(struct json_out *js, const struct perf_job *j)
{
	const struct perf_nvme *nv = j->nvme;

	json_u64(js, "nsid", nv->nsid);
	json_u64(js, "queue_size", nv->qsize);
	json_u64(js, "queues_granted", nv->granted);
	json_u64(js, "mdts_bytes", nv->mdts);
	json_bool(js, "doorbells_mapped", nv->mapped);
}

const char *perf_nvme_text(const struct perf_job *j, char *buf, size_t len)
{
	const struct perf_nvme *nv = j->nvme;

	snprintf(buf, len, "nsid %u, %u-entry queues, doorbells %s",
		 nv->nsid, nv->qsize,
		 nv->mapped ? "mapped" : "as REGION_WRITEs");
	return buf;
}
