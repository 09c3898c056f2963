// SPDX-License-Identifier: GPL-2.0
/*
 * -b FILE: one command a line, with the global options of the command
 * line.  Words are separated by blanks; a word that starts with '#' begins
 * a comment that runs to the end of the line, so blank lines, comment
 * lines and the "\t# counters" of "psnl list" output are all skipped.
 * The first failing line stops the batch unless --force is given;
 * errors are reported as "psnl: FILE:LINE: ...".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "psnl.h"

#define MAX_WORDS 64
#define BLANKS " \t\r\n\v\f"

/* Words up to a comment; the count, or -1 when there are too many. */
static int split_words(char *line, char **words)
{
	int n = 0;
	char *word, *save;

	for (word = strtok_r(line, BLANKS, &save); word && word[0] != '#';
	     word = strtok_r(NULL, BLANKS, &save)) {
		if (n == MAX_WORDS)
			return -1;
		words[n++] = word;
	}
	return n;
}

static int run_line(struct psnl *ps, char *line)
{
	char *words[MAX_WORDS];
	int n = split_words(line, words);

	if (n < 0)
		return psnl_usage_error("more than %d words on one line",
					MAX_WORDS);
	if (n == 0)
		return 0;
	return psnl_run(ps, n, words);
}

static FILE *open_batch(const char *file)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;

	if (!f)
		psnl_error("cannot open batch file \"%s\": %s", file,
			   strerror(errno));
	return f;
}

/* Returns 0 when every line succeeded, -1 otherwise. */
static int run_lines(struct psnl *ps, FILE *f, const char *file)
{
	unsigned long lineno = 0;
	size_t cap = 0;
	char *line = NULL;
	bool failed = false;

	while (getline(&line, &cap, f) >= 0) {
		psnl_err_set_location(file, ++lineno);
		if (run_line(ps, line) != 0) {
			failed = true;
			if (!ps->force)
				break;
		}
	}
	if (ferror(f)) {
		psnl_error("cannot read: %s", strerror(errno));
		failed = true;
	}
	psnl_err_set_location(NULL, 0);
	free(line);
	return failed ? -1 : 0;
}

int psnl_batch(struct psnl *ps, const char *file)
{
	FILE *f = open_batch(file);
	int ret;

	if (!f)
		return -1;
	ret = run_lines(ps, f, file);
	if (f != stdin)
		fclose(f);
	return ret;
}
