// SPDX-License-Identifier: GPL-2.0
/*
 * vdevd connections: the message cycle ("The message cycle" in the
 * design). For each message on a held connection vdevd peeks the header,
 * then the exact message with its fds, frames it, decodes the payload into
 * the request's struct through one table, and calls the request's ioctl.
 * The kernel compares the header with the socket, applies, consumes and
 * replies; vdevd only closes its peeked fd duplicates and logs the outcome.
 *
 * Every read is bounded by the peeked length and every decoder checks the
 * size before it reads, so no message can make vdevd read past its buffer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "vdevd.h"

/* Request ioctls exist for wire ids 0-63. */
#define VDEVD_NR_REQS		64

_Static_assert(sizeof(struct vu_wire_hdr) == 12, "vhost-user header");
_Static_assert(sizeof(struct vu_wire_vring_state) == 8, "vring state");
_Static_assert(sizeof(struct vu_wire_vring_addr) == 40, "vring addr");
_Static_assert(sizeof(struct vu_wire_region) ==
	       sizeof(struct vdev_vu_mem_region), "memory region");
_Static_assert(sizeof(struct vu_wire_mem_reg) == 40, "mem reg");
_Static_assert(sizeof(struct vu_wire_log) == 16, "log base");
_Static_assert(sizeof(struct vu_wire_inflight) == 24, "inflight region");

/* Payload size rules besides an exact size. */
#define VDEVD_SZ_NONE		(-1)	/* "none": 0, or 8 ignored */
#define VDEVD_SZ_VAR		(-2)	/* checked by the kind's decoder */

/* Fd rules of the wire table. */
enum vdevd_fd_rule {
	VDEVD_FD_0,
	VDEVD_FD_1,
	VDEVD_FD_0_1,
	VDEVD_FD_VAR,			/* checked by the kind's decoder */
};

/* The uapi struct a request becomes; UNKNOWN is an empty table slot. */
enum vdevd_kind {
	VDEVD_K_UNKNOWN,
	VDEVD_K_OBSOLETE,		/* dropped with err 0 */
	VDEVD_K_HDR,
	VDEVD_K_U64,
	VDEVD_K_VRING_STATE,
	VDEVD_K_VRING_ADDR,
	VDEVD_K_VRING_FILE,
	VDEVD_K_MEM_TABLE,
	VDEVD_K_MEM_REG,
	VDEVD_K_CONFIG,
	VDEVD_K_LOG_BASE,
	VDEVD_K_INFLIGHT,
};

/* A row of the design's "Request ioctls and wire rules" table. */
struct vdevd_wire {
	const char *name;
	enum vdevd_kind kind;
	int size;			/* bytes, VDEVD_SZ_NONE or _VAR */
	enum vdevd_fd_rule fds;
};

#define VDEVD_WIRE(req, k, sz, f)					\
	[VDEV_VU_##req] = { #req, VDEVD_K_##k, sz, VDEVD_FD_##f }

static const struct vdevd_wire vdevd_wire[VDEVD_NR_REQS] = {
	VDEVD_WIRE(GET_FEATURES, U64, VDEVD_SZ_NONE, 0),
	VDEVD_WIRE(SET_FEATURES, U64, 8, 0),
	VDEVD_WIRE(SET_OWNER, HDR, VDEVD_SZ_NONE, 0),
	VDEVD_WIRE(RESET_OWNER, OBSOLETE, VDEVD_SZ_VAR, VAR),
	VDEVD_WIRE(SET_MEM_TABLE, MEM_TABLE, VDEVD_SZ_VAR, VAR),
	VDEVD_WIRE(SET_LOG_BASE, LOG_BASE, 16, 1),
	VDEVD_WIRE(SET_VRING_NUM, VRING_STATE, 8, 0),
	VDEVD_WIRE(SET_VRING_ADDR, VRING_ADDR, 40, 0),
	VDEVD_WIRE(SET_VRING_BASE, VRING_STATE, 8, 0),
	VDEVD_WIRE(GET_VRING_BASE, VRING_STATE, 8, 0),
	VDEVD_WIRE(SET_VRING_KICK, VRING_FILE, 8, VAR),
	VDEVD_WIRE(SET_VRING_CALL, VRING_FILE, 8, VAR),
	VDEVD_WIRE(SET_VRING_ERR, VRING_FILE, 8, VAR),
	VDEVD_WIRE(GET_PROTOCOL_FEATURES, U64, VDEVD_SZ_NONE, 0),
	VDEVD_WIRE(SET_PROTOCOL_FEATURES, U64, 8, 0),
	VDEVD_WIRE(GET_QUEUE_NUM, U64, VDEVD_SZ_NONE, 0),
	VDEVD_WIRE(SET_VRING_ENABLE, VRING_STATE, 8, 0),
	VDEVD_WIRE(SET_BACKEND_REQ_FD, HDR, VDEVD_SZ_NONE, 1),
	VDEVD_WIRE(GET_CONFIG, CONFIG, VDEVD_SZ_VAR, 0),
	VDEVD_WIRE(SET_CONFIG, CONFIG, VDEVD_SZ_VAR, 0),
	VDEVD_WIRE(GET_INFLIGHT_FD, INFLIGHT, 24, 0),
	VDEVD_WIRE(SET_INFLIGHT_FD, INFLIGHT, 24, 1),
	VDEVD_WIRE(RESET_DEVICE, HDR, VDEVD_SZ_NONE, 0),
	VDEVD_WIRE(GET_MAX_MEM_SLOTS, U64, VDEVD_SZ_NONE, 0),
	VDEVD_WIRE(ADD_MEM_REG, MEM_REG, 40, 1),
	VDEVD_WIRE(REM_MEM_REG, MEM_REG, 40, 0_1),
	VDEVD_WIRE(SET_STATUS, U64, 8, 0),
	VDEVD_WIRE(GET_STATUS, U64, VDEVD_SZ_NONE, 0),
};

/* One peeked message. */
struct vdevd_msg {
	struct vu_wire_hdr hdr;
	uint8_t buf[VU_WIRE_HDR_SIZE + VDEV_VU_MAX_PAYLOAD + 1];
	const uint8_t *payload;		/* buf + 12, hdr.size bytes */
	int fds[VDEVD_PEEK_FDS];	/* our duplicates, closed after */
	unsigned int nfds;
	char name[32];			/* for log lines */
	char why[128];			/* why it is dropped */
};

/* Every request struct, for one buffer on the stack. */
union vdevd_arg {
	struct vdev_vu_hdr hdr;
	struct vdev_vu_u64 u64;
	struct vdev_vu_vring_state state;
	struct vdev_vu_vring_addr addr;
	struct vdev_vu_vring_file file;
	struct vdev_vu_mem_table table;
	struct vdev_vu_mem_reg reg;
	struct vdev_vu_config cfg;
	struct vdev_vu_log_base log;
	struct vdev_vu_inflight inflight;
	struct vdev_vu_drop drop;
};

/*
 * The uapi struct of a kind and its decoder, which returns 0, or -EINVAL
 * with m->why set: the message is then dropped.
 */
struct vdevd_kind_ops {
	size_t argsz;
	int (*decode)(const struct vdevd_wire *w, struct vdevd_msg *m,
		      union vdevd_arg *a);
};

static int __printf(2, 3) vdevd_bad(struct vdevd_msg *m, const char *fmt,
				    ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int vdevd_dec_hdr(const struct vdevd_wire *w, struct vdevd_msg *m,
			 union vdevd_arg *a)
{
	(void)w;
	(void)m;
	(void)a;
	return 0;
}

/* A "none" payload is ignored: GET_* values are the kernel's to fill. */
static int vdevd_dec_u64(const struct vdevd_wire *w, struct vdevd_msg *m,
			 union vdevd_arg *a)
{
	if (w->size == sizeof(a->u64.value))
		memcpy(&a->u64.value, m->payload, sizeof(a->u64.value));
	return 0;
}

static int vdevd_dec_vring_state(const struct vdevd_wire *w,
				 struct vdevd_msg *m, union vdevd_arg *a)
{
	struct vu_wire_vring_state s;

	(void)w;
	memcpy(&s, m->payload, sizeof(s));
	a->state.index = s.index;
	a->state.num = s.num;
	return 0;
}

static int vdevd_dec_vring_addr(const struct vdevd_wire *w,
				struct vdevd_msg *m, union vdevd_arg *a)
{
	struct vu_wire_vring_addr s;

	(void)w;
	memcpy(&s, m->payload, sizeof(s));
	a->addr.index = s.index;
	a->addr.flags = s.flags;
	a->addr.desc_uaddr = s.desc_uaddr;
	a->addr.used_uaddr = s.used_uaddr;
	a->addr.avail_uaddr = s.avail_uaddr;
	a->addr.log_gaddr = s.log_gaddr;
	return 0;
}

/* u64: bits 0-7 index, bit 8 "no fd", 9-63 zero; one fd unless NOFD. */
static int vdevd_dec_vring_file(const struct vdevd_wire *w,
				struct vdevd_msg *m, union vdevd_arg *a)
{
	unsigned int want = 1;
	uint64_t v;

	(void)w;
	memcpy(&v, m->payload, sizeof(v));
	if (v & ~(VU_WIRE_VRING_IDX_MASK | VU_WIRE_VRING_NOFD))
		return vdevd_bad(m, "bits 9-63 set in 0x%llx",
				 (unsigned long long)v);
	a->file.index = v & VU_WIRE_VRING_IDX_MASK;
	if (v & VU_WIRE_VRING_NOFD) {
		a->file.vflags = VDEV_VU_VRING_NOFD;
		want = 0;
	}
	if (m->nfds != want)
		return vdevd_bad(m, "%u fds, want %u", m->nfds, want);
	return 0;
}

/* nregions, padding, then exactly nregions regions and as many fds. */
static int vdevd_dec_mem_table(const struct vdevd_wire *w,
			       struct vdevd_msg *m, union vdevd_arg *a)
{
	const size_t rsz = sizeof(struct vu_wire_region);
	uint32_t n;

	(void)w;
	if (m->hdr.size < 8)
		return vdevd_bad(m, "payload size %u, want 8 + 32n",
				 m->hdr.size);
	memcpy(&n, m->payload, sizeof(n));
	if (n < 1 || n > VDEV_VU_MAX_REGIONS)
		return vdevd_bad(m, "%u regions, want 1 to %u", n,
				 VDEV_VU_MAX_REGIONS);
	if (m->hdr.size != 8 + rsz * n)
		return vdevd_bad(m, "payload size %u, want %zu for %u regions",
				 m->hdr.size, 8 + rsz * n, n);
	if (m->nfds != n)
		return vdevd_bad(m, "%u fds for %u regions", m->nfds, n);
	a->table.nregions = n;
	memcpy(a->table.regions, m->payload + 8, rsz * n);
	return 0;
}

/* 8 bytes of padding, then the region; the padding is not passed on. */
static int vdevd_dec_mem_reg(const struct vdevd_wire *w, struct vdevd_msg *m,
			     union vdevd_arg *a)
{
	struct vu_wire_mem_reg r;

	(void)w;
	memcpy(&r, m->payload, sizeof(r));
	memcpy(&a->reg.region, &r.region, sizeof(a->reg.region));
	return 0;
}

/* offset, size, flags, then exactly size (at most 256) bytes. */
static int vdevd_dec_config(const struct vdevd_wire *w, struct vdevd_msg *m,
			    union vdevd_arg *a)
{
	uint32_t f[3];

	(void)w;
	if (m->hdr.size < VU_WIRE_CONFIG_HDR_SIZE)
		return vdevd_bad(m, "payload size %u, want 12 + size",
				 m->hdr.size);
	memcpy(f, m->payload, sizeof(f));
	if (f[1] > VDEV_VU_MAX_CONFIG)
		return vdevd_bad(m, "config size %u over %u", f[1],
				 VDEV_VU_MAX_CONFIG);
	if (m->hdr.size != VU_WIRE_CONFIG_HDR_SIZE + f[1])
		return vdevd_bad(m, "payload size %u, want %u for %u bytes",
				 m->hdr.size, VU_WIRE_CONFIG_HDR_SIZE + f[1],
				 f[1]);
	a->cfg.offset = f[0];
	a->cfg.size = f[1];
	a->cfg.cfg_flags = f[2];
	memcpy(a->cfg.data, m->payload + VU_WIRE_CONFIG_HDR_SIZE, f[1]);
	return 0;
}

/* The log's size and offset in the fd; the kernel checks both. */
static int vdevd_dec_log_base(const struct vdevd_wire *w,
			      struct vdevd_msg *m, union vdevd_arg *a)
{
	struct vu_wire_log l;

	(void)w;
	memcpy(&l, m->payload, sizeof(l));
	a->log.mmap_size = l.mmap_size;
	a->log.mmap_offset = l.mmap_offset;
	return 0;
}

/*
 * The region's size, offset and shape; the kernel checks them all. The
 * wire's padding is not passed on: the struct's must be zero.
 */
static int vdevd_dec_inflight(const struct vdevd_wire *w,
			      struct vdevd_msg *m, union vdevd_arg *a)
{
	struct vu_wire_inflight r;

	(void)w;
	memcpy(&r, m->payload, sizeof(r));
	a->inflight.mmap_size = r.mmap_size;
	a->inflight.mmap_offset = r.mmap_offset;
	a->inflight.num_queues = r.num_queues;
	a->inflight.queue_size = r.queue_size;
	return 0;
}

static const struct vdevd_kind_ops vdevd_kinds[] = {
	[VDEVD_K_HDR] = { sizeof(struct vdev_vu_hdr), vdevd_dec_hdr },
	[VDEVD_K_U64] = { sizeof(struct vdev_vu_u64), vdevd_dec_u64 },
	[VDEVD_K_VRING_STATE] = { sizeof(struct vdev_vu_vring_state),
				  vdevd_dec_vring_state },
	[VDEVD_K_VRING_ADDR] = { sizeof(struct vdev_vu_vring_addr),
				 vdevd_dec_vring_addr },
	[VDEVD_K_VRING_FILE] = { sizeof(struct vdev_vu_vring_file),
				 vdevd_dec_vring_file },
	[VDEVD_K_MEM_TABLE] = { sizeof(struct vdev_vu_mem_table),
				vdevd_dec_mem_table },
	[VDEVD_K_MEM_REG] = { sizeof(struct vdev_vu_mem_reg),
			      vdevd_dec_mem_reg },
	[VDEVD_K_CONFIG] = { sizeof(struct vdev_vu_config),
			     vdevd_dec_config },
	[VDEVD_K_LOG_BASE] = { sizeof(struct vdev_vu_log_base),
			       vdevd_dec_log_base },
	[VDEVD_K_INFLIGHT] = { sizeof(struct vdev_vu_inflight),
			       vdevd_dec_inflight },
};

static const struct vdevd_wire *vdevd_wire_find(uint32_t request)
{
	if (request >= VDEVD_NR_REQS ||
	    vdevd_wire[request].kind == VDEVD_K_UNKNOWN)
		return NULL;
	return &vdevd_wire[request];
}

/* The size and fd rules every request of a kind shares. */
static int vdevd_wire_check(const struct vdevd_wire *w, struct vdevd_msg *m)
{
	uint32_t size = m->hdr.size;

	if (w->size == VDEVD_SZ_NONE && size != 0 && size != 8)
		return vdevd_bad(m, "payload size %u, want 0", size);
	if (w->size >= 0 && size != (uint32_t)w->size)
		return vdevd_bad(m, "payload size %u, want %d", size, w->size);
	switch (w->fds) {
	case VDEVD_FD_0:
		if (m->nfds)
			return vdevd_bad(m, "%u fds, want none", m->nfds);
		break;
	case VDEVD_FD_1:
		if (m->nfds != 1)
			return vdevd_bad(m, "%u fds, want 1", m->nfds);
		break;
	case VDEVD_FD_0_1:
		if (m->nfds > 1)
			return vdevd_bad(m, "%u fds, want 0 or 1", m->nfds);
		break;
	case VDEVD_FD_VAR:
		break;
	}
	return 0;
}

/* The envelope: the peeked header as is, and every peeked fd. */
static void vdevd_hdr_fill(struct vdev_vu_hdr *h, const struct vdevd_msg *m,
			   size_t argsz)
{
	unsigned int i, n = m->nfds;

	if (n > VDEV_VU_MAX_FDS)
		n = VDEV_VU_MAX_FDS;
	h->argsz = argsz;
	h->flags = 0;
	h->request = m->hdr.request;
	h->msg_flags = m->hdr.flags;
	h->msg_size = m->hdr.size;
	h->nfds = n;
	for (i = 0; i < VDEV_VU_MAX_FDS; i++)
		h->fds[i] = i < n ? m->fds[i] : -1;
}

static const char *vdevd_action_str(uint32_t action)
{
	switch (action) {
	case VDEV_VU_APPLIED:
		return "applied";
	case VDEV_VU_REPLIED:
		return "replied";
	case VDEV_VU_REFUSED:
		return "refused";
	case VDEV_VU_DISCONNECTED:
		return "disconnected";
	}
	return "unknown action";
}

/* End the session: the kernel shuts the socket down; our fd is useless. */
void vdevd_conn_disconnect(struct vdevd *d, struct vdevd_ctrl *c)
{
	struct vdev_fd_arg arg = { .argsz = sizeof(arg), .fd = -1 };
	int err;

	err = vdevd_ioctl(c->handle, VDEV_IOC_DISCONNECT, &arg);
	if (err && err != -ENOTCONN)
		vdevd_err("%s: disconnect: %s", c->name, strerror(-err));
	else
		vdevd_info("%s: disconnected the front end", c->name);
	vdevd_conn_close(d, c);
}

static enum vdevd_step vdevd_msg_result(struct vdevd *d, struct vdevd_ctrl *c,
					const char *name, uint32_t result,
					uint32_t action)
{
	const char *act = vdevd_action_str(action);

	if (result || action == VDEV_VU_REFUSED ||
	    action == VDEV_VU_DISCONNECTED)
		vdevd_warn("%s: %s %s, result %u (%s)", c->name, name, act,
			   result, strerror(result));
	else
		vdevd_dbg("%s: %s %s", c->name, name, act);
	if (action != VDEV_VU_DISCONNECTED)
		return VDEVD_STEP_NEXT;
	vdevd_info("%s: session ended by the kernel", c->name);
	vdevd_conn_close(d, c);
	return VDEVD_STEP_GONE;
}

enum vdevd_step vdevd_msg_outcome(struct vdevd *d, struct vdevd_ctrl *c,
				  const char *name, int err, uint32_t result,
				  uint32_t action)
{
	switch (err) {
	case 0:
		return vdevd_msg_result(d, c, name, result, action);
	case -ENOTCONN:
		vdevd_info("%s: session already ended", c->name);
		vdevd_conn_close(d, c);
		return VDEVD_STEP_GONE;
	case -EBADMSG:
	case -EAGAIN:
		/* Out of step with the socket: peek again. */
		vdevd_dbg("%s: %s: %s, peeking again", c->name, name,
			  strerror(-err));
		return VDEVD_STEP_WAIT;
	}
	vdevd_err("%s: %s ioctl failed: %s, disconnecting", c->name, name,
		  strerror(-err));
	vdevd_conn_disconnect(d, c);
	return VDEVD_STEP_GONE;
}

static enum vdevd_step vdevd_msg_call(struct vdevd *d, struct vdevd_ctrl *c,
				      const struct vdevd_msg *m,
				      unsigned long nr, union vdevd_arg *a)
{
	int err = vdevd_ioctl(c->handle, nr, a);

	return vdevd_msg_outcome(d, c, m->name, err, a->hdr.result,
				 a->hdr.action);
}

/* Consume a message the kernel does not apply; err 0: ack if asked. */
static enum vdevd_step vdevd_msg_drop(struct vdevd *d, struct vdevd_ctrl *c,
				      const struct vdevd_msg *m, uint32_t err)
{
	union vdevd_arg a;

	if (err)
		vdevd_warn("%s: dropping %s: %s", c->name, m->name, m->why);
	else
		vdevd_info("%s: dropping %s: %s", c->name, m->name, m->why);
	memset(&a, 0, sizeof(a));
	vdevd_hdr_fill(&a.hdr, m, sizeof(a.drop));
	a.drop.err = err;
	return vdevd_msg_call(d, c, m, VDEV_VU_IOC_DROP, &a);
}

static enum vdevd_step vdevd_msg_handle(struct vdevd *d, struct vdevd_ctrl *c,
					struct vdevd_msg *m)
{
	const struct vdevd_wire *w = vdevd_wire_find(m->hdr.request);
	const struct vdevd_kind_ops *ops;
	union vdevd_arg a;

	if (!w) {
		snprintf(m->name, sizeof(m->name), "request %u",
			 m->hdr.request);
		vdevd_bad(m, "unknown request");
		return vdevd_msg_drop(d, c, m, EINVAL);
	}
	snprintf(m->name, sizeof(m->name), "%s", w->name);
	if (m->nfds > VDEV_VU_MAX_FDS) {
		vdevd_bad(m, "%u fds, at most %u", m->nfds, VDEV_VU_MAX_FDS);
		return vdevd_msg_drop(d, c, m, EINVAL);
	}
	if (w->kind == VDEVD_K_OBSOLETE) {
		vdevd_bad(m, "deprecated");
		return vdevd_msg_drop(d, c, m, 0);
	}
	ops = &vdevd_kinds[w->kind];
	memset(&a, 0, sizeof(a));
	if (vdevd_wire_check(w, m) || ops->decode(w, m, &a))
		return vdevd_msg_drop(d, c, m, EINVAL);
	vdevd_hdr_fill(&a.hdr, m, ops->argsz);
	return vdevd_msg_call(d, c, m, VDEV_VU_IOC(m->hdr.request), &a);
}

/* Returns 0, or -EPROTO after logging what breaks the framing. */
static int vdevd_msg_frame(const struct vdevd_ctrl *c,
			   const struct vu_wire_hdr *h)
{
	const uint32_t known = VDEV_VU_FLAG_VERSION_MASK |
			       VDEV_VU_FLAG_REPLY | VDEV_VU_FLAG_NEED_REPLY;
	char why[64];

	if ((h->flags & VDEV_VU_FLAG_VERSION_MASK) != VDEV_VU_VERSION)
		snprintf(why, sizeof(why), "version %u",
			 h->flags & VDEV_VU_FLAG_VERSION_MASK);
	else if (h->flags & VDEV_VU_FLAG_REPLY)
		snprintf(why, sizeof(why), "REPLY flag set");
	else if (h->flags & ~known)
		snprintf(why, sizeof(why), "unknown flags 0x%x",
			 h->flags & ~known);
	else if (h->size > VDEV_VU_MAX_PAYLOAD)
		snprintf(why, sizeof(why), "payload size %u over %u",
			 h->size, VDEV_VU_MAX_PAYLOAD);
	else
		return 0;
	vdevd_warn("%s: framing error: %s (request %u, flags 0x%x, size %u), disconnecting",
		   c->name, why, h->request, h->flags, h->size);
	return -EPROTO;
}

/* Keep every fd the peek installed, so that all of them get closed. */
static void vdevd_peek_take_fds(struct msghdr *mh, int *fds,
				unsigned int *nfds)
{
	struct cmsghdr *cm;
	size_t i, n;
	int fd;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_len < CMSG_LEN(0))
			break;
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(fd));
			if (*nfds < VDEVD_PEEK_FDS)
				fds[(*nfds)++] = fd;
			else
				close(fd);
		}
	}
}

void vdevd_fds_close(int *fds, unsigned int *nfds)
{
	while (*nfds)
		close(fds[--*nfds]);
}

/*
 * Whose fds did the peek of len bytes return? af_unix (6.12 and later,
 * unix_stream_read_generic()) moves a MSG_PEEK on to the next queued skb
 * without checking that the caller's size is used up, and takes that
 * skb's fds with a zero-length chunk: even an exact peek of a message
 * without fds returns those of a later message. A peek does stop right
 * after an skb that carries fds, though. So peek one byte more, without a
 * control buffer: if it comes back, the message's own skb had no fds.
 */
static bool vdevd_peek_fds_ours(const struct vdevd_ctrl *c, void *buf,
				size_t len)
{
	ssize_t n;

	do {
		n = recv(c->conn_fd, buf, len + 1, MSG_PEEK | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	return n <= (ssize_t)len;
}

static enum vdevd_step vdevd_conn_lost(struct vdevd *d, struct vdevd_ctrl *c,
				       ssize_t n)
{
	if (n == 0)
		vdevd_info("%s: front end hung up", c->name);
	else
		vdevd_info("%s: connection lost: %s", c->name,
			   strerror(errno));
	vdevd_conn_close(d, c);
	return VDEVD_STEP_GONE;
}

/*
 * Exactly len bytes: a longer peek of a message without fds would run
 * into the next message and return its fds. Even an exact one can
 * (vdevd_peek_fds_ours()), and then neither those fds nor MSG_CTRUNC are
 * this message's.
 */
enum vdevd_step vdevd_peek_msg(struct vdevd *d, struct vdevd_ctrl *c,
			       void *buf, size_t len, int *fds,
			       unsigned int *nfds, const char *what)
{
	union {
		char buf[CMSG_SPACE(VDEVD_PEEK_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	bool trunc;
	ssize_t n;

	do {
		n = recvmsg(c->conn_fd, &mh,
			    MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return VDEVD_STEP_WAIT;
	if (n <= 0)
		return vdevd_conn_lost(d, c, n);
	vdevd_peek_take_fds(&mh, fds, nfds);
	trunc = mh.msg_flags & MSG_CTRUNC;
	if ((size_t)n == len && (*nfds || trunc) &&
	    !vdevd_peek_fds_ours(c, buf, len)) {
		vdevd_dbg("%s: fds after %s belong to a later message",
			  c->name, what);
		vdevd_fds_close(fds, nfds);
		trunc = false;
	}
	if (trunc) {
		vdevd_warn("%s: framing error: control data truncated, more than %u fds (%s), disconnecting",
			   c->name, VDEVD_PEEK_FDS, what);
		vdevd_conn_disconnect(d, c);
		return VDEVD_STEP_GONE;
	}
	return (size_t)n < len ? VDEVD_STEP_WAIT : VDEVD_STEP_NEXT;
}

/* The header first, without a control buffer: no fds are installed. */
enum vdevd_step vdevd_peek_hdr(struct vdevd *d, struct vdevd_ctrl *c,
			       void *hdr, size_t len)
{
	ssize_t n;

	do {
		n = recv(c->conn_fd, hdr, len, MSG_PEEK | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return VDEVD_STEP_IDLE;
	if (n <= 0)
		return vdevd_conn_lost(d, c, n);
	return (size_t)n < len ? VDEVD_STEP_WAIT : VDEVD_STEP_NEXT;
}

/* The header, its framing, then the whole message with its fds. */
static enum vdevd_step vdevd_msg_peek(struct vdevd *d, struct vdevd_ctrl *c,
				      struct vdevd_msg *m)
{
	enum vdevd_step step;
	char what[32];

	step = vdevd_peek_hdr(d, c, &m->hdr, sizeof(m->hdr));
	if (step != VDEVD_STEP_NEXT)
		return step;
	if (vdevd_msg_frame(c, &m->hdr)) {
		vdevd_conn_disconnect(d, c);
		return VDEVD_STEP_GONE;
	}
	snprintf(what, sizeof(what), "request %u", m->hdr.request);
	step = vdevd_peek_msg(d, c, m->buf, VU_WIRE_HDR_SIZE + m->hdr.size,
			      m->fds, &m->nfds, what);
	if (step != VDEVD_STEP_NEXT)
		return step;
	if (memcmp(m->buf, &m->hdr, VU_WIRE_HDR_SIZE))
		return VDEVD_STEP_WAIT;
	m->payload = m->buf + VU_WIRE_HDR_SIZE;
	return VDEVD_STEP_NEXT;
}

/* Peek, translate and hand over one message; its fds are closed after. */
static enum vdevd_step vdevd_msg_one(struct vdevd *d, struct vdevd_ctrl *c)
{
	static struct vdevd_msg m;
	enum vdevd_step step;

	m.nfds = 0;
	step = vdevd_msg_peek(d, c, &m);
	if (step == VDEVD_STEP_NEXT)
		step = vdevd_msg_handle(d, c, &m);
	vdevd_fds_close(m.fds, &m.nfds);
	return step;
}

const struct vdevd_proto vdevd_proto_vu = {
	.name = "vhost-user",
	.msg_one = vdevd_msg_one,
};

/*
 * Level-triggered epoll would spin on a message that is not all there:
 * take the connection off EPOLLIN (hang-ups still wake us) and peek again
 * on a timer, 1 ms doubling to 100 ms; after 5 s without progress, end
 * the session.
 */
static void vdevd_conn_wait(struct vdevd *d, struct vdevd_ctrl *c,
			    bool progress)
{
	uint64_t now = vdevd_now_ms();

	if (!c->waiting)
		vdevd_rewatch(d, c->conn_src, EPOLLRDHUP);
	if (!c->waiting || progress) {
		c->waiting = true;
		c->wait_start_ms = now;
		c->backoff_ms = VDEVD_RETRY_MIN_MS;
	} else if (now - c->wait_start_ms >= VDEVD_RETRY_LIMIT_MS) {
		vdevd_warn("%s: framing error: message incomplete for %u s, disconnecting",
			   c->name, VDEVD_RETRY_LIMIT_MS / 1000);
		vdevd_conn_disconnect(d, c);
		return;
	} else if (c->backoff_ms < VDEVD_RETRY_MAX_MS) {
		c->backoff_ms *= 2;
		if (c->backoff_ms > VDEVD_RETRY_MAX_MS)
			c->backoff_ms = VDEVD_RETRY_MAX_MS;
	}
	c->retry_at_ms = now + c->backoff_ms;
}

static void vdevd_conn_resume(struct vdevd *d, struct vdevd_ctrl *c)
{
	if (!c->waiting)
		return;
	c->waiting = false;
	vdevd_rewatch(d, c->conn_src, EPOLLIN | EPOLLRDHUP);
}

/* At most VDEVD_MSG_BATCH messages, so other controllers get their turn. */
void vdevd_conn_run(struct vdevd *d, struct vdevd_ctrl *c)
{
	/* No protocol set (the fuzz harness builds conn.c alone): vhost-user. */
	const struct vdevd_proto *proto = c->proto ?: &vdevd_proto_vu;
	enum vdevd_step step = VDEVD_STEP_IDLE;
	bool progress = false;
	int i;

	for (i = 0; i < VDEVD_MSG_BATCH; i++) {
		step = proto->msg_one(d, c);
		if (step != VDEVD_STEP_NEXT)
			break;
		progress = true;
	}
	if (step == VDEVD_STEP_GONE)
		return;
	if (step == VDEVD_STEP_WAIT)
		vdevd_conn_wait(d, c, progress);
	else
		vdevd_conn_resume(d, c);
}

/* The kernel ends the session on a hang-up itself: just let go. */
void vdevd_conn_event(struct vdevd *d, struct vdevd_ctrl *c, uint32_t events)
{
	if (events & (EPOLLHUP | EPOLLRDHUP | EPOLLERR)) {
		vdevd_info("%s: front end hung up", c->name);
		vdevd_conn_close(d, c);
		return;
	}
	if ((events & EPOLLIN) && !c->waiting)
		vdevd_conn_run(d, c);
}

/*
 * A new session (or the held one after a restart). A previous fd belongs
 * to a session that has ended, or the kernel would have refused EBUSY.
 */
void vdevd_conn_attach(struct vdevd *d, struct vdevd_ctrl *c, int fd)
{
	vdevd_conn_close(d, c);
	c->conn_src = vdevd_watch(d, VDEVD_SRC_CONN, fd, c,
				  EPOLLIN | EPOLLRDHUP);
	c->conn_fd = fd;
	if (!c->conn_src) {
		/* Unserved, the front end would hang: end it instead. */
		vdevd_conn_disconnect(d, c);
		return;
	}
}

void vdevd_conn_close(struct vdevd *d, struct vdevd_ctrl *c)
{
	if (c->conn_fd < 0)
		return;
	vdevd_unwatch(d, c->conn_src);
	c->conn_src = NULL;
	close(c->conn_fd);
	c->conn_fd = -1;
	c->waiting = false;
}

void vdevd_timer_run(struct vdevd *d)
{
	uint64_t now = vdevd_now_ms();
	struct vdevd_ctrl *c;
	uint64_t expired;

	if (read(d->timerfd, &expired, sizeof(expired)) < 0)
		return;
	d->timer_at_ms = 0;
	for (c = d->ctrls; c; c = c->next)
		if (c->waiting && c->retry_at_ms <= now)
			vdevd_conn_run(d, c);
}

/* One timer for every waiting connection: the earliest retry. */
void vdevd_timer_arm(struct vdevd *d)
{
	struct itimerspec its = { };
	uint64_t at = 0;
	struct vdevd_ctrl *c;

	for (c = d->ctrls; c; c = c->next)
		if (c->waiting && (!at || c->retry_at_ms < at))
			at = c->retry_at_ms;
	if (at == d->timer_at_ms)
		return;
	if (at) {
		its.it_value.tv_sec = at / 1000;
		its.it_value.tv_nsec = (at % 1000) * 1000000;
	}
	if (timerfd_settime(d->timerfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		vdevd_err("timerfd_settime: %s", strerror(errno));
	else
		d->timer_at_ms = at;
}
