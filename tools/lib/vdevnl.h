/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vdevnl: the small generic netlink helper library shared by vdevctl and
 * vdevd. It talks to the "vdev" family described by
 * Documentation/netlink/specs/vdev.yaml, using libmnl.
 *
 * Every function that can fail returns 0 or a negative errno. Requests are
 * built by the caller in its own buffer (vdevnl_msg_start()), so a request
 * can be assembled before the family is resolved: vdevnl_do() and
 * vdevnl_dump() stamp the family id, sequence number and flags at send time.
 *
 * A handle that joined the events group should be used for events only:
 * notifications carry sequence number 0 and would otherwise be mistaken for
 * replies. Open a second handle for requests.
 */
#ifndef _VDEVNL_H
#define _VDEVNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <linux/vdev.h>

/* Large enough for any vdev request (the longest attribute is a path). */
#define VDEVNL_MSG_SIZE		8192

/* Receive buffer: a dump skb is at most 32 KiB, leave room for more. */
#define VDEVNL_RX_SIZE		65536

/* Longest extack message kept; longer ones are truncated. */
#define VDEVNL_EXT_MSG_LEN	256

/*
 * The extended ACK of the last request: the kernel's explanation of an
 * error (or a warning when the request succeeded). Fields are valid when
 * their has_* flag is set.
 */
struct vdevnl_ext {
	bool has_msg;
	char msg[VDEVNL_EXT_MSG_LEN];	/* NLMSGERR_ATTR_MSG */
	bool has_off;
	uint32_t off;			/* NLMSGERR_ATTR_OFFS, into request */
	uint16_t attr;			/* attribute type at off, 0 if none */
	bool has_miss;
	uint32_t miss_type;		/* NLMSGERR_ATTR_MISS_TYPE */
	bool has_range;
	bool range_signed;
	int64_t min_s, max_s;		/* NL_POLICY_TYPE_ATTR_{MIN,MAX}_VALUE_S */
	uint64_t min_u, max_u;		/* NL_POLICY_TYPE_ATTR_{MIN,MAX}_VALUE_U */
	bool has_len;
	uint32_t min_len, max_len;	/* NL_POLICY_TYPE_ATTR_{MIN,MAX}_LENGTH */
	uint8_t cmd;			/* command of the request it answers */
};

/*
 * One netlink socket. Fields are read-only for callers; family_id and
 * events_grp are valid after vdevnl_resolve().
 */
struct vdevnl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	uint16_t family_id;
	uint32_t family_version;
	uint32_t events_grp;		/* 0 if the family has no such group */
	char *rx;			/* VDEVNL_RX_SIZE bytes */
	const struct nlmsghdr *req;	/* request in flight, for extack offs */
	struct vdevnl_ext ext;
};

/* Presence bits of the parsed structs: one bit per attribute type. */
#define VDEVNL_HAS(obj, attr)	(!!((obj)->present & (1U << (attr))))

/* The "ctrl" attribute set (VDEV_A_CTRL_*). */
struct vdevnl_ctrl {
	uint32_t present;
	uint32_t id;
	char name[VDEV_NAME_LEN];
	uint32_t type;			/* enum vdev_ctrl_type */
	uint32_t num_queues;
	uint32_t queue_size;
	char cpumask[256];
	uint32_t poll_mode;		/* enum vdev_poll_mode */
	uint32_t poll_idle_us;
	char socket_path[108];
	uint32_t socket_uid;
	uint32_t socket_gid;
	uint32_t socket_mode;
	uint32_t state;			/* enum vdev_ctrl_state */
	uint64_t max_mem;
	uint32_t num_ns;
};

/* The "ns" attribute set (VDEV_A_NS_*). Flags are true when present. */
struct vdevnl_ns {
	uint32_t present;
	uint32_t ctrl_id;
	char ctrl_name[VDEV_NAME_LEN];
	uint32_t nsid;
	uint32_t target;
	uint32_t lun;
	char path[4096];
	bool read_only;
	uint64_t size;
	uint32_t lblk_size;
	uint32_t pblk_size;
	bool discard;
	bool write_zeroes;
	bool write_cache;
	bool rotational;
	char serial[VDEV_MAX_SERIAL_LEN + 1];
	char vendor[VDEV_MAX_VENDOR_LEN + 1];
	char product[VDEV_MAX_PRODUCT_LEN + 1];
	bool shared;
	bool gone;
};

/*
 * The "queue" attribute set (VDEV_A_QUEUE_*): one virtqueue of a connected
 * controller and its counters since the front end attached. cpu is sent
 * only while the ring is started.
 */
struct vdevnl_queue {
	uint32_t present;
	uint32_t ctrl_id;
	char ctrl_name[VDEV_NAME_LEN];
	uint32_t index;
	bool started;
	bool enabled;
	bool broken;
	uint32_t cpu;
	uint32_t size;
	uint32_t inflight;
	uint64_t reads;
	uint64_t read_bytes;
	uint64_t writes;
	uint64_t write_bytes;
	uint64_t flushes;
	uint64_t discards;
	uint64_t discard_bytes;
	uint64_t write_zeroes;
	uint64_t write_zeroes_bytes;
	uint64_t other;
	uint64_t errors;
	uint64_t unsupported;
	uint64_t bad_chains;
	uint64_t kicks;
	uint64_t calls;
	uint64_t polled;
	uint64_t requeues;
};

/*
 * vdevnl_open() - open and bind a NETLINK_GENERIC socket, with extended
 * and capped ACKs. vdevnl_close() releases it (and is safe after a failed
 * open). vdevnl_resolve() looks up the vdev family and its events group
 * (CTRL_CMD_GETFAMILY): -ENOENT means the module is not loaded.
 */
int vdevnl_open(struct vdevnl *nl);
void vdevnl_close(struct vdevnl *nl);
int vdevnl_resolve(struct vdevnl *nl);

/*
 * vdevnl_msg_start() - start a request for cmd in buf (VDEVNL_MSG_SIZE
 * bytes, aligned for struct nlmsghdr); add attributes with libmnl's
 * mnl_attr_put_*_check(). vdevnl_msg_cmd() is the genl command of any
 * message.
 */
struct nlmsghdr *vdevnl_msg_start(void *buf, uint8_t cmd);
uint8_t vdevnl_msg_cmd(const struct nlmsghdr *nlh);

/*
 * vdevnl_do() - send req with NLM_F_ACK and wait for the ACK; cb (may be
 * NULL) sees each reply before it. vdevnl_dump() - send req with
 * NLM_F_DUMP; cb sees each object until NLMSG_DONE. Both return 0, the
 * kernel's negative errno (with nl->ext filled in), or the errno cb set
 * when it returned MNL_CB_ERROR. A cb that returns MNL_CB_STOP sees no more
 * replies, but they are still read, so the handle stays usable.
 */
int vdevnl_do(struct vdevnl *nl, struct nlmsghdr *req, mnl_cb_t cb,
	      void *data);
int vdevnl_dump(struct vdevnl *nl, struct nlmsghdr *req, mnl_cb_t cb,
		void *data);

/*
 * vdevnl_join_events() - join the "events" group (-EOPNOTSUPP if the
 * family has none). vdevnl_recv_events() - wait for one datagram and run
 * cb on each notification in it; -EINTR when a signal interrupted the
 * wait, -ENOBUFS when the socket overflowed and events were lost.
 */
int vdevnl_join_events(struct vdevnl *nl);
int vdevnl_recv_events(struct vdevnl *nl, mnl_cb_t cb, void *data);

/*
 * vdevnl_ctrl_parse(), vdevnl_ns_parse(), vdevnl_queue_parse() - the
 * attributes of a ctrl, ns or queue message (reply or notification) into
 * a zeroed struct, setting a present bit per attribute; attributes this
 * code does not know are skipped. -EBADMSG if one has the wrong size.
 */
int vdevnl_ctrl_parse(const struct nlmsghdr *nlh, struct vdevnl_ctrl *ctrl);
int vdevnl_ns_parse(const struct nlmsghdr *nlh, struct vdevnl_ns *ns);
int vdevnl_queue_parse(const struct nlmsghdr *nlh, struct vdevnl_queue *q);

/* Names, as in the spec; NULL when the value is unknown. */
const char *vdevnl_ctrl_type_str(uint32_t type);
const char *vdevnl_poll_mode_str(uint32_t mode);
const char *vdevnl_ctrl_state_str(uint32_t state);
const char *vdevnl_cmd_str(uint8_t cmd);
const char *vdevnl_attr_str(uint8_t cmd, uint16_t attr);

/* "msg (attribute x at offset n, valid a..b)"; "" when there is nothing. */
int vdevnl_ext_format(const struct vdevnl_ext *ext, char *buf, size_t len);

#endif /* _VDEVNL_H */
