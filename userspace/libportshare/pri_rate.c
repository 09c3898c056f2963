// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Rate caps and the TTL of copies (issue 17), with portshare.ko's rules: a
 * port's cap limits what a wire ADD gets (the secondary may ask for less
 * with rate=, never more: ps_rate_granted(), shared/reg_rules.c, which
 * pri_reg.c applies), an API secondary has its own.  The cap is a GCRA,
 * a token bucket kept as one theoretical arrival time, so it costs a
 * secondary 8 bytes and a comparison per copy; pri_forward.c asks it
 * after the source filter, so skipped datagrams spend nothing.
 */
#include "primary.h"
#include "reg_rules.h"

#define NSEC	1000000000LL

/**
 * pri_rate_check() - is @r a cap the API takes?
 * @r: the cap; NULL is none
 *
 * Return: 0, or PORTSHARE_E_INVALID for a rate or burst beyond
 * PORTSHARE_RATE_MAX or a burst without a rate (it would cap nothing).
 */
int pri_rate_check(const struct portshare_rate *r)
{
	if (r && (r->rate > PORTSHARE_RATE_MAX ||
		  r->burst > PORTSHARE_RATE_MAX || (r->burst && !r->rate)))
		return PORTSHARE_E_INVALID;
	return 0;
}

/* @s gets the checked cap @r (NULL: none); burst 0 is one second's worth. */
void pri_rate_set(struct pri_sec *s, const struct portshare_rate *r)
{
	s->rate = r ? r->rate : 0;
	s->burst = r && r->burst ? r->burst : s->rate;
	s->ttl = r ? r->ttl : 0;
	s->tat = 0;
}

/**
 * pri_rate_grant() - the cap and TTL of a secondary a wire ADD adds
 * @p: the port
 * @asked: the ADD's rate=, 0 if none
 * @s: the secondary, whose rate, burst and ttl are set
 */
void pri_rate_grant(const struct pri_port *p, uint32_t asked,
		    struct pri_sec *s)
{
	s->rate = ps_rate_granted(p->rate.rate, p->rate.burst, asked,
				  &s->burst);
	s->ttl = p->rate.ttl;
	s->tat = 0;
}

/**
 * pri_gcra() - may one more event pass a cap now?
 * @tat: the theoretical arrival time of the next event (ns,
 *	CLOCK_MONOTONIC), moved on if so; 0 to start
 * @now: the time now
 * @interval: ns between two events at the rate
 * @burst: events at once, >= 1
 *
 * GCRA, a token bucket as one time: each event moves @tat one interval
 * on; one is allowed while @tat is at most @burst - 1 intervals ahead of
 * now, so a source idle long enough gets its whole burst.  The
 * registration port's limit (pri_acl.c) and the copies' caps use it.
 *
 * Return: true if it may pass.
 */
bool pri_gcra(int64_t *tat, int64_t now, int64_t interval, uint32_t burst)
{
	if (*tat - now > interval * (int64_t)(burst - 1))
		return false;
	*tat = (*tat > now ? *tat : now) + interval;
	return true;
}

/**
 * pri_rate_admits() - may @s have one more copy now?
 * @s: the secondary; its bucket is spent if so
 *
 * Return: true if it may; false, counted in drop_ratelimited, if not.
 */
bool pri_rate_admits(struct pri_sec *s)
{
	int64_t interval;

	if (!s->rate)
		return true;
	/* rounded up, as portshare.ko's: a cap is never exceeded */
	interval = (NSEC + s->rate - 1) / s->rate;
	if (pri_gcra(&s->tat, pri_mono_ns(), interval, s->burst))
		return true;
	s->drop_ratelimited++;
	return false;
}

int portshare_primary_port_rate(struct portshare_primary *pri, uint16_t port,
				const struct portshare_rate *r)
{
	static const struct portshare_rate none;
	struct pri_port *p = pri_port_find(pri, port);

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	if (pri_rate_check(r))
		return PORTSHARE_E_INVALID;
	p->rate = r ? *r : none;
	return 0;
}

int portshare_primary_sec_rate(const struct portshare_primary *pri,
			       uint16_t port, unsigned int index,
			       struct portshare_rate *r,
			       uint64_t *drop_ratelimited)
{
	const struct pri_port *p = pri_port_find(pri, port);
	const struct pri_sec *s;

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	if (index >= p->nsecs)
		return PORTSHARE_E_INVALID;
	s = &p->secs[index];
	if (r) {
		r->rate = s->rate;
		r->burst = s->burst;
		r->ttl = s->ttl;
	}
	if (drop_ratelimited)
		*drop_ratelimited = s->drop_ratelimited;
	return 0;
}
