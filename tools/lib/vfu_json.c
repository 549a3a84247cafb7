// SPDX-License-Identifier: GPL-2.0
/*
 * vfu_json: the capabilities of a vfio-user VERSION message, read with
 * json_scan. vdevd reads a client's (untrusted); the selftests' client
 * reads the server's reply. The document is
 *
 *   {"capabilities": {"max_msg_fds": N, "max_data_xfer_size": N,
 *                     "max_dma_maps": N, "pgsizes": N, ...}, ...}
 *
 * where every part is optional; members vdev does not use are checked
 * for syntax and skipped. A known capability given twice or out of its
 * range is refused rather than guessed at.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "json_scan.h"
#include "vfu_wire.h"

/* The capabilities vdev reads, and where each goes. */
enum vfu_cap_id {
	VFU_CAP_MAX_MSG_FDS,
	VFU_CAP_MAX_DATA_XFER,
	VFU_CAP_MAX_DMA_MAPS,
	VFU_CAP_PGSIZES,
	VFU_CAP_COUNT,
};

static const struct vfu_cap_def {
	const char *name;
	uint64_t max;
} vfu_cap_defs[VFU_CAP_COUNT] = {
	[VFU_CAP_MAX_MSG_FDS] = { "max_msg_fds", UINT32_MAX },
	[VFU_CAP_MAX_DATA_XFER] = { "max_data_xfer_size", UINT64_MAX },
	[VFU_CAP_MAX_DMA_MAPS] = { "max_dma_maps", UINT32_MAX },
	[VFU_CAP_PGSIZES] = { "pgsizes", UINT64_MAX },
};

struct vfu_caps_ctx {
	struct vfu_caps *caps;
	unsigned int seen;		/* bit per enum vfu_cap_id */
	bool seen_caps;			/* "capabilities" itself */
};

void vfu_caps_default(struct vfu_caps *caps)
{
	caps->max_msg_fds = VFU_DEFAULT_MAX_MSG_FDS;
	caps->max_data_xfer_size = VFU_DEFAULT_MAX_DATA_XFER;
	caps->max_dma_maps = VFU_DEFAULT_MAX_DMA_MAPS;
	caps->pgsizes = VFU_DEFAULT_PGSIZES;
}

static void vfu_cap_store(struct vfu_caps *caps, enum vfu_cap_id id,
			  uint64_t v)
{
	switch (id) {
	case VFU_CAP_MAX_MSG_FDS:
		caps->max_msg_fds = v;
		break;
	case VFU_CAP_MAX_DATA_XFER:
		caps->max_data_xfer_size = v;
		break;
	case VFU_CAP_MAX_DMA_MAPS:
		caps->max_dma_maps = v;
		break;
	case VFU_CAP_PGSIZES:
		caps->pgsizes = v;
		break;
	case VFU_CAP_COUNT:
		break;
	}
}

static int vfu_cap_member(struct json_scan *s, const char *key, void *arg)
{
	struct vfu_caps_ctx *ctx = arg;
	unsigned int id;
	uint64_t v;

	for (id = 0; key && id < VFU_CAP_COUNT; id++)
		if (!strcmp(key, vfu_cap_defs[id].name))
			break;
	if (!key || id == VFU_CAP_COUNT)
		return json_scan_skip(s);
	if (ctx->seen & (1u << id))
		return json_scan_fail(s, "capability given twice");
	ctx->seen |= 1u << id;
	if (json_scan_u64(s, &v))
		return -EINVAL;
	if (v > vfu_cap_defs[id].max)
		return json_scan_fail(s, "capability out of range");
	vfu_cap_store(ctx->caps, id, v);
	return 0;
}

static int vfu_top_member(struct json_scan *s, const char *key, void *arg)
{
	struct vfu_caps_ctx *ctx = arg;

	if (!key || strcmp(key, "capabilities"))
		return json_scan_skip(s);
	if (ctx->seen_caps)
		return json_scan_fail(s, "\"capabilities\" given twice");
	ctx->seen_caps = true;
	return json_scan_object(s, vfu_cap_member, ctx);
}

int vfu_caps_parse(const char *json, size_t len, struct vfu_caps *caps,
		   char *why, size_t why_len)
{
	struct vfu_caps_ctx ctx = { .caps = caps };
	struct json_scan s;

	vfu_caps_default(caps);
	json_scan_init(&s, json, len);
	if (json_scan_object(&s, vfu_top_member, &ctx) || json_scan_end(&s)) {
		snprintf(why, why_len, "%s", json_scan_error(&s));
		vfu_caps_default(caps);
		return -EINVAL;
	}
	return 0;
}
