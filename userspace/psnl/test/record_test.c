// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of psnl's record decoder (record.c): messages built with
 * libnl as the kernel sends them, decoded by psnl_record_parse().  The
 * fuzz target (psnl/fuzz/record.c) finds crashes; this one checks what
 * lands in which field: the message's address and every FROM nest's.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netlink/genl/genl.h>

#include "../psnl.h"
#include "../../libportshare/test/tap.h"

/* A new reply of @cmd; the caller adds attributes and frees it. */
static struct nl_msg *message(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg)
		genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 1, 0, 0, cmd, 1);
	return msg;
}

/* A FROM nest of @text/@len: ADDR4 or ADDR6 by its family, PREFIX_LEN. */
static void put_from(struct nl_msg *msg, const char *text, uint8_t len)
{
	struct nlattr *nest = nla_nest_start(msg, PORTSHARE_A_FROM);
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, text, &a4) == 1)
		nla_put(msg, PORTSHARE_A_ADDR4, sizeof(a4), &a4);
	else if (inet_pton(AF_INET6, text, &a6) == 1)
		nla_put(msg, PORTSHARE_A_ADDR6, sizeof(a6), &a6);
	if (len != 255)		/* 255: leave PREFIX_LEN out */
		nla_put_u8(msg, PORTSHARE_A_PREFIX_LEN, len);
	nla_nest_end(msg, nest);
}

/* Is @p @text/@len, by family, address and length? */
static bool prefix_is(const struct psnl_prefix *p, const char *text,
		      unsigned int len)
{
	char got[INET6_ADDRSTRLEN];
	const void *a = p->family == AF_INET ? (const void *)&p->addr4
					     : (const void *)&p->addr6;

	return (p->family == AF_INET || p->family == AF_INET6) &&
	       inet_ntop(p->family, a, got, sizeof(got)) &&
	       !strcmp(got, text) && p->has_len && p->len == len;
}

static void test_addr(void)
{
	struct nl_msg *msg = message(PORTSHARE_CMD_SEC_GET);
	struct in6_addr a6;
	struct in_addr a4;
	struct psnl_record rec;
	int err;

	inet_pton(AF_INET, "192.0.2.7", &a4);
	nla_put(msg, PORTSHARE_A_ADDR4, sizeof(a4), &a4);
	err = psnl_record_parse(nlmsg_hdr(msg), &rec);
	OK(!err && rec.family == AF_INET && rec.addr4.s_addr == a4.s_addr,
	   "ADDR4: an IPv4 record, 192.0.2.7");
	nlmsg_free(msg);

	msg = message(PORTSHARE_CMD_SEC_GET);
	inet_pton(AF_INET6, "fd00::7", &a6);
	nla_put(msg, PORTSHARE_A_ADDR6, sizeof(a6), &a6);
	err = psnl_record_parse(nlmsg_hdr(msg), &rec);
	OK(!err && rec.family == AF_INET6 && !memcmp(&rec.addr6, &a6,
						     sizeof(a6)),
	   "ADDR6: an IPv6 record, fd00::7");
	nlmsg_free(msg);

	msg = message(PORTSHARE_CMD_PORT_GET);
	nla_put_u16(msg, PORTSHARE_A_PORT, 427);
	err = psnl_record_parse(nlmsg_hdr(msg), &rec);
	OK(!err && rec.family == 0 && rec.port == 427,
	   "no address: family 0 (a port record)");
	nlmsg_free(msg);
}

static void test_from(void)
{
	struct nl_msg *msg = message(PORTSHARE_CMD_SEC_GET);
	struct psnl_record rec;
	int err;

	put_from(msg, "192.0.2.0", 24);
	put_from(msg, "fd00::", 8);
	err = psnl_record_parse(nlmsg_hdr(msg), &rec);
	OK(!err && rec.n_from == 2 && rec.family == 0 &&
	   prefix_is(&rec.from[0], "192.0.2.0", 24) &&
	   prefix_is(&rec.from[1], "fd00::", 8),
	   "two FROM nests: 192.0.2.0/24 and fd00::/8, in order");
	nlmsg_free(msg);

	msg = message(PORTSHARE_CMD_SEC_GET);
	put_from(msg, "none", 24);
	OK(psnl_record_parse(nlmsg_hdr(msg), &rec) == -EBADMSG,
	   "a FROM without an address: -EBADMSG");
	nlmsg_free(msg);

	msg = message(PORTSHARE_CMD_SEC_GET);
	put_from(msg, "192.0.2.0", 255);
	OK(psnl_record_parse(nlmsg_hdr(msg), &rec) == -EBADMSG,
	   "a FROM without PREFIX_LEN: -EBADMSG");
	nlmsg_free(msg);
}

int main(void)
{
	test_addr();
	test_from();
	return tap_done();
}
