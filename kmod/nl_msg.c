// SPDX-License-Identifier: GPL-2.0
/*
 * What the object files share: message sizes and builders, used by
 * replies, dumps and events, and the readers of request and dump
 * attributes that more than one object has.
 */

#include "netlink.h"

#include <linux/in.h>
#include <linux/socket.h>
#include <net/sock.h>

/**
 * portshare_nl_get_addr() - the request's one address attribute
 * @info: the request
 *
 * Return: ADDR4 or ADDR6, or NULL with an extack message if it has both
 * or neither.
 */
struct nlattr *portshare_nl_get_addr(struct genl_info *info)
{
	struct nlattr *a4 = info->attrs[PORTSHARE_A_ADDR4];
	struct nlattr *a6 = info->attrs[PORTSHARE_A_ADDR6];

	if (!a4 != !a6)
		return a4 ?: a6;
	if (a6)
		NL_SET_BAD_ATTR(info->extack, a6);
	else
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, PORTSHARE_A_ADDR4);
	NL_SET_ERR_MSG(info->extack, "give exactly one of ADDR4 or ADDR6");
	return NULL;
}

/* genl_dumpit_info() gained an embedded genl_info in 6.6. */
struct nlattr **portshare_nl_dump_attrs(struct netlink_callback *cb)
{
#ifdef PORTSHARE_HAVE_DUMPIT_INFO_INFO
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * A port reports rx, shared, its errors and its registration counters; a
 * secondary more.
 */
#define PS_PORT_NSTATS	(2 + PS_PORT_ERR_MAX + PS_REG_NR_COUNTERS)
#define PS_SEC_NSTATS	(7 + PS_SEC_DROP_MAX)

static size_t stats_size(void)
{
	return nla_total_size(0) +
	       max(PS_PORT_NSTATS, PS_SEC_NSTATS) *
	       nla_total_size_64bit(sizeof(u64));
}

size_t portshare_nl_port_size(void)
{
	return 2 * nla_total_size(sizeof(u16)) +	/* PORT, REG_PORT */
	       3 * nla_total_size(sizeof(u32)) +	/* MAX, NUM, LEASE */
	       2 * nla_total_size(sizeof(u32)) +	/* RATE, BURST */
	       nla_total_size(sizeof(u8)) +		/* TTL */
	       3 * nla_total_size(sizeof(u32)) +	/* DEAD_*, HOLD */
	       stats_size() +
	       nla_total_size(sizeof(u8));		/* REASON */
}

size_t portshare_nl_sec_size(void)
{
	return 2 * nla_total_size(sizeof(u16)) +	/* PORT, DATA_PORT */
	       nla_total_size(sizeof(struct in6_addr)) +
	       nla_total_size(sizeof(u8)) +		/* MODE */
	       3 * nla_total_size(sizeof(u32)) +	/* SAMPLE, LEASE{,_LEFT} */
	       2 * nla_total_size(sizeof(u32)) +	/* RATE, BURST */
	       nla_total_size(sizeof(u8)) +		/* TTL */
	       2 * nla_total_size(sizeof(u32)) +	/* HOLD, DEAD_FOR */
	       nla_total_size(sizeof(u8)) +		/* STATE */
	       PS_FROM_MAX * (nla_total_size(0) +	/* FROM */
			      nla_total_size(sizeof(struct in6_addr)) +
			      nla_total_size(sizeof(u8))) +
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
	[PS_REG_VERIFY] = PORTSHARE_STAT_REG_VERIFY,
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
	st[3] = (struct ps_stat){ PORTSHARE_STAT_SEC_FILTERED, t.filtered };
	for (i = 0; i < PS_SEC_DROP_MAX; i++)
		st[4 + i] = (struct ps_stat){ portshare_sec_drop_stat[i],
					      t.drop[i] };
	i += 4;
	st[i++] = (struct ps_stat){ PORTSHARE_STAT_SEC_ICMP_ERRORS,
				    t.icmp_errors };
	st[i++] = (struct ps_stat){ PORTSHARE_STAT_SEC_DEAD_SKIPPED,
				    t.dead_skipped };
	st[i++] = (struct ps_stat){ PORTSHARE_STAT_SEC_PROBES, t.probes };
	return put_stats(skb, st, i);
}

int portshare_nl_put_reg_port(struct sk_buff *skb,
			      const struct portshare_port *p)
{
	if (p->reg_off)
		return nla_put_flag(skb, PORTSHARE_A_REG_OFF);
	return nla_put_u16(skb, PORTSHARE_A_REG_PORT, p->reg_port);
}

int portshare_nl_put_port(struct sk_buff *skb, const struct portshare_port *p)
{
	if (nla_put_u16(skb, PORTSHARE_A_PORT, p->port) ||
	    portshare_nl_put_reg_port(skb, p) ||
	    nla_put_u32(skb, PORTSHARE_A_MAX_SECONDARIES, p->max_secondaries) ||
	    nla_put_u32(skb, PORTSHARE_A_NUM_SECONDARIES, p->num_secondaries) ||
	    (p->lease && nla_put_u32(skb, PORTSHARE_A_LEASE, p->lease)) ||
	    portshare_nl_put_limits(skb, &p->limits) ||
	    portshare_nl_put_dead(skb, &p->dead))
		return -EMSGSIZE;
	return put_port_stats(skb, p);
}

static int put_addr(struct sk_buff *skb, const struct portshare_secondary *s)
{
	if (s->family == AF_INET)
		return nla_put_in_addr(skb, PORTSHARE_A_ADDR4, s->addr.v4.s_addr);
	return nla_put_in6_addr(skb, PORTSHARE_A_ADDR6, &s->addr.v6);
}

/* One FROM nest: ADDR4 or ADDR6, and PREFIX_LEN. */
static int put_from(struct sk_buff *skb, const struct ps_prefix *from)
{
	struct nlattr *nest = nla_nest_start(skb, PORTSHARE_A_FROM);
	int ret;

	if (!nest)
		return -EMSGSIZE;
	if (from->family == PS_ACL_INET)
		ret = nla_put(skb, PORTSHARE_A_ADDR4, 4, from->addr);
	else
		ret = nla_put(skb, PORTSHARE_A_ADDR6, 16, from->addr);
	if (ret || nla_put_u8(skb, PORTSHARE_A_PREFIX_LEN, from->len)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* LEASE and LEASE_LEFT, if the secondary has a lease. */
static int put_lease(struct sk_buff *skb, const struct portshare_secondary *s)
{
	if (!s->lease)
		return 0;
	if (nla_put_u32(skb, PORTSHARE_A_LEASE, s->lease) ||
	    nla_put_u32(skb, PORTSHARE_A_LEASE_LEFT, portshare_lease_left(s)))
		return -EMSGSIZE;
	return 0;
}

int portshare_nl_put_sec(struct sk_buff *skb, const struct portshare_port *p,
			 const struct portshare_secondary *s)
{
	unsigned int i;

	if (nla_put_u16(skb, PORTSHARE_A_PORT, p->port) ||
	    put_addr(skb, s) ||
	    nla_put_u16(skb, PORTSHARE_A_DATA_PORT, s->data_port) ||
	    nla_put_u8(skb, PORTSHARE_A_MODE, s->mode) ||
	    nla_put_u32(skb, PORTSHARE_A_SAMPLE, s->sample))
		return -EMSGSIZE;
	for (i = 0; i < s->n_from; i++)
		if (put_from(skb, &s->from[i]))
			return -EMSGSIZE;
	return put_lease(skb, s) ?: portshare_nl_put_limits(skb, &s->limits) ?:
	       portshare_nl_put_health(skb, s) ?: put_sec_stats(skb, s);
}

/* A dump's message header, checked against the namespace's generation. */
void *portshare_nl_dump_put(struct sk_buff *skb, struct netlink_callback *cb,
			    u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &portshare_nl_family, NLM_F_MULTI, cmd);
	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

/* The dumping socket's namespace's state, or NULL. */
struct portshare_net *portshare_nl_dump_pn(struct netlink_callback *cb)
{
	return portshare_net(sock_net(cb->skb->sk));
}
