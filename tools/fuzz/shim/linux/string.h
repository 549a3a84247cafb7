/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/string.h>: the C library's string functions, and
 * memchr_inv() as lib/string.c defines it (first byte that is not @c).
 */
#ifndef _FUZZ_LINUX_STRING_H
#define _FUZZ_LINUX_STRING_H

#include "../fuzz_kernel.h"

static inline void *memchr_inv(const void *start, int c, size_t bytes)
{
	const u8 *p = start;
	size_t i;

	for (i = 0; i < bytes; i++)
		if (p[i] != (u8)c)
			return (void *)(p + i);
	return NULL;
}

#endif
