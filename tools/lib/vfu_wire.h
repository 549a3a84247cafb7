/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfu_wire: the vfio-user wire format, as the client (QEMU's vfio-user-pci)
 * sends it over the unix socket. Shared by vdevd (which decodes it into
 * the VDEV_VFU_IOC ioctls) and the selftests' client in tools/lib/vfu
 * (which encodes it). Command ids and header flags are the uapi's (enum
 * vdev_vfu_command, VDEV_VFU_TYPE_*, VDEV_VFU_F_*); the structs the
 * protocol borrows from VFIO (region, irq and device info, irq sets, the
 * sparse mmap capability) are <linux/vfio.h>'s, and so are their flags
 * and the VFIO_PCI_*_INDEX numbers.
 *
 * All data is in the host's byte order, as the protocol says for peers on
 * one host.
 */
#ifndef _VFU_WIRE_H
#define _VFU_WIRE_H

#include <stdint.h>
#include <linux/vdev.h>
#include <linux/vfio.h>

/* Commands the uapi does not name, because the kernel applies none. */
#define VFU_CMD_DMA_WRITE		12
#define VFU_CMD_REGION_WRITE_MULTI	15
#define VFU_CMD_DEVICE_FEATURE		16
#define VFU_CMD_MIG_DATA_READ		17
#define VFU_CMD_MIG_DATA_WRITE		18

/* Every header flag bit the protocol defines; others break the framing. */
#define VFU_FLAGS_KNOWN		((uint32_t)(VDEV_VFU_TYPE_MASK | \
					    VDEV_VFU_F_NO_REPLY | \
					    VDEV_VFU_F_ERROR))

/* The 16-byte header that starts every message, command or reply. */
struct vfu_wire_hdr {
	uint16_t msg_id;
	uint16_t command;
	uint32_t msg_size;	/* the whole message, header included */
	uint32_t flags;
	uint32_t error;		/* an errno in an error reply; 0 otherwise */
} __attribute__((packed));

#define VFU_WIRE_HDR_SIZE	sizeof(struct vfu_wire_hdr)

/* VERSION: then optional NUL-terminated JSON (the capabilities). */
struct vfu_wire_version {
	uint16_t major;
	uint16_t minor;
} __attribute__((packed));

/* The protocol version both sides speak: 0.1 at most. */
#define VFU_VERSION_MAJOR	0
#define VFU_VERSION_MINOR	1

/* DMA_MAP; flags are VDEV_VFU_DMA_READ_OK / _WRITE_OK. */
struct vfu_wire_dma_map {
	uint32_t argsz;
	uint32_t flags;
	uint64_t offset;	/* into the fd that comes with it */
	uint64_t addr;
	uint64_t size;
};

/* DMA_UNMAP, and its reply (the request echoed). */
struct vfu_wire_dma_unmap {
	uint32_t argsz;
	uint32_t flags;
	uint64_t addr;
	uint64_t size;
};

/*
 * DEVICE_GET_INFO is struct vfio_device_info without its capability
 * offset (the protocol's is 16 bytes), request and reply alike.
 */
struct vfu_wire_device_info {
	uint32_t argsz;
	uint32_t flags;		/* VFIO_DEVICE_FLAGS_* */
	uint32_t num_regions;
	uint32_t num_irqs;
};

/*
 * GET_REGION_INFO is struct vfio_region_info, capabilities after it in
 * the reply; GET_IRQ_INFO struct vfio_irq_info; SET_IRQS struct
 * vfio_irq_set, then count bytes of DATA_BOOL or nothing.
 */

/* REGION_READ and REGION_WRITE: then count bytes of data. */
struct vfu_wire_region_rw {
	uint64_t offset;
	uint32_t region;
	uint32_t count;
};

/* What the protocol assumes of a peer whose VERSION names no value. */
#define VFU_DEFAULT_MAX_MSG_FDS		1
#define VFU_DEFAULT_MAX_DATA_XFER	(1024 * 1024)
#define VFU_DEFAULT_MAX_DMA_MAPS	65535
#define VFU_DEFAULT_PGSIZES		4096

/*
 * The capabilities of a VERSION message that vdev uses; others (migration,
 * twin_socket, write_multiple) are skipped.
 */
struct vfu_caps {
	uint32_t max_msg_fds;
	uint32_t max_dma_maps;
	uint64_t max_data_xfer_size;
	uint64_t pgsizes;
};

/*
 * Parse VERSION's JSON: @len bytes at @json, which need not be
 * terminated. Fields the JSON does not name get the protocol's defaults.
 * Returns 0, or -EINVAL with a reason in @why (untrusted input: malformed
 * JSON, a capability of the wrong type or range, a key given twice).
 * vfu_json.c.
 */
int vfu_caps_parse(const char *json, size_t len, struct vfu_caps *caps,
		   char *why, size_t why_len);
void vfu_caps_default(struct vfu_caps *caps);

_Static_assert(sizeof(struct vfu_wire_hdr) == VDEV_VFU_HDR_SIZE,
	       "vfio-user header");
_Static_assert(sizeof(struct vfu_wire_version) == 4, "VERSION");
_Static_assert(sizeof(struct vfu_wire_dma_map) == 32, "DMA_MAP");
_Static_assert(sizeof(struct vfu_wire_dma_unmap) == 24, "DMA_UNMAP");
_Static_assert(sizeof(struct vfu_wire_device_info) == 16, "DEVICE_GET_INFO");
_Static_assert(sizeof(struct vfio_region_info) == 32, "GET_REGION_INFO");
_Static_assert(sizeof(struct vfio_irq_info) == 16, "GET_IRQ_INFO");
_Static_assert(sizeof(struct vfio_irq_set) == 20, "SET_IRQS");
_Static_assert(sizeof(struct vfio_info_cap_header) == 8, "cap header");
_Static_assert(sizeof(struct vfio_region_info_cap_sparse_mmap) == 16,
	       "sparse mmap cap");
_Static_assert(sizeof(struct vfio_region_sparse_mmap_area) == 16,
	       "sparse mmap area");
_Static_assert(sizeof(struct vfu_wire_region_rw) == 16, "REGION_READ/WRITE");
_Static_assert(VDEV_VFU_MAX_MSG == VDEV_VFU_HDR_SIZE +
	       sizeof(struct vfu_wire_region_rw) + VDEV_VFU_MAX_XFER,
	       "the largest message is a full REGION_WRITE");

#endif /* _VFU_WIRE_H */
