// SPDX-License-Identifier: GPL-2.0
/*
 * vu_scsi_test: a virtio-scsi controller over vhost-user, driven as a
 * guest's virtio_scsi driver would: its config space, SCSI commands on the
 * request queue (INQUIRY, READ CAPACITY, REPORT LUNS, a pattern written
 * and read back, VERIFY with and without a compare, WRITE SAME of a
 * pattern), every kind of bad address and CDB with the sense it must
 * get, task management and asynchronous notification on the control
 * queue, and LUNs attached and detached under a live session.
 *
 * Environment:
 *   VU_SOCK        the controller's socket (the case SKIPs without)
 *   VU_QUEUE_SIZE  the controller's queue size (default 128)
 *   VU_CAPACITY    sectors of LUN 0:0 and 0:1 (their block size is 512)
 *   VU_TIMEOUT_MS  reply and completion timeout (default 5000)
 *   VU_LUN_ADD     hotplug: a command that attaches LUN 0:2
 *   VU_LUN_DEL     hotplug: a command that detaches it
 *   VU_ERR_LBA     medium_error, verify_medium_error: LUN 1:0 reads and
 *                  writes below this LBA and fails every I/O from it on
 *                  (dm-error)
 *   VU_SLOW_MS     tmf_under_io, tmf_under_slow_work: LUN 2:0's I/O takes
 *                  this long (dm-delay)
 *   VU_IDLE_MS     idle_hold: how long to hold the idle session
 *   VU_GROW_CMD    resize: a command that grows LUN 4:0 by 16 MiB and
 *                  runs vdevctl ns resize
 * The controller has LUNs 0:0 and 0:1, maybe 1:0 and 2:0, and no other
 * target.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* kselftest_harness.h's own code and its comparisons are not -Wextra clean. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
/* The harness's own 'child' next to its setjmp(), once cases inline much. */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "vu_front.h"

#define NQ		3	/* control, event, one request queue */
#define MEM		(16ULL << 20)
#define BLK		512
#define OPEN_MS		10000

#define F_HOTPLUG	1
#define F_CHANGE	2
#define F_PROTOCOL	30

#define S_FUNCTION_COMPLETE	0

/* Sense keys and ASC/ASCQ the cases expect. */
#define KEY_MEDIUM_ERROR	0x3
#define KEY_ILLEGAL_REQUEST	0x5
#define KEY_UNIT_ATTENTION	0x6
#define KEY_MISCOMPARE		0xe
#define ASC_MISCOMPARE		0x1d00	/* MISCOMPARE DURING VERIFY OPERATION */
#define ASC_READ_ERROR		0x1100	/* UNRECOVERED READ ERROR */
#define ASC_WRITE_ERROR		0x0c00
#define ASC_INVALID_IU		0x0e03	/* INVALID FIELD IN COMMAND INFO UNIT */
#define ASC_LBA_RANGE		0x2100	/* LOGICAL BLOCK ADDRESS OUT OF RANGE */
#define ASC_INVALID_CDB		0x2400	/* INVALID FIELD IN CDB */

/* LUN 0:1 takes this many blocks per READ, WRITE or VERIFY (0xffff sectors). */
#define MAX_XFER	0xffff
/* ... and WRITE SAME writes 32 MiB at most. */
#define MAX_WS		((32 << 20) / BLK)
/* A buffer past the device's 256 KiB of bounce pages per read. */
#define BIG_LEN		(1 << 20)

/* The data buffer of a command, and what the control queue uses. */
#define DATA_LEN	(64 * 1024)

static int env_int(const char *name, int dflt)
{
	const char *s = getenv(name);

	return s && *s ? atoi(s) : dflt;
}

FIXTURE(scsi) {
	struct vu_front f;
	struct vu_scsi_req r;
	uint64_t data;		/* DATA_LEN bytes of guest memory */
	uint64_t ctl;		/* control request and response */
	uint64_t features;
	int timeout;
	char why[256];
};

FIXTURE_SETUP(scsi)
{
	struct virtio_blk_config cfg;
	const char *sock = getenv("VU_SOCK");
	uint64_t want;

	if (!sock)
		SKIP(return, "VU_SOCK not set");
	self->timeout = env_int("VU_TIMEOUT_MS", VU_DEFAULT_TIMEOUT_MS);
	vu_init(&self->f);
	self->f.timeout_ms = self->timeout;
	ASSERT_EQ(0, vu_open(&self->f, sock, OPEN_MS)) TH_LOG("%s", self->f.err);
	/* QEMU 7.2's realize; its GET_CONFIG is blk's, harmless here. */
	ASSERT_EQ(0, vu_qemu72_realize(&self->f, NQ, VU_REALIZE_OPENED, &cfg))
		TH_LOG("%s", self->f.err);
	want = (1ULL << VU_F_VERSION_1) | (1ULL << F_PROTOCOL) |
	       (1ULL << VU_F_EVENT_IDX) | (1ULL << VU_F_INDIRECT_DESC) |
	       (1ULL << F_HOTPLUG) | (1ULL << F_CHANGE);
	if (getenv("VU_RING") && !strcmp(getenv("VU_RING"), "packed"))
		want |= 1ULL << VU_F_RING_PACKED;
	self->features = self->f.features & want;
	ASSERT_EQ(0, vu_mem_create(&self->f, 1, MEM, 0, false))
		TH_LOG("%s", self->f.err);
	ASSERT_EQ(0, vu_queues_create(&self->f, NQ, 64, self->features))
		TH_LOG("%s", self->f.err);
	ASSERT_EQ(0, vu_dev_start(&self->f, self->features))
		TH_LOG("%s", self->f.err);
	ASSERT_EQ(0, vu_scsi_req_init(&self->f, &self->r, 0, 0))
		TH_LOG("%s", self->f.err);
	self->data = vu_alloc(&self->f, 0, DATA_LEN, 4096);
	self->ctl = vu_alloc(&self->f, 0, 4096, 64);
	ASSERT_NE(0, self->data);
	ASSERT_NE(0, self->ctl);
}

FIXTURE_TEARDOWN(scsi)
{
	vu_close(&self->f);
	vu_queues_destroy(&self->f);
	vu_mem_destroy(&self->f);
}

/* Response OK and status GOOD, whatever the residual. */
static bool good(const struct vu_scsi_req *r)
{
	return r->response == VIRTIO_SCSI_S_OK && r->status == VU_SCSI_GOOD;
}

/*
 * One command on the request queue, its data in the @n buffers @bufs
 * (data-in when @in).
 */
static int cmd_bufs(FIXTURE_DATA(scsi) *self, uint8_t target, uint16_t lun,
		    const uint8_t *cdb, const struct vu_buf *bufs,
		    unsigned int n, bool in)
{
	struct vu_scsi_req *r = &self->r;
	int ret;

	vu_scsi_req_set_lun(r, target, lun);
	memcpy(r->hdr->cdb, cdb, VIRTIO_SCSI_CDB_SIZE);
	r->ndata = n;
	memcpy(r->data, bufs, n * sizeof(*bufs));
	r->data_in = in;
	r->flags = 0;
	ret = vu_scsi_do(self->f.queues[VU_SCSI_VQ_IO], r, self->timeout);
	vu_scsi_describe(r, self->why, sizeof(self->why));
	return ret;
}

/* One command with @len bytes of data at @gpa. */
static int cmd_at(FIXTURE_DATA(scsi) *self, uint8_t target, uint16_t lun,
		  const uint8_t *cdb, uint64_t gpa, uint32_t len, bool in)
{
	struct vu_buf b = { .gpa = gpa, .len = len };

	return cmd_bufs(self, target, lun, cdb, &b, len ? 1 : 0, in);
}

/* One command; @len bytes of data either way. */
static int cmd(FIXTURE_DATA(scsi) *self, uint8_t target, uint16_t lun,
	       const uint8_t *cdb, uint32_t len, bool in)
{
	return cmd_at(self, target, lun, cdb, self->data, len, in);
}

static uint8_t sense(FIXTURE_DATA(scsi) *self, uint16_t *code)
{
	uint8_t asc, ascq, key = vu_scsi_sense_key(&self->r, &asc, &ascq);

	*code = asc << 8 | ascq;
	return key;
}

/*
 * TEST UNIT READY until the unit attentions are gone: how many there were
 * (the first @max of them in @codes), or -1.
 */
static int clear_ua(FIXTURE_DATA(scsi) *self, uint16_t lun, uint16_t *codes,
		    int max)
{
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE] = { 0 };
	uint16_t code;
	int n;

	for (n = 0; n < 8; n++) {
		if (cmd(self, 0, lun, cdb, 0, false))
			return -1;
		if (good(&self->r))
			return n;
		if (sense(self, &code) != KEY_UNIT_ATTENTION)
			return -1;
		if (codes && n < max)
			codes[n] = code;
	}
	return -1;
}

/* A control request: @req of @len, a response of @rlen; its first byte(s). */
static int ctl(FIXTURE_DATA(scsi) *self, const void *req, uint32_t len,
	       uint32_t rlen, void *resp)
{
	struct vu_queue *q = self->f.queues[VU_SCSI_VQ_CTL];
	struct vu_buf b[2] = {
		{ .gpa = self->ctl, .len = len },
		{ .gpa = self->ctl + 1024, .len = rlen, .write = true },
	};
	uint32_t used;
	int ret;

	vu_mem_write(&self->f, self->ctl, req, len);
	memset(vu_gpa(&self->f, self->ctl + 1024, rlen), 0xee, rlen);
	ret = vu_vq_add(q, b, 2, 0, self);
	if (ret < 0)
		return ret;
	ret = vu_vq_complete_one(q, self, self->timeout, &used);
	if (ret)
		return ret;
	vu_mem_read(&self->f, self->ctl + 1024, resp, rlen);
	return used;
}

static void cdb_inquiry(uint8_t *cdb, uint16_t alloc)
{
	memset(cdb, 0, VIRTIO_SCSI_CDB_SIZE);
	cdb[0] = 0x12;
	cdb[3] = alloc >> 8;
	cdb[4] = alloc;
}

static void cdb_report_luns(uint8_t *cdb, uint32_t alloc)
{
	memset(cdb, 0, VIRTIO_SCSI_CDB_SIZE);
	cdb[0] = 0xa0;
	cdb[6] = alloc >> 24;
	cdb[7] = alloc >> 16;
	cdb[8] = alloc >> 8;
	cdb[9] = alloc;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	while (bytes--) {
		p[bytes] = v;
		v >>= 8;
	}
}

#define OP_VERIFY_10		0x2f
#define OP_VERIFY_16		0x8f
#define OP_WRITE_SAME_10	0x41
#define OP_WRITE_SAME_16	0x93

/* VERIFY (10) or (16) with BYTCHK @bytchk. */
static void cdb_verify(uint8_t *cdb, bool sixteen, int bytchk, uint64_t lba,
		       uint32_t blocks)
{
	memset(cdb, 0, VIRTIO_SCSI_CDB_SIZE);
	cdb[0] = sixteen ? OP_VERIFY_16 : OP_VERIFY_10;
	cdb[1] = bytchk << 1;
	put_be(cdb + 2, lba, sixteen ? 8 : 4);
	put_be(cdb + (sixteen ? 10 : 7), blocks, sixteen ? 4 : 2);
}

/* WRITE SAME (10) or (16); @flags in byte 1 (UNMAP 08h, NDOB 01h). */
static void cdb_write_same(uint8_t *cdb, bool sixteen, uint8_t flags,
			   uint64_t lba, uint32_t blocks)
{
	memset(cdb, 0, VIRTIO_SCSI_CDB_SIZE);
	cdb[0] = sixteen ? OP_WRITE_SAME_16 : OP_WRITE_SAME_10;
	cdb[1] = flags;
	put_be(cdb + 2, lba, sixteen ? 8 : 4);
	put_be(cdb + (sixteen ? 10 : 7), blocks, sixteen ? 4 : 2);
}

/* The config space says what QEMU 7.2 says; the features are offered. */
TEST_F(scsi, config)
{
	struct virtio_scsi_config c;
	unsigned int qs = env_int("VU_QUEUE_SIZE", 128);

	ASSERT_EQ(0, vu_get_config(&self->f, 0, sizeof(c), 0, &c))
		TH_LOG("%s", self->f.err);
	EXPECT_EQ(1, c.num_queues);
	EXPECT_EQ((qs < 1024 ? qs : 1024) - 2, c.seg_max);
	EXPECT_EQ(0xffff, c.max_sectors);
	EXPECT_EQ(128, c.cmd_per_lun);
	EXPECT_EQ(16, c.event_info_size);
	EXPECT_EQ(96, c.sense_size);
	EXPECT_EQ(32, c.cdb_size);
	EXPECT_EQ(0, c.max_channel);
	EXPECT_EQ(255, c.max_target);
	EXPECT_EQ(16383, c.max_lun);
	EXPECT_TRUE(self->f.features & (1ULL << F_HOTPLUG));
	EXPECT_TRUE(self->f.features & (1ULL << F_CHANGE));
	EXPECT_TRUE(self->f.features & (1ULL << VU_F_RING_PACKED));
}

/*
 * A new nexus (each case's session is one) first sees POWER ON (29h/00h)
 * on each LUN, and nothing an earlier one left unreported; INQUIRY and
 * REPORT LUNS go through without reporting it.
 */
TEST_F(scsi, unit_attention)
{
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE];
	uint16_t codes[4];
	int n;

	cdb_inquiry(cdb, 36);
	ASSERT_EQ(0, cmd(self, 0, 0, cdb, 36, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	n = clear_ua(self, 0, codes, 4);
	ASSERT_EQ(1, n) TH_LOG("%s", self->why);
	EXPECT_EQ(0x2900, codes[0]);
	n = clear_ua(self, 1, codes, 4);
	ASSERT_EQ(1, n) TH_LOG("%s", self->why);
	EXPECT_EQ(0x2900, codes[0]);
}

TEST_F(scsi, inquiry_capacity_luns)
{
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE], *d = vu_gpa(&self->f, self->data, 512);
	uint64_t cap = env_int("VU_CAPACITY", 0);

	cdb_inquiry(cdb, 96);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, 512, true)) TH_LOG("%s", self->f.err);
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x00, d[0]);			/* connected, direct access */
	EXPECT_EQ(0, memcmp(d + 8, "VDEV    ", 8));
	/* 36 bytes of standard data; the rest of the buffer is residual. */
	EXPECT_EQ(512 - 36, self->r.resid);
	EXPECT_EQ(sizeof(*self->r.resp) + 36, self->r.used_len);

	vu_scsi_cdb_read_capacity16(cdb, 32);
	clear_ua(self, 1, NULL, 0);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, 32, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(BLK, be32(d + 8));
	if (cap)
		EXPECT_EQ(cap - 1, (uint64_t)be32(d) << 32 | be32(d + 4));

	cdb_report_luns(cdb, 512);
	ASSERT_EQ(0, cmd(self, 0, 0, cdb, 512, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(16, be32(d));
	EXPECT_EQ(0, be32(d + 8));
	EXPECT_EQ(0, be32(d + 12));
	EXPECT_EQ(1 << 16, be32(d + 16));	/* LUN 1: 00 01 00 .. */
	EXPECT_EQ(512 - 24, self->r.resid);
}

/* A pattern written to LUN 1 reads back from it, and not from LUN 0. */
TEST_F(scsi, write_read_pattern)
{
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE];
	uint8_t *d = vu_gpa(&self->f, self->data, DATA_LEN);
	static uint8_t pat[DATA_LEN];
	uint32_t i, len = 32 * BLK;

	srand(1234);
	for (i = 0; i < len; i++)
		pat[i] = rand();
	ASSERT_LE(0, clear_ua(self, 0, NULL, 0));
	ASSERT_LE(0, clear_ua(self, 1, NULL, 0));
	memcpy(d, pat, len);
	vu_scsi_cdb_rw10(cdb, true, 1000, 32);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, len, false));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(sizeof(*self->r.resp), self->r.used_len);

	memset(d, 0, len);
	vu_scsi_cdb_rw16(cdb, false, 1000, 32);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, len, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(sizeof(*self->r.resp) + len, self->r.used_len);
	EXPECT_EQ(0, memcmp(d, pat, len));

	/* A bigger buffer than the CDB asks for: the rest is residual. */
	memset(d, 0, DATA_LEN);
	vu_scsi_cdb_rw10(cdb, false, 1000, 8);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, DATA_LEN, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(DATA_LEN - 8 * BLK, self->r.resid);
	EXPECT_EQ(0, memcmp(d, pat, 8 * BLK));

	memset(d, 0, len);
	vu_scsi_cdb_rw10(cdb, false, 1000, 32);
	ASSERT_EQ(0, cmd(self, 0, 0, cdb, len, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_NE(0, memcmp(d, pat, len));
}

/* Bad addresses, CDBs and buffers, each with its answer. */
TEST_F(scsi, bad_input)
{
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE] = { 0 };
	uint8_t *d = vu_gpa(&self->f, self->data, 512);
	uint64_t cap = env_int("VU_CAPACITY", 131072);
	uint16_t code;

	ASSERT_LE(0, clear_ua(self, 0, NULL, 0));
	/* A LUN the target lacks: CHECK CONDITION, LUN NOT SUPPORTED. */
	ASSERT_EQ(0, cmd(self, 0, 5, cdb, 0, false));
	EXPECT_EQ(VIRTIO_SCSI_S_OK, self->r.response);
	EXPECT_EQ(KEY_ILLEGAL_REQUEST, sense(self, &code)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x2500, code);
	EXPECT_EQ(18, self->r.resp->sense_len);
	/* ... whose INQUIRY says "no LUN here" (PQ 3, type 1Fh). */
	cdb_inquiry(cdb, 36);
	ASSERT_EQ(0, cmd(self, 0, 5, cdb, 36, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x7f, d[0]);
	/* A target with no LUN at all: BAD_TARGET. */
	ASSERT_EQ(0, cmd(self, 3, 0, cdb, 36, true));
	EXPECT_EQ(VIRTIO_SCSI_S_BAD_TARGET, self->r.response) TH_LOG("%s", self->why);
	EXPECT_EQ(sizeof(*self->r.resp), self->r.used_len);
	/* A LUN field that is not a single-level LUN: BAD_TARGET too. */
	vu_scsi_req_set_lun(&self->r, 0, 0);
	self->r.hdr->lun[0] = 2;
	self->r.ndata = 0;
	ASSERT_EQ(0, vu_scsi_do(self->f.queues[VU_SCSI_VQ_IO], &self->r,
				self->timeout));
	EXPECT_EQ(VIRTIO_SCSI_S_BAD_TARGET, self->r.response);
	/* An opcode nobody serves: INVALID COMMAND OPERATION CODE. */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0xff;
	ASSERT_EQ(0, cmd(self, 0, 0, cdb, 0, false));
	EXPECT_EQ(KEY_ILLEGAL_REQUEST, sense(self, &code)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x2000, code);
	/* Past the end: LOGICAL BLOCK ADDRESS OUT OF RANGE. */
	vu_scsi_cdb_rw16(cdb, false, cap - 1, 2);
	ASSERT_EQ(0, cmd(self, 0, 0, cdb, 2 * BLK, true));
	EXPECT_EQ(KEY_ILLEGAL_REQUEST, sense(self, &code)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x2100, code);
	EXPECT_EQ(2 * BLK, self->r.resid);
	/* A reserved bit: INVALID FIELD IN CDB. */
	cdb_inquiry(cdb, 36);
	cdb[1] = 0x02;
	ASSERT_EQ(0, cmd(self, 0, 0, cdb, 36, true));
	EXPECT_EQ(KEY_ILLEGAL_REQUEST, sense(self, &code)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x2400, code);
	/* A write whose data-out is shorter than the CDB says. */
	vu_scsi_cdb_rw10(cdb, true, 0, 2);
	ASSERT_EQ(0, cmd(self, 0, 0, cdb, BLK, false));
	EXPECT_EQ(KEY_ILLEGAL_REQUEST, sense(self, &code)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x0e03, code);
	/* A read with a data-out buffer instead of data-in. */
	vu_scsi_cdb_rw10(cdb, false, 0, 1);
	ASSERT_EQ(0, cmd(self, 0, 0, cdb, BLK, false));
	EXPECT_EQ(KEY_ILLEGAL_REQUEST, sense(self, &code)) TH_LOG("%s", self->why);
	/* Still serving. */
	vu_scsi_cdb_rw10(cdb, false, 0, 1);
	ASSERT_EQ(0, cmd(self, 0, 0, cdb, BLK, true));
	EXPECT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
}

struct tmf_req {
	uint32_t type;
	uint32_t subtype;
	uint8_t lun[8];
	uint64_t tag;
} __attribute__((packed));

struct an_req {
	uint32_t type;
	uint8_t lun[8];
	uint32_t event_requested;
} __attribute__((packed));

static void lun8(uint8_t *p, uint8_t target, uint16_t lun)
{
	memset(p, 0, 8);
	p[0] = 1;
	p[1] = target;
	p[2] = 0x40 | lun >> 8;
	p[3] = lun;
}

/* Task management and notification on the control queue. */
TEST_F(scsi, control_queue)
{
	struct tmf_req t = { .type = VIRTIO_SCSI_T_TMF };
	struct an_req a = { .type = VIRTIO_SCSI_T_AN_QUERY };
	uint8_t resp[8];
	uint16_t codes[2];

	ASSERT_LE(0, clear_ua(self, 0, NULL, 0));
	lun8(t.lun, 0, 0);
	t.subtype = VIRTIO_SCSI_T_TMF_ABORT_TASK;
	t.tag = 42;
	ASSERT_EQ(1, ctl(self, &t, sizeof(t), 1, resp)) TH_LOG("%s", self->f.err);
	EXPECT_EQ(S_FUNCTION_COMPLETE, resp[0]);
	t.subtype = VIRTIO_SCSI_T_TMF_ABORT_TASK_SET;
	ASSERT_EQ(1, ctl(self, &t, sizeof(t), 1, resp));
	EXPECT_EQ(S_FUNCTION_COMPLETE, resp[0]);
	t.subtype = VIRTIO_SCSI_T_TMF_QUERY_TASK_SET;
	ASSERT_EQ(1, ctl(self, &t, sizeof(t), 1, resp));
	EXPECT_EQ(S_FUNCTION_COMPLETE, resp[0]);
	t.subtype = VIRTIO_SCSI_T_TMF_QUERY_TASK;
	ASSERT_EQ(1, ctl(self, &t, sizeof(t), 1, resp));
	EXPECT_EQ(VIRTIO_SCSI_S_FUNCTION_REJECTED, resp[0]);
	t.subtype = VIRTIO_SCSI_T_TMF_CLEAR_ACA;
	ASSERT_EQ(1, ctl(self, &t, sizeof(t), 1, resp));
	EXPECT_EQ(VIRTIO_SCSI_S_FUNCTION_REJECTED, resp[0]);
	/* A reset is a unit attention for the next command. */
	t.subtype = VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET;
	ASSERT_EQ(1, ctl(self, &t, sizeof(t), 1, resp));
	EXPECT_EQ(S_FUNCTION_COMPLETE, resp[0]);
	ASSERT_EQ(1, clear_ua(self, 0, codes, 2)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x2900, codes[0]);
	t.subtype = VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET;
	ASSERT_EQ(1, ctl(self, &t, sizeof(t), 1, resp));
	EXPECT_EQ(S_FUNCTION_COMPLETE, resp[0]);
	/* No such LUN, no such target. */
	t.subtype = VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET;
	lun8(t.lun, 0, 9);
	ASSERT_EQ(1, ctl(self, &t, sizeof(t), 1, resp));
	EXPECT_EQ(VIRTIO_SCSI_S_BAD_TARGET, resp[0]);
	lun8(t.lun, 7, 0);
	ASSERT_EQ(1, ctl(self, &t, sizeof(t), 1, resp));
	EXPECT_EQ(VIRTIO_SCSI_S_BAD_TARGET, resp[0]);
	/* Asynchronous notification: none supported. */
	lun8(a.lun, 0, 0);
	a.event_requested = 0x7e;
	ASSERT_EQ(5, ctl(self, &a, sizeof(a), 5, resp));
	EXPECT_EQ(0, be32(resp));
	EXPECT_EQ(VIRTIO_SCSI_S_OK, resp[4]);
	a.type = VIRTIO_SCSI_T_AN_SUBSCRIBE;
	ASSERT_EQ(5, ctl(self, &a, sizeof(a), 5, resp));
	EXPECT_EQ(VIRTIO_SCSI_S_OK, resp[4]);
}

struct event {
	uint32_t event;
	uint8_t lun[8];
	uint32_t reason;
} __attribute__((packed));

#define T_TRANSPORT_RESET	1
#define T_EVENTS_MISSED		0x80000000u
#define EVT_RESCAN		1
#define EVT_REMOVED		2

/* Lend the device @n event buffers, as a guest's driver does. */
static int ev_post(FIXTURE_DATA(scsi) *self, int n)
{
	struct vu_queue *q = self->f.queues[VU_SCSI_VQ_EVT];
	struct vu_buf b = { .len = sizeof(struct event), .write = true };
	int i, ret;

	for (i = 0; i < n; i++) {
		b.gpa = vu_alloc(&self->f, 0, sizeof(struct event), 16);
		if (!b.gpa)
			return -ENOMEM;
		memset(vu_gpa(&self->f, b.gpa, sizeof(struct event)), 0xee,
		       sizeof(struct event));
		ret = vu_vq_add(q, &b, 1, 0, vu_gpa(&self->f, b.gpa, 1));
		if (ret < 0)
			return ret;
	}
	return vu_vq_kick_now(q) < 0 ? -EIO : 0;
}

/* The next event the device gave back: its used length, or -1. */
static int ev_get(FIXTURE_DATA(scsi) *self, struct event *ev)
{
	struct vu_queue *q = self->f.queues[VU_SCSI_VQ_EVT];
	void *cookie;
	uint32_t len;

	if (vu_vq_wait(q, self->timeout) != 1 || vu_vq_get(q, &cookie, &len) != 1)
		return -1;
	memcpy(ev, cookie, sizeof(*ev));
	return len;
}

static bool ev_is(const struct event *ev, uint32_t event, uint16_t lun,
		  uint32_t reason)
{
	return ev->event == event && ev->lun[0] == 1 && ev->lun[1] == 0 &&
	       ev->lun[2] == (lun >= 256 ? 0x40 | lun >> 8 : 0) &&
	       ev->lun[3] == (lun & 0xff) &&
	       ev->reason == reason;
}

/*
 * LUN 0:2 attached and detached while the session runs: the events the
 * guest asked for (HOTPLUG), a missed one told by the next buffer, and
 * the unit attention and REPORT LUNS of its target.
 */
TEST_F(scsi, hotplug)
{
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE] = { 0 };
	uint8_t *d = vu_gpa(&self->f, self->data, 512);
	const char *add = getenv("VU_LUN_ADD"), *del = getenv("VU_LUN_DEL");
	struct vu_queue *eq = self->f.queues[VU_SCSI_VQ_EVT];
	uint16_t codes[4], code;
	struct event ev;

	if (!add || !del)
		SKIP(return, "VU_LUN_ADD/VU_LUN_DEL not set");
	ASSERT_LE(0, clear_ua(self, 0, NULL, 0));
	/* No buffer when it comes: the next one says events were missed. */
	ASSERT_EQ(0, system(add));
	ASSERT_EQ(0, ev_post(self, 1));
	ASSERT_EQ((int)sizeof(ev), ev_get(self, &ev));
	EXPECT_EQ(T_EVENTS_MISSED, ev.event);
	/* With buffers lent: one event per change, on the spot. */
	ASSERT_EQ(0, ev_post(self, 4));
	ASSERT_EQ(0, system(del));
	ASSERT_EQ((int)sizeof(ev), ev_get(self, &ev));
	EXPECT_TRUE(ev_is(&ev, T_TRANSPORT_RESET, 2, EVT_REMOVED))
		TH_LOG("event %#x lun %02x %02x %02x %02x reason %u", ev.event,
		       ev.lun[0], ev.lun[1], ev.lun[2], ev.lun[3], ev.reason);
	ASSERT_EQ(0, system(add));
	ASSERT_EQ((int)sizeof(ev), ev_get(self, &ev));
	EXPECT_TRUE(ev_is(&ev, T_TRANSPORT_RESET, 2, EVT_RESCAN))
		TH_LOG("event %#x lun %02x %02x %02x %02x reason %u", ev.event,
		       ev.lun[0], ev.lun[1], ev.lun[2], ev.lun[3], ev.reason);
	EXPECT_EQ(0, vu_vq_wait(eq, 0));
	/* LUN 0 learns of it, and REPORT LUNS lists it. */
	ASSERT_EQ(1, clear_ua(self, 0, codes, 4)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x3f0e, codes[0]);
	cdb_report_luns(cdb, 512);
	ASSERT_EQ(0, cmd(self, 0, 0, cdb, 512, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(24, be32(d));
	EXPECT_EQ(2 << 16, be32(d + 24));
	ASSERT_LE(0, clear_ua(self, 2, NULL, 0));
	vu_scsi_cdb_rw10(cdb, true, 0, 1);
	ASSERT_EQ(0, cmd(self, 0, 2, cdb, BLK, false));
	EXPECT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	ASSERT_EQ(0, system(del));
	vu_scsi_cdb_rw10(cdb, false, 0, 1);
	ASSERT_EQ(0, cmd(self, 0, 2, cdb, BLK, true));
	EXPECT_EQ(KEY_ILLEGAL_REQUEST, sense(self, &code)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x2500, code);
	ASSERT_EQ(1, clear_ua(self, 0, codes, 4)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x3f0e, codes[0]);
}

/* A backing device's I/O error is a MEDIUM ERROR, for that command only. */
TEST_F(scsi, medium_error)
{
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE];
	int bad = env_int("VU_ERR_LBA", 0);
	uint16_t code;

	if (!bad)
		SKIP(return, "VU_ERR_LBA not set");
	ASSERT_LE(0, clear_ua(self, 0, NULL, 0));
	vu_scsi_req_set_lun(&self->r, 1, 0);
	/* clear_ua() addresses target 0: this LUN's POWER ON by hand. */
	memset(cdb, 0, sizeof(cdb));
	ASSERT_EQ(0, cmd(self, 1, 0, cdb, 0, false));
	EXPECT_EQ(KEY_UNIT_ATTENTION, sense(self, &code)) TH_LOG("%s", self->why);
	vu_scsi_cdb_rw10(cdb, false, bad - 1, 1);
	ASSERT_EQ(0, cmd(self, 1, 0, cdb, BLK, true));
	EXPECT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	/* A read across into the bad range. */
	vu_scsi_cdb_rw10(cdb, false, bad - 1, 2);
	ASSERT_EQ(0, cmd(self, 1, 0, cdb, 2 * BLK, true));
	EXPECT_EQ(VIRTIO_SCSI_S_OK, self->r.response);
	EXPECT_EQ(0x3, sense(self, &code)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x1100, code);		/* UNRECOVERED READ ERROR */
	EXPECT_EQ(2 * BLK, self->r.resid);
	EXPECT_EQ(sizeof(*self->r.resp), self->r.used_len);
	vu_scsi_cdb_rw16(cdb, true, bad + 8, 1);
	ASSERT_EQ(0, cmd(self, 1, 0, cdb, BLK, false));
	EXPECT_EQ(0x3, sense(self, &code)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x0c00, code);		/* WRITE ERROR */
	/* The next command is fine again. */
	vu_scsi_cdb_rw10(cdb, true, 0, 1);
	ASSERT_EQ(0, cmd(self, 1, 0, cdb, BLK, false));
	EXPECT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
}

/*
 * A miscompare: CHECK CONDITION, MISCOMPARE, MISCOMPARE DURING VERIFY
 * OPERATION, in fixed format with VALID set and @info in INFORMATION.
 */
static void expect_miscompare(FIXTURE_DATA(scsi) *self,
			      struct __test_metadata *_metadata, uint32_t info)
{
	const uint8_t *s = self->r.resp->sense;
	uint16_t code;

	EXPECT_EQ(VIRTIO_SCSI_S_OK, self->r.response);
	EXPECT_EQ(KEY_MISCOMPARE, sense(self, &code)) TH_LOG("%s", self->why);
	EXPECT_EQ(ASC_MISCOMPARE, code);
	EXPECT_EQ(18, self->r.resp->sense_len);
	EXPECT_EQ(0xf0, s[0]);			/* VALID, current, fixed */
	EXPECT_EQ(info, be32(s + 3)) TH_LOG("INFORMATION %u, want %u",
					    be32(s + 3), info);
	EXPECT_EQ(sizeof(*self->r.resp), self->r.used_len);
}

static void expect_sense(FIXTURE_DATA(scsi) *self,
			 struct __test_metadata *_metadata, uint8_t key,
			 uint16_t want)
{
	uint16_t code;

	EXPECT_EQ(VIRTIO_SCSI_S_OK, self->r.response);
	EXPECT_EQ(key, sense(self, &code)) TH_LOG("%s", self->why);
	EXPECT_EQ(want, code) TH_LOG("%s", self->why);
}

static void fill(uint8_t *p, uint32_t len, unsigned int seed)
{
	uint32_t i;

	srand(seed);
	for (i = 0; i < len; i++)
		p[i] = rand();
}

/*
 * VERIFY on LUN 0:1 with BYTCHK 1: a pattern written compares equal, a
 * byte changed in the data-out is a miscompare whose INFORMATION is its
 * offset, in a data-out spread over three buffers and past the device's
 * bounce pages; BYTCHK 0 reads; bad lengths and ranges are refused.
 */
TEST_F(scsi, verify)
{
	uint64_t cap = env_int("VU_CAPACITY", 131072);
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE];
	uint64_t big = vu_alloc(&self->f, 0, BIG_LEN, 4096);
	uint8_t *d = vu_gpa(&self->f, big, BIG_LEN);
	struct vu_buf b[3] = {
		{ .gpa = big, .len = 1000 },
		{ .gpa = big + 1000, .len = 300000 },
		{ .gpa = big + 301000, .len = BIG_LEN - 301000 },
	};

	ASSERT_NE(0, big);
	ASSERT_LE(0, clear_ua(self, 1, NULL, 0));
	fill(d, BIG_LEN, 77);
	vu_scsi_cdb_rw10(cdb, true, 2000, BIG_LEN / BLK);
	ASSERT_EQ(0, cmd_at(self, 0, 1, cdb, big, BIG_LEN, false));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);

	/* Equal: GOOD, nothing written back, nothing left over. */
	cdb_verify(cdb, false, 1, 2000, BIG_LEN / BLK);
	ASSERT_EQ(0, cmd_bufs(self, 0, 1, cdb, b, 3, false));
	EXPECT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(0, self->r.resid);
	EXPECT_EQ(sizeof(*self->r.resp), self->r.used_len);
	/* A byte in the third buffer, in the third bounce of the device. */
	d[700001] ^= 0x10;
	ASSERT_EQ(0, cmd_bufs(self, 0, 1, cdb, b, 3, false));
	expect_miscompare(self, _metadata, 700001);
	EXPECT_EQ(BIG_LEN, self->r.resid);
	/* Two: the first is reported. */
	d[1] ^= 0x01;
	cdb_verify(cdb, true, 1, 2000, BIG_LEN / BLK);
	ASSERT_EQ(0, cmd_bufs(self, 0, 1, cdb, b, 3, false));
	expect_miscompare(self, _metadata, 1);
	d[1] ^= 0x01;
	d[700001] ^= 0x10;
	/* Part of the range, from a later block: offsets count from its LBA. */
	d[BLK * 10 + 5] ^= 0x80;
	cdb_verify(cdb, true, 1, 2008, 16);
	ASSERT_EQ(0, cmd_at(self, 0, 1, cdb, big + 8 * BLK, 16 * BLK, false));
	expect_miscompare(self, _metadata, BLK * 2 + 5);
	d[BLK * 10 + 5] ^= 0x80;
	ASSERT_EQ(0, cmd_at(self, 0, 1, cdb, big + 8 * BLK, 16 * BLK, false));
	EXPECT_TRUE(good(&self->r)) TH_LOG("%s", self->why);

	/* BYTCHK 0 reads the range: GOOD, and a buffer is all residual. */
	cdb_verify(cdb, false, 0, 0, MAX_XFER);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));
	EXPECT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(BLK, self->r.resid);
	/* Length 0 checks nothing, even with BYTCHK 1. */
	cdb_verify(cdb, false, 1, 0, 0);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, 0, false));
	EXPECT_TRUE(good(&self->r)) TH_LOG("%s", self->why);

	/* A data-out a block short of the CDB. */
	cdb_verify(cdb, false, 1, 2000, 8);
	ASSERT_EQ(0, cmd_at(self, 0, 1, cdb, big, 7 * BLK, false));
	expect_sense(self, _metadata, KEY_ILLEGAL_REQUEST, ASC_INVALID_IU);
	/* Over the maximum transfer length, whatever BYTCHK says. */
	cdb_verify(cdb, true, 0, 0, MAX_XFER + 1);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, 0, false));
	expect_sense(self, _metadata, KEY_ILLEGAL_REQUEST, ASC_INVALID_CDB);
	/* Past the end. */
	cdb_verify(cdb, true, 0, cap - 1, 2);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, 0, false));
	expect_sense(self, _metadata, KEY_ILLEGAL_REQUEST, ASC_LBA_RANGE);
	/* BYTCHK 2 is reserved. */
	cdb_verify(cdb, false, 2, 0, 1);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));
	expect_sense(self, _metadata, KEY_ILLEGAL_REQUEST, ASC_INVALID_CDB);
}

/*
 * WRITE SAME of a pattern block on LUN 0:1: every block of the range reads
 * back as that block, and the blocks either side are untouched; BYTCHK 3
 * compares each block of the range with one block. Zeroes still work,
 * and bad ranges and lengths are refused.
 */
TEST_F(scsi, write_same)
{
	uint64_t cap = env_int("VU_CAPACITY", 131072);
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE];
	uint64_t big = vu_alloc(&self->f, 0, BIG_LEN, 4096);
	uint8_t *d = vu_gpa(&self->f, big, BIG_LEN);
	uint8_t *blk = vu_gpa(&self->f, self->data, BLK);
	static uint8_t pat[BLK], edge[BLK];
	const uint32_t lba = 10000, n = 4 * (BIG_LEN / BLK) + 3;
	uint32_t i, done, k, first;

	ASSERT_NE(0, big);
	ASSERT_LE(0, clear_ua(self, 1, NULL, 0));
	/* The blocks either side of the range get a pattern of their own. */
	fill(edge, BLK, 5);
	memcpy(blk, edge, BLK);
	vu_scsi_cdb_rw10(cdb, true, lba - 1, 1);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	vu_scsi_cdb_rw10(cdb, true, lba + n, 1);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);

	/* 4 MiB and a bit: several bios of the device's (1 MiB each). */
	fill(pat, BLK, 6);
	memcpy(blk, pat, BLK);
	cdb_write_same(cdb, true, 0, lba, n);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(0, self->r.resid);
	for (done = 0; done < n + 2; done += k) {
		k = n + 2 - done < BIG_LEN / BLK ? n + 2 - done : BIG_LEN / BLK;
		memset(d, 0, k * BLK);
		vu_scsi_cdb_rw16(cdb, false, lba - 1 + done, k);
		ASSERT_EQ(0, cmd_at(self, 0, 1, cdb, big, k * BLK, true));
		ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
		for (i = 0; i < k; i++) {
			bool side = done + i == 0 || done + i == n + 1;

			ASSERT_EQ(0, memcmp(d + i * BLK, side ? edge : pat, BLK))
				TH_LOG("LBA %u", lba - 1 + done + i);
		}
	}

	/* BYTCHK 3: each block of the range against the one block. */
	cdb_verify(cdb, true, 3, lba, n);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));
	EXPECT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	blk[100] ^= 0x04;
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));
	expect_miscompare(self, _metadata, 100);
	blk[100] ^= 0x04;
	/* One block of the range differs: its offset in the range. */
	vu_scsi_cdb_rw10(cdb, true, lba + 1000, 1);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));	/* pat, as blk */
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	memcpy(d, pat, BLK);
	d[333] ^= 0x20;
	ASSERT_EQ(0, cmd_at(self, 0, 1, cdb, big, BLK, false));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	cdb_verify(cdb, false, 3, lba, 2000);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));
	expect_miscompare(self, _metadata, 1000 * BLK + 333);
	/* Over the edge of the range: the block after it differs. */
	for (first = 0; first < BLK && edge[first] == pat[first]; first++)
		;
	cdb_verify(cdb, false, 3, lba + n - 2, 3);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));
	expect_miscompare(self, _metadata, 2 * BLK + first);

	/* Zeroes (and UNMAP) still write zeroes. */
	memset(blk, 0, BLK);
	cdb_write_same(cdb, false, 0x08, lba, 64);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	memset(d, 0xee, 65 * BLK);
	vu_scsi_cdb_rw10(cdb, false, lba, 65);
	ASSERT_EQ(0, cmd_at(self, 0, 1, cdb, big, 65 * BLK, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	for (i = 0; i < 64 * BLK; i++)
		ASSERT_EQ(0, d[i]) TH_LOG("byte %u", i);
	EXPECT_EQ(0, memcmp(d + 64 * BLK, pat, BLK));

	/*
	 * Past the end, too many blocks, none, a short data-out: refused,
	 * and nothing written (LBA 0 and the last keep what they hold).
	 */
	memcpy(d, edge, BLK);
	vu_scsi_cdb_rw16(cdb, true, 0, 1);
	ASSERT_EQ(0, cmd_at(self, 0, 1, cdb, big, BLK, false));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	vu_scsi_cdb_rw16(cdb, true, cap - 1, 1);
	ASSERT_EQ(0, cmd_at(self, 0, 1, cdb, big, BLK, false));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	memcpy(blk, pat, BLK);
	cdb_write_same(cdb, true, 0, cap - 1, 2);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));
	expect_sense(self, _metadata, KEY_ILLEGAL_REQUEST, ASC_LBA_RANGE);
	cdb_write_same(cdb, true, 0, 0, MAX_WS + 1);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));
	expect_sense(self, _metadata, KEY_ILLEGAL_REQUEST, ASC_INVALID_CDB);
	cdb_write_same(cdb, false, 0, 0, 0);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK, false));
	expect_sense(self, _metadata, KEY_ILLEGAL_REQUEST, ASC_INVALID_CDB);
	cdb_write_same(cdb, false, 0, 0, 1);
	ASSERT_EQ(0, cmd(self, 0, 1, cdb, BLK - 1, false));
	expect_sense(self, _metadata, KEY_ILLEGAL_REQUEST, ASC_INVALID_IU);
	memset(d, 0, BLK);
	vu_scsi_cdb_rw16(cdb, false, 0, 1);
	ASSERT_EQ(0, cmd_at(self, 0, 1, cdb, big, BLK, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(0, memcmp(d, edge, BLK));
	memset(d, 0, BLK);
	vu_scsi_cdb_rw16(cdb, false, cap - 1, 1);
	ASSERT_EQ(0, cmd_at(self, 0, 1, cdb, big, BLK, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(0, memcmp(d, edge, BLK));
}

/*
 * VERIFY and WRITE SAME on the dm-error LUN 1:0: reads of a range that
 * reaches the failing half are MEDIUM ERROR, UNRECOVERED READ ERROR, with
 * or without a compare; a pattern written into it is a WRITE ERROR.
 */
TEST_F(scsi, verify_medium_error)
{
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE];
	uint8_t *d = vu_gpa(&self->f, self->data, 4 * BLK);
	int bad = env_int("VU_ERR_LBA", 0);
	uint16_t code;

	if (!bad)
		SKIP(return, "VU_ERR_LBA not set");
	memset(cdb, 0, sizeof(cdb));
	ASSERT_EQ(0, cmd(self, 1, 0, cdb, 0, false));	/* POWER ON, taken */
	EXPECT_EQ(KEY_UNIT_ATTENTION, sense(self, &code)) TH_LOG("%s", self->why);
	vu_scsi_cdb_rw10(cdb, false, bad - 4, 4);
	ASSERT_EQ(0, cmd(self, 1, 0, cdb, 4 * BLK, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	/* Below the bad range: GOOD, with and without a compare. */
	cdb_verify(cdb, false, 0, bad - 4, 4);
	ASSERT_EQ(0, cmd(self, 1, 0, cdb, 0, false));
	EXPECT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	cdb_verify(cdb, false, 1, bad - 4, 4);
	ASSERT_EQ(0, cmd(self, 1, 0, cdb, 4 * BLK, false));
	EXPECT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	/* Into it. */
	cdb_verify(cdb, false, 0, bad - 4, 5);
	ASSERT_EQ(0, cmd(self, 1, 0, cdb, 0, false));
	expect_sense(self, _metadata, KEY_MEDIUM_ERROR, ASC_READ_ERROR);
	cdb_verify(cdb, true, 3, bad + 100, 8);
	ASSERT_EQ(0, cmd(self, 1, 0, cdb, BLK, false));
	expect_sense(self, _metadata, KEY_MEDIUM_ERROR, ASC_READ_ERROR);
	EXPECT_EQ(BLK, self->r.resid);
	memset(d, 0x5a, BLK);
	cdb_write_same(cdb, false, 0, bad - 1, 2);
	ASSERT_EQ(0, cmd(self, 1, 0, cdb, BLK, false));
	expect_sense(self, _metadata, KEY_MEDIUM_ERROR, ASC_WRITE_ERROR);
	/* Still serving. */
	vu_scsi_cdb_rw10(cdb, false, bad - 1, 1);
	ASSERT_EQ(0, cmd(self, 1, 0, cdb, BLK, true));
	EXPECT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x5a, d[0]);
}

/*
 * Task management while VERIFY and WRITE SAME run in the device's slow
 * work on the dm-delay LUN 2:0: it waits for them; each completes once,
 * GOOD, before FUNCTION COMPLETE.
 */
TEST_F(scsi, tmf_under_slow_work)
{
	struct vu_queue *q = self->f.queues[VU_SCSI_VQ_IO];
	struct tmf_req t = { .type = VIRTIO_SCSI_T_TMF };
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE] = { 0 }, resp;
	int slow = env_int("VU_SLOW_MS", 0), seen[2] = { 0 }, i, n = 0;
	struct vu_scsi_req r[2], *done;
	long long t0, took;

	if (!slow)
		SKIP(return, "VU_SLOW_MS not set");
	ASSERT_EQ(0, cmd(self, 2, 0, cdb, 0, false));	/* POWER ON, taken */
	memset(vu_gpa(&self->f, self->data, BLK), 0x3c, BLK);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, vu_scsi_req_init(&self->f, &r[i], 2, 0));
		r[i].data[0] = (struct vu_buf){ .gpa = self->data, .len = BLK };
		r[i].ndata = i;
		r[i].data_in = false;
		r[i].flags = 0;
	}
	/* Four reads of 256 KiB, one after the other; a write of 512 KiB. */
	cdb_verify(r[0].hdr->cdb, true, 0, 0, 2048);
	cdb_write_same(r[1].hdr->cdb, true, 0, 4096, 1024);
	t0 = vu_now_ms();
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, vu_scsi_submit(q, &r[i])) TH_LOG("%s", self->f.err);
	vu_vq_kick(q);
	/* Queues are not ordered: the TMF must not overtake the commands. */
	ASSERT_EQ(0, vu_vq_wait_fetched(q, self->timeout))
		TH_LOG("%s", self->f.err);
	t.subtype = VIRTIO_SCSI_T_TMF_ABORT_TASK_SET;
	lun8(t.lun, 2, 0);
	ASSERT_EQ(1, ctl(self, &t, sizeof(t), 1, &resp)) TH_LOG("%s", self->f.err);
	took = vu_now_ms() - t0;
	EXPECT_EQ(S_FUNCTION_COMPLETE, resp);
	/* Answered after the VERIFY's reads, not before. */
	EXPECT_LE(4 * slow, took) TH_LOG("TMF answered after %lld ms", took);
	while (vu_scsi_poll(q, &done) == 1) {
		i = done - r;
		ASSERT_TRUE(i >= 0 && i < 2);
		seen[i]++;
		n++;
		vu_scsi_describe(done, self->why, sizeof(self->why));
		EXPECT_TRUE(good(done)) TH_LOG("command %d: %s", i, self->why);
	}
	EXPECT_EQ(2, n);
	EXPECT_EQ(1, seen[0]);
	EXPECT_EQ(1, seen[1]);
	EXPECT_EQ(0, vu_vq_wait(q, 200));
}

/*
 * Task management with commands in flight on a slow LUN: each command
 * completes once, with its own outcome, before the function is answered
 * FUNCTION COMPLETE; nothing is lost, nothing comes back twice.
 */
#define NSLOW	8

static void tmf_under_io(FIXTURE_DATA(scsi) *self,
			 struct __test_metadata *_metadata, uint32_t subtype)
{
	struct vu_queue *q = self->f.queues[VU_SCSI_VQ_IO];
	struct tmf_req t = { .type = VIRTIO_SCSI_T_TMF, .subtype = subtype };
	struct vu_scsi_req r[NSLOW], *done;
	int slow = env_int("VU_SLOW_MS", 0), seen[NSLOW] = { 0 };
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE] = { 0 }, resp;
	long long t0;
	int i, n = 0;

	ASSERT_EQ(0, cmd(self, 2, 0, cdb, 0, false));	/* POWER ON, taken */
	for (i = 0; i < NSLOW; i++) {
		ASSERT_EQ(0, vu_scsi_req_init(&self->f, &r[i], 2, 0));
		vu_scsi_cdb_rw10(r[i].hdr->cdb, i & 1, i, 1);
		r[i].ndata = 1;
		r[i].data[0] = (struct vu_buf){ .gpa = self->data + i * BLK,
						.len = BLK };
		r[i].data_in = !(i & 1);
		r[i].flags = 0;
		ASSERT_EQ(0, vu_scsi_submit(q, &r[i])) TH_LOG("%s", self->f.err);
	}
	vu_vq_kick(q);
	/*
	 * The control queue may be served before the request queue: a TMF
	 * covers only the commands the device has fetched.
	 */
	ASSERT_EQ(0, vu_vq_wait_fetched(q, self->timeout))
		TH_LOG("%s", self->f.err);
	lun8(t.lun, 2, 0);
	t.tag = r[0].hdr->tag;
	t0 = vu_now_ms();
	ASSERT_EQ(1, ctl(self, &t, sizeof(t), 1, &resp)) TH_LOG("%s", self->f.err);
	EXPECT_EQ(S_FUNCTION_COMPLETE, resp);
	TH_LOG("TMF %u answered after %lld ms, I/O takes %d ms", subtype,
	       vu_now_ms() - t0, slow);
	/* Every command is in the used ring already, each once. */
	while (vu_scsi_poll(q, &done) == 1) {
		i = done - r;
		ASSERT_TRUE(i >= 0 && i < NSLOW);
		seen[i]++;
		n++;
		EXPECT_TRUE(good(done)) TH_LOG("command %d", i);
	}
	EXPECT_EQ(NSLOW, n);
	for (i = 0; i < NSLOW; i++)
		EXPECT_EQ(1, seen[i]) TH_LOG("command %d", i);
	EXPECT_EQ(0, vu_vq_wait(q, 200));
}

TEST_F(scsi, tmf_under_io)
{
	if (!env_int("VU_SLOW_MS", 0))
		SKIP(return, "VU_SLOW_MS not set");
	tmf_under_io(self, _metadata, VIRTIO_SCSI_T_TMF_ABORT_TASK);
	tmf_under_io(self, _metadata, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET);
	tmf_under_io(self, _metadata, VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET);
}

/*
 * LUN 4:0 grows under the session: ns resize sends a PARAM_CHANGE event
 * (CAPACITY DATA HAS CHANGED as its reason), the next command gets the
 * unit attention, and READ CAPACITY the new size.
 */
TEST_F(scsi, resize)
{
	uint8_t cdb[VIRTIO_SCSI_CDB_SIZE] = { 0 };
	uint8_t *d = vu_gpa(&self->f, self->data, 32);
	const char *grow = getenv("VU_GROW_CMD");
	uint64_t before, after;
	struct event ev;
	uint16_t code;

	if (!grow)
		SKIP(return, "VU_GROW_CMD not set");
	ASSERT_EQ(0, cmd(self, 4, 0, cdb, 0, false));	/* POWER ON, taken */
	vu_scsi_cdb_read_capacity16(cdb, 32);
	ASSERT_EQ(0, cmd(self, 4, 0, cdb, 32, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	before = ((uint64_t)be32(d) << 32 | be32(d + 4)) + 1;
	ASSERT_EQ(0, ev_post(self, 2));
	ASSERT_EQ(0, system(grow));
	ASSERT_EQ((int)sizeof(ev), ev_get(self, &ev));
	EXPECT_EQ(VIRTIO_SCSI_T_PARAM_CHANGE, ev.event);
	EXPECT_EQ(1, ev.lun[0]);
	EXPECT_EQ(4, ev.lun[1]);
	EXPECT_EQ(0, ev.lun[2]);	/* peripheral addressing, LUN 0 */
	EXPECT_EQ(0, ev.lun[3]);
	EXPECT_EQ(0x092a, ev.reason);
	memset(cdb, 0, sizeof(cdb));
	ASSERT_EQ(0, cmd(self, 4, 0, cdb, 0, false));
	EXPECT_EQ(KEY_UNIT_ATTENTION, sense(self, &code)) TH_LOG("%s", self->why);
	EXPECT_EQ(0x2a09, code);
	vu_scsi_cdb_read_capacity16(cdb, 32);
	ASSERT_EQ(0, cmd(self, 4, 0, cdb, 32, true));
	ASSERT_TRUE(good(&self->r)) TH_LOG("%s", self->why);
	after = ((uint64_t)be32(d) << 32 | be32(d + 4)) + 1;
	EXPECT_EQ(before + (16 << 20) / BLK, after);
}

/*
 * An idle session with buffers on the event queue, as a Linux guest
 * leaves it: the script checks that the poller sleeps meanwhile (the
 * event queue's kick must not keep it awake), from the "holding" line
 * on: setting the session up may take seconds on a loaded machine.
 */
TEST_F(scsi, idle_hold)
{
	struct vu_queue *q = self->f.queues[VU_SCSI_VQ_EVT];
	int i, ms = env_int("VU_IDLE_MS", 0);
	uint64_t ev;

	if (!ms)
		SKIP(return, "VU_IDLE_MS not set");
	for (i = 0; i < 4; i++) {
		ev = vu_alloc(&self->f, 0, 16, 16);
		ASSERT_NE(0, ev);
		struct vu_buf b = { .gpa = ev, .len = 16, .write = true };

		ASSERT_LE(0, vu_vq_add(q, &b, 1, 0, (void *)(long)(i + 1)));
	}
	vu_vq_kick_now(q);
	/* The script samples the pollers from this line on. */
	TH_LOG("holding the idle session for %d ms", ms);
	vu_sleep_ms(ms);
	/* No event came: none was due. */
	EXPECT_EQ(0, vu_vq_wait(q, 0));
}

TEST_HARNESS_MAIN
