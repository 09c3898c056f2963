// SPDX-License-Identifier: GPL-2.0
/*
 * Where copies may go: a secondary's address must be unicast or local
 * (not unspecified, multicast or a broadcast address the namespace knows
 * from its own addresses and routes), and whether an address is one of
 * the namespace's own decides which loops its data port could close.
 * Used by netlink and by wire registrations alike.
 */

#include "portshare.h"
#include "reg_rules.h"
#include "request.h"

#include <linux/inetdevice.h>
#include <linux/socket.h>
#include <net/addrconf.h>
#include <net/ipv6.h>
#include <net/route.h>

/* The type of the route to @a, RTN_UNSPEC if there is none. */
static unsigned int route_type4(struct net *net, __be32 a)
{
	struct flowi4 fl4 = { .daddr = a, .flowi4_proto = IPPROTO_UDP };
	struct rtable *rt;
	unsigned int type;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return RTN_UNSPEC;
	type = rt->rt_type;
	ip_rt_put(rt);
	return type;
}

/*
 * Why an address cannot be a secondary, or NULL if it can: the shared
 * rule, and for IPv4 the broadcast addresses routing knows (the
 * subnet-directed broadcasts of our links, and broadcast routes an admin
 * added).  Without a route the address may become reachable later, and
 * copies meanwhile count as drop_noroute.
 */
static const char *unusable(struct net *net,
			    const struct portshare_sec_cfg *cfg)
{
	bool v4 = cfg->family == AF_INET;
	const char *why;

	why = ps_addr_unusable(v4 ? PS_REQ_INET : PS_REQ_INET6,
			       (const u8 *)&cfg->addr);
	if (!why && v4 && route_type4(net, cfg->addr.v4.s_addr) == RTN_BROADCAST)
		why = "a broadcast address";
	return why;
}

/**
 * portshare_sec_addr_check() - may copies go to this address at all?
 * @pn: the namespace
 * @cfg: the secondary; its family and address are checked
 * @extack: told what is wrong, pointed at the address attribute
 *
 * Process context.  A remote network's broadcast address cannot be told
 * from a host's here; the transmit path checks the route's type again.
 *
 * Return: 0 or -EINVAL.
 */
int portshare_sec_addr_check(struct portshare_net *pn,
			     const struct portshare_sec_cfg *cfg,
			     struct netlink_ext_ack *extack)
{
	const char *why = unusable(pn->net, cfg);

	if (!why)
		return 0;
	if (cfg->family == AF_INET)
		PS_SET_ERR(extack, cfg->nla.addr,
			   "secondary %pI4 is %s",
			   &cfg->addr.v4, why);
	else
		PS_SET_ERR(extack, cfg->nla.addr,
			   "secondary %pI6c is %s",
			   &cfg->addr.v6, why);
	return -EINVAL;
}

/**
 * portshare_sec_loops() - could copies to a contested port here loop?
 * @pn: the namespace; the caller holds @pn->lock
 * @family: the secondary's family
 * @addr: its address
 * @mode: its mode
 *
 * Asked when the secondary's data port is, or is about to be, one of the
 * namespace's contested ports; the rule is ps_sec_may_loop().
 *
 * Return: true if the secondary would (or likely would) loop.
 */
bool portshare_sec_loops(struct portshare_net *pn, u16 family,
			 const union portshare_addr *addr, u8 mode)
{
	return ps_sec_may_loop(mode, portshare_addr_is_local(pn->net, family,
							     addr));
}

/**
 * portshare_addr_is_local() - is this one of the namespace's own addresses?
 * @net: the namespace
 * @family: AF_INET or AF_INET6
 * @addr: the address
 *
 * Process context.  127.0.0.0/8 and ::1 are local.
 *
 * Return: true if datagrams sent to @addr stay in @net.
 */
bool portshare_addr_is_local(struct net *net, u16 family,
			     const union portshare_addr *addr)
{
	if (family == AF_INET)
		return ipv4_is_loopback(addr->v4.s_addr) ||
		       inet_addr_type(net, addr->v4.s_addr) == RTN_LOCAL;
	return ipv6_addr_loopback(&addr->v6) ||
	       ipv6_chk_addr(net, &addr->v6, NULL, 0);
}
