// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: namespace addressing rules of each device type, the identity
 * strings (serial, vendor, product) ns-add takes, and the claims shared and
 * exclusive namespaces make on their device.
 */
#include <kunit/test.h>
#include <linux/sizes.h>
#include <net/netlink.h>

#include "kunit_util.h"
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

/* --- identity ------------------------------------------------------------ */

#define S20	"12345678901234567890"

struct vdev_ident_valid_case {
	const char *desc;
	const char *s;
	size_t max_len;
	bool valid;
};

static const struct vdev_ident_valid_case vdev_ident_valid_cases[] = {
	{ "one character", "x", 20, true },
	{ "20 of 20", S20, 20, true },
	{ "21 of 20", S20 "1", 20, false },
	{ "8 of 8", "ABCDEFGH", 8, true },
	{ "9 of 8", "ABCDEFGHI", 8, false },
	{ "empty", "", 20, false },
	{ "space and tilde", " a~", 20, true },
	{ "every punctuation", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}", 40, true },
	{ "tab", "a\tb", 20, false },
	{ "newline", "ab\n", 20, false },
	{ "0x1f", "a\x1f", 20, false },
	{ "DEL 0x7f", "a\x7f", 20, false },
	{ "Latin-1 0xe9", "caf\xe9", 20, false },
	{ "UTF-8", "caf\xc3\xa9", 20, false },
};

static void vdev_ident_valid_desc(const struct vdev_ident_valid_case *c,
				  char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_ident_valid, vdev_ident_valid_cases,
		  vdev_ident_valid_desc);

static void vdev_ns_ident_valid_test(struct kunit *test)
{
	const struct vdev_ident_valid_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, vdev_ns_ident_valid(c->s, c->max_len), c->valid);
}

/* NULL: the attribute is absent. */
struct vdev_ident_case {
	const char *desc;
	const struct vdev_dev_ops *ops;
	const char *serial;
	const char *vendor;
	const char *product;
	int ret;
	int bad;		/* the attribute the extack points at */
};

static const struct vdev_ident_case vdev_ident_cases[] = {
	{ "nothing", &vdev_blk_ops, NULL, NULL, NULL, 0 },
	{ "serial", &vdev_blk_ops, "SN-0001", NULL, NULL, 0 },
	{ "serial of 20", &vdev_nvme_ops, S20, NULL, NULL, 0 },
	{ "vendor", &vdev_blk_ops, NULL, "ACME", NULL, -EINVAL,
	  VDEV_A_NS_VENDOR },
	{ "product", &vdev_blk_ops, NULL, NULL, "Disk", -EINVAL,
	  VDEV_A_NS_PRODUCT },
	{ "serial and product", &vdev_nvme_ops, "SN", NULL, "Disk", -EINVAL,
	  VDEV_A_NS_PRODUCT },
	{ "all three", &vdev_scsi_ops, "SN-0001", "ACME", "Disk 9000", 0 },
	{ "all three, longest", &vdev_scsi_ops, S20, "ABCDEFGH",
	  "ABCDEFGHIJKLMNOP", 0 },
	{ "vendor only", &vdev_scsi_ops, NULL, "ACME", NULL, 0 },
	{ "serial of 21", &vdev_scsi_ops, S20 "1", NULL, NULL, -EINVAL,
	  VDEV_A_NS_SERIAL },
	{ "vendor of 9", &vdev_scsi_ops, NULL, "ABCDEFGHI", NULL, -EINVAL,
	  VDEV_A_NS_VENDOR },
	{ "product of 17", &vdev_scsi_ops, NULL, NULL, "ABCDEFGHIJKLMNOPQ",
	  -EINVAL, VDEV_A_NS_PRODUCT },
	{ "empty serial", &vdev_scsi_ops, "", NULL, NULL, -EINVAL,
	  VDEV_A_NS_SERIAL },
	{ "empty vendor", &vdev_scsi_ops, NULL, "", NULL, -EINVAL,
	  VDEV_A_NS_VENDOR },
	{ "empty product", &vdev_scsi_ops, NULL, NULL, "", -EINVAL,
	  VDEV_A_NS_PRODUCT },
	{ "serial with a newline", &vdev_scsi_ops, "SN\n", "ACME", NULL,
	  -EINVAL, VDEV_A_NS_SERIAL },
	{ "vendor in UTF-8", &vdev_scsi_ops, NULL, "\xc3\xa9", NULL, -EINVAL,
	  VDEV_A_NS_VENDOR },
	{ "product with DEL", &vdev_scsi_ops, NULL, NULL, "a\x7f", -EINVAL,
	  VDEV_A_NS_PRODUCT },
};

static void vdev_ident_desc(const struct vdev_ident_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s: %s", c->ops->name, c->desc);
}

KUNIT_ARRAY_PARAM(vdev_ident, vdev_ident_cases, vdev_ident_desc);

/* A NUL-terminated string attribute, as a request carries it. */
static struct nlattr *vdev_ident_attr(struct kunit *test, int type,
				      const char *s)
{
	int len = strlen(s) + 1;
	struct nlattr *nla;

	nla = kunit_kzalloc(test, nla_total_size(len), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, nla);
	nla->nla_type = type;
	nla->nla_len = nla_attr_size(len);
	memcpy(nla_data(nla), s, len);
	return nla;
}

static void vdev_ident_expect(struct kunit *test, const char *got,
			      const char *given)
{
	KUNIT_EXPECT_STREQ(test, got, given ?: "");
}

/* What the policy lets through: the handler's checks, and its extack. */
static void vdev_nl_ns_ident_parse_test(struct kunit *test)
{
	const struct vdev_ident_case *c = test->param_value;
	struct nlattr *tb[VDEV_A_NS_MAX + 1] = {};
	struct netlink_ext_ack extack = {};
	const char *name = c->bad == VDEV_A_NS_SERIAL ? "serial" :
			   c->bad == VDEV_A_NS_VENDOR ? "vendor" : "product";
	struct vdev_ns_ident ident;
	struct vdev_ctrl *ctrl;

	ctrl = kunit_kzalloc(test, sizeof(*ctrl), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctrl);
	ctrl->ops = c->ops;
	if (c->serial)
		tb[VDEV_A_NS_SERIAL] = vdev_ident_attr(test, VDEV_A_NS_SERIAL,
						       c->serial);
	if (c->vendor)
		tb[VDEV_A_NS_VENDOR] = vdev_ident_attr(test, VDEV_A_NS_VENDOR,
						       c->vendor);
	if (c->product)
		tb[VDEV_A_NS_PRODUCT] = vdev_ident_attr(test, VDEV_A_NS_PRODUCT,
							c->product);
	memset(&ident, 0xa5, sizeof(ident));

	KUNIT_ASSERT_EQ(test, vdev_nl_ns_ident_parse(tb, ctrl, &ident, &extack),
			c->ret);
	if (c->ret) {
		KUNIT_EXPECT_PTR_EQ(test, extack.bad_attr,
				    (const struct nlattr *)tb[c->bad]);
		KUNIT_ASSERT_NOT_NULL(test, extack._msg);
		/* The message names the attribute, as the user typed it. */
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(extack._msg, name),
					  "message: %s", extack._msg);
		return;
	}
	KUNIT_EXPECT_NULL(test, extack._msg);
	vdev_ident_expect(test, ident.serial, c->serial);
	vdev_ident_expect(test, ident.vendor, c->vendor);
	vdev_ident_expect(test, ident.product, c->product);
}

static void vdev_kunit_bdev_fput(void *file)
{
	bdev_fput(file);
}

/*
 * Claim @dev for reading and writing as @ns would (vdev_ns_open() does it
 * by path); the claim is given up when the test ends, or earlier with
 * vdev_kunit_unclaim(). Return: 0 or the open's errno.
 */
static int vdev_kunit_claim(struct kunit *test, dev_t dev, struct vdev_ns *ns,
			    struct file **filep)
{
	struct file *file;

	file = bdev_file_open_by_dev(dev, BLK_OPEN_READ | BLK_OPEN_WRITE,
				     vdev_ns_holder(ns), NULL);
	if (IS_ERR(file))
		return PTR_ERR(file);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							vdev_kunit_bdev_fput,
							file), 0);
	*filep = file;
	return 0;
}

static void vdev_kunit_unclaim(struct kunit *test, struct file *file)
{
	kunit_release_action(test, vdev_kunit_bdev_fput, file);
}

/*
 * On a RAM disk of the test's own: shared namespaces all get the device;
 * an exclusive one does not while any of them holds it, and does once the
 * last let go; then a shared one does not.
 */
static void vdev_ns_shared_claim_test(struct kunit *test)
{
	static const struct vdev_kunit_disk_cfg cfg = { .lbs = 512 };
	struct vdev_ns *a, *b, *x;
	struct file *fa, *fb, *fx, *f;
	struct vdev_kunit_disk *d;
	dev_t dev;

	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, d && a && b && x);
	a->shared = true;
	b->shared = true;
	KUNIT_EXPECT_PTR_EQ(test, vdev_ns_holder(a), vdev_ns_holder(b));
	KUNIT_EXPECT_PTR_EQ(test, vdev_ns_holder(x), (void *)x);
	vdev_kunit_disk_add(test, d, SZ_1M, &cfg);
	dev = disk_devt(d->disk);

	KUNIT_ASSERT_EQ(test, vdev_kunit_claim(test, dev, a, &fa), 0);
	KUNIT_ASSERT_EQ(test, vdev_kunit_claim(test, dev, b, &fb), 0);
	KUNIT_EXPECT_EQ(test, vdev_kunit_claim(test, dev, x, &f), -EBUSY);
	vdev_kunit_unclaim(test, fa);
	KUNIT_EXPECT_EQ_MSG(test, vdev_kunit_claim(test, dev, x, &f), -EBUSY,
			    "one shared claim left");
	vdev_kunit_unclaim(test, fb);
	KUNIT_ASSERT_EQ(test, vdev_kunit_claim(test, dev, x, &fx), 0);
	KUNIT_EXPECT_EQ(test, vdev_kunit_claim(test, dev, a, &f), -EBUSY);
	vdev_kunit_unclaim(test, fx);
	KUNIT_EXPECT_EQ(test, vdev_kunit_claim(test, dev, a, &fa), 0);
}

static struct kunit_case vdev_ns_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_ns_addr_check_test, vdev_addr_gen_params),
	KUNIT_CASE(vdev_scsi_key_unique_test),
	KUNIT_CASE_PARAM(vdev_ns_ident_valid_test, vdev_ident_valid_gen_params),
	KUNIT_CASE_PARAM(vdev_nl_ns_ident_parse_test, vdev_ident_gen_params),
	KUNIT_CASE(vdev_ns_shared_claim_test),
	{}
};

static struct kunit_suite vdev_ns_test_suite = {
	.name = "vdev_ns",
	.test_cases = vdev_ns_test_cases,
};

kunit_test_suite(vdev_ns_test_suite);
