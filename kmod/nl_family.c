// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "portshare" (uapi/linux/portshare.h): its
 * policy and op table, and what every doit handler needs first, in one
 * pre_doit: the request header checked, the namespace's state looked up
 * (or created) and its lock taken; post_doit drops the lock.
 */

#include "netlink.h"

#include <linux/in6.h>

/*
 * Events name secondaries and their data ports, which is what a DROP over
 * the wire needs: only CAP_NET_ADMIN in the namespace's user namespace
 * may listen, as for SEC_GET.
 */
static const struct genl_multicast_group ps_mcgrps[] = {
	[PORTSHARE_NL_MCGRP_EVENTS] = {
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

/* 6.2 split the ops that pre_doit and post_doit are given. */
#ifdef PORTSHARE_HAVE_GENL_SPLIT_OPS
#define ps_genl_op	genl_split_ops
#else
#define ps_genl_op	genl_ops
#endif

/*
 * Creating the state of a namespace that never used portshare, or
 * settling (which waits for a work item), happen before the lock is
 * taken: the namespace's lock serialises its requests, and a port's
 * removal work takes it too.
 */
static int ps_pre_doit(const struct ps_genl_op *op, struct sk_buff *skb,
		       struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct portshare_net *pn;
	int ret;

	ret = check_request_header(info);
	if (ret)
		return ret;
	pn = portshare_net(net);
	if (!pn && (op->internal_flags & PS_NL_CREATE)) {
		pn = portshare_net_get(net);
		if (!pn) {
			NL_SET_ERR_MSG(info->extack,
				       "out of memory for the namespace's portshare state");
			return -ENOMEM;
		}
	}
	if (pn && (op->internal_flags & PS_NL_SETTLE))
		portshare_port_settle(pn);
	if (pn)
		mutex_lock(&pn->lock);
	info->user_ptr[0] = pn;
	return 0;
}

static void ps_post_doit(const struct ps_genl_op *op, struct sk_buff *skb,
			 struct genl_info *info)
{
	struct portshare_net *pn = portshare_nl_pn(info);

	if (pn)
		mutex_unlock(&pn->lock);
}

static const struct genl_small_ops ps_ops[] = {
	{
		.cmd = PORTSHARE_CMD_PORT_NEW,
		.doit = portshare_nl_port_new_doit,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = PS_NL_CREATE | PS_NL_SETTLE,
	},
	{
		.cmd = PORTSHARE_CMD_PORT_DEL,
		.doit = portshare_nl_port_del_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	/*
	 * Open to every user: ports, registration ports, caps and counters
	 * are no secret (the registration sockets show in ss -ul), and an
	 * unprivileged secondary needs them to find a registration port.
	 */
	{
		.cmd = PORTSHARE_CMD_PORT_GET,
		.doit = portshare_nl_port_get_doit,
		.dumpit = portshare_nl_port_get_dumpit,
	},
	{
		.cmd = PORTSHARE_CMD_SEC_ADD,
		.doit = portshare_nl_sec_add_doit,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = PS_NL_CREATE | PS_NL_SETTLE,
	},
	{
		.cmd = PORTSHARE_CMD_SEC_DROP,
		.doit = portshare_nl_sec_drop_doit,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = PS_NL_SETTLE,
	},
	{
		.cmd = PORTSHARE_CMD_SEC_GET,
		.dumpit = portshare_nl_sec_get_dumpit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PORTSHARE_CMD_ACL_ADD,
		.doit = portshare_nl_acl_add_doit,
		.flags = GENL_UNS_ADMIN_PERM,
		.internal_flags = PS_NL_CREATE,
	},
	{
		.cmd = PORTSHARE_CMD_ACL_DEL,
		.doit = portshare_nl_acl_del_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PORTSHARE_CMD_ACL_GET,
		.dumpit = portshare_nl_acl_get_dumpit,
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
struct genl_family portshare_nl_family __ro_after_init = {
	.name = PORTSHARE_GENL_NAME,
	.version = PORTSHARE_GENL_VERSION,
	.maxattr = PORTSHARE_A_MAX,
	.policy = ps_policy,
	.netnsok = true,
	.parallel_ops = true,
	.pre_doit = ps_pre_doit,
	.post_doit = ps_post_doit,
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

	ret = genl_register_family(&portshare_nl_family);
	if (!ret)
		portshare_nl_events_start();
	return ret;
}

/**
 * portshare_genl_unregister() - stop events and unregister the family
 */
void portshare_genl_unregister(void)
{
	portshare_nl_events_stop();
	genl_unregister_family(&portshare_nl_family);
}
