// SPDX-License-Identifier: GPL-2.0
/*
 * vu_migrate: what live migration asks of a vhost-user back end, from the
 * front end's side, as QEMU does it:
 *
 * - the dirty log: SET_LOG_BASE (and its refusals), LOG_ALL in the
 *   features and VHOST_VRING_F_LOG on the rings; the log compared bit for
 *   bit with the pages the back end wrote (data read into the guest,
 *   status bytes, GET_ID, used rings or packed descriptors, the device's
 *   event area) and nothing else (data it only read, headers, avail rings,
 *   descriptor and indirect tables); off again, and replaced by a second
 *   log while running;
 * - a ring handed over: GET_VRING_BASE on one session with requests in
 *   flight replies once they are in the used ring, and another session
 *   (a second controller on the same disk, or the same one reconnected)
 *   goes on from SET_VRING_BASE with that value, the used index and wrap
 *   counters continuing exactly, every block as written.
 *
 * Run by selftests/test_vu_06.sh; environment as in vu_case.h, and:
 *
 *   VU_SOCK_B          the handover's destination: a second controller on
 *                      VU_SOCK's disk (ns add --shared); unset: VU_SOCK
 *                      again after the first session hung up
 *   VU_SCSI_SOCK       a virtio-scsi controller with LUN 0:0, 1 request
 *                      queue (dirty_log_scsi)
 *   VU_STOP_DELAY_MS   wait this long after a kick before stopping, so a
 *                      slow disk has the requests in flight (default 0)
 *   VU_EXPECT_INFLIGHT 1: the disk is slow, the stop must find requests in
 *                      flight (a case that finds none fails: vacuous)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"

#include "vu_case.h"

#define CASE_TIMEOUT	240
#define HANGUP_MS	10000
#define PAGE		VU_LOG_PAGE
/* The back end's bound on a log (SET_LOG_BASE's mmap_size). */
#define LOG_MAX		(256 * MIB)

/* Packed: what we write into the device's event area to see it change. */
#define EVENT_POISON	0x0003fff0U	/* flags 3 (reserved), off_wrap 0xfff0 */

/* ========================================================================
 * Pages: the expected set, and names for messages
 * ========================================================================
 */

struct pset {
	uint64_t npages;
	uint8_t *in;
};

static int pset_init(struct pset *s, uint64_t npages)
{
	s->npages = npages;
	s->in = calloc(npages ? npages : 1, 1);
	return s->in ? 0 : -ENOMEM;
}

static void pset_free(struct pset *s)
{
	free(s->in);
	s->in = NULL;
}

static void pset_clear(struct pset *s)
{
	memset(s->in, 0, s->npages);
}

/* Every page [@gpa, @gpa + @len) touches. */
static void pset_add(struct pset *s, uint64_t gpa, uint64_t len)
{
	uint64_t p;

	if (!len)
		return;
	for (p = gpa / PAGE; p <= (gpa + len - 1) / PAGE; p++)
		if (p < s->npages)
			s->in[p] = 1;
}

static uint64_t pset_count(const struct pset *s)
{
	uint64_t p, n = 0;

	for (p = 0; p < s->npages; p++)
		n += s->in[p];
	return n;
}

static bool pset_has(const struct pset *s, uint64_t page)
{
	return page < s->npages && s->in[page];
}

#define MAX_AREAS	96

struct area {
	uint64_t gpa, len;
	char name[40];
};

struct mig {
	struct vu_front *f;
	uint64_t npages;		/* pages the log covers */
	struct area areas[MAX_AREAS];
	unsigned int nareas;
};

static void area_add(struct mig *m, uint64_t gpa, uint64_t len,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void area_add(struct mig *m, uint64_t gpa, uint64_t len,
		     const char *fmt, ...)
{
	struct area *a;
	va_list ap;

	if (m->nareas == MAX_AREAS)
		return;
	a = &m->areas[m->nareas++];
	a->gpa = gpa;
	a->len = len;
	va_start(ap, fmt);
	vsnprintf(a->name, sizeof(a->name), fmt, ap);
	va_end(ap);
}

/* The rings' areas, as vu_ring.c lays them out. */
static void area_add_queues(struct mig *m)
{
	struct vu_front *f = m->f;
	unsigned int i;

	for (i = 0; i < f->nqueues; i++) {
		struct vu_queue *q = f->queues[i];
		uint64_t n = q->num;

		area_add(m, q->desc_gpa, n * 16, "q%u descriptors", i);
		if (q->packed) {
			area_add(m, q->avail_gpa, 4, "q%u driver event area", i);
			area_add(m, q->used_gpa, 4, "q%u device event area", i);
		} else {
			area_add(m, q->avail_gpa, 6 + 2 * n, "q%u avail ring", i);
			area_add(m, q->used_gpa, 6 + 8 * n, "q%u used ring", i);
		}
		area_add(m, q->ind_gpa, n * VU_IND_MAX * 16, "q%u indirect tables", i);
		area_add(m, q->cmd_gpa, n * 64, "q%u headers+status", i);
	}
}

static int mig_init(struct mig *m, struct vu_front *f)
{
	memset(m, 0, sizeof(*m));
	m->f = f;
	m->npages = vu_log_size(f) * 8;
	area_add_queues(m);
	return 0;
}

/* "gpa 0x...: q0 used ring, q1 B (read data)" */
static void page_name(const struct mig *m, uint64_t page, char *buf,
		      size_t len)
{
	uint64_t lo = page * PAGE, hi = lo + PAGE;
	unsigned int i;
	int n;

	n = snprintf(buf, len, "page %llu (gpa %#llx):",
		     (unsigned long long)page, (unsigned long long)lo);
	for (i = 0; i < m->nareas && n < (int)len; i++) {
		const struct area *a = &m->areas[i];

		if (a->gpa < hi && a->gpa + a->len > lo)
			n += snprintf(buf + n, len - n, " %s", a->name);
	}
	if (n < (int)len && buf[n - 1] == ':')
		snprintf(buf + n, len - n, " nothing of ours");
}

/*
 * Compare log @l with @want, bit for bit over the whole log. Prints each
 * difference (the first 24) with what lives in that page, and a summary
 * into @sum. Returns the number of differences.
 */
static unsigned int log_compare(const struct mig *m, const struct vu_log *l,
				const struct pset *want, const char *what,
				char *sum, size_t sumlen)
{
	uint64_t page, bits = l->size * 8, set = 0;
	unsigned int missing = 0, extra = 0;
	char name[256];

	for (page = 0; page < bits; page++) {
		bool got = vu_log_test(l, page), w = want && pset_has(want, page);

		set += got;
		if (got == w)
			continue;
		if (got)
			extra++;
		else
			missing++;
		if (missing + extra <= 24) {
			page_name(m, page, name, sizeof(name));
			fprintf(stderr, "#   %s: %s: bit %s, want %s\n", what,
				name, got ? "set" : "clear", w ? "set" : "clear");
		}
	}
	snprintf(sum, sumlen, "%s: %llu pages expected, %llu bits set, %u missing, %u unexpected",
		 what, (unsigned long long)(want ? pset_count(want) : 0),
		 (unsigned long long)set, missing, extra);
	return missing + extra;
}

#define LOG_IS(m, l, want, what) do {					\
	char __sum[256];						\
	unsigned int __d = log_compare(m, l, want, what, __sum,		\
				       sizeof(__sum));			\
	TH_LOG("%s", __sum);						\
	ASSERT_EQ(0, __d) TH_LOG("the log differs from the pages written (above)"); \
} while (0)

/* ========================================================================
 * virtio-blk I/O whose every written page is known
 * ========================================================================
 */

#define WIN_BYTES	(32 * 1024)	/* disk per queue: its window */
#define NWRITES		2
#define B_PAGES		72		/* read data: pages, 64-page aligned */
#define GETID_OFF	(PAGE - 10)	/* GET_ID's 20 bytes across two pages */

/*
 * Reads into the read block B (offsets into it). Page 6 stays untouched
 * between pages 5 and 7 of one chain; the last crosses from page 63 to
 * 64, which are bits of two different u64s of the log.
 */
static const struct rd_layout {
	unsigned int n;
	struct { uint32_t off, len; } buf[2];
} rd_layouts[] = {
	{ 1, { { 0, 4096 } } },
	{ 1, { { 4096 + 512, 8192 } } },
	{ 2, { { 5 * 4096 + 3584, 512 }, { 7 * 4096, 512 } } },
	{ 1, { { 62 * 4096 + 1024, 8192 } } },
};
#define NREADS		ARRAY_SIZE(rd_layouts)

struct qio {
	uint64_t a;			/* write data: WIN_BYTES, region 0 */
	uint64_t b;			/* read data: B_PAGES pages */
	uint64_t g;			/* GET_ID: 2 pages */
	uint8_t shadow[WIN_BYTES];	/* what the window holds */
	struct vu_blk_req w[NWRITES], r[NREADS], id;
};

struct blk {
	struct mig m;
	struct vu_dev *d;
	struct qio *q;			/* per queue */
	uint64_t disk_off;
	unsigned int reads_checked;
	char err[512];
};

static int blk_fail(struct blk *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int blk_fail(struct blk *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, sizeof(b->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int blk_init(struct blk *b, struct vu_dev *d)
{
	struct vu_front *f = &d->f;
	unsigned int i;

	memset(b, 0, sizeof(*b));
	b->d = d;
	mig_init(&b->m, f);
	b->q = calloc(f->nqueues, sizeof(*b->q));
	if (!b->q)
		return blk_fail(b, "out of memory");
	if ((uint64_t)f->nqueues * WIN_BYTES / 512 > d->capacity)
		return blk_fail(b, "the disk is smaller than %u windows", f->nqueues);
	for (i = 0; i < f->nqueues; i++) {
		struct qio *io = &b->q[i];
		unsigned int reg = i % f->nregions;

		io->a = vu_alloc(f, 0, WIN_BYTES, PAGE);
		io->b = vu_alloc(f, reg, B_PAGES * PAGE, 64 * PAGE);
		io->g = vu_alloc(f, reg, 2 * PAGE, PAGE);
		if (!io->a || !io->b || !io->g)
			return blk_fail(b, "guest memory full");
		area_add(&b->m, io->a, WIN_BYTES, "q%u A (write data)", i);
		area_add(&b->m, io->b, B_PAGES * PAGE, "q%u B (read data)", i);
		area_add(&b->m, io->g, 2 * PAGE, "q%u GET_ID", i);
		/* The used ring in one page: its bits are that page's. */
		if (!f->queues[i]->packed &&
		    f->queues[i]->used_gpa / PAGE !=
		    (f->queues[i]->used_gpa + 6 + 8 * f->queues[i]->num - 1) / PAGE)
			return blk_fail(b, "q%u: the used ring spans pages (VU_NUM <= 256)", i);
	}
	return 0;
}

static void blk_free(struct blk *b)
{
	free(b->q);
	b->q = NULL;
}

/*
 * Packed: poison the device's event area and wait until it stays so (the
 * poller settled). Afterwards it changes only if the device writes it,
 * and then the write must be in the log.
 */
static int poison_device_events(struct blk *b)
{
	struct vu_front *f = &b->d->f;
	unsigned int i, tries;

	for (i = 0; i < f->nqueues; i++) {
		struct vu_queue *q = f->queues[i];
		uint32_t *ev = (uint32_t *)q->used_map;

		if (!q->packed)
			continue;
		for (tries = 0; tries < 20; tries++) {
			__atomic_store_n(ev, EVENT_POISON, __ATOMIC_SEQ_CST);
			vu_sleep_ms(50);
			if (__atomic_load_n(ev, __ATOMIC_SEQ_CST) == EVENT_POISON)
				break;
		}
		if (tries == 20)
			return blk_fail(b, "q%u: the device keeps writing its event area while idle", i);
	}
	return 0;
}

/* The device event areas that changed since poison_device_events(). */
static void want_device_events(struct blk *b, struct pset *want)
{
	struct vu_front *f = &b->d->f;
	unsigned int i;

	for (i = 0; i < f->nqueues; i++) {
		struct vu_queue *q = f->queues[i];

		if (q->packed && q->log &&
		    __atomic_load_n((uint32_t *)q->used_map, __ATOMIC_SEQ_CST) !=
		    EVENT_POISON)
			pset_add(want, q->log_gpa, 4);
	}
}

/* The pages a request's used entry wrote, at @pos (split: used index). */
static void want_ring(struct vu_queue *q, uint16_t pos, struct pset *want)
{
	if (!q->log)
		return;
	if (q->packed) {
		pset_add(want, q->desc_gpa + 16ULL * pos, 16);
		return;
	}
	pset_add(want, q->log_gpa + 4 + 8ULL * (pos % q->num), 8);
	pset_add(want, q->log_gpa, 4);	/* flags, idx */
}

/* The pages the device writes for @r besides the ring. */
static void want_req(const struct vu_blk_req *r, struct pset *want)
{
	unsigned int k;

	pset_add(want, r->status_gpa, 1);
	if (r->type != VIRTIO_BLK_T_IN && r->type != VIRTIO_BLK_T_GET_ID)
		return;
	for (k = 0; k < r->ndata; k++)
		pset_add(want, r->data[k].gpa, r->data[k].len);
}

/*
 * Reap what queue @q has used (waiting up to the timeout for @wait of
 * them, none if 0): status OK, reads against the shadow, the pages into
 * @want. With @live, the log must hold a request's pages by the time its
 * used entry shows.
 */
static int reap_q(struct blk *b, unsigned int qi, unsigned int wait,
		  struct pset *want, const struct vu_log *live)
{
	struct vu_queue *q = b->d->f.queues[qi];
	struct qio *io = &b->q[qi];
	struct pset mine;
	struct vu_blk_req *r;
	unsigned int got = 0;
	uint16_t pos;
	uint64_t p;
	int ret;

	for (;;) {
		pos = q->packed ? q->next_used : q->last_used;
		ret = got < wait ? vu_blk_reap(q, b->d->env.timeout_ms, &r) :
				   vu_blk_poll(q, &r);
		if (ret < 0)
			return blk_fail(b, "q%u: %s", qi, b->d->f.err);
		if (!ret && got < wait)
			return blk_fail(b, "q%u: %u of %u requests completed within %d ms",
					qi, got, wait, b->d->env.timeout_ms);
		if (!ret)
			return 0;
		got++;
		if (r->status != VIRTIO_BLK_S_OK)
			return blk_fail(b, "q%u: type %u sector %llu: status %u (%s)",
					qi, r->type, (unsigned long long)r->sector,
					r->status, vu_blk_status_name(r->status));
		if (live) {
			/* Data and status logged before the used entry. */
			if (pset_init(&mine, b->m.npages))
				return blk_fail(b, "out of memory");
			want_req(r, &mine);
			for (p = 0; p < mine.npages; p++)
				if (mine.in[p] && !vu_log_test(live, p)) {
					pset_free(&mine);
					return blk_fail(b, "q%u: type %u: used entry seen, page %llu it wrote not yet in the log",
							qi, r->type, (unsigned long long)p);
				}
			pset_free(&mine);
		}
		if (want) {
			want_req(r, want);
			want_ring(q, pos, want);
		}
		if (r->type == VIRTIO_BLK_T_IN) {
			uint8_t buf[16384];
			uint64_t off = r->sector * 512 - b->disk_off - qi * WIN_BYTES;
			uint32_t n = 0;
			unsigned int k;

			for (k = 0; k < r->ndata; k++) {
				vu_mem_read(&b->d->f, r->data[k].gpa, buf + n,
					    r->data[k].len);
				n += r->data[k].len;
			}
			if (memcmp(buf, io->shadow + off, n))
				return blk_fail(b, "q%u: read of %u bytes at %llu: not what was written",
						qi, n, (unsigned long long)off);
			b->reads_checked++;
		}
		if (r->type == VIRTIO_BLK_T_GET_ID) {
			uint8_t id[20];
			unsigned int k, n = 0;

			vu_mem_read(&b->d->f, io->g + GETID_OFF, id, sizeof(id));
			for (k = 0; k < sizeof(id); k++)
				n += id[k] == 0xa5;
			if (n == sizeof(id))
				return blk_fail(b, "q%u: GET_ID wrote nothing", qi);
		}
	}
}

static int reap_all(struct blk *b, struct pset *want, const struct vu_log *live)
{
	struct vu_front *f = &b->d->f;
	unsigned int i;

	for (i = 0; i < f->nqueues; i++)
		if (reap_q(b, i, f->queues[i]->inflight, want, live))
			return -1;
	return 0;
}

static int submit(struct blk *b, unsigned int qi, struct vu_blk_req *r)
{
	int ret = vu_blk_submit(b->d->f.queues[qi], r);

	if (ret)
		return blk_fail(b, "q%u: submit: %s", qi, b->d->f.err);
	return 0;
}

/* NWRITES writes of a new pattern from A over each queue's window. */
static int submit_writes(struct blk *b)
{
	struct vu_front *f = &b->d->f;
	uint32_t len = WIN_BYTES / NWRITES;
	unsigned int i, k;

	for (i = 0; i < f->nqueues; i++) {
		struct qio *io = &b->q[i];

		for (k = 0; k < WIN_BYTES; k++)
			io->shadow[k] = vu_rand(b->d);
		vu_mem_write(f, io->a, io->shadow, WIN_BYTES);
		for (k = 0; k < NWRITES; k++) {
			struct vu_blk_req *r = &io->w[k];

			memset(r, 0, sizeof(*r));
			r->type = VIRTIO_BLK_T_OUT;
			r->sector = (b->disk_off + i * WIN_BYTES + k * len) / 512;
			r->ndata = 1;
			r->data[0] = (struct vu_buf){ .gpa = io->a + k * len, .len = len };
			if (submit(b, i, r))
				return -1;
		}
		vu_vq_kick(f->queues[i]);
	}
	return 0;
}

/*
 * The reads of rd_layouts into B (poisoned first) and a GET_ID (unless
 * @no_id), on each queue; every other chain indirect when the ring can.
 */
static int submit_reads(struct blk *b, bool no_id)
{
	struct vu_front *f = &b->d->f;
	unsigned int i, k, j;
	uint8_t *poison;

	poison = malloc(B_PAGES * PAGE);
	if (!poison)
		return blk_fail(b, "out of memory");
	memset(poison, 0xa5, B_PAGES * PAGE);
	for (i = 0; i < f->nqueues; i++) {
		struct qio *io = &b->q[i];
		struct vu_queue *q = f->queues[i];
		uint64_t off = b->disk_off + i * WIN_BYTES;

		vu_mem_write(f, io->b, poison, B_PAGES * PAGE);
		vu_mem_write(f, io->g, poison, 2 * PAGE);
		for (k = 0; k < NREADS; k++) {
			const struct rd_layout *l = &rd_layouts[k];
			struct vu_blk_req *r = &io->r[k];

			memset(r, 0, sizeof(*r));
			r->type = VIRTIO_BLK_T_IN;
			r->sector = off / 512;
			r->ndata = l->n;
			for (j = 0; j < l->n; j++) {
				r->data[j] = (struct vu_buf){
					.gpa = io->b + l->buf[j].off,
					.len = l->buf[j].len };
				off += l->buf[j].len;
			}
			r->flags = q->indirect && (k & 1) ? VU_CHAIN_INDIRECT : 0;
			if (submit(b, i, r)) {
				free(poison);
				return -1;
			}
		}
		if (!no_id) {
			memset(&io->id, 0, sizeof(io->id));
			io->id.type = VIRTIO_BLK_T_GET_ID;
			io->id.ndata = 1;
			io->id.data[0] = (struct vu_buf){ .gpa = io->g + GETID_OFF,
							  .len = 20 };
			if (submit(b, i, &io->id)) {
				free(poison);
				return -1;
			}
		}
		vu_vq_kick(q);
	}
	free(poison);
	return 0;
}

/*
 * One round: writes from A, then reads into B and GET_ID, on every queue;
 * @want gets every page the device wrote (none if NULL). @log, if any, is
 * cleared first (after the packed event areas settled) and must hold each
 * request's pages by its completion when @live.
 */
static int blk_round(struct blk *b, struct pset *want, struct vu_log *log,
		     bool live)
{
	if (poison_device_events(b))
		return -1;
	if (log)
		vu_log_clear(log);
	if (want)
		pset_clear(want);
	b->reads_checked = 0;
	if (submit_writes(b) || reap_all(b, want, live ? log : NULL) ||
	    submit_reads(b, false) || reap_all(b, want, live ? log : NULL))
		return -1;
	if (want)
		want_device_events(b, want);
	if (b->reads_checked != NREADS * b->d->f.nqueues)
		return blk_fail(b, "%u reads checked, want %zu", b->reads_checked,
				NREADS * b->d->f.nqueues);
	return 0;
}

#define BLK_OK(expr) do {						\
	int __r = (expr);						\
	ASSERT_EQ(0, __r) TH_LOG("%s: %s", #expr, blk.err);		\
} while (0)

/* Every page of every B layout is in @want: the set is not vacuous. */
#define B_PAGES_WANTED(blk, want) do {					\
	unsigned int __i, __k, __j;					\
	for (__i = 0; __i < F->nqueues; __i++)				\
		for (__k = 0; __k < NREADS; __k++)			\
			for (__j = 0; __j < rd_layouts[__k].n; __j++) {	\
				uint64_t __g = (blk).q[__i].b +		\
					rd_layouts[__k].buf[__j].off;	\
				ASSERT_TRUE(pset_has(want, __g / PAGE)); \
			}						\
} while (0)

/* QEMU's migration start and end: LOG_ALL, then each ring's F_LOG. */
static int log_on(struct vu_dev *d, bool on)
{
	struct vu_front *f = &d->f;
	unsigned int i;
	int ret;

	ret = vu_set_features(f, d->features | (on ? VU_F(VU_F_LOG_ALL) : 0));
	for (i = 0; !ret && i < f->nqueues; i++) {
		struct vu_queue *q = f->queues[i];

		q->log = on;
		q->log_gpa = on ? q->used_gpa : 0;
		ret = vu_set_vring_addr(f, q);
	}
	return ret;
}

/* ========================================================================
 * Negotiation and SET_LOG_BASE
 * ========================================================================
 */

VU_DEV_FIXTURE();

#define D	(&self->d)
#define F	(&self->d.f)

/* The next SET_LOG_BASE is refused (NEED_REPLY): an errno, session alive. */
#define LOG_REFUSED(what, expr) do {					\
	F->last_ack = 0;						\
	ASSERT_EQ(-EREMOTEIO, (expr))					\
		TH_LOG("%s: want a refusal: %s", what, F->err);		\
	TH_LOG("%s: refused, errno %llu (%s)", what,			\
	       (unsigned long long)F->last_ack, strerror(F->last_ack));	\
	ASSERT_TRUE(F->last_ack > 0 && F->last_ack < 4096);		\
	OK(vu_fence(F));						\
} while (0)

/*
 * LOG_ALL and LOG_SHMFD offered; SET_LOG_BASE replied to with and without
 * NEED_REPLY, once; each bad one refused with an errno when NEED_REPLY
 * was set, leaving the log that was set working; without NEED_REPLY a
 * bad one ends the session.
 */
TEST_F_TIMEOUT(dev, log_negotiate, CASE_TIMEOUT)
{
	uint64_t size = vu_log_size(F), pf, page;
	int efd, pfd[2], two[2], big;
	struct vu_log log;
	struct blk blk;

	ASSERT_TRUE(F->features & VU_F(VU_F_LOG_ALL))
		TH_LOG("LOG_ALL (bit 26) not offered: %#llx",
		       (unsigned long long)F->features);
	OK(vu_get_protocol_features(F, &pf));
	ASSERT_TRUE(pf & VU_PF(LOG_SHMFD))
		TH_LOG("LOG_SHMFD (bit 1) not offered: %#llx", (unsigned long long)pf);
	ASSERT_TRUE(F->acked_protocol & VU_PF(LOG_SHMFD));
	ASSERT_TRUE(F->need_reply);
	OK(vu_log_create(F, &log, size));
	TH_LOG("log of %llu bytes for %llu MiB of guest memory",
	       (unsigned long long)size,
	       (unsigned long long)vu_mem_total(F) / MIB);

	/* Good ones: a u64 0 in reply, and nothing more (the fence). */
	F->need_reply = false;
	OK(vu_set_log_base(F, log.fd, log.size, 0));
	OK(vu_fence(F));
	F->need_reply = true;
	OK(vu_set_log_base(F, log.fd, log.size, 0));
	OK(vu_fence(F));
	OK(log_on(D, true));
	OK(vu_fence(F));

	/* Bad ones, with NEED_REPLY. */
	LOG_REFUSED("no fd", vu_set_log_base(F, -1, log.size, 0));
	two[0] = two[1] = log.fd;
	F->last_ack = 0;
	{
		uint64_t p[2] = { log.size, 0 };

		OK(vu_send(F, VDEV_VU_SET_LOG_BASE, VU_FLAGS_NEED_REPLY, p,
			   sizeof(p), two, 2));
		LOG_REFUSED("two fds", vu_recv_ack(F, VDEV_VU_SET_LOG_BASE));
	}
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	LOG_REFUSED("an eventfd", vu_set_log_base(F, efd, 8, 0));
	ASSERT_EQ(0, pipe(pfd));
	LOG_REFUSED("a pipe", vu_set_log_base(F, pfd[0], 8, 0));
	LOG_REFUSED("size 0", vu_set_log_base(F, log.fd, 0, 0));
	/* A file big enough, never touched: only the bound refuses. */
	big = memfd_create("vu-big-log", MFD_CLOEXEC);
	ASSERT_LE(0, big);
	ASSERT_EQ(0, ftruncate(big, 2 * LOG_MAX));
	LOG_REFUSED("size over 256 MiB", vu_set_log_base(F, big, LOG_MAX + 8, 0));
	close(big);
	LOG_REFUSED("offset 4", vu_set_log_base(F, log.fd, log.size - 8, 4));
	LOG_REFUSED("size + offset past the file",
		    vu_set_log_base(F, log.fd, log.size, 8));
	LOG_REFUSED("size past the file", vu_set_log_base(F, log.fd, log.size + 8, 0));
	LOG_REFUSED("offset wrapping around",
		    vu_set_log_base(F, log.fd, 8, ~7ULL));

	/* Nothing else changed: the log set before still gets the bits. */
	ASSERT_EQ(0, blk_init(&blk, D)) TH_LOG("%s", blk.err);
	BLK_OK(submit_writes(&blk));
	BLK_OK(reap_all(&blk, NULL, NULL));
	BLK_OK(submit_reads(&blk, true));
	BLK_OK(reap_all(&blk, NULL, NULL));
	page = blk.q[0].b / PAGE;
	ASSERT_TRUE(vu_log_test(&log, page))
		TH_LOG("after the refusals, a read into page %llu is not in the log that was set",
		       (unsigned long long)page);
	blk_free(&blk);

	/* Without NEED_REPLY, a bad one ends the session. */
	F->need_reply = false;
	OK(vu_send(F, VDEV_VU_SET_LOG_BASE, VU_FLAGS,
		   (uint64_t[2]){ 0, 0 }, 16, &log.fd, 1));
	OK(vu_expect_hangup(F, HANGUP_MS));
	close(efd);
	close(pfd[0]);
	close(pfd[1]);
	vu_log_destroy(&log);
}

/*
 * A started ring takes SET_VRING_ADDR again when only the log flag and
 * address change (QEMU's migration start); another address is EBUSY and
 * changes nothing: the ring goes on where it was.
 */
TEST_F_TIMEOUT(dev, vring_addr_started, CASE_TIMEOUT)
{
	struct vu_queue *q = F->queues[0];
	struct vu_wire_vring_addr a;
	uint64_t other = vu_alloc(F, 0, 2 * PAGE, PAGE);
	struct blk blk;
	int i;

	ASSERT_NE(0, other);
	ASSERT_EQ(0, blk_init(&blk, D)) TH_LOG("%s", blk.err);
	for (i = 0; i < 3; i++) {
		a = (struct vu_wire_vring_addr){
			.index = 0, .flags = VDEV_VU_VRING_F_LOG,
			.desc_uaddr = vu_uva(F, q->desc_gpa),
			.used_uaddr = vu_uva(F, q->used_gpa),
			.avail_uaddr = vu_uva(F, q->avail_gpa),
			.log_gaddr = q->used_gpa,
		};
		if (i == 0)
			a.desc_uaddr = vu_uva(F, other);
		else if (i == 1)
			a.used_uaddr = vu_uva(F, other);
		else
			a.avail_uaddr = vu_uva(F, other);
		F->last_ack = 0;
		OK(vu_send(F, VDEV_VU_SET_VRING_ADDR, VU_FLAGS_NEED_REPLY, &a,
			   sizeof(a), NULL, 0));
		ASSERT_EQ(-EREMOTEIO, vu_recv_ack(F, VDEV_VU_SET_VRING_ADDR))
			TH_LOG("address %d of a started ring changed: want EBUSY: %s",
			       i, F->err);
		ASSERT_EQ(EBUSY, F->last_ack);
		OK(vu_fence(F));
	}
	/* The flag and log address alone: taken, both ways. */
	q->log = true;
	q->log_gpa = q->used_gpa;
	OK(vu_set_vring_addr(F, q));
	q->log = false;
	q->log_gpa = 0;
	OK(vu_set_vring_addr(F, q));
	/* The ring is where it was: I/O with every block checked. */
	BLK_OK(blk_round(&blk, NULL, NULL, false));
	blk_free(&blk);
}

/* A session without LOG_SHMFD: SET_LOG_BASE is refused. */
TEST_F_TIMEOUT(dev, log_not_negotiated, CASE_TIMEOUT)
{
	struct vu_log log;

	/* A fresh session that acks everything but LOG_SHMFD. */
	vu_close(F);
	OK(vu_open(F, D->env.sock, OPEN_MS));
	F->protocol_mask = ~VU_PF(LOG_SHMFD);
	OK(vu_qemu72_realize(F, F->nqueues, VU_REALIZE_OPENED, &D->cfg));
	ASSERT_FALSE(F->acked_protocol & VU_PF(LOG_SHMFD));
	ASSERT_TRUE(F->need_reply);
	OK(vu_log_create(F, &log, vu_log_size(F)));
	LOG_REFUSED("LOG_SHMFD not negotiated", vu_set_log_base(F, log.fd, log.size, 0));
	vu_log_destroy(&log);
}

/* ========================================================================
 * The dirty log, bit for bit
 * ========================================================================
 */

/*
 * QEMU's migration on a running device: SET_LOG_BASE, LOG_ALL, F_LOG on
 * the rings; writes from A and reads into B on every queue; the log is
 * exactly the pages the device wrote. Before LOG_ALL and after it is
 * off, nothing is logged; a second log replaces the first while logging
 * runs, and only it gets bits.
 */
TEST_F_TIMEOUT(dev, dirty_log_blk, CASE_TIMEOUT)
{
	struct vu_log log1, log2;
	struct pset want;
	struct blk blk;
	unsigned int i;
	uint64_t a;

	ASSERT_EQ(0, blk_init(&blk, D)) TH_LOG("%s", blk.err);
	ASSERT_EQ(0, pset_init(&want, blk.m.npages));
	OK(vu_log_create(F, &log1, vu_log_size(F)));
	OK(vu_log_create(F, &log2, vu_log_size(F)));

	/* A log alone, without LOG_ALL: nothing. */
	OK(vu_set_log_base(F, log1.fd, log1.size, 0));
	BLK_OK(blk_round(&blk, NULL, &log1, false));
	LOG_IS(&blk.m, &log1, NULL, "log set, LOG_ALL off");

	/* Logging. */
	OK(log_on(D, true));
	BLK_OK(blk_round(&blk, &want, &log1, true));
	B_PAGES_WANTED(blk, &want);
	for (i = 0; i < F->nqueues; i++)
		for (a = blk.q[i].a; a < blk.q[i].a + WIN_BYTES; a += PAGE)
			ASSERT_FALSE(pset_has(&want, a / PAGE));
	LOG_IS(&blk.m, &log1, &want, "logging");

	/* LOG_ALL off, the rings' F_LOG still on: nothing. */
	OK(vu_set_features(F, D->features));
	BLK_OK(blk_round(&blk, NULL, &log1, false));
	LOG_IS(&blk.m, &log1, NULL, "LOG_ALL off again");

	/* On again, and a second log replaces the first. */
	OK(vu_set_features(F, D->features | VU_F(VU_F_LOG_ALL)));
	OK(vu_set_log_base(F, log2.fd, log2.size, 0));
	vu_log_clear(&log1);
	BLK_OK(blk_round(&blk, &want, &log2, true));
	LOG_IS(&blk.m, &log2, &want, "the second log");
	LOG_IS(&blk.m, &log1, NULL, "the first log, replaced");

	/* QEMU's migration end: nothing anywhere. */
	OK(log_on(D, false));
	vu_log_clear(&log1);
	BLK_OK(blk_round(&blk, NULL, &log2, false));
	LOG_IS(&blk.m, &log2, NULL, "logging ended (second log)");
	LOG_IS(&blk.m, &log1, NULL, "logging ended (first log)");

	vu_log_destroy(&log1);
	vu_log_destroy(&log2);
	pset_free(&want);
	blk_free(&blk);
}

/*
 * A log too small for the memory (sized for region 0 only): writes past
 * its end are not logged, and the back end goes on; within it, the log
 * is exact. Needs VU_REGIONS=2 (region 1 beyond the log).
 */
TEST_F_TIMEOUT(dev, log_short, CASE_TIMEOUT)
{
	struct vu_region *r1 = &F->regions[1];
	uint64_t words = (F->regions[0].size / PAGE + 63) / 64;
	struct vu_log log;
	struct pset want;
	struct blk blk;

	if (F->nregions < 2)
		SKIP(return, "one region (VU_REGIONS=2)");
	ASSERT_LT(words * 64, r1->gpa / PAGE)
		TH_LOG("region 1 must lie beyond a log for region 0 (VU_GPA_GAP_MB)");
	ASSERT_EQ(0, blk_init(&blk, D)) TH_LOG("%s", blk.err);
	ASSERT_EQ(0, pset_init(&want, blk.m.npages));
	OK(vu_log_create(F, &log, words * 8));
	OK(vu_set_log_base(F, log.fd, log.size, 0));
	OK(log_on(D, true));
	BLK_OK(blk_round(&blk, &want, &log, false));
	/* Queue 1 read into region 1: wanted, but past the log. */
	ASSERT_TRUE(pset_has(&want, blk.q[1].b / PAGE));
	LOG_IS(&blk.m, &log, &want, "a log for region 0 only");
	OK(vu_fence(F));
	vu_log_destroy(&log);
	pset_free(&want);
	blk_free(&blk);
}

/*
 * log_guest_addr is where used-ring writes are logged, not the used
 * ring's own address: with another page there, that page's bit is set
 * and the used ring's is not (split; packed logs descriptors in place).
 */
TEST_F_TIMEOUT(dev, log_guest_addr, CASE_TIMEOUT)
{
	struct vu_queue *q = F->queues[0];
	struct vu_log log;
	struct pset want;
	struct blk blk;
	uint64_t other;
	unsigned int i;

	if (q->packed)
		SKIP(return, "split rings only: packed descriptors are logged where they are");
	ASSERT_EQ(0, blk_init(&blk, D)) TH_LOG("%s", blk.err);
	ASSERT_EQ(0, pset_init(&want, blk.m.npages));
	other = vu_alloc(F, 0, PAGE * F->nqueues, PAGE);
	ASSERT_NE(0, other);
	area_add(&blk.m, other, PAGE * F->nqueues, "log_guest_addr pages");
	OK(vu_log_create(F, &log, vu_log_size(F)));
	OK(vu_set_log_base(F, log.fd, log.size, 0));
	OK(vu_set_features(F, D->features | VU_F(VU_F_LOG_ALL)));
	for (i = 0; i < F->nqueues; i++) {
		F->queues[i]->log = true;
		F->queues[i]->log_gpa = other + i * PAGE;
		OK(vu_set_vring_addr(F, F->queues[i]));
	}
	BLK_OK(blk_round(&blk, &want, &log, true));
	for (i = 0; i < F->nqueues; i++) {
		ASSERT_TRUE(pset_has(&want, (other + i * PAGE) / PAGE));
		ASSERT_FALSE(pset_has(&want, F->queues[i]->used_gpa / PAGE));
	}
	LOG_IS(&blk.m, &log, &want, "log_guest_addr elsewhere");
	vu_log_destroy(&log);
	pset_free(&want);
	blk_free(&blk);
}

/* Requests in flight at each queue's stop, and those never fetched. */
struct stop_count {
	unsigned int inflight, unfetched;
	uint32_t base;
};

/* Used entries waiting on @q, without taking them. */
static unsigned int used_pending(struct vu_queue *q)
{
	unsigned int n = 0;

	if (!q->packed)
		return (uint16_t)(*(uint16_t *)(q->used_map + 2) - q->last_used);
	{
		uint16_t pos = q->next_used;
		bool wrap = q->used_wrap;

		for (;;) {
			struct vring_packed_desc *d = vu_vq_packed_desc(q, pos);
			uint16_t fl = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
			bool av = fl & (1 << VRING_PACKED_DESC_F_AVAIL);
			bool us = fl & (1 << VRING_PACKED_DESC_F_USED);

			if (av != wrap || us != wrap || d->id >= q->num ||
			    !q->slots[d->id].busy || n >= q->inflight)
				return n;
			n++;
			pos += q->slots[d->id].ndesc;
			if (pos >= q->num) {
				pos -= q->num;
				wrap = !wrap;
			}
		}
	}
}

/* Run between the rings' disable and GET_VRING_BASE: 0 or an error. */
typedef int (*stop_hook)(void *arg);

/*
 * QEMU 7.2's stop (SET_STATUS 0, SET_VRING_ENABLE 0, GET_VRING_BASE) with
 * requests in flight: each reply comes once what the ring fetched is in
 * the used ring. @hook, if any, runs once the rings are disabled. @sc
 * gets, per queue, the requests in flight when it was sent (fetched and
 * not yet used) and those the ring never fetched.
 */
static int stop_inflight(struct vu_dev *d, struct stop_count *sc,
			 stop_hook hook, void *arg, char *err, size_t errlen)
{
	struct vu_front *f = &d->f;
	unsigned int pending[VU_MAX_QUEUES], i;
	uint32_t base;
	int ret;

	for (i = 0; i < f->nqueues; i++)
		pending[i] = used_pending(f->queues[i]);
	ret = f->acked_protocol & VU_PF(STATUS) ? vu_set_status(f, 0) : 0;
	for (i = 0; !ret && i < f->nqueues; i++)
		ret = vu_set_vring_enable(f, i, false);
	if (!ret && hook && hook(arg)) {
		snprintf(err, errlen, "between the disable and GET_VRING_BASE: failed");
		return -1;
	}
	for (i = 0; !ret && i < f->nqueues; i++)
		ret = vu_get_vring_base(f, i, &base);
	if (ret) {
		snprintf(err, errlen, "stop: %.400s", f->err);
		return ret;
	}
	for (i = 0; i < f->nqueues; i++) {
		struct vu_queue *q = f->queues[i];
		uint32_t b = q->base;
		uint16_t avail = q->packed ? b & 0xffff : b;
		uint16_t used = q->packed ? b >> 16 :
				*(uint16_t *)(q->used_map + 2);
		unsigned int fetched;

		sc[i].base = b;
		/* Everything fetched is in the used ring by the reply. */
		if (used != avail) {
			snprintf(err, errlen, "q%u: GET_VRING_BASE %#x: used position %#x, fetched up to %#x: requests still in flight after the reply",
				 i, b, used, avail);
			return -EPROTO;
		}
		/* Requests fetched and not taken by us: all used now. */
		fetched = used_pending(q);
		if (!q->packed && fetched != (uint16_t)(avail - q->last_used)) {
			snprintf(err, errlen, "q%u: used idx %u: %u entries past ours, base says %u",
				 i, used, fetched, (uint16_t)(avail - q->last_used));
			return -EPROTO;
		}
		sc[i].inflight = fetched - pending[i];
		sc[i].unfetched = q->inflight - fetched;
	}
	return 0;
}

/*
 * GET_VRING_BASE with reads in flight while logging: once it replied,
 * every page they wrote is in the log, and nothing comes later.
 */
TEST_F_TIMEOUT(dev, dirty_log_stop, CASE_TIMEOUT)
{
	struct stop_count sc[VU_MAX_QUEUES];
	unsigned int i, inflight = 0;
	char err[512] = "";
	struct vu_log log;
	struct pset want;
	struct blk blk;
	long long t0;

	ASSERT_EQ(0, blk_init(&blk, D)) TH_LOG("%s", blk.err);
	ASSERT_EQ(0, pset_init(&want, blk.m.npages));
	OK(vu_log_create(F, &log, vu_log_size(F)));
	OK(vu_set_log_base(F, log.fd, log.size, 0));
	OK(log_on(D, true));
	BLK_OK(submit_writes(&blk));
	BLK_OK(reap_all(&blk, NULL, NULL));
	BLK_OK(poison_device_events(&blk));
	vu_log_clear(&log);
	BLK_OK(submit_reads(&blk, false));
	vu_sleep_ms(env_num("VU_STOP_DELAY_MS", 0));
	t0 = vu_now_ms();
	ASSERT_EQ(0, stop_inflight(D, sc, NULL, NULL, err, sizeof(err)))
		TH_LOG("%s", err);
	TH_LOG("the stop took %lld ms", vu_now_ms() - t0);
	for (i = 0; i < F->nqueues; i++) {
		TH_LOG("q%u: base %#x, %u requests in flight at the stop, %u not fetched",
		       i, sc[i].base, sc[i].inflight, sc[i].unfetched);
		inflight += sc[i].inflight;
		/* Only what is in the used ring now: no waiting. */
		BLK_OK(reap_q(&blk, i, 0, &want, NULL));
	}
	if (env_num("VU_EXPECT_INFLIGHT", 0))
		ASSERT_LT(0, inflight) TH_LOG("no request in flight at the stop: the case proved nothing");
	want_device_events(&blk, &want);
	LOG_IS(&blk.m, &log, &want, "after GET_VRING_BASE");
	vu_sleep_ms(300);
	LOG_IS(&blk.m, &log, &want, "300 ms later");
	vu_log_destroy(&log);
	pset_free(&want);
	blk_free(&blk);
}

/* ========================================================================
 * Handover
 * ========================================================================
 */

static const uint32_t sizes[] = { 512, 4096, 8192, 16384 };
#define NSIZES	ARRAY_SIZE(sizes)
/* Writes per queue made available after the rings were disabled. */
#define NLATE	2

/* A write in every free slot of [@from, @to) of the engine, the kicks. */
static int submit_writes_eng(struct eng *e, unsigned int from, unsigned int to)
{
	unsigned int s;

	for (s = from; s < to; s++) {
		uint32_t len = sizes[vu_rand(e->d) % NSIZES];

		if (e->slots[s].busy)
			continue;
		if (eng_start(e, s, true, len,
			      e->disk_off + (uint64_t)s * e->maxlen))
			return -1;
	}
	return eng_kick_all(e);
}

/* Late writes: made available while the rings are disabled. */
struct late {
	struct eng *e;
	unsigned int from;
};

static int submit_late(void *arg)
{
	struct late *l = arg;

	return submit_writes_eng(l->e, l->from, l->e->nslots);
}

/*
 * Move the connection out of @f into @old (the source's session stays
 * open, stopped, as the source QEMU keeps it until migration ends).
 */
static void conn_park(struct vu_front *f, struct vu_front *old)
{
	vu_init(old);
	old->fd = f->fd;
	old->backend_fd = f->backend_fd;
	old->features = f->features;
	f->fd = -1;
	f->backend_fd = -1;
}

/* Single requests; each used entry lands exactly where the driver is. */
static int one_by_one(struct vu_dev *d, unsigned int n, uint64_t buf,
		      struct eng *e, char *err, size_t errlen)
{
	struct vu_front *f = &d->f;
	unsigned int i, k;
	uint8_t got[4096];

	for (k = 0; k < n; k++) {
		for (i = 0; i < f->nqueues; i++) {
			struct vu_queue *q = f->queues[i];
			struct vu_blk_req r = { .type = VIRTIO_BLK_T_IN,
						.sector = e->disk_off / 512, .ndata = 1 };
			uint16_t pos = q->packed ? q->next_used : q->last_used;
			bool wrap = q->used_wrap;
			int id;

			r.data[0] = (struct vu_buf){ .gpa = buf, .len = 4096 };
			memset(got, 0xa5, sizeof(got));
			vu_mem_write(f, buf, got, sizeof(got));
			if (vu_blk_do(q, &r, d->env.timeout_ms)) {
				snprintf(err, errlen, "q%u request %u: %.400s", i, k, f->err);
				return -1;
			}
			id = r.id;
			if (q->packed) {
				struct vring_packed_desc *dd = vu_vq_packed_desc(q, pos);
				uint16_t fl = dd->flags;

				if (dd->id != id ||
				    !!(fl & (1 << VRING_PACKED_DESC_F_USED)) != wrap) {
					snprintf(err, errlen, "q%u: used descriptor at %u: id %u flags %#x, want id %d wrap %d",
						 i, pos, dd->id, fl, id, wrap);
					return -1;
				}
			} else {
				uint16_t idx = *(uint16_t *)(q->used_map + 2);
				struct vring_used_elem *u =
					(struct vring_used_elem *)(q->used_map + 4) + pos % q->num;

				if (idx != (uint16_t)(pos + 1) || u->id != (uint32_t)id) {
					snprintf(err, errlen, "q%u: used idx %u elem[%u].id %u, want idx %u id %d",
						 i, idx, pos % q->num, u->id,
						 (uint16_t)(pos + 1), id);
					return -1;
				}
			}
			if (r.status != VIRTIO_BLK_S_OK) {
				snprintf(err, errlen, "q%u: status %u", i, r.status);
				return -1;
			}
			vu_mem_read(f, buf, got, sizeof(got));
			if (memcmp(got, e->shadow, sizeof(got))) {
				snprintf(err, errlen, "q%u: the first block read after the handover is not what was written",
					 i);
				return -1;
			}
		}
	}
	return 0;
}

/* Both wrap counters flipped (packed), the index past the ring (split). */
static bool wrapped(struct vu_front *f)
{
	unsigned int i;

	for (i = 0; i < f->nqueues; i++) {
		struct vu_queue *q = f->queues[i];

		if (q->packed ? q->avail_wrap || q->used_wrap :
				q->avail_idx <= q->num)
			return false;
	}
	return true;
}

/*
 * A: I/O until the ring wrapped, a batch of writes kicked and the stop
 * right after (QEMU 7.2's: GET_VRING_BASE replies once the fetched ones
 * are in the used ring, their data on the disk), with NLATE more writes a
 * queue made available between the disable and GET_VRING_BASE, which A
 * must leave alone. B (VU_SOCK_B, or A's
 * socket after a hang-up): same memory and rings, SET_VRING_BASE with A's
 * base; what A never fetched and what comes next completes in the same
 * ring, used index and wrap counters going on exactly; every block
 * written before the handover reads back.
 */
TEST_F_TIMEOUT(dev, handover, CASE_TIMEOUT)
{
	const char *sock_b = getenv("VU_SOCK_B");
	struct stop_count sc[VU_MAX_QUEUES];
	unsigned int i, rounds, inflight = 0, unfetched = 0;
	struct late late;
	struct vu_front old;
	char err[512] = "";
	uint64_t buf;
	struct eng e;
	long long t0;

	ENG_OK(eng_init(&e, D, D->env.num < 16 ? D->env.num : 16, 16384, 0));
	/* Indirect chains too: more requests in flight on a small ring. */
	e.indirect = F->queues[0]->indirect ? 2 : 0;
	late.e = &e;
	late.from = e.nslots - NLATE * F->nqueues;
	ENG_OK(eng_fill(&e));
	for (rounds = 0; !wrapped(F) && rounds < 64; rounds++)
		ENG_OK(eng_random(&e, 32, sizes, NSIZES, 50));
	ASSERT_TRUE(wrapped(F)) TH_LOG("the rings did not wrap");
	TH_LOG("q0 at base %#x before the stop (%u rounds)",
	       vu_vq_driver_base(F->queues[0]), rounds);

	ASSERT_EQ(0, submit_writes_eng(&e, 0, late.from)) TH_LOG("%s", e.err);
	vu_sleep_ms(env_num("VU_STOP_DELAY_MS", 0));
	t0 = vu_now_ms();
	ASSERT_EQ(0, stop_inflight(D, sc, submit_late, &late, err, sizeof(err)))
		TH_LOG("%s: %s", err, e.err);
	TH_LOG("the stop took %lld ms", vu_now_ms() - t0);
	for (i = 0; i < F->nqueues; i++) {
		struct vu_queue *q = F->queues[i];
		struct vu_blk_req *r;
		int ret;

		TH_LOG("q%u: base %#x, %u requests in flight at the stop, %u not fetched",
		       i, sc[i].base, sc[i].inflight, sc[i].unfetched);
		inflight += sc[i].inflight;
		unfetched += sc[i].unfetched;
		/* Take what is used now, without waiting: data right. */
		while ((ret = vu_blk_poll(q, &r)) == 1)
			ENG_OK(eng_complete(&e, (struct eng_slot *)r));
		ASSERT_EQ(0, ret) TH_LOG("%s", F->err);
		ASSERT_EQ(sc[i].unfetched, q->inflight);
		/* A disabled ring fetches nothing: the late ones wait for B. */
		ASSERT_LE(NLATE, sc[i].unfetched)
			TH_LOG("q%u: writes made available after the disable were fetched", i);
		if (q->packed)
			ASSERT_EQ(sc[i].base >> 16, vu_vq_driver_base(q) >> 16)
				TH_LOG("q%u: the used position after the drain is not where the device said", i);
	}
	if (env_num("VU_EXPECT_INFLIGHT", 0))
		ASSERT_LT(0, inflight) TH_LOG("no request in flight at the stop: the case proved nothing");

	/* The destination. */
	if (sock_b && *sock_b) {
		conn_park(F, &old);
		OK(vu_open(F, sock_b, OPEN_MS));
	} else {
		vu_close(F);
		OK(vu_open(F, D->env.sock, OPEN_MS));
	}
	OK(vu_qemu72_realize(F, F->nqueues, VU_REALIZE_OPENED, &D->cfg));
	OK(vu_dev_start(F, D->features));
	for (i = 0; i < F->nqueues; i++)
		ASSERT_EQ(1, vu_vq_kick_now(F->queues[i]));
	/* What A never fetched, B does. */
	ENG_OK(eng_drain(&e));
	TH_LOG("%u requests A never fetched (%u made available after the disable) completed on %s",
	       unfetched, NLATE * F->nqueues,
	       sock_b && *sock_b ? "B" : "A's socket again");
	buf = vu_alloc(F, 0, 4096, 4096);
	ASSERT_NE(0, buf);
	ASSERT_EQ(0, one_by_one(D, env_num("VU_ONE_BY_ONE", F->queues[0]->num + 3),
				buf, &e, err, sizeof(err)))
		TH_LOG("%s", err);
	ENG_OK(eng_random(&e, 64, sizes, NSIZES, 50));
	ENG_OK(eng_verify(&e));
	/* B's own stop says where the driver is. */
	OK(vu_dev_stop(F));
	for (i = 0; i < F->nqueues; i++)
		ASSERT_EQ(vu_vq_driver_base(F->queues[i]), F->queues[i]->base)
			TH_LOG("q%u: B's GET_VRING_BASE %#x, the driver is at %#x",
			       i, F->queues[i]->base,
			       vu_vq_driver_base(F->queues[i]));
	if (sock_b && *sock_b) {
		/* A's session lived on beside B's all along. */
		OK(vu_fence(&old));
		vu_close(&old);
	}
	eng_free(&e);
}

/* ========================================================================
 * virtio-scsi
 * ========================================================================
 */

#define NQ_SCSI		3
#define SCSI_MEM	(16 * MIB)
#define SCSI_LEN	(24 * 1024)
#define F_SCSI_HOTPLUG	1
#define F_SCSI_CHANGE	2

/*
 * A virtio-scsi controller (VU_SCSI_SOCK) while logging: READ's data-in
 * pages and the response's page are logged, WRITE's data-out and the
 * command's own page are not (the command and response share a page
 * here: the response's), the used ring or descriptors of the request
 * queue; nothing else.
 */
FIXTURE(scsi) {
	struct vu_dev d;
};

/*
 * QEMU 7.2's realize and start of vhost-user-scsi-pci on @sock (control,
 * event and one request queue), then TEST UNIT READY until the power-on
 * unit attention is gone: 0 or an error, in d->f.err.
 */
static int scsi_start(struct vu_dev *d, const char *sock,
		      struct vu_scsi_req *r)
{
	struct vu_front *f = &d->f;
	uint64_t want = VU_F(VU_F_VERSION_1) | VU_F(F_PROTOCOL_FEATURES) |
			VU_F(VU_F_EVENT_IDX) | VU_F(VU_F_INDIRECT_DESC) |
			VU_F(F_SCSI_HOTPLUG) | VU_F(F_SCSI_CHANGE);
	unsigned int tries;
	int ret;

	vu_cur_front = f;
	f->timeout_ms = d->env.timeout_ms;
	if (d->env.packed)
		want |= VU_F(VU_F_RING_PACKED);
	ret = vu_open(f, sock, OPEN_MS) ?:
	      vu_qemu72_realize(f, NQ_SCSI,
				VU_REALIZE_OPENED | VU_REALIZE_NO_CONFIG, NULL);
	if (ret)
		return ret;
	d->features = f->features & want;
	ret = vu_mem_create(f, 1, SCSI_MEM, 0, false) ?:
	      vu_queues_create(f, NQ_SCSI, 64, d->features) ?:
	      vu_dev_start(f, d->features);
	/* The command and response in a page of their own. */
	if (!ret && !vu_alloc(f, 0, 1, PAGE))
		ret = vu_fail(f, -ENOMEM, "guest memory full");
	if (!ret)
		ret = vu_scsi_req_init(f, r, 0, 0);
	for (tries = 0; !ret && tries < 8; tries++) {
		vu_scsi_cdb_test_unit_ready(r->hdr->cdb);
		r->ndata = 0;
		r->data_in = false;
		ret = vu_scsi_do(f->queues[VU_SCSI_VQ_IO], r, d->env.timeout_ms);
		if (!ret && vu_scsi_ok(r))
			return 0;
	}
	return ret ?: vu_fail(f, -EIO, "TEST UNIT READY: response %u status %u after %u tries",
			      r->response, r->status, tries);
}

FIXTURE_SETUP(scsi)
{
	env_load(&self->d.env);
	vu_init(&self->d.f);
}

FIXTURE_TEARDOWN(scsi)
{
	vu_dev_teardown(&self->d);
}

TEST_F_TIMEOUT(scsi, dirty_log_scsi, CASE_TIMEOUT)
{
	const char *sock = getenv("VU_SCSI_SOCK");
	struct vu_scsi_req rw, rr;
	struct vu_front *f;
	struct vu_log log;
	struct pset want;
	struct mig m;
	uint64_t a, b, p;
	uint8_t pat[SCSI_LEN], got[SCSI_LEN];
	struct vu_queue *q;
	unsigned int i, tries;
	uint16_t pos;

	if (!sock || !*sock)
		SKIP(return, "VU_SCSI_SOCK not set");
	f = F;
	OK(scsi_start(D, sock, &rr));
	ASSERT_TRUE(f->features & VU_F(VU_F_LOG_ALL));
	q = f->queues[VU_SCSI_VQ_IO];
	ASSERT_NE(0, vu_alloc(f, 0, 1, PAGE));
	OK(vu_scsi_req_init(f, &rw, 0, 0));
	a = vu_alloc(f, 0, SCSI_LEN, PAGE);
	b = vu_alloc(f, 0, SCSI_LEN + PAGE, PAGE);
	ASSERT_TRUE(a && b);
	b += 2048;	/* data-in from the middle of a page */
	mig_init(&m, f);
	area_add(&m, rw.hdr_gpa, 192, "WRITE's command+response");
	area_add(&m, rr.hdr_gpa, 192, "READ's command+response");
	area_add(&m, a, SCSI_LEN, "data-out");
	area_add(&m, b, SCSI_LEN, "data-in");
	ASSERT_EQ(0, pset_init(&want, m.npages));

	OK(vu_log_create(f, &log, vu_log_size(f)));
	OK(vu_set_log_base(f, log.fd, log.size, 0));
	OK(vu_set_features(f, D->features | VU_F(VU_F_LOG_ALL)));
	/* F_LOG on the request queue only: the others stay idle. */
	q->log = true;
	q->log_gpa = q->used_gpa;
	OK(vu_set_vring_addr(f, q));
	if (q->packed) {
		for (tries = 0; tries < 20; tries++) {
			__atomic_store_n((uint32_t *)q->used_map, EVENT_POISON,
					 __ATOMIC_SEQ_CST);
			vu_sleep_ms(50);
			if (*(volatile uint32_t *)q->used_map == EVENT_POISON)
				break;
		}
	}
	vu_log_clear(&log);

	for (i = 0; i < SCSI_LEN; i++)
		pat[i] = i * 7 + 3;
	vu_mem_write(f, a, pat, SCSI_LEN);
	vu_scsi_cdb_rw10(rw.hdr->cdb, true, 64, SCSI_LEN / 512);
	rw.data_in = false;
	rw.ndata = 1;
	rw.data[0] = (struct vu_buf){ .gpa = a, .len = SCSI_LEN };
	memset(got, 0xa5, SCSI_LEN);
	vu_mem_write(f, b, got, SCSI_LEN);
	vu_scsi_cdb_rw10(rr.hdr->cdb, false, 64, SCSI_LEN / 512);
	rr.data_in = true;
	rr.ndata = 2;
	rr.data[0] = (struct vu_buf){ .gpa = b, .len = 4096 };
	rr.data[1] = (struct vu_buf){ .gpa = b + 4096, .len = SCSI_LEN - 4096 };

	pos = q->packed ? q->next_used : q->last_used;
	OK(vu_scsi_do(q, &rw, D->env.timeout_ms));
	ASSERT_TRUE(vu_scsi_ok(&rw)) TH_LOG("WRITE: response %u status %u",
					    rw.response, rw.status);
	pset_add(&want, rw.resp_gpa, sizeof(*rw.resp));
	if (q->packed)
		pset_add(&want, q->desc_gpa + 16ULL * pos, 16);
	else
		pset_add(&want, q->log_gpa, 6 + 8 * q->num);

	pos = q->packed ? q->next_used : q->last_used;
	OK(vu_scsi_do(q, &rr, D->env.timeout_ms));
	ASSERT_TRUE(vu_scsi_ok(&rr)) TH_LOG("READ: response %u status %u",
					    rr.response, rr.status);
	vu_mem_read(f, b, got, SCSI_LEN);
	ASSERT_EQ(0, memcmp(got, pat, SCSI_LEN)) TH_LOG("READ did not return what WRITE wrote");
	pset_add(&want, rr.resp_gpa, sizeof(*rr.resp));
	pset_add(&want, b, SCSI_LEN);
	if (q->packed)
		pset_add(&want, q->desc_gpa + 16ULL * pos, 16);
	if (q->packed && *(volatile uint32_t *)q->used_map != EVENT_POISON)
		pset_add(&want, q->log_gpa, 4);
	/* Not vacuous: data-in's pages are wanted, data-out's are not. */
	for (p = b / PAGE; p <= (b + SCSI_LEN - 1) / PAGE; p++)
		ASSERT_TRUE(pset_has(&want, p));
	for (p = a / PAGE; p <= (a + SCSI_LEN - 1) / PAGE; p++)
		ASSERT_FALSE(pset_has(&want, p));
	LOG_IS(&m, &log, &want, "virtio-scsi");

	vu_log_destroy(&log);
	pset_free(&want);
}

TEST_HARNESS_MAIN
