/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfu_nvme_host: a small NVMe host driver on top of vfu_client, for the
 * selftests (and vdev-perf): it plays the guest's nvme driver where
 * vfu_client plays QEMU. Guest memory is a memfd DMA-mapped at an IOVA;
 * queues, PRP lists and data live in it and the driver writes them in its
 * own mapping. Registers go through REGION_READ/WRITE; doorbells through
 * the mmapped doorbell page when the controller offers it (poll=always),
 * else as 4-byte REGION_WRITEs; shadow doorbells (Doorbell Buffer Config)
 * as Linux's drivers/nvme/host/pci.c writes them. MSI-X vectors are
 * eventfds.
 *
 * Functions return 0 (or an NVMe status, where they say so) or a negative
 * errno with a one-line explanation in the client's err.
 *
 * NVMe values are defined here with the names and values of the kernel's
 * <linux/nvme.h>, which is not a uapi header.
 */
#ifndef _VFU_NVME_HOST_H
#define _VFU_NVME_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "vfu_client.h"

#define VFU_NVME_PAGE		4096
/* Queue ids the driver keeps state for: the admin queue and 64 I/O. */
#define VFU_NVME_MAX_QID	64
#define VFU_NVME_MAX_VECTORS	(VFU_NVME_MAX_QID + 1)

/* Controller registers (BAR0) */
#define NVME_REG_CAP		0x0000
#define NVME_REG_VS		0x0008
#define NVME_REG_CC		0x0014
#define NVME_REG_CSTS		0x001c
#define NVME_REG_AQA		0x0024
#define NVME_REG_ASQ		0x0028
#define NVME_REG_ACQ		0x0030
#define NVME_REG_DBS		0x1000

#define NVME_CC_ENABLE		(1u << 0)
#define NVME_CC_IOSQES		(6u << 16)
#define NVME_CC_IOCQES		(4u << 20)
#define NVME_CSTS_RDY		(1u << 0)
#define NVME_CSTS_CFS		(1u << 1)

/* Admin opcodes */
#define nvme_admin_delete_sq		0x00
#define nvme_admin_create_sq		0x01
#define nvme_admin_get_log_page		0x02
#define nvme_admin_delete_cq		0x04
#define nvme_admin_create_cq		0x05
#define nvme_admin_identify		0x06
#define nvme_admin_abort_cmd		0x08
#define nvme_admin_set_features		0x09
#define nvme_admin_get_features		0x0a
#define nvme_admin_async_event		0x0c
#define nvme_admin_keep_alive		0x18
#define nvme_admin_dbbuf		0x7c

/* NVM command set opcodes */
#define nvme_cmd_flush			0x00
#define nvme_cmd_write			0x01
#define nvme_cmd_read			0x02
#define nvme_cmd_write_zeroes		0x08
#define nvme_cmd_dsm			0x09

#define NVME_ID_CNS_NS			0x00
#define NVME_ID_CNS_CTRL		0x01
#define NVME_ID_CNS_NS_ACTIVE_LIST	0x02
#define NVME_ID_CNS_NS_DESC_LIST	0x03

#define NVME_FEAT_NUM_QUEUES		0x07
#define NVME_FEAT_ASYNC_EVENT		0x0b
#define NVME_FEAT_KATO			0x0f
#define NVME_AEN_CFG_NS_ATTR		(1u << 8)
#define NVME_LOG_ERROR			0x01
#define NVME_LOG_SMART			0x02
#define NVME_LOG_CHANGED_NS		0x04

#define NVME_QUEUE_PHYS_CONTIG		(1u << 0)
#define NVME_CQ_IRQ_ENABLED		(1u << 1)
#define NVME_DSMGMT_AD			(1u << 2)
#define NVME_CMD_SGL_METABUF		(1u << 6)
#define NVME_SGL_FMT_DATA_DESC		0x00
#define NVME_SGL_FMT_SEG_DESC		0x02
#define NVME_SGL_FMT_LAST_SEG_DESC	0x03

#define NVME_CTRL_OACS_DBBUF_SUPP	(1u << 8)
#define NVME_CTRL_ONCS_DSM		(1u << 2)
#define NVME_CTRL_ONCS_WRITE_ZEROES	(1u << 3)
#define NVME_CTRL_VWC_PRESENT		(1u << 0)

#define NVME_AER_ERROR			0
#define NVME_AER_NOTICE			2
#define NVME_AER_NOTICE_NS_CHANGED	0x00

#define NVME_NIDT_EUI64			0x01
#define NVME_NIDT_NGUID			0x02
#define NVME_NIDT_UUID			0x03

/* Status codes: (SCT << 8) | SC, as the CQE's status field >> 1 has them. */
#define NVME_SC_SUCCESS			0x0
#define NVME_SC_INVALID_OPCODE		0x1
#define NVME_SC_INVALID_FIELD		0x2
#define NVME_SC_DATA_XFER_ERROR		0x4
#define NVME_SC_INTERNAL		0x6
#define NVME_SC_ABORT_REQ		0x7
#define NVME_SC_INVALID_NS		0xb
#define NVME_SC_CMD_SEQ_ERROR		0xc
#define NVME_SC_SGL_INVALID_LAST	0xd
#define NVME_SC_SGL_INVALID_COUNT	0xe
#define NVME_SC_SGL_INVALID_DATA	0xf
#define NVME_SC_SGL_INVALID_TYPE	0x11
#define NVME_SC_PRP_INVALID_OFFSET	0x13
#define NVME_SC_LBA_RANGE		0x80
#define NVME_SC_CQ_INVALID		0x100
#define NVME_SC_QID_INVALID		0x101
#define NVME_SC_QUEUE_SIZE		0x102
#define NVME_SC_INVALID_VECTOR		0x108
#define NVME_SC_INVALID_LOG_PAGE	0x109
#define NVME_SC_INVALID_QUEUE		0x10c
#define NVME_SC_MASK			0x7ff
/* In the status field (bit 0 the phase tag): Do Not Retry. */
#define NVME_CQE_DNR			(1u << 15)

/* A submission queue entry, 64 bytes. */
struct vfu_nvme_sqe {
	uint8_t opcode;
	uint8_t flags;
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2, cdw3;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

/* A completion queue entry, 16 bytes. */
struct vfu_nvme_cqe {
	uint32_t dw0, dw1;
	uint16_t sq_head, sq_id;
	uint16_t cid;
	uint16_t status;	/* bit 0 the phase tag */
};

/* An SGL descriptor, 16 bytes. */
struct vfu_nvme_sgl {
	uint64_t addr;
	uint32_t length;
	uint8_t rsvd[3];
	uint8_t type;		/* format << 4 | subtype */
};

struct vfu_nvme_dsm_range {
	uint32_t cattr;
	uint32_t nlb;
	uint64_t slba;
};

/* A queue pair (one SQ on its own CQ), as the host driver keeps it. */
struct vfu_nvme_q {
	uint16_t qid;
	uint16_t size;
	uint16_t vector;
	bool ien;
	bool live;
	uint64_t sq_iova, cq_iova;
	uint64_t prp_iova;	/* one PRP list page per command id */
	uint16_t cap;		/* entries the memory above has room for */
	uint16_t tail;		/* next SQ slot */
	uint16_t head;		/* next CQ entry */
	bool phase;
	uint16_t sq_head;	/* as the last CQE said */
	unsigned int inflight;
	uint32_t seq;		/* commands submitted since creation */
	uint8_t *busy;		/* per cid: 1 submitted, 2 completed */
	uint32_t *seq_of;	/* per cid: seq when submitted (slot: % size) */
	struct vfu_nvme_cqe *done;	/* per cid: the CQE once completed */
};

struct vfu_nvme {
	struct vfu_client *c;
	struct vfu_mem mem;
	uint64_t iova;		/* where guest memory is mapped */
	uint64_t brk;		/* allocated bytes */
	struct vfu_region bar0;
	volatile uint32_t *db;	/* the mmapped doorbell page, or NULL */
	uint64_t cap;
	unsigned int to_ms;	/* CAP.TO */
	unsigned int nr_vectors;
	int efd[VFU_NVME_MAX_VECTORS];
	uint64_t irqs[VFU_NVME_MAX_VECTORS];	/* signals seen per vector */
	struct vfu_nvme_q q[VFU_NVME_MAX_QID + 1];
	/* Doorbell Buffer Config: shadow doorbells and event indexes */
	bool dbbuf;
	uint64_t dbbuf_iova;	/* shadow page; the event index page next */
	/* Doorbell writes: to BAR0 (REGION_WRITE or mapped), and skipped. */
	unsigned long db_writes, db_skipped;
	int timeout_ms;
};

static inline uint16_t vfu_nvme_sc(const struct vfu_nvme_cqe *e)
{
	return (e->status >> 1) & NVME_SC_MASK;
}

/*
 * Guest memory of @mem_size bytes at @iova, DMA-mapped; BAR0 looked up
 * (and its doorbell page mapped when offered); an eventfd per MSI-X
 * vector assigned with SET_IRQS. The client is connected and negotiated.
 */
int vfu_nvme_open(struct vfu_nvme *n, struct vfu_client *c, uint64_t iova,
		  uint64_t mem_size);
void vfu_nvme_close(struct vfu_nvme *n);

/* Guest memory: @len bytes, page aligned and zeroed; 0 when full. */
uint64_t vfu_nvme_alloc(struct vfu_nvme *n, uint64_t len);
void *vfu_nvme_ptr(struct vfu_nvme *n, uint64_t iova);

int vfu_nvme_reg_read(struct vfu_nvme *n, uint32_t off, void *val,
		      unsigned int len);
int vfu_nvme_reg_write(struct vfu_nvme *n, uint32_t off, uint64_t val,
		       unsigned int len);

/*
 * The enable sequence: CC.EN 0, RDY 0, AQA/ASQ/ACQ, CC with IOSQES 6,
 * IOCQES 4, MPS 0, EN 1, RDY 1 within CAP.TO; CFS must stay 0. The
 * admin queue has @aq_size entries.
 */
int vfu_nvme_enable(struct vfu_nvme *n, uint16_t aq_size);
/* CC.EN 0 and RDY 0 within CAP.TO; every queue forgotten. */
int vfu_nvme_disable(struct vfu_nvme *n);
/* Forget every queue and the shadow doorbells (after a reset). */
void vfu_nvme_forget(struct vfu_nvme *n);

/*
 * Submit @sqe on queue @qid with a free command id (returned, >= 0).
 * With @len, PRP1/PRP2 describe @len bytes at @iova (a PRP list in the
 * command's own page beyond two pages); without, the caller's data
 * pointer stays.
 */
int vfu_nvme_submit(struct vfu_nvme *n, uint16_t qid, struct vfu_nvme_sqe *sqe,
		    uint64_t iova, uint32_t len);
/*
 * Wait for command @cid of queue @qid (up to the driver's timeout),
 * reaping others meanwhile. Return: its status ((SCT << 8) | SC), the
 * CQE in @cqe (may be NULL), or a negative errno.
 */
int vfu_nvme_wait(struct vfu_nvme *n, uint16_t qid, uint16_t cid,
		  struct vfu_nvme_cqe *cqe);
/* Reap what has completed, without waiting. Return: entries reaped. */
int vfu_nvme_reap(struct vfu_nvme *n, uint16_t qid);
/*
 * A polled queue's reap: take up to @max CQEs into @cqes, their command
 * ids free again at once, and ring the CQ head doorbell once. Touches
 * @qid's state alone, so one thread a queue may poll (with the doorbell
 * page mapped). Return: CQEs taken, or a negative errno.
 */
int vfu_nvme_poll(struct vfu_nvme *n, uint16_t qid, struct vfu_nvme_cqe *cqes,
		  unsigned int max);
/* Submit and wait: the status, or a negative errno. */
int vfu_nvme_cmd(struct vfu_nvme *n, uint16_t qid, struct vfu_nvme_sqe *sqe,
		 uint64_t iova, uint32_t len, struct vfu_nvme_cqe *cqe);
/* An admin command of @len bytes to or from @iova. */
int vfu_nvme_admin(struct vfu_nvme *n, struct vfu_nvme_sqe *sqe,
		   uint64_t iova, uint32_t len, struct vfu_nvme_cqe *cqe);

/* Identify @cns for @nsid into @iova (4 KiB): the status. */
int vfu_nvme_identify(struct vfu_nvme *n, uint8_t cns, uint32_t nsid,
		      uint64_t iova);
/* Get Log Page @lid, @len bytes (a multiple of 4) into @iova. */
int vfu_nvme_get_log(struct vfu_nvme *n, uint8_t lid, uint32_t nsid,
		     uint64_t iova, uint32_t len);

/*
 * Create the CQ (vector @vector, interrupts @ien) then the SQ of I/O
 * queue pair @qid, @size entries each. Return: 0, the first failing
 * command's status, or a negative errno.
 */
int vfu_nvme_create_qpair(struct vfu_nvme *n, uint16_t qid, uint16_t size,
			  uint16_t vector, bool ien);
/* Delete the SQ then the CQ of @qid. */
int vfu_nvme_delete_qpair(struct vfu_nvme *n, uint16_t qid);
/* Doorbell Buffer Config: shadow doorbells for the I/O queues from now. */
int vfu_nvme_dbbuf_config(struct vfu_nvme *n);
/* The event index the controller wrote for @qid's SQ tail (or CQ head). */
uint32_t vfu_nvme_eventidx(struct vfu_nvme *n, uint16_t qid, bool cq);

/* Ring @qid's SQ tail doorbell with @val, as the driver does (shadow). */
int vfu_nvme_ring_sq(struct vfu_nvme *n, uint16_t qid, uint16_t val);

/* Read or write @nlb blocks at @slba of @nsid from/to @iova: the status. */
int vfu_nvme_rw(struct vfu_nvme *n, uint16_t qid, uint8_t opcode,
		uint32_t nsid, uint64_t slba, uint32_t nlb, uint64_t iova,
		unsigned int lba_shift);
/* The same, submitted only: the cid. */
int vfu_nvme_rw_submit(struct vfu_nvme *n, uint16_t qid, uint8_t opcode,
		       uint32_t nsid, uint64_t slba, uint32_t nlb,
		       uint64_t iova, unsigned int lba_shift);

/* Signals of @vector's eventfd not yet counted, counted now. */
uint64_t vfu_nvme_irq_count(struct vfu_nvme *n, unsigned int vector);

#endif /* _VFU_NVME_HOST_H */
