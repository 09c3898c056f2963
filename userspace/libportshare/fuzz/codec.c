// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the libportshare parsers: every input goes through
 * the reply (for ADD and DROP, with its lease= and rate=, and the cookie of
 * a "102 VERIFY"), SHUTDOWN and encap parsers.  What parses is written back and must parse to the same
 * values, and every copy that parses is one the primary would not share
 * (shared/encap.c).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "portshare.h"
#include "primary.h"

static void reply(const uint8_t *data, size_t size, int cmd)
{
	struct portshare_reply_msg r, r2;
	char buf[PORTSHARE_REPLY_MAX];
	uint32_t lease, lease2, rate, rate2;
	int n;

	if (portshare_reply_parse_rate(data, size, cmd, &r, &lease, &rate))
		return;
	assert(lease <= PORTSHARE_LEASE_MAX && (!lease || r.has_primary));
	assert(rate <= PORTSHARE_RATE_MAX && (!rate || r.has_primary));
	assert(!portshare_reply_parse_lease(data, size, cmd, &r2, &lease2) &&
	       lease2 == lease);
	assert(!portshare_reply_parse(data, size, cmd, &r2));
	assert(r.code >= 100 && r.code <= 499);
	assert(portshare_strerror(r.error));
	if (r.error == PORTSHARE_E_REFUSED || r.error == PORTSHARE_E_VERIFY)
		return;		/* verify() writes a 102 back */
	n = portshare_reply_format_rate(r.error, cmd, &r.primary,
					r.has_primary ? r.reg_port : 0, lease,
					rate, buf, sizeof(buf));
	if (!r.error && cmd == PORTSHARE_REQ_ADD && !r.has_primary) {
		assert(n == PORTSHARE_E_INVALID);
		return;
	}
	assert(n > 0);
	assert(!portshare_reply_parse_rate(buf, (size_t)n, cmd, &r2, &lease2,
					   &rate2));
	assert(r2.code == r.code && r2.error == r.error);
	/* the lease= and rate= of "100 OK" to ADD only */
	assert(lease2 == (cmd == PORTSHARE_REQ_ADD && !r.error ? lease : 0));
	assert(rate2 == (cmd == PORTSHARE_REQ_ADD && !r.error ? rate : 0));
	/* "100 OK" to DROP carries no address: only ADD's does */
	if (cmd == PORTSHARE_REQ_ADD)
		assert(r2.has_primary == r.has_primary &&
		       r2.reg_port == r.reg_port &&
		       (!r.has_primary ||
			portshare_addr_equal(&r2.primary, &r.primary)));
}

/* A "102 VERIFY <cookie>" is written back with the same cookie. */
static void verify(const uint8_t *data, size_t size, int cmd)
{
	struct portshare_reply_msg r, r2;
	char buf[PORTSHARE_REPLY_MAX];
	uint32_t lease, rate;
	uint64_t cookie, cookie2;
	int n;

	if (portshare_reply_parse_cookie(data, size, cmd, &r, &lease, &rate,
					 &cookie))
		return;
	if (r.code != PORTSHARE_REPLY_VERIFY) {
		assert(!cookie && r.error != PORTSHARE_E_VERIFY);
		return;
	}
	assert(r.error == PORTSHARE_E_VERIFY && !r.has_primary && !lease &&
	       !rate);
	n = portshare_reply_format_verify(cookie, buf, sizeof(buf));
	assert(n == 27);
	assert(!portshare_reply_parse_cookie(buf, (size_t)n, cmd, &r2, &lease,
					     &rate, &cookie2));
	assert(r2.code == PORTSHARE_REPLY_VERIFY && cookie2 == cookie);
}

static void shutdown_notice(const uint8_t *data, size_t size)
{
	struct portshare_addr a, b;
	char buf[PORTSHARE_REPLY_MAX];
	uint16_t p, q;
	int n;

	if (portshare_shutdown_parse(data, size, &a, &p))
		return;
	n = portshare_shutdown_format(&a, p, buf, sizeof(buf));
	assert(n > 0);
	assert(!portshare_shutdown_parse(buf, (size_t)n, &b, &q));
	assert(portshare_addr_equal(&a, &b) && p == q);
}

static void encap(const uint8_t *data, size_t size)
{
	struct portshare_copy_hdr h, h2;
	const void *payload, *payload2;
	uint8_t *buf;

	bool copy = pri_is_copy(data, size);

	if (portshare_encap_parse(data, size, &h, &payload))
		return;
	/* what a secondary takes for a copy, the primary never shares */
	assert(copy);
	assert((const uint8_t *)payload + h.payload_len == data + size);
	buf = malloc(PORTSHARE_ENCAP_HDR_LEN + h.payload_len);
	assert(buf);
	assert(portshare_encap_write(&h, buf, PORTSHARE_ENCAP_HDR_LEN) ==
	       PORTSHARE_ENCAP_HDR_LEN);
	memcpy(buf + PORTSHARE_ENCAP_HDR_LEN, payload, h.payload_len);
	assert(!portshare_encap_parse(buf, PORTSHARE_ENCAP_HDR_LEN +
				      h.payload_len, &h2, &payload2));
	assert(h2.seq == h.seq && h2.timestamp_ns == h.timestamp_ns &&
	       h2.origin_port == h.origin_port &&
	       h2.contested_port == h.contested_port &&
	       h2.payload_len == h.payload_len &&
	       portshare_addr_equal(&h2.origin, &h.origin) &&
	       portshare_addr_equal(&h2.secondary, &h.secondary));
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reply(data, size, PORTSHARE_REQ_ADD);
	reply(data, size, PORTSHARE_REQ_DROP);
	verify(data, size, PORTSHARE_REQ_ADD);
	verify(data, size, PORTSHARE_REQ_DROP);
	shutdown_notice(data, size);
	encap(data, size);
	return 0;
}
