// SPDX-License-Identifier: GPL-2.0
/*
 * vfu_nvme: a vdev NVMe controller driven end to end. The client plays
 * QEMU's vfio-user-pci (tools/lib/vfu/vfu_client) and the guest's nvme
 * driver (vfu_nvme_host) over the socket vdevd serves: bring-up and
 * Identify, I/O queues and data, interrupts, shadow doorbells, namespace
 * hot-add and removal, controller resets under I/O, and bad input from
 * the guest.
 *
 * Run by selftests/test_vfu_02.sh, one case at a time (-t NAME; -l
 * lists). What the cases expect comes from the environment:
 *
 *   VFU_SOCK        the controller's socket path (required; else SKIP)
 *   VFU_QUEUES      its I/O queues (--queues; default 2)
 *   VFU_QUEUE_SIZE  its --queue-size (default 128)
 *   VFU_POLL        its poll mode (default always)
 *   VFU_NS_BYTES    the size of namespace 1's disk (required for I/O)
 *   VFU_SYNC        a directory for ns_hotplug: the case creates "add"
 *                   (then "del") in it when its AER is outstanding, and
 *                   the script adds (removes) namespace 2
 *   VFU_PATTERN     shell_pattern writes what it wrote to the disk here
 *   VFU_TIMEOUT_MS  reply and completion timeout (default 5000)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"

#include "vfu_nvme_host.h"

#define OPEN_MS		10000
#define IOVA		0x10000000ULL
#define GUEST_MEM	(32 * 1024 * 1024ULL)
#define AQ_SIZE		32
#define IOQ_SIZE	64
#define LBA_SHIFT	9
/* Blocks of namespace 1 each queue's pattern lives in, queue by queue. */
#define Q_REGION	1024
/* Blocks the shell compares with what shell_pattern wrote. */
#define SHELL_LBA	65536
#define SHELL_BLOCKS	256
/* How long ns_hotplug waits for the script's vdevctl. */
#define HOTPLUG_MS	60000

struct nvme_env {
	const char *sock;
	unsigned int queues;
	unsigned int queue_size;
	const char *poll;
	unsigned long long ns_bytes;
	const char *sync;
	const char *pattern;
	int timeout_ms;
};

static unsigned long long env_ull(const char *name, unsigned long long dflt)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

static void nvme_env_load(struct nvme_env *e)
{
	e->sock = getenv("VFU_SOCK");
	e->queues = env_ull("VFU_QUEUES", 2);
	e->queue_size = env_ull("VFU_QUEUE_SIZE", 128);
	e->poll = getenv("VFU_POLL") ?: "always";
	e->ns_bytes = env_ull("VFU_NS_BYTES", 0);
	e->sync = getenv("VFU_SYNC");
	e->pattern = getenv("VFU_PATTERN");
	e->timeout_ms = env_ull("VFU_TIMEOUT_MS", VFU_DEFAULT_TIMEOUT_MS);
}

/* expr is a vfu_client or vfu_nvme_host call that must return 0. */
#define OK(expr) do {							\
	int __r = (expr);						\
	ASSERT_EQ(0, __r)						\
		TH_LOG("%s: %s", #expr, __r < 0 ? c->err :		\
		       "NVMe status");					\
} while (0)

/* expr must complete with NVMe status @sc (>= 0) and DNR set when not 0. */
#define STATUS(sc, expr) do {						\
	int __r = (expr);						\
	ASSERT_EQ(sc, __r)						\
		TH_LOG("%s: want status 0x%x, got %d (0x%x)%s%s", #expr,\
		       sc, __r, __r, __r < 0 ? ": " : "",		\
		       __r < 0 ? c->err : "");				\
} while (0)

FIXTURE(nvme) {
	struct nvme_env env;
	struct vfu_client client;
	struct vfu_nvme n;
	uint64_t buf;		/* 512 KiB of guest memory for data */
	uint64_t buf2;		/* and another */
	uint64_t ns_blocks;
};

FIXTURE_SETUP(nvme)
{
	struct vfu_client *c = &self->client;

	nvme_env_load(&self->env);
	vfu_init(c);
	memset(&self->n, 0, sizeof(self->n));
	self->n.mem.fd = -1;
	self->n.bar0.fd = -1;
	if (!self->env.sock)
		SKIP(return, "VFU_SOCK not set");
	c->timeout_ms = self->env.timeout_ms;
	self->ns_blocks = self->env.ns_bytes >> LBA_SHIFT;
	OK(vfu_open(c, self->env.sock, OPEN_MS));
	OK(vfu_nvme_open(&self->n, c, IOVA, GUEST_MEM));
	OK(vfu_nvme_enable(&self->n, AQ_SIZE));
	self->buf = vfu_nvme_alloc(&self->n, 512 * 1024);
	self->buf2 = vfu_nvme_alloc(&self->n, 512 * 1024);
	ASSERT_NE(0, self->buf2) TH_LOG("%s", c->err);
}

FIXTURE_TEARDOWN(nvme)
{
	vfu_nvme_close(&self->n);
	vfu_close(&self->client);
}

/* --- helpers --------------------------------------------------------------- */

static uint8_t *ptr(struct vfu_nvme *n, uint64_t iova)
{
	return vfu_nvme_ptr(n, iova);
}

static uint16_t le16_at(const uint8_t *p, unsigned int off)
{
	return p[off] | p[off + 1] << 8;
}

static uint32_t le32_at(const uint8_t *p, unsigned int off)
{
	return le16_at(p, off) | (uint32_t)le16_at(p, off + 2) << 16;
}

static uint64_t le64_at(const uint8_t *p, unsigned int off)
{
	return le32_at(p, off) | (uint64_t)le32_at(p, off + 4) << 32;
}

/* Every 8 bytes say who wrote them (@seed) and where (byte @at of disk). */
static void pattern_fill(void *buf, size_t len, uint32_t seed, uint64_t at)
{
	uint64_t *w = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = (uint64_t)seed << 40 ^ (at + i * 8) ^ 0x5a5a000000000000ULL;
}

/* The first 8-byte word of @buf that is not @seed's pattern, or -1. */
static long pattern_check(const void *buf, size_t len, uint32_t seed,
			  uint64_t at)
{
	const uint64_t *w = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != ((uint64_t)seed << 40 ^ (at + i * 8) ^
			     0x5a5a000000000000ULL))
			return i * 8;
	return -1;
}

static bool all_zero(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	return !len || (!p[0] && !memcmp(p, p + 1, len - 1));
}

/* Create queue pairs 1..@nr, vector = qid, interrupts on. */
static int qpairs_create(struct vfu_nvme *n, unsigned int nr)
{
	unsigned int qid;
	int ret = 0;

	for (qid = 1; qid <= nr && !ret; qid++)
		ret = vfu_nvme_create_qpair(n, qid, IOQ_SIZE, qid, true);
	return ret;
}

#define NEED_NS(self) do {						\
	if (!(self)->ns_blocks)						\
		SKIP(return, "VFU_NS_BYTES not set");			\
} while (0)

/*
 * Write @nlb blocks of @seed's pattern at @lba through queue @qid and
 * read them back into buf2 through queue @rqid; compare.
 */
static void write_read_ns(struct __test_metadata *_metadata,
			  FIXTURE_DATA(nvme) *self, uint32_t nsid, uint16_t qid,
			  uint16_t rqid, uint64_t lba, uint32_t nlb,
			  uint32_t seed)
{
	struct vfu_nvme *n = &self->n;
	struct vfu_client *c = &self->client;
	size_t len = (size_t)nlb << LBA_SHIFT;
	long bad;

	pattern_fill(ptr(n, self->buf), len, seed, lba << LBA_SHIFT);
	memset(ptr(n, self->buf2), 0xee, len);
	OK(vfu_nvme_rw(n, qid, nvme_cmd_write, nsid, lba, nlb, self->buf,
		       LBA_SHIFT));
	OK(vfu_nvme_rw(n, rqid, nvme_cmd_read, nsid, lba, nlb, self->buf2,
		       LBA_SHIFT));
	bad = pattern_check(ptr(n, self->buf2), len, seed, lba << LBA_SHIFT);
	ASSERT_EQ(-1, bad) TH_LOG("nsid %u: %u blocks at %llu, written on queue %u, read on %u: byte %ld differs",
				  nsid, nlb, (unsigned long long)lba, qid,
				  rqid, bad);
}

#define write_read(_metadata, self, qid, rqid, lba, nlb, seed)		\
	write_read_ns(_metadata, self, 1, qid, rqid, lba, nlb, seed)

/* --- bring-up ------------------------------------------------------------- */

TEST_F(nvme, identify_ctrl)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	const uint8_t *id = ptr(n, self->buf);
	char mn[41] = { }, sn[21] = { }, fr[9] = { };

	memset(ptr(n, self->buf), 0xff, VFU_NVME_PAGE);
	OK(vfu_nvme_identify(n, NVME_ID_CNS_CTRL, 0, self->buf));
	memcpy(sn, id + 4, 20);
	memcpy(mn, id + 24, 40);
	memcpy(fr, id + 64, 8);
	TH_LOG("VID 0x%04x SN '%s' MN '%s' FR '%s' MDTS %u NN %u", le16_at(id, 0),
	       sn, mn, fr, id[77], le32_at(id, 516));
	EXPECT_NE(' ', sn[0]) TH_LOG("SN empty");
	EXPECT_NE(' ', mn[0]) TH_LOG("MN empty");
	EXPECT_NE(' ', fr[0]) TH_LOG("FR empty");
	/* MDTS: 256 KiB in 4 KiB pages (CAP.MPSMIN 0). */
	EXPECT_EQ(6, id[77]);
	EXPECT_EQ(0x66, id[512]) TH_LOG("SQES");
	EXPECT_EQ(0x44, id[513]) TH_LOG("CQES");
	EXPECT_LE(1, le32_at(id, 516)) TH_LOG("NN");
	EXPECT_NE(0, le16_at(id, 256) & NVME_CTRL_OACS_DBBUF_SUPP);
	EXPECT_EQ(NVME_CTRL_ONCS_DSM | NVME_CTRL_ONCS_WRITE_ZEROES,
		  le16_at(id, 520) & (NVME_CTRL_ONCS_DSM |
				      NVME_CTRL_ONCS_WRITE_ZEROES));
	EXPECT_NE(0, id[525] & NVME_CTRL_VWC_PRESENT);
	EXPECT_EQ(self->env.queue_size, le16_at(id, 514)) TH_LOG("MAXCMD");
}

TEST_F(nvme, identify_ns)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	const uint8_t *id = ptr(n, self->buf);
	unsigned int flbas;

	NEED_NS(self);
	OK(vfu_nvme_identify(n, NVME_ID_CNS_NS, 1, self->buf));
	flbas = id[26] & 0xf;
	TH_LOG("NSZE %llu NCAP %llu NLBAF %u FLBAS %u LBADS %u",
	       (unsigned long long)le64_at(id, 0),
	       (unsigned long long)le64_at(id, 8), id[25], flbas,
	       id[128 + 4 * flbas + 2]);
	EXPECT_EQ(self->ns_blocks, le64_at(id, 0)) TH_LOG("NSZE");
	EXPECT_EQ(self->ns_blocks, le64_at(id, 8)) TH_LOG("NCAP");
	EXPECT_LE(flbas, id[25]);
	EXPECT_EQ(LBA_SHIFT, id[128 + 4 * flbas + 2]) TH_LOG("LBADS");
	EXPECT_EQ(0, le16_at(id, 128 + 4 * flbas)) TH_LOG("no metadata");
	/* An NSID beyond NN is Invalid Namespace or Format. */
	STATUS(NVME_SC_INVALID_NS, vfu_nvme_identify(n, NVME_ID_CNS_NS,
						     0xfffffff0, self->buf));
}

TEST_F(nvme, ns_lists)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	const uint8_t *p = ptr(n, self->buf);
	unsigned int off, nguid = 0, uuid = 0;

	OK(vfu_nvme_identify(n, NVME_ID_CNS_NS_ACTIVE_LIST, 0, self->buf));
	EXPECT_EQ(1, le32_at(p, 0));
	EXPECT_EQ(0, le32_at(p, 4)) TH_LOG("only nsid 1 is attached");
	OK(vfu_nvme_identify(n, NVME_ID_CNS_NS_ACTIVE_LIST, 1, self->buf));
	EXPECT_EQ(0, le32_at(p, 0)) TH_LOG("nothing above nsid 1");
	OK(vfu_nvme_identify(n, NVME_ID_CNS_NS_DESC_LIST, 1, self->buf));
	for (off = 0; off + 4 <= VFU_NVME_PAGE && p[off]; off += 4 + p[off + 1]) {
		TH_LOG("descriptor type %u length %u", p[off], p[off + 1]);
		if (p[off] == NVME_NIDT_NGUID) {
			EXPECT_EQ(16, p[off + 1]);
			EXPECT_FALSE(all_zero(p + off + 4, 16));
			nguid++;
		}
		if (p[off] == NVME_NIDT_UUID) {
			EXPECT_EQ(16, p[off + 1]);
			EXPECT_FALSE(all_zero(p + off + 4, 16));
			uuid++;
		}
	}
	EXPECT_EQ(1, nguid);
	EXPECT_EQ(1, uuid);
}

TEST_F(nvme, nr_queues)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	unsigned int q = self->env.queues;
	struct vfu_nvme_sqe set = {
		.opcode = nvme_admin_set_features, .cdw10 = NVME_FEAT_NUM_QUEUES,
		.cdw11 = 0xfffe | 0xfffeu << 16,
	}, get = {
		.opcode = nvme_admin_get_features, .cdw10 = NVME_FEAT_NUM_QUEUES,
	};
	struct vfu_nvme_cqe cqe;

	/* Ask for 65535 of each: the grant is the controller's --queues. */
	OK(vfu_nvme_admin(n, &set, 0, 0, &cqe));
	EXPECT_EQ((q - 1) | (q - 1) << 16, cqe.dw0);
	OK(vfu_nvme_admin(n, &get, 0, 0, &cqe));
	EXPECT_EQ((q - 1) | (q - 1) << 16, cqe.dw0);
	/* The grant bounds the queue ids. */
	STATUS(NVME_SC_QID_INVALID,
	       vfu_nvme_create_qpair(n, q + 1, IOQ_SIZE, 1, true));
	OK(qpairs_create(n, q));
	/* And may not change once a queue exists. */
	STATUS(NVME_SC_CMD_SEQ_ERROR, vfu_nvme_admin(n, &set, 0, 0, &cqe));
}

TEST_F(nvme, log_pages)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	const uint8_t *p = ptr(n, self->buf);

	memset(ptr(n, self->buf), 0xff, 512);
	OK(vfu_nvme_get_log(n, NVME_LOG_SMART, 0xffffffff, self->buf, 512));
	/* Composite temperature in Kelvin: something plausible. */
	EXPECT_LT(250, le16_at(p, 1));
	EXPECT_GT(400, le16_at(p, 1));
	EXPECT_EQ(100, p[3]) TH_LOG("available spare");
	memset(ptr(n, self->buf), 0xff, 64);
	OK(vfu_nvme_get_log(n, NVME_LOG_ERROR, 0, self->buf, 64));
	STATUS(NVME_SC_INVALID_LOG_PAGE,
	       vfu_nvme_get_log(n, 0x7f, 0, self->buf, 64));
	/* The failed command is the error log's latest entry. */
	OK(vfu_nvme_get_log(n, NVME_LOG_ERROR, 0, self->buf, 64));
	EXPECT_NE(0, le64_at(p, 0)) TH_LOG("error count");
	EXPECT_EQ(0, le16_at(p, 8)) TH_LOG("SQ id: the admin queue");
	EXPECT_EQ(NVME_SC_INVALID_LOG_PAGE, (le16_at(p, 12) >> 1) & NVME_SC_MASK);
}

/* Keep Alive (KAS 0), Format NVM, a vendor opcode: not supported. */
TEST_F(nvme, admin_invalid_opcodes)
{
	static const uint8_t ops[] = { 0x80, 0xc1, 0x7f, 0x19 };
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	struct vfu_nvme_cqe cqe;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		struct vfu_nvme_sqe sqe = { .opcode = ops[i] };

		STATUS(NVME_SC_INVALID_OPCODE, vfu_nvme_admin(n, &sqe, 0, 0, &cqe));
		EXPECT_NE(0, cqe.status & NVME_CQE_DNR) TH_LOG("opcode 0x%x", ops[i]);
	}
	OK(vfu_nvme_identify(n, NVME_ID_CNS_CTRL, 0, self->buf));
}

/*
 * Keep Alive: with a timer set, Keep Alive commands keep the controller
 * alive; without them past the timer, CSTS.CFS (a PCIe controller's Keep
 * Alive Timeout), and a reset brings it back.
 */
TEST_F_TIMEOUT(nvme, keep_alive, 60)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	struct vfu_nvme_sqe ka = { .opcode = nvme_admin_keep_alive };
	struct vfu_nvme_sqe set = {
		.opcode = nvme_admin_set_features, .cdw10 = NVME_FEAT_KATO,
		.cdw11 = 1500,
	}, get = {
		.opcode = nvme_admin_get_features, .cdw10 = NVME_FEAT_KATO,
	};
	struct vfu_nvme_cqe cqe;
	uint32_t csts;
	int i;

	OK(vfu_nvme_admin(n, &ka, 0, 0, NULL));
	OK(vfu_nvme_admin(n, &set, 0, 0, NULL));
	OK(vfu_nvme_admin(n, &get, 0, 0, &cqe));
	EXPECT_EQ(2000, cqe.dw0) TH_LOG("KATO rounded up to KAS's 1 s steps");
	for (i = 0; i < 8; i++) {
		vfu_sleep_ms(500);
		OK(vfu_nvme_admin(n, &ka, 0, 0, NULL));
	}
	OK(vfu_nvme_reg_read(n, NVME_REG_CSTS, &csts, 4));
	EXPECT_EQ(0, csts & NVME_CSTS_CFS) TH_LOG("fatal while kept alive");
	for (i = 0; i < 100 && !(csts & NVME_CSTS_CFS); i++) {
		vfu_sleep_ms(100);
		OK(vfu_nvme_reg_read(n, NVME_REG_CSTS, &csts, 4));
	}
	EXPECT_NE(0, csts & NVME_CSTS_CFS) TH_LOG("no timeout 10 s after the timer");
	OK(vfu_nvme_enable(n, AQ_SIZE));
	OK(vfu_nvme_reg_read(n, NVME_REG_CSTS, &csts, 4));
	EXPECT_EQ(0, csts & NVME_CSTS_CFS);
	OK(vfu_nvme_identify(n, NVME_ID_CNS_CTRL, 0, self->buf));
}

/* --- I/O ------------------------------------------------------------------- */

/* In flight per queue in io_queues. */
#define IO_DEPTH	8
#define IO_BLOCKS	8

/*
 * Every queue writes its own pattern, IO_DEPTH commands in flight per
 * queue and every queue at once; each queue's region is read back
 * through the next queue.
 */
TEST_F_TIMEOUT(nvme, io_queues, 120)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	unsigned int nq = self->env.queues, q, i;
	const uint32_t len = IO_BLOCKS << LBA_SHIFT;
	int cids[VFU_NVME_MAX_QID + 1][IO_DEPTH];
	uint64_t lba, data;
	long bad;

	NEED_NS(self);
	ASSERT_GE(GUEST_MEM / 4, (uint64_t)nq * IO_DEPTH * len);
	data = vfu_nvme_alloc(n, (uint64_t)nq * IO_DEPTH * len);
	ASSERT_NE(0, data) TH_LOG("%s", c->err);
	OK(qpairs_create(n, nq));
	for (i = 0; i < IO_DEPTH; i++) {
		for (q = 1; q <= nq; q++) {
			uint64_t at = data + ((q - 1) * IO_DEPTH + i) * len;

			lba = q * Q_REGION + i * IO_BLOCKS;
			pattern_fill(ptr(n, at), len, q, lba << LBA_SHIFT);
			cids[q][i] = vfu_nvme_rw_submit(n, q, nvme_cmd_write, 1,
							lba, IO_BLOCKS, at,
							LBA_SHIFT);
			ASSERT_LE(0, cids[q][i]) TH_LOG("%s", c->err);
		}
	}
	for (q = 1; q <= nq; q++)
		for (i = 0; i < IO_DEPTH; i++)
			OK(vfu_nvme_wait(n, q, cids[q][i], NULL));
	memset(ptr(n, data), 0, (size_t)nq * IO_DEPTH * len);
	for (q = 1; q <= nq; q++) {
		uint16_t rq = q % nq + 1;

		for (i = 0; i < IO_DEPTH; i++) {
			lba = q * Q_REGION + i * IO_BLOCKS;
			cids[q][i] = vfu_nvme_rw_submit(n, rq, nvme_cmd_read, 1,
							lba, IO_BLOCKS,
							data + ((q - 1) * IO_DEPTH + i) * len,
							LBA_SHIFT);
			ASSERT_LE(0, cids[q][i]) TH_LOG("%s", c->err);
		}
	}
	for (q = 1; q <= nq; q++) {
		for (i = 0; i < IO_DEPTH; i++) {
			uint64_t at = data + ((q - 1) * IO_DEPTH + i) * len;

			OK(vfu_nvme_wait(n, q % nq + 1, cids[q][i], NULL));
			lba = q * Q_REGION + i * IO_BLOCKS;
			bad = pattern_check(ptr(n, at), len, q, lba << LBA_SHIFT);
			ASSERT_EQ(-1, bad) TH_LOG("queue %u's write %u read on queue %u: byte %ld differs",
						  q, i, q % nq + 1, bad);
		}
	}
}

/*
 * Transfers of one page (PRP1), two (PRP2 as data), three from a page
 * offset (a PRP list), 64 KiB and MDTS exactly (PRP lists); one block
 * over MDTS is Invalid Field in Command.
 */
TEST_F(nvme, io_sizes)
{
	static const struct { uint32_t off, blocks; } rows[] = {
		{ 0, 8 }, { 0, 16 }, { 512, 16 }, { 0, 128 }, { 0, 512 },
		{ 2048, 300 },
	};
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	uint64_t buf = self->buf, lba = 4 * Q_REGION;
	struct vfu_nvme_cqe cqe;
	unsigned int i;
	long bad;
	int cid;

	NEED_NS(self);
	OK(qpairs_create(n, 1));
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		size_t len = (size_t)rows[i].blocks << LBA_SHIFT;

		TH_LOG("%zu bytes at page offset %u", len, rows[i].off);
		pattern_fill(ptr(n, buf + rows[i].off), len, 100 + i,
			     lba << LBA_SHIFT);
		OK(vfu_nvme_rw(n, 1, nvme_cmd_write, 1, lba, rows[i].blocks,
			       buf + rows[i].off, LBA_SHIFT));
		memset(ptr(n, self->buf2), 0, 512 * 1024);
		OK(vfu_nvme_rw(n, 1, nvme_cmd_read, 1, lba, rows[i].blocks,
			       self->buf2 + rows[i].off, LBA_SHIFT));
		bad = pattern_check(ptr(n, self->buf2 + rows[i].off), len,
				    100 + i, lba << LBA_SHIFT);
		ASSERT_EQ(-1, bad) TH_LOG("byte %ld differs", bad);
		EXPECT_TRUE(all_zero(ptr(n, self->buf2), rows[i].off));
		EXPECT_TRUE(all_zero(ptr(n, self->buf2 + rows[i].off + len),
				     VFU_NVME_PAGE)) TH_LOG("read past the end");
	}
	/* MDTS (256 KiB) plus one block. */
	cid = vfu_nvme_rw_submit(n, 1, nvme_cmd_read, 1, lba, 513, self->buf2,
				 LBA_SHIFT);
	ASSERT_LE(0, cid) TH_LOG("%s", c->err);
	STATUS(NVME_SC_INVALID_FIELD, vfu_nvme_wait(n, 1, cid, &cqe));
	EXPECT_NE(0, cqe.status & NVME_CQE_DNR);
	write_read(_metadata, self, 1, 1, lba, 8, 7);
}

/* Flush; Write Zeroes then zeroes read; Deallocate as DLFEAT says. */
TEST_F(nvme, flush_zeroes_dsm)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	uint64_t lba = 5 * Q_REGION;
	struct vfu_nvme_sqe flush = { .opcode = nvme_cmd_flush, .nsid = 1 };
	struct vfu_nvme_sqe wz = {
		.opcode = nvme_cmd_write_zeroes, .nsid = 1, .cdw10 = lba,
		.cdw12 = 63,
	};
	struct vfu_nvme_sqe dsm = {
		.opcode = nvme_cmd_dsm, .nsid = 1, .cdw11 = NVME_DSMGMT_AD,
	};
	struct vfu_nvme_dsm_range *r = (void *)ptr(n, self->buf2);
	uint8_t dlfeat;

	NEED_NS(self);
	OK(vfu_nvme_identify(n, NVME_ID_CNS_NS, 1, self->buf));
	dlfeat = ptr(n, self->buf)[33];
	OK(qpairs_create(n, 1));
	write_read(_metadata, self, 1, 1, lba, 64, 21);
	OK(vfu_nvme_cmd(n, 1, &flush, 0, 0, NULL));
	OK(vfu_nvme_cmd(n, 1, &wz, 0, 0, NULL));
	OK(vfu_nvme_rw(n, 1, nvme_cmd_read, 1, lba, 64, self->buf, LBA_SHIFT));
	ASSERT_TRUE(all_zero(ptr(n, self->buf), 64 << LBA_SHIFT))
		TH_LOG("Write Zeroes left data");
	write_read(_metadata, self, 1, 1, lba, 64, 22);
	memset(r, 0, VFU_NVME_PAGE);
	r->nlb = 64;
	r->slba = lba;
	OK(vfu_nvme_cmd(n, 1, &dsm, self->buf2, 16, NULL));
	OK(vfu_nvme_rw(n, 1, nvme_cmd_read, 1, lba, 64, self->buf, LBA_SHIFT));
	TH_LOG("DLFEAT 0x%x: deallocated blocks %s", dlfeat,
	       (dlfeat & 7) == 1 ? "read zeroes" : "read anything");
	if ((dlfeat & 7) == 1)
		ASSERT_TRUE(all_zero(ptr(n, self->buf), 64 << LBA_SHIFT));
	/* Outside the namespace: LBA Out of Range. */
	r->slba = self->ns_blocks - 1;
	r->nlb = 2;
	STATUS(NVME_SC_LBA_RANGE, vfu_nvme_cmd(n, 1, &dsm, self->buf2, 16, NULL));
}

/*
 * A known pattern at SHELL_LBA, and the same bytes in $VFU_PATTERN for
 * the script to compare with the disk.
 */
TEST_F(nvme, shell_pattern)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	size_t len = SHELL_BLOCKS << LBA_SHIFT;
	FILE *f;

	NEED_NS(self);
	if (!self->env.pattern)
		SKIP(return, "VFU_PATTERN not set");
	OK(qpairs_create(n, self->env.queues));
	write_read(_metadata, self, self->env.queues, 1, SHELL_LBA,
		   SHELL_BLOCKS, 0xc0ffee);
	f = fopen(self->env.pattern, "w");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s", self->env.pattern, strerror(errno));
	ASSERT_EQ(1, fwrite(ptr(n, self->buf), len, 1, f));
	ASSERT_EQ(0, fclose(f));
}

/* --- namespaces at runtime ------------------------------------------------ */

/*
 * An Asynchronous Event Request outstanding, then $VFU_SYNC/@step made
 * for the script, which changes namespace 2: the AER completes with a
 * Namespace Attribute Changed notice, and the Changed Namespace List
 * names nsid 2 alone.
 */
static void ns_event(struct __test_metadata *_metadata,
		     FIXTURE_DATA(nvme) *self, const char *step)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	struct vfu_nvme_sqe aer = { .opcode = nvme_admin_async_event };
	const uint8_t *p = ptr(n, self->buf);
	struct vfu_nvme_cqe cqe;
	char path[512];
	int cid, fd;

	cid = vfu_nvme_submit(n, 0, &aer, 0, 0);
	ASSERT_LE(0, cid) TH_LOG("%s", c->err);
	/* Nothing to report yet. */
	OK(vfu_nvme_identify(n, NVME_ID_CNS_CTRL, 0, self->buf));
	ASSERT_EQ(1, n->q[0].busy[cid]) TH_LOG("the AER completed at once");
	snprintf(path, sizeof(path), "%s/%s", self->env.sync, step);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	close(fd);
	n->timeout_ms = HOTPLUG_MS;
	STATUS(0, vfu_nvme_wait(n, 0, cid, &cqe));
	n->timeout_ms = self->env.timeout_ms;
	TH_LOG("%s: AER dw0 0x%08x", step, cqe.dw0);
	EXPECT_EQ(NVME_AER_NOTICE, cqe.dw0 & 7);
	EXPECT_EQ(NVME_AER_NOTICE_NS_CHANGED, (cqe.dw0 >> 8) & 0xff);
	EXPECT_EQ(NVME_LOG_CHANGED_NS, (cqe.dw0 >> 16) & 0xff);
	memset(ptr(n, self->buf), 0xff, VFU_NVME_PAGE);
	OK(vfu_nvme_get_log(n, NVME_LOG_CHANGED_NS, 0xffffffff, self->buf,
			    VFU_NVME_PAGE));
	EXPECT_EQ(2, le32_at(p, 0));
	EXPECT_EQ(0, le32_at(p, 4));
}

TEST_F_TIMEOUT(nvme, ns_hotplug, 2 * HOTPLUG_MS / 1000 + 30)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	const uint8_t *p = ptr(n, self->buf);
	int cid;

	struct vfu_nvme_sqe aec = {
		.opcode = nvme_admin_set_features, .cdw10 = NVME_FEAT_ASYNC_EVENT,
		.cdw11 = NVME_AEN_CFG_NS_ATTR,
	};

	NEED_NS(self);
	if (!self->env.sync)
		SKIP(return, "VFU_SYNC not set");
	/* Notices are off until the host asks for them, as Linux does. */
	OK(vfu_nvme_admin(n, &aec, 0, 0, NULL));
	OK(qpairs_create(n, 1));
	STATUS(NVME_SC_INVALID_FIELD,
	       vfu_nvme_rw(n, 1, nvme_cmd_read, 2, 0, 1, self->buf, LBA_SHIFT));
	ns_event(_metadata, self, "add");
	OK(vfu_nvme_identify(n, NVME_ID_CNS_NS_ACTIVE_LIST, 0, self->buf));
	EXPECT_EQ(1, le32_at(p, 0));
	EXPECT_EQ(2, le32_at(p, 4));
	OK(vfu_nvme_identify(n, NVME_ID_CNS_NS, 2, self->buf));
	EXPECT_EQ(self->ns_blocks, le64_at(p, 0)) TH_LOG("NSZE of nsid 2");
	write_read_ns(_metadata, self, 2, 1, 1, 8, 16, 0x2);
	ns_event(_metadata, self, "del");
	memset(ptr(n, self->buf), 0xff, VFU_NVME_PAGE);
	OK(vfu_nvme_identify(n, NVME_ID_CNS_NS, 2, self->buf));
	EXPECT_TRUE(all_zero(p, VFU_NVME_PAGE)) TH_LOG("inactive: zeroes");
	cid = vfu_nvme_rw_submit(n, 1, nvme_cmd_read, 2, 0, 1, self->buf,
				 LBA_SHIFT);
	ASSERT_LE(0, cid) TH_LOG("%s", c->err);
	STATUS(NVME_SC_INVALID_FIELD, vfu_nvme_wait(n, 1, cid, NULL));
	write_read(_metadata, self, 1, 1, 8, 16, 0x1);
}

/* --- interrupts and doorbells ------------------------------------------- */

/* Completions signal the CQ's vector; a CQ with IEN 0 signals nothing. */
TEST_F(nvme, interrupts)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	uint64_t before1, before2;

	NEED_NS(self);
	ASSERT_LE(2, self->env.queues);
	OK(vfu_nvme_create_qpair(n, 1, IOQ_SIZE, 1, true));
	OK(vfu_nvme_create_qpair(n, 2, IOQ_SIZE, 2, false));
	before1 = vfu_nvme_irq_count(n, 1);
	before2 = vfu_nvme_irq_count(n, 2);
	write_read(_metadata, self, 2, 2, 8, 8, 0x12);
	EXPECT_EQ(before2, vfu_nvme_irq_count(n, 2))
		TH_LOG("a CQ with IEN 0 signalled its vector");
	write_read(_metadata, self, 1, 1, 8, 8, 0x11);
	EXPECT_LT(before1, vfu_nvme_irq_count(n, 1))
		TH_LOG("vector 1 never signalled");
	EXPECT_EQ(before2, vfu_nvme_irq_count(n, 2));
}

/* Commands per round in shadow_doorbells, and rounds (tail ends at 48). */
#define DB_BATCH	16
#define DB_ROUNDS	7
/* Longer than any poll_idle_us: the poller sleeps meanwhile. */
#define DB_IDLE_MS	300

/*
 * Doorbell Buffer Config, then I/O with the shadow doorbells: the page
 * doorbell (a REGION_WRITE in adaptive mode) only when the event index
 * asks. Rounds of DB_BATCH writes, idle between them so that the poller
 * sleeps and must be woken; every round completes.
 */
TEST_F_TIMEOUT(nvme, shadow_doorbells, 120)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	unsigned long rings, writes;
	unsigned int r, i;
	int cids[DB_BATCH];
	uint64_t lba;

	NEED_NS(self);
	OK(qpairs_create(n, 1));
	/* As Linux does: the queues first, then the buffers. */
	OK(vfu_nvme_dbbuf_config(n));
	n->db_writes = n->db_skipped = 0;
	for (r = 0; r < DB_ROUNDS; r++) {
		for (i = 0; i < DB_BATCH; i++) {
			lba = 6 * Q_REGION + (r * DB_BATCH + i) * 8;
			pattern_fill(ptr(n, self->buf + i * VFU_NVME_PAGE),
				     VFU_NVME_PAGE, r, lba << LBA_SHIFT);
			cids[i] = vfu_nvme_rw_submit(n, 1, nvme_cmd_write, 1, lba,
						     8, self->buf + i * VFU_NVME_PAGE,
						     LBA_SHIFT);
			ASSERT_LE(0, cids[i]) TH_LOG("%s", c->err);
		}
		for (i = 0; i < DB_BATCH; i++)
			OK(vfu_nvme_wait(n, 1, cids[i], NULL));
		vfu_sleep_ms(DB_IDLE_MS);
	}
	rings = n->db_writes + n->db_skipped;
	writes = n->db_writes;
	TH_LOG("poll=%s: %u commands, %lu doorbell updates, %lu written to BAR0 (%s), %lu only in the shadow buffer; SQ event index %u",
	       self->env.poll, DB_ROUNDS * DB_BATCH, rings, writes,
	       n->db ? "mapped" : "REGION_WRITE", n->db_skipped,
	       vfu_nvme_eventidx(n, 1, false));
	EXPECT_GE(rings, DB_ROUNDS * DB_BATCH);
	EXPECT_GT(rings, writes) TH_LOG("the shadow buffer saved no doorbell");
	if (!strcmp(self->env.poll, "adaptive")) {
		/* The poller slept, asking for the tail where it stopped. */
		EXPECT_EQ(n->q[1].tail, vfu_nvme_eventidx(n, 1, false));
		/* And the first tail of each round woke it. */
		EXPECT_LE(DB_ROUNDS, writes);
	}
	for (r = 0; r < DB_ROUNDS; r++) {
		lba = 6 * Q_REGION + r * DB_BATCH * 8;
		OK(vfu_nvme_rw(n, 1, nvme_cmd_read, 1, lba, 8, self->buf2,
			       LBA_SHIFT));
		ASSERT_EQ(-1, pattern_check(ptr(n, self->buf2), VFU_NVME_PAGE,
					    r, lba << LBA_SHIFT));
	}
}

/* --- resets --------------------------------------------------------------- */

/*
 * Writes of @seed on every queue, submitted and not waited for: the
 * reset finds them in flight (or done: they may complete before).
 */
static void io_burst(struct __test_metadata *_metadata,
		     FIXTURE_DATA(nvme) *self, uint32_t seed)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	unsigned int q, i;
	uint64_t lba;

	for (q = 1; q <= self->env.queues; q++) {
		for (i = 0; i < IO_DEPTH; i++) {
			lba = 7 * Q_REGION + (q * IO_DEPTH + i) * 64;
			ASSERT_LE(0, vfu_nvme_rw_submit(n, q, nvme_cmd_write, 1,
							lba, 64, self->buf2,
							LBA_SHIFT))
				TH_LOG("%s", c->err);
		}
	}
}

/* After a reset: enabled again, queues again, old data intact, new I/O. */
static void after_reset(struct __test_metadata *_metadata,
			FIXTURE_DATA(nvme) *self)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	unsigned int q;

	OK(vfu_nvme_enable(n, AQ_SIZE));
	OK(qpairs_create(n, self->env.queues));
	for (q = 1; q <= self->env.queues; q++) {
		OK(vfu_nvme_rw(n, q, nvme_cmd_read, 1, q * Q_REGION, 8,
			       self->buf2, LBA_SHIFT));
		ASSERT_EQ(-1, pattern_check(ptr(n, self->buf2), 8 << LBA_SHIFT,
					    0x300 + q, (uint64_t)q * Q_REGION << LBA_SHIFT))
			TH_LOG("queue %u's acknowledged write lost", q);
	}
	write_read(_metadata, self, self->env.queues, 1, 8, 8, 0x31);
}

/* Acknowledged writes on each queue, then a burst left in flight. */
static void before_reset(struct __test_metadata *_metadata,
			 FIXTURE_DATA(nvme) *self)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	unsigned int q;

	OK(qpairs_create(n, self->env.queues));
	for (q = 1; q <= self->env.queues; q++)
		write_read(_metadata, self, q, q, q * Q_REGION, 8, 0x300 + q);
	io_burst(_metadata, self, 0x3ff);
}

/* CC.EN 0 with I/O in flight: RDY 0 within CAP.TO, then all again. */
TEST_F_TIMEOUT(nvme, reset_under_io, 120)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	long long start;

	NEED_NS(self);
	before_reset(_metadata, self);
	start = vfu_now_ms();
	OK(vfu_nvme_disable(n));
	TH_LOG("CSTS.RDY 0 after %lld ms (CAP.TO %u ms)",
	       vfu_now_ms() - start, n->to_ms);
	after_reset(_metadata, self);
}

/* DEVICE_RESET with I/O in flight: CC back to 0, then all again. */
TEST_F_TIMEOUT(nvme, device_reset_under_io, 120)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	uint32_t cc = ~0u, csts = ~0u;

	NEED_NS(self);
	before_reset(_metadata, self);
	OK(vfu_reset(c));
	vfu_nvme_forget(n);
	OK(vfu_nvme_reg_read(n, NVME_REG_CC, &cc, 4));
	OK(vfu_nvme_reg_read(n, NVME_REG_CSTS, &csts, 4));
	EXPECT_EQ(0, cc);
	EXPECT_EQ(0, csts & (NVME_CSTS_RDY | NVME_CSTS_CFS));
	after_reset(_metadata, self);
}

/* --- bad input from the guest -------------------------------------------- */

enum bad_dptr { DPTR_GOOD, DPTR_PRP1_ODD, DPTR_PRP2_OFFSET, DPTR_SGL_LOOP };

struct bad_io {
	const char *desc;
	uint8_t opcode;
	uint32_t nsid;
	bool from_end;		/* slba counts from the namespace's end */
	int64_t slba;
	uint32_t nlb;
	enum bad_dptr dptr;
	uint16_t status;
};

static const struct bad_io bad_ios[] = {
	{ "an opcode the NVM command set lacks", 0x7e, 1, false, 0, 1,
	  DPTR_GOOD, NVME_SC_INVALID_OPCODE },
	{ "nsid 0", nvme_cmd_read, 0, false, 0, 1, DPTR_GOOD,
	  NVME_SC_INVALID_NS },
	{ "an nsid beyond NN", nvme_cmd_read, 0xfffffff0, false, 0, 1,
	  DPTR_GOOD, NVME_SC_INVALID_NS },
	{ "an inactive nsid", nvme_cmd_write, 7, false, 0, 1, DPTR_GOOD,
	  NVME_SC_INVALID_FIELD },
	{ "the last block and one past it", nvme_cmd_write, 1, true, -1, 2,
	  DPTR_GOOD, NVME_SC_LBA_RANGE },
	{ "a start at the end", nvme_cmd_read, 1, true, 0, 1, DPTR_GOOD,
	  NVME_SC_LBA_RANGE },
	{ "a start that wraps", nvme_cmd_read, 1, false, -1, 2, DPTR_GOOD,
	  NVME_SC_LBA_RANGE },
	{ "PRP1 not dword aligned", nvme_cmd_read, 1, false, 0, 8,
	  DPTR_PRP1_ODD, NVME_SC_PRP_INVALID_OFFSET },
	{ "PRP2 with an offset", nvme_cmd_read, 1, false, 0, 16,
	  DPTR_PRP2_OFFSET, NVME_SC_PRP_INVALID_OFFSET },
	{ "an SGL segment that points at itself", nvme_cmd_read, 1, false, 0,
	  8, DPTR_SGL_LOOP, NVME_SC_SGL_INVALID_COUNT },
};

/* The data pointer of a bad row, into the fixture's buffers. */
static void bad_dptr_set(FIXTURE_DATA(nvme) *self, struct vfu_nvme_sqe *sqe,
			 enum bad_dptr dptr)
{
	struct vfu_nvme_sgl *seg = (void *)ptr(&self->n, self->buf2);

	switch (dptr) {
	case DPTR_PRP1_ODD:
		sqe->prp1 = self->buf + 2;
		break;
	case DPTR_PRP2_OFFSET:
		sqe->prp1 = self->buf;
		sqe->prp2 = self->buf + VFU_NVME_PAGE + 512;
		break;
	case DPTR_SGL_LOOP:
		sqe->flags = NVME_CMD_SGL_METABUF;
		memset(seg, 0, sizeof(*seg));
		seg->addr = self->buf2;
		seg->length = sizeof(*seg);
		seg->type = NVME_SGL_FMT_SEG_DESC << 4;
		memcpy(&sqe->prp1, seg, sizeof(*seg));
		break;
	default:
		sqe->prp1 = self->buf;
		sqe->prp2 = self->buf + VFU_NVME_PAGE;
		break;
	}
}

/* Each bad command gets its status; good I/O goes on on the same queue. */
TEST_F(nvme, bad_io)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	struct vfu_nvme_cqe cqe;
	unsigned int i;

	NEED_NS(self);
	OK(qpairs_create(n, 1));
	for (i = 0; i < ARRAY_SIZE(bad_ios); i++) {
		const struct bad_io *b = &bad_ios[i];
		uint64_t slba = b->slba + (b->from_end ? self->ns_blocks : 0);
		struct vfu_nvme_sqe sqe = {
			.opcode = b->opcode, .nsid = b->nsid,
			.cdw10 = (uint32_t)slba, .cdw11 = slba >> 32,
			.cdw12 = b->nlb - 1,
		};

		TH_LOG("%s", b->desc);
		bad_dptr_set(self, &sqe, b->dptr);
		STATUS(b->status, vfu_nvme_cmd(n, 1, &sqe, 0, 0, &cqe));
		EXPECT_NE(0, cqe.status & NVME_CQE_DNR) TH_LOG("%s: no DNR", b->desc);
		write_read(_metadata, self, 1, 1, 16, 8, 0x40 + i);
	}
}

/* An admin queue command with @cdw10 and @cdw11, PRP1 at @prp1. */
static int queue_cmd(struct vfu_nvme *n, uint8_t opcode, uint32_t cdw10,
		     uint32_t cdw11, uint64_t prp1)
{
	struct vfu_nvme_sqe sqe = {
		.opcode = opcode, .cdw10 = cdw10, .cdw11 = cdw11, .prp1 = prp1,
	};

	return vfu_nvme_admin(n, &sqe, 0, 0, NULL);
}

#define QSIZE(entries)	((uint32_t)((entries) - 1) << 16)
#define PC		NVME_QUEUE_PHYS_CONTIG

/* Create and Delete I/O queue commands that break the rules. */
TEST_F(nvme, bad_queues)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	unsigned int nq = self->env.queues;
	uint32_t mqes = n->cap & 0xffff;
	uint64_t mem = self->buf;

	NEED_NS(self);
	STATUS(NVME_SC_QID_INVALID, queue_cmd(n, nvme_admin_create_cq, 0 | QSIZE(16),
					      PC | 1 << 16, mem));
	STATUS(NVME_SC_QID_INVALID, queue_cmd(n, nvme_admin_create_cq,
					      (nq + 1) | QSIZE(16), PC, mem));
	STATUS(NVME_SC_QUEUE_SIZE, queue_cmd(n, nvme_admin_create_cq, 1, PC, mem));
	STATUS(NVME_SC_QUEUE_SIZE, queue_cmd(n, nvme_admin_create_cq,
					     1 | (mqes + 1) << 16, PC, mem));
	STATUS(NVME_SC_INVALID_VECTOR, queue_cmd(n, nvme_admin_create_cq,
						 1 | QSIZE(16),
						 PC | (nq + 1) << 16, mem));
	STATUS(NVME_SC_INVALID_FIELD, queue_cmd(n, nvme_admin_create_cq,
						1 | QSIZE(16), 0, mem));
	STATUS(NVME_SC_PRP_INVALID_OFFSET, queue_cmd(n, nvme_admin_create_cq,
						     1 | QSIZE(16), PC, mem + 64));
	/* An SQ on a CQ that does not exist, or on the admin CQ. */
	STATUS(NVME_SC_CQ_INVALID, queue_cmd(n, nvme_admin_create_sq,
					     1 | QSIZE(16), PC | 1 << 16, mem));
	STATUS(NVME_SC_CQ_INVALID, queue_cmd(n, nvme_admin_create_sq,
					     1 | QSIZE(16), PC, mem));
	OK(qpairs_create(n, 1));
	/* Queue 1 again. */
	STATUS(NVME_SC_QID_INVALID, queue_cmd(n, nvme_admin_create_cq,
					      1 | QSIZE(16), PC, mem));
	STATUS(NVME_SC_QID_INVALID, queue_cmd(n, nvme_admin_create_sq,
					      1 | QSIZE(16), PC | 1 << 16, mem));
	/* A CQ with an SQ on it; queues that do not exist. */
	STATUS(NVME_SC_INVALID_QUEUE, queue_cmd(n, nvme_admin_delete_cq, 1, 0, 0));
	STATUS(NVME_SC_QID_INVALID, queue_cmd(n, nvme_admin_delete_sq, 2, 0, 0));
	STATUS(NVME_SC_QID_INVALID, queue_cmd(n, nvme_admin_delete_cq, 2, 0, 0));
	STATUS(NVME_SC_QID_INVALID, queue_cmd(n, nvme_admin_delete_sq, 0, 0, 0));
	write_read(_metadata, self, 1, 1, 16, 8, 0x50);
}

/*
 * A tail doorbell past the queue's size: the controller must neither
 * crash nor hang. It stops the queue (nothing completes) or reports
 * CSTS.CFS; the admin queue goes on or a reset brings it all back.
 */
TEST_F_TIMEOUT(nvme, bad_doorbell, 120)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	uint32_t csts;

	struct vfu_nvme_sqe aer = { .opcode = nvme_admin_async_event };
	struct vfu_nvme_cqe cqe;
	int cid;

	NEED_NS(self);
	OK(qpairs_create(n, 2));
	write_read(_metadata, self, 1, 1, 16, 8, 0x60);
	/* Error events need no configuration: an AER alone reports it. */
	cid = vfu_nvme_submit(n, 0, &aer, 0, 0);
	ASSERT_LE(0, cid) TH_LOG("%s", c->err);
	OK(vfu_nvme_ring_sq(n, 1, IOQ_SIZE + 3));
	STATUS(0, vfu_nvme_wait(n, 0, cid, &cqe));
	TH_LOG("AER dw0 0x%08x after the bad doorbell", cqe.dw0);
	EXPECT_EQ(NVME_AER_ERROR, cqe.dw0 & 7);
	EXPECT_EQ(0x01, (cqe.dw0 >> 8) & 0xff) TH_LOG("Invalid Doorbell Write Value");
	EXPECT_EQ(NVME_LOG_ERROR, (cqe.dw0 >> 16) & 0xff);
	OK(vfu_nvme_reg_read(n, NVME_REG_CSTS, &csts, 4));
	TH_LOG("CSTS 0x%x after the bad doorbell; queue 1 reaped %d", csts,
	       vfu_nvme_reap(n, 1));
	if (!(csts & NVME_CSTS_CFS)) {
		/* The other queues and the admin queue still work. */
		write_read(_metadata, self, 2, 2, 24, 8, 0x61);
		OK(vfu_nvme_identify(n, NVME_ID_CNS_CTRL, 0, self->buf));
	}
	OK(vfu_nvme_enable(n, AQ_SIZE));
	OK(qpairs_create(n, 2));
	write_read(_metadata, self, 1, 2, 16, 8, 0x62);
}

/* Commands written to a deleted queue and its doorbell rung: nothing. */
TEST_F(nvme, deleted_queue)
{
	struct vfu_client *c = &self->client;
	struct vfu_nvme *n = &self->n;
	struct vfu_nvme_q *q = &n->q[2];
	struct vfu_nvme_sqe sqe = { .opcode = nvme_cmd_read, .nsid = 1,
				    .prp1 = 0, .cdw12 = 0 };

	NEED_NS(self);
	OK(qpairs_create(n, 2));
	write_read(_metadata, self, 2, 1, 16, 8, 0x6f);
	OK(vfu_nvme_delete_qpair(n, 2));
	TH_LOG("queue 1 after queue 2 is deleted");
	write_read(_metadata, self, 1, 1, 16, 8, 0x70);
	sqe.prp1 = self->buf;
	memcpy(ptr(n, q->sq_iova) + 64 * q->tail, &sqe, sizeof(sqe));
	OK(vfu_nvme_ring_sq(n, 2, q->tail + 1));
	vfu_sleep_ms(300);
	EXPECT_TRUE(all_zero(ptr(n, q->cq_iova) + 16 * q->head, 16))
		TH_LOG("a completion on a deleted queue");
	TH_LOG("queue 1 after queue 2's doorbell");
	write_read(_metadata, self, 1, 1, 16, 8, 0x70);
	/* And the queue id is free again. */
	OK(vfu_nvme_create_qpair(n, 2, IOQ_SIZE, 2, true));
	write_read(_metadata, self, 2, 1, 16, 8, 0x71);
}

TEST_HARNESS_MAIN
