/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <linux/xarray.h>: the type kmod/vdev.h embeds; no harness uses it. */
#ifndef _FUZZ_LINUX_XARRAY_H
#define _FUZZ_LINUX_XARRAY_H

#include "../fuzz_kernel.h"

struct xarray {
	void *xa_head;
};

#endif
