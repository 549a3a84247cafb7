// SPDX-License-Identifier: GPL-2.0
/*
 * vdevctl: the one print path. Every value goes through vdevctl_emit(),
 * which writes it as a JSON member, a "label: value" line of a text block
 * (show), a cell of a text table (list) or a "label value" pair of a
 * one-line text record (monitor).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "vdevctl.h"

/* Longest text value, escaped: a 4095-byte path with room to spare. */
#define VDEVCTL_TEXT_MAX	8192

#define VDEVCTL_MAX_DEPTH	((int)VDEVCTL_ARRAY_SIZE(((struct vdevctl_out *)0)->first) - 1)

void vdevctl_print_init(struct vdevctl_out *o, FILE *f, bool json, bool line)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->json = json;
	o->line = line;
	o->first[0] = true;
}

/* Text: a control character in a path must not break the line format. */
static void vdevctl_text_escape(const char *str, char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t pos = 0;

	for (; *s && pos + 5 < len; s++) {
		if (*s == '\n')
			pos += snprintf(buf + pos, len - pos, "\\n");
		else if (*s == '\t')
			pos += snprintf(buf + pos, len - pos, "\\t");
		else if (*s < 0x20 || *s == 0x7f)
			pos += snprintf(buf + pos, len - pos, "\\x%02x", *s);
		else
			buf[pos++] = *s;
	}
	buf[pos] = '\0';
}

static void *vdevctl_alloc(void *ptr, size_t size)
{
	ptr = realloc(ptr, size);
	if (!ptr) {
		fprintf(stderr, "vdevctl: out of memory\n");
		exit(VDEVCTL_EXIT_ERROR);
	}
	return ptr;
}

/* Table and line records want short values ("0:0", not "0:0 (root:root)"). */
/* Text: the names of the set flags in one cell, "none" if none. */
void vdevctl_print_flag_list(struct vdevctl_out *o, const char *label,
			     const struct vdevctl_flag *flags, size_t n)
{
	char buf[128] = "";
	size_t pos = 0, i;

	for (i = 0; i < n; i++)
		if (flags[i].set && pos < sizeof(buf))
			pos += snprintf(buf + pos, sizeof(buf) - pos, "%s%s",
					pos ? "," : "", flags[i].name);
	vdevctl_print_text(o, label, "%s", pos ? buf : "none");
}

bool vdevctl_print_compact(const struct vdevctl_out *o)
{
	return o->line || o->table;
}

/* The cell of column label in the row being built. */
static void vdevctl_table_cell(struct vdevctl_out *o, const char *label,
			       const char *text)
{
	struct vdevctl_row *row = &o->rows[o->nrows - 1];
	unsigned int col;
	size_t len;

	for (col = 0; col < o->ncols; col++)
		if (!strcmp(o->heads[col], label))
			break;
	if (col == VDEVCTL_MAX_COLS)
		return;
	if (col == o->ncols)
		o->heads[o->ncols++] = label;
	len = strlen(text) + 1;
	free(row->cells[col]);
	row->cells[col] = vdevctl_alloc(NULL, len);
	memcpy(row->cells[col], text, len);
}

static void vdevctl_table_row(struct vdevctl_out *o, const char *kind,
			      const char *header)
{
	o->rows = vdevctl_alloc(o->rows, (o->nrows + 1) * sizeof(*o->rows));
	memset(&o->rows[o->nrows++], 0, sizeof(*o->rows));
	vdevctl_table_cell(o, kind ? kind : "", header);
}

static void vdevctl_table_head(FILE *f, const char *label, int width)
{
	for (; *label; label++, width--)
		fputc(toupper((unsigned char)*label), f);
	fprintf(f, "%*s", width > 0 ? width : 0, "");
}

/* Columns as wide as their widest cell, two spaces apart; "-" if empty. */
static void vdevctl_table_print(struct vdevctl_out *o)
{
	int width[VDEVCTL_MAX_COLS];
	unsigned int r, c;

	for (c = 0; c < o->ncols; c++) {
		width[c] = strlen(o->heads[c]);
		for (r = 0; r < o->nrows; r++)
			if (o->rows[r].cells[c] &&
			    (int)strlen(o->rows[r].cells[c]) > width[c])
				width[c] = strlen(o->rows[r].cells[c]);
	}
	for (c = 0; o->nrows && c < o->ncols; c++)
		vdevctl_table_head(o->f, o->heads[c],
				   c + 1 < o->ncols ? width[c] + 2 : 0);
	if (o->nrows)
		fputc('\n', o->f);
	for (r = 0; r < o->nrows; r++) {
		for (c = 0; c < o->ncols; c++) {
			const char *cell = o->rows[r].cells[c];

			fprintf(o->f, "%-*s", c + 1 < o->ncols ? width[c] + 2 : 0,
				cell ? cell : "-");
			free(o->rows[r].cells[c]);
		}
		fputc('\n', o->f);
	}
	free(o->rows);
	o->rows = NULL;
	o->nrows = 0;
	o->ncols = 0;
}

/* Comma before every member but the first; top-level values stand alone. */
static void vdevctl_json_member(struct vdevctl_out *o, const char *key)
{
	if (o->depth && !o->first[o->depth])
		fputc(',', o->f);
	o->first[o->depth] = false;
	if (key) {
		json_str(o->f, key);
		fputc(':', o->f);
	}
}

static void vdevctl_push(struct vdevctl_out *o)
{
	if (o->depth < VDEVCTL_MAX_DEPTH)
		o->depth++;
	o->first[o->depth] = true;
}

static void vdevctl_pop(struct vdevctl_out *o)
{
	if (o->depth > 0)
		o->depth--;
}

void vdevctl_print_list_start(struct vdevctl_out *o)
{
	if (!o->json) {
		o->table = !o->line;
		return;
	}
	vdevctl_json_member(o, NULL);
	fputc('[', o->f);
	vdevctl_push(o);
}

void vdevctl_print_list_end(struct vdevctl_out *o)
{
	if (!o->json) {
		if (o->table)
			vdevctl_table_print(o);
		o->table = false;
		return;
	}
	vdevctl_pop(o);
	fputc(']', o->f);
	if (!o->depth)
		fputc('\n', o->f);
}

/*
 * header names the object, e.g. "r0" or "r0 nsid 1". A text block starts
 * with the kind too ("ctrl r0"); a table row has it in the kind's column
 * ("CTRL"); a line record follows the event's name with it.
 */
void vdevctl_print_obj_start(struct vdevctl_out *o, const char *key,
			     const char *kind, const char *header)
{
	if (o->json) {
		vdevctl_json_member(o, key);
		fputc('{', o->f);
	} else if (o->table) {
		vdevctl_table_row(o, kind, header);
	} else if (o->line) {
		fprintf(o->f, "%s%s", o->midline ? " " : "", header);
		o->midline = true;
	} else {
		/* Consecutive blocks are separated by an empty line. */
		if (o->nblocks++)
			fputc('\n', o->f);
		fprintf(o->f, "%s%s%s\n", kind ? kind : "",
			kind ? " " : "", header);
	}
	vdevctl_push(o);
}

void vdevctl_print_obj_end(struct vdevctl_out *o)
{
	vdevctl_pop(o);
	if (o->json) {
		fputc('}', o->f);
		if (!o->depth)
			fputc('\n', o->f);
	} else if (o->line && !o->depth) {
		fputc('\n', o->f);
		o->midline = false;
	}
}

/*
 * One value: json is its JSON form (quoted as a string when quote is
 * set), text its text form. A NULL key or label leaves it out of that
 * format.
 */
static void vdevctl_emit(struct vdevctl_out *o, const char *key,
			 const char *label, const char *json, bool quote,
			 const char *text)
{
	char buf[VDEVCTL_TEXT_MAX];

	if (o->json) {
		if (!key)
			return;
		vdevctl_json_member(o, key);
		if (quote)
			json_str(o->f, json);
		else
			fputs(json, o->f);
		return;
	}
	if (!label)
		return;
	vdevctl_text_escape(text, buf, sizeof(buf));
	if (o->table) {
		vdevctl_table_cell(o, label, buf);
	} else if (o->line) {
		fprintf(o->f, "%s%s %s", o->midline ? " " : "", label, buf);
		o->midline = true;
	} else {
		fprintf(o->f, "\t%s: %s\n", label, buf);
	}
}

void vdevctl_print_str(struct vdevctl_out *o, const char *key,
		       const char *label, const char *val)
{
	vdevctl_emit(o, key, label, val, true, val);
}

void vdevctl_print_u64(struct vdevctl_out *o, const char *key,
		       const char *label, uint64_t val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)val);
	vdevctl_emit(o, key, label, buf, false, buf);
}

void vdevctl_print_bool(struct vdevctl_out *o, const char *key,
			const char *label, bool val)
{
	vdevctl_emit(o, key, label, val ? "true" : "false", false,
		     val ? "yes" : "no");
}

void vdevctl_print_text(struct vdevctl_out *o, const char *label,
			const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	vdevctl_emit(o, NULL, label, NULL, false, buf);
}

/* A value of a newer kernel's enum prints as its number. */
static void vdevctl_print_enum(struct vdevctl_out *o, const char *key,
			       const char *label, const char *name,
			       uint32_t val)
{
	char buf[32];

	if (name) {
		vdevctl_emit(o, key, label, name, true, name);
		return;
	}
	snprintf(buf, sizeof(buf), "%u", val);
	vdevctl_emit(o, key, label, buf, false, buf);
}

static void vdevctl_print_mode(struct vdevctl_out *o, const char *key,
			       const char *label, uint32_t mode)
{
	char json[16], text[16];

	snprintf(json, sizeof(json), "%u", mode);
	snprintf(text, sizeof(text), "%04o", mode);
	vdevctl_emit(o, key, label, json, false, text);
}

/* "1073741824 (1 GiB)" in a block; bytes alone in a line record. */
static void vdevctl_print_size(struct vdevctl_out *o, const char *key,
			       const char *label, uint64_t bytes)
{
	char json[32], human[32], text[80];

	snprintf(json, sizeof(json), "%llu", (unsigned long long)bytes);
	vdevctl_human_size(bytes, human, sizeof(human));
	if (o->line)
		snprintf(text, sizeof(text), "%s", json);	/* no spaces */
	else
		snprintf(text, sizeof(text), "%s (%s)", json, human);
	vdevctl_emit(o, key, label, json, false, text);
}

static void vdevctl_print_field(struct vdevctl_out *o,
				const struct vdevctl_field *f, const void *obj)
{
	const void *p = (const char *)obj + f->off;

	switch (f->kind) {
	case VDEVCTL_F_U32:
		vdevctl_print_u64(o, f->key, f->label, *(const uint32_t *)p);
		break;
	case VDEVCTL_F_U64:
		vdevctl_print_u64(o, f->key, f->label, *(const uint64_t *)p);
		break;
	case VDEVCTL_F_STR:
		vdevctl_print_str(o, f->key, f->label, p);
		break;
	case VDEVCTL_F_ENUM:
		vdevctl_print_enum(o, f->key, f->label,
				   f->enum_str(*(const uint32_t *)p),
				   *(const uint32_t *)p);
		break;
	case VDEVCTL_F_MODE:
		vdevctl_print_mode(o, f->key, f->label, *(const uint32_t *)p);
		break;
	case VDEVCTL_F_SIZE:
		vdevctl_print_size(o, f->key, f->label, *(const uint64_t *)p);
		break;
	case VDEVCTL_F_BOOL:
		vdevctl_print_bool(o, f->key, f->label, *(const bool *)p);
		break;
	case VDEVCTL_F_CUSTOM:
		f->custom(o, obj);
		break;
	}
}

/*
 * Print the fields of obj in table order, skipping attributes the kernel
 * did not send. Flags (BOOL) always print: absent means false. attr 0
 * means "always".
 */
void vdevctl_print_fields(struct vdevctl_out *o,
			  const struct vdevctl_field *fields, size_t n,
			  const void *obj, uint32_t present)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct vdevctl_field *f = &fields[i];

		if (f->attr && f->kind != VDEVCTL_F_BOOL &&
		    !(present & VDEVCTL_BIT(f->attr)))
			continue;
		vdevctl_print_field(o, f, obj);
	}
}

/* "512 B", "4 KiB", "1.5 GiB": exact when it divides, else one decimal. */
void vdevctl_human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	unsigned int u = 0;

	while (u + 1 < VDEVCTL_ARRAY_SIZE(units) && bytes >> (10 * (u + 1)))
		u++;
	if (!(bytes & ((1ULL << (10 * u)) - 1)))
		snprintf(buf, len, "%llu %s",
			 (unsigned long long)(bytes >> (10 * u)), units[u]);
	else
		snprintf(buf, len, "%.1f %s",
			 (double)bytes / (double)(1ULL << (10 * u)), units[u]);
}
