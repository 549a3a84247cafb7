// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-scsi device type: a SCSI host whose LUNs, addressed by target
 * and lun, are block devices, served over vhost-user (vhost-user-scsi-pci).
 * scsi.c decodes and emulates the commands; this file moves them between
 * the rings, guest memory and the block layer.
 *
 * Virtqueues: 0 is the control queue (task management, asynchronous
 * notification), 1 the event queue, 2 and up the request queues. The
 * event queue's buffers are parked (vdev_req_park()) until a LUN comes or
 * goes: then one is ended with a TRANSPORT_RESET event, RESCAN or
 * REMOVED, from the control path, or when ns resize finds a new size:
 * then a PARAM_CHANGE event. With no buffer to take it the event is
 * remembered as missed, and the next buffer says EVENTS_MISSED.
 *
 * A request queue's chain is the command header, the data-out, the
 * response and the data-in (virtio 1.2, 5.6.6). The response must sit in
 * one buffer, as SPDK asks too (Linux sends it so); whatever of that
 * buffer is past the response is data-in. The response is written when
 * the request is reaped (vdev_scsi_complete()): the status and the sense
 * depend on how its bios ended.
 *
 * LUNs come and go while a guest is attached: each request looks its LUN
 * up (vdev_ns_lookup(): RCU, then a reference held until it is reaped)
 * and is counted in the LUN's @inflight. A bio cannot be aborted, so task
 * management lets the LUN's requests complete and answers FUNCTION
 * COMPLETE once they have.
 *
 * One front end at a time is one I_T nexus, so the unit attention state
 * of a LUN's one nexus lives with the LUN.
 */
#include <linux/blkdev.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_scsi.h>
#include <scsi/scsi_proto.h>

#include "mem.h"
#include "poller.h"
#include "scsi.h"
#include "session.h"

#define VDEV_SCSI_MAX_QUEUE_SIZE	32768
#define VDEV_SCSI_MAX_LUNS		256
#define VDEV_SCSI_LUN_BITS		14	/* VDEV_MAX_LUN is 16383 */
#define VDEV_SCSI_LUN_MASK		((1UL << VDEV_SCSI_LUN_BITS) - 1)

#define VDEV_SCSI_CTRL_QUEUE		0
#define VDEV_SCSI_EVENT_QUEUE		1

/*
 * The config space QEMU 7.2's vhost-user-scsi-pci shows the guest from its
 * own properties; ours says the same, and requests are accepted up to it.
 */
#define VDEV_SCSI_MAX_SECTORS		0xffff
#define VDEV_SCSI_CMD_PER_LUN		128
#define VDEV_SCSI_CDB_SIZE		VIRTIO_SCSI_CDB_DEFAULT_SIZE
#define VDEV_SCSI_SENSE_SIZE		VIRTIO_SCSI_SENSE_DEFAULT_SIZE
/* Buffers of one chain: QEMU's rings hold at most 1024 entries. */
#define VDEV_SCSI_CHAIN_MAX		1024
/* WRITE SAME writes this much at most per command. */
#define VDEV_SCSI_WS_MAX_BYTES		SZ_32M
/*
 * VERIFY reads the medium this many pages at a time (256 KiB with 4 KiB
 * pages): a VERIFY of the maximum transfer length, 32 MiB, is 128 reads.
 */
#define VDEV_SCSI_BOUNCE_PAGES		64
/* The spec's VIRTIO_SCSI_S_FUNCTION_COMPLETE; Linux's header lacks it. */
#define VDEV_SCSI_S_FUNCTION_COMPLETE	0
/* How long task management waits for a LUN's requests. */
#define VDEV_SCSI_TMF_TIMEOUT		(30 * HZ)

#define VDEV_SCSI_FEATURES					\
	(BIT_ULL(VIRTIO_F_VERSION_1) |				\
	 BIT_ULL(VIRTIO_F_RING_PACKED) |			\
	 BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) |			\
	 BIT_ULL(VIRTIO_RING_F_EVENT_IDX) |			\
	 BIT_ULL(VDEV_VU_F_PROTOCOL_FEATURES) |			\
	 BIT_ULL(VIRTIO_SCSI_F_HOTPLUG) |			\
	 BIT_ULL(VIRTIO_SCSI_F_CHANGE))

/* Config space is little-endian: VERSION_1 is always negotiated. */
#define LE16(x)	((__force __virtio16)cpu_to_le16(x))
#define LE32(x)	((__force __virtio32)cpu_to_le32(x))

/* req->scsi.kind */
enum vdev_scsi_kind {
	VDEV_SCSI_KIND_NONE,	/* nothing to answer */
	VDEV_SCSI_KIND_CMD,
	VDEV_SCSI_KIND_TMF,
	VDEV_SCSI_KIND_AN,
	VDEV_SCSI_KIND_EVENT,
};

/* The event queue's q->dev_flags: an event found no buffer. */
#define VDEV_SCSI_EVENTS_MISSED	0

/* The wire: virtio_scsi_cmd_req with the default CDB size, and so on. */
struct vdev_scsi_cmd_hdr {
	u8 lun[8];
	__le64 tag;
	u8 task_attr;
	u8 prio;
	u8 crn;
	u8 cdb[VDEV_SCSI_CDB_SIZE];
} __packed;

struct vdev_scsi_cmd_resp {
	__le32 sense_len;
	__le32 resid;
	__le16 status_qualifier;
	u8 status;
	u8 response;
	u8 sense[VDEV_SCSI_SENSE_SIZE];
} __packed;

/* A control request after its type: TMF and AN. */
struct vdev_scsi_tmf_req {
	__le32 subtype;
	u8 lun[8];
	__le64 tag;
} __packed;

struct vdev_scsi_an_req {
	u8 lun[8];
	__le32 event_requested;
} __packed;

struct vdev_scsi_an_resp {
	__le32 event_actual;
	u8 response;
} __packed;

struct vdev_scsi_event {
	__le32 event;
	u8 lun[8];
	__le32 reason;
} __packed;

/**
 * struct vdev_scsi_lun - a LUN as the device type keeps it (ns->priv)
 * @info: what scsi.c knows of it; fixed at attach but for @info.nr_blocks
 *	(a resize, cmpxchg64) and @info.wce (MODE SELECT), which requests
 *	of any queue read without a lock
 * @st: its unit attentions (atomic bitops)
 * @shift: log2 of 512-byte sectors per logical block
 * @inflight: commands looked up on it and not yet reaped
 * @idle_wq: task management waits here for @inflight to reach 0
 */
struct vdev_scsi_lun {
	struct vdev_scsi_lun_info info;
	struct vdev_scsi_lun_state st;
	u8 shift;
	atomic_t inflight;
	wait_queue_head_t idle_wq;
};

static unsigned long vdev_scsi_key(u8 target, u16 lun)
{
	return ((unsigned long)target << VDEV_SCSI_LUN_BITS) | lun;
}

/* --- LUNs ---------------------------------------------------------------- */

/*
 * Who the LUN says it is: what the user set at ns-add (ns->ident), else
 * our defaults. The serial doubles as the LUN's T10 vendor id designator.
 */
VISIBLE_IF_KUNIT void vdev_scsi_lun_ident(struct vdev_scsi_lun_info *info,
					  const struct vdev_ns *ns)
{
	const struct vdev_ns_ident *id = &ns->ident;

	BUILD_BUG_ON(VDEV_MAX_VENDOR_LEN > VDEV_SCSI_VENDOR_LEN);
	BUILD_BUG_ON(VDEV_MAX_PRODUCT_LEN > VDEV_SCSI_PRODUCT_LEN);
	BUILD_BUG_ON(VDEV_MAX_SERIAL_LEN > VDEV_SCSI_ID_LEN);
	strscpy(info->vendor, id->vendor[0] ? id->vendor : "VDEV",
		sizeof(info->vendor));
	strscpy(info->product, id->product[0] ? id->product : "vdev-scsi disk",
		sizeof(info->product));
	strscpy(info->revision, "1", sizeof(info->revision));
	if (id->serial[0])
		strscpy(info->serial, id->serial, sizeof(info->serial));
	else
		snprintf(info->serial, sizeof(info->serial), "%s.%u.%u",
			 ns->ctrl->name, ns->addr.target, ns->addr.lun);
	strscpy(info->device_id, info->serial, sizeof(info->device_id));
	strscpy(info->port_id, ns->ctrl->name, sizeof(info->port_id));
}

/* What the emulation reports of @ns, from its block device. */
static void vdev_scsi_lun_fill(struct vdev_scsi_lun *lun, struct vdev_ns *ns)
{
	struct vdev_scsi_lun_info *info = &lun->info;
	struct block_device *bdev = vdev_ns_bdev(ns);
	u32 lbs = bdev_logical_block_size(bdev);
	u32 pbs = bdev_physical_block_size(bdev);
	int align = bdev_alignment_offset(bdev);
	unsigned long key = vdev_scsi_key(ns->addr.target, ns->addr.lun);

	lun->shift = ilog2(lbs) - SECTOR_SHIFT;
	info->block_size = lbs;
	info->nr_blocks = bdev_nr_sectors(bdev) >> lun->shift;
	info->phys_exp = ilog2(pbs / lbs);
	if (align > 0)
		info->lowest_aligned = ((pbs - align) % pbs) / lbs & 0x3fff;
	info->read_only = ns->read_only || bdev_read_only(bdev);
	info->rotational = !bdev_nonrot(bdev);
	info->wc_present = bdev_write_cache(bdev);
	info->wce = info->wc_present;
	info->max_xfer_blocks = (VDEV_SCSI_MAX_SECTORS << SECTOR_SHIFT) / lbs;
	info->opt_xfer_blocks = bdev_io_opt(bdev) / lbs;
	info->opt_gran_blocks = min(bdev_io_min(bdev) / lbs, (u32)U16_MAX);
	if (bdev_max_discard_sectors(bdev)) {
		info->max_unmap_blocks =
			min_t(u64, bdev_max_discard_sectors(bdev) >> lun->shift,
			      U32_MAX);
		info->max_unmap_desc = VDEV_SCSI_UNMAP_DESC_MAX;
		info->unmap_gran = max(bdev_discard_granularity(bdev) / lbs, 1U);
	}
	info->max_ws_blocks = VDEV_SCSI_WS_MAX_BYTES / lbs;
	/* Unique on the host while it exists: controller id and address. */
	info->naa = ((u64)ns->ctrl->id << 24 | key) & GENMASK_ULL(59, 0);
	vdev_scsi_lun_ident(info, ns);
}

/* REPORTED LUNS DATA HAS CHANGED for the other LUNs of @ns's target. */
static void vdev_scsi_luns_changed(struct vdev_ns *ns)
{
	unsigned long first = vdev_scsi_key(ns->addr.target, 0), key;
	struct vdev_ctrl *ctrl = ns->ctrl;
	struct vdev_ns *other;

	lockdep_assert_held(&vdev_lock);
	xa_for_each_range(&ctrl->ns, key, other, first,
			  first | VDEV_SCSI_LUN_MASK)
		if (other != ns && other->priv)
			vdev_scsi_ua_set(&((struct vdev_scsi_lun *)other->priv)->st,
					 VDEV_SCSI_UA_LUNS);
}

/* Caller holds vdev_lock; @ns is not in the table yet. */
static int vdev_scsi_ns_init(struct vdev_ns *ns)
{
	struct vdev_scsi_lun *lun;

	lun = kzalloc(sizeof(*lun), GFP_KERNEL);
	if (!lun)
		return -ENOMEM;
	vdev_scsi_lun_fill(lun, ns);
	atomic_set(&lun->inflight, 0);
	init_waitqueue_head(&lun->idle_wq);
	vdev_scsi_ua_set(&lun->st, VDEV_SCSI_UA_POWER_ON);
	ns->priv = lun;
	return 0;
}

/*
 * Tell the attached guest, if it negotiated @feature, of an event on a
 * LUN. Caller holds vdev_lock, which keeps ctrl->session.
 */
static void vdev_scsi_post_event(struct vdev_ctrl *ctrl, u32 feature,
				 u32 event, u32 reason, u8 target, u16 lun)
{
	struct vdev_req_scsi *sr;
	struct vdev_session *s;
	struct vdev_queue *q;
	struct vdev_req *req;

	lockdep_assert_held(&vdev_lock);
	if (!vdev_ctrl_connected(ctrl))
		return;
	s = ctrl->session;
	if (!(READ_ONCE(s->features) & BIT_ULL(feature)))
		return;
	q = &s->queues[VDEV_SCSI_EVENT_QUEUE];
	req = vdev_req_unpark(q);
	if (!req) {
		set_bit(VDEV_SCSI_EVENTS_MISSED, &q->dev_flags);
		return;
	}
	sr = &req->scsi;
	sr->event = event;
	if (test_and_clear_bit(VDEV_SCSI_EVENTS_MISSED, &q->dev_flags))
		sr->event |= VIRTIO_SCSI_T_EVENTS_MISSED;
	sr->reason = reason;
	sr->target = target;
	sr->lun = lun;
	vdev_req_end(req);
}

/* A LUN came or went: unit attentions on its target, and an event. */
static void vdev_scsi_ns_changed(struct vdev_ns *ns, bool added)
{
	vdev_scsi_luns_changed(ns);
	vdev_scsi_post_event(ns->ctrl, VIRTIO_SCSI_F_HOTPLUG,
			     VIRTIO_SCSI_T_TRANSPORT_RESET,
			     added ? VIRTIO_SCSI_EVT_RESET_RESCAN :
			     VIRTIO_SCSI_EVT_RESET_REMOVED, ns->addr.target,
			     ns->addr.lun);
}

static void vdev_scsi_ns_free(struct vdev_ns *ns)
{
	kfree(ns->priv);
	ns->priv = NULL;
}

/*
 * A front end attached: a new I_T nexus, which first hears of a power on
 * from every LUN, and of nothing the one before it missed.
 */
static void vdev_scsi_connect(struct vdev_ctrl *ctrl)
{
	struct vdev_scsi_lun *lun;
	struct vdev_ns *ns;
	unsigned long key;

	lockdep_assert_held(&vdev_lock);
	xa_for_each(&ctrl->ns, key, ns) {
		lun = ns->priv;
		WRITE_ONCE(lun->st.ua, BIT(VDEV_SCSI_UA_POWER_ON));
		WRITE_ONCE(lun->info.wce, lun->info.wc_present);
	}
}

/*
 * A resize: the new capacity, and CAPACITY DATA HAS CHANGED once. Returns
 * whether this call saw it.
 */
static bool vdev_scsi_lun_check_size(struct vdev_scsi_lun *lun,
				     struct block_device *bdev)
{
	u64 now = bdev_nr_sectors(bdev) >> lun->shift;
	u64 old = READ_ONCE(lun->info.nr_blocks);

	if (likely(now == old))
		return false;
	if (cmpxchg64(&lun->info.nr_blocks, old, now) != old)
		return false;
	vdev_scsi_ua_set(&lun->st, VDEV_SCSI_UA_CAPACITY);
	return true;
}

/*
 * ns resize: a new size is CAPACITY DATA HAS CHANGED, as a unit attention
 * and, for a guest that negotiated CHANGE, a PARAM_CHANGE event whose
 * reason is that ASC and ASCQ.
 */
static void vdev_scsi_ns_resized(struct vdev_ns *ns)
{
	if (!vdev_scsi_lun_check_size(ns->priv, vdev_ns_bdev(ns)))
		return;
	vdev_scsi_post_event(ns->ctrl, VIRTIO_SCSI_F_CHANGE,
			     VIRTIO_SCSI_T_PARAM_CHANGE, 0x2a | 0x09 << 8,
			     ns->addr.target, ns->addr.lun);
}

/*
 * A single-level LUN as Linux and QEMU write it: 1, the target, then the
 * LUN in peripheral (00h) or flat space (40h) addressing. The last four
 * bytes are ignored, as QEMU does.
 */
VISIBLE_IF_KUNIT int vdev_scsi_lun_decode(const u8 *p, u8 *target, u16 *lun)
{
	if (p[0] != 1 || (p[2] && (p[2] & 0xc0) != 0x40))
		return -EINVAL;
	*target = p[1];
	*lun = ((p[2] & 0x3f) << 8) | p[3];
	return 0;
}

static bool vdev_scsi_target_exists(struct vdev_ctrl *ctrl, u8 target)
{
	unsigned long key = vdev_scsi_key(target, 0);

	return xa_find(&ctrl->ns, &key, key | VDEV_SCSI_LUN_MASK, XA_PRESENT);
}

/* The next LUN of @target from *@key on, with a reference; or NULL. */
static struct vdev_ns *vdev_scsi_target_next(struct vdev_ctrl *ctrl,
					     u8 target, unsigned long *key)
{
	unsigned long last = vdev_scsi_key(target, VDEV_SCSI_LUN_MASK);
	struct vdev_ns *ns;

	for (;;) {
		rcu_read_lock();
		ns = xa_find(&ctrl->ns, key, last, XA_PRESENT);
		if (ns && !kref_get_unless_zero(&ns->ref)) {
			rcu_read_unlock();
			if ((*key)++ == last)
				return NULL;
			continue;
		}
		rcu_read_unlock();
		if (ns)
			(*key)++;
		return ns;
	}
}

/* --- guest memory ---------------------------------------------------------- */

/* Copy @len bytes of @src into the buffers @b, in order. */
static int vdev_scsi_copy_in(struct vdev_req *req,
			     const struct vdev_vring_buf *b, unsigned int n,
			     const u8 *src, u32 len)
{
	unsigned int i;
	u32 k;
	int ret;

	for (i = 0; i < n && len; i++) {
		k = min(len, b[i].len);
		ret = vdev_req_write(req, b[i].gpa, src, k);
		if (ret)
			return ret;
		src += k;
		len -= k;
	}
	return len ? -EINVAL : 0;
}

static int vdev_scsi_copy_out(struct vdev_req *req,
			      const struct vdev_vring_buf *b, unsigned int n,
			      u8 *dst, u32 len)
{
	unsigned int i;
	u32 k;
	int ret;

	for (i = 0; i < n && len; i++) {
		k = min(len, b[i].len);
		ret = vdev_mem_read(req->gen->mem, b[i].gpa, dst, k);
		if (ret)
			return ret;
		dst += k;
		len -= k;
	}
	return len ? -EINVAL : 0;
}

/* Cut a buffer list to its first @len bytes; returns the buffers kept. */
static unsigned int vdev_scsi_cut_bufs(struct vdev_vring_buf *b,
				       unsigned int n, u32 len)
{
	unsigned int i;

	for (i = 0; i < n && len; i++) {
		if (b[i].len >= len) {
			b[i].len = len;
			return i + 1;
		}
		len -= b[i].len;
	}
	return i;
}

/*
 * Set the response buffer aside: the first writable buffer, which must
 * hold @size bytes; the rest of it and the buffers after are data-in.
 * @nout gets the data-out buffers (those before it).
 */
static int vdev_scsi_take_resp(struct vdev_req *req,
			       struct vdev_vring_chain *chain, u32 size,
			       struct vdev_vring_buf **in, unsigned int *nin,
			       unsigned int *nout)
{
	struct vdev_vring_buf *b;
	unsigned int i;

	for (i = 0; i < chain->nbufs && !chain->bufs[i].write; i++)
		;
	*nout = i;
	if (i == chain->nbufs || chain->bufs[i].len < size)
		return -EINVAL;
	b = &chain->bufs[i];
	req->scsi.resp_gpa = b->gpa;
	b->gpa += size;
	b->len -= size;
	chain->in_len -= size;
	*nin = chain->nbufs - i;
	if (!b->len) {
		b++;
		(*nin)--;
	}
	*in = b;
	return 0;
}

/* --- commands -------------------------------------------------------------- */

static void vdev_scsi_check_condition(struct vdev_req *req,
				      const struct vdev_scsi_sense *sense)
{
	struct vdev_req_scsi *sr = &req->scsi;

	sr->status = SAM_STAT_CHECK_CONDITION;
	sr->key = sense->key;
	sr->asc = sense->asc;
	sr->ascq = sense->ascq;
}

static void vdev_scsi_invalid_field(struct vdev_req *req)
{
	static const struct vdev_scsi_sense s = { ILLEGAL_REQUEST, 0x24, 0 };

	vdev_scsi_check_condition(req, &s);
}

static u8 vdev_scsi_stat(enum vdev_scsi_op op)
{
	switch (op) {
	case VDEV_SCSI_OP_READ:
		return VDEV_STAT_READ;
	case VDEV_SCSI_OP_WRITE:
		return VDEV_STAT_WRITE;
	case VDEV_SCSI_OP_VERIFY:	/* it reads the medium */
		return VDEV_STAT_READ;
	case VDEV_SCSI_OP_SYNC:
		return VDEV_STAT_FLUSH;
	case VDEV_SCSI_OP_UNMAP:
		return VDEV_STAT_DISCARD;
	case VDEV_SCSI_OP_WRITE_SAME:	/* a write, if not of zeroes */
		return VDEV_STAT_WRITE_ZEROES;
	default:
		return VDEV_STAT_OTHER;
	}
}

/* The LUN numbers of @target, ascending, into @luns (room for max). */
static u32 vdev_scsi_target_luns(struct vdev_ctrl *ctrl, u8 target, u16 *luns)
{
	unsigned long first = vdev_scsi_key(target, 0), key;
	struct vdev_ns *ns;
	u32 n = 0;

	xa_for_each_range(&ctrl->ns, key, ns, first,
			  first | VDEV_SCSI_LUN_MASK) {
		if (n == VDEV_SCSI_MAX_LUNS)
			break;
		luns[n++] = key & VDEV_SCSI_LUN_MASK;
	}
	return n;
}

/* SPC-4: REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED on the target. */
static void vdev_scsi_luns_reported(struct vdev_ctrl *ctrl, u8 target)
{
	unsigned long key = vdev_scsi_key(target, 0);
	struct vdev_ns *ns;

	while ((ns = vdev_scsi_target_next(ctrl, target, &key))) {
		vdev_scsi_ua_clear(&((struct vdev_scsi_lun *)ns->priv)->st,
				   VDEV_SCSI_UA_LUNS);
		vdev_ns_put(ns);
	}
}

/* Commands answered from memory: data-in from @buf. */
static int vdev_scsi_run_emulated(struct vdev_req *req, struct vdev_scsi_cmd *cmd,
				  struct vdev_scsi_lun *lun, u8 target,
				  struct vdev_vring_buf *in, unsigned int nin)
{
	struct vdev_ctrl *ctrl = req->q->session->ctrl;
	u16 *luns;
	u8 *buf;
	u32 n, nr;
	int ret;

	buf = kmalloc(VDEV_SCSI_BUF_LEN + VDEV_SCSI_MAX_LUNS * sizeof(*luns),
		      GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (cmd->op == VDEV_SCSI_OP_REPORT_LUNS) {
		luns = (u16 *)(buf + VDEV_SCSI_BUF_LEN);
		nr = vdev_scsi_target_luns(ctrl, target, luns);
		n = vdev_scsi_report_luns(cmd, luns, nr, buf);
	} else {
		n = vdev_scsi_emulate(cmd, lun ? &lun->info : NULL,
				      lun ? &lun->st : NULL, buf);
	}
	ret = vdev_scsi_copy_in(req, in, nin, buf, n);
	kfree(buf);
	if (ret)
		return ret;
	if (cmd->op == VDEV_SCSI_OP_REPORT_LUNS)
		vdev_scsi_luns_reported(ctrl, target);
	req->scsi.xfer_len = n;
	req->scsi.resid = cmd->resid;
	return 0;
}

/* MODE SELECT: the caching page's WCE is all that may change. */
static int vdev_scsi_run_mode_select(struct vdev_req *req,
				     struct vdev_scsi_cmd *cmd,
				     struct vdev_scsi_lun *lun,
				     const struct vdev_vring_buf *out,
				     unsigned int nout)
{
	bool wce = READ_ONCE(lun->info.wce);
	u8 *buf;
	int ret;

	buf = kmalloc(VDEV_SCSI_BUF_LEN, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = vdev_scsi_copy_out(req, out, nout, buf, cmd->xfer_len);
	if (!ret) {
		if (vdev_scsi_mode_select(cmd, &lun->info, buf, cmd->xfer_len,
					  &wce))
			vdev_scsi_check_condition(req, &cmd->sense);
		else
			WRITE_ONCE(lun->info.wce, wce);
	}
	kfree(buf);
	return ret;
}

/* UNMAP, in process context: the block layer may sleep. */
static void vdev_scsi_unmap_work(struct work_struct *work)
{
	struct vdev_req *req = container_of(work, struct vdev_req, work);
	struct vdev_req_scsi *sr = &req->scsi;
	struct vdev_scsi_lun *lun = req->ns->priv;
	struct block_device *bdev = vdev_ns_bdev(req->ns);
	struct vdev_scsi_range *r = sr->buf;
	int ret = 0;
	u32 i;

	for (i = 0; i < sr->nranges && !ret; i++)
		ret = blkdev_issue_discard(bdev, r[i].lba << lun->shift,
					   (sector_t)r[i].nblocks << lun->shift,
					   GFP_KERNEL);
	if (ret)
		req->bio_status = errno_to_blk_status(ret);
	vdev_req_end(req);
}

static int vdev_scsi_run_unmap(struct vdev_req *req, struct vdev_scsi_cmd *cmd,
			       struct vdev_scsi_lun *lun,
			       const struct vdev_vring_buf *out,
			       unsigned int nout)
{
	struct vdev_req_scsi *sr = &req->scsi;
	u8 *buf;
	int ret;

	buf = kmalloc(VDEV_SCSI_BUF_LEN, GFP_KERNEL);
	sr->buf = kmalloc_array(VDEV_SCSI_UNMAP_DESC_MAX,
				sizeof(struct vdev_scsi_range), GFP_KERNEL);
	ret = -ENOMEM;
	if (!buf || !sr->buf)
		goto out_free;
	ret = vdev_scsi_copy_out(req, out, nout, buf, cmd->xfer_len);
	if (ret)
		goto out_free;
	ret = vdev_scsi_unmap_parse(cmd, &lun->info, buf, cmd->xfer_len,
				    sr->buf);
	if (ret < 0) {
		vdev_scsi_check_condition(req, &cmd->sense);
		ret = 0;
	} else if (ret) {
		sr->nranges = ret;
		ret = 0;
		vdev_req_slow(req, vdev_scsi_unmap_work);
	}
out_free:
	kfree(buf);
	return ret;
}

/* --- VERIFY and WRITE SAME: the medium through pages of our own ---------- */

/**
 * struct vdev_scsi_slow - a VERIFY or WRITE SAME for its work (in sr->buf)
 * @cmd: the command as parsed; the sense of a miscompare goes here
 * @cur: the data-out buffer the next read of it starts in
 * @cur_off: and where in that buffer
 * @nbufs: entries in @bufs
 * @bufs: the data-out, cut to what the CDB says: the blocks (BYTCHK 1),
 *	one block (BYTCHK 3, WRITE SAME) or nothing (BYTCHK 0, NDOB)
 */
struct vdev_scsi_slow {
	struct vdev_scsi_cmd cmd;
	unsigned int cur;
	u32 cur_off;
	unsigned int nbufs;
	struct vdev_vring_buf bufs[] __counted_by(nbufs);
};

/**
 * struct vdev_scsi_bounce - the pages a VERIFY or WRITE SAME moves data in
 * @pages: a VERIFY reads this many pages of the medium at a time
 * @nr: pages in @pages
 * @data: the data-out block (BYTCHK 3; WRITE SAME, repeated to fill the
 *	page), or the data-out a page of the medium is compared with
 *
 * They are allocated by the work, not with the command: the workqueue's
 * max_active bounds how many exist however many commands guests queue.
 */
struct vdev_scsi_bounce {
	struct page *pages[VDEV_SCSI_BOUNCE_PAGES];
	unsigned int nr;
	struct page *data;
};

static int vdev_scsi_bounce_alloc(struct vdev_scsi_bounce *b, unsigned int nr)
{
	b->data = alloc_page(GFP_KERNEL);
	if (!b->data)
		return -ENOMEM;
	for (b->nr = 0; b->nr < nr; b->nr++) {
		b->pages[b->nr] = alloc_page(GFP_KERNEL);
		if (!b->pages[b->nr])
			return -ENOMEM;
	}
	return 0;
}

static void vdev_scsi_bounce_free(struct vdev_scsi_bounce *b)
{
	while (b->nr)
		__free_page(b->pages[--b->nr]);
	if (b->data)
		__free_page(b->data);
}

/*
 * One bio over @len bytes at @sector, waited for: page i of @pages holds
 * the bytes from i * PAGE_SIZE, or, when @same, every page is @pages[0]
 * (as blkdev_issue_zeroout() repeats the zero page). Not REQ_NOWAIT: the
 * block layer splits it to the device's limits and this work may wait.
 */
static blk_status_t vdev_scsi_bounce_io(struct block_device *bdev,
					blk_opf_t opf, sector_t sector,
					struct page **pages, bool same, u32 len)
{
	unsigned int i, n = DIV_ROUND_UP(len, PAGE_SIZE);
	blk_status_t status;
	struct bio *bio;

	/* From fs_bio_set's mempool: with GFP_KERNEL it cannot fail. */
	bio = bio_alloc(bdev, n, opf, GFP_KERNEL);
	bio->bi_iter.bi_sector = sector;
	for (i = 0; i < n; i++)
		__bio_add_page(bio, pages[same ? 0 : i],
			       min_t(u32, len - i * PAGE_SIZE, PAGE_SIZE), 0);
	submit_bio_wait(bio);
	status = bio->bi_status;
	bio_put(bio);
	return status;
}

/*
 * The next @len bytes of the data-out, in order. A guest buffer that is
 * gone (a punched hole) fails the command as a bad chain would.
 */
static int vdev_scsi_out_read(struct vdev_req *req, struct vdev_scsi_slow *sl,
			      u8 *dst, u32 len)
{
	const struct vdev_vring_buf *b;
	u32 k;
	int ret;

	while (len) {
		if (sl->cur >= sl->nbufs)
			goto fail;
		b = &sl->bufs[sl->cur];
		k = min(len, b->len - sl->cur_off);
		ret = vdev_mem_read(req->gen->mem, b->gpa + sl->cur_off, dst, k);
		if (ret)
			goto fail;
		dst += k;
		len -= k;
		sl->cur_off += k;
		if (sl->cur_off == b->len) {
			sl->cur++;
			sl->cur_off = 0;
		}
	}
	return 0;
fail:
	req->scsi.response = VIRTIO_SCSI_S_FAILURE;
	return -EFAULT;
}

/* The medium failed: the sense comes from @status at completion. */
static int vdev_scsi_medium_error(struct vdev_req *req, blk_status_t status)
{
	req->bio_status = status;
	return -EIO;
}

/* Compare @len bytes read into @b's pages, @off bytes into the range. */
static int vdev_scsi_verify_pages(struct vdev_req *req,
				  struct vdev_scsi_lun *lun,
				  struct vdev_scsi_slow *sl,
				  struct vdev_scsi_bounce *b, u32 len, u64 off)
{
	u8 *data = page_address(b->data);
	unsigned int i;
	u32 n;

	for (i = 0; i * PAGE_SIZE < len; i++) {
		n = min_t(u32, len - i * PAGE_SIZE, PAGE_SIZE);
		if (sl->cmd.bytchk == 1 && vdev_scsi_out_read(req, sl, data, n))
			return -EFAULT;
		if (vdev_scsi_verify_cmp(&sl->cmd, &lun->info,
					 page_address(b->pages[i]), data, n,
					 off + i * PAGE_SIZE)) {
			vdev_scsi_check_condition(req, &sl->cmd.sense);
			return -EILSEQ;
		}
	}
	return 0;
}

/*
 * VERIFY: read the range a bounce buffer at a time; with BYTCHK, compare
 * each piece before the next is read, so the first miscompare found is
 * the first of the range. BYTCHK 0 reads too: a guest sends it to learn
 * whether the blocks are readable, and answering GOOD without reading
 * would hide exactly the errors it looks for.
 */
static int vdev_scsi_verify(struct vdev_req *req, struct vdev_scsi_lun *lun,
			    struct vdev_scsi_slow *sl,
			    struct vdev_scsi_bounce *b)
{
	struct block_device *bdev = vdev_ns_bdev(req->ns);
	u32 lbs = lun->info.block_size, len;
	u64 total = (u64)sl->cmd.nblocks * lbs, off;
	sector_t sector = sl->cmd.lba << lun->shift;
	blk_status_t status;
	int ret;

	if (sl->cmd.bytchk == 3 &&
	    vdev_scsi_out_read(req, sl, page_address(b->data), lbs))
		return -EFAULT;
	for (off = 0; off < total; off += len) {
		len = min_t(u64, total - off, b->nr * PAGE_SIZE);
		status = vdev_scsi_bounce_io(bdev, REQ_OP_READ,
					     sector + (off >> SECTOR_SHIFT),
					     b->pages, false, len);
		if (status)
			return vdev_scsi_medium_error(req, status);
		if (!sl->cmd.bytchk)
			continue;
		ret = vdev_scsi_verify_pages(req, lun, sl, b, len, off);
		if (ret)
			return ret;
	}
	return 0;
}

/* Zeroes: the device's write zeroes or unmap, as virtio-blk does them. */
static int vdev_scsi_zeroout(struct vdev_req *req, struct vdev_scsi_lun *lun,
			     const struct vdev_scsi_cmd *cmd)
{
	int ret;

	ret = blkdev_issue_zeroout(vdev_ns_bdev(req->ns),
				   cmd->lba << lun->shift,
				   (sector_t)cmd->nblocks << lun->shift,
				   GFP_KERNEL,
				   cmd->unmap ? 0 : BLKDEV_ZERO_NOUNMAP);
	return ret ? vdev_scsi_medium_error(req, errno_to_blk_status(ret)) : 0;
}

/*
 * WRITE SAME: a block of zeroes (or NDOB) goes down the write zeroes and
 * unmap path; any other block fills one page, and bios of up to
 * BIO_MAX_VECS copies of that page write the range. The stats count the
 * first as write zeroes and the second as a write, as they reach the disk.
 */
static int vdev_scsi_write_same(struct vdev_req *req, struct vdev_scsi_lun *lun,
				struct vdev_scsi_slow *sl,
				struct vdev_scsi_bounce *b)
{
	struct block_device *bdev = vdev_ns_bdev(req->ns);
	const struct vdev_scsi_cmd *cmd = &sl->cmd;
	u32 lbs = lun->info.block_size, len, i;
	u64 total = (u64)cmd->nblocks * lbs, off;
	sector_t sector = cmd->lba << lun->shift;
	u8 *p = page_address(b->data);
	blk_opf_t opf = REQ_OP_WRITE | REQ_SYNC | REQ_IDLE;
	blk_status_t status;

	if (!cmd->ndob && vdev_scsi_out_read(req, sl, p, lbs))
		return -EFAULT;
	if (cmd->ndob || !memchr_inv(p, 0, lbs))
		return vdev_scsi_zeroout(req, lun, cmd);
	req->stat = VDEV_STAT_WRITE;
	for (i = lbs; i < PAGE_SIZE; i += lbs)
		memcpy(p + i, p, lbs);
	if (cmd->fua)
		opf |= REQ_FUA;
	for (off = 0; off < total; off += len) {
		len = min_t(u64, total - off, BIO_MAX_VECS * PAGE_SIZE);
		status = vdev_scsi_bounce_io(bdev, opf,
					     sector + (off >> SECTOR_SHIFT),
					     &b->data, true, len);
		if (status)
			return vdev_scsi_medium_error(req, status);
	}
	return 0;
}

/*
 * VERIFY and WRITE SAME, in process context: they wait for the block
 * layer. Each failure records its own outcome: a medium error in
 * req->bio_status, a miscompare as CHECK CONDITION, guest memory that is
 * gone (or no memory for the pages) as a FAILURE response. Like every
 * command, it holds its LUN (the device stays open if the LUN is detached
 * meanwhile) and counts in lun->inflight, so task management waits for it.
 */
static void vdev_scsi_slow_work(struct work_struct *work)
{
	struct vdev_req *req = container_of(work, struct vdev_req, work);
	struct vdev_req_scsi *sr = &req->scsi;
	struct vdev_scsi_lun *lun = req->ns->priv;
	bool verify = sr->op == VDEV_SCSI_OP_VERIFY;
	struct vdev_scsi_bounce b = {};

	if (vdev_scsi_bounce_alloc(&b, verify ? VDEV_SCSI_BOUNCE_PAGES : 0))
		sr->response = VIRTIO_SCSI_S_FAILURE;
	else if (verify)
		vdev_scsi_verify(req, lun, sr->buf, &b);
	else
		vdev_scsi_write_same(req, lun, sr->buf, &b);
	vdev_scsi_bounce_free(&b);
	vdev_req_end(req);
}

/*
 * VERIFY and WRITE SAME go to the slow work with their data-out buffers,
 * which it reads as it goes: nothing of the guest's is copied here.
 */
static int vdev_scsi_run_slow(struct vdev_req *req, struct vdev_scsi_cmd *cmd,
			      struct vdev_scsi_lun *lun,
			      struct vdev_vring_buf *out, unsigned int nout)
{
	struct vdev_scsi_slow *sl;

	/* A block must fit the page a pattern or a compare is kept in. */
	if (lun->info.block_size > PAGE_SIZE) {
		vdev_scsi_invalid_field(req);
		return 0;
	}
	nout = vdev_scsi_cut_bufs(out, nout, cmd->xfer_len);
	sl = kmalloc(struct_size(sl, bufs, nout), GFP_KERNEL);
	if (!sl)
		return -ENOMEM;
	sl->cmd = *cmd;
	sl->cur = 0;
	sl->cur_off = 0;
	sl->nbufs = nout;
	memcpy(sl->bufs, out, flex_array_size(sl, bufs, nout));
	req->scsi.buf = sl;
	req->bytes = (u64)cmd->nblocks * lun->info.block_size;
	vdev_req_slow(req, vdev_scsi_slow_work);
	return 0;
}

static void vdev_scsi_run_rw(struct vdev_req *req, struct vdev_scsi_cmd *cmd,
			     struct vdev_scsi_lun *lun,
			     struct vdev_vring_buf *bufs, unsigned int n)
{
	bool write = cmd->op == VDEV_SCSI_OP_WRITE;
	/* Direct I/O, not writeback: see vdev_blk_rw(). */
	blk_opf_t opf = write ? REQ_OP_WRITE | REQ_SYNC | REQ_IDLE :
				REQ_OP_READ;

	if (write && cmd->fua)
		opf |= REQ_FUA;
	n = vdev_scsi_cut_bufs(bufs, n, cmd->xfer_len);
	req->bytes = cmd->xfer_len;
	if (!write)
		req->scsi.xfer_len = cmd->xfer_len;
	if (vdev_bio_submit_rw(req, vdev_ns_bdev(req->ns), opf,
			       cmd->lba << lun->shift, bufs, n))
		req->bio_status = BLK_STS_IOERR;
}

/* Run a parsed command whose buffers matched. 0 or a memory error. */
static int vdev_scsi_run(struct vdev_req *req, struct vdev_scsi_cmd *cmd,
			 struct vdev_scsi_lun *lun, u8 target,
			 struct vdev_vring_chain *chain, unsigned int nout,
			 struct vdev_vring_buf *in, unsigned int nin)
{
	struct vdev_req_scsi *sr = &req->scsi;

	sr->op = cmd->op;
	sr->resid = cmd->resid;
	req->stat = vdev_scsi_stat(cmd->op);
	switch (cmd->op) {
	case VDEV_SCSI_OP_NONE:
		return 0;
	case VDEV_SCSI_OP_EMULATED:
	case VDEV_SCSI_OP_REPORT_LUNS:
		return vdev_scsi_run_emulated(req, cmd, lun, target, in, nin);
	case VDEV_SCSI_OP_READ:
		vdev_scsi_run_rw(req, cmd, lun, in, nin);
		return 0;
	case VDEV_SCSI_OP_WRITE:
		vdev_scsi_run_rw(req, cmd, lun, chain->bufs, nout);
		return 0;
	case VDEV_SCSI_OP_SYNC:
		if (lun->info.wc_present)
			vdev_bio_submit_flush(req, vdev_ns_bdev(req->ns));
		return 0;
	case VDEV_SCSI_OP_VERIFY:
	case VDEV_SCSI_OP_WRITE_SAME:
		return vdev_scsi_run_slow(req, cmd, lun, chain->bufs, nout);
	case VDEV_SCSI_OP_MODE_SELECT:
		return vdev_scsi_run_mode_select(req, cmd, lun, chain->bufs,
						 nout);
	case VDEV_SCSI_OP_UNMAP:
		return vdev_scsi_run_unmap(req, cmd, lun, chain->bufs, nout);
	}
	return 0;
}

/*
 * A request queue's chain. Without a response buffer nothing can be
 * said: the chain goes back with nothing written.
 */
static void vdev_scsi_cmd(struct vdev_req *req, struct vdev_vring_chain *chain)
{
	struct vdev_ctrl *ctrl = req->q->session->ctrl;
	struct vdev_req_scsi *sr = &req->scsi;
	struct vdev_scsi_lun *lun = NULL;
	struct vdev_scsi_cmd_hdr hdr;
	struct vdev_scsi_sense sense;
	struct vdev_scsi_cmd cmd;
	struct vdev_vring_buf *in;
	unsigned int nin, nout;
	struct vdev_ns *ns;
	u8 target;
	u16 id;
	int ret;

	ret = vdev_req_take_head(req, chain, &hdr, sizeof(hdr));
	if (vdev_scsi_take_resp(req, chain, sizeof(struct vdev_scsi_cmd_resp),
				&in, &nin, &nout))
		return;
	sr->kind = VDEV_SCSI_KIND_CMD;
	sr->response = VIRTIO_SCSI_S_FAILURE;
	sr->resid = chain->out_len + chain->in_len;
	sr->data_len = sr->resid;
	if (ret)
		return;
	if (vdev_scsi_lun_decode(hdr.lun, &target, &id)) {
		sr->response = VIRTIO_SCSI_S_BAD_TARGET;
		return;
	}
	ns = vdev_ns_lookup(ctrl, vdev_scsi_key(target, id));
	if (ns) {
		req->ns = ns;
		lun = ns->priv;
		atomic_inc(&lun->inflight);
		vdev_scsi_lun_check_size(lun, vdev_ns_bdev(ns));
	} else if (!vdev_scsi_target_exists(ctrl, target)) {
		sr->response = VIRTIO_SCSI_S_BAD_TARGET;
		return;
	}
	sr->response = VIRTIO_SCSI_S_OK;
	if (vdev_scsi_ua_check(lun ? &lun->st : NULL, hdr.cdb,
			       sizeof(hdr.cdb), &sense)) {
		vdev_scsi_check_condition(req, &sense);
		return;
	}
	if (vdev_scsi_parse(&cmd, lun ? &lun->info : NULL, hdr.cdb,
			    sizeof(hdr.cdb)) ||
	    vdev_scsi_check_xfer(&cmd, chain->out_len, chain->in_len)) {
		vdev_scsi_check_condition(req, &cmd.sense);
		return;
	}
	if (vdev_scsi_run(req, &cmd, lun, target, chain, nout, in, nin))
		sr->response = VIRTIO_SCSI_S_FAILURE;
}

/* The sense of a failed command; a miscompare says where it was. */
static u32 vdev_scsi_resp_sense(const struct vdev_req *req, u8 *buf)
{
	const struct vdev_req_scsi *sr = &req->scsi;
	const struct vdev_scsi_slow *sl = sr->buf;
	u32 len = vdev_scsi_sense_fixed(buf, sr->key, sr->asc, sr->ascq);

	if (sr->op == VDEV_SCSI_OP_VERIFY && sl && sr->key == MISCOMPARE &&
	    sl->cmd.sense.info_valid)
		len = vdev_scsi_sense_info(buf, len, sl->cmd.sense.info);
	return len;
}

/* The response of a command, from how it ended. */
static void vdev_scsi_cmd_done(struct vdev_req *req, bool write_ok)
{
	struct vdev_req_scsi *sr = &req->scsi;
	struct vdev_scsi_cmd_resp resp = {};
	struct vdev_scsi_cmd cmd = {};
	u32 data = 0;

	if (sr->response == VIRTIO_SCSI_S_OK) {
		if (req->bio_status && sr->status == SAM_STAT_GOOD) {
			cmd.op = sr->op;
			vdev_scsi_io_error(&cmd, req->bio_status);
			vdev_scsi_check_condition(req, &cmd.sense);
		}
		if (sr->status == SAM_STAT_GOOD) {
			data = sr->xfer_len;
		} else {
			sr->resid = sr->data_len;
			req->status = VIRTIO_BLK_S_IOERR;
			resp.sense_len =
				cpu_to_le32(vdev_scsi_resp_sense(req,
								 resp.sense));
		}
		resp.status = sr->status;
		resp.resid = cpu_to_le32(sr->resid);
	} else {
		req->status = VIRTIO_BLK_S_IOERR;
	}
	resp.response = sr->response;
	req->written = 0;
	if (write_ok && !vdev_req_write(req, sr->resp_gpa, &resp,
					sizeof(resp)))
		req->written = sizeof(resp) + data;
}

/* --- the control queue ---------------------------------------------------- */

/* Wait for the LUN's commands to be reaped; a reset is a unit attention. */
static bool vdev_scsi_lun_drain(struct vdev_ns *ns, bool reset)
{
	struct vdev_scsi_lun *lun = ns->priv;

	if (!wait_event_timeout(lun->idle_wq, !atomic_read(&lun->inflight),
				VDEV_SCSI_TMF_TIMEOUT))
		return false;
	if (reset)
		vdev_scsi_ua_set(&lun->st, VDEV_SCSI_UA_POWER_ON);
	return true;
}

static void vdev_scsi_tmf_work(struct work_struct *work)
{
	struct vdev_req *req = container_of(work, struct vdev_req, work);
	struct vdev_ctrl *ctrl = req->q->session->ctrl;
	struct vdev_req_scsi *sr = &req->scsi;
	unsigned long key;
	struct vdev_ns *ns;
	bool ok = true;

	if (sr->tmf == VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET) {
		key = vdev_scsi_key(sr->target, 0);
		while ((ns = vdev_scsi_target_next(ctrl, sr->target, &key))) {
			ok &= vdev_scsi_lun_drain(ns, true);
			vdev_ns_put(ns);
		}
	} else {
		ok = vdev_scsi_lun_drain(req->ns, sr->tmf ==
					 VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET);
	}
	sr->response = ok ? VDEV_SCSI_S_FUNCTION_COMPLETE :
			    VIRTIO_SCSI_S_FAILURE;
	vdev_req_end(req);
}

/*
 * Task management. Nothing in flight can be stopped, so every function
 * that would abort or reset lets the LUN's commands (the target's, for an
 * I_T nexus reset) complete first: they are reaped, with their own
 * outcome, before FUNCTION COMPLETE is. What is not served is rejected.
 */
static void vdev_scsi_tmf(struct vdev_req *req, struct vdev_vring_chain *chain,
			  struct vdev_scsi_tmf_req *tmf)
{
	struct vdev_ctrl *ctrl = req->q->session->ctrl;
	struct vdev_req_scsi *sr = &req->scsi;
	struct vdev_scsi_lun *lun;
	struct vdev_ns *ns;
	u8 target;
	u16 id;

	sr->tmf = le32_to_cpu(tmf->subtype);
	sr->response = VIRTIO_SCSI_S_FUNCTION_REJECTED;
	if (vdev_scsi_lun_decode(tmf->lun, &target, &id)) {
		sr->response = VIRTIO_SCSI_S_BAD_TARGET;
		return;
	}
	switch (sr->tmf) {
	case VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET:
		sr->target = target;
		vdev_req_slow(req, vdev_scsi_tmf_work);
		return;
	case VIRTIO_SCSI_T_TMF_ABORT_TASK:
	case VIRTIO_SCSI_T_TMF_ABORT_TASK_SET:
	case VIRTIO_SCSI_T_TMF_CLEAR_TASK_SET:
	case VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET:
	case VIRTIO_SCSI_T_TMF_QUERY_TASK_SET:
		break;
	default:	/* CLEAR ACA, QUERY TASK, QUERY ASYNC EVENT */
		return;
	}
	ns = vdev_ns_lookup(ctrl, vdev_scsi_key(target, id));
	if (!ns) {
		sr->response = VIRTIO_SCSI_S_BAD_TARGET;
		return;
	}
	req->ns = ns;
	lun = ns->priv;
	if (sr->tmf == VIRTIO_SCSI_T_TMF_QUERY_TASK_SET) {
		sr->response = atomic_read(&lun->inflight) ?
			       VIRTIO_SCSI_S_FUNCTION_SUCCEEDED :
			       VDEV_SCSI_S_FUNCTION_COMPLETE;
		return;
	}
	vdev_req_slow(req, vdev_scsi_tmf_work);
}

/* The control queue: a type, then a TMF or AN request. */
static void vdev_scsi_ctrl(struct vdev_req *req, struct vdev_vring_chain *chain)
{
	struct vdev_req_scsi *sr = &req->scsi;
	struct vdev_scsi_tmf_req tmf;
	struct vdev_scsi_an_req an;
	struct vdev_vring_buf *in;
	unsigned int nin, nout;
	__le32 type;

	if (vdev_req_take_head(req, chain, &type, sizeof(type)))
		return;
	switch (le32_to_cpu(type)) {
	case VIRTIO_SCSI_T_TMF:
		if (vdev_req_take_head(req, chain, &tmf, sizeof(tmf)) ||
		    vdev_scsi_take_resp(req, chain, 1, &in, &nin, &nout))
			return;
		sr->kind = VDEV_SCSI_KIND_TMF;
		vdev_scsi_tmf(req, chain, &tmf);
		return;
	case VIRTIO_SCSI_T_AN_QUERY:
	case VIRTIO_SCSI_T_AN_SUBSCRIBE:
		if (vdev_req_take_head(req, chain, &an, sizeof(an)) ||
		    vdev_scsi_take_resp(req, chain,
					sizeof(struct vdev_scsi_an_resp), &in,
					&nin, &nout))
			return;
		/* No asynchronous event is reported: none is subscribed. */
		sr->kind = VDEV_SCSI_KIND_AN;
		sr->response = VIRTIO_SCSI_S_OK;
		return;
	}
	/* An unknown type has no response layout to answer in. */
}

/* --- the device type ----------------------------------------------------- */

/*
 * A buffer for an event: parked until one comes (a missed one is told at
 * once). A buffer too small for an event goes back with nothing written.
 */
static void vdev_scsi_event_buf(struct vdev_req *req,
				struct vdev_vring_chain *chain)
{
	struct vdev_req_scsi *sr = &req->scsi;
	struct vdev_queue *q = req->q;

	if (!chain->nbufs || !chain->bufs[0].write ||
	    chain->bufs[0].len < sizeof(struct vdev_scsi_event))
		return;
	sr->kind = VDEV_SCSI_KIND_EVENT;
	sr->resp_gpa = chain->bufs[0].gpa;
	if (test_and_clear_bit(VDEV_SCSI_EVENTS_MISSED, &q->dev_flags)) {
		sr->event = VIRTIO_SCSI_T_NO_EVENT | VIRTIO_SCSI_T_EVENTS_MISSED;
		return;
	}
	vdev_req_park(req);
}

static void vdev_scsi_execute(struct vdev_req *req,
			      struct vdev_vring_chain *chain)
{
	memset(&req->scsi, 0, sizeof(req->scsi));
	if (req->q->index == VDEV_SCSI_CTRL_QUEUE)
		vdev_scsi_ctrl(req, chain);
	else if (req->q->index == VDEV_SCSI_EVENT_QUEUE)
		vdev_scsi_event_buf(req, chain);
	else
		vdev_scsi_cmd(req, chain);
}

/* An event, or NO_EVENT for a buffer given back as its queue stops. */
static void vdev_scsi_event_done(struct vdev_req *req, bool write_ok)
{
	struct vdev_req_scsi *sr = &req->scsi;
	struct vdev_scsi_event ev = {
		.event = cpu_to_le32(sr->event),
		.reason = cpu_to_le32(sr->reason),
	};

	if (sr->event & ~VIRTIO_SCSI_T_EVENTS_MISSED) {
		ev.lun[0] = 1;
		ev.lun[1] = sr->target;
		/*
		 * As REPORT LUNS says it: peripheral addressing (0) below
		 * 256. Linux reads bytes 2-3 as the LUN number itself, so
		 * the flat space bit would name LUN 16384 + lun.
		 */
		ev.lun[2] = sr->lun >= 256 ? 0x40 | sr->lun >> 8 : 0;
		ev.lun[3] = sr->lun & 0xff;
	}
	if (write_ok && !vdev_req_write(req, sr->resp_gpa, &ev,
					sizeof(ev)))
		req->written = sizeof(ev);
}

/* On the poller, as the request is reaped: the response, then let go. */
static void vdev_scsi_complete(struct vdev_req *req, bool write_ok)
{
	struct vdev_req_scsi *sr = &req->scsi;
	struct vdev_scsi_an_resp an = {};
	struct vdev_scsi_lun *lun;

	req->written = 0;
	switch (sr->kind) {
	case VDEV_SCSI_KIND_CMD:
		vdev_scsi_cmd_done(req, write_ok);
		if (!req->ns)
			break;
		lun = req->ns->priv;
		if (!atomic_dec_and_test(&lun->inflight))
			break;
		/* Ordered by atomic_dec_and_test(): pairs with wait_event. */
		if (waitqueue_active(&lun->idle_wq))
			wake_up_all(&lun->idle_wq);
		break;
	case VDEV_SCSI_KIND_TMF:
		if (write_ok && !vdev_req_write(req, sr->resp_gpa,
						&sr->response, 1))
			req->written = 1;
		break;
	case VDEV_SCSI_KIND_AN:
		an.response = sr->response;
		if (write_ok && !vdev_req_write(req, sr->resp_gpa,
						&an, sizeof(an)))
			req->written = sizeof(an);
		break;
	case VDEV_SCSI_KIND_EVENT:
		vdev_scsi_event_done(req, write_ok);
		break;
	}
	/* After the response: a miscompare's sense comes from it. */
	kfree(sr->buf);
	sr->buf = NULL;
}

static u64 vdev_scsi_features(const struct vdev_ns *ns)
{
	return VDEV_SCSI_FEATURES;
}

static u32 vdev_scsi_chain_max(const struct vdev_ctrl *ctrl)
{
	return clamp(ctrl->cfg.queue_size, 3U, (u32)VDEV_SCSI_CHAIN_MAX);
}

/* struct virtio_scsi_config, with the values QEMU 7.2 gives the guest. */
static int vdev_scsi_get_config(const struct vdev_session *s, u8 *buf)
{
	struct virtio_scsi_config *cfg = (struct virtio_scsi_config *)buf;

	BUILD_BUG_ON(sizeof(*cfg) > VDEV_VU_MAX_CONFIG);
	cfg->num_queues = LE32(s->ctrl->cfg.num_queues);
	cfg->seg_max = LE32(vdev_scsi_chain_max(s->ctrl) - 2);
	cfg->max_sectors = LE32(VDEV_SCSI_MAX_SECTORS);
	cfg->cmd_per_lun = LE32(VDEV_SCSI_CMD_PER_LUN);
	cfg->event_info_size = LE32(sizeof(struct virtio_scsi_event));
	cfg->sense_size = LE32(VDEV_SCSI_SENSE_SIZE);
	cfg->cdb_size = LE32(VDEV_SCSI_CDB_SIZE);
	cfg->max_channel = LE16(0);
	cfg->max_target = LE16(VDEV_MAX_TARGET);
	cfg->max_lun = LE32(VDEV_MAX_LUN);
	return 0;
}

static int vdev_scsi_ns_addr_check(struct vdev_ns_addr *addr, bool adding,
				   struct netlink_ext_ack *extack)
{
	if (addr->has_nsid) {
		NL_SET_ERR_MSG(extack,
			       "virtio-scsi LUNs are addressed by target and lun, not nsid");
		return -EINVAL;
	}
	if (!addr->has_target || !addr->has_lun) {
		NL_SET_ERR_MSG(extack, "virtio-scsi LUNs need both a target and a lun");
		return -EINVAL;
	}
	return 0;
}

static unsigned long vdev_scsi_ns_addr_key(const struct vdev_ns_addr *addr)
{
	return vdev_scsi_key(addr->target, addr->lun);
}

const struct vdev_dev_ops vdev_scsi_ops = {
	.name		= "virtio-scsi",
	.type		= VDEV_CTRL_TYPE_VIRTIO_SCSI,
	.max_queues	= VDEV_MAX_QUEUES,
	.max_queue_size	= VDEV_SCSI_MAX_QUEUE_SIZE,
	.max_ns		= VDEV_SCSI_MAX_LUNS,
	.hot_ns		= true,
	.extra_queues	= 2,
	.ns_addr_check	= vdev_scsi_ns_addr_check,
	.ns_addr_key	= vdev_scsi_ns_addr_key,
	.ns_init	= vdev_scsi_ns_init,
	.ns_changed	= vdev_scsi_ns_changed,
	.ns_resized	= vdev_scsi_ns_resized,
	.ns_free	= vdev_scsi_ns_free,
	.connect	= vdev_scsi_connect,
	.features	= vdev_scsi_features,
	.get_config	= vdev_scsi_get_config,
	.chain_max	= vdev_scsi_chain_max,
	.req_execute	= vdev_scsi_execute,
	.req_complete	= vdev_scsi_complete,
};
