/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <linux/mutex.h>: the type kmod/vdev.h names; nothing locks. */
#ifndef _FUZZ_LINUX_MUTEX_H
#define _FUZZ_LINUX_MUTEX_H

#include "../fuzz_kernel.h"

struct mutex {
	int locked;
};

#endif
