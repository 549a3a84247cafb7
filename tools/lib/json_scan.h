/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json_scan: a strict JSON reader for untrusted input (vfio-user's VERSION
 * capabilities, which vdevd reads from any client). It walks the bytes in
 * place: no allocation, never past the length it was given, nesting at
 * most JSON_SCAN_MAX_DEPTH deep. The caller pulls what it wants (an
 * object member by member, a number as a u64) and skips the rest, which
 * is still checked against the grammar (RFC 8259, UTF-8 included).
 *
 * Every function returns 0 or -EINVAL; the first error's reason and byte
 * offset stay in the scanner (json_scan_error()).
 */
#ifndef _JSON_SCAN_H
#define _JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

#define JSON_SCAN_MAX_DEPTH	8
/* Keys are decoded into this much room, NUL included. */
#define JSON_SCAN_KEY_MAX	64

struct json_scan {
	const char *start;
	const char *p;
	const char *end;
	unsigned int depth;
	const char *why;	/* the first error, NULL while none */
	size_t at;		/* its offset */
	char msg[96];		/* "why at byte N" */
};

void json_scan_init(struct json_scan *s, const char *buf, size_t len);

/*
 * Called for each member of an object, the scanner on its value, which it
 * must consume (json_scan_u64(), json_scan_skip(), json_scan_object()...).
 * @key is decoded and NUL-terminated; NULL for a key no caller can know
 * (longer than JSON_SCAN_KEY_MAX - 1 bytes, or with a \u escape outside
 * ASCII or of NUL). Return 0 to go on, or an error from json_scan_fail().
 */
typedef int (*json_scan_member_fn)(struct json_scan *s, const char *key,
				   void *arg);

/* The object that comes next, member by member. */
int json_scan_object(struct json_scan *s, json_scan_member_fn fn, void *arg);
/* A number that must be an integer from 0 to UINT64_MAX, no fraction. */
int json_scan_u64(struct json_scan *s, uint64_t *v);
/* Any value, checked and passed over. */
int json_scan_skip(struct json_scan *s);
/* Nothing but white space may be left. */
int json_scan_end(struct json_scan *s);
/* Record an error at the current offset (the first one sticks). */
int json_scan_fail(struct json_scan *s, const char *why);
/* "why at byte N", or "" while there was no error. */
const char *json_scan_error(struct json_scan *s);

#endif /* _JSON_SCAN_H */
