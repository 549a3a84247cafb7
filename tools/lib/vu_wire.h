/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vu_wire: the vhost-user wire format, as the front end (QEMU) sends it
 * over the unix socket. Shared by vdevd (which decodes it into session
 * ioctls), the selftests' front end and vdev-perf (which encode it).
 * Request ids, header flags and protocol feature bits are the uapi's
 * (enum vdev_vu_request, VDEV_VU_FLAG_*, VDEV_VU_PROTOCOL_F_*).
 *
 * Every field is little-endian on the wire; vdev runs on little-endian
 * hosts only, so the structs are used as they are.
 */
#ifndef _VU_WIRE_H
#define _VU_WIRE_H

#include <stdint.h>
#include <linux/vdev.h>

/* The 12-byte header that starts every message. */
struct vu_wire_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;		/* payload bytes that follow */
} __attribute__((packed));

#define VU_WIRE_HDR_SIZE	sizeof(struct vu_wire_hdr)

/* SET_LOG_BASE: the log's size and where it starts in the fd */
struct vu_wire_log {
	uint64_t mmap_size;
	uint64_t mmap_offset;
};

/* SET/GET_VRING_NUM, BASE, ENABLE */
struct vu_wire_vring_state {
	uint32_t index;
	uint32_t num;
};

/* SET_VRING_ADDR */
struct vu_wire_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_uaddr;
	uint64_t used_uaddr;
	uint64_t avail_uaddr;
	uint64_t log_gaddr;
};

/* SET_VRING_KICK/CALL/ERR: bits 0-7 index, bit 8 "no fd" */
#define VU_WIRE_VRING_IDX_MASK	0xffULL
#define VU_WIRE_VRING_NOFD	(1ULL << 8)

struct vu_wire_region {
	uint64_t guest_addr;
	uint64_t size;
	uint64_t user_addr;
	uint64_t mmap_offset;
};

/* SET_MEM_TABLE: nregions, padding, then the regions */
struct vu_wire_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vu_wire_region regions[VDEV_VU_MAX_REGIONS];
};

/* ADD_MEM_REG, REM_MEM_REG: 8 bytes of padding, then one region */
struct vu_wire_mem_reg {
	uint64_t padding;
	struct vu_wire_region region;
};

/* GET_CONFIG, SET_CONFIG: 12 bytes, then size bytes of config space */
struct vu_wire_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t data[VDEV_VU_MAX_CONFIG];
};

#define VU_WIRE_CONFIG_HDR_SIZE	12

/*
 * GET_INFLIGHT_FD, SET_INFLIGHT_FD: the inflight region, @mmap_size bytes
 * at @mmap_offset of the message's fd (SET, and GET's reply), laid out
 * for @num_queues rings of @queue_size entries. 24 bytes, as QEMU, DPDK
 * and libvhost-user send it.
 */
struct vu_wire_inflight {
	uint64_t mmap_size;
	uint64_t mmap_offset;
	uint16_t num_queues;
	uint16_t queue_size;
	uint32_t padding;
};

#endif /* _VU_WIRE_H */
