// SPDX-License-Identifier: GPL-2.0
/*
 * Shared KUnit helpers (kunit_util.h).
 */
#include <linux/err.h>
#include <linux/file.h>
#include <linux/shmem_fs.h>

#include "kunit_util.h"

KUNIT_DEFINE_ACTION_WRAPPER(vdev_kunit_fput, fput, struct file *);
KUNIT_DEFINE_ACTION_WRAPPER(vdev_kunit_mem_put, vdev_mem_put,
			    struct vdev_mem *);

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
