/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz shim: the kernel's one-argument static_assert(). */
#ifndef _FUZZ_LINUX_BUILD_BUG_H
#define _FUZZ_LINUX_BUILD_BUG_H

#include "../fuzz_kernel.h"

#define static_assert(expr, ...)	_Static_assert(expr, #expr)

#endif
