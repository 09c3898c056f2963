// SPDX-License-Identifier: GPL-2.0
/*
 * Registration sockets: an IPv4 and an IPv6 in-kernel UDP socket per
 * designated port, bound to its registration port, their counters, and
 * how replies leave them.  What arrives is vetted and queued by
 * regqueue.c (DESIGN §3, §7; KERNEL-NOTES "Registration socket").
 */

#include "portshare.h"

#include <linux/in.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

/* Any non-zero encap type makes UDP hand datagrams to encap_rcv. */
#define REG_ENCAP_TYPE	1

/**
 * portshare_reg_count() - count an event of a registration port
 * @p: the port; its registration port is open
 * @c: what happened
 *
 * Any context.
 */
void portshare_reg_count(const struct portshare_port *p,
			 enum portshare_reg_counter c)
{
	struct portshare_reg_stats *st;

	if (!p->reg.stats)
		return;
	local_bh_disable();
	st = this_cpu_ptr(p->reg.stats);
	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->c[c]);
	u64_stats_update_end(&st->syncp);
	local_bh_enable();
}

/**
 * portshare_reg_read_stats() - sum a registration port's counters
 * @p: the port
 * @out: PS_REG_NR_COUNTERS counters, zero if the port has none
 */
void portshare_reg_read_stats(const struct portshare_port *p, u64 *out)
{
	u64 v[PS_REG_NR_COUNTERS];
	unsigned int start;
	int cpu, i;

	memset(out, 0, sizeof(v));
	if (!p->reg.stats)
		return;
	for_each_possible_cpu(cpu) {
		const struct portshare_reg_stats *st = per_cpu_ptr(p->reg.stats, cpu);

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			for (i = 0; i < PS_REG_NR_COUNTERS; i++)
				v[i] = u64_stats_read(&st->c[i]);
		} while (u64_stats_fetch_retry(&st->syncp, start));
		for (i = 0; i < PS_REG_NR_COUNTERS; i++)
			out[i] += v[i];
	}
}

static int reg_sock_open(struct portshare_net *pn, struct portshare_port *p,
			 u8 family, struct socket **sockp)
{
	struct udp_port_cfg cfg = {
		.family = family,
		.local_udp_port = htons(p->reg_port),
		.use_udp_checksums = 1,
		.use_udp6_tx_checksums = 1,
		.use_udp6_rx_checksums = 1,
		.ipv6_v6only = 1,
	};
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data = p,
		.encap_type = REG_ENCAP_TYPE,
		.encap_rcv = portshare_reg_encap_rcv,
	};
	int ret;

	ret = udp_sock_create(pn->net, &cfg, sockp);
	if (ret)
		return ret;
	setup_udp_tunnel_sock(pn->net, *sockp, &tcfg);
	return 0;
}

/**
 * portshare_reg_open() - open a port's registration sockets
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port, not linked yet, with a registration port
 * @extack: told why the port cannot be opened
 *
 * IPv6 is optional: without it the port answers over IPv4 only.
 *
 * Return: 0, -ENOMEM, or the bind error, -EADDRINUSE if another socket
 * has the registration port.
 */
int portshare_reg_open(struct portshare_net *pn, struct portshare_port *p,
		       struct netlink_ext_ack *extack)
{
	int ret;

	lockdep_assert_held(&pn->lock);
	p->reg.stats = __netdev_alloc_pcpu_stats(struct portshare_reg_stats,
						 GFP_KERNEL_ACCOUNT);
	if (!p->reg.stats)
		return -ENOMEM;
	ret = reg_sock_open(pn, p, AF_INET, &p->reg.sock4);
	p->reg.attached[0] = !ret;
	if (!ret) {
		ret = reg_sock_open(pn, p, AF_INET6, &p->reg.sock6);
		p->reg.attached[1] = !ret;
		if (ret == -EAFNOSUPPORT)
			ret = 0;
	}
	if (ret == -EADDRINUSE)
		PS_SET_ERR(extack, NULL,
			   "registration port %u is already in use by another socket",
			   p->reg_port);
	else if (ret)
		PS_SET_ERR(extack, NULL,
			   "cannot open registration port %u: error %d",
			   p->reg_port, ret);
	if (ret)
		portshare_reg_close(p);
	return ret;
}

/**
 * portshare_reg_detach() - stop a port's registration sockets receiving
 * @p: the port
 *
 * Requests that arrive afterwards are dropped without a count.  Receive
 * handlers that already found @p may still use it until the next RCU grace
 * period; the sockets stay open for sending (SHUTDOWN).
 *
 * Return: true if a socket was still attached to @p.
 */
bool portshare_reg_detach(struct portshare_port *p)
{
	struct socket *socks[] = { p->reg.sock4, p->reg.sock6 };
	bool attached = false;
	int i;

	for (i = 0; i < ARRAY_SIZE(socks); i++) {
		if (!socks[i] || !p->reg.attached[i])
			continue;
		rcu_assign_sk_user_data(socks[i]->sk, NULL);
		p->reg.attached[i] = false;
		attached = true;
	}
	return attached;
}

/**
 * portshare_reg_close() - close a port's registration sockets
 * @p: the port, no longer linked (or never linked)
 *
 * Waits until no receive handler still uses @p, unless
 * portshare_reg_detach() and a grace period came first; does nothing (and
 * does not sleep) if the sockets are closed already.
 */
void portshare_reg_close(struct portshare_port *p)
{
	struct socket *socks[] = { p->reg.sock4, p->reg.sock6 };
	int i;

	if (portshare_reg_detach(p))
		synchronize_rcu();
	for (i = 0; i < ARRAY_SIZE(socks); i++) {
		if (!socks[i])
			continue;
		kernel_sock_shutdown(socks[i], SHUT_RDWR);
		sock_release(socks[i]);
	}
	p->reg.sock4 = NULL;
	p->reg.sock6 = NULL;
	free_percpu(p->reg.stats);
	p->reg.stats = NULL;
}

/**
 * portshare_reg_route_src() - the source address routing picks for a peer
 * @pn: the namespace
 * @p: the port; its IPv6 socket is used for IPv6 lookups
 * @family: AF_INET or AF_INET6
 * @dst: the peer's address
 * @src: filled with the source address (IPv4 in the first 4 bytes)
 *
 * Process context.
 *
 * Return: 0, the routing error, or -EAFNOSUPPORT without an IPv6 socket.
 */
int portshare_reg_route_src(struct portshare_net *pn,
			    const struct portshare_port *p, u16 family,
			    const union portshare_addr *dst, struct in6_addr *src)
{
	struct flowi4 fl4 = {
		.daddr = dst->v4.s_addr,
		.flowi4_proto = IPPROTO_UDP,
	};
	struct flowi6 fl6 = {
		.daddr = dst->v6,
		.flowi6_proto = IPPROTO_UDP,
	};
	struct dst_entry *dst_e;
	struct rtable *rt;
	int ret;

	memset(src, 0, sizeof(*src));
	if (family == AF_INET) {
		rt = ip_route_output_key(pn->net, &fl4);
		if (IS_ERR(rt))
			return PTR_ERR(rt);
		src->s6_addr32[0] = fl4.saddr;
		ip_rt_put(rt);
		return 0;
	}
	if (!p->reg.sock6)
		return -EAFNOSUPPORT;
	ret = ip6_dst_lookup(pn->net, p->reg.sock6->sk, &dst_e, &fl6);
	if (ret)
		return ret;
	*src = fl6.saddr;
	dst_release(dst_e);
	return 0;
}

/* Source address (IP_PKTINFO) and destination of a datagram to send. */
static void reg_msg4(struct msghdr *msg, struct sockaddr_in *sin,
		     struct cmsghdr *cmsg, const struct in6_addr *src,
		     const struct in6_addr *dst, __be16 dport)
{
	struct in_pktinfo *pi = CMSG_DATA(cmsg);

	sin->sin_family = AF_INET;
	sin->sin_port = dport;
	sin->sin_addr.s_addr = dst->s6_addr32[0];
	msg->msg_namelen = sizeof(*sin);
	cmsg->cmsg_level = SOL_IP;
	cmsg->cmsg_type = IP_PKTINFO;
	cmsg->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi->ipi_spec_dst.s_addr = src->s6_addr32[0];
	msg->msg_controllen = CMSG_SPACE(sizeof(*pi));
}

static void reg_msg6(struct msghdr *msg, struct sockaddr_in6 *sin6,
		     struct cmsghdr *cmsg, const struct in6_addr *src,
		     const struct in6_addr *dst, __be16 dport, int ifindex)
{
	struct in6_pktinfo *pi = CMSG_DATA(cmsg);

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = dport;
	sin6->sin6_addr = *dst;
	if (__ipv6_addr_needs_scope_id(__ipv6_addr_type(dst)))
		sin6->sin6_scope_id = ifindex;
	msg->msg_namelen = sizeof(*sin6);
	cmsg->cmsg_level = SOL_IPV6;
	cmsg->cmsg_type = IPV6_PKTINFO;
	cmsg->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi->ipi6_addr = *src;
	msg->msg_controllen = CMSG_SPACE(sizeof(*pi));
}

/**
 * portshare_reg_send() - send a datagram from a registration port
 * @p: the port; the caller holds the namespace's lock
 * @family: AF_INET or AF_INET6
 * @src: the source address, one of ours (IPv4 in the first 4 bytes)
 * @dst: the destination address
 * @dport: the destination port
 * @ifindex: the interface for a link-local @dst
 * @buf: the payload
 * @len: its length
 *
 * Process context; never blocks on a full send buffer.
 *
 * Return: the bytes sent or a negative errno.
 */
int portshare_reg_send(const struct portshare_port *p, u8 family,
		       const struct in6_addr *src, const struct in6_addr *dst,
		       __be16 dport, int ifindex, const char *buf, size_t len)
{
	struct socket *sock = family == AF_INET ? p->reg.sock4 : p->reg.sock6;
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} name = {};
	union {
		struct cmsghdr hdr;
		u8 buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} ctl = {};
	struct msghdr msg = {
		.msg_name = &name,
		.msg_control = &ctl,
		.msg_flags = MSG_DONTWAIT,
	};

	if (!sock)
		return -EAFNOSUPPORT;
	if (family == AF_INET)
		reg_msg4(&msg, &name.v4, &ctl.hdr, src, dst, dport);
	else
		reg_msg6(&msg, &name.v6, &ctl.hdr, src, dst, dport, ifindex);
	return kernel_sendmsg(sock, &msg, &iov, 1, len);
}
