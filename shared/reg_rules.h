/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1+ */
/*
 * Who may register what (DESIGN §7, docs/protocol.md §1.3): the decisions
 * both primaries make about a parsed request and the secondary it names,
 * portshare.ko in kmod/register.c and reglocal.c, psd in libportshare's
 * pri_reg.c.  Pure C like request.c: each primary finds out the facts
 * (its addresses, its sockets' owners, its routes) and this file decides,
 * so the two cannot answer the same request differently.
 */
#ifndef _PORTSHARE_REG_RULES_H
#define _PORTSHARE_REG_RULES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "ps_types.h"
#endif

/**
 * struct ps_reg_env - where a request came from
 * @family: PS_REQ_INET or PS_REQ_INET6 (request.h)
 * @addr: its source address, network byte order; IPv4 in the first 4 bytes
 * @port: its source port, host byte order
 * @third_party: the acl lets the source register other addresses
 */
struct ps_reg_env {
	u8 family;
	u8 addr[16];
	u16 port;
	bool third_party;
};

/**
 * struct ps_reg_sec - the secondary a request names
 * @family: PS_REQ_INET or PS_REQ_INET6
 * @addr: network byte order; IPv4 in the first 4 bytes, the rest zero
 * @data_port: the request's data port, else its source port
 * @mode: PS_REQ_MODE_*
 * @third_party: not the request's own source address, so the primary
 *	address its copies come from is the one routing picks towards it,
 *	not the one the request was sent to (which it never saw)
 */
struct ps_reg_sec {
	u8 family;
	u8 addr[16];
	u16 data_port;
	u8 mode;
	bool third_party;
};

/* What becomes of a request datagram before it is parsed. */
enum ps_admit {
	PS_ADMIT_ANSWER,	/* parse and answer it */
	PS_ADMIT_IGNORED,	/* no reply can go back, or it is our own */
	PS_ADMIT_DENIED,	/* the acl does not allow the source */
	PS_ADMIT_RATE_LIMITED,	/* over the source's rate */
};

/**
 * struct ps_reg_admit_ops - what ps_reg_admit() asks, in its order
 * @answerable: it has a source port and was sent to one of our unicast
 *	addresses, so a reply can go back from where it went
 * @allowed: the acl lets its source send requests
 * @looped: it came from one of our own registration ports: a reply, copy
 *	or SHUTDOWN that went to a local registration port
 * @within_rate: the source's budget has room; takes one request from it
 */
struct ps_reg_admit_ops {
	bool (*answerable)(void *ctx);
	bool (*allowed)(void *ctx);
	bool (*looped)(void *ctx);
	bool (*within_rate)(void *ctx);
};

enum ps_admit ps_reg_admit(const struct ps_reg_admit_ops *ops, void *ctx);

struct ps_req;

int ps_reg_sec_of(const struct ps_req *req, u16 port,
		  const struct ps_reg_env *env, struct ps_reg_sec *sec);

/**
 * struct ps_reg_local - what the primary knows of an ADD's secondary
 * @vetted: the request came from a socket the primary can ask about;
 *	false for requests an application hands to libportshare's primary
 *	API, whose caller decides who asked
 * @transparent: the secondary asks for mode=transparent
 * @local: its address is one of the primary's own
 * @reg_port: its data port is one of the primary's registration ports
 * @own_socket: it is the request's own source address and port
 */
struct ps_reg_local {
	bool vetted;
	bool transparent;
	bool local;
	bool reg_port;
	bool own_socket;
};

/* Who sent a vetted request, as ps_reg_local_ops.requester() finds out. */
enum ps_requester {
	PS_REQUESTER_UNKNOWN,	/* not one of our sockets, or no owner found */
	PS_REQUESTER_USER,	/* a local socket of an unprivileged user */
	PS_REQUESTER_ROOT,	/* a local socket of root (of the namespace) */
};

/**
 * struct ps_reg_local_ops - the lookups ps_reg_local_rules() may need
 * @requester: who owns the socket the request came from
 * @same_owner: that owner also owns the socket the copies would reach
 *
 * Socket lookups cost, so the rules ask only for what decides.
 */
struct ps_reg_local_ops {
	enum ps_requester (*requester)(void *ctx);
	bool (*same_owner)(void *ctx);
};

int ps_reg_local_rules(const struct ps_reg_local *sec,
		       const struct ps_reg_local_ops *ops, void *ctx);

/**
 * struct ps_sec_add_ops - what ps_sec_add_check() asks, in its order
 * @unusable: the address can be no secondary (ps_addr_unusable(), or a
 *	broadcast address of the primary's networks)
 * @loops: the data port is a contested port of the primary and
 *	ps_sec_may_loop() says copies would loop
 * @listed: the secondary is on the port's list already
 * @full: the port's list, or the primary's total, is at its cap
 *
 * A callback that says yes may also tell its caller why, in detail
 * (portshare.ko's extack).
 */
struct ps_sec_add_ops {
	bool (*unusable)(void *ctx);
	bool (*loops)(void *ctx);
	bool (*listed)(void *ctx);
	bool (*full)(void *ctx);
};

int ps_sec_add_check(const struct ps_sec_add_ops *ops, void *ctx);
const char *ps_addr_unusable(u8 family, const u8 *addr);
bool ps_sec_may_loop(u8 mode, bool local);
u32 ps_lease_granted(u32 port_lease, u32 asked);
u32 ps_rate_granted(u32 port_rate, u32 port_burst, u32 asked, u32 *burst);

#endif /* _PORTSHARE_REG_RULES_H */
