/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vu_front: a vhost-user front end, shared by the selftests (selftests/vu)
 * and vdev-perf. It plays QEMU over a real unix socket, vdevd's or any
 * other vhost-user back end's: one sendmsg() per message (the 12-byte
 * header, the payload and any fds as SCM_RIGHTS together, as QEMU sends
 * them), replies read with a timeout.
 *
 * Every function returns 0 or a negative errno, and on failure leaves a
 * one-line explanation in f->err for the caller to log:
 *
 *   -ETIMEDOUT    nothing (or not all of a message) came in time
 *   -ECONNRESET   the back end hung up (EOF, ECONNRESET, EPIPE)
 *   -EPROTO       a reply broke the wire rules (flags not 0x5, another
 *                 request's id, wrong size, unexpected message)
 *   -EREMOTEIO    the back end refused: an ack with a non-zero value (kept
 *                 in f->last_ack), or an empty GET_CONFIG reply
 *   other         a system call failed
 *
 * vu_front.c has the message layer and negotiation (milestone 1);
 * vu_mem.c guest memory: one memfd (or hugetlbfs memfd) cut into regions,
 * mapped here, sent with ADD_MEM_REG or SET_MEM_TABLE; vu_ring.c the split
 * and packed ring drivers and QEMU 7.2's start and stop sequences;
 * vu_blk.c virtio-blk requests on those rings. vu_vhost.c drives the same
 * rings through a vhost-kernel device instead of a socket (/dev/vhost-scsi,
 * as QEMU's vhost-scsi-pci does), and vu_scsi.c makes virtio-scsi
 * requests on them.
 */
#ifndef _VU_FRONT_H
#define _VU_FRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_scsi.h>

#include "vu_wire.h"

/* Header flags of a request as QEMU sends it: version 1. */
#define VU_FLAGS		VDEV_VU_VERSION
/* ... and with NEED_REPLY. */
#define VU_FLAGS_NEED_REPLY	(VDEV_VU_VERSION | VDEV_VU_FLAG_NEED_REPLY)
/* The flags every reply must carry: version 1 | REPLY. */
#define VU_REPLY_FLAGS		(VDEV_VU_VERSION | VDEV_VU_FLAG_REPLY)

/* Most fds vu_send() attaches and vu_recv() accepts on one message. */
#define VU_MAX_FDS		16

#define VU_DEFAULT_TIMEOUT_MS	5000

/* Protocol features vdev offers (design: "Features offered"). */
#define VU_PF(bit)		(1ULL << VDEV_VU_PROTOCOL_F_##bit)
#define VU_PROTOCOL_OFFERED	(VU_PF(MQ) | VU_PF(LOG_SHMFD) | \
				 VU_PF(REPLY_ACK) | \
				 VU_PF(BACKEND_REQ) | VU_PF(CONFIG) | \
				 VU_PF(INFLIGHT_SHMFD) | VU_PF(RESET_DEVICE) | \
				 VU_PF(CONFIGURE_MEM_SLOTS) | VU_PF(STATUS))

/* QEMU 7.2's GET_CONFIG for vhost-user-blk: up to write_zeroes_may_unmap. */
#define VU_QEMU72_CONFIG_SIZE	57

/* One message as received. */
struct vu_msg {
	struct vu_wire_hdr hdr;
	union {
		uint64_t u64;
		struct vu_wire_vring_state state;
		struct vu_wire_config config;
		uint8_t bytes[VDEV_VU_MAX_PAYLOAD];
	} p;
	int fds[VU_MAX_FDS];	/* fds that came with it; the caller owns them */
	int nfds;
};

/* --- guest memory and rings (types) ---------------------------------------- */

#define VU_MAX_REGIONS		8
#define VU_MAX_QUEUES		16
/* Entries of the indirect table each chain may use (4 KiB). */
#define VU_IND_MAX		256

/*
 * One guest memory region: a window of f->mem_fd at @mmap_offset, at
 * guest-physical @gpa. Its "QEMU address" (uva) is where we mapped it:
 * the back end only translates uva to gpa through the table, it never
 * dereferences it.
 */
struct vu_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t mmap_offset;
	uint8_t *host;		/* our mapping: the uva */
	uint64_t next;		/* allocator: first free offset */
	bool added;		/* in the back end's table */
};

/* One guest buffer of a descriptor chain. */
struct vu_buf {
	uint64_t gpa;
	uint32_t len;
	bool write;		/* device-writable */
};

/* A chain in flight, by its id (split: head index; packed: buffer id). */
struct vu_slot {
	void *cookie;
	uint16_t ndesc;		/* ring descriptors it took */
	bool busy;
	bool indirect;
};

/*
 * A virtqueue as the driver (the guest) sees it. Split: @avail_gpa and
 * @used_gpa are the available and used rings. Packed: @avail_gpa is the
 * driver event suppression area (we write it), @used_gpa the device's (it
 * writes it).
 */
struct vu_queue {
	struct vu_front *f;
	unsigned int index;
	unsigned int num;
	bool packed, event_idx, indirect;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	/*
	 * SET_VRING_ADDR's VDEV_VU_VRING_F_LOG and log_guest_addr: QEMU sets
	 * both while migrating, with the used (device) area's gpa.
	 */
	bool log;
	uint64_t log_gpa;
	uint64_t ind_gpa;	/* VU_IND_MAX entries per id, 4 KiB apart */
	/* Our mapping of each area (and cmd_gpa's), taken once at create. */
	uint8_t *desc_map, *avail_map, *used_map, *ind_map, *cmd_map;
	int kick_fd, call_fd, err_fd;
	uint32_t base;		/* SET_VRING_BASE at start; GET_VRING_BASE */
	bool started;

	/* Free descriptors (split) or buffer ids (packed). */
	uint16_t *free;
	unsigned int nfree;
	unsigned int free_desc;	/* packed: ring slots not in use */
	uint16_t *next;		/* split: the next field we wrote, by index */
	struct vu_slot *slots;	/* by id */

	/* Split driver state. */
	uint16_t avail_idx;	/* next avail ring index (free running) */
	uint16_t last_used;	/* next used ring index to read */
	/* Packed driver state. */
	uint16_t next_avail;	/* next descriptor slot to fill */
	bool avail_wrap;
	uint16_t next_used;	/* next descriptor slot to read as used */
	bool used_wrap;

	unsigned int num_added;	/* descriptors / chains since the last kick */
	unsigned int inflight;	/* chains published and not taken back */
	/*
	 * Calls: the driver asks for one per used buffer (split used_event
	 * = last_used, packed DESC at next_used, or no suppression) unless
	 * the caller manages the suppression fields itself: a test writing
	 * them, or a polling driver with vu_vq_mute_calls()/vu_vq_sleep().
	 */
	bool manual_events;
	bool always_kick;	/* kick whatever the device asked */
	/* Packed: the chain vu_vq_prepare() wrote and publish will expose. */
	int pending_id;
	uint16_t pending_slot, pending_flags;
	/* vu_blk.c: header and status of each request, 64 bytes a slot. */
	uint64_t cmd_gpa;
	uint16_t *cmd_free;
	unsigned int ncmd_free;
	long long order;	/* vu_blk/vu_scsi_submit(): requests numbered */
	uint64_t calls;		/* call eventfd signals counted */
	uint64_t kicks;		/* kicks written */
};

/*
 * An inflight region (INFLIGHT_SHMFD) as GET_INFLIGHT_FD's reply gave it,
 * or as SET_INFLIGHT_FD sends it: @size bytes at @offset of @fd, for
 * @num_queues rings of @queue_size entries; @map is our mapping of it
 * (NULL: not mapped).
 */
struct vu_inflight {
	int fd;			/* -1: none */
	uint8_t *map;
	uint64_t size;
	uint64_t offset;
	uint16_t num_queues;
	uint16_t queue_size;
};

struct vu_front {
	int fd;			/* the connection, -1 when closed */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int timeout_ms;		/* for replies; VU_DEFAULT_TIMEOUT_MS */

	/* Negotiation, as the helpers below saw it. */
	uint64_t features;		/* offered (last GET_FEATURES) */
	uint64_t acked_features;	/* last SET_FEATURES accepted */
	uint64_t protocol_features;	/* offered (GET_PROTOCOL_FEATURES) */
	uint64_t acked_protocol;	/* last SET_PROTOCOL_FEATURES sent */
	uint64_t queue_num;		/* realize's GET_QUEUE_NUM; 0: not sent */
	/*
	 * Protocol features vu_qemu72_realize() may ack (vu_init(): all):
	 * a front end that does not implement one (INFLIGHT_SHMFD, say)
	 * leaves it out, as QEMU acks only what it knows.
	 */
	uint64_t protocol_mask;
	/*
	 * Set NEED_REPLY on requests without their own reply and wait for
	 * the ack. vu_set_protocol_features() turns it on once REPLY_ACK is
	 * negotiated (and off otherwise); tests may flip it.
	 */
	bool need_reply;

	int backend_fd;		/* our end of SET_BACKEND_REQ_FD's channel */
	uint64_t last_ack;	/* value of the last non-zero ack */
	char err[512];		/* why the last call failed */

	/* Guest memory (vu_mem.c): one file, cut into regions. */
	int mem_fd;		/* memfd behind every region, -1: none */
	uint8_t *mem_map;	/* our mapping of the whole file */
	size_t mem_len;		/* its size */
	bool mem_hugetlb;	/* the memfd is MFD_HUGETLB */
	unsigned int nregions;
	struct vu_region regions[VU_MAX_REGIONS];

	/* Rings (vu_ring.c). */
	unsigned int nqueues;
	struct vu_queue *queues[VU_MAX_QUEUES];
	/* Use SET_MEM_TABLE at start, not ADD_MEM_REG per region. */
	bool use_mem_table;
	/*
	 * Opt in to the inflight region, as QEMU 7.2's vhost-user-blk uses
	 * it once INFLIGHT_SHMFD is negotiated: vu_dev_start() then sends
	 * GET_INFLIGHT_FD for f->nqueues rings of their size while @infl
	 * holds no region (and keeps the one the reply brings), and
	 * SET_INFLIGHT_FD with it, before the rings start. @infl outlives
	 * the connection, as QEMU keeps it across a reconnect; it goes with
	 * the rings (vu_queues_destroy()).
	 */
	bool inflight;
	struct vu_inflight infl;

	/*
	 * vhost-kernel (vu_vhost.c): the /dev/vhost-* fd, -1 when the
	 * transport is the socket; the vhost-scsi endpoint set, if any.
	 */
	int vhost_fd;
	char vhost_wwpn[224];	/* struct vhost_scsi_target's vhost_wwpn */
	bool vhost_endpoint;
};

/* --- connection ---------------------------------------------------------- */

void vu_init(struct vu_front *f);
/*
 * Connect to @path, retrying while it does not exist or refuses (vdevd
 * creates it asynchronously) for up to @timeout_ms. Only connects: the
 * connection may wait in the listener's backlog until vdevd serves it.
 */
int vu_connect(struct vu_front *f, const char *path, int timeout_ms);
/*
 * Connect and check the connection is served: GET_FEATURES answered.
 * A hang-up instead (the previous session on the controller has not ended
 * yet, so this one was refused as a second front end) is retried with a
 * new connection for up to @timeout_ms. Fills f->features.
 */
int vu_open(struct vu_front *f, const char *path, int timeout_ms);
/* Close the connection and the backend channel. */
void vu_close(struct vu_front *f);

/* --- messages ------------------------------------------------------------ */

/*
 * One sendmsg(): a header {@request, @flags, @hdr_size}, then @len bytes of
 * @payload, then @nfds fds as SCM_RIGHTS. @hdr_size normally equals @len;
 * they differ only to send a lie.
 */
int vu_send_hdr(struct vu_front *f, uint32_t request, uint32_t flags,
		uint32_t hdr_size, const void *payload, size_t len,
		const int *fds, int nfds);
int vu_send(struct vu_front *f, uint32_t request, uint32_t flags,
	    const void *payload, uint32_t size, const int *fds, int nfds);
/* Arbitrary bytes in one sendmsg(), with optional fds. */
int vu_send_raw(struct vu_front *f, const void *buf, size_t len,
		const int *fds, int nfds);

/* Read one whole message (header, payload, fds) within @timeout_ms. */
int vu_recv(struct vu_front *f, struct vu_msg *m, int timeout_ms);
void vu_msg_close_fds(struct vu_msg *m);
/* The next message is a reply (flags 0x5, no fds) to @request. */
int vu_recv_reply(struct vu_front *f, uint32_t request, struct vu_msg *m);
/* ... with a u64 payload. */
int vu_recv_u64(struct vu_front *f, uint32_t request, uint64_t *value);
/* ... which is an ack: 0, or -EREMOTEIO with the value in f->last_ack. */
int vu_recv_ack(struct vu_front *f, uint32_t request);

/*
 * Nothing arrives, and the connection stays up, for @ms. Timing-based:
 * prefer vu_fence() where a reply would have to come before another.
 */
int vu_expect_no_reply(struct vu_front *f, int ms);
/* The back end hangs up within @ms, sending nothing first. */
int vu_expect_hangup(struct vu_front *f, int ms);
/*
 * GET_FEATURES without NEED_REPLY; its reply must be the next message
 * (so nothing else was sent for what came before) and, if f->features is
 * known, equal to it.
 */
int vu_fence(struct vu_front *f);

/* --- requests ------------------------------------------------------------ */

/* A request without payload whose reply is a u64; @flags as sent. */
int vu_get_u64(struct vu_front *f, uint32_t request, uint32_t flags,
	       uint64_t *value);
/*
 * A request with a u64 payload and no reply of its own: NEED_REPLY and
 * the ack if f->need_reply.
 */
int vu_set_u64(struct vu_front *f, uint32_t request, uint64_t value);
/* A request without payload and no reply of its own, fds optional. */
int vu_set_none(struct vu_front *f, uint32_t request, const int *fds,
		int nfds);

int vu_get_features(struct vu_front *f, uint64_t *features);
int vu_set_features(struct vu_front *f, uint64_t features);
int vu_set_owner(struct vu_front *f);
int vu_get_protocol_features(struct vu_front *f, uint64_t *features);
/* Also sets f->need_reply to whether REPLY_ACK is in @features. */
int vu_set_protocol_features(struct vu_front *f, uint64_t features);
int vu_get_queue_num(struct vu_front *f, uint64_t *num);
int vu_get_max_mem_slots(struct vu_front *f, uint64_t *slots);
int vu_get_status(struct vu_front *f, uint64_t *status);
int vu_set_status(struct vu_front *f, uint64_t status);
/*
 * GET_CONFIG of @size bytes at @offset into @buf. The reply must echo
 * offset, size and flags; an empty reply (the error form) is -EREMOTEIO.
 */
int vu_get_config(struct vu_front *f, uint32_t offset, uint32_t size,
		  uint32_t cfg_flags, void *buf);
int vu_set_config(struct vu_front *f, uint32_t offset, uint32_t size,
		  uint32_t cfg_flags, const void *buf);
/* The whole struct virtio_blk_config, as the kernel's uapi has it. */
int vu_get_blk_config(struct vu_front *f, struct virtio_blk_config *cfg);
/*
 * SET_BACKEND_REQ_FD with one end of a new AF_UNIX stream socketpair (as
 * QEMU makes it); the other end is kept in f->backend_fd.
 */
int vu_set_backend_req_fd(struct vu_front *f);
int vu_reset_device(struct vu_front *f);
/*
 * GET_INFLIGHT_FD for @num_queues rings of @queue_size, as QEMU sends it
 * (no NEED_REPLY, size and offset 0). The reply must be 24 bytes; with
 * mmap_size 0 (the refusal: QEMU reads it as "no region") and no fd it
 * is -EREMOTEIO with @r's fd -1, else it must bring one fd, which @r
 * gets with the reply's size, offset and shape (not mapped). An fd with
 * a zero size, or none with a region, is -EPROTO.
 */
int vu_get_inflight_fd(struct vu_front *f, uint16_t num_queues,
		       uint16_t queue_size, struct vu_inflight *r);
/*
 * SET_INFLIGHT_FD { @r->size, @r->offset, @r->num_queues, @r->queue_size }
 * with @r->fd (none if < 0); NEED_REPLY and its ack if f->need_reply.
 */
int vu_set_inflight_fd(struct vu_front *f, const struct vu_inflight *r);

/*
 * GET_FEATURES, GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES(@protocol
 * & offered) without NEED_REPLY: the start of every handshake.
 */
int vu_negotiate(struct vu_front *f, uint64_t protocol);

/*
 * QEMU 7.2 realizing vhost-user-blk-pci with @nqueues queues, message for
 * message and flag for flag as Debian's 7.2 sends them (captured from
 * qemu-system-x86_64 7.2 against a logging back end):
 *
 *   GET_FEATURES, GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES (offered &
 *   QEMU's & f->protocol_mask, no NEED_REPLY), GET_QUEUE_NUM,
 *   GET_MAX_MEM_SLOTS, SET_BACKEND_REQ_FD (NEED_REPLY), SET_OWNER (no NEED_REPLY),
 *   [GET_FEATURES, per queue SET_VRING_CALL(i) and SET_VRING_ERR(i) with
 *   an eventfd], GET_CONFIG (offset 0, size 57, flags 0)
 *
 * The bracketed part is sent only with VU_REALIZE_FULL: the design's
 * sequence ("Features offered") omits it, but vhost_dev_init() sends it
 * before vhost-user-blk's GET_CONFIG. With VU_REALIZE_OPENED the first
 * GET_FEATURES is taken as done: the connection comes from vu_open(),
 * which sent it as the connection's first message. @cfg gets the config
 * read. VU_REALIZE_NO_CONFIG leaves GET_CONFIG out, as 7.2's
 * vhost-user-scsi-pci does (its config space comes from its own
 * properties); @cfg may then be NULL. A back end with fewer than @nqueues
 * queues (GET_QUEUE_NUM, kept in f->queue_num) is refused; @nqueues 0
 * leaves that check to the caller.
 */
#define VU_REALIZE_FULL		(1U << 0)
#define VU_REALIZE_OPENED	(1U << 1)
#define VU_REALIZE_NO_CONFIG	(1U << 2)
int vu_qemu72_realize(struct vu_front *f, unsigned int nqueues,
		      unsigned int flags, struct virtio_blk_config *cfg);

/* Name of a request id, for messages. */
const char *vu_req_name(uint32_t request);

/* Record why something failed in f->err; returns @err. */
int vu_fail(struct vu_front *f, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
long long vu_now_ms(void);
void vu_sleep_ms(int ms);

/* --- guest memory (vu_mem.c) --------------------------------------------- */

/*
 * @nregions regions of @region_size bytes each, cut from one memfd (as
 * QEMU's memory-backend-memfd: region i at mmap_offset i * size) and
 * mapped once. Region i sits at gpa i * (@region_size + @gpa_gap): a gap
 * of 0 makes them contiguous in guest-physical space. @hugetlb: an
 * MFD_HUGETLB memfd (-ENOSPC/-EINVAL when the system has no huge pages;
 * sizes must be multiples of the huge page size). The first page of
 * region 0 is never handed out, so gpa 0 means "no allocation".
 */
int vu_mem_create(struct vu_front *f, unsigned int nregions,
		  uint64_t region_size, uint64_t gpa_gap, bool hugetlb);
void vu_mem_destroy(struct vu_front *f);
/* Bytes of guest memory in all regions. */
uint64_t vu_mem_total(const struct vu_front *f);
/* ADD_MEM_REG / REM_MEM_REG of region @i, with its fd. */
int vu_mem_add_region(struct vu_front *f, unsigned int i);
int vu_mem_rem_region(struct vu_front *f, unsigned int i);
/* ADD_MEM_REG each region not yet in the table. */
int vu_mem_add_all(struct vu_front *f);
/* SET_MEM_TABLE with every region; all are then in the table. */
int vu_mem_set_table(struct vu_front *f);
/* Bump allocator in region @region; returns the gpa, 0 when full. */
uint64_t vu_alloc(struct vu_front *f, unsigned int region, uint64_t size,
		  uint64_t align);
/* Our pointer to @len bytes at @gpa, all in one region, or NULL. */
void *vu_gpa(struct vu_front *f, uint64_t gpa, uint64_t len);
/* The uva (our mapping) of @gpa, 0 if outside. */
uint64_t vu_uva(struct vu_front *f, uint64_t gpa);
/* Copy to/from guest memory, across regions contiguous in gpa. */
int vu_mem_write(struct vu_front *f, uint64_t gpa, const void *src,
		 uint64_t len);
int vu_mem_read(struct vu_front *f, uint64_t gpa, void *dst, uint64_t len);

/*
 * The dirty log, as QEMU's vhost log: a memfd of u64 words, bit N (word
 * N / 64, bit N % 64) for guest-physical page N of 4 KiB, which the back
 * end sets for each page it writes while features have LOG_ALL.
 */
#define VU_LOG_PAGE		4096ULL

struct vu_log {
	int fd;			/* -1: none */
	uint64_t *map;		/* our mapping of it */
	uint64_t size;		/* bytes */
};

/*
 * The size QEMU gives the log (vhost_get_log_size()): a u64 for every
 * 64 pages up to the highest guest-physical address of the regions.
 */
uint64_t vu_log_size(const struct vu_front *f);
/* A zeroed memfd of @size bytes, mapped; vu_log_destroy() undoes it. */
int vu_log_create(struct vu_front *f, struct vu_log *l, uint64_t size);
void vu_log_destroy(struct vu_log *l);
/* Is page @page's bit set (0 beyond the log)? */
bool vu_log_test(const struct vu_log *l, uint64_t page);
/* Zero every bit, as QEMU's sync does after it read them. */
void vu_log_clear(struct vu_log *l);
/*
 * SET_LOG_BASE { @size, @offset } with @fd (none if < 0), NEED_REPLY if
 * f->need_reply, and the reply QEMU waits for: 0, -EREMOTEIO with the
 * errno in f->last_ack, or an error.
 */
int vu_set_log_base(struct vu_front *f, int fd, uint64_t size,
		    uint64_t offset);

/* --- rings (vu_ring.c) --------------------------------------------------- */

/*
 * Each queue may be driven by a thread of its own: the functions that
 * take a queue touch only that queue's state and read the memory table,
 * which stays as it is while rings run. Only an error's message goes to
 * the shared f->err.
 */

/* Virtio bits the ring drivers care about. */
#define VU_F_LOG_ALL		26
#define VU_F_INDIRECT_DESC	28
#define VU_F_EVENT_IDX		29
#define VU_F_VERSION_1		32
#define VU_F_RING_PACKED	34

/* virtio status bits */
#define VU_S_ACKNOWLEDGE	0x01
#define VU_S_DRIVER		0x02
#define VU_S_DRIVER_OK		0x04
#define VU_S_FEATURES_OK	0x08
#define VU_S_NEEDS_RESET	0x40

/*
 * Allocate @nqueues rings of @num entries in region 0 (desc, avail, used,
 * indirect tables), with kick, call and err eventfds. The ring layout
 * (split or packed, event idx, indirect) follows @features, which
 * vu_dev_start() acks. Rings start at base 0.
 */
int vu_queues_create(struct vu_front *f, unsigned int nqueues,
		     unsigned int num, uint64_t features);
void vu_queues_destroy(struct vu_front *f);
/* Zero a ring and its driver state, as a guest resetting the device. */
void vu_queue_reset(struct vu_queue *q);

/*
 * QEMU 7.2's start: with f->inflight and INFLIGHT_SHMFD acked,
 * vu_inflight_prepare(); SET_FEATURES(@features), GET_STATUS + SET_STATUS(
 * ACKNOWLEDGE | DRIVER | FEATURES_OK), ADD_MEM_REG for each region not
 * in the table (SET_MEM_TABLE if f->use_mem_table), per queue
 * SET_VRING_NUM, SET_VRING_BASE (q->base), SET_VRING_ADDR, SET_VRING_KICK,
 * SET_VRING_CALL, SET_VRING_ERR; SET_VRING_ENABLE 1 each; GET_STATUS +
 * SET_STATUS(... | DRIVER_OK).
 */
int vu_dev_start(struct vu_front *f, uint64_t features);
/*
 * QEMU 7.2's stop: SET_STATUS 0, SET_VRING_ENABLE 0 each, GET_VRING_BASE
 * each (into q->base).
 */
int vu_dev_stop(struct vu_front *f);
/*
 * How a transport carries the per-ring requests, by vhost-user request id
 * (VDEV_VU_SET_VRING_*): vhost-user messages, or the vhost ioctls they
 * mirror (vu_vhost.c). vu_queue_start() sends one ring's start sequence
 * through them: NUM, BASE (q->base), ADDR (our mappings: what QEMU
 * passes as its own virtual addresses), KICK, CALL, ERR.
 */
struct vu_vring_ops {
	int (*state)(struct vu_front *f, uint32_t request, unsigned int index,
		     uint32_t num);
	int (*addr)(struct vu_front *f, const struct vu_wire_vring_addr *a);
	int (*fd)(struct vu_front *f, uint32_t request, unsigned int index,
		  int fd);
};
int vu_queue_start(struct vu_front *f, struct vu_queue *q,
		   const struct vu_vring_ops *ops);
/* GET_VRING_BASE of one queue into q->base. */
int vu_get_vring_base(struct vu_front *f, unsigned int index, uint32_t *base);
/*
 * SET_VRING_ADDR of a ring again, with q->log and q->log_gpa: what QEMU
 * sends to a started ring when logging starts or stops.
 */
int vu_set_vring_addr(struct vu_front *f, struct vu_queue *q);
int vu_set_vring_enable(struct vu_front *f, unsigned int index, bool on);
/* The base the driver's state says the device stopped at. */
uint32_t vu_vq_driver_base(const struct vu_queue *q);

/*
 * Write a chain's descriptors (in the ring, or in the id's indirect table
 * with VU_CHAIN_INDIRECT, which is also used when the chain could never
 * fit the ring) without making it available. Returns its id, -ENOSPC
 * when the ring has no room now, or -EINVAL.
 */
#define VU_CHAIN_INDIRECT	(1U << 0)
int vu_vq_prepare(struct vu_queue *q, const struct vu_buf *bufs,
		  unsigned int n, unsigned int flags, void *cookie);
/* Make a prepared chain available (split: avail ring; packed: flags). */
void vu_vq_publish(struct vu_queue *q, int id);
/* prepare + publish */
int vu_vq_add(struct vu_queue *q, const struct vu_buf *bufs, unsigned int n,
	      unsigned int flags, void *cookie);
/* Kick if the device asked for it (or always_kick); 1 if kicked. */
int vu_vq_kick(struct vu_queue *q);
int vu_vq_kick_now(struct vu_queue *q);
/*
 * Wait up to @timeout_ms until the device has fetched every chain made
 * available (event idx only: it asks for a kick past the last one): 0,
 * -ETIMEDOUT or -EOPNOTSUPP, explained in f->err.
 */
int vu_vq_wait_fetched(struct vu_queue *q, int timeout_ms);
/* Is a used entry waiting? Its raw id and length if so (no state change). */
bool vu_vq_used_peek(struct vu_queue *q, uint16_t *id, uint32_t *len);
/* Take the next used entry back as chain @id. */
void vu_vq_used_take(struct vu_queue *q, uint16_t id);
/* peek + take: 1 with @cookie and @len, 0 if none, -EPROTO a bad id. */
int vu_vq_get(struct vu_queue *q, void **cookie, uint32_t *len);
/*
 * Kick, then wait up to @timeout_ms for the one chain in flight, whose
 * cookie is @cookie, and take it: 0 with @len, or -ETIMEDOUT, -EPROTO
 * (another chain came back) or an error, explained in f->err.
 */
int vu_vq_complete_one(struct vu_queue *q, void *cookie, int timeout_ms,
		       uint32_t *len);
/*
 * Wait until a used entry is there (1) or @timeout_ms pass (0), counting
 * call eventfd signals in q->calls meanwhile.
 */
int vu_vq_wait(struct vu_queue *q, int timeout_ms);
/*
 * A driver that manages calls itself (q->manual_events) as a polling
 * guest does: mute them while it reaps, and to wait, vu_vq_sleep()
 * asks for a call at the next used buffer, sleeps on the call eventfd
 * for up to @timeout_ms unless one is there already, and mutes calls
 * again: 1 if a used entry is waiting then, 0 if not, or an error.
 * vu_vq_arm_calls() alone asks for the call and says whether a used
 * entry is there already (so the caller must not sleep).
 */
void vu_vq_mute_calls(struct vu_queue *q);
bool vu_vq_arm_calls(struct vu_queue *q);
int vu_vq_sleep(struct vu_queue *q, int timeout_ms);
/* Read the call eventfd without waiting: signals since the last read. */
uint64_t vu_vq_drain_calls(struct vu_queue *q);
/* Has the err eventfd been signalled within @timeout_ms? */
bool vu_vq_err_signalled(struct vu_queue *q, int timeout_ms);
/* Raw ring access for tests that corrupt it. */
struct vring_desc *vu_vq_split_desc(struct vu_queue *q, unsigned int i);
struct vring_packed_desc *vu_vq_packed_desc(struct vu_queue *q,
					    unsigned int i);
/* The id's indirect table (VU_IND_MAX entries). */
void *vu_vq_indirect(struct vu_queue *q, unsigned int id);
/* Split: the k-th descriptor index of chain @id (following our links). */
unsigned int vu_vq_chain_desc(struct vu_queue *q, unsigned int id,
			      unsigned int k);
/* Split: avail ring entry @slot, avail idx, used_event; avail flags. */
void vu_vq_split_set_avail(struct vu_queue *q, uint16_t slot, uint16_t head);
void vu_vq_split_set_avail_idx(struct vu_queue *q, uint16_t idx);
void vu_vq_split_set_used_event(struct vu_queue *q, uint16_t idx);
void vu_vq_split_set_avail_flags(struct vu_queue *q, uint16_t flags);
/* Packed: the driver event suppression area. */
void vu_vq_packed_set_event(struct vu_queue *q, uint16_t flags,
			    uint16_t off_wrap);

/* --- the inflight region (vu_ring.c) ------------------------------------- */

/*
 * Its layout, libvhost-user's (host byte order): per queue q, at q *
 * VU_INFLIGHT_STRIDE(queue_size), a header, then one entry per
 * descriptor head. The back end sets an entry's inflight when it fetches
 * the chain (counter: its fetch order), links it into the last batch
 * (next, last_batch_head) when it completes it, and clears inflight once
 * the used entry and index are written (used_idx: that index).
 */
struct vu_inflight_queue {
	uint64_t features;
	uint16_t version;
	uint16_t desc_num;
	uint16_t last_batch_head;
	uint16_t used_idx;
};

struct vu_inflight_desc {
	uint8_t inflight;
	uint8_t padding[5];
	uint16_t next;
	uint64_t counter;
};

#define VU_INFLIGHT_STRIDE(queue_size) \
	((16ULL + 16ULL * (queue_size) + 63) / 64 * 64)

/* Map @r->fd (read/write, shared); unmap and close undo it. */
int vu_inflight_map(struct vu_front *f, struct vu_inflight *r);
void vu_inflight_unmap(struct vu_inflight *r);
/* Unmap, close the fd; @r then holds no region. */
void vu_inflight_release(struct vu_inflight *r);
/* Queue @q's header and entry @i in a mapped region, NULL if outside. */
struct vu_inflight_queue *vu_inflight_queue(const struct vu_inflight *r,
					    unsigned int q);
struct vu_inflight_desc *vu_inflight_desc(const struct vu_inflight *r,
					  unsigned int q, unsigned int i);
/*
 * A zeroed memfd region of its own for @num_queues rings of @queue_size
 * (not the back end's), mapped: for SET_INFLIGHT_FD of a region the
 * front end made, as a back end that restarted would need.
 */
int vu_inflight_create(struct vu_front *f, struct vu_inflight *r,
		       uint16_t num_queues, uint16_t queue_size);
/*
 * What QEMU 7.2's vhost_user_blk_start() does before vhost_dev_start()
 * once INFLIGHT_SHMFD is negotiated: SET_FEATURES(@features), then
 * GET_INFLIGHT_FD unless f->infl holds a region (a refusal leaves it
 * without one, and then nothing more is sent), then SET_INFLIGHT_FD
 * with f->infl. vu_dev_start() calls it when f->inflight is set.
 */
int vu_inflight_prepare(struct vu_front *f, uint64_t features);

/* Split: the used ring's idx as the device last wrote it. */
uint16_t vu_vq_used_idx(struct vu_queue *q);
/*
 * The bases after a broken connection, as QEMU's vhost_virtqueue_stop()
 * takes them when GET_VRING_BASE fails
 * (virtio_queue_restore_last_avail_idx()): split, the used ring's idx;
 * packed, nothing (QEMU has no record of a packed ring to restore it
 * from): q->base stays what the ring's last start sent. Into q->base, for
 * the next vu_dev_start().
 */
void vu_queues_restore_base(struct vu_front *f);

/* --- virtio-blk requests (vu_blk.c) --------------------------------------- */

#define VU_BLK_MAX_DATA		256

/*
 * A virtio-blk request: header {type, ioprio, sector} in one readable
 * buffer, @ndata data buffers (readable for OUT, DISCARD and
 * WRITE_ZEROES, writable for IN and GET_ID: vu_blk_submit sets .write by
 * @type unless VU_BLK_RAW_DIR), the status byte in one writable buffer.
 * Header and status live in the queue's command area.
 */
#define VU_BLK_RAW_DIR		(1U << 8)	/* keep data[].write as given */
#define VU_BLK_NO_STATUS	(1U << 9)	/* no status buffer */
#define VU_BLK_HDR_WRITABLE	(1U << 10)	/* header buffer device-writable */
#define VU_BLK_STATUS_READABLE	(1U << 11)	/* status buffer device-readable */
#define VU_BLK_PREPARE_ONLY	(1U << 12)	/* vu_vq_prepare(): publish it yourself */
#define VU_BLK_STATUS_UNSET	0xee		/* status byte before the device writes it */

struct vu_blk_req {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector;
	unsigned int ndata;
	struct vu_buf data[VU_BLK_MAX_DATA];
	unsigned int flags;	/* VU_CHAIN_INDIRECT, VU_BLK_* */
	/* Set by vu_blk_submit() and the completion. */
	int id;
	unsigned int cmd;	/* command slot */
	uint64_t hdr_gpa, status_gpa;
	bool done;
	uint8_t status;		/* VU_BLK_STATUS_UNSET if never written */
	uint32_t used_len;
	long long submitted;	/* order on its queue, for out-of-order checks */
};

/* Queue the request (no kick): 0, -ENOSPC (ring full) or an error. */
int vu_blk_submit(struct vu_queue *q, struct vu_blk_req *r);
/* Take one completion if there is one, without waiting: 1, 0 or an error. */
int vu_blk_poll(struct vu_queue *q, struct vu_blk_req **r);
/* Take one completion, waiting up to @timeout_ms: 1, 0 or an error. */
int vu_blk_reap(struct vu_queue *q, int timeout_ms, struct vu_blk_req **r);
/* Submit, kick, wait for this one (others completing are an error). */
int vu_blk_do(struct vu_queue *q, struct vu_blk_req *r, int timeout_ms);
/* One request with one data buffer: submit, kick, wait. */
int vu_blk_simple(struct vu_queue *q, uint32_t type, uint64_t sector,
		  uint64_t data_gpa, uint32_t len, int timeout_ms,
		  uint8_t *status, uint32_t *used_len);
const char *vu_blk_status_name(uint8_t status);

/* --- vhost-kernel transport (vu_vhost.c) ---------------------------------- */

/*
 * The same rings and guest memory, driven through a vhost-kernel character
 * device as QEMU's vhost-scsi-pci drives /dev/vhost-scsi: ioctls instead of
 * messages, and no guest: the kernel's vhost worker dereferences our own
 * mappings (the "QEMU virtual addresses") in our mm. The worker is a
 * thread of this process named "vhost-PID" (a kthread before Linux 6.4),
 * created by VHOST_SET_OWNER.
 */
#define VU_VHOST_SCSI_DEV	"/dev/vhost-scsi"

/* open @path, VHOST_SET_OWNER, VHOST_GET_FEATURES into f->features. */
int vu_vhost_open(struct vu_front *f, const char *path);
/*
 * VHOST_SET_FEATURES(@features), VHOST_SET_MEM_TABLE from f->regions,
 * then every queue's ring through vu_queue_start().
 */
int vu_vhost_start(struct vu_front *f, uint64_t features);
/* Clear the vhost-scsi endpoint if one is set, close the device. */
void vu_vhost_close(struct vu_front *f);

/*
 * vhost-scsi: VHOST_SCSI_GET_ABI_VERSION must be one we speak; then
 * VHOST_SCSI_SET_ENDPOINT to every target port group of @wwpn (e.g.
 * "naa.5001405000000001", the configfs directory's name under
 * /sys/kernel/config/target/vhost) that has an I_T nexus. Its target
 * number is the tpgt (tpgt_1: target 1). After vu_vhost_start(), as
 * QEMU does. A refusal is explained from configfs: no such WWPN, no
 * nexus, or in use by another vhost-scsi user (QEMU, say).
 */
int vu_vhost_scsi_check_abi(struct vu_front *f);
int vu_vhost_scsi_set_endpoint(struct vu_front *f, const char *wwpn);
int vu_vhost_scsi_clear_endpoint(struct vu_front *f);

/* --- virtio-scsi requests (vu_scsi.c) -------------------------------------- */

/* virtio-scsi's queues: control, event, then the request queues. */
#define VU_SCSI_VQ_CTL		0
#define VU_SCSI_VQ_EVT		1
#define VU_SCSI_VQ_IO		2

#define VU_SCSI_MAX_DATA	(VU_IND_MAX - 2)
/* The response byte before the device writes it. */
#define VU_SCSI_RESPONSE_UNSET	0xee

/* SCSI status (SAM), and the opcodes vdev-perf sends. */
#define VU_SCSI_GOOD		0x00
#define VU_SCSI_CHECK_CONDITION	0x02
#define VU_SCSI_TEST_UNIT_READY	0x00
#define VU_SCSI_READ_10		0x28
#define VU_SCSI_WRITE_10	0x2a
#define VU_SCSI_READ_16		0x88
#define VU_SCSI_WRITE_16	0x8a
#define VU_SCSI_SERVICE_IN_16	0x9e
#define VU_SCSI_SAI_READ_CAPACITY_16	0x10
#define VU_SCSI_SENSE_UNIT_ATTENTION	0x6

/*
 * A virtio-scsi command: its virtio_scsi_cmd_req and virtio_scsi_cmd_resp
 * live in guest memory of its own (vu_scsi_req_init()), written in place:
 * the CDB builders write r->hdr->cdb. The chain is the header (readable),
 * data-out buffers (WRITE), the response (writable), data-in buffers
 * (READ): a device reads everything readable before anything writable.
 */
struct vu_scsi_req {
	struct virtio_scsi_cmd_req *hdr;	/* our mapping of it */
	struct virtio_scsi_cmd_resp *resp;
	uint64_t hdr_gpa, resp_gpa;
	unsigned int ndata;
	struct vu_buf data[VU_SCSI_MAX_DATA];
	bool data_in;		/* the device writes the data (READ) */
	unsigned int flags;	/* VU_CHAIN_INDIRECT */
	/* Set by vu_scsi_submit() and the completion. */
	int id;
	bool done;
	uint8_t response;	/* VIRTIO_SCSI_S_*, VU_SCSI_RESPONSE_UNSET */
	uint8_t status;		/* SCSI status */
	uint32_t resid;
	uint32_t used_len;
};

#define VU_SCSI_MAX_LUN		0x3fff

/*
 * Guest memory (region 0) for @r's header and response, and its I_T_L
 * nexus: target @target (a tpgt), LUN @lun (flat space above 255).
 */
int vu_scsi_req_init(struct vu_front *f, struct vu_scsi_req *r,
		     uint8_t target, uint16_t lun);
/* Address another target and LUN with it. */
void vu_scsi_req_set_lun(struct vu_scsi_req *r, uint8_t target, uint16_t lun);
/* Queue the command in r->hdr (no kick): 0, -ENOSPC (ring full), error. */
int vu_scsi_submit(struct vu_queue *q, struct vu_scsi_req *r);
/* Take one completion if there is one, without waiting: 1, 0 or error. */
int vu_scsi_poll(struct vu_queue *q, struct vu_scsi_req **r);
/* Submit, kick, wait for this one (others completing are an error). */
int vu_scsi_do(struct vu_queue *q, struct vu_scsi_req *r, int timeout_ms);

/* CDBs, written into @cdb (VIRTIO_SCSI_CDB_SIZE bytes, zeroed past it). */
void vu_scsi_cdb_rw10(uint8_t *cdb, bool write, uint32_t lba,
		      uint16_t blocks);
void vu_scsi_cdb_rw16(uint8_t *cdb, bool write, uint64_t lba,
		      uint32_t blocks);
void vu_scsi_cdb_read_capacity16(uint8_t *cdb, uint32_t alloc_len);
void vu_scsi_cdb_test_unit_ready(uint8_t *cdb);

/* Did it complete with response OK, status GOOD and nothing left over? */
static inline bool vu_scsi_ok(const struct vu_scsi_req *r)
{
	return r->response == VIRTIO_SCSI_S_OK && r->status == VU_SCSI_GOOD &&
	       !r->resid;
}
/* The sense key (0 if none) and ASC/ASCQ of a completed command. */
uint8_t vu_scsi_sense_key(const struct vu_scsi_req *r, uint8_t *asc,
			  uint8_t *ascq);
/* "response OK, status CHECK CONDITION, sense 6/29/00" and the like. */
int vu_scsi_describe(const struct vu_scsi_req *r, char *buf, size_t len);
const char *vu_scsi_response_name(uint8_t response);

#endif /* _VU_FRONT_H */
