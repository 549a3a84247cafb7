// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the virtio-scsi device type's fixed parts: LUN addressing on the
 * wire, the config space the guest sees (as QEMU 7.2 shows it), the
 * features and the queues the core leaves alone.
 */
#include <kunit/test.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_scsi.h>

#include "session.h"

#define CFG16(x)	le16_to_cpu((__force __le16)(x))
#define CFG32(x)	le32_to_cpu((__force __le32)(x))

struct vdev_st_lun_case {
	const char *desc;
	u8 lun[8];
	int ret;
	u8 target;
	u16 id;
};

static const struct vdev_st_lun_case vdev_st_lun_cases[] = {
	{ "peripheral 0:0", { 1, 0, 0, 0 }, 0, 0, 0 },
	{ "peripheral 3:200", { 1, 3, 0, 200 }, 0, 3, 200 },
	{ "flat 0:1 (Linux)", { 1, 0, 0x40, 1 }, 0, 0, 1 },
	{ "flat 255:16383", { 1, 255, 0x7f, 0xff }, 0, 255, 16383 },
	{ "last bytes ignored", { 1, 2, 0x40, 5, 9, 9, 9, 9 }, 0, 2, 5 },
	{ "first byte 0", { 0, 0, 0, 0 }, -EINVAL },
	{ "first byte 2", { 2, 0, 0, 0 }, -EINVAL },
	{ "logical unit addressing", { 1, 0, 0x80, 1 }, -EINVAL },
	{ "extended addressing", { 1, 0, 0xc0, 1 }, -EINVAL },
	{ "peripheral with a bus", { 1, 0, 0x01, 1 }, -EINVAL },
};

static void vdev_st_lun_desc(const struct vdev_st_lun_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_st_lun, vdev_st_lun_cases, vdev_st_lun_desc);

static void vdev_scsi_lun_decode_test(struct kunit *test)
{
	const struct vdev_st_lun_case *c = test->param_value;
	u8 target = 0xaa;
	u16 id = 0xaaaa;

	KUNIT_ASSERT_EQ(test, vdev_scsi_lun_decode(c->lun, &target, &id),
			c->ret);
	if (c->ret)
		return;
	KUNIT_EXPECT_EQ(test, target, c->target);
	KUNIT_EXPECT_EQ(test, id, c->id);
}

/* A LUN's table key is one per address, and in its target's range. */
static void vdev_scsi_key_test(struct kunit *test)
{
	struct vdev_ns_addr a = { .target = 255, .lun = 16383 };
	struct vdev_ns_addr b = { .target = 1, .lun = 0 };
	struct vdev_ns_addr c = { .target = 0, .lun = 16383 };

	KUNIT_EXPECT_EQ(test, vdev_scsi_ops.ns_addr_key(&a), 255UL << 14 | 16383);
	KUNIT_EXPECT_NE(test, vdev_scsi_ops.ns_addr_key(&b),
			vdev_scsi_ops.ns_addr_key(&c));
	KUNIT_EXPECT_GT(test, vdev_scsi_ops.ns_addr_key(&b),
			vdev_scsi_ops.ns_addr_key(&c));
}

struct vdev_st_cfg_case {
	const char *desc;
	u32 queues;
	u32 queue_size;
	u32 seg_max;
};

static const struct vdev_st_cfg_case vdev_st_cfg_cases[] = {
	{ "QEMU's default: 1 queue of 128", 1, 128, 126 },
	{ "4 queues of 256", 4, 256, 254 },
	{ "rings beyond QEMU's 1024", 2, 4096, 1022 },
	{ "a ring of 2", 1, 2, 1 },
};

static void vdev_st_cfg_desc(const struct vdev_st_cfg_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_st_cfg, vdev_st_cfg_cases, vdev_st_cfg_desc);

/* What QEMU 7.2's vhost-user-scsi-pci shows the guest, field by field. */
static void vdev_scsi_get_config_test(struct kunit *test)
{
	const struct vdev_st_cfg_case *c = test->param_value;
	struct vdev_session *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct vdev_ctrl *ctrl = kunit_kzalloc(test, sizeof(*ctrl), GFP_KERNEL);
	u8 *buf = kunit_kzalloc(test, VDEV_VU_MAX_CONFIG, GFP_KERNEL);
	struct virtio_scsi_config *cfg = (void *)buf;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, ctrl);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	ctrl->ops = &vdev_scsi_ops;
	ctrl->cfg.num_queues = c->queues;
	ctrl->cfg.queue_size = c->queue_size;
	s->ctrl = ctrl;
	KUNIT_ASSERT_EQ(test, vdev_scsi_ops.get_config(s, buf), 0);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->num_queues), c->queues);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->seg_max), c->seg_max);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->max_sectors), 0xffff);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->cmd_per_lun), 128);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->event_info_size), 16);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->sense_size), 96);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->cdb_size), 32);
	KUNIT_EXPECT_EQ(test, CFG16(cfg->max_channel), 0);
	KUNIT_EXPECT_EQ(test, CFG16(cfg->max_target), 255);
	KUNIT_EXPECT_EQ(test, CFG32(cfg->max_lun), 16383);
	/* Requests as long as the guest may make them fit a chain. */
	KUNIT_EXPECT_EQ(test, vdev_scsi_ops.chain_max(ctrl), c->seg_max + 2);
}

static void vdev_scsi_features_test(struct kunit *test)
{
	u64 want = BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_RING_PACKED) |
		   BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) |
		   BIT_ULL(VIRTIO_RING_F_EVENT_IDX) |
		   BIT_ULL(VDEV_VU_F_PROTOCOL_FEATURES) |
		   BIT_ULL(VIRTIO_SCSI_F_HOTPLUG) |
		   BIT_ULL(VIRTIO_SCSI_F_CHANGE);

	/* No bidirectional commands, no protection information. */
	KUNIT_EXPECT_EQ(test, vdev_scsi_ops.features(NULL), want);
}

/* Control and event queues besides the request queues. */
static void vdev_scsi_queues_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vdev_scsi_ops.extra_queues, 2);
	/* A LUN is looked up per request: none is resolved at attach. */
	KUNIT_EXPECT_TRUE(test, vdev_scsi_ops.hot_ns);
}

static struct kunit_case vdev_virtio_scsi_cases[] = {
	KUNIT_CASE_PARAM(vdev_scsi_lun_decode_test, vdev_st_lun_gen_params),
	KUNIT_CASE(vdev_scsi_key_test),
	KUNIT_CASE_PARAM(vdev_scsi_get_config_test, vdev_st_cfg_gen_params),
	KUNIT_CASE(vdev_scsi_features_test),
	KUNIT_CASE(vdev_scsi_queues_test),
	{}
};

static struct kunit_suite vdev_virtio_scsi_suite = {
	.name = "vdev_virtio_scsi",
	.test_cases = vdev_virtio_scsi_cases,
};

kunit_test_suite(vdev_virtio_scsi_suite);
