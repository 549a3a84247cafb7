// SPDX-License-Identifier: GPL-2.0
/*
 * vu_vhost: the front end's rings and guest memory driven through a
 * vhost-kernel device (/dev/vhost-scsi) instead of a vhost-user socket.
 * See vu_front.h.
 *
 * vhost-user was modelled on these ioctls, one message per ioctl with the
 * same payload, so the ring start sequence is vu_ring.c's, sent through
 * vu_vhost_vring_ops. The differences that matter: the kernel reads the
 * rings and the data at our own virtual addresses (it runs in our mm), so
 * the memory table carries no fds; and vhost-scsi serves nothing until
 * VHOST_SCSI_SET_ENDPOINT ties the device to a LIO target port.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/vhost.h>

#include "vu_front.h"

#define VU_VHOST_CONFIGFS	"/sys/kernel/config/target/vhost"

/* Record a failed ioctl, naming it; returns -errno. */
static int vu_vhost_fail(struct vu_front *f, const char *what,
			 unsigned int index)
{
	int err = errno;

	return vu_fail(f, -err, "%s(%u): %s", what, index, strerror(err));
}

/* --- the ring requests as ioctls ----------------------------------------- */

static unsigned long vu_vhost_state_ioctl(uint32_t request)
{
	return request == VDEV_VU_SET_VRING_NUM ? VHOST_SET_VRING_NUM :
						  VHOST_SET_VRING_BASE;
}

static int vu_vhost_vring_state(struct vu_front *f, uint32_t request,
				unsigned int index, uint32_t num)
{
	struct vhost_vring_state st = { .index = index, .num = num };

	if (ioctl(f->vhost_fd, vu_vhost_state_ioctl(request), &st))
		return vu_vhost_fail(f, vu_req_name(request), index);
	return 0;
}

static int vu_vhost_vring_addr(struct vu_front *f,
			       const struct vu_wire_vring_addr *a)
{
	struct vhost_vring_addr va = {
		.index = a->index,
		.desc_user_addr = a->desc_uaddr,
		.used_user_addr = a->used_uaddr,
		.avail_user_addr = a->avail_uaddr,
	};

	if (ioctl(f->vhost_fd, VHOST_SET_VRING_ADDR, &va))
		return vu_vhost_fail(f, "SET_VRING_ADDR", a->index);
	return 0;
}

static unsigned long vu_vhost_fd_ioctl(uint32_t request)
{
	switch (request) {
	case VDEV_VU_SET_VRING_KICK:
		return VHOST_SET_VRING_KICK;
	case VDEV_VU_SET_VRING_CALL:
		return VHOST_SET_VRING_CALL;
	default:
		return VHOST_SET_VRING_ERR;
	}
}

static int vu_vhost_vring_fd(struct vu_front *f, uint32_t request,
			     unsigned int index, int fd)
{
	struct vhost_vring_file vf = { .index = index,
				       .fd = fd < 0 ? VHOST_FILE_UNBIND : fd };

	if (ioctl(f->vhost_fd, vu_vhost_fd_ioctl(request), &vf))
		return vu_vhost_fail(f, vu_req_name(request), index);
	return 0;
}

static const struct vu_vring_ops vu_vhost_vring_ops = {
	.state = vu_vhost_vring_state,
	.addr = vu_vhost_vring_addr,
	.fd = vu_vhost_vring_fd,
};

/* --- the device ------------------------------------------------------------ */

/* Why open() failed, with what to do about it. */
static int vu_vhost_open_fail(struct vu_front *f, const char *path)
{
	int err = errno;

	if (err == ENOENT && !strcmp(path, VU_VHOST_SCSI_DEV))
		return vu_fail(f, -err, "%s: no such device: modprobe vhost_scsi",
			       path);
	if (err == EACCES || err == EPERM)
		return vu_fail(f, -err, "%s: %s: run as root", path,
			       strerror(err));
	return vu_fail(f, -err, "%s: %s", path, strerror(err));
}

/* A failed open leaves nothing open: the fd holds the vhost worker. */
static int vu_vhost_open_undo(struct vu_front *f, const char *what)
{
	int ret = vu_vhost_fail(f, what, 0);

	close(f->vhost_fd);
	f->vhost_fd = -1;
	return ret;
}

int vu_vhost_open(struct vu_front *f, const char *path)
{
	uint64_t features;

	if (f->vhost_fd >= 0)
		return vu_fail(f, -EBUSY, "%s: a vhost device is open already", path);
	f->vhost_fd = open(path, O_RDWR | O_CLOEXEC);
	if (f->vhost_fd < 0)
		return vu_vhost_open_fail(f, path);
	snprintf(f->path, sizeof(f->path), "%s", path);
	/* Creates the vhost worker, a thread of ours named vhost-PID. */
	if (ioctl(f->vhost_fd, VHOST_SET_OWNER, NULL))
		return vu_vhost_open_undo(f, "VHOST_SET_OWNER");
	if (ioctl(f->vhost_fd, VHOST_GET_FEATURES, &features))
		return vu_vhost_open_undo(f, "VHOST_GET_FEATURES");
	f->features = features;
	return 0;
}

/* Every region, at our mapping: the kernel translates gpa to it. */
static int vu_vhost_set_mem_table(struct vu_front *f)
{
	struct vhost_memory *m;
	unsigned int i;
	int ret = 0;

	m = calloc(1, sizeof(*m) + f->nregions * sizeof(m->regions[0]));
	if (!m)
		return vu_fail(f, -ENOMEM, "out of memory");
	m->nregions = f->nregions;
	for (i = 0; i < f->nregions; i++) {
		m->regions[i].guest_phys_addr = f->regions[i].gpa;
		m->regions[i].memory_size = f->regions[i].size;
		m->regions[i].userspace_addr = (uintptr_t)f->regions[i].host;
	}
	if (ioctl(f->vhost_fd, VHOST_SET_MEM_TABLE, m))
		ret = vu_vhost_fail(f, "VHOST_SET_MEM_TABLE", f->nregions);
	for (i = 0; !ret && i < f->nregions; i++)
		f->regions[i].added = true;
	free(m);
	return ret;
}

int vu_vhost_start(struct vu_front *f, uint64_t features)
{
	unsigned int i;
	int ret;

	if (features & ~f->features)
		return vu_fail(f, -EINVAL, "features %#llx not offered (%#llx)",
			       (unsigned long long)features,
			       (unsigned long long)f->features);
	if (ioctl(f->vhost_fd, VHOST_SET_FEATURES, &features))
		return vu_vhost_fail(f, "VHOST_SET_FEATURES", 0);
	f->acked_features = features;
	ret = vu_vhost_set_mem_table(f);
	if (ret)
		return ret;
	for (i = 0; i < f->nqueues; i++) {
		ret = vu_queue_start(f, f->queues[i], &vu_vhost_vring_ops);
		if (ret)
			return ret;
		f->queues[i]->started = true;
	}
	return 0;
}

void vu_vhost_close(struct vu_front *f)
{
	unsigned int i;

	if (f->vhost_fd < 0)
		return;
	/* Waits for the commands in flight; release would do it too. */
	vu_vhost_scsi_clear_endpoint(f);
	close(f->vhost_fd);
	f->vhost_fd = -1;
	for (i = 0; i < f->nregions; i++)
		f->regions[i].added = false;
	for (i = 0; i < f->nqueues; i++)
		if (f->queues[i])
			f->queues[i]->started = false;
}

/* --- vhost-scsi ------------------------------------------------------------ */

int vu_vhost_scsi_check_abi(struct vu_front *f)
{
	int abi = 0;

	if (ioctl(f->vhost_fd, VHOST_SCSI_GET_ABI_VERSION, &abi))
		return vu_vhost_fail(f, "VHOST_SCSI_GET_ABI_VERSION", 0);
	/* Like QEMU: a newer kernel ABI may change what the ioctls mean. */
	if (abi > VHOST_SCSI_ABI_VERSION)
		return vu_fail(f, -EPROTONOSUPPORT, "vhost-scsi ABI version %d: this build speaks %d; rebuild against the kernel's <linux/vhost.h>",
			       abi, VHOST_SCSI_ABI_VERSION);
	return 0;
}

/* Does configfs have @pattern (a glob)? */
static bool vu_vhost_configfs_has(const char *pattern)
{
	glob_t g;
	bool found;

	found = !glob(pattern, 0, NULL, &g) && g.gl_pathc;
	globfree(&g);
	return found;
}

/* Does any target port group of @wwpn have an I_T nexus? */
static bool vu_vhost_has_nexus(const char *wwpn)
{
	char pattern[512], buf[256];
	bool found = false;
	size_t i;
	glob_t g;

	snprintf(pattern, sizeof(pattern), VU_VHOST_CONFIGFS "/%s/tpgt_*/nexus",
		 wwpn);
	if (glob(pattern, 0, NULL, &g))
		return false;
	for (i = 0; i < g.gl_pathc && !found; i++) {
		FILE *fp = fopen(g.gl_pathv[i], "r");

		/* Reading a tpgt's nexus fails (ENODEV) while it has none. */
		found = fp && fgets(buf, sizeof(buf), fp);
		if (fp)
			fclose(fp);
	}
	globfree(&g);
	return found;
}

/* SET_ENDPOINT said ENODEV: which of its reasons, from configfs. */
static int vu_vhost_scsi_nodev(struct vu_front *f, const char *wwpn)
{
	char path[512];
	struct stat st;

	if (stat(VU_VHOST_CONFIGFS, &st))
		return vu_fail(f, -ENODEV, "vhost-scsi %s: %s missing: configure LIO (tools/testing/vhost-scsi-setup.sh, or targetcli /vhost create %s)",
			       wwpn, VU_VHOST_CONFIGFS, wwpn);
	snprintf(path, sizeof(path), VU_VHOST_CONFIGFS "/%s", wwpn);
	if (stat(path, &st))
		return vu_fail(f, -ENODEV, "vhost-scsi: no target port %s: %s does not exist",
			       wwpn, path);
	snprintf(path, sizeof(path), VU_VHOST_CONFIGFS "/%s/tpgt_*", wwpn);
	if (!vu_vhost_configfs_has(path))
		return vu_fail(f, -ENODEV, "vhost-scsi %s: no target port group (tpgt_N)",
			       wwpn);
	if (!vu_vhost_has_nexus(wwpn))
		return vu_fail(f, -ENODEV, "vhost-scsi %s: no tpgt has an I_T nexus: write an initiator name (naa.<hex>) to a tpgt's nexus",
			       wwpn);
	return vu_fail(f, -EBUSY, "vhost-scsi %s: the endpoint is busy: another vhost-scsi user (QEMU?) holds its target port groups",
		       wwpn);
}

int vu_vhost_scsi_set_endpoint(struct vu_front *f, const char *wwpn)
{
	struct vhost_scsi_target t = { 0 };

	if (strlen(wwpn) >= sizeof(t.vhost_wwpn))
		return vu_fail(f, -ENAMETOOLONG, "vhost-scsi WWPN too long: %s",
			       wwpn);
	snprintf(t.vhost_wwpn, sizeof(t.vhost_wwpn), "%s", wwpn);
	if (ioctl(f->vhost_fd, VHOST_SCSI_SET_ENDPOINT, &t)) {
		if (errno == ENODEV)
			return vu_vhost_scsi_nodev(f, wwpn);
		if (errno == EFAULT)
			return vu_fail(f, -EFAULT, "VHOST_SCSI_SET_ENDPOINT %s: the kernel cannot reach a ring",
				       wwpn);
		return vu_vhost_fail(f, "VHOST_SCSI_SET_ENDPOINT", 0);
	}
	snprintf(f->vhost_wwpn, sizeof(f->vhost_wwpn), "%s", wwpn);
	f->vhost_endpoint = true;
	return 0;
}

int vu_vhost_scsi_clear_endpoint(struct vu_front *f)
{
	struct vhost_scsi_target t = { 0 };

	if (!f->vhost_endpoint)
		return 0;
	memcpy(t.vhost_wwpn, f->vhost_wwpn, sizeof(t.vhost_wwpn));
	f->vhost_endpoint = false;
	if (ioctl(f->vhost_fd, VHOST_SCSI_CLEAR_ENDPOINT, &t))
		return vu_vhost_fail(f, "VHOST_SCSI_CLEAR_ENDPOINT", 0);
	return 0;
}
