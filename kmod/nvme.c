// SPDX-License-Identifier: GPL-2.0
/*
 * The NVMe device type: namespaces addressed by nsid, served over
 * vfio-user.
 */
#include "vdev.h"

/* CAP.MQES is 16 bits, but nobody needs more than 4096 entries a queue. */
#define VDEV_NVME_MAX_QUEUE_SIZE	4096

static int vdev_nvme_ns_addr_check(struct vdev_ns_addr *addr, bool adding,
				   struct netlink_ext_ack *extack)
{
	return vdev_ns_addr_check_nsid(addr, adding, "nvme", extack);
}

static unsigned long vdev_nvme_ns_addr_key(const struct vdev_ns_addr *addr)
{
	return addr->nsid;
}

const struct vdev_dev_ops vdev_nvme_ops = {
	.name		= "nvme",
	.type		= VDEV_CTRL_TYPE_NVME,
	.max_queues	= VDEV_MAX_QUEUES,
	.max_queue_size	= VDEV_NVME_MAX_QUEUE_SIZE,
	.max_ns		= VDEV_MAX_NSID,
	.ns_addr_check	= vdev_nvme_ns_addr_check,
	.ns_addr_key	= vdev_nvme_ns_addr_key,
};
