/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family, split by object:
 *   nl_gen.[ch]  policy and op table, generated from
 *                uapi/linux/portshare.yaml by scripts/ynl-gen
 *   nl_family.c  multicast group, pre_doit/post_doit, registration
 *   nl_msg.c     message sizes and builders, shared by replies, dumps and
 *                events, and attribute readers shared by objects
 *   nl_port.c    PORT_NEW, PORT_DEL, PORT_GET
 *   nl_sec.c     SEC_ADD, SEC_DROP, SEC_GET
 *   nl_acl.c     ACL_ADD, ACL_DEL, ACL_GET
 *   nl_from.c    the FROM nests of a secondary's source filter
 *   nl_limits.c  RATE, BURST and TTL of ports and secondaries
 *   nl_health.c  dead-secondary detection of ports and secondaries
 *   nl_event.c   the "events" multicast group
 */
#ifndef _PORTSHARE_NETLINK_H
#define _PORTSHARE_NETLINK_H

#include "portshare.h"

#include <net/genetlink.h>

/* the policy, the op table, its handlers' prototypes, PORTSHARE_NLGRP_* */
#include "nl_gen.h"

extern struct genl_family portshare_nl_family;

/*
 * A command's flags in pre_doit (nl_family.c): what it does before the
 * handler runs, on top of the header check, the namespace lookup and
 * taking its lock.
 */
#define PS_NL_CREATE	BIT(0)	/* create the namespace's state if needed */
#define PS_NL_SETTLE	BIT(1)	/* first finish undesignated ports */

/*
 * The namespace's state, locked by pre_doit; NULL if it never used
 * portshare and the op does not create it.
 */
static inline struct portshare_net *portshare_nl_pn(struct genl_info *info)
{
	return info->user_ptr[0];
}

/* nl_msg.c */

struct nlattr *portshare_nl_get_addr(struct genl_info *info);
int portshare_nl_get_from(struct genl_info *info, struct portshare_sec_cfg *cfg);
size_t portshare_nl_port_size(void);
size_t portshare_nl_sec_size(void);
int portshare_nl_put_reg_port(struct sk_buff *skb,
			      const struct portshare_port *p);
int portshare_nl_put_port(struct sk_buff *skb, const struct portshare_port *p);
int portshare_nl_put_sec(struct sk_buff *skb, const struct portshare_port *p,
			 const struct portshare_secondary *s);
void *portshare_nl_dump_put(struct sk_buff *skb, struct netlink_callback *cb,
			    u8 cmd);
struct nlattr **portshare_nl_dump_attrs(struct netlink_callback *cb);
struct portshare_net *portshare_nl_dump_pn(struct netlink_callback *cb);

/* nl_limits.c */

int portshare_nl_get_limits(struct genl_info *info,
			    struct portshare_limits *lim);
int portshare_nl_put_limits(struct sk_buff *skb,
			    const struct portshare_limits *lim);

/* nl_health.c */

void portshare_nl_get_dead(struct genl_info *info,
			   struct portshare_dead_cfg *dead);
int portshare_nl_put_dead(struct sk_buff *skb,
			  const struct portshare_dead_cfg *dead);
int portshare_nl_put_health(struct sk_buff *skb,
			    const struct portshare_secondary *s);

/* nl_port.c */

int portshare_nl_get_port(struct genl_info *info, u16 *port);
struct portshare_port *portshare_nl_port_find(struct genl_info *info,
					      u16 port);

/* nl_event.c */

void portshare_nl_events_start(void);
void portshare_nl_events_stop(void);

#endif /* _PORTSHARE_NETLINK_H */
