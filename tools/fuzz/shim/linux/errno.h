/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/errno.h>: the system's uapi header has the kernel's
 * values (the C library includes it from <errno.h> too).
 */
#ifndef _FUZZ_LINUX_ERRNO_H
#define _FUZZ_LINUX_ERRNO_H

#include_next <linux/errno.h>

#endif
