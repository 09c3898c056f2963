// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state: every namespace gets one pointer, and the state
 * itself (11 KiB, most of it the designated-port bitmap) only when it
 * first uses portshare, charged to the memory cgroup of the task that did.
 * It is emptied before the namespace goes away and freed with it.
 */

#include "portshare.h"

#include <linux/bug.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

unsigned int portshare_net_id __read_mostly;

/* Serialises the creation of namespaces' state. */
static DEFINE_MUTEX(create_lock);

static struct portshare_net_slot *net_slot(const struct net *net)
{
	return net_generic(net, portshare_net_id);
}

static struct portshare_net *net_alloc(struct net *net)
{
	struct portshare_net *pn;

	pn = kvzalloc(sizeof(*pn), GFP_KERNEL_ACCOUNT);
	if (!pn)
		return NULL;
	mutex_init(&pn->lock);
	pn->generation = 1;
	INIT_LIST_HEAD(&pn->ports);
	hash_init(pn->port_hash);
	hash_init(pn->reg_hash);
	pn->net = net;
	pn->memcg = get_mem_cgroup_from_mm(current->mm);
	portshare_port_net_init(pn);
	portshare_lease_net_init(pn);
	portshare_health_net_init(pn);
	portshare_reg_net_init(pn);
	return pn;
}

/**
 * portshare_net_get() - a namespace's portshare state, created if needed
 * @net: the namespace, alive (a request from it is being served)
 *
 * Process context.  The state is charged to the current task's memory
 * cgroup, which also pays for what wire registrations allocate later.
 *
 * Return: the state, or NULL if out of memory.
 */
struct portshare_net *portshare_net_get(struct net *net)
{
	struct portshare_net *pn = portshare_net(net);

	if (pn)
		return pn;
	mutex_lock(&create_lock);
	pn = net_slot(net)->pn;
	if (!pn) {
		pn = net_alloc(net);
		if (pn) /* pairs with portshare_net(): seen initialised */
			smp_store_release(&net_slot(net)->pn, pn);
	}
	mutex_unlock(&create_lock);
	return pn;
}

/*
 * Stop sharing before the exit step: the core waits for an RCU grace period
 * between pre_exit and exit, so no reader still sees a port afterwards.
 */
static void __net_exit portshare_net_pre_exit(struct net *net)
{
	struct portshare_net *pn = portshare_net(net);

	if (pn)
		portshare_port_net_exit(pn);
}

static void __net_exit portshare_net_exit(struct net *net)
{
	struct portshare_net *pn = portshare_net(net);

	if (!pn)
		return;
	WARN_ON_ONCE(!list_empty(&pn->ports) || !list_empty(&pn->dying));
	portshare_reg_net_exit(pn);
	portshare_lease_net_exit(pn);
	portshare_health_net_exit(pn);
	mutex_destroy(&pn->lock);
	mem_cgroup_put(pn->memcg);
	net_slot(net)->pn = NULL;
	kvfree(pn);
}

static struct pernet_operations portshare_net_ops = {
	.pre_exit = portshare_net_pre_exit,
	.exit = portshare_net_exit,
	.id = &portshare_net_id,
	.size = sizeof(struct portshare_net_slot),
};

/**
 * portshare_pernet_register() - give every namespace its slot
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
