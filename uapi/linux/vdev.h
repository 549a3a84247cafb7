/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vdev: an in-kernel storage target for virtual machines.
 *
 * The one uapi header: the generic netlink family (the block between the
 * "generated" markers is ynl-gen-c output for
 * Documentation/netlink/specs/vdev.yaml; tools/testing/spec-check.sh fails
 * if it drifts) and the ioctls of /dev/vdev.
 */
#ifndef _UAPI_LINUX_VDEV_H
#define _UAPI_LINUX_VDEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* --- generated from Documentation/netlink/specs/vdev.yaml: begin --- */
#define VDEV_FAMILY_NAME	"vdev"
#define VDEV_FAMILY_VERSION	1

#define VDEV_NAME_LEN		32
#define VDEV_MAX_QUEUES		64
#define VDEV_MAX_QUEUE_SIZE	32768
#define VDEV_MAX_POLL_IDLE_US	1000000
#define VDEV_MAX_NSID		1024
#define VDEV_MAX_TARGET		255
#define VDEV_MAX_LUN		16383

/**
 * enum vdev_ctrl_type - The device a controller presents to the guest.
 * @VDEV_CTRL_TYPE_VIRTIO_BLK: virtio-blk over vhost-user; one namespace, nsid
 *   1.
 * @VDEV_CTRL_TYPE_VIRTIO_SCSI: virtio-scsi over vhost-user; LUNs addressed by
 *   target and lun.
 * @VDEV_CTRL_TYPE_NVME: NVMe over vfio-user; namespaces addressed by nsid.
 */
enum vdev_ctrl_type {
	VDEV_CTRL_TYPE_VIRTIO_BLK = 1,
	VDEV_CTRL_TYPE_VIRTIO_SCSI,
	VDEV_CTRL_TYPE_NVME,
};

/**
 * enum vdev_poll_mode - How a controller's queues are watched for new
 *   requests.
 * @VDEV_POLL_MODE_ALWAYS: Busy-poll the queues; never sleep while the guest is
 *   attached.
 * @VDEV_POLL_MODE_ADAPTIVE: Busy-poll while work arrives, sleep on kicks after
 *   poll-idle-us.
 * @VDEV_POLL_MODE_NEVER: Interrupt mode; sleep on kicks, no busy CPU.
 */
enum vdev_poll_mode {
	VDEV_POLL_MODE_ALWAYS = 1,
	VDEV_POLL_MODE_ADAPTIVE,
	VDEV_POLL_MODE_NEVER,
};

/**
 * enum vdev_ctrl_state - Life cycle of a controller.
 * @VDEV_CTRL_STATE_IDLE: No front end attached.
 * @VDEV_CTRL_STATE_CONNECTED: A front end holds a session but the queues are
 *   not running.
 * @VDEV_CTRL_STATE_RUNNING: Queues are being served.
 * @VDEV_CTRL_STATE_FAILED: The device needs a reset from the guest.
 */
enum vdev_ctrl_state {
	VDEV_CTRL_STATE_IDLE = 1,
	VDEV_CTRL_STATE_CONNECTED,
	VDEV_CTRL_STATE_RUNNING,
	VDEV_CTRL_STATE_FAILED,
};

enum {
	VDEV_A_CTRL_ID = 1,
	VDEV_A_CTRL_NAME,
	VDEV_A_CTRL_TYPE,
	VDEV_A_CTRL_NUM_QUEUES,
	VDEV_A_CTRL_QUEUE_SIZE,
	VDEV_A_CTRL_CPUMASK,
	VDEV_A_CTRL_POLL_MODE,
	VDEV_A_CTRL_POLL_IDLE_US,
	VDEV_A_CTRL_SOCKET_PATH,
	VDEV_A_CTRL_SOCKET_UID,
	VDEV_A_CTRL_SOCKET_GID,
	VDEV_A_CTRL_SOCKET_MODE,
	VDEV_A_CTRL_STATE,
	VDEV_A_CTRL_MAX_MEM,
	VDEV_A_CTRL_NUM_NS,
	VDEV_A_CTRL_PAD,

	__VDEV_A_CTRL_MAX,
	VDEV_A_CTRL_MAX = (__VDEV_A_CTRL_MAX - 1)
};

enum {
	VDEV_A_NS_CTRL_ID = 1,
	VDEV_A_NS_CTRL_NAME,
	VDEV_A_NS_NSID,
	VDEV_A_NS_TARGET,
	VDEV_A_NS_LUN,
	VDEV_A_NS_PATH,
	VDEV_A_NS_READ_ONLY,
	VDEV_A_NS_SIZE,
	VDEV_A_NS_LBLK_SIZE,
	VDEV_A_NS_PBLK_SIZE,
	VDEV_A_NS_DISCARD,
	VDEV_A_NS_WRITE_ZEROES,
	VDEV_A_NS_WRITE_CACHE,
	VDEV_A_NS_ROTATIONAL,
	VDEV_A_NS_PAD,

	__VDEV_A_NS_MAX,
	VDEV_A_NS_MAX = (__VDEV_A_NS_MAX - 1)
};

enum {
	VDEV_CMD_CTRL_NEW = 1,
	VDEV_CMD_CTRL_DEL,
	VDEV_CMD_CTRL_GET,
	VDEV_CMD_NS_ADD,
	VDEV_CMD_NS_DEL,
	VDEV_CMD_NS_GET,
	VDEV_CMD_CTRL_NEW_NTF,
	VDEV_CMD_CTRL_DEL_NTF,
	VDEV_CMD_CTRL_CHANGE_NTF,
	VDEV_CMD_NS_ADD_NTF,
	VDEV_CMD_NS_DEL_NTF,

	__VDEV_CMD_MAX,
	VDEV_CMD_MAX = (__VDEV_CMD_MAX - 1)
};

#define VDEV_MCGRP_EVENTS	"events"
/* --- generated from Documentation/netlink/specs/vdev.yaml: end --- */

/*
 * /dev/vdev
 *
 * The character device the front door daemon (vdevd) opens. Every ioctl
 * uses one magic number. Callers need CAP_SYS_ADMIN; the node is 0600.
 */
#define VDEV_IOC_MAGIC		0xBD

/* Version of the ioctl interface; bumped on incompatible change. */
#define VDEV_API_VERSION	1

/* VDEV_IOC_GET_API_VERSION: returns VDEV_API_VERSION in *arg. */
#define VDEV_IOC_GET_API_VERSION	_IOR(VDEV_IOC_MAGIC, 0x00, __u32)

#endif /* _UAPI_LINUX_VDEV_H */
