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
	cfg->alignment_offset = bdev_alignment_offset(bdev) / lbs;
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
static void vdev_blk_get_config(const struct vdev_session *s, u8 *buf)
{
	struct virtio_blk_config *cfg = (struct virtio_blk_config *)buf;
	struct block_device *bdev = vdev_ns_bdev(s->ns);

	BUILD_BUG_ON(sizeof(*cfg) > VDEV_VU_MAX_CONFIG);
	cfg->capacity = LE64(bdev_nr_sectors(bdev));
	cfg->size_max = LE32(VDEV_BLK_SIZE_MAX);
	cfg->seg_max = LE32(vdev_blk_seg_max(s->ctrl));
	vdev_blk_config_topology(cfg, bdev);
	cfg->wce = s->wce;
	cfg->num_queues = LE16(s->ctrl->cfg.num_queues);
	vdev_blk_config_discard(cfg, bdev);
}

/* Only the write-cache switch is writable, once CONFIG_WCE was acked. */
static int vdev_blk_set_config(struct vdev_session *s, u32 offset,
			       const u8 *data, u32 size)
{
	if (offset != offsetof(struct virtio_blk_config, wce) || size != 1 ||
	    !(s->features & BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE)))
		return -EPERM;
	if (data[0] > 1)
		return -EINVAL;
	s->wce = data[0];
	return 0;
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
};
