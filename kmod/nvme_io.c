// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe I/O commands of the NVM command set (NVM Command Set Specification
 * 1.0, chapter 3; Flush: NVMe Base Specification 2.0, 7.1): parse, then
 * execute, as nvmet's io-cmd-bdev.c does.
 *
 * vdev_nvme_io_parse() takes a submission queue entry as the guest wrote
 * it, the namespace its NSID names and what Identify Controller told the
 * host (NN, MDTS), checks the command and decodes it into a struct
 * vdev_nvme_io: the operation, its sectors, the data it moves. The
 * controller then walks the data pointer (nvme_dptr.c), reads Dataset
 * Management ranges through vdev_nvme_dsm_range(), builds bios, and
 * completes with vdev_nvme_blk_status() and vdev_nvme_cqe_status().
 *
 * Everything here is pure: no lock, no guest memory, no block device, no
 * allocation. Statuses are NVME_SC_* values without DNR; every status the
 * parse returns is final (the same command fails the same way again), so
 * its completion sets DNR.
 *
 * Reserved fields are not checked: the specification lets a controller
 * ignore them, and checking them would refuse commands of later revisions
 * that the fields are reserved for. Fields the controller must interpret
 * are, and a value it cannot honour is Invalid Field in Command ("a
 * reserved coded value or an unsupported value in a defined field").
 */
#include <linux/blk_types.h>
#include <linux/kernel.h>
#include <linux/minmax.h>

#include "nvme_io.h"

/* Logical block shift less the sector shift: sectors per block, as a shift. */
static unsigned int vdev_nvme_io_sect_shift(const struct vdev_nvme_ns_info *ns)
{
	return ns->lba_shift - SECTOR_SHIFT;
}

/*
 * A namespace the parse can compute with: blocks of 512 bytes to 64 KiB,
 * and a capacity whose sectors fit a u64 (a block device's always do).
 * Anything else is the caller's bug, not the guest's.
 */
static bool vdev_nvme_io_ns_sane(const struct vdev_nvme_ns_info *ns)
{
	return ns->lba_shift >= VDEV_NVME_MIN_LBA_SHIFT &&
	       ns->lba_shift <= VDEV_NVME_MAX_LBA_SHIFT &&
	       ns->nr_blocks <= U64_MAX >> vdev_nvme_io_sect_shift(ns);
}

/*
 * @nlb blocks from @slba lie in the namespace: LBA Out of Range otherwise
 * (NVM CS 1.0, status 80h: "an LBA that exceeds the size of the
 * namespace"). Written so that SLBA + NLB cannot overflow.
 */
static bool vdev_nvme_io_lba_ok(const struct vdev_nvme_ns_info *ns, u64 slba,
				u64 nlb)
{
	return slba <= ns->nr_blocks && nlb <= ns->nr_blocks - slba;
}

/* The commands served: the NVM command set's mandatory ones and ONCS's. */
static bool vdev_nvme_io_opcode_known(u8 opcode)
{
	switch (opcode) {
	case nvme_cmd_flush:
	case nvme_cmd_write:
	case nvme_cmd_read:
	case nvme_cmd_write_zeroes:
	case nvme_cmd_dsm:
		return true;
	default:
		return false;
	}
}

/*
 * The NSID rules (Base 2.0, 3.2.1 and the Common Command Format's NSID
 * field): an invalid NSID (0, above NN) is Invalid Namespace or Format; a
 * valid one that names no attached namespace (inactive) is Invalid Field
 * in Command. The broadcast value FFFFFFFFh is Invalid Field in Command
 * for the commands that do not take it, which are all of these but Flush;
 * Flush takes it only when VWC bits 2:1 say 11b, and ours say 10b (or
 * nothing, without a write cache), which 7.1 answers with Invalid
 * Namespace or Format.
 */
static u16 vdev_nvme_io_nsid(u32 nsid, u8 opcode,
			     const struct vdev_nvme_ns_info *ns,
			     const struct vdev_nvme_io_limits *lim)
{
	if (nsid == NVME_NSID_ALL)
		return opcode == nvme_cmd_flush ? NVME_SC_INVALID_NS :
						  NVME_SC_INVALID_FIELD;
	if (!nsid || nsid > lim->nn)
		return NVME_SC_INVALID_NS;
	if (!ns)
		return NVME_SC_INVALID_FIELD;
	if (!vdev_nvme_io_ns_sane(ns))
		return NVME_SC_INTERNAL;
	return NVME_SC_SUCCESS;
}

/*
 * PSDT, CDW0 bits 15:14, of a command that moves data: 00b PRP entries,
 * 01b and 10b an SGL (they differ only in what MPTR points at, and our
 * namespaces have no metadata, so MPTR is unused), 11b reserved.
 */
static u16 vdev_nvme_io_psdt(u8 flags, struct vdev_nvme_io *io)
{
	switch (flags & NVME_CMD_SGL_ALL) {
	case 0:
		io->sgl = false;
		return NVME_SC_SUCCESS;
	case NVME_CMD_SGL_METABUF:
	case NVME_CMD_SGL_METASEG:
		io->sgl = true;
		return NVME_SC_SUCCESS;
	default:
		return NVME_SC_INVALID_FIELD;
	}
}

/*
 * A transfer of @len bytes: Invalid Field in Command above the MDTS the
 * host was told (Base 2.0, Identify Controller MDTS), and above 4 GiB less
 * a byte even without one (65536 blocks of 64 KiB), which no data pointer
 * walk can take.
 */
static u16 vdev_nvme_io_xfer(const struct vdev_nvme_io_limits *lim, u64 len,
			     enum dma_data_direction dir,
			     struct vdev_nvme_io *io)
{
	u64 max = vdev_nvme_mdts_bytes(lim->mdts);

	if ((max && len > max) || len > U32_MAX)
		return NVME_SC_INVALID_FIELD;
	io->len = len;
	io->dir = dir;
	return NVME_SC_SUCCESS;
}

/*
 * PRINFO (CDW12 bits 29:26) and STC (bit 24) ask the controller to insert
 * or check protection information or a storage tag (NVM CS 1.0, the
 * end-to-end data protection rules). Our namespaces are formatted without
 * any (Identify Namespace DPS and LBAF metadata size 0), so a request to
 * act on it is an unsupported value: Invalid Field in Command. The tag
 * fields (CDW14, CDW15) are used only when a check is asked for, so they
 * need none of their own. Linux sets none of these without PI.
 */
static u16 vdev_nvme_io_pi(u16 control)
{
	if (control & (VDEV_NVME_RW_PRINFO | VDEV_NVME_RW_STC))
		return NVME_SC_INVALID_FIELD;
	return NVME_SC_SUCCESS;
}

/* The block range as the block layer counts: 512-byte sectors. */
static void vdev_nvme_io_sectors(struct vdev_nvme_io *io,
				 const struct vdev_nvme_ns_info *ns, u64 slba,
				 u32 nlb)
{
	io->sector = slba << vdev_nvme_io_sect_shift(ns);
	io->nr_sectors = nlb << vdev_nvme_io_sect_shift(ns);
}

/* A per-bio limit in blocks as sectors, whole blocks that fit a u32. */
static u32 vdev_nvme_io_bio_max(const struct vdev_nvme_ns_info *ns,
				u64 blocks)
{
	unsigned int shift = vdev_nvme_io_sect_shift(ns);

	return min_t(u64, blocks, U32_MAX >> shift) << shift;
}

/*
 * Write (NVM CS 1.0, 3.2.6) and Read (3.2.4). LR is a hint; DTYPE and
 * DSPEC belong to directives, which Identify does not offer (OACS), and
 * DSM's access hints ask for nothing the block layer takes.
 */
static u16 vdev_nvme_io_rw(const struct nvme_rw_command *rw,
			   const struct vdev_nvme_ns_info *ns,
			   const struct vdev_nvme_io_limits *lim,
			   struct vdev_nvme_io *io)
{
	bool write = rw->opcode == nvme_cmd_write;
	u16 control = le16_to_cpu(rw->control);
	u32 nlb = le16_to_cpu(rw->length) + 1;
	u64 slba = le64_to_cpu(rw->slba);
	u16 status;

	if (write && ns->read_only)
		return NVME_SC_NS_WRITE_PROTECTED;
	status = vdev_nvme_io_pi(control);
	if (!status)
		status = vdev_nvme_io_psdt(rw->flags, io);
	if (!status)
		status = vdev_nvme_io_xfer(lim, (u64)nlb << ns->lba_shift,
					   write ? DMA_TO_DEVICE :
						   DMA_FROM_DEVICE, io);
	if (status)
		return status;
	if (!vdev_nvme_io_lba_ok(ns, slba, nlb))
		return NVME_SC_LBA_RANGE;
	io->op = write ? VDEV_NVME_IO_WRITE : VDEV_NVME_IO_READ;
	io->fua = control & NVME_RW_FUA;
	vdev_nvme_io_sectors(io, ns, slba, nlb);
	return NVME_SC_SUCCESS;
}

/*
 * Write Zeroes (NVM CS 1.0, 3.2.8). It moves no data, so MDTS does not
 * bound it (the NVM command set Identify Controller structure's WZSL,
 * which would, is 0: no limit). DEAC lets the controller deallocate.
 */
static u16 vdev_nvme_io_write_zeroes(const struct nvme_write_zeroes_cmd *wz,
				     const struct vdev_nvme_ns_info *ns,
				     struct vdev_nvme_io *io)
{
	u16 control = le16_to_cpu(wz->control);
	u32 nlb = le16_to_cpu(wz->length) + 1;
	u64 slba = le64_to_cpu(wz->slba);
	u16 status;

	if (ns->read_only)
		return NVME_SC_NS_WRITE_PROTECTED;
	status = vdev_nvme_io_pi(control);
	if (status)
		return status;
	if (!vdev_nvme_io_lba_ok(ns, slba, nlb))
		return NVME_SC_LBA_RANGE;
	io->op = VDEV_NVME_IO_WRITE_ZEROES;
	io->fua = control & NVME_RW_FUA;
	io->unmap = control & NVME_WZ_DEAC;
	io->max_bio_sectors = vdev_nvme_io_bio_max(ns, ns->max_zeroes_blocks);
	vdev_nvme_io_sectors(io, ns, slba, nlb);
	return NVME_SC_SUCCESS;
}

/*
 * Dataset Management (NVM CS 1.0, 3.2.3). Of its attributes only AD,
 * Deallocate, asks for an action; IDR and IDW describe the host's access
 * pattern, and a command with none of them set is valid: it completes
 * successfully having done nothing, moving no data, on a read-only
 * namespace too. With AD the ranges (NR + 1 of them, 16 bytes each) are
 * the command's data; each is checked as the controller reads it.
 */
static u16 vdev_nvme_io_dsm(const struct nvme_dsm_cmd *dsm,
			    const struct vdev_nvme_ns_info *ns,
			    const struct vdev_nvme_io_limits *lim,
			    struct vdev_nvme_io *io)
{
	u16 nr = (le32_to_cpu(dsm->nr) & VDEV_NVME_DSM_NR_MASK) + 1;
	u16 status;

	if (!(le32_to_cpu(dsm->attributes) & NVME_DSMGMT_AD)) {
		io->op = VDEV_NVME_IO_NONE;
		return NVME_SC_SUCCESS;
	}
	if (ns->read_only)
		return NVME_SC_NS_WRITE_PROTECTED;
	status = vdev_nvme_io_psdt(dsm->flags, io);
	if (!status)
		status = vdev_nvme_io_xfer(lim,
					   nr * sizeof(struct nvme_dsm_range),
					   DMA_TO_DEVICE, io);
	if (status)
		return status;
	io->op = VDEV_NVME_IO_DEALLOCATE;
	io->nr_ranges = nr;
	io->max_bio_sectors = vdev_nvme_io_bio_max(ns, ns->max_discard_blocks);
	return NVME_SC_SUCCESS;
}

/* The command-specific part, once the NSID named a namespace. */
static u16 vdev_nvme_io_parse_op(const struct nvme_command *cmd,
				 const struct vdev_nvme_ns_info *ns,
				 const struct vdev_nvme_io_limits *lim,
				 struct vdev_nvme_io *io)
{
	switch (cmd->common.opcode) {
	case nvme_cmd_flush:
		io->op = VDEV_NVME_IO_FLUSH;
		return NVME_SC_SUCCESS;
	case nvme_cmd_write:
	case nvme_cmd_read:
		return vdev_nvme_io_rw(&cmd->rw, ns, lim, io);
	case nvme_cmd_write_zeroes:
		return vdev_nvme_io_write_zeroes(&cmd->write_zeroes, ns, io);
	case nvme_cmd_dsm:
		return vdev_nvme_io_dsm(&cmd->dsm, ns, lim, io);
	default:
		return NVME_SC_INVALID_OPCODE;
	}
}

/**
 * vdev_nvme_io_parse - check and decode an I/O command
 * @cmd: the submission queue entry, the controller's own copy (fields are
 *	read more than once, so never one the guest can still rewrite)
 * @ns: the attached namespace the command's NSID names; NULL when it names
 *	none
 * @lim: what Identify Controller told the host
 * @io: the decoded command; on failure it says nothing (op
 *	%VDEV_NVME_IO_NONE, no data)
 *
 * The checks, in order: the opcode (Invalid Command Opcode for all but
 * Flush, Write, Read, Write Zeroes and Dataset Management); FUSE (Invalid
 * Field in Command: Identify's FUSES offers no fused operation); the NSID
 * (see vdev_nvme_io_nsid()); a writing command on a read-only namespace
 * (Namespace is Write Protected: Identify Namespace says the namespace as
 * a whole is write protected, NSATTR; Attempted Write to Read Only Range
 * is for ranges within a writable one); PRINFO and STC (Invalid Field);
 * PSDT (Invalid Field for 11b); the transfer against MDTS (Invalid Field);
 * the blocks against the namespace (LBA Out of Range).
 *
 * Return: 0, or the NVMe status of the command's completion (without DNR,
 * which it gets). NVME_SC_INTERNAL when @ns is not a namespace the
 * controller can serve (block size, capacity): a bug of the caller.
 */
u16 vdev_nvme_io_parse(const struct nvme_command *cmd,
		       const struct vdev_nvme_ns_info *ns,
		       const struct vdev_nvme_io_limits *lim,
		       struct vdev_nvme_io *io)
{
	u8 opcode = cmd->common.opcode;
	u16 status;

	*io = (struct vdev_nvme_io){ .op = VDEV_NVME_IO_NONE, .dir = DMA_NONE };
	if (!vdev_nvme_io_opcode_known(opcode))
		return NVME_SC_INVALID_OPCODE;
	if (cmd->common.flags & VDEV_NVME_CMD_FUSE)
		return NVME_SC_INVALID_FIELD;
	status = vdev_nvme_io_nsid(le32_to_cpu(cmd->common.nsid), opcode, ns,
				   lim);
	if (!status)
		status = vdev_nvme_io_parse_op(cmd, ns, lim, io);
	if (status)
		*io = (struct vdev_nvme_io){ .op = VDEV_NVME_IO_NONE,
					     .dir = DMA_NONE };
	return status;
}

/**
 * vdev_nvme_dsm_range - check one Dataset Management range
 * @range: the range, as read from the command's data
 * @ns: the command's namespace (vdev_nvme_io_parse() accepted it)
 * @sector: set to the first 512-byte sector
 * @nr_sectors: set to the sectors to deallocate; 0: none
 *
 * The range's length counts blocks from 1 (NVM CS 1.0, 3.2.3, Dataset
 * Management range definition), unlike a command's NLB. A length of 0
 * names no block: nothing to deallocate and nothing out of range,
 * wherever it starts. The context attributes are hints and ignored.
 *
 * Return: 0, LBA Out of Range for blocks beyond the namespace (@sector and
 * @nr_sectors then 0), or NVME_SC_INTERNAL for a namespace the parse
 * would have refused.
 */
u16 vdev_nvme_dsm_range(const struct nvme_dsm_range *range,
			const struct vdev_nvme_ns_info *ns, u64 *sector,
			u64 *nr_sectors)
{
	u64 slba = le64_to_cpu(range->slba);
	u32 nlb = le32_to_cpu(range->nlb);

	*sector = 0;
	*nr_sectors = 0;
	if (!vdev_nvme_io_ns_sane(ns))
		return NVME_SC_INTERNAL;
	if (!nlb)
		return NVME_SC_SUCCESS;
	if (!vdev_nvme_io_lba_ok(ns, slba, nlb))
		return NVME_SC_LBA_RANGE;
	*sector = slba << vdev_nvme_io_sect_shift(ns);
	*nr_sectors = (u64)nlb << vdev_nvme_io_sect_shift(ns);
	return NVME_SC_SUCCESS;
}

/*
 * A failure of the device under the namespace, by what the command did:
 * a read could not get the data (Unrecovered Read Error), a write, write
 * zeroes or flush could not store it (Write Fault), as QEMU's NVMe
 * emulation says them; a deallocate, which stores nothing, Internal Error.
 */
static u16 vdev_nvme_blk_media(enum vdev_nvme_io_op op)
{
	switch (op) {
	case VDEV_NVME_IO_READ:
		return NVME_SC_READ_ERROR;
	case VDEV_NVME_IO_WRITE:
	case VDEV_NVME_IO_WRITE_ZEROES:
	case VDEV_NVME_IO_FLUSH:
		return NVME_SC_WRITE_FAULT;
	default:
		return NVME_SC_INTERNAL;
	}
}

/**
 * vdev_nvme_blk_status - the NVMe status of a completed block I/O
 * @sts: the bios' status (the first error of the command's bios)
 * @op: what the command did
 * @dnr: set when the host must not retry the command
 *
 * Chosen so that a Linux guest's nvme_error_status() gives back the
 * status the host's block layer had where NVMe can say it, and otherwise
 * by what the command did (vdev_nvme_blk_media()):
 *
 * - NOSPC: Capacity Exceeded (a thin device ran out of space).
 * - TARGET: LBA Out of Range (the device is smaller than the namespace
 *   said, as after a shrink).
 * - RESV_CONFLICT: Reservation Conflict (another host holds the device).
 * - NOTSUPP: Invalid Command Opcode for Write Zeroes and Dataset
 *   Management, the optional commands (ONCS), which the guest then stops
 *   sending; Internal Error for the mandatory ones, whose failure is the
 *   controller's (REQ_NOWAIT on a device without it: resubmit without).
 * - INVAL: Internal Error: the controller built a bio the device refuses.
 * - MEDIUM, PROTECTION, IOERR, TRANSPORT and any other: the media error
 *   of the operation. The namespace has no protection information, so a
 *   PI failure below it is simply bad data to the guest.
 * - RESOURCE, DEV_RESOURCE, AGAIN, TIMEOUT: Namespace Not Ready without
 *   DNR, the status whose DNR bit says "try again later" (Command
 *   Interrupted would be apt, but a controller may return it only to a
 *   host that enabled ACRE, which ours does not offer). A polled bio's
 *   AGAIN is requeued by the controller first (DESIGN.md).
 * - OFFLINE: Namespace Not Ready with DNR: the device went away.
 *
 * Every status but the transient ones gets DNR: the device below has done
 * its own retries.
 *
 * Return: the NVMe status, 0 for BLK_STS_OK.
 */
u16 vdev_nvme_blk_status(blk_status_t sts, enum vdev_nvme_io_op op,
			 bool *dnr)
{
	*dnr = true;
	switch (sts) {
	case BLK_STS_OK:
		*dnr = false;
		return NVME_SC_SUCCESS;
	case BLK_STS_NOSPC:
		return NVME_SC_CAP_EXCEEDED;
	case BLK_STS_TARGET:
		return NVME_SC_LBA_RANGE;
	case BLK_STS_RESV_CONFLICT:
		return NVME_SC_RESERVATION_CONFLICT;
	case BLK_STS_NOTSUPP:
		return op == VDEV_NVME_IO_WRITE_ZEROES ||
		       op == VDEV_NVME_IO_DEALLOCATE ? NVME_SC_INVALID_OPCODE :
						       NVME_SC_INTERNAL;
	case BLK_STS_INVAL:
		return NVME_SC_INTERNAL;
	case BLK_STS_RESOURCE:
	case BLK_STS_DEV_RESOURCE:
	case BLK_STS_AGAIN:
	case BLK_STS_TIMEOUT:
		*dnr = false;
		return NVME_SC_NS_NOT_READY;
	case BLK_STS_OFFLINE:
		return NVME_SC_NS_NOT_READY;
	default:
		return vdev_nvme_blk_media(op);
	}
}

/**
 * vdev_nvme_cqe_status - the Status field of a completion queue entry
 * @status: the NVMe status: SCT and SC (bits 10:0); a DNR bit in it
 *	(NVME_STATUS_DNR, as nvme_id.c returns some) counts as @dnr, any
 *	other bit is dropped
 * @dnr: Do Not Retry
 * @phase: the phase tag of the entry
 *
 * Base 2.0, Completion Queue Entry Status Field: bit 0 the phase tag,
 * bits 8:1 SC, 11:9 SCT, 13:12 CRD (0: Identify reports no retry delay
 * times), 14 More (0: no Get Log Page error information is kept), 15 DNR.
 * DNR is set only with an error: a success has nothing to retry.
 *
 * Return: the field, little-endian, for struct nvme_completion's status.
 */
__le16 vdev_nvme_cqe_status(u16 status, bool dnr, bool phase)
{
	u16 v = (status & NVME_SCT_SC_MASK) << 1 | phase;

	if ((dnr || (status & NVME_STATUS_DNR)) && (status & NVME_SCT_SC_MASK))
		v |= NVME_STATUS_DNR << 1;
	return cpu_to_le16(v);
}
