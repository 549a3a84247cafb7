/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz shim: the allocators kmod/vring_inflight.c uses, on malloc. */
#ifndef _FUZZ_LINUX_SLAB_H
#define _FUZZ_LINUX_SLAB_H

#include <stdlib.h>

#include "../fuzz_kernel.h"

#define GFP_KERNEL	0

/* Exact sizes, so AddressSanitizer sees an overrun; NULL for overflow. */
static inline void *kvmalloc_array(size_t n, size_t size, int gfp)
{
	(void)gfp;
	if (size && n > SIZE_MAX / size)
		return NULL;
	return malloc(n * size ? n * size : 1);
}

static inline void kvfree(const void *p)
{
	free((void *)p);
}

#endif
