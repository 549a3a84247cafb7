/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <linux/workqueue.h>: the types kmod/mem.h embeds; no work runs. */
#ifndef _FUZZ_LINUX_WORKQUEUE_H
#define _FUZZ_LINUX_WORKQUEUE_H

#include "../fuzz_kernel.h"

struct work_struct {
	void *func;
};

struct rcu_work {
	struct work_struct work;
};

#endif
