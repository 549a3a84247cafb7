// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user, as ioctls on /dev/vdev.
 *
 * vdevd peeks each message a front end sends and calls the ioctl of its
 * request with the header it saw and the decoded payload. The kernel checks
 * that the header still heads the held connection, prepares the change
 * (everything that can fail), consumes the bytes, applies it and replies
 * itself. So a vdevd that dies at any instant leaves a message either
 * whole in the socket or applied and answered: see "The message cycle" in
 * Documentation/design/vhost-user-session.rst.
 */
#include <linux/blkdev.h>
#include <linux/eventfd.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/un.h>
#include <linux/unaligned.h>
#include <linux/virtio_config.h>
#include <net/sock.h>

#include "poller.h"
#include "session.h"
#include "vfu.h"
#include "vhost.h"

/* The handle: an open /dev/vdev. */
struct vdev_handle {
	/* Bound controller (a reference), set once by BIND; read with acquire. */
	struct vdev_ctrl *ctrl;
};

#define VDEV_VU_PROTOCOL_OFFERED				\
	(BIT_ULL(VDEV_VU_PROTOCOL_F_MQ) |			\
	 BIT_ULL(VDEV_VU_PROTOCOL_F_LOG_SHMFD) |		\
	 BIT_ULL(VDEV_VU_PROTOCOL_F_REPLY_ACK) |		\
	 BIT_ULL(VDEV_VU_PROTOCOL_F_BACKEND_REQ) |		\
	 BIT_ULL(VDEV_VU_PROTOCOL_F_CONFIG) |			\
	 BIT_ULL(VDEV_VU_PROTOCOL_F_INFLIGHT_SHMFD) |		\
	 BIT_ULL(VDEV_VU_PROTOCOL_F_RESET_DEVICE) |		\
	 BIT_ULL(VDEV_VU_PROTOCOL_F_CONFIGURE_MEM_SLOTS) |	\
	 BIT_ULL(VDEV_VU_PROTOCOL_F_STATUS))

/* Largest struct vdev_* argument, for the sanity bound on argsz. */
#define VDEV_IOC_MAX_ARGSZ	PAGE_SIZE

/**
 * vdev_copy_arg - read an argsz-prefixed ioctl argument
 * @dst: kernel copy, @ksize bytes
 * @ksize: the size this kernel knows
 * @uarg: the user's struct, whose first u32 is its size
 *
 * A shorter struct is refused; a longer one must have a zero tail.
 */
int vdev_copy_arg(void *dst, size_t ksize, const void __user *uarg)
{
	u32 usize;

	if (get_user(usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (usize < ksize)
		return -EINVAL;
	if (usize > VDEV_IOC_MAX_ARGSZ)
		return -E2BIG;
	return copy_struct_from_user(dst, ksize, uarg, usize);
}

static struct vdev_ctrl *vdev_handle_ctrl(struct file *file)
{
	struct vdev_handle *h = file->private_data;

	/* Pairs with the release in BIND: the controller is set up by then. */
	return smp_load_acquire(&h->ctrl);
}

/* --- sockets ------------------------------------------------------------ */

/*
 * A unix stream socket in @state whose local name is the controller's
 * socket path: what vdevd bound (a listener) or accepted from it.
 */
static int vdev_sock_check(struct file *file, const struct vdev_ctrl *ctrl,
			   int state)
{
	struct socket *sock = sock_from_file(file);
	struct sockaddr_un addr;
	size_t plen;
	int len;

	if (!sock)
		return -ENOTSOCK;
	if (sock->sk->sk_family != AF_UNIX || sock->type != SOCK_STREAM ||
	    READ_ONCE(sock->sk->sk_state) != state)
		return -EINVAL;
	memset(&addr, 0, sizeof(addr));
	len = kernel_getsockname(sock, (struct sockaddr *)&addr);
	if (len < 0)
		return len;
	if (len <= offsetof(struct sockaddr_un, sun_path))
		return -EINVAL;
	plen = strnlen(addr.sun_path, len - offsetof(struct sockaddr_un, sun_path));
	if (plen != strlen(ctrl->cfg.socket_path) ||
	    memcmp(addr.sun_path, ctrl->cfg.socket_path, plen))
		return -EINVAL;
	return 0;
}

/* --- handle ioctls ------------------------------------------------------ */

struct vdev_bind_fds {
	int fd[2];
	struct file *file[2];
};

static void vdev_bind_fds_put(struct vdev_bind_fds *f)
{
	int i;

	for (i = 0; i < 2; i++) {
		/* -1: never reserved, or installed and no longer ours. */
		if (f->fd[i] >= 0)
			put_unused_fd(f->fd[i]);
		if (f->file[i])
			fput(f->file[i]);
	}
}

static struct vdev_ctrl *vdev_bind_find(const struct vdev_bind *b)
{
	if (b->flags & VDEV_BIND_BY_NAME)
		return vdev_ctrl_find_by_name(b->name);
	return vdev_ctrl_find_by_id(b->ctrl_id);
}

/* Make @file the owner of the controller @b names. Takes vdev_lock. */
static int vdev_bind_locked(struct file *file, struct vdev_bind *b,
			    struct vdev_bind_fds *f)
{
	struct vdev_handle *h = file->private_data;
	struct vdev_ctrl *ctrl;

	guard(mutex)(&vdev_lock);
	if (h->ctrl)
		return -EINVAL;
	ctrl = vdev_bind_find(b);
	if (!ctrl)
		return -ENOENT;
	if (!ctrl->ops->features && !ctrl->ops->vfio_user)
		return -EOPNOTSUPP;
	if (ctrl->owner)
		return -EBUSY;
	if (ctrl->listener)
		f->file[0] = get_file(ctrl->listener);
	if (vdev_ctrl_connected(ctrl))
		f->file[1] = get_file(ctrl->session->sock_file);
	b->ctrl_id = ctrl->id;
	strscpy(b->name, ctrl->name, sizeof(b->name));
	b->state = ctrl->state;
	ctrl->owner = file;
	kref_get(&ctrl->ref);
	/* Other ioctls on this file read it without vdev_lock. */
	smp_store_release(&h->ctrl, ctrl);
	return 0;
}

static void vdev_unbind(struct file *file)
{
	struct vdev_handle *h = file->private_data;
	struct vdev_ctrl *ctrl = h->ctrl;

	if (!ctrl)
		return;
	mutex_lock(&vdev_lock);
	if (ctrl->owner == file)
		ctrl->owner = NULL;
	mutex_unlock(&vdev_lock);
	h->ctrl = NULL;
	vdev_ctrl_put(ctrl);
}

static long vdev_ioc_bind(struct file *file, void __user *uarg)
{
	struct vdev_bind_fds f = { .fd = { -1, -1 } };
	struct vdev_bind b;
	int i, ret;

	ret = vdev_copy_arg(&b, sizeof(b), uarg);
	if (ret)
		return ret;
	if (b.flags & ~VDEV_BIND_BY_NAME)
		return -EINVAL;
	if ((b.flags & VDEV_BIND_BY_NAME) && !memchr(b.name, 0, sizeof(b.name)))
		return -EINVAL;
	/* Reserve the fds first: after binding nothing may fail but the copy. */
	for (i = 0; i < 2; i++) {
		f.fd[i] = get_unused_fd_flags(O_CLOEXEC);
		if (f.fd[i] < 0) {
			ret = f.fd[i];
			f.fd[i] = -1;
			goto out_put;
		}
	}
	ret = vdev_bind_locked(file, &b, &f);
	if (ret)
		goto out_put;
	b.listener_fd = f.file[0] ? f.fd[0] : -1;
	b.conn_fd = f.file[1] ? f.fd[1] : -1;
	if (copy_to_user(uarg, &b, sizeof(b))) {
		vdev_unbind(file);
		ret = -EFAULT;
		goto out_put;
	}
	for (i = 0; i < 2; i++) {
		if (!f.file[i])
			continue;
		fd_install(f.fd[i], f.file[i]);
		f.fd[i] = -1;
		f.file[i] = NULL;
	}
out_put:
	vdev_bind_fds_put(&f);
	return ret;
}

static int vdev_fd_arg_get(struct vdev_fd_arg *a, const void __user *uarg,
			   u32 flags_ok)
{
	int ret;

	ret = vdev_copy_arg(a, sizeof(*a), uarg);
	if (ret)
		return ret;
	if ((a->flags & ~flags_ok) || a->pad)
		return -EINVAL;
	return 0;
}

static long vdev_ioc_set_listener(struct vdev_ctrl *ctrl, void __user *uarg)
{
	struct file *file, *old;
	struct vdev_fd_arg a;
	int ret;

	ret = vdev_fd_arg_get(&a, uarg, VDEV_FD_REPLACE);
	if (ret)
		return ret;
	file = fget(a.fd);
	if (!file)
		return -EBADF;
	ret = vdev_sock_check(file, ctrl, TCP_LISTEN);
	if (ret)
		goto out_put;
	scoped_guard(mutex, &vdev_lock) {
		if (ctrl->unregistered) {
			ret = -ENODEV;
		} else if (ctrl->listener && !(a.flags & VDEV_FD_REPLACE)) {
			ret = -EEXIST;
		} else {
			old = ctrl->listener;
			ctrl->listener = file;
			file = old;
		}
	}
out_put:
	if (file)
		fput(file);
	return ret;
}

static long vdev_ioc_attach_conn(struct vdev_ctrl *ctrl, void __user *uarg)
{
	struct vdev_fd_arg a;
	struct file *file;
	int ret;

	ret = vdev_fd_arg_get(&a, uarg, 0);
	if (ret)
		return ret;
	file = fget(a.fd);
	if (!file)
		return -EBADF;
	ret = vdev_sock_check(file, ctrl, TCP_ESTABLISHED);
	if (!ret)
		ret = vdev_session_attach(ctrl, file);
	fput(file);
	return ret;
}

static long vdev_ioc_disconnect(struct vdev_ctrl *ctrl, void __user *uarg)
{
	struct vdev_session *s;
	struct vdev_fd_arg a;
	int ret;

	ret = vdev_fd_arg_get(&a, uarg, 0);
	if (ret)
		return ret;
	if (a.fd != -1)
		return -EINVAL;
	s = vdev_session_get_live(ctrl);
	if (!s)
		return -ENOTCONN;
	vdev_session_end(s, "disconnected by vdevd");
	vdev_session_put(s);
	return 0;
}

/* --- the message cycle -------------------------------------------------- */

/* One read of @len bytes from @sock; MSG_PEEK leaves them queued. */
int vdev_sock_recv(struct socket *sock, void *buf, size_t len, int flags)
{
	struct msghdr msg = { .msg_flags = flags };
	struct kvec iov = { .iov_base = buf, .iov_len = len };

	return kernel_recvmsg(sock, &msg, &iov, 1, len, flags);
}

/*
 * Is the message vdevd describes the next one on the socket, and all
 * there? A kernel peek gets no fds: af_unix drops its duplicates.
 */
static int vdev_vu_peek(struct vdev_session *s, const struct vdev_vu_hdr *hdr)
{
	const struct vdev_vu_wire_hdr *w = (void *)s->msg;
	size_t len = VDEV_VU_HDR_SIZE + hdr->msg_size;
	int n;

	n = vdev_sock_recv(s->sock, s->msg, VDEV_VU_HDR_SIZE,
			   MSG_PEEK | MSG_DONTWAIT);
	if (n == -EAGAIN || (n >= 0 && n < VDEV_VU_HDR_SIZE))
		return n == 0 ? -ENOTCONN : -EAGAIN;
	if (n < 0)
		return -ENOTCONN;
	if (le32_to_cpu(w->request) != hdr->request ||
	    le32_to_cpu(w->flags) != hdr->msg_flags ||
	    le32_to_cpu(w->size) != hdr->msg_size)
		return -EBADMSG;
	n = vdev_sock_recv(s->sock, s->msg, len, MSG_PEEK | MSG_DONTWAIT);
	return n == len ? 0 : -EAGAIN;
}

/* SCM_RIGHTS with one fd, laid out as CMSG_DATA() expects. */
struct vdev_fd_cmsg {
	struct cmsghdr hdr;
	int fd;
};

static_assert(offsetof(struct vdev_fd_cmsg, fd) == CMSG_LEN(0));
static_assert(sizeof(struct vdev_fd_cmsg) >= CMSG_SPACE(sizeof(int)));

/**
 * vdev_sock_send - send a reply, with a file if there is one
 * @sock: the held connection
 * @iov: the bytes
 * @nvec: entries in @iov
 * @len: bytes in all
 * @file: passed with SCM_RIGHTS, or NULL
 *
 * SCM_RIGHTS takes fd numbers of the sender's table: @file gets one in
 * ours (vdevd's) for as long as the send.
 *
 * Return: 0, or -EIO when not all of it went out; a negative errno.
 */
int vdev_sock_send(struct socket *sock, struct kvec *iov, size_t nvec,
		   size_t len, struct file *file)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct vdev_fd_cmsg ctl = { };
	int fd = -1, n;

	if (file) {
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0)
			return fd;
		fd_install(fd, get_file(file));
		ctl.hdr.cmsg_level = SOL_SOCKET;
		ctl.hdr.cmsg_type = SCM_RIGHTS;
		ctl.hdr.cmsg_len = CMSG_LEN(sizeof(int));
		ctl.fd = fd;
		msg.msg_control = &ctl;
		msg.msg_controllen = CMSG_SPACE(sizeof(int));
	}
	n = kernel_sendmsg(sock, &msg, iov, nvec, len);
	/* The peer holds its own reference now: ours goes. */
	if (fd >= 0)
		close_fd(fd);
	return n == len ? 0 : -EIO;
}

static int vdev_vu_send(struct vdev_session *s, u32 request, const void *data,
			u32 size, struct file *file)
{
	struct vdev_vu_wire_hdr w = {
		.request = cpu_to_le32(request),
		.flags = cpu_to_le32(VDEV_VU_VERSION | VDEV_VU_FLAG_REPLY),
		.size = cpu_to_le32(size),
	};
	struct kvec iov[2] = {
		{ .iov_base = &w, .iov_len = sizeof(w) },
		{ .iov_base = (void *)data, .iov_len = size },
	};

	return vdev_sock_send(s->sock, iov, size ? 2 : 1, sizeof(w) + size,
			      file);
}

static int vdev_vu_send_u64(struct vdev_session *s, u32 request, u64 value)
{
	__le64 v = cpu_to_le64(value);

	return vdev_vu_send(s, request, &v, sizeof(v), NULL);
}

void vdev_vu_reply_u64(struct vdev_vu_ctx *ctx, u64 value)
{
	put_unaligned_le64(value, ctx->reply);
	ctx->reply_size = sizeof(u64);
}

static bool vdev_vu_need_reply(const struct vdev_vu_hdr *hdr)
{
	return hdr->msg_flags & VDEV_VU_FLAG_NEED_REPLY;
}

/*
 * Answer the message: its own reply, an ack when asked for, or on a
 * refusal the error, or the end of the session when the front end could
 * not learn of the error otherwise.
 */
static void vdev_vu_finish(struct vdev_vu_ctx *ctx, const struct vdev_vu_req *req,
			   int err)
{
	struct vdev_vu_hdr *hdr = ctx->hdr;
	struct vdev_session *s = ctx->s;
	int ret = 0;

	hdr->result = -err;
	if (err)
		pr_info_ratelimited("vdev: %s: vhost-user request %u refused: error %d\n",
				    s->ctrl->name, hdr->request, err);
	if (!err && req->own_reply) {
		ret = vdev_vu_send(s, hdr->request, ctx->reply, ctx->reply_size,
				   ctx->send_file);
		hdr->action = VDEV_VU_REPLIED;
	} else if (err && req->error_form) {
		if (req->error_reply)
			req->error_reply(ctx);
		ret = vdev_vu_send(s, hdr->request, ctx->reply, ctx->reply_size,
				   NULL);
		hdr->action = VDEV_VU_REFUSED;
	} else if (vdev_vu_need_reply(hdr)) {
		ret = vdev_vu_send_u64(s, hdr->request, -err);
		hdr->action = err ? VDEV_VU_REFUSED : VDEV_VU_REPLIED;
	} else if (err) {
		vdev_session_end(s, "request refused without a way to say so");
		hdr->action = VDEV_VU_DISCONNECTED;
	} else {
		hdr->action = VDEV_VU_APPLIED;
	}
	if (ret) {
		vdev_session_end(s, "front end does not take replies");
		hdr->action = VDEV_VU_DISCONNECTED;
	}
}

VISIBLE_IF_KUNIT int vdev_vu_hdr_check(const struct vdev_vu_hdr *hdr, int id)
{
	u32 known = VDEV_VU_FLAG_VERSION_MASK | VDEV_VU_FLAG_NEED_REPLY;

	if (hdr->flags || hdr->nfds > VDEV_VU_MAX_FDS ||
	    (id >= 0 && hdr->request != id) ||
	    (hdr->msg_flags & VDEV_VU_FLAG_VERSION_MASK) != VDEV_VU_VERSION ||
	    (hdr->msg_flags & ~known) || hdr->msg_size > VDEV_VU_MAX_PAYLOAD)
		return -EINVAL;
	return 0;
}

/* Give back what prepare took and apply did not hand over. */
void vdev_vu_ctx_cleanup(struct vdev_vu_ctx *ctx)
{
	unsigned int i;

	if (ctx->file)
		fput(ctx->file);
	if (ctx->send_file)
		fput(ctx->send_file);
	vdev_vring_release(&ctx->vr);
	if (ctx->mem)
		vdev_mem_put(ctx->mem);
	if (ctx->efd)
		eventfd_ctx_put(ctx->efd);
	if (ctx->start_q)
		vdev_queue_unprepare(ctx->start_q);
	for (i = 0; i < ARRAY_SIZE(ctx->gens); i++)
		vdev_mem_gen_free(ctx->gens[i]);
}

/* Run one message through check, prepare, consume, apply and reply. */
static int vdev_vu_cycle(struct vdev_vu_ctx *ctx, const struct vdev_vu_req *req,
			 void *arg)
{
	struct vdev_session *s = ctx->s;
	int err = 0, ret;

	if (mutex_lock_killable(&s->lock))
		return -EINTR;
	ret = -ENOTCONN;
	if (vdev_session_dead(s))
		goto out_unlock;
	ret = vdev_vu_peek(s, ctx->hdr);
	if (ret)
		goto out_unlock;
	if (req->gate && !(s->protocol_features & BIT_ULL(req->gate - 1)))
		err = -EPROTO;
	if (!err && req->prepare)
		err = req->prepare(ctx, arg);
	ret = ctx->ioctl_err;
	if (ret)
		goto out_unlock;
	if (vdev_sock_recv(s->sock, s->msg, VDEV_VU_HDR_SIZE + ctx->hdr->msg_size,
			   MSG_DONTWAIT) != VDEV_VU_HDR_SIZE + ctx->hdr->msg_size) {
		vdev_session_end(s, "message vanished while applied");
		ctx->hdr->result = EPIPE;
		ctx->hdr->action = VDEV_VU_DISCONNECTED;
		goto out_unlock;
	}
	if (!err && req->apply)
		req->apply(ctx, arg);
	vdev_vu_finish(ctx, req, err);
	if (ctx->end) {
		vdev_session_end(s, "a ring did not drain in time");
		ctx->hdr->result = ETIMEDOUT;
		ctx->hdr->action = VDEV_VU_DISCONNECTED;
	}
out_unlock:
	mutex_unlock(&s->lock);
	return ret;
}

/* fds[i] of the message, for prepare: a bad number is vdevd's bug. */
struct file *vdev_vu_fget(struct vdev_vu_ctx *ctx, u32 i)
{
	struct file *file = NULL;

	if (i < ctx->nfds)
		file = fget(ctx->fds[i]);
	if (!file)
		ctx->ioctl_err = -EBADF;
	return file;
}

/* --- requests ----------------------------------------------------------- */

/* Every type logs its writes: dirty logging is the core's. */
static u64 vdev_vu_offered(const struct vdev_session *s)
{
	return s->ctrl->ops->features(s->ns) | BIT_ULL(VDEV_VU_F_LOG_ALL);
}

static int vdev_vu_get_features(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_u64 *a = arg;

	a->value = vdev_vu_offered(ctx->s);
	vdev_vu_reply_u64(ctx, a->value);
	return 0;
}

static int vdev_vu_set_features_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_u64 *a = arg;

	if (a->value & ~vdev_vu_offered(ctx->s) ||
	    !(a->value & BIT_ULL(VIRTIO_F_VERSION_1)))
		return -EOPNOTSUPP;
	return 0;
}

static void vdev_vu_set_features(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_u64 *a = arg;

	ctx->s->features = a->value;
	ctx->s->features_set = true;
	/* QEMU turns LOG_ALL on and off while the rings run. */
	vdev_vu_log_update(ctx->s);
}

static void vdev_vu_set_owner(struct vdev_vu_ctx *ctx, void *arg)
{
	ctx->s->owner_set = true;
}

static int vdev_vu_get_protocol_features(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_u64 *a = arg;

	a->value = VDEV_VU_PROTOCOL_OFFERED;
	vdev_vu_reply_u64(ctx, a->value);
	return 0;
}

static int vdev_vu_set_protocol_features_prep(struct vdev_vu_ctx *ctx,
					      void *arg)
{
	struct vdev_vu_u64 *a = arg;

	return a->value & ~VDEV_VU_PROTOCOL_OFFERED ? -EOPNOTSUPP : 0;
}

static void vdev_vu_set_protocol_features(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_u64 *a = arg;

	ctx->s->protocol_features = a->value;
}

static int vdev_vu_get_queue_num(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_u64 *a = arg;

	a->value = ctx->s->nr_queues;
	vdev_vu_reply_u64(ctx, a->value);
	return 0;
}

static int vdev_vu_get_max_mem_slots(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_u64 *a = arg;

	a->value = VDEV_VU_MAX_MEM_SLOTS;
	vdev_vu_reply_u64(ctx, a->value);
	return 0;
}

static int vdev_vu_set_status_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_u64 *a = arg;

	return a->value > 0xff ? -EINVAL : 0;
}

/* Status 0 touches no ring: QEMU 7.2 sends it before GET_VRING_BASE. */
static void vdev_vu_set_status(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_u64 *a = arg;

	ctx->s->status = a->value;
	vdev_session_state_changed(ctx->s);
}

/* A broken ring shows as NEEDS_RESET until the rings restart. */
static int vdev_vu_get_status(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_u64 *a = arg;

	a->value = ctx->s->status;
	if (vdev_session_broken(ctx->s))
		a->value |= VIRTIO_CONFIG_S_NEEDS_RESET;
	vdev_vu_reply_u64(ctx, a->value);
	return 0;
}

/* The reply payload of GET_CONFIG: its header, then the bytes. */
static void vdev_vu_config_reply(struct vdev_vu_ctx *ctx,
				 const struct vdev_vu_config *a)
{
	put_unaligned_le32(a->offset, ctx->reply);
	put_unaligned_le32(a->size, ctx->reply + 4);
	put_unaligned_le32(a->cfg_flags, ctx->reply + 8);
	memcpy(ctx->reply + 12, a->data, a->size);
	ctx->reply_size = 12 + a->size;
}

static bool vdev_vu_config_window_ok(const struct vdev_vu_config *a)
{
	return a->size <= VDEV_VU_MAX_CONFIG &&
	       a->offset <= VDEV_VU_MAX_CONFIG - a->size;
}

/* A refusal is answered with an empty payload, which QEMU takes as one. */
static int vdev_vu_get_config(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_config *a = arg;
	u8 *space;

	ctx->reply_size = 0;
	int ret;

	if (!vdev_vu_config_window_ok(a))
		return -EINVAL;
	space = kzalloc(VDEV_VU_MAX_CONFIG, GFP_KERNEL);
	if (!space)
		return -ENOMEM;
	ret = ctx->s->ctrl->ops->get_config(ctx->s, space);
	if (!ret) {
		memcpy(a->data, space + a->offset, a->size);
		vdev_vu_config_reply(ctx, a);
	}
	kfree(space);
	return ret;
}

/* Migration writes (cfg_flags 1) restore what we own already: ignored. */
static int vdev_vu_set_config_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_config *a = arg;

	if (!vdev_vu_config_window_ok(a) || a->cfg_flags > 1)
		return -EINVAL;
	if (a->cfg_flags == 1)
		return 0;
	if (!ctx->s->ctrl->ops->set_config)
		return -EPERM;
	return ctx->s->ctrl->ops->set_config(ctx->s, a->offset, a->data,
					      a->size);
}

static int vdev_vu_set_backend_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct socket *sock;

	if (ctx->hdr->nfds != 1)
		return -EINVAL;
	ctx->file = vdev_vu_fget(ctx, 0);
	if (!ctx->file)
		return -EBADF;
	sock = sock_from_file(ctx->file);
	if (!sock || sock->sk->sk_family != AF_UNIX ||
	    sock->type != SOCK_STREAM)
		return -EBADF;
	return 0;
}

static void vdev_vu_set_backend(struct vdev_vu_ctx *ctx, void *arg)
{
	swap(ctx->s->backend_file, ctx->file);
}

/* Keeps protocol features, memory and the backend channel. */
/* Rings drain as for GET_VRING_BASE, within the same bound. */
static int vdev_vu_reset_device_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_session *s = ctx->s;
	int ret;
	u32 i;

	for (i = 0; i < s->nr_queues; i++) {
		ret = vdev_session_stop_queue(&s->queues[i], true);
		if (ret == -EINTR) {
			ctx->ioctl_err = ret;
			return 0;
		}
		if (ret)
			ctx->end = true;
	}
	return 0;
}

static void vdev_vu_reset_device(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_session *s = ctx->s;

	/* A ring that did not drain stays with the ending session. */
	if (!ctx->end)
		vdev_vu_reset_rings(s);
	s->features = 0;
	s->features_set = false;
	vdev_vu_log_update(s);
	s->status = 0;
	if (s->ns)
		s->wce = bdev_write_cache(vdev_ns_bdev(s->ns));
	vdev_session_state_changed(s);
}

static int vdev_vu_drop_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_drop *a = arg;

	if (a->err >= MAX_ERRNO || a->pad) {
		ctx->ioctl_err = -EINVAL;
		return 0;
	}
	return -(int)a->err;
}

#define VU_REQ(id, type, ...) \
	[VDEV_VU_##id] = { .argsz = sizeof(struct type), __VA_ARGS__ }
#define VU_GATE(bit)	.gate = VDEV_VU_PROTOCOL_F_##bit + 1

static const struct vdev_vu_req vdev_vu_reqs[VDEV_VU_IOC_BASE] = {
	VU_REQ(GET_FEATURES, vdev_vu_u64, .own_reply = true,
	       .prepare = vdev_vu_get_features),
	VU_REQ(SET_FEATURES, vdev_vu_u64, .prepare = vdev_vu_set_features_prep,
	       .apply = vdev_vu_set_features),
	VU_REQ(SET_OWNER, vdev_vu_hdr, .apply = vdev_vu_set_owner),
	VU_REQ(SET_MEM_TABLE, vdev_vu_mem_table,
	       .prepare = vdev_vu_set_mem_table_prep, .apply = vdev_vu_mem_apply),
	VU_REQ(SET_LOG_BASE, vdev_vu_log_base, VU_GATE(LOG_SHMFD),
	       .own_reply = true, .prepare = vdev_vu_set_log_base_prep,
	       .apply = vdev_vu_set_log_base),
	VU_REQ(SET_VRING_NUM, vdev_vu_vring_state,
	       .prepare = vdev_vu_set_vring_num_prep,
	       .apply = vdev_vu_set_vring_num),
	VU_REQ(SET_VRING_ADDR, vdev_vu_vring_addr,
	       .prepare = vdev_vu_set_vring_addr_prep,
	       .apply = vdev_vu_set_vring_addr),
	VU_REQ(SET_VRING_BASE, vdev_vu_vring_state,
	       .prepare = vdev_vu_set_vring_base_prep,
	       .apply = vdev_vu_set_vring_base),
	VU_REQ(GET_VRING_BASE, vdev_vu_vring_state, .own_reply = true,
	       .prepare = vdev_vu_get_vring_base),
	VU_REQ(SET_VRING_KICK, vdev_vu_vring_file,
	       .prepare = vdev_vu_vring_file_prep,
	       .apply = vdev_vu_set_vring_kick),
	VU_REQ(SET_VRING_CALL, vdev_vu_vring_file,
	       .prepare = vdev_vu_vring_file_prep,
	       .apply = vdev_vu_set_vring_call),
	VU_REQ(SET_VRING_ERR, vdev_vu_vring_file,
	       .prepare = vdev_vu_vring_file_prep,
	       .apply = vdev_vu_set_vring_err),
	VU_REQ(GET_PROTOCOL_FEATURES, vdev_vu_u64, .own_reply = true,
	       .prepare = vdev_vu_get_protocol_features),
	VU_REQ(SET_PROTOCOL_FEATURES, vdev_vu_u64,
	       .prepare = vdev_vu_set_protocol_features_prep,
	       .apply = vdev_vu_set_protocol_features),
	VU_REQ(GET_QUEUE_NUM, vdev_vu_u64, VU_GATE(MQ), .own_reply = true,
	       .prepare = vdev_vu_get_queue_num),
	VU_REQ(SET_VRING_ENABLE, vdev_vu_vring_state,
	       .prepare = vdev_vu_set_vring_enable_prep,
	       .apply = vdev_vu_set_vring_enable),
	VU_REQ(SET_BACKEND_REQ_FD, vdev_vu_hdr, VU_GATE(BACKEND_REQ),
	       .prepare = vdev_vu_set_backend_prep,
	       .apply = vdev_vu_set_backend),
	VU_REQ(GET_CONFIG, vdev_vu_config, VU_GATE(CONFIG), .own_reply = true,
	       .error_form = true, .prepare = vdev_vu_get_config),
	VU_REQ(SET_CONFIG, vdev_vu_config, VU_GATE(CONFIG),
	       .prepare = vdev_vu_set_config_prep),
	VU_REQ(GET_INFLIGHT_FD, vdev_vu_inflight, VU_GATE(INFLIGHT_SHMFD),
	       .own_reply = true, .error_form = true,
	       .error_reply = vdev_vu_get_inflight_refused,
	       .prepare = vdev_vu_get_inflight_fd,
	       .apply = vdev_vu_set_inflight_fd),
	VU_REQ(SET_INFLIGHT_FD, vdev_vu_inflight, VU_GATE(INFLIGHT_SHMFD),
	       .prepare = vdev_vu_set_inflight_fd_prep,
	       .apply = vdev_vu_set_inflight_fd),
	VU_REQ(RESET_DEVICE, vdev_vu_hdr, VU_GATE(RESET_DEVICE),
	       .prepare = vdev_vu_reset_device_prep,
	       .apply = vdev_vu_reset_device),
	VU_REQ(GET_MAX_MEM_SLOTS, vdev_vu_u64, VU_GATE(CONFIGURE_MEM_SLOTS),
	       .own_reply = true, .prepare = vdev_vu_get_max_mem_slots),
	VU_REQ(ADD_MEM_REG, vdev_vu_mem_reg, VU_GATE(CONFIGURE_MEM_SLOTS),
	       .prepare = vdev_vu_add_mem_reg_prep, .apply = vdev_vu_mem_apply),
	VU_REQ(REM_MEM_REG, vdev_vu_mem_reg, VU_GATE(CONFIGURE_MEM_SLOTS),
	       .prepare = vdev_vu_rem_mem_reg_prep, .apply = vdev_vu_mem_apply),
	VU_REQ(SET_STATUS, vdev_vu_u64, VU_GATE(STATUS),
	       .prepare = vdev_vu_set_status_prep, .apply = vdev_vu_set_status),
	VU_REQ(GET_STATUS, vdev_vu_u64, VU_GATE(STATUS), .own_reply = true,
	       .prepare = vdev_vu_get_status),
};

static const struct vdev_vu_req vdev_vu_drop_req = {
	.argsz = sizeof(struct vdev_vu_drop),
	.prepare = vdev_vu_drop_prep,
};

/*
 * A request ioctl: @id is its vhost-user request, or -1 for DROP, which
 * takes any. Returns -1 with errno when nothing was consumed.
 */
static long vdev_vu_ioctl(struct vdev_ctrl *ctrl, const struct vdev_vu_req *req,
			  int id, void __user *uarg)
{
	struct vdev_vu_ctx *ctx;
	void *arg;
	int ret;

	arg = kzalloc(req->argsz, GFP_KERNEL);
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	ret = -ENOMEM;
	if (!arg || !ctx)
		goto out_free;
	ret = vdev_copy_arg(arg, req->argsz, uarg);
	if (ret)
		goto out_free;
	ctx->hdr = arg;
	ctx->nfds = ctx->hdr->nfds;
	ctx->fds = ctx->hdr->fds;
	ret = vdev_vu_hdr_check(ctx->hdr, id);
	if (ret)
		goto out_free;
	ctx->s = vdev_session_get_live(ctrl);
	ret = -ENOTCONN;
	if (!ctx->s)
		goto out_free;
	ret = ctx->s->vfu ? -EOPNOTSUPP : vdev_vu_cycle(ctx, req, arg);
	vdev_vu_ctx_cleanup(ctx);
	vdev_session_put(ctx->s);
	if (!ret && copy_to_user(uarg, arg, req->argsz))
		ret = -EFAULT;
out_free:
	kfree(ctx);
	kfree(arg);
	return ret;
}

/* --- the file ----------------------------------------------------------- */

int vdev_handle_open(struct file *file)
{
	struct vdev_handle *h;

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	file->private_data = h;
	return 0;
}

/* Closing the handle gives up ownership; the session lives on. */
void vdev_handle_release(struct file *file)
{
	vdev_unbind(file);
	kfree(file->private_data);
}

VISIBLE_IF_KUNIT const struct vdev_vu_req *vdev_vu_req_of(unsigned int cmd)
{
	unsigned int nr = _IOC_NR(cmd);

	if (cmd != _IO(VDEV_IOC_MAGIC, nr) || nr < VDEV_VU_IOC_BASE ||
	    nr >= 2 * VDEV_VU_IOC_BASE ||
	    !vdev_vu_reqs[nr - VDEV_VU_IOC_BASE].argsz)
		return NULL;
	return &vdev_vu_reqs[nr - VDEV_VU_IOC_BASE];
}

/* Every ioctl but BIND needs a handle that owns its controller. */
long vdev_handle_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vdev_ctrl *ctrl = vdev_handle_ctrl(file);
	const struct vdev_vu_req *req = vdev_vu_req_of(cmd);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VDEV_IOC_BIND:
		return vdev_ioc_bind(file, uarg);
	case VDEV_IOC_SET_LISTENER:
	case VDEV_IOC_ATTACH_CONN:
	case VDEV_IOC_DISCONNECT:
	case VDEV_VU_IOC_DROP:
		break;
	default:
		if (!req && !vdev_vfu_ioctl_known(cmd))
			return -ENOTTY;
	}
	if (!ctrl)
		return -EPERM;
	switch (cmd) {
	case VDEV_IOC_SET_LISTENER:
		return vdev_ioc_set_listener(ctrl, uarg);
	case VDEV_IOC_ATTACH_CONN:
		return vdev_ioc_attach_conn(ctrl, uarg);
	case VDEV_IOC_DISCONNECT:
		return vdev_ioc_disconnect(ctrl, uarg);
	case VDEV_VU_IOC_DROP:
		return vdev_vu_ioctl(ctrl, &vdev_vu_drop_req, -1, uarg);
	}
	if (!req)
		return vdev_vfu_ioctl(ctrl, cmd, uarg);
	return vdev_vu_ioctl(ctrl, req, _IOC_NR(cmd) - VDEV_VU_IOC_BASE, uarg);
}
