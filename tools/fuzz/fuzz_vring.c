// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_vring: kmod/vring.c, the virtqueue engine, built for userspace and
 * run over guest memory that the input lays out and fills. The guest
 * memory table is a flat stand-in for kmod/mem.c (below): each region is
 * its own heap buffer of exactly its size, so a ring access that strays
 * out of guest memory is an AddressSanitizer report. The guest may also
 * write its memory while the engine reads it: the input schedules byte
 * writes at numbered memory accesses, as a racing driver would make them.
 *
 * Input:
 *   u8 cfg		bit 0 packed, 1 EVENT_IDX, 2 INDIRECT_DESC
 *   u16 num		split: 1 << (num % 11); packed: num % 1024 + 1
 *   u8 nregions	1 + nregions % FZ_REGIONS
 *   per region: u8 gap, u8 pages	placed after the previous region,
 *			gap % 4 pages of hole between (0: contiguous),
 *			1 + pages % FZ_REGION_PAGES pages long
 *   3 x (u8 region, u16 offset)	desc, avail, used: region start +
 *			offset (misaligned or outside ones are setup errors)
 *   u32 base		vdev_vring_set_base()
 *   u16 chain_max	1 + chain_max % 1024 buffers per chain
 *   u8 pops		at most this many vdev_vring_pop() calls
 *   u8 nwrites, then per write: u16 access, u32 offset, u8 value
 *			the guest writes value at offset (into all guest
 *			memory, regions end to end) before memory access
 *			number access
 *   the rest		guest memory contents, regions end to end
 */
#include <stdlib.h>

#include <linux/bits.h>
#include <linux/minmax.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_ring.h>

#include "../../kmod/mem.h"
#include "../../kmod/vring.h"
#include "fuzz_input.h"

#define FZ_REGIONS		4
#define FZ_REGION_PAGES		8
#define FZ_PAGE			4096ULL
#define FZ_BASE_GPA		0x100000ULL
#define FZ_MAX_WRITES		64

/* --- the guest memory table: a flat stand-in for kmod/mem.c -------------- */

struct fz_guest {
	struct vdev_mem *mem;
	u8 *host[FZ_REGIONS];		/* region i's bytes, exactly its size */
	u64 total;
	unsigned long accesses;
	unsigned int nwrites;
	struct {
		u16 access;
		u32 offset;
		u8 value;
	} writes[FZ_MAX_WRITES];
};

static struct fz_guest fz_g;

static u8 *fz_host_byte(u64 flat)
{
	const struct vdev_mem_region *r;
	unsigned int i;

	for (i = 0; i < fz_g.mem->nr; i++) {
		r = fz_g.mem->regions[i];
		if (flat < r->size)
			return fz_g.host[i] + flat;
		flat -= r->size;
	}
	return NULL;
}

/* Every memory access is one step of the guest's schedule of writes. */
static void fz_guest_step(void)
{
	unsigned int i;
	u8 *p;

	fz_g.accesses++;
	for (i = 0; i < fz_g.nwrites; i++) {
		if (fz_g.writes[i].access != fz_g.accesses)
			continue;
		p = fz_host_byte(fz_g.writes[i].offset % fz_g.total);
		*p = fz_g.writes[i].value;
	}
}

/* The region holding @gpa, and its index, or NULL. */
static const struct vdev_mem_region *fz_lookup(const struct vdev_mem *mem,
					       u64 gpa, unsigned int *idx)
{
	const struct vdev_mem_region *r;
	unsigned int i;

	for (i = 0; i < mem->nr; i++) {
		r = mem->regions[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size) {
			*idx = i;
			return r;
		}
	}
	return NULL;
}

/* As kmod/mem.c: every byte in the table, across contiguous regions. */
int vdev_mem_check(const struct vdev_mem *mem, u64 gpa, u64 len)
{
	const struct vdev_mem_region *r;
	unsigned int i;
	u64 n;

	FZ_ASSERT(mem == fz_g.mem);
	if (!len)
		return -EINVAL;
	if (len - 1 > U64_MAX - gpa)
		return -EFAULT;
	while (len) {
		r = fz_lookup(mem, gpa, &i);
		if (!r)
			return -EFAULT;
		n = min_t(u64, len, r->size - (gpa - r->gpa));
		gpa += n;
		len -= n;
	}
	return 0;
}

/* As kmod/mem.c: in one region and one folio (a page here). */
void *vdev_mem_ptr(const struct vdev_mem *mem, u64 gpa, u64 len)
{
	const struct vdev_mem_region *r;
	unsigned int i;
	u64 off;

	FZ_ASSERT(mem == fz_g.mem);
	fz_guest_step();
	r = fz_lookup(mem, gpa, &i);
	if (!r || !len)
		return ERR_PTR(-EFAULT);
	off = gpa - r->gpa;
	if (len > r->size - off || len > FZ_PAGE - off % FZ_PAGE)
		return ERR_PTR(-EFAULT);
	return fz_g.host[i] + off;
}

static int fz_copy(const struct vdev_mem *mem, u64 gpa, void *buf,
		   size_t len, bool to_guest)
{
	const struct vdev_mem_region *r;
	unsigned int i;
	size_t n;
	u8 *p;

	FZ_ASSERT(mem == fz_g.mem);
	fz_guest_step();
	if (!len)
		return 0;
	if (len - 1 > U64_MAX - gpa)
		return -EFAULT;
	while (len) {
		r = fz_lookup(mem, gpa, &i);
		if (!r)
			return -EFAULT;
		n = min_t(u64, len, r->size - (gpa - r->gpa));
		p = fz_g.host[i] + (gpa - r->gpa);
		if (to_guest)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		buf = (u8 *)buf + n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int vdev_mem_read(const struct vdev_mem *mem, u64 gpa, void *buf, size_t len)
{
	return fz_copy(mem, gpa, buf, len, false);
}

int vdev_mem_write(const struct vdev_mem *mem, u64 gpa, const void *buf,
		   size_t len)
{
	return fz_copy(mem, gpa, (void *)buf, len, true);
}

/* --- the harness ---------------------------------------------------------- */

/* The harness's own view: is [gpa, gpa + len) guest memory? */
static bool fz_in_guest(u64 gpa, u64 len)
{
	const struct vdev_mem_region *r;
	unsigned int i;
	u64 end = gpa + len;

	if (end < gpa)
		return false;
	while (gpa < end) {
		r = fz_lookup(fz_g.mem, gpa, &i);
		if (!r)
			return false;
		gpa = r->gpa + r->size;
	}
	return true;
}

static void fz_guest_build(struct fz_in *in)
{
	unsigned int nr = 1 + fz_u8(in) % FZ_REGIONS, i;
	u64 gpa = FZ_BASE_GPA;
	struct vdev_mem_region *r;

	fz_g.mem = calloc(1, sizeof(*fz_g.mem) + nr * sizeof(r));
	fz_g.mem->nr = nr;
	fz_g.total = 0;
	for (i = 0; i < nr; i++) {
		r = calloc(1, sizeof(*r));
		gpa += (fz_u8(in) % 4) * FZ_PAGE;
		r->gpa = gpa;
		r->size = (1 + fz_u8(in) % FZ_REGION_PAGES) * FZ_PAGE;
		r->uva = 0x7f0000000000ULL + gpa;
		gpa += r->size;
		fz_g.mem->regions[i] = r;
		fz_g.host[i] = calloc(1, r->size);
		fz_g.total += r->size;
	}
	fz_g.mem->total = fz_g.total;
}

static void fz_guest_fill(struct fz_in *in)
{
	unsigned int i;

	for (i = 0; i < fz_g.mem->nr; i++)
		fz_bytes(in, fz_g.host[i], fz_g.mem->regions[i]->size);
}

static void fz_guest_free(void)
{
	unsigned int i;

	for (i = 0; i < fz_g.mem->nr; i++) {
		free(fz_g.host[i]);
		free(fz_g.mem->regions[i]);
	}
	free(fz_g.mem);
	memset(&fz_g, 0, sizeof(fz_g));
}

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct vdev_vring vr;
	u8 cfg = fz_u8(&in);
	u16 num_raw = fz_u16(&in);
	u64 features = BIT_ULL(VIRTIO_F_VERSION_1), desc, avail, used;
	unsigned int num, max, pops, i;
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
	fz_g.nwrites = fz_u8(&in) % (FZ_MAX_WRITES + 1);
	for (i = 0; i < fz_g.nwrites; i++) {
		fz_g.writes[i].access = fz_u16(&in);
		fz_g.writes[i].offset = fz_u32(&in);
		fz_g.writes[i].value = fz_u8(&in);
	}
	fz_guest_fill(&in);

	if (vdev_vring_setup(&vr, fz_g.mem, features, num, desc, avail, used))
		goto out;
	FZ_ASSERT(vr.mem == fz_g.mem && vr.num == num && !vr.log);
	vr.log = fz_log;
	vr.log_used = used;
	fz_log_ring = &vr;
	if (!vdev_vring_set_base(&vr, base) && vr.packed)
		FZ_ASSERT(vdev_vring_get_base(&vr) == base);
	fz_run(&vr, max, pops);
	/* What GET_VRING_BASE reports, SET_VRING_BASE takes back. */
	base = vdev_vring_get_base(&vr);
	if (vr.packed) {
		FZ_ASSERT(vdev_vring_set_base(&vr, base) == 0);
		FZ_ASSERT(vdev_vring_get_base(&vr) == base);
	}
out:
	fz_guest_free();
	return 0;
}
