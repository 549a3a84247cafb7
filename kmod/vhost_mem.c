// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user memory requests: SET_MEM_TABLE, ADD_MEM_REG and REM_MEM_REG.
 *
 * Each builds a whole new table in prepare: regions the current table has
 * already are reused by reference (QEMU resends whole tables), new ones
 * are pinned and charged to the front end's locked_vm. Apply publishes the
 * table; the old one is unpinned once nothing uses it (mem.c).
 *
 * SET_LOG_BASE is here too: the dirty log is pinned like guest memory.
 */
#include <linux/file.h>
#include <linux/hugetlb.h>
#include <linux/module.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "poller.h"
#include "vhost.h"

static bool memlock_rlimit;
module_param(memlock_rlimit, bool, 0644);
MODULE_PARM_DESC(memlock_rlimit,
		 "Refuse guest memory beyond the front end's RLIMIT_MEMLOCK, as VFIO does (default: off; max-mem always applies)");

static struct vdev_mem *vdev_vu_cur_mem(struct vdev_session *s)
{
	return rcu_dereference_protected(s->mem, lockdep_is_held(&s->lock));
}

static struct vdev_mem_region *
vdev_vu_region_reuse(const struct vdev_mem *cur, const struct vdev_mem_desc *d)
{
	unsigned int i;

	for (i = 0; cur && i < cur->nr; i++) {
		if (vdev_mem_region_same(cur->regions[i], d)) {
			kref_get(&cur->regions[i]->ref);
			return cur->regions[i];
		}
	}
	return NULL;
}

/* Reuse or pin the region of fds[@fd]; a reference for the caller. */
static struct vdev_mem_region *
vdev_vu_region_get(struct vdev_vu_ctx *ctx, const struct vdev_vu_mem_region *w,
		   u32 fd)
{
	struct vdev_session *s = ctx->s;
	struct vdev_mem_desc d = {
		.gpa = w->guest_addr,
		.size = w->size,
		.uva = w->user_addr,
		.mmap_offset = w->mmap_offset,
		.mm = s->peer_mm,
		.rlimit = READ_ONCE(memlock_rlimit),
	};
	struct vdev_mem_region *r;

	d.file = vdev_vu_fget(ctx, fd);
	if (!d.file)
		return ERR_PTR(-EBADF);
	if (!shmem_file(d.file) && !is_file_hugepages(d.file)) {
		fput(d.file);
		return ERR_PTR(-EBADF);
	}
	r = vdev_vu_region_reuse(vdev_vu_cur_mem(s), &d);
	if (!r)
		r = vdev_mem_region_pin(&d, s->ctrl->cfg.max_mem);
	fput(d.file);
	/* A fatal signal while pinning: the message stays for the next try. */
	if (PTR_ERR_OR_ZERO(r) == -EINTR)
		ctx->ioctl_err = -EINTR;
	return r;
}

static void vdev_vu_regions_put(struct vdev_mem_region **regions,
				unsigned int nr)
{
	while (nr--)
		vdev_mem_region_put(regions[nr]);
}

/* @regions[0..@nr) are references of ours: the table takes its own. */
static int vdev_vu_mem_build(struct vdev_vu_ctx *ctx,
			     struct vdev_mem_region **regions, unsigned int nr,
			     unsigned int ours)
{
	struct vdev_session *s = ctx->s;
	struct vdev_mem *mem;
	u32 i;

	mem = vdev_mem_create(regions, nr, s->ctrl->cfg.max_mem);
	vdev_vu_regions_put(regions + nr - ours, ours);
	if (IS_ERR(mem))
		return PTR_ERR(mem);
	ctx->mem = mem;
	/* Each started ring's poller gets the table as a new generation. */
	for (i = 0; i < s->nr_queues; i++) {
		if (!s->queues[i].started)
			continue;
		ctx->gens[i] = vdev_mem_gen_alloc(mem);
		if (!ctx->gens[i])
			return -ENOMEM;
	}
	return 0;
}

int vdev_vu_set_mem_table_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_mem_region *regions[VDEV_VU_MAX_REGIONS];
	struct vdev_vu_mem_table *a = arg;
	unsigned int i;

	if (!a->nregions || a->nregions > VDEV_VU_MAX_REGIONS ||
	    ctx->hdr->nfds != a->nregions || a->pad)
		return -EINVAL;
	for (i = 0; i < a->nregions; i++) {
		regions[i] = vdev_vu_region_get(ctx, &a->regions[i], i);
		if (IS_ERR(regions[i])) {
			vdev_vu_regions_put(regions, i);
			return PTR_ERR(regions[i]);
		}
	}
	return vdev_vu_mem_build(ctx, regions, a->nregions, a->nregions);
}

/* The current regions, in a new array with room for @extra more. */
static struct vdev_mem_region **vdev_vu_cur_regions(struct vdev_session *s,
						    unsigned int extra,
						    unsigned int *nr)
{
	struct vdev_mem *cur = vdev_vu_cur_mem(s);
	struct vdev_mem_region **regions;

	*nr = cur ? cur->nr : 0;
	regions = kcalloc(*nr + extra, sizeof(*regions), GFP_KERNEL);
	if (regions && cur)
		memcpy(regions, cur->regions, *nr * sizeof(*regions));
	return regions;
}

/**
 * vdev_vu_mem_add_region - prepare a table with one region more
 * @ctx: the request; fds[@fd] backs the region
 * @w: the region
 * @fd: its fd's index
 * @max_regions: most regions a table may have
 *
 * Return: 0 with ctx->mem and ctx->gens ready for vdev_vu_mem_apply(),
 * or a negative errno.
 */
int vdev_vu_mem_add_region(struct vdev_vu_ctx *ctx,
			   const struct vdev_vu_mem_region *w, u32 fd,
			   u32 max_regions)
{
	struct vdev_mem_region **regions;
	unsigned int nr;
	int ret;

	regions = vdev_vu_cur_regions(ctx->s, 1, &nr);
	if (!regions)
		return -ENOMEM;
	if (nr >= max_regions) {
		ret = -E2BIG;
		goto out_free;
	}
	regions[nr] = vdev_vu_region_get(ctx, w, fd);
	ret = PTR_ERR_OR_ZERO(regions[nr]);
	if (!ret)
		ret = vdev_vu_mem_build(ctx, regions, nr + 1, 1);
out_free:
	kfree(regions);
	return ret;
}

int vdev_vu_add_mem_reg_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_mem_reg *a = arg;

	if (ctx->hdr->nfds != 1)
		return -EINVAL;
	return vdev_vu_mem_add_region(ctx, &a->region, 0,
				      VDEV_VU_MAX_MEM_SLOTS);
}

/**
 * vdev_vu_mem_rem_region - prepare a table without a region
 * @ctx: the request
 * @w: the region, matched on gpa, uva and size
 *
 * Return: 0 as vdev_vu_mem_add_region(), -ENOENT if no region matches.
 */
int vdev_vu_mem_rem_region(struct vdev_vu_ctx *ctx,
			   const struct vdev_vu_mem_region *w)
{
	struct vdev_mem_region **regions;
	unsigned int i, nr;
	int ret = -ENOENT;

	regions = vdev_vu_cur_regions(ctx->s, 0, &nr);
	if (!regions && nr)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		if (regions[i]->gpa == w->guest_addr &&
		    regions[i]->uva == w->user_addr &&
		    regions[i]->size == w->size) {
			regions[i] = regions[--nr];
			ret = vdev_vu_mem_build(ctx, regions, nr, 0);
			break;
		}
	}
	kfree(regions);
	return ret;
}

/* An fd that comes with it goes unused. */
int vdev_vu_rem_mem_reg_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	if (ctx->hdr->nfds > 1)
		return -EINVAL;
	return vdev_vu_mem_rem_region(ctx,
				      &((struct vdev_vu_mem_reg *)arg)->region);
}

/*
 * Publish the new table. A started ring it no longer covers is parked: it
 * fetches nothing until a table that covers it arrives (QEMU 7.2 removes a
 * region before it adds its replacement).
 */
void vdev_vu_mem_apply(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_session *s = ctx->s;
	struct vdev_mem *old;
	struct vdev_queue *q;
	u32 i;

	old = rcu_replace_pointer(s->mem, ctx->mem, lockdep_is_held(&s->lock));
	for (i = 0; i < s->nr_queues; i++) {
		q = &s->queues[i];
		if (!q->started)
			continue;
		q->ctl_gen = ctx->gens[i];
		ctx->gens[i] = NULL;
		vdev_queue_sync(q);
	}
	ctx->mem = NULL;
	if (old)
		vdev_mem_put(old);
}

/*
 * The log the data path writes to: the front end's, while it has
 * VHOST_F_LOG_ALL acked. Once this returns nothing writes to a log it
 * replaced: the pollers took the new one, and the RCU readers (bio
 * completions, the slow path) have left their read sections.
 */
void vdev_vu_log_update(struct vdev_session *s)
{
	struct vdev_mem *log = NULL;
	u32 i;

	if (s->features & BIT_ULL(VDEV_VU_F_LOG_ALL))
		log = s->log_base;
	if (rcu_access_pointer(s->dirty_log) == log)
		return;
	rcu_assign_pointer(s->dirty_log, log);
	for (i = 0; i < s->nr_queues; i++)
		if (s->queues[i].started)
			vdev_queue_sync(&s->queues[i]);
	synchronize_rcu();
}

/* One memfd (or hugetlbfs file), pinned here, so apply cannot fail. */
int vdev_vu_set_log_base_prep(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_vu_log_base *a = arg;
	struct vdev_mem *log;
	struct file *file;

	if (ctx->hdr->nfds != 1)
		return -EINVAL;
	file = vdev_vu_fget(ctx, 0);
	if (!file)
		return -EBADF;
	log = vdev_log_create(file, a->mmap_size, a->mmap_offset,
			      ctx->s->peer_mm);
	fput(file);
	if (IS_ERR(log))
		return PTR_ERR(log);
	ctx->mem = log;
	vdev_vu_reply_u64(ctx, 0);
	return 0;
}

/*
 * QEMU reads the old log once we reply, and frees it: the new one must be
 * the only one written by then. The old one is put with the context.
 */
void vdev_vu_set_log_base(struct vdev_vu_ctx *ctx, void *arg)
{
	struct vdev_session *s = ctx->s;

	swap(s->log_base, ctx->mem);
	vdev_vu_log_update(s);
}
