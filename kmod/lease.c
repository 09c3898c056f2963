// SPDX-License-Identifier: GPL-2.0
/*
 * Leases (DESIGN §9): a secondary with a lease is dropped, reason
 * expired, unless an ADD refreshes it in time.  No SHUTDOWN goes to it:
 * it stopped asking, so it is gone or no longer wants copies.
 *
 * One delayed work item per namespace walks the lists when the earliest
 * lease runs out and then waits for the next one.  A refresh only moves
 * an expiry later, so only a new lease can bring the walk forward.  The
 * walk costs one pass over the namespace's secondaries per expiry batch;
 * it is a little late rather than early, so that leases ending close
 * together go in one pass.
 */

#include "portshare.h"

#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/workqueue.h>

/* A walk waits this long after the lease it is for, to take its neighbours. */
#define LEASE_SLACK	(HZ / 10)

static u64 lease_end(u32 lease)
{
	return get_jiffies_64() + (u64)lease * HZ;
}

/* Make sure a walk comes no later than @when. */
static void lease_schedule(struct portshare_net *pn, u64 when)
{
	u64 now = get_jiffies_64();

	lockdep_assert_held(&pn->lock);
	if (pn->lease_next && time_before_eq64(pn->lease_next, when))
		return;
	pn->lease_next = when;
	mod_delayed_work(system_wq, &pn->lease_work,
			 time_after64(when, now) ? (unsigned long)(when - now) : 0);
}

/**
 * portshare_lease_start() - start a new secondary's lease
 * @pn: the namespace; the caller holds @pn->lock
 * @s: the secondary, with @s->lease set; being linked
 */
void portshare_lease_start(struct portshare_net *pn,
			   struct portshare_secondary *s)
{
	s->expires = lease_end(s->lease);
	lease_schedule(pn, s->expires + LEASE_SLACK);
}

/**
 * portshare_lease_refresh() - a repeated ADD: the lease starts over
 * @s: the secondary, linked; the caller holds the namespace's lock
 *
 * A secondary without a lease keeps none: a repeated ADD changes nothing
 * else, its lease= included.
 */
void portshare_lease_refresh(struct portshare_secondary *s)
{
	if (s->lease)
		s->expires = lease_end(s->lease);
}

/**
 * portshare_lease_left() - seconds until a secondary's lease runs out
 * @s: the secondary, with a lease; the caller holds the namespace's lock
 *
 * Return: the seconds left, rounded up; 0 if it is due.
 */
u32 portshare_lease_left(const struct portshare_secondary *s)
{
	u64 now = get_jiffies_64();

	if (!time_after64(s->expires, now))
		return 0;
	return (u32)div_u64(s->expires - now + HZ - 1, HZ);
}

/*
 * Drop @p's expired secondaries; bring *@next (0: none yet) forward to the
 * earliest expiry left.
 */
static void port_expire(struct portshare_net *pn, struct portshare_port *p,
			u64 now, u64 *next)
{
	struct portshare_secondary *s, *tmp;

	list_for_each_entry_safe(s, tmp, &p->secondaries, node) {
		if (!s->lease)
			continue;
		if (!time_after64(s->expires, now))
			portshare_sec_unlink(pn, p, s, PORTSHARE_REASON_EXPIRED);
		else if (!*next || time_before64(s->expires, *next))
			*next = s->expires;
	}
}

static void lease_walk(struct work_struct *work)
{
	struct portshare_net *pn = container_of(to_delayed_work(work),
						struct portshare_net,
						lease_work);
	struct portshare_port *p;
	u64 now, next = 0;

	mutex_lock(&pn->lock);
	pn->lease_next = 0;
	now = get_jiffies_64();
	list_for_each_entry(p, &pn->ports, node)
		port_expire(pn, p, now, &next);
	if (next)
		lease_schedule(pn, next + LEASE_SLACK);
	mutex_unlock(&pn->lock);
}

/**
 * portshare_lease_net_init() - set up a namespace's lease walk
 * @pn: the namespace's new state
 */
void portshare_lease_net_init(struct portshare_net *pn)
{
	INIT_DELAYED_WORK(&pn->lease_work, lease_walk);
}

/**
 * portshare_lease_net_exit() - stop the walk of a namespace going away
 * @pn: the namespace, with no port left
 */
void portshare_lease_net_exit(struct portshare_net *pn)
{
	cancel_delayed_work_sync(&pn->lease_work);
}
