// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_vring: kmod/vring.c, the virtqueue engine, built for userspace and
 * run over guest memory that the input lays out and fills (fuzz_guest.c,
 * a stand-in for kmod/mem.c): each region is its own heap buffer of
 * exactly its size, so a ring access that strays out of guest memory is
 * an AddressSanitizer report. The guest may also write its memory while
 * the engine reads it: the input schedules byte writes at numbered memory
 * accesses, as a racing driver would make them.
 *
 * Input:
 *   u8 cfg		bit 0 packed, 1 EVENT_IDX, 2 INDIRECT_DESC, 3 tracked
 *   u16 num		split: 1 << (num % 11); packed: num % 1024 + 1
 *   the regions	fz_guest_build() (fuzz_guest.h)
 *   3 x (u8 region, u16 offset)	desc, avail, used: region start +
 *			offset (misaligned or outside ones are setup errors)
 *   u32 base		vdev_vring_set_base()
 *   u16 chain_max	1 + chain_max % 1024 buffers per chain
 *   u8 pops		at most this many vdev_vring_pop() calls
 *   (u8 region, u16 offset)  only with cfg bit 3: an inflight region's
 *			part for the ring there (vdev_vring_inflight_start()),
 *			in guest memory, which the input fills like the rest
 *   the writes		fz_guest_schedule()
 *   the rest		fz_guest_fill(): guest memory contents
 */
#include <stdlib.h>

#include <linux/bits.h>
#include <linux/minmax.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_ring.h>

#include "../../kmod/vring.h"
#include "fuzz_guest.h"

/* --- the harness ---------------------------------------------------------- */

static u64 fz_addr(struct fz_in *in)
{
	unsigned int reg = fz_u8(in) % fz_g.mem->nr;

	return fz_g.mem->regions[reg]->gpa + fz_u16(in);
}

/* What vdev_vring_pop() promises about a chain it returns. */
static void fz_check_chain(const struct vdev_vring_chain *c)
{
	u64 out = 0, inl = 0;
	bool seen_write = false;
	unsigned int i;

	FZ_ASSERT(c->nbufs >= 1 && c->nbufs <= c->max);
	for (i = 0; i < c->nbufs; i++) {
		const struct vdev_vring_buf *b = &c->bufs[i];

		/* Device-readable buffers first. */
		FZ_ASSERT(b->write || !seen_write);
		seen_write |= b->write;
		if (b->len)
			FZ_ASSERT(fz_in_guest(b->gpa, b->len));
		if (b->write)
			inl += b->len;
		else
			out += b->len;
	}
	FZ_ASSERT(out == c->out_len && inl == c->in_len);
	FZ_ASSERT(out + inl <= U32_MAX);
}

/* Where the ring's next fetch is after a pop that took @ndesc slots. */
static void fz_check_advance(const struct vdev_vring *before,
			     const struct vdev_vring *vr, int ret, u16 ndesc)
{
	u32 slot;
	bool wrap;

	if (!vr->packed && before->next_resubmit < before->nr_resubmit) {
		/* A resubmitted chain: fetched again, the ring not moved. */
		FZ_ASSERT(vr->last_avail_idx == before->last_avail_idx);
		if (ret == 1 || ret == -EBADMSG)
			FZ_ASSERT(vr->next_resubmit == before->next_resubmit + 1);
		return;
	}
	if (!vr->packed) {
		if (ret == 1 || ret == -EBADMSG)
			FZ_ASSERT(vr->last_avail_idx ==
				  (u16)(before->last_avail_idx + 1));
		else
			FZ_ASSERT(vr->last_avail_idx == before->last_avail_idx);
		/* The driver's index never runs more than a ring ahead. */
		FZ_ASSERT((u16)(vr->avail_idx - vr->last_avail_idx) <= vr->num);
		return;
	}
	FZ_ASSERT(vr->last_avail_idx < vr->num);
	if (ret != 1 && ret != -EBADMSG) {
		FZ_ASSERT(vr->last_avail_idx == before->last_avail_idx &&
			  vr->avail_wrap == before->avail_wrap);
		return;
	}
	FZ_ASSERT(ndesc >= 1 && ndesc <= vr->num);
	slot = before->last_avail_idx + ndesc;
	wrap = before->avail_wrap;
	if (slot >= vr->num) {
		slot -= vr->num;
		wrap = !wrap;
	}
	FZ_ASSERT(vr->last_avail_idx == slot && vr->avail_wrap == wrap);
}

/*
 * The dirty log: the engine logs each ring write it made. The harness logs
 * the used area at its own address, so a logged range must be one the
 * device may write: the used area, or a packed ring's descriptors.
 */
static const struct vdev_vring *fz_log_ring;
static struct vdev_mem *const fz_log = (struct vdev_mem *)&fz_log_ring;

void vdev_log_mark(const struct vdev_mem *log, u64 gpa, u64 len)
{
	const struct vdev_vring *vr = fz_log_ring;
	u64 used_len = vr->packed ? 4 : 4 + 8ULL * vr->num + 2;

	FZ_ASSERT(log == fz_log && (len == 2 || len == 4));
	FZ_ASSERT(vdev_mem_check(vr->mem, gpa, len) == 0);
	if (gpa - vr->used < used_len)
		FZ_ASSERT(gpa - vr->used + len <= used_len);
	else
		FZ_ASSERT(vr->packed && gpa - vr->desc < 16ULL * vr->num &&
			  gpa - vr->desc + len <= 16ULL * vr->num);
}

/* Pop until the ring is empty or broken, giving every chain back. */
static void fz_run(struct vdev_vring *vr, unsigned int max, unsigned int pops)
{
	struct vdev_vring_chain c = { 0 };
	struct vdev_vring before;
	unsigned int i;
	int ret;

	c.bufs = malloc(max * sizeof(*c.bufs));	/* exact: ASan sees overruns */
	c.max = max;
	for (i = 0; i < pops; i++) {
		before = *vr;
		c.head.id = 0xffff;
		c.head.ndesc = 0;
		ret = vdev_vring_pop(vr, &c);
		FZ_ASSERT(ret == 1 || ret == 0 || ret == -EBADMSG ||
			  ret == -EPROTO || ret == -EFAULT || ret == -EIO);
		fz_check_advance(&before, vr, ret, c.head.ndesc);
		if (ret == 1)
			fz_check_chain(&c);
		if (ret == 1 || ret == -EBADMSG) {
			if (!vr->packed)
				FZ_ASSERT(c.head.id < vr->num && c.head.ndesc == 1);
			FZ_ASSERT(vdev_vring_push(vr, c.head,
						  ret == 1 ? c.in_len : 0) !=
				  -EINVAL);
			FZ_ASSERT(vr->used_idx < vr->num || !vr->packed);
			/* A batch of one: the event index paths see history. */
			ret = vdev_vring_need_signal(vr);
			FZ_ASSERT(ret == 0 || ret == 1 || ret == -EFAULT);
			continue;
		}
		if (ret == 0) {
			ret = vdev_vring_enable_notify(vr);
			FZ_ASSERT(ret == 0 || ret == 1 || ret == -EFAULT);
			ret = vdev_vring_disable_notify(vr);
			FZ_ASSERT(ret == 0 || ret == -EFAULT);
			if (!ret)
				continue;
		}
		break;
	}
	ret = vdev_vring_need_signal(vr);
	FZ_ASSERT(ret == 0 || ret == 1 || ret == -EFAULT);
	free(c.bufs);
}

/*
 * A region whose part the input wrote: what a start finds there is
 * checked and bounded, and the ring goes on from a consistent place.
 */
static void fz_track(struct vdev_vring *vr, u64 region)
{
	u8 *hdr = vdev_mem_ptr(fz_g.mem, region, VDEV_INFLIGHT_HDR_SIZE);
	u16 used = vr->used_idx, avail = vr->last_avail_idx;
	/* The version, at byte 8 of the part's header. */
	bool fresh = !IS_ERR(hdr) && !hdr[8] && !hdr[9];
	unsigned int i;
	int ret;

	ret = vdev_vring_inflight_start(vr, fz_g.mem, region);
	FZ_ASSERT(ret == 0 || ret == -EINVAL || ret == -EPROTO ||
		  ret == -EFAULT || ret == -EIO || ret == -ENOMEM);
	if (ret == -EINVAL)
		FZ_ASSERT(region % VDEV_INFLIGHT_ALIGN);
	if (ret) {
		FZ_ASSERT(!vr->inflight && !vr->nr_resubmit);
		return;
	}
	FZ_ASSERT(vr->inflight == fz_g.mem);
	/* Packed: a fresh part keeps the base, a used one its used slot. */
	if (vr->packed) {
		FZ_ASSERT(!vr->nr_resubmit && vr->used_idx < vr->num);
		if (fresh)
			FZ_ASSERT(vr->used_idx == used &&
				  vr->last_avail_idx == avail);
		else
			FZ_ASSERT(vr->last_avail_idx == vr->used_idx &&
				  vr->avail_wrap == vr->used_wrap);
		return;
	}
	FZ_ASSERT(vr->used_idx == used);
	FZ_ASSERT(vr->nr_resubmit <= vr->num && !vr->next_resubmit);
	/* A fresh part keeps the base; a used one goes on past what it had. */
	if (fresh)
		FZ_ASSERT(vr->last_avail_idx == avail && !vr->nr_resubmit);
	else
		FZ_ASSERT((u16)(vr->last_avail_idx - used) == vr->nr_resubmit);
	for (i = 0; i < vr->nr_resubmit; i++)
		FZ_ASSERT(vr->resubmit[i] < vr->num);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct vdev_vring vr;
	u8 cfg = fz_u8(&in);
	u16 num_raw = fz_u16(&in);
	u64 features = BIT_ULL(VIRTIO_F_VERSION_1), desc, avail, used;
	unsigned int num, max, pops;
	u64 region = 0;
	u32 base;

	if (cfg & 0x01)
		features |= BIT_ULL(VIRTIO_F_RING_PACKED);
	if (cfg & 0x02)
		features |= BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	if (cfg & 0x04)
		features |= BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC);
	num = cfg & 0x01 ? num_raw % 1024 + 1 : 1U << (num_raw % 11);
	fz_guest_build(&in);
	desc = fz_addr(&in);
	avail = fz_addr(&in);
	used = fz_addr(&in);
	base = fz_u32(&in);
	max = 1 + fz_u16(&in) % 1024;
	pops = fz_u8(&in);
	if (cfg & 0x08)
		region = fz_addr(&in);
	fz_guest_schedule(&in);
	fz_guest_fill(&in);

	if (vdev_vring_setup(&vr, fz_g.mem, features, num, desc, avail, used))
		goto out;
	FZ_ASSERT(vr.mem == fz_g.mem && vr.num == num && !vr.log);
	vr.log = fz_log;
	vr.log_used = used;
	fz_log_ring = &vr;
	if (!vdev_vring_set_base(&vr, base) && vr.packed)
		FZ_ASSERT(vdev_vring_get_base(&vr) == base);
	if (cfg & 0x08)
		fz_track(&vr, region);
	fz_run(&vr, max, pops);
	/* What GET_VRING_BASE reports, SET_VRING_BASE takes back. */
	base = vdev_vring_get_base(&vr);
	if (vr.packed) {
		FZ_ASSERT(vdev_vring_set_base(&vr, base) == 0);
		FZ_ASSERT(vdev_vring_get_base(&vr) == base);
	}
	vdev_vring_release(&vr);
out:
	fz_guest_free();
	return 0;
}
