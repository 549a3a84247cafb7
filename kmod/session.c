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
#include <linux/slab.h>
#include <net/sock.h>

#include "mem.h"
#include "poller.h"
#include "session.h"

#define VDEV_HUP_MASK	(EPOLLHUP | EPOLLRDHUP | EPOLLERR)

/* Hang-up checks and teardowns; destroying it at unload waits for them. */
static struct workqueue_struct *vdev_session_wq;

static void vdev_session_free(struct vdev_session *s)
{
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
		q->base = vdev_vring_get_base(&q->vr);
		if (ret)
			return ret;
		vdev_queue_release(q);
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
	kernel_sock_shutdown(s->sock, SHUT_RDWR);
	/* The teardown work inherits ctrl->session's reference. */
	queue_work(vdev_session_wq, &s->teardown_work);
}

static void vdev_session_teardown(struct work_struct *work)
{
	struct vdev_session *s = container_of(work, struct vdev_session,
					      teardown_work);
	struct vdev_ctrl *ctrl = s->ctrl;
	struct vdev_mem *mem;
	u32 i;

	mutex_lock(&vdev_lock);
	if (ctrl->session == s) {
		ctrl->session = NULL;
		ctrl->state = VDEV_CTRL_STATE_IDLE;
		vdev_nl_notify_ctrl(ctrl, VDEV_CMD_CTRL_CHANGE_NTF);
	}
	mutex_unlock(&vdev_lock);

	if (s->hup_wqh)
		remove_wait_queue(s->hup_wqh, &s->hup_wait);
	cancel_work_sync(&s->hup_work);

	/* Requests running now see DEAD once they hold the lock. */
	mutex_lock(&s->lock);
	for (i = 0; i < s->nr_queues; i++)
		vdev_session_reset_queue(&s->queues[i]);
	if (s->backend_file) {
		fput(s->backend_file);
		s->backend_file = NULL;
	}
	mem = rcu_replace_pointer(s->mem, NULL, lockdep_is_held(&s->lock));
	if (mem)
		vdev_mem_put(mem);
	mutex_unlock(&s->lock);
	vdev_session_put(s);
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

	s->nr_queues = ctrl->cfg.num_queues;
	s->queues = kcalloc(s->nr_queues, sizeof(*s->queues), GFP_KERNEL);
	if (!s->queues)
		return -ENOMEM;
	for (i = 0; i < s->nr_queues; i++) {
		s->queues[i].session = s;
		s->queues[i].index = i;
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
	s->msg = kmalloc(VDEV_VU_MSG_MAX, GFP_KERNEL);
	ret = s->msg ? vdev_session_alloc_queues(s, ctrl) : -ENOMEM;
	if (!ret)
		ret = vdev_session_peer(s);
	if (ret) {
		vdev_session_free(s);
		return ERR_PTR(ret);
	}
	kref_init(&s->ref);
	mutex_init(&s->lock);
	INIT_WORK(&s->hup_work, vdev_session_hup_check);
	INIT_WORK(&s->teardown_work, vdev_session_teardown);
	init_waitqueue_func_entry(&s->hup_wait, vdev_session_hup_wake);
	init_poll_funcptr(&s->hup_pt, vdev_session_hup_queue);
	s->sock_file = get_file(conn);
	return s;
}

/* The first (for virtio-blk, only) namespace, with a reference. */
static struct vdev_ns *vdev_session_pick_ns(struct vdev_ctrl *ctrl)
{
	unsigned long key = 0;
	struct vdev_ns *ns;

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
	if (s->ns)
		s->wce = bdev_write_cache(vdev_ns_bdev(s->ns));
	/* An ended session still here drops its own reference. */
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
