/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <linux/uuid.h>: uuid_t as the 6.12 kernel defines it. */
#ifndef _FUZZ_LINUX_UUID_H
#define _FUZZ_LINUX_UUID_H

#include "../fuzz_kernel.h"

#define UUID_SIZE	16

typedef struct {
	__u8 b[UUID_SIZE];
} uuid_t;

#endif
