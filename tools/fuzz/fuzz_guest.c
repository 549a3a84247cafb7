// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_guest: guest memory as the input lays it out, in place of
 * kmod/mem.c; see fuzz_guest.h.
 */
#include <stdlib.h>

#include <linux/minmax.h>

#include "fuzz_guest.h"

/* --- the guest memory table: a flat stand-in for kmod/mem.c -------------- */

struct fz_guest fz_g;

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

/* The host byte of guest-physical @gpa, which is guest memory. */
static u8 *fz_gpa_byte(u64 gpa)
{
	const struct vdev_mem_region *r;
	unsigned int i;

	for (i = 0; i < fz_g.mem->nr; i++) {
		r = fz_g.mem->regions[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return fz_g.host[i] + (gpa - r->gpa);
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

/* --- the harness's side ---------------------------------------------------- */

bool fz_in_guest(u64 gpa, u64 len)
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

void fz_guest_build(struct fz_in *in)
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

void fz_guest_schedule(struct fz_in *in)
{
	unsigned int i;

	fz_g.nwrites = fz_u8(in) % (FZ_MAX_WRITES + 1);
	for (i = 0; i < fz_g.nwrites; i++) {
		fz_g.writes[i].access = fz_u16(in);
		fz_g.writes[i].offset = fz_u32(in);
		fz_g.writes[i].value = fz_u8(in);
	}
}

void fz_guest_fill(struct fz_in *in)
{
	unsigned int i;

	for (i = 0; i < fz_g.mem->nr; i++)
		fz_bytes(in, fz_g.host[i], fz_g.mem->regions[i]->size);
}

void fz_guest_free(void)
{
	unsigned int i;

	for (i = 0; i < fz_g.mem->nr; i++) {
		free(fz_g.host[i]);
		free(fz_g.mem->regions[i]);
	}
	free(fz_g.mem);
	memset(&fz_g, 0, sizeof(fz_g));
}

/*
 * The harness's own read of guest memory: no access of the code under
 * test, so no scheduled write fires. Return: 0, or -EFAULT when any byte
 * is not guest memory.
 */
int fz_guest_peek(u64 gpa, void *buf, size_t len)
{
	u8 *dst = buf;
	size_t i;

	if (!fz_in_guest(gpa, len))
		return -EFAULT;
	for (i = 0; i < len; i++)
		dst[i] = *fz_gpa_byte(gpa + i);
	return 0;
}
