// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-blk device type: one disk per controller, served over
 * vhost-user.
 */
#include "vdev.h"

/* virtio 1.x caps a split ring at 32768 entries. */
#define VDEV_BLK_MAX_QUEUE_SIZE	32768

static int vdev_blk_ns_addr_check(struct vdev_ns_addr *addr, bool adding,
				  struct netlink_ext_ack *extack)
{
	int ret;

	ret = vdev_ns_addr_check_nsid(addr, true, "virtio-blk", extack);
	if (ret)
		return ret;
	/* A virtio-blk device is one disk: its only namespace is nsid 1. */
	if (addr->has_nsid && addr->nsid != 1) {
		NL_SET_ERR_MSG(extack, "a virtio-blk controller has one disk: nsid 1");
		return -EINVAL;
	}
	addr->nsid = 1;
	addr->has_nsid = true;
	return 0;
}

static unsigned long vdev_blk_ns_addr_key(const struct vdev_ns_addr *addr)
{
	return addr->nsid;
}

const struct vdev_dev_ops vdev_blk_ops = {
	.name		= "virtio-blk",
	.type		= VDEV_CTRL_TYPE_VIRTIO_BLK,
	.max_queues	= VDEV_MAX_QUEUES,
	.max_queue_size	= VDEV_BLK_MAX_QUEUE_SIZE,
	.max_ns		= 1,
	.ns_addr_check	= vdev_blk_ns_addr_check,
	.ns_addr_key	= vdev_blk_ns_addr_key,
};
