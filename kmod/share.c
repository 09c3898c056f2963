// SPDX-License-Identifier: GPL-2.0
/*
 * From a received skb to the datagrams it carries, and from each datagram
 * to a copy for every secondary of its port: validation (UDP length,
 * checksum, loops), splitting of GSO super-packets and the port's
 * counters.  Runs in the netfilter hook, under rcu_read_lock().
 */

#include "portshare.h"
#include "encap.h"

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/timekeeping.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>

static const char * const port_err_name[PS_PORT_ERR_MAX] = {
	[PS_PORT_ERR_CSUM]	= "bad checksum",
	[PS_PORT_ERR_MALFORMED]	= "malformed",
	[PS_PORT_ERR_GSO]	= "unsplittable GSO packet",
	[PS_PORT_ERR_LOOP]	= "a copy (loop)",
};

static void port_count(struct portshare_port *p, u32 rx, u32 shared)
{
	struct portshare_port_stats *st = this_cpu_ptr(p->stats);

	u64_stats_update_begin(&st->syncp);
	u64_stats_add(&st->rx, rx);
	u64_stats_add(&st->shared, shared);
	u64_stats_update_end(&st->syncp);
}

static void port_error(struct portshare_port *p, enum portshare_port_err why)
{
	struct portshare_port_stats *st = this_cpu_ptr(p->stats);

	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->rx);
	u64_stats_inc(&st->err[why]);
	u64_stats_update_end(&st->syncp);
	net_dbg_ratelimited("port %u: datagram not shared: %s\n", p->port,
			    port_err_name[why]);
}

/* An IPv4 checksum of 0 means "none"; nf_checksum() would reject it. */
static bool csum_ok(struct sk_buff *skb, unsigned int uoff,
		    unsigned int ulen, const struct udphdr *uh, u8 family)
{
	__wsum csum;

	if (skb_csum_unnecessary(skb))
		return true;
	if (family == AF_INET && !uh->check)
		return true;
	if (likely(uoff + ulen == skb->len))
		return !nf_checksum(skb, NF_INET_LOCAL_IN, uoff, IPPROTO_UDP,
				    family);
	/* bytes after the datagram (udp_rcv() trims them): sum it alone */
	csum = skb_checksum(skb, uoff, ulen, 0);
	if (family == AF_INET)
		return !csum_tcpudp_magic(ip_hdr(skb)->saddr,
					  ip_hdr(skb)->daddr, ulen,
					  IPPROTO_UDP, csum);
	return !csum_ipv6_magic(&ipv6_hdr(skb)->saddr, &ipv6_hdr(skb)->daddr,
				ulen, IPPROTO_UDP, csum);
}

/*
 * GSO packets come from a local UDP_SEGMENT sender (CHECKSUM_PARTIAL) or
 * from UDP GRO, which validated every checksum; uh->len is not the length
 * of one datagram in them.
 */
static int check_gso(const struct sk_buff *skb, unsigned int uoff,
		     unsigned int *end)
{
	const struct skb_shared_info *shinfo = skb_shinfo(skb);

	if (unlikely(!(shinfo->gso_type & (SKB_GSO_UDP_L4 | SKB_GSO_FRAGLIST)) ||
		     shinfo->gso_type & (SKB_GSO_UDP_TUNNEL |
					 SKB_GSO_UDP_TUNNEL_CSUM) ||
		     !shinfo->gso_size))
		return PS_PORT_ERR_GSO;
	*end = skb->len;
	return -1;
}

/*
 * Return: why the datagram must not be shared, or -1 to share it; @end is
 * where its UDP payload ends in @skb.
 */
static int check(struct sk_buff *skb, unsigned int uoff,
		 const struct udphdr *uh, u8 family, bool frag,
		 unsigned int *end)
{
	unsigned int ulen = ntohs(uh->len);

	if (unlikely(frag))
		return PS_PORT_ERR_MALFORMED;
	if (skb_is_gso(skb))
		return check_gso(skb, uoff, end);
	if (unlikely(ulen < sizeof(*uh) || ulen > skb->len - uoff))
		return PS_PORT_ERR_MALFORMED;
	if (unlikely(!csum_ok(skb, uoff, ulen, uh, family)))
		return PS_PORT_ERR_CSUM;
	*end = uoff + ulen;
	return -1;
}

static void dgram_init(struct portshare_dgram *d, const struct sk_buff *skb,
		       unsigned int uoff, const struct udphdr *uh, u8 family,
		       unsigned int end)
{
	d->skb = skb;
	d->offset = uoff + sizeof(*uh);
	d->len = end - d->offset;
	d->family = family;
	d->sport = uh->source;
	if (family == AF_INET)
		d->saddr.v4.s_addr = ip_hdr(skb)->saddr;
	else
		d->saddr.v6 = ipv6_hdr(skb)->saddr;
	d->tstamp = ktime_get_real_ns();
	d->rx_tstamp = skb_tstamp(skb);
	d->payload.nr = 0;
	d->payload.failed = false;
}

/* A portshare encap copy sent to a contested port (ps_encap_is_copy()). */
static bool is_copy(const struct portshare_dgram *d)
{
	const struct portshare_encap_hdr *h;
	struct portshare_encap_hdr _h;

	if (d->len < sizeof(*h))
		return false;
	h = skb_header_pointer(d->skb, d->offset, sizeof(*h), &_h);
	return h && ps_encap_is_copy(h, d->len);
}

/* The index of the first of @n datagrams the port shares next. */
static u32 take_index(struct portshare_port *p, u32 n)
{
	return (u32)atomic_add_return(n, &p->dgram_seq) - n;
}

/* One datagram to every secondary, within the port's copy budget. */
static bool share_one(struct net *net, struct portshare_port *p,
		      struct portshare_dgram *d, u32 index)
{
	struct portshare_secondary *s;
	bool shared = false;

	d->index = index;
	d->budget = READ_ONCE(portshare_copy_budget) ?: UINT_MAX;
	list_for_each_entry_rcu(s, &p->secondaries, node)
		shared |= portshare_copy(net, p, s, d);
	portshare_payload_put(d);
	return shared;
}

/* Each gso_size piece of payload is one datagram; the last may be short. */
static void share_gso(struct net *net, struct portshare_port *p,
		      struct portshare_dgram *d, unsigned int end,
		      unsigned int mss)
{
	u32 rx = 0, shared = 0, n, index;

	n = DIV_ROUND_UP(end - d->offset, mss);
	index = take_index(p, n);
	for (; d->offset < end; d->offset += mss) {
		d->len = min(mss, end - d->offset);
		shared += share_one(net, p, d, index + rx);
		rx++;
	}
	port_count(p, rx, shared);
}

/**
 * portshare_share_skb() - share a datagram sent to a designated port
 * @pn: the namespace that received it
 * @skb: the datagram, in LOCAL_IN; only read
 * @uoff: offset of its UDP header in @skb
 * @uh: its UDP header
 * @family: AF_INET or AF_INET6
 * @frag: @skb is an IPv6 fragment that was not reassembled
 *
 * Sends a copy to every secondary of the port and counts the outcome on the
 * port.  Called under rcu_read_lock() with BHs disabled (hook.c).
 */
void portshare_share_skb(struct portshare_net *pn, struct sk_buff *skb,
			 unsigned int uoff, const struct udphdr *uh, u8 family,
			 bool frag)
{
	struct portshare_dgram d;
	struct portshare_port *p;
	unsigned int end;
	int why;

	p = portshare_port_find(pn, ntohs(uh->dest));
	if (unlikely(!p))
		return;
	why = check(skb, uoff, uh, family, frag, &end);
	if (unlikely(why >= 0)) {
		port_error(p, why);
		return;
	}
	dgram_init(&d, skb, uoff, uh, family, end);
	if (unlikely(portshare_xmit_nested() || is_copy(&d))) {
		port_error(p, PS_PORT_ERR_LOOP);
		return;
	}
	if (skb_is_gso(skb))
		share_gso(pn->net, p, &d, end, skb_shinfo(skb)->gso_size);
	else
		port_count(p, 1, share_one(pn->net, p, &d, take_index(p, 1)));
}
