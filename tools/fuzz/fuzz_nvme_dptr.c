// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_nvme_dptr: kmod/nvme_dptr.c, the walk of an NVMe command's PRP
 * entries or SGL into guest buffers, built for userspace and run over
 * guest memory that the input lays out and fills (fuzz_guest.c: each
 * region its own exact heap buffer, so a read outside guest memory is an
 * AddressSanitizer report; the guest may rewrite PRP lists and SGL
 * segments between the walker's reads). The segment array is allocated
 * to exactly max_segs entries for the same reason.
 *
 * Input:
 *   u8 cfg		bit 0 SGL (else PRP); bits 3:1 CC.MPS, % 5: the page
 *			size is 4096 << MPS, as nvme_regs.c allows
 *   the regions	fz_guest_build() (fuzz_guest.h)
 *   u32 max_len	MDTS in bytes; 0: no limit
 *   u16 max_segs	1 + max_segs % FZ_MAX_SEGS entries in the array
 *   u32 len		the transfer length
 *   u64 dptr[2]	the command's data pointer: PRP1 and PRP2, or the
 *			16-byte SGL descriptor
 *   the writes		fz_guest_schedule()
 *   the rest		fz_guest_fill(): guest memory contents
 *
 * Checked beyond memory safety: a failed walk covers nothing; a
 * successful one covers exactly the transfer, in at most max_segs
 * segments of guest memory, within MDTS; PRP entries after the first
 * name whole pages; the walk does bounded work (so a list or segment
 * chain pointing back at itself ends); statuses are those the walker
 * documents. While the guest does not race it, a PRP walk gives the
 * very segments the specification's rules give (fz_prp_model()).
 */
#include <stdlib.h>

#include <linux/math.h>
#include <linux/minmax.h>

#include "../../kmod/nvme_dptr.h"
#include "fuzz_guest.h"

/* The controller's array has 256 (VDEV_NVME_MAX_SEGS); try beyond it. */
#define FZ_MAX_SEGS		1024
/* SGL descriptor type bytes: Address subtype (0h) in the low nibble. */
#define FZ_SGL_DATA		(NVME_SGL_FMT_DATA_DESC << 4)
#define FZ_SGL_SEG		(NVME_SGL_FMT_SEG_DESC << 4)
#define FZ_SGL_LAST		(NVME_SGL_FMT_LAST_SEG_DESC << 4)

struct fz_case {
	bool sgl;
	u64 prp1, prp2;
	struct nvme_sgl_desc desc;
	u32 len;
};

/* Segments as the walker merges them: contiguous neighbours become one. */
struct fz_segs {
	struct vdev_nvme_seg *s;
	unsigned int n, max;
	bool full;
};

static void fz_segs_add(struct fz_segs *l, u64 gpa, u32 len)
{
	struct vdev_nvme_seg *p = l->n ? &l->s[l->n - 1] : NULL;

	if (p && gpa > p->gpa && gpa - p->gpa == p->len) {
		p->len += len;
		return;
	}
	if (l->n == l->max) {
		l->full = true;
		return;
	}
	l->s[l->n++] = (struct vdev_nvme_seg){ gpa, len };
}

/* One data page of the model, @len bytes of it at @gpa; false: invalid. */
static bool fz_prp_page(struct fz_segs *l, u64 gpa, u32 len, u32 ps,
			bool first)
{
	if ((!first && (gpa & (ps - 1))) || !fz_in_guest(gpa, len))
		return false;
	fz_segs_add(l, gpa, len);
	return true;
}

/*
 * The PRP rules of the specification (Base 2.0, 4.1.1), read straight
 * from guest memory: PRP1 anywhere on a dword; then PRP2 a page when one
 * more page ends the data, else a PRP list pointer (on a qword) whose
 * entries name pages and whose last slot in a list page, when more
 * entries are needed than are left in it, points at the next list page.
 * Return: true when the PRPs are valid and lie in guest memory.
 */
static bool fz_prp_model(const struct fz_case *fc, u32 ps, struct fz_segs *l)
{
	u32 left = fc->len, n = min(ps - (u32)(fc->prp1 & (ps - 1)), left);
	u64 list = fc->prp2, e;
	u32 slot, room;

	if ((fc->prp1 & 3) || !fz_prp_page(l, fc->prp1, n, ps, true))
		return false;
	left -= n;
	if (left && left <= ps)
		return fz_prp_page(l, fc->prp2, left, ps, false);
	if (left && (list & 7))
		return false;
	while (left && !l->full) {
		room = (ps - (list & (ps - 1))) / 8;
		for (slot = 0; slot < room && left; slot++) {
			if (fz_guest_peek(list + slot * 8, &e, 8))
				return false;
			if (slot == room - 1 && left > ps) {
				if (e & (ps - 1))
					return false;
				list = e;
				break;
			}
			n = min(left, ps);
			if (!fz_prp_page(l, e, n, ps, false))
				return false;
			left -= n;
		}
	}
	return true;
}

/* What the model says of the walk, when nothing raced it. */
static void fz_check_prp_model(const struct fz_case *fc,
			       const struct vdev_nvme_dptr *d, u16 status)
{
	struct fz_segs l = { .max = d->max_segs };
	unsigned int i;
	bool valid;

	l.s = calloc(l.max, sizeof(*l.s));
	valid = fz_prp_model(fc, d->page_size, &l);
	if (!valid || l.full) {
		FZ_ASSERT(status);
	} else {
		FZ_ASSERT(!status && d->nsegs == l.n);
		for (i = 0; i < l.n; i++)
			FZ_ASSERT(d->segs[i].gpa == l.s[i].gpa &&
				  d->segs[i].len == l.s[i].len);
	}
	free(l.s);
}

/* A PRP walk's segments: PRP1's first, every later one page aligned. */
static void fz_check_prp_shape(const struct fz_case *fc,
			       const struct vdev_nvme_dptr *d)
{
	u32 ps = d->page_size;
	unsigned int i;

	FZ_ASSERT(!(fc->prp1 & 3) && d->segs[0].gpa == fc->prp1);
	for (i = 0; i < d->nsegs; i++) {
		if (i)
			FZ_ASSERT(!(d->segs[i].gpa & (ps - 1)));
		/* Only the last page of the transfer ends mid-page. */
		if (i + 1 < d->nsegs)
			FZ_ASSERT(!((d->segs[i].gpa + d->segs[i].len) & (ps - 1)));
	}
}

static bool fz_status_ok(bool sgl, u16 status)
{
	switch (status) {
	case NVME_SC_SUCCESS:
	case NVME_SC_INVALID_FIELD:
	case NVME_SC_DATA_XFER_ERROR:
		return true;
	case NVME_SC_PRP_INVALID_OFFSET:
		return !sgl;
	case NVME_SC_SGL_INVALID_TYPE:
	case NVME_SC_SGL_INVALID_LAST:
	case NVME_SC_SGL_INVALID_COUNT:
	case NVME_SC_SGL_INVALID_DATA:
		return sgl;
	}
	return false;
}

/*
 * Work done: PRP, each entry read consumes a page of the transfer or
 * chains to a list page that then holds at least page / 8 - 1 data
 * entries; SGL, at most VDEV_NVME_SGL_MAX_DESC descriptors, each read at
 * least once per batch. Beyond these the walk is not ending.
 */
static void fz_check_work(const struct fz_case *fc,
			  const struct vdev_nvme_dptr *d, unsigned long reads)
{
	u64 pages = DIV_ROUND_UP((u64)fc->len, d->page_size);

	if (fc->sgl)
		FZ_ASSERT(reads <= VDEV_NVME_SGL_MAX_DESC + 1);
	else
		FZ_ASSERT(reads <= 2 * pages + 2);
}

static void fz_check(const struct fz_case *fc, const struct vdev_nvme_dptr *d,
		     u16 status, unsigned long reads)
{
	u64 total = 0;
	unsigned int i;

	FZ_ASSERT(fz_status_ok(fc->sgl, status));
	fz_check_work(fc, d, reads);
	if (d->max_len && fc->len > d->max_len)
		FZ_ASSERT(status == NVME_SC_INVALID_FIELD);
	if (status) {
		FZ_ASSERT(d->nsegs == 0 && d->len == 0);
		return;
	}
	FZ_ASSERT(d->len == fc->len && d->nsegs <= d->max_segs);
	FZ_ASSERT(!fc->len == !d->nsegs);
	for (i = 0; i < d->nsegs; i++) {
		FZ_ASSERT(d->segs[i].len);
		FZ_ASSERT(fz_in_guest(d->segs[i].gpa, d->segs[i].len));
		total += d->segs[i].len;
	}
	FZ_ASSERT(total == fc->len);
	if (!fc->sgl && fc->len)
		fz_check_prp_shape(fc, d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	u8 cfg = fz_u8(&in);
	struct vdev_nvme_dptr d = { .page_size = 4096U << ((cfg >> 1) % 5) };
	struct fz_case fc = { .sgl = cfg & 1 };
	unsigned long reads;
	u16 status;

	fz_guest_build(&in);
	d.mem = fz_g.mem;
	d.max_len = fz_u32(&in);
	d.max_segs = 1 + fz_u16(&in) % FZ_MAX_SEGS;
	fc.len = fz_u32(&in);
	fz_bytes(&in, &fc.desc, sizeof(fc.desc));
	memcpy(&fc.prp1, &fc.desc, 8);
	memcpy(&fc.prp2, (u8 *)&fc.desc + 8, 8);
	fz_guest_schedule(&in);
	fz_guest_fill(&in);
	d.segs = malloc(d.max_segs * sizeof(*d.segs));	/* exact, for ASan */
	/* A stale result must not survive the walk. */
	d.nsegs = d.max_segs;
	d.len = 1;

	if (fc.sgl)
		status = vdev_nvme_sgl_walk(&d, &fc.desc, fc.len);
	else
		status = vdev_nvme_prp_walk(&d, fc.prp1, fc.prp2, fc.len);
	reads = fz_g.accesses;
	fz_check(&fc, &d, status, reads);
	/* The model reads memory as it is now: only if nothing raced. */
	if (!fc.sgl && !fz_g.nwrites && fc.len &&
	    (!d.max_len || fc.len <= d.max_len))
		fz_check_prp_model(&fc, &d, status);

	free(d.segs);
	fz_guest_free();
	return 0;
}
