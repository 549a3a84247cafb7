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
#include <linux/const.h>
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
#define VDEV_MAX_SERIAL_LEN	20
#define VDEV_MAX_VENDOR_LEN	8
#define VDEV_MAX_PRODUCT_LEN	16

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
	VDEV_A_NS_SERIAL,
	VDEV_A_NS_VENDOR,
	VDEV_A_NS_PRODUCT,
	VDEV_A_NS_SHARED,
	VDEV_A_NS_GONE,

	__VDEV_A_NS_MAX,
	VDEV_A_NS_MAX = (__VDEV_A_NS_MAX - 1)
};

enum {
	VDEV_A_QUEUE_CTRL_ID = 1,
	VDEV_A_QUEUE_CTRL_NAME,
	VDEV_A_QUEUE_INDEX,
	VDEV_A_QUEUE_STARTED,
	VDEV_A_QUEUE_ENABLED,
	VDEV_A_QUEUE_BROKEN,
	VDEV_A_QUEUE_CPU,
	VDEV_A_QUEUE_SIZE,
	VDEV_A_QUEUE_INFLIGHT,
	VDEV_A_QUEUE_READS,
	VDEV_A_QUEUE_READ_BYTES,
	VDEV_A_QUEUE_WRITES,
	VDEV_A_QUEUE_WRITE_BYTES,
	VDEV_A_QUEUE_FLUSHES,
	VDEV_A_QUEUE_DISCARDS,
	VDEV_A_QUEUE_DISCARD_BYTES,
	VDEV_A_QUEUE_WRITE_ZEROES,
	VDEV_A_QUEUE_WRITE_ZEROES_BYTES,
	VDEV_A_QUEUE_OTHER,
	VDEV_A_QUEUE_ERRORS,
	VDEV_A_QUEUE_UNSUPPORTED,
	VDEV_A_QUEUE_BAD_CHAINS,
	VDEV_A_QUEUE_KICKS,
	VDEV_A_QUEUE_CALLS,
	VDEV_A_QUEUE_PAD,
	VDEV_A_QUEUE_POLLED,
	VDEV_A_QUEUE_REQUEUES,

	__VDEV_A_QUEUE_MAX,
	VDEV_A_QUEUE_MAX = (__VDEV_A_QUEUE_MAX - 1)
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
	VDEV_CMD_QUEUE_GET,
	VDEV_CMD_NS_RESIZE,
	VDEV_CMD_NS_CHANGE_NTF,

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

/*
 * Handle ioctls (0x01-0x0f). An open /dev/vdev is a *handle*; BIND ties it
 * to one controller for its life and makes it that controller's *owner*
 * (at most one). Every other ioctl needs a bound handle that owns its
 * controller (EPERM otherwise).
 *
 * Every struct starts with argsz (the caller's sizeof; at least the first
 * version's size) and flags (unknown bits: EINVAL). The kernel writes back
 * at most argsz bytes. Padding must be zero.
 */

/* Fds one vhost-user message may carry. */
#define VDEV_VU_MAX_FDS		8
/* Framing limit of a vhost-user payload; larger: disconnect. */
#define VDEV_VU_MAX_PAYLOAD	4096
/* Regions in one SET_MEM_TABLE. */
#define VDEV_VU_MAX_REGIONS	8
/* Memory slots offered through GET_MAX_MEM_SLOTS. */
#define VDEV_VU_MAX_MEM_SLOTS	32
/* Bytes of device config space. */
#define VDEV_VU_MAX_CONFIG	256

/* Bind by @name instead of @ctrl_id. */
#define VDEV_BIND_BY_NAME	_BITUL(0)

/**
 * struct vdev_bind - VDEV_IOC_BIND: own a controller
 * @argsz: sizeof(struct vdev_bind)
 * @flags: VDEV_BIND_BY_NAME
 * @ctrl_id: in unless VDEV_BIND_BY_NAME; out always
 * @listener_fd: out: a new O_CLOEXEC fd of the held listening socket, or -1
 * @conn_fd: out: a new O_CLOEXEC fd of the live connection, or -1
 * @state: out: enum vdev_ctrl_state
 * @name: in with VDEV_BIND_BY_NAME (NUL-terminated); out always
 *
 * Errors: ENOENT no such controller, EBUSY owned by another handle, EINVAL
 * handle already bound or name unterminated, EOPNOTSUPP type not served
 * over vhost-user.
 */
struct vdev_bind {
	__u32 argsz;
	__u32 flags;
	__u32 ctrl_id;
	__s32 listener_fd;
	__s32 conn_fd;
	__u32 state;
	char name[VDEV_NAME_LEN];
};

/* SET_LISTENER: replace a held listener instead of failing EEXIST. */
#define VDEV_FD_REPLACE		_BITUL(0)

/**
 * struct vdev_fd_arg - an fd argument
 * @argsz: sizeof(struct vdev_fd_arg)
 * @flags: VDEV_FD_REPLACE (SET_LISTENER only)
 * @fd: the file descriptor; -1 where none is taken
 * @pad: zero
 */
struct vdev_fd_arg {
	__u32 argsz;
	__u32 flags;
	__s32 fd;
	__u32 pad;
};

/**
 * enum vdev_vu_action - what became of a vhost-user message
 * @VDEV_VU_APPLIED: applied, no reply due
 * @VDEV_VU_REPLIED: applied, reply sent
 * @VDEV_VU_REFUSED: not applied, error reply sent
 * @VDEV_VU_DISCONNECTED: session ended (refused without an error form, or
 *	the reply could not be sent)
 */
enum vdev_vu_action {
	VDEV_VU_APPLIED = 1,
	VDEV_VU_REPLIED,
	VDEV_VU_REFUSED,
	VDEV_VU_DISCONNECTED,
};

/**
 * struct vdev_vu_hdr - the envelope that starts every request ioctl
 * @argsz: sizeof the whole request struct
 * @flags: none yet: 0
 * @request: the peeked vhost-user header's request, as is
 * @msg_flags: the peeked header's flags
 * @msg_size: the peeked header's payload size
 * @nfds: fds that came with the message (<= VDEV_VU_MAX_FDS)
 * @fds: the peeked fds in order; -1 past @nfds
 * @result: out: 0 or a positive errno of the refusal
 * @action: out: enum vdev_vu_action
 *
 * The kernel compares @request, @msg_flags and @msg_size with the next
 * message on the held connection (EBADMSG if they differ, EAGAIN if it has
 * not fully arrived), applies it, consumes its bytes and sends the reply.
 * An ioctl that returns -1 consumed nothing; one that returns 0 consumed
 * the message.
 */
struct vdev_vu_hdr {
	__u32 argsz;
	__u32 flags;
	__u32 request;
	__u32 msg_flags;
	__u32 msg_size;
	__u32 nfds;
	__s32 fds[VDEV_VU_MAX_FDS];
	__u32 result;
	__u32 action;
};

/* GET/SET_FEATURES, GET/SET_PROTOCOL_FEATURES, GET_QUEUE_NUM, ... */
struct vdev_vu_u64 {
	struct vdev_vu_hdr hdr;
	__u64 value;
};

/* SET_VRING_NUM/BASE/ENABLE, GET_VRING_BASE (out: @num) */
struct vdev_vu_vring_state {
	struct vdev_vu_hdr hdr;
	__u32 index;
	__u32 num;
};

/* VHOST_VRING_F_LOG: log used ring writes at @log_gaddr */
#define VDEV_VU_VRING_F_LOG	_BITUL(0)

/* SET_VRING_ADDR; @flags may only have VDEV_VU_VRING_F_LOG */
struct vdev_vu_vring_addr {
	struct vdev_vu_hdr hdr;
	__u32 index;
	__u32 flags;
	__u64 desc_uaddr;
	__u64 used_uaddr;
	__u64 avail_uaddr;
	__u64 log_gaddr;
};

/* The wire's "no fd" bit (bit 8 of the u64), as a flag. */
#define VDEV_VU_VRING_NOFD	_BITUL(0)

/* SET_VRING_KICK/CALL/ERR: wire bits 0-7 index, 8 NOFD, 9-63 zero */
struct vdev_vu_vring_file {
	struct vdev_vu_hdr hdr;
	__u32 index;
	__u32 vflags;
};

struct vdev_vu_mem_region {
	__u64 guest_addr;
	__u64 size;
	__u64 user_addr;
	__u64 mmap_offset;
};

/* SET_MEM_TABLE: region i is backed by hdr.fds[i] */
struct vdev_vu_mem_table {
	struct vdev_vu_hdr hdr;
	__u32 nregions;
	__u32 pad;
	struct vdev_vu_mem_region regions[VDEV_VU_MAX_REGIONS];
};

/* ADD_MEM_REG (backed by hdr.fds[0]), REM_MEM_REG */
struct vdev_vu_mem_reg {
	struct vdev_vu_hdr hdr;
	struct vdev_vu_mem_region region;
};

/* GET_CONFIG (out: @data), SET_CONFIG */
struct vdev_vu_config {
	struct vdev_vu_hdr hdr;
	__u32 offset;
	__u32 size;
	__u32 cfg_flags;
	__u32 pad;
	__u8 data[VDEV_VU_MAX_CONFIG];
};

/* SET_LOG_BASE: the dirty log is @mmap_size bytes at @mmap_offset of fds[0] */
struct vdev_vu_log_base {
	struct vdev_vu_hdr hdr;
	__u64 mmap_size;
	__u64 mmap_offset;
};

/*
 * GET_INFLIGHT_FD: in, @num_queues rings of @queue_size; out, the region
 * the kernel made (sent with the reply as its fd) and its layout.
 * SET_INFLIGHT_FD: the region of fds[0], @mmap_size bytes at @mmap_offset.
 * The wire's payload is 24 bytes: two u64, two u16 and 4 of padding.
 */
struct vdev_vu_inflight {
	struct vdev_vu_hdr hdr;
	__u64 mmap_size;
	__u64 mmap_offset;
	__u16 num_queues;
	__u16 queue_size;
	__u32 pad;
};

/* DROP: consume a message the kernel does not apply */
struct vdev_vu_drop {
	struct vdev_vu_hdr hdr;
	__u32 err;
	__u32 pad;
};

#define VDEV_IOC_BIND			_IO(VDEV_IOC_MAGIC, 0x01)
#define VDEV_IOC_SET_LISTENER		_IO(VDEV_IOC_MAGIC, 0x02)
#define VDEV_IOC_ATTACH_CONN		_IO(VDEV_IOC_MAGIC, 0x03)
#define VDEV_IOC_DISCONNECT		_IO(VDEV_IOC_MAGIC, 0x04)
#define VDEV_VU_IOC_DROP		_IO(VDEV_IOC_MAGIC, 0x05)

/*
 * vhost-user requests the kernel applies, by their wire id. Each has the
 * ioctl VDEV_VU_IOC(id) taking the struct named in its comment.
 */
enum vdev_vu_request {
	VDEV_VU_GET_FEATURES = 1,		/* u64, out */
	VDEV_VU_SET_FEATURES = 2,		/* u64 */
	VDEV_VU_SET_OWNER = 3,			/* hdr */
	VDEV_VU_RESET_OWNER = 4,		/* deprecated: DROP, err 0 */
	VDEV_VU_SET_MEM_TABLE = 5,		/* mem_table */
	VDEV_VU_SET_LOG_BASE = 6,		/* log_base, fds[0] */
	VDEV_VU_SET_VRING_NUM = 8,		/* vring_state */
	VDEV_VU_SET_VRING_ADDR = 9,		/* vring_addr */
	VDEV_VU_SET_VRING_BASE = 10,		/* vring_state */
	VDEV_VU_GET_VRING_BASE = 11,		/* vring_state, out */
	VDEV_VU_SET_VRING_KICK = 12,		/* vring_file */
	VDEV_VU_SET_VRING_CALL = 13,		/* vring_file */
	VDEV_VU_SET_VRING_ERR = 14,		/* vring_file */
	VDEV_VU_GET_PROTOCOL_FEATURES = 15,	/* u64, out */
	VDEV_VU_SET_PROTOCOL_FEATURES = 16,	/* u64 */
	VDEV_VU_GET_QUEUE_NUM = 17,		/* u64, out */
	VDEV_VU_SET_VRING_ENABLE = 18,		/* vring_state */
	VDEV_VU_SET_BACKEND_REQ_FD = 21,	/* hdr, fds[0] */
	VDEV_VU_GET_CONFIG = 24,		/* config, out */
	VDEV_VU_SET_CONFIG = 25,		/* config */
	VDEV_VU_GET_INFLIGHT_FD = 31,		/* inflight, out */
	VDEV_VU_SET_INFLIGHT_FD = 32,		/* inflight, fds[0] */
	VDEV_VU_RESET_DEVICE = 34,		/* hdr */
	VDEV_VU_GET_MAX_MEM_SLOTS = 36,		/* u64, out */
	VDEV_VU_ADD_MEM_REG = 37,		/* mem_reg */
	VDEV_VU_REM_MEM_REG = 38,		/* mem_reg */
	VDEV_VU_SET_STATUS = 39,		/* u64 */
	VDEV_VU_GET_STATUS = 40,		/* u64, out */
};

/* Request ioctls: 0x40 + the vhost-user request id (0-63). */
#define VDEV_VU_IOC_BASE		0x40
#define VDEV_VU_IOC(id)			_IO(VDEV_IOC_MAGIC, VDEV_VU_IOC_BASE + (id))

/* vhost-user header flags */
#define VDEV_VU_FLAG_VERSION_MASK	0x3
#define VDEV_VU_VERSION			0x1
#define VDEV_VU_FLAG_REPLY		_BITUL(2)
#define VDEV_VU_FLAG_NEED_REPLY		_BITUL(3)

/* vhost-user protocol feature bits */
#define VDEV_VU_PROTOCOL_F_MQ			0
#define VDEV_VU_PROTOCOL_F_LOG_SHMFD		1
#define VDEV_VU_PROTOCOL_F_REPLY_ACK		3
#define VDEV_VU_PROTOCOL_F_BACKEND_REQ		5
#define VDEV_VU_PROTOCOL_F_CONFIG		9
#define VDEV_VU_PROTOCOL_F_INFLIGHT_SHMFD	12
#define VDEV_VU_PROTOCOL_F_RESET_DEVICE		13
#define VDEV_VU_PROTOCOL_F_CONFIGURE_MEM_SLOTS	15
#define VDEV_VU_PROTOCOL_F_STATUS		16

/* The virtio feature bit that gates protocol features. */
#define VDEV_VU_F_PROTOCOL_FEATURES	30
/* Virtio feature bit 26: the back end logs its writes to guest memory. */
#define VDEV_VU_F_LOG_ALL		26

/* Backend channel request: config space changed (no reply wanted). */
#define VDEV_VU_BACKEND_CONFIG_CHANGE_MSG	2

/*
 * vfio-user (NVMe controllers). The message cycle is vhost-user's: vdevd
 * peeks a message and its fds, decodes the fixed part of its payload and
 * calls the ioctl of its command, VDEV_VFU_IOC(command), whose struct
 * starts with struct vdev_vfu_hdr. The kernel checks that the header
 * still heads the held connection, applies the message, consumes its
 * bytes and sends the reply. See Documentation/design/nvme-vfio-user.rst.
 * Payloads are in the host's byte order, as the protocol says.
 */

/* The vfio-user header, in bytes. */
#define VDEV_VFU_HDR_SIZE	16
/* Fds one vfio-user message may carry (our max_msg_fds). */
#define VDEV_VFU_MAX_FDS	16
/* Largest count of one REGION_READ/WRITE (our max_data_xfer_size). */
#define VDEV_VFU_MAX_XFER	4096
/* Largest message: a REGION_WRITE of VDEV_VFU_MAX_XFER bytes. */
#define VDEV_VFU_MAX_MSG	(VDEV_VFU_HDR_SIZE + 16 + VDEV_VFU_MAX_XFER)
/* DMA windows mapped at once (our max_dma_maps). */
#define VDEV_VFU_MAX_DMA_MAPS	32

/* vfio-user header flags */
#define VDEV_VFU_TYPE_MASK	0xf
#define VDEV_VFU_TYPE_COMMAND	0x0
#define VDEV_VFU_TYPE_REPLY	0x1
#define VDEV_VFU_F_NO_REPLY	_BITUL(4)
#define VDEV_VFU_F_ERROR	_BITUL(5)

/* vfio-user commands */
enum vdev_vfu_command {
	VDEV_VFU_VERSION = 1,			/* vfu_version */
	VDEV_VFU_DMA_MAP = 2,			/* vfu_dma_map, fds[0] */
	VDEV_VFU_DMA_UNMAP = 3,			/* vfu_dma_unmap */
	VDEV_VFU_DEVICE_GET_INFO = 4,		/* vfu_info */
	VDEV_VFU_DEVICE_GET_REGION_INFO = 5,	/* vfu_info */
	VDEV_VFU_DEVICE_GET_REGION_IO_FDS = 6,	/* DROP, ENOTSUP */
	VDEV_VFU_DEVICE_GET_IRQ_INFO = 7,	/* vfu_info */
	VDEV_VFU_DEVICE_SET_IRQS = 8,		/* vfu_set_irqs, fds */
	VDEV_VFU_REGION_READ = 9,		/* vfu_region_rw */
	VDEV_VFU_REGION_WRITE = 10,		/* vfu_region_rw */
	VDEV_VFU_DMA_READ = 11,			/* server to client: DROP */
	VDEV_VFU_DEVICE_RESET = 13,		/* hdr */
	VDEV_VFU_MAX_COMMAND = 18,
};

/**
 * struct vdev_vfu_hdr - the envelope that starts every vfio-user ioctl
 * @argsz: sizeof the whole request struct
 * @flags: none yet: 0
 * @msg_id: the peeked header's message id, echoed in the reply
 * @command: its command
 * @msg_size: its message size, header included
 * @msg_flags: its flags
 * @nfds: fds that came with the message (<= VDEV_VFU_MAX_FDS)
 * @fds: the peeked fds in order; -1 past @nfds
 * @result: out: 0 or the positive errno the reply carried
 * @action: out: enum vdev_vu_action
 *
 * As struct vdev_vu_hdr: an ioctl that returns -1 consumed nothing (the
 * message is still queued), one that returns 0 consumed it.
 */
struct vdev_vfu_hdr {
	__u32 argsz;
	__u32 flags;
	__u16 msg_id;
	__u16 command;
	__u32 msg_size;
	__u32 msg_flags;
	__u32 nfds;
	__s32 fds[VDEV_VFU_MAX_FDS];
	__u32 result;
	__u32 action;
};

/**
 * struct vdev_vfu_version - VERSION, its JSON decoded by vdevd
 * @hdr: envelope
 * @major: proposed major version
 * @minor: proposed minor version
 * @max_msg_fds: the client's, 1 if it gave none
 * @max_dma_maps: the client's, 65535 if it gave none
 * @max_data_xfer_size: the client's, 1 MiB if it gave none
 * @pgsizes: the client's, 4096 if it gave none
 */
struct vdev_vfu_version {
	struct vdev_vfu_hdr hdr;
	__u16 major;
	__u16 minor;
	__u32 max_msg_fds;
	__u32 max_dma_maps;
	__u32 pad;
	__u64 max_data_xfer_size;
	__u64 pgsizes;
};

/* DMA_MAP flags (the wire's) */
#define VDEV_VFU_DMA_READ_OK	_BITUL(0)
#define VDEV_VFU_DMA_WRITE_OK	_BITUL(1)

/* DMA_MAP: @size bytes of guest memory at @addr, @offset into fds[0] */
struct vdev_vfu_dma_map {
	struct vdev_vfu_hdr hdr;
	__u32 wire_argsz;
	__u32 map_flags;
	__u64 offset;
	__u64 addr;
	__u64 size;
};

/* DMA_UNMAP: the window at @addr of @size; the reply echoes all four */
struct vdev_vfu_dma_unmap {
	struct vdev_vfu_hdr hdr;
	__u32 wire_argsz;
	__u32 unmap_flags;
	__u64 addr;
	__u64 size;
};

/* DEVICE_GET_INFO, GET_REGION_INFO, GET_IRQ_INFO: the reply's room, index */
struct vdev_vfu_info {
	struct vdev_vfu_hdr hdr;
	__u32 wire_argsz;
	__u32 index;
};

/* SET_IRQS; DATA_EVENTFD's eventfds are hdr.fds[0 .. hdr.nfds) */
struct vdev_vfu_set_irqs {
	struct vdev_vfu_hdr hdr;
	__u32 wire_argsz;
	__u32 irq_flags;
	__u32 index;
	__u32 start;
	__u32 count;
	__u32 pad;
};

/*
 * REGION_READ/WRITE: @count bytes at @offset of region @region. @data
 * points into vdevd: the bytes to write, or room for the bytes read.
 */
struct vdev_vfu_region_rw {
	struct vdev_vfu_hdr hdr;
	__u64 offset;
	__u32 region;
	__u32 count;
	__u64 data;
};

/* DROP: consume a message the kernel does not apply; reply with @err */
struct vdev_vfu_drop {
	struct vdev_vfu_hdr hdr;
	__u32 err;
	__u32 pad;
};

/* vfio-user ioctls: 0x80 + the command; 0x80 itself is DROP. */
#define VDEV_VFU_IOC_BASE		0x80
#define VDEV_VFU_IOC(cmd)		_IO(VDEV_IOC_MAGIC, VDEV_VFU_IOC_BASE + (cmd))
#define VDEV_VFU_IOC_DROP		VDEV_VFU_IOC(0)

#endif /* _UAPI_LINUX_VDEV_H */
