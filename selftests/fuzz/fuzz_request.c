// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the registration request parser, shared/request.c,
 * built from the very file the module compiles.  Besides ASan/UBSan it
 * checks properties that must hold for every input:
 *
 * - the result is PS_REQ_PARSED, PS_REQ_SILENT or a documented reply code;
 * - a parsed request is sane (command, family, ports, mode, from=
 *   prefixes that are networks) and survives a round trip: printed
 *   canonically and parsed again it is the same;
 * - the address parsers agree with glibc's inet_pton() on every input.
 *
 * The input is copied to a buffer of exactly its size, so any read past
 * the datagram is an ASan report.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_request: property violated: %s\n", what);
		abort();
	}
}

static bool known_result(int ret)
{
	switch (ret) {
	case PS_REQ_PARSED:
	case PS_REQ_SILENT:
	case PORTSHARE_REPLY_INVALID_ADDRESS:
	case PORTSHARE_REPLY_PORT_MISSING:
	case PORTSHARE_REPLY_INVALID_PORT:
	case PORTSHARE_REPLY_MALFORMED:
	case PORTSHARE_REPLY_UNKNOWN_COMMAND:
	case PORTSHARE_REPLY_UNKNOWN_OPTION:
		return true;
	}
	return false;
}

static const char *const modes[] = { "encap", "raw", "transparent" };

/* " from=ADDR/LEN" for each prefix of the source filter. */
static int print_from(const struct ps_req *req, char *text, size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned int i;
	int n = 0;

	for (i = 0; i < req->n_from; i++) {
		const struct ps_prefix *p = &req->from[i];
		int af = p->family == PS_ACL_INET ? AF_INET : AF_INET6;

		check(inet_ntop(af, p->addr, addr, sizeof(addr)) != NULL,
		      "ntop from");
		n += snprintf(text + n, size - (size_t)n, " from=%s/%u", addr,
			      p->len);
	}
	return n;
}

static void round_trip(const struct ps_req *req, bool with_mode)
{
	char text[PS_REQ_MAX_LEN], addr[INET6_ADDRSTRLEN];
	struct ps_req again;
	int n, af = req->family == PS_REQ_INET ? AF_INET : AF_INET6;

	check(inet_ntop(af, req->addr, addr, sizeof(addr)) != NULL, "ntop");
	n = snprintf(text, sizeof(text), "%s %s %u",
		     req->cmd == PS_REQ_ADD ? "ADD" : "DROP", addr, req->port);
	if (req->data_port)
		n += snprintf(text + n, sizeof(text) - n, "\t%u", req->data_port);
	if (with_mode)
		n += snprintf(text + n, sizeof(text) - n, " mode=%s",
			      modes[req->mode]);
	n += print_from(req, text + n, sizeof(text) - (size_t)n);
	if (req->lease)
		n += snprintf(text + n, sizeof(text) - (size_t)n, " lease=%u",
			      req->lease);
	if (req->rate)
		n += snprintf(text + n, sizeof(text) - (size_t)n, " rate=%u",
			      req->rate);
	if (req->has_cookie)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      " cookie=%016llx", (unsigned long long)req->cookie);
	check(ps_req_parse(text, (size_t)n, &again) == PS_REQ_PARSED,
	      "canonical form parses");
	check(again.cmd == req->cmd && again.family == req->family &&
	      again.mode == req->mode && again.port == req->port &&
	      again.data_port == req->data_port &&
	      !memcmp(again.addr, req->addr, sizeof(req->addr)) &&
	      again.n_from == req->n_from && again.lease == req->lease &&
	      again.rate == req->rate && again.has_cookie == req->has_cookie &&
	      again.cookie == req->cookie &&
	      !memcmp(again.from, req->from, req->n_from * sizeof(req->from[0])),
	      "round trip");
}

static void check_parsed(const struct ps_req *req, const char *buf, size_t len)
{
	check(req->cmd == PS_REQ_ADD || req->cmd == PS_REQ_DROP, "command");
	check(req->family == PS_REQ_INET || req->family == PS_REQ_INET6,
	      "family");
	check(req->port >= 1, "port");
	check(req->mode <= PS_REQ_MODE_TRANSPARENT, "mode");
	check(req->cmd == PS_REQ_ADD || req->mode == PS_REQ_MODE_ENCAP,
	      "DROP has no mode");
	check(len <= PS_REQ_MAX_LEN, "length");
	check(memmem(buf, len, "mode=", 5) || req->mode == PS_REQ_MODE_ENCAP,
	      "mode only from mode=");
	check(req->n_from <= PS_FROM_MAX, "at most PS_FROM_MAX from=");
	check(req->cmd == PS_REQ_ADD || !req->n_from, "DROP has no from=");
	check(req->n_from || !memmem(buf, len, "from=", 5), "from= not lost");
	check(req->cmd == PS_REQ_ADD || !req->lease, "DROP has no lease=");
	check(req->lease <= PS_LEASE_MAX, "lease at most PS_LEASE_MAX");
	check(req->lease || !memmem(buf, len, "lease=", 6), "lease= not lost");
	check(req->cmd == PS_REQ_ADD || !req->rate, "DROP has no rate=");
	check(req->rate <= PS_RATE_MAX, "rate at most PS_RATE_MAX");
	check(req->rate || !memmem(buf, len, "rate=", 5), "rate= not lost");
	check(req->has_cookie || !req->cookie, "no cookie= is cookie 0");
	check(req->has_cookie || !memmem(buf, len, "cookie=", 7),
	      "cookie= not lost");
	round_trip(req, req->cmd == PS_REQ_ADD);
}

/* ps_req_parse_ip4/6 against inet_pton on the whole input as one token. */
static void differential(const uint8_t *data, size_t size)
{
	unsigned char ours[16], theirs[16];
	char text[64];

	if (size >= sizeof(text) || memchr(data, 0, size))
		return;
	memcpy(text, data, size);
	text[size] = 0;
	check(ps_req_parse_ip4(text, size, ours) ==
	      (inet_pton(AF_INET, text, theirs) == 1), "ip4 vs inet_pton");
	if (inet_pton(AF_INET, text, theirs) == 1)
		check(!memcmp(ours, theirs, 4), "ip4 value");
	memset(ours, 0xa5, sizeof(ours));
	check(ps_req_parse_ip6(text, size, ours) ==
	      (inet_pton(AF_INET6, text, theirs) == 1), "ip6 vs inet_pton");
	if (inet_pton(AF_INET6, text, theirs) == 1)
		check(!memcmp(ours, theirs, 16), "ip6 value");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps_req req;
	char *buf;
	int ret;

	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	ret = ps_req_parse(buf, size, &req);
	check(known_result(ret), "known result");
	if (ret == PS_REQ_PARSED)
		check_parsed(&req, buf, size);
	free(buf);
	differential(data, size);
	return 0;
}
