// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The distribution lists of a primary's ports: what ADD and DROP over the
 * registration port (pri_reg.c) and the primary API (psnl add/drop's
 * counterparts) change.  Who may join is decided by the shared rules
 * (ps_sec_add_check(), shared/reg_rules.c), as in portshare.ko.  A
 * secondary joins with its source filter (from=, DESIGN §9), its lease,
 * its rate cap and TTL and its hold, and keeps them until it leaves: a repeated ADD is refused before
 * anything changes (pri_reg.c renews the lease then).
 */
#include <stdlib.h>
#include <string.h>

#include "primary.h"
#include "reg_rules.h"
#include "request.h"

/* The secondary @a:@port on @p's list, or NULL. */
struct pri_sec *pri_sec_find(struct pri_port *p,
			     const struct portshare_addr *a, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < p->nsecs; i++)
		if (p->secs[i].e.data_port == port &&
		    portshare_addr_equal(&p->secs[i].e.addr, a))
			return &p->secs[i];
	return NULL;
}

/* What ps_sec_add_check() asks about a new secondary. */
struct add_ctx {
	struct portshare_primary *pri;
	struct pri_port *p;
	const struct pri_sec *s;
};

/* Besides the shared rule: a broadcast address of the host's networks. */
static bool add_unusable(void *arg)
{
	struct add_ctx *c = arg;
	const struct portshare_addr *a = &c->s->e.addr;

	return ps_addr_unusable(a->family, a->addr) ||
	       (a->family == PORTSHARE_FAMILY_INET &&
		pri_is_broadcast(c->pri, a));
}

static bool add_loops(void *arg)
{
	struct add_ctx *c = arg;

	return pri_is_contested(c->pri, c->s->e.data_port) &&
	       ps_sec_may_loop(c->s->e.mode, pri_is_local(c->pri, &c->s->e.addr));
}

static bool add_listed(void *arg)
{
	struct add_ctx *c = arg;

	return pri_sec_find(c->p, &c->s->e.addr, c->s->e.data_port);
}

static bool add_full(void *arg)
{
	struct add_ctx *c = arg;

	return c->p->nsecs >= c->pri->opts.max_secondaries;
}

static const struct ps_sec_add_ops add_ops = {
	.unusable = add_unusable,
	.loops = add_loops,
	.listed = add_listed,
	.full = add_full,
};

/**
 * pri_sec_add() - put a secondary on a port's list
 * @pri: the primary
 * @p: the port
 * @s: the secondary, with its data port, source filter, lease (which
 *	starts now) and cap; its counters start at 0
 *
 * Return: 0 or the PORTSHARE_E_* refusal: ps_sec_add_check()'s (not a
 * unicast or local address, loop, already added, list full), or out of
 * resources.
 */
int pri_sec_add(struct portshare_primary *pri, struct pri_port *p,
		const struct pri_sec *s)
{
	struct add_ctx ctx = { .pri = pri, .p = p, .s = s };
	struct pri_sec *secs;
	int code = ps_sec_add_check(&add_ops, &ctx);

	if (code)
		return portshare_reply_error(code, PS_REQ_ADD);
	secs = realloc(p->secs, (p->nsecs + 1) * sizeof(*secs));
	if (!secs)
		return PORTSHARE_E_NO_RESOURCES;
	p->secs = secs;
	secs[p->nsecs++] = *s;
	if (s->lease)
		pri_lease_start(pri, &secs[p->nsecs - 1]);
	return 0;
}

/**
 * pri_sec_drop() - take a secondary off a port's list
 * @p: the port
 * @a: its address
 * @port: its data port
 *
 * Return: 0 or PORTSHARE_E_NOT_IN_LIST.
 */
int pri_sec_drop(struct pri_port *p, const struct portshare_addr *a,
		 uint16_t port)
{
	struct pri_sec *s = pri_sec_find(p, a, port);

	if (!s)
		return PORTSHARE_E_NOT_IN_LIST;
	memmove(s, s + 1, (size_t)(p->secs + p->nsecs - (s + 1)) * sizeof(*s));
	p->nsecs--;
	return 0;
}

/* A family the API takes: PORTSHARE_FAMILY_INET or _INET6. */
bool pri_family_valid(uint8_t family)
{
	return family == PORTSHARE_FAMILY_INET ||
	       family == PORTSHARE_FAMILY_INET6;
}

/* What portshare_primary_sec_add() takes of a caller's entry. */
static bool entry_valid(const struct portshare_list_entry *sec)
{
	return pri_family_valid(sec->addr.family) && sec->data_port &&
	       sec->mode <= PORTSHARE_MODE_MAX &&
	       (!sec->src.family || sec->src.family == sec->addr.family);
}

/* A checked API prefix as the shared matcher takes it. */
static void prefix_get(const struct portshare_prefix *in,
		       struct ps_prefix *out)
{
	memset(out, 0, sizeof(*out));
	out->family = in->net.family;
	out->len = in->len;
	memcpy(out->addr, in->net.addr, sizeof(out->addr));
}

/*
 * The caller's prefixes as @s's filter, all or none: a bad one leaves
 * nothing half set (the wire's parser refuses it alike, 306).
 */
static int filter_get(const struct portshare_prefix *from, size_t n,
		      struct pri_sec *s)
{
	size_t i;
	int err = pri_prefixes_check(from, n);

	if (err)
		return err;
	for (i = 0; i < n; i++)
		prefix_get(&from[i], &s->from[i]);
	s->n_from = (unsigned int)n;
	return 0;
}

int portshare_primary_sec_add_hold(struct portshare_primary *pri,
				   uint16_t port,
				   const struct portshare_list_entry *sec,
				   const struct portshare_prefix *from,
				   size_t n, uint32_t lease,
				   const struct portshare_rate *r,
				   uint32_t hold)
{
	struct pri_port *p = pri_port_find(pri, port);
	struct pri_sec s = { 0 };
	int err;

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	if (!entry_valid(sec) || lease > PORTSHARE_LEASE_MAX ||
	    pri_rate_check(r) || hold > PORTSHARE_LEASE_MAX)
		return PORTSHARE_E_INVALID;
	err = filter_get(from, n, &s);
	if (err)
		return err;
	s.e.addr = sec->addr;
	s.e.data_port = sec->data_port;
	s.e.mode = sec->mode;
	s.e.src = sec->src;
	s.lease = lease;
	pri_rate_set(&s, r);
	s.dead.hold = hold;
	if (!s.e.src.family)
		pri_route_src(&s.e.addr, s.e.data_port, &s.e.src);
	return pri_sec_add(pri, p, &s);
}

int portshare_primary_sec_add_rate(struct portshare_primary *pri,
				   uint16_t port,
				   const struct portshare_list_entry *sec,
				   const struct portshare_prefix *from,
				   size_t n, uint32_t lease,
				   const struct portshare_rate *r)
{
	return portshare_primary_sec_add_hold(pri, port, sec, from, n, lease,
					      r, 0);
}

int portshare_primary_sec_add_lease(struct portshare_primary *pri,
				    uint16_t port,
				    const struct portshare_list_entry *sec,
				    const struct portshare_prefix *from,
				    size_t n, uint32_t lease)
{
	return portshare_primary_sec_add_rate(pri, port, sec, from, n, lease,
					      NULL);
}

int portshare_primary_sec_add_from(struct portshare_primary *pri,
				   uint16_t port,
				   const struct portshare_list_entry *sec,
				   const struct portshare_prefix *from,
				   size_t n)
{
	return portshare_primary_sec_add_lease(pri, port, sec, from, n, 0);
}

int portshare_primary_sec_add(struct portshare_primary *pri, uint16_t port,
			      const struct portshare_list_entry *sec)
{
	return portshare_primary_sec_add_from(pri, port, sec, NULL, 0);
}

int portshare_primary_sec_drop(struct portshare_primary *pri, uint16_t port,
			       const struct portshare_addr *addr,
			       uint16_t data_port)
{
	struct pri_port *p = pri_port_find(pri, port);

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	return pri_sec_drop(p, addr, data_port);
}
