// SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note
/* Do not edit directly, auto-generated from: */
/*	uapi/linux/portshare.yaml (scripts/ynl-gen) */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "nl_gen.h"

#include <uapi/linux/portshare_nl.h>

/* Integer value ranges */
/* Not const: 6.1's nla_policy points at a non-const range */
static struct netlink_range_validation portshare_a_sample_range = {
	.min	= 1ULL,
	.max	= PORTSHARE_SAMPLE_LIMIT,
};

/* Not const: 6.1's nla_policy points at a non-const range */
static struct netlink_range_validation portshare_a_lease_range = {
	.max	= PORTSHARE_LEASE_MAX,
};

/* Not const: 6.1's nla_policy points at a non-const range */
static struct netlink_range_validation portshare_a_rate_range = {
	.max	= PORTSHARE_RATE_MAX,
};

/* Not const: 6.1's nla_policy points at a non-const range */
static struct netlink_range_validation portshare_a_burst_range = {
	.min	= 1ULL,
	.max	= PORTSHARE_RATE_MAX,
};

/* Not const: 6.1's nla_policy points at a non-const range */
static struct netlink_range_validation portshare_a_hold_range = {
	.max	= PORTSHARE_LEASE_MAX,
};

/* Common nested types */
const struct nla_policy portshare_prefix_nl_policy[PORTSHARE_A_PREFIX_LEN + 1] = {
	[PORTSHARE_A_ADDR4] = { .type = NLA_U32, },
	[PORTSHARE_A_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[PORTSHARE_A_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* Global operation policy for portshare */
const struct nla_policy portshare_nl_policy[PORTSHARE_A_HOLD + 1] = {
	[PORTSHARE_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[PORTSHARE_A_REG_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[PORTSHARE_A_REG_OFF] = { .type = NLA_FLAG, },
	[PORTSHARE_A_MAX_SECONDARIES] =
		NLA_POLICY_RANGE(NLA_U32, 1, PORTSHARE_MAX_SECONDARIES_LIMIT),
	[PORTSHARE_A_ADDR4] = { .type = NLA_U32, },
	[PORTSHARE_A_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[PORTSHARE_A_DATA_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[PORTSHARE_A_MODE] = NLA_POLICY_MAX(NLA_U8, 2),
	[PORTSHARE_A_SAMPLE] = NLA_POLICY_FULL_RANGE(NLA_U32, &portshare_a_sample_range),
	[PORTSHARE_A_AUTO_PORT] = { .type = NLA_FLAG, },
	[PORTSHARE_A_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[PORTSHARE_A_ACL_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x3),
	[PORTSHARE_A_FROM] = NLA_POLICY_NESTED(portshare_prefix_nl_policy),
	[PORTSHARE_A_LEASE] = NLA_POLICY_FULL_RANGE(NLA_U32, &portshare_a_lease_range),
	[PORTSHARE_A_RATE] = NLA_POLICY_FULL_RANGE(NLA_U32, &portshare_a_rate_range),
	[PORTSHARE_A_BURST] = NLA_POLICY_FULL_RANGE(NLA_U32, &portshare_a_burst_range),
	[PORTSHARE_A_TTL] = NLA_POLICY_MIN(NLA_U8, 1),
	[PORTSHARE_A_DEAD_ERRORS] = NLA_POLICY_MAX(NLA_U32, PORTSHARE_DEAD_ERRORS_MAX),
	[PORTSHARE_A_DEAD_PERIOD] = NLA_POLICY_RANGE(NLA_U32, 1, PORTSHARE_DEAD_PERIOD_MAX),
	[PORTSHARE_A_HOLD] = NLA_POLICY_FULL_RANGE(NLA_U32, &portshare_a_hold_range),
};

/* Ops table for portshare */
const struct genl_small_ops portshare_nl_ops[9] = {
	{
		.cmd	= PORTSHARE_CMD_PORT_NEW,
		.doit	= portshare_nl_port_new_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= PORTSHARE_CMD_PORT_DEL,
		.doit	= portshare_nl_port_del_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= PORTSHARE_CMD_PORT_GET,
		.doit	= portshare_nl_port_get_doit,
		.dumpit	= portshare_nl_port_get_dumpit,
	},
	{
		.cmd	= PORTSHARE_CMD_SEC_ADD,
		.doit	= portshare_nl_sec_add_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= PORTSHARE_CMD_SEC_DROP,
		.doit	= portshare_nl_sec_drop_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= PORTSHARE_CMD_SEC_GET,
		.dumpit	= portshare_nl_sec_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= PORTSHARE_CMD_ACL_ADD,
		.doit	= portshare_nl_acl_add_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= PORTSHARE_CMD_ACL_DEL,
		.doit	= portshare_nl_acl_del_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= PORTSHARE_CMD_ACL_GET,
		.dumpit	= portshare_nl_acl_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};
