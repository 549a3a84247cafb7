/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <linux/log2.h>: is_power_of_2() as the kernel defines it. */
#ifndef _FUZZ_LINUX_LOG2_H
#define _FUZZ_LINUX_LOG2_H

#include "../fuzz_kernel.h"

static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && ((n & (n - 1)) == 0);
}

#endif
