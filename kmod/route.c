// SPDX-License-Identifier: GPL-2.0
/*
 * Where a copy goes: the route to its secondary and what kind of
 * destination that is.  Routes come from the secondary's per-CPU
 * dst_cache, as VXLAN and WireGuard keep one per peer; a route change or
 * an address change makes the cached route fail its dst check, and the
 * next copy looks it up again.  Only unicast and local destinations get
 * copies.  A copy keeps its registered primary address as its source only
 * while that address is the host's: FLOWI_FLAG_ANYSRC, which lets any
 * source through the route lookup, is for transparent copies alone, and
 * those are routed afresh each time, their source being each datagram's
 * sender.
 */

#include "portshare.h"

#include <linux/netdevice.h>
#include <net/addrconf.h>
#include <net/dst.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>

/* Only these go the socket's own way (deliver.c): no VRF, no IPsec. */
static bool loopback_route(const struct dst_entry *dst)
{
	return dst->dev->flags & IFF_LOOPBACK && !dst_xfrm(dst);
}

/*
 * A route lookup failed: was it the source?  Without FLOWI_FLAG_ANYSRC
 * the lookup refuses a source that is not local.
 */
static int route4_err(struct net *net, __be32 src, bool transparent)
{
	if (src && !transparent && inet_addr_type(net, src) != RTN_LOCAL)
		return PS_SEC_DROP_NOSRC;
	return PS_SEC_DROP_NOROUTE;
}

static int route4(struct net *net, struct portshare_secondary *s, __be32 src,
		  __be16 sport, bool transparent, struct portshare_route *r)
{
	struct rtable *rt = NULL;
	struct flowi4 fl4;
	__be32 saddr;

	/* 0.0.0.0/8 would route as local: "this host" is no secondary */
	if (unlikely(ipv4_is_zeronet(s->addr.v4.s_addr)))
		return PS_SEC_DROP_DEST;
	if (!transparent)
		rt = dst_cache_get_ip4(&s->dst_cache, &saddr);
	if (!rt) {
		memset(&fl4, 0, sizeof(fl4));
		fl4.daddr = s->addr.v4.s_addr;
		fl4.saddr = src;
		fl4.flowi4_proto = IPPROTO_UDP;
		fl4.fl4_sport = sport;
		fl4.fl4_dport = htons(s->data_port);
		if (transparent)
			fl4.flowi4_flags = FLOWI_FLAG_ANYSRC;
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return route4_err(net, src, transparent);
		saddr = fl4.saddr;
		if (!transparent)
			dst_cache_set_ip4(&s->dst_cache, &rt->dst, saddr);
	}
	if (unlikely(rt->rt_type != RTN_UNICAST && rt->rt_type != RTN_LOCAL)) {
		ip_rt_put(rt);
		return PS_SEC_DROP_DEST;
	}
	r->dst = &rt->dst;
	r->saddr.v4.s_addr = saddr;
	r->daddr = s->addr;
	r->local = rt->rt_type == RTN_LOCAL && loopback_route(&rt->dst);
	r->iif = rt->dst.dev->ifindex;
	return -1;
}

/*
 * IPv6 route lookups take any source address, so check it; a cached route
 * is dropped when an address goes away (addrconf flushes the trees).  The
 * lookup refuses an IPv4-mapped source (a transparent copy of an IPv4
 * datagram): such a copy is routed as if from the preferred source and
 * gets its source written afterwards.
 */
static struct dst_entry *lookup6(struct net *net,
				 const struct portshare_secondary *s,
				 const struct in6_addr *src, __be16 sport,
				 struct in6_addr *saddr)
{
	struct dst_entry *dst;
	struct flowi6 fl6;

	memset(&fl6, 0, sizeof(fl6));
	fl6.daddr = s->addr.v6;
	if (!ipv6_addr_v4mapped(src))
		fl6.saddr = *src;
	fl6.flowi6_proto = IPPROTO_UDP;
	fl6.fl6_sport = sport;
	fl6.fl6_dport = htons(s->data_port);
	dst = ip6_dst_lookup_flow(net, NULL, &fl6, NULL);
	if (!IS_ERR(dst))
		*saddr = ipv6_addr_any(src) ? fl6.saddr : *src;
	return dst;
}

/* The interface a copy looped through loopback would arrive on. */
static int iif6(const struct dst_entry *dst)
{
	const struct inet6_dev *idev = ip6_dst_idev(dst);

	return idev ? idev->dev->ifindex : dst->dev->ifindex;
}

static int route6(struct net *net, struct portshare_secondary *s,
		  const struct in6_addr *src, __be16 sport, bool transparent,
		  struct portshare_route *r)
{
	struct dst_entry *dst = NULL;
	struct in6_addr saddr;

	if (unlikely(ipv6_addr_is_multicast(&s->addr.v6) ||
		     ipv6_addr_any(&s->addr.v6)))
		return PS_SEC_DROP_DEST;
	if (!transparent)
		dst = dst_cache_get_ip6(&s->dst_cache, &saddr);
	if (!dst) {
		if (!transparent && !ipv6_addr_any(src) &&
		    !ipv6_chk_addr(net, src, NULL, 0))
			return PS_SEC_DROP_NOSRC;
		dst = lookup6(net, s, src, sport, &saddr);
		if (IS_ERR(dst))
			return PS_SEC_DROP_NOROUTE;
		if (!transparent)
			dst_cache_set_ip6(&s->dst_cache, dst, &saddr);
	}
	r->dst = dst;
	r->saddr.v6 = saddr;
	r->daddr = s->addr;
	r->local = dst_rt6_info(dst)->rt6i_flags & RTF_LOCAL &&
		   loopback_route(dst);
	r->iif = iif6(dst);
	return -1;
}

/**
 * portshare_route() - route one copy
 * @net: the namespace to send in
 * @s: the secondary
 * @src: the source the copy asks for; all zero lets the route choose
 * @sport: the copy's source port
 * @transparent: @src is the original sender's, not the host's
 * @r: filled in when the copy can go, with the secondary's TTL
 *
 * Called with BHs disabled (the dst_cache is per CPU).
 *
 * Return: -1 with @r holding the route, or why the copy cannot be sent:
 * PS_SEC_DROP_NOROUTE, PS_SEC_DROP_NOSRC (@src is not local) or
 * PS_SEC_DROP_DEST (the route is not unicast or local).
 */
int portshare_route(struct net *net, struct portshare_secondary *s,
		    const union portshare_addr *src, __be16 sport,
		    bool transparent, struct portshare_route *r)
{
	r->ttl = s->limits.ttl;
	if (s->family == AF_INET)
		return route4(net, s, src->v4.s_addr, sport, transparent, r);
	return route6(net, s, &src->v6, sport, transparent, r);
}

/**
 * portshare_route_put() - release a route its copy did not use
 * @r: from portshare_route()
 */
void portshare_route_put(struct portshare_route *r)
{
	dst_release(r->dst);
	r->dst = NULL;
}
