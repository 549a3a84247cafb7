// SPDX-License-Identifier: GPL-2.0
/*
 * The NVMe controller's PCI function as a vfio-user client sees it: the
 * configuration space and BAR0, whose first page holds the controller
 * registers (NVMe Base Specification 2.0, 3.1.4), the second the
 * doorbells (NVMe over PCIe Transport Specification 1.0), the third
 * the MSI-X table and the fourth the MSI-X PBA (PCIe Base 4.0, 7.7.2).
 * Doorbells are the SQyTDBL and CQyHDBL properties of the PCIe
 * transport specification, at CAP.DSTRD 0.
 *
 * The functions here are pure: they read and write a struct
 * vdev_nvme_regs and say in a struct vdev_nvme_reg_event what a write
 * asks of the controller (enable, reset, shut down, a doorbell, an MSI-X
 * change). The controller acts on it and reports back through the
 * setters (ready, reset done, shutdown progress, fatal); bringing queues
 * up and down is its job, not ours. Nothing here locks, allocates or
 * sleeps: the caller serialises the calls on one struct.
 *
 * Every access is checked before anything changes: a size, an alignment
 * or an offset the rules below do not allow is -EINVAL (the transport
 * answers the client with an error) and leaves the state as it was.
 * Offsets come from the client: they are u64 and compared, never added
 * to, so an offset near U64_MAX cannot wrap into the space.
 */
#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/pci_ids.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/wordpart.h>

#include "nvme_id.h"
#include "nvme_regs.h"

/*
 * CAP (3.1.4, CAP). CQR: queues must be physically contiguous, so that a
 * queue is one guest range to check and translate. AMS: round robin only.
 * DSTRD 0, no NVM subsystem reset (NSSRS 0), the NVM command set only
 * (CSS bit 0), memory pages of 4 KiB to 64 KiB (MPSMIN 0, MPSMAX 4).
 */
#define VDEV_NVME_CAP_MQES		GENMASK_ULL(15, 0)
#define VDEV_NVME_CAP_CQR		BIT_ULL(16)
#define VDEV_NVME_CAP_TO		GENMASK_ULL(31, 24)
#define VDEV_NVME_CAP_CSS		GENMASK_ULL(44, 37)
#define VDEV_NVME_CAP_MPSMIN		GENMASK_ULL(51, 48)
#define VDEV_NVME_CAP_MPSMAX		GENMASK_ULL(55, 52)
#define VDEV_NVME_MPSMIN		0
#define VDEV_NVME_MPSMAX		4
/*
 * CAP.TO, in 500 ms units: how long a host waits for CSTS.RDY to follow
 * CC.EN. Disabling the controller drains its in-flight I/O, which the
 * module bounds at 30 s (session.c, drain_timeout_ms): 32 s covers it, so
 * a host does not give up on a reset that is still draining.
 */
#define VDEV_NVME_TO			64

/* CC (3.1.4, CC): the fields; CRIME and bits 31:25 are reserved here. */
#define VDEV_NVME_CC_MPS		GENMASK(10, 7)
#define VDEV_NVME_CC_AMS		GENMASK(13, 11)
#define VDEV_NVME_CC_MASK		(GENMASK(23, 4) | NVME_CC_ENABLE)
/* SHN 11b is reserved. */
#define VDEV_NVME_CC_SHN_RSVD		NVME_CC_SHN_MASK

/* AQA (3.1.4, AQA): ASQS in bits 11:0, ACQS in 27:16, both 0's based. */
#define VDEV_NVME_AQA_ASQS		GENMASK(11, 0)
#define VDEV_NVME_AQA_ACQS		GENMASK(27, 16)
#define VDEV_NVME_AQA_MASK		(VDEV_NVME_AQA_ASQS | VDEV_NVME_AQA_ACQS)
/* ASQ and ACQ: bits 11:0 are reserved, the base is page aligned. */
#define VDEV_NVME_AQ_BASE		GENMASK_ULL(63, 12)

/*
 * The PCI ids (PCIe Base 4.0, 7.5.1.1). vdev owns no vendor id and must
 * not borrow one (a vendor's id claims its device and its quirks), so the
 * vendor is 0000h, as Identify Controller's VID is (nvme_id.c). Linux
 * binds the nvme driver by class code, and enumeration rejects only a
 * vendor/device dword of all zeros, all ones, 0000FFFFh or FFFF0000h
 * (pci_bus_generic_read_dev_vendor_id()): device 0001h keeps the dword
 * off those. The subsystem ids say the same.
 */
#define VDEV_NVME_PCI_SUBVENDOR		VDEV_NVME_PCI_VENDOR
#define VDEV_NVME_PCI_SUBDEVICE		VDEV_NVME_PCI_DEVICE

/*
 * The command register's writable bits (7.5.1.1.3): memory space, bus
 * master, parity error response, SERR# enable, INTx disable. No I/O space
 * (no I/O BAR); the rest is hardwired 0 for PCI Express functions. The
 * status register keeps no RW1C bit: the function never signals an error
 * it would record there, so every status bit is read-only.
 */
#define VDEV_NVME_CMD_WMASK		(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
					 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | \
					 PCI_COMMAND_INTX_DISABLE)

/* PMC version 3: PCI Power Management 1.2, the version PCIe requires. */
#define VDEV_NVME_PMC			3

/*
 * PCI Express Device Control (7.5.3.4): the bits an endpoint without
 * optional features must keep as written: the four error reporting
 * enables, relaxed ordering, Max_Payload_Size, no snoop and
 * Max_Read_Request_Size. Extended tags, phantom functions and aux power
 * are not supported, so those bits are hardwired 0, and so is Initiate
 * FLR (no FLR: the transport's DEVICE_RESET is the reset). The values are
 * stored, never acted on: no TLP is ever sized by them. Device Status has
 * only RW1C error bits, which stay 0 like the status register's, and
 * Link Control keeps nothing: there is no link to manage.
 */
#define VDEV_NVME_DEVCTL_WMASK		(PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE | \
					 PCI_EXP_DEVCTL_FERE | PCI_EXP_DEVCTL_URRE | \
					 PCI_EXP_DEVCTL_RELAX_EN | \
					 PCI_EXP_DEVCTL_PAYLOAD | \
					 PCI_EXP_DEVCTL_NOSNOOP_EN | \
					 PCI_EXP_DEVCTL_READRQ)
/* Its reset value: relaxed ordering and no snoop on, 512-byte reads. */
#define VDEV_NVME_DEVCTL_RESET		(PCI_EXP_DEVCTL_RELAX_EN | \
					 PCI_EXP_DEVCTL_NOSNOOP_EN | \
					 PCI_EXP_DEVCTL_READRQ_512B)
/* Capability version 2, endpoint (7.5.3.2). */
#define VDEV_NVME_EXP_FLAGS		(2 | PCI_EXP_TYPE_ENDPOINT << 4)
/* One lane at 2.5 GT/s: what a link that does not exist says. */
#define VDEV_NVME_LNKCAP		(PCI_EXP_LNKCAP_SLS_2_5GB | \
					 FIELD_PREP(PCI_EXP_LNKCAP_MLW, 1))
#define VDEV_NVME_LNKSTA		(PCI_EXP_LNKSTA_CLS_2_5GB | \
					 PCI_EXP_LNKSTA_NLW_X1)

/* The writable MSI-X Message Control bits (7.7.2.2). */
#define VDEV_NVME_MSIX_CTRL_WMASK	(PCI_MSIX_FLAGS_ENABLE | \
					 PCI_MSIX_FLAGS_MASKALL)

/* --- configuration space -------------------------------------------------- */

static void vdev_nvme_cfg_put8(struct vdev_nvme_regs *r, u32 off, u8 v)
{
	r->pci[off] = v;
}

static void vdev_nvme_cfg_put16(struct vdev_nvme_regs *r, u32 off, u16 v)
{
	put_unaligned_le16(v, r->pci + off);
}

static void vdev_nvme_cfg_put32(struct vdev_nvme_regs *r, u32 off, u32 v)
{
	put_unaligned_le32(v, r->pci + off);
}

static u16 vdev_nvme_cfg_get16(const struct vdev_nvme_regs *r, u32 off)
{
	return get_unaligned_le16(r->pci + off);
}

/* A capability's header: its id and the offset of the next one. */
static void vdev_nvme_cfg_cap(struct vdev_nvme_regs *r, u32 off, u8 id,
			      u8 next)
{
	vdev_nvme_cfg_put8(r, off + PCI_CAP_LIST_ID, id);
	vdev_nvme_cfg_put8(r, off + PCI_CAP_LIST_NEXT, next);
}

/*
 * The type 0 header (PCIe Base 4.0, 7.5.1): class 01h 08h 02h, an NVM
 * Express I/O controller; revision 0; no INTx (interrupt pin 0: MSI-X
 * only); BAR0 a 64-bit non-prefetchable memory BAR; no expansion ROM.
 * Cache line size, latency timer and interrupt line reset to 0.
 */
static void vdev_nvme_cfg_header(struct vdev_nvme_regs *r)
{
	vdev_nvme_cfg_put16(r, PCI_VENDOR_ID, VDEV_NVME_PCI_VENDOR);
	vdev_nvme_cfg_put16(r, PCI_DEVICE_ID, VDEV_NVME_PCI_DEVICE);
	vdev_nvme_cfg_put16(r, PCI_STATUS, PCI_STATUS_CAP_LIST);
	vdev_nvme_cfg_put32(r, PCI_CLASS_REVISION,
			    PCI_CLASS_STORAGE_EXPRESS << 8);
	vdev_nvme_cfg_put8(r, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
	vdev_nvme_cfg_put32(r, PCI_BASE_ADDRESS_0,
			    PCI_BASE_ADDRESS_SPACE_MEMORY |
			    PCI_BASE_ADDRESS_MEM_TYPE_64);
	vdev_nvme_cfg_put16(r, PCI_SUBSYSTEM_VENDOR_ID, VDEV_NVME_PCI_SUBVENDOR);
	vdev_nvme_cfg_put16(r, PCI_SUBSYSTEM_ID, VDEV_NVME_PCI_SUBDEVICE);
	vdev_nvme_cfg_put8(r, PCI_CAPABILITY_LIST, VDEV_NVME_CFG_PM);
}

/*
 * Power management (PCIe Base 4.0, 7.5.2): D0 and D3hot, the two every
 * function has; no D1, D2 or PME. No_Soft_Reset: going back to D0 from
 * D3hot keeps the state, as nothing here resets on it.
 */
static void vdev_nvme_cfg_pm(struct vdev_nvme_regs *r)
{
	vdev_nvme_cfg_cap(r, VDEV_NVME_CFG_PM, PCI_CAP_ID_PM,
			  VDEV_NVME_CFG_MSIX);
	vdev_nvme_cfg_put16(r, VDEV_NVME_CFG_PM + PCI_PM_PMC, VDEV_NVME_PMC);
	vdev_nvme_cfg_put16(r, VDEV_NVME_CFG_PM + PCI_PM_CTRL,
			    PCI_PM_CTRL_NO_SOFT_RESET);
}

/*
 * MSI-X (PCIe Base 4.0, 7.7.2): Table Size is N - 1; table and PBA in
 * BAR0 (BIR 0), each on a page of its own, off the doorbell page the
 * client maps.
 */
static void vdev_nvme_cfg_msix(struct vdev_nvme_regs *r)
{
	u32 off = VDEV_NVME_CFG_MSIX;

	vdev_nvme_cfg_cap(r, off, PCI_CAP_ID_MSIX, VDEV_NVME_CFG_EXP);
	vdev_nvme_cfg_put16(r, off + PCI_MSIX_FLAGS, r->cfg.nr_vectors - 1);
	vdev_nvme_cfg_put32(r, off + PCI_MSIX_TABLE, VDEV_NVME_BAR_MSIX_TABLE);
	vdev_nvme_cfg_put32(r, off + PCI_MSIX_PBA, VDEV_NVME_BAR_MSIX_PBA);
}

/*
 * PCI Express capability, version 2, of an endpoint (PCIe Base 4.0,
 * 7.5.3): Role-Based Error Reporting (required since 1.1), 128-byte
 * payloads, no FLR, no optional feature in the version 2 registers but
 * the one link speed.
 */
static void vdev_nvme_cfg_exp(struct vdev_nvme_regs *r)
{
	u32 off = VDEV_NVME_CFG_EXP;

	vdev_nvme_cfg_cap(r, off, PCI_CAP_ID_EXP, 0);
	vdev_nvme_cfg_put16(r, off + PCI_EXP_FLAGS, VDEV_NVME_EXP_FLAGS);
	vdev_nvme_cfg_put32(r, off + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_RBER);
	vdev_nvme_cfg_put16(r, off + PCI_EXP_DEVCTL, VDEV_NVME_DEVCTL_RESET);
	vdev_nvme_cfg_put32(r, off + PCI_EXP_LNKCAP, VDEV_NVME_LNKCAP);
	vdev_nvme_cfg_put16(r, off + PCI_EXP_LNKSTA, VDEV_NVME_LNKSTA);
	vdev_nvme_cfg_put32(r, off + PCI_EXP_LNKCAP2, PCI_EXP_LNKCAP2_SLS_2_5GB);
	vdev_nvme_cfg_put16(r, off + PCI_EXP_LNKCTL2, PCI_EXP_LNKCTL2_TLS_2_5GT);
}

/* The configuration space at reset. */
static void vdev_nvme_cfg_reset(struct vdev_nvme_regs *r)
{
	BUILD_BUG_ON(VDEV_NVME_CFG_PM + PCI_PM_SIZEOF > VDEV_NVME_CFG_MSIX);
	BUILD_BUG_ON(VDEV_NVME_CFG_MSIX + PCI_CAP_MSIX_SIZEOF >
		     VDEV_NVME_CFG_EXP);
	BUILD_BUG_ON(VDEV_NVME_CFG_EXP + PCI_CAP_EXP_ENDPOINT_SIZEOF_V2 >
		     PCI_CFG_SPACE_SIZE);

	memset(r->pci, 0, sizeof(r->pci));
	vdev_nvme_cfg_header(r);
	vdev_nvme_cfg_pm(r);
	vdev_nvme_cfg_msix(r);
	vdev_nvme_cfg_exp(r);
}

/*
 * The bits of the dword at @dword a write may change; all others keep
 * their value. BAR0's low bits below its size are 0 and read-only, so
 * writing all ones reads back the size mask with the flags (PCI Local
 * Bus 3.0, 6.2.5.1); BAR1 is BAR0's upper half, all address. BAR2-5, the
 * ROM BAR, the latency timer (hardwired 0 in PCI Express, PCIe Base 4.0,
 * 7.5.1.1.8) and everything not named are read-only.
 */
static u32 vdev_nvme_cfg_wmask(u32 dword)
{
	switch (dword) {
	case PCI_COMMAND:
		return VDEV_NVME_CMD_WMASK;
	case PCI_CACHE_LINE_SIZE:
		return 0xff;
	case PCI_BASE_ADDRESS_0:
		return (u32)~(VDEV_NVME_BAR0_SIZE - 1);
	case PCI_BASE_ADDRESS_1:
		return U32_MAX;
	case PCI_INTERRUPT_LINE:
		return 0xff;
	case VDEV_NVME_CFG_PM + PCI_PM_CTRL:
		return PCI_PM_CTRL_STATE_MASK;
	case VDEV_NVME_CFG_MSIX:
		return VDEV_NVME_MSIX_CTRL_WMASK << 16;
	case VDEV_NVME_CFG_EXP + PCI_EXP_DEVCTL:
		return VDEV_NVME_DEVCTL_WMASK;
	default:
		return 0;
	}
}

/*
 * What a write to @dword changed from @old to @val reports. A write
 * touches one dword, and no dword holds two reported fields, so one
 * event says it all.
 */
static void vdev_nvme_cfg_report(u32 dword, u32 old, u32 val,
				 struct vdev_nvme_reg_event *ev)
{
	u32 diff = old ^ val;

	switch (dword) {
	case PCI_COMMAND:
		if (diff & PCI_COMMAND_MASTER) {
			ev->type = VDEV_NVME_REG_BUS_MASTER;
			ev->value = !!(val & PCI_COMMAND_MASTER);
		}
		break;
	case VDEV_NVME_CFG_PM + PCI_PM_CTRL:
		if (diff & PCI_PM_CTRL_STATE_MASK) {
			ev->type = VDEV_NVME_REG_POWER;
			ev->value = val & PCI_PM_CTRL_STATE_MASK;
		}
		break;
	case VDEV_NVME_CFG_MSIX:
		if (diff >> 16) {
			ev->type = VDEV_NVME_REG_MSIX_CTRL;
			ev->value = val >> 16;
		}
		break;
	}
}

/**
 * vdev_nvme_cfg_read - read the configuration space
 * @r: the registers
 * @off: offset in the 4 KiB space
 * @buf: @len bytes, filled little-endian as the wire has them
 * @len: 1 or more bytes, all inside the space
 *
 * Reads have no side effect, so any range is fine: a vfio-user client
 * reads the whole space in one message when it sets up. The extended
 * space, from 100h, reads 0: an extended capability header of 0 says
 * there is none (PCIe Base 4.0, 7.6.1).
 *
 * Return: 0, or -EINVAL when the range is empty or leaves the space.
 */
int vdev_nvme_cfg_read(const struct vdev_nvme_regs *r, u64 off, void *buf,
		       u32 len)
{
	u32 n;

	if (!len || off >= VDEV_NVME_CFG_SIZE || len > VDEV_NVME_CFG_SIZE - off)
		return -EINVAL;
	n = off < PCI_CFG_SPACE_SIZE ? min_t(u32, len, PCI_CFG_SPACE_SIZE - off) : 0;
	memcpy(buf, r->pci + off, n);
	memset(buf + n, 0, len - n);
	return 0;
}

/**
 * vdev_nvme_cfg_write - write the configuration space
 * @r: the registers
 * @off: offset in the 4 KiB space
 * @buf: @len bytes, little-endian
 * @len: 1 to 4 bytes, inside one dword: what PCI configuration
 *	mechanisms produce (PCIe Base 4.0, 7.2.2: no access crosses a dword)
 * @ev: filled with what the write changed: VDEV_NVME_REG_BUS_MASTER,
 *	VDEV_NVME_REG_MSIX_CTRL, VDEV_NVME_REG_POWER or VDEV_NVME_REG_NONE
 *
 * Only the writable bits change (see vdev_nvme_cfg_wmask()); a power
 * state other than D0 or D3hot is dropped and the state stays, as PCIe
 * Base 4.0, 7.5.2.2 has it for states the function does not support.
 *
 * Return: 0, or -EINVAL for an empty, longer or dword-crossing write or
 * one outside the space, which changes nothing.
 */
int vdev_nvme_cfg_write(struct vdev_nvme_regs *r, u64 off, const void *buf,
			u32 len, struct vdev_nvme_reg_event *ev)
{
	u32 dword, shift, wmask, val = 0, old, i;

	*ev = (struct vdev_nvme_reg_event){ .type = VDEV_NVME_REG_NONE };
	if (!len || len > 4 || off >= VDEV_NVME_CFG_SIZE || (off & 3) + len > 4)
		return -EINVAL;
	if (off >= PCI_CFG_SPACE_SIZE)
		return 0;
	dword = off & ~3;
	shift = (off & 3) * 8;
	for (i = 0; i < len; i++)
		val |= (u32)((const u8 *)buf)[i] << (8 * i);
	wmask = vdev_nvme_cfg_wmask(dword) & GENMASK(shift + 8 * len - 1, shift);
	old = get_unaligned_le32(r->pci + dword);
	val = (old & ~wmask) | (val << shift & wmask);
	if (dword == VDEV_NVME_CFG_PM + PCI_PM_CTRL) {
		u32 state = val & PCI_PM_CTRL_STATE_MASK;

		if (state != 0 && state != PCI_PM_CTRL_STATE_MASK)
			val = (val & ~PCI_PM_CTRL_STATE_MASK) |
			      (old & PCI_PM_CTRL_STATE_MASK);
	}
	put_unaligned_le32(val, r->pci + dword);
	vdev_nvme_cfg_report(dword, old, val, ev);
	return 0;
}

/* --- controller registers ------------------------------------------------- */

static bool vdev_nvme_enabled(const struct vdev_nvme_regs *r)
{
	return r->cc & NVME_CC_ENABLE;
}

static u32 vdev_nvme_reg_read32(const struct vdev_nvme_regs *r, u32 off)
{
	switch (off) {
	case NVME_REG_CAP:
		return lower_32_bits(r->cap);
	case NVME_REG_CAP + 4:
		return upper_32_bits(r->cap);
	case NVME_REG_VS:
		return VDEV_NVME_VS;
	case NVME_REG_INTMS:
	case NVME_REG_INTMC:
		return r->intm;
	case NVME_REG_CC:
		return r->cc;
	case NVME_REG_CSTS:
		return r->csts;
	case NVME_REG_AQA:
		return r->aqa;
	case NVME_REG_ASQ:
		return lower_32_bits(r->asq);
	case NVME_REG_ASQ + 4:
		return upper_32_bits(r->asq);
	case NVME_REG_ACQ:
		return lower_32_bits(r->acq);
	case NVME_REG_ACQ + 4:
		return upper_32_bits(r->acq);
	default:
		/* NSSR reads 0; the rest is optional and absent, or reserved. */
		return 0;
	}
}

/*
 * The admin queue registers change only while CC.EN is 0 (3.1.4, AQA,
 * ASQ, ACQ: the host sets them up before it enables the controller); the
 * controller uses them when it is enabled, so a write afterwards is
 * ignored rather than changing a live queue under it.
 */
static void vdev_nvme_aq_write(struct vdev_nvme_regs *r, u32 off, u32 val)
{
	u64 *reg = off < NVME_REG_ACQ ? &r->asq : &r->acq;

	if (vdev_nvme_enabled(r))
		return;
	if (off & 4)
		*reg = (u64)val << 32 | lower_32_bits(*reg);
	else
		*reg = (*reg & GENMASK_ULL(63, 32)) | val;
	*reg &= VDEV_NVME_AQ_BASE;
}

/*
 * What CC.EN 0 to 1 needs (3.1.4, CC and AQA; 3.5.1, controller
 * initialisation): admin queues of 2 to MQES + 1 entries at nonzero
 * addresses, the NVM command set, a memory page size between MPSMIN and
 * MPSMAX, round robin arbitration. IOSQES and IOCQES are checked when an
 * I/O queue is created, as the specification allows.
 */
static bool vdev_nvme_cc_valid(const struct vdev_nvme_regs *r, u32 cc)
{
	u32 mqes = NVME_CAP_MQES(r->cap);
	u32 asqs = FIELD_GET(VDEV_NVME_AQA_ASQS, r->aqa);
	u32 acqs = FIELD_GET(VDEV_NVME_AQA_ACQS, r->aqa);

	/* MPSMIN is 0: no page size is below it. */
	BUILD_BUG_ON(VDEV_NVME_MPSMIN != 0);
	if ((cc & NVME_CC_CSS_MASK) != NVME_CC_CSS_NVM ||
	    FIELD_GET(VDEV_NVME_CC_MPS, cc) > VDEV_NVME_MPSMAX ||
	    (cc & VDEV_NVME_CC_AMS) != NVME_CC_AMS_RR)
		return false;
	if (!asqs || asqs > mqes || !acqs || acqs > mqes)
		return false;
	return r->asq && r->acq;
}

/*
 * CC.EN 0 to 1. An invalid configuration, or an enable before CSTS.RDY
 * went 0 after the last disable (the host must wait for it, 3.1.4,
 * CC.EN), sets CSTS.CFS and reports nothing: the controller cannot come
 * up, and CFS is how NVMe says so. Linux 6.12's nvme_wait_ready() does
 * not look at CFS: it waits for RDY until CAP.TO runs out and gives up,
 * and nvme_dev_disable() then takes CFS for a dead controller. SHN is
 * dropped: a host asks for a shutdown of a controller that is enabled.
 */
static void vdev_nvme_cc_enable(struct vdev_nvme_regs *r, u32 val,
				struct vdev_nvme_reg_event *ev)
{
	r->cc = val & ~NVME_CC_SHN_MASK;
	if (!vdev_nvme_cc_valid(r, r->cc) || (r->csts & NVME_CSTS_RDY)) {
		r->csts |= NVME_CSTS_CFS;
		return;
	}
	ev->type = VDEV_NVME_REG_ENABLE;
}

/*
 * While CC.EN stays 1 only SHN may change: the host shall not change the
 * other fields then (3.1.4, CC), so they keep their value. SHN 00b to
 * 01b or 10b asks for a shutdown; 11b is reserved and ignored; other
 * changes are stored and ask nothing (a shutdown ends with a reset).
 */
static void vdev_nvme_cc_shn(struct vdev_nvme_regs *r, u32 val,
			     struct vdev_nvme_reg_event *ev)
{
	u32 shn = val & NVME_CC_SHN_MASK;

	if (shn == VDEV_NVME_CC_SHN_RSVD)
		return;
	if (!(r->cc & NVME_CC_SHN_MASK) && shn) {
		ev->type = VDEV_NVME_REG_SHUTDOWN;
		ev->value = shn >> NVME_CC_SHN_SHIFT;
	}
	r->cc = (r->cc & ~NVME_CC_SHN_MASK) | shn;
}

static void vdev_nvme_cc_write(struct vdev_nvme_regs *r, u32 val,
			       struct vdev_nvme_reg_event *ev)
{
	bool was = vdev_nvme_enabled(r), now = val & NVME_CC_ENABLE;

	val &= VDEV_NVME_CC_MASK;
	if (was && now) {
		vdev_nvme_cc_shn(r, val, ev);
	} else if (now) {
		vdev_nvme_cc_enable(r, val, ev);
	} else {
		/* 1 to 0 is a controller reset (3.7.2); 0 to 0 just stores. */
		r->cc = val;
		if (was)
			ev->type = VDEV_NVME_REG_RESET;
	}
}

/*
 * Writes to CAP, VS, CSTS and reserved offsets are ignored; so are
 * writes to NSSR: with CAP.NSSRS 0 there is no NVM subsystem reset.
 * INTMS and INTMC keep a mask that changes nothing: they are for pin and
 * MSI interrupts, and this function has only MSI-X (3.1.4, INTMS).
 */
static void vdev_nvme_reg_write32(struct vdev_nvme_regs *r, u32 off, u32 val,
				  struct vdev_nvme_reg_event *ev)
{
	switch (off) {
	case NVME_REG_INTMS:
		r->intm |= val;
		break;
	case NVME_REG_INTMC:
		r->intm &= ~val;
		break;
	case NVME_REG_CC:
		vdev_nvme_cc_write(r, val, ev);
		break;
	case NVME_REG_AQA:
		if (!vdev_nvme_enabled(r))
			r->aqa = val & VDEV_NVME_AQA_MASK;
		break;
	case NVME_REG_ASQ:
	case NVME_REG_ASQ + 4:
	case NVME_REG_ACQ:
	case NVME_REG_ACQ + 4:
		vdev_nvme_aq_write(r, off, val);
		break;
	}
}

/* --- doorbells, MSI-X table and PBA ---------------------------------------- */

/*
 * A doorbell write is reported whatever the queue id: a doorbell of a
 * queue that does not exist, or past VDEV_NVME_MAX_QID, and a value out
 * of range are errors of the host that the controller answers with an
 * asynchronous event (NVMe Base 2.0, 5.2: error events "Write to
 * Invalid Doorbell Register" and "Invalid Doorbell Write Value"), not failed
 * accesses. Only the controller knows which queues exist.
 */
static void vdev_nvme_db_write(u32 off, u32 val,
			       struct vdev_nvme_reg_event *ev)
{
	u32 i = off - VDEV_NVME_BAR_DB;

	ev->type = VDEV_NVME_REG_DOORBELL;
	ev->index = i / VDEV_NVME_DB_STRIDE;
	ev->cq = i & 4;
	ev->value = val;
}

/* The vector whose table entry @off falls in; past the count: none. */
static u32 vdev_nvme_msix_vector(u32 off)
{
	return (off - VDEV_NVME_BAR_MSIX_TABLE) / PCI_MSIX_ENTRY_SIZE;
}

static u32 vdev_nvme_msix_read32(const struct vdev_nvme_regs *r, u32 off)
{
	u32 vector = vdev_nvme_msix_vector(off);
	const struct vdev_nvme_msix_entry *e;

	if (vector >= r->cfg.nr_vectors)
		return 0;
	e = &r->msix[vector];
	switch (off % PCI_MSIX_ENTRY_SIZE) {
	case PCI_MSIX_ENTRY_LOWER_ADDR:
		return e->addr_lo;
	case PCI_MSIX_ENTRY_UPPER_ADDR:
		return e->addr_hi;
	case PCI_MSIX_ENTRY_DATA:
		return e->data;
	default:
		return e->ctrl;
	}
}

/*
 * An MSI-X table entry (PCIe Base 4.0, 7.7.2.5-8): the address is dword
 * aligned (bits 1:0 read 0) and Vector Control has only the mask bit.
 * Entries past the vector count read 0 and ignore writes. A vfio-user
 * client such as QEMU's vfio-pci emulates the table itself and passes it
 * on through DEVICE_SET_IRQS, so these accesses rarely arrive; they are
 * still served as the capability describes the table.
 */
static void vdev_nvme_msix_write32(struct vdev_nvme_regs *r, u32 off, u32 val,
				   struct vdev_nvme_reg_event *ev)
{
	u32 vector = vdev_nvme_msix_vector(off);
	struct vdev_nvme_msix_entry *e;

	if (vector >= r->cfg.nr_vectors)
		return;
	e = &r->msix[vector];
	switch (off % PCI_MSIX_ENTRY_SIZE) {
	case PCI_MSIX_ENTRY_LOWER_ADDR:
		e->addr_lo = val & ~3U;
		break;
	case PCI_MSIX_ENTRY_UPPER_ADDR:
		e->addr_hi = val;
		break;
	case PCI_MSIX_ENTRY_DATA:
		e->data = val;
		break;
	default:
		e->ctrl = val & PCI_MSIX_ENTRY_CTRL_MASKBIT;
		break;
	}
	ev->type = VDEV_NVME_REG_MSIX_ENTRY;
	ev->index = vector;
}

/* Pending bits of dword @off of the PBA; vectors past the count read 0. */
static u32 vdev_nvme_pba_read32(const struct vdev_nvme_regs *r, u32 off)
{
	u32 i = (off - VDEV_NVME_BAR_MSIX_PBA) / 4;

	if (i >= DIV_ROUND_UP(r->cfg.nr_vectors, 32))
		return 0;
	return r->pba[i / 2] >> (i % 2 * 32);
}

/* --- BAR0 ----------------------------------------------------------------- */

/*
 * The access rules of BAR0: 4 or 8 bytes, naturally aligned, inside the
 * BAR (so never across a page). 8 bytes only on the 64-bit registers
 * CAP, ASQ and ACQ (3.1.4: a 64-bit property as one access or two
 * halves), and never on a doorbell (32 bits each, NVMe over PCIe
 * Transport 1.0, SQyTDBL and CQyHDBL). The MSI-X table and PBA take either (PCIe Base
 * 4.0, 7.7.2: aligned dword or qword accesses).
 */
static int vdev_nvme_bar_check(u64 off, u32 len)
{
	if ((len != 4 && len != 8) || off >= VDEV_NVME_BAR0_SIZE ||
	    off & (len - 1))
		return -EINVAL;
	if (len == 4)
		return 0;
	if (off < VDEV_NVME_BAR_DB)
		return off == NVME_REG_CAP || off == NVME_REG_ASQ ||
		       off == NVME_REG_ACQ ? 0 : -EINVAL;
	return off < VDEV_NVME_BAR_MSIX_TABLE ? -EINVAL : 0;
}

static u32 vdev_nvme_bar_read32(const struct vdev_nvme_regs *r, u32 off)
{
	switch (off & ~(VDEV_NVME_BAR_PAGE - 1)) {
	case VDEV_NVME_BAR_REGS:
		return vdev_nvme_reg_read32(r, off);
	case VDEV_NVME_BAR_MSIX_TABLE:
		return vdev_nvme_msix_read32(r, off);
	case VDEV_NVME_BAR_MSIX_PBA:
		return vdev_nvme_pba_read32(r, off);
	default:
		/* Doorbells are write-only and read 0. */
		return 0;
	}
}

static void vdev_nvme_bar_write32(struct vdev_nvme_regs *r, u32 off, u32 val,
				  struct vdev_nvme_reg_event *ev)
{
	switch (off & ~(VDEV_NVME_BAR_PAGE - 1)) {
	case VDEV_NVME_BAR_REGS:
		vdev_nvme_reg_write32(r, off, val, ev);
		break;
	case VDEV_NVME_BAR_DB:
		vdev_nvme_db_write(off, val, ev);
		break;
	case VDEV_NVME_BAR_MSIX_TABLE:
		vdev_nvme_msix_write32(r, off, val, ev);
		break;
	default:
		/* The PBA is read-only (7.7.2.9): writes are dropped. */
		break;
	}
}

/**
 * vdev_nvme_bar_read - read BAR0
 * @r: the registers
 * @off: offset in BAR0
 * @buf: @len bytes, filled little-endian
 * @len: 4 or 8
 *
 * See vdev_nvme_bar_check() for the rules. Reads have no side effect;
 * offsets with nothing behind them read 0.
 *
 * Return: 0, or -EINVAL for an access the rules refuse.
 */
int vdev_nvme_bar_read(const struct vdev_nvme_regs *r, u64 off, void *buf,
		       u32 len)
{
	u32 lo;

	if (vdev_nvme_bar_check(off, len))
		return -EINVAL;
	lo = vdev_nvme_bar_read32(r, off);
	if (len == 8)
		put_unaligned_le64((u64)vdev_nvme_bar_read32(r, off + 4) << 32 | lo,
				   buf);
	else
		put_unaligned_le32(lo, buf);
	return 0;
}

/**
 * vdev_nvme_bar_write - write BAR0
 * @r: the registers
 * @off: offset in BAR0
 * @buf: @len bytes, little-endian
 * @len: 4 or 8
 * @ev: filled with what the controller must do: VDEV_NVME_REG_ENABLE,
 *	_RESET, _SHUTDOWN, _DOORBELL, _MSIX_ENTRY or _NONE
 *
 * An 8-byte write is its two halves in address order; none of the places
 * that take one reports twice.
 *
 * Return: 0, or -EINVAL for an access the rules refuse, which changes
 * nothing.
 */
int vdev_nvme_bar_write(struct vdev_nvme_regs *r, u64 off, const void *buf,
			u32 len, struct vdev_nvme_reg_event *ev)
{
	*ev = (struct vdev_nvme_reg_event){ .type = VDEV_NVME_REG_NONE };
	if (vdev_nvme_bar_check(off, len))
		return -EINVAL;
	vdev_nvme_bar_write32(r, off, get_unaligned_le32(buf), ev);
	if (len == 8)
		vdev_nvme_bar_write32(r, off + 4, get_unaligned_le32(buf + 4), ev);
	return 0;
}

/* --- state and setters ---------------------------------------------------- */

/**
 * vdev_nvme_regs_reset - everything back to power-on values
 * @r: the registers, made by vdev_nvme_regs_init()
 *
 * A conventional reset, as at power-on or the transport's DEVICE_RESET:
 * configuration space, controller registers (the admin queue ones too),
 * MSI-X entries masked and nothing pending.
 */
void vdev_nvme_regs_reset(struct vdev_nvme_regs *r)
{
	u32 i;

	vdev_nvme_cfg_reset(r);
	r->cap = FIELD_PREP(VDEV_NVME_CAP_MQES, r->cfg.queue_size - 1) |
		 VDEV_NVME_CAP_CQR |
		 FIELD_PREP(VDEV_NVME_CAP_TO, VDEV_NVME_TO) |
		 FIELD_PREP(VDEV_NVME_CAP_CSS, NVME_CAP_CSS_NVM) |
		 FIELD_PREP(VDEV_NVME_CAP_MPSMIN, VDEV_NVME_MPSMIN) |
		 FIELD_PREP(VDEV_NVME_CAP_MPSMAX, VDEV_NVME_MPSMAX);
	r->intm = 0;
	r->cc = 0;
	r->csts = 0;
	r->aqa = 0;
	r->asq = 0;
	r->acq = 0;
	/* Vector Control's mask bit resets to 1 (PCIe Base 4.0, 7.7.2.8). */
	for (i = 0; i < ARRAY_SIZE(r->msix); i++)
		r->msix[i] = (struct vdev_nvme_msix_entry){
			.ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT,
		};
	memset(r->pba, 0, sizeof(r->pba));
}

/**
 * vdev_nvme_regs_init - make the registers of a new function
 * @r: filled in
 * @cfg: what the function is made of
 *
 * Return: 0, or -EINVAL when @cfg->queue_size or @cfg->nr_vectors is out
 * of its range (see struct vdev_nvme_regs_cfg); @r is then untouched.
 */
int vdev_nvme_regs_init(struct vdev_nvme_regs *r,
			const struct vdev_nvme_regs_cfg *cfg)
{
	if (cfg->queue_size < VDEV_NVME_REGS_MIN_QUEUE_SIZE ||
	    cfg->queue_size > VDEV_NVME_REGS_MAX_QUEUE_SIZE ||
	    !cfg->nr_vectors || cfg->nr_vectors > VDEV_NVME_MSIX_MAX)
		return -EINVAL;
	r->cfg = *cfg;
	vdev_nvme_regs_reset(r);
	return 0;
}

/**
 * vdev_nvme_regs_ready - the controller is ready: CSTS.RDY 1
 * @r: the registers
 *
 * After VDEV_NVME_REG_ENABLE, once the admin queue is up.
 */
void vdev_nvme_regs_ready(struct vdev_nvme_regs *r)
{
	r->csts |= NVME_CSTS_RDY;
}

/**
 * vdev_nvme_regs_reset_done - a controller reset has finished
 * @r: the registers
 *
 * After VDEV_NVME_REG_RESET, once every queue is gone: the controller
 * registers return to their reset values (CSTS.RDY 0 tells the host),
 * except AQA, ASQ and ACQ, which a controller reset keeps (3.7.2). PCI
 * state and MSI-X are not the controller's: they stay.
 */
void vdev_nvme_regs_reset_done(struct vdev_nvme_regs *r)
{
	r->intm = 0;
	r->cc = 0;
	r->csts = 0;
}

static void vdev_nvme_regs_shst(struct vdev_nvme_regs *r, u32 shst)
{
	r->csts = (r->csts & ~NVME_CSTS_SHST_MASK) | shst;
}

/**
 * vdev_nvme_regs_shutdown_busy - a shutdown is under way: CSTS.SHST 01b
 * @r: the registers
 */
void vdev_nvme_regs_shutdown_busy(struct vdev_nvme_regs *r)
{
	vdev_nvme_regs_shst(r, NVME_CSTS_SHST_OCCUR);
}

/**
 * vdev_nvme_regs_shutdown_done - the shutdown is complete: CSTS.SHST 10b
 * @r: the registers
 */
void vdev_nvme_regs_shutdown_done(struct vdev_nvme_regs *r)
{
	vdev_nvme_regs_shst(r, NVME_CSTS_SHST_CMPLT);
}

/**
 * vdev_nvme_regs_fatal - the controller failed: CSTS.CFS 1
 * @r: the registers
 *
 * The host answers with a controller reset, whose end clears it.
 */
void vdev_nvme_regs_fatal(struct vdev_nvme_regs *r)
{
	r->csts |= NVME_CSTS_CFS;
}

/**
 * vdev_nvme_regs_pba_set - mark an MSI-X vector pending
 * @r: the registers
 * @vector: the vector, below the vector count
 *
 * For a message the controller could not send because the vector or the
 * function was masked (PCIe Base 4.0, 7.7.2.9).
 *
 * Return: 0, or -EINVAL for a vector past the count.
 */
int vdev_nvme_regs_pba_set(struct vdev_nvme_regs *r, u32 vector)
{
	if (vector >= r->cfg.nr_vectors)
		return -EINVAL;
	r->pba[vector / 64] |= BIT_ULL(vector % 64);
	return 0;
}

/**
 * vdev_nvme_regs_pba_clear - an MSI-X vector is no longer pending
 * @r: the registers
 * @vector: the vector, below the vector count
 *
 * Return: 0, or -EINVAL for a vector past the count.
 */
int vdev_nvme_regs_pba_clear(struct vdev_nvme_regs *r, u32 vector)
{
	if (vector >= r->cfg.nr_vectors)
		return -EINVAL;
	r->pba[vector / 64] &= ~BIT_ULL(vector % 64);
	return 0;
}

/**
 * vdev_nvme_regs_msix_live - may a message go out on an MSI-X vector now
 * @r: the registers
 * @vector: the vector
 *
 * Yes when the vector exists, MSI-X is enabled and not function-masked,
 * the entry is not masked, bus mastering is on (a function that may not
 * master may not send messages either, PCIe Base 4.0, 7.5.1.1.3) and the
 * function is in D0. When the client emulates the table, its
 * DEVICE_SET_IRQS decides instead (see vdev_nvme_msix_write32()).
 *
 * Return: true when a message may be sent.
 */
bool vdev_nvme_regs_msix_live(const struct vdev_nvme_regs *r, u32 vector)
{
	u16 ctl = vdev_nvme_cfg_get16(r, VDEV_NVME_CFG_MSIX + PCI_MSIX_FLAGS);
	u16 cmd = vdev_nvme_cfg_get16(r, PCI_COMMAND);
	u16 pm = vdev_nvme_cfg_get16(r, VDEV_NVME_CFG_PM + PCI_PM_CTRL);

	if (vector >= r->cfg.nr_vectors)
		return false;
	return (ctl & PCI_MSIX_FLAGS_ENABLE) && !(ctl & PCI_MSIX_FLAGS_MASKALL) &&
	       !(r->msix[vector].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT) &&
	       (cmd & PCI_COMMAND_MASTER) && !(pm & PCI_PM_CTRL_STATE_MASK);
}
