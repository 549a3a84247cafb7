/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <linux/overflow.h>: the kernel's are the compiler builtins too. */
#ifndef _FUZZ_LINUX_OVERFLOW_H
#define _FUZZ_LINUX_OVERFLOW_H

#include "../fuzz_kernel.h"

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

#endif
