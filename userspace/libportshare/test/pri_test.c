// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Tests of the libportshare primary API, on loopback: ADD and DROP and
 * their replies byte for byte, the acl, the cap, the rate limit, copies in
 * each mode (bytes and sources), SHUTDOWN on close, FIG. 3's standalone
 * port, leases (granted, renewed, expired), rate caps and TTL (granted,
 * enforced, on the wire), verify's cookies ("102 VERIFY", as
 * harden_reg.sh's test_verify against portshare.ko), and bad input that
 * gives an
 * error value and changes nothing.  Prints TAP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lo.h"
#include "portshare.h"
#include "reply.h"
#include "tap.h"

/*
 * realloc() as the library sees it (linked with -Wl,--wrap=realloc):
 * fails while fail_realloc is set, for "403 ERROR. Out of Resources".
 */
void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);
static bool fail_realloc;

void *__wrap_realloc(void *p, size_t n)
{
	return fail_realloc ? NULL : __real_realloc(p, n);
}

static struct portshare_primary *primary(unsigned int max, unsigned int rate,
					 unsigned int burst)
{
	struct portshare_primary_opts o;
	struct portshare_primary *pri;

	portshare_primary_opts_init(&o);
	o.max_secondaries = max;
	o.reg_rate = rate;
	o.reg_burst = burst;
	if (portshare_primary_new(&pri, &o))
		exit(97);
	return pri;
}

/* Hand @text, sent to @to, to the registration port from @from:@sport. */
static const char *ask_to(struct portshare_primary *pri, uint16_t port,
			  const char *from, uint16_t sport, const char *to,
			  const char *text)
{
	static char reply[PORTSHARE_REPLY_MAX + 1];
	struct portshare_request_env env = {
		.from = addr_of(from), .from_port = sport, .to = addr_of(to),
	};
	int n;

	n = portshare_primary_request(pri, port, &env, text, strlen(text),
				      reply, PORTSHARE_REPLY_MAX);
	if (n < 0)
		return portshare_strerror(n);
	reply[n] = '\0';
	return n ? reply : "(silence)";
}

/* The same, sent to LO; the reply. */
static const char *ask(struct portshare_primary *pri, uint16_t port,
		       const char *from, uint16_t sport, const char *text)
{
	return ask_to(pri, port, from, sport, LO, text);
}

static uint64_t reg_counter(struct portshare_primary *pri, uint16_t port,
			    int which)
{
	struct portshare_port_info info;

	if (portshare_primary_port_info(pri, port, &info))
		return UINT64_MAX;
	return info.reg[which];
}

static unsigned int nsecs(struct portshare_primary *pri, uint16_t port)
{
	struct portshare_port_info info;

	if (portshare_primary_port_info(pri, port, &info))
		return UINT32_MAX;
	return info.nsecs;
}

static bool is(const char *got, const char *want)
{
	if (!strcmp(got, want))
		return true;
	printf("#   got '%s', want '%s'\n", got, want);
	return false;
}

static void test_add_drop(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri), r = (uint16_t)(p + 13000);
	char req[128], ok_reply[64];

	snprintf(ok_reply, sizeof(ok_reply), "%s " LO " %u", PS_REPLY_TEXT(OK), r);
	snprintf(req, sizeof(req), "ADD " LO " %u 6000", p);
	OK(is(ask(pri, p, LO, 5555, req), ok_reply) && nsecs(pri, p) == 1,
	   "ADD: 100 OK with the primary address and registration port");
	OK(is(ask(pri, p, LO, 5555, req), PS_REPLY_TEXT(ALREADY_ADDED)) &&
	   nsecs(pri, p) == 1, "ADD again: 200 Already Added");
	snprintf(req, sizeof(req), "DROP " LO " %u 6000", p);
	OK(is(ask(pri, p, LO, 5555, req), PS_REPLY_TEXT(OK)) && nsecs(pri, p) == 0,
	   "DROP: 100 OK");
	OK(is(ask(pri, p, LO, 5555, req), PS_REPLY_TEXT(NOT_IN_LIST)),
	   "DROP again: 200 Not in List");
	snprintf(req, sizeof(req), "ADD 10.0.0.9 %u 6000", p);
	OK(is(ask(pri, p, LO, 5555, req), PS_REPLY_TEXT(NOT_PERMITTED)),
	   "ADD of another address: 400 Not Permitted");
	snprintf(req, sizeof(req), "ADD " LO " %u 6000", p + 1);
	OK(is(ask(pri, p, LO, 5555, req), PS_REPLY_TEXT(UNKNOWN_PORT)),
	   "ADD for another contested port: 303 Unknown Port");
	snprintf(req, sizeof(req), "ADD " LO " %u %u", p, p);
	OK(is(ask(pri, p, LO, 5555, req), PS_REPLY_TEXT(LOOP)),
	   "a contested data port: 402");
	snprintf(req, sizeof(req), "add " LO " %u", p);
	OK(is(ask(pri, p, LO, 5555, req), PS_REPLY_TEXT(UNKNOWN_COMMAND)),
	   "lower-case add: 305 (the kernel's parser)");
	OK(is(ask(pri, p, LO, 5555, PS_REPLY_TEXT(OK)), "(silence)"),
	   "a reply is never answered");
	snprintf(req, sizeof(req), "ADD " LO " %u", p);
	OK(is(ask(pri, p, LO, 7777, req), ok_reply) && nsecs(pri, p) == 1,
	   "no data port: the request's source port");
	OK(reg_counter(pri, p, PORTSHARE_REG_OK) == 3 &&
	   reg_counter(pri, p, PORTSHARE_REG_ERRORS) == 6 &&
	   reg_counter(pri, p, PORTSHARE_REG_NOT_PERMITTED) == 1 &&
	   reg_counter(pri, p, PORTSHARE_REG_IGNORED) == 1,
	   "registration counters");
	portshare_primary_close(pri);
}

static void test_acl(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri), r = (uint16_t)(p + 13000);
	struct portshare_addr net = addr_of("192.0.2.0");
	struct portshare_addr third = addr_of("198.51.100.0");
	char req[128], want[64];

	snprintf(req, sizeof(req), "ADD 192.0.2.7 %u 6001", p);
	OK(is(ask(pri, p, "192.0.2.7", 5555, req), "(silence)") &&
	   reg_counter(pri, p, PORTSHARE_REG_DENIED) == 1,
	   "a foreign source is ignored until the acl allows it");
	OK(portshare_primary_acl_add(pri, &net, 24, false) == 0,
	   "acl add 192.0.2.0/24");
	snprintf(want, sizeof(want), "%s " LO " %u", PS_REPLY_TEXT(OK), r);
	OK(is(ask(pri, p, "192.0.2.7", 5555, req), want),
	   "the acl's network may register itself");
	snprintf(req, sizeof(req), "ADD 192.0.2.99 %u 6001", p);
	OK(is(ask(pri, p, "192.0.2.7", 5555, req), PS_REPLY_TEXT(NOT_PERMITTED)),
	   "but not a third party");
	OK(portshare_primary_acl_add(pri, &third, 24, true) == 0,
	   "acl add 198.51.100.0/24 third-party");
	snprintf(req, sizeof(req), "ADD 127.0.0.2 %u 6001", p);
	snprintf(want, sizeof(want), "%s 127.0.0.1 %u", PS_REPLY_TEXT(OK), r);
	OK(is(ask_to(pri, p, "198.51.100.1", 5555, "127.0.0.3", req), want),
	   "a third-party network may register another address; its "
	   "primary address is routing's source towards it, not 127.0.0.3");
	snprintf(req, sizeof(req), "ADD 198.51.100.1 %u 6001", p);
	snprintf(want, sizeof(want), "%s 127.0.0.3 %u", PS_REPLY_TEXT(OK), r);
	OK(is(ask_to(pri, p, "198.51.100.1", 5555, "127.0.0.3", req), want),
	   "registering itself, the primary address is the one asked");
	/* portshare(7): an entry matches only sources of its own family */
	snprintf(req, sizeof(req), "ADD ::ffff:192.0.2.7 %u 6002", p);
	OK(is(ask_to(pri, p, "::ffff:192.0.2.7", 5555, "::1", req),
	      "(silence)") &&
	   reg_counter(pri, p, PORTSHARE_REG_DENIED) == 2,
	   "an IPv4-mapped source is not in the IPv4 entry 192.0.2.0/24");
	portshare_primary_close(pri);

	pri = primary(64, 0, 1);
	p = add_free_port(pri);
	net = addr_of("::ffff:192.0.2.0");
	OK(portshare_primary_acl_add(pri, &net, 120, false) == 0,
	   "acl add ::ffff:192.0.2.0/120");
	snprintf(req, sizeof(req), "ADD 192.0.2.7 %u 6001", p);
	OK(is(ask(pri, p, "192.0.2.7", 5555, req), "(silence)") &&
	   reg_counter(pri, p, PORTSHARE_REG_DENIED) == 1,
	   "an IPv4 source is not in the IPv6 entry ::ffff:192.0.2.0/120");
	portshare_primary_close(pri);
}

/* The list cannot grow: 403 Out of Resources, nothing changes. */
static void test_out_of_resources(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri), r = (uint16_t)(p + 13000);
	char req[128], ok_reply[64];

	snprintf(req, sizeof(req), "ADD " LO " %u 6000", p);
	fail_realloc = true;
	OK(is(ask(pri, p, LO, 5555, req), PS_REPLY_TEXT(NO_RESOURCES)) &&
	   nsecs(pri, p) == 0 && reg_counter(pri, p, PORTSHARE_REG_ERRORS) == 1,
	   "no memory for the list: 403 Out of Resources, nothing added");
	fail_realloc = false;
	snprintf(ok_reply, sizeof(ok_reply), "%s " LO " %u", PS_REPLY_TEXT(OK), r);
	OK(is(ask(pri, p, LO, 5555, req), ok_reply) && nsecs(pri, p) == 1,
	   "with memory again, the same ADD is added");
	portshare_primary_close(pri);
}

static void test_acl_bad_input(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri);
	struct portshare_addr host = addr_of("203.0.113.5"), none = { 0 };
	char req[128];
	int err;

	err = portshare_primary_acl_add(pri, &host, 24, false);
	OK(err == PORTSHARE_E_HOST_BITS && strstr(portshare_strerror(err),
						  "beyond its prefix"),
	   "acl with host bits: PORTSHARE_E_HOST_BITS, '%s'",
	   portshare_strerror(err));
	OK(portshare_primary_acl_add(pri, &host, 33, false) ==
	   PORTSHARE_E_INVALID, "acl /33 for IPv4: PORTSHARE_E_INVALID");
	OK(portshare_primary_acl_add(pri, &none, 0, false) ==
	   PORTSHARE_E_INVALID, "acl without a family: PORTSHARE_E_INVALID");
	snprintf(req, sizeof(req), "ADD 203.0.113.5 %u 6001", p);
	OK(is(ask(pri, p, "203.0.113.5", 5555, req), "(silence)"),
	   "rejected acl entries changed nothing");
	portshare_primary_close(pri);
}

/* ADD data ports 6000.. @n times from one source; the last reply. */
static const char *add_many(struct portshare_primary *pri, uint16_t p,
			    unsigned int n)
{
	const char *got = "";
	char req[128];
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(req, sizeof(req), "ADD " LO " %u %u", p, 6000 + i);
		got = ask(pri, p, LO, 5555, req);
	}
	return got;
}

static void test_cap_and_rate(void)
{
	struct portshare_primary *pri = primary(2, 0, 1);
	uint16_t p = add_free_port(pri);

	OK(is(add_many(pri, p, 3), PS_REPLY_TEXT(LIST_FULL)) &&
	   nsecs(pri, p) == 2 &&
	   reg_counter(pri, p, PORTSHARE_REG_LIST_FULL) == 1,
	   "max_secondaries 2: the third ADD gets 401 List Full");
	portshare_primary_close(pri);

	pri = primary(64, 1, 2);
	p = add_free_port(pri);
	OK(is(add_many(pri, p, 3), "(silence)") && nsecs(pri, p) == 2 &&
	   reg_counter(pri, p, PORTSHARE_REG_RATE_LIMITED) == 1,
	   "reg_burst 2, reg_rate 1: the third request is dropped silently");
	portshare_primary_close(pri);
}

static void test_request_bad_input(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri);
	struct portshare_request_env env = {
		.from = addr_of(LO), .from_port = 5555, .to = addr_of("::1"),
	};
	char reply[PORTSHARE_REPLY_MAX], req[64];
	int n = snprintf(req, sizeof(req), "ADD " LO " %u 6000", p);

	OK(portshare_primary_request(pri, (uint16_t)(p + 1), &env, req,
				     (size_t)n, reply, sizeof(reply)) ==
	   PORTSHARE_E_UNKNOWN_PORT, "request for a port not ours: 303's error");
	OK(portshare_primary_request(pri, p, &env, req, (size_t)n, reply,
				     sizeof(reply)) == PORTSHARE_E_INVALID,
	   "request with mixed families: PORTSHARE_E_INVALID");
	env.to = addr_of(LO);
	OK(portshare_primary_request(pri, p, &env, req, (size_t)n, reply, 8) ==
	   PORTSHARE_E_NO_SPACE, "reply buffer too small: PORTSHARE_E_NO_SPACE");
	OK(nsecs(pri, p) == 0 &&
	   reg_counter(pri, p, PORTSHARE_REG_REQUESTS) == 0,
	   "bad requests changed no list and no counter");
	OK(portshare_primary_add_port(pri, p, 0) == PORTSHARE_E_PORT_CONFLICT &&
	   portshare_primary_add_port(pri, 0, 0) == PORTSHARE_E_INVALID &&
	   portshare_primary_add_port(pri, 60000, 0) ==
	   PORTSHARE_E_NO_REG_PORT &&
	   portshare_primary_ports(pri, NULL, 0) == 1,
	   "add_port: conflict, port 0, no default registration port");
	OK(portshare_primary_remove_port(pri, (uint16_t)(p + 1)) ==
	   PORTSHARE_E_UNKNOWN_PORT &&
	   portshare_primary_sec_drop(pri, p, &env.from, 6000) ==
	   PORTSHARE_E_NOT_IN_LIST,
	   "remove_port and sec_drop of what is not there");
	portshare_primary_close(pri);
}

/* The next datagram on @fd within 2 s, with its source port; length. */
static ssize_t get(int fd, void *buf, size_t size, uint16_t *sport,
		   struct portshare_primary *pri)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	int i;

	for (i = 0; i < 200 && poll(&pf, 1, 0) != 1; i++)
		if (!pri || portshare_primary_dispatch(pri, 10) == 0)
			poll(&pf, 1, 10);
	if (!(pf.revents & POLLIN))
		return -1;
	if (sport)
		*sport = 0;
	len = sizeof(sin);
	i = (int)recvfrom(fd, buf, size, MSG_DONTWAIT,
			  (struct sockaddr *)&sin, &len);
	if (i >= 0 && sport)
		*sport = ntohs(sin.sin_port);
	return i;
}

struct secs {
	int raw, encap, transparent;
	uint16_t raw_port, encap_port, transparent_port;
};

static void secs_add(struct portshare_primary *pri, uint16_t p,
		     struct secs *s, bool transparent)
{
	char req[128];

	s->raw = bind_lo(0, &s->raw_port);
	s->encap = bind_lo(0, &s->encap_port);
	snprintf(req, sizeof(req), "ADD " LO " %u %u mode=raw", p,
		 s->raw_port);
	ask(pri, p, LO, 5555, req);
	snprintf(req, sizeof(req), "ADD " LO " %u %u", p, s->encap_port);
	ask(pri, p, LO, 5555, req);
	s->transparent = -1;
	if (!transparent)
		return;
	s->transparent = bind_lo(0, &s->transparent_port);
	snprintf(req, sizeof(req), "ADD " LO " %u %u mode=transparent", p,
		 s->transparent_port);
	ask(pri, p, LO, 5555, req);
}

/* The encap header the primary must have written, byte for byte. */
static bool encap_exact(const uint8_t *copy, size_t len, uint16_t p,
			const struct portshare_addr *origin, uint16_t oport,
			uint32_t seq, const char *payload)
{
	struct portshare_copy_hdr h = {
		.origin = *origin, .origin_port = oport, .contested_port = p,
		.secondary = addr_of(LO),
		.payload_len = (uint32_t)strlen(payload),
		.seq = seq,
	};
	struct portshare_copy_hdr got;
	uint8_t want[PORTSHARE_ENCAP_HDR_LEN];

	if (portshare_encap_parse(copy, len, &got, NULL))
		return false;
	h.timestamp_ns = got.timestamp_ns;
	portshare_encap_write(&h, want, sizeof(want));
	return len == sizeof(want) + strlen(payload) &&
	       !memcmp(copy, want, sizeof(want)) &&
	       !memcmp(copy + sizeof(want), payload, strlen(payload));
}

static void test_copies_received(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri), r = (uint16_t)(p + 13000), sport, from;
	bool transparent = portshare_primary_transparent(pri) == 0;
	struct portshare_addr lo = addr_of(LO);
	int sender = bind_lo(0, &sport);
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t buf[256];
	struct secs s;
	ssize_t n;

	secs_add(pri, p, &s, transparent);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(p);
	sendto(sender, "trap", 4, 0, (struct sockaddr *)&to, sizeof(to));
	n = get(s.raw, buf, sizeof(buf), &from, pri);
	OK(n == 4 && !memcmp(buf, "trap", 4) && from == r,
	   "raw copy: the payload alone, from the registration port");
	n = get(s.encap, buf, sizeof(buf), &from, pri);
	OK(n > 0 && from == r &&
	   encap_exact(buf, (size_t)n, p, &lo, sport, 0, "trap"),
	   "encap copy: the 64-byte header byte for byte, then the payload");
	if (transparent) {
		n = get(s.transparent, buf, sizeof(buf), &from, pri);
		OK(n == 4 && !memcmp(buf, "trap", 4) && from == sport,
		   "transparent copy: the payload, from the original sender");
	} else {
		printf("ok %d - transparent copy # SKIP no CAP_NET_RAW\n",
		       ++ntest);
	}
	close(sender);
	close(s.raw);
	close(s.encap);
	if (s.transparent >= 0)
		close(s.transparent);
	portshare_primary_close(pri);
}

static void test_forward_api(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri), r = (uint16_t)(p + 13000), from;
	struct portshare_port_info info;
	struct portshare_list_entry e;
	struct portshare_datagram dg = {
		.origin = addr_of("192.0.2.1"), .origin_port = 999,
		.payload = "hello", .len = 5, .timestamp_ns = 42,
	};
	uint8_t buf[256], copy[PORTSHARE_ENCAP_HDR_LEN + 5];
	struct portshare_copy_hdr h;
	char shut[64];
	struct secs s;
	ssize_t n;

	secs_add(pri, p, &s, false);
	OK(portshare_primary_forward(pri, p, &dg, 1) == 1,
	   "forward one datagram: shared");
	n = get(s.raw, buf, sizeof(buf), &from, NULL);
	OK(n == 5 && !memcmp(buf, "hello", 5) && from == r, "its raw copy");
	n = get(s.encap, buf, sizeof(buf), &from, NULL);
	OK(n > 0 && encap_exact(buf, (size_t)n, p, &dg.origin, 999, 0,
				"hello") &&
	   !portshare_encap_parse(buf, (size_t)n, &h, NULL) &&
	   h.timestamp_ns == 42, "its encap copy, with the given timestamp");

	portshare_encap_write(&(struct portshare_copy_hdr){
		.origin = dg.origin, .secondary = dg.origin, .payload_len = 5,
	}, copy, sizeof(copy));
	memcpy(copy + PORTSHARE_ENCAP_HDR_LEN, "hello", 5);
	dg.payload = copy;
	dg.len = sizeof(copy);
	portshare_primary_port_info(pri, p, &info);
	OK(portshare_primary_forward(pri, p, &dg, 1) == 0 &&
	   !portshare_primary_port_info(pri, p, &info) && info.err_loop == 1,
	   "an encap copy is not shared again (err_loop)");
	dg.origin.family = 0;
	OK(portshare_primary_forward(pri, p, &dg, 1) == PORTSHARE_E_INVALID &&
	   !portshare_primary_port_info(pri, p, &info) && info.rx == 2,
	   "a datagram without an origin: PORTSHARE_E_INVALID, nothing counted");
	OK(!portshare_primary_sec_info(pri, p, 0, &e) && e.copies == 1 &&
	   e.mode == PORTSHARE_MODE_RAW && e.data_port == s.raw_port &&
	   portshare_primary_sec_info(pri, p, 2, &e) == PORTSHARE_E_INVALID,
	   "sec_info: the raw secondary's counters; past the end: invalid");

	portshare_primary_close(pri);
	snprintf(shut, sizeof(shut), "SHUTDOWN " LO " %u", r);
	n = get(s.raw, buf, sizeof(buf) - 1, &from, NULL);
	buf[n > 0 ? n : 0] = '\0';
	OK(n > 0 && is((char *)buf, shut) && from == r,
	   "close: SHUTDOWN to the raw secondary");
	n = get(s.encap, buf, sizeof(buf) - 1, &from, NULL);
	buf[n > 0 ? n : 0] = '\0';
	OK(n > 0 && is((char *)buf, shut), "close: SHUTDOWN to the encap one");
	close(s.raw);
	close(s.encap);
}

static void test_standalone(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	struct portshare_list_entry sec = { .addr = addr_of(LO), .mode = 9 };
	struct portshare_port_info info;
	char reply[PORTSHARE_REPLY_MAX];
	struct portshare_request_env env = {
		.from = addr_of(LO), .from_port = 5555, .to = addr_of(LO),
	};
	uint16_t p, port;
	int hold = -1, ret = -1, tries;

	for (tries = 0; tries < 100 && ret != 1; tries++) {
		p = (uint16_t)(30000 + rand() % 20000);
		hold = bind_lo((uint16_t)(p + 13000), NULL);
		if (hold < 0)
			continue;
		ret = portshare_primary_add_port(pri, p, 0);
		if (ret != 1) {
			close(hold);
			if (ret == 0)
				portshare_primary_remove_port(pri, p);
		}
	}
	OK(ret == 1 && !portshare_primary_port_info(pri, p, &info) &&
	   info.standalone && info.reg_error == -EADDRINUSE,
	   "registration port taken: standalone (FIG. 3)");
	OK(portshare_primary_request(pri, p, &env, "ADD", 3, reply,
				     sizeof(reply)) == PORTSHARE_E_INVALID,
	   "a standalone port takes no requests");
	OK(portshare_primary_sec_add(pri, p, &sec) == PORTSHARE_E_INVALID,
	   "sec_add without data port and with mode 9: invalid");
	sec.mode = PORTSHARE_MODE_RAW;
	sec.data_port = 6000;
	OK(portshare_primary_sec_add(pri, p, &sec) == 0 &&
	   !portshare_primary_sec_info(pri, p, 0, &sec) &&
	   sec.src.family == PORTSHARE_FAMILY_INET,
	   "sec_add: the source is the route's");
	OK(portshare_primary_ports(pri, &port, 1) == 1 && port == p,
	   "ports: the one port");
	portshare_primary_close(pri);
	if (hold >= 0)
		close(hold);
}

/*
 * Copies go to unicast or local addresses only (shared/reg_rules.c), as
 * psnl add's: 240.0.0.0/4 is unicast to Linux.
 */
static void test_sec_add_address(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri);
	static const char *const bad[] = {
		"127.255.255.255", "255.255.255.255", "224.0.0.1", "0.1.2.3",
		"ff02::1", "::",
	};
	struct portshare_list_entry sec = { .data_port = 6000 };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sec.addr = addr_of(bad[i]);
		OK(portshare_primary_sec_add(pri, p, &sec) ==
		   PORTSHARE_E_INVALID_ADDRESS,
		   "sec_add %s: not unicast, refused", bad[i]);
	}
	sec.addr = addr_of("127.0.0.2");
	OK(portshare_primary_sec_add(pri, p, &sec) == 0 && nsecs(pri, p) == 1,
	   "sec_add 127.0.0.2: added");
	sec.addr = addr_of("240.0.0.1");
	OK(portshare_primary_sec_add(pri, p, &sec) == 0 && nsecs(pri, p) == 2,
	   "sec_add 240.0.0.1: added, as by psnl add");
	portshare_primary_close(pri);
}

/* The copies secondary @i of @p was sent, or UINT64_MAX. */
static uint64_t sec_copies(struct portshare_primary *pri, uint16_t p,
			   unsigned int i)
{
	struct portshare_list_entry e;

	return portshare_primary_sec_info(pri, p, i, &e) ? UINT64_MAX :
							   e.copies;
}

/* Forward "x" from @origin; was it shared? */
static bool forward_from(struct portshare_primary *pri, uint16_t p,
			 const char *origin)
{
	struct portshare_datagram dg = {
		.origin = addr_of(origin), .origin_port = 999,
		.payload = "x", .len = 1,
	};

	return portshare_primary_forward(pri, p, &dg, 1) == 1;
}

/* Secondary @i's filter is exactly @want ("ADDR/LEN"), or none if NULL. */
static bool filter_is(struct portshare_primary *pri, uint16_t p,
		      unsigned int i, const char *want)
{
	struct portshare_prefix f[PORTSHARE_FROM_MAX];
	char a[PORTSHARE_ADDR_STRLEN], got[PORTSHARE_ADDR_STRLEN + 5];
	int n = portshare_primary_sec_from(pri, p, i, f, PORTSHARE_FROM_MAX,
					   NULL);

	if (!want)
		return n == 0;
	if (n != 1 || portshare_addr_format(&f[0].net, a, sizeof(a)) < 0)
		return false;
	snprintf(got, sizeof(got), "%s/%u", a, f[0].len);
	return is(got, want);
}

static uint64_t skipped(struct portshare_primary *pri, uint16_t p,
			unsigned int i)
{
	uint64_t n = UINT64_MAX;

	if (portshare_primary_sec_from(pri, p, i, NULL, 0, &n) < 0)
		return UINT64_MAX;
	return n;
}

/* The encap sequence number of the next copy on @fd, or UINT32_MAX. */
static uint32_t next_seq(int fd)
{
	struct portshare_copy_hdr h;
	uint8_t buf[256];
	ssize_t n = get(fd, buf, sizeof(buf), NULL, NULL);

	if (n < 0 || portshare_encap_parse(buf, (size_t)n, &h, NULL))
		return UINT32_MAX;
	return h.seq;
}

/*
 * from= on the wire (DESIGN §9): the first secondary gets only sources in
 * 192.0.2.0/24, the second (no filter) everything; a repeated ADD with
 * another filter is 200 and leaves the first filter alone.
 */
static void test_from_wire(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri);
	char req[160];

	snprintf(req, sizeof(req), "ADD " LO " %u 6000 mode=raw "
		 "from=192.0.2.0/24", p);
	ask(pri, p, LO, 5555, req);
	snprintf(req, sizeof(req), "ADD " LO " %u 6001 mode=raw", p);
	ask(pri, p, LO, 5555, req);
	OK(nsecs(pri, p) == 2, "ADD with from=192.0.2.0/24 and one without");
	OK(forward_from(pri, p, "192.0.2.1") &&
	   sec_copies(pri, p, 0) == 1 && sec_copies(pri, p, 1) == 1,
	   "a source inside the prefix: copied to both");
	OK(forward_from(pri, p, "198.51.100.1") &&
	   sec_copies(pri, p, 0) == 1 && sec_copies(pri, p, 1) == 2,
	   "a source outside: only to the secondary without a filter");
	snprintf(req, sizeof(req), "ADD " LO " %u 6000 mode=raw "
		 "from=198.51.100.0/24", p);
	OK(is(ask(pri, p, LO, 5555, req), PS_REPLY_TEXT(ALREADY_ADDED)),
	   "ADD again with another from=: 200 Already Added");
	OK(forward_from(pri, p, "198.51.100.1") &&
	   sec_copies(pri, p, 0) == 1 && sec_copies(pri, p, 1) == 3 &&
	   skipped(pri, p, 0) == 2 && filter_is(pri, p, 0, "192.0.2.0/24") &&
	   filter_is(pri, p, 1, NULL),
	   "and the first filter still holds; skip_filtered 2");
	portshare_primary_close(pri);
}

/*
 * portshare_primary_sec_add_from(): an IPv4 filter, none, and an IPv6
 * one that no IPv4 source passes; skip_filtered counted, not drops.
 */
static void test_from_api(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri), dport;
	struct portshare_prefix v4 = { addr_of("192.0.2.0"), 24 };
	struct portshare_prefix v6 = { addr_of("fd00::"), 8 };
	struct portshare_list_entry sec = {
		.addr = addr_of(LO), .mode = PORTSHARE_MODE_ENCAP,
	};
	struct portshare_list_entry e;
	int fd = bind_lo(0, &dport);

	sec.data_port = dport;
	OK(portshare_primary_sec_add_from(pri, p, &sec, &v4, 1) == 0,
	   "sec_add_from 192.0.2.0/24");
	sec.data_port = 6001;
	sec.mode = PORTSHARE_MODE_RAW;
	OK(portshare_primary_sec_add(pri, p, &sec) == 0 &&
	   filter_is(pri, p, 1, NULL), "sec_add: no filter");
	sec.data_port = 6002;
	OK(portshare_primary_sec_add_from(pri, p, &sec, &v6, 1) == 0 &&
	   filter_is(pri, p, 0, "192.0.2.0/24") &&
	   filter_is(pri, p, 2, "fd00::/8"),
	   "sec_add_from fd00::/8; sec_from reports both filters");
	OK(forward_from(pri, p, "192.0.2.1") && next_seq(fd) == 0 &&
	   sec_copies(pri, p, 1) == 1 && sec_copies(pri, p, 2) == 0 &&
	   skipped(pri, p, 2) == 1,
	   "192.0.2.1: copied, but not through the IPv6 filter");
	OK(forward_from(pri, p, "198.51.100.1") && sec_copies(pri, p, 0) == 1 &&
	   skipped(pri, p, 0) == 1 && sec_copies(pri, p, 1) == 2 &&
	   skipped(pri, p, 1) == 0,
	   "198.51.100.1: skipped by the filter, copied without one");
	OK(forward_from(pri, p, "::ffff:192.0.2.1") &&
	   skipped(pri, p, 0) == 2, "an IPv4-mapped source is not IPv4");
	OK(forward_from(pri, p, "192.0.2.200") && next_seq(fd) == 1,
	   "skipped datagrams use no sequence number (as in the kernel)");
	OK(!portshare_primary_sec_info(pri, p, 0, &e) && e.copies == 2 &&
	   !e.drops[PORTSHARE_DROP_XMIT] && !e.drops[PORTSHARE_DROP_FAMILY],
	   "skipped datagrams are no drops");
	close(fd);
	portshare_primary_close(pri);
}

static void test_from_api_bad_input(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri);
	struct portshare_prefix f[PORTSHARE_FROM_MAX + 1];
	struct portshare_list_entry sec = {
		.addr = addr_of(LO), .data_port = 6000,
	};
	unsigned int i;

	for (i = 0; i <= PORTSHARE_FROM_MAX; i++)
		f[i] = (struct portshare_prefix){ addr_of("192.0.2.0"), 24 };
	OK(portshare_primary_sec_add_from(pri, p, &sec, f,
					  PORTSHARE_FROM_MAX + 1) ==
	   PORTSHARE_E_INVALID, "9 prefixes: PORTSHARE_E_INVALID");
	OK(portshare_primary_sec_add_from(pri, p, &sec, NULL, 1) ==
	   PORTSHARE_E_INVALID, "NULL prefixes: PORTSHARE_E_INVALID");
	f[1].net = addr_of("192.0.2.1");
	OK(portshare_primary_sec_add_from(pri, p, &sec, f, 2) ==
	   PORTSHARE_E_HOST_BITS, "192.0.2.1/24: PORTSHARE_E_HOST_BITS");
	f[1].len = 33;
	OK(portshare_primary_sec_add_from(pri, p, &sec, f, 2) ==
	   PORTSHARE_E_INVALID, "192.0.2.1/33: PORTSHARE_E_INVALID");
	f[1].net.family = 0;
	OK(portshare_primary_sec_add_from(pri, p, &sec, f, 2) ==
	   PORTSHARE_E_INVALID && nsecs(pri, p) == 0,
	   "a prefix without a family: invalid; nothing was added");
	f[1] = f[0];
	OK(portshare_primary_sec_add_from(pri, p, &sec, f,
					  PORTSHARE_FROM_MAX) == 0 &&
	   portshare_primary_sec_from(pri, p, 0, f, 1, NULL) ==
	   PORTSHARE_FROM_MAX, "8 prefixes; sec_from says 8 with room for 1");
	OK(portshare_primary_sec_from(pri, p, 1, NULL, 0, NULL) ==
	   PORTSHARE_E_INVALID && portshare_primary_sec_from(pri, p, 0, NULL,
							     1, NULL) ==
	   PORTSHARE_E_INVALID && portshare_primary_sec_from(pri,
			(uint16_t)(p + 1), 0, NULL, 0, NULL) ==
	   PORTSHARE_E_UNKNOWN_PORT, "sec_from: past the end, NULL, port");
	portshare_primary_close(pri);
}

/*
 * A removed port's socket that lives on in a forked child must leave the
 * primary's descriptor: it would be readable for ever otherwise.
 */
static void test_remove_port_forked(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri);
	struct sockaddr_in to = { .sin_family = AF_INET };
	int hold[2], fd, ret;
	pid_t child;
	char c;

	if (pipe(hold))
		exit(96);
	child = fork();
	if (child == 0) {
		close(hold[1]);
		ret = (int)read(hold[0], &c, 1);	/* until the parent is done */
		_exit(ret < 0);
	}
	close(hold[0]);
	portshare_primary_remove_port(pri, p);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(p);
	sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to));
	ret = portshare_primary_dispatch(pri, 100);
	OK(child > 0 && ret == 0,
	   "remove_port: the socket a child still holds is not polled (%d)",
	   ret);
	close(fd);
	close(hold[1]);
	if (child > 0)
		waitpid(child, NULL, 0);
	portshare_primary_close(pri);
}

static void test_options(void)
{
	struct portshare_primary_opts o;
	struct portshare_primary *pri = (void *)1;

	portshare_primary_opts_init(&o);
	OK(o.max_secondaries == 64 && o.reg_rate == 10 && o.reg_burst == 20,
	   "default options: 64, 10/s, burst 20");
	o.max_secondaries = 0;
	OK(portshare_primary_new(&pri, &o) == PORTSHARE_E_INVALID && !pri,
	   "max_secondaries 0: PORTSHARE_E_INVALID");
	o.max_secondaries = 4097;
	OK(portshare_primary_new(&pri, &o) == PORTSHARE_E_INVALID,
	   "max_secondaries 4097: PORTSHARE_E_INVALID");
	OK(strcmp(portshare_strerror(PORTSHARE_E_PORT_CONFLICT),
		  portshare_strerror(PORTSHARE_E_TABLE_FULL)) &&
	   strcmp(portshare_strerror(PORTSHARE_E_TABLE_FULL), "unknown error"),
	   "the new errors have their own messages");
}

static bool lease_is(struct portshare_primary *pri, uint16_t p,
		     unsigned int i, uint32_t lease, uint32_t left)
{
	uint32_t l = 99, t = 99;

	if (!portshare_primary_sec_lease(pri, p, i, &l, &t) && l == lease &&
	    t == left)
		return true;
	printf("#   secondary %u: lease %u left %u, want %u %u\n", i, l, t,
	       lease, left);
	return false;
}

/* "ADD 127.0.0.1 <p> <dport>[ <opt>]" to @pri: the reply. */
static const char *add_req(struct portshare_primary *pri, uint16_t p,
			   unsigned int dport, const char *opt)
{
	char req[128];

	snprintf(req, sizeof(req), "ADD " LO " %u %u%s%s", p, dport,
		 *opt ? " " : "", opt);
	return ask(pri, p, LO, 5555, req);
}

/*
 * "100 OK 127.0.0.1 <reg>", " lease=<lease>" if it is not 0, then
 * " rate=<rate>" if it is not 0.
 */
static const char *ok_rate(uint16_t reg, uint32_t lease, uint32_t rate)
{
	static char buf[96];
	int n = snprintf(buf, sizeof(buf), "%s " LO " %u", PS_REPLY_TEXT(OK),
			 reg);

	if (lease)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " lease=%u",
			      lease);
	if (rate)
		snprintf(buf + n, sizeof(buf) - (size_t)n, " rate=%u", rate);
	return buf;
}

static const char *ok_text(uint16_t reg, uint32_t lease)
{
	return ok_rate(reg, lease, 0);
}

/*
 * The wire's grant (issue 17): G = L if L and (no P or L < P), else P;
 * the suffix only when G > 0; a repeated ADD is 200 as ever.
 */
static void test_lease_grant(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri), p0 = add_free_port(pri);
	uint16_t r = (uint16_t)(p + 13000), r0 = (uint16_t)(p0 + 13000);

	OK(portshare_primary_port_lease(pri, p, 30) == 0,
	   "port_lease 30");
	OK(is(add_req(pri, p, 6000, ""), ok_text(r, 30)) &&
	   lease_is(pri, p, 0, 30, 30),
	   "ADD without lease=: the port's, \"100 OK ... lease=30\"");
	OK(is(add_req(pri, p, 6001, "lease=10"), ok_text(r, 10)) &&
	   lease_is(pri, p, 1, 10, 10), "lease=10 shortens it: lease=10");
	OK(is(add_req(pri, p, 6002, "mode=raw lease=60"), ok_text(r, 30)) &&
	   lease_is(pri, p, 2, 30, 30), "lease=60 does not lengthen it: 30");
	OK(is(add_req(pri, p, 6003, "lease=30"), ok_text(r, 30)),
	   "lease=30, the port's own: 30");
	OK(is(add_req(pri, p, 6001, "lease=1"), PS_REPLY_TEXT(ALREADY_ADDED)) &&
	   lease_is(pri, p, 1, 10, 10),
	   "ADD again with another lease=: 200, the granted one stays");
	OK(is(add_req(pri, p0, 6000, ""), ok_text(r0, 0)),
	   "no port lease, none asked: the reply byte for byte as before");
	OK(is(add_req(pri, p0, 6001, "lease=31536000"),
	      ok_text(r0, 31536000)) && lease_is(pri, p0, 1, 31536000,
						 31536000) &&
	   lease_is(pri, p0, 0, 0, 0),
	   "no port lease: any lease= is granted (31536000)");
	OK(is(add_req(pri, p0, 6002, "lease=31536001"),
	      PS_REPLY_TEXT(UNKNOWN_OPTION)) &&
	   is(add_req(pri, p0, 6002, "lease=0"), PS_REPLY_TEXT(UNKNOWN_OPTION)),
	   "lease=31536001 and lease=0: 306");
	OK(portshare_primary_port_lease(pri, p, PORTSHARE_LEASE_MAX + 1) ==
	   PORTSHARE_E_INVALID && portshare_primary_port_lease(pri,
			(uint16_t)(p + 1), 5) == PORTSHARE_E_UNKNOWN_PORT &&
	   portshare_primary_sec_lease(pri, p, 4, NULL, NULL) ==
	   PORTSHARE_E_INVALID, "port_lease and sec_lease: bad input");
	portshare_primary_close(pri);
}

/* What on_request was told of the last expiry. */
static struct portshare_request_log expired_log;
static int nexpired;

static void on_request(const struct portshare_request_log *log, void *arg)
{
	(void)arg;
	if (log->reason == PORTSHARE_REASON_EXPIRED) {
		expired_log = *log;
		nexpired++;
	}
}

/* Run the primary's loop until @t (mono()). */
static void dispatch_until(struct portshare_primary *pri, double t)
{
	while (mono() < t)
		portshare_primary_dispatch(pri, 20);
}

static struct portshare_primary *primary_logged(void)
{
	return primary_logged_to(on_request);
}

/*
 * Expiry in the event loop: a 1 s wire lease not renewed is gone by
 * 1.3 s, one renewed at 0.6 s lives to 1.6 s; expiry says reason
 * expired and sends no SHUTDOWN.  An API lease expires alike.
 */
static void test_lease_expiry(void)
{
	struct portshare_primary *pri = primary_logged();
	uint16_t p = add_free_port(pri), dport;
	struct portshare_list_entry sec = {
		.addr = addr_of(LO), .data_port = 6100,
		.mode = PORTSHARE_MODE_RAW,
	};
	int fd = bind_lo(0, &dport);
	double t0 = mono();
	uint8_t buf[128];

	add_req(pri, p, dport, "lease=1");
	add_req(pri, p, 6000, "lease=1");
	OK(portshare_primary_sec_add_lease(pri, p, &sec, NULL, 0, 1) == 0 &&
	   lease_is(pri, p, 2, 1, 1), "sec_add_lease 1 s");
	sec.data_port = 6101;
	OK(portshare_primary_sec_add_lease(pri, p, &sec, NULL, 0,
					   PORTSHARE_LEASE_MAX + 1) ==
	   PORTSHARE_E_INVALID && nsecs(pri, p) == 3,
	   "sec_add_lease beyond PORTSHARE_LEASE_MAX: invalid");
	dispatch_until(pri, t0 + 0.6);
	OK(nsecs(pri, p) == 3 && nexpired == 0, "all three there at 0.6 s");
	OK(is(add_req(pri, p, dport, "lease=1"), PS_REPLY_TEXT(ALREADY_ADDED)),
	   "ADD again at 0.6 s: 200 (and the lease starts again)");
	dispatch_until(pri, t0 + 1.3);
	OK(nsecs(pri, p) == 1 && nexpired == 2 && lease_is(pri, p, 0, 1, 1),
	   "at 1.3 s the two not renewed are gone; the renewed one is left");
	OK(expired_log.cmd == PORTSHARE_REQ_DROP && expired_log.lease == 1 &&
	   expired_log.port == p && !expired_log.from.family,
	   "on_request: DROP, reason expired, lease 1, from nobody");
	dispatch_until(pri, t0 + 2.0);
	OK(nsecs(pri, p) == 0 && nexpired == 3 &&
	   expired_log.data_port == dport,
	   "the renewed one expires by 2 s (%.2f s)", mono() - t0);
	OK(recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0,
	   "no SHUTDOWN to an expired secondary");
	OK(portshare_primary_expire(pri) == 0, "expire: nothing left");
	close(fd);
	portshare_primary_close(pri);
}

static bool rate_is(struct portshare_primary *pri, uint16_t p,
		    unsigned int i, uint32_t rate, uint32_t burst, uint8_t ttl)
{
	struct portshare_rate r = { 99, 99, 99 };

	if (!portshare_primary_sec_rate(pri, p, i, &r, NULL) &&
	    r.rate == rate && r.burst == burst && r.ttl == ttl)
		return true;
	printf("#   secondary %u: rate %u/%u ttl %u, want %u/%u %u\n", i,
	       r.rate, r.burst, r.ttl, rate, burst, ttl);
	return false;
}

/*
 * The wire's rate grant (issue 17, ps_rate_granted()): the port's cap, or
 * a lower rate= with the port's burst scaled; " rate=N" after the lease
 * only when the ADD asked for a rate (as portshare.ko: a secondary that
 * knows lease= but not rate= must not see it); a repeated ADD is 200 and
 * changes nothing.
 */
/* One ADD of test_rate_grant(): its reply and the cap in force after. */
struct grant_case {
	bool capped;		/* to the port with a cap, else the one without */
	unsigned int dport;
	const char *opt;
	uint32_t lease;
	int reply_rate;		/* the reply's rate=, 0 none; -1: 200 */
	unsigned int index;
	uint32_t rate, burst;
	uint8_t ttl;
	const char *name;
};

static const struct grant_case grants[] = {
	{ true, 6000, "", 0, 0, 0, 100, 200, 7,
	  "ADD without rate=: the port's cap, the reply as before" },
	{ true, 6001, "rate=10", 0, 10, 1, 10, 20, 7,
	  "rate=10 lowers it: rate=10, the burst scaled to 20" },
	{ true, 6002, "mode=raw rate=1000", 0, 100, 2, 100, 200, 7,
	  "rate=1000 does not raise it: 100" },
	{ true, 6001, "rate=5", 0, -1, 1, 10, 20, 7,
	  "ADD again with another rate=: 200, the granted one stays" },
	{ false, 6000, "", 0, 0, 0, 0, 0, 0,
	  "no port rate, none asked: the reply byte for byte as before" },
	{ false, 6001, "rate=50 lease=60", 60, 50, 1, 50, 50, 0,
	  "no port rate: rate=50 granted, burst 50, after the lease" },
};

static void test_rate_grant(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri), p0 = add_free_port(pri);
	uint16_t r = (uint16_t)(p + 13000);
	struct portshare_rate port = { .rate = 100, .burst = 200, .ttl = 7 };
	struct portshare_rate bad = { .burst = 5 };
	size_t i;

	OK(portshare_primary_port_rate(pri, p, &port) == 0,
	   "port_rate 100/200 ttl 7");
	for (i = 0; i < sizeof(grants) / sizeof(grants[0]); i++) {
		const struct grant_case *g = &grants[i];
		uint16_t q = g->capped ? p : p0;

		OK(is(add_req(pri, q, g->dport, g->opt),
		      g->reply_rate < 0 ? PS_REPLY_TEXT(ALREADY_ADDED) :
		      ok_rate((uint16_t)(q + 13000), g->lease,
			      (uint32_t)g->reply_rate)) &&
		   rate_is(pri, q, g->index, g->rate, g->burst, g->ttl),
		   "%s", g->name);
	}
	OK(is(add_req(pri, p0, 6002, "rate=10000001"),
	      PS_REPLY_TEXT(UNKNOWN_OPTION)) &&
	   is(add_req(pri, p0, 6002, "rate=0"), PS_REPLY_TEXT(UNKNOWN_OPTION)),
	   "rate=10000001 and rate=0: 306");
	port.rate = PORTSHARE_RATE_MAX + 1;
	OK(portshare_primary_port_rate(pri, p, &port) == PORTSHARE_E_INVALID &&
	   portshare_primary_port_rate(pri, p, &bad) == PORTSHARE_E_INVALID &&
	   portshare_primary_port_rate(pri, (uint16_t)(p + 1), NULL) ==
	   PORTSHARE_E_UNKNOWN_PORT &&
	   portshare_primary_sec_rate(pri, p, 3, NULL, NULL) ==
	   PORTSHARE_E_INVALID, "port_rate and sec_rate: bad input");
	OK(portshare_primary_port_rate(pri, p, NULL) == 0 &&
	   is(add_req(pri, p, 6003, ""), ok_text(r, 0)) &&
	   rate_is(pri, p, 3, 0, 0, 0), "port_rate NULL: no cap any more");
	portshare_primary_close(pri);
}

static uint64_t ratelimited(struct portshare_primary *pri, uint16_t p,
			    unsigned int i)
{
	uint64_t n = UINT64_MAX;

	portshare_primary_sec_rate(pri, p, i, NULL, &n);
	return n;
}

/* Forward @n datagrams "x" from 192.0.2.1 at once; how many were shared. */
static int forward_n(struct portshare_primary *pri, uint16_t p, size_t n)
{
	struct portshare_datagram dg[64];
	size_t i;

	for (i = 0; i < n && i < 64; i++)
		dg[i] = (struct portshare_datagram){
			.origin = addr_of("192.0.2.1"), .origin_port = 999,
			.payload = "x", .len = 1,
		};
	return portshare_primary_forward(pri, p, dg, i);
}

/*
 * The cap (a GCRA): rate 10/s, burst 5, fifty datagrams at once: 5 copies
 * (6 if a tenth of a second passed), the rest drop_ratelimited; the copies
 * over it use their sequence numbers (a gap is a loss), datagrams the
 * source filter skips spend nothing.
 */
static void test_rate_cap(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri), dport;
	struct portshare_rate cap = { .rate = 10, .burst = 5 };
	struct portshare_rate one = { .rate = 1 };
	struct portshare_prefix net = { addr_of("198.51.100.0"), 24 };
	struct portshare_list_entry sec = {
		.addr = addr_of(LO), .mode = PORTSHARE_MODE_ENCAP,
	};
	int fd = bind_lo(0, &dport);
	uint64_t copies;
	uint32_t seq;

	sec.data_port = dport;
	OK(portshare_primary_sec_add_rate(pri, p, &sec, NULL, 0, 0, &cap) == 0 &&
	   rate_is(pri, p, 0, 10, 5, 0), "sec_add_rate 10/5");
	sec.data_port = 6001;
	sec.mode = PORTSHARE_MODE_RAW;
	OK(portshare_primary_sec_add_rate(pri, p, &sec, &net, 1, 0, &one) == 0 &&
	   rate_is(pri, p, 1, 1, 1, 0), "sec_add_rate 1/s from 198.51.100.0/24");
	OK(forward_n(pri, p, 50) == 50, "50 datagrams forwarded at once");
	copies = sec_copies(pri, p, 0);
	OK((copies == 5 || copies == 6) && ratelimited(pri, p, 0) == 50 - copies,
	   "5 copies (%llu), the rest drop_ratelimited (%llu)",
	   (unsigned long long)copies,
	   (unsigned long long)ratelimited(pri, p, 0));
	while (next_seq(fd) != UINT32_MAX)	/* the burst, 0..4; 2 s */
		;
	forward_n(pri, p, 1);
	seq = next_seq(fd);
	OK(seq == 50, "the next copy is number 50: a gap, a loss (%u)", seq);
	OK(sec_copies(pri, p, 1) == 0 && skipped(pri, p, 1) == 51 &&
	   ratelimited(pri, p, 1) == 0,
	   "the filtered one: 51 skipped, no token spent");
	OK(forward_from(pri, p, "198.51.100.7") && sec_copies(pri, p, 1) == 1 &&
	   ratelimited(pri, p, 1) == 0,
	   "so its first datagram from inside the filter is copied");
	close(fd);
	portshare_primary_close(pri);
}

/* The TTL or hop limit a datagram came with on @fd (IP_RECVTTL), or -1. */
static int recv_ttl(int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	char buf[256];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf.buf,
			    .msg_controllen = sizeof(cbuf.buf) };
	struct cmsghdr *c;
	int ttl = -1;

	if (recvmsg(fd, &m, MSG_DONTWAIT) < 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
	return ttl;
}

/* A transparent copy carries ttl 5 in the IP header it is built with. */
static void test_ttl_transparent(struct portshare_primary *pri, uint16_t p)
{
	struct portshare_rate ttl5 = { .ttl = 5 };
	struct portshare_list_entry sec = {
		.addr = addr_of(LO), .mode = PORTSHARE_MODE_TRANSPARENT,
	};
	struct pollfd pf = { .events = POLLIN };
	int on = 1, fd, ttl;

	if (portshare_primary_transparent(pri)) {
		printf("ok %d - transparent copy with TTL 5 # SKIP no CAP_NET_RAW\n",
		       ++ntest);
		return;
	}
	fd = bind_lo(0, &sec.data_port);
	pf.fd = fd;
	setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on));
	portshare_primary_sec_add_rate(pri, p, &sec, NULL, 0, 0, &ttl5);
	forward_n(pri, p, 1);
	poll(&pf, 1, 2000);
	ttl = recv_ttl(fd);
	OK(ttl == 5, "a transparent copy with TTL 5 (%d)", ttl);
	close(fd);
}

/* ttl 7 reaches the socket as the TTL of the copy; 0 leaves the system's. */
static void test_ttl(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri), d7, d0;
	struct portshare_rate ttl7 = { .ttl = 7 };
	struct portshare_list_entry sec = {
		.addr = addr_of(LO), .mode = PORTSHARE_MODE_RAW,
	};
	int fd7 = bind_lo(0, &d7), fd0 = bind_lo(0, &d0), on = 1, ttl;

	setsockopt(fd7, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on));
	setsockopt(fd0, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on));
	sec.data_port = d7;
	OK(portshare_primary_sec_add_rate(pri, p, &sec, NULL, 0, 0, &ttl7) == 0 &&
	   rate_is(pri, p, 0, 0, 0, 7), "sec_add_rate ttl 7, no cap");
	sec.data_port = d0;
	portshare_primary_sec_add(pri, p, &sec);
	forward_n(pri, p, 1);
	ttl = recv_ttl(fd7);
	OK(ttl == 7, "its copy came with TTL 7 (%d)", ttl);
	ttl = recv_ttl(fd0);
	OK(ttl > 0 && ttl != 7, "the other's with the system's (%d)", ttl);
	test_ttl_transparent(pri, p);
	close(fd7);
	close(fd0);
	portshare_primary_close(pri);
}

/* The cookie of a "102 VERIFY <cookie>" in @reply; false if it is none. */
static bool cookie_of(const char *reply, char cookie[17])
{
	size_t i;

	if (strncmp(reply, "102 VERIFY ", 11) || strlen(reply) != 27)
		return false;
	for (i = 0; i < 16; i++) {
		cookie[i] = reply[11 + i];
		if (!strchr("0123456789abcdef", cookie[i]))
			return false;
	}
	cookie[16] = '\0';
	return true;
}

/* @text with " cookie=@cookie" from 192.0.2.7:@sport; the reply. */
static const char *ask_cookie(struct portshare_primary *pri, uint16_t p,
			      uint16_t sport, const char *text,
			      const char *cookie)
{
	char req[160];

	snprintf(req, sizeof(req), "%s cookie=%s", text, cookie);
	return ask(pri, p, "192.0.2.7", sport, req);
}

/* Upper case: the parser takes either (shared/request.c). */
static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'f')
			*s = (char)(*s - 'a' + 'A');
}

/* The cookie of a verify network, from the 102 to the carried out ADD. */
static void test_verify_add(struct portshare_primary *pri, uint16_t p,
			    char cookie[17])
{
	char add[64], other[64], third[64], wrong[17], want[64];

	snprintf(add, sizeof(add), "ADD 192.0.2.7 %u 6001", p);
	OK(cookie_of(ask(pri, p, "192.0.2.7", 5555, add), cookie) &&
	   nsecs(pri, p) == 0,
	   "verify: an ADD without cookie= is answered 102 VERIFY <16 hex>, "
	   "nothing added");
	snprintf(other, sizeof(other), "ADD 192.0.2.7 %u 6002", p);
	OK(!strncmp(ask_cookie(pri, p, 5555, other, cookie), "102 ", 4),
	   "the cookie of another data port: 102");
	snprintf(third, sizeof(third), "ADD 192.0.2.99 %u 6001", p);
	OK(!strncmp(ask_cookie(pri, p, 5555, third, cookie), "102 ", 4),
	   "the cookie of another secondary address: 102");
	OK(!strncmp(ask_cookie(pri, p, 5556, add, cookie), "102 ", 4),
	   "the cookie from another source port: 102");
	snprintf(wrong, sizeof(wrong), "%s", cookie);
	wrong[15] = wrong[15] == '0' ? '1' : '0';
	OK(!strncmp(ask_cookie(pri, p, 5555, add, wrong), "102 ", 4) &&
	   nsecs(pri, p) == 0, "a wrong cookie: 102, nothing added");
	upper(cookie);
	snprintf(want, sizeof(want), "%s " LO " %u", PS_REPLY_TEXT(OK),
		 p + 13000);
	OK(is(ask_cookie(pri, p, 5555, add, cookie), want) &&
	   nsecs(pri, p) == 1,
	   "the same ADD with its cookie (upper case): 100 OK, added");
	OK(is(ask_cookie(pri, p, 5555, add, cookie),
	      PS_REPLY_TEXT(ALREADY_ADDED)), "again with it: 200");
}

static void test_verify_drop(struct portshare_primary *pri, uint16_t p)
{
	char drop[64], cookie[17];

	snprintf(drop, sizeof(drop), "DROP 192.0.2.7 %u 6001", p);
	OK(cookie_of(ask(pri, p, "192.0.2.7", 5555, drop), cookie) &&
	   nsecs(pri, p) == 1, "a DROP without cookie=: 102, nothing dropped");
	OK(is(ask_cookie(pri, p, 5555, drop, cookie), PS_REPLY_TEXT(OK)) &&
	   nsecs(pri, p) == 0, "the DROP with its cookie: 100 OK, dropped");
	OK(is(ask_cookie(pri, p, 5555, drop, "0123"),
	      PS_REPLY_TEXT(UNKNOWN_OPTION)), "a short cookie=: 306");
	snprintf(drop, sizeof(drop), "DROP 192.0.2.7");
	OK(is(ask(pri, p, "192.0.2.7", 5555, drop),
	      PS_REPLY_TEXT(PORT_MISSING)),
	   "a malformed request still gets its 301, not 102");
}

/*
 * acl NET verify (portshare.ko's psnl acl add NET verify): requests from
 * the network change nothing until they carry the cookie of a 102.
 */
static void test_verify(void)
{
	struct portshare_primary *pri = primary(64, 0, 1);
	uint16_t p = add_free_port(pri);
	struct portshare_addr net = addr_of("192.0.2.0");
	struct portshare_addr plain = addr_of("198.51.100.0");
	char cookie[17], req[96], want[64];
	uint64_t verify = UINT64_MAX;

	OK(portshare_primary_acl_add_flags(pri, &net, 24, 4) ==
	   PORTSHARE_E_INVALID, "acl add with an unknown flag: invalid");
	OK(portshare_primary_acl_add_flags(pri, &net, 24,
					   PORTSHARE_ACL_F_VERIFY) == 0 &&
	   portshare_primary_acl_add_flags(pri, &plain, 24, 0) == 0,
	   "acl add 192.0.2.0/24 verify, 198.51.100.0/24");
	test_verify_add(pri, p, cookie);
	test_verify_drop(pri, p);
	snprintf(req, sizeof(req),
		 "ADD 198.51.100.1 %u 6001 cookie=0123456789abcdef", p);
	snprintf(want, sizeof(want), "%s " LO " %u", PS_REPLY_TEXT(OK),
		 p + 13000);
	OK(is(ask(pri, p, "198.51.100.1", 5555, req), want),
	   "a cookie= from a network without verify is ignored");
	OK(!portshare_primary_reg_verify(pri, p, &verify) && verify == 6 &&
	   reg_counter(pri, p, PORTSHARE_REG_OK) == 3 &&
	   reg_counter(pri, p, PORTSHARE_REG_ERRORS) == 3,
	   "reg_verify counts the 102s, outside reg_ok and reg_errors "
	   "(verify %llu)", (unsigned long long)verify);
	OK(portshare_primary_reg_verify(pri, (uint16_t)(p + 1), &verify) ==
	   PORTSHARE_E_UNKNOWN_PORT, "reg_verify of another port: unknown");
	portshare_primary_close(pri);
}

int main(void)
{
	srand((unsigned int)(time(NULL) ^ getpid()));
	printf("TAP version 13\n");
	test_options();
	test_add_drop();
	test_acl();
	test_acl_bad_input();
	test_out_of_resources();
	test_cap_and_rate();
	test_request_bad_input();
	test_copies_received();
	test_forward_api();
	test_standalone();
	test_sec_add_address();
	test_remove_port_forked();
	test_from_wire();
	test_from_api();
	test_from_api_bad_input();
	test_lease_grant();
	test_lease_expiry();
	test_rate_grant();
	test_rate_cap();
	test_ttl();
	test_verify();
	return tap_done();
}
