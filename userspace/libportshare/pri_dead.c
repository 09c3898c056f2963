// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Dead-secondary detection (issue 17), with portshare.ko's rules: each
 * secondary is up or dead.  Up, the ICMP errors its copies draw
 * (pri_icmp.c) are counted in a window of the port's dead-period; as many
 * as its dead-errors make it dead.  Dead, it gets no copies but one probe
 * per dead-period, and no other until its verdict: a probe that draws no
 * error within a second makes it up again.  A probe dropped on the way
 * (pri_forward.c) draws no error and gets no verdict.  One dead for its
 * hold is dropped with reason unreachable and without SHUTDOWN, as an
 * expired lease (pri_lease.c, whose timer also runs the verdicts and the
 * holds).  Transparent copies carry the sender's address, so their
 * errors go to the sender: transparent secondaries are never dead.
 * Times are CLOCK_MONOTONIC ns, passed in, so that the machine is a
 * function of its inputs.
 */
#include "primary.h"

#define NSEC		1000000000LL
#define VERDICT_NS	NSEC	/* a probe's verdict, after it is sent */

/* portshare.ko's defaults, a new port's. */
static const struct portshare_dead dead_defaults = {
	.errors = PORTSHARE_DEAD_ERRORS_DEFAULT,
	.period = PORTSHARE_DEAD_PERIOD_DEFAULT,
	.hold = PORTSHARE_HOLD_DEFAULT,
};

void pri_dead_port_init(struct pri_port *p)
{
	p->dead = dead_defaults;
}

/**
 * pri_dead_check() - are @d options the API takes?
 * @d: the options
 *
 * Return: 0, or PORTSHARE_E_INVALID for errors beyond
 * PORTSHARE_DEAD_ERRORS_MAX, a period of 0 or beyond
 * PORTSHARE_DEAD_PERIOD_MAX, or a hold beyond PORTSHARE_LEASE_MAX.
 */
int pri_dead_check(const struct portshare_dead *d)
{
	if (d->errors > PORTSHARE_DEAD_ERRORS_MAX || !d->period ||
	    d->period > PORTSHARE_DEAD_PERIOD_MAX ||
	    d->hold > PORTSHARE_LEASE_MAX)
		return PORTSHARE_E_INVALID;
	return 0;
}

static int64_t period_ns(const struct pri_port *p)
{
	return (int64_t)p->dead.period * NSEC;
}

static uint32_t dead_for(const struct pri_dead_sec *d, int64_t now)
{
	if (d->state != PORTSHARE_STATE_DEAD || now < d->dead_since)
		return 0;
	return (uint32_t)((now - d->dead_since) / NSEC);
}

static void state_get(const struct pri_dead_sec *d, int64_t now,
		      struct portshare_sec_state *st)
{
	st->state = d->state;
	st->dead_for = dead_for(d, now);
	/* a wire registration's is its port's, not its own (as SEC_GET) */
	st->hold = d->hold_is_ports ? 0 : d->hold;
	st->icmp_errors = d->icmp_errors;
	st->dead_skipped = d->dead_skipped;
	st->probes = d->probes;
}

/* The sec-state event: @s is now as its state says. */
static void tell(struct portshare_primary *pri, const struct pri_port *p,
		 const struct pri_sec *s, int64_t now)
{
	struct portshare_state_log log = {
		.port = p->port, .addr = s->e.addr,
		.data_port = s->e.data_port,
		.dead_errors = p->dead.errors, .dead_period = p->dead.period,
	};

	if (!pri->on_state)
		return;
	state_get(&s->dead, now, &log.st);
	pri->on_state(&log, pri->state_arg);
}

static void go_dead(struct portshare_primary *pri, struct pri_port *p,
		    struct pri_sec *s, int64_t now)
{
	struct pri_dead_sec *d = &s->dead;

	d->state = PORTSHARE_STATE_DEAD;
	d->dead_since = now;
	d->probe_due = now + period_ns(p);
	d->probe_sent = 0;
	d->win_count = 0;
	tell(pri, p, s, now);
	pri_timer_arm(pri);	/* its hold */
}

static void go_up(struct portshare_primary *pri, struct pri_port *p,
		  struct pri_sec *s, int64_t now)
{
	struct pri_dead_sec *d = &s->dead;

	d->state = PORTSHARE_STATE_UP;
	d->probe_sent = 0;
	d->win_count = 0;
	tell(pri, p, s, now);
}

/**
 * pri_dead_error() - an ICMP error that one of @s's copies drew
 * @pri: the primary
 * @p: the port
 * @s: the secondary
 * @now: when it was read
 *
 * Counted in any state.  Up, with detection on, it opens a window or
 * counts in the open one (an error more than dead-period after the
 * window's first opens a new one); dead-errors of them make @s dead.
 */
void pri_dead_error(struct portshare_primary *pri, struct pri_port *p,
		    struct pri_sec *s, int64_t now)
{
	struct pri_dead_sec *d = &s->dead;

	d->icmp_errors++;
	d->last_error = now;
	if (d->state != PORTSHARE_STATE_UP || !p->dead.errors ||
	    s->e.mode == PORTSHARE_MODE_TRANSPARENT)
		return;
	if (!d->win_count || now - d->win_start > period_ns(p)) {
		d->win_start = now;
		d->win_count = 1;
	} else {
		d->win_count++;
	}
	if (d->win_count >= p->dead.errors)
		go_dead(pri, p, s, now);
}

/**
 * pri_dead_admits() - may @s have a copy of the datagram at hand?
 * @pri: the primary
 * @p: the port
 * @s: the secondary, past its source filter
 * @now: the time
 *
 * Up, yes.  Dead, only when a probe is due and the last one's verdict is
 * taken (counted in probes; the next is due dead-period later, its
 * verdict a second after this one); else the datagram is counted in
 * dead_skipped.  With dead-period 1 s a probe claimed before the last
 * one's verdict would take its place, and the verdict would never come.
 *
 * Return: true if it may.
 */
bool pri_dead_admits(struct portshare_primary *pri, struct pri_port *p,
		     struct pri_sec *s, int64_t now)
{
	struct pri_dead_sec *d = &s->dead;

	if (d->state == PORTSHARE_STATE_UP)
		return true;
	if (d->probe_sent || now < d->probe_due) {
		d->dead_skipped++;
		return false;
	}
	d->probes++;
	d->probe_sent = now;
	d->probe_due = now + period_ns(p);
	pri_timer_arm(pri);	/* its verdict */
	return true;
}

/**
 * pri_dead_lost() - a copy pri_dead_admits() let through was not sent
 * @s: the secondary
 *
 * If @s is dead the copy was its probe: dropped on the way (too big,
 * over a budget or its rate cap, a send error), it can draw no error, so
 * it gets no verdict (which would make @s up), and the next probe goes
 * a period after it.
 */
void pri_dead_lost(struct pri_sec *s)
{
	if (s->dead.state == PORTSHARE_STATE_DEAD)
		s->dead.probe_sent = 0;
}

/* When @s's pending verdict or the end of its hold is due; 0: never. */
int64_t pri_dead_next(const struct pri_sec *s)
{
	const struct pri_dead_sec *d = &s->dead;
	int64_t next = 0;

	if (d->state != PORTSHARE_STATE_DEAD)
		return 0;
	if (d->probe_sent)
		next = d->probe_sent + VERDICT_NS;
	if (d->hold)
		next = pri_earlier(next, d->dead_since + (int64_t)d->hold * NSEC);
	return next;
}

/**
 * pri_dead_due() - @s's verdict and hold, if due at @now
 * @pri: the primary
 * @p: the port
 * @s: the secondary
 * @now: the time
 *
 * A probe sent a second ago or more with no error since makes @s up
 * again; with one it stays dead.  Then, still dead for at least its
 * hold (not 0), it is dropped.
 *
 * Return: true if @s was dropped (it is then the next one on the list).
 */
bool pri_dead_due(struct portshare_primary *pri, struct pri_port *p,
		  struct pri_sec *s, int64_t now)
{
	struct pri_dead_sec *d = &s->dead;

	if (d->state != PORTSHARE_STATE_DEAD)
		return false;
	if (d->probe_sent && now - d->probe_sent >= VERDICT_NS) {
		if (d->last_error < d->probe_sent) {
			go_up(pri, p, s, now);
			return false;
		}
		d->probe_sent = 0;
	}
	if (d->hold && now - d->dead_since >= (int64_t)d->hold * NSEC) {
		pri_sec_gone(pri, p, s, PORTSHARE_REASON_UNREACHABLE);
		return true;
	}
	return false;
}

int portshare_primary_port_dead(struct portshare_primary *pri, uint16_t port,
				const struct portshare_dead *d)
{
	struct pri_port *p = pri_port_find(pri, port);

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	if (!d)
		d = &dead_defaults;
	if (pri_dead_check(d))
		return PORTSHARE_E_INVALID;
	p->dead = *d;
	return 0;
}

int portshare_primary_port_dead_get(const struct portshare_primary *pri,
				    uint16_t port, struct portshare_dead *d)
{
	const struct pri_port *p = pri_port_find(pri, port);

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	*d = p->dead;
	return 0;
}

int portshare_primary_sec_state(const struct portshare_primary *pri,
				uint16_t port, unsigned int index,
				struct portshare_sec_state *st)
{
	const struct pri_port *p = pri_port_find(pri, port);

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	if (index >= p->nsecs)
		return PORTSHARE_E_INVALID;
	state_get(&p->secs[index].dead, pri_mono_ns(), st);
	return 0;
}

void portshare_primary_on_state(struct portshare_primary *pri,
				void (*cb)(const struct portshare_state_log *log,
					   void *arg),
				void *arg)
{
	pri->on_state = cb;
	pri->state_arg = arg;
}
