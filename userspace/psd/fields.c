// SPDX-License-Identifier: GPL-2.0
/*
 * The options a port and a -s secondary share on psd's command line:
 * lease=SECONDS, rate=PPS[/BURST] and ttl=N (docs/psd.8), each at most
 * once, in the ranges portshare.ko takes.  A bad one is logged with its
 * range here, so that every caller says the same.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "psd.h"

#define LEASE_FIELD	"lease="
#define RATE_FIELD	"rate="
#define TTL_FIELD	"ttl="
#define TTL_MAX		255

/**
 * psd_num() - a decimal number in @min..@max, the whole of @s
 * @s: the text
 * @min: the least allowed
 * @max: the most allowed
 * @out: the number, if true is returned
 *
 * Return: true if @s is such a number.
 */
bool psd_num(const char *s, unsigned long min, unsigned long max,
	     unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && *s >= '0' && *s <= '9' && !*end && *out >= min &&
	       *out <= max;
}

/* lease=SECONDS, 1..PORTSHARE_LEASE_MAX, once. */
static bool lease_field(const char *what, const char *v, struct psd_limits *l)
{
	unsigned long n;

	if (l->lease || !psd_num(v, 1, PORTSHARE_LEASE_MAX, &n)) {
		psd_log("%s: '" LEASE_FIELD "%s': give lease=SECONDS once, 1..%u",
			what, v, PORTSHARE_LEASE_MAX);
		return false;
	}
	l->lease = (uint32_t)n;
	return true;
}

/* PPS[/BURST] into @r; each 1..PORTSHARE_RATE_MAX. */
static bool rate_value(const char *v, struct portshare_rate *r)
{
	char buf[32], *slash;
	unsigned long rate, burst = 0;

	if (strlen(v) >= sizeof(buf))
		return false;
	strcpy(buf, v);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (!psd_num(buf, 1, PORTSHARE_RATE_MAX, &rate) ||
	    (slash && !psd_num(slash, 1, PORTSHARE_RATE_MAX, &burst)))
		return false;
	r->rate = (uint32_t)rate;
	r->burst = (uint32_t)burst;
	return true;
}

/* rate=PPS[/BURST], once. */
static bool rate_field(const char *what, const char *v, struct psd_limits *l)
{
	if (l->rate.rate || !rate_value(v, &l->rate)) {
		psd_log("%s: '" RATE_FIELD "%s': give rate=PPS[/BURST] once: PPS copies a second, BURST at once, each 1..%u",
			what, v, PORTSHARE_RATE_MAX);
		return false;
	}
	return true;
}

/* ttl=N, 1..255, once. */
static bool ttl_field(const char *what, const char *v, struct psd_limits *l)
{
	unsigned long n;

	if (l->rate.ttl || !psd_num(v, 1, TTL_MAX, &n)) {
		psd_log("%s: '" TTL_FIELD "%s': give ttl=N once, 1..%u", what,
			v, TTL_MAX);
		return false;
	}
	l->rate.ttl = (uint8_t)n;
	return true;
}

static const char *after(const char *f, const char *name)
{
	size_t n = strlen(name);

	return strncmp(f, name, n) ? NULL : f + n;
}

/**
 * psd_limit_field() - lease=, rate= or ttl= of a port or -s secondary
 * @what: what the field belongs to, for the log
 * @f: the field
 * @l: where its value goes
 *
 * Return: 1 if @f is one of them, 0 if it is none (nothing logged), -1
 * if it is one with a bad value or given twice (logged, with the range).
 */
int psd_limit_field(const char *what, const char *f, struct psd_limits *l)
{
	const char *v;

	if ((v = after(f, LEASE_FIELD)))
		return lease_field(what, v, l) ? 1 : -1;
	if ((v = after(f, RATE_FIELD)))
		return rate_field(what, v, l) ? 1 : -1;
	if ((v = after(f, TTL_FIELD)))
		return ttl_field(what, v, l) ? 1 : -1;
	return 0;
}
