// SPDX-License-Identifier: GPL-2.0
/*
 * Wire registrations that aim copies at this host's own sockets (DESIGN
 * §7; docs/protocol.md §1.3, "Local data ports").  The rules, shared with
 * psd, are ps_reg_local_rules() in shared/reg_rules.c; this file finds
 * out what they ask: whose sockets the request and the copies come from
 * and go to, and whether that is root of the namespace's user namespace.
 */

#include "portshare.h"
#include "reg_rules.h"

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

/* What ps_reg_local_rules() may ask about one request. */
struct local_ctx {
	struct portshare_net *pn;
	const struct portshare_reg_req *rq;
	const struct portshare_sec_cfg *cfg;
	kuid_t uid;
};

static enum ps_requester local_requester(void *arg)
{
	struct local_ctx *c = arg;

	if (!requester(c->pn, c->rq, &c->uid))
		return PS_REQUESTER_UNKNOWN;
	return is_root(c->pn, c->uid) ? PS_REQUESTER_ROOT : PS_REQUESTER_USER;
}

/* The requester owns the socket that copies from the reg port would reach. */
static bool local_same_owner(void *arg)
{
	struct local_ctx *c = arg;
	const struct portshare_sec_cfg *cfg = c->cfg;
	size_t alen = cfg->family == AF_INET ? 4 : 16;
	struct in6_addr src = {}, dst = {};
	kuid_t owner;

	memcpy(&src, &cfg->src, alen);
	memcpy(&dst, &cfg->addr, alen);
	return udp_owner(c->pn->net, cfg->family, &src, htons(c->rq->reg_port),
			 &dst, htons(cfg->data_port), &owner) &&
	       uid_eq(owner, c->uid);
}

static const struct ps_reg_local_ops local_ops = {
	.requester = local_requester,
	.same_owner = local_same_owner,
};

/**
 * portshare_reg_local_check() - the rules for copies to our own sockets
 * @pn: the namespace; the caller holds @pn->lock
 * @rq: the request's envelope
 * @cfg: the secondary it asks for, its data port and primary address
 *	resolved
 *
 * Process context.  The rules are ps_reg_local_rules(); this finds out
 * the facts.
 *
 * Return: 0, PORTSHARE_REPLY_LOOP (a registration port as data port) or
 * PORTSHARE_REPLY_NOT_PERMITTED (another user's or no socket at the data
 * port, or mode=transparent from other than local root).
 */
int portshare_reg_local_check(struct portshare_net *pn,
			      const struct portshare_reg_req *rq,
			      const struct portshare_sec_cfg *cfg)
{
	struct local_ctx ctx = { .pn = pn, .rq = rq, .cfg = cfg };
	struct ps_reg_local sec = {
		.vetted = true,
		.transparent = cfg->mode == PORTSHARE_MODE_TRANSPARENT,
		.local = portshare_addr_is_local(pn->net, cfg->family,
						 &cfg->addr),
	};

	if (sec.local) {
		sec.reg_port = !!portshare_port_by_reg(pn, cfg->data_port);
		sec.own_socket = own_socket(rq, cfg);
	}
	return ps_reg_local_rules(&sec, &local_ops, &ctx);
}
