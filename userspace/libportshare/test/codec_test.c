// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the libportshare codec: requests, replies, SHUTDOWN, the
 * encap header, leases and rate caps (lease= and rate= in ADD and
 * "100 OK"), verify (cookie= in ADD and DROP, "102 VERIFY") and the error
 * values.  Every reply string is compared byte for byte with the golden
 * table below.  Prints TAP.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "portshare.h"
#include "reply.h"
#include "tap.h"

#define S(lit) lit, sizeof(lit) - 1

static struct portshare_addr A(const char *s)
{
	struct portshare_addr a;

	portshare_addr_parse(s, &a);
	return a;
}

static void test_request(void)
{
	struct portshare_request r = {
		.cmd = PORTSHARE_REQ_ADD, .addr = A("10.0.0.5"), .port = 427,
		.mode = -1,
	};
	char buf[PORTSHARE_REQUEST_MAX + 1];
	int n;

	n = portshare_request_format(&r, buf, sizeof(buf));
	OK(n == 16 && !strcmp(buf, "ADD 10.0.0.5 427"), "ADD, no data port");
	r.data_port = 9000;
	r.mode = PORTSHARE_MODE_RAW;
	portshare_request_format(&r, buf, sizeof(buf));
	OK(!strcmp(buf, "ADD 10.0.0.5 427 9000 mode=raw"), "ADD with mode");
	r.mode = PORTSHARE_MODE_TRANSPARENT;
	r.addr = A("fd00:0::5");
	portshare_request_format(&r, buf, sizeof(buf));
	OK(!strcmp(buf, "ADD fd00::5 427 9000 mode=transparent"),
	   "ADD IPv6 in RFC 5952 form");
	r.cmd = PORTSHARE_REQ_DROP;
	portshare_request_format(&r, buf, sizeof(buf));
	OK(!strcmp(buf, "DROP fd00::5 427 9000"), "DROP ignores the mode");
	n = portshare_request_format(&r, buf, 10);
	OK(n == PORTSHARE_E_NO_SPACE, "short buffer: %s",
	   portshare_strerror(n));
	r.port = 0;
	OK(portshare_request_format(&r, buf, sizeof(buf)) ==
	   PORTSHARE_E_INVALID, "port 0 is invalid");
	r.port = 1;
	r.cmd = 3;
	OK(portshare_request_format(&r, buf, sizeof(buf)) ==
	   PORTSHARE_E_INVALID, "unknown command is invalid");
	r.cmd = PORTSHARE_REQ_ADD;
	r.mode = 7;
	OK(portshare_request_format(&r, buf, sizeof(buf)) ==
	   PORTSHARE_E_INVALID, "unknown mode is invalid");
}

/* portshare_prefix_parse(), then the text of the prefix; the error else. */
static const char *prefix_text(const char *in)
{
	static char out[PORTSHARE_ADDR_STRLEN + 8];
	struct portshare_prefix p;
	char a[PORTSHARE_ADDR_STRLEN];
	int ret = portshare_prefix_parse(in, &p);

	if (ret)
		return portshare_strerror(ret);
	portshare_addr_format(&p.net, a, sizeof(a));
	snprintf(out, sizeof(out), "%s/%u", a, p.len);
	return out;
}

static void test_prefix_parse(void)
{
	static const char *const cases[][2] = {
		{ "192.0.2.0/24", "192.0.2.0/24" },
		{ "192.0.2.7", "192.0.2.7/32" },
		{ "0.0.0.0/0", "0.0.0.0/0" },
		{ "fd00:0::/8", "fd00::/8" },
		{ "::1", "::1/128" },
		{ "::ffff:192.0.2.0/120", "::ffff:192.0.2.0/120" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		OK(!strcmp(prefix_text(cases[i][0]), cases[i][1]),
		   "prefix %s is %s", cases[i][0], cases[i][1]);
	OK(!strcmp(prefix_text("192.0.2.7/24"),
		   portshare_strerror(PORTSHARE_E_HOST_BITS)),
	   "192.0.2.7/24: host bits");
	OK(!strcmp(prefix_text("192.0.2.0/33"),
		   portshare_strerror(PORTSHARE_E_INVALID)) &&
	   !strcmp(prefix_text("192.0.2.0/024"),
		   portshare_strerror(PORTSHARE_E_INVALID)) &&
	   !strcmp(prefix_text("192.0.2.0/"),
		   portshare_strerror(PORTSHARE_E_INVALID)) &&
	   !strcmp(prefix_text("::/129"),
		   portshare_strerror(PORTSHARE_E_INVALID)),
	   "lengths /33, /024, / and /129 for IPv6: invalid");
	OK(!strcmp(prefix_text("192.0.2.0/24/1"),
		   portshare_strerror(PORTSHARE_E_INVALID)),
	   "192.0.2.0/24/1: invalid");
	OK(!strcmp(prefix_text("host.example/24"),
		   portshare_strerror(PORTSHARE_E_INVALID_ADDRESS)) &&
	   !strcmp(prefix_text("/24"),
		   portshare_strerror(PORTSHARE_E_INVALID_ADDRESS)) &&
	   !strcmp(prefix_text("fe80::1%lo/64"),
		   portshare_strerror(PORTSHARE_E_INVALID_ADDRESS)),
	   "a host name, no address, a zone: invalid address");
}

static void test_request_from(void)
{
	struct portshare_request r = {
		.cmd = PORTSHARE_REQ_ADD, .addr = A("10.0.0.5"), .port = 427,
		.data_port = 9000, .mode = PORTSHARE_MODE_RAW,
	};
	struct portshare_prefix f[PORTSHARE_FROM_MAX + 1];
	char buf[PORTSHARE_REQUEST_MAX + 1];
	size_t i;
	int n;

	portshare_prefix_parse("192.0.2.0/24", &f[0]);
	portshare_prefix_parse("fd00::/8", &f[1]);
	n = portshare_request_format_from(&r, f, 2, buf, sizeof(buf));
	OK(n == (int)strlen(buf) &&
	   !strcmp(buf, "ADD 10.0.0.5 427 9000 mode=raw from=192.0.2.0/24 "
		   "from=fd00::/8"), "ADD with two from=: '%s'", buf);
	OK(portshare_request_format_from(&r, NULL, 0, buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, "ADD 10.0.0.5 427 9000 mode=raw"),
	   "no prefix: as portshare_request_format()");
	OK(portshare_request_format_from(&r, f, 2, buf, 40) ==
	   PORTSHARE_E_NO_SPACE, "short buffer for the from=: no space");
	for (i = 0; i <= PORTSHARE_FROM_MAX; i++)
		f[i] = f[0];
	OK(portshare_request_format_from(&r, f, PORTSHARE_FROM_MAX + 1, buf,
					  sizeof(buf)) == PORTSHARE_E_INVALID,
	   "nine prefixes: invalid");
	OK(portshare_request_format_from(&r, f, PORTSHARE_FROM_MAX, buf,
					  sizeof(buf)) > 0,
	   "eight prefixes: written");
	OK(portshare_request_format_from(&r, NULL, 1, buf, sizeof(buf)) ==
	   PORTSHARE_E_INVALID, "a NULL filter of one prefix: invalid");
	f[1].len = 33;
	OK(portshare_request_format_from(&r, f, 2, buf, sizeof(buf)) ==
	   PORTSHARE_E_INVALID, "192.0.2.0/33: invalid");
	f[1].len = 24;
	f[1].net.family = 0;
	OK(portshare_request_format_from(&r, f, 2, buf, sizeof(buf)) ==
	   PORTSHARE_E_INVALID, "a prefix without a family: invalid");
	f[1].net = A("192.0.2.1");
	OK(portshare_request_format_from(&r, f, 2, buf, sizeof(buf)) ==
	   PORTSHARE_E_HOST_BITS, "a prefix with host bits: refused");
	r.cmd = PORTSHARE_REQ_DROP;
	OK(portshare_request_format_from(&r, f, 1, buf, sizeof(buf)) ==
	   PORTSHARE_E_INVALID, "from= on DROP: invalid");
}

struct reply_case {
	const char *text;
	size_t len;
	int cmd, ret, code, error;
};

static const struct reply_case reply_cases[] = {
	{ S("100 OK"), PORTSHARE_REQ_DROP, 0, 100, 0 },
	{ S("100 OK"), PORTSHARE_REQ_ADD, 0, 100, 0 },
	{ S("100 OK 127.0.0.1 13162"), PORTSHARE_REQ_ADD, 0, 100, 0 },
	{ S("100 OK fd00::1 13427\r\n"), PORTSHARE_REQ_ADD, 0, 100, 0 },
	{ S("200 ERROR. Already Added"), PORTSHARE_REQ_ADD, 0, 200,
	  PORTSHARE_E_ALREADY_ADDED },
	{ S("200 ERROR. Not in List"), PORTSHARE_REQ_DROP, 0, 200,
	  PORTSHARE_E_NOT_IN_LIST },
	{ S("300 ERROR. Invalid Address"), PORTSHARE_REQ_ADD, 0, 300,
	  PORTSHARE_E_INVALID_ADDRESS },
	{ S("301 ERROR. Port Number Missing"), PORTSHARE_REQ_DROP, 0, 301,
	  PORTSHARE_E_PORT_MISSING },
	{ S("401 ERROR. List Full"), PORTSHARE_REQ_ADD, 0, 401,
	  PORTSHARE_E_LIST_FULL },
	{ S("499 ERROR. Something New"), PORTSHARE_REQ_ADD, 0, 499,
	  PORTSHARE_E_REFUSED },
	{ S("100 OK 127.0.0.1"), PORTSHARE_REQ_ADD, PORTSHARE_E_BAD_MESSAGE },
	{ S("100 OK 127.0.0.1 0"), PORTSHARE_REQ_ADD,
	  PORTSHARE_E_BAD_MESSAGE },
	{ S("100 OK host 13162"), PORTSHARE_REQ_ADD, PORTSHARE_E_BAD_MESSAGE },
	{ S("100 OK 127.0.0.1 13162 x"), PORTSHARE_REQ_ADD,
	  PORTSHARE_E_BAD_MESSAGE },
	{ S("100 NO"), PORTSHARE_REQ_ADD, PORTSHARE_E_BAD_MESSAGE },
	{ S("600 ERROR. X"), PORTSHARE_REQ_ADD, PORTSHARE_E_BAD_MESSAGE },
	{ S("150 ERROR. X"), PORTSHARE_REQ_ADD, PORTSHARE_E_BAD_MESSAGE },
	{ S("300 Oops"), PORTSHARE_REQ_ADD, PORTSHARE_E_BAD_MESSAGE },
	{ S("30 ERROR. X"), PORTSHARE_REQ_ADD, PORTSHARE_E_BAD_MESSAGE },
	{ S("ADD 10.0.0.5 427"), PORTSHARE_REQ_ADD, PORTSHARE_E_BAD_MESSAGE },
	{ S("100 OK\0x"), PORTSHARE_REQ_ADD, PORTSHARE_E_BAD_MESSAGE },
	{ S(""), PORTSHARE_REQ_ADD, PORTSHARE_E_BAD_MESSAGE },
};

static void test_reply_parse(void)
{
	struct portshare_reply_msg r;
	char a[PORTSHARE_ADDR_STRLEN];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(reply_cases) / sizeof(reply_cases[0]); i++) {
		const struct reply_case *c = &reply_cases[i];

		ret = portshare_reply_parse(c->text, c->len, c->cmd, &r);
		OK(ret == c->ret && (ret || (r.code == c->code &&
					     r.error == c->error)),
		   "reply \"%.*s\" -> %d (%s)", (int)strcspn(c->text, "\r\n"),
		   c->text, ret ? ret : r.error,
		   portshare_strerror(ret ? ret : r.error));
	}
	portshare_reply_parse(S("100 OK 127.0.0.1 13162"), PORTSHARE_REQ_ADD,
			      &r);
	portshare_addr_format(&r.primary, a, sizeof(a));
	OK(r.has_primary && !strcmp(a, "127.0.0.1") && r.reg_port == 13162,
	   "100 OK carries the primary address and port");
}

/*
 * Every reply, written out byte for byte from the patent's Table 2 and
 * DESIGN §3: the one place the tests spell the texts, so that a typo in
 * shared/replies.def cannot pass by agreeing with itself.
 */
static const struct {
	int err, cmd;
	const char *want;
} golden[] = {
	{ 0, PORTSHARE_REQ_DROP, "100 OK" },
	{ PORTSHARE_E_ALREADY_ADDED, PORTSHARE_REQ_ADD,
	  "200 ERROR. Already Added" },
	{ PORTSHARE_E_ALREADY_ADDED, PORTSHARE_REQ_DROP,
	  "200 ERROR. Not in List" },
	{ PORTSHARE_E_NOT_IN_LIST, PORTSHARE_REQ_DROP,
	  "200 ERROR. Not in List" },
	{ PORTSHARE_E_INVALID_ADDRESS, PORTSHARE_REQ_ADD,
	  "300 ERROR. Invalid Address" },
	{ PORTSHARE_E_PORT_MISSING, PORTSHARE_REQ_ADD,
	  "301 ERROR. Port Number Missing" },
	{ PORTSHARE_E_INVALID_PORT, PORTSHARE_REQ_ADD,
	  "302 ERROR. Invalid Port Number" },
	{ PORTSHARE_E_UNKNOWN_PORT, PORTSHARE_REQ_ADD,
	  "303 ERROR. Unknown Port" },
	{ PORTSHARE_E_MALFORMED, PORTSHARE_REQ_ADD,
	  "304 ERROR. Malformed Request" },
	{ PORTSHARE_E_UNKNOWN_COMMAND, PORTSHARE_REQ_ADD,
	  "305 ERROR. Unknown Command" },
	{ PORTSHARE_E_UNKNOWN_OPTION, PORTSHARE_REQ_ADD,
	  "306 ERROR. Unknown Option" },
	{ PORTSHARE_E_NOT_PERMITTED, PORTSHARE_REQ_DROP,
	  "400 ERROR. Not Permitted" },
	{ PORTSHARE_E_LIST_FULL, PORTSHARE_REQ_ADD,
	  "401 ERROR. List Full" },
	{ PORTSHARE_E_LOOP, PORTSHARE_REQ_ADD,
	  "402 ERROR. Data Port Contested" },
	{ PORTSHARE_E_NO_RESOURCES, PORTSHARE_REQ_ADD,
	  "403 ERROR. Out of Resources" },
};

#define NGOLDEN (sizeof(golden) / sizeof(golden[0]))

/* Each row of replies.def is golden, with the uapi code it starts with. */
static void test_reply_table(void)
{
	char code[8];
	size_t i, j;

	for (i = 0; i < PS_REPLY_ROWS; i++) {
		snprintf(code, sizeof(code), "%u ", ps_replies[i].code);
		for (j = 0; j < NGOLDEN; j++)
			if (!strcmp(golden[j].want, ps_replies[i].string))
				break;
		OK(j < NGOLDEN &&
		   !strncmp(ps_replies[i].string, code, strlen(code)),
		   "row %zu, \"%s\": the golden text, code %u", i,
		   ps_replies[i].string, ps_replies[i].code);
	}
}

/* The replies the codec writes and reads back, against the golden texts. */
static void test_reply_format(void)
{
	struct portshare_addr p = A("::1");
	struct portshare_reply_msg r;
	char buf[PORTSHARE_REPLY_MAX];
	size_t i;
	int n;

	for (i = 0; i < NGOLDEN; i++) {
		n = portshare_reply_format(golden[i].err, golden[i].cmd, NULL, 0,
					   buf, sizeof(buf));
		OK(n == (int)strlen(golden[i].want) &&
		   !memcmp(buf, golden[i].want, (size_t)n) &&
		   !strcmp(portshare_strerror(golden[i].err ?: 0),
			   golden[i].err ? golden[i].want : "Success") ==
		   !(golden[i].err == PORTSHARE_E_ALREADY_ADDED &&
		     golden[i].cmd == PORTSHARE_REQ_DROP) &&
		   !portshare_reply_parse(buf, (size_t)n, golden[i].cmd, &r) &&
		   r.error == (golden[i].cmd == PORTSHARE_REQ_DROP &&
			       golden[i].err == PORTSHARE_E_ALREADY_ADDED ?
			       PORTSHARE_E_NOT_IN_LIST : golden[i].err),
		   "reply \"%s\" round trip", golden[i].want);
	}
	n = portshare_reply_format(0, PORTSHARE_REQ_ADD, &p, 13162, buf,
				   sizeof(buf));
	OK(n > 0 && !strcmp(buf, "100 OK ::1 13162"), "100 OK to ADD: %s",
	   buf);
	OK(portshare_reply_format(0, PORTSHARE_REQ_ADD, NULL, 0, buf,
				  sizeof(buf)) == PORTSHARE_E_INVALID,
	   "100 OK to ADD needs the primary");
	OK(portshare_reply_format(-5, PORTSHARE_REQ_ADD, NULL, 0, buf,
				  sizeof(buf)) == PORTSHARE_E_INVALID,
	   "an errno is not a reply");
}

/* "ADD 10.0.0.5 427 9000 mode=raw", for its options. */
static struct portshare_request add_raw(void)
{
	struct portshare_request r = {
		.cmd = PORTSHARE_REQ_ADD, .addr = A("10.0.0.5"), .port = 427,
		.data_port = 9000, .mode = PORTSHARE_MODE_RAW,
	};

	return r;
}

static void test_lease_request(void)
{
	struct portshare_request r = add_raw();
	struct portshare_prefix f;
	char buf[PORTSHARE_REQUEST_MAX + 1];
	int n;

	portshare_prefix_parse("192.0.2.0/24", &f);
	n = portshare_request_format_lease(&r, &f, 1, 30, buf, sizeof(buf));
	OK(n == (int)strlen(buf) &&
	   !strcmp(buf, "ADD 10.0.0.5 427 9000 mode=raw lease=30 "
		   "from=192.0.2.0/24"), "ADD with lease=30 and from=: '%s'",
	   buf);
	r.mode = -1;
	OK(portshare_request_format_lease(&r, NULL, 0, PORTSHARE_LEASE_MAX, buf,
					  sizeof(buf)) > 0 &&
	   !strcmp(buf, "ADD 10.0.0.5 427 9000 lease=31536000"),
	   "lease=31536000 without mode: '%s'", buf);
	OK(portshare_request_format_lease(&r, NULL, 0, 0, buf,
					  sizeof(buf)) > 0 &&
	   !strcmp(buf, "ADD 10.0.0.5 427 9000"), "lease 0: no lease=");
	OK(portshare_request_format_lease(&r, NULL, 0, PORTSHARE_LEASE_MAX + 1,
					  buf, sizeof(buf)) ==
	   PORTSHARE_E_INVALID, "a lease beyond PORTSHARE_LEASE_MAX: invalid");
	OK(portshare_request_format_lease(&r, NULL, 0, 30, buf, 25) ==
	   PORTSHARE_E_NO_SPACE, "short buffer for the lease=: no space");
	r.cmd = PORTSHARE_REQ_DROP;
	OK(portshare_request_format_lease(&r, NULL, 0, 30, buf, sizeof(buf)) ==
	   PORTSHARE_E_INVALID, "lease= on DROP: invalid");
}

/* @text parses as a 100 OK to ADD with @lease; or it does not parse. */
static bool lease_parses(const char *text, int ret, uint32_t lease)
{
	struct portshare_reply_msg r;
	uint32_t got = 77;
	int err = portshare_reply_parse_lease(text, strlen(text),
					      PORTSHARE_REQ_ADD, &r, &got);

	if (err != ret || (!err && (got != lease || r.code != 100 ||
				    !r.has_primary || r.reg_port != 13162))) {
		printf("#   '%s': %d lease %u\n", text, err, got);
		return false;
	}
	return err || !portshare_reply_parse(text, strlen(text),
					     PORTSHARE_REQ_ADD, &r);
}

/* Suffixes a "100 OK 192.0.2.1 13162" must not have. */
static const char *const bad_leases[] = {
	"lease=0", "lease=031", "lease=31536001", "lease=", "lease=3x",
	"lease=99999999999", "mode=raw", "lease=3 x", "lease=3 lease=3",
};

static void test_lease_reply(void)
{
	struct portshare_addr p = A("192.0.2.1"), p6 = A("ffff::ffff:ffff:ffff:"
							 "ffff:ffff:ffff");
	char buf[PORTSHARE_REPLY_MAX];
	bool bad = true;
	size_t i;
	int n;

	OK(lease_parses("100 OK 192.0.2.1 13162 lease=30", 0, 30) &&
	   lease_parses("100 OK 192.0.2.1 13162 lease=31536000\r\n", 0,
			31536000) &&
	   lease_parses("100 OK 192.0.2.1 13162", 0, 0),
	   "\"100 OK ... lease=N\": N; none: 0; parse() takes both");
	for (i = 0; i < sizeof(bad_leases) / sizeof(bad_leases[0]); i++) {
		snprintf(buf, sizeof(buf), "100 OK 192.0.2.1 13162 %s",
			 bad_leases[i]);
		bad &= lease_parses(buf, PORTSHARE_E_BAD_MESSAGE, 0);
	}
	OK(bad, "a bad lease=, or more after it: bad message");
	n = portshare_reply_format_lease(0, PORTSHARE_REQ_ADD, &p, 13162, 30,
					 buf, sizeof(buf));
	OK(n == (int)strlen(buf) &&
	   !strcmp(buf, "100 OK 192.0.2.1 13162 lease=30"),
	   "format: one space, then lease=30: '%s'", buf);
	OK(portshare_reply_format_lease(0, PORTSHARE_REQ_ADD, &p, 13162, 0, buf,
					sizeof(buf)) > 0 &&
	   !strcmp(buf, "100 OK 192.0.2.1 13162"),
	   "lease 0: the reply as it always was");
	OK(portshare_reply_format_lease(PORTSHARE_E_ALREADY_ADDED,
					PORTSHARE_REQ_ADD, &p, 13162, 30, buf,
					sizeof(buf)) > 0 &&
	   !strcmp(buf, PS_REPLY_TEXT(ALREADY_ADDED)) &&
	   portshare_reply_format_lease(0, PORTSHARE_REQ_DROP, &p, 13162, 30,
					buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, PS_REPLY_TEXT(OK)), "no lease= on 200 or on DROP's OK");
	n = portshare_reply_format_lease(0, PORTSHARE_REQ_ADD, &p6, 65535,
					 PORTSHARE_LEASE_MAX, buf, sizeof(buf));
	OK(n > 0 && n < PORTSHARE_REPLY_MAX,
	   "the longest reply fits PORTSHARE_REPLY_MAX (%d)", n);
	OK(portshare_reply_format_lease(0, PORTSHARE_REQ_ADD, &p, 13162,
					PORTSHARE_LEASE_MAX + 1, buf,
					sizeof(buf)) == PORTSHARE_E_INVALID,
	   "a lease beyond PORTSHARE_LEASE_MAX: invalid");
}

static void test_rate_request(void)
{
	struct portshare_request r = add_raw();
	struct portshare_prefix f;
	char buf[PORTSHARE_REQUEST_MAX + 1];
	int n;

	portshare_prefix_parse("192.0.2.0/24", &f);
	n = portshare_request_format_rate(&r, &f, 1, 30, 50, buf, sizeof(buf));
	OK(n == (int)strlen(buf) &&
	   !strcmp(buf, "ADD 10.0.0.5 427 9000 mode=raw lease=30 rate=50 "
		   "from=192.0.2.0/24"),
	   "ADD with lease=30, rate=50 and from=: '%s'", buf);
	r.mode = -1;
	OK(portshare_request_format_rate(&r, NULL, 0, 0, PORTSHARE_RATE_MAX, buf,
					 sizeof(buf)) > 0 &&
	   !strcmp(buf, "ADD 10.0.0.5 427 9000 rate=10000000"),
	   "rate=10000000 alone: '%s'", buf);
	OK(portshare_request_format_rate(&r, NULL, 0, 0, 0, buf,
					 sizeof(buf)) > 0 &&
	   !strcmp(buf, "ADD 10.0.0.5 427 9000"), "rate 0: no rate=");
	OK(portshare_request_format_rate(&r, NULL, 0, 0, PORTSHARE_RATE_MAX + 1,
					 buf, sizeof(buf)) ==
	   PORTSHARE_E_INVALID, "a rate beyond PORTSHARE_RATE_MAX: invalid");
	OK(portshare_request_format_rate(&r, NULL, 0, 0, 50, buf, 25) ==
	   PORTSHARE_E_NO_SPACE, "short buffer for the rate=: no space");
	r.cmd = PORTSHARE_REQ_DROP;
	OK(portshare_request_format_rate(&r, NULL, 0, 0, 50, buf, sizeof(buf)) ==
	   PORTSHARE_E_INVALID, "rate= on DROP: invalid");
}

/* @text parses as a 100 OK to ADD with @lease and @rate, or returns @ret. */
static bool rate_parses(const char *text, int ret, uint32_t lease,
			uint32_t rate)
{
	struct portshare_reply_msg r;
	uint32_t got_lease = 77, got = 77;
	int err = portshare_reply_parse_rate(text, strlen(text),
					     PORTSHARE_REQ_ADD, &r, &got_lease,
					     &got);

	if (err != ret || (!err && (got != rate || got_lease != lease ||
				    r.reg_port != 13162))) {
		printf("#   '%s': %d lease %u rate %u\n", text, err, got_lease,
		       got);
		return false;
	}
	return true;
}

/* Suffixes a "100 OK 192.0.2.1 13162" must not have. */
static const char *const bad_rates[] = {
	"rate=0", "rate=05", "rate=10000001", "rate=", "rate=5x", "rate=-5",
	"rate=5 lease=30", "rate=5 rate=5", "rate=5 x", "Rate=5",
};

static void test_rate_reply(void)
{
	struct portshare_addr p = A("192.0.2.1"),
		p6 = A("1111:2222:3333:4444:5555:6666:7777:8888");
	char buf[PORTSHARE_REPLY_MAX];
	bool bad = true;
	size_t i;
	int n;

	OK(rate_parses("100 OK 192.0.2.1 13162 rate=50", 0, 0, 50) &&
	   rate_parses("100 OK 192.0.2.1 13162 lease=60 rate=10000000\r\n", 0,
		       60, 10000000) &&
	   rate_parses("100 OK 192.0.2.1 13162 lease=60", 0, 60, 0) &&
	   rate_parses("100 OK 192.0.2.1 13162", 0, 0, 0),
	   "\"100 OK ... [lease=L] rate=N\": N; none: 0");
	for (i = 0; i < sizeof(bad_rates) / sizeof(bad_rates[0]); i++) {
		snprintf(buf, sizeof(buf), "100 OK 192.0.2.1 13162 %s",
			 bad_rates[i]);
		bad &= rate_parses(buf, PORTSHARE_E_BAD_MESSAGE, 0, 0);
	}
	OK(bad, "a bad rate=, one before lease=, or more after it: bad message");
	OK(lease_parses("100 OK 192.0.2.1 13162 lease=30 rate=5", 0, 30),
	   "parse_lease() takes a rate= after the lease");
	n = portshare_reply_format_rate(0, PORTSHARE_REQ_ADD, &p, 13162, 60, 50,
					buf, sizeof(buf));
	OK(n == (int)strlen(buf) &&
	   !strcmp(buf, "100 OK 192.0.2.1 13162 lease=60 rate=50"),
	   "format: lease=60, then rate=50: '%s'", buf);
	OK(portshare_reply_format_rate(0, PORTSHARE_REQ_ADD, &p, 13162, 0, 50,
				       buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, "100 OK 192.0.2.1 13162 rate=50") &&
	   portshare_reply_format_rate(0, PORTSHARE_REQ_ADD, &p, 13162, 0, 0,
				       buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, "100 OK 192.0.2.1 13162"),
	   "rate alone; neither: the reply as it always was");
	OK(portshare_reply_format_rate(PORTSHARE_E_ALREADY_ADDED,
				       PORTSHARE_REQ_ADD, &p, 13162, 0, 50, buf,
				       sizeof(buf)) > 0 &&
	   !strcmp(buf, PS_REPLY_TEXT(ALREADY_ADDED)),
	   "no rate= on 200");
	n = portshare_reply_format_rate(0, PORTSHARE_REQ_ADD, &p6, 65535,
					PORTSHARE_LEASE_MAX, PORTSHARE_RATE_MAX,
					buf, sizeof(buf));
	OK(n == 81 && n < PORTSHARE_REPLY_MAX,
	   "the longest reply fits PORTSHARE_REPLY_MAX (%d)", n);
	OK(portshare_reply_format_rate(0, PORTSHARE_REQ_ADD, &p, 13162, 0,
				       PORTSHARE_RATE_MAX + 1, buf,
				       sizeof(buf)) == PORTSHARE_E_INVALID,
	   "a rate beyond PORTSHARE_RATE_MAX: invalid");
}

static void test_cookie_request(void)
{
	struct portshare_request r = add_raw();
	struct portshare_prefix f;
	char buf[PORTSHARE_REQUEST_MAX + 1];
	uint64_t c = 0x00c0ffee12345678ULL;
	int n;

	portshare_prefix_parse("192.0.2.0/24", &f);
	n = portshare_request_format_cookie(&r, &f, 1, 30, 5, &c, buf,
					    sizeof(buf));
	OK(n == (int)strlen(buf) &&
	   !strcmp(buf, "ADD 10.0.0.5 427 9000 mode=raw lease=30 rate=5 "
		   "from=192.0.2.0/24 cookie=00c0ffee12345678"),
	   "ADD with cookie= last, 16 lower-case digits: '%s'", buf);
	r.cmd = PORTSHARE_REQ_DROP;
	r.mode = -1;
	OK(portshare_request_format_cookie(&r, NULL, 0, 0, 0, &c, buf,
					   sizeof(buf)) > 0 &&
	   !strcmp(buf, "DROP 10.0.0.5 427 9000 cookie=00c0ffee12345678"),
	   "DROP with cookie=: '%s'", buf);
	OK(portshare_request_format_cookie(&r, NULL, 0, 0, 0, NULL, buf,
					   sizeof(buf)) > 0 &&
	   !strcmp(buf, "DROP 10.0.0.5 427 9000"), "no cookie: none written");
	OK(portshare_request_format_cookie(&r, NULL, 0, 0, 0, &c, buf, 30) ==
	   PORTSHARE_E_NO_SPACE, "short buffer for the cookie=: no space");
}

/* @text parses as a 102 to @cmd with @cookie; or it does not parse. */
static bool cookie_parses(const char *text, int cmd, int ret,
			  uint64_t cookie)
{
	struct portshare_reply_msg m;
	uint32_t lease, rate;
	uint64_t got = 1;

	if (portshare_reply_parse_cookie(text, strlen(text), cmd, &m, &lease,
					 &rate, &got) != ret)
		return false;
	if (ret)
		return true;
	return m.code == PORTSHARE_REPLY_VERIFY &&
	       m.error == PORTSHARE_E_VERIFY && !m.has_primary &&
	       got == cookie;
}

static const char *const bad_verifies[] = {
	"102 VERIFY", "102 VERIFY 0123456789abcde", "102 VERIFY 0123456789abcdef0",
	"102 VERIFY 0123456789abcdeg", "102 VERIFY 0123456789abcdef x",
	"102 VERIFIED 0123456789abcdef", "102 0123456789abcdef",
	"102 VERIFY +123456789abcdef",
};

static void test_cookie_reply(void)
{
	struct portshare_reply_msg m;
	char buf[PORTSHARE_REPLY_MAX];
	uint32_t lease, rate;
	uint64_t got;
	size_t i;
	bool all = true;

	OK(portshare_reply_format_verify(0xa129ca6149be45e5ULL, buf,
					 sizeof(buf)) == 27 &&
	   !strcmp(buf, "102 VERIFY a129ca6149be45e5"), "102 written: '%s'",
	   buf);
	OK(portshare_reply_format_verify(1, buf, sizeof(buf)) == 27 &&
	   !strcmp(buf, "102 VERIFY 0000000000000001"),
	   "the cookie has its leading zeros: '%s'", buf);
	OK(portshare_reply_format_verify(1, buf, 27) == PORTSHARE_E_NO_SPACE,
	   "102 in a short buffer: no space");
	OK(cookie_parses("102 VERIFY a129ca6149be45e5", PORTSHARE_REQ_ADD, 0,
			 0xa129ca6149be45e5ULL) &&
	   cookie_parses("102  VERIFY\tA129CA6149BE45E5\r\n",
			 PORTSHARE_REQ_DROP, 0, 0xa129ca6149be45e5ULL),
	   "102 parsed, to ADD and DROP, either case, loose spacing");
	for (i = 0; i < sizeof(bad_verifies) / sizeof(bad_verifies[0]); i++)
		if (!cookie_parses(bad_verifies[i], PORTSHARE_REQ_ADD,
				   PORTSHARE_E_BAD_MESSAGE, 0)) {
			printf("#   '%s' parsed\n", bad_verifies[i]);
			all = false;
		}
	OK(all, "malformed 102s are not messages (%zu)", i);
	OK(!portshare_reply_parse_rate(S("102 VERIFY 0123456789abcdef"),
				       PORTSHARE_REQ_ADD, &m, &lease, &rate) &&
	   m.code == 102 && m.error == PORTSHARE_E_VERIFY,
	   "the older parsers read a 102 too");
	OK(!portshare_reply_parse_cookie(S("100 OK 10.0.0.1 13427 lease=30"),
					 PORTSHARE_REQ_ADD, &m, &lease, &rate,
					 &got) && !got && lease == 30 &&
	   !m.error, "a 100 OK through the cookie parser: no cookie");
	OK(strstr(portshare_strerror(PORTSHARE_E_VERIFY), "cookie") != NULL,
	   "PORTSHARE_E_VERIFY has a message");
}

static void test_shutdown(void)
{
	struct portshare_addr p = A("127.0.0.1"), q;
	char buf[PORTSHARE_REPLY_MAX];
	uint16_t port = 0;
	int n;

	n = portshare_shutdown_format(&p, 13162, buf, sizeof(buf));
	OK(n == 24 && !strcmp(buf, "SHUTDOWN 127.0.0.1 13162"),
	   "SHUTDOWN written as Table 3");
	OK(!portshare_shutdown_parse(buf, (size_t)n, &q, &port) &&
	   portshare_addr_equal(&p, &q) && port == 13162, "SHUTDOWN parsed");
	OK(!portshare_shutdown_parse(S("SHUTDOWN ::1 1\n"), &q, &port) &&
	   q.family == PORTSHARE_FAMILY_INET6 && port == 1,
	   "SHUTDOWN IPv6 with newline");
	OK(portshare_shutdown_parse(S("SHUTDOWN 127.0.0.1"), &q, &port) ==
	   PORTSHARE_E_BAD_MESSAGE, "SHUTDOWN without port");
	OK(portshare_shutdown_parse(S("SHUTDOWNX 127.0.0.1 1"), &q, &port) ==
	   PORTSHARE_E_BAD_MESSAGE, "SHUTDOWNX is not SHUTDOWN");
	OK(portshare_shutdown_parse(S("SHUTDOWN 127.0.0.1 70000"), &q,
				    &port) == PORTSHARE_E_BAD_MESSAGE,
	   "SHUTDOWN with port 70000");
}

static void test_encap(void)
{
	struct portshare_copy_hdr h = {
		.origin = A("192.0.2.7"), .origin_port = 5555,
		.contested_port = 162, .secondary = A("2001:db8::9"),
		.payload_len = 3, .seq = 0xfffffffe,
		.timestamp_ns = 0x0102030405060708ULL,
	}, g;
	static const unsigned char want[64] = {
		'P', 'S', 'H', 'R', 1, 64, 0, 0, 4, 6, 0x15, 0xb3, 0, 162, 0, 0,
		192, 0, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,
		0, 0, 0, 3, 0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8,
	};
	unsigned char buf[80];
	const void *payload;

	OK(portshare_encap_write(&h, buf, sizeof(buf)) == 64 &&
	   !memcmp(buf, want, 64), "encap header bytes as docs/protocol.md §3");
	memcpy(buf + 64, "abc", 3);
	OK(!portshare_encap_parse(buf, 67, &g, &payload) &&
	   payload == buf + 64 && g.seq == h.seq &&
	   g.timestamp_ns == h.timestamp_ns && g.origin_port == 5555 &&
	   g.contested_port == 162 && portshare_addr_equal(&g.origin, &h.origin)
	   && portshare_addr_equal(&g.secondary, &h.secondary) &&
	   g.payload_len == 3, "encap round trip");
	OK(portshare_encap_parse(buf, 66, &g, NULL) == PORTSHARE_E_BAD_MESSAGE,
	   "payload_len must match");
	OK(portshare_encap_parse(buf, 63, &g, NULL) == PORTSHARE_E_BAD_MESSAGE,
	   "short header");
	buf[4] = 2;
	OK(portshare_encap_parse(buf, 67, &g, NULL) == PORTSHARE_E_BAD_MESSAGE,
	   "unknown version");
	buf[4] = 1;
	buf[8] = 5;
	OK(portshare_encap_parse(buf, 67, &g, NULL) == PORTSHARE_E_BAD_MESSAGE,
	   "unknown family");
	buf[8] = 4;
	/* a longer header: 4 unknown bytes are skipped */
	memmove(buf + 68, buf + 64, 3);
	buf[5] = 68;
	OK(!portshare_encap_parse(buf, 71, &g, &payload) &&
	   payload == buf + 68 && g.hdr_len == 68, "longer header skipped");
	buf[5] = 80;
	OK(portshare_encap_parse(buf, 71, &g, NULL) == PORTSHARE_E_BAD_MESSAGE,
	   "hdr_len past the end");
	buf[0] = 'X';
	buf[5] = 64;
	OK(portshare_encap_parse(buf, 67, &g, NULL) == PORTSHARE_E_BAD_MESSAGE,
	   "bad magic");
	OK(portshare_encap_write(&h, buf, 63) == PORTSHARE_E_NO_SPACE,
	   "encap write needs 64 bytes");
}

static void test_misc(void)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(9) };
	struct portshare_addr a;
	char buf[PORTSHARE_ADDR_STRLEN];
	uint16_t port;

	OK(portshare_default_reg_port(427) == 13427 &&
	   portshare_default_reg_port(52535) == 65535 &&
	   !portshare_default_reg_port(52536) && !portshare_default_reg_port(0),
	   "default registration ports (Table 1)");
	inet_pton(AF_INET6, "::ffff:10.1.2.3", &sin6.sin6_addr);
	OK(!portshare_addr_from_sockaddr((struct sockaddr *)&sin6, &a, &port)
	   && a.family == PORTSHARE_FAMILY_INET && port == 9 &&
	   portshare_addr_format(&a, buf, sizeof(buf)) == 8 &&
	   !strcmp(buf, "10.1.2.3"), "v4-mapped becomes IPv4");
	OK(portshare_addr_parse("example.org", &a) ==
	   PORTSHARE_E_INVALID_ADDRESS, "host names are not literals");
	OK(!strcmp(portshare_strerror(-111), "Connection refused"),
	   "errno message");
	OK(!strcmp(portshare_strerror(PORTSHARE_E_NO_REPLY),
		   "no reply from the primary"), "library error message");
	OK(portshare_reply_error(401, PORTSHARE_REQ_ADD) ==
	   PORTSHARE_E_LIST_FULL && portshare_reply_error(100, 1) == 0 &&
	   portshare_reply_error(499, 1) == PORTSHARE_E_REFUSED,
	   "reply codes to errors");
}

int main(void)
{
	printf("TAP version 13\n");
	test_request();
	test_prefix_parse();
	test_request_from();
	test_reply_parse();
	test_reply_table();
	test_reply_format();
	test_lease_request();
	test_lease_reply();
	test_rate_request();
	test_rate_reply();
	test_cookie_request();
	test_cookie_reply();
	test_shutdown();
	test_encap();
	test_misc();
	return tap_done();
}
