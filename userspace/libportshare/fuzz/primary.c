// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the primary's registration port: every input is a
 * registration datagram handed to portshare_primary_request(), from a
 * local or an acl source, optionally after a well-formed "ADD|DROP
 * 127.0.0.1 <port> " so that the list itself is exercised.  A reply must
 * be a reply of the uapi table, the list never exceeds its cap, and no
 * secondary has more than PORTSHARE_FROM_MAX from= prefixes or one
 * longer than its family.  The port has a lease or not (one bit of the
 * first byte): a "100 OK" grants at most the port's lease, and always one
 * when the port has it, as its lease= suffix tells.  Likewise its rate
 * cap (another bit): rate= grants at most the port's, the burst scaled,
 * never 0, and the port's TTL.  A source of the acl network with verify
 * (another bit) that gets "102 VERIFY" changed nothing, and the same
 * request with the cookie appended is never answered 102 again.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portshare.h"

#define CAP	8
#define LEASE	3600
#define RATE	1000
#define BURST	3000
#define TTL	9
#define VERIFY_NET	"198.51.100.0"
#define VERIFY_SRC	"198.51.100.7"

static struct portshare_primary *pri;
static uint16_t port;

static void setup(void)
{
	struct portshare_primary_opts o;
	struct portshare_addr net;
	int tries;

	portshare_primary_opts_init(&o);
	o.max_secondaries = CAP;
	o.reg_rate = 0;
	if (portshare_primary_new(&pri, &o))
		abort();
	portshare_addr_parse("192.0.2.0", &net);
	if (portshare_primary_acl_add(pri, &net, 24, true))
		abort();
	portshare_addr_parse(VERIFY_NET, &net);
	if (portshare_primary_acl_add_flags(pri, &net, 24,
					    PORTSHARE_ACL_F_VERIFY |
					    PORTSHARE_ACL_F_THIRD_PARTY))
		abort();
	for (tries = 0; tries < 100; tries++) {
		port = (uint16_t)(30000 + rand() % 20000);
		if (!portshare_primary_add_port(pri, port, 0))
			return;
	}
	abort();
}

/* A secondary's cap is one a request may get: a rate has a burst. */
static void check_rate(unsigned int i)
{
	struct portshare_rate r;
	uint64_t dropped;

	assert(!portshare_primary_sec_rate(pri, port, i, &r, &dropped));
	assert(r.rate <= PORTSHARE_RATE_MAX && r.burst <= PORTSHARE_RATE_MAX);
	assert(!r.rate == !r.burst && !dropped);
	assert(!r.rate || r.burst <= r.rate * (BURST / RATE));
}

/*
 * Every secondary's source filter is one the parser may let through, its
 * lease and cap one a request may get.
 */
static void check_secs(unsigned int nsecs)
{
	struct portshare_prefix f[PORTSHARE_FROM_MAX];
	uint32_t lease, left;
	unsigned int i;
	int k, j;

	for (i = 0; i < nsecs; i++) {
		check_rate(i);
		assert(!portshare_primary_sec_lease(pri, port, i, &lease,
						    &left));
		assert(lease <= PORTSHARE_LEASE_MAX && left <= lease);
		k = portshare_primary_sec_from(pri, port, i, f,
					       PORTSHARE_FROM_MAX, NULL);
		assert(k >= 0 && k <= PORTSHARE_FROM_MAX);
		for (j = 0; j < k; j++)
			assert(f[j].len <= (f[j].net.family ==
					    PORTSHARE_FAMILY_INET ? 32 : 128));
	}
}

/*
 * A "100 OK" to ADD grants a lease within the port's, if it has one, and
 * a rate cap alike.
 */
static void check_grant(const char *reply, int len, bool leased, bool capped)
{
	struct portshare_reply_msg r;
	uint32_t lease, rate;

	if (portshare_reply_parse_rate(reply, (size_t)len, PORTSHARE_REQ_ADD,
				       &r, &lease, &rate) || !r.has_primary)
		return;
	assert(lease <= (leased ? LEASE : PORTSHARE_LEASE_MAX));
	assert(!leased || lease);
	/* told only when asked for, as portshare.ko does */
	assert(rate <= (capped ? RATE : PORTSHARE_RATE_MAX));
}

/* The port's cap and TTL for wire ADDs, or none. */
static void port_rate(bool capped)
{
	struct portshare_rate r = { .rate = RATE, .burst = BURST, .ttl = TTL };

	assert(!portshare_primary_port_rate(pri, port, capped ? &r : NULL));
}

/* The number of "102 VERIFY" replies of the port so far. */
static uint64_t verified(void)
{
	uint64_t n;

	assert(!portshare_primary_reg_verify(pri, port, &n));
	return n;
}

/*
 * A 102 changed nothing and counted as reg_verify; the request again with
 * its cookie (if it still fits) is carried out or refused, never 102.
 */
static void check_verify(const struct portshare_request_env *env,
			 bool from_verify, char *req, size_t len, size_t size,
			 const char *reply, int rlen, unsigned int nsecs,
			 uint64_t before)
{
	struct portshare_reply_msg r;
	struct portshare_port_info info;
	char again[PORTSHARE_REPLY_MAX];
	uint32_t lease, rate;
	uint64_t cookie;
	int n;

	if (portshare_reply_parse_cookie(reply, (size_t)rlen,
					 PORTSHARE_REQ_ADD, &r, &lease, &rate,
					 &cookie) ||
	    r.code != PORTSHARE_REPLY_VERIFY) {
		assert(verified() == before);
		return;
	}
	assert(verified() == before + 1);
	assert(!portshare_primary_port_info(pri, port, &info));
	assert(info.nsecs == nsecs && from_verify);
	n = snprintf(req + len, size - len, " cookie=%016llx",
		     (unsigned long long)cookie);
	if (n < 0 || (size_t)n >= size - len)
		return;		/* no room: the parser would refuse it anyway */
	n = portshare_primary_request(pri, port, env, req, len + (size_t)n,
				      again, sizeof(again));
	assert(n >= 0 && (n < 4 || strncmp(again, "102 ", 4)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct portshare_request_env env = { .from_port = 5555 };
	char req[PORTSHARE_REQUEST_MAX + 64], reply[PORTSHARE_REPLY_MAX];
	struct portshare_port_info info;
	uint64_t before;
	unsigned int nsecs;
	size_t n = 0;
	int len;

	if (!pri)
		setup();
	if (!size)
		return 0;
	if (data[0] & 32)
		portshare_addr_parse(VERIFY_SRC, &env.from);
	else
		portshare_addr_parse(data[0] & 1 ? "192.0.2.7" : "127.0.0.1",
				     &env.from);
	portshare_addr_parse("127.0.0.1", &env.to);
	portshare_primary_port_lease(pri, port, data[0] & 8 ? LEASE : 0);
	port_rate(data[0] & 16);
	if (data[0] & 2)
		n = (size_t)snprintf(req, sizeof(req), "%s 127.0.0.1 %u ",
				     data[0] & 4 ? "DROP" : "ADD", port);
	size--;
	if (size > sizeof(req) - n)
		size = sizeof(req) - n;
	memcpy(req + n, data + 1, size);
	assert(!portshare_primary_port_info(pri, port, &info));
	nsecs = info.nsecs;
	before = verified();
	len = portshare_primary_request(pri, port, &env, req, n + size, reply,
					sizeof(reply));
	assert(len >= 0 && len < PORTSHARE_REPLY_MAX);
	assert(!len || (reply[0] >= '1' && reply[0] <= '4' && reply[3] == ' '));
	assert(!portshare_primary_port_info(pri, port, &info));
	assert(info.nsecs <= CAP);
	check_secs(info.nsecs);
	check_grant(reply, len, data[0] & 8, data[0] & 16);
	check_verify(&env, data[0] & 32, req, n + size, sizeof(req), reply,
		     len, nsecs, before);
	return 0;
}
