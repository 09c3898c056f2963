// SPDX-License-Identifier: GPL-2.0
/*
 * rate PPS[/BURST] and ttl N: the rate cap and TTL that "port add" gives
 * the secondaries registering over the wire and "add" gives one
 * secondary (RATE, BURST and TTL).
 */

#include <errno.h>
#include <string.h>

#include <netlink/attr.h>

#include "psnl.h"

bool psnl_limits_keyword(const char *word)
{
	return !strcmp(word, "rate") || !strcmp(word, "ttl");
}

static int rate_error(const char *value, const char *why)
{
	return psnl_usage_error("invalid rate \"%s\": %s", value, why);
}

/* PPS or PPS/BURST; a burst needs a rate.  Errors quote the whole word. */
static int parse_rate(const char *value, struct psnl_limits *lim)
{
	char *end;

	if (!psnl_number_part(value, 0, PORTSHARE_RATE_MAX, &end,
			      &lim->rate) || (*end && *end != '/'))
		return rate_error(value, "expected PPS[/BURST], PPS a number 0..10000000 (0: none)");
	if (!*end)
		return 0;
	if (!psnl_number_part(end + 1, 1, PORTSHARE_RATE_MAX, &end,
			      &lim->burst) || *end)
		return rate_error(value, "expected PPS/BURST, BURST a number 1..10000000");
	if (!lim->rate)
		return rate_error(value, "a burst needs a rate above 0");
	return 0;
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
