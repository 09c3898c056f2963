// SPDX-License-Identifier: GPL-2.0
/*
 * A small streaming JSON writer: one document at a time, objects and
 * arrays nested up to JSON_MAX_DEPTH, compact or indented by two spaces.
 * Strings are escaped per RFC 8259; bytes that are not valid UTF-8 are
 * written as U+FFFD so the output is always valid JSON.
 */
#include <assert.h>
#include <stdio.h>

#include "psnl.h"

#define JSON_MAX_DEPTH 8

static struct {
	FILE *f;
	bool pretty;
	int depth;
	bool has_members[JSON_MAX_DEPTH + 1];
} jw;

void json_start(FILE *f, bool pretty)
{
	jw.f = f;
	jw.pretty = pretty;
	jw.depth = 0;
	jw.has_members[0] = false;
}

/* Ends the document with a newline. */
void json_end(void)
{
	assert(jw.depth == 0);
	fputc('\n', jw.f);
}

static void newline_indent(void)
{
	int i;

	fputc('\n', jw.f);
	for (i = 0; i < jw.depth; i++)
		fputs("  ", jw.f);
}

/* Separator, indentation and key that go before every value. */
static void begin_value(const char *key)
{
	if (jw.depth > 0) {
		if (jw.has_members[jw.depth])
			fputc(',', jw.f);
		if (jw.pretty)
			newline_indent();
	}
	jw.has_members[jw.depth] = true;
	if (key) {
		json_write_string(jw.f, key);
		fputs(jw.pretty ? ": " : ":", jw.f);
	}
}

static void open_container(const char *key, char bracket)
{
	begin_value(key);
	fputc(bracket, jw.f);
	assert(jw.depth < JSON_MAX_DEPTH);
	jw.depth++;
	jw.has_members[jw.depth] = false;
}

static void close_container(char bracket)
{
	assert(jw.depth > 0);
	jw.depth--;
	if (jw.pretty && jw.has_members[jw.depth + 1])
		newline_indent();
	fputc(bracket, jw.f);
}

void json_open_object(const char *key)
{
	open_container(key, '{');
}

void json_close_object(void)
{
	close_container('}');
}

void json_open_array(const char *key)
{
	open_container(key, '[');
}

void json_close_array(void)
{
	close_container(']');
}

void json_uint(const char *key, uint64_t value)
{
	begin_value(key);
	fprintf(jw.f, "%llu", (unsigned long long)value);
}

void json_string(const char *key, const char *value)
{
	begin_value(key);
	json_write_string(jw.f, value);
}

void json_bool(const char *key, bool value)
{
	begin_value(key);
	fputs(value ? "true" : "false", jw.f);
}

void json_null(const char *key)
{
	begin_value(key);
	fputs("null", jw.f);
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static int utf8_sequence_length(const unsigned char *s)
{
	int len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

static void write_escaped_char(FILE *f, unsigned char c)
{
	switch (c) {
	case '"':  fputs("\\\"", f); break;
	case '\\': fputs("\\\\", f); break;
	case '\b': fputs("\\b", f); break;
	case '\f': fputs("\\f", f); break;
	case '\n': fputs("\\n", f); break;
	case '\r': fputs("\\r", f); break;
	case '\t': fputs("\\t", f); break;
	default:
		if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

void json_write_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int len;

	fputc('"', f);
	while (*p) {
		len = utf8_sequence_length(p);
		if (len == 0) {
			fputs("\\ufffd", f);
			p++;
		} else if (len == 1) {
			write_escaped_char(f, *p++);
		} else {
			fwrite(p, 1, len, f);
			p += len;
		}
	}
	fputc('"', f);
}
