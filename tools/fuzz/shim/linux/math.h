/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <linux/math.h>: the rounding divisions and roundup(), as the kernel has them. */
#ifndef _FUZZ_LINUX_MATH_H
#define _FUZZ_LINUX_MATH_H

#include "../fuzz_kernel.h"

#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define DIV_ROUND_UP_ULL(ll, d)	DIV_ROUND_UP((unsigned long long)(ll), (d))
#define roundup(x, y)		((((x) + ((y) - 1)) / (y)) * (y))

#endif
