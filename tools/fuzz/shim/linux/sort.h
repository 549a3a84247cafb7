/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz shim: lib/sort.c's sort(), as qsort() (no swap function). */
#ifndef _FUZZ_LINUX_SORT_H
#define _FUZZ_LINUX_SORT_H

#include <stdlib.h>

#include "../fuzz_kernel.h"

static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *), void *swap)
{
	(void)swap;
	qsort(base, num, size, cmp);
}

#endif
