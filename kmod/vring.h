/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtqueue engine: split and packed rings in guest memory, read and
 * written through the guest memory table. No I/O happens here.
 */
#ifndef _VDEV_VRING_H
#define _VDEV_VRING_H

#include <linux/types.h>

struct vdev_mem;

/* The largest queue either ring layout can describe. */
#define VDEV_VRING_MAX_NUM	32768

/**
 * struct vdev_vring_buf - one guest buffer of a descriptor chain
 * @gpa: guest-physical address; the whole buffer is in the memory table
 * @len: bytes
 * @write: device-writable (the device fills it); device-readable otherwise
 */
struct vdev_vring_buf {
	u64 gpa;
	u32 len;
	bool write;
};

/**
 * struct vdev_vring_head - what completing a chain needs
 * @id: split: the head descriptor index; packed: the buffer id
 * @ndesc: packed: ring descriptors the chain took (1 when indirect)
 */
struct vdev_vring_head {
	u16 id;
	u16 ndesc;
};

/**
 * struct vdev_vring_chain - a descriptor chain fetched from a ring
 * @bufs: the caller's array, filled in ring order: readable ones first
 * @max: entries in @bufs; a longer chain is a bad chain
 * @nbufs: entries filled
 * @head: give this back to vdev_vring_push()
 * @out_len: device-readable bytes
 * @in_len: device-writable bytes
 */
struct vdev_vring_chain {
	struct vdev_vring_buf *bufs;
	unsigned int max;
	unsigned int nbufs;
	struct vdev_vring_head head;
	u32 out_len;
	u32 in_len;
};

/**
 * struct vdev_vring - one virtqueue
 * @mem: the guest memory table. The engine only reads the pointer: the
 *	caller keeps the table alive while it calls in (RCU read section or
 *	a reference) and calls vdev_vring_set_mem() when a new one arrives
 * @num: queue size
 * @packed: VIRTIO_F_RING_PACKED
 * @event_idx: VIRTIO_RING_F_EVENT_IDX
 * @indirect: VIRTIO_RING_F_INDIRECT_DESC
 * @desc: descriptor table (split and packed)
 * @avail: split: available ring; packed: driver event suppression
 * @used: split: used ring; packed: device event suppression
 * @last_avail_idx: next descriptor to fetch (split: free running; packed:
 *	slot in the descriptor ring)
 * @avail_idx: split: the driver's avail idx as last read
 * @used_idx: next used slot (split: free running; packed: ring slot)
 * @avail_wrap: packed: the driver's wrap counter at @last_avail_idx
 * @used_wrap: packed: the device's wrap counter at @used_idx
 * @signalled_used: @used_idx when the driver was last signalled
 * @signalled_valid: @signalled_used means something
 * @log: the dirty log ring writes go to, or NULL: not logged
 *	(VHOST_VRING_F_LOG); the caller keeps it alive while it is set
 * @log_used: where writes to the @used area are logged; packed rings log
 *	the descriptors they write back at their own address
 * @inflight: the inflight region (VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD), or
 *	NULL: a split ring records each chain there from fetch to push, a
 *	packed ring where its used ring stands; the caller keeps it alive as
 *	@mem
 * @inflight_base: where this ring's part starts in @inflight
 * @inflight_counter: fetch-order stamp of the next chain
 * @resubmit: heads found in flight at the start, oldest first: fetched
 *	again before any new avail entry (kvmalloc; vdev_vring_release())
 * @nr_resubmit: entries in @resubmit
 * @next_resubmit: the next of them to fetch
 *
 * One poller owns a ring: nothing here takes a lock.
 */
struct vdev_vring {
	const struct vdev_mem *mem;
	u16 num;
	bool packed;
	bool event_idx;
	bool indirect;
	u64 desc;
	u64 avail;
	u64 used;
	u16 last_avail_idx;
	u16 avail_idx;
	u16 used_idx;
	bool avail_wrap;
	bool used_wrap;
	u16 signalled_used;
	bool signalled_valid;
	const struct vdev_mem *log;
	u64 log_used;
	const struct vdev_mem *inflight;
	u64 inflight_base;
	u64 inflight_counter;
	u16 *resubmit;
	u16 nr_resubmit;
	u16 next_resubmit;
};

/**
 * struct vdev_inflight_hdr - a ring's part of the inflight region
 * @features: VDEV_INFLIGHT_F_PACKED for a packed ring's part, else 0
 * @version: 0 in a fresh region; 1 once a ring started on it
 * @desc_num: the ring's size (split: the entries that follow)
 * @last_batch_head: split: the head of the last batch of used chains
 * @used_idx: split: the used index once that batch was pushed; packed:
 *	the next used slot, bit 15 its wrap counter
 *
 * Host byte order, as the front end and every back end on the host share
 * it. The front end may write any of it: each field is read once.
 */
struct vdev_inflight_hdr {
	u64 features;
	u16 version;
	u16 desc_num;
	u16 last_batch_head;
	u16 used_idx;
};

/**
 * struct vdev_inflight_desc - one descriptor head in the inflight region
 * @inflight: 1 from its fetch until its push
 * @pad: unused
 * @next: the next head of the same batch
 * @counter: fetch order: the oldest is resubmitted first
 */
struct vdev_inflight_desc {
	u8 inflight;
	u8 pad[5];
	u16 next;
	u64 counter;
};

#define VDEV_INFLIGHT_HDR_SIZE	16
#define VDEV_INFLIGHT_DESC_SIZE	16
/* Each ring's part starts this aligned; no entry straddles a page. */
#define VDEV_INFLIGHT_ALIGN	64
#define VDEV_INFLIGHT_VERSION	1
/* A packed ring's part: a header only, where its used ring stands. */
#define VDEV_INFLIGHT_F_PACKED	1
#define VDEV_INFLIGHT_WRAP	0x8000

/* Bytes of one ring's part of a region for rings of @n entries. */
#define VDEV_INFLIGHT_STRIDE(n)						\
	((VDEV_INFLIGHT_HDR_SIZE + (u64)(n) * VDEV_INFLIGHT_DESC_SIZE +	\
	  VDEV_INFLIGHT_ALIGN - 1) & ~(u64)(VDEV_INFLIGHT_ALIGN - 1))

static inline u64 vdev_inflight_stride(unsigned int queue_size)
{
	return VDEV_INFLIGHT_STRIDE(queue_size);
}

/* A packed ring's used slot and wrap counter, as its part keeps them. */
static inline u16 vdev_inflight_packed_used(const struct vdev_vring *vr)
{
	return vr->used_idx | (vr->used_wrap ? VDEV_INFLIGHT_WRAP : 0);
}

int vdev_vring_setup(struct vdev_vring *vr, const struct vdev_mem *mem,
		     u64 features, unsigned int num, u64 desc, u64 avail,
		     u64 used);
int vdev_vring_set_mem(struct vdev_vring *vr, const struct vdev_mem *mem);
int vdev_vring_set_base(struct vdev_vring *vr, u32 base);
u32 vdev_vring_get_base(const struct vdev_vring *vr);
int vdev_vring_inflight_start(struct vdev_vring *vr,
			      const struct vdev_mem *region, u64 base);
void vdev_vring_release(struct vdev_vring *vr);
struct vdev_inflight_desc *
vdev_vring_inflight_desc(const struct vdev_vring *vr, u16 head);

int vdev_vring_pop(struct vdev_vring *vr, struct vdev_vring_chain *chain);
int vdev_vring_push(struct vdev_vring *vr, struct vdev_vring_head head,
		    u32 len);
int vdev_vring_need_signal(struct vdev_vring *vr);
int vdev_vring_enable_notify(struct vdev_vring *vr);
int vdev_vring_disable_notify(struct vdev_vring *vr);

#endif /* _VDEV_VRING_H */
