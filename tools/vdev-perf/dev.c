// SPDX-License-Identifier: GPL-2.0
/*
 * vdev-perf: the device, as QEMU 7.2 and a Linux guest set it up: realize
 * (tools/lib/vu), the features a virtio-blk driver acks, guest memory for
 * the rings and every request's buffer, the rings started; and the
 * virtio-blk requests. scsi.c sets the virtio-scsi devices up from the
 * same steps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "vdev-perf.h"

#define MIB			(1024ULL * 1024)

/* What QEMU's vhost-user-blk and a Linux guest ack when offered. */
#define PERF_FEATURES		(PERF_BIT(VIRTIO_F_VERSION_1) | \
				 PERF_BIT(VDEV_VU_F_PROTOCOL_FEATURES) | \
				 PERF_BIT(VIRTIO_BLK_F_SIZE_MAX) | \
				 PERF_BIT(VIRTIO_BLK_F_SEG_MAX) | \
				 PERF_BIT(VIRTIO_BLK_F_RO) | \
				 PERF_BIT(VIRTIO_BLK_F_BLK_SIZE) | \
				 PERF_BIT(VIRTIO_BLK_F_FLUSH) | \
				 PERF_BIT(VIRTIO_BLK_F_TOPOLOGY) | \
				 PERF_BIT(VIRTIO_BLK_F_MQ))
static const char *const perf_rw_names[] = {
	[PERF_RW_READ] = "read",
	[PERF_RW_WRITE] = "write",
	[PERF_RW_RANDREAD] = "randread",
	[PERF_RW_RANDWRITE] = "randwrite",
	[PERF_RW_RANDRW] = "randrw",
};

const char *perf_rw_name(enum perf_rw rw)
{
	return perf_rw_names[rw];
}

static bool perf_writes(const struct perf_opts *o)
{
	return o->rw != PERF_RW_READ && o->rw != PERF_RW_RANDREAD;
}

/* Report a failure of the front end with its reason. */
int perf_dev_fail(struct perf_job *j, int ret, const char *what)
{
	fprintf(stderr, "vdev-perf: %s: %s: %s\n", j->name, what,
		j->f.err[0] ? j->f.err : strerror(-ret));
	return ret;
}

static bool perf_want(enum perf_tri t, uint64_t offered, unsigned int bit)
{
	return t != PERF_OFF && (offered & PERF_BIT(bit));
}

/*
 * The ring features both devices ack, as a Linux guest does: VERSION_1,
 * RING_PACKED if asked for, EVENT_IDX and INDIRECT_DESC as offered unless
 * turned off. -EOPNOTSUPP when one the options need is missing.
 */
int perf_ring_features(struct perf_job *j, uint64_t offered)
{
	const struct perf_opts *o = j->o;

	/* Kept for the report: vu_close() forgets the negotiation. */
	j->offered = offered;
	j->features = PERF_BIT(VIRTIO_F_VERSION_1);
	if (!(offered & PERF_BIT(VIRTIO_F_VERSION_1)))
		return perf_dev_fail(j, -EOPNOTSUPP, "VERSION_1 not offered");
	if (o->packed && !(offered & PERF_BIT(VIRTIO_F_RING_PACKED)))
		return perf_dev_fail(j, -EOPNOTSUPP, "RING_PACKED not offered: try --ring split");
	if (o->packed)
		j->features |= PERF_BIT(VIRTIO_F_RING_PACKED);
	if (o->event_idx == PERF_ON && !(offered & PERF_BIT(VIRTIO_RING_F_EVENT_IDX)))
		return perf_dev_fail(j, -EOPNOTSUPP, "EVENT_IDX not offered");
	if (o->indirect == PERF_ON && !(offered & PERF_BIT(VIRTIO_RING_F_INDIRECT_DESC)))
		return perf_dev_fail(j, -EOPNOTSUPP, "INDIRECT_DESC not offered");
	j->event_idx = perf_want(o->event_idx, offered, VIRTIO_RING_F_EVENT_IDX);
	j->indirect = perf_want(o->indirect, offered, VIRTIO_RING_F_INDIRECT_DESC);
	if (j->event_idx)
		j->features |= PERF_BIT(VIRTIO_RING_F_EVENT_IDX);
	if (j->indirect)
		j->features |= PERF_BIT(VIRTIO_RING_F_INDIRECT_DESC);
	return 0;
}

/* ... and virtio-blk's. */
static int perf_blk_features(struct perf_job *j)
{
	const struct perf_opts *o = j->o;
	uint64_t offered = j->f.features;
	int ret;

	j->protocol = j->f.acked_protocol;
	ret = perf_ring_features(j, offered);
	if (ret)
		return ret;
	j->features |= offered & PERF_FEATURES;
	if (o->queues > 1 && !(offered & PERF_BIT(VIRTIO_BLK_F_MQ)))
		return perf_dev_fail(j, -EOPNOTSUPP, "several queues wanted, MQ not offered");
	if (perf_writes(o) || o->verify) {
		if (offered & PERF_BIT(VIRTIO_BLK_F_RO))
			return perf_dev_fail(j, -EROFS, "the disk is read-only");
	}
	return 0;
}

/* The range to use, from j->capacity and j->blk_size. */
int perf_range(struct perf_job *j)
{
	const struct perf_opts *o = j->o;
	uint64_t end;

	if (o->bs % j->blk_size || o->offset % j->blk_size) {
		fprintf(stderr, "vdev-perf: --bs %u and --offset %llu must be multiples of the disk's %u-byte blocks\n",
			o->bs, (unsigned long long)o->offset, j->blk_size);
		return -EINVAL;
	}
	if (o->offset % o->bs) {
		fprintf(stderr, "vdev-perf: --offset must be a multiple of --bs\n");
		return -EINVAL;
	}
	end = o->size ? o->offset + o->size : j->capacity;
	if (o->offset >= j->capacity || end > j->capacity ||
	    end - o->offset < o->bs) {
		fprintf(stderr, "vdev-perf: --offset %llu --size %llu: not within the disk (%llu bytes) or less than --bs\n",
			(unsigned long long)o->offset, (unsigned long long)o->size,
			(unsigned long long)j->capacity);
		return -EINVAL;
	}
	/* Blocks of bs from offset: random offsets are bs-aligned, as fio's. */
	j->first = o->offset / o->bs;
	j->nblocks = (end - o->offset) / o->bs;
	return 0;
}

/* The disk's geometry from the config space. */
static int perf_geometry(struct perf_job *j)
{
	j->capacity = j->cfg.capacity * PERF_SECTOR;
	j->blk_size = PERF_SECTOR;
	if (j->features & PERF_BIT(VIRTIO_BLK_F_BLK_SIZE) && j->cfg.blk_size)
		j->blk_size = j->cfg.blk_size;
	return perf_range(j);
}

/* Data buffers per request: the device's segment limits. */
static int perf_segments(struct perf_job *j)
{
	const struct perf_opts *o = j->o;
	/* An indirect table holds the header and status byte too. */
	unsigned int seg_max = VU_IND_MAX - 2;

	j->seg_len = o->bs;
	if (j->features & PERF_BIT(VIRTIO_BLK_F_SIZE_MAX) && j->cfg.size_max &&
	    j->cfg.size_max < j->seg_len)
		j->seg_len = j->cfg.size_max / 4096 * 4096 ?: j->cfg.size_max;
	if (j->features & PERF_BIT(VIRTIO_BLK_F_SEG_MAX) && j->cfg.seg_max &&
	    j->cfg.seg_max < seg_max)
		seg_max = j->cfg.seg_max;
	j->nseg = (o->bs + j->seg_len - 1) / j->seg_len;
	if (j->nseg > seg_max) {
		fprintf(stderr, "vdev-perf: --bs %u needs %u buffers of %u bytes; the device takes %u\n",
			o->bs, j->nseg, j->seg_len, seg_max);
		return -EINVAL;
	}
	return 0;
}

/* Descriptors a request takes in the ring: 1 indirect, or one a buffer. */
int perf_ring_fits(struct perf_job *j)
{
	const struct perf_opts *o = j->o;
	unsigned int per_req = j->indirect ? 1 : j->nseg + 2;

	if (o->iodepth * per_req <= o->ring_size && o->iodepth <= o->ring_size)
		return 0;
	fprintf(stderr, "vdev-perf: --iodepth %u needs %u descriptors%s; the ring has %u: raise --ring-size%s\n",
		o->iodepth, o->iodepth * per_req,
		j->indirect ? "" : " (direct chains)", o->ring_size,
		j->indirect ? "" : " or use indirect descriptors");
	return -EINVAL;
}

/*
 * Rings (desc, avail, used, indirect tables, commands; virtio-scsi's
 * control and event queues too), the buffers and each request's own
 * command area (virtio-scsi).
 */
static uint64_t perf_mem_size(const struct perf_job *j)
{
	const struct perf_opts *o = j->o;
	uint64_t per_ring, per_req, need;

	per_ring = (uint64_t)o->ring_size * (16 + VU_IND_MAX * 16 + 64 + 8) +
		   4 * 4096;
	/*
	 * A data buffer starts on a page; a virtio-scsi command area after
	 * it pushes the next buffer to the page after: a page a request.
	 */
	per_req = (o->bs + 4095ULL) / 4096 * 4096 + 4096;
	need = (o->queues + j->q_first) * per_ring +
	       o->queues * (uint64_t)o->iodepth * per_req + MIB;
	return (need + 2 * MIB - 1) / (2 * MIB) * (2 * MIB);
}

unsigned int perf_req_bufs(const struct perf_job *j, uint64_t gpa,
			   struct vu_buf *data)
{
	uint32_t bs = j->o->bs;
	unsigned int k;

	for (k = 0; k < j->nseg; k++) {
		uint32_t off = k * j->seg_len;

		data[k] = (struct vu_buf){
			.gpa = gpa + off,
			.len = bs - off < j->seg_len ? bs - off : j->seg_len,
		};
	}
	return j->nseg;
}

static int perf_thread_alloc(struct perf_job *j, struct perf_thread *t)
{
	const struct perf_opts *o = j->o;
	unsigned int i;

	t->reqs = calloc(o->iodepth, sizeof(*t->reqs));
	t->free = calloc(o->iodepth, sizeof(*t->free));
	if (!t->reqs || !t->free)
		return -ENOMEM;
	for (i = 0; i < o->iodepth; i++) {
		struct perf_req *r = &t->reqs[i];
		uint64_t gpa;

		r->buf = j->ops->buf_alloc(j, o->bs, &gpa);
		if (!r->buf)
			return -ENOMEM;
		if (j->ops->req_init(j, r, gpa))
			return -ENOMEM;
	}
	return 0;
}

int perf_threads_alloc(struct perf_job *j)
{
	const struct perf_opts *o = j->o;
	unsigned int i;

	j->threads = aligned_alloc(64, o->queues * sizeof(*j->threads));
	if (!j->threads)
		return -ENOMEM;
	memset(j->threads, 0, o->queues * sizeof(*j->threads));
	for (i = 0; i < o->queues; i++) {
		struct perf_thread *t = &j->threads[i];

		t->job = j;
		t->index = i;
		/* NVMe: I/O queue pairs 1 and up, no virtqueue. */
		if (j->nvme)
			t->qid = i + 1;
		else
			t->q = j->f.queues[j->q_first + i];
		if (perf_thread_alloc(j, t)) {
			fprintf(stderr, "vdev-perf: out of memory for queue %u's requests\n",
				i);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Guest memory and the rings, virtio-scsi's control and event queues too. */
int perf_rings(struct perf_job *j)
{
	const struct perf_opts *o = j->o;
	int ret;

	ret = vu_mem_create(&j->f, 1, perf_mem_size(j), 0, false);
	if (ret)
		return perf_dev_fail(j, ret, "guest memory");
	ret = vu_queues_create(&j->f, j->q_first + o->queues, o->ring_size,
			       j->features);
	if (ret)
		return perf_dev_fail(j, ret, "rings");
	return 0;
}

/* --- virtio-blk requests ---------------------------------------------------- */

static int perf_blk_req_init(struct perf_job *j, struct perf_req *r,
			     uint64_t gpa)
{
	r->blk.ndata = perf_req_bufs(j, gpa, r->blk.data);
	r->blk.flags = j->indirect ? VU_CHAIN_INDIRECT : 0;
	return 0;
}

static int perf_blk_submit(struct perf_thread *t, struct perf_req *r)
{
	r->blk.type = r->write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	r->blk.sector = r->block * t->job->o->bs / PERF_SECTOR;
	return vu_blk_submit(t->q, &r->blk);
}

static int perf_blk_poll(struct perf_thread *t, struct perf_req **r)
{
	/* The request is the slot's first member: the cookie is both. */
	return vu_blk_poll(t->q, (struct vu_blk_req **)r);
}

static enum perf_result_kind perf_blk_result(const struct perf_job *j,
					     const struct perf_req *r)
{
	/* The status byte, and the data for a read. */
	uint32_t want_len = r->write ? 1 : j->o->bs + 1;

	if (r->blk.status != VIRTIO_BLK_S_OK)
		return PERF_REQ_ERROR;
	return r->blk.used_len == want_len ? PERF_REQ_OK : PERF_REQ_BAD_LEN;
}

static void perf_blk_describe(const struct perf_req *r, char *buf, size_t len)
{
	snprintf(buf, len, "status %u (%s)", r->blk.status,
		 vu_blk_status_name(r->blk.status));
}

static const struct perf_dev_ops perf_blk_ops = {
	PERF_VQ_OPS,
	.req_init = perf_blk_req_init,
	.submit = perf_blk_submit,
	.poll = perf_blk_poll,
	.result = perf_blk_result,
	.describe = perf_blk_describe,
};

/* --- the device ------------------------------------------------------------- */

static int perf_blk_open(struct perf_job *j)
{
	const struct perf_opts *o = j->o;
	int ret;

	j->ops = &perf_blk_ops;
	snprintf(j->name, sizeof(j->name), "%s", o->socket);
	j->f.protocol_mask = PERF_PROTOCOL;
	ret = vu_open(&j->f, o->socket, o->connect_ms);
	if (ret)
		return perf_dev_fail(j, ret, "connect");
	ret = vu_qemu72_realize(&j->f, o->queues, VU_REALIZE_OPENED, &j->cfg);
	if (ret)
		return perf_dev_fail(j, ret, "realize");
	ret = perf_blk_features(j);
	if (!ret)
		ret = perf_geometry(j);
	if (!ret)
		ret = perf_segments(j);
	if (!ret)
		ret = perf_ring_fits(j);
	if (!ret)
		ret = perf_rings(j);
	if (!ret)
		ret = perf_threads_alloc(j);
	if (ret)
		return ret;
	ret = vu_dev_start(&j->f, j->features);
	if (ret)
		return perf_dev_fail(j, ret, "start");
	return 0;
}

int perf_dev_open(struct perf_job *j, const struct perf_opts *o)
{
	j->o = o;
	vu_init(&j->f);
	j->f.timeout_ms = o->reply_ms;
	if (o->nvme)
		return perf_nvme_open(j);
	if (o->scsi)
		return perf_scsi_open(j);
	return perf_blk_open(j);
}

int perf_dev_sock(const struct perf_job *j)
{
	return j->nvme ? perf_nvme_sock(j) : j->f.fd;
}

void perf_dev_close(struct perf_job *j)
{
	unsigned int i;

	perf_nvme_close(j);

	/* QEMU's stop: the back end drains and hands the rings back. */
	if (j->f.fd >= 0 && j->f.nqueues && j->f.queues[0]->started &&
	    vu_dev_stop(&j->f))
		fprintf(stderr, "vdev-perf: stop: %s\n", j->f.err);
	vu_close(&j->f);
	/* vhost-scsi: the endpoint cleared (in-flight commands drained). */
	if (vu_vhost_scsi_clear_endpoint(&j->f))
		fprintf(stderr, "vdev-perf: %s: %s\n", j->name, j->f.err);
	vu_vhost_close(&j->f);
	if (j->threads)
		for (i = 0; i < j->o->queues; i++) {
			free(j->threads[i].reqs);
			free(j->threads[i].free);
		}
	free(j->threads);
	j->threads = NULL;
	vu_queues_destroy(&j->f);
	vu_mem_destroy(&j->f);
}
