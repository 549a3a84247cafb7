/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz shim: nothing of linux/mm.h is used beyond slab.h's allocators. */
#ifndef _FUZZ_LINUX_MM_H
#define _FUZZ_LINUX_MM_H

#include "slab.h"

#endif
