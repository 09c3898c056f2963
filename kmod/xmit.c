// SPDX-License-Identifier: GPL-2.0
/*
 * Sending a copy through the output path: put the UDP and IP headers in
 * front of its payload and hand it, with its route (route.c), to
 * ip_local_out() / ip6_local_out(): LOCAL_OUT, POSTROUTING, fragmentation,
 * neighbours.  Remote copies, transparent ones and local ones that cannot
 * go straight into their socket (deliver.c) come this way.  Copies are
 * untracked and may be fragmented; a per-CPU counter marks the time spent
 * sending, so the hook never shares while a copy is in flight (BHs are
 * off throughout: hook.c).
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

/**
 * portshare_xmit() - send a copy through the output path
 * @net: the namespace to send in
 * @skb: the copy's UDP payload, with headroom; always consumed
 * @family: AF_INET or AF_INET6
 * @r: the copy's route; consumed
 * @sport: the source port
 * @dport: the secondary's data port
 *
 * Return: -1 when handed to the output path, PS_SEC_DROP_XMIT when the
 * output path dropped the copy (netfilter, qdisc, device).
 */
int portshare_xmit(struct net *net, struct sk_buff *skb, u16 family,
		   struct portshare_route *r, __be16 sport, __be16 dport)
{
	int len = skb->len + sizeof(struct udphdr);

	portshare_push_headers(skb, family, r, sport, dport);
	if (family == AF_INET) {
		udp_set_csum(false, skb, r->saddr.v4.s_addr,
			     r->daddr.v4.s_addr, len);
		__ip_select_ident(net, ip_hdr(skb), 1);
	} else {
		udp6_set_csum(false, skb, &r->saddr.v6, &r->daddr.v6, len);
	}
	skb_dst_set(skb, r->dst);
	r->dst = NULL;
	return xmit(net, skb, family == AF_INET6) ? PS_SEC_DROP_XMIT : -1;
}
