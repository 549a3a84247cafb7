// SPDX-License-Identifier: GPL-2.0
/*
 * vdev-perf: the CPU time the back end spent, from /proc: utime + stime
 * of its tasks before and after the measured interval.
 *
 * qemu-storage-daemon and SPDK are processes: the socket's peer
 * (SO_PEERCRED) or --backend-pid; /proc/PID/stat counts every thread the
 * process ever had, and each /proc/PID/task/TID/stat says which thread
 * spent it. vdev
 * is not a process: vdevd only carries the control messages, and the data
 * path runs in the module's polling kthreads ("vdev-poll/CPU", see
 * kmod/poller.c), found by name among the children of kthreadd.
 * vhost-scsi's work runs in its vhost workers, "vhost-PID" after the
 * owner's pid: since Linux 6.4 threads of the owner (vdev-perf itself,
 * so its own CPU time includes theirs), kthreads before.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "vdev-perf.h"

#define PERF_VDEV_KTHREADS	"vdev-poll/"
#define PERF_KTHREADD		2

double perf_ticks_s(uint64_t ticks)
{
	static long hz;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK);
	return (double)ticks / (hz > 0 ? hz : 100);
}

/*
 * /proc/.../stat: "pid (comm) state ppid ..."; comm may hold spaces and
 * parentheses, so the fields start after the last ')'. utime and stime
 * are fields 14 and 15.
 */
static int perf_stat_read(const char *path, char *comm, size_t len,
			  pid_t *ppid, uint64_t *ticks)
{
	unsigned long long utime, stime;
	char buf[1024], *open, *close;
	int ppid_v;
	ssize_t n;
	FILE *fp;

	fp = fopen(path, "r");
	if (!fp)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	open = strchr(buf, '(');
	close = strrchr(buf, ')');
	if (!open || !close || close < open)
		return -EPROTO;
	if (sscanf(close + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &ppid_v, &utime, &stime) != 3)
		return -EPROTO;
	if (comm) {
		*close = '\0';
		snprintf(comm, len, "%s", open + 1);
	}
	if (ppid)
		*ppid = ppid_v;
	*ticks = utime + stime;
	return 0;
}

static void perf_task_add(struct perf_cpu_sample *s, pid_t pid,
			  const char *comm, uint64_t ticks)
{
	struct perf_task *t;

	if (s->ntasks == PERF_CPU_MAX_TASKS)
		return;
	t = &s->tasks[s->ntasks++];
	t->pid = pid;
	snprintf(t->comm, sizeof(t->comm), "%s", comm);
	t->ticks = ticks;
}

static bool perf_is_pid(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (!isdigit((unsigned char)*name))
			return false;
	return true;
}

/* Is @comm one of the back end's (k)threads? "vhost-12" is not "vhost-123". */
static bool perf_comm_is(const struct perf_backend *b, const char *comm)
{
	size_t len = strlen(b->kthreads);

	return !strncmp(comm, b->kthreads, len) && (!b->exact || !comm[len]);
}

/*
 * The threads of b->pid: each one, or with @workers only the back end's
 * (perf_comm_is()), summed into s->ticks.
 */
static void perf_sample_tasks(struct perf_backend *b, struct perf_cpu_sample *s,
			      bool workers)
{
	char path[300], comm[32];
	struct dirent *de;
	uint64_t ticks;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", b->pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (!perf_is_pid(de->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", b->pid,
			 de->d_name);
		if (perf_stat_read(path, comm, sizeof(comm), NULL, &ticks))
			continue;
		if (workers && !perf_comm_is(b, comm))
			continue;
		perf_task_add(s, atoi(de->d_name), comm, ticks);
		if (workers)
			s->ticks += ticks;
	}
	closedir(dir);
}

/* The process's total, and each of its threads. */
static int perf_sample_process(struct perf_backend *b,
			       struct perf_cpu_sample *s)
{
	char path[64];
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/stat", b->pid);
	ret = perf_stat_read(path, NULL, 0, NULL, &s->ticks);
	if (!ret)
		perf_sample_tasks(b, s, false);
	return ret;
}

/* Every kthread the back end names (perf_comm_is()). */
static int perf_sample_kthreads(struct perf_backend *b,
				struct perf_cpu_sample *s)
{
	char path[300], comm[32];
	struct dirent *de;
	uint64_t ticks;
	pid_t ppid;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (!perf_is_pid(de->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (perf_stat_read(path, comm, sizeof(comm), &ppid, &ticks))
			continue;
		if (ppid != PERF_KTHREADD || !perf_comm_is(b, comm))
			continue;
		perf_task_add(s, atoi(de->d_name), comm, ticks);
		s->ticks += ticks;
	}
	closedir(dir);
	return 0;
}

int perf_backend_sample(struct perf_backend *b, struct perf_cpu_sample *s)
{
	s->ticks = 0;
	s->ntasks = 0;
	switch (b->kind) {
	case PERF_BACKEND_PROCESS:
		return perf_sample_process(b, s);
	case PERF_BACKEND_KTHREADS:
		return perf_sample_kthreads(b, s);
	case PERF_BACKEND_THREADS:
		perf_sample_tasks(b, s, true);
		return 0;
	default:
		return 0;
	}
}

int perf_backend_pin(struct perf_backend *b, const cpu_set_t *cpus)
{
	struct perf_cpu_sample *s = calloc(1, sizeof(*s));
	unsigned int i;
	int ret = 0;

	if (!s)
		return -ENOMEM;
	perf_backend_sample(b, s);
	if (!s->ntasks) {
		fprintf(stderr, "vdev-perf: --backend-cpus: no back end thread to move (%s)\n",
			b->why[0] ? b->why : b->kthreads);
		ret = -ESRCH;
	}
	for (i = 0; i < s->ntasks && !ret; i++) {
		if (!sched_setaffinity(s->tasks[i].pid, sizeof(*cpus), cpus))
			continue;
		ret = -errno;
		fprintf(stderr, "vdev-perf: --backend-cpus: moving %s (%d): %s\n",
			s->tasks[i].comm, s->tasks[i].pid, strerror(errno));
	}
	free(s);
	return ret;
}

static void perf_comm_of(pid_t pid, char *comm, size_t len)
{
	char path[64];
	uint64_t ticks;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (perf_stat_read(path, comm, len, NULL, &ticks))
		snprintf(comm, len, "?");
}

/* Does the back end taken as @kind have a task now? Sets b->kind if so. */
static bool perf_backend_try(struct perf_backend *b, int kind)
{
	struct perf_cpu_sample *s = calloc(1, sizeof(*s));
	bool found;

	if (!s)
		return false;
	b->kind = kind;
	found = !perf_backend_sample(b, s) && s->ntasks;
	if (!found)
		b->kind = PERF_BACKEND_NONE;
	free(s);
	return found;
}

/* vhost-scsi: our own vhost workers, threads or (before 6.4) kthreads. */
static void perf_backend_vhost(struct perf_backend *b)
{
	b->pid = getpid();
	snprintf(b->comm, sizeof(b->comm), "vhost-scsi");
	snprintf(b->kthreads, sizeof(b->kthreads), "vhost-%d", b->pid);
	b->exact = true;
	if (!perf_backend_try(b, PERF_BACKEND_THREADS) &&
	    !perf_backend_try(b, PERF_BACKEND_KTHREADS))
		snprintf(b->why, sizeof(b->why), "no vhost worker named %s",
			 b->kthreads);
}

void perf_backend_find(struct perf_backend *b, const struct perf_opts *o,
		       int sock_fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	b->kind = PERF_BACKEND_NONE;
	if (o->vhost_scsi && !o->backend_pid && !o->backend_kthreads) {
		perf_backend_vhost(b);
		return;
	}
	snprintf(b->kthreads, sizeof(b->kthreads), "%s",
		 o->backend_kthreads ?: PERF_VDEV_KTHREADS);
	if (!getsockopt(sock_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		b->pid = cred.pid;
	if (o->backend_pid)
		b->pid = o->backend_pid;
	if (b->pid > 0)
		perf_comm_of(b->pid, b->comm, sizeof(b->comm));
	if (o->backend_pid) {
		b->kind = PERF_BACKEND_PROCESS;
	} else if (o->backend_kthreads || !strcmp(b->comm, "vdevd") ||
		   b->pid <= 0) {
		/* vdevd serves the socket; the kernel does the I/O. */
		if (!perf_backend_try(b, PERF_BACKEND_KTHREADS))
			snprintf(b->why, sizeof(b->why), "no kthread named %s*",
				 b->kthreads);
	} else {
		b->kind = PERF_BACKEND_PROCESS;
	}
}

double perf_backend_cpu_s(const struct perf_backend *b)
{
	if (b->after.ticks < b->before.ticks)
		return 0;
	return perf_ticks_s(b->after.ticks - b->before.ticks);
}

/* A task of "after" that was not there before started at zero. */
double perf_task_cpu_s(const struct perf_backend *b, unsigned int i)
{
	const struct perf_task *t = &b->after.tasks[i];
	unsigned int k;

	for (k = 0; k < b->before.ntasks; k++)
		if (b->before.tasks[k].pid == t->pid)
			return perf_ticks_s(t->ticks - b->before.tasks[k].ticks);
	return perf_ticks_s(t->ticks);
}
