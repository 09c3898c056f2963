// SPDX-License-Identifier: GPL-2.0
/*
 * ACL_ADD, ACL_DEL and the ACL_GET dump: the registration acl.  The doit
 * handlers run with the namespace's lock held (nl_family.c, pre_doit).
 */

#include "netlink.h"

#include <linux/in.h>
#include <linux/socket.h>
#include <net/ipv6.h>

static int acl_entry(struct genl_info *info, struct portshare_acl_entry *e)
{
	struct nlattr *addr = portshare_nl_get_addr(info);
	struct nlattr *plen = info->attrs[PORTSHARE_A_PREFIX_LEN];
	struct nlattr *flags = info->attrs[PORTSHARE_A_ACL_FLAGS];
	bool v4 = addr && nla_type(addr) == PORTSHARE_A_ADDR4;
	u8 max = v4 ? 32 : 128;

	if (!addr)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->family = v4 ? AF_INET : AF_INET6;
	if (v4)
		e->addr.s6_addr32[0] = nla_get_in_addr(addr);
	else
		e->addr = nla_get_in6_addr(addr);
	e->prefix_len = plen ? nla_get_u8(plen) : max;
	if (e->prefix_len > max) {
		NL_SET_ERR_MSG_ATTR(info->extack, plen,
				    "PREFIX_LEN is over 32 for an IPv4 network");
		return -EINVAL;
	}
	e->flags = flags ? nla_get_u32(flags) : 0;
	return 0;
}

/*
 * Host bits, a duplicate, an unknown entry: the address attribute is to
 * blame (a full acl or no memory: none).
 */
static void blame_entry(struct genl_info *info, int err)
{
	if (err == -EINVAL || err == -EEXIST || err == -ENOENT)
		NL_SET_BAD_ATTR(info->extack, info->attrs[PORTSHARE_A_ADDR4] ?:
				info->attrs[PORTSHARE_A_ADDR6]);
}

/**
 * portshare_nl_acl_add_doit() - PORTSHARE_CMD_ACL_ADD
 * @skb: the request
 * @info: its attributes: ADDR4 or ADDR6, PREFIX_LEN, ACL_FLAGS
 *
 * PS_NL_CREATE: the namespace's state exists.
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int portshare_nl_acl_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct portshare_acl_entry e;
	int ret;

	ret = acl_entry(info, &e);
	if (ret)
		return ret;
	ret = portshare_acl_add(portshare_nl_pn(info), &e, info->extack);
	blame_entry(info, ret);
	return ret;
}

/**
 * portshare_nl_acl_del_doit() - PORTSHARE_CMD_ACL_DEL
 * @skb: the request
 * @info: its attributes: ADDR4 or ADDR6, PREFIX_LEN; ACL_FLAGS is ignored
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int portshare_nl_acl_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct portshare_acl_entry e;
	int ret;

	ret = acl_entry(info, &e);
	if (ret)
		return ret;
	ret = portshare_acl_del(portshare_nl_pn(info), &e, info->extack);
	blame_entry(info, ret);
	return ret;
}

static int put_entry(struct sk_buff *skb, const struct portshare_acl_entry *e)
{
	int ret;

	if (e->family == AF_INET)
		ret = nla_put_in_addr(skb, PORTSHARE_A_ADDR4,
				      e->addr.s6_addr32[0]);
	else
		ret = nla_put_in6_addr(skb, PORTSHARE_A_ADDR6, &e->addr);
	return ret ?: nla_put_u8(skb, PORTSHARE_A_PREFIX_LEN, e->prefix_len) ?:
	       nla_put_u32(skb, PORTSHARE_A_ACL_FLAGS, e->flags);
}

struct acl_dump {
	u32 idx;	/* entries already dumped */
};

/**
 * portshare_nl_acl_get_dumpit() - PORTSHARE_CMD_ACL_GET as a dump
 * @skb: the reply being filled
 * @cb: the dump's state
 *
 * One message per entry, in the order they were added: ADDR4 or ADDR6,
 * PREFIX_LEN, ACL_FLAGS.
 *
 * Return: the reply's length, 0 when done.
 */
int portshare_nl_acl_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct portshare_net *pn = portshare_nl_dump_pn(cb);
	struct acl_dump *ctx = (struct acl_dump *)cb->ctx;
	const struct portshare_acl_entry *e;
	void *hdr;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	if (!pn)
		return 0;
	mutex_lock(&pn->lock);
	cb->seq = pn->generation;
	for (; (e = portshare_acl_get(pn, ctx->idx)); ctx->idx++) {
		hdr = portshare_nl_dump_put(skb, cb, PORTSHARE_CMD_ACL_GET);
		if (!hdr)
			break;
		if (put_entry(skb, e)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	mutex_unlock(&pn->lock);
	return skb->len;
}
