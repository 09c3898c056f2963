// SPDX-License-Identifier: GPL-2.0
/*
 * Secondaries: the entries of a contested port's distribution list.
 */

#include "portshare.h"
#include "reg_rules.h"
#include "reply.h"

#include <linux/ktime.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/ipv6.h>

/* "[ipv6]:port" at most; keeps extack messages within 79 characters. */
#define SEC_NAME_LEN 48

static void sec_name(char *buf, const struct portshare_sec_cfg *cfg)
{
	if (cfg->family == AF_INET)
		snprintf(buf, SEC_NAME_LEN, "%pI4:%u", &cfg->addr.v4,
			 cfg->data_port);
	else
		snprintf(buf, SEC_NAME_LEN, "[%pI6c]:%u", &cfg->addr.v6,
			 cfg->data_port);
}

static bool sec_match(const struct portshare_secondary *s,
		      const struct portshare_sec_cfg *cfg)
{
	if (s->family != cfg->family || s->data_port != cfg->data_port)
		return false;
	if (s->family == AF_INET)
		return s->addr.v4.s_addr == cfg->addr.v4.s_addr;
	return ipv6_addr_equal(&s->addr.v6, &cfg->addr.v6);
}

/**
 * portshare_sec_find() - look up a secondary on a port's list
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port
 * @cfg: the key: family, address and data port
 *
 * Return: the secondary, or NULL.
 */
struct portshare_secondary *portshare_sec_find(struct portshare_net *pn,
					       struct portshare_port *p,
					       const struct portshare_sec_cfg *cfg)
{
	struct portshare_secondary *s;

	lockdep_assert_held(&pn->lock);
	list_for_each_entry(s, &p->secondaries, node)
		if (sec_match(s, cfg))
			return s;
	return NULL;
}

/**
 * portshare_sec_data_port_user() - find a secondary a designation would loop
 * @pn: the namespace; the caller holds @pn->lock
 * @data_port: the port about to be designated
 *
 * Return: the first port with a secondary whose data port is @data_port
 * and whose copies would loop once it is contested (portshare_sec_loops():
 * a local one, or a remote raw or transparent one), or NULL.
 */
struct portshare_port *portshare_sec_data_port_user(struct portshare_net *pn,
						    u16 data_port)
{
	struct portshare_secondary *s;
	struct portshare_port *p;

	lockdep_assert_held(&pn->lock);
	list_for_each_entry(p, &pn->ports, node)
		list_for_each_entry(s, &p->secondaries, node)
			if (s->data_port == data_port &&
			    portshare_sec_loops(pn, s->family, &s->addr,
						s->mode))
				return p;
	return NULL;
}

/* What ps_sec_add_check() asks about a new secondary. */
struct add_ctx {
	struct portshare_net *pn;
	struct portshare_port *p;
	const struct portshare_sec_cfg *cfg;
	struct netlink_ext_ack *extack;
};

static bool add_unusable(void *arg)
{
	struct add_ctx *c = arg;

	return portshare_sec_addr_check(c->pn, c->cfg, c->extack);
}

static bool add_loops(void *arg)
{
	struct add_ctx *c = arg;
	const struct portshare_sec_cfg *cfg = c->cfg;

	if ((cfg->data_port != c->p->port &&
	     !test_bit(cfg->data_port, c->pn->designated)) ||
	    !portshare_sec_loops(c->pn, cfg->family, &cfg->addr, cfg->mode))
		return false;
	PS_SET_ERR(c->extack, cfg->nla.data_port, "data port %u is %s",
		   cfg->data_port, cfg->mode == PORTSHARE_MODE_ENCAP ?
		   "a contested port: copies would loop" :
		   "contested here: raw copies could loop back");
	return true;
}

static bool add_listed(void *arg)
{
	struct add_ctx *c = arg;
	char name[SEC_NAME_LEN];

	if (!portshare_sec_find(c->pn, c->p, c->cfg))
		return false;
	sec_name(name, c->cfg);
	PS_SET_ERR(c->extack, c->cfg->nla.addr,
		   "%s is already on port %u's list", name, c->p->port);
	return true;
}

static bool add_full(void *arg)
{
	struct add_ctx *c = arg;
	const struct portshare_port *p = c->p;

	if (p->num_secondaries >= p->max_secondaries) {
		PS_SET_ERR(c->extack, c->cfg->nla.port,
			   "port %u's list is full (%u secondaries)",
			   p->port, p->max_secondaries);
		return true;
	}
	if (c->pn->num_secondaries >= READ_ONCE(portshare_max_total_secondaries)) {
		PS_SET_ERR(c->extack, NULL,
			   "namespace limit reached: %u secondaries (parameter max_total_secondaries)",
			   c->pn->num_secondaries);
		return true;
	}
	return false;
}

static const struct ps_sec_add_ops add_ops = {
	.unusable = add_unusable,
	.loops = add_loops,
	.listed = add_listed,
	.full = add_full,
};

/**
 * portshare_sec_refusal() - may a new secondary join, as a wire reply
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port, linked or about to be
 * @cfg: the secondary, with its data port resolved
 * @extack: told what is wrong, or NULL
 *
 * The checks and their order are ps_sec_add_check()'s.
 *
 * Return: 0, PORTSHARE_REPLY_INVALID_ADDRESS (not a unicast or local
 * address), PORTSHARE_REPLY_LOOP (the data port is a contested port and
 * portshare_sec_loops() says so), PORTSHARE_REPLY_ALREADY_ADDED or
 * PORTSHARE_REPLY_LIST_FULL (the list, or the namespace, is full).
 */
int portshare_sec_refusal(struct portshare_net *pn, struct portshare_port *p,
			  const struct portshare_sec_cfg *cfg,
			  struct netlink_ext_ack *extack)
{
	struct add_ctx ctx = { .pn = pn, .p = p, .cfg = cfg, .extack = extack };

	return ps_sec_add_check(&add_ops, &ctx);
}

/**
 * portshare_sec_check() - validate a new secondary without adding it
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port, linked or about to be
 * @cfg: the secondary, with its data port resolved
 * @extack: told what is wrong
 *
 * portshare_sec_refusal() with the errno of its reply's row.
 *
 * Return: 0, -EINVAL (not a unicast or local address), -ELOOP (the data
 * port is a contested port and portshare_sec_loops() says so), -EEXIST
 * (already listed) or -ENOSPC (the list, or the namespace, is full).
 */
int portshare_sec_check(struct portshare_net *pn, struct portshare_port *p,
			const struct portshare_sec_cfg *cfg,
			struct netlink_ext_ack *extack)
{
	int code = portshare_sec_refusal(pn, p, cfg, extack);

	return code ? -(int)ps_reply_of_code(code, false)->err : 0;
}

/* A rate cap as a GCRA (ratelimit.c): its first burst is full. */
static void sec_limits_init(struct portshare_secondary *s,
			    const struct portshare_limits *lim)
{
	s->limits = *lim;
	if (!lim->rate)
		return;
	/* rounded up: a cap is never exceeded */
	s->rate_interval = DIV_ROUND_UP_ULL(NSEC_PER_SEC, lim->rate);
	s->rate_tolerance = s->rate_interval * (max(lim->burst, 1U) - 1);
	atomic64_set(&s->rate_tat, 0);
}

/**
 * portshare_sec_rate_allow() - may the secondary get one more copy now?
 * @s: a secondary with a rate cap
 *
 * Any context.
 *
 * Return: true, and the copy is counted against the cap, if it is within
 * the secondary's rate and burst.
 */
bool portshare_sec_rate_allow(struct portshare_secondary *s)
{
	return portshare_gcra_allow(&s->rate_tat, ktime_get_ns(),
				    s->rate_interval, s->rate_tolerance);
}

/**
 * portshare_sec_alloc() - allocate a secondary, not yet on any list
 * @cfg: the secondary, already checked
 *
 * Return: the secondary, or NULL if out of memory.
 */
struct portshare_secondary *portshare_sec_alloc(const struct portshare_sec_cfg *cfg)
{
	struct portshare_secondary *s;

	if (portshare_fail_sec_alloc())
		return NULL;
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return NULL;
	s->stats = __netdev_alloc_pcpu_stats(struct portshare_sec_stats,
					     GFP_KERNEL_ACCOUNT);
	if (!s->stats)
		goto err_free_sec;
	if (dst_cache_init(&s->dst_cache, GFP_KERNEL_ACCOUNT))
		goto err_free_stats;
	s->family = cfg->family;
	s->addr = cfg->addr;
	s->data_port = cfg->data_port;
	s->mode = cfg->mode;
	s->sample = cfg->sample;
	s->n_from = cfg->n_from;
	memcpy(s->from, cfg->from, sizeof(s->from));
	s->src = cfg->src;
	s->lease = cfg->lease;
	sec_limits_init(s, &cfg->limits);
	s->hold = cfg->hold;
	s->hold_is_ports = cfg->hold_is_ports;
	portshare_health_init(s);
	return s;

err_free_stats:
	free_percpu(s->stats);
err_free_sec:
	kfree(s);
	return NULL;
}

static void sec_free_rcu(struct rcu_head *rcu)
{
	struct portshare_secondary *s;

	s = container_of(rcu, struct portshare_secondary, rcu);
	dst_cache_destroy(&s->dst_cache);
	free_percpu(s->stats);
	kfree(s);
}

/**
 * portshare_sec_link() - append a secondary to a port's list and announce it
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port, linked
 * @s: from portshare_sec_alloc(), checked with portshare_sec_check()
 * @reason: for the SEC_ADD event
 */
void portshare_sec_link(struct portshare_net *pn, struct portshare_port *p,
			struct portshare_secondary *s,
			enum portshare_reason reason)
{
	lockdep_assert_held(&pn->lock);
	s->seq_base = atomic_read(&p->dgram_seq);
	if (s->lease)
		portshare_lease_start(pn, s);
	list_add_tail_rcu(&s->node, &p->secondaries);
	WRITE_ONCE(p->num_secondaries, p->num_secondaries + 1);
	pn->num_secondaries++;
	pn->generation++;
	portshare_nl_sec_event(pn, p, s, PORTSHARE_CMD_SEC_ADD, reason,
			       GFP_KERNEL);
}

/**
 * portshare_sec_unlink() - remove a secondary from a port's list
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port
 * @s: the secondary; freed after an RCU grace period
 * @reason: for the SEC_DROP event
 */
void portshare_sec_unlink(struct portshare_net *pn, struct portshare_port *p,
			  struct portshare_secondary *s,
			  enum portshare_reason reason)
{
	lockdep_assert_held(&pn->lock);
	list_del_rcu(&s->node);
	WRITE_ONCE(p->num_secondaries, p->num_secondaries - 1);
	pn->num_secondaries--;
	pn->generation++;
	portshare_nl_sec_event(pn, p, s, PORTSHARE_CMD_SEC_DROP, reason,
			       GFP_KERNEL);
	call_rcu(&s->rcu, sec_free_rcu);
}

/**
 * portshare_sec_drop() - find a secondary and remove it from a port's list
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port
 * @cfg: the key: family, address and data port
 * @reason: for the SEC_DROP event
 * @extack: told what is wrong
 *
 * Return: 0, or -ENOENT if the secondary is not on the list.
 */
int portshare_sec_drop(struct portshare_net *pn, struct portshare_port *p,
		       const struct portshare_sec_cfg *cfg,
		       enum portshare_reason reason,
		       struct netlink_ext_ack *extack)
{
	struct portshare_secondary *s;
	char name[SEC_NAME_LEN];

	s = portshare_sec_find(pn, p, cfg);
	if (!s) {
		sec_name(name, cfg);
		PS_SET_ERR(extack, cfg->nla.addr, "%s is not on port %u's list", name,
			   p->port);
		return -ENOENT;
	}
	portshare_sec_unlink(pn, p, s, reason);
	return 0;
}

/* enum portshare_sec_drop to its counter in PORTSHARE_A_STATS */
const u16 portshare_sec_drop_stat[PS_SEC_DROP_MAX] = {
	[PS_SEC_DROP_NOMEM]	= PORTSHARE_STAT_SEC_DROP_NOMEM,
	[PS_SEC_DROP_NOROUTE]	= PORTSHARE_STAT_SEC_DROP_NOROUTE,
	[PS_SEC_DROP_XMIT]	= PORTSHARE_STAT_SEC_DROP_XMIT,
	[PS_SEC_DROP_FAMILY]	= PORTSHARE_STAT_SEC_DROP_FAMILY,
	[PS_SEC_DROP_TOOBIG]	= PORTSHARE_STAT_SEC_DROP_TOOBIG,
	[PS_SEC_DROP_RCVBUF]	= PORTSHARE_STAT_SEC_DROP_RCVBUF,
	[PS_SEC_DROP_NOSOCKET]	= PORTSHARE_STAT_SEC_DROP_NOSOCKET,
	[PS_SEC_DROP_FILTER]	= PORTSHARE_STAT_SEC_DROP_FILTER,
	[PS_SEC_DROP_DEST]	= PORTSHARE_STAT_SEC_DROP_DEST,
	[PS_SEC_DROP_NOSRC]	= PORTSHARE_STAT_SEC_DROP_NOSRC,
	[PS_SEC_DROP_BUDGET]	= PORTSHARE_STAT_SEC_DROP_BUDGET,
	[PS_SEC_DROP_RATELIMIT]	= PORTSHARE_STAT_SEC_DROP_RATELIMITED,
};

/**
 * portshare_sec_read_stats() - sum a secondary's counters over all CPUs
 * @s: the secondary
 * @t: filled with the sums
 */
void portshare_sec_read_stats(const struct portshare_secondary *s,
			      struct portshare_sec_totals *t)
{
	struct portshare_sec_totals c;
	unsigned int start;
	int cpu, i;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		const struct portshare_sec_stats *st = per_cpu_ptr(s->stats, cpu);

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			c.copies = u64_stats_read(&st->copies);
			c.bytes = u64_stats_read(&st->bytes);
			c.sampled = u64_stats_read(&st->sampled);
			c.filtered = u64_stats_read(&st->filtered);
			for (i = 0; i < PS_SEC_DROP_MAX; i++)
				c.drop[i] = u64_stats_read(&st->drop[i]);
			c.icmp_errors = u64_stats_read(&st->icmp_errors);
			c.dead_skipped = u64_stats_read(&st->dead_skipped);
			c.probes = u64_stats_read(&st->probes);
		} while (u64_stats_fetch_retry(&st->syncp, start));
		t->copies += c.copies;
		t->bytes += c.bytes;
		t->sampled += c.sampled;
		t->filtered += c.filtered;
		for (i = 0; i < PS_SEC_DROP_MAX; i++)
			t->drop[i] += c.drop[i];
		t->icmp_errors += c.icmp_errors;
		t->dead_skipped += c.dead_skipped;
		t->probes += c.probes;
	}
}
