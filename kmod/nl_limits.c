// SPDX-License-Identifier: GPL-2.0
/*
 * RATE, BURST and TTL: a port's for the secondaries that register over
 * the wire (PORT_NEW, PORT_GET) and a secondary's own (SEC_ADD, SEC_GET).
 * The policy checks each value's range; this checks how they go together.
 */

#include "netlink.h"

/**
 * portshare_nl_get_limits() - the rate cap and TTL of a request
 * @info: a PORT_NEW or SEC_ADD request
 * @lim: set from RATE, BURST (default: RATE, one second's worth) and TTL;
 *	all zero without them
 *
 * Return: 0, or -EINVAL with an extack message for a BURST without a
 * RATE.
 */
int portshare_nl_get_limits(struct genl_info *info,
			    struct portshare_limits *lim)
{
	struct nlattr **attrs = info->attrs;

	memset(lim, 0, sizeof(*lim));
	if (attrs[PORTSHARE_A_RATE])
		lim->rate = nla_get_u32(attrs[PORTSHARE_A_RATE]);
	if (attrs[PORTSHARE_A_BURST] && !lim->rate) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[PORTSHARE_A_BURST],
				    "BURST needs a RATE above 0");
		return -EINVAL;
	}
	lim->burst = lim->rate;
	if (attrs[PORTSHARE_A_BURST])
		lim->burst = nla_get_u32(attrs[PORTSHARE_A_BURST]);
	if (attrs[PORTSHARE_A_TTL])
		lim->ttl = nla_get_u8(attrs[PORTSHARE_A_TTL]);
	return 0;
}

/**
 * portshare_nl_put_limits() - RATE and BURST if capped, TTL if set
 * @skb: the message
 * @lim: a port's or a secondary's
 *
 * Return: 0 or -EMSGSIZE.
 */
int portshare_nl_put_limits(struct sk_buff *skb,
			    const struct portshare_limits *lim)
{
	if (lim->rate && (nla_put_u32(skb, PORTSHARE_A_RATE, lim->rate) ||
			  nla_put_u32(skb, PORTSHARE_A_BURST, lim->burst)))
		return -EMSGSIZE;
	if (lim->ttl && nla_put_u8(skb, PORTSHARE_A_TTL, lim->ttl))
		return -EMSGSIZE;
	return 0;
}
