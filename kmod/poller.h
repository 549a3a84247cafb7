/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data path: polling kthreads, the requests they fetch from the rings,
 * and the bios those become.
 */
#ifndef _VDEV_POLLER_H
#define _VDEV_POLLER_H

#include <linux/bio.h>
#include <linux/completion.h>
#include <linux/llist.h>
#include <linux/nvme.h>
#include <linux/workqueue.h>

#include "session.h"

/* Bio vecs a request carries inline; longer ones allocate from q->bs. */
#define VDEV_REQ_INLINE_VECS	16
/* Chains fetched from one ring per poller iteration. */
#define VDEV_POLL_BATCH		64

/* What a request did, for the statistics. */
enum vdev_stat_type {
	VDEV_STAT_READ,
	VDEV_STAT_WRITE,
	VDEV_STAT_FLUSH,
	VDEV_STAT_DISCARD,
	VDEV_STAT_WRITE_ZEROES,
	VDEV_STAT_GET_ID,
	VDEV_STAT_OTHER,
};

/**
 * struct vdev_req_scsi - a virtio-scsi request's outcome, for its completion
 * @resp_gpa: guest address of the response (0: none to write)
 * @buf: a parameter list kept for the slow path (kmalloc), or NULL
 * @data_len: data bytes the chain offers, either way: the residual of a
 *	command that moved nothing
 * @xfer_len: data-in bytes written when the command succeeds
 * @resid: the residual when it succeeds
 * @kind: command, task management or asynchronous notification
 * @op: enum vdev_scsi_op, for the sense of an I/O error
 * @response: the virtio-scsi response (VIRTIO_SCSI_S_*)
 * @status: SCSI status
 * @key: sense key of a CHECK CONDITION
 * @asc: its additional sense code
 * @ascq: and qualifier
 * @tmf: task management function (VIRTIO_SCSI_T_TMF_*)
 * @target: the target a task management function or an event names
 * @lun: the LUN an event names
 * @event: an event's type (0: none, VIRTIO_SCSI_T_NO_EVENT)
 * @reason: and its reason
 * @nranges: UNMAP: ranges in @buf
 */
struct vdev_req_scsi {
	u64 resp_gpa;
	void *buf;
	u32 data_len;
	u32 xfer_len;
	u32 resid;
	u8 kind;
	u8 op;
	u8 response;
	u8 status;
	u8 key;
	u8 asc;
	u8 ascq;
	u8 tmf;
	u8 target;
	u16 lun;
	u32 event;
	u32 reason;
	u32 nranges;
};

/**
 * struct vdev_req_nvme - an NVMe command in flight, for its completion
 * @cmd: the submission queue entry as it was fetched
 * @dw0: completion dword 0
 * @status: NVME_SC_* (0: success)
 * @dnr: Do Not Retry: the same command would fail again
 * @fua: Write Zeroes with FUA: flush once the zeroes are written
 * @op: enum vdev_nvme_io_op of an I/O command, for its error status
 * @ranges: Dataset Management's ranges for the slow path (kmalloc), or NULL
 */
struct vdev_req_nvme {
	struct nvme_command cmd;
	u32 dw0;
	u16 status;
	bool dnr;
	bool fua;
	u8 op;
	void *ranges;
};

/**
 * struct vdev_req - one descriptor chain in flight
 * @q: the queue it came from
 * @head: what vdev_vring_push() needs
 * @gen: the memory generation its guest addresses were translated with
 * @ns: the namespace it was looked up on, a reference put when it is
 *	reaped; NULL for a type that resolves its disk at attach
 * @status_gpa: guest address of the status byte (0: none, a bad chain)
 * @written: bytes written into the chain, for the used entry
 * @status: the status byte to write
 * @bio_status: the first error a bio of it ended with, for the type's
 *	completion (written from end_io, read once it is reaped)
 * @stat: enum vdev_stat_type
 * @bytes: data bytes, for the statistics
 * @remaining: bios (and the submitter's bias) outstanding
 * @done_node: in q->done
 * @work: the slow path (discard, write zeroes)
 * @sector: first sector, for the slow path
 * @seg_gpa: guest address of the slow path's segment table
 * @nseg: its entries
 * @flags: the request's flags word (write zeroes: UNMAP)
 * @polled: its one bio went out REQ_POLLED | REQ_NOWAIT
 * @again: the device had no room (BLK_STS_AGAIN): send it again
 * @retries: times it was sent again
 * @pnode: in the queue's list of polled requests (poller only), or, for
 *	a request without bios, in its list of parked ones (q->park_lock)
 * @scsi: virtio-scsi's outcome, for ops->req_complete
 * @nvme: NVMe's command and outcome
 * @bio: the first bio, embedded
 * @vecs: its vecs
 */
struct vdev_req {
	struct vdev_queue *q;
	struct vdev_vring_head head;
	struct vdev_mem_gen *gen;
	struct vdev_ns *ns;
	u64 status_gpa;
	u32 written;
	u8 status;
	u8 stat;
	blk_status_t bio_status;
	u64 bytes;
	atomic_t remaining;
	struct llist_node done_node;
	struct work_struct work;
	u64 sector;
	u64 seg_gpa;
	u32 nseg;
	u32 flags;
	bool polled;
	bool again;
	u8 retries;
	struct list_head pnode;
	union {
		struct vdev_req_scsi scsi;
		struct vdev_req_nvme nvme;
	};
	struct bio bio;
	struct bio_vec vecs[VDEV_REQ_INLINE_VECS];
};

/* poller.c */
int vdev_poller_init(void);
void vdev_poller_exit(void);
int vdev_queue_prepare_start(struct vdev_queue *q, struct vdev_mem *mem);
void vdev_queue_unprepare(struct vdev_queue *q);
void vdev_queue_gate(struct vdev_queue *q, struct completion *gate,
		     wait_queue_head_t *wqh);
void vdev_queue_attach(struct vdev_queue *q);
void vdev_queue_sync(struct vdev_queue *q);
void vdev_queue_kick(struct vdev_queue *q);
int vdev_queue_stop(struct vdev_queue *q, unsigned long timeout);
int vdev_queue_quiesce(struct vdev_queue *q, unsigned long timeout);
void vdev_queue_release(struct vdev_queue *q);
struct vdev_mem_gen *vdev_mem_gen_alloc(struct vdev_mem *mem);
void vdev_mem_gen_free(struct vdev_mem_gen *gen);
void vdev_req_end(struct vdev_req *req);
void vdev_req_log(struct vdev_req *req, u64 gpa, u64 len);
int vdev_req_write(struct vdev_req *req, u64 gpa, const void *buf, size_t len);
int vdev_req_take_head(struct vdev_req *req, struct vdev_vring_chain *chain,
		       void *dst, u32 len);
void vdev_req_park(struct vdev_req *req);
struct vdev_req *vdev_req_unpark(struct vdev_queue *q);
struct vdev_req *vdev_req_unpark_match(struct vdev_queue *q,
				       bool (*match)(const struct vdev_req *req,
						     const void *arg),
				       const void *arg);

/* bio.c */
int vdev_bio_submit_rw(struct vdev_req *req, struct block_device *bdev,
		       blk_opf_t opf, u64 sector,
		       const struct vdev_vring_buf *bufs, unsigned int nbufs);
void vdev_bio_submit_flush(struct vdev_req *req, struct block_device *bdev);
void vdev_req_slow(struct vdev_req *req, work_func_t fn);
void vdev_bio_resubmit(struct vdev_req *req);
int vdev_bio_init(void);
void vdev_bio_exit(void);

#endif /* _VDEV_POLLER_H */
