// SPDX-License-Identifier: GPL-2.0
/*
 * Shared KUnit helpers (kunit_util.h).
 */
#include <linux/blkdev.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/shmem_fs.h>
#include <linux/vmalloc.h>

#include "kunit_util.h"

KUNIT_DEFINE_ACTION_WRAPPER(vdev_kunit_fput, fput, struct file *);
KUNIT_DEFINE_ACTION_WRAPPER(vdev_kunit_mem_put, vdev_mem_put,
			    struct vdev_mem *);
KUNIT_DEFINE_ACTION_WRAPPER(vdev_kunit_vfree, vfree, const void *);

/**
 * vdev_kunit_mem - guest memory for a test, as a front end would give it
 * @test: the test; the memory and its file go when it ends
 * @gpa: guest-physical address of the one region
 * @size: its size
 *
 * A shmem file pinned like a memfd from QEMU: the real pinning and
 * translation paths run, nothing is mocked.
 */
struct vdev_mem *vdev_kunit_mem(struct kunit *test, u64 gpa, u64 size)
{
	struct vdev_mem_desc d = { .gpa = gpa, .size = size };
	struct vdev_mem_region *r;
	struct vdev_mem *mem;

	d.file = shmem_file_setup("vdev-kunit", size, VM_NORESERVE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(d.file));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vdev_kunit_fput,
							d.file), 0);
	r = vdev_mem_region_pin(&d, U64_MAX);
	KUNIT_ASSERT_FALSE(test, IS_ERR(r));
	mem = vdev_mem_create(&r, 1, U64_MAX);
	vdev_mem_region_put(r);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mem));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vdev_kunit_mem_put,
							mem), 0);
	return mem;
}

/* --- the test disk ------------------------------------------------------ */

/**
 * vdev_kunit_disk_byte - a test disk's first byte at @off
 * @off: byte offset on the disk
 *
 * Never zero, so that zeroed ranges show; unlike what tests put in guest
 * memory, so that a copy that did not happen shows too.
 */
u8 vdev_kunit_disk_byte(u64 off)
{
	return off % 251 + 1;
}

static u32 vdev_kunit_bio_seen(const struct bio *bio)
{
	u32 seen = 0;

	switch (bio_op(bio)) {
	case REQ_OP_READ:
		seen = bio->bi_iter.bi_size ? VDEV_KUNIT_SEEN_READ : 0;
		break;
	case REQ_OP_WRITE:
		seen = bio->bi_iter.bi_size ? VDEV_KUNIT_SEEN_WRITE : 0;
		break;
	case REQ_OP_DISCARD:
		seen = VDEV_KUNIT_SEEN_DISCARD;
		break;
	case REQ_OP_WRITE_ZEROES:
		seen = VDEV_KUNIT_SEEN_ZEROES;
		break;
	default:
		break;
	}
	if (bio->bi_opf & REQ_PREFLUSH)
		seen |= VDEV_KUNIT_SEEN_PREFLUSH;
	if (bio->bi_opf & REQ_FUA)
		seen |= VDEV_KUNIT_SEEN_FUA;
	if (bio->bi_opf & REQ_NOUNMAP)
		seen |= VDEV_KUNIT_SEEN_NOUNMAP;
	return seen;
}

static void vdev_kunit_disk_copy(struct vdev_kunit_disk *d, struct bio *bio,
				 u64 off)
{
	struct bvec_iter iter;
	struct bio_vec bv;
	void *p;

	bio_for_each_segment(bv, bio, iter) {
		p = bvec_kmap_local(&bv);
		if (op_is_write(bio_op(bio)))
			memcpy(d->data + off, p, bv.bv_len);
		else
			memcpy(p, d->data + off, bv.bv_len);
		kunmap_local(p);
		off += bv.bv_len;
	}
}

/* A RAM disk that completes every bio before it returns. */
static void vdev_kunit_disk_submit_bio(struct bio *bio)
{
	struct vdev_kunit_disk *d = bio->bi_bdev->bd_disk->private_data;
	u64 off = bio->bi_iter.bi_sector << SECTOR_SHIFT;
	u32 size = bio->bi_iter.bi_size;

	d->seen |= vdev_kunit_bio_seen(bio);
	/* A capacity beyond the RAM is addressable, not backed. */
	if (off > d->bytes || size > d->bytes - off ||
	    (d->err_from && off + size > d->err_from)) {
		bio_io_error(bio);
		return;
	}
	switch (bio_op(bio)) {
	case REQ_OP_READ:
		vdev_kunit_disk_copy(d, bio, off);
		d->read_bytes += size;
		break;
	case REQ_OP_WRITE:
		vdev_kunit_disk_copy(d, bio, off);
		d->write_bytes += size;
		break;
	case REQ_OP_WRITE_ZEROES:
		memset(d->data + off, 0, size);
		d->write_bytes += size;
		break;
	case REQ_OP_DISCARD:
		memset(d->data + off, 0, size);
		break;
	default:
		bio->bi_status = BLK_STS_NOTSUPP;
		break;
	}
	bio_endio(bio);
}

static const struct block_device_operations vdev_kunit_disk_fops = {
	.owner		= THIS_MODULE,
	.submit_bio	= vdev_kunit_disk_submit_bio,
};

static void vdev_kunit_disk_del(void *data)
{
	struct vdev_kunit_disk *d = data;

	/* The test runs in a kthread: a plain fput() would be deferred. */
	if (d->file)
		__fput_sync(d->file);
	del_gendisk(d->disk);
	put_disk(d->disk);
}

static struct gendisk *vdev_kunit_disk_alloc(struct kunit *test,
					     const struct vdev_kunit_disk_cfg *c,
					     u64 bytes)
{
	struct queue_limits lim = {
		.logical_block_size = c->lbs,
		.physical_block_size = c->pbs,
		.io_min = c->io_min,
		.io_opt = c->io_opt,
		.alignment_offset = c->align,
		.max_hw_discard_sectors = c->discard,
		.discard_granularity = c->discard_gran,
		.max_write_zeroes_sectors = c->zeroes,
	};
	static atomic_t nr = ATOMIC_INIT(0);
	struct gendisk *disk;

	if (c->cache)
		lim.features |= BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA;
	if (c->write_through)
		lim.flags |= BLK_FLAG_WRITE_CACHE_DISABLED;
	disk = blk_alloc_disk(&lim, NUMA_NO_NODE);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(disk), "blk_alloc_disk: %ld",
			       PTR_ERR(disk));
	disk->fops = &vdev_kunit_disk_fops;
	disk->flags |= GENHD_FL_NO_PART;
	snprintf(disk->disk_name, DISK_NAME_LEN, "vdevkt%d",
		 atomic_inc_return(&nr));
	set_capacity(disk, c->capacity ?: bytes >> SECTOR_SHIFT);
	return disk;
}

/**
 * vdev_kunit_disk_add - add a RAM disk and open it for reading and writing
 * @test: the test; the disk, its RAM and the open go when it ends
 * @d: the disk to fill in, counters and @err_from reset
 * @bytes: its RAM, a multiple of the logical block size
 * @c: its queue limits
 *
 * Return: the open disk, as a namespace's bdev_file; the test fails and
 * ends if the disk cannot be made.
 */
struct file *vdev_kunit_disk_add(struct kunit *test, struct vdev_kunit_disk *d,
				 u64 bytes, const struct vdev_kunit_disk_cfg *c)
{
	struct file *file;
	u64 i;

	*d = (struct vdev_kunit_disk){ .bytes = bytes };
	d->data = vmalloc(bytes);
	KUNIT_ASSERT_NOT_NULL(test, d->data);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vdev_kunit_vfree,
							d->data), 0);
	for (i = 0; i < bytes; i++)
		d->data[i] = vdev_kunit_disk_byte(i);
	d->disk = vdev_kunit_disk_alloc(test, c, bytes);
	d->disk->private_data = d;
	if (add_disk(d->disk)) {
		put_disk(d->disk);
		KUNIT_FAIL_AND_ABORT(test, "add_disk failed");
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vdev_kunit_disk_del,
							d), 0);
	file = bdev_file_open_by_dev(disk_devt(d->disk),
				     BLK_OPEN_READ | BLK_OPEN_WRITE, NULL, NULL);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "open: %ld", PTR_ERR(file));
	d->file = file;
	/* As BLKROSET would, after the disk was opened for writing. */
	if (c->disk_ro)
		set_disk_ro(d->disk, true);
	return file;
}
