// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of psnl's argument parsers (parse.c) that need no netlink:
 * what they take, what they refuse, and the message a refusal prints
 * (psnl_usage_error() writes it to stderr, read back here from a file).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "../psnl.h"
#include "../../libportshare/test/tap.h"
#include "capture.h"

static char errbuf[1024];

/* Run psnl_parse_prefix() on @word with stderr into errbuf. */
static int parse_prefix(const char *word, struct psnl_prefix *pfx)
{
	struct capture c;
	int ret;

	capture_begin(&c, STDERR_FILENO);
	ret = psnl_parse_prefix(word, pfx);
	capture_end(&c, errbuf, sizeof(errbuf));
	return ret;
}

/* @word parses to @addr with @len, or without a length for @len < 0. */
static void taken(const char *word, const char *addr, int len)
{
	char got[INET6_ADDRSTRLEN] = "";
	struct psnl_prefix p;
	int ret = parse_prefix(word, &p);
	const void *a = p.family == AF_INET ? (const void *)&p.addr4
					    : (const void *)&p.addr6;

	if (!ret)
		inet_ntop(p.family, a, got, sizeof(got));
	OK(!ret && !strcmp(got, addr) && p.has_len == (len >= 0) &&
	   (len < 0 || p.len == len), "%s: taken", word);
}

/* @word is refused as a usage error, with @msg in what it printed. */
static void refused(const char *word, const char *msg)
{
	struct psnl_prefix p;
	int ret = parse_prefix(word, &p);

	OK(ret == HANDLER_RET_BADARG && strstr(errbuf, msg),
	   "%s: refused with '%s' (got %d, '%.*s')", word, msg, ret,
	   (int)strcspn(errbuf, "\n"), errbuf);
}

int main(void)
{
	taken("192.0.2.0/24", "192.0.2.0", 24);
	taken("192.0.2.0/0", "192.0.2.0", 0);
	taken("192.0.2.7", "192.0.2.7", -1);
	taken("fd00::/8", "fd00::", 8);
	taken("fd00::/128", "fd00::", 128);
	refused("192.0.2.0/33", "invalid prefix length \"33\"");
	refused("fd00::/129", "invalid prefix length \"129\"");
	refused("192.0.2.0/", "invalid prefix length \"\"");
	refused("192.0.2.0/x", "invalid prefix length \"x\"");
	/* the wire's from= and portshare.ko's parser refuse these too */
	refused("10.0.0.0/08",
		"invalid prefix length \"08\" in \"10.0.0.0/08\": expected a number 0..32 without a leading zero");
	refused("10.0.0.0/00", "without a leading zero");
	refused("fd00::/064", "expected a number 0..128 without a leading zero");
	refused("/8", "no address");
	refused("host.example/8", "is not an IPv4 or IPv6 address");
	return tap_done();
}
