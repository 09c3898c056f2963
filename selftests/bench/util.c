// SPDX-License-Identifier: GPL-2.0
/* Small helpers shared by the psbench files. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "psbench.h"

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("psbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* "10.0.0.1:162" (IPv4 only: the benchmark needs no more) */
void parse_addr(const char *text, struct sockaddr_in *sin)
{
	char buf[64], *colon;

	snprintf(buf, sizeof(buf), "%s", text);
	colon = strchr(buf, ':');
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (colon) {
		*colon = '\0';
		sin->sin_port = htons(atoi(colon + 1));
	}
	if (inet_pton(AF_INET, buf, &sin->sin_addr) != 1)
		die("%s: not an IPv4 address", text);
}
