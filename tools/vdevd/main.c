// SPDX-License-Identifier: GPL-2.0
/*
 * vdevd main: arguments, logging, the epoll set and its loop, signals.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "vdevd.h"

#define VDEVD_MAX_EVENTS	32

bool vdevd_verbose;
static bool vdevd_to_stderr = true;

static const char vdevd_usage[] =
	"Usage: vdevd [--foreground] [--verbose]\n"
	"\n"
	"Serve the vdev module's controllers: bind each one, listen on its\n"
	"socket and hand front-end connections and their messages to the\n"
	"kernel: vhost-user for virtio-blk and virtio-scsi, vfio-user for nvme.\n"
	"\n"
	"  -f, --foreground  log to stderr instead of syslog\n"
	"  -v, --verbose     also log every message and debug details\n"
	"  -h, --help        show this help\n"
	"\n"
	"vdevd runs in the foreground either way. SIGTERM or SIGINT stops it;\n"
	"sockets and connections stay with the kernel until it is back.\n"
	"SIGHUP re-reads the controller list.\n"
	"Exit status: 0 stopped by a signal, 1 error (module not loaded, or\n"
	"another vdevd owns the controllers), 2 usage.\n";

/* One write per line, so that lines in a shared log never mix. */
static void vdevd_log_stderr(const char *msg)
{
	char line[600];
	int n;

	n = snprintf(line, sizeof(line), "vdevd: %s\n", msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

void vdevd_log(int prio, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (prio == LOG_DEBUG && !vdevd_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (vdevd_to_stderr) {
		vdevd_log_stderr(buf);
		return;
	}
	syslog(prio, "%s", buf);
	/* Whoever started vdevd by hand sees why it failed. */
	if (prio <= LOG_ERR && isatty(STDERR_FILENO))
		vdevd_log_stderr(buf);
}

uint64_t vdevd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int vdevd_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

struct vdevd_src *vdevd_watch(struct vdevd *d, enum vdevd_src_kind kind,
			      int fd, struct vdevd_ctrl *ctrl,
			      uint32_t events)
{
	struct epoll_event ev = { .events = events };
	struct vdevd_src *src;

	src = calloc(1, sizeof(*src));
	if (!src) {
		vdevd_err("out of memory");
		return NULL;
	}
	src->kind = kind;
	src->fd = fd;
	src->ctrl = ctrl;
	ev.data.ptr = src;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		vdevd_err("epoll_ctl add fd %d: %s", fd, strerror(errno));
		free(src);
		return NULL;
	}
	return src;
}

int vdevd_rewatch(struct vdevd *d, struct vdevd_src *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, src->fd, &ev) < 0) {
		vdevd_err("epoll_ctl mod fd %d: %s", src->fd, strerror(errno));
		return -errno;
	}
	return 0;
}

void vdevd_unwatch(struct vdevd *d, struct vdevd_src *src)
{
	if (!src)
		return;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, src->fd, NULL);
	src->dead = true;
	src->next_dead = d->dead_srcs;
	d->dead_srcs = src;
}

/* Free what this batch's handlers retired; no event points there now. */
static void vdevd_reap(struct vdevd *d)
{
	struct vdevd_ctrl *c;
	struct vdevd_src *src;

	while ((src = d->dead_srcs)) {
		d->dead_srcs = src->next_dead;
		free(src);
	}
	while ((c = d->dead_ctrls)) {
		d->dead_ctrls = c->next;
		free(c);
	}
}

/* Returns an exit code, or -1 to go on. */
static int vdevd_parse_args(struct vdevd *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "fvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			d->foreground = true;
			break;
		case 'v':
			d->verbose = true;
			break;
		case 'h':
			fputs(vdevd_usage, stdout);
			return VDEVD_EXIT_OK;
		default:
			fputs(vdevd_usage, stderr);
			return VDEVD_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vdevd: unexpected argument '%s'\n",
			argv[optind]);
		fputs(vdevd_usage, stderr);
		return VDEVD_EXIT_USAGE;
	}
	return -1;
}

static void vdevd_log_init(struct vdevd *d)
{
	vdevd_verbose = d->verbose;
	if (d->foreground)
		return;
	vdevd_to_stderr = false;
	openlog("vdevd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if (!d->verbose)
		setlogmask(LOG_UPTO(LOG_INFO));
}

/*
 * Each controller costs up to four fds and a message up to 16 more while
 * it is handled: take the hard limit rather than stop at 1024.
 */
static void vdevd_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* SIGTERM, SIGINT and SIGHUP come through a signalfd; SIGPIPE never. */
static int vdevd_signals_init(struct vdevd *d)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	d->sig_src = vdevd_watch(d, VDEVD_SRC_SIGNAL, fd, NULL, EPOLLIN);
	if (!d->sig_src) {
		close(fd);
		return -ENOMEM;
	}
	return 0;
}

static int vdevd_setup(struct vdevd *d)
{
	int err;

	vdevd_raise_nofile();
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0) {
		vdevd_err("epoll_create1: %s", strerror(errno));
		return VDEVD_EXIT_ERROR;
	}
	err = vdevd_signals_init(d);
	if (err) {
		vdevd_err("signals: %s", strerror(-err));
		return VDEVD_EXIT_ERROR;
	}
	d->timerfd = timerfd_create(CLOCK_MONOTONIC,
				    TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->timerfd < 0) {
		vdevd_err("timerfd_create: %s", strerror(errno));
		return VDEVD_EXIT_ERROR;
	}
	d->timer_src = vdevd_watch(d, VDEVD_SRC_TIMER, d->timerfd, NULL,
				   EPOLLIN);
	if (!d->timer_src)
		return VDEVD_EXIT_ERROR;
	return vdevd_ctrls_start(d);
}

static void vdevd_signal_run(struct vdevd *d)
{
	struct signalfd_siginfo si;

	while (read(d->sig_src->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			vdevd_info("SIGHUP: re-reading the controllers");
			vdevd_ctrls_resync(d);
			continue;
		}
		vdevd_info("exiting on SIG%s", sigabbrev_np(si.ssi_signo));
		d->stop = true;
	}
}

static void vdevd_dispatch(struct vdevd *d, struct vdevd_src *src,
			   uint32_t events)
{
	if (src->dead)
		return;
	switch (src->kind) {
	case VDEVD_SRC_SIGNAL:
		vdevd_signal_run(d);
		break;
	case VDEVD_SRC_EVENTS:
		vdevd_events_run(d);
		break;
	case VDEVD_SRC_TIMER:
		vdevd_timer_run(d);
		break;
	case VDEVD_SRC_LISTENER:
		vdevd_listener_run(d, src->ctrl);
		break;
	case VDEVD_SRC_CONN:
		vdevd_conn_event(d, src->ctrl, events);
		break;
	}
}

static int vdevd_loop(struct vdevd *d)
{
	struct epoll_event evs[VDEVD_MAX_EVENTS];
	int i, n;

	while (!d->stop) {
		n = epoll_wait(d->epfd, evs, VDEVD_MAX_EVENTS, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			vdevd_err("epoll_wait: %s", strerror(errno));
			return VDEVD_EXIT_ERROR;
		}
		for (i = 0; i < n && !d->stop; i++)
			vdevd_dispatch(d, evs[i].data.ptr, evs[i].events);
		vdevd_reap(d);
		vdevd_timer_arm(d);
	}
	return VDEVD_EXIT_OK;
}

/*
 * Sockets are not unlinked on exit: the kernel keeps each listener bound
 * and listening, so a front end can (re)connect while vdevd restarts.
 */
static void vdevd_teardown(struct vdevd *d)
{
	vdevd_ctrls_free(d);
	if (d->sig_src) {
		vdevd_unwatch(d, d->sig_src);
		close(d->sig_src->fd);
	}
	vdevd_unwatch(d, d->timer_src);
	vdevd_unwatch(d, d->ev_src);
	vdevd_reap(d);
	if (d->timerfd >= 0)
		close(d->timerfd);
	vdevnl_close(&d->ev);
	vdevnl_close(&d->req);
	if (d->epfd >= 0)
		close(d->epfd);
}

int main(int argc, char **argv)
{
	struct vdevd d = { .epfd = -1, .timerfd = -1 };
	int ret;

	ret = vdevd_parse_args(&d, argc, argv);
	if (ret >= 0)
		return ret;
	vdevd_log_init(&d);
	ret = vdevd_setup(&d);
	if (!ret) {
		vdevd_info("started");
		ret = vdevd_loop(&d);
	}
	vdevd_teardown(&d);
	return ret;
}
