// SPDX-License-Identifier: GPL-2.0
/*
 * vdev-perf: the report, as text for people or JSON for scripts (the
 * benchmark's tables). Latencies are nanoseconds in JSON, microseconds in
 * text; sizes are bytes.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "vdev-perf.h"

#define MIB		(1024.0 * 1024)

static const double perf_pcts[] = { 50, 99, 99.9 };
static const char *const perf_pct_keys[] = { "p50", "p99", "p99_9" };

static uint64_t perf_ios(const struct perf_stats *st)
{
	return st->ios[0] + st->ios[1];
}

static double perf_rate(uint64_t n, double secs)
{
	return secs > 0 ? n / secs : 0;
}

static double perf_cpu_us_per_io(double cpu_s, uint64_t ios)
{
	return ios ? cpu_s * 1e6 / ios : 0;
}

static const char *perf_backend_kind(const struct perf_backend *b)
{
	switch (b->kind) {
	case PERF_BACKEND_PROCESS:
		return "process";
	case PERF_BACKEND_KTHREADS:
		return "kthreads";
	case PERF_BACKEND_THREADS:
		return "threads";
	default:
		return NULL;
	}
}

static bool perf_verify_ok(const struct perf_result *r)
{
	return r->verify_done && !r->fill.errors && !r->fill.mismatches &&
	       !r->st.errors && !r->st.mismatches && !r->check.errors &&
	       !r->check.mismatches;
}

/* --- text ----------------------------------------------------------------- */

static void perf_text_lat(const char *what, const struct perf_stats *st,
			  unsigned int d, const struct perf_hist *h,
			  double secs)
{
	unsigned int i;

	printf("  %-6s %10.0f IOPS %9.1f MiB/s  lat us: mean %.1f", what,
	       perf_rate(st->ios[d], secs), perf_rate(st->bytes[d], secs) / MIB,
	       perf_hist_mean(h) / 1000);
	for (i = 0; i < 3; i++)
		printf(" %s %.1f", perf_pct_keys[i],
		       perf_hist_pct(h, perf_pcts[i]) / 1000.0);
	printf(" max %.1f\n", h->count ? h->max / 1000.0 : 0);
}

static void perf_text_backend(const struct perf_backend *b, double secs,
			      uint64_t ios)
{
	double cpu = perf_backend_cpu_s(b);
	unsigned int i;

	if (b->kind == PERF_BACKEND_NONE) {
		printf("  backend CPU: not measured (%s)\n", b->why);
		return;
	}
	printf("  backend CPU: %.2f s (%.0f%% of a CPU), %.2f us per I/O\n", cpu,
	       secs > 0 ? 100 * cpu / secs : 0, perf_cpu_us_per_io(cpu, ios));
	for (i = 0; i < b->after.ntasks; i++) {
		double t = perf_task_cpu_s(b, i);

		if (t > 0)
			printf("    %-7d %-16s %.2f s\n", b->after.tasks[i].pid,
			       b->after.tasks[i].comm, t);
	}
}

void perf_report_text(const struct perf_job *j, const struct perf_result *r,
		      const struct perf_backend *b)
{
	const struct perf_opts *o = j->o;
	uint64_t ios = perf_ios(&r->st);
	char buf[128];

	if (o->nvme)
		printf("vdev-perf: %s bs=%u iodepth=%u queues=%u nvme %s\n",
		       o->idle ? "idle" : perf_rw_name(o->rw), o->bs,
		       o->iodepth, o->queues, o->notify ? "notify" : "poll");
	else
		printf("vdev-perf: %s bs=%u iodepth=%u queues=%u ring=%s/%u%s%s %s\n",
		       o->idle ? "idle" : perf_rw_name(o->rw), o->bs, o->iodepth,
		       o->queues, o->packed ? "packed" : "split", o->ring_size,
		       j->indirect ? " indirect" : "",
		       j->event_idx ? " event-idx" : "",
		       o->notify ? "notify" : "poll");
	if (o->nvme)
		printf("  socket %s (NVMe over vfio-user) %s, %u-byte blocks, back end %s (pid %d)",
		       o->socket, perf_nvme_text(j, buf, sizeof(buf)),
		       j->blk_size, b->comm[0] ? b->comm : "?", b->pid);
	else if (o->vhost_scsi)
		printf("  vhost-scsi %s target %u LUN %u, %u-byte blocks, back end %s (workers %s*)",
		       o->vhost_scsi, j->scsi_target, j->scsi_lun, j->blk_size,
		       b->comm, b->kthreads);
	else if (o->scsi)
		printf("  socket %s (virtio-scsi) target %u LUN %u, %u-byte blocks, back end %s (pid %d)",
		       o->socket, j->scsi_target, j->scsi_lun, j->blk_size,
		       b->comm[0] ? b->comm : "?", b->pid);
	else
		printf("  socket %s, back end %s (pid %d)", o->socket,
		       b->comm[0] ? b->comm : "?", b->pid);
	printf(", %llu blocks from byte %llu\n", (unsigned long long)j->nblocks,
	       (unsigned long long)o->offset);
	printf("  %.2f s%s: %llu I/Os, %.0f IOPS, %.1f MiB/s\n", r->elapsed_s,
	       r->interrupted ? " (ended by a signal)" : "",
	       (unsigned long long)ios, perf_rate(ios, r->elapsed_s),
	       perf_rate(r->st.bytes[0] + r->st.bytes[1], r->elapsed_s) / MIB);
	if (r->lat[0].count)
		perf_text_lat("read", &r->st, 0, &r->lat[0], r->elapsed_s);
	if (r->lat[1].count)
		perf_text_lat("write", &r->st, 1, &r->lat[1], r->elapsed_s);
	perf_text_backend(b, r->elapsed_s, ios);
	printf("  front end CPU: %.2f s, %.2f us per I/O; %llu %s, %llu %s\n",
	       r->front_cpu_s, perf_cpu_us_per_io(r->front_cpu_s, ios),
	       (unsigned long long)r->st.kicks,
	       o->nvme ? "SQ doorbells" : "kicks",
	       (unsigned long long)r->st.calls,
	       o->nvme ? "interrupts" : "calls");
	printf("  errors %llu", (unsigned long long)r->st.errors);
	if (r->st.bad_len)
		printf(", used length not as transferred: %llu",
		       (unsigned long long)r->st.bad_len);
	if (o->verify)
		printf(", verify %s (%llu sectors checked, %llu wrong)",
		       perf_verify_ok(r) ? "ok" : "FAILED",
		       (unsigned long long)(r->st.verified + r->check.verified),
		       (unsigned long long)(r->fill.mismatches + r->st.mismatches +
					    r->check.mismatches));
	printf("\n");
	if (r->err[0])
		printf("  first error: %s\n", r->err);
}

/* --- JSON ----------------------------------------------------------------- */

static void perf_json_lat(struct json_out *js, const char *key,
			  const struct perf_hist *h)
{
	unsigned int i;

	json_obj_open(js, key);
	json_u64(js, "min", h->count ? h->min : 0);
	json_f64(js, "mean", perf_hist_mean(h), 1);
	for (i = 0; i < 3; i++)
		json_u64(js, perf_pct_keys[i], perf_hist_pct(h, perf_pcts[i]));
	json_u64(js, "max", h->max);
	json_obj_close(js);
}

static void perf_json_dir(struct json_out *js, const char *key,
			  const struct perf_result *r, unsigned int d)
{
	json_obj_open(js, key);
	json_u64(js, "ios", r->st.ios[d]);
	json_u64(js, "bytes", r->st.bytes[d]);
	json_f64(js, "iops", perf_rate(r->st.ios[d], r->elapsed_s), 1);
	json_f64(js, "bw_mib_s", perf_rate(r->st.bytes[d], r->elapsed_s) / MIB, 2);
	perf_json_lat(js, "lat_ns", &r->lat[d]);
	json_obj_close(js);
}

static void perf_json_job(struct json_out *js, const struct perf_job *j)
{
	const struct perf_opts *o = j->o;

	json_obj_open(js, "job");
	json_string(js, "rw", perf_rw_name(o->rw));
	if (o->rw == PERF_RW_RANDRW)
		json_u64(js, "rwmix_read", o->rwmix_read);
	json_u64(js, "bs", o->bs);
	json_u64(js, "iodepth", o->iodepth);
	json_u64(js, "queues", o->queues);
	json_string(js, "ring", o->packed ? "packed" : "split");
	json_u64(js, "ring_size", o->ring_size);
	json_bool(js, "indirect", j->indirect);
	json_bool(js, "event_idx", j->event_idx);
	json_string(js, "completion", o->notify ? "notify" : "poll");
	json_u64(js, "offset", o->offset);
	json_u64(js, "size", j->nblocks * o->bs);
	json_f64(js, "runtime_s", o->runtime, 3);
	json_u64(js, "ios", o->ios);
	json_bool(js, "verify", o->verify);
	json_bool(js, "idle", o->idle);
	json_obj_close(js);
}

static void perf_json_device(struct json_out *js, const struct perf_job *j)
{
	json_obj_open(js, "device");
	json_string(js, "type", j->o->nvme ? "nvme" :
		    j->o->scsi ? "virtio-scsi" : "virtio-blk");
	if (j->o->nvme)
		perf_nvme_json(js, j);
	if (j->o->vhost_scsi)
		json_string(js, "wwpn", j->o->vhost_scsi);
	if (j->o->scsi) {
		json_u64(js, "target", j->scsi_target);
		json_u64(js, "lun", j->scsi_lun);
	}
	json_hex(js, "features_offered", j->offered);
	json_hex(js, "features", j->features);
	json_hex(js, "protocol_features", j->protocol);
	json_u64(js, "capacity", j->capacity);
	json_u64(js, "blk_size", j->blk_size);
	json_obj_close(js);
}

static void perf_json_backend(struct json_out *js,
			      const struct perf_backend *b, double secs,
			      uint64_t ios)
{
	double cpu = perf_backend_cpu_s(b);
	unsigned int i;

	json_obj_open(js, "backend");
	json_string(js, "kind", perf_backend_kind(b));
	json_i64(js, "peer_pid", b->pid);
	json_string(js, "comm", b->comm[0] ? b->comm : NULL);
	json_bool(js, "measured", b->kind != PERF_BACKEND_NONE);
	if (b->kind == PERF_BACKEND_NONE) {
		json_string(js, "why", b->why);
		json_obj_close(js);
		return;
	}
	if (b->kind == PERF_BACKEND_KTHREADS || b->kind == PERF_BACKEND_THREADS)
		json_string(js, "kthreads", b->kthreads);
	json_f64(js, "cpu_s", cpu, 3);
	json_f64(js, "cpu_util", secs > 0 ? cpu / secs : 0, 3);
	json_f64(js, "cpu_us_per_io", perf_cpu_us_per_io(cpu, ios), 3);
	json_arr_open(js, "tasks");
	for (i = 0; i < b->after.ntasks; i++) {
		json_obj_open(js, NULL);
		json_i64(js, "pid", b->after.tasks[i].pid);
		json_string(js, "comm", b->after.tasks[i].comm);
		json_f64(js, "cpu_s", perf_task_cpu_s(b, i), 3);
		json_obj_close(js);
	}
	json_arr_close(js);
	json_obj_close(js);
}

static void perf_json_verify(struct json_out *js, const struct perf_job *j,
			     const struct perf_result *r)
{
	json_obj_open(js, "verify");
	json_bool(js, "enabled", j->o->verify);
	if (j->o->verify) {
		json_bool(js, "ok", perf_verify_ok(r));
		json_u64(js, "sectors_checked",
			 r->st.verified + r->check.verified);
		json_u64(js, "mismatches", r->fill.mismatches +
			 r->st.mismatches + r->check.mismatches);
		json_u64(js, "fill_errors", r->fill.errors);
		json_u64(js, "check_errors", r->check.errors);
	}
	json_obj_close(js);
}

void perf_report_json(const struct perf_job *j, const struct perf_result *r,
		      const struct perf_backend *b)
{
	uint64_t ios = perf_ios(&r->st);
	struct json_out js;
	unsigned int i;

	json_begin(&js, stdout);
	json_obj_open(&js, NULL);
	json_string(&js, "tool", "vdev-perf");
	/* The back end's address: a socket's path, or vhost-scsi:WWPN. */
	json_string(&js, "socket", j->name);
	json_string(&js, "transport", j->o->nvme ? "vfio-user" :
		    j->o->vhost_scsi ? "vhost-scsi" : "vhost-user");
	perf_json_job(&js, j);
	perf_json_device(&js, j);
	json_f64(&js, "elapsed_s", r->elapsed_s, 6);
	json_bool(&js, "interrupted", r->interrupted);
	json_u64(&js, "ios", ios);
	json_f64(&js, "iops", perf_rate(ios, r->elapsed_s), 1);
	json_f64(&js, "bw_mib_s",
		 perf_rate(r->st.bytes[0] + r->st.bytes[1], r->elapsed_s) / MIB, 2);
	perf_json_lat(&js, "lat_ns", &r->all);
	perf_json_dir(&js, "read", r, 0);
	perf_json_dir(&js, "write", r, 1);
	json_u64(&js, "errors", r->st.errors);
	json_u64(&js, "used_len_mismatch", r->st.bad_len);
	json_u64(&js, "kicks", r->st.kicks);
	json_u64(&js, "calls", r->st.calls);
	json_arr_open(&js, "queue_ios");
	for (i = 0; i < j->o->queues; i++)
		json_u64(&js, NULL, r->queue_ios[i]);
	json_arr_close(&js);
	perf_json_backend(&js, b, r->elapsed_s, ios);
	json_obj_open(&js, "frontend");
	json_f64(&js, "cpu_s", r->front_cpu_s, 3);
	json_f64(&js, "cpu_us_per_io", perf_cpu_us_per_io(r->front_cpu_s, ios), 3);
	json_obj_close(&js);
	perf_json_verify(&js, j, r);
	json_string(&js, "error", r->err[0] ? r->err : NULL);
	json_obj_close(&js);
	json_end(&js);
}
