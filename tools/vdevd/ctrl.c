// SPDX-License-Identifier: GPL-2.0
/*
 * vdevd controllers: follow them over netlink (a dump at start, then the
 * events group), bind a /dev/vdev handle to each controller, create its
 * listening socket when the kernel holds none, and accept front ends
 * ("Binding and serving a controller" in the design). The controller's
 * type says which protocol its connections speak.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "vdevd.h"

/* Controllers of one dump, parsed, in the kernel's order. */
struct vdevd_dump {
	struct vdevnl_ctrl *v;
	size_t n;
	size_t cap;
};

static struct vdevd_ctrl *vdevd_ctrl_find(struct vdevd *d, uint32_t id)
{
	struct vdevd_ctrl *c;

	for (c = d->ctrls; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void vdevd_ctrl_unlink(struct vdevd *d, struct vdevd_ctrl *c)
{
	struct vdevd_ctrl **pp;

	for (pp = &d->ctrls; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			return;
		}
	}
}

/* Open a handle and check that the kernel speaks our ioctl version. */
static int vdevd_dev_open(void)
{
	__u32 ver = 0;
	int fd, err;

	fd = open(VDEVD_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		vdevd_err("cannot open %s: %s%s", VDEVD_DEV_PATH,
			  strerror(-err),
			  err == -EACCES || err == -EPERM ?
			  " (vdevd needs CAP_SYS_ADMIN)" : "");
		return err;
	}
	err = vdevd_ioctl(fd, VDEV_IOC_GET_API_VERSION, &ver);
	if (err) {
		vdevd_err("%s: API version: %s", VDEVD_DEV_PATH,
			  strerror(-err));
		close(fd);
		return err;
	}
	if (ver != VDEV_API_VERSION) {
		vdevd_err("%s speaks API version %u, vdevd %u: update vdevd",
			  VDEVD_DEV_PATH, ver, VDEV_API_VERSION);
		close(fd);
		return -EPROTO;
	}
	return fd;
}

/* Only a socket is ours to remove; anything else at the path is kept. */
static int vdevd_sock_unlink(const char *path, bool stale)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	if (stale)
		vdevd_dbg("removed stale socket %s", path);
	return 0;
}

static int vdevd_sock_perms(const struct vdevd_ctrl *c,
			    const struct vdevnl_ctrl *nc)
{
	uid_t uid = VDEVNL_HAS(nc, VDEV_A_CTRL_SOCKET_UID) ?
		    nc->socket_uid : (uid_t)-1;
	gid_t gid = VDEVNL_HAS(nc, VDEV_A_CTRL_SOCKET_GID) ?
		    nc->socket_gid : (gid_t)-1;

	if (fchownat(AT_FDCWD, c->path, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
		vdevd_err("%s: chown %s to %d:%d: %s", c->name, c->path,
			  (int)uid, (int)gid, strerror(errno));
		return -errno;
	}
	if (VDEVNL_HAS(nc, VDEV_A_CTRL_SOCKET_MODE) &&
	    chmod(c->path, nc->socket_mode & 07777) < 0) {
		vdevd_err("%s: chmod %s to %04o: %s", c->name, c->path,
			  nc->socket_mode & 07777, strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * Bind under umask 0177, so that nobody but root can connect before the
 * owner and mode are set.
 */
static int vdevd_sock_bind(const struct vdevd_ctrl *c, int fd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t mask;
	int ret;

	memcpy(sun.sun_path, c->path, sizeof(sun.sun_path));
	mask = umask(0177);
	ret = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(mask);
	if (ret < 0) {
		vdevd_err("%s: bind %s: %s", c->name, c->path,
			  strerror(errno));
		return -errno;
	}
	return 0;
}

static int vdevd_sock_listen(const struct vdevd_ctrl *c, int fd)
{
	struct vdev_fd_arg arg = { .argsz = sizeof(arg), .fd = fd };
	int err;

	if (listen(fd, VDEVD_LISTEN_BACKLOG) < 0) {
		vdevd_err("%s: listen on %s: %s", c->name, c->path,
			  strerror(errno));
		return -errno;
	}
	err = vdevd_ioctl(c->handle, VDEV_IOC_SET_LISTENER, &arg);
	if (err)
		vdevd_err("%s: handing listener %s to the kernel: %s",
			  c->name, c->path, strerror(-err));
	return err;
}

/* The kernel holds no listener: make one at the controller's path. */
static int vdevd_listener_create(struct vdevd_ctrl *c,
				 const struct vdevnl_ctrl *nc)
{
	int fd, err;

	if (!c->path[0]) {
		vdevd_err("%s: no socket path", c->name);
		return -EINVAL;
	}
	err = vdevd_sock_unlink(c->path, true);
	if (err) {
		vdevd_err("%s: cannot use %s: %s", c->name, c->path,
			  err == -EEXIST ? "exists and is not a socket" :
			  strerror(-err));
		return err;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		vdevd_err("%s: socket: %s", c->name, strerror(errno));
		return -errno;
	}
	err = vdevd_sock_bind(c, fd);
	if (err)
		goto out_close;
	err = vdevd_sock_perms(c, nc) ?: vdevd_sock_listen(c, fd);
	if (err)
		goto out_unlink;
	c->listen_fd = fd;
	return 0;

out_unlink:
	unlink(c->path);
out_close:
	close(fd);
	return err;
}

static int vdevd_ctrl_listen(struct vdevd *d, struct vdevd_ctrl *c,
			     const struct vdevnl_ctrl *nc)
{
	int err, fl;

	if (c->listen_fd < 0) {
		err = vdevd_listener_create(c, nc);
		if (err)
			return err;
	}
	/* A held listener may come back blocking; accept must not block. */
	fl = fcntl(c->listen_fd, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(c->listen_fd, F_SETFL, fl | O_NONBLOCK);
	c->listen_src = vdevd_watch(d, VDEVD_SRC_LISTENER, c->listen_fd, c,
				    EPOLLIN);
	return c->listen_src ? 0 : -ENOMEM;
}

/* Close our fds; the kernel keeps its listener and connection. */
static void vdevd_ctrl_close(struct vdevd *d, struct vdevd_ctrl *c)
{
	vdevd_conn_close(d, c);
	if (c->listen_fd >= 0) {
		vdevd_unwatch(d, c->listen_src);
		c->listen_src = NULL;
		close(c->listen_fd);
		c->listen_fd = -1;
	}
	if (c->handle >= 0) {
		close(c->handle);
		c->handle = -1;
	}
}

/* Retire c; it is freed once the current batch of events is done. */
static void vdevd_ctrl_retire(struct vdevd *d, struct vdevd_ctrl *c)
{
	vdevd_ctrl_unlink(d, c);
	vdevd_ctrl_close(d, c);
	c->next = d->dead_ctrls;
	d->dead_ctrls = c;
}

/* The kernel has ended the session and dropped the listener already. */
static void vdevd_ctrl_gone(struct vdevd *d, struct vdevd_ctrl *c)
{
	int err;

	vdevd_info("controller %s (id %u) deleted", c->name, c->id);
	err = vdevd_sock_unlink(c->path, false);
	if (err && err != -EEXIST)
		vdevd_warn("%s: removing %s: %s", c->name, c->path,
			   strerror(-err));
	vdevd_ctrl_retire(d, c);
}

/* NVMe controllers speak vfio-user; the virtio ones vhost-user. */
static const struct vdevd_proto *vdevd_type_proto(uint32_t type)
{
	switch (type) {
	case VDEV_CTRL_TYPE_VIRTIO_BLK:
	case VDEV_CTRL_TYPE_VIRTIO_SCSI:
		return &vdevd_proto_vu;
	case VDEV_CTRL_TYPE_NVME:
		return &vdevd_proto_vfu;
	}
	return NULL;
}

static struct vdevd_ctrl *vdevd_ctrl_new(const struct vdevnl_ctrl *nc,
					 int handle, struct vdev_bind *b)
{
	struct vdevd_ctrl *c;

	c = calloc(1, sizeof(*c));
	if (!c) {
		vdevd_err("out of memory");
		return NULL;
	}
	c->id = nc->id;
	c->proto = vdevd_type_proto(nc->type);
	b->name[sizeof(b->name) - 1] = '\0';
	snprintf(c->name, sizeof(c->name), "%s",
		 nc->name[0] ? nc->name : b->name);
	memcpy(c->path, nc->socket_path, sizeof(c->path));
	c->path[sizeof(c->path) - 1] = '\0';
	c->handle = handle;
	c->listen_fd = b->listener_fd;
	c->conn_fd = -1;
	c->seen = true;
	return c;
}

/* The types vdevd speaks a protocol for. */
static bool vdevd_type_served(uint32_t type)
{
	return vdevd_type_proto(type) != NULL;
}

/*
 * A kernel without the NVMe transport refuses BIND for nvme controllers:
 * say so once, at info level, rather than for every controller and every
 * resync; the controller is skipped until vdevd runs on a kernel that
 * serves it.
 */
static void vdevd_bind_unserved(const struct vdevnl_ctrl *nc)
{
	static bool told;

	if (nc->type != VDEV_CTRL_TYPE_NVME || told) {
		vdevd_dbg("controller %s (id %u): the kernel does not serve its type",
			  nc->name, nc->id);
		return;
	}
	told = true;
	vdevd_info("controller %s (id %u) skipped: this vdev module (an older one) does not serve nvme controllers over vfio-user (BIND: %s); further ones are skipped silently",
		   nc->name, nc->id, strerror(EOPNOTSUPP));
}

/* Why BIND failed; 0 for "not ours to serve", else the error. */
static int vdevd_bind_failed(const struct vdevnl_ctrl *nc, int err)
{
	switch (err) {
	case -EBUSY:
		vdevd_err("controller %s (id %u) is owned by another vdevd",
			  nc->name, nc->id);
		return err;
	case -EOPNOTSUPP:
		vdevd_bind_unserved(nc);
		return 0;
	case -ENOENT:
		vdevd_dbg("controller %s (id %u) gone before it was bound",
			  nc->name, nc->id);
		return 0;
	}
	vdevd_err("controller %s (id %u): bind: %s", nc->name, nc->id,
		  strerror(-err));
	return err;
}

/* Returns 0 with *fdp bound, 1 when not ours to serve, or an error. */
static int vdevd_ctrl_bind(const struct vdevnl_ctrl *nc, struct vdev_bind *b,
			   int *fdp)
{
	int fd, err;

	fd = vdevd_dev_open();
	if (fd < 0)
		return fd;
	b->argsz = sizeof(*b);
	b->ctrl_id = nc->id;
	err = vdevd_ioctl(fd, VDEV_IOC_BIND, b);
	if (err) {
		close(fd);
		return vdevd_bind_failed(nc, err) ?: 1;
	}
	*fdp = fd;
	return 0;
}

static void vdevd_ctrl_served(struct vdevd_ctrl *c, uint32_t state)
{
	const char *st = vdevnl_ctrl_state_str(state);

	vdevd_info("serving controller %s (id %u) at %s, state %s", c->name,
		   c->id, c->path, st ? st : "unknown");
	if (c->conn_fd >= 0)
		vdevd_info("%s: carrying on the held connection", c->name);
}

/*
 * Serve a controller that is not served yet. Returns 0 when it is served
 * or not ours to serve (another type, gone meanwhile), -EBUSY when another
 * vdevd owns it, another negative errno when it could not be served.
 */
static int vdevd_ctrl_serve(struct vdevd *d, const struct vdevnl_ctrl *nc)
{
	struct vdev_bind b = { };
	struct vdevd_ctrl *c;
	int fd, err;

	if (!vdevd_type_served(nc->type)) {
		vdevd_dbg("controller %s (id %u): type %u not served",
			  nc->name, nc->id, nc->type);
		return 0;
	}
	if (vdevd_ctrl_find(d, nc->id))
		return 0;
	err = vdevd_ctrl_bind(nc, &b, &fd);
	if (err)
		return err > 0 ? 0 : err;
	c = vdevd_ctrl_new(nc, fd, &b);
	if (!c) {
		if (b.conn_fd >= 0)
			close(b.conn_fd);
		if (b.listener_fd >= 0)
			close(b.listener_fd);
		close(fd);
		return -ENOMEM;
	}
	err = vdevd_ctrl_listen(d, c, nc);
	if (err) {
		vdevd_err("controller %s (id %u) not served", c->name, c->id);
		if (b.conn_fd >= 0)
			close(b.conn_fd);
		vdevd_ctrl_close(d, c);
		free(c);
		return err;
	}
	c->next = d->ctrls;
	d->ctrls = c;
	if (b.conn_fd >= 0)
		vdevd_conn_attach(d, c, b.conn_fd);
	vdevd_ctrl_served(c, b.state);
	return 0;
}

static int vdevd_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vdevd_dump *dump = data;
	struct vdevnl_ctrl *v;
	int err;

	if (dump->n == dump->cap) {
		v = reallocarray(dump->v, dump->cap * 2 + 8, sizeof(*v));
		if (!v) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		dump->v = v;
		dump->cap = dump->cap * 2 + 8;
	}
	err = vdevnl_ctrl_parse(nlh, &dump->v[dump->n]);
	if (err || !VDEVNL_HAS(&dump->v[dump->n], VDEV_A_CTRL_ID)) {
		vdevd_warn("malformed controller in dump: %s",
			   strerror(err ? -err : EBADMSG));
		return MNL_CB_OK;
	}
	dump->n++;
	return MNL_CB_OK;
}

static int vdevd_dump(struct vdevd *d, struct vdevd_dump *dump)
{
	static union {
		char buf[VDEVNL_MSG_SIZE];
		struct nlmsghdr align;
	} req;
	struct nlmsghdr *nlh;
	int err;

	memset(dump, 0, sizeof(*dump));
	nlh = vdevnl_msg_start(req.buf, VDEV_CMD_CTRL_GET);
	err = vdevnl_dump(&d->req, nlh, vdevd_dump_cb, dump);
	if (err) {
		vdevd_err("listing controllers: %s", strerror(-err));
		free(dump->v);
		dump->v = NULL;
	}
	return err;
}

/*
 * After lost events (or SIGHUP): drop what the kernel no longer lists,
 * then serve what is new. Drop first: a new controller may reuse the
 * socket path of a deleted one, and its socket must not be unlinked.
 */
int vdevd_ctrls_resync(struct vdevd *d)
{
	struct vdevd_ctrl *c, *next;
	struct vdevd_dump dump;
	size_t i;
	int err;

	err = vdevd_dump(d, &dump);
	if (err)
		return err;
	for (c = d->ctrls; c; c = c->next)
		c->seen = false;
	for (i = 0; i < dump.n; i++) {
		c = vdevd_ctrl_find(d, dump.v[i].id);
		if (c)
			c->seen = true;
	}
	for (c = d->ctrls; c; c = next) {
		next = c->next;
		if (!c->seen)
			vdevd_ctrl_gone(d, c);
	}
	for (i = 0; i < dump.n; i++)
		vdevd_ctrl_serve(d, &dump.v[i]);
	free(dump.v);
	return 0;
}

static int vdevd_nl_init(struct vdevd *d)
{
	int err;

	err = vdevnl_open(&d->ev) ?: vdevnl_open(&d->req);
	if (err) {
		vdevd_err("netlink: %s", strerror(-err));
		return err;
	}
	err = vdevnl_resolve(&d->ev) ?: vdevnl_resolve(&d->req);
	if (err == -ENOENT) {
		vdevd_err("vdev module not loaded (modprobe vdev)");
		return err;
	}
	if (err) {
		vdevd_err("resolving the vdev netlink family: %s",
			  strerror(-err));
		return err;
	}
	err = vdevnl_join_events(&d->ev);
	if (err) {
		vdevd_err("joining the vdev events group: %s", strerror(-err));
		return err;
	}
	/* recv_events must not block if a wake-up finds nothing. */
	fcntl(mnl_socket_get_fd(d->ev.sock), F_SETFL, O_NONBLOCK);
	d->ev_src = vdevd_watch(d, VDEVD_SRC_EVENTS,
				mnl_socket_get_fd(d->ev.sock), NULL, EPOLLIN);
	return d->ev_src ? 0 : -ENOMEM;
}

/*
 * The first controller vdevd tries to bind tells whether another vdevd
 * runs: its BIND fails EBUSY. Later EBUSYs are logged and skipped. A
 * controller whose type the kernel refuses to bind (EOPNOTSUPP) tells
 * nothing, so it does not count as the first.
 */
static int vdevd_ctrls_serve_all(struct vdevd *d, struct vdevd_dump *dump)
{
	bool first = true;
	size_t i;
	int err;

	for (i = 0; i < dump->n; i++) {
		err = vdevd_ctrl_serve(d, &dump->v[i]);
		if (err == -EBUSY && first) {
			vdevd_err("controller %s is owned by another vdevd: is vdevd already running? exiting",
				  dump->v[i].name);
			return err;
		}
		if (vdevd_type_served(dump->v[i].type) &&
		    (err || vdevd_ctrl_find(d, dump->v[i].id)))
			first = false;
	}
	return 0;
}

/*
 * Join the events group before the dump, so that a controller created in
 * between is announced rather than missed; serving is idempotent.
 */
int vdevd_ctrls_start(struct vdevd *d)
{
	struct vdevd_dump dump;
	int fd, err;

	if (vdevd_nl_init(d))
		return VDEVD_EXIT_ERROR;
	fd = vdevd_dev_open();
	if (fd < 0)
		return VDEVD_EXIT_ERROR;
	close(fd);
	if (vdevd_dump(d, &dump))
		return VDEVD_EXIT_ERROR;
	err = vdevd_ctrls_serve_all(d, &dump);
	free(dump.v);
	return err ? VDEVD_EXIT_ERROR : VDEVD_EXIT_OK;
}

static int vdevd_event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vdevd *d = data;
	uint8_t cmd = vdevnl_msg_cmd(nlh);
	struct vdevnl_ctrl nc;
	struct vdevd_ctrl *c;

	if (nlh->nlmsg_type != d->ev.family_id ||
	    (cmd != VDEV_CMD_CTRL_NEW_NTF && cmd != VDEV_CMD_CTRL_DEL_NTF))
		return MNL_CB_OK;
	if (vdevnl_ctrl_parse(nlh, &nc) || !VDEVNL_HAS(&nc, VDEV_A_CTRL_ID)) {
		vdevd_warn("malformed %s event", vdevnl_cmd_str(cmd));
		return MNL_CB_OK;
	}
	if (cmd == VDEV_CMD_CTRL_NEW_NTF) {
		vdevd_ctrl_serve(d, &nc);
		return MNL_CB_OK;
	}
	c = vdevd_ctrl_find(d, nc.id);
	if (c)
		vdevd_ctrl_gone(d, c);
	return MNL_CB_OK;
}

void vdevd_events_run(struct vdevd *d)
{
	int err;

	err = vdevnl_recv_events(&d->ev, vdevd_event_cb, d);
	if (!err || err == -EAGAIN || err == -EINTR)
		return;
	if (err == -ENOBUFS) {
		vdevd_warn("netlink events lost: re-reading the controllers");
		vdevd_ctrls_resync(d);
		return;
	}
	vdevd_err("netlink events: %s", strerror(-err));
}

static int vdevd_peer_pid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -1;
	return cred.pid;
}

void vdevd_listener_run(struct vdevd *d, struct vdevd_ctrl *c)
{
	struct vdev_fd_arg arg = { .argsz = sizeof(arg) };
	int fd, err, pid;

	fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			vdevd_warn("%s: accept: %s", c->name, strerror(errno));
		return;
	}
	pid = vdevd_peer_pid(fd);
	arg.fd = fd;
	err = vdevd_ioctl(c->handle, VDEV_IOC_ATTACH_CONN, &arg);
	if (err == -EBUSY) {
		vdevd_info("second front end refused on %s (pid %d)",
			   c->name, pid);
		close(fd);
		return;
	}
	if (err) {
		vdevd_warn("%s: front end (pid %d) not attached: %s",
			   c->name, pid, strerror(-err));
		close(fd);
		return;
	}
	vdevd_info("connection accepted on %s (pid %d)", c->name, pid);
	vdevd_conn_attach(d, c, fd);
}

/* At exit: close our fds only; sockets stay bound for the next vdevd. */
void vdevd_ctrls_free(struct vdevd *d)
{
	while (d->ctrls)
		vdevd_ctrl_retire(d, d->ctrls);
}
