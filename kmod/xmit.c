// SPDX-License-Identifier: GPL-2.0
/*
 * Sending a copy: route it, put the UDP and IP headers in front of its
 * payload and hand it to the full output path (ip_local_out() /
 * ip6_local_out(): LOCAL_OUT, POSTROUTING, fragmentation, neighbours).
 * Copies are untracked and may be fragmented; a per-CPU counter marks the
 * time spent sending, so the hook never shares while a copy is in flight.
 */

#include "portshare.h"

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/percpu.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/udp.h>
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
#include <net/netfilter/nf_conntrack.h>
#endif

static DEFINE_PER_CPU(unsigned int, xmit_nesting);

/**
 * portshare_xmit_nested() - is this CPU sending a copy right now?
 *
 * Return: true while a copy is in ip_local_out() / ip6_local_out() on this
 * CPU, e.g. when an output hook delivers synchronously.
 */
bool portshare_xmit_nested(void)
{
	return __this_cpu_read(xmit_nesting);
}

static void push_udp(struct sk_buff *skb, __be16 sport, __be16 dport)
{
	struct udphdr *uh;

	__skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh = udp_hdr(skb);
	uh->source = sport;
	uh->dest = dport;
	uh->len = htons(skb->len);
	uh->check = 0;
}

static int xmit(struct net *net, struct sk_buff *skb, bool v6)
{
	int ret;

	skb->ignore_df = 1;
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
#endif
	__this_cpu_inc(xmit_nesting);
	if (v6)
		ret = ip6_local_out(net, NULL, skb);
	else
		ret = ip_local_out(net, NULL, skb);
	__this_cpu_dec(xmit_nesting);
	ret = net_xmit_eval(ret);
	return ret > 0 ? -ENOBUFS : ret;
}

static void push_ip4(struct net *net, struct sk_buff *skb, struct rtable *rt,
		     const struct flowi4 *fl4, __be32 src)
{
	struct iphdr *iph;

	__skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = 0;
	iph->tot_len = htons(skb->len);
	iph->frag_off = 0;
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_UDP;
	iph->saddr = src;
	iph->daddr = fl4->daddr;
	__ip_select_ident(net, iph, 1);
	skb->protocol = htons(ETH_P_IP);
	skb_dst_set(skb, &rt->dst);
}

/**
 * portshare_xmit4() - send a copy over IPv4
 * @net: the namespace to send in
 * @skb: the copy's UDP payload, with headroom; always consumed
 * @src: the source address, or 0 for the route's preferred source
 * @dst: the secondary's address
 * @sport: the source port
 * @dport: the secondary's data port
 *
 * A non-zero @src need not be local (transparent mode).
 *
 * Return: 0 when sent, -EHOSTUNREACH without a route, another negative
 * errno when the output path dropped the copy.
 */
int portshare_xmit4(struct net *net, struct sk_buff *skb, __be32 src,
		    __be32 dst, __be16 sport, __be16 dport)
{
	struct flowi4 fl4 = {
		.daddr = dst,
		.saddr = src,
		.flowi4_proto = IPPROTO_UDP,
		.flowi4_flags = FLOWI_FLAG_ANYSRC,
		.fl4_sport = sport,
		.fl4_dport = dport,
	};
	struct rtable *rt;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return -EHOSTUNREACH;
	}
	push_udp(skb, sport, dport);
	udp_set_csum(false, skb, fl4.saddr, fl4.daddr, skb->len);
	push_ip4(net, skb, rt, &fl4, fl4.saddr);
	return xmit(net, skb, false);
}

static void push_ip6(struct sk_buff *skb, struct dst_entry *dst,
		     const struct flowi6 *fl6)
{
	struct ipv6hdr *ip6h;

	__skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = IPPROTO_UDP;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = fl6->saddr;
	ip6h->daddr = fl6->daddr;
	skb->protocol = htons(ETH_P_IPV6);
	skb_dst_set(skb, dst);
}

/**
 * portshare_xmit6() - send a copy over IPv6
 * @net: the namespace to send in
 * @skb: the copy's UDP payload, with headroom; always consumed
 * @src: the source address, or :: for the route's preferred source
 * @dst: the secondary's address
 * @sport: the source port
 * @dport: the secondary's data port
 *
 * A specified @src need not be local (transparent mode).  The route lookup
 * refuses an IPv4-mapped source, so such a copy is routed as if from the
 * preferred source and gets @src written afterwards.
 *
 * Return: 0 when sent, -EHOSTUNREACH without a route, another negative
 * errno when the output path dropped the copy.
 */
int portshare_xmit6(struct net *net, struct sk_buff *skb,
		    const struct in6_addr *src, const struct in6_addr *dst,
		    __be16 sport, __be16 dport)
{
	struct flowi6 fl6 = {
		.daddr = *dst,
		.flowi6_proto = IPPROTO_UDP,
		.fl6_sport = sport,
		.fl6_dport = dport,
	};
	struct dst_entry *dst_e;

	if (!ipv6_addr_v4mapped(src))
		fl6.saddr = *src;
	dst_e = ip6_dst_lookup_flow(net, NULL, &fl6, NULL);
	if (IS_ERR(dst_e)) {
		kfree_skb(skb);
		return -EHOSTUNREACH;
	}
	if (!ipv6_addr_any(src))
		fl6.saddr = *src;
	push_udp(skb, sport, dport);
	udp6_set_csum(false, skb, &fl6.saddr, &fl6.daddr, skb->len);
	push_ip6(skb, dst_e, &fl6);
	return xmit(net, skb, true);
}
