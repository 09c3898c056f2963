// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "portshare": commands, replies, dumps and
 * events, as described in uapi/linux/portshare.h.
 */

#include "portshare.h"

#include <linux/build_bug.h>
#include <linux/in.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

static struct genl_family ps_family;

/* Events are sent only while the family is registered. */
static bool ps_genl_up;

enum { PS_MCGRP_EVENTS };

/*
 * Events name secondaries and their data ports, which is what a DROP over
 * the wire needs: only CAP_NET_ADMIN in the namespace's user namespace
 * may listen, as for SEC_GET.
 */
static const struct genl_multicast_group ps_mcgrps[] = {
	[PS_MCGRP_EVENTS] = {
		.name = PORTSHARE_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/* Not const: 6.1's struct nla_policy points at a non-const range. */
static struct netlink_range_validation sample_range = {
	.min = 1,
	.max = PORTSHARE_SAMPLE_LIMIT,
};

#define PS_REPLY_ONLY { \
	.type = NLA_REJECT, \
	.reject_message = "attribute is only used in replies and events", \
}

static const struct nla_policy ps_policy[PORTSHARE_A_MAX + 1] = {
	[PORTSHARE_A_PORT]		= NLA_POLICY_MIN(NLA_U16, 1),
	[PORTSHARE_A_REG_PORT]		= NLA_POLICY_MIN(NLA_U16, 1),
	[PORTSHARE_A_REG_OFF]		= { .type = NLA_FLAG },
	[PORTSHARE_A_MAX_SECONDARIES]	=
		NLA_POLICY_RANGE(NLA_U32, 1, PORTSHARE_MAX_SECONDARIES_LIMIT),
	[PORTSHARE_A_NUM_SECONDARIES]	= PS_REPLY_ONLY,
	[PORTSHARE_A_ADDR4]		= { .type = NLA_BE32 },
	[PORTSHARE_A_ADDR6]		=
		NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[PORTSHARE_A_DATA_PORT]		= NLA_POLICY_MIN(NLA_U16, 1),
	[PORTSHARE_A_MODE]		= NLA_POLICY_MAX(NLA_U8, PORTSHARE_MODE_MAX),
	[PORTSHARE_A_SAMPLE]		=
		NLA_POLICY_FULL_RANGE(NLA_U32, &sample_range),
	[PORTSHARE_A_AUTO_PORT]		= { .type = NLA_FLAG },
	[PORTSHARE_A_REASON]		= PS_REPLY_ONLY,
	[PORTSHARE_A_STATS]		= PS_REPLY_ONLY,
	[PORTSHARE_A_PAD]		= PS_REPLY_ONLY,
	[PORTSHARE_A_PREFIX_LEN]	= NLA_POLICY_MAX(NLA_U8, 128),
	[PORTSHARE_A_ACL_FLAGS]		=
		NLA_POLICY_MASK(NLA_U32, PORTSHARE_ACL_F_ALL),
};

#ifndef NL_SET_ERR_MSG_FMT
#define PS_MSG_LEN	80
#define PS_MSG_SLOTS	32

/**
 * portshare_extack_fmt() - set a formatted extack message before 6.2
 * @extack: the extack, may be NULL
 * @fmt: printf format
 *
 * These kernels have no buffer in the extack, and the ack is built after
 * the handler returns and genl_mutex is dropped.  Each message gets the
 * next slot of a small ring, so it stays intact until PS_MSG_SLOTS more
 * rejections have been formatted.
 */
void portshare_extack_fmt(struct netlink_ext_ack *extack, const char *fmt, ...)
{
	static char msgs[PS_MSG_SLOTS][PS_MSG_LEN];
	static atomic_t next = ATOMIC_INIT(0);
	va_list args;
	char *msg;

	if (!extack)
		return;
	msg = msgs[(unsigned int)atomic_inc_return(&next) % PS_MSG_SLOTS];
	va_start(args, fmt);
	vsnprintf(msg, PS_MSG_LEN, fmt, args);
	va_end(args);
	do_trace_netlink_extack(msg);
	extack->_msg = msg;
}
#endif

/* genl_dumpit_info() gained an embedded genl_info in 6.6. */
static struct nlattr **dump_attrs(struct netlink_callback *cb)
{
#ifdef PORTSHARE_HAVE_DUMPIT_INFO_INFO
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* Message sizes and builders, shared by replies, dumps and events. */

/*
 * A port reports rx, shared, its errors and its registration counters; a
 * secondary more.
 */
#define PS_PORT_NSTATS	(2 + PS_PORT_ERR_MAX + PS_REG_NR_COUNTERS)
#define PS_SEC_NSTATS	(3 + PS_SEC_DROP_MAX)

static size_t stats_size(void)
{
	return nla_total_size(0) +
	       max(PS_PORT_NSTATS, PS_SEC_NSTATS) *
	       nla_total_size_64bit(sizeof(u64));
}

static size_t port_msg_size(void)
{
	return 2 * nla_total_size(sizeof(u16)) +	/* PORT, REG_PORT */
	       2 * nla_total_size(sizeof(u32)) +	/* MAX, NUM */
	       stats_size() +
	       nla_total_size(sizeof(u8));		/* REASON */
}

static size_t sec_msg_size(void)
{
	return 2 * nla_total_size(sizeof(u16)) +	/* PORT, DATA_PORT */
	       nla_total_size(sizeof(struct in6_addr)) +
	       nla_total_size(sizeof(u8)) +		/* MODE */
	       nla_total_size(sizeof(u32)) +		/* SAMPLE */
	       stats_size() +
	       nla_total_size(sizeof(u8));		/* REASON */
}

/**
 * struct ps_stat - one counter of a STATS nest
 * @type: enum portshare_stat
 * @val: its value
 */
struct ps_stat {
	int type;
	u64 val;
};

/* enum portshare_reg_counter as stat ids: SEND_ERRORS came after the rest */
static const int reg_stat_ids[PS_REG_NR_COUNTERS] = {
	[PS_REG_REQUESTS] = PORTSHARE_STAT_REG_REQUESTS,
	[PS_REG_OK] = PORTSHARE_STAT_REG_OK,
	[PS_REG_ERRORS] = PORTSHARE_STAT_REG_ERRORS,
	[PS_REG_DENIED] = PORTSHARE_STAT_REG_DENIED,
	[PS_REG_RATE_LIMITED] = PORTSHARE_STAT_REG_RATE_LIMITED,
	[PS_REG_NOT_PERMITTED] = PORTSHARE_STAT_REG_NOT_PERMITTED,
	[PS_REG_LIST_FULL] = PORTSHARE_STAT_REG_LIST_FULL,
	[PS_REG_IGNORED] = PORTSHARE_STAT_REG_IGNORED,
	[PS_REG_SEND_ERRORS] = PORTSHARE_STAT_REG_SEND_ERRORS,
};

static int put_stats(struct sk_buff *skb, const struct ps_stat *st, int n)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, PORTSHARE_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		if (nla_put_u64_64bit(skb, st[i].type, st[i].val,
				      PORTSHARE_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_port_stats(struct sk_buff *skb, const struct portshare_port *p)
{
	struct ps_stat st[PS_PORT_NSTATS];
	u64 reg[PS_REG_NR_COUNTERS];
	struct portshare_port_totals t;
	int i, n = 2 + PS_PORT_ERR_MAX;

	portshare_port_read_stats(p, &t);
	st[0] = (struct ps_stat){ PORTSHARE_STAT_PORT_RX, t.rx };
	st[1] = (struct ps_stat){ PORTSHARE_STAT_PORT_SHARED, t.shared };
	for (i = 0; i < PS_PORT_ERR_MAX; i++)
		st[2 + i] = (struct ps_stat){ PORTSHARE_STAT_PORT_ERR_CSUM + i,
					      t.err[i] };
	if (!p->reg_off) {
		portshare_reg_read_stats(p, reg);
		for (i = 0; i < PS_REG_NR_COUNTERS; i++)
			st[n++] = (struct ps_stat){ reg_stat_ids[i], reg[i] };
	}
	return put_stats(skb, st, n);
}

static int put_sec_stats(struct sk_buff *skb,
			 const struct portshare_secondary *s)
{
	struct ps_stat st[PS_SEC_NSTATS];
	struct portshare_sec_totals t;
	int i;

	portshare_sec_read_stats(s, &t);
	st[0] = (struct ps_stat){ PORTSHARE_STAT_SEC_COPIES, t.copies };
	st[1] = (struct ps_stat){ PORTSHARE_STAT_SEC_BYTES, t.bytes };
	st[2] = (struct ps_stat){ PORTSHARE_STAT_SEC_SAMPLED, t.sampled };
	for (i = 0; i < PS_SEC_DROP_MAX; i++)
		st[3 + i] = (struct ps_stat){ portshare_sec_drop_stat[i],
					      t.drop[i] };
	return put_stats(skb, st, ARRAY_SIZE(st));
}

static int put_reg_port(struct sk_buff *skb, const struct portshare_port *p)
{
	if (p->reg_off)
		return nla_put_flag(skb, PORTSHARE_A_REG_OFF);
	return nla_put_u16(skb, PORTSHARE_A_REG_PORT, p->reg_port);
}

static int put_port(struct sk_buff *skb, const struct portshare_port *p)
{
	if (nla_put_u16(skb, PORTSHARE_A_PORT, p->port) ||
	    put_reg_port(skb, p) ||
	    nla_put_u32(skb, PORTSHARE_A_MAX_SECONDARIES, p->max_secondaries) ||
	    nla_put_u32(skb, PORTSHARE_A_NUM_SECONDARIES, p->num_secondaries))
		return -EMSGSIZE;
	return put_port_stats(skb, p);
}

static int put_addr(struct sk_buff *skb, const struct portshare_secondary *s)
{
	if (s->family == AF_INET)
		return nla_put_in_addr(skb, PORTSHARE_A_ADDR4, s->addr.v4.s_addr);
	return nla_put_in6_addr(skb, PORTSHARE_A_ADDR6, &s->addr.v6);
}

static int put_sec(struct sk_buff *skb, const struct portshare_port *p,
		   const struct portshare_secondary *s)
{
	if (nla_put_u16(skb, PORTSHARE_A_PORT, p->port) ||
	    put_addr(skb, s) ||
	    nla_put_u16(skb, PORTSHARE_A_DATA_PORT, s->data_port) ||
	    nla_put_u8(skb, PORTSHARE_A_MODE, s->mode) ||
	    nla_put_u32(skb, PORTSHARE_A_SAMPLE, s->sample))
		return -EMSGSIZE;
	return put_sec_stats(skb, s);
}

/* Events */

static bool events_wanted(struct portshare_net *pn)
{
	return READ_ONCE(ps_genl_up) &&
	       genl_has_listeners(&ps_family, pn->net, PS_MCGRP_EVENTS);
}

static struct sk_buff *event_new(size_t size, u8 cmd, gfp_t gfp, void **hdr)
{
	struct sk_buff *skb;

	skb = genlmsg_new(size, gfp);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &ps_family, 0, cmd);
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
	genlmsg_multicast_netns(&ps_family, pn->net, skb, 0, PS_MCGRP_EVENTS,
				gfp);
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
	skb = event_new(port_msg_size(), cmd, gfp, &hdr);
	if (skb)
		event_send(pn, skb, hdr, put_port(skb, p) ?:
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
	skb = event_new(sec_msg_size(), cmd, gfp, &hdr);
	if (skb)
		event_send(pn, skb, hdr, put_sec(skb, p, s) ?:
			   nla_put_u8(skb, PORTSHARE_A_REASON, reason), gfp);
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
	skb = event_new(port_msg_size(), PORTSHARE_CMD_SHUTDOWN, gfp, &hdr);
	if (skb)
		event_send(pn, skb, hdr,
			   nla_put_u16(skb, PORTSHARE_A_PORT, p->port) ?:
			   put_reg_port(skb, p) ?:
			   nla_put_u32(skb, PORTSHARE_A_NUM_SECONDARIES,
				       p->num_secondaries), gfp);
}

/* Request parsing */

/* The namespace's state, or NULL if it never used portshare. */
static struct portshare_net *info_pn(struct genl_info *info)
{
	return portshare_net(genl_info_net(info));
}

/* The namespace's state, created for a request that changes it. */
static struct portshare_net *info_pn_get(struct genl_info *info)
{
	struct portshare_net *pn = portshare_net_get(genl_info_net(info));

	if (!pn)
		NL_SET_ERR_MSG(info->extack,
			       "out of memory for the namespace's portshare state");
	return pn;
}

/*
 * Kernels from 6.2 reject these flags on doit requests of strict families
 * themselves; 6.1 does not, and neither checks the reserved header byte,
 * so every request gets the same answer here.
 */
static int check_request_header(struct genl_info *info)
{
	if (info->nlhdr->nlmsg_flags &
	    (NLM_F_REPLACE | NLM_F_EXCL | NLM_F_CREATE | NLM_F_APPEND)) {
		NL_SET_ERR_MSG(info->extack,
			       "NLM_F_CREATE/EXCL/REPLACE/APPEND are not used by portshare: clear them");
		return -EINVAL;
	}
	if (info->genlhdr->reserved) {
		NL_SET_ERR_MSG(info->extack,
			       "the reserved byte of the genetlink header must be 0");
		return -EINVAL;
	}
	return 0;
}

/* Every doit handler starts here, so the flag check lives here too. */
static int get_port(struct genl_info *info, u16 *port)
{
	if (check_request_header(info))
		return -EINVAL;
	if (GENL_REQ_ATTR_CHECK(info, PORTSHARE_A_PORT)) {
		NL_SET_ERR_MSG(info->extack, "missing PORT");
		return -EINVAL;
	}
	*port = nla_get_u16(info->attrs[PORTSHARE_A_PORT]);
	return 0;
}

/* -ENOENT, with the extack naming the port. */
static int undesignated(struct genl_info *info, u16 port)
{
	PS_SET_ERR(info->extack, info->attrs[PORTSHARE_A_PORT],
		   "port %u is not designated", port);
	return -ENOENT;
}

static struct portshare_port *designated_port(struct portshare_net *pn,
					      struct genl_info *info, u16 port)
{
	struct portshare_port *p = portshare_port_find(pn, port);

	if (!p)
		undesignated(info, port);
	return p;
}

static int get_port_cfg(struct genl_info *info, struct portshare_port_cfg *cfg)
{
	struct nlattr **attrs = info->attrs;
	u16 port;
	int ret;

	ret = get_port(info, &port);
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
	return 0;
}

static int get_sec_addr(struct genl_info *info, struct portshare_sec_cfg *cfg)
{
	struct nlattr *a4 = info->attrs[PORTSHARE_A_ADDR4];
	struct nlattr *a6 = info->attrs[PORTSHARE_A_ADDR6];
	bool any;

	if (!a4 == !a6) {
		if (a6)
			NL_SET_BAD_ATTR(info->extack, a6);
		else
			NL_SET_ERR_ATTR_MISS(info->extack, NULL,
					     PORTSHARE_A_ADDR4);
		NL_SET_ERR_MSG(info->extack, "give exactly one of ADDR4 or ADDR6");
		return -EINVAL;
	}
	cfg->nla.port = info->attrs[PORTSHARE_A_PORT];
	cfg->nla.addr = a4 ?: a6;
	if (a4) {
		cfg->family = AF_INET;
		cfg->addr.v4.s_addr = nla_get_in_addr(a4);
		any = cfg->addr.v4.s_addr == htonl(INADDR_ANY);
	} else {
		cfg->family = AF_INET6;
		cfg->addr.v6 = nla_get_in6_addr(a6);
		any = ipv6_addr_any(&cfg->addr.v6);
	}
	if (any) {
		NL_SET_ERR_MSG_ATTR(info->extack, a4 ?: a6,
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
	return get_sec_addr(info, cfg);
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

/* Commands */

static int ps_port_new(struct sk_buff *skb, struct genl_info *info)
{
	struct portshare_port_cfg cfg;
	struct portshare_net *pn;
	int ret;

	ret = get_port_cfg(info, &cfg);
	if (ret)
		return ret;
	pn = info_pn_get(info);
	if (!pn)
		return -ENOMEM;
	portshare_port_settle(pn);
	mutex_lock(&pn->lock);
	ret = portshare_port_designate(pn, &cfg, PORTSHARE_REASON_NETLINK,
				       info->extack);
	mutex_unlock(&pn->lock);
	return ret;
}

static int ps_port_del(struct sk_buff *skb, struct genl_info *info)
{
	struct portshare_net *pn = info_pn(info);
	struct portshare_port *p;
	int ret;
	u16 port;

	ret = get_port(info, &port);
	if (ret)
		return ret;
	if (!pn)
		return undesignated(info, port);
	mutex_lock(&pn->lock);
	p = designated_port(pn, info, port);
	if (p)
		portshare_port_undesignate(pn, p, PORTSHARE_REASON_NETLINK);
	mutex_unlock(&pn->lock);
	return p ? 0 : -ENOENT;
}

static int ps_port_get(struct sk_buff *skb, struct genl_info *info)
{
	struct portshare_net *pn = info_pn(info);
	struct portshare_port *p;
	struct sk_buff *msg;
	void *hdr;
	int ret;
	u16 port;

	ret = get_port(info, &port);
	if (ret)
		return ret;
	if (!pn)
		return undesignated(info, port);
	msg = genlmsg_new(port_msg_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ps_family, 0,
				PORTSHARE_CMD_PORT_GET);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free_msg;
	}
	mutex_lock(&pn->lock);
	p = designated_port(pn, info, port);
	ret = p ? put_port(msg, p) : -ENOENT;
	mutex_unlock(&pn->lock);
	if (ret)
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
	return ret;
}

/*
 * Validates everything, and allocates the port if AUTO_PORT designates it,
 * before changing anything: a failed request leaves no trace.
 */
static int sec_add_locked(struct portshare_net *pn, struct genl_info *info,
			  u16 port, struct portshare_sec_cfg *cfg)
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

static int ps_sec_add(struct sk_buff *skb, struct genl_info *info)
{
	struct portshare_sec_cfg cfg = {};
	struct portshare_net *pn;
	int ret;
	u16 port;

	ret = get_port(info, &port) ?: get_sec_cfg(info, &cfg);
	if (ret)
		return ret;
	pn = info_pn_get(info);
	if (!pn)
		return -ENOMEM;
	portshare_port_settle(pn);
	mutex_lock(&pn->lock);
	ret = sec_add_locked(pn, info, port, &cfg);
	mutex_unlock(&pn->lock);
	return ret;
}

static int ps_sec_drop(struct sk_buff *skb, struct genl_info *info)
{
	struct portshare_net *pn = info_pn(info);
	struct portshare_sec_cfg cfg = {};
	struct portshare_port *p;
	int ret;
	u16 port;

	ret = get_port(info, &port) ?: get_sec_addr(info, &cfg);
	if (ret)
		return ret;
	if (!pn)
		return undesignated(info, port);
	portshare_port_settle(pn);
	mutex_lock(&pn->lock);
	p = designated_port(pn, info, port);
	if (!p)
		ret = -ENOENT;
	else
		ret = get_data_port(info, p, &cfg) ?:
		      portshare_sec_drop(pn, p, &cfg, PORTSHARE_REASON_NETLINK,
					 info->extack);
	mutex_unlock(&pn->lock);
	return ret;
}

/* Dumps: under the lock, with cb->seq = generation for NLM_F_DUMP_INTR. */

struct port_dump {
	u32 next;	/* lowest port not dumped yet */
};

struct sec_dump {
	u32 port;	/* the port being dumped, or the next one */
	u32 idx;	/* secondaries of @port already dumped */
};

static void *dump_put(struct sk_buff *skb, struct netlink_callback *cb,
		      u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &ps_family, NLM_F_MULTI, cmd);
	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

static int dump_port(struct sk_buff *skb, struct netlink_callback *cb,
		     const struct portshare_port *p)
{
	void *hdr;

	hdr = dump_put(skb, cb, PORTSHARE_CMD_PORT_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (put_port(skb, p)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int dump_sec(struct sk_buff *skb, struct netlink_callback *cb,
		    const struct portshare_port *p,
		    const struct portshare_secondary *s)
{
	void *hdr;

	hdr = dump_put(skb, cb, PORTSHARE_CMD_SEC_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (put_sec(skb, p, s)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static struct portshare_net *dump_pn(struct netlink_callback *cb)
{
	return portshare_net(sock_net(cb->skb->sk));
}

static int ps_port_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct port_dump *ctx = (struct port_dump *)cb->ctx;
	struct portshare_net *pn = dump_pn(cb);
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

static int ps_sec_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr *filter = dump_attrs(cb)[PORTSHARE_A_PORT];
	struct sec_dump *ctx = (struct sec_dump *)cb->ctx;
	struct portshare_net *pn = dump_pn(cb);
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

static const struct genl_small_ops ps_ops[] = {
	{
		.cmd = PORTSHARE_CMD_PORT_NEW,
		.doit = ps_port_new,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PORTSHARE_CMD_PORT_DEL,
		.doit = ps_port_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	/*
	 * Open to every user: ports, registration ports, caps and counters
	 * are no secret (the registration sockets show in ss -ul), and an
	 * unprivileged secondary needs them to find a registration port.
	 */
	{
		.cmd = PORTSHARE_CMD_PORT_GET,
		.doit = ps_port_get,
		.dumpit = ps_port_dump,
	},
	{
		.cmd = PORTSHARE_CMD_SEC_ADD,
		.doit = ps_sec_add,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PORTSHARE_CMD_SEC_DROP,
		.doit = ps_sec_drop,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PORTSHARE_CMD_SEC_GET,
		.dumpit = ps_sec_dump,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PORTSHARE_CMD_ACL_ADD,
		.doit = portshare_nl_acl_add,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PORTSHARE_CMD_ACL_DEL,
		.doit = portshare_nl_acl_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PORTSHARE_CMD_ACL_GET,
		.dumpit = portshare_nl_acl_dump,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

/*
 * parallel_ops: requests of different namespaces never wait for each
 * other, nor every genetlink family of the host for one of ours (a port's
 * removal waits for an RCU grace period).  Each namespace's lock
 * serialises its requests; creating a namespace's state has its own lock
 * (pernet.c).
 */
static struct genl_family ps_family __ro_after_init = {
	.name = PORTSHARE_GENL_NAME,
	.version = PORTSHARE_GENL_VERSION,
	.maxattr = PORTSHARE_A_MAX,
	.policy = ps_policy,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.small_ops = ps_ops,
	.n_small_ops = ARRAY_SIZE(ps_ops),
	.resv_start_op = PORTSHARE_CMD_MAX + 1,
	.mcgrps = ps_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ps_mcgrps),
};

/**
 * portshare_genl_register() - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int __init portshare_genl_register(void)
{
	int ret;

	ret = genl_register_family(&ps_family);
	if (!ret)
		WRITE_ONCE(ps_genl_up, true);
	return ret;
}

/**
 * portshare_genl_unregister() - stop events and unregister the family
 */
void portshare_genl_unregister(void)
{
	WRITE_ONCE(ps_genl_up, false);
	genl_unregister_family(&ps_family);
}
