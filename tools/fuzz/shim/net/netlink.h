/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <net/netlink.h>: kmod/vdev.h only names its types in pointers. */
#ifndef _FUZZ_NET_NETLINK_H
#define _FUZZ_NET_NETLINK_H

struct netlink_ext_ack;
struct sk_buff;

#endif
