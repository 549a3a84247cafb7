// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: the life of one front-end connection.
 *
 * The kernel holds the connection (a file reference), so a session lives
 * on while vdevd restarts. It ends on hang-up (seen by our own entry on the
 * socket's wait queue, the vhost_poll pattern), on VDEV_IOC_DISCONNECT, on
 * a protocol violation, or when its controller goes. Ending is cheap and
 * may happen from any process context; releasing what the session holds is
 * the teardown work's job, so no caller ever waits for it under vdev_lock.
 */
#include <linux/blkdev.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/virtio_config.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "mem.h"
#include "poller.h"
#include "session.h"
#include "vfu.h"

#define VDEV_HUP_MASK	(EPOLLHUP | EPOLLRDHUP | EPOLLERR)

/* Hang-up checks and teardowns; destroying it at unload waits for them. */
static struct workqueue_struct *vdev_session_wq;

static void vdev_session_free(struct vdev_session *s)
{
	if (s->ops->session_free)
		s->ops->session_free(s);
	vdev_vfu_session_free(s);
	if (s->peer_mm)
		mmdrop(s->peer_mm);
	put_pid(s->peer_pid);
	kfree(s->queues);
	kfree(s->msg);
	kfree(s);
}

static void vdev_session_release(struct kref *ref)
{
	struct vdev_session *s = container_of(ref, struct vdev_session, ref);

	fput(s->sock_file);
	if (s->ns)
		vdev_ns_put(s->ns);
	vdev_ctrl_put(s->ctrl);
	vdev_session_free(s);
}

static void vdev_eventfd_put(struct eventfd_ctx **ctx)
{
	if (*ctx)
		eventfd_ctx_put(*ctx);
	*ctx = NULL;
}

static unsigned int drain_timeout_ms = 30000;
module_param(drain_timeout_ms, uint, 0644);
MODULE_PARM_DESC(drain_timeout_ms,
		 "Longest wait for a ring's I/O to drain when QEMU stops it; the session ends after (default 30000)");

/* How long a drain may take before the session is given up. */
unsigned long vdev_session_drain_jiffies(void)
{
	return msecs_to_jiffies(READ_ONCE(drain_timeout_ms));
}

/**
 * vdev_session_stop_queue - stop a ring, keeping where it stopped
 * @q: the queue; its session's lock is held
 * @bounded: wait at most drain_timeout_ms (else until drained)
 *
 * The base it reached is kept for GET_VRING_BASE and the next start; the
 * kick eventfd goes (QEMU sends a new one with the next start).
 *
 * Return: 0, -EINTR (fatal signal) or -ETIMEDOUT; the queue is then still
 * stopping, its requests in flight, and the base is where fetching ended.
 */
int vdev_session_stop_queue(struct vdev_queue *q, bool bounded)
{
	int ret = 0;

	if (q->started) {
		ret = vdev_queue_stop(q, bounded ?
				      msecs_to_jiffies(drain_timeout_ms) :
				      MAX_SCHEDULE_TIMEOUT);
		if (q->rops == &vdev_vring_ops)
			q->base = vdev_vring_get_base(&q->vr);
		if (ret)
			return ret;
		vdev_queue_release(q);
		vdev_vring_release(&q->vr);
		q->started = false;
	} else {
		/* A start prepared but never applied. */
		vdev_queue_unprepare(q);
	}
	if (q->kick_file)
		fput(q->kick_file);
	q->kick_file = NULL;
	vdev_eventfd_put(&q->kick);
	q->kick_nofd = false;
	return 0;
}

/* Forget everything the front end set up on @q (RESET_DEVICE, teardown). */
void vdev_session_reset_queue(struct vdev_queue *q)
{
	vdev_session_stop_queue(q, false);
	vdev_eventfd_put(&q->call);
	vdev_eventfd_put(&q->err);
	q->num = 0;
	q->addr_set = false;
	q->log_used = false;
	q->log_addr = 0;
	q->base = 0;
	q->enabled = false;
}

void vdev_session_put(struct vdev_session *s)
{
	kref_put(&s->ref, vdev_session_release);
}

/**
 * vdev_session_end - end a session
 * @s: the session
 * @why: for the log line
 *
 * Idempotent; callable from any process context, with or without
 * vdev_lock or @s->lock. The front end sees the connection close at once;
 * the rest happens in the teardown work.
 */
void vdev_session_end(struct vdev_session *s, const char *why)
{
	if (test_and_set_bit(VDEV_SESSION_DEAD, &s->flags))
		return;
	pr_info("vdev: %s: session ended: %s\n", s->ctrl->name, why);
	/* A GET_VRING_BASE waiting for a drain answers nobody now. */
	wake_up_all(&s->drain_wq);
	kernel_sock_shutdown(s->sock, SHUT_RDWR);
	/* The teardown work inherits ctrl->session's reference. */
	queue_work(vdev_session_wq, &s->teardown_work);
}

/*
 * A session with an inflight region lets go of its tracked rings within
 * the drain bound: what completes by then is used, the rest stays marked
 * in flight in the region, and no ring write follows. The next session,
 * which QEMU may have connected already, resubmits it.
 */
static void vdev_session_quiet_rings(struct vdev_session *s)
{
	unsigned long end = jiffies + vdev_session_drain_jiffies();
	struct vdev_queue *q;
	u32 i;

	for (i = 0; i < s->nr_queues; i++) {
		q = &s->queues[i];
		/*
		 * Packed rings, whose part says only where the used ring
		 * stands, drain whole, as without a region.
		 */
		if (q->started && q->rops == &vdev_vring_ops && q->vr.inflight &&
		    !q->vr.packed)
			vdev_queue_quiesce(q, max_t(long, end - jiffies, 0));
	}
	complete_all(&s->rings_quiet);
}

static void vdev_session_teardown(struct work_struct *work)
{
	struct vdev_session *s = container_of(work, struct vdev_session,
					      teardown_work);
	struct vdev_ctrl *ctrl = s->ctrl;
	struct vdev_session *prev;
	struct vdev_mem *mem;
	u32 i;

	mutex_lock(&vdev_lock);
	if (ctrl->session == s) {
		ctrl->session = NULL;
		ctrl->ending = s;
		ctrl->state = VDEV_CTRL_STATE_IDLE;
		vdev_nl_notify_ctrl(ctrl, VDEV_CMD_CTRL_CHANGE_NTF);
	}
	mutex_unlock(&vdev_lock);

	if (s->hup_wqh)
		remove_wait_queue(s->hup_wqh, &s->hup_wait);
	cancel_work_sync(&s->hup_work);
	cancel_delayed_work_sync(&s->resize_work);

	/* Requests running now see DEAD once they hold the lock. */
	mutex_lock(&s->lock);
	if (s->inflight)
		vdev_session_quiet_rings(s);
	for (i = 0; i < s->nr_queues; i++)
		vdev_session_reset_queue(&s->queues[i]);
	complete_all(&s->rings_quiet);
	/* Every request ended, abandoned ones too: the next rings may fetch. */
	complete_all(&s->rings_idle);
	wake_up_all(&s->drain_wq);
	if (s->backend_file) {
		fput(s->backend_file);
		s->backend_file = NULL;
	}
	mem = rcu_replace_pointer(s->mem, NULL, lockdep_is_held(&s->lock));
	if (mem)
		vdev_mem_put(mem);
	/* No ring runs: the log is not read any more once RCU says so. */
	RCU_INIT_POINTER(s->dirty_log, NULL);
	if (s->log_base)
		vdev_mem_put(s->log_base);
	s->log_base = NULL;
	if (s->inflight)
		vdev_mem_put(s->inflight);
	s->inflight = NULL;
	prev = s->prev;
	s->prev = NULL;
	mutex_unlock(&s->lock);
	if (prev)
		vdev_session_put(prev);
	mutex_lock(&vdev_lock);
	if (ctrl->ending == s)
		ctrl->ending = NULL;
	mutex_unlock(&vdev_lock);
	/* Pollers queue it when a ring breaks: only now are they gone. */
	cancel_work_sync(&s->state_work);
	vdev_session_put(s);
}

/* Any started ring of @s broken? Read from any context. */
bool vdev_session_broken(const struct vdev_session *s)
{
	u32 i;

	for (i = 0; i < s->nr_queues; i++)
		if (READ_ONCE(s->queues[i].started) &&
		    READ_ONCE(s->queues[i].broken))
			return true;
	return false;
}

/*
 * connected, running (DRIVER_OK) or failed (a broken ring), announced as
 * ctrl-change. From a work item: the session lock and poller contexts
 * that notice a change cannot take vdev_lock.
 */
static void vdev_session_state_work(struct work_struct *work)
{
	struct vdev_session *s = container_of(work, struct vdev_session,
					      state_work);
	struct vdev_ctrl *ctrl = s->ctrl;
	enum vdev_ctrl_state state = VDEV_CTRL_STATE_CONNECTED;

	if (s->ops->session_state)
		s->ops->session_state(s);
	if (vdev_session_broken(s))
		state = VDEV_CTRL_STATE_FAILED;
	else if (READ_ONCE(s->status) & VIRTIO_CONFIG_S_DRIVER_OK)
		state = VDEV_CTRL_STATE_RUNNING;
	guard(mutex)(&vdev_lock);
	if (ctrl->session != s || vdev_session_dead(s) || ctrl->state == state)
		return;
	ctrl->state = state;
	vdev_nl_notify_ctrl(ctrl, VDEV_CMD_CTRL_CHANGE_NTF);
}

void vdev_session_state_changed(struct vdev_session *s)
{
	queue_work(vdev_session_wq, &s->state_work);
}

/* No holder op reports a resize in 6.12: look once a second. */
#define VDEV_RESIZE_PERIOD	HZ

/* Tell the front end over the backend channel; it then reads the config. */
static int vdev_session_send_notice(struct vdev_session *s)
{
	struct vdev_vu_wire_hdr w = {
		.request = cpu_to_le32(VDEV_VU_BACKEND_CONFIG_CHANGE_MSG),
		.flags = cpu_to_le32(VDEV_VU_VERSION),
	};
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = &w, .iov_len = sizeof(w) };
	struct socket *sock = sock_from_file(s->backend_file);

	return kernel_sendmsg(sock, &msg, &iov, 1, sizeof(w)) == sizeof(w) ?
	       0 : -EAGAIN;
}

static void vdev_session_resize_work(struct work_struct *work)
{
	struct vdev_session *s = container_of(to_delayed_work(work),
					      struct vdev_session, resize_work);
	struct vdev_ns *ns = s->ns;
	bool changed = false;
	u64 now;

	now = bdev_nr_sectors(vdev_ns_bdev(ns));
	mutex_lock(&s->lock);
	if (now != s->capacity) {
		s->capacity = now;
		s->notice_pending = true;
		changed = true;
	}
	/* A full channel: try again next time. */
	if (s->notice_pending && s->backend_file &&
	    !vdev_session_send_notice(s))
		s->notice_pending = false;
	mutex_unlock(&s->lock);

	if (changed) {
		pr_info("vdev: %s: disk resized to %llu sectors\n",
			s->ctrl->name, now);
		mutex_lock(&vdev_lock);
		if (xa_load(&s->ctrl->ns, s->ctrl->ops->ns_addr_key(&ns->addr)) == ns)
			vdev_nl_notify_ns(ns, VDEV_CMD_NS_CHANGE_NTF);
		mutex_unlock(&vdev_lock);
	}
	if (!vdev_session_dead(s))
		queue_delayed_work(vdev_session_wq, &s->resize_work,
				   VDEV_RESIZE_PERIOD);
}

/**
 * vdev_ctrl_check_resize - look at the disk's size now (ns-resize)
 * @ctrl: the controller; caller holds vdev_lock
 */
void vdev_ctrl_check_resize(struct vdev_ctrl *ctrl)
{
	lockdep_assert_held(&vdev_lock);
	if (vdev_ctrl_connected(ctrl) && ctrl->session->ns)
		mod_delayed_work(vdev_session_wq, &ctrl->session->resize_work, 0);
}

static void vdev_session_hup_check(struct work_struct *work)
{
	struct vdev_session *s = container_of(work, struct vdev_session,
					      hup_work);

	if (vfs_poll(s->sock_file, NULL) & VDEV_HUP_MASK)
		vdev_session_end(s, "front end hung up");
}

/*
 * Runs under the socket's wait queue lock, maybe with IRQs off: filter and
 * queue the check, nothing more. A NULL key is a state change (the peer
 * closed: sock_def_wakeup); data and write-space wakeups pass.
 */
static int vdev_session_hup_wake(wait_queue_entry_t *wait, unsigned int mode,
				 int sync, void *key)
{
	struct vdev_session *s = container_of(wait, struct vdev_session,
					      hup_wait);
	__poll_t mask = key_to_poll(key);

	if (mask && !(mask & VDEV_HUP_MASK))
		return 0;
	queue_work(vdev_session_wq, &s->hup_work);
	return 0;
}

static void vdev_session_hup_queue(struct file *file, wait_queue_head_t *wqh,
				   poll_table *pt)
{
	struct vdev_session *s = container_of(pt, struct vdev_session, hup_pt);

	s->hup_wqh = wqh;
	add_wait_queue(wqh, &s->hup_wait);
}

/* The front end's process and address space, from the socket's peer. */
static int vdev_session_peer(struct vdev_session *s)
{
	struct sock *sk = s->sock->sk;
	struct task_struct *task;
	struct mm_struct *mm;

	spin_lock(&sk->sk_peer_lock);
	s->peer_pid = get_pid(sk->sk_peer_pid);
	spin_unlock(&sk->sk_peer_lock);
	task = get_pid_task(s->peer_pid, PIDTYPE_TGID);
	if (!task)
		return -ESRCH;
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm)
		return -ESRCH;
	mmgrab(mm);
	mmput(mm);
	s->peer_mm = mm;
	return 0;
}

static int vdev_session_alloc_queues(struct vdev_session *s,
				     const struct vdev_ctrl *ctrl)
{
	u32 i;

	s->nr_queues = ctrl->cfg.num_queues + ctrl->ops->extra_queues;
	s->queues = kcalloc(s->nr_queues, sizeof(*s->queues), GFP_KERNEL);
	if (!s->queues)
		return -ENOMEM;
	for (i = 0; i < s->nr_queues; i++) {
		s->queues[i].session = s;
		s->queues[i].rops = ctrl->ops->ring_ops ?: &vdev_vring_ops;
		s->queues[i].index = i;
		INIT_LIST_HEAD(&s->queues[i].park_list);
		spin_lock_init(&s->queues[i].park_lock);
	}
	return 0;
}

static struct vdev_session *vdev_session_alloc(const struct vdev_ctrl *ctrl,
					       struct file *conn)
{
	struct vdev_session *s;
	int ret;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->sock = sock_from_file(conn);
	s->ops = ctrl->ops;
	s->msg = kmalloc(max(VDEV_VU_MSG_MAX, VDEV_VFU_MAX_MSG), GFP_KERNEL);
	ret = s->msg ? vdev_session_alloc_queues(s, ctrl) : -ENOMEM;
	if (!ret)
		ret = vdev_session_peer(s);
	if (!ret && ctrl->ops->vfio_user)
		ret = vdev_vfu_session_init(s, ctrl);
	if (!ret && ctrl->ops->session_init)
		ret = ctrl->ops->session_init(s, ctrl);
	if (ret) {
		vdev_session_free(s);
		return ERR_PTR(ret);
	}
	kref_init(&s->ref);
	mutex_init(&s->lock);
	INIT_WORK(&s->hup_work, vdev_session_hup_check);
	INIT_WORK(&s->teardown_work, vdev_session_teardown);
	INIT_DELAYED_WORK(&s->resize_work, vdev_session_resize_work);
	INIT_WORK(&s->state_work, vdev_session_state_work);
	init_waitqueue_head(&s->drain_wq);
	init_completion(&s->rings_quiet);
	init_completion(&s->rings_idle);
	init_waitqueue_func_entry(&s->hup_wait, vdev_session_hup_wake);
	init_poll_funcptr(&s->hup_pt, vdev_session_hup_queue);
	s->sock_file = get_file(conn);
	return s;
}

/*
 * The disk of a type that resolves it at attach, with a reference. Types
 * whose LUNs come and go look one up per request and pin none.
 */
static struct vdev_ns *vdev_session_pick_ns(struct vdev_ctrl *ctrl)
{
	unsigned long key = 0;
	struct vdev_ns *ns;

	if (ctrl->ops->hot_ns)
		return NULL;
	ns = xa_find(&ctrl->ns, &key, ULONG_MAX, XA_PRESENT);
	if (ns)
		vdev_ns_get(ns);
	return ns;
}

static int vdev_session_publish(struct vdev_ctrl *ctrl, struct vdev_session *s)
{
	guard(mutex)(&vdev_lock);

	if (ctrl->unregistered)
		return -ENODEV;
	if (vdev_ctrl_connected(ctrl))
		return -EBUSY;
	kref_get(&ctrl->ref);
	s->ctrl = ctrl;
	s->ns = vdev_session_pick_ns(ctrl);
	if (s->ns) {
		s->wce = bdev_write_cache(vdev_ns_bdev(s->ns));
		s->capacity = bdev_nr_sectors(vdev_ns_bdev(s->ns));
	}
	if (ctrl->ops->connect)
		ctrl->ops->connect(ctrl);
	/* An ended session still here drops its own reference. */
	s->prev = ctrl->session ?: ctrl->ending;
	if (s->prev)
		kref_get(&s->prev->ref);
	ctrl->session = s;
	ctrl->state = VDEV_CTRL_STATE_CONNECTED;
	vdev_nl_notify_ctrl(ctrl, VDEV_CMD_CTRL_CHANGE_NTF);
	return 0;
}

/**
 * vdev_session_attach - start a session on an accepted connection
 * @ctrl: the controller (the caller holds a reference)
 * @conn: a connected unix stream socket, checked by the caller
 *
 * Returns 0, -EBUSY while another session is live, -ENODEV if the
 * controller is being deleted, -ESRCH if the front end is gone.
 */
int vdev_session_attach(struct vdev_ctrl *ctrl, struct file *conn)
{
	struct vdev_session *s;
	__poll_t mask;
	int ret;

	s = vdev_session_alloc(ctrl, conn);
	if (IS_ERR(s))
		return PTR_ERR(s);
	ret = vdev_session_publish(ctrl, s);
	if (ret) {
		fput(s->sock_file);
		vdev_session_free(s);
		return ret;
	}
	pr_info("vdev: %s: front end attached (pid %d)\n", ctrl->name,
		pid_nr(s->peer_pid));
	/* A front end that hung up already is caught here. */
	mask = vfs_poll(conn, &s->hup_pt);
	if (mask & VDEV_HUP_MASK)
		vdev_session_end(s, "front end hung up");
	if (s->ns)
		queue_delayed_work(vdev_session_wq, &s->resize_work,
				   VDEV_RESIZE_PERIOD);
	return 0;
}

/**
 * vdev_session_get_live - the controller's live session, with a reference
 * @ctrl: the controller
 *
 * Returns NULL when no front end is attached.
 */
struct vdev_session *vdev_session_get_live(struct vdev_ctrl *ctrl)
{
	struct vdev_session *s;

	guard(mutex)(&vdev_lock);
	s = ctrl->session;
	if (!s || vdev_session_dead(s))
		return NULL;
	kref_get(&s->ref);
	return s;
}

/* Caller holds vdev_lock. */
bool vdev_ctrl_connected(const struct vdev_ctrl *ctrl)
{
	lockdep_assert_held(&vdev_lock);
	return ctrl->session && !vdev_session_dead(ctrl->session);
}

/**
 * vdev_ctrl_end_session - let go of a controller's front end, for deletion
 * @ctrl: the controller
 *
 * Ends the session and drops the listener; the front end sees its
 * connection close. Caller holds vdev_lock.
 */
void vdev_ctrl_end_session(struct vdev_ctrl *ctrl)
{
	lockdep_assert_held(&vdev_lock);

	ctrl->unregistered = true;
	if (ctrl->session) {
		vdev_session_end(ctrl->session, "controller deleted");
		ctrl->session = NULL;
	}
	if (ctrl->listener) {
		fput(ctrl->listener);
		ctrl->listener = NULL;
	}
}

/* --- statistics -------------------------------------------------------- */

static void vdev_queue_stats_read(const struct vdev_queue *q,
				  struct vdev_queue_stats *out)
{
	const struct vdev_queue_stats *st = &q->stats;
	unsigned int seq;

	do {
		seq = u64_stats_fetch_begin(&st->sync);
		memcpy(out, st, sizeof(*out));
	} while (u64_stats_fetch_retry(&st->sync, seq));
}

#define VDEV_PUT64(skb, attr, v) \
	nla_put_u64_64bit(skb, VDEV_A_QUEUE_##attr, v, VDEV_A_QUEUE_PAD)

static int vdev_queue_put_stats(struct sk_buff *skb,
				const struct vdev_queue_stats *st)
{
	return VDEV_PUT64(skb, READS, st->reqs[VDEV_STAT_READ]) ||
	       VDEV_PUT64(skb, READ_BYTES, st->bytes[VDEV_STAT_READ]) ||
	       VDEV_PUT64(skb, WRITES, st->reqs[VDEV_STAT_WRITE]) ||
	       VDEV_PUT64(skb, WRITE_BYTES, st->bytes[VDEV_STAT_WRITE]) ||
	       VDEV_PUT64(skb, FLUSHES, st->reqs[VDEV_STAT_FLUSH]) ||
	       VDEV_PUT64(skb, DISCARDS, st->reqs[VDEV_STAT_DISCARD]) ||
	       VDEV_PUT64(skb, DISCARD_BYTES, st->bytes[VDEV_STAT_DISCARD]) ||
	       VDEV_PUT64(skb, WRITE_ZEROES, st->reqs[VDEV_STAT_WRITE_ZEROES]) ||
	       VDEV_PUT64(skb, WRITE_ZEROES_BYTES,
			  st->bytes[VDEV_STAT_WRITE_ZEROES]) ||
	       VDEV_PUT64(skb, OTHER, st->reqs[VDEV_STAT_GET_ID] +
			  st->reqs[VDEV_STAT_OTHER]) ||
	       VDEV_PUT64(skb, ERRORS, st->errors) ||
	       VDEV_PUT64(skb, UNSUPPORTED, st->unsupported) ||
	       VDEV_PUT64(skb, BAD_CHAINS, st->bad_chains) ||
	       VDEV_PUT64(skb, KICKS, st->kicks) ||
	       VDEV_PUT64(skb, CALLS, st->calls) ||
	       VDEV_PUT64(skb, POLLED, st->polled) ||
	       VDEV_PUT64(skb, REQUEUES, st->requeues);
}

/*
 * Setup fields are read without the session lock, which a draining
 * GET_VRING_BASE may hold for long: a snapshot may be a moment stale.
 */
static int vdev_queue_put(struct sk_buff *skb, const struct vdev_queue *q)
{
	struct vdev_ctrl *ctrl = q->session->ctrl;
	struct vdev_queue_stats st;
	bool started = READ_ONCE(q->started);

	vdev_queue_stats_read(q, &st);
	if (nla_put_u32(skb, VDEV_A_QUEUE_CTRL_ID, ctrl->id) ||
	    nla_put_string(skb, VDEV_A_QUEUE_CTRL_NAME, ctrl->name) ||
	    nla_put_u32(skb, VDEV_A_QUEUE_INDEX, q->index) ||
	    (started && nla_put_flag(skb, VDEV_A_QUEUE_STARTED)) ||
	    (READ_ONCE(q->enabled) && nla_put_flag(skb, VDEV_A_QUEUE_ENABLED)) ||
	    (started && READ_ONCE(q->broken) &&
	     nla_put_flag(skb, VDEV_A_QUEUE_BROKEN)) ||
	    (started && nla_put_u32(skb, VDEV_A_QUEUE_CPU, READ_ONCE(q->cpu))) ||
	    nla_put_u32(skb, VDEV_A_QUEUE_SIZE, READ_ONCE(q->num)) ||
	    nla_put_u32(skb, VDEV_A_QUEUE_INFLIGHT,
			started ? READ_ONCE(q->inflight) : 0))
		return -EMSGSIZE;
	return vdev_queue_put_stats(skb, &st);
}

/**
 * vdev_session_dump_queues - a queue-get dump's messages for a controller
 * @skb: the dump skb
 * @info: the request
 * @ctrl: the controller; nothing when no front end is attached
 * @index: the first queue to put; on -EMSGSIZE, the one that did not fit
 *
 * Caller holds vdev_lock, which keeps ctrl->session's queues allocated.
 */
int vdev_session_dump_queues(struct sk_buff *skb, const struct genl_info *info,
			     struct vdev_ctrl *ctrl, unsigned long *index)
{
	struct vdev_session *s = ctrl->session;
	void *hdr;

	lockdep_assert_held(&vdev_lock);
	if (!s || vdev_session_dead(s))
		return 0;
	for (; *index < s->nr_queues; (*index)++) {
		hdr = vdev_nl_queue_msg_start(skb, info);
		if (!hdr)
			return -EMSGSIZE;
		if (vdev_queue_put(skb, &s->queues[*index])) {
			genlmsg_cancel(skb, hdr);
			return -EMSGSIZE;
		}
		genlmsg_end(skb, hdr);
	}
	return 0;
}

int vdev_session_init(void)
{
	vdev_session_wq = alloc_workqueue("vdev_session", WQ_UNBOUND, 0);
	return vdev_session_wq ? 0 : -ENOMEM;
}

/* After every controller is gone: waits for the last teardowns. */
void vdev_session_exit(void)
{
	destroy_workqueue(vdev_session_wq);
}
