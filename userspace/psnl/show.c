// SPDX-License-Identifier: GPL-2.0
/*
 * Listing commands: the whole dump is collected first and printed only
 * once it is known to be consistent, so a retried dump never shows twice.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "psnl.h"

static int collect(const struct psnl_record *rec, void *arg)
{
	return psnl_records_push(arg, rec);
}

static void forget(void *arg)
{
	psnl_records_clear(arg);
}

/* Run the dump cmd (only port's entries, unless 0) and keep its replies. */
int psnl_collect(struct psnl *ps, uint8_t cmd, uint16_t port,
		 struct psnl_records *recs)
{
	struct psnl_dump dump = {
		.cmd = cmd,
		.port = port,
		.on_reply = collect,
		.on_restart = forget,
		.arg = recs,
	};
	int err = psnl_nl_open(ps);

	if (!err)
		err = psnl_nl_dump(ps->nl, &dump);
	return err;
}

/* After a listing: flush it, and report it if it could not be written. */
int psnl_show_flush(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	psnl_error("cannot write output: %s", strerror(errno));
	return -EIO;
}

int psnl_show(struct psnl *ps, uint8_t cmd, uint16_t port,
	      void (*format)(const struct psnl_record *rec))
{
	struct psnl_records recs = { 0 };
	size_t i;
	int err;

	err = psnl_collect(ps, cmd, port, &recs);
	if (!err) {
		print_begin_list();
		for (i = 0; i < recs.len; i++)
			format(&recs.v[i]);
		print_end_list();
		err = psnl_show_flush();
	}
	psnl_records_free(&recs);
	return err;
}
