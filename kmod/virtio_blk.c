// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-blk device type: one disk per controller, served over
 * vhost-user.
 */
#include <linux/blkdev.h>
#include <linux/log2.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "mem.h"
#include "poller.h"
#include "session.h"

/* virtio 1.x caps a split ring at 32768 entries. */
#define VDEV_BLK_MAX_QUEUE_SIZE	32768
/* Largest segment a guest may send; bios are built per folio anyway. */
#define VDEV_BLK_SIZE_MAX	SZ_1M
/* Segments per request: a bound on the work one chain can cause. */
#define VDEV_BLK_SEG_MAX	128
#define VDEV_BLK_DISCARD_SEG	16
/* Write zeroes we emulate from the zero page go in chunks this big. */
#define VDEV_BLK_EMUL_ZEROES_SECTORS	(SZ_32M >> SECTOR_SHIFT)

#define VDEV_BLK_F_ALWAYS					\
	(BIT_ULL(VIRTIO_F_VERSION_1) |				\
	 BIT_ULL(VIRTIO_F_RING_PACKED) |			\
	 BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) |			\
	 BIT_ULL(VIRTIO_RING_F_EVENT_IDX) |			\
	 BIT_ULL(VDEV_VU_F_PROTOCOL_FEATURES) |			\
	 BIT_ULL(VIRTIO_BLK_F_SIZE_MAX) |			\
	 BIT_ULL(VIRTIO_BLK_F_SEG_MAX) |			\
	 BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) |			\
	 BIT_ULL(VIRTIO_BLK_F_TOPOLOGY) |			\
	 BIT_ULL(VIRTIO_BLK_F_MQ) |				\
	 BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES))

/* Config space is little-endian: VERSION_1 is always negotiated. */
#define LE16(x)	((__force __virtio16)cpu_to_le16(x))
#define LE32(x)	((__force __virtio32)cpu_to_le32(x))
#define LE64(x)	((__force __virtio64)cpu_to_le64(x))

static bool vdev_blk_read_only(const struct vdev_ns *ns)
{
	return ns->read_only || bdev_read_only(vdev_ns_bdev(ns));
}

/* What the disk can do decides RO, FLUSH/CONFIG_WCE and DISCARD. */
static u64 vdev_blk_features(const struct vdev_ns *ns)
{
	struct block_device *bdev;
	u64 features = VDEV_BLK_F_ALWAYS;

	if (!ns)
		return features;
	bdev = vdev_ns_bdev(ns);
	if (vdev_blk_read_only(ns))
		features |= BIT_ULL(VIRTIO_BLK_F_RO);
	if (bdev_write_cache(bdev))
		features |= BIT_ULL(VIRTIO_BLK_F_FLUSH) |
			    BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE);
	if (bdev_max_discard_sectors(bdev))
		features |= BIT_ULL(VIRTIO_BLK_F_DISCARD);
	return features;
}

static u32 vdev_blk_seg_max(const struct vdev_ctrl *ctrl)
{
	return clamp(ctrl->cfg.queue_size - 2, 1U, VDEV_BLK_SEG_MAX);
}

static void vdev_blk_config_topology(struct virtio_blk_config *cfg,
				     struct block_device *bdev)
{
	unsigned int lbs = bdev_logical_block_size(bdev);

	cfg->blk_size = LE32(lbs);
	cfg->physical_block_exp = ilog2(bdev_physical_block_size(bdev) / lbs);
	/* A misaligned (stacked) disk says -1: the guest can't do better. */
	cfg->alignment_offset = min(max(bdev_alignment_offset(bdev), 0) / lbs,
				    (unsigned int)U8_MAX);
	cfg->min_io_size = LE16(min(bdev_io_min(bdev) / lbs, U16_MAX));
	cfg->opt_io_size = LE32(bdev_io_opt(bdev) / lbs);
}

static void vdev_blk_config_discard(struct virtio_blk_config *cfg,
				    struct block_device *bdev)
{
	unsigned int wz = bdev_write_zeroes_sectors(bdev);

	if (bdev_max_discard_sectors(bdev)) {
		cfg->max_discard_sectors =
			LE32(min_t(u64, bdev_max_discard_sectors(bdev), U32_MAX));
		cfg->max_discard_seg = LE32(VDEV_BLK_DISCARD_SEG);
		cfg->discard_sector_alignment =
			LE32(bdev_discard_granularity(bdev) >> SECTOR_SHIFT);
	}
	cfg->max_write_zeroes_sectors =
		LE32(wz ? wz : VDEV_BLK_EMUL_ZEROES_SECTORS);
	cfg->max_write_zeroes_seg = LE32(VDEV_BLK_DISCARD_SEG);
	/* Only a native write zeroes may leave the blocks unmapped. */
	cfg->write_zeroes_may_unmap = wz ? 1 : 0;
}

/* struct virtio_blk_config as the session negotiated it. */
static int vdev_blk_get_config(const struct vdev_session *s, u8 *buf)
{
	struct virtio_blk_config *cfg = (struct virtio_blk_config *)buf;
	struct block_device *bdev;

	BUILD_BUG_ON(sizeof(*cfg) > VDEV_VU_MAX_CONFIG);
	if (!s->ns)
		return -ENODEV;
	bdev = vdev_ns_bdev(s->ns);
	cfg->capacity = LE64(bdev_nr_sectors(bdev));
	cfg->size_max = LE32(VDEV_BLK_SIZE_MAX);
	cfg->seg_max = LE32(vdev_blk_seg_max(s->ctrl));
	vdev_blk_config_topology(cfg, bdev);
	cfg->wce = s->wce;
	cfg->num_queues = LE16(s->ctrl->cfg.num_queues);
	vdev_blk_config_discard(cfg, bdev);
	return 0;
}

/* Only the write-cache switch is writable, once CONFIG_WCE was acked. */
static int vdev_blk_set_config(struct vdev_session *s, u32 offset,
			       const u8 *data, u32 size)
{
	if (!s->ns || offset != offsetof(struct virtio_blk_config, wce) ||
	    size != 1 ||
	    !(s->features & BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE)))
		return -EPERM;
	if (data[0] > 1)
		return -EINVAL;
	s->wce = data[0];
	return 0;
}

/* --- requests ----------------------------------------------------------- */

/* The request header, as the driver writes it (virtio_blk_outhdr). */
struct vdev_blk_hdr {
	__le32 type;
	__le32 ioprio;
	__le64 sector;
};

/* A discard or write zeroes segment (virtio_blk_discard_write_zeroes). */
struct vdev_blk_seg {
	__le64 sector;
	__le32 num_sectors;
	__le32 flags;
};

#define VDEV_BLK_ID_BYTES	20

static u32 vdev_blk_chain_max(const struct vdev_ctrl *ctrl)
{
	return vdev_blk_seg_max(ctrl) + 2;
}

/* The status byte: the last byte of the last, writable, buffer. */
static int vdev_blk_take_status(struct vdev_req *req,
				struct vdev_vring_chain *chain)
{
	struct vdev_vring_buf *last;

	if (!chain->in_len || !chain->nbufs)
		return -EINVAL;
	last = &chain->bufs[chain->nbufs - 1];
	/* An empty last buffer has no last byte: no status byte at all. */
	if (!last->len)
		return -EINVAL;
	req->status_gpa = last->gpa + last->len - 1;
	req->written = 1;
	chain->in_len--;
	if (!--last->len)
		chain->nbufs--;
	return 0;
}

/* @len bytes at @sector lie on the disk, on logical block boundaries. */
static bool vdev_blk_range_ok(struct block_device *bdev, u64 sector, u64 len)
{
	u32 lbs = bdev_logical_block_size(bdev);
	u64 end;

	if (!IS_ALIGNED(len, lbs) || !IS_ALIGNED(sector << SECTOR_SHIFT, lbs))
		return false;
	return !check_add_overflow(sector, len >> SECTOR_SHIFT, &end) &&
	       end <= bdev_nr_sectors(bdev);
}

static void vdev_blk_rw(struct vdev_req *req, struct vdev_vring_chain *chain,
			struct block_device *bdev, bool write, u64 sector)
{
	struct vdev_session *s = req->q->session;
	u32 len = write ? chain->out_len : chain->in_len;
	/*
	 * Guest writes are direct I/O, not writeback: flagged as O_DIRECT
	 * writes are, writeback throttling leaves them alone. It would put
	 * the poller to sleep waiting for writes only the poller completes.
	 */
	blk_opf_t opf = write ? REQ_OP_WRITE | REQ_SYNC | REQ_IDLE :
				REQ_OP_READ;

	req->stat = write ? VDEV_STAT_WRITE : VDEV_STAT_READ;
	/* Data one way only: a write has nothing to write back but status. */
	if ((write ? chain->in_len : chain->out_len) ||
	    !vdev_blk_range_ok(bdev, sector, len) ||
	    (write && vdev_blk_read_only(s->ns))) {
		req->status = VIRTIO_BLK_S_IOERR;
		return;
	}
	req->bytes = len;
	if (!len)
		return;
	/* With the cache switched off by the guest, writes go through it. */
	if (write && !READ_ONCE(s->wce) && bdev_write_cache(bdev))
		opf |= REQ_FUA;
	if (vdev_bio_submit_rw(req, bdev, opf, sector, chain->bufs,
			       chain->nbufs)) {
		req->status = VIRTIO_BLK_S_IOERR;
		return;
	}
	/* What a read wrote; an I/O error at completion takes it back. */
	if (!write)
		req->written += len;
}

/*
 * The serial: the namespace's, else the controller name, cut or
 * NUL-padded to 20 bytes. The caller has checked that there is a disk.
 */
static void vdev_blk_get_id(struct vdev_req *req,
			    struct vdev_vring_chain *chain)
{
	const struct vdev_session *s = req->q->session;
	const char *serial = s->ns->ident.serial;
	u8 id[VDEV_BLK_ID_BYTES] = {};
	u32 len = min_t(u32, chain->in_len, sizeof(id));
	u32 done = 0, n, i;

	BUILD_BUG_ON(VDEV_MAX_SERIAL_LEN > VDEV_BLK_ID_BYTES);
	req->stat = VDEV_STAT_GET_ID;
	if (!serial[0])
		serial = s->ctrl->name;
	memcpy(id, serial, min(strlen(serial), sizeof(id)));
	for (i = 0; i < chain->nbufs && done < len; i++) {
		n = min(len - done, chain->bufs[i].len);
		if (vdev_req_write(req, chain->bufs[i].gpa, id + done,
				   n)) {
			req->status = VIRTIO_BLK_S_IOERR;
			return;
		}
		done += n;
	}
	req->written += done;
}

/* A segment's flags (first: UNSUPP wins over IOERR), then its range. */
static int vdev_blk_seg_check(const struct vdev_req *req,
			      struct block_device *bdev,
			      const struct vdev_blk_seg *seg)
{
	u32 flags = le32_to_cpu(seg->flags);
	u64 len = (u64)le32_to_cpu(seg->num_sectors) << SECTOR_SHIFT;

	if (req->stat == VDEV_STAT_DISCARD ? flags :
	    flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP)
		return -EOPNOTSUPP;
	if (!vdev_blk_range_ok(bdev, le64_to_cpu(seg->sector), len))
		return -EINVAL;
	return 0;
}

static int vdev_blk_seg_run(const struct vdev_req *req,
			    struct block_device *bdev,
			    const struct vdev_blk_seg *seg)
{
	u64 sector = le64_to_cpu(seg->sector);
	u32 num = le32_to_cpu(seg->num_sectors);

	if (req->stat == VDEV_STAT_DISCARD)
		return blkdev_issue_discard(bdev, sector, num, GFP_KERNEL);
	/* Without native support the block layer writes the zero page. */
	return blkdev_issue_zeroout(bdev, sector, num, GFP_KERNEL,
				    le32_to_cpu(seg->flags) ? 0 :
				    BLKDEV_ZERO_NOUNMAP);
}

/*
 * Discard and write zeroes, in process context. The whole table is read
 * and checked first, so a bad segment fails the request before any
 * block is touched.
 */
static void vdev_blk_segs_work(struct work_struct *work)
{
	struct vdev_req *req = container_of(work, struct vdev_req, work);
	struct block_device *bdev = vdev_ns_bdev(req->q->session->ns);
	struct vdev_blk_seg segs[VDEV_BLK_DISCARD_SEG];
	u32 i;
	int ret;

	ret = vdev_mem_read(req->gen->mem, req->seg_gpa, segs,
			    req->nseg * sizeof(segs[0]));
	for (i = 0; i < req->nseg && !ret; i++)
		ret = vdev_blk_seg_check(req, bdev, &segs[i]);
	for (i = 0; i < req->nseg && !ret; i++) {
		ret = vdev_blk_seg_run(req, bdev, &segs[i]);
		if (!ret)
			req->bytes += (u64)le32_to_cpu(segs[i].num_sectors) <<
				      SECTOR_SHIFT;
	}
	if (ret == -EOPNOTSUPP)
		req->status = VIRTIO_BLK_S_UNSUPP;
	else if (ret)
		req->status = VIRTIO_BLK_S_IOERR;
	vdev_req_end(req);
}

/* The segment table must sit in one buffer: drivers send it so. */
static void vdev_blk_segs(struct vdev_req *req, struct vdev_vring_chain *chain,
			  struct block_device *bdev, bool discard)
{
	u32 len = chain->out_len;

	req->stat = discard ? VDEV_STAT_DISCARD : VDEV_STAT_WRITE_ZEROES;
	if (discard && !bdev_max_discard_sectors(bdev)) {
		req->status = VIRTIO_BLK_S_UNSUPP;
		return;
	}
	if (!len || len % sizeof(struct vdev_blk_seg) || chain->in_len ||
	    len / sizeof(struct vdev_blk_seg) > VDEV_BLK_DISCARD_SEG ||
	    chain->nbufs != 1 || vdev_blk_read_only(req->q->session->ns)) {
		req->status = VIRTIO_BLK_S_IOERR;
		return;
	}
	req->seg_gpa = chain->bufs[0].gpa;
	req->nseg = len / sizeof(struct vdev_blk_seg);
	vdev_req_slow(req, vdev_blk_segs_work);
}

/*
 * Parse a chain and start it. Whatever cannot be parsed fails with IOERR
 * (UNSUPP for an unknown type) without touching the disk; a chain without
 * a status byte is given back with nothing written.
 */
static void vdev_blk_execute(struct vdev_req *req,
			     struct vdev_vring_chain *chain)
{
	struct vdev_ns *ns = req->q->session->ns;
	struct block_device *bdev;
	struct vdev_blk_hdr hdr;
	u64 sector;

	if (vdev_blk_take_status(req, chain))
		return;
	if (vdev_req_take_head(req, chain, &hdr, sizeof(hdr)) || !ns) {
		req->status = VIRTIO_BLK_S_IOERR;
		return;
	}
	bdev = vdev_ns_bdev(ns);
	sector = le64_to_cpu(hdr.sector);
	switch (le32_to_cpu(hdr.type)) {
	case VIRTIO_BLK_T_IN:
		vdev_blk_rw(req, chain, bdev, false, sector);
		break;
	case VIRTIO_BLK_T_OUT:
		vdev_blk_rw(req, chain, bdev, true, sector);
		break;
	case VIRTIO_BLK_T_FLUSH:
		req->stat = VDEV_STAT_FLUSH;
		if (bdev_write_cache(bdev))
			vdev_bio_submit_flush(req, bdev);
		break;
	case VIRTIO_BLK_T_GET_ID:
		vdev_blk_get_id(req, chain);
		break;
	case VIRTIO_BLK_T_DISCARD:
		vdev_blk_segs(req, chain, bdev, true);
		break;
	case VIRTIO_BLK_T_WRITE_ZEROES:
		vdev_blk_segs(req, chain, bdev, false);
		break;
	default:
		req->status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
}

static int vdev_blk_ns_addr_check(struct vdev_ns_addr *addr, bool adding,
				  struct netlink_ext_ack *extack)
{
	int ret;

	ret = vdev_ns_addr_check_nsid(addr, true, "virtio-blk", extack);
	if (ret)
		return ret;
	/* A virtio-blk device is one disk: its only namespace is nsid 1. */
	if (addr->has_nsid && addr->nsid != 1) {
		NL_SET_ERR_MSG(extack, "a virtio-blk controller has one disk: nsid 1");
		return -EINVAL;
	}
	addr->nsid = 1;
	addr->has_nsid = true;
	return 0;
}

static unsigned long vdev_blk_ns_addr_key(const struct vdev_ns_addr *addr)
{
	return addr->nsid;
}

const struct vdev_dev_ops vdev_blk_ops = {
	.name		= "virtio-blk",
	.type		= VDEV_CTRL_TYPE_VIRTIO_BLK,
	.max_queues	= VDEV_MAX_QUEUES,
	.max_queue_size	= VDEV_BLK_MAX_QUEUE_SIZE,
	.max_ns		= 1,
	.ns_addr_check	= vdev_blk_ns_addr_check,
	.ns_addr_key	= vdev_blk_ns_addr_key,
	.features	= vdev_blk_features,
	.get_config	= vdev_blk_get_config,
	.set_config	= vdev_blk_set_config,
	.chain_max	= vdev_blk_chain_max,
	.req_execute	= vdev_blk_execute,
};
