/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/minmax.h>: min, max, min_t, min3, clamp_t without the
 * kernel's type checks (the kernel build does those).
 */
#ifndef _FUZZ_LINUX_MINMAX_H
#define _FUZZ_LINUX_MINMAX_H

#include "../fuzz_kernel.h"

#define min(a, b)	({ __typeof__(a) __a = (a); __typeof__(b) __b = (b); \
			   __a < __b ? __a : __b; })
#define max(a, b)	({ __typeof__(a) __a = (a); __typeof__(b) __b = (b); \
			   __a > __b ? __a : __b; })
#define min_t(t, a, b)	({ t __a = (a); t __b = (b); __a < __b ? __a : __b; })
#define max_t(t, a, b)	({ t __a = (a); t __b = (b); __a > __b ? __a : __b; })
#define min3(a, b, c)	min(min(a, b), c)
#define clamp_t(t, v, lo, hi)	min_t(t, max_t(t, v, lo), hi)

#endif
