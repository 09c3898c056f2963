// SPDX-License-Identifier: GPL-2.0
/*
 * Local copies straight into the secondary's socket, as multicast
 * delivery hands each member socket a clone (__udp4_lib_mcast_deliver):
 * no output path, no loopback, no backlog, no second pass through IP
 * input.  The copy gets what udp_queue_rcv_one_skb() would give it: the
 * socket's lookup as for a datagram arriving on loopback, its filter
 * (sk_filter_trim_cap(): socket BPF, cgroup ingress BPF, LSM), its
 * receive buffer accounting (__udp_enqueue_schedule_skb()), the UDP MIBs
 * and the headers and control data udp_recvmsg() reads (source address
 * and port, IP_PKTINFO / IPV6_PKTINFO, TTL, timestamps).
 *
 * Sockets for which that would not be the same go the output path
 * instead (portshare_direct_ok()): encapsulation sockets, whose
 * encap_rcv must see the datagram as IP delivers it, and sockets with an
 * IPsec input policy.  Transparent copies never come here: netfilter
 * must see their foreign source (copy.c).
 */

#include "portshare.h"

#include <linux/filter.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/udp.h>

static struct udp_table *udp_table_of(struct net *net)
{
#ifdef PORTSHARE_HAVE_NETNS_UDP_TABLE
	return net->ipv4.udp_table;
#else
	return &udp_table;
#endif
}

/**
 * portshare_udp_lookup() - the UDP socket a datagram would be delivered to
 * @net: the namespace
 * @family: AF_INET or AF_INET6
 * @saddr: the datagram's source address
 * @sport: its source port
 * @daddr: its destination address, local
 * @dport: its destination port
 * @dif: the interface it would arrive on, or 0
 *
 * The lookup udp_rcv() makes.  __udp4_lib_lookup() and __udp6_lib_lookup()
 * are exported on every kernel; udp4_lib_lookup() and udp6_lib_lookup()
 * only with TPROXY or the nft socket match configured.  Called under
 * rcu_read_lock(); UDP sockets are freed after a grace period
 * (SOCK_RCU_FREE), so no reference is taken.
 *
 * Return: the socket, or NULL if none is bound to @daddr:@dport.
 */
struct sock *portshare_udp_lookup(struct net *net, u16 family,
				  const union portshare_addr *saddr,
				  __be16 sport,
				  const union portshare_addr *daddr,
				  __be16 dport, int dif)
{
	if (family == AF_INET)
		return __udp4_lib_lookup(net, saddr->v4.s_addr, sport,
					 daddr->v4.s_addr, dport, dif, 0,
					 udp_table_of(net), NULL);
	return __udp6_lib_lookup(net, &saddr->v6, sport, &daddr->v6, dport,
				 dif, 0, udp_table_of(net), NULL);
}

/**
 * portshare_local_sock() - the socket a local copy would reach
 * @net: the namespace
 * @family: AF_INET or AF_INET6
 * @r: the copy's route, local
 * @sport: the copy's source port
 * @dport: the secondary's data port
 *
 * As the copy would arrive on loopback.  Called under rcu_read_lock().
 *
 * Return: the socket, or NULL if none is bound to the data port.
 */
struct sock *portshare_local_sock(struct net *net, u16 family,
				  const struct portshare_route *r,
				  __be16 sport, __be16 dport)
{
	return portshare_udp_lookup(net, family, &r->saddr, sport, &r->daddr,
				    dport, r->iif);
}

/**
 * portshare_direct_ok() - may a copy go straight into this socket?
 * @sk: from portshare_local_sock()
 *
 * Return: false for an encapsulation socket or one with an IPsec input
 * policy: its copy takes the output path and loopback.
 */
bool portshare_direct_ok(const struct sock *sk)
{
	if (READ_ONCE(udp_sk(sk)->encap_type))
		return false;
#ifdef CONFIG_XFRM
	if (rcu_access_pointer(sk->sk_policy[XFRM_POLICY_IN]))
		return false;
#endif
	return true;
}

/* What IP input leaves in the control block of a datagram for UDP. */
static void set_cb(struct sk_buff *skb, u16 family,
		   const struct portshare_route *r)
{
	if (family == AF_INET) {
		ip_send_check(ip_hdr(skb));
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		IPCB(skb)->iif = r->iif;
	} else {
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		IP6CB(skb)->iif = r->iif;
		IP6CB(skb)->nhoff = offsetof(struct ipv6hdr, nexthdr);
	}
}

/*
 * The copy as IP input leaves a datagram for UDP: headers in place, data
 * at the UDP header, the control block filled, the payload's checksum
 * known good (share.c verified the original's).
 */
static void prepare(struct sock *sk, struct sk_buff *skb, u16 family,
		    struct portshare_route *r, __be16 sport, __be16 dport,
		    ktime_t tstamp)
{
	portshare_push_headers(skb, family, r, sport, dport);
	set_cb(skb, family, r);
	portshare_route_put(r);
	skb_reset_mac_header(skb);
	__skb_pull(skb, skb_transport_offset(skb));
	skb->dev = sock_net(sk)->loopback_dev;
	skb->skb_iif = r->iif;
	skb->pkt_type = PACKET_HOST;
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->tstamp = tstamp;
}

/* What ipv4_pktinfo_prepare() leaves for IP_PKTINFO; IPv6 reads IP6CB. */
static void pktinfo4(struct sk_buff *skb, const struct portshare_route *r)
{
	struct in_pktinfo *info = PKTINFO_SKB_CB(skb);

	info->ipi_ifindex = r->iif;
	info->ipi_spec_dst.s_addr = r->daddr.v4.s_addr;
}

static void udp_mib(struct sock *sk, u16 family, int field)
{
	if (family == AF_INET)
		__UDP_INC_STATS(sock_net(sk), field, 0);
	else
		__UDP6_INC_STATS(sock_net(sk), field, 0);
}

/**
 * portshare_deliver() - queue a local copy on its socket
 * @sk: from portshare_local_sock(), portshare_direct_ok()
 * @skb: the copy's UDP payload, with headroom for the UDP and IP headers;
 *	always consumed
 * @family: AF_INET or AF_INET6
 * @r: the copy's route, local; consumed
 * @sport: the copy's source port
 * @dport: the secondary's data port
 * @tstamp: the original's receive time, for the socket's timestamps
 *
 * Called under rcu_read_lock() with BHs disabled.
 *
 * Return: -1 when queued, PS_SEC_DROP_FILTER when the socket's filter
 * refused the copy, PS_SEC_DROP_RCVBUF when its receive buffer (or UDP's
 * memory limit) had no room.  Either drop is counted in the socket's
 * drops and the UDP MIBs, as IP input would count it.
 */
int portshare_deliver(struct sock *sk, struct sk_buff *skb, u16 family,
		      struct portshare_route *r, __be16 sport, __be16 dport,
		      ktime_t tstamp)
{
	int ret;

	prepare(sk, skb, family, r, sport, dport, tstamp);
	if (sk_filter_trim_cap(sk, skb, sizeof(struct udphdr))) {
		udp_mib(sk, family, UDP_MIB_INERRORS);
		atomic_inc(&sk->sk_drops);
		kfree_skb(skb);
		return PS_SEC_DROP_FILTER;
	}
	__skb_pull(skb, sizeof(struct udphdr));
	if (family == AF_INET)
		pktinfo4(skb, r);
	ret = __udp_enqueue_schedule_skb(sk, skb);
	if (unlikely(ret < 0)) {
		/* as __udp_queue_rcv_skb(): an ENOMEM is charged twice */
		udp_mib(sk, family, ret == -ENOMEM ? UDP_MIB_RCVBUFERRORS :
						     UDP_MIB_MEMERRORS);
		udp_mib(sk, family, UDP_MIB_INERRORS);
		kfree_skb(skb);
		return PS_SEC_DROP_RCVBUF;
	}
	return -1;
}
