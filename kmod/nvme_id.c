// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe Identify data (base specification 1.4, 5.15): what the controller
 * and its namespaces tell the host they are.
 *
 * The builders are pure: each fills a caller's 4 KiB buffer from a small
 * description (the controller's configuration, a namespace's
 * vdev_nvme_ns_info) and returns 0 or the NVMe status of the command,
 * never an errno. Only vdev_nvme_ns_info_get() looks at a block device,
 * so that tests can hand the builders any namespace they can describe.
 *
 * What is filled is what a host uses: the fields the Linux driver reads
 * (drivers/nvme/host/core.c, nvme_init_identify(), nvme_update_ns_info()
 * and friends), the ones the 1.4 specification makes mandatory, and the
 * ones nvme-cli and udev show. Everything else is 0, which the
 * specification defines as "not reported" or "not supported" for every
 * field left so: no power management, no namespace management, no
 * reservations, no protection information or metadata, no telemetry.
 */
#include <linux/bits.h>
#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/siphash.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "nvme_id.h"
#include "vdev.h"

/*
 * PCI vendor and subsystem vendor ids. A placeholder: vdev owns no PCI
 * vendor id, and borrowing one (QEMU's 1b36 is Red Hat's) would claim to
 * be that vendor's device and match its quirks. Identify must show what
 * the PCI configuration space shows, so that will use these too; Linux
 * binds nvme by class code, not by id.
 */
#define VDEV_NVME_VID		0x0000
#define VDEV_NVME_SSVID		0x0000

#define VDEV_NVME_MN		"vdev NVMe"

/* Recommended Arbitration Burst: 2^6 commands, as nvmet and QEMU say. */
#define VDEV_NVME_RAB		6
/* Firmware updates: one slot (bits 3:1), read-only (bit 0). */
#define VDEV_NVME_FRMW		(BIT(1) | BIT(0))
/* Queue entry sizes, required and maximum alike: 2^6 and 2^4 bytes. */
#define VDEV_NVME_SQES		(6 << 4 | 6)
#define VDEV_NVME_CQES		(4 << 4 | 4)
/* VWC bits 2:1, 10b: Flush does not take the broadcast NSID FFFFFFFFh. */
#define VDEV_NVME_VWC_NO_BCAST	(2 << 1)
/*
 * SGL Support bits 1:0, 01b: SGLs in the NVM command set, with no
 * alignment or granularity rule for Data Blocks. That says Data Block,
 * Segment and Last Segment descriptors, the address subtype: what
 * nvme_dptr.c walks. Bit Bucket, keyed and transport data blocks, offset
 * addresses, metadata SGLs and Data Blocks longer than the transfer
 * (bits 2, 16 to 21) it refuses, so those bits are 0.
 */
#define VDEV_NVME_SGLS		0x1

/* DLFEAT bits 2:0, 001b: a deallocated block reads as zeroes. */
#define VDEV_NVME_DLFEAT_ZEROES	0x1
/*
 * DLFEAT bit 3: Write Zeroes takes the Deallocate bit. The bit only asks;
 * the command always leaves zeroes that read back as zeroes, as a block
 * layer write-zeroes bio without REQ_NOUNMAP does, so it is always true.
 */
#define VDEV_NVME_DLFEAT_WZ_DEAC	0x8

/* A UUID's version (RFC 9562): 8, "custom", for one made of a hash. */
#define VDEV_UUID_V8		0x80

/*
 * The NQN format for who owns no domain name: the NVMe organisation's
 * prefix and a UUID (base specification, "NVMe Qualified Names").
 */
#define VDEV_NVME_NQN_UUID	"nqn.2014-08.org.nvmexpress:uuid:"

/*
 * The longest seed an identifier is made of: a namespace serial
 * (VDEV_MAX_SERIAL_LEN) or a controller name, the longer.
 */
#define VDEV_NVME_SEED_MAX	(VDEV_NAME_LEN - 1)

/* A fixed-length ASCII field: left-aligned, space padded, no NUL. */
static void vdev_nvme_id_ascii(char *dst, size_t len, const char *src)
{
	size_t i, n = strnlen(src, len);

	/* The host prints these: nothing outside printable ASCII. */
	for (i = 0; i < n; i++)
		dst[i] = (u8)src[i] >= 0x20 && (u8)src[i] <= 0x7e ? src[i] : '?';
	memset(dst + n, ' ', len - n);
}

/*
 * 128 bits of SipHash-2-4 over @data, under two keys made from @label (15
 * characters) and a last byte '0' or '1'. SipHash is fixed by its
 * definition, so the result is the same on every kernel and host: what a
 * guest is told of a disk must not change when it is migrated, rebooted
 * or served by a newer vdev.
 */
static void vdev_nvme_hash128(u8 out[16], const char *label, const void *data,
			      size_t len)
{
	siphash_key_t key;
	u8 k[16];
	int i;

	memcpy(k, label, 15);
	for (i = 0; i < 2; i++) {
		k[15] = '0' + i;
		key.key[0] = get_unaligned_le64(k);
		key.key[1] = get_unaligned_le64(k + 8);
		put_unaligned_le64(siphash(data, len, &key), out + 8 * i);
	}
}

/* A hash as a version 8 UUID, variant 10b. */
static void vdev_nvme_hash_uuid(uuid_t *uuid, const char *label,
				const void *data, size_t len)
{
	vdev_nvme_hash128(uuid->b, label, data, len);
	uuid->b[6] = (uuid->b[6] & 0x0f) | VDEV_UUID_V8;
	uuid->b[8] = (uuid->b[8] & 0x3f) | 0x80;
}

/**
 * vdev_nvme_ns_ids - a namespace's NGUID and UUID, from a seed
 * @info: where to put them; its EUI-64 is cleared
 * @seed: the namespace's serial, or its controller's name when it has
 *	none; printable ASCII, cut at VDEV_NVME_SEED_MAX bytes
 * @nsid: the namespace's NSID
 *
 * A hash of the seed and the NSID: the same serial on the same NSID gives
 * the same identifiers on any host, which is what a migrated guest needs
 * (the Linux driver drops a namespace whose identifiers change), and the
 * NSID in it keeps two namespaces given one serial apart. Unique as a
 * 128-bit hash is: no registry is asked. That is all a UUID needs; an
 * NGUID or EUI-64 is meant to begin with an IEEE company id, which vdev
 * does not own, so the NGUID's is hash bits too, and no EUI-64 is made:
 * at 64 bits it would be neither standard nor as unique.
 */
void vdev_nvme_ns_ids(struct vdev_nvme_ns_info *info, const char *seed,
		      u32 nsid)
{
	u8 in[VDEV_NVME_SEED_MAX + sizeof(__le32)];
	size_t len = strnlen(seed, VDEV_NVME_SEED_MAX);

	BUILD_BUG_ON(VDEV_MAX_SERIAL_LEN > VDEV_NVME_SEED_MAX);
	memcpy(in, seed, len);
	put_unaligned_le32(nsid, in + len);
	len += sizeof(__le32);
	vdev_nvme_hash128(info->nguid, "vdev-nvme-nguid", in, len);
	vdev_nvme_hash_uuid(&info->uuid, "vdev-nvme-uuid-", in, len);
	memset(info->eui64, 0, sizeof(info->eui64));
}

/**
 * vdev_nvme_ns_info_get - what Identify reports of a namespace
 * @ns: the namespace, with its block device open
 * @info: filled in
 *
 * The only builder input read from a device. The block layer cannot say
 * on 6.12 what reads of discarded blocks return (it stopped promising
 * zeroes in 4.12), and Dataset Management's deallocate becomes a discard:
 * so @dealloc_zeroes stays false, and DLFEAT says "not reported".
 */
void vdev_nvme_ns_info_get(const struct vdev_ns *ns,
			   struct vdev_nvme_ns_info *info)
{
	struct block_device *bdev = vdev_ns_bdev(ns);
	u8 shift = ilog2(bdev_logical_block_size(bdev));
	u8 to_blocks = shift - SECTOR_SHIFT;

	*info = (struct vdev_nvme_ns_info){
		.nr_blocks = bdev_nr_sectors(bdev) >> to_blocks,
		.lba_shift = shift,
		.io_min_blocks = bdev_io_min(bdev) >> shift,
		.io_opt_blocks = bdev_io_opt(bdev) >> shift,
		.max_discard_blocks = bdev_max_discard_sectors(bdev) >> to_blocks,
		.max_zeroes_blocks = bdev_write_zeroes_sectors(bdev) >> to_blocks,
		.read_only = ns->read_only || bdev_read_only(bdev),
		.shared = ns->shared,
	};
	/* A granularity of a device that cannot discard means nothing. */
	if (info->max_discard_blocks)
		info->discard_gran_blocks =
			bdev_discard_granularity(bdev) >> shift;
	vdev_nvme_ns_ids(info, ns->ident.serial[0] ? ns->ident.serial :
			 ns->ctrl->name, ns->addr.nsid);
}

/**
 * vdev_nvme_id_mdts - MDTS for a transfer limit
 * @max_xfer: most bytes one command may transfer; 0: no limit
 * @mdts: set to the MDTS Identify Controller reports
 *
 * MDTS is the largest transfer as a power of two of minimum pages, rounded
 * down; 0 means no limit, so the smallest limit it can say is 2 pages.
 * The I/O commands check transfers against the limit this MDTS says
 * (vdev_nvme_mdts_bytes()), not against @max_xfer: the host sizes its
 * commands by what it was told.
 *
 * Return: 0, or NVME_SC_INTERNAL when @max_xfer is below 8 KiB.
 */
u16 vdev_nvme_id_mdts(u32 max_xfer, u8 *mdts)
{
	*mdts = 0;
	if (!max_xfer)
		return 0;
	if (max_xfer < 2U << VDEV_NVME_MIN_PAGE_SHIFT)
		return NVME_SC_INTERNAL;
	*mdts = ilog2(max_xfer) - VDEV_NVME_MIN_PAGE_SHIFT;
	return 0;
}

/*
 * The subsystem NQN, from the controller's name. Each controller is a
 * subsystem of its own (CMIC 0), and Linux refuses a second controller
 * with the NQN of one it has unless CMIC says they may share: names are
 * unique on a host, so these NQNs are. The UUID form, because the other
 * one needs a domain name vdev does not have, and it leaves no room for
 * the name itself. A guest migrated to a controller of another name sees
 * another NQN only when it next enumerates: Linux reads it once.
 */
static void vdev_nvme_id_subnqn(char *subnqn, size_t len, const char *name)
{
	uuid_t uuid;

	vdev_nvme_hash_uuid(&uuid, "vdev-nvme-subnq", name,
			    strnlen(name, VDEV_NAME_LEN));
	snprintf(subnqn, len, VDEV_NVME_NQN_UUID "%pUb", &uuid);
}

/* The identity strings: serial, model, firmware, subsystem NQN. */
static void vdev_nvme_id_ctrl_strings(struct nvme_id_ctrl *id,
				      const struct vdev_nvme_id_cfg *cfg)
{
	const char *sn = cfg->serial && cfg->serial[0] ? cfg->serial :
			 cfg->name;

	vdev_nvme_id_ascii(id->sn, sizeof(id->sn), sn);
	vdev_nvme_id_ascii(id->mn, sizeof(id->mn), VDEV_NVME_MN);
	vdev_nvme_id_ascii(id->fr, sizeof(id->fr), VDEV_NVME_FR);
	vdev_nvme_id_subnqn(id->subnqn, sizeof(id->subnqn), cfg->name);
}

/**
 * vdev_nvme_id_ctrl - the Identify Controller data structure (CNS 01h)
 * @buf: VDEV_NVME_ID_SIZE bytes, overwritten
 * @cfg: the controller
 *
 * Set: VID, SSVID (placeholders, VDEV_NVME_VID), SN, MN, FR, RAB, MDTS,
 * CNTLID, VER, OAES (namespace attribute notices: namespaces come and go
 * under a live guest), CNTRLTYPE (I/O controller, mandatory from 1.4),
 * OACS (Doorbell Buffer Config: the guest's shadow doorbells are how an
 * NVMe controller can poll adaptively, see DESIGN.md), ACL, AERL, FRMW,
 * LPA, ELPE, SQES, CQES, MAXCMD, NN, ONCS (Dataset Management, Write
 * Zeroes), VWC, SGLS, SUBNQN and KAS (Keep Alive, with its timer in
 * one-second steps: a PCIe host seldom sets one, but may).
 *
 * 0: IEEE OUI (vdev owns none), CMIC (one port, one controller per
 * subsystem), CTRATT, RTD3R/E (no power states), NPSS and
 * the power state descriptors, APSTA, temperatures, host memory buffer,
 * sanitize, ANA, namespace management (MNAN), atomic write units beyond
 * one block (AWUN, AWUPF: nothing promises more of the backing device),
 * fused operations, format and fabrics fields.
 *
 * Return: 0, or NVME_SC_INTERNAL when @cfg->max_xfer is below the 8 KiB
 * MDTS can express.
 */
u16 vdev_nvme_id_ctrl(void *buf, const struct vdev_nvme_id_cfg *cfg)
{
	struct nvme_id_ctrl *id = buf;
	u16 status;

	BUILD_BUG_ON(sizeof(*id) != VDEV_NVME_ID_SIZE);
	memset(id, 0, sizeof(*id));
	status = vdev_nvme_id_mdts(cfg->max_xfer, &id->mdts);
	if (status)
		return status;
	id->vid = cpu_to_le16(VDEV_NVME_VID);
	id->ssvid = cpu_to_le16(VDEV_NVME_SSVID);
	vdev_nvme_id_ctrl_strings(id, cfg);
	id->rab = VDEV_NVME_RAB;
	id->cntlid = cpu_to_le16(cfg->cntlid);
	id->ver = cpu_to_le32(VDEV_NVME_VS);
	id->oaes = cpu_to_le32(NVME_AEN_CFG_NS_ATTR);
	id->cntrltype = NVME_CTRL_IO;
	id->oacs = cpu_to_le16(NVME_CTRL_OACS_DBBUF_SUPP);
	id->acl = VDEV_NVME_ACL;
	id->aerl = VDEV_NVME_AERL;
	id->kas = cpu_to_le16(VDEV_NVME_KAS);
	id->frmw = VDEV_NVME_FRMW;
	id->lpa = VDEV_NVME_LPA_EPE;
	id->elpe = VDEV_NVME_ELPE;
	id->sqes = VDEV_NVME_SQES;
	id->cqes = VDEV_NVME_CQES;
	id->maxcmd = cpu_to_le16(cfg->max_cmd);
	id->nn = cpu_to_le32(cfg->nn);
	id->oncs = cpu_to_le16(NVME_CTRL_ONCS_DSM | NVME_CTRL_ONCS_WRITE_ZEROES);
	if (cfg->write_cache)
		id->vwc = NVME_CTRL_VWC_PRESENT | VDEV_NVME_VWC_NO_BCAST;
	id->sgls = cpu_to_le32(VDEV_NVME_SGLS);
	return 0;
}

/* A block count as a 0's based 16-bit field: 1 to 65536 blocks. */
static __le16 vdev_nvme_id_0based(u32 blocks)
{
	return cpu_to_le16(clamp(blocks, 1U, 1U << 16) - 1);
}

/*
 * NSFEAT bit 4 and its fields: the write and deallocate granularities
 * and the optimal write size, the way io_min, discard_granularity and
 * io_opt say them, so that the guest's queue limits come out the same.
 */
static void vdev_nvme_id_ns_io_opt(struct nvme_id_ns *id,
				   const struct vdev_nvme_ns_info *info)
{
	if (!info->io_min_blocks && !info->io_opt_blocks &&
	    !info->discard_gran_blocks)
		return;
	id->nsfeat |= NVME_NS_FEAT_IO_OPT;
	id->npwg = vdev_nvme_id_0based(info->io_min_blocks);
	id->npwa = id->npwg;
	id->npdg = vdev_nvme_id_0based(info->discard_gran_blocks);
	id->npda = id->npdg;
	/* Linux takes NOWS 0 as "none", not as one block: keep it so. */
	if (info->io_opt_blocks)
		id->nows = vdev_nvme_id_0based(info->io_opt_blocks);
}

/**
 * vdev_nvme_id_ns - the Identify Namespace data structure (CNS 00h)
 * @buf: VDEV_NVME_ID_SIZE bytes, overwritten
 * @info: the namespace
 *
 * Set: NSZE, NCAP and NUSE (all the capacity: thin provisioning is not
 * reported), NSFEAT bit 4 with NPWG, NPWA, NPDG, NPDA and NOWS, NLBAF 0
 * and FLBAS 0 with LBAF 0 the logical block size (no metadata), NMIC,
 * DLFEAT, NSATTR (write protected), NGUID and EUI64.
 *
 * 0: NSFEAT's thin provisioning, atomics (NAWUN and friends), deallocated
 * or unwritten block errors and NGUID reuse bits, MC, DPC, DPS (no
 * metadata, no protection information), RESCAP (no reservations), FPI,
 * NOIOB, NVMCAP, ANAGRPID, NVMSETID, ENDGID.
 *
 * Return: 0, or NVME_SC_INTERNAL for a block size below 512 bytes.
 */
u16 vdev_nvme_id_ns(void *buf, const struct vdev_nvme_ns_info *info)
{
	struct nvme_id_ns *id = buf;

	BUILD_BUG_ON(sizeof(*id) != VDEV_NVME_ID_SIZE);
	memset(id, 0, sizeof(*id));
	if (info->lba_shift < SECTOR_SHIFT)
		return NVME_SC_INTERNAL;
	id->nsze = cpu_to_le64(info->nr_blocks);
	id->ncap = id->nsze;
	id->nuse = id->nsze;
	vdev_nvme_id_ns_io_opt(id, info);
	id->lbaf[0].ds = info->lba_shift;
	if (info->shared)
		id->nmic = NVME_NS_NMIC_SHARED;
	id->dlfeat = VDEV_NVME_DLFEAT_WZ_DEAC;
	if (info->dealloc_zeroes)
		id->dlfeat |= VDEV_NVME_DLFEAT_ZEROES;
	if (info->read_only)
		id->nsattr = NVME_NS_ATTR_RO;
	memcpy(id->nguid, info->nguid, sizeof(id->nguid));
	memcpy(id->eui64, info->eui64, sizeof(id->eui64));
	return 0;
}

/* NSIDs a controller can have: 1 to FFFFFFFEh, ascending, no repeat. */
static bool vdev_nvme_nsids_valid(const u32 *nsids, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!nsids[i] || nsids[i] == NVME_NSID_ALL ||
		    (i && nsids[i] <= nsids[i - 1]))
			return false;
	return true;
}

/**
 * vdev_nvme_id_active_ns_list - the Active Namespace ID list (CNS 02h)
 * @buf: VDEV_NVME_ID_SIZE bytes, overwritten
 * @nsids: the controller's active NSIDs, ascending
 * @n: entries in @nsids
 * @start: the command's NSID: the list holds the NSIDs above it
 *
 * Up to VDEV_NVME_NS_LIST_MAX NSIDs, the rest of the list zero.
 *
 * Return: 0; NVME_SC_INVALID_NS with DNR for a @start of FFFFFFFEh or
 * FFFFFFFFh, as the specification has it for CNS 02h (no NSID can be
 * above either); NVME_SC_INTERNAL when @nsids is not ascending NSIDs.
 */
u16 vdev_nvme_id_active_ns_list(void *buf, const u32 *nsids, unsigned int n,
				u32 start)
{
	__le32 *list = buf;
	unsigned int i, out = 0;

	memset(buf, 0, VDEV_NVME_ID_SIZE);
	if (start >= NVME_NSID_ALL - 1)
		return NVME_SC_INVALID_NS | NVME_STATUS_DNR;
	if (!vdev_nvme_nsids_valid(nsids, n))
		return NVME_SC_INTERNAL;
	for (i = 0; i < n && out < VDEV_NVME_NS_LIST_MAX; i++)
		if (nsids[i] > start)
			list[out++] = cpu_to_le32(nsids[i]);
	return 0;
}

/* One identification descriptor at @p; returns the byte after it. */
static u8 *vdev_nvme_id_desc(u8 *p, u8 nidt, const void *nid, u8 nidl)
{
	struct nvme_ns_id_desc *d = (struct nvme_ns_id_desc *)p;

	d->nidt = nidt;
	d->nidl = nidl;
	memcpy(p + sizeof(*d), nid, nidl);
	return p + sizeof(*d) + nidl;
}

/**
 * vdev_nvme_id_ns_desc_list - the Namespace Identification Descriptor
 *	list (CNS 03h)
 * @buf: VDEV_NVME_ID_SIZE bytes, overwritten
 * @info: the namespace
 *
 * The EUI-64, NGUID and UUID the namespace has (an all-zero one it has
 * not), in that order, then its command set: CSI 0, NVM. Linux needs the
 * CSI descriptor only of a controller enabled with CC.CSS 110b, which
 * ours will not offer (CAP.CSS bit 6 clear), but it costs 5 bytes and
 * makes the list complete for any host. A zero descriptor ends the list.
 *
 * Return: 0.
 */
u16 vdev_nvme_id_ns_desc_list(void *buf, const struct vdev_nvme_ns_info *info)
{
	const u8 csi = NVME_CSI_NVM;
	u8 *p = buf;

	memset(buf, 0, VDEV_NVME_ID_SIZE);
	if (memchr_inv(info->eui64, 0, sizeof(info->eui64)))
		p = vdev_nvme_id_desc(p, NVME_NIDT_EUI64, info->eui64,
				      NVME_NIDT_EUI64_LEN);
	if (memchr_inv(info->nguid, 0, sizeof(info->nguid)))
		p = vdev_nvme_id_desc(p, NVME_NIDT_NGUID, info->nguid,
				      NVME_NIDT_NGUID_LEN);
	if (!uuid_is_null(&info->uuid))
		p = vdev_nvme_id_desc(p, NVME_NIDT_UUID, &info->uuid,
				      NVME_NIDT_UUID_LEN);
	vdev_nvme_id_desc(p, NVME_NIDT_CSI, &csi, NVME_NIDT_CSI_LEN);
	return 0;
}

/*
 * The I/O Command Set specific structures of the NVM command set, CNS 06h
 * and 05h with CSI 00h, came with the command set specifications (TP 4056,
 * base specification 2.0); to a 1.4 controller those CNS values are
 * reserved. Linux asks every controller of 1.2 or later for CNS 06h all
 * the same, as nvmet and QEMU (1.4 too) answer it: all zeroes, which the
 * NVM command set specification defines as "no limit reported" (VSL,
 * WZSL, WUSL, DMRL, DMRSL, DMSL: MDTS rules) and, for the namespace, no
 * storage tags, no protection information formats. Other command sets:
 * Invalid Field.
 */
static u16 vdev_nvme_id_cs_zero(void *buf, u8 csi)
{
	memset(buf, 0, VDEV_NVME_ID_SIZE);
	if (csi != NVME_CSI_NVM)
		return NVME_SC_INVALID_FIELD | NVME_STATUS_DNR;
	return 0;
}

/**
 * vdev_nvme_id_cs_ctrl - the I/O Command Set specific Identify Controller
 *	data structure (CNS 06h)
 * @buf: VDEV_NVME_ID_SIZE bytes, overwritten
 * @csi: the command's CSI
 *
 * Return: 0 for the NVM command set, whose structure is all zero;
 * NVME_SC_INVALID_FIELD with DNR for any other.
 */
u16 vdev_nvme_id_cs_ctrl(void *buf, u8 csi)
{
	BUILD_BUG_ON(sizeof(struct nvme_id_ctrl_nvm) != VDEV_NVME_ID_SIZE);
	return vdev_nvme_id_cs_zero(buf, csi);
}

/**
 * vdev_nvme_id_cs_ns - the I/O Command Set specific Identify Namespace
 *	data structure (CNS 05h) of an active namespace
 * @buf: VDEV_NVME_ID_SIZE bytes, overwritten
 * @csi: the command's CSI
 *
 * Linux asks for it only of a controller with CTRATT.ELBAS, which ours
 * does not set.
 *
 * Return: as vdev_nvme_id_cs_ctrl().
 */
u16 vdev_nvme_id_cs_ns(void *buf, u8 csi)
{
	BUILD_BUG_ON(sizeof(struct nvme_id_ns_nvm) != VDEV_NVME_ID_SIZE);
	return vdev_nvme_id_cs_zero(buf, csi);
}
