// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_nvme_cmd: the NVMe command parsers, kmod/nvme_io.c (I/O commands,
 * Dataset Management ranges, completion statuses) and kmod/nvme_admin.c
 * (admin decode, queue table, features, logs, asynchronous events, Abort,
 * Doorbell Buffer Config), built for userspace and driven as
 * kmod/nvme_ctrl.c drives them: a sequence of steps against one admin
 * state, each command checked, then applied when the controller would.
 * The Asynchronous Event Requests the bookkeeping holds are parked and
 * unparked as nvme_ctrl.c does (oldest first), and its check that the
 * request it unparks is the one the bookkeeping named is made here.
 *
 * Input: the controller and its one namespace, then steps until the end:
 *
 *   u8 cfg		bit 0 volatile write cache, 1 namespace read-only
 *   u16 max_io		I/O queue pairs (vdev_nvme_admin_init() clamps)
 *   u32 nn, u8 mdts	what Identify told the host (I/O limits)
 *   u32 ns_nsid	the attached namespace's NSID
 *   u64 nr_blocks, u8 lba_shift, u64 max_discard, u64 max_zeroes
 *   u16 mqes, u8 mps, u8 iosqes, u8 iocqes	CAP.MQES and CC fields
 *   steps, u8 op % FZ_NR_OPS then:
 *     FZ_OP_IO		64-byte command, u8 blk_status_t of its bios;
 *			a deallocate's ranges, 16 bytes each
 *     FZ_OP_ADMIN	64-byte command, u8 how: bit 0 the controller's
 *			part fails (queue not mapped, log not sent), bit 1
 *			an Abort's completion is posted later
 *     FZ_OP_ENABLE	u64 asq, u16 asqs, u64 acq, u16 acqs: a reset and
 *			CC.EN as vdev_nvme_enable() does them
 *     FZ_OP_NS_CHANGED	u32 nsid, then the AERs are delivered
 *     FZ_OP_ERROR	u16 sqid, cid, status, loc, u64 lba, u32 nsid
 *     FZ_OP_ABORT_END	the completions of later-posted Aborts
 *     FZ_OP_CQE	u16 status, u8 bits: 0 DNR, 1 phase
 *
 * Checked after each step beyond memory safety: statuses are the NVMe
 * values each function documents; a successful I/O parse stays in the
 * namespace and MDTS and never writes a read-only one; the queue table
 * is consistent (no SQ on a missing CQ, nr_sqs right, ids in range, only
 * the admin queue after a reset); a feature set reads back; log builds
 * fit their buffer and copies give the log then zeroes; the AER
 * bookkeeping holds at most AERL + 1 requests, hands each out once and
 * oldest first; the Changed Namespace List stays sorted and bounded.
 */
#include <stdlib.h>

#include <linux/minmax.h>

#include "../../kmod/nvme_admin.h"
#include "../../kmod/nvme_io.h"
#include "fuzz_input.h"

enum fz_op {
	FZ_OP_IO,
	FZ_OP_ADMIN,
	FZ_OP_ENABLE,
	FZ_OP_NS_CHANGED,
	FZ_OP_ERROR,
	FZ_OP_ABORT_END,
	FZ_OP_CQE,
	FZ_NR_OPS,
};

#define FZ_MAX_STEPS	64
#define FZ_AERS		(VDEV_NVME_AERL + 1)
/* nvme_ctrl.c's bound on a Get Log Page transfer (VDEV_NVME_MAX_XFER). */
#define FZ_MAX_XFER	(256 * 1024)

static struct {
	struct vdev_nvme_admin a;
	struct vdev_nvme_qcfg qc;
	struct vdev_nvme_io_limits lim;
	struct vdev_nvme_ns_info ns;
	u32 ns_nsid;
	u16 aer[FZ_AERS];	/* outstanding AERs, oldest first */
	unsigned int naer;
	u16 park[FZ_AERS];	/* the admin queue's parked requests */
	unsigned int npark;
	unsigned int aborts;	/* Aborts whose completion is not posted */
} fz;

/* --- invariants ----------------------------------------------------------- */

/* Every status a function here returns is one of these NVMe values. */
static bool fz_status_known(u16 s)
{
	switch (s) {
	case NVME_SC_SUCCESS: case NVME_SC_INVALID_OPCODE:
	case NVME_SC_INVALID_FIELD: case NVME_SC_DATA_XFER_ERROR:
	case NVME_SC_INTERNAL: case NVME_SC_INVALID_NS:
	case NVME_SC_CMD_SEQ_ERROR: case NVME_SC_PRP_INVALID_OFFSET:
	case NVME_SC_NS_WRITE_PROTECTED: case NVME_SC_LBA_RANGE:
	case NVME_SC_CAP_EXCEEDED: case NVME_SC_NS_NOT_READY:
	case NVME_SC_RESERVATION_CONFLICT: case NVME_SC_CQ_INVALID:
	case NVME_SC_QID_INVALID: case NVME_SC_QUEUE_SIZE:
	case NVME_SC_ABORT_LIMIT: case NVME_SC_ASYNC_LIMIT:
	case NVME_SC_INVALID_VECTOR: case NVME_SC_INVALID_LOG_PAGE:
	case NVME_SC_INVALID_QUEUE: case NVME_SC_FEATURE_NOT_SAVEABLE:
	case NVME_SC_FEATURE_NOT_PER_NS: case NVME_SC_WRITE_FAULT:
	case NVME_SC_READ_ERROR:
		return true;
	}
	return false;
}

static u64 fz_page_size(void)
{
	return 4096ULL << min_t(u8, fz.qc.mps, VDEV_NVME_MPS_MAX);
}

/* One I/O queue pair entry of the table, and the admin queue's. */
static void fz_check_queue(const struct vdev_nvme_qtab *q, unsigned int i,
			   unsigned int users)
{
	const struct vdev_nvme_qtab_sq *sq = &q->sq[i];
	const struct vdev_nvme_qtab_cq *cq = &q->cq[i];

	FZ_ASSERT(cq->nr_sqs == users);
	if (!i)
		return;
	if (sq->exists) {
		FZ_ASSERT(i <= q->nr_sq && q->io_created);
		FZ_ASSERT(sq->cqid >= 1 && sq->cqid < VDEV_NVME_NR_QIDS &&
			  q->cq[sq->cqid].exists);
		FZ_ASSERT(sq->size >= 2 && sq->size <= fz.qc.mqes + 1U);
		FZ_ASSERT(!(sq->base & (fz_page_size() - 1)));
	} else {
		FZ_ASSERT(!sq->base && !sq->size && !sq->cqid);
	}
	if (cq->exists) {
		FZ_ASSERT(i <= q->nr_cq && q->io_created);
		FZ_ASSERT(cq->size >= 2 && cq->size <= fz.qc.mqes + 1U);
		FZ_ASSERT(cq->vector <= q->max_io);
		FZ_ASSERT(!(cq->base & (fz_page_size() - 1)));
	} else {
		FZ_ASSERT(!cq->base && !cq->size && !cq->nr_sqs);
	}
}

static void fz_check_qtab(const struct vdev_nvme_qtab *q)
{
	unsigned int i, users[VDEV_NVME_NR_QIDS] = { 0 };

	FZ_ASSERT(q->max_io >= 1 && q->max_io <= VDEV_MAX_QUEUES);
	FZ_ASSERT(q->nr_sq >= 1 && q->nr_sq <= q->max_io);
	FZ_ASSERT(q->nr_cq >= 1 && q->nr_cq <= q->max_io);
	FZ_ASSERT(q->sq[0].exists && q->cq[0].exists && q->sq[0].cqid == 0);
	for (i = 0; i < VDEV_NVME_NR_QIDS; i++)
		if (q->sq[i].exists && q->sq[i].cqid < VDEV_NVME_NR_QIDS)
			users[q->sq[i].cqid]++;
	for (i = 0; i < VDEV_NVME_NR_QIDS; i++)
		fz_check_queue(q, i, users[i]);
}

/* Only the admin queue, nothing created: right after a reset. */
static void fz_check_reset(const struct vdev_nvme_qtab *q)
{
	unsigned int i;

	FZ_ASSERT(!q->io_created);
	for (i = 1; i < VDEV_NVME_NR_QIDS; i++)
		FZ_ASSERT(!q->sq[i].exists && !q->cq[i].exists);
}

/* The bookkeeping holds exactly the model's requests, in order. */
static void fz_check_aer(void)
{
	const struct vdev_nvme_aer *aer = &fz.a.aer;
	unsigned int i;

	FZ_ASSERT(aer->nr <= FZ_AERS && aer->nr == fz.naer);
	for (i = 0; i < fz.naer; i++)
		FZ_ASSERT(aer->cids[i] == fz.aer[i]);
	FZ_ASSERT(!(aer->pending & ~(BIT(VDEV_NVME_NR_EVENTS) - 1)));
}

static void fz_check_changed(void)
{
	const struct vdev_nvme_ns_list *c = &fz.a.changed;
	unsigned int i;

	FZ_ASSERT(c->nr <= NVME_MAX_CHANGED_NAMESPACES);
	for (i = 0; i < c->nr; i++) {
		FZ_ASSERT(c->nsids[i] && c->nsids[i] != NVME_NSID_ALL);
		FZ_ASSERT(!i || c->nsids[i - 1] < c->nsids[i]);
	}
}

static void fz_check_state(void)
{
	fz_check_qtab(&fz.a.q);
	fz_check_aer();
	fz_check_changed();
	FZ_ASSERT(fz.a.aborts <= VDEV_NVME_ACL + 1);
}

/* --- the AER requests, parked as nvme_ctrl.c parks them ------------------- */

static void fz_list_remove(u16 *list, unsigned int *n, unsigned int i)
{
	memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof(*list));
	(*n)--;
}

/* The parked request with command id @cid, as vdev_nvme_aer_take() finds it. */
static void fz_park_take(u16 cid)
{
	unsigned int i;

	for (i = 0; i < fz.npark && fz.park[i] != cid; i++)
		;
	/* The bookkeeping only names AERs that are parked. */
	FZ_ASSERT(i < fz.npark);
	fz_list_remove(fz.park, &fz.npark, i);
}

/* vdev_nvme_aer_deliver(): each pair completes the request it names. */
static void fz_aer_deliver(void)
{
	u32 dw0;
	u16 cid;
	u8 type;

	while (vdev_nvme_aer_next(&fz.a.aer, &cid, &dw0)) {
		/* Oldest first, and only what was submitted. */
		FZ_ASSERT(fz.naer && cid == fz.aer[0]);
		fz_list_remove(fz.aer, &fz.naer, 0);
		type = dw0 & 7;
		FZ_ASSERT(type == NVME_AER_NOTICE || type == NVME_AER_SMART);
		FZ_ASSERT(fz.a.aer.masked & BIT(type));
		fz_park_take(cid);
	}
}

static void fz_aer_submit(u16 cid, u16 status)
{
	FZ_ASSERT(status == (fz.naer == FZ_AERS ? NVME_SC_ASYNC_LIMIT : 0));
	if (status)
		return;
	fz.aer[fz.naer++] = cid;
	fz.park[fz.npark++] = cid;
	fz_aer_deliver();
}

/* vdev_nvme_abort(): an aborted AER completes the request it names. */
static void fz_abort(const struct nvme_command *cmd, u8 how)
{
	u32 dw10 = le32_to_cpu(cmd->common.cdw10), dw0;
	u16 want = dw10 >> 16, cid = 0, status;
	unsigned int i;
	bool aborted;

	status = vdev_nvme_abort_begin(&fz.a, cmd, &dw0, &aborted, &cid);
	FZ_ASSERT(status == 0 || status == NVME_SC_ABORT_LIMIT ||
		  status == NVME_SC_INVALID_FIELD);
	FZ_ASSERT((status == NVME_SC_ABORT_LIMIT) == (fz.aborts > VDEV_NVME_ACL));
	FZ_ASSERT(!aborted || (!status && cid == want && dw0 == 0));
	FZ_ASSERT(aborted || dw0 == 1);
	if (aborted) {
		for (i = 0; i < fz.naer && fz.aer[i] != want; i++)
			;
		FZ_ASSERT(i < fz.naer && (dw10 & 0xffff) == 0);
		fz_list_remove(fz.aer, &fz.naer, i);
		fz_park_take(want);
	}
	if (status)
		return;
	fz.aborts++;
	if (!(how & 2)) {
		vdev_nvme_abort_end(&fz.a);
		fz.aborts--;
	}
}

/* --- admin commands -------------------------------------------------------- */

static void fz_create(const struct nvme_command *cmd, bool sq, bool fail)
{
	struct vdev_nvme_qtab *q = &fz.a.q;
	struct vdev_nvme_qdesc d;
	u16 status;

	status = sq ? vdev_nvme_create_sq_check(q, &fz.qc, cmd, &d) :
		      vdev_nvme_create_cq_check(q, &fz.qc, cmd, &d);
	FZ_ASSERT(fz_status_known(status));
	if (status || fail)
		return;
	FZ_ASSERT(d.qid >= 1 && d.qid <= (sq ? q->nr_sq : q->nr_cq));
	FZ_ASSERT(sq ? !q->sq[d.qid].exists : !q->cq[d.qid].exists);
	if (sq)
		vdev_nvme_create_sq_apply(q, &d);
	else
		vdev_nvme_create_cq_apply(q, &d);
	FZ_ASSERT(sq ? q->sq[d.qid].exists : q->cq[d.qid].exists);
}

static void fz_delete(const struct nvme_command *cmd, bool sq)
{
	struct vdev_nvme_qtab *q = &fz.a.q;
	u16 status, qid;

	status = sq ? vdev_nvme_delete_sq_check(q, cmd, &qid) :
		      vdev_nvme_delete_cq_check(q, cmd, &qid);
	FZ_ASSERT(fz_status_known(status));
	if (status)
		return;
	FZ_ASSERT(qid >= 1 && qid < VDEV_NVME_NR_QIDS);
	if (sq) {
		vdev_nvme_delete_sq_apply(q, qid);
	} else {
		FZ_ASSERT(!q->cq[qid].nr_sqs);
		vdev_nvme_delete_cq_apply(q, qid);
	}
}

/* A feature set reads back as Get Features (current) reports it. */
static void fz_features(const struct nvme_command *cmd, bool set)
{
	u32 nsid = le32_to_cpu(cmd->features.nsid), dw0, got;
	bool active = nsid && nsid <= VDEV_MAX_NSID && nsid == fz.ns_nsid;
	struct nvme_command get = *cmd;
	u16 status;
	u8 fid;

	if (!set) {
		status = vdev_nvme_get_features(&fz.a, cmd, active, &dw0);
		FZ_ASSERT(fz_status_known(status) && (!status || !dw0));
		return;
	}
	status = vdev_nvme_set_features(&fz.a, cmd, active, &dw0);
	FZ_ASSERT(fz_status_known(status) && (!status || !dw0));
	fid = le32_to_cpu(cmd->features.fid) & 0xff;
	if (status || fid == NVME_FEAT_TEMP_THRESH || fid == NVME_FEAT_IRQ_CONFIG ||
	    fid == NVME_FEAT_ERR_RECOVERY)
		return;
	get.features.fid = cpu_to_le32(fid);	/* SEL 0: current */
	FZ_ASSERT(!vdev_nvme_get_features(&fz.a, &get, active, &got));
	switch (fid) {
	case NVME_FEAT_NUM_QUEUES:
		FZ_ASSERT(got == dw0);
		break;
	case NVME_FEAT_ARBITRATION:
	case NVME_FEAT_ASYNC_EVENT:
		FZ_ASSERT(got == (le32_to_cpu(cmd->features.dword11) &
				  (fid == NVME_FEAT_ARBITRATION ? 0xffffff07 : ~0U)));
		break;
	case NVME_FEAT_IRQ_COALESCE:
		FZ_ASSERT(got == (le32_to_cpu(cmd->features.dword11) & 0xffff));
		break;
	case NVME_FEAT_VOLATILE_WC:
	case NVME_FEAT_WRITE_ATOMIC:
		FZ_ASSERT(got == (le32_to_cpu(cmd->features.dword11) & 1));
		break;
	}
}

/* The window a Get Log Page returns: the log from off, then zeroes. */
static void fz_check_copy(const u8 *out, u32 len, const u8 *log, u32 size,
			  u64 off)
{
	u32 i;

	for (i = 0; i < len; i++)
		FZ_ASSERT(out[i] == (off + i < size ? log[off + i] : 0));
}

static void fz_get_log(const struct nvme_command *cmd, bool fail)
{
	struct vdev_nvme_smart smart;
	struct vdev_nvme_log_req lr;
	u8 *log, *out;
	u32 size = 0;
	u16 status;

	status = vdev_nvme_log_decode(cmd, &lr);
	FZ_ASSERT(status == 0 || status == NVME_SC_INVALID_FIELD);
	if (status || lr.len > FZ_MAX_XFER)
		return;
	FZ_ASSERT(lr.len >= 4 && !(lr.len & 3) && !(lr.off & 3));
	memset(&smart, 0x5a, sizeof(smart));
	log = malloc(VDEV_NVME_LOG_MAX);	/* exact: ASan sees overruns */
	out = malloc(lr.len);
	status = vdev_nvme_log_build(&fz.a, &smart, &lr, log, &size);
	FZ_ASSERT(status == 0 || status == NVME_SC_INVALID_LOG_PAGE ||
		  status == NVME_SC_INVALID_FIELD);
	FZ_ASSERT(size <= VDEV_NVME_LOG_MAX && (status ? !size : size > lr.off));
	if (!status) {
		vdev_nvme_log_copy(out, lr.len, log, size, lr.off);
		fz_check_copy(out, lr.len, log, size, lr.off);
	}
	if (!status && !fail) {
		vdev_nvme_log_done(&fz.a, &lr);
		if (lr.lid == NVME_LOG_CHANGED_NS && !lr.rae)
			FZ_ASSERT(!fz.a.changed.nr && !fz.a.changed.overflow);
	}
	free(out);
	free(log);
}

static void fz_dbbuf(const struct nvme_command *cmd)
{
	u64 shadow = 0, eventidx = 0;
	u16 status;

	status = vdev_nvme_dbbuf_check(cmd, fz.qc.mps, &shadow, &eventidx);
	FZ_ASSERT(status == 0 || status == NVME_SC_INVALID_FIELD);
	if (!status)
		FZ_ASSERT(shadow && eventidx &&
			  !((shadow | eventidx) & (fz_page_size() - 1)));
}

static void fz_admin_run(const struct nvme_command *cmd,
			 const struct vdev_nvme_admin_op *op, u8 how)
{
	switch (op->handler) {
	case VDEV_NVME_ADM_CREATE_CQ:
	case VDEV_NVME_ADM_CREATE_SQ:
		fz_create(cmd, op->handler == VDEV_NVME_ADM_CREATE_SQ, how & 1);
		break;
	case VDEV_NVME_ADM_DELETE_SQ:
	case VDEV_NVME_ADM_DELETE_CQ:
		fz_delete(cmd, op->handler == VDEV_NVME_ADM_DELETE_SQ);
		break;
	case VDEV_NVME_ADM_GET_FEAT:
	case VDEV_NVME_ADM_SET_FEAT:
		fz_features(cmd, op->handler == VDEV_NVME_ADM_SET_FEAT);
		break;
	case VDEV_NVME_ADM_GET_LOG:
		fz_get_log(cmd, how & 1);
		break;
	case VDEV_NVME_ADM_AER:
		fz_aer_submit(cmd->common.command_id,
			      vdev_nvme_aer_submit(&fz.a.aer,
						   cmd->common.command_id));
		break;
	case VDEV_NVME_ADM_ABORT:
		fz_abort(cmd, how);
		break;
	case VDEV_NVME_ADM_DBBUF:
		fz_dbbuf(cmd);
		break;
	case VDEV_NVME_ADM_KEEP_ALIVE:	/* the timer is nvme_ctrl.c's */
	case VDEV_NVME_ADM_IDENTIFY:	/* nvme_id.c: not this target's */
		break;
	}
}

static void fz_admin(const struct nvme_command *cmd, u8 how)
{
	struct vdev_nvme_admin_op op;
	u16 status = vdev_nvme_admin_decode(cmd, &op);

	FZ_ASSERT(status == 0 || status == NVME_SC_INVALID_OPCODE ||
		  status == NVME_SC_INVALID_FIELD);
	if (status)
		return;
	FZ_ASSERT(!(cmd->common.flags & 0xc3));
	FZ_ASSERT(op.dir == (op.len ? VDEV_NVME_XFER_TO_HOST : VDEV_NVME_XFER_NONE));
	if (op.handler == VDEV_NVME_ADM_IDENTIFY)
		FZ_ASSERT(op.len == NVME_IDENTIFY_DATA_SIZE);
	fz_admin_run(cmd, &op, how);
}

/* --- I/O commands ---------------------------------------------------------- */

static bool fz_is_write(enum vdev_nvme_io_op op)
{
	return op == VDEV_NVME_IO_WRITE || op == VDEV_NVME_IO_WRITE_ZEROES ||
	       op == VDEV_NVME_IO_DEALLOCATE;
}

/* The statuses the parse owes before it looks at the command's fields. */
static void fz_check_io_early(const struct nvme_command *cmd,
			      const struct vdev_nvme_ns_info *ns, u16 status)
{
	u32 nsid = le32_to_cpu(cmd->common.nsid);
	u8 opc = cmd->common.opcode;

	if (opc != nvme_cmd_flush && opc != nvme_cmd_write &&
	    opc != nvme_cmd_read && opc != nvme_cmd_write_zeroes &&
	    opc != nvme_cmd_dsm)
		FZ_ASSERT(status == NVME_SC_INVALID_OPCODE);
	else if (cmd->common.flags & 3)
		FZ_ASSERT(status == NVME_SC_INVALID_FIELD);
	else if (nsid == NVME_NSID_ALL)
		FZ_ASSERT(status == (opc == nvme_cmd_flush ? NVME_SC_INVALID_NS :
				     NVME_SC_INVALID_FIELD));
	else if (!nsid || nsid > fz.lim.nn)
		FZ_ASSERT(status == NVME_SC_INVALID_NS);
	else if (!ns)
		FZ_ASSERT(status == NVME_SC_INVALID_FIELD);
}

static void fz_check_io(const struct vdev_nvme_io *io, u16 status)
{
	const struct vdev_nvme_ns_info *ns = &fz.ns;
	unsigned int shift = ns->lba_shift - SECTOR_SHIFT;
	u64 mdts = vdev_nvme_mdts_bytes(fz.lim.mdts);

	FZ_ASSERT(fz_status_known(status));
	if (status) {
		FZ_ASSERT(io->op == VDEV_NVME_IO_NONE && io->dir == DMA_NONE &&
			  !io->len);
		return;
	}
	FZ_ASSERT(!fz_is_write(io->op) || !ns->read_only);
	FZ_ASSERT((io->dir == DMA_NONE) == !io->len);
	FZ_ASSERT(!mdts || io->len <= mdts);
	if (io->op == VDEV_NVME_IO_READ || io->op == VDEV_NVME_IO_WRITE ||
	    io->op == VDEV_NVME_IO_WRITE_ZEROES) {
		FZ_ASSERT(io->nr_sectors && !(io->sector & ((1U << shift) - 1)));
		FZ_ASSERT(io->sector + io->nr_sectors >= io->sector);
		FZ_ASSERT(io->sector + io->nr_sectors <= ns->nr_blocks << shift);
	}
	if (io->op == VDEV_NVME_IO_READ || io->op == VDEV_NVME_IO_WRITE) {
		FZ_ASSERT((u64)io->nr_sectors << SECTOR_SHIFT == io->len);
		FZ_ASSERT(io->dir == (io->op == VDEV_NVME_IO_READ ?
				      DMA_FROM_DEVICE : DMA_TO_DEVICE));
	}
	if (io->op == VDEV_NVME_IO_DEALLOCATE)
		FZ_ASSERT(io->nr_ranges >= 1 && io->nr_ranges <= 256 &&
			  io->len == io->nr_ranges * 16U &&
			  io->dir == DMA_TO_DEVICE);
	if (io->max_bio_sectors)
		FZ_ASSERT(!(io->max_bio_sectors & ((1U << shift) - 1)));
}

static void fz_dsm_ranges(struct fz_in *in, const struct vdev_nvme_io *io)
{
	unsigned int shift = fz.ns.lba_shift - SECTOR_SHIFT, i;
	struct nvme_dsm_range r;
	u64 sector, nr;
	u16 status;

	for (i = 0; i < io->nr_ranges && in->left; i++) {
		fz_bytes(in, &r, sizeof(r));
		status = vdev_nvme_dsm_range(&r, &fz.ns, &sector, &nr);
		FZ_ASSERT(status == 0 || status == NVME_SC_LBA_RANGE);
		FZ_ASSERT(!status || (!sector && !nr));
		FZ_ASSERT(nr == (u64)le32_to_cpu(r.nlb) << shift || status);
		FZ_ASSERT(sector + nr >= sector &&
			  sector + nr <= fz.ns.nr_blocks << shift);
	}
}

/* The completion: a block status and the CQE status field it becomes. */
static void fz_complete(enum vdev_nvme_io_op op, blk_status_t sts)
{
	bool dnr;
	u16 status = vdev_nvme_blk_status(sts, op, &dnr);

	FZ_ASSERT(fz_status_known(status));
	FZ_ASSERT(!status == (sts == BLK_STS_OK));
	FZ_ASSERT(dnr || !status || status == NVME_SC_NS_NOT_READY);
}

static void fz_io(struct fz_in *in)
{
	struct nvme_command cmd;
	struct vdev_nvme_io io;
	u32 nsid;
	u16 status;
	u8 sts;

	fz_bytes(in, &cmd, sizeof(cmd));
	sts = fz_u8(in);
	nsid = le32_to_cpu(cmd.common.nsid);
	/* nvme_ctrl.c looks the NSID up: a namespace only where attached. */
	status = vdev_nvme_io_parse(&cmd, nsid == fz.ns_nsid ? &fz.ns : NULL,
				    &fz.lim, &io);
	fz_check_io_early(&cmd, nsid == fz.ns_nsid ? &fz.ns : NULL, status);
	fz_check_io(&io, status);
	if (status)
		return;
	if (io.op == VDEV_NVME_IO_DEALLOCATE)
		fz_dsm_ranges(in, &io);
	fz_complete(io.op, sts);
}

static void fz_cqe(u16 status, u8 bits)
{
	u16 v = le16_to_cpu(vdev_nvme_cqe_status(status, bits & 1, bits & 2));
	bool err = status & NVME_SCT_SC_MASK;

	FZ_ASSERT((v & 1) == !!(bits & 2));
	FZ_ASSERT((v >> 1 & NVME_SCT_SC_MASK) == (status & NVME_SCT_SC_MASK));
	FZ_ASSERT(!(v & 0x7000));	/* CRD and More: never */
	FZ_ASSERT(!!(v & 0x8000) ==
		  (err && ((bits & 1) || (status & NVME_STATUS_DNR))));
}

/* --- the controller -------------------------------------------------------- */

static void fz_setup(struct fz_in *in)
{
	u8 cfg = fz_u8(in);
	u16 max_io = fz_u16(in);

	memset(&fz, 0, sizeof(fz));
	fz.lim.nn = fz_u32(in);
	fz.lim.mdts = fz_u8(in);
	fz.ns_nsid = fz_u32(in);
	fz.ns.read_only = cfg & 2;
	fz.ns.nr_blocks = fz_u64(in);
	/* The controller only builds namespaces it can serve. */
	fz.ns.lba_shift = 9 + fz_u8(in) % 8;
	fz.ns.nr_blocks &= U64_MAX >> (fz.ns.lba_shift - 9 + 1);
	fz.ns.max_discard_blocks = fz_u64(in);
	fz.ns.max_zeroes_blocks = fz_u64(in);
	fz.qc.mqes = fz_u16(in);
	fz.qc.mps = fz_u8(in) % (VDEV_NVME_MPS_MAX + 1);
	fz.qc.iosqes = fz_u8(in) & 0xf;
	fz.qc.iocqes = fz_u8(in) & 0xf;
	vdev_nvme_admin_init(&fz.a, max_io, cfg & 1);
	fz_check_state();
	fz_check_reset(&fz.a.q);
}

/* vdev_nvme_enable(): a reset, then the admin queue from the registers. */
static void fz_enable(struct fz_in *in)
{
	u64 asq = fz_u64(in);
	u16 asqs = fz_u16(in);
	u64 acq = fz_u64(in);
	u16 acqs = fz_u16(in);

	vdev_nvme_admin_reset(&fz.a);
	fz.naer = fz.npark = fz.aborts = 0;
	fz_check_reset(&fz.a.q);
	FZ_ASSERT(!fz.a.aer.nr && !fz.a.aer.pending && !fz.a.aborts);
	vdev_nvme_qtab_set_admin(&fz.a.q, asq, asqs, acq, acqs);
	fz_check_reset(&fz.a.q);
}

static void fz_error(struct fz_in *in)
{
	struct vdev_nvme_error e = {
		.sqid = fz_u16(in), .cid = fz_u16(in), .status = fz_u16(in),
		.loc = fz_u16(in), .lba = fz_u64(in), .nsid = fz_u32(in),
	};

	vdev_nvme_error_record(&fz.a, &e);
	FZ_ASSERT(fz.a.err.count && !memcmp(&fz.a.err.last, &e, sizeof(e)));
}

static void fz_step(struct fz_in *in)
{
	struct nvme_command cmd;
	u16 status;
	u8 how;

	switch (fz_u8(in) % FZ_NR_OPS) {
	case FZ_OP_IO:
		fz_io(in);
		break;
	case FZ_OP_ADMIN:
		fz_bytes(in, &cmd, sizeof(cmd));
		how = fz_u8(in);
		fz_admin(&cmd, how);
		break;
	case FZ_OP_ENABLE:
		fz_enable(in);
		break;
	case FZ_OP_NS_CHANGED:
		vdev_nvme_ns_changed(&fz.a, fz_u32(in));
		fz_aer_deliver();
		break;
	case FZ_OP_ERROR:
		fz_error(in);
		break;
	case FZ_OP_ABORT_END:
		for (; fz.aborts; fz.aborts--)
			vdev_nvme_abort_end(&fz.a);
		FZ_ASSERT(!fz.a.aborts);
		break;
	case FZ_OP_CQE:
		status = fz_u16(in);
		fz_cqe(status, fz_u8(in));
		break;
	}
	fz_check_state();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	unsigned int i;

	fz_setup(&in);
	for (i = 0; i < FZ_MAX_STEPS && in.left; i++)
		fz_step(&in);
	return 0;
}
