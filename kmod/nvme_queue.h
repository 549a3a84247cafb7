/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe submission and completion queues in guest memory: fetching
 * commands, posting completions with the phase tag, and the doorbells
 * they are driven by (the doorbell page, or the shadow doorbells of
 * Doorbell Buffer Config). No I/O happens here; one poller owns a queue.
 */
#ifndef _VDEV_NVME_QUEUE_H
#define _VDEV_NVME_QUEUE_H

#include <linux/nvme.h>
#include <linux/types.h>

struct vdev_mem;

#define VDEV_NVME_SQE_SIZE	64
#define VDEV_NVME_CQE_SIZE	16

/**
 * struct vdev_nvme_db - where a controller's doorbells are read
 * @page: the doorbell page (BAR0 + 0x1000): dword 2y is SQ y's tail,
 *	2y + 1 CQ y's head, little-endian, written by the guest through a
 *	mapping or by the transport for a REGION_WRITE
 * @shadow: guest address of the shadow doorbell buffer, laid out as
 *	@page; 0 until Doorbell Buffer Config, and from then on the
 *	doorbells the controller reads (NVMe Base 2.0, 5.8)
 * @eventidx: guest address of the event index buffer, same layout,
 *	where the controller says which doorbell value it wants to be told
 *	of through @page
 */
struct vdev_nvme_db {
	__le32 *page;
	u64 shadow;
	u64 eventidx;
};

/**
 * struct vdev_nvme_cq - a completion queue
 * @base: guest address of entry 0 (page aligned: Create I/O CQ and ACQ
 *	have 4 KiB granularity, so an entry never straddles a page)
 * @size: entries
 * @qid: queue id, for its head doorbell
 * @tail: next entry the controller posts
 * @head: the host's head as last read from its doorbell
 * @phase: phase tag of the entries posted in this pass over the queue
 */
struct vdev_nvme_cq {
	u64 base;
	u16 size;
	u16 qid;
	u16 tail;
	u16 head;
	bool phase;
};

/**
 * struct vdev_nvme_sq - a submission queue
 * @base: guest address of entry 0
 * @size: entries
 * @qid: queue id, for its tail doorbell and the CQEs
 * @head: next entry the controller fetches
 * @tail: the host's tail as last read from its doorbell
 * @cq: the completion queue its commands complete on
 */
struct vdev_nvme_sq {
	u64 base;
	u16 size;
	u16 qid;
	u16 head;
	u16 tail;
	struct vdev_nvme_cq *cq;
};

void vdev_nvme_cq_init(struct vdev_nvme_cq *cq, u16 qid, u64 base, u16 size);
void vdev_nvme_sq_init(struct vdev_nvme_sq *sq, u16 qid, u64 base, u16 size,
		       struct vdev_nvme_cq *cq);
int vdev_nvme_sq_pop(struct vdev_nvme_sq *sq, const struct vdev_mem *mem,
		     const struct vdev_nvme_db *db, struct nvme_command *cmd);
int vdev_nvme_sq_enable_notify(struct vdev_nvme_sq *sq,
			       const struct vdev_mem *mem,
			       const struct vdev_nvme_db *db);
int vdev_nvme_cq_space(struct vdev_nvme_cq *cq, const struct vdev_mem *mem,
		       const struct vdev_nvme_db *db);
int vdev_nvme_cq_enable_notify(struct vdev_nvme_cq *cq,
			       const struct vdev_mem *mem,
			       const struct vdev_nvme_db *db);
int vdev_nvme_cq_post(struct vdev_nvme_cq *cq, const struct vdev_mem *mem,
		      const struct vdev_mem *log, const struct vdev_nvme_db *db,
		      const struct nvme_completion *cqe);

#endif /* _VDEV_NVME_QUEUE_H */
