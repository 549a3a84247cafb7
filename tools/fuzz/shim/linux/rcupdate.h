/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <linux/rcupdate.h>: the type kmod/vdev.h embeds; nothing waits. */
#ifndef _FUZZ_LINUX_RCUPDATE_H
#define _FUZZ_LINUX_RCUPDATE_H

#include "../fuzz_kernel.h"

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

#endif
