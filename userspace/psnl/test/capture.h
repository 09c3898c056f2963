/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What psnl's unit tests share: catch what a call prints on stdout or
 * stderr (messages go straight to the file descriptors) as a string.
 */
#ifndef PSNL_TEST_CAPTURE_H
#define PSNL_TEST_CAPTURE_H

#include <stdio.h>
#include <unistd.h>

struct capture {
	FILE *f;
	int fd;
	int saved;
};

/* Send @fd into a temporary file until capture_end(). */
static inline void capture_begin(struct capture *c, int fd)
{
	fflush(stdout);
	fflush(stderr);
	c->f = tmpfile();
	c->fd = fd;
	c->saved = dup(fd);
	if (c->f)
		dup2(fileno(c->f), fd);
}

/* Restore the file descriptor; what went to it is in @buf. */
static inline void capture_end(struct capture *c, char *buf, size_t size)
{
	size_t n = 0;

	fflush(stdout);
	fflush(stderr);
	dup2(c->saved, c->fd);
	close(c->saved);
	if (c->f) {
		rewind(c->f);
		n = fread(buf, 1, size - 1, c->f);
		fclose(c->f);
	}
	buf[n] = '\0';
}

#endif
