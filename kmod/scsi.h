/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SCSI command emulation for virtio-scsi LUNs: decoding CDBs, building the
 * data of the commands answered from memory, unit attentions and sense
 * data. Pure logic over kernel buffers: the caller moves data between the
 * guest and those buffers and runs the block I/O.
 *
 * One command, on one LUN (or an address with no LUN) of one I_T nexus:
 *
 *   vdev_scsi_ua_check()	a pending unit attention ends it at once
 *   vdev_scsi_parse()		decode and check the CDB against the LUN
 *   vdev_scsi_check_xfer()	match it with the request's data buffers
 *   then, by cmd->op:
 *     EMULATED			vdev_scsi_emulate() builds the data-in
 *     REPORT_LUNS		vdev_scsi_report_luns() builds the data-in
 *     MODE_SELECT		vdev_scsi_mode_select() over the data-out
 *     UNMAP			vdev_scsi_unmap_parse() over the data-out
 *     READ, WRITE, WRITE_SAME,
 *     VERIFY, SYNC		block I/O; vdev_scsi_io_error() if it fails
 *     VERIFY with BYTCHK	the blocks read, then vdev_scsi_verify_cmp()
 *     NONE			nothing to do
 *
 * Each step returns 0 or -EINVAL; -EINVAL ends the command in CHECK
 * CONDITION with the sense in cmd->sense. The control mode page says
 * D_SENSE = 0, so that sense goes to the guest in fixed format
 * (vdev_scsi_sense_fixed(), then vdev_scsi_sense_info() when the sense
 * has an INFORMATION field).
 *
 * Data buffers. The CDB says how much data a command moves (cmd->data_len,
 * in cmd->dir); the virtio-scsi request carries its own data-out and
 * data-in buffers. vdev_scsi_check_xfer() settles how many bytes move
 * (cmd->xfer_len) and how much of the request's buffer is left over
 * (cmd->resid, virtio-scsi's residual):
 * - data both ways is refused: no command here is bidirectional;
 * - a command that moves no data ignores any buffer; it is all residual;
 * - data-out: the buffer must hold what the CDB says, or the command fails
 *   (ILLEGAL REQUEST, INVALID FIELD IN COMMAND INFORMATION UNIT, as LIO
 *   answers); bytes beyond it are residual and never read. A buffer the
 *   other way is refused too;
 * - data-in: what fits moves, the rest of the buffer is residual. A READ
 *   moves only the whole blocks that fit (cmd->nblocks shrinks); an
 *   emulated response is cut to min(allocation length, buffer).
 * Parameter lists (MODE SELECT, UNMAP) and emulated responses fit in
 * VDEV_SCSI_BUF_LEN bytes: the caller copies the data-out into, and the
 * data-in out of, one buffer of that size.
 */
#ifndef _VDEV_SCSI_H
#define _VDEV_SCSI_H

#include <linux/blk_types.h>
#include <linux/types.h>
#include <scsi/scsi_proto.h>

/* CDB bytes kept; longer CDBs (32-byte variable length) are not served. */
#define VDEV_SCSI_CDB_MAX		16
/* Emulated data-in and parameter lists, in one buffer of the caller's. */
#define VDEV_SCSI_BUF_LEN		4096
/* UNMAP descriptors that fit in a parameter list of VDEV_SCSI_BUF_LEN. */
#define VDEV_SCSI_UNMAP_DESC_MAX	((VDEV_SCSI_BUF_LEN - 8) / 16)

#define VDEV_SCSI_SENSE_FIXED_LEN	18
#define VDEV_SCSI_SENSE_DESC_LEN	8
/* The information sense data descriptor that vdev_scsi_sense_info() adds. */
#define VDEV_SCSI_SENSE_INFO_LEN	12

#define VDEV_SCSI_VENDOR_LEN		8
#define VDEV_SCSI_PRODUCT_LEN		16
#define VDEV_SCSI_REVISION_LEN		4
#define VDEV_SCSI_ID_LEN		64

/**
 * struct vdev_scsi_lun_info - what the emulation knows of a LUN
 * @nr_blocks: capacity in logical blocks
 * @block_size: logical block size in bytes, a power of 2 from 512
 * @phys_exp: log2 of logical blocks per physical block
 * @lowest_aligned: first LBA aligned to a physical block (14 bits)
 * @read_only: writes fail with DATA PROTECT
 * @rotational: a spinning disk (the rotation rate is then "not reported")
 * @wc_present: the backing device has a volatile write cache
 * @wce: that cache is in use, as MODE SELECT left it; the caller keeps it
 *	per LUN, shared by every I_T nexus as the cache is (a change is a
 *	MODE PARAMETERS CHANGED unit attention for the others), and starts
 *	it at @wc_present
 * @max_xfer_blocks: most blocks one READ, WRITE or VERIFY moves or checks
 *	(any VERIFY reads its blocks, so its verification length counts
 *	whatever BYTCHK says); 0: limited only by the 4 GiB a request can
 *	describe
 * @opt_xfer_blocks: optimal transfer length (0: not reported)
 * @opt_gran_blocks: optimal transfer length granularity (0: not reported)
 * @max_unmap_blocks: most blocks one UNMAP deallocates in all; 0: the LUN
 *	cannot deallocate (UNMAP unsupported, not thin provisioned)
 * @max_unmap_desc: most UNMAP block descriptors (0: as @max_unmap_blocks
 *	0); more than VDEV_SCSI_UNMAP_DESC_MAX counts as that many
 * @unmap_gran: optimal unmap granularity in blocks
 * @unmap_align: LBA of the first whole unmap granule, in blocks
 * @lbprz: deallocated blocks read back as zeroes
 * @max_ws_blocks: most blocks one WRITE SAME writes; 0: no limit
 * @naa: the LUN's 60-bit name, unique on the host, made into an NAA 3h
 *	(locally assigned) designator: vdev owns no IEEE company id
 * @vendor: T10 vendor identification, ASCII
 * @product: product identification, ASCII
 * @revision: product revision level, ASCII
 * @serial: unit serial number, ASCII (VPD page 80h)
 * @device_id: vendor specific part of the LUN's T10 vendor ID designator
 * @port_id: vendor specific part of the target port's T10 vendor ID
 *	designator; empty: none
 *
 * Strings end at a NUL or at their field's length; SPC fields of fixed
 * length are padded with spaces.
 */
struct vdev_scsi_lun_info {
	u64 nr_blocks;
	u32 block_size;
	u8 phys_exp;
	u16 lowest_aligned;
	bool read_only;
	bool rotational;
	bool wc_present;
	bool wce;
	u32 max_xfer_blocks;
	u32 opt_xfer_blocks;
	u16 opt_gran_blocks;
	u32 max_unmap_blocks;
	u32 max_unmap_desc;
	u32 unmap_gran;
	u32 unmap_align;
	bool lbprz;
	u64 max_ws_blocks;
	u64 naa;
	char vendor[VDEV_SCSI_VENDOR_LEN + 1];
	char product[VDEV_SCSI_PRODUCT_LEN + 1];
	char revision[VDEV_SCSI_REVISION_LEN + 1];
	char serial[VDEV_SCSI_ID_LEN + 1];
	char device_id[VDEV_SCSI_ID_LEN + 1];
	char port_id[VDEV_SCSI_ID_LEN + 1];
};

/*
 * Unit attention conditions, highest priority first: the one reported is
 * the lowest bit set. A reset outranks the rest, as SAM-5 wants.
 */
enum vdev_scsi_ua {
	VDEV_SCSI_UA_POWER_ON,		/* 29h/00h POWER ON, RESET, OR BUS DEVICE RESET OCCURRED */
	VDEV_SCSI_UA_CAPACITY,		/* 2Ah/09h CAPACITY DATA HAS CHANGED */
	VDEV_SCSI_UA_MODE,		/* 2Ah/01h MODE PARAMETERS CHANGED */
	VDEV_SCSI_UA_LUNS,		/* 3Fh/0Eh REPORTED LUNS DATA HAS CHANGED */
	VDEV_SCSI_UA_NR,
};

/**
 * struct vdev_scsi_lun_state - one I_T nexus's view of one LUN
 * @ua: pending unit attentions, BIT(enum vdev_scsi_ua); atomic bitops, so
 *	pollers of several queues and the control plane may race on it
 *
 * No sense data is kept for REQUEST SENSE: virtio-scsi delivers every
 * CHECK CONDITION's sense with its response (autosense), and SAM-5 clears
 * sense data once delivered.
 */
struct vdev_scsi_lun_state {
	unsigned long ua;
};

/**
 * struct vdev_scsi_sense - the sense of a CHECK CONDITION
 * @key: sense key (ILLEGAL_REQUEST, ...)
 * @asc: additional sense code
 * @ascq: additional sense code qualifier
 * @info_valid: @info is the sense's INFORMATION field
 * @info: a miscompare's offset (vdev_scsi_verify_cmp())
 */
struct vdev_scsi_sense {
	u8 key;
	u8 asc;
	u8 ascq;
	bool info_valid;
	u64 info;
};

enum vdev_scsi_op {
	VDEV_SCSI_OP_NONE,		/* nothing to do: GOOD */
	VDEV_SCSI_OP_EMULATED,		/* data-in from vdev_scsi_emulate() */
	VDEV_SCSI_OP_REPORT_LUNS,	/* data-in from vdev_scsi_report_luns() */
	VDEV_SCSI_OP_READ,		/* read @nblocks at @lba into the data-in */
	VDEV_SCSI_OP_WRITE,		/* write the data-out at @lba */
	VDEV_SCSI_OP_VERIFY,		/* check @nblocks at @lba, see @bytchk */
	VDEV_SCSI_OP_SYNC,		/* flush the write cache */
	VDEV_SCSI_OP_WRITE_SAME,	/* write one block @nblocks times */
	VDEV_SCSI_OP_UNMAP,		/* deallocate what the data-out lists */
	VDEV_SCSI_OP_MODE_SELECT,	/* apply the data-out's mode pages */
};

enum vdev_scsi_dir {
	VDEV_SCSI_DIR_NONE,
	VDEV_SCSI_DIR_IN,		/* device to guest */
	VDEV_SCSI_DIR_OUT,		/* guest to device */
};

/**
 * struct vdev_scsi_cmd - a decoded command
 * @cdb: the CDB, zero-padded
 * @op: what the caller does
 * @dir: which way @data_len goes; NONE when it is 0
 * @lba: first block (READ, WRITE, VERIFY, SYNC, WRITE_SAME)
 * @nblocks: blocks from @lba; SYNC: 0 means to the end of the LUN
 * @data_len: bytes the CDB moves: allocation length, parameter list
 *	length or blocks times block size
 * @xfer_len: bytes to move, set by vdev_scsi_check_xfer() (and cut by
 *	vdev_scsi_emulate() and vdev_scsi_report_luns())
 * @resid: bytes of the request's data buffer left over: its residual
 * @bytchk: VERIFY: 0 read the medium only; 1 compare it with the data-out
 *	(@nblocks blocks); 3 compare each block with one block of data-out
 * @fua: WRITE, WRITE_SAME: durable on completion (the FUA bit, or the
 *	write cache switched off by MODE SELECT); never set on reads, which
 *	the block layer refuses with REQ_FUA
 * @unmap: WRITE_SAME: the guest allows the blocks to be deallocated
 *	rather than written; set only on a LUN that can deallocate
 * @ndob: WRITE_SAME: no data-out: the block is zeroes
 * @sense: why the command failed
 */
struct vdev_scsi_cmd {
	u8 cdb[VDEV_SCSI_CDB_MAX];
	enum vdev_scsi_op op;
	enum vdev_scsi_dir dir;
	u64 lba;
	u32 nblocks;
	u32 data_len;
	u32 xfer_len;
	u32 resid;
	u8 bytchk;
	bool fua;
	bool unmap;
	bool ndob;
	struct vdev_scsi_sense sense;
};

/**
 * struct vdev_scsi_range - blocks an UNMAP deallocates
 * @lba: first block
 * @nblocks: blocks, never 0
 */
struct vdev_scsi_range {
	u64 lba;
	u32 nblocks;
};

void vdev_scsi_ua_set(struct vdev_scsi_lun_state *st, enum vdev_scsi_ua ua);
void vdev_scsi_ua_clear(struct vdev_scsi_lun_state *st, enum vdev_scsi_ua ua);
int vdev_scsi_ua_check(struct vdev_scsi_lun_state *st, const u8 *cdb,
		       u32 cdb_len, struct vdev_scsi_sense *sense);

int vdev_scsi_parse(struct vdev_scsi_cmd *cmd,
		    const struct vdev_scsi_lun_info *info, const u8 *cdb,
		    u32 cdb_len);
int vdev_scsi_check_xfer(struct vdev_scsi_cmd *cmd, u32 out_len, u32 in_len);

u32 vdev_scsi_emulate(struct vdev_scsi_cmd *cmd,
		      const struct vdev_scsi_lun_info *info,
		      struct vdev_scsi_lun_state *st, u8 *buf);
u32 vdev_scsi_report_luns(struct vdev_scsi_cmd *cmd, const u16 *luns,
			  u32 nr_luns, u8 *buf);
int vdev_scsi_mode_select(struct vdev_scsi_cmd *cmd,
			  const struct vdev_scsi_lun_info *info, const u8 *buf,
			  u32 len, bool *wce);
int vdev_scsi_unmap_parse(struct vdev_scsi_cmd *cmd,
			  const struct vdev_scsi_lun_info *info, const u8 *buf,
			  u32 len, struct vdev_scsi_range *ranges);

int vdev_scsi_verify_cmp(struct vdev_scsi_cmd *cmd,
			 const struct vdev_scsi_lun_info *info,
			 const u8 *medium, const u8 *data, u32 len, u64 off);

void vdev_scsi_io_error(struct vdev_scsi_cmd *cmd, blk_status_t status);
void vdev_scsi_miscompare(struct vdev_scsi_cmd *cmd, u64 offset);

u32 vdev_scsi_sense_fixed(u8 *buf, u8 key, u8 asc, u8 ascq);
u32 vdev_scsi_sense_desc(u8 *buf, u8 key, u8 asc, u8 ascq);
u32 vdev_scsi_sense_info(u8 *buf, u32 len, u64 info);

#endif /* _VDEV_SCSI_H */
