// SPDX-License-Identifier: GPL-2.0
/*
 * The virtqueue engine: fetch descriptor chains from split and packed
 * rings, give used buffers back and decide about notifications, all in
 * guest memory reached through the memory table. Rings are little-endian
 * (VIRTIO_F_VERSION_1).
 *
 * Everything in the rings is written by the guest and may change under
 * us: each field is read once into a local and checked there. Errors come
 * in three kinds:
 *   -EBADMSG  a bad chain; the ring moved past it and chain->head is set,
 *             so the caller can complete it with an error and go on
 *   -EPROTO   the ring itself is corrupt (avail idx, head index, a packed
 *             chain without end): mark the device broken
 *   -EFAULT, -EIO  ring memory is gone from the table or was punched out
 *             of its file: mark the device broken
 */
#include <linux/bits.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_ring.h>

#include "vdev.h"
#include "mem.h"
#include "vring.h"

#define VDEV_DESC_SIZE		16

/* Split ring layout (virtio 1.2, 2.7). */
#define VDEV_AVAIL_IDX		2
#define VDEV_AVAIL_RING		4
#define VDEV_USED_IDX		2
#define VDEV_USED_RING		4
#define VDEV_USED_ELEM_SIZE	8

/* Packed ring layout (virtio 1.2, 2.8). */
#define VDEV_PDESC_LEN		8
#define VDEV_PDESC_ID		12
#define VDEV_PDESC_FLAGS	14
#define VDEV_EVENT_OFF_WRAP	0
#define VDEV_EVENT_FLAGS	2
#define VDEV_EVENT_SIZE		4

#define VDEV_PACKED_F_AVAIL	BIT(VRING_PACKED_DESC_F_AVAIL)
#define VDEV_PACKED_F_USED	BIT(VRING_PACKED_DESC_F_USED)
#define VDEV_PACKED_WRAP	BIT(VRING_PACKED_EVENT_F_WRAP_CTR)

/* A split descriptor as the guest lays it out. */
struct vdev_vring_desc {
	__le64 addr;
	__le32 len;
	__le16 flags;
	__le16 next;
};

/* A descriptor of either kind, in CPU order. */
struct vdev_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;	/* split: next index; packed: buffer id */
};

static int vdev_vring_load16(const struct vdev_vring *vr, u64 gpa, u16 *val)
{
	__le16 *p = vdev_mem_ptr(vr->mem, gpa, sizeof(*p));

	if (IS_ERR(p))
		return PTR_ERR(p);
	*val = le16_to_cpu(READ_ONCE(*p));
	return 0;
}

static u64 vdev_vring_used_len(const struct vdev_vring *vr)
{
	if (vr->packed)
		return VDEV_EVENT_SIZE;
	return VDEV_USED_RING + VDEV_USED_ELEM_SIZE * vr->num + 2;
}

/*
 * A ring write into guest memory goes into the dirty log after the write
 * itself, as vhost does: the store is visible before its bit, so a front
 * end that finds the bit copies the new value.
 */
static void vdev_vring_log(const struct vdev_vring *vr, u64 gpa, u32 len)
{
	u64 off = gpa - vr->used;

	if (!vr->log)
		return;
	if (off < vdev_vring_used_len(vr))
		gpa = vr->log_used + off;
	/* The store before its bit. */
	smp_wmb();
	vdev_log_mark(vr->log, gpa, len);
}

static int vdev_vring_store16(const struct vdev_vring *vr, u64 gpa, u16 val)
{
	__le16 *p = vdev_mem_ptr(vr->mem, gpa, sizeof(*p));

	if (IS_ERR(p))
		return PTR_ERR(p);
	WRITE_ONCE(*p, cpu_to_le16(val));
	vdev_vring_log(vr, gpa, sizeof(*p));
	return 0;
}

static int vdev_vring_store32(const struct vdev_vring *vr, u64 gpa, u32 val)
{
	__le32 *p = vdev_mem_ptr(vr->mem, gpa, sizeof(*p));

	if (IS_ERR(p))
		return PTR_ERR(p);
	WRITE_ONCE(*p, cpu_to_le32(val));
	vdev_vring_log(vr, gpa, sizeof(*p));
	return 0;
}

/* Descriptor @i of the table at @table: a split or a packed one. */
static int vdev_vring_read_desc(const struct vdev_vring *vr, u64 table,
				u32 i, struct vdev_desc *d)
{
	struct vring_packed_desc pd;
	struct vdev_vring_desc sd;
	int ret;

	BUILD_BUG_ON(sizeof(sd) != VDEV_DESC_SIZE);
	BUILD_BUG_ON(sizeof(pd) != VDEV_DESC_SIZE);
	if (vr->packed) {
		ret = vdev_mem_read(vr->mem, table + (u64)i * VDEV_DESC_SIZE,
				    &pd, sizeof(pd));
		d->addr = le64_to_cpu(pd.addr);
		d->len = le32_to_cpu(pd.len);
		d->flags = le16_to_cpu(pd.flags);
		d->next = le16_to_cpu(pd.id);
	} else {
		ret = vdev_mem_read(vr->mem, table + (u64)i * VDEV_DESC_SIZE,
				    &sd, sizeof(sd));
		d->addr = le64_to_cpu(sd.addr);
		d->len = le32_to_cpu(sd.len);
		d->flags = le16_to_cpu(sd.flags);
		d->next = le16_to_cpu(sd.next);
	}
	return ret;
}

static void vdev_vring_chain_reset(struct vdev_vring_chain *c)
{
	c->nbufs = 0;
	c->out_len = 0;
	c->in_len = 0;
}

/* Append one buffer, checked, to the chain. */
static int vdev_vring_add_buf(const struct vdev_vring *vr,
			      struct vdev_vring_chain *c,
			      const struct vdev_desc *d)
{
	bool write = d->flags & VRING_DESC_F_WRITE;
	struct vdev_vring_buf *b;
	u32 *total = write ? &c->in_len : &c->out_len;

	if (c->nbufs >= c->max)
		return -EBADMSG;
	/* Device-readable buffers come first. */
	if (!write && c->nbufs && c->bufs[c->nbufs - 1].write)
		return -EBADMSG;
	if (d->len && vdev_mem_check(vr->mem, d->addr, d->len))
		return -EBADMSG;
	if (check_add_overflow(*total, d->len, total) ||
	    (u64)c->in_len + c->out_len > U32_MAX)
		return -EBADMSG;
	b = &c->bufs[c->nbufs++];
	b->gpa = d->addr;
	b->len = d->len;
	b->write = write;
	return 0;
}

/*
 * An indirect table: a whole chain of its own, in guest memory the table
 * checks. Split tables chain with NEXT (bounded by the table size); packed
 * tables are used in order, whole. Neither may point to another table.
 */
static int vdev_vring_indirect(const struct vdev_vring *vr,
			       struct vdev_vring_chain *c,
			       const struct vdev_desc *ind)
{
	u32 n = ind->len / VDEV_DESC_SIZE, i = 0, count;
	struct vdev_desc d;

	if (!vr->indirect || (ind->flags & VRING_DESC_F_NEXT) || !ind->len ||
	    ind->len % VDEV_DESC_SIZE ||
	    vdev_mem_check(vr->mem, ind->addr, ind->len))
		return -EBADMSG;
	for (count = 0; count < n; count++) {
		if (vdev_vring_read_desc(vr, ind->addr, i, &d) ||
		    (d.flags & VRING_DESC_F_INDIRECT) ||
		    vdev_vring_add_buf(vr, c, &d))
			return -EBADMSG;
		if (vr->packed) {
			i++;
			continue;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (d.next >= n)
			return -EBADMSG;
		i = d.next;
	}
	/* Split: still NEXT after every entry, so a loop. */
	return vr->packed ? 0 : -EBADMSG;
}

static int vdev_vring_add_desc(const struct vdev_vring *vr,
			       struct vdev_vring_chain *c,
			       const struct vdev_desc *d)
{
	if (d->flags & VRING_DESC_F_INDIRECT)
		return vdev_vring_indirect(vr, c, d);
	return vdev_vring_add_buf(vr, c, d);
}

/* Split: is there a new avail entry? 1, 0 or an error. */
static int vdev_vring_split_avail(struct vdev_vring *vr)
{
	u16 idx;
	int ret;

	if (vr->avail_idx != vr->last_avail_idx)
		return 1;
	ret = vdev_vring_load16(vr, vr->avail + VDEV_AVAIL_IDX, &idx);
	if (ret)
		return ret;
	if ((u16)(idx - vr->last_avail_idx) > vr->num)
		return -EPROTO;
	vr->avail_idx = idx;
	if (idx == vr->last_avail_idx)
		return 0;
	/* Read the ring entries only after the index that covers them. */
	smp_rmb();
	return 1;
}

/* Split: follow the chain from @head; bounded by the ring size. */
static int vdev_vring_split_walk(struct vdev_vring *vr,
				 struct vdev_vring_chain *c, u16 head)
{
	unsigned int count;
	struct vdev_desc d;
	u16 i = head;
	int ret;

	for (count = 0; count < vr->num; count++) {
		ret = vdev_vring_read_desc(vr, vr->desc, i, &d);
		if (ret)
			return ret;
		ret = vdev_vring_add_desc(vr, c, &d);
		if (ret || !(d.flags & VRING_DESC_F_NEXT))
			return ret;
		if (d.next >= vr->num)
			return -EBADMSG;
		i = d.next;
	}
	return -EBADMSG;	/* longer than the ring: a loop */
}

/*
 * The inflight region (vhost-user's "Inflight I/O tracking", split
 * layout): each ring's part is a header and one entry per descriptor
 * head, in the host's byte order; a packed ring's part is its header.
 * vdev_vring_inflight_start() checked that the part lies in the region
 * and is 64-byte aligned there, so no entry straddles a page.
 */
static void *vdev_vring_inflight_ptr(const struct vdev_vring *vr, u64 off,
				     u64 len)
{
	return vdev_mem_ptr(vr->inflight, vr->inflight_base + off, len);
}

/* @head's entry in the ring's part; vring_inflight.c's start uses it too. */
struct vdev_inflight_desc *
vdev_vring_inflight_desc(const struct vdev_vring *vr, u16 head)
{
	return vdev_vring_inflight_ptr(vr, VDEV_INFLIGHT_HDR_SIZE +
				       (u64)head * VDEV_INFLIGHT_DESC_SIZE,
				       VDEV_INFLIGHT_DESC_SIZE);
}

/* Fetched: stamp it with the fetch order, then mark it in flight. */
static int vdev_vring_inflight_fetched(struct vdev_vring *vr, u16 head)
{
	struct vdev_inflight_desc *d;

	if (!vr->inflight)
		return 0;
	d = vdev_vring_inflight_desc(vr, head);
	if (IS_ERR(d))
		return PTR_ERR(d);
	WRITE_ONCE(d->counter, vr->inflight_counter++);
	WRITE_ONCE(d->inflight, 1);
	return 0;
}

/* The ring's header and @head's entry in the region. */
static int vdev_vring_inflight_entry(struct vdev_vring *vr, u16 head,
				     struct vdev_inflight_hdr **h,
				     struct vdev_inflight_desc **d)
{
	*h = vdev_vring_inflight_ptr(vr, 0, VDEV_INFLIGHT_HDR_SIZE);
	*d = vdev_vring_inflight_desc(vr, head);
	if (IS_ERR(*h))
		return PTR_ERR(*h);
	return PTR_ERR_OR_ZERO(*d);
}

/*
 * Before the used entry: @head heads the last batch (ours are batches of
 * one). A start that finds the region's used_idx behind the ring's knows
 * the batch reached the ring and clears it.
 */
static int vdev_vring_inflight_batch(struct vdev_vring *vr, u16 head)
{
	struct vdev_inflight_hdr *h;
	struct vdev_inflight_desc *d;
	int ret;

	if (!vr->inflight)
		return 0;
	ret = vdev_vring_inflight_entry(vr, head, &h, &d);
	if (ret)
		return ret;
	WRITE_ONCE(d->next, READ_ONCE(h->last_batch_head));
	WRITE_ONCE(h->last_batch_head, head);
	return 0;
}

/* After the used index: no longer in flight, and the batch is done. */
static int vdev_vring_inflight_pushed(struct vdev_vring *vr, u16 head)
{
	struct vdev_inflight_hdr *h;
	struct vdev_inflight_desc *d;
	int ret;

	if (!vr->inflight)
		return 0;
	ret = vdev_vring_inflight_entry(vr, head, &h, &d);
	if (ret)
		return ret;
	WRITE_ONCE(d->inflight, 0);
	WRITE_ONCE(h->used_idx, vr->used_idx);
	return 0;
}

/* A chain the last session left in flight, again: the avail ring has it no more. */
static int vdev_vring_resubmit_pop(struct vdev_vring *vr,
				   struct vdev_vring_chain *c)
{
	u16 head = vr->resubmit[vr->next_resubmit++];
	int ret;

	c->head.id = head;
	c->head.ndesc = 1;
	ret = vdev_vring_split_walk(vr, c, head);
	if (ret && ret != -EBADMSG)
		return ret;
	return ret ? ret : 1;
}

static int vdev_vring_split_pop(struct vdev_vring *vr,
				struct vdev_vring_chain *c)
{
	u16 slot = vr->last_avail_idx & (vr->num - 1);
	u16 head;
	int ret, err;

	if (vr->next_resubmit < vr->nr_resubmit)
		return vdev_vring_resubmit_pop(vr, c);
	ret = vdev_vring_split_avail(vr);
	if (ret <= 0)
		return ret;
	ret = vdev_vring_load16(vr, vr->avail + VDEV_AVAIL_RING + 2 * slot,
				&head);
	if (ret)
		return ret;
	if (head >= vr->num)
		return -EPROTO;
	c->head.id = head;
	c->head.ndesc = 1;
	ret = vdev_vring_split_walk(vr, c, head);
	if (ret && ret != -EBADMSG)
		return ret;
	/* A bad chain is in flight too, until its error is pushed. */
	err = vdev_vring_inflight_fetched(vr, head);
	if (err)
		return err;
	vr->last_avail_idx++;
	return ret ? ret : 1;
}

static int vdev_vring_split_push(struct vdev_vring *vr,
				 struct vdev_vring_head head, u32 len)
{
	u64 elem = vr->used + VDEV_USED_RING +
		   (u64)(vr->used_idx & (vr->num - 1)) * VDEV_USED_ELEM_SIZE;
	int ret;

	if (head.id >= vr->num)
		return -EINVAL;
	ret = vdev_vring_inflight_batch(vr, head.id);
	if (ret)
		return ret;
	/* Two 4-byte stores: the 8-byte entry is only 4-byte aligned. */
	ret = vdev_vring_store32(vr, elem, head.id);
	if (!ret)
		ret = vdev_vring_store32(vr, elem + 4, len);
	if (ret)
		return ret;
	/* The entry before the index that publishes it. */
	smp_wmb();
	ret = vdev_vring_store16(vr, vr->used + VDEV_USED_IDX, vr->used_idx + 1);
	if (ret)
		return ret;
	vr->used_idx++;
	if (vr->used_idx == vr->signalled_used)
		vr->signalled_valid = false;	/* 65536 pushes unsignalled */
	return vdev_vring_inflight_pushed(vr, head.id);
}

static int vdev_vring_split_need_signal(struct vdev_vring *vr)
{
	u16 old = vr->signalled_used, new = vr->used_idx, val;
	bool valid = vr->signalled_valid;
	int ret;

	/* The used idx store before reading what the driver asked for. */
	smp_mb();
	if (!vr->event_idx) {
		ret = vdev_vring_load16(vr, vr->avail, &val);
		return ret ? ret : !(val & VRING_AVAIL_F_NO_INTERRUPT);
	}
	ret = vdev_vring_load16(vr, vr->avail + VDEV_AVAIL_RING + 2 * vr->num,
				&val);
	if (ret)
		return ret;
	vr->signalled_used = new;
	vr->signalled_valid = true;
	return !valid || vring_need_event(val, new, old);
}

static int vdev_vring_split_set_notify(struct vdev_vring *vr, bool enable)
{
	u64 avail_event = vr->used + VDEV_USED_RING +
			  (u64)vr->num * VDEV_USED_ELEM_SIZE;

	if (!vr->event_idx)
		return vdev_vring_store16(vr, vr->used,
					  enable ? 0 : VRING_USED_F_NO_NOTIFY);
	/* With event idx the driver kicks on passing avail_event anyway. */
	if (!enable)
		return 0;
	return vdev_vring_store16(vr, avail_event, vr->last_avail_idx);
}

/* Packed: is the descriptor at @slot available in wrap @wrap? */
static int vdev_vring_packed_avail(const struct vdev_vring *vr, u16 slot,
				   bool wrap)
{
	u16 flags;
	int ret;

	ret = vdev_vring_load16(vr, vr->desc + (u64)slot * VDEV_DESC_SIZE +
				VDEV_PDESC_FLAGS, &flags);
	if (ret)
		return ret;
	return !!(flags & VDEV_PACKED_F_AVAIL) == wrap &&
	       !!(flags & VDEV_PACKED_F_USED) != wrap;
}

/*
 * Packed: the chain runs over consecutive slots while NEXT is set. A bad
 * chain is still walked to its end, for its buffer id and length, so that
 * it can be completed; a chain that never ends is a corrupt ring.
 */
static int vdev_vring_packed_pop(struct vdev_vring *vr,
				 struct vdev_vring_chain *c)
{
	u16 slot = vr->last_avail_idx;
	bool wrap = vr->avail_wrap;
	unsigned int count = 0;
	struct vdev_desc d;
	int ret, bad = 0;

	ret = vdev_vring_packed_avail(vr, slot, wrap);
	if (ret <= 0)
		return ret;
	/* The rest of the descriptor after its flags. */
	smp_rmb();
	do {
		if (count++ == vr->num)
			return -EPROTO;
		ret = vdev_vring_read_desc(vr, vr->desc, slot, &d);
		if (ret)
			return ret;
		if (++slot == vr->num) {
			slot = 0;
			wrap = !wrap;
		}
		if (!bad)
			bad = vdev_vring_add_desc(vr, c, &d);
	} while (d.flags & VRING_DESC_F_NEXT);
	c->head.id = d.next;
	c->head.ndesc = count;
	vr->last_avail_idx = slot;
	vr->avail_wrap = wrap;
	return bad ? bad : 1;
}

/* Packed, after the flags that hand a chain back: where the used ring is. */
static int vdev_vring_inflight_packed_used(struct vdev_vring *vr)
{
	struct vdev_inflight_hdr *h;

	if (!vr->inflight)
		return 0;
	h = vdev_vring_inflight_ptr(vr, 0, VDEV_INFLIGHT_HDR_SIZE);
	if (IS_ERR(h))
		return PTR_ERR(h);
	WRITE_ONCE(h->used_idx, vdev_inflight_packed_used(vr));
	return 0;
}

static int vdev_vring_packed_push(struct vdev_vring *vr,
				  struct vdev_vring_head head, u32 len)
{
	u64 desc = vr->desc + (u64)vr->used_idx * VDEV_DESC_SIZE;
	u16 flags = 0;
	int ret;

	if (!head.ndesc || head.ndesc > vr->num)
		return -EINVAL;
	ret = vdev_vring_store32(vr, desc + VDEV_PDESC_LEN, len);
	if (!ret)
		ret = vdev_vring_store16(vr, desc + VDEV_PDESC_ID, head.id);
	if (ret)
		return ret;
	if (vr->used_wrap)
		flags |= VDEV_PACKED_F_AVAIL | VDEV_PACKED_F_USED;
	if (len)
		flags |= VRING_DESC_F_WRITE;
	/* Id and length before the flags that hand the descriptor back. */
	smp_wmb();
	ret = vdev_vring_store16(vr, desc + VDEV_PDESC_FLAGS, flags);
	if (ret)
		return ret;
	vr->used_idx += head.ndesc;
	if (vr->used_idx >= vr->num) {
		vr->used_idx -= vr->num;
		vr->used_wrap = !vr->used_wrap;
	}
	return vdev_vring_inflight_packed_used(vr);
}

static int vdev_vring_packed_need_signal(struct vdev_vring *vr)
{
	u16 old = vr->signalled_used, new = vr->used_idx, flags, off_wrap, off;
	bool valid = vr->signalled_valid;
	int ret;

	/* The used flags store before reading what the driver asked for. */
	smp_mb();
	ret = vdev_vring_load16(vr, vr->avail + VDEV_EVENT_FLAGS, &flags);
	if (ret)
		return ret;
	if (flags == VRING_PACKED_EVENT_FLAG_DISABLE)
		return 0;
	if (flags != VRING_PACKED_EVENT_FLAG_DESC || !vr->event_idx)
		return 1;
	ret = vdev_vring_load16(vr, vr->avail + VDEV_EVENT_OFF_WRAP, &off_wrap);
	if (ret)
		return ret;
	vr->signalled_used = new;
	vr->signalled_valid = true;
	if (!valid)
		return 1;
	/* Slots, not free-running indexes: unwrap as DPDK's vhost does. */
	off = off_wrap & ~VDEV_PACKED_WRAP;
	if (new <= old)
		old -= vr->num;
	if (vr->used_wrap != !!(off_wrap & VDEV_PACKED_WRAP))
		off -= vr->num;
	return vring_need_event(off, new, old);
}

static int vdev_vring_packed_set_notify(struct vdev_vring *vr, bool enable)
{
	u16 flags = VRING_PACKED_EVENT_FLAG_DISABLE;
	int ret;

	if (enable && vr->event_idx) {
		ret = vdev_vring_store16(vr, vr->used + VDEV_EVENT_OFF_WRAP,
					 vr->last_avail_idx |
					 (vr->avail_wrap ? VDEV_PACKED_WRAP : 0));
		if (ret)
			return ret;
		/* The offset before the flags that point at it. */
		smp_wmb();
		flags = VRING_PACKED_EVENT_FLAG_DESC;
	} else if (enable) {
		flags = VRING_PACKED_EVENT_FLAG_ENABLE;
	}
	return vdev_vring_store16(vr, vr->used + VDEV_EVENT_FLAGS, flags);
}

/* Are the ring areas aligned and in the table? */
static int vdev_vring_check_areas(const struct vdev_vring *vr,
				  const struct vdev_mem *mem)
{
	u64 desc_len = (u64)vr->num * VDEV_DESC_SIZE;
	u64 avail_len = VDEV_EVENT_SIZE, used_len = VDEV_EVENT_SIZE;
	unsigned int avail_align = 4;

	if (!vr->packed) {
		avail_len = VDEV_AVAIL_RING + 2 * vr->num + 2;
		used_len = vdev_vring_used_len(vr);
		avail_align = 2;
	}
	if (!IS_ALIGNED(vr->desc, 16) || !IS_ALIGNED(vr->avail, avail_align) ||
	    !IS_ALIGNED(vr->used, 4))
		return -EINVAL;
	if (vdev_mem_check(mem, vr->desc, desc_len) ||
	    vdev_mem_check(mem, vr->avail, avail_len) ||
	    vdev_mem_check(mem, vr->used, used_len))
		return -EFAULT;
	return 0;
}

/**
 * vdev_vring_setup - set a ring up, at index 0
 * @vr: the ring
 * @mem: the guest memory table, as for vdev_vring_set_mem()
 * @features: the negotiated virtio features (EVENT_IDX, INDIRECT_DESC and
 *	RING_PACKED matter here)
 * @num: queue size: 1 to 32768, a power of 2 for split rings
 * @desc: guest-physical address of the descriptor table
 * @avail: of the available ring (split) or driver event area (packed)
 * @used: of the used ring (split) or device event area (packed)
 *
 * Return: 0, -EINVAL for a bad size or misaligned area, -EFAULT for an
 * area outside the table.
 */
int vdev_vring_setup(struct vdev_vring *vr, const struct vdev_mem *mem,
		     u64 features, unsigned int num, u64 desc, u64 avail,
		     u64 used)
{
	bool packed = features & BIT_ULL(VIRTIO_F_RING_PACKED);

	if (!num || num > VDEV_VRING_MAX_NUM || (!packed && !is_power_of_2(num)))
		return -EINVAL;
	*vr = (struct vdev_vring) {
		.num = num,
		.packed = packed,
		.event_idx = features & BIT_ULL(VIRTIO_RING_F_EVENT_IDX),
		.indirect = features & BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC),
		.desc = desc,
		.avail = avail,
		.used = used,
		.avail_wrap = packed,
		.used_wrap = packed,
	};
	return vdev_vring_set_mem(vr, mem);
}

/**
 * vdev_vring_set_mem - point the ring at a (new) memory table
 * @vr: the ring
 * @mem: the table; the caller keeps it alive while it uses the ring
 *
 * Return: 0, or as vdev_vring_setup() when the rings are not in @mem; the
 * ring then keeps its old table.
 */
int vdev_vring_set_mem(struct vdev_vring *vr, const struct vdev_mem *mem)
{
	int ret = vdev_vring_check_areas(vr, mem);

	if (!ret)
		vr->mem = mem;
	return ret;
}

/**
 * vdev_vring_set_base - where to go on, as VHOST_USER_SET_VRING_BASE says
 * @vr: the ring, set up
 * @base: split: the next avail index; the used index comes from the used
 *	ring. Packed: bits 0-14 the avail slot, 15 its wrap counter, 16-30
 *	the used slot, 31 its wrap counter
 *
 * Return: 0, -EINVAL for a slot beyond the ring, or a ring memory error.
 */
int vdev_vring_set_base(struct vdev_vring *vr, u32 base)
{
	u16 avail = base & 0xffff, used = base >> 16;
	int ret;

	vr->signalled_valid = false;
	if (!vr->packed) {
		ret = vdev_vring_load16(vr, vr->used + VDEV_USED_IDX, &used);
		if (ret)
			return ret;
		vr->last_avail_idx = avail;
		vr->avail_idx = avail;
		vr->used_idx = used;
		return 0;
	}
	if ((avail & ~VDEV_PACKED_WRAP) >= vr->num ||
	    (used & ~VDEV_PACKED_WRAP) >= vr->num)
		return -EINVAL;
	vr->last_avail_idx = avail & ~VDEV_PACKED_WRAP;
	vr->avail_wrap = avail & VDEV_PACKED_WRAP;
	vr->used_idx = used & ~VDEV_PACKED_WRAP;
	vr->used_wrap = used & VDEV_PACKED_WRAP;
	return 0;
}

/* The state to give back in VHOST_USER_GET_VRING_BASE, as set_base reads it. */
u32 vdev_vring_get_base(const struct vdev_vring *vr)
{
	if (!vr->packed)
		return vr->last_avail_idx;
	return (vr->last_avail_idx | (vr->avail_wrap ? VDEV_PACKED_WRAP : 0)) |
	       (u32)(vr->used_idx | (vr->used_wrap ? VDEV_PACKED_WRAP : 0)) << 16;
}

/**
 * vdev_vring_pop - fetch the next descriptor chain
 * @vr: the ring
 * @chain: filled in: @chain->bufs and @chain->max are the caller's
 *
 * Every buffer is checked to lie in the memory table, the readable ones
 * first, at most @chain->max of them and 4 GiB in all.
 *
 * Return: 1 with @chain filled, 0 when the ring is empty, -EBADMSG for a bad
 * chain (skipped; complete @chain->head with an error), -EPROTO for a
 * corrupt ring, -EFAULT or -EIO when ring memory cannot be read.
 */
int vdev_vring_pop(struct vdev_vring *vr, struct vdev_vring_chain *chain)
{
	vdev_vring_chain_reset(chain);
	if (vr->packed)
		return vdev_vring_packed_pop(vr, chain);
	return vdev_vring_split_pop(vr, chain);
}

/**
 * vdev_vring_push - give a chain back as used
 * @vr: the ring
 * @head: from the chain's vdev_vring_pop()
 * @len: bytes the device wrote into the chain's writable buffers
 *
 * Chains may be given back in any order. The used entry is visible to the
 * driver before the index (split) or flags (packed) that publish it.
 *
 * Return: 0, -EINVAL for a head that no pop returned, or a ring memory
 * error.
 */
int vdev_vring_push(struct vdev_vring *vr, struct vdev_vring_head head,
		    u32 len)
{
	if (vr->packed)
		return vdev_vring_packed_push(vr, head, len);
	return vdev_vring_split_push(vr, head, len);
}

/**
 * vdev_vring_need_signal - should the driver hear about used buffers?
 * @vr: the ring, after one or more vdev_vring_push()
 *
 * Honours the driver's suppression (no-interrupt flag, used_event or the
 * driver event area). Call it once per batch: it records the used index
 * it decided at.
 *
 * Return: 1 to signal the call eventfd, 0 not to, or a ring memory error.
 */
int vdev_vring_need_signal(struct vdev_vring *vr)
{
	if (vr->packed)
		return vdev_vring_packed_need_signal(vr);
	return vdev_vring_split_need_signal(vr);
}

/**
 * vdev_vring_enable_notify - ask the driver to kick for new buffers
 * @vr: the ring
 *
 * Before a poller sleeps. Buffers made available just before the request
 * was seen would bring no kick, so it looks again afterwards.
 *
 * Return: 1 when buffers are already available (poll on, don't sleep), 0
 * when none are, or a ring memory error.
 */
int vdev_vring_enable_notify(struct vdev_vring *vr)
{
	u16 idx;
	int ret;

	if (vr->packed)
		ret = vdev_vring_packed_set_notify(vr, true);
	else
		ret = vdev_vring_split_set_notify(vr, true);
	if (ret)
		return ret;
	if (vr->next_resubmit < vr->nr_resubmit)
		return 1;
	/* The request before the look at the ring. */
	smp_mb();
	if (vr->packed)
		return vdev_vring_packed_avail(vr, vr->last_avail_idx,
					       vr->avail_wrap);
	ret = vdev_vring_load16(vr, vr->avail + VDEV_AVAIL_IDX, &idx);
	return ret ? ret : idx != vr->last_avail_idx;
}

/**
 * vdev_vring_disable_notify - tell the driver not to kick, while polling
 * @vr: the ring
 *
 * A hint: kicks may still come. With split event idx there is nothing to
 * write: avail_event stays where vdev_vring_enable_notify() left it.
 *
 * Return: 0 or a ring memory error.
 */
int vdev_vring_disable_notify(struct vdev_vring *vr)
{
	if (vr->packed)
		return vdev_vring_packed_set_notify(vr, false);
	return vdev_vring_split_set_notify(vr, false);
}
