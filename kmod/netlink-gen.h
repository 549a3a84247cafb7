/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/vdev.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_VDEV_GEN_H
#define _LINUX_VDEV_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/vdev.h>

int vdev_nl_ctrl_new_doit(struct sk_buff *skb, struct genl_info *info);
int vdev_nl_ctrl_del_doit(struct sk_buff *skb, struct genl_info *info);
int vdev_nl_ctrl_get_doit(struct sk_buff *skb, struct genl_info *info);
int vdev_nl_ctrl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vdev_nl_ns_add_doit(struct sk_buff *skb, struct genl_info *info);
int vdev_nl_ns_del_doit(struct sk_buff *skb, struct genl_info *info);
int vdev_nl_ns_get_doit(struct sk_buff *skb, struct genl_info *info);
int vdev_nl_ns_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vdev_nl_queue_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vdev_nl_ns_resize_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	VDEV_NLGRP_EVENTS,
};

extern struct genl_family vdev_nl_family;

#endif /* _LINUX_VDEV_GEN_H */
