/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* Do not edit directly, auto-generated from: */
/*	uapi/linux/portshare.yaml (scripts/ynl-gen) */
/* YNL-GEN kernel header */

#ifndef _LINUX_PORTSHARE_GEN_H
#define _LINUX_PORTSHARE_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/portshare_nl.h>

/* Common nested types */
extern const struct nla_policy portshare_prefix_nl_policy[PORTSHARE_A_PREFIX_LEN + 1];

/* Global operation policy for portshare */
extern const struct nla_policy portshare_nl_policy[PORTSHARE_A_HOLD + 1];

/* Ops table for portshare */
extern const struct genl_small_ops portshare_nl_ops[9];

int portshare_nl_port_new_doit(struct sk_buff *skb, struct genl_info *info);
int portshare_nl_port_del_doit(struct sk_buff *skb, struct genl_info *info);
int portshare_nl_port_get_doit(struct sk_buff *skb, struct genl_info *info);
int portshare_nl_port_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int portshare_nl_sec_add_doit(struct sk_buff *skb, struct genl_info *info);
int portshare_nl_sec_drop_doit(struct sk_buff *skb, struct genl_info *info);
int portshare_nl_sec_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int portshare_nl_acl_add_doit(struct sk_buff *skb, struct genl_info *info);
int portshare_nl_acl_del_doit(struct sk_buff *skb, struct genl_info *info);
int portshare_nl_acl_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);

enum {
	PORTSHARE_NLGRP_EVENTS,
};

#endif /* _LINUX_PORTSHARE_GEN_H */
