/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/bug.h>. A WARN in the kernel is a bug report: in a
 * fuzzer it stops the run with the input that reached it.
 */
#ifndef _FUZZ_LINUX_BUG_H
#define _FUZZ_LINUX_BUG_H

#include "../fuzz_kernel.h"

#define WARN_ON(c)		({ bool __c = !!(c); if (__c) __builtin_trap(); __c; })
#define WARN_ON_ONCE(c)		WARN_ON(c)
#define BUG_ON(c)		do { if (c) __builtin_trap(); } while (0)

#endif
