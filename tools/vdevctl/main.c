// SPDX-License-Identifier: GPL-2.0
/*
 * vdevctl: entry point, global options, and the dispatch of
 * "vdevctl [--json] OBJECT VERB ARGS" through the object and verb tables.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vdevctl.h"

static const struct vdevctl_object *const vdevctl_objects[] = {
	&vdevctl_ctrl_object,
	&vdevctl_ns_object,
	&vdevctl_stats_object,
	&vdevctl_monitor_object,
};

static const struct {
	const char *name;
	const char *desc;
} vdevctl_exits[VDEVCTL_EXIT_MAX + 1] = {
	[VDEVCTL_EXIT_OK] = { "OK", "success" },
	[VDEVCTL_EXIT_ERROR] = { "ERROR", "any other failure" },
	[VDEVCTL_EXIT_USAGE] = { "USAGE", "bad syntax or argument" },
	[VDEVCTL_EXIT_NOMODULE] = { "NOMODULE",
				    "vdev module not loaded (no vdev family)" },
	[VDEVCTL_EXIT_PERM] = { "PERM",
				"permission denied (EPERM, EACCES): run as root" },
	[VDEVCTL_EXIT_NOTFOUND] = { "NOTFOUND",
				    "no such controller, namespace, backing path,\n"
				    "               user or group" },
	[VDEVCTL_EXIT_EXISTS] = { "EXISTS",
				  "duplicate name, socket or namespace" },
	[VDEVCTL_EXIT_BUSY] = { "BUSY", "backing device or controller in use" },
	[VDEVCTL_EXIT_INVAL] = { "INVAL",
				 "the kernel refused a value (EINVAL, ERANGE, ENOTBLK,\n"
				 "               EROFS)" },
};

static const char vdevctl_global_help[] =
	"usage: vdevctl [-j|--json] OBJECT VERB [ARGS]\n"
	"       vdevctl help | vdevctl OBJECT help\n"
	"\n"
	"Global options (also accepted after the verb):\n"
	"  -j, --json    write JSON: show prints an object, list and stats\n"
	"                an array, monitor an object per line\n"
	"  -h, --help    print help and exit\n";

static bool vdevctl_is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "-h") ||
	       !strcmp(arg, "--help");
}

void vdevctl_verb_usage(FILE *f, const struct vdevctl_object *obj,
			const struct vdevctl_verb *verb)
{
	fprintf(f, "  vdevctl %s", obj->name);
	if (verb->name)
		fprintf(f, " %s", verb->name);
	if (verb->usage[0])
		fprintf(f, " %s", verb->usage);
	fputc('\n', f);
}

static void vdevctl_object_usage(FILE *f, const struct vdevctl_object *obj)
{
	const struct vdevctl_verb *verb;

	for (verb = obj->verbs; verb->usage; verb++)
		vdevctl_verb_usage(f, obj, verb);
}

void vdevctl_object_help(FILE *f, const struct vdevctl_object *obj)
{
	fprintf(f, "usage:\n");
	vdevctl_object_usage(f, obj);
	fprintf(f, "\n%s", obj->help);
}

static void vdevctl_help(FILE *f)
{
	unsigned int i;

	fprintf(f, "%s", vdevctl_global_help);
	for (i = 0; i < VDEVCTL_ARRAY_SIZE(vdevctl_objects); i++) {
		fprintf(f, "\n%s:\n", vdevctl_objects[i]->name);
		vdevctl_object_usage(f, vdevctl_objects[i]);
		fprintf(f, "\n%s", vdevctl_objects[i]->help);
	}
	fprintf(f, "\nExit codes:\n");
	for (i = 0; i <= VDEVCTL_EXIT_MAX; i++)
		fprintf(f, "  %u  %-9s %s\n", i, vdevctl_exits[i].name,
			vdevctl_exits[i].desc);
}

static void vdevctl_vmsg(struct vdevctl *ctx, const char *fmt, va_list ap)
{
	fprintf(stderr, "vdevctl: ");
	if (ctx->what[0])
		fprintf(stderr, "%s: ", ctx->what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void vdevctl_err(struct vdevctl *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdevctl_vmsg(ctx, fmt, ap);
	va_end(ap);
}

/* A usage error: say what is wrong, then the syntax that applies. */
int vdevctl_usage_err(struct vdevctl *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdevctl_vmsg(ctx, fmt, ap);
	va_end(ap);

	fprintf(stderr, "usage:\n");
	if (ctx->verb)
		vdevctl_verb_usage(stderr, ctx->obj, ctx->verb);
	else if (ctx->obj)
		vdevctl_object_usage(stderr, ctx->obj);
	else
		fprintf(stderr, "  vdevctl [--json] OBJECT VERB [ARGS]\n");
	fprintf(stderr, "try 'vdevctl %s%shelp' for more\n",
		ctx->obj ? ctx->obj->name : "", ctx->obj ? " " : "");
	return VDEVCTL_EXIT_USAGE;
}

static void vdevctl_set_what(struct vdevctl *ctx)
{
	const struct vdevctl_verb *verb = ctx->verb;

	snprintf(ctx->what, sizeof(ctx->what), "%s%s%s%s%s", ctx->obj->name,
		 verb->name ? " " : "", verb->name ? verb->name : "",
		 ctx->args.npos ? " " : "",
		 ctx->args.npos ? ctx->args.pos[0] : "");
}

static int vdevctl_verb_run(struct vdevctl *ctx,
			    const struct vdevctl_verb *verb,
			    int argc, char **argv)
{
	int ret;

	ctx->verb = verb;
	vdevctl_set_what(ctx);
	ctx->req = vdevnl_msg_start(ctx->reqbuf.buf, verb->cmd);
	ret = vdevctl_parse(ctx, argc, argv);
	if (ret || ctx->args.help)
		return ret;
	vdevctl_set_what(ctx);
	vdevctl_print_init(&ctx->out, stdout, ctx->json, false);
	return verb->run(ctx);
}

static const struct vdevctl_verb *
vdevctl_verb_find(const struct vdevctl_object *obj, const char *name)
{
	const struct vdevctl_verb *verb;

	for (verb = obj->verbs; verb->usage; verb++)
		if (verb->name && !strcmp(verb->name, name))
			return verb;
	return NULL;
}

static int vdevctl_object_run(struct vdevctl *ctx,
			      const struct vdevctl_object *obj,
			      int argc, char **argv)
{
	const struct vdevctl_verb *verb;

	ctx->obj = obj;
	snprintf(ctx->what, sizeof(ctx->what), "%s", obj->name);
	if (argc > 0 && vdevctl_is_help(argv[0])) {
		vdevctl_object_help(stdout, obj);
		return VDEVCTL_EXIT_OK;
	}
	/* A verbless object (stats, monitor) takes its arguments directly. */
	if (!obj->verbs[0].name)
		return vdevctl_verb_run(ctx, &obj->verbs[0], argc, argv);
	if (argc < 1)
		return vdevctl_usage_err(ctx, "missing verb");
	verb = vdevctl_verb_find(obj, argv[0]);
	if (!verb)
		return vdevctl_usage_err(ctx, "unknown verb '%s'", argv[0]);
	return vdevctl_verb_run(ctx, verb, argc - 1, argv + 1);
}

static const struct vdevctl_object *vdevctl_object_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < VDEVCTL_ARRAY_SIZE(vdevctl_objects); i++)
		if (!strcmp(vdevctl_objects[i]->name, name))
			return vdevctl_objects[i];
	return NULL;
}

static int vdevctl_main(struct vdevctl *ctx, int argc, char **argv)
{
	const struct vdevctl_object *obj;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			ctx->json = true;
		} else if (vdevctl_is_help(argv[i])) {
			vdevctl_help(stdout);
			return VDEVCTL_EXIT_OK;
		} else {
			return vdevctl_usage_err(ctx, "unknown option '%s'",
						 argv[i]);
		}
	}
	if (i == argc)
		return vdevctl_usage_err(ctx, "missing OBJECT (ctrl, ns, stats, monitor)");
	if (!strcmp(argv[i], "help")) {
		vdevctl_help(stdout);
		return VDEVCTL_EXIT_OK;
	}
	obj = vdevctl_object_find(argv[i]);
	if (!obj)
		return vdevctl_usage_err(ctx, "unknown object '%s' (expected ctrl, ns, stats or monitor)",
					 argv[i]);
	return vdevctl_object_run(ctx, obj, argc - i - 1, argv + i + 1);
}

int main(int argc, char **argv)
{
	/* Static: the request buffer is too big to want on the stack. */
	static struct vdevctl ctx;
	int ret;

	ret = vdevctl_main(&ctx, argc, argv);
	vdevctl_nl_close(&ctx);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "vdevctl: cannot write output: %s\n",
			strerror(errno));
		if (!ret)
			ret = VDEVCTL_EXIT_ERROR;
	}
	return ret;
}
