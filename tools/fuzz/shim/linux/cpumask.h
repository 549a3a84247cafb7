/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <linux/cpumask.h>: the type kmod/vdev.h names; no harness uses it. */
#ifndef _FUZZ_LINUX_CPUMASK_H
#define _FUZZ_LINUX_CPUMASK_H

#include "../fuzz_kernel.h"

struct cpumask;
typedef struct cpumask *cpumask_var_t;

#endif
