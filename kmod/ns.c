// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces and LUNs: attach a block device to a controller, exclusively
 * or shared with other controllers, and let it go again.
 */
#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "vdev.h"

static void vdev_ns_reap_gone(struct work_struct *work);
static DECLARE_WORK(vdev_ns_gone_work, vdev_ns_reap_gone);

/*
 * The holder of every shared namespace's claim on its device. The block
 * layer lets a device's holder claim it again and counts the claims, so
 * every shared namespace of a device gets it, and it stays claimed until
 * the last of them lets go. Anyone else - an exclusive namespace, whose
 * holder is the namespace itself, a mount, another driver - gets EBUSY
 * meanwhile, as a shared namespace does while one of those holds it.
 * Only the address is used.
 */
static u8 vdev_ns_shared_holder;

struct block_device *vdev_ns_bdev(const struct vdev_ns *ns)
{
	return file_bdev(ns->bdev_file);
}

/**
 * vdev_ns_ident_valid - an identity string the guest can be given
 * @s: the string
 * @max_len: its most bytes, without the NUL
 *
 * 1 to @max_len bytes of printable ASCII (0x20 to 0x7e), as SCSI wants of
 * INQUIRY and VPD strings and NVMe of its serial: a guest's tools print
 * them, and udev builds device names from them.
 */
bool vdev_ns_ident_valid(const char *s, size_t max_len)
{
	size_t i, len = strnlen(s, max_len + 1);

	if (!len || len > max_len)
		return false;
	for (i = 0; i < len; i++)
		if ((u8)s[i] < 0x20 || (u8)s[i] > 0x7e)
			return false;
	return true;
}

/* The lowest nsid in 1..max_ns that no namespace of @ctrl uses. */
static int vdev_ns_free_nsid(struct vdev_ctrl *ctrl, u32 *nsid)
{
	u32 i;

	for (i = 1; i <= ctrl->ops->max_ns; i++) {
		if (!xa_load(&ctrl->ns, i)) {
			*nsid = i;
			return 0;
		}
	}
	return -ENOSPC;
}

/**
 * vdev_ns_holder - whom a namespace claims its device as
 * @ns: the namespace
 *
 * An exclusive namespace is the only holder its device can have; shared
 * ones all claim as one module-wide holder.
 */
VISIBLE_IF_KUNIT void *vdev_ns_holder(struct vdev_ns *ns)
{
	if (ns->shared)
		return &vdev_ns_shared_holder;
	return ns;
}

/*
 * An attached namespace, of any controller, on the device at @path, or
 * NULL. Caller holds vdev_lock.
 */
static struct vdev_ns *vdev_ns_find_dev(const char *path)
{
	unsigned long id = 0, key;
	struct vdev_ctrl *ctrl;
	struct vdev_ns *ns;
	dev_t dev;

	lockdep_assert_held(&vdev_lock);

	if (lookup_bdev(path, &dev))
		return NULL;
	for (; (ctrl = vdev_ctrl_next(&id)); id++)
		xa_for_each(&ctrl->ns, key, ns)
			if (vdev_ns_bdev(ns)->bd_dev == dev)
				return ns;
	return NULL;
}

/*
 * EBUSY: when a namespace of ours holds the device, say whether the two
 * disagree on sharing. Static strings: a formatted message is cut at 80
 * bytes. Caller holds vdev_lock.
 */
static int vdev_ns_busy_error(const struct vdev_ns *ns,
			      struct netlink_ext_ack *extack)
{
	const struct vdev_ns *other = vdev_ns_find_dev(ns->path);

	if (!other)
		NL_SET_ERR_MSG_FMT(extack,
				   "%s is in use (mounted, held by another driver, or already a namespace)",
				   ns->path);
	else if (ns->shared)
		NL_SET_ERR_MSG(extack,
			       "the device is a namespace held exclusively (not shared): shared (--shared) is needed on both ends");
	else if (other->shared)
		NL_SET_ERR_MSG(extack,
			       "the device is held by shared namespaces: add it shared (--shared) too");
	else
		NL_SET_ERR_MSG(extack,
			       "the device is already a namespace; to serve it on two controllers, add both shared (--shared)");
	return -EBUSY;
}

static int vdev_ns_open_error(int err, const char *path,
			      struct netlink_ext_ack *extack)
{
	switch (err) {
	case -ENOENT:
		NL_SET_ERR_MSG_FMT(extack, "backing device %s does not exist", path);
		break;
	case -ENOTBLK:
		NL_SET_ERR_MSG_FMT(extack, "%s is not a block device", path);
		break;
	case -EBUSY:
		NL_SET_ERR_MSG_FMT(extack,
				   "%s is in use (mounted, held by another driver, or already a namespace)",
				   path);
		break;
	case -EROFS:
		NL_SET_ERR_MSG_FMT(extack,
				   "%s is read-only: attach it read-only", path);
		break;
	case -EACCES:
		NL_SET_ERR_MSG_FMT(extack, "%s: permission denied (nodev mount?)",
				   path);
		break;
	default:
		NL_SET_ERR_MSG_FMT(extack, "cannot open %s: error %d", path, err);
		break;
	}
	return err;
}

/*
 * The block layer answers a write open of a read-only disk with EACCES, as
 * it does a nodev mount: tell them apart with a shared read-only open.
 */
static bool vdev_ns_read_only(const char *path)
{
	struct file *file;
	bool ro;

	file = bdev_file_open_by_path(path, BLK_OPEN_READ, NULL, NULL);
	if (IS_ERR(file))
		return false;
	ro = bdev_read_only(file_bdev(file));
	fput(file);
	return ro;
}

/*
 * Shared claims let one controller open a device twice, which would show
 * its guest two disks with the same blocks: sharing is for two
 * controllers. Caller holds vdev_lock.
 */
static bool vdev_ns_dev_on_ctrl(struct vdev_ctrl *ctrl,
				const struct block_device *bdev)
{
	struct vdev_ns *ns;
	unsigned long key;

	xa_for_each(&ctrl->ns, key, ns)
		if (vdev_ns_bdev(ns) == bdev)
			return true;
	return false;
}

/*
 * A backing device goes away: its driver deletes the disk (null_blk
 * powered off, a disk unplugged, dm remove --force). The block layer
 * calls this from del_gendisk() with the device's holder lock held, which
 * we must drop. vdev_lock can't be taken here: an attach holds it around
 * an open, which takes the disk's locks. So the namespaces on it are
 * reaped from a work item; meanwhile the block layer fails their I/O.
 */
static void vdev_ns_mark_dead(struct block_device *bdev, bool surprise)
{
	mutex_unlock(&bdev->bd_holder_lock);
	schedule_work(&vdev_ns_gone_work);
}

static const struct blk_holder_ops vdev_ns_holder_ops = {
	.mark_dead = vdev_ns_mark_dead,
};

/* Its disk is being deleted, or was marked dead (surprise removal). */
static bool vdev_ns_dev_gone(struct vdev_ns *ns)
{
	struct gendisk *disk = vdev_ns_bdev(ns)->bd_disk;

	return !disk_live(disk) || test_bit(GD_DEAD, &disk->state);
}

/*
 * Where the guest can be told, a namespace whose device went away is
 * detached, as ns del does: a SCSI LUN goes away with a hot-unplug
 * event, an NVMe namespace with a Namespace Attribute Changed event.
 * A virtio-blk disk can't go away under a guest: it stays, reports its
 * size as zero to the guest and fails every request, until the user
 * deletes it.
 */
static void vdev_ns_gone(struct vdev_ns *ns)
{
	struct vdev_ctrl *ctrl = ns->ctrl;

	ns->gone = true;
	pr_warn("vdev: %s: backing device %s went away%s\n", ctrl->name,
		ns->path, ctrl->ops->hot_ns ? "; namespace detached" : "");
	if (!ctrl->ops->hot_ns) {
		vdev_nl_notify_ns(ns, VDEV_CMD_NS_CHANGE_NTF);
		vdev_ctrl_check_resize(ctrl);
		return;
	}
	vdev_nl_notify_ns(ns, VDEV_CMD_NS_DEL_NTF);
	vdev_ns_detach(ns);
}

static void vdev_ns_reap_gone(struct work_struct *work)
{
	unsigned long id = 0, key;
	struct vdev_ctrl *ctrl;
	struct vdev_ns *ns;

	mutex_lock(&vdev_lock);
	for (; (ctrl = vdev_ctrl_next(&id)); id++)
		xa_for_each(&ctrl->ns, key, ns)
			if (!ns->gone && vdev_ns_dev_gone(ns))
				vdev_ns_gone(ns);
	mutex_unlock(&vdev_lock);
}

/* At unload, once no namespace is left to claim a device. */
void vdev_ns_exit(void)
{
	cancel_work_sync(&vdev_ns_gone_work);
}

/* Caller holds vdev_lock, which the EBUSY explanations read under. */
static int vdev_ns_open(struct vdev_ns *ns, struct netlink_ext_ack *extack)
{
	blk_mode_t mode = BLK_OPEN_READ;
	struct file *file;

	if (!ns->read_only)
		mode |= BLK_OPEN_WRITE;
	/* A holder makes the open exclusive: nobody else may claim it. */
	file = bdev_file_open_by_path(ns->path, mode, vdev_ns_holder(ns),
				      &vdev_ns_holder_ops);
	if (PTR_ERR_OR_ZERO(file) == -EACCES && vdev_ns_read_only(ns->path))
		file = ERR_PTR(-EROFS);
	if (PTR_ERR_OR_ZERO(file) == -EBUSY)
		return vdev_ns_busy_error(ns, extack);
	if (IS_ERR(file))
		return vdev_ns_open_error(PTR_ERR(file), ns->path, extack);
	if (ns->shared && vdev_ns_dev_on_ctrl(ns->ctrl, file_bdev(file))) {
		bdev_fput(file);
		NL_SET_ERR_MSG(extack,
			       "the device is already a namespace of this controller: shared is for two controllers");
		return -EBUSY;
	}
	ns->bdev_file = file;
	return 0;
}

/**
 * vdev_ns_attach - open a block device and attach it to a controller
 * @ctrl: the controller
 * @addr: the address asked for; checked and completed here
 * @path: backing block device path
 * @read_only: serve it read-only
 * @shared: let other controllers' shared namespaces have the device too
 * @ident: serial, vendor and product, checked by the caller; NULL or
 *	empty strings for the type's defaults
 * @extack: where to say what is wrong
 *
 * Caller holds vdev_lock. On failure nothing is left open or attached.
 */
struct vdev_ns *vdev_ns_attach(struct vdev_ctrl *ctrl,
			       const struct vdev_ns_addr *addr,
			       const char *path, bool read_only, bool shared,
			       const struct vdev_ns_ident *ident,
			       struct netlink_ext_ack *extack)
{
	struct vdev_ns *ns;
	unsigned long key;
	int ret;

	lockdep_assert_held(&vdev_lock);

	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	if (!ns)
		return ERR_PTR(-ENOMEM);
	kref_init(&ns->ref);
	ns->ctrl = ctrl;
	ns->addr = *addr;
	ns->read_only = read_only;
	ns->shared = shared;
	/* Before ops->ns_init(), which builds what the guest is told. */
	if (ident)
		ns->ident = *ident;

	ret = ctrl->ops->ns_addr_check(&ns->addr, true, extack);
	if (ret)
		goto out_free;
	if (!ns->addr.has_nsid && !ns->addr.has_target) {
		ret = vdev_ns_free_nsid(ctrl, &ns->addr.nsid);
		if (ret) {
			NL_SET_ERR_MSG(extack, "every nsid is in use");
			goto out_free;
		}
		ns->addr.has_nsid = true;
	}
	key = ctrl->ops->ns_addr_key(&ns->addr);
	if (xa_load(&ctrl->ns, key)) {
		NL_SET_ERR_MSG(extack, "that address is already in use on the controller");
		ret = -EEXIST;
		goto out_free;
	}
	/* A taken address says EEXIST even on a full controller. */
	if (ctrl->num_ns >= ctrl->ops->max_ns) {
		NL_SET_ERR_MSG_FMT(extack, "a %s controller holds at most %u namespace%s",
				   ctrl->ops->name, ctrl->ops->max_ns,
				   ctrl->ops->max_ns == 1 ? "" : "s");
		ret = -ENOSPC;
		goto out_free;
	}
	ns->path = kstrdup(path, GFP_KERNEL);
	if (!ns->path) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = vdev_ns_open(ns, extack);
	if (ret)
		goto out_free_path;
	if (ctrl->ops->ns_init) {
		ret = ctrl->ops->ns_init(ns);
		if (ret)
			goto out_close;
	}
	ret = xa_insert(&ctrl->ns, key, ns, GFP_KERNEL);
	if (ret)
		goto out_free_priv;
	ctrl->num_ns++;
	if (ctrl->ops->ns_changed)
		ctrl->ops->ns_changed(ns, true);
	return ns;

out_free_priv:
	if (ctrl->ops->ns_free)
		ctrl->ops->ns_free(ns);
out_close:
	bdev_fput(ns->bdev_file);
out_free_path:
	kfree(ns->path);
out_free:
	kfree(ns);
	return ERR_PTR(ret);
}

static void vdev_ns_release(struct kref *ref)
{
	struct vdev_ns *ns = container_of(ref, struct vdev_ns, ref);

	if (ns->ctrl->ops->ns_free)
		ns->ctrl->ops->ns_free(ns);
	bdev_fput(ns->bdev_file);
	kfree(ns->path);
	/* A lookup under RCU may still be looking at the count. */
	kfree_rcu(ns, rcu);
}

void vdev_ns_get(struct vdev_ns *ns)
{
	kref_get(&ns->ref);
}

void vdev_ns_put(struct vdev_ns *ns)
{
	kref_put(&ns->ref, vdev_ns_release);
}

/**
 * vdev_ns_detach - detach a namespace from its controller
 * @ns: the namespace
 *
 * The block device is released with the last reference: at once when no
 * session serves the namespace and no request holds it, else when the
 * last of them lets go (a session that ends, a request that is reaped).
 * Those hold the controller, whose ops the release calls.
 * bdev_fput() gives up the claim before it returns, so the device can be
 * attached again then (a shared one exclusively only once the last shared
 * namespace of it is released). Caller holds vdev_lock.
 */
void vdev_ns_detach(struct vdev_ns *ns)
{
	struct vdev_ctrl *ctrl = ns->ctrl;

	lockdep_assert_held(&vdev_lock);

	xa_erase(&ctrl->ns, ctrl->ops->ns_addr_key(&ns->addr));
	ctrl->num_ns--;
	if (ctrl->ops->ns_changed)
		ctrl->ops->ns_changed(ns, false);
	vdev_ns_put(ns);
}

/* Caller holds vdev_lock. */
void vdev_ns_detach_all(struct vdev_ctrl *ctrl)
{
	struct vdev_ns *ns;
	unsigned long key;

	xa_for_each(&ctrl->ns, key, ns)
		vdev_ns_detach(ns);
}

/**
 * vdev_ns_find - look a namespace up by address
 * @ctrl: the controller
 * @addr: a validated address (ns_addr_check with adding false)
 *
 * Caller holds vdev_lock; no reference is taken.
 */
struct vdev_ns *vdev_ns_find(struct vdev_ctrl *ctrl,
			     const struct vdev_ns_addr *addr)
{
	lockdep_assert_held(&vdev_lock);
	return xa_load(&ctrl->ns, ctrl->ops->ns_addr_key(addr));
}

/**
 * vdev_ns_lookup - a namespace for one request, from the data path
 * @ctrl: the controller (the caller's session holds a reference)
 * @key: ops->ns_addr_key() of its address
 *
 * Lock-free: the table is read under RCU and the namespace, freed only
 * after a grace period, is taken only while its count is not zero. One
 * detached a moment ago may still be found; its block device stays open
 * until the reference is put, so the request runs as if it came first.
 *
 * Return: the namespace with a reference, or NULL.
 */
struct vdev_ns *vdev_ns_lookup(struct vdev_ctrl *ctrl, unsigned long key)
{
	struct vdev_ns *ns;

	rcu_read_lock();
	ns = xa_load(&ctrl->ns, key);
	if (ns && !kref_get_unless_zero(&ns->ref))
		ns = NULL;
	rcu_read_unlock();
	return ns;
}

/**
 * vdev_ns_addr_check_nsid - address rules shared by nsid-addressed types
 * @addr: the address to check
 * @adding: an absent nsid may be left for the core to pick
 * @type: the type's name, for messages
 * @extack: where to say what is wrong
 */
int vdev_ns_addr_check_nsid(struct vdev_ns_addr *addr, bool adding,
			    const char *type, struct netlink_ext_ack *extack)
{
	if (addr->has_target || addr->has_lun) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s namespaces are addressed by nsid, not target and lun",
				   type);
		return -EINVAL;
	}
	if (!addr->has_nsid && !adding) {
		NL_SET_ERR_MSG(extack, "which namespace? give its nsid");
		return -EINVAL;
	}
	return 0;
}
