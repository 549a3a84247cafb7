// SPDX-License-Identifier: GPL-2.0
/*
 * vdev-perf: the queue threads. Each drives one queue as a polling guest
 * driver does: it fills the ring up to the queue depth, kicks when the
 * device asks for kicks, and polls the used ring (or sleeps on the call
 * eventfd with --notify); every completion is timed into the thread's own
 * histogram and its slot reused at once. Threads share nothing they
 * write but the verify bitmap, which they only set bits in.
 *
 * --verify: every 512-byte sector written carries a header (the pattern's
 * seed and its own LBA) and words derived from both. The fill phase
 * writes the old pattern over the whole range; the run writes the new one
 * and marks each block it wrote; reads check each sector is the old or
 * the new pattern of that LBA (the new one only, if the block was marked
 * before the read started); the check phase reads the range back and
 * wants the new pattern exactly where the run wrote.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vdev-perf.h"

#define PERF_WORDS		(PERF_SECTOR / 8)
#define PERF_SLEEP_MS		100

static bool perf_stopped(const struct perf_job *j)
{
	return __atomic_load_n(&j->stop, __ATOMIC_RELAXED);
}

static bool perf_aborted(const struct perf_job *j)
{
	return __atomic_load_n(&j->abort, __ATOMIC_RELAXED);
}

/* A busy-wait's pause: the sibling hyperthread runs meanwhile. */
static void perf_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static void perf_fail(struct perf_thread *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Keep the thread's first error. */
static void perf_fail(struct perf_thread *t, const char *fmt, ...)
{
	va_list ap;

	if (t->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(t->err, sizeof(t->err), fmt, ap);
	va_end(ap);
}

/* xorshift64*: the thread's own generator, no shared state. */
static uint64_t perf_rand(struct perf_thread *t)
{
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, n) without a division. */
static uint64_t perf_rand_below(struct perf_thread *t, uint64_t n)
{
	return (uint64_t)(((__uint128_t)perf_rand(t) * n) >> 64);
}

/* --- the pattern ---------------------------------------------------------- */

static uint64_t perf_word(uint64_t seed, uint64_t lba, unsigned int w)
{
	uint64_t v = (seed + lba * 0x9E3779B97F4A7C15ULL + w) *
		     0xBF58476D1CE4E5B9ULL;

	return v ^ (v >> 31);
}

static void perf_sector_fill(uint64_t *p, uint64_t seed, uint64_t lba)
{
	unsigned int w;

	p[0] = seed;
	p[1] = lba;
	for (w = 2; w < PERF_WORDS; w++)
		p[w] = perf_word(seed, lba, w);
}

static bool perf_sector_is(const uint64_t *p, uint64_t seed, uint64_t lba)
{
	unsigned int w;

	if (p[0] != seed || p[1] != lba)
		return false;
	for (w = 2; w < PERF_WORDS; w++)
		if (p[w] != perf_word(seed, lba, w))
			return false;
	return true;
}

static void perf_pattern_fill(struct perf_thread *t, struct perf_req *r)
{
	const struct perf_job *j = t->job;
	uint64_t seed = j->phase == PERF_PHASE_FILL ? j->seed_old : j->seed_new;
	uint64_t lba = r->block * j->o->bs / PERF_SECTOR;
	unsigned int s;

	for (s = 0; s < j->o->bs / PERF_SECTOR; s++)
		perf_sector_fill((uint64_t *)(r->buf + s * PERF_SECTOR), seed,
				 lba + s);
}

static bool perf_block_written(const struct perf_job *j, uint64_t block)
{
	uint64_t b = block - j->first;

	return __atomic_load_n(&j->written[b / 64], __ATOMIC_RELAXED) &
	       (1ULL << (b % 64));
}

static void perf_block_mark(struct perf_job *j, uint64_t block)
{
	uint64_t b = block - j->first;

	__atomic_fetch_or(&j->written[b / 64], 1ULL << (b % 64),
			  __ATOMIC_RELAXED);
}

/* Compare a read's data with what may be there; count the bad sectors. */
static void perf_pattern_check(struct perf_thread *t, struct perf_req *r)
{
	const struct perf_job *j = t->job;
	uint64_t lba = r->block * j->o->bs / PERF_SECTOR, bad = 0;
	bool old_ok = !r->want_new, new_ok = j->phase == PERF_PHASE_RUN;
	const uint64_t *p, *first = NULL;
	unsigned int s;

	if (j->phase == PERF_PHASE_CHECK)
		new_ok = r->want_new;
	for (s = 0; s < j->o->bs / PERF_SECTOR; s++) {
		p = (const uint64_t *)(r->buf + s * PERF_SECTOR);
		if ((old_ok && perf_sector_is(p, j->seed_old, lba + s)) ||
		    (new_ok && perf_sector_is(p, j->seed_new, lba + s)))
			continue;
		if (!bad++)
			first = p;
	}
	t->st.verified += j->o->bs / PERF_SECTOR;
	t->st.mismatches += bad;
	/* The header says whose sector it is, if anyone's. */
	if (bad)
		perf_fail(t, "verify: block %llu (LBA %llu): %llu of %u sectors wrong; the first has seed %#llx LBA %llu",
			  (unsigned long long)r->block, (unsigned long long)lba,
			  (unsigned long long)bad, j->o->bs / PERF_SECTOR,
			  (unsigned long long)first[0],
			  (unsigned long long)first[1]);
}

/* --- submission ----------------------------------------------------------- */

/* Which block, and read or write, the next request of the phase does. */
static void perf_pick(struct perf_thread *t, struct perf_req *r)
{
	const struct perf_job *j = t->job;
	const struct perf_opts *o = j->o;
	bool seq = j->phase != PERF_PHASE_RUN || o->rw == PERF_RW_READ ||
		   o->rw == PERF_RW_WRITE;

	if (seq) {
		r->block = t->first + t->cursor;
		if (++t->cursor == t->nblocks)
			t->cursor = 0;
	} else {
		r->block = j->first + perf_rand_below(t, j->nblocks);
	}
	switch (j->phase) {
	case PERF_PHASE_FILL:
		r->write = true;
		break;
	case PERF_PHASE_CHECK:
		r->write = false;
		break;
	default:
		r->write = o->rw == PERF_RW_WRITE || o->rw == PERF_RW_RANDWRITE ||
			   (o->rw == PERF_RW_RANDRW &&
			    perf_rand_below(t, 100) >= o->rwmix_read);
	}
}

static void perf_prepare(struct perf_thread *t, struct perf_req *r)
{
	const struct perf_job *j = t->job;

	perf_pick(t, r);
	if (!j->o->verify)
		return;
	if (r->write)
		perf_pattern_fill(t, r);
	else
		r->want_new = j->phase != PERF_PHASE_FILL &&
			      perf_block_written(j, r->block);
}

static bool perf_more(struct perf_thread *t)
{
	return t->issued < t->quota && !perf_stopped(t->job);
}

/* Fill the free slots, then kick once for the batch if the device asks. */
static int perf_submit(struct perf_thread *t)
{
	uint64_t now = 0;
	unsigned int n = 0;
	int ret;

	while (t->nfree && perf_more(t)) {
		struct perf_req *r = t->free[t->nfree - 1];

		perf_prepare(t, r);
		if (!n++)
			now = perf_now_ns();
		r->start_ns = now;
		ret = t->job->ops->submit(t, r);
		if (ret) {
			perf_fail(t, "queue %u: submit: %s", t->index,
				  ret == -ENOSPC ? "the ring is full" :
				  t->job->ops->err(t->job));
			return ret;
		}
		t->nfree--;
		t->issued++;
	}
	if (!n)
		return 0;
	ret = t->job->ops->kick(t);
	if (ret < 0)
		perf_fail(t, "queue %u: kick: %s", t->index,
			  t->job->ops->err(t->job));
	return ret < 0 ? ret : 0;
}

/* --- completion ----------------------------------------------------------- */

static void perf_complete(struct perf_thread *t, struct perf_req *r,
			  uint64_t now)
{
	struct perf_job *j = t->job;
	enum perf_result_kind res = j->ops->result(j, r);
	char why[160];

	perf_hist_add(&t->lat[r->write], now - r->start_ns);
	if (res == PERF_REQ_ERROR) {
		t->st.errors++;
		if (!t->err[0]) {
			j->ops->describe(r, why, sizeof(why));
			perf_fail(t, "queue %u: %s of block %llu: %s", t->index,
				  r->write ? "write" : "read",
				  (unsigned long long)r->block, why);
		}
	} else {
		t->st.ios[r->write]++;
		t->st.bytes[r->write] += j->o->bs;
		/* A Linux guest does not look at it: count, do not fail. */
		if (res == PERF_REQ_BAD_LEN)
			t->st.bad_len++;
		if (j->o->verify && r->write && j->phase == PERF_PHASE_RUN)
			perf_block_mark(j, r->block);
		else if (j->o->verify && !r->write)
			perf_pattern_check(t, r);
	}
	t->free[t->nfree++] = r;
	__atomic_store_n(&t->done, t->done + 1, __ATOMIC_RELAXED);
}

/* Take every completion there is now; how many, or an error. */
static int perf_reap(struct perf_thread *t)
{
	int (*poll)(struct perf_thread *t, struct perf_req **r) = t->job->ops->poll;
	struct perf_req *r;
	uint64_t now = 0;
	int n = 0, ret;

	while ((ret = poll(t, &r)) > 0) {
		/* One clock read for what one look at the ring found. */
		if (!n++)
			now = perf_now_ns();
		perf_complete(t, r, now);
	}
	if (ret < 0) {
		perf_fail(t, "queue %u: %s", t->index, t->job->ops->err(t->job));
		return ret;
	}
	return n;
}

static int perf_wait(struct perf_thread *t)
{
	int ret;

	if (!t->job->o->notify) {
		perf_relax();
		return 0;
	}
	ret = t->job->ops->sleep(t, PERF_SLEEP_MS);
	if (ret < 0)
		perf_fail(t, "queue %u: %s", t->index, t->job->ops->err(t->job));
	return ret < 0 ? ret : 0;
}

/*
 * Until the quota is issued or the run stopped, and everything in flight
 * completed; an abort (the main thread saw no progress) leaves at once.
 */
static int perf_loop(struct perf_thread *t)
{
	int ret;

	for (;;) {
		ret = perf_submit(t);
		if (ret)
			return ret;
		if (!t->job->ops->inflight(t) && !perf_more(t))
			return 0;
		if (perf_aborted(t->job)) {
			perf_fail(t, "queue %u: %u requests in flight, none completed for a long time",
				  t->index, t->job->ops->inflight(t));
			return -ETIMEDOUT;
		}
		ret = perf_reap(t);
		if (!ret)
			ret = perf_wait(t);
		if (ret < 0)
			return ret;
	}
}

static void *perf_thread_main(void *arg)
{
	struct perf_thread *t = arg;

	t->ret = perf_loop(t);
	t->job->ops->end(t);
	/* One thread's failure ends the phase for all. */
	if (t->ret)
		__atomic_store_n(&t->job->stop, 1, __ATOMIC_RELAXED);
	sem_post(&t->job->done);
	return NULL;
}

/* --- virtqueues (virtio-blk, virtio-scsi) ------------------------------- */

uint8_t *perf_vq_buf_alloc(struct perf_job *j, uint32_t len, uint64_t *gpa)
{
	*gpa = vu_alloc(&j->f, 0, len, 4096);
	return *gpa ? vu_gpa(&j->f, *gpa, len) : NULL;
}

int perf_vq_kick(struct perf_thread *t)
{
	return vu_vq_kick(t->q);
}

int perf_vq_sleep(struct perf_thread *t, int ms)
{
	return vu_vq_sleep(t->q, ms);
}

unsigned int perf_vq_inflight(const struct perf_thread *t)
{
	return t->q->inflight;
}

void perf_vq_reset(struct perf_thread *t)
{
	/* A polling driver: the device need not signal us. */
	t->q->manual_events = true;
	vu_vq_mute_calls(t->q);
	vu_vq_drain_calls(t->q);
	t->kicks0 = t->q->kicks;
	t->calls0 = t->q->calls;
}

void perf_vq_end(struct perf_thread *t)
{
	/* Calls while muted show a device that ignores the suppression. */
	vu_vq_drain_calls(t->q);
	t->st.kicks = t->q->kicks - t->kicks0;
	t->st.calls = t->q->calls - t->calls0;
}

const char *perf_vq_err(const struct perf_job *j)
{
	return j->f.err;
}

/* --- phases --------------------------------------------------------------- */

/* Thread @t's share of the range for the sequential phases, and quota. */
static void perf_share(struct perf_job *j, struct perf_thread *t)
{
	const struct perf_opts *o = j->o;
	uint64_t n = o->queues;

	t->first = j->first + j->nblocks * t->index / n;
	t->nblocks = j->first + j->nblocks * (t->index + 1) / n - t->first;
	t->cursor = 0;
	t->issued = 0;
	if (j->phase != PERF_PHASE_RUN)
		t->quota = t->nblocks;
	else if (o->ios)
		t->quota = o->ios / n + (t->index < o->ios % n);
	else
		t->quota = UINT64_MAX;
}

static void perf_thread_reset(struct perf_job *j, struct perf_thread *t)
{
	unsigned int i;

	perf_share(j, t);
	t->rng = (j->o->seed + 1) * 0x9E3779B97F4A7C15ULL * (t->index + 1) ?: 1;
	t->ret = 0;
	t->err[0] = '\0';
	memset(&t->st, 0, sizeof(t->st));
	perf_hist_init(&t->lat[0]);
	perf_hist_init(&t->lat[1]);
	t->done = 0;
	for (i = 0; i < j->o->iodepth; i++)
		t->free[i] = &t->reqs[i];
	t->nfree = j->o->iodepth;
	j->ops->reset(t);
}

/*
 * The queue threads block SIGINT and SIGTERM: they go to the main thread,
 * whose wait they interrupt (main.c), and never cut a thread's own wait.
 */
int perf_threads_start(struct perf_job *j, enum perf_phase phase)
{
	sigset_t block, old;
	unsigned int i;
	int ret = 0;

	j->phase = phase;
	__atomic_store_n(&j->stop, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&j->abort, 0, __ATOMIC_RELAXED);
	for (i = 0; i < j->o->queues; i++)
		perf_thread_reset(j, &j->threads[i]);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (i = 0; i < j->o->queues; i++) {
		ret = pthread_create(&j->threads[i].tid, NULL, perf_thread_main,
				     &j->threads[i]);
		if (ret) {
			fprintf(stderr, "vdev-perf: pthread_create: %s\n",
				strerror(ret));
			__atomic_store_n(&j->stop, 1, __ATOMIC_RELAXED);
			while (i--)
				pthread_join(j->threads[i].tid, NULL);
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -ret;
}

int perf_threads_join(struct perf_job *j)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < j->o->queues; i++) {
		pthread_join(j->threads[i].tid, NULL);
		if (!ret)
			ret = j->threads[i].ret;
	}
	return ret;
}

uint64_t perf_threads_done(const struct perf_job *j)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < j->o->queues; i++)
		n += __atomic_load_n(&j->threads[i].done, __ATOMIC_RELAXED);
	return n;
}
