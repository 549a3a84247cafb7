/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sessions: one front-end (QEMU) connection and the device state it
 * negotiated. See Documentation/design/vhost-user-session.rst.
 */
#ifndef _VDEV_SESSION_H
#define _VDEV_SESSION_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <linux/bio.h>
#include <linux/llist.h>
#include <linux/u64_stats_sync.h>

#include "vdev.h"
#include "vring.h"

struct eventfd_ctx;
struct vdev_mem;
struct vdev_vfu;
struct vdev_poller;
struct vdev_req;

/**
 * struct vdev_mem_gen - a memory table as one queue's requests use it
 * @mem: the table (a reference)
 * @inflight: requests that translated through it and are not reaped
 * @node: in the queue's @old_gens once a newer table is current
 *
 * Only the queue's poller touches a generation after it is installed. An
 * old generation is put when its last request is reaped, so pages stay
 * pinned while a bio may still DMA into them, without a shared count.
 */
struct vdev_mem_gen {
	struct vdev_mem *mem;
	u32 inflight;
	struct list_head node;
};

/**
 * struct vdev_queue_stats - one queue's counters (poller writes, netlink
 *	reads through @sync)
 */
struct vdev_queue_stats {
	struct u64_stats_sync sync;
	u64 reqs[8];		/* by enum vdev_stat_type */
	u64 bytes[8];
	u64 errors;
	u64 unsupported;
	u64 kicks;
	u64 calls;
	u64 requeues;
	u64 polled;
	u64 bad_chains;
};

struct vdev_queue;

/**
 * struct vdev_ring_ops - a queue's ring engine, as the poller drives it
 * @set_mem: a new memory table is current; nonzero when it does not
 *	cover the ring's areas (the queue parks until one does)
 * @pop: fetch the next request into @chain: 1 one came, 0 none, -EBADMSG
 *	a bad one (@chain->head is valid: complete it without data), any
 *	other negative value: the ring is broken
 * @push: hand @req back to the driver; 0 or a negative errno
 * @need_signal: after pushes: 1 the driver wants an interrupt, 0 not,
 *	negative: the ring is broken
 * @enable_notify: ask the driver to notify before it adds work: 1 it
 *	added some meanwhile (look again), 0, or negative: broken
 * @disable_notify: the poller polls the ring: spare the driver its
 *	notifications
 * @take_ctl: optional; on SYNC and attach, take what the control path
 *	set for the queue: the dirty log it writes to (@log), and the
 *	engine's own settings
 *
 * The virtio engine (vring.c) serves vhost-user types; a type with rings
 * of its own (NVMe) names its engine in vdev_dev_ops.ring_ops. Only the
 * queue's poller calls these.
 */
struct vdev_ring_ops {
	int (*set_mem)(struct vdev_queue *q, const struct vdev_mem *mem);
	int (*pop)(struct vdev_queue *q, struct vdev_vring_chain *chain);
	int (*push)(struct vdev_queue *q, struct vdev_req *req);
	int (*need_signal)(struct vdev_queue *q);
	int (*enable_notify)(struct vdev_queue *q);
	void (*disable_notify)(struct vdev_queue *q);
	void (*take_ctl)(struct vdev_queue *q, const struct vdev_mem *log);
};

extern const struct vdev_ring_ops vdev_vring_ops;

/* q->pending bits */
#define VDEV_Q_KICKED		0	/* the front end kicked (wake callback) */
#define VDEV_Q_RECHECK		1	/* look at the ring once more (poller) */

/**
 * struct vdev_queue - one virtqueue of a session
 * @session: owner, no reference (embedded in its array)
 * @rops: the ring engine (set at session creation)
 * @index: vring index
 * @num: SET_VRING_NUM, 0 while unset (L)
 * @desc_uva: SET_VRING_ADDR, QEMU's addresses (L)
 * @avail_uva: (L)
 * @used_uva: (L)
 * @addr_set: SET_VRING_ADDR was applied (L)
 * @log_used: VHOST_VRING_F_LOG: log the used area's writes at @log_addr (L)
 * @log_addr: guest-physical address the used area is logged at (L)
 * @base: SET_VRING_BASE, or where the ring stopped (L)
 * @enabled: SET_VRING_ENABLE (L)
 * @started: SET_VRING_KICK started it; GET_VRING_BASE stops it (L)
 * @parked: started, but the memory table no longer covers its areas (L)
 * @kick: kick eventfd, or NULL (L)
 * @kick_nofd: the ring has no kick fd: it is polled always (L)
 * @call: call eventfd, or NULL: no interrupts (L)
 * @err: error eventfd, or NULL (L)
 * @vr: the ring, set up while @started (poller only while attached)
 * @kick_file: the kick eventfd's file, for the wait entry (L)
 * @kick_wait: our entry on the kick eventfd's wait queue
 * @kick_wqh: the queue it is on, or NULL
 * @kick_pt: the poll table that put it there
 * @gate: the last session's requests may still reach this ring's memory:
 *	fetch nothing until this completes; set before the attach, then
 *	cleared by the poller (poller only while attached)
 * @gate_wait: our entry on @gate_wqh, which is woken as @gate completes
 * @gate_wqh: the wait queue it is on, or NULL (L)
 * @pending: VDEV_Q_KICKED, VDEV_Q_RECHECK
 * @poller: the poller serving it while started
 * @cpu: that poller's CPU (for statistics)
 * @pnode: in the poller's list (poller only)
 * @gen: the current memory generation (poller only while attached)
 * @old_gens: older generations with requests in flight (poller only)
 * @done: completed requests: end_io adds from any context
 * @held: completions of a parked queue, not yet written (poller only)
 * @reqs: preallocated requests, @num of them (allocated at start)
 * @free: indices of free requests (poller only)
 * @nfree: entries in @free
 * @bufs: a chain being parsed (poller only)
 * @bs: bios beyond the one each request embeds
 * @inflight: requests popped and not reaped (poller only)
 * @polled: requests with a polled bio out, oldest first (poller only)
 * @polled_inflight: entries in @polled (poller only)
 * @stopping: set by the STOP command: fetch nothing more (poller only)
 * @broken: ring memory failed or the ring is corrupt: fetch nothing
 * @broken_err: why, as the ring engine said (set before @broken)
 * @idle_since: local_clock() of the first idle pass since the last work,
 *	0 while there is work: adaptive polling's window (poller only)
 * @notify_on: notifications enabled (poller only)
 * @ctl_*: what the control path wants; the poller takes it on SYNC
 * @cur_call: the call eventfd the poller signals (poller only)
 * @cur_err: the err eventfd the poller signals (poller only)
 * @cur_enabled: fetch new chains (poller only)
 * @abandoned: a drain timed out: the ring belongs to the front end again (L)
 * @cur_abandoned: @abandoned as the poller took it: no more ring writes
 * @cur_nofd: no kick fd: fetch on every pass, never sleep on it (poller only)
 * @park_list: requests the type keeps in flight for later
 *	(vdev_req_park())
 * @park_lock: guards @park_list; taken from any process context
 * @dev_flags: the type's own bits for the queue (atomic bitops)
 * @stop_done: completed by the poller once a stopping queue drained
 * @stats: counters
 */
struct vdev_queue {
	struct vdev_session *session;
	const struct vdev_ring_ops *rops;
	u32 index;
	u32 num;
	u64 desc_uva;
	u64 avail_uva;
	u64 used_uva;
	bool addr_set;
	bool log_used;
	u64 log_addr;
	u32 base;
	bool enabled;
	bool started;
	bool parked;
	struct eventfd_ctx *kick;
	bool kick_nofd;
	struct eventfd_ctx *call;
	struct eventfd_ctx *err;
	struct vdev_vring vr;

	struct file *kick_file;
	wait_queue_entry_t kick_wait;
	wait_queue_head_t *kick_wqh;
	poll_table kick_pt;
	struct completion *gate;
	wait_queue_entry_t gate_wait;
	wait_queue_head_t *gate_wqh;
	unsigned long pending;
	struct vdev_poller *poller;
	int cpu;
	struct list_head pnode;
	struct vdev_mem_gen *gen;
	struct list_head old_gens;
	struct llist_head done;
	struct llist_node *held;
	struct vdev_req *reqs;
	u16 *free;
	u32 nfree;
	struct vdev_vring_buf *bufs;
	struct bio_set bs;
	u32 inflight;
	struct list_head polled;
	u32 polled_inflight;
	bool stopping;
	bool broken;
	int broken_err;
	u64 idle_since;
	bool notify_on;
	struct vdev_mem_gen *ctl_gen;
	struct eventfd_ctx *cur_call;
	struct eventfd_ctx *cur_err;
	bool cur_enabled;
	bool cur_nofd;
	bool abandoned;
	bool cur_abandoned;
	struct list_head park_list;
	spinlock_t park_lock;	/* guards park_list */
	unsigned long dev_flags;
	struct completion stop_done;
	struct vdev_queue_stats stats;
};

/* session->flags */
#define VDEV_SESSION_DEAD	0

/**
 * struct vdev_session - one front-end connection and its device state
 * @ref: ctrl->session holds one until the teardown work drops it; every
 *	request ioctl holds one while it runs
 * @ctrl: the controller (holds a reference)
 * @ops: its type, known before @ctrl is set
 * @ns: the disk of a one-disk type (virtio-blk), resolved at attach
 *	(holds a reference), or NULL; types of many LUNs leave it NULL and
 *	look LUNs up per request (vdev_ns_lookup())
 * @lock: serialises requests and teardown; guards the fields marked (L)
 * @flags: VDEV_SESSION_DEAD (atomic bit): ended, nothing new applies
 * @sock_file: the held connection
 * @sock: its socket
 * @hup_wait: our entry on the socket's wait queue
 * @hup_wqh: the wait queue it is on, NULL before attach completes
 * @hup_pt: the poll table that put it there
 * @hup_work: confirms a hang-up the wake callback saw, and ends the session
 * @teardown_work: releases what an ended session holds
 * @peer_pid: the front end's process
 * @peer_mm: its address space (mmgrab), charged for pinned guest memory
 * @features: acked virtio features (L)
 * @features_set: SET_FEATURES was applied (L)
 * @protocol_features: acked protocol features (L)
 * @status: device status byte (L); an NVMe controller keeps DRIVER_OK
 *	there while CSTS.RDY is 1
 * @owner_set: SET_OWNER was seen (L)
 * @wce: the write-cache-enable byte of the config space (L)
 * @backend_file: the SET_BACKEND_REQ_FD channel, or NULL (L)
 * @capacity: the disk size the guest was last told of, in sectors (L)
 * @notice_pending: a config change notice is still to be sent (L)
 * @resize_work: compares the disk's size with @capacity once a second
 * @state_work: brings the controller's state in line with the session's
 * @drain_wq: woken when a stopping ring drains and when the session ends
 * @mem: the guest memory table, or NULL; written under @lock, read under
 *	RCU or @lock; the session holds one reference
 * @log_base: the dirty log SET_LOG_BASE gave, or NULL (L)
 * @inflight: the inflight region (GET/SET_INFLIGHT_FD) as a pinned table
 *	of one region at 0, or NULL (L)
 * @inflight_queues: rings @inflight has a part for (L)
 * @inflight_queue_size: the ring size its parts are laid out for (L)
 * @prev: the controller's previous session when it had not finished
 *	ending as this one attached (a reference), or NULL (L)
 * @rings_quiet: completed once no ring of this session writes any more:
 *	a ring the next session tracks waits for it
 * @rings_idle: completed once no request of this session is out any
 *	more, the ones its rings abandoned too: the next session's rings
 *	fetch nothing before (vdev_queue_gate())
 * @dirty_log: what the data path logs its guest writes to: @log_base while
 *	VHOST_F_LOG_ALL is acked, else NULL; written under @lock, read under
 *	RCU (vdev_req_log()) or taken by the pollers on SYNC
 * @nr_queues: entries in @queues: the controller's num-queues, plus the
 *	type's extra queues
 * @queues: the virtqueues, or a vfio-user type's submission queues
 * @vfu: vfio-user state, or NULL: the session speaks vhost-user
 * @dev: the device type's state of the session (ops->session_init), or
 *	NULL
 * @msg: scratch for one message: peeks, the consumed bytes, replies (L)
 */
struct vdev_session {
	struct kref ref;
	struct vdev_ctrl *ctrl;
	const struct vdev_dev_ops *ops;
	struct vdev_ns *ns;
	struct mutex lock;	/* requests, teardown; fields marked (L) */
	unsigned long flags;

	struct file *sock_file;
	struct socket *sock;
	wait_queue_entry_t hup_wait;
	wait_queue_head_t *hup_wqh;
	poll_table hup_pt;
	struct work_struct hup_work;
	struct work_struct teardown_work;
	struct pid *peer_pid;
	struct mm_struct *peer_mm;

	u64 features;
	bool features_set;
	u64 protocol_features;
	u8 status;
	bool owner_set;
	u8 wce;
	struct file *backend_file;
	u64 capacity;
	bool notice_pending;
	struct delayed_work resize_work;
	struct work_struct state_work;
	wait_queue_head_t drain_wq;
	struct vdev_mem __rcu *mem;
	struct vdev_mem *log_base;
	struct vdev_mem __rcu *dirty_log;
	struct vdev_mem *inflight;
	u16 inflight_queues;
	u16 inflight_queue_size;
	struct vdev_session *prev;
	struct completion rings_quiet;
	struct completion rings_idle;
	u32 nr_queues;
	struct vdev_queue *queues;
	struct vdev_vfu *vfu;
	void *dev;

	u8 *msg;
};

/* The 12-byte vhost-user header, as the wire has it. */
struct vdev_vu_wire_hdr {
	__le32 request;
	__le32 flags;
	__le32 size;
} __packed;

#define VDEV_VU_HDR_SIZE	sizeof(struct vdev_vu_wire_hdr)
#define VDEV_VU_MSG_MAX		(VDEV_VU_HDR_SIZE + VDEV_VU_MAX_PAYLOAD)

int vdev_session_attach(struct vdev_ctrl *ctrl, struct file *conn);
struct vdev_session *vdev_session_get_live(struct vdev_ctrl *ctrl);
void vdev_session_put(struct vdev_session *s);
void vdev_session_end(struct vdev_session *s, const char *why);
void vdev_session_state_changed(struct vdev_session *s);
bool vdev_session_broken(const struct vdev_session *s);

unsigned long vdev_session_drain_jiffies(void);
int vdev_session_stop_queue(struct vdev_queue *q, bool bounded);
void vdev_session_reset_queue(struct vdev_queue *q);

static inline bool vdev_session_dead(const struct vdev_session *s)
{
	return test_bit(VDEV_SESSION_DEAD, &s->flags);
}

#endif /* _VDEV_SESSION_H */
