// SPDX-License-Identifier: GPL-2.0
/*
 * vu_life: rings and guest memory over a session's life, with I/O: stop
 * (GET_VRING_BASE) and restart from the base, with and without requests
 * in flight; pinned memory as the front end's VmLck through ADD/REM_MEM_REG,
 * SET_MEM_TABLE resent, a region removed and added under I/O (the rings'
 * own: parked, then going on); RESET_DEVICE and hang-up with requests in
 * flight; vdevd killed under I/O. Documentation/design/
 * vhost-user-session.rst, "Lifecycle".
 *
 * Run by selftests/test_vu_03.sh; environment as in vu_case.h, and:
 *
 *   VU_KILL_CMD, VU_START_CMD  as for vu_test (vdevd_killed_under_io)
 *   VU_STOP_DELAY_MS  wait this long after a kick before stopping, so a
 *                     slow disk has the requests in flight (default 0)
 *   VU_QUIET_MS       how long "nothing is fetched" is watched (300)
 *   VU_UNPIN_MS       how long unpinning may take (2000)
 *   VU_DRAIN_MS       the module's drain_timeout_ms, set by the script
 *                     on a disk slower than it (drain_bound,
 *                     inflight_resubmit)
 *   VU_HOLD_CMD, VU_RELEASE_CMD  make the disk hold new requests, and let
 *                     them go (inflight_held)
 *   VU_PEEK_CMD       prints the requests the controller has in flight
 *                     (inflight_held)
 *   VU_INFLIGHT       1: the fixture negotiates the inflight region
 *                     (vu_case.h); the inflight_* cases need it but
 *                     inflight_bad, which makes its own
 *   VU_EXPECT_INFLIGHT  1: the disk is slow, requests fetched must still
 *                     be in flight when the region is read (inflight_region)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"

#include "vu_case.h"

#define CASE_TIMEOUT	180
/* Unpinning is asynchronous (after an RCU grace period, from a work). */
#define UNPIN_MS	2000
#define QUIET_MS	300
#define RESTART_MS	30000

VU_DEV_FIXTURE();

#define D	(&self->d)
#define F	(&self->d.f)

static const uint32_t sizes[] = { 512, 4096, 8192, 16384, 65536 };
#define NSIZES	ARRAY_SIZE(sizes)

/* A slow disk takes longer to drain: VU_UNPIN_MS. */
static int unpin_ms(void)
{
	return env_num("VU_UNPIN_MS", UNPIN_MS);
}

/* VmLck of this process, in kB, or -1. */
static long vu_vmlck_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *fp;

	fp = fopen("/proc/self/status", "r");
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(fp);
	return kb;
}

/* VmLck reaches @kb within @ms; returns the last value seen. */
static long wait_vmlck(long kb, int ms)
{
	long long deadline = vu_now_ms() + ms;
	long got;

	for (;;) {
		got = vu_vmlck_kb();
		if (got == kb || vu_now_ms() > deadline)
			return got;
		vu_sleep_ms(20);
	}
}

#define VMLCK_IS(kb) do {						\
	long __want = (kb), __got = wait_vmlck(__want, unpin_ms());	\
	ASSERT_EQ(__want, __got)					\
		TH_LOG("VmLck %ld kB, want %ld kB (guest memory %llu kB)", \
		       __got, __want,					\
		       (unsigned long long)vu_mem_total(F) / 1024);	\
} while (0)

/* Run the shell command in environment variable @name; -2 if unset. */
static int run_env_cmd(const char *name)
{
	const char *cmd = getenv(name);
	int status;
	pid_t pid;

	if (!cmd || !*cmd)
		return -2;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Start a request in every free slot (writes), kick, reap nothing. */
static int submit_all(struct eng *e, bool write)
{
	unsigned int s;

	for (s = 0; s < e->nslots; s++) {
		uint32_t len = sizes[vu_rand(e->d) % NSIZES];

		if (e->slots[s].busy)
			continue;
		if (len > e->maxlen)
			len = e->maxlen;
		if (eng_start(e, s, write, len,
			      e->disk_off + (uint64_t)s * e->maxlen))
			return -1;
	}
	return eng_kick_all(e);
}

/* ========================================================================
 * Stop and restart
 * ========================================================================
 */

/*
 * GET_VRING_BASE after I/O gives what the driver made available (split:
 * the avail index; packed: avail and used slots and wraps), and a start
 * from that base goes on where it stopped; twice.
 */
TEST_F_TIMEOUT(dev, restart_from_base, CASE_TIMEOUT)
{
	uint32_t want[VU_MAX_QUEUES];
	unsigned int i, cycle;
	struct eng e;

	ENG_OK(eng_init(&e, D, D->env.num < 16 ? D->env.num : 16, 65536, 0));
	ENG_OK(eng_fill(&e));
	for (cycle = 0; cycle < 2; cycle++) {
		ENG_OK(eng_random(&e, 48, sizes, NSIZES, 50));
		for (i = 0; i < F->nqueues; i++)
			want[i] = vu_vq_driver_base(F->queues[i]);
		OK(vu_dev_stop(F));
		for (i = 0; i < F->nqueues; i++)
			ASSERT_EQ(want[i], F->queues[i]->base)
				TH_LOG("cycle %u queue %u: GET_VRING_BASE %#x, the driver is at %#x",
				       cycle, i, F->queues[i]->base, want[i]);
		OK(vu_dev_start(F, D->features));
	}
	ENG_OK(eng_random(&e, 48, sizes, NSIZES, 50));
	ENG_OK(eng_verify(&e));
	TH_LOG("queue 0 ended at base %#x", vu_vq_driver_base(F->queues[0]));
	eng_free(&e);
}

/*
 * Stop right after a batch is kicked: GET_VRING_BASE waits until what was
 * fetched has completed (split: used idx equals the base; packed: the
 * used position equals the avail one); the rest is fetched after the
 * restart; every block is right.
 */
TEST_F_TIMEOUT(dev, stop_inflight, CASE_TIMEOUT)
{
	unsigned int i, fetched = 0, total = 0;
	struct eng e;

	ENG_OK(eng_init(&e, D, D->env.num < 32 ? D->env.num : 32, 16384, 0));
	ENG_OK(eng_fill(&e));
	ASSERT_EQ(0, submit_all(&e, true)) TH_LOG("%s", e.err);
	/* On a slow disk: let the poller fetch them, so they are in flight. */
	vu_sleep_ms(env_num("VU_STOP_DELAY_MS", 0));
	OK(vu_dev_stop(F));
	for (i = 0; i < F->nqueues; i++) {
		struct vu_queue *q = F->queues[i];
		uint32_t b = q->base;

		total += q->inflight;
		if (q->packed) {
			ASSERT_EQ(b & 0xffff, b >> 16)
				TH_LOG("queue %u: base %#x: used position behind avail after the drain",
				       i, b);
		} else {
			uint16_t used = *(uint16_t *)vu_gpa(F, q->used_gpa + 2, 2);

			ASSERT_EQ((uint16_t)b, used)
				TH_LOG("queue %u: base %u, used idx %u after the drain",
				       i, b, used);
			fetched += (uint16_t)(b - q->last_used);
		}
	}
	TH_LOG("%u requests in flight at the stop%s", total,
	       F->queues[0]->packed ? "" : "; fetched before it");
	if (!F->queues[0]->packed)
		TH_LOG("%u of them fetched before the stop", fetched);
	OK(vu_dev_start(F, D->features));
	ENG_OK(eng_drain(&e));
	ENG_OK(eng_random(&e, 32, sizes, NSIZES, 50));
	ENG_OK(eng_verify(&e));
	eng_free(&e);
}

/*
 * SET_VRING_ENABLE 0 with requests in flight: they complete (used
 * entries, calls), nothing new is fetched; SET_VRING_ENABLE 1 fetches it.
 */
TEST_F_TIMEOUT(dev, disable_inflight, CASE_TIMEOUT)
{
	struct vu_queue *q = F->queues[0];
	unsigned int n = q->num / (q->indirect ? 1 : 3), i;
	int quiet = env_num("VU_QUIET_MS", QUIET_MS);
	struct vu_blk_req *r, *got;
	uint64_t buf;

	if (n > 4)
		n = 4;
	r = calloc(2 * n, sizeof(*r));
	buf = vu_alloc(F, 0, 4096ULL * 2 * n, 4096);
	ASSERT_TRUE(r && buf);
	for (i = 0; i < 2 * n; i++) {
		r[i].type = VIRTIO_BLK_T_IN;
		r[i].sector = 8 * i;
		r[i].ndata = 1;
		r[i].data[0] = (struct vu_buf){ .gpa = buf + 4096ULL * i, .len = 4096 };
		r[i].flags = q->indirect ? VU_CHAIN_INDIRECT : 0;
	}
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, vu_blk_submit(q, &r[i])) TH_LOG("%s", F->err);
	vu_vq_kick(q);
	vu_sleep_ms(env_num("VU_STOP_DELAY_MS", 0));
	OK(vu_set_vring_enable(F, 0, false));
	/* What was fetched completes; nothing new is fetched. */
	for (i = 0; i < n; i++) {
		if (r[i].done)
			continue;
		ASSERT_EQ(1, vu_blk_reap(q, D->env.timeout_ms, &got))
			TH_LOG("request %u of the first batch did not complete after the disable", i);
		ASSERT_TRUE(got < r + n) TH_LOG("a request made available after the disable completed");
		STATUS_IS(got, VIRTIO_BLK_S_OK);
	}
	for (i = n; i < 2 * n; i++)
		ASSERT_EQ(0, vu_blk_submit(q, &r[i])) TH_LOG("%s", F->err);
	vu_vq_kick_now(q);
	ASSERT_EQ(0, vu_vq_wait(q, quiet)) TH_LOG("a disabled ring fetched a new request");
	OK(vu_set_vring_enable(F, 0, true));
	for (i = n; i < 2 * n; i++) {
		ASSERT_EQ(1, vu_blk_reap(q, D->env.timeout_ms, &got))
			TH_LOG("%u of %u requests completed after the enable", i - n, n);
		STATUS_IS(got, VIRTIO_BLK_S_OK);
	}
	free(r);
}

/*
 * RESET_DEVICE with requests in flight: rings, features and status are
 * forgotten, memory kept; a fresh start from reset rings works.
 */
TEST_F_TIMEOUT(dev, reset_device_under_io, CASE_TIMEOUT)
{
	uint64_t status;
	unsigned int i;
	struct eng e;

	ENG_OK(eng_init(&e, D, D->env.num < 16 ? D->env.num : 16, 16384, 0));
	ENG_OK(eng_fill(&e));
	ASSERT_EQ(0, submit_all(&e, false)) TH_LOG("%s", e.err);
	OK(vu_reset_device(F));
	OK(vu_get_status(F, &status));
	ASSERT_EQ(0, status);
	eng_free(&e);
	for (i = 0; i < F->nqueues; i++)
		vu_queue_reset(F->queues[i]);
	OK(vu_dev_start(F, D->features));
	ENG_OK(eng_init(&e, D, D->env.num < 16 ? D->env.num : 16, 16384, 0));
	ENG_OK(eng_fill(&e));
	ENG_OK(eng_random(&e, 32, sizes, NSIZES, 50));
	ENG_OK(eng_verify(&e));
	eng_free(&e);
}

/* ========================================================================
 * Memory
 * ========================================================================
 */

/*
 * VmLck is the guest memory while it is in the table, whatever the
 * regions; 0 once REM_MEM_REG removed them all, the whole again after
 * ADD_MEM_REG, 0 after the hang-up.
 */
TEST_F_TIMEOUT(dev, vmlck, CASE_TIMEOUT)
{
	long total = vu_mem_total(F) / 1024;
	unsigned int i;
	struct eng e;

	VMLCK_IS(total);
	ENG_OK(eng_init(&e, D, 4, 65536, 0));
	ENG_OK(eng_fill(&e));
	OK(vu_dev_stop(F));
	VMLCK_IS(total);
	for (i = 0; i < F->nregions; i++)
		OK(vu_mem_rem_region(F, i));
	VMLCK_IS(0);
	OK(vu_mem_add_all(F));
	VMLCK_IS(total);
	OK(vu_dev_start(F, D->features));
	ENG_OK(eng_random(&e, 32, sizes, NSIZES, 50));
	ENG_OK(eng_verify(&e));
	eng_free(&e);
	vu_close(F);
	VMLCK_IS(0);
}

/*
 * SET_MEM_TABLE of the same regions again (QEMU resends whole tables):
 * reused, not pinned and charged again; I/O goes on.
 */
TEST_F_TIMEOUT(dev, mem_table_resend, CASE_TIMEOUT)
{
	long total = vu_mem_total(F) / 1024;
	struct eng e;
	int i;

	VMLCK_IS(total);
	ENG_OK(eng_init(&e, D, 4, 65536, 0));
	ENG_OK(eng_fill(&e));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, submit_all(&e, true)) TH_LOG("%s", e.err);
		OK(vu_mem_set_table(F));
		ENG_OK(eng_drain(&e));
		VMLCK_IS(total);
	}
	ENG_OK(eng_verify(&e));
	eng_free(&e);
}

/* REM and ADD of a region the I/O does not use, while it runs. */
TEST_F_TIMEOUT(dev, unrelated_region_under_io, CASE_TIMEOUT)
{
	long total = vu_mem_total(F) / 1024;
	unsigned int last = F->nregions - 1;
	struct eng e;
	int i;

	if (F->nregions < 2)
		SKIP(return, "one region (VU_REGIONS=2)");
	ENG_OK(eng_init(&e, D, 8, 65536, 0));
	ENG_OK(eng_fill(&e));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, submit_all(&e, i % 2)) TH_LOG("%s", e.err);
		OK(vu_mem_rem_region(F, last));
		VMLCK_IS(total - (long)(F->regions[last].size / 1024));
		OK(vu_mem_add_region(F, last));
		ENG_OK(eng_drain(&e));
		VMLCK_IS(total);
	}
	ENG_OK(eng_verify(&e));
	eng_free(&e);
}

/*
 * The rings' own region removed (QEMU 7.2 removes before it adds): the
 * queues park, nothing is fetched or used; added back, they go on.
 */
TEST_F_TIMEOUT(dev, ring_region_readd, CASE_TIMEOUT)
{
	long total = vu_mem_total(F) / 1024;
	struct eng e;
	unsigned int i;

	ENG_OK(eng_init(&e, D, 8, 16384, 0));
	ENG_OK(eng_fill(&e));
	OK(vu_mem_rem_region(F, 0));
	ASSERT_EQ(0, submit_all(&e, true)) TH_LOG("%s", e.err);
	for (i = 0; i < F->nqueues; i++)
		ASSERT_EQ(0, vu_vq_wait(F->queues[i], QUIET_MS))
			TH_LOG("queue %u used a buffer while its ring was out of the table", i);
	OK(vu_mem_add_region(F, 0));
	ENG_OK(eng_drain(&e));
	VMLCK_IS(total);
	ENG_OK(eng_random(&e, 32, sizes, NSIZES, 50));
	ENG_OK(eng_verify(&e));
	eng_free(&e);
}

/*
 * The drain bound: on a disk slower than drain_timeout_ms (the script
 * sets both), GET_VRING_BASE replies with the base once the bound has
 * passed, then the session ends; the old session drains in the
 * background, a new connection sets up meanwhile (on the same rings, as
 * QEMU's reconnect has it) and works once the old requests ended, and
 * the old pages are unpinned once the disk has answered.
 *
 * Once found as a bug: when the abandoned requests completed, the ended
 * session still wrote their status bytes and used entries into the ring
 * after GET_VRING_BASE told the front end where the ring stopped, and the
 * new session's driver found used entries for ids it never made
 * available ("used id 6 not in flight"). They must stay out.
 */
TEST_F_TIMEOUT(dev, drain_bound, CASE_TIMEOUT)
{
	long total = vu_mem_total(F) / 1024;
	unsigned int bound = env_num("VU_DRAIN_MS", 0), i;
	long long t0, took;
	uint32_t base;
	struct eng e;

	if (!bound)
		SKIP(return, "VU_DRAIN_MS (the module's drain_timeout_ms on a slower disk) not set");
	ENG_OK(eng_init(&e, D, 4, 4096, 0));
	ASSERT_EQ(0, submit_all(&e, true)) TH_LOG("%s", e.err);
	/* Let the poller fetch them. */
	vu_sleep_ms(env_num("VU_STOP_DELAY_MS", 100));
	OK(vu_set_status(F, 0));
	for (i = 0; i < F->nqueues; i++)
		OK(vu_set_vring_enable(F, i, false));
	t0 = vu_now_ms();
	OK(vu_get_vring_base(F, 0, &base));
	took = vu_now_ms() - t0;
	TH_LOG("GET_VRING_BASE replied %#x after %lld ms (bound %u ms)", base, took, bound);
	ASSERT_LE(bound * 9 / 10, took);
	OK(vu_expect_hangup(F, 10000));
	eng_free(&e);
	/* A new session, while the old one drains; it fetches after that. */
	vu_close(F);
	OK(vu_open(F, D->env.sock, OPEN_MS));
	OK(vu_qemu72_realize(F, F->nqueues, VU_REALIZE_OPENED, &D->cfg));
	for (i = 0; i < F->nqueues; i++)
		vu_queue_reset(F->queues[i]);
	OK(vu_dev_start(F, D->features));
	ENG_OK(eng_init(&e, D, 2, 4096, 0));
	ENG_OK(eng_fill(&e));
	ENG_OK(eng_verify(&e));
	eng_free(&e);
	/* The old session's pins (charged to us too) go once it drained. */
	VMLCK_IS(total);
}

/* ========================================================================
 * The front end and vdevd going away
 * ========================================================================
 */

/*
 * The front end hangs up with requests in flight: the session drains and
 * unpins (VmLck 0), and a new connection works from scratch.
 */
TEST_F_TIMEOUT(dev, hangup_inflight, CASE_TIMEOUT)
{
	long total = vu_mem_total(F) / 1024;
	struct eng e;
	unsigned int i;

	ENG_OK(eng_init(&e, D, D->env.num < 32 ? D->env.num : 32, 16384, 0));
	ENG_OK(eng_fill(&e));
	ASSERT_EQ(0, submit_all(&e, true)) TH_LOG("%s", e.err);
	eng_free(&e);
	vu_close(F);
	VMLCK_IS(0);
	OK(vu_open(F, D->env.sock, OPEN_MS));
	OK(vu_qemu72_realize(F, F->nqueues, VU_REALIZE_OPENED, &D->cfg));
	for (i = 0; i < F->nqueues; i++)
		vu_queue_reset(F->queues[i]);
	OK(vu_dev_start(F, D->features));
	VMLCK_IS(total);
	ENG_OK(eng_init(&e, D, 8, 16384, 0));
	ENG_OK(eng_fill(&e));
	ENG_OK(eng_random(&e, 32, sizes, NSIZES, 50));
	ENG_OK(eng_verify(&e));
	eng_free(&e);
}

/*
 * vdevd killed under I/O: the data path is the kernel's, so I/O goes on;
 * once vdevd is back, the stop and a start work.
 */
TEST_F_TIMEOUT(dev, vdevd_killed_under_io, CASE_TIMEOUT)
{
	struct eng e;
	int rc;

	if (!getenv("VU_KILL_CMD") || !getenv("VU_START_CMD"))
		SKIP(return, "VU_KILL_CMD and VU_START_CMD not set");
	ENG_OK(eng_init(&e, D, 8, 16384, 0));
	ENG_OK(eng_fill(&e));
	ASSERT_EQ(0, submit_all(&e, true)) TH_LOG("%s", e.err);
	rc = run_env_cmd("VU_KILL_CMD");
	ASSERT_EQ(0, rc) TH_LOG("VU_KILL_CMD failed");
	ENG_OK(eng_random(&e, 64, sizes, NSIZES, 50));
	rc = run_env_cmd("VU_START_CMD");
	ASSERT_EQ(0, rc) TH_LOG("VU_START_CMD failed");
	F->timeout_ms = RESTART_MS;
	OK(vu_dev_stop(F));
	OK(vu_dev_start(F, D->features));
	ENG_OK(eng_random(&e, 32, sizes, NSIZES, 50));
	ENG_OK(eng_verify(&e));
	eng_free(&e);
}

/* ========================================================================
 * The inflight region (INFLIGHT_SHMFD)
 * ========================================================================
 */

#define IFL_LD(p)	__atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define WHY_LEN		256

/* The region must be there: the fixture ran with VU_INFLIGHT=1. */
#define NEED_REGION() do {						\
	if (!D->env.inflight)						\
		SKIP(return, "VU_INFLIGHT=1 not set");			\
	ASSERT_TRUE(F->acked_protocol & VU_PF(INFLIGHT_SHMFD))		\
		TH_LOG("INFLIGHT_SHMFD not negotiated: acked %#llx",	\
		       (unsigned long long)F->acked_protocol);		\
	ASSERT_LE(0, F->infl.fd) TH_LOG("GET_INFLIGHT_FD gave no region"); \
	ASSERT_NE(NULL, F->infl.map);					\
} while (0)

static int why(char *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int why(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, WHY_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

/* Split: the id of used ring entry @idx. */
static uint16_t used_id(struct vu_queue *q, uint16_t idx)
{
	struct vring_used_elem *e = vu_gpa(q->f, q->used_gpa + 4 +
					   8ULL * (idx % q->num), 8);

	return IFL_LD(e->id);
}

/*
 * Queue @qi's part of the region after a started ring with nothing in
 * flight: version 1, desc_num the ring's size, used_idx the used ring's,
 * no entry in flight; and the last batch is the used ring's last entries
 * (last_batch_head the newest, each next the one before it), @batch of
 * them at most.
 */
static int region_packed_idle(struct vu_front *f, unsigned int qi, char *buf);

static int region_idle(struct vu_front *f, unsigned int qi, unsigned int batch,
		       char *buf)
{
	struct vu_inflight_queue *h = vu_inflight_queue(&f->infl, qi);
	struct vu_queue *q = f->queues[qi];
	uint16_t used, head, k;
	unsigned int i;

	if (!h)
		return why(buf, "queue %u: outside the region of %llu bytes",
			   qi, (unsigned long long)f->infl.size);
	if (q->packed)
		return region_packed_idle(f, qi, buf);
	used = vu_vq_used_idx(q);
	if (IFL_LD(h->version) != 1 || IFL_LD(h->desc_num) != q->num)
		return why(buf, "queue %u: version %u desc_num %u, want 1 and %u",
			   qi, IFL_LD(h->version), IFL_LD(h->desc_num), q->num);
	if (IFL_LD(h->used_idx) != used)
		return why(buf, "queue %u: region's used_idx %u, the used ring's %u",
			   qi, IFL_LD(h->used_idx), used);
	for (i = 0; i < q->num; i++)
		if (IFL_LD(vu_inflight_desc(&f->infl, qi, i)->inflight))
			return why(buf, "queue %u: head %u in flight with nothing outstanding (used idx %u)",
				   qi, i, used);
	if (batch > used)
		batch = used;
	head = IFL_LD(h->last_batch_head);
	for (k = 1; k <= batch; k++) {
		uint16_t want = used_id(q, used - k);

		if (head != want)
			return why(buf, "queue %u: last batch entry %u is head %u, used ring entry %u is %u",
				   qi, k, head, (uint16_t)(used - k), want);
		if (head >= q->num)
			break;
		head = IFL_LD(vu_inflight_desc(&f->infl, qi, head)->next);
	}
	return 0;
}

/*
 * A packed ring's part is its header: version 1, the packed layout
 * (features 1), desc_num the ring's size, used_idx the used slot with its
 * wrap counter in bit 15, which is the driver's next used slot once it
 * took everything back; the entries stay zero.
 */
static int region_packed_idle(struct vu_front *f, unsigned int qi, char *buf)
{
	struct vu_inflight_queue *h = vu_inflight_queue(&f->infl, qi);
	struct vu_queue *q = f->queues[qi];
	uint16_t want = q->next_used | (q->used_wrap ? 0x8000 : 0), got;
	struct vu_inflight_desc *d;
	unsigned int i;

	if (IFL_LD(h->version) != 1 || IFL_LD(h->features) != 1 ||
	    IFL_LD(h->desc_num) != q->num)
		return why(buf, "queue %u: version %u features %llu desc_num %u, want 1, 1 and %u",
			   qi, IFL_LD(h->version),
			   (unsigned long long)IFL_LD(h->features),
			   IFL_LD(h->desc_num), q->num);
	got = IFL_LD(h->used_idx);
	if (got != want)
		return why(buf, "queue %u: region's used slot %#x, the driver's next used %#x",
			   qi, got, want);
	for (i = 0; i < q->num; i++) {
		d = vu_inflight_desc(&f->infl, qi, i);
		if (IFL_LD(d->inflight) || IFL_LD(d->counter))
			return why(buf, "queue %u: entry %u written in a packed ring's part",
				   qi, i);
	}
	return 0;
}

#define REGION_IDLE(qi, batch) do {					\
	char __why[WHY_LEN];						\
	ASSERT_EQ(0, region_idle(F, (qi), (batch), __why))		\
		TH_LOG("%s", __why);					\
} while (0)

/*
 * Heads @heads[0..n) were made available in this order on queue @qi and
 * fetched, nothing used since q->last_used but them. Each one not used
 * yet must show inflight 1 (read before the used ring, which the device
 * writes before it clears inflight), and the counters must rise in fetch
 * order. Returns how many were in flight, or -1.
 */
static int region_batch(struct vu_front *f, unsigned int qi,
			const uint16_t *heads, unsigned int n, char *buf)
{
	struct vu_queue *q = f->queues[qi];
	uint8_t flag[VU_IND_MAX];
	uint64_t counter[VU_IND_MAX];
	unsigned int i, inflight = 0;
	uint16_t used, k;

	if (n > VU_IND_MAX)
		return why(buf, "%u heads: at most %u", n, VU_IND_MAX);
	/* A packed ring's part marks no chain: all of them are out. */
	if (q->packed)
		return n;
	for (i = 0; i < n; i++) {
		struct vu_inflight_desc *d = vu_inflight_desc(&f->infl, qi, heads[i]);

		if (!d)
			return why(buf, "queue %u head %u: outside the region", qi,
				   heads[i]);
		flag[i] = IFL_LD(d->inflight);
		counter[i] = IFL_LD(d->counter);
	}
	used = vu_vq_used_idx(q);
	for (i = 0; i < n; i++) {
		bool done = false;

		for (k = q->last_used; k != used; k++)
			done |= used_id(q, k) == heads[i];
		if (!done && flag[i] != 1)
			return why(buf, "queue %u: head %u (%u of %u) fetched, not used, inflight %u",
				   qi, heads[i], i, n, flag[i]);
		inflight += !done;
		if (i && counter[i] <= counter[i - 1])
			return why(buf, "queue %u: head %u fetched after head %u, counter %llu after %llu",
				   qi, heads[i], heads[i - 1],
				   (unsigned long long)counter[i],
				   (unsigned long long)counter[i - 1]);
	}
	return inflight;
}

/* The slots of @e busy on queue @qi, in the order they were made available. */
static unsigned int busy_heads(struct eng *e, unsigned int qi, uint16_t *heads)
{
	unsigned int s, n = 0, i, j;
	long long order[VU_IND_MAX];

	for (s = 0; s < e->nslots && n < VU_IND_MAX; s++) {
		if (!e->slots[s].busy || eng_queue(e, s)->index != qi)
			continue;
		heads[n] = e->slots[s].req.id;
		order[n++] = e->slots[s].req.submitted;
	}
	for (i = 1; i < n; i++)
		for (j = i; j && order[j] < order[j - 1]; j--) {
			long long o = order[j];
			uint16_t h = heads[j];

			order[j] = order[j - 1];
			heads[j] = heads[j - 1];
			order[j - 1] = o;
			heads[j - 1] = h;
		}
	return n;
}

/*
 * The busy slots' requests: each one not used yet is in flight in the
 * region; @nin gets how many, over all queues.
 */
#define IN_FLIGHT(e, nin) do {						\
	uint16_t __h[VU_IND_MAX];					\
	char __why[WHY_LEN];						\
	unsigned int __i, __n;						\
	int __got;							\
	(nin) = 0;							\
	for (__i = 0; __i < F->nqueues; __i++) {			\
		__n = busy_heads((e), __i, __h);			\
		__got = region_batch(F, __i, __h, __n, __why);		\
		ASSERT_LE(0, __got) TH_LOG("queue %u, %u requests: %s",	\
					   __i, __n, __why);		\
		(nin) += __got;						\
	}								\
} while (0)

#define POISON		0xdeadbeefU

/*
 * Overwrite the used entries the driver consumed since @from: a device
 * never writes them again, so one that does (a chain fetched and pushed
 * twice, at the same ring positions) shows. The used idx alone would not
 * show it when the duplicate pushes rewrite the same entries.
 */
static void poison_used(struct vu_queue *q, uint16_t from)
{
	uint16_t k;

	for (k = from; k != q->last_used; k++) {
		struct vring_used_elem *e = vu_gpa(q->f, q->used_gpa + 4 +
						   8ULL * (k % q->num), 8);

		__atomic_store_n(&e->id, POISON, __ATOMIC_RELAXED);
		__atomic_store_n(&e->len, POISON, __ATOMIC_RELAXED);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static int poisoned(struct vu_queue *q, uint16_t from, char *buf)
{
	uint16_t k;

	for (k = from; k != q->last_used; k++) {
		struct vring_used_elem *e = vu_gpa(q->f, q->used_gpa + 4 +
						   8ULL * (k % q->num), 8);
		uint32_t id = IFL_LD(e->id), len = IFL_LD(e->len);

		if (id != POISON || len != POISON)
			return why(buf, "queue %u: used entry %u written again after it was consumed: id %u len %u",
				   q->index, k, id, len);
	}
	return 0;
}

/*
 * Each queue's used idx moved by exactly what was made available since
 * @used0, and for 2 s (longer than the slow disk takes) nothing more is
 * used and no consumed used entry is written again: every request
 * completed once. A packed ring has no used idx: the driver took back
 * every slot it made available, and nothing more comes for 2 s.
 */
static int used_exactly(struct vu_front *f, const uint16_t *used0,
			const unsigned int *made, char *buf)
{
	struct vu_queue *q;
	unsigned int i;

	for (i = 0; i < f->nqueues; i++) {
		q = f->queues[i];
		if (q->packed) {
			if (q->next_used != q->next_avail ||
			    q->used_wrap != q->avail_wrap)
				return why(buf, "queue %u: used up to slot %u wrap %u, made available up to %u wrap %u",
					   i, q->next_used, q->used_wrap,
					   q->next_avail, q->avail_wrap);
			continue;
		}
		if ((uint16_t)(used0[i] + made[i]) != vu_vq_used_idx(q))
			return why(buf, "queue %u: used idx %u, %u made available from %u",
				   i, vu_vq_used_idx(q), made[i], used0[i]);
		poison_used(q, used0[i]);
	}
	for (i = 0; i < f->nqueues; i++) {
		q = f->queues[i];
		if (vu_vq_wait(q, 2000))
			return why(buf, "queue %u: a used entry more (driver took %u)",
				   i, q->packed ? q->next_used : q->last_used);
		if (q->packed)
			continue;
		if (poisoned(q, used0[i], buf))
			return -1;
		if ((uint16_t)(used0[i] + made[i]) != vu_vq_used_idx(q))
			return why(buf, "queue %u: used idx %u, then %u",
				   i, (uint16_t)(used0[i] + made[i]),
				   vu_vq_used_idx(q));
	}
	return 0;
}

#define USED_EXACTLY(used0, made) do {					\
	char __why[WHY_LEN];						\
	ASSERT_EQ(0, used_exactly(F, (used0), (made), __why))		\
		TH_LOG("%s", __why);					\
} while (0)

/*
 * The region from GET_INFLIGHT_FD: its size and shape, set up by the
 * ring's start; while a batch is fetched and not used its heads are in
 * flight, counted in fetch order; once used, nothing is in flight and
 * the last batch is the used ring's tail.
 */
TEST_F_TIMEOUT(dev, inflight_region, CASE_TIMEOUT)
{
	bool slow = env_num("VU_EXPECT_INFLIGHT", 0);
	unsigned int n = 8, i, k;
	struct vu_blk_req (*r)[8], *got;
	uint16_t heads[8];
	char buf[WHY_LEN];
	uint64_t data;
	int ret;

	NEED_REGION();
	ASSERT_EQ(F->nqueues * VU_INFLIGHT_STRIDE(F->queues[0]->num), F->infl.size);
	ASSERT_EQ(0, F->infl.offset);
	ASSERT_EQ(F->nqueues, F->infl.num_queues);
	ASSERT_EQ(F->queues[0]->num, F->infl.queue_size);
	/* Started: set up, nothing in flight. */
	for (i = 0; i < F->nqueues; i++)
		REGION_IDLE(i, 0);
	data = vu_alloc(F, 0, 4096ULL * n * F->nqueues, 4096);
	ASSERT_NE(0, data);
	r = calloc(F->nqueues, sizeof(*r));
	ASSERT_NE(NULL, r);
	for (i = 0; i < F->nqueues; i++) {
		struct vu_queue *q = F->queues[i];

		for (k = 0; k < n; k++) {
			struct vu_blk_req *b = &r[i][k];

			b->type = VIRTIO_BLK_T_OUT;
			b->sector = 8ULL * (i * n + k);
			b->ndata = 1;
			b->data[0] = (struct vu_buf){
				.gpa = data + 4096ULL * (i * n + k), .len = 4096 };
			b->flags = q->indirect ? VU_CHAIN_INDIRECT : 0;
			ASSERT_EQ(0, vu_blk_submit(q, b)) TH_LOG("%s", F->err);
		}
		vu_vq_kick_now(q);
	}
	for (i = 0; i < F->nqueues; i++)
		if (F->queues[i]->event_idx)
			OK(vu_vq_wait_fetched(F->queues[i], D->env.timeout_ms));
	vu_sleep_ms(env_num("VU_STOP_DELAY_MS", 0));
	for (i = 0; i < F->nqueues; i++) {
		for (k = 0; k < n; k++)
			heads[k] = r[i][k].id;
		ret = region_batch(F, i, heads, n, buf);
		ASSERT_LE(0, ret) TH_LOG("%s", buf);
		TH_LOG("queue %u: %d of %u requests in flight in the region", i, ret, n);
		if (slow)
			ASSERT_LT(0, ret) TH_LOG("queue %u: the slow disk answered all within %llu ms",
						 i, env_num("VU_STOP_DELAY_MS", 0));
	}
	for (i = 0; i < F->nqueues; i++)
		for (k = 0; k < n; k++) {
			ASSERT_EQ(1, vu_blk_reap(F->queues[i], D->env.timeout_ms, &got))
				TH_LOG("queue %u: %u of %u completed", i, k, n);
			STATUS_IS(got, VIRTIO_BLK_S_OK);
		}
	free(r);
	for (i = 0; i < F->nqueues; i++)
		REGION_IDLE(i, n);
}

/*
 * The front end hangs up with writes in flight and reconnects at once,
 * as QEMU does: SET_INFLIGHT_FD with the region it kept, the rings at
 * the used idx it finds (split), or at the base of their last start
 * (packed: QEMU has nothing to restore it from). The ended session drains
 * into the ring (drain_timeout_ms is far off) and the new one starts once
 * it let go, a packed ring at the used slot its part says: each request
 * completes exactly once, none lost, and the data is there.
 */
TEST_F_TIMEOUT(dev, inflight_hangup_reconnect, CASE_TIMEOUT)
{
	uint16_t used0[VU_MAX_QUEUES];
	unsigned int made[VU_MAX_QUEUES], i, total = 0, nin;
	struct eng e;

	NEED_REGION();
	ENG_OK(eng_init(&e, D, D->env.num < 16 ? D->env.num : 16, 16384, 0));
	ENG_OK(eng_fill(&e));
	for (i = 0; i < F->nqueues; i++) {
		used0[i] = vu_vq_used_idx(F->queues[i]);
		made[i] = F->queues[i]->avail_idx;
	}
	ASSERT_EQ(0, submit_all(&e, true)) TH_LOG("%s", e.err);
	vu_sleep_ms(env_num("VU_STOP_DELAY_MS", 0));
	IN_FLIGHT(&e, nin);
	TH_LOG("%u of the writes in flight in the region before the hang-up", nin);
	if (env_num("VU_EXPECT_INFLIGHT", 0))
		ASSERT_LT(0, nin) TH_LOG("the slow disk answered them all before the hang-up");
	for (i = 0; i < F->nqueues; i++) {
		made[i] = (uint16_t)(F->queues[i]->avail_idx - made[i]);
		total += F->queues[i]->inflight;
	}
	/* The break: QEMU takes the used idx as where each ring stopped. */
	vu_close(F);
	vu_queues_restore_base(F);
	TH_LOG("%u requests in flight at the hang-up; queue 0 restarts at %u",
	       total, F->queues[0]->base);
	OK(vu_open(F, D->env.sock, OPEN_MS));
	OK(vu_qemu72_realize(F, F->nqueues, VU_REALIZE_OPENED, &D->cfg));
	OK(vu_dev_start(F, D->features));
	ENG_OK(eng_drain(&e));
	USED_EXACTLY(used0, made);
	for (i = 0; i < F->nqueues; i++)
		REGION_IDLE(i, 0);
	ENG_OK(eng_verify(&e));
	for (i = 0; i < F->nqueues; i++)
		REGION_IDLE(i, 1);
	eng_free(&e);
}

/*
 * GET_VRING_BASE gives up after drain_timeout_ms on a slower disk and
 * the session ends: the requests it abandoned are never used by it and
 * stay in flight in the region. A new session with the same region
 * resubmits them, whatever base SET_VRING_BASE says (here the one
 * GET_VRING_BASE gave, past them), and each completes exactly once.
 */
TEST_F_TIMEOUT(dev, inflight_resubmit, CASE_TIMEOUT)
{
	unsigned int bound = env_num("VU_DRAIN_MS", 0), i, total = 0, nin, nab;
	uint16_t used0[VU_MAX_QUEUES], used_end[VU_MAX_QUEUES];
	unsigned int made[VU_MAX_QUEUES];
	uint32_t base[VU_MAX_QUEUES];
	long long t0, took;
	struct eng e;

	NEED_REGION();
	if (!bound)
		SKIP(return, "VU_DRAIN_MS (the module's drain_timeout_ms on a slower disk) not set");
	ENG_OK(eng_init(&e, D, 4, 4096, 0));
	ENG_OK(eng_fill(&e));
	for (i = 0; i < F->nqueues; i++) {
		used0[i] = vu_vq_used_idx(F->queues[i]);
		made[i] = F->queues[i]->avail_idx;
	}
	ASSERT_EQ(0, submit_all(&e, true)) TH_LOG("%s", e.err);
	vu_sleep_ms(env_num("VU_STOP_DELAY_MS", 100));
	IN_FLIGHT(&e, nin);
	ASSERT_LT(0, nin) TH_LOG("the slow disk answered them all before the stop");
	for (i = 0; i < F->nqueues; i++) {
		made[i] = (uint16_t)(F->queues[i]->avail_idx - made[i]);
		total += F->queues[i]->inflight;
	}
	OK(vu_set_status(F, 0));
	for (i = 0; i < F->nqueues; i++)
		OK(vu_set_vring_enable(F, i, false));
	t0 = vu_now_ms();
	OK(vu_get_vring_base(F, 0, &base[0]));
	took = vu_now_ms() - t0;
	TH_LOG("GET_VRING_BASE replied %#x after %lld ms (bound %u ms), %u requests in flight",
	       base[0], took, bound, total);
	ASSERT_LE(bound * 9 / 10, took);
	OK(vu_expect_hangup(F, 10000));
	for (i = 1; i < F->nqueues; i++)
		base[i] = vu_vq_driver_base(F->queues[i]);
	/* Abandoned: in flight in the region, and not used, even once done. */
	for (i = 0; i < F->nqueues; i++)
		used_end[i] = vu_vq_used_idx(F->queues[i]);
	IN_FLIGHT(&e, nab);
	TH_LOG("%u requests in flight at the stop, %u abandoned", nin, nab);
	ASSERT_LT(0, nab);
	vu_sleep_ms(1500);
	IN_FLIGHT(&e, nin);
	ASSERT_EQ(nab, nin) TH_LOG("abandoned requests no longer marked in flight");
	for (i = 0; i < F->nqueues; i++)
		ASSERT_EQ(used_end[i], vu_vq_used_idx(F->queues[i]))
			TH_LOG("queue %u: the ended session used abandoned requests", i);
	/* The new session, with GET_VRING_BASE's bases. */
	vu_close(F);
	OK(vu_open(F, D->env.sock, OPEN_MS));
	OK(vu_qemu72_realize(F, F->nqueues, VU_REALIZE_OPENED, &D->cfg));
	for (i = 0; i < F->nqueues; i++)
		F->queues[i]->base = base[i];
	OK(vu_dev_start(F, D->features));
	ENG_OK(eng_drain(&e));
	USED_EXACTLY(used0, made);
	for (i = 0; i < F->nqueues; i++)
		REGION_IDLE(i, 0);
	ENG_OK(eng_verify(&e));
	for (i = 0; i < F->nqueues; i++)
		REGION_IDLE(i, 1);
	eng_free(&e);
}

/* The number the command in @var prints, or -1. */
static long env_cmd_number(const char *var)
{
	const char *cmd = getenv(var);
	long n = -1;
	FILE *fp;

	if (!cmd)
		return -1;
	fp = popen(cmd, "r");
	if (!fp)
		return -1;
	if (fscanf(fp, "%ld", &n) != 1)
		n = -1;
	return pclose(fp) == 0 ? n : -1;
}

/*
 * A request the last session abandoned is still out when the next
 * session starts its rings: the script's disk holds it (a suspended dm
 * device). Fetched again before it ended, the two bios would race: the
 * old one could land after the new one completed, a read over a buffer
 * the guest reused, a write over a newer one. So the new session fetches
 * nothing, not even what it resubmits, until the old one has no request
 * out (VU_PEEK_CMD prints the controller's requests in flight); then each
 * completes exactly once.
 */
TEST_F_TIMEOUT(dev, inflight_held, CASE_TIMEOUT)
{
	uint16_t used0[VU_MAX_QUEUES], used_held[VU_MAX_QUEUES];
	unsigned int made[VU_MAX_QUEUES], i, nin, nab;
	long fetched;
	struct eng e;

	NEED_REGION();
	if (!getenv("VU_HOLD_CMD") || !getenv("VU_RELEASE_CMD") ||
	    !getenv("VU_PEEK_CMD"))
		SKIP(return, "VU_HOLD_CMD, VU_RELEASE_CMD, VU_PEEK_CMD not set");
	ENG_OK(eng_init(&e, D, 4, 4096, 0));
	ENG_OK(eng_fill(&e));
	for (i = 0; i < F->nqueues; i++) {
		used0[i] = vu_vq_used_idx(F->queues[i]);
		made[i] = F->queues[i]->avail_idx;
	}
	ASSERT_EQ(0, run_env_cmd("VU_HOLD_CMD"));
	ASSERT_EQ(0, submit_all(&e, true)) TH_LOG("%s", e.err);
	vu_sleep_ms(env_num("VU_STOP_DELAY_MS", 300));
	IN_FLIGHT(&e, nin);
	ASSERT_LT(0, nin) TH_LOG("the held disk answered");
	for (i = 0; i < F->nqueues; i++) {
		made[i] = (uint16_t)(F->queues[i]->avail_idx - made[i]);
		used_held[i] = vu_vq_used_idx(F->queues[i]);
	}
	/* The break; the old session gives the rings up after the bound. */
	vu_close(F);
	vu_queues_restore_base(F);
	OK(vu_open(F, D->env.sock, OPEN_MS));
	OK(vu_qemu72_realize(F, F->nqueues, VU_REALIZE_OPENED, &D->cfg));
	OK(vu_dev_start(F, D->features));
	vu_sleep_ms(env_num("VU_QUIET_MS", QUIET_MS) * 3);
	fetched = env_cmd_number("VU_PEEK_CMD");
	ASSERT_EQ(0, fetched)
		TH_LOG("the new session fetched %ld requests while the old one still had %u out",
		       fetched, nin);
	IN_FLIGHT(&e, nab);
	ASSERT_EQ(nin, nab) TH_LOG("in flight in the region: %u, then %u", nin, nab);
	for (i = 0; i < F->nqueues; i++)
		ASSERT_EQ(used_held[i], vu_vq_used_idx(F->queues[i]))
			TH_LOG("queue %u: used while the old requests were held", i);
	ASSERT_EQ(0, run_env_cmd("VU_RELEASE_CMD"));
	ENG_OK(eng_drain(&e));
	USED_EXACTLY(used0, made);
	for (i = 0; i < F->nqueues; i++)
		REGION_IDLE(i, 0);
	ENG_OK(eng_verify(&e));
	eng_free(&e);
}

/* A refusal with NEED_REPLY: the ack carries one of the errnos. */
#define REFUSED_WITH(expr, e1, e2) do {					\
	int __r = (expr);						\
	ASSERT_EQ(-EREMOTEIO, __r) TH_LOG("%s: %d (%s), want a refusal", \
					  #expr, __r, F->err);		\
	ASSERT_TRUE(F->last_ack == (e1) || F->last_ack == (e2))	\
		TH_LOG("%s: ack %llu, want %d or %d", #expr,		\
		       (unsigned long long)F->last_ack, (e1), (e2));	\
	OK(vu_fence(F));						\
} while (0)

/* GET_INFLIGHT_FD refused: mmap_size 0, no fd (vu_get_inflight_fd()). */
#define GET_REFUSED(nq, qs) do {					\
	struct vu_inflight __r;						\
	int __ret = vu_get_inflight_fd(F, (nq), (qs), &__r);		\
	ASSERT_EQ(-EREMOTEIO, __ret)					\
		TH_LOG("GET_INFLIGHT_FD(%u queues of %u): %d (%s), want the zero reply", \
		       (unsigned int)(nq), (unsigned int)(qs), __ret, F->err); \
	ASSERT_EQ(-1, __r.fd);						\
	ASSERT_EQ(0, __r.size);						\
	OK(vu_fence(F));						\
} while (0)

/* SET_INFLIGHT_FD of @r with one field changed. */
static int set_bad(struct vu_front *f, const struct vu_inflight *r, int fd,
		   uint64_t size, uint64_t offset, uint16_t nq, uint16_t qs)
{
	struct vu_inflight b = *r;

	b.fd = fd;
	b.size = size;
	b.offset = offset;
	b.num_queues = nq;
	b.queue_size = qs;
	return vu_set_inflight_fd(f, &b);
}

/* One write on queue 0 completes. */
#define ONE_WRITE_OK() do {						\
	uint64_t __buf = vu_alloc(F, 0, 4096, 4096);			\
	uint8_t __st;							\
	uint32_t __len;							\
	ASSERT_NE(0, __buf);						\
	OK(vu_blk_simple(F->queues[0], VIRTIO_BLK_T_OUT, 0, __buf, 4096, \
			 D->env.timeout_ms, &__st, &__len));		\
	ASSERT_EQ(VIRTIO_BLK_S_OK, __st);				\
} while (0)

/*
 * Bad GET_INFLIGHT_FD and SET_INFLIGHT_FD are refused and change
 * nothing; a region refused at a ring's start (desc_num not the ring's)
 * or with a bogus last batch never hangs the kernel.
 */
TEST_F_TIMEOUT(dev, inflight_bad, CASE_TIMEOUT)
{
	unsigned int nq = F->nqueues, num = F->queues[0]->num;
	unsigned int max_q = F->queue_num ? F->queue_num : nq;
	struct vu_inflight_queue *h;
	struct vu_inflight r, big;
	int efd, pfd[2], ret;
	uint16_t used;

	if (D->env.inflight)
		SKIP(return, "makes its own region: run without VU_INFLIGHT");
	if (!(F->acked_protocol & VU_PF(INFLIGHT_SHMFD)))
		SKIP(return, "INFLIGHT_SHMFD not negotiated (acked %#llx)",
		     (unsigned long long)F->acked_protocol);
	ASSERT_TRUE(F->need_reply);
	ASSERT_EQ(0, vu_inflight_create(F, &r, nq, num)) TH_LOG("%s", F->err);
	ASSERT_EQ(0, vu_inflight_create(F, &big, max_q + 1, num)) TH_LOG("%s", F->err);

	/* Rings running: both refused (EBUSY). */
	GET_REFUSED(nq, num);
	REFUSED_WITH(vu_set_inflight_fd(F, &r), EBUSY, EBUSY);
	ONE_WRITE_OK();
	OK(vu_dev_stop(F));

	GET_REFUSED(0, num);
	GET_REFUSED(max_q + 1, num);
	GET_REFUSED(nq, 0);
	GET_REFUSED(nq, 32769);

	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	REFUSED_WITH(set_bad(F, &r, efd, r.size, 0, nq, num), EBADF, EINVAL);
	REFUSED_WITH(set_bad(F, &r, pfd[0], r.size, 0, nq, num), EBADF, EINVAL);
	close(efd);
	close(pfd[0]);
	close(pfd[1]);
	REFUSED_WITH(set_bad(F, &r, r.fd, r.size - 64, 0, nq, num), EINVAL, EINVAL);
	REFUSED_WITH(set_bad(F, &big, big.fd, big.size - 64, 32, nq, num), EINVAL, EINVAL);
	REFUSED_WITH(set_bad(F, &big, big.fd, big.size, 0, max_q + 1, num), EINVAL, EINVAL);
	REFUSED_WITH(set_bad(F, &r, r.fd, r.size, 0, 0, num), EINVAL, EINVAL);
	REFUSED_WITH(set_bad(F, &r, r.fd, r.size, 0, nq, 0), EINVAL, EINVAL);
	REFUSED_WITH(set_bad(F, &big, big.fd, big.size, 0, nq, 32769), EINVAL, EINVAL);
	/* The range must lie in the file (ENXIO, as for memory regions). */
	REFUSED_WITH(set_bad(F, &r, r.fd, r.size, 4096, nq, num), EINVAL, ENXIO);
	REFUSED_WITH(set_bad(F, &r, r.fd, r.size, 1ULL << 62, nq, num), EINVAL, ENXIO);
	/* Nothing of them stuck: the region set now is tracked at start. */
	OK(vu_set_inflight_fd(F, &r));
	OK(vu_dev_start(F, D->features));
	F->infl = r;		/* for region_idle(); given back below */
	REGION_IDLE(0, 0);
	ONE_WRITE_OK();
	REGION_IDLE(0, 1);
	GET_REFUSED(nq, num);
	REFUSED_WITH(vu_set_inflight_fd(F, &r), EBUSY, EBUSY);

	/* desc_num not the ring's size: the start is refused (EPROTO). */
	OK(vu_dev_stop(F));
	h = vu_inflight_queue(&r, 0);
	h->desc_num = num / 2;
	ret = vu_dev_start(F, D->features);
	ASSERT_EQ(-EREMOTEIO, ret) TH_LOG("start with desc_num %u: %s", num / 2, F->err);
	ASSERT_EQ(EPROTO, F->last_ack) TH_LOG("%s", F->err);
	OK(vu_fence(F));
	/* ... and without NEED_REPLY the session ends. */
	vu_close(F);
	OK(vu_open(F, D->env.sock, OPEN_MS));
	OK(vu_qemu72_realize(F, nq, VU_REALIZE_OPENED, &D->cfg));
	OK(vu_set_inflight_fd(F, &r));
	F->need_reply = false;
	ret = vu_dev_start(F, D->features);
	ASSERT_NE(0, ret) TH_LOG("a start refused without NEED_REPLY went on");
	ASSERT_EQ(0, ret == -ECONNRESET ? 0 : vu_expect_hangup(F, 10000)) TH_LOG("%s", F->err);

	/*
	 * A last batch that leaves the ring (head 0xffff) or loops (a head
	 * that is its own next) with 100 entries to walk: started or
	 * refused, never stuck.
	 */
	h->desc_num = num;
	vu_close(F);
	OK(vu_open(F, D->env.sock, OPEN_MS));
	OK(vu_qemu72_realize(F, nq, VU_REALIZE_OPENED, &D->cfg));
	used = vu_vq_used_idx(F->queues[0]);
	h->used_idx = used - 5;
	h->last_batch_head = 0xffff;
	OK(vu_set_inflight_fd(F, &r));
	for (unsigned int i = 0; i < nq; i++)
		F->queues[i]->base = vu_vq_used_idx(F->queues[i]);
	ret = vu_dev_start(F, D->features);
	TH_LOG("last_batch_head 0xffff: start %s", ret ? F->err : "ok");
	ASSERT_TRUE(ret == 0 || ret == -EREMOTEIO) TH_LOG("%s", F->err);
	OK(vu_fence(F));
	if (!ret)
		ONE_WRITE_OK();
	vu_close(F);
	OK(vu_open(F, D->env.sock, OPEN_MS));
	OK(vu_qemu72_realize(F, nq, VU_REALIZE_OPENED, &D->cfg));
	used = vu_vq_used_idx(F->queues[0]);
	h->used_idx = used - 100;
	h->last_batch_head = 3;
	vu_inflight_desc(&r, 0, 3)->next = 3;
	OK(vu_set_inflight_fd(F, &r));
	for (unsigned int i = 0; i < nq; i++)
		F->queues[i]->base = vu_vq_used_idx(F->queues[i]);
	ret = vu_dev_start(F, D->features);
	TH_LOG("next loop at head 3: start %s", ret ? F->err : "ok");
	ASSERT_TRUE(ret == 0 || ret == -EREMOTEIO) TH_LOG("%s", F->err);
	OK(vu_fence(F));
	if (!ret)
		ONE_WRITE_OK();
	F->infl.fd = -1;
	F->infl.map = NULL;
	vu_inflight_release(&r);
	vu_inflight_release(&big);
}

/*
 * A packed ring's part is its header: where the used ring stands, kept
 * as I/O goes. No chain is recorded: a session's packed rings drain whole
 * before the next session fetches (inflight_hangup_reconnect with
 * VU_RING=packed shows the reconnect).
 */
TEST_F_TIMEOUT(dev, inflight_packed, CASE_TIMEOUT)
{
	struct eng e;
	unsigned int i;

	NEED_REGION();
	if (!F->queues[0]->packed)
		SKIP(return, "split rings (VU_RING=packed)");
	ENG_OK(eng_init(&e, D, D->env.num < 16 ? D->env.num : 16, 16384, 0));
	ENG_OK(eng_fill(&e));
	ENG_OK(eng_random(&e, 64, sizes, NSIZES, 50));
	ENG_OK(eng_verify(&e));
	for (i = 0; i < F->nqueues; i++)
		REGION_IDLE(i, 0);
	eng_free(&e);
}

TEST_HARNESS_MAIN
