// SPDX-License-Identifier: GPL-2.0
/*
 * One print path for text and JSON, in the style of iproute2: each field
 * is printed once, with a JSON key and a text format, and the output type
 * decides which of the two is used.  Text goes to stdout as printf(fmt,
 * value); JSON goes through json.c.
 */
#include <stdarg.h>
#include <stdio.h>

#include "psnl.h"

static bool json_output;
static bool pretty_output;

void print_init(bool json, bool pretty)
{
	json_output = json;
	pretty_output = pretty;
}

bool is_json(void)
{
	return json_output;
}

static bool want_json(enum output_type t)
{
	return json_output && (t & PRINT_JSON);
}

static bool want_text(enum output_type t)
{
	return !json_output && (t & PRINT_FP);
}

/* A list: a JSON array (possibly empty, "[]"), or lines of text. */
void print_begin_list(void)
{
	if (json_output) {
		json_start(stdout, pretty_output);
		json_open_array(NULL);
	}
}

void print_end_list(void)
{
	if (json_output) {
		json_close_array();
		json_end();
	}
	fflush(stdout);
}

/* A line of a stream (monitor): always one compact JSON document. */
void print_begin_line(void)
{
	if (json_output)
		json_start(stdout, false);
}

void print_end_line(void)
{
	if (json_output)
		json_end();
	else
		fputc('\n', stdout);
	fflush(stdout);
}

void open_json_object(const char *key)
{
	if (json_output)
		json_open_object(key);
}

void close_json_object(void)
{
	if (json_output)
		json_close_object();
}

void open_json_array(const char *key)
{
	if (json_output)
		json_open_array(key);
}

void close_json_array(void)
{
	if (json_output)
		json_close_array();
}

void print_uint(enum output_type t, const char *key, const char *fmt,
		uint64_t value)
{
	if (want_json(t))
		json_uint(key, value);
	else if (want_text(t))
		printf(fmt, value);
}

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value)
{
	if (want_json(t))
		json_string(key, value);
	else if (want_text(t))
		printf(fmt, value);
}

void print_bool(enum output_type t, const char *key, const char *fmt,
		bool value)
{
	if (want_json(t))
		json_bool(key, value);
	else if (want_text(t))
		printf(fmt, value ? "true" : "false");
}

/* JSON null, or the text form of "nothing" (such as "off"). */
void print_null(enum output_type t, const char *key, const char *fmt,
		const char *text)
{
	if (want_json(t))
		json_null(key);
	else if (want_text(t))
		printf(fmt, text);
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (json_output)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}
