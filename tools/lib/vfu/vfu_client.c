// SPDX-License-Identifier: GPL-2.0
/*
 * vfu_client: the vfio-user client of the selftests. See vfu_client.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "vfu_client.h"

int vfu_fail(struct vfu_client *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return err;
}

long long vfu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void vfu_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int vfu_left_ms(long long deadline)
{
	long long left = deadline - vfu_now_ms();

	return left > 0 ? (int)left : 0;
}

const char *vfu_cmd_name(uint16_t command)
{
	static const char *const names[] = {
		[VDEV_VFU_VERSION] = "VERSION",
		[VDEV_VFU_DMA_MAP] = "DMA_MAP",
		[VDEV_VFU_DMA_UNMAP] = "DMA_UNMAP",
		[VDEV_VFU_DEVICE_GET_INFO] = "DEVICE_GET_INFO",
		[VDEV_VFU_DEVICE_GET_REGION_INFO] = "GET_REGION_INFO",
		[VDEV_VFU_DEVICE_GET_REGION_IO_FDS] = "GET_REGION_IO_FDS",
		[VDEV_VFU_DEVICE_GET_IRQ_INFO] = "GET_IRQ_INFO",
		[VDEV_VFU_DEVICE_SET_IRQS] = "SET_IRQS",
		[VDEV_VFU_REGION_READ] = "REGION_READ",
		[VDEV_VFU_REGION_WRITE] = "REGION_WRITE",
		[VDEV_VFU_DMA_READ] = "DMA_READ",
		[VFU_CMD_DMA_WRITE] = "DMA_WRITE",
		[VDEV_VFU_DEVICE_RESET] = "DEVICE_RESET",
		[VFU_CMD_REGION_WRITE_MULTI] = "REGION_WRITE_MULTI",
		[VFU_CMD_DEVICE_FEATURE] = "DEVICE_FEATURE",
		[VFU_CMD_MIG_DATA_READ] = "MIG_DATA_READ",
		[VFU_CMD_MIG_DATA_WRITE] = "MIG_DATA_WRITE",
	};

	if (command < sizeof(names) / sizeof(names[0]) && names[command])
		return names[command];
	return "command";
}

/* --- connection ---------------------------------------------------------- */

void vfu_init(struct vfu_client *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_id = 1;
	c->timeout_ms = VFU_DEFAULT_TIMEOUT_MS;
	/* What QEMU 10.1 proposes, less migration. */
	c->ours.max_msg_fds = VFU_MAX_FDS;
	c->ours.max_data_xfer_size = VFU_DEFAULT_MAX_DATA_XFER;
	c->ours.max_dma_maps = VFU_DEFAULT_MAX_DMA_MAPS;
	c->ours.pgsizes = VFU_DEFAULT_PGSIZES;
	vfu_caps_default(&c->server);
}

void vfu_close(struct vfu_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->major = c->minor = 0;
	vfu_caps_default(&c->server);
}

int vfu_connect(struct vfu_client *c, const char *path, int timeout_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long long deadline = vfu_now_ms() + timeout_ms;
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return vfu_fail(c, -ENAMETOOLONG, "socket path too long: %s",
				path);
	strcpy(sun.sun_path, path);
	vfu_close(c);
	for (;;) {
		/* CLOEXEC: commands the tests run must not hold it open. */
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return vfu_fail(c, -errno, "socket: %s",
					strerror(errno));
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			break;
		err = errno;
		close(fd);
		if ((err != ENOENT && err != ECONNREFUSED && err != EAGAIN) ||
		    vfu_now_ms() >= deadline)
			return vfu_fail(c, -err, "connect to %s: %s", path,
					strerror(err));
		vfu_sleep_ms(20);
	}
	c->fd = fd;
	return 0;
}

int vfu_open(struct vfu_client *c, const char *path, int timeout_ms)
{
	long long deadline = vfu_now_ms() + timeout_ms;
	int ret, tries = 0;

	do {
		tries++;
		ret = vfu_connect(c, path, vfu_left_ms(deadline));
		if (ret)
			return ret;
		ret = vfu_version(c, VFU_VERSION_MAJOR, VFU_VERSION_MINOR,
				  NULL);
		if (ret != -ECONNRESET)
			break;
		vfu_sleep_ms(50);
	} while (vfu_now_ms() < deadline);
	if (ret == -ECONNRESET)
		ret = vfu_fail(c, ret, "%s: hung up on every VERSION for %d ms (%d tries): is another client still connected?",
			       path, timeout_ms, tries);
	if (ret)
		vfu_close(c);
	return ret;
}

/* --- messages ------------------------------------------------------------ */

int vfu_send_raw(struct vfu_client *c, const struct vfu_wire_hdr *h,
		 const void *payload, size_t len, const int *fds,
		 unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VFU_MAX_FDS * 2)];
		struct cmsghdr align;
	} ctl = { };
	struct iovec iov[2] = {
		{ (void *)h, VFU_WIRE_HDR_SIZE },
		{ (void *)payload, len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	ssize_t n;

	if (c->fd < 0)
		return vfu_fail(c, -ENOTCONN, "not connected");
	/* Twice the limit, so that tests can send too many. */
	if (nfds > VFU_MAX_FDS * 2)
		return vfu_fail(c, -EINVAL, "%u fds: at most %u", nfds,
				VFU_MAX_FDS * 2);
	if (nfds) {
		struct cmsghdr *cm;

		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	do {
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
		return vfu_fail(c, -ECONNRESET, "send %s: server hung up",
				vfu_cmd_name(h->command));
	if (n < 0)
		return vfu_fail(c, -errno, "sendmsg: %s", strerror(errno));
	if ((size_t)n != VFU_WIRE_HDR_SIZE + len)
		return vfu_fail(c, -EIO, "sendmsg: %zd of %zu bytes", n,
				VFU_WIRE_HDR_SIZE + len);
	return 0;
}

int vfu_send(struct vfu_client *c, uint16_t command, uint32_t flags,
	     const void *payload, size_t len, const int *fds,
	     unsigned int nfds, uint16_t *id)
{
	struct vfu_wire_hdr h = {
		.msg_id = c->next_id++,
		.command = command,
		.msg_size = VFU_WIRE_HDR_SIZE + len,
		.flags = flags,
	};

	if (id)
		*id = h.msg_id;
	return vfu_send_raw(c, &h, payload, len, fds, nfds);
}

void vfu_msg_close_fds(struct vfu_msg *m)
{
	while (m->nfds)
		close(m->fds[--m->nfds]);
}

static void vfu_take_fds(struct msghdr *mh, struct vfu_msg *m)
{
	struct cmsghdr *cm;
	unsigned int i, n;
	int fd;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			if (m->nfds < VFU_MAX_FDS)
				m->fds[m->nfds++] = fd;
			else
				close(fd);
		}
	}
}

/*
 * @len bytes, waiting at most until @deadline. A message's fds ride on
 * its first bytes, so they come with the header read.
 */
static int vfu_read(struct vfu_client *c, void *buf, size_t len,
		    struct vfu_msg *m, long long deadline, const char *what)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VFU_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		struct iovec iov = { (char *)buf + got, len - got };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = ctl.buf,
				     .msg_controllen = sizeof(ctl.buf) };
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

		if (poll(&pfd, 1, vfu_left_ms(deadline)) == 0)
			return vfu_fail(c, -ETIMEDOUT, "%s: %zu of %zu bytes in time",
					what, got, len);
		n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE)))
			return vfu_fail(c, -ECONNRESET, "%s: server hung up after %zu of %zu bytes",
					what, got, len);
		if (n < 0)
			return vfu_fail(c, -errno, "recvmsg: %s", strerror(errno));
		vfu_take_fds(&mh, m);
		if (mh.msg_flags & MSG_CTRUNC)
			return vfu_fail(c, -EPROTO, "%s: more than %d fds", what,
					VFU_MAX_FDS);
		got += n;
	}
	return 0;
}

int vfu_recv(struct vfu_client *c, struct vfu_msg *m, int timeout_ms)
{
	long long deadline = vfu_now_ms() + timeout_ms;
	int ret;

	memset(&m->hdr, 0, sizeof(m->hdr));
	m->nfds = 0;
	m->size = 0;
	if (c->fd < 0)
		return vfu_fail(c, -ENOTCONN, "not connected");
	ret = vfu_read(c, &m->hdr, VFU_WIRE_HDR_SIZE, m, deadline, "header");
	if (!ret && (m->hdr.msg_size < VFU_WIRE_HDR_SIZE ||
		     m->hdr.msg_size - VFU_WIRE_HDR_SIZE > VFU_MAX_PAYLOAD))
		ret = vfu_fail(c, -EPROTO, "%s (id %u): message size %u",
			       vfu_cmd_name(m->hdr.command), m->hdr.msg_id,
			       m->hdr.msg_size);
	if (!ret) {
		m->size = m->hdr.msg_size - VFU_WIRE_HDR_SIZE;
		ret = vfu_read(c, m->payload, m->size, m, deadline, "payload");
	}
	if (ret)
		vfu_msg_close_fds(m);
	return ret;
}

int vfu_recv_reply(struct vfu_client *c, uint16_t command, uint16_t id,
		   struct vfu_msg *m)
{
	const struct vfu_wire_hdr *h = &m->hdr;
	int ret;

	c->remote_err = 0;
	ret = vfu_recv(c, m, c->timeout_ms);
	if (ret) {
		char why[sizeof(c->err)];

		memcpy(why, c->err, sizeof(why));
		return vfu_fail(c, ret, "reply to %s (id %u): %s",
				vfu_cmd_name(command), id, why);
	}
	if (h->msg_id != id || h->command != command ||
	    (h->flags & VDEV_VFU_TYPE_MASK) != VDEV_VFU_TYPE_REPLY ||
	    (h->flags & ~(uint32_t)(VDEV_VFU_TYPE_MASK | VDEV_VFU_F_ERROR))) {
		vfu_msg_close_fds(m);
		return vfu_fail(c, -EPROTO, "want the reply to %s (id %u), got %s (%u) id %u flags 0x%x size %u",
				vfu_cmd_name(command), id,
				vfu_cmd_name(h->command), h->command,
				h->msg_id, h->flags, h->msg_size);
	}
	if (!(h->flags & VDEV_VFU_F_ERROR))
		return 0;
	vfu_msg_close_fds(m);
	if (!h->error || h->error > 4095 || m->size)
		return vfu_fail(c, -EPROTO, "%s (id %u): error reply with errno %u and %u bytes",
				vfu_cmd_name(command), id, h->error, m->size);
	c->remote_err = h->error;
	return vfu_fail(c, -(int)h->error, "%s (id %u) refused: %s",
			vfu_cmd_name(command), id, strerror(h->error));
}

int vfu_call(struct vfu_client *c, uint16_t command, const void *payload,
	     size_t len, const int *fds, unsigned int nfds,
	     struct vfu_msg *reply)
{
	static struct vfu_msg scratch;
	struct vfu_msg *m = reply ?: &scratch;
	uint16_t id;
	int ret;

	ret = vfu_send(c, command, VDEV_VFU_TYPE_COMMAND, payload, len, fds,
		       nfds, &id);
	if (!ret)
		ret = vfu_recv_reply(c, command, id, m);
	if (ret || reply)
		return ret;
	/* A caller that wants nothing back gets nothing: no payload, no fds. */
	if (m->size || m->nfds) {
		vfu_msg_close_fds(m);
		return vfu_fail(c, -EPROTO, "%s: reply of %u bytes and %u fds, want none",
				vfu_cmd_name(command), m->size, m->nfds);
	}
	return 0;
}

static void vfu_describe(const struct vfu_msg *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s (%u) id %u flags 0x%x error %u size %u, %u fds",
		 vfu_cmd_name(m->hdr.command), m->hdr.command, m->hdr.msg_id,
		 m->hdr.flags, m->hdr.error, m->hdr.msg_size, m->nfds);
}

int vfu_expect_no_reply(struct vfu_client *c, int ms)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN | POLLRDHUP };
	static struct vfu_msg m;
	char got[128];
	int ret;

	if (poll(&pfd, 1, ms) == 0)
		return 0;
	ret = vfu_recv(c, &m, c->timeout_ms);
	if (ret)
		return ret == -ECONNRESET ?
		       vfu_fail(c, ret, "want no reply, the server hung up") :
		       ret;
	vfu_describe(&m, got, sizeof(got));
	vfu_msg_close_fds(&m);
	return vfu_fail(c, -EPROTO, "want no reply, got %s", got);
}

int vfu_expect_hangup(struct vfu_client *c, int ms)
{
	static struct vfu_msg m;
	char got[128];
	int ret;

	ret = vfu_recv(c, &m, ms);
	if (ret == -ECONNRESET)
		return 0;
	if (ret == -ETIMEDOUT)
		return vfu_fail(c, ret, "want a hang-up, still connected after %d ms",
				ms);
	if (ret)
		return ret;
	vfu_describe(&m, got, sizeof(got));
	vfu_msg_close_fds(&m);
	return vfu_fail(c, -EPROTO, "want a hang-up, got %s", got);
}
