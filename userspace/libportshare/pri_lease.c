// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Leases (issue 17), with portshare.ko's rules: a port's lease limits
 * what a wire ADD gets (the secondary may ask for less, never more:
 * ps_lease_granted(), shared/reg_rules.c, which pri_reg.c applies), a
 * repeated ADD renews the lease granted, and a secondary not renewed in
 * time is dropped with reason expired and without SHUTDOWN: it is gone
 * or has forgotten us, so nobody would read the notice.  Expiry runs off
 * a timerfd in the primary's epoll set, armed at the earliest expiry, so
 * the application's event loop needs nothing new; the same timer draws
 * the verdicts of probes and ends the holds of dead secondaries
 * (pri_dead.c).
 */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "primary.h"

#define NSEC	1000000000LL

/**
 * pri_lease_init() - the expiry timer, in the primary's epoll set
 * @pri: the primary, with its epoll descriptor
 *
 * Return: 0, or a negated errno (and pri->tfd is -1).
 */
int pri_lease_init(struct portshare_primary *pri)
{
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u32 = PRI_TAG_TIMER };
	int err;

	pri->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (pri->tfd < 0)
		return -errno;
	if (epoll_ctl(pri->epfd, EPOLL_CTL_ADD, pri->tfd, &ev)) {
		err = -errno;
		close(pri->tfd);
		pri->tfd = -1;
		return err;
	}
	return 0;
}

/* The earlier of two times, 0 being never. */
int64_t pri_earlier(int64_t a, int64_t b)
{
	return !a || (b && b < a) ? b : a;
}

/*
 * The timer at the earliest expiry, verdict of a probe or end of a hold
 * (pri_dead.c), or off.  Scanning every list is cheap next to what
 * changes them: requests are rate limited, probes one per dead-period.
 */
void pri_timer_arm(struct portshare_primary *pri)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	int64_t next = 0;
	unsigned int i, j;

	for (i = 0; i < pri->nports; i++) {
		const struct pri_port *p = &pri->ports[i];

		for (j = 0; j < p->nsecs; j++) {
			if (p->secs[j].lease)
				next = pri_earlier(next,
						   p->secs[j].expires_ns);
			next = pri_earlier(next, pri_dead_next(&p->secs[j]));
		}
	}
	if (next > 0) {
		its.it_value.tv_sec = next / NSEC;
		its.it_value.tv_nsec = next % NSEC;
	}
	timerfd_settime(pri->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* @s's lease starts now (it has one: @s->lease is not 0). */
void pri_lease_start(struct portshare_primary *pri, struct pri_sec *s)
{
	s->expires_ns = pri_mono_ns() + (int64_t)s->lease * NSEC;
	pri_timer_arm(pri);
}

/* A repeated ADD: the listed secondary's lease, if any, starts again. */
void pri_lease_renew(struct portshare_primary *pri, struct pri_port *p,
		     const struct portshare_addr *a, uint16_t port)
{
	struct pri_sec *s = pri_sec_find(p, a, port);

	if (s && s->lease)
		pri_lease_start(pri, s);
}

/**
 * pri_sec_gone() - drop @s, then tell the application why
 * @pri: the primary
 * @p: the port
 * @s: the secondary
 * @reason: PORTSHARE_REASON_EXPIRED (its lease ran out) or
 *	PORTSHARE_REASON_UNREACHABLE (dead for its hold, pri_dead.c)
 *
 * No request, no SHUTDOWN: it is gone or has forgotten us, so nobody
 * would read the notice.
 */
void pri_sec_gone(struct portshare_primary *pri, struct pri_port *p,
		  struct pri_sec *s, uint8_t reason)
{
	struct portshare_request_log log = {
		.port = p->port, .cmd = PORTSHARE_REQ_DROP, .addr = s->e.addr,
		.data_port = s->e.data_port, .reason = reason,
		.lease = s->lease,
		.hold = reason == PORTSHARE_REASON_UNREACHABLE ?
			s->dead.hold : 0,
	};

	pri_sec_drop(p, &s->e.addr, s->e.data_port);
	if (pri->opts.on_request)
		pri->opts.on_request(&log, pri->opts.arg);
}

static bool due(const struct pri_sec *s, int64_t now)
{
	return s->lease && s->expires_ns <= now;
}

/*
 * Errors waiting are read first, so that a verdict sees every error that
 * came before it.  A secondary dropped leaves its index to the next.
 */
int portshare_primary_expire(struct portshare_primary *pri)
{
	int64_t now;
	unsigned int i, j;
	int n = 0;

	pri_icmp_drain(pri);
	now = pri_mono_ns();
	for (i = 0; i < pri->nports; i++) {
		struct pri_port *p = &pri->ports[i];

		for (j = 0; j < p->nsecs;) {
			struct pri_sec *s = &p->secs[j];

			if (due(s, now)) {
				pri_sec_gone(pri, p, s,
					     PORTSHARE_REASON_EXPIRED);
			} else if (!pri_dead_due(pri, p, s, now)) {
				j++;
				continue;
			}
			n++;	/* dropped: j is the next now */
		}
	}
	pri_timer_arm(pri);
	return n;
}

/* The timer fired: take the expirations it counted, then expire. */
void pri_lease_timer(struct portshare_primary *pri)
{
	uint64_t ticks;

	if (read(pri->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	portshare_primary_expire(pri);
}

int portshare_primary_port_lease(struct portshare_primary *pri,
				 uint16_t port, uint32_t lease)
{
	struct pri_port *p = pri_port_find(pri, port);

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	if (lease > PORTSHARE_LEASE_MAX)
		return PORTSHARE_E_INVALID;
	p->lease = lease;
	return 0;
}

int portshare_primary_sec_lease(const struct portshare_primary *pri,
				uint16_t port, unsigned int index,
				uint32_t *lease, uint32_t *left)
{
	const struct pri_port *p = pri_port_find(pri, port);
	const struct pri_sec *s;
	int64_t ns;

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	if (index >= p->nsecs)
		return PORTSHARE_E_INVALID;
	s = &p->secs[index];
	ns = s->lease ? s->expires_ns - pri_mono_ns() : 0;
	if (lease)
		*lease = s->lease;
	if (left)	/* rounded up: 0 only once it is due */
		*left = ns > 0 ? (uint32_t)((ns + NSEC - 1) / NSEC) : 0;
	return 0;
}
