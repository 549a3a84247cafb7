// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_vfu: vdevd's vfio-user message cycle (tools/vdevd/vfu.c on
 * conn.c's steps, built in whole) on a real unix socket pair carrying the
 * input's messages with their fds. The harness plays the client, which
 * writes the messages and hangs up, and the kernel, whose ioctls
 * (vdevd_ioctl() below) check what vdevd hands over and consume the
 * message as kmod/vfu.c does.
 *
 * While the stream is one the harness can predict (each message in one
 * send, its size telling the truth), every message must get what
 * "The ioctls" in Documentation/design/nvme-vfio-user.rst says, with the
 * payload sizes of the protocol (tools/lib/vfu_wire.h): its
 * VDEV_VFU_IOC(command) with the fields decoded as the wire has them, a
 * DROP with the right errno, or the end of the session for a framing
 * error (a reply-type message from the client included, as vdevd and its
 * selftest have it). Always: the header vdevd passes is the one on the
 * socket, passed fds are open, the session ends once the client has hung
 * up, no fd a peek installed stays open, and VERSION's JSON reader, given
 * the JSON in a buffer of exactly its length, reads nothing past it.
 *
 * Input, records until it ends (at most FZ_MSGS):
 *   u8 ctl	bits 0-2 what the kernel does: 0 applied, 1 replied, 2
 *		refused EINVAL, 3 applied with result 5, 4 session ended
 *		(DISCONNECTED), 5 -ENOTCONN, 6 -EAGAIN once then applied,
 *		7 -EIO; bit 3 send in two parts (fds with the first); bit 4
 *		the header's size is the next u32, not the message's; bit 6
 *		vdevd runs once after the send (and between the parts)
 *   u16 command, u16 msg_id, u8 flags (the header's), u8 nfds (% 20),
 *   u16 len (% FZ_MAX_PAYLOAD) payload bytes, [u32 size], payload
 */
#include <stdlib.h>
#include <sys/ioctl.h>

#include "../vdevd/conn.c"
#include "../vdevd/vfu.c"
#include "fuzz_vdevd.h"

#define FZ_MSGS		32
#define FZ_MAX_PAYLOAD	4200		/* over the largest message's */

/* What should become of a message. */
enum fz_verdict {
	FZ_V_IOC,		/* its command's ioctl */
	FZ_V_DROP,		/* DROP with fz_msg.err */
	FZ_V_END,		/* framing error: vdevd disconnects */
};

struct fz_msg {
	uint8_t ctl;
	struct vfu_wire_hdr hdr;
	const uint8_t *payload;	/* a copy, with 16 zero bytes after it */
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
	unsigned int cur;		/* messages consumed by the "kernel" */
	int kfd;			/* the kernel's reference to the socket */
	struct vdevd *d;
	struct vdevd_ctrl *c;
	bool disconnect_called;
	bool ended;
} fz;

/* --- the wire rules, as the design document has them ---------------------- */

/* Fixed payload sizes; -1 variable (checked below), -2 not applied. */
static int fz_size_of(uint16_t cmd)
{
	switch (cmd) {
	case VDEV_VFU_DMA_MAP:
		return 32;
	case VDEV_VFU_DMA_UNMAP:
		return 24;
	case VDEV_VFU_DEVICE_GET_INFO:
	case VDEV_VFU_DEVICE_GET_IRQ_INFO:
	case VDEV_VFU_REGION_READ:
		return 16;
	case VDEV_VFU_DEVICE_GET_REGION_INFO:
		return 32;
	case VDEV_VFU_DEVICE_RESET:
		return 0;
	case VDEV_VFU_VERSION:
	case VDEV_VFU_DEVICE_SET_IRQS:
	case VDEV_VFU_REGION_WRITE:
		return -1;
	}
	return -2;
}

/* The JSON of a VERSION, parsed from a buffer of exactly its length. */
static int fz_caps(const uint8_t *json, size_t len, struct vfu_caps *caps)
{
	char *copy = malloc(len ? len : 1);
	char why[120];
	int ret;

	memcpy(copy, json, len);
	ret = vfu_caps_parse(copy, len, caps, why, sizeof(why));
	free(copy);
	return ret;
}

/* Payloads that break their command's own rules: EINVAL. */
static bool fz_payload_ok(const struct fz_msg *m, uint32_t size)
{
	const uint8_t *p = m->payload;
	struct vfio_irq_set s;
	struct vfu_caps caps;
	uint32_t count, type;

	switch (m->hdr.command) {
	case VDEV_VFU_VERSION:
		if (size < 4 || m->nfds)
			return false;
		if (size == 4)
			return true;
		return !p[size - 1] && !fz_caps(p + 4, size - 5, &caps);
	case VDEV_VFU_DEVICE_SET_IRQS:
		if (size < 20)
			return false;
		memcpy(&s, p, sizeof(s));
		type = s.flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
		if (type != VFIO_IRQ_SET_DATA_NONE &&
		    type != VFIO_IRQ_SET_DATA_BOOL &&
		    type != VFIO_IRQ_SET_DATA_EVENTFD)
			return false;
		if (size != 20 + (type == VFIO_IRQ_SET_DATA_BOOL ? (uint64_t)s.count : 0))
			return false;
		return type == VFIO_IRQ_SET_DATA_EVENTFD ?
		       !m->nfds || m->nfds == s.count : !m->nfds;
	case VDEV_VFU_REGION_READ:
	case VDEV_VFU_REGION_WRITE:
		if (size < 16)
			return false;
		memcpy(&count, p + 12, 4);
		return count <= VDEV_VFU_MAX_XFER &&
		       (m->hdr.command == VDEV_VFU_REGION_READ ||
			size == 16 + count);
	}
	return true;
}

/* What the rules make of a whole, truthful message. */
static void fz_predict(struct fz_msg *m)
{
	const uint32_t known = VDEV_VFU_TYPE_MASK | VDEV_VFU_F_NO_REPLY |
			       VDEV_VFU_F_ERROR;
	uint32_t size = m->hdr.msg_size - VFU_WIRE_HDR_SIZE;
	uint16_t cmd = m->hdr.command;
	int want;

	m->verdict = FZ_V_END;
	if (m->hdr.msg_size < VFU_WIRE_HDR_SIZE ||
	    m->hdr.msg_size > VDEV_VFU_MAX_MSG ||
	    (m->hdr.flags & VDEV_VFU_TYPE_MASK) != VDEV_VFU_TYPE_COMMAND ||
	    (m->hdr.flags & (VDEV_VFU_F_ERROR | ~known)) ||
	    m->nfds > VDEV_VFU_MAX_FDS)
		return;
	m->verdict = FZ_V_DROP;
	m->err = EINVAL;
	want = fz_size_of(cmd);
	if (want == -2) {
		/* Known but not applied: ENOTSUP; the rest EINVAL. */
		if (cmd == VDEV_VFU_DEVICE_GET_REGION_IO_FDS ||
		    (cmd >= VFU_CMD_REGION_WRITE_MULTI &&
		     cmd <= VFU_CMD_MIG_DATA_WRITE))
			m->err = ENOTSUP;
		return;
	}
	if (want >= 0 && size != (uint32_t)want)
		return;
	if (m->nfds > (cmd == VDEV_VFU_DMA_MAP ? 1U :
		       cmd == VDEV_VFU_DEVICE_SET_IRQS ? 16U : 0U))
		return;
	if (!fz_payload_ok(m, size))
		return;
	m->verdict = FZ_V_IOC;
}

/* --- the kernel's side of the ioctls -------------------------------------- */

/* The envelope, against what is on the socket (kmod/vfu.c's checks). */
static void fz_check_hdr(const struct vdev_vfu_hdr *h, size_t argsz)
{
	struct vfu_wire_hdr w;
	unsigned int i;

	FZ_ASSERT(h->argsz == argsz && h->flags == 0);
	FZ_ASSERT(h->nfds <= VDEV_VFU_MAX_FDS);
	for (i = 0; i < VDEV_VFU_MAX_FDS; i++)
		FZ_ASSERT(i < h->nfds ? fz_fd_open(h->fds[i]) && h->fds[i] != fz.kfd
				      : h->fds[i] == -1);
	FZ_ASSERT(recv(fz.kfd, &w, sizeof(w), MSG_PEEK | MSG_DONTWAIT) ==
		  sizeof(w));
	FZ_ASSERT(w.msg_id == h->msg_id && w.command == h->command &&
		  w.msg_size == h->msg_size && w.flags == h->msg_flags);
}

static size_t fz_argsz(unsigned long nr)
{
	switch (nr - VDEV_VFU_IOC(0)) {
	case 0:
		return sizeof(struct vdev_vfu_drop);
	case VDEV_VFU_VERSION:
		return sizeof(struct vdev_vfu_version);
	case VDEV_VFU_DMA_MAP:
		return sizeof(struct vdev_vfu_dma_map);
	case VDEV_VFU_DMA_UNMAP:
		return sizeof(struct vdev_vfu_dma_unmap);
	case VDEV_VFU_DEVICE_GET_INFO:
	case VDEV_VFU_DEVICE_GET_REGION_INFO:
	case VDEV_VFU_DEVICE_GET_IRQ_INFO:
		return sizeof(struct vdev_vfu_info);
	case VDEV_VFU_DEVICE_SET_IRQS:
		return sizeof(struct vdev_vfu_set_irqs);
	case VDEV_VFU_REGION_READ:
	case VDEV_VFU_REGION_WRITE:
		return sizeof(struct vdev_vfu_region_rw);
	case VDEV_VFU_DEVICE_RESET:
		return sizeof(struct vdev_vfu_hdr);
	}
	FZ_ASSERT(0);	/* an ioctl for a command that has none */
	return 0;
}

static void fz_check_version(const struct fz_msg *m,
			     const struct vdev_vfu_version *v)
{
	struct vfu_caps caps;

	if (m->len > 4)
		FZ_ASSERT(!fz_caps(m->payload + 4, m->len - 5, &caps));
	else
		vfu_caps_default(&caps);
	FZ_ASSERT(!memcmp(&v->major, m->payload, 2) &&
		  !memcmp(&v->minor, m->payload + 2, 2));
	FZ_ASSERT(v->max_msg_fds == caps.max_msg_fds &&
		  v->max_dma_maps == caps.max_dma_maps &&
		  v->max_data_xfer_size == caps.max_data_xfer_size &&
		  v->pgsizes == caps.pgsizes);
}

/* The payload decoded field by field, as the wire lays it out. */
static void fz_check_decode(const struct fz_msg *m, const union vdevd_vfu_arg *a)
{
	const uint8_t *p = m->payload;
	uint32_t count;

	switch (m->hdr.command) {
	case VDEV_VFU_VERSION:
		fz_check_version(m, &a->version);
		break;
	case VDEV_VFU_DMA_MAP:
		FZ_ASSERT(!memcmp(&a->map.wire_argsz, p, 4) &&
			  !memcmp(&a->map.map_flags, p + 4, 4) &&
			  !memcmp(&a->map.offset, p + 8, 8) &&
			  !memcmp(&a->map.addr, p + 16, 8) &&
			  !memcmp(&a->map.size, p + 24, 8));
		break;
	case VDEV_VFU_DMA_UNMAP:
		FZ_ASSERT(!memcmp(&a->unmap.wire_argsz, p, 4) &&
			  !memcmp(&a->unmap.unmap_flags, p + 4, 4) &&
			  !memcmp(&a->unmap.addr, p + 8, 8) &&
			  !memcmp(&a->unmap.size, p + 16, 8));
		break;
	case VDEV_VFU_DEVICE_GET_INFO:
	case VDEV_VFU_DEVICE_GET_REGION_INFO:
	case VDEV_VFU_DEVICE_GET_IRQ_INFO:
		FZ_ASSERT(!memcmp(&a->info.wire_argsz, p, 4));
		FZ_ASSERT(m->hdr.command == VDEV_VFU_DEVICE_GET_INFO ?
			  !a->info.index : !memcmp(&a->info.index, p + 8, 4));
		break;
	case VDEV_VFU_DEVICE_SET_IRQS:
		FZ_ASSERT(!memcmp(&a->irqs.wire_argsz, p, 4) &&
			  !memcmp(&a->irqs.irq_flags, p + 4, 4) &&
			  !memcmp(&a->irqs.index, p + 8, 4) &&
			  !memcmp(&a->irqs.start, p + 12, 4) &&
			  !memcmp(&a->irqs.count, p + 16, 4));
		break;
	case VDEV_VFU_REGION_READ:
	case VDEV_VFU_REGION_WRITE:
		memcpy(&count, p + 12, 4);
		FZ_ASSERT(!memcmp(&a->rw.offset, p, 8) &&
			  !memcmp(&a->rw.region, p + 8, 4) && a->rw.count == count);
		/* A write's data where it lies in the message. */
		if (m->hdr.command == VDEV_VFU_REGION_WRITE)
			FZ_ASSERT(!memcmp((void *)(uintptr_t)a->rw.data, p + 16,
					  count));
		break;
	}
}

/* Consume the message at the head of the socket; its fds go unused. */
static void fz_consume(size_t len)
{
	static uint8_t sink[VDEV_VFU_MAX_MSG];
	ssize_t n;

	while (len) {
		n = recv(fz.kfd, sink, len, MSG_DONTWAIT);
		FZ_ASSERT(n > 0);
		len -= n;
	}
	fz.cur++;
}

/* A REGION_READ's bytes go where vdevd said, as copy_to_user would. */
static void fz_region_read(const union vdevd_vfu_arg *a)
{
	memset((void *)(uintptr_t)a->rw.data, 0xa5, a->rw.count);
}

static void fz_check_msg(struct fz_msg *m, unsigned long nr,
			 const union vdevd_vfu_arg *a)
{
	bool drop = nr == VDEV_VFU_IOC_DROP;

	if (!m || !m->predictable || m->hdr.command != a->hdr.command ||
	    m->hdr.msg_id != a->hdr.msg_id) {
		FZ_ASSERT(!m || !m->predictable);
		return;
	}
	FZ_ASSERT(m->verdict == (drop ? FZ_V_DROP : FZ_V_IOC));
	FZ_ASSERT(a->hdr.nfds == m->nfds);
	if (drop)
		FZ_ASSERT(a->drop.err == m->err && a->drop.pad == 0);
	else
		fz_check_decode(m, a);
}

static int fz_kernel_msg(unsigned long nr, union vdevd_vfu_arg *a)
{
	static uint8_t peek[VDEV_VFU_MAX_MSG];
	struct fz_msg *m = fz.cur < fz.nmsgs ? &fz.msgs[fz.cur] : NULL;
	uint8_t how = m ? m->ctl & 7 : 0;

	FZ_ASSERT(!fz.ended);
	FZ_ASSERT(nr == VDEV_VFU_IOC_DROP ||
		  nr == VDEV_VFU_IOC(a->hdr.command));
	fz_check_hdr(&a->hdr, fz_argsz(nr));
	fz_check_msg(m, nr, a);
	/* kmod/vfu.c: all of it there, or EAGAIN. */
	if (recv(fz.kfd, peek, a->hdr.msg_size, MSG_PEEK | MSG_DONTWAIT) !=
	    (ssize_t)a->hdr.msg_size)
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
	if (nr == VDEV_VFU_IOC(VDEV_VFU_REGION_READ))
		fz_region_read(a);
	fz_consume(a->hdr.msg_size);
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

/* --- the client ------------------------------------------------------------ */

/* One wake-up of vdevd's loop, or the retry timer's when it waits. */
static void fz_wake(void)
{
	if (fz.c->conn_fd < 0)
		return;
	if (fz.c->waiting)
		fz_now = fz.c->retry_at_ms;
	vdevd_conn_run(fz.d, fz.c);
}

/* Write one message whole or in two parts; false if not all went. */
static bool fz_write(int fd, const struct fz_msg *m, const uint8_t *wire)
{
	size_t len = VFU_WIRE_HDR_SIZE + m->len, half = len / 2;
	bool ok;

	if (!(m->ctl & 0x08))
		return fz_send(fd, wire, len, m->nfds);
	ok = fz_send(fd, wire, half, m->nfds);
	if (m->ctl & 0x40)
		fz_wake();
	return fz_send(fd, wire + half, len - half, 0) && ok;
}

static void fz_client(struct fz_in *in, int fd)
{
	static uint8_t wire[VFU_WIRE_HDR_SIZE + FZ_MAX_PAYLOAD];
	unsigned int fds_left = FZ_MAX_FDS;
	bool predictable = true;
	struct fz_msg *m;
	uint8_t *copy;

	while (in->left && fz.nmsgs < FZ_MSGS) {
		m = &fz.msgs[fz.nmsgs++];
		m->ctl = fz_u8(in);
		m->hdr.command = fz_u16(in);
		m->hdr.msg_id = fz_u16(in);
		m->hdr.flags = fz_u8(in);
		m->nfds = fz_u8(in) % 20U;
		if (m->nfds > fds_left)
			m->nfds = fds_left;
		fds_left -= m->nfds;
		m->len = fz_u16(in) % FZ_MAX_PAYLOAD;
		m->hdr.msg_size = m->ctl & 0x10 ? fz_u32(in) :
				  VFU_WIRE_HDR_SIZE + m->len;
		memcpy(wire, &m->hdr, VFU_WIRE_HDR_SIZE);
		fz_bytes(in, wire + VFU_WIRE_HDR_SIZE, m->len);
		copy = calloc(1, m->len + 16);
		m->payload = memcpy(copy, wire + VFU_WIRE_HDR_SIZE, m->len);

		/* A lie about the size, or fds on half a message. */
		if (m->hdr.msg_size != VFU_WIRE_HDR_SIZE + m->len ||
		    ((m->ctl & 0x08) && m->nfds) || !fz_write(fd, m, wire))
			predictable = false;
		m->predictable = predictable;
		if (predictable)
			fz_predict(m);
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
	struct vdevd_ctrl c = { .handle = 1000, .listen_fd = -1, .conn_fd = -1,
				.proto = &vdevd_proto_vfu };
	bool open_before[FZ_FD_SPAN], open_after[FZ_FD_SPAN];
	int sv[2], round;
	unsigned int i;

	fz_fds_snapshot(open_before);
	memset(&fz, 0, sizeof(fz));
	fz_now = 1000;
	fz.d = &d;
	fz.c = &c;
	FZ_ASSERT(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	fz.kfd = sv[0];
	strcpy(c.name, "fuzz");
	c.conn_fd = dup(sv[0]);
	c.conn_src = vdevd_watch(&d, VDEVD_SRC_CONN, c.conn_fd, &c, 0);
	fz_client(&in, sv[1]);
	close(sv[1]);			/* the client hangs up */

	for (round = 0; round < 400 && c.conn_fd >= 0; round++)
		fz_wake();
	FZ_ASSERT(c.conn_fd < 0);
	fz_check_end();

	close(sv[0]);
	for (i = 0; i < fz.nmsgs; i++)
		free((void *)fz.msgs[i].payload);
	fz_fds_snapshot(open_after);
	FZ_ASSERT(!memcmp(open_before, open_after, sizeof(open_after)));
	return 0;
}
