/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vhost-user request handlers, shared by vhost.c (the message cycle and
 * negotiation), vhost_mem.c (guest memory) and vhost_ring.c (virtqueues).
 */
#ifndef _VDEV_VHOST_H
#define _VDEV_VHOST_H

#include "mem.h"
#include "session.h"

/**
 * struct vdev_vu_ctx - one request ioctl in progress
 * @s: the session (a reference; its lock is held)
 * @hdr: the envelope, in the kernel copy of the argument (vhost-user)
 * @nfds: fds that came with the message
 * @fds: those fds, as numbers in vdevd's table (vdev_vu_fget())
 * @ioctl_err: set by prepare for errors that leave the message queued
 * @reply: the reply payload, when the request has its own
 * @reply_size: its size
 * @file: a file prepare took and apply hands over (else put at the end)
 * @send_file: a file to pass with the reply (a reference, put at the end)
 * @mem: a table (or dirty log) prepare built and apply publishes, or what
 *	apply replaced (put at the end)
 * @efd: an eventfd prepare took and apply hands over (else put at the end)
 * @vr: the ring SET_VRING_KICK's prepare set up, if @start
 * @start: SET_VRING_KICK starts the ring
 * @start_q: the queue whose start prepare took resources for, until apply
 * @gens: new memory generations for started queues (memory requests)
 * @end: end the session once the reply is out (a drain timed out)
 */
struct vdev_vu_ctx {
	struct vdev_session *s;
	struct vdev_vu_hdr *hdr;
	u32 nfds;
	const __s32 *fds;
	int ioctl_err;
	u8 reply[VDEV_VU_HDR_SIZE + VDEV_VU_MAX_CONFIG];
	u32 reply_size;
	struct file *file;
	struct file *send_file;
	struct vdev_mem *mem;
	struct eventfd_ctx *efd;
	struct vdev_vring vr;
	bool start;
	struct vdev_queue *start_q;
	struct vdev_mem_gen *gens[VDEV_MAX_QUEUES];
	bool end;
};

/**
 * struct vdev_vu_req - how the kernel handles one request
 * @argsz: size of its ioctl struct
 * @gate: protocol feature bit + 1 it needs negotiated; 0 if none
 * @own_reply: it always replies with its own payload
 * @error_form: a refusal is answered (with what prepare left in @reply)
 * @error_reply: optional; writes the refusal's answer into @reply, also
 *	for a refusal prepare never saw (an ungated request)
 * @prepare: check and take resources; 0 or a negative errno refusal
 * @apply: publish; cannot fail
 */
struct vdev_vu_req {
	u32 argsz;
	u32 gate;
	bool own_reply;
	bool error_form;
	void (*error_reply)(struct vdev_vu_ctx *ctx);
	int (*prepare)(struct vdev_vu_ctx *ctx, void *arg);
	void (*apply)(struct vdev_vu_ctx *ctx, void *arg);
};

#if IS_ENABLED(CONFIG_KUNIT)
int vdev_vu_hdr_check(const struct vdev_vu_hdr *hdr, int id);
const struct vdev_vu_req *vdev_vu_req_of(unsigned int cmd);
#endif

int vdev_copy_arg(void *dst, size_t ksize, const void __user *uarg);
int vdev_sock_recv(struct socket *sock, void *buf, size_t len, int flags);
int vdev_sock_send(struct socket *sock, struct kvec *iov, size_t nvec,
		   size_t len, struct file *file);
void vdev_vu_ctx_cleanup(struct vdev_vu_ctx *ctx);
struct file *vdev_vu_fget(struct vdev_vu_ctx *ctx, u32 i);
void vdev_vu_reply_u64(struct vdev_vu_ctx *ctx, u64 value);

/* vhost_mem.c */
int vdev_vu_mem_add_region(struct vdev_vu_ctx *ctx,
			   const struct vdev_vu_mem_region *w, u32 fd,
			   u32 max_regions);
int vdev_vu_mem_rem_region(struct vdev_vu_ctx *ctx,
			   const struct vdev_vu_mem_region *w);
int vdev_vu_set_mem_table_prep(struct vdev_vu_ctx *ctx, void *arg);
int vdev_vu_add_mem_reg_prep(struct vdev_vu_ctx *ctx, void *arg);
int vdev_vu_rem_mem_reg_prep(struct vdev_vu_ctx *ctx, void *arg);
void vdev_vu_mem_apply(struct vdev_vu_ctx *ctx, void *arg);
int vdev_vu_set_log_base_prep(struct vdev_vu_ctx *ctx, void *arg);
void vdev_vu_set_log_base(struct vdev_vu_ctx *ctx, void *arg);
void vdev_vu_log_update(struct vdev_session *s);

/* vhost_ring.c */
int vdev_vu_set_vring_num_prep(struct vdev_vu_ctx *ctx, void *arg);
void vdev_vu_set_vring_num(struct vdev_vu_ctx *ctx, void *arg);
int vdev_vu_set_vring_addr_prep(struct vdev_vu_ctx *ctx, void *arg);
void vdev_vu_set_vring_addr(struct vdev_vu_ctx *ctx, void *arg);
int vdev_vu_set_vring_base_prep(struct vdev_vu_ctx *ctx, void *arg);
void vdev_vu_set_vring_base(struct vdev_vu_ctx *ctx, void *arg);
int vdev_vu_get_vring_base(struct vdev_vu_ctx *ctx, void *arg);
int vdev_vu_vring_file_prep(struct vdev_vu_ctx *ctx, void *arg);
void vdev_vu_set_vring_kick(struct vdev_vu_ctx *ctx, void *arg);
void vdev_vu_set_vring_call(struct vdev_vu_ctx *ctx, void *arg);
void vdev_vu_set_vring_err(struct vdev_vu_ctx *ctx, void *arg);
int vdev_vu_set_vring_enable_prep(struct vdev_vu_ctx *ctx, void *arg);
void vdev_vu_set_vring_enable(struct vdev_vu_ctx *ctx, void *arg);
void vdev_vu_reset_rings(struct vdev_session *s);

/* vhost_inflight.c */
int vdev_vu_get_inflight_fd(struct vdev_vu_ctx *ctx, void *arg);
void vdev_vu_get_inflight_refused(struct vdev_vu_ctx *ctx);
int vdev_vu_set_inflight_fd_prep(struct vdev_vu_ctx *ctx, void *arg);
void vdev_vu_set_inflight_fd(struct vdev_vu_ctx *ctx, void *arg);
int vdev_vu_inflight_wait(struct vdev_vu_ctx *ctx, struct vdev_queue *q);
int vdev_vu_inflight_ring_start(struct vdev_vu_ctx *ctx, struct vdev_queue *q);

#endif /* _VDEV_VHOST_H */
