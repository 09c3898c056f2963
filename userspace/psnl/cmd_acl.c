// SPDX-License-Identifier: GPL-2.0
/*
 * acl add, acl del and acl list: the networks whose hosts may send ADD
 * and DROP requests to the namespace's registration ports (the
 * namespace's own addresses always may).  An omitted /LEN is not sent:
 * the kernel takes the whole address.  Host bits are checked by the
 * kernel, whose message psnl prints.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/attr.h>

#include "psnl.h"

struct acl_args {
	struct psnl_prefix net;
	bool third_party;
	bool verify;
};

static int parse_net_arg(int argc, char **argv, struct acl_args *a)
{
	if (argc < 1)
		return psnl_missing("ADDR[/LEN]");
	return psnl_parse_prefix(argv[0], &a->net);
}

/* [third-party] [verify], each at most once. */
static int parse_add_options(int argc, char **argv, int i,
			     struct acl_args *a)
{
	int err;

	for (; i < argc; i++) {
		if (!strcmp(argv[i], "third-party"))
			err = psnl_once(&a->third_party, "third-party");
		else if (!strcmp(argv[i], "verify"))
			err = psnl_once(&a->verify, "verify");
		else
			err = psnl_usage_error("unknown keyword \"%s\": expected third-party or verify",
					       argv[i]);
		if (err)
			return err;
	}
	return 0;
}

static uint32_t acl_flags(const struct acl_args *a)
{
	return (a->third_party ? PORTSHARE_ACL_F_THIRD_PARTY : 0) |
	       (a->verify ? PORTSHARE_ACL_F_VERIFY : 0);
}

static int send_acl(struct psnl *ps, uint8_t cmd, const struct acl_args *a)
{
	struct nl_msg *msg;
	int err = psnl_nl_open(ps);

	if (err)
		return err;
	msg = psnl_nl_new_request(ps->nl, cmd);
	if (!msg)
		return -ENOMEM;
	err = psnl_put_prefix(msg, &a->net);
	if (!err && (a->third_party || a->verify) &&
	    nla_put_u32(msg, PORTSHARE_A_ACL_FLAGS, acl_flags(a)) < 0)
		err = -ENOBUFS;
	if (err)
		return psnl_nl_discard(msg);
	return psnl_nl_request(ps->nl, msg);
}

static int do_acl_add(struct psnl *ps, int argc, char **argv)
{
	struct acl_args a = { 0 };
	int err;

	err = parse_net_arg(argc, argv, &a);
	if (!err)
		err = parse_add_options(argc, argv, 1, &a);
	if (err)
		return err;
	return send_acl(ps, PORTSHARE_CMD_ACL_ADD, &a);
}

static int do_acl_del(struct psnl *ps, int argc, char **argv)
{
	struct acl_args a = { 0 };
	int err;

	err = parse_net_arg(argc, argv, &a);
	if (!err)
		err = psnl_no_more_args(argc, argv, 1);
	if (err)
		return err;
	return send_acl(ps, PORTSHARE_CMD_ACL_DEL, &a);
}

static int do_acl_list(struct psnl *ps, int argc, char **argv)
{
	int err = psnl_no_more_args(argc, argv, 0);

	if (err)
		return err;
	return psnl_show(ps, PORTSHARE_CMD_ACL_GET, 0, psnl_format_acl);
}

static const struct psnl_cmd acl_add = {
	.name = "add",
	.args = "ADDR[/LEN] [third-party] [verify]",
	.help = "let the network ADDR/LEN send requests to registration ports\n"
		"ADDR is an IPv4 or IPv6 address; LEN (0..32 or 0..128) defaults\n"
		"to the whole address, and the bits after it must be zero.\n"
		"Without the acl only the namespace's own addresses may send ADD\n"
		"and DROP.  third-party also lets these hosts add and drop\n"
		"addresses other than their own.  verify makes their requests\n"
		"prove their source address first: each is answered\n"
		"\"102 VERIFY COOKIE\" until it comes again with cookie=COOKIE, so\n"
		"forged sources cannot register; legacy secondaries cannot.\n"
		"At most 256 entries.",
	.handler = do_acl_add,
};

static const struct psnl_cmd acl_del = {
	.name = "del",
	.args = "ADDR[/LEN]",
	.help = "remove the network ADDR/LEN from the acl\n"
		"LEN defaults to the whole address, as for acl add.",
	.handler = do_acl_del,
};

static const struct psnl_cmd acl_list = {
	.name = "list",
	.args = "",
	.help = "show the acl, in the order of addition\n"
		"The output is in command syntax and can be fed to psnl -b.",
	.handler = do_acl_list,
};

static const struct psnl_cmd *const acl_commands[] = {
	&acl_add,
	&acl_del,
	&acl_list,
	NULL,
};

const struct psnl_cmd psnl_cmd_acl = {
	.name = "acl",
	.args = "add|del|list ...",
	.help = "manage who may register over the registration ports",
	.sub = acl_commands,
};
