// SPDX-License-Identifier: GPL-2.0
/*
 * vu_front: the vhost-user front end of the selftests and vdev-perf. See vu_front.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "vu_front.h"

int vu_fail(struct vu_front *f, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->err, sizeof(f->err), fmt, ap);
	va_end(ap);
	return err;
}

long long vu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int vu_left_ms(long long deadline)
{
	long long left = deadline - vu_now_ms();

	return left < 0 ? 0 : (int)left;
}

void vu_sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

const char *vu_req_name(uint32_t request)
{
	switch (request) {
	case VDEV_VU_GET_FEATURES:		return "GET_FEATURES";
	case VDEV_VU_SET_FEATURES:		return "SET_FEATURES";
	case VDEV_VU_SET_OWNER:			return "SET_OWNER";
	case VDEV_VU_RESET_OWNER:		return "RESET_OWNER";
	case VDEV_VU_SET_MEM_TABLE:		return "SET_MEM_TABLE";
	case VDEV_VU_SET_LOG_BASE:		return "SET_LOG_BASE";
	case VDEV_VU_SET_VRING_NUM:		return "SET_VRING_NUM";
	case VDEV_VU_SET_VRING_ADDR:		return "SET_VRING_ADDR";
	case VDEV_VU_SET_VRING_BASE:		return "SET_VRING_BASE";
	case VDEV_VU_GET_VRING_BASE:		return "GET_VRING_BASE";
	case VDEV_VU_SET_VRING_KICK:		return "SET_VRING_KICK";
	case VDEV_VU_SET_VRING_CALL:		return "SET_VRING_CALL";
	case VDEV_VU_SET_VRING_ERR:		return "SET_VRING_ERR";
	case VDEV_VU_GET_PROTOCOL_FEATURES:	return "GET_PROTOCOL_FEATURES";
	case VDEV_VU_SET_PROTOCOL_FEATURES:	return "SET_PROTOCOL_FEATURES";
	case VDEV_VU_GET_QUEUE_NUM:		return "GET_QUEUE_NUM";
	case VDEV_VU_SET_VRING_ENABLE:		return "SET_VRING_ENABLE";
	case VDEV_VU_SET_BACKEND_REQ_FD:	return "SET_BACKEND_REQ_FD";
	case VDEV_VU_GET_CONFIG:		return "GET_CONFIG";
	case VDEV_VU_SET_CONFIG:		return "SET_CONFIG";
	case VDEV_VU_GET_INFLIGHT_FD:		return "GET_INFLIGHT_FD";
	case VDEV_VU_SET_INFLIGHT_FD:		return "SET_INFLIGHT_FD";
	case VDEV_VU_RESET_DEVICE:		return "RESET_DEVICE";
	case VDEV_VU_GET_MAX_MEM_SLOTS:		return "GET_MAX_MEM_SLOTS";
	case VDEV_VU_ADD_MEM_REG:		return "ADD_MEM_REG";
	case VDEV_VU_REM_MEM_REG:		return "REM_MEM_REG";
	case VDEV_VU_SET_STATUS:		return "SET_STATUS";
	case VDEV_VU_GET_STATUS:		return "GET_STATUS";
	default:				return "request";
	}
}

/* --- connection ---------------------------------------------------------- */

void vu_init(struct vu_front *f)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->backend_fd = -1;
	f->mem_fd = -1;
	f->vhost_fd = -1;
	f->timeout_ms = VU_DEFAULT_TIMEOUT_MS;
	f->protocol_mask = ~0ULL;
	f->infl.fd = -1;
}

void vu_close(struct vu_front *f)
{
	unsigned int i;

	if (f->fd >= 0)
		close(f->fd);
	if (f->backend_fd >= 0)
		close(f->backend_fd);
	f->fd = -1;
	f->backend_fd = -1;
	f->features = f->acked_features = 0;
	f->protocol_features = f->acked_protocol = 0;
	f->need_reply = false;
	/* A new session starts without a table and with every ring stopped. */
	for (i = 0; i < f->nregions; i++)
		f->regions[i].added = false;
	for (i = 0; i < f->nqueues; i++)
		if (f->queues[i])
			f->queues[i]->started = false;
}

int vu_connect(struct vu_front *f, const char *path, int timeout_ms)
{
	long long deadline = vu_now_ms() + timeout_ms;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return vu_fail(f, -ENAMETOOLONG, "socket path too long: %s",
			       path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	vu_close(f);
	snprintf(f->path, sizeof(f->path), "%s", path);

	for (;;) {
		/* CLOEXEC: commands the tests run must not hold the socket. */
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return vu_fail(f, -errno, "socket: %s", strerror(errno));
		if (!connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
			f->fd = fd;
			return 0;
		}
		err = errno;
		close(fd);
		if ((err != ENOENT && err != ECONNREFUSED && err != EAGAIN) ||
		    vu_now_ms() >= deadline)
			return vu_fail(f, -err, "connect %s: %s", path,
				       strerror(err));
		vu_sleep_ms(20);
	}
}

int vu_open(struct vu_front *f, const char *path, int timeout_ms)
{
	long long deadline = vu_now_ms() + timeout_ms;
	uint64_t features;
	int ret, tries = 0;

	for (;;) {
		tries++;
		ret = vu_connect(f, path, vu_left_ms(deadline));
		if (ret)
			return ret;
		ret = vu_get_features(f, &features);
		if (ret != -ECONNRESET || vu_now_ms() >= deadline)
			break;
		vu_sleep_ms(50);
	}
	if (ret)
		vu_close(f);
	if (ret == -ECONNRESET)
		return vu_fail(f, ret, "%s: every connection hung up for %d ms (%d tries): is another front end still connected?",
			       path, timeout_ms, tries);
	return ret;
}

/* --- messages ------------------------------------------------------------ */

int vu_send_raw(struct vu_front *f, const void *buf, size_t len,
		const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	ssize_t n;

	if (f->fd < 0)
		return vu_fail(f, -ENOTCONN, "not connected");
	if (nfds < 0 || nfds > VU_MAX_FDS)
		return vu_fail(f, -EINVAL, "%d fds: at most %d", nfds,
			       VU_MAX_FDS);
	if (nfds) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
	}
	do {
		n = sendmsg(f->fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EPIPE || errno == ECONNRESET)
			return vu_fail(f, -ECONNRESET, "send: back end hung up (%s)",
				       strerror(errno));
		return vu_fail(f, -errno, "sendmsg: %s", strerror(errno));
	}
	/* A unix stream socket takes it all or blocks; short means broken. */
	if ((size_t)n != len)
		return vu_fail(f, -EIO, "sendmsg: %zd of %zu bytes", n, len);
	return 0;
}

int vu_send_hdr(struct vu_front *f, uint32_t request, uint32_t flags,
		uint32_t hdr_size, const void *payload, size_t len,
		const int *fds, int nfds)
{
	struct vu_wire_hdr hdr = {
		.request = request, .flags = flags, .size = hdr_size,
	};
	size_t total = VU_WIRE_HDR_SIZE + len;
	char stack[VU_WIRE_HDR_SIZE + 64], *buf = stack;
	int ret;

	if (total > sizeof(stack)) {
		buf = malloc(total);
		if (!buf)
			return vu_fail(f, -ENOMEM, "out of memory");
	}
	memcpy(buf, &hdr, VU_WIRE_HDR_SIZE);
	if (len)
		memcpy(buf + VU_WIRE_HDR_SIZE, payload, len);
	ret = vu_send_raw(f, buf, total, fds, nfds);
	if (buf != stack)
		free(buf);
	return ret;
}

int vu_send(struct vu_front *f, uint32_t request, uint32_t flags,
	    const void *payload, uint32_t size, const int *fds, int nfds)
{
	return vu_send_hdr(f, request, flags, size, payload, size, fds, nfds);
}

void vu_msg_close_fds(struct vu_msg *m)
{
	int i;

	for (i = 0; i < m->nfds; i++)
		close(m->fds[i]);
	m->nfds = 0;
}

/* Read exactly @len bytes of one message, collecting fds into @m. */
static int vu_read_full(struct vu_front *f, void *buf, size_t len,
			struct vu_msg *m, long long deadline, const char *what)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
		struct cmsghdr align;
	} control;
	size_t got = 0;

	while (got < len) {
		struct iovec iov = { .iov_base = (char *)buf + got,
				     .iov_len = len - got };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf),
		};
		struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
		struct cmsghdr *cmsg;
		ssize_t n;
		int r;

		r = poll(&pfd, 1, vu_left_ms(deadline));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return vu_fail(f, -errno, "poll: %s", strerror(errno));
		if (r == 0)
			return vu_fail(f, -ETIMEDOUT, "%s: %zu of %zu bytes came in time",
				       what, got, len);
		n = recvmsg(f->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0 && (errno == ECONNRESET || errno == EPIPE))
			return vu_fail(f, -ECONNRESET, "%s: back end hung up (%s) after %zu of %zu bytes",
				       what, strerror(errno), got, len);
		if (n < 0)
			return vu_fail(f, -errno, "recvmsg: %s", strerror(errno));
		if (n == 0)
			return vu_fail(f, -ECONNRESET, "%s: back end hung up (EOF) after %zu of %zu bytes",
				       what, got, len);
		for (cmsg = CMSG_FIRSTHDR(&msg); cmsg;
		     cmsg = CMSG_NXTHDR(&msg, cmsg)) {
			int *p = (int *)CMSG_DATA(cmsg);
			size_t i, nfd;

			if (cmsg->cmsg_level != SOL_SOCKET ||
			    cmsg->cmsg_type != SCM_RIGHTS)
				continue;
			nfd = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < nfd; i++) {
				if (m->nfds < VU_MAX_FDS)
					m->fds[m->nfds++] = p[i];
				else
					close(p[i]);
			}
		}
		if (msg.msg_flags & MSG_CTRUNC)
			return vu_fail(f, -EPROTO, "%s: more fds than %d",
				       what, VU_MAX_FDS);
		got += n;
	}
	return 0;
}

int vu_recv(struct vu_front *f, struct vu_msg *m, int timeout_ms)
{
	long long deadline = vu_now_ms() + timeout_ms;
	int ret;

	memset(&m->hdr, 0, sizeof(m->hdr));
	m->nfds = 0;
	if (f->fd < 0)
		return vu_fail(f, -ENOTCONN, "not connected");
	ret = vu_read_full(f, &m->hdr, VU_WIRE_HDR_SIZE, m, deadline,
			   "message header");
	if (ret)
		goto err;
	if (m->hdr.size > VDEV_VU_MAX_PAYLOAD) {
		ret = vu_fail(f, -EPROTO, "%s(%u) flags %#x: size %u over %d",
			      vu_req_name(m->hdr.request), m->hdr.request,
			      m->hdr.flags, m->hdr.size, VDEV_VU_MAX_PAYLOAD);
		goto err;
	}
	ret = vu_read_full(f, m->p.bytes, m->hdr.size, m, deadline,
			   "message payload");
	if (!ret)
		return 0;
err:
	vu_msg_close_fds(m);
	return ret;
}

static int vu_describe(const struct vu_msg *m, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s(%u) flags %#x size %u",
			 vu_req_name(m->hdr.request), m->hdr.request,
			 m->hdr.flags, m->hdr.size);

	if (m->hdr.size == 8)
		n += snprintf(buf + n, len - n, " u64 %#llx",
			      (unsigned long long)m->p.u64);
	if (m->nfds)
		n += snprintf(buf + n, len - n, " with %d fds", m->nfds);
	return n;
}

int vu_recv_reply(struct vu_front *f, uint32_t request, struct vu_msg *m)
{
	char got[160];
	int ret;

	ret = vu_recv(f, m, f->timeout_ms);
	if (ret) {
		char why[sizeof(f->err)];

		memcpy(why, f->err, sizeof(why));
		return vu_fail(f, ret, "reply to %s(%u): %s",
			       vu_req_name(request), request, why);
	}
	vu_describe(m, got, sizeof(got));
	if (m->hdr.request != request || m->hdr.flags != VU_REPLY_FLAGS ||
	    m->nfds) {
		vu_msg_close_fds(m);
		return vu_fail(f, -EPROTO, "want a reply to %s(%u) with flags %#x and no fds, got %s",
			       vu_req_name(request), request,
			       (unsigned int)VU_REPLY_FLAGS,
			       got);
	}
	return 0;
}

int vu_recv_u64(struct vu_front *f, uint32_t request, uint64_t *value)
{
	struct vu_msg m;
	int ret;

	ret = vu_recv_reply(f, request, &m);
	if (ret)
		return ret;
	if (m.hdr.size != sizeof(uint64_t))
		return vu_fail(f, -EPROTO, "reply to %s(%u): size %u, want 8",
			       vu_req_name(request), request, m.hdr.size);
	*value = m.p.u64;
	return 0;
}

int vu_recv_ack(struct vu_front *f, uint32_t request)
{
	uint64_t ack;
	int ret;

	ret = vu_recv_u64(f, request, &ack);
	if (ret)
		return ret;
	if (ack) {
		f->last_ack = ack;
		return vu_fail(f, -EREMOTEIO, "%s(%u) refused: ack %llu",
			       vu_req_name(request), request,
			       (unsigned long long)ack);
	}
	return 0;
}

int vu_expect_no_reply(struct vu_front *f, int ms)
{
	struct pollfd pfd = { .fd = f->fd, .events = POLLIN | POLLRDHUP };
	char got[160];
	struct vu_msg m;
	int r, ret;

	do {
		r = poll(&pfd, 1, ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return vu_fail(f, -errno, "poll: %s", strerror(errno));
	if (r == 0)
		return 0;
	ret = vu_recv(f, &m, f->timeout_ms);
	if (ret == -ECONNRESET)
		return vu_fail(f, ret, "want no reply, but the back end hung up");
	if (ret)
		return ret;
	vu_describe(&m, got, sizeof(got));
	vu_msg_close_fds(&m);
	return vu_fail(f, -EPROTO, "want no reply, got %s", got);
}

int vu_expect_hangup(struct vu_front *f, int ms)
{
	char got[160];
	struct vu_msg m;
	int ret;

	ret = vu_recv(f, &m, ms);
	if (ret == -ECONNRESET)
		return 0;
	if (ret == -ETIMEDOUT)
		return vu_fail(f, ret, "want a hang-up, the connection is still up after %d ms",
			       ms);
	if (ret)
		return ret;
	vu_describe(&m, got, sizeof(got));
	vu_msg_close_fds(&m);
	return vu_fail(f, -EPROTO, "want a hang-up, got %s", got);
}

int vu_fence(struct vu_front *f)
{
	uint64_t features;
	int ret;

	ret = vu_send(f, VDEV_VU_GET_FEATURES, VU_FLAGS, NULL, 0, NULL, 0);
	if (!ret)
		ret = vu_recv_u64(f, VDEV_VU_GET_FEATURES, &features);
	if (ret) {
		char why[sizeof(f->err)];

		memcpy(why, f->err, sizeof(why));
		return vu_fail(f, ret, "fence: %s", why);
	}
	if (f->features && features != f->features)
		return vu_fail(f, -EPROTO, "fence: GET_FEATURES %#llx, earlier %#llx",
			       (unsigned long long)features,
			       (unsigned long long)f->features);
	f->features = features;
	return 0;
}

/* --- requests ------------------------------------------------------------ */

int vu_get_u64(struct vu_front *f, uint32_t request, uint32_t flags,
	       uint64_t *value)
{
	int ret;

	ret = vu_send(f, request, flags, NULL, 0, NULL, 0);
	if (ret)
		return ret;
	return vu_recv_u64(f, request, value);
}

static uint32_t vu_set_flags(const struct vu_front *f)
{
	return f->need_reply ? VU_FLAGS_NEED_REPLY : VU_FLAGS;
}

static int vu_set(struct vu_front *f, uint32_t request, const void *payload,
		  uint32_t size, const int *fds, int nfds)
{
	bool need_reply = f->need_reply;
	int ret;

	ret = vu_send(f, request, vu_set_flags(f), payload, size, fds, nfds);
	if (ret || !need_reply)
		return ret;
	return vu_recv_ack(f, request);
}

int vu_set_u64(struct vu_front *f, uint32_t request, uint64_t value)
{
	return vu_set(f, request, &value, sizeof(value), NULL, 0);
}

int vu_set_none(struct vu_front *f, uint32_t request, const int *fds,
		int nfds)
{
	return vu_set(f, request, NULL, 0, fds, nfds);
}

int vu_get_features(struct vu_front *f, uint64_t *features)
{
	int ret = vu_get_u64(f, VDEV_VU_GET_FEATURES, VU_FLAGS, features);

	if (!ret)
		f->features = *features;
	return ret;
}

int vu_set_features(struct vu_front *f, uint64_t features)
{
	int ret = vu_set_u64(f, VDEV_VU_SET_FEATURES, features);

	if (!ret)
		f->acked_features = features;
	return ret;
}

int vu_set_owner(struct vu_front *f)
{
	return vu_set_none(f, VDEV_VU_SET_OWNER, NULL, 0);
}

int vu_get_protocol_features(struct vu_front *f, uint64_t *features)
{
	int ret = vu_get_u64(f, VDEV_VU_GET_PROTOCOL_FEATURES, VU_FLAGS,
			     features);

	if (!ret)
		f->protocol_features = *features;
	return ret;
}

int vu_set_protocol_features(struct vu_front *f, uint64_t features)
{
	int ret = vu_set_u64(f, VDEV_VU_SET_PROTOCOL_FEATURES, features);

	if (!ret) {
		f->acked_protocol = features;
		f->need_reply = features & VU_PF(REPLY_ACK);
	}
	return ret;
}

int vu_get_queue_num(struct vu_front *f, uint64_t *num)
{
	return vu_get_u64(f, VDEV_VU_GET_QUEUE_NUM, VU_FLAGS, num);
}

int vu_get_max_mem_slots(struct vu_front *f, uint64_t *slots)
{
	return vu_get_u64(f, VDEV_VU_GET_MAX_MEM_SLOTS, VU_FLAGS, slots);
}

int vu_get_status(struct vu_front *f, uint64_t *status)
{
	return vu_get_u64(f, VDEV_VU_GET_STATUS, VU_FLAGS, status);
}

int vu_set_status(struct vu_front *f, uint64_t status)
{
	return vu_set_u64(f, VDEV_VU_SET_STATUS, status);
}

int vu_get_config(struct vu_front *f, uint32_t offset, uint32_t size,
		  uint32_t cfg_flags, void *buf)
{
	struct vu_wire_config cfg = {
		.offset = offset, .size = size, .flags = cfg_flags,
	};
	struct vu_msg m;
	int ret;

	if (size > VDEV_VU_MAX_CONFIG)
		return vu_fail(f, -EINVAL, "GET_CONFIG of %u bytes: use vu_send",
			       size);
	ret = vu_send(f, VDEV_VU_GET_CONFIG, VU_FLAGS, &cfg,
		      VU_WIRE_CONFIG_HDR_SIZE + size, NULL, 0);
	if (ret)
		return ret;
	ret = vu_recv_reply(f, VDEV_VU_GET_CONFIG, &m);
	if (ret)
		return ret;
	if (m.hdr.size == 0)
		return vu_fail(f, -EREMOTEIO, "GET_CONFIG offset %u size %u flags %u refused: empty reply",
			       offset, size, cfg_flags);
	if (m.hdr.size != VU_WIRE_CONFIG_HDR_SIZE + size)
		return vu_fail(f, -EPROTO, "GET_CONFIG offset %u size %u: reply size %u, want %u",
			       offset, size, m.hdr.size,
			       VU_WIRE_CONFIG_HDR_SIZE + size);
	memcpy(buf, m.p.config.data, size);
	return 0;
}

int vu_set_config(struct vu_front *f, uint32_t offset, uint32_t size,
		  uint32_t cfg_flags, const void *buf)
{
	struct vu_wire_config cfg = {
		.offset = offset, .size = size, .flags = cfg_flags,
	};

	if (size > VDEV_VU_MAX_CONFIG)
		return vu_fail(f, -EINVAL, "SET_CONFIG of %u bytes: use vu_send",
			       size);
	memcpy(cfg.data, buf, size);
	return vu_set(f, VDEV_VU_SET_CONFIG, &cfg,
		      VU_WIRE_CONFIG_HDR_SIZE + size, NULL, 0);
}

int vu_get_blk_config(struct vu_front *f, struct virtio_blk_config *cfg)
{
	return vu_get_config(f, 0, sizeof(*cfg), 0, cfg);
}

int vu_set_backend_req_fd(struct vu_front *f)
{
	int sv[2], ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return vu_fail(f, -errno, "socketpair: %s", strerror(errno));
	ret = vu_set_none(f, VDEV_VU_SET_BACKEND_REQ_FD, &sv[1], 1);
	close(sv[1]);
	if (ret) {
		close(sv[0]);
		return ret;
	}
	if (f->backend_fd >= 0)
		close(f->backend_fd);
	f->backend_fd = sv[0];
	return 0;
}

int vu_reset_device(struct vu_front *f)
{
	return vu_set_none(f, VDEV_VU_RESET_DEVICE, NULL, 0);
}

int vu_get_inflight_fd(struct vu_front *f, uint16_t num_queues,
		       uint16_t queue_size, struct vu_inflight *r)
{
	struct vu_wire_inflight p = { .num_queues = num_queues,
				      .queue_size = queue_size };
	char got[160];
	struct vu_msg m;
	int ret;

	r->fd = -1;
	r->map = NULL;
	ret = vu_send(f, VDEV_VU_GET_INFLIGHT_FD, VU_FLAGS, &p, sizeof(p),
		      NULL, 0);
	if (!ret)
		ret = vu_recv(f, &m, f->timeout_ms);
	if (ret) {
		char why[sizeof(f->err)];

		memcpy(why, f->err, sizeof(why));
		return vu_fail(f, ret, "GET_INFLIGHT_FD(%u queues of %u): %s",
			       num_queues, queue_size, why);
	}
	vu_describe(&m, got, sizeof(got));
	if (m.hdr.request != VDEV_VU_GET_INFLIGHT_FD ||
	    m.hdr.flags != VU_REPLY_FLAGS || m.hdr.size != sizeof(p) ||
	    m.nfds > 1) {
		vu_msg_close_fds(&m);
		return vu_fail(f, -EPROTO, "want a 24-byte reply to GET_INFLIGHT_FD with flags %#x and at most one fd, got %s",
			       (unsigned int)VU_REPLY_FLAGS, got);
	}
	memcpy(&p, m.p.bytes, sizeof(p));
	r->size = p.mmap_size;
	r->offset = p.mmap_offset;
	r->num_queues = p.num_queues;
	r->queue_size = p.queue_size;
	if (!p.mmap_size && !m.nfds)
		return vu_fail(f, -EREMOTEIO, "GET_INFLIGHT_FD(%u queues of %u) refused: mmap_size 0",
			       num_queues, queue_size);
	if (!p.mmap_size || !m.nfds) {
		vu_msg_close_fds(&m);
		return vu_fail(f, -EPROTO, "GET_INFLIGHT_FD(%u queues of %u): mmap_size %llu with %d fds",
			       num_queues, queue_size,
			       (unsigned long long)p.mmap_size, m.nfds);
	}
	r->fd = m.fds[0];
	return 0;
}

int vu_set_inflight_fd(struct vu_front *f, const struct vu_inflight *r)
{
	struct vu_wire_inflight p = {
		.mmap_size = r->size, .mmap_offset = r->offset,
		.num_queues = r->num_queues, .queue_size = r->queue_size,
	};

	return vu_set(f, VDEV_VU_SET_INFLIGHT_FD, &p, sizeof(p), &r->fd,
		      r->fd < 0 ? 0 : 1);
}

int vu_negotiate(struct vu_front *f, uint64_t protocol)
{
	uint64_t v;
	int ret;

	ret = vu_get_features(f, &v);
	if (ret)
		return ret;
	if (!(v & (1ULL << VDEV_VU_F_PROTOCOL_FEATURES)))
		return vu_fail(f, -EPROTO, "PROTOCOL_FEATURES (bit 30) not offered: %#llx",
			       (unsigned long long)v);
	ret = vu_get_protocol_features(f, &v);
	if (ret)
		return ret;
	return vu_set_protocol_features(f, protocol & v);
}

/* Protocol features QEMU 7.2 knows (VHOST_USER_PROTOCOL_F_MAX is 17). */
#define VU_QEMU72_PROTOCOL_MASK	((1ULL << 17) - 1)

/*
 * A request QEMU sends without waiting for anything: a refusal ends the
 * session, which shows at the next request with a reply.
 */
static int vu_send_vring_fd(struct vu_front *f, uint32_t request,
			    unsigned int index)
{
	uint64_t u64 = index;
	int efd, ret;

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return vu_fail(f, -errno, "eventfd: %s", strerror(errno));
	ret = vu_send(f, request, VU_FLAGS, &u64, sizeof(u64), &efd, 1);
	close(efd);
	return ret;
}

static int vu_step(struct vu_front *f, int ret, const char *step)
{
	char why[sizeof(f->err)];

	if (!ret)
		return 0;
	memcpy(why, f->err, sizeof(why));
	return vu_fail(f, ret, "realize, %s: %s", step, why);
}

int vu_qemu72_realize(struct vu_front *f, unsigned int nqueues,
		      unsigned int flags, struct virtio_blk_config *cfg)
{
	uint64_t features, pf, num, slots;
	unsigned int i;
	int ret;

	/* vhost_user_backend_init() */
	if (flags & VU_REALIZE_OPENED) {
		if (!f->features)
			return vu_fail(f, -EINVAL, "realize: VU_REALIZE_OPENED without vu_open()");
		features = f->features;
	} else {
		ret = vu_step(f, vu_get_features(f, &features), "GET_FEATURES");
		if (ret)
			return ret;
	}
	if (!(features & (1ULL << VDEV_VU_F_PROTOCOL_FEATURES)))
		return vu_fail(f, -EPROTO, "realize: bit 30 not offered");
	ret = vu_step(f, vu_get_protocol_features(f, &pf),
		      "GET_PROTOCOL_FEATURES");
	if (ret)
		return ret;
	pf &= VU_QEMU72_PROTOCOL_MASK & f->protocol_mask;
	/* 7.2 sends it with wait_for_reply false: never NEED_REPLY. */
	ret = vu_step(f, vu_send(f, VDEV_VU_SET_PROTOCOL_FEATURES, VU_FLAGS,
				 &pf, sizeof(pf), NULL, 0),
		      "SET_PROTOCOL_FEATURES");
	if (ret)
		return ret;
	f->acked_protocol = pf;
	f->need_reply = pf & VU_PF(REPLY_ACK);
	if (pf & VU_PF(MQ)) {
		ret = vu_step(f, vu_get_queue_num(f, &num), "GET_QUEUE_NUM");
		if (ret)
			return ret;
		f->queue_num = num;
		if (num < nqueues)
			return vu_fail(f, -EREMOTEIO, "realize: the back end has %llu queues, %u wanted",
				       (unsigned long long)num, nqueues);
	}
	if (pf & VU_PF(CONFIGURE_MEM_SLOTS)) {
		ret = vu_step(f, vu_get_max_mem_slots(f, &slots),
			      "GET_MAX_MEM_SLOTS");
		if (ret)
			return ret;
	}
	/* vhost_setup_slave_channel(): NEED_REPLY if REPLY_ACK. */
	if (pf & VU_PF(BACKEND_REQ)) {
		ret = vu_step(f, vu_set_backend_req_fd(f),
			      "SET_BACKEND_REQ_FD");
		if (ret)
			return ret;
	}
	/* vhost_dev_init(): SET_OWNER without NEED_REPLY. */
	ret = vu_step(f, vu_send(f, VDEV_VU_SET_OWNER, VU_FLAGS, NULL, 0,
				 NULL, 0), "SET_OWNER");
	if (ret)
		return ret;
	if (flags & VU_REALIZE_FULL) {
		ret = vu_step(f, vu_get_features(f, &features),
			      "second GET_FEATURES");
		if (ret)
			return ret;
		/* vhost_virtqueue_init(): masked call notifier, err notifier */
		for (i = 0; i < nqueues; i++) {
			ret = vu_step(f, vu_send_vring_fd(f, VDEV_VU_SET_VRING_CALL, i),
				      "SET_VRING_CALL");
			if (!ret)
				ret = vu_step(f, vu_send_vring_fd(f, VDEV_VU_SET_VRING_ERR, i),
					      "SET_VRING_ERR");
			if (ret)
				return ret;
		}
	}
	if (flags & VU_REALIZE_NO_CONFIG)
		return 0;
	/* vhost_user_blk_realize_connect(): config_len 57, flags 0 */
	memset(cfg, 0, sizeof(*cfg));
	ret = vu_get_config(f, 0, VU_QEMU72_CONFIG_SIZE, 0, cfg);
	if (ret && (flags & VU_REALIZE_FULL) && ret == -ECONNRESET)
		return vu_step(f, ret, "GET_CONFIG (after SET_VRING_CALL/ERR without NEED_REPLY: was one refused?)");
	return vu_step(f, ret, "GET_CONFIG");
}
