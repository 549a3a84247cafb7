/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The NVMe controller's PCI function as vfio-user shows it: configuration
 * space and BAR0 (controller registers, doorbells, MSI-X table and PBA),
 * as pure state with access functions (nvme_regs.c).
 */
#ifndef _VDEV_NVME_REGS_H
#define _VDEV_NVME_REGS_H

#include <linux/math.h>
#include <linux/nvme.h>
#include <linux/pci_regs.h>
#include <linux/sizes.h>
#include <linux/types.h>

/*
 * BAR0: 64-bit, non-prefetchable memory, 16 KiB, one 4 KiB page each for
 * the controller registers, the doorbells, the MSI-X table and the PBA.
 * The client mmaps the doorbell page, so nothing else lives on it.
 */
#define VDEV_NVME_BAR0_SIZE		SZ_16K
#define VDEV_NVME_BAR_REGS		0x0000
#define VDEV_NVME_BAR_DB		NVME_REG_DBS
#define VDEV_NVME_BAR_MSIX_TABLE	0x2000
#define VDEV_NVME_BAR_MSIX_PBA		0x3000
#define VDEV_NVME_BAR_PAGE		SZ_4K

/*
 * Doorbells with CAP.DSTRD 0: SQyTDBL at 1000h + 8y, CQyHDBL 4 bytes on.
 * Queues 0 (admin) to VDEV_NVME_MAX_QID are served; the page has room
 * for the doorbells of queue ids up to VDEV_NVME_DB_QIDS - 1.
 */
#define VDEV_NVME_DB_STRIDE		8
#define VDEV_NVME_DB_QIDS		(VDEV_NVME_BAR_PAGE / VDEV_NVME_DB_STRIDE)
#define VDEV_NVME_MAX_QID		64

/* MSI-X vectors: one per completion queue at most, admin included. */
#define VDEV_NVME_MSIX_MAX		(VDEV_NVME_MAX_QID + 1)

/* CAP.MQES is 16 bits, 0's based, and 0 is invalid: 2 to 65536 entries. */
#define VDEV_NVME_REGS_MIN_QUEUE_SIZE	2
#define VDEV_NVME_REGS_MAX_QUEUE_SIZE	65536

/*
 * Configuration space: 4 KiB (PCI Express), the extended part empty.
 * Capabilities, in list order: power management, MSI-X, PCI Express.
 */
#define VDEV_NVME_CFG_SIZE		PCI_CFG_SPACE_EXP_SIZE
#define VDEV_NVME_CFG_PM		0x40
#define VDEV_NVME_CFG_MSIX		0x50
#define VDEV_NVME_CFG_EXP		0x60
/* Vendor 0000h, device 0001h: see nvme_regs.c for why. */
#define VDEV_NVME_PCI_VENDOR		0x0000
#define VDEV_NVME_PCI_DEVICE		0x0001

/**
 * enum vdev_nvme_reg_event_type - what an access asks of the controller
 * @VDEV_NVME_REG_NONE: nothing
 * @VDEV_NVME_REG_ENABLE: CC.EN went 0 to 1 with a valid admin queue and
 *	CC: bring the admin queue up, then vdev_nvme_regs_ready()
 * @VDEV_NVME_REG_RESET: CC.EN went 1 to 0: a controller reset; end every
 *	queue, then vdev_nvme_regs_reset_done()
 * @VDEV_NVME_REG_SHUTDOWN: CC.SHN went from 00b while enabled; @value is
 *	the new SHN (1 normal, 2 abrupt). vdev_nvme_regs_shutdown_busy()
 *	and vdev_nvme_regs_shutdown_done() report the progress
 * @VDEV_NVME_REG_DOORBELL: a doorbell write: @index is the queue id (any
 *	in the page, VDEV_NVME_MAX_QID or not), @cq says CQ head (else SQ
 *	tail), @value the 32 bits written, unchecked
 * @VDEV_NVME_REG_MSIX_ENTRY: MSI-X table entry @index was written
 * @VDEV_NVME_REG_MSIX_CTRL: MSI-X enable or function mask changed;
 *	@value is the new Message Control
 * @VDEV_NVME_REG_BUS_MASTER: the command register's bus master bit
 *	changed; @value is the new bit (0 or 1)
 * @VDEV_NVME_REG_POWER: the power state changed; @value is the new one
 *	(0 for D0, 3 for D3hot)
 */
enum vdev_nvme_reg_event_type {
	VDEV_NVME_REG_NONE,
	VDEV_NVME_REG_ENABLE,
	VDEV_NVME_REG_RESET,
	VDEV_NVME_REG_SHUTDOWN,
	VDEV_NVME_REG_DOORBELL,
	VDEV_NVME_REG_MSIX_ENTRY,
	VDEV_NVME_REG_MSIX_CTRL,
	VDEV_NVME_REG_BUS_MASTER,
	VDEV_NVME_REG_POWER,
};

/**
 * struct vdev_nvme_reg_event - what one write reports
 * @type: what happened; VDEV_NVME_REG_NONE after a failed access
 * @index: the queue id (DOORBELL) or the vector (MSIX_ENTRY)
 * @cq: DOORBELL: the CQ head doorbell, not the SQ tail one
 * @value: see enum vdev_nvme_reg_event_type
 */
struct vdev_nvme_reg_event {
	enum vdev_nvme_reg_event_type type;
	u32 index;
	bool cq;
	u32 value;
};

/**
 * struct vdev_nvme_regs_cfg - what the PCI function is made of
 * @queue_size: entries a queue may have at most (CAP.MQES + 1),
 *	VDEV_NVME_REGS_MIN_QUEUE_SIZE to VDEV_NVME_REGS_MAX_QUEUE_SIZE
 * @nr_vectors: MSI-X vectors, 1 to VDEV_NVME_MSIX_MAX
 */
struct vdev_nvme_regs_cfg {
	u32 queue_size;
	u32 nr_vectors;
};

/**
 * struct vdev_nvme_msix_entry - one MSI-X table entry, as written
 * @addr_lo: Message Address (bits 1:0 read 0)
 * @addr_hi: Message Upper Address
 * @data: Message Data
 * @ctrl: Vector Control: only the mask bit
 */
struct vdev_nvme_msix_entry {
	u32 addr_lo;
	u32 addr_hi;
	u32 data;
	u32 ctrl;
};

/**
 * struct vdev_nvme_regs - the PCI function's registers
 * @cfg: what it was made of
 * @pci: the standard 256 bytes of configuration space, little-endian
 * @cap: CAP
 * @intm: the interrupt mask INTMS sets and INTMC clears
 * @cc: CC
 * @csts: CSTS
 * @aqa: AQA
 * @asq: ASQ
 * @acq: ACQ
 * @msix: the MSI-X table, @cfg.nr_vectors entries used
 * @pba: the MSI-X pending bits, bit n of @pba[n / 64] for vector n
 *
 * Pure state: no lock inside, the caller serialises every call on one
 * struct. The controller reads the fields freely (CC, AQA, ASQ, ACQ, the
 * MSI-X entries) and changes them only through the functions.
 */
struct vdev_nvme_regs {
	struct vdev_nvme_regs_cfg cfg;
	u8 pci[PCI_CFG_SPACE_SIZE];
	u64 cap;
	u32 intm;
	u32 cc;
	u32 csts;
	u32 aqa;
	u64 asq;
	u64 acq;
	struct vdev_nvme_msix_entry msix[VDEV_NVME_MSIX_MAX];
	u64 pba[DIV_ROUND_UP(VDEV_NVME_MSIX_MAX, 64)];
};

int vdev_nvme_regs_init(struct vdev_nvme_regs *r,
			const struct vdev_nvme_regs_cfg *cfg);
void vdev_nvme_regs_reset(struct vdev_nvme_regs *r);

int vdev_nvme_bar_read(const struct vdev_nvme_regs *r, u64 off, void *buf,
		       u32 len);
int vdev_nvme_bar_write(struct vdev_nvme_regs *r, u64 off, const void *buf,
			u32 len, struct vdev_nvme_reg_event *ev);
int vdev_nvme_cfg_read(const struct vdev_nvme_regs *r, u64 off, void *buf,
		       u32 len);
int vdev_nvme_cfg_write(struct vdev_nvme_regs *r, u64 off, const void *buf,
			u32 len, struct vdev_nvme_reg_event *ev);

void vdev_nvme_regs_ready(struct vdev_nvme_regs *r);
void vdev_nvme_regs_reset_done(struct vdev_nvme_regs *r);
void vdev_nvme_regs_shutdown_busy(struct vdev_nvme_regs *r);
void vdev_nvme_regs_shutdown_done(struct vdev_nvme_regs *r);
void vdev_nvme_regs_fatal(struct vdev_nvme_regs *r);

int vdev_nvme_regs_pba_set(struct vdev_nvme_regs *r, u32 vector);
int vdev_nvme_regs_pba_clear(struct vdev_nvme_regs *r, u32 vector);
bool vdev_nvme_regs_msix_live(const struct vdev_nvme_regs *r, u32 vector);

/* CC.MPS as a shift: the memory page size is 1 << this. */
static inline unsigned int vdev_nvme_regs_page_shift(const struct vdev_nvme_regs *r)
{
	return 12 + ((r->cc >> NVME_CC_MPS_SHIFT) & 0xf);
}

/* Admin submission queue entries, from AQA.ASQS (0's based). */
static inline u32 vdev_nvme_regs_asq_size(const struct vdev_nvme_regs *r)
{
	return (r->aqa & 0xfff) + 1;
}

/* Admin completion queue entries, from AQA.ACQS (0's based). */
static inline u32 vdev_nvme_regs_acq_size(const struct vdev_nvme_regs *r)
{
	return ((r->aqa >> 16) & 0xfff) + 1;
}

#endif /* _VDEV_NVME_REGS_H */
