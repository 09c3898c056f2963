// SPDX-License-Identifier: GPL-2.0
/*
 * add, drop and list: the secondaries of contested ports.
 *
 * add sets PORTSHARE_A_AUTO_PORT, so "psnl add 427 10.0.0.5" designates
 * port 427 with its defaults when it is not designated yet.  An omitted
 * DATAPORT is not sent: the kernel defaults it to the registration port.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/attr.h>

#include "psnl.h"

struct sec_args {
	uint16_t port;
	struct psnl_endpoint ep;
	bool has_mode;
	uint8_t mode;
	bool has_sample;
	uint32_t sample;
	unsigned int n_from;
	struct psnl_prefix from[PORTSHARE_FROM_MAX];
	bool has_lease;
	uint32_t lease;
	struct psnl_limits limits;
	struct psnl_dead dead;		/* hold only */
};

/* PORT ADDR[:DATAPORT] */
static int parse_target(int argc, char **argv, struct sec_args *a)
{
	int err;

	if (argc < 1)
		return psnl_missing("PORT");
	err = psnl_parse_port("port", argv[0], &a->port);
	if (err)
		return err;
	if (argc < 2)
		return psnl_missing("ADDR");
	return psnl_parse_endpoint(argv[1], &a->ep);
}

static int parse_mode(const char *word, struct sec_args *a)
{
	int mode = psnl_mode_from_name(word);

	if (mode < 0)
		return psnl_usage_error("invalid mode \"%s\": expected %s",
					word, psnl_mode_choices);
	a->mode = mode;
	return 0;
}

static int parse_mode_option(int argc, char **argv, int *i,
			     struct sec_args *a)
{
	const char *value;
	int err = psnl_once(&a->has_mode, "mode");

	if (!err)
		err = psnl_next_value(argc, argv, i, psnl_mode_choices, &value);
	if (!err)
		err = parse_mode(value, a);
	return err;
}

static int parse_sample_option(int argc, char **argv, int *i,
			       struct sec_args *a)
{
	const char *value;
	int err = psnl_once(&a->has_sample, "sample");

	if (!err)
		err = psnl_next_value(argc, argv, i, "a number 1..1000000",
				      &value);
	if (!err)
		err = psnl_parse_u32("sample", value, 1, PORTSHARE_SAMPLE_LIMIT,
				     &a->sample);
	return err;
}

static int parse_from_option(int argc, char **argv, int *i,
			     struct sec_args *a)
{
	const char *value;
	int err;

	if (a->n_from == PORTSHARE_FROM_MAX)
		return psnl_usage_error("too many \"from\": a secondary takes at most %d networks",
					PORTSHARE_FROM_MAX);
	err = psnl_next_value(argc, argv, i, "a network ADDR[/LEN]", &value);
	if (!err)
		err = psnl_parse_prefix(value, &a->from[a->n_from]);
	if (!err)
		a->n_from++;
	return err;
}

/*
 * [mode encap|raw|transparent] [sample N] [lease SECONDS]
 * [rate PPS[/BURST]] [ttl N] [hold SECONDS], each at most once, and
 * [from PREFIX] up to PORTSHARE_FROM_MAX times.
 */
static int parse_options(int argc, char **argv, int i, struct sec_args *a)
{
	int err;

	for (; i < argc; i++) {
		if (!strcmp(argv[i], "mode"))
			err = parse_mode_option(argc, argv, &i, a);
		else if (!strcmp(argv[i], "sample"))
			err = parse_sample_option(argc, argv, &i, a);
		else if (!strcmp(argv[i], "from"))
			err = parse_from_option(argc, argv, &i, a);
		else if (!strcmp(argv[i], "lease"))
			err = psnl_parse_lease_option(argc, argv, &i,
						      &a->has_lease, &a->lease);
		else if (psnl_limits_keyword(argv[i]))
			err = psnl_parse_limits_option(argc, argv, &i,
						       &a->limits);
		else if (!strcmp(argv[i], "hold"))
			err = psnl_parse_dead_option(argc, argv, &i, &a->dead);
		else
			err = psnl_usage_error("unknown keyword \"%s\": expected mode, sample, from, lease, rate, ttl or hold",
					       argv[i]);
		if (err)
			return err;
	}
	return 0;
}

static int put_target(struct nl_msg *msg, const struct sec_args *a)
{
	const struct psnl_endpoint *ep = &a->ep;

	if (nla_put_u16(msg, PORTSHARE_A_PORT, a->port) < 0)
		return -ENOBUFS;
	if (ep->family == AF_INET &&
	    nla_put(msg, PORTSHARE_A_ADDR4, sizeof(ep->addr4), &ep->addr4) < 0)
		return -ENOBUFS;
	if (ep->family == AF_INET6 &&
	    nla_put(msg, PORTSHARE_A_ADDR6, sizeof(ep->addr6), &ep->addr6) < 0)
		return -ENOBUFS;
	if (ep->port && nla_put_u16(msg, PORTSHARE_A_DATA_PORT, ep->port) < 0)
		return -ENOBUFS;
	return 0;
}

/* Each network of the source filter in a FROM nest of its own. */
static int put_from(struct nl_msg *msg, const struct sec_args *a)
{
	struct nlattr *nest;
	unsigned int i;

	for (i = 0; i < a->n_from; i++) {
		nest = nla_nest_start(msg, PORTSHARE_A_FROM);
		if (!nest || psnl_put_prefix(msg, &a->from[i]))
			return -ENOBUFS;
		nla_nest_end(msg, nest);
	}
	return 0;
}

static int put_options(struct nl_msg *msg, const struct sec_args *a)
{
	if (nla_put_flag(msg, PORTSHARE_A_AUTO_PORT) < 0)
		return -ENOBUFS;
	if (a->has_mode && nla_put_u8(msg, PORTSHARE_A_MODE, a->mode) < 0)
		return -ENOBUFS;
	if (a->has_sample &&
	    nla_put_u32(msg, PORTSHARE_A_SAMPLE, a->sample) < 0)
		return -ENOBUFS;
	if (a->has_lease && nla_put_u32(msg, PORTSHARE_A_LEASE, a->lease) < 0)
		return -ENOBUFS;
	if (psnl_put_limits(msg, &a->limits) || psnl_put_dead(msg, &a->dead))
		return -ENOBUFS;
	return put_from(msg, a);
}

static int send_sec(struct psnl *ps, uint8_t cmd, const struct sec_args *a)
{
	struct nl_msg *msg;
	int err = psnl_nl_open(ps);

	if (err)
		return err;
	msg = psnl_nl_new_request(ps->nl, cmd);
	if (!msg)
		return -ENOMEM;
	err = put_target(msg, a);
	if (!err && cmd == PORTSHARE_CMD_SEC_ADD)
		err = put_options(msg, a);
	if (err)
		return psnl_nl_discard(msg);
	return psnl_nl_request(ps->nl, msg);
}

static int do_add(struct psnl *ps, int argc, char **argv)
{
	struct sec_args a = { 0 };
	int err;

	err = parse_target(argc, argv, &a);
	if (!err)
		err = parse_options(argc, argv, 2, &a);
	if (err)
		return err;
	return send_sec(ps, PORTSHARE_CMD_SEC_ADD, &a);
}

static int do_drop(struct psnl *ps, int argc, char **argv)
{
	struct sec_args a = { 0 };
	int err;

	err = parse_target(argc, argv, &a);
	if (!err)
		err = psnl_no_more_args(argc, argv, 2);
	if (err)
		return err;
	return send_sec(ps, PORTSHARE_CMD_SEC_DROP, &a);
}

static int do_list(struct psnl *ps, int argc, char **argv)
{
	uint16_t port = 0;
	int err = 0;

	if (argc > 0)
		err = psnl_parse_port("port", argv[0], &port);
	if (!err)
		err = psnl_no_more_args(argc, argv, 1);
	if (err)
		return err;
	return psnl_show(ps, PORTSHARE_CMD_SEC_GET, port,
			 psnl_format_secondary);
}

const struct psnl_cmd psnl_cmd_add = {
	.name = "add",
	.args = "PORT ADDR[:DATAPORT] [mode encap|raw|transparent] [sample N] [from PREFIX]... [lease SECONDS] [rate PPS[/BURST]] [ttl N] [hold SECONDS]",
	.help = "add a secondary to PORT's distribution list\n"
		"PORT is designated with its defaults first if it is not yet.\n"
		"ADDR is an IPv4 or IPv6 address or a host name (first result);\n"
		"write an IPv6 address with a data port as [ADDR]:DATAPORT.\n"
		"DATAPORT defaults to PORT's registration port.  mode (default\n"
		"encap) is how copies are delivered; sample N delivers one\n"
		"datagram in N (1..1000000, default 1).  from PREFIX (up to 8,\n"
		"ADDR[/LEN], IPv4 or IPv6) copies only datagrams whose source\n"
		"is in one of the networks; the others count as skip_filtered.\n"
		"lease SECONDS (1..31536000; default 0: none) drops the secondary,\n"
		"reason expired, unless an ADD on the registration port refreshes\n"
		"it within that time.  rate PPS[/BURST] (0..10000000 copies per\n"
		"second, 0: none; BURST 1..10000000, default PPS) caps its copies;\n"
		"one over it counts as drop_ratelimited.  ttl N (1..255; default\n"
		"the route's) is its copies' TTL or hop limit.  hold SECONDS\n"
		"(0..31536000; default 0: never) drops it, reason unreachable,\n"
		"once it has been dead (the port's dead E/S) that long.",
	.handler = do_add,
};

const struct psnl_cmd psnl_cmd_drop = {
	.name = "drop",
	.args = "PORT ADDR[:DATAPORT]",
	.help = "remove a secondary from PORT's distribution list\n"
		"DATAPORT defaults to PORT's registration port, as for add.",
	.handler = do_drop,
};

const struct psnl_cmd psnl_cmd_list = {
	.name = "list",
	.args = "[PORT]",
	.help = "show the distribution lists, or PORT's, with counters\n"
		"The output is in command syntax and can be fed to psnl -b.\n"
		"A dead secondary has \"state dead Ns\" first in its comment.",
	.handler = do_list,
};
