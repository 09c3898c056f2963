// SPDX-License-Identifier: GPL-2.0
/*
 * The options a port and a -s secondary share on psd's command line:
 * lease=SECONDS, rate=PPS[/BURST], ttl=N and hold=SECONDS (docs/psd.8),
 * and a port's own dead=E/S or dead=off, each at most once, in the ranges
 * portshare.ko takes.  A bad one is logged with its range here, so that
 * every caller says the same.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "psd.h"

#define LEASE_FIELD	"lease="
#define RATE_FIELD	"rate="
#define TTL_FIELD	"ttl="
#define TTL_MAX		255
#define HOLD_FIELD	"hold="
#define DEAD_FIELD	"dead="

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

/*
 * @name@v, SECONDS from @min to PORTSHARE_LEASE_MAX, not @given before:
 * into *@out, or false, logged with the range and @note.
 */
static bool seconds_field(const char *what, const char *name, const char *v,
			  unsigned long min, bool given, const char *note,
			  uint32_t *out)
{
	unsigned long n;

	if (given || !psd_num(v, min, PORTSHARE_LEASE_MAX, &n)) {
		psd_log("%s: '%s%s': give %sSECONDS once, %lu..%u%s", what,
			name, v, name, min, PORTSHARE_LEASE_MAX, note);
		return false;
	}
	*out = (uint32_t)n;
	return true;
}

/* lease=SECONDS, 1..PORTSHARE_LEASE_MAX, once. */
static bool lease_field(const char *what, const char *v, struct psd_limits *l)
{
	return seconds_field(what, LEASE_FIELD, v, 1, l->lease, "", &l->lease);
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

/* hold=SECONDS, 0..PORTSHARE_LEASE_MAX (0: never), once. */
static bool hold_field(const char *what, const char *v, struct psd_limits *l)
{
	if (!seconds_field(what, HOLD_FIELD, v, 0, l->has_hold,
			   " (0: never drop a dead secondary)", &l->hold))
		return false;
	l->has_hold = true;
	return true;
}

static const char *after(const char *f, const char *name)
{
	size_t n = strlen(name);

	return strncmp(f, name, n) ? NULL : f + n;
}

/**
 * psd_limit_field() - lease=, rate=, ttl= or hold= of a port or -s
 *                     secondary
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
	if ((v = after(f, HOLD_FIELD)))
		return hold_field(what, v, l) ? 1 : -1;
	return 0;
}

/* E/S into @d: E 0..PORTSHARE_DEAD_ERRORS_MAX, S 1..PORTSHARE_DEAD_PERIOD_MAX. */
static bool dead_value(const char *v, struct portshare_dead *d)
{
	char buf[32], *slash;
	unsigned long e, s;

	if (!strcmp(v, "off")) {
		d->errors = 0;
		return true;
	}
	if (strlen(v) >= sizeof(buf))
		return false;
	strcpy(buf, v);
	slash = strchr(buf, '/');
	if (!slash)
		return false;
	*slash++ = '\0';
	if (!psd_num(buf, 0, PORTSHARE_DEAD_ERRORS_MAX, &e) ||
	    !psd_num(slash, 1, PORTSHARE_DEAD_PERIOD_MAX, &s))
		return false;
	d->errors = (uint32_t)e;
	d->period = (uint32_t)s;
	return true;
}

/**
 * psd_dead_field() - a port's dead=E/S or dead=off
 * @what: the port's argument, for the log
 * @f: the field
 * @s: the port, whose @dead and @has_dead are set
 *
 * Return: 1 if @f is dead=, 0 if not (nothing logged), -1 if it has a bad
 * value or was given twice (logged, with the ranges).
 */
int psd_dead_field(const char *what, const char *f, struct psd_port_spec *s)
{
	const char *v = after(f, DEAD_FIELD);

	if (!v)
		return 0;
	if (s->has_dead || !dead_value(v, &s->dead)) {
		psd_log("%s: '" DEAD_FIELD "%s': give dead=E/S once, E ICMP errors within S seconds (E 0..%u, 0: off; S 1..%u), or dead=off",
			what, v, PORTSHARE_DEAD_ERRORS_MAX,
			PORTSHARE_DEAD_PERIOD_MAX);
		return -1;
	}
	s->has_dead = true;
	return 1;
}
