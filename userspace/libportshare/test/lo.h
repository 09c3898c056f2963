/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Loopback helpers shared by the primary's tests (pri_test.c,
 * dead_test.c): addresses, sockets on 127.0.0.1, a primary and a free
 * contested port, and the monotonic clock.  A failure to set up exits, as the tests'
 * own.
 */
#ifndef PORTSHARE_TEST_LO_H
#define PORTSHARE_TEST_LO_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "portshare.h"

#define LO	"127.0.0.1"

static inline struct portshare_addr addr_of(const char *text)
{
	struct portshare_addr a;

	if (portshare_addr_parse(text, &a))
		exit(99);
	return a;
}

/* A UDP socket on 127.0.0.1; its port in @port. */
static inline int bind_lo(uint16_t port, uint16_t *bound)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, len) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (bound)
		*bound = ntohs(sin.sin_port);
	return fd;
}

/* Make @pri the primary of a free random port (and its + 13000). */
static inline uint16_t add_free_port(struct portshare_primary *pri)
{
	int tries, ret;
	uint16_t port;

	for (tries = 0; tries < 100; tries++) {
		port = (uint16_t)(30000 + rand() % 20000);
		ret = portshare_primary_add_port(pri, port, 0);
		if (!ret)
			return port;
		if (ret > 0)
			portshare_primary_remove_port(pri, port);
	}
	exit(98);
}

/* A primary without the registration rate limit, telling @on_request. */
static inline struct portshare_primary *primary_logged_to(
	void (*on_request)(const struct portshare_request_log *, void *))
{
	struct portshare_primary_opts o;
	struct portshare_primary *pri;

	portshare_primary_opts_init(&o);
	o.reg_rate = 0;
	o.on_request = on_request;
	if (portshare_primary_new(&pri, &o))
		exit(97);
	return pri;
}

/* CLOCK_MONOTONIC in seconds. */
static inline double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
