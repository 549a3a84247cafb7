/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe data pointers: turning a command's PRP entries or SGL into the
 * guest buffers it names, checked against the DMA map (nvme_dptr.c).
 */
#ifndef _VDEV_NVME_DPTR_H
#define _VDEV_NVME_DPTR_H

#include <linux/nvme.h>
#include <linux/types.h>

struct vdev_mem;

/*
 * SGL descriptors one command may make the walker read from guest memory
 * (64 KiB of them). A Linux host needs one per data segment plus one per
 * 4 KiB descriptor page, a few hundred at most; the bound is what stops
 * a segment chain that points back at itself.
 */
#define VDEV_NVME_SGL_MAX_DESC	4096

/**
 * struct vdev_nvme_seg - one guest buffer of a command's data
 * @gpa: guest-physical start
 * @len: bytes, never 0
 */
struct vdev_nvme_seg {
	u64 gpa;
	u32 len;
};

/**
 * struct vdev_nvme_dptr - a data pointer walk: its limits and its result
 * @mem: the DMA map: PRP lists and SGL segments are read from it, and
 *	every data segment must lie in it
 * @page_size: CC.MPS as bytes (4096 << MPS); PRP entries address pages
 *	of this size
 * @max_len: MDTS in bytes; 0: no limit beyond the u32
 * @segs: the caller's array, filled in transfer order; neighbours that
 *	are contiguous in guest-physical space are merged
 * @max_segs: entries in @segs
 * @nsegs: entries filled
 * @len: bytes covered by @segs
 *
 * The caller sets the first five; a walk sets @nsegs and @len, to 0 when
 * it fails (the content of @segs is then unspecified).
 */
struct vdev_nvme_dptr {
	const struct vdev_mem *mem;
	u32 page_size;
	u32 max_len;
	struct vdev_nvme_seg *segs;
	unsigned int max_segs;
	unsigned int nsegs;
	u32 len;
};

u16 vdev_nvme_prp_walk(struct vdev_nvme_dptr *d, u64 prp1, u64 prp2,
		       u32 len);
u16 vdev_nvme_sgl_walk(struct vdev_nvme_dptr *d,
		       const struct nvme_sgl_desc *sgl, u32 len);

#endif /* _VDEV_NVME_DPTR_H */
