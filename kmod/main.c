// SPDX-License-Identifier: GPL-2.0
/*
 * vdev: an in-kernel storage target for virtual machines.
 *
 * Module init and exit, and /dev/vdev, the character device the front door
 * daemon opens.
 *
 * Unloading tears every controller down and releases its block devices, as
 * loop and brd do, and ends every front-end session. An open /dev/vdev
 * holds a module reference, so while vdevd runs the module core refuses
 * the unload ("in use"); a session alone does not hold one.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "mem.h"
#include "poller.h"
#include "vdev.h"

static int vdev_dev_open(struct inode *inode, struct file *file)
{
	/* Sessions hand guest memory to the kernel: root only. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return vdev_handle_open(file);
}

static int vdev_dev_release(struct inode *inode, struct file *file)
{
	vdev_handle_release(file);
	return 0;
}

static long vdev_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	u32 __user *uarg = (u32 __user *)arg;

	switch (cmd) {
	case VDEV_IOC_GET_API_VERSION:
		return put_user(VDEV_API_VERSION, uarg);
	default:
		return vdev_handle_ioctl(file, cmd, arg);
	}
}

static const struct file_operations vdev_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= vdev_dev_open,
	.release	= vdev_dev_release,
	.unlocked_ioctl	= vdev_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice vdev_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vdev",
	.fops	= &vdev_dev_fops,
	.mode	= 0600,
};

static int __init vdev_init(void)
{
	int ret;

	ret = vdev_mem_init();
	if (ret)
		return ret;
	ret = vdev_poller_init();
	if (ret)
		goto out_mem_exit;
	ret = vdev_bio_init();
	if (ret)
		goto out_poller_exit;
	ret = vdev_session_init();
	if (ret)
		goto out_bio_exit;
	ret = vdev_nl_init();
	if (ret)
		goto out_session_exit;
	ret = misc_register(&vdev_miscdev);
	if (ret)
		goto out_nl_exit;
	pr_info("vdev: loaded (netlink family %s, /dev/vdev)\n",
		VDEV_FAMILY_NAME);
	return 0;

out_nl_exit:
	vdev_nl_exit();
out_session_exit:
	vdev_session_exit();
out_bio_exit:
	vdev_bio_exit();
out_poller_exit:
	vdev_poller_exit();
out_mem_exit:
	vdev_mem_exit();
	return ret;
}

static void __exit vdev_exit(void)
{
	/* No new requests first; unregistering waits for running handlers. */
	vdev_nl_exit();
	misc_deregister(&vdev_miscdev);
	vdev_ctrl_unregister_all();
	/* Sessions drain here: a hung backing device delays the unload. */
	vdev_session_exit();
	vdev_ns_exit();
	vdev_bio_exit();
	vdev_poller_exit();
	vdev_mem_exit();
	pr_info("vdev: unloaded\n");
}

module_init(vdev_init);
module_exit(vdev_exit);

MODULE_DESCRIPTION("vdev: in-kernel virtio-blk, virtio-scsi and NVMe target for VMs");
MODULE_AUTHOR("The vdev developers");
MODULE_LICENSE("GPL");
