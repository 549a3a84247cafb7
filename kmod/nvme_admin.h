/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe admin commands other than Identify: what each one asks, whether
 * it may, and the bookkeeping it changes (nvme_admin.c). Pure: the
 * controller (nvme.c) reads the commands off the admin queue, calls these,
 * executes what they decide and posts the completions.
 */
#ifndef _VDEV_NVME_ADMIN_H
#define _VDEV_NVME_ADMIN_H

#include <linux/nvme.h>
#include <linux/types.h>
#include <uapi/linux/vdev.h>

#include "nvme_id.h"

/* Queue ids: the admin queue 0 and up to VDEV_MAX_QUEUES I/O queues. */
#define VDEV_NVME_NR_QIDS	(VDEV_MAX_QUEUES + 1)
/* Queue entry sizes as powers of two, the only ones SQES and CQES allow. */
#define VDEV_NVME_IOSQES	6
#define VDEV_NVME_IOCQES	4
/* CAP.MPSMAX: memory pages of 4 KiB (CC.MPS 0) to 64 KiB (4). */
#define VDEV_NVME_MPS_MAX	4

/* The largest log page a builder makes: the Changed Namespace List. */
#define VDEV_NVME_LOG_MAX	4096

/* Composite temperature, Kelvin: a constant 35 °C, there is no sensor. */
#define VDEV_NVME_TEMP_K	308
/* Over temperature threshold after a reset: 70 °C, as QEMU has it. */
#define VDEV_NVME_TEMP_OVER_K	343

/**
 * struct vdev_nvme_qcfg - what queue creation needs of CAP and CC
 * @mqes: CAP.MQES: largest queue, 0's based
 * @mps: CC.MPS: host memory page size is 4 KiB << @mps
 * @iosqes: CC.IOSQES
 * @iocqes: CC.IOCQES
 *
 * The register file (nvme_regs.c) owns the values; the controller hands
 * them over with each queue command.
 */
struct vdev_nvme_qcfg {
	u16 mqes;
	u8 mps;
	u8 iosqes;
	u8 iocqes;
};

/**
 * struct vdev_nvme_qtab_sq - a submission queue in the queue table
 * @base: guest-physical address, memory page aligned
 * @size: entries (1's based; up to 65536)
 * @cqid: the completion queue it posts to
 * @prio: QPRIO as the host gave it; round robin (the only arbitration
 *	CAP.AMS offers) ignores it
 * @exists: created and not deleted
 */
struct vdev_nvme_qtab_sq {
	u64 base;
	u32 size;
	u16 cqid;
	u8 prio;
	bool exists;
};

/**
 * struct vdev_nvme_qtab_cq - a completion queue in the queue table
 * @base: guest-physical address, memory page aligned
 * @size: entries (1's based)
 * @vector: MSI-X vector
 * @nr_sqs: submission queues that post to it
 * @ien: interrupts enabled
 * @exists: created and not deleted
 */
struct vdev_nvme_qtab_cq {
	u64 base;
	u32 size;
	u16 vector;
	u16 nr_sqs;
	bool ien;
	bool exists;
};

/**
 * struct vdev_nvme_qtab - the queues of a controller
 * @sq: submission queues by id; 0 is the admin queue
 * @cq: completion queues by id; 0 is the admin queue
 * @max_io: I/O queue pairs the controller has (its configuration, up to
 *	VDEV_MAX_QUEUES); MSI-X vectors are @max_io + 1
 * @nr_sq: I/O submission queues granted (Number of Queues, 1's based)
 * @nr_cq: I/O completion queues granted (1's based)
 * @io_created: an I/O queue was created since the last reset: Number of
 *	Queues may no longer be set
 *
 * Caller serialises (the controller's admin queue lock).
 */
struct vdev_nvme_qtab {
	struct vdev_nvme_qtab_sq sq[VDEV_NVME_NR_QIDS];
	struct vdev_nvme_qtab_cq cq[VDEV_NVME_NR_QIDS];
	u16 max_io;
	u16 nr_sq;
	u16 nr_cq;
	bool io_created;
};

/**
 * struct vdev_nvme_qdesc - a queue command, decoded and checked
 * @qid: the queue
 * @size: entries (1's based)
 * @base: PRP1
 * @cqid: create SQ: its completion queue
 * @prio: create SQ: QPRIO
 * @vector: create CQ: IV
 * @ien: create CQ: IEN
 */
struct vdev_nvme_qdesc {
	u16 qid;
	u32 size;
	u64 base;
	u16 cqid;
	u8 prio;
	u16 vector;
	bool ien;
};

/**
 * struct vdev_nvme_feat - Set Features state: the current values
 * @arb: Arbitration (01h), as Dword 11
 * @temp_over: over temperature threshold of the composite sensor, Kelvin
 * @temp_under: under temperature threshold, Kelvin
 * @tler: Error Recovery (05h) TLER of each NSID, 100 ms units
 * @vwc_present: the controller has a volatile write cache (Identify VWC)
 * @wce: Volatile Write Cache (06h) enabled; while clear the controller
 *	writes through (FUA)
 * @irq_coalesce: Interrupt Coalescing (08h), as Dword 11 bits 15:0
 * @irq_cd: Interrupt Vector Configuration (09h): Coalescing Disable of
 *	each MSI-X vector
 * @write_atomic: Write Atomicity Normal (0Ah) DN
 * @aec: Asynchronous Event Configuration (0Bh)
 * @kato: Keep Alive Timer (0Fh) in ms, a multiple of KAS's granularity;
 *	0: no timer
 *
 * Number of Queues lives in the queue table. Caller serialises.
 */
struct vdev_nvme_feat {
	u32 arb;
	u16 temp_over;
	u16 temp_under;
	u16 tler[VDEV_MAX_NSID + 1];
	bool vwc_present;
	bool wce;
	u16 irq_coalesce;
	bool irq_cd[VDEV_NVME_NR_QIDS];
	bool write_atomic;
	u32 aec;
	u32 kato;
};

/* Asynchronous events the controller raises (vdev_nvme_event_raise()). */
enum vdev_nvme_event {
	VDEV_NVME_EV_NS_CHANGED,	/* Notice: Namespace Attribute Changed */
	VDEV_NVME_EV_TEMP,		/* SMART: Temperature Threshold */
	VDEV_NVME_EV_DOORBELL,		/* Error: Invalid Doorbell Write Value */
	VDEV_NVME_NR_EVENTS,
};

/**
 * struct vdev_nvme_aer - Asynchronous Event Request bookkeeping
 * @cids: command ids of the outstanding requests, oldest first
 * @nr: entries in @cids
 * @pending: events raised and not reported, bit per enum vdev_nvme_event
 * @masked: event types reported and not yet cleared by a log read, bit
 *	per type (NVME_AER_*)
 *
 * Caller serialises.
 */
struct vdev_nvme_aer {
	u16 cids[VDEV_NVME_AERL + 1];
	u8 nr;
	u8 pending;
	u8 masked;
};

/**
 * struct vdev_nvme_error - one Error Information log entry's content
 * @sqid: the command's submission queue; FFFFh: no command
 * @cid: the command's id
 * @status: its status as posted (NVME_SC_* with DNR), no phase bit
 * @loc: Parameter Error Location; FFFFh: not specific
 * @lba: the first LBA in error
 * @nsid: its namespace; 0: none
 */
struct vdev_nvme_error {
	u16 sqid;
	u16 cid;
	u16 status;
	u16 loc;
	u64 lba;
	u32 nsid;
};

/**
 * struct vdev_nvme_err_log - the Error Information log (one entry: ELPE 0)
 * @count: errors recorded over the controller's life (Error Count of the
 *	latest; 0: none yet)
 * @last: the latest error
 */
struct vdev_nvme_err_log {
	u64 count;
	struct vdev_nvme_error last;
};

/**
 * struct vdev_nvme_ns_list - the Changed Namespace List log
 * @nsids: changed NSIDs, ascending
 * @nr: entries in @nsids
 * @overflow: more than NVME_MAX_CHANGED_NAMESPACES changed
 */
struct vdev_nvme_ns_list {
	u32 nsids[NVME_MAX_CHANGED_NAMESPACES];
	u16 nr;
	bool overflow;
};

/**
 * struct vdev_nvme_smart - counters the controller keeps for SMART
 * @sectors_read: 512-byte units read by host commands
 * @sectors_written: 512-byte units written
 * @host_reads: read commands completed
 * @host_writes: write commands completed
 * @busy_minutes: minutes with I/O outstanding
 * @power_cycles: power cycles (controller creations)
 * @power_on_hours: hours the controller existed
 * @unsafe_shutdowns: guests gone without a shutdown notification
 * @media_errors: commands that failed with a media error
 */
struct vdev_nvme_smart {
	u64 sectors_read;
	u64 sectors_written;
	u64 host_reads;
	u64 host_writes;
	u64 busy_minutes;
	u64 power_cycles;
	u64 power_on_hours;
	u64 unsafe_shutdowns;
	u64 media_errors;
};

/**
 * struct vdev_nvme_admin - the admin state of one controller
 * @q: queues
 * @feat: features
 * @aer: asynchronous events
 * @err: the Error Information log
 * @changed: the Changed Namespace List log
 * @aborts: Abort commands outstanding
 *
 * Caller serialises: the controller takes its admin lock around every
 * function here, the poller's and the control plane's (namespace changes,
 * errors) alike.
 */
struct vdev_nvme_admin {
	struct vdev_nvme_qtab q;
	struct vdev_nvme_feat feat;
	struct vdev_nvme_aer aer;
	struct vdev_nvme_err_log err;
	struct vdev_nvme_ns_list changed;
	u8 aborts;
};

/* Which function takes an admin command (vdev_nvme_admin_decode()). */
enum vdev_nvme_admin_handler {
	VDEV_NVME_ADM_DELETE_SQ,
	VDEV_NVME_ADM_CREATE_SQ,
	VDEV_NVME_ADM_GET_LOG,
	VDEV_NVME_ADM_DELETE_CQ,
	VDEV_NVME_ADM_CREATE_CQ,
	VDEV_NVME_ADM_IDENTIFY,
	VDEV_NVME_ADM_ABORT,
	VDEV_NVME_ADM_SET_FEAT,
	VDEV_NVME_ADM_GET_FEAT,
	VDEV_NVME_ADM_AER,
	VDEV_NVME_ADM_DBBUF,
	VDEV_NVME_ADM_KEEP_ALIVE,
};

/* Direction of an admin command's data, as the PRPs are walked. */
enum vdev_nvme_xfer_dir {
	VDEV_NVME_XFER_NONE,
	VDEV_NVME_XFER_TO_HOST,
};

/**
 * struct vdev_nvme_admin_op - what an admin command needs of the controller
 * @handler: the function that takes it
 * @dir: whether data moves, and which way
 * @len: bytes of data (PRP1/PRP2 describe that many); 0 when @dir is NONE
 */
struct vdev_nvme_admin_op {
	enum vdev_nvme_admin_handler handler;
	enum vdev_nvme_xfer_dir dir;
	u64 len;
};

/**
 * struct vdev_nvme_log_req - a Get Log Page command, decoded
 * @lid: log page identifier
 * @lsp: log specific field
 * @rae: retain asynchronous event
 * @nsid: the command's NSID
 * @off: byte offset into the log (LPO)
 * @len: bytes to transfer ((NUMD + 1) * 4)
 */
struct vdev_nvme_log_req {
	u8 lid;
	u8 lsp;
	bool rae;
	u32 nsid;
	u64 off;
	u64 len;
};

void vdev_nvme_admin_init(struct vdev_nvme_admin *a, u16 max_io,
			  bool write_cache);
void vdev_nvme_admin_reset(struct vdev_nvme_admin *a);
u16 vdev_nvme_admin_decode(const struct nvme_command *cmd,
			   struct vdev_nvme_admin_op *op);

void vdev_nvme_qtab_init(struct vdev_nvme_qtab *q, u16 max_io);
void vdev_nvme_qtab_reset(struct vdev_nvme_qtab *q);
void vdev_nvme_qtab_set_admin(struct vdev_nvme_qtab *q, u64 asq, u16 asqs,
			      u64 acq, u16 acqs);
u16 vdev_nvme_create_cq_check(const struct vdev_nvme_qtab *q,
			      const struct vdev_nvme_qcfg *cfg,
			      const struct nvme_command *cmd,
			      struct vdev_nvme_qdesc *d);
void vdev_nvme_create_cq_apply(struct vdev_nvme_qtab *q,
			       const struct vdev_nvme_qdesc *d);
u16 vdev_nvme_create_sq_check(const struct vdev_nvme_qtab *q,
			      const struct vdev_nvme_qcfg *cfg,
			      const struct nvme_command *cmd,
			      struct vdev_nvme_qdesc *d);
void vdev_nvme_create_sq_apply(struct vdev_nvme_qtab *q,
			       const struct vdev_nvme_qdesc *d);
u16 vdev_nvme_delete_sq_check(const struct vdev_nvme_qtab *q,
			      const struct nvme_command *cmd, u16 *qid);
void vdev_nvme_delete_sq_apply(struct vdev_nvme_qtab *q, u16 qid);
u16 vdev_nvme_delete_cq_check(const struct vdev_nvme_qtab *q,
			      const struct nvme_command *cmd, u16 *qid);
void vdev_nvme_delete_cq_apply(struct vdev_nvme_qtab *q, u16 qid);

void vdev_nvme_feat_init(struct vdev_nvme_feat *f, bool write_cache);
u16 vdev_nvme_get_features(const struct vdev_nvme_admin *a,
			   const struct nvme_command *cmd, bool ns_active,
			   u32 *dw0);
u16 vdev_nvme_set_features(struct vdev_nvme_admin *a,
			   const struct nvme_command *cmd, bool ns_active,
			   u32 *dw0);

u16 vdev_nvme_log_decode(const struct nvme_command *cmd,
			 struct vdev_nvme_log_req *req);
u16 vdev_nvme_log_build(const struct vdev_nvme_admin *a,
			const struct vdev_nvme_smart *smart,
			const struct vdev_nvme_log_req *req, void *buf,
			u32 *size);
void vdev_nvme_log_copy(void *dst, u32 len, const void *log, u32 size,
			u64 off);
void vdev_nvme_log_done(struct vdev_nvme_admin *a,
			const struct vdev_nvme_log_req *req);
void vdev_nvme_error_record(struct vdev_nvme_admin *a,
			    const struct vdev_nvme_error *e);
void vdev_nvme_ns_changed(struct vdev_nvme_admin *a, u32 nsid);

u16 vdev_nvme_aer_submit(struct vdev_nvme_aer *aer, u16 cid);
void vdev_nvme_event_raise(struct vdev_nvme_admin *a,
			   enum vdev_nvme_event ev);
bool vdev_nvme_aer_next(struct vdev_nvme_aer *aer, u16 *cid, u32 *dw0);
void vdev_nvme_aer_reset(struct vdev_nvme_aer *aer);

u16 vdev_nvme_abort_begin(struct vdev_nvme_admin *a,
			  const struct nvme_command *cmd, u32 *dw0,
			  bool *aer_aborted, u16 *aer_cid);
void vdev_nvme_abort_end(struct vdev_nvme_admin *a);
u16 vdev_nvme_dbbuf_check(const struct nvme_command *cmd, u8 mps,
			  u64 *shadow, u64 *eventidx);

#endif /* _VDEV_NVME_ADMIN_H */
