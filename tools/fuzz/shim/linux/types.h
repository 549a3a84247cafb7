/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/types.h>: the system's uapi types (__u8, __le16, ...),
 * then the kernel's u8 ... u64 and friends from fuzz_kernel.h. The
 * system's uapi headers include <linux/types.h> too and land here.
 */
#ifndef _FUZZ_LINUX_TYPES_H
#define _FUZZ_LINUX_TYPES_H

#include_next <linux/types.h>
#include "../fuzz_kernel.h"

#endif
