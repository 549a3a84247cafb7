// SPDX-License-Identifier: GPL-2.0
/*
 * json: JSON output for the tools. See json.h.
 */
#include <inttypes.h>
#include <math.h>

#include "json.h"

/* Length of the valid UTF-8 sequence at s, or 0 if it is not valid. */
static size_t json_utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates, and code points past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

void json_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', f);
	while (*s) {
		if (*s == '"' || *s == '\\') {
			fprintf(f, "\\%c", *s++);
		} else if (*s == '\n') {
			fputs("\\n", f);
			s++;
		} else if (*s == '\t') {
			fputs("\\t", f);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			fputc(*s++, f);
		} else {
			n = json_utf8_len(s);
			if (n)
				fwrite(s, 1, n, f);
			else
				fputs("\\ufffd", f);
			s += n ? n : 1;
		}
	}
	fputc('"', f);
}

/* --- documents ----------------------------------------------------------- */

void json_begin(struct json_out *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->members[0] = 0;
}

void json_end(struct json_out *j)
{
	fputc('\n', j->f);
}

/* A comma after the previous member, a new line, indentation, the key. */
static void json_key(struct json_out *j, const char *key)
{
	if (j->members[j->depth]++)
		fputc(',', j->f);
	if (j->depth)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	if (key) {
		json_str(j->f, key);
		fputs(": ", j->f);
	}
}

static void json_open(struct json_out *j, const char *key, char c)
{
	json_key(j, key);
	fputc(c, j->f);
	/* Deeper than the tools go: stay valid, only flatter. */
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->members[j->depth] = 0;
}

static void json_close(struct json_out *j, char c)
{
	bool empty = !j->members[j->depth];

	if (j->depth)
		j->depth--;
	if (!empty)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	fputc(c, j->f);
}

void json_obj_open(struct json_out *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_close(struct json_out *j)
{
	json_close(j, '}');
}

void json_arr_open(struct json_out *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_close(struct json_out *j)
{
	json_close(j, ']');
}

void json_u64(struct json_out *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_i64(struct json_out *j, const char *key, int64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void json_f64(struct json_out *j, const char *key, double v, int prec)
{
	json_key(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.*f", prec, v);
	else
		fputs("null", j->f);
}

void json_bool(struct json_out *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_string(struct json_out *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s)
		json_str(j->f, s);
	else
		fputs("null", j->f);
}

void json_hex(struct json_out *j, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	json_string(j, key, buf);
}
