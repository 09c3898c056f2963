// SPDX-License-Identifier: GPL-2.0
/*
 * One copy of one datagram for one secondary: sampling, the secondary's
 * sequence number, the payload in the secondary's mode (encap, raw or
 * transparent), the addresses it goes from and to, and the secondary's
 * counters.  Each copy is a fresh skb: the original is never touched.
 */

#include "portshare.h"

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mm.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ipv6.h>

/* Room for the headers xmit.c pushes and the link layer's. */
#define COPY_HEADROOM	(LL_MAX_HEADER + sizeof(struct ipv6hdr) + \
			 sizeof(struct udphdr))
/* Larger payloads go into order-0 pages: no high-order atomic allocations. */
#define COPY_LINEAR_MAX	(PAGE_SIZE - COPY_HEADROOM - \
			 sizeof(struct portshare_encap_hdr) - \
			 SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))
/* The largest UDP payload of an IPv4 or IPv6 datagram (no jumbograms). */
#define UDP4_PAYLOAD_MAX	(IP_MAX_MTU - sizeof(struct iphdr) - \
				 sizeof(struct udphdr))
#define UDP6_PAYLOAD_MAX	(IPV6_MAXPLEN - sizeof(struct udphdr))

static u8 wire_family(u16 family)
{
	return family == AF_INET ? PORTSHARE_FAMILY_INET :
				   PORTSHARE_FAMILY_INET6;
}

static unsigned int addr_len(u16 family)
{
	return family == AF_INET ? sizeof(struct in_addr) :
				   sizeof(struct in6_addr);
}

static void encap_fill(struct portshare_encap_hdr *h,
		       const struct portshare_port *p,
		       const struct portshare_secondary *s,
		       const struct portshare_dgram *d, u32 seq)
{
	BUILD_BUG_ON(sizeof(*h) != PORTSHARE_ENCAP_HDR_LEN);

	memset(h, 0, sizeof(*h));
	h->magic = htonl(PORTSHARE_ENCAP_MAGIC);
	h->version = PORTSHARE_ENCAP_VERSION;
	h->hdr_len = sizeof(*h);
	h->origin_family = wire_family(d->family);
	h->secondary_family = wire_family(s->family);
	h->origin_port = d->sport;
	h->contested_port = htons(p->port);
	memcpy(h->origin_addr, &d->saddr, addr_len(d->family));
	memcpy(h->secondary_addr, &s->addr, addr_len(s->family));
	h->payload_len = htonl(d->len);
	h->seq = htonl(seq);
	h->timestamp_ns = cpu_to_be64(d->tstamp);
}

/* skb_copy_bits() handles the original's frags and frag_list. */
static int copy_pages(struct sk_buff *skb, const struct portshare_dgram *d)
{
	unsigned int off = 0, chunk;
	struct page *page;
	int i;

	for (i = 0; off < d->len; i++, off += chunk) {
		chunk = min_t(unsigned int, d->len - off, PAGE_SIZE);
		page = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
		if (unlikely(!page))
			return -ENOMEM;
		skb_fill_page_desc(skb, i, page, 0, chunk);
		skb->len += chunk;
		skb->data_len += chunk;
		skb->truesize += PAGE_SIZE;
		if (unlikely(skb_copy_bits(d->skb, d->offset + off,
					   page_address(page), chunk)))
			return -EFAULT;
	}
	return 0;
}

/* The UDP payload of the copy: [encap header] payload. */
static struct sk_buff *copy_build(const struct portshare_port *p,
				  const struct portshare_secondary *s,
				  const struct portshare_dgram *d, u32 seq)
{
	unsigned int hlen = 0, linear;
	struct sk_buff *skb;
	bool paged;

	if (s->mode == PORTSHARE_MODE_ENCAP)
		hlen = sizeof(struct portshare_encap_hdr);
	paged = d->len > COPY_LINEAR_MAX;
	linear = hlen + (paged ? 0 : d->len);
	skb = alloc_skb(COPY_HEADROOM + linear, GFP_ATOMIC | __GFP_NOWARN);
	if (unlikely(!skb))
		return NULL;
	skb_reserve(skb, COPY_HEADROOM);
	if (hlen)
		encap_fill(skb_put(skb, hlen), p, s, d, seq);
	if (paged ? copy_pages(skb, d) :
		    skb_copy_bits(d->skb, d->offset, skb_put(skb, d->len),
				  d->len)) {
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

static bool too_big(const struct portshare_secondary *s, unsigned int len)
{
	if (s->mode == PORTSHARE_MODE_ENCAP)
		len += sizeof(struct portshare_encap_hdr);
	return len > (s->family == AF_INET ? UDP4_PAYLOAD_MAX :
					     UDP6_PAYLOAD_MAX);
}

/*
 * Where the copy comes from: the registration port (the contested port if
 * registration is off) at the secondary's primary address (the one its
 * "100 OK" named) or else the address the route prefers, or, in
 * transparent mode, the original sender.  An IPv4 sender appears to an
 * IPv6 secondary as its v4-mapped address; an IPv6 sender cannot appear on
 * an IPv4 copy.
 */
static int copy_source(const struct portshare_port *p,
		       const struct portshare_secondary *s,
		       const struct portshare_dgram *d,
		       union portshare_addr *src, __be16 *sport)
{
	memset(src, 0, sizeof(*src));
	if (s->mode != PORTSHARE_MODE_TRANSPARENT) {
		*src = s->src;
		*sport = htons(p->reg_off ? p->port : p->reg_port);
		return 0;
	}
	*sport = d->sport;
	if (d->family == AF_INET && !d->saddr.v4.s_addr)
		return 0;	/* 0.0.0.0 (BOOTP): the route's source */
	if (d->family == s->family)
		*src = d->saddr;
	else if (d->family == AF_INET)
		ipv6_addr_set_v4mapped(d->saddr.v4.s_addr, &src->v6);
	else
		return -EAFNOSUPPORT;
	return 0;
}

static int copy_send(struct net *net, const struct portshare_port *p,
		     const struct portshare_secondary *s,
		     const struct portshare_dgram *d, u32 seq)
{
	union portshare_addr src;
	struct sk_buff *skb;
	__be16 sport;
	int ret;

	if (unlikely(copy_source(p, s, d, &src, &sport)))
		return PS_SEC_DROP_FAMILY;
	if (unlikely(too_big(s, d->len)))
		return PS_SEC_DROP_TOOBIG;
	skb = copy_build(p, s, d, seq);
	if (unlikely(!skb))
		return PS_SEC_DROP_NOMEM;
	if (s->family == AF_INET)
		ret = portshare_xmit4(net, skb, src.v4.s_addr,
				      s->addr.v4.s_addr, sport,
				      htons(s->data_port));
	else
		ret = portshare_xmit6(net, skb, &src.v6, &s->addr.v6, sport,
				      htons(s->data_port));
	if (unlikely(ret))
		return ret == -EHOSTUNREACH ? PS_SEC_DROP_NOROUTE :
					      PS_SEC_DROP_XMIT;
	return -1;
}

/* @why: a drop reason, or -1 if the copy was sent */
static void sec_count(struct portshare_secondary *s, int why,
		      unsigned int len)
{
	struct portshare_sec_stats *st = this_cpu_ptr(s->stats);

	u64_stats_update_begin(&st->syncp);
	if (likely(why < 0)) {
		u64_stats_inc(&st->copies);
		u64_stats_add(&st->bytes, len);
	} else {
		u64_stats_inc(&st->drop[why]);
	}
	u64_stats_update_end(&st->syncp);
}

/* One datagram in s->sample: the first, then every s->sample-th. */
static bool sampled_out(struct portshare_secondary *s)
{
	struct portshare_sec_stats *st;

	if (s->sample <= 1 ||
	    !(((u32)atomic_inc_return(&s->sample_count) - 1) % s->sample))
		return false;
	st = this_cpu_ptr(s->stats);
	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->sampled);
	u64_stats_update_end(&st->syncp);
	return true;
}

/**
 * portshare_copy() - send one datagram's copy to one secondary
 * @net: the namespace to send in
 * @p: the contested port the datagram was sent to
 * @s: the secondary, on @p's list
 * @d: the datagram
 *
 * A copy that is not sent is counted on @s under its reason and affects
 * nothing else.
 *
 * Return: true if the copy was handed to the output path.
 */
bool portshare_copy(struct net *net, const struct portshare_port *p,
		    struct portshare_secondary *s,
		    const struct portshare_dgram *d)
{
	int why;
	u32 seq;

	if (sampled_out(s))
		return false;
	seq = (u32)atomic_inc_return(&s->seq) - 1;
	why = copy_send(net, p, s, d, seq);
	sec_count(s, why, d->len);
	if (unlikely(why >= 0))
		net_dbg_ratelimited("port %u: copy %u for data port %u not sent (reason %d)\n",
				    p->port, seq, s->data_port, why);
	return why < 0;
}
