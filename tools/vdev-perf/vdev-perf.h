/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vdev-perf: a vhost-user load generator. It plays QEMU and a polling
 * guest over any vhost-user-blk back end's socket (vdev through vdevd,
 * qemu-storage-daemon, SPDK), a vhost-user-scsi one's (a vdev virtio-scsi
 * controller), or the kernel's /dev/vhost-scsi (LIO): memfd guest memory,
 * split or packed rings, one thread per queue, fio-like workloads, and a
 * report of IOPS, bandwidth, latency percentiles and the CPU time the
 * back end spent.
 *
 * main.c  options and the run's phases
 * dev.c   the device: negotiation, guest memory, rings; virtio-blk requests
 * scsi.c  virtio-scsi over vhost-user or vhost-scsi, its SCSI commands
 * nvme.c  NVMe over vfio-user: the controller, I/O queue pairs, commands
 * job.c   the queue threads: submit, poll, complete, verify
 * hist.c  log-linear latency histograms
 * cpu.c   the back end's CPU time from /proc
 * report.c  text and JSON
 */
#ifndef _VDEV_PERF_H
#define _VDEV_PERF_H

#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "vu_front.h"

/* Exit codes. */
#define PERF_EXIT_OK		0
#define PERF_EXIT_IO		1	/* I/O errors or verify mismatches */
#define PERF_EXIT_USAGE		2
#define PERF_EXIT_SETUP		3	/* no device to measure */

#define PERF_MAX_QUEUES		VU_MAX_QUEUES
#define PERF_SECTOR		512

#define PERF_BIT(b)		(1ULL << (b))
/*
 * vhost-user protocol features we implement: not INFLIGHT_SHMFD,
 * LOG_SHMFD or HOST_NOTIFIER, which a back end would then expect us to use.
 */
#define PERF_PROTOCOL		(VU_PF(MQ) | VU_PF(REPLY_ACK) | \
				 VU_PF(BACKEND_REQ) | VU_PF(CONFIG) | \
				 VU_PF(CONFIGURE_MEM_SLOTS) | VU_PF(STATUS))

enum perf_rw {
	PERF_RW_READ,
	PERF_RW_WRITE,
	PERF_RW_RANDREAD,
	PERF_RW_RANDWRITE,
	PERF_RW_RANDRW,
};

/* --indirect, --event-idx: as offered, or forced. */
enum perf_tri {
	PERF_AUTO,
	PERF_ON,
	PERF_OFF,
};

struct perf_opts {
	const char *socket;
	const char *vhost_scsi;		/* the WWPN, instead of a socket */
	bool scsi;			/* virtio-scsi: --scsi or --vhost-scsi */
	bool nvme;			/* --nvme: a vfio-user NVMe controller */
	int scsi_target;		/* -1: the first that answers */
	unsigned int scsi_lun;
	enum perf_rw rw;
	unsigned int rwmix_read;	/* percent of randrw that reads */
	uint32_t bs;
	unsigned int iodepth;		/* per queue */
	unsigned int queues;
	unsigned int ring_size;
	bool packed;
	enum perf_tri indirect, event_idx;
	double runtime;			/* seconds; 0 with ios */
	uint64_t ios;			/* in all queues; 0: runtime */
	uint64_t offset, size;		/* bytes; size 0: to the end */
	bool notify;			/* sleep on the call eventfd */
	bool verify;
	bool idle;			/* no I/O: the back end's idle cost */
	bool json;
	int progress;			/* -1: if stderr is a terminal */
	pid_t backend_pid;		/* 0: from the socket */
	const char *backend_kthreads;	/* comm prefix, NULL: from the socket */
	bool pin_backend;		/* vhost-scsi: move its workers to... */
	cpu_set_t backend_cpus;		/* ... these CPUs */
	int connect_ms;
	int reply_ms;			/* for each reply of the back end */
	uint64_t seed;
};

/* --- latency histograms (hist.c) ------------------------------------------ */

/*
 * Log-linear: values below 2^SUB_BITS ns exactly, each power of two above
 * cut into 2^SUB_BITS buckets (1.6% wide), up to 2^MAX_BITS ns (18 min).
 */
#define PERF_HIST_SUB_BITS	6
#define PERF_HIST_SUB		(1U << PERF_HIST_SUB_BITS)
#define PERF_HIST_MAX_BITS	40
#define PERF_HIST_BUCKETS	((PERF_HIST_MAX_BITS - PERF_HIST_SUB_BITS + 1) * \
				 PERF_HIST_SUB)

struct perf_hist {
	uint64_t count, sum, min, max;
	uint64_t buckets[PERF_HIST_BUCKETS];
};

static inline unsigned int perf_hist_index(uint64_t v)
{
	unsigned int e;

	if (v < PERF_HIST_SUB)
		return v;
	if (v >> PERF_HIST_MAX_BITS)
		v = (1ULL << PERF_HIST_MAX_BITS) - 1;
	e = 63 - __builtin_clzll(v);
	return ((e - PERF_HIST_SUB_BITS + 1) << PERF_HIST_SUB_BITS) +
	       ((v >> (e - PERF_HIST_SUB_BITS)) & (PERF_HIST_SUB - 1));
}

/* The hot path: no allocation, no lock; the histogram is its thread's. */
static inline void perf_hist_add(struct perf_hist *h, uint64_t v)
{
	h->buckets[perf_hist_index(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void perf_hist_init(struct perf_hist *h);
void perf_hist_merge(struct perf_hist *dst, const struct perf_hist *src);
/* The value below which @pct percent of the samples fall (bucket middle). */
uint64_t perf_hist_pct(const struct perf_hist *h, double pct);
double perf_hist_mean(const struct perf_hist *h);

/* --- the back end's CPU time (cpu.c) -------------------------------------- */

#define PERF_CPU_MAX_TASKS	256

struct perf_task {
	pid_t pid;
	char comm[32];
	uint64_t ticks;			/* utime + stime */
};

struct perf_cpu_sample {
	uint64_t ticks;			/* the whole back end */
	unsigned int ntasks;
	struct perf_task tasks[PERF_CPU_MAX_TASKS];
};

struct perf_backend {
	/* THREADS: threads of this process (the vhost workers) by name. */
	enum { PERF_BACKEND_NONE, PERF_BACKEND_PROCESS,
	       PERF_BACKEND_KTHREADS, PERF_BACKEND_THREADS } kind;
	pid_t pid;			/* the process, or the socket's peer */
	char comm[32];			/* its name */
	char kthreads[32];		/* comm prefix of the (k)threads */
	bool exact;			/* ... or their whole name */
	char why[128];			/* NONE: why not */
	struct perf_cpu_sample before, after;
};

/* Find the back end from the options and the connection's peer. */
void perf_backend_find(struct perf_backend *b, const struct perf_opts *o,
		       int sock_fd);
int perf_backend_sample(struct perf_backend *b, struct perf_cpu_sample *s);
/* Move the back end's tasks (vhost-scsi's workers) to @cpus. */
int perf_backend_pin(struct perf_backend *b, const cpu_set_t *cpus);
/* CPU seconds between the samples: all, and of task @i of "after". */
double perf_backend_cpu_s(const struct perf_backend *b);
double perf_task_cpu_s(const struct perf_backend *b, unsigned int i);
double perf_ticks_s(uint64_t ticks);

/* --- the device and the queue threads (dev.c, job.c) ---------------------- */

struct perf_job;

/* One request slot: a virtio-blk or virtio-scsi request, its buffer. */
struct perf_req {
	union {				/* first: the ring's cookie */
		struct vu_blk_req blk;
		struct vu_scsi_req scsi;
		struct {		/* NVMe: a read or write command */
			uint64_t iova;	/* the buffer's */
			uint16_t status;	/* the CQE's, phase tag off */
		} nvme;
	};
	uint8_t *buf;			/* the data buffer, our mapping */
	uint64_t block;			/* which bs block of the disk */
	uint64_t start_ns;
	bool write;
	bool want_new;			/* verify: written before it was read */
};

struct perf_stats {
	uint64_t ios[2], bytes[2];	/* [0] reads, [1] writes; completed OK */
	uint64_t errors;		/* a status other than OK */
	uint64_t bad_len;		/* used length not what was transferred */
	uint64_t verified;		/* sectors compared */
	uint64_t mismatches;		/* sectors not as written */
	uint64_t kicks;			/* kick eventfd writes the device asked for */
	uint64_t calls;			/* call eventfd signals the device made */
};

enum perf_phase {
	PERF_PHASE_FILL,		/* verify: write the old pattern everywhere */
	PERF_PHASE_RUN,			/* the measured workload */
	PERF_PHASE_CHECK,		/* verify: read everything back */
};

struct perf_thread {
	struct perf_job *job;
	struct vu_queue *q;		/* virtio; NULL for NVMe */
	uint16_t qid;			/* NVMe: the I/O queue pair */
	uint64_t kicks0, calls0;	/* the queue's counts at the start */
	unsigned int index;
	pthread_t tid;
	struct perf_req *reqs;
	struct perf_req **free;
	unsigned int nfree;
	/* The phase's work. */
	uint64_t rng;
	uint64_t first, nblocks;	/* its share of the range, in blocks */
	uint64_t cursor;		/* sequential: next block of the share */
	uint64_t quota, issued;		/* quota UINT64_MAX: until stopped */
	int ret;			/* 0, or why the thread gave up */
	struct perf_stats st;
	struct perf_hist lat[2];	/* [0] reads, [1] writes */
	char err[256];			/* the first error */
	/* Written by this thread alone, read by the progress line. */
	uint64_t done __attribute__((aligned(64)));
} __attribute__((aligned(64)));

/* What the completion of a request says. */
enum perf_result_kind {
	PERF_REQ_OK,
	PERF_REQ_BAD_LEN,		/* OK, but the used length is off */
	PERF_REQ_ERROR,
};

/*
 * The device's requests, virtio-blk (dev.c), virtio-scsi (scsi.c) or NVMe
 * (nvme.c), and its queues: the queue threads' hot path goes through
 * these alone. Both virtio devices drive virtqueues (PERF_VQ_OPS).
 */
struct perf_dev_ops {
	/* A request slot's data buffer of @len bytes: our mapping, or NULL. */
	uint8_t *(*buf_alloc)(struct perf_job *j, uint32_t len, uint64_t *gpa);
	/* Set a request slot up once: its data buffer is at @gpa. */
	int (*req_init)(struct perf_job *j, struct perf_req *r, uint64_t gpa);
	/* Queue the command for r->block and r->write (no kick). */
	int (*submit)(struct perf_thread *t, struct perf_req *r);
	/* Tell the device about what submit() queued, if it asks. */
	int (*kick)(struct perf_thread *t);
	/* Take one completion: 1, 0 or an error. */
	int (*poll)(struct perf_thread *t, struct perf_req **r);
	/* --notify: wait up to @ms for the device's signal. */
	int (*sleep)(struct perf_thread *t, int ms);
	/* Requests submitted and not taken back. */
	unsigned int (*inflight)(const struct perf_thread *t);
	/* A phase starts (no signals wanted unless --notify), or ended. */
	void (*reset)(struct perf_thread *t);
	void (*end)(struct perf_thread *t);
	/* The last failure's explanation. */
	const char *(*err)(const struct perf_job *j);
	enum perf_result_kind (*result)(const struct perf_job *j,
					const struct perf_req *r);
	/* Why a request failed, for the report. */
	void (*describe)(const struct perf_req *r, char *buf, size_t len);
};

/* Virtqueues: job.c's, for virtio-blk's and virtio-scsi's ops. */
uint8_t *perf_vq_buf_alloc(struct perf_job *j, uint32_t len, uint64_t *gpa);
int perf_vq_kick(struct perf_thread *t);
int perf_vq_sleep(struct perf_thread *t, int ms);
unsigned int perf_vq_inflight(const struct perf_thread *t);
void perf_vq_reset(struct perf_thread *t);
void perf_vq_end(struct perf_thread *t);
const char *perf_vq_err(const struct perf_job *j);

#define PERF_VQ_OPS							\
	.buf_alloc = perf_vq_buf_alloc, .kick = perf_vq_kick,		\
	.sleep = perf_vq_sleep, .inflight = perf_vq_inflight,		\
	.reset = perf_vq_reset, .end = perf_vq_end, .err = perf_vq_err

struct perf_nvme;

struct perf_job {
	const struct perf_opts *o;
	const struct perf_dev_ops *ops;
	char name[256];			/* the socket, or vhost-scsi:WWPN */
	struct perf_nvme *nvme;		/* --nvme: the controller (nvme.c) */
	unsigned int q_first;		/* the first request queue's index */
	struct vu_front f;
	struct virtio_blk_config cfg;
	uint64_t offered;		/* features the back end offered */
	uint64_t features;		/* acked */
	uint64_t protocol;		/* protocol features acked */
	bool indirect, event_idx;
	uint32_t blk_size;		/* logical block size */
	uint32_t seg_len;		/* most bytes per data buffer */
	unsigned int nseg;		/* data buffers per request */
	uint64_t capacity;		/* bytes */
	/* virtio-scsi: the I_T_L nexus, and how its CDBs address blocks. */
	uint8_t scsi_target;
	uint16_t scsi_lun;
	bool cdb16;			/* READ/WRITE(16), not (10) */
	uint32_t lbas_per_io;		/* --bs in logical blocks */
	uint64_t first, nblocks;	/* the range, in bs blocks */
	struct perf_thread *threads;
	/* Run time. */
	enum perf_phase phase;
	int stop;			/* atomic: issue nothing more */
	int abort;			/* atomic: leave with I/O in flight */
	sem_t done;			/* a thread finished its phase */
	uint64_t seed_old, seed_new;	/* verify: the two patterns */
	uint64_t *written;		/* verify: blocks written in the run */
};

int perf_dev_open(struct perf_job *j, const struct perf_opts *o);
void perf_dev_close(struct perf_job *j);
const char *perf_rw_name(enum perf_rw rw);

/* dev.c's steps that the virtio-scsi devices (scsi.c) share. */
int perf_dev_fail(struct perf_job *j, int ret, const char *what);
int perf_ring_features(struct perf_job *j, uint64_t offered);
int perf_range(struct perf_job *j);
int perf_ring_fits(struct perf_job *j);
int perf_rings(struct perf_job *j);
int perf_threads_alloc(struct perf_job *j);
/* The data buffers of a request slot at @gpa: how many. */
unsigned int perf_req_bufs(const struct perf_job *j, uint64_t gpa,
			   struct vu_buf *data);
int perf_scsi_open(struct perf_job *j);
int perf_nvme_open(struct perf_job *j);
void perf_nvme_close(struct perf_job *j);
int perf_nvme_sock(const struct perf_job *j);
/* The socket the back end serves us on (for its CPU time). */
int perf_dev_sock(const struct perf_job *j);
/* --nvme: the report's device and job details (nvme.c). */
struct json_out;
void perf_nvme_json(struct json_out *js, const struct perf_job *j);
const char *perf_nvme_text(const struct perf_job *j, char *buf, size_t len);

/* Run @phase on every queue, each thread from the start barrier on. */
int perf_threads_start(struct perf_job *j, enum perf_phase phase);
/* Wait for the threads; 0, or the first thread's error. */
int perf_threads_join(struct perf_job *j);
/* Sum of the completions so far (racy, for the progress line). */
uint64_t perf_threads_done(const struct perf_job *j);

static inline uint64_t perf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* --- the report (report.c) ------------------------------------------------ */

struct perf_result {
	double elapsed_s;
	bool interrupted;		/* the run ended on SIGINT or SIGTERM */
	struct perf_stats st;
	struct perf_hist lat[2];	/* reads, writes */
	struct perf_hist all;
	uint64_t queue_ios[PERF_MAX_QUEUES];
	double front_cpu_s;		/* this process, during the run */
	/* verify */
	bool verify_done;
	struct perf_stats fill, check;
	char err[256];			/* the first error of any phase */
};

void perf_report_text(const struct perf_job *j, const struct perf_result *r,
		      const struct perf_backend *b);
void perf_report_json(const struct perf_job *j, const struct perf_result *r,
		      const struct perf_backend *b);

#endif /* _VDEV_PERF_H */
