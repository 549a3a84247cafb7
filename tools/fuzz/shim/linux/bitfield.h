/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim for <linux/bitfield.h>: FIELD_GET and FIELD_PREP without the
 * kernel's compile-time mask checks (the kernel build does those).
 */
#ifndef _FUZZ_LINUX_BITFIELD_H
#define _FUZZ_LINUX_BITFIELD_H

#include "bits.h"

#define FIELD_GET(mask, reg)	\
	((__typeof__(mask))(((reg) & (mask)) >> __builtin_ctzll(mask)))
#define FIELD_PREP(mask, val)	\
	(((__typeof__(mask))(val) << __builtin_ctzll(mask)) & (mask))

#endif
