// SPDX-License-Identifier: GPL-2.0
/*
 * One-line error reports on stderr:
 *
 *	psnl: [FILE:LINE: ][COMMAND: ]message
 *
 * The location is set while a batch file runs, the command while a command
 * runs, so that parsers and the netlink layer need not know either.
 */
#include <stdarg.h>
#include <stdio.h>

#include "psnl.h"

static const char *batch_file;
static unsigned long batch_line;
static const char *command;

void psnl_err_set_location(const char *file, unsigned long line)
{
	batch_file = file;
	batch_line = line;
}

void psnl_err_set_command(const char *name)
{
	command = name;
}

/* Build the whole line first so that it reaches stderr in one write. */
static void report(const char *kind, const char *fmt, va_list ap)
{
	char line[1024];
	size_t len = 0;

	len += snprintf(line + len, sizeof(line) - len, "psnl: ");
	if (batch_file)
		len += snprintf(line + len, sizeof(line) - len, "%s:%lu: ",
				batch_file, batch_line);
	if (command && len < sizeof(line))
		len += snprintf(line + len, sizeof(line) - len, "%s: ",
				command);
	if (kind && len < sizeof(line))
		len += snprintf(line + len, sizeof(line) - len, "%s", kind);
	if (len < sizeof(line))
		vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

void psnl_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(NULL, fmt, ap);
	va_end(ap);
}

void psnl_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("warning: ", fmt, ap);
	va_end(ap);
}

/* Report a wrong argument; returns what a handler returns for it. */
int psnl_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(NULL, fmt, ap);
	va_end(ap);
	return HANDLER_RET_BADARG;
}
