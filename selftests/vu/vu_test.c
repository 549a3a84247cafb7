// SPDX-License-Identifier: GPL-2.0
/*
 * vu_test: vhost-user sessions seen from the front end, over the socket
 * vdevd serves (Documentation/design/vhost-user-session.rst, "The C front
 * end"). Milestone 1: handshake, bad control input, custody.
 *
 * Run by selftests/test_vu_NN.sh, one case at a time (-t NAME; -l lists),
 * so the script can set up controllers and check vdevd's log in between.
 * What the cases expect comes from the environment:
 *
 *   VU_SOCK         the controller's socket path (required; else SKIP)
 *   VU_CTRL         its name, for messages
 *   VU_QUEUES       its num-queues (default 1)
 *   VU_QUEUE_SIZE   its queue-size (default 256): seg_max
 *   VU_CAPACITY     the disk in 512-byte sectors (/sys/block/X/size)
 *   VU_BLK_SIZE     logical block size (queue/logical_block_size)
 *   VU_PBLK_SIZE    physical block size (queue/physical_block_size)
 *   VU_IO_MIN       queue/minimum_io_size, VU_IO_OPT queue/optimal_io_size
 *   VU_RO           1: the namespace is read-only (RO offered)
 *   VU_WRITE_CACHE  1: queue/write_cache says "write back" (FLUSH, WCE)
 *   VU_DISCARD      1: queue/discard_max_bytes > 0 (DISCARD)
 *   VU_FEATURES     the exact offered feature mask, overriding the above
 *   VU_NO_NS        1: the controller has no disk (config_without_namespace)
 *   VU_TIMEOUT_MS   reply timeout (default 5000; the VM bench runs TCG)
 *   VU_KILL_CMD     shell command: kill -9 vdevd and wait until it is gone
 *   VU_START_CMD    shell command: start vdevd in the background
 *   VU_DEL_CMD      shell command: delete the controller (vdevctl ctrl del)
 *
 * An unset VU_CAPACITY etc. is not checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <endian.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

/*
 * kselftest_harness.h has unused parameters, and so does every TEST();
 * its EXPECT_EQ(0, an unsigned) compares an int with an unsigned.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#include "vu_front.h"

#define VU_F(bit)		(1ULL << (bit))
/* Virtio feature bits the design names. */
#define F_SIZE_MAX		1
#define F_SEG_MAX		2
#define F_GEOMETRY		4
#define F_RO			5
#define F_BLK_SIZE		6
#define F_FLUSH			9
#define F_TOPOLOGY		10
#define F_CONFIG_WCE		11
#define F_MQ			12
#define F_DISCARD		13
#define F_WRITE_ZEROES		14
#define F_SECURE_ERASE		16
#define F_ZONED			17
#define F_LOG_ALL		26
#define F_INDIRECT_DESC		28
#define F_EVENT_IDX		29
#define F_PROTOCOL_FEATURES	30
#define F_VERSION_1		32
#define F_ACCESS_PLATFORM	33
#define F_RING_PACKED		34
#define F_IN_ORDER		35
#define F_NOTIFICATION_DATA	38

#define F_ALWAYS (VU_F(F_VERSION_1) | VU_F(F_RING_PACKED) | \
		  VU_F(F_INDIRECT_DESC) | VU_F(F_EVENT_IDX) | \
		  VU_F(F_PROTOCOL_FEATURES) | VU_F(F_SIZE_MAX) | \
		  VU_F(F_SEG_MAX) | VU_F(F_BLK_SIZE) | VU_F(F_TOPOLOGY) | \
		  VU_F(F_MQ) | VU_F(F_WRITE_ZEROES) | VU_F(F_LOG_ALL))

/* virtio status bits */
#define S_ACKNOWLEDGE		0x01
#define S_DRIVER		0x02
#define S_FEATURES_OK		0x08
#define S_QEMU			(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK)

#define REQ_UNKNOWN		99

/* How long a refusal that ends the session may take to show. */
#define HANGUP_MS		10000
/* vdevd gives up on a message that stays incomplete after 5 s. */
#define STALL_MS		15000
/* Connecting, including waiting for the previous session to end. */
#define OPEN_MS			10000
/* Replies right after vdevd restarts. */
#define RESTART_MS		30000
/* vdevd down: nothing may answer within this. */
#define QUIET_MS		300

/* --- the environment ----------------------------------------------------- */

struct vu_env {
	const char *sock;
	const char *ctrl;
	unsigned long long capacity;	/* 0: unchecked */
	unsigned int blk_size, pblk_size, io_min, io_opt;
	unsigned int queues, queue_size;
	uint64_t features;
	int timeout_ms;
};

static unsigned long long env_num(const char *name, unsigned long long dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

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

static void env_load(struct vu_env *e)
{
	e->sock = getenv("VU_SOCK");
	e->ctrl = getenv("VU_CTRL") ?: "?";
	e->capacity = env_num("VU_CAPACITY", 0);
	e->blk_size = env_num("VU_BLK_SIZE", 0);
	e->pblk_size = env_num("VU_PBLK_SIZE", 0);
	e->io_min = env_num("VU_IO_MIN", 0);
	e->io_opt = env_num("VU_IO_OPT", 0);
	e->queues = env_num("VU_QUEUES", 1);
	e->queue_size = env_num("VU_QUEUE_SIZE", 256);
	e->timeout_ms = env_num("VU_TIMEOUT_MS", VU_DEFAULT_TIMEOUT_MS);
	if (getenv("VU_FEATURES") && *getenv("VU_FEATURES")) {
		e->features = env_num("VU_FEATURES", 0);
		return;
	}
	/* The design's "Features offered" table. */
	e->features = F_ALWAYS;
	if (env_num("VU_RO", 0))
		e->features |= VU_F(F_RO);
	if (env_num("VU_WRITE_CACHE", 0))
		e->features |= VU_F(F_FLUSH) | VU_F(F_CONFIG_WCE);
	if (env_num("VU_DISCARD", 0))
		e->features |= VU_F(F_DISCARD);
}

/*
 * Run the shell command in environment variable @name and wait for it.
 * Returns its exit status, -1 if it could not run, -2 if @name is unset.
 */
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

/* --- checks -------------------------------------------------------------- */

/* expr is a vu_front call that must return 0. */
#define OK(expr) do {							\
	int __r = (expr);						\
	ASSERT_EQ(0, __r)						\
		TH_LOG("%s: %s (%s)", #expr, f->err, strerror(-__r));	\
} while (0)

/* expr must fail with want (a negative errno). */
#define FAILS(want, expr) do {						\
	int __r = (expr);						\
	ASSERT_EQ(want, __r)						\
		TH_LOG("%s: want %s, got %d: %s", #expr,		\
		       strerror(-(want)), __r, __r ? f->err : "success"); \
} while (0)

/* The request was refused with a non-zero ack (or an empty GET_CONFIG). */
#define REFUSED(expr)	FAILS(-EREMOTEIO, expr)
/* The session ends. */
#define HANGUP()	OK(vu_expect_hangup(f, HANGUP_MS))
/* No reply came for anything before: the fence's is next. */
#define FENCE()		OK(vu_fence(f))

#define RUN(name) do {							\
	int __rc = run_env_cmd(name);					\
	if (__rc == -2)							\
		SKIP(return, "%s not set", name);			\
	ASSERT_EQ(0, __rc) TH_LOG("%s (%s) failed", name, getenv(name)); \
} while (0)

static void describe_bits(uint64_t bits, char *buf, size_t len)
{
	size_t n = 0;
	int b;

	buf[0] = 0;
	for (b = 0; b < 64 && n < len; b++)
		if (bits & (1ULL << b))
			n += snprintf(buf + n, len - n, " %d", b);
}

/* One message with NEED_REPLY whose refusal is a non-zero u64 reply. */
static int send_expect_refusal(struct vu_front *f, uint32_t request,
			       const void *payload, uint32_t size,
			       const int *fds, int nfds)
{
	int ret = vu_send(f, request, VU_FLAGS_NEED_REPLY, payload, size,
			  fds, nfds);

	return ret ?: vu_recv_ack(f, request);
}

/*
 * A refusal of a request that has its own reply, with NEED_REPLY: the
 * reply carries the error, in the ack form (u64, non-zero) -- or, for
 * GET_CONFIG, possibly its own error form (size 0): the design says both
 * "NEED_REPLY set" and "own error form" make the error the reply, and
 * does not say which form wins. @normal is the value a success would
 * return, which the error must differ from (else the two cannot be told
 * apart), or ~0 if unknown.
 */
static int expect_error_reply(struct vu_front *f, uint32_t request,
			      uint64_t normal)
{
	struct vu_msg m;
	int ret;

	ret = vu_recv_reply(f, request, &m);
	if (ret)
		return ret;
	if (request == VDEV_VU_GET_CONFIG && m.hdr.size == 0)
		return 0;
	/* GET_INFLIGHT_FD's refusal: mmap_size 0 (all 24 bytes zero). */
	if (request == VDEV_VU_GET_INFLIGHT_FD &&
	    m.hdr.size == sizeof(struct vu_wire_inflight)) {
		static const uint8_t zero[sizeof(struct vu_wire_inflight)];

		if (!memcmp(m.p.bytes, zero, sizeof(zero)))
			return 0;
		snprintf(f->err, sizeof(f->err), "GET_INFLIGHT_FD: a 24-byte reply that is not all zero");
		return -EPROTO;
	}
	if (m.hdr.size != 8) {
		snprintf(f->err, sizeof(f->err), "%s: reply size %u, want an error (u64%s)",
			 vu_req_name(request), m.hdr.size,
			 request == VDEV_VU_GET_CONFIG ? " or empty" : "");
		return -EPROTO;
	}
	if (!m.p.u64 || m.p.u64 == normal) {
		snprintf(f->err, sizeof(f->err), "%s: reply %#llx looks like success, want an error",
			 vu_req_name(request), (unsigned long long)m.p.u64);
		return -EPROTO;
	}
	return 0;
}

/* --- fixtures ------------------------------------------------------------ */

/* A served connection (GET_FEATURES answered), nothing negotiated. */
FIXTURE(session) {
	struct vu_env env;
	struct vu_front f;
};

FIXTURE_SETUP(session)
{
	env_load(&self->env);
	vu_init(&self->f);
	self->f.timeout_ms = self->env.timeout_ms;
	if (!self->env.sock)
		SKIP(return, "VU_SOCK not set");
	ASSERT_EQ(0, vu_open(&self->f, self->env.sock, OPEN_MS))
		TH_LOG("%s", self->f.err);
}

FIXTURE_TEARDOWN(session)
{
	vu_close(&self->f);
}

/* Custody: the case makes its own connections; vdevd goes down and up. */
FIXTURE(custody) {
	struct vu_env env;
	struct vu_front f, g;
};

FIXTURE_SETUP(custody)
{
	env_load(&self->env);
	vu_init(&self->f);
	vu_init(&self->g);
	/* A restarted vdevd answers once it has bound and peeked again. */
	self->f.timeout_ms = self->g.timeout_ms =
		self->env.timeout_ms > RESTART_MS ? self->env.timeout_ms :
						    RESTART_MS;
	if (!self->env.sock)
		SKIP(return, "VU_SOCK not set");
}

FIXTURE_TEARDOWN(custody)
{
	vu_close(&self->f);
	vu_close(&self->g);
}

/* Reconnect @f: the old session ends, a new one starts. */
#define REOPEN() do {							\
	vu_close(f);							\
	OK(vu_open(f, self->env.sock, OPEN_MS));			\
} while (0)

/* Every protocol feature offered, so REPLY_ACK is on. */
#define NEGOTIATE() OK(vu_negotiate(f, VU_PROTOCOL_OFFERED))

/* ========================================================================
 * Handshake
 * ========================================================================
 */

/* GET_FEATURES: exactly the design's table for this namespace. */
TEST_F(session, features_offered)
{
	struct vu_front *f = &self->f;
	char extra[256], missing[256];

	describe_bits(f->features & ~self->env.features, extra, sizeof(extra));
	describe_bits(~f->features & self->env.features, missing,
		      sizeof(missing));
	EXPECT_EQ(self->env.features, f->features)
		TH_LOG("%s: offered %#llx, want %#llx; extra bits:%s; missing bits:%s",
		       self->env.ctrl, (unsigned long long)f->features,
		       (unsigned long long)self->env.features, extra, missing);
	/* Never, whatever the disk. */
	EXPECT_EQ(0, f->features & (VU_F(F_ACCESS_PLATFORM) |
				    VU_F(F_IN_ORDER) | VU_F(F_NOTIFICATION_DATA) |
				    VU_F(F_GEOMETRY) | VU_F(F_SECURE_ERASE) |
				    VU_F(F_ZONED)));
}

TEST_F(session, protocol_features_offered)
{
	struct vu_front *f = &self->f;
	uint64_t pf;

	OK(vu_get_protocol_features(f, &pf));
	EXPECT_EQ(VU_PROTOCOL_OFFERED, pf)
		TH_LOG("offered %#llx, want MQ|LOG_SHMFD|REPLY_ACK|BACKEND_REQ|CONFIG|INFLIGHT_SHMFD|RESET_DEVICE|CONFIGURE_MEM_SLOTS|STATUS = %#llx",
		       (unsigned long long)pf,
		       (unsigned long long)VU_PROTOCOL_OFFERED);
	/* Asking again changes nothing. */
	OK(vu_get_protocol_features(f, &pf));
	EXPECT_EQ(VU_PROTOCOL_OFFERED, pf);
}

TEST_F(session, queue_num)
{
	struct vu_front *f = &self->f;
	uint64_t num;

	NEGOTIATE();
	OK(vu_get_queue_num(f, &num));
	EXPECT_EQ(self->env.queues, num);
}

TEST_F(session, max_mem_slots)
{
	struct vu_front *f = &self->f;
	uint64_t slots;

	NEGOTIATE();
	OK(vu_get_max_mem_slots(f, &slots));
	EXPECT_EQ(VDEV_VU_MAX_MEM_SLOTS, slots);
}

/* GET_CONFIG: struct virtio_blk_config as sysfs describes the disk. */
TEST_F(session, config_values)
{
	struct vu_front *f = &self->f;
	struct vu_env *e = &self->env;
	struct virtio_blk_config cfg;
	unsigned int seg_max = e->queue_size - 2 < 128 ? e->queue_size - 2 : 128;

	NEGOTIATE();
	OK(vu_get_blk_config(f, &cfg));
	if (e->capacity)
		EXPECT_EQ(e->capacity, le64toh(cfg.capacity));
	if (e->blk_size)
		EXPECT_EQ(e->blk_size, le32toh(cfg.blk_size));
	EXPECT_EQ(e->queues, le16toh(cfg.num_queues));
	EXPECT_EQ(1U << 20, le32toh(cfg.size_max));
	EXPECT_EQ(seg_max, le32toh(cfg.seg_max));
	if (e->blk_size && e->pblk_size) {
		unsigned int exp = 0;

		while ((e->blk_size << exp) < e->pblk_size)
			exp++;
		EXPECT_EQ(exp, cfg.physical_block_exp);
		EXPECT_EQ(0, cfg.alignment_offset);
	}
	/* virtio counts io_min and io_opt in logical blocks. */
	if (e->blk_size && e->io_min)
		EXPECT_EQ(e->io_min / e->blk_size, le16toh(cfg.min_io_size));
	if (e->blk_size && e->io_opt)
		EXPECT_EQ(e->io_opt / e->blk_size, le32toh(cfg.opt_io_size));
	/* Geometry is never offered. */
	EXPECT_EQ(0, cfg.geometry.cylinders | cfg.geometry.heads |
		     cfg.geometry.sectors);
}

/* Any window of the config space reads what the whole read says. */
TEST_F(session, config_windows)
{
	struct vu_front *f = &self->f;
	uint8_t all[VDEV_VU_MAX_CONFIG], part[VDEV_VU_MAX_CONFIG];
	static const struct { uint32_t off, size; } win[] = {
		{ 0, 8 }, { 1, 7 }, { 20, 4 }, { 34, 2 }, { 0, 1 },
		{ 57, 3 }, { 100, 50 }, { 255, 1 },
	};
	unsigned int i, j;

	NEGOTIATE();
	OK(vu_get_config(f, 0, sizeof(all), 0, all));
	for (i = 0; i < ARRAY_SIZE(win); i++) {
		memset(part, 0xa5, sizeof(part));
		OK(vu_get_config(f, win[i].off, win[i].size, 0, part));
		for (j = 0; j < win[i].size; j++)
			ASSERT_EQ(all[win[i].off + j], part[j])
				TH_LOG("window %u+%u, byte %u", win[i].off,
				       win[i].size, j);
	}
	FENCE();
}

/*
 * Past struct virtio_blk_config up to 256 reads as 0. Bytes 57-255: after
 * write_zeroes_may_unmap come padding, secure erase and zoned fields
 * (never offered) and nothing.
 */
TEST_F(session, config_tail_zero)
{
	struct vu_front *f = &self->f;
	uint8_t all[VDEV_VU_MAX_CONFIG];
	unsigned int i;

	NEGOTIATE();
	OK(vu_get_config(f, 0, sizeof(all), 0, all));
	for (i = VU_QEMU72_CONFIG_SIZE; i < sizeof(all); i++)
		ASSERT_EQ(0, all[i]) TH_LOG("config byte %u", i);
}

/*
 * The requests without a reply of their own that milestone 1 applies,
 * each valid in the state NEGOTIATE() leaves. With NEED_REPLY each gets
 * an ack of 0, without it nothing (the fence's reply comes next).
 */
enum { SET_FEATURES, SET_OWNER, SET_PROTOCOL, SET_BACKEND, SET_CONFIG_MIG,
	SET_STATUS, RESET_DEVICE, RESET_OWNER, NR_SETTABLE };

static const char *const settable_name[NR_SETTABLE] = {
	"SET_FEATURES", "SET_OWNER", "SET_PROTOCOL_FEATURES",
	"SET_BACKEND_REQ_FD", "SET_CONFIG (cfg_flags 1)", "SET_STATUS",
	"RESET_DEVICE", "RESET_OWNER",
};

static int send_settable(struct vu_front *f, int which, uint32_t flags,
			 uint32_t *request)
{
	struct vu_wire_config cfg = { .offset = 32, .size = 1, .flags = 1 };
	uint64_t v;
	int sv[2], ret;

	switch (which) {
	case SET_FEATURES:
		*request = VDEV_VU_SET_FEATURES;
		v = f->features;
		return vu_send(f, *request, flags, &v, 8, NULL, 0);
	case SET_OWNER:
		*request = VDEV_VU_SET_OWNER;
		return vu_send(f, *request, flags, NULL, 0, NULL, 0);
	case SET_PROTOCOL:
		*request = VDEV_VU_SET_PROTOCOL_FEATURES;
		v = VU_PROTOCOL_OFFERED;
		return vu_send(f, *request, flags, &v, 8, NULL, 0);
	case SET_BACKEND:
		*request = VDEV_VU_SET_BACKEND_REQ_FD;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			return -errno;
		ret = vu_send(f, *request, flags, NULL, 0, &sv[1], 1);
		close(sv[1]);
		if (f->backend_fd >= 0)
			close(f->backend_fd);
		f->backend_fd = sv[0];
		return ret;
	case SET_CONFIG_MIG:
		/* cfg_flags 1 (migration): acked and ignored. */
		*request = VDEV_VU_SET_CONFIG;
		return vu_send(f, *request, flags, &cfg,
			       VU_WIRE_CONFIG_HDR_SIZE + 1, NULL, 0);
	case SET_STATUS:
		*request = VDEV_VU_SET_STATUS;
		v = S_ACKNOWLEDGE | S_DRIVER;
		return vu_send(f, *request, flags, &v, 8, NULL, 0);
	case RESET_DEVICE:
		*request = VDEV_VU_RESET_DEVICE;
		return vu_send(f, *request, flags, NULL, 0, NULL, 0);
	case RESET_OWNER:
		/* Deprecated: dropped with err 0, so acked 0 if asked. */
		*request = VDEV_VU_RESET_OWNER;
		return vu_send(f, *request, flags, NULL, 0, NULL, 0);
	}
	return -EINVAL;
}

TEST_F(session, need_reply_acks)
{
	struct vu_front *f = &self->f;
	uint32_t request;
	int i;

	NEGOTIATE();
	for (i = 0; i < NR_SETTABLE; i++) {
		OK(send_settable(f, i, VU_FLAGS_NEED_REPLY, &request));
		ASSERT_EQ(0, vu_recv_ack(f, request))
			TH_LOG("%s with NEED_REPLY: %s", settable_name[i], f->err);
	}
	FENCE();
}

TEST_F(session, no_reply_without_need_reply)
{
	struct vu_front *f = &self->f;
	uint32_t request;
	int i;

	NEGOTIATE();
	for (i = 0; i < NR_SETTABLE; i++) {
		OK(send_settable(f, i, VU_FLAGS, &request));
		ASSERT_EQ(0, vu_fence(f))
			TH_LOG("after %s without NEED_REPLY: %s",
			       settable_name[i], f->err);
	}
	/* And all of them back to back, then one fence. */
	for (i = 0; i < NR_SETTABLE; i++)
		OK(send_settable(f, i, VU_FLAGS, &request));
	FENCE();
}

/*
 * A request with its own reply gets just that, NEED_REPLY or not (the
 * vhost-user spec: the flag "brings no behavioural change" there).
 */
TEST_F(session, need_reply_on_get_requests)
{
	struct vu_front *f = &self->f;
	static const uint32_t gets[] = {
		VDEV_VU_GET_FEATURES, VDEV_VU_GET_PROTOCOL_FEATURES,
		VDEV_VU_GET_QUEUE_NUM, VDEV_VU_GET_MAX_MEM_SLOTS,
		VDEV_VU_GET_STATUS,
	};
	struct vu_wire_config cfg = { .offset = 0, .size = 8 };
	struct vu_msg m;
	uint64_t v, plain;
	unsigned int i;

	NEGOTIATE();
	for (i = 0; i < ARRAY_SIZE(gets); i++) {
		OK(vu_get_u64(f, gets[i], VU_FLAGS, &plain));
		OK(vu_get_u64(f, gets[i], VU_FLAGS_NEED_REPLY, &v));
		EXPECT_EQ(plain, v) TH_LOG("%s", vu_req_name(gets[i]));
		FENCE();
	}
	OK(vu_send(f, VDEV_VU_GET_CONFIG, VU_FLAGS_NEED_REPLY, &cfg,
		   VU_WIRE_CONFIG_HDR_SIZE + 8, NULL, 0));
	OK(vu_recv_reply(f, VDEV_VU_GET_CONFIG, &m));
	EXPECT_EQ(VU_WIRE_CONFIG_HDR_SIZE + 8, m.hdr.size);
	FENCE();
}

/* SET_STATUS stores the byte; GET_STATUS returns it. */
TEST_F(session, status_round_trip)
{
	struct vu_front *f = &self->f;
	static const uint64_t values[] = {
		S_ACKNOWLEDGE, S_ACKNOWLEDGE | S_DRIVER, S_QEMU,
		S_QEMU | 0x04 /* DRIVER_OK */, 0, 0xff, 0,
	};
	uint64_t status;
	unsigned int i;

	NEGOTIATE();
	OK(vu_get_status(f, &status));
	EXPECT_EQ(0, status);
	OK(vu_set_features(f, f->features));
	for (i = 0; i < ARRAY_SIZE(values); i++) {
		OK(vu_set_status(f, values[i]));
		OK(vu_get_status(f, &status));
		EXPECT_EQ(values[i], status);
	}
}

/*
 * RESET_DEVICE forgets acked features and status, keeps the protocol
 * features (GET_QUEUE_NUM still allowed, NEED_REPLY still acked).
 */
TEST_F(session, reset_device)
{
	struct vu_front *f = &self->f;
	uint64_t status, num;

	NEGOTIATE();
	OK(vu_set_backend_req_fd(f));
	OK(vu_set_features(f, f->features));
	OK(vu_set_status(f, S_QEMU));
	OK(vu_reset_device(f));
	OK(vu_get_status(f, &status));
	EXPECT_EQ(0, status);
	OK(vu_get_queue_num(f, &num));
	EXPECT_EQ(self->env.queues, num);
	OK(vu_set_features(f, f->features));
	OK(vu_set_status(f, S_QEMU));
	OK(vu_get_status(f, &status));
	EXPECT_EQ(S_QEMU, status);
	/* Twice in a row is fine too. */
	OK(vu_reset_device(f));
	OK(vu_reset_device(f));
	FENCE();
}

static void check_realized(struct __test_metadata *_metadata,
			   struct vu_front *f, struct vu_env *e,
			   struct virtio_blk_config *cfg)
{
	ASSERT_EQ(VU_PROTOCOL_OFFERED, f->acked_protocol);
	if (e->capacity)
		EXPECT_EQ(e->capacity, le64toh(cfg->capacity));
	if (e->blk_size)
		EXPECT_EQ(e->blk_size, le32toh(cfg->blk_size));
	EXPECT_EQ(e->queues, le16toh(cfg->num_queues));
	ASSERT_EQ(0, vu_fence(f)) TH_LOG("%s", f->err);
}

/*
 * The design's realize sequence. The fixture's GET_FEATURES (the first
 * message on the connection) is QEMU's first message, so the helper
 * goes on from there (VU_REALIZE_OPENED).
 */
TEST_F(session, qemu72_realize)
{
	struct vu_front *f = &self->f;
	struct virtio_blk_config cfg;
	unsigned int nq = self->env.queues < 2 ? self->env.queues : 2;

	OK(vu_qemu72_realize(f, nq, VU_REALIZE_OPENED, &cfg));
	check_realized(_metadata, f, &self->env, &cfg);
}

/*
 * What QEMU 7.2 really sends before GET_CONFIG, including the second
 * GET_FEATURES and per queue SET_VRING_CALL and SET_VRING_ERR (eventfds,
 * no NEED_REPLY). Without those two accepted QEMU cannot realize the
 * device: a refusal without NEED_REPLY ends the session.
 */
TEST_F(session, qemu72_realize_full)
{
	struct vu_front *f = &self->f;
	struct virtio_blk_config cfg;
	unsigned int nq = self->env.queues < 2 ? self->env.queues : 2;

	OK(vu_qemu72_realize(f, nq, VU_REALIZE_OPENED | VU_REALIZE_FULL,
			     &cfg));
	check_realized(_metadata, f, &self->env, &cfg);
}

/* A new connection is a new session: nothing negotiated carries over. */
TEST_F(session, reconnect_fresh_state)
{
	struct vu_front *f = &self->f;
	uint64_t status;

	NEGOTIATE();
	OK(vu_set_features(f, f->features));
	OK(vu_set_status(f, S_QEMU));
	REOPEN();
	NEGOTIATE();
	OK(vu_get_status(f, &status));
	EXPECT_EQ(0, status);
}

/* A controller without a namespace: GET_CONFIG is refused (empty reply). */
TEST_F(session, config_without_namespace)
{
	struct vu_front *f = &self->f;
	struct virtio_blk_config cfg;

	if (!env_num("VU_NO_NS", 0))
		SKIP(return, "VU_NO_NS not set: the controller has a disk");
	NEGOTIATE();
	REFUSED(vu_get_blk_config(f, &cfg));
	FENCE();
}

/* ========================================================================
 * Bad control input: each gets its error reply or ends the session; a
 * session that lives on still works (a fence).
 * ========================================================================
 */

/* Framing: version bits not 1 end the session. */
TEST_F_TIMEOUT(session, bad_version, 60)
{
	struct vu_front *f = &self->f;
	static const uint32_t flags[] = { 0x0, 0x2, 0x3, 0x2 | 0x8 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		if (i)
			REOPEN();
		OK(vu_send(f, VDEV_VU_GET_FEATURES, flags[i], NULL, 0, NULL, 0));
		ASSERT_EQ(0, vu_expect_hangup(f, HANGUP_MS))
			TH_LOG("flags %#x: %s", flags[i], f->err);
	}
}

/* Framing: a front end sending a reply. */
TEST_F(session, reply_flag)
{
	struct vu_front *f = &self->f;
	uint64_t v = 0;

	OK(vu_send(f, VDEV_VU_GET_FEATURES, VU_REPLY_FLAGS, NULL, 0, NULL, 0));
	HANGUP();
	REOPEN();
	OK(vu_send(f, VDEV_VU_SET_STATUS, VU_REPLY_FLAGS | VDEV_VU_FLAG_NEED_REPLY,
		   &v, 8, NULL, 0));
	HANGUP();
}

/* Framing: unknown flag bits. */
TEST_F_TIMEOUT(session, unknown_flag_bits, 60)
{
	struct vu_front *f = &self->f;
	static const uint32_t flags[] = { 0x11, 0x101, 0x80000001 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		if (i)
			REOPEN();
		OK(vu_send(f, VDEV_VU_GET_FEATURES, flags[i], NULL, 0, NULL, 0));
		ASSERT_EQ(0, vu_expect_hangup(f, HANGUP_MS))
			TH_LOG("flags %#x: %s", flags[i], f->err);
	}
}

/* Framing: a payload over 4096 bytes, sent whole, ends the session. */
TEST_F(session, size_over_4096)
{
	struct vu_front *f = &self->f;
	static uint8_t big[VDEV_VU_MAX_PAYLOAD + 1];

	OK(vu_send(f, VDEV_VU_SET_FEATURES, VU_FLAGS_NEED_REPLY, big,
		   sizeof(big), NULL, 0));
	HANGUP();
	/* A header alone claiming 64 KiB. */
	REOPEN();
	OK(vu_send_hdr(f, VDEV_VU_GET_FEATURES, VU_FLAGS, 65536, NULL, 0,
		       NULL, 0));
	HANGUP();
}

/* 4096 is still framed: an unknown request that size is refused, acked. */
TEST_F(session, size_4096_framed)
{
	struct vu_front *f = &self->f;
	static uint8_t payload[VDEV_VU_MAX_PAYLOAD];

	NEGOTIATE();
	REFUSED(send_expect_refusal(f, REQ_UNKNOWN, payload, sizeof(payload),
				    NULL, 0));
	FENCE();
}

/* Half a message, then close: the next connection is served. */
TEST_F(session, truncated_then_close)
{
	struct vu_front *f = &self->f;
	uint64_t v = 0;

	NEGOTIATE();
	OK(vu_send_hdr(f, VDEV_VU_SET_FEATURES, VU_FLAGS_NEED_REPLY, 8, &v, 4,
		       NULL, 0));
	REOPEN();
	NEGOTIATE();
	FENCE();
}

/* A message sent in two parts 200 ms apart is applied once whole. */
TEST_F(session, split_message)
{
	struct vu_front *f = &self->f;
	uint64_t status = S_ACKNOWLEDGE;

	NEGOTIATE();
	OK(vu_send_hdr(f, VDEV_VU_SET_STATUS, VU_FLAGS_NEED_REPLY, 8, &status,
		       4, NULL, 0));
	OK(vu_expect_no_reply(f, 200));
	OK(vu_send_raw(f, (uint8_t *)&status + 4, 4, NULL, 0));
	OK(vu_recv_ack(f, VDEV_VU_SET_STATUS));
	OK(vu_get_status(f, &status));
	EXPECT_EQ(S_ACKNOWLEDGE, status);
}

/* Half a message that never completes: vdevd gives up after 5 s. */
TEST_F_TIMEOUT(session, truncated_stall, 60)
{
	struct vu_front *f = &self->f;
	uint64_t v = 0;

	NEGOTIATE();
	OK(vu_send_hdr(f, VDEV_VU_SET_FEATURES, VU_FLAGS_NEED_REPLY, 8, &v, 4,
		       NULL, 0));
	OK(vu_expect_hangup(f, STALL_MS));
}

/* Unknown request id with NEED_REPLY: a non-zero ack, the session lives. */
TEST_F(session, unknown_request_need_reply)
{
	struct vu_front *f = &self->f;
	uint64_t v = 0;

	NEGOTIATE();
	REFUSED(send_expect_refusal(f, REQ_UNKNOWN, NULL, 0, NULL, 0));
	REFUSED(send_expect_refusal(f, REQ_UNKNOWN, &v, 8, NULL, 0));
	REFUSED(send_expect_refusal(f, 63, NULL, 0, NULL, 0));
	REFUSED(send_expect_refusal(f, 0, NULL, 0, NULL, 0));
	FENCE();
}

/*
 * Unknown request id without NEED_REPLY. The design: vdevd DROPs it with
 * err EINVAL, which *refuses* it; a refused message without NEED_REPLY
 * and without an error form ends the session ("otherwise the session
 * ends, because QEMU would go on believing the change was made"). So:
 * hang-up, not a silent drop.
 */
TEST_F(session, unknown_request_no_need_reply)
{
	struct vu_front *f = &self->f;

	NEGOTIATE();
	OK(vu_send(f, REQ_UNKNOWN, VU_FLAGS, NULL, 0, NULL, 0));
	HANGUP();
}

/*
 * RESET_OWNER (deprecated) is dropped with err 0: no reply without
 * NEED_REPLY and the session lives; ack 0 with it.
 */
TEST_F(session, reset_owner_ignored)
{
	struct vu_front *f = &self->f;

	NEGOTIATE();
	OK(vu_send(f, VDEV_VU_RESET_OWNER, VU_FLAGS, NULL, 0, NULL, 0));
	FENCE();
	OK(vu_send(f, VDEV_VU_RESET_OWNER, VU_FLAGS_NEED_REPLY, NULL, 0, NULL, 0));
	OK(vu_recv_ack(f, VDEV_VU_RESET_OWNER));
	FENCE();
}

/*
 * Each milestone-1 request with a payload size the wire rules refuse,
 * with NEED_REPLY: the error is the reply. Requests with a reply of their
 * own answer in the ack form (see expect_error_reply()).
 */
TEST_F_TIMEOUT(session, wrong_size_each_request, 60)
{
	struct vu_front *f = &self->f;
	struct vu_wire_config cfg = { .offset = 0, .size = 4 };
	uint8_t junk[32] = { 0 };
	/* how: */
#define OWN	1	/* the request has a reply of its own */
#define FD	2	/* send a socket with it */
#define CFG	4	/* payload: config header saying 4 bytes, 8 follow */
	static const struct {
		uint32_t request;
		uint32_t size;		/* payload bytes sent, as the header says */
		unsigned int how;
	} bad[] = {
		{ VDEV_VU_GET_FEATURES, 4, OWN },
		{ VDEV_VU_GET_FEATURES, 16, OWN },
		{ VDEV_VU_SET_FEATURES, 0, 0 },
		{ VDEV_VU_SET_FEATURES, 4, 0 },
		{ VDEV_VU_SET_FEATURES, 16, 0 },
		{ VDEV_VU_SET_OWNER, 4, 0 },
		{ VDEV_VU_SET_OWNER, 16, 0 },
		{ VDEV_VU_GET_PROTOCOL_FEATURES, 4, OWN },
		{ VDEV_VU_SET_PROTOCOL_FEATURES, 4, 0 },
		{ VDEV_VU_GET_QUEUE_NUM, 4, OWN },
		{ VDEV_VU_SET_BACKEND_REQ_FD, 4, FD },
		{ VDEV_VU_GET_CONFIG, 4, OWN },
		{ VDEV_VU_GET_CONFIG, 12 + 8, OWN | CFG },
		{ VDEV_VU_SET_CONFIG, 4, 0 },
		{ VDEV_VU_SET_CONFIG, 12 + 8, CFG },
		{ VDEV_VU_GET_INFLIGHT_FD, 16, OWN },
		{ VDEV_VU_GET_INFLIGHT_FD, 32, OWN },
		{ VDEV_VU_SET_INFLIGHT_FD, 16, FD },
		{ VDEV_VU_SET_INFLIGHT_FD, 32, FD },
		{ VDEV_VU_RESET_DEVICE, 4, 0 },
		{ VDEV_VU_GET_MAX_MEM_SLOTS, 4, OWN },
		{ VDEV_VU_SET_STATUS, 4, 0 },
		{ VDEV_VU_SET_STATUS, 0, 0 },
		{ VDEV_VU_GET_STATUS, 4, OWN },
	};
	uint64_t normal, status;
	unsigned int i;
	int sv[2];

	NEGOTIATE();
	OK(vu_set_status(f, S_ACKNOWLEDGE));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const void *payload = bad[i].how & CFG ? (void *)&cfg :
					  (void *)junk;
		int nfds = 0, ret;

		if (bad[i].how & FD) {
			ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
						0, sv));
			nfds = 1;
		}
		ret = vu_send(f, bad[i].request, VU_FLAGS_NEED_REPLY, payload,
			      bad[i].size, nfds ? &sv[1] : NULL, nfds);
		if (nfds) {
			close(sv[0]);
			close(sv[1]);
		}
		ASSERT_EQ(0, ret) TH_LOG("%s", f->err);
		switch (bad[i].request) {
		case VDEV_VU_GET_FEATURES:
			normal = f->features;
			break;
		case VDEV_VU_GET_PROTOCOL_FEATURES:
			normal = VU_PROTOCOL_OFFERED;
			break;
		case VDEV_VU_GET_QUEUE_NUM:
			normal = self->env.queues;
			break;
		case VDEV_VU_GET_MAX_MEM_SLOTS:
			normal = VDEV_VU_MAX_MEM_SLOTS;
			break;
		case VDEV_VU_GET_STATUS:
			normal = S_ACKNOWLEDGE;
			break;
		default:
			normal = ~0ULL;
			break;
		}
		if (bad[i].how & OWN)
			ret = expect_error_reply(f, bad[i].request, normal);
		else
			ret = vu_recv_ack(f, bad[i].request) == -EREMOTEIO ? 0 :
			      -EPROTO;
		ASSERT_EQ(0, ret)
			TH_LOG("%s with %u payload bytes: %s",
			       vu_req_name(bad[i].request), bad[i].size, f->err);
	}
	FENCE();
	/* None of them had an effect. */
	OK(vu_get_status(f, &status));
	EXPECT_EQ(S_ACKNOWLEDGE, status);
#undef OWN
#undef FD
#undef CFG
}

/* Without NEED_REPLY a wrong size ends the session (no error form). */
TEST_F(session, wrong_size_no_need_reply)
{
	struct vu_front *f = &self->f;
	uint32_t v = 0;

	NEGOTIATE();
	OK(vu_send(f, VDEV_VU_SET_FEATURES, VU_FLAGS, &v, 4, NULL, 0));
	HANGUP();
	REOPEN();
	OK(vu_send(f, VDEV_VU_GET_FEATURES, VU_FLAGS, &v, 4, NULL, 0));
	HANGUP();
}

/* "none" also takes 8 bytes, which are ignored. */
TEST_F(session, none_size_8_accepted)
{
	struct vu_front *f = &self->f;
	uint64_t v = 0x1234, got;

	NEGOTIATE();
	OK(vu_send(f, VDEV_VU_GET_FEATURES, VU_FLAGS, &v, 8, NULL, 0));
	OK(vu_recv_u64(f, VDEV_VU_GET_FEATURES, &got));
	EXPECT_EQ(f->features, got);
	OK(vu_send(f, VDEV_VU_SET_OWNER, VU_FLAGS_NEED_REPLY, &v, 8, NULL, 0));
	OK(vu_recv_ack(f, VDEV_VU_SET_OWNER));
	OK(vu_send(f, VDEV_VU_GET_QUEUE_NUM, VU_FLAGS, &v, 8, NULL, 0));
	OK(vu_recv_u64(f, VDEV_VU_GET_QUEUE_NUM, &got));
	EXPECT_EQ(self->env.queues, got);
	OK(vu_send(f, VDEV_VU_RESET_DEVICE, VU_FLAGS_NEED_REPLY, &v, 8, NULL, 0));
	OK(vu_recv_ack(f, VDEV_VU_RESET_DEVICE));
	FENCE();
}

/* An fd on a request that takes none: refused; the state is unchanged. */
TEST_F(session, fd_where_none_belongs)
{
	struct vu_front *f = &self->f;
	uint64_t v, status;
	int efd;

	NEGOTIATE();
	OK(vu_set_status(f, S_ACKNOWLEDGE));
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	v = f->features;
	REFUSED(send_expect_refusal(f, VDEV_VU_SET_FEATURES, &v, 8, &efd, 1));
	REFUSED(send_expect_refusal(f, VDEV_VU_SET_OWNER, NULL, 0, &efd, 1));
	v = S_QEMU;
	REFUSED(send_expect_refusal(f, VDEV_VU_SET_STATUS, &v, 8, &efd, 1));
	REFUSED(send_expect_refusal(f, VDEV_VU_RESET_DEVICE, NULL, 0, &efd, 1));
	OK(vu_send(f, VDEV_VU_GET_STATUS, VU_FLAGS_NEED_REPLY, NULL, 0, &efd, 1));
	OK(expect_error_reply(f, VDEV_VU_GET_STATUS, S_ACKNOWLEDGE));
	close(efd);
	FENCE();
	OK(vu_get_status(f, &status));
	EXPECT_EQ(S_ACKNOWLEDGE, status);
}

TEST_F(session, backend_fd_missing)
{
	struct vu_front *f = &self->f;

	NEGOTIATE();
	REFUSED(send_expect_refusal(f, VDEV_VU_SET_BACKEND_REQ_FD, NULL, 0,
				    NULL, 0));
	FENCE();
}

TEST_F(session, backend_fd_two)
{
	struct vu_front *f = &self->f;
	int sv[2];

	NEGOTIATE();
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	REFUSED(send_expect_refusal(f, VDEV_VU_SET_BACKEND_REQ_FD, NULL, 0,
				    sv, 2));
	close(sv[0]);
	close(sv[1]);
	FENCE();
}

/* The backend channel must be a socket: a pipe, an eventfd are refused. */
TEST_F(session, backend_fd_not_socket)
{
	struct vu_front *f = &self->f;
	int p[2], efd;

	NEGOTIATE();
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	REFUSED(send_expect_refusal(f, VDEV_VU_SET_BACKEND_REQ_FD, NULL, 0,
				    &p[1], 1));
	close(p[0]);
	close(p[1]);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	REFUSED(send_expect_refusal(f, VDEV_VU_SET_BACKEND_REQ_FD, NULL, 0,
				    &efd, 1));
	close(efd);
	FENCE();
	/* A socket still works after. */
	OK(vu_set_backend_req_fd(f));
}

/*
 * Nine fds on one message (more than VDEV_VU_MAX_FDS). vdevd peeks room
 * for 16, so this is no MSG_CTRUNC framing error but a wire-rule break:
 * a refusal (non-zero ack, with NEED_REPLY). A disconnect is accepted too
 * ("each: the reply or disconnect").
 */
TEST_F(session, nine_fds)
{
	struct vu_front *f = &self->f;
	int fds[9], i, ret;
	uint64_t v;

	NEGOTIATE();
	for (i = 0; i < 9; i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC);
		ASSERT_LE(0, fds[i]);
	}
	v = f->features;
	ret = send_expect_refusal(f, VDEV_VU_SET_FEATURES, &v, 8, fds, 9);
	for (i = 0; i < 9; i++)
		close(fds[i]);
	if (ret == -ECONNRESET) {
		TH_LOG("nine fds: the session ended");
		return;
	}
	ASSERT_EQ(-EREMOTEIO, ret) TH_LOG("%s", f->err);
	FENCE();
}

/* offset + size > 256: the empty reply, the session lives. */
TEST_F(session, get_config_past_256)
{
	struct vu_front *f = &self->f;
	static const struct { uint32_t off, size; } win[] = {
		{ 200, 64 }, { 256, 1 }, { 255, 2 }, { 1, 256 },
		{ 0xffffffff, 2 },
	};
	uint8_t buf[VDEV_VU_MAX_CONFIG];
	unsigned int i;

	NEGOTIATE();
	for (i = 0; i < ARRAY_SIZE(win); i++)
		ASSERT_EQ(-EREMOTEIO, vu_get_config(f, win[i].off, win[i].size,
						    0, buf))
			TH_LOG("offset %u size %u: %s", win[i].off,
			       win[i].size, f->err);
	FENCE();
}

/* Capacity is read-only: refused (EPERM), and unchanged. */
TEST_F(session, set_config_capacity)
{
	struct vu_front *f = &self->f;
	struct virtio_blk_config before, after;
	uint64_t cap;

	NEGOTIATE();
	OK(vu_get_blk_config(f, &before));
	cap = htole64(le64toh(before.capacity) * 2);
	REFUSED(vu_set_config(f, 0, 8, 0, &cap));
	OK(vu_get_blk_config(f, &after));
	EXPECT_EQ(before.capacity, after.capacity);
	/* wce without CONFIG_WCE acked (here: none acked) */
	if (!(f->features & VU_F(F_CONFIG_WCE))) {
		uint8_t wce = 1;

		REFUSED(vu_set_config(f, 32, 1, 0, &wce));
	}
	FENCE();
}

TEST_F(session, set_config_capacity_no_need_reply)
{
	struct vu_front *f = &self->f;
	struct vu_wire_config cfg = { .offset = 0, .size = 8 };

	NEGOTIATE();
	OK(vu_send(f, VDEV_VU_SET_CONFIG, VU_FLAGS, &cfg,
		   VU_WIRE_CONFIG_HDR_SIZE + 8, NULL, 0));
	HANGUP();
}

/* A feature bit never offered: refused (EOPNOTSUPP). */
TEST_F(session, set_features_unoffered)
{
	struct vu_front *f = &self->f;
	static const int bits[] = {
		F_ACCESS_PLATFORM, F_IN_ORDER, F_GEOMETRY,
		F_NOTIFICATION_DATA, F_SECURE_ERASE, 63,
	};
	unsigned int i;

	NEGOTIATE();
	for (i = 0; i < ARRAY_SIZE(bits); i++)
		ASSERT_EQ(-EREMOTEIO, vu_set_features(f, f->features |
						      VU_F(bits[i])))
			TH_LOG("bit %d: %s", bits[i], f->err);
	/* RO on a writable disk */
	if (!(f->features & VU_F(F_RO)))
		REFUSED(vu_set_features(f, f->features | VU_F(F_RO)));
	FENCE();
	OK(vu_set_features(f, f->features));
}

TEST_F(session, set_features_without_version_1)
{
	struct vu_front *f = &self->f;

	NEGOTIATE();
	REFUSED(vu_set_features(f, f->features & ~VU_F(F_VERSION_1)));
	REFUSED(vu_set_features(f, 0));
	REFUSED(vu_set_features(f, VU_F(F_PROTOCOL_FEATURES)));
	FENCE();
	OK(vu_set_features(f, VU_F(F_VERSION_1)));
}

TEST_F(session, set_protocol_features_unoffered)
{
	struct vu_front *f = &self->f;
	static const int bits[] = {
		8 /* PAGEFAULT */, 11 /* HOST_NOTIFIER */, 17, 63,
	};
	uint64_t num;
	unsigned int i;

	NEGOTIATE();
	for (i = 0; i < ARRAY_SIZE(bits); i++)
		ASSERT_EQ(-EREMOTEIO,
			  vu_set_protocol_features(f, VU_PROTOCOL_OFFERED |
						   (1ULL << bits[i])))
			TH_LOG("bit %d: %s", bits[i], f->err);
	/* What was negotiated before still holds. */
	OK(vu_get_queue_num(f, &num));
	FENCE();
}

TEST_F(session, set_status_over_ff)
{
	struct vu_front *f = &self->f;
	uint64_t status;

	NEGOTIATE();
	OK(vu_set_status(f, S_ACKNOWLEDGE));
	REFUSED(vu_set_status(f, 0x100));
	REFUSED(vu_set_status(f, 0x1ULL << 32 | S_QEMU));
	REFUSED(vu_set_status(f, ~0ULL));
	OK(vu_get_status(f, &status));
	EXPECT_EQ(S_ACKNOWLEDGE, status);
	FENCE();
}

/*
 * Each request gated by a protocol feature, with that feature (only) not
 * negotiated: refused EPROTO. With NEED_REPLY the error is the reply --
 * for requests with a u64 reply of their own (GET_QUEUE_NUM, ...) that
 * is a u64 the design does not tell apart from a value; we take it as the
 * ack form (non-zero) and check it is not the value a success returns.
 */
struct gated {
	int feature;
	uint32_t request;
	uint64_t normal;	/* success's reply, ~0: none */
};

static int send_gated(struct vu_front *f, uint32_t request, uint32_t flags)
{
	struct vu_wire_config cfg = { .offset = 0, .size = 8, .flags = 0 };
	/* One queue of 128: a region of 2112 bytes. */
	struct vu_wire_inflight infl = { .num_queues = 1, .queue_size = 128 };
	uint64_t v = S_ACKNOWLEDGE;
	int sv[2], ret, mfd;

	switch (request) {
	case VDEV_VU_GET_INFLIGHT_FD:
		return vu_send(f, request, flags, &infl, sizeof(infl), NULL, 0);
	case VDEV_VU_SET_INFLIGHT_FD:
		mfd = memfd_create("vu-gated-inflight", MFD_CLOEXEC);
		if (mfd < 0)
			return -errno;
		infl.mmap_size = 2112;
		ret = ftruncate(mfd, infl.mmap_size) ? -errno :
		      vu_send(f, request, flags, &infl, sizeof(infl), &mfd, 1);
		close(mfd);
		return ret;
	case VDEV_VU_GET_CONFIG:
		return vu_send(f, request, flags, &cfg,
			       VU_WIRE_CONFIG_HDR_SIZE + 8, NULL, 0);
	case VDEV_VU_SET_CONFIG:
		cfg.flags = 1;	/* would be acked if CONFIG were negotiated */
		return vu_send(f, request, flags, &cfg,
			       VU_WIRE_CONFIG_HDR_SIZE + 8, NULL, 0);
	case VDEV_VU_SET_BACKEND_REQ_FD:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			return -errno;
		ret = vu_send(f, request, flags, NULL, 0, &sv[1], 1);
		close(sv[0]);
		close(sv[1]);
		return ret;
	case VDEV_VU_SET_STATUS:
		return vu_send(f, request, flags, &v, 8, NULL, 0);
	default:
		return vu_send(f, request, flags, NULL, 0, NULL, 0);
	}
}

TEST_F_TIMEOUT(session, gated_requests_need_reply, 60)
{
	struct vu_front *f = &self->f;
	const struct gated gated[] = {
		{ VDEV_VU_PROTOCOL_F_MQ, VDEV_VU_GET_QUEUE_NUM, self->env.queues },
		{ VDEV_VU_PROTOCOL_F_CONFIG, VDEV_VU_GET_CONFIG, ~0ULL },
		{ VDEV_VU_PROTOCOL_F_CONFIG, VDEV_VU_SET_CONFIG, ~0ULL },
		{ VDEV_VU_PROTOCOL_F_BACKEND_REQ, VDEV_VU_SET_BACKEND_REQ_FD, ~0ULL },
		{ VDEV_VU_PROTOCOL_F_RESET_DEVICE, VDEV_VU_RESET_DEVICE, ~0ULL },
		{ VDEV_VU_PROTOCOL_F_CONFIGURE_MEM_SLOTS, VDEV_VU_GET_MAX_MEM_SLOTS,
		  VDEV_VU_MAX_MEM_SLOTS },
		{ VDEV_VU_PROTOCOL_F_STATUS, VDEV_VU_SET_STATUS, ~0ULL },
		{ VDEV_VU_PROTOCOL_F_STATUS, VDEV_VU_GET_STATUS, 0 },
		{ VDEV_VU_PROTOCOL_F_INFLIGHT_SHMFD, VDEV_VU_GET_INFLIGHT_FD, ~0ULL },
		{ VDEV_VU_PROTOCOL_F_INFLIGHT_SHMFD, VDEV_VU_SET_INFLIGHT_FD, ~0ULL },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(gated); i++) {
		if (i)
			REOPEN();
		OK(vu_negotiate(f, VU_PROTOCOL_OFFERED &
				~(1ULL << gated[i].feature)));
		OK(send_gated(f, gated[i].request, VU_FLAGS_NEED_REPLY));
		if (gated[i].normal != ~0ULL ||
		    gated[i].request == VDEV_VU_GET_CONFIG ||
		    gated[i].request == VDEV_VU_GET_INFLIGHT_FD)
			ret = expect_error_reply(f, gated[i].request,
						 gated[i].normal);
		else
			ret = vu_recv_ack(f, gated[i].request) == -EREMOTEIO ?
			      0 : -EPROTO;
		ASSERT_EQ(0, ret)
			TH_LOG("%s without protocol feature %d: %s",
			       vu_req_name(gated[i].request), gated[i].feature,
			       f->err);
		ASSERT_EQ(0, vu_fence(f))
			TH_LOG("after %s: %s", vu_req_name(gated[i].request),
			       f->err);
	}
}

/*
 * Without NEED_REPLY: GET_CONFIG has its error form (the empty reply) and
 * the session lives; the others have none and the session ends.
 */
TEST_F_TIMEOUT(session, gated_requests_no_need_reply, 60)
{
	struct vu_front *f = &self->f;
	uint8_t buf[8];
	static const struct { int feature; uint32_t request; } ends[] = {
		{ VDEV_VU_PROTOCOL_F_MQ, VDEV_VU_GET_QUEUE_NUM },
		{ VDEV_VU_PROTOCOL_F_STATUS, VDEV_VU_SET_STATUS },
		{ VDEV_VU_PROTOCOL_F_CONFIGURE_MEM_SLOTS, VDEV_VU_GET_MAX_MEM_SLOTS },
		{ VDEV_VU_PROTOCOL_F_RESET_DEVICE, VDEV_VU_RESET_DEVICE },
	};
	unsigned int i;

	OK(vu_negotiate(f, VU_PROTOCOL_OFFERED & ~VU_PF(CONFIG)));
	REFUSED(vu_get_config(f, 0, sizeof(buf), 0, buf));
	FENCE();
	for (i = 0; i < ARRAY_SIZE(ends); i++) {
		REOPEN();
		OK(vu_negotiate(f, VU_PROTOCOL_OFFERED &
				~(1ULL << ends[i].feature)));
		OK(send_gated(f, ends[i].request, VU_FLAGS));
		ASSERT_EQ(0, vu_expect_hangup(f, HANGUP_MS))
			TH_LOG("%s without protocol feature %d: %s",
			       vu_req_name(ends[i].request), ends[i].feature,
			       f->err);
	}
}

/* ========================================================================
 * Custody: vdevd dies and comes back; the front end notices nothing.
 * ========================================================================
 */

/* Handshake up to where QEMU 7.2 waits for a reply; f->need_reply on. */
static void start_handshake(struct __test_metadata *_metadata,
			    struct vu_front *f, struct vu_env *e)
{
	ASSERT_EQ(0, vu_open(f, e->sock, OPEN_MS)) TH_LOG("%s", f->err);
	ASSERT_EQ(0, vu_negotiate(f, VU_PROTOCOL_OFFERED)) TH_LOG("%s", f->err);
	ASSERT_EQ(0, vu_set_backend_req_fd(f)) TH_LOG("%s", f->err);
}

/* kill -9 between two messages: the next one is answered once it is back. */
TEST_F_TIMEOUT(custody, kill_between_messages, 120)
{
	struct vu_front *f = &self->f;
	struct virtio_blk_config cfg;
	uint64_t num, status;

	start_handshake(_metadata, f, &self->env);
	RUN("VU_KILL_CMD");
	/* Sent while nobody serves: it waits in the socket. */
	OK(vu_send(f, VDEV_VU_GET_QUEUE_NUM, VU_FLAGS, NULL, 0, NULL, 0));
	OK(vu_expect_no_reply(f, QUIET_MS));
	RUN("VU_START_CMD");
	/* MQ and REPLY_ACK still negotiated: the session is the same. */
	OK(vu_recv_u64(f, VDEV_VU_GET_QUEUE_NUM, &num));
	EXPECT_EQ(self->env.queues, num);
	OK(vu_set_owner(f));
	OK(vu_get_blk_config(f, &cfg));
	OK(vu_set_features(f, f->features));
	OK(vu_set_status(f, S_QEMU));
	/* And once more, with state to keep. */
	RUN("VU_KILL_CMD");
	RUN("VU_START_CMD");
	OK(vu_get_status(f, &status));
	EXPECT_EQ(S_QEMU, status);
	FENCE();
}

/*
 * kill -9 right after a message was sent, so vdevd may be anywhere in its
 * cycle: exactly one answer comes, and the change was made exactly once.
 */
TEST_F_TIMEOUT(custody, kill_inside_message, 120)
{
	struct vu_front *f = &self->f;
	uint64_t v, status;
	int round;

	start_handshake(_metadata, f, &self->env);
	for (round = 0; round < 3; round++) {
		v = S_ACKNOWLEDGE | (round << 4);
		OK(vu_send(f, VDEV_VU_SET_STATUS, VU_FLAGS_NEED_REPLY, &v, 8,
			   NULL, 0));
		RUN("VU_KILL_CMD");
		RUN("VU_START_CMD");
		OK(vu_recv_ack(f, VDEV_VU_SET_STATUS));
		FENCE();
		OK(vu_get_status(f, &status));
		EXPECT_EQ(v, status);
	}
	/* A request with a reply of its own, too. */
	OK(vu_send(f, VDEV_VU_GET_QUEUE_NUM, VU_FLAGS, NULL, 0, NULL, 0));
	RUN("VU_KILL_CMD");
	RUN("VU_START_CMD");
	OK(vu_recv_u64(f, VDEV_VU_GET_QUEUE_NUM, &v));
	EXPECT_EQ(self->env.queues, v);
	FENCE();
}

/* Connect while vdevd is down: the kernel's listener queues us. */
TEST_F_TIMEOUT(custody, connect_while_down, 120)
{
	struct vu_front *f = &self->f;
	uint64_t features;

	RUN("VU_KILL_CMD");
	OK(vu_connect(f, self->env.sock, OPEN_MS));
	OK(vu_send(f, VDEV_VU_GET_FEATURES, VU_FLAGS, NULL, 0, NULL, 0));
	OK(vu_expect_no_reply(f, QUIET_MS));
	RUN("VU_START_CMD");
	OK(vu_recv_u64(f, VDEV_VU_GET_FEATURES, &features));
	EXPECT_EQ(self->env.features, features);
	f->features = features;
	OK(vu_get_protocol_features(f, &features));
	OK(vu_set_protocol_features(f, VU_PROTOCOL_OFFERED));
	OK(vu_set_backend_req_fd(f));
	FENCE();
}

/*
 * The front end hangs up while vdevd is down: the kernel ends the session
 * by itself, so the next connection is served at once (not refused as a
 * second front end) and starts from nothing.
 */
TEST_F_TIMEOUT(custody, hangup_while_down, 120)
{
	struct vu_front *f = &self->f;
	uint64_t features, status;

	start_handshake(_metadata, f, &self->env);
	OK(vu_set_features(f, f->features));
	OK(vu_set_status(f, S_QEMU));
	RUN("VU_KILL_CMD");
	vu_close(f);
	/* Give the hang-up watch a moment: it needs no vdevd. */
	usleep(200 * 1000);
	RUN("VU_START_CMD");
	OK(vu_connect(f, self->env.sock, OPEN_MS));
	OK(vu_get_features(f, &features));
	NEGOTIATE();
	OK(vu_get_status(f, &status));
	EXPECT_EQ(0, status);
}

/* A second front end on a controller with a live session is refused. */
TEST_F_TIMEOUT(custody, second_front_end, 60)
{
	struct vu_front *f = &self->f, *g = &self->g;
	uint64_t num;
	int ret;

	start_handshake(_metadata, f, &self->env);
	ASSERT_EQ(0, vu_connect(g, self->env.sock, OPEN_MS)) TH_LOG("%s", g->err);
	/* vdevd may have closed it already: then the send sees EPIPE. */
	ret = vu_send(g, VDEV_VU_GET_FEATURES, VU_FLAGS, NULL, 0, NULL, 0);
	if (ret != -ECONNRESET) {
		ASSERT_EQ(0, ret) TH_LOG("%s", g->err);
		ASSERT_EQ(0, vu_expect_hangup(g, HANGUP_MS)) TH_LOG("%s", g->err);
	}
	/* The first is untouched. */
	OK(vu_get_queue_num(f, &num));
	EXPECT_EQ(self->env.queues, num);
	FENCE();
}

/* ctrl del while connected: hang-up, and vdevd removes the socket path. */
TEST_F_TIMEOUT(custody, ctrl_del_hangup, 60)
{
	struct vu_front *f = &self->f;
	struct stat st;
	int i;

	if (!getenv("VU_DEL_CMD"))
		SKIP(return, "VU_DEL_CMD not set");
	start_handshake(_metadata, f, &self->env);
	RUN("VU_DEL_CMD");
	OK(vu_expect_hangup(f, HANGUP_MS));
	for (i = 0; i < 100 && !lstat(self->env.sock, &st); i++)
		usleep(100 * 1000);
	ASSERT_NE(0, lstat(self->env.sock, &st))
		TH_LOG("%s still there 10 s after ctrl del", self->env.sock);
	ASSERT_EQ(ENOENT, errno);
}

TEST_HARNESS_MAIN
