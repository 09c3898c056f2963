// SPDX-License-Identifier: GPL-2.0
/*
 * dead E/S|off and hold SECONDS: dead-secondary detection.  "port add"
 * takes both (DEAD_ERRORS and DEAD_PERIOD for all its secondaries, HOLD
 * for those registering over the wire); "add" takes hold (one
 * secondary's HOLD).
 */

#include <errno.h>
#include <string.h>

#include <netlink/attr.h>

#include "psnl.h"

bool psnl_dead_keyword(const char *word)
{
	return !strcmp(word, "dead") || !strcmp(word, "hold");
}

static int dead_error(const char *value, const char *why)
{
	return psnl_usage_error("invalid dead \"%s\": %s", value, why);
}

/* E/S or off (E 0).  Errors quote the whole word. */
static int parse_dead(const char *value, struct psnl_dead *d)
{
	char *end;

	if (!strcmp(value, "off")) {
		d->errors = 0;
		return 0;
	}
	if (!psnl_number_part(value, 0, PORTSHARE_DEAD_ERRORS_MAX, &end,
			 &d->errors) || *end != '/')
		return dead_error(value, "expected E/S or off, E errors 0..1000 (0: off) and S seconds 1..3600");
	if (!psnl_number_part(end + 1, 1, PORTSHARE_DEAD_PERIOD_MAX, &end,
			 &d->period) || *end)
		return dead_error(value, "expected E/S, S seconds 1..3600");
	d->has_period = true;
	return 0;
}

/* argv[*i] is dead or hold (psnl_dead_keyword()), each at most once. */
int psnl_parse_dead_option(int argc, char **argv, int *i, struct psnl_dead *d)
{
	const char *value = NULL;
	int err;

	if (!strcmp(argv[*i], "dead")) {
		err = psnl_once(&d->has_dead, "dead");
		if (!err)
			err = psnl_next_value(argc, argv, i,
					      "errors/seconds E/S or off",
					      &value);
		return err ? err : parse_dead(value, d);
	}
	err = psnl_once(&d->has_hold, "hold");
	if (!err)
		err = psnl_next_value(argc, argv, i,
				      "seconds 0..31536000 (0: never)", &value);
	if (!err)
		err = psnl_parse_u32("hold", value, 0, PORTSHARE_LEASE_MAX,
				     &d->hold);
	return err;
}

/* DEAD_ERRORS, DEAD_PERIOD (not with off) and HOLD, as given. */
int psnl_put_dead(struct nl_msg *msg, const struct psnl_dead *d)
{
	if (d->has_dead &&
	    nla_put_u32(msg, PORTSHARE_A_DEAD_ERRORS, d->errors) < 0)
		return -ENOBUFS;
	if (d->has_period &&
	    nla_put_u32(msg, PORTSHARE_A_DEAD_PERIOD, d->period) < 0)
		return -ENOBUFS;
	if (d->has_hold && nla_put_u32(msg, PORTSHARE_A_HOLD, d->hold) < 0)
		return -ENOBUFS;
	return 0;
}
