// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-scsi device type: LUNs addressed by target and lun, served
 * over vhost-user.
 */
#include "vdev.h"

#define VDEV_SCSI_MAX_QUEUE_SIZE	32768
#define VDEV_SCSI_MAX_LUNS		256
#define VDEV_SCSI_LUN_BITS		14	/* VDEV_MAX_LUN is 16383 */

static int vdev_scsi_ns_addr_check(struct vdev_ns_addr *addr, bool adding,
				   struct netlink_ext_ack *extack)
{
	if (addr->has_nsid) {
		NL_SET_ERR_MSG(extack,
			       "virtio-scsi LUNs are addressed by target and lun, not nsid");
		return -EINVAL;
	}
	if (!addr->has_target || !addr->has_lun) {
		NL_SET_ERR_MSG(extack, "virtio-scsi LUNs need both a target and a lun");
		return -EINVAL;
	}
	return 0;
}

static unsigned long vdev_scsi_ns_addr_key(const struct vdev_ns_addr *addr)
{
	return ((unsigned long)addr->target << VDEV_SCSI_LUN_BITS) | addr->lun;
}

const struct vdev_dev_ops vdev_scsi_ops = {
	.name		= "virtio-scsi",
	.type		= VDEV_CTRL_TYPE_VIRTIO_SCSI,
	.max_queues	= VDEV_MAX_QUEUES,
	.max_queue_size	= VDEV_SCSI_MAX_QUEUE_SIZE,
	.max_ns		= VDEV_SCSI_MAX_LUNS,
	.ns_addr_check	= vdev_scsi_ns_addr_check,
	.ns_addr_key	= vdev_scsi_ns_addr_key,
};
