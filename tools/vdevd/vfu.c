// SPDX-License-Identifier: GPL-2.0
/*
 * vdevd vfio-user: the message cycle of NVMe controllers ("The transport"
 * in Documentation/design/nvme-vfio-user.rst). It is vhost-user's (conn.c)
 * with another header and table: peek the 16-byte header, frame it, peek
 * exactly msg_size bytes with their fds, decode the fixed payload into the
 * command's struct and call VDEV_VFU_IOC(command); the kernel checks that
 * the header still heads the socket, applies, consumes and replies.
 *
 * Framing errors end the session: the stream can no longer be cut into
 * messages. A command the kernel does not apply, or one whose size or fds
 * break the wire rules, is consumed with an error reply (DROP). Every
 * decoder reads only within the peeked message, whose size the framing
 * bounded, and VERSION's JSON goes through the strict reader in
 * ../lib/json_scan.c: a client is untrusted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vdevd.h"

/* Commands 0 to VDEV_VFU_MAX_COMMAND; higher ids are unknown. */
#define VDEVD_VFU_NR_CMDS	(VDEV_VFU_MAX_COMMAND + 1)

/* A payload size checked by the kind's decoder, not the table. */
#define VDEVD_VFU_SZ_VAR	(-1)

/* Fd rules of the wire table. */
enum vdevd_vfu_fd_rule {
	VDEVD_VFU_FD_0,
	VDEVD_VFU_FD_0_1,
	VDEVD_VFU_FD_VAR,		/* checked by the kind's decoder */
};

/* The uapi struct a command becomes; UNKNOWN is an empty table slot. */
enum vdevd_vfu_kind {
	VDEVD_VFU_K_UNKNOWN,		/* dropped, EINVAL */
	VDEVD_VFU_K_WRONG_WAY,		/* server to client: dropped, EINVAL */
	VDEVD_VFU_K_NOTSUP,		/* not applied: dropped, ENOTSUP */
	VDEVD_VFU_K_HDR,
	VDEVD_VFU_K_VERSION,
	VDEVD_VFU_K_DMA_MAP,
	VDEVD_VFU_K_DMA_UNMAP,
	VDEVD_VFU_K_INFO,
	VDEVD_VFU_K_SET_IRQS,
	VDEVD_VFU_K_REGION_RW,
};

/* A row of the design's command table, with the protocol's sizes. */
struct vdevd_vfu_cmd {
	const char *name;
	enum vdevd_vfu_kind kind;
	int size;			/* payload bytes, or _SZ_VAR */
	enum vdevd_vfu_fd_rule fds;
};

#define VDEVD_VFU_CMD(id, name, k, sz, f)				\
	[id] = { name, VDEVD_VFU_K_##k, sz, VDEVD_VFU_FD_##f }

static const struct vdevd_vfu_cmd vdevd_vfu_cmds[VDEVD_VFU_NR_CMDS] = {
	VDEVD_VFU_CMD(VDEV_VFU_VERSION, "VERSION", VERSION,
		      VDEVD_VFU_SZ_VAR, 0),
	VDEVD_VFU_CMD(VDEV_VFU_DMA_MAP, "DMA_MAP", DMA_MAP,
		      sizeof(struct vfu_wire_dma_map), 0_1),
	VDEVD_VFU_CMD(VDEV_VFU_DMA_UNMAP, "DMA_UNMAP", DMA_UNMAP,
		      sizeof(struct vfu_wire_dma_unmap), 0),
	VDEVD_VFU_CMD(VDEV_VFU_DEVICE_GET_INFO, "DEVICE_GET_INFO", INFO,
		      sizeof(struct vfu_wire_device_info), 0),
	VDEVD_VFU_CMD(VDEV_VFU_DEVICE_GET_REGION_INFO, "GET_REGION_INFO", INFO,
		      sizeof(struct vfio_region_info), 0),
	VDEVD_VFU_CMD(VDEV_VFU_DEVICE_GET_REGION_IO_FDS, "GET_REGION_IO_FDS",
		      NOTSUP, VDEVD_VFU_SZ_VAR, VAR),
	VDEVD_VFU_CMD(VDEV_VFU_DEVICE_GET_IRQ_INFO, "GET_IRQ_INFO", INFO,
		      sizeof(struct vfio_irq_info), 0),
	VDEVD_VFU_CMD(VDEV_VFU_DEVICE_SET_IRQS, "SET_IRQS", SET_IRQS,
		      VDEVD_VFU_SZ_VAR, VAR),
	VDEVD_VFU_CMD(VDEV_VFU_REGION_READ, "REGION_READ", REGION_RW,
		      sizeof(struct vfu_wire_region_rw), 0),
	VDEVD_VFU_CMD(VDEV_VFU_REGION_WRITE, "REGION_WRITE", REGION_RW,
		      VDEVD_VFU_SZ_VAR, 0),
	VDEVD_VFU_CMD(VDEV_VFU_DMA_READ, "DMA_READ", WRONG_WAY,
		      VDEVD_VFU_SZ_VAR, VAR),
	VDEVD_VFU_CMD(VFU_CMD_DMA_WRITE, "DMA_WRITE", WRONG_WAY,
		      VDEVD_VFU_SZ_VAR, VAR),
	VDEVD_VFU_CMD(VDEV_VFU_DEVICE_RESET, "DEVICE_RESET", HDR, 0, 0),
	VDEVD_VFU_CMD(VFU_CMD_REGION_WRITE_MULTI, "REGION_WRITE_MULTI", NOTSUP,
		      VDEVD_VFU_SZ_VAR, VAR),
	VDEVD_VFU_CMD(VFU_CMD_DEVICE_FEATURE, "DEVICE_FEATURE", NOTSUP,
		      VDEVD_VFU_SZ_VAR, VAR),
	VDEVD_VFU_CMD(VFU_CMD_MIG_DATA_READ, "MIG_DATA_READ", NOTSUP,
		      VDEVD_VFU_SZ_VAR, VAR),
	VDEVD_VFU_CMD(VFU_CMD_MIG_DATA_WRITE, "MIG_DATA_WRITE", NOTSUP,
		      VDEVD_VFU_SZ_VAR, VAR),
};

/* One peeked message. */
struct vdevd_vfu_msg {
	struct vfu_wire_hdr hdr;
	uint8_t buf[VDEV_VFU_MAX_MSG + 1];
	const uint8_t *payload;		/* buf + 16 */
	uint32_t size;			/* payload bytes */
	int fds[VDEVD_PEEK_FDS];	/* our duplicates, closed after */
	unsigned int nfds;
	char name[32];			/* for log lines */
	char why[160];			/* why it is dropped */
};

/* Every command struct, for one buffer on the stack. */
union vdevd_vfu_arg {
	struct vdev_vfu_hdr hdr;
	struct vdev_vfu_version version;
	struct vdev_vfu_dma_map map;
	struct vdev_vfu_dma_unmap unmap;
	struct vdev_vfu_info info;
	struct vdev_vfu_set_irqs irqs;
	struct vdev_vfu_region_rw rw;
	struct vdev_vfu_drop drop;
};

/*
 * The uapi struct of a kind and its decoder, which returns 0, or -EINVAL
 * with m->why set: the message is then dropped.
 */
struct vdevd_vfu_kind_ops {
	size_t argsz;
	int (*decode)(struct vdevd_vfu_msg *m, union vdevd_vfu_arg *a);
};

/* Room for the bytes a REGION_READ returns; the kernel writes them here. */
static uint8_t vdevd_vfu_read_buf[VDEV_VFU_MAX_XFER];

static int __printf(2, 3) vdevd_vfu_bad(struct vdevd_vfu_msg *m,
					const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int vdevd_vfu_dec_hdr(struct vdevd_vfu_msg *m, union vdevd_vfu_arg *a)
{
	(void)m;
	(void)a;
	return 0;
}

/*
 * major, minor, then optional JSON with its terminating NUL. Absent
 * capabilities get the protocol's defaults; the kernel decides on the
 * version and the numbers.
 */
static int vdevd_vfu_dec_version(struct vdevd_vfu_msg *m,
				 union vdevd_vfu_arg *a)
{
	const size_t fixed = sizeof(struct vfu_wire_version);
	const char *json = (const char *)m->payload + fixed;
	struct vfu_wire_version v;
	struct vfu_caps caps;
	char why[120];
	size_t len;

	if (m->size < fixed)
		return vdevd_vfu_bad(m, "payload size %u, want 4 + JSON",
				     m->size);
	memcpy(&v, m->payload, fixed);
	len = m->size - fixed;
	if (!len) {
		vfu_caps_default(&caps);
	} else if (json[len - 1] != '\0') {
		return vdevd_vfu_bad(m, "capabilities not NUL-terminated");
	} else if (vfu_caps_parse(json, len - 1, &caps, why, sizeof(why))) {
		return vdevd_vfu_bad(m, "capabilities: %s", why);
	}
	a->version.major = v.major;
	a->version.minor = v.minor;
	a->version.max_msg_fds = caps.max_msg_fds;
	a->version.max_dma_maps = caps.max_dma_maps;
	a->version.max_data_xfer_size = caps.max_data_xfer_size;
	a->version.pgsizes = caps.pgsizes;
	return 0;
}

/* The fd, if any, is hdr.fds[0]; the kernel refuses a map without one. */
static int vdevd_vfu_dec_dma_map(struct vdevd_vfu_msg *m,
				 union vdevd_vfu_arg *a)
{
	struct vfu_wire_dma_map w;

	memcpy(&w, m->payload, sizeof(w));
	a->map.wire_argsz = w.argsz;
	a->map.map_flags = w.flags;
	a->map.offset = w.offset;
	a->map.addr = w.addr;
	a->map.size = w.size;
	return 0;
}

static int vdevd_vfu_dec_dma_unmap(struct vdevd_vfu_msg *m,
				   union vdevd_vfu_arg *a)
{
	struct vfu_wire_dma_unmap w;

	memcpy(&w, m->payload, sizeof(w));
	a->unmap.wire_argsz = w.argsz;
	a->unmap.unmap_flags = w.flags;
	a->unmap.addr = w.addr;
	a->unmap.size = w.size;
	return 0;
}

/*
 * DEVICE_GET_INFO, GET_REGION_INFO, GET_IRQ_INFO: argsz first (the room
 * the reply may fill), the index at offset 8 for the latter two.
 */
static int vdevd_vfu_dec_info(struct vdevd_vfu_msg *m, union vdevd_vfu_arg *a)
{
	memcpy(&a->info.wire_argsz, m->payload, sizeof(a->info.wire_argsz));
	if (m->hdr.command != VDEV_VFU_DEVICE_GET_INFO)
		memcpy(&a->info.index, m->payload + 8, sizeof(a->info.index));
	return 0;
}

/*
 * struct vfio_irq_set, then count bytes with DATA_BOOL; eventfds with
 * DATA_EVENTFD, count of them or none (de-assign). One data type exactly:
 * it decides the size.
 */
static int vdevd_vfu_dec_set_irqs(struct vdevd_vfu_msg *m,
				  union vdevd_vfu_arg *a)
{
	const uint32_t fixed = sizeof(struct vfio_irq_set);
	struct vfio_irq_set s;
	uint64_t want;
	uint32_t data;

	if (m->size < fixed)
		return vdevd_vfu_bad(m, "payload size %u, want at least %u",
				     m->size, fixed);
	memcpy(&s, m->payload, fixed);
	data = s.flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	if (data != VFIO_IRQ_SET_DATA_NONE && data != VFIO_IRQ_SET_DATA_BOOL &&
	    data != VFIO_IRQ_SET_DATA_EVENTFD)
		return vdevd_vfu_bad(m, "data flags 0x%x, want one type",
				     data);
	want = fixed + (data == VFIO_IRQ_SET_DATA_BOOL ? (uint64_t)s.count : 0);
	if (m->size != want)
		return vdevd_vfu_bad(m, "payload size %u, want %llu for count %u",
				     m->size, (unsigned long long)want,
				     s.count);
	if (data == VFIO_IRQ_SET_DATA_EVENTFD ?
	    m->nfds && m->nfds != s.count : m->nfds != 0)
		return vdevd_vfu_bad(m, "%u fds for count %u, flags 0x%x",
				     m->nfds, s.count, s.flags);
	a->irqs.wire_argsz = s.argsz;
	a->irqs.irq_flags = s.flags;
	a->irqs.index = s.index;
	a->irqs.start = s.start;
	a->irqs.count = s.count;
	return 0;
}

/*
 * offset, region, count; REGION_WRITE's count bytes follow and are passed
 * where they lie, REGION_READ's come back into vdevd_vfu_read_buf.
 */
static int vdevd_vfu_dec_region_rw(struct vdevd_vfu_msg *m,
				   union vdevd_vfu_arg *a)
{
	const uint32_t fixed = sizeof(struct vfu_wire_region_rw);
	bool write = m->hdr.command == VDEV_VFU_REGION_WRITE;
	struct vfu_wire_region_rw w;

	if (m->size < fixed)
		return vdevd_vfu_bad(m, "payload size %u, want %u + count",
				     m->size, fixed);
	memcpy(&w, m->payload, fixed);
	if (w.count > VDEV_VFU_MAX_XFER)
		return vdevd_vfu_bad(m, "count %u over max_data_xfer_size %u",
				     w.count, VDEV_VFU_MAX_XFER);
	if (write && m->size != fixed + w.count)
		return vdevd_vfu_bad(m, "payload size %u, want %u for count %u",
				     m->size, fixed + w.count, w.count);
	a->rw.offset = w.offset;
	a->rw.region = w.region;
	a->rw.count = w.count;
	a->rw.data = (uintptr_t)(write ? m->payload + fixed :
				 vdevd_vfu_read_buf);
	return 0;
}

static const struct vdevd_vfu_kind_ops vdevd_vfu_kinds[] = {
	[VDEVD_VFU_K_HDR] = { sizeof(struct vdev_vfu_hdr), vdevd_vfu_dec_hdr },
	[VDEVD_VFU_K_VERSION] = { sizeof(struct vdev_vfu_version),
				  vdevd_vfu_dec_version },
	[VDEVD_VFU_K_DMA_MAP] = { sizeof(struct vdev_vfu_dma_map),
				  vdevd_vfu_dec_dma_map },
	[VDEVD_VFU_K_DMA_UNMAP] = { sizeof(struct vdev_vfu_dma_unmap),
				    vdevd_vfu_dec_dma_unmap },
	[VDEVD_VFU_K_INFO] = { sizeof(struct vdev_vfu_info),
			       vdevd_vfu_dec_info },
	[VDEVD_VFU_K_SET_IRQS] = { sizeof(struct vdev_vfu_set_irqs),
				   vdevd_vfu_dec_set_irqs },
	[VDEVD_VFU_K_REGION_RW] = { sizeof(struct vdev_vfu_region_rw),
				    vdevd_vfu_dec_region_rw },
};

/* The size and fd rules of the table. */
static int vdevd_vfu_wire_check(const struct vdevd_vfu_cmd *w,
				struct vdevd_vfu_msg *m)
{
	if (w->size != VDEVD_VFU_SZ_VAR && m->size != (uint32_t)w->size)
		return vdevd_vfu_bad(m, "payload size %u, want %d", m->size,
				     w->size);
	switch (w->fds) {
	case VDEVD_VFU_FD_0:
		if (m->nfds)
			return vdevd_vfu_bad(m, "%u fds, want none", m->nfds);
		break;
	case VDEVD_VFU_FD_0_1:
		if (m->nfds > 1)
			return vdevd_vfu_bad(m, "%u fds, want 0 or 1",
					     m->nfds);
		break;
	case VDEVD_VFU_FD_VAR:
		break;
	}
	return 0;
}

/* The envelope: the peeked header as is, and every peeked fd. */
static void vdevd_vfu_hdr_fill(struct vdev_vfu_hdr *h,
			       const struct vdevd_vfu_msg *m, size_t argsz)
{
	unsigned int i;

	h->argsz = argsz;
	h->flags = 0;
	h->msg_id = m->hdr.msg_id;
	h->command = m->hdr.command;
	h->msg_size = m->hdr.msg_size;
	h->msg_flags = m->hdr.flags;
	h->nfds = m->nfds;
	for (i = 0; i < VDEV_VFU_MAX_FDS; i++)
		h->fds[i] = i < m->nfds ? m->fds[i] : -1;
}

static enum vdevd_step vdevd_vfu_call(struct vdevd *d, struct vdevd_ctrl *c,
				      const struct vdevd_vfu_msg *m,
				      unsigned long nr, union vdevd_vfu_arg *a)
{
	int err = vdevd_ioctl(c->handle, nr, a);

	return vdevd_msg_outcome(d, c, m->name, err, a->hdr.result,
				 a->hdr.action);
}

/* Consume a command the kernel does not apply; the reply carries @err. */
static enum vdevd_step vdevd_vfu_drop(struct vdevd *d, struct vdevd_ctrl *c,
				      const struct vdevd_vfu_msg *m,
				      uint32_t err)
{
	union vdevd_vfu_arg a;

	vdevd_warn("%s: dropping %s (id %u): %s", c->name, m->name,
		   m->hdr.msg_id, m->why);
	memset(&a, 0, sizeof(a));
	vdevd_vfu_hdr_fill(&a.hdr, m, sizeof(a.drop));
	a.drop.err = err;
	return vdevd_vfu_call(d, c, m, VDEV_VFU_IOC_DROP, &a);
}

/* A command outside the table, or one the kernel leaves alone. */
static enum vdevd_step vdevd_vfu_refuse(struct vdevd *d, struct vdevd_ctrl *c,
					struct vdevd_vfu_msg *m,
					const struct vdevd_vfu_cmd *w)
{
	switch (w ? w->kind : VDEVD_VFU_K_UNKNOWN) {
	case VDEVD_VFU_K_WRONG_WAY:
		vdevd_vfu_bad(m, "a server-to-client command");
		return vdevd_vfu_drop(d, c, m, EINVAL);
	case VDEVD_VFU_K_NOTSUP:
		vdevd_vfu_bad(m, "not supported");
		return vdevd_vfu_drop(d, c, m, ENOTSUP);
	default:
		vdevd_vfu_bad(m, "unknown command");
		return vdevd_vfu_drop(d, c, m, EINVAL);
	}
}

static const struct vdevd_vfu_cmd *vdevd_vfu_cmd_find(uint16_t command)
{
	if (command >= VDEVD_VFU_NR_CMDS ||
	    vdevd_vfu_cmds[command].kind == VDEVD_VFU_K_UNKNOWN)
		return NULL;
	return &vdevd_vfu_cmds[command];
}

static enum vdevd_step vdevd_vfu_handle(struct vdevd *d, struct vdevd_ctrl *c,
					struct vdevd_vfu_msg *m)
{
	const struct vdevd_vfu_cmd *w = vdevd_vfu_cmd_find(m->hdr.command);
	const struct vdevd_vfu_kind_ops *ops;
	union vdevd_vfu_arg a;

	if (w)
		snprintf(m->name, sizeof(m->name), "%s", w->name);
	else
		snprintf(m->name, sizeof(m->name), "command %u",
			 m->hdr.command);
	if (!w || w->kind < VDEVD_VFU_K_HDR)
		return vdevd_vfu_refuse(d, c, m, w);
	ops = &vdevd_vfu_kinds[w->kind];
	memset(&a, 0, sizeof(a));
	if (vdevd_vfu_wire_check(w, m) || ops->decode(m, &a))
		return vdevd_vfu_drop(d, c, m, EINVAL);
	vdevd_vfu_hdr_fill(&a.hdr, m, ops->argsz);
	return vdevd_vfu_call(d, c, m, VDEV_VFU_IOC(m->hdr.command), &a);
}

/* Returns 0, or -EPROTO after logging what breaks the framing. */
static int vdevd_vfu_frame(const struct vdevd_ctrl *c,
			   const struct vfu_wire_hdr *h)
{
	char why[64];

	if (h->msg_size < VFU_WIRE_HDR_SIZE)
		snprintf(why, sizeof(why), "size %u under %zu", h->msg_size,
			 VFU_WIRE_HDR_SIZE);
	else if (h->msg_size > VDEV_VFU_MAX_MSG)
		snprintf(why, sizeof(why), "size %u over %u", h->msg_size,
			 VDEV_VFU_MAX_MSG);
	else if ((h->flags & VDEV_VFU_TYPE_MASK) != VDEV_VFU_TYPE_COMMAND)
		snprintf(why, sizeof(why), "type %u, not a command",
			 h->flags & VDEV_VFU_TYPE_MASK);
	else if (h->flags & VDEV_VFU_F_ERROR)
		snprintf(why, sizeof(why), "error flag in a command");
	else if (h->flags & ~VFU_FLAGS_KNOWN)
		snprintf(why, sizeof(why), "unknown flags 0x%x",
			 h->flags & ~VFU_FLAGS_KNOWN);
	else
		return 0;
	vdevd_warn("%s: framing error: %s (command %u, id %u, flags 0x%x, size %u), disconnecting",
		   c->name, why, h->command, h->msg_id, h->flags, h->msg_size);
	return -EPROTO;
}

/* The header, its framing, then exactly msg_size bytes with their fds. */
static enum vdevd_step vdevd_vfu_peek(struct vdevd *d, struct vdevd_ctrl *c,
				      struct vdevd_vfu_msg *m)
{
	enum vdevd_step step;
	char what[32];

	step = vdevd_peek_hdr(d, c, &m->hdr, sizeof(m->hdr));
	if (step != VDEVD_STEP_NEXT)
		return step;
	if (vdevd_vfu_frame(c, &m->hdr)) {
		vdevd_conn_disconnect(d, c);
		return VDEVD_STEP_GONE;
	}
	snprintf(what, sizeof(what), "command %u", m->hdr.command);
	step = vdevd_peek_msg(d, c, m->buf, m->hdr.msg_size, m->fds, &m->nfds,
			      what);
	if (step != VDEVD_STEP_NEXT)
		return step;
	if (memcmp(m->buf, &m->hdr, VFU_WIRE_HDR_SIZE))
		return VDEVD_STEP_WAIT;
	m->payload = m->buf + VFU_WIRE_HDR_SIZE;
	m->size = m->hdr.msg_size - VFU_WIRE_HDR_SIZE;
	return VDEVD_STEP_NEXT;
}

/* Peek, translate and hand over one message; its fds are closed after. */
static enum vdevd_step vdevd_vfu_msg_one(struct vdevd *d, struct vdevd_ctrl *c)
{
	static struct vdevd_vfu_msg m;
	enum vdevd_step step;

	m.nfds = 0;
	step = vdevd_vfu_peek(d, c, &m);
	if (step == VDEVD_STEP_NEXT)
		step = vdevd_vfu_handle(d, c, &m);
	vdevd_fds_close(m.fds, &m.nfds);
	return step;
}

const struct vdevd_proto vdevd_proto_vfu = {
	.name = "vfio-user",
	.msg_one = vdevd_vfu_msg_one,
};
