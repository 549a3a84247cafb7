// SPDX-License-Identifier: GPL-2.0
/*
 * Pollers: kthreads that fetch descriptor chains from the rings they serve,
 * hand them to the device type, and give completed ones back.
 *
 * Modelled on io_uring's SQPOLL thread, with vhost's wake pattern: at most
 * one poller per CPU, each serving queues of any controller. A queue has
 * one poller, which is the only writer of its ring, its requests and its
 * memory generations: the data path takes no lock. The control path talks
 * to a poller through commands (ATTACH, SYNC, STOP) on an llist, and waits
 * for them; a command is taken within one iteration.
 *
 * Polling modes, per controller: "always" keeps notifications off and
 * never sleeps while it serves such a queue; "adaptive" polls while work
 * arrives and, after poll-idle-us without any, turns notifications on and
 * sleeps; "never" leaves notifications on and fetches only after a kick.
 */
#include <linux/blkdev.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/virtio_blk.h>

#include "mem.h"
#include "poller.h"

/**
 * struct vdev_poller - a polling kthread
 * @task: the thread, on @cpu
 * @cpu: where it runs
 * @queues: queues it serves (poller only)
 * @nr_queues: queues assigned to it (vdev_poller_lock)
 * @cmds: commands from the control path
 * @sleeping: set before the last re-check, read by wakers
 */
struct vdev_poller {
	struct task_struct *task;
	int cpu;
	struct list_head queues;
	u32 nr_queues;
	struct llist_head cmds;
	bool sleeping;
};

enum vdev_cmd_op {
	VDEV_CMD_ATTACH,
	VDEV_CMD_SYNC,
	VDEV_CMD_STOP,
	VDEV_CMD_BARRIER,
};

/**
 * struct vdev_cmd - a command to a poller; on the control path's stack
 * @node: in poller->cmds
 * @op: what to do; BARRIER does nothing: taken, it says the poller
 *	finished the pass before
 * @q: to which queue (none for BARRIER)
 * @done: completed once the poller took it
 */
struct vdev_cmd {
	struct llist_node node;
	enum vdev_cmd_op op;
	struct vdev_queue *q;
	struct completion done;
};

/* Guards vdev_pollers and each poller's nr_queues. */
static DEFINE_MUTEX(vdev_poller_lock);
static struct vdev_poller **vdev_pollers;

static bool vdev_queue_mode(const struct vdev_queue *q, enum vdev_poll_mode m)
{
	return q->session->ctrl->cfg.poll_mode == m;
}

/* --- memory generations ------------------------------------------------- */

struct vdev_mem_gen *vdev_mem_gen_alloc(struct vdev_mem *mem)
{
	struct vdev_mem_gen *gen = kzalloc(sizeof(*gen), GFP_KERNEL);

	if (!gen)
		return NULL;
	vdev_mem_get(mem);
	gen->mem = mem;
	INIT_LIST_HEAD(&gen->node);
	return gen;
}

void vdev_mem_gen_free(struct vdev_mem_gen *gen)
{
	if (!gen)
		return;
	vdev_mem_put(gen->mem);
	kfree(gen);
}

/* The poller makes @gen current; the old one goes when it is idle. */
static void vdev_queue_set_gen(struct vdev_queue *q, struct vdev_mem_gen *gen)
{
	struct vdev_mem_gen *old = q->gen;

	q->gen = gen;
	q->parked = q->rops->set_mem(q, gen->mem) != 0;
	if (old->inflight)
		list_add_tail(&old->node, &q->old_gens);
	else
		vdev_mem_gen_free(old);
}

static void vdev_gen_put_req(struct vdev_queue *q, struct vdev_mem_gen *gen)
{
	if (--gen->inflight || gen == q->gen)
		return;
	list_del(&gen->node);
	vdev_mem_gen_free(gen);
}

/* --- requests ----------------------------------------------------------- */

/**
 * vdev_req_end - drop one reference of a request's bios
 * @req: the request
 *
 * Any context. The last one queues it for its poller to reap.
 */
void vdev_req_end(struct vdev_req *req)
{
	struct vdev_poller *p;

	if (!atomic_dec_and_test(&req->remaining))
		return;
	p = req->q->poller;
	/* llist_add() is fully ordered: pairs with the sleeper's barrier. */
	llist_add(&req->done_node, &req->q->done);
	if (READ_ONCE(p->sleeping))
		wake_up_process(p->task);
}

static void vdev_queue_stat(struct vdev_queue *q, const struct vdev_req *req)
{
	struct vdev_queue_stats *st = &q->stats;

	u64_stats_update_begin(&st->sync);
	st->reqs[req->stat]++;
	st->bytes[req->stat] += req->bytes;
	if (req->status == VIRTIO_BLK_S_IOERR)
		st->errors++;
	else if (req->status == VIRTIO_BLK_S_UNSUPP)
		st->unsupported++;
	u64_stats_update_end(&st->sync);
}

/**
 * vdev_req_log - put a write into a request's guest buffers in the dirty log
 * @req: the request
 * @gpa: guest-physical start of what was written
 * @len: bytes
 *
 * Any context; after the write, before the used entry. Nothing while no
 * log is on.
 */
void vdev_req_log(struct vdev_req *req, u64 gpa, u64 len)
{
	const struct vdev_mem *log;

	rcu_read_lock();
	log = rcu_dereference(req->q->session->dirty_log);
	if (log) {
		/* The data before its bit: see vdev_log_mark(). */
		smp_wmb();
		vdev_log_mark(log, gpa, len);
	}
	rcu_read_unlock();
}

/**
 * vdev_req_write - copy bytes into a request's guest buffers, logged
 * @req: the request; its memory generation translates @gpa
 * @gpa: guest-physical start
 * @buf: the bytes
 * @len: how many
 *
 * Return: as vdev_mem_write(); on an error nothing is logged.
 */
int vdev_req_write(struct vdev_req *req, u64 gpa, const void *buf, size_t len)
{
	int ret = vdev_mem_write(req->gen->mem, gpa, buf, len);

	if (!ret)
		vdev_req_log(req, gpa, len);
	return ret;
}

/* --- the virtio ring engine -------------------------------------------- */

static int vdev_vring_q_set_mem(struct vdev_queue *q, const struct vdev_mem *mem)
{
	return vdev_vring_set_mem(&q->vr, mem);
}

static int vdev_vring_q_pop(struct vdev_queue *q, struct vdev_vring_chain *chain)
{
	return vdev_vring_pop(&q->vr, chain);
}

/* The status byte (the type's response is written already), then used. */
static int vdev_vring_q_push(struct vdev_queue *q, struct vdev_req *req)
{
	if (req->status_gpa)
		vdev_req_write(req, req->status_gpa, &req->status, 1);
	return vdev_vring_push(&q->vr, req->head, req->written);
}

static int vdev_vring_q_need_signal(struct vdev_queue *q)
{
	return vdev_vring_need_signal(&q->vr);
}

static int vdev_vring_q_enable_notify(struct vdev_queue *q)
{
	return vdev_vring_enable_notify(&q->vr);
}

static void vdev_vring_q_disable_notify(struct vdev_queue *q)
{
	vdev_vring_disable_notify(&q->vr);
}

/* VHOST_VRING_F_LOG: the used area is logged at the ring's log address. */
static void vdev_vring_q_take_ctl(struct vdev_queue *q,
				  const struct vdev_mem *log)
{
	q->vr.log = q->log_used ? log : NULL;
	q->vr.log_used = q->log_addr;
}

const struct vdev_ring_ops vdev_vring_ops = {
	.set_mem	= vdev_vring_q_set_mem,
	.pop		= vdev_vring_q_pop,
	.push		= vdev_vring_q_push,
	.need_signal	= vdev_vring_q_need_signal,
	.enable_notify	= vdev_vring_q_enable_notify,
	.disable_notify	= vdev_vring_q_disable_notify,
	.take_ctl	= vdev_vring_q_take_ctl,
};

/*
 * Write the status byte (or the type's response) and the used entry; the
 * request is free again.
 */
static bool vdev_queue_complete(struct vdev_queue *q, struct vdev_req *req)
{
	const struct vdev_dev_ops *ops = q->session->ctrl->ops;
	bool write_ok = !q->parked && !q->broken && !q->cur_abandoned;
	bool pushed = false;

	if (req->again) {
		u64_stats_update_begin(&q->stats.sync);
		q->stats.requeues++;
		u64_stats_update_end(&q->stats.sync);
		vdev_bio_resubmit(req);
		return false;
	}
	if (req->polled) {
		list_del(&req->pnode);
		q->polled_inflight--;
		u64_stats_update_begin(&q->stats.sync);
		q->stats.polled++;
		u64_stats_update_end(&q->stats.sync);
	}
	/* A failed request wrote nothing the driver may use but its status. */
	if (req->status != VIRTIO_BLK_S_OK && req->status_gpa)
		req->written = 1;
	if (ops->req_complete)
		ops->req_complete(req, write_ok);
	if (write_ok)
		pushed = !q->rops->push(q, req);
	vdev_queue_stat(q, req);
	/* The last reference may close the block device: process context. */
	if (req->ns)
		vdev_ns_put(req->ns);
	/* bio_init() of the embedded bio sets bi_bdev. */
	if (req->bio.bi_bdev)
		bio_uninit(&req->bio);
	vdev_gen_put_req(q, req->gen);
	q->free[q->nfree++] = req - q->reqs;
	q->inflight--;
	return pushed;
}

static void vdev_queue_signal(struct vdev_queue *q)
{
	if (!q->cur_call || q->rops->need_signal(q) != 1)
		return;
	eventfd_signal(q->cur_call);
	u64_stats_update_begin(&q->stats.sync);
	q->stats.calls++;
	u64_stats_update_end(&q->stats.sync);
}

/* A parked queue keeps its completions until a table covers its ring. */
static bool vdev_queue_reap(struct vdev_queue *q)
{
	struct llist_node *list;
	struct vdev_req *req, *tmp;
	bool pushed = false;

	if (q->parked && !q->stopping)
		return false;
	list = llist_del_all(&q->done);
	if (!list)
		return false;
	list = llist_reverse_order(list);
	llist_for_each_entry_safe(req, tmp, list, done_node)
		pushed |= vdev_queue_complete(q, req);
	if (pushed)
		vdev_queue_signal(q);
	return true;
}

/* The ring cannot be trusted any more: the guest must reset the device. */
static void vdev_queue_break(struct vdev_queue *q, int err)
{
	if (q->broken)
		return;
	q->broken_err = err;
	WRITE_ONCE(q->broken, true);
	pr_warn_ratelimited("vdev: %s: queue %u broken (error %d): the device needs a reset\n",
			    q->session->ctrl->name, q->index, err);
	if (q->cur_err)
		eventfd_signal(q->cur_err);
	vdev_session_state_changed(q->session);
}

/**
 * vdev_req_take_head - read a request header off the front of a chain
 * @req: the request (its memory generation)
 * @chain: the chain; the header's bytes leave it
 * @dst: where to put them
 * @len: bytes of header, in the chain's readable buffers
 *
 * What is left of the readable part is the data-out.
 *
 * Return: 0, -EINVAL when the readable part is shorter, or a memory error.
 */
int vdev_req_take_head(struct vdev_req *req, struct vdev_vring_chain *chain,
		       void *dst, u32 len)
{
	struct vdev_vring_buf *b = chain->bufs;
	u32 n;
	int ret;

	if (chain->out_len < len)
		return -EINVAL;
	while (len) {
		n = min(len, b->len);
		ret = vdev_mem_read(req->gen->mem, b->gpa, dst, n);
		if (ret)
			return ret;
		dst += n;
		len -= n;
		chain->out_len -= n;
		b->gpa += n;
		b->len -= n;
		if (!b->len) {
			chain->bufs++;
			chain->nbufs--;
			b = chain->bufs;
		}
	}
	return 0;
}

/**
 * vdev_req_park - keep a request in flight until the type has a use for it
 * @req: a request being executed, without bios (on the poller)
 *
 * For buffers the driver lends the device for later: virtio-scsi's event
 * queue. The type takes it back with vdev_req_unpark() and ends it with
 * vdev_req_end(); a queue that stops ends every parked request itself, so
 * its drain can finish (ops->req_complete then writes what says nothing).
 */
void vdev_req_park(struct vdev_req *req)
{
	struct vdev_queue *q = req->q;

	atomic_inc(&req->remaining);
	spin_lock(&q->park_lock);
	list_add_tail(&req->pnode, &q->park_list);
	spin_unlock(&q->park_lock);
}

/**
 * vdev_req_unpark - the oldest parked request of @q, or NULL
 * @q: the queue; any process context
 *
 * The caller ends it with vdev_req_end().
 */
struct vdev_req *vdev_req_unpark(struct vdev_queue *q)
{
	struct vdev_req *req;

	spin_lock(&q->park_lock);
	req = list_first_entry_or_null(&q->park_list, struct vdev_req, pnode);
	if (req)
		list_del_init(&req->pnode);
	spin_unlock(&q->park_lock);
	return req;
}

/**
 * vdev_req_unpark_match - the oldest parked request of @q that @match takes
 * @q: the queue; any process context
 * @match: says whether a request is the one
 * @arg: for @match
 *
 * The caller ends it with vdev_req_end(). Return: the request, or NULL.
 */
struct vdev_req *vdev_req_unpark_match(struct vdev_queue *q,
				       bool (*match)(const struct vdev_req *req,
						     const void *arg),
				       const void *arg)
{
	struct vdev_req *req, *found = NULL;

	spin_lock(&q->park_lock);
	list_for_each_entry(req, &q->park_list, pnode) {
		if (match(req, arg)) {
			found = req;
			list_del_init(&req->pnode);
			break;
		}
	}
	spin_unlock(&q->park_lock);
	return found;
}

/* Caller checked that one is free. */
static struct vdev_req *vdev_queue_req_get(struct vdev_queue *q)
{
	struct vdev_req *req;

	req = &q->reqs[q->free[--q->nfree]];
	req->q = q;
	req->gen = q->gen;
	req->gen->inflight++;
	req->ns = NULL;
	req->status_gpa = 0;
	req->written = 0;
	req->status = VIRTIO_BLK_S_OK;
	req->bio_status = BLK_STS_OK;
	req->stat = VDEV_STAT_OTHER;
	req->bytes = 0;
	req->bio.bi_bdev = NULL;
	req->polled = false;
	req->again = false;
	req->retries = 0;
	atomic_set(&req->remaining, 1);
	q->inflight++;
	return req;
}

/* Fetch and start up to a batch of chains. Returns whether any came. */
static bool vdev_queue_fetch(struct vdev_queue *q)
{
	struct vdev_vring_chain chain = {
		.bufs = q->bufs,
		.max = q->session->ctrl->ops->chain_max(q->session->ctrl),
	};
	const struct vdev_dev_ops *ops = q->session->ctrl->ops;
	struct blk_plug plug;
	struct vdev_req *req;
	int i, ret = 0;

	blk_start_plug(&plug);
	for (i = 0; i < VDEV_POLL_BATCH && q->nfree; i++) {
		/*
		 * vdev_req_take_head() moved the last chain's start past its
		 * header: each chain fills q->bufs from the first entry.
		 */
		chain.bufs = q->bufs;
		ret = q->rops->pop(q, &chain);
		if (ret <= 0 && ret != -EBADMSG)
			break;
		req = vdev_queue_req_get(q);
		req->head = chain.head;
		if (ret == -EBADMSG) {
			/* No status byte we may trust: a used entry, no data. */
			u64_stats_update_begin(&q->stats.sync);
			q->stats.bad_chains++;
			u64_stats_update_end(&q->stats.sync);
			vdev_req_end(req);
			continue;
		}
		ops->req_execute(req, &chain);
		vdev_req_end(req);
	}
	blk_finish_plug(&plug);
	if (ret < 0 && ret != -EBADMSG)
		vdev_queue_break(q, ret);
	/* A full batch (or no free request) may have left chains behind. */
	else if (i == VDEV_POLL_BATCH || !q->nfree)
		set_bit(VDEV_Q_RECHECK, &q->pending);
	return i > 0;
}

/*
 * A queue that relies on kicks re-arms them after each look: with event
 * idx the driver kicks only once the avail index passes avail_event.
 */
static void vdev_queue_rearm(struct vdev_queue *q)
{
	int ret = q->rops->enable_notify(q);

	q->notify_on = true;
	if (ret > 0)
		set_bit(VDEV_Q_RECHECK, &q->pending);
	else if (ret < 0)
		vdev_queue_break(q, ret);
}

/* May not fetch: disabled, stopping, held by its type or by its gate. */
static bool vdev_queue_held(const struct vdev_queue *q)
{
	return !q->cur_enabled || q->stopping || q->parked || q->broken ||
	       q->gate;
}

/*
 * Has the gate opened? Called after the pending bits were cleared: the
 * gate's wake-up sets RECHECK once it completed, so either this sees it
 * complete or the bit is set again (pairs with vdev_queue_gate_wake()).
 */
static bool vdev_queue_open_gate(struct vdev_queue *q)
{
	if (!q->gate)
		return false;
	/* The bits cleared before the gate is read: vdev_queue_gate_wake(). */
	smp_mb__after_atomic();
	if (!completion_done(q->gate))
		return false;
	q->gate = NULL;
	return true;
}

static bool vdev_queue_may_fetch(struct vdev_queue *q)
{
	if (vdev_queue_held(q)) {
		/*
		 * Kicks to a ring that cannot fetch (disabled, or held by
		 * its type) must not keep the poller from sleeping: what
		 * makes it fetch again (SYNC, a new table, the gate's
		 * wake-up) sets RECHECK. Kicks taken meanwhile are not lost:
		 * a ring that may fetch again looks at it once.
		 */
		if (READ_ONCE(q->pending)) {
			clear_bit(VDEV_Q_KICKED, &q->pending);
			clear_bit(VDEV_Q_RECHECK, &q->pending);
		}
		return vdev_queue_open_gate(q) && !vdev_queue_held(q);
	}
	if (test_and_clear_bit(VDEV_Q_KICKED, &q->pending)) {
		u64_stats_update_begin(&q->stats.sync);
		q->stats.kicks++;
		u64_stats_update_end(&q->stats.sync);
		return true;
	}
	if (test_and_clear_bit(VDEV_Q_RECHECK, &q->pending))
		return true;
	/* Without a kick fd nothing would wake us: poll it always. */
	return q->cur_nofd || !vdev_queue_mode(q, VDEV_POLL_MODE_NEVER);
}

/*
 * Drive the hardware queue of the oldest polled bio that has a cookie:
 * its completions, and those of every request on that queue, run here. A
 * bio not dispatched yet (or sent again after BLK_STS_AGAIN, which moves
 * it to the tail) has none; polled bios are never merged, so every
 * dispatched one has its own. Skipping the ones without is what frees the
 * tags they wait for.
 */
static bool vdev_queue_poll_bios(struct vdev_queue *q)
{
	struct vdev_req *req;

	list_for_each_entry(req, &q->polled, pnode)
		if (READ_ONCE(req->bio.bi_cookie) != BLK_QC_T_NONE)
			return bio_poll(&req->bio, NULL, BLK_POLL_ONESHOT) > 0;
	return false;
}

/* One pass over a queue: completions, then new chains, then polling. */
static bool vdev_queue_poll(struct vdev_queue *q)
{
	bool busy = vdev_queue_reap(q);

	if (vdev_queue_may_fetch(q)) {
		if (vdev_queue_fetch(q)) {
			busy = true;
			if (q->notify_on &&
			    !vdev_queue_mode(q, VDEV_POLL_MODE_NEVER)) {
				q->rops->disable_notify(q);
				q->notify_on = false;
			}
		}
		if (vdev_queue_mode(q, VDEV_POLL_MODE_NEVER) && !q->broken)
			vdev_queue_rearm(q);
	}
	busy |= vdev_queue_poll_bios(q);
	/* No clock read on a busy pass: the idle window opens when work ends. */
	if (busy)
		q->idle_since = 0;
	return busy;
}

/* --- commands ----------------------------------------------------------- */

/*
 * The ring's dirty log. The control path holds the session lock while it
 * waits for the command, so the log cannot be replaced and put meanwhile.
 */
static void vdev_queue_take_log(struct vdev_queue *q)
{
	const struct vdev_mem *log;

	rcu_read_lock();
	log = rcu_dereference(q->session->dirty_log);
	rcu_read_unlock();
	if (q->rops->take_ctl)
		q->rops->take_ctl(q, log);
}

/* Take what the control path set under the session lock. */
static void vdev_queue_take_ctl(struct vdev_queue *q)
{
	vdev_queue_take_log(q);
	q->cur_call = q->call;
	q->cur_err = q->err;
	q->cur_enabled = q->enabled;
	q->cur_nofd = q->kick_nofd;
	q->cur_abandoned = q->abandoned;
	if (q->ctl_gen) {
		vdev_queue_set_gen(q, q->ctl_gen);
		q->ctl_gen = NULL;
	}
	/* New buffers may have come while nobody looked. */
	set_bit(VDEV_Q_RECHECK, &q->pending);
}

static void vdev_poller_run_cmd(struct vdev_poller *p, struct vdev_cmd *cmd)
{
	struct vdev_queue *q = cmd->q;

	switch (cmd->op) {
	case VDEV_CMD_ATTACH:
		list_add_tail(&q->pnode, &p->queues);
		q->idle_since = 0;
		/* First, for the dirty log of the notify writes. */
		vdev_queue_take_ctl(q);
		if (vdev_queue_mode(q, VDEV_POLL_MODE_NEVER)) {
			vdev_queue_rearm(q);
		} else {
			q->rops->disable_notify(q);
			q->notify_on = false;
		}
		break;
	case VDEV_CMD_SYNC:
		/*
		 * A disable stops fetching after what the driver made
		 * available before it: serve that first, or it would wait
		 * for an enable that may never come.
		 */
		if (q->cur_enabled && !q->enabled)
			while (vdev_queue_may_fetch(q) && vdev_queue_fetch(q))
				;
		vdev_queue_take_ctl(q);
		break;
	case VDEV_CMD_STOP:
		q->stopping = true;
		break;
	case VDEV_CMD_BARRIER:
		break;
	}
	complete(&cmd->done);
}

static bool vdev_poller_run_cmds(struct vdev_poller *p)
{
	struct llist_node *list = llist_del_all(&p->cmds);
	struct vdev_cmd *cmd, *tmp;

	if (!list)
		return false;
	list = llist_reverse_order(list);
	llist_for_each_entry_safe(cmd, tmp, list, node)
		vdev_poller_run_cmd(p, cmd);
	return true;
}

/* A stopping queue that has drained leaves its poller. */
static void vdev_poller_detach_drained(struct vdev_poller *p)
{
	struct vdev_queue *q, *tmp;

	list_for_each_entry_safe(q, tmp, &p->queues, pnode) {
		if (!q->stopping || q->inflight)
			continue;
		vdev_queue_reap(q);
		list_del_init(&q->pnode);
		complete(&q->stop_done);
		wake_up_all(&q->session->drain_wq);
	}
}

/* --- the loop ----------------------------------------------------------- */

static bool vdev_poller_has_work(struct vdev_poller *p)
{
	struct vdev_queue *q;

	if (!llist_empty(&p->cmds) || kthread_should_stop())
		return true;
	list_for_each_entry(q, &p->queues, pnode)
		if (!llist_empty(&q->done) || READ_ONCE(q->pending))
			return true;
	return false;
}

/*
 * Has an adaptive queue been idle for its poll-idle-us? The first idle
 * pass opens the window. local_clock() rather than ktime_get(): this runs
 * on every idle pass, and the clocksource may be slow to read (HPET, or
 * anything a hypervisor traps); the poller's own CPU clock is enough to
 * time a window of microseconds.
 */
static bool vdev_queue_idle_long(struct vdev_queue *q, u64 now)
{
	u64 idle_ns = (u64)q->session->ctrl->cfg.poll_idle_us * NSEC_PER_USEC;

	if (!q->idle_since) {
		q->idle_since = now;
		return !idle_ns;
	}
	/* A poller that moved CPU may see the other's clock a bit behind. */
	return (s64)(now - q->idle_since) >= (s64)idle_ns;
}

/*
 * May the poller sleep? Not while an always-polled queue is served or an
 * adaptive one has been idle for less than its poll-idle-us; and only once
 * every ring was told to notify and was seen empty after that.
 */
static bool vdev_poller_may_sleep(struct vdev_poller *p)
{
	u64 now = local_clock();
	struct vdev_queue *q;
	bool may = true;

	/*
	 * No early return: every queue's idle window must open on this
	 * pass, or each would wait for the one before it to run out.
	 */
	list_for_each_entry(q, &p->queues, pnode) {
		/* Polled bios complete only if we poll: never sleep on them. */
		if (q->polled_inflight)
			may = false;
		if (vdev_queue_held(q))
			continue;
		if (vdev_queue_mode(q, VDEV_POLL_MODE_ALWAYS) || q->cur_nofd)
			may = false;
		else if (vdev_queue_mode(q, VDEV_POLL_MODE_ADAPTIVE) &&
			 !vdev_queue_idle_long(q, now))
			may = false;
	}
	if (!may)
		return false;
	list_for_each_entry(q, &p->queues, pnode) {
		if (vdev_queue_held(q) || q->notify_on)
			continue;
		q->notify_on = true;
		if (q->rops->enable_notify(q)) {
			set_bit(VDEV_Q_RECHECK, &q->pending);
			return false;
		}
	}
	return true;
}

static void vdev_poller_sleep(struct vdev_poller *p)
{
	set_current_state(TASK_INTERRUPTIBLE);
	WRITE_ONCE(p->sleeping, true);
	/* set_current_state() is a full barrier: pairs with vdev_req_end(). */
	if (!vdev_poller_has_work(p))
		schedule();
	__set_current_state(TASK_RUNNING);
	WRITE_ONCE(p->sleeping, false);
}

static int vdev_poller_fn(void *data)
{
	struct vdev_poller *p = data;
	struct vdev_queue *q;
	bool busy;

	while (!kthread_should_stop()) {
		busy = vdev_poller_run_cmds(p);
		list_for_each_entry(q, &p->queues, pnode)
			busy |= vdev_queue_poll(q);
		vdev_poller_detach_drained(p);
		if (!busy && vdev_poller_may_sleep(p))
			vdev_poller_sleep(p);
		/*
		 * An idle pass spins on memory the guest writes: PAUSE lets an
		 * SMT sibling (or, under TCG, the other vCPUs) run meanwhile.
		 */
		else if (!busy)
			cpu_relax();
		cond_resched();
	}
	return 0;
}

/* --- assignment --------------------------------------------------------- */

/* The online CPU of @mask whose poller serves fewest queues. */
static int vdev_poller_pick_cpu(const struct cpumask *mask)
{
	u32 best_load = U32_MAX, load;
	int cpu, best = -1;

	for_each_cpu_and(cpu, mask, cpu_online_mask) {
		load = vdev_pollers[cpu] ? vdev_pollers[cpu]->nr_queues : 0;
		if (load < best_load) {
			best = cpu;
			best_load = load;
		}
	}
	return best;
}

static struct vdev_poller *vdev_poller_create(int cpu)
{
	struct vdev_poller *p;

	p = kzalloc_node(sizeof(*p), GFP_KERNEL, cpu_to_node(cpu));
	if (!p)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&p->queues);
	init_llist_head(&p->cmds);
	p->cpu = cpu;
	p->task = kthread_create_on_node(vdev_poller_fn, p, cpu_to_node(cpu),
					 "vdev-poll/%d", cpu);
	if (IS_ERR(p->task)) {
		int ret = PTR_ERR(p->task);

		kfree(p);
		return ERR_PTR(ret);
	}
	/* Not kthread_bind(): a CPU going offline only breaks affinity. */
	set_cpus_allowed_ptr(p->task, cpumask_of(cpu));
	wake_up_process(p->task);
	return p;
}

/* Reserve a place on a poller for a queue of a controller with @mask. */
static struct vdev_poller *vdev_poller_get(const struct cpumask *mask)
{
	struct vdev_poller *p;
	int cpu;

	guard(mutex)(&vdev_poller_lock);
	cpu = vdev_poller_pick_cpu(mask);
	if (cpu < 0)
		return ERR_PTR(-ENODEV);
	p = vdev_pollers[cpu];
	if (!p) {
		p = vdev_poller_create(cpu);
		if (IS_ERR(p))
			return p;
		vdev_pollers[cpu] = p;
	}
	p->nr_queues++;
	return p;
}

/* The last queue gone, the thread goes too. */
static void vdev_poller_put(struct vdev_poller *p)
{
	guard(mutex)(&vdev_poller_lock);
	if (--p->nr_queues)
		return;
	vdev_pollers[p->cpu] = NULL;
	kthread_stop(p->task);
	kfree(p);
}

static void vdev_poller_post(struct vdev_poller *p, struct vdev_cmd *cmd)
{
	init_completion(&cmd->done);
	llist_add(&cmd->node, &p->cmds);
	wake_up_process(p->task);
}

/* --- queue start and stop (control path, session lock held) ------------ */

static int vdev_queue_kick_wake(wait_queue_entry_t *wait, unsigned int mode,
				int sync, void *key)
{
	struct vdev_queue *q = container_of(wait, struct vdev_queue, kick_wait);

	/* Under the eventfd's lock, IRQs off: a flag and a wake-up only. */
	if (key_to_poll(key) & EPOLLIN) {
		set_bit(VDEV_Q_KICKED, &q->pending);
		wake_up_process(q->poller->task);
	}
	return 0;
}

static void vdev_queue_kick_queue(struct file *file, wait_queue_head_t *wqh,
				  poll_table *pt)
{
	struct vdev_queue *q = container_of(pt, struct vdev_queue, kick_pt);

	q->kick_wqh = wqh;
	add_wait_queue(wqh, &q->kick_wait);
}

static void vdev_queue_kick_unwatch(struct vdev_queue *q)
{
	if (q->kick_wqh)
		remove_wait_queue(q->kick_wqh, &q->kick_wait);
	q->kick_wqh = NULL;
}

/* Watch @q->kick_file; a kick already pending counts. */
static void vdev_queue_kick_watch(struct vdev_queue *q)
{
	vdev_queue_kick_unwatch(q);
	if (!q->kick_file)
		return;
	init_waitqueue_func_entry(&q->kick_wait, vdev_queue_kick_wake);
	init_poll_funcptr(&q->kick_pt, vdev_queue_kick_queue);
	if (vfs_poll(q->kick_file, &q->kick_pt) & EPOLLIN) {
		set_bit(VDEV_Q_KICKED, &q->pending);
		wake_up_process(q->poller->task);
	}
}

static int vdev_queue_gate_wake(wait_queue_entry_t *wait, unsigned int mode,
				int sync, void *key)
{
	struct vdev_queue *q = container_of(wait, struct vdev_queue, gate_wait);

	/* The gate's completion before the bit: see vdev_queue_open_gate(). */
	smp_mb__before_atomic();
	set_bit(VDEV_Q_RECHECK, &q->pending);
	wake_up_process(q->poller->task);
	return 0;
}

static void vdev_queue_gate_unwatch(struct vdev_queue *q)
{
	if (q->gate_wqh)
		remove_wait_queue(q->gate_wqh, &q->gate_wait);
	q->gate_wqh = NULL;
}

/**
 * vdev_queue_gate - fetch nothing until @gate completes
 * @q: a prepared queue, not attached yet
 * @gate: completed once the last session of the controller has no
 *	request out (its rings_idle)
 * @wqh: woken after @gate completes (that session's drain_wq); the caller
 *	keeps both alive until the queue stops
 *
 * A request the last session abandoned may still be out: a read may still
 * write guest memory, a write still reach the disk. Fetched again (or its
 * buffers reused by the guest) before it ended, the two would race: the
 * guest could see its page overwritten after the completion, the disk an
 * older write land over a newer one. So the ring waits, as it would have
 * while that session drained.
 */
void vdev_queue_gate(struct vdev_queue *q, struct completion *gate,
		     wait_queue_head_t *wqh)
{
	init_waitqueue_func_entry(&q->gate_wait, vdev_queue_gate_wake);
	add_wait_queue(wqh, &q->gate_wait);
	q->gate_wqh = wqh;
	q->gate = gate;
	if (completion_done(gate)) {
		vdev_queue_gate_unwatch(q);
		q->gate = NULL;
	}
}

/**
 * vdev_queue_prepare_start - take what a ring start needs
 * @q: a stopped queue whose @vr was set up by the caller
 * @mem: the current table
 *
 * Everything that can fail: requests, buffers, bio set, generation, a
 * place on a poller. vdev_queue_unprepare() gives it back if the start is
 * refused after all.
 */
int vdev_queue_prepare_start(struct vdev_queue *q, struct vdev_mem *mem)
{
	u32 num = q->num, i;
	int ret = -ENOMEM;

	q->reqs = kvcalloc(num, sizeof(*q->reqs), GFP_KERNEL);
	q->free = kvcalloc(num, sizeof(*q->free), GFP_KERNEL);
	q->bufs = kcalloc(q->session->ctrl->ops->chain_max(q->session->ctrl),
			  sizeof(*q->bufs), GFP_KERNEL);
	q->gen = vdev_mem_gen_alloc(mem);
	if (!q->reqs || !q->free || !q->bufs || !q->gen)
		goto out_unprepare;
	ret = bioset_init(&q->bs, 4, 0, BIOSET_NEED_BVECS);
	if (ret)
		goto out_unprepare;
	q->poller = vdev_poller_get(q->session->ctrl->cfg.cpus);
	if (IS_ERR(q->poller)) {
		ret = PTR_ERR(q->poller);
		q->poller = NULL;
		goto out_unprepare;
	}
	q->cpu = q->poller->cpu;
	for (i = 0; i < num; i++)
		q->free[i] = num - 1 - i;
	q->nfree = num;
	return 0;

out_unprepare:
	vdev_queue_unprepare(q);
	return ret;
}

void vdev_queue_unprepare(struct vdev_queue *q)
{
	vdev_queue_gate_unwatch(q);
	q->gate = NULL;
	if (q->poller)
		vdev_poller_put(q->poller);
	q->poller = NULL;
	bioset_exit(&q->bs);
	vdev_mem_gen_free(q->gen);
	q->gen = NULL;
	kfree(q->bufs);
	q->bufs = NULL;
	kvfree(q->free);
	q->free = NULL;
	kvfree(q->reqs);
	q->reqs = NULL;
	q->nfree = 0;
}

/* Hand a prepared queue to its poller and start watching kicks. */
void vdev_queue_attach(struct vdev_queue *q)
{
	struct vdev_cmd cmd = { .op = VDEV_CMD_ATTACH, .q = q };

	INIT_LIST_HEAD(&q->pnode);
	INIT_LIST_HEAD(&q->old_gens);
	INIT_LIST_HEAD(&q->polled);
	q->polled_inflight = 0;
	init_llist_head(&q->done);
	init_completion(&q->stop_done);
	q->pending = 0;
	q->inflight = 0;
	q->stopping = false;
	q->broken = false;
	q->parked = false;
	q->abandoned = false;
	q->cur_abandoned = false;
	vdev_poller_post(q->poller, &cmd);
	wait_for_completion(&cmd.done);
	vdev_queue_kick_watch(q);
}

/*
 * The poller takes the queue's control fields (enabled, call, err, a new
 * memory generation, the kick file). Once this returns it uses nothing
 * older: the caller may put what it replaced.
 */
void vdev_queue_sync(struct vdev_queue *q)
{
	struct vdev_cmd cmd = { .op = VDEV_CMD_SYNC, .q = q };

	vdev_queue_kick_watch(q);
	vdev_poller_post(q->poller, &cmd);
	wait_for_completion(&cmd.done);
}

/**
 * vdev_queue_kick - the front end says a started queue has work
 * @q: the queue; any context that may wake a task
 *
 * For kicks that come as messages rather than eventfds (an NVMe doorbell
 * written through REGION_WRITE).
 */
void vdev_queue_kick(struct vdev_queue *q)
{
	set_bit(VDEV_Q_KICKED, &q->pending);
	wake_up_process(q->poller->task);
}

static void vdev_queue_abandon(struct vdev_queue *q);

/* Fetch nothing more; what is parked ends, and the drain with it. */
static void vdev_queue_stop_fetching(struct vdev_queue *q)
{
	struct vdev_cmd cmd = { .op = VDEV_CMD_STOP, .q = q };
	struct vdev_req *req;

	vdev_queue_kick_unwatch(q);
	vdev_queue_gate_unwatch(q);
	if (!READ_ONCE(q->stopping)) {
		vdev_poller_post(q->poller, &cmd);
		wait_for_completion(&cmd.done);
	}
	while ((req = vdev_req_unpark(q)))
		vdev_req_end(req);
}

/**
 * vdev_queue_stop - stop fetching and wait for what is in flight
 * @q: a started queue
 * @timeout: jiffies to wait, MAX_SCHEDULE_TIMEOUT to wait unkillably
 *
 * Return: 0 once drained and detached (then call vdev_queue_release()),
 * -EINTR on a fatal signal, -ETIMEDOUT; both leave the queue stopping, and
 * a later call waits for the same drain.
 */
int vdev_queue_stop(struct vdev_queue *q, unsigned long timeout)
{
	long left;

	vdev_queue_stop_fetching(q);
	if (timeout == MAX_SCHEDULE_TIMEOUT) {
		wait_for_completion(&q->stop_done);
		return 0;
	}
	/* An ended session stops waiting: its teardown drains unbounded. */
	left = wait_event_killable_timeout(q->session->drain_wq,
					   completion_done(&q->stop_done) ||
					   vdev_session_dead(q->session),
					   timeout);
	if (left < 0)
		return -EINTR;
	if (completion_done(&q->stop_done))
		return 0;
	vdev_queue_abandon(q);
	return -ETIMEDOUT;
}

/*
 * The front end is told where the ring stopped and may hand it to a new
 * session: what completes from now on must not touch it.
 */
static void vdev_queue_abandon(struct vdev_queue *q)
{
	struct vdev_cmd cmd = { .op = VDEV_CMD_SYNC, .q = q };

	q->abandoned = true;
	vdev_poller_post(q->poller, &cmd);
	wait_for_completion(&cmd.done);
}

/**
 * vdev_queue_quiesce - stop a ring, giving up what is still out at @timeout
 * @q: a started queue
 * @timeout: jiffies to wait for the drain, whether or not the session ended
 *
 * For an ended session whose front end can resubmit (an inflight region):
 * once this returns no completion writes the ring any more.
 *
 * Return: 0 once drained, -ETIMEDOUT once abandoned; the queue then stays
 * stopping, and vdev_queue_stop() waits for its drain.
 */
int vdev_queue_quiesce(struct vdev_queue *q, unsigned long timeout)
{
	vdev_queue_stop_fetching(q);
	/* Not consumed: vdev_queue_stop() waits for the same completion. */
	wait_event_timeout(q->session->drain_wq,
			   completion_done(&q->stop_done), timeout);
	if (completion_done(&q->stop_done))
		return 0;
	vdev_queue_abandon(q);
	return -ETIMEDOUT;
}

/*
 * After a drain: the poller let go of @q; free what the start took.
 *
 * The pass that detached @q completes its stop_done, then wakes the
 * session's drain_wq: a stop that returned on the completion must not let
 * the session go before that wake-up is done. A command runs on the next
 * pass, so once it is taken the poller touches @q no more.
 */
void vdev_queue_release(struct vdev_queue *q)
{
	struct vdev_cmd barrier = { .op = VDEV_CMD_BARRIER };
	struct vdev_mem_gen *gen, *tmp;

	vdev_poller_post(q->poller, &barrier);
	wait_for_completion(&barrier.done);

	list_for_each_entry_safe(gen, tmp, &q->old_gens, node) {
		list_del(&gen->node);
		vdev_mem_gen_free(gen);
	}
	vdev_mem_gen_free(q->ctl_gen);
	q->ctl_gen = NULL;
	vdev_queue_unprepare(q);
}

int vdev_poller_init(void)
{
	vdev_pollers = kcalloc(nr_cpu_ids, sizeof(*vdev_pollers), GFP_KERNEL);
	return vdev_pollers ? 0 : -ENOMEM;
}

void vdev_poller_exit(void)
{
	kfree(vdev_pollers);
}
