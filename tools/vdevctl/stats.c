// SPDX-License-Identifier: GPL-2.0
/*
 * vdevctl stats: the virtqueues of connected controllers and their
 * counters (queue-get), a table row or a JSON object per queue.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "vdevctl.h"

/* A field of struct vdevnl_queue: attribute, kind, member, JSON, text. */
#define VDEVCTL_QUEUE(attr, kind, m, key, label)			\
	VDEVCTL_FIELD(VDEV_A_QUEUE_##attr, key, label, VDEVCTL_F_##kind,	\
		      offsetof(struct vdevnl_queue, m))

static void vdevctl_queue_print_state(struct vdevctl_out *o, const void *obj);

/*
 * JSON has every attribute under its spec name; the text table has the
 * counters one watches, in this order. The controller is the row's
 * header (CTRL column).
 */
static const struct vdevctl_field vdevctl_queue_fields[] = {
	VDEVCTL_QUEUE(CTRL_ID, U32, ctrl_id, "ctrl-id", NULL),
	VDEVCTL_QUEUE(CTRL_NAME, STR, ctrl_name, "ctrl-name", NULL),
	VDEVCTL_QUEUE(INDEX, U32, index, "index", "queue"),
	VDEVCTL_QUEUE(STARTED, BOOL, started, "started", NULL),
	VDEVCTL_QUEUE(ENABLED, BOOL, enabled, "enabled", NULL),
	VDEVCTL_QUEUE(BROKEN, BOOL, broken, "broken", NULL),
	VDEVCTL_CUSTOM(0, "state", vdevctl_queue_print_state),
	VDEVCTL_QUEUE(CPU, U32, cpu, "cpu", "cpu"),
	VDEVCTL_QUEUE(SIZE, U32, size, "size", "size"),
	VDEVCTL_QUEUE(INFLIGHT, U32, inflight, "inflight", "inflight"),
	VDEVCTL_QUEUE(READS, U64, reads, "reads", "reads"),
	VDEVCTL_QUEUE(READ_BYTES, U64, read_bytes, "read-bytes", "read-bytes"),
	VDEVCTL_QUEUE(WRITES, U64, writes, "writes", "writes"),
	VDEVCTL_QUEUE(WRITE_BYTES, U64, write_bytes,
		      "write-bytes", "write-bytes"),
	VDEVCTL_QUEUE(FLUSHES, U64, flushes, "flushes", "flushes"),
	VDEVCTL_QUEUE(DISCARDS, U64, discards, "discards", "discards"),
	VDEVCTL_QUEUE(DISCARD_BYTES, U64, discard_bytes, "discard-bytes", NULL),
	VDEVCTL_QUEUE(WRITE_ZEROES, U64, write_zeroes, "write-zeroes", NULL),
	VDEVCTL_QUEUE(WRITE_ZEROES_BYTES, U64, write_zeroes_bytes,
		      "write-zeroes-bytes", NULL),
	VDEVCTL_QUEUE(OTHER, U64, other, "other", NULL),
	VDEVCTL_QUEUE(ERRORS, U64, errors, "errors", "errors"),
	VDEVCTL_QUEUE(UNSUPPORTED, U64, unsupported, "unsupported", NULL),
	VDEVCTL_QUEUE(BAD_CHAINS, U64, bad_chains, "bad-chains", NULL),
	VDEVCTL_QUEUE(KICKS, U64, kicks, "kicks", "kicks"),
	VDEVCTL_QUEUE(CALLS, U64, calls, "calls", "calls"),
	VDEVCTL_QUEUE(POLLED, U64, polled, "polled", NULL),
	VDEVCTL_QUEUE(REQUEUES, U64, requeues, "requeues", NULL),
};

/* Text: the three flags in one cell, "none" if none (as ns's flags). */
static void vdevctl_queue_print_state(struct vdevctl_out *o, const void *obj)
{
	const struct vdevnl_queue *q = obj;
	const struct vdevctl_flag flags[] = {
		{ q->started, "started" },
		{ q->enabled, "enabled" },
		{ q->broken, "broken" },
	};

	vdevctl_print_flag_list(o, "state", flags, VDEVCTL_ARRAY_SIZE(flags));
}

static void vdevctl_queue_print(struct vdevctl_out *o,
				const struct vdevnl_queue *q)
{
	char header[32];

	if (VDEVNL_HAS(q, VDEV_A_QUEUE_CTRL_NAME))
		snprintf(header, sizeof(header), "%s", q->ctrl_name);
	else
		snprintf(header, sizeof(header), "id %u", q->ctrl_id);
	vdevctl_print_obj_start(o, NULL, "ctrl", header);
	vdevctl_print_fields(o, vdevctl_queue_fields,
			     VDEVCTL_ARRAY_SIZE(vdevctl_queue_fields), q,
			     q->present);
	vdevctl_print_obj_end(o);
}

static int vdevctl_stats_print_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vdevctl *ctx = data;
	struct vdevnl_queue q;
	int err;

	err = vdevnl_queue_parse(nlh, &q);
	if (err) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	vdevctl_queue_print(&ctx->out, &q);
	ctx->nobjs++;
	return MNL_CB_OK;
}

/*
 * A controller without a front end has no queues: the kernel sends
 * nothing for it. Asked for one such controller, say so in text (JSON's
 * empty array says it already); listing them all, leave them out, as
 * ctrl list prints nothing when there is nothing.
 */
static int vdevctl_stats_run(struct vdevctl *ctx)
{
	int ret;

	ctx->nobjs = 0;
	ret = vdevctl_dump(ctx, vdevctl_stats_print_cb);
	if (!ret && !ctx->nobjs && ctx->args.npos && !ctx->json)
		vdevctl_err(ctx, "no front end attached");
	return ret;
}

static void vdevctl_stats_explain(struct vdevctl *ctx, int err,
				  struct vdevctl_why *w)
{
	const char *ctrl = ctx->args.pos[0];

	if (err == -ENOENT && ctrl) {
		snprintf(w->why, sizeof(w->why), "unknown controller '%s'",
			 ctrl);
		snprintf(w->hint, sizeof(w->hint),
			 "list controllers with 'vdevctl ctrl list'");
	}
}

static const struct vdevctl_opt vdevctl_stats_pos[] = {
	{ .name = "CTRL", .attr = VDEV_A_QUEUE_CTRL_NAME,
	  .put = vdevctl_put_str },
};

static const struct vdevctl_verb vdevctl_stats_verbs[] = {
	{
		.usage = "[CTRL]",
		.cmd = VDEV_CMD_QUEUE_GET,
		.pos = vdevctl_stats_pos, .min_pos = 0, .max_pos = 1,
		.run = vdevctl_stats_run,
		.explain = vdevctl_stats_explain,
	},
	{ }
};

const struct vdevctl_object vdevctl_stats_object = {
	.name = "stats",
	.verbs = vdevctl_stats_verbs,
	.help =
	"A row per virtqueue of controller CTRL, or of every controller, with\n"
	"its counters since the front end attached; a controller without a\n"
	"front end has no queues (\"no front end attached\" when named).\n"
	"\n"
	"  QUEUE        virtqueue index\n"
	"  STATE        started (a poller serves it), enabled (by the front\n"
	"               end), broken (needs a device reset), or none\n"
	"  CPU          the poller's CPU, while started\n"
	"  SIZE         ring size the front end set\n"
	"  INFLIGHT     requests fetched and not yet completed\n"
	"  READS, WRITES, FLUSHES, DISCARDS\n"
	"               requests of each type, failed ones included\n"
	"  READ-BYTES, WRITE-BYTES\n"
	"               the data those reads and writes asked for\n"
	"  ERRORS       requests completed with an I/O error\n"
	"  KICKS        notifications from the front end that found work\n"
	"  CALLS        interrupts signalled to the front end\n"
	"\n"
	"With --json, an array of an object per queue with every counter,\n"
	"keys as the spec names them (also discard-bytes, write-zeroes,\n"
	"write-zeroes-bytes, other, unsupported, bad-chains, polled,\n"
	"requeues):\n"
	"  [{\"ctrl-id\":1,\"ctrl-name\":\"r0\",\"index\":0,\"started\":true,...}]\n",
};
