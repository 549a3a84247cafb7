// SPDX-License-Identifier: GPL-2.0
/*
 * The guest memory table: each region's folios are pinned once with
 * memfd_pin_folios() and every guest address is translated through the
 * table with bounds checks. Guest memory is reached through the direct
 * map (folio_address()): highmem folios are refused when pinning.
 *
 * QEMU may punch holes in guest RAM (balloon, free-page reporting,
 * virtio-mem, postcopy). That is unsupported: the pinned folio of a hole
 * leaves the page cache (its mapping becomes NULL) while the guest gets a
 * new page, so every access checks the mapping and fails with -EIO rather
 * than touch an orphan. The check races with a hole punched right after
 * it; it catches a guest that keeps using a ballooned page, not a
 * malicious QEMU.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>

#include "vdev.h"
#include "mem.h"

/* A bio_vec length is an unsigned int: keep segments well below it. */
#define VDEV_MEM_SEG_MAX	BIT(31)

/* Is [start, start + len) free of wrap-around? @len is not 0. */
static bool vdev_mem_range_ok(u64 start, u64 len)
{
	return len - 1 <= U64_MAX - start;
}

static int vdev_mem_desc_check(const struct vdev_mem_desc *d, u64 max_mem)
{
	if (!d->file)
		return -EBADF;
	if (!shmem_file(d->file) && !is_file_hugepages(d->file))
		return -EINVAL;
	if (!d->size)
		return -EINVAL;
	if (!vdev_mem_range_ok(d->gpa, d->size) ||
	    !vdev_mem_range_ok(d->uva, d->size) ||
	    d->mmap_offset > LLONG_MAX || d->size > LLONG_MAX - d->mmap_offset)
		return -EOVERFLOW;
	if (d->size > max_mem)
		return -ENOSPC;
	if (d->mmap_offset + d->size > i_size_read(file_inode(d->file)))
		return -ENXIO;
	return 0;
}

/* The size of the file's folios as memfd_pin_folios() sees them, at least. */
static unsigned int vdev_mem_file_shift(struct file *file)
{
	if (is_file_hugepages(file))
		return huge_page_shift(hstate_file(file));
	return PAGE_SHIFT;
}

/*
 * Check what memfd_pin_folios() gave us and record how to find the folio
 * of an offset: a shift when the folios are all one size (hugetlbfs, and
 * shmem without large folios), else the end of each one.
 */
static int vdev_mem_region_layout(struct vdev_mem_region *r)
{
	size_t size0 = folio_size(r->folios[0]);
	bool uniform = true;
	unsigned int i;
	u64 end = 0;

	for (i = 0; i < r->nr_folios; i++) {
		if (folio_test_highmem(r->folios[i]))
			return -EOPNOTSUPP;
		if (folio_size(r->folios[i]) != size0)
			uniform = false;
		end += folio_size(r->folios[i]);
	}
	if (end < r->offset + r->size)
		return -EFAULT;	/* not the whole range: never expected */
	if (uniform) {
		r->folio_shift = folio_shift(r->folios[0]);
		return 0;
	}
	r->folio_end = kvmalloc_array(r->nr_folios, sizeof(*r->folio_end),
				      GFP_KERNEL_ACCOUNT);
	if (!r->folio_end)
		return -ENOMEM;
	for (end = 0, i = 0; i < r->nr_folios; i++) {
		end += folio_size(r->folios[i]);
		r->folio_end[i] = end;
	}
	return 0;
}

/*
 * Pinned pages count against the front end's locked_vm, as VFIO's do, so
 * they show as QEMU's VmLck. RLIMIT_MEMLOCK is enforced only if asked:
 * libvirt does not raise it for vhost-user guests.
 */
static int vdev_mem_charge(struct vdev_mem_region *r,
			   const struct vdev_mem_desc *d)
{
	unsigned long pages = DIV_ROUND_UP(d->size, PAGE_SIZE);
	int ret;

	if (!d->mm)
		return 0;
	if (!mmget_not_zero(d->mm))
		return -ESRCH;
	mmap_write_lock(d->mm);
	ret = __account_locked_vm(d->mm, pages, true, current,
				  !d->rlimit || capable(CAP_IPC_LOCK));
	mmap_write_unlock(d->mm);
	mmput(d->mm);
	if (ret)
		return ret;
	mmgrab(d->mm);
	r->mm = d->mm;
	r->locked = pages;
	return 0;
}

static void vdev_mem_uncharge(struct vdev_mem_region *r)
{
	struct mm_struct *mm = r->mm;

	if (!mm)
		return;
	/* A front end that has exited has nothing left to uncharge. */
	if (mmget_not_zero(mm)) {
		mmap_write_lock(mm);
		__account_locked_vm(mm, r->locked, false, current, true);
		mmap_write_unlock(mm);
		mmput(mm);
	}
	mmdrop(mm);
	r->mm = NULL;
}

/**
 * vdev_mem_region_pin - pin the folios of one guest memory region
 * @d: the region as vhost-user describes it
 * @max_mem: the controller's guest memory limit; a larger region is refused
 *
 * Missing folios of the file are allocated (shmem and hugetlbfs only). The
 * region starts with one reference. Pinning a large region takes a while.
 *
 * Return: the region, or ERR_PTR: -EBADF no file, -EINVAL a file that is
 * neither shmem nor hugetlbfs or a zero size, -EOVERFLOW a range that
 * wraps, -ENXIO a range beyond the end of the file, -ENOSPC more than
 * @max_mem, -EOPNOTSUPP highmem, -ENOMEM, or memfd_pin_folios()'s error.
 */
struct vdev_mem_region *vdev_mem_region_pin(const struct vdev_mem_desc *d,
					    u64 max_mem)
{
	struct vdev_mem_region *r;
	unsigned int shift;
	pgoff_t offset;
	u64 last, cap;
	long n;
	int ret;

	ret = vdev_mem_desc_check(d, max_mem);
	if (ret)
		return ERR_PTR(ret);
	shift = vdev_mem_file_shift(d->file);
	last = d->mmap_offset + d->size - 1;
	cap = (last >> shift) - (d->mmap_offset >> shift) + 1;
	if (cap > UINT_MAX)
		return ERR_PTR(-ENOSPC);

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	kref_init(&r->ref);
	r->gpa = d->gpa;
	r->uva = d->uva;
	r->size = d->size;
	r->folios = kvmalloc_array(cap, sizeof(*r->folios), GFP_KERNEL_ACCOUNT);
	if (!r->folios) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = vdev_mem_charge(r, d);
	if (ret)
		goto out_free_folios;
	n = memfd_pin_folios(d->file, d->mmap_offset, last, r->folios, cap,
			     &offset);
	if (n <= 0) {
		ret = n ? n : -EFAULT;
		goto out_uncharge;
	}
	r->nr_folios = n;
	r->offset = offset;
	ret = vdev_mem_region_layout(r);
	if (ret)
		goto out_unpin;
	r->mmap_offset = d->mmap_offset;
	r->file = get_file(d->file);
	return r;

out_unpin:
	unpin_folios(r->folios, r->nr_folios);
out_uncharge:
	vdev_mem_uncharge(r);
out_free_folios:
	kvfree(r->folios);
out_free:
	kfree(r);
	return ERR_PTR(ret);
}

static void vdev_mem_region_release(struct kref *ref)
{
	struct vdev_mem_region *r = container_of(ref, struct vdev_mem_region,
						 ref);

	unpin_folios(r->folios, r->nr_folios);
	vdev_mem_uncharge(r);
	fput(r->file);
	kvfree(r->folio_end);
	kvfree(r->folios);
	kfree(r);
}

/**
 * vdev_mem_region_same - is @d the region @r was pinned from?
 * @r: a pinned region
 * @d: a region as vhost-user describes it again
 *
 * QEMU resends whole tables; an identical region is reused, not pinned
 * twice.
 */
bool vdev_mem_region_same(const struct vdev_mem_region *r,
			  const struct vdev_mem_desc *d)
{
	return r->gpa == d->gpa && r->size == d->size && r->uva == d->uva &&
	       r->mmap_offset == d->mmap_offset && d->file &&
	       file_inode(r->file) == file_inode(d->file);
}

/**
 * vdev_mem_region_put - drop a reference; the last one unpins
 * @r: the region
 *
 * Process context: unpinning a large region takes a while.
 */
void vdev_mem_region_put(struct vdev_mem_region *r)
{
	might_sleep();
	kref_put(&r->ref, vdev_mem_region_release);
}

/**
 * vdev_mem_region_folio - the folio holding a byte of a region
 * @r: the region
 * @off: offset in the region, below @r->size
 * @folio_off: set to the offset of that byte in the folio
 */
VISIBLE_IF_KUNIT struct folio *
vdev_mem_region_folio(const struct vdev_mem_region *r, u64 off,
		      size_t *folio_off)
{
	u64 pos = r->offset + off;
	unsigned int lo = 0, hi = r->nr_folios - 1, mid;

	if (!r->folio_end) {
		*folio_off = pos & ((1ULL << r->folio_shift) - 1);
		return r->folios[pos >> r->folio_shift];
	}
	/* The first folio that ends after @pos. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->folio_end[mid] <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	*folio_off = pos - (lo ? r->folio_end[lo - 1] : 0);
	return r->folios[lo];
}

static int vdev_mem_cmp_gpa(const void *a, const void *b)
{
	const struct vdev_mem_region *ra = *(struct vdev_mem_region *const *)a;
	const struct vdev_mem_region *rb = *(struct vdev_mem_region *const *)b;

	if (ra->gpa == rb->gpa)
		return 0;
	return ra->gpa < rb->gpa ? -1 : 1;
}

static bool vdev_mem_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	/* Neither range wraps (vdev_mem_desc_check). */
	return a <= b + (blen - 1) && b <= a + (alen - 1);
}

/* @mem->regions sorted by gpa: no overlap in GPA or UVA, total in budget. */
static int vdev_mem_validate(struct vdev_mem *mem, u64 max_mem)
{
	const struct vdev_mem_region *a, *b;
	unsigned int i, j;

	for (i = 0; i < mem->nr; i++) {
		a = mem->regions[i];
		for (j = i + 1; j < mem->nr; j++) {
			b = mem->regions[j];
			if (vdev_mem_overlap(a->gpa, a->size, b->gpa, b->size) ||
			    vdev_mem_overlap(a->uva, a->size, b->uva, b->size))
				return -EINVAL;
		}
		if (check_add_overflow(mem->total, a->size, &mem->total) ||
		    mem->total > max_mem)
			return -ENOSPC;
	}
	return 0;
}

/*
 * Tables are freed here, after an RCU grace period: module exit drains it
 * (vdev_mem_exit), which system_wq would not allow.
 */
static struct workqueue_struct *vdev_mem_wq;

static void vdev_mem_free_work(struct work_struct *work)
{
	struct vdev_mem *mem = container_of(to_rcu_work(work), struct vdev_mem,
					    free_work);
	unsigned int i;

	for (i = 0; i < mem->nr; i++)
		vdev_mem_region_put(mem->regions[i]);
	kfree(mem);
}

/**
 * vdev_mem_create - build a guest memory table from pinned regions
 * @regions: the regions, in any order; the table takes its own references
 * @nr: entries in @regions (0 makes an empty table)
 * @max_mem: most bytes the regions may hold together
 *
 * Return: the table with one reference, or ERR_PTR: -E2BIG more than
 * VDEV_MEM_MAX_REGIONS, -EINVAL two regions overlap in GPA or UVA space,
 * -ENOSPC more than @max_mem in all, -ENOMEM.
 */
struct vdev_mem *vdev_mem_create(struct vdev_mem_region *const *regions,
				 unsigned int nr, u64 max_mem)
{
	struct vdev_mem *mem;
	unsigned int i;
	int ret;

	if (nr > VDEV_MEM_MAX_REGIONS)
		return ERR_PTR(-E2BIG);
	mem = kzalloc(struct_size(mem, regions, nr), GFP_KERNEL_ACCOUNT);
	if (!mem)
		return ERR_PTR(-ENOMEM);
	mem->nr = nr;
	memcpy(mem->regions, regions, flex_array_size(mem, regions, nr));
	sort(mem->regions, nr, sizeof(*mem->regions), vdev_mem_cmp_gpa, NULL);
	ret = vdev_mem_validate(mem, max_mem);
	if (ret) {
		kfree(mem);
		return ERR_PTR(ret);
	}
	for (i = 0; i < nr; i++)
		kref_get(&mem->regions[i]->ref);
	kref_init(&mem->ref);
	INIT_RCU_WORK(&mem->free_work, vdev_mem_free_work);
	return mem;
}

void vdev_mem_get(struct vdev_mem *mem)
{
	kref_get(&mem->ref);
}

static void vdev_mem_release(struct kref *ref)
{
	struct vdev_mem *mem = container_of(ref, struct vdev_mem, ref);

	queue_rcu_work(vdev_mem_wq, &mem->free_work);
}

/**
 * vdev_mem_put - drop a reference to a table
 * @mem: the table
 *
 * Any context (a bio's end_io): the last put unpins from a work item once
 * an RCU grace period has passed.
 */
void vdev_mem_put(struct vdev_mem *mem)
{
	kref_put(&mem->ref, vdev_mem_release);
}

/* The region that holds @gpa, or NULL. */
static const struct vdev_mem_region *
vdev_mem_lookup(const struct vdev_mem *mem, u64 gpa)
{
	const struct vdev_mem_region *r;
	unsigned int lo = 0, hi = mem->nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = mem->regions[mid];
		if (gpa < r->gpa)
			hi = mid;
		else if (gpa - r->gpa >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/**
 * vdev_mem_find - the one region holding a whole guest range
 * @mem: the table
 * @gpa: guest-physical start
 * @len: bytes; 0 finds nothing
 * @off: set to the offset of @gpa in the region
 *
 * Return: the region, or NULL when some byte of the range is outside it.
 */
const struct vdev_mem_region *vdev_mem_find(const struct vdev_mem *mem,
					    u64 gpa, u64 len, u64 *off)
{
	const struct vdev_mem_region *r = vdev_mem_lookup(mem, gpa);

	if (!r || !len)
		return NULL;
	*off = gpa - r->gpa;
	if (len > r->size - *off)
		return NULL;
	return r;
}

/**
 * vdev_mem_check - is every byte of a guest range in the table?
 * @mem: the table
 * @gpa: guest-physical start
 * @len: bytes
 *
 * The range may run across regions that are contiguous in GPA space.
 *
 * Return: 0, -EINVAL for a zero @len, -EFAULT for a byte outside the table
 * or a range that wraps.
 */
int vdev_mem_check(const struct vdev_mem *mem, u64 gpa, u64 len)
{
	const struct vdev_mem_region *r;
	u64 n;

	if (!len)
		return -EINVAL;
	if (!vdev_mem_range_ok(gpa, len))
		return -EFAULT;
	while (len) {
		r = vdev_mem_lookup(mem, gpa);
		if (!r)
			return -EFAULT;
		n = min(len, r->size - (gpa - r->gpa));
		gpa += n;
		len -= n;
	}
	return 0;
}

/**
 * vdev_mem_uva_to_gpa - translate a QEMU-virtual range
 * @mem: the table
 * @uva: start in QEMU's address space
 * @len: bytes, all in one region
 * @gpa: set to the guest-physical address of @uva
 *
 * Return: 0, -EINVAL for a zero @len, -EFAULT when not in one region.
 */
int vdev_mem_uva_to_gpa(const struct vdev_mem *mem, u64 uva, u64 len,
			u64 *gpa)
{
	const struct vdev_mem_region *r;
	unsigned int i;
	u64 off;

	if (!len)
		return -EINVAL;
	for (i = 0; i < mem->nr; i++) {
		r = mem->regions[i];
		if (uva < r->uva || uva - r->uva >= r->size)
			continue;
		off = uva - r->uva;
		if (len > r->size - off)
			return -EFAULT;
		*gpa = r->gpa + off;
		return 0;
	}
	return -EFAULT;
}

/**
 * vdev_mem_page_gpa - the guest address of a byte of a pinned guest page
 * @mem: the table the page was found through
 * @page: the page, as a bio carries it
 * @offset: the byte, within @page
 * @gpa: set to its guest-physical address
 *
 * The reverse of translation, for the dirty log: the page's folio is found
 * in a region by its file and its offset in the file (both shmem and, since
 * 6.7, hugetlbfs index folios in PAGE_SIZE units). When two regions map
 * the same part of a file, the first is named.
 *
 * Return: 0, or -ENOENT for a page that is no guest memory of @mem (a
 * bounce page) or that left its file.
 */
int vdev_mem_page_gpa(const struct vdev_mem *mem, struct page *page,
		      unsigned int offset, u64 *gpa)
{
	struct folio *folio = page_folio(page);
	struct address_space *mapping = READ_ONCE(folio->mapping);
	const struct vdev_mem_region *r;
	unsigned int i;
	u64 pos;

	if (!mapping || folio_test_anon(folio))
		return -ENOENT;
	pos = folio_pos(folio) + folio_page_idx(folio, page) * PAGE_SIZE +
	      offset;
	for (i = 0; i < mem->nr; i++) {
		r = mem->regions[i];
		if (r->file->f_mapping != mapping || pos < r->mmap_offset ||
		    pos - r->mmap_offset >= r->size)
			continue;
		*gpa = r->gpa + (pos - r->mmap_offset);
		return 0;
	}
	return -ENOENT;
}

/* The folio holding @off of @r; -EIO when it left the file (a hole). */
static struct folio *vdev_mem_folio(const struct vdev_mem_region *r, u64 off,
				    size_t *folio_off)
{
	struct folio *folio = vdev_mem_region_folio(r, off, folio_off);

	if (!READ_ONCE(folio->mapping))
		return ERR_PTR(-EIO);
	return folio;
}

/**
 * vdev_mem_ptr - a kernel pointer to a small guest object
 * @mem: the table
 * @gpa: guest-physical start
 * @len: bytes; the object must lie in one folio
 *
 * For ring fields, which the virtio alignment rules keep within a page.
 * The pointer is good while the table is (RCU read section or reference).
 *
 * Return: the pointer, or ERR_PTR: -EFAULT outside the table, zero @len or
 * across a folio boundary, -EIO a folio punched out of the file.
 */
void *vdev_mem_ptr(const struct vdev_mem *mem, u64 gpa, u64 len)
{
	const struct vdev_mem_region *r;
	struct folio *folio;
	size_t foff;
	u64 off;

	r = vdev_mem_find(mem, gpa, len, &off);
	if (!r)
		return ERR_PTR(-EFAULT);
	folio = vdev_mem_folio(r, off, &foff);
	if (IS_ERR(folio))
		return folio;
	if (len > folio_size(folio) - foff)
		return ERR_PTR(-EFAULT);
	return folio_address(folio) + foff;
}

static int vdev_mem_copy(const struct vdev_mem *mem, u64 gpa, void *buf,
			 size_t len, bool to_guest)
{
	const struct vdev_mem_region *r;
	struct folio *folio;
	size_t foff, n;
	void *p;

	if (!len)
		return 0;
	if (!vdev_mem_range_ok(gpa, len))
		return -EFAULT;
	while (len) {
		r = vdev_mem_lookup(mem, gpa);
		if (!r)
			return -EFAULT;
		folio = vdev_mem_folio(r, gpa - r->gpa, &foff);
		if (IS_ERR(folio))
			return PTR_ERR(folio);
		n = min3(len, r->size - (gpa - r->gpa), folio_size(folio) - foff);
		p = folio_address(folio) + foff;
		if (to_guest)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		buf += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

/**
 * vdev_mem_read - copy bytes out of guest memory
 * @mem: the table
 * @gpa: guest-physical start
 * @buf: destination
 * @len: bytes; 0 copies nothing and succeeds
 *
 * The range may cross folios and regions contiguous in GPA space. On an
 * error part of @buf may have been written.
 *
 * Return: 0, -EFAULT a byte outside the table or a range that wraps, -EIO
 * a folio punched out of the file.
 */
int vdev_mem_read(const struct vdev_mem *mem, u64 gpa, void *buf, size_t len)
{
	return vdev_mem_copy(mem, gpa, buf, len, false);
}

/**
 * vdev_mem_write - copy bytes into guest memory
 * @mem: the table
 * @gpa: guest-physical start
 * @buf: source
 * @len: bytes; 0 copies nothing and succeeds
 *
 * As vdev_mem_read(); on an error part of the range may have been written.
 */
int vdev_mem_write(const struct vdev_mem *mem, u64 gpa, const void *buf,
		   size_t len)
{
	return vdev_mem_copy(mem, gpa, (void *)buf, len, true);
}

/**
 * vdev_mem_iter_init - start walking a guest buffer
 * @it: the iterator
 * @mem: the table, alive until the walk ends
 * @gpa: guest-physical start
 * @len: bytes
 *
 * Return: 0, -EINVAL for a zero @len, -EFAULT for a range that wraps.
 */
int vdev_mem_iter_init(struct vdev_mem_iter *it, const struct vdev_mem *mem,
		       u64 gpa, u64 len)
{
	if (!len)
		return -EINVAL;
	if (!vdev_mem_range_ok(gpa, len))
		return -EFAULT;
	it->mem = mem;
	it->gpa = gpa;
	it->left = len;
	return 0;
}

/**
 * vdev_mem_iter_next - the next piece of a guest buffer
 * @it: the iterator
 * @seg: set to the piece: within one folio, at most 2 GiB
 *
 * A buffer continues into the next region when that one is contiguous in
 * GPA space. Pieces are as large as the folios: the bio builder splits
 * them further for the queue's segment limits.
 *
 * Return: 1 with @seg set, 0 at the end, -EFAULT when the buffer leaves the
 * table, -EIO for a folio punched out of the file.
 */
int vdev_mem_iter_next(struct vdev_mem_iter *it, struct vdev_mem_seg *seg)
{
	const struct vdev_mem_region *r;
	struct folio *folio;
	size_t foff;
	u64 n;

	if (!it->left)
		return 0;
	r = vdev_mem_lookup(it->mem, it->gpa);
	if (!r)
		return -EFAULT;
	folio = vdev_mem_folio(r, it->gpa - r->gpa, &foff);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	n = min3(it->left, r->size - (it->gpa - r->gpa), folio_size(folio) - foff);
	n = min_t(u64, n, VDEV_MEM_SEG_MAX);
	seg->page = folio_page(folio, foff >> PAGE_SHIFT);
	seg->offset = offset_in_page(foff);
	seg->len = n;
	it->gpa += n;
	it->left -= n;
	return 1;
}

int vdev_mem_init(void)
{
	vdev_mem_wq = alloc_workqueue("vdev_mem", WQ_UNBOUND, 0);
	return vdev_mem_wq ? 0 : -ENOMEM;
}

/* Wait for every pending free: the RCU callbacks queue them, then drain. */
void vdev_mem_exit(void)
{
	rcu_barrier();
	destroy_workqueue(vdev_mem_wq);
}
