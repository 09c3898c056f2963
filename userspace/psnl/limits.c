// SPDX-License-Identifier: GPL-2.0
/*
 * rate PPS[/BURST] and ttl N: the rate cap and TTL that "port add" gives
 * the secondaries registering over the wire and "add" gives one
 * secondary (RATE, BURST and TTL).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>

#include "psnl.h"

bool psnl_limits_keyword(const char *word)
{
	return !strcmp(word, "rate") || !strcmp(word, "ttl");
}

/* PPS or PPS/BURST; a burst needs a rate. */
static int parse_rate(const char *value, struct psnl_limits *lim)
{
	const char *slash = strchr(value, '/');
	char pps[16];
	int err;

	if (!slash)
		return psnl_parse_u32("rate", value, 0, PORTSHARE_RATE_MAX,
				      &lim->rate);
	if ((size_t)(slash - value) >= sizeof(pps))
		return psnl_usage_error("invalid rate \"%s\": expected PPS[/BURST], PPS 0..%u",
					value, PORTSHARE_RATE_MAX);
	memcpy(pps, value, (size_t)(slash - value));
	pps[slash - value] = '\0';
	err = psnl_parse_u32("rate", pps, 0, PORTSHARE_RATE_MAX, &lim->rate);
	if (!err)
		err = psnl_parse_u32("burst", slash + 1, 1, PORTSHARE_RATE_MAX,
				     &lim->burst);
	if (!err && !lim->rate)
		return psnl_usage_error("invalid rate \"%s\": a burst needs a rate above 0",
					value);
	return err;
}

/* argv[*i] is rate or ttl (psnl_limits_keyword()), each at most once. */
int psnl_parse_limits_option(int argc, char **argv, int *i,
			     struct psnl_limits *lim)
{
	const char *value = NULL;
	uint32_t ttl = 0;
	int err;

	if (!strcmp(argv[*i], "rate")) {
		err = psnl_once(&lim->has_rate, "rate");
		if (!err)
			err = psnl_next_value(argc, argv, i,
					      "copies per second PPS[/BURST] (0: none)",
					      &value);
		return err ? err : parse_rate(value, lim);
	}
	err = psnl_once(&lim->has_ttl, "ttl");
	if (!err)
		err = psnl_next_value(argc, argv, i,
				      "a TTL or hop limit 1..255", &value);
	if (!err)
		err = psnl_parse_u32("ttl", value, 1, 255, &ttl);
	lim->ttl = (uint8_t)ttl;
	return err;
}

/* RATE and BURST as given (the kernel's default burst is the rate), TTL. */
int psnl_put_limits(struct nl_msg *msg, const struct psnl_limits *lim)
{
	if (lim->has_rate && nla_put_u32(msg, PORTSHARE_A_RATE, lim->rate) < 0)
		return -ENOBUFS;
	if (lim->burst && nla_put_u32(msg, PORTSHARE_A_BURST, lim->burst) < 0)
		return -ENOBUFS;
	if (lim->has_ttl && nla_put_u8(msg, PORTSHARE_A_TTL, lim->ttl) < 0)
		return -ENOBUFS;
	return 0;
}
