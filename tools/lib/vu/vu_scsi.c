// SPDX-License-Identifier: GPL-2.0
/*
 * vu_scsi: virtio-scsi commands on the front end's rings. See vu_front.h.
 *
 * virtio 1.2 section 5.6.6: a request queue's chain is the command
 * (struct virtio_scsi_cmd_req), the data-out buffers, the response
 * (struct virtio_scsi_cmd_resp), the data-in buffers. The command and the
 * response sit in guest memory of the request's own, so the hot path
 * writes the tag and the CDB there and nothing else.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vu_front.h"

/* The command, then the response at the next cache line. */
#define VU_SCSI_RESP_OFF	64
#define VU_SCSI_AREA		(VU_SCSI_RESP_OFF + 128)

static_assert(sizeof(struct virtio_scsi_cmd_req) <= VU_SCSI_RESP_OFF,
	      "virtio_scsi_cmd_req outgrew its slot");
static_assert(sizeof(struct virtio_scsi_cmd_resp) <=
	      VU_SCSI_AREA - VU_SCSI_RESP_OFF,
	      "virtio_scsi_cmd_resp outgrew its slot");

static void vu_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void vu_put_be32(uint8_t *p, uint32_t v)
{
	vu_put_be16(p, v >> 16);
	vu_put_be16(p + 2, v);
}

static void vu_put_be64(uint8_t *p, uint64_t v)
{
	vu_put_be32(p, v >> 32);
	vu_put_be32(p + 4, v);
}

/* --- requests --------------------------------------------------------------- */

void vu_scsi_req_set_lun(struct vu_scsi_req *r, uint8_t target, uint16_t lun)
{
	uint8_t *p = r->hdr->lun;

	/* SAM's single-level LUN: 1, the target, the LUN (flat above 255). */
	memset(p, 0, sizeof(r->hdr->lun));
	p[0] = 1;
	p[1] = target;
	p[2] = lun > 255 ? 0x40 | lun >> 8 : 0;
	p[3] = lun & 0xff;
}

int vu_scsi_req_init(struct vu_front *f, struct vu_scsi_req *r,
		     uint8_t target, uint16_t lun)
{
	if (lun > VU_SCSI_MAX_LUN)
		return vu_fail(f, -EINVAL, "LUN %u: at most %u", lun,
			       VU_SCSI_MAX_LUN);
	r->hdr_gpa = vu_alloc(f, 0, VU_SCSI_AREA, 64);
	if (!r->hdr_gpa)
		return vu_fail(f, -ENOMEM, "region 0 is full: no room for a SCSI command");
	r->resp_gpa = r->hdr_gpa + VU_SCSI_RESP_OFF;
	r->hdr = vu_gpa(f, r->hdr_gpa, VU_SCSI_AREA);
	r->resp = vu_gpa(f, r->resp_gpa, sizeof(*r->resp));
	memset(r->hdr, 0, sizeof(*r->hdr));
	vu_scsi_req_set_lun(r, target, lun);
	r->hdr->task_attr = VIRTIO_SCSI_S_SIMPLE;
	return 0;
}

int vu_scsi_submit(struct vu_queue *q, struct vu_scsi_req *r)
{
	struct vu_buf bufs[VU_SCSI_MAX_DATA + 2];
	unsigned int n = 0, i;
	int id;

	if (r->ndata > VU_SCSI_MAX_DATA)
		return vu_fail(q->f, -EINVAL, "%u data buffers", r->ndata);
	r->hdr->tag = q->order;
	r->resp->response = VU_SCSI_RESPONSE_UNSET;
	bufs[n++] = (struct vu_buf){ .gpa = r->hdr_gpa,
				     .len = sizeof(*r->hdr) };
	if (!r->data_in)
		for (i = 0; i < r->ndata; i++) {
			bufs[n] = r->data[i];
			bufs[n++].write = false;
		}
	bufs[n++] = (struct vu_buf){ .gpa = r->resp_gpa,
				     .len = sizeof(*r->resp), .write = true };
	if (r->data_in)
		for (i = 0; i < r->ndata; i++) {
			bufs[n] = r->data[i];
			bufs[n++].write = true;
		}
	id = vu_vq_add(q, bufs, n, r->flags & VU_CHAIN_INDIRECT, r);
	if (id < 0)
		return id;
	r->id = id;
	r->done = false;
	q->order++;
	return 0;
}

/* Take the outcome out of guest memory: the fields a caller looks at. */
static void vu_scsi_done(struct vu_scsi_req *r, uint32_t len)
{
	r->used_len = len;
	r->response = r->resp->response;
	r->status = r->resp->status;
	r->resid = r->resp->resid;
	r->done = true;
}

int vu_scsi_poll(struct vu_queue *q, struct vu_scsi_req **rp)
{
	void *cookie;
	uint32_t len;
	int ret;

	ret = vu_vq_get(q, &cookie, &len);
	if (ret <= 0)
		return ret;
	*rp = cookie;
	vu_scsi_done(*rp, len);
	return 1;
}

int vu_scsi_do(struct vu_queue *q, struct vu_scsi_req *r, int timeout_ms)
{
	uint32_t len;
	int ret;

	ret = vu_scsi_submit(q, r);
	if (ret == -ENOSPC)
		return vu_fail(q->f, ret, "queue %u: no room for a command", q->index);
	if (!ret)
		ret = vu_vq_complete_one(q, r, timeout_ms, &len);
	if (ret)
		return ret;
	vu_scsi_done(r, len);
	return 0;
}

/* --- CDBs ------------------------------------------------------------------- */

void vu_scsi_cdb_rw10(uint8_t *cdb, bool write, uint32_t lba, uint16_t blocks)
{
	memset(cdb, 0, VIRTIO_SCSI_CDB_SIZE);
	cdb[0] = write ? VU_SCSI_WRITE_10 : VU_SCSI_READ_10;
	vu_put_be32(cdb + 2, lba);
	vu_put_be16(cdb + 7, blocks);
}

void vu_scsi_cdb_rw16(uint8_t *cdb, bool write, uint64_t lba, uint32_t blocks)
{
	memset(cdb, 0, VIRTIO_SCSI_CDB_SIZE);
	cdb[0] = write ? VU_SCSI_WRITE_16 : VU_SCSI_READ_16;
	vu_put_be64(cdb + 2, lba);
	vu_put_be32(cdb + 10, blocks);
}

void vu_scsi_cdb_read_capacity16(uint8_t *cdb, uint32_t alloc_len)
{
	memset(cdb, 0, VIRTIO_SCSI_CDB_SIZE);
	cdb[0] = VU_SCSI_SERVICE_IN_16;
	cdb[1] = VU_SCSI_SAI_READ_CAPACITY_16;
	vu_put_be32(cdb + 10, alloc_len);
}

void vu_scsi_cdb_test_unit_ready(uint8_t *cdb)
{
	memset(cdb, 0, VIRTIO_SCSI_CDB_SIZE);
	cdb[0] = VU_SCSI_TEST_UNIT_READY;
}

/* --- outcomes --------------------------------------------------------------- */

uint8_t vu_scsi_sense_key(const struct vu_scsi_req *r, uint8_t *asc,
			  uint8_t *ascq)
{
	const uint8_t *s = r->resp->sense;
	uint32_t len = r->resp->sense_len;

	*asc = 0;
	*ascq = 0;
	if (r->status != VU_SCSI_CHECK_CONDITION || len < 4)
		return 0;
	if (len > VIRTIO_SCSI_SENSE_SIZE)
		len = VIRTIO_SCSI_SENSE_SIZE;
	/* Descriptor format (0x72, 0x73) or fixed (0x70, 0x71). */
	if ((s[0] & 0x7f) >= 0x72) {
		*asc = s[2];
		*ascq = s[3];
		return s[1] & 0xf;
	}
	if (len >= 14) {
		*asc = s[12];
		*ascq = s[13];
	}
	return s[2] & 0xf;
}

const char *vu_scsi_response_name(uint8_t response)
{
	switch (response) {
	case VIRTIO_SCSI_S_OK:			return "OK";
	case VIRTIO_SCSI_S_OVERRUN:		return "OVERRUN";
	case VIRTIO_SCSI_S_ABORTED:		return "ABORTED";
	case VIRTIO_SCSI_S_BAD_TARGET:		return "BAD_TARGET";
	case VIRTIO_SCSI_S_RESET:		return "RESET";
	case VIRTIO_SCSI_S_BUSY:		return "BUSY";
	case VIRTIO_SCSI_S_TRANSPORT_FAILURE:	return "TRANSPORT_FAILURE";
	case VIRTIO_SCSI_S_TARGET_FAILURE:	return "TARGET_FAILURE";
	case VIRTIO_SCSI_S_NEXUS_FAILURE:	return "NEXUS_FAILURE";
	case VIRTIO_SCSI_S_FAILURE:		return "FAILURE";
	case VIRTIO_SCSI_S_INCORRECT_LUN:	return "INCORRECT_LUN";
	case VU_SCSI_RESPONSE_UNSET:		return "unwritten";
	default:				return "?";
	}
}

static const char *vu_scsi_status_name(uint8_t status)
{
	switch (status) {
	case VU_SCSI_GOOD:		return "GOOD";
	case VU_SCSI_CHECK_CONDITION:	return "CHECK CONDITION";
	case 0x08:			return "BUSY";
	case 0x18:			return "RESERVATION CONFLICT";
	case 0x28:			return "TASK SET FULL";
	case 0x40:			return "TASK ABORTED";
	default:			return "?";
	}
}

int vu_scsi_describe(const struct vu_scsi_req *r, char *buf, size_t len)
{
	uint8_t key, asc, ascq;
	int n;

	if (r->response != VIRTIO_SCSI_S_OK)
		return snprintf(buf, len, "response %u (%s)", r->response,
				vu_scsi_response_name(r->response));
	n = snprintf(buf, len, "status %#x (%s)", r->status,
		     vu_scsi_status_name(r->status));
	key = vu_scsi_sense_key(r, &asc, &ascq);
	if (key && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, ", sense key %#x ASC/ASCQ %02x/%02x",
			      key, asc, ascq);
	if (r->resid && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, ", residual %u bytes", r->resid);
	return n;
}
