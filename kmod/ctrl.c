// SPDX-License-Identifier: GPL-2.0
/*
 * Controller objects: the table of controllers, their configuration checks
 * and their lifetime.
 *
 * A controller is created by netlink (ctrl-new) and lives in vdev_ctrls
 * until ctrl-del or module unload. The table holds one reference; later
 * users (sessions, pollers) take their own and the last put frees it.
 */
#include <linux/ctype.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vdev.h"

/* The control-plane lock; what it guards is listed in vdev.h. */
DEFINE_MUTEX(vdev_lock);

/* Controllers by id (protected by vdev_lock for writers and walkers). */
static DEFINE_XARRAY_ALLOC1(vdev_ctrls);

static unsigned int max_ctrls = 1024;
module_param(max_ctrls, uint, 0444);
MODULE_PARM_DESC(max_ctrls, "Most controllers that may exist at once (default 1024)");

static const struct vdev_dev_ops *const vdev_dev_types[] = {
	&vdev_blk_ops,
	&vdev_scsi_ops,
	&vdev_nvme_ops,
};

const struct vdev_dev_ops *vdev_dev_ops_find(enum vdev_ctrl_type type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vdev_dev_types); i++)
		if (vdev_dev_types[i]->type == type)
			return vdev_dev_types[i];
	return NULL;
}

/*
 * Names end up in sysfs-like listings, log lines and socket paths chosen by
 * scripts: keep them to a portable set.
 */
VISIBLE_IF_KUNIT bool vdev_ctrl_name_valid(const char *name)
{
	size_t len = strnlen(name, VDEV_NAME_LEN);
	size_t i;

	if (len == 0 || len >= VDEV_NAME_LEN || name[0] == '.' || name[0] == '-')
		return false;
	/* isalnum() takes Latin-1 letters too: names stay ASCII. */
	for (i = 0; i < len; i++)
		if (!isascii(name[i]) ||
		    (!isalnum(name[i]) && !strchr("_-.", name[i])))
			return false;
	return true;
}

/*
 * vdevd creates the socket at this path as root, and two controllers must
 * not share one: accept only canonical absolute paths (no empty, "." or
 * ".." components, no trailing '/'), so that equal sockets are equal
 * strings and a path cannot mean something else than it reads.
 */
VISIBLE_IF_KUNIT bool vdev_socket_path_valid(const char *path)
{
	size_t len = strnlen(path, VDEV_SOCKET_PATH_LEN);
	const char *comp, *end;

	if (len < 2 || len >= VDEV_SOCKET_PATH_LEN || path[0] != '/')
		return false;
	for (comp = path + 1; ; comp = end + 1) {
		end = strchrnul(comp, '/');
		if (end == comp)
			return false;
		if (comp[0] == '.' && (end - comp == 1 ||
				       (end - comp == 2 && comp[1] == '.')))
			return false;
		if (!*end)
			return true;
	}
}

/**
 * vdev_ctrl_cfg_check - check a configuration against its device type
 * @cfg: the configuration, defaults filled in
 * @ops: the device type
 * @extack: where to say what is wrong
 *
 * Range checks of single values are the netlink policy's; this checks what
 * depends on the type or on several values.
 */
int vdev_ctrl_cfg_check(const struct vdev_ctrl_cfg *cfg,
			const struct vdev_dev_ops *ops,
			struct netlink_ext_ack *extack)
{
	if (cfg->num_queues < 1 || cfg->num_queues > ops->max_queues) {
		NL_SET_ERR_MSG_FMT(extack, "%s supports 1 to %u queues",
				   ops->name, ops->max_queues);
		return -ERANGE;
	}
	if (cfg->queue_size < 2 || cfg->queue_size > ops->max_queue_size) {
		NL_SET_ERR_MSG_FMT(extack, "%s supports queue sizes 2 to %u",
				   ops->name, ops->max_queue_size);
		return -ERANGE;
	}
	if (!is_power_of_2(cfg->queue_size)) {
		NL_SET_ERR_MSG(extack, "queue size must be a power of two");
		return -EINVAL;
	}
	if (!cpumask_subset(cfg->cpus, cpu_possible_mask) ||
	    !cpumask_intersects(cfg->cpus, cpu_online_mask)) {
		NL_SET_ERR_MSG(extack, "cpumask names no online CPU of this machine");
		return -EINVAL;
	}
	if (!vdev_socket_path_valid(cfg->socket_path)) {
		NL_SET_ERR_MSG(extack,
			       "socket path must be absolute and canonical: no '.', '..' or empty components, no trailing '/'");
		return -EINVAL;
	}
	return 0;
}

/**
 * vdev_ctrl_alloc - allocate a controller with the default configuration
 *
 * The caller fills in the type and what the user asked for, then calls
 * vdev_ctrl_register(), or drops it with vdev_ctrl_put().
 */
struct vdev_ctrl *vdev_ctrl_alloc(void)
{
	struct vdev_ctrl *ctrl;

	ctrl = kzalloc(sizeof(*ctrl), GFP_KERNEL);
	if (!ctrl)
		return NULL;
	if (!zalloc_cpumask_var(&ctrl->cfg.cpus, GFP_KERNEL)) {
		kfree(ctrl);
		return NULL;
	}
	kref_init(&ctrl->ref);
	xa_init(&ctrl->ns);
	ctrl->state = VDEV_CTRL_STATE_IDLE;
	ctrl->cfg.num_queues = VDEV_DEF_QUEUES;
	ctrl->cfg.queue_size = VDEV_DEF_QUEUE_SIZE;
	cpumask_copy(ctrl->cfg.cpus, cpu_online_mask);
	ctrl->cfg.poll_mode = VDEV_POLL_MODE_ADAPTIVE;
	ctrl->cfg.poll_idle_us = VDEV_DEF_POLL_IDLE_US;
	ctrl->cfg.socket_mode = VDEV_DEF_SOCKET_MODE;
	ctrl->cfg.max_mem = VDEV_DEF_MAX_MEM;
	return ctrl;
}

static void vdev_ctrl_release(struct kref *ref)
{
	struct vdev_ctrl *ctrl = container_of(ref, struct vdev_ctrl, ref);

	WARN_ON(!xa_empty(&ctrl->ns));
	xa_destroy(&ctrl->ns);
	free_cpumask_var(ctrl->cfg.cpus);
	kfree(ctrl);
}

void vdev_ctrl_put(struct vdev_ctrl *ctrl)
{
	kref_put(&ctrl->ref, vdev_ctrl_release);
}

static struct vdev_ctrl *vdev_ctrl_find_by_socket(const char *path)
{
	struct vdev_ctrl *ctrl;
	unsigned long id;

	xa_for_each(&vdev_ctrls, id, ctrl)
		if (!strcmp(ctrl->cfg.socket_path, path))
			return ctrl;
	return NULL;
}

/**
 * vdev_ctrl_register - name a controller and put it in the table
 * @ctrl: a controller from vdev_ctrl_alloc() with its configuration set
 * @name: its unique name
 * @extack: where to say what is wrong
 *
 * Caller holds vdev_lock. On failure nothing is left behind but @ctrl,
 * which the caller still owns.
 */
int vdev_ctrl_register(struct vdev_ctrl *ctrl, const char *name,
		       struct netlink_ext_ack *extack)
{
	struct vdev_ctrl *other;
	int ret;

	lockdep_assert_held(&vdev_lock);

	if (!vdev_ctrl_name_valid(name)) {
		NL_SET_ERR_MSG(extack,
			       "controller name must be 1-31 letters, digits, '_', '-' or '.', not starting with '.' or '-'");
		return -EINVAL;
	}
	ret = vdev_ctrl_cfg_check(&ctrl->cfg, ctrl->ops, extack);
	if (ret)
		return ret;
	if (vdev_ctrl_find_by_name(name)) {
		NL_SET_ERR_MSG_FMT(extack, "a controller named %s exists", name);
		return -EEXIST;
	}
	other = vdev_ctrl_find_by_socket(ctrl->cfg.socket_path);
	if (other) {
		NL_SET_ERR_MSG_FMT(extack, "controller %s already uses that socket path",
				   other->name);
		return -EEXIST;
	}
	strscpy(ctrl->name, name, sizeof(ctrl->name));
	ret = xa_alloc(&vdev_ctrls, &ctrl->id, ctrl, XA_LIMIT(1, max_ctrls),
		       GFP_KERNEL);
	if (ret == -EBUSY) {
		NL_SET_ERR_MSG_FMT(extack, "too many controllers (max_ctrls=%u)",
				   max_ctrls);
		return -ENOSPC;
	}
	return ret;
}

/**
 * vdev_ctrl_unregister - take a controller out of the table and drop it
 * @ctrl: a registered controller
 *
 * Ends its session and drops its listener, then detaches its namespaces:
 * their block devices are free again when this returns, or, if a session
 * still drains I/O on one, when it has. Caller holds vdev_lock.
 */
void vdev_ctrl_unregister(struct vdev_ctrl *ctrl)
{
	lockdep_assert_held(&vdev_lock);

	vdev_ctrl_end_session(ctrl);
	vdev_ns_detach_all(ctrl);
	xa_erase(&vdev_ctrls, ctrl->id);
	vdev_ctrl_put(ctrl);
}

/* Module unload: tear every controller down, as loop and brd do. */
void vdev_ctrl_unregister_all(void)
{
	struct vdev_ctrl *ctrl;
	unsigned long id;

	mutex_lock(&vdev_lock);
	xa_for_each(&vdev_ctrls, id, ctrl)
		vdev_ctrl_unregister(ctrl);
	mutex_unlock(&vdev_lock);
}

/* Caller holds vdev_lock; no reference is taken. */
struct vdev_ctrl *vdev_ctrl_find_by_id(u32 id)
{
	lockdep_assert_held(&vdev_lock);
	return xa_load(&vdev_ctrls, id);
}

/* Caller holds vdev_lock; no reference is taken. */
struct vdev_ctrl *vdev_ctrl_find_by_name(const char *name)
{
	struct vdev_ctrl *ctrl;
	unsigned long id;

	lockdep_assert_held(&vdev_lock);
	xa_for_each(&vdev_ctrls, id, ctrl)
		if (!strcmp(ctrl->name, name))
			return ctrl;
	return NULL;
}

/**
 * vdev_ctrl_next - walk the table for a dump
 * @index: the first id to look at; on return, the id found
 *
 * Caller holds vdev_lock. Returns NULL past the last controller.
 */
struct vdev_ctrl *vdev_ctrl_next(unsigned long *index)
{
	lockdep_assert_held(&vdev_lock);
	return xa_find(&vdev_ctrls, index, ULONG_MAX, XA_PRESENT);
}
