/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest memory table: guest RAM as pinned folios of the memfd or
 * hugetlbfs files QEMU maps, and translation of guest-physical (GPA) and
 * QEMU-virtual (UVA) addresses into them.
 */
#ifndef _VDEV_MEM_H
#define _VDEV_MEM_H

#include <linux/kref.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct file;
struct folio;
struct page;

/* Regions in one table: what libvhost-user backends report as max slots. */
#define VDEV_MEM_MAX_REGIONS	32

/**
 * struct vdev_mem_desc - one region as vhost-user describes it
 * @gpa: guest-physical start
 * @size: length in bytes
 * @uva: start in QEMU's address space
 * @mmap_offset: where the region starts in @file
 * @file: the memfd or hugetlbfs file backing it
 * @mm: whose locked_vm the pinned pages are charged to; NULL: nobody's
 * @rlimit: refuse a charge beyond RLIMIT_MEMLOCK (VFIO's rule)
 */
struct vdev_mem_desc {
	u64 gpa;
	u64 size;
	u64 uva;
	u64 mmap_offset;
	struct file *file;
	struct mm_struct *mm;
	bool rlimit;
};

/**
 * struct vdev_mem_region - a guest memory region, its folios pinned
 * @ref: a region is shared by the tables that hold it (an ADD_MEM_REG
 *	builds a new table without pinning the old regions again)
 * @gpa: guest-physical start
 * @uva: start in QEMU's address space
 * @size: length in bytes, never 0; neither range wraps
 * @folios: the pinned folios of the backing file, in file order (kvmalloc)
 * @folio_end: NULL when every folio is 1 << @folio_shift bytes; otherwise
 *	the end of each folio, in bytes from the start of @folios[0] (kvmalloc)
 * @nr_folios: entries in @folios
 * @folio_shift: log2 of the folio size when they are all one size
 * @offset: where the region starts within @folios[0]
 * @mmap_offset: where the region starts in its file
 * @file: the backing file (a reference): closing it in QEMU must not
 *	evict the inode and empty the mapping under pinned folios
 * @mm: charged for @locked pages (mmgrab), or NULL
 * @locked: pages charged to @mm's locked_vm
 */
struct vdev_mem_region {
	struct kref ref;
	u64 gpa;
	u64 uva;
	u64 size;
	struct folio **folios;
	u64 *folio_end;
	unsigned int nr_folios;
	unsigned int folio_shift;
	size_t offset;
	u64 mmap_offset;
	struct file *file;
	struct mm_struct *mm;
	unsigned long locked;
};

/**
 * struct vdev_mem - a guest memory table
 * @ref: holders of the table (a queue's pointer, bios in flight)
 * @free_work: unpins after an RCU grace period, in process context
 * @total: bytes in all regions
 * @nr: entries in @regions
 * @regions: sorted by gpa; no two overlap in GPA or in UVA space
 *
 * A table never changes once built: a new memory layout is a new table,
 * published with rcu_assign_pointer(). Readers translate under
 * rcu_read_lock() or hold a reference (vdev_mem_get()); the last put
 * unpins only after a grace period, so an RCU reader never sees a freed
 * page. Whatever keeps guest pages beyond its RCU read section (a bio in
 * flight) must hold a reference.
 */
struct vdev_mem {
	struct kref ref;
	struct rcu_work free_work;
	u64 total;
	unsigned int nr;
	struct vdev_mem_region *regions[] __counted_by(nr);
};

/**
 * struct vdev_mem_seg - a piece of a guest buffer within one folio
 * @page: the page the piece starts in (the following pages of the folio
 *	are contiguous with it)
 * @offset: start within @page
 * @len: bytes, up to the end of the folio
 */
struct vdev_mem_seg {
	struct page *page;
	unsigned int offset;
	unsigned int len;
};

/**
 * struct vdev_mem_iter - walks a guest buffer folio by folio
 * @mem: the table (the caller keeps it alive)
 * @gpa: next guest-physical address
 * @left: bytes still to yield
 */
struct vdev_mem_iter {
	const struct vdev_mem *mem;
	u64 gpa;
	u64 left;
};

struct vdev_mem_region *vdev_mem_region_pin(const struct vdev_mem_desc *d,
					    u64 max_mem);
void vdev_mem_region_put(struct vdev_mem_region *r);
bool vdev_mem_region_same(const struct vdev_mem_region *r,
			  const struct vdev_mem_desc *d);

struct vdev_mem *vdev_mem_create(struct vdev_mem_region *const *regions,
				 unsigned int nr, u64 max_mem);
int vdev_mem_init(void);
void vdev_mem_exit(void);
void vdev_mem_get(struct vdev_mem *mem);
void vdev_mem_put(struct vdev_mem *mem);

const struct vdev_mem_region *vdev_mem_find(const struct vdev_mem *mem,
					    u64 gpa, u64 len, u64 *off);
int vdev_mem_check(const struct vdev_mem *mem, u64 gpa, u64 len);
int vdev_mem_uva_to_gpa(const struct vdev_mem *mem, u64 uva, u64 len,
			u64 *gpa);
void *vdev_mem_ptr(const struct vdev_mem *mem, u64 gpa, u64 len);
int vdev_mem_read(const struct vdev_mem *mem, u64 gpa, void *buf, size_t len);
int vdev_mem_write(const struct vdev_mem *mem, u64 gpa, const void *buf,
		   size_t len);

int vdev_mem_page_gpa(const struct vdev_mem *mem, struct page *page,
		      unsigned int offset, u64 *gpa);

int vdev_mem_iter_init(struct vdev_mem_iter *it, const struct vdev_mem *mem,
		       u64 gpa, u64 len);
int vdev_mem_iter_next(struct vdev_mem_iter *it, struct vdev_mem_seg *seg);

/* dirty_log.c: one bit per 4 KiB guest page, as QEMU's vhost log */
#define VDEV_LOG_PAGE_SHIFT	12
/* The largest log: 8 TiB of guest-physical addresses. */
#define VDEV_LOG_MAX_SIZE	(256ULL << 20)

struct bio;

struct vdev_mem *vdev_log_create(struct file *file, u64 size, u64 offset,
				 struct mm_struct *mm);
void vdev_log_mark(const struct vdev_mem *log, u64 gpa, u64 len);
void vdev_log_bio(const struct vdev_mem *log, const struct vdev_mem *mem,
		  struct bio *bio);

#if IS_ENABLED(CONFIG_KUNIT)
struct folio *vdev_mem_region_folio(const struct vdev_mem_region *r, u64 off,
				    size_t *folio_off);
#endif

#endif /* _VDEV_MEM_H */
