// SPDX-License-Identifier: GPL-2.0
/*
 * One copy of one datagram for one secondary: its source filter,
 * sampling, the copy's sequence number, whether it is dead (health.c), its
 * rate cap, its byte budget,
 * the payload in the secondary's mode (encap, raw or transparent), the
 * addresses it goes from and to, the way it goes (straight into a local
 * socket, deliver.c, or the output path, xmit.c) and the secondary's
 * counters.  Each copy is a fresh skb whose
 * head holds its own headers and whose payload it shares with the
 * datagram's other copies (payload.c): the original is never touched.
 */

#include "portshare.h"
#include "encap.h"

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mm.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ipv6.h>

/* Room for the headers xmit.c pushes and the link layer's. */
#define COPY_HEADROOM	(LL_MAX_HEADER + sizeof(struct ipv6hdr) + \
			 sizeof(struct udphdr))
/* The largest UDP payload of an IPv4 or IPv6 datagram (no jumbograms). */
#define UDP4_PAYLOAD_MAX	(IP_MAX_MTU - sizeof(struct iphdr) - \
				 sizeof(struct udphdr))
#define UDP6_PAYLOAD_MAX	(IPV6_MAXPLEN - sizeof(struct udphdr))

static u8 wire_family(u16 family)
{
	return family == AF_INET ? PORTSHARE_FAMILY_INET :
				   PORTSHARE_FAMILY_INET6;
}

static void encap_fill(struct portshare_encap_hdr *h,
		       const struct portshare_port *p,
		       const struct portshare_secondary *s,
		       const struct portshare_dgram *d, u32 seq)
{
	struct ps_encap e = {
		.origin_family = wire_family(d->family),
		.secondary_family = wire_family(s->family),
		.origin_addr = &d->saddr,
		.secondary_addr = &s->addr,
		.origin_port = ntohs(d->sport),
		.contested_port = p->port,
		.payload_len = d->len,
		.seq = seq,
		.timestamp_ns = d->tstamp,
	};

	BUILD_BUG_ON(sizeof(*h) != PORTSHARE_ENCAP_HDR_LEN);
	ps_encap_fill(h, &e);
}

/* The UDP payload of the copy: [encap header] payload. */
static struct sk_buff *copy_build(const struct portshare_port *p,
				  const struct portshare_secondary *s,
				  struct portshare_dgram *d, u32 seq)
{
	unsigned int hlen = 0;
	struct sk_buff *skb;

	if (s->mode == PORTSHARE_MODE_ENCAP)
		hlen = sizeof(struct portshare_encap_hdr);
	skb = alloc_skb(COPY_HEADROOM + hlen + portshare_payload_tailroom(d),
			GFP_ATOMIC | __GFP_NOWARN);
	if (unlikely(!skb))
		return NULL;
	skb_reserve(skb, COPY_HEADROOM);
	if (hlen)
		encap_fill(skb_put(skb, hlen), p, s, d, seq);
	if (unlikely(portshare_payload_attach(skb, d))) {
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

/* The datagram's copies may carry this many more bytes (copy_budget). */
static bool budget_take(struct portshare_dgram *d,
			const struct portshare_secondary *s)
{
	unsigned int len = d->len;

	if (s->mode == PORTSHARE_MODE_ENCAP)
		len += sizeof(struct portshare_encap_hdr);
	if (unlikely(len > d->budget))
		return false;
	d->budget -= len;
	return true;
}

/*
 * A local copy goes straight into its socket unless it is transparent
 * (netfilter must see its foreign source) or the socket needs IP's own
 * delivery (deliver.c); with no socket there is nobody to deliver to.
 * Return: a drop reason, or -1 with *@sk set (NULL: the output path).
 */
static int copy_sock(struct net *net, const struct portshare_secondary *s,
		     const struct portshare_route *r, __be16 sport,
		     struct sock **sk)
{
	*sk = NULL;
	if (!r->local || s->mode == PORTSHARE_MODE_TRANSPARENT)
		return -1;
	*sk = portshare_local_sock(net, s->family, r, sport,
				   htons(s->data_port));
	if (unlikely(!*sk))
		return PS_SEC_DROP_NOSOCKET;
	if (unlikely(!portshare_direct_ok(*sk)))
		*sk = NULL;
	return -1;
}

static int copy_send(struct net *net, const struct portshare_port *p,
		     struct portshare_secondary *s, struct portshare_dgram *d,
		     u32 seq)
{
	__be16 sport, dport = htons(s->data_port);
	struct portshare_route r;
	union portshare_addr src;
	struct sk_buff *skb;
	struct sock *sk;
	int why;

	/*
	 * First, as the cheapest refusal: a copy then lost for another
	 * reason has used its place under the cap, as a copy lost on the
	 * way would.
	 */
	if (s->limits.rate && !portshare_sec_rate_allow(s))
		return PS_SEC_DROP_RATELIMIT;
	if (unlikely(copy_source(p, s, d, &src, &sport)))
		return PS_SEC_DROP_FAMILY;
	if (unlikely(too_big(s, d->len)))
		return PS_SEC_DROP_TOOBIG;
	why = portshare_route(net, s, &src, sport,
			      s->mode == PORTSHARE_MODE_TRANSPARENT, &r);
	if (unlikely(why >= 0))
		return why;
	why = copy_sock(net, s, &r, sport, &sk);
	if (unlikely(why >= 0))
		goto put_route;
	if (unlikely(!budget_take(d, s))) {
		why = PS_SEC_DROP_BUDGET;
		goto put_route;
	}
	skb = copy_build(p, s, d, seq);
	if (unlikely(!skb)) {
		why = PS_SEC_DROP_NOMEM;
		goto put_route;
	}
	if (sk)
		return portshare_deliver(sk, skb, s->family, &r, sport, dport,
					 d->rx_tstamp);
	return portshare_xmit(net, skb, s->family, &r, sport, dport);

put_route:
	portshare_route_put(&r);
	return why;
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

/* Is the datagram's source outside every network of the source filter? */
static bool filtered_out(struct portshare_secondary *s,
			 const struct portshare_dgram *d)
{
	if (likely(!s->n_from) ||
	    ps_from_admits(s->from, s->n_from,
			   d->family == AF_INET ? PS_ACL_INET : PS_ACL_INET6,
			   (const u8 *)&d->saddr))
		return false;
	PS_SEC_INC(s, filtered);
	return true;
}

/* One datagram in s->sample: the first, then every s->sample-th. */
static bool sampled_out(struct portshare_secondary *s)
{
	if (s->sample <= 1 ||
	    !(((u32)atomic_inc_return(&s->sample_count) - 1) % s->sample))
		return false;
	PS_SEC_INC(s, sampled);
	return true;
}

/* A dead secondary gets only its probes (health.c); *@probe: this is one. */
static bool dead_out(const struct portshare_port *p,
		     struct portshare_secondary *s, bool *probe)
{
	/* pairs with the release in health.c: the probe fields come first */
	if (likely(smp_load_acquire(&s->health.state) == PORTSHARE_STATE_UP))
		return false;
	*probe = portshare_health_probe(p, s);
	if (*probe)
		return false;
	PS_SEC_INC(s, dead_skipped);
	return true;
}

/* A copy not sent, for reason @why: what it tells of the secondary. */
static void copy_failed(struct net *net, const struct portshare_port *p,
			struct portshare_secondary *s, int why, bool probe,
			u32 seq)
{
	/* what loopback would have answered with a port unreachable */
	if (why == PS_SEC_DROP_NOSOCKET)
		portshare_health_error(portshare_net(net), p, s);
	else if (probe)
		portshare_health_probe_lost(s);
	/* a capped secondary's drops are what it asked for */
	if (why != PS_SEC_DROP_RATELIMIT)
		net_dbg_ratelimited("port %u: copy %u for data port %u not sent (reason %d)\n",
				    p->port, seq, s->data_port, why);
}

/*
 * The sequence number of an encap copy: the datagram's index on the port
 * since the secondary was linked, so that copies to unsampled secondaries
 * write nothing shared.  A sampled or filtered secondary counts its own
 * copies: a gap in its sequence is then a loss, as for the others.
 * Return: false for a datagram that the port took in before the secondary
 * was linked (it then has no sequence number for it).
 */
static bool copy_seq(struct portshare_secondary *s,
		     const struct portshare_dgram *d, u32 *seq)
{
	if (s->mode != PORTSHARE_MODE_ENCAP) {
		*seq = 0;
		return true;
	}
	if (s->sample > 1 || s->n_from) {
		*seq = (u32)atomic_inc_return(&s->seq) - 1;
		return true;
	}
	*seq = d->index - s->seq_base;
	return (s32)*seq >= 0;
}

/**
 * portshare_copy() - send one datagram's copy to one secondary
 * @net: the namespace to send in
 * @p: the contested port the datagram was sent to
 * @s: the secondary, on @p's list
 * @d: the datagram; its budget and shared payload are updated
 *
 * A copy that is not sent is counted on @s under its reason and affects
 * nothing else.  Called under rcu_read_lock() with BHs disabled.
 *
 * Return: true if the copy was queued on its socket or handed to the
 * output path.
 */
bool portshare_copy(struct net *net, const struct portshare_port *p,
		    struct portshare_secondary *s, struct portshare_dgram *d)
{
	bool probe = false;
	int why;
	u32 seq;

	if (filtered_out(s, d) || sampled_out(s) ||
	    unlikely(!copy_seq(s, d, &seq)) ||
	    unlikely(dead_out(p, s, &probe)))
		return false;
	why = copy_send(net, p, s, d, seq);
	sec_count(s, why, d->len);
	if (unlikely(why >= 0))
		copy_failed(net, p, s, why, probe, seq);
	return why < 0;
}
