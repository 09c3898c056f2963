// SPDX-License-Identifier: GPL-2.0
/*
 * A copy's UDP and IP headers, pushed in front of its payload: the same
 * for a copy sent through the output path (xmit.c) and one queued
 * straight on its socket (deliver.c).  What differs is each caller's: the
 * UDP checksum and the IPv4 ID matter only on the wire, the control block
 * only to a socket.
 */

#include "portshare.h"

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>

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

static void push_ip4(struct sk_buff *skb, const struct portshare_route *r)
{
	struct iphdr *iph;

	__skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = 0;
	iph->tot_len = htons(skb->len);
	iph->id = 0;
	iph->frag_off = 0;
	iph->ttl = r->ttl ?: ip4_dst_hoplimit(r->dst);
	iph->protocol = IPPROTO_UDP;
	iph->saddr = r->saddr.v4.s_addr;
	iph->daddr = r->daddr.v4.s_addr;
	skb->protocol = htons(ETH_P_IP);
}

static void push_ip6(struct sk_buff *skb, const struct portshare_route *r)
{
	struct ipv6hdr *ip6h;

	__skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = IPPROTO_UDP;
	ip6h->hop_limit = r->ttl ?: ip6_dst_hoplimit(r->dst);
	ip6h->saddr = r->saddr.v6;
	ip6h->daddr = r->daddr.v6;
	skb->protocol = htons(ETH_P_IPV6);
}

/**
 * portshare_push_headers() - put a copy's UDP and IP headers in front of it
 * @skb: the copy's payload, with headroom for both headers
 * @family: AF_INET or AF_INET6
 * @r: the copy's route: addresses, and its hop limit unless the
 *	secondary has a TTL of its own
 * @sport: the source port
 * @dport: the secondary's data port
 *
 * Leaves the UDP checksum 0, and for IPv4 the ID 0 and the header
 * checksum unset.
 */
void portshare_push_headers(struct sk_buff *skb, u16 family,
			    const struct portshare_route *r, __be16 sport,
			    __be16 dport)
{
	push_udp(skb, sport, dport);
	if (family == AF_INET)
		push_ip4(skb, r);
	else
		push_ip6(skb, r);
}
