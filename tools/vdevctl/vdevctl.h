/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vdevctl: configure vdev controllers and namespaces over generic netlink.
 *
 * main.c dispatches "vdevctl OBJECT VERB ARGS" through tables of objects
 * and verbs; parser.c turns a verb's arguments into request attributes;
 * netlink.c sends the request and explains errors; print.c writes replies
 * as text or JSON; ctrl.c, ns.c, stats.c and monitor.c hold one object
 * each.
 */
#ifndef _VDEVCTL_H
#define _VDEVCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vdevnl.h"

/* Exit codes: scripts rely on them; "vdevctl help" lists them. */
enum vdevctl_exit {
	VDEVCTL_EXIT_OK = 0,		/* success */
	VDEVCTL_EXIT_ERROR = 1,		/* any other failure */
	VDEVCTL_EXIT_USAGE = 2,		/* bad syntax or argument */
	VDEVCTL_EXIT_NOMODULE = 3,	/* vdev family not registered */
	VDEVCTL_EXIT_PERM = 4,		/* EPERM, EACCES */
	VDEVCTL_EXIT_NOTFOUND = 5,	/* ENOENT: no such object */
	VDEVCTL_EXIT_EXISTS = 6,	/* EEXIST: duplicate */
	VDEVCTL_EXIT_BUSY = 7,		/* EBUSY: backing device in use */
	VDEVCTL_EXIT_INVAL = 8,		/* EINVAL, ERANGE, ENOTBLK, EROFS */
	VDEVCTL_EXIT_MAX = VDEVCTL_EXIT_INVAL,
};

#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif

#define VDEVCTL_BIT(nr)		(1U << (nr))
#define VDEVCTL_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Most positional arguments any verb takes (ns add CTRL BACKING). */
#define VDEVCTL_MAX_POS		2

struct vdevctl;

/*
 * An option or positional argument, and how it becomes an attribute of
 * the request: put() parses arg and adds attr, or prints a usage error.
 */
struct vdevctl_opt {
	const char *name;		/* "--queues", or "NAME" */
	uint16_t attr;
	int (*put)(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		   const char *arg);
	const char *(*enum_str)(uint32_t val);	/* for vdevctl_put_enum */
	bool flag;			/* takes no value */
	bool required;
};

/* What the parser saw; attrs has a bit per attribute put. */
struct vdevctl_args {
	const char *pos[VDEVCTL_MAX_POS];
	unsigned int npos;
	uint32_t attrs;
	bool help;			/* -h/--help: help printed, stop */
};

/* Context-specific reason and advice for a failed request. */
struct vdevctl_why {
	char why[256];
	char hint[256];
};

/*
 * A verb of an object. The dispatcher starts a request with cmd, puts the
 * options and positionals into it, then calls run().
 */
struct vdevctl_verb {
	const char *name;		/* NULL: object takes no verb */
	const char *usage;		/* syntax after "vdevctl OBJECT " */
	uint8_t cmd;
	const struct vdevctl_opt *opts;	/* ends with a NULL name */
	const struct vdevctl_opt *pos;	/* max_pos entries */
	unsigned int min_pos;
	unsigned int max_pos;
	int (*run)(struct vdevctl *ctx);
	void (*explain)(struct vdevctl *ctx, int err, struct vdevctl_why *w);
};

struct vdevctl_object {
	const char *name;
	const struct vdevctl_verb *verbs;	/* ends with a NULL usage */
	const char *help;			/* options, after the syntax */
};

/* Most columns of a text table: the header and one per labelled field. */
#define VDEVCTL_MAX_COLS	16

struct vdevctl_row {
	char *cells[VDEVCTL_MAX_COLS];
};

/*
 * Output state. JSON; or text as a block per object (show), a table with
 * a row per object (list), or a line per object (monitor).
 */
struct vdevctl_out {
	FILE *f;
	bool json;
	bool line;			/* text: an object per line */
	bool table;			/* text: inside a list */
	int depth;
	bool first[8];			/* JSON: no member yet at depth */
	bool midline;			/* text line: something printed */
	unsigned int nblocks;		/* text blocks printed so far */
	const char *heads[VDEVCTL_MAX_COLS];	/* table: column labels */
	unsigned int ncols;
	struct vdevctl_row *rows;	/* table: kept until the list ends */
	unsigned int nrows;
};

/* A field of a parsed struct, for vdevctl_print_fields(). */
enum vdevctl_kind {
	VDEVCTL_F_U32,
	VDEVCTL_F_U64,
	VDEVCTL_F_STR,
	VDEVCTL_F_ENUM,
	VDEVCTL_F_MODE,
	VDEVCTL_F_SIZE,
	VDEVCTL_F_BOOL,			/* printed even when absent (false) */
	VDEVCTL_F_CUSTOM,
};

struct vdevctl_field {
	uint16_t attr;			/* printed when present */
	const char *key;		/* JSON member; NULL: text only */
	const char *label;		/* text label; NULL: JSON only */
	enum vdevctl_kind kind;
	size_t off;
	const char *(*enum_str)(uint32_t val);
	void (*custom)(struct vdevctl_out *o, const void *obj);
};

#define VDEVCTL_FIELD(_attr, _key, _label, _kind, _off)		\
	{ .attr = (_attr), .key = (_key), .label = (_label),		\
	  .kind = (_kind), .off = (_off) }
#define VDEVCTL_ENUM(_attr, _key, _label, _off, _str)			\
	{ .attr = (_attr), .key = (_key), .label = (_label),		\
	  .kind = VDEVCTL_F_ENUM, .off = (_off), .enum_str = (_str) }
#define VDEVCTL_CUSTOM(_attr, _label, _fn)				\
	{ .attr = (_attr), .label = (_label), .kind = VDEVCTL_F_CUSTOM,	\
	  .custom = (_fn) }

struct vdevctl {
	bool json;
	const struct vdevctl_object *obj;
	const struct vdevctl_verb *verb;
	struct vdevctl_args args;
	char what[160];			/* "ctrl add r0": prefix of errors */
	struct vdevnl nl;
	bool nl_open;
	struct nlmsghdr *req;
	union {
		char buf[VDEVNL_MSG_SIZE];
		struct nlmsghdr align;
	} reqbuf;
	struct vdevctl_out out;
	unsigned int nobjs;		/* objects a verb's callback printed */
};

/* main.c */
void vdevctl_verb_usage(FILE *f, const struct vdevctl_object *obj,
			const struct vdevctl_verb *verb);
void vdevctl_object_help(FILE *f, const struct vdevctl_object *obj);
__printf(2, 3)
int vdevctl_usage_err(struct vdevctl *ctx, const char *fmt, ...);
__printf(2, 3)
void vdevctl_err(struct vdevctl *ctx, const char *fmt, ...);

/* parser.c */
int vdevctl_parse(struct vdevctl *ctx, int argc, char **argv);
int vdevctl_put_str(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		    const char *arg);
int vdevctl_put_path(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		     const char *arg);
int vdevctl_put_u32(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		    const char *arg);
int vdevctl_put_enum(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		     const char *arg);
int vdevctl_put_mode(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		     const char *arg);
int vdevctl_put_size(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		     const char *arg);
int vdevctl_put_owner(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		      const char *arg);
int vdevctl_put_flag(struct vdevctl *ctx, const struct vdevctl_opt *opt,
		     const char *arg);
const struct vdevctl_opt *vdevctl_opt_by_attr(const struct vdevctl_verb *v,
					      uint16_t attr);

/* netlink.c */
int vdevctl_nl_open(struct vdevctl *ctx);
void vdevctl_nl_close(struct vdevctl *ctx);
int vdevctl_request(struct vdevctl *ctx, mnl_cb_t print);
int vdevctl_dump(struct vdevctl *ctx, mnl_cb_t print);
int vdevctl_nl_error(struct vdevctl *ctx, int err);
int vdevctl_exit_code(int err);
bool vdevctl_ctrl_exists(struct vdevctl *ctx, const char *name);
bool vdevctl_has_net_admin(void);

/* print.c */
void vdevctl_print_init(struct vdevctl_out *o, FILE *f, bool json,
			bool line);
void vdevctl_print_list_start(struct vdevctl_out *o);
void vdevctl_print_list_end(struct vdevctl_out *o);
void vdevctl_print_obj_start(struct vdevctl_out *o, const char *key,
			     const char *kind, const char *header);
void vdevctl_print_obj_end(struct vdevctl_out *o);
void vdevctl_print_str(struct vdevctl_out *o, const char *key,
		       const char *label, const char *val);
void vdevctl_print_u64(struct vdevctl_out *o, const char *key,
		       const char *label, uint64_t val);
void vdevctl_print_bool(struct vdevctl_out *o, const char *key,
			const char *label, bool val);
__printf(3, 4)
void vdevctl_print_text(struct vdevctl_out *o, const char *label,
			const char *fmt, ...);
/* A set flag, by name, for vdevctl_print_flag_list(). */
struct vdevctl_flag {
	bool set;
	const char *name;
};

void vdevctl_print_flag_list(struct vdevctl_out *o, const char *label,
			     const struct vdevctl_flag *flags, size_t n);
bool vdevctl_print_compact(const struct vdevctl_out *o);
void vdevctl_print_fields(struct vdevctl_out *o,
			  const struct vdevctl_field *fields, size_t n,
			  const void *obj, uint32_t present);
void vdevctl_human_size(uint64_t bytes, char *buf, size_t len);

/* ctrl.c, ns.c, stats.c, monitor.c */
extern const struct vdevctl_object vdevctl_ctrl_object;
extern const struct vdevctl_object vdevctl_ns_object;
extern const struct vdevctl_object vdevctl_stats_object;
extern const struct vdevctl_object vdevctl_monitor_object;
void vdevctl_ctrl_print(struct vdevctl_out *o, const char *key,
			const struct vdevnl_ctrl *ctrl);
void vdevctl_ns_print(struct vdevctl_out *o, const char *key,
		      const struct vdevnl_ns *ns);

#endif /* _VDEVCTL_H */
