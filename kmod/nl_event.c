// SPDX-License-Identifier: GPL-2.0
/*
 * The "events" multicast group: ports designated and undesignated,
 * secondaries added and dropped, and SHUTDOWN, each with its reason, and
 * secondaries become dead or up again.
 */

#include "netlink.h"

/* Events are sent only while the family is registered. */
static bool events_up;

/* Called once the family is registered. */
void portshare_nl_events_start(void)
{
	WRITE_ONCE(events_up, true);
}

/* Called before the family is unregistered. */
void portshare_nl_events_stop(void)
{
	WRITE_ONCE(events_up, false);
}

static bool events_wanted(struct portshare_net *pn)
{
	return READ_ONCE(events_up) &&
	       genl_has_listeners(&portshare_nl_family, pn->net,
				  PORTSHARE_NLGRP_EVENTS);
}

static struct sk_buff *event_new(size_t size, u8 cmd, gfp_t gfp, void **hdr)
{
	struct sk_buff *skb;

	skb = genlmsg_new(size, gfp);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &portshare_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void event_send(struct portshare_net *pn, struct sk_buff *skb,
		       void *hdr, int err, gfp_t gfp)
{
	if (err) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&portshare_nl_family, pn->net, skb, 0,
				PORTSHARE_NLGRP_EVENTS, gfp);
}

/**
 * portshare_nl_port_event() - announce a designated or undesignated port
 * @pn: the namespace
 * @p: the port
 * @cmd: PORTSHARE_CMD_PORT_NEW or PORTSHARE_CMD_PORT_DEL
 * @reason: why
 * @gfp: GFP_ATOMIC in softirq
 */
void portshare_nl_port_event(struct portshare_net *pn,
			     const struct portshare_port *p, u8 cmd,
			     enum portshare_reason reason, gfp_t gfp)
{
	struct sk_buff *skb;
	void *hdr;

	if (!events_wanted(pn))
		return;
	skb = event_new(portshare_nl_port_size(), cmd, gfp, &hdr);
	if (skb)
		event_send(pn, skb, hdr, portshare_nl_put_port(skb, p) ?:
			   nla_put_u8(skb, PORTSHARE_A_REASON, reason), gfp);
}

/**
 * portshare_nl_sec_event() - announce an added or dropped secondary
 * @pn: the namespace
 * @p: the port
 * @s: the secondary
 * @cmd: PORTSHARE_CMD_SEC_ADD or PORTSHARE_CMD_SEC_DROP
 * @reason: why
 * @gfp: GFP_ATOMIC in softirq
 */
void portshare_nl_sec_event(struct portshare_net *pn,
			    const struct portshare_port *p,
			    const struct portshare_secondary *s, u8 cmd,
			    enum portshare_reason reason, gfp_t gfp)
{
	struct sk_buff *skb;
	void *hdr;

	if (!events_wanted(pn))
		return;
	skb = event_new(portshare_nl_sec_size(), cmd, gfp, &hdr);
	if (skb)
		event_send(pn, skb, hdr, portshare_nl_put_sec(skb, p, s) ?:
			   nla_put_u8(skb, PORTSHARE_A_REASON, reason), gfp);
}

/**
 * portshare_nl_state_event() - announce a secondary become dead or up again
 * @pn: the namespace
 * @p: the port
 * @s: the secondary, with its new state
 *
 * Process context.
 */
void portshare_nl_state_event(struct portshare_net *pn,
			      const struct portshare_port *p,
			      const struct portshare_secondary *s)
{
	struct sk_buff *skb;
	void *hdr;

	if (!events_wanted(pn))
		return;
	skb = event_new(portshare_nl_sec_size(), PORTSHARE_CMD_SEC_STATE,
			GFP_KERNEL, &hdr);
	if (skb)
		event_send(pn, skb, hdr, portshare_nl_put_sec(skb, p, s),
			   GFP_KERNEL);
}

/**
 * portshare_nl_shutdown_event() - announce that a port stops being shared
 * @pn: the namespace
 * @p: the port, with its list not yet purged
 * @gfp: GFP_ATOMIC in softirq
 */
void portshare_nl_shutdown_event(struct portshare_net *pn,
				 const struct portshare_port *p, gfp_t gfp)
{
	struct sk_buff *skb;
	void *hdr;

	if (!events_wanted(pn))
		return;
	skb = event_new(portshare_nl_port_size(), PORTSHARE_CMD_SHUTDOWN, gfp,
			&hdr);
	if (skb)
		event_send(pn, skb, hdr,
			   nla_put_u16(skb, PORTSHARE_A_PORT, p->port) ?:
			   portshare_nl_put_reg_port(skb, p) ?:
			   nla_put_u32(skb, PORTSHARE_A_NUM_SECONDARIES,
				       p->num_secondaries), gfp);
}
