/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-user sessions: the transport of NVMe controllers. See
 * Documentation/design/nvme-vfio-user.rst.
 */
#ifndef _VDEV_VFU_H
#define _VDEV_VFU_H

#include <linux/types.h>
#include <uapi/linux/vfio.h>

#include "vdev.h"

struct eventfd_ctx;
struct vdev_session;

/* MSI-X vectors: one per I/O queue and one for the admin queue. */
#define VDEV_VFU_MAX_IRQS	(VDEV_MAX_QUEUES + 1)

/* The wire's DMA_MAP, DMA_UNMAP and info payloads, in bytes. */
#define VDEV_VFU_DMA_MAP_SIZE	32
#define VDEV_VFU_DMA_UNMAP_SIZE	24
#define VDEV_VFU_DEV_INFO_SIZE	16
#define VDEV_VFU_IRQ_INFO_SIZE	16

/**
 * struct vdev_vfu_region - what a device tells of one of its regions
 * @size: bytes; 0: the region does not exist
 * @flags: VFIO_REGION_INFO_FLAG_READ, _WRITE
 * @mmap_offset: start of the one area the client may mmap, if @mmap_size
 * @mmap_size: its size; 0: nothing may be mapped
 */
struct vdev_vfu_region {
	u64 size;
	u32 flags;
	u64 mmap_offset;
	u64 mmap_size;
};

/**
 * struct vdev_vfu - a vfio-user session's transport state
 * @versioned: VERSION was negotiated; nothing else is taken before
 * @irq: the MSI-X eventfds' files SET_IRQS assigned, or NULL (session
 *	lock; the data path takes its own eventfd references from them, as
 *	its queues' call eventfds)
 * @nr_irqs: MSI-X vectors of the device
 * @reply: the reply being built: header and payload
 */
struct vdev_vfu {
	bool versioned;
	struct file *irq[VDEV_VFU_MAX_IRQS];
	u32 nr_irqs;
	u8 reply[VDEV_VFU_MAX_MSG];
};

int vdev_vfu_session_init(struct vdev_session *s,
			  const struct vdev_ctrl *ctrl);
void vdev_vfu_session_free(struct vdev_session *s);
bool vdev_vfu_ioctl_known(unsigned int cmd);
long vdev_vfu_ioctl(struct vdev_ctrl *ctrl, unsigned int cmd,
		    void __user *uarg);

/* What the transport asks of its device (nvme.c). */
int vdev_nvme_session_init(struct vdev_session *s,
			   const struct vdev_ctrl *ctrl);
void vdev_nvme_session_free(struct vdev_session *s);
u32 vdev_nvme_nr_vectors(const struct vdev_session *s);
void vdev_nvme_region(const struct vdev_session *s, u32 index,
		      struct vdev_vfu_region *r);
int vdev_nvme_region_read(struct vdev_session *s, u32 index, u64 off,
			  void *buf, u32 len);
int vdev_nvme_region_write(struct vdev_session *s, u32 index, u64 off,
			   const void *buf, u32 len);
struct file *vdev_nvme_db_file(struct vdev_session *s);
void vdev_nvme_device_reset(struct vdev_session *s);
void vdev_nvme_irqs_changed(struct vdev_session *s);

#endif /* _VDEV_VFU_H */
