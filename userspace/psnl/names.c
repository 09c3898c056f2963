// SPDX-License-Identifier: GPL-2.0
/*
 * Names of the uapi enum values, used both to parse arguments and to print
 * replies.  Values a newer kernel may add print as their decimal number.
 */
#include <stdio.h>
#include <string.h>

#include "psnl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const mode_names[] = {
	[PORTSHARE_MODE_ENCAP]		= "encap",
	[PORTSHARE_MODE_RAW]		= "raw",
	[PORTSHARE_MODE_TRANSPARENT]	= "transparent",
};

const char psnl_mode_choices[] = "encap, raw or transparent";

static const char *const reason_names[] = {
	[PORTSHARE_REASON_NETLINK]	= "netlink",
	[PORTSHARE_REASON_WIRE]		= "wire",
	[PORTSHARE_REASON_PARAM]	= "param",
	[PORTSHARE_REASON_SHUTDOWN]	= "shutdown",
	[PORTSHARE_REASON_EXPIRED]	= "expired",
	[PORTSHARE_REASON_UNREACHABLE]	= "unreachable",
};

static const char *const state_names[] = {
	[PORTSHARE_STATE_UP]		= "up",
	[PORTSHARE_STATE_DEAD]		= "dead",
};

static const char *const event_names[] = {
	[PORTSHARE_CMD_PORT_NEW]	= "port_add",
	[PORTSHARE_CMD_PORT_DEL]	= "port_del",
	[PORTSHARE_CMD_SEC_ADD]		= "sec_add",
	[PORTSHARE_CMD_SEC_DROP]	= "sec_drop",
	[PORTSHARE_CMD_SHUTDOWN]	= "shutdown",
	[PORTSHARE_CMD_SEC_STATE]	= "sec_state",
};

static const char *const attr_names[] = {
	[PORTSHARE_A_PORT]		= "PORT",
	[PORTSHARE_A_REG_PORT]		= "REG_PORT",
	[PORTSHARE_A_REG_OFF]		= "REG_OFF",
	[PORTSHARE_A_MAX_SECONDARIES]	= "MAX_SECONDARIES",
	[PORTSHARE_A_NUM_SECONDARIES]	= "NUM_SECONDARIES",
	[PORTSHARE_A_ADDR4]		= "ADDR4",
	[PORTSHARE_A_ADDR6]		= "ADDR6",
	[PORTSHARE_A_DATA_PORT]		= "DATA_PORT",
	[PORTSHARE_A_MODE]		= "MODE",
	[PORTSHARE_A_SAMPLE]		= "SAMPLE",
	[PORTSHARE_A_AUTO_PORT]		= "AUTO_PORT",
	[PORTSHARE_A_REASON]		= "REASON",
	[PORTSHARE_A_STATS]		= "STATS",
	[PORTSHARE_A_PAD]		= "PAD",
	[PORTSHARE_A_PREFIX_LEN]	= "PREFIX_LEN",
	[PORTSHARE_A_ACL_FLAGS]		= "ACL_FLAGS",
	[PORTSHARE_A_DEAD_ERRORS]	= "DEAD_ERRORS",
	[PORTSHARE_A_DEAD_PERIOD]	= "DEAD_PERIOD",
	[PORTSHARE_A_HOLD]		= "HOLD",
};

static const char *lookup(const char *const *names, size_t n,
			  unsigned int value)
{
	return value < n ? names[value] : NULL;
}

static const char *name_or_number(const char *name, unsigned int value,
				  char *buf, size_t size)
{
	if (name)
		return name;
	snprintf(buf, size, "%u", value);
	return buf;
}

/* Returns the mode, or -1 for a word that names none. */
int psnl_mode_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (mode_names[i] && !strcmp(name, mode_names[i]))
			return (int)i;
	return -1;
}

const char *psnl_mode_name(unsigned int mode, char *buf, size_t size)
{
	return name_or_number(lookup(mode_names, ARRAY_SIZE(mode_names), mode),
			      mode, buf, size);
}

const char *psnl_reason_name(unsigned int reason, char *buf, size_t size)
{
	return name_or_number(lookup(reason_names, ARRAY_SIZE(reason_names),
				     reason), reason, buf, size);
}

const char *psnl_state_name(unsigned int state, char *buf, size_t size)
{
	return name_or_number(lookup(state_names, ARRAY_SIZE(state_names),
				     state), state, buf, size);
}

/* Returns NULL for commands that are not events (or not known yet). */
const char *psnl_event_name(unsigned int cmd)
{
	return lookup(event_names, ARRAY_SIZE(event_names), cmd);
}

const char *psnl_attr_name(unsigned int attr)
{
	const char *name = lookup(attr_names, ARRAY_SIZE(attr_names), attr);

	return name ? name : "(unknown)";
}
