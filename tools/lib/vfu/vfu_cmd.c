// SPDX-License-Identifier: GPL-2.0
/*
 * vfu_cmd: the vfio-user commands of the selftests' client, each sent as
 * QEMU's vfio-user-pci sends it and its reply checked against the
 * protocol. See vfu_client.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "vfu_client.h"

/* Replies are read into this, one at a time: the client is single-threaded. */
static struct vfu_msg vfu_reply;

static size_t vfu_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* --- VERSION --------------------------------------------------------------- */

static int vfu_caps_json(const struct vfu_caps *caps, char *buf, size_t len)
{
	return snprintf(buf, len,
			"{\"capabilities\":{\"max_msg_fds\":%u,\"max_data_xfer_size\":%llu,\"pgsizes\":%llu,\"max_dma_maps\":%u}}",
			caps->max_msg_fds,
			(unsigned long long)caps->max_data_xfer_size,
			(unsigned long long)caps->pgsizes, caps->max_dma_maps);
}

/* The same major, no higher minor, NUL-terminated JSON we can read. */
static int vfu_version_reply(struct vfu_client *c, uint16_t major,
			     uint16_t minor, const struct vfu_msg *m)
{
	const char *json = (const char *)m->payload + sizeof(struct vfu_wire_version);
	struct vfu_wire_version v;
	struct vfu_caps caps;
	char why[128];
	size_t len;

	if (m->size < sizeof(v))
		return vfu_fail(c, -EPROTO, "VERSION reply of %u bytes", m->size);
	memcpy(&v, m->payload, sizeof(v));
	if (v.major != major || v.minor > minor)
		return vfu_fail(c, -EPROTO, "VERSION reply %u.%u to %u.%u",
				v.major, v.minor, major, minor);
	len = m->size - sizeof(v);
	if (!len)
		vfu_caps_default(&caps);
	else if (json[len - 1] != '\0')
		return vfu_fail(c, -EPROTO, "VERSION reply: JSON not NUL-terminated");
	else if (vfu_caps_parse(json, len - 1, &caps, why, sizeof(why)))
		return vfu_fail(c, -EPROTO, "VERSION reply: %s: %.*s", why,
				(int)vfu_min(len, 120), json);
	c->major = v.major;
	c->minor = v.minor;
	c->server = caps;
	return 0;
}

int vfu_version(struct vfu_client *c, uint16_t major, uint16_t minor,
		const char *json)
{
	struct vfu_wire_version v = { .major = major, .minor = minor };
	char ours[256], payload[VDEV_VFU_MAX_MSG];
	size_t len;
	int ret;

	if (!json) {
		vfu_caps_json(&c->ours, ours, sizeof(ours));
		json = ours;
	}
	len = strlen(json) + 1;
	if (sizeof(v) + len > sizeof(payload))
		return vfu_fail(c, -EINVAL, "VERSION JSON of %zu bytes", len);
	memcpy(payload, &v, sizeof(v));
	memcpy(payload + sizeof(v), json, len);
	ret = vfu_call(c, VDEV_VFU_VERSION, payload, sizeof(v) + len, NULL, 0,
		       &vfu_reply);
	if (ret)
		return ret;
	if (vfu_reply.nfds) {
		vfu_msg_close_fds(&vfu_reply);
		return vfu_fail(c, -EPROTO, "VERSION reply with fds");
	}
	return vfu_version_reply(c, major, minor, &vfu_reply);
}

/* --- device, region and irq info ------------------------------------------- */

/* A reply of exactly @len bytes and no fds, copied to @out. */
static int vfu_call_fixed(struct vfu_client *c, uint16_t command,
			  const void *req, size_t req_len, void *out,
			  size_t len)
{
	int ret;

	ret = vfu_call(c, command, req, req_len, NULL, 0, &vfu_reply);
	if (ret)
		return ret;
	if (vfu_reply.nfds || vfu_reply.size != len) {
		vfu_msg_close_fds(&vfu_reply);
		return vfu_fail(c, -EPROTO, "%s reply of %u bytes and %u fds, want %zu and none",
				vfu_cmd_name(command), vfu_reply.size,
				vfu_reply.nfds, len);
	}
	memcpy(out, vfu_reply.payload, len);
	return 0;
}

int vfu_device_info(struct vfu_client *c, struct vfu_wire_device_info *info)
{
	struct vfu_wire_device_info req = { .argsz = sizeof(req) };

	return vfu_call_fixed(c, VDEV_VFU_DEVICE_GET_INFO, &req, sizeof(req),
			      info, sizeof(*info));
}

int vfu_irq_info(struct vfu_client *c, uint32_t index,
		 struct vfio_irq_info *info)
{
	struct vfio_irq_info req = { .argsz = sizeof(req), .index = index };
	int ret;

	ret = vfu_call_fixed(c, VDEV_VFU_DEVICE_GET_IRQ_INFO, &req,
			     sizeof(req), info, sizeof(*info));
	if (!ret && info->index != index)
		return vfu_fail(c, -EPROTO, "GET_IRQ_INFO %u: reply for %u",
				index, info->index);
	return ret;
}

/* One GET_REGION_INFO with room for @argsz bytes; the reply in vfu_reply. */
static int vfu_region_info_once(struct vfu_client *c, uint32_t index,
				uint32_t argsz, struct vfio_region_info *info)
{
	struct vfio_region_info req = { .argsz = argsz, .index = index };
	int ret;

	ret = vfu_call(c, VDEV_VFU_DEVICE_GET_REGION_INFO, &req, sizeof(req),
		       NULL, 0, &vfu_reply);
	if (ret)
		return ret;
	if (vfu_reply.size < sizeof(*info) || vfu_reply.size > argsz ||
	    vfu_reply.nfds > 1) {
		vfu_msg_close_fds(&vfu_reply);
		return vfu_fail(c, -EPROTO, "GET_REGION_INFO %u with argsz %u: reply of %u bytes and %u fds",
				index, argsz, vfu_reply.size, vfu_reply.nfds);
	}
	memcpy(info, vfu_reply.payload, sizeof(*info));
	if (info->index != index) {
		vfu_msg_close_fds(&vfu_reply);
		return vfu_fail(c, -EPROTO, "GET_REGION_INFO %u: reply for %u",
				index, info->index);
	}
	return 0;
}

static int vfu_sparse_parse(struct vfu_client *c, struct vfu_region *r,
			    const uint8_t *p, uint32_t off, uint32_t size)
{
	struct vfio_region_info_cap_sparse_mmap cap;

	memcpy(&cap, p + off, sizeof(cap));
	if (cap.nr_areas > VFU_MAX_AREAS ||
	    off + sizeof(cap) + cap.nr_areas * sizeof(r->areas[0]) > size)
		return vfu_fail(c, -EPROTO, "region %u: sparse cap of %u areas in %u bytes",
				r->info.index, cap.nr_areas, size);
	r->sparse = true;
	r->nr_areas = cap.nr_areas;
	memcpy(r->areas, p + off + sizeof(cap),
	       cap.nr_areas * sizeof(r->areas[0]));
	return 0;
}

/* The capability chain of the reply in vfu_reply: in bounds, forward only. */
static int vfu_caps_walk(struct vfu_client *c, struct vfu_region *r)
{
	const uint32_t size = vfu_reply.size;
	const uint8_t *p = vfu_reply.payload;
	struct vfio_info_cap_header h;
	uint32_t off = r->info.cap_offset, prev = 0;

	if (!(r->info.flags & VFIO_REGION_INFO_FLAG_CAPS))
		return 0;
	while (off) {
		if (off < sizeof(r->info) || off <= prev || off % 4 ||
		    off + sizeof(h) > size)
			return vfu_fail(c, -EPROTO, "region %u: capability at %u of %u bytes (previous %u)",
					r->info.index, off, size, prev);
		memcpy(&h, p + off, sizeof(h));
		if (h.id == VFIO_REGION_INFO_CAP_SPARSE_MMAP &&
		    vfu_sparse_parse(c, r, p, off, size))
			return -EPROTO;
		prev = off;
		off = h.next;
	}
	return 0;
}

int vfu_region_info(struct vfu_client *c, uint32_t index,
		    struct vfu_region *r)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	ret = vfu_region_info_once(c, index, sizeof(r->info), &r->info);
	if (ret)
		return ret;
	r->first_argsz = r->info.argsz;
	if (r->info.argsz > sizeof(r->info)) {
		/* Too small: ask again with the room the reply asked for. */
		vfu_msg_close_fds(&vfu_reply);
		ret = vfu_region_info_once(c, index, r->first_argsz, &r->info);
		if (ret)
			return ret;
		if (r->info.argsz != r->first_argsz ||
		    vfu_reply.size != r->first_argsz) {
			vfu_msg_close_fds(&vfu_reply);
			return vfu_fail(c, -EPROTO, "region %u: argsz %u, then %u in %u bytes",
					index, r->first_argsz, r->info.argsz,
					vfu_reply.size);
		}
	}
	if (vfu_reply.nfds)
		r->fd = vfu_reply.fds[0];
	vfu_reply.nfds = 0;
	ret = vfu_caps_walk(c, r);
	if (ret)
		vfu_region_put(r);
	return ret;
}

void vfu_region_put(struct vfu_region *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

void *vfu_region_mmap(struct vfu_client *c, const struct vfu_region *r,
		      unsigned int area)
{
	const struct vfio_region_sparse_mmap_area *a = &r->areas[area];
	void *p;

	if (area >= r->nr_areas || r->fd < 0) {
		vfu_fail(c, -EINVAL, "region %u: no area %u or no fd (%d)",
			 r->info.index, area, r->fd);
		return NULL;
	}
	p = mmap(NULL, a->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd,
		 r->info.offset + a->offset);
	if (p == MAP_FAILED) {
		vfu_fail(c, -errno, "mmap of region %u area %u (%llu bytes at %llu): %s",
			 r->info.index, area, (unsigned long long)a->size,
			 (unsigned long long)(r->info.offset + a->offset),
			 strerror(errno));
		return NULL;
	}
	return p;
}

/* --- interrupts ------------------------------------------------------------ */

static int vfu_set_irqs_one(struct vfu_client *c, struct vfio_irq_set *s,
			    const int *fds, unsigned int nfds,
			    const uint8_t *bools)
{
	uint8_t buf[sizeof(*s) + VDEV_VFU_MAX_XFER];
	size_t len = sizeof(*s);

	if (bools) {
		if (s->count > VDEV_VFU_MAX_XFER)
			return vfu_fail(c, -EINVAL, "SET_IRQS: %u bools",
					s->count);
		memcpy(buf + len, bools, s->count);
		len += s->count;
	}
	s->argsz = len;
	memcpy(buf, s, sizeof(*s));
	return vfu_call(c, VDEV_VFU_DEVICE_SET_IRQS, buf, len, fds, nfds, NULL);
}

int vfu_set_irqs(struct vfu_client *c, uint32_t index, uint32_t flags,
		 uint32_t start, uint32_t count, const int *fds,
		 const uint8_t *bools)
{
	struct vfio_irq_set s = { .flags = flags, .index = index,
				  .start = start, .count = count };
	uint32_t chunk, done, n;
	int ret;

	if (!(flags & VFIO_IRQ_SET_DATA_EVENTFD) || !fds || !count)
		return vfu_set_irqs_one(c, &s, NULL, 0,
					flags & VFIO_IRQ_SET_DATA_BOOL ?
					bools : NULL);
	chunk = vfu_min(c->server.max_msg_fds, VFU_MAX_FDS);
	if (!chunk)
		return vfu_fail(c, -EINVAL, "the server takes no fds");
	for (done = 0; done < count; done += n) {
		n = vfu_min(chunk, count - done);
		s.start = start + done;
		s.count = n;
		ret = vfu_set_irqs_one(c, &s, fds + done, n, NULL);
		if (ret)
			return ret;
	}
	return 0;
}

/* --- guest memory ---------------------------------------------------------- */

int vfu_mem_create(struct vfu_client *c, struct vfu_mem *m, uint64_t size)
{
	m->size = size;
	m->fd = memfd_create("vfu-guest", MFD_CLOEXEC);
	if (m->fd < 0)
		return vfu_fail(c, -errno, "memfd_create: %s", strerror(errno));
	if (ftruncate(m->fd, size) < 0)
		goto fail;
	m->host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->host != MAP_FAILED)
		return 0;
fail:
	vfu_fail(c, -errno, "guest memory of %llu bytes: %s",
		 (unsigned long long)size, strerror(errno));
	close(m->fd);
	m->fd = -1;
	m->host = NULL;
	return -ENOMEM;
}

void vfu_mem_destroy(struct vfu_mem *m)
{
	if (m->host)
		munmap(m->host, m->size);
	if (m->fd >= 0)
		close(m->fd);
	m->host = NULL;
	m->fd = -1;
}

int vfu_dma_map(struct vfu_client *c, const struct vfu_mem *m,
		uint64_t offset, uint64_t iova, uint64_t size, uint32_t flags)
{
	struct vfu_wire_dma_map req = {
		.argsz = sizeof(req), .flags = flags, .offset = offset,
		.addr = iova, .size = size,
	};

	return vfu_call(c, VDEV_VFU_DMA_MAP, &req, sizeof(req),
			m ? &m->fd : NULL, m ? 1 : 0, NULL);
}

int vfu_dma_unmap(struct vfu_client *c, uint64_t iova, uint64_t size)
{
	struct vfu_wire_dma_unmap req = {
		.argsz = sizeof(req), .addr = iova, .size = size,
	}, got;
	int ret;

	ret = vfu_call_fixed(c, VDEV_VFU_DMA_UNMAP, &req, sizeof(req), &got,
			     sizeof(got));
	if (!ret && (got.addr != iova || got.size != size || got.flags))
		return vfu_fail(c, -EPROTO, "DMA_UNMAP reply for 0x%llx+0x%llx flags 0x%x",
				(unsigned long long)got.addr,
				(unsigned long long)got.size, got.flags);
	return ret;
}

/* --- region access --------------------------------------------------------- */

/* Bytes one REGION_READ/WRITE may move: the server's limit and ours. */
static size_t vfu_xfer_max(const struct vfu_client *c)
{
	/* A server that allows no bytes still gets one at a time. */
	return vfu_min(c->server.max_data_xfer_size ?: 1, VDEV_VFU_MAX_XFER);
}

/* The reply's fixed part must echo the request's. */
static int vfu_rw_echo(struct vfu_client *c, uint16_t command,
		       const struct vfu_wire_region_rw *req, size_t want)
{
	struct vfu_wire_region_rw got;

	if (vfu_reply.nfds || vfu_reply.size != want) {
		vfu_msg_close_fds(&vfu_reply);
		return vfu_fail(c, -EPROTO, "%s reply of %u bytes and %u fds, want %zu",
				vfu_cmd_name(command), vfu_reply.size,
				vfu_reply.nfds, want);
	}
	memcpy(&got, vfu_reply.payload, sizeof(got));
	if (memcmp(&got, req, sizeof(got)))
		return vfu_fail(c, -EPROTO, "%s reply for region %u 0x%llx+%u, asked %u 0x%llx+%u",
				vfu_cmd_name(command), got.region,
				(unsigned long long)got.offset, got.count,
				req->region, (unsigned long long)req->offset,
				req->count);
	return 0;
}

int vfu_region_read(struct vfu_client *c, uint32_t region, uint64_t offset,
		    void *buf, size_t len)
{
	struct vfu_wire_region_rw req = { .region = region };
	size_t done;
	int ret;

	for (done = 0; done < len; done += req.count) {
		req.offset = offset + done;
		req.count = vfu_min(len - done, vfu_xfer_max(c));
		ret = vfu_call(c, VDEV_VFU_REGION_READ, &req, sizeof(req),
			       NULL, 0, &vfu_reply) ?:
		      vfu_rw_echo(c, VDEV_VFU_REGION_READ, &req,
				  sizeof(req) + req.count);
		if (ret)
			return ret;
		memcpy((uint8_t *)buf + done, vfu_reply.payload + sizeof(req),
		       req.count);
	}
	return 0;
}

int vfu_region_write(struct vfu_client *c, uint32_t region, uint64_t offset,
		     const void *buf, size_t len)
{
	uint8_t msg[sizeof(struct vfu_wire_region_rw) + VDEV_VFU_MAX_XFER];
	struct vfu_wire_region_rw req = { .region = region };
	size_t done;
	int ret;

	for (done = 0; done < len; done += req.count) {
		req.offset = offset + done;
		req.count = vfu_min(len - done, vfu_xfer_max(c));
		memcpy(msg, &req, sizeof(req));
		memcpy(msg + sizeof(req), (const uint8_t *)buf + done,
		       req.count);
		ret = vfu_call(c, VDEV_VFU_REGION_WRITE, msg,
			       sizeof(req) + req.count, NULL, 0, &vfu_reply) ?:
		      vfu_rw_echo(c, VDEV_VFU_REGION_WRITE, &req, sizeof(req));
		if (ret)
			return ret;
	}
	return 0;
}

int vfu_reset(struct vfu_client *c)
{
	return vfu_call(c, VDEV_VFU_DEVICE_RESET, NULL, 0, NULL, 0, NULL);
}
