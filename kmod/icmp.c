// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP and ICMPv6 errors that may be about copies (health.c): destination
 * unreachable for a network, host, address or port, or administratively
 * prohibited, quoting a UDP datagram.  The quoted headers give the copy's
 * source port and its secondary's address and data port.  hook.c hands
 * over every ICMP and ICMPv6 datagram that reaches LOCAL_IN; each always
 * continues to ICMP, which tells the sockets.  This way the errors are
 * seen whoever owns the copies' source port: the registration socket, or
 * for a port without one the application on the contested port.
 */

#include "portshare.h"

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>

/* Not fragmentation needed (path MTU), protocol or source route failed. */
static bool unreachable4(const struct icmphdr *ih)
{
	if (ih->type != ICMP_DEST_UNREACH)
		return false;
	switch (ih->code) {
	case ICMP_NET_UNREACH:
	case ICMP_HOST_UNREACH:
	case ICMP_PORT_UNREACH:
	case ICMP_NET_UNKNOWN:
	case ICMP_HOST_UNKNOWN:
	case ICMP_NET_ANO:
	case ICMP_HOST_ANO:
	case ICMP_NET_UNR_TOS:
	case ICMP_HOST_UNR_TOS:
	case ICMP_PKT_FILTERED:
		return true;
	}
	return false;
}

/* Not "beyond the scope of the source address". */
static bool unreachable6(const struct icmp6hdr *ih)
{
	if (ih->icmp6_type != ICMPV6_DEST_UNREACH)
		return false;
	switch (ih->icmp6_code) {
	case ICMPV6_NOROUTE:
	case ICMPV6_ADM_PROHIBITED:
	case ICMPV6_ADDR_UNREACH:
	case ICMPV6_PORT_UNREACH:
	case ICMPV6_POLICY_FAIL:
	case ICMPV6_REJECT_ROUTE:
		return true;
	}
	return false;
}

/* The quoted UDP header at @off: to health.c, with BHs off as there. */
static void quoted_udp(struct net *net, const struct sk_buff *skb,
		       unsigned int off, u16 family,
		       const union portshare_addr *daddr)
{
	const struct udphdr *uh;
	struct udphdr _uh;

	uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
	if (!uh)
		return;
	/* nf_reinject() may run the hooks in process context */
	local_bh_disable();
	portshare_health_icmp(net, family, uh->source, daddr, uh->dest);
	local_bh_enable();
}

/**
 * portshare_icmp4() - look at an ICMP datagram reaching LOCAL_IN
 * @net: its namespace
 * @skb: the datagram, at its IP header
 *
 * Return: NF_ACCEPT, always.
 */
unsigned int portshare_icmp4(struct net *net, struct sk_buff *skb)
{
	unsigned int off = skb_network_offset(skb) + ip_hdrlen(skb);
	union portshare_addr daddr;
	const struct icmphdr *ih;
	const struct iphdr *iph;
	struct icmphdr _ih;
	struct iphdr _iph;

	ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!ih || !unreachable4(ih) ||
	    nf_checksum(skb, NF_INET_LOCAL_IN, off, IPPROTO_ICMP, AF_INET))
		return NF_ACCEPT;
	off += sizeof(_ih);
	iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5 ||
	    iph->protocol != IPPROTO_UDP || iph->frag_off & htons(IP_OFFSET))
		return NF_ACCEPT;
	daddr.v4.s_addr = iph->daddr;
	quoted_udp(net, skb, off + iph->ihl * 4, AF_INET, &daddr);
	return NF_ACCEPT;
}

/**
 * portshare_icmp6() - look at an ICMPv6 datagram reaching LOCAL_IN
 * @net: its namespace
 * @skb: the datagram
 * @off: where its ICMPv6 header is
 *
 * Return: NF_ACCEPT, always.
 */
unsigned int portshare_icmp6(struct net *net, struct sk_buff *skb,
			     unsigned int off)
{
	union portshare_addr daddr;
	const struct icmp6hdr *ih;
	const struct ipv6hdr *ip6;
	struct icmp6hdr _ih;
	struct ipv6hdr _ip6;
	__be16 frag_off;
	u8 nexthdr;
	int uoff;

	ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!ih || !unreachable6(ih) ||
	    nf_checksum(skb, NF_INET_LOCAL_IN, off, IPPROTO_ICMPV6, AF_INET6))
		return NF_ACCEPT;
	off += sizeof(_ih);
	ip6 = skb_header_pointer(skb, off, sizeof(_ip6), &_ip6);
	if (!ip6 || ip6->version != 6)
		return NF_ACCEPT;
	nexthdr = ip6->nexthdr;
	uoff = ipv6_skip_exthdr(skb, off + sizeof(_ip6), &nexthdr, &frag_off);
	if (uoff < 0 || nexthdr != IPPROTO_UDP ||
	    frag_off & htons(IP6_OFFSET))
		return NF_ACCEPT;
	daddr.v6 = ip6->daddr;
	quoted_udp(net, skb, uoff, AF_INET6, &daddr);
	return NF_ACCEPT;
}
