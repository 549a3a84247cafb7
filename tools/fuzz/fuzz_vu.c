// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_vu: vdevd's vhost-user message cycle (tools/vdevd/conn.c, built
 * in whole) on a real unix socket pair that carries the input's
 * messages, with their fds. The harness plays the two things around it:
 * the front end, which writes the messages and hangs up, and the kernel,
 * whose ioctls (vdevd_ioctl() below, main.c's in vdevd) check what vdevd
 * hands over and consume the message as kmod/vhost.c does.
 *
 * While the stream is one the harness can predict (each message in one
 * send with its size telling the truth), every message must get what the
 * wire rules of Documentation/design/vhost-user-session.rst say, taken
 * from that document's table, not from conn.c: its request ioctl with the
 * payload decoded field by field, a DROP with the right error, or the end
 * of the session for a framing error. Always: the header vdevd passes is
 * the one on the socket, every fd it passes is open, the session ends
 * once the front end has hung up, and no fd is left open.
 *
 * Input, records until it ends (at most FZ_MSGS):
 *   uint8_t ctl	bits 0-2 what the kernel does: 0 applied, 1 replied, 2
 *		refused EINVAL, 3 applied with result 5, 4 session ended
 *		(DISCONNECTED), 5 -ENOTCONN, 6 -EAGAIN once then applied,
 *		7 -EIO; bit 3 send in two parts (fds with the first); bit 4
 *		the header's size is the next uint32_t, not the payload's; bit 5
 *		request id | 0xffffff00; bit 6 vdevd runs once after the
 *		send (and between the parts of a split one), before the
 *		rest arrives
 *   uint8_t request, uint8_t flags, uint8_t nfds (% 20), uint16_t len (% FZ_MAX_PAYLOAD),
 *   [uint32_t size], payload bytes
 */
#include <stdlib.h>
#include <sys/ioctl.h>

#include "../vdevd/conn.c"
#include "fuzz_vdevd.h"

#define FZ_MSGS		32
#define FZ_MAX_PAYLOAD	4200		/* over the 4096 framing limit */

enum fz_kind {
	FZ_K_NONE,		/* not in the table: unknown */
	FZ_K_OBSOLETE,
	FZ_K_HDR,
	FZ_K_U64,
	FZ_K_STATE,
	FZ_K_ADDR,
	FZ_K_FILE,
	FZ_K_MEM_TABLE,
	FZ_K_MEM_REG,
	FZ_K_CONFIG,
	FZ_K_LOG,
	FZ_K_INFLIGHT,
};

#define FZ_SZ_NONE	(-1)
#define FZ_SZ_VAR	(-2)
#define FZ_FDS_01	2
#define FZ_FDS_VAR	3

/* "Request ioctls and wire rules", as the design document writes it. */
static const struct fz_rule {
	enum fz_kind kind;
	int size;
	int fds;
} fz_rules[64] = {
	[1] = { FZ_K_U64, FZ_SZ_NONE, 0 },		/* GET_FEATURES */
	[2] = { FZ_K_U64, 8, 0 },			/* SET_FEATURES */
	[3] = { FZ_K_HDR, FZ_SZ_NONE, 0 },		/* SET_OWNER */
	[4] = { FZ_K_OBSOLETE, FZ_SZ_VAR, FZ_FDS_VAR },	/* RESET_OWNER */
	[5] = { FZ_K_MEM_TABLE, FZ_SZ_VAR, FZ_FDS_VAR },/* SET_MEM_TABLE */
	[6] = { FZ_K_LOG, 16, 1 },			/* SET_LOG_BASE */
	[8] = { FZ_K_STATE, 8, 0 },			/* SET_VRING_NUM */
	[9] = { FZ_K_ADDR, 40, 0 },			/* SET_VRING_ADDR */
	[10] = { FZ_K_STATE, 8, 0 },			/* SET_VRING_BASE */
	[11] = { FZ_K_STATE, 8, 0 },			/* GET_VRING_BASE */
	[12] = { FZ_K_FILE, 8, FZ_FDS_VAR },		/* SET_VRING_KICK */
	[13] = { FZ_K_FILE, 8, FZ_FDS_VAR },		/* SET_VRING_CALL */
	[14] = { FZ_K_FILE, 8, FZ_FDS_VAR },		/* SET_VRING_ERR */
	[15] = { FZ_K_U64, FZ_SZ_NONE, 0 },		/* GET_PROTOCOL_FEATURES */
	[16] = { FZ_K_U64, 8, 0 },			/* SET_PROTOCOL_FEATURES */
	[17] = { FZ_K_U64, FZ_SZ_NONE, 0 },		/* GET_QUEUE_NUM */
	[18] = { FZ_K_STATE, 8, 0 },			/* SET_VRING_ENABLE */
	[21] = { FZ_K_HDR, FZ_SZ_NONE, 1 },		/* SET_BACKEND_REQ_FD */
	[24] = { FZ_K_CONFIG, FZ_SZ_VAR, 0 },		/* GET_CONFIG */
	[25] = { FZ_K_CONFIG, FZ_SZ_VAR, 0 },		/* SET_CONFIG */
	[31] = { FZ_K_INFLIGHT, 24, 0 },		/* GET_INFLIGHT_FD */
	[32] = { FZ_K_INFLIGHT, 24, 1 },		/* SET_INFLIGHT_FD */
	[34] = { FZ_K_HDR, FZ_SZ_NONE, 0 },		/* RESET_DEVICE */
	[36] = { FZ_K_U64, FZ_SZ_NONE, 0 },		/* GET_MAX_MEM_SLOTS */
	[37] = { FZ_K_MEM_REG, 40, 1 },			/* ADD_MEM_REG */
	[38] = { FZ_K_MEM_REG, 40, FZ_FDS_01 },		/* REM_MEM_REG */
	[39] = { FZ_K_U64, 8, 0 },			/* SET_STATUS */
	[40] = { FZ_K_U64, FZ_SZ_NONE, 0 },		/* GET_STATUS */
};

static const size_t fz_argsz[] = {
	[FZ_K_HDR] = sizeof(struct vdev_vu_hdr),
	[FZ_K_U64] = sizeof(struct vdev_vu_u64),
	[FZ_K_STATE] = sizeof(struct vdev_vu_vring_state),
	[FZ_K_ADDR] = sizeof(struct vdev_vu_vring_addr),
	[FZ_K_FILE] = sizeof(struct vdev_vu_vring_file),
	[FZ_K_MEM_TABLE] = sizeof(struct vdev_vu_mem_table),
	[FZ_K_MEM_REG] = sizeof(struct vdev_vu_mem_reg),
	[FZ_K_CONFIG] = sizeof(struct vdev_vu_config),
	[FZ_K_LOG] = sizeof(struct vdev_vu_log_base),
	[FZ_K_INFLIGHT] = sizeof(struct vdev_vu_inflight),
};

/* What should become of a message. */
enum fz_verdict {
	FZ_V_IOC,		/* its request ioctl */
	FZ_V_DROP,		/* DROP with fz_msg.err */
	FZ_V_END,		/* framing error: vdevd disconnects */
};

struct fz_msg {
	uint8_t ctl;
	struct vu_wire_hdr hdr;
	const uint8_t *payload;
	uint16_t len;
	unsigned int nfds;
	bool predictable;	/* this and all before it */
	enum fz_verdict verdict;
	uint32_t err;
	bool again_done;
};

static struct {
	struct fz_msg msgs[FZ_MSGS];
	unsigned int nmsgs;
	unsigned int sent;		/* messages written whole */
	unsigned int cur;		/* messages consumed by the "kernel" */
	int kfd;			/* the kernel's reference to the socket */
	struct vdevd *d;
	struct vdevd_ctrl *c;
	bool disconnect_called;
	bool ended;			/* the kernel ended the session */
} fz;

/* --- the kernel's side of the ioctls -------------------------------------- */

/* The envelope, against what is on the socket (kmod/vhost.c's checks). */
static void fz_check_hdr(const struct vdev_vu_hdr *h, size_t argsz)
{
	struct vu_wire_hdr w;
	unsigned int i;
	ssize_t n;

	FZ_ASSERT(h->argsz == argsz && h->flags == 0);
	FZ_ASSERT(h->nfds <= VDEV_VU_MAX_FDS);
	for (i = 0; i < VDEV_VU_MAX_FDS; i++)
		FZ_ASSERT(i < h->nfds ? fz_fd_open(h->fds[i]) && h->fds[i] != fz.kfd
				      : h->fds[i] == -1);
	n = recv(fz.kfd, &w, sizeof(w), MSG_PEEK | MSG_DONTWAIT);
	FZ_ASSERT(n == sizeof(w));
	FZ_ASSERT(w.request == h->request && w.flags == h->msg_flags &&
		  w.size == h->msg_size);
}

/* The payload decoded as the wire rules say. */
static void fz_check_decode(const struct fz_msg *m, enum fz_kind kind,
			    const union vdevd_arg *a)
{
	const struct fz_rule *r = &fz_rules[m->hdr.request];
	uint64_t v;
	uint32_t u[3];

	switch (kind) {
	case FZ_K_U64:
		v = 0;
		if (r->size == 8)
			memcpy(&v, m->payload, 8);
		FZ_ASSERT(a->u64.value == v);
		break;
	case FZ_K_STATE:
		memcpy(u, m->payload, 8);
		FZ_ASSERT(a->state.index == u[0] && a->state.num == u[1]);
		break;
	case FZ_K_ADDR:
		FZ_ASSERT(!memcmp(&a->addr.index, m->payload, 40));
		break;
	case FZ_K_FILE:
		memcpy(&v, m->payload, 8);
		FZ_ASSERT(a->file.index == (v & 0xff));
		FZ_ASSERT(a->file.vflags == (v & 0x100 ? VDEV_VU_VRING_NOFD : 0));
		break;
	case FZ_K_MEM_TABLE:
		memcpy(u, m->payload, 4);
		FZ_ASSERT(a->table.nregions == u[0] && a->table.pad == 0);
		FZ_ASSERT(!memcmp(a->table.regions, m->payload + 8, 32 * u[0]));
		break;
	case FZ_K_MEM_REG:
		FZ_ASSERT(!memcmp(&a->reg.region, m->payload + 8, 32));
		break;
	case FZ_K_LOG:
		FZ_ASSERT(!memcmp(&a->log.mmap_size, m->payload, 16));
		break;
	case FZ_K_INFLIGHT: {
		uint16_t q[2];

		/* u64 size, u64 offset, u16 queues, u16 size; padding dropped */
		FZ_ASSERT(!memcmp(&a->inflight.mmap_size, m->payload, 16));
		memcpy(q, m->payload + 16, 4);
		FZ_ASSERT(a->inflight.num_queues == q[0] &&
			  a->inflight.queue_size == q[1] && a->inflight.pad == 0);
		break;
	}
	case FZ_K_CONFIG:
		memcpy(u, m->payload, 12);
		FZ_ASSERT(a->cfg.offset == u[0] && a->cfg.size == u[1] &&
			  a->cfg.cfg_flags == u[2] && a->cfg.pad == 0);
		FZ_ASSERT(u[1] <= VDEV_VU_MAX_CONFIG &&
			  !memcmp(a->cfg.data, m->payload + 12, u[1]));
		break;
	default:
		break;
	}
}

/* Consume the message at the head of the socket; its fds go unused. */
static void fz_consume(size_t len)
{
	static uint8_t sink[VU_WIRE_HDR_SIZE + FZ_MAX_PAYLOAD];
	ssize_t n;

	while (len) {
		n = recv(fz.kfd, sink, len, MSG_DONTWAIT);
		FZ_ASSERT(n > 0);
		len -= n;
	}
	fz.cur++;
}

static int fz_kernel_msg(unsigned long nr, union vdevd_arg *a)
{
	static uint8_t peek[VU_WIRE_HDR_SIZE + VDEV_VU_MAX_PAYLOAD];
	struct fz_msg *m = fz.cur < fz.nmsgs ? &fz.msgs[fz.cur] : NULL;
	bool drop = nr == VDEV_VU_IOC_DROP;
	size_t len = VU_WIRE_HDR_SIZE + a->hdr.msg_size;
	enum fz_kind kind = FZ_K_NONE;
	uint8_t how = m ? m->ctl & 7 : 0;
	ssize_t n;

	FZ_ASSERT(!fz.ended);
	if (!drop) {
		FZ_ASSERT(a->hdr.request < 64 &&
			  nr == VDEV_VU_IOC(a->hdr.request));
		kind = fz_rules[a->hdr.request].kind;
		FZ_ASSERT(kind > FZ_K_OBSOLETE);
	}
	fz_check_hdr(&a->hdr, drop ? sizeof(a->drop) : fz_argsz[kind]);
	if (m && m->predictable && m->hdr.request == a->hdr.request) {
		FZ_ASSERT(m->verdict == (drop ? FZ_V_DROP : FZ_V_IOC));
		FZ_ASSERT(a->hdr.nfds == m->nfds || (drop && m->nfds > 8));
		if (drop)
			FZ_ASSERT(a->drop.err == m->err && a->drop.pad == 0);
		else
			fz_check_decode(m, kind, a);
	} else if (m) {
		FZ_ASSERT(!m->predictable);
	}
	/* kmod/vhost.c: all of it there, or EAGAIN. */
	n = recv(fz.kfd, peek, len, MSG_PEEK | MSG_DONTWAIT);
	if (n != (ssize_t)len)
		return -EAGAIN;
	switch (how) {
	case 5:
		fz.ended = true;
		return -ENOTCONN;
	case 6:
		if (!m->again_done) {
			m->again_done = true;
			return -EAGAIN;
		}
		break;
	case 7:
		return -EIO;
	}
	fz_consume(len);
	a->hdr.result = how == 2 ? EINVAL : how == 3 ? 5 : 0;
	a->hdr.action = how == 1 ? VDEV_VU_REPLIED :
			how == 2 ? VDEV_VU_REFUSED :
			how == 4 ? VDEV_VU_DISCONNECTED : VDEV_VU_APPLIED;
	if (how == 4)
		fz.ended = true;
	return 0;
}

int vdevd_ioctl(int fd, unsigned long req, void *arg)
{
	struct vdev_fd_arg *fa = arg;

	FZ_ASSERT(fd == 1000);		/* the controller handle */
	if (req == VDEV_IOC_DISCONNECT) {
		FZ_ASSERT(fa->argsz == sizeof(*fa) && fa->fd == -1);
		fz.disconnect_called = true;
		fz.ended = true;
		return 0;
	}
	return fz_kernel_msg(req, arg);
}

/* --- the front end -------------------------------------------------------- */

/* What the wire rules make of a whole, truthful message. */
static void fz_predict(struct fz_msg *m)
{
	const struct fz_rule *r;
	const uint32_t known = VDEV_VU_FLAG_VERSION_MASK | VDEV_VU_FLAG_REPLY |
			  VDEV_VU_FLAG_NEED_REPLY;
	uint32_t size = m->hdr.size, n = 0, want;
	uint64_t v;

	m->verdict = FZ_V_END;
	if ((m->hdr.flags & VDEV_VU_FLAG_VERSION_MASK) != VDEV_VU_VERSION ||
	    (m->hdr.flags & VDEV_VU_FLAG_REPLY) || (m->hdr.flags & ~known) ||
	    size > VDEV_VU_MAX_PAYLOAD || m->nfds > 16)
		return;
	m->verdict = FZ_V_DROP;
	m->err = EINVAL;
	if (m->hdr.request >= 64 || fz_rules[m->hdr.request].kind == FZ_K_NONE ||
	    m->nfds > VDEV_VU_MAX_FDS)
		return;
	r = &fz_rules[m->hdr.request];
	if (r->kind == FZ_K_OBSOLETE) {
		m->err = 0;
		return;
	}
	if (r->size == FZ_SZ_NONE && size != 0 && size != 8)
		return;
	if (r->size >= 0 && size != (uint32_t)r->size)
		return;
	if ((r->fds == 0 && m->nfds) || (r->fds == 1 && m->nfds != 1) ||
	    (r->fds == FZ_FDS_01 && m->nfds > 1))
		return;
	switch (r->kind) {
	case FZ_K_FILE:
		memcpy(&v, m->payload, 8);
		want = v & 0x100 ? 0 : 1;
		if ((v >> 9) || m->nfds != want)
			return;
		break;
	case FZ_K_MEM_TABLE:
		if (size < 8)
			return;
		memcpy(&n, m->payload, 4);
		if (n < 1 || n > VDEV_VU_MAX_REGIONS || size != 8 + 32 * n ||
		    m->nfds != n)
			return;
		break;
	case FZ_K_CONFIG:
		if (size < 12)
			return;
		memcpy(&n, m->payload + 4, 4);
		if (n > VDEV_VU_MAX_CONFIG || size != 12 + n)
			return;
		break;
	default:
		break;
	}
	m->verdict = FZ_V_IOC;
}

/* One wake-up of vdevd's loop, or the retry timer's when it waits. */
static void fz_wake(void)
{
	if (fz.c->conn_fd < 0)
		return;
	if (fz.c->waiting)
		fz_now = fz.c->retry_at_ms;
	vdevd_conn_run(fz.d, fz.c);
}

/* Parse the records and write them; returns false to skip the input. */
static void fz_front_end(struct fz_in *in, int fd)
{
	static uint8_t wire[VU_WIRE_HDR_SIZE + FZ_MAX_PAYLOAD];
	bool predictable = true;
	unsigned int fds_left = FZ_MAX_FDS;
	struct fz_msg *m;
	size_t len, half;

	while (in->left && fz.nmsgs < FZ_MSGS) {
		m = &fz.msgs[fz.nmsgs++];
		m->ctl = fz_u8(in);
		m->hdr.request = fz_u8(in);
		if (m->ctl & 0x20)
			m->hdr.request |= 0xffffff00;
		m->hdr.flags = fz_u8(in);
		m->nfds = fz_u8(in) % 20;
		if (m->nfds > fds_left)
			m->nfds = fds_left;
		fds_left -= m->nfds;
		m->len = fz_u16(in) % FZ_MAX_PAYLOAD;
		m->hdr.size = m->ctl & 0x10 ? fz_u32(in) : m->len;
		memcpy(wire, &m->hdr, VU_WIRE_HDR_SIZE);
		fz_bytes(in, wire + VU_WIRE_HDR_SIZE, m->len);
		m->payload = wire + VU_WIRE_HDR_SIZE;

		/* A lie about the size, or fds on half a message: unpredictable. */
		if (m->hdr.size != m->len || ((m->ctl & 0x08) && m->nfds))
			predictable = false;
		len = VU_WIRE_HDR_SIZE + m->len;
		if (m->ctl & 0x08) {
			half = len / 2;
			if (!fz_send(fd, wire, half, m->nfds))
				predictable = false;
			if (m->ctl & 0x40)
				fz_wake();
			if (!fz_send(fd, wire + half, len - half, 0))
				predictable = false;
		} else if (!fz_send(fd, wire, len, m->nfds)) {
			predictable = false;
		}
		m->predictable = predictable;
		if (predictable)
			fz_predict(m);
		/* The payload for the checks: a copy that outlives the wire. */
		m->payload = memcpy(malloc(m->len + 12), wire + VU_WIRE_HDR_SIZE,
				    m->len);
		memset((uint8_t *)m->payload + m->len, 0, 12);
		if (predictable && m->verdict == FZ_V_END)
			predictable = false;	/* nothing after it is read */
		if (m->ctl & 0x40)
			fz_wake();
	}
}

/* Where the session must have ended, when every message was predictable. */
static void fz_check_end(void)
{
	unsigned int i;
	uint8_t how;

	for (i = 0; i < fz.nmsgs; i++) {
		const struct fz_msg *m = &fz.msgs[i];

		if (!m->predictable)
			return;
		how = m->ctl & 7;
		if (m->verdict == FZ_V_END) {
			FZ_ASSERT(fz.cur == i && fz.disconnect_called);
			return;
		}
		if (how == 4) {
			FZ_ASSERT(fz.cur == i + 1 && !fz.disconnect_called);
			return;
		}
		if (how == 5 || how == 7) {
			FZ_ASSERT(fz.cur == i && fz.disconnect_called == (how == 7));
			return;
		}
	}
	/* Every message handled; then the hang-up ended it. */
	FZ_ASSERT(fz.cur == fz.nmsgs && !fz.disconnect_called);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return fz_vdevd_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct vdevd d = { .epfd = -1, .timerfd = -1 };
	struct vdevd_ctrl c = { .handle = 1000, .listen_fd = -1, .conn_fd = -1 };
	bool open_before[FZ_FD_SPAN];
	int sv[2], round, fd;
	unsigned int i;

	fz_fds_snapshot(open_before);
	memset(fz.msgs, 0, sizeof(fz.msgs));
	fz.nmsgs = fz.cur = 0;
	fz.disconnect_called = fz.ended = false;
	fz_now = 1000;
	fz.d = &d;
	fz.c = &c;
	FZ_ASSERT(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	fz.kfd = sv[0];
	strcpy(c.name, "fuzz");
	c.conn_fd = dup(sv[0]);
	c.conn_src = vdevd_watch(&d, VDEVD_SRC_CONN, c.conn_fd, &c, 0);
	fz_front_end(&in, sv[1]);
	close(sv[1]);			/* the front end hangs up */

	/* The event loop: a wake-up, then the retry timer while waiting. */
	for (round = 0; round < 400 && c.conn_fd >= 0; round++)
		fz_wake();
	/* After a hang-up and a finite stream, the session always ends. */
	FZ_ASSERT(c.conn_fd < 0);
	fz_check_end();

	close(sv[0]);
	for (i = 0; i < fz.nmsgs; i++)
		free((void *)fz.msgs[i].payload);
	/* Every fd a peek installed is closed again. */
	for (fd = 0; fd < FZ_FD_SPAN; fd++)
		FZ_ASSERT(fz_fd_open(fd) == open_before[fd]);
	return 0;
}
