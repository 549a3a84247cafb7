/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <linux/kernel.h>: what it gathers, as far as kmod/scsi.c needs. */
#ifndef _FUZZ_LINUX_KERNEL_H
#define _FUZZ_LINUX_KERNEL_H

#include "../fuzz_kernel.h"
#include "minmax.h"

#endif
