// SPDX-License-Identifier: GPL-2.0
/*
 * SCSI command emulation for virtio-scsi LUNs (scsi.h): a direct-access
 * block device as SPC-4 and SBC-3 describe it, without protection
 * information, reservations or ALUA.
 */
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "scsi.h"

/* Additional sense code and qualifier, as asc << 8 | ascq. */
#define ASC_NO_SENSE		0x0000	/* NO ADDITIONAL SENSE INFORMATION */
#define ASC_WRITE_ERROR		0x0c00
#define ASC_INVALID_FIELD_IU	0x0e03	/* ... IN COMMAND INFORMATION UNIT */
#define ASC_READ_ERROR		0x1100	/* UNRECOVERED READ ERROR */
#define ASC_PARAM_LIST_LEN	0x1a00	/* PARAMETER LIST LENGTH ERROR */
#define ASC_MISCOMPARE		0x1d00	/* MISCOMPARE DURING VERIFY OPERATION */
#define ASC_INVALID_OPCODE	0x2000
#define ASC_LBA_OUT_OF_RANGE	0x2100
#define ASC_INVALID_FIELD_CDB	0x2400
#define ASC_LUN_NOT_SUPPORTED	0x2500
#define ASC_INVALID_FIELD_PARAM	0x2600	/* INVALID FIELD IN PARAMETER LIST */
#define ASC_WRITE_PROTECTED	0x2700
#define ASC_SPACE_ALLOC_FAILED	0x2707	/* SPACE ALLOCATION FAILED WRITE PROTECT */
#define ASC_SAVING_UNSUPPORTED	0x3900	/* SAVING PARAMETERS NOT SUPPORTED */

/* SPC-4 in INQUIRY's VERSION field. */
#define VDEV_SCSI_VERSION_SPC4	0x06
/* No logical unit at this address: peripheral qualifier 3, type 1Fh. */
#define VDEV_SCSI_PQ_NO_LUN	0x7f

/* The mode pages served; 3Fh asks for all of them. */
#define MPAGE_CACHING		0x08
#define MPAGE_CONTROL		0x0a
#define MPAGE_ALL		0x3f
#define MSUBPAGE_ALL		0xff
#define MPAGE_CACHING_LEN	20
#define MPAGE_CONTROL_LEN	12
#define MPAGE_MAX_LEN		MPAGE_CACHING_LEN
#define MPAGE_WCE		0x04	/* caching page, byte 2 */
#define MPAGE_SPF		0x40	/* sub-page format, byte 0 */

/* Page control (MODE SENSE byte 2, bits 7-6). */
enum vdev_scsi_pc {
	PC_CURRENT,
	PC_CHANGEABLE,
	PC_DEFAULT,
	PC_SAVED,
};

/* Mode parameter header: device-specific parameter (SBC-3). */
#define MODE_WP			0x80
#define MODE_DPOFUA		0x10

/* Designator types and code sets of the device identification page. */
#define DESIG_BINARY		0x01
#define DESIG_ASCII		0x02
#define DESIG_T10		0x01
#define DESIG_NAA		0x03
#define DESIG_REL_PORT		0x04
#define DESIG_LUN		0x00	/* association: the logical unit */
#define DESIG_PORT		0x10	/* association: the target port */
#define NAA_LOCAL		3ULL

/* Our only target port, as relative target port identifier. */
#define VDEV_SCSI_REL_PORT	1

/* Fixed and descriptor format sense data, current errors. */
#define SENSE_FIXED		0x70
#define SENSE_DESC		0x72

/* A CDB's CONTROL byte: only the vendor specific bits may be set. */
#define CTL			0xc0

/**
 * struct vdev_scsi_opdef - how to decode one operation code
 * @len: CDB length
 * @nolun: served where no logical unit exists
 * @mask: bits each CDB byte may have set, byte 0 aside; any other bit is
 *	reserved or names a feature we lack: INVALID FIELD IN CDB
 * @parse: decode the rest, the mask passed
 */
struct vdev_scsi_opdef {
	u8 len;
	bool nolun;
	u8 mask[VDEV_SCSI_CDB_MAX];
	int (*parse)(struct vdev_scsi_cmd *cmd,
		     const struct vdev_scsi_lun_info *info);
};

static int vdev_scsi_fail(struct vdev_scsi_cmd *cmd, u8 key, u16 code)
{
	cmd->sense = (struct vdev_scsi_sense){
		.key = key,
		.asc = code >> 8,
		.ascq = code & 0xff,
	};
	return -EINVAL;
}

static int vdev_scsi_invalid(struct vdev_scsi_cmd *cmd)
{
	return vdev_scsi_fail(cmd, ILLEGAL_REQUEST, ASC_INVALID_FIELD_CDB);
}

/* An SPC ASCII field: left-aligned, padded with spaces, no NUL. */
static void vdev_scsi_ascii(u8 *dst, const char *src, u32 len)
{
	u32 n = strnlen(src, len);

	memcpy(dst, src, n);
	memset(dst + n, ' ', len - n);
}

static bool vdev_scsi_can_unmap(const struct vdev_scsi_lun_info *info)
{
	return info->max_unmap_blocks && info->max_unmap_desc;
}

static u32 vdev_scsi_unmap_desc_max(const struct vdev_scsi_lun_info *info)
{
	return min_t(u32, info->max_unmap_desc, VDEV_SCSI_UNMAP_DESC_MAX);
}

/* --- unit attentions ----------------------------------------------------- */

static const u16 vdev_scsi_ua_code[VDEV_SCSI_UA_NR] = {
	[VDEV_SCSI_UA_POWER_ON]	= 0x2900,
	[VDEV_SCSI_UA_CAPACITY]	= 0x2a09,
	[VDEV_SCSI_UA_MODE]	= 0x2a01,
	[VDEV_SCSI_UA_LUNS]	= 0x3f0e,
};

/**
 * vdev_scsi_ua_set - establish a unit attention condition
 * @st: the LUN as one I_T nexus sees it
 * @ua: the condition
 *
 * When the nexus forms, set VDEV_SCSI_UA_POWER_ON on each of its LUNs;
 * when a LUN is resized, VDEV_SCSI_UA_CAPACITY; when LUNs come or go,
 * VDEV_SCSI_UA_LUNS on every LUN of the target; when MODE SELECT changes
 * a LUN's parameters, VDEV_SCSI_UA_MODE on the other nexuses. Any context.
 */
void vdev_scsi_ua_set(struct vdev_scsi_lun_state *st, enum vdev_scsi_ua ua)
{
	set_bit(ua, &st->ua);
}

/**
 * vdev_scsi_ua_clear - drop a unit attention condition unreported
 * @st: the LUN as one I_T nexus sees it
 * @ua: the condition
 *
 * After a REPORT LUNS, SPC-4 clears REPORTED LUNS DATA HAS CHANGED on
 * every LUN of the target for that nexus: the caller does it here.
 */
void vdev_scsi_ua_clear(struct vdev_scsi_lun_state *st, enum vdev_scsi_ua ua)
{
	clear_bit(ua, &st->ua);
}

/* Report and clear the highest pending condition, if any. */
static bool vdev_scsi_ua_take(struct vdev_scsi_lun_state *st,
			      struct vdev_scsi_sense *sense)
{
	unsigned long ua;

	/* Another queue's poller may take the same one: then try the next. */
	for (;;) {
		ua = find_first_bit(&st->ua, VDEV_SCSI_UA_NR);
		if (ua >= VDEV_SCSI_UA_NR)
			return false;
		if (test_and_clear_bit(ua, &st->ua))
			break;
	}
	*sense = (struct vdev_scsi_sense){
		.key = UNIT_ATTENTION,
		.asc = vdev_scsi_ua_code[ua] >> 8,
		.ascq = vdev_scsi_ua_code[ua] & 0xff,
	};
	return true;
}

/**
 * vdev_scsi_ua_check - report a pending unit attention instead of a command
 * @st: the addressed LUN as this I_T nexus sees it; NULL where no LUN is
 * @cdb: the command's CDB
 * @cdb_len: its bytes
 * @sense: filled in when it returns -EINVAL
 *
 * Run it before vdev_scsi_parse(), as SAM-5 orders the checks. INQUIRY,
 * REPORT LUNS and REQUEST SENSE go through (REQUEST SENSE reports the
 * condition as its data); any other command ends in CHECK CONDITION,
 * UNIT ATTENTION with the highest-priority condition, which is cleared.
 *
 * Return: 0 to go on, -EINVAL when the command ends here.
 */
int vdev_scsi_ua_check(struct vdev_scsi_lun_state *st, const u8 *cdb,
		       u32 cdb_len, struct vdev_scsi_sense *sense)
{
	if (!st || !cdb_len)
		return 0;
	switch (cdb[0]) {
	case INQUIRY:
	case REPORT_LUNS:
	case REQUEST_SENSE:
		return 0;
	}
	return vdev_scsi_ua_take(st, sense) ? -EINVAL : 0;
}

/* --- decoding ------------------------------------------------------------ */

static void vdev_scsi_data_in(struct vdev_scsi_cmd *cmd, enum vdev_scsi_op op,
			      u32 len)
{
	cmd->op = op;
	cmd->data_len = len;
	cmd->dir = len ? VDEV_SCSI_DIR_IN : VDEV_SCSI_DIR_NONE;
}

static void vdev_scsi_data_out(struct vdev_scsi_cmd *cmd, enum vdev_scsi_op op,
			       u32 len)
{
	cmd->op = len ? op : VDEV_SCSI_OP_NONE;
	cmd->data_len = len;
	cmd->dir = len ? VDEV_SCSI_DIR_OUT : VDEV_SCSI_DIR_NONE;
}

/* LBA and block count sit at the same offsets in every CDB of a length. */
static void vdev_scsi_lba_len(struct vdev_scsi_cmd *cmd)
{
	const u8 *cdb = cmd->cdb;

	switch (cdb[0] >> 5) {
	case 0:		/* 6 bytes */
		cmd->lba = get_unaligned_be24(&cdb[1]) & 0x1fffff;
		cmd->nblocks = cdb[4];
		break;
	case 1:		/* 10 bytes */
	case 2:
		cmd->lba = get_unaligned_be32(&cdb[2]);
		cmd->nblocks = get_unaligned_be16(&cdb[7]);
		break;
	case 4:		/* 16 bytes */
		cmd->lba = get_unaligned_be64(&cdb[2]);
		cmd->nblocks = get_unaligned_be32(&cdb[10]);
		break;
	case 5:		/* 12 bytes */
		cmd->lba = get_unaligned_be32(&cdb[2]);
		cmd->nblocks = get_unaligned_be32(&cdb[6]);
		break;
	}
}

static int vdev_scsi_check_range(struct vdev_scsi_cmd *cmd,
				 const struct vdev_scsi_lun_info *info,
				 u64 lba, u64 nblocks)
{
	/* Written so that lba + nblocks cannot wrap. */
	if (lba > info->nr_blocks || nblocks > info->nr_blocks - lba)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
				      ASC_LBA_OUT_OF_RANGE);
	return 0;
}

static int vdev_scsi_check_write(struct vdev_scsi_cmd *cmd,
				 const struct vdev_scsi_lun_info *info)
{
	if (info->read_only)
		return vdev_scsi_fail(cmd, DATA_PROTECT, ASC_WRITE_PROTECTED);
	return 0;
}

/* Bytes of @nblocks blocks, when one request can carry them. */
static int vdev_scsi_blocks_len(struct vdev_scsi_cmd *cmd,
				const struct vdev_scsi_lun_info *info,
				u32 nblocks, u32 *len)
{
	u64 bytes = (u64)nblocks * info->block_size;

	if ((info->max_xfer_blocks && nblocks > info->max_xfer_blocks) ||
	    bytes > U32_MAX)
		return vdev_scsi_invalid(cmd);
	*len = bytes;
	return 0;
}

/*
 * Writes through a cache the guest switched off must be durable too. With
 * no cache at all, every write is.
 */
static bool vdev_scsi_fua(const struct vdev_scsi_lun_info *info, bool fua_bit)
{
	return info->wc_present && (fua_bit || !info->wce);
}

static int vdev_scsi_parse_none(struct vdev_scsi_cmd *cmd,
				const struct vdev_scsi_lun_info *info)
{
	cmd->op = VDEV_SCSI_OP_NONE;
	return 0;
}

static bool vdev_scsi_vpd_supported(u8 page)
{
	switch (page) {
	case 0x00:
	case 0x80:
	case 0x83:
	case 0xb0:
	case 0xb1:
	case 0xb2:
		return true;
	}
	return false;
}

static int vdev_scsi_parse_inquiry(struct vdev_scsi_cmd *cmd,
				   const struct vdev_scsi_lun_info *info)
{
	bool evpd = cmd->cdb[1] & 0x01;
	u8 page = cmd->cdb[2];

	if (!evpd && page)
		return vdev_scsi_invalid(cmd);
	if (evpd && !info)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
				      ASC_LUN_NOT_SUPPORTED);
	if (evpd && !vdev_scsi_vpd_supported(page))
		return vdev_scsi_invalid(cmd);
	vdev_scsi_data_in(cmd, VDEV_SCSI_OP_EMULATED,
			  get_unaligned_be16(&cmd->cdb[3]));
	return 0;
}

static int vdev_scsi_parse_request_sense(struct vdev_scsi_cmd *cmd,
					 const struct vdev_scsi_lun_info *info)
{
	/* Even for no data, REQUEST SENSE clears what it reports. */
	vdev_scsi_data_in(cmd, VDEV_SCSI_OP_EMULATED, cmd->cdb[4]);
	return 0;
}

static int vdev_scsi_parse_report_luns(struct vdev_scsi_cmd *cmd,
				       const struct vdev_scsi_lun_info *info)
{
	/* All, well known only, all: with no well known LUs, 0 and 2 agree. */
	if (cmd->cdb[2] > 0x02)
		return vdev_scsi_invalid(cmd);
	vdev_scsi_data_in(cmd, VDEV_SCSI_OP_REPORT_LUNS,
			  get_unaligned_be32(&cmd->cdb[6]));
	return 0;
}

static int vdev_scsi_parse_read_capacity(struct vdev_scsi_cmd *cmd,
					 const struct vdev_scsi_lun_info *info)
{
	/* Without PMI, SBC-3 wants the (obsolete) LBA field zero. */
	if (!(cmd->cdb[8] & 0x01) && get_unaligned_be32(&cmd->cdb[2]))
		return vdev_scsi_invalid(cmd);
	vdev_scsi_data_in(cmd, VDEV_SCSI_OP_EMULATED, 8);
	return 0;
}

static int vdev_scsi_parse_sai16(struct vdev_scsi_cmd *cmd,
				 const struct vdev_scsi_lun_info *info)
{
	/* Most devices answer an unknown service action so; Linux expects it. */
	if ((cmd->cdb[1] & 0x1f) != SAI_READ_CAPACITY_16)
		return vdev_scsi_invalid(cmd);
	if (!(cmd->cdb[14] & 0x01) && get_unaligned_be64(&cmd->cdb[2]))
		return vdev_scsi_invalid(cmd);
	vdev_scsi_data_in(cmd, VDEV_SCSI_OP_EMULATED,
			  get_unaligned_be32(&cmd->cdb[10]));
	return 0;
}

static int vdev_scsi_parse_rw(struct vdev_scsi_cmd *cmd,
			      const struct vdev_scsi_lun_info *info)
{
	bool write;
	u32 len;
	int ret;

	switch (cmd->cdb[0]) {
	case WRITE_6:
	case WRITE_10:
	case WRITE_12:
	case WRITE_16:
		write = true;
		break;
	default:
		write = false;
		break;
	}
	vdev_scsi_lba_len(cmd);
	/* In the 6-byte CDBs, a transfer length of 0 means 256 blocks. */
	if ((cmd->cdb[0] == READ_6 || cmd->cdb[0] == WRITE_6) && !cmd->nblocks)
		cmd->nblocks = 256;
	ret = vdev_scsi_blocks_len(cmd, info, cmd->nblocks, &len);
	if (!ret && write)
		ret = vdev_scsi_check_write(cmd, info);
	if (!ret)
		ret = vdev_scsi_check_range(cmd, info, cmd->lba, cmd->nblocks);
	if (ret)
		return ret;
	if (write) {
		/* WRITE (6) has no FUA bit; the others have it in byte 1. */
		cmd->fua = vdev_scsi_fua(info, cmd->cdb[0] != WRITE_6 &&
					 (cmd->cdb[1] & 0x08));
		vdev_scsi_data_out(cmd, VDEV_SCSI_OP_WRITE, len);
	} else {
		cmd->op = len ? VDEV_SCSI_OP_READ : VDEV_SCSI_OP_NONE;
		cmd->data_len = len;
		cmd->dir = len ? VDEV_SCSI_DIR_IN : VDEV_SCSI_DIR_NONE;
	}
	return 0;
}

/*
 * Every VERIFY reads its blocks from the medium, BYTCHK 0 too (a guest
 * asks it to find unreadable blocks), so the maximum transfer length of
 * the block limits page bounds the verification length whatever BYTCHK
 * says: that bounds the work one command makes, as it does for READ.
 */
static int vdev_scsi_parse_verify(struct vdev_scsi_cmd *cmd,
				  const struct vdev_scsi_lun_info *info)
{
	u32 len = 0;
	int ret;

	vdev_scsi_lba_len(cmd);
	cmd->bytchk = (cmd->cdb[1] >> 1) & 0x03;
	if (cmd->bytchk == 2)	/* reserved */
		return vdev_scsi_invalid(cmd);
	ret = vdev_scsi_blocks_len(cmd, info, cmd->nblocks, &len);
	if (!ret)
		ret = vdev_scsi_check_range(cmd, info, cmd->lba, cmd->nblocks);
	if (ret)
		return ret;
	/* Data-out: the blocks, one block, or none to compare with. */
	if (cmd->bytchk == 3)
		len = info->block_size;
	if (!cmd->bytchk || !cmd->nblocks)
		len = 0;
	cmd->op = cmd->nblocks ? VDEV_SCSI_OP_VERIFY : VDEV_SCSI_OP_NONE;
	cmd->data_len = len;
	cmd->dir = len ? VDEV_SCSI_DIR_OUT : VDEV_SCSI_DIR_NONE;
	return 0;
}

static int vdev_scsi_parse_sync(struct vdev_scsi_cmd *cmd,
				const struct vdev_scsi_lun_info *info)
{
	int ret;

	/* IMMED is accepted: answering after the flush is merely slower. */
	vdev_scsi_lba_len(cmd);
	ret = vdev_scsi_check_range(cmd, info, cmd->lba, cmd->nblocks);
	if (ret)
		return ret;
	/* Without a volatile cache, everything written is on the medium. */
	cmd->op = info->wc_present ? VDEV_SCSI_OP_SYNC : VDEV_SCSI_OP_NONE;
	return 0;
}

/*
 * ANCHOR is refused by the mask (ANC_SUP is 0); SBC-3 wants INVALID FIELD
 * IN CDB for it. A LUN that cannot deallocate writes whatever UNMAP says.
 */
static int vdev_scsi_parse_write_same(struct vdev_scsi_cmd *cmd,
				      const struct vdev_scsi_lun_info *info)
{
	int ret;

	vdev_scsi_lba_len(cmd);
	cmd->ndob = cmd->cdb[0] == WRITE_SAME_16 && (cmd->cdb[1] & 0x01);
	cmd->unmap = (cmd->cdb[1] & 0x08) && vdev_scsi_can_unmap(info);
	/* Block limits say WSNZ: 0 blocks does not mean "to the end". */
	if (!cmd->nblocks ||
	    (info->max_ws_blocks && cmd->nblocks > info->max_ws_blocks))
		return vdev_scsi_invalid(cmd);
	ret = vdev_scsi_check_write(cmd, info);
	if (!ret)
		ret = vdev_scsi_check_range(cmd, info, cmd->lba, cmd->nblocks);
	if (ret)
		return ret;
	cmd->fua = vdev_scsi_fua(info, false);
	cmd->op = VDEV_SCSI_OP_WRITE_SAME;
	cmd->data_len = cmd->ndob ? 0 : info->block_size;
	cmd->dir = cmd->ndob ? VDEV_SCSI_DIR_NONE : VDEV_SCSI_DIR_OUT;
	return 0;
}

static int vdev_scsi_parse_unmap(struct vdev_scsi_cmd *cmd,
				 const struct vdev_scsi_lun_info *info)
{
	u32 len = get_unaligned_be16(&cmd->cdb[7]);
	int ret;

	/* As for any command a LUN does not implement. */
	if (!vdev_scsi_can_unmap(info))
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
	if (len > VDEV_SCSI_BUF_LEN)
		return vdev_scsi_invalid(cmd);
	ret = vdev_scsi_check_write(cmd, info);
	if (ret)
		return ret;
	vdev_scsi_data_out(cmd, VDEV_SCSI_OP_UNMAP, len);
	return 0;
}

static int vdev_scsi_parse_mode_sense(struct vdev_scsi_cmd *cmd,
				      const struct vdev_scsi_lun_info *info)
{
	u8 pc = cmd->cdb[2] >> 6;
	u8 page = cmd->cdb[2] & 0x3f;
	u8 subpage = cmd->cdb[3];
	bool ten = cmd->cdb[0] == MODE_SENSE_10;

	if (page != MPAGE_CACHING && page != MPAGE_CONTROL &&
	    page != MPAGE_ALL)
		return vdev_scsi_invalid(cmd);
	/* No page has sub-pages; "all sub-pages" of all pages is all pages. */
	if (subpage && !(page == MPAGE_ALL && subpage == MSUBPAGE_ALL))
		return vdev_scsi_invalid(cmd);
	if (pc == PC_SAVED)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
				      ASC_SAVING_UNSUPPORTED);
	vdev_scsi_data_in(cmd, VDEV_SCSI_OP_EMULATED,
			  ten ? get_unaligned_be16(&cmd->cdb[7]) : cmd->cdb[4]);
	return 0;
}

static int vdev_scsi_parse_mode_select(struct vdev_scsi_cmd *cmd,
				       const struct vdev_scsi_lun_info *info)
{
	bool ten = cmd->cdb[0] == MODE_SELECT_10;
	u32 len = ten ? get_unaligned_be16(&cmd->cdb[7]) : cmd->cdb[4];

	/* PF 0 would mean vendor specific pages; nothing can be saved. */
	if (len && !(cmd->cdb[1] & 0x10))
		return vdev_scsi_invalid(cmd);
	if ((cmd->cdb[1] & 0x01) || len > VDEV_SCSI_BUF_LEN)
		return vdev_scsi_invalid(cmd);
	vdev_scsi_data_out(cmd, VDEV_SCSI_OP_MODE_SELECT, len);
	return 0;
}

/* The mask refuses LOEJ and power conditions: there is no medium to move. */
static int vdev_scsi_parse_start_stop(struct vdev_scsi_cmd *cmd,
				      const struct vdev_scsi_lun_info *info)
{
	bool start = cmd->cdb[4] & 0x01;
	bool no_flush = cmd->cdb[4] & 0x04;

	/* A stop writes the cache back first, unless NO_FLUSH says not to. */
	if (!start && !no_flush && info->wc_present)
		cmd->op = VDEV_SCSI_OP_SYNC;
	else
		cmd->op = VDEV_SCSI_OP_NONE;
	return 0;
}

#define CDB10(b1, b6)	{ [1] = (b1), [2 ... 5] = 0xff, [6] = (b6),	\
			  [7 ... 8] = 0xff, [9] = CTL }
#define CDB12(b1)	{ [1] = (b1), [2 ... 9] = 0xff, [10] = 0x1f,	\
			  [11] = CTL }
#define CDB16(b1)	{ [1] = (b1), [2 ... 13] = 0xff, [14] = 0x3f,	\
			  [15] = CTL }
/* DPO and FUA; RDPROTECT/WRPROTECT would need protection information. */
#define RW_FLAGS	0x18

static const struct vdev_scsi_opdef vdev_scsi_opdefs[256] = {
	[TEST_UNIT_READY] = { 6, false, { [5] = CTL }, vdev_scsi_parse_none },
	[REQUEST_SENSE] = { 6, true, { [1] = 0x01, [4] = 0xff, [5] = CTL },
			    vdev_scsi_parse_request_sense },
	[READ_6] = { 6, false, { [1] = 0x1f, [2 ... 4] = 0xff, [5] = CTL },
		     vdev_scsi_parse_rw },
	[WRITE_6] = { 6, false, { [1] = 0x1f, [2 ... 4] = 0xff, [5] = CTL },
		      vdev_scsi_parse_rw },
	[INQUIRY] = { 6, true, { [1] = 0x01, [2 ... 4] = 0xff, [5] = CTL },
		      vdev_scsi_parse_inquiry },
	[MODE_SELECT] = { 6, false, { [1] = 0x11, [4] = 0xff, [5] = CTL },
			  vdev_scsi_parse_mode_select },
	[MODE_SENSE] = { 6, false, { [1] = 0x08, [2 ... 4] = 0xff, [5] = CTL },
			 vdev_scsi_parse_mode_sense },
	[START_STOP] = { 6, false, { [1] = 0x01, [4] = 0x05, [5] = CTL },
			 vdev_scsi_parse_start_stop },
	[READ_CAPACITY] = { 10, false, { [2 ... 5] = 0xff, [8] = 0x01,
					 [9] = CTL },
			    vdev_scsi_parse_read_capacity },
	[READ_10] = { 10, false, CDB10(RW_FLAGS, 0x1f), vdev_scsi_parse_rw },
	[WRITE_10] = { 10, false, CDB10(RW_FLAGS, 0x1f), vdev_scsi_parse_rw },
	/* DPO and BYTCHK. */
	[VERIFY] = { 10, false, CDB10(0x16, 0x1f), vdev_scsi_parse_verify },
	/* IMMED. */
	[SYNCHRONIZE_CACHE] = { 10, false, CDB10(0x02, 0x1f),
				vdev_scsi_parse_sync },
	/* UNMAP. */
	[WRITE_SAME] = { 10, false, CDB10(0x08, 0x1f),
			 vdev_scsi_parse_write_same },
	[UNMAP] = { 10, false, { [6] = 0x1f, [7 ... 8] = 0xff, [9] = CTL },
		    vdev_scsi_parse_unmap },
	[MODE_SELECT_10] = { 10, false, { [1] = 0x11, [7 ... 8] = 0xff,
					  [9] = CTL },
			     vdev_scsi_parse_mode_select },
	/* LLBAA and DBD. */
	[MODE_SENSE_10] = { 10, false, { [1] = 0x18, [2 ... 3] = 0xff,
					 [7 ... 8] = 0xff, [9] = CTL },
			    vdev_scsi_parse_mode_sense },
	[READ_16] = { 16, false, CDB16(RW_FLAGS), vdev_scsi_parse_rw },
	[WRITE_16] = { 16, false, CDB16(RW_FLAGS), vdev_scsi_parse_rw },
	[VERIFY_16] = { 16, false, CDB16(0x16), vdev_scsi_parse_verify },
	[SYNCHRONIZE_CACHE_16] = { 16, false, CDB16(0x02),
				   vdev_scsi_parse_sync },
	/* UNMAP and NDOB. */
	[WRITE_SAME_16] = { 16, false, CDB16(0x09),
			    vdev_scsi_parse_write_same },
	/* The service action, and PMI. */
	[SERVICE_ACTION_IN_16] = { 16, false, { [1] = 0x1f, [2 ... 13] = 0xff,
						[14] = 0x01, [15] = CTL },
				   vdev_scsi_parse_sai16 },
	[REPORT_LUNS] = { 12, true, { [2] = 0xff, [6 ... 9] = 0xff,
				      [11] = CTL },
			  vdev_scsi_parse_report_luns },
	[READ_12] = { 12, false, CDB12(RW_FLAGS), vdev_scsi_parse_rw },
	[WRITE_12] = { 12, false, CDB12(RW_FLAGS), vdev_scsi_parse_rw },
};

/**
 * vdev_scsi_parse - decode and check a CDB
 * @cmd: filled in
 * @info: the addressed LUN; NULL when there is none at that address (the
 *	target answers INQUIRY, REPORT LUNS and REQUEST SENSE for it, and
 *	LOGICAL UNIT NOT SUPPORTED to anything else)
 * @cdb: the CDB as the request carries it (virtio-scsi's cdb_size bytes)
 * @cdb_len: its bytes; bytes past the operation code's CDB length are
 *	ignored, fewer than it are INVALID FIELD IN CDB
 *
 * An unknown operation code is INVALID COMMAND OPERATION CODE; reserved
 * bits, fields we cannot honour and bad values are INVALID FIELD IN CDB;
 * blocks past the end are LOGICAL BLOCK ADDRESS OUT OF RANGE; writes to a
 * read-only LUN are DATA PROTECT, WRITE PROTECTED. A READ, WRITE, VERIFY
 * or WRITE SAME of more blocks than @info allows is INVALID FIELD IN CDB.
 * Commands that end up moving nothing (a transfer length of 0, a parameter
 * list length of 0) become VDEV_SCSI_OP_NONE once checked.
 *
 * Return: 0, or -EINVAL with @cmd->sense set.
 */
int vdev_scsi_parse(struct vdev_scsi_cmd *cmd,
		    const struct vdev_scsi_lun_info *info, const u8 *cdb,
		    u32 cdb_len)
{
	const struct vdev_scsi_opdef *def;
	u32 i;

	memset(cmd, 0, sizeof(*cmd));
	if (!cdb_len)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
	memcpy(cmd->cdb, cdb, min_t(u32, cdb_len, VDEV_SCSI_CDB_MAX));
	def = &vdev_scsi_opdefs[cdb[0]];
	/* SAM-5: a missing LUN is reported before anything about the CDB. */
	if (!info && !def->nolun)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
				      ASC_LUN_NOT_SUPPORTED);
	if (!def->parse)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
	if (cdb_len < def->len)
		return vdev_scsi_invalid(cmd);
	for (i = 1; i < def->len; i++)
		if (cdb[i] & ~def->mask[i])
			return vdev_scsi_invalid(cmd);
	return def->parse(cmd, info);
}

/**
 * vdev_scsi_check_xfer - match a parsed command with the request's buffers
 * @cmd: from vdev_scsi_parse()
 * @out_len: bytes of the request's data-out buffer (guest to device)
 * @in_len: bytes of its data-in buffer (device to guest)
 *
 * Sets @cmd->xfer_len and @cmd->resid by the rules in scsi.h. A READ whose
 * buffer holds fewer blocks than asked reads the blocks that fit, and
 * becomes VDEV_SCSI_OP_NONE if that is none.
 *
 * Return: 0, or -EINVAL with @cmd->sense set (INVALID FIELD IN COMMAND
 * INFORMATION UNIT).
 */
int vdev_scsi_check_xfer(struct vdev_scsi_cmd *cmd, u32 out_len, u32 in_len)
{
	u32 lbs;

	if (out_len && in_len)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
				      ASC_INVALID_FIELD_IU);
	switch (cmd->dir) {
	case VDEV_SCSI_DIR_NONE:
		cmd->xfer_len = 0;
		cmd->resid = out_len + in_len;
		return 0;
	case VDEV_SCSI_DIR_OUT:
		if (in_len || out_len < cmd->data_len)
			return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
					      ASC_INVALID_FIELD_IU);
		cmd->xfer_len = cmd->data_len;
		cmd->resid = out_len - cmd->data_len;
		return 0;
	case VDEV_SCSI_DIR_IN:
		if (out_len)
			return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
					      ASC_INVALID_FIELD_IU);
		cmd->xfer_len = min(cmd->data_len, in_len);
		if (cmd->op == VDEV_SCSI_OP_READ &&
		    cmd->xfer_len < cmd->data_len) {
			/* Bios move whole blocks: read those that fit. */
			lbs = cmd->data_len / cmd->nblocks;
			cmd->nblocks = cmd->xfer_len / lbs;
			cmd->xfer_len = cmd->nblocks * lbs;
			if (!cmd->nblocks)
				cmd->op = VDEV_SCSI_OP_NONE;
		}
		cmd->resid = in_len - cmd->xfer_len;
		return 0;
	}
	return 0;
}

/* --- emulated data-in ---------------------------------------------------- */

/* Bytes of a response of @len that go to the guest; the rest is residual. */
static u32 vdev_scsi_trim(struct vdev_scsi_cmd *cmd, u32 len)
{
	u32 n = min(len, cmd->xfer_len);

	cmd->resid += cmd->xfer_len - n;
	cmd->xfer_len = n;
	return n;
}

static u32 vdev_scsi_inquiry_std(const struct vdev_scsi_lun_info *info,
				 u8 *buf)
{
	const u32 len = 36;

	memset(buf, 0, len);
	buf[0] = info ? TYPE_DISK : VDEV_SCSI_PQ_NO_LUN;
	buf[2] = VDEV_SCSI_VERSION_SPC4;
	buf[3] = 0x02;		/* response data format */
	buf[4] = len - 5;
	buf[7] = 0x02;		/* CMDQUE: Linux queues only to such LUNs */
	if (!info) {
		memset(&buf[8], ' ', len - 8);
		return len;
	}
	vdev_scsi_ascii(&buf[8], info->vendor, VDEV_SCSI_VENDOR_LEN);
	vdev_scsi_ascii(&buf[16], info->product, VDEV_SCSI_PRODUCT_LEN);
	vdev_scsi_ascii(&buf[32], info->revision, VDEV_SCSI_REVISION_LEN);
	return len;
}

static const u8 vdev_scsi_vpd_pages[] = { 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2 };

static u32 vdev_scsi_vpd_serial(const struct vdev_scsi_lun_info *info,
				u8 *buf)
{
	u32 n = strnlen(info->serial, VDEV_SCSI_ID_LEN);

	memcpy(&buf[4], info->serial, n);
	return 4 + n;
}

/* A designation descriptor's header; the designator follows. */
static u8 *vdev_scsi_desig(u8 *p, u8 code_set, u8 assoc_type, u32 len)
{
	p[0] = code_set;
	p[1] = assoc_type;
	p[2] = 0;
	p[3] = len;
	return p + 4;
}

/* T10 vendor ID designator: the vendor, then a string of ours. */
static u8 *vdev_scsi_desig_t10(u8 *p, u8 assoc,
			       const struct vdev_scsi_lun_info *info,
			       const char *id)
{
	u32 n = strnlen(id, VDEV_SCSI_ID_LEN);

	p = vdev_scsi_desig(p, DESIG_ASCII, assoc | DESIG_T10,
			    VDEV_SCSI_VENDOR_LEN + n);
	vdev_scsi_ascii(p, info->vendor, VDEV_SCSI_VENDOR_LEN);
	memcpy(p + VDEV_SCSI_VENDOR_LEN, id, n);
	return p + VDEV_SCSI_VENDOR_LEN + n;
}

static u32 vdev_scsi_vpd_devid(const struct vdev_scsi_lun_info *info,
			       u8 *buf)
{
	u8 *p = &buf[4];

	p = vdev_scsi_desig(p, DESIG_BINARY, DESIG_LUN | DESIG_NAA, 8);
	put_unaligned_be64(NAA_LOCAL << 60 | (info->naa & GENMASK_ULL(59, 0)),
			   p);
	p = vdev_scsi_desig_t10(p + 8, DESIG_LUN, info, info->device_id);
	p = vdev_scsi_desig(p, DESIG_BINARY, DESIG_PORT | DESIG_REL_PORT, 4);
	put_unaligned_be32(VDEV_SCSI_REL_PORT, p);
	p += 4;
	if (info->port_id[0])
		p = vdev_scsi_desig_t10(p, DESIG_PORT, info, info->port_id);
	return p - buf;
}

static u32 vdev_scsi_vpd_limits(const struct vdev_scsi_lun_info *info,
				u8 *buf)
{
	buf[4] = 0x01;		/* WSNZ */
	put_unaligned_be16(info->opt_gran_blocks, &buf[6]);
	put_unaligned_be32(info->max_xfer_blocks, &buf[8]);
	put_unaligned_be32(info->opt_xfer_blocks, &buf[12]);
	if (vdev_scsi_can_unmap(info)) {
		put_unaligned_be32(info->max_unmap_blocks, &buf[20]);
		put_unaligned_be32(vdev_scsi_unmap_desc_max(info), &buf[24]);
		put_unaligned_be32(info->unmap_gran, &buf[28]);
		/* UGAVALID: the alignment means something. */
		put_unaligned_be32(0x80000000 | (info->unmap_align & 0x7fffffff),
				   &buf[32]);
	}
	put_unaligned_be64(info->max_ws_blocks, &buf[36]);
	return 64;
}

static u32 vdev_scsi_vpd_chars(const struct vdev_scsi_lun_info *info,
			       u8 *buf)
{
	/* Medium rotation rate 1: a non-rotating medium. */
	put_unaligned_be16(info->rotational ? 0 : 1, &buf[4]);
	return 64;
}

static u32 vdev_scsi_vpd_provisioning(const struct vdev_scsi_lun_info *info,
				      u8 *buf)
{
	if (vdev_scsi_can_unmap(info)) {
		/* LBPU, LBPWS, LBPWS10 and LBPRZ 001b; thin provisioned. */
		buf[5] = 0xe0 | (info->lbprz ? 0x04 : 0);
		buf[6] = 0x02;
	}
	return 8;
}

static u32 vdev_scsi_inquiry(const struct vdev_scsi_cmd *cmd,
			     const struct vdev_scsi_lun_info *info, u8 *buf)
{
	u8 page = cmd->cdb[2];
	u32 len;

	if (!(cmd->cdb[1] & 0x01))
		return vdev_scsi_inquiry_std(info, buf);
	memset(buf, 0, 64);
	buf[0] = TYPE_DISK;
	buf[1] = page;
	switch (page) {
	case 0x00:
		memcpy(&buf[4], vdev_scsi_vpd_pages,
		       sizeof(vdev_scsi_vpd_pages));
		len = 4 + sizeof(vdev_scsi_vpd_pages);
		break;
	case 0x80:
		len = vdev_scsi_vpd_serial(info, buf);
		break;
	case 0x83:
		len = vdev_scsi_vpd_devid(info, buf);
		break;
	case 0xb0:
		len = vdev_scsi_vpd_limits(info, buf);
		break;
	case 0xb1:
		len = vdev_scsi_vpd_chars(info, buf);
		break;
	default:	/* 0xb2: vdev_scsi_parse() let no other page by */
		len = vdev_scsi_vpd_provisioning(info, buf);
		break;
	}
	put_unaligned_be16(len - 4, &buf[2]);
	return len;
}

/* Sense data as REQUEST SENSE returns it: pending UA, or nothing to say. */
static u32 vdev_scsi_request_sense(const struct vdev_scsi_cmd *cmd,
				   const struct vdev_scsi_lun_info *info,
				   struct vdev_scsi_lun_state *st, u8 *buf)
{
	struct vdev_scsi_sense s = { NO_SENSE, 0, 0 };

	/* The request itself succeeds: its data says the LUN is missing. */
	if (!info) {
		s.key = ILLEGAL_REQUEST;
		s.asc = ASC_LUN_NOT_SUPPORTED >> 8;
	} else if (st) {
		vdev_scsi_ua_take(st, &s);
	}
	if (cmd->cdb[1] & 0x01)
		return vdev_scsi_sense_desc(buf, s.key, s.asc, s.ascq);
	return vdev_scsi_sense_fixed(buf, s.key, s.asc, s.ascq);
}

static u64 vdev_scsi_last_lba(const struct vdev_scsi_lun_info *info)
{
	/* An empty LUN has no last block: say 0 rather than wrap. */
	return info->nr_blocks ? info->nr_blocks - 1 : 0;
}

static u32 vdev_scsi_read_capacity(const struct vdev_scsi_lun_info *info,
				   u8 *buf)
{
	/* FFFFFFFFh sends the initiator to READ CAPACITY (16). */
	put_unaligned_be32(min_t(u64, vdev_scsi_last_lba(info), U32_MAX), buf);
	put_unaligned_be32(info->block_size, &buf[4]);
	return 8;
}

static u32 vdev_scsi_read_capacity16(const struct vdev_scsi_lun_info *info,
				     u8 *buf)
{
	memset(buf, 0, 32);
	put_unaligned_be64(vdev_scsi_last_lba(info), buf);
	put_unaligned_be32(info->block_size, &buf[8]);
	buf[13] = info->phys_exp & 0x0f;
	buf[14] = (info->lowest_aligned >> 8) & 0x3f;
	buf[15] = info->lowest_aligned & 0xff;
	if (vdev_scsi_can_unmap(info))
		buf[14] |= 0x80 | (info->lbprz ? 0x40 : 0);	/* LBPME, LBPRZ */
	return 32;
}

/*
 * The caching page. Only WCE can change, and only with a cache to switch;
 * it starts on.
 */
static u32 vdev_scsi_mpage_caching(const struct vdev_scsi_lun_info *info,
				   enum vdev_scsi_pc pc, u8 *p)
{
	memset(p, 0, MPAGE_CACHING_LEN);
	p[0] = MPAGE_CACHING;
	p[1] = MPAGE_CACHING_LEN - 2;
	if (info->wc_present && (pc != PC_CURRENT || info->wce))
		p[2] = MPAGE_WCE;
	return MPAGE_CACHING_LEN;
}

/* The control page: nothing changes; fixed sense format (D_SENSE 0). */
static u32 vdev_scsi_mpage_control(enum vdev_scsi_pc pc, u8 *p)
{
	memset(p, 0, MPAGE_CONTROL_LEN);
	p[0] = MPAGE_CONTROL;
	p[1] = MPAGE_CONTROL_LEN - 2;
	/* Queue algorithm modifier 1: commands run in any order, as they do. */
	if (pc != PC_CHANGEABLE)
		p[3] = 0x10;
	return MPAGE_CONTROL_LEN;
}

/* One page, at most MPAGE_MAX_LEN bytes; 0 for a page we lack. */
static u32 vdev_scsi_mpage(const struct vdev_scsi_lun_info *info, u8 page,
			   enum vdev_scsi_pc pc, u8 *p)
{
	switch (page) {
	case MPAGE_CACHING:
		return vdev_scsi_mpage_caching(info, pc, p);
	case MPAGE_CONTROL:
		return vdev_scsi_mpage_control(pc, p);
	}
	return 0;
}

/* One page, or all of them (3Fh) in page code order. */
static u32 vdev_scsi_mpages(const struct vdev_scsi_lun_info *info, u8 page,
			    enum vdev_scsi_pc pc, u8 *p)
{
	u32 n;

	if (page != MPAGE_ALL)
		return vdev_scsi_mpage(info, page, pc, p);
	n = vdev_scsi_mpage(info, MPAGE_CACHING, pc, p);
	return n + vdev_scsi_mpage(info, MPAGE_CONTROL, pc, p + n);
}

/* The block descriptor: capacity and block length, none changeable. */
static u32 vdev_scsi_block_desc(const struct vdev_scsi_lun_info *info,
				enum vdev_scsi_pc pc, bool longlba, u8 *p)
{
	u32 len = longlba ? 16 : 8;

	memset(p, 0, len);
	if (pc == PC_CHANGEABLE)
		return len;
	if (longlba) {
		put_unaligned_be64(info->nr_blocks, p);
		put_unaligned_be32(info->block_size, &p[12]);
	} else {
		put_unaligned_be32(min_t(u64, info->nr_blocks, U32_MAX), p);
		put_unaligned_be24(info->block_size, &p[5]);
	}
	return len;
}

static u32 vdev_scsi_mode_sense(const struct vdev_scsi_cmd *cmd,
				const struct vdev_scsi_lun_info *info, u8 *buf)
{
	bool ten = cmd->cdb[0] == MODE_SENSE_10;
	bool dbd = cmd->cdb[1] & 0x08;
	bool longlba = ten && (cmd->cdb[1] & 0x10) && !dbd;
	enum vdev_scsi_pc pc = cmd->cdb[2] >> 6;
	u32 hdr = ten ? 8 : 4, bdl = 0, len;
	u8 dsp = MODE_DPOFUA | (info->read_only ? MODE_WP : 0);

	memset(buf, 0, hdr);
	if (!dbd)
		bdl = vdev_scsi_block_desc(info, pc, longlba, buf + hdr);
	len = hdr + bdl;
	len += vdev_scsi_mpages(info, cmd->cdb[2] & 0x3f, pc, buf + len);
	/* The mode data length counts what follows it, cut or not. */
	if (ten) {
		put_unaligned_be16(len - 2, buf);
		buf[3] = dsp;
		buf[4] = longlba ? 0x01 : 0;
		put_unaligned_be16(bdl, &buf[6]);
	} else {
		buf[0] = len - 1;
		buf[2] = dsp;
		buf[3] = bdl;
	}
	return len;
}

/**
 * vdev_scsi_emulate - build the data-in of a VDEV_SCSI_OP_EMULATED command
 * @cmd: parsed and matched with its buffers (vdev_scsi_check_xfer())
 * @info: the LUN, as given to vdev_scsi_parse()
 * @st: the LUN as this I_T nexus sees it: REQUEST SENSE reports and clears
 *	its highest unit attention; NULL where no LUN is
 * @buf: VDEV_SCSI_BUF_LEN bytes; the response goes at its start
 *
 * INQUIRY (standard data and VPD pages 00h, 80h, 83h, B0h, B1h, B2h), READ
 * CAPACITY (10) and (16), MODE SENSE (6) and (10), REQUEST SENSE. These
 * cannot fail once parsed.
 *
 * Return: bytes of @buf to copy to the data-in, the response cut to the
 * allocation length and the buffer; @cmd->xfer_len and @cmd->resid follow.
 */
u32 vdev_scsi_emulate(struct vdev_scsi_cmd *cmd,
		      const struct vdev_scsi_lun_info *info,
		      struct vdev_scsi_lun_state *st, u8 *buf)
{
	u32 len;

	switch (cmd->cdb[0]) {
	case INQUIRY:
		len = vdev_scsi_inquiry(cmd, info, buf);
		break;
	case REQUEST_SENSE:
		len = vdev_scsi_request_sense(cmd, info, st, buf);
		break;
	case READ_CAPACITY:
		len = vdev_scsi_read_capacity(info, buf);
		break;
	case SERVICE_ACTION_IN_16:
		len = vdev_scsi_read_capacity16(info, buf);
		break;
	case MODE_SENSE:
	case MODE_SENSE_10:
		len = vdev_scsi_mode_sense(cmd, info, buf);
		break;
	default:
		WARN_ON_ONCE(1);
		len = 0;
		break;
	}
	return vdev_scsi_trim(cmd, len);
}

/*
 * A LUN as QEMU's virtio-scsi reports it: peripheral device addressing
 * below 256, flat space from there. Linux numbers a flat space LUN 4000h
 * | lun and addresses it right, but scans it only if the config space's
 * max_lun reaches that number.
 */
static void vdev_scsi_lun_encode(u16 lun, u8 *p)
{
	memset(p, 0, 8);
	if (lun >= 256)
		p[0] = 0x40 | ((lun >> 8) & 0x3f);
	p[1] = lun & 0xff;
}

/**
 * vdev_scsi_report_luns - build the data-in of REPORT LUNS
 * @cmd: parsed (VDEV_SCSI_OP_REPORT_LUNS) and matched with its buffers
 * @luns: the target's LUNs, each below 16384, in the order to report them
 * @nr_luns: entries in @luns
 * @buf: VDEV_SCSI_BUF_LEN bytes
 *
 * The LUN LIST LENGTH covers all @nr_luns; entries past VDEV_SCSI_BUF_LEN
 * are left out, as if the allocation length had cut them. The caller then
 * clears VDEV_SCSI_UA_LUNS on every LUN of the target for the nexus.
 *
 * Return: bytes of @buf to copy to the data-in; @cmd->xfer_len and
 * @cmd->resid follow.
 */
u32 vdev_scsi_report_luns(struct vdev_scsi_cmd *cmd, const u16 *luns,
			  u32 nr_luns, u8 *buf)
{
	u32 i, len = 8;

	/* Only well known logical units were asked for: there are none. */
	if (cmd->cdb[2] == 0x01)
		nr_luns = 0;
	memset(buf, 0, 8);
	put_unaligned_be32(min(nr_luns, U32_MAX / 8) * 8, buf);
	for (i = 0; i < nr_luns && len + 8 <= VDEV_SCSI_BUF_LEN; i++) {
		vdev_scsi_lun_encode(luns[i], buf + len);
		len += 8;
	}
	return vdev_scsi_trim(cmd, len);
}

/* --- parameter lists ----------------------------------------------------- */

/* The block descriptor of a MODE SELECT may only repeat ours. */
static bool vdev_scsi_block_desc_same(const struct vdev_scsi_lun_info *info,
				      const u8 *p, bool longlba)
{
	u8 ours[16];
	u32 len = vdev_scsi_block_desc(info, PC_CURRENT, longlba, ours);

	/* Number of blocks 0: keep the capacity, as SBC-3 allows. */
	if (longlba && !get_unaligned_be64(p))
		return !memcmp(p + 8, ours + 8, len - 8);
	if (!longlba && !get_unaligned_be32(p))
		return !memcmp(p + 4, ours + 4, len - 4);
	return !memcmp(p, ours, len);
}

/*
 * One mode page of a MODE SELECT: every bit must equal its current value
 * but those the changeable values mark. Sets *@len to the page's length.
 */
static int vdev_scsi_select_page(struct vdev_scsi_cmd *cmd,
				 const struct vdev_scsi_lun_info *info,
				 const u8 *p, u32 avail, bool *wce, u32 *len)
{
	u8 cur[MPAGE_MAX_LEN], mask[MPAGE_MAX_LEN];
	u8 page;
	u32 n, i;

	if (avail < 2)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST, ASC_PARAM_LIST_LEN);
	page = p[0] & 0x3f;
	if (p[0] & MPAGE_SPF)	/* no page of ours has sub-pages */
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
				      ASC_INVALID_FIELD_PARAM);
	n = vdev_scsi_mpage(info, page, PC_CURRENT, cur);
	vdev_scsi_mpage(info, page, PC_CHANGEABLE, mask);
	if (!n || p[1] != n - 2)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
				      ASC_INVALID_FIELD_PARAM);
	if (avail < n)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST, ASC_PARAM_LIST_LEN);
	/* Byte 0's PS bit is reserved in MODE SELECT: ignore it with it. */
	for (i = 2; i < n; i++)
		if ((p[i] ^ cur[i]) & ~mask[i])
			return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
					      ASC_INVALID_FIELD_PARAM);
	if (page == MPAGE_CACHING)
		*wce = p[2] & MPAGE_WCE;
	*len = n;
	return 0;
}

/**
 * vdev_scsi_mode_select - apply a MODE SELECT parameter list
 * @cmd: parsed (VDEV_SCSI_OP_MODE_SELECT) and matched with its buffers
 * @info: the LUN
 * @buf: the data-out, copied in
 * @len: its bytes (@cmd->xfer_len)
 * @wce: set to the write cache's new state; left alone on failure
 *
 * The header's medium type must be 0; a block descriptor may only repeat
 * the capacity (or give 0) and block length; the caching and control
 * pages may only change what MODE SENSE says is changeable (WCE, when a
 * cache is present). Anything else is INVALID FIELD IN PARAMETER LIST; a
 * list cut inside a header, descriptor or page is PARAMETER LIST LENGTH
 * ERROR. The list is checked whole before anything is applied. When WCE
 * changes, the caller sets VDEV_SCSI_UA_MODE on the LUN's other nexuses.
 *
 * Return: 0, or -EINVAL with @cmd->sense set.
 */
int vdev_scsi_mode_select(struct vdev_scsi_cmd *cmd,
			  const struct vdev_scsi_lun_info *info, const u8 *buf,
			  u32 len, bool *wce)
{
	bool ten = cmd->cdb[0] == MODE_SELECT_10;
	u32 hdr = ten ? 8 : 4, off, bdl, n;
	bool new_wce = info->wce;
	bool longlba;
	int ret;

	if (len < hdr)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST, ASC_PARAM_LIST_LEN);
	/*
	 * The mode data length is reserved in MODE SELECT, and so is the
	 * device-specific parameter (WP, DPOFUA) of a direct-access device.
	 */
	longlba = ten && (buf[4] & 0x01);
	bdl = ten ? get_unaligned_be16(&buf[6]) : buf[3];
	if (buf[ten ? 2 : 1] || (bdl && bdl != (longlba ? 16 : 8)))
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
				      ASC_INVALID_FIELD_PARAM);
	if (len - hdr < bdl)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST, ASC_PARAM_LIST_LEN);
	if (bdl && !vdev_scsi_block_desc_same(info, buf + hdr, longlba))
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
				      ASC_INVALID_FIELD_PARAM);
	for (off = hdr + bdl; off < len; off += n) {
		ret = vdev_scsi_select_page(cmd, info, buf + off, len - off,
					    &new_wce, &n);
		if (ret)
			return ret;
	}
	*wce = new_wce;
	return 0;
}

/**
 * vdev_scsi_unmap_parse - check an UNMAP parameter list and list its ranges
 * @cmd: parsed (VDEV_SCSI_OP_UNMAP) and matched with its buffers
 * @info: the LUN
 * @buf: the data-out, copied in
 * @len: its bytes (@cmd->xfer_len)
 * @ranges: room for VDEV_SCSI_UNMAP_DESC_MAX (or @info->max_unmap_desc,
 *	if fewer) entries
 *
 * A list shorter than its 8-byte header is PARAMETER LIST LENGTH ERROR.
 * Header lengths promising more than @len, more descriptors than the LUN
 * takes, or more blocks in all than @info->max_unmap_blocks are INVALID
 * FIELD IN PARAMETER LIST; a descriptor past the end of the LUN is LOGICAL
 * BLOCK ADDRESS OUT OF RANGE. A last descriptor cut short by the block
 * descriptor data length is ignored, as SBC-3 says. Descriptors of 0
 * blocks are left out; on failure, @ranges means nothing: the whole list
 * is checked before the caller unmaps anything.
 *
 * Return: ranges filled in (maybe 0), or -EINVAL with @cmd->sense set.
 */
int vdev_scsi_unmap_parse(struct vdev_scsi_cmd *cmd,
			  const struct vdev_scsi_lun_info *info, const u8 *buf,
			  u32 len, struct vdev_scsi_range *ranges)
{
	u32 ndesc, i, nr = 0, nblocks;
	u64 total = 0, lba;
	const u8 *d;
	int ret;

	if (len < 8)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST, ASC_PARAM_LIST_LEN);
	if ((u32)get_unaligned_be16(&buf[0]) + 2 > len ||
	    (u32)get_unaligned_be16(&buf[2]) + 8 > len)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
				      ASC_INVALID_FIELD_PARAM);
	ndesc = get_unaligned_be16(&buf[2]) / 16;
	if (ndesc > vdev_scsi_unmap_desc_max(info))
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
				      ASC_INVALID_FIELD_PARAM);
	for (i = 0; i < ndesc; i++) {
		d = &buf[8 + 16 * i];
		lba = get_unaligned_be64(d);
		nblocks = get_unaligned_be32(&d[8]);
		ret = vdev_scsi_check_range(cmd, info, lba, nblocks);
		if (ret)
			return ret;
		total += nblocks;
		if (!nblocks)
			continue;
		ranges[nr].lba = lba;
		ranges[nr].nblocks = nblocks;
		nr++;
	}
	if (total > info->max_unmap_blocks)
		return vdev_scsi_fail(cmd, ILLEGAL_REQUEST,
				      ASC_INVALID_FIELD_PARAM);
	return nr;
}

/* --- errors and sense data ----------------------------------------------- */

/**
 * vdev_scsi_io_error - the sense of a command whose block I/O failed
 * @cmd: a READ, WRITE, VERIFY, SYNC, WRITE_SAME or UNMAP
 * @status: what the block layer said
 *
 * Out of space (a thin pool full) is DATA PROTECT, SPACE ALLOCATION FAILED
 * WRITE PROTECT, as LIO says; an operation the device refuses is INVALID
 * COMMAND OPERATION CODE, which makes Linux stop sending it (UNMAP, WRITE
 * SAME); anything else is a MEDIUM ERROR: UNRECOVERED READ ERROR for what
 * reads, WRITE ERROR for the rest. BLK_STS_AGAIN and BLK_STS_RESOURCE are
 * for the caller to retry, not to report.
 */
void vdev_scsi_io_error(struct vdev_scsi_cmd *cmd, blk_status_t status)
{
	if (status == BLK_STS_NOSPC)
		vdev_scsi_fail(cmd, DATA_PROTECT, ASC_SPACE_ALLOC_FAILED);
	else if (status == BLK_STS_NOTSUPP)
		vdev_scsi_fail(cmd, ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
	else if (cmd->op == VDEV_SCSI_OP_READ || cmd->op == VDEV_SCSI_OP_VERIFY)
		vdev_scsi_fail(cmd, MEDIUM_ERROR, ASC_READ_ERROR);
	else
		vdev_scsi_fail(cmd, MEDIUM_ERROR, ASC_WRITE_ERROR);
}

/**
 * vdev_scsi_miscompare - the sense of a VERIFY whose compare failed
 * @cmd: a VERIFY with @cmd->bytchk set
 * @offset: the first byte that differs, from the start of the range
 *
 * SBC-4 puts that offset in the sense's INFORMATION field: for BYTCHK 1 it
 * is the offset in the data-out too; for BYTCHK 3, whose data-out is one
 * block, it says which block of the range differs and where.
 */
void vdev_scsi_miscompare(struct vdev_scsi_cmd *cmd, u64 offset)
{
	vdev_scsi_fail(cmd, MISCOMPARE, ASC_MISCOMPARE);
	cmd->sense.info_valid = true;
	cmd->sense.info = offset;
}

/* Bytes of @a and @b that are equal from the start: @len when all are. */
static u32 vdev_scsi_same_len(const u8 *a, const u8 *b, u32 len)
{
	u32 i;

	if (!memcmp(a, b, len))
		return len;
	for (i = 0; a[i] == b[i]; i++)
		;
	return i;
}

/**
 * vdev_scsi_verify_cmp - compare blocks a VERIFY read with what it expects
 * @cmd: a VERIFY with @cmd->bytchk 1 or 3
 * @info: the LUN
 * @medium: @len bytes read from the medium, @off bytes into the range
 * @data: BYTCHK 1: the @len bytes of data-out at @off; BYTCHK 3: the one
 *	block of data-out, which each block of @medium must equal
 * @len: whole blocks
 * @off: where @medium starts in the range, a multiple of the block size
 *
 * The caller reads the range piece by piece and calls this for each piece
 * in order, so the first miscompare reported is the first of the range.
 *
 * Return: 0 when equal; -EINVAL with MISCOMPARE sense whose INFORMATION is
 * the offset of the first byte that differs (vdev_scsi_miscompare()).
 */
int vdev_scsi_verify_cmp(struct vdev_scsi_cmd *cmd,
			 const struct vdev_scsi_lun_info *info,
			 const u8 *medium, const u8 *data, u32 len, u64 off)
{
	u32 lbs = info->block_size, pos, n;

	if (cmd->bytchk == 1) {
		n = vdev_scsi_same_len(medium, data, len);
		if (n < len) {
			vdev_scsi_miscompare(cmd, off + n);
			return -EINVAL;
		}
		return 0;
	}
	for (pos = 0; pos < len; pos += lbs) {
		n = vdev_scsi_same_len(medium + pos, data, lbs);
		if (n < lbs) {
			vdev_scsi_miscompare(cmd, off + pos + n);
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * vdev_scsi_sense_fixed - fixed format sense data of a current error
 * @buf: VDEV_SCSI_SENSE_FIXED_LEN bytes
 * @key: sense key
 * @asc: additional sense code
 * @ascq: its qualifier
 *
 * No information, command specific or sense key specific data.
 *
 * Return: VDEV_SCSI_SENSE_FIXED_LEN.
 */
u32 vdev_scsi_sense_fixed(u8 *buf, u8 key, u8 asc, u8 ascq)
{
	memset(buf, 0, VDEV_SCSI_SENSE_FIXED_LEN);
	buf[0] = SENSE_FIXED;
	buf[2] = key & 0x0f;
	buf[7] = VDEV_SCSI_SENSE_FIXED_LEN - 8;	/* additional sense length */
	buf[12] = asc;
	buf[13] = ascq;
	return VDEV_SCSI_SENSE_FIXED_LEN;
}

/**
 * vdev_scsi_sense_info - add the INFORMATION field to sense data
 * @buf: sense data from vdev_scsi_sense_fixed() or vdev_scsi_sense_desc();
 *	descriptor format needs VDEV_SCSI_SENSE_INFO_LEN more bytes of room
 * @len: its length
 * @info: the value
 *
 * Fixed format has four bytes for it and the VALID bit; a value that does
 * not fit leaves VALID 0, as SPC-4 says. Descriptor format gets an
 * information descriptor with VALID set, its additional length grown.
 *
 * Return: the new length.
 */
u32 vdev_scsi_sense_info(u8 *buf, u32 len, u64 info)
{
	u8 *d = buf + len;

	if (buf[0] == SENSE_FIXED) {
		if (info <= U32_MAX) {
			buf[0] |= 0x80;
			put_unaligned_be32(info, &buf[3]);
		}
		return len;
	}
	memset(d, 0, VDEV_SCSI_SENSE_INFO_LEN);
	d[1] = VDEV_SCSI_SENSE_INFO_LEN - 2;
	d[2] = 0x80;
	put_unaligned_be64(info, &d[4]);
	buf[7] += VDEV_SCSI_SENSE_INFO_LEN;
	return len + VDEV_SCSI_SENSE_INFO_LEN;
}

/**
 * vdev_scsi_sense_desc - descriptor format sense data of a current error
 * @buf: VDEV_SCSI_SENSE_DESC_LEN bytes
 * @key: sense key
 * @asc: additional sense code
 * @ascq: its qualifier
 *
 * No sense data descriptors.
 *
 * Return: VDEV_SCSI_SENSE_DESC_LEN.
 */
u32 vdev_scsi_sense_desc(u8 *buf, u8 key, u8 asc, u8 ascq)
{
	memset(buf, 0, VDEV_SCSI_SENSE_DESC_LEN);
	buf[0] = SENSE_DESC;
	buf[1] = key & 0x0f;
	buf[2] = asc;
	buf[3] = ascq;
	return VDEV_SCSI_SENSE_DESC_LEN;
}
