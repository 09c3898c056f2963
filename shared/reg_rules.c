// SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1+
/*
 * Who may register what: see reg_rules.h.  Pure C; the replies are the
 * uapi's PORTSHARE_REPLY_* codes, as request.c's are.
 */

#include "reg_rules.h"
#include "request.h"

#ifdef __KERNEL__
#include <linux/math64.h>
#include <linux/string.h>
#define ps_div_u64(dividend, divisor)	div_u64(dividend, divisor)
#else
#include <string.h>
#define ps_div_u64(dividend, divisor)	((dividend) / (divisor))
#endif

/**
 * ps_reg_admit() - is a request datagram answered at all?
 * @ops: the primary's checks
 * @ctx: passed to @ops
 *
 * Nothing is answered that no one could receive, or that could start a
 * loop between two registration ports.  The acl comes before the loop
 * check, and the rate limit last, so that neither a denied source nor
 * our own datagrams spend a source's budget.
 *
 * Return: PS_ADMIT_ANSWER, or why the datagram is dropped unanswered.
 */
enum ps_admit ps_reg_admit(const struct ps_reg_admit_ops *ops, void *ctx)
{
	if (!ops->answerable(ctx))
		return PS_ADMIT_IGNORED;
	if (!ops->allowed(ctx))
		return PS_ADMIT_DENIED;
	if (ops->looped(ctx))
		return PS_ADMIT_IGNORED;
	if (!ops->within_rate(ctx))
		return PS_ADMIT_RATE_LIMITED;
	return PS_ADMIT_ANSWER;
}

/**
 * ps_reg_sec_of() - the secondary a parsed request names
 * @req: the request
 * @port: the contested port whose registration port received it
 * @env: where it came from
 * @sec: the secondary, filled in even when it is refused
 *
 * A request may name its own source address, or another address (a third
 * party) if the acl says so, of the same family: a reply and copies
 * cannot cross families.
 *
 * Return: 0, PORTSHARE_REPLY_UNKNOWN_PORT (another port's registration
 * port), PORTSHARE_REPLY_NOT_PERMITTED (a third party the source may not
 * name) or PORTSHARE_REPLY_INVALID_ADDRESS (a third party of the other
 * family).
 */
int ps_reg_sec_of(const struct ps_req *req, u16 port,
		  const struct ps_reg_env *env, struct ps_reg_sec *sec)
{
	size_t alen = req->family == PS_REQ_INET ? 4 : 16;

	memset(sec, 0, sizeof(*sec));
	sec->family = req->family;
	memcpy(sec->addr, req->addr, alen);
	sec->data_port = req->data_port ? req->data_port : env->port;
	sec->mode = req->mode;
	if (req->port != port)
		return PORTSHARE_REPLY_UNKNOWN_PORT;
	sec->third_party = req->family != env->family ||
			   memcmp(req->addr, env->addr, alen);
	if (!sec->third_party)
		return 0;
	if (!env->third_party)
		return PORTSHARE_REPLY_NOT_PERMITTED;
	if (req->family != env->family)
		return PORTSHARE_REPLY_INVALID_ADDRESS;
	return 0;
}

/**
 * ps_reg_local_rules() - may an ADD aim copies where it asks?
 * @sec: what the primary knows of the secondary and the request
 * @ops: how to find out who asked, called only if it decides
 * @ctx: passed to @ops
 *
 * Any local user may register over loopback, which is the point of the
 * protocol, but only for a socket of its own: the request's own source
 * socket (a legacy secondary), a socket the same user bound, or any for
 * root.  Never a registration port: copies would be taken for requests.
 * mode=transparent hands out datagrams with foreign source addresses,
 * which otherwise needs CAP_NET_RAW: over the wire only root's local
 * requests may ask for it.  Requests that did not come from a socket
 * (libportshare's primary API) get only the loop rule.
 *
 * Return: 0, PORTSHARE_REPLY_LOOP or PORTSHARE_REPLY_NOT_PERMITTED.
 */
int ps_reg_local_rules(const struct ps_reg_local *sec,
		       const struct ps_reg_local_ops *ops, void *ctx)
{
	enum ps_requester who = PS_REQUESTER_UNKNOWN;

	if (!sec->vetted)
		return sec->local && sec->reg_port ? PORTSHARE_REPLY_LOOP : 0;
	if (sec->transparent) {
		who = ops->requester(ctx);
		if (who != PS_REQUESTER_ROOT)
			return PORTSHARE_REPLY_NOT_PERMITTED;
	}
	if (!sec->local)
		return 0;
	if (sec->reg_port)
		return PORTSHARE_REPLY_LOOP;
	if (sec->own_socket)
		return 0;
	if (!sec->transparent)
		who = ops->requester(ctx);
	if (who == PS_REQUESTER_ROOT)
		return 0;
	if (who == PS_REQUESTER_USER && ops->same_owner(ctx))
		return 0;
	return PORTSHARE_REPLY_NOT_PERMITTED;
}

/**
 * ps_sec_add_check() - may a secondary join a port's list?
 * @ops: the primary's checks
 * @ctx: passed to @ops
 *
 * The same for ADD over the wire and for netlink or the primary API.
 *
 * Return: 0, PORTSHARE_REPLY_INVALID_ADDRESS, PORTSHARE_REPLY_LOOP,
 * PORTSHARE_REPLY_ALREADY_ADDED or PORTSHARE_REPLY_LIST_FULL: the first
 * check that fails.
 */
int ps_sec_add_check(const struct ps_sec_add_ops *ops, void *ctx)
{
	if (ops->unusable(ctx))
		return PORTSHARE_REPLY_INVALID_ADDRESS;
	if (ops->loops(ctx))
		return PORTSHARE_REPLY_LOOP;
	if (ops->listed(ctx))
		return PORTSHARE_REPLY_ALREADY_ADDED;
	if (ops->full(ctx))
		return PORTSHARE_REPLY_LIST_FULL;
	return 0;
}

/**
 * ps_addr_unusable() - why an address can be no secondary
 * @family: PS_REQ_INET or PS_REQ_INET6
 * @addr: network byte order
 *
 * Copies go to unicast and local addresses: not 0.0.0.0/8, the limited
 * broadcast or multicast; not :: or multicast.  Each primary adds the
 * broadcast addresses of its own networks, which only it knows.  The
 * wire's parser (request.c) is stricter still.
 *
 * Return: NULL if it can be one, else why not, as in "secondary
 * 224.0.0.1 is a multicast address".
 */
const char *ps_addr_unusable(u8 family, const u8 *addr)
{
	static const u8 any6[16];

	if (family == PS_REQ_INET6) {
		if (!memcmp(addr, any6, sizeof(any6)))
			return "unspecified";
		return addr[0] == 0xff ? "a multicast address" : NULL;
	}
	if (addr[0] == 0)
		return "in 0.0.0.0/8";
	if (addr[0] == 255 && addr[1] == 255 && addr[2] == 255 && addr[3] == 255)
		return "a broadcast address";
	if ((addr[0] & 0xf0) == 0xe0)
		return "a multicast address";
	return NULL;
}

/**
 * ps_sec_may_loop() - could copies to a contested port of this number loop?
 * @mode: the secondary's mode, PS_REQ_MODE_*
 * @local: its address is one of the primary's own
 *
 * To one of our own addresses, every copy would be shared again.  To
 * another host's port of the same number, raw and transparent copies
 * close a loop when that host shares its port back (two primaries listing
 * each other); encap copies cannot, as the data path recognises them.
 *
 * Return: true if the secondary would, or likely would, loop.
 */
bool ps_sec_may_loop(u8 mode, bool local)
{
	return mode != PS_REQ_MODE_ENCAP || local;
}

/* The lower of two limits, where 0 is none. */
static u32 lower_limit(u32 a, u32 b)
{
	if (!a || (b && b < a))
		return b;
	return a;
}

/**
 * ps_lease_granted() - the lease a secondary registered over the wire gets
 * @port_lease: the port's lease for wire registrations, 0 if none
 * @asked: what the ADD's lease= asks for, 0 if it has none
 *
 * A secondary may shorten its lease, never lengthen it: on a port
 * without a lease, any lease it asks for is shorter than none.
 *
 * Return: the lease in seconds, 0 for none.
 */
u32 ps_lease_granted(u32 port_lease, u32 asked)
{
	return lower_limit(port_lease, asked);
}

/**
 * ps_rate_granted() - the rate cap of a secondary registered over the wire
 * @port_rate: the port's cap for wire registrations, 0 if none
 * @port_burst: its burst; 0 for the default, one second's worth
 * @asked: what the ADD's rate= asks for, 0 if it has none
 * @burst: the burst that goes with the rate granted, 0 if none
 *
 * A secondary may lower its rate, never raise it.  A lower rate keeps
 * the port's burst in time: a port of 100/s with a burst of 200 (two
 * seconds' worth) gives rate=10 a burst of 20, at least 1.
 *
 * Return: the rate in copies per second, 0 for none.
 */
u32 ps_rate_granted(u32 port_rate, u32 port_burst, u32 asked, u32 *burst)
{
	u32 rate = lower_limit(port_rate, asked);
	u64 scaled;

	if (!port_rate) {
		*burst = rate;
		return rate;
	}
	if (!port_burst)
		port_burst = port_rate;
	/* no 64-bit division of its own on 32-bit kernels: div_u64() */
	scaled = ps_div_u64((u64)port_burst * rate, port_rate);
	*burst = scaled ? (u32)scaled : 1;
	return rate;
}
