// SPDX-License-Identifier: GPL-2.0
/*
 * vu_ring: split and packed virtqueue drivers in the front end's guest
 * memory, and QEMU 7.2's device start and stop. See vu_front.h.
 *
 * The driver side of virtio 1.2 sections 2.7 (split) and 2.8 (packed), as
 * Linux's virtio_ring.c does it: descriptors before the index or flags
 * that publish them, event idx for kicks and calls. The rings are
 * little-endian and so is every host vdev runs on: fields are stored as
 * they are.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "vu_front.h"

#define DESC_SIZE	16
#define IND_BYTES	(VU_IND_MAX * DESC_SIZE)
#define CMD_BYTES	64
#define VU_CACHE_LINE	64
#define VU_ALIGN(x, a)	(((x) + (a) - 1) / (a) * (a))

#define PACKED_AVAIL	(1U << VRING_PACKED_DESC_F_AVAIL)
#define PACKED_USED	(1U << VRING_PACKED_DESC_F_USED)
#define PACKED_WRAP	(1U << VRING_PACKED_EVENT_F_WRAP_CTR)

static inline uint16_t ld16(const void *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
}

static inline void st16(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, v, __ATOMIC_RELAXED);
}

static inline uint32_t ld32(const void *p)
{
	return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
}

/* --- layout ------------------------------------------------------------- */

static uint64_t split_avail_len(unsigned int num)
{
	return 4 + 2 * num + 2;
}

static uint64_t split_used_len(unsigned int num)
{
	return 4 + 8 * num + 2;
}

/*
 * The ring areas through the pointers vu_queue_create() took once: the
 * fast path never looks a guest address up.
 */

/* avail: flags, idx, ring[num], used_event */
static uint16_t *avail_field(struct vu_queue *q, unsigned int off)
{
	return (uint16_t *)(q->avail_map + off);
}

static uint16_t *split_avail_idx(struct vu_queue *q)
{
	return avail_field(q, 2);
}

static uint16_t *split_used_event(struct vu_queue *q)
{
	return avail_field(q, 4 + 2 * q->num);
}

/* used: flags, idx, ring[num] {id, len}, avail_event */
static uint16_t *split_used_flags(struct vu_queue *q)
{
	return (uint16_t *)q->used_map;
}

static uint16_t *split_used_idx(struct vu_queue *q)
{
	return (uint16_t *)(q->used_map + 2);
}

static struct vring_used_elem *split_used_elem(struct vu_queue *q,
					       uint16_t idx)
{
	return (struct vring_used_elem *)(q->used_map + 4) + idx % q->num;
}

static uint16_t *split_avail_event(struct vu_queue *q)
{
	return (uint16_t *)(q->used_map + 4 + 8 * q->num);
}

/* packed: the driver's and the device's event suppression areas */
static struct vring_packed_desc_event *packed_driver_event(struct vu_queue *q)
{
	return (struct vring_packed_desc_event *)q->avail_map;
}

static struct vring_packed_desc_event *packed_device_event(struct vu_queue *q)
{
	return (struct vring_packed_desc_event *)q->used_map;
}

struct vring_desc *vu_vq_split_desc(struct vu_queue *q, unsigned int i)
{
	return (struct vring_desc *)q->desc_map + i;
}

struct vring_packed_desc *vu_vq_packed_desc(struct vu_queue *q,
					    unsigned int i)
{
	return (struct vring_packed_desc *)q->desc_map + i;
}

void *vu_vq_indirect(struct vu_queue *q, unsigned int id)
{
	return q->ind_map + (uint64_t)id * IND_BYTES;
}

static uint64_t ind_gpa(struct vu_queue *q, unsigned int id)
{
	return q->ind_gpa + (uint64_t)id * IND_BYTES;
}

/* --- driver event suppression -------------------------------------------- */

void vu_vq_split_set_avail(struct vu_queue *q, uint16_t slot, uint16_t head)
{
	st16(avail_field(q, 4 + 2 * (slot % q->num)), head);
}

void vu_vq_split_set_avail_idx(struct vu_queue *q, uint16_t idx)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	st16(split_avail_idx(q), idx);
}

void vu_vq_split_set_used_event(struct vu_queue *q, uint16_t idx)
{
	st16(split_used_event(q), idx);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void vu_vq_split_set_avail_flags(struct vu_queue *q, uint16_t flags)
{
	st16(avail_field(q, 0), flags);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void vu_vq_packed_set_event(struct vu_queue *q, uint16_t flags,
			    uint16_t off_wrap)
{
	struct vring_packed_desc_event *e = packed_driver_event(q);

	st16(&e->off_wrap, off_wrap);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	st16(&e->flags, flags);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Ask for a call for the next used buffer, as Linux's enable_cb does. */
static void vu_vq_want_call(struct vu_queue *q)
{
	if (!q->packed) {
		if (q->event_idx)
			vu_vq_split_set_used_event(q, q->last_used);
		else
			vu_vq_split_set_avail_flags(q, 0);
		return;
	}
	if (q->event_idx)
		vu_vq_packed_set_event(q, VRING_PACKED_EVENT_FLAG_DESC,
				       q->next_used |
				       (q->used_wrap ? PACKED_WRAP : 0));
	else
		vu_vq_packed_set_event(q, VRING_PACKED_EVENT_FLAG_ENABLE, 0);
}

static void vu_vq_rearm(struct vu_queue *q)
{
	if (!q->manual_events)
		vu_vq_want_call(q);
}

void vu_vq_mute_calls(struct vu_queue *q)
{
	if (q->packed)
		vu_vq_packed_set_event(q, VRING_PACKED_EVENT_FLAG_DISABLE, 0);
	else if (q->event_idx)
		/*
		 * The index furthest behind: the device passes it only after
		 * 65535 more used buffers (Linux's disable_cb writes 0).
		 */
		vu_vq_split_set_used_event(q, q->last_used - 1);
	else
		vu_vq_split_set_avail_flags(q, VRING_AVAIL_F_NO_INTERRUPT);
}

bool vu_vq_arm_calls(struct vu_queue *q)
{
	uint16_t id;
	uint32_t len;

	vu_vq_want_call(q);
	/*
	 * A buffer used before the device could see the request raises no
	 * call: look once more, as virtqueue_enable_cb() does.
	 */
	return vu_vq_used_peek(q, &id, &len);
}

/* --- setup ---------------------------------------------------------------- */

void vu_queue_reset(struct vu_queue *q)
{
	unsigned int i;

	memset(q->desc_map, 0, (uint64_t)q->num * DESC_SIZE);
	if (q->packed) {
		memset(q->avail_map, 0, 4);
		memset(q->used_map, 0, 4);
	} else {
		memset(q->avail_map, 0, split_avail_len(q->num));
		memset(q->used_map, 0, split_used_len(q->num));
	}
	memset(q->slots, 0, q->num * sizeof(*q->slots));
	/* Lowest index on top of the stack: chains take 0, 1, 2... */
	for (i = 0; i < q->num; i++)
		q->free[i] = q->num - 1 - i;
	q->nfree = q->num;
	q->free_desc = q->num;
	for (i = 0; i < q->num; i++)
		q->cmd_free[i] = q->num - 1 - i;
	q->ncmd_free = q->num;
	q->avail_idx = q->last_used = 0;
	q->next_avail = q->next_used = 0;
	q->avail_wrap = q->used_wrap = true;
	q->num_added = 0;
	q->inflight = 0;
	/*
	 * Packed: both wrap counters start at 1, and QEMU's base says so
	 * (virtio_queue_get_last_avail_idx(): 0x80008000 on a fresh ring).
	 */
	q->base = q->packed ? 0x80008000 : 0;
	q->pending_id = -1;
	q->order = 0;
	q->manual_events = false;
	vu_vq_rearm(q);
}

static int vu_queue_create(struct vu_front *f, unsigned int index,
			   unsigned int num, uint64_t features)
{
	struct vu_queue *q;

	/* Cache lines of its own: each queue may have a thread of its own. */
	q = aligned_alloc(VU_CACHE_LINE, VU_ALIGN(sizeof(*q), VU_CACHE_LINE));
	if (!q)
		return vu_fail(f, -ENOMEM, "out of memory");
	memset(q, 0, sizeof(*q));
	f->queues[index] = q;
	q->f = f;
	q->index = index;
	q->num = num;
	q->packed = features & (1ULL << VU_F_RING_PACKED);
	q->event_idx = features & (1ULL << VU_F_EVENT_IDX);
	q->indirect = features & (1ULL << VU_F_INDIRECT_DESC);
	q->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->err_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->kick_fd < 0 || q->call_fd < 0 || q->err_fd < 0)
		return vu_fail(f, -errno, "eventfd: %s", strerror(errno));
	q->free = calloc(num, sizeof(*q->free));
	q->next = calloc(num, sizeof(*q->next));
	q->slots = calloc(num, sizeof(*q->slots));
	q->cmd_free = calloc(num, sizeof(*q->cmd_free));
	if (!q->free || !q->next || !q->slots || !q->cmd_free)
		return vu_fail(f, -ENOMEM, "out of memory");
	q->desc_gpa = vu_alloc(f, 0, (uint64_t)num * DESC_SIZE, 4096);
	if (q->packed) {
		q->avail_gpa = vu_alloc(f, 0, 4, 4096);
		q->used_gpa = vu_alloc(f, 0, 4, 4096);
	} else {
		q->avail_gpa = vu_alloc(f, 0, split_avail_len(num), 4096);
		q->used_gpa = vu_alloc(f, 0, split_used_len(num), 4096);
	}
	q->ind_gpa = vu_alloc(f, 0, (uint64_t)num * IND_BYTES, 4096);
	q->cmd_gpa = vu_alloc(f, 0, (uint64_t)num * CMD_BYTES, 4096);
	if (!q->desc_gpa || !q->avail_gpa || !q->used_gpa || !q->ind_gpa ||
	    !q->cmd_gpa)
		return vu_fail(f, -ENOMEM, "queue %u of %u: region 0 is full",
			       index, num);
	/* Each area was allocated whole in region 0: one mapping each. */
	q->desc_map = vu_gpa(f, q->desc_gpa, 1);
	q->avail_map = vu_gpa(f, q->avail_gpa, 1);
	q->used_map = vu_gpa(f, q->used_gpa, 1);
	q->ind_map = vu_gpa(f, q->ind_gpa, 1);
	q->cmd_map = vu_gpa(f, q->cmd_gpa, 1);
	vu_queue_reset(q);
	return 0;
}

int vu_queues_create(struct vu_front *f, unsigned int nqueues,
		     unsigned int num, uint64_t features)
{
	unsigned int i;
	int ret;

	if (!nqueues || nqueues > VU_MAX_QUEUES || !num || num > 32768)
		return vu_fail(f, -EINVAL, "%u queues of %u: bad", nqueues, num);
	if (!(features & (1ULL << VU_F_RING_PACKED)) && (num & (num - 1)))
		return vu_fail(f, -EINVAL, "split ring of %u: not a power of 2", num);
	if (!f->nregions)
		return vu_fail(f, -EINVAL, "no guest memory");
	vu_queues_destroy(f);
	f->nqueues = nqueues;
	for (i = 0; i < nqueues; i++) {
		ret = vu_queue_create(f, i, num, features);
		if (ret)
			return ret;
	}
	return 0;
}

void vu_queues_destroy(struct vu_front *f)
{
	unsigned int i;

	for (i = 0; i < VU_MAX_QUEUES; i++) {
		struct vu_queue *q = f->queues[i];

		if (!q)
			continue;
		if (q->kick_fd >= 0)
			close(q->kick_fd);
		if (q->call_fd >= 0)
			close(q->call_fd);
		if (q->err_fd >= 0)
			close(q->err_fd);
		free(q->free);
		free(q->next);
		free(q->slots);
		free(q->cmd_free);
		free(q);
		f->queues[i] = NULL;
	}
	f->nqueues = 0;
	vu_inflight_release(&f->infl);
}

/* --- adding chains -------------------------------------------------------- */

static uint16_t desc_flags(const struct vu_buf *b, bool more)
{
	return (b->write ? VRING_DESC_F_WRITE : 0) |
	       (more ? VRING_DESC_F_NEXT : 0);
}

/*
 * An indirect table for chain @id. Split entries link with next; packed
 * ones are packed descriptors, used in order, without NEXT (2.8.19).
 */
static void write_indirect(struct vu_queue *q, unsigned int id,
			   const struct vu_buf *bufs, unsigned int n)
{
	struct vring_packed_desc *p = vu_vq_indirect(q, id);
	struct vring_desc *t = vu_vq_indirect(q, id);
	unsigned int k;

	for (k = 0; k < n; k++) {
		if (q->packed) {
			p[k].addr = bufs[k].gpa;
			p[k].len = bufs[k].len;
			p[k].id = 0;
			p[k].flags = desc_flags(&bufs[k], false);
			continue;
		}
		t[k].addr = bufs[k].gpa;
		t[k].len = bufs[k].len;
		t[k].flags = desc_flags(&bufs[k], k + 1 < n);
		t[k].next = k + 1;
	}
}

static int split_prepare(struct vu_queue *q, const struct vu_buf *bufs,
			 unsigned int n, bool indirect, void *cookie)
{
	unsigned int need = indirect ? 1 : n, k;
	struct vring_desc *d;
	uint16_t head, i;

	if (need > q->nfree)
		return -ENOSPC;
	/* The free stack's top n entries, linked in the order they pop. */
	head = q->free[q->nfree - 1];
	if (indirect) {
		q->nfree--;
		write_indirect(q, head, bufs, n);
		d = vu_vq_split_desc(q, head);
		d->addr = ind_gpa(q, head);
		d->len = n * DESC_SIZE;
		d->flags = VRING_DESC_F_INDIRECT;
		d->next = 0;
	} else {
		for (k = 0; k < n; k++) {
			i = q->free[--q->nfree];
			d = vu_vq_split_desc(q, i);
			d->addr = bufs[k].gpa;
			d->len = bufs[k].len;
			d->flags = desc_flags(&bufs[k], k + 1 < n);
			d->next = k + 1 < n ? q->free[q->nfree - 1] : 0;
			q->next[i] = d->next;
		}
	}
	q->slots[head] = (struct vu_slot){ .cookie = cookie, .ndesc = need,
					   .busy = true, .indirect = indirect };
	return head;
}

static uint16_t packed_flags(bool wrap)
{
	return wrap ? PACKED_AVAIL : PACKED_USED;
}

static int packed_prepare(struct vu_queue *q, const struct vu_buf *bufs,
			  unsigned int n, bool indirect, void *cookie)
{
	unsigned int need = indirect ? 1 : n, k;
	struct vring_packed_desc *d;
	uint16_t id, slot = q->next_avail;
	bool wrap = q->avail_wrap;

	if (!q->nfree || need > q->free_desc)
		return -ENOSPC;
	id = q->free[--q->nfree];
	for (k = 0; k < need; k++) {
		uint16_t flags;

		d = vu_vq_packed_desc(q, slot);
		if (indirect) {
			write_indirect(q, id, bufs, n);
			d->addr = ind_gpa(q, id);
			d->len = n * DESC_SIZE;
			flags = VRING_DESC_F_INDIRECT;
		} else {
			d->addr = bufs[k].gpa;
			d->len = bufs[k].len;
			flags = desc_flags(&bufs[k], k + 1 < n);
		}
		d->id = id;
		flags |= packed_flags(wrap);
		if (k == 0) {
			q->pending_slot = slot;
			q->pending_flags = flags;
		} else {
			st16(&d->flags, flags);
		}
		if (++slot == q->num) {
			slot = 0;
			wrap = !wrap;
		}
	}
	q->next_avail = slot;
	q->avail_wrap = wrap;
	q->free_desc -= need;
	q->pending_id = id;
	q->slots[id] = (struct vu_slot){ .cookie = cookie, .ndesc = need,
					 .busy = true, .indirect = indirect };
	return id;
}

int vu_vq_prepare(struct vu_queue *q, const struct vu_buf *bufs,
		  unsigned int n, unsigned int flags, void *cookie)
{
	bool indirect = flags & VU_CHAIN_INDIRECT;

	if (!n || n > VU_IND_MAX)
		return vu_fail(q->f, -EINVAL, "a chain of %u buffers", n);
	/* What could never fit the ring goes indirect, as Linux does. */
	if (n > q->num && q->indirect)
		indirect = true;
	if (!indirect && n > q->num)
		return vu_fail(q->f, -EINVAL, "a chain of %u in a ring of %u without indirect",
			       n, q->num);
	if (q->packed && q->pending_id >= 0)
		return vu_fail(q->f, -EBUSY, "a prepared chain is not published");
	if (q->packed)
		return packed_prepare(q, bufs, n, indirect, cookie);
	return split_prepare(q, bufs, n, indirect, cookie);
}

void vu_vq_publish(struct vu_queue *q, int id)
{
	if (q->packed) {
		struct vring_packed_desc *d = vu_vq_packed_desc(q, q->pending_slot);

		/* The chain's other descriptors before its first one's flags. */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		st16(&d->flags, q->pending_flags);
		q->num_added += q->slots[id].ndesc;
		q->pending_id = -1;
	} else {
		vu_vq_split_set_avail(q, q->avail_idx, id);
		vu_vq_split_set_avail_idx(q, ++q->avail_idx);
		q->num_added++;
	}
	q->inflight++;
}

int vu_vq_add(struct vu_queue *q, const struct vu_buf *bufs, unsigned int n,
	      unsigned int flags, void *cookie)
{
	int id = vu_vq_prepare(q, bufs, n, flags, cookie);

	if (id >= 0)
		vu_vq_publish(q, id);
	return id;
}

unsigned int vu_vq_chain_desc(struct vu_queue *q, unsigned int id,
			      unsigned int k)
{
	unsigned int i = id;

	while (k--)
		i = q->next[i];
	return i;
}

/* --- kicks ---------------------------------------------------------------- */

int vu_vq_kick_now(struct vu_queue *q)
{
	uint64_t one = 1;

	if (write(q->kick_fd, &one, sizeof(one)) != sizeof(one))
		return vu_fail(q->f, -errno, "kick: %s", strerror(errno));
	q->kicks++;
	return 1;
}

static bool split_need_kick(struct vu_queue *q)
{
	uint16_t new = q->avail_idx, old = new - q->num_added;

	if (q->event_idx)
		return vring_need_event(ld16(split_avail_event(q)), new, old);
	return !(ld16(split_used_flags(q)) & VRING_USED_F_NO_NOTIFY);
}

static bool packed_need_kick(struct vu_queue *q)
{
	uint32_t both = ld32(packed_device_event(q));
	uint16_t off_wrap = both & 0xffff, flags = both >> 16;
	uint16_t new = q->next_avail, old = new - q->num_added, event;

	if (flags != VRING_PACKED_EVENT_FLAG_DESC)
		return flags != VRING_PACKED_EVENT_FLAG_DISABLE;
	event = off_wrap & ~PACKED_WRAP;
	if (!!(off_wrap & PACKED_WRAP) != q->avail_wrap)
		event -= q->num;
	return vring_need_event(event, new, old);
}

int vu_vq_kick(struct vu_queue *q)
{
	bool need;

	/* The index or flags we published before what the device asked. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	need = q->always_kick || (q->packed ? packed_need_kick(q) :
					      split_need_kick(q));
	q->num_added = 0;
	return need ? vu_vq_kick_now(q) : 0;
}

/*
 * Has the device fetched every chain made available? With event idx, a
 * device that asks for a kick at the next chain to come has taken all
 * before it.
 */
static int vq_fetched(struct vu_queue *q)
{
	uint32_t both;

	if (!q->event_idx)
		return -EOPNOTSUPP;
	if (!q->packed)
		return ld16(split_avail_event(q)) == q->avail_idx;
	both = ld32(packed_device_event(q));
	return (both >> 16) == VRING_PACKED_EVENT_FLAG_DESC &&
	       (both & 0xffff) ==
	       (q->next_avail | (q->avail_wrap ? PACKED_WRAP : 0));
}

int vu_vq_wait_fetched(struct vu_queue *q, int timeout_ms)
{
	long long end = vu_now_ms() + timeout_ms;
	int ret;

	while (!(ret = vq_fetched(q))) {
		if (vu_now_ms() >= end)
			return vu_fail(q->f, -ETIMEDOUT,
				      "queue %u: chains not fetched after %d ms",
				      q->index, timeout_ms);
		vu_sleep_ms(1);
	}
	return ret < 0 ? vu_fail(q->f, ret, "queue %u: no event idx", q->index) :
			 0;
}

/* --- used buffers --------------------------------------------------------- */

static bool packed_used_peek(struct vu_queue *q, uint16_t *id, uint32_t *len)
{
	struct vring_packed_desc *d = vu_vq_packed_desc(q, q->next_used);
	uint16_t flags = ld16(&d->flags);
	bool avail = flags & PACKED_AVAIL, used = flags & PACKED_USED;

	if (avail != q->used_wrap || used != q->used_wrap)
		return false;
	/* The id and length after the flags that hand them over. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	*id = ld16(&d->id);
	*len = ld32(&d->len);
	return true;
}

bool vu_vq_used_peek(struct vu_queue *q, uint16_t *id, uint32_t *len)
{
	struct vring_used_elem *e;

	if (q->packed)
		return packed_used_peek(q, id, len);
	if (ld16(split_used_idx(q)) == q->last_used)
		return false;
	/* The entry after the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	e = split_used_elem(q, q->last_used);
	*id = ld32(&e->id);
	*len = ld32(&e->len);
	return true;
}

void vu_vq_used_take(struct vu_queue *q, uint16_t id)
{
	struct vu_slot *s = &q->slots[id % q->num];
	unsigned int k, i;

	if (q->packed) {
		q->next_used += s->ndesc;
		if (q->next_used >= q->num) {
			q->next_used -= q->num;
			q->used_wrap = !q->used_wrap;
		}
		q->free_desc += s->ndesc;
		q->free[q->nfree++] = id % q->num;
	} else {
		/* Our own links, not the ring's: the device may not change them. */
		for (i = id % q->num, k = 0; k < s->ndesc; k++) {
			q->free[q->nfree++] = i;
			i = q->next[i];
		}
		q->last_used++;
	}
	s->busy = false;
	q->inflight--;
	vu_vq_rearm(q);
}

int vu_vq_get(struct vu_queue *q, void **cookie, uint32_t *len)
{
	uint16_t id;

	if (!vu_vq_used_peek(q, &id, len))
		return 0;
	if (id >= q->num || !q->slots[id].busy)
		return vu_fail(q->f, -EPROTO, "queue %u: used id %u%s", q->index,
			       id, id >= q->num ? " beyond the ring" : " not in flight");
	*cookie = q->slots[id].cookie;
	vu_vq_used_take(q, id);
	return 1;
}

int vu_vq_complete_one(struct vu_queue *q, void *cookie, int timeout_ms,
		       uint32_t *len)
{
	void *got;
	int ret;

	ret = vu_vq_kick(q);
	if (ret < 0)
		return ret;
	if (!vu_vq_wait(q, timeout_ms))
		return vu_fail(q->f, -ETIMEDOUT, "queue %u: no used entry within %d ms",
			       q->index, timeout_ms);
	ret = vu_vq_get(q, &got, len);
	if (ret < 0)
		return ret;
	if (got != cookie)
		return vu_fail(q->f, -EPROTO, "queue %u: another chain completed",
			       q->index);
	return 0;
}

uint64_t vu_vq_drain_calls(struct vu_queue *q)
{
	uint64_t v;

	if (read(q->call_fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	q->calls += v;
	return v;
}

int vu_vq_wait(struct vu_queue *q, int timeout_ms)
{
	long long deadline = vu_now_ms() + timeout_ms;
	uint16_t id;
	uint32_t len;

	for (;;) {
		struct pollfd pfd = { .fd = q->call_fd, .events = POLLIN };
		long long left;

		if (vu_vq_used_peek(q, &id, &len))
			return 1;
		left = deadline - vu_now_ms();
		if (left <= 0)
			return 0;
		/*
		 * Calls may be suppressed (by the test, or by event idx):
		 * look at the ring again every 20 ms whatever comes.
		 */
		if (poll(&pfd, 1, left < 20 ? (int)left : 20) > 0)
			vu_vq_drain_calls(q);
	}
}

int vu_vq_sleep(struct vu_queue *q, int timeout_ms)
{
	struct pollfd pfd = { .fd = q->call_fd, .events = POLLIN };
	uint16_t id;
	uint32_t len;
	int ret = 0;

	if (!vu_vq_arm_calls(q)) {
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0 && errno != EINTR)
			ret = vu_fail(q->f, -errno, "poll: %s", strerror(errno));
		else if (ret > 0)
			vu_vq_drain_calls(q);
	}
	/* Calls only cost the device while we reap. */
	vu_vq_mute_calls(q);
	if (ret < 0)
		return ret;
	return vu_vq_used_peek(q, &id, &len);
}

bool vu_vq_err_signalled(struct vu_queue *q, int timeout_ms)
{
	struct pollfd pfd = { .fd = q->err_fd, .events = POLLIN };
	uint64_t v;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return false;
	return read(q->err_fd, &v, sizeof(v)) == sizeof(v) && v;
}

uint16_t vu_vq_used_idx(struct vu_queue *q)
{
	uint16_t idx = ld16(split_used_idx(q));

	/* What the index publishes after it. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return idx;
}

void vu_queues_restore_base(struct vu_front *f)
{
	unsigned int i;

	for (i = 0; i < f->nqueues; i++) {
		struct vu_queue *q = f->queues[i];

		/*
		 * QEMU keeps no record of a packed ring to restore: it sends
		 * the base of the ring's last start again.
		 */
		if (!q->packed)
			q->base = vu_vq_used_idx(q);
	}
}

uint32_t vu_vq_driver_base(const struct vu_queue *q)
{
	if (!q->packed)
		return q->avail_idx;
	return (q->next_avail | (q->avail_wrap ? PACKED_WRAP : 0)) |
	       (uint32_t)(q->next_used | (q->used_wrap ? PACKED_WRAP : 0)) << 16;
}

/* --- the inflight region ------------------------------------------------- */

static int vu_step(struct vu_front *f, int ret, const char *what,
		   unsigned int index)
{
	char why[sizeof(f->err)];

	if (!ret)
		return 0;
	memcpy(why, f->err, sizeof(why));
	return vu_fail(f, ret, "%s(%u): %s", what, index, why);
}

int vu_inflight_map(struct vu_front *f, struct vu_inflight *r)
{
	void *p;

	if (r->map)
		return 0;
	if (r->fd < 0 || !r->size)
		return vu_fail(f, -EINVAL, "no inflight region to map");
	p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd,
		 r->offset);
	if (p == MAP_FAILED)
		return vu_fail(f, -errno, "mmap inflight region of %llu bytes at %llu: %s",
			       (unsigned long long)r->size,
			       (unsigned long long)r->offset, strerror(errno));
	r->map = p;
	return 0;
}

void vu_inflight_unmap(struct vu_inflight *r)
{
	if (r->map)
		munmap(r->map, r->size);
	r->map = NULL;
}

void vu_inflight_release(struct vu_inflight *r)
{
	vu_inflight_unmap(r);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->size = r->offset = 0;
	r->num_queues = r->queue_size = 0;
}

struct vu_inflight_queue *vu_inflight_queue(const struct vu_inflight *r,
					    unsigned int q)
{
	uint64_t stride = VU_INFLIGHT_STRIDE(r->queue_size);

	if (!r->map || (q + 1) * stride > r->size)
		return NULL;
	return (struct vu_inflight_queue *)(r->map + q * stride);
}

struct vu_inflight_desc *vu_inflight_desc(const struct vu_inflight *r,
					  unsigned int q, unsigned int i)
{
	struct vu_inflight_queue *h = vu_inflight_queue(r, q);

	if (!h || i >= r->queue_size)
		return NULL;
	return (struct vu_inflight_desc *)(h + 1) + i;
}

int vu_inflight_create(struct vu_front *f, struct vu_inflight *r,
		       uint16_t num_queues, uint16_t queue_size)
{
	uint64_t size = num_queues * VU_INFLIGHT_STRIDE(queue_size);
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = memfd_create("vu-inflight", MFD_CLOEXEC);
	if (r->fd < 0)
		return vu_fail(f, -errno, "memfd_create(inflight): %s",
			       strerror(errno));
	if (ftruncate(r->fd, size)) {
		ret = vu_fail(f, -errno, "ftruncate inflight region to %llu: %s",
			      (unsigned long long)size, strerror(errno));
		vu_inflight_release(r);
		return ret;
	}
	r->size = size;
	r->num_queues = num_queues;
	r->queue_size = queue_size;
	ret = vu_inflight_map(f, r);
	if (ret)
		vu_inflight_release(r);
	return ret;
}

int vu_inflight_prepare(struct vu_front *f, uint64_t features)
{
	unsigned int num = f->nqueues ? f->queues[0]->num : 0;
	int ret;

	/* vhost_dev_prepare_inflight() */
	ret = vu_step(f, vu_set_features(f, features), "SET_FEATURES", 0);
	if (ret)
		return ret;
	/* vhost_dev_get_inflight(), once: the region outlives a reconnect */
	if (f->infl.fd < 0) {
		ret = vu_get_inflight_fd(f, f->nqueues, num, &f->infl);
		if (ret == -EREMOTEIO)
			return 0;	/* no region: QEMU goes on without */
		if (!ret)
			ret = vu_inflight_map(f, &f->infl);
		if (ret) {
			vu_inflight_release(&f->infl);
			return vu_step(f, ret, "GET_INFLIGHT_FD", f->nqueues);
		}
	}
	/* vhost_dev_set_inflight() */
	return vu_step(f, vu_set_inflight_fd(f, &f->infl), "SET_INFLIGHT_FD",
		       f->infl.num_queues);
}

/* --- start and stop ------------------------------------------------------- */

static int vu_vring_state(struct vu_front *f, uint32_t request,
			  unsigned int index, uint32_t num)
{
	struct vu_wire_vring_state st = { .index = index, .num = num };
	uint32_t flags = f->need_reply ? VU_FLAGS_NEED_REPLY : VU_FLAGS;
	int ret;

	ret = vu_send(f, request, flags, &st, sizeof(st), NULL, 0);
	if (!ret && f->need_reply)
		ret = vu_recv_ack(f, request);
	return vu_step(f, ret, vu_req_name(request), index);
}

static int vu_vring_fd(struct vu_front *f, uint32_t request,
		       unsigned int index, int fd)
{
	uint32_t flags = f->need_reply ? VU_FLAGS_NEED_REPLY : VU_FLAGS;
	uint64_t u64 = index;
	int ret;

	if (fd < 0)
		u64 |= VU_WIRE_VRING_NOFD;
	ret = vu_send(f, request, flags, &u64, sizeof(u64), &fd, fd < 0 ? 0 : 1);
	if (!ret && f->need_reply)
		ret = vu_recv_ack(f, request);
	return vu_step(f, ret, vu_req_name(request), index);
}

static int vu_vring_addr(struct vu_front *f, const struct vu_wire_vring_addr *a)
{
	uint32_t flags = f->need_reply ? VU_FLAGS_NEED_REPLY : VU_FLAGS;
	int ret;

	ret = vu_send(f, VDEV_VU_SET_VRING_ADDR, flags, a, sizeof(*a), NULL, 0);
	if (!ret && f->need_reply)
		ret = vu_recv_ack(f, VDEV_VU_SET_VRING_ADDR);
	return vu_step(f, ret, "SET_VRING_ADDR", a->index);
}

/* The ring requests as vhost-user messages. */
static const struct vu_vring_ops vu_user_vring_ops = {
	.state = vu_vring_state,
	.addr = vu_vring_addr,
	.fd = vu_vring_fd,
};

int vu_set_vring_enable(struct vu_front *f, unsigned int index, bool on)
{
	return vu_vring_state(f, VDEV_VU_SET_VRING_ENABLE, index, on);
}

int vu_get_vring_base(struct vu_front *f, unsigned int index, uint32_t *base)
{
	struct vu_wire_vring_state st = { .index = index };
	struct vu_msg m;
	int ret;

	ret = vu_send(f, VDEV_VU_GET_VRING_BASE, VU_FLAGS, &st, sizeof(st),
		      NULL, 0);
	if (!ret)
		ret = vu_recv_reply(f, VDEV_VU_GET_VRING_BASE, &m);
	if (ret)
		return vu_step(f, ret, "GET_VRING_BASE", index);
	if (m.hdr.size != sizeof(st) || m.p.state.index != index)
		return vu_fail(f, -EPROTO, "GET_VRING_BASE(%u): reply size %u index %u",
			       index, m.hdr.size, m.p.state.index);
	*base = m.p.state.num;
	if (index < f->nqueues && f->queues[index]) {
		f->queues[index]->base = *base;
		f->queues[index]->started = false;
	}
	return 0;
}

/* QEMU's vhost_user_add_status(): read, and set what is missing. */
static int vu_add_status(struct vu_front *f, uint64_t bits)
{
	uint64_t st;
	int ret;

	ret = vu_get_status(f, &st);
	if (ret || (st & bits) == bits)
		return ret;
	return vu_set_status(f, st | bits);
}

/* The ring's addresses as QEMU sends them: our mappings, and the log's. */
static void vu_queue_addr(struct vu_front *f, struct vu_queue *q,
			  struct vu_wire_vring_addr *a)
{
	*a = (struct vu_wire_vring_addr){
		.index = q->index,
		.flags = q->log ? VDEV_VU_VRING_F_LOG : 0,
		.desc_uaddr = vu_uva(f, q->desc_gpa),
		.used_uaddr = vu_uva(f, q->used_gpa),
		.avail_uaddr = vu_uva(f, q->avail_gpa),
		.log_gaddr = q->log ? q->log_gpa : 0,
	};
}

int vu_set_vring_addr(struct vu_front *f, struct vu_queue *q)
{
	struct vu_wire_vring_addr a;

	vu_queue_addr(f, q, &a);
	return vu_vring_addr(f, &a);
}

int vu_queue_start(struct vu_front *f, struct vu_queue *q,
		   const struct vu_vring_ops *ops)
{
	struct vu_wire_vring_addr a;
	int ret;

	vu_queue_addr(f, q, &a);

	ret = ops->state(f, VDEV_VU_SET_VRING_NUM, q->index, q->num);
	if (!ret)
		ret = ops->state(f, VDEV_VU_SET_VRING_BASE, q->index, q->base);
	if (!ret)
		ret = ops->addr(f, &a);
	if (!ret)
		ret = ops->fd(f, VDEV_VU_SET_VRING_KICK, q->index, q->kick_fd);
	if (!ret)
		ret = ops->fd(f, VDEV_VU_SET_VRING_CALL, q->index, q->call_fd);
	if (!ret)
		ret = ops->fd(f, VDEV_VU_SET_VRING_ERR, q->index, q->err_fd);
	return ret;
}

int vu_dev_start(struct vu_front *f, uint64_t features)
{
	unsigned int i;
	int ret;

	if (f->inflight && (f->acked_protocol & VU_PF(INFLIGHT_SHMFD))) {
		ret = vu_inflight_prepare(f, features);
		if (ret)
			return ret;
	}
	ret = vu_step(f, vu_set_features(f, features), "SET_FEATURES", 0);
	if (!ret && (f->acked_protocol & VU_PF(STATUS)))
		ret = vu_step(f, vu_add_status(f, VU_S_FEATURES_OK),
			      "SET_STATUS(FEATURES_OK)", 0);
	if (ret)
		return ret;
	if (f->use_mem_table || !(f->acked_protocol & VU_PF(CONFIGURE_MEM_SLOTS)))
		ret = vu_step(f, vu_mem_set_table(f), "SET_MEM_TABLE", 0);
	else
		ret = vu_step(f, vu_mem_add_all(f), "ADD_MEM_REG", 0);
	if (ret)
		return ret;
	for (i = 0; i < f->nqueues; i++) {
		ret = vu_queue_start(f, f->queues[i], &vu_user_vring_ops);
		if (ret)
			return ret;
		f->queues[i]->started = true;
	}
	/* Rings start disabled once bit 30 is negotiated. */
	if (f->acked_features & (1ULL << VDEV_VU_F_PROTOCOL_FEATURES))
		for (i = 0; i < f->nqueues; i++) {
			ret = vu_set_vring_enable(f, i, true);
			if (ret)
				return ret;
		}
	if (f->acked_protocol & VU_PF(STATUS))
		ret = vu_step(f, vu_add_status(f, VU_S_ACKNOWLEDGE | VU_S_DRIVER |
					       VU_S_DRIVER_OK),
			      "SET_STATUS(DRIVER_OK)", 0);
	return ret;
}

int vu_dev_stop(struct vu_front *f)
{
	unsigned int i;
	uint32_t base;
	int ret = 0;

	if (f->acked_protocol & VU_PF(STATUS))
		ret = vu_step(f, vu_set_status(f, 0), "SET_STATUS(0)", 0);
	if (ret)
		return ret;
	if (f->acked_features & (1ULL << VDEV_VU_F_PROTOCOL_FEATURES))
		for (i = 0; i < f->nqueues; i++) {
			ret = vu_set_vring_enable(f, i, false);
			if (ret)
				return ret;
		}
	for (i = 0; i < f->nqueues; i++) {
		ret = vu_get_vring_base(f, i, &base);
		if (ret)
			return ret;
	}
	return 0;
}
