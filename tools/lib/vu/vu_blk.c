// SPDX-License-Identifier: GPL-2.0
/*
 * vu_blk: virtio-blk requests on the front end's rings. See vu_front.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vu_front.h"

#define CMD_BYTES	64
#define STATUS_OFF	32

const char *vu_blk_status_name(uint8_t status)
{
	switch (status) {
	case VIRTIO_BLK_S_OK:		return "OK";
	case VIRTIO_BLK_S_IOERR:	return "IOERR";
	case VIRTIO_BLK_S_UNSUPP:	return "UNSUPP";
	case VU_BLK_STATUS_UNSET:	return "unwritten";
	default:			return "?";
	}
}

static bool vu_blk_data_writable(uint32_t type)
{
	return type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
}

int vu_blk_submit(struct vu_queue *q, struct vu_blk_req *r)
{
	struct vu_buf bufs[VU_BLK_MAX_DATA + 2];
	struct virtio_blk_outhdr *hdr;
	unsigned int n = 0, i, cmd;
	uint8_t *status;
	int id;

	if (r->ndata > VU_BLK_MAX_DATA)
		return vu_fail(q->f, -EINVAL, "%u data buffers", r->ndata);
	if (!q->ncmd_free)
		return -ENOSPC;
	cmd = q->cmd_free[--q->ncmd_free];
	r->cmd = cmd;
	r->hdr_gpa = q->cmd_gpa + (uint64_t)cmd * CMD_BYTES;
	r->status_gpa = r->hdr_gpa + STATUS_OFF;
	hdr = (struct virtio_blk_outhdr *)(q->cmd_map + (uint64_t)cmd * CMD_BYTES);
	hdr->type = r->type;
	hdr->ioprio = r->ioprio;
	hdr->sector = r->sector;
	status = (uint8_t *)hdr + STATUS_OFF;
	*status = VU_BLK_STATUS_UNSET;

	bufs[n++] = (struct vu_buf){ .gpa = r->hdr_gpa, .len = sizeof(*hdr),
				     .write = r->flags & VU_BLK_HDR_WRITABLE };
	for (i = 0; i < r->ndata; i++) {
		bufs[n] = r->data[i];
		if (!(r->flags & VU_BLK_RAW_DIR))
			bufs[n].write = vu_blk_data_writable(r->type);
		n++;
	}
	if (!(r->flags & VU_BLK_NO_STATUS))
		bufs[n++] = (struct vu_buf){
			.gpa = r->status_gpa, .len = 1,
			.write = !(r->flags & VU_BLK_STATUS_READABLE) };
	if (r->flags & VU_BLK_PREPARE_ONLY)
		id = vu_vq_prepare(q, bufs, n, r->flags & VU_CHAIN_INDIRECT, r);
	else
		id = vu_vq_add(q, bufs, n, r->flags & VU_CHAIN_INDIRECT, r);
	if (id < 0) {
		q->cmd_free[q->ncmd_free++] = cmd;
		return id;
	}
	r->id = id;
	r->done = false;
	r->status = VU_BLK_STATUS_UNSET;
	r->used_len = 0;
	r->submitted = q->order++;
	return 0;
}

int vu_blk_poll(struct vu_queue *q, struct vu_blk_req **rp)
{
	struct vu_blk_req *r;
	void *cookie;
	uint32_t len;
	int ret;

	ret = vu_vq_get(q, &cookie, &len);
	if (ret <= 0)
		return ret;
	r = cookie;
	r->used_len = len;
	r->status = q->cmd_map[(uint64_t)r->cmd * CMD_BYTES + STATUS_OFF];
	r->done = true;
	q->cmd_free[q->ncmd_free++] = r->cmd;
	*rp = r;
	return 1;
}

int vu_blk_reap(struct vu_queue *q, int timeout_ms, struct vu_blk_req **rp)
{
	if (!vu_vq_wait(q, timeout_ms))
		return 0;
	return vu_blk_poll(q, rp);
}

int vu_blk_do(struct vu_queue *q, struct vu_blk_req *r, int timeout_ms)
{
	struct vu_blk_req *got;
	int ret;

	ret = vu_blk_submit(q, r);
	if (ret == -ENOSPC)
		return vu_fail(q->f, ret, "queue %u: no room for a request", q->index);
	if (ret)
		return ret;
	ret = vu_vq_kick(q);
	if (ret < 0)
		return ret;
	ret = vu_blk_reap(q, timeout_ms, &got);
	if (ret < 0)
		return ret;
	if (!ret)
		return vu_fail(q->f, -ETIMEDOUT, "queue %u: request type %u sector %llu: no used entry within %d ms",
			       q->index, r->type, (unsigned long long)r->sector,
			       timeout_ms);
	if (got != r)
		return vu_fail(q->f, -EPROTO, "queue %u: another request completed",
			       q->index);
	return 0;
}

int vu_blk_simple(struct vu_queue *q, uint32_t type, uint64_t sector,
		  uint64_t data_gpa, uint32_t len, int timeout_ms,
		  uint8_t *status, uint32_t *used_len)
{
	struct vu_blk_req r = { .type = type, .sector = sector };
	int ret;

	if (len) {
		r.ndata = 1;
		r.data[0] = (struct vu_buf){ .gpa = data_gpa, .len = len };
	}
	ret = vu_blk_do(q, &r, timeout_ms);
	if (ret)
		return ret;
	if (status)
		*status = r.status;
	if (used_len)
		*used_len = r.used_len;
	return 0;
}
