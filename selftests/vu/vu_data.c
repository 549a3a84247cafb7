// SPDX-License-Identifier: GPL-2.0
/*
 * vu_data: the data path seen from the front end: write, read back and
 * compare against a shadow copy, over split and packed rings, one or more
 * queues, ring sizes from 2 to 256, requests from 512 bytes to 1 MiB,
 * multi-buffer, indirect and two-region chains; the virtio-blk commands;
 * call suppression. Documentation/design/vhost-user-session.rst, "The C
 * front end": Data, Commands. And a long verified workload (soak) for
 * selftests/test_vu_04.sh.
 *
 * Run by selftests/test_vu_02.sh, one case at a time (-t NAME), with the
 * environment vu_case.h describes choosing the ring layout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
/* The harness's own 'child' next to its setjmp(), once cases inline much. */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"

#include "vu_case.h"

#define CASE_TIMEOUT	240

VU_DEV_FIXTURE();

static unsigned int min_u(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

static void log_eng(struct __test_metadata *_metadata, struct eng *e,
		    const char *what)
{
	TH_LOG("%s: %u requests (%u reads, %u writes) on %u queues, %u slots, %u completed out of order",
	       what, e->done, e->reads, e->writes, e->d->f.nqueues, e->nslots,
	       e->out_of_order);
	/* No queue broke, not even an idle one. */
	ASSERT_EQ(-1, vu_dev_err_queue(e->d));
}

/* ========================================================================
 * Data
 * ========================================================================
 */

static const uint32_t small_sizes[] = {
	512, 1024, 1536, 4096, 8192, 12288, 16384,
};

/* Many small requests, as deep as the ring allows (at most 32 a queue). */
TEST_F_TIMEOUT(dev, rw_small, CASE_TIMEOUT)
{
	struct eng e;

	ENG_OK(eng_init(&e, &self->d, min_u(self->d.env.num, 32), 16384, 0));
	ENG_OK(eng_fill(&e));
	ENG_OK(eng_random(&e, 256, small_sizes, 7, 50));
	ENG_OK(eng_verify(&e));
	log_eng(_metadata, &e, "rw_small");
	eng_free(&e);
}

static const uint32_t large_sizes[] = {
	65536, 131072, 262144, 524288, 1048576,
};

/* 64 KiB to 1 MiB (size_max), one buffer each. */
TEST_F_TIMEOUT(dev, rw_large, CASE_TIMEOUT)
{
	unsigned int depth = self->d.f.nqueues >= 4 ? 1 : 2;
	struct eng e;

	ENG_OK(eng_init(&e, &self->d, min_u(self->d.env.num, depth), MIB, 0));
	ENG_OK(eng_fill(&e));
	ENG_OK(eng_random(&e, 12, large_sizes, 5, 50));
	ENG_OK(eng_verify(&e));
	log_eng(_metadata, &e, "rw_large");
	eng_free(&e);
}

static const uint32_t multi_sizes[] = {
	1024, 4096, 8192, 16384, 32768, 65536,
};

/* Every request in 512-byte buffers (up to seg_max), scattered. */
TEST_F_TIMEOUT(dev, rw_multibuf, CASE_TIMEOUT)
{
	struct eng e;

	ENG_OK(eng_init(&e, &self->d, min_u(self->d.env.num, 8), 65536, 0));
	e.piece = 512;
	e.scatter = true;
	ENG_OK(eng_fill(&e));
	ENG_OK(eng_random(&e, 64, multi_sizes, 6, 50));
	e.piece = 4096;
	ENG_OK(eng_random(&e, 32, multi_sizes, 6, 50));
	ENG_OK(eng_verify(&e));
	log_eng(_metadata, &e, "rw_multibuf");
	eng_free(&e);
}

/* Indirect chains, always and at random, multi-buffer. */
TEST_F_TIMEOUT(dev, rw_indirect, CASE_TIMEOUT)
{
	struct eng e;

	if (!self->d.env.indirect)
		SKIP(return, "INDIRECT_DESC not acked (VU_NO_INDIRECT)");
	ENG_OK(eng_init(&e, &self->d, min_u(self->d.env.num, 16), 65536, 0));
	e.indirect = 1;
	e.piece = 1024;
	e.scatter = true;
	ENG_OK(eng_fill(&e));
	ENG_OK(eng_random(&e, 64, multi_sizes, 6, 50));
	e.indirect = 2;
	e.piece = 4096;
	ENG_OK(eng_random(&e, 64, multi_sizes, 6, 50));
	ENG_OK(eng_verify(&e));
	log_eng(_metadata, &e, "rw_indirect");
	eng_free(&e);
}

/*
 * Chains of exactly seg_max data buffers (the most the device takes:
 * seg_max + 2 descriptors with header and status), direct when the ring
 * holds them and indirect.
 */
TEST_F_TIMEOUT(dev, rw_max_segs, CASE_TIMEOUT)
{
	struct vu_dev *d = &self->d;
	struct vu_queue *q = d->f.queues[0];
	struct eng e;
	int pass;

	ENG_OK(eng_init(&e, d, 1, d->seg_max * 512, 0));
	ENG_OK(eng_fill(&e));
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0 && q->num < d->seg_max + 2)
			continue;
		if (pass == 1 && !d->env.indirect)
			continue;
		e.piece = 512;
		e.indirect = pass;
		e.scatter = true;
		ENG_OK(eng_random(&e, 8, &e.maxlen, 1, 50));
		TH_LOG("%u-buffer chains (%s) done", d->seg_max + 2,
		       pass ? "indirect" : "direct");
	}
	ENG_OK(eng_verify(&e));
	eng_free(&e);
}

/*
 * As many requests as the ring holds (up to 200), made available at once
 * with one kick: all of them complete. The poller fetches 64 chains a
 * pass; what is left must be fetched without another kick.
 */
TEST_F_TIMEOUT(dev, one_kick_batch, CASE_TIMEOUT)
{
	struct vu_dev *d = &self->d;
	struct vu_front *f = &d->f;
	struct vu_queue *q = f->queues[0];
	unsigned int n, i, got = 0, per = q->indirect ? 1 : 3;
	uint64_t buf;
	struct vu_blk_req *r, *done;

	n = min_u(q->num / per, 200);
	r = calloc(n, sizeof(*r));
	buf = vu_alloc(f, 0, 4096ULL * n, 4096);
	ASSERT_TRUE(r && buf);
	for (i = 0; i < n; i++) {
		r[i].type = VIRTIO_BLK_T_IN;
		r[i].sector = 8 * i;
		r[i].ndata = 1;
		r[i].data[0] = (struct vu_buf){ .gpa = buf + 4096ULL * i, .len = 4096 };
		r[i].flags = q->indirect ? VU_CHAIN_INDIRECT : 0;
		ASSERT_EQ(0, vu_blk_submit(q, &r[i])) TH_LOG("request %u: %s", i, f->err);
	}
	vu_vq_kick(q);
	while (got < n) {
		int ret = vu_blk_reap(q, d->env.timeout_ms, &done);

		ASSERT_EQ(1, ret) TH_LOG("%u of %u requests made available with one kick completed (%s)",
					 got, n, ret ? f->err : "then nothing");
		STATUS_IS(done, VIRTIO_BLK_S_OK);
		got++;
	}
	TH_LOG("%u requests, one kick: all completed", n);
	free(r);
}

/*
 * Adjacent requests made available in descending order with one kick:
 * under the poller's plug the block layer merges each into the request
 * of the one before (a front merge), so the bio that started a request is
 * not the first one submitted. All must complete, and in time: a polled
 * request nobody polls times out (null_blk: 5 s, then IOERR).
 */
TEST_F_TIMEOUT(dev, merge_reverse, CASE_TIMEOUT)
{
	struct vu_dev *d = &self->d;
	struct vu_front *f = &d->f;
	struct vu_queue *q = f->queues[0];
	unsigned int n = min_u(q->num / (q->indirect ? 1 : 3), 16), i, got = 0, pass;
	struct vu_blk_req *r, *done;
	long long t0;
	uint64_t buf;
	uint8_t *p;

	r = calloc(n, sizeof(*r));
	buf = vu_alloc(f, 0, 4096ULL * n, 4096);
	ASSERT_TRUE(r && buf);
	p = vu_gpa(f, buf, 4096ULL * n);
	for (pass = 0; pass < 2; pass++) {
		bool write = pass == 0;

		for (i = 0; i < 4096 * n; i++)
			p[i] = write ? (uint8_t)(i * 7 + 3) : 0;
		for (i = 0; i < n; i++) {
			unsigned int k = n - 1 - i;

			r[i].type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
			r[i].sector = 8 * k;
			r[i].ndata = 1;
			r[i].data[0] = (struct vu_buf){ .gpa = buf + 4096ULL * k,
							.len = 4096 };
			r[i].flags = q->indirect ? VU_CHAIN_INDIRECT : 0;
			ASSERT_EQ(0, vu_blk_submit(q, &r[i])) TH_LOG("%s", f->err);
		}
		t0 = vu_now_ms();
		vu_vq_kick(q);
		for (got = 0; got < n; got++) {
			int ret = vu_blk_reap(q, d->env.timeout_ms, &done);

			ASSERT_EQ(1, ret) TH_LOG("%u of %u %s completed", got, n,
						 write ? "writes" : "reads");
			STATUS_IS(done, VIRTIO_BLK_S_OK);
		}
		TH_LOG("%u %s in descending order: done in %lld ms", n,
		       write ? "writes" : "reads", vu_now_ms() - t0);
		EXPECT_GT(2000, vu_now_ms() - t0);
	}
	for (i = 0; i < 4096 * n; i++)
		ASSERT_EQ((uint8_t)(i * 7 + 3), p[i]) TH_LOG("byte %u", i);
	free(r);
}

/* Chains whose buffers alternate between two regions. */
TEST_F_TIMEOUT(dev, rw_two_regions, CASE_TIMEOUT)
{
	struct eng e;

	if (self->d.f.nregions < 2)
		SKIP(return, "one region (VU_REGIONS=2)");
	ENG_OK(eng_init(&e, &self->d, min_u(self->d.env.num, 8), 65536, 0));
	e.two_regions = true;
	e.piece = 4096;
	e.scatter = true;
	ENG_OK(eng_fill(&e));
	ENG_OK(eng_random(&e, 64, multi_sizes, 6, 50));
	e.indirect = self->d.env.indirect ? 2 : 0;
	e.piece = 512;
	ENG_OK(eng_random(&e, 32, multi_sizes, 6, 50));
	ENG_OK(eng_verify(&e));
	TH_LOG("regions at gpa %#llx and %#llx",
	       (unsigned long long)self->d.f.regions[0].gpa,
	       (unsigned long long)self->d.f.regions[1].gpa);
	log_eng(_metadata, &e, "rw_two_regions");
	eng_free(&e);
}

/*
 * One buffer running from the end of region 0 into region 1, which is
 * contiguous with it in guest-physical space (vdev_mem_check() allows it).
 */
TEST_F_TIMEOUT(dev, rw_cross_region, CASE_TIMEOUT)
{
	struct vu_dev *d = &self->d;
	struct vu_front *f = &d->f;
	struct vu_queue *q = f->queues[0];
	uint64_t gpa, len = 65536, sector = 8192;
	uint8_t *want, *got, st;
	uint32_t used;

	if (f->nregions < 2 || f->regions[1].gpa != f->regions[0].size)
		SKIP(return, "needs two regions contiguous in gpa (VU_REGIONS=2 VU_GPA_GAP_MB=0)");
	ASSERT_LT(f->regions[0].next, f->regions[0].size - len);
	ASSERT_EQ(f->regions[1].gpa, vu_alloc(f, 1, len / 2, 1));
	gpa = f->regions[1].gpa - len / 2;
	want = malloc(len);
	got = malloc(len);
	ASSERT_TRUE(want && got);
	for (uint64_t i = 0; i < len; i++)
		want[i] = vu_rand(d);
	OK(vu_mem_write(f, gpa, want, len));
	OK(vu_blk_simple(q, VIRTIO_BLK_T_OUT, sector, gpa, len,
			 d->env.timeout_ms, &st, &used));
	ASSERT_EQ(VIRTIO_BLK_S_OK, st) TH_LOG("write across regions: %s",
					      vu_blk_status_name(st));
	memset(got, 0x5a, len);
	OK(vu_mem_write(f, gpa, got, len));
	OK(vu_blk_simple(q, VIRTIO_BLK_T_IN, sector, gpa, len,
			 d->env.timeout_ms, &st, &used));
	ASSERT_EQ(VIRTIO_BLK_S_OK, st) TH_LOG("read across regions: %s",
					      vu_blk_status_name(st));
	ASSERT_EQ(len + 1, used);
	OK(vu_mem_read(f, gpa, got, len));
	ASSERT_EQ(0, memcmp(want, got, len));
	free(want);
	free(got);
}

/*
 * Requests the device completes out of order (a large WRITE_ZEROES goes
 * to a workqueue, the reads after it are done at once): every completion
 * is matched by id, whatever the order.
 */
TEST_F_TIMEOUT(dev, out_of_order, CASE_TIMEOUT)
{
	struct vu_dev *d = &self->d;
	struct vu_front *f = &d->f;
	struct vu_queue *q = f->queues[0];
	struct vu_blk_req *wz, *rd, *r;
	struct virtio_blk_discard_write_zeroes *seg;
	uint64_t zsector = 16384, zlen = 8 * MIB, buf;
	unsigned int nrd = min_u(8, q->num > 4 ? q->num / 2 - 1 : 1), i, got = 0;
	bool ooo = false;
	long long last = -1;
	struct eng e;

	/* A pattern in the reads' windows first (disk offset 0). */
	ENG_OK(eng_init(&e, d, nrd, 4096, 0));
	ENG_OK(eng_fill(&e));
	wz = calloc(1, sizeof(*wz));
	rd = calloc(nrd, sizeof(*rd));
	ASSERT_TRUE(wz && rd);
	buf = vu_alloc(f, 0, 4096 * (nrd + 1), 4096);
	ASSERT_NE(0, buf);
	seg = vu_gpa(f, buf, sizeof(*seg));
	seg->sector = zsector;
	seg->num_sectors = zlen / 512;
	seg->flags = 0;
	wz->type = VIRTIO_BLK_T_WRITE_ZEROES;
	wz->ndata = 1;
	wz->data[0] = (struct vu_buf){ .gpa = buf, .len = sizeof(*seg) };
	ASSERT_EQ(0, vu_blk_submit(q, wz)) TH_LOG("%s", f->err);
	for (i = 0; i < nrd; i++) {
		rd[i].type = VIRTIO_BLK_T_IN;
		rd[i].sector = e.slots[i * f->nqueues].off / 512;
		rd[i].ndata = 1;
		rd[i].data[0] = (struct vu_buf){ .gpa = buf + 4096 * (i + 1),
						 .len = 4096 };
		ASSERT_EQ(0, vu_blk_submit(q, &rd[i])) TH_LOG("%s", f->err);
	}
	vu_vq_kick(q);
	while (got < nrd + 1) {
		int ret = vu_blk_reap(q, d->env.timeout_ms, &r);

		ASSERT_EQ(1, ret) TH_LOG("%u of %u completed: %s", got, nrd + 1,
					 ret ? f->err : "timeout");
		STATUS_IS(r, VIRTIO_BLK_S_OK);
		if (r->submitted < last)
			ooo = true;
		last = r->submitted;
		got++;
	}
	for (i = 0; i < nrd; i++) {
		uint64_t off = rd[i].sector * 512 - e.disk_off;

		ASSERT_EQ(4097, rd[i].used_len);
		ASSERT_EQ(0, memcmp(vu_gpa(f, rd[i].data[0].gpa, 4096),
				    e.shadow + off, 4096));
	}
	ASSERT_EQ(1, wz->used_len);
	TH_LOG("completion order %s submission order",
	       ooo ? "differed from" : "was");
	free(wz);
	free(rd);
	eng_free(&e);
}

/* ========================================================================
 * Commands
 * ========================================================================
 */

TEST_F_TIMEOUT(dev, flush, CASE_TIMEOUT)
{
	struct vu_dev *d = &self->d;
	struct vu_front *f = &d->f;
	uint8_t st;
	uint32_t used;
	int i;

	for (i = 0; i < (int)f->nqueues; i++) {
		OK(vu_blk_simple(f->queues[i], VIRTIO_BLK_T_FLUSH, 0, 0, 0,
				 d->env.timeout_ms, &st, &used));
		ASSERT_EQ(VIRTIO_BLK_S_OK, st) TH_LOG("flush: %s (write cache %s)",
						      vu_blk_status_name(st),
						      d->env.write_cache ? "on" : "off");
		ASSERT_EQ(1, used);
	}
	TH_LOG("FLUSH %s offered", d->features & VU_F(F_FLUSH) ? "was" : "was not");
}

/* GET_ID: 20 bytes, the controller name NUL-padded. */
TEST_F_TIMEOUT(dev, get_id, CASE_TIMEOUT)
{
	struct vu_dev *d = &self->d;
	struct vu_front *f = &d->f;
	char want[20] = { 0 }, *got;
	uint64_t buf = vu_alloc(f, 0, 512, 512);
	uint8_t st;
	uint32_t used;

	ASSERT_NE(0, buf);
	memcpy(want, d->env.ctrl, strnlen(d->env.ctrl, sizeof(want)));
	got = vu_gpa(f, buf, 512);
	memset(got, 0x7f, 512);
	OK(vu_blk_simple(f->queues[0], VIRTIO_BLK_T_GET_ID, 0, buf, 20,
			 d->env.timeout_ms, &st, &used));
	ASSERT_EQ(VIRTIO_BLK_S_OK, st);
	ASSERT_EQ(21, used);
	ASSERT_EQ(0, memcmp(want, got, 20)) TH_LOG("id '%.20s', want '%.20s'", got, want);
	ASSERT_EQ(0x7f, (uint8_t)got[20]);
	/* A larger buffer: still 20 bytes. */
	memset(got, 0x7f, 512);
	OK(vu_blk_simple(f->queues[f->nqueues - 1], VIRTIO_BLK_T_GET_ID, 0,
			 buf, 512, d->env.timeout_ms, &st, &used));
	ASSERT_EQ(VIRTIO_BLK_S_OK, st);
	ASSERT_EQ(21, used);
	ASSERT_EQ(0, memcmp(want, got, 20));
	ASSERT_EQ(0x7f, (uint8_t)got[20]);
}

/* One DISCARD or WRITE_ZEROES request with @n segments. */
static int segs_do(struct vu_dev *d, struct vu_queue *q, uint32_t type,
		   const struct virtio_blk_discard_write_zeroes *segs,
		   unsigned int n, uint8_t *st)
{
	struct vu_front *f = &d->f;
	uint64_t buf = vu_alloc(f, 0, n * sizeof(*segs), 16);
	uint32_t used;
	int ret;

	if (!buf)
		return vu_fail(f, -ENOMEM, "guest memory full");
	memcpy(vu_gpa(f, buf, n * sizeof(*segs)), segs, n * sizeof(*segs));
	ret = vu_blk_simple(q, type, 0, buf, n * sizeof(*segs),
			    d->env.timeout_ms, st, &used);
	if (!ret && used != 1)
		return vu_fail(f, -EPROTO, "used len %u, want 1", used);
	return ret;
}

/* Read @len bytes at @sector: 1 if all zero, 0 if not, -1 on error. */
static int read_zero(struct vu_dev *d, struct vu_queue *q, uint64_t sector,
		     uint32_t len)
{
	struct vu_front *f = &d->f;
	uint64_t buf = vu_alloc(f, 0, len, 4096);
	uint8_t st, *p;
	uint32_t i, used;

	if (!buf)
		return -1;
	p = vu_gpa(f, buf, len);
	memset(p, 0xcc, len);
	if (vu_blk_simple(q, VIRTIO_BLK_T_IN, sector, buf, len,
			  d->env.timeout_ms, &st, &used) || st)
		return -1;
	for (i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

/*
 * Zeroing commands: the engine's windows (32 of 32 KiB) get a pattern,
 * @type clears two segments of them, and a read of every window checks
 * both the zeros and the untouched pattern around them.
 */
static void zero_cmd(struct __test_metadata *_metadata, struct vu_dev *d,
		     uint32_t type, uint32_t flags)
{
	struct virtio_blk_discard_write_zeroes segs[2];
	struct vu_queue *q = d->f.queues[0];
	uint64_t s0, s1;
	struct eng e;
	uint8_t st;

	ENG_OK(eng_init(&e, d, 32 / d->f.nqueues, 32768, 4 * MIB));
	ENG_OK(eng_fill(&e));
	/* 4 KiB aligned: brd frees whole pages only. */
	s0 = e.disk_off / 512 + 8;
	s1 = e.disk_off / 512 + 3 * 64 + 16;
	segs[0] = (struct virtio_blk_discard_write_zeroes){
		.sector = s0, .num_sectors = 64 + 8, .flags = flags };
	segs[1] = (struct virtio_blk_discard_write_zeroes){
		.sector = s1, .num_sectors = 128, .flags = flags };
	OK(segs_do(d, q, type, segs, 2, &st));
	ASSERT_EQ(VIRTIO_BLK_S_OK, st) TH_LOG("%s flags %#x: %s",
					      type == VIRTIO_BLK_T_DISCARD ?
					      "DISCARD" : "WRITE_ZEROES", flags,
					      vu_blk_status_name(st));
	memset(e.shadow + (s0 * 512 - e.disk_off), 0, (64 + 8) * 512);
	memset(e.shadow + (s1 * 512 - e.disk_off), 0, 128 * 512);
	ENG_OK(eng_verify(&e));
	ASSERT_EQ(1, read_zero(d, q, s1, 128 * 512));
	eng_free(&e);
}

TEST_F_TIMEOUT(dev, discard_zeroes, CASE_TIMEOUT)
{
	if (!(self->d.features & VU_F(F_DISCARD)))
		SKIP(return, "DISCARD not offered");
	zero_cmd(_metadata, &self->d, VIRTIO_BLK_T_DISCARD, 0);
}

TEST_F_TIMEOUT(dev, write_zeroes, CASE_TIMEOUT)
{
	zero_cmd(_metadata, &self->d, VIRTIO_BLK_T_WRITE_ZEROES, 0);
}

TEST_F_TIMEOUT(dev, write_zeroes_unmap, CASE_TIMEOUT)
{
	zero_cmd(_metadata, &self->d, VIRTIO_BLK_T_WRITE_ZEROES,
		 VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
}

/* Types the device does not know: UNSUPP; the queue goes on. */
TEST_F_TIMEOUT(dev, unknown_type, CASE_TIMEOUT)
{
	static const uint32_t types[] = { 99, 2, 14, 0x80000001 };
	struct vu_dev *d = &self->d;
	struct vu_front *f = &d->f;
	uint64_t buf = vu_alloc(f, 0, 4096, 4096);
	unsigned int i;
	uint8_t st;
	uint32_t used;

	ASSERT_NE(0, buf);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		struct vu_blk_req r = { .type = types[i], .sector = 0, .ndata = 1,
					.flags = VU_BLK_RAW_DIR };

		r.data[0] = (struct vu_buf){ .gpa = buf, .len = 512 };
		OK(vu_blk_do(f->queues[0], &r, d->env.timeout_ms));
		ASSERT_EQ(VIRTIO_BLK_S_UNSUPP, r.status)
			TH_LOG("type %#x: status %s", types[i],
			       vu_blk_status_name(r.status));
		ASSERT_EQ(1, r.used_len);
	}
	OK(vu_blk_simple(f->queues[0], VIRTIO_BLK_T_IN, 0, buf, 4096,
			 d->env.timeout_ms, &st, &used));
	ASSERT_EQ(VIRTIO_BLK_S_OK, st);
}

/* A read-only disk: RO offered, writes of every kind fail with IOERR. */
TEST_F_TIMEOUT(dev, read_only, CASE_TIMEOUT)
{
	struct virtio_blk_discard_write_zeroes seg = { .sector = 0,
						       .num_sectors = 8 };
	struct vu_dev *d = &self->d;
	struct vu_front *f = &d->f;
	struct vu_queue *q = f->queues[0];
	uint64_t buf = vu_alloc(f, 0, 8192, 4096);
	uint8_t st, *before, *after;
	uint32_t used;

	if (!d->env.ro)
		SKIP(return, "the disk is not read-only (VU_RO=1)");
	ASSERT_TRUE(d->features & VU_F(F_RO));
	ASSERT_NE(0, buf);
	before = vu_gpa(f, buf, 4096);
	after = vu_gpa(f, buf + 4096, 4096);
	OK(vu_blk_simple(q, VIRTIO_BLK_T_IN, 0, buf, 4096, d->env.timeout_ms,
			 &st, &used));
	ASSERT_EQ(VIRTIO_BLK_S_OK, st);
	ASSERT_EQ(4097, used);
	memset(after, ~before[0], 4096);
	OK(vu_blk_simple(q, VIRTIO_BLK_T_OUT, 0, buf + 4096, 4096,
			 d->env.timeout_ms, &st, &used));
	ASSERT_EQ(VIRTIO_BLK_S_IOERR, st) TH_LOG("OUT: %s", vu_blk_status_name(st));
	ASSERT_EQ(1, used);
	OK(segs_do(d, q, VIRTIO_BLK_T_WRITE_ZEROES, &seg, 1, &st));
	ASSERT_EQ(VIRTIO_BLK_S_IOERR, st) TH_LOG("WRITE_ZEROES: %s",
						 vu_blk_status_name(st));
	if (d->features & VU_F(F_DISCARD)) {
		OK(segs_do(d, q, VIRTIO_BLK_T_DISCARD, &seg, 1, &st));
		ASSERT_EQ(VIRTIO_BLK_S_IOERR, st) TH_LOG("DISCARD: %s",
							 vu_blk_status_name(st));
	}
	OK(vu_blk_simple(q, VIRTIO_BLK_T_FLUSH, 0, 0, 0, d->env.timeout_ms,
			 &st, &used));
	ASSERT_EQ(VIRTIO_BLK_S_OK, st);
	/* The disk did not change. */
	OK(vu_blk_simple(q, VIRTIO_BLK_T_IN, 0, buf + 4096, 4096,
			 d->env.timeout_ms, &st, &used));
	ASSERT_EQ(VIRTIO_BLK_S_OK, st);
	ASSERT_EQ(0, memcmp(before, after, 4096));
}

/* ========================================================================
 * Call suppression
 * ========================================================================
 */

/* Ask for a call at the next used buffer (@far false) or nowhere near. */
static void set_call_event(struct vu_queue *q, bool far, bool disable)
{
	uint16_t pos, wrap;

	if (!q->packed) {
		if (q->event_idx)
			vu_vq_split_set_used_event(q, q->last_used + (far ? 0x4000 : 0));
		else
			vu_vq_split_set_avail_flags(q, far ? VRING_AVAIL_F_NO_INTERRUPT : 0);
		return;
	}
	if (disable || (far && !q->event_idx)) {
		vu_vq_packed_set_event(q, VRING_PACKED_EVENT_FLAG_DISABLE, 0);
		return;
	}
	if (!q->event_idx) {
		vu_vq_packed_set_event(q, VRING_PACKED_EVENT_FLAG_ENABLE, 0);
		return;
	}
	/* Packed: the farthest is the slot before next_used, a lap ahead. */
	pos = q->next_used;
	wrap = q->used_wrap;
	if (far) {
		pos += q->num - 1;
		if (pos >= q->num) {
			pos -= q->num;
			wrap = !wrap;
		}
	}
	vu_vq_packed_set_event(q, VRING_PACKED_EVENT_FLAG_DESC,
			       pos | (wrap ? 1U << VRING_PACKED_EVENT_F_WRAP_CTR : 0));
}

/* @n reads one at a time; returns the calls counted for them. */
static uint64_t reads_counting_calls(struct __test_metadata *_metadata,
				     struct vu_dev *d, struct vu_queue *q,
				     unsigned int n, bool far, bool disable,
				     uint64_t buf)
{
	uint64_t before;
	unsigned int i;
	uint8_t st;
	uint32_t used;

	vu_sleep_ms(50);
	vu_vq_drain_calls(q);
	before = q->calls;
	for (i = 0; i < n; i++) {
		set_call_event(q, far, disable);
		OK(vu_blk_simple(q, VIRTIO_BLK_T_IN, i * 8, buf, 4096,
				 d->env.timeout_ms, &st, &used));
		EXPECT_EQ(VIRTIO_BLK_S_OK, st);
	}
	/* Late signals count too. */
	vu_sleep_ms(100);
	vu_vq_drain_calls(q);
	return q->calls - before;
}

/*
 * Calls the driver asked for come, one per used buffer; with used_event
 * (split) or the driver event area (packed) far ahead, or interrupts off
 * without event idx, none come.
 */
TEST_F_TIMEOUT(dev, call_suppression, CASE_TIMEOUT)
{
	struct vu_dev *d = &self->d;
	struct vu_front *f = &d->f;
	struct vu_queue *q = f->queues[0];
	uint64_t buf = vu_alloc(f, 0, 4096, 4096), asked, far, off, back;
	const unsigned int n = 16;

	ASSERT_NE(0, buf);
	q->manual_events = true;
	asked = reads_counting_calls(_metadata, d, q, n, false, false, buf);
	far = reads_counting_calls(_metadata, d, q, n, true, false, buf);
	off = q->packed ? reads_counting_calls(_metadata, d, q, n, true, true, buf) : 0;
	back = reads_counting_calls(_metadata, d, q, 4, false, false, buf);
	TH_LOG("%s ring, event idx %s: %llu calls for %u reads asking for each, %llu with the event far ahead%s, %llu for 4 after re-arming",
	       q->packed ? "packed" : "split", q->event_idx ? "on" : "off",
	       (unsigned long long)asked, n, (unsigned long long)far,
	       q->packed ? " (and flags DISABLE)" : "", (unsigned long long)back);
	if (q->packed)
		TH_LOG("packed, flags DISABLE: %llu calls", (unsigned long long)off);
	EXPECT_EQ(-1, vu_dev_err_queue(d));
	EXPECT_EQ(n, asked);
	EXPECT_GE(1, far) TH_LOG("calls came although the driver asked for none");
	EXPECT_GE(1, off);
	EXPECT_EQ(4, back);
}

/* ========================================================================
 * Soak
 * ========================================================================
 */

static const uint32_t soak_sizes[] = {
	512, 4096, 8192, 16384, 32768, 65536,
};

/* Round @round's chains: one buffer; 4 KiB pieces; 1 KiB pieces. */
static void soak_layout(struct eng *e, unsigned int round)
{
	switch (round % 3) {
	case 0:
		e->piece = 0;
		e->scatter = false;
		e->indirect = 0;
		break;
	case 1:
		e->piece = 4096;
		e->scatter = true;
		e->indirect = e->d->env.indirect ? 2 : 0;
		break;
	default:
		e->piece = 1024;
		e->scatter = true;
		e->indirect = e->d->env.indirect ? 1 : 0;
		break;
	}
}

/* What the engine started per queue, as JSON under the spec's names. */
static int soak_tally(struct eng *e, const char *path)
{
	FILE *out = fopen(path, "w");
	unsigned int i;

	if (!out)
		return -errno;
	fputc('{', out);
	for (i = 0; i < e->d->f.nqueues; i++) {
		fprintf(out, "%s\"%u\": {\"reads\": %u, \"read-bytes\": %llu, ",
			i ? ", " : "", i, e->q_reqs[i][0],
			(unsigned long long)e->q_bytes[i][0]);
		fprintf(out, "\"writes\": %u, \"write-bytes\": %llu}",
			e->q_reqs[i][1], (unsigned long long)e->q_bytes[i][1]);
	}
	fputs("}\n", out);
	return fclose(out) ? -errno : 0;
}

/*
 * A long verified workload on every queue (selftests/test_vu_04.sh runs
 * it on one controller while another gets bad input): rounds of 256
 * random reads and writes of 512 bytes to 64 KiB, in one buffer, in
 * scattered pieces, direct and indirect, each round followed by a read
 * and compare of every window and a pause of VU_SOAK_PAUSE_MS (default
 * 0); at least VU_SOAK_OPS requests (default 2000), then on until the
 * file VU_SOAK_UNTIL exists. Then VU_TALLY gets
 * what it did per queue, the session is held (vu_env_hold()), and fresh
 * requests on every queue still work.
 */
TEST_F_TIMEOUT(dev, soak, 900)
{
	unsigned int min_ops = env_num("VU_SOAK_OPS", 2000);
	int pause = env_num("VU_SOAK_PAUSE_MS", 0);
	const char *until = getenv("VU_SOAK_UNTIL");
	const char *tally = getenv("VU_TALLY");
	struct vu_dev *d = &self->d;
	unsigned int rounds = 0, before;
	long long t0 = vu_now_ms(), ms;
	struct eng e;
	int ret;

	ENG_OK(eng_init(&e, d, min_u(d->env.num, 16), 65536, 0));
	ENG_OK(eng_fill(&e));
	while (e.done < min_ops || (until && *until && access(until, F_OK))) {
		soak_layout(&e, rounds++);
		ENG_OK(eng_random(&e, 256, soak_sizes, ARRAY_SIZE(soak_sizes), 50));
		ENG_OK(eng_verify(&e));
		ASSERT_EQ(-1, vu_dev_err_queue(d))
			TH_LOG("a queue broke after %u requests", e.done);
		vu_sleep_ms(pause);
	}
	ms = vu_now_ms() - t0;
	TH_LOG("soak: %u rounds in %lld ms, %lld requests/s", rounds, ms,
	       ms ? e.done * 1000LL / ms : 0);
	log_eng(_metadata, &e, "soak");
	if (tally) {
		ret = soak_tally(&e, tally);
		ASSERT_EQ(0, ret) TH_LOG("%s: %s", tally, strerror(-ret));
	}
	ret = vu_env_hold();
	ASSERT_EQ(0, ret) TH_LOG("hold: %s", strerror(-ret));
	/* The session lives on: fresh requests, and every window again. */
	before = e.done;
	soak_layout(&e, 0);
	ENG_OK(eng_random(&e, 4 * d->f.nqueues, soak_sizes,
			  ARRAY_SIZE(soak_sizes), 50));
	ENG_OK(eng_verify(&e));
	ASSERT_EQ(-1, vu_dev_err_queue(d));
	TH_LOG("after the hold: %u more requests, every window verified",
	       e.done - before);
	eng_free(&e);
}

TEST_HARNESS_MAIN
