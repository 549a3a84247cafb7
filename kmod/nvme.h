/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The NVMe controller of a vfio-user session, shared by nvme.c (the PCI
 * function and its registers) and nvme_ctrl.c (queues and commands).
 */
#ifndef _VDEV_NVME_H
#define _VDEV_NVME_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "nvme_admin.h"
#include "nvme_dptr.h"
#include "nvme_queue.h"
#include "nvme_regs.h"
#include "session.h"

/* Data segments one I/O command may have, merged (chain_max). */
#define VDEV_NVME_MAX_SEGS	256

struct page;
struct file;

/**
 * struct vdev_nvme_cqx - a completion queue and what its SQs share of it
 * @lock: serialises posting between the SQs of the queue, which may be
 *	served by different pollers (one SQ per CQ, as Linux has it, never
 *	contends)
 * @cq: the ring (@lock)
 * @reserved: entries promised to commands fetched and not yet completed
 *	(@lock): an SQ fetches only while the CQ has room for what it owes,
 *	so a completion always finds a free entry
 * @posted: entries posted since the last interrupt (@lock)
 * @ien: interrupts enabled
 * @vector: its MSI-X vector
 */
struct vdev_nvme_cqx {
	spinlock_t lock;	/* posting on @cq */
	struct vdev_nvme_cq cq;
	u32 reserved;
	bool posted;
	bool ien;
	u16 vector;
};

/**
 * struct vdev_nvme_sqx - a submission queue as its poller runs it
 * @sq: the ring (its poller)
 * @cqx: its completion queue
 * @db: the doorbells as this queue reads them (its poller; changed by
 *	SYNC from @db_ctl)
 * @db_ctl: what the control path wants in @db (nvme->lock)
 * @log: the dirty log completions go to, or NULL (its poller)
 * @cmd: the command just fetched, for the type's execute (its poller)
 * @segs: a command's data segments as its data pointer says (its poller)
 * @reported: its break was reported to the host (nvme->lock)
 */
struct vdev_nvme_sqx {
	struct vdev_nvme_sq sq;
	struct vdev_nvme_cqx *cqx;
	struct vdev_nvme_db db;
	struct vdev_nvme_db db_ctl;
	const struct vdev_mem *log;
	struct nvme_command cmd;
	struct vdev_nvme_seg segs[VDEV_NVME_MAX_SEGS];
	bool reported;
};

/**
 * struct vdev_nvme - the NVMe controller of a session
 * @s: the session (no reference: it owns us)
 * @regs: config space and BAR0 (session lock)
 * @db_page: the doorbell page, BAR0 + 0x1000: the guest writes it through
 *	the client's mapping, or the transport for a REGION_WRITE; the
 *	pollers read it
 * @db_file: the anon-inode file that maps @db_page, made on the first
 *	GET_REGION_INFO that offers the mapping (session lock); it holds
 *	its own reference on the page, so a mapping outlives the session
 * @mapped: the client may mmap the doorbells (poll=always)
 * @lock: the admin state below; taken by admin commands (process
 *	context) and the reset, never held while the admin queue drains
 * @admin: queue table, features, events, logs (@lock; its error log
 *	under @err_lock too, since pollers record I/O errors)
 * @err_lock: the error log: taken inside @lock, and alone by pollers
 * @enabled: CC.EN is 1 and the admin queue runs (session lock and @lock)
 * @page_shift: CC.MPS as a shift, fixed while enabled (@lock)
 * @shadow: Doorbell Buffer Config's shadow doorbell buffer, 0: none (@lock)
 * @eventidx: and its event index buffer (@lock)
 * @ka_last: jiffies of the last Keep Alive (or of setting the timer)
 *	(@lock)
 * @ka_work: checks the Keep Alive Timer while one is set
 * @sqx: submission queues by id; a started one is s->queues[id]
 * @cqx: completion queues by id
 */
struct vdev_nvme {
	struct vdev_session *s;
	struct vdev_nvme_regs regs;
	struct page *db_page;
	struct file *db_file;
	bool mapped;

	struct mutex lock;	/* admin state; see above */
	struct vdev_nvme_admin admin;
	spinlock_t err_lock;	/* admin.err; see above */
	bool enabled;
	unsigned int page_shift;
	u64 shadow;
	u64 eventidx;
	unsigned long ka_last;
	struct delayed_work ka_work;
	struct vdev_nvme_sqx sqx[VDEV_NVME_MAX_QID + 1];
	struct vdev_nvme_cqx cqx[VDEV_NVME_MAX_QID + 1];
};

static inline struct vdev_nvme *vdev_nvme_of(const struct vdev_session *s)
{
	return s->dev;
}

/* nvme_ctrl.c */
extern const struct vdev_ring_ops vdev_nvme_ring_ops;
int vdev_nvme_enable(struct vdev_nvme *n);
void vdev_nvme_disable(struct vdev_nvme *n, bool shutdown);
void vdev_nvme_kick(struct vdev_nvme *n, u32 qid, bool cq);
void vdev_nvme_ctrl_init(struct vdev_nvme *n, const struct vdev_ctrl *ctrl);
void vdev_nvme_ctrl_exit(struct vdev_nvme *n);
u32 vdev_nvme_chain_max(const struct vdev_ctrl *ctrl);
void vdev_nvme_req_execute(struct vdev_req *req,
			   struct vdev_vring_chain *chain);
void vdev_nvme_req_complete(struct vdev_req *req, bool write_ok);
void vdev_nvme_ns_event(struct vdev_ns *ns, bool added);
void vdev_nvme_session_state(struct vdev_session *s);
int vdev_nvme_ns_init(struct vdev_ns *ns);
void vdev_nvme_ns_resized(struct vdev_ns *ns);
void vdev_nvme_ns_free(struct vdev_ns *ns);

#endif /* _VDEV_NVME_H */
