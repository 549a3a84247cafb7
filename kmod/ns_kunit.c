// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: namespace addressing rules of each device type.
 */
#include <kunit/test.h>

#include "vdev.h"

#define NSID(n)		.nsid = (n), .has_nsid = true
#define TGT(t)		.target = (t), .has_target = true
#define LUN(l)		.lun = (l), .has_lun = true

struct vdev_addr_case {
	const char *desc;
	const struct vdev_dev_ops *ops;
	bool adding;
	struct vdev_ns_addr in;
	int ret;
	struct vdev_ns_addr out;	/* when ret == 0 */
};

static const struct vdev_addr_case vdev_addr_cases[] = {
	{ "blk default nsid", &vdev_blk_ops, true, {}, 0, { NSID(1) } },
	{ "blk nsid 1", &vdev_blk_ops, true, { NSID(1) }, 0, { NSID(1) } },
	{ "blk nsid 2", &vdev_blk_ops, true, { NSID(2) }, -EINVAL },
	{ "blk lookup default", &vdev_blk_ops, false, {}, 0, { NSID(1) } },
	{ "blk target", &vdev_blk_ops, true, { TGT(0), LUN(0) }, -EINVAL },
	{ "blk lun only", &vdev_blk_ops, true, { LUN(3) }, -EINVAL },
	{ "nvme no nsid adding", &vdev_nvme_ops, true, {}, 0, {} },
	{ "nvme no nsid lookup", &vdev_nvme_ops, false, {}, -EINVAL },
	{ "nvme nsid 7", &vdev_nvme_ops, false, { NSID(7) }, 0, { NSID(7) } },
	{ "nvme target", &vdev_nvme_ops, true, { NSID(1), TGT(1) }, -EINVAL },
	{ "scsi 0:0", &vdev_scsi_ops, true, { TGT(0), LUN(0) }, 0,
	  { TGT(0), LUN(0) } },
	{ "scsi no lun", &vdev_scsi_ops, true, { TGT(1) }, -EINVAL },
	{ "scsi no target", &vdev_scsi_ops, false, { LUN(1) }, -EINVAL },
	{ "scsi nsid", &vdev_scsi_ops, true, { NSID(1), TGT(0), LUN(0) },
	  -EINVAL },
	{ "scsi nothing", &vdev_scsi_ops, true, {}, -EINVAL },
};

static void vdev_addr_case_desc(const struct vdev_addr_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s: %s", c->ops->name, c->desc);
}

KUNIT_ARRAY_PARAM(vdev_addr, vdev_addr_cases, vdev_addr_case_desc);

static void vdev_ns_addr_check_test(struct kunit *test)
{
	const struct vdev_addr_case *c = test->param_value;
	struct vdev_ns_addr addr = c->in;

	KUNIT_ASSERT_EQ(test, c->ops->ns_addr_check(&addr, c->adding, NULL),
			c->ret);
	if (c->ret)
		return;
	KUNIT_EXPECT_EQ(test, addr.has_nsid, c->out.has_nsid);
	KUNIT_EXPECT_EQ(test, addr.has_target, c->out.has_target);
	KUNIT_EXPECT_EQ(test, addr.has_lun, c->out.has_lun);
	if (c->out.has_nsid)
		KUNIT_EXPECT_EQ(test, addr.nsid, c->out.nsid);
	if (c->out.has_target)
		KUNIT_EXPECT_EQ(test, addr.target, c->out.target);
	if (c->out.has_lun)
		KUNIT_EXPECT_EQ(test, addr.lun, c->out.lun);
}

/* Every address the netlink policy admits maps to a distinct key. */
static void vdev_scsi_key_unique_test(struct kunit *test)
{
	struct vdev_ns_addr a = { TGT(0), LUN(VDEV_MAX_LUN) };
	struct vdev_ns_addr b = { TGT(1), LUN(0) };
	struct vdev_ns_addr c = { TGT(VDEV_MAX_TARGET), LUN(VDEV_MAX_LUN) };

	KUNIT_EXPECT_NE(test, vdev_scsi_ops.ns_addr_key(&a),
			vdev_scsi_ops.ns_addr_key(&b));
	KUNIT_EXPECT_LT(test, vdev_scsi_ops.ns_addr_key(&a),
			vdev_scsi_ops.ns_addr_key(&b));
	KUNIT_EXPECT_EQ(test, vdev_scsi_ops.ns_addr_key(&c),
			((unsigned long)VDEV_MAX_TARGET + 1) * (VDEV_MAX_LUN + 1) - 1);
}

static struct kunit_case vdev_ns_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_ns_addr_check_test, vdev_addr_gen_params),
	KUNIT_CASE(vdev_scsi_key_unique_test),
	{}
};

static struct kunit_suite vdev_ns_test_suite = {
	.name = "vdev_ns",
	.test_cases = vdev_ns_test_cases,
};

kunit_test_suite(vdev_ns_test_suite);
