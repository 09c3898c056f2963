// SPDX-License-Identifier: GPL-2.0
/*
 * SEC_ADD, SEC_DROP and SEC_GET: the distribution lists.  The doit
 * handlers run with the namespace's lock held (nl_family.c, pre_doit).
 */

#include "netlink.h"

#include <linux/build_bug.h>
#include <linux/in.h>
#include <linux/socket.h>
#include <net/ipv6.h>

static int get_sec_addr(struct genl_info *info, struct portshare_sec_cfg *cfg)
{
	struct nlattr *addr = portshare_nl_get_addr(info);
	bool any;

	if (!addr)
		return -EINVAL;
	cfg->nla.port = info->attrs[PORTSHARE_A_PORT];
	cfg->nla.addr = addr;
	if (nla_type(addr) == PORTSHARE_A_ADDR4) {
		cfg->family = AF_INET;
		cfg->addr.v4.s_addr = nla_get_in_addr(addr);
		any = cfg->addr.v4.s_addr == htonl(INADDR_ANY);
	} else {
		cfg->family = AF_INET6;
		cfg->addr.v6 = nla_get_in6_addr(addr);
		any = ipv6_addr_any(&cfg->addr.v6);
	}
	if (any) {
		NL_SET_ERR_MSG_ATTR(info->extack, addr,
				    "secondary address must not be unspecified");
		return -EINVAL;
	}
	return 0;
}

static int get_sec_cfg(struct genl_info *info, struct portshare_sec_cfg *cfg)
{
	struct nlattr **attrs = info->attrs;

	cfg->mode = PORTSHARE_MODE_ENCAP;
	if (attrs[PORTSHARE_A_MODE])
		cfg->mode = nla_get_u8(attrs[PORTSHARE_A_MODE]);
	cfg->sample = 1;
	if (attrs[PORTSHARE_A_SAMPLE])
		cfg->sample = nla_get_u32(attrs[PORTSHARE_A_SAMPLE]);
	if (attrs[PORTSHARE_A_LEASE])
		cfg->lease = nla_get_u32(attrs[PORTSHARE_A_LEASE]);
	if (attrs[PORTSHARE_A_HOLD])
		cfg->hold = nla_get_u32(attrs[PORTSHARE_A_HOLD]);
	return portshare_nl_get_limits(info, &cfg->limits) ?:
	       portshare_nl_get_from(info, cfg) ?: get_sec_addr(info, cfg);
}

/* DATA_PORT, or the port's registration port. */
static int get_data_port(struct genl_info *info, const struct portshare_port *p,
			 struct portshare_sec_cfg *cfg)
{
	struct nlattr *attr = info->attrs[PORTSHARE_A_DATA_PORT];

	cfg->nla.data_port = attr;
	if (attr) {
		cfg->data_port = nla_get_u16(attr);
		return 0;
	}
	if (p->reg_off) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, PORTSHARE_A_DATA_PORT);
		ps_extack_fmt(info->extack,
			      "port %u has no registration port: give DATA_PORT",
			      p->port);
		return -EINVAL;
	}
	cfg->data_port = p->reg_port;
	return 0;
}

/*
 * Validates everything, and allocates the port if AUTO_PORT designates it,
 * before changing anything: a failed request leaves no trace.
 */
static int sec_add(struct portshare_net *pn, struct genl_info *info, u16 port,
		   struct portshare_sec_cfg *cfg)
{
	struct portshare_port *p, *new_port = NULL;
	struct portshare_port_cfg port_cfg;
	struct portshare_secondary *s;
	int ret;

	p = portshare_port_find(pn, port);
	if (!p && !nla_get_flag(info->attrs[PORTSHARE_A_AUTO_PORT])) {
		PS_SET_ERR(info->extack, info->attrs[PORTSHARE_A_PORT],
			   "port %u is not designated (designate it with PORT_NEW or set AUTO_PORT)",
			   port);
		return -ENOENT;
	}
	if (!p) {
		portshare_port_cfg_init(&port_cfg, port);
		port_cfg.nla.port = info->attrs[PORTSHARE_A_PORT];
		ret = portshare_port_check(pn, &port_cfg, info->extack);
		if (ret)
			return ret;
		p = portshare_port_alloc(pn, &port_cfg, info->extack);
		if (IS_ERR(p))
			return PTR_ERR(p);
		new_port = p;
	}
	ret = get_data_port(info, p, cfg) ?:
	      portshare_sec_check(pn, p, cfg, info->extack);
	if (ret)
		goto err_free_port;
	s = portshare_sec_alloc(cfg);
	if (!s) {
		NL_SET_ERR_MSG(info->extack,
			       "out of memory for the secondary; nothing was changed");
		ret = -ENOMEM;
		goto err_free_port;
	}
	if (new_port)
		portshare_port_link(pn, new_port, PORTSHARE_REASON_NETLINK);
	portshare_sec_link(pn, p, s, PORTSHARE_REASON_NETLINK);
	return 0;

err_free_port:
	if (new_port)
		portshare_port_free(pn, new_port);
	return ret;
}

/* PS_NL_CREATE and PS_NL_SETTLE: the state exists, old ports are gone. */
int portshare_nl_sec_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct portshare_sec_cfg cfg = {};
	int ret;
	u16 port;

	ret = portshare_nl_get_port(info, &port) ?: get_sec_cfg(info, &cfg);
	if (ret)
		return ret;
	return sec_add(portshare_nl_pn(info), info, port, &cfg);
}

int portshare_nl_sec_drop_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct portshare_sec_cfg cfg = {};
	struct portshare_port *p;
	int ret;
	u16 port;

	ret = portshare_nl_get_port(info, &port) ?: get_sec_addr(info, &cfg);
	if (ret)
		return ret;
	p = portshare_nl_port_find(info, port);
	if (!p)
		return -ENOENT;
	return get_data_port(info, p, &cfg) ?:
	       portshare_sec_drop(portshare_nl_pn(info), p, &cfg,
				  PORTSHARE_REASON_NETLINK, info->extack);
}

/* Dumps run without pre_doit: they lock, and set cb->seq for DUMP_INTR. */

struct sec_dump {
	u32 port;	/* the port being dumped, or the next one */
	u32 idx;	/* secondaries of @port already dumped */
};

static int dump_sec(struct sk_buff *skb, struct netlink_callback *cb,
		    const struct portshare_port *p,
		    const struct portshare_secondary *s)
{
	void *hdr;

	hdr = portshare_nl_dump_put(skb, cb, PORTSHARE_CMD_SEC_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (portshare_nl_put_sec(skb, p, s)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int dump_port_secs(struct sk_buff *skb, struct netlink_callback *cb,
			  const struct portshare_port *p)
{
	struct sec_dump *ctx = (struct sec_dump *)cb->ctx;
	struct portshare_secondary *s;
	u32 i = 0;

	if (ctx->port != p->port) {
		ctx->port = p->port;
		ctx->idx = 0;
	}
	list_for_each_entry(s, &p->secondaries, node) {
		if (i++ < ctx->idx)
			continue;
		if (dump_sec(skb, cb, p, s))
			return -EMSGSIZE;
		ctx->idx = i;
	}
	ctx->port = p->port + 1;
	ctx->idx = 0;
	return 0;
}

int portshare_nl_sec_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct nlattr *filter = portshare_nl_dump_attrs(cb)[PORTSHARE_A_PORT];
	struct sec_dump *ctx = (struct sec_dump *)cb->ctx;
	struct portshare_net *pn = portshare_nl_dump_pn(cb);
	struct portshare_port *p;
	int ret = 0;
	u16 only;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	only = filter ? nla_get_u16(filter) : 0;
	if (!pn && only) {
		PS_SET_ERR(cb->extack, filter, "port %u is not designated",
			   only);
		return -ENOENT;
	}
	if (!pn)
		return 0;
	mutex_lock(&pn->lock);
	cb->seq = pn->generation;
	if (only && !ctx->port && !portshare_port_find(pn, only)) {
		PS_SET_ERR(cb->extack, filter, "port %u is not designated",
			   only);
		ret = -ENOENT;
		goto out_unlock;
	}
	list_for_each_entry(p, &pn->ports, node) {
		if (p->port < ctx->port || (only && p->port != only))
			continue;
		if (dump_port_secs(skb, cb, p))
			break;
	}
	ret = skb->len;
out_unlock:
	mutex_unlock(&pn->lock);
	return ret;
}
