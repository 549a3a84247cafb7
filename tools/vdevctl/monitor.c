// SPDX-License-Identifier: GPL-2.0
/*
 * vdevctl monitor: print the vdev family's notifications, one per line,
 * until interrupted.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "vdevctl.h"

static const char *const vdevctl_events[] = {
	[VDEV_CMD_CTRL_NEW_NTF] = "ctrl-new",
	[VDEV_CMD_CTRL_DEL_NTF] = "ctrl-del",
	[VDEV_CMD_CTRL_CHANGE_NTF] = "ctrl-change",
	[VDEV_CMD_NS_ADD_NTF] = "ns-add",
	[VDEV_CMD_NS_DEL_NTF] = "ns-del",
	[VDEV_CMD_NS_CHANGE_NTF] = "ns-change",
};

/*
 * The notifications this monitor knows, by name; NULL for other commands
 * (requests such as QUEUE_GET share the numbering) and for events a newer
 * kernel adds.
 */
static const char *vdevctl_event_str(uint8_t cmd)
{
	return cmd < VDEVCTL_ARRAY_SIZE(vdevctl_events) ?
	       vdevctl_events[cmd] : NULL;
}

static bool vdevctl_event_is_ctrl(uint8_t cmd)
{
	switch (cmd) {
	case VDEV_CMD_CTRL_NEW_NTF:
	case VDEV_CMD_CTRL_DEL_NTF:
	case VDEV_CMD_CTRL_CHANGE_NTF:
		return true;
	}
	return false;
}

/*
 * Every event was flushed when it was printed, so an interrupt has
 * nothing left to do but exit successfully; _exit() is signal safe and
 * avoids racing a flag against a blocking recv().
 */
static void vdevctl_monitor_stop(int sig)
{
	(void)sig;
	_exit(VDEVCTL_EXIT_OK);
}

static int vdevctl_monitor_event(struct vdevctl *ctx, uint8_t cmd,
				 const struct nlmsghdr *nlh)
{
	struct vdevctl_out *o = &ctx->out;
	struct vdevnl_ctrl ctrl;
	struct vdevnl_ns ns;
	const char *name = vdevctl_event_str(cmd);
	bool is_ctrl = vdevctl_event_is_ctrl(cmd);
	int err;

	err = is_ctrl ? vdevnl_ctrl_parse(nlh, &ctrl) :
			vdevnl_ns_parse(nlh, &ns);
	if (err) {
		vdevctl_err(ctx, "malformed %s event: %s", name,
			    strerror(-err));
		return err;
	}
	vdevctl_print_obj_start(o, NULL, NULL, name);
	vdevctl_print_str(o, "event", NULL, name);
	if (is_ctrl)
		vdevctl_ctrl_print(o, "ctrl", &ctrl);
	else
		vdevctl_ns_print(o, "ns", &ns);
	vdevctl_print_obj_end(o);
	/* Readers of a pipe see each event as it happens. */
	fflush(o->f);
	return 0;
}

static int vdevctl_monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vdevctl *ctx = data;
	uint8_t cmd = vdevnl_msg_cmd(nlh);

	/* Events a newer kernel adds are skipped, not fatal. */
	if (nlh->nlmsg_type != ctx->nl.family_id || !vdevctl_event_str(cmd))
		return MNL_CB_OK;
	vdevctl_monitor_event(ctx, cmd, nlh);
	return MNL_CB_OK;
}

static int vdevctl_monitor_join(struct vdevctl *ctx)
{
	struct sigaction sa = { .sa_handler = vdevctl_monitor_stop };
	int err;

	err = vdevnl_join_events(&ctx->nl);
	if (err == -EOPNOTSUPP) {
		vdevctl_err(ctx, "the vdev module has no '%s' multicast group",
			    VDEV_MCGRP_EVENTS);
		return VDEVCTL_EXIT_ERROR;
	}
	if (err)
		return vdevctl_nl_error(ctx, err);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return VDEVCTL_EXIT_OK;
}

static int vdevctl_monitor_run(struct vdevctl *ctx)
{
	int ret;
	int err;

	ret = vdevctl_nl_open(ctx) ?: vdevctl_monitor_join(ctx);
	if (ret)
		return ret;
	vdevctl_print_init(&ctx->out, stdout, ctx->json, true);
	for (;;) {
		err = vdevnl_recv_events(&ctx->nl, vdevctl_monitor_cb, ctx);
		if (err == -EINTR)
			continue;
		if (err == -ENOBUFS) {
			/* The socket overflowed: say so, keep watching. */
			vdevctl_err(ctx, "events lost: receive buffer overrun");
			continue;
		}
		if (err)
			return vdevctl_nl_error(ctx, err);
	}
}

static const struct vdevctl_verb vdevctl_monitor_verbs[] = {
	{
		.usage = "",
		.run = vdevctl_monitor_run,
	},
	{ }
};

const struct vdevctl_object vdevctl_monitor_object = {
	.name = "monitor",
	.verbs = vdevctl_monitor_verbs,
	.help =
	"Print an event per line until interrupted: ctrl-new, ctrl-del,\n"
	"ctrl-change (a guest attached or left), ns-add, ns-del and ns-change\n"
	"(a backing device was resized or went away), each followed by the\n"
	"object's fields\n"
	"as \"label value\" pairs:\n"
	"  ctrl-new r0 id 1 type virtio-blk state idle queues 1 ...\n"
	"  ns-add r0 nsid 1 path /dev/nullb0 read-only no size 1073741824 ...\n"
	"With --json, an object per line:\n"
	"  {\"event\":\"ns-add\",\"ns\":{\"ctrl-id\":1,...}}\n"
	"  {\"event\":\"ctrl-new\",\"ctrl\":{\"id\":1,\"name\":\"r0\",...}}\n",
};
