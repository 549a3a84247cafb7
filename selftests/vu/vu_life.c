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
 *                     on a disk slower than it (drain_bound)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
 * background, a new connection works meanwhile (on the same rings, as
 * QEMU's reconnect has it), and its pages are unpinned once the disk has
 * answered.
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
	/* A new session, while the old one drains. */
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

TEST_HARNESS_MAIN
