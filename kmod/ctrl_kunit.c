// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: controller names, socket paths and configuration checks.
 */
#include <kunit/test.h>

#include "vdev.h"

struct vdev_str_case {
	const char *str;
	bool valid;
};

static const struct vdev_str_case vdev_name_cases[] = {
	{ "vm0", true },
	{ "a", true },
	{ "db-1_disk.2", true },
	{ "0123456789012345678901234567890", true },	/* 31 chars */
	{ "01234567890123456789012345678901", false },	/* 32 chars */
	{ "", false },
	{ ".hidden", false },
	{ "-flag", false },
	{ "has space", false },
	{ "slash/name", false },
	{ "tab\tname", false },
	{ "ünicode", false },
	{ "\xe9t\xe9", false },	/* Latin-1: isalnum() says yes */
	{ "\x7f", false },
};

static void vdev_str_case_desc(const struct vdev_str_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\" %s", c->str,
		 c->valid ? "valid" : "invalid");
}

KUNIT_ARRAY_PARAM(vdev_name, vdev_name_cases, vdev_str_case_desc);

static void vdev_ctrl_name_test(struct kunit *test)
{
	const struct vdev_str_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, vdev_ctrl_name_valid(c->str), c->valid);
}

static const struct vdev_str_case vdev_path_cases[] = {
	{ "/run/vdev/vm0.sock", true },
	{ "/x", true },
	{ "/var/lib/..x/sock", true },	/* "..x" is a name, not ".." */
	{ "/a/b..", true },
	{ "relative.sock", false },
	{ "/", false },
	{ "", false },
	{ "/run/vdev/", false },
	{ "/run/../etc/sock", false },
	{ "/run/..", false },
	{ "/..", false },
	{ "/run//vm0.sock", false },	/* would alias /run/vm0.sock */
	{ "//vm0.sock", false },
	{ "/run/./vm0.sock", false },
	{ "/run/.", false },
	{ "/.hidden/vm0.sock", true },
	{ "/run/.../vm0.sock", true },
};

KUNIT_ARRAY_PARAM(vdev_path, vdev_path_cases, vdev_str_case_desc);

static void vdev_socket_path_test(struct kunit *test)
{
	const struct vdev_str_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, vdev_socket_path_valid(c->str), c->valid);
}

/* 107 characters is the most sun_path holds with its NUL. */
static void vdev_socket_path_len_test(struct kunit *test)
{
	char path[VDEV_SOCKET_PATH_LEN + 1];

	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[VDEV_SOCKET_PATH_LEN - 1] = '\0';
	KUNIT_EXPECT_TRUE(test, vdev_socket_path_valid(path));
	path[VDEV_SOCKET_PATH_LEN - 1] = 'a';
	path[VDEV_SOCKET_PATH_LEN] = '\0';
	KUNIT_EXPECT_FALSE(test, vdev_socket_path_valid(path));
}

struct vdev_cfg_case {
	const char *desc;
	enum vdev_ctrl_type type;
	u32 num_queues;
	u32 queue_size;
	const char *cpus;	/* NULL: every online CPU */
	const char *socket;
	int ret;
};

static const struct vdev_cfg_case vdev_cfg_cases[] = {
	{ "blk defaults", VDEV_CTRL_TYPE_VIRTIO_BLK, 1, 256, NULL, "/s", 0 },
	{ "blk max", VDEV_CTRL_TYPE_VIRTIO_BLK, 64, 32768, "0", "/s", 0 },
	{ "queue size 2", VDEV_CTRL_TYPE_VIRTIO_SCSI, 4, 2, NULL, "/s", 0 },
	{ "queue size 3", VDEV_CTRL_TYPE_VIRTIO_BLK, 1, 3, NULL, "/s", -EINVAL },
	{ "queue size 1", VDEV_CTRL_TYPE_VIRTIO_BLK, 1, 1, NULL, "/s", -ERANGE },
	{ "nvme 4096", VDEV_CTRL_TYPE_NVME, 8, 4096, NULL, "/s", 0 },
	{ "nvme 8192", VDEV_CTRL_TYPE_NVME, 8, 8192, NULL, "/s", -ERANGE },
	{ "65 queues", VDEV_CTRL_TYPE_VIRTIO_BLK, 65, 256, NULL, "/s", -ERANGE },
	{ "0 queues", VDEV_CTRL_TYPE_NVME, 0, 256, NULL, "/s", -ERANGE },
	{ "empty cpumask", VDEV_CTRL_TYPE_VIRTIO_BLK, 1, 256, "", "/s", -EINVAL },
	{ "relative socket", VDEV_CTRL_TYPE_VIRTIO_BLK, 1, 256, NULL, "s", -EINVAL },
};

static void vdev_cfg_case_desc(const struct vdev_cfg_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vdev_cfg, vdev_cfg_cases, vdev_cfg_case_desc);

static void vdev_ctrl_cfg_check_test(struct kunit *test)
{
	const struct vdev_cfg_case *c = test->param_value;
	const struct vdev_dev_ops *ops = vdev_dev_ops_find(c->type);
	struct vdev_ctrl_cfg cfg = {
		.type = c->type,
		.num_queues = c->num_queues,
		.queue_size = c->queue_size,
	};

	KUNIT_ASSERT_NOT_NULL(test, ops);
	KUNIT_ASSERT_TRUE(test, zalloc_cpumask_var(&cfg.cpus, GFP_KERNEL));
	if (c->cpus)
		KUNIT_EXPECT_EQ(test, cpulist_parse(c->cpus, cfg.cpus), 0);
	else
		cpumask_copy(cfg.cpus, cpu_online_mask);
	strscpy(cfg.socket_path, c->socket, sizeof(cfg.socket_path));

	KUNIT_EXPECT_EQ(test, vdev_ctrl_cfg_check(&cfg, ops, NULL), c->ret);
	free_cpumask_var(cfg.cpus);
}

static void vdev_dev_ops_find_test(struct kunit *test)
{
	KUNIT_EXPECT_PTR_EQ(test, vdev_dev_ops_find(VDEV_CTRL_TYPE_VIRTIO_BLK),
			    &vdev_blk_ops);
	KUNIT_EXPECT_PTR_EQ(test, vdev_dev_ops_find(VDEV_CTRL_TYPE_VIRTIO_SCSI),
			    &vdev_scsi_ops);
	KUNIT_EXPECT_PTR_EQ(test, vdev_dev_ops_find(VDEV_CTRL_TYPE_NVME),
			    &vdev_nvme_ops);
	KUNIT_EXPECT_NULL(test, vdev_dev_ops_find(0));
	KUNIT_EXPECT_NULL(test, vdev_dev_ops_find(VDEV_CTRL_TYPE_NVME + 1));
}

static struct kunit_case vdev_ctrl_test_cases[] = {
	KUNIT_CASE_PARAM(vdev_ctrl_name_test, vdev_name_gen_params),
	KUNIT_CASE_PARAM(vdev_socket_path_test, vdev_path_gen_params),
	KUNIT_CASE(vdev_socket_path_len_test),
	KUNIT_CASE_PARAM(vdev_ctrl_cfg_check_test, vdev_cfg_gen_params),
	KUNIT_CASE(vdev_dev_ops_find_test),
	{}
};

static struct kunit_suite vdev_ctrl_test_suite = {
	.name = "vdev_ctrl",
	.test_cases = vdev_ctrl_test_cases,
};

kunit_test_suite(vdev_ctrl_test_suite);
