// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the guest memory table, on real shmem files pinned with
 * memfd_pin_folios().
 */
#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/bio.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "vdev.h"
#include "mem.h"

#define PG		PAGE_SIZE
#define TOP		(U64_MAX - PG + 1)	/* the last page of GPA space */
#define NO_MAX		U64_MAX

KUNIT_DEFINE_ACTION_WRAPPER(vdev_mem_test_fput, fput, struct file *);
KUNIT_DEFINE_ACTION_WRAPPER(vdev_mem_test_put, vdev_mem_put,
			    struct vdev_mem *);
KUNIT_DEFINE_ACTION_WRAPPER(vdev_mem_test_region_put, vdev_mem_region_put,
			    struct vdev_mem_region *);

static struct file *vdev_mem_test_file(struct kunit *test, loff_t size)
{
	struct file *file;

	file = shmem_file_setup("vdev-kunit", size, VM_NORESERVE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							vdev_mem_test_fput,
							file), 0);
	return file;
}

static struct vdev_mem_region *vdev_mem_test_pin(struct kunit *test,
						 const struct vdev_mem_desc *d)
{
	struct vdev_mem_region *r = vdev_mem_region_pin(d, NO_MAX);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(r), "pin: %ld", PTR_ERR(r));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							vdev_mem_test_region_put,
							r), 0);
	return r;
}

static struct vdev_mem *vdev_mem_test_create(struct kunit *test,
					     struct vdev_mem_region **r,
					     unsigned int nr)
{
	struct vdev_mem *mem = vdev_mem_create(r, nr, NO_MAX);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mem), "create: %ld", PTR_ERR(mem));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vdev_mem_test_put,
							mem), 0);
	return mem;
}

/*
 * The standard layout, on one 8-page file:
 *   A  gpa 0x10000, 4 pages, file pages 1-4
 *   B  gpa 0x14000 (right after A), 2 pages, file pages 5-6
 *   C  gpa 0x100000, 1 page, file page 0
 *   T  the last page of GPA space, file page 7
 */
#define A_GPA		0x10000ULL
#define B_GPA		(A_GPA + 4 * PG)
#define C_GPA		0x100000ULL
#define A_UVA		0x7f0000010000ULL
#define B_UVA		0x7f0000100000ULL

static const struct vdev_mem_desc vdev_mem_layout[] = {
	{ .gpa = A_GPA, .size = 4 * PG, .uva = A_UVA, .mmap_offset = PG },
	{ .gpa = B_GPA, .size = 2 * PG, .uva = B_UVA, .mmap_offset = 5 * PG },
	{ .gpa = C_GPA, .size = PG, .uva = 0x7f0000200000, .mmap_offset = 0 },
	{ .gpa = TOP, .size = PG, .uva = 0x7f0000300000, .mmap_offset = 7 * PG },
};

struct vdev_mem_fixture {
	struct file *file;
	struct vdev_mem_region *r[ARRAY_SIZE(vdev_mem_layout)];
	struct vdev_mem *mem;
};

static void vdev_mem_test_layout(struct kunit *test, struct vdev_mem_fixture *f)
{
	struct vdev_mem_desc d;
	unsigned int i;

	f->file = vdev_mem_test_file(test, 8 * PG);
	for (i = 0; i < ARRAY_SIZE(vdev_mem_layout); i++) {
		d = vdev_mem_layout[i];
		d.file = f->file;
		f->r[i] = vdev_mem_test_pin(test, &d);
	}
	/* Given out of order: the table sorts them. */
	swap(f->r[0], f->r[3]);
	f->mem = vdev_mem_test_create(test, f->r, ARRAY_SIZE(f->r));
	swap(f->r[0], f->r[3]);
}

/* Pinning one region: what is checked before anything is pinned. */
struct vdev_pin_case {
	const char *desc;
	loff_t file_size;	/* 0: no file; -1: not a shmem file */
	struct vdev_mem_desc d;
	u64 max_mem;
	int ret;
};

static const struct vdev_pin_case vdev_pin_cases[] = {
	{ "whole file", 4 * PG, { 0, 4 * PG, 0x1000 }, NO_MAX, 0 },
	{ "middle of file", 4 * PG, { 0, PG, 0x1000, 2 * PG }, NO_MAX, 0 },
	{ "unaligned offset", 4 * PG, { 0, PG, 0x1000, 100 }, NO_MAX, 0 },
	{ "exactly max_mem", 4 * PG, { 0, 2 * PG, 0 }, 2 * PG, 0 },
	{ "size 0", 4 * PG, { 0, 0, 0x1000 }, NO_MAX, -EINVAL },
	{ "gpa wraps", 4 * PG, { TOP + 1, PG, 0 }, NO_MAX, -EOVERFLOW },
	{ "gpa ends at 2^64", 4 * PG, { TOP, PG, 0 }, NO_MAX, 0 },
	{ "uva wraps", 4 * PG, { 0, 2 * PG, TOP }, NO_MAX, -EOVERFLOW },
	{ "offset + size wraps", 4 * PG, { 0, PG, 0, U64_MAX - 10 }, NO_MAX,
	  -EOVERFLOW },
	{ "offset above LLONG_MAX", 4 * PG, { 0, PG, 0, (u64)LLONG_MAX + 1 },
	  NO_MAX, -EOVERFLOW },
	{ "beyond i_size", 4 * PG, { 0, 4 * PG, 0, 1 }, NO_MAX, -ENXIO },
	{ "offset at i_size", 4 * PG, { 0, 1, 0, 4 * PG }, NO_MAX, -ENXIO },
	{ "above max_mem", 4 * PG, { 0, 4 * PG, 0 }, 4 * PG - 1, -ENOSPC },
	{ "no file", 0, { 0, PG, 0 }, NO_MAX, -EBADF },
	{ "not shmem", -1, { 0, PG, 0 }, NO_MAX, -EINVAL },
};

static void vdev_pin_case_desc(const struct vdev_pin_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(vdev_pin, vdev_pin_cases, vdev_pin_case_desc);

static const struct file_operations vdev_mem_test_fops = {};

static void vdev_mem_pin_test(struct kunit *test)
{
	const struct vdev_pin_case *c = test->param_value;
	struct vdev_mem_desc d = c->d;
	struct vdev_mem_region *r;

	if (c->file_size > 0) {
		d.file = vdev_mem_test_file(test, c->file_size);
	} else if (c->file_size < 0) {
		d.file = anon_inode_getfile("vdev-kunit", &vdev_mem_test_fops,
					    NULL, O_RDWR);
		KUNIT_ASSERT_FALSE(test, IS_ERR(d.file));
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
								vdev_mem_test_fput,
								d.file), 0);
	}
	r = vdev_mem_region_pin(&d, c->max_mem);
	if (c->ret) {
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(r), c->ret);
		return;
	}
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(r), "pin: %ld", PTR_ERR(r));
	KUNIT_EXPECT_EQ(test, r->gpa, d.gpa);
	KUNIT_EXPECT_EQ(test, r->size, d.size);
	KUNIT_EXPECT_EQ(test, r->offset, offset_in_page(d.mmap_offset));
	KUNIT_EXPECT_EQ(test, r->nr_folios,
			(unsigned int)((d.mmap_offset + d.size - 1) / PG -
				       d.mmap_offset / PG + 1));
	KUNIT_EXPECT_NULL(test, r->folio_end);
	KUNIT_EXPECT_EQ(test, r->folio_shift, PAGE_SHIFT);
	vdev_mem_region_put(r);
}

/* Building a table: overlaps, count and budget. */
struct vdev_table_case {
	const char *desc;
	unsigned int nr;
	struct { u64 gpa, size, uva; } r[3];
	u64 max_mem;
	int ret;
};

static const struct vdev_table_case vdev_table_cases[] = {
	{ "empty", 0, {}, NO_MAX, 0 },
	{ "one", 1, { { 0, PG, 0 } }, NO_MAX, 0 },
	{ "adjacent in both", 2, { { 0, PG, 0 }, { PG, PG, PG } }, NO_MAX, 0 },
	{ "disjoint, unsorted", 3, { { 9 * PG, PG, 0 }, { 0, PG, 5 * PG },
				     { 4 * PG, 2 * PG, 2 * PG } }, NO_MAX, 0 },
	{ "gpa overlaps by a byte", 2, { { 0, PG, 0 }, { PG - 1, PG, 4 * PG } },
	  NO_MAX, -EINVAL },
	{ "gpa inside another", 2, { { 0, 4 * PG, 0 }, { PG, PG, 8 * PG } },
	  NO_MAX, -EINVAL },
	{ "uva overlaps", 2, { { 0, PG, 4 * PG }, { 8 * PG, 2 * PG, 3 * PG } },
	  NO_MAX, -EINVAL },
	{ "same gpa", 2, { { PG, PG, 0 }, { PG, PG, PG } }, NO_MAX, -EINVAL },
	{ "top and bottom", 2, { { 0, PG, 0 }, { TOP, PG, PG } }, NO_MAX, 0 },
	{ "exactly max_mem", 2, { { 0, PG, 0 }, { PG, PG, PG } }, 2 * PG, 0 },
	{ "above max_mem", 2, { { 0, PG, 0 }, { PG, PG, PG } }, 2 * PG - 1,
	  -ENOSPC },
};

static void vdev_table_case_desc(const struct vdev_table_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(vdev_table, vdev_table_cases, vdev_table_case_desc);

static void vdev_mem_table_test(struct kunit *test)
{
	const struct vdev_table_case *c = test->param_value;
	struct vdev_mem_region *r[ARRAY_SIZE(c->r)];
	struct vdev_mem_desc d = {};
	struct vdev_mem *mem;
	unsigned int i;

	d.file = vdev_mem_test_file(test, 4 * PG);
	for (i = 0; i < c->nr; i++) {
		d.gpa = c->r[i].gpa;
		d.size = c->r[i].size;
		d.uva = c->r[i].uva;
		r[i] = vdev_mem_test_pin(test, &d);
	}
	mem = vdev_mem_create(r, c->nr, c->max_mem);
	if (c->ret) {
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(mem), c->ret);
		return;
	}
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mem), "create: %ld", PTR_ERR(mem));
	KUNIT_EXPECT_EQ(test, mem->nr, c->nr);
	for (i = 1; i < mem->nr; i++)
		KUNIT_EXPECT_LT(test, mem->regions[i - 1]->gpa,
				mem->regions[i]->gpa);
	vdev_mem_put(mem);
}

/* More regions than a table holds: refused before looking at them. */
static void vdev_mem_too_many_test(struct kunit *test)
{
	struct vdev_mem_region *r[VDEV_MEM_MAX_REGIONS + 1];
	struct vdev_mem_desc d = { .size = PG };
	struct vdev_mem *mem;
	unsigned int i;

	d.file = vdev_mem_test_file(test, (VDEV_MEM_MAX_REGIONS + 1) * PG);
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		d.gpa = i * PG;
		d.uva = i * PG;
		d.mmap_offset = i * PG;
		r[i] = vdev_mem_test_pin(test, &d);
	}
	mem = vdev_mem_create(r, VDEV_MEM_MAX_REGIONS, NO_MAX);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mem));
	vdev_mem_put(mem);
	mem = vdev_mem_create(r, ARRAY_SIZE(r), NO_MAX);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(mem), -E2BIG);
}

/* Translation of a guest range in the standard layout. */
struct vdev_xlate_case {
	const char *desc;
	u64 gpa;
	u64 len;
	int region;	/* vdev_mem_find(): index in the layout, or -1 */
	int check;	/* vdev_mem_check() */
	int copy;	/* vdev_mem_read() and vdev_mem_write() */
};

static const struct vdev_xlate_case vdev_xlate_cases[] = {
	{ "first byte of A", A_GPA, 1, 0, 0, 0 },
	{ "last byte of A", B_GPA - 1, 1, 0, 0, 0 },
	{ "all of A", A_GPA, 4 * PG, 0, 0, 0 },
	{ "first byte of B", B_GPA, 1, 1, 0, 0 },
	{ "A and B, straddling", B_GPA - 8, 16, -1, 0, 0 },
	{ "all of A and B", A_GPA, 6 * PG, -1, 0, 0 },
	{ "one past B", B_GPA + 2 * PG, 1, -1, -EFAULT, -EFAULT },
	{ "B and one past", B_GPA + 2 * PG - 1, 2, -1, -EFAULT, -EFAULT },
	{ "one before A", A_GPA - 1, 1, -1, -EFAULT, -EFAULT },
	{ "last byte of C", C_GPA + PG - 1, 1, 2, 0, 0 },
	{ "one past C", C_GPA + PG, 1, -1, -EFAULT, -EFAULT },
	{ "zero length", A_GPA, 0, -1, -EINVAL, 0 },
	{ "zero length outside", 0, 0, -1, -EINVAL, 0 },
	{ "gpa 0", 0, 1, -1, -EFAULT, -EFAULT },
	{ "last byte of GPA space", U64_MAX, 1, 3, 0, 0 },
	{ "all of T", TOP, PG, 3, 0, 0 },
	{ "wraps past 2^64", U64_MAX, 2, -1, -EFAULT, -EFAULT },
	{ "wraps onto A", U64_MAX, A_GPA + 2, -1, -EFAULT, -EFAULT },
	{ "huge length", A_GPA, U64_MAX, -1, -EFAULT, -EFAULT },
};

static void vdev_xlate_case_desc(const struct vdev_xlate_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(vdev_xlate, vdev_xlate_cases, vdev_xlate_case_desc);

static void vdev_mem_xlate_test(struct kunit *test)
{
	const struct vdev_xlate_case *c = test->param_value;
	const struct vdev_mem_region *r;
	struct vdev_mem_fixture f;
	size_t buflen;
	u64 off = 0;
	u8 *buf;

	vdev_mem_test_layout(test, &f);
	r = vdev_mem_find(f.mem, c->gpa, c->len, &off);
	if (c->region < 0) {
		KUNIT_EXPECT_NULL(test, r);
	} else {
		KUNIT_EXPECT_PTR_EQ(test, r, f.r[c->region]);
		KUNIT_EXPECT_EQ(test, off, c->gpa - vdev_mem_layout[c->region].gpa);
	}
	KUNIT_EXPECT_EQ(test, vdev_mem_check(f.mem, c->gpa, c->len), c->check);

	/* Copies of absurd lengths fail before touching the buffer. */
	buflen = min_t(u64, c->len, 8 * PG);
	buf = kunit_kzalloc(test, max_t(size_t, buflen, 1), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, vdev_mem_read(f.mem, c->gpa, buf, c->len),
			c->copy);
	KUNIT_EXPECT_EQ(test, vdev_mem_write(f.mem, c->gpa, buf, c->len),
			c->copy);
}

/*
 * Bytes written at a GPA land at the right offset of the backing file, read
 * back independently with kernel_read(), across folios and regions.
 */
static void vdev_mem_copy_test(struct kunit *test)
{
	const size_t len = 6 * PG - 200;
	struct vdev_mem_fixture f;
	u8 *in, *out;
	loff_t pos;
	size_t i;

	vdev_mem_test_layout(test, &f);
	in = kunit_kmalloc(test, len, GFP_KERNEL);
	out = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	for (i = 0; i < len; i++)
		in[i] = i * 7 + i / PG;

	KUNIT_ASSERT_EQ(test, vdev_mem_write(f.mem, A_GPA + 100, in, len), 0);
	/* A starts at file page 1, and B follows it in the file too. */
	pos = PG + 100;
	KUNIT_ASSERT_EQ(test, kernel_read(f.file, out, len, &pos), (ssize_t)len);
	KUNIT_EXPECT_MEMEQ(test, out, in, len);

	memset(out, 0, len);
	KUNIT_ASSERT_EQ(test, vdev_mem_read(f.mem, A_GPA + 100, out, len), 0);
	KUNIT_EXPECT_MEMEQ(test, out, in, len);

	/* T is file page 7: the last byte of GPA space is its last byte. */
	KUNIT_ASSERT_EQ(test, vdev_mem_write(f.mem, U64_MAX, "Z", 1), 0);
	pos = 8 * PG - 1;
	KUNIT_ASSERT_EQ(test, kernel_read(f.file, out, 1, &pos), 1);
	KUNIT_EXPECT_EQ(test, out[0], 'Z');
}

/* A pointer to a small object: within one folio only. */
static void vdev_mem_ptr_test(struct kunit *test)
{
	struct vdev_mem_fixture f;
	u8 *p;

	vdev_mem_test_layout(test, &f);
	p = vdev_mem_ptr(f.mem, A_GPA + PG - 2, 2);
	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	p[1] = 0x5a;
	KUNIT_EXPECT_EQ(test, *(u8 *)vdev_mem_ptr(f.mem, A_GPA + PG - 1, 1), 0x5a);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vdev_mem_ptr(f.mem, A_GPA + PG - 2, 4)),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vdev_mem_ptr(f.mem, B_GPA - 2, 4)),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vdev_mem_ptr(f.mem, A_GPA, 0)), -EFAULT);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vdev_mem_ptr(f.mem, U64_MAX, 2)), -EFAULT);
	KUNIT_EXPECT_FALSE(test, IS_ERR(vdev_mem_ptr(f.mem, U64_MAX, 1)));
}

struct vdev_uva_case {
	const char *desc;
	u64 uva;
	u64 len;
	int ret;
	u64 gpa;
};

static const struct vdev_uva_case vdev_uva_cases[] = {
	{ "start of A", A_UVA, 16, 0, A_GPA },
	{ "last byte of A", A_UVA + 4 * PG - 1, 1, 0, B_GPA - 1 },
	{ "all of B", B_UVA, 2 * PG, 0, B_GPA },
	{ "one past A", A_UVA + 4 * PG, 1, -EFAULT },
	{ "A and one past", A_UVA + 4 * PG - 1, 2, -EFAULT },
	{ "one before A", A_UVA - 1, 1, -EFAULT },
	{ "zero length", A_UVA, 0, -EINVAL },
	{ "wraps", A_UVA, U64_MAX, -EFAULT },
};

static void vdev_uva_case_desc(const struct vdev_uva_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(vdev_uva, vdev_uva_cases, vdev_uva_case_desc);

static void vdev_mem_uva_test(struct kunit *test)
{
	const struct vdev_uva_case *c = test->param_value;
	struct vdev_mem_fixture f;
	u64 gpa = 0;

	vdev_mem_test_layout(test, &f);
	KUNIT_EXPECT_EQ(test, vdev_mem_uva_to_gpa(f.mem, c->uva, c->len, &gpa),
			c->ret);
	if (!c->ret)
		KUNIT_EXPECT_EQ(test, gpa, c->gpa);
}

/* Segments of a buffer: one per folio, on into a contiguous region. */
static void vdev_mem_iter_test(struct kunit *test)
{
	struct vdev_mem_fixture f;
	struct vdev_mem_iter it;
	struct vdev_mem_seg seg;
	u64 gpa = B_GPA - PG - 10;
	unsigned int n = 0;
	u64 total = 0;
	int ret;

	vdev_mem_test_layout(test, &f);
	KUNIT_ASSERT_EQ(test, vdev_mem_iter_init(&it, f.mem, gpa, 2 * PG + 20), 0);
	while ((ret = vdev_mem_iter_next(&it, &seg)) == 1) {
		KUNIT_EXPECT_PTR_EQ(test, page_address(seg.page) + seg.offset,
				    vdev_mem_ptr(f.mem, gpa + total, 1));
		KUNIT_EXPECT_LE(test, seg.offset + seg.len, PG);
		total += seg.len;
		n++;
	}
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, n, 4);	/* 10 bytes, 1 page, 1 page, 10 bytes */
	KUNIT_EXPECT_EQ(test, total, 2 * PG + 20);

	/* Off the end of B: the part inside comes first, then the error. */
	KUNIT_ASSERT_EQ(test, vdev_mem_iter_init(&it, f.mem, B_GPA + PG, 2 * PG), 0);
	KUNIT_EXPECT_EQ(test, vdev_mem_iter_next(&it, &seg), 1);
	KUNIT_EXPECT_EQ(test, seg.len, PG);
	KUNIT_EXPECT_EQ(test, vdev_mem_iter_next(&it, &seg), -EFAULT);

	KUNIT_EXPECT_EQ(test, vdev_mem_iter_init(&it, f.mem, A_GPA, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vdev_mem_iter_init(&it, f.mem, U64_MAX, 2), -EFAULT);
	KUNIT_ASSERT_EQ(test, vdev_mem_iter_init(&it, f.mem, U64_MAX, 1), 0);
	KUNIT_EXPECT_EQ(test, vdev_mem_iter_next(&it, &seg), 1);
	KUNIT_EXPECT_EQ(test, seg.offset, PG - 1);
	KUNIT_EXPECT_EQ(test, vdev_mem_iter_next(&it, &seg), 0);
}

/* A hole punched in the file orphans its pinned folio: every access fails. */
static void vdev_mem_hole_test(struct kunit *test)
{
	struct vdev_mem_fixture f;
	struct vdev_mem_iter it;
	struct vdev_mem_seg seg;
	u8 buf[4] = {};

	vdev_mem_test_layout(test, &f);
	/* File page 2 is A's second page. */
	KUNIT_ASSERT_EQ(test, vfs_fallocate(f.file, FALLOC_FL_PUNCH_HOLE |
					    FALLOC_FL_KEEP_SIZE, 2 * PG, PG), 0);
	KUNIT_EXPECT_EQ(test, vdev_mem_read(f.mem, A_GPA, buf, 4), 0);
	KUNIT_EXPECT_EQ(test, vdev_mem_read(f.mem, A_GPA + PG, buf, 4), -EIO);
	KUNIT_EXPECT_EQ(test, vdev_mem_write(f.mem, A_GPA + PG - 2, buf, 4), -EIO);
	KUNIT_EXPECT_EQ(test, PTR_ERR(vdev_mem_ptr(f.mem, A_GPA + PG, 4)), -EIO);
	KUNIT_ASSERT_EQ(test, vdev_mem_iter_init(&it, f.mem, A_GPA, 2 * PG), 0);
	KUNIT_EXPECT_EQ(test, vdev_mem_iter_next(&it, &seg), 1);
	KUNIT_EXPECT_EQ(test, vdev_mem_iter_next(&it, &seg), -EIO);
}

/*
 * Folios of mixed sizes (shmem with large folios): looked up by their end
 * offsets. UML has no large shmem folios, so the region is built by hand
 * from allocated folios; only the lookup is under test.
 */
static void vdev_mem_mixed_folios_test(struct kunit *test)
{
	static const unsigned int order[] = { 0, 2, 0, 1, 3 };
	struct folio *folios[ARRAY_SIZE(order)];
	u64 ends[ARRAY_SIZE(order)];
	struct vdev_mem_region r = {
		.folios = folios, .folio_end = ends,
		.nr_folios = ARRAY_SIZE(order), .offset = 100,
	};
	static const struct { u64 off; unsigned int idx; size_t foff; } c[] = {
		{ 0, 0, 100 }, { PG - 101, 0, PG - 1 }, { PG - 100, 1, 0 },
		{ 5 * PG - 101, 1, 4 * PG - 1 }, { 5 * PG - 100, 2, 0 },
		{ 6 * PG - 100, 3, 0 }, { 8 * PG - 100, 4, 0 },
		{ 16 * PG - 101, 4, 8 * PG - 1 },
	};
	unsigned int i;
	size_t foff;
	u64 end = 0;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		folios[i] = folio_alloc(GFP_KERNEL, order[i]);
		KUNIT_ASSERT_NOT_NULL(test, folios[i]);
		end += folio_size(folios[i]);
		ends[i] = end;
	}
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		KUNIT_EXPECT_PTR_EQ(test, vdev_mem_region_folio(&r, c[i].off, &foff),
				    folios[c[i].idx]);
		KUNIT_EXPECT_EQ(test, foff, c[i].foff);
	}
	for (i = 0; i < ARRAY_SIZE(order); i++)
		folio_put(folios[i]);
}

static struct kunit_case vdev_mem_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_mem_pin_test, vdev_pin_gen_params),
	KUNIT_CASE_PARAM(vdev_mem_table_test, vdev_table_gen_params),
	KUNIT_CASE(vdev_mem_too_many_test),
	KUNIT_CASE_PARAM(vdev_mem_xlate_test, vdev_xlate_gen_params),
	KUNIT_CASE(vdev_mem_copy_test),
	KUNIT_CASE(vdev_mem_ptr_test),
	KUNIT_CASE_PARAM(vdev_mem_uva_test, vdev_uva_gen_params),
	KUNIT_CASE(vdev_mem_iter_test),
	KUNIT_CASE(vdev_mem_hole_test),
	KUNIT_CASE(vdev_mem_mixed_folios_test),
	{}
};

static struct kunit_suite vdev_mem_test_suite = {
	.name = "vdev_mem",
	.test_cases = vdev_mem_test_cases,
};

kunit_test_suite(vdev_mem_test_suite);

/* --- the dirty log ------------------------------------------------------ */

/* A log of 64 bytes: 512 pages, 2 MiB of guest addresses. */
#define LOG_SIZE	64
#define LOG_PAGES	(LOG_SIZE * 8)

struct vdev_log_create_case {
	const char *desc;
	loff_t file_size;	/* 0: no file; -1: not a shmem file */
	u64 size;
	u64 offset;
	int err;
};

static const struct vdev_log_create_case vdev_log_create_cases[] = {
	{ "one page", PG, PG, 0, 0 },
	{ "a word past the start", PG, PG - 8, 8, 0 },
	{ "zero size", PG, 0, 0, -EINVAL },
	{ "size not whole words", PG, 12, 0, -EINVAL },
	{ "offset not a word", PG, 8, 4, -EINVAL },
	{ "over the largest log", PG, VDEV_LOG_MAX_SIZE + 8, 0, -E2BIG },
	{ "beyond the file", PG, PG, 8, -ENXIO },
	{ "not shmem", -1, 8, 0, -EINVAL },
};

static void vdev_log_create_case_desc(const struct vdev_log_create_case *c,
				      char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(vdev_log_create, vdev_log_create_cases,
		  vdev_log_create_case_desc);

static void vdev_log_create_test(struct kunit *test)
{
	const struct vdev_log_create_case *c = test->param_value;
	struct vdev_mem *log;
	struct file *file;

	if (c->file_size > 0) {
		file = vdev_mem_test_file(test, c->file_size);
	} else {
		file = anon_inode_getfile("vdev-kunit", &vdev_mem_test_fops,
					  NULL, O_RDWR);
		KUNIT_ASSERT_FALSE(test, IS_ERR(file));
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
								vdev_mem_test_fput,
								file), 0);
	}
	log = vdev_log_create(file, c->size, c->offset, NULL);
	if (c->err) {
		KUNIT_EXPECT_PTR_EQ(test, log, ERR_PTR(c->err));
		return;
	}
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(log), "create: %ld", PTR_ERR(log));
	KUNIT_EXPECT_EQ(test, log->total, c->size);
	vdev_mem_put(log);
}

static struct vdev_mem *vdev_log_test_log(struct kunit *test)
{
	struct file *file = vdev_mem_test_file(test, PG);
	struct vdev_mem *log = vdev_log_create(file, LOG_SIZE, 0, NULL);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(log), "create: %ld", PTR_ERR(log));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vdev_mem_test_put,
							log), 0);
	return log;
}

/* The log's bits, as QEMU reads them: unsigned longs of the host. */
static void vdev_log_test_bits(struct kunit *test, const struct vdev_mem *log,
			       unsigned long *bits)
{
	KUNIT_ASSERT_EQ(test, vdev_mem_read(log, 0, bits, LOG_SIZE), 0);
}

struct vdev_log_mark_case {
	const char *desc;
	u64 gpa;
	u64 len;
	u32 first;	/* pages first to last are set, nothing else */
	u32 last;	/* last < first: nothing is set */
};

static const struct vdev_log_mark_case vdev_log_mark_cases[] = {
	{ "one byte", 0, 1, 0, 0 },
	{ "across a page end", PG - 1, 2, 0, 1 },
	{ "a whole page", 5 * PG, PG, 5, 5 },
	{ "across a word", 63 * PG, 2 * PG, 63, 64 },
	{ "many words", 10 * PG + 5, 200 * PG, 10, 210 },
	{ "the last page", (LOG_PAGES - 1) * PG + 7, 9, LOG_PAGES - 1,
	  LOG_PAGES - 1 },
	{ "zero length", 3 * PG, 0, 1, 0 },
	{ "beyond the log", LOG_PAGES * PG, PG, 1, 0 },
	{ "running off the log's end", (LOG_PAGES - 2) * PG, 10 * PG,
	  LOG_PAGES - 2, LOG_PAGES - 1 },
	{ "to the top of GPA space", TOP, U64_MAX, 1, 0 },
};

static void vdev_log_mark_case_desc(const struct vdev_log_mark_case *c,
				    char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(vdev_log_mark, vdev_log_mark_cases, vdev_log_mark_case_desc);

static void vdev_log_mark_test(struct kunit *test)
{
	const struct vdev_log_mark_case *c = test->param_value;
	struct vdev_mem *log = vdev_log_test_log(test);
	unsigned long bits[LOG_SIZE / sizeof(long)];
	unsigned long again[LOG_SIZE / sizeof(long)];
	u32 page;

	vdev_log_mark(log, c->gpa, c->len);
	vdev_log_test_bits(test, log, bits);
	for (page = 0; page < LOG_PAGES; page++)
		KUNIT_EXPECT_EQ_MSG(test, test_bit(page, bits),
				    page >= c->first && page <= c->last,
				    "page %u", page);
	/* Marking again changes nothing. */
	vdev_log_mark(log, c->gpa, c->len);
	vdev_log_test_bits(test, log, again);
	KUNIT_EXPECT_MEMEQ(test, again, bits, LOG_SIZE);
}

/* A page of a region of the standard layout, as a bio would carry it. */
static struct page *vdev_log_test_page(struct kunit *test,
				       const struct vdev_mem *mem, u64 gpa)
{
	void *p = vdev_mem_ptr(mem, gpa, 1);

	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	return virt_to_page(p);
}

/* Guest pages back to guest addresses, through their file offsets. */
static void vdev_mem_page_gpa_test(struct kunit *test)
{
	static const u64 gpas[] = { A_GPA, A_GPA + 3 * PG, B_GPA + PG, C_GPA,
				    TOP };
	struct vdev_mem_fixture f;
	struct vdev_mem *ab;
	struct page *page;
	unsigned int i;
	u64 gpa;

	vdev_mem_test_layout(test, &f);
	for (i = 0; i < ARRAY_SIZE(gpas); i++) {
		page = vdev_log_test_page(test, f.mem, gpas[i]);
		KUNIT_EXPECT_EQ(test, vdev_mem_page_gpa(f.mem, page, 9, &gpa), 0);
		KUNIT_EXPECT_EQ(test, gpa, gpas[i] + 9);
	}
	/* C's file page is no guest memory of a table without C. */
	ab = vdev_mem_test_create(test, f.r, 2);
	page = vdev_log_test_page(test, f.mem, C_GPA);
	KUNIT_EXPECT_EQ(test, vdev_mem_page_gpa(ab, page, 0, &gpa), -ENOENT);
	/* Nor is a page of another file, or of no file (a bounce page). */
	page = vdev_log_test_page(test, vdev_log_test_log(test), 0);
	KUNIT_EXPECT_EQ(test, vdev_mem_page_gpa(f.mem, page, 0, &gpa), -ENOENT);
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, vdev_mem_page_gpa(f.mem, page, 0, &gpa), -ENOENT);
	__free_page(page);
}

/* A read bio's guest pages are logged; its bounce page is not. */
static void vdev_log_bio_test(struct kunit *test)
{
	unsigned long bits[LOG_SIZE / sizeof(long)];
	struct vdev_mem_fixture f;
	struct page *bounce;
	struct bio_vec vecs[4];
	struct vdev_mem *log;
	struct bio bio;
	u32 page;

	vdev_mem_test_layout(test, &f);
	log = vdev_log_test_log(test);
	bounce = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bounce);
	bio_init(&bio, NULL, vecs, ARRAY_SIZE(vecs), REQ_OP_READ);
	/* A's second page, the end of B's first and B's second: 0x11, 0x14, 0x15. */
	__bio_add_page(&bio, vdev_log_test_page(test, f.mem, A_GPA + PG), PG, 0);
	__bio_add_page(&bio, vdev_log_test_page(test, f.mem, B_GPA), 512,
		       PG - 512);
	__bio_add_page(&bio, vdev_log_test_page(test, f.mem, B_GPA + PG), 512,
		       0);
	__bio_add_page(&bio, bounce, PG, 0);
	vdev_log_bio(log, f.mem, &bio);
	bio_uninit(&bio);
	__free_page(bounce);
	vdev_log_test_bits(test, log, bits);
	for (page = 0; page < LOG_PAGES; page++)
		KUNIT_EXPECT_EQ_MSG(test, test_bit(page, bits),
				    page == 0x11 || page == 0x14 || page == 0x15,
				    "page %u", page);
}

static struct kunit_case vdev_dirty_log_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_log_create_test, vdev_log_create_gen_params),
	KUNIT_CASE_PARAM(vdev_log_mark_test, vdev_log_mark_gen_params),
	KUNIT_CASE(vdev_mem_page_gpa_test),
	KUNIT_CASE(vdev_log_bio_test),
	{}
};

static struct kunit_suite vdev_dirty_log_test_suite = {
	.name = "vdev_dirty_log",
	.test_cases = vdev_dirty_log_test_cases,
};

kunit_test_suite(vdev_dirty_log_test_suite);
