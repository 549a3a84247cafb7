// SPDX-License-Identifier: GPL-2.0
/*
 * The vdev generic netlink family: hand-written handlers. The policy and
 * the ops table are generated from the spec into netlink-gen.c.
 *
 * Every handler runs under vdev_lock, so a reply always shows a consistent
 * controller, and a notification goes out in the order of the changes.
 */
#include <linux/blkdev.h>
#include <net/genetlink.h>

#include "netlink-gen.h"
#include "vdev.h"

/* --- replies ------------------------------------------------------------ */

/*
 * The put functions take void * so that one fill, reply and notify path
 * (vdev_nl_put_fn) serves both objects.
 */
static int vdev_nl_put_ctrl(struct sk_buff *skb, void *obj)
{
	struct vdev_ctrl *ctrl = obj;
	const struct vdev_ctrl_cfg *cfg = &ctrl->cfg;
	char cpus[256];

	scnprintf(cpus, sizeof(cpus), "%*pbl", cpumask_pr_args(cfg->cpus));
	if (nla_put_u32(skb, VDEV_A_CTRL_ID, ctrl->id) ||
	    nla_put_string(skb, VDEV_A_CTRL_NAME, ctrl->name) ||
	    nla_put_u32(skb, VDEV_A_CTRL_TYPE, cfg->type) ||
	    nla_put_u32(skb, VDEV_A_CTRL_NUM_QUEUES, cfg->num_queues) ||
	    nla_put_u32(skb, VDEV_A_CTRL_QUEUE_SIZE, cfg->queue_size) ||
	    nla_put_string(skb, VDEV_A_CTRL_CPUMASK, cpus) ||
	    nla_put_u32(skb, VDEV_A_CTRL_POLL_MODE, cfg->poll_mode) ||
	    nla_put_u32(skb, VDEV_A_CTRL_POLL_IDLE_US, cfg->poll_idle_us) ||
	    nla_put_string(skb, VDEV_A_CTRL_SOCKET_PATH, cfg->socket_path) ||
	    nla_put_u32(skb, VDEV_A_CTRL_SOCKET_UID, cfg->socket_uid) ||
	    nla_put_u32(skb, VDEV_A_CTRL_SOCKET_GID, cfg->socket_gid) ||
	    nla_put_u32(skb, VDEV_A_CTRL_SOCKET_MODE, cfg->socket_mode) ||
	    nla_put_u32(skb, VDEV_A_CTRL_STATE, ctrl->state) ||
	    nla_put_u64_64bit(skb, VDEV_A_CTRL_MAX_MEM, cfg->max_mem,
			      VDEV_A_CTRL_PAD) ||
	    nla_put_u32(skb, VDEV_A_CTRL_NUM_NS, ctrl->num_ns))
		return -EMSGSIZE;
	return 0;
}

/* What the user set; an absent attribute means the type's default. */
static int vdev_nl_put_ns_ident(struct sk_buff *skb,
				const struct vdev_ns_ident *ident)
{
	if ((ident->serial[0] &&
	     nla_put_string(skb, VDEV_A_NS_SERIAL, ident->serial)) ||
	    (ident->vendor[0] &&
	     nla_put_string(skb, VDEV_A_NS_VENDOR, ident->vendor)) ||
	    (ident->product[0] &&
	     nla_put_string(skb, VDEV_A_NS_PRODUCT, ident->product)))
		return -EMSGSIZE;
	return 0;
}

static int vdev_nl_put_ns(struct sk_buff *skb, void *obj)
{
	struct vdev_ns *ns = obj;
	struct block_device *bdev = vdev_ns_bdev(ns);
	const struct vdev_ns_addr *addr = &ns->addr;

	if (nla_put_u32(skb, VDEV_A_NS_CTRL_ID, ns->ctrl->id) ||
	    nla_put_string(skb, VDEV_A_NS_CTRL_NAME, ns->ctrl->name) ||
	    (addr->has_nsid && nla_put_u32(skb, VDEV_A_NS_NSID, addr->nsid)) ||
	    (addr->has_target && nla_put_u32(skb, VDEV_A_NS_TARGET, addr->target)) ||
	    (addr->has_lun && nla_put_u32(skb, VDEV_A_NS_LUN, addr->lun)) ||
	    nla_put_string(skb, VDEV_A_NS_PATH, ns->path) ||
	    (ns->read_only && nla_put_flag(skb, VDEV_A_NS_READ_ONLY)) ||
	    (ns->shared && nla_put_flag(skb, VDEV_A_NS_SHARED)) ||
	    (ns->gone && nla_put_flag(skb, VDEV_A_NS_GONE)) ||
	    nla_put_u64_64bit(skb, VDEV_A_NS_SIZE, bdev_nr_bytes(bdev),
			      VDEV_A_NS_PAD) ||
	    nla_put_u32(skb, VDEV_A_NS_LBLK_SIZE, bdev_logical_block_size(bdev)) ||
	    nla_put_u32(skb, VDEV_A_NS_PBLK_SIZE, bdev_physical_block_size(bdev)) ||
	    (bdev_max_discard_sectors(bdev) &&
	     nla_put_flag(skb, VDEV_A_NS_DISCARD)) ||
	    (bdev_write_zeroes_sectors(bdev) &&
	     nla_put_flag(skb, VDEV_A_NS_WRITE_ZEROES)) ||
	    (bdev_write_cache(bdev) && nla_put_flag(skb, VDEV_A_NS_WRITE_CACHE)) ||
	    (!bdev_nonrot(bdev) && nla_put_flag(skb, VDEV_A_NS_ROTATIONAL)) ||
	    vdev_nl_put_ns_ident(skb, &ns->ident))
		return -EMSGSIZE;
	return 0;
}

typedef int (*vdev_nl_put_fn)(struct sk_buff *skb, void *obj);

/* One message holding one object, for a reply, a dump or a notification. */
static int vdev_nl_fill(struct sk_buff *skb, const struct genl_info *info,
			u8 cmd, int flags, vdev_nl_put_fn put, void *obj)
{
	void *hdr;

	hdr = genlmsg_put(skb, info->snd_portid, info->snd_seq, &vdev_nl_family,
			  flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (put(skb, obj)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int vdev_nl_reply(struct genl_info *info, vdev_nl_put_fn put, void *obj)
{
	struct sk_buff *rsp;
	int ret;

	rsp = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!rsp)
		return -ENOMEM;
	ret = vdev_nl_fill(rsp, info, info->genlhdr->cmd, 0, put, obj);
	if (ret) {
		nlmsg_free(rsp);
		return ret;
	}
	return genlmsg_reply(rsp, info);
}

static void vdev_nl_notify(u8 cmd, vdev_nl_put_fn put, void *obj)
{
	struct genl_info info;
	struct sk_buff *ntf;

	if (!genl_has_listeners(&vdev_nl_family, &init_net, VDEV_NLGRP_EVENTS))
		return;
	genl_info_init_ntf(&info, &vdev_nl_family, cmd);
	ntf = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!ntf)
		return;
	if (vdev_nl_fill(ntf, &info, cmd, 0, put, obj)) {
		nlmsg_free(ntf);
		return;
	}
	genlmsg_multicast(&vdev_nl_family, ntf, 0, VDEV_NLGRP_EVENTS, GFP_KERNEL);
}

/* Caller holds vdev_lock. */
void vdev_nl_notify_ctrl(struct vdev_ctrl *ctrl, u8 cmd)
{
	vdev_nl_notify(cmd, vdev_nl_put_ctrl, ctrl);
}

/* Caller holds vdev_lock. */
void vdev_nl_notify_ns(struct vdev_ns *ns, u8 cmd)
{
	vdev_nl_notify(cmd, vdev_nl_put_ns, ns);
}

/* The namespaces a controller takes with it go first, then the controller. */
static void vdev_nl_notify_ctrl_del(struct vdev_ctrl *ctrl)
{
	struct vdev_ns *ns;
	unsigned long key;

	xa_for_each(&ctrl->ns, key, ns)
		vdev_nl_notify_ns(ns, VDEV_CMD_NS_DEL_NTF);
	vdev_nl_notify_ctrl(ctrl, VDEV_CMD_CTRL_DEL_NTF);
}

/* --- lookups ------------------------------------------------------------ */

/*
 * Find the controller a request names, by id or by name (both sets of
 * attributes share the shape). Caller holds vdev_lock.
 */
static struct vdev_ctrl *vdev_nl_find_ctrl(const struct genl_info *info,
					   int id_attr, int name_attr)
{
	struct nlattr *id = info->attrs[id_attr];
	struct nlattr *name = info->attrs[name_attr];
	struct vdev_ctrl *ctrl;

	if (!id && !name) {
		NL_SET_ERR_MSG(info->extack, "name the controller by id or name");
		return ERR_PTR(-EINVAL);
	}
	if (id) {
		ctrl = vdev_ctrl_find_by_id(nla_get_u32(id));
		if (!ctrl) {
			NL_SET_ERR_MSG_ATTR(info->extack, id, "no controller with that id");
			return ERR_PTR(-ENOENT);
		}
		if (name && strcmp(ctrl->name, nla_data(name))) {
			NL_SET_ERR_MSG_ATTR(info->extack, name,
					    "the id and the name belong to different controllers");
			return ERR_PTR(-EINVAL);
		}
		return ctrl;
	}
	ctrl = vdev_ctrl_find_by_name(nla_data(name));
	if (!ctrl) {
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, name,
					"no controller named %s", (char *)nla_data(name));
		return ERR_PTR(-ENOENT);
	}
	return ctrl;
}

static void vdev_nl_get_ns_addr(const struct genl_info *info,
				struct vdev_ns_addr *addr)
{
	struct nlattr **tb = info->attrs;

	memset(addr, 0, sizeof(*addr));
	if (tb[VDEV_A_NS_NSID]) {
		addr->nsid = nla_get_u32(tb[VDEV_A_NS_NSID]);
		addr->has_nsid = true;
	}
	if (tb[VDEV_A_NS_TARGET]) {
		addr->target = nla_get_u32(tb[VDEV_A_NS_TARGET]);
		addr->has_target = true;
	}
	if (tb[VDEV_A_NS_LUN]) {
		addr->lun = nla_get_u32(tb[VDEV_A_NS_LUN]);
		addr->has_lun = true;
	}
}

/* The namespace a request names. Caller holds vdev_lock. */
static struct vdev_ns *vdev_nl_find_ns(const struct genl_info *info)
{
	struct vdev_ns_addr addr;
	struct vdev_ctrl *ctrl;
	struct vdev_ns *ns;
	int ret;

	ctrl = vdev_nl_find_ctrl(info, VDEV_A_NS_CTRL_ID, VDEV_A_NS_CTRL_NAME);
	if (IS_ERR(ctrl))
		return ERR_CAST(ctrl);
	vdev_nl_get_ns_addr(info, &addr);
	ret = ctrl->ops->ns_addr_check(&addr, false, info->extack);
	if (ret)
		return ERR_PTR(ret);
	ns = vdev_ns_find(ctrl, &addr);
	if (!ns) {
		NL_SET_ERR_MSG_FMT(info->extack, "controller %s has no such namespace",
				   ctrl->name);
		return ERR_PTR(-ENOENT);
	}
	return ns;
}

/* --- controllers -------------------------------------------------------- */

static int vdev_nl_ctrl_parse_cpus(struct vdev_ctrl *ctrl,
				   struct genl_info *info)
{
	struct nlattr *attr = info->attrs[VDEV_A_CTRL_CPUMASK];

	if (!attr)
		return 0;
	if (cpulist_parse(nla_data(attr), ctrl->cfg.cpus)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "cpumask must be a CPU list such as 0-3,6");
		return -EINVAL;
	}
	return 0;
}

/* Fill a new controller's configuration from a ctrl-new request. */
static int vdev_nl_ctrl_parse(struct vdev_ctrl *ctrl, struct genl_info *info)
{
	struct vdev_ctrl_cfg *cfg = &ctrl->cfg;
	struct nlattr **tb = info->attrs;

	cfg->type = nla_get_u32(tb[VDEV_A_CTRL_TYPE]);
	ctrl->ops = vdev_dev_ops_find(cfg->type);
	if (!ctrl->ops) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VDEV_A_CTRL_TYPE],
				    "unknown controller type");
		return -EINVAL;
	}
	if (tb[VDEV_A_CTRL_NUM_QUEUES])
		cfg->num_queues = nla_get_u32(tb[VDEV_A_CTRL_NUM_QUEUES]);
	if (tb[VDEV_A_CTRL_QUEUE_SIZE])
		cfg->queue_size = nla_get_u32(tb[VDEV_A_CTRL_QUEUE_SIZE]);
	if (tb[VDEV_A_CTRL_POLL_MODE])
		cfg->poll_mode = nla_get_u32(tb[VDEV_A_CTRL_POLL_MODE]);
	if (tb[VDEV_A_CTRL_POLL_IDLE_US])
		cfg->poll_idle_us = nla_get_u32(tb[VDEV_A_CTRL_POLL_IDLE_US]);
	nla_strscpy(cfg->socket_path, tb[VDEV_A_CTRL_SOCKET_PATH],
		    sizeof(cfg->socket_path));
	if (tb[VDEV_A_CTRL_SOCKET_UID])
		cfg->socket_uid = nla_get_u32(tb[VDEV_A_CTRL_SOCKET_UID]);
	if (tb[VDEV_A_CTRL_SOCKET_GID])
		cfg->socket_gid = nla_get_u32(tb[VDEV_A_CTRL_SOCKET_GID]);
	if (tb[VDEV_A_CTRL_SOCKET_MODE])
		cfg->socket_mode = nla_get_u32(tb[VDEV_A_CTRL_SOCKET_MODE]);
	if (tb[VDEV_A_CTRL_MAX_MEM])
		cfg->max_mem = nla_get_u64(tb[VDEV_A_CTRL_MAX_MEM]);
	return vdev_nl_ctrl_parse_cpus(ctrl, info);
}

int vdev_nl_ctrl_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vdev_ctrl *ctrl;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, VDEV_A_CTRL_NAME) ||
	    GENL_REQ_ATTR_CHECK(info, VDEV_A_CTRL_TYPE) ||
	    GENL_REQ_ATTR_CHECK(info, VDEV_A_CTRL_SOCKET_PATH))
		return -EINVAL;

	ctrl = vdev_ctrl_alloc();
	if (!ctrl)
		return -ENOMEM;
	ret = vdev_nl_ctrl_parse(ctrl, info);
	if (ret)
		goto out_put;

	mutex_lock(&vdev_lock);
	ret = vdev_ctrl_register(ctrl, nla_data(info->attrs[VDEV_A_CTRL_NAME]),
				 info->extack);
	if (ret) {
		mutex_unlock(&vdev_lock);
		goto out_put;
	}
	ret = vdev_nl_reply(info, vdev_nl_put_ctrl, ctrl);
	if (ret) {
		/* The caller never learnt of it: undo rather than leak a name. */
		vdev_ctrl_unregister(ctrl);
		mutex_unlock(&vdev_lock);
		return ret;
	}
	vdev_nl_notify_ctrl(ctrl, VDEV_CMD_CTRL_NEW_NTF);
	mutex_unlock(&vdev_lock);
	return 0;

out_put:
	vdev_ctrl_put(ctrl);
	return ret;
}

int vdev_nl_ctrl_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vdev_ctrl *ctrl;

	mutex_lock(&vdev_lock);
	ctrl = vdev_nl_find_ctrl(info, VDEV_A_CTRL_ID, VDEV_A_CTRL_NAME);
	if (IS_ERR(ctrl)) {
		mutex_unlock(&vdev_lock);
		return PTR_ERR(ctrl);
	}
	vdev_nl_notify_ctrl_del(ctrl);
	vdev_ctrl_unregister(ctrl);
	mutex_unlock(&vdev_lock);
	return 0;
}

int vdev_nl_ctrl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vdev_ctrl *ctrl;
	int ret;

	mutex_lock(&vdev_lock);
	ctrl = vdev_nl_find_ctrl(info, VDEV_A_CTRL_ID, VDEV_A_CTRL_NAME);
	ret = IS_ERR(ctrl) ? PTR_ERR(ctrl) :
			     vdev_nl_reply(info, vdev_nl_put_ctrl, ctrl);
	mutex_unlock(&vdev_lock);
	return ret;
}

/* cb->args[0]: the next controller id to dump. */
int vdev_nl_ctrl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = genl_info_dump(cb);
	unsigned long id = cb->args[0];
	struct vdev_ctrl *ctrl;
	int ret = 0;

	mutex_lock(&vdev_lock);
	for (; (ctrl = vdev_ctrl_next(&id)); id++) {
		ret = vdev_nl_fill(skb, info, VDEV_CMD_CTRL_GET, NLM_F_MULTI,
				   vdev_nl_put_ctrl, ctrl);
		if (ret)
			break;
	}
	mutex_unlock(&vdev_lock);
	cb->args[0] = id;
	/* A full skb ends this round; the dump resumes at id. */
	return ret == -EMSGSIZE && skb->len ? skb->len : ret;
}

/* --- namespaces --------------------------------------------------------- */

/*
 * One identity string of ns-add into @buf (@len bytes with the NUL). The
 * policy has refused a longer one already; the empty string and bytes a
 * guest could not print are refused here.
 */
static int vdev_nl_ns_ident_str(const struct nlattr *attr, const char *name,
				char *buf, size_t len,
				struct netlink_ext_ack *extack)
{
	if (!attr)
		return 0;
	if (!vdev_ns_ident_valid(nla_data(attr), len - 1)) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, attr,
					"%s must be 1 to %zu printable ASCII characters (0x20 to 0x7e)",
					name, len - 1);
		return -EINVAL;
	}
	nla_strscpy(buf, attr, len);
	return 0;
}

/**
 * vdev_nl_ns_ident_parse - the serial, vendor and product of an ns-add
 * @tb: the request's attributes
 * @ctrl: the controller the namespace is for
 * @ident: filled in; what is absent stays empty (the type's default)
 * @extack: names the attribute that is wrong
 *
 * Vendor and product are SCSI INQUIRY fields: only virtio-scsi LUNs have
 * them, and asking for them elsewhere is an error, not a silent no-op.
 */
VISIBLE_IF_KUNIT int vdev_nl_ns_ident_parse(struct nlattr **tb,
					    const struct vdev_ctrl *ctrl,
					    struct vdev_ns_ident *ident,
					    struct netlink_ext_ack *extack)
{
	struct nlattr *scsi_only = tb[VDEV_A_NS_VENDOR] ?: tb[VDEV_A_NS_PRODUCT];

	memset(ident, 0, sizeof(*ident));
	if (scsi_only && ctrl->ops->type != VDEV_CTRL_TYPE_VIRTIO_SCSI) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, scsi_only,
					"%s is a SCSI INQUIRY field: only virtio-scsi LUNs take it, not %s",
					scsi_only == tb[VDEV_A_NS_VENDOR] ?
					"vendor" : "product", ctrl->ops->name);
		return -EINVAL;
	}
	return vdev_nl_ns_ident_str(tb[VDEV_A_NS_SERIAL], "serial",
				    ident->serial, sizeof(ident->serial),
				    extack) ?:
	       vdev_nl_ns_ident_str(tb[VDEV_A_NS_VENDOR], "vendor",
				    ident->vendor, sizeof(ident->vendor),
				    extack) ?:
	       vdev_nl_ns_ident_str(tb[VDEV_A_NS_PRODUCT], "product",
				    ident->product, sizeof(ident->product),
				    extack);
}

int vdev_nl_ns_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vdev_ns_ident ident;
	struct vdev_ns_addr addr;
	struct vdev_ctrl *ctrl;
	struct vdev_ns *ns;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, VDEV_A_NS_PATH))
		return -EINVAL;
	vdev_nl_get_ns_addr(info, &addr);

	mutex_lock(&vdev_lock);
	ctrl = vdev_nl_find_ctrl(info, VDEV_A_NS_CTRL_ID, VDEV_A_NS_CTRL_NAME);
	if (IS_ERR(ctrl)) {
		ret = PTR_ERR(ctrl);
		goto out_unlock;
	}
	ret = vdev_nl_ns_ident_parse(info->attrs, ctrl, &ident, info->extack);
	if (ret)
		goto out_unlock;
	ns = vdev_ns_attach(ctrl, &addr, nla_data(info->attrs[VDEV_A_NS_PATH]),
			    nla_get_flag(info->attrs[VDEV_A_NS_READ_ONLY]),
			    nla_get_flag(info->attrs[VDEV_A_NS_SHARED]),
			    &ident, info->extack);
	if (IS_ERR(ns)) {
		ret = PTR_ERR(ns);
		goto out_unlock;
	}
	ret = vdev_nl_reply(info, vdev_nl_put_ns, ns);
	if (ret) {
		vdev_ns_detach(ns);
		goto out_unlock;
	}
	vdev_nl_notify_ns(ns, VDEV_CMD_NS_ADD_NTF);
out_unlock:
	mutex_unlock(&vdev_lock);
	return ret;
}

int vdev_nl_ns_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vdev_ns *ns;

	mutex_lock(&vdev_lock);
	ns = vdev_nl_find_ns(info);
	if (IS_ERR(ns)) {
		mutex_unlock(&vdev_lock);
		return PTR_ERR(ns);
	}
	/* Requests in flight keep a hot namespace's disk until they end. */
	if (!ns->ctrl->ops->hot_ns && vdev_ctrl_connected(ns->ctrl)) {
		mutex_unlock(&vdev_lock);
		NL_SET_ERR_MSG(info->extack,
			       "controller is connected: stop the guest or delete the controller");
		return -EBUSY;
	}
	vdev_nl_notify_ns(ns, VDEV_CMD_NS_DEL_NTF);
	vdev_ns_detach(ns);
	mutex_unlock(&vdev_lock);
	return 0;
}

int vdev_nl_ns_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vdev_ns *ns;
	int ret;

	mutex_lock(&vdev_lock);
	ns = vdev_nl_find_ns(info);
	ret = IS_ERR(ns) ? PTR_ERR(ns) : vdev_nl_reply(info, vdev_nl_put_ns, ns);
	mutex_unlock(&vdev_lock);
	return ret;
}

/* The size reaches a connected guest within moments, as a config change. */
int vdev_nl_ns_resize_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vdev_ns *ns;
	int ret;

	mutex_lock(&vdev_lock);
	ns = vdev_nl_find_ns(info);
	if (IS_ERR(ns)) {
		ret = PTR_ERR(ns);
	} else {
		vdev_ctrl_check_resize(ns->ctrl);
		if (ns->ctrl->ops->ns_resized)
			ns->ctrl->ops->ns_resized(ns);
		ret = vdev_nl_reply(info, vdev_nl_put_ns, ns);
	}
	mutex_unlock(&vdev_lock);
	return ret;
}

/* Dump one controller's namespaces from key *key on. */
static int vdev_nl_ns_dump_ctrl(struct sk_buff *skb,
				const struct genl_info *info,
				struct vdev_ctrl *ctrl, unsigned long *key)
{
	struct vdev_ns *ns;
	int ret;

	xa_for_each_start(&ctrl->ns, *key, ns, *key) {
		ret = vdev_nl_fill(skb, info, VDEV_CMD_NS_GET, NLM_F_MULTI,
				   vdev_nl_put_ns, ns);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * cb->args[0]: the controller being dumped, cb->args[1]: the next
 * namespace key in it. With ctrl-id or ctrl-name, only that controller.
 */
int vdev_nl_ns_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = genl_info_dump(cb);
	unsigned long id = cb->args[0], key = cb->args[1];
	struct vdev_ctrl *ctrl, *only = NULL;
	int ret = 0;

	mutex_lock(&vdev_lock);
	if (info->attrs[VDEV_A_NS_CTRL_ID] || info->attrs[VDEV_A_NS_CTRL_NAME]) {
		only = vdev_nl_find_ctrl(info,
					 VDEV_A_NS_CTRL_ID, VDEV_A_NS_CTRL_NAME);
		if (IS_ERR(only)) {
			ret = PTR_ERR(only);
			goto out_unlock;
		}
		id = max_t(unsigned long, id, only->id);
	}
	for (; (ctrl = vdev_ctrl_next(&id)); id++, key = 0) {
		if (only && ctrl != only)
			break;
		ret = vdev_nl_ns_dump_ctrl(skb, info, ctrl, &key);
		if (ret)
			break;
	}
out_unlock:
	mutex_unlock(&vdev_lock);
	cb->args[0] = id;
	cb->args[1] = key;
	return ret == -EMSGSIZE && skb->len ? skb->len : ret;
}

/* --- queues ------------------------------------------------------------ */

/* cb->args[0]: the next controller id; args[1]: the next queue index. */
int vdev_nl_queue_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = genl_info_dump(cb);
	unsigned long id = cb->args[0], index = cb->args[1];
	struct vdev_ctrl *ctrl, *only = NULL;
	int ret = 0;

	mutex_lock(&vdev_lock);
	if (info->attrs[VDEV_A_QUEUE_CTRL_ID] ||
	    info->attrs[VDEV_A_QUEUE_CTRL_NAME]) {
		only = vdev_nl_find_ctrl(info, VDEV_A_QUEUE_CTRL_ID,
					 VDEV_A_QUEUE_CTRL_NAME);
		if (IS_ERR(only)) {
			ret = PTR_ERR(only);
			goto out_unlock;
		}
		id = max_t(unsigned long, id, only->id);
	}
	for (; (ctrl = vdev_ctrl_next(&id)); id++, index = 0) {
		if (only && ctrl != only)
			break;
		ret = vdev_session_dump_queues(skb, info, ctrl, &index);
		if (ret)
			break;
	}
out_unlock:
	mutex_unlock(&vdev_lock);
	cb->args[0] = id;
	cb->args[1] = index;
	return ret == -EMSGSIZE && skb->len ? skb->len : ret;
}

/* Caller holds vdev_lock. */
void *vdev_nl_queue_msg_start(struct sk_buff *skb, const struct genl_info *info)
{
	return genlmsg_put(skb, info->snd_portid, info->snd_seq, &vdev_nl_family,
			   NLM_F_MULTI, VDEV_CMD_QUEUE_GET);
}

int vdev_nl_init(void)
{
	return genl_register_family(&vdev_nl_family);
}

void vdev_nl_exit(void)
{
	genl_unregister_family(&vdev_nl_family);
}
