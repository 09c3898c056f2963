// SPDX-License-Identifier: GPL-2.0
/*
 * PORT_NEW, PORT_DEL and PORT_GET: designated ports.  The doit handlers
 * run with the namespace's lock held (nl_family.c, pre_doit).
 */

#include "netlink.h"

#include <linux/build_bug.h>
#include <linux/err.h>

/**
 * portshare_nl_get_port() - the request's PORT
 * @info: the request
 * @port: set to the port
 *
 * Return: 0, or -EINVAL with an extack message if PORT is missing.
 */
int portshare_nl_get_port(struct genl_info *info, u16 *port)
{
	if (GENL_REQ_ATTR_CHECK(info, PORTSHARE_A_PORT)) {
		NL_SET_ERR_MSG(info->extack, "missing PORT");
		return -EINVAL;
	}
	*port = nla_get_u16(info->attrs[PORTSHARE_A_PORT]);
	return 0;
}

/**
 * portshare_nl_port_find() - the designated port a request names
 * @info: the request, its namespace locked by pre_doit
 * @port: its PORT
 *
 * Return: the port, or NULL with the extack naming it.
 */
struct portshare_port *portshare_nl_port_find(struct genl_info *info,
					      u16 port)
{
	struct portshare_net *pn = portshare_nl_pn(info);
	struct portshare_port *p = pn ? portshare_port_find(pn, port) : NULL;

	if (!p)
		PS_SET_ERR(info->extack, info->attrs[PORTSHARE_A_PORT],
			   "port %u is not designated", port);
	return p;
}

/* The designated port of the request's PORT, or an ERR_PTR. */
static struct portshare_port *request_port(struct genl_info *info)
{
	struct portshare_port *p;
	int ret;
	u16 port;

	ret = portshare_nl_get_port(info, &port);
	if (ret)
		return ERR_PTR(ret);
	p = portshare_nl_port_find(info, port);
	return p ?: ERR_PTR(-ENOENT);
}

static int get_port_cfg(struct genl_info *info, struct portshare_port_cfg *cfg)
{
	struct nlattr **attrs = info->attrs;
	u16 port;
	int ret;

	ret = portshare_nl_get_port(info, &port);
	if (ret)
		return ret;
	if (attrs[PORTSHARE_A_REG_PORT] && attrs[PORTSHARE_A_REG_OFF]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[PORTSHARE_A_REG_OFF],
				    "give REG_PORT or REG_OFF, not both");
		return -EINVAL;
	}
	portshare_port_cfg_init(cfg, port);
	cfg->nla.port = attrs[PORTSHARE_A_PORT];
	cfg->nla.reg_port = attrs[PORTSHARE_A_REG_PORT];
	if (attrs[PORTSHARE_A_REG_PORT])
		cfg->reg_port = nla_get_u16(attrs[PORTSHARE_A_REG_PORT]);
	cfg->reg_off = nla_get_flag(attrs[PORTSHARE_A_REG_OFF]);
	if (attrs[PORTSHARE_A_MAX_SECONDARIES])
		cfg->max_secondaries =
			nla_get_u32(attrs[PORTSHARE_A_MAX_SECONDARIES]);
	if (attrs[PORTSHARE_A_LEASE])
		cfg->lease = nla_get_u32(attrs[PORTSHARE_A_LEASE]);
	portshare_nl_get_dead(info, &cfg->dead);
	return portshare_nl_get_limits(info, &cfg->limits);
}

/* PS_NL_CREATE: the namespace's state exists. */
int portshare_nl_port_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct portshare_port_cfg cfg;
	int ret;

	ret = get_port_cfg(info, &cfg);
	if (ret)
		return ret;
	return portshare_port_designate(portshare_nl_pn(info), &cfg,
					PORTSHARE_REASON_NETLINK, info->extack);
}

int portshare_nl_port_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct portshare_port *p = request_port(info);

	if (IS_ERR(p))
		return PTR_ERR(p);
	portshare_port_undesignate(portshare_nl_pn(info), p,
				   PORTSHARE_REASON_NETLINK);
	return 0;
}

int portshare_nl_port_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct portshare_port *p = request_port(info);
	struct sk_buff *msg;
	void *hdr;

	if (IS_ERR(p))
		return PTR_ERR(p);
	msg = genlmsg_new(portshare_nl_port_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &portshare_nl_family, 0,
				PORTSHARE_CMD_PORT_GET);
	if (!hdr || portshare_nl_put_port(msg, p)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Dumps run without pre_doit: they lock, and set cb->seq for DUMP_INTR. */

struct port_dump {
	u32 next;	/* lowest port not dumped yet */
};

static int dump_port(struct sk_buff *skb, struct netlink_callback *cb,
		     const struct portshare_port *p)
{
	void *hdr;

	hdr = portshare_nl_dump_put(skb, cb, PORTSHARE_CMD_PORT_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (portshare_nl_put_port(skb, p)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int portshare_nl_port_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct port_dump *ctx = (struct port_dump *)cb->ctx;
	struct portshare_net *pn = portshare_nl_dump_pn(cb);
	struct portshare_port *p;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	if (!pn)
		return 0;
	mutex_lock(&pn->lock);
	cb->seq = pn->generation;
	list_for_each_entry(p, &pn->ports, node) {
		if (p->port < ctx->next)
			continue;
		if (dump_port(skb, cb, p))
			break;
		ctx->next = p->port + 1;
	}
	mutex_unlock(&pn->lock);
	return skb->len;
}
