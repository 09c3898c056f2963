// SPDX-License-Identifier: GPL-2.0
/*
 * Entering the namespaces of "ip netns" for as long as it takes to create
 * a socket there: a socket stays in the namespace it was created in, so
 * one process can send from one and receive in others.
 *
 * The UDP counters of each namespace a socket lives in are watched, to
 * tell socket receive buffer overflows from other losses.  A /proc/net
 * file opened while in a namespace keeps showing that namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "psbench.h"

#define MAX_WATCH 8

static int snmp_fd[MAX_WATCH];
static ino_t snmp_ns[MAX_WATCH];
static int nwatch;

int netns_enter(const char *name)
{
	char path[256];
	int home, fd;

	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		die("/proc/self/ns/net: %s", strerror(errno));
	if (!name || !*name)
		return home;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	if (setns(fd, CLONE_NEWNET))
		die("setns %s: %s", name, strerror(errno));
	close(fd);
	return home;
}

void netns_leave(int home)
{
	if (setns(home, CLONE_NEWNET))
		die("setns back: %s", strerror(errno));
	close(home);
}

void netns_watch_snmp(void)
{
	char link[64], *bracket;
	ssize_t n;
	ino_t ino;
	int i;

	/* once per namespace: the inode number names it ("net:[4026531840]") */
	n = readlink("/proc/self/ns/net", link, sizeof(link) - 1);
	if (n < 0)
		die("readlink /proc/self/ns/net: %s", strerror(errno));
	link[n] = '\0';
	bracket = strchr(link, '[');
	if (!bracket)
		die("/proc/self/ns/net: unexpected link %s", link);
	ino = strtoull(bracket + 1, NULL, 10);
	for (i = 0; i < nwatch; i++)
		if (snmp_ns[i] == ino)
			return;
	if (nwatch == MAX_WATCH)
		die("too many namespaces");
	snmp_fd[nwatch] = open("/proc/self/net/snmp", O_RDONLY | O_CLOEXEC);
	if (snmp_fd[nwatch] < 0)
		die("/proc/self/net/snmp: %s", strerror(errno));
	snmp_ns[nwatch++] = ino;
}

/* RcvbufErrors of the "Udp:" lines: a header line, then a value line. */
static unsigned long long rcvbuf_errors(int fd)
{
	char buf[8192], *hdr = NULL, *val = NULL, *line, *save = NULL;
	char *h, *v, *hs = NULL, *vs = NULL;
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "Udp: ", 5))
			continue;
		if (!hdr)
			hdr = line;
		else
			val = line;
	}
	if (!hdr || !val)
		return 0;
	for (h = strtok_r(hdr, " ", &hs), v = strtok_r(val, " ", &vs); h && v;
	     h = strtok_r(NULL, " ", &hs), v = strtok_r(NULL, " ", &vs))
		if (!strcmp(h, "RcvbufErrors"))
			return strtoull(v, NULL, 10);
	return 0;
}

unsigned long long netns_rcvbuf_errors(void)
{
	unsigned long long sum = 0;
	int i;

	for (i = 0; i < nwatch; i++)
		sum += rcvbuf_errors(snmp_fd[i]);
	return sum;
}
