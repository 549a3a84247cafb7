// SPDX-License-Identifier: GPL-2.0
/*
 * vdevctl: send requests, print replies, and turn failures into a message
 * that says what went wrong and what to do, plus a named exit code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/capability.h>

#include "vdevctl.h"

/* A generic reason per errno; verbs refine it with their explain(). */
static const struct {
	int err;
	const char *why;
} vdevctl_whys[] = {
	{ ENOENT, "not found" },
	{ EEXIST, "already exists" },
	{ EBUSY, "busy" },
	{ EINVAL, "invalid argument" },
	{ ERANGE, "value out of range" },
	{ ENOTBLK, "not a block device" },
	{ EOPNOTSUPP, "not supported" },
	{ EBADMSG, "malformed reply from the kernel" },
};

int vdevctl_exit_code(int err)
{
	switch (-err) {
	case 0:
		return VDEVCTL_EXIT_OK;
	case EPERM:
	case EACCES:
		return VDEVCTL_EXIT_PERM;
	case ENOENT:
		return VDEVCTL_EXIT_NOTFOUND;
	case EEXIST:
		return VDEVCTL_EXIT_EXISTS;
	case EBUSY:
		return VDEVCTL_EXIT_BUSY;
	case EINVAL:
	case ERANGE:
	case ENOTBLK:
	case EROFS:
		return VDEVCTL_EXIT_INVAL;
	}
	return VDEVCTL_EXIT_ERROR;
}

/* CapEff from /proc: whether EPERM means "not root" or something else. */
bool vdevctl_has_net_admin(void)
{
	unsigned long long caps = 0;
	char line[256];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &caps) == 1;
	fclose(f);
	return caps & (1ULL << CAP_NET_ADMIN);
}

static void vdevctl_why_generic(struct vdevctl *ctx, int err,
				struct vdevctl_why *w)
{
	unsigned int i;

	snprintf(w->why, sizeof(w->why), "%s", strerror(-err));
	for (i = 0; i < VDEVCTL_ARRAY_SIZE(vdevctl_whys); i++)
		if (vdevctl_whys[i].err == -err)
			snprintf(w->why, sizeof(w->why), "%s",
				 vdevctl_whys[i].why);
	if ((err == -EPERM || err == -EACCES) && !vdevctl_has_net_admin())
		snprintf(w->why, sizeof(w->why),
			 "need CAP_NET_ADMIN: run as root");
	if (err == -EINVAL || err == -ERANGE)
		snprintf(w->hint, sizeof(w->hint),
			 "see 'vdevctl %s help' for valid values",
			 ctx->obj->name);
	if (err == -EINTR)
		snprintf(w->hint, sizeof(w->hint),
			 "the objects changed during the listing: run it again");
}

/* The kernel pointed at an attribute: name the option that set it. */
static void vdevctl_why_attr(struct vdevctl *ctx, uint16_t attr,
			     struct vdevctl_why *w)
{
	const struct vdevctl_opt *opt;

	if (!attr)
		return;
	opt = vdevctl_opt_by_attr(ctx->verb, attr);
	if (opt)
		snprintf(w->hint, sizeof(w->hint), "check %s", opt->name);
}

int vdevctl_nl_error(struct vdevctl *ctx, int err)
{
	struct vdevctl_why w = { "", "" };
	char ext[512];
	uint16_t attr;

	/* Format now: explain() may send a request and reset the extack. */
	vdevnl_ext_format(&ctx->nl.ext, ext, sizeof(ext));
	attr = ctx->nl.ext.attr;

	vdevctl_why_generic(ctx, err, &w);
	vdevctl_why_attr(ctx, attr, &w);
	if (ctx->verb && ctx->verb->explain)
		ctx->verb->explain(ctx, err, &w);

	if (ext[0])
		vdevctl_err(ctx, "%s: kernel: %s", w.why, ext);
	else
		vdevctl_err(ctx, "%s", w.why);
	if (w.hint[0])
		fprintf(stderr, "vdevctl: hint: %s\n", w.hint);
	return vdevctl_exit_code(err);
}

int vdevctl_nl_open(struct vdevctl *ctx)
{
	int err;

	if (ctx->nl_open)
		return VDEVCTL_EXIT_OK;
	err = vdevnl_open(&ctx->nl);
	if (err) {
		vdevctl_err(ctx, "cannot open a generic netlink socket: %s",
			    strerror(-err));
		return VDEVCTL_EXIT_ERROR;
	}
	ctx->nl_open = true;
	err = vdevnl_resolve(&ctx->nl);
	if (err == -ENOENT) {
		vdevctl_err(ctx, "vdev module not loaded (modprobe vdev / insmod kmod/vdev.ko)");
		return VDEVCTL_EXIT_NOMODULE;
	}
	if (err) {
		vdevctl_err(ctx, "cannot look up the vdev netlink family: %s",
			    strerror(-err));
		return VDEVCTL_EXIT_ERROR;
	}
	return VDEVCTL_EXIT_OK;
}

void vdevctl_nl_close(struct vdevctl *ctx)
{
	if (ctx->nl_open)
		vdevnl_close(&ctx->nl);
	ctx->nl_open = false;
}

static int vdevctl_nl_done(struct vdevctl *ctx, int err)
{
	char ext[512];

	fflush(stdout);
	if (err)
		return vdevctl_nl_error(ctx, err);
	/* An extack message on success is a warning worth showing. */
	if (vdevnl_ext_format(&ctx->nl.ext, ext, sizeof(ext)))
		vdevctl_err(ctx, "warning: kernel: %s", ext);
	return VDEVCTL_EXIT_OK;
}

/* Send the verb's do-request; print(nlh, ctx) prints each reply. */
int vdevctl_request(struct vdevctl *ctx, mnl_cb_t print)
{
	int ret;

	ret = vdevctl_nl_open(ctx);
	if (ret)
		return ret;
	return vdevctl_nl_done(ctx, vdevnl_do(&ctx->nl, ctx->req, print,
					      ctx));
}

/* Send the verb's dump-request; the replies print as one list. */
int vdevctl_dump(struct vdevctl *ctx, mnl_cb_t print)
{
	int ret;
	int err;

	ret = vdevctl_nl_open(ctx);
	if (ret)
		return ret;
	vdevctl_print_list_start(&ctx->out);
	err = vdevnl_dump(&ctx->nl, ctx->req, print, ctx);
	vdevctl_print_list_end(&ctx->out);
	return vdevctl_nl_done(ctx, err);
}

/* For error messages: tells "unknown controller" from "no such ns". */
bool vdevctl_ctrl_exists(struct vdevctl *ctx, const char *name)
{
	union {
		char buf[512];
		struct nlmsghdr align;
	} req;
	struct nlmsghdr *nlh;

	nlh = vdevnl_msg_start(req.buf, VDEV_CMD_CTRL_GET);
	if (!mnl_attr_put_strz_check(nlh, sizeof(req), VDEV_A_CTRL_NAME, name))
		return false;
	return vdevnl_do(&ctx->nl, nlh, NULL, NULL) != -ENOENT;
}
