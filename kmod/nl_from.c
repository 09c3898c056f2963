// SPDX-License-Identifier: GPL-2.0
/*
 * SEC_ADD's FROM attributes: a secondary's source filter (DESIGN §9).
 * Each is a nest of ADDR4 or ADDR6 and an optional PREFIX_LEN (default
 * the whole address): a network without host bits, as in "ip route", so
 * that what psnl list prints is what was asked for.  At most PS_FROM_MAX.
 */

#include "netlink.h"

/* The nest's one address, with the whole address as its prefix. */
static int from_addr(struct nlattr **tb, struct nlattr *nest,
		     struct ps_prefix *from, struct netlink_ext_ack *extack)
{
	struct nlattr *a4 = tb[PORTSHARE_A_ADDR4];
	struct nlattr *a6 = tb[PORTSHARE_A_ADDR6];

	if (!a4 == !a6) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "FROM needs exactly one of ADDR4 or ADDR6");
		return -EINVAL;
	}
	memset(from, 0, sizeof(*from));
	if (a4) {
		from->family = PS_ACL_INET;
		from->len = 32;
		memcpy(from->addr, nla_data(a4), 4);
	} else {
		from->family = PS_ACL_INET6;
		from->len = 128;
		memcpy(from->addr, nla_data(a6), 16);
	}
	return 0;
}

static int from_one(struct nlattr *nest, struct ps_prefix *from,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PORTSHARE_A_PREFIX_LEN + 1];
	struct nlattr *plen;
	u8 bits;
	int ret;

	ret = nla_parse_nested(tb, PORTSHARE_A_PREFIX_LEN, nest,
			       portshare_prefix_nl_policy, extack) ?:
	      from_addr(tb, nest, from, extack);
	if (ret)
		return ret;
	bits = from->len;
	plen = tb[PORTSHARE_A_PREFIX_LEN];
	if (plen)
		from->len = nla_get_u8(plen);
	if (from->len > bits) {
		NL_SET_ERR_MSG_ATTR(extack, plen,
				    "FROM's PREFIX_LEN is over 32 for an IPv4 network");
		return -EINVAL;
	}
	if (!ps_acl_net_valid(from->family, from->addr, from->len)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "FROM network has host bits set: give the network address, as in ip route");
		return -EINVAL;
	}
	return 0;
}

/**
 * portshare_nl_get_from() - the source filter of a SEC_ADD request
 * @info: the request
 * @cfg: its n_from and from are set
 *
 * Return: 0, or -EINVAL with an extack message naming the bad FROM.
 */
int portshare_nl_get_from(struct genl_info *info, struct portshare_sec_cfg *cfg)
{
	struct nlattr *attr;
	int rem, ret;

	cfg->n_from = 0;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != PORTSHARE_A_FROM)
			continue;
		if (cfg->n_from == PS_FROM_MAX) {
			PS_SET_ERR(info->extack, attr,
				   "a secondary takes at most %u FROM networks",
				   PS_FROM_MAX);
			return -EINVAL;
		}
		ret = from_one(attr, &cfg->from[cfg->n_from], info->extack);
		if (ret)
			return ret;
		cfg->n_from++;
	}
	return 0;
}
