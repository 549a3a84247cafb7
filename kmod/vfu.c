// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-user, as ioctls on /dev/vdev: the transport of NVMe controllers.
 *
 * The message cycle is vhost-user's (vhost.c): vdevd peeks a message and
 * calls the ioctl of its command with the header it saw and the decoded
 * payload; the kernel checks that the header still heads the held
 * connection, prepares what can fail, consumes the bytes, applies the
 * change and sends the reply itself. Guest memory is the same pinned
 * table virtio uses: a DMA window is a region of it.
 */
#include <linux/delay.h>
#include <linux/eventfd.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/jiffies.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/socket.h>

#include "poller.h"
#include "session.h"
#include "vfu.h"
#include "vhost.h"

#define VDEV_VFU_NUM_REGIONS	VFIO_PCI_NUM_REGIONS
#define VDEV_VFU_NUM_IRQ_TYPES	VFIO_PCI_NUM_IRQS

/* Our VERSION: 0.1, with the limits the uapi names. */
#define VDEV_VFU_MAJOR		0
#define VDEV_VFU_MINOR		1

/* The one capability a region reply may carry: one sparse mmap area. */
struct vdev_vfu_sparse_cap {
	struct vfio_region_info_cap_sparse_mmap cap;
	struct vfio_region_sparse_mmap_area area;
} __packed;

struct vdev_vfu_region_reply {
	struct vfio_region_info info;
	struct vdev_vfu_sparse_cap sparse;
} __packed;

/* The 16-byte header, as the wire has it (host byte order). */
struct vdev_vfu_wire_hdr {
	u16 msg_id;
	u16 command;
	u32 size;
	u32 flags;
	u32 error;
} __packed;

static_assert(sizeof(struct vdev_vfu_wire_hdr) == VDEV_VFU_HDR_SIZE);

/**
 * struct vdev_vfu_ctx - one vfio-user ioctl in progress
 * @vu: what the shared memory code takes (session, fds, new table)
 * @hdr: the envelope, in the kernel copy of the argument
 * @vfu: the session's transport state
 * @reply_size: payload bytes of the reply in vfu->reply
 * @send_file: a file to pass with the reply, or NULL (the device's, not
 *	a reference)
 * @efiles: SET_IRQS: the eventfds' files prepare took, until apply
 *	installs them
 */
struct vdev_vfu_ctx {
	struct vdev_vu_ctx vu;
	struct vdev_vfu_hdr *hdr;
	struct vdev_vfu *vfu;
	u32 reply_size;
	struct file *send_file;
	struct file *efiles[VDEV_VFU_MAX_FDS];
};

/**
 * struct vdev_vfu_cmd - how the kernel handles one command
 * @argsz: size of its ioctl struct
 * @any_time: taken before VERSION (VERSION itself)
 * @prepare: check and take resources; 0, a negative errno refusal, or
 *	ctx->vu.ioctl_err set for an error that leaves the message queued
 * @apply: change state once the message is consumed; a negative errno
 *	goes into the reply
 */
struct vdev_vfu_cmd {
	u32 argsz;
	bool any_time;
	int (*prepare)(struct vdev_vfu_ctx *ctx, void *arg);
	int (*apply)(struct vdev_vfu_ctx *ctx, void *arg);
};

static void *vdev_vfu_payload(struct vdev_vfu_ctx *ctx)
{
	return ctx->vfu->reply + VDEV_VFU_HDR_SIZE;
}

/* --- the message cycle -------------------------------------------------- */

static int vdev_vfu_peek(struct vdev_session *s, const struct vdev_vfu_hdr *hdr)
{
	const struct vdev_vfu_wire_hdr *w = (void *)s->msg;
	int n;

	n = vdev_sock_recv(s->sock, s->msg, VDEV_VFU_HDR_SIZE,
			   MSG_PEEK | MSG_DONTWAIT);
	if (n == -EAGAIN || (n > 0 && n < VDEV_VFU_HDR_SIZE))
		return -EAGAIN;
	if (n <= 0)
		return -ENOTCONN;
	if (w->msg_id != hdr->msg_id || w->command != hdr->command ||
	    w->size != hdr->msg_size || w->flags != hdr->msg_flags)
		return -EBADMSG;
	n = vdev_sock_recv(s->sock, s->msg, hdr->msg_size,
			   MSG_PEEK | MSG_DONTWAIT);
	return n == hdr->msg_size ? 0 : -EAGAIN;
}

static int vdev_vfu_send(struct vdev_vfu_ctx *ctx, u32 size,
			 struct file *file)
{
	struct kvec iov = { .iov_base = ctx->vfu->reply, .iov_len = size };

	return vdev_sock_send(ctx->vu.s->sock, &iov, 1, size, file);
}

/* The reply: the payload, or on an error the header alone (spec). */
static void vdev_vfu_finish(struct vdev_vfu_ctx *ctx, int err)
{
	struct vdev_vfu_wire_hdr *w = (void *)ctx->vfu->reply;
	struct vdev_vfu_hdr *hdr = ctx->hdr;
	struct vdev_session *s = ctx->vu.s;
	u32 size = VDEV_VFU_HDR_SIZE + (err ? 0 : ctx->reply_size);

	hdr->result = -err;
	if (err)
		pr_info_ratelimited("vdev: %s: vfio-user command %u refused: error %d\n",
				    s->ctrl->name, hdr->command, err);
	if (hdr->msg_flags & VDEV_VFU_F_NO_REPLY) {
		hdr->action = err ? VDEV_VU_REFUSED : VDEV_VU_APPLIED;
		return;
	}
	*w = (struct vdev_vfu_wire_hdr) {
		.msg_id = hdr->msg_id,
		.command = hdr->command,
		.size = size,
		.flags = VDEV_VFU_TYPE_REPLY | (err ? VDEV_VFU_F_ERROR : 0),
		.error = -err,
	};
	hdr->action = err ? VDEV_VU_REFUSED : VDEV_VU_REPLIED;
	if (vdev_vfu_send(ctx, size, err ? NULL : ctx->send_file)) {
		vdev_session_end(s, "front end does not take replies");
		hdr->action = VDEV_VU_DISCONNECTED;
	}
}

static int vdev_vfu_hdr_check(const struct vdev_vfu_hdr *hdr, int command)
{
	u32 known = VDEV_VFU_TYPE_MASK | VDEV_VFU_F_NO_REPLY;

	if (hdr->flags || hdr->nfds > VDEV_VFU_MAX_FDS ||
	    (command >= 0 && hdr->command != command) ||
	    (hdr->msg_flags & VDEV_VFU_TYPE_MASK) != VDEV_VFU_TYPE_COMMAND ||
	    (hdr->msg_flags & ~known) || hdr->msg_size < VDEV_VFU_HDR_SIZE ||
	    hdr->msg_size > VDEV_VFU_MAX_MSG)
		return -EINVAL;
	return 0;
}

/* Run one message through check, prepare, consume, apply and reply. */
static int vdev_vfu_cycle(struct vdev_vfu_ctx *ctx,
			  const struct vdev_vfu_cmd *cmd, void *arg)
{
	struct vdev_session *s = ctx->vu.s;
	int err = 0, ret;

	if (mutex_lock_killable(&s->lock))
		return -EINTR;
	ret = -ENOTCONN;
	if (vdev_session_dead(s))
		goto out_unlock;
	ret = vdev_vfu_peek(s, ctx->hdr);
	if (ret)
		goto out_unlock;
	ctx->vfu = s->vfu;
	if (!cmd->any_time && !ctx->vfu->versioned)
		err = -EINVAL;
	if (!err && cmd->prepare)
		err = cmd->prepare(ctx, arg);
	ret = ctx->vu.ioctl_err;
	if (ret)
		goto out_unlock;
	if (vdev_sock_recv(s->sock, s->msg, ctx->hdr->msg_size,
			   MSG_DONTWAIT) != ctx->hdr->msg_size) {
		vdev_session_end(s, "message vanished while applied");
		ctx->hdr->result = EPIPE;
		ctx->hdr->action = VDEV_VU_DISCONNECTED;
		goto out_unlock;
	}
	if (!err && cmd->apply)
		err = cmd->apply(ctx, arg);
	vdev_vfu_finish(ctx, err);
out_unlock:
	mutex_unlock(&s->lock);
	return ret;
}

/* --- commands ----------------------------------------------------------- */

/* VERSION's payload: the version, then our capabilities as JSON. */
struct vdev_vfu_version_reply {
	u16 major;
	u16 minor;
	char json[];
} __packed;

static int vdev_vfu_version_prep(struct vdev_vfu_ctx *ctx, void *arg)
{
	struct vdev_vfu_version_reply *r = vdev_vfu_payload(ctx);
	struct vdev_vfu_version *a = arg;
	int n;

	if (a->major != VDEV_VFU_MAJOR || a->pad)
		return -EOPNOTSUPP;
	/* We map and unmap in 4 KiB pages, as the default says. */
	if (!(a->pgsizes & SZ_4K) || !a->max_msg_fds)
		return -EINVAL;
	r->major = VDEV_VFU_MAJOR;
	r->minor = min_t(u16, a->minor, VDEV_VFU_MINOR);
	n = scnprintf(r->json, VDEV_VFU_MAX_XFER,
		      "{\"capabilities\":{\"max_msg_fds\":%u,\"max_data_xfer_size\":%u,\"max_dma_maps\":%u,\"pgsizes\":%u}}",
		      VDEV_VFU_MAX_FDS, VDEV_VFU_MAX_XFER,
		      VDEV_VFU_MAX_DMA_MAPS, SZ_4K);
	/* The JSON's NUL goes too. */
	ctx->reply_size = sizeof(*r) + n + 1;
	return 0;
}

/*
 * The client's limits are checked in prepare and need no keeping: the
 * server sends at most one fd a reply and no DMA_READ/WRITE.
 */
static int vdev_vfu_version(struct vdev_vfu_ctx *ctx, void *arg)
{
	ctx->vfu->versioned = true;
	return 0;
}

/* Does [addr, addr + size) overlap a window already mapped? */
static bool vdev_vfu_dma_overlaps(struct vdev_session *s, u64 addr, u64 size)
{
	const struct vdev_mem *mem;
	unsigned int i;

	mem = rcu_dereference_protected(s->mem, lockdep_is_held(&s->lock));
	for (i = 0; mem && i < mem->nr; i++)
		if (addr < mem->regions[i]->gpa + mem->regions[i]->size &&
		    mem->regions[i]->gpa < addr + size)
			return true;
	return false;
}

/*
 * A window is a region of the pinned table whose QEMU-virtual address is
 * its DMA address: the table wants both unique, and no vfio-user message
 * speaks of the client's virtual addresses.
 */
static int vdev_vfu_dma_map_prep(struct vdev_vfu_ctx *ctx, void *arg)
{
	struct vdev_vfu_dma_map *a = arg;
	struct vdev_vu_mem_region w = {
		.guest_addr = a->addr,
		.size = a->size,
		.user_addr = a->addr,
		.mmap_offset = a->offset,
	};
	u32 ok = VDEV_VFU_DMA_READ_OK | VDEV_VFU_DMA_WRITE_OK;
	int ret;

	/* Without an fd we would need DMA_READ/WRITE messages: not offered. */
	if (ctx->hdr->nfds != 1 || a->wire_argsz != VDEV_VFU_DMA_MAP_SIZE ||
	    (a->map_flags & ~ok) || !(a->map_flags & VDEV_VFU_DMA_READ_OK))
		return -EINVAL;
	if (!a->size || !IS_ALIGNED(a->addr | a->size | a->offset, SZ_4K) ||
	    a->addr + a->size < a->addr)
		return -EINVAL;
	if (vdev_vfu_dma_overlaps(ctx->vu.s, a->addr, a->size))
		return -EEXIST;
	BUILD_BUG_ON(VDEV_VFU_MAX_DMA_MAPS > VDEV_MEM_MAX_REGIONS);
	ret = vdev_vu_mem_add_region(&ctx->vu, &w, 0, VDEV_VFU_MAX_DMA_MAPS);
	return ret == -E2BIG ? -ENOSPC : ret;
}

static int vdev_vfu_dma_map(struct vdev_vfu_ctx *ctx, void *arg)
{
	vdev_vu_mem_apply(&ctx->vu, arg);
	return 0;
}

static int vdev_vfu_dma_unmap_prep(struct vdev_vfu_ctx *ctx, void *arg)
{
	struct vdev_vfu_dma_unmap *a = arg;
	struct vdev_vu_mem_region w = {
		.guest_addr = a->addr,
		.size = a->size,
		.user_addr = a->addr,
	};
	u32 *reply = vdev_vfu_payload(ctx);
	int ret;

	if (ctx->hdr->nfds || a->wire_argsz < VDEV_VFU_DMA_UNMAP_SIZE ||
	    a->unmap_flags)
		return -EINVAL;
	ret = vdev_vu_mem_rem_region(&ctx->vu, &w);
	if (ret)
		return ret == -ENOENT ? -EINVAL : ret;
	/* The reply is the request's entry. */
	reply[0] = VDEV_VFU_DMA_UNMAP_SIZE;
	reply[1] = a->unmap_flags;
	memcpy(&reply[2], &a->addr, sizeof(a->addr));
	memcpy(&reply[4], &a->size, sizeof(a->size));
	ctx->reply_size = VDEV_VFU_DMA_UNMAP_SIZE;
	return 0;
}

/*
 * The client may reuse the memory once we reply: wait until no request
 * holds the old table (each one in flight holds it through its memory
 * generation), bounded as a ring drain is.
 */
static int vdev_vfu_dma_unmap(struct vdev_vfu_ctx *ctx, void *arg)
{
	struct vdev_session *s = ctx->vu.s;
	unsigned long end = jiffies + vdev_session_drain_jiffies();
	struct vdev_mem *old;

	old = rcu_dereference_protected(s->mem, lockdep_is_held(&s->lock));
	vdev_mem_get(old);
	vdev_vu_mem_apply(&ctx->vu, arg);
	while (kref_read(&old->ref) > 1) {
		if (time_after(jiffies, end)) {
			vdev_mem_put(old);
			ctx->vu.end = true;
			return -ETIMEDOUT;
		}
		usleep_range(100, 1000);
	}
	vdev_mem_put(old);
	return 0;
}

static int vdev_vfu_get_info(struct vdev_vfu_ctx *ctx, void *arg)
{
	struct vdev_vfu_info *a = arg;
	u32 *reply = vdev_vfu_payload(ctx);

	if (a->wire_argsz < VDEV_VFU_DEV_INFO_SIZE || a->index)
		return -EINVAL;
	reply[0] = VDEV_VFU_DEV_INFO_SIZE;
	reply[1] = VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI;
	reply[2] = VDEV_VFU_NUM_REGIONS;
	reply[3] = VDEV_VFU_NUM_IRQ_TYPES;
	ctx->reply_size = VDEV_VFU_DEV_INFO_SIZE;
	return 0;
}

/*
 * As VFIO: a reply too small for the capabilities says how much room they
 * need (argsz) and carries none; the client asks again.
 */
static int vdev_vfu_region_info_prep(struct vdev_vfu_ctx *ctx, void *arg)
{
	struct vdev_vfu_region_reply *r = vdev_vfu_payload(ctx);
	struct vdev_vfu_info *a = arg;
	struct vdev_vfu_region reg;
	u32 full = sizeof(r->info);

	if (a->wire_argsz < sizeof(r->info) || a->index >= VDEV_VFU_NUM_REGIONS)
		return -EINVAL;
	vdev_nvme_region(ctx->vu.s, a->index, &reg);
	memset(r, 0, sizeof(*r));
	r->info.index = a->index;
	r->info.size = reg.size;
	r->info.flags = reg.flags;
	if (reg.mmap_size)
		full = sizeof(*r);
	r->info.argsz = full;
	ctx->reply_size = sizeof(r->info);
	if (!reg.mmap_size || a->wire_argsz < full)
		return 0;
	r->info.flags |= VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS;
	r->info.cap_offset = sizeof(r->info);
	r->sparse.cap.header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	r->sparse.cap.header.version = 1;
	r->sparse.cap.nr_areas = 1;
	r->sparse.area.offset = reg.mmap_offset;
	r->sparse.area.size = reg.mmap_size;
	ctx->reply_size = full;
	ctx->send_file = vdev_nvme_db_file(ctx->vu.s);
	return IS_ERR(ctx->send_file) ? PTR_ERR(ctx->send_file) : 0;
}

static int vdev_vfu_irq_info(struct vdev_vfu_ctx *ctx, void *arg)
{
	struct vdev_vfu_info *a = arg;
	u32 *reply = vdev_vfu_payload(ctx);

	if (a->wire_argsz < VDEV_VFU_IRQ_INFO_SIZE ||
	    a->index >= VDEV_VFU_NUM_IRQ_TYPES)
		return -EINVAL;
	reply[0] = VDEV_VFU_IRQ_INFO_SIZE;
	reply[1] = 0;
	reply[2] = a->index;
	reply[3] = 0;
	if (a->index == VFIO_PCI_MSIX_IRQ_INDEX) {
		reply[1] = VFIO_IRQ_INFO_EVENTFD;
		reply[3] = ctx->vfu->nr_irqs;
	}
	ctx->reply_size = VDEV_VFU_IRQ_INFO_SIZE;
	return 0;
}

static int vdev_vfu_set_irqs_check(struct vdev_vfu_ctx *ctx,
				   const struct vdev_vfu_set_irqs *a)
{
	u32 data = a->irq_flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	u32 action = a->irq_flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	u32 known = VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK;

	if (a->wire_argsz < sizeof(struct vfio_irq_set) || a->pad ||
	    (a->irq_flags & ~known) || hweight32(data) != 1 ||
	    hweight32(action) != 1)
		return -EINVAL;
	/* Nothing to set on the types of count 0 but "nothing". */
	if (a->index != VFIO_PCI_MSIX_IRQ_INDEX)
		return !a->count && data == VFIO_IRQ_SET_DATA_NONE &&
		       !ctx->hdr->nfds ? 0 : -EINVAL;
	/* No MASKABLE in the irq info; no DATA_BOOL (payload not taken). */
	if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EOPNOTSUPP;
	if (data == VFIO_IRQ_SET_DATA_BOOL)
		return -EINVAL;
	if (a->start > ctx->vfu->nr_irqs ||
	    a->count > ctx->vfu->nr_irqs - a->start)
		return -EINVAL;
	if (data == VFIO_IRQ_SET_DATA_EVENTFD)
		return ctx->hdr->nfds && ctx->hdr->nfds != a->count ?
		       -EINVAL : 0;
	return ctx->hdr->nfds ? -EINVAL : 0;
}

static int vdev_vfu_set_irqs_prep(struct vdev_vfu_ctx *ctx, void *arg)
{
	struct vdev_vfu_set_irqs *a = arg;
	struct eventfd_ctx *efd;
	struct file *file;
	u32 i;
	int ret;

	ret = vdev_vfu_set_irqs_check(ctx, a);
	if (ret)
		return ret;
	for (i = 0; i < ctx->hdr->nfds; i++) {
		file = vdev_vu_fget(&ctx->vu, i);
		if (!file)
			return -EBADF;
		ctx->efiles[i] = file;
		efd = eventfd_ctx_fileget(file);
		if (IS_ERR(efd))
			return -EINVAL;
		eventfd_ctx_put(efd);
	}
	return 0;
}

static void vdev_vfu_irq_swap(struct vdev_vfu *vfu, u32 vec,
			      struct file *file)
{
	swap(vfu->irq[vec], file);
	if (file)
		fput(file);
}

/* A client's TRIGGER without data: fire the vector as the device would. */
static void vdev_vfu_irq_fire(struct vdev_vfu *vfu, u32 vec)
{
	struct eventfd_ctx *efd;

	if (!vfu->irq[vec])
		return;
	efd = eventfd_ctx_fileget(vfu->irq[vec]);
	if (IS_ERR(efd))
		return;
	eventfd_signal(efd);
	eventfd_ctx_put(efd);
}

/*
 * Assign, de-assign or fire. No queue signals a vector yet when the
 * controller is disabled; an enabled one takes a change at its next
 * SYNC (nvme.c).
 */
static int vdev_vfu_set_irqs(struct vdev_vfu_ctx *ctx, void *arg)
{
	struct vdev_vfu_set_irqs *a = arg;
	struct vdev_vfu *vfu = ctx->vfu;
	u32 i;

	if (a->index != VFIO_PCI_MSIX_IRQ_INDEX)
		return 0;
	if (a->irq_flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		for (i = 0; i < a->count; i++) {
			vdev_vfu_irq_swap(vfu, a->start + i, ctx->efiles[i]);
			ctx->efiles[i] = NULL;
		}
	} else if (!a->count) {
		for (i = 0; i < vfu->nr_irqs; i++)
			vdev_vfu_irq_swap(vfu, i, NULL);
	} else {
		for (i = a->start; i < a->start + a->count; i++)
			vdev_vfu_irq_fire(vfu, i);
	}
	vdev_nvme_irqs_changed(ctx->vu.s);
	return 0;
}

/* Both directions: the header's size must be the wire's for @count. */
static int vdev_vfu_region_rw_check(struct vdev_vfu_ctx *ctx,
				    const struct vdev_vfu_region_rw *a,
				    bool write)
{
	u32 want = VDEV_VFU_HDR_SIZE + 16 + (write ? a->count : 0);

	if (ctx->hdr->nfds || a->region >= VDEV_VFU_NUM_REGIONS ||
	    !a->count || a->count > VDEV_VFU_MAX_XFER ||
	    ctx->hdr->msg_size != want)
		return -EINVAL;
	return 0;
}

/* The reply (and a write's request) starts with offset, region, count. */
static void vdev_vfu_region_echo(struct vdev_vfu_ctx *ctx,
				 const struct vdev_vfu_region_rw *a, u32 data)
{
	u8 *p = vdev_vfu_payload(ctx);

	memcpy(p, &a->offset, sizeof(a->offset));
	memcpy(p + 8, &a->region, sizeof(a->region));
	memcpy(p + 12, &a->count, sizeof(a->count));
	ctx->reply_size = 16 + data;
}

/* Reads have no side effect: done here, so the data can go back. */
static int vdev_vfu_region_read_prep(struct vdev_vfu_ctx *ctx, void *arg)
{
	struct vdev_vfu_region_rw *a = arg;
	u8 *data = vdev_vfu_payload(ctx) + 16;
	int ret;

	ret = vdev_vfu_region_rw_check(ctx, a, false);
	if (ret)
		return ret;
	ret = vdev_nvme_region_read(ctx->vu.s, a->region, a->offset, data,
				    a->count);
	if (ret)
		return ret;
	if (copy_to_user(u64_to_user_ptr(a->data), data, a->count)) {
		ctx->vu.ioctl_err = -EFAULT;
		return 0;
	}
	vdev_vfu_region_echo(ctx, a, a->count);
	return 0;
}

static int vdev_vfu_region_write_prep(struct vdev_vfu_ctx *ctx, void *arg)
{
	struct vdev_vfu_region_rw *a = arg;
	int ret;

	ret = vdev_vfu_region_rw_check(ctx, a, true);
	if (ret)
		return ret;
	/* The bytes wait in the reply buffer, past the echo. */
	if (copy_from_user(vdev_vfu_payload(ctx) + 16,
			   u64_to_user_ptr(a->data), a->count))
		ctx->vu.ioctl_err = -EFAULT;
	return 0;
}

static int vdev_vfu_region_write(struct vdev_vfu_ctx *ctx, void *arg)
{
	struct vdev_vfu_region_rw *a = arg;
	int ret;

	ret = vdev_nvme_region_write(ctx->vu.s, a->region, a->offset,
				     vdev_vfu_payload(ctx) + 16, a->count);
	vdev_vfu_region_echo(ctx, a, 0);
	return ret;
}

static int vdev_vfu_reset_prep(struct vdev_vfu_ctx *ctx, void *arg)
{
	return ctx->hdr->nfds || ctx->hdr->msg_size != VDEV_VFU_HDR_SIZE ?
	       -EINVAL : 0;
}

static int vdev_vfu_reset(struct vdev_vfu_ctx *ctx, void *arg)
{
	vdev_nvme_device_reset(ctx->vu.s);
	return 0;
}

static int vdev_vfu_drop_prep(struct vdev_vfu_ctx *ctx, void *arg)
{
	struct vdev_vfu_drop *a = arg;

	if (!a->err || a->err >= MAX_ERRNO || a->pad) {
		ctx->vu.ioctl_err = -EINVAL;
		return 0;
	}
	return -(int)a->err;
}

#define VFU_CMD(id, type, ...) \
	[VDEV_VFU_##id] = { .argsz = sizeof(struct type), __VA_ARGS__ }

static const struct vdev_vfu_cmd vdev_vfu_cmds[VDEV_VFU_MAX_COMMAND + 1] = {
	VFU_CMD(VERSION, vdev_vfu_version, .any_time = true,
		.prepare = vdev_vfu_version_prep, .apply = vdev_vfu_version),
	VFU_CMD(DMA_MAP, vdev_vfu_dma_map, .prepare = vdev_vfu_dma_map_prep,
		.apply = vdev_vfu_dma_map),
	VFU_CMD(DMA_UNMAP, vdev_vfu_dma_unmap,
		.prepare = vdev_vfu_dma_unmap_prep, .apply = vdev_vfu_dma_unmap),
	VFU_CMD(DEVICE_GET_INFO, vdev_vfu_info, .prepare = vdev_vfu_get_info),
	VFU_CMD(DEVICE_GET_REGION_INFO, vdev_vfu_info,
		.prepare = vdev_vfu_region_info_prep),
	VFU_CMD(DEVICE_GET_IRQ_INFO, vdev_vfu_info,
		.prepare = vdev_vfu_irq_info),
	VFU_CMD(DEVICE_SET_IRQS, vdev_vfu_set_irqs,
		.prepare = vdev_vfu_set_irqs_prep, .apply = vdev_vfu_set_irqs),
	VFU_CMD(REGION_READ, vdev_vfu_region_rw,
		.prepare = vdev_vfu_region_read_prep),
	VFU_CMD(REGION_WRITE, vdev_vfu_region_rw,
		.prepare = vdev_vfu_region_write_prep,
		.apply = vdev_vfu_region_write),
	VFU_CMD(DEVICE_RESET, vdev_vfu_hdr, .prepare = vdev_vfu_reset_prep,
		.apply = vdev_vfu_reset),
};

static const struct vdev_vfu_cmd vdev_vfu_drop_cmd = {
	.argsz = sizeof(struct vdev_vfu_drop),
	.any_time = true,
	.prepare = vdev_vfu_drop_prep,
};

static void vdev_vfu_ctx_cleanup(struct vdev_vfu_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ctx->efiles); i++)
		if (ctx->efiles[i])
			fput(ctx->efiles[i]);
	vdev_vu_ctx_cleanup(&ctx->vu);
}

static const struct vdev_vfu_cmd *vdev_vfu_cmd_of(unsigned int nr)
{
	if (!nr)
		return &vdev_vfu_drop_cmd;
	if (nr > VDEV_VFU_MAX_COMMAND || !vdev_vfu_cmds[nr].argsz)
		return NULL;
	return &vdev_vfu_cmds[nr];
}

/**
 * vdev_vfu_ioctl_known - is @cmd one of the vfio-user ioctls?
 * @cmd: an ioctl number
 */
bool vdev_vfu_ioctl_known(unsigned int cmd)
{
	unsigned int nr = _IOC_NR(cmd);

	return cmd == _IO(VDEV_IOC_MAGIC, nr) && nr >= VDEV_VFU_IOC_BASE &&
	       vdev_vfu_cmd_of(nr - VDEV_VFU_IOC_BASE);
}

/**
 * vdev_vfu_ioctl - a vfio-user command ioctl
 * @ctrl: the handle's controller
 * @cmd: VDEV_VFU_IOC(command), or VDEV_VFU_IOC_DROP
 * @uarg: its struct
 *
 * Return: 0 when the message was consumed (the outcome is in the
 * envelope), or a negative errno with the message still queued.
 */
long vdev_vfu_ioctl(struct vdev_ctrl *ctrl, unsigned int cmd,
		    void __user *uarg)
{
	unsigned int nr = _IOC_NR(cmd) - VDEV_VFU_IOC_BASE;
	const struct vdev_vfu_cmd *c = vdev_vfu_cmd_of(nr);
	struct vdev_vfu_ctx *ctx;
	void *arg;
	int ret;

	if (!c)
		return -ENOTTY;
	arg = kzalloc(c->argsz, GFP_KERNEL);
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	ret = -ENOMEM;
	if (!arg || !ctx)
		goto out_free;
	ret = vdev_copy_arg(arg, c->argsz, uarg);
	if (ret)
		goto out_free;
	ctx->hdr = arg;
	ctx->vu.nfds = ctx->hdr->nfds;
	ctx->vu.fds = ctx->hdr->fds;
	ret = vdev_vfu_hdr_check(ctx->hdr, nr ? nr : -1);
	if (ret)
		goto out_free;
	ctx->vu.s = vdev_session_get_live(ctrl);
	ret = -ENOTCONN;
	if (!ctx->vu.s)
		goto out_free;
	ret = ctx->vu.s->vfu ? vdev_vfu_cycle(ctx, c, arg) : -EOPNOTSUPP;
	vdev_vfu_ctx_cleanup(ctx);
	vdev_session_put(ctx->vu.s);
	if (!ret && copy_to_user(uarg, arg, c->argsz))
		ret = -EFAULT;
out_free:
	kfree(ctx);
	kfree(arg);
	return ret;
}

/**
 * vdev_vfu_session_init - make a new session speak vfio-user
 * @s: the session, not yet published
 * @ctrl: its controller
 *
 * Return: 0 or -ENOMEM.
 */
int vdev_vfu_session_init(struct vdev_session *s,
			  const struct vdev_ctrl *ctrl)
{
	s->vfu = kvzalloc(sizeof(*s->vfu), GFP_KERNEL);
	if (!s->vfu)
		return -ENOMEM;
	s->vfu->nr_irqs = ctrl->cfg.num_queues + 1;
	return 0;
}

/**
 * vdev_vfu_session_free - what a vfio-user session holds
 * @s: the session, torn down (no queue runs)
 */
void vdev_vfu_session_free(struct vdev_session *s)
{
	u32 i;

	if (!s->vfu)
		return;
	for (i = 0; i < ARRAY_SIZE(s->vfu->irq); i++)
		vdev_vfu_irq_swap(s->vfu, i, NULL);
	kvfree(s->vfu);
	s->vfu = NULL;
}
