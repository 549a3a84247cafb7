// SPDX-License-Identifier: GPL-2.0
/*
 * vu_bad: bad data input from the guest's side. Each bad chain must come
 * back with IOERR or UNSUPP, or as a used entry without data (length 0,
 * status byte untouched), and the next good request must work; a corrupt
 * ring is *broken*: the err eventfd is signalled, GET_STATUS has
 * NEEDS_RESET (0x40), the other queues go on, and a stop and start
 * clears it. Documentation/design/vhost-user-session.rst, "Bad data
 * input", "Ring states".
 *
 * What the kernel does (kmod/vring.c, virtio_blk.c, poller.c): a chain
 * vdev_vring_pop() finds bad (-EBADMSG: a buffer outside memory, a loop,
 * too long, indirect rules, readable after writable) is given back used
 * with length 0 and no status; a request virtio_blk.c cannot parse gets
 * IOERR (UNSUPP for an unknown type), and no status byte at all means a
 * used entry of length 0; -EPROTO (avail idx, head index, a packed chain
 * without end) and memory errors break the queue (vdev_queue_break()).
 *
 * Run by selftests/test_vu_03.sh and test_vu_04.sh; environment as in
 * vu_case.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"

#include "vu_case.h"

#define CASE_TIMEOUT	120
/* How long "nothing happens" is watched. */
#define QUIET_MS	300

FIXTURE(dev) {
	struct vu_dev d;
	uint64_t buf;		/* 64 KiB of guest memory for data */
	uint8_t *host;
};

FIXTURE_SETUP(dev)
{
	DEV_SETUP(true);
	self->buf = vu_alloc(&self->d.f, 0, 65536, 4096);
	ASSERT_NE(0, self->buf);
	self->host = vu_gpa(&self->d.f, self->buf, 65536);
}

/* VU_HOLD_READY: the script reads the counters of the case's session. */
FIXTURE_TEARDOWN(dev)
{
	vu_env_hold();
	vu_dev_teardown(&self->d);
}

#define D	(&self->d)
#define F	(&self->d.f)
#define Q0	(self->d.f.queues[0])
#define TMO	(self->d.env.timeout_ms)

/* A request with one data buffer of @len at the fixture's buffer. */
static void req1(struct vu_blk_req *r, uint32_t type, uint64_t sector,
		 uint64_t gpa, uint32_t len)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->sector = sector;
	r->ndata = 1;
	r->data[0] = (struct vu_buf){ .gpa = gpa, .len = len };
}

/* The chain came back without data: length 0, status not written. */
#define NO_DATA(r) do {							\
	ASSERT_EQ(0, (r)->used_len)					\
		TH_LOG("want a used entry without data, got length %u status %s", \
		       (r)->used_len, vu_blk_status_name((r)->status));	\
	ASSERT_EQ(VU_BLK_STATUS_UNSET, (r)->status);			\
} while (0)

/* An error status and the status byte only. */
#define ERR_STATUS(r, want) do {					\
	STATUS_IS(r, want);						\
	ASSERT_EQ(1, (r)->used_len);					\
} while (0)

/*
 * The queue still works: a 4 KiB write of a fresh pattern at @sector and
 * a read that returns it.
 */
static void good_io(struct __test_metadata *_metadata, struct vu_dev *d,
		    struct vu_queue *q, uint64_t buf, uint64_t sector)
{
	struct vu_front *f = &d->f;
	uint8_t *p = vu_gpa(f, buf, 8192), st;
	uint32_t used, i;

	for (i = 0; i < 4096; i++)
		p[i] = vu_rand(d);
	memset(p + 4096, 0, 4096);
	OK(vu_blk_simple(q, VIRTIO_BLK_T_OUT, sector, buf, 4096,
			 d->env.timeout_ms, &st, &used));
	ASSERT_EQ(VIRTIO_BLK_S_OK, st) TH_LOG("good write after: %s",
					      vu_blk_status_name(st));
	ASSERT_EQ(1, used);
	OK(vu_blk_simple(q, VIRTIO_BLK_T_IN, sector, buf + 4096, 4096,
			 d->env.timeout_ms, &st, &used));
	ASSERT_EQ(VIRTIO_BLK_S_OK, st);
	ASSERT_EQ(4097, used);
	ASSERT_EQ(0, memcmp(p, p + 4096, 4096));
}

#define GOOD() good_io(_metadata, D, Q0, self->buf + 32768, 1024)

/* Read @len bytes at @sector into @out (for "the disk did not change"). */
static void disk_read(struct __test_metadata *_metadata, struct vu_dev *d,
		      uint64_t buf, uint64_t sector, uint32_t len, void *out)
{
	struct vu_front *f = &d->f;
	uint8_t st;
	uint32_t used;

	OK(vu_blk_simple(f->queues[0], VIRTIO_BLK_T_IN, sector, buf, len,
			 d->env.timeout_ms, &st, &used));
	ASSERT_EQ(VIRTIO_BLK_S_OK, st);
	memcpy(out, vu_gpa(f, buf, len), len);
}

/* ========================================================================
 * Bad chains: a used entry without data
 * ========================================================================
 */

/* A data buffer past the end of guest memory, or running off a region. */
TEST_F_TIMEOUT(dev, desc_outside_memory, CASE_TIMEOUT)
{
	struct vu_region *last = &F->regions[F->nregions - 1];
	uint64_t end = last->gpa + last->size;
	struct vu_blk_req r;

	req1(&r, VIRTIO_BLK_T_IN, 0, end, 4096);
	OK(vu_blk_do(Q0, &r, TMO));
	NO_DATA(&r);
	GOOD();
	req1(&r, VIRTIO_BLK_T_OUT, 0, end - 2048, 4096);
	OK(vu_blk_do(Q0, &r, TMO));
	NO_DATA(&r);
	req1(&r, VIRTIO_BLK_T_IN, 0, 1ULL << 62, 4096);
	OK(vu_blk_do(Q0, &r, TMO));
	NO_DATA(&r);
	/* Wrapping the address space. */
	req1(&r, VIRTIO_BLK_T_IN, 0, ~0ULL - 511, 4096);
	OK(vu_blk_do(Q0, &r, TMO));
	NO_DATA(&r);
	GOOD();
}

/* Split: NEXT back to an earlier descriptor, in the ring and indirect. */
TEST_F_TIMEOUT(dev, chain_loop, CASE_TIMEOUT)
{
	struct vu_queue *q = Q0;
	struct vu_blk_req r;
	struct vu_buf bufs[3];
	void *cookie;
	uint32_t len;
	int id, pass;

	if (q->packed)
		SKIP(return, "packed chains are consecutive: no loop (see packed_chain_no_end)");
	if (q->num < 3 && !q->indirect)
		SKIP(return, "a ring of %u without indirect", q->num);
	for (pass = 0; pass < 2; pass++) {
		unsigned int flags = pass || q->num < 3 ? VU_CHAIN_INDIRECT : 0;

		if (flags && !q->indirect)
			continue;
		/* hdr R -> data R -> hdr R -> ...: all readable, never ends. */
		req1(&r, VIRTIO_BLK_T_OUT, 0, self->buf, 4096);
		bufs[0] = (struct vu_buf){ .gpa = q->cmd_gpa, .len = 16 };
		bufs[1] = (struct vu_buf){ .gpa = self->buf, .len = 4096 };
		bufs[2] = (struct vu_buf){ .gpa = q->cmd_gpa + 32, .len = 1,
					   .write = true };
		*(uint8_t *)vu_gpa(F, q->cmd_gpa + 32, 1) = VU_BLK_STATUS_UNSET;
		id = vu_vq_prepare(q, bufs, 3, flags, &r);
		ASSERT_LE(0, id) TH_LOG("%s", F->err);
		if (flags) {
			struct vring_desc *t = vu_vq_indirect(q, id);

			t[1].next = 0;
		} else {
			struct vring_desc *d1 = vu_vq_split_desc(q, vu_vq_chain_desc(q, id, 1));

			d1->next = id;
		}
		vu_vq_publish(q, id);
		vu_vq_kick(q);
		ASSERT_EQ(1, vu_vq_wait(q, TMO));
		ASSERT_EQ(1, vu_vq_get(q, &cookie, &len));
		ASSERT_EQ(0, len) TH_LOG("%s loop: used length %u",
					 flags ? "indirect" : "ring", len);
		ASSERT_EQ(VU_BLK_STATUS_UNSET, *(uint8_t *)vu_gpa(F, q->cmd_gpa + 32, 1));
		GOOD();
	}
}

/* seg_max + 1 data buffers: one more than the device takes. */
TEST_F_TIMEOUT(dev, chain_too_long, CASE_TIMEOUT)
{
	struct vu_queue *q = Q0;
	unsigned int n = D->seg_max + 1, k, pass, tried = 0;
	struct vu_blk_req *r = calloc(1, sizeof(*r));

	ASSERT_NE(NULL, r);
	ASSERT_GE(VU_BLK_MAX_DATA, n);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0 && q->num < n + 2)
			continue;
		if (pass == 1 && !q->indirect)
			continue;
		tried++;
		req1(r, VIRTIO_BLK_T_IN, 0, self->buf, 512);
		r->ndata = n;
		for (k = 0; k < n; k++)
			r->data[k] = (struct vu_buf){ .gpa = self->buf + 512 * (k % 64),
						      .len = 512 };
		r->flags = pass ? VU_CHAIN_INDIRECT : 0;
		OK(vu_blk_do(q, r, TMO));
		TH_LOG("%u descriptors (seg_max %u + 3), %s: used len %u, status %s",
		       n + 2, D->seg_max, pass ? "indirect" : "direct",
		       r->used_len, vu_blk_status_name(r->status));
		NO_DATA(r);
		GOOD();
	}
	if (!tried)
		SKIP(return, "a ring of %u without indirect can't hold %u", q->num, n + 2);
	free(r);
}

/* An indirect table with an entry that is itself indirect. */
TEST_F_TIMEOUT(dev, indirect_in_indirect, CASE_TIMEOUT)
{
	uint64_t t2 = self->buf + 61440;
	struct vu_queue *q = Q0;
	struct vu_buf bufs[3];
	struct vring_desc *s2;
	struct vu_blk_req r;
	void *cookie;
	uint32_t len;
	int id;

	if (!q->indirect)
		SKIP(return, "INDIRECT_DESC not acked");
	req1(&r, VIRTIO_BLK_T_IN, 0, self->buf, 4096);
	bufs[0] = (struct vu_buf){ .gpa = q->cmd_gpa, .len = 16 };
	bufs[1] = (struct vu_buf){ .gpa = self->buf, .len = 4096, .write = true };
	bufs[2] = (struct vu_buf){ .gpa = q->cmd_gpa + 32, .len = 1, .write = true };
	*(uint8_t *)vu_gpa(F, q->cmd_gpa + 32, 1) = VU_BLK_STATUS_UNSET;
	id = vu_vq_prepare(q, bufs, 3, VU_CHAIN_INDIRECT, &r);
	ASSERT_LE(0, id);
	/* Entry 1 points at a second table of one entry (the data). */
	s2 = vu_gpa(F, t2, 16);
	s2->addr = self->buf;
	s2->len = 4096;
	s2->flags = VRING_DESC_F_WRITE;
	s2->next = 0;
	if (q->packed) {
		struct vring_packed_desc *t = vu_vq_indirect(q, id);

		t[1].addr = t2;
		t[1].len = 16;
		t[1].flags = VRING_DESC_F_INDIRECT;
	} else {
		struct vring_desc *t = vu_vq_indirect(q, id);

		t[1].addr = t2;
		t[1].len = 16;
		t[1].flags = VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT;
	}
	vu_vq_publish(q, id);
	vu_vq_kick(q);
	ASSERT_EQ(1, vu_vq_wait(q, TMO));
	ASSERT_EQ(1, vu_vq_get(q, &cookie, &len));
	ASSERT_EQ(0, len);
	ASSERT_EQ(VU_BLK_STATUS_UNSET, *(uint8_t *)vu_gpa(F, q->cmd_gpa + 32, 1));
	GOOD();
}

/* The ring descriptor of an indirect table: length 8 short, and 0. */
TEST_F_TIMEOUT(dev, indirect_len_not_16, CASE_TIMEOUT)
{
	static const int delta[] = { -8, 7, 0 };
	struct vu_queue *q = Q0;
	struct vu_buf bufs[3];
	struct vu_blk_req r;
	unsigned int i;
	void *cookie;
	uint32_t len;
	int id;

	if (!q->indirect)
		SKIP(return, "INDIRECT_DESC not acked");
	for (i = 0; i < 3; i++) {
		bufs[0] = (struct vu_buf){ .gpa = q->cmd_gpa, .len = 16 };
		bufs[1] = (struct vu_buf){ .gpa = self->buf, .len = 4096, .write = true };
		bufs[2] = (struct vu_buf){ .gpa = q->cmd_gpa + 32, .len = 1, .write = true };
		*(uint8_t *)vu_gpa(F, q->cmd_gpa + 32, 1) = VU_BLK_STATUS_UNSET;
		id = vu_vq_prepare(q, bufs, 3, VU_CHAIN_INDIRECT, &r);
		ASSERT_LE(0, id);
		if (q->packed)
			vu_vq_packed_desc(q, q->pending_slot)->len =
				delta[i] ? 48 + delta[i] : 0;
		else
			vu_vq_split_desc(q, id)->len = delta[i] ? 48 + delta[i] : 0;
		vu_vq_publish(q, id);
		vu_vq_kick(q);
		ASSERT_EQ(1, vu_vq_wait(q, TMO));
		ASSERT_EQ(1, vu_vq_get(q, &cookie, &len));
		ASSERT_EQ(0, len) TH_LOG("indirect length %d: used length %u",
					 delta[i] ? 48 + delta[i] : 0, len);
		ASSERT_EQ(VU_BLK_STATUS_UNSET, *(uint8_t *)vu_gpa(F, q->cmd_gpa + 32, 1));
		GOOD();
	}
}

/* A status buffer the device may not write: no status, no data. */
TEST_F_TIMEOUT(dev, readable_status, CASE_TIMEOUT)
{
	struct vu_blk_req r;

	req1(&r, VIRTIO_BLK_T_OUT, 0, self->buf, 4096);
	r.flags = VU_BLK_STATUS_READABLE;
	OK(vu_blk_do(Q0, &r, TMO));
	NO_DATA(&r);
	GOOD();
	/* A read: readable after writable is a bad chain too. */
	req1(&r, VIRTIO_BLK_T_IN, 0, self->buf, 4096);
	r.flags = VU_BLK_STATUS_READABLE;
	OK(vu_blk_do(Q0, &r, TMO));
	NO_DATA(&r);
	GOOD();
}

/*
 * No status buffer. A write has no writable byte: no status. A read's
 * status is the last byte of its data buffer, and the rest (4095 bytes)
 * is no whole block: IOERR there.
 */
TEST_F_TIMEOUT(dev, no_status, CASE_TIMEOUT)
{
	struct vu_blk_req r;

	req1(&r, VIRTIO_BLK_T_OUT, 0, self->buf, 4096);
	r.flags = VU_BLK_NO_STATUS;
	OK(vu_blk_do(Q0, &r, TMO));
	ASSERT_EQ(0, r.used_len);
	GOOD();
	/* Header only. */
	req1(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	r.ndata = 0;
	r.flags = VU_BLK_NO_STATUS;
	OK(vu_blk_do(Q0, &r, TMO));
	ASSERT_EQ(0, r.used_len);
	GOOD();
	req1(&r, VIRTIO_BLK_T_IN, 0, self->buf, 4096);
	r.flags = VU_BLK_NO_STATUS;
	self->host[4095] = VU_BLK_STATUS_UNSET;
	OK(vu_blk_do(Q0, &r, TMO));
	ASSERT_EQ(1, r.used_len);
	ASSERT_EQ(VIRTIO_BLK_S_IOERR, self->host[4095]);
	GOOD();
}

/* ========================================================================
 * Bad requests: IOERR or UNSUPP
 * ========================================================================
 */

/* The header in a device-writable buffer: no readable header. */
TEST_F_TIMEOUT(dev, writable_header, CASE_TIMEOUT)
{
	struct vu_blk_req r;

	req1(&r, VIRTIO_BLK_T_IN, 0, self->buf, 4096);
	r.flags = VU_BLK_HDR_WRITABLE;
	OK(vu_blk_do(Q0, &r, TMO));
	ERR_STATUS(&r, VIRTIO_BLK_S_IOERR);
	GOOD();
}

/*
 * A zero-length data buffer between two good ones. vdev's bio builder
 * refuses it (vdev_mem_iter_init(): -EINVAL): IOERR.
 */
TEST_F_TIMEOUT(dev, zero_length_buffer, CASE_TIMEOUT)
{
	uint8_t before[8192], after[8192];
	struct vu_blk_req r;
	int i;

	disk_read(_metadata, D, self->buf + 16384, 64, 8192, before);
	for (i = 0; i < 2; i++) {
		req1(&r, i ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT, 64, self->buf, 4096);
		r.ndata = 3;
		r.data[1] = (struct vu_buf){ .gpa = self->buf + 4096, .len = 0 };
		r.data[2] = (struct vu_buf){ .gpa = self->buf + 4096, .len = 4096 };
		memset(self->host, 0x3c, 8192);
		OK(vu_blk_do(Q0, &r, TMO));
		TH_LOG("%s with a zero-length buffer: status %s, used len %u",
		       i ? "read" : "write", vu_blk_status_name(r.status), r.used_len);
		ASSERT_NE(VIRTIO_BLK_S_OK, r.status);
		if (r.status != VU_BLK_STATUS_UNSET)
			ASSERT_EQ(VIRTIO_BLK_S_IOERR, r.status);
	}
	disk_read(_metadata, D, self->buf + 16384, 64, 8192, after);
	ASSERT_EQ(0, memcmp(before, after, 8192));
	GOOD();
}

/*
 * A read refused before any bio is built (a zero-length or a misaligned
 * data buffer) wrote nothing but the status byte: its used length is 1.
 * Virtio 1.2, 2.7.8.1: "The device MUST write at least len bytes to
 * descriptor".
 *
 * Once found as a bug: vdev_blk_rw() added the data length to the used
 * length before vdev_bio_submit_rw() failed (8193 for the zero-length
 * case) although nothing was written. The used length must be 1.
 */
TEST_F_TIMEOUT(dev, ioerr_used_len, CASE_TIMEOUT)
{
	struct vu_blk_req r;

	req1(&r, VIRTIO_BLK_T_IN, 64, self->buf, 4096);
	r.ndata = 3;
	r.data[1] = (struct vu_buf){ .gpa = self->buf + 4096, .len = 0 };
	r.data[2] = (struct vu_buf){ .gpa = self->buf + 4096, .len = 4096 };
	OK(vu_blk_do(Q0, &r, TMO));
	TH_LOG("read with a zero-length buffer: %s, used len %u",
	       vu_blk_status_name(r.status), r.used_len);
	STATUS_IS(&r, VIRTIO_BLK_S_IOERR);
	EXPECT_EQ(1, r.used_len);
	req1(&r, VIRTIO_BLK_T_IN, 64, self->buf + 3, 512);
	OK(vu_blk_do(Q0, &r, TMO));
	TH_LOG("read into a buffer at an odd address: %s, used len %u",
	       vu_blk_status_name(r.status), r.used_len);
	STATUS_IS(&r, VIRTIO_BLK_S_IOERR);
	EXPECT_EQ(1, r.used_len);
	GOOD();
}

/* Past the end of the disk, and across it. */
TEST_F_TIMEOUT(dev, sector_past_end, CASE_TIMEOUT)
{
	uint64_t cap = D->capacity;
	struct vu_blk_req r;

	req1(&r, VIRTIO_BLK_T_IN, cap, self->buf, 4096);
	OK(vu_blk_do(Q0, &r, TMO));
	ERR_STATUS(&r, VIRTIO_BLK_S_IOERR);
	req1(&r, VIRTIO_BLK_T_OUT, cap - 1, self->buf, 1024);
	OK(vu_blk_do(Q0, &r, TMO));
	ERR_STATUS(&r, VIRTIO_BLK_S_IOERR);
	req1(&r, VIRTIO_BLK_T_IN, cap + 1000000, self->buf, 512);
	OK(vu_blk_do(Q0, &r, TMO));
	ERR_STATUS(&r, VIRTIO_BLK_S_IOERR);
	/* The last 4 KiB are fine. */
	req1(&r, VIRTIO_BLK_T_IN, cap - 8, self->buf, 4096);
	OK(vu_blk_do(Q0, &r, TMO));
	STATUS_IS(&r, VIRTIO_BLK_S_OK);
	ASSERT_EQ(4097, r.used_len);
	GOOD();
}

/* sector + length wrapping 64 bits, and sector << 9 overflowing. */
TEST_F_TIMEOUT(dev, sector_overflow, CASE_TIMEOUT)
{
	static const uint64_t sectors[] = {
		~0ULL - 3, ~0ULL, 1ULL << 55, (1ULL << 63) + 8,
	};
	struct vu_blk_req r;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		req1(&r, i % 2 ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sectors[i],
		     self->buf, 4096);
		OK(vu_blk_do(Q0, &r, TMO));
		ERR_STATUS(&r, VIRTIO_BLK_S_IOERR);
	}
	GOOD();
}

/* Lengths that are no whole number of blocks, and misaligned buffers. */
TEST_F_TIMEOUT(dev, len_not_512, CASE_TIMEOUT)
{
	uint8_t before[4096], after[4096];
	struct vu_blk_req r;

	disk_read(_metadata, D, self->buf + 16384, 128, 4096, before);
	req1(&r, VIRTIO_BLK_T_OUT, 128, self->buf, 1000);
	OK(vu_blk_do(Q0, &r, TMO));
	ERR_STATUS(&r, VIRTIO_BLK_S_IOERR);
	req1(&r, VIRTIO_BLK_T_IN, 128, self->buf, 4095);
	OK(vu_blk_do(Q0, &r, TMO));
	ERR_STATUS(&r, VIRTIO_BLK_S_IOERR);
	/* 1024 in all, in buffers of 1000 and 24: not 512-aligned pieces. */
	req1(&r, VIRTIO_BLK_T_OUT, 128, self->buf, 1000);
	r.ndata = 2;
	r.data[1] = (struct vu_buf){ .gpa = self->buf + 1000, .len = 24 };
	OK(vu_blk_do(Q0, &r, TMO));
	TH_LOG("write of 1000 + 24 bytes: %s", vu_blk_status_name(r.status));
	ERR_STATUS(&r, VIRTIO_BLK_S_IOERR);
	/* A buffer at an odd address. */
	req1(&r, VIRTIO_BLK_T_OUT, 128, self->buf + 3, 512);
	OK(vu_blk_do(Q0, &r, TMO));
	ERR_STATUS(&r, VIRTIO_BLK_S_IOERR);
	disk_read(_metadata, D, self->buf + 16384, 128, 4096, after);
	ASSERT_EQ(0, memcmp(before, after, 4096));
	GOOD();
}

/* A DISCARD or WRITE_ZEROES with @n segments of 8 sectors and @flags. */
static uint8_t segs_req(struct __test_metadata *_metadata, struct vu_dev *d,
			uint64_t buf, uint32_t type, unsigned int n,
			uint32_t flags, uint32_t len_delta)
{
	struct virtio_blk_discard_write_zeroes *s = vu_gpa(&d->f, buf, 32 * 16);
	struct vu_front *f = &d->f;
	struct vu_blk_req r;
	unsigned int i;

	for (i = 0; i < n; i++)
		s[i] = (struct virtio_blk_discard_write_zeroes){
			.sector = 4096 + 64 * i, .num_sectors = 8, .flags = flags };
	req1(&r, type, 0, buf, n * 16 + len_delta);
	OK(vu_blk_do(f->queues[0], &r, d->env.timeout_ms));
	EXPECT_EQ(1, r.used_len);
	return r.status;
}

TEST_F_TIMEOUT(dev, discard_flags, CASE_TIMEOUT)
{
	uint8_t st;

	if (!(D->features & VU_F(F_DISCARD)))
		SKIP(return, "DISCARD not offered");
	st = segs_req(_metadata, D, self->buf, VIRTIO_BLK_T_DISCARD, 1,
		      VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP, 0);
	TH_LOG("DISCARD with the unmap flag: %s", vu_blk_status_name(st));
	ASSERT_TRUE(st == VIRTIO_BLK_S_UNSUPP || st == VIRTIO_BLK_S_IOERR);
	st = segs_req(_metadata, D, self->buf, VIRTIO_BLK_T_DISCARD, 1, 0x80, 0);
	ASSERT_TRUE(st == VIRTIO_BLK_S_UNSUPP || st == VIRTIO_BLK_S_IOERR);
	st = segs_req(_metadata, D, self->buf, VIRTIO_BLK_T_WRITE_ZEROES, 1, 2, 0);
	TH_LOG("WRITE_ZEROES with flags 2: %s", vu_blk_status_name(st));
	ASSERT_TRUE(st == VIRTIO_BLK_S_UNSUPP || st == VIRTIO_BLK_S_IOERR);
	GOOD();
}

/* max_discard_seg and max_write_zeroes_seg are 16: 17 is one too many. */
TEST_F_TIMEOUT(dev, too_many_segs, CASE_TIMEOUT)
{
	bool discard = D->features & VU_F(F_DISCARD);
	uint8_t st;

	ASSERT_EQ(16, D->cfg.max_write_zeroes_seg);
	st = segs_req(_metadata, D, self->buf, VIRTIO_BLK_T_WRITE_ZEROES, 17, 0, 0);
	ASSERT_EQ(VIRTIO_BLK_S_IOERR, st) TH_LOG("17 write zeroes segments: %s",
						 vu_blk_status_name(st));
	st = segs_req(_metadata, D, self->buf, VIRTIO_BLK_T_WRITE_ZEROES, 16, 0, 0);
	ASSERT_EQ(VIRTIO_BLK_S_OK, st);
	/* A segment table that is not whole segments. */
	st = segs_req(_metadata, D, self->buf, VIRTIO_BLK_T_WRITE_ZEROES, 1, 0, 4);
	ASSERT_EQ(VIRTIO_BLK_S_IOERR, st);
	if (discard) {
		ASSERT_EQ(16, D->cfg.max_discard_seg);
		st = segs_req(_metadata, D, self->buf, VIRTIO_BLK_T_DISCARD, 17, 0, 0);
		ASSERT_EQ(VIRTIO_BLK_S_IOERR, st);
		st = segs_req(_metadata, D, self->buf, VIRTIO_BLK_T_DISCARD, 16, 0, 0);
		ASSERT_EQ(VIRTIO_BLK_S_OK, st);
	}
	GOOD();
}

/* Bad and good chains in one batch: the good ones are untouched. */
TEST_F_TIMEOUT(dev, bad_among_good, CASE_TIMEOUT)
{
	struct vu_queue *q = Q0;
	struct vu_blk_req *r = calloc(6, sizeof(*r)), *got;
	unsigned int i, n = q->num >= 18 || q->indirect ? 6 : q->num / 3;
	uint64_t end = F->regions[F->nregions - 1].gpa +
		       F->regions[F->nregions - 1].size;

	ASSERT_NE(NULL, r);
	if (n < 2)
		SKIP(return, "a ring of %u", q->num);
	for (i = 0; i < n; i++) {
		req1(&r[i], VIRTIO_BLK_T_IN, 8 * i, self->buf + 4096 * i, 4096);
		if (i % 2)
			r[i].data[0].gpa = end;	/* bad chain */
		if (i == 2)
			r[i].sector = D->capacity;	/* IOERR */
		ASSERT_EQ(0, vu_blk_submit(q, &r[i])) TH_LOG("%s", F->err);
	}
	vu_vq_kick(q);
	for (i = 0; i < n; i++)
		ASSERT_EQ(1, vu_blk_reap(q, TMO, &got));
	for (i = 0; i < n; i++) {
		if (i % 2) {
			NO_DATA(&r[i]);
		} else if (i == 2) {
			ERR_STATUS(&r[i], VIRTIO_BLK_S_IOERR);
		} else {
			STATUS_IS(&r[i], VIRTIO_BLK_S_OK);
			ASSERT_EQ(4097, r[i].used_len);
		}
	}
	free(r);
	GOOD();
}

/* ========================================================================
 * Corrupt rings: broken
 * ========================================================================
 */

/*
 * The queue must be broken: err signalled, nothing used, NEEDS_RESET in
 * GET_STATUS, the other queues working. Then a stop and a start from a
 * reset ring clear it.
 */
static void expect_broken(struct __test_metadata *_metadata, struct vu_dev *d,
			  struct vu_queue *q, uint64_t buf)
{
	struct vu_front *f = &d->f;
	uint64_t status;
	uint16_t id;
	uint32_t len;
	unsigned int i;

	ASSERT_TRUE(vu_vq_err_signalled(q, d->env.timeout_ms))
		TH_LOG("queue %u: err eventfd not signalled", q->index);
	ASSERT_FALSE(vu_vq_used_peek(q, &id, &len))
		TH_LOG("a broken queue used id %u len %u", id, len);
	OK(vu_get_status(f, &status));
	ASSERT_TRUE(status & VU_S_NEEDS_RESET)
		TH_LOG("GET_STATUS %#llx without NEEDS_RESET (0x40) while queue %u is broken",
		       (unsigned long long)status, q->index);
	/* The other queues go on. */
	for (i = 0; i < f->nqueues; i++)
		if (f->queues[i] != q)
			good_io(_metadata, d, f->queues[i], buf, 2048 + 16 * i);
	/* Stop (a broken ring still stops), reset the ring, start. */
	OK(vu_dev_stop(f));
	vu_queue_reset(q);
	OK(vu_dev_start(f, d->features));
	OK(vu_get_status(f, &status));
	ASSERT_FALSE(status & VU_S_NEEDS_RESET);
	for (i = 0; i < f->nqueues; i++)
		good_io(_metadata, d, f->queues[i], buf, 2048 + 16 * i);
}

/* Split: the avail index more than num ahead of the device. */
TEST_F_TIMEOUT(dev, avail_idx_jump, CASE_TIMEOUT)
{
	struct vu_queue *q = Q0;

	if (q->packed)
		SKIP(return, "split only");
	GOOD();
	vu_vq_split_set_avail_idx(q, q->avail_idx + q->num + 1);
	vu_vq_kick_now(q);
	expect_broken(_metadata, D, q, self->buf + 32768);
}

/* Split: a head index beyond the ring. */
TEST_F_TIMEOUT(dev, head_out_of_range, CASE_TIMEOUT)
{
	struct vu_queue *q = Q0;

	if (q->packed)
		SKIP(return, "split only");
	vu_vq_split_set_avail(q, q->avail_idx, q->num);
	vu_vq_split_set_avail_idx(q, q->avail_idx + 1);
	vu_vq_kick_now(q);
	expect_broken(_metadata, D, q, self->buf + 32768);
}

/* Packed: NEXT on every descriptor of the ring: a chain without end. */
TEST_F_TIMEOUT(dev, packed_chain_no_end, CASE_TIMEOUT)
{
	struct vu_queue *q = Q0;
	struct vu_buf *bufs;
	unsigned int k;
	int id;

	if (!q->packed)
		SKIP(return, "packed only");
	bufs = calloc(q->num, sizeof(*bufs));
	ASSERT_NE(NULL, bufs);
	for (k = 0; k < q->num; k++)
		bufs[k] = (struct vu_buf){ .gpa = self->buf, .len = 512 };
	id = vu_vq_prepare(q, bufs, q->num, 0, NULL);
	ASSERT_LE(0, id) TH_LOG("%s", F->err);
	/* The last one too, keeping its avail/used bits. */
	vu_vq_packed_desc(q, q->num - 1)->flags |= VRING_DESC_F_NEXT;
	vu_vq_publish(q, id);
	vu_vq_kick_now(q);
	expect_broken(_metadata, D, q, self->buf + 32768);
	free(bufs);
}

/*
 * Packed: a descriptor whose avail/used bits do not say "available" in
 * the driver's wrap is not fetched; once they do, it is.
 */
TEST_F_TIMEOUT(dev, packed_wrong_wrap, CASE_TIMEOUT)
{
	const uint16_t both = (1U << VRING_PACKED_DESC_F_AVAIL) |
			      (1U << VRING_PACKED_DESC_F_USED);
	struct vu_queue *q = Q0;
	struct vring_packed_desc *d;
	struct vu_blk_req r, *got;
	uint16_t good;

	if (!q->packed)
		SKIP(return, "packed only");
	req1(&r, VIRTIO_BLK_T_IN, 0, self->buf, 4096);
	r.flags = VU_BLK_PREPARE_ONLY;
	OK(vu_blk_submit(q, &r));
	d = vu_vq_packed_desc(q, q->pending_slot);
	good = q->pending_flags;
	/* Avail and used bits swapped: the other wrap's "available". */
	__atomic_store_n(&d->flags, good ^ both, __ATOMIC_RELEASE);
	vu_vq_kick_now(q);
	ASSERT_EQ(0, vu_vq_wait(q, QUIET_MS))
		TH_LOG("fetched a descriptor with flags %#x in wrap %d",
		       good ^ both, q->avail_wrap);
	/*
	 * Both bits as the wrap says: "used", not available either. (Our
	 * driver would take it as used: look at what the device would have
	 * written instead, the length and the status.)
	 */
	__atomic_store_n(&d->flags, (good & ~both) | (q->avail_wrap ? both : 0),
			 __ATOMIC_RELEASE);
	vu_vq_kick_now(q);
	vu_sleep_ms(QUIET_MS);
	ASSERT_EQ(16, d->len) TH_LOG("a descriptor marked used was fetched and used");
	ASSERT_EQ(VU_BLK_STATUS_UNSET, *(uint8_t *)vu_gpa(F, r.status_gpa, 1));
	vu_vq_publish(q, r.id);
	vu_vq_kick_now(q);
	ASSERT_EQ(1, vu_blk_reap(q, TMO, &got));
	STATUS_IS(&r, VIRTIO_BLK_S_OK);
	ASSERT_EQ(4097, r.used_len);
	GOOD();
}

/*
 * Packed: a buffer id beyond the ring. The id is the driver's (the
 * device only echoes it), so echoing it is right; breaking the queue
 * would be too. Logged; the queue must be usable afterwards (after a
 * reset if broken).
 */
TEST_F_TIMEOUT(dev, packed_id_beyond, CASE_TIMEOUT)
{
	struct vu_queue *q = Q0;
	struct vu_blk_req r;
	unsigned int k, ndesc;
	uint16_t id;
	uint32_t len;

	if (!q->packed)
		SKIP(return, "packed only");
	req1(&r, VIRTIO_BLK_T_IN, 0, self->buf, 4096);
	r.flags = VU_BLK_PREPARE_ONLY;
	OK(vu_blk_submit(q, &r));
	ndesc = q->slots[r.id].ndesc;
	for (k = 0; k < ndesc; k++)
		vu_vq_packed_desc(q, (q->pending_slot + k) % q->num)->id = q->num + 5;
	vu_vq_publish(q, r.id);
	vu_vq_kick_now(q);
	if (vu_vq_wait(q, TMO) && vu_vq_used_peek(q, &id, &len)) {
		TH_LOG("id %u echoed, used len %u, status %s", id, len,
		       vu_blk_status_name(*(uint8_t *)vu_gpa(F, r.status_gpa, 1)));
		ASSERT_EQ(q->num + 5, id);
		vu_vq_used_take(q, r.id);
		q->cmd_free[q->ncmd_free++] = r.cmd;
		GOOD();
		return;
	}
	TH_LOG("no used entry: the queue is broken?");
	expect_broken(_metadata, D, q, self->buf + 32768);
}

TEST_HARNESS_MAIN
