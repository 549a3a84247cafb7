// SPDX-License-Identifier: GPL-2.0
/*
 * vdev-perf: options, and the run: connect and start the device, fill
 * (--verify), the measured run with the back end's CPU time sampled
 * around it, check (--verify), stop, report.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "vdev-perf.h"

#define PERF_STALL_S		30	/* no completion for this long: give up */

static const char perf_usage[] =
"usage: vdev-perf --socket PATH [options]\n"
"       vdev-perf --socket PATH --scsi [--lun TARGET:LUN] [options]\n"
"       vdev-perf --vhost-scsi WWPN [--lun TARGET:LUN] [options]\n"
"       vdev-perf --socket PATH --nvme [options]\n"
"\n"
"A vhost-user front end that plays QEMU and a polling guest driver over\n"
"a back end's vhost-user-blk socket (vdev through vdevd,\n"
"qemu-storage-daemon's vhost-user-blk export, SPDK), a vhost-user-scsi\n"
"socket (a vdev virtio-scsi controller), or the kernel's /dev/vhost-scsi\n"
"(LIO) as QEMU's vhost-scsi-pci does, or (--nvme) a vfio-user NVMe\n"
"controller's socket as QEMU's vfio-user-pci and Linux's nvme driver\n"
"with poll queues do, drives a workload on its queues,\n"
"one thread each, and reports IOPS, bandwidth, latency percentiles and\n"
"the CPU time the back end spent meanwhile.\n"
"\n"
"Workload\n"
"  --rw MODE            randread (default), randwrite, read, write, randrw\n"
"  --rwmix-read N       randrw: percent of reads (default 50)\n"
"  --bs SIZE            block size (default 4k); random offsets are\n"
"                       multiples of it\n"
"  --iodepth N          requests in flight per queue (default 1)\n"
"  --queues N           queues, one thread each (default 1)\n"
"  --runtime SECS       measure this long (default 10, unless --ios)\n"
"  --ios N              or until N requests in all queues completed\n"
"  --offset SIZE        the range of the disk to use: from here\n"
"  --size SIZE          this many bytes (default: to the end)\n"
"  --verify             write a pattern over the range first, check\n"
"                       every read of the run against it (writes write a\n"
"                       second pattern), read the range back at the end\n"
"  --seed N             for the random offsets and patterns\n"
"  --idle               issue no I/O: start the device and sit idle for\n"
"                       --runtime, to measure what the back end burns\n"
"\n"
"Device\n"
"  --socket PATH        the back end's vhost-user-blk socket\n"
"  --scsi               the socket is vhost-user-scsi's (a vdev\n"
"                       virtio-scsi controller): READ(10) and WRITE(10)\n"
"                       on its request queues\n"
"  --vhost-scsi WWPN    or kernel vhost-scsi: /dev/vhost-scsi with the\n"
"                       endpoint set to the LIO target port WWPN (e.g.\n"
"                       naa.5001405000000001, its directory under\n"
"                       /sys/kernel/config/target/vhost); READ(10) and\n"
"                       WRITE(10) on virtio-scsi request queues\n"
"  --nvme               the socket is a vfio-user NVMe controller's (vdev\n"
"                       through vdevd): an I/O queue pair a queue, reads\n"
"                       and writes of the first active namespace, PRPs\n"
"                       as Linux builds them; the CQs busy-polled (poll\n"
"                       queues, no interrupt) unless --notify\n"
"  --lun TARGET:LUN     --scsi, --vhost-scsi: the LUN to use (default:\n"
"                       LUN 0 of the first target that answers;\n"
"                       vhost-scsi's target N is tpgt_N)\n"
"  --ring split|packed  virtqueue layout (default split)\n"
"  --ring-size N        entries per ring (default 256)\n"
"  --indirect on|off    indirect descriptors (default: on if offered,\n"
"                       as a Linux guest uses them)\n"
"  --event-idx on|off   VIRTIO_RING_F_EVENT_IDX (default: on if offered)\n"
"  --notify             sleep on the call eventfd for completions\n"
"                       (default: busy-poll the used ring, no calls)\n"
"  --connect-timeout MS wait this long for the socket (default 10000)\n"
"  --reply-timeout MS   wait this long for each reply of the back end\n"
"                       (default 5000; QEMU waits without a bound)\n"
"\n"
"Back end CPU time (utime + stime from /proc, during the run)\n"
"  --backend-pid PID    this process and its threads\n"
"  --backend-kthreads PREFIX\n"
"                       the kernel threads whose name starts so\n"
"                       (vdev: vdev-poll/)\n"
"                       Default: the socket's peer (SO_PEERCRED); when\n"
"                       that is vdevd, vdev's poller kthreads. vhost-scsi:\n"
"                       its worker threads, vhost-PID (PID: ours), which\n"
"                       the front end CPU time leaves out.\n"
"  --backend-cpus LIST  vhost-scsi: move its workers to these CPUs (e.g.\n"
"                       1 or 0,2-3); else they keep the affinity\n"
"                       vdev-perf had at start (a taskset of vdev-perf\n"
"                       puts them with the queue threads)\n"
"\n"
"Output\n"
"  --json               the report as JSON on stdout\n"
"  --progress, --quiet  a line a second on stderr during the run, or\n"
"                       none (default: if stderr is a terminal)\n"
"  -h, --help           this text\n"
"\n"
"SIZE takes k, m, g, t suffixes (powers of 1024). SIGINT or SIGTERM\n"
"ends the measured run early, as the end of --runtime would (the check\n"
"and the report follow); a second one ends vdev-perf at once. Exit\n"
"status: 0 done, 1 I/O errors or verify mismatches, 2 bad usage, 3 no\n"
"device to measure.\n";

enum {
	OPT_RW = 256, OPT_RWMIX, OPT_BS, OPT_IODEPTH, OPT_QUEUES, OPT_RUNTIME,
	OPT_IOS, OPT_OFFSET, OPT_SIZE, OPT_VERIFY, OPT_SEED, OPT_SOCKET,
	OPT_RING, OPT_RING_SIZE, OPT_INDIRECT, OPT_EVENT_IDX, OPT_NOTIFY,
	OPT_CONNECT, OPT_BACKEND_PID, OPT_BACKEND_KTHREADS, OPT_JSON,
	OPT_PROGRESS, OPT_QUIET, OPT_IDLE, OPT_VHOST_SCSI, OPT_LUN,
	OPT_BACKEND_CPUS, OPT_SCSI, OPT_NVME, OPT_REPLY,
};

static const struct option perf_options[] = {
	{ "rw",			required_argument, NULL, OPT_RW },
	{ "rwmix-read",		required_argument, NULL, OPT_RWMIX },
	{ "bs",			required_argument, NULL, OPT_BS },
	{ "iodepth",		required_argument, NULL, OPT_IODEPTH },
	{ "queues",		required_argument, NULL, OPT_QUEUES },
	{ "runtime",		required_argument, NULL, OPT_RUNTIME },
	{ "ios",		required_argument, NULL, OPT_IOS },
	{ "offset",		required_argument, NULL, OPT_OFFSET },
	{ "size",		required_argument, NULL, OPT_SIZE },
	{ "verify",		no_argument,	   NULL, OPT_VERIFY },
	{ "seed",		required_argument, NULL, OPT_SEED },
	{ "idle",		no_argument,	   NULL, OPT_IDLE },
	{ "socket",		required_argument, NULL, OPT_SOCKET },
	{ "scsi",		no_argument,	   NULL, OPT_SCSI },
	{ "nvme",		no_argument,	   NULL, OPT_NVME },
	{ "vhost-scsi",		required_argument, NULL, OPT_VHOST_SCSI },
	{ "lun",		required_argument, NULL, OPT_LUN },
	{ "ring",		required_argument, NULL, OPT_RING },
	{ "ring-size",		required_argument, NULL, OPT_RING_SIZE },
	{ "indirect",		required_argument, NULL, OPT_INDIRECT },
	{ "event-idx",		required_argument, NULL, OPT_EVENT_IDX },
	{ "notify",		no_argument,	   NULL, OPT_NOTIFY },
	{ "connect-timeout",	required_argument, NULL, OPT_CONNECT },
	{ "reply-timeout",	required_argument, NULL, OPT_REPLY },
	{ "backend-pid",	required_argument, NULL, OPT_BACKEND_PID },
	{ "backend-kthreads",	required_argument, NULL, OPT_BACKEND_KTHREADS },
	{ "backend-cpus",	required_argument, NULL, OPT_BACKEND_CPUS },
	{ "json",		no_argument,	   NULL, OPT_JSON },
	{ "progress",		no_argument,	   NULL, OPT_PROGRESS },
	{ "quiet",		no_argument,	   NULL, OPT_QUIET },
	{ "help",		no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void perf_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "vdev-perf: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nvdev-perf --help shows the options\n");
	exit(PERF_EXIT_USAGE);
}

/* A size with an optional binary suffix. */
static uint64_t perf_parse_size(const char *name, const char *s)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		perf_usage_error("%s: not a size", name);
	if (*end && strchr("kKmMgGtT", *end)) {
		shift = 10 * (strchr("kmgt", tolower(*end)) - "kmgt" + 1);
		end++;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || (shift && v > UINT64_MAX >> shift))
		perf_usage_error("%s: not a size (k, m, g, t suffixes)", name);
	return (uint64_t)v << shift;
}

static unsigned int perf_parse_uint(const char *name, const char *s,
				    unsigned int min, unsigned int max)
{
	uint64_t v = perf_parse_size(name, s);

	if (v < min || v > max) {
		char buf[96];

		snprintf(buf, sizeof(buf), "%%s: from %u to %u", min, max);
		perf_usage_error(buf, name);
	}
	return v;
}

static enum perf_tri perf_parse_onoff(const char *name, const char *s)
{
	if (!strcmp(s, "on"))
		return PERF_ON;
	if (!strcmp(s, "off"))
		return PERF_OFF;
	perf_usage_error("%s: on or off", name);
	return PERF_AUTO;
}

static enum perf_rw perf_parse_rw(const char *s)
{
	enum perf_rw rw;

	for (rw = PERF_RW_READ; rw <= PERF_RW_RANDRW; rw++)
		if (!strcmp(s, perf_rw_name(rw)))
			return rw;
	perf_usage_error("--rw %s: read, write, randread, randwrite or randrw", s);
	return PERF_RW_RANDREAD;
}

static double perf_parse_secs(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e6)
		perf_usage_error("--runtime %s: seconds, more than 0", s);
	return v;
}

/* --lun TARGET:LUN */
static void perf_parse_lun(struct perf_opts *o, const char *s)
{
	unsigned int target, lun;
	int end = 0;

	if (sscanf(s, "%u:%u%n", &target, &lun, &end) != 2 || s[end] ||
	    target > 255 || lun > VU_SCSI_MAX_LUN)
		perf_usage_error("--lun %s: TARGET:LUN, a target up to 255 and a LUN up to 16383",
				 s);
	o->scsi_target = target;
	o->scsi_lun = lun;
}

/* --backend-cpus: a CPU list, "1" or "0,2-3". */
static void perf_parse_cpus(struct perf_opts *o, const char *s)
{
	const char *p = s;
	unsigned int a, b;
	int end;

	CPU_ZERO(&o->backend_cpus);
	do {
		end = 0;
		if (sscanf(p, "%u%n", &a, &end) != 1)
			perf_usage_error("--backend-cpus %s: a CPU list (1 or 0,2-3)", s);
		p += end;
		b = a;
		if (*p == '-' && sscanf(p + 1, "%u%n", &b, &end) == 1)
			p += 1 + end;
		if (b < a || b >= CPU_SETSIZE)
			perf_usage_error("--backend-cpus %s: a CPU list (1 or 0,2-3)", s);
		for (; a <= b; a++)
			CPU_SET(a, &o->backend_cpus);
	} while (*p++ == ',');
	if (p[-1])
		perf_usage_error("--backend-cpus %s: a CPU list (1 or 0,2-3)", s);
	o->pin_backend = true;
}

/* The workload's options; false if @c is not one of them. */
static bool perf_opt_workload(struct perf_opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_RW:
		o->rw = perf_parse_rw(arg);
		break;
	case OPT_RWMIX:
		o->rwmix_read = perf_parse_uint("--rwmix-read", arg, 0, 100);
		break;
	case OPT_BS:
		o->bs = perf_parse_uint("--bs", arg, PERF_SECTOR, 16 << 20);
		break;
	case OPT_IODEPTH:
		o->iodepth = perf_parse_uint("--iodepth", arg, 1, 4096);
		break;
	case OPT_QUEUES:
		o->queues = perf_parse_uint("--queues", arg, 1, PERF_MAX_QUEUES);
		break;
	case OPT_RUNTIME:
		o->runtime = perf_parse_secs(arg);
		break;
	case OPT_IOS:
		o->ios = perf_parse_size("--ios", arg);
		break;
	case OPT_OFFSET:
		o->offset = perf_parse_size("--offset", arg);
		break;
	case OPT_SIZE:
		o->size = perf_parse_size("--size", arg);
		break;
	case OPT_VERIFY:
		o->verify = true;
		break;
	case OPT_SEED:
		o->seed = perf_parse_size("--seed", arg);
		break;
	case OPT_IDLE:
		o->idle = true;
		break;
	default:
		return false;
	}
	return true;
}

/* The device's, the back end's and the output's options. */
static void perf_opt_other(struct perf_opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_SOCKET:
		o->socket = arg;
		break;
	case OPT_SCSI:
		o->scsi = true;
		break;
	case OPT_NVME:
		o->nvme = true;
		break;
	case OPT_VHOST_SCSI:
		o->vhost_scsi = arg;
		break;
	case OPT_LUN:
		perf_parse_lun(o, arg);
		break;
	case OPT_RING:
		if (strcmp(arg, "split") && strcmp(arg, "packed"))
			perf_usage_error("--ring %s: split or packed", arg);
		o->packed = !strcmp(arg, "packed");
		break;
	case OPT_RING_SIZE:
		o->ring_size = perf_parse_uint("--ring-size", arg, 2, 32768);
		break;
	case OPT_INDIRECT:
		o->indirect = perf_parse_onoff("--indirect", arg);
		break;
	case OPT_EVENT_IDX:
		o->event_idx = perf_parse_onoff("--event-idx", arg);
		break;
	case OPT_NOTIFY:
		o->notify = true;
		break;
	case OPT_CONNECT:
		o->connect_ms = perf_parse_uint("--connect-timeout", arg, 0,
						3600000);
		break;
	case OPT_REPLY:
		o->reply_ms = perf_parse_uint("--reply-timeout", arg, 1,
					      3600000);
		break;
	case OPT_BACKEND_PID:
		o->backend_pid = perf_parse_uint("--backend-pid", arg, 1,
						 1 << 30);
		break;
	case OPT_BACKEND_KTHREADS:
		o->backend_kthreads = arg;
		break;
	case OPT_BACKEND_CPUS:
		perf_parse_cpus(o, arg);
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case OPT_PROGRESS:
		o->progress = 1;
		break;
	case OPT_QUIET:
		o->progress = 0;
		break;
	}
}

static void perf_opts_check(struct perf_opts *o)
{
	if (!o->socket == !o->vhost_scsi)
		perf_usage_error("%s", "one of --socket PATH or --vhost-scsi WWPN is required");
	if (o->scsi && o->vhost_scsi)
		perf_usage_error("%s", "--scsi is for a vhost-user --socket (--vhost-scsi is virtio-scsi already)");
	if (o->nvme && (o->scsi || o->vhost_scsi))
		perf_usage_error("%s", "--nvme: an NVMe controller's --socket, not virtio-scsi");
	if (o->nvme && (o->packed || o->indirect != PERF_AUTO ||
			o->event_idx != PERF_AUTO))
		perf_usage_error("%s", "--ring, --indirect and --event-idx are for virtqueues, not --nvme");
	if (o->vhost_scsi)
		o->scsi = true;
	if (o->scsi_target >= 0 && !o->scsi)
		perf_usage_error("%s", "--lun is for --scsi or --vhost-scsi");
	if (o->pin_backend && !o->vhost_scsi)
		perf_usage_error("%s", "--backend-cpus is for --vhost-scsi (taskset a back end process)");
	if (!o->packed && (o->ring_size & (o->ring_size - 1)))
		perf_usage_error("%s", "--ring-size: a power of two for a split ring");
	if (o->ios && o->runtime)
		perf_usage_error("%s", "--runtime and --ios: one or the other");
	if (o->idle && (o->ios || o->verify))
		perf_usage_error("%s", "--idle does no I/O: not with --ios or --verify");
	if (!o->ios && !o->runtime)
		o->runtime = 10;
	if (o->progress < 0)
		o->progress = isatty(STDERR_FILENO);
}

static void perf_parse(struct perf_opts *o, int argc, char **argv)
{
	int c;

	*o = (struct perf_opts){
		.rw = PERF_RW_RANDREAD, .rwmix_read = 50, .bs = 4096,
		.iodepth = 1, .queues = 1, .ring_size = 256,
		.connect_ms = 10000, .reply_ms = 5000, .progress = -1, .scsi_target = -1,
		.seed = 0x5eed0f7e5f00dULL,
	};
	while ((c = getopt_long(argc, argv, "h", perf_options, NULL)) != -1) {
		if (c == 'h') {
			fputs(perf_usage, stdout);
			exit(PERF_EXIT_OK);
		}
		if (c == '?')
			perf_usage_error("%s", "bad option");
		if (!perf_opt_workload(o, c, optarg))
			perf_opt_other(o, c, optarg);
	}
	if (optind < argc)
		perf_usage_error("%s: unexpected argument", argv[optind]);
	perf_opts_check(o);
}

/* --- the run -------------------------------------------------------------- */

static double perf_self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/*
 * This process's CPU time since @cpu0, but for the back end's threads
 * when they are ours (vhost-scsi's workers): the back end's, not ours.
 */
static double perf_front_cpu_s(const struct perf_backend *b, double cpu0)
{
	double cpu = perf_self_cpu_s() - cpu0;

	if (b->kind == PERF_BACKEND_THREADS)
		cpu -= perf_backend_cpu_s(b);
	return cpu > 0 ? cpu : 0;
}

/* The progress line: the rate since the last one. */
static void perf_progress(const struct perf_job *j, uint64_t t0, uint64_t now,
			  uint64_t *last_ns, uint64_t *last_ios)
{
	uint64_t ios = perf_threads_done(j);
	double iops = (ios - *last_ios) * 1e9 / (now - *last_ns ?: 1);

	fprintf(stderr, "vdev-perf: %4.0f s: %9.0f IOPS %9.1f MiB/s  (%llu done)\n",
		(now - t0) / 1e9, iops, iops * j->o->bs / (1024.0 * 1024),
		(unsigned long long)ios);
	*last_ns = now;
	*last_ios = ios;
}

/*
 * SIGINT, SIGTERM: the measured run ends now, as if its --runtime were over,
 * so that a script can run many front ends for as long as it wants and still
 * get their check phases and reports. A second signal ends vdev-perf.
 */
static volatile sig_atomic_t perf_signalled;

static void perf_on_signal(int sig)
{
	if (perf_signalled++) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

/*
 * From the first phase on: the main thread takes the signals (the queue
 * threads block them, see perf_threads_start()); no SA_RESTART, so that
 * the wait in perf_watch() returns at once.
 */
static void perf_signals_init(void)
{
	struct sigaction sa = { .sa_handler = perf_on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* A thread may have stopped the phase too, on an error. */
static bool perf_stopping(struct perf_job *j)
{
	return __atomic_load_n(&j->stop, __ATOMIC_RELAXED);
}

/* Count the threads that finish by @until (CLOCK_MONOTONIC ns). */
static unsigned int perf_wait_done(struct perf_job *j, uint64_t until,
				   unsigned int left)
{
	struct timespec ts = { .tv_sec = until / 1000000000,
			       .tv_nsec = until % 1000000000 };
	unsigned int n = 0;

	while (n < left && !sem_clockwait(&j->done, CLOCK_MONOTONIC, &ts))
		n++;
	return n;
}

static void perf_stall(struct perf_job *j)
{
	fprintf(stderr, "vdev-perf: no request completed for %d s: giving up\n",
		PERF_STALL_S);
	__atomic_store_n(&j->stop, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&j->abort, 1, __ATOMIC_RELAXED);
}

/*
 * Wait for the threads to finish the phase: stop them when the runtime is
 * over (or, @measured, on a signal), print progress once a second, and
 * abort them when nothing completed for PERF_STALL_S seconds.
 */
static void perf_watch(struct perf_job *j, uint64_t t0, double runtime,
		       bool measured, bool progress)
{
	uint64_t end = runtime ? t0 + (uint64_t)(runtime * 1e9) : 0;
	uint64_t tick = t0, now, ios, seen = 0, seen_ns = t0;
	uint64_t last_ns = t0, last_ios = 0;
	unsigned int left = j->o->queues;

	while (left) {
		if (tick <= perf_now_ns())
			tick += 1000000000ULL;
		left -= perf_wait_done(j, end && end < tick && !perf_stopping(j) ?
					  end : tick, left);
		now = perf_now_ns();
		if ((end && now >= end) || (measured && perf_signalled))
			__atomic_store_n(&j->stop, 1, __ATOMIC_RELAXED);
		ios = perf_threads_done(j);
		if (ios != seen) {
			seen = ios;
			seen_ns = now;
		} else if (left && now - seen_ns > PERF_STALL_S * 1000000000ULL &&
			   !__atomic_load_n(&j->abort, __ATOMIC_RELAXED)) {
			perf_stall(j);
		}
		if (progress && left && !perf_stopping(j) && now >= tick)
			perf_progress(j, t0, now, &last_ns, &last_ios);
	}
}

static void perf_collect(struct perf_job *j, struct perf_stats *st,
			 struct perf_result *r)
{
	unsigned int i, d;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < j->o->queues; i++) {
		struct perf_thread *t = &j->threads[i];

		for (d = 0; d < 2; d++) {
			st->ios[d] += t->st.ios[d];
			st->bytes[d] += t->st.bytes[d];
		}
		st->errors += t->st.errors;
		st->bad_len += t->st.bad_len;
		st->verified += t->st.verified;
		st->mismatches += t->st.mismatches;
		st->kicks += t->st.kicks;
		st->calls += t->st.calls;
		if (!r->err[0] && t->err[0])
			snprintf(r->err, sizeof(r->err), "%s", t->err);
	}
}

/* A phase that is not measured: fill or check. */
static int perf_phase(struct perf_job *j, enum perf_phase phase,
		      struct perf_stats *st, struct perf_result *r)
{
	int ret;

	ret = perf_threads_start(j, phase);
	if (ret)
		return ret;
	perf_watch(j, perf_now_ns(), 0, false, false);
	ret = perf_threads_join(j);
	perf_collect(j, st, r);
	return ret;
}

/* --idle: the rings are live and empty; only the back end may spend CPU. */
static int perf_idle(struct perf_job *j, struct perf_backend *b,
		     struct perf_result *r, uint64_t t0, double cpu0)
{
	uint64_t ns = (uint64_t)(j->o->runtime * 1e9);
	struct timespec ts = { .tv_sec = ns / 1000000000,
			       .tv_nsec = ns % 1000000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR && !perf_signalled)
		;
	r->elapsed_s = (perf_now_ns() - t0) / 1e9;
	r->interrupted = perf_signalled;
	perf_backend_sample(b, &b->after);
	r->front_cpu_s = perf_front_cpu_s(b, cpu0);
	perf_hist_init(&r->all);
	perf_hist_init(&r->lat[0]);
	perf_hist_init(&r->lat[1]);
	return 0;
}

static int perf_measure(struct perf_job *j, struct perf_backend *b,
			struct perf_result *r)
{
	uint64_t t0, t1;
	double cpu0;
	unsigned int i, d;
	int ret;

	perf_backend_sample(b, &b->before);
	cpu0 = perf_self_cpu_s();
	t0 = perf_now_ns();
	if (j->o->idle)
		return perf_idle(j, b, r, t0, cpu0);
	ret = perf_threads_start(j, PERF_PHASE_RUN);
	if (ret)
		return ret;
	perf_watch(j, t0, j->o->runtime, true, j->o->progress);
	t1 = perf_now_ns();
	r->interrupted = perf_signalled;
	perf_backend_sample(b, &b->after);
	r->front_cpu_s = perf_front_cpu_s(b, cpu0);
	ret = perf_threads_join(j);
	r->elapsed_s = (t1 - t0) / 1e9;
	perf_collect(j, &r->st, r);
	perf_hist_init(&r->all);
	for (d = 0; d < 2; d++)
		perf_hist_init(&r->lat[d]);
	for (i = 0; i < j->o->queues; i++) {
		for (d = 0; d < 2; d++) {
			perf_hist_merge(&r->lat[d], &j->threads[i].lat[d]);
			perf_hist_merge(&r->all, &j->threads[i].lat[d]);
		}
		r->queue_ios[i] = j->threads[i].st.ios[0] + j->threads[i].st.ios[1];
	}
	return ret;
}

static int perf_verify_alloc(struct perf_job *j)
{
	j->written = calloc((j->nblocks + 63) / 64, sizeof(uint64_t));
	if (!j->written) {
		fprintf(stderr, "vdev-perf: out of memory for the verify bitmap\n");
		return -ENOMEM;
	}
	/* New seeds each run: what an earlier run left cannot pass. */
	j->seed_old = perf_now_ns() ^ ((uint64_t)getpid() << 32) ^ j->o->seed;
	j->seed_new = j->seed_old ^ 0xa5a5a5a5a5a5a5a5ULL;
	return 0;
}

static int perf_run(struct perf_job *j, struct perf_backend *b,
		    struct perf_result *r)
{
	int ret;

	if (j->o->verify) {
		ret = perf_verify_alloc(j);
		if (!ret)
			ret = perf_phase(j, PERF_PHASE_FILL, &r->fill, r);
		if (ret)
			return ret;
	}
	ret = perf_measure(j, b, r);
	if (ret || !j->o->verify)
		return ret;
	ret = perf_phase(j, PERF_PHASE_CHECK, &r->check, r);
	r->verify_done = !ret;
	return ret;
}

static bool perf_failed(const struct perf_result *r)
{
	const struct perf_stats *s[] = { &r->st, &r->fill, &r->check };
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (s[i]->errors || s[i]->mismatches)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static struct perf_backend backend;
	static struct perf_result result;
	static struct perf_job job;
	struct perf_opts o;
	int ret;

	perf_parse(&o, argc, argv);
	if (sem_init(&job.done, 0, 0))
		return PERF_EXIT_SETUP;
	if (perf_dev_open(&job, &o)) {
		perf_dev_close(&job);
		return PERF_EXIT_SETUP;
	}
	if (o.queues > job.nblocks) {
		fprintf(stderr, "vdev-perf: %llu blocks of --bs for %u queues: too few\n",
			(unsigned long long)job.nblocks, o.queues);
		perf_dev_close(&job);
		return PERF_EXIT_USAGE;
	}
	perf_backend_find(&backend, &o, perf_dev_sock(&job));
	if (o.pin_backend && perf_backend_pin(&backend, &o.backend_cpus)) {
		perf_dev_close(&job);
		return PERF_EXIT_SETUP;
	}
	perf_signals_init();
	ret = perf_run(&job, &backend, &result);
	perf_dev_close(&job);
	if (ret && !result.err[0])
		snprintf(result.err, sizeof(result.err), "%s", strerror(-ret));
	if (o.json)
		perf_report_json(&job, &result, &backend);
	else
		perf_report_text(&job, &result, &backend);
	free(job.written);
	free(job.nvme);
	return ret || perf_failed(&result) ? PERF_EXIT_IO : PERF_EXIT_OK;
}
