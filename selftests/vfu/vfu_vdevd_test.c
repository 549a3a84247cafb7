// SPDX-License-Identifier: GPL-2.0
/*
 * vfu_vdevd_test: vdevd's vfio-user message cycle (tools/vdevd/vfu.c and
 * conn.c, built as they are) driven by the selftests' client
 * (tools/lib/vfu) over a real unix socket pair, without a kernel. The
 * kernel's half is played here, in vdevd_ioctl(), as the design says it
 * behaves: it checks that the header it is handed still heads the socket,
 * consumes the message, records what vdevd decoded and writes a reply.
 *
 * What this checks is vdevd's half and the client's: that each command
 * reaches its ioctl decoded field by field, that malformed ones are
 * dropped with the right errno and framing errors end the session, that
 * fds arrive where they belong, and that the client's splitting (SET_IRQS
 * by max_msg_fds, region access by max_data_xfer_size), GET_REGION_INFO
 * argsz dance and sparse mmap work. The real kernel is test_vfu_01's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"

/* Built in whole, as the fuzz harness builds conn.c: its union is ours. */
#include "../../tools/vdevd/vfu.c"
#include "vfu_client.h"

/* What the stand-in kernel tells the client in its VERSION reply. */
#define K_MAX_FDS	4
#define K_MAX_XFER	1024
#define K_JSON		"{\"capabilities\":{\"max_msg_fds\":4,\"max_data_xfer_size\":1024,\"pgsizes\":4096,\"max_dma_maps\":64}}"
#define K_BAR0_FD_SIZE	0x4000

/* Every ioctl vdevd made, in order. */
#define K_MAX_CALLS	64

struct k_call {
	unsigned long nr;
	union vdevd_vfu_arg a;
	uint8_t data[VDEV_VFU_MAX_XFER];	/* REGION_WRITE's bytes */
};

static struct {
	struct vdevd d;
	struct vdevd_ctrl c;
	struct vdevd_src src;
	pthread_t thread;
	int client_fd;
	char bad[256];			/* the first broken rule, if any */
	struct k_call calls[K_MAX_CALLS];
	unsigned int ncalls;
} k;

/* --- what main.c provides vdevd ------------------------------------------ */

bool vdevd_verbose;

void vdevd_log(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio == LOG_DEBUG && !vdevd_verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "# vdevd: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

uint64_t vdevd_now_ms(void)
{
	return vfu_now_ms();
}

/* One connection, polled by the thread below: no epoll set. */
struct vdevd_src *vdevd_watch(struct vdevd *d, enum vdevd_src_kind kind,
			      int fd, struct vdevd_ctrl *ctrl, uint32_t events)
{
	return &k.src;
}

int vdevd_rewatch(struct vdevd *d, struct vdevd_src *src, uint32_t events)
{
	return 0;
}

void vdevd_unwatch(struct vdevd *d, struct vdevd_src *src)
{
}

/* --- the stand-in kernel --------------------------------------------------- */

static void k_broken(const char *fmt, ...)
{
	va_list ap;

	if (k.bad[0])
		return;
	va_start(ap, fmt);
	vsnprintf(k.bad, sizeof(k.bad), fmt, ap);
	va_end(ap);
}

/* The envelope: the header on the socket, live fds, -1 past nfds. */
static void k_check_hdr(const struct vdev_vfu_hdr *h)
{
	struct vfu_wire_hdr w;
	unsigned int i;

	if (recv(k.c.conn_fd, &w, sizeof(w), MSG_PEEK | MSG_DONTWAIT) !=
	    sizeof(w) || w.msg_id != h->msg_id || w.command != h->command ||
	    w.msg_size != h->msg_size || w.flags != h->msg_flags)
		k_broken("command %u: envelope is not the socket's head",
			 h->command);
	if (h->nfds > VDEV_VFU_MAX_FDS)
		k_broken("command %u: %u fds", h->command, h->nfds);
	for (i = 0; i < VDEV_VFU_MAX_FDS; i++)
		if (i < h->nfds ? fcntl(h->fds[i], F_GETFD) < 0 :
		    h->fds[i] != -1)
			k_broken("command %u: fds[%u] = %d", h->command, i,
				 h->fds[i]);
}

/* The kernel's own read of the message drops its fds. */
static void k_consume(uint32_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 32)];
		struct cmsghdr align;
	} ctl;
	static uint8_t buf[VDEV_VFU_MAX_MSG];
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(k.c.conn_fd, &mh, MSG_DONTWAIT) != (ssize_t)len)
		k_broken("consuming %u bytes failed", len);
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			close(fd);
		}
}

static void k_reply(const struct vdev_vfu_hdr *h, uint32_t err,
		    const void *payload, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl = { };
	struct vfu_wire_hdr w = {
		.msg_id = h->msg_id, .command = h->command,
		.msg_size = VFU_WIRE_HDR_SIZE + len,
		.flags = VDEV_VFU_TYPE_REPLY | (err ? VDEV_VFU_F_ERROR : 0),
		.error = err,
	};
	struct iovec iov[2] = { { &w, sizeof(w) }, { (void *)payload, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	if (fd >= 0) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), &fd, sizeof(int));
	}
	if (sendmsg(k.c.conn_fd, &mh, MSG_NOSIGNAL) != (ssize_t)(sizeof(w) + len))
		k_broken("reply to command %u not sent", h->command);
}

/* BAR0 (index 0): 64 bytes with the sparse cap, the fd once all fit. */
static void k_region_info(struct k_call *call)
{
	struct {
		struct vfio_region_info info;
		struct vfio_region_info_cap_sparse_mmap cap;
		struct vfio_region_sparse_mmap_area area;
	} r = {
		.info = { sizeof(r), VFIO_REGION_INFO_FLAG_READ |
			  VFIO_REGION_INFO_FLAG_WRITE |
			  VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS,
			  0, sizeof(r.info), K_BAR0_FD_SIZE, 0 },
		.cap = { { VFIO_REGION_INFO_CAP_SPARSE_MMAP, 1, 0 }, 1, 0 },
		.area = { 0x1000, 0x1000 },
	};
	size_t len = sizeof(r);
	int fd = -1;

	if (call->a.info.wire_argsz < len)
		len = sizeof(r.info);
	else
		fd = memfd_create("bar0", MFD_CLOEXEC);
	if (fd >= 0 && ftruncate(fd, K_BAR0_FD_SIZE))
		k_broken("memfd");
	k_reply(&call->a.hdr, 0, &r, len, fd);
	if (fd >= 0)
		close(fd);
}

/* The reply each command gets; what vdevd decoded is in @call. */
static void k_apply(struct k_call *call)
{
	struct vdev_vfu_hdr *h = &call->a.hdr;
	uint8_t out[VDEV_VFU_MAX_MSG];
	struct vfu_wire_device_info di = { 16, 3, 9, 5 };
	struct vfu_wire_version v = { 0, 1 };
	struct vfu_wire_region_rw rw;

	switch (call->nr) {
	case VDEV_VFU_IOC_DROP:
		h->result = call->a.drop.err;
		k_reply(h, call->a.drop.err, NULL, 0, -1);
		return;
	case VDEV_VFU_IOC(VDEV_VFU_VERSION):
		memcpy(out, &v, sizeof(v));
		memcpy(out + sizeof(v), K_JSON, sizeof(K_JSON));
		k_reply(h, 0, out, sizeof(v) + sizeof(K_JSON), -1);
		return;
	case VDEV_VFU_IOC(VDEV_VFU_DEVICE_GET_INFO):
		k_reply(h, 0, &di, sizeof(di), -1);
		return;
	case VDEV_VFU_IOC(VDEV_VFU_DEVICE_GET_REGION_INFO):
		k_region_info(call);
		return;
	case VDEV_VFU_IOC(VDEV_VFU_DMA_UNMAP):
		k_reply(h, 0, &(struct vfu_wire_dma_unmap){ 24, 0,
			call->a.unmap.addr, call->a.unmap.size }, 24, -1);
		return;
	case VDEV_VFU_IOC(VDEV_VFU_REGION_READ):
	case VDEV_VFU_IOC(VDEV_VFU_REGION_WRITE):
		rw = (struct vfu_wire_region_rw){ call->a.rw.offset,
			call->a.rw.region, call->a.rw.count };
		memcpy(out, &rw, sizeof(rw));
		if (call->nr == VDEV_VFU_IOC(VDEV_VFU_REGION_WRITE)) {
			memcpy(call->data, (void *)(uintptr_t)call->a.rw.data,
			       rw.count);
			k_reply(h, 0, out, sizeof(rw), -1);
			return;
		}
		/* Into vdevd's buffer, as the kernel's copy_to_user does. */
		for (uint32_t i = 0; i < rw.count; i++)
			((uint8_t *)(uintptr_t)call->a.rw.data)[i] = rw.offset + i;
		memcpy(out + sizeof(rw), (void *)(uintptr_t)call->a.rw.data,
		       rw.count);
		k_reply(h, 0, out, sizeof(rw) + rw.count, -1);
		return;
	}
	k_reply(h, 0, NULL, 0, -1);
}

int vdevd_ioctl(int fd, unsigned long req, void *arg)
{
	struct vdev_vfu_hdr *h = arg;
	struct k_call *call;

	if (req == VDEV_IOC_DISCONNECT) {
		k.calls[k.ncalls < K_MAX_CALLS ? k.ncalls++ : 0].nr = req;
		shutdown(k.c.conn_fd, SHUT_RDWR);
		return 0;
	}
	if (k.ncalls == K_MAX_CALLS) {
		k_broken("more than %u ioctls", K_MAX_CALLS);
		return -EIO;
	}
	call = &k.calls[k.ncalls++];
	call->nr = req;
	memcpy(&call->a, arg, h->argsz <= sizeof(call->a) ? h->argsz :
	       sizeof(call->a));
	k_check_hdr(h);
	k_consume(h->msg_size);
	k_apply(call);
	h->result = call->a.hdr.result;
	h->action = h->result ? VDEV_VU_REFUSED : VDEV_VU_REPLIED;
	return 0;
}

/* vdevd's loop for the one connection, until it lets go of it. */
static void *k_vdevd(void *arg)
{
	while (k.c.conn_fd >= 0) {
		struct pollfd p = { .fd = k.c.conn_fd, .events = POLLIN };

		if (poll(&p, 1, 10) > 0 || k.c.waiting)
			vdevd_conn_run(&k.d, &k.c);
	}
	return NULL;
}

/* --- the fixture: a client on one end, vdevd on the other ---------------- */

FIXTURE(pair) {
	struct vfu_client client;
};

FIXTURE_SETUP(pair)
{
	int sv[2];

	memset(&k, 0, sizeof(k));
	k.d.epfd = k.d.timerfd = -1;
	snprintf(k.c.name, sizeof(k.c.name), "fake");
	k.c.proto = &vdevd_proto_vfu;
	k.c.handle = -1;
	k.c.listen_fd = -1;
	k.c.conn_fd = -1;
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	vdevd_conn_attach(&k.d, &k.c, sv[1]);
	vfu_init(&self->client);
	self->client.fd = sv[0];
	ASSERT_EQ(0, pthread_create(&k.thread, NULL, k_vdevd, NULL));
}

FIXTURE_TEARDOWN(pair)
{
	vfu_close(&self->client);
	pthread_join(k.thread, NULL);
	EXPECT_STREQ("", k.bad);
}

#define OK(expr) do {							\
	int __r = (expr);						\
	ASSERT_EQ(0, __r) TH_LOG("%s: %s", #expr, c->err);		\
} while (0)

#define REFUSED(want, expr) do {					\
	int __r = (expr);						\
	ASSERT_EQ(-(want), __r) TH_LOG("%s: %s", #expr, c->err);	\
	ASSERT_EQ(want, c->remote_err);					\
} while (0)

static const struct k_call *last(void)
{
	return k.ncalls ? &k.calls[k.ncalls - 1] : &k.calls[K_MAX_CALLS - 1];
}

TEST_F(pair, version)
{
	struct vfu_client *c = &self->client;

	OK(vfu_version(c, 0, 3, NULL));
	ASSERT_EQ(1, k.ncalls);
	EXPECT_EQ(VDEV_VFU_IOC(VDEV_VFU_VERSION), last()->nr);
	EXPECT_EQ(sizeof(struct vdev_vfu_version), last()->a.hdr.argsz);
	EXPECT_EQ(0, last()->a.version.major);
	EXPECT_EQ(3, last()->a.version.minor);
	EXPECT_EQ(VFU_MAX_FDS, last()->a.version.max_msg_fds);
	EXPECT_EQ(VFU_DEFAULT_MAX_DATA_XFER, last()->a.version.max_data_xfer_size);
	EXPECT_EQ(1, c->minor);
	EXPECT_EQ(K_MAX_FDS, c->server.max_msg_fds);
	EXPECT_EQ(K_MAX_XFER, c->server.max_data_xfer_size);
	/* Without JSON: the protocol's defaults reach the kernel. */
	OK(vfu_call(c, VDEV_VFU_VERSION, "\0\0\1\0", 4, NULL, 0,
		    &(struct vfu_msg){ }));
	EXPECT_EQ(1, last()->a.version.max_msg_fds);
	EXPECT_EQ(4096, last()->a.version.pgsizes);
	EXPECT_EQ(65535, last()->a.version.max_dma_maps);
	REFUSED(EINVAL, vfu_version(c, 0, 1, "{\"capabilities\":[]}"));
	EXPECT_EQ(VDEV_VFU_IOC_DROP, last()->nr);
}

TEST_F(pair, region_info_and_mmap)
{
	struct vfu_client *c = &self->client;
	struct vfu_region r;
	uint8_t *p;

	OK(vfu_region_info(c, 0, &r));
	ASSERT_EQ(2, k.ncalls);
	EXPECT_EQ(32, k.calls[0].a.info.wire_argsz);
	EXPECT_EQ(64, k.calls[1].a.info.wire_argsz);
	EXPECT_EQ(64, r.first_argsz);
	ASSERT_EQ(1, r.nr_areas);
	EXPECT_EQ(0x1000, r.areas[0].offset);
	p = vfu_region_mmap(c, &r, 0);
	ASSERT_NE(NULL, p) TH_LOG("%s", c->err);
	p[0] = 1;
	munmap(p, 0x1000);
	vfu_region_put(&r);
}

/* Six eventfds, four a message: two SET_IRQS, each with its own fds. */
TEST_F(pair, set_irqs_split)
{
	struct vfu_client *c = &self->client;
	int fds[6];

	OK(vfu_version(c, 0, 1, NULL));
	for (int i = 0; i < 6; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	OK(vfu_set_irqs(c, VFIO_PCI_MSIX_IRQ_INDEX, VFIO_IRQ_SET_DATA_EVENTFD |
			VFIO_IRQ_SET_ACTION_TRIGGER, 0, 6, fds, NULL));
	ASSERT_EQ(3, k.ncalls);
	EXPECT_EQ(0, k.calls[1].a.irqs.start);
	EXPECT_EQ(4, k.calls[1].a.irqs.count);
	EXPECT_EQ(4, k.calls[1].a.hdr.nfds);
	EXPECT_EQ(4, k.calls[2].a.irqs.start);
	EXPECT_EQ(2, k.calls[2].a.irqs.count);
	EXPECT_EQ(2, k.calls[2].a.hdr.nfds);
	EXPECT_EQ(VFIO_PCI_MSIX_IRQ_INDEX, k.calls[2].a.irqs.index);
	/* An eventfd count that disagrees: dropped. */
	REFUSED(EINVAL, vfu_call(c, VDEV_VFU_DEVICE_SET_IRQS,
				 &(struct vfio_irq_set){ 20,
				 VFIO_IRQ_SET_DATA_EVENTFD, 2, 0, 3 }, 20,
				 fds, 2, NULL));
	for (int i = 0; i < 6; i++)
		close(fds[i]);
}

/* 4 KiB read in four, a write's bytes seen where they lie. */
TEST_F(pair, region_rw_split)
{
	struct vfu_client *c = &self->client;
	uint8_t buf[4096];

	OK(vfu_version(c, 0, 1, NULL));
	OK(vfu_region_read(c, 7, 0, buf, sizeof(buf)));
	ASSERT_EQ(5, k.ncalls);
	for (int i = 0; i < 4096; i++) {
		ASSERT_EQ((uint8_t)i, buf[i]) TH_LOG("byte %d", i);
	}
	EXPECT_EQ(3072, k.calls[4].a.rw.offset);
	EXPECT_EQ(1024, k.calls[4].a.rw.count);
	OK(vfu_region_write(c, 0, 0x14, "\x01\x00\x46\x00", 4));
	EXPECT_EQ(0, memcmp(last()->data, "\x01\x00\x46\x00", 4));
	EXPECT_EQ(0x14, last()->a.rw.offset);
	REFUSED(EINVAL, vfu_call(c, VDEV_VFU_REGION_READ,
				 &(struct vfu_wire_region_rw){ 0, 7, 4097 },
				 16, NULL, 0, NULL));
}

TEST_F(pair, dma_map)
{
	struct vfu_client *c = &self->client;
	struct vfu_mem mem;
	int fds[2];

	OK(vfu_mem_create(c, &mem, 1 << 20));
	OK(vfu_dma_map(c, &mem, 4096, 0x10000, 8192, VDEV_VFU_DMA_READ_OK));
	EXPECT_EQ(1, last()->a.hdr.nfds);
	EXPECT_EQ(32, last()->a.map.wire_argsz);
	EXPECT_EQ(4096, last()->a.map.offset);
	EXPECT_EQ(0x10000, last()->a.map.addr);
	EXPECT_EQ(8192, last()->a.map.size);
	EXPECT_EQ(VDEV_VFU_DMA_READ_OK, last()->a.map.map_flags);
	/* Without an fd it still reaches the kernel, which refuses it. */
	OK(vfu_dma_map(c, NULL, 0, 0x10000, 8192, VDEV_VFU_DMA_READ_OK));
	EXPECT_EQ(0, last()->a.hdr.nfds);
	fds[0] = fds[1] = mem.fd;
	REFUSED(EINVAL, vfu_call(c, VDEV_VFU_DMA_MAP,
				 &(struct vfu_wire_dma_map){ 32, 1, 0, 0, 4096 },
				 32, fds, 2, NULL));
	OK(vfu_dma_unmap(c, 0x10000, 8192));
	EXPECT_EQ(0x10000, last()->a.unmap.addr);
	vfu_mem_destroy(&mem);
}

/* Commands the kernel does not apply, and sizes off the wire rules. */
TEST_F(pair, drops)
{
	static const struct { uint16_t cmd; uint32_t len; int err; } rows[] = {
		{ 0, 0, EINVAL }, { 14, 0, EINVAL }, { 19, 0, EINVAL },
		{ 0xffff, 8, EINVAL }, { VDEV_VFU_DMA_READ, 16, EINVAL },
		{ VFU_CMD_DMA_WRITE, 16, EINVAL },
		{ VDEV_VFU_DEVICE_GET_REGION_IO_FDS, 16, ENOTSUP },
		{ VFU_CMD_REGION_WRITE_MULTI, 8, ENOTSUP },
		{ VFU_CMD_DEVICE_FEATURE, 8, ENOTSUP },
		{ VFU_CMD_MIG_DATA_READ, 8, ENOTSUP },
		{ VFU_CMD_MIG_DATA_WRITE, 8, ENOTSUP },
		{ VDEV_VFU_VERSION, 3, EINVAL },
		{ VDEV_VFU_DMA_MAP, 31, EINVAL }, { VDEV_VFU_DMA_MAP, 33, EINVAL },
		{ VDEV_VFU_DMA_UNMAP, 23, EINVAL },
		{ VDEV_VFU_DEVICE_GET_INFO, 15, EINVAL },
		{ VDEV_VFU_DEVICE_GET_REGION_INFO, 33, EINVAL },
		{ VDEV_VFU_DEVICE_GET_IRQ_INFO, 17, EINVAL },
		{ VDEV_VFU_DEVICE_SET_IRQS, 19, EINVAL },
		{ VDEV_VFU_REGION_READ, 15, EINVAL },
		{ VDEV_VFU_REGION_WRITE, 15, EINVAL },
		{ VDEV_VFU_DEVICE_RESET, 1, EINVAL },
	};
	struct vfu_client *c = &self->client;
	uint8_t zero[64] = { };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		REFUSED(rows[i].err, vfu_call(c, rows[i].cmd, zero, rows[i].len,
					      NULL, 0, NULL));
		ASSERT_EQ(i + 1, k.ncalls);
		EXPECT_EQ(VDEV_VFU_IOC_DROP, last()->nr) TH_LOG("row %u", i);
		EXPECT_EQ(sizeof(struct vdev_vfu_drop), last()->a.hdr.argsz);
	}
	OK(vfu_reset(c));
	EXPECT_EQ(VDEV_VFU_IOC(VDEV_VFU_DEVICE_RESET), last()->nr);
}

/* A message without fds, then one with: each gets its own. */
TEST_F(pair, fds_of_a_later_message)
{
	struct vfu_client *c = &self->client;
	struct vfu_wire_device_info di = { .argsz = 16 };
	struct vfu_wire_dma_map map = { .argsz = 32, .flags = 1, .size = 4096 };
	struct vfu_msg m;
	uint16_t id1, id2;
	int fd = eventfd(0, EFD_CLOEXEC);

	OK(vfu_send(c, VDEV_VFU_DEVICE_GET_INFO, 0, &di, 16, NULL, 0, &id1));
	OK(vfu_send(c, VDEV_VFU_DMA_MAP, 0, &map, 32, &fd, 1, &id2));
	OK(vfu_recv_reply(c, VDEV_VFU_DEVICE_GET_INFO, id1, &m));
	OK(vfu_recv_reply(c, VDEV_VFU_DMA_MAP, id2, &m));
	ASSERT_EQ(2, k.ncalls);
	EXPECT_EQ(0, k.calls[0].a.hdr.nfds);
	EXPECT_EQ(1, k.calls[1].a.hdr.nfds);
	close(fd);
}

static void framing(struct __test_metadata *_metadata, struct vfu_client *c,
		    uint32_t size, uint32_t flags, unsigned int nfds)
{
	struct vfu_wire_hdr h = {
		.msg_id = 1, .command = VDEV_VFU_DEVICE_GET_INFO,
		.msg_size = size, .flags = flags,
	};
	uint8_t payload[16] = { };
	int fds[VDEV_VFU_MAX_FDS + 1];

	for (unsigned int i = 0; i < nfds; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	OK(vfu_send_raw(c, &h, payload, sizeof(payload), fds, nfds));
	OK(vfu_expect_hangup(c, 5000));
	ASSERT_EQ(1, k.ncalls);
	EXPECT_EQ(VDEV_IOC_DISCONNECT, k.calls[0].nr);
	for (unsigned int i = 0; i < nfds; i++)
		close(fds[i]);
}

TEST_F(pair, framing_under_16)
{
	framing(_metadata, &self->client, 15, 0, 0);
}

TEST_F(pair, framing_over_max)
{
	framing(_metadata, &self->client, VDEV_VFU_MAX_MSG + 1, 0, 0);
}

TEST_F(pair, framing_reply)
{
	framing(_metadata, &self->client, 32, VDEV_VFU_TYPE_REPLY, 0);
}

TEST_F(pair, framing_error_flag)
{
	framing(_metadata, &self->client, 32, VDEV_VFU_F_ERROR, 0);
}

TEST_F(pair, framing_unknown_flag)
{
	framing(_metadata, &self->client, 32, 1u << 7, 0);
}

TEST_F(pair, framing_17_fds)
{
	framing(_metadata, &self->client, 32, 0, VDEV_VFU_MAX_FDS + 1);
}

TEST_HARNESS_MAIN
