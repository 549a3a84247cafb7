/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe I/O commands of the NVM command set: the parse step that checks and
 * decodes a submission queue entry, and the status of its completion
 * (nvme_io.c).
 */
#ifndef _VDEV_NVME_IO_H
#define _VDEV_NVME_IO_H

#include <linux/bits.h>
#include <linux/blk_types.h>
#include <linux/dma-direction.h>
#include <linux/nvme.h>
#include <linux/types.h>

#include "nvme_id.h"

/*
 * Control (CDW12 bits 31:16) bits of Read, Write and Write Zeroes that
 * <linux/nvme.h> has no name for: Storage Tag Check (NVM CS 1.0) and the
 * whole PRINFO field.
 */
#define VDEV_NVME_RW_STC	BIT(8)
#define VDEV_NVME_RW_PRINFO	(NVME_RW_PRINFO_PRCHK_REF |		\
				 NVME_RW_PRINFO_PRCHK_APP |		\
				 NVME_RW_PRINFO_PRCHK_GUARD |		\
				 NVME_RW_PRINFO_PRACT)

/* CDW0 bits 9:8, FUSE, in the command's flags byte. */
#define VDEV_NVME_CMD_FUSE	(NVME_CMD_FUSE_FIRST | NVME_CMD_FUSE_SECOND)

/* Dataset Management's NR: CDW10 bits 7:0, the ranges less one. */
#define VDEV_NVME_DSM_NR_MASK	0xff

/* Logical block sizes a namespace may have: 512 bytes to 64 KiB. */
#define VDEV_NVME_MIN_LBA_SHIFT	9
#define VDEV_NVME_MAX_LBA_SHIFT	16

/**
 * enum vdev_nvme_io_op - what an I/O command asks the block layer for
 * @VDEV_NVME_IO_FLUSH: a flush (REQ_OP_FLUSH, REQ_PREFLUSH)
 * @VDEV_NVME_IO_WRITE: REQ_OP_WRITE of the command's data
 * @VDEV_NVME_IO_READ: REQ_OP_READ into the command's data
 * @VDEV_NVME_IO_WRITE_ZEROES: REQ_OP_WRITE_ZEROES, or zero pages written
 * @VDEV_NVME_IO_DEALLOCATE: REQ_OP_DISCARD of each Dataset Management
 *	range (vdev_nvme_dsm_range())
 * @VDEV_NVME_IO_NONE: nothing: the command completes successfully as it
 *	is (Dataset Management without the Deallocate attribute)
 */
enum vdev_nvme_io_op {
	VDEV_NVME_IO_FLUSH,
	VDEV_NVME_IO_WRITE,
	VDEV_NVME_IO_READ,
	VDEV_NVME_IO_WRITE_ZEROES,
	VDEV_NVME_IO_DEALLOCATE,
	VDEV_NVME_IO_NONE,
};

/**
 * struct vdev_nvme_io_limits - what the controller told the host
 * @nn: NN of Identify Controller: NSIDs 1 to @nn are valid
 * @mdts: MDTS of Identify Controller (vdev_nvme_id_mdts()); 0: no limit
 */
struct vdev_nvme_io_limits {
	u32 nn;
	u8 mdts;
};

/**
 * struct vdev_nvme_io - an I/O command, checked and decoded
 * @op: what to do
 * @sector: read, write, write zeroes: the first 512-byte sector
 * @nr_sectors: read, write, write zeroes: 512-byte sectors, never 0
 * @dir: the data pointer's direction: DMA_FROM_DEVICE (read: the
 *	controller writes guest memory), DMA_TO_DEVICE (write, and the
 *	ranges of a deallocate, which the controller reads), DMA_NONE
 * @len: bytes the data pointer describes, for the walk (nvme_dptr.c); 0
 *	with DMA_NONE
 * @sgl: the data pointer is an SGL (PSDT 01b or 10b), else PRP entries
 * @fua: Force Unit Access. A write's bios carry REQ_FUA. The block layer
 *	fails REQ_FUA on anything but a write (submit_bio_noacct()), so for
 *	the others the controller flushes: before a read, which commits
 *	the blocks and leaves the media and the cache alike, so the read
 *	returns what the media hold; after write zeroes complete
 * @unmap: write zeroes: the host set DEAC, the blocks may be deallocated;
 *	without it the bios carry REQ_NOUNMAP, so that zeroed blocks stay
 *	allocated as the host asked
 * @max_bio_sectors: write zeroes and deallocate: the most sectors one bio
 *	may cover, from the namespace's limit, a whole number of blocks. 0
 *	for write zeroes: the device has no write zeroes, the controller
 *	writes zero pages (as blkdev_issue_zeroout() falls back to). 0 for
 *	deallocate: the device cannot discard, the command succeeds having
 *	done nothing (deallocation is the controller's choice, and DLFEAT
 *	promises nothing of deallocated blocks)
 * @nr_ranges: deallocate: the ranges in the data, 1 to 256
 */
struct vdev_nvme_io {
	enum vdev_nvme_io_op op;
	u64 sector;
	u32 nr_sectors;
	enum dma_data_direction dir;
	u32 len;
	bool sgl;
	bool fua;
	bool unmap;
	u32 max_bio_sectors;
	u16 nr_ranges;
};

u16 vdev_nvme_io_parse(const struct nvme_command *cmd,
		       const struct vdev_nvme_ns_info *ns,
		       const struct vdev_nvme_io_limits *lim,
		       struct vdev_nvme_io *io);
u16 vdev_nvme_dsm_range(const struct nvme_dsm_range *range,
			const struct vdev_nvme_ns_info *ns, u64 *sector,
			u64 *nr_sectors);
u16 vdev_nvme_blk_status(blk_status_t sts, enum vdev_nvme_io_op op,
			 bool *dnr);
__le16 vdev_nvme_cqe_status(u16 status, bool dnr, bool phase);

#endif /* _VDEV_NVME_IO_H */
