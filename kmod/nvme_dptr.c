// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe data pointers (base specification 2.0, 4.1.1 and 4.1.2): the guest
 * buffers of a command, from its PRP entries or its SGL.
 *
 * PRP (Physical Region Page) entries: PRP1 points at the first byte and
 * may start anywhere in a memory page, on a dword; every further page is
 * one page-aligned entry. When the data ends in the page after PRP1's,
 * PRP2 is that page; otherwise PRP2 points at a PRP list, an array of
 * entries that may start mid-page, whose last slot in each page, when more
 * entries are needed than fit, points at the next list page.
 *
 * SGL (Scatter Gather List): the command holds one 16-byte descriptor:
 * a Data Block (an address and a length, neither aligned), or a Segment
 * or Last Segment descriptor pointing at an array of descriptors in guest
 * memory. A segment's last descriptor may point at the next segment; the
 * one a Last Segment descriptor points at holds data descriptors only.
 *
 * Entries, lists and descriptors are all written by the guest, which may
 * be buggy or hostile and may rewrite them while the walk reads them. So
 * the walker never dereferences a guest pointer: it copies each list and
 * segment out of the DMA map with vdev_mem_read() and then uses only the
 * copy, checks every data range against the map before it yields it,
 * bounds its work by the transfer length (PRP) or a descriptor count (SGL)
 * so that lists pointing back at themselves end, and writes nothing to
 * the guest. Failures are NVMe status codes for the completion entry,
 * never errnos: the guest is the one to be told.
 */
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/minmax.h>

#include "mem.h"
#include "nvme_dptr.h"

/* The smallest memory page size, CC.MPS 0. */
#define VDEV_NVME_MIN_PAGE	4096

/* PRP list entries copied from guest memory at a time, on the stack. */
#define VDEV_NVME_PRP_BATCH	32
/* SGL descriptors copied from guest memory at a time, on the stack. */
#define VDEV_NVME_SGL_BATCH	16

/* Descriptor type bytes: the type in the high nibble, the subtype low. */
#define VDEV_NVME_SGL_ID(type)	((type) << 4 | NVME_SGL_FMT_ADDRESS)
#define VDEV_NVME_SGL_DATA	VDEV_NVME_SGL_ID(NVME_SGL_FMT_DATA_DESC)
#define VDEV_NVME_SGL_SEG	VDEV_NVME_SGL_ID(NVME_SGL_FMT_SEG_DESC)
#define VDEV_NVME_SGL_LAST	VDEV_NVME_SGL_ID(NVME_SGL_FMT_LAST_SEG_DESC)

/*
 * No room in @segs during a PRP walk. The host did nothing wrong: any
 * layout of pages is a valid PRP list, and a controller that sizes @segs
 * for MDTS never gets here. So not "Invalid Field in Command", which says
 * the command is malformed, but "Data Transfer Error": the controller
 * could not move the data.
 */
#define VDEV_NVME_PRP_FULL	NVME_SC_DATA_XFER_ERROR
/*
 * No room in @segs during an SGL walk: the spec has "Invalid Number of SGL
 * Descriptors" for an SGL with more descriptors than a controller takes.
 */
#define VDEV_NVME_SGL_FULL	NVME_SC_SGL_INVALID_COUNT

/**
 * struct vdev_nvme_sgl - the state of an SGL walk
 * @d: the walk's limits and result
 * @left: bytes the SGL has yet to describe
 * @budget: descriptors it may still make the walker read
 */
struct vdev_nvme_sgl {
	struct vdev_nvme_dptr *d;
	u32 left;
	u32 budget;
};

/* Start a walk: forget an earlier result, refuse a transfer above MDTS. */
static u16 vdev_nvme_dptr_start(struct vdev_nvme_dptr *d, u32 len)
{
	d->nsegs = 0;
	d->len = 0;
	/*
	 * The spec's answer to a transfer above MDTS is "Invalid Field in
	 * Command"; it needs no guest memory, so it comes first.
	 */
	if (d->max_len && len > d->max_len)
		return NVME_SC_INVALID_FIELD;
	return NVME_SC_SUCCESS;
}

/* End a walk: a failed one covers nothing. */
static u16 vdev_nvme_dptr_end(struct vdev_nvme_dptr *d, u16 status)
{
	if (status) {
		d->nsegs = 0;
		d->len = 0;
	}
	return status;
}

/*
 * Append @len (> 0) bytes at @gpa, merged into the last segment when they
 * continue it; @full is the status when a new segment finds no room.
 * Callers never append more than the transfer's u32 length in all, so no
 * length here overflows.
 */
static u16 vdev_nvme_dptr_add(struct vdev_nvme_dptr *d, u64 gpa, u32 len,
			      u16 full)
{
	struct vdev_nvme_seg *s;

	if (vdev_mem_check(d->mem, gpa, len))
		return NVME_SC_DATA_XFER_ERROR;
	s = d->nsegs ? &d->segs[d->nsegs - 1] : NULL;
	/* Not s->gpa + s->len == gpa: that wraps at the top of GPA space. */
	if (s && gpa > s->gpa && gpa - s->gpa == s->len) {
		s->len += len;
	} else {
		if (d->nsegs == d->max_segs)
			return full;
		s = &d->segs[d->nsegs++];
		s->gpa = gpa;
		s->len = len;
	}
	d->len += len;
	return NVME_SC_SUCCESS;
}

/* --- PRP ---------------------------------------------------------------- */

/* Every PRP entry but PRP1 names a whole page: its offset must be 0. */
static bool vdev_nvme_prp_aligned(const struct vdev_nvme_dptr *d, u64 prp)
{
	return !(prp & (d->page_size - 1));
}

/* The data page PRP entry @prp names: up to a page of the *@left bytes. */
static u16 vdev_nvme_prp_data(struct vdev_nvme_dptr *d, u64 prp, u32 *left)
{
	u32 len = min(*left, d->page_size);
	u16 status;

	if (!vdev_nvme_prp_aligned(d, prp))
		return NVME_SC_PRP_INVALID_OFFSET;
	status = vdev_nvme_dptr_add(d, prp, len, VDEV_NVME_PRP_FULL);
	if (!status)
		*left -= len;
	return status;
}

/*
 * Use the PRP list page at *@list, from there to the end of its page, for
 * the next *@left bytes. Its last slot points at the next list page when
 * more entries are needed than the page has room for, and only then: a
 * list that ends in its last slot holds data there. A chained page sets
 * *@list.
 */
static u16 vdev_nvme_prp_list_page(struct vdev_nvme_dptr *d, u64 *list,
				   u32 *left)
{
	u32 room = (d->page_size - (*list & (d->page_size - 1))) / 8;
	u64 need = DIV_ROUND_UP((u64)*left, d->page_size);
	bool chain = need > room;
	u32 nr = chain ? room : need;
	__le64 buf[VDEV_NVME_PRP_BATCH];
	u32 i, j, n;
	u64 prp;
	u16 status;

	for (i = 0; i < nr; i += n) {
		n = min(nr - i, VDEV_NVME_PRP_BATCH);
		if (vdev_mem_read(d->mem, *list + i * sizeof(*buf), buf,
				  n * sizeof(*buf)))
			return NVME_SC_DATA_XFER_ERROR;
		for (j = 0; j < n; j++) {
			prp = le64_to_cpu(buf[j]);
			if (chain && i + j == room - 1) {
				if (!vdev_nvme_prp_aligned(d, prp))
					return NVME_SC_PRP_INVALID_OFFSET;
				*list = prp;
				return NVME_SC_SUCCESS;
			}
			status = vdev_nvme_prp_data(d, prp, left);
			if (status)
				return status;
		}
	}
	return NVME_SC_SUCCESS;
}

/* The @left bytes after PRP1's page: in PRP2's page, or in a PRP list. */
static u16 vdev_nvme_prp_rest(struct vdev_nvme_dptr *d, u64 prp2, u32 left)
{
	u16 status = NVME_SC_SUCCESS;

	if (left <= d->page_size)
		return vdev_nvme_prp_data(d, prp2, &left);
	/* The list pointer may start mid-page, but on a qword. */
	if (prp2 & 7)
		return NVME_SC_PRP_INVALID_OFFSET;
	/*
	 * Each list page but the first starts at its page's start (its
	 * pointer is an entry, page aligned), so it holds page_size / 8 - 1
	 * data entries before the next chain: whatever the lists point at,
	 * the walk reads about len / page_size entries and then ends.
	 */
	while (left && !status)
		status = vdev_nvme_prp_list_page(d, &prp2, &left);
	return status;
}

/**
 * vdev_nvme_prp_walk - the guest buffers of a command's PRP entries
 * @d: the DMA map and limits; receives the segments
 * @prp1: the command's PRP entry 1
 * @prp2: its PRP entry 2, a data page or a PRP list pointer (ignored when
 *	the data ends in PRP1's page)
 * @len: bytes the command transfers; 0 uses no PRP
 *
 * Return: 0 with @d->segs covering @len bytes in transfer order, or an
 * NVMe status with @d->nsegs and @d->len 0: Invalid Field in Command (@len
 * above MDTS), PRP Offset Invalid (PRP1 not on a dword, a later entry not
 * page aligned, a list pointer not on a qword), Data Transfer Error (a
 * list or data page outside the DMA map, @d->segs too short).
 */
u16 vdev_nvme_prp_walk(struct vdev_nvme_dptr *d, u64 prp1, u64 prp2, u32 len)
{
	u32 first;
	u16 status;

	status = vdev_nvme_dptr_start(d, len);
	if (status || !len)
		return vdev_nvme_dptr_end(d, status);
	/* CC.EN checks CC.MPS: anything else is the caller's bug. */
	if (WARN_ON_ONCE(!is_power_of_2(d->page_size) ||
			 d->page_size < VDEV_NVME_MIN_PAGE))
		return vdev_nvme_dptr_end(d, NVME_SC_INTERNAL);
	if (prp1 & 3)
		return vdev_nvme_dptr_end(d, NVME_SC_PRP_INVALID_OFFSET);
	first = d->page_size - (prp1 & (d->page_size - 1));
	first = min(first, len);
	status = vdev_nvme_dptr_add(d, prp1, first, VDEV_NVME_PRP_FULL);
	if (!status && len > first)
		status = vdev_nvme_prp_rest(d, prp2, len - first);
	return vdev_nvme_dptr_end(d, status);
}

/* --- SGL ---------------------------------------------------------------- */

static bool vdev_nvme_sgl_is_seg(const struct nvme_sgl_desc *desc)
{
	return desc->type == VDEV_NVME_SGL_SEG ||
	       desc->type == VDEV_NVME_SGL_LAST;
}

/* A Data Block descriptor: its bytes come next in the transfer. */
static u16 vdev_nvme_sgl_data(struct vdev_nvme_sgl *w,
			      const struct nvme_sgl_desc *desc)
{
	u32 len = le32_to_cpu(desc->length);
	u16 status;

	/* It moves nothing, so its address does not matter. */
	if (!len)
		return NVME_SC_SUCCESS;
	/*
	 * An SGL longer than the transfer is allowed only to controllers
	 * that say so in Identify's SGLS field (the excess is discarded).
	 * We don't: too long is as invalid as too short, and simpler.
	 */
	if (len > w->left)
		return NVME_SC_SGL_INVALID_DATA;
	status = vdev_nvme_dptr_add(w->d, le64_to_cpu(desc->addr), len,
				    VDEV_NVME_SGL_FULL);
	if (!status)
		w->left -= len;
	return status;
}

/* A descriptor inside a segment, but for a pointer to the next segment. */
static u16 vdev_nvme_sgl_entry(struct vdev_nvme_sgl *w,
			       const struct nvme_sgl_desc *desc)
{
	if (desc->type == VDEV_NVME_SGL_DATA)
		return vdev_nvme_sgl_data(w, desc);
	/*
	 * "SGL Segment Descriptor Invalid": a segment pointer anywhere but
	 * in the last slot, or in the segment a Last Segment points at.
	 */
	if (vdev_nvme_sgl_is_seg(desc))
		return NVME_SC_SGL_INVALID_LAST;
	/* Bit Bucket, Keyed, Transport, other subtypes: none offered. */
	return NVME_SC_SGL_INVALID_TYPE;
}

/*
 * Copy the segment *@seg points at out of guest memory and take its
 * descriptors. When its last one points at a further segment (only a
 * Segment's may: a Last Segment's is the end), *@seg becomes that pointer
 * and *@more is set.
 */
static u16 vdev_nvme_sgl_segment(struct vdev_nvme_sgl *w,
				 struct nvme_sgl_desc *seg, bool *more)
{
	struct nvme_sgl_desc buf[VDEV_NVME_SGL_BATCH];
	u64 addr = le64_to_cpu(seg->addr);
	u32 len = le32_to_cpu(seg->length);
	bool last = seg->type == VDEV_NVME_SGL_LAST;
	u32 nr = len / sizeof(*buf), i, j, n;
	u16 status;

	*more = false;
	/*
	 * "SGL Segment Descriptor Invalid" is the spec's status for a
	 * segment length of 0 or not a multiple of 16; a segment must also
	 * be qword aligned, and the spec's other candidate, "SGL Offset
	 * Invalid", is about the Offset subtype of in-capsule data.
	 */
	if (!len || len % sizeof(*buf) || addr & 7)
		return NVME_SC_SGL_INVALID_LAST;
	/* Refused before it is read: a huge segment costs nothing. */
	if (nr > w->budget)
		return NVME_SC_SGL_INVALID_COUNT;
	w->budget -= nr;
	if (vdev_mem_check(w->d->mem, addr, len))
		return NVME_SC_DATA_XFER_ERROR;
	for (i = 0; i < nr; i += n) {
		n = min(nr - i, VDEV_NVME_SGL_BATCH);
		if (vdev_mem_read(w->d->mem, addr + i * sizeof(*buf), buf,
				  n * sizeof(*buf)))
			return NVME_SC_DATA_XFER_ERROR;
		for (j = 0; j < n; j++) {
			if (!last && i + j == nr - 1 &&
			    vdev_nvme_sgl_is_seg(&buf[j])) {
				*seg = buf[j];
				*more = true;
				break;
			}
			status = vdev_nvme_sgl_entry(w, &buf[j]);
			if (status)
				return status;
		}
	}
	return NVME_SC_SUCCESS;
}

/**
 * vdev_nvme_sgl_walk - the guest buffers of a command's SGL
 * @d: the DMA map and limits; receives the segments
 * @sgl: the command's SGL descriptor (DPTR), in memory the guest cannot
 *	change under the walk
 * @len: bytes the command transfers; 0 ignores @sgl
 *
 * Data Block, Segment and Last Segment descriptors of the Address subtype
 * only. A Segment whose last descriptor is a Data Block ends the SGL, as
 * a Last Segment's would. Zero-length Data Blocks are skipped, but every
 * descriptor read counts toward %VDEV_NVME_SGL_MAX_DESC.
 *
 * Return: 0 with @d->segs covering @len bytes in transfer order, or an
 * NVMe status with @d->nsegs and @d->len 0: Invalid Field in Command (@len
 * above MDTS), SGL Descriptor Type Invalid (another type or subtype), SGL
 * Segment Descriptor Invalid (a segment pointer not last in its segment or
 * in a Last Segment, a segment empty, not a multiple of 16 bytes or not
 * qword aligned), Invalid Number of SGL Descriptors (more than
 * %VDEV_NVME_SGL_MAX_DESC read, @d->segs too short), Data SGL Length
 * Invalid (data shorter or longer than @len), Data Transfer Error (a
 * segment or data block outside the DMA map).
 */
u16 vdev_nvme_sgl_walk(struct vdev_nvme_dptr *d,
		       const struct nvme_sgl_desc *sgl, u32 len)
{
	struct vdev_nvme_sgl w = {
		.d = d,
		.left = len,
		.budget = VDEV_NVME_SGL_MAX_DESC,
	};
	struct nvme_sgl_desc desc = *sgl;
	bool more = true;
	u16 status;

	status = vdev_nvme_dptr_start(d, len);
	if (status || !len)
		return vdev_nvme_dptr_end(d, status);
	if (desc.type == VDEV_NVME_SGL_DATA) {
		status = vdev_nvme_sgl_data(&w, &desc);
	} else if (vdev_nvme_sgl_is_seg(&desc)) {
		/* Each segment spends budget: the chain ends. */
		while (more && !status)
			status = vdev_nvme_sgl_segment(&w, &desc, &more);
	} else {
		status = NVME_SC_SGL_INVALID_TYPE;
	}
	if (!status && w.left)
		status = NVME_SC_SGL_INVALID_DATA;
	return vdev_nvme_dptr_end(d, status);
}
