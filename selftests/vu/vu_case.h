/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vu_case: what vu_data.c and vu_bad.c share: the environment, a started
 * device as a fixture, and an I/O engine that checks every block it reads
 * against a shadow copy of what it wrote. Include after
 * kselftest_harness.h; every function is static inline.
 *
 * Environment (besides vu_test.c's VU_SOCK, VU_CTRL, VU_QUEUES,
 * VU_QUEUE_SIZE, VU_RO, VU_WRITE_CACHE, VU_DISCARD, VU_TIMEOUT_MS):
 *
 *   VU_RING         split (default) or packed
 *   VU_NUM          ring size (default: VU_QUEUE_SIZE, at most 256)
 *   VU_NQ           rings to start (default VU_QUEUES)
 *   VU_REGIONS      guest memory regions (default 1)
 *   VU_MEM_MB       guest memory in all (default 32)
 *   VU_GPA_GAP_MB   gap between regions in guest-physical space (default 0)
 *   VU_HUGETLB      1: an MFD_HUGETLB memfd (SKIP when none are free)
 *   VU_MEM_TABLE    1: SET_MEM_TABLE instead of ADD_MEM_REG
 *   VU_NO_EVENT_IDX 1: do not ack VIRTIO_RING_F_EVENT_IDX
 *   VU_NO_INDIRECT  1: do not ack VIRTIO_RING_F_INDIRECT_DESC
 *   VU_ALWAYS_KICK  1: kick after every batch whatever the device asked
 *   VU_SEED         the pattern generator's seed
 *   VU_INFLIGHT     1: use the inflight region as QEMU 7.2 vhost-user-blk
 *                   does (f->inflight: GET_INFLIGHT_FD, SET_INFLIGHT_FD
 *                   before the rings start)
 *   VU_HOLD_READY, VU_HOLD_RELEASE
 *                   where a case holds its session (vu_env_hold()):
 *                   create the first file, wait for the second
 */
#ifndef _VU_CASE_H
#define _VU_CASE_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vu_front.h"

#define VU_F(bit)		(1ULL << (bit))
#define F_SIZE_MAX		1
#define F_SEG_MAX		2
#define F_RO			5
#define F_BLK_SIZE		6
#define F_FLUSH			9
#define F_TOPOLOGY		10
#define F_CONFIG_WCE		11
#define F_MQ			12
#define F_DISCARD		13
#define F_WRITE_ZEROES		14
#define F_PROTOCOL_FEATURES	30

#define OPEN_MS			10000
#define MIB			(1024ULL * 1024)

/* --- checks -------------------------------------------------------------- */

/* The front end of the case, for OK()'s message. */
static struct vu_front *vu_cur_front;

/* expr is a vu_front call that must return 0. */
#define OK(expr) do {							\
	int __r = (expr);						\
	ASSERT_EQ(0, __r)						\
		TH_LOG("%s: %s (%s)", #expr, vu_cur_front ?		\
		       vu_cur_front->err : "", strerror(-__r));		\
} while (0)

/* A request's outcome. */
#define STATUS_IS(req, want) do {					\
	ASSERT_EQ((want), (req)->status)				\
		TH_LOG("status %u (%s), want %u (%s); used len %u",	\
		       (req)->status, vu_blk_status_name((req)->status), \
		       (want), vu_blk_status_name(want), (req)->used_len); \
} while (0)

/* --- the environment ----------------------------------------------------- */

struct vu_env {
	const char *sock;
	const char *ctrl;
	unsigned int queues, queue_size;
	unsigned int nq, num;
	bool packed, event_idx, indirect, always_kick;
	unsigned int regions;
	uint64_t mem;
	uint64_t gpa_gap;
	bool hugetlb, mem_table;
	bool ro, discard, write_cache;
	bool inflight;
	int timeout_ms;
	uint64_t seed;
};

static inline unsigned long long env_num(const char *name,
					 unsigned long long dflt)
{
	const char *s = getenv(name);
	unsigned long long v;
	char *end;

	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end) {
		fprintf(stderr, "# %s=%s: not a number\n", name, s);
		exit(KSFT_FAIL);
	}
	return v;
}

static inline void env_load(struct vu_env *e)
{
	const char *ring = getenv("VU_RING");

	memset(e, 0, sizeof(*e));
	e->sock = getenv("VU_SOCK");
	e->ctrl = getenv("VU_CTRL") ?: "?";
	e->queues = env_num("VU_QUEUES", 1);
	e->queue_size = env_num("VU_QUEUE_SIZE", 256);
	e->nq = env_num("VU_NQ", e->queues);
	e->num = env_num("VU_NUM", e->queue_size < 256 ? e->queue_size : 256);
	e->packed = ring && !strcmp(ring, "packed");
	e->event_idx = !env_num("VU_NO_EVENT_IDX", 0);
	e->indirect = !env_num("VU_NO_INDIRECT", 0);
	e->always_kick = env_num("VU_ALWAYS_KICK", 0);
	e->regions = env_num("VU_REGIONS", 1);
	e->mem = env_num("VU_MEM_MB", 32) * MIB;
	e->gpa_gap = env_num("VU_GPA_GAP_MB", 0) * MIB;
	e->hugetlb = env_num("VU_HUGETLB", 0);
	e->mem_table = env_num("VU_MEM_TABLE", 0);
	e->ro = env_num("VU_RO", 0);
	e->discard = env_num("VU_DISCARD", 0);
	e->write_cache = env_num("VU_WRITE_CACHE", 0);
	e->inflight = env_num("VU_INFLIGHT", 0);
	e->timeout_ms = env_num("VU_TIMEOUT_MS", VU_DEFAULT_TIMEOUT_MS);
	e->seed = env_num("VU_SEED", 0x5eed1234abcdULL);
}

/* The features a data-path front end acks, given what was offered. */
static inline uint64_t env_features(const struct vu_env *e, uint64_t offered)
{
	uint64_t want = VU_F(VU_F_VERSION_1) | VU_F(F_PROTOCOL_FEATURES) |
			VU_F(F_SIZE_MAX) | VU_F(F_SEG_MAX) | VU_F(F_RO) |
			VU_F(F_BLK_SIZE) | VU_F(F_FLUSH) | VU_F(F_TOPOLOGY) |
			VU_F(F_CONFIG_WCE) | VU_F(F_MQ) | VU_F(F_DISCARD) |
			VU_F(F_WRITE_ZEROES);

	if (e->event_idx)
		want |= VU_F(VU_F_EVENT_IDX);
	if (e->indirect)
		want |= VU_F(VU_F_INDIRECT_DESC);
	if (e->packed)
		want |= VU_F(VU_F_RING_PACKED);
	return offered & want;
}

/* --- a started device ---------------------------------------------------- */

struct vu_dev {
	struct vu_env env;
	struct vu_front f;
	struct virtio_blk_config cfg;
	uint64_t features;
	uint64_t capacity;	/* sectors */
	unsigned int blk;	/* logical block size */
	unsigned int seg_max;
	uint64_t rng;
};

static inline uint64_t vu_rand(struct vu_dev *d)
{
	/* xorshift64* */
	d->rng ^= d->rng >> 12;
	d->rng ^= d->rng << 25;
	d->rng ^= d->rng >> 27;
	return d->rng * 0x2545F4914F6CDD1DULL;
}

/*
 * Connect, realize as QEMU 7.2, create guest memory and rings as the
 * environment says, and start the device. Returns 0, or a negative errno
 * with why in d->f.err; -EOPNOTSUPP: SKIP (no huge pages).
 */
static inline int vu_dev_setup(struct vu_dev *d, bool start)
{
	struct vu_env *e = &d->env;
	struct vu_front *f = &d->f;
	uint64_t region;
	int ret;

	vu_init(f);
	vu_cur_front = f;
	f->timeout_ms = e->timeout_ms;
	f->inflight = e->inflight;
	d->rng = e->seed ?: 1;
	ret = vu_open(f, e->sock, OPEN_MS);
	if (ret)
		return ret;
	ret = vu_qemu72_realize(f, e->nq, VU_REALIZE_OPENED, &d->cfg);
	if (ret)
		return ret;
	d->capacity = d->cfg.capacity;
	d->blk = d->cfg.blk_size ?: 512;
	d->seg_max = d->cfg.seg_max ?: 1;
	d->features = env_features(e, f->features);
	region = e->mem / e->regions / 4096 * 4096;
	if (e->hugetlb)
		region = (region + 2 * MIB - 1) / (2 * MIB) * (2 * MIB);
	ret = vu_mem_create(f, e->regions, region, e->gpa_gap, e->hugetlb);
	if (ret && e->hugetlb)
		return -EOPNOTSUPP;
	if (ret)
		return ret;
	f->use_mem_table = e->mem_table;
	ret = vu_queues_create(f, e->nq, e->num, d->features);
	if (ret)
		return ret;
	if (e->always_kick)
		for (unsigned int i = 0; i < f->nqueues; i++)
			f->queues[i]->always_kick = true;
	return start ? vu_dev_start(f, d->features) : 0;
}

/* The first queue whose err eventfd was signalled, or -1. */
static inline int vu_dev_err_queue(struct vu_dev *d)
{
	unsigned int i;

	for (i = 0; i < d->f.nqueues; i++)
		if (vu_vq_err_signalled(d->f.queues[i], 0))
			return i;
	return -1;
}

/*
 * Files as signals between a case and its script: create @path (empty),
 * and wait until @path exists (0) or @timeout_ms pass (-ETIMEDOUT).
 */
static inline int vu_touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static inline int vu_wait_file(const char *path, int timeout_ms)
{
	long long deadline = vu_now_ms() + timeout_ms;

	while (access(path, F_OK)) {
		if (vu_now_ms() > deadline)
			return -ETIMEDOUT;
		vu_sleep_ms(20);
	}
	return 0;
}

/*
 * Hold the session here for the script: the kernel shows a queue's
 * counters only while its front end is attached. With VU_HOLD_READY set,
 * create that file, then wait until VU_HOLD_RELEASE exists (at most
 * VU_HOLD_MS, default 120 s). 0 at once without VU_HOLD_READY.
 */
static inline int vu_env_hold(void)
{
	const char *ready = getenv("VU_HOLD_READY");
	const char *release = getenv("VU_HOLD_RELEASE");
	int ret;

	if (!ready || !*ready)
		return 0;
	if (!release || !*release) {
		fprintf(stderr, "# VU_HOLD_READY without VU_HOLD_RELEASE\n");
		return -EINVAL;
	}
	ret = vu_touch(ready);
	if (ret)
		return ret;
	return vu_wait_file(release, env_num("VU_HOLD_MS", 120000));
}

static inline void vu_dev_teardown(struct vu_dev *d)
{
	vu_close(&d->f);
	vu_queues_destroy(&d->f);
	vu_mem_destroy(&d->f);
}

#define DEV_SETUP(start) do {						\
	env_load(&self->d.env);						\
	if (!self->d.env.sock)						\
		SKIP(return, "VU_SOCK not set");			\
	int __r = vu_dev_setup(&self->d, start);			\
	if (__r == -EOPNOTSUPP)						\
		SKIP(return, "no huge pages: %s", self->d.f.err);	\
	ASSERT_EQ(0, __r) TH_LOG("setup: %s", self->d.f.err);		\
} while (0)

/* The usual fixture: one device per case, set up and started, torn down. */
#define VU_DEV_FIXTURE()						\
	FIXTURE(dev) {							\
		struct vu_dev d;					\
	};								\
	FIXTURE_SETUP(dev)						\
	{								\
		DEV_SETUP(true);					\
	}								\
	FIXTURE_TEARDOWN(dev)						\
	{								\
		vu_dev_teardown(&self->d);				\
	}

/* --- the I/O engine ------------------------------------------------------ */

/*
 * Every request in flight has a slot: a data buffer in guest memory (one
 * per region it spreads over) and a window of the disk of @maxlen bytes
 * that no other slot touches, so requests in flight never overlap and any
 * completion order is right. Slot s serves queue s % nq.
 */
struct eng_slot {
	struct vu_blk_req req;
	uint64_t buf[2];	/* gpa of its buffer in region 0 and 1 */
	uint64_t off;		/* disk byte offset of the request */
	uint32_t len;
	bool write;
	bool busy;
};

struct eng {
	struct vu_dev *d;
	unsigned int nslots;
	struct eng_slot *slots;
	uint32_t maxlen;
	uint64_t disk_off;	/* where slot 0's window starts */
	uint8_t *shadow;	/* nslots * maxlen bytes: the windows */
	/* Layout of each request's data. */
	uint32_t piece;		/* bytes per data buffer; 0: one buffer */
	bool scatter;		/* pieces out of order in memory */
	bool two_regions;	/* pieces alternate between regions 0, 1 */
	int indirect;		/* 0 never, 1 always, 2 at random */
	/* Counters. */
	unsigned int done, reads, writes, out_of_order;
	/* Per queue: requests started and their bytes; [0] reads, [1] writes. */
	unsigned int q_reqs[VU_MAX_QUEUES][2];
	uint64_t q_bytes[VU_MAX_QUEUES][2];
	/* Per queue: the latest submission order completed so far. */
	long long last_order[VU_MAX_QUEUES];
	char err[256];
};

static inline int eng_fail(struct eng *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline int eng_fail(struct eng *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->err, sizeof(e->err), fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * @depth requests per queue of up to @maxlen bytes, at disk offset
 * @disk_off. Guest memory for the buffers comes from the allocator.
 */
static inline int eng_init(struct eng *e, struct vu_dev *d, unsigned int depth,
			   uint32_t maxlen, uint64_t disk_off)
{
	struct vu_front *f = &d->f;
	unsigned int s, r;

	memset(e, 0, sizeof(*e));
	e->d = d;
	e->nslots = depth * f->nqueues;
	e->maxlen = maxlen;
	e->disk_off = disk_off;
	for (r = 0; r < VU_MAX_QUEUES; r++)
		e->last_order[r] = -1;
	if ((disk_off + (uint64_t)e->nslots * maxlen) / 512 > d->capacity)
		return eng_fail(e, "%u windows of %u bytes at %llu: past the disk (%llu sectors)",
				e->nslots, maxlen, (unsigned long long)disk_off,
				(unsigned long long)d->capacity);
	e->slots = calloc(e->nslots, sizeof(*e->slots));
	e->shadow = calloc(e->nslots, maxlen);
	if (!e->slots || !e->shadow)
		return eng_fail(e, "out of memory");
	for (s = 0; s < e->nslots; s++)
		for (r = 0; r < 2 && r < f->nregions; r++) {
			/* Room for the last piece of a scattered layout. */
			e->slots[s].buf[r] = vu_alloc(f, r, maxlen + 64 * 1024, 4096);
			if (!e->slots[s].buf[r])
				return eng_fail(e, "guest memory full: %u slots of %u bytes",
						e->nslots, maxlen);
		}
	return 0;
}

static inline void eng_free(struct eng *e)
{
	free(e->slots);
	free(e->shadow);
	e->slots = NULL;
	e->shadow = NULL;
}

static inline struct vu_queue *eng_queue(struct eng *e, unsigned int s)
{
	return e->d->f.queues[s % e->d->f.nqueues];
}

static inline void eng_pattern(struct eng *e, uint8_t *p, uint32_t len)
{
	uint64_t v;
	uint32_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		v = vu_rand(e->d);
		memcpy(p + i, &v, 8);
	}
	for (; i < len; i++)
		p[i] = vu_rand(e->d);
}

/* Lay the request's data out as the engine's layout says. */
static inline int eng_layout(struct eng *e, struct eng_slot *sl)
{
	struct vu_dev *d = e->d;
	struct vu_blk_req *r = &sl->req;
	uint32_t piece = e->piece ? e->piece : sl->len, n, k;
	unsigned int pos[VU_BLK_MAX_DATA];

	unsigned int max = d->seg_max;
	struct vu_queue *q = eng_queue(e, sl - e->slots);

	/* Never more buffers than the device takes or the ring holds. */
	if (max > VU_BLK_MAX_DATA)
		max = VU_BLK_MAX_DATA;
	if (!q->indirect && q->num >= 3 && max > q->num - 2)
		max = q->num - 2;
	n = (sl->len + piece - 1) / piece;
	while (n > max) {
		piece *= 2;
		n = (sl->len + piece - 1) / piece;
	}
	for (k = 0; k < n; k++)
		pos[k] = k;
	if (e->scatter)
		for (k = n; k > 1; k--) {
			unsigned int j = vu_rand(d) % k, t = pos[k - 1];

			pos[k - 1] = pos[j];
			pos[j] = t;
		}
	r->ndata = n;
	for (k = 0; k < n; k++) {
		unsigned int reg = e->two_regions ? k % 2 : 0;
		uint32_t len = k + 1 < n ? piece : sl->len - piece * (n - 1);

		r->data[k] = (struct vu_buf){
			.gpa = sl->buf[reg] + (uint64_t)pos[k] * piece,
			.len = len,
		};
	}
	r->flags = 0;
	if (e->indirect == 1 || (e->indirect == 2 && (vu_rand(d) & 1)))
		r->flags |= VU_CHAIN_INDIRECT;
	return 0;
}

/* Copy between the request's (scattered) data buffers and @p. */
static inline void eng_copy(struct eng *e, struct eng_slot *sl, uint8_t *p,
			    bool to_guest)
{
	struct vu_blk_req *r = &sl->req;
	unsigned int k;

	for (k = 0; k < r->ndata; k++) {
		if (to_guest)
			vu_mem_write(&e->d->f, r->data[k].gpa, p, r->data[k].len);
		else
			vu_mem_read(&e->d->f, r->data[k].gpa, p, r->data[k].len);
		p += r->data[k].len;
	}
}

/* Check a completion; reads against the shadow. */
static inline int eng_complete(struct eng *e, struct eng_slot *sl)
{
	struct vu_blk_req *r = &sl->req;
	uint32_t want_len = sl->write ? 1 : sl->len + 1;
	uint64_t woff = sl->off - e->disk_off;
	long long *last = &e->last_order[eng_queue(e, sl - e->slots)->index];
	uint8_t *got;

	sl->busy = false;
	e->done++;
	if (r->submitted < *last)
		e->out_of_order++;
	else
		*last = r->submitted;
	if (r->status != VIRTIO_BLK_S_OK)
		return eng_fail(e, "%s of %u bytes at %llu: status %u (%s)",
				sl->write ? "write" : "read", sl->len,
				(unsigned long long)sl->off, r->status,
				vu_blk_status_name(r->status));
	if (r->used_len != want_len)
		return eng_fail(e, "%s of %u bytes at %llu: used len %u, want %u",
				sl->write ? "write" : "read", sl->len,
				(unsigned long long)sl->off, r->used_len, want_len);
	if (sl->write)
		return 0;
	got = malloc(sl->len);
	if (!got)
		return eng_fail(e, "out of memory");
	eng_copy(e, sl, got, false);
	if (memcmp(got, e->shadow + woff, sl->len)) {
		uint32_t i;

		uint8_t g;

		for (i = 0; i < sl->len && got[i] == e->shadow[woff + i]; i++)
			;
		g = got[i];
		free(got);
		return eng_fail(e, "read of %u bytes at %llu (%u buffers%s): byte %u is %#x, wrote %#x",
				sl->len, (unsigned long long)sl->off,
				r->ndata, r->flags & VU_CHAIN_INDIRECT ?
				", indirect" : "", i, g, e->shadow[woff + i]);
	}
	free(got);
	return 0;
}

/* Reap one completion from any queue, within the timeout. */
static inline int eng_reap(struct eng *e)
{
	struct vu_front *f = &e->d->f;
	long long deadline = vu_now_ms() + e->d->env.timeout_ms;
	struct vu_blk_req *r;
	unsigned int i;
	int ret;

	for (;;) {
		struct pollfd pfd[VU_MAX_QUEUES];

		for (i = 0; i < f->nqueues; i++) {
			if (!f->queues[i]->inflight)
				continue;
			ret = vu_blk_reap(f->queues[i], 0, &r);
			if (ret < 0)
				return eng_fail(e, "%s", f->err);
			if (ret)
				return eng_complete(e, (struct eng_slot *)r);
		}
		if (vu_now_ms() > deadline)
			break;
		for (i = 0; i < f->nqueues; i++)
			pfd[i] = (struct pollfd){ .fd = f->queues[i]->call_fd,
						  .events = POLLIN };
		if (poll(pfd, f->nqueues, 10) > 0)
			for (i = 0; i < f->nqueues; i++)
				if (pfd[i].revents)
					vu_vq_drain_calls(f->queues[i]);
	}
	for (i = 0; i < f->nqueues; i++)
		if (f->queues[i]->inflight)
			return eng_fail(e, "queue %u: %u requests in flight, none completed in %d ms",
					i, f->queues[i]->inflight,
					e->d->env.timeout_ms);
	return eng_fail(e, "nothing in flight to reap");
}

static inline unsigned int eng_inflight(struct eng *e)
{
	unsigned int i, n = 0;

	for (i = 0; i < e->d->f.nqueues; i++)
		n += e->d->f.queues[i]->inflight;
	return n;
}

static inline int eng_kick_all(struct eng *e)
{
	unsigned int i;

	for (i = 0; i < e->d->f.nqueues; i++)
		if (vu_vq_kick(e->d->f.queues[i]) < 0)
			return eng_fail(e, "%s", e->d->f.err);
	return 0;
}

static inline int eng_drain(struct eng *e)
{
	if (eng_kick_all(e))
		return -1;
	while (eng_inflight(e))
		if (eng_reap(e))
			return -1;
	return 0;
}

/*
 * Start a request in slot @s: @len bytes at @off within its window. A
 * full ring: kick and reap until there is room.
 */
static inline int eng_start(struct eng *e, unsigned int s, bool write,
			    uint32_t len, uint64_t off)
{
	struct eng_slot *sl = &e->slots[s];
	struct vu_queue *q = eng_queue(e, s);
	uint8_t *sh = e->shadow + (off - e->disk_off);
	int ret;

	sl->write = write;
	sl->len = len;
	sl->off = off;
	sl->busy = true;
	sl->req.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	sl->req.ioprio = 0;
	sl->req.sector = off / 512;
	eng_layout(e, sl);
	e->q_reqs[q->index][write]++;
	e->q_bytes[q->index][write] += len;
	if (write) {
		eng_pattern(e, sh, len);
		eng_copy(e, sl, sh, true);
		e->writes++;
	} else {
		/* Poison: a read that writes nothing shows. */
		uint8_t *junk = malloc(len);

		if (!junk)
			return eng_fail(e, "out of memory");
		memset(junk, 0xa5, len);
		eng_copy(e, sl, junk, true);
		free(junk);
		e->reads++;
	}
	for (;;) {
		ret = vu_blk_submit(q, &sl->req);
		if (ret != -ENOSPC)
			break;
		if (vu_vq_kick(q) < 0 || !q->inflight)
			return eng_fail(e, "queue %u: no room with nothing in flight (%u buffers)",
					q->index, sl->req.ndata);
		if (eng_reap(e))
			return -1;
	}
	if (ret)
		return eng_fail(e, "submit: %s", e->d->f.err);
	return 0;
}

/* A free slot, reaping until one is. */
static inline int eng_free_slot(struct eng *e, unsigned int hint)
{
	unsigned int i;

	for (;;) {
		for (i = 0; i < e->nslots; i++) {
			unsigned int s = (hint + i) % e->nslots;

			if (!e->slots[s].busy)
				return s;
		}
		if (eng_kick_all(e) || eng_reap(e))
			return -1;
	}
}

static inline int eng_wait_slot(struct eng *e, unsigned int s)
{
	while (e->slots[s].busy)
		if (eng_kick_all(e) || eng_reap(e))
			return -1;
	return 0;
}

/* Write (or read and compare) every window whole. */
static inline int eng_whole(struct eng *e, bool write)
{
	unsigned int s;

	for (s = 0; s < e->nslots; s++) {
		if (eng_wait_slot(e, s) ||
		    eng_start(e, s, write, e->maxlen,
			      e->disk_off + (uint64_t)s * e->maxlen))
			return -1;
		if ((s + 1) % e->d->f.nqueues == 0 && eng_kick_all(e))
			return -1;
	}
	return eng_drain(e);
}

/* Write every window whole: the shadow is then the disk. */
static inline int eng_fill(struct eng *e)
{
	return eng_whole(e, true);
}

/* Read every window whole and compare. */
static inline int eng_verify(struct eng *e)
{
	return eng_drain(e) ?: eng_whole(e, false);
}

/*
 * @nops requests of sizes from @sizes (bytes, multiples of the block size,
 * at most maxlen), a @write_pct share of them writes, at random places of
 * their slot's window, as many in flight as there are slots.
 */
static inline int eng_random(struct eng *e, unsigned int nops,
			     const uint32_t *sizes, unsigned int nsizes,
			     unsigned int write_pct)
{
	struct vu_dev *d = e->d;
	unsigned int i, batch = 0;
	int s = 0;

	for (i = 0; i < nops; i++) {
		uint32_t len = sizes[vu_rand(d) % nsizes];
		uint64_t blocks, off;
		bool write = vu_rand(d) % 100 < write_pct;

		if (len > e->maxlen)
			len = e->maxlen;
		s = eng_free_slot(e, s + 1);
		if (s < 0)
			return -1;
		blocks = (e->maxlen - len) / d->blk + 1;
		off = e->disk_off + (uint64_t)s * e->maxlen +
		      (vu_rand(d) % blocks) * d->blk;
		if (eng_start(e, s, write, len, off))
			return -1;
		/* Kick in batches of a few, as a guest under load does. */
		if (++batch >= 1 + vu_rand(d) % 8) {
			batch = 0;
			if (eng_kick_all(e))
				return -1;
		}
	}
	return eng_drain(e);
}

#define ENG_OK(expr) do {						\
	int __r = (expr);						\
	ASSERT_EQ(0, __r) TH_LOG("%s: %s", #expr, e.err);		\
} while (0)

#endif /* _VU_CASE_H */
