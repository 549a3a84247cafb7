// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe admin commands other than Identify (nvme_id.c): queue management,
 * Get and Set Features, Get Log Page, Asynchronous Event Requests, Abort
 * and Doorbell Buffer Config, after the NVM Express Base Specification
 * 2.0, chapter 5 (section numbers below are 2.0's).
 *
 * Pure, like nvme_id.c: every function takes plain state and the command
 * as the guest wrote it, and returns an NVMe status (NVME_SC_*, without
 * DNR: the completion writer adds it) and the result for the completion's
 * Dword 0 in host order. Nothing here locks, sleeps, allocates or touches
 * guest memory: the controller (nvme.c) holds its admin lock around each
 * call, maps queues, walks PRPs and posts completions. Commands that
 * change state come in two steps, a check that decodes and validates and
 * an apply that cannot fail, so that the controller can do its part (map
 * a queue) in between and leave the state alone when that fails.
 */
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "nvme_admin.h"
#include "nvme_id.h"

/* Command Dword 0 flags: FUSE (bits 1:0) and PSDT (bits 7:6). */
#define VDEV_NVME_FLAGS_FUSE	(NVME_CMD_FUSE_FIRST | NVME_CMD_FUSE_SECOND)

/* Create I/O Completion/Submission Queue, Dword 10 and 11 (5.4, 5.5). */
#define VDEV_NVME_QPRIO		GENMASK(2, 1)

/* Get/Set Features Dword 10 (5.15, 5.27). */
#define VDEV_NVME_FEAT_FID	GENMASK(7, 0)
#define VDEV_NVME_FEAT_SEL	GENMASK(10, 8)
#define VDEV_NVME_FEAT_SV	BIT(31)
/* Select values (5.15, Figure "Get Features – Select"). */
#define VDEV_NVME_SEL_CURRENT	0
#define VDEV_NVME_SEL_DEFAULT	1
#define VDEV_NVME_SEL_SAVED	2
#define VDEV_NVME_SEL_CAPS	3
/* Supported capabilities (Select 011b): namespace specific, changeable. */
#define VDEV_NVME_CAP_NS	BIT(1)
#define VDEV_NVME_CAP_CHANGE	BIT(2)

/* Temperature Threshold Dword 11 (5.27.1, Temperature Threshold). */
#define VDEV_NVME_TMPTH		GENMASK(15, 0)
#define VDEV_NVME_TMPSEL	GENMASK(19, 16)
#define VDEV_NVME_THSEL		GENMASK(21, 20)
#define VDEV_NVME_TMPSEL_ALL	0xf
#define VDEV_NVME_THSEL_OVER	0
#define VDEV_NVME_THSEL_UNDER	1
/* Error Recovery Dword 11 (5.27.1, Error Recovery). */
#define VDEV_NVME_TLER		GENMASK(15, 0)
#define VDEV_NVME_DULBE		BIT(16)
/* Interrupt Vector Configuration Dword 11. */
#define VDEV_NVME_IV		GENMASK(15, 0)
#define VDEV_NVME_CD		BIT(16)
/* Arbitration: bits 7:3 are reserved. */
#define VDEV_NVME_ARB_MASK	(GENMASK(31, 8) | GENMASK(2, 0))
/*
 * Asynchronous Event Configuration bits honoured: the SMART / Health
 * critical warnings (bits 4:0; only the temperature one ever fires) and
 * Namespace Attribute Notices, the one notice OAES advertises.
 */
#define VDEV_NVME_AEC_SMART	GENMASK(4, 0)
#define VDEV_NVME_AEC_ALL	(VDEV_NVME_AEC_SMART | NVME_AEN_CFG_NS_ATTR)

/* Get Log Page Dword 10 (5.16): LSP is bits 14:8, RAE bit 15. */
#define VDEV_NVME_LOG_LID	GENMASK(7, 0)
#define VDEV_NVME_LOG_LSP	GENMASK(14, 8)
#define VDEV_NVME_LOG_RAE	BIT(15)
#define VDEV_NVME_LOG_NUMDL	GENMASK(31, 16)
#define VDEV_NVME_LOG_NUMDU	GENMASK(15, 0)
/* SMART critical warning's temperature event (5.2, Figure "SMART"). */
#define VDEV_NVME_AER_SMART_TEMP	0x01
/* Available Spare and its threshold, percent. */
#define VDEV_NVME_SPARE		100
#define VDEV_NVME_SPARE_THRESH	10
/* Active Firmware Info: slot 1 is active (bits 2:0). */
#define VDEV_NVME_AFI		1

/* Abort Dword 10 (5.1): SQID bits 15:0, CID bits 31:16. */
#define VDEV_NVME_ABORT_SQID	GENMASK(15, 0)
#define VDEV_NVME_ABORT_CID	GENMASK(31, 16)
/* Abort's Dword 0 bit 0: set when the command was not aborted. */
#define VDEV_NVME_ABORT_NOT	BIT(0)

/**
 * struct vdev_nvme_event_info - what an asynchronous event reports
 * @type: Asynchronous Event Type (NVME_AER_*)
 * @info: Asynchronous Event Information
 * @lid: the log page that clears it
 * @aec: the Asynchronous Event Configuration bit that enables it
 */
struct vdev_nvme_event_info {
	u8 type;
	u8 info;
	u8 lid;
	u32 aec;
};

/* Error event information: Invalid Doorbell Write Value (Base 2.0, 5.2). */
#define VDEV_NVME_AER_ERROR_DB_VALUE	0x01

static const struct vdev_nvme_event_info vdev_nvme_events[] = {
	[VDEV_NVME_EV_NS_CHANGED] = { NVME_AER_NOTICE,
				      NVME_AER_NOTICE_NS_CHANGED,
				      NVME_LOG_CHANGED_NS,
				      NVME_AEN_CFG_NS_ATTR },
	[VDEV_NVME_EV_TEMP] = { NVME_AER_SMART, VDEV_NVME_AER_SMART_TEMP,
				NVME_LOG_SMART, NVME_SMART_CRIT_TEMPERATURE },
	/* Error events have no configuration bit: always reported (5.2). */
	[VDEV_NVME_EV_DOORBELL] = { NVME_AER_ERROR,
				    VDEV_NVME_AER_ERROR_DB_VALUE,
				    NVME_LOG_ERROR, 0 },
};

static u32 vdev_nvme_dw(__le32 dw)
{
	return le32_to_cpu(dw);
}

/* The host memory page size CC.MPS selects. */
static u64 vdev_nvme_page_size(u8 mps)
{
	return 4096ULL << min_t(u8, mps, VDEV_NVME_MPS_MAX);
}

/* --- The admin state as a whole ---------------------------------------- */

/**
 * vdev_nvme_admin_init - the admin state of a new controller
 * @a: the state, overwritten
 * @max_io: I/O queue pairs (1 to VDEV_MAX_QUEUES; clamped)
 * @write_cache: the controller reports a volatile write cache
 */
void vdev_nvme_admin_init(struct vdev_nvme_admin *a, u16 max_io,
			  bool write_cache)
{
	memset(a, 0, sizeof(*a));
	vdev_nvme_qtab_init(&a->q, max_io);
	vdev_nvme_feat_init(&a->feat, write_cache);
}

/**
 * vdev_nvme_admin_reset - a controller reset (CC.EN cleared)
 * @a: the state
 *
 * I/O queues go (the admin queue stays, the controller re-reads AQA, ASQ
 * and ACQ when it is enabled again), features return to their defaults
 * (none persists across a reset: Figure "Feature Identifiers", and none is
 * saveable), outstanding AERs and Aborts are dropped (the reset aborts
 * them: the controller posts nothing for them) and unreported events with
 * them. The logs stay: they describe the controller's life, not the
 * host's session.
 */
void vdev_nvme_admin_reset(struct vdev_nvme_admin *a)
{
	vdev_nvme_qtab_reset(&a->q);
	vdev_nvme_feat_init(&a->feat, a->feat.vwc_present);
	vdev_nvme_aer_reset(&a->aer);
	a->aborts = 0;
}

/* --- The opcode table (5, Figure "Opcodes for Admin Commands") ---------- */

/* Opcodes the controller takes, and whether they move data to the host. */
static bool vdev_nvme_admin_op_of(u8 opcode, struct vdev_nvme_admin_op *op)
{
	static const struct {
		u8 handler;
		u8 dir;
		bool valid;
	} ops[] = {
		[nvme_admin_delete_sq] = { VDEV_NVME_ADM_DELETE_SQ, 0, true },
		[nvme_admin_create_sq] = { VDEV_NVME_ADM_CREATE_SQ, 0, true },
		[nvme_admin_get_log_page] = { VDEV_NVME_ADM_GET_LOG,
					      VDEV_NVME_XFER_TO_HOST, true },
		[nvme_admin_delete_cq] = { VDEV_NVME_ADM_DELETE_CQ, 0, true },
		[nvme_admin_create_cq] = { VDEV_NVME_ADM_CREATE_CQ, 0, true },
		[nvme_admin_identify] = { VDEV_NVME_ADM_IDENTIFY,
					  VDEV_NVME_XFER_TO_HOST, true },
		[nvme_admin_abort_cmd] = { VDEV_NVME_ADM_ABORT, 0, true },
		[nvme_admin_set_features] = { VDEV_NVME_ADM_SET_FEAT, 0, true },
		[nvme_admin_get_features] = { VDEV_NVME_ADM_GET_FEAT, 0, true },
		[nvme_admin_async_event] = { VDEV_NVME_ADM_AER, 0, true },
		[nvme_admin_dbbuf] = { VDEV_NVME_ADM_DBBUF, 0, true },
		[nvme_admin_keep_alive] = { VDEV_NVME_ADM_KEEP_ALIVE, 0, true },
	};

	if (opcode >= ARRAY_SIZE(ops) || !ops[opcode].valid)
		return false;
	op->handler = ops[opcode].handler;
	op->dir = ops[opcode].dir;
	return true;
}

/**
 * vdev_nvme_admin_decode - which handler takes an admin command, and its data
 * @cmd: the command as the guest wrote it
 * @op: filled on success
 *
 * The table holds the mandatory admin commands of an I/O controller
 * (3.1.2, Figure "Admin Command Support Requirements") and Doorbell Buffer
 * Config (OACS bit 8). Not here, so Invalid Command Opcode: I/O opcodes,
 * vendor specific ones (C0h to FFh), the optional commands Identify does
 * not advertise (firmware, format, namespace management, security,
 * sanitize, self-test, directives, NVMe-MI, virtualization): an
 * unsupported optional command is Invalid Command Opcode (Figure "Generic
 * Command Status Values"). Keep Alive is here: KAS is not 0 (3.9).
 *
 * Only Identify (4 KiB) and Get Log Page ((NUMD + 1) dwords) move data,
 * both to the host. The queue, Doorbell Buffer Config and feature
 * commands' PRPs are addresses, not data; the features that would carry
 * data (LBA Range Type, Timestamp, Host Memory Buffer, ...) are not
 * supported. The caller checks @op->len against MDTS and walks the PRPs.
 *
 * Return: 0; NVME_SC_INVALID_OPCODE; NVME_SC_INVALID_FIELD when FUSE is
 * set (fused operations are NVM I/O commands only) or PSDT is not 00b:
 * admin commands use PRPs in NVMe over PCIe (4.1.2, "SGLs shall not be
 * used for Admin commands"), whatever SGLS says of I/O commands.
 */
u16 vdev_nvme_admin_decode(const struct nvme_command *cmd,
			   struct vdev_nvme_admin_op *op)
{
	const struct nvme_get_log_page_command *lp = &cmd->get_log_page;

	memset(op, 0, sizeof(*op));
	if (!vdev_nvme_admin_op_of(cmd->common.opcode, op))
		return NVME_SC_INVALID_OPCODE;
	if (cmd->common.flags & (VDEV_NVME_FLAGS_FUSE | NVME_CMD_SGL_ALL))
		return NVME_SC_INVALID_FIELD;
	if (op->handler == VDEV_NVME_ADM_IDENTIFY)
		op->len = NVME_IDENTIFY_DATA_SIZE;
	else if (op->handler == VDEV_NVME_ADM_GET_LOG)
		op->len = ((u64)le16_to_cpu(lp->numdu) << 16 |
			   le16_to_cpu(lp->numdl)) * 4 + 4;
	return 0;
}

/* --- The queue table (5.4 to 5.7) -------------------------------------- */

/**
 * vdev_nvme_qtab_init - the queue table of a new controller
 * @q: the table, overwritten
 * @max_io: I/O queue pairs, clamped to 1 to VDEV_MAX_QUEUES
 *
 * The admin queue exists (with no address until vdev_nvme_qtab_set_admin());
 * every I/O queue the controller has is granted until Set Features Number
 * of Queues says otherwise, as QEMU does: a host may create queues without
 * asking first.
 */
void vdev_nvme_qtab_init(struct vdev_nvme_qtab *q, u16 max_io)
{
	memset(q, 0, sizeof(*q));
	q->max_io = clamp_t(u16, max_io, 1, VDEV_MAX_QUEUES);
	q->sq[0].exists = true;
	q->cq[0].exists = true;
	q->cq[0].ien = true;
	q->cq[0].nr_sqs = 1;
	vdev_nvme_qtab_reset(q);
}

/**
 * vdev_nvme_qtab_reset - controller reset: only the admin queue stays
 * @q: the table
 *
 * The grant of Number of Queues goes back to its default, and it may be
 * set again.
 */
void vdev_nvme_qtab_reset(struct vdev_nvme_qtab *q)
{
	memset(&q->sq[1], 0, sizeof(q->sq) - sizeof(q->sq[0]));
	memset(&q->cq[1], 0, sizeof(q->cq) - sizeof(q->cq[0]));
	q->cq[0].nr_sqs = 1;
	q->nr_sq = q->max_io;
	q->nr_cq = q->max_io;
	q->io_created = false;
}

/**
 * vdev_nvme_qtab_set_admin - the admin queue, from ASQ, ACQ and AQA
 * @q: the table
 * @asq: ASQ
 * @asqs: AQA.ASQS, 0's based
 * @acq: ACQ
 * @acqs: AQA.ACQS, 0's based
 *
 * The register file checks the values at CC.EN; this only records them.
 */
void vdev_nvme_qtab_set_admin(struct vdev_nvme_qtab *q, u64 asq, u16 asqs,
			      u64 acq, u16 acqs)
{
	q->sq[0] = (struct vdev_nvme_qtab_sq){ .base = asq, .size = asqs + 1,
					  .exists = true };
	q->cq[0] = (struct vdev_nvme_qtab_cq){ .base = acq, .size = acqs + 1,
					  .ien = true, .nr_sqs = 1,
					  .exists = true };
}

/*
 * The checks Create I/O CQ and SQ share: QSIZE is 0's based; 0 (a queue
 * of one entry, which can never hold one) and more than CAP.MQES are
 * Invalid Queue Size, and so is a queue created while CC.IO?QES is not
 * the one entry size we have (Figures "Create I/O Completion/Submission
 * Queue – Command Specific Status Values": "before initializing the
 * CC.IOCQES field"). PC cleared asks for a PRP list: CAP.CQR is 1, so
 * Invalid Field. PRP1 must be memory page aligned (Figures "– PRP Entry
 * 1"): an offset is PRP Offset Invalid.
 */
static u16 vdev_nvme_create_q_check(const struct vdev_nvme_qcfg *cfg,
				    const struct nvme_command *cmd,
				    u8 qes, u8 want_qes,
				    struct vdev_nvme_qdesc *d)
{
	u16 qsize = le16_to_cpu(cmd->create_cq.qsize);
	u16 flags = le16_to_cpu(cmd->create_cq.cq_flags);

	if (qes != want_qes || !qsize || qsize > cfg->mqes)
		return NVME_SC_QUEUE_SIZE;
	if (!(flags & NVME_QUEUE_PHYS_CONTIG))
		return NVME_SC_INVALID_FIELD;
	d->base = le64_to_cpu(cmd->create_cq.prp1);
	if (d->base & (vdev_nvme_page_size(cfg->mps) - 1))
		return NVME_SC_PRP_INVALID_OFFSET;
	d->size = qsize + 1;
	return 0;
}

/**
 * vdev_nvme_create_cq_check - decode and check Create I/O Completion Queue
 * @q: the queue table
 * @cfg: CAP and CC
 * @cmd: the command
 * @d: the queue, filled on success
 *
 * Dword 10: QID bits 15:0, QSIZE bits 31:16; Dword 11: PC bit 0, IEN bit
 * 1, IV bits 31:16 (struct nvme_create_cq). IV is checked with IEN clear
 * too, as QEMU does: Linux sends 0 for its polled queues.
 *
 * Return: 0; NVME_SC_QID_INVALID for QID 0, above the granted number of
 * completion queues, or in use; NVME_SC_QUEUE_SIZE, NVME_SC_INVALID_FIELD,
 * NVME_SC_PRP_INVALID_OFFSET as vdev_nvme_create_q_check() says;
 * NVME_SC_INVALID_VECTOR for an IV beyond the MSI-X vectors (I/O queues
 * + 1).
 */
u16 vdev_nvme_create_cq_check(const struct vdev_nvme_qtab *q,
			      const struct vdev_nvme_qcfg *cfg,
			      const struct nvme_command *cmd,
			      struct vdev_nvme_qdesc *d)
{
	u16 flags = le16_to_cpu(cmd->create_cq.cq_flags);
	u16 status;

	memset(d, 0, sizeof(*d));
	d->qid = le16_to_cpu(cmd->create_cq.cqid);
	if (!d->qid || d->qid > q->nr_cq || q->cq[d->qid].exists)
		return NVME_SC_QID_INVALID;
	status = vdev_nvme_create_q_check(cfg, cmd, cfg->iocqes,
					  VDEV_NVME_IOCQES, d);
	if (status)
		return status;
	d->vector = le16_to_cpu(cmd->create_cq.irq_vector);
	if (d->vector > q->max_io)
		return NVME_SC_INVALID_VECTOR;
	d->ien = flags & NVME_CQ_IRQ_ENABLED;
	return 0;
}

/**
 * vdev_nvme_create_cq_apply - enter a checked completion queue
 * @q: the queue table
 * @d: what vdev_nvme_create_cq_check() returned 0 for
 */
void vdev_nvme_create_cq_apply(struct vdev_nvme_qtab *q,
			       const struct vdev_nvme_qdesc *d)
{
	q->cq[d->qid] = (struct vdev_nvme_qtab_cq){ .base = d->base,
					       .size = d->size,
					       .vector = d->vector,
					       .ien = d->ien, .exists = true };
	q->io_created = true;
}

/**
 * vdev_nvme_create_sq_check - decode and check Create I/O Submission Queue
 * @q: the queue table
 * @cfg: CAP and CC
 * @cmd: the command
 * @d: the queue, filled on success
 *
 * Dword 10: QID, QSIZE; Dword 11: PC bit 0, QPRIO bits 2:1, CQID bits
 * 31:16 (struct nvme_create_sq). NVM Set Identifier (Dword 12) is not
 * looked at: no NVM sets.
 *
 * Return: 0; NVME_SC_QID_INVALID for QID 0, above the granted number of
 * submission queues, or in use; NVME_SC_CQ_INVALID for CQID 0 (the admin
 * queue's) or a completion queue that does not exist; the rest as
 * vdev_nvme_create_q_check() says.
 */
u16 vdev_nvme_create_sq_check(const struct vdev_nvme_qtab *q,
			      const struct vdev_nvme_qcfg *cfg,
			      const struct nvme_command *cmd,
			      struct vdev_nvme_qdesc *d)
{
	u16 flags = le16_to_cpu(cmd->create_sq.sq_flags);

	memset(d, 0, sizeof(*d));
	d->qid = le16_to_cpu(cmd->create_sq.sqid);
	if (!d->qid || d->qid > q->nr_sq || q->sq[d->qid].exists)
		return NVME_SC_QID_INVALID;
	d->cqid = le16_to_cpu(cmd->create_sq.cqid);
	if (!d->cqid || d->cqid >= VDEV_NVME_NR_QIDS ||
	    !q->cq[d->cqid].exists)
		return NVME_SC_CQ_INVALID;
	d->prio = FIELD_GET(VDEV_NVME_QPRIO, flags);
	return vdev_nvme_create_q_check(cfg, cmd, cfg->iosqes,
					VDEV_NVME_IOSQES, d);
}

/**
 * vdev_nvme_create_sq_apply - enter a checked submission queue
 * @q: the queue table
 * @d: what vdev_nvme_create_sq_check() returned 0 for
 */
void vdev_nvme_create_sq_apply(struct vdev_nvme_qtab *q,
			       const struct vdev_nvme_qdesc *d)
{
	q->sq[d->qid] = (struct vdev_nvme_qtab_sq){ .base = d->base,
					       .size = d->size,
					       .cqid = d->cqid,
					       .prio = d->prio,
					       .exists = true };
	q->cq[d->cqid].nr_sqs++;
	q->io_created = true;
}

/* Delete I/O SQ/CQ Dword 10: QID bits 15:0; 0 and unknown ones invalid. */
static u16 vdev_nvme_delete_qid(const struct nvme_command *cmd, u16 *qid)
{
	*qid = le16_to_cpu(cmd->delete_queue.qid);
	if (!*qid || *qid >= VDEV_NVME_NR_QIDS)
		return NVME_SC_QID_INVALID;
	return 0;
}

/**
 * vdev_nvme_delete_sq_check - check Delete I/O Submission Queue (5.7)
 * @q: the queue table
 * @cmd: the command
 * @qid: the queue, set on success
 *
 * The controller then aborts what the queue still holds (5.7: commands
 * not completed are aborted with Command Aborted due to SQ Deletion)
 * before it applies.
 *
 * Return: 0, or NVME_SC_QID_INVALID for QID 0 or a queue that does not
 * exist.
 */
u16 vdev_nvme_delete_sq_check(const struct vdev_nvme_qtab *q,
			      const struct nvme_command *cmd, u16 *qid)
{
	u16 status = vdev_nvme_delete_qid(cmd, qid);

	if (!status && !q->sq[*qid].exists)
		status = NVME_SC_QID_INVALID;
	return status;
}

/**
 * vdev_nvme_delete_sq_apply - remove a checked submission queue
 * @q: the queue table
 * @qid: what vdev_nvme_delete_sq_check() returned 0 for
 */
void vdev_nvme_delete_sq_apply(struct vdev_nvme_qtab *q, u16 qid)
{
	q->cq[q->sq[qid].cqid].nr_sqs--;
	memset(&q->sq[qid], 0, sizeof(q->sq[qid]));
}

/**
 * vdev_nvme_delete_cq_check - check Delete I/O Completion Queue (5.6)
 * @q: the queue table
 * @cmd: the command
 * @qid: the queue, set on success
 *
 * Return: 0; NVME_SC_QID_INVALID for QID 0 or a queue that does not
 * exist; NVME_SC_INVALID_QUEUE (Invalid Queue Deletion) while a
 * submission queue still posts to it (5.6: the host deletes those first).
 */
u16 vdev_nvme_delete_cq_check(const struct vdev_nvme_qtab *q,
			      const struct nvme_command *cmd, u16 *qid)
{
	u16 status = vdev_nvme_delete_qid(cmd, qid);

	if (status)
		return status;
	if (!q->cq[*qid].exists)
		return NVME_SC_QID_INVALID;
	if (q->cq[*qid].nr_sqs)
		return NVME_SC_INVALID_QUEUE;
	return 0;
}

/**
 * vdev_nvme_delete_cq_apply - remove a checked completion queue
 * @q: the queue table
 * @qid: what vdev_nvme_delete_cq_check() returned 0 for
 */
void vdev_nvme_delete_cq_apply(struct vdev_nvme_qtab *q, u16 qid)
{
	memset(&q->cq[qid], 0, sizeof(q->cq[qid]));
}

/* --- Features (5.15 Get Features, 5.27 Set Features) ------------------- */

/**
 * vdev_nvme_feat_init - features at their defaults
 * @f: the features, overwritten
 * @write_cache: the controller has a volatile write cache; it starts
 *	enabled
 */
void vdev_nvme_feat_init(struct vdev_nvme_feat *f, bool write_cache)
{
	memset(f, 0, sizeof(*f));
	f->temp_over = VDEV_NVME_TEMP_OVER_K;
	f->vwc_present = write_cache;
	f->wce = write_cache;
}

/* The composite temperature is past a threshold (SMART critical warning). */
static bool vdev_nvme_temp_crit(const struct vdev_nvme_feat *f)
{
	return f->temp_over < VDEV_NVME_TEMP_K ||
	       f->temp_under > VDEV_NVME_TEMP_K;
}

/**
 * struct vdev_nvme_feat_req - one Get or Set Features command, decoded
 * @a: the admin state
 * @dw11: Dword 11
 * @nsid: the NSID
 * @dflt: Get: the default value is asked for, not the current one
 */
struct vdev_nvme_feat_req {
	const struct vdev_nvme_admin *a;
	u32 dw11;
	u32 nsid;
	bool dflt;
};

/*
 * Temperature Threshold: the composite temperature (TMPSEL 0) is the only
 * sensor; TMPSEL Fh (all sensors) is for Set only. THSEL 00b over, 01b
 * under; the rest is reserved.
 */
static u16 vdev_nvme_temp_sel(u32 dw11, bool set, bool *under)
{
	u8 tmpsel = FIELD_GET(VDEV_NVME_TMPSEL, dw11);
	u8 thsel = FIELD_GET(VDEV_NVME_THSEL, dw11);

	if (tmpsel && !(set && tmpsel == VDEV_NVME_TMPSEL_ALL))
		return NVME_SC_INVALID_FIELD;
	if (thsel != VDEV_NVME_THSEL_OVER && thsel != VDEV_NVME_THSEL_UNDER)
		return NVME_SC_INVALID_FIELD;
	*under = thsel == VDEV_NVME_THSEL_UNDER;
	return 0;
}

static u16 vdev_nvme_get_temp(const struct vdev_nvme_feat_req *r, u32 *dw0)
{
	const struct vdev_nvme_feat *f = &r->a->feat;
	bool under;
	u16 status = vdev_nvme_temp_sel(r->dw11, false, &under);
	u16 t;

	if (status)
		return status;
	if (r->dflt)
		t = under ? 0 : VDEV_NVME_TEMP_OVER_K;
	else
		t = under ? f->temp_under : f->temp_over;
	/* Dword 0 has Dword 11's layout: the threshold and its selectors. */
	*dw0 = (r->dw11 & ~VDEV_NVME_TMPTH) | t;
	return 0;
}

/* Get Features of one supported feature: Dword 0, or Invalid Field. */
static u16 vdev_nvme_get_one(u8 fid, const struct vdev_nvme_feat_req *r,
			     u32 *dw0)
{
	const struct vdev_nvme_feat *f = &r->a->feat;
	const struct vdev_nvme_qtab *q = &r->a->q;
	u16 iv = FIELD_GET(VDEV_NVME_IV, r->dw11);

	switch (fid) {
	case NVME_FEAT_ARBITRATION:
		*dw0 = r->dflt ? 0 : f->arb;
		return 0;
	case NVME_FEAT_POWER_MGMT:
		*dw0 = 0;	/* power state 0, no workload hint */
		return 0;
	case NVME_FEAT_TEMP_THRESH:
		return vdev_nvme_get_temp(r, dw0);
	case NVME_FEAT_ERR_RECOVERY:
		*dw0 = r->dflt ? 0 : f->tler[r->nsid];
		return 0;
	case NVME_FEAT_VOLATILE_WC:
		*dw0 = r->dflt ? 1 : f->wce;
		return 0;
	case NVME_FEAT_NUM_QUEUES:
		*dw0 = r->dflt ? (q->max_io - 1) * 0x10001U :
		       (q->nr_sq - 1) | (q->nr_cq - 1) << 16;
		return 0;
	case NVME_FEAT_IRQ_COALESCE:
		*dw0 = r->dflt ? 0 : f->irq_coalesce;
		return 0;
	case NVME_FEAT_IRQ_CONFIG:
		if (iv > q->max_io)
			return NVME_SC_INVALID_FIELD;
		*dw0 = iv | (!r->dflt && f->irq_cd[iv] ? VDEV_NVME_CD : 0);
		return 0;
	case NVME_FEAT_WRITE_ATOMIC:
		*dw0 = r->dflt ? 0 : f->write_atomic;
		return 0;
	case NVME_FEAT_ASYNC_EVENT:
		*dw0 = r->dflt ? 0 : f->aec;
		return 0;
	case NVME_FEAT_KATO:
		*dw0 = r->dflt ? 0 : f->kato;
		return 0;
	}
	return NVME_SC_INVALID_FIELD;
}

/*
 * The features this controller has (5.27.1), and which are namespace
 * specific (Figure "Feature Identifiers", Scope): Error Recovery only.
 * Not supported, so Invalid Field: LBA Range Type (optional), Autonomous
 * Power State Transition and Host Memory Buffer (not advertised),
 * Timestamp (ONCS bit 6 clear), Volatile Write Cache without a cache, and
 * everything else.
 */
static bool vdev_nvme_feat_supported(const struct vdev_nvme_feat *f, u8 fid,
				     bool *ns)
{
	*ns = fid == NVME_FEAT_ERR_RECOVERY;
	switch (fid) {
	case NVME_FEAT_ARBITRATION:
	case NVME_FEAT_POWER_MGMT:
	case NVME_FEAT_TEMP_THRESH:
	case NVME_FEAT_ERR_RECOVERY:
	case NVME_FEAT_NUM_QUEUES:
	case NVME_FEAT_IRQ_COALESCE:
	case NVME_FEAT_IRQ_CONFIG:
	case NVME_FEAT_WRITE_ATOMIC:
	case NVME_FEAT_ASYNC_EVENT:
	case NVME_FEAT_KATO:
		return true;
	case NVME_FEAT_VOLATILE_WC:
		return f->vwc_present;
	}
	return false;
}

/*
 * The NSID of a namespace specific feature: an active namespace, or for
 * Set the broadcast value, meaning all of them. Anything else is Invalid
 * Namespace or Format, as QEMU answers.
 */
static u16 vdev_nvme_feat_ns_check(u32 nsid, bool ns_active, bool set)
{
	if (set && nsid == NVME_NSID_ALL)
		return 0;
	if (!nsid || nsid > VDEV_MAX_NSID || !ns_active)
		return NVME_SC_INVALID_NS;
	return 0;
}

/**
 * vdev_nvme_get_features - Get Features (5.15)
 * @a: the admin state
 * @cmd: the command: Dword 10 FID bits 7:0, SEL bits 10:8; Dword 11 as
 *	the feature says
 * @ns_active: the command's NSID is an active namespace of the controller
 * @dw0: the result, on success
 *
 * SEL 000b current, 001b default; 010b saved is the default, since no
 * feature is saveable (ONCS bit 4 clear: 5.15 says a controller without
 * saving returns the default); 011b the supported capabilities, bit 2
 * changeable (all of ours) and bit 1 namespace specific. The NSID is
 * looked at for namespace specific features only (5.15, Figure "Get
 * Features – Command Dword 10").
 *
 * Return: 0; NVME_SC_INVALID_FIELD for an unsupported FID, a reserved SEL
 * or a bad Dword 11 (a temperature sensor or threshold we do not have, an
 * interrupt vector beyond the MSI-X vectors); NVME_SC_INVALID_NS for an
 * Error Recovery NSID that is not an active namespace.
 */
u16 vdev_nvme_get_features(const struct vdev_nvme_admin *a,
			   const struct nvme_command *cmd, bool ns_active,
			   u32 *dw0)
{
	u32 dw10 = vdev_nvme_dw(cmd->features.fid);
	struct vdev_nvme_feat_req r = {
		.a = a,
		.dw11 = vdev_nvme_dw(cmd->features.dword11),
		.nsid = le32_to_cpu(cmd->features.nsid),
	};
	u8 fid = FIELD_GET(VDEV_NVME_FEAT_FID, dw10);
	u8 sel = FIELD_GET(VDEV_NVME_FEAT_SEL, dw10);
	bool ns;
	u16 status;

	*dw0 = 0;
	if (!vdev_nvme_feat_supported(&a->feat, fid, &ns))
		return NVME_SC_INVALID_FIELD;
	if (sel > VDEV_NVME_SEL_CAPS)
		return NVME_SC_INVALID_FIELD;
	if (ns) {
		status = vdev_nvme_feat_ns_check(r.nsid, ns_active, false);
		if (status)
			return status;
	}
	if (sel == VDEV_NVME_SEL_CAPS) {
		*dw0 = VDEV_NVME_CAP_CHANGE | (ns ? VDEV_NVME_CAP_NS : 0);
		return 0;
	}
	r.dflt = sel != VDEV_NVME_SEL_CURRENT;
	return vdev_nvme_get_one(fid, &r, dw0);
}

/* Temperature Threshold: a crossing it makes raises the SMART event. */
static u16 vdev_nvme_set_temp(struct vdev_nvme_admin *a, u32 dw11)
{
	struct vdev_nvme_feat *f = &a->feat;
	bool under, was = vdev_nvme_temp_crit(f);
	u16 status = vdev_nvme_temp_sel(dw11, true, &under);

	if (status)
		return status;
	if (under)
		f->temp_under = FIELD_GET(VDEV_NVME_TMPTH, dw11);
	else
		f->temp_over = FIELD_GET(VDEV_NVME_TMPTH, dw11);
	if (!was && vdev_nvme_temp_crit(f))
		vdev_nvme_event_raise(a, VDEV_NVME_EV_TEMP);
	return 0;
}

/*
 * Error Recovery: TLER per namespace; DULBE needs NSFEAT bit 2, which
 * Identify Namespace leaves clear, so setting it is Invalid Field.
 */
static u16 vdev_nvme_set_err_rec(struct vdev_nvme_feat *f, u32 dw11, u32 nsid)
{
	u16 tler = FIELD_GET(VDEV_NVME_TLER, dw11);
	u32 i;

	if (dw11 & VDEV_NVME_DULBE)
		return NVME_SC_INVALID_FIELD;
	if (nsid != NVME_NSID_ALL) {
		f->tler[nsid] = tler;
		return 0;
	}
	for (i = 1; i <= VDEV_MAX_NSID; i++)
		f->tler[i] = tler;
	return 0;
}

/*
 * Number of Queues (5.27.1): NSQR bits 15:0, NCQR bits 31:16, 0's based;
 * FFFFh (65536 queues) is Invalid Field. Each is granted up to what the
 * controller has, and the grant comes back in Dword 0 in the same layout.
 * It may be set again until an I/O queue is created; from then on to the
 * next reset it is Command Sequence Error (as QEMU has it: the grant
 * "shall not change between resets").
 */
static u16 vdev_nvme_set_nr_queues(struct vdev_nvme_qtab *q, u32 dw11,
				   u32 *dw0)
{
	u16 nsqr = dw11 & 0xffff, ncqr = dw11 >> 16;

	if (q->io_created)
		return NVME_SC_CMD_SEQ_ERROR;
	if (nsqr == 0xffff || ncqr == 0xffff)
		return NVME_SC_INVALID_FIELD;
	q->nr_sq = min_t(u16, nsqr + 1, q->max_io);
	q->nr_cq = min_t(u16, ncqr + 1, q->max_io);
	*dw0 = (q->nr_sq - 1) | (q->nr_cq - 1) << 16;
	return 0;
}

/* Set Features of one supported feature, its NSID checked. */
static u16 vdev_nvme_set_one(struct vdev_nvme_admin *a, u8 fid, u32 dw11,
			     u32 nsid, u32 *dw0)
{
	struct vdev_nvme_feat *f = &a->feat;
	u16 iv = FIELD_GET(VDEV_NVME_IV, dw11);

	switch (fid) {
	case NVME_FEAT_ARBITRATION:
		f->arb = dw11 & VDEV_NVME_ARB_MASK;
		return 0;
	case NVME_FEAT_POWER_MGMT:
		/* NPSS 0: power state 0 only; no workload hints. */
		return dw11 ? NVME_SC_INVALID_FIELD : 0;
	case NVME_FEAT_TEMP_THRESH:
		return vdev_nvme_set_temp(a, dw11);
	case NVME_FEAT_ERR_RECOVERY:
		return vdev_nvme_set_err_rec(f, dw11, nsid);
	case NVME_FEAT_VOLATILE_WC:
		f->wce = dw11 & 1;
		return 0;
	case NVME_FEAT_NUM_QUEUES:
		return vdev_nvme_set_nr_queues(&a->q, dw11, dw0);
	case NVME_FEAT_IRQ_COALESCE:
		f->irq_coalesce = dw11 & 0xffff;
		return 0;
	case NVME_FEAT_IRQ_CONFIG:
		if (iv > a->q.max_io)
			return NVME_SC_INVALID_FIELD;
		f->irq_cd[iv] = dw11 & VDEV_NVME_CD;
		return 0;
	case NVME_FEAT_WRITE_ATOMIC:
		f->write_atomic = dw11 & 1;
		return 0;
	case NVME_FEAT_ASYNC_EVENT:
		if (dw11 & ~VDEV_NVME_AEC_ALL)
			return NVME_SC_INVALID_FIELD;
		f->aec = dw11;
		return 0;
	case NVME_FEAT_KATO:
		/* Rounded up to the granularity KAS reports (5.27.1.12). */
		if (dw11 > U32_MAX - VDEV_NVME_KAS * 100)
			return NVME_SC_INVALID_FIELD;
		f->kato = roundup(dw11, VDEV_NVME_KAS * 100);
		return 0;
	}
	return NVME_SC_INVALID_FIELD;
}

/**
 * vdev_nvme_set_features - Set Features (5.27)
 * @a: the admin state
 * @cmd: the command: Dword 10 FID bits 7:0, SV bit 31; Dword 11 the value
 * @ns_active: the command's NSID is an active namespace of the controller
 * @dw0: the result on success: the grant for Number of Queues, else 0
 *
 * A controller-scope feature takes NSID 0 or FFFFFFFFh; another is
 * Feature Not Namespace Specific (5.27). A namespace specific one
 * (Error Recovery) takes an active NSID, or FFFFFFFFh for all of them.
 * Nothing changes when the command fails. The caller acts on a changed
 * Volatile Write Cache (writes through while @a->feat.wce is clear).
 *
 * Return: 0; NVME_SC_INVALID_FIELD for an unsupported FID or a bad value;
 * NVME_SC_FEATURE_NOT_SAVEABLE for SV set (nothing is saveable);
 * NVME_SC_FEATURE_NOT_PER_NS; NVME_SC_INVALID_NS; NVME_SC_CMD_SEQ_ERROR
 * for Number of Queues after an I/O queue was created.
 */
u16 vdev_nvme_set_features(struct vdev_nvme_admin *a,
			   const struct nvme_command *cmd, bool ns_active,
			   u32 *dw0)
{
	u32 dw10 = vdev_nvme_dw(cmd->features.fid);
	u32 nsid = le32_to_cpu(cmd->features.nsid);
	u8 fid = FIELD_GET(VDEV_NVME_FEAT_FID, dw10);
	bool ns;
	u16 status;

	*dw0 = 0;
	if (!vdev_nvme_feat_supported(&a->feat, fid, &ns))
		return NVME_SC_INVALID_FIELD;
	if (dw10 & VDEV_NVME_FEAT_SV)
		return NVME_SC_FEATURE_NOT_SAVEABLE;
	if (ns) {
		status = vdev_nvme_feat_ns_check(nsid, ns_active, true);
		if (status)
			return status;
	} else if (nsid && nsid != NVME_NSID_ALL) {
		return NVME_SC_FEATURE_NOT_PER_NS;
	}
	return vdev_nvme_set_one(a, fid, vdev_nvme_dw(cmd->features.dword11),
				 nsid, dw0);
}

/* --- Get Log Page (5.16) ----------------------------------------------- */

/**
 * vdev_nvme_log_decode - decode Get Log Page
 * @cmd: the command
 * @req: filled on success
 *
 * Dword 10: LID bits 7:0, LSP bits 14:8, RAE bit 15, NUMDL bits 31:16;
 * Dword 11: NUMDU bits 15:0 (LPA bit 2 says we take it); Dwords 12 and
 * 13: the offset. NUMD is 0's based dwords. UUID index, offset type and
 * CSI (Dword 14) are not looked at: none of our logs has them.
 *
 * Return: 0, or NVME_SC_INVALID_FIELD for an offset that is not dword
 * aligned (5.16, "Log Page Offset Lower").
 */
u16 vdev_nvme_log_decode(const struct nvme_command *cmd,
			 struct vdev_nvme_log_req *req)
{
	u32 dw10 = vdev_nvme_dw(cmd->common.cdw10);
	u32 dw11 = vdev_nvme_dw(cmd->common.cdw11);
	u64 numd = FIELD_GET(VDEV_NVME_LOG_NUMDU, dw11) << 16 |
		   FIELD_GET(VDEV_NVME_LOG_NUMDL, dw10);

	*req = (struct vdev_nvme_log_req){
		.lid = FIELD_GET(VDEV_NVME_LOG_LID, dw10),
		.lsp = FIELD_GET(VDEV_NVME_LOG_LSP, dw10),
		.rae = dw10 & VDEV_NVME_LOG_RAE,
		.nsid = le32_to_cpu(cmd->common.nsid),
		.off = (u64)vdev_nvme_dw(cmd->common.cdw13) << 32 |
		       vdev_nvme_dw(cmd->common.cdw12),
		.len = (numd + 1) * 4,
	};
	if (req->off & 3)
		return NVME_SC_INVALID_FIELD;
	return 0;
}

/* A 128-bit little-endian counter of SMART, from a u64. */
static void vdev_nvme_put_u128(u8 *p, u64 v)
{
	put_unaligned_le64(v, p);
	memset(p + 8, 0, 8);
}

/* Error Information (5.16.1): ELPE 0, so the latest error alone. */
static u32 vdev_nvme_log_error(const struct vdev_nvme_admin *a, void *buf)
{
	struct nvme_error_slot *e = buf;
	const struct vdev_nvme_error *last = &a->err.last;

	memset(e, 0, sizeof(*e));
	/* An Error Count of 0 marks the entry invalid: no error yet. */
	if (a->err.count) {
		e->error_count = cpu_to_le64(a->err.count);
		e->sqid = cpu_to_le16(last->sqid);
		e->cmdid = cpu_to_le16(last->cid);
		/* Bits 15:1 the status, bit 0 the phase tag (not kept). */
		e->status_field = cpu_to_le16(last->status << 1);
		e->param_error_location = cpu_to_le16(last->loc);
		e->lba = cpu_to_le64(last->lba);
		e->nsid = cpu_to_le32(last->nsid);
	}
	return sizeof(*e) * (VDEV_NVME_ELPE + 1);
}

/*
 * SMART / Health Information (5.16.1), of the whole controller (LPA bit 0
 * clear). Data units are thousands of 512-byte units, rounded up. There is
 * no sensor: the composite temperature is VDEV_NVME_TEMP_K, the only
 * critical warning the temperature thresholds; no spare is ever used.
 */
static u32 vdev_nvme_log_smart(const struct vdev_nvme_admin *a,
			       const struct vdev_nvme_smart *s, void *buf)
{
	struct nvme_smart_log *l = buf;

	memset(l, 0, sizeof(*l));
	if (vdev_nvme_temp_crit(&a->feat))
		l->critical_warning = NVME_SMART_CRIT_TEMPERATURE;
	put_unaligned_le16(VDEV_NVME_TEMP_K, l->temperature);
	l->avail_spare = VDEV_NVME_SPARE;
	l->spare_thresh = VDEV_NVME_SPARE_THRESH;
	vdev_nvme_put_u128(l->data_units_read,
			   DIV_ROUND_UP_ULL(s->sectors_read, 1000));
	vdev_nvme_put_u128(l->data_units_written,
			   DIV_ROUND_UP_ULL(s->sectors_written, 1000));
	vdev_nvme_put_u128(l->host_reads, s->host_reads);
	vdev_nvme_put_u128(l->host_writes, s->host_writes);
	vdev_nvme_put_u128(l->ctrl_busy_time, s->busy_minutes);
	vdev_nvme_put_u128(l->power_cycles, s->power_cycles);
	vdev_nvme_put_u128(l->power_on_hours, s->power_on_hours);
	vdev_nvme_put_u128(l->unsafe_shutdowns, s->unsafe_shutdowns);
	vdev_nvme_put_u128(l->media_errors, s->media_errors);
	vdev_nvme_put_u128(l->num_err_log_entries, a->err.count);
	return sizeof(*l);
}

/*
 * Firmware Slot Information (5.16.1): slot 1, read-only and active (FRMW),
 * holds the revision Identify reports, space padded as there.
 */
static u32 vdev_nvme_log_fw(void *buf)
{
	struct nvme_fw_slot_info_log *l = buf;
	char *frs1 = (char *)&l->frs[0];
	size_t n = min(strlen(VDEV_NVME_FR), sizeof(l->frs[0]));

	memset(l, 0, sizeof(*l));
	l->afi = VDEV_NVME_AFI;
	memset(frs1, ' ', sizeof(l->frs[0]));
	memcpy(frs1, VDEV_NVME_FR, n);
	return sizeof(*l);
}

/*
 * Changed Namespace List (5.16.1): the NSIDs changed since it was last
 * cleared, ascending; after more than 1024, FFFFFFFFh alone.
 */
static u32 vdev_nvme_log_changed(const struct vdev_nvme_admin *a, void *buf)
{
	const struct vdev_nvme_ns_list *c = &a->changed;
	__le32 *list = buf;
	u16 i;

	memset(buf, 0, NVME_MAX_CHANGED_NAMESPACES * sizeof(*list));
	if (c->overflow) {
		list[0] = cpu_to_le32(NVME_NSID_ALL);
	} else {
		for (i = 0; i < c->nr; i++)
			list[i] = cpu_to_le32(c->nsids[i]);
	}
	return NVME_MAX_CHANGED_NAMESPACES * sizeof(*list);
}

/**
 * vdev_nvme_log_build - a log page, whole, into a buffer
 * @a: the admin state
 * @smart: the controller's counters
 * @req: the decoded command
 * @buf: VDEV_NVME_LOG_MAX bytes
 * @size: set to the log's size on success
 *
 * The caller then copies @req->len bytes from @req->off out of it with
 * vdev_nvme_log_copy(), and calls vdev_nvme_log_done() once they reached
 * the host. Every log here is of the controller (LPA bit 0 clear, no
 * namespace specific logs), so NSID must be 0 or FFFFFFFFh (5.16); none
 * defines a log specific field, so LSP must be 0.
 *
 * Commands Supported and Effects (05h) is not built: LPA bit 1 is clear,
 * which says there is none.
 *
 * Return: 0; NVME_SC_INVALID_LOG_PAGE for a LID we do not have;
 * NVME_SC_INVALID_FIELD for another NSID, an LSP, or an offset at or past
 * the end of the log (there is no byte to return; QEMU answers so too).
 */
u16 vdev_nvme_log_build(const struct vdev_nvme_admin *a,
			const struct vdev_nvme_smart *smart,
			const struct vdev_nvme_log_req *req, void *buf,
			u32 *size)
{
	BUILD_BUG_ON(sizeof(struct nvme_smart_log) > VDEV_NVME_LOG_MAX);
	BUILD_BUG_ON(NVME_MAX_CHANGED_NAMESPACES * 4 > VDEV_NVME_LOG_MAX);
	*size = 0;
	switch (req->lid) {
	case NVME_LOG_ERROR:
	case NVME_LOG_SMART:
	case NVME_LOG_FW_SLOT:
	case NVME_LOG_CHANGED_NS:
		break;
	default:
		return NVME_SC_INVALID_LOG_PAGE;
	}
	if ((req->nsid && req->nsid != NVME_NSID_ALL) || req->lsp)
		return NVME_SC_INVALID_FIELD;
	if (req->lid == NVME_LOG_ERROR)
		*size = vdev_nvme_log_error(a, buf);
	else if (req->lid == NVME_LOG_SMART)
		*size = vdev_nvme_log_smart(a, smart, buf);
	else if (req->lid == NVME_LOG_FW_SLOT)
		*size = vdev_nvme_log_fw(buf);
	else
		*size = vdev_nvme_log_changed(a, buf);
	if (req->off >= *size) {
		*size = 0;
		return NVME_SC_INVALID_FIELD;
	}
	return 0;
}

/**
 * vdev_nvme_log_copy - a window of a log, as the host asked for it
 * @dst: where the bytes go
 * @len: bytes to fill
 * @log: the whole log
 * @size: its size
 * @off: the offset in the log of @dst's first byte
 *
 * Bytes past the end of the log are zero: a NUMD reaching beyond it is no
 * error (5.16: the host may ask for more than the log has), and zeroes
 * tell the host nothing false. A caller that moves the data in pieces
 * calls this once per piece, with @off advanced.
 */
void vdev_nvme_log_copy(void *dst, u32 len, const void *log, u32 size,
			u64 off)
{
	u32 n = off < size ? min_t(u64, len, size - off) : 0;

	if (n)
		memcpy(dst, log + off, n);
	memset(dst + n, 0, len - n);
}

/**
 * vdev_nvme_log_done - a log page reached the host
 * @a: the admin state
 * @req: the decoded command, built with success
 *
 * With RAE cleared, the events the log reports are cleared: unreported
 * ones of its kind are dropped (the host has just read what they would
 * announce) and their event type unmasked (5.2: a reported type stays
 * masked until its log is read with RAE 0), and the Changed Namespace
 * List starts anew. With RAE set, nothing changes.
 */
void vdev_nvme_log_done(struct vdev_nvme_admin *a,
			const struct vdev_nvme_log_req *req)
{
	int ev;

	if (req->rae)
		return;
	for (ev = 0; ev < VDEV_NVME_NR_EVENTS; ev++) {
		if (vdev_nvme_events[ev].lid != req->lid)
			continue;
		a->aer.pending &= ~BIT(ev);
		a->aer.masked &= ~BIT(vdev_nvme_events[ev].type);
	}
	if (req->lid == NVME_LOG_CHANGED_NS) {
		a->changed.nr = 0;
		a->changed.overflow = false;
	}
}

/**
 * vdev_nvme_error_record - a command failed: it is the latest error
 * @a: the admin state
 * @e: the error
 *
 * The Error Count goes up by one and skips 0 when it wraps (0 marks an
 * invalid entry).
 */
void vdev_nvme_error_record(struct vdev_nvme_admin *a,
			    const struct vdev_nvme_error *e)
{
	if (!++a->err.count)
		a->err.count = 1;
	a->err.last = *e;
}

/**
 * vdev_nvme_ns_changed - a namespace was attached, detached or resized
 * @a: the admin state
 * @nsid: its NSID (1 to FFFFFFFEh; others are ignored)
 *
 * Enters @nsid in the Changed Namespace List (once; past 1024 NSIDs the
 * list overflows) and raises the Namespace Attribute Changed event.
 */
void vdev_nvme_ns_changed(struct vdev_nvme_admin *a, u32 nsid)
{
	struct vdev_nvme_ns_list *c = &a->changed;
	u16 i;

	if (!nsid || nsid == NVME_NSID_ALL)
		return;
	for (i = 0; i < c->nr && c->nsids[i] < nsid; i++)
		;
	if (c->overflow || (i < c->nr && c->nsids[i] == nsid))
		goto raise;
	if (c->nr == NVME_MAX_CHANGED_NAMESPACES) {
		c->overflow = true;
		goto raise;
	}
	memmove(&c->nsids[i + 1], &c->nsids[i],
		(c->nr - i) * sizeof(c->nsids[0]));
	c->nsids[i] = nsid;
	c->nr++;
raise:
	vdev_nvme_event_raise(a, VDEV_NVME_EV_NS_CHANGED);
}

/* --- Asynchronous events (5.2) ----------------------------------------- */

/**
 * vdev_nvme_aer_submit - an Asynchronous Event Request arrived
 * @aer: the AER state
 * @cid: its command id
 *
 * The command stays outstanding (no completion now) until
 * vdev_nvme_aer_next() pairs it with an event, an Abort takes it, or a
 * reset drops it.
 *
 * Return: 0, or NVME_SC_ASYNC_LIMIT when AERL + 1 are outstanding already
 * (5.2: the controller completes the excess one so).
 */
u16 vdev_nvme_aer_submit(struct vdev_nvme_aer *aer, u16 cid)
{
	if (aer->nr == ARRAY_SIZE(aer->cids))
		return NVME_SC_ASYNC_LIMIT;
	aer->cids[aer->nr++] = cid;
	return 0;
}

/**
 * vdev_nvme_event_raise - an event happened
 * @a: the admin state
 * @ev: which
 *
 * Pending until reported, unless Asynchronous Event Configuration has it
 * disabled, in which case it is not reported at all (5.27.1: no
 * notification is sent); error events cannot be disabled. An event
 * already pending is not queued twice. The caller then calls
 * vdev_nvme_aer_next().
 */
void vdev_nvme_event_raise(struct vdev_nvme_admin *a,
			   enum vdev_nvme_event ev)
{
	u32 aec = vdev_nvme_events[ev].aec;

	if (!aec || (a->feat.aec & aec))
		a->aer.pending |= BIT(ev);
}

/**
 * vdev_nvme_aer_next - pair an outstanding AER with a pending event
 * @aer: the AER state
 * @cid: set to the AER command to complete
 * @dw0: set to its Dword 0: event type bits 2:0, information bits 15:8,
 *	log page bits 23:16
 *
 * The oldest request takes the first pending event whose type is not
 * masked; the type is then masked until the host reads the log with RAE
 * cleared (vdev_nvme_log_done()). Call it until it returns false.
 *
 * Return: true when there is a pair to complete (with success).
 */
bool vdev_nvme_aer_next(struct vdev_nvme_aer *aer, u16 *cid, u32 *dw0)
{
	const struct vdev_nvme_event_info *e;
	int ev;

	if (!aer->nr)
		return false;
	for (ev = 0; ev < VDEV_NVME_NR_EVENTS; ev++) {
		e = &vdev_nvme_events[ev];
		if ((aer->pending & BIT(ev)) && !(aer->masked & BIT(e->type)))
			break;
	}
	if (ev == VDEV_NVME_NR_EVENTS)
		return false;
	*cid = aer->cids[0];
	*dw0 = e->type | e->info << 8 | e->lid << 16;
	memmove(&aer->cids[0], &aer->cids[1], --aer->nr * sizeof(aer->cids[0]));
	aer->pending &= ~BIT(ev);
	aer->masked |= BIT(e->type);
	return true;
}

/* Take an outstanding AER out, for Abort. */
static bool vdev_nvme_aer_cancel(struct vdev_nvme_aer *aer, u16 cid)
{
	u8 i;

	for (i = 0; i < aer->nr; i++) {
		if (aer->cids[i] != cid)
			continue;
		memmove(&aer->cids[i], &aer->cids[i + 1],
			(aer->nr - i - 1) * sizeof(aer->cids[0]));
		aer->nr--;
		return true;
	}
	return false;
}

/**
 * vdev_nvme_aer_reset - a controller reset aborts the outstanding AERs
 * @aer: the AER state
 *
 * No completion is posted for them (the queues are gone); unreported
 * events go with them, and masks.
 */
void vdev_nvme_aer_reset(struct vdev_nvme_aer *aer)
{
	memset(aer, 0, sizeof(*aer));
}

/* --- Abort (5.1), Doorbell Buffer Config (5.11) ------------------------ */

/**
 * vdev_nvme_abort_begin - an Abort command
 * @a: the admin state
 * @cmd: the command: Dword 10 SQID bits 15:0, CID bits 31:16
 * @dw0: set to its Dword 0: bit 0 set when nothing was aborted
 * @aer_aborted: set when an outstanding AER was taken out
 * @aer_cid: set to the command id of that AER
 *
 * What we abort: outstanding Asynchronous Event Requests, the only
 * commands that wait in the controller (the caller completes *@aer_cid
 * with NVME_SC_ABORT_REQ). Admin commands run to completion before the
 * next is fetched, and I/O commands in flight are bios that cannot be
 * called back, so for anything else the answer is "not aborted", which
 * 5.1 allows (Abort is best effort).
 *
 * Each success holds one of ACL + 1 slots until vdev_nvme_abort_end().
 * A controller that completes Aborts at once never has two outstanding,
 * so the limit bites only one that fetches several admin commands before
 * it posts their completions.
 *
 * Return: 0; NVME_SC_ABORT_LIMIT with ACL + 1 outstanding;
 * NVME_SC_INVALID_FIELD for a submission queue that does not exist (as
 * QEMU answers; 5.1 has no status for it).
 */
u16 vdev_nvme_abort_begin(struct vdev_nvme_admin *a,
			  const struct nvme_command *cmd, u32 *dw0,
			  bool *aer_aborted, u16 *aer_cid)
{
	u32 dw10 = vdev_nvme_dw(cmd->common.cdw10);
	u16 sqid = FIELD_GET(VDEV_NVME_ABORT_SQID, dw10);
	u16 cid = FIELD_GET(VDEV_NVME_ABORT_CID, dw10);

	*dw0 = VDEV_NVME_ABORT_NOT;
	*aer_aborted = false;
	if (a->aborts > VDEV_NVME_ACL)
		return NVME_SC_ABORT_LIMIT;
	if (sqid >= VDEV_NVME_NR_QIDS || !a->q.sq[sqid].exists)
		return NVME_SC_INVALID_FIELD;
	if (!sqid && vdev_nvme_aer_cancel(&a->aer, cid)) {
		*dw0 = 0;
		*aer_aborted = true;
		*aer_cid = cid;
	}
	a->aborts++;
	return 0;
}

/**
 * vdev_nvme_abort_end - an Abort's completion was posted
 * @a: the admin state
 *
 * Only for Aborts vdev_nvme_abort_begin() returned 0 for.
 */
void vdev_nvme_abort_end(struct vdev_nvme_admin *a)
{
	if (a->aborts)
		a->aborts--;
}

/**
 * vdev_nvme_dbbuf_check - Doorbell Buffer Config (5.11)
 * @cmd: the command: PRP1 the shadow doorbell buffer, PRP2 the EventIdx
 *	buffer
 * @mps: CC.MPS
 * @shadow: set to PRP1 on success
 * @eventidx: set to PRP2 on success
 *
 * Each is one memory page the queue engine reads doorbells from and
 * writes event indexes to. The caller checks they lie in guest memory.
 *
 * Return: 0, or NVME_SC_INVALID_FIELD for an address that is 0 or not
 * memory page aligned.
 */
u16 vdev_nvme_dbbuf_check(const struct nvme_command *cmd, u8 mps,
			  u64 *shadow, u64 *eventidx)
{
	u64 prp1 = le64_to_cpu(cmd->dbbuf.prp1);
	u64 prp2 = le64_to_cpu(cmd->dbbuf.prp2);
	u64 mask = vdev_nvme_page_size(mps) - 1;

	if (!prp1 || !prp2 || (prp1 & mask) || (prp2 & mask))
		return NVME_SC_INVALID_FIELD;
	*shadow = prp1;
	*eventidx = prp2;
	return 0;
}
