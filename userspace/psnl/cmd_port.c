// SPDX-License-Identifier: GPL-2.0
/*
 * port add, port del and port list: contested (designated) ports.
 */
#include <errno.h>
#include <string.h>
#include <netlink/attr.h>

#include "psnl.h"

#define MAX_DEFAULT_REG_PORT_BASE (65535 - PORTSHARE_REG_PORT_OFFSET)

struct port_args {
	uint16_t port;
	bool has_reg;
	bool reg_off;
	uint16_t reg_port;
	bool has_max;
	uint32_t max;
	bool has_lease;
	uint32_t lease;
	struct psnl_limits limits;
	struct psnl_dead dead;
};

static int parse_reg_option(int argc, char **argv, int *i,
			    struct port_args *a)
{
	const char *value;
	int err = psnl_once(&a->has_reg, "reg");

	if (!err)
		err = psnl_next_value(argc, argv, i,
				      "a registration port 1..65535 or off",
				      &value);
	if (err)
		return err;
	if (!strcmp(value, "off")) {
		a->reg_off = true;
		return 0;
	}
	return psnl_parse_port("registration port", value, &a->reg_port);
}

static int parse_max_option(int argc, char **argv, int *i,
			    struct port_args *a)
{
	const char *value;
	int err = psnl_once(&a->has_max, "max");

	if (!err)
		err = psnl_next_value(argc, argv, i, "a number 1..4096", &value);
	if (!err)
		err = psnl_parse_u32("max", value, 1,
				     PORTSHARE_MAX_SECONDARIES_LIMIT, &a->max);
	return err;
}

/*
 * [reg REGPORT|off] [max N] [lease SECONDS] [rate PPS[/BURST]] [ttl N]
 * [dead E/S|off] [hold SECONDS], each at most once.
 */
static int parse_options(int argc, char **argv, int i, struct port_args *a)
{
	int err;

	for (; i < argc; i++) {
		if (!strcmp(argv[i], "reg"))
			err = parse_reg_option(argc, argv, &i, a);
		else if (!strcmp(argv[i], "max"))
			err = parse_max_option(argc, argv, &i, a);
		else if (!strcmp(argv[i], "lease"))
			err = psnl_parse_lease_option(argc, argv, &i,
						      &a->has_lease, &a->lease);
		else if (psnl_limits_keyword(argv[i]))
			err = psnl_parse_limits_option(argc, argv, &i,
						       &a->limits);
		else if (psnl_dead_keyword(argv[i]))
			err = psnl_parse_dead_option(argc, argv, &i, &a->dead);
		else
			err = psnl_usage_error("unknown keyword \"%s\": expected reg, max, lease, rate, ttl, dead or hold",
					       argv[i]);
		if (err)
			return err;
	}
	return 0;
}

/* The default registration port is PORT + 13000, if that is a port. */
static int check_default_reg(const struct port_args *a)
{
	if (a->has_reg || a->port <= MAX_DEFAULT_REG_PORT_BASE)
		return 0;
	return psnl_usage_error("port %u has no default registration port (%u + %u > 65535): give \"reg REGPORT\" or \"reg off\"",
				a->port, a->port, PORTSHARE_REG_PORT_OFFSET);
}

static int put_port_options(struct nl_msg *msg, const struct port_args *a)
{
	if (a->reg_off && nla_put_flag(msg, PORTSHARE_A_REG_OFF) < 0)
		return -ENOBUFS;
	if (a->reg_port &&
	    nla_put_u16(msg, PORTSHARE_A_REG_PORT, a->reg_port) < 0)
		return -ENOBUFS;
	if (a->has_max &&
	    nla_put_u32(msg, PORTSHARE_A_MAX_SECONDARIES, a->max) < 0)
		return -ENOBUFS;
	if (a->has_lease && nla_put_u32(msg, PORTSHARE_A_LEASE, a->lease) < 0)
		return -ENOBUFS;
	if (psnl_put_limits(msg, &a->limits))
		return -ENOBUFS;
	return psnl_put_dead(msg, &a->dead);
}

static int send_port(struct psnl *ps, uint8_t cmd, const struct port_args *a)
{
	struct nl_msg *msg;
	int err = psnl_nl_open(ps);

	if (err)
		return err;
	msg = psnl_nl_new_request(ps->nl, cmd);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u16(msg, PORTSHARE_A_PORT, a->port) < 0 ||
	    put_port_options(msg, a) < 0)
		return psnl_nl_discard(msg);
	return psnl_nl_request(ps->nl, msg);
}

static int parse_port_arg(int argc, char **argv, struct port_args *a)
{
	if (argc < 1)
		return psnl_missing("PORT");
	return psnl_parse_port("port", argv[0], &a->port);
}

static int do_port_add(struct psnl *ps, int argc, char **argv)
{
	struct port_args a = { 0 };
	int err;

	err = parse_port_arg(argc, argv, &a);
	if (!err)
		err = parse_options(argc, argv, 1, &a);
	if (!err)
		err = check_default_reg(&a);
	if (err)
		return err;
	return send_port(ps, PORTSHARE_CMD_PORT_NEW, &a);
}

static int do_port_del(struct psnl *ps, int argc, char **argv)
{
	struct port_args a = { 0 };
	int err;

	err = parse_port_arg(argc, argv, &a);
	if (!err)
		err = psnl_no_more_args(argc, argv, 1);
	if (err)
		return err;
	return send_port(ps, PORTSHARE_CMD_PORT_DEL, &a);
}

static int do_port_list(struct psnl *ps, int argc, char **argv)
{
	int err = psnl_no_more_args(argc, argv, 0);

	if (err)
		return err;
	return psnl_show(ps, PORTSHARE_CMD_PORT_GET, 0, psnl_format_port);
}

static const struct psnl_cmd port_add = {
	.name = "add",
	.args = "PORT [reg REGPORT|off] [max N] [lease SECONDS] [rate PPS[/BURST]] [ttl N] [dead E/S|off] [hold SECONDS]",
	.help = "designate PORT as a contested port\n"
		"reg is the registration port (default PORT + 13000, which must\n"
		"be given for ports above 52535); reg off answers no ADD/DROP\n"
		"requests.  max caps the distribution list (1..4096, default 64).\n"
		"lease (1..31536000 seconds; default 0: none) is the lease of\n"
		"secondaries that register over the wire: one not refreshed by\n"
		"a repeated ADD within it is dropped, reason expired.\n"
		"rate (0..10000000 copies per second, 0: none; BURST 1..10000000,\n"
		"default PPS) caps their copies; one over it counts as\n"
		"drop_ratelimited.  An ADD's rate=PPS may lower it, never raise it.\n"
		"ttl (1..255; default the route's) is their copies' TTL or hop\n"
		"limit.  dead E/S (default 3/10) declares any secondary of the\n"
		"port dead after E errors (ICMP unreachable, 0..1000) within S\n"
		"seconds (1..3600): it then gets only a probe copy every S\n"
		"seconds until one draws no error; dead off (E 0) never does.\n"
		"hold (0..31536000 seconds, 0: never; default 300) drops a\n"
		"secondary registered over the wire that has been dead that\n"
		"long, reason unreachable.",
	.handler = do_port_add,
};

static const struct psnl_cmd port_del = {
	.name = "del",
	.args = "PORT",
	.help = "stop sharing PORT\n"
		"Its secondaries are sent SHUTDOWN, then its list is purged.",
	.handler = do_port_del,
};

static const struct psnl_cmd port_list = {
	.name = "list",
	.args = "",
	.help = "show the contested ports, with counters\n"
		"The output is in command syntax and can be fed to psnl -b.",
	.handler = do_port_list,
};

static const struct psnl_cmd *const port_commands[] = {
	&port_add,
	&port_del,
	&port_list,
	NULL,
};

const struct psnl_cmd psnl_cmd_port = {
	.name = "port",
	.args = "add|del|list ...",
	.help = "manage contested ports",
	.sub = port_commands,
};
