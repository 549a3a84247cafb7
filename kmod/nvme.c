// SPDX-License-Identifier: GPL-2.0
/*
 * The NVMe device type: namespaces addressed by nsid, a controller served
 * over vfio-user (vfu.c). This file holds the controller of a session:
 * its PCI function (nvme_regs.c), its doorbell page and what a register
 * write asks of it.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "nvme.h"
#include "poller.h"
#include "session.h"
#include "vfu.h"

/* CAP.MQES is 16 bits, but nobody needs more than 4096 entries a queue. */
#define VDEV_NVME_MAX_QUEUE_SIZE	4096

/* --- the doorbell page's file ------------------------------------------- */

/*
 * Only the doorbell page itself, at its offset in BAR0, shared: a private
 * mapping would copy it on the first write and the poller would see
 * nothing.
 */
static int vdev_nvme_db_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct page *page = file->private_data;

	if (vma->vm_end - vma->vm_start != PAGE_SIZE ||
	    vma->vm_pgoff != VDEV_NVME_BAR_DB >> PAGE_SHIFT ||
	    !(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vm_flags_clear(vma, VM_MAYEXEC);
	return vm_insert_page(vma, vma->vm_start, page);
}

static int vdev_nvme_db_release(struct inode *inode, struct file *file)
{
	put_page(file->private_data);
	return 0;
}

static const struct file_operations vdev_nvme_db_fops = {
	.owner		= THIS_MODULE,
	.mmap		= vdev_nvme_db_mmap,
	.release	= vdev_nvme_db_release,
};

/**
 * vdev_nvme_db_file - the file whose mapping is the doorbell page
 * @s: the session (lock held)
 *
 * Return: the file (the controller's reference: the caller takes its
 * own to keep it), or an ERR_PTR.
 */
struct file *vdev_nvme_db_file(struct vdev_session *s)
{
	struct vdev_nvme *n = vdev_nvme_of(s);
	struct file *file;

	lockdep_assert_held(&s->lock);
	if (n->db_file)
		return n->db_file;
	get_page(n->db_page);
	file = anon_inode_getfile("[vdev-nvme-db]", &vdev_nvme_db_fops,
				  n->db_page, O_RDWR);
	if (IS_ERR(file)) {
		put_page(n->db_page);
		return file;
	}
	n->db_file = file;
	return file;
}

/* --- the PCI function --------------------------------------------------- */

u32 vdev_nvme_nr_vectors(const struct vdev_session *s)
{
	return s->ctrl->cfg.num_queues + 1;
}

/**
 * vdev_nvme_region - what a region of the PCI function is
 * @s: the session
 * @index: VFIO_PCI_*_REGION_INDEX
 * @r: filled in; size 0 for the regions the function lacks
 */
void vdev_nvme_region(const struct vdev_session *s, u32 index,
		      struct vdev_vfu_region *r)
{
	const struct vdev_nvme *n = vdev_nvme_of(s);

	memset(r, 0, sizeof(*r));
	switch (index) {
	case VFIO_PCI_BAR0_REGION_INDEX:
		r->size = VDEV_NVME_BAR0_SIZE;
		r->flags = VFIO_REGION_INFO_FLAG_READ |
			   VFIO_REGION_INFO_FLAG_WRITE;
		if (n->mapped) {
			r->mmap_offset = VDEV_NVME_BAR_DB;
			r->mmap_size = VDEV_NVME_BAR_PAGE;
		}
		break;
	case VFIO_PCI_CONFIG_REGION_INDEX:
		r->size = VDEV_NVME_CFG_SIZE;
		r->flags = VFIO_REGION_INFO_FLAG_READ |
			   VFIO_REGION_INFO_FLAG_WRITE;
		break;
	}
}

/*
 * One client access may span registers (QEMU reads config space whole):
 * split what is longer than the widest register access into dwords.
 */
static int vdev_nvme_access_split(u32 len, u32 widest, u64 off, u32 *step)
{
	if (len <= widest) {
		*step = len;
		return 0;
	}
	if ((len | off) & 3)
		return -EINVAL;
	*step = 4;
	return 0;
}

/**
 * vdev_nvme_region_read - a client's REGION_READ
 * @s: the session (lock held)
 * @index: the region
 * @off: offset in it
 * @buf: @len bytes out, little-endian as the wire has them
 * @len: bytes
 *
 * Return: 0 or -EINVAL (no such region, or an access the registers
 * refuse: nothing is read then).
 */
int vdev_nvme_region_read(struct vdev_session *s, u32 index, u64 off,
			  void *buf, u32 len)
{
	struct vdev_nvme *n = vdev_nvme_of(s);
	bool bar = index == VFIO_PCI_BAR0_REGION_INDEX;
	u32 step, done;
	int ret;

	if (!bar && index != VFIO_PCI_CONFIG_REGION_INDEX)
		return -EINVAL;
	ret = vdev_nvme_access_split(len, bar ? 8 : 4, off, &step);
	for (done = 0; !ret && done < len; done += step)
		ret = bar ? vdev_nvme_bar_read(&n->regs, off + done,
					       buf + done, step) :
			    vdev_nvme_cfg_read(&n->regs, off + done,
					       buf + done, step);
	return ret;
}

/* A doorbell value as the page holds it, for the pollers to read. */
static void vdev_nvme_doorbell(struct vdev_nvme *n,
			       const struct vdev_nvme_reg_event *ev)
{
	__le32 *db = page_address(n->db_page);

	if (ev->index > VDEV_NVME_MAX_QID)
		return;
	WRITE_ONCE(db[2 * ev->index + ev->cq], cpu_to_le32(ev->value));
	vdev_nvme_kick(n, ev->index, ev->cq);
}

static int vdev_nvme_event(struct vdev_nvme *n,
			   const struct vdev_nvme_reg_event *ev)
{
	switch (ev->type) {
	case VDEV_NVME_REG_DOORBELL:
		vdev_nvme_doorbell(n, ev);
		return 0;
	case VDEV_NVME_REG_ENABLE:
		return vdev_nvme_enable(n);
	case VDEV_NVME_REG_RESET:
		vdev_nvme_disable(n, false);
		return 0;
	case VDEV_NVME_REG_SHUTDOWN:
		vdev_nvme_disable(n, true);
		return 0;
	default:
		return 0;
	}
}

/**
 * vdev_nvme_region_write - a client's REGION_WRITE
 * @s: the session (lock held)
 * @index: the region
 * @off: offset in it
 * @buf: @len bytes, little-endian
 * @len: bytes
 *
 * What a write asks of the controller (enable, reset, shutdown, a
 * doorbell) is done before this returns, so the reply follows it.
 *
 * Return: 0 or -EINVAL: the access was refused, nothing changed.
 */
int vdev_nvme_region_write(struct vdev_session *s, u32 index, u64 off,
			   const void *buf, u32 len)
{
	struct vdev_nvme *n = vdev_nvme_of(s);
	bool bar = index == VFIO_PCI_BAR0_REGION_INDEX;
	struct vdev_nvme_reg_event ev;
	u32 step, done;
	int ret;

	if (!bar && index != VFIO_PCI_CONFIG_REGION_INDEX)
		return -EINVAL;
	ret = vdev_nvme_access_split(len, bar ? 8 : 4, off, &step);
	for (done = 0; !ret && done < len; done += step) {
		ret = bar ? vdev_nvme_bar_write(&n->regs, off + done,
						buf + done, step, &ev) :
			    vdev_nvme_cfg_write(&n->regs, off + done,
						buf + done, step, &ev);
		if (!ret)
			ret = vdev_nvme_event(n, &ev);
	}
	return ret;
}

/**
 * vdev_nvme_device_reset - DEVICE_RESET: as a power cycle of the function
 * @s: the session (lock held)
 */
void vdev_nvme_device_reset(struct vdev_session *s)
{
	struct vdev_nvme *n = vdev_nvme_of(s);

	vdev_nvme_disable(n, false);
	vdev_nvme_regs_reset(&n->regs);
	memset(page_address(n->db_page), 0, PAGE_SIZE);
}

/**
 * vdev_nvme_session_init - the controller of a new session
 * @s: the session, not yet published
 * @ctrl: its controller
 *
 * Return: 0 or a negative errno.
 */
int vdev_nvme_session_init(struct vdev_session *s, const struct vdev_ctrl *ctrl)
{
	struct vdev_nvme_regs_cfg cfg = {
		.queue_size = ctrl->cfg.queue_size,
		.nr_vectors = ctrl->cfg.num_queues + 1,
	};
	struct vdev_nvme *n;
	int ret;

	n = kvzalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	n->s = s;
	n->mapped = ctrl->cfg.poll_mode == VDEV_POLL_MODE_ALWAYS;
	ret = vdev_nvme_regs_init(&n->regs, &cfg);
	if (!ret) {
		n->db_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		ret = n->db_page ? 0 : -ENOMEM;
	}
	if (ret) {
		kvfree(n);
		return ret;
	}
	s->dev = n;
	vdev_nvme_ctrl_init(n, ctrl);
	return 0;
}

/**
 * vdev_nvme_session_free - what the controller of an ended session holds
 * @s: the session, torn down
 */
void vdev_nvme_session_free(struct vdev_session *s)
{
	struct vdev_nvme *n = vdev_nvme_of(s);

	if (!n)
		return;
	vdev_nvme_ctrl_exit(n);
	if (n->db_file)
		fput(n->db_file);
	put_page(n->db_page);
	kvfree(n);
	s->dev = NULL;
}

/* --- the device type ---------------------------------------------------- */

static int vdev_nvme_ns_addr_check(struct vdev_ns_addr *addr, bool adding,
				   struct netlink_ext_ack *extack)
{
	return vdev_ns_addr_check_nsid(addr, adding, "nvme", extack);
}

static unsigned long vdev_nvme_ns_addr_key(const struct vdev_ns_addr *addr)
{
	return addr->nsid;
}

const struct vdev_dev_ops vdev_nvme_ops = {
	.name		= "nvme",
	.type		= VDEV_CTRL_TYPE_NVME,
	.max_queues	= VDEV_MAX_QUEUES,
	.max_queue_size	= VDEV_NVME_MAX_QUEUE_SIZE,
	.max_ns		= VDEV_MAX_NSID,
	.hot_ns		= true,
	.vfio_user	= true,
	.extra_queues	= 1,
	.ns_addr_check	= vdev_nvme_ns_addr_check,
	.ns_addr_key	= vdev_nvme_ns_addr_key,
	.ns_init	= vdev_nvme_ns_init,
	.ns_changed	= vdev_nvme_ns_event,
	.ns_resized	= vdev_nvme_ns_resized,
	.ns_free	= vdev_nvme_ns_free,
	.session_init	= vdev_nvme_session_init,
	.session_free	= vdev_nvme_session_free,
	.session_state	= vdev_nvme_session_state,
	.ring_ops	= &vdev_nvme_ring_ops,
	.chain_max	= vdev_nvme_chain_max,
	.req_execute	= vdev_nvme_req_execute,
	.req_complete	= vdev_nvme_req_complete,
};
