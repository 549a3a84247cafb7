// SPDX-License-Identifier: GPL-2.0
/*
 * Inflight I/O tracking (VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD): where a
 * ring starts on a region a previous session used.
 *
 * The front end keeps the region across a broken connection and hands it
 * to the next session. Every chain fetched is marked there until its used
 * entry is written (vring.c), so a session that starts on the region
 * knows which chains the last one left in flight: it fetches those again,
 * oldest first, and new ones from the used index plus their number on.
 * QEMU's SET_VRING_BASE after a broken connection says the used index,
 * which would fetch completed chains again and skip the ones still out.
 *
 * A packed ring's part only says where its used ring stands: QEMU keeps
 * no record of a packed ring it could restore after a broken connection,
 * and sends the base of its last start again. The last session drained
 * its packed rings whole before the next one fetches, so the ring goes on
 * at that used slot.
 *
 * The front end can write the region at any time: each field is read
 * once, every index is checked against the ring, every walk is bounded.
 */
#include <linux/build_bug.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "vdev.h"
#include "mem.h"
#include "vring.h"

static_assert(sizeof(struct vdev_inflight_hdr) == VDEV_INFLIGHT_HDR_SIZE);
static_assert(sizeof(struct vdev_inflight_desc) == VDEV_INFLIGHT_DESC_SIZE);

/* A head left in flight, and when it was fetched. */
struct vdev_inflight_found {
	u64 counter;
	u16 head;
};

static int vdev_inflight_cmp(const void *a, const void *b)
{
	const struct vdev_inflight_found *x = a, *y = b;

	if (x->counter != y->counter)
		return x->counter < y->counter ? -1 : 1;
	return x->head - y->head;
}

/* A fresh part: nothing in flight; the ring starts where its base says. */
static int vdev_inflight_init(struct vdev_vring *vr,
			      struct vdev_inflight_hdr *h)
{
	struct vdev_inflight_desc *d;
	u16 i;

	for (i = 0; i < vr->num; i++) {
		d = vdev_vring_inflight_desc(vr, i);
		if (IS_ERR(d))
			return PTR_ERR(d);
		memset(d, 0, sizeof(*d));
	}
	WRITE_ONCE(h->features, 0);
	WRITE_ONCE(h->desc_num, vr->num);
	WRITE_ONCE(h->last_batch_head, 0);
	WRITE_ONCE(h->used_idx, vr->used_idx);
	WRITE_ONCE(h->version, VDEV_INFLIGHT_VERSION);
	vr->inflight_counter = 1;
	return 0;
}

/*
 * The used index moved past the region's: the last batch reached the
 * ring before its entries were cleared. At most one pass over the ring;
 * a head out of range ends the list.
 */
static int vdev_inflight_finish_batch(struct vdev_vring *vr,
				      struct vdev_inflight_hdr *h)
{
	u16 batch = vr->used_idx - READ_ONCE(h->used_idx);
	u16 head = READ_ONCE(h->last_batch_head);
	struct vdev_inflight_desc *d;
	u32 n;

	for (n = 0; n < min_t(u32, batch, vr->num) && head < vr->num; n++) {
		d = vdev_vring_inflight_desc(vr, head);
		if (IS_ERR(d))
			return PTR_ERR(d);
		WRITE_ONCE(d->inflight, 0);
		head = READ_ONCE(d->next);
	}
	WRITE_ONCE(h->used_idx, vr->used_idx);
	return 0;
}

/* Every head still marked, oldest first, into vr->resubmit. */
static int vdev_inflight_collect(struct vdev_vring *vr)
{
	struct vdev_inflight_found *found;
	struct vdev_inflight_desc *d;
	u64 newest = 0;
	u32 n = 0, i;
	int ret = 0;

	found = kvmalloc_array(vr->num, sizeof(*found), GFP_KERNEL);
	if (!found)
		return -ENOMEM;
	for (i = 0; i < vr->num; i++) {
		d = vdev_vring_inflight_desc(vr, i);
		if (IS_ERR(d)) {
			ret = PTR_ERR(d);
			goto out;
		}
		if (!READ_ONCE(d->inflight))
			continue;
		found[n].counter = READ_ONCE(d->counter);
		found[n].head = i;
		newest = max(newest, found[n].counter);
		n++;
	}
	if (n) {
		vr->resubmit = kvmalloc_array(n, sizeof(*vr->resubmit),
					      GFP_KERNEL);
		if (!vr->resubmit) {
			ret = -ENOMEM;
			goto out;
		}
	}
	sort(found, n, sizeof(*found), vdev_inflight_cmp, NULL);
	for (i = 0; i < n; i++)
		vr->resubmit[i] = found[i].head;
	vr->nr_resubmit = n;
	vr->next_resubmit = 0;
	/* Each fetched chain is used or in flight: the next one is here. */
	vr->last_avail_idx = vr->used_idx + n;
	vr->avail_idx = vr->last_avail_idx;
	vr->inflight_counter = newest + 1;
out:
	kvfree(found);
	return ret;
}

/* A packed ring's part: made fresh, or the ring goes on where it says. */
static int vdev_inflight_packed_start(struct vdev_vring *vr,
				      struct vdev_inflight_hdr *h)
{
	u16 used;

	switch (READ_ONCE(h->version)) {
	case 0:
		WRITE_ONCE(h->features, VDEV_INFLIGHT_F_PACKED);
		WRITE_ONCE(h->desc_num, vr->num);
		WRITE_ONCE(h->last_batch_head, 0);
		WRITE_ONCE(h->used_idx, vdev_inflight_packed_used(vr));
		WRITE_ONCE(h->version, VDEV_INFLIGHT_VERSION);
		return 0;
	case VDEV_INFLIGHT_VERSION:
		break;
	default:
		return -EPROTO;
	}
	if (READ_ONCE(h->features) != VDEV_INFLIGHT_F_PACKED ||
	    READ_ONCE(h->desc_num) != vr->num)
		return -EPROTO;
	used = READ_ONCE(h->used_idx);
	if ((used & ~VDEV_INFLIGHT_WRAP) >= vr->num)
		return -EPROTO;
	vr->used_idx = used & ~VDEV_INFLIGHT_WRAP;
	vr->used_wrap = used & VDEV_INFLIGHT_WRAP;
	/* Everything fetched was used: the next chain is at the used slot. */
	vr->last_avail_idx = vr->used_idx;
	vr->avail_wrap = vr->used_wrap;
	vr->signalled_valid = false;
	return 0;
}

/* A split ring's part: made fresh, or what it left in flight found. */
static int vdev_inflight_split_start(struct vdev_vring *vr,
				     struct vdev_inflight_hdr *h)
{
	int ret;

	switch (READ_ONCE(h->version)) {
	case 0:
		return vdev_inflight_init(vr, h);
	case VDEV_INFLIGHT_VERSION:
		break;
	default:
		return -EPROTO;
	}
	if (READ_ONCE(h->features) || READ_ONCE(h->desc_num) != vr->num)
		return -EPROTO;
	ret = vdev_inflight_finish_batch(vr, h);
	return ret ? ret : vdev_inflight_collect(vr);
}

/**
 * vdev_vring_inflight_start - track a ring in an inflight region
 * @vr: a ring, set up and at its base
 * @region: the region as a memory table of one region at 0; the caller
 *	keeps it alive while the ring uses it
 * @base: where the ring's part starts in @region; VDEV_INFLIGHT_ALIGN
 *	aligned, vdev_inflight_stride(@vr->num) bytes within @region
 *
 * A fresh part (version 0) is set up for the ring as it is. A split
 * ring's part a previous session used gives the chains it left in
 * flight: they are fetched again first, and the ring goes on from the
 * used index plus their number, whatever its base said. A packed ring's
 * goes on at the used slot its part says, whatever its base said: the
 * caller makes sure the last session's rings drained whole first.
 * Process context.
 *
 * Return: 0; -EINVAL a misaligned @base; -EPROTO for a part of another
 * version, layout or ring size, or a used slot beyond the ring; -EFAULT
 * or -EIO when the region cannot be read; -ENOMEM. The ring is then not
 * tracked and resubmits nothing.
 */
int vdev_vring_inflight_start(struct vdev_vring *vr,
			      const struct vdev_mem *region, u64 base)
{
	struct vdev_inflight_hdr *h;
	int ret;

	vdev_vring_release(vr);
	if (!IS_ALIGNED(base, VDEV_INFLIGHT_ALIGN))
		return -EINVAL;
	vr->inflight = region;
	vr->inflight_base = base;
	h = vdev_mem_ptr(region, base, VDEV_INFLIGHT_HDR_SIZE);
	if (IS_ERR(h)) {
		ret = PTR_ERR(h);
		goto out_untrack;
	}
	if (vr->packed)
		ret = vdev_inflight_packed_start(vr, h);
	else
		ret = vdev_inflight_split_start(vr, h);
	if (!ret)
		return 0;
out_untrack:
	vr->inflight = NULL;
	return ret;
}

/* What the ring allocated; it may be set up again afterwards. */
void vdev_vring_release(struct vdev_vring *vr)
{
	kvfree(vr->resubmit);
	vr->resubmit = NULL;
	vr->nr_resubmit = 0;
	vr->next_resubmit = 0;
}
