/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/bitops.h>: the atomic bit operations kmod/scsi.c uses on
 * one unsigned long (unit attentions), with the compiler's atomics, and
 * find_first_bit() for a bitmap of at most one long.
 */
#ifndef _FUZZ_LINUX_BITOPS_H
#define _FUZZ_LINUX_BITOPS_H

#include "bits.h"

static inline void set_bit(unsigned long nr, unsigned long *addr)
{
	__atomic_fetch_or(&addr[nr / BITS_PER_LONG], BIT(nr % BITS_PER_LONG),
			  __ATOMIC_SEQ_CST);
}

static inline void clear_bit(unsigned long nr, unsigned long *addr)
{
	__atomic_fetch_and(&addr[nr / BITS_PER_LONG],
			   ~BIT(nr % BITS_PER_LONG), __ATOMIC_SEQ_CST);
}

static inline bool test_and_clear_bit(unsigned long nr, unsigned long *addr)
{
	unsigned long bit = BIT(nr % BITS_PER_LONG);

	return __atomic_fetch_and(&addr[nr / BITS_PER_LONG], ~bit,
				  __ATOMIC_SEQ_CST) & bit;
}

/* Index of the lowest set bit below @size, or @size when none is. */
static inline unsigned long find_first_bit(const unsigned long *addr,
					   unsigned long size)
{
	unsigned long i;

	for (i = 0; i < size; i++)
		if (addr[i / BITS_PER_LONG] & BIT(i % BITS_PER_LONG))
			return i;
	return size;
}

#endif
