/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vu_front: a vhost-user front end for the selftests. It plays QEMU over
 * the real unix socket that vdevd serves: one sendmsg() per message (the
 * 12-byte header, the payload and any fds as SCM_RIGHTS together, as QEMU
 * sends them), replies read with a timeout.
 *
 * Every function returns 0 or a negative errno, and on failure leaves a
 * one-line explanation in f->err for the test to log:
 *
 *   -ETIMEDOUT    nothing (or not all of a message) came in time
 *   -ECONNRESET   the back end hung up (EOF, ECONNRESET, EPIPE)
 *   -EPROTO       a reply broke the wire rules (flags not 0x5, another
 *                 request's id, wrong size, unexpected message)
 *   -EREMOTEIO    the back end refused: an ack with a non-zero value (kept
 *                 in f->last_ack), or an empty GET_CONFIG reply
 *   other         a system call failed
 *
 * Milestone 1 (negotiation, no rings) is what is here. Later milestones add
 * to struct vu_front, not beside it: guest memory (memfd or hugetlbfs
 * regions, mapped here, sent with ADD_MEM_REG/SET_MEM_TABLE through
 * vu_send() with their fds) and split/packed ring drivers (per-queue
 * state, kick/call eventfds sent with SET_VRING_KICK/CALL). The message
 * layer below (vu_send, vu_recv, vu_recv_ack, vu_fence) already carries
 * fds both ways for them.
 */
#ifndef _VU_FRONT_H
#define _VU_FRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>
#include <linux/virtio_blk.h>

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
#define VU_PROTOCOL_OFFERED	(VU_PF(MQ) | VU_PF(REPLY_ACK) | \
				 VU_PF(BACKEND_REQ) | VU_PF(CONFIG) | \
				 VU_PF(RESET_DEVICE) | \
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

struct vu_front {
	int fd;			/* the connection, -1 when closed */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int timeout_ms;		/* for replies; VU_DEFAULT_TIMEOUT_MS */

	/* Negotiation, as the helpers below saw it. */
	uint64_t features;		/* offered (last GET_FEATURES) */
	uint64_t acked_features;	/* last SET_FEATURES accepted */
	uint64_t protocol_features;	/* offered (GET_PROTOCOL_FEATURES) */
	uint64_t acked_protocol;	/* last SET_PROTOCOL_FEATURES sent */
	/*
	 * Set NEED_REPLY on requests without their own reply and wait for
	 * the ack. vu_set_protocol_features() turns it on once REPLY_ACK is
	 * negotiated (and off otherwise); tests may flip it.
	 */
	bool need_reply;

	int backend_fd;		/* our end of SET_BACKEND_REQ_FD's channel */
	uint64_t last_ack;	/* value of the last non-zero ack */
	char err[512];		/* why the last call failed */
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
 *   QEMU's, no NEED_REPLY), GET_QUEUE_NUM, GET_MAX_MEM_SLOTS,
 *   SET_BACKEND_REQ_FD (NEED_REPLY), SET_OWNER (no NEED_REPLY),
 *   [GET_FEATURES, per queue SET_VRING_CALL(i) and SET_VRING_ERR(i) with
 *   an eventfd], GET_CONFIG (offset 0, size 57, flags 0)
 *
 * The bracketed part is sent only with VU_REALIZE_FULL: the design's
 * sequence ("Features offered") omits it, but vhost_dev_init() sends it
 * before vhost-user-blk's GET_CONFIG. With VU_REALIZE_OPENED the first
 * GET_FEATURES is taken as done: the connection comes from vu_open(),
 * which sent it as the connection's first message. @cfg gets the config
 * read.
 */
#define VU_REALIZE_FULL		(1U << 0)
#define VU_REALIZE_OPENED	(1U << 1)
int vu_qemu72_realize(struct vu_front *f, unsigned int nqueues,
		      unsigned int flags, struct virtio_blk_config *cfg);

/* Name of a request id, for messages. */
const char *vu_req_name(uint32_t request);

#endif /* _VU_FRONT_H */
