// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state: created empty with the namespace, emptied before it
 * goes away.
 */

#include "portshare.h"

#include <linux/bug.h>

unsigned int portshare_net_id __read_mostly;

/* Must not fail: a failing init would abort "ip netns add". */
static int __net_init portshare_net_init(struct net *net)
{
	struct portshare_net *pn = portshare_net(net);

	mutex_init(&pn->lock);
	pn->generation = 1;
	INIT_LIST_HEAD(&pn->ports);
	hash_init(pn->port_hash);
	pn->net = net;
	portshare_reg_net_init(pn);
	return 0;
}

/*
 * Stop sharing before the exit step: the core waits for an RCU grace period
 * between pre_exit and exit, so no reader still sees a port afterwards.
 */
static void __net_exit portshare_net_pre_exit(struct net *net)
{
	struct portshare_net *pn = portshare_net(net);
	struct portshare_port *p, *tmp;

	mutex_lock(&pn->lock);
	list_for_each_entry_safe(p, tmp, &pn->ports, node)
		portshare_port_undesignate(pn, p, PORTSHARE_REASON_SHUTDOWN);
	mutex_unlock(&pn->lock);
}

static void __net_exit portshare_net_exit(struct net *net)
{
	struct portshare_net *pn = portshare_net(net);

	WARN_ON_ONCE(!list_empty(&pn->ports));
	portshare_reg_net_exit(pn);
	mutex_destroy(&pn->lock);
}

static struct pernet_operations portshare_net_ops = {
	.init = portshare_net_init,
	.pre_exit = portshare_net_pre_exit,
	.exit = portshare_net_exit,
	.id = &portshare_net_id,
	.size = sizeof(struct portshare_net),
};

/**
 * portshare_pernet_register() - set up portshare in every namespace
 *
 * Return: 0 or a negative errno.
 */
int portshare_pernet_register(void)
{
	return register_pernet_subsys(&portshare_net_ops);
}

/**
 * portshare_pernet_unregister() - undesignate every port in every namespace
 */
void portshare_pernet_unregister(void)
{
	unregister_pernet_subsys(&portshare_net_ops);
}
