// SPDX-License-Identifier: GPL-2.0
/*
 * vdevctl: turn a verb's options and positional arguments into attributes
 * of its request. Values are checked for syntax only (numbers, names,
 * enums); ranges are left to the kernel, whose policy is the one truth and
 * whose extack message says what it accepts.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vdevctl.h"

#define VDEVCTL_REQ_SIZE	sizeof(((struct vdevctl *)0)->reqbuf)

/* Longest user or group name --owner looks up. */
#define VDEVCTL_NAME_MAX	256

static int vdevctl_put_ok(struct vdevctl *ctx, const struct vdevctl_opt *opt,
			  bool ok)
{
	if (!ok)
		return vdevctl_usage_err(ctx, "%s: argument too long",
					 opt->name);
	return 0;
}

static int vdevctl_put_attr_u32(struct vdevctl *ctx,
				const struct vdevctl_opt *opt,
				uint16_t attr, uint32_t val)
{
	return vdevctl_put_ok(ctx, opt,
			      mnl_attr_put_u32_check(ctx->req, VDEVCTL_REQ_SIZE,
						     attr, val));
}

/* Decimal digits only: no sign, no spaces, no surprise octal or hex. */
static int vdevctl_strtou64(const char *s, uint64_t *val, const char **end)
{
	uint64_t v = 0;
	unsigned int d;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = *s - '0';
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*val = v;
	*end = s;
	return 0;
}

static int vdevctl_strtou32(const char *s, uint32_t *val)
{
	const char *end;
	uint64_t v;
	int err;

	err = vdevctl_strtou64(s, &v, &end);
	if (err)
		return err;
	if (*end)
		return -EINVAL;
	if (v > UINT32_MAX)
		return -ERANGE;
	*val = v;
	return 0;
}

static int vdevctl_number_err(struct vdevctl *ctx, const char *name,
			      const char *arg, int err, const char *expect)
{
	if (err == -ERANGE)
		return vdevctl_usage_err(ctx, "invalid %s '%s': too large",
					 name, arg);
	return vdevctl_usage_err(ctx, "invalid %s '%s': expected %s",
				 name, arg, expect);
}

int vdevctl_put_str(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		    const char *arg)
{
	return vdevctl_put_ok(ctx, opt,
			      mnl_attr_put_strz_check(ctx->req,
						      VDEVCTL_REQ_SIZE,
						      opt->attr, arg));
}

/*
 * The kernel opens paths relative to the caller's cwd too, but an
 * absolute path is what it records and reports, so make it absolute here.
 * No realpath(): a symlink such as /dev/disk/by-id/... stays as typed.
 */
int vdevctl_put_path(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		     const char *arg)
{
	char cwd[PATH_MAX];
	char path[PATH_MAX];
	int n;

	if (!arg[0])
		return vdevctl_usage_err(ctx, "%s: empty path", opt->name);
	if (arg[0] == '/')
		return vdevctl_put_str(ctx, opt, arg);
	if (!getcwd(cwd, sizeof(cwd)))
		return vdevctl_usage_err(ctx, "%s: cannot make '%s' absolute: %s",
					 opt->name, arg, strerror(errno));
	n = snprintf(path, sizeof(path), "%s%s%s", cwd,
		     strcmp(cwd, "/") ? "/" : "", arg);
	if (n < 0 || (size_t)n >= sizeof(path))
		return vdevctl_usage_err(ctx, "%s: path too long", opt->name);
	return vdevctl_put_str(ctx, opt, path);
}

int vdevctl_put_u32(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		    const char *arg)
{
	uint32_t val;
	int err;

	err = vdevctl_strtou32(arg, &val);
	if (err)
		return vdevctl_number_err(ctx, opt->name, arg, err,
					  "a decimal number");
	return vdevctl_put_attr_u32(ctx, opt, opt->attr, val);
}

static void vdevctl_enum_list(const struct vdevctl_opt *opt, char *buf,
			      size_t len)
{
	const char *name;
	size_t pos = 0;
	uint32_t v;

	buf[0] = '\0';
	for (v = 1; (name = opt->enum_str(v)) && pos < len; v++)
		pos += snprintf(buf + pos, len - pos, "%s%s",
				v > 1 ? (opt->enum_str(v + 1) ? ", " : " or ") :
				"", name);
}

int vdevctl_put_enum(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		     const char *arg)
{
	char names[128];
	const char *name;
	uint32_t v;

	for (v = 1; (name = opt->enum_str(v)); v++)
		if (!strcmp(name, arg))
			return vdevctl_put_attr_u32(ctx, opt, opt->attr, v);
	vdevctl_enum_list(opt, names, sizeof(names));
	return vdevctl_usage_err(ctx, "invalid %s '%s': expected %s",
				 opt->name, arg, names);
}

int vdevctl_put_mode(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		     const char *arg)
{
	const char *s = arg;
	uint32_t mode = 0;

	if (!*s)
		goto bad;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			goto bad;
		if (mode > (UINT32_MAX >> 3))
			return vdevctl_number_err(ctx, opt->name, arg, -ERANGE,
						  NULL);
		mode = (mode << 3) | (*s - '0');
	}
	return vdevctl_put_attr_u32(ctx, opt, opt->attr, mode);
bad:
	return vdevctl_number_err(ctx, opt->name, arg, -EINVAL,
				  "an octal mode such as 0660");
}

/* K, M, G, T (any case, "KiB" too): binary multiples. */
static int vdevctl_size_shift(const char *suffix)
{
	static const char units[] = "KMGT";
	const char *u;
	char c;

	if (!*suffix)
		return 0;
	c = suffix[0] & ~0x20;
	u = c ? strchr(units, c) : NULL;
	if (!u || (suffix[1] && strcmp(suffix + 1, "iB")))
		return -1;
	return 10 * (int)(u - units + 1);
}

int vdevctl_put_size(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		     const char *arg)
{
	const char *end;
	uint64_t val;
	int shift;
	int err;

	err = vdevctl_strtou64(arg, &val, &end);
	if (!err) {
		shift = vdevctl_size_shift(end);
		if (shift < 0)
			err = -EINVAL;
		else if (shift && val > (UINT64_MAX >> shift))
			err = -ERANGE;
		else
			val <<= shift;
	}
	if (err)
		return vdevctl_number_err(ctx, opt->name, arg, err,
					  "a size such as 4G (suffix K, M, G or T)");
	return vdevctl_put_ok(ctx, opt,
			      mnl_attr_put_u64_check(ctx->req,
						     VDEVCTL_REQ_SIZE,
						     opt->attr, val));
}

/* A name the system does not know is NOTFOUND, not a syntax error. */
static int vdevctl_owner_unknown(struct vdevctl *ctx, const char *what,
				 const char *name)
{
	vdevctl_err(ctx, "--owner: unknown %s '%s'", what, name);
	fprintf(stderr, "vdevctl: hint: give a name from the %s database or a numeric id\n",
		!strcmp(what, "user") ? "passwd" : "group");
	return VDEVCTL_EXIT_NOTFOUND;
}

static int vdevctl_owner_user(struct vdevctl *ctx, const char *user,
			      uint32_t *uid, uint32_t *gid, bool *has_gid)
{
	struct passwd *pw;

	if (!vdevctl_strtou32(user, uid)) {
		pw = getpwuid(*uid);
	} else {
		pw = getpwnam(user);
		if (!pw)
			return vdevctl_owner_unknown(ctx, "user", user);
		*uid = pw->pw_uid;
	}
	if (pw) {
		*gid = pw->pw_gid;
		*has_gid = true;
	}
	return 0;
}

static int vdevctl_owner_group(struct vdevctl *ctx, const char *group,
			       uint32_t *gid)
{
	struct group *gr;

	if (!vdevctl_strtou32(group, gid))
		return 0;
	gr = getgrnam(group);
	if (!gr)
		return vdevctl_owner_unknown(ctx, "group", group);
	*gid = gr->gr_gid;
	return 0;
}

/*
 * USER[:GROUP], names or numeric ids. USER alone (or "USER:") takes the
 * user's primary group, like chown; ":GROUP" sets the group only.
 */
int vdevctl_put_owner(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		      const char *arg)
{
	char user[VDEVCTL_NAME_MAX];
	const char *colon = strchr(arg, ':');
	size_t ulen = colon ? (size_t)(colon - arg) : strlen(arg);
	bool has_gid = false;
	uint32_t uid, gid;
	int ret;

	if (ulen >= sizeof(user))
		return vdevctl_usage_err(ctx, "--owner: user name too long");
	memcpy(user, arg, ulen);
	user[ulen] = '\0';
	if (!ulen && (!colon || !colon[1]))
		return vdevctl_usage_err(ctx, "--owner: expected USER[:GROUP]");
	if (ulen) {
		ret = vdevctl_owner_user(ctx, user, &uid, &gid, &has_gid);
		if (ret)
			return ret;
		ret = vdevctl_put_attr_u32(ctx, opt, VDEV_A_CTRL_SOCKET_UID,
					   uid);
		if (ret)
			return ret;
	}
	if (colon && colon[1]) {
		ret = vdevctl_owner_group(ctx, colon + 1, &gid);
		if (ret)
			return ret;
		has_gid = true;
	}
	if (!has_gid) {
		vdevctl_err(ctx, "--owner: uid %s has no passwd entry, so no primary group",
			    user);
		fprintf(stderr, "vdevctl: hint: name the group too: --owner %s:GROUP\n",
			user);
		return VDEVCTL_EXIT_NOTFOUND;
	}
	return vdevctl_put_attr_u32(ctx, opt, VDEV_A_CTRL_SOCKET_GID, gid);
}

int vdevctl_put_flag(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		     const char *arg)
{
	(void)arg;
	return vdevctl_put_ok(ctx, opt,
			      mnl_attr_put_check(ctx->req, VDEVCTL_REQ_SIZE,
						 opt->attr, 0, NULL));
}

const struct vdevctl_opt *vdevctl_opt_by_attr(const struct vdevctl_verb *v,
					      uint16_t attr)
{
	const struct vdevctl_opt *opt;
	unsigned int i;

	for (opt = v->opts; opt && opt->name; opt++)
		if (opt->attr == attr)
			return opt;
	for (i = 0; i < v->max_pos; i++)
		if (v->pos[i].attr == attr)
			return &v->pos[i];
	return NULL;
}

static const struct vdevctl_opt *
vdevctl_opt_find(const struct vdevctl_opt *opts, const char *arg, size_t len)
{
	for (; opts && opts->name; opts++)
		if (strlen(opts->name) == len && !strncmp(opts->name, arg, len))
			return opts;
	return NULL;
}

static int vdevctl_opt_put(struct vdevctl *ctx, const struct vdevctl_opt *opt,
			   const char *arg)
{
	int ret;

	if (ctx->args.attrs & VDEVCTL_BIT(opt->attr))
		return vdevctl_usage_err(ctx, "%s given twice", opt->name);
	ret = opt->put(ctx, opt, arg);
	if (!ret)
		ctx->args.attrs |= VDEVCTL_BIT(opt->attr);
	return ret;
}

/* One option at argv[*i]; an option's value may be the next argument. */
static int vdevctl_parse_opt(struct vdevctl *ctx, int argc, char **argv,
			     int *i)
{
	const char *arg = argv[*i];
	const char *eq = NULL;
	const struct vdevctl_opt *opt;
	size_t len;

	if (!strcmp(arg, "-j") || !strcmp(arg, "--json")) {
		ctx->json = true;
		return 0;
	}
	if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
		vdevctl_object_help(stdout, ctx->obj);
		ctx->args.help = true;
		return 0;
	}
	if (!strncmp(arg, "--", 2))
		eq = strchr(arg, '=');
	len = eq ? (size_t)(eq - arg) : strlen(arg);
	opt = vdevctl_opt_find(ctx->verb->opts, arg, len);
	if (!opt)
		return vdevctl_usage_err(ctx, "unknown option '%.*s'",
					 (int)len, arg);
	if (opt->flag) {
		if (eq)
			return vdevctl_usage_err(ctx, "%s takes no value",
						 opt->name);
		return vdevctl_opt_put(ctx, opt, NULL);
	}
	if (eq)
		return vdevctl_opt_put(ctx, opt, eq + 1);
	if (*i + 1 >= argc)
		return vdevctl_usage_err(ctx, "%s needs a value", opt->name);
	return vdevctl_opt_put(ctx, opt, argv[++*i]);
}

static int vdevctl_parse_pos(struct vdevctl *ctx, const char *arg)
{
	const struct vdevctl_verb *verb = ctx->verb;
	unsigned int n = ctx->args.npos;

	if (n >= verb->max_pos)
		return vdevctl_usage_err(ctx, "unexpected argument '%s'", arg);
	ctx->args.pos[n] = arg;
	ctx->args.npos++;
	return vdevctl_opt_put(ctx, &verb->pos[n], arg);
}

static int vdevctl_parse_done(struct vdevctl *ctx)
{
	const struct vdevctl_verb *verb = ctx->verb;
	const struct vdevctl_opt *opt;

	if (ctx->args.npos < verb->min_pos)
		return vdevctl_usage_err(ctx, "missing %s",
					 verb->pos[ctx->args.npos].name);
	for (opt = verb->opts; opt && opt->name; opt++)
		if (opt->required &&
		    !(ctx->args.attrs & VDEVCTL_BIT(opt->attr)))
			return vdevctl_usage_err(ctx, "missing %s", opt->name);
	return 0;
}

/*
 * Options may come before, between or after positionals; "--" ends the
 * options, so a path starting with '-' can still be given.
 */
int vdevctl_parse(struct vdevctl *ctx, int argc, char **argv)
{
	bool opts_done = false;
	int ret;
	int i;

	memset(&ctx->args, 0, sizeof(ctx->args));
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i];

		ret = 0;
		if (!opts_done && !strcmp(arg, "--"))
			opts_done = true;
		else if (!opts_done && arg[0] == '-' && arg[1])
			ret = vdevctl_parse_opt(ctx, argc, argv, &i);
		else
			ret = vdevctl_parse_pos(ctx, arg);
		if (ret || ctx->args.help)
			return ret;
	}
	return vdevctl_parse_done(ctx);
}
