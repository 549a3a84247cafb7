// SPDX-License-Identifier: GPL-2.0
/*
 * vdevnl: generic netlink helpers for the vdev family, shared by vdevctl
 * and vdevd. See vdevnl.h for the conventions.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "vdevnl.h"

/* How an attribute of a set is stored in its struct. */
enum vdevnl_kind {
	VDEVNL_NONE,
	VDEVNL_U32,
	VDEVNL_U64,
	VDEVNL_STR,
	VDEVNL_FLAG,
};

struct vdevnl_field {
	const char *name;		/* as in the spec */
	enum vdevnl_kind kind;
	size_t off;
	size_t size;
};

struct vdevnl_set {
	const struct vdevnl_field *fields;
	unsigned int max;
};

/* One request in flight: what vdevnl_do()/vdevnl_dump() hand to libmnl. */
struct vdevnl_call {
	struct vdevnl *nl;
	mnl_cb_t cb;
	void *data;
	int err;			/* the caller's callback failed */
	bool stopped;			/* the caller wants no more messages */
};

/* An attribute set being parsed into its struct. */
struct vdevnl_parse {
	const struct vdevnl_set *set;
	void *obj;
	uint32_t *present;
};

#define VDEVNL_NAMED(obj, attr, name, kind, member)			\
	[attr] = { name, kind, offsetof(struct obj, member),		\
		   sizeof(((struct obj *)0)->member) }

static const struct vdevnl_field vdevnl_ctrl_fields[VDEV_A_CTRL_MAX + 1] = {
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_ID, "id", VDEVNL_U32, id),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_NAME, "name", VDEVNL_STR, name),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_TYPE, "type", VDEVNL_U32, type),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_NUM_QUEUES, "num-queues",
		     VDEVNL_U32, num_queues),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_QUEUE_SIZE, "queue-size",
		     VDEVNL_U32, queue_size),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_CPUMASK, "cpumask",
		     VDEVNL_STR, cpumask),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_POLL_MODE, "poll-mode",
		     VDEVNL_U32, poll_mode),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_POLL_IDLE_US, "poll-idle-us",
		     VDEVNL_U32, poll_idle_us),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_SOCKET_PATH, "socket-path",
		     VDEVNL_STR, socket_path),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_SOCKET_UID, "socket-uid",
		     VDEVNL_U32, socket_uid),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_SOCKET_GID, "socket-gid",
		     VDEVNL_U32, socket_gid),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_SOCKET_MODE, "socket-mode",
		     VDEVNL_U32, socket_mode),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_STATE, "state",
		     VDEVNL_U32, state),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_MAX_MEM, "max-mem",
		     VDEVNL_U64, max_mem),
	VDEVNL_NAMED(vdevnl_ctrl, VDEV_A_CTRL_NUM_NS, "num-ns",
		     VDEVNL_U32, num_ns),
};

static const struct vdevnl_field vdevnl_ns_fields[VDEV_A_NS_MAX + 1] = {
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_CTRL_ID, "ctrl-id",
		     VDEVNL_U32, ctrl_id),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_CTRL_NAME, "ctrl-name",
		     VDEVNL_STR, ctrl_name),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_NSID, "nsid", VDEVNL_U32, nsid),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_TARGET, "target",
		     VDEVNL_U32, target),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_LUN, "lun", VDEVNL_U32, lun),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_PATH, "path", VDEVNL_STR, path),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_READ_ONLY, "read-only",
		     VDEVNL_FLAG, read_only),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_SIZE, "size", VDEVNL_U64, size),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_LBLK_SIZE, "lblk-size",
		     VDEVNL_U32, lblk_size),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_PBLK_SIZE, "pblk-size",
		     VDEVNL_U32, pblk_size),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_DISCARD, "discard",
		     VDEVNL_FLAG, discard),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_WRITE_ZEROES, "write-zeroes",
		     VDEVNL_FLAG, write_zeroes),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_WRITE_CACHE, "write-cache",
		     VDEVNL_FLAG, write_cache),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_ROTATIONAL, "rotational",
		     VDEVNL_FLAG, rotational),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_SERIAL, "serial", VDEVNL_STR, serial),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_VENDOR, "vendor", VDEVNL_STR, vendor),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_PRODUCT, "product",
		     VDEVNL_STR, product),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_SHARED, "shared",
		     VDEVNL_FLAG, shared),
	VDEVNL_NAMED(vdevnl_ns, VDEV_A_NS_GONE, "gone", VDEVNL_FLAG, gone),
};

#define VDEVNL_QUEUE(attr, name, kind, member)				\
	VDEVNL_NAMED(vdevnl_queue, VDEV_A_QUEUE_##attr, name,		\
		     VDEVNL_##kind, member)

static const struct vdevnl_field vdevnl_queue_fields[VDEV_A_QUEUE_MAX + 1] = {
	VDEVNL_QUEUE(CTRL_ID, "ctrl-id", U32, ctrl_id),
	VDEVNL_QUEUE(CTRL_NAME, "ctrl-name", STR, ctrl_name),
	VDEVNL_QUEUE(INDEX, "index", U32, index),
	VDEVNL_QUEUE(STARTED, "started", FLAG, started),
	VDEVNL_QUEUE(ENABLED, "enabled", FLAG, enabled),
	VDEVNL_QUEUE(BROKEN, "broken", FLAG, broken),
	VDEVNL_QUEUE(CPU, "cpu", U32, cpu),
	VDEVNL_QUEUE(SIZE, "size", U32, size),
	VDEVNL_QUEUE(INFLIGHT, "inflight", U32, inflight),
	VDEVNL_QUEUE(READS, "reads", U64, reads),
	VDEVNL_QUEUE(READ_BYTES, "read-bytes", U64, read_bytes),
	VDEVNL_QUEUE(WRITES, "writes", U64, writes),
	VDEVNL_QUEUE(WRITE_BYTES, "write-bytes", U64, write_bytes),
	VDEVNL_QUEUE(FLUSHES, "flushes", U64, flushes),
	VDEVNL_QUEUE(DISCARDS, "discards", U64, discards),
	VDEVNL_QUEUE(DISCARD_BYTES, "discard-bytes", U64, discard_bytes),
	VDEVNL_QUEUE(WRITE_ZEROES, "write-zeroes", U64, write_zeroes),
	VDEVNL_QUEUE(WRITE_ZEROES_BYTES, "write-zeroes-bytes", U64,
		     write_zeroes_bytes),
	VDEVNL_QUEUE(OTHER, "other", U64, other),
	VDEVNL_QUEUE(ERRORS, "errors", U64, errors),
	VDEVNL_QUEUE(UNSUPPORTED, "unsupported", U64, unsupported),
	VDEVNL_QUEUE(BAD_CHAINS, "bad-chains", U64, bad_chains),
	VDEVNL_QUEUE(KICKS, "kicks", U64, kicks),
	VDEVNL_QUEUE(CALLS, "calls", U64, calls),
	VDEVNL_QUEUE(POLLED, "polled", U64, polled),
	VDEVNL_QUEUE(REQUEUES, "requeues", U64, requeues),
};

static const struct vdevnl_set vdevnl_ctrl_set = {
	vdevnl_ctrl_fields, VDEV_A_CTRL_MAX,
};

static const struct vdevnl_set vdevnl_ns_set = {
	vdevnl_ns_fields, VDEV_A_NS_MAX,
};

static const struct vdevnl_set vdevnl_queue_set = {
	vdevnl_queue_fields, VDEV_A_QUEUE_MAX,
};

/* present is a u32: one bit per attribute of every set. */
_Static_assert(VDEV_A_CTRL_MAX < 32 && VDEV_A_NS_MAX < 32 &&
	       VDEV_A_QUEUE_MAX < 32, "present bits do not fit a u32");

static const char *const vdevnl_ctrl_types[] = {
	[VDEV_CTRL_TYPE_VIRTIO_BLK] = "virtio-blk",
	[VDEV_CTRL_TYPE_VIRTIO_SCSI] = "virtio-scsi",
	[VDEV_CTRL_TYPE_NVME] = "nvme",
};

static const char *const vdevnl_poll_modes[] = {
	[VDEV_POLL_MODE_ALWAYS] = "always",
	[VDEV_POLL_MODE_ADAPTIVE] = "adaptive",
	[VDEV_POLL_MODE_NEVER] = "never",
};

static const char *const vdevnl_ctrl_states[] = {
	[VDEV_CTRL_STATE_IDLE] = "idle",
	[VDEV_CTRL_STATE_CONNECTED] = "connected",
	[VDEV_CTRL_STATE_RUNNING] = "running",
	[VDEV_CTRL_STATE_FAILED] = "failed",
};

static const char *const vdevnl_cmds[] = {
	[VDEV_CMD_CTRL_NEW] = "ctrl-new",
	[VDEV_CMD_CTRL_DEL] = "ctrl-del",
	[VDEV_CMD_CTRL_GET] = "ctrl-get",
	[VDEV_CMD_NS_ADD] = "ns-add",
	[VDEV_CMD_NS_DEL] = "ns-del",
	[VDEV_CMD_NS_GET] = "ns-get",
	[VDEV_CMD_CTRL_NEW_NTF] = "ctrl-new-ntf",
	[VDEV_CMD_CTRL_DEL_NTF] = "ctrl-del-ntf",
	[VDEV_CMD_CTRL_CHANGE_NTF] = "ctrl-change-ntf",
	[VDEV_CMD_NS_ADD_NTF] = "ns-add-ntf",
	[VDEV_CMD_NS_DEL_NTF] = "ns-del-ntf",
	[VDEV_CMD_QUEUE_GET] = "queue-get",
	[VDEV_CMD_NS_RESIZE] = "ns-resize",
	[VDEV_CMD_NS_CHANGE_NTF] = "ns-change-ntf",
};

#define VDEVNL_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *vdevnl_lookup(const char *const *names, size_t n,
				 uint32_t val)
{
	return val < n ? names[val] : NULL;
}

const char *vdevnl_ctrl_type_str(uint32_t type)
{
	return vdevnl_lookup(vdevnl_ctrl_types,
			     VDEVNL_ARRAY_SIZE(vdevnl_ctrl_types), type);
}

const char *vdevnl_poll_mode_str(uint32_t mode)
{
	return vdevnl_lookup(vdevnl_poll_modes,
			     VDEVNL_ARRAY_SIZE(vdevnl_poll_modes), mode);
}

const char *vdevnl_ctrl_state_str(uint32_t state)
{
	return vdevnl_lookup(vdevnl_ctrl_states,
			     VDEVNL_ARRAY_SIZE(vdevnl_ctrl_states), state);
}

const char *vdevnl_cmd_str(uint8_t cmd)
{
	return vdevnl_lookup(vdevnl_cmds, VDEVNL_ARRAY_SIZE(vdevnl_cmds), cmd);
}

/* The attribute set a command (request or notification) carries. */
static const struct vdevnl_set *vdevnl_cmd_set(uint8_t cmd)
{
	switch (cmd) {
	case VDEV_CMD_CTRL_NEW:
	case VDEV_CMD_CTRL_DEL:
	case VDEV_CMD_CTRL_GET:
	case VDEV_CMD_CTRL_NEW_NTF:
	case VDEV_CMD_CTRL_DEL_NTF:
	case VDEV_CMD_CTRL_CHANGE_NTF:
		return &vdevnl_ctrl_set;
	case VDEV_CMD_NS_ADD:
	case VDEV_CMD_NS_DEL:
	case VDEV_CMD_NS_GET:
	case VDEV_CMD_NS_ADD_NTF:
	case VDEV_CMD_NS_DEL_NTF:
	case VDEV_CMD_NS_RESIZE:
	case VDEV_CMD_NS_CHANGE_NTF:
		return &vdevnl_ns_set;
	case VDEV_CMD_QUEUE_GET:
		return &vdevnl_queue_set;
	}
	return NULL;
}

const char *vdevnl_attr_str(uint8_t cmd, uint16_t attr)
{
	const struct vdevnl_set *set = vdevnl_cmd_set(cmd);

	if (!set || attr > set->max)
		return NULL;
	return set->fields[attr].name;
}

struct nlmsghdr *vdevnl_msg_start(void *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = VDEV_FAMILY_VERSION;
	return nlh;
}

uint8_t vdevnl_msg_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return 0;
	return genl->cmd;
}

int vdevnl_open(struct vdevnl *nl)
{
	int one = 1;
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->rx = malloc(VDEVNL_RX_SIZE);
	if (!nl->rx)
		return -ENOMEM;
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock) {
		err = -errno;
		goto out_free_rx;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out_close;
	}
	/*
	 * Extended ACKs carry the kernel's reason for an error; capped ACKs
	 * keep it from echoing the request back. Kernels without them still
	 * work, with bare errnos, so failures here are not fatal.
	 */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	return 0;

out_close:
	mnl_socket_close(nl->sock);
	nl->sock = NULL;
out_free_rx:
	free(nl->rx);
	nl->rx = NULL;
	return err;
}

void vdevnl_close(struct vdevnl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->rx);
	memset(nl, 0, sizeof(*nl));
}

static int vdevnl_policy_cb(const struct nlattr *attr, void *data)
{
	struct vdevnl_ext *ext = data;
	uint16_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
		if (len == sizeof(int64_t)) {
			ext->min_s = (int64_t)mnl_attr_get_u64(attr);
			ext->range_signed = true;
			ext->has_range = true;
		}
		break;
	case NL_POLICY_TYPE_ATTR_MAX_VALUE_S:
		if (len == sizeof(int64_t))
			ext->max_s = (int64_t)mnl_attr_get_u64(attr);
		break;
	case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
		if (len == sizeof(uint64_t)) {
			ext->min_u = mnl_attr_get_u64(attr);
			ext->has_range = true;
		}
		break;
	case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
		if (len == sizeof(uint64_t))
			ext->max_u = mnl_attr_get_u64(attr);
		break;
	case NL_POLICY_TYPE_ATTR_MIN_LENGTH:
		if (len == sizeof(uint32_t)) {
			ext->min_len = mnl_attr_get_u32(attr);
			ext->has_len = true;
		}
		break;
	case NL_POLICY_TYPE_ATTR_MAX_LENGTH:
		if (len == sizeof(uint32_t)) {
			ext->max_len = mnl_attr_get_u32(attr);
			ext->has_len = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static void vdevnl_ext_msg(struct vdevnl_ext *ext, const struct nlattr *attr)
{
	const char *msg = mnl_attr_get_payload(attr);
	size_t len = strnlen(msg, mnl_attr_get_payload_len(attr));

	if (len >= sizeof(ext->msg))
		len = sizeof(ext->msg) - 1;
	memcpy(ext->msg, msg, len);
	ext->msg[len] = '\0';
	ext->has_msg = len > 0;
}

static int vdevnl_ext_cb(const struct nlattr *attr, void *data)
{
	struct vdevnl_ext *ext = data;
	uint16_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		vdevnl_ext_msg(ext, attr);
		break;
	case NLMSGERR_ATTR_OFFS:
		if (len == sizeof(uint32_t)) {
			ext->off = mnl_attr_get_u32(attr);
			ext->has_off = true;
		}
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (len == sizeof(uint32_t)) {
			ext->miss_type = mnl_attr_get_u32(attr);
			ext->has_miss = true;
		}
		break;
	case NLMSGERR_ATTR_POLICY:
		mnl_attr_parse_nested(attr, vdevnl_policy_cb, ext);
		break;
	}
	return MNL_CB_OK;
}

/* Which attribute of the request the kernel's offset points into. */
static uint16_t vdevnl_req_attr_at(const struct nlmsghdr *req, uint32_t off)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, req, GENL_HDRLEN) {
		uint32_t start = (const char *)attr - (const char *)req;

		if (off >= start && off < start + mnl_attr_get_len(attr))
			return mnl_attr_get_type(attr);
	}
	return 0;
}

/* Extended ACK TLVs start tlv_off bytes into the payload of nlh. */
static void vdevnl_ext_parse(struct vdevnl *nl, const struct nlmsghdr *nlh,
			     size_t tlv_off)
{
	struct vdevnl_ext *ext = &nl->ext;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    MNL_ALIGN(tlv_off) > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, tlv_off, vdevnl_ext_cb, ext);
	if (ext->has_off && nl->req)
		ext->attr = vdevnl_req_attr_at(nl->req, ext->off);
}

static int vdevnl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vdevnl_call *call = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t tlv_off = sizeof(*err);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	/* Without NETLINK_CAP_ACK the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		tlv_off += err->msg.nlmsg_len - sizeof(err->msg);
	vdevnl_ext_parse(call->nl, nlh, tlv_off);
	if (!err->error)
		return MNL_CB_STOP;
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

/* A dump's DONE carries the dump's errno, and TLVs after it. */
static int vdevnl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vdevnl_call *call = data;
	int error = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(error))
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	vdevnl_ext_parse(call->nl, nlh, sizeof(error));
	if (!error)
		return MNL_CB_STOP;
	errno = error < 0 ? -error : error;
	return MNL_CB_ERROR;
}

/*
 * The caller's callback sees every reply; when it fails or has seen
 * enough, the remaining replies are still read (and dropped) up to the
 * ACK or DONE, so the socket stays usable for the next request.
 */
static int vdevnl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vdevnl_call *call = data;
	int ret;

	if (!call->cb || call->stopped)
		return MNL_CB_OK;
	errno = 0;
	ret = call->cb(nlh, call->data);
	if (ret == MNL_CB_ERROR) {
		call->err = errno ? -errno : -EIO;
		call->stopped = true;
	} else if (ret == MNL_CB_STOP) {
		call->stopped = true;
	}
	return MNL_CB_OK;
}

static mnl_cb_t vdevnl_ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = vdevnl_error_cb,
	[NLMSG_DONE] = vdevnl_done_cb,
};

static ssize_t vdevnl_recv(struct vdevnl *nl)
{
	ssize_t len;

	do {
		len = mnl_socket_recvfrom(nl->sock, nl->rx, VDEVNL_RX_SIZE);
	} while (len < 0 && errno == EINTR);
	return len < 0 ? -errno : len;
}

/* Send req, run every reply through cb until the ACK, DONE or an error. */
static int vdevnl_transact(struct vdevnl *nl, struct nlmsghdr *req,
			   mnl_cb_t cb, void *data)
{
	struct vdevnl_call call = { .nl = nl, .cb = cb, .data = data };
	ssize_t len;
	int ret;

	memset(&nl->ext, 0, sizeof(nl->ext));
	if (nl->family_id && req->nlmsg_type == nl->family_id)
		nl->ext.cmd = vdevnl_msg_cmd(req);
	/* Sequence 0 would switch off libmnl's reply matching. */
	if (!++nl->seq)
		++nl->seq;
	req->nlmsg_seq = nl->seq;
	nl->req = req;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		len = vdevnl_recv(nl);
		if (len < 0) {
			ret = len;
			goto out;
		}
		ret = mnl_cb_run2(nl->rx, len, req->nlmsg_seq, nl->portid,
				  vdevnl_data_cb, &call, vdevnl_ctl_cbs,
				  NLMSG_MIN_TYPE);
	} while (ret > 0);
	if (ret < 0)
		ret = errno ? -errno : -EPROTO;
	else
		ret = call.err;
out:
	nl->req = NULL;
	return ret;
}

int vdevnl_do(struct vdevnl *nl, struct nlmsghdr *req, mnl_cb_t cb,
	      void *data)
{
	req->nlmsg_type = nl->family_id;
	req->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	return vdevnl_transact(nl, req, cb, data);
}

int vdevnl_dump(struct vdevnl *nl, struct nlmsghdr *req, mnl_cb_t cb,
		void *data)
{
	req->nlmsg_type = nl->family_id;
	req->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	return vdevnl_transact(nl, req, cb, data);
}

static int vdevnl_grp_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= CTRL_ATTR_MCAST_GRP_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void vdevnl_family_grps(struct vdevnl *nl, const struct nlattr *grps)
{
	const struct nlattr *grp;

	mnl_attr_for_each_nested(grp, grps) {
		const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = {};

		mnl_attr_parse_nested(grp, vdevnl_grp_cb, tb);
		if (!tb[CTRL_ATTR_MCAST_GRP_NAME] ||
		    !tb[CTRL_ATTR_MCAST_GRP_ID] ||
		    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_NAME],
				      MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_ID],
				      MNL_TYPE_U32) < 0)
			continue;
		if (!strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
			    VDEV_MCGRP_EVENTS))
			nl->events_grp =
				mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
}

static int vdevnl_family_attr_cb(const struct nlattr *attr, void *data)
{
	struct vdevnl *nl = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		nl->family_id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		nl->family_version = mnl_attr_get_u32(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		vdevnl_family_grps(nl, attr);
		break;
	}
	return MNL_CB_OK;
}

static int vdevnl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, GENL_HDRLEN, vdevnl_family_attr_cb, data);
}

int vdevnl_resolve(struct vdevnl *nl)
{
	union {
		char buf[256];
		struct nlmsghdr align;
	} req;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req.buf);
	struct genlmsghdr *genl;
	int err;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, VDEV_FAMILY_NAME);

	nl->family_id = 0;
	nl->events_grp = 0;
	err = vdevnl_transact(nl, nlh, vdevnl_family_cb, nl);
	if (err)
		return err;
	return nl->family_id ? 0 : -EPROTO;
}

int vdevnl_join_events(struct vdevnl *nl)
{
	int rcvbuf = 1 << 20;
	int grp = nl->events_grp;

	if (!grp)
		return -EOPNOTSUPP;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				  &grp, sizeof(grp)) < 0)
		return -errno;
	/* Bursts (a controller deleted with its namespaces) must fit. */
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF,
		   &rcvbuf, sizeof(rcvbuf));
	return 0;
}

int vdevnl_recv_events(struct vdevnl *nl, mnl_cb_t cb, void *data)
{
	ssize_t len;

	len = mnl_socket_recvfrom(nl->sock, nl->rx, VDEVNL_RX_SIZE);
	if (len < 0)
		return -errno;
	if (mnl_cb_run(nl->rx, len, 0, 0, cb, data) < 0)
		return errno ? -errno : -EPROTO;
	return 0;
}

static int vdevnl_field_put(const struct vdevnl_field *f, void *obj,
			    const struct nlattr *attr)
{
	const void *src = mnl_attr_get_payload(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);
	char *dst = (char *)obj + f->off;
	uint64_t u64;
	uint32_t u32;

	switch (f->kind) {
	case VDEVNL_U32:
		if (len != sizeof(u32))
			return -EBADMSG;
		memcpy(dst, src, sizeof(u32));
		break;
	case VDEVNL_U64:
		/* Accept a u32 too: a kernel may send a short "uint". */
		if (len == sizeof(u32)) {
			memcpy(&u32, src, sizeof(u32));
			u64 = u32;
		} else if (len == sizeof(u64)) {
			memcpy(&u64, src, sizeof(u64));
		} else {
			return -EBADMSG;
		}
		memcpy(dst, &u64, sizeof(u64));
		break;
	case VDEVNL_STR:
		len = strnlen(src, len);
		if (len >= f->size)
			len = f->size - 1;
		memcpy(dst, src, len);
		dst[len] = '\0';
		break;
	case VDEVNL_FLAG:
		*(bool *)dst = true;
		break;
	case VDEVNL_NONE:
		break;
	}
	return 0;
}

static int vdevnl_parse_cb(const struct nlattr *attr, void *data)
{
	struct vdevnl_parse *p = data;
	uint16_t type = mnl_attr_get_type(attr);
	const struct vdevnl_field *f;
	int err;

	/* Attributes from a newer kernel are skipped, not refused. */
	if (type > p->set->max || p->set->fields[type].kind == VDEVNL_NONE)
		return MNL_CB_OK;
	f = &p->set->fields[type];
	err = vdevnl_field_put(f, p->obj, attr);
	if (err) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	*p->present |= 1U << type;
	return MNL_CB_OK;
}

static int vdevnl_set_parse(const struct nlmsghdr *nlh,
			    const struct vdevnl_set *set, void *obj,
			    uint32_t *present)
{
	struct vdevnl_parse p = { set, obj, present };

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, vdevnl_parse_cb, &p) < 0)
		return errno ? -errno : -EBADMSG;
	return 0;
}

int vdevnl_ctrl_parse(const struct nlmsghdr *nlh, struct vdevnl_ctrl *ctrl)
{
	memset(ctrl, 0, sizeof(*ctrl));
	return vdevnl_set_parse(nlh, &vdevnl_ctrl_set, ctrl, &ctrl->present);
}

int vdevnl_ns_parse(const struct nlmsghdr *nlh, struct vdevnl_ns *ns)
{
	memset(ns, 0, sizeof(*ns));
	return vdevnl_set_parse(nlh, &vdevnl_ns_set, ns, &ns->present);
}

int vdevnl_queue_parse(const struct nlmsghdr *nlh, struct vdevnl_queue *q)
{
	memset(q, 0, sizeof(*q));
	return vdevnl_set_parse(nlh, &vdevnl_queue_set, q, &q->present);
}

/* snprintf that appends and never overruns; returns the new length. */
static size_t vdevnl_append(char *buf, size_t size, size_t pos,
			    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (pos >= size)
		return pos;
	va_start(ap, fmt);
	n = vsnprintf(buf + pos, size - pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return pos;
	return pos + n < size ? pos + n : size - 1;
}

static size_t vdevnl_ext_attr(const struct vdevnl_ext *ext, char *buf,
			      size_t size, size_t pos, const char **sep)
{
	const char *name = vdevnl_attr_str(ext->cmd, ext->attr);

	if (name)
		pos = vdevnl_append(buf, size, pos, "%sattribute %s at ",
				    *sep, name);
	else if (ext->attr)
		pos = vdevnl_append(buf, size, pos, "%sattribute %u at ",
				    *sep, ext->attr);
	else
		pos = vdevnl_append(buf, size, pos, "%s", *sep);
	pos = vdevnl_append(buf, size, pos, "offset %u", ext->off);
	*sep = ", ";
	return pos;
}

static size_t vdevnl_ext_miss(const struct vdevnl_ext *ext, char *buf,
			      size_t size, size_t pos, const char **sep)
{
	const char *name = vdevnl_attr_str(ext->cmd, ext->miss_type);

	if (name)
		pos = vdevnl_append(buf, size, pos, "%smissing attribute %s",
				    *sep, name);
	else
		pos = vdevnl_append(buf, size, pos, "%smissing attribute %u",
				    *sep, ext->miss_type);
	*sep = ", ";
	return pos;
}

static size_t vdevnl_ext_limits(const struct vdevnl_ext *ext, char *buf,
				size_t size, size_t pos, const char **sep)
{
	if (ext->has_range && ext->range_signed)
		pos = vdevnl_append(buf, size, pos, "%svalid %lld..%lld", *sep,
				    (long long)ext->min_s,
				    (long long)ext->max_s);
	else if (ext->has_range)
		pos = vdevnl_append(buf, size, pos, "%svalid %llu..%llu", *sep,
				    (unsigned long long)ext->min_u,
				    (unsigned long long)ext->max_u);
	if (ext->has_range)
		*sep = ", ";
	if (ext->has_len) {
		pos = vdevnl_append(buf, size, pos, "%slength %u..%u", *sep,
				    ext->min_len, ext->max_len);
		*sep = ", ";
	}
	return pos;
}

/* What the kernel pointed at: attribute, missing attribute, limits. */
static size_t vdevnl_ext_details(const struct vdevnl_ext *ext, char *buf,
				 size_t size)
{
	const char *sep = "";
	size_t pos = 0;

	buf[0] = '\0';
	if (ext->has_off)
		pos = vdevnl_ext_attr(ext, buf, size, pos, &sep);
	if (ext->has_miss)
		pos = vdevnl_ext_miss(ext, buf, size, pos, &sep);
	return vdevnl_ext_limits(ext, buf, size, pos, &sep);
}

int vdevnl_ext_format(const struct vdevnl_ext *ext, char *buf, size_t len)
{
	char details[160];
	int n;

	if (!len)
		return 0;
	vdevnl_ext_details(ext, details, sizeof(details));
	if (ext->has_msg && details[0])
		n = snprintf(buf, len, "%s (%s)", ext->msg, details);
	else
		n = snprintf(buf, len, "%s", ext->has_msg ? ext->msg : details);
	if (n < 0)
		n = 0;
	return (size_t)n < len ? n : (int)len - 1;
}
