// SPDX-License-Identifier: GPL-2.0
/* The suites' C helpers' shared plumbing: see tool.h. */

#include "tool.h"

#include <arpa/inet.h>
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

static uint16_t parse_port(const char *text, const char *port)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(port, &end, 10);
	if (errno || end == port || *end || v < 0 || v > 65535)
		die_with(2, "%s: the port must be 0 to 65535", text);
	return (uint16_t)v;
}

void parse_ep(const char *text, bool need_port, struct ep *ep)
{
	char buf[INET6_ADDRSTRLEN + 16], *addr = buf, *port = NULL, *p;

	if (strlen(text) >= sizeof(buf))
		die_with(2, "%s: too long for an address and port", text);
	strcpy(buf, text);
	if (buf[0] == '[') {
		addr = buf + 1;
		p = strchr(addr, ']');
		if (!p || (p[1] && p[1] != ':'))
			die_with(2, "%s: give [IPV6]:PORT", text);
		*p++ = '\0';
		if (*p == ':')
			port = p + 1;
	} else if ((p = strchr(buf, ':')) && !strchr(p + 1, ':')) {
		*p = '\0';
		port = p + 1;
	}
	if (need_port && !port)
		die_with(2, "%s: missing port (give ADDR:PORT or [IPV6]:PORT)", text);
	memset(ep, 0, sizeof(*ep));
	if (inet_pton(AF_INET, addr, &ep->in.sin_addr) == 1) {
		ep->family = AF_INET;
		ep->in.sin_family = AF_INET;
		ep->in.sin_port = htons(port ? parse_port(text, port) : 0);
		ep->len = sizeof(ep->in);
	} else if (inet_pton(AF_INET6, addr, &ep->in6.sin6_addr) == 1) {
		ep->family = AF_INET6;
		ep->in6.sin6_family = AF_INET6;
		ep->in6.sin6_port = htons(port ? parse_port(text, port) : 0);
		ep->len = sizeof(ep->in6);
	} else {
		die_with(2, "%s: not an IPv4 or IPv6 address", text);
	}
}

uint16_t ep_port(const struct ep *ep)
{
	return ntohs(ep->family == AF_INET ? ep->in.sin_port :
					     ep->in6.sin6_port);
}

const void *ep_addr(const struct ep *ep)
{
	return ep->family == AF_INET ? (const void *)&ep->in.sin_addr :
				       (const void *)&ep->in6.sin6_addr;
}
