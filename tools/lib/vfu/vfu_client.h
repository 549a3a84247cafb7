/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfu_client: a vfio-user client for the selftests. It plays QEMU's
 * vfio-user-pci over a real unix socket (vdevd's, or any vfio-user
 * server's): one sendmsg() per message, header, payload and fds together,
 * as QEMU sends them; every reply read with a timeout and checked (the
 * same message id and command, the reply type, the sizes).
 *
 * Every function returns 0 or a negative errno, and on failure leaves a
 * one-line explanation in c->err for the caller to log:
 *
 *   -E...         with c->remote_err set to E...: the server's error
 *                 reply carried that errno
 *   -ETIMEDOUT    nothing (or not all of a message) came in time
 *   -ECONNRESET   the server hung up (EOF, ECONNRESET, EPIPE)
 *   -EPROTO       a reply broke the protocol
 *   other         a system call failed, or the caller's arguments
 *
 * c->remote_err is 0 unless the last failure was the server's refusal.
 */
#ifndef _VFU_CLIENT_H
#define _VFU_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfu_wire.h"

/* Most fds one message may carry either way (vdev's max_msg_fds). */
#define VFU_MAX_FDS		16
/* Largest payload vfu_recv() takes: a read reply of 64 KiB, with room. */
#define VFU_MAX_PAYLOAD		(64 * 1024 + 64)
/* Sparse mmap areas kept of one region. */
#define VFU_MAX_AREAS		8
#define VFU_DEFAULT_TIMEOUT_MS	5000

struct vfu_client {
	int fd;
	uint16_t next_id;
	int timeout_ms;
	struct vfu_caps ours;		/* what vfu_version() proposes */
	struct vfu_caps server;		/* the VERSION reply's */
	uint16_t major, minor;		/* negotiated */
	int remote_err;
	char err[256];
};

/* One message as received; the caller owns its fds. */
struct vfu_msg {
	struct vfu_wire_hdr hdr;
	uint32_t size;			/* payload bytes */
	int fds[VFU_MAX_FDS];
	unsigned int nfds;
	uint8_t payload[VFU_MAX_PAYLOAD];
};

/* A region as GET_REGION_INFO described it. */
struct vfu_region {
	struct vfio_region_info info;	/* as the last reply had it */
	uint32_t first_argsz;		/* what the first reply asked for */
	bool sparse;			/* a sparse mmap capability came */
	uint32_t nr_areas;
	struct vfio_region_sparse_mmap_area areas[VFU_MAX_AREAS];
	int fd;				/* sent with it, or -1 */
};

/* Guest memory: a memfd (share=on), mapped here for the test to use. */
struct vfu_mem {
	int fd;
	uint8_t *host;
	uint64_t size;
};

void vfu_init(struct vfu_client *c);
void vfu_close(struct vfu_client *c);
int vfu_fail(struct vfu_client *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
long long vfu_now_ms(void);
void vfu_sleep_ms(int ms);
const char *vfu_cmd_name(uint16_t command);

/* --- connection ---------------------------------------------------------- */

/* Connect, retrying while the path is missing or refuses. */
int vfu_connect(struct vfu_client *c, const char *path, int timeout_ms);
/*
 * Connect and negotiate (vfu_version() with our capabilities), retrying
 * while the server hangs up on us: the previous session may still be
 * ending when a test reconnects.
 */
int vfu_open(struct vfu_client *c, const char *path, int timeout_ms);

/* --- messages ------------------------------------------------------------ */

/* A header exactly as given (any size, flags, id), then payload and fds. */
int vfu_send_raw(struct vfu_client *c, const struct vfu_wire_hdr *h,
		 const void *payload, size_t len, const int *fds,
		 unsigned int nfds);
/* A command with the next id and its true size; the id in *id. */
int vfu_send(struct vfu_client *c, uint16_t command, uint32_t flags,
	     const void *payload, size_t len, const int *fds,
	     unsigned int nfds, uint16_t *id);
int vfu_recv(struct vfu_client *c, struct vfu_msg *m, int timeout_ms);
/*
 * The reply to (@command, @id): -EPROTO if it is another message, the
 * error reply's -errno (c->remote_err) if it is one. Fds that came with
 * it stay in @m for the caller.
 */
int vfu_recv_reply(struct vfu_client *c, uint16_t command, uint16_t id,
		   struct vfu_msg *m);
/* Send a command, read its reply into @reply (may be NULL: no payload). */
int vfu_call(struct vfu_client *c, uint16_t command, const void *payload,
	     size_t len, const int *fds, unsigned int nfds,
	     struct vfu_msg *reply);
void vfu_msg_close_fds(struct vfu_msg *m);
/* Nothing may arrive for @ms. */
int vfu_expect_no_reply(struct vfu_client *c, int ms);
/* The server must hang up within @ms, without sending anything. */
int vfu_expect_hangup(struct vfu_client *c, int ms);

/* --- commands ------------------------------------------------------------ */

/*
 * VERSION: propose @major.@minor with @json (NULL: our capabilities,
 * c->ours, as QEMU writes them). The reply's version and capabilities
 * are checked against the protocol's rules and kept in c.
 */
int vfu_version(struct vfu_client *c, uint16_t major, uint16_t minor,
		const char *json);
int vfu_device_info(struct vfu_client *c, struct vfu_wire_device_info *info);
/*
 * GET_REGION_INFO as VFIO clients do it: first with room for the bare
 * struct, then again with the argsz the reply asked for, capabilities
 * parsed. r->fd is the fd the final reply carried (vfu_region_put()).
 */
int vfu_region_info(struct vfu_client *c, uint32_t index,
		    struct vfu_region *r);
void vfu_region_put(struct vfu_region *r);
/* mmap sparse area @area of @r through its fd; NULL on failure. */
void *vfu_region_mmap(struct vfu_client *c, const struct vfu_region *r,
		      unsigned int area);
int vfu_irq_info(struct vfu_client *c, uint32_t index,
		 struct vfio_irq_info *info);
/*
 * SET_IRQS of @count vectors from @start. DATA_EVENTFD with @fds: one
 * message per c->server.max_msg_fds eventfds, as QEMU splits them;
 * DATA_BOOL: @bools, count bytes; otherwise no data.
 */
int vfu_set_irqs(struct vfu_client *c, uint32_t index, uint32_t flags,
		 uint32_t start, uint32_t count, const int *fds,
		 const uint8_t *bools);
int vfu_mem_create(struct vfu_client *c, struct vfu_mem *m, uint64_t size);
void vfu_mem_destroy(struct vfu_mem *m);
/*
 * DMA_MAP of @size bytes at @offset of @m's memfd to @iova; @m NULL sends
 * no fd. @flags: VDEV_VFU_DMA_READ_OK | _WRITE_OK.
 */
int vfu_dma_map(struct vfu_client *c, const struct vfu_mem *m,
		uint64_t offset, uint64_t iova, uint64_t size, uint32_t flags);
/* DMA_UNMAP; the reply must echo the request. */
int vfu_dma_unmap(struct vfu_client *c, uint64_t iova, uint64_t size);
/* REGION_READ/WRITE, split by the server's max_data_xfer_size. */
int vfu_region_read(struct vfu_client *c, uint32_t region, uint64_t offset,
		    void *buf, size_t len);
int vfu_region_write(struct vfu_client *c, uint32_t region, uint64_t offset,
		     const void *buf, size_t len);
int vfu_reset(struct vfu_client *c);

#endif /* _VFU_CLIENT_H */
