// SPDX-License-Identifier: GPL-2.0
/*
 * Wire registrations that aim copies at this host's own sockets (DESIGN
 * §7; docs/protocol.md §1.3, "Local data ports").  Any local user may
 * register over loopback, which is the point of the protocol, but only
 * for a socket of its own:
 *
 * - the data port of a secondary at one of our addresses is the request's
 *   own source socket (a legacy secondary), or a UDP socket bound there
 *   by the same user as the request's socket, or the request comes from
 *   root of the namespace's user namespace (who may use psnl anyway);
 * - never a registration port: copies would be taken for requests;
 * - mode=transparent hands out datagrams with foreign source addresses,
 *   which otherwise needs CAP_NET_RAW: only root's local requests may ask
 *   for it over the wire; others use netlink.
 */

#include "portshare.h"

#include <linux/socket.h>
#include <linux/uidgid.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/udp.h>

/* The owner of the UDP socket that receives from @src:@sport at @dst:@dport. */
static bool udp_owner(struct net *net, u16 family,
		      const struct in6_addr *src, __be16 sport,
		      const struct in6_addr *dst, __be16 dport, kuid_t *uid)
{
	union portshare_addr s = { .v6 = *src }, d = { .v6 = *dst };
	struct sock *sk;

	rcu_read_lock();
	sk = portshare_udp_lookup(net, family, &s, sport, &d, dport, 0);
	if (sk)
		*uid = sk->sk_uid;
	rcu_read_unlock();
	return !!sk;
}

/* The owner of the socket the request came from (it waits for the reply). */
static bool requester(struct portshare_net *pn,
		      const struct portshare_reg_req *rq, kuid_t *uid)
{
	return (rq->flags & PS_REG_F_LOCAL) &&
	       udp_owner(pn->net, rq->family, &rq->daddr, htons(rq->reg_port),
			 &rq->saddr, rq->sport, uid);
}

static bool is_root(struct portshare_net *pn, kuid_t uid)
{
	return uid_eq(uid, make_kuid(pn->net->user_ns, 0));
}

/* The secondary is the request's own source socket. */
static bool own_socket(const struct portshare_reg_req *rq,
		       const struct portshare_sec_cfg *cfg)
{
	size_t alen = cfg->family == AF_INET ? 4 : 16;

	return cfg->family == rq->family && ntohs(rq->sport) == cfg->data_port &&
	       !memcmp(&cfg->addr, &rq->saddr, alen);
}

/*
 * May a request whose socket @uid owns name the local data port of @cfg?
 * The owner is that of the socket the copies from @reg_port would reach.
 */
static bool data_port_allowed(struct portshare_net *pn,
			      const struct portshare_sec_cfg *cfg, u16 reg_port,
			      kuid_t uid)
{
	struct in6_addr src = {}, dst = {};
	size_t alen = cfg->family == AF_INET ? 4 : 16;
	kuid_t owner;

	if (is_root(pn, uid))
		return true;
	memcpy(&src, &cfg->src, alen);
	memcpy(&dst, &cfg->addr, alen);
	return udp_owner(pn->net, cfg->family, &src, htons(reg_port), &dst,
			 htons(cfg->data_port), &owner) && uid_eq(owner, uid);
}

/**
 * portshare_reg_local_check() - the rules for copies to our own sockets
 * @pn: the namespace; the caller holds @pn->lock
 * @rq: the request's envelope
 * @cfg: the secondary it asks for, its data port and primary address
 *	resolved
 *
 * Process context.
 *
 * Return: 0, PORTSHARE_REPLY_LOOP (a registration port as data port) or
 * PORTSHARE_REPLY_NOT_PERMITTED (another user's or no socket at the data
 * port, or mode=transparent from other than local root).
 */
int portshare_reg_local_check(struct portshare_net *pn,
			      const struct portshare_reg_req *rq,
			      const struct portshare_sec_cfg *cfg)
{
	kuid_t uid;

	if (cfg->mode == PORTSHARE_MODE_TRANSPARENT &&
	    !(requester(pn, rq, &uid) && is_root(pn, uid)))
		return PORTSHARE_REPLY_NOT_PERMITTED;
	if (!portshare_addr_is_local(pn->net, cfg->family, &cfg->addr))
		return 0;
	if (portshare_port_by_reg(pn, cfg->data_port))
		return PORTSHARE_REPLY_LOOP;
	if (own_socket(rq, cfg))
		return 0;
	if (!requester(pn, rq, &uid) ||
	    !data_port_allowed(pn, cfg, rq->reg_port, uid))
		return PORTSHARE_REPLY_NOT_PERMITTED;
	return 0;
}
