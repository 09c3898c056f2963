// SPDX-License-Identifier: GPL-2.0
/*
 * Dead-secondary detection (DESIGN §9).  A secondary whose copies draw
 * dead.errors errors within dead.period seconds is dead: ICMP or ICMPv6
 * unreachable or prohibited (icmp.c), or a local copy that finds no
 * socket, which over loopback would have been a port unreachable.  A dead
 * secondary gets one copy per period, a probe, and no other.  A probe
 * that draws no error within PROBE_WAIT makes it up again; dead for
 * longer than its hold, it is dropped, reason unreachable.
 *
 * Errors come in softirq and change the state under the secondary's
 * health lock.  The data path reads the state without it and claims a
 * probe with a compare-and-exchange; one probe at a time, until its
 * verdict.  One delayed work item per namespace announces the changes
 * (SEC_STATE), takes the probes' verdicts and drops the secondaries past
 * their hold, under the namespace's lock: it runs as a secondary becomes
 * dead, then once a second while one is.  Its walk goes over the
 * namespace's lists; the lists of a busy namespace are short beside what
 * one second of its copies costs.  Times are jiffies64, as in lease.c: a
 * hold may be a year long.
 *
 * Transparent copies carry their original sender's source: their errors
 * go to that sender, so a transparent secondary is never dead.
 */

#include "portshare.h"

#include <linux/jiffies.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>

/* How long a probe's error may take to come back. */
#define PROBE_WAIT	HZ
/* How often the walk runs while a secondary is dead. */
#define HEALTH_TICK	HZ

/**
 * portshare_health_init() - a new secondary is up
 * @s: the secondary, not yet linked
 */
void portshare_health_init(struct portshare_secondary *s)
{
	spin_lock_init(&s->health.lock);
	s->health.state = PORTSHARE_STATE_UP;
	s->health.announced = PORTSHARE_STATE_UP;
}

static u64 period_of(const struct portshare_port *p)
{
	return (u64)p->dead.period * HZ;
}

/* @h->lock held: no copies but probes from now on. */
static void become_dead(struct portshare_health *h,
			const struct portshare_port *p, u64 now)
{
	WRITE_ONCE(h->dead_since, now);
	WRITE_ONCE(h->verdict_due, false);
	atomic64_set(&h->probe_due, now + period_of(p));
	/*
	 * pairs with the acquires in dead_out(), sec_health() and
	 * portshare_nl_put_health(): who sees dead sees the fields above
	 */
	smp_store_release(&h->state, PORTSHARE_STATE_DEAD);
}

/*
 * One more error in the window that began with the first error of the
 * last period; @h->lock held.  Return: true if it made the secondary dead.
 */
static bool window_error(struct portshare_health *h,
			 const struct portshare_port *p, u64 now)
{
	WRITE_ONCE(h->last_error, now);
	if (h->state != PORTSHARE_STATE_UP)
		return false;
	if (!h->window_errors ||
	    time_after64(now, h->window_start + period_of(p))) {
		h->window_start = now;
		h->window_errors = 0;
	}
	if (++h->window_errors < p->dead.errors)
		return false;
	become_dead(h, p, now);
	return true;
}

/**
 * portshare_health_error() - a copy to a secondary drew an error
 * @pn: the namespace
 * @p: the secondary's port
 * @s: the secondary, not transparent
 *
 * Counted in icmp_errors, with detection off too.  Called under
 * rcu_read_lock() with BHs disabled.
 */
void portshare_health_error(struct portshare_net *pn,
			    const struct portshare_port *p,
			    struct portshare_secondary *s)
{
	struct portshare_health *h = &s->health;
	bool died;

	PS_SEC_INC(s, icmp_errors);
	if (!p->dead.errors)
		return;
	spin_lock(&h->lock);
	died = window_error(h, p, get_jiffies_64());
	spin_unlock(&h->lock);
	if (died)
		mod_delayed_work(system_wq, &pn->health_work, 0);
}

static bool sec_is(const struct portshare_secondary *s, u16 family,
		   const union portshare_addr *addr, u16 data_port)
{
	if (s->family != family || s->data_port != data_port ||
	    s->mode == PORTSHARE_MODE_TRANSPARENT)
		return false;
	if (family == AF_INET)
		return s->addr.v4.s_addr == addr->v4.s_addr;
	return ipv6_addr_equal(&s->addr.v6, &addr->v6);
}

/* The port whose copies come from @sport (copy.c, copy_source()). */
static struct portshare_port *port_of_copies(struct portshare_net *pn,
					     u16 sport)
{
	struct portshare_port *p = portshare_port_by_reg(pn, sport);

	if (p)
		return p;
	p = portshare_port_find(pn, sport);
	return p && p->reg_off ? p : NULL;
}

/**
 * portshare_health_icmp() - an ICMP error quoted a UDP datagram
 * @net: the namespace it arrived in
 * @family: the quoted datagram's family
 * @sport: its source port
 * @daddr: its destination address
 * @dport: its destination port
 *
 * If the datagram was a copy, the error is its secondary's.  Called under
 * rcu_read_lock() with BHs disabled.
 */
void portshare_health_icmp(struct net *net, u16 family, __be16 sport,
			   const union portshare_addr *daddr, __be16 dport)
{
	struct portshare_net *pn = portshare_net(net);
	struct portshare_secondary *s;
	struct portshare_port *p;

	if (!pn)
		return;
	p = port_of_copies(pn, ntohs(sport));
	if (!p)
		return;
	list_for_each_entry_rcu(s, &p->secondaries, node) {
		if (sec_is(s, family, daddr, ntohs(dport))) {
			portshare_health_error(pn, p, s);
			return;
		}
	}
}

/**
 * portshare_health_probe() - may a dead secondary have this copy?
 * @p: the secondary's port
 * @s: the secondary, dead
 *
 * One copy per period goes, as a probe, and no other until its verdict,
 * PROBE_WAIT later (health_walk()).  Called with BHs disabled.
 *
 * Return: true if this copy is the probe.
 */
bool portshare_health_probe(const struct portshare_port *p,
			    struct portshare_secondary *s)
{
	struct portshare_health *h = &s->health;
	u64 now = get_jiffies_64();
	u64 due = atomic64_read(&h->probe_due);

	if (READ_ONCE(h->verdict_due) || time_before64(now, due) ||
	    atomic64_cmpxchg(&h->probe_due, due, now + period_of(p)) != due)
		return false;
	WRITE_ONCE(h->probe_sent, now);
	/* pairs with the acquire in verdict(): @probe_sent comes first */
	smp_store_release(&h->verdict_due, true);
	PS_SEC_INC(s, probes);
	return true;
}

/**
 * portshare_health_probe_lost() - the probe was not sent after all
 * @s: the secondary, whose copy portshare_health_probe() made the probe
 *
 * A probe dropped on the way here (too big, over the budget or the rate
 * cap, no route) can draw no error: it gets no verdict, and the next
 * probe goes a period later.  Called with BHs disabled.
 */
void portshare_health_probe_lost(struct portshare_secondary *s)
{
	WRITE_ONCE(s->health.verdict_due, false);
}

/**
 * portshare_health_dead_for() - how long a secondary has been dead
 * @s: the secondary, dead (its state read with acquire)
 *
 * Return: whole seconds.
 */
u32 portshare_health_dead_for(const struct portshare_secondary *s)
{
	u64 dead = get_jiffies_64() - READ_ONCE(s->health.dead_since);

	return (u32)min_t(u64, div_u64(dead, HZ), U32_MAX);
}

/*
 * A probe went PROBE_WAIT ago: no error since, and the secondary is up.
 * No other probe goes before this verdict, so @probe_sent is the one.
 */
static void verdict(struct portshare_health *h, u64 now)
{
	/* pairs with the release in portshare_health_probe() */
	if (!smp_load_acquire(&h->verdict_due))
		return;
	spin_lock_bh(&h->lock);
	if (READ_ONCE(h->verdict_due) &&
	    !time_before64(now, h->probe_sent + PROBE_WAIT)) {
		WRITE_ONCE(h->verdict_due, false);
		if (h->state == PORTSHARE_STATE_DEAD &&
		    time_before64(h->last_error, h->probe_sent)) {
			h->window_errors = 0;
			WRITE_ONCE(h->state, PORTSHARE_STATE_UP);
		}
	}
	spin_unlock_bh(&h->lock);
}

/* Dead for its hold?  @s is dead. */
static bool hold_over(const struct portshare_secondary *s, u64 now)
{
	return s->hold &&
	       time_after_eq64(now, READ_ONCE(s->health.dead_since) +
			       (u64)s->hold * HZ);
}

/* A SEC_STATE event if the state changed since the last one. */
static u8 announce(struct portshare_net *pn, struct portshare_port *p,
		   struct portshare_secondary *s)
{
	/* pairs with the release in become_dead() */
	u8 state = smp_load_acquire(&s->health.state);

	if (state != s->health.announced) {
		s->health.announced = state;
		portshare_nl_state_event(pn, p, s);
	}
	return state;
}

/*
 * Announce what happened since the last walk, take a probe's verdict and
 * announce it too, or drop the secondary after its hold.
 * Return: true if @s is still dead.
 */
static bool sec_health(struct portshare_net *pn, struct portshare_port *p,
		       struct portshare_secondary *s, u64 now)
{
	announce(pn, p, s);
	verdict(&s->health, now);
	if (announce(pn, p, s) != PORTSHARE_STATE_DEAD)
		return false;
	if (!hold_over(s, now))
		return true;
	portshare_sec_unlink(pn, p, s, PORTSHARE_REASON_UNREACHABLE);
	return false;
}

static void health_walk(struct work_struct *work)
{
	struct portshare_net *pn = container_of(to_delayed_work(work),
						struct portshare_net,
						health_work);
	struct portshare_secondary *s, *tmp;
	struct portshare_port *p;
	bool dead = false;
	u64 now;

	mutex_lock(&pn->lock);
	now = get_jiffies_64();
	list_for_each_entry(p, &pn->ports, node)
		list_for_each_entry_safe(s, tmp, &p->secondaries, node)
			dead |= sec_health(pn, p, s, now);
	if (dead)
		queue_delayed_work(system_wq, &pn->health_work, HEALTH_TICK);
	mutex_unlock(&pn->lock);
}

/**
 * portshare_health_net_init() - set up a namespace's health walk
 * @pn: the namespace's new state
 */
void portshare_health_net_init(struct portshare_net *pn)
{
	INIT_DELAYED_WORK(&pn->health_work, health_walk);
}

/**
 * portshare_health_net_exit() - stop the walk of a namespace going away
 * @pn: the namespace, with no port left (so no hook to start it again)
 */
void portshare_health_net_exit(struct portshare_net *pn)
{
	cancel_delayed_work_sync(&pn->health_work);
}
