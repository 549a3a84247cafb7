// SPDX-License-Identifier: GPL-2.0
/*
 * vdevctl ns: attach, detach, show and list namespaces (NVMe, virtio-blk)
 * and LUNs (virtio-scsi).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "vdevctl.h"

/* A field of struct vdevnl_ns: attribute, kind, member, JSON, text. */
#define VDEVCTL_NS(attr, kind, m, key, label)				\
	VDEVCTL_FIELD(VDEV_A_NS_##attr, key, label, VDEVCTL_F_##kind,	\
		      offsetof(struct vdevnl_ns, m))

static void vdevctl_ns_print_flags(struct vdevctl_out *o, const void *obj);

/* The address is in the text header; JSON has it as members. */
static const struct vdevctl_field vdevctl_ns_fields[] = {
	VDEVCTL_NS(CTRL_ID, U32, ctrl_id, "ctrl-id", NULL),
	VDEVCTL_NS(CTRL_NAME, STR, ctrl_name, "ctrl-name", NULL),
	VDEVCTL_NS(NSID, U32, nsid, "nsid", NULL),
	VDEVCTL_NS(TARGET, U32, target, "target", NULL),
	VDEVCTL_NS(LUN, U32, lun, "lun", NULL),
	VDEVCTL_NS(PATH, STR, path, "path", "path"),
	VDEVCTL_NS(READ_ONLY, BOOL, read_only, "read-only", "read-only"),
	VDEVCTL_NS(SHARED, BOOL, shared, "shared", "shared"),
	VDEVCTL_NS(SIZE, SIZE, size, "size", "size"),
	VDEVCTL_NS(LBLK_SIZE, U32, lblk_size, "lblk-size", "lblk-size"),
	VDEVCTL_NS(PBLK_SIZE, U32, pblk_size, "pblk-size", "pblk-size"),
	VDEVCTL_NS(DISCARD, BOOL, discard, "discard", NULL),
	VDEVCTL_NS(WRITE_ZEROES, BOOL, write_zeroes, "write-zeroes", NULL),
	VDEVCTL_NS(WRITE_CACHE, BOOL, write_cache, "write-cache", NULL),
	VDEVCTL_NS(ROTATIONAL, BOOL, rotational, "rotational", NULL),
	VDEVCTL_NS(GONE, BOOL, gone, "gone", NULL),
	VDEVCTL_CUSTOM(0, "flags", vdevctl_ns_print_flags),
	VDEVCTL_NS(SERIAL, STR, serial, "serial", "serial"),
	VDEVCTL_NS(VENDOR, STR, vendor, "vendor", "vendor"),
	VDEVCTL_NS(PRODUCT, STR, product, "product", "product"),
};

/*
 * Text: the four capability flags on one line, "none" if none, and
 * "gone" when the device went away.
 */
static void vdevctl_ns_print_flags(struct vdevctl_out *o, const void *obj)
{
	const struct vdevnl_ns *ns = obj;
	const struct vdevctl_flag flags[] = {
		{ ns->discard, "discard" },
		{ ns->write_zeroes, "write-zeroes" },
		{ ns->write_cache, "write-cache" },
		{ ns->rotational, "rotational" },
		{ ns->gone, "gone" },
	};

	vdevctl_print_flag_list(o, "flags", flags, VDEVCTL_ARRAY_SIZE(flags));
}

/* "r0 nsid 1" or "s0 target:lun 0:3": the namespace's address. */
static void vdevctl_ns_header(const struct vdevnl_ns *ns, char *buf,
			      size_t len)
{
	int n;

	if (VDEVNL_HAS(ns, VDEV_A_NS_CTRL_NAME))
		n = snprintf(buf, len, "%s", ns->ctrl_name);
	else
		n = snprintf(buf, len, "ctrl-id %u", ns->ctrl_id);
	if (n < 0 || (size_t)n >= len)
		return;
	if (VDEVNL_HAS(ns, VDEV_A_NS_NSID))
		snprintf(buf + n, len - n, " nsid %u", ns->nsid);
	else if (VDEVNL_HAS(ns, VDEV_A_NS_TARGET))
		snprintf(buf + n, len - n, " target:lun %u:%u", ns->target,
			 ns->lun);
}

void vdevctl_ns_print(struct vdevctl_out *o, const char *key,
		      const struct vdevnl_ns *ns)
{
	char header[80];

	vdevctl_ns_header(ns, header, sizeof(header));
	vdevctl_print_obj_start(o, key, "ns", header);
	vdevctl_print_fields(o, vdevctl_ns_fields,
			     VDEVCTL_ARRAY_SIZE(vdevctl_ns_fields), ns,
			     ns->present);
	vdevctl_print_obj_end(o);
}

static int vdevctl_ns_print_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vdevctl *ctx = data;
	struct vdevnl_ns ns;
	int err;

	err = vdevnl_ns_parse(nlh, &ns);
	if (err) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	vdevctl_ns_print(&ctx->out, NULL, &ns);
	return MNL_CB_OK;
}

/*
 * --nsid, or --target with --lun, or neither: then the request carries
 * no address and the kernel picks the controller type's default.
 */
static int vdevctl_ns_addr_check(struct vdevctl *ctx)
{
	uint32_t attrs = ctx->args.attrs;
	bool nsid = attrs & VDEVCTL_BIT(VDEV_A_NS_NSID);
	bool target = attrs & VDEVCTL_BIT(VDEV_A_NS_TARGET);
	bool lun = attrs & VDEVCTL_BIT(VDEV_A_NS_LUN);

	if (nsid && (target || lun))
		return vdevctl_usage_err(ctx, "--nsid cannot be combined with --target/--lun");
	if (target != lun)
		return vdevctl_usage_err(ctx, "--target and --lun go together");
	return 0;
}

static int vdevctl_ns_del(struct vdevctl *ctx)
{
	return vdevctl_ns_addr_check(ctx) ?: vdevctl_request(ctx, NULL);
}

/* Also ns add: the reply is the new namespace. */
static int vdevctl_ns_show(struct vdevctl *ctx)
{
	return vdevctl_ns_addr_check(ctx) ?:
	       vdevctl_request(ctx, vdevctl_ns_print_cb);
}

static int vdevctl_ns_list(struct vdevctl *ctx)
{
	return vdevctl_dump(ctx, vdevctl_ns_print_cb);
}

/* ENOENT names the controller, the namespace, or the backing path. */
static void vdevctl_ns_explain_noent(struct vdevctl *ctx,
				     struct vdevctl_why *w)
{
	const char *ctrl = ctx->args.pos[0];

	if (!vdevctl_ctrl_exists(ctx, ctrl)) {
		snprintf(w->why, sizeof(w->why), "unknown controller '%s'",
			 ctrl);
		snprintf(w->hint, sizeof(w->hint),
			 "list controllers with 'vdevctl ctrl list'");
	} else if (ctx->verb->cmd == VDEV_CMD_NS_ADD) {
		snprintf(w->why, sizeof(w->why),
			 "backing device '%s' not found", ctx->args.pos[1]);
		snprintf(w->hint, sizeof(w->hint),
			 "give the path of a block device, e.g. /dev/nvme0n1");
	} else {
		snprintf(w->why, sizeof(w->why),
			 "controller '%s' has no such namespace", ctrl);
		snprintf(w->hint, sizeof(w->hint),
			 "list its namespaces with 'vdevctl ns list %s'", ctrl);
	}
}

/* A namespace of any controller on the device at path, by device number. */
struct vdevctl_ns_holder {
	dev_t dev;
	bool found;
	bool shared;
	char ctrl[VDEV_NAME_LEN];
};

static int vdevctl_ns_holder_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vdevctl_ns_holder *h = data;
	struct vdevnl_ns ns;
	struct stat st;

	if (h->found || vdevnl_ns_parse(nlh, &ns) || stat(ns.path, &st) ||
	    !S_ISBLK(st.st_mode) || st.st_rdev != h->dev)
		return MNL_CB_OK;
	h->found = true;
	h->shared = ns.shared;
	snprintf(h->ctrl, sizeof(h->ctrl), "%s", ns.ctrl_name);
	return MNL_CB_OK;
}

static void vdevctl_ns_find_holder(struct vdevctl *ctx, const char *path,
				   struct vdevctl_ns_holder *h)
{
	union {
		char buf[VDEVNL_MSG_SIZE];
		struct nlmsghdr align;
	} req;
	struct stat st;

	if (stat(path, &st) || !S_ISBLK(st.st_mode))
		return;
	h->dev = st.st_rdev;
	vdevnl_dump(&ctx->nl, vdevnl_msg_start(req.buf, VDEV_CMD_NS_GET),
		    vdevctl_ns_holder_cb, h);
}

/*
 * EBUSY on add: name the controller that has the device, and say what
 * --shared would change; a device is shared only when every end says so.
 */
static void vdevctl_ns_explain_busy(struct vdevctl *ctx,
				    struct vdevctl_why *w)
{
	const char *path = ctx->args.pos[1];
	bool shared = ctx->args.attrs & VDEVCTL_BIT(VDEV_A_NS_SHARED);
	struct vdevctl_ns_holder h = { .found = false };

	vdevctl_ns_find_holder(ctx, path, &h);
	if (!h.found) {
		snprintf(w->why, sizeof(w->why),
			 "backing device '%s' is already in use", path);
		snprintf(w->hint, sizeof(w->hint), "%s", shared ?
			 "it is mounted or opened exclusively: --shared shares it only with other --shared namespaces" :
			 "it is mounted, opened exclusively or attached to another controller ('vdevctl ns list')");
	} else if (shared && h.shared) {
		snprintf(w->why, sizeof(w->why),
			 "backing device '%s' is already a namespace of controller '%s'",
			 path, h.ctrl);
		snprintf(w->hint, sizeof(w->hint),
			 "--shared lets two controllers have a device, not one controller twice");
	} else if (h.shared) {
		snprintf(w->why, sizeof(w->why),
			 "backing device '%s' is attached shared to controller '%s'",
			 path, h.ctrl);
		snprintf(w->hint, sizeof(w->hint),
			 "attach it with --shared here too: every end of a shared device needs it");
	} else if (shared) {
		snprintf(w->why, sizeof(w->why),
			 "backing device '%s' is attached exclusively to controller '%s'",
			 path, h.ctrl);
		snprintf(w->hint, sizeof(w->hint),
			 "--shared is needed on both ends: detach it there ('vdevctl ns del %s') and attach it again with --shared",
			 h.ctrl);
	} else {
		snprintf(w->why, sizeof(w->why),
			 "backing device '%s' is already attached to controller '%s'",
			 path, h.ctrl);
		snprintf(w->hint, sizeof(w->hint),
			 "to serve it on two controllers (live migration), attach it with --shared on both");
	}
}

static void vdevctl_ns_explain(struct vdevctl *ctx, int err,
			       struct vdevctl_why *w)
{
	const char *ctrl = ctx->args.pos[0];
	const char *path = ctx->args.pos[1];
	bool add = ctx->verb->cmd == VDEV_CMD_NS_ADD;

	if (err == -ENOENT && ctrl) {
		vdevctl_ns_explain_noent(ctx, w);
	} else if (err == -EEXIST && add) {
		snprintf(w->why, sizeof(w->why),
			 "controller '%s' already has a namespace at this address",
			 ctrl);
		snprintf(w->hint, sizeof(w->hint),
			 "pick another --nsid or --target/--lun, or detach the old one with 'vdevctl ns del'");
	} else if (err == -EBUSY && add) {
		vdevctl_ns_explain_busy(ctx, w);
	} else if (err == -ENOTBLK && add) {
		snprintf(w->why, sizeof(w->why),
			 "'%s' is not a block device", path);
		snprintf(w->hint, sizeof(w->hint),
			 "for an image file, attach a loop device: losetup -f --show FILE");
	} else if ((err == -EACCES || err == -EPERM) && add &&
		   vdevctl_has_net_admin()) {
		snprintf(w->why, sizeof(w->why),
			 "permission denied opening '%s'", path);
		snprintf(w->hint, sizeof(w->hint),
			 "is it on a nodev mount? use the node under /dev");
	} else if (err == -EROFS && add) {
		snprintf(w->why, sizeof(w->why), "'%s' is read-only", path);
		snprintf(w->hint, sizeof(w->hint), "attach it with --ro");
	}
}

/*
 * add takes --ro, --shared, the identity and an address; del and show take
 * the address alone, so they see this table from VDEVCTL_NS_ADD_ONLY on.
 * The identity strings go to the kernel as typed: it checks them and
 * says what it accepts.
 */
static const struct vdevctl_opt vdevctl_ns_opts[] = {
	{ .name = "--ro", .attr = VDEV_A_NS_READ_ONLY,
	  .put = vdevctl_put_flag, .flag = true },
	{ .name = "--shared", .attr = VDEV_A_NS_SHARED,
	  .put = vdevctl_put_flag, .flag = true },
	{ .name = "--serial", .attr = VDEV_A_NS_SERIAL,
	  .put = vdevctl_put_str },
	{ .name = "--vendor", .attr = VDEV_A_NS_VENDOR,
	  .put = vdevctl_put_str },
	{ .name = "--product", .attr = VDEV_A_NS_PRODUCT,
	  .put = vdevctl_put_str },
#define VDEVCTL_NS_ADD_ONLY	5
	{ .name = "--nsid", .attr = VDEV_A_NS_NSID, .put = vdevctl_put_u32 },
	{ .name = "--target", .attr = VDEV_A_NS_TARGET,
	  .put = vdevctl_put_u32 },
	{ .name = "--lun", .attr = VDEV_A_NS_LUN, .put = vdevctl_put_u32 },
	{ }
};

#define VDEVCTL_NS_ADDR_OPTS	(&vdevctl_ns_opts[VDEVCTL_NS_ADD_ONLY])

static const struct vdevctl_opt vdevctl_ns_pos[] = {
	{ .name = "CTRL", .attr = VDEV_A_NS_CTRL_NAME,
	  .put = vdevctl_put_str },
	{ .name = "BACKING", .attr = VDEV_A_NS_PATH,
	  .put = vdevctl_put_path },
};

static const struct vdevctl_verb vdevctl_ns_verbs[] = {
	{
		.name = "add",
		.usage = "CTRL [--nsid N | --target T --lun L] [--ro] [--shared]\n"
			 "          [--serial S] [--vendor V] [--product P] BACKING",
		.cmd = VDEV_CMD_NS_ADD,
		.opts = vdevctl_ns_opts,
		.pos = vdevctl_ns_pos, .min_pos = 2, .max_pos = 2,
		.run = vdevctl_ns_show,
		.explain = vdevctl_ns_explain,
	},
	{
		.name = "del",
		.usage = "CTRL [--nsid N | --target T --lun L]",
		.cmd = VDEV_CMD_NS_DEL,
		.opts = VDEVCTL_NS_ADDR_OPTS,
		.pos = vdevctl_ns_pos, .min_pos = 1, .max_pos = 1,
		.run = vdevctl_ns_del,
		.explain = vdevctl_ns_explain,
	},
	{
		.name = "show",
		.usage = "CTRL [--nsid N | --target T --lun L]",
		.cmd = VDEV_CMD_NS_GET,
		.opts = VDEVCTL_NS_ADDR_OPTS,
		.pos = vdevctl_ns_pos, .min_pos = 1, .max_pos = 1,
		.run = vdevctl_ns_show,
		.explain = vdevctl_ns_explain,
	},
	{
		.name = "resize",
		.usage = "CTRL [--nsid N | --target T --lun L]",
		.cmd = VDEV_CMD_NS_RESIZE,
		.opts = VDEVCTL_NS_ADDR_OPTS,
		.pos = vdevctl_ns_pos, .min_pos = 1, .max_pos = 1,
		.run = vdevctl_ns_show,
		.explain = vdevctl_ns_explain,
	},
	{
		.name = "list",
		.usage = "[CTRL]",
		.cmd = VDEV_CMD_NS_GET,
		.pos = vdevctl_ns_pos, .min_pos = 0, .max_pos = 1,
		.run = vdevctl_ns_list,
		.explain = vdevctl_ns_explain,
	},
	{ }
};

const struct vdevctl_object vdevctl_ns_object = {
	.name = "ns",
	.verbs = vdevctl_ns_verbs,
	.help =
	"A namespace (NVMe, virtio-blk) or LUN (virtio-scsi) serves a block\n"
	"device to the guest of controller CTRL.\n"
	"\n"
	"  --nsid N               namespace id (virtio-blk: only 1)\n"
	"  --target T --lun L     SCSI address (virtio-scsi: required)\n"
	"  --ro                   serve it read-only\n"
	"  --shared               let other controllers attach the device\n"
	"                         too, each with --shared: the two ends of a\n"
	"                         live migration. Nothing coordinates their\n"
	"                         writes: only one guest may write at a time\n"
	"  --serial S             serial number the guest sees: 1 to 20\n"
	"                         printable ASCII characters (virtio-blk\n"
	"                         GET_ID, default the controller name;\n"
	"                         virtio-scsi unit serial number, default\n"
	"                         CTRL.T.L)\n"
	"  --vendor V             SCSI vendor, 1 to 8 printable ASCII\n"
	"                         characters (virtio-scsi only; default VDEV)\n"
	"  --product P            SCSI product, 1 to 16 printable ASCII\n"
	"                         characters (virtio-scsi only; default\n"
	"                         \"vdev-scsi disk\")\n"
	"  BACKING                path of the block device; a relative path\n"
	"                         is taken from the current directory\n"
	"\n"
	"Without an address, virtio-blk uses nsid 1; nvme add takes the\n"
	"lowest free nsid, while nvme del and show need --nsid. add prints\n"
	"the new namespace as show does. show and list print the serial,\n"
	"vendor and product only where add set them: the others are the\n"
	"defaults above.\n"
	"\n"
	"resize reads the backing device's size now and tells a connected\n"
	"guest if it changed (it is also checked once a second); grow the\n"
	"device first, e.g. losetup -c for a loop device. It prints the\n"
	"namespace as show does.\n",
};
