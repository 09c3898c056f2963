// SPDX-License-Identifier: GPL-2.0
/*
 * Where copies may go: a secondary's address must be unicast or local
 * (not unspecified, multicast or a broadcast address the namespace knows
 * from its own addresses and routes), and whether an address is one of
 * the namespace's own decides which loops its data port could close.
 * Used by netlink and by wire registrations alike.
 */

#include "portshare.h"

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
 * Why an IPv4 address cannot be a secondary, or NULL if it can.  Routing
 * knows the subnet-directed broadcasts of our links (and broadcast routes
 * an admin added); without a route the address may become reachable
 * later, and copies meanwhile count as drop_noroute.
 */
static const char *unusable4(struct net *net, __be32 a)
{
	if (!(ntohl(a) >> IN_CLASSA_NSHIFT))
		return "in 0.0.0.0/8";
	if (ipv4_is_lbcast(a))
		return "a broadcast address";
	if (ipv4_is_multicast(a))
		return "a multicast address";
	if (route_type4(net, a) == RTN_BROADCAST)
		return "a broadcast address";
	return NULL;
}

static const char *unusable6(const struct in6_addr *a)
{
	if (ipv6_addr_any(a))
		return "unspecified";
	if (ipv6_addr_is_multicast(a))
		return "a multicast address";
	return NULL;
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
	const char *why;

	if (cfg->family == AF_INET)
		why = unusable4(pn->net, cfg->addr.v4.s_addr);
	else
		why = unusable6(&cfg->addr.v6);
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
 * namespace's contested ports.  To one of our own addresses, every copy
 * would be shared again.  To another host's port of the same number,
 * raw and transparent copies close a loop when that host shares its port
 * back to us (two primaries listing each other); encap copies cannot, as
 * the data path recognises them, so they may go anywhere.
 *
 * Return: true if the secondary would (or likely would) loop.
 */
bool portshare_sec_loops(struct portshare_net *pn, u16 family,
			 const union portshare_addr *addr, u8 mode)
{
	return mode != PORTSHARE_MODE_ENCAP ||
	       portshare_addr_is_local(pn->net, family, addr);
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
