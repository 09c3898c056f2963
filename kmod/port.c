// SPDX-License-Identifier: GPL-2.0
/*
 * Contested ports: designate, look up, undesignate.
 */

#include "portshare.h"

#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

/**
 * portshare_port_cfg_init() - the default designation of a port
 * @cfg: filled in
 * @port: the contested port
 *
 * The registration port defaults to @port + 13000 (Table 1); above 52535
 * there is no default and @cfg->reg_port is left 0.
 */
void portshare_port_cfg_init(struct portshare_port_cfg *cfg, u16 port)
{
	cfg->port = port;
	cfg->reg_port = 0;
	if (port <= U16_MAX - PORTSHARE_REG_PORT_OFFSET)
		cfg->reg_port = port + PORTSHARE_REG_PORT_OFFSET;
	cfg->reg_off = false;
	cfg->max_secondaries = portshare_max_secondaries;
}

/**
 * portshare_port_find() - look up a designated port
 * @pn: the namespace
 * @port: the port number
 *
 * The caller holds rcu_read_lock() or @pn->lock.
 *
 * Return: the port, or NULL if @port is not designated.
 */
struct portshare_port *portshare_port_find(struct portshare_net *pn, u16 port)
{
	struct portshare_port *p;

	if (!test_bit(port, pn->designated))
		return NULL;
	hash_for_each_possible_rcu(pn->port_hash, p, hnode, port,
				   lockdep_is_held(&pn->lock))
		if (p->port == port)
			return p;
	return NULL;
}

static struct portshare_port *reg_port_user(struct portshare_net *pn,
					    u16 reg_port)
{
	struct portshare_port *p;

	list_for_each_entry(p, &pn->ports, node)
		if (p->reg_port == reg_port)
			return p;
	return NULL;
}

static int check_reg_port(struct portshare_net *pn,
			  const struct portshare_port_cfg *cfg,
			  struct netlink_ext_ack *extack)
{
	struct portshare_port *other;
	u16 reg = cfg->reg_port;

	if (!reg) {
		PS_SET_ERR(extack, NULL,
			   "port %u has no default registration port: give REG_PORT or REG_OFF",
			   cfg->port);
		return -ERANGE;
	}
	if (reg == cfg->port) {
		PS_SET_ERR(extack, NULL,
			   "registration port %u is the contested port itself",
			   reg);
		return -EINVAL;
	}
	if (test_bit(reg, pn->designated)) {
		PS_SET_ERR(extack, NULL,
			   "registration port %u is a contested port", reg);
		return -EADDRINUSE;
	}
	other = reg_port_user(pn, reg);
	if (other) {
		PS_SET_ERR(extack, NULL,
			   "registration port %u is already used by port %u",
			   reg, other->port);
		return -EADDRINUSE;
	}
	return 0;
}

/**
 * portshare_port_check() - validate a designation without making it
 * @pn: the namespace; the caller holds @pn->lock
 * @cfg: the designation
 * @extack: told what is wrong
 *
 * Return: 0, -EEXIST (already designated), -EADDRINUSE (a registration port
 * collides), -ELOOP (the port is a secondary's data port), -ERANGE (no
 * default registration port) or -EINVAL (registration port is the port).
 */
int portshare_port_check(struct portshare_net *pn,
			 const struct portshare_port_cfg *cfg,
			 struct netlink_ext_ack *extack)
{
	struct portshare_port *other;
	u16 port = cfg->port;

	lockdep_assert_held(&pn->lock);
	if (test_bit(port, pn->designated)) {
		PS_SET_ERR(extack, NULL, "port %u is already designated", port);
		return -EEXIST;
	}
	other = reg_port_user(pn, port);
	if (other) {
		PS_SET_ERR(extack, NULL,
			   "cannot designate %u: it is the registration port of port %u",
			   port, other->port);
		return -EADDRINUSE;
	}
	other = portshare_sec_data_port_user(pn, port);
	if (other) {
		PS_SET_ERR(extack, NULL,
			   "port %u is the data port of a secondary of port %u: copies would loop",
			   port, other->port);
		return -ELOOP;
	}
	return cfg->reg_off ? 0 : check_reg_port(pn, cfg, extack);
}

/**
 * portshare_port_alloc() - allocate a port, not yet visible to anyone
 * @cfg: the designation, already checked
 *
 * Return: the port, or NULL if out of memory.
 */
struct portshare_port *portshare_port_alloc(const struct portshare_port_cfg *cfg)
{
	struct portshare_port *p;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return NULL;
	p->stats = netdev_alloc_pcpu_stats(struct portshare_port_stats);
	if (!p->stats) {
		kfree(p);
		return NULL;
	}
	p->port = cfg->port;
	p->reg_off = cfg->reg_off;
	p->reg_port = cfg->reg_off ? 0 : cfg->reg_port;
	p->max_secondaries = cfg->max_secondaries;
	INIT_LIST_HEAD(&p->secondaries);
	return p;
}

/**
 * portshare_port_free() - free a port that was never linked
 * @p: the port, with no secondaries
 */
void portshare_port_free(struct portshare_port *p)
{
	free_percpu(p->stats);
	kfree(p);
}

static void port_free_rcu(struct rcu_head *rcu)
{
	portshare_port_free(container_of(rcu, struct portshare_port, rcu));
}

/**
 * portshare_port_link() - make a port visible and announce it
 * @pn: the namespace; the caller holds @pn->lock
 * @p: from portshare_port_alloc(), checked with portshare_port_check()
 * @reason: for the PORT_NEW event
 */
void portshare_port_link(struct portshare_net *pn, struct portshare_port *p,
			 enum portshare_reason reason)
{
	struct portshare_port *pos;

	lockdep_assert_held(&pn->lock);
	list_for_each_entry(pos, &pn->ports, node)
		if (pos->port > p->port)
			break;
	list_add_tail(&p->node, &pos->node);
	hash_add_rcu(pn->port_hash, &p->hnode, p->port);
	set_bit(p->port, pn->designated);
	pn->generation++;
	portshare_nl_port_event(pn, p, PORTSHARE_CMD_PORT_NEW, reason,
				GFP_KERNEL);
}

/**
 * portshare_port_designate() - check, create and link a port
 * @pn: the namespace; the caller holds @pn->lock
 * @cfg: the designation
 * @reason: for the PORT_NEW event
 * @extack: told what is wrong
 *
 * Return: 0, -ENOMEM or an error of portshare_port_check().
 */
int portshare_port_designate(struct portshare_net *pn,
			     const struct portshare_port_cfg *cfg,
			     enum portshare_reason reason,
			     struct netlink_ext_ack *extack)
{
	struct portshare_port *p;
	int ret;

	ret = portshare_port_check(pn, cfg, extack);
	if (ret)
		return ret;
	p = portshare_port_alloc(cfg);
	if (!p)
		return -ENOMEM;
	portshare_port_link(pn, p, reason);
	return 0;
}

/**
 * portshare_port_shutdown() - tell a port's secondaries that sharing stops
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port, still linked
 *
 * Called before every undesignation, including namespace teardown and
 * module unload (from pernet pre_exit).  Sending the SHUTDOWN datagram
 * (Table 3) to each secondary's data port is a later issue: today this
 * only emits the SHUTDOWN event.
 */
void portshare_port_shutdown(struct portshare_net *pn,
			     struct portshare_port *p)
{
	lockdep_assert_held(&pn->lock);
	portshare_nl_shutdown_event(pn, p, GFP_KERNEL);
}

/**
 * portshare_port_undesignate() - shut a port down, purge and unlink it
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port; freed after an RCU grace period
 * @reason: for the PORT_DEL event
 */
void portshare_port_undesignate(struct portshare_net *pn,
				struct portshare_port *p,
				enum portshare_reason reason)
{
	struct portshare_secondary *s, *tmp;

	lockdep_assert_held(&pn->lock);
	portshare_port_shutdown(pn, p);
	list_for_each_entry_safe(s, tmp, &p->secondaries, node)
		portshare_sec_unlink(pn, p, s, PORTSHARE_REASON_SHUTDOWN);
	clear_bit(p->port, pn->designated);
	hash_del_rcu(&p->hnode);
	list_del(&p->node);
	pn->generation++;
	portshare_nl_port_event(pn, p, PORTSHARE_CMD_PORT_DEL, reason,
				GFP_KERNEL);
	call_rcu(&p->rcu, port_free_rcu);
}

/**
 * portshare_port_read_stats() - sum a port's counters over all CPUs
 * @p: the port
 * @rx: datagrams seen
 * @shared: datagrams shared
 */
void portshare_port_read_stats(const struct portshare_port *p,
			       u64 *rx, u64 *shared)
{
	unsigned int start;
	u64 r, s;
	int cpu;

	*rx = 0;
	*shared = 0;
	for_each_possible_cpu(cpu) {
		const struct portshare_port_stats *st = per_cpu_ptr(p->stats, cpu);

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			r = u64_stats_read(&st->rx);
			s = u64_stats_read(&st->shared);
		} while (u64_stats_fetch_retry(&st->syncp, start));
		*rx += r;
		*shared += s;
	}
}
