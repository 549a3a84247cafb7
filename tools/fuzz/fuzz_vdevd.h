/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_vdevd: what tools/vdevd/main.c gives conn.c and vfu.c, for the
 * harnesses that build vdevd's message cycle in whole (fuzz_vu,
 * fuzz_vfu): logging that formats every line and prints none, a clock the
 * harness sets, epoll registration of the one connection; and the front
 * end's side of the socket (sending with fds, checking fds). Include it
 * after conn.c; each harness provides vdevd_ioctl(), its kernel.
 */
#ifndef _FUZZ_VDEVD_H
#define _FUZZ_VDEVD_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>

#include "fuzz_input.h"

/* Fds the front end may have in flight in one input. */
#define FZ_MAX_FDS	64
/* Fds checked for leaks. */
#define FZ_FD_SPAN	512

static uint64_t fz_now;		/* vdevd's clock */
static int fz_nullfd = -1;	/* what every passed fd is a copy of */

bool vdevd_verbose = true;

/* Format every log line, so a bad argument shows; print none. */
void vdevd_log(int prio, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	(void)prio;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
}

uint64_t vdevd_now_ms(void)
{
	return fz_now;
}

static struct vdevd_src fz_src = { .kind = VDEVD_SRC_CONN };

struct vdevd_src *vdevd_watch(struct vdevd *d, enum vdevd_src_kind kind,
			      int fd, struct vdevd_ctrl *ctrl, uint32_t events)
{
	(void)d;
	(void)events;
	fz_src.kind = kind;
	fz_src.fd = fd;
	fz_src.ctrl = ctrl;
	return &fz_src;
}

int vdevd_rewatch(struct vdevd *d, struct vdevd_src *src, uint32_t events)
{
	(void)d;
	(void)events;
	FZ_ASSERT(src == &fz_src);
	return 0;
}

void vdevd_unwatch(struct vdevd *d, struct vdevd_src *src)
{
	(void)d;
	FZ_ASSERT(!src || src == &fz_src);
}

static bool fz_fd_open(int fd)
{
	return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

/* Which fds are open now, to compare after the input. */
static void fz_fds_snapshot(bool open[FZ_FD_SPAN])
{
	int fd;

	for (fd = 0; fd < FZ_FD_SPAN; fd++)
		open[fd] = fz_fd_open(fd);
}

/* Send @len bytes with @nfds copies of fz_nullfd; false if not all went. */
static bool fz_send(int fd, const void *buf, size_t len, unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(FZ_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	unsigned int i;

	if (nfds) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		for (i = 0; i < nfds; i++)
			memcpy(CMSG_DATA(cm) + i * sizeof(int), &fz_nullfd,
			       sizeof(int));
	}
	return sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len;
}

/* The harness's one-time setup: the fd every passed fd copies. */
static int fz_vdevd_init(void)
{
	fz_nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fz_nullfd < 0;
}

#endif /* _FUZZ_VDEVD_H */
