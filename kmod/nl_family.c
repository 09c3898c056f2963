// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "portshare" (uapi/linux/portshare.h): what
 * its spec cannot generate around the policy and op table of nl_gen.c, and
 * what every doit handler needs first, in one pre_doit: the request header
 * checked, the namespace's state looked up (or created) and its lock
 * taken; post_doit drops the lock.
 */

#include "netlink.h"

/*
 * Events name secondaries and their data ports, which is what a DROP over
 * the wire needs: only CAP_NET_ADMIN in the namespace's user namespace
 * may listen, as for SEC_GET.  Not generated: ynl-gen-c of 6.12 renders
 * no group flags, and a genetlink-legacy family's struct is handwritten.
 */
static const struct genl_multicast_group ps_mcgrps[] = {
	[PORTSHARE_NLGRP_EVENTS] = {
		.name = PORTSHARE_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/*
 * The family's policy: the generated one, up to PORTSHARE_A_MAX, with
 * every attribute that no request carries (those only in replies and
 * events) rejected with a message saying so rather than strict
 * validation's "Unsupported attribute".  YNL cannot say this, and the
 * generated policy ends at the last attribute of a request.  Filled
 * before the family is registered.
 */
static struct nla_policy ps_policy[PORTSHARE_A_MAX + 1] __ro_after_init;

static void __init ps_policy_init(void)
{
	static const struct nla_policy reply_only = {
		.type = NLA_REJECT,
		.reject_message = "attribute is only used in replies and events",
	};
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(portshare_nl_policy) > ARRAY_SIZE(ps_policy));
	memcpy(ps_policy, portshare_nl_policy, sizeof(portshare_nl_policy));
	/*
	 * 0 is no attribute: strict validation rejects it before the policy.
	 * Copied by memcpy(): struct nla_policy has const members.
	 */
	for (i = 1; i < ARRAY_SIZE(ps_policy); i++)
		if (ps_policy[i].type == NLA_UNSPEC)
			memcpy(&ps_policy[i], &reply_only, sizeof(reply_only));
}

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
 * What pre_doit does for a command (PS_NL_*).  The op's internal_flags
 * would say it, but the generated op table (nl_gen.c) has none: YNL has no
 * word for them.
 */
static const u8 ps_cmd_flags[PORTSHARE_CMD_MAX + 1] = {
	[PORTSHARE_CMD_PORT_NEW]	= PS_NL_CREATE | PS_NL_SETTLE,
	[PORTSHARE_CMD_SEC_ADD]		= PS_NL_CREATE | PS_NL_SETTLE,
	[PORTSHARE_CMD_SEC_DROP]	= PS_NL_SETTLE,
	[PORTSHARE_CMD_ACL_ADD]		= PS_NL_CREATE,
};

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
	u8 flags = ps_cmd_flags[op->cmd];
	struct portshare_net *pn;
	int ret;

	ret = check_request_header(info);
	if (ret)
		return ret;
	pn = portshare_net(net);
	if (!pn && (flags & PS_NL_CREATE)) {
		pn = portshare_net_get(net);
		if (!pn) {
			NL_SET_ERR_MSG(info->extack,
				       "out of memory for the namespace's portshare state");
			return -ENOMEM;
		}
	}
	if (pn && (flags & PS_NL_SETTLE))
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
	.small_ops = portshare_nl_ops,
	.n_small_ops = ARRAY_SIZE(portshare_nl_ops),
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

	ps_policy_init();
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
