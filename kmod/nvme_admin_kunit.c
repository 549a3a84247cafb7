// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the NVMe admin commands of nvme_admin.c. Commands are built
 * dword by dword as a guest writes them, on a controller state made by
 * vdev_nvme_admin_init() (4 I/O queue pairs, so 5 MSI-X vectors); each
 * row gives the dwords in and the status and Dword 0 out, and checks
 * that a failed command changed nothing.
 */
#include <kunit/test.h>
#include <linux/nvme.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "nvme_admin.h"
#include "nvme_id.h"

#define MAX_IO		4
#define MQES		255
#define PG		4096ULL

/**
 * struct vdev_adm_cmd - an admin command's dwords
 * @op: opcode
 * @flags: FUSE and PSDT
 * @cid: command id
 * @nsid: NSID
 * @prp1: PRP1
 * @prp2: PRP2
 * @d10: Dword 10
 * @d11: Dword 11
 * @d12: Dword 12
 * @d13: Dword 13
 */
struct vdev_adm_cmd {
	u8 op;
	u8 flags;
	u16 cid;
	u32 nsid;
	u64 prp1;
	u64 prp2;
	u32 d10;
	u32 d11;
	u32 d12;
	u32 d13;
};

static void vdev_adm_build(struct nvme_command *cmd,
			   const struct vdev_adm_cmd *c)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->common.opcode = c->op;
	cmd->common.flags = c->flags;
	cmd->common.command_id = c->cid;
	cmd->common.nsid = cpu_to_le32(c->nsid);
	cmd->common.dptr.prp1 = cpu_to_le64(c->prp1);
	cmd->common.dptr.prp2 = cpu_to_le64(c->prp2);
	cmd->common.cdw10 = cpu_to_le32(c->d10);
	cmd->common.cdw11 = cpu_to_le32(c->d11);
	cmd->common.cdw12 = cpu_to_le32(c->d12);
	cmd->common.cdw13 = cpu_to_le32(c->d13);
}

static struct vdev_nvme_admin *vdev_adm_new(struct kunit *test, bool vwc)
{
	struct vdev_nvme_admin *a = kunit_kmalloc(test, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	memset(a, 0xa5, sizeof(*a));	/* init must set every byte */
	vdev_nvme_admin_init(a, MAX_IO, vwc);
	return a;
}

static struct vdev_nvme_admin *vdev_adm_copy(struct kunit *test,
					     const struct vdev_nvme_admin *a)
{
	struct vdev_nvme_admin *b = kunit_kmalloc(test, sizeof(*b), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	memcpy(b, a, sizeof(*b));
	return b;
}

static const struct vdev_nvme_qcfg vdev_adm_cfg = {
	.mqes = MQES, .mps = 0, .iosqes = 6, .iocqes = 4,
};

/* Create I/O CQ @qid of 16 entries on vector @qid, or fail the test. */
static void vdev_adm_mk_cq(struct kunit *test, struct vdev_nvme_admin *a,
			   u16 qid)
{
	struct vdev_adm_cmd c = { .op = nvme_admin_create_cq,
				  .prp1 = qid * PG, .d10 = 15 << 16 | qid,
				  .d11 = (u32)qid << 16 | 3 };
	struct vdev_nvme_qdesc d;
	struct nvme_command cmd;

	vdev_adm_build(&cmd, &c);
	KUNIT_ASSERT_EQ(test, vdev_nvme_create_cq_check(&a->q, &vdev_adm_cfg,
							&cmd, &d), 0);
	vdev_nvme_create_cq_apply(&a->q, &d);
}

static void vdev_adm_mk_sq(struct kunit *test, struct vdev_nvme_admin *a,
			   u16 qid, u16 cqid)
{
	struct vdev_adm_cmd c = { .op = nvme_admin_create_sq,
				  .prp1 = 0x100 * PG + qid * PG,
				  .d10 = 15 << 16 | qid,
				  .d11 = (u32)cqid << 16 | 1 };
	struct vdev_nvme_qdesc d;
	struct nvme_command cmd;

	vdev_adm_build(&cmd, &c);
	KUNIT_ASSERT_EQ(test, vdev_nvme_create_sq_check(&a->q, &vdev_adm_cfg,
							&cmd, &d), 0);
	vdev_nvme_create_sq_apply(&a->q, &d);
}

/* --- The opcode table ---------------------------------------------------- */

/**
 * struct vdev_adm_decode_case - one opcode and what the table says of it
 * @desc: the case's name
 * @c: the command
 * @status: the status expected
 * @handler: the handler expected
 * @dir: the direction expected
 * @len: the length expected
 */
struct vdev_adm_decode_case {
	const char *desc;
	struct vdev_adm_cmd c;
	u16 status;
	enum vdev_nvme_admin_handler handler;
	enum vdev_nvme_xfer_dir dir;
	u64 len;
};

#define TO_HOST		VDEV_NVME_XFER_TO_HOST

static const struct vdev_adm_decode_case vdev_adm_decode_cases[] = {
	{ "delete sq", { .op = 0x00 }, 0, VDEV_NVME_ADM_DELETE_SQ },
	{ "create sq", { .op = 0x01 }, 0, VDEV_NVME_ADM_CREATE_SQ },
	{ "get log page, NUMD 0: one dword", { .op = 0x02 }, 0,
	  VDEV_NVME_ADM_GET_LOG, TO_HOST, 4 },
	{ "get log page, NUMDL 1023: 4 KiB", { .op = 0x02, .d10 = 1023 << 16 },
	  0, VDEV_NVME_ADM_GET_LOG, TO_HOST, 4096 },
	{ "get log page, NUMDU and NUMDL all ones: 16 GiB",
	  { .op = 0x02, .d10 = 0xffff0000, .d11 = 0xffff }, 0,
	  VDEV_NVME_ADM_GET_LOG, TO_HOST, 1ULL << 34 },
	{ "get log page, NUMDU 1", { .op = 0x02, .d11 = 1 }, 0,
	  VDEV_NVME_ADM_GET_LOG, TO_HOST, (1 << 16) * 4 + 4 },
	{ "delete cq", { .op = 0x04 }, 0, VDEV_NVME_ADM_DELETE_CQ },
	{ "create cq", { .op = 0x05 }, 0, VDEV_NVME_ADM_CREATE_CQ },
	{ "identify: 4 KiB", { .op = 0x06 }, 0, VDEV_NVME_ADM_IDENTIFY,
	  TO_HOST, 4096 },
	{ "abort", { .op = 0x08 }, 0, VDEV_NVME_ADM_ABORT },
	{ "set features", { .op = 0x09 }, 0, VDEV_NVME_ADM_SET_FEAT },
	{ "get features", { .op = 0x0a }, 0, VDEV_NVME_ADM_GET_FEAT },
	{ "async event request", { .op = 0x0c }, 0, VDEV_NVME_ADM_AER },
	{ "doorbell buffer config", { .op = 0x7c }, 0, VDEV_NVME_ADM_DBBUF },
	{ "03h reserved", { .op = 0x03 }, NVME_SC_INVALID_OPCODE },
	{ "07h reserved", { .op = 0x07 }, NVME_SC_INVALID_OPCODE },
	{ "0Dh namespace management", { .op = 0x0d }, NVME_SC_INVALID_OPCODE },
	{ "10h firmware commit", { .op = 0x10 }, NVME_SC_INVALID_OPCODE },
	{ "11h firmware download", { .op = 0x11 }, NVME_SC_INVALID_OPCODE },
	{ "keep alive", { .op = 0x18 }, 0, VDEV_NVME_ADM_KEEP_ALIVE },
	{ "7Bh next to dbbuf", { .op = 0x7b }, NVME_SC_INVALID_OPCODE },
	{ "7Dh next to dbbuf", { .op = 0x7d }, NVME_SC_INVALID_OPCODE },
	{ "80h format", { .op = 0x80 }, NVME_SC_INVALID_OPCODE },
	{ "81h security send", { .op = 0x81 }, NVME_SC_INVALID_OPCODE },
	{ "84h sanitize", { .op = 0x84 }, NVME_SC_INVALID_OPCODE },
	{ "C0h vendor specific", { .op = 0xc0 }, NVME_SC_INVALID_OPCODE },
	{ "FFh vendor specific", { .op = 0xff }, NVME_SC_INVALID_OPCODE },
	{ "bad opcode wins over bad flags", { .op = 0xc1, .flags = 0x40 },
	  NVME_SC_INVALID_OPCODE },
	/* I/O opcodes below 0Dh are admin commands on the admin queue. */
	{ "I/O reservation report", { .op = nvme_cmd_resv_report },
	  NVME_SC_INVALID_OPCODE },
	{ "I/O zone management send", { .op = nvme_cmd_zone_mgmt_send },
	  NVME_SC_INVALID_OPCODE },
	{ "I/O copy (19h)", { .op = 0x19 }, NVME_SC_INVALID_OPCODE },
	{ "PSDT 01b (SGL)", { .op = 0x06, .flags = 0x40 },
	  NVME_SC_INVALID_FIELD },
	{ "PSDT 10b", { .op = 0x02, .flags = 0x80 }, NVME_SC_INVALID_FIELD },
	{ "PSDT 11b on a command without data", { .op = 0x0c, .flags = 0xc0 },
	  NVME_SC_INVALID_FIELD },
	{ "FUSE first", { .op = 0x06, .flags = 0x01 }, NVME_SC_INVALID_FIELD },
	{ "FUSE second", { .op = 0x09, .flags = 0x02 },
	  NVME_SC_INVALID_FIELD },
	{ "reserved flag bits are not looked at", { .op = 0x0a, .flags = 0x3c },
	  0, VDEV_NVME_ADM_GET_FEAT },
};

static void vdev_adm_decode_test(struct kunit *test)
{
	const struct vdev_adm_decode_case *c = test->param_value;
	struct vdev_nvme_admin_op op;
	struct nvme_command cmd;

	vdev_adm_build(&cmd, &c->c);
	memset(&op, 0xa5, sizeof(op));
	KUNIT_ASSERT_EQ(test, vdev_nvme_admin_decode(&cmd, &op), c->status);
	if (c->status)
		return;
	KUNIT_EXPECT_EQ(test, op.handler, c->handler);
	KUNIT_EXPECT_EQ(test, op.dir, c->dir);
	KUNIT_EXPECT_EQ(test, op.len, c->len);
}

/* --- Create I/O Completion Queue ----------------------------------------- */

/**
 * struct vdev_adm_q_case - a queue command on a table with CQ 1 and SQ 1
 *	on it, 3 I/O queues of each granted (of 4)
 * @desc: the case's name
 * @c: the command
 * @cfg: CAP and CC
 * @status: the status expected
 * @d: on success, the queue expected
 */
struct vdev_adm_q_case {
	const char *desc;
	struct vdev_adm_cmd c;
	struct vdev_nvme_qcfg cfg;
	u16 status;
	struct vdev_nvme_qdesc d;
};

#define CFG		{ .mqes = MQES, .iosqes = 6, .iocqes = 4 }
#define CQ(q, n, f, v, addr)						\
	{ .op = nvme_admin_create_cq, .prp1 = (addr),			\
	  .d10 = (u32)(n) << 16 | (q), .d11 = (u32)(v) << 16 | (f) }

static const struct vdev_adm_q_case vdev_adm_cq_cases[] = {
	{ "QID 2, 16 entries, IEN, vector 2", CQ(2, 15, 3, 2, 0x10000), CFG, 0,
	  { .qid = 2, .size = 16, .base = 0x10000, .vector = 2, .ien = true } },
	{ "QID 3, the highest granted, vector 4, the last",
	  CQ(3, 1, 3, 4, 0x2000), CFG, 0,
	  { .qid = 3, .size = 2, .base = 0x2000, .vector = 4, .ien = true } },
	{ "IEN clear", CQ(2, 15, 1, 0, PG), CFG, 0,
	  { .qid = 2, .size = 16, .base = PG } },
	{ "QSIZE = MQES", CQ(2, MQES, 1, 0, PG), CFG, 0,
	  { .qid = 2, .size = MQES + 1, .base = PG } },
	{ "QSIZE FFFFh with MQES FFFFh (65536 entries)",
	  CQ(2, 0xffff, 1, 0, PG), { .mqes = 0xffff, .iosqes = 6, .iocqes = 4 },
	  0, { .qid = 2, .size = 65536, .base = PG } },
	{ "8 KiB pages, PRP1 aligned", CQ(2, 15, 1, 0, 0x6000),
	  { .mqes = MQES, .mps = 1, .iosqes = 6, .iocqes = 4 }, 0,
	  { .qid = 2, .size = 16, .base = 0x6000 } },
	{ "PRP1 at the top of the address space",
	  CQ(2, 15, 1, 0, 0xfffffffffffff000ULL), CFG, 0,
	  { .qid = 2, .size = 16, .base = 0xfffffffffffff000ULL } },
	{ "PRP1 0 is an address like another", CQ(2, 15, 1, 0, 0), CFG, 0,
	  { .qid = 2, .size = 16 } },
	{ "IOSQES is not looked at", CQ(2, 15, 1, 0, PG),
	  { .mqes = MQES, .iosqes = 0, .iocqes = 4 }, 0,
	  { .qid = 2, .size = 16, .base = PG } },
	{ "QID 0", CQ(0, 15, 3, 0, PG), CFG, NVME_SC_QID_INVALID },
	{ "QID 1 in use", CQ(1, 15, 3, 1, PG), CFG, NVME_SC_QID_INVALID },
	{ "QID 4: not granted", CQ(4, 15, 3, 1, PG), CFG, NVME_SC_QID_INVALID },
	{ "QID 65", CQ(65, 15, 3, 1, PG), CFG, NVME_SC_QID_INVALID },
	{ "QID FFFFh", CQ(0xffff, 15, 3, 1, PG), CFG, NVME_SC_QID_INVALID },
	{ "QSIZE 0", CQ(2, 0, 3, 1, PG), CFG, NVME_SC_QUEUE_SIZE },
	{ "QSIZE MQES + 1", CQ(2, MQES + 1, 3, 1, PG), CFG,
	  NVME_SC_QUEUE_SIZE },
	{ "QSIZE FFFFh", CQ(2, 0xffff, 3, 1, PG), CFG, NVME_SC_QUEUE_SIZE },
	{ "CC.IOCQES 0 (not initialised)", CQ(2, 15, 3, 1, PG),
	  { .mqes = MQES, .iosqes = 6 }, NVME_SC_QUEUE_SIZE },
	{ "CC.IOCQES 5", CQ(2, 15, 3, 1, PG),
	  { .mqes = MQES, .iosqes = 6, .iocqes = 5 }, NVME_SC_QUEUE_SIZE },
	{ "PC clear (CAP.CQR 1)", CQ(2, 15, 2, 1, PG), CFG,
	  NVME_SC_INVALID_FIELD },
	{ "PRP1 offset 8", CQ(2, 15, 3, 1, PG + 8), CFG,
	  NVME_SC_PRP_INVALID_OFFSET },
	{ "PRP1 offset 0xfff", CQ(2, 15, 3, 1, PG + 0xfff), CFG,
	  NVME_SC_PRP_INVALID_OFFSET },
	{ "PRP1 4 KiB aligned, pages of 8 KiB", CQ(2, 15, 3, 1, 0x3000),
	  { .mqes = MQES, .mps = 1, .iosqes = 6, .iocqes = 4 },
	  NVME_SC_PRP_INVALID_OFFSET },
	{ "PRP1 32 KiB aligned, pages of 64 KiB", CQ(2, 15, 3, 1, 0x8000),
	  { .mqes = MQES, .mps = 4, .iosqes = 6, .iocqes = 4 },
	  NVME_SC_PRP_INVALID_OFFSET },
	{ "IV 5: one past the vectors", CQ(2, 15, 3, 5, PG), CFG,
	  NVME_SC_INVALID_VECTOR },
	{ "IV 2048", CQ(2, 15, 3, 2048, PG), CFG, NVME_SC_INVALID_VECTOR },
	{ "IV FFFFh, IEN clear", CQ(2, 15, 1, 0xffff, PG), CFG,
	  NVME_SC_INVALID_VECTOR },
	{ "QID before QSIZE", CQ(0, 0, 0, 9, PG + 1), CFG,
	  NVME_SC_QID_INVALID },
	{ "QSIZE before PC", CQ(2, 0, 0, 9, PG + 1), CFG, NVME_SC_QUEUE_SIZE },
	{ "PC before PRP1", CQ(2, 15, 0, 9, PG + 1), CFG,
	  NVME_SC_INVALID_FIELD },
	{ "PRP1 before IV", CQ(2, 15, 1, 9, PG + 1), CFG,
	  NVME_SC_PRP_INVALID_OFFSET },
};

/* CQ 1 (vector 1) and SQ 1 on it; 3 of each granted. */
static struct vdev_nvme_admin *vdev_adm_q_setup(struct kunit *test)
{
	struct vdev_adm_cmd c = { .op = nvme_admin_set_features,
				  .d10 = NVME_FEAT_NUM_QUEUES,
				  .d11 = 2 << 16 | 2 };
	struct vdev_nvme_admin *a = vdev_adm_new(test, false);
	struct nvme_command cmd;
	u32 dw0;

	vdev_adm_build(&cmd, &c);
	KUNIT_ASSERT_EQ(test, vdev_nvme_set_features(a, &cmd, false, &dw0), 0);
	vdev_adm_mk_cq(test, a, 1);
	vdev_adm_mk_sq(test, a, 1, 1);
	return a;
}

static void vdev_adm_qdesc_expect(struct kunit *test,
				  const struct vdev_nvme_qdesc *d,
				  const struct vdev_nvme_qdesc *w)
{
	KUNIT_EXPECT_EQ(test, d->qid, w->qid);
	KUNIT_EXPECT_EQ(test, d->size, w->size);
	KUNIT_EXPECT_EQ(test, d->base, w->base);
	KUNIT_EXPECT_EQ(test, d->cqid, w->cqid);
	KUNIT_EXPECT_EQ(test, d->prio, w->prio);
	KUNIT_EXPECT_EQ(test, d->vector, w->vector);
	KUNIT_EXPECT_EQ(test, d->ien, w->ien);
}

static void vdev_adm_cq_test(struct kunit *test)
{
	const struct vdev_adm_q_case *c = test->param_value;
	struct vdev_nvme_admin *a = vdev_adm_q_setup(test);
	struct vdev_nvme_admin *before = vdev_adm_copy(test, a);
	struct vdev_nvme_qdesc d;
	struct nvme_command cmd;
	const struct vdev_nvme_qtab_cq *cq;

	vdev_adm_build(&cmd, &c->c);
	KUNIT_ASSERT_EQ(test, vdev_nvme_create_cq_check(&a->q, &c->cfg, &cmd,
							&d), c->status);
	/* The check alone never changes the table. */
	KUNIT_EXPECT_MEMEQ(test, a, before, sizeof(*a));
	if (c->status)
		return;
	vdev_adm_qdesc_expect(test, &d, &c->d);
	vdev_nvme_create_cq_apply(&a->q, &d);
	cq = &a->q.cq[d.qid];
	KUNIT_EXPECT_TRUE(test, cq->exists);
	KUNIT_EXPECT_EQ(test, cq->base, c->d.base);
	KUNIT_EXPECT_EQ(test, cq->size, c->d.size);
	KUNIT_EXPECT_EQ(test, cq->vector, c->d.vector);
	KUNIT_EXPECT_EQ(test, cq->ien, c->d.ien);
	KUNIT_EXPECT_EQ(test, cq->nr_sqs, 0);
	/* The same command again: the QID is now in use. */
	KUNIT_EXPECT_EQ(test, vdev_nvme_create_cq_check(&a->q, &c->cfg, &cmd,
							&d),
			NVME_SC_QID_INVALID);
}

/* --- Create I/O Submission Queue ----------------------------------------- */

#define SQ(q, n, f, cq, addr)						\
	{ .op = nvme_admin_create_sq, .prp1 = (addr),			\
	  .d10 = (u32)(n) << 16 | (q), .d11 = (u32)(cq) << 16 | (f) }

static const struct vdev_adm_q_case vdev_adm_sq_cases[] = {
	{ "QID 2 on CQ 1", SQ(2, 15, 1, 1, 0x20000), CFG, 0,
	  { .qid = 2, .size = 16, .base = 0x20000, .cqid = 1 } },
	{ "QID 3, QPRIO low (ignored, kept)", SQ(3, 63, 7, 1, PG), CFG, 0,
	  { .qid = 3, .size = 64, .base = PG, .cqid = 1, .prio = 3 } },
	{ "QPRIO high", SQ(2, 15, 3, 1, PG), CFG, 0,
	  { .qid = 2, .size = 16, .base = PG, .cqid = 1, .prio = 1 } },
	{ "QSIZE = MQES", SQ(2, MQES, 1, 1, PG), CFG, 0,
	  { .qid = 2, .size = MQES + 1, .base = PG, .cqid = 1 } },
	{ "IOCQES is not looked at", SQ(2, 15, 1, 1, PG),
	  { .mqes = MQES, .iosqes = 6 }, 0,
	  { .qid = 2, .size = 16, .base = PG, .cqid = 1 } },
	{ "QID 0", SQ(0, 15, 1, 1, PG), CFG, NVME_SC_QID_INVALID },
	{ "QID 1 in use", SQ(1, 15, 1, 1, PG), CFG, NVME_SC_QID_INVALID },
	{ "QID 4: not granted", SQ(4, 15, 1, 1, PG), CFG,
	  NVME_SC_QID_INVALID },
	{ "QID 65", SQ(65, 15, 1, 1, PG), CFG, NVME_SC_QID_INVALID },
	{ "CQID 0: the admin queue's", SQ(2, 15, 1, 0, PG), CFG,
	  NVME_SC_CQ_INVALID },
	{ "CQID 2 does not exist", SQ(2, 15, 1, 2, PG), CFG,
	  NVME_SC_CQ_INVALID },
	{ "CQID 65", SQ(2, 15, 1, 65, PG), CFG, NVME_SC_CQ_INVALID },
	{ "CQID FFFFh", SQ(2, 15, 1, 0xffff, PG), CFG, NVME_SC_CQ_INVALID },
	{ "QSIZE 0", SQ(2, 0, 1, 1, PG), CFG, NVME_SC_QUEUE_SIZE },
	{ "QSIZE MQES + 1", SQ(2, MQES + 1, 1, 1, PG), CFG,
	  NVME_SC_QUEUE_SIZE },
	{ "CC.IOSQES 0 (not initialised)", SQ(2, 15, 1, 1, PG),
	  { .mqes = MQES, .iocqes = 4 }, NVME_SC_QUEUE_SIZE },
	{ "CC.IOSQES 7", SQ(2, 15, 1, 1, PG),
	  { .mqes = MQES, .iosqes = 7, .iocqes = 4 }, NVME_SC_QUEUE_SIZE },
	{ "PC clear", SQ(2, 15, 0, 1, PG), CFG, NVME_SC_INVALID_FIELD },
	{ "PRP1 offset 64", SQ(2, 15, 1, 1, PG + 64), CFG,
	  NVME_SC_PRP_INVALID_OFFSET },
	{ "PRP1 4 KiB aligned, pages of 16 KiB", SQ(2, 15, 1, 1, 0x5000),
	  { .mqes = MQES, .mps = 2, .iosqes = 6, .iocqes = 4 },
	  NVME_SC_PRP_INVALID_OFFSET },
	{ "QID before CQID", SQ(0, 15, 1, 0, PG), CFG, NVME_SC_QID_INVALID },
	{ "CQID before QSIZE", SQ(2, 0, 1, 0, PG), CFG, NVME_SC_CQ_INVALID },
};

static void vdev_adm_sq_test(struct kunit *test)
{
	const struct vdev_adm_q_case *c = test->param_value;
	struct vdev_nvme_admin *a = vdev_adm_q_setup(test);
	struct vdev_nvme_admin *before = vdev_adm_copy(test, a);
	struct vdev_nvme_qdesc d;
	struct nvme_command cmd;
	const struct vdev_nvme_qtab_sq *sq;

	vdev_adm_build(&cmd, &c->c);
	KUNIT_ASSERT_EQ(test, vdev_nvme_create_sq_check(&a->q, &c->cfg, &cmd,
							&d), c->status);
	KUNIT_EXPECT_MEMEQ(test, a, before, sizeof(*a));
	if (c->status)
		return;
	vdev_adm_qdesc_expect(test, &d, &c->d);
	vdev_nvme_create_sq_apply(&a->q, &d);
	sq = &a->q.sq[d.qid];
	KUNIT_EXPECT_TRUE(test, sq->exists);
	KUNIT_EXPECT_EQ(test, sq->base, c->d.base);
	KUNIT_EXPECT_EQ(test, sq->size, c->d.size);
	KUNIT_EXPECT_EQ(test, sq->cqid, c->d.cqid);
	KUNIT_EXPECT_EQ(test, sq->prio, c->d.prio);
	KUNIT_EXPECT_EQ(test, a->q.cq[c->d.cqid].nr_sqs, 2);
}

/* --- Delete I/O SQ and CQ ------------------------------------------------ */

/**
 * struct vdev_adm_del_case - a deletion on the table of vdev_adm_q_setup()
 * @desc: the case's name
 * @c: the command
 * @status: the status expected
 */
struct vdev_adm_del_case {
	const char *desc;
	struct vdev_adm_cmd c;
	u16 status;
};

#define DEL(o, q)	{ .op = (o), .d10 = (q) }

static const struct vdev_adm_del_case vdev_adm_del_cases[] = {
	{ "SQ 1", DEL(nvme_admin_delete_sq, 1), 0 },
	{ "SQ 1, reserved upper half of Dword 10 ignored",
	  { .op = nvme_admin_delete_sq, .d10 = 0xabcd0001 }, 0 },
	{ "SQ 0: the admin queue", DEL(nvme_admin_delete_sq, 0),
	  NVME_SC_QID_INVALID },
	{ "SQ 2 does not exist", DEL(nvme_admin_delete_sq, 2),
	  NVME_SC_QID_INVALID },
	{ "SQ 64 does not exist", DEL(nvme_admin_delete_sq, 64),
	  NVME_SC_QID_INVALID },
	{ "SQ 65", DEL(nvme_admin_delete_sq, 65), NVME_SC_QID_INVALID },
	{ "SQ FFFFh", DEL(nvme_admin_delete_sq, 0xffff), NVME_SC_QID_INVALID },
	{ "CQ 1 with SQ 1 on it", DEL(nvme_admin_delete_cq, 1),
	  NVME_SC_INVALID_QUEUE },
	{ "CQ 0: the admin queue", DEL(nvme_admin_delete_cq, 0),
	  NVME_SC_QID_INVALID },
	{ "CQ 2 does not exist", DEL(nvme_admin_delete_cq, 2),
	  NVME_SC_QID_INVALID },
	{ "CQ 65", DEL(nvme_admin_delete_cq, 65), NVME_SC_QID_INVALID },
	{ "CQ FFFFh", DEL(nvme_admin_delete_cq, 0xffff), NVME_SC_QID_INVALID },
};

static void vdev_adm_del_test(struct kunit *test)
{
	const struct vdev_adm_del_case *c = test->param_value;
	struct vdev_nvme_admin *a = vdev_adm_q_setup(test);
	struct vdev_nvme_admin *before = vdev_adm_copy(test, a);
	bool sq = c->c.op == nvme_admin_delete_sq;
	struct nvme_command cmd;
	u16 qid = 0xdead, status;

	vdev_adm_build(&cmd, &c->c);
	status = sq ? vdev_nvme_delete_sq_check(&a->q, &cmd, &qid) :
		      vdev_nvme_delete_cq_check(&a->q, &cmd, &qid);
	KUNIT_ASSERT_EQ(test, status, c->status);
	KUNIT_EXPECT_MEMEQ(test, a, before, sizeof(*a));
	if (status)
		return;
	KUNIT_EXPECT_EQ(test, qid, 1);
	vdev_nvme_delete_sq_apply(&a->q, qid);
	KUNIT_EXPECT_FALSE(test, a->q.sq[1].exists);
	KUNIT_EXPECT_EQ(test, a->q.cq[1].nr_sqs, 0);
}

/* --- The queue table's life ---------------------------------------------- */

static u16 vdev_adm_del(struct vdev_nvme_admin *a, u8 op, u16 qid)
{
	struct vdev_adm_cmd c = DEL(op, qid);
	struct nvme_command cmd;
	u16 got, status;

	vdev_adm_build(&cmd, &c);
	if (op == nvme_admin_delete_sq) {
		status = vdev_nvme_delete_sq_check(&a->q, &cmd, &got);
		if (!status)
			vdev_nvme_delete_sq_apply(&a->q, got);
	} else {
		status = vdev_nvme_delete_cq_check(&a->q, &cmd, &got);
		if (!status)
			vdev_nvme_delete_cq_apply(&a->q, got);
	}
	return status;
}

static void vdev_adm_qtab_life_test(struct kunit *test)
{
	struct vdev_nvme_admin *a = vdev_adm_new(test, false);
	const u8 dsq = nvme_admin_delete_sq, dcq = nvme_admin_delete_cq;
	int i;

	vdev_nvme_qtab_set_admin(&a->q, 0x1000, 31, 0x2000, 63);
	KUNIT_EXPECT_EQ(test, a->q.sq[0].size, 32);
	KUNIT_EXPECT_EQ(test, a->q.cq[0].size, 64);
	KUNIT_EXPECT_EQ(test, a->q.cq[0].base, 0x2000);
	/* All four granted by default: two SQs share CQ 4, SQ 1 has CQ 1. */
	vdev_adm_mk_cq(test, a, 4);
	vdev_adm_mk_cq(test, a, 1);
	vdev_adm_mk_sq(test, a, 2, 4);
	vdev_adm_mk_sq(test, a, 3, 4);
	vdev_adm_mk_sq(test, a, 1, 1);
	KUNIT_EXPECT_EQ(test, a->q.cq[4].nr_sqs, 2);
	/* A CQ goes only after its last SQ. */
	KUNIT_EXPECT_EQ(test, vdev_adm_del(a, dcq, 4), NVME_SC_INVALID_QUEUE);
	KUNIT_EXPECT_EQ(test, vdev_adm_del(a, dsq, 2), 0);
	KUNIT_EXPECT_EQ(test, vdev_adm_del(a, dsq, 2), NVME_SC_QID_INVALID);
	KUNIT_EXPECT_EQ(test, vdev_adm_del(a, dcq, 4), NVME_SC_INVALID_QUEUE);
	KUNIT_EXPECT_EQ(test, vdev_adm_del(a, dsq, 3), 0);
	KUNIT_EXPECT_EQ(test, vdev_adm_del(a, dcq, 4), 0);
	KUNIT_EXPECT_EQ(test, vdev_adm_del(a, dcq, 4), NVME_SC_QID_INVALID);
	KUNIT_EXPECT_FALSE(test, a->q.cq[4].exists);
	/* Created again after the delete, on the same ids. */
	vdev_adm_mk_cq(test, a, 4);
	vdev_adm_mk_sq(test, a, 3, 4);
	KUNIT_EXPECT_EQ(test, a->q.cq[4].nr_sqs, 1);
	/* The reset keeps the admin queue alone. */
	vdev_nvme_admin_reset(a);
	KUNIT_EXPECT_TRUE(test, a->q.sq[0].exists);
	KUNIT_EXPECT_TRUE(test, a->q.cq[0].exists);
	KUNIT_EXPECT_EQ(test, a->q.sq[0].size, 32);
	KUNIT_EXPECT_EQ(test, a->q.cq[0].base, 0x2000);
	for (i = 1; i < VDEV_NVME_NR_QIDS; i++) {
		KUNIT_EXPECT_FALSE_MSG(test, a->q.sq[i].exists, "sq %d", i);
		KUNIT_EXPECT_FALSE_MSG(test, a->q.cq[i].exists, "cq %d", i);
		KUNIT_EXPECT_EQ_MSG(test, a->q.cq[i].nr_sqs, 0, "cq %d", i);
	}
	KUNIT_EXPECT_EQ(test, vdev_adm_del(a, dsq, 1), NVME_SC_QID_INVALID);
	KUNIT_EXPECT_EQ(test, vdev_adm_del(a, dcq, 1), NVME_SC_QID_INVALID);
	vdev_adm_mk_cq(test, a, 1);
	vdev_adm_mk_sq(test, a, 1, 1);
}

/* --- Number of Queues ---------------------------------------------------- */

static u16 vdev_adm_feat(struct vdev_nvme_admin *a, u8 op, u32 nsid,
			 u32 d10, u32 d11, bool ns_active, u32 *dw0)
{
	struct vdev_adm_cmd c = { .op = op, .nsid = nsid, .d10 = d10,
				  .d11 = d11 };
	struct nvme_command cmd;

	vdev_adm_build(&cmd, &c);
	if (op == nvme_admin_set_features)
		return vdev_nvme_set_features(a, &cmd, ns_active, dw0);
	return vdev_nvme_get_features(a, &cmd, ns_active, dw0);
}

#define SETF	nvme_admin_set_features
#define GETF	nvme_admin_get_features
#define NRQ	NVME_FEAT_NUM_QUEUES

/**
 * struct vdev_adm_nrq_case - one Set Features Number of Queues
 * @desc: the case's name
 * @d11: NSQR | NCQR << 16
 * @status: the status expected
 * @dw0: the grant expected
 */
struct vdev_adm_nrq_case {
	const char *desc;
	u32 d11;
	u16 status;
	u32 dw0;
};

static const struct vdev_adm_nrq_case vdev_adm_nrq_cases[] = {
	{ "1 and 1", 0, 0, 0 },
	{ "2 SQs, 3 CQs", 2 << 16 | 1, 0, 2 << 16 | 1 },
	{ "4 and 4: all there are", 3 << 16 | 3, 0, 3 << 16 | 3 },
	{ "5 and 5: 4 and 4", 4 << 16 | 4, 0, 3 << 16 | 3 },
	{ "64 SQs, 1 CQ", 63, 0, 3 },
	{ "FFFEh and FFFEh", 0xfffefffe, 0, 3 << 16 | 3 },
	{ "NSQR FFFFh", 0x0000ffff, NVME_SC_INVALID_FIELD },
	{ "NCQR FFFFh", 0xffff0000, NVME_SC_INVALID_FIELD },
	{ "both FFFFh", 0xffffffff, NVME_SC_INVALID_FIELD },
};

static void vdev_adm_nrq_test(struct kunit *test)
{
	const struct vdev_adm_nrq_case *c = test->param_value;
	struct vdev_nvme_admin *a = vdev_adm_new(test, false);
	struct vdev_nvme_admin *before;
	u32 dw0 = 0xdead, get;

	/* Set before: the grant may change until a queue is created. */
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, NRQ, 1 << 16 | 1,
					    false, &dw0), 0);
	KUNIT_EXPECT_EQ(test, dw0, 1 << 16 | 1);
	before = vdev_adm_copy(test, a);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, NVME_NSID_ALL, NRQ,
					    c->d11, false, &dw0), c->status);
	if (c->status) {
		KUNIT_EXPECT_MEMEQ(test, a, before, sizeof(*a));
		return;
	}
	KUNIT_EXPECT_EQ(test, dw0, c->dw0);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, GETF, 0, NRQ, 0, false, &get),
			0);
	KUNIT_EXPECT_EQ(test, get, c->dw0);
	KUNIT_EXPECT_EQ(test, a->q.nr_sq, (c->dw0 & 0xffff) + 1);
	KUNIT_EXPECT_EQ(test, a->q.nr_cq, (c->dw0 >> 16) + 1);
}

static void vdev_adm_nrq_seq_test(struct kunit *test)
{
	struct vdev_nvme_admin *a = vdev_adm_new(test, false);
	const struct vdev_adm_cmd cq2 = CQ(2, 15, 3, 2, PG);
	struct vdev_nvme_qdesc d;
	struct nvme_command cmd;
	u32 dw0;

	/* Default: all four; Get of the default says so too. */
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 0, NRQ, 0, false, &dw0),
			0);
	KUNIT_EXPECT_EQ(test, dw0, 3 << 16 | 3);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, SETF, 0, NRQ, 0, false, &dw0),
			0);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 0, NRQ | 1 << 8, 0, false,
					    &dw0), 0);
	KUNIT_EXPECT_EQ(test, dw0, 3 << 16 | 3);
	/* One CQ granted: CQ 2 is refused, CQ 1 is created. */
	vdev_adm_build(&cmd, &cq2);
	KUNIT_EXPECT_EQ(test, vdev_nvme_create_cq_check(&a->q, &vdev_adm_cfg,
							&cmd, &d),
			NVME_SC_QID_INVALID);
	vdev_adm_mk_cq(test, a, 1);
	/* Now it is fixed until the reset, even after the CQ is gone. */
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, SETF, 0, NRQ, 0, false, &dw0),
			NVME_SC_CMD_SEQ_ERROR);
	KUNIT_EXPECT_EQ(test, vdev_adm_del(a, nvme_admin_delete_cq, 1), 0);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, SETF, 0, NRQ, 3 << 16 | 3,
					    false, &dw0),
			NVME_SC_CMD_SEQ_ERROR);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 0, NRQ, 0, false, &dw0),
			0);
	KUNIT_EXPECT_EQ(test, dw0, 0);
	vdev_nvme_admin_reset(a);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 0, NRQ, 0, false, &dw0),
			0);
	KUNIT_EXPECT_EQ(test, dw0, 3 << 16 | 3);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, SETF, 0, NRQ, 1 << 16 | 2,
					    false, &dw0), 0);
	KUNIT_EXPECT_EQ(test, dw0, 1 << 16 | 2);
}

/* --- Get and Set Features ------------------------------------------------ */

/**
 * struct vdev_adm_feat_case - Get or Set Features on a fresh controller
 * @desc: the case's name
 * @vwc: the controller has a volatile write cache
 * @op: GETF or SETF
 * @nsid: the NSID
 * @d10: Dword 10 (FID, SEL, SV)
 * @d11: Dword 11
 * @ns_active: the NSID is an active namespace
 * @status: the status expected
 * @dw0: Dword 0 expected
 */
struct vdev_adm_feat_case {
	const char *desc;
	bool vwc;
	u8 op;
	u32 nsid;
	u32 d10;
	u32 d11;
	bool ns_active;
	u16 status;
	u32 dw0;
};

#define SEL(n)		((n) << 8)
#define SV		BIT(31)
#define ALL		NVME_NSID_ALL
#define TEMP_UNDER	BIT(20)

static const struct vdev_adm_feat_case vdev_adm_feat_cases[] = {
	{ "get arbitration", .op = GETF, .d10 = 0x01 },
	{ "set arbitration", .op = SETF, .d10 = 0x01, .d11 = 0x04030207 },
	{ "get power management: state 0", .op = GETF, .d10 = 0x02 },
	{ "set power state 0", .op = SETF, .d10 = 0x02 },
	{ "set power state 1 (NPSS 0)", .op = SETF, .d10 = 0x02, .d11 = 1,
	  .status = NVME_SC_INVALID_FIELD },
	{ "set a workload hint", .op = SETF, .d10 = 0x02, .d11 = 1 << 5,
	  .status = NVME_SC_INVALID_FIELD },
	{ "get over temperature threshold", .op = GETF, .d10 = 0x04,
	  .dw0 = 343 },
	{ "get under temperature threshold", .op = GETF, .d10 = 0x04,
	  .d11 = TEMP_UNDER, .dw0 = TEMP_UNDER },
	{ "get temperature sensor 1: none", .op = GETF, .d10 = 0x04,
	  .d11 = 1 << 16, .status = NVME_SC_INVALID_FIELD },
	{ "get all sensors (set only)", .op = GETF, .d10 = 0x04,
	  .d11 = 0xf << 16, .status = NVME_SC_INVALID_FIELD },
	{ "get THSEL 10b", .op = GETF, .d10 = 0x04, .d11 = 2 << 20,
	  .status = NVME_SC_INVALID_FIELD },
	{ "set over threshold", .op = SETF, .d10 = 0x04, .d11 = 350 },
	{ "set under threshold of all sensors", .op = SETF, .d10 = 0x04,
	  .d11 = TEMP_UNDER | 0xf << 16 | 273 },
	{ "set sensor 8", .op = SETF, .d10 = 0x04, .d11 = 8 << 16 | 300,
	  .status = NVME_SC_INVALID_FIELD },
	{ "set THSEL 11b", .op = SETF, .d10 = 0x04, .d11 = 3 << 20,
	  .status = NVME_SC_INVALID_FIELD },
	{ "get error recovery of NSID 1", .op = GETF, .nsid = 1, .d10 = 0x05,
	  .ns_active = true },
	{ "get error recovery of NSID 1024", .op = GETF, .nsid = 1024,
	  .d10 = 0x05, .ns_active = true },
	{ "get error recovery of NSID 0", .op = GETF, .nsid = 0, .d10 = 0x05,
	  .status = NVME_SC_INVALID_NS },
	{ "get error recovery of an inactive NSID", .op = GETF, .nsid = 2,
	  .d10 = 0x05, .status = NVME_SC_INVALID_NS },
	{ "get error recovery of NSID FFFFFFFFh", .op = GETF, .nsid = ALL,
	  .d10 = 0x05, .ns_active = true, .status = NVME_SC_INVALID_NS },
	{ "get error recovery of NSID 1025", .op = GETF, .nsid = 1025,
	  .d10 = 0x05, .ns_active = true, .status = NVME_SC_INVALID_NS },
	{ "set TLER of NSID 1", .op = SETF, .nsid = 1, .d10 = 0x05,
	  .d11 = 50, .ns_active = true },
	{ "set TLER of all namespaces", .op = SETF, .nsid = ALL, .d10 = 0x05,
	  .d11 = 50 },
	{ "set TLER of NSID 0", .op = SETF, .nsid = 0, .d10 = 0x05, .d11 = 50,
	  .status = NVME_SC_INVALID_NS },
	{ "set TLER of an inactive NSID", .op = SETF, .nsid = 3, .d10 = 0x05,
	  .d11 = 50, .status = NVME_SC_INVALID_NS },
	{ "set DULBE (NSFEAT bit 2 clear)", .op = SETF, .nsid = 1,
	  .d10 = 0x05, .d11 = 1 << 16, .ns_active = true,
	  .status = NVME_SC_INVALID_FIELD },
	{ "get volatile write cache: on", .vwc = true, .op = GETF,
	  .d10 = 0x06, .dw0 = 1 },
	{ "set volatile write cache off", .vwc = true, .op = SETF,
	  .d10 = 0x06 },
	{ "get volatile write cache without one", .op = GETF, .d10 = 0x06,
	  .status = NVME_SC_INVALID_FIELD },
	{ "set volatile write cache without one", .op = SETF, .d10 = 0x06,
	  .d11 = 1, .status = NVME_SC_INVALID_FIELD },
	{ "get interrupt coalescing", .op = GETF, .d10 = 0x08 },
	{ "set interrupt coalescing", .op = SETF, .d10 = 0x08, .d11 = 0x0a10 },
	{ "get vector 4's configuration", .op = GETF, .d10 = 0x09, .d11 = 4,
	  .dw0 = 4 },
	{ "get vector 5's: beyond the vectors", .op = GETF, .d10 = 0x09,
	  .d11 = 5, .status = NVME_SC_INVALID_FIELD },
	{ "set coalescing off on vector 4", .op = SETF, .d10 = 0x09,
	  .d11 = 1 << 16 | 4 },
	{ "set vector 5", .op = SETF, .d10 = 0x09, .d11 = 1 << 16 | 5,
	  .status = NVME_SC_INVALID_FIELD },
	{ "set vector FFFFh", .op = SETF, .d10 = 0x09, .d11 = 0xffff,
	  .status = NVME_SC_INVALID_FIELD },
	{ "get write atomicity normal", .op = GETF, .d10 = 0x0a },
	{ "set write atomicity normal DN", .op = SETF, .d10 = 0x0a, .d11 = 1 },
	{ "get async event configuration: none", .op = GETF, .d10 = 0x0b },
	{ "set namespace attribute notices", .op = SETF, .d10 = 0x0b,
	  .d11 = 1 << 8 },
	{ "set notices and SMART warnings", .op = SETF, .d10 = 0x0b,
	  .d11 = 0x11f },
	{ "set firmware activation notices (not in OAES)", .op = SETF,
	  .d10 = 0x0b, .d11 = 1 << 9, .status = NVME_SC_INVALID_FIELD },
	{ "set SMART bit 5", .op = SETF, .d10 = 0x0b, .d11 = 1 << 5,
	  .status = NVME_SC_INVALID_FIELD },
	{ "set discovery log notices", .op = SETF, .d10 = 0x0b,
	  .d11 = 1U << 31, .status = NVME_SC_INVALID_FIELD },
	{ "get FID 00h", .op = GETF, .d10 = 0x00,
	  .status = NVME_SC_INVALID_FIELD },
	{ "get LBA range type", .op = GETF, .nsid = 1, .d10 = 0x03,
	  .ns_active = true, .status = NVME_SC_INVALID_FIELD },
	{ "get autonomous power state transition", .op = GETF, .d10 = 0x0c,
	  .status = NVME_SC_INVALID_FIELD },
	{ "get host memory buffer", .op = GETF, .d10 = 0x0d,
	  .status = NVME_SC_INVALID_FIELD },
	{ "get timestamp (ONCS bit 6 clear)", .op = GETF, .d10 = 0x0e,
	  .status = NVME_SC_INVALID_FIELD },
	{ "get keep alive timer: off", .op = GETF, .d10 = 0x0f },
	{ "set keep alive timer 10 s", .op = SETF, .d10 = 0x0f, .d11 = 10000 },
	{ "set keep alive timer past U32_MAX rounded", .op = SETF,
	  .d10 = 0x0f, .d11 = U32_MAX, .status = NVME_SC_INVALID_FIELD },
	{ "set host identifier", .op = SETF, .d10 = 0x81,
	  .status = NVME_SC_INVALID_FIELD },
	{ "get vendor specific C0h", .op = GETF, .d10 = 0xc0,
	  .status = NVME_SC_INVALID_FIELD },
	{ "set vendor specific FFh", .op = SETF, .d10 = 0xff,
	  .status = NVME_SC_INVALID_FIELD },
	{ "get SEL 100b (reserved)", .op = GETF, .d10 = 0x01 | SEL(4),
	  .status = NVME_SC_INVALID_FIELD },
	{ "get SEL 111b", .op = GETF, .d10 = 0x0b | SEL(7),
	  .status = NVME_SC_INVALID_FIELD },
	{ "get capabilities of arbitration: changeable", .op = GETF,
	  .d10 = 0x01 | SEL(3), .dw0 = 0x4 },
	{ "get capabilities of error recovery: per namespace", .op = GETF,
	  .nsid = 1, .d10 = 0x05 | SEL(3), .ns_active = true, .dw0 = 0x6 },
	{ "get capabilities of an unknown FID", .op = GETF,
	  .d10 = 0x10 | SEL(3), .status = NVME_SC_INVALID_FIELD },
	{ "get saved number of queues: the default", .op = GETF,
	  .d10 = 0x07 | SEL(2), .dw0 = 3 << 16 | 3 },
	{ "set with SV", .op = SETF, .d10 = 0x01 | SV,
	  .status = NVME_SC_FEATURE_NOT_SAVEABLE },
	{ "set with SV of an unknown FID", .op = SETF, .d10 = 0x10 | SV,
	  .status = NVME_SC_INVALID_FIELD },
	{ "set with SV and a bad NSID", .op = SETF, .nsid = 1, .d10 = 0x08 | SV,
	  .status = NVME_SC_FEATURE_NOT_SAVEABLE },
	{ "set arbitration for NSID 1", .op = SETF, .nsid = 1, .d10 = 0x01,
	  .ns_active = true, .status = NVME_SC_FEATURE_NOT_PER_NS },
	{ "set number of queues for NSID FFFFFFFEh", .op = SETF,
	  .nsid = 0xfffffffe, .d10 = 0x07, .status = NVME_SC_FEATURE_NOT_PER_NS },
	{ "set coalescing for NSID FFFFFFFFh", .op = SETF, .nsid = ALL,
	  .d10 = 0x08, .d11 = 0x0101 },
	{ "get coalescing of NSID 7: NSID not looked at", .op = GETF,
	  .nsid = 7, .d10 = 0x08 },
	{ "get with SV set: bit 31 is reserved to Get", .op = GETF,
	  .d10 = 0x04 | SV, .dw0 = 343 },
};

static void vdev_adm_feat_test(struct kunit *test)
{
	const struct vdev_adm_feat_case *c = test->param_value;
	struct vdev_nvme_admin *a = vdev_adm_new(test, c->vwc);
	struct vdev_nvme_admin *before = vdev_adm_copy(test, a);
	u32 nsid = c->nsid == ALL ? 1 : c->nsid, d11 = c->d11, want = c->d11;
	u32 dw0 = 0xdeadbeef, got;
	u8 fid = c->d10 & 0xff;

	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, c->op, c->nsid, c->d10, c->d11,
					    c->ns_active, &dw0), c->status);
	KUNIT_EXPECT_EQ(test, dw0, c->dw0);
	if (c->status || c->op == GETF) {
		KUNIT_EXPECT_MEMEQ(test, a, before, sizeof(*a));
		return;
	}
	/*
	 * A Set that succeeded: Get (current, for the NSID set, or 1 for
	 * all) returns what was set, default and saved what was there.
	 * Get takes one temperature sensor, and echoes it.
	 */
	if (fid == NVME_FEAT_TEMP_THRESH) {
		d11 &= ~(0xf << 16);
		want = d11;
	}
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, GETF, nsid, fid, d11, true,
					    &got), 0);
	KUNIT_EXPECT_EQ(test, got, want);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, GETF, nsid, fid | SEL(1), d11,
					    true, &dw0), 0);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, GETF, nsid, fid | SEL(2), d11,
					    true, &got), 0);
	KUNIT_EXPECT_EQ(test, got, dw0);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(before, GETF, nsid, fid, d11, true,
					    &got), 0);
	KUNIT_EXPECT_EQ(test, dw0, got);
}

static void vdev_adm_feat_round_test(struct kunit *test)
{
	struct vdev_nvme_admin *a = vdev_adm_new(test, true);
	u32 dw0;

	/* Error Recovery per namespace, and for all of them. */
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, SETF, 5, 0x05, 7, true, &dw0), 0);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 5, 0x05, 0, true, &dw0), 0);
	KUNIT_EXPECT_EQ(test, dw0, 7);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 6, 0x05, 0, true, &dw0), 0);
	KUNIT_EXPECT_EQ(test, dw0, 0);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, SETF, ALL, 0x05, 9, false, &dw0),
			0);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 1024, 0x05, 0, true, &dw0),
			0);
	KUNIT_EXPECT_EQ(test, dw0, 9);
	/* Vector configuration is per vector. */
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x09, 1 << 16 | 2,
					    false, &dw0), 0);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 0, 0x09, 2, false, &dw0),
			0);
	KUNIT_EXPECT_EQ(test, dw0, 1 << 16 | 2);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 0, 0x09, 3, false, &dw0),
			0);
	KUNIT_EXPECT_EQ(test, dw0, 3);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 0, 0x09 | SEL(1), 2, false,
					    &dw0), 0);
	KUNIT_EXPECT_EQ(test, dw0, 2);
	/* The keep alive timer, rounded up to KAS's granularity. */
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x0f, 1, false, &dw0),
			0);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 0, 0x0f, 0, false, &dw0),
			0);
	KUNIT_EXPECT_EQ(test, dw0, VDEV_NVME_KAS * 100);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x0f, 2500, false,
					    &dw0), 0);
	KUNIT_EXPECT_EQ(test, a->feat.kato, 3000);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x0f, 0, false, &dw0),
			0);
	KUNIT_EXPECT_EQ(test, a->feat.kato, 0);
	/* The write cache off, then the reset turns it on again. */
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x06, 0, false, &dw0),
			0);
	KUNIT_EXPECT_FALSE(test, a->feat.wce);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x0b, 0x100, false,
					    &dw0), 0);
	vdev_nvme_admin_reset(a);
	KUNIT_EXPECT_TRUE(test, a->feat.wce);
	KUNIT_EXPECT_TRUE(test, a->feat.vwc_present);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 5, 0x05, 0, true, &dw0), 0);
	KUNIT_EXPECT_EQ(test, dw0, 0);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 0, 0x0b, 0, false, &dw0),
			0);
	KUNIT_EXPECT_EQ(test, dw0, 0);
	KUNIT_EXPECT_EQ(test, vdev_adm_feat(a, GETF, 0, 0x09, 2, false, &dw0),
			0);
	KUNIT_EXPECT_EQ(test, dw0, 2);
}

/* --- Get Log Page -------------------------------------------------------- */

/**
 * struct vdev_adm_log_case - one Get Log Page on a fresh controller
 * @desc: the case's name
 * @c: the command
 * @status: the status expected, of decode or build
 * @size: the log's size expected
 * @len: bytes asked for, expected
 */
struct vdev_adm_log_case {
	const char *desc;
	struct vdev_adm_cmd c;
	u16 status;
	u32 size;
	u64 len;
};

/*
 * Get Log Page of NSID @ns: NUMDL @nl, NUMDU @nu, LPOL @ol, LPOU @ou, and
 * LSP and RAE bits @x (Dword 10 bits 15:8).
 */
#define LOGX(lid, nl, nu, ol, ou, ns, x)				\
	{ .op = nvme_admin_get_log_page, .nsid = (ns),			\
	  .d10 = (u32)(nl) << 16 | (x) | (lid), .d11 = (nu),		\
	  .d12 = (ol), .d13 = (ou) }
#define LOG(lid, nl, ol)	LOGX(lid, nl, 0, ol, 0, ALL, 0)

static const struct vdev_adm_log_case vdev_adm_log_cases[] = {
	{ "error information, whole", LOG(0x01, 15, 0), 0, 64, 64 },
	{ "SMART, whole", LOG(0x02, 127, 0), 0, 512, 512 },
	{ "firmware slot, whole", LOG(0x03, 127, 0), 0, 512, 512 },
	{ "changed namespaces, whole", LOG(0x04, 1023, 0), 0, 4096, 4096 },
	{ "SMART from NSID 0", LOGX(0x02, 127, 0, 0, 0, 0, 0), 0, 512, 512 },
	{ "SMART of NSID 1 (LPA bit 0 clear)", LOGX(0x02, 127, 0, 0, 0, 1, 0),
	  NVME_SC_INVALID_FIELD },
	{ "changed namespaces of NSID FFFFFFFEh",
	  LOGX(0x04, 1023, 0, 0, 0, 0xfffffffe, 0), NVME_SC_INVALID_FIELD },
	{ "error information of NSID 1", LOGX(0x01, 15, 0, 0, 0, 1, 0),
	  NVME_SC_INVALID_FIELD },
	{ "LSP 1", LOGX(0x02, 127, 0, 0, 0, ALL, 1 << 8), NVME_SC_INVALID_FIELD },
	{ "LSP 7Fh", LOGX(0x02, 127, 0, 0, 0, ALL, 0x7f << 8),
	  NVME_SC_INVALID_FIELD },
	{ "RAE is no LSP bit", LOGX(0x02, 127, 0, 0, 0, ALL, BIT(15)), 0, 512,
	  512 },
	{ "commands supported and effects (LPA bit 1 clear)",
	  LOG(0x05, 1023, 0), NVME_SC_INVALID_LOG_PAGE },
	{ "LID 00h", LOG(0x00, 0, 0), NVME_SC_INVALID_LOG_PAGE },
	{ "self-test", LOG(0x06, 0, 0), NVME_SC_INVALID_LOG_PAGE },
	{ "telemetry host", LOG(0x07, 0, 0), NVME_SC_INVALID_LOG_PAGE },
	{ "ANA", LOG(0x0c, 0, 0), NVME_SC_INVALID_LOG_PAGE },
	{ "discovery", LOG(0x70, 0, 0), NVME_SC_INVALID_LOG_PAGE },
	{ "reservation", LOG(0x80, 0, 0), NVME_SC_INVALID_LOG_PAGE },
	{ "vendor specific FFh", LOG(0xff, 0, 0), NVME_SC_INVALID_LOG_PAGE },
	{ "unknown LID wins over NSID", LOGX(0x05, 0, 0, 0, 0, 1, 0),
	  NVME_SC_INVALID_LOG_PAGE },
	{ "SMART one dword at size - 4", LOG(0x02, 0, 508), 0, 512, 4 },
	{ "SMART at its size", LOG(0x02, 0, 512), NVME_SC_INVALID_FIELD },
	{ "SMART past its size", LOG(0x02, 0, 516), NVME_SC_INVALID_FIELD },
	{ "SMART at 2^32 (LPOU)", LOGX(0x02, 0, 0, 0, 1, ALL, 0),
	  NVME_SC_INVALID_FIELD },
	{ "SMART at the last dword offset there is",
	  LOGX(0x02, 0, 0, 0xfffffffc, 0xffffffff, ALL, 0), NVME_SC_INVALID_FIELD },
	{ "offset 2: not dword aligned", LOG(0x02, 0, 2),
	  NVME_SC_INVALID_FIELD },
	{ "offset 1 of a LID we lack: alignment first", LOG(0xff, 0, 1),
	  NVME_SC_INVALID_FIELD },
	{ "NUMD past the end: no error", LOG(0x02, 255, 256), 0, 512, 1024 },
	{ "NUMD of 16 GiB", LOGX(0x04, 0xffff, 0xffff, 0, 0, ALL, 0), 0, 4096, 1ULL << 34 },
	{ "changed namespaces at 4092", LOG(0x04, 0, 4092), 0, 4096, 4 },
	{ "changed namespaces at 4096", LOG(0x04, 0, 4096),
	  NVME_SC_INVALID_FIELD },
	{ "error information at 60", LOG(0x01, 0, 60), 0, 64, 4 },
	{ "error information at 64", LOG(0x01, 0, 64),
	  NVME_SC_INVALID_FIELD },
};

static void vdev_adm_log_test(struct kunit *test)
{
	const struct vdev_adm_log_case *c = test->param_value;
	struct vdev_nvme_admin *a = vdev_adm_new(test, false);
	struct vdev_nvme_smart smart = {};
	struct vdev_nvme_log_req req;
	struct nvme_command cmd;
	u8 *buf = kunit_kzalloc(test, VDEV_NVME_LOG_MAX, GFP_KERNEL);
	u32 size = 0xdead;
	u16 status;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	vdev_adm_build(&cmd, &c->c);
	status = vdev_nvme_log_decode(&cmd, &req);
	if (!status) {
		status = vdev_nvme_log_build(a, &smart, &req, buf, &size);
		/* A failed build says the log has no size. */
		if (status)
			KUNIT_EXPECT_EQ(test, size, 0);
	}
	KUNIT_ASSERT_EQ(test, status, c->status);
	if (status)
		return;
	KUNIT_EXPECT_EQ(test, req.lid, c->c.d10 & 0xff);
	KUNIT_EXPECT_EQ(test, req.off,
			(u64)c->c.d13 << 32 | c->c.d12);
	KUNIT_EXPECT_EQ(test, req.len, c->len);
	KUNIT_EXPECT_EQ(test, size, c->size);
}

/**
 * struct vdev_adm_copy_case - a window of a 16-byte log 00 01 .. 0f
 * @desc: the case's name
 * @len: bytes to fill
 * @off: offset
 * @want: the bytes expected
 */
struct vdev_adm_copy_case {
	const char *desc;
	u32 len;
	u64 off;
	u8 want[24];
};

static const struct vdev_adm_copy_case vdev_adm_copy_cases[] = {
	{ "whole", 16, 0, { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
			    15 } },
	{ "first dword", 4, 0, { 0, 1, 2, 3 } },
	{ "last dword", 4, 12, { 12, 13, 14, 15 } },
	{ "middle", 8, 4, { 4, 5, 6, 7, 8, 9, 10, 11 } },
	{ "spanning the end: zeroes after", 12, 8,
	  { 8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0 } },
	{ "longer than the log", 24, 0, { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
					  12, 13, 14, 15 } },
	{ "at the end: all zero", 8, 16, { } },
	{ "far past the end", 8, 1ULL << 40, { } },
	{ "nothing", 0, 4, { } },
};

static void vdev_adm_copy_test(struct kunit *test)
{
	const struct vdev_adm_copy_case *c = test->param_value;
	u8 log[16], dst[25];
	int i;

	for (i = 0; i < 16; i++)
		log[i] = i;
	memset(dst, 0xa5, sizeof(dst));
	vdev_nvme_log_copy(dst, c->len, log, sizeof(log), c->off);
	KUNIT_EXPECT_MEMEQ(test, dst, c->want, c->len);
	/* Not a byte more. */
	KUNIT_EXPECT_EQ(test, dst[c->len], 0xa5);
}

static void vdev_adm_log_get(struct kunit *test, struct vdev_nvme_admin *a,
			     const struct vdev_nvme_smart *s, u8 lid, bool rae,
			     u8 *buf)
{
	struct vdev_adm_cmd c = LOG(lid, 1023, 0);
	struct vdev_nvme_log_req req;
	struct nvme_command cmd;
	u32 size;

	if (rae)
		c.d10 |= 1 << 15;
	vdev_adm_build(&cmd, &c);
	KUNIT_ASSERT_EQ(test, vdev_nvme_log_decode(&cmd, &req), 0);
	KUNIT_ASSERT_EQ(test, req.rae, rae);
	memset(buf, 0xa5, VDEV_NVME_LOG_MAX);
	KUNIT_ASSERT_EQ(test, vdev_nvme_log_build(a, s, &req, buf, &size), 0);
	vdev_nvme_log_done(a, &req);
}

static u64 vdev_adm_u128(struct kunit *test, const u8 *p)
{
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(p + 8), 0);
	return get_unaligned_le64(p);
}

static void vdev_adm_smart_test(struct kunit *test)
{
	struct vdev_nvme_admin *a = vdev_adm_new(test, false);
	const struct vdev_nvme_smart s = {
		.sectors_read = 1001, .sectors_written = 1000,
		.host_reads = 3, .host_writes = 1ULL << 40, .busy_minutes = 5,
		.power_cycles = 6, .power_on_hours = 7, .unsafe_shutdowns = 8,
		.media_errors = 9,
	};
	const struct vdev_nvme_error e = { .sqid = 1, .cid = 2,
					   .status = NVME_SC_LBA_RANGE };
	u8 *buf = kunit_kmalloc(test, VDEV_NVME_LOG_MAX, GFP_KERNEL);
	struct nvme_smart_log *l = (struct nvme_smart_log *)buf;
	u32 dw0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	vdev_nvme_error_record(a, &e);
	vdev_nvme_error_record(a, &e);
	vdev_adm_log_get(test, a, &s, NVME_LOG_SMART, false, buf);
	KUNIT_EXPECT_EQ(test, l->critical_warning, 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(l->temperature), 308);
	KUNIT_EXPECT_EQ(test, l->avail_spare, 100);
	KUNIT_EXPECT_EQ(test, l->spare_thresh, 10);
	KUNIT_EXPECT_EQ(test, l->percent_used, 0);
	KUNIT_EXPECT_EQ(test, vdev_adm_u128(test, l->data_units_read), 2);
	KUNIT_EXPECT_EQ(test, vdev_adm_u128(test, l->data_units_written), 1);
	KUNIT_EXPECT_EQ(test, vdev_adm_u128(test, l->host_reads), 3);
	KUNIT_EXPECT_EQ(test, vdev_adm_u128(test, l->host_writes), 1ULL << 40);
	KUNIT_EXPECT_EQ(test, vdev_adm_u128(test, l->ctrl_busy_time), 5);
	KUNIT_EXPECT_EQ(test, vdev_adm_u128(test, l->power_cycles), 6);
	KUNIT_EXPECT_EQ(test, vdev_adm_u128(test, l->power_on_hours), 7);
	KUNIT_EXPECT_EQ(test, vdev_adm_u128(test, l->unsafe_shutdowns), 8);
	KUNIT_EXPECT_EQ(test, vdev_adm_u128(test, l->media_errors), 9);
	KUNIT_EXPECT_EQ(test, vdev_adm_u128(test, l->num_err_log_entries), 2);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(l->rsvd7, 0, sizeof(l->rsvd7)),
			    NULL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(&l->warning_temp_time, 0,
					     512 - 192), NULL);
	/* An over threshold below 308 K: the temperature warning. */
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x04, 308, false,
					    &dw0), 0);
	vdev_adm_log_get(test, a, &s, NVME_LOG_SMART, false, buf);
	KUNIT_EXPECT_EQ(test, l->critical_warning, 0);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x04, 307, false,
					    &dw0), 0);
	vdev_adm_log_get(test, a, &s, NVME_LOG_SMART, false, buf);
	KUNIT_EXPECT_EQ(test, l->critical_warning,
			NVME_SMART_CRIT_TEMPERATURE);
	/* An under threshold above it, the over one back. */
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x04, 400, false,
					    &dw0), 0);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x04,
					    TEMP_UNDER | 309, false,
					    &dw0), 0);
	vdev_adm_log_get(test, a, &s, NVME_LOG_SMART, false, buf);
	KUNIT_EXPECT_EQ(test, l->critical_warning,
			NVME_SMART_CRIT_TEMPERATURE);
}

static void vdev_adm_fw_err_test(struct kunit *test)
{
	struct vdev_nvme_admin *a = vdev_adm_new(test, false);
	const struct vdev_nvme_smart s = {};
	struct vdev_nvme_error e = { .sqid = 3, .cid = 0xbeef,
				     .status = NVME_SC_READ_ERROR | 0x4000,
				     .loc = 0xffff, .lba = 1ULL << 33,
				     .nsid = 7 };
	u8 *buf = kunit_kmalloc(test, VDEV_NVME_LOG_MAX, GFP_KERNEL);
	struct nvme_fw_slot_info_log *fw = (struct nvme_fw_slot_info_log *)buf;
	struct nvme_error_slot *err = (struct nvme_error_slot *)buf;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	vdev_adm_log_get(test, a, &s, NVME_LOG_FW_SLOT, false, buf);
	KUNIT_EXPECT_EQ(test, fw->afi, 1);
	KUNIT_EXPECT_MEMEQ(test, &fw->frs[0], "0.1     ", 8);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(fw->rsvd1, 0, sizeof(fw->rsvd1)),
			    NULL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(&fw->frs[1], 0, 512 - 16), NULL);
	/* No error yet: an invalid entry, all zero. */
	vdev_adm_log_get(test, a, &s, NVME_LOG_ERROR, false, buf);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf, 0, 64), NULL);
	vdev_nvme_error_record(a, &e);
	e.cid = 0x1234;
	vdev_nvme_error_record(a, &e);
	vdev_adm_log_get(test, a, &s, NVME_LOG_ERROR, false, buf);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(err->error_count), 2);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(err->sqid), 3);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(err->cmdid), 0x1234);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(err->status_field),
			(NVME_SC_READ_ERROR | 0x4000) << 1);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(err->param_error_location), 0xffff);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(err->lba), 1ULL << 33);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(err->nsid), 7);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(&err->vs, 0, 64 - 28), NULL);
	/* The count skips 0 when it wraps. */
	a->err.count = U64_MAX;
	vdev_nvme_error_record(a, &e);
	KUNIT_EXPECT_EQ(test, a->err.count, 1);
}

/* --- Changed Namespace List ---------------------------------------------- */

static void vdev_adm_changed_test(struct kunit *test)
{
	struct vdev_nvme_admin *a = vdev_adm_new(test, false);
	const struct vdev_nvme_smart s = {};
	u8 *buf = kunit_kmalloc(test, VDEV_NVME_LOG_MAX, GFP_KERNEL);
	__le32 *list = (__le32 *)buf;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* Out of order, twice, and NSIDs that are no namespace. */
	vdev_nvme_ns_changed(a, 9);
	vdev_nvme_ns_changed(a, 2);
	vdev_nvme_ns_changed(a, 0);
	vdev_nvme_ns_changed(a, NVME_NSID_ALL);
	vdev_nvme_ns_changed(a, 9);
	vdev_nvme_ns_changed(a, 0xfffffffe);
	vdev_nvme_ns_changed(a, 5);
	/* RAE set: read, and kept. */
	vdev_adm_log_get(test, a, &s, NVME_LOG_CHANGED_NS, true, buf);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(list[0]), 2);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(list[1]), 5);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(list[2]), 9);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(list[3]), 0xfffffffe);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(&list[4], 0, 4096 - 16), NULL);
	vdev_adm_log_get(test, a, &s, NVME_LOG_CHANGED_NS, false, buf);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(list[3]), 0xfffffffe);
	/* RAE clear: read, and cleared. */
	vdev_adm_log_get(test, a, &s, NVME_LOG_CHANGED_NS, false, buf);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf, 0, 4096), NULL);
	/* Exactly 1024 fit, descending in. */
	for (i = 1024; i >= 1; i--)
		vdev_nvme_ns_changed(a, i);
	vdev_adm_log_get(test, a, &s, NVME_LOG_CHANGED_NS, true, buf);
	for (i = 0; i < 1024; i++)
		KUNIT_EXPECT_EQ_MSG(test, le32_to_cpu(list[i]), i + 1,
				    "entry %u", i);
	/* One already there changes nothing; one more overflows. */
	vdev_nvme_ns_changed(a, 1024);
	KUNIT_EXPECT_FALSE(test, a->changed.overflow);
	vdev_nvme_ns_changed(a, 2000);
	vdev_adm_log_get(test, a, &s, NVME_LOG_CHANGED_NS, true, buf);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(list[0]), NVME_NSID_ALL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(&list[1], 0, 4096 - 4), NULL);
	vdev_nvme_ns_changed(a, 1);
	vdev_adm_log_get(test, a, &s, NVME_LOG_CHANGED_NS, false, buf);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(list[0]), NVME_NSID_ALL);
	/* Cleared: a fresh list. */
	vdev_nvme_ns_changed(a, 3);
	vdev_adm_log_get(test, a, &s, NVME_LOG_CHANGED_NS, false, buf);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(list[0]), 3);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(list[1]), 0);
}

/* --- Asynchronous events ------------------------------------------------- */

#define NS_DW0	(NVME_AER_NOTICE | NVME_LOG_CHANGED_NS << 16)
#define TEMP_DW0 (NVME_AER_SMART | 1 << 8 | NVME_LOG_SMART << 16)

static void vdev_adm_aer_expect(struct kunit *test, struct vdev_nvme_aer *aer,
				u16 cid, u32 dw0)
{
	u16 got_cid = 0xdead;
	u32 got_dw0 = 0xdead;

	KUNIT_ASSERT_TRUE(test, vdev_nvme_aer_next(aer, &got_cid, &got_dw0));
	KUNIT_EXPECT_EQ(test, got_cid, cid);
	KUNIT_EXPECT_EQ(test, got_dw0, dw0);
}

static void vdev_adm_aer_none(struct kunit *test, struct vdev_nvme_aer *aer)
{
	u16 cid;
	u32 dw0;

	KUNIT_EXPECT_FALSE(test, vdev_nvme_aer_next(aer, &cid, &dw0));
}

static void vdev_adm_aer_limit_test(struct kunit *test)
{
	struct vdev_nvme_admin *a = vdev_adm_new(test, false);
	struct vdev_nvme_aer *aer = &a->aer;
	u32 dw0;
	u16 i;

	/* AERL + 1 = 4 outstanding; the fifth is refused. */
	for (i = 0; i <= VDEV_NVME_AERL; i++)
		KUNIT_EXPECT_EQ(test, vdev_nvme_aer_submit(aer, 10 + i), 0);
	KUNIT_EXPECT_EQ(test, vdev_nvme_aer_submit(aer, 99),
			NVME_SC_ASYNC_LIMIT);
	KUNIT_EXPECT_EQ(test, aer->nr, 4);
	/* No event: nothing completes. */
	vdev_adm_aer_none(test, aer);
	/* One completes, oldest first: room for one more. */
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x0b, 0x100, false,
					    &dw0), 0);
	vdev_nvme_ns_changed(a, 1);
	vdev_adm_aer_expect(test, aer, 10, NS_DW0);
	KUNIT_EXPECT_EQ(test, vdev_nvme_aer_submit(aer, 14), 0);
	KUNIT_EXPECT_EQ(test, vdev_nvme_aer_submit(aer, 15),
			NVME_SC_ASYNC_LIMIT);
	/* A reset drops all of them. */
	vdev_nvme_admin_reset(a);
	KUNIT_EXPECT_EQ(test, aer->nr, 0);
	for (i = 0; i <= VDEV_NVME_AERL; i++)
		KUNIT_EXPECT_EQ(test, vdev_nvme_aer_submit(aer, i), 0);
}

/*
 * An invalid doorbell write is an error event: reported whatever the
 * Asynchronous Event Configuration says, once until the error log is
 * read with RAE 0, and not masked by a notice outstanding.
 */
static void vdev_adm_aer_error_test(struct kunit *test)
{
	const u32 err_dw0 = NVME_AER_ERROR | 0x01 << 8 | NVME_LOG_ERROR << 16;
	struct vdev_nvme_admin *a = vdev_adm_new(test, false);
	struct vdev_nvme_aer *aer = &a->aer;
	const struct vdev_nvme_smart s = {};
	u8 *buf = kunit_kmalloc(test, VDEV_NVME_LOG_MAX, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, a->feat.aec, 0);
	vdev_nvme_event_raise(a, VDEV_NVME_EV_DOORBELL);
	KUNIT_EXPECT_EQ(test, vdev_nvme_aer_submit(aer, 7), 0);
	vdev_adm_aer_expect(test, aer, 7, err_dw0);
	/* Masked until the error log is read with RAE 0. */
	vdev_nvme_event_raise(a, VDEV_NVME_EV_DOORBELL);
	KUNIT_EXPECT_EQ(test, vdev_nvme_aer_submit(aer, 8), 0);
	vdev_adm_aer_none(test, aer);
	vdev_adm_log_get(test, a, &s, NVME_LOG_ERROR, true, buf);
	vdev_adm_aer_none(test, aer);
	vdev_adm_log_get(test, a, &s, NVME_LOG_ERROR, false, buf);
	/* The read took the pending one with it; a new one is reported. */
	vdev_adm_aer_none(test, aer);
	vdev_nvme_event_raise(a, VDEV_NVME_EV_DOORBELL);
	vdev_adm_aer_expect(test, aer, 8, err_dw0);
}

static void vdev_adm_aer_event_test(struct kunit *test)
{
	struct vdev_nvme_admin *a = vdev_adm_new(test, false);
	struct vdev_nvme_aer *aer = &a->aer;
	const struct vdev_nvme_smart s = {};
	u8 *buf = kunit_kmalloc(test, VDEV_NVME_LOG_MAX, GFP_KERNEL);
	u32 dw0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* Disabled by configuration: the event is not kept. */
	vdev_nvme_ns_changed(a, 1);
	KUNIT_EXPECT_EQ(test, vdev_nvme_aer_submit(aer, 1), 0);
	vdev_adm_aer_none(test, aer);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x0b, 0x100, false,
					    &dw0), 0);
	vdev_adm_aer_none(test, aer);
	/* Enabled, with no request: pending until one comes. */
	vdev_nvme_ns_changed(a, 2);
	vdev_adm_aer_expect(test, aer, 1, NS_DW0);
	vdev_nvme_ns_changed(a, 3);
	KUNIT_EXPECT_EQ(test, vdev_nvme_aer_submit(aer, 2), 0);
	/* The type is masked until the log is read with RAE 0. */
	vdev_adm_aer_none(test, aer);
	vdev_adm_log_get(test, a, &s, NVME_LOG_CHANGED_NS, true, buf);
	vdev_adm_aer_none(test, aer);
	vdev_adm_log_get(test, a, &s, NVME_LOG_SMART, false, buf);
	vdev_adm_aer_none(test, aer);
	vdev_adm_log_get(test, a, &s, NVME_LOG_CHANGED_NS, false, buf);
	/* The read covered NSID 3: its pending event went with it. */
	vdev_adm_aer_none(test, aer);
	vdev_nvme_ns_changed(a, 4);
	vdev_adm_aer_expect(test, aer, 2, NS_DW0);
	/* A SMART event is another type: not masked by the notice. */
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x0b, 0x102, false,
					    &dw0), 0);
	KUNIT_EXPECT_EQ(test, vdev_nvme_aer_submit(aer, 3), 0);
	KUNIT_EXPECT_EQ(test, vdev_nvme_aer_submit(aer, 4), 0);
	vdev_nvme_ns_changed(a, 5);
	vdev_adm_aer_none(test, aer);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x04, 300, false,
					    &dw0), 0);
	vdev_adm_aer_expect(test, aer, 3, TEMP_DW0);
	/* Crossing again while past the threshold raises nothing. */
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x04, 299, false,
					    &dw0), 0);
	vdev_adm_log_get(test, a, &s, NVME_LOG_SMART, false, buf);
	vdev_adm_aer_none(test, aer);
	/* RAE set keeps the notice pending since NSID 5 masked. */
	vdev_adm_log_get(test, a, &s, NVME_LOG_CHANGED_NS, true, buf);
	vdev_adm_aer_none(test, aer);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x04, 400, false,
					    &dw0), 0);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x04, 300, false,
					    &dw0), 0);
	vdev_adm_aer_expect(test, aer, 4, TEMP_DW0);
	/* Temperature events off: a crossing is not reported. */
	vdev_adm_log_get(test, a, &s, NVME_LOG_SMART, false, buf);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x04, 400, false,
					    &dw0), 0);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x0b, 0x100, false,
					    &dw0), 0);
	KUNIT_ASSERT_EQ(test, vdev_adm_feat(a, SETF, 0, 0x04, 300, false,
					    &dw0), 0);
	KUNIT_EXPECT_EQ(test, vdev_nvme_aer_submit(aer, 5), 0);
	vdev_adm_aer_none(test, aer);
	/* A reset forgets the masks and the configuration. */
	vdev_nvme_admin_reset(a);
	KUNIT_EXPECT_EQ(test, aer->masked, 0);
	KUNIT_EXPECT_EQ(test, aer->pending, 0);
	KUNIT_EXPECT_EQ(test, a->feat.aec, 0);
}

/* --- Abort, Doorbell Buffer Config --------------------------------------- */

/**
 * struct vdev_adm_abort_case - an Abort with AERs 7 and 8 outstanding
 * @desc: the case's name
 * @d10: SQID | CID << 16
 * @outstanding: Aborts already outstanding
 * @status: the status expected
 * @dw0: Dword 0 expected
 * @aer_cid: the AER aborted, or -1
 */
struct vdev_adm_abort_case {
	const char *desc;
	u32 d10;
	u8 outstanding;
	u16 status;
	u32 dw0;
	int aer_cid;
};

static const struct vdev_adm_abort_case vdev_adm_abort_cases[] = {
	{ "an I/O command: not aborted", 5 << 16 | 1, 0, 0, 1, -1 },
	{ "an admin command: not aborted", 5 << 16, 0, 0, 1, -1 },
	{ "AER 8: aborted", 8 << 16, 0, 0, 0, 8 },
	{ "AER 7: aborted", 7 << 16, 0, 0, 0, 7 },
	{ "CID 8 on SQ 1 is no AER", 8 << 16 | 1, 0, 0, 1, -1 },
	{ "three outstanding: the fourth is allowed", 8 << 16, 3, 0, 0, 8 },
	{ "four outstanding: limit", 8 << 16, 4, NVME_SC_ABORT_LIMIT, 1, -1 },
	{ "limit before a bad SQID", 65, 4, NVME_SC_ABORT_LIMIT, 1, -1 },
	{ "SQ 2 does not exist", 2, 0, NVME_SC_INVALID_FIELD, 1, -1 },
	{ "SQ 65", 65, 0, NVME_SC_INVALID_FIELD, 1, -1 },
	{ "SQ FFFFh", 0xffff, 0, NVME_SC_INVALID_FIELD, 1, -1 },
};

static void vdev_adm_abort_test(struct kunit *test)
{
	const struct vdev_adm_abort_case *c = test->param_value;
	struct vdev_nvme_admin *a = vdev_adm_q_setup(test);
	struct vdev_adm_cmd ac = { .op = nvme_admin_abort_cmd, .d10 = c->d10 };
	struct vdev_nvme_admin *before;
	struct nvme_command cmd;
	bool aborted = true;
	u16 aer_cid = 0xdead;
	u32 dw0 = 0xdead;

	KUNIT_ASSERT_EQ(test, vdev_nvme_aer_submit(&a->aer, 7), 0);
	KUNIT_ASSERT_EQ(test, vdev_nvme_aer_submit(&a->aer, 8), 0);
	a->aborts = c->outstanding;
	before = vdev_adm_copy(test, a);
	vdev_adm_build(&cmd, &ac);
	KUNIT_ASSERT_EQ(test, vdev_nvme_abort_begin(a, &cmd, &dw0, &aborted,
						    &aer_cid), c->status);
	KUNIT_EXPECT_EQ(test, dw0, c->dw0);
	KUNIT_EXPECT_EQ(test, aborted, c->aer_cid >= 0);
	if (c->status) {
		KUNIT_EXPECT_MEMEQ(test, a, before, sizeof(*a));
		return;
	}
	KUNIT_EXPECT_EQ(test, a->aborts, c->outstanding + 1);
	if (c->aer_cid >= 0) {
		KUNIT_EXPECT_EQ(test, aer_cid, c->aer_cid);
		KUNIT_EXPECT_EQ(test, a->aer.nr, 1);
		KUNIT_EXPECT_NE(test, a->aer.cids[0], c->aer_cid);
	} else {
		KUNIT_EXPECT_EQ(test, a->aer.nr, 2);
	}
	vdev_nvme_abort_end(a);
	KUNIT_EXPECT_EQ(test, a->aborts, c->outstanding);
}

/**
 * struct vdev_adm_dbbuf_case - a Doorbell Buffer Config
 * @desc: the case's name
 * @prp1: shadow doorbells
 * @prp2: event indexes
 * @mps: CC.MPS
 * @status: the status expected
 */
struct vdev_adm_dbbuf_case {
	const char *desc;
	u64 prp1;
	u64 prp2;
	u8 mps;
	u16 status;
};

static const struct vdev_adm_dbbuf_case vdev_adm_dbbuf_cases[] = {
	{ "two pages", 0x1000, 0x2000, 0, 0 },
	{ "one page for both (the host's business)", 0x1000, 0x1000, 0, 0 },
	{ "top of the address space", 0xfffffffffffff000ULL, 0x3000, 0, 0 },
	{ "64 KiB pages", 0x10000, 0x20000, 4, 0 },
	{ "PRP1 0", 0, 0x2000, 0, NVME_SC_INVALID_FIELD },
	{ "PRP2 0", 0x1000, 0, 0, NVME_SC_INVALID_FIELD },
	{ "PRP1 offset 4", 0x1004, 0x2000, 0, NVME_SC_INVALID_FIELD },
	{ "PRP2 offset 0x800", 0x1000, 0x2800, 0, NVME_SC_INVALID_FIELD },
	{ "PRP2 4 KiB aligned, pages of 8 KiB", 0x2000, 0x3000, 1,
	  NVME_SC_INVALID_FIELD },
	{ "PRP1 32 KiB aligned, pages of 64 KiB", 0x8000, 0x10000, 4,
	  NVME_SC_INVALID_FIELD },
};

static void vdev_adm_dbbuf_test(struct kunit *test)
{
	const struct vdev_adm_dbbuf_case *c = test->param_value;
	struct vdev_adm_cmd dc = { .op = nvme_admin_dbbuf, .prp1 = c->prp1,
				   .prp2 = c->prp2 };
	struct nvme_command cmd;
	u64 shadow = 0xdead, ei = 0xdead;

	vdev_adm_build(&cmd, &dc);
	KUNIT_ASSERT_EQ(test, vdev_nvme_dbbuf_check(&cmd, c->mps, &shadow, &ei),
			c->status);
	if (c->status) {
		KUNIT_EXPECT_EQ(test, shadow, 0xdead);
		KUNIT_EXPECT_EQ(test, ei, 0xdead);
		return;
	}
	KUNIT_EXPECT_EQ(test, shadow, c->prp1);
	KUNIT_EXPECT_EQ(test, ei, c->prp2);
}

/* --- The suite ----------------------------------------------------------- */

#define VDEV_ADM_DESC(type)						\
static void type##_desc(const struct type *c, char *desc)		\
{									\
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);			\
}

VDEV_ADM_DESC(vdev_adm_decode_case)
VDEV_ADM_DESC(vdev_adm_q_case)
VDEV_ADM_DESC(vdev_adm_del_case)
VDEV_ADM_DESC(vdev_adm_nrq_case)
VDEV_ADM_DESC(vdev_adm_feat_case)
VDEV_ADM_DESC(vdev_adm_log_case)
VDEV_ADM_DESC(vdev_adm_copy_case)
VDEV_ADM_DESC(vdev_adm_abort_case)
VDEV_ADM_DESC(vdev_adm_dbbuf_case)

KUNIT_ARRAY_PARAM(vdev_adm_decode, vdev_adm_decode_cases,
		  vdev_adm_decode_case_desc);
KUNIT_ARRAY_PARAM(vdev_adm_cq, vdev_adm_cq_cases, vdev_adm_q_case_desc);
KUNIT_ARRAY_PARAM(vdev_adm_sq, vdev_adm_sq_cases, vdev_adm_q_case_desc);
KUNIT_ARRAY_PARAM(vdev_adm_del, vdev_adm_del_cases, vdev_adm_del_case_desc);
KUNIT_ARRAY_PARAM(vdev_adm_nrq, vdev_adm_nrq_cases, vdev_adm_nrq_case_desc);
KUNIT_ARRAY_PARAM(vdev_adm_feat, vdev_adm_feat_cases,
		  vdev_adm_feat_case_desc);
KUNIT_ARRAY_PARAM(vdev_adm_log, vdev_adm_log_cases, vdev_adm_log_case_desc);
KUNIT_ARRAY_PARAM(vdev_adm_copy, vdev_adm_copy_cases,
		  vdev_adm_copy_case_desc);
KUNIT_ARRAY_PARAM(vdev_adm_abort, vdev_adm_abort_cases,
		  vdev_adm_abort_case_desc);
KUNIT_ARRAY_PARAM(vdev_adm_dbbuf, vdev_adm_dbbuf_cases,
		  vdev_adm_dbbuf_case_desc);

static struct kunit_case vdev_nvme_admin_cases[] = {
	KUNIT_CASE_PARAM(vdev_adm_decode_test, vdev_adm_decode_gen_params),
	KUNIT_CASE_PARAM(vdev_adm_cq_test, vdev_adm_cq_gen_params),
	KUNIT_CASE_PARAM(vdev_adm_sq_test, vdev_adm_sq_gen_params),
	KUNIT_CASE_PARAM(vdev_adm_del_test, vdev_adm_del_gen_params),
	KUNIT_CASE(vdev_adm_qtab_life_test),
	KUNIT_CASE_PARAM(vdev_adm_nrq_test, vdev_adm_nrq_gen_params),
	KUNIT_CASE(vdev_adm_nrq_seq_test),
	KUNIT_CASE_PARAM(vdev_adm_feat_test, vdev_adm_feat_gen_params),
	KUNIT_CASE(vdev_adm_feat_round_test),
	KUNIT_CASE_PARAM(vdev_adm_log_test, vdev_adm_log_gen_params),
	KUNIT_CASE_PARAM(vdev_adm_copy_test, vdev_adm_copy_gen_params),
	KUNIT_CASE(vdev_adm_smart_test),
	KUNIT_CASE(vdev_adm_fw_err_test),
	KUNIT_CASE(vdev_adm_changed_test),
	KUNIT_CASE(vdev_adm_aer_limit_test),
	KUNIT_CASE(vdev_adm_aer_event_test),
	KUNIT_CASE(vdev_adm_aer_error_test),
	KUNIT_CASE_PARAM(vdev_adm_abort_test, vdev_adm_abort_gen_params),
	KUNIT_CASE_PARAM(vdev_adm_dbbuf_test, vdev_adm_dbbuf_gen_params),
	{}
};

static struct kunit_suite vdev_nvme_admin_test_suite = {
	.name = "vdev_nvme_admin",
	.test_cases = vdev_nvme_admin_cases,
};

kunit_test_suite(vdev_nvme_admin_test_suite);
