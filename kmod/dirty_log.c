// SPDX-License-Identifier: GPL-2.0
/*
 * The dirty log of live migration (VHOST_F_LOG_ALL with
 * VHOST_USER_PROTOCOL_F_LOG_SHMFD): a bitmap in a memfd QEMU shares, one
 * bit per 4 KiB page of guest-physical memory, in the host's unsigned
 * longs as QEMU reads them. While QEMU copies guest RAM to the
 * destination, every write vdev makes into guest memory sets its pages'
 * bits, so that QEMU sends those pages again.
 *
 * The log is pinned like guest memory: it is a memory table of one
 * region at address 0, so it shares the table's pinning, charging,
 * bounds checks and RCU-deferred unpinning.
 */
#include <linux/atomic.h>
#include <linux/bio.h>
#include <linux/bitops.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sizes.h>

#include "vdev.h"
#include "mem.h"

/**
 * vdev_log_create - pin a dirty log
 * @file: the memfd QEMU sent
 * @size: bytes of bitmap
 * @offset: where the bitmap starts in @file
 * @mm: whose locked_vm the pinned pages are charged to, or NULL
 *
 * Return: the log (a table with one reference), or ERR_PTR: -EINVAL a zero
 * size, a size or offset that is not a whole number of words, or a file
 * that is neither shmem nor hugetlbfs; -E2BIG over VDEV_LOG_MAX_SIZE; or
 * as vdev_mem_region_pin().
 */
struct vdev_mem *vdev_log_create(struct file *file, u64 size, u64 offset,
				 struct mm_struct *mm)
{
	struct vdev_mem_desc d = {
		.size = size,
		.mmap_offset = offset,
		.file = file,
		.mm = mm,
	};
	struct vdev_mem_region *r;
	struct vdev_mem *log;

	if (!size || !IS_ALIGNED(size, sizeof(long)) ||
	    !IS_ALIGNED(offset, sizeof(long)))
		return ERR_PTR(-EINVAL);
	if (size > VDEV_LOG_MAX_SIZE)
		return ERR_PTR(-E2BIG);
	r = vdev_mem_region_pin(&d, VDEV_LOG_MAX_SIZE);
	if (IS_ERR(r))
		return ERR_CAST(r);
	log = vdev_mem_create(&r, 1, VDEV_LOG_MAX_SIZE);
	vdev_mem_region_put(r);
	return log;
}

/* Set the bits of @nr pages from @page on, all in one word of the log. */
static int vdev_log_set(const struct vdev_mem *log, u64 page, unsigned int nr)
{
	unsigned int bit = page % BITS_PER_LONG;
	unsigned long mask = GENMASK(bit + nr - 1, bit);
	unsigned long *word;

	word = vdev_mem_ptr(log, page / BITS_PER_LONG * sizeof(long),
			    sizeof(long));
	if (IS_ERR(word))
		return PTR_ERR(word);
	/* QEMU clears bits with an atomic exchange while we set them. */
	if ((READ_ONCE(*word) & mask) != mask)
		atomic_long_or(mask, (atomic_long_t *)word);
	return 0;
}

/**
 * vdev_log_mark - log a write into guest memory
 * @log: the dirty log
 * @gpa: guest-physical start of what was written
 * @len: bytes written
 *
 * Call it after the write, with the write ordered before (smp_wmb()), and
 * before the used entry that hands the buffer back is published. Any
 * context. A page beyond the end of the log is not logged, and said: the
 * front end sized its log for less memory than it gave us.
 */
void vdev_log_mark(const struct vdev_mem *log, u64 gpa, u64 len)
{
	u64 page, last;
	unsigned int nr;

	if (!len)
		return;
	page = gpa >> VDEV_LOG_PAGE_SHIFT;
	if (len - 1 > U64_MAX - gpa)
		last = U64_MAX >> VDEV_LOG_PAGE_SHIFT;
	else
		last = (gpa + len - 1) >> VDEV_LOG_PAGE_SHIFT;
	while (page <= last) {
		nr = min_t(u64, BITS_PER_LONG - page % BITS_PER_LONG,
			   last - page + 1);
		if (vdev_log_set(log, page, nr)) {
			pr_warn_ratelimited("vdev: guest page 0x%llx is beyond the dirty log: not logged\n",
					    page);
			return;
		}
		page += nr;
		if (!page)
			return;
	}
}

/**
 * vdev_log_bio - log what a read bio wrote into guest memory
 * @log: the dirty log
 * @mem: the memory table the bio's guest pages were translated with
 * @bio: a completed bio of ours (not a clone)
 *
 * The bio knows pages, not guest addresses: each page is found in the
 * table by the file offset of its folio. Pages that are no guest memory
 * (bounce pages) are skipped.
 */
void vdev_log_bio(const struct vdev_mem *log, const struct vdev_mem *mem,
		  struct bio *bio)
{
	struct bvec_iter_all iter;
	struct bio_vec *bv;
	u64 gpa;

	bio_for_each_segment_all(bv, bio, iter)
		if (!vdev_mem_page_gpa(mem, bv->bv_page, bv->bv_offset, &gpa))
			vdev_log_mark(log, gpa, bv->bv_len);
}
