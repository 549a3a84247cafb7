/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe Identify data: the controller, namespace, active namespace list,
 * namespace identification descriptor and NVM command set structures an
 * Identify command returns (nvme_id.c).
 */
#ifndef _VDEV_NVME_ID_H
#define _VDEV_NVME_ID_H

#include <linux/bits.h>
#include <linux/nvme.h>
#include <linux/types.h>
#include <linux/uuid.h>

struct vdev_ns;

/*
 * NVMe 1.4, in Identify Controller VER and the VS register alike (the
 * Linux driver reads the register). 1.4 has everything a Linux host keys
 * on (1.2.1 SUBNQN, 1.3 descriptor lists, 1.4 CNTRLTYPE); 2.0 would
 * oblige us to the I/O command set profile machinery (CNS 08h, 1Ch, the
 * Commands Supported and Effects log) that a plain NVM controller does
 * not need.
 */
#define VDEV_NVME_VS		NVME_VS(1, 4, 0)

/*
 * The firmware revision (Identify FR, firmware slot 1 of the Firmware Slot
 * Information log): vdev's package version (dkms.conf), the module having
 * none. Bump it when a guest may need to tell emulations apart.
 */
#define VDEV_NVME_FR		"0.1"
/* Abort Command Limit, 0's based: the 4 the specification recommends. */
#define VDEV_NVME_ACL		3
/* Asynchronous Event Request Limit, 0's based: the recommended 4. */
#define VDEV_NVME_AERL		3
/* KAS: Keep Alive Timer granularity, 100 ms units: one second. */
#define VDEV_NVME_KAS		10
/*
 * Log Page Attributes: only "extended data" (bit 2; linux/nvme.h has no
 * name for it): Get Log Page takes NUMDU and an offset, which Linux always
 * fills. No per-namespace SMART, no Commands Supported and Effects log:
 * without it Linux assumes the NVM command set's usual effects.
 */
#define VDEV_NVME_LPA_EPE	BIT(2)
/*
 * Error Log Page Entries, 0's based: the log is mandatory, but vdev keeps
 * no error history beyond the latest error, so the smallest: one entry.
 */
#define VDEV_NVME_ELPE		0

/* Every Identify data structure is 4 KiB. */
#define VDEV_NVME_ID_SIZE	NVME_IDENTIFY_DATA_SIZE

/* NSIDs one Active Namespace ID list holds. */
#define VDEV_NVME_NS_LIST_MAX	(VDEV_NVME_ID_SIZE / sizeof(__le32))

/* The smallest page the controller takes (CAP.MPSMIN 0): MDTS's unit. */
#define VDEV_NVME_MIN_PAGE_SHIFT	12

/**
 * struct vdev_nvme_id_cfg - what Identify Controller reports of a controller
 * @name: the controller's name: the serial number when @serial is empty,
 *	and the seed of the subsystem NQN
 * @serial: serial number (SN), printable ASCII; empty: @name
 * @cntlid: controller id
 * @max_xfer: most bytes one command transfers (MDTS); 0: no limit
 * @max_cmd: most commands outstanding on one queue (MAXCMD)
 * @nn: the highest NSID a namespace may have (NN)
 * @write_cache: the controller has a volatile write cache (VWC): Flush
 *	means something and the guest sends it
 */
struct vdev_nvme_id_cfg {
	const char *name;
	const char *serial;
	u16 cntlid;
	u32 max_xfer;
	u16 max_cmd;
	u32 nn;
	bool write_cache;
};

/**
 * struct vdev_nvme_ns_info - what NVMe commands need to know of a namespace
 * @nr_blocks: capacity in logical blocks (NSZE, NCAP, NUSE)
 * @lba_shift: log2 of the logical block size
 * @io_min_blocks: preferred write granularity and alignment, in blocks
 *	(NPWG, NPWA); 0: not reported
 * @io_opt_blocks: optimal write size in blocks (NOWS); 0: not reported
 * @discard_gran_blocks: preferred deallocate granularity and alignment,
 *	in blocks (NPDG, NPDA); 0: not reported
 * @max_discard_blocks: most blocks one discard bio may cover; 0: the
 *	device cannot discard, Deallocate is a no-op
 * @max_zeroes_blocks: most blocks one write-zeroes bio may cover; 0: the
 *	block layer writes zero pages instead
 * @dealloc_zeroes: reads of deallocated blocks return zeroes (DLFEAT)
 * @read_only: write protected (NSATTR)
 * @shared: other controllers may serve the device too (NMIC)
 * @eui64: IEEE EUI-64; all zero: not reported
 * @nguid: namespace globally unique identifier; all zero: not reported
 * @uuid: namespace UUID; null: not reported
 *
 * The Identify builders read all but the two limits, which are for the
 * I/O commands that split deallocate and write-zeroes ranges.
 * vdev_nvme_ns_info_get() fills it from a namespace and its block device;
 * tests make their own.
 */
struct vdev_nvme_ns_info {
	u64 nr_blocks;
	u8 lba_shift;
	u32 io_min_blocks;
	u32 io_opt_blocks;
	u32 discard_gran_blocks;
	u64 max_discard_blocks;
	u64 max_zeroes_blocks;
	bool dealloc_zeroes;
	bool read_only;
	bool shared;
	u8 eui64[NVME_NIDT_EUI64_LEN];
	u8 nguid[NVME_NIDT_NGUID_LEN];
	uuid_t uuid;
};

/**
 * vdev_nvme_mdts_bytes - the transfer limit an MDTS says
 * @mdts: MDTS, as vdev_nvme_id_mdts() makes it
 *
 * Return: the most bytes one command may transfer; 0: no limit (also for
 * an MDTS whose limit is beyond 2^63 bytes).
 */
static inline u64 vdev_nvme_mdts_bytes(u8 mdts)
{
	if (!mdts || mdts > 63 - VDEV_NVME_MIN_PAGE_SHIFT)
		return 0;
	return 1ULL << (VDEV_NVME_MIN_PAGE_SHIFT + mdts);
}

u16 vdev_nvme_id_mdts(u32 max_xfer, u8 *mdts);
void vdev_nvme_ns_ids(struct vdev_nvme_ns_info *info, const char *seed,
		      u32 nsid);
void vdev_nvme_ns_info_get(const struct vdev_ns *ns,
			   struct vdev_nvme_ns_info *info);

u16 vdev_nvme_id_ctrl(void *buf, const struct vdev_nvme_id_cfg *cfg);
u16 vdev_nvme_id_ns(void *buf, const struct vdev_nvme_ns_info *info);
u16 vdev_nvme_id_active_ns_list(void *buf, const u32 *nsids, unsigned int n,
				u32 start);
u16 vdev_nvme_id_ns_desc_list(void *buf, const struct vdev_nvme_ns_info *info);
u16 vdev_nvme_id_cs_ctrl(void *buf, u8 csi);
u16 vdev_nvme_id_cs_ns(void *buf, u8 csi);

#endif /* _VDEV_NVME_ID_H */
