// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user's inflight region (VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD):
 * GET_INFLIGHT_FD, SET_INFLIGHT_FD, and where a ring starts on it.
 *
 * The front end asks for a region once (GET_INFLIGHT_FD): the kernel
 * makes a shmem file, pins it, and sends its fd with the reply. The front
 * end keeps it across a broken connection and gives it to each new session
 * (SET_INFLIGHT_FD) before the rings start. Each split ring records in its
 * part what it fetched and has not given back (vring.c), so a new session
 * resubmits what the last one left in flight (vring_inflight.c); a packed
 * ring records where its used ring stands, so a new session goes on there
 * whatever base the front end kept.
 *
 * The region is pinned like the dirty log: a memory table of one region
 * at 0, charged to the front end's locked memory.
 */
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/unaligned.h>
#include <linux/virtio_config.h>

#include "poller.h"
#include "vhost.h"

/* The wire's payload: two u64, two u16 and padding to 24 bytes. */
#define VDEV_VU_INFLIGHT_WIRE_SIZE	24

static bool vdev_vu_rings_started(const struct vdev_session *s)
{
	u32 i;

	for (i = 0; i < s->nr_queues; i++)
		if (s->queues[i].started)
			return true;
	return false;
}

/* A layout this session can use: its rings, at most the largest size. */
static int vdev_vu_inflight_check(const struct vdev_session *s,
				  const struct vdev_vu_inflight *a)
{
	if (!a->num_queues || a->num_queues > s->nr_queues ||
	    !a->queue_size || a->queue_size > VDEV_VRING_MAX_NUM || a->pad)
		return -EINVAL;
	return vdev_vu_rings_started(s) ? -EBUSY : 0;
}

static u64 vdev_vu_inflight_size(const struct vdev_vu_inflight *a)
{
	return a->num_queues * vdev_inflight_stride(a->queue_size);
}

static struct vdev_mem *vdev_vu_inflight_pin(struct vdev_session *s,
					     struct file *file, u64 size,
					     u64 offset)
{
	struct vdev_mem_desc d = {
		.size = size,
		.mmap_offset = offset,
		.file = file,
		.mm = s->peer_mm,
	};
	struct vdev_mem_region *r;
	struct vdev_mem *mem;

	r = vdev_mem_region_pin(&d, size);
	if (IS_ERR(r))
		return ERR_CAST(r);
	mem = vdev_mem_create(&r, 1, size);
	vdev_mem_region_put(r);
	return mem;
}

/* The refusal: a zero size tells QEMU there is no region. */
void vdev_vu_get_inflight_refused(struct vdev_vu_ctx *ctx)
{
	memset(ctx->reply, 0, VDEV_VU_INFLIGHT_WIRE_SIZE);
	ctx->reply_size = VDEV_VU_INFLIGHT_WIRE_SIZE;
}

static void vdev_vu_inflight_reply(struct vdev_vu_ctx *ctx,
				   const struct vdev_vu_inflight *a)
{
	vdev_vu_get_inflight_refused(ctx);
	put_unaligned_le64(a->mmap_size, ctx->reply);
	put_unaligned_le64(a->mmap_offset, ctx->reply + 8);
	put_unaligned_le16(a->num_queues, ctx->reply + 16);
	put_unaligned_le16(a->queue_size, ctx->reply + 18);
}

/*
 * A fresh, zeroed region for @num_queues rings of @queue_size. It becomes
 * the session's at once, as if SET_INFLIGHT_FD had followed.
 */
int vdev_vu_get_inflight_fd(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_inflight *a = arg;
	struct vdev_mem *mem;
	struct file *file;
	int ret;

	if (ctx->hdr->nfds)
		return -EINVAL;
	ret = vdev_vu_inflight_check(ctx->s, a);
	if (ret)
		return ret;
	a->mmap_size = vdev_vu_inflight_size(a);
	a->mmap_offset = 0;
	file = shmem_file_setup("vdev-inflight", a->mmap_size, VM_NORESERVE);
	if (IS_ERR(file))
		return PTR_ERR(file);
	mem = vdev_vu_inflight_pin(ctx->s, file, a->mmap_size, 0);
	if (IS_ERR(mem)) {
		fput(file);
		return PTR_ERR(mem);
	}
	ctx->mem = mem;
	ctx->send_file = file;
	vdev_vu_inflight_reply(ctx, a);
	return 0;
}

int vdev_vu_set_inflight_fd_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_inflight *a = arg;
	struct vdev_mem *mem;
	struct file *file;
	int ret;

	if (ctx->hdr->nfds != 1)
		return -EINVAL;
	ret = vdev_vu_inflight_check(ctx->s, a);
	if (ret)
		return ret;
	if (!IS_ALIGNED(a->mmap_offset, VDEV_INFLIGHT_ALIGN) ||
	    a->mmap_size < vdev_vu_inflight_size(a))
		return -EINVAL;
	file = vdev_vu_fget(ctx, 0);
	if (!file)
		return -EBADF;
	mem = vdev_vu_inflight_pin(ctx->s, file, vdev_vu_inflight_size(a),
				   a->mmap_offset);
	fput(file);
	if (IS_ERR(mem))
		return PTR_ERR(mem);
	ctx->mem = mem;
	return 0;
}

/* GET's apply too. The region replaced is put with the context. */
void vdev_vu_set_inflight_fd(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_inflight *a = arg;
	struct vdev_session *s = ctx->s;

	swap(s->inflight, ctx->mem);
	s->inflight_queues = a->num_queues;
	s->inflight_queue_size = a->queue_size;
}

/* Does the region have a part for @q? */
static bool vdev_vu_inflight_tracks(const struct vdev_session *s,
				    const struct vdev_queue *q)
{
	return s->inflight && q->index < s->inflight_queues;
}

/**
 * vdev_vu_inflight_wait - let the last session give up a ring first
 * @ctx: SET_VRING_KICK's context
 * @q: the queue about to start
 *
 * The previous session of the controller may still write the rings this
 * one takes over: what it completes in time is used, what it abandons is
 * marked in flight. Only once it let go do the used ring and the region
 * say which: call this before either is read. A packed ring's part only
 * says where its used ring stands, which is where the next chain is only
 * once every chain fetched was used: it waits for the old session's
 * rings to drain whole (rings_idle).
 *
 * The old session quiets its rings within drain_timeout_ms of its
 * teardown's start, which may come a little after this session attached:
 * wait twice that, and a second more, before calling it stuck.
 *
 * Return: 0 (at once for a ring the region does not track), -ETIMEDOUT
 * after that; a fatal signal sets @ctx->ioctl_err.
 */
int vdev_vu_inflight_wait(struct vdev_vu_ctx *ctx, struct vdev_queue *q)
{
	struct vdev_session *s = ctx->s;
	struct completion *done;
	long left;

	if (!vdev_vu_inflight_tracks(s, q) || !s->prev)
		return 0;
	if (s->features & BIT_ULL(VIRTIO_F_RING_PACKED))
		done = &s->prev->rings_idle;
	else
		done = &s->prev->rings_quiet;
	left = wait_for_completion_killable_timeout(done,
						    2 * vdev_session_drain_jiffies() + HZ);
	if (left < 0) {
		ctx->ioctl_err = -EINTR;
		return 0;
	}
	return left ? 0 : -ETIMEDOUT;
}

/**
 * vdev_vu_inflight_ring_start - track a starting ring in the region
 * @ctx: SET_VRING_KICK's context, its ring set up at the queue's base
 *	after vdev_vu_inflight_wait()
 * @q: the queue
 *
 * Return: 0 (also for a ring the region has no part for), -EINVAL a ring
 * larger than the region's layout, or as vdev_vring_inflight_start().
 */
int vdev_vu_inflight_ring_start(struct vdev_vu_ctx *ctx, struct vdev_queue *q)
{
	struct vdev_session *s = ctx->s;
	int ret;

	if (!vdev_vu_inflight_tracks(s, q))
		return 0;
	if (q->num > s->inflight_queue_size)
		return -EINVAL;
	ret = vdev_vring_inflight_start(&ctx->vr, s->inflight,
					q->index * vdev_inflight_stride(s->inflight_queue_size));
	if (ret)
		pr_warn_ratelimited("vdev: %s: queue %u: the inflight region cannot be used: error %d\n",
				    s->ctrl->name, q->index, ret);
	else if (ctx->vr.nr_resubmit)
		pr_info("vdev: %s: queue %u: %u requests in flight at the last break fetched again\n",
			s->ctrl->name, q->index, ctx->vr.nr_resubmit);
	return ret;
}
