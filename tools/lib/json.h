/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json: JSON output for the tools. json_str() writes one string, escaped,
 * for vdevctl's print path; struct json_out writes a whole document,
 * indented, for vdev-perf's report.
 */
#ifndef _JSON_H
#define _JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * @s as a JSON string. Paths are bytes, not text: a byte that is not
 * valid UTF-8 becomes U+FFFD so the output stays valid JSON.
 */
void json_str(FILE *f, const char *s);

#define JSON_MAX_DEPTH	16

/*
 * A document written as it goes: objects and arrays opened and closed in
 * order, members given their key (NULL inside an array and at the top).
 */
struct json_out {
	FILE *f;
	int depth;
	unsigned int members[JSON_MAX_DEPTH];	/* written at each depth */
};

void json_begin(struct json_out *j, FILE *f);
/* The document's last newline. */
void json_end(struct json_out *j);
void json_obj_open(struct json_out *j, const char *key);
void json_obj_close(struct json_out *j);
void json_arr_open(struct json_out *j, const char *key);
void json_arr_close(struct json_out *j);
void json_u64(struct json_out *j, const char *key, uint64_t v);
void json_i64(struct json_out *j, const char *key, int64_t v);
/* A finite double with @prec digits after the point; NaN, inf: null. */
void json_f64(struct json_out *j, const char *key, double v, int prec);
void json_bool(struct json_out *j, const char *key, bool v);
/* A string, or null when @s is NULL. */
void json_string(struct json_out *j, const char *key, const char *s);
void json_hex(struct json_out *j, const char *key, uint64_t v);

#endif /* _JSON_H */
