// SPDX-License-Identifier: GPL-2.0
/*
 * Contested ports: designate, look up, undesignate.
 */

#include "portshare.h"

#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

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
	cfg->lease = 0;
	memset(&cfg->limits, 0, sizeof(cfg->limits));
	cfg->dead.errors = PORTSHARE_DEAD_ERRORS_DEFAULT;
	cfg->dead.period = PORTSHARE_DEAD_PERIOD_DEFAULT;
	cfg->dead.hold = PORTSHARE_HOLD_DEFAULT;
	memset(&cfg->nla, 0, sizeof(cfg->nla));
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

/**
 * portshare_port_by_reg() - the designated port a registration port serves
 * @pn: the namespace
 * @reg_port: the registration port
 *
 * The caller holds rcu_read_lock() or @pn->lock.
 *
 * Return: the port, or NULL if no designated port uses @reg_port.
 */
struct portshare_port *portshare_port_by_reg(struct portshare_net *pn,
					     u16 reg_port)
{
	struct portshare_port *p;

	hash_for_each_possible_rcu(pn->reg_hash, p, reg_hnode, reg_port,
				   lockdep_is_held(&pn->lock))
		if (p->reg_port == reg_port)
			return p;
	return NULL;
}

static int check_reg_port(struct portshare_net *pn,
			  const struct portshare_port_cfg *cfg,
			  struct netlink_ext_ack *extack)
{
	const struct nlattr *reg_attr = cfg->nla.reg_port ?: cfg->nla.port;
	struct portshare_port *other;
	u16 reg = cfg->reg_port;

	if (!reg) {
		PS_SET_ERR(extack, cfg->nla.port,
			   "port %u has no default registration port: give REG_PORT or REG_OFF",
			   cfg->port);
		return -ERANGE;
	}
	if (reg == cfg->port) {
		PS_SET_ERR(extack, reg_attr,
			   "registration port %u is the contested port itself",
			   reg);
		return -EINVAL;
	}
	if (test_bit(reg, pn->designated)) {
		PS_SET_ERR(extack, reg_attr,
			   "registration port %u is a contested port", reg);
		return -EADDRINUSE;
	}
	other = portshare_port_by_reg(pn, reg);
	if (other) {
		PS_SET_ERR(extack, reg_attr,
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
 * Return: 0, -EEXIST (already designated), -ENOSPC (the namespace is at
 * max_ports), -EADDRINUSE (a registration port collides), -ELOOP (the port
 * is a secondary's data port), -ERANGE (no default registration port) or
 * -EINVAL (registration port is the port).
 */
int portshare_port_check(struct portshare_net *pn,
			 const struct portshare_port_cfg *cfg,
			 struct netlink_ext_ack *extack)
{
	struct portshare_port *other;
	u16 port = cfg->port;

	lockdep_assert_held(&pn->lock);
	if (test_bit(port, pn->designated)) {
		PS_SET_ERR(extack, cfg->nla.port, "port %u is already designated",
			   port);
		return -EEXIST;
	}
	if (pn->num_ports >= READ_ONCE(portshare_max_ports)) {
		PS_SET_ERR(extack, NULL,
			   "namespace limit reached: %u contested ports (parameter max_ports)",
			   pn->num_ports);
		return -ENOSPC;
	}
	other = portshare_port_by_reg(pn, port);
	if (other) {
		PS_SET_ERR(extack, cfg->nla.port,
			   "cannot designate %u: it is the registration port of port %u",
			   port, other->port);
		return -EADDRINUSE;
	}
	other = portshare_sec_data_port_user(pn, port);
	if (other) {
		PS_SET_ERR(extack, cfg->nla.port,
			   "port %u is the data port of a secondary of port %u: copies would loop",
			   port, other->port);
		return -ELOOP;
	}
	return cfg->reg_off ? 0 : check_reg_port(pn, cfg, extack);
}

/**
 * portshare_port_alloc() - allocate a port, not yet visible to anyone
 * @pn: the namespace; the caller holds @pn->lock
 * @cfg: the designation, already checked
 * @extack: told why the registration port cannot be opened
 *
 * The port holds the namespace's hooks (portshare_hook_get()) and, unless
 * @cfg->reg_off, its registration sockets until it is freed with
 * portshare_port_free() or undesignated.
 *
 * Return: the port, ERR_PTR(-ENOMEM), the error of portshare_hook_get()
 * (e.g. -E2BIG: too many hooks at LOCAL_IN) or of portshare_reg_open()
 * (-EADDRINUSE if another socket has the registration port).
 */
struct portshare_port *portshare_port_alloc(struct portshare_net *pn,
					    const struct portshare_port_cfg *cfg,
					    struct netlink_ext_ack *extack)
{
	struct portshare_port *p;
	int ret = -ENOMEM;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->stats = __netdev_alloc_pcpu_stats(struct portshare_port_stats,
					     GFP_KERNEL_ACCOUNT);
	if (!p->stats)
		goto err_free_port;
	ret = portshare_hook_get(pn);
	if (ret) {
		PS_SET_ERR(extack, cfg->nla.port,
			   "cannot register the netfilter hooks: error %d", ret);
		goto err_free_stats;
	}
	p->port = cfg->port;
	p->reg_off = cfg->reg_off;
	p->reg_port = cfg->reg_off ? 0 : cfg->reg_port;
	p->max_secondaries = cfg->max_secondaries;
	p->lease = cfg->lease;
	p->limits = cfg->limits;
	p->dead = cfg->dead;
	INIT_LIST_HEAD(&p->secondaries);
	if (!p->reg_off) {
		ret = portshare_reg_open(pn, p, extack);
		if (ret) {
			NL_SET_BAD_ATTR(extack, cfg->nla.reg_port ?: cfg->nla.port);
			goto err_put_hook;
		}
	}
	return p;

err_put_hook:
	portshare_hook_put(pn);
err_free_stats:
	free_percpu(p->stats);
err_free_port:
	kfree(p);
	return ERR_PTR(ret);
}

static void port_free_rcu(struct rcu_head *rcu)
{
	struct portshare_port *p = container_of(rcu, struct portshare_port, rcu);

	free_percpu(p->stats);
	kfree(p);
}

/**
 * portshare_port_free() - free a port that was never linked
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port, with no secondaries
 */
void portshare_port_free(struct portshare_net *pn, struct portshare_port *p)
{
	portshare_reg_close(p);
	portshare_hook_put(pn);
	free_percpu(p->stats);
	kfree(p);
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
	if (!p->reg_off)
		hash_add_rcu(pn->reg_hash, &p->reg_hnode, p->reg_port);
	set_bit(p->port, pn->designated);
	pn->num_ports++;
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
 * Return: 0, -ENOMEM, an error of portshare_port_check(), or -EADDRINUSE
 * (or another bind error) if the registration port cannot be opened.
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
	p = portshare_port_alloc(pn, cfg, extack);
	if (IS_ERR(p))
		return PTR_ERR(p);
	portshare_port_link(pn, p, reason);
	return 0;
}

/**
 * portshare_port_shutdown() - tell a port's secondaries that sharing stops
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port, out of the data path's reach, its list not yet purged
 *
 * Called during every undesignation, including namespace teardown and
 * module unload (from pernet pre_exit): sends the SHUTDOWN datagram
 * (Table 3) to each secondary's data port (shutdown.c), then emits the
 * SHUTDOWN event.
 */
void portshare_port_shutdown(struct portshare_net *pn,
			     struct portshare_port *p)
{
	lockdep_assert_held(&pn->lock);
	portshare_reg_shutdown(pn, p);
	portshare_nl_shutdown_event(pn, p, GFP_KERNEL);
}

/**
 * portshare_port_undesignate() - take a port out of service
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port
 * @reason: for the PORT_DEL event
 *
 * The data path and the registration port let go of @p at once: it is no
 * longer designated, found or listed.  What needs a grace period first
 * (SHUTDOWN, the purge, the events, closing the sockets) is left to
 * portshare_port_reap(), which does it for every port undesignated
 * meanwhile after one grace period, from a work item.  Callers that need
 * it done (a new designation may want the registration port) call
 * portshare_port_settle().
 */
void portshare_port_undesignate(struct portshare_net *pn,
				struct portshare_port *p,
				enum portshare_reason reason)
{
	lockdep_assert_held(&pn->lock);
	clear_bit(p->port, pn->designated);
	hash_del_rcu(&p->hnode);
	if (!p->reg_off)
		hash_del_rcu(&p->reg_hnode);
	portshare_reg_detach(p);
	p->del_reason = reason;
	list_move_tail(&p->node, &pn->dying);
	pn->generation++;
	queue_work(system_wq, &pn->reap_work);
}

/*
 * After a grace period, no reader sees @p: no copy is made after the
 * SHUTDOWN (Table 3: the primary "will no longer perform the primary
 * application tasks").
 */
static void port_finish(struct portshare_net *pn, struct portshare_port *p)
{
	struct portshare_secondary *s, *tmp;

	portshare_port_shutdown(pn, p);
	list_for_each_entry_safe(s, tmp, &p->secondaries, node)
		portshare_sec_unlink(pn, p, s, PORTSHARE_REASON_SHUTDOWN);
	list_del(&p->node);
	pn->num_ports--;
	pn->generation++;
	portshare_nl_port_event(pn, p, PORTSHARE_CMD_PORT_DEL, p->del_reason,
				GFP_KERNEL);
	portshare_reg_close(p);
	portshare_hook_put(pn);
	call_rcu(&p->rcu, port_free_rcu);
}

/**
 * portshare_port_reap() - finish every undesignated port
 * @pn: the namespace; the caller does not hold @pn->lock
 *
 * One grace period for all ports undesignated so far, however many: a
 * batch of PORT_DELs costs one, not one each, and holds no lock across it.
 */
void portshare_port_reap(struct portshare_net *pn)
{
	struct portshare_port *p, *tmp;
	LIST_HEAD(batch);

	mutex_lock(&pn->lock);
	list_splice_init(&pn->dying, &batch);
	mutex_unlock(&pn->lock);
	if (list_empty(&batch))
		return;
	synchronize_net();
	mutex_lock(&pn->lock);
	list_for_each_entry_safe(p, tmp, &batch, node)
		port_finish(pn, p);
	mutex_unlock(&pn->lock);
}

static void reap_work(struct work_struct *work)
{
	portshare_port_reap(container_of(work, struct portshare_net,
					 reap_work));
}

/**
 * portshare_port_settle() - wait until every undesignated port is finished
 * @pn: the namespace; the caller does not hold @pn->lock
 *
 * Before a change that may need a registration port an undesignated port
 * still holds, or whose events must follow that port's PORT_DEL.
 */
void portshare_port_settle(struct portshare_net *pn)
{
	flush_work(&pn->reap_work);
}

/**
 * portshare_port_net_init() - set up a namespace's port removal
 * @pn: the namespace's new state
 */
void portshare_port_net_init(struct portshare_net *pn)
{
	INIT_LIST_HEAD(&pn->dying);
	INIT_WORK(&pn->reap_work, reap_work);
}

/**
 * portshare_port_net_exit() - undesignate and finish every port
 * @pn: the namespace, going away (pernet pre_exit)
 *
 * SHUTDOWN goes out now, while the namespace still works.
 */
void portshare_port_net_exit(struct portshare_net *pn)
{
	struct portshare_port *p, *tmp;

	mutex_lock(&pn->lock);
	list_for_each_entry_safe(p, tmp, &pn->ports, node)
		portshare_port_undesignate(pn, p, PORTSHARE_REASON_SHUTDOWN);
	mutex_unlock(&pn->lock);
	cancel_work_sync(&pn->reap_work);
	portshare_port_reap(pn);
}

/**
 * portshare_port_read_stats() - sum a port's counters over all CPUs
 * @p: the port
 * @t: filled with the sums
 */
void portshare_port_read_stats(const struct portshare_port *p,
			       struct portshare_port_totals *t)
{
	struct portshare_port_totals c;
	unsigned int start;
	int cpu, i;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		const struct portshare_port_stats *st = per_cpu_ptr(p->stats, cpu);

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			c.rx = u64_stats_read(&st->rx);
			c.shared = u64_stats_read(&st->shared);
			for (i = 0; i < PS_PORT_ERR_MAX; i++)
				c.err[i] = u64_stats_read(&st->err[i]);
		} while (u64_stats_fetch_retry(&st->syncp, start));
		t->rx += c.rx;
		t->shared += c.shared;
		for (i = 0; i < PS_PORT_ERR_MAX; i++)
			t->err[i] += c.err[i];
	}
}
