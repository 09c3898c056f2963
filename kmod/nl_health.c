// SPDX-License-Identifier: GPL-2.0
/*
 * Dead-secondary detection over netlink: a port's DEAD_ERRORS,
 * DEAD_PERIOD and HOLD (PORT_NEW, PORT_GET), a secondary's HOLD (SEC_ADD,
 * SEC_GET) and its STATE and DEAD_FOR (SEC_GET and events).  The policy
 * checks each value's range; every combination is valid.
 */

#include "netlink.h"

/**
 * portshare_nl_get_dead() - a PORT_NEW's dead-secondary detection
 * @info: the request
 * @dead: the defaults, overridden by DEAD_ERRORS, DEAD_PERIOD and HOLD
 */
void portshare_nl_get_dead(struct genl_info *info,
			   struct portshare_dead_cfg *dead)
{
	struct nlattr **attrs = info->attrs;

	if (attrs[PORTSHARE_A_DEAD_ERRORS])
		dead->errors = nla_get_u32(attrs[PORTSHARE_A_DEAD_ERRORS]);
	if (attrs[PORTSHARE_A_DEAD_PERIOD])
		dead->period = nla_get_u32(attrs[PORTSHARE_A_DEAD_PERIOD]);
	if (attrs[PORTSHARE_A_HOLD])
		dead->hold = nla_get_u32(attrs[PORTSHARE_A_HOLD]);
}

/**
 * portshare_nl_put_dead() - a port's DEAD_ERRORS, DEAD_PERIOD and HOLD
 * @skb: the message
 * @dead: the port's
 *
 * Return: 0 or -EMSGSIZE.
 */
int portshare_nl_put_dead(struct sk_buff *skb,
			  const struct portshare_dead_cfg *dead)
{
	if (nla_put_u32(skb, PORTSHARE_A_DEAD_ERRORS, dead->errors) ||
	    nla_put_u32(skb, PORTSHARE_A_DEAD_PERIOD, dead->period) ||
	    nla_put_u32(skb, PORTSHARE_A_HOLD, dead->hold))
		return -EMSGSIZE;
	return 0;
}

/**
 * portshare_nl_put_health() - a secondary's HOLD, STATE, DEAD_FOR
 * @skb: the message
 * @s: the secondary
 *
 * HOLD only when it is the secondary's own: a wire registration's is its
 * port's, which PORT_GET reports (and psnl list shows as no option).
 *
 * Return: 0 or -EMSGSIZE.
 */
int portshare_nl_put_health(struct sk_buff *skb,
			    const struct portshare_secondary *s)
{
	/* pairs with the release in health.c: dead_since comes first */
	u8 state = smp_load_acquire(&s->health.state);

	if ((s->hold && !s->hold_is_ports &&
	     nla_put_u32(skb, PORTSHARE_A_HOLD, s->hold)) ||
	    nla_put_u8(skb, PORTSHARE_A_STATE, state))
		return -EMSGSIZE;
	if (state == PORTSHARE_STATE_DEAD &&
	    nla_put_u32(skb, PORTSHARE_A_DEAD_FOR,
			portshare_health_dead_for(s)))
		return -EMSGSIZE;
	return 0;
}
