// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/vdev.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/vdev.h>

/* Integer value ranges */
static const struct netlink_range_validation vdev_a_ctrl_queue_size_range = {
	.min	= 2ULL,
	.max	= VDEV_MAX_QUEUE_SIZE,
};

static const struct netlink_range_validation vdev_a_ctrl_poll_idle_us_range = {
	.max	= VDEV_MAX_POLL_IDLE_US,
};

static const struct netlink_range_validation vdev_a_ctrl_max_mem_range = {
	.min	= 1048576ULL,
	.max	= 1125899906842624ULL,
};

/* VDEV_CMD_CTRL_NEW - do */
static const struct nla_policy vdev_ctrl_new_nl_policy[VDEV_A_CTRL_MAX_MEM + 1] = {
	[VDEV_A_CTRL_NAME] = { .type = NLA_NUL_STRING, .len = 31, },
	[VDEV_A_CTRL_TYPE] = NLA_POLICY_RANGE(NLA_U32, 1, 3),
	[VDEV_A_CTRL_NUM_QUEUES] = NLA_POLICY_RANGE(NLA_U32, 1, VDEV_MAX_QUEUES),
	[VDEV_A_CTRL_QUEUE_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32, &vdev_a_ctrl_queue_size_range),
	[VDEV_A_CTRL_CPUMASK] = { .type = NLA_NUL_STRING, .len = 255, },
	[VDEV_A_CTRL_POLL_MODE] = NLA_POLICY_RANGE(NLA_U32, 1, 3),
	[VDEV_A_CTRL_POLL_IDLE_US] = NLA_POLICY_FULL_RANGE(NLA_U32, &vdev_a_ctrl_poll_idle_us_range),
	[VDEV_A_CTRL_SOCKET_PATH] = { .type = NLA_NUL_STRING, .len = 107, },
	[VDEV_A_CTRL_SOCKET_UID] = { .type = NLA_U32, },
	[VDEV_A_CTRL_SOCKET_GID] = { .type = NLA_U32, },
	[VDEV_A_CTRL_SOCKET_MODE] = NLA_POLICY_MAX(NLA_U32, 511),
	[VDEV_A_CTRL_MAX_MEM] = NLA_POLICY_FULL_RANGE(NLA_U64, &vdev_a_ctrl_max_mem_range),
};

/* VDEV_CMD_CTRL_DEL - do */
static const struct nla_policy vdev_ctrl_del_nl_policy[VDEV_A_CTRL_NAME + 1] = {
	[VDEV_A_CTRL_ID] = { .type = NLA_U32, },
	[VDEV_A_CTRL_NAME] = { .type = NLA_NUL_STRING, .len = 31, },
};

/* VDEV_CMD_CTRL_GET - do */
static const struct nla_policy vdev_ctrl_get_nl_policy[VDEV_A_CTRL_NAME + 1] = {
	[VDEV_A_CTRL_ID] = { .type = NLA_U32, },
	[VDEV_A_CTRL_NAME] = { .type = NLA_NUL_STRING, .len = 31, },
};

/* VDEV_CMD_NS_ADD - do */
static const struct nla_policy vdev_ns_add_nl_policy[VDEV_A_NS_SHARED + 1] = {
	[VDEV_A_NS_CTRL_ID] = { .type = NLA_U32, },
	[VDEV_A_NS_CTRL_NAME] = { .type = NLA_NUL_STRING, .len = 31, },
	[VDEV_A_NS_NSID] = NLA_POLICY_RANGE(NLA_U32, 1, VDEV_MAX_NSID),
	[VDEV_A_NS_TARGET] = NLA_POLICY_MAX(NLA_U32, VDEV_MAX_TARGET),
	[VDEV_A_NS_LUN] = NLA_POLICY_MAX(NLA_U32, VDEV_MAX_LUN),
	[VDEV_A_NS_PATH] = { .type = NLA_NUL_STRING, .len = 4095, },
	[VDEV_A_NS_READ_ONLY] = { .type = NLA_FLAG, },
	[VDEV_A_NS_SERIAL] = { .type = NLA_NUL_STRING, .len = VDEV_MAX_SERIAL_LEN, },
	[VDEV_A_NS_VENDOR] = { .type = NLA_NUL_STRING, .len = VDEV_MAX_VENDOR_LEN, },
	[VDEV_A_NS_PRODUCT] = { .type = NLA_NUL_STRING, .len = VDEV_MAX_PRODUCT_LEN, },
	[VDEV_A_NS_SHARED] = { .type = NLA_FLAG, },
};

/* VDEV_CMD_NS_DEL - do */
static const struct nla_policy vdev_ns_del_nl_policy[VDEV_A_NS_LUN + 1] = {
	[VDEV_A_NS_CTRL_ID] = { .type = NLA_U32, },
	[VDEV_A_NS_CTRL_NAME] = { .type = NLA_NUL_STRING, .len = 31, },
	[VDEV_A_NS_NSID] = NLA_POLICY_RANGE(NLA_U32, 1, VDEV_MAX_NSID),
	[VDEV_A_NS_TARGET] = NLA_POLICY_MAX(NLA_U32, VDEV_MAX_TARGET),
	[VDEV_A_NS_LUN] = NLA_POLICY_MAX(NLA_U32, VDEV_MAX_LUN),
};

/* VDEV_CMD_NS_GET - do */
static const struct nla_policy vdev_ns_get_do_nl_policy[VDEV_A_NS_LUN + 1] = {
	[VDEV_A_NS_CTRL_ID] = { .type = NLA_U32, },
	[VDEV_A_NS_CTRL_NAME] = { .type = NLA_NUL_STRING, .len = 31, },
	[VDEV_A_NS_NSID] = NLA_POLICY_RANGE(NLA_U32, 1, VDEV_MAX_NSID),
	[VDEV_A_NS_TARGET] = NLA_POLICY_MAX(NLA_U32, VDEV_MAX_TARGET),
	[VDEV_A_NS_LUN] = NLA_POLICY_MAX(NLA_U32, VDEV_MAX_LUN),
};

/* VDEV_CMD_NS_GET - dump */
static const struct nla_policy vdev_ns_get_dump_nl_policy[VDEV_A_NS_CTRL_NAME + 1] = {
	[VDEV_A_NS_CTRL_ID] = { .type = NLA_U32, },
	[VDEV_A_NS_CTRL_NAME] = { .type = NLA_NUL_STRING, .len = 31, },
};

/* VDEV_CMD_QUEUE_GET - dump */
static const struct nla_policy vdev_queue_get_nl_policy[VDEV_A_QUEUE_CTRL_NAME + 1] = {
	[VDEV_A_QUEUE_CTRL_ID] = { .type = NLA_U32, },
	[VDEV_A_QUEUE_CTRL_NAME] = { .type = NLA_NUL_STRING, .len = 31, },
};

/* VDEV_CMD_NS_RESIZE - do */
static const struct nla_policy vdev_ns_resize_nl_policy[VDEV_A_NS_LUN + 1] = {
	[VDEV_A_NS_CTRL_ID] = { .type = NLA_U32, },
	[VDEV_A_NS_CTRL_NAME] = { .type = NLA_NUL_STRING, .len = 31, },
	[VDEV_A_NS_NSID] = NLA_POLICY_RANGE(NLA_U32, 1, VDEV_MAX_NSID),
	[VDEV_A_NS_TARGET] = NLA_POLICY_MAX(NLA_U32, VDEV_MAX_TARGET),
	[VDEV_A_NS_LUN] = NLA_POLICY_MAX(NLA_U32, VDEV_MAX_LUN),
};

/* Ops table for vdev */
static const struct genl_split_ops vdev_nl_ops[] = {
	{
		.cmd		= VDEV_CMD_CTRL_NEW,
		.doit		= vdev_nl_ctrl_new_doit,
		.policy		= vdev_ctrl_new_nl_policy,
		.maxattr	= VDEV_A_CTRL_MAX_MEM,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= VDEV_CMD_CTRL_DEL,
		.doit		= vdev_nl_ctrl_del_doit,
		.policy		= vdev_ctrl_del_nl_policy,
		.maxattr	= VDEV_A_CTRL_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= VDEV_CMD_CTRL_GET,
		.doit		= vdev_nl_ctrl_get_doit,
		.policy		= vdev_ctrl_get_nl_policy,
		.maxattr	= VDEV_A_CTRL_NAME,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= VDEV_CMD_CTRL_GET,
		.dumpit	= vdev_nl_ctrl_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= VDEV_CMD_NS_ADD,
		.doit		= vdev_nl_ns_add_doit,
		.policy		= vdev_ns_add_nl_policy,
		.maxattr	= VDEV_A_NS_SHARED,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= VDEV_CMD_NS_DEL,
		.doit		= vdev_nl_ns_del_doit,
		.policy		= vdev_ns_del_nl_policy,
		.maxattr	= VDEV_A_NS_LUN,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= VDEV_CMD_NS_GET,
		.doit		= vdev_nl_ns_get_doit,
		.policy		= vdev_ns_get_do_nl_policy,
		.maxattr	= VDEV_A_NS_LUN,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= VDEV_CMD_NS_GET,
		.dumpit		= vdev_nl_ns_get_dumpit,
		.policy		= vdev_ns_get_dump_nl_policy,
		.maxattr	= VDEV_A_NS_CTRL_NAME,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= VDEV_CMD_QUEUE_GET,
		.dumpit		= vdev_nl_queue_get_dumpit,
		.policy		= vdev_queue_get_nl_policy,
		.maxattr	= VDEV_A_QUEUE_CTRL_NAME,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= VDEV_CMD_NS_RESIZE,
		.doit		= vdev_nl_ns_resize_doit,
		.policy		= vdev_ns_resize_nl_policy,
		.maxattr	= VDEV_A_NS_LUN,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group vdev_nl_mcgrps[] = {
	[VDEV_NLGRP_EVENTS] = { "events", },
};

struct genl_family vdev_nl_family __ro_after_init = {
	.name		= VDEV_FAMILY_NAME,
	.version	= VDEV_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= vdev_nl_ops,
	.n_split_ops	= ARRAY_SIZE(vdev_nl_ops),
	.mcgrps		= vdev_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vdev_nl_mcgrps),
};
