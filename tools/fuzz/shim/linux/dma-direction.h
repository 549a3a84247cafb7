/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for <linux/dma-direction.h>, with the 6.12 kernel's values. */
#ifndef _FUZZ_LINUX_DMA_DIRECTION_H
#define _FUZZ_LINUX_DMA_DIRECTION_H

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
	DMA_NONE = 3,
};

#endif
