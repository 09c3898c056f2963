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
 * never 0, and the port's TTL.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct portshare_request_env env = { .from_port = 5555 };
	char req[PORTSHARE_REQUEST_MAX + 64], reply[PORTSHARE_REPLY_MAX];
	struct portshare_port_info info;
	size_t n = 0;
	int len;

	if (!pri)
		setup();
	if (!size)
		return 0;
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
	len = portshare_primary_request(pri, port, &env, req, n + size, reply,
					sizeof(reply));
	assert(len >= 0 && len < PORTSHARE_REPLY_MAX);
	assert(!len || (reply[0] >= '1' && reply[0] <= '4' && reply[3] == ' '));
	assert(!portshare_primary_port_info(pri, port, &info));
	assert(info.nsecs <= CAP);
	check_secs(info.nsecs);
	check_grant(reply, len, data[0] & 8, data[0] & 16);
	return 0;
}
