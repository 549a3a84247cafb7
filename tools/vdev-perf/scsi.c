// SPDX-License-Identifier: GPL-2.0
/*
 * vdev-perf: a virtio-scsi device, set up as QEMU and a Linux guest's
 * virtio_scsi driver do it, without either. Two transports: a vhost-user
 * socket (a vdev virtio-scsi controller served by vdevd: QEMU 7.2's
 * vhost-user-scsi-pci), or kernel vhost-scsi with LIO (/dev/vhost-scsi
 * opened and owned, tools/lib/vu/vu_vhost.c: QEMU's vhost-scsi-pci). Either
 * way: the features a guest acks, the control, event and request queues
 * started; then the guest's scan: the first target that answers (unless
 * --lun names one), TEST UNIT READY until unit attentions are cleared,
 * READ CAPACITY(16). The queue threads then send READ(10)/WRITE(10)
 * (16-byte CDBs on a disk past 2^32 blocks) through perf_scsi_ops, the
 * same for both transports.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "vdev-perf.h"

#define PERF_SCSI_TIMEOUT_MS	10000
#define PERF_SCSI_UA_TRIES	8	/* unit attentions a LUN may report */
#define PERF_SCSI_MAX_TARGET	256
#define PERF_RC16_LEN		32
#define PERF_ASC_NO_LUN		0x25	/* LOGICAL UNIT NOT SUPPORTED */

static uint64_t perf_be(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* --- requests --------------------------------------------------------------- */

static int perf_scsi_req_init(struct perf_job *j, struct perf_req *r,
			      uint64_t gpa)
{
	struct vu_scsi_req *s = &r->scsi;

	s->ndata = perf_req_bufs(j, gpa, s->data);
	s->flags = j->indirect ? VU_CHAIN_INDIRECT : 0;
	return vu_scsi_req_init(&j->f, s, j->scsi_target, j->scsi_lun);
}

static int perf_scsi_submit(struct perf_thread *t, struct perf_req *r)
{
	const struct perf_job *j = t->job;
	struct vu_scsi_req *s = &r->scsi;
	uint64_t lba = r->block * j->lbas_per_io;

	if (j->cdb16)
		vu_scsi_cdb_rw16(s->hdr->cdb, r->write, lba, j->lbas_per_io);
	else
		vu_scsi_cdb_rw10(s->hdr->cdb, r->write, lba, j->lbas_per_io);
	s->data_in = !r->write;
	return vu_scsi_submit(t->q, s);
}

static int perf_scsi_poll(struct perf_thread *t, struct perf_req **r)
{
	/* The request is the slot's first member: the cookie is both. */
	return vu_scsi_poll(t->q, (struct vu_scsi_req **)r);
}

/*
 * The used length a device following the spec writes: the response and
 * the data read. vhost-scsi writes 0 whatever it transferred (and a Linux
 * guest reads resid instead), so with it every request counts here.
 */
static enum perf_result_kind perf_scsi_result(const struct perf_job *j,
					      const struct perf_req *r)
{
	uint32_t want_len = sizeof(*r->scsi.resp) + (r->write ? 0 : j->o->bs);

	if (!vu_scsi_ok(&r->scsi))
		return PERF_REQ_ERROR;
	return r->scsi.used_len == want_len ? PERF_REQ_OK : PERF_REQ_BAD_LEN;
}

static void perf_scsi_describe(const struct perf_req *r, char *buf,
			       size_t len)
{
	vu_scsi_describe(&r->scsi, buf, len);
}

static const struct perf_dev_ops perf_scsi_ops = {
	PERF_VQ_OPS,
	.req_init = perf_scsi_req_init,
	.submit = perf_scsi_submit,
	.poll = perf_scsi_poll,
	.result = perf_scsi_result,
	.describe = perf_scsi_describe,
};

/* --- the guest's scan --------------------------------------------------------- */

/* One command on the first request queue, waited for. */
static int perf_scsi_cmd(struct perf_job *j, struct vu_scsi_req *s)
{
	int ret = vu_scsi_do(j->f.queues[VU_SCSI_VQ_IO], s, PERF_SCSI_TIMEOUT_MS);

	if (ret)
		return perf_dev_fail(j, ret, "command");
	return 0;
}

static int perf_scsi_cmd_fail(struct perf_job *j, struct vu_scsi_req *s,
			      const char *what)
{
	uint8_t asc, ascq;
	char why[160];

	vu_scsi_describe(s, why, sizeof(why));
	fprintf(stderr, "vdev-perf: %s: target %u LUN %u: %s: %s%s\n", j->name,
		j->scsi_target, j->scsi_lun, what, why,
		vu_scsi_sense_key(s, &asc, &ascq) && asc == PERF_ASC_NO_LUN ?
		": no such LUN (--lun TARGET:LUN)" : "");
	return -EIO;
}

/*
 * The target: --lun's, or the first that does not answer BAD_TARGET, as
 * a guest's scan finds it: vhost-scsi's target number is the tpgt, vdev's
 * the one `vdevctl ns add --target` gave.
 */
static int perf_scsi_find_target(struct perf_job *j, struct vu_scsi_req *s)
{
	unsigned int t, first = 0, last = PERF_SCSI_MAX_TARGET - 1;
	int ret;

	if (j->o->scsi_target >= 0) {
		first = j->o->scsi_target;
		last = first;
	}
	for (t = first; t <= last; t++) {
		vu_scsi_req_set_lun(s, t, j->o->scsi_lun);
		vu_scsi_cdb_test_unit_ready(s->hdr->cdb);
		ret = perf_scsi_cmd(j, s);
		if (ret)
			return ret;
		if (s->response != VIRTIO_SCSI_S_BAD_TARGET) {
			j->scsi_target = t;
			j->scsi_lun = j->o->scsi_lun;
			return 0;
		}
	}
	if (first == last)
		fprintf(stderr, "vdev-perf: %s: no target %u: BAD_TARGET%s\n",
			j->name, first, j->o->vhost_scsi ?
			" (the WWPN's tpgt_N is target N)" : "");
	else
		fprintf(stderr, "vdev-perf: %s: no target answers\n", j->name);
	return -ENODEV;
}

/* TEST UNIT READY until the unit attentions of a new nexus are taken. */
static int perf_scsi_ready(struct perf_job *j, struct vu_scsi_req *s)
{
	uint8_t asc, ascq;
	int tries, ret;

	for (tries = 0; tries < PERF_SCSI_UA_TRIES; tries++) {
		if (vu_scsi_ok(s))
			return 0;
		if (vu_scsi_sense_key(s, &asc, &ascq) != VU_SCSI_SENSE_UNIT_ATTENTION)
			break;
		vu_scsi_cdb_test_unit_ready(s->hdr->cdb);
		ret = perf_scsi_cmd(j, s);
		if (ret)
			return ret;
	}
	return perf_scsi_cmd_fail(j, s, "TEST UNIT READY");
}

static int perf_scsi_capacity(struct perf_job *j, struct vu_scsi_req *s)
{
	uint64_t gpa = vu_alloc(&j->f, 0, PERF_RC16_LEN, 64), last;
	const uint8_t *data;
	int ret;

	if (!gpa)
		return perf_dev_fail(j, -ENOMEM, "READ CAPACITY(16)");
	data = vu_gpa(&j->f, gpa, PERF_RC16_LEN);
	s->ndata = 1;
	s->data[0] = (struct vu_buf){ .gpa = gpa, .len = PERF_RC16_LEN };
	s->data_in = true;
	vu_scsi_cdb_read_capacity16(s->hdr->cdb, PERF_RC16_LEN);
	ret = perf_scsi_cmd(j, s);
	if (ret)
		return ret;
	if (!vu_scsi_ok(s))
		return perf_scsi_cmd_fail(j, s, "READ CAPACITY(16)");
	last = perf_be(data, 8);
	j->blk_size = perf_be(data + 8, 4);
	if (!j->blk_size || j->blk_size % PERF_SECTOR) {
		fprintf(stderr, "vdev-perf: %s: a block size of %u bytes\n",
			j->name, j->blk_size);
		return -EINVAL;
	}
	j->capacity = (last + 1) * j->blk_size;
	j->lbas_per_io = j->o->bs / j->blk_size;
	/* What a 10-byte CDB cannot address, as sd switches to READ(16). */
	j->cdb16 = last > UINT32_MAX || j->lbas_per_io > UINT16_MAX;
	return 0;
}

static int perf_scsi_scan(struct perf_job *j)
{
	struct vu_scsi_req s = { 0 };
	int ret;

	ret = vu_scsi_req_init(&j->f, &s, 0, 0);
	if (ret)
		return perf_dev_fail(j, ret, "scan");
	ret = perf_scsi_find_target(j, &s);
	if (!ret)
		ret = perf_scsi_ready(j, &s);
	if (!ret)
		ret = perf_scsi_capacity(j, &s);
	return ret;
}

/* --- the device ----------------------------------------------------------------- */

/* The queues the options want, and each request's one data buffer. */
static int perf_scsi_layout(struct perf_job *j)
{
	const struct perf_opts *o = j->o;

	if (o->queues > VU_MAX_QUEUES - VU_SCSI_VQ_IO) {
		fprintf(stderr, "vdev-perf: --queues %u: virtio-scsi takes at most %d here (control and event queues besides)\n",
			o->queues, VU_MAX_QUEUES - VU_SCSI_VQ_IO);
		return -EINVAL;
	}
	j->q_first = VU_SCSI_VQ_IO;
	/* Both back ends map any buffer: the data in one. */
	j->seg_len = o->bs;
	j->nseg = 1;
	return perf_ring_fits(j);
}

/*
 * The config space, if the back end serves it (vdev does; QEMU 7.2 never
 * asks a vhost-user-scsi back end): it must be virtio-scsi's, which also
 * catches a virtio-blk socket before a SCSI command is sent to it as a
 * write, and must admit --queues and --bs.
 */
static int perf_scsi_vu_config(struct perf_job *j)
{
	const struct perf_opts *o = j->o;
	struct virtio_scsi_config c;
	uint32_t nq, cdb, sense, max_sectors;
	int ret;

	if (!(j->protocol & VU_PF(CONFIG)))
		return 0;
	ret = vu_get_config(&j->f, 0, sizeof(c), 0, &c);
	if (ret)
		return perf_dev_fail(j, ret, "GET_CONFIG");
	/* VERSION_1: the config space is little-endian. */
	nq = le32toh(c.num_queues);
	cdb = le32toh(c.cdb_size);
	sense = le32toh(c.sense_size);
	max_sectors = le32toh(c.max_sectors);
	if (!nq || cdb < 16 || cdb > 256 || sense > 256) {
		fprintf(stderr, "vdev-perf: %s: not a virtio-scsi config space (num_queues %u, cdb_size %u, sense_size %u): a virtio-blk socket? --scsi is for virtio-scsi controllers\n",
			j->name, nq, cdb, sense);
		return -EPROTO;
	}
	if (o->queues > nq) {
		fprintf(stderr, "vdev-perf: %s: --queues %u: the controller has %u request queue%s\n",
			j->name, o->queues, nq, nq == 1 ? "" : "s");
		return -EINVAL;
	}
	if (max_sectors && o->bs / PERF_SECTOR > max_sectors) {
		fprintf(stderr, "vdev-perf: %s: --bs %u: the controller takes %u sectors a command\n",
			j->name, o->bs, max_sectors);
		return -EINVAL;
	}
	return 0;
}

/* GET_QUEUE_NUM's count: the control and event queues, the request queues. */
static int perf_scsi_vu_queues(struct perf_job *j)
{
	unsigned int want = VU_SCSI_VQ_IO + j->o->queues;

	if (!j->f.queue_num || j->f.queue_num >= want)
		return 0;
	fprintf(stderr, "vdev-perf: %s: --queues %u needs %u virtqueues, the control and event queues with them; the back end has %llu\n",
		j->name, j->o->queues, want,
		(unsigned long long)j->f.queue_num);
	return -EINVAL;
}

/* A vhost-user-scsi socket, realized and started as QEMU 7.2 does it. */
static int perf_scsi_vu_setup(struct perf_job *j)
{
	const struct perf_opts *o = j->o;
	int ret;

	snprintf(j->name, sizeof(j->name), "%s", o->socket);
	j->f.protocol_mask = PERF_PROTOCOL;
	ret = vu_open(&j->f, o->socket, o->connect_ms);
	if (ret)
		return perf_dev_fail(j, ret, "connect");
	/* Queues counted after the config check: a blk socket has fewer. */
	ret = vu_qemu72_realize(&j->f, 0, VU_REALIZE_OPENED |
				VU_REALIZE_NO_CONFIG, NULL);
	if (ret)
		return perf_dev_fail(j, ret, "realize");
	j->protocol = j->f.acked_protocol;
	/* Not HOTPLUG or CHANGE: no events wanted on the event queue. */
	ret = perf_ring_features(j, j->f.features);
	if (ret)
		return ret;
	j->features |= PERF_BIT(VDEV_VU_F_PROTOCOL_FEATURES);
	ret = perf_scsi_vu_config(j);
	if (!ret)
		ret = perf_scsi_vu_queues(j);
	if (!ret)
		ret = perf_scsi_layout(j);
	if (!ret)
		ret = perf_rings(j);
	if (ret)
		return ret;
	ret = vu_dev_start(&j->f, j->features);
	if (ret)
		return perf_dev_fail(j, ret, "start");
	return 0;
}

/* /dev/vhost-scsi, started as QEMU's vhost-scsi-pci does it. */
static int perf_scsi_vhost_setup(struct perf_job *j)
{
	const struct perf_opts *o = j->o;
	int ret;

	snprintf(j->name, sizeof(j->name), "vhost-scsi:%s", o->vhost_scsi);
	ret = vu_vhost_open(&j->f, VU_VHOST_SCSI_DEV);
	if (!ret)
		ret = vu_vhost_scsi_check_abi(&j->f);
	if (ret)
		return perf_dev_fail(j, ret, "open");
	ret = perf_ring_features(j, j->f.features);
	if (!ret)
		ret = perf_scsi_layout(j);
	if (!ret)
		ret = perf_rings(j);
	if (ret)
		return ret;
	ret = vu_vhost_start(&j->f, j->features);
	if (ret)
		return perf_dev_fail(j, ret, "start");
	ret = vu_vhost_scsi_set_endpoint(&j->f, o->vhost_scsi);
	if (ret)
		return perf_dev_fail(j, ret, "endpoint");
	return 0;
}

int perf_scsi_open(struct perf_job *j)
{
	int ret;

	j->ops = &perf_scsi_ops;
	if (j->o->vhost_scsi)
		ret = perf_scsi_vhost_setup(j);
	else
		ret = perf_scsi_vu_setup(j);
	if (!ret)
		ret = perf_scsi_scan(j);
	if (!ret)
		ret = perf_range(j);
	if (!ret)
		ret = perf_threads_alloc(j);
	return ret;
}
