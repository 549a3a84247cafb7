/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vdevd: the vdev front door daemon.
 *
 * vdevd binds one /dev/vdev handle to each controller, owns its listening
 * socket, accepts front ends and hands each connection to the kernel.
 * After that it only translates: it peeks every message (header, payload,
 * fds) and turns it into the request's ioctl; the kernel checks, consumes
 * and answers the message itself. vdevd keeps no state the kernel cannot
 * give back, so it can be killed and restarted at any time. virtio
 * controllers speak vhost-user (Documentation/design/vhost-user-session.rst),
 * NVMe ones vfio-user (Documentation/design/nvme-vfio-user.rst).
 *
 * main.c runs the epoll loop, signals and logging; ctrl.c follows the
 * controllers over netlink and serves their sockets; conn.c is the message
 * cycle with its table of vhost-user requests, vfu.c the vfio-user table
 * on the same cycle.
 */
#ifndef _VDEVD_H
#define _VDEVD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#include "vdevnl.h"
#include "vfu_wire.h"
#include "vu_wire.h"

/* Exit codes: 1 is also "another vdevd owns the controllers". */
enum vdevd_exit {
	VDEVD_EXIT_OK = 0,
	VDEVD_EXIT_ERROR = 1,
	VDEVD_EXIT_USAGE = 2,
};

#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif

#define VDEVD_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define VDEVD_DEV_PATH		"/dev/vdev"

/* Pending connections a listener queues while vdevd is busy or down. */
#define VDEVD_LISTEN_BACKLOG	16

/* Messages handled per wake-up of one connection, for fairness. */
#define VDEVD_MSG_BATCH		64

/* Retry of an incomplete message: 1 ms doubling to 100 ms, for 5 s. */
#define VDEVD_RETRY_MIN_MS	1
#define VDEVD_RETRY_MAX_MS	100
#define VDEVD_RETRY_LIMIT_MS	5000

/* Fds a peek has room for; more set MSG_CTRUNC (a framing error). */
#define VDEVD_PEEK_FDS		16

_Static_assert(VDEVD_PEEK_FDS >= VDEV_VU_MAX_FDS, "vhost-user fds");
_Static_assert(VDEVD_PEEK_FDS == VDEV_VFU_MAX_FDS, "vfio-user fds");

/* What became of one step of the message cycle. */
enum vdevd_step {
	VDEVD_STEP_NEXT,	/* a message was handled; look for another */
	VDEVD_STEP_IDLE,	/* nothing queued */
	VDEVD_STEP_WAIT,	/* not all there yet: peek again later */
	VDEVD_STEP_GONE,	/* the connection fd was closed */
};

struct vdevd;
struct vdevd_ctrl;

/* The protocol a controller's front end speaks, by the controller's type. */
struct vdevd_proto {
	const char *name;
	/* Peek, translate and hand over one message. */
	enum vdevd_step (*msg_one)(struct vdevd *d, struct vdevd_ctrl *c);
};

/* What an epoll registration stands for. */
enum vdevd_src_kind {
	VDEVD_SRC_SIGNAL,
	VDEVD_SRC_EVENTS,
	VDEVD_SRC_TIMER,
	VDEVD_SRC_LISTENER,
	VDEVD_SRC_CONN,
};

/*
 * One fd in the epoll set. The kernel holds its own references to
 * listeners and connections, so closing our fd does not take it out of
 * epoll: vdevd_unwatch() does that explicitly, and defers the free to the
 * end of the batch, since a later event of the same epoll_wait() may still
 * point here (@dead tells it to skip).
 */
struct vdevd_src {
	enum vdevd_src_kind kind;
	int fd;
	struct vdevd_ctrl *ctrl;	/* listener and conn only */
	bool dead;
	struct vdevd_src *next_dead;
};

/*
 * A controller vdevd serves: its bound handle, the listener and the
 * connection (fds of files the kernel holds), and the retry state of a
 * message that has not fully arrived.
 */
struct vdevd_ctrl {
	struct vdevd_ctrl *next;
	uint32_t id;
	char name[VDEV_NAME_LEN];
	const struct vdevd_proto *proto;
	char path[108];			/* sun_path */
	int handle;
	int listen_fd;
	int conn_fd;
	struct vdevd_src *listen_src;
	struct vdevd_src *conn_src;
	bool waiting;			/* conn out of EPOLLIN, retry timed */
	bool seen;			/* in the last dump (reconcile) */
	uint64_t wait_start_ms;
	uint64_t retry_at_ms;
	unsigned int backoff_ms;
};

struct vdevd {
	bool foreground;
	bool verbose;
	bool stop;
	int epfd;
	int timerfd;
	uint64_t timer_at_ms;		/* armed expiry, 0: disarmed */
	struct vdevnl ev;		/* events group only */
	struct vdevnl req;		/* requests (dumps) */
	struct vdevd_src *sig_src;
	struct vdevd_src *ev_src;
	struct vdevd_src *timer_src;
	struct vdevd_ctrl *ctrls;
	struct vdevd_ctrl *dead_ctrls;	/* freed after the batch */
	struct vdevd_src *dead_srcs;	/* freed after the batch */
};

/* main.c */
extern bool vdevd_verbose;
void vdevd_log(int prio, const char *fmt, ...) __printf(2, 3);
#define vdevd_err(...)		vdevd_log(LOG_ERR, __VA_ARGS__)
#define vdevd_warn(...)		vdevd_log(LOG_WARNING, __VA_ARGS__)
#define vdevd_info(...)		vdevd_log(LOG_INFO, __VA_ARGS__)
#define vdevd_dbg(...)		vdevd_log(LOG_DEBUG, __VA_ARGS__)
uint64_t vdevd_now_ms(void);
struct vdevd_src *vdevd_watch(struct vdevd *d, enum vdevd_src_kind kind,
			      int fd, struct vdevd_ctrl *ctrl,
			      uint32_t events);
int vdevd_rewatch(struct vdevd *d, struct vdevd_src *src, uint32_t events);
void vdevd_unwatch(struct vdevd *d, struct vdevd_src *src);
int vdevd_ioctl(int fd, unsigned long req, void *arg);

/* ctrl.c */
int vdevd_ctrls_start(struct vdevd *d);
int vdevd_ctrls_resync(struct vdevd *d);
void vdevd_events_run(struct vdevd *d);
void vdevd_listener_run(struct vdevd *d, struct vdevd_ctrl *c);
void vdevd_ctrls_free(struct vdevd *d);

/*
 * conn.c. The message cycle's steps both protocols share: peek a header
 * (no fds), peek the whole message with its fds (@buf has room for @len + 1
 * bytes, @fds for VDEVD_PEEK_FDS; @what names it in log lines), close the
 * peeked fds, and turn an ioctl's return and its result/action into the
 * next step, logging what was not plain success.
 */
extern const struct vdevd_proto vdevd_proto_vu;
enum vdevd_step vdevd_peek_hdr(struct vdevd *d, struct vdevd_ctrl *c,
			       void *hdr, size_t len);
enum vdevd_step vdevd_peek_msg(struct vdevd *d, struct vdevd_ctrl *c,
			       void *buf, size_t len, int *fds,
			       unsigned int *nfds, const char *what);
void vdevd_fds_close(int *fds, unsigned int *nfds);
enum vdevd_step vdevd_msg_outcome(struct vdevd *d, struct vdevd_ctrl *c,
				  const char *name, int err, uint32_t result,
				  uint32_t action);
void vdevd_conn_disconnect(struct vdevd *d, struct vdevd_ctrl *c);
void vdevd_conn_run(struct vdevd *d, struct vdevd_ctrl *c);
void vdevd_conn_event(struct vdevd *d, struct vdevd_ctrl *c,
		      uint32_t events);
void vdevd_conn_attach(struct vdevd *d, struct vdevd_ctrl *c, int fd);
void vdevd_conn_close(struct vdevd *d, struct vdevd_ctrl *c);
void vdevd_timer_run(struct vdevd *d);
void vdevd_timer_arm(struct vdevd *d);

/* vfu.c */
extern const struct vdevd_proto vdevd_proto_vfu;

#endif /* _VDEVD_H */
