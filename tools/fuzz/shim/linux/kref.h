/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/kref.h>: the type only, for structs in kmod headers
 * that embed one. No harness takes or drops references.
 */
#ifndef _FUZZ_LINUX_KREF_H
#define _FUZZ_LINUX_KREF_H

#include "../fuzz_kernel.h"

struct kref {
	int refcount;
};

#endif
