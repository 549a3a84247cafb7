// SPDX-License-Identifier: GPL-2.0
/*
 * The NVMe controller's queues and commands: the ring engine the pollers
 * drive (nvme_queue.c underneath), the admin queue's commands in process
 * context, the I/O commands as bios, and the enable and reset sequences.
 * Locking: Documentation/design/nvme-vfio-user.rst, "Locking order and
 * the reset".
 */
#include <linux/blkdev.h>
#include <linux/eventfd.h>
#include <linux/slab.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>

#include "mem.h"
#include "nvme.h"
#include "nvme_dptr.h"
#include "nvme_id.h"
#include "nvme_io.h"
#include "poller.h"
#include "vfu.h"

/* Transfer limit (MDTS): what Linux asks of one command, and then some. */
#define VDEV_NVME_MAX_XFER	SZ_256K
/* The one controller of its subsystem. */
#define VDEV_NVME_CNTLID	1

static struct vdev_nvme_sqx *vdev_nvme_sqx_of(const struct vdev_queue *q)
{
	return &vdev_nvme_of(q->session)->sqx[q->index];
}

/* --- the ring engine ---------------------------------------------------- */

/* A queue parks while the table does not cover both of its rings. */
static int vdev_nvme_q_set_mem(struct vdev_queue *q, const struct vdev_mem *mem)
{
	struct vdev_nvme_sqx *x = vdev_nvme_sqx_of(q);
	const struct vdev_nvme_cq *cq = &x->cqx->cq;

	if (vdev_mem_check(mem, x->sq.base, (u64)x->sq.size * VDEV_NVME_SQE_SIZE) ||
	    vdev_mem_check(mem, cq->base, (u64)cq->size * VDEV_NVME_CQE_SIZE))
		return -EFAULT;
	return 0;
}

/*
 * Fetch only what the completion queue has room for: a guest that does
 * not consume completions stops its own queues, and nothing waits for
 * room with a completion in hand.
 */
static int vdev_nvme_q_pop(struct vdev_queue *q, struct vdev_vring_chain *chain)
{
	struct vdev_nvme_sqx *x = vdev_nvme_sqx_of(q);
	const struct vdev_mem *mem = q->gen->mem;
	struct vdev_nvme_cqx *cqx = x->cqx;
	int ret;

	spin_lock(&cqx->lock);
	ret = vdev_nvme_cq_space(&cqx->cq, mem, &x->db);
	/*
	 * Full: with shadow doorbells the host writes the page doorbell
	 * only if asked, so ask for the head moving past ours, then look
	 * once more (a doorbell message kicks this queue).
	 */
	if (ret >= 0 && ret <= cqx->reserved && x->db.shadow)
		ret = vdev_nvme_cq_enable_notify(&cqx->cq, mem, &x->db);
	if (ret > 0 && ret > cqx->reserved)
		cqx->reserved++;
	else if (ret > 0)
		ret = 0;
	spin_unlock(&cqx->lock);
	if (ret <= 0)
		return ret;
	ret = vdev_nvme_sq_pop(&x->sq, mem, &x->db, &x->cmd);
	if (ret <= 0) {
		spin_lock(&cqx->lock);
		cqx->reserved--;
		spin_unlock(&cqx->lock);
		return ret;
	}
	chain->head.id = x->cmd.common.command_id;
	chain->nbufs = 0;
	return 1;
}

static int vdev_nvme_q_push(struct vdev_queue *q, struct vdev_req *req)
{
	struct vdev_nvme_sqx *x = vdev_nvme_sqx_of(q);
	struct vdev_nvme_cqx *cqx = x->cqx;
	struct nvme_completion cqe = {
		.result.u32 = cpu_to_le32(req->nvme.dw0),
		.sq_head = cpu_to_le16(x->sq.head),
		.sq_id = cpu_to_le16(x->sq.qid),
		.command_id = req->nvme.cmd.common.command_id,
		.status = vdev_nvme_cqe_status(req->nvme.status, req->nvme.dnr,
					       false),
	};
	int ret;

	spin_lock(&cqx->lock);
	cqx->reserved--;
	ret = vdev_nvme_cq_post(&cqx->cq, q->gen->mem, x->log, &x->db, &cqe);
	if (!ret)
		cqx->posted = true;
	spin_unlock(&cqx->lock);
	return ret;
}

static int vdev_nvme_q_need_signal(struct vdev_queue *q)
{
	struct vdev_nvme_cqx *cqx = vdev_nvme_sqx_of(q)->cqx;
	bool posted;

	spin_lock(&cqx->lock);
	posted = cqx->posted;
	cqx->posted = false;
	spin_unlock(&cqx->lock);
	return posted && cqx->ien;
}

static int vdev_nvme_q_enable_notify(struct vdev_queue *q)
{
	struct vdev_nvme_sqx *x = vdev_nvme_sqx_of(q);

	return vdev_nvme_sq_enable_notify(&x->sq, q->gen->mem, &x->db);
}

/* Polling needs nothing of the guest: the doorbells are read anyway. */
static void vdev_nvme_q_disable_notify(struct vdev_queue *q)
{
}

static void vdev_nvme_q_take_ctl(struct vdev_queue *q,
				 const struct vdev_mem *log)
{
	struct vdev_nvme_sqx *x = vdev_nvme_sqx_of(q);

	x->log = log;
	x->db = x->db_ctl;
}

const struct vdev_ring_ops vdev_nvme_ring_ops = {
	.set_mem	= vdev_nvme_q_set_mem,
	.pop		= vdev_nvme_q_pop,
	.push		= vdev_nvme_q_push,
	.need_signal	= vdev_nvme_q_need_signal,
	.enable_notify	= vdev_nvme_q_enable_notify,
	.disable_notify	= vdev_nvme_q_disable_notify,
	.take_ctl	= vdev_nvme_q_take_ctl,
};

/* --- queues ------------------------------------------------------------- */

static struct vdev_mem *vdev_nvme_mem(struct vdev_nvme *n)
{
	return rcu_dereference_protected(n->s->mem, 1);
}

/*
 * The doorbells an SQ reads: shadow ones for I/O queues once Doorbell
 * Buffer Config ran. The admin queue keeps the page: Linux never writes
 * the admin queue's shadow doorbells (nvme_dbbuf_init() skips qid 0).
 */
static void vdev_nvme_sqx_db(struct vdev_nvme *n, u16 qid)
{
	struct vdev_nvme_sqx *x = &n->sqx[qid];

	x->db_ctl.page = page_address(n->db_page);
	x->db_ctl.shadow = qid ? n->shadow : 0;
	x->db_ctl.eventidx = qid ? n->eventidx : 0;
}

/* A new queue starts at 0, whatever a deleted one left in the page. */
static void vdev_nvme_db_zero(struct vdev_nvme *n, u32 dword)
{
	__le32 *db = page_address(n->db_page);

	WRITE_ONCE(db[dword], 0);
}

static void vdev_nvme_cqx_init(struct vdev_nvme *n, u16 qid, u64 base,
			       u16 size, u16 vector, bool ien)
{
	struct vdev_nvme_cqx *cqx = &n->cqx[qid];

	vdev_nvme_cq_init(&cqx->cq, qid, base, size);
	cqx->reserved = 0;
	cqx->posted = false;
	cqx->vector = vector;
	cqx->ien = ien;
}

/* The vector's eventfd as the queue's call, a reference of its own. */
static void vdev_nvme_queue_call(struct vdev_nvme *n, struct vdev_queue *q)
{
	struct file *file = n->s->vfu->irq[n->sqx[q->index].cqx->vector];
	struct eventfd_ctx *efd = file ? eventfd_ctx_fileget(file) : NULL;

	if (q->call)
		eventfd_ctx_put(q->call);
	q->call = IS_ERR(efd) ? NULL : efd;
}

/**
 * vdev_nvme_irqs_changed - SET_IRQS changed the vectors' eventfds
 * @s: the session (lock held)
 *
 * Every running queue signals its CQ's vector through the eventfd it has
 * now; the pollers take them before the old ones are put.
 */
void vdev_nvme_irqs_changed(struct vdev_session *s)
{
	struct vdev_nvme *n = vdev_nvme_of(s);
	struct vdev_queue *q;
	u32 i;

	lockdep_assert_held(&s->lock);
	mutex_lock(&n->lock);
	for (i = 0; i < s->nr_queues; i++) {
		q = &s->queues[i];
		if (!q->started)
			continue;
		vdev_nvme_queue_call(n, q);
		vdev_queue_sync(q);
	}
	mutex_unlock(&n->lock);
}

/*
 * Start SQ @qid on its poller. The CQ it completes on is set up. Caller
 * holds n->lock (or, for the admin queue, is the enable sequence).
 */
static int vdev_nvme_sq_start(struct vdev_nvme *n, u16 qid, u64 base,
			      u16 size, u16 cqid)
{
	struct vdev_queue *q = &n->s->queues[qid];
	struct vdev_mem *mem = vdev_nvme_mem(n);
	int ret;

	if (!mem)
		return -EFAULT;
	vdev_nvme_sq_init(&n->sqx[qid].sq, qid, base, size,
			  &n->cqx[cqid].cq);
	n->sqx[qid].cqx = &n->cqx[cqid];
	n->sqx[qid].reported = false;
	vdev_nvme_sqx_db(n, qid);
	q->num = size;
	ret = vdev_nvme_q_set_mem(q, mem);
	if (!ret)
		ret = vdev_queue_prepare_start(q, mem);
	if (ret)
		return ret;
	/* What the last session abandoned must end before anything is fetched. */
	if (n->s->prev)
		vdev_queue_gate(q, &n->s->prev->rings_idle,
				&n->s->prev->drain_wq);
	vdev_nvme_queue_call(n, q);
	q->kick_nofd = n->mapped;
	q->enabled = true;
	q->started = true;
	vdev_queue_attach(q);
	return 0;
}

/*
 * Stop SQ @qid: fetch nothing more and wait for what is in flight,
 * bounded. With @abort (a controller reset), what completes from now on
 * writes nothing to the guest: the host has taken its queues back.
 */
static int vdev_nvme_sq_stop(struct vdev_nvme *n, u16 qid, bool abort)
{
	struct vdev_queue *q = &n->s->queues[qid];
	int ret;

	if (!q->started)
		return 0;
	if (abort) {
		q->abandoned = true;
		vdev_queue_sync(q);
	}
	ret = vdev_session_stop_queue(q, true);
	q->enabled = false;
	q->abandoned = false;
	return ret;
}

/* --- keep alive ---------------------------------------------------------- */

/* (Re)start the Keep Alive Timer, if the host set one. Caller holds n->lock. */
static void vdev_nvme_ka_start(struct vdev_nvme *n)
{
	lockdep_assert_held(&n->lock);
	n->ka_last = jiffies;
	if (n->admin.feat.kato)
		mod_delayed_work(system_wq, &n->ka_work,
				 msecs_to_jiffies(n->admin.feat.kato));
}

/*
 * No Keep Alive within KATO: a Keep Alive Timeout (Base 2.0, 3.9), which
 * for NVMe over PCIe is a controller fatal status: CSTS.CFS, until the
 * host resets the controller. The registers want the session lock; no
 * holder of it waits for this work.
 */
static void vdev_nvme_ka_check(struct work_struct *work)
{
	struct vdev_nvme *n = container_of(to_delayed_work(work),
					   struct vdev_nvme, ka_work);
	struct vdev_session *s = n->s;
	unsigned long due;
	bool expired = false;

	mutex_lock(&s->lock);
	mutex_lock(&n->lock);
	if (!vdev_session_dead(s) && n->enabled && n->admin.feat.kato) {
		due = n->ka_last + msecs_to_jiffies(n->admin.feat.kato);
		expired = time_after(jiffies, due);
		if (!expired)
			mod_delayed_work(system_wq, &n->ka_work, due - jiffies + 1);
	}
	mutex_unlock(&n->lock);
	if (expired) {
		pr_info_ratelimited("vdev: %s: keep alive timeout\n",
				    s->ctrl->name);
		vdev_nvme_regs_fatal(&n->regs);
	}
	mutex_unlock(&s->lock);
}

/* --- enable, reset, doorbells ------------------------------------------- */

/*
 * The controller's state as netlink reports it: running while CSTS.RDY
 * is 1 (the session's status byte says so, as DRIVER_OK does for virtio).
 */
static void vdev_nvme_running(struct vdev_nvme *n, bool running)
{
	WRITE_ONCE(n->s->status, running ? VIRTIO_CONFIG_S_DRIVER_OK : 0);
	vdev_session_state_changed(n->s);
}

/**
 * vdev_nvme_enable - CC.EN went to 1: bring the admin queue up
 * @n: the controller (session lock held)
 *
 * Return: 0 with CSTS.RDY set, or a negative errno with CSTS.CFS set:
 * guest memory does not cover the admin queues, or no poller.
 */
int vdev_nvme_enable(struct vdev_nvme *n)
{
	struct vdev_nvme_regs *r = &n->regs;
	u16 sqs = vdev_nvme_regs_asq_size(r), cqs = vdev_nvme_regs_acq_size(r);
	int ret;

	mutex_lock(&n->lock);
	n->page_shift = vdev_nvme_regs_page_shift(r);
	vdev_nvme_admin_reset(&n->admin);
	vdev_nvme_qtab_set_admin(&n->admin.q, r->asq, sqs, r->acq, cqs);
	vdev_nvme_cqx_init(n, 0, r->acq, cqs, 0, true);
	ret = vdev_nvme_sq_start(n, 0, r->asq, sqs, 0);
	n->enabled = !ret;
	mutex_unlock(&n->lock);
	if (ret) {
		pr_info_ratelimited("vdev: %s: controller enable failed: error %d\n",
				    n->s->ctrl->name, ret);
		vdev_nvme_regs_fatal(r);
		return 0;
	}
	vdev_nvme_regs_ready(r);
	vdev_nvme_running(n, true);
	return 0;
}

/*
 * Stop every queue: the admin queue first and without n->lock, since its
 * commands take it; then the I/O queues under it. A drain that times out
 * ends the session, as a hung GET_VRING_BASE does.
 */
static void vdev_nvme_stop_all(struct vdev_nvme *n)
{
	struct vdev_session *s = n->s;
	int ret;
	u32 i;

	ret = vdev_nvme_sq_stop(n, 0, true);
	mutex_lock(&n->lock);
	for (i = 1; i < s->nr_queues; i++)
		ret = vdev_nvme_sq_stop(n, i, true) ?: ret;
	/* Doorbells reset to 0 (Base 2.0, 3.1.3): the host starts there. */
	memset(page_address(n->db_page), 0, PAGE_SIZE);
	n->enabled = false;
	n->shadow = 0;
	n->eventidx = 0;
	vdev_nvme_admin_reset(&n->admin);
	mutex_unlock(&n->lock);
	if (ret)
		vdev_session_end(s, "an NVMe queue did not drain in time");
}

/**
 * vdev_nvme_disable - CC.EN went to 0, or CC.SHN asked for a shutdown
 * @n: the controller (session lock held)
 * @shutdown: a shutdown: CSTS.SHST says complete; else a controller reset
 */
void vdev_nvme_disable(struct vdev_nvme *n, bool shutdown)
{
	vdev_nvme_running(n, false);
	if (shutdown)
		vdev_nvme_regs_shutdown_busy(&n->regs);
	vdev_nvme_stop_all(n);
	if (shutdown)
		vdev_nvme_regs_shutdown_done(&n->regs);
	else
		vdev_nvme_regs_reset_done(&n->regs);
}

/**
 * vdev_nvme_kick - a doorbell written through REGION_WRITE
 * @n: the controller (session lock held)
 * @qid: the queue
 * @cq: its CQ head doorbell: the SQs waiting for room on it look again
 */
void vdev_nvme_kick(struct vdev_nvme *n, u32 qid, bool cq)
{
	struct vdev_session *s = n->s;
	u32 i;

	if (!cq) {
		if (qid < s->nr_queues && s->queues[qid].started)
			vdev_queue_kick(&s->queues[qid]);
		return;
	}
	for (i = 0; i < s->nr_queues; i++)
		if (s->queues[i].started && n->sqx[i].cqx == &n->cqx[qid])
			vdev_queue_kick(&s->queues[i]);
}

/**
 * vdev_nvme_ctrl_init - the queue and admin state of a new controller
 * @n: the controller
 * @ctrl: what it is made of
 */
void vdev_nvme_ctrl_init(struct vdev_nvme *n, const struct vdev_ctrl *ctrl)
{
	u32 i;

	mutex_init(&n->lock);
	spin_lock_init(&n->err_lock);
	INIT_DELAYED_WORK(&n->ka_work, vdev_nvme_ka_check);
	for (i = 0; i < ARRAY_SIZE(n->cqx); i++)
		spin_lock_init(&n->cqx[i].lock);
	vdev_nvme_admin_init(&n->admin, ctrl->cfg.num_queues, true);
}

/* --- data to and from the host ------------------------------------------ */

/* Walk a command's data pointer into @x->segs: @len bytes. */
static u16 vdev_nvme_walk(struct vdev_req *req, struct vdev_nvme_sqx *x,
			  u32 len, bool sgl, u32 max_len, u32 *nsegs)
{
	const struct nvme_command *cmd = &req->nvme.cmd;
	struct vdev_nvme *n = vdev_nvme_of(req->q->session);
	struct vdev_nvme_dptr d = {
		.mem = req->gen->mem,
		.page_size = 1U << READ_ONCE(n->page_shift),
		.max_len = max_len,
		.segs = x->segs,
		.max_segs = ARRAY_SIZE(x->segs),
	};
	u16 status;

	if (sgl)
		status = vdev_nvme_sgl_walk(&d, &cmd->common.dptr.sgl, len);
	else
		status = vdev_nvme_prp_walk(&d, le64_to_cpu(cmd->common.dptr.prp1),
					    le64_to_cpu(cmd->common.dptr.prp2),
					    len);
	*nsegs = d.nsegs;
	return status;
}

/*
 * Copy @len bytes to (@out) or from the host's buffers; admin commands
 * use PRPs only. Return: 0 or the NVMe status.
 */
static u16 vdev_nvme_xfer(struct vdev_req *req, void *buf, u32 len, bool out)
{
	struct vdev_nvme_sqx *x = vdev_nvme_sqx_of(req->q);
	u32 nsegs, i, done = 0;
	u16 status;
	int err;

	status = vdev_nvme_walk(req, x, len, false, 0, &nsegs);
	for (i = 0; !status && i < nsegs; i++) {
		err = out ? vdev_req_write(req, x->segs[i].gpa, buf + done,
					   x->segs[i].len) :
			    vdev_mem_read(req->gen->mem, x->segs[i].gpa,
					  buf + done, x->segs[i].len);
		if (err)
			status = NVME_SC_DATA_XFER_ERROR;
		done += x->segs[i].len;
	}
	return status;
}

/* --- the error log ------------------------------------------------------ */

/*
 * A failed command's entry in the Error Information log (Base 2.0,
 * 5.16.1.2), from the admin work or a queue's poller: under err_lock.
 */
static void vdev_nvme_error_log(const struct vdev_req *req)
{
	struct vdev_nvme *n = vdev_nvme_of(req->q->session);
	const struct nvme_command *cmd = &req->nvme.cmd;
	struct vdev_nvme_error e = {
		.sqid = req->q->index,
		.cid = cmd->common.command_id,
		.status = (req->nvme.status & ~NVME_STATUS_DNR) |
			  (req->nvme.dnr ? NVME_STATUS_DNR : 0),
		.loc = 0xffff,
		.nsid = le32_to_cpu(cmd->common.nsid),
	};

	if (req->q->index && (cmd->common.opcode == nvme_cmd_read ||
			      cmd->common.opcode == nvme_cmd_write))
		e.lba = le64_to_cpu(cmd->rw.slba);
	spin_lock(&n->err_lock);
	vdev_nvme_error_record(&n->admin, &e);
	spin_unlock(&n->err_lock);
}

/* --- admin commands (process context, n->lock held) --------------------- */

static u32 vdev_nvme_nsid(const struct vdev_req *req)
{
	return le32_to_cpu(req->nvme.cmd.common.nsid);
}

/* The NSIDs of the attached namespaces above @start, ascending. */
static unsigned int vdev_nvme_active_nsids(struct vdev_ctrl *ctrl, u32 *nsids,
					   u32 start)
{
	unsigned long nsid = (unsigned long)start + 1;
	unsigned int nr = 0;
	void *entry;

	rcu_read_lock();
	xa_for_each_start(&ctrl->ns, nsid, entry, nsid) {
		if (nr == VDEV_NVME_NS_LIST_MAX)
			break;
		nsids[nr++] = nsid;
	}
	rcu_read_unlock();
	return nr;
}

static u16 vdev_nvme_id_ctrl_build(struct vdev_req *req, void *buf)
{
	const struct vdev_ctrl *ctrl = req->q->session->ctrl;
	struct vdev_nvme_id_cfg cfg = {
		.name = ctrl->name,
		.serial = "",
		.cntlid = VDEV_NVME_CNTLID,
		.max_xfer = VDEV_NVME_MAX_XFER,
		.max_cmd = ctrl->cfg.queue_size,
		.nn = VDEV_MAX_NSID,
		.write_cache = true,
	};

	return vdev_nvme_id_ctrl(buf, &cfg);
}

/* CNS 00h and 03h: a namespace; an inactive one is all zeroes (00h). */
static u16 vdev_nvme_id_ns_build(struct vdev_req *req, void *buf, u8 cns)
{
	struct vdev_ctrl *ctrl = req->q->session->ctrl;
	u32 nsid = vdev_nvme_nsid(req);
	struct vdev_ns *ns;
	u16 status;

	if (!nsid || nsid > VDEV_MAX_NSID)
		return NVME_SC_INVALID_NS;
	ns = vdev_ns_lookup(ctrl, nsid);
	if (!ns)
		return cns == NVME_ID_CNS_NS ? 0 : NVME_SC_INVALID_FIELD;
	if (cns == NVME_ID_CNS_NS)
		status = vdev_nvme_id_ns(buf, ns->priv);
	else
		status = vdev_nvme_id_ns_desc_list(buf, ns->priv);
	vdev_ns_put(ns);
	return status;
}

/* CNS 02h: the attached NSIDs above the command's. */
static u16 vdev_nvme_id_active(struct vdev_req *req, void *buf)
{
	u32 start = vdev_nvme_nsid(req), *nsids;
	unsigned int nr;
	u16 status;

	nsids = kcalloc(VDEV_NVME_NS_LIST_MAX, sizeof(*nsids), GFP_KERNEL);
	if (!nsids)
		return NVME_SC_INTERNAL;
	nr = vdev_nvme_active_nsids(req->q->session->ctrl, nsids, start);
	status = vdev_nvme_id_active_ns_list(buf, nsids, nr, start);
	kfree(nsids);
	return status;
}

static u16 vdev_nvme_identify(struct vdev_nvme *n, struct vdev_req *req)
{
	u8 cns = req->nvme.cmd.identify.cns;
	u8 csi = req->nvme.cmd.identify.csi;
	void *buf;
	u16 status;

	buf = kzalloc(VDEV_NVME_ID_SIZE, GFP_KERNEL);
	if (!buf)
		return NVME_SC_INTERNAL;
	switch (cns) {
	case NVME_ID_CNS_CTRL:
		status = vdev_nvme_id_ctrl_build(req, buf);
		break;
	case NVME_ID_CNS_NS:
	case NVME_ID_CNS_NS_DESC_LIST:
		status = vdev_nvme_id_ns_build(req, buf, cns);
		break;
	case NVME_ID_CNS_NS_ACTIVE_LIST:
		status = vdev_nvme_id_active(req, buf);
		break;
	case NVME_ID_CNS_CS_CTRL:
		status = vdev_nvme_id_cs_ctrl(buf, csi);
		break;
	case NVME_ID_CNS_CS_NS:
		status = vdev_nvme_id_cs_ns(buf, csi);
		break;
	default:
		status = NVME_SC_INVALID_FIELD;
	}
	if (!status)
		status = vdev_nvme_xfer(req, buf, VDEV_NVME_ID_SIZE, true);
	kfree(buf);
	return status;
}

static struct vdev_nvme_qcfg vdev_nvme_qcfg_of(struct vdev_nvme *n)
{
	u32 cc = n->regs.cc;

	return (struct vdev_nvme_qcfg) {
		.mqes = n->s->ctrl->cfg.queue_size - 1,
		.mps = n->page_shift - 12,
		.iosqes = (cc >> NVME_CC_IOSQES_SHIFT) & 0xf,
		.iocqes = (cc >> NVME_CC_IOCQES_SHIFT) & 0xf,
	};
}

/* A queue the host places outside the memory it mapped for us. */
static bool vdev_nvme_queue_mapped(struct vdev_nvme *n, u64 base, u32 bytes)
{
	struct vdev_mem *mem = vdev_nvme_mem(n);

	return mem && !vdev_mem_check(mem, base, bytes);
}

static u16 vdev_nvme_create_cq(struct vdev_nvme *n, struct vdev_req *req)
{
	struct vdev_nvme_qcfg qc = vdev_nvme_qcfg_of(n);
	struct vdev_nvme_qdesc d;
	u16 status;

	status = vdev_nvme_create_cq_check(&n->admin.q, &qc, &req->nvme.cmd, &d);
	if (status)
		return status;
	if (!vdev_nvme_queue_mapped(n, d.base, d.size * VDEV_NVME_CQE_SIZE))
		return NVME_SC_INVALID_FIELD;
	vdev_nvme_create_cq_apply(&n->admin.q, &d);
	vdev_nvme_db_zero(n, 2 * d.qid + 1);
	vdev_nvme_cqx_init(n, d.qid, d.base, d.size, d.vector, d.ien);
	return 0;
}

static u16 vdev_nvme_create_sq(struct vdev_nvme *n, struct vdev_req *req)
{
	struct vdev_nvme_qcfg qc = vdev_nvme_qcfg_of(n);
	struct vdev_nvme_qdesc d;
	u16 status;
	int ret;

	status = vdev_nvme_create_sq_check(&n->admin.q, &qc, &req->nvme.cmd, &d);
	if (status)
		return status;
	if (!vdev_nvme_queue_mapped(n, d.base, d.size * VDEV_NVME_SQE_SIZE))
		return NVME_SC_INVALID_FIELD;
	vdev_nvme_db_zero(n, 2 * d.qid);
	ret = vdev_nvme_sq_start(n, d.qid, d.base, d.size, d.cqid);
	if (ret) {
		pr_info_ratelimited("vdev: %s: I/O queue %u did not start: error %d\n",
				    n->s->ctrl->name, d.qid, ret);
		return NVME_SC_INTERNAL;
	}
	vdev_nvme_create_sq_apply(&n->admin.q, &d);
	return 0;
}

/* Its commands complete first, on its CQ: the host may reap them. */
static u16 vdev_nvme_delete_sq(struct vdev_nvme *n, struct vdev_req *req)
{
	u16 status, qid;

	status = vdev_nvme_delete_sq_check(&n->admin.q, &req->nvme.cmd, &qid);
	if (status)
		return status;
	if (vdev_nvme_sq_stop(n, qid, false)) {
		vdev_session_end(n->s, "an NVMe queue did not drain in time");
		return NVME_SC_INTERNAL;
	}
	vdev_nvme_delete_sq_apply(&n->admin.q, qid);
	return 0;
}

static u16 vdev_nvme_delete_cq(struct vdev_nvme *n, struct vdev_req *req)
{
	u16 status, qid;

	status = vdev_nvme_delete_cq_check(&n->admin.q, &req->nvme.cmd, &qid);
	if (!status)
		vdev_nvme_delete_cq_apply(&n->admin.q, qid);
	return status;
}

static bool vdev_nvme_req_is_cid(const struct vdev_req *req, const void *cid)
{
	return req->nvme.cmd.common.command_id == *(const u16 *)cid;
}

/* The parked AER with command id @cid: the guest chose the ids. */
static struct vdev_req *vdev_nvme_aer_take(struct vdev_nvme *n, u16 cid)
{
	return vdev_req_unpark_match(&n->s->queues[0], vdev_nvme_req_is_cid,
				     &cid);
}

/*
 * Pair outstanding Asynchronous Event Requests with pending events. The
 * requests wait parked on the admin queue; the event bookkeeping says
 * which command id completes.
 */
static void vdev_nvme_aer_deliver(struct vdev_nvme *n)
{
	struct vdev_req *req;
	u16 cid;
	u32 dw0;

	lockdep_assert_held(&n->lock);
	while (vdev_nvme_aer_next(&n->admin.aer, &cid, &dw0)) {
		req = vdev_nvme_aer_take(n, cid);
		if (!req)
			continue;
		req->nvme.dw0 = dw0;
		vdev_req_end(req);
	}
}

static bool vdev_nvme_ns_active(struct vdev_nvme *n, u32 nsid)
{
	struct vdev_ns *ns;

	if (!nsid || nsid > VDEV_MAX_NSID)
		return false;
	ns = vdev_ns_lookup(n->s->ctrl, nsid);
	if (ns)
		vdev_ns_put(ns);
	return ns;
}

static u16 vdev_nvme_features(struct vdev_nvme *n, struct vdev_req *req,
			      bool set)
{
	bool active = vdev_nvme_ns_active(n, vdev_nvme_nsid(req));

	u16 status;

	if (!set)
		return vdev_nvme_get_features(&n->admin, &req->nvme.cmd,
					      active, &req->nvme.dw0);
	status = vdev_nvme_set_features(&n->admin, &req->nvme.cmd, active,
					&req->nvme.dw0);
	/* A new threshold or configuration may raise or unmask an event. */
	vdev_nvme_aer_deliver(n);
	if (!status && (le32_to_cpu(req->nvme.cmd.common.cdw10) & 0xff) ==
		       NVME_FEAT_KATO)
		vdev_nvme_ka_start(n);
	return status;
}

/* What the SMART log counts, from the queues' statistics. */
static void vdev_nvme_smart_fill(struct vdev_nvme *n,
				 struct vdev_nvme_smart *smart)
{
	const struct vdev_queue_stats *st;
	u32 i;

	memset(smart, 0, sizeof(*smart));
	for (i = 1; i < n->s->nr_queues; i++) {
		st = &n->s->queues[i].stats;
		smart->sectors_read += READ_ONCE(st->bytes[VDEV_STAT_READ]) >>
				       SECTOR_SHIFT;
		smart->sectors_written +=
			READ_ONCE(st->bytes[VDEV_STAT_WRITE]) >> SECTOR_SHIFT;
		smart->host_reads += READ_ONCE(st->reqs[VDEV_STAT_READ]);
		smart->host_writes += READ_ONCE(st->reqs[VDEV_STAT_WRITE]);
		smart->media_errors += READ_ONCE(st->errors);
	}
}

static u16 vdev_nvme_get_log(struct vdev_nvme *n, struct vdev_req *req)
{
	struct vdev_nvme_smart smart;
	struct vdev_nvme_log_req lr;
	void *log, *out;
	u32 size;
	u16 status;

	status = vdev_nvme_log_decode(&req->nvme.cmd, &lr);
	if (status)
		return status;
	if (lr.len > VDEV_NVME_MAX_XFER)
		return NVME_SC_INVALID_FIELD;
	vdev_nvme_smart_fill(n, &smart);
	log = kzalloc(VDEV_NVME_LOG_MAX, GFP_KERNEL);
	out = kzalloc(lr.len, GFP_KERNEL);
	status = NVME_SC_INTERNAL;
	if (log && out) {
		spin_lock(&n->err_lock);
		status = vdev_nvme_log_build(&n->admin, &smart, &lr, log, &size);
		spin_unlock(&n->err_lock);
	}
	if (!status) {
		vdev_nvme_log_copy(out, lr.len, log, size, lr.off);
		status = vdev_nvme_xfer(req, out, lr.len, true);
	}
	if (!status)
		vdev_nvme_log_done(&n->admin, &lr);
	kfree(out);
	kfree(log);
	return status;
}

/* Return: 0 parked (completes with an event), or the error status. */
static u16 vdev_nvme_aer(struct vdev_nvme *n, struct vdev_req *req)
{
	u16 status;

	status = vdev_nvme_aer_submit(&n->admin.aer,
				      req->nvme.cmd.common.command_id);
	if (status)
		return status;
	vdev_req_park(req);
	vdev_nvme_aer_deliver(n);
	return 0;
}

/*
 * Aborting an outstanding AER completes it with Command Abort Requested;
 * nothing else is aborted (the bookkeeping answers "not aborted").
 */
static u16 vdev_nvme_abort(struct vdev_nvme *n, struct vdev_req *req)
{
	struct vdev_req *aer;
	bool aer_aborted;
	u16 status, cid;

	status = vdev_nvme_abort_begin(&n->admin, &req->nvme.cmd,
				       &req->nvme.dw0, &aer_aborted, &cid);
	if (status)
		return status;
	if (aer_aborted) {
		aer = vdev_nvme_aer_take(n, cid);
		if (aer) {
			aer->nvme.status = NVME_SC_ABORT_REQ;
			vdev_req_end(aer);
		}
	}
	/* It completes at once: the abort is no longer outstanding. */
	vdev_nvme_abort_end(&n->admin);
	return 0;
}

/* I/O queues from now on read their doorbells from host memory. */
static u16 vdev_nvme_dbbuf(struct vdev_nvme *n, struct vdev_req *req)
{
	struct vdev_session *s = n->s;
	u64 shadow, eventidx;
	u16 status;
	u32 i;

	status = vdev_nvme_dbbuf_check(&req->nvme.cmd, n->page_shift - 12,
				       &shadow, &eventidx);
	if (status)
		return status;
	if (!vdev_nvme_queue_mapped(n, shadow, 1U << n->page_shift) ||
	    !vdev_nvme_queue_mapped(n, eventidx, 1U << n->page_shift))
		return NVME_SC_INVALID_FIELD;
	n->shadow = shadow;
	n->eventidx = eventidx;
	for (i = 1; i < s->nr_queues; i++) {
		if (!s->queues[i].started)
			continue;
		vdev_nvme_sqx_db(n, i);
		vdev_queue_sync(&s->queues[i]);
	}
	return 0;
}

static u16 vdev_nvme_admin_run(struct vdev_nvme *n, struct vdev_req *req,
			       const struct vdev_nvme_admin_op *op)
{
	switch (op->handler) {
	case VDEV_NVME_ADM_IDENTIFY:
		return vdev_nvme_identify(n, req);
	case VDEV_NVME_ADM_CREATE_CQ:
		return vdev_nvme_create_cq(n, req);
	case VDEV_NVME_ADM_CREATE_SQ:
		return vdev_nvme_create_sq(n, req);
	case VDEV_NVME_ADM_DELETE_SQ:
		return vdev_nvme_delete_sq(n, req);
	case VDEV_NVME_ADM_DELETE_CQ:
		return vdev_nvme_delete_cq(n, req);
	case VDEV_NVME_ADM_GET_FEAT:
		return vdev_nvme_features(n, req, false);
	case VDEV_NVME_ADM_SET_FEAT:
		return vdev_nvme_features(n, req, true);
	case VDEV_NVME_ADM_GET_LOG:
		return vdev_nvme_get_log(n, req);
	case VDEV_NVME_ADM_AER:
		return vdev_nvme_aer(n, req);
	case VDEV_NVME_ADM_ABORT:
		return vdev_nvme_abort(n, req);
	case VDEV_NVME_ADM_DBBUF:
		return vdev_nvme_dbbuf(n, req);
	case VDEV_NVME_ADM_KEEP_ALIVE:
		vdev_nvme_ka_start(n);
		return 0;
	}
	return NVME_SC_INVALID_OPCODE;
}

/*
 * An admin command, in process context: creating and deleting queues
 * attaches them to pollers and waits for drains, which no poller can do
 * for itself.
 */
static void vdev_nvme_admin_work(struct work_struct *work)
{
	struct vdev_req *req = container_of(work, struct vdev_req, work);
	struct vdev_nvme *n = vdev_nvme_of(req->q->session);
	struct vdev_nvme_admin_op op;
	u16 status;

	status = vdev_nvme_admin_decode(&req->nvme.cmd, &op);
	if (!status) {
		mutex_lock(&n->lock);
		status = vdev_nvme_admin_run(n, req, &op);
		mutex_unlock(&n->lock);
	}
	req->nvme.status = status;
	req->nvme.dnr = status && status != NVME_SC_INTERNAL;
	if (status)
		vdev_nvme_error_log(req);
	vdev_req_end(req);
}

/* --- I/O commands (the queue's poller) ---------------------------------- */

static struct vdev_nvme_io_limits vdev_nvme_io_limits(void)
{
	struct vdev_nvme_io_limits lim = { .nn = VDEV_MAX_NSID };

	vdev_nvme_id_mdts(VDEV_NVME_MAX_XFER, &lim.mdts);
	return lim;
}

/* Only a failed allocation may go better next time. */
static void vdev_nvme_fail(struct vdev_req *req, u16 status)
{
	req->nvme.status = status;
	req->nvme.dnr = status != NVME_SC_INTERNAL;
	req->status = status == NVME_SC_INVALID_OPCODE ? VIRTIO_BLK_S_UNSUPP :
							  VIRTIO_BLK_S_IOERR;
}

/* Reads and writes: bios straight on the guest's pages. */
static void vdev_nvme_rw(struct vdev_req *req, const struct vdev_nvme_io *io,
			 struct block_device *bdev)
{
	struct vdev_nvme *n = vdev_nvme_of(req->q->session);
	struct vdev_nvme_sqx *x = vdev_nvme_sqx_of(req->q);
	bool write = io->op == VDEV_NVME_IO_WRITE;
	blk_opf_t opf = write ? REQ_OP_WRITE | REQ_SYNC | REQ_IDLE :
				REQ_OP_READ;
	struct vdev_vring_buf *bufs = req->q->bufs;
	u32 nsegs, i;
	u16 status;

	req->stat = write ? VDEV_STAT_WRITE : VDEV_STAT_READ;
	req->bytes = io->len;
	status = vdev_nvme_walk(req, x, io->len, io->sgl, 0, &nsegs);
	if (status) {
		vdev_nvme_fail(req, status);
		return;
	}
	for (i = 0; i < nsegs; i++)
		bufs[i] = (struct vdev_vring_buf) {
			.gpa = x->segs[i].gpa,
			.len = x->segs[i].len,
			.write = !write,
		};
	/*
	 * FUA, or the cache switched off by the host: the write goes through
	 * it. A read's FUA asks for what is on media, which is what a read
	 * after the writes' completions returns: nothing to add.
	 */
	if (write && (io->fua || (!READ_ONCE(n->admin.feat.wce) &&
				  bdev_write_cache(bdev))))
		opf |= REQ_FUA;
	if (vdev_bio_submit_rw(req, bdev, opf, io->sector, bufs, nsegs))
		vdev_nvme_fail(req, NVME_SC_DATA_XFER_ERROR);
}

/* Write Zeroes and deallocation, in process context: they may sleep. */
static void vdev_nvme_zeroes_work(struct work_struct *work)
{
	struct vdev_req *req = container_of(work, struct vdev_req, work);
	struct block_device *bdev = vdev_ns_bdev(req->ns);
	unsigned int flags = req->flags ? 0 : BLKDEV_ZERO_NOUNMAP;
	int ret;

	ret = blkdev_issue_zeroout(bdev, req->sector, req->nseg, GFP_KERNEL,
				   flags);
	/* FUA: the zeroes on stable media before the completion. */
	if (!ret && req->nvme.fua)
		ret = blkdev_issue_flush(bdev);
	if (ret)
		vdev_nvme_fail(req, ret == -EOPNOTSUPP ? NVME_SC_INVALID_FIELD :
							 NVME_SC_WRITE_FAULT);
	vdev_req_end(req);
}

/* Each range checked before any is discarded: all or none. */
static void vdev_nvme_dsm_work(struct work_struct *work)
{
	struct vdev_req *req = container_of(work, struct vdev_req, work);
	struct nvme_dsm_range *ranges = req->nvme.ranges;
	struct vdev_ns *ns = req->ns;
	u64 sector, nr;
	u16 status = 0;
	u32 i;
	int ret;

	for (i = 0; i < req->nseg && !status; i++)
		status = vdev_nvme_dsm_range(&ranges[i], ns->priv, &sector, &nr);
	for (i = 0; i < req->nseg && !status; i++) {
		vdev_nvme_dsm_range(&ranges[i], ns->priv, &sector, &nr);
		ret = nr ? blkdev_issue_discard(vdev_ns_bdev(ns), sector, nr,
						GFP_KERNEL) : 0;
		if (ret && ret != -EOPNOTSUPP)
			status = NVME_SC_WRITE_FAULT;
	}
	kfree(ranges);
	req->nvme.ranges = NULL;
	if (status)
		vdev_nvme_fail(req, status);
	vdev_req_end(req);
}

/* Dataset Management: its ranges come from the host now, on the poller. */
static void vdev_nvme_dsm(struct vdev_req *req, const struct vdev_nvme_io *io)
{
	u32 len = io->nr_ranges * sizeof(struct nvme_dsm_range);
	u16 status;

	req->stat = VDEV_STAT_DISCARD;
	req->nvme.ranges = kmalloc(len, GFP_KERNEL);
	if (!req->nvme.ranges) {
		vdev_nvme_fail(req, NVME_SC_INTERNAL);
		return;
	}
	status = vdev_nvme_xfer(req, req->nvme.ranges, len, false);
	if (status) {
		kfree(req->nvme.ranges);
		req->nvme.ranges = NULL;
		vdev_nvme_fail(req, status);
		return;
	}
	req->nseg = io->nr_ranges;
	vdev_req_slow(req, vdev_nvme_dsm_work);
}

static void vdev_nvme_io_execute(struct vdev_req *req)
{
	struct vdev_nvme_io_limits lim = vdev_nvme_io_limits();
	u32 nsid = vdev_nvme_nsid(req);
	struct vdev_nvme_io io;
	u16 status;

	if (nsid && nsid <= VDEV_MAX_NSID)
		req->ns = vdev_ns_lookup(req->q->session->ctrl, nsid);
	status = vdev_nvme_io_parse(&req->nvme.cmd,
				    req->ns ? req->ns->priv : NULL, &lim, &io);
	req->nvme.op = io.op;
	if (status) {
		vdev_nvme_fail(req, status);
		return;
	}
	switch (io.op) {
	case VDEV_NVME_IO_READ:
	case VDEV_NVME_IO_WRITE:
		vdev_nvme_rw(req, &io, vdev_ns_bdev(req->ns));
		break;
	case VDEV_NVME_IO_FLUSH:
		req->stat = VDEV_STAT_FLUSH;
		vdev_bio_submit_flush(req, vdev_ns_bdev(req->ns));
		break;
	case VDEV_NVME_IO_WRITE_ZEROES:
		req->stat = VDEV_STAT_WRITE_ZEROES;
		req->sector = io.sector;
		req->nseg = io.nr_sectors;
		req->flags = io.unmap;
		req->nvme.fua = io.fua;
		vdev_req_slow(req, vdev_nvme_zeroes_work);
		break;
	case VDEV_NVME_IO_DEALLOCATE:
		vdev_nvme_dsm(req, &io);
		break;
	default:
		break;
	}
}

/**
 * vdev_nvme_req_execute - start a fetched command
 * @req: the request
 * @chain: unused: the command is the queue's just fetched one
 */
void vdev_nvme_req_execute(struct vdev_req *req, struct vdev_vring_chain *chain)
{
	req->nvme.cmd = vdev_nvme_sqx_of(req->q)->cmd;
	req->nvme.dw0 = 0;
	req->nvme.status = 0;
	req->nvme.dnr = false;
	req->nvme.op = VDEV_NVME_IO_NONE;
	req->nvme.ranges = NULL;
	if (!req->q->index)
		vdev_req_slow(req, vdev_nvme_admin_work);
	else
		vdev_nvme_io_execute(req);
}

/**
 * vdev_nvme_req_complete - a reaped command's status, from its bios
 * @req: the request
 * @write_ok: unused: the engine's push writes the completion entry
 */
void vdev_nvme_req_complete(struct vdev_req *req, bool write_ok)
{
	if (req->bio_status && !req->nvme.status)
		req->nvme.status = vdev_nvme_blk_status(req->bio_status,
							req->nvme.op,
							&req->nvme.dnr);
	/* Admin commands logged theirs in process context. */
	if (req->nvme.status && req->q->index)
		vdev_nvme_error_log(req);
	kfree(req->nvme.ranges);
	req->nvme.ranges = NULL;
}

/**
 * vdev_nvme_ctrl_exit - what the controller's state holds, at session free
 * @n: the controller; no lock held, nothing runs on its queues
 */
void vdev_nvme_ctrl_exit(struct vdev_nvme *n)
{
	cancel_delayed_work_sync(&n->ka_work);
}

u32 vdev_nvme_chain_max(const struct vdev_ctrl *ctrl)
{
	return VDEV_NVME_MAX_SEGS;
}

/**
 * vdev_nvme_session_state - the session's state work: report broken queues
 * @s: the session; process context, no lock held
 *
 * A queue the engine stopped for a doorbell value past its end raises
 * an Invalid Doorbell Write Value error event (Base 2.0, 5.2), once per
 * break; the host resets the controller to recover.
 */
void vdev_nvme_session_state(struct vdev_session *s)
{
	struct vdev_nvme *n = vdev_nvme_of(s);
	struct vdev_queue *q;
	u32 i;

	mutex_lock(&n->lock);
	for (i = 0; n->enabled && i < s->nr_queues; i++) {
		q = &s->queues[i];
		if (!q->started || !READ_ONCE(q->broken) || n->sqx[i].reported)
			continue;
		n->sqx[i].reported = true;
		/* broken_err was set before broken. */
		smp_rmb();
		if (q->broken_err != -EPROTO)
			continue;
		vdev_nvme_event_raise(&n->admin, VDEV_NVME_EV_DOORBELL);
	}
	vdev_nvme_aer_deliver(n);
	mutex_unlock(&n->lock);
}

/* --- namespaces --------------------------------------------------------- */

/* What Identify and the I/O commands read of a namespace, made once. */
int vdev_nvme_ns_init(struct vdev_ns *ns)
{
	struct vdev_nvme_ns_info *info = kzalloc(sizeof(*info), GFP_KERNEL);

	if (!info)
		return -ENOMEM;
	vdev_nvme_ns_info_get(ns, info);
	ns->priv = info;
	return 0;
}

/*
 * A new capacity is a namespace attribute change (Base 2.0, 5.27.1.7).
 * The poller reads nr_blocks without a lock: one aligned u64 store.
 */
void vdev_nvme_ns_resized(struct vdev_ns *ns)
{
	struct vdev_nvme_ns_info *info = ns->priv, fresh;

	vdev_nvme_ns_info_get(ns, &fresh);
	if (fresh.nr_blocks == info->nr_blocks)
		return;
	WRITE_ONCE(info->nr_blocks, fresh.nr_blocks);
	vdev_nvme_ns_event(ns, true);
}

void vdev_nvme_ns_free(struct vdev_ns *ns)
{
	kfree(ns->priv);
	ns->priv = NULL;
}

/**
 * vdev_nvme_ns_event - a namespace came or went: tell the guest
 * @ns: the namespace (vdev_lock held)
 * @added: it was added, else removed
 *
 * A Namespace Attribute Changed event, with @ns's NSID in the Changed
 * Namespace List, for the live session's enabled controller.
 */
void vdev_nvme_ns_event(struct vdev_ns *ns, bool added)
{
	struct vdev_session *s = ns->ctrl->session;
	struct vdev_nvme *n;

	lockdep_assert_held(&vdev_lock);
	if (!s || vdev_session_dead(s) || !s->dev)
		return;
	n = vdev_nvme_of(s);
	mutex_lock(&n->lock);
	if (n->enabled) {
		vdev_nvme_ns_changed(&n->admin, ns->addr.nsid);
		vdev_nvme_aer_deliver(n);
	}
	mutex_unlock(&n->lock);
}
