// SPDX-License-Identifier: GPL-2.0
/*
 * json_scan: a strict JSON reader for untrusted input. See json_scan.h.
 *
 * Recursive descent, one byte at a time, every read checked against the
 * end: the input is whatever a client sent. Recursion is bounded by
 * JSON_SCAN_MAX_DEPTH, and each call consumes at least one byte or
 * fails, so the work is linear in the length.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "json_scan.h"

void json_scan_init(struct json_scan *s, const char *buf, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->start = buf;
	s->p = buf;
	s->end = buf + len;
}

int json_scan_fail(struct json_scan *s, const char *why)
{
	if (!s->why) {
		s->why = why;
		s->at = s->p - s->start;
	}
	/* Nothing after the first error may read on. */
	s->p = s->end;
	return -EINVAL;
}

const char *json_scan_error(struct json_scan *s)
{
	if (!s->why)
		return "";
	snprintf(s->msg, sizeof(s->msg), "%s at byte %zu", s->why, s->at);
	return s->msg;
}

static void json_ws(struct json_scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
				 *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* The next byte after white space, or -1 at the end. */
static int json_peek(struct json_scan *s)
{
	json_ws(s);
	return s->p < s->end ? (unsigned char)*s->p : -1;
}

static int json_expect(struct json_scan *s, char c, const char *why)
{
	if (json_peek(s) != (unsigned char)c)
		return json_scan_fail(s, why);
	s->p++;
	return 0;
}

/* Length of the valid UTF-8 sequence at p (before end), or 0. */
static size_t json_utf8(const unsigned char *p, const unsigned char *end)
{
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates, code points past U+10FFFF. */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

static int json_hex4(struct json_scan *s, unsigned int *cp)
{
	unsigned int i, v = 0;
	int c;

	if (s->end - s->p < 4)
		return json_scan_fail(s, "short \\u escape");
	for (i = 0; i < 4; i++) {
		c = (unsigned char)*s->p++;
		if (c >= '0' && c <= '9')
			v = v * 16 + c - '0';
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + c - 'A' + 10;
		else
			return json_scan_fail(s, "bad \\u escape");
	}
	*cp = v;
	return 0;
}

/*
 * One escape after the backslash; its character in *c, or -1 for one
 * that no known key can hold (outside ASCII, or NUL).
 */
static int json_escape(struct json_scan *s, int *c)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	unsigned int cp;

	if (s->p >= s->end)
		return json_scan_fail(s, "unterminated string");
	if (*s->p != 'u') {
		e = memchr(from, *s->p, sizeof(from) - 1);
		if (!e)
			return json_scan_fail(s, "bad escape");
		s->p++;
		*c = to[e - from];
		return 0;
	}
	s->p++;
	if (json_hex4(s, &cp))
		return -EINVAL;
	*c = cp && cp < 0x80 ? (int)cp : -1;
	return 0;
}

/*
 * A string; decoded into @key (JSON_SCAN_KEY_MAX bytes) when it is not
 * NULL. *known is false when the key could not be decoded whole.
 */
static int json_string(struct json_scan *s, char *key, bool *known)
{
	size_t n = 0, len;
	int c;

	if (json_expect(s, '"', "want a string"))
		return -EINVAL;
	*known = true;
	for (;;) {
		if (s->p >= s->end)
			return json_scan_fail(s, "unterminated string");
		c = (unsigned char)*s->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return json_scan_fail(s, "control character in a string");
		if (c == '\\') {
			s->p++;
			if (json_escape(s, &c))
				return -EINVAL;
		} else if (c >= 0x80) {
			len = json_utf8((const unsigned char *)s->p,
					(const unsigned char *)s->end);
			if (!len)
				return json_scan_fail(s, "invalid UTF-8");
			s->p += len;
			c = -1;
		} else {
			s->p++;
		}
		if (c < 0 || n + 1 >= JSON_SCAN_KEY_MAX)
			*known = false;
		else if (key)
			key[n++] = c;
	}
	s->p++;
	if (key)
		key[n] = '\0';
	return 0;
}

static bool json_digit(struct json_scan *s)
{
	return s->p < s->end && *s->p >= '0' && *s->p <= '9';
}

static void json_digits(struct json_scan *s)
{
	while (json_digit(s))
		s->p++;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_number(struct json_scan *s)
{
	json_ws(s);
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (!json_digit(s))
		return json_scan_fail(s, "bad number");
	if (*s->p++ != '0')
		json_digits(s);
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!json_digit(s))
			return json_scan_fail(s, "bad fraction");
		json_digits(s);
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!json_digit(s))
			return json_scan_fail(s, "bad exponent");
		json_digits(s);
	}
	return 0;
}

int json_scan_u64(struct json_scan *s, uint64_t *v)
{
	const char *start;
	uint64_t x = 0;
	unsigned int d;

	json_ws(s);
	start = s->p;
	if (json_number(s))
		return -EINVAL;
	for (s->p = start; json_digit(s); s->p++) {
		d = *s->p - '0';
		if (x > (UINT64_MAX - d) / 10)
			return json_scan_fail(s, "number over 2^64 - 1");
		x = x * 10 + d;
	}
	/* A sign, a fraction or an exponent: not a plain integer. */
	if (s->p == start || (s->p < s->end && memchr("-.eE", *s->p, 4)))
		return json_scan_fail(s, "want an integer from 0 to 2^64 - 1");
	*v = x;
	return 0;
}

static int json_literal(struct json_scan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return json_scan_fail(s, "unexpected character");
	s->p += n;
	return 0;
}

static int json_skip_member(struct json_scan *s, const char *key, void *arg)
{
	(void)key;
	(void)arg;
	return json_scan_skip(s);
}

static int json_array(struct json_scan *s)
{
	int err;

	s->p++;
	if (json_peek(s) == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		err = json_scan_skip(s);
		if (err)
			return err;
		if (json_peek(s) == ']') {
			s->p++;
			return 0;
		}
		if (json_expect(s, ',', "want ',' or ']'"))
			return -EINVAL;
	}
}

int json_scan_skip(struct json_scan *s)
{
	bool known;
	int c, err;

	c = json_peek(s);
	switch (c) {
	case '{':
		return json_scan_object(s, json_skip_member, NULL);
	case '[':
		if (s->depth >= JSON_SCAN_MAX_DEPTH)
			return json_scan_fail(s, "nested too deep");
		s->depth++;
		err = json_array(s);
		s->depth--;
		return err;
	case '"':
		return json_string(s, NULL, &known);
	case 't':
		return json_literal(s, "true");
	case 'f':
		return json_literal(s, "false");
	case 'n':
		return json_literal(s, "null");
	case -1:
		return json_scan_fail(s, "want a value, the input ended");
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return json_number(s);
	return json_scan_fail(s, "unexpected character");
}

/* One "key": value; the value goes to @fn. */
static int json_member(struct json_scan *s, json_scan_member_fn fn, void *arg)
{
	char key[JSON_SCAN_KEY_MAX];
	bool known;

	if (json_string(s, key, &known) ||
	    json_expect(s, ':', "want ':' after a key"))
		return -EINVAL;
	json_ws(s);
	return fn(s, known ? key : NULL, arg);
}

static int json_members(struct json_scan *s, json_scan_member_fn fn,
			void *arg)
{
	int err;

	if (json_peek(s) == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		err = json_member(s, fn, arg);
		if (err)
			return s->why ? err : json_scan_fail(s, "member refused");
		if (json_peek(s) == '}') {
			s->p++;
			return 0;
		}
		if (json_expect(s, ',', "want ',' or '}'"))
			return -EINVAL;
	}
}

int json_scan_object(struct json_scan *s, json_scan_member_fn fn, void *arg)
{
	int err;

	if (json_expect(s, '{', "want an object"))
		return -EINVAL;
	if (s->depth >= JSON_SCAN_MAX_DEPTH)
		return json_scan_fail(s, "nested too deep");
	s->depth++;
	err = json_members(s, fn, arg);
	s->depth--;
	return err;
}

int json_scan_end(struct json_scan *s)
{
	if (json_peek(s) != -1)
		return json_scan_fail(s, "trailing characters");
	return 0;
}
