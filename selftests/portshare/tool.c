// SPDX-License-Identifier: GPL-2.0
/* The suites' C helpers' shared plumbing: see tool.h. */

#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int die_status = 1;

static void __attribute__((noreturn))
vdie(int status, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	exit(status);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(die_status, fmt, ap);
}

void die_with(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(status, fmt, ap);
}

void enter_netns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die("cannot enter netns %s: %s", name, strerror(errno));
	close(fd);
}

void daemonize(const char *pidfile)
{
	pid_t pid = fork();
	FILE *f;

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid > 0) {
		f = fopen(pidfile, "w");
		if (!f || fprintf(f, "%d\n", pid) < 0 || fclose(f))
			die("%s: %s", pidfile, strerror(errno));
		exit(0);
	}
	setsid();
}
