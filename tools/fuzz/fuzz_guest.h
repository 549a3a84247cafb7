/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_guest: guest memory as the input lays it out, for harnesses of
 * kmod code that reads guest memory (fuzz_vring, fuzz_nvme_dptr). It
 * stands in for kmod/mem.c (vdev_mem_check, vdev_mem_ptr, vdev_mem_read,
 * vdev_mem_write) with the same contract: ranges across contiguous
 * regions, pointers only within one region and one page-sized folio,
 * zero lengths and wrapping ranges refused. Each region is its own heap
 * buffer of exactly its size, so an access that strays out of guest
 * memory is an AddressSanitizer report. The guest may write its memory
 * while the code under test reads it: the input schedules byte writes at
 * numbered memory accesses, as a racing driver would make them.
 *
 * Input, in the order a harness reads it:
 *   fz_guest_build():	u8 nregions	1 + nregions % FZ_REGIONS
 *			per region: u8 gap, u8 pages	placed after the
 *			previous region, gap % 4 pages of hole between (0:
 *			contiguous), 1 + pages % FZ_REGION_PAGES pages long
 *   fz_guest_schedule(): u8 nwrites, then per write: u16 access, u32
 *			offset, u8 value: the guest writes value at offset
 *			(into all guest memory, regions end to end) before
 *			memory access number access
 *   fz_guest_fill():	guest memory contents, regions end to end
 */
#ifndef _FUZZ_GUEST_H
#define _FUZZ_GUEST_H

#include <linux/types.h>

#include "../../kmod/mem.h"
#include "fuzz_input.h"

#define FZ_REGIONS		4
#define FZ_REGION_PAGES		8
#define FZ_PAGE			4096ULL
#define FZ_BASE_GPA		0x100000ULL
#define FZ_MAX_WRITES		64

struct fz_guest {
	struct vdev_mem *mem;
	u8 *host[FZ_REGIONS];		/* region i's bytes, exactly its size */
	u64 total;
	unsigned long accesses;		/* memory accesses so far */
	unsigned int nwrites;
	struct {
		u16 access;
		u32 offset;
		u8 value;
	} writes[FZ_MAX_WRITES];
};

extern struct fz_guest fz_g;

void fz_guest_build(struct fz_in *in);
void fz_guest_schedule(struct fz_in *in);
void fz_guest_fill(struct fz_in *in);
void fz_guest_free(void);
/* The harness's own view: is [gpa, gpa + len) guest memory? */
bool fz_in_guest(u64 gpa, u64 len);
int fz_guest_peek(u64 gpa, void *buf, size_t len);

#endif /* _FUZZ_GUEST_H */
