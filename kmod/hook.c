// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hooks: NF_INET_LOCAL_IN for IPv4 and IPv6, registered in a
 * namespace only while it has designated ports.  They find the UDP header,
 * test its destination port in the namespace's bitmap and hand datagrams
 * for contested ports to share.c, and ICMP errors to icmp.c.  The
 * original always continues (NF_ACCEPT), unchanged.
 */

#include "portshare.h"

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

/*
 * After every other LOCAL_IN hook but conntrack's confirmation: after the
 * filter and security tables, input NAT and conntrack helpers.  What is
 * shared is then exactly what the application will receive: a datagram the
 * firewall drops is not shared, and a rewritten one is shared rewritten.
 */
#define PORTSHARE_PRI_IPV4	(NF_IP_PRI_LAST - 1)
#define PORTSHARE_PRI_IPV6	(NF_IP6_PRI_LAST - 1)

static unsigned int udp_hook(struct net *net, struct sk_buff *skb,
			     unsigned int uoff, u8 family, bool frag)
{
	const struct udphdr *uh;
	struct portshare_net *pn;
	struct udphdr _uh;

	uh = skb_header_pointer(skb, uoff, sizeof(_uh), &_uh);
	if (unlikely(!uh))
		return NF_ACCEPT;
	pn = portshare_net(net);
	if (likely(!test_bit(ntohs(uh->dest), pn->designated)))
		return NF_ACCEPT;
	/*
	 * Usually softirq, but nf_reinject() runs the hooks after an NFQUEUE
	 * verdict in process context, preemptible: the per-CPU counters,
	 * route caches and xmit guard need BHs (and so preemption) off.
	 */
	local_bh_disable();
	portshare_share_skb(pn, skb, uoff, uh, family, frag);
	local_bh_enable();
	return NF_ACCEPT;
}

/* ip_local_deliver() has reassembled fragments before LOCAL_IN. */
static unsigned int hook4(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	u8 protocol = ip_hdr(skb)->protocol;

	if (protocol == IPPROTO_ICMP)
		return portshare_icmp4(state->net, skb);
	if (protocol != IPPROTO_UDP)
		return NF_ACCEPT;
	return udp_hook(state->net, skb,
			skb_network_offset(skb) + ip_hdrlen(skb), AF_INET,
			false);
}

/*
 * nf_defrag_ipv6 reassembles in PRE_ROUTING; a fragment can still get
 * here if reassembly was skipped (it was untracked before defrag).
 */
static unsigned int hook6(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	int off = skb_network_offset(skb) + sizeof(struct ipv6hdr);
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;
	__be16 frag_off = 0;

	if (nexthdr != IPPROTO_UDP && ipv6_ext_hdr(nexthdr)) {
		off = ipv6_skip_exthdr(skb, off, &nexthdr, &frag_off);
		if (off < 0)
			return NF_ACCEPT;
		/* a later fragment: no transport header */
		if (frag_off & htons(IP6_OFFSET))
			return NF_ACCEPT;
	}
	if (nexthdr == IPPROTO_ICMPV6 && !frag_off)
		return portshare_icmp6(state->net, skb, off);
	if (nexthdr != IPPROTO_UDP)
		return NF_ACCEPT;
	return udp_hook(state->net, skb, off, AF_INET6,
			frag_off & htons(IP6_MF));
}

static const struct nf_hook_ops portshare_nf_ops[] = {
	{
		.hook		= hook4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= PORTSHARE_PRI_IPV4,
	},
	{
		.hook		= hook6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= PORTSHARE_PRI_IPV6,
	},
};

/**
 * portshare_hook_get() - hook a namespace for one more designated port
 * @pn: the namespace; the caller holds @pn->lock
 *
 * The first call registers the hooks and enables IPv6 reassembly before
 * LOCAL_IN (IPv4 always reassembles before it).
 *
 * Return: 0 or a negative errno; on error nothing changed.
 */
int portshare_hook_get(struct portshare_net *pn)
{
	int ret;

	lockdep_assert_held(&pn->lock);
	if (pn->hook_users) {
		pn->hook_users++;
		return 0;
	}
	ret = nf_defrag_ipv6_enable(pn->net);
	if (ret)
		return ret;
	ret = nf_register_net_hooks(pn->net, portshare_nf_ops,
				    ARRAY_SIZE(portshare_nf_ops));
	if (ret) {
		nf_defrag_ipv6_disable(pn->net);
		return ret;
	}
	pn->hook_users = 1;
	return 0;
}

/**
 * portshare_hook_put() - unhook a namespace after its last port went away
 * @pn: the namespace; the caller holds @pn->lock
 *
 * Hooks still running on other CPUs may finish after this returns: what
 * they use is freed after an RCU grace period.
 */
void portshare_hook_put(struct portshare_net *pn)
{
	lockdep_assert_held(&pn->lock);
	if (WARN_ON_ONCE(!pn->hook_users) || --pn->hook_users)
		return;
	nf_unregister_net_hooks(pn->net, portshare_nf_ops,
				ARRAY_SIZE(portshare_nf_ops));
	nf_defrag_ipv6_disable(pn->net);
}
