/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What several KUnit suites need alike: guest memory backed by a real
 * shmem file, and the features every virtio-blk controller offers.
 */
#ifndef _VDEV_KUNIT_UTIL_H
#define _VDEV_KUNIT_UTIL_H

#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "mem.h"

/* What a virtio-blk controller offers whatever its disk. */
#define VDEV_KUNIT_BLK_BASE_FEATURES					\
	(BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_RING_PACKED) |	\
	 BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) |				\
	 BIT_ULL(VIRTIO_RING_F_EVENT_IDX) |				\
	 BIT_ULL(VDEV_VU_F_PROTOCOL_FEATURES) |				\
	 BIT_ULL(VIRTIO_BLK_F_SIZE_MAX) | BIT_ULL(VIRTIO_BLK_F_SEG_MAX) |	\
	 BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) | BIT_ULL(VIRTIO_BLK_F_TOPOLOGY) |	\
	 BIT_ULL(VIRTIO_BLK_F_MQ) | BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES))

struct vdev_mem *vdev_kunit_mem(struct kunit *test, u64 gpa, u64 size);

#endif
