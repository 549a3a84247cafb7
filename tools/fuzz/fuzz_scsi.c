// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_scsi: kmod/scsi.c, the SCSI command emulation of virtio-scsi LUNs,
 * built for userspace (shim/) and driven the way kmod/virtio_scsi.c drives
 * it: unit attention check, parse, match with the request's buffers, then
 * the op's data builder or parameter list parser, and the sense of a
 * failure.
 *
 * Input: a LUN (or none), its unit attentions and the target's LUN list,
 * then commands until the input ends:
 *
 *   u8 flags	bit 0 a LUN is there, 1 read-only, 2 rotational, 3 write
 *		cache present, 4 WCE, 5 LBPRZ, 6 an I_T nexus state
 *   u8 bs	block size 512 << (bs % 8)
 *   u64 nr_blocks, u8 phys_exp, u16 lowest_aligned,
 *   u32 max_xfer, u32 opt_xfer, u16 opt_gran, u32 max_unmap_blocks,
 *   u32 max_unmap_desc, u32 unmap_gran, u32 unmap_align, u64 max_ws,
 *   u64 naa
 *   6 x (u8 len, bytes)	vendor, product, revision, serial,
 *				device_id, port_id (cut to the field)
 *   u8 ua			pending unit attentions
 *   u8 nr_luns, u16 luns[]	REPORT LUNS data (each & 3FFFh)
 *   commands:
 *     u8 cdb_len (% 33), cdb bytes
 *     u8 sel, u32 a, u32 b	data-out length a if sel & 1,
 *				data-in length b if sel & 2; after the
 *				command, sel & 0x80 sets unit attention
 *				(sel >> 4) & 3 as the control plane would
 *     u16 plen, bytes		the data-out's first bytes (the rest zero)
 *     u8 status		blk_status_t the block I/O ends with
 *
 * Each step's invariants are checked with FZ_ASSERT (a trap), so a wrong
 * answer is found, not only a memory error.
 */
#include <stdlib.h>

#include <linux/minmax.h>
#include <linux/unaligned.h>

#include "../../kmod/scsi.h"
#include "fuzz_input.h"

#define FZ_MAX_CMDS	32
#define FZ_MAX_LUNS	255

/* The designator bytes of each ASCII field, as scsi.c bounds them. */
static void fz_str(struct fz_in *in, char *dst, size_t field)
{
	size_t n = fz_u8(in) % (field + 1);

	memset(dst, 0, field + 1);
	fz_bytes(in, dst, n);
}

static void fz_lun_info(struct fz_in *in, struct vdev_scsi_lun_info *info,
			u8 flags)
{
	memset(info, 0, sizeof(*info));
	info->read_only = flags & 0x02;
	info->rotational = flags & 0x04;
	info->wc_present = flags & 0x08;
	/* The caller starts WCE at wc_present; only a cache can be on. */
	info->wce = info->wc_present && (flags & 0x10);
	info->lbprz = flags & 0x20;
	info->block_size = 512U << (fz_u8(in) % 8);
	info->nr_blocks = fz_u64(in);
	info->phys_exp = fz_u8(in);
	info->lowest_aligned = fz_u16(in);
	info->max_xfer_blocks = fz_u32(in);
	info->opt_xfer_blocks = fz_u32(in);
	info->opt_gran_blocks = fz_u16(in);
	info->max_unmap_blocks = fz_u32(in);
	info->max_unmap_desc = fz_u32(in);
	info->unmap_gran = fz_u32(in);
	info->unmap_align = fz_u32(in);
	info->max_ws_blocks = fz_u64(in);
	info->naa = fz_u64(in);
	fz_str(in, info->vendor, VDEV_SCSI_VENDOR_LEN);
	fz_str(in, info->product, VDEV_SCSI_PRODUCT_LEN);
	fz_str(in, info->revision, VDEV_SCSI_REVISION_LEN);
	fz_str(in, info->serial, VDEV_SCSI_ID_LEN);
	fz_str(in, info->device_id, VDEV_SCSI_ID_LEN);
	fz_str(in, info->port_id, VDEV_SCSI_ID_LEN);
}

/* Sense of a failed step: a real key and code, and well-formed data. */
static void fz_check_sense(const struct vdev_scsi_sense *s)
{
	u8 fixed[VDEV_SCSI_SENSE_FIXED_LEN], desc[VDEV_SCSI_SENSE_DESC_LEN];

	FZ_ASSERT(s->key != NO_SENSE && s->key <= 0x0f);
	FZ_ASSERT(s->asc != 0);
	FZ_ASSERT(vdev_scsi_sense_fixed(fixed, s->key, s->asc, s->ascq) ==
		  sizeof(fixed));
	FZ_ASSERT(fixed[0] == 0x70 && (fixed[2] & 0x0f) == s->key &&
		  fixed[7] == sizeof(fixed) - 8 && fixed[12] == s->asc &&
		  fixed[13] == s->ascq);
	FZ_ASSERT(vdev_scsi_sense_desc(desc, s->key, s->asc, s->ascq) ==
		  sizeof(desc));
	FZ_ASSERT(desc[0] == 0x72 && desc[1] == s->key && desc[2] == s->asc &&
		  desc[3] == s->ascq);
}

static bool fz_is_io(enum vdev_scsi_op op)
{
	return op == VDEV_SCSI_OP_READ || op == VDEV_SCSI_OP_WRITE ||
	       op == VDEV_SCSI_OP_VERIFY || op == VDEV_SCSI_OP_WRITE_SAME;
}

/* What a successful parse promises the caller. */
static void fz_check_parsed(const struct vdev_scsi_cmd *cmd,
			    const struct vdev_scsi_lun_info *info)
{
	u64 bytes;

	FZ_ASSERT((cmd->dir == VDEV_SCSI_DIR_NONE) == (cmd->data_len == 0));
	if (!info)
		FZ_ASSERT(cmd->op == VDEV_SCSI_OP_EMULATED ||
			  cmd->op == VDEV_SCSI_OP_REPORT_LUNS);
	if (fz_is_io(cmd->op) || cmd->op == VDEV_SCSI_OP_SYNC) {
		/* lba + nblocks within the capacity, without wrapping. */
		FZ_ASSERT(cmd->lba <= info->nr_blocks &&
			  cmd->nblocks <= info->nr_blocks - cmd->lba);
	}
	if (fz_is_io(cmd->op))
		FZ_ASSERT(cmd->nblocks > 0);
	if (cmd->op == VDEV_SCSI_OP_READ || cmd->op == VDEV_SCSI_OP_WRITE) {
		bytes = (u64)cmd->nblocks * info->block_size;
		FZ_ASSERT(bytes == cmd->data_len);
		FZ_ASSERT(!info->max_xfer_blocks ||
			  cmd->nblocks <= info->max_xfer_blocks);
		FZ_ASSERT(cmd->dir == (cmd->op == VDEV_SCSI_OP_READ ?
				       VDEV_SCSI_DIR_IN : VDEV_SCSI_DIR_OUT));
	}
	if (cmd->op == VDEV_SCSI_OP_WRITE || cmd->op == VDEV_SCSI_OP_WRITE_SAME ||
	    cmd->op == VDEV_SCSI_OP_UNMAP)
		FZ_ASSERT(!info->read_only);
	if (cmd->op == VDEV_SCSI_OP_WRITE_SAME)
		FZ_ASSERT(!info->max_ws_blocks ||
			  cmd->nblocks <= info->max_ws_blocks);
	if (cmd->op == VDEV_SCSI_OP_VERIFY && cmd->bytchk == 1)
		FZ_ASSERT((u64)cmd->nblocks * info->block_size == cmd->data_len);
	/* A WRITE of 0 blocks becomes NONE with its FUA bit: harmless. */
	if (cmd->fua)
		FZ_ASSERT(cmd->op == VDEV_SCSI_OP_WRITE ||
			  cmd->op == VDEV_SCSI_OP_WRITE_SAME ||
			  cmd->op == VDEV_SCSI_OP_NONE);
	if (cmd->unmap)
		FZ_ASSERT(cmd->op == VDEV_SCSI_OP_WRITE_SAME &&
			  info->max_unmap_blocks && info->max_unmap_desc);
	/* The caller copies these into one buffer of VDEV_SCSI_BUF_LEN. */
	if (cmd->op == VDEV_SCSI_OP_MODE_SELECT || cmd->op == VDEV_SCSI_OP_UNMAP)
		FZ_ASSERT(cmd->data_len <= VDEV_SCSI_BUF_LEN &&
			  cmd->dir == VDEV_SCSI_DIR_OUT);
}

/* What vdev_scsi_check_xfer() promises. */
static void fz_check_xfer(const struct vdev_scsi_cmd *before,
			  const struct vdev_scsi_cmd *cmd,
			  const struct vdev_scsi_lun_info *info,
			  u32 out_len, u32 in_len)
{
	FZ_ASSERT(!(out_len && in_len));
	FZ_ASSERT((u64)cmd->xfer_len + cmd->resid == (u64)out_len + in_len);
	FZ_ASSERT(cmd->xfer_len <= cmd->data_len);
	switch (cmd->dir) {
	case VDEV_SCSI_DIR_NONE:
		FZ_ASSERT(cmd->xfer_len == 0);
		break;
	case VDEV_SCSI_DIR_OUT:
		FZ_ASSERT(cmd->xfer_len == cmd->data_len && !in_len &&
			  out_len >= cmd->data_len);
		break;
	case VDEV_SCSI_DIR_IN:
		FZ_ASSERT(!out_len && cmd->xfer_len <= in_len);
		break;
	}
	if (before->op == VDEV_SCSI_OP_READ) {
		/* Whole blocks only, never more than asked. */
		FZ_ASSERT(cmd->nblocks <= before->nblocks);
		FZ_ASSERT((u64)cmd->nblocks * info->block_size == cmd->xfer_len);
		FZ_ASSERT(cmd->op == (cmd->nblocks ? VDEV_SCSI_OP_READ :
				      VDEV_SCSI_OP_NONE));
	} else {
		FZ_ASSERT(cmd->op == before->op && cmd->nblocks == before->nblocks);
	}
}

/* The device identification page is a list of whole descriptors. */
static void fz_check_devid(const u8 *buf, u32 len)
{
	u32 off = 4;

	while (off < len) {
		FZ_ASSERT(off + 4 <= len);
		off += 4 + buf[off + 3];
	}
	FZ_ASSERT(off == len);
}

static u32 fz_inquiry_len(const struct vdev_scsi_cmd *cmd,
			  const struct vdev_scsi_lun_info *info, const u8 *buf)
{
	u32 len;

	if (!(cmd->cdb[1] & 0x01)) {
		FZ_ASSERT(buf[0] == (info ? TYPE_DISK : 0x7f));
		FZ_ASSERT(buf[4] == 31);
		return 36;
	}
	FZ_ASSERT(info && buf[0] == TYPE_DISK && buf[1] == cmd->cdb[2]);
	len = get_unaligned_be16(&buf[2]) + 4;
	if (cmd->cdb[2] == 0x83)
		fz_check_devid(buf, len);
	return len;
}

static u32 fz_mode_sense_len(const struct vdev_scsi_cmd *cmd, const u8 *buf)
{
	if (cmd->cdb[0] == MODE_SENSE_10)
		return get_unaligned_be16(buf) + 2;
	return buf[0] + 1;
}

/*
 * What MODE SENSE reports as current can be given back to MODE SELECT
 * unchanged, and changes nothing.
 */
static void fz_mode_roundtrip(const struct vdev_scsi_cmd *sense,
			      const struct vdev_scsi_lun_info *info,
			      const u8 *buf, u32 len)
{
	struct vdev_scsi_cmd sel = { 0 };
	bool ten = sense->cdb[0] == MODE_SENSE_10;
	bool wce = !info->wce;
	u8 *copy;

	if ((sense->cdb[2] >> 6) != 0)		/* current values only */
		return;
	copy = malloc(len);
	memcpy(copy, buf, len);
	sel.cdb[0] = ten ? MODE_SELECT_10 : MODE_SELECT;
	sel.cdb[1] = 0x10;
	FZ_ASSERT(vdev_scsi_mode_select(&sel, info, copy, len, &wce) == 0);
	FZ_ASSERT(wce == info->wce);
	free(copy);
}

/* VDEV_SCSI_OP_EMULATED: build, trim, and check the response. */
static void fz_emulate(struct vdev_scsi_cmd *cmd,
		       const struct vdev_scsi_lun_info *info,
		       struct vdev_scsi_lun_state *st, u64 buf_len)
{
	u32 xfer = cmd->xfer_len, n, full = 0;
	u8 *buf = malloc(VDEV_SCSI_BUF_LEN);	/* exact: ASan sees overruns */

	memset(buf, 0xa5, VDEV_SCSI_BUF_LEN);
	n = vdev_scsi_emulate(cmd, info, st, buf);
	FZ_ASSERT(n == cmd->xfer_len && n <= xfer && n <= VDEV_SCSI_BUF_LEN);
	FZ_ASSERT((u64)cmd->xfer_len + cmd->resid == buf_len);
	switch (cmd->cdb[0]) {
	case INQUIRY:
		full = fz_inquiry_len(cmd, info, buf);
		break;
	case REQUEST_SENSE:
		full = cmd->cdb[1] & 0x01 ? VDEV_SCSI_SENSE_DESC_LEN :
					     VDEV_SCSI_SENSE_FIXED_LEN;
		FZ_ASSERT(buf[0] == (cmd->cdb[1] & 0x01 ? 0x72 : 0x70));
		break;
	case READ_CAPACITY:
		full = 8;
		FZ_ASSERT(get_unaligned_be32(&buf[4]) == info->block_size);
		FZ_ASSERT(get_unaligned_be32(buf) ==
			  min_t(u64, info->nr_blocks ? info->nr_blocks - 1 : 0,
				U32_MAX));
		break;
	case SERVICE_ACTION_IN_16:
		full = 32;
		FZ_ASSERT(get_unaligned_be64(buf) ==
			  (info->nr_blocks ? info->nr_blocks - 1 : 0));
		FZ_ASSERT(get_unaligned_be32(&buf[8]) == info->block_size);
		break;
	case MODE_SENSE:
	case MODE_SENSE_10:
		full = fz_mode_sense_len(cmd, buf);
		if (full == n)
			fz_mode_roundtrip(cmd, info, buf, full);
		break;
	default:
		FZ_ASSERT(0);
	}
	FZ_ASSERT(full <= VDEV_SCSI_BUF_LEN);
	FZ_ASSERT(n == min(full, xfer));
	free(buf);
}

static void fz_report_luns(struct vdev_scsi_cmd *cmd, const u16 *luns,
			   u32 nr, u64 buf_len)
{
	u32 xfer = cmd->xfer_len, n, i, shown;
	u8 *buf = malloc(VDEV_SCSI_BUF_LEN);
	u16 lun;

	n = vdev_scsi_report_luns(cmd, luns, nr, buf);
	FZ_ASSERT(n == cmd->xfer_len && n <= xfer && n <= VDEV_SCSI_BUF_LEN);
	FZ_ASSERT((u64)cmd->xfer_len + cmd->resid == buf_len);
	if (cmd->cdb[2] == 0x01)
		nr = 0;
	FZ_ASSERT(get_unaligned_be32(buf) == nr * 8);
	shown = min(nr, (u32)(VDEV_SCSI_BUF_LEN - 8) / 8);
	FZ_ASSERT(n == min(8 + shown * 8, xfer));
	for (i = 0; i < shown; i++) {
		const u8 *p = buf + 8 + 8 * i;

		lun = p[0] & 0x40 ? (p[0] & 0x3f) << 8 | p[1] : p[1];
		FZ_ASSERT(!(p[0] & 0x80) && lun == luns[i]);
		FZ_ASSERT(!get_unaligned_be32(&p[2]) && !p[6] && !p[7]);
	}
	free(buf);
}

static void fz_mode_select(struct vdev_scsi_cmd *cmd,
			   struct vdev_scsi_lun_info *info, const u8 *data)
{
	bool wce = info->wce;
	u8 *buf;

	FZ_ASSERT(cmd->xfer_len <= VDEV_SCSI_BUF_LEN);
	buf = malloc(cmd->xfer_len ? cmd->xfer_len : 1);
	memcpy(buf, data, cmd->xfer_len);
	if (vdev_scsi_mode_select(cmd, info, buf, cmd->xfer_len, &wce)) {
		fz_check_sense(&cmd->sense);
		FZ_ASSERT(wce == info->wce);	/* left alone on failure */
	} else {
		/* Only a cache that is there can be switched. */
		FZ_ASSERT(info->wc_present || !wce);
		info->wce = wce;
	}
	free(buf);
}

static void fz_unmap(struct vdev_scsi_cmd *cmd,
		     const struct vdev_scsi_lun_info *info, const u8 *data)
{
	u32 room = min_t(u32, info->max_unmap_desc, VDEV_SCSI_UNMAP_DESC_MAX);
	struct vdev_scsi_range *r;
	u64 total = 0;
	u8 *buf;
	int i, nr;

	FZ_ASSERT(cmd->xfer_len <= VDEV_SCSI_BUF_LEN && room);
	buf = malloc(cmd->xfer_len ? cmd->xfer_len : 1);
	memcpy(buf, data, cmd->xfer_len);
	r = malloc(room * sizeof(*r));		/* exactly the documented room */
	nr = vdev_scsi_unmap_parse(cmd, info, buf, cmd->xfer_len, r);
	if (nr < 0) {
		FZ_ASSERT(nr == -EINVAL);
		fz_check_sense(&cmd->sense);
	} else {
		FZ_ASSERT((u32)nr <= room);
		for (i = 0; i < nr; i++) {
			FZ_ASSERT(r[i].nblocks);
			FZ_ASSERT(r[i].lba <= info->nr_blocks &&
				  r[i].nblocks <= info->nr_blocks - r[i].lba);
			total += r[i].nblocks;
		}
		FZ_ASSERT(total <= info->max_unmap_blocks);
	}
	free(r);
	free(buf);
}

/* The block I/O of a command failed: sense for every status. */
static void fz_io_error(struct vdev_scsi_cmd *cmd, blk_status_t status)
{
	struct vdev_scsi_cmd c = *cmd;

	if (!status || status == BLK_STS_AGAIN || status == BLK_STS_RESOURCE)
		return;
	memset(&c.sense, 0, sizeof(c.sense));
	vdev_scsi_io_error(&c, status);
	fz_check_sense(&c.sense);
}

/*
 * A VERIFY's compare: @bytes stand for the medium (BYTCHK 1) or for the
 * one block sent (BYTCHK 3, the medium repeats it), one byte of the
 * medium is changed or none (@flip), and the miscompare must name exactly
 * that byte, @off into the range, in both sense formats.
 */
static void fz_verify_cmp(const struct vdev_scsi_cmd *cmd,
			  const struct vdev_scsi_lun_info *info,
			  const u8 *bytes, u32 flip, u64 off)
{
	static u8 medium[VDEV_SCSI_BUF_LEN];
	u8 sense[VDEV_SCSI_SENSE_FIXED_LEN + VDEV_SCSI_SENSE_INFO_LEN];
	u32 lbs = info->block_size, len, i, at;
	struct vdev_scsi_cmd c = *cmd;
	int ret;

	if ((c.bytchk != 1 && c.bytchk != 3) || lbs > VDEV_SCSI_BUF_LEN)
		return;
	len = VDEV_SCSI_BUF_LEN / lbs * lbs;
	for (i = 0; i < len; i++)
		medium[i] = c.bytchk == 1 ? bytes[i] : bytes[i % lbs];
	at = (flip >> 1) % len;
	if (flip & 1)
		medium[at] ^= 1 << (flip % 8);
	off = off % 1024 * lbs;
	memset(&c.sense, 0, sizeof(c.sense));
	ret = vdev_scsi_verify_cmp(&c, info, medium, bytes, len, off);
	if (!(flip & 1)) {
		FZ_ASSERT(!ret);
		return;
	}
	FZ_ASSERT(ret == -EINVAL && c.sense.key == MISCOMPARE &&
		  c.sense.asc == 0x1d && c.sense.info_valid &&
		  c.sense.info == off + at);
	fz_check_sense(&c.sense);
	i = vdev_scsi_sense_fixed(sense, c.sense.key, c.sense.asc,
				  c.sense.ascq);
	FZ_ASSERT(vdev_scsi_sense_info(sense, i, c.sense.info) == i);
	FZ_ASSERT((sense[0] & 0x80) &&
		  get_unaligned_be32(&sense[3]) == c.sense.info);
	i = vdev_scsi_sense_desc(sense, c.sense.key, c.sense.asc,
				 c.sense.ascq);
	FZ_ASSERT(vdev_scsi_sense_info(sense, i, c.sense.info) ==
		  i + VDEV_SCSI_SENSE_INFO_LEN);
	FZ_ASSERT(sense[7] == VDEV_SCSI_SENSE_INFO_LEN &&
		  get_unaligned_be64(&sense[i + 4]) == c.sense.info);
}

/* The unit attention check: it ends the command or lets it through. */
static bool fz_ua(struct vdev_scsi_lun_state *st, const u8 *cdb, u32 cdb_len)
{
	static const u16 codes[VDEV_SCSI_UA_NR] = {
		0x2900, 0x2a09, 0x2a01, 0x3f0e,
	};
	struct vdev_scsi_sense s = { 0 };
	unsigned long before = st ? st->ua : 0;
	unsigned long low = before & ((1UL << VDEV_SCSI_UA_NR) - 1);
	int bit;

	if (!vdev_scsi_ua_check(st, cdb, cdb_len, &s)) {
		FZ_ASSERT(!st || st->ua == before);
		FZ_ASSERT(!low || !cdb_len || cdb[0] == INQUIRY ||
			  cdb[0] == REPORT_LUNS || cdb[0] == REQUEST_SENSE);
		return true;
	}
	/* The highest priority condition is reported, and only it cleared. */
	FZ_ASSERT(st && low);
	bit = __builtin_ctzl(low);
	FZ_ASSERT(st->ua == (before & ~(1UL << bit)));
	FZ_ASSERT(s.key == UNIT_ATTENTION && s.asc == codes[bit] >> 8 &&
		  s.ascq == (codes[bit] & 0xff));
	fz_check_sense(&s);
	return false;
}

static void fz_cmd(struct fz_in *in, struct vdev_scsi_lun_info *info,
		   struct vdev_scsi_lun_state *st, const u16 *luns, u32 nr)
{
	static u8 data[VDEV_SCSI_BUF_LEN];
	struct vdev_scsi_cmd cmd, before;
	u32 cdb_len = fz_u8(in) % 33, out_len, in_len, a, b;
	u8 *cdb = malloc(cdb_len ? cdb_len : 1), sel;
	blk_status_t status;
	u16 plen;

	fz_bytes(in, cdb, cdb_len);
	sel = fz_u8(in);
	a = fz_u32(in);
	b = fz_u32(in);
	out_len = sel & 1 ? a : 0;
	in_len = sel & 2 ? b : 0;
	plen = fz_u16(in) % (VDEV_SCSI_BUF_LEN + 1);
	memset(data, 0, sizeof(data));
	fz_bytes(in, data, plen);
	status = fz_u8(in) % 16;

	if (!fz_ua(st, cdb, cdb_len))
		goto out;
	if (vdev_scsi_parse(&cmd, info, cdb, cdb_len)) {
		fz_check_sense(&cmd.sense);
		goto out;
	}
	fz_check_parsed(&cmd, info);
	before = cmd;
	if (vdev_scsi_check_xfer(&cmd, out_len, in_len)) {
		FZ_ASSERT(cmd.sense.key == ILLEGAL_REQUEST);
		fz_check_sense(&cmd.sense);
		goto out;
	}
	fz_check_xfer(&before, &cmd, info, out_len, in_len);
	switch (cmd.op) {
	case VDEV_SCSI_OP_EMULATED:
		fz_emulate(&cmd, info, st, (u64)out_len + in_len);
		break;
	case VDEV_SCSI_OP_REPORT_LUNS:
		fz_report_luns(&cmd, luns, nr, (u64)out_len + in_len);
		if (st)
			vdev_scsi_ua_clear(st, VDEV_SCSI_UA_LUNS);
		break;
	case VDEV_SCSI_OP_MODE_SELECT:
		fz_mode_select(&cmd, info, data);
		break;
	case VDEV_SCSI_OP_UNMAP:
		fz_unmap(&cmd, info, data);
		fz_io_error(&cmd, status);
		break;
	case VDEV_SCSI_OP_VERIFY:
		fz_verify_cmp(&cmd, info, data, a ^ b, plen);
		fz_io_error(&cmd, status);
		break;
	case VDEV_SCSI_OP_READ:
	case VDEV_SCSI_OP_WRITE:
	case VDEV_SCSI_OP_SYNC:
	case VDEV_SCSI_OP_WRITE_SAME:
		fz_io_error(&cmd, status);
		break;
	case VDEV_SCSI_OP_NONE:
		break;
	}
out:
	if (st && (sel & 0x80)) {
		vdev_scsi_ua_set(st, (sel >> 4) & 3);
		FZ_ASSERT(st->ua & (1UL << ((sel >> 4) & 3)));
	}
	free(cdb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct vdev_scsi_lun_info info;
	struct vdev_scsi_lun_state st = { 0 };
	u16 luns[FZ_MAX_LUNS];
	u8 flags = fz_u8(&in);
	bool has_lun = flags & 0x01, has_st = flags & 0x40;
	u32 nr, i, cmds;

	fz_lun_info(&in, &info, flags);
	st.ua = fz_u8(&in) & ((1UL << VDEV_SCSI_UA_NR) - 1);
	nr = fz_u8(&in);
	for (i = 0; i < nr; i++)
		luns[i] = fz_u16(&in) & 0x3fff;
	for (cmds = 0; in.left && cmds < FZ_MAX_CMDS; cmds++)
		fz_cmd(&in, has_lun ? &info : NULL,
		       has_lun && has_st ? &st : NULL, luns, nr);
	return 0;
}
