// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user ring requests: SET_VRING_NUM/ADDR/BASE/ENABLE, the kick, call
 * and error eventfds, and GET_VRING_BASE.
 *
 * A ring is *stopped* until SET_VRING_KICK finds its size, addresses and a
 * memory table set; it then *starts*, and GET_VRING_BASE stops it again.
 * Its setup cannot change while it is started (EBUSY), but for its dirty
 * logging.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/log2.h>
#include <linux/unaligned.h>
#include <linux/virtio_config.h>

#include "poller.h"
#include "vhost.h"

static struct vdev_queue *vdev_vu_queue(struct vdev_vu_ctx *ctx, u32 index)
{
	return index < ctx->s->nr_queues ? &ctx->s->queues[index] : NULL;
}

static bool vdev_vu_packed(const struct vdev_session *s)
{
	return s->features & BIT_ULL(VIRTIO_F_RING_PACKED);
}

static struct vdev_mem *vdev_vu_mem(struct vdev_session *s)
{
	return rcu_dereference_protected(s->mem, lockdep_is_held(&s->lock));
}

/* A started ring's poller takes the change before the old one is put. */
static void vdev_vu_queue_sync(struct vdev_queue *q)
{
	if (q->started)
		vdev_queue_sync(q);
}

/* A ring whose setup may change: it exists and is not started. */
static int vdev_vu_stopped_queue(struct vdev_vu_ctx *ctx, u32 index,
				 struct vdev_queue **qp)
{
	*qp = vdev_vu_queue(ctx, index);
	if (!*qp)
		return -EINVAL;
	return (*qp)->started ? -EBUSY : 0;
}

int vdev_vu_set_vring_num_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_vring_state *a = arg;
	struct vdev_queue *q;
	int ret;

	ret = vdev_vu_stopped_queue(ctx, a->index, &q);
	if (ret)
		return ret;
	if (!a->num || a->num > ctx->s->ctrl->cfg.queue_size)
		return -EINVAL;
	if (!vdev_vu_packed(ctx->s) && !is_power_of_2(a->num))
		return -EINVAL;
	return 0;
}

void vdev_vu_set_vring_num(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_vring_state *a = arg;

	ctx->s->queues[a->index].num = a->num;
}

/* QEMU resends a started ring's addresses to turn its logging on or off. */
static bool vdev_vu_same_addr(const struct vdev_queue *q,
			      const struct vdev_vu_vring_addr *a)
{
	return q->addr_set && q->desc_uva == a->desc_uaddr &&
	       q->avail_uva == a->avail_uaddr && q->used_uva == a->used_uaddr;
}

/*
 * Alignment per virtio 1.x. The areas' full lengths are checked when the
 * ring starts, against the table then current. A started ring takes only
 * a change of its log flag and address.
 */
int vdev_vu_set_vring_addr_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_vring_addr *a = arg;
	unsigned int avail_align = vdev_vu_packed(ctx->s) ? 4 : 2;
	struct vdev_mem *mem = vdev_vu_mem(ctx->s);
	struct vdev_queue *q = vdev_vu_queue(ctx, a->index);
	u64 gpa;

	if (!q || (a->flags & ~VDEV_VU_VRING_F_LOG))
		return -EINVAL;
	if (q->started)
		return vdev_vu_same_addr(q, a) ? 0 : -EBUSY;
	if (!IS_ALIGNED(a->desc_uaddr, 16) ||
	    !IS_ALIGNED(a->avail_uaddr, avail_align) ||
	    !IS_ALIGNED(a->used_uaddr, 4))
		return -EINVAL;
	if (mem && (vdev_mem_uva_to_gpa(mem, a->desc_uaddr, 1, &gpa) ||
		    vdev_mem_uva_to_gpa(mem, a->avail_uaddr, 1, &gpa) ||
		    vdev_mem_uva_to_gpa(mem, a->used_uaddr, 1, &gpa)))
		return -EFAULT;
	return 0;
}

void vdev_vu_set_vring_addr(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_vring_addr *a = arg;
	struct vdev_queue *q = &ctx->s->queues[a->index];

	q->desc_uva = a->desc_uaddr;
	q->avail_uva = a->avail_uaddr;
	q->used_uva = a->used_uaddr;
	q->addr_set = true;
	q->log_used = a->flags & VDEV_VU_VRING_F_LOG;
	q->log_addr = a->log_gaddr;
	vdev_vu_queue_sync(q);
}

/* Split: a 16-bit avail index. Packed: two 15-bit slots and wrap bits. */
int vdev_vu_set_vring_base_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_vring_state *a = arg;
	struct vdev_queue *q;
	u32 avail, used;
	int ret;

	ret = vdev_vu_stopped_queue(ctx, a->index, &q);
	if (ret)
		return ret;
	if (!vdev_vu_packed(ctx->s))
		return a->num > U16_MAX ? -EINVAL : 0;
	avail = a->num & 0x7fff;
	used = (a->num >> 16) & 0x7fff;
	if (q->num && (avail >= q->num || used >= q->num))
		return -EINVAL;
	return 0;
}

void vdev_vu_set_vring_base(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_vring_state *a = arg;

	ctx->s->queues[a->index].base = a->num;
}

/*
 * GET_VRING_BASE has no error form: a bad index ends the session unless
 * the front end asked for an ack. A ring that never started gives back
 * the base it was set to: QEMU asks for every ring it enabled.
 */
int vdev_vu_get_vring_base(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_vring_state *a = arg;
	struct vdev_queue *q = vdev_vu_queue(ctx, a->index);
	int ret;

	if (!q)
		return -EINVAL;
	ret = vdev_session_stop_queue(q, true);
	if (ret == -EINTR) {
		ctx->ioctl_err = ret;
		return 0;
	}
	if (ret) {
		pr_warn("vdev: %s: queue %u did not drain in time: requests abandoned, ending the session\n",
			ctx->s->ctrl->name, q->index);
		ctx->end = true;
	}
	a->num = q->base;
	put_unaligned_le32(a->index, ctx->reply);
	put_unaligned_le32(a->num, ctx->reply + 4);
	ctx->reply_size = 8;
	return 0;
}

/* Translate the ring's QEMU addresses and set it up at its base. */
static int vdev_vu_ring_prepare(struct vdev_vu_ctx *ctx, struct vdev_queue *q)
{
	struct vdev_mem *mem = vdev_vu_mem(ctx->s);
	u64 desc, avail, used;
	int ret;

	if (!q->num || !q->addr_set || !mem)
		return 0;
	/* Before the used index is read: the last session may still move it. */
	ret = vdev_vu_inflight_wait(ctx, q);
	if (ret || ctx->ioctl_err)
		return ret;
	if (vdev_mem_uva_to_gpa(mem, q->desc_uva, 1, &desc) ||
	    vdev_mem_uva_to_gpa(mem, q->avail_uva, 1, &avail) ||
	    vdev_mem_uva_to_gpa(mem, q->used_uva, 1, &used))
		return -EFAULT;
	ret = vdev_vring_setup(&ctx->vr, mem, ctx->s->features, q->num, desc,
			       avail, used);
	if (!ret)
		ret = vdev_vring_set_base(&ctx->vr, q->base);
	if (!ret)
		ret = vdev_vu_inflight_ring_start(ctx, q);
	if (!ret)
		ret = vdev_queue_prepare_start(q, mem);
	if (ret)
		return ret;
	/* What the last session abandoned must end before anything is fetched. */
	if (ctx->s->prev)
		vdev_queue_gate(q, &ctx->s->prev->rings_idle,
				&ctx->s->prev->drain_wq);
	ctx->start = true;
	ctx->start_q = q;
	return 0;
}

/* KICK, CALL, ERR: an eventfd, or none with VDEV_VU_VRING_NOFD. */
int vdev_vu_vring_file_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_vring_file *a = arg;
	bool nofd = a->vflags & VDEV_VU_VRING_NOFD;
	struct vdev_queue *q = vdev_vu_queue(ctx, a->index);
	struct eventfd_ctx *efd;
	struct file *file;

	if (!q || (a->vflags & ~VDEV_VU_VRING_NOFD) ||
	    ctx->hdr->nfds != (nofd ? 0 : 1))
		return -EINVAL;
	if (!nofd) {
		file = vdev_vu_fget(ctx, 0);
		if (!file)
			return -EBADF;
		efd = eventfd_ctx_fileget(file);
		if (IS_ERR(efd)) {
			fput(file);
			return -EBADF;
		}
		ctx->efd = efd;
		/* The kick's file carries our wait entry. */
		if (ctx->hdr->request == VDEV_VU_SET_VRING_KICK)
			ctx->file = file;
		else
			fput(file);
	}
	if (ctx->hdr->request == VDEV_VU_SET_VRING_KICK && !q->started)
		return vdev_vu_ring_prepare(ctx, q);
	return 0;
}

/* Without PROTOCOL_FEATURES a ring is enabled as it starts. */
void vdev_vu_set_vring_kick(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_vring_file *a = arg;
	struct vdev_queue *q = &ctx->s->queues[a->index];

	swap(q->kick, ctx->efd);
	swap(q->kick_file, ctx->file);
	q->kick_nofd = a->vflags & VDEV_VU_VRING_NOFD;
	if (!ctx->start) {
		if (q->started)
			vdev_queue_sync(q);
		return;
	}
	q->vr = ctx->vr;
	/* The ring owns what it resubmits now. */
	ctx->vr.resubmit = NULL;
	q->started = true;
	ctx->start_q = NULL;
	if (!(ctx->s->features & BIT_ULL(VDEV_VU_F_PROTOCOL_FEATURES)))
		q->enabled = true;
	vdev_queue_attach(q);
	/* A restarted ring is no longer broken. */
	vdev_session_state_changed(ctx->s);
}

void vdev_vu_set_vring_call(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_vring_file *a = arg;

	swap(ctx->s->queues[a->index].call, ctx->efd);
	vdev_vu_queue_sync(&ctx->s->queues[a->index]);
}

void vdev_vu_set_vring_err(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_vring_file *a = arg;

	swap(ctx->s->queues[a->index].err, ctx->efd);
	vdev_vu_queue_sync(&ctx->s->queues[a->index]);
}

int vdev_vu_set_vring_enable_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_vring_state *a = arg;

	if (!(ctx->s->features & BIT_ULL(VDEV_VU_F_PROTOCOL_FEATURES)))
		return -EPROTO;
	if (!vdev_vu_queue(ctx, a->index) || a->num > 1)
		return -EINVAL;
	return 0;
}

/* On a stopped ring the flag waits for its start. */
void vdev_vu_set_vring_enable(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_vring_state *a = arg;

	ctx->s->queues[a->index].enabled = a->num;
	vdev_vu_queue_sync(&ctx->s->queues[a->index]);
}

void vdev_vu_reset_rings(struct vdev_session *s)
{
	u32 i;

	for (i = 0; i < s->nr_queues; i++)
		vdev_session_reset_queue(&s->queues[i]);
}
