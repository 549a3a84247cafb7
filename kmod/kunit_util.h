/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What several KUnit suites need alike: guest memory backed by a real
 * shmem file, the features every virtio-blk controller offers, and a RAM
 * disk of the test's own whose queue limits the test picks.
 */
#ifndef _VDEV_KUNIT_UTIL_H
#define _VDEV_KUNIT_UTIL_H

#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/blkdev.h>
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

/* What reached a test disk: bits of vdev_kunit_disk.seen. */
#define VDEV_KUNIT_SEEN_READ		BIT(0)	/* a read with data */
#define VDEV_KUNIT_SEEN_WRITE		BIT(1)	/* a write with data */
#define VDEV_KUNIT_SEEN_DISCARD		BIT(2)
#define VDEV_KUNIT_SEEN_ZEROES		BIT(3)	/* REQ_OP_WRITE_ZEROES */
#define VDEV_KUNIT_SEEN_PREFLUSH	BIT(4)
#define VDEV_KUNIT_SEEN_FUA		BIT(5)
#define VDEV_KUNIT_SEEN_NOUNMAP		BIT(6)

/**
 * struct vdev_kunit_disk_cfg - a test disk's queue limits
 * @lbs: logical block size
 * @pbs: physical block size (0: @lbs)
 * @io_min: minimum I/O size in bytes
 * @io_opt: optimal I/O size in bytes
 * @align: alignment offset in bytes
 * @discard: max discard sectors; 0: the disk cannot discard
 * @discard_gran: discard granularity in bytes
 * @zeroes: max write zeroes sectors; 0: the block layer writes zero pages
 * @cache: a volatile write cache
 * @write_through: the cache switched off (as sysfs "write through" does)
 * @disk_ro: the disk itself read-only (set after the test opened it for
 *	write, as BLKROSET would)
 * @capacity: sectors, beyond the RAM only addressable; 0: what RAM holds
 */
struct vdev_kunit_disk_cfg {
	u32 lbs;
	u32 pbs;
	u32 io_min;
	u32 io_opt;
	u32 align;
	u32 discard;
	u32 discard_gran;
	u32 zeroes;
	bool cache;
	bool write_through;
	bool disk_ro;
	u64 capacity;
};

/**
 * struct vdev_kunit_disk - a RAM disk of a test's own
 * @disk: its gendisk
 * @file: the test's open of it, for reading and writing
 * @data: @bytes of RAM, vdev_kunit_disk_byte() at each offset at first
 * @bytes: the RAM's size; bios beyond it fail
 * @err_from: byte offset from which every bio fails, as dm-error's do
 *	(0: none does); the test may set it at any time between requests
 * @read_bytes: bytes of the reads it served
 * @write_bytes: bytes of the writes it served, zeroes included
 * @seen: VDEV_KUNIT_SEEN_* of every bio that reached it, served or not
 *
 * Bio-based: it completes every bio before submit_bio returns, so what it
 * counts is final once the request that caused it completed. No lock: a
 * test's requests reach the disk one at a time, and the test
 * reads the counters only once its request completed.
 */
struct vdev_kunit_disk {
	struct gendisk *disk;
	struct file *file;
	u8 *data;
	u64 bytes;
	u64 err_from;
	u64 read_bytes;
	u64 write_bytes;
	u32 seen;
};

u8 vdev_kunit_disk_byte(u64 off);
struct file *vdev_kunit_disk_add(struct kunit *test, struct vdev_kunit_disk *d,
				 u64 bytes, const struct vdev_kunit_disk_cfg *c);

#endif
