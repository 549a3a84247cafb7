// SPDX-License-Identifier: GPL-2.0
/*
 * vu_mem: the front end's guest memory. See vu_front.h.
 *
 * Like QEMU's memory-backend-memfd: one memfd, mapped once, cut into
 * regions at increasing mmap offsets. The "QEMU address" of a region is
 * our own mapping of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "vu_front.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB	0x0004U
#endif

int vu_mem_create(struct vu_front *f, unsigned int nregions,
		  uint64_t region_size, uint64_t gpa_gap, bool hugetlb)
{
	unsigned int i;
	size_t len;
	void *p;
	int fd;

	if (f->mem_fd >= 0)
		return vu_fail(f, -EBUSY, "guest memory exists already");
	if (!nregions || nregions > VU_MAX_REGIONS || !region_size ||
	    region_size % 4096)
		return vu_fail(f, -EINVAL, "%u regions of %llu bytes: bad layout",
			       nregions, (unsigned long long)region_size);
	len = region_size * nregions;
	fd = memfd_create(hugetlb ? "vu-guest-huge" : "vu-guest",
			  MFD_CLOEXEC | (hugetlb ? MFD_HUGETLB : 0));
	if (fd < 0)
		return vu_fail(f, -errno, "memfd_create%s: %s",
			       hugetlb ? "(MFD_HUGETLB)" : "", strerror(errno));
	if (ftruncate(fd, len)) {
		int err = errno;

		close(fd);
		return vu_fail(f, -err, "ftruncate guest memory to %zu: %s",
			       len, strerror(err));
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int err = errno;

		close(fd);
		return vu_fail(f, -err, "mmap guest memory (%zu bytes%s): %s",
			       len, hugetlb ? ", hugetlb" : "", strerror(err));
	}
	/* Fault every page in now (QEMU's prealloc=on): no SIGBUS later. */
	memset(p, 0, len);
	f->mem_fd = fd;
	f->mem_map = p;
	f->mem_len = len;
	f->mem_hugetlb = hugetlb;
	f->nregions = nregions;
	for (i = 0; i < nregions; i++) {
		struct vu_region *r = &f->regions[i];

		r->gpa = i * (region_size + gpa_gap);
		r->size = region_size;
		r->mmap_offset = i * region_size;
		r->host = f->mem_map + r->mmap_offset;
		r->next = i ? 0 : 4096;
		r->added = false;
	}
	return 0;
}

void vu_mem_destroy(struct vu_front *f)
{
	if (f->mem_map)
		munmap(f->mem_map, f->mem_len);
	if (f->mem_fd >= 0)
		close(f->mem_fd);
	f->mem_map = NULL;
	f->mem_fd = -1;
	f->mem_len = 0;
	f->nregions = 0;
}

uint64_t vu_mem_total(const struct vu_front *f)
{
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < f->nregions; i++)
		total += f->regions[i].size;
	return total;
}

static void vu_wire_region(const struct vu_region *r, struct vu_wire_region *w)
{
	w->guest_addr = r->gpa;
	w->size = r->size;
	w->user_addr = (uint64_t)(uintptr_t)r->host;
	w->mmap_offset = r->mmap_offset;
}

static int vu_mem_reg(struct vu_front *f, uint32_t request, unsigned int i)
{
	struct vu_wire_mem_reg m = { 0 };
	uint32_t flags = f->need_reply ? VU_FLAGS_NEED_REPLY : VU_FLAGS;
	int ret;

	if (i >= f->nregions)
		return vu_fail(f, -EINVAL, "no region %u", i);
	vu_wire_region(&f->regions[i], &m.region);
	/* QEMU sends the fd with REM_MEM_REG too. */
	ret = vu_send(f, request, flags, &m, sizeof(m), &f->mem_fd, 1);
	if (!ret && f->need_reply)
		ret = vu_recv_ack(f, request);
	return ret;
}

int vu_mem_add_region(struct vu_front *f, unsigned int i)
{
	int ret = vu_mem_reg(f, VDEV_VU_ADD_MEM_REG, i);

	if (!ret)
		f->regions[i].added = true;
	return ret;
}

int vu_mem_rem_region(struct vu_front *f, unsigned int i)
{
	int ret = vu_mem_reg(f, VDEV_VU_REM_MEM_REG, i);

	if (!ret)
		f->regions[i].added = false;
	return ret;
}

int vu_mem_add_all(struct vu_front *f)
{
	unsigned int i;
	int ret;

	for (i = 0; i < f->nregions; i++) {
		if (f->regions[i].added)
			continue;
		ret = vu_mem_add_region(f, i);
		if (ret)
			return ret;
	}
	return 0;
}

int vu_mem_set_table(struct vu_front *f)
{
	struct vu_wire_mem_table t = { .nregions = f->nregions };
	uint32_t flags = f->need_reply ? VU_FLAGS_NEED_REPLY : VU_FLAGS;
	int fds[VU_MAX_REGIONS];
	unsigned int i;
	int ret;

	for (i = 0; i < f->nregions; i++) {
		vu_wire_region(&f->regions[i], &t.regions[i]);
		fds[i] = f->mem_fd;
	}
	ret = vu_send(f, VDEV_VU_SET_MEM_TABLE, flags, &t,
		      8 + f->nregions * sizeof(t.regions[0]), fds, f->nregions);
	if (!ret && f->need_reply)
		ret = vu_recv_ack(f, VDEV_VU_SET_MEM_TABLE);
	if (!ret)
		for (i = 0; i < f->nregions; i++)
			f->regions[i].added = true;
	return ret;
}

uint64_t vu_alloc(struct vu_front *f, unsigned int region, uint64_t size,
		  uint64_t align)
{
	struct vu_region *r;
	uint64_t off;

	if (region >= f->nregions || !size)
		return 0;
	r = &f->regions[region];
	if (!align)
		align = 1;
	off = (r->next + align - 1) / align * align;
	if (off > r->size || size > r->size - off)
		return 0;
	r->next = off + size;
	return r->gpa + off;
}

static struct vu_region *vu_region_of(struct vu_front *f, uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < f->nregions; i++) {
		struct vu_region *r = &f->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

void *vu_gpa(struct vu_front *f, uint64_t gpa, uint64_t len)
{
	struct vu_region *r = vu_region_of(f, gpa);

	if (!r || len > r->size - (gpa - r->gpa))
		return NULL;
	return r->host + (gpa - r->gpa);
}

uint64_t vu_uva(struct vu_front *f, uint64_t gpa)
{
	struct vu_region *r = vu_region_of(f, gpa);

	return r ? (uint64_t)(uintptr_t)(r->host + (gpa - r->gpa)) : 0;
}

static int vu_mem_copy(struct vu_front *f, uint64_t gpa, void *buf,
		       uint64_t len, bool to_guest)
{
	while (len) {
		struct vu_region *r = vu_region_of(f, gpa);
		uint64_t n;

		if (!r)
			return vu_fail(f, -EFAULT, "gpa %#llx outside guest memory",
				       (unsigned long long)gpa);
		n = r->size - (gpa - r->gpa);
		if (n > len)
			n = len;
		if (to_guest)
			memcpy(r->host + (gpa - r->gpa), buf, n);
		else
			memcpy(buf, r->host + (gpa - r->gpa), n);
		buf = (char *)buf + n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int vu_mem_write(struct vu_front *f, uint64_t gpa, const void *src,
		 uint64_t len)
{
	return vu_mem_copy(f, gpa, (void *)src, len, true);
}

int vu_mem_read(struct vu_front *f, uint64_t gpa, void *dst, uint64_t len)
{
	return vu_mem_copy(f, gpa, dst, len, false);
}

/* --- the dirty log --------------------------------------------------------- */

/* Pages one u64 of the log stands for (QEMU's VHOST_LOG_CHUNK / page). */
#define VU_LOG_BITS	64

uint64_t vu_log_size(const struct vu_front *f)
{
	uint64_t words = 0, last;
	unsigned int i;

	for (i = 0; i < f->nregions; i++) {
		last = f->regions[i].gpa + f->regions[i].size - 1;
		if (last / (VU_LOG_PAGE * VU_LOG_BITS) + 1 > words)
			words = last / (VU_LOG_PAGE * VU_LOG_BITS) + 1;
	}
	return words * sizeof(uint64_t);
}

int vu_log_create(struct vu_front *f, struct vu_log *l, uint64_t size)
{
	void *p;

	l->fd = -1;
	l->map = NULL;
	l->size = 0;
	if (!size || size % sizeof(uint64_t))
		return vu_fail(f, -EINVAL, "a log of %llu bytes",
			       (unsigned long long)size);
	l->fd = memfd_create("vu-log", MFD_CLOEXEC);
	if (l->fd < 0)
		return vu_fail(f, -errno, "memfd_create(log): %s", strerror(errno));
	if (ftruncate(l->fd, size)) {
		int err = errno;

		vu_log_destroy(l);
		return vu_fail(f, -err, "ftruncate log to %llu: %s",
			       (unsigned long long)size, strerror(err));
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, l->fd, 0);
	if (p == MAP_FAILED) {
		int err = errno;

		vu_log_destroy(l);
		return vu_fail(f, -err, "mmap log: %s", strerror(err));
	}
	l->map = p;
	l->size = size;
	/* Every page in now, as QEMU's allocation does. */
	memset(l->map, 0, size);
	return 0;
}

void vu_log_destroy(struct vu_log *l)
{
	if (l->map)
		munmap(l->map, l->size);
	if (l->fd >= 0)
		close(l->fd);
	l->map = NULL;
	l->fd = -1;
	l->size = 0;
}

bool vu_log_test(const struct vu_log *l, uint64_t page)
{
	uint64_t word = page / VU_LOG_BITS;

	if (!l->map || word >= l->size / sizeof(uint64_t))
		return false;
	/* The back end sets bits while we look: one load per word. */
	return __atomic_load_n(&l->map[word], __ATOMIC_ACQUIRE) >>
	       (page % VU_LOG_BITS) & 1;
}

void vu_log_clear(struct vu_log *l)
{
	uint64_t i;

	for (i = 0; i < l->size / sizeof(uint64_t); i++)
		__atomic_store_n(&l->map[i], 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

int vu_set_log_base(struct vu_front *f, int fd, uint64_t size,
		    uint64_t offset)
{
	struct vu_wire_log p = { .mmap_size = size, .mmap_offset = offset };
	uint32_t flags = f->need_reply ? VU_FLAGS_NEED_REPLY : VU_FLAGS;
	int ret;

	ret = vu_send(f, VDEV_VU_SET_LOG_BASE, flags, &p, sizeof(p), &fd,
		      fd < 0 ? 0 : 1);
	if (ret)
		return ret;
	/* Replied to with or without NEED_REPLY: QEMU waits for it. */
	return vu_recv_ack(f, VDEV_VU_SET_LOG_BASE);
}
