// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Tests of the libportshare secondary API against a scripted primary in a
 * child process, on 127.0.0.1 only: registration and its reply, refusals,
 * a lost reply, no primary, copies with losses and reordering, foreign
 * datagrams, SHUTDOWN, several ports on a shared or own data socket,
 * DROP on close, and leases: lease= in the ADD, the reply's lease=,
 * refreshes at a third of it and their end; rate= and the reply's rate=;
 * "102 VERIFY" answered with the cookie, by itself, and given up after
 * two rounds.  Prints TAP.
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

#include "portshare.h"
#include "reply.h"
#include "tap.h"

#define CPORT	4242		/* never bound: only named in requests */

struct primary {
	int fd;
	uint16_t port;
	pid_t pid;
};

static int bind_lo(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, len) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len))
		exit(99);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* The next request; its source in @from.  Exits the child on timeout. */
static size_t get(int fd, char *buf, size_t size, struct sockaddr_in *from)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	socklen_t len = sizeof(*from);
	ssize_t n;

	if (poll(&p, 1, 3000) != 1)
		exit(10);
	n = recvfrom(fd, buf, size - 1, 0, (struct sockaddr *)from, &len);
	if (n < 0)
		exit(11);
	buf[n] = '\0';
	return (size_t)n;
}

static void put(int fd, const struct sockaddr_in *to, const void *buf,
		size_t len)
{
	if (sendto(fd, buf, len, 0, (const struct sockaddr *)to,
		   sizeof(*to)) != (ssize_t)len)
		exit(12);
}

static void puts_to(int fd, const struct sockaddr_in *to, const char *s)
{
	put(fd, to, s, strlen(s));
}

/* "ADD 127.0.0.1 <CPORT> <data port>[ mode=...]": the data port. */
static uint16_t data_port_of(const char *req, const char *cmd)
{
	char want[64];
	unsigned int dp;

	snprintf(want, sizeof(want), "%s 127.0.0.1 %u %%u", cmd, CPORT);
	if (sscanf(req, want, &dp) != 1)
		exit(13);
	return (uint16_t)dp;
}

static void ok_reply(int fd, const struct sockaddr_in *to, uint16_t reg)
{
	char r[64];

	snprintf(r, sizeof(r), "100 OK 127.0.0.1 %u", reg);
	puts_to(fd, to, r);
}

static void copy(int fd, uint16_t dport, uint32_t seq, const char *payload)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(dport) };
	struct portshare_copy_hdr h = {
		.origin_port = 9999, .contested_port = CPORT,
		.payload_len = (uint32_t)strlen(payload), .seq = seq,
		.timestamp_ns = 42,
	};
	uint8_t buf[128];

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	portshare_addr_parse("192.0.2.1", &h.origin);
	portshare_addr_parse("127.0.0.1", &h.secondary);
	portshare_encap_write(&h, buf, sizeof(buf));
	memcpy(buf + 64, payload, h.payload_len);
	put(fd, &to, buf, 64 + h.payload_len);
}

static void primary_start(struct primary *p, void (*script)(int, uint16_t))
{
	p->fd = bind_lo(&p->port);
	fflush(stdout);
	p->pid = fork();
	if (p->pid == 0) {
		script(p->fd, p->port);
		exit(0);
	}
	close(p->fd);
}

static int primary_wait(struct primary *p)
{
	int st;

	waitpid(p->pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static struct portshare_reg_opts opts(uint16_t reg)
{
	return (struct portshare_reg_opts){ .reg_port = reg,
					    .timeout_ms = 900 };
}

/* ---- scripts of the primary --------------------------------------------- */

/*
 * One "102 VERIFY" round of verify (docs/protocol.md §1.8): the request
 * @cmd is answered 102 with @cookie, and must come again with " cookie="
 * and it appended, nothing else changed; that one gets @reply.
 */
static void verify_round(int fd, const char *cmd, const char *cookie,
			 const char *reply)
{
	struct sockaddr_in from;
	char first[600], buf[600], want[700];

	get(fd, first, sizeof(first), &from);
	if (strncmp(first, cmd, strlen(cmd)) || strstr(first, "cookie="))
		exit(30);
	snprintf(buf, sizeof(buf), "102 VERIFY %s", cookie);
	puts_to(fd, &from, buf);
	get(fd, buf, sizeof(buf), &from);
	snprintf(want, sizeof(want), "%s cookie=%s", first, cookie);
	if (strcmp(buf, want))
		exit(31);
	puts_to(fd, &from, reply);
}

/* An acl network with verify: the ADD and the DROP each need a cookie. */
static void script_verify(int fd, uint16_t reg)
{
	char ok[64];

	snprintf(ok, sizeof(ok), "100 OK 127.0.0.1 %u", reg);
	verify_round(fd, "ADD ", "00000000deadbeef", ok);
	verify_round(fd, "DROP ", "0123456789abcdef", "100 OK");
}

/* The replies of the cookie never get through: 102 every time. */
static void script_verify_lost(int fd, uint16_t reg)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct sockaddr_in from;
	char buf[600], reply[64];
	int i;

	(void)reg;
	for (i = 0; i < 3; i++) {
		get(fd, buf, sizeof(buf), &from);
		if (!!strstr(buf, "cookie=") != (i > 0))
			exit(32);
		snprintf(reply, sizeof(reply), "102 VERIFY %016x", i + 1);
		puts_to(fd, &from, reply);
	}
	if (poll(&pfd, 1, 500))		/* no fourth try */
		exit(33);
}

static void script_copies(int fd, uint16_t reg)
{
	struct sockaddr_in from;
	char buf[600];
	uint16_t dp;
	int other;

	get(fd, buf, sizeof(buf), &from);
	dp = data_port_of(buf, "ADD");
	ok_reply(fd, &from, reg);
	copy(fd, dp, 0, "zero");
	copy(fd, dp, 1, "one");
	copy(fd, dp, 4, "four");
	copy(fd, dp, 3, "three");
	other = bind_lo(&(uint16_t){ 0 });	/* foreign: another source */
	copy(other, dp, 5, "foreign");
	close(other);
	{
		struct sockaddr_in to = from;

		to.sin_port = htons(dp);
		puts_to(fd, &to, "not a copy");	/* foreign: bad header */
		snprintf(buf, sizeof(buf), "SHUTDOWN 127.0.0.1 %u", reg);
		puts_to(fd, &to, buf);
	}
}

static void script_refuse(int fd, uint16_t reg)
{
	struct sockaddr_in from;
	char buf[600];

	(void)reg;
	get(fd, buf, sizeof(buf), &from);
	puts_to(fd, &from, PS_REPLY_TEXT(LIST_FULL));
}

/* The first reply is lost: the retry gets "200 Already Added". */
static void script_lost(int fd, uint16_t reg)
{
	struct sockaddr_in from;
	char buf[600], first[600];

	(void)reg;
	get(fd, first, sizeof(first), &from);
	get(fd, buf, sizeof(buf), &from);
	if (strcmp(first, buf))
		exit(20);
	puts_to(fd, &from, PS_REPLY_TEXT(ALREADY_ADDED));
}

/* ADD with from=: the filter goes on the wire as given, after the mode. */
static void script_from(int fd, uint16_t reg)
{
	static const char want[] = " mode=raw from=192.0.2.0/24 from=fd00::/8";
	struct sockaddr_in from;
	char buf[600];
	size_t n = get(fd, buf, sizeof(buf), &from);

	if (n < sizeof(want) - 1 || strcmp(buf + n - (sizeof(want) - 1), want))
		exit(23);
	ok_reply(fd, &from, reg);
}

/* ADD, then the DROP that close sends, with the same data port. */
static void script_drop(int fd, uint16_t reg)
{
	struct sockaddr_in from;
	char buf[600];
	uint16_t dp;

	get(fd, buf, sizeof(buf), &from);
	if (!strstr(buf, " mode=raw"))
		exit(21);
	dp = data_port_of(buf, "ADD");
	ok_reply(fd, &from, reg);
	get(fd, buf, sizeof(buf), &from);
	if (data_port_of(buf, "DROP") != dp || strstr(buf, "mode="))
		exit(22);
	puts_to(fd, &from, "100 OK");
}

/* Two registrations of one secondary: answer both, then expect 2 DROPs. */
static void script_two(int fd, uint16_t reg)
{
	struct sockaddr_in from;
	char buf[600];
	int i;

	for (i = 0; i < 2; i++) {
		get(fd, buf, sizeof(buf), &from);
		data_port_of(buf, "ADD");
		ok_reply(fd, &from, reg);
	}
	for (i = 0; i < 2; i++) {
		get(fd, buf, sizeof(buf), &from);
		data_port_of(buf, "DROP");
		puts_to(fd, &from, "100 OK");
	}
}

/* ADD, SHUTDOWN, then the failover's ADD (same data port) and a copy. */
static void script_failover(int fd, uint16_t reg)
{
	struct sockaddr_in from, to;
	char buf[600];
	uint16_t dp;

	get(fd, buf, sizeof(buf), &from);
	dp = data_port_of(buf, "ADD");
	ok_reply(fd, &from, reg);
	to = from;
	to.sin_port = htons(dp);
	copy(fd, dp, 0, "before");
	snprintf(buf, sizeof(buf), "SHUTDOWN 127.0.0.1 %u", reg);
	puts_to(fd, &to, buf);
	get(fd, buf, sizeof(buf), &from);
	if (data_port_of(buf, "ADD") != dp)
		exit(30);
	ok_reply(fd, &from, reg);
	copy(fd, dp, 0, "after");
}

static void count_primary(uint16_t port, uint16_t reg_port, void *arg)
{
	(void)port;
	(void)reg_port;
	(*(int *)arg)++;
}

/* ---- the tests ---------------------------------------------------------- */

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && !strcmp(s + n - m, tail);
}

/* "100 OK 127.0.0.1 <reg> lease=<lease>" */
static void lease_reply(int fd, const struct sockaddr_in *to, uint16_t reg,
			unsigned int lease)
{
	char r[80];

	snprintf(r, sizeof(r), "100 OK 127.0.0.1 %u lease=%u", reg, lease);
	puts_to(fd, to, r);
}

/*
 * The refresh of @first: the same bytes, a third of a 1 s lease after
 * @t, from @from (each exchange has a socket of its own); exits with
 * @code (wrong bytes) or @code + 1 (wrong time).
 */
static void refresh_of(int fd, const char *first, double t, int code,
		       struct sockaddr_in *from)
{
	char buf[600];
	double dt;

	get(fd, buf, sizeof(buf), from);
	dt = mono() - t;
	if (strcmp(buf, first))
		exit(code);
	if (dt < 0.25 || dt > 0.6)
		exit(code + 1);
}

/* The first ADD into @first (600 bytes): it ends with @tail, or exit. */
static void first_add(int fd, char *first, struct sockaddr_in *from,
		      const char *tail, int code)
{
	get(fd, first, 600, from);
	if (!ends_with(first, tail))
		exit(code);
}

/*
 * lease=3 with a filter, granted 1: refreshed with the same ADD at 1/3 s,
 * "200" renews, a "100 OK" too (registered anew).
 */
static void script_lease(int fd, uint16_t reg)
{
	struct sockaddr_in from;
	char first[600];

	first_add(fd, first, &from, " lease=3 from=192.0.2.0/24", 30);
	lease_reply(fd, &from, reg, 1);
	refresh_of(fd, first, mono(), 31, &from);
	puts_to(fd, &from, PS_REPLY_TEXT(ALREADY_ADDED));
	refresh_of(fd, first, mono(), 33, &from);
	lease_reply(fd, &from, reg, 1);
	refresh_of(fd, first, mono(), 35, &from);
	puts_to(fd, &from, PS_REPLY_TEXT(ALREADY_ADDED));
}

/* lease=1 asked, "100 OK" without lease=: 1 s assumed; refresh refused. */
static void script_lease_refused(int fd, uint16_t reg)
{
	struct sockaddr_in from;
	char first[600];

	first_add(fd, first, &from, " lease=1", 40);
	ok_reply(fd, &from, reg);
	refresh_of(fd, first, mono(), 41, &from);
	puts_to(fd, &from, PS_REPLY_TEXT(NOT_PERMITTED));
}

/* No lease asked, 1 s granted (the port's); the refreshes go unanswered. */
static void script_lease_silent(int fd, uint16_t reg)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct sockaddr_in from;
	char first[600], buf[600];
	double t;

	get(fd, first, sizeof(first), &from);
	if (strstr(first, "lease="))
		exit(50);
	lease_reply(fd, &from, reg, 1);
	t = mono();
	refresh_of(fd, first, t, 51, &from);
	while (mono() - t < 1.2)	/* the retries, unanswered */
		if (poll(&pfd, 1, 50) == 1)
			recv(fd, buf, sizeof(buf), 0);
}

/* Drive @sec until an event or @secs; the event's type, or 0. */
static int drive(struct portshare_sec *sec, double secs,
		 struct portshare_event *ev)
{
	double end = mono() + secs;
	int ret;

	while (mono() < end) {
		ret = portshare_sec_recv(sec, ev, 50);
		if (ret == 1)
			return ev->type;
	}
	return 0;
}

static void test_lease(void)
{
	struct portshare_prefix f;
	struct portshare_reg_opts o;
	struct portshare_event ev;
	struct portshare_sec *sec;
	struct primary p;
	uint32_t lease = 0;
	int reg, t;

	portshare_sec_new(&sec);
	portshare_prefix_parse("192.0.2.0/24", &f);
	primary_start(&p, script_lease);
	o = opts(p.port);
	OK(portshare_sec_register_lease(sec, "127.0.0.1", CPORT, &o, &f, 1,
					PORTSHARE_LEASE_MAX + 1) ==
	   PORTSHARE_E_INVALID, "lease beyond PORTSHARE_LEASE_MAX: invalid");
	reg = portshare_sec_register_lease(sec, "127.0.0.1", CPORT, &o, &f, 1,
					   3);
	t = portshare_sec_timeout(sec);
	OK(reg >= 0 && !portshare_sec_lease(sec, reg, &lease) && lease == 1,
	   "lease=3 asked, lease=1 in the reply: 1 s granted (%d)", reg);
	OK(t > 250 && t <= 334, "the first refresh is due in a third (%d ms)",
	   t);
	OK(drive(sec, 1.15, &ev) == 0,
	   "three refreshes, no event (200, 100 OK, 200)");
	OK(primary_wait(&p) == 0,
	   "primary script done: the same ADD at 1/3 s each time");
	portshare_sec_close(sec);

	portshare_sec_new(&sec);
	primary_start(&p, script_lease_refused);
	o = opts(p.port);
	reg = portshare_sec_register_lease(sec, "127.0.0.1", CPORT, &o, NULL,
					   0, 1);
	OK(reg >= 0 && !portshare_sec_lease(sec, reg, &lease) && lease == 1,
	   "no lease= in the reply: the asked 1 s is assumed");
	OK(drive(sec, 1.0, &ev) == PORTSHARE_EV_EXPIRED && ev.reg == reg &&
	   portshare_sec_timeout(sec) == -1,
	   "a refused refresh ends it: PORTSHARE_EV_EXPIRED");
	OK(primary_wait(&p) == 0, "primary script done: refresh at 1/3 s");
	portshare_sec_close(sec);

	portshare_sec_new(&sec);
	primary_start(&p, script_lease_silent);
	o = opts(p.port);
	reg = portshare_sec_register(sec, "127.0.0.1", CPORT, &o);
	OK(reg >= 0 && !portshare_sec_lease(sec, reg, &lease) && lease == 1,
	   "a lease the primary gave unasked is kept too");
	OK(drive(sec, 0.9, &ev) == 0 &&
	   drive(sec, 0.5, &ev) == PORTSHARE_EV_EXPIRED,
	   "unanswered refreshes are retried, then it expires at 1 s");
	OK(primary_wait(&p) == 0, "primary script done: no lease= asked");
	portshare_sec_close(sec);
}

/*
 * rate=50 with lease=1 and a filter, granted 20: the refresh is the same
 * ADD, rate=50 and all; its "200" keeps the 20.
 */
static void script_rate(int fd, uint16_t reg)
{
	struct sockaddr_in from;
	char first[600], r[96];

	first_add(fd, first, &from, " lease=1 rate=50 from=192.0.2.0/24", 60);
	snprintf(r, sizeof(r), "100 OK 127.0.0.1 %u lease=1 rate=20", reg);
	puts_to(fd, &from, r);
	refresh_of(fd, first, mono(), 61, &from);
	puts_to(fd, &from, PS_REPLY_TEXT(ALREADY_ADDED));
}

static void test_rate(void)
{
	struct portshare_prefix f;
	struct portshare_reg_opts o;
	struct portshare_event ev;
	struct portshare_sec *sec;
	struct primary p;
	uint32_t rate = 0;
	int reg;

	portshare_sec_new(&sec);
	portshare_prefix_parse("192.0.2.0/24", &f);
	primary_start(&p, script_rate);
	o = opts(p.port);
	OK(portshare_sec_register_rate(sec, "127.0.0.1", CPORT, &o, &f, 1, 1,
				       PORTSHARE_RATE_MAX + 1) ==
	   PORTSHARE_E_INVALID, "rate beyond PORTSHARE_RATE_MAX: invalid");
	reg = portshare_sec_register_rate(sec, "127.0.0.1", CPORT, &o, &f, 1, 1,
					  50);
	OK(reg >= 0 && !portshare_sec_rate(sec, reg, &rate) && rate == 20,
	   "rate=50 asked, rate=20 in the reply: 20 granted (%u)", rate);
	OK(drive(sec, 0.5, &ev) == 0 && !portshare_sec_rate(sec, reg, &rate) &&
	   rate == 20, "refreshed, 200: still 20");
	OK(primary_wait(&p) == 0,
	   "primary script done: the refresh sends rate=50 again");
	OK(portshare_sec_rate(sec, reg + 1, &rate) == PORTSHARE_E_INVALID,
	   "sec_rate of no registration: invalid");
	portshare_sec_close(sec);
}

static void test_copies(void)
{
	struct portshare_reg_opts o;
	struct portshare_reg_info info;
	struct portshare_event ev[5];
	char payload[5][16] = { "" };
	struct portshare_sec *sec;
	struct primary p;
	char a[PORTSHARE_ADDR_STRLEN];
	int reg, i, n = 0;

	portshare_sec_new(&sec);
	primary_start(&p, script_copies);
	o = opts(p.port);
	reg = portshare_sec_register(sec, "127.0.0.1", CPORT, &o);
	OK(reg == 0, "register: %s", portshare_strerror(reg));
	portshare_sec_info(sec, reg, &info);
	portshare_addr_format(&info.primary, a, sizeof(a));
	OK(info.active && !strcmp(a, "127.0.0.1") && info.reg_port == p.port &&
	   info.port == CPORT && info.data_port, "registration info");
	for (i = 0; i < 5; i++) {
		if (portshare_sec_recv(sec, &ev[i], 2000) != 1)
			break;
		/* the payload is valid until the next call: keep it */
		if (ev[i].len < sizeof(payload[i]))
			memcpy(payload[i], ev[i].payload, ev[i].len);
		n++;
	}
	OK(n == 5, "five events (two foreign datagrams skipped): %d", n);
	OK(n == 5 && ev[0].has_hdr && ev[0].len == 4 &&
	   !strcmp(payload[0], "zero") && !strcmp(payload[3], "three") && ev[0].hdr.origin_port == 9999 &&
	   ev[0].hdr.timestamp_ns == 42 && ev[0].lost == 0,
	   "copy decoded: origin, payload, timestamp");
	OK(n == 5 && ev[2].hdr.seq == 4 && ev[2].lost == 2 &&
	   ev[3].hdr.seq == 3 && ev[3].lost == 0,
	   "a gap of two is two losses; a late copy is no loss");
	OK(n == 5 && ev[4].type == PORTSHARE_EV_SHUTDOWN && ev[4].reg == 0,
	   "SHUTDOWN reported");
	portshare_sec_info(sec, reg, &info);
	OK(!info.active && info.copies == 4 && info.lost == 2 &&
	   info.reordered == 1 && portshare_sec_foreign(sec) == 2,
	   "counters: 4 copies, 2 lost, 1 reordered, 2 foreign");
	OK(portshare_sec_drop(sec, reg, 0) == PORTSHARE_E_CLOSED,
	   "no DROP after SHUTDOWN");
	OK(portshare_sec_recv(sec, &ev[0], 0) == 0, "nothing more");
	portshare_sec_close(sec);
	OK(primary_wait(&p) == 0, "primary script done");
}

static void test_refusals(void)
{
	struct portshare_reg_opts o;
	struct portshare_sec *sec;
	struct primary p;
	int ret;
	uint16_t port;

	portshare_sec_new(&sec);
	primary_start(&p, script_refuse);
	o = opts(p.port);
	ret = portshare_sec_register(sec, "127.0.0.1", CPORT, &o);
	OK(ret == PORTSHARE_E_LIST_FULL &&
	   !strcmp(portshare_strerror(ret), PS_REPLY_TEXT(LIST_FULL)),
	   "refusal is the reply: %s", portshare_strerror(ret));
	OK(primary_wait(&p) == 0, "primary script done");

	primary_start(&p, script_lost);
	o = opts(p.port);
	ret = portshare_sec_register(sec, "127.0.0.1", CPORT, &o);
	OK(ret == 0, "lost reply: the retry's 200 Already Added is success");
	OK(primary_wait(&p) == 0, "primary script done");

	close(bind_lo(&port));		/* a port nobody listens on */
	o = opts(port);
	ret = portshare_sec_register(sec, "127.0.0.1", CPORT, &o);
	OK(ret == -ECONNREFUSED, "no primary: %s", portshare_strerror(ret));
	o.reg_port = 0;
	OK(portshare_sec_register(sec, "127.0.0.1", 60000, &o) ==
	   PORTSHARE_E_NO_REG_PORT, "no default registration port above 52535");
	OK(portshare_sec_register(sec, "no-such-host.invalid", CPORT, NULL) ==
	   PORTSHARE_E_RESOLVE, "unresolvable primary");
	o.mode = 9;
	OK(portshare_sec_register(sec, "127.0.0.1", CPORT, &o) ==
	   PORTSHARE_E_INVALID, "bad mode");
	portshare_sec_close(sec);
}

static void test_from(void)
{
	struct portshare_prefix f[PORTSHARE_FROM_MAX + 1];
	struct portshare_reg_opts o;
	struct portshare_sec *sec;
	struct primary p;
	unsigned int i;
	uint16_t port;
	int ret;

	portshare_sec_new(&sec);
	portshare_prefix_parse("192.0.2.0/24", &f[0]);
	portshare_prefix_parse("fd00::/8", &f[1]);
	primary_start(&p, script_from);
	o = opts(p.port);
	o.mode = PORTSHARE_MODE_RAW;
	ret = portshare_sec_register_from(sec, "127.0.0.1", CPORT, &o, f, 2);
	OK(ret == 0, "register_from: %s", portshare_strerror(ret));
	OK(primary_wait(&p) == 0, "primary script done: the ADD had from=");
	close(bind_lo(&port));		/* a bad filter sends nothing */
	o = opts(port);
	for (i = 0; i <= PORTSHARE_FROM_MAX; i++)
		f[i] = f[0];
	OK(portshare_sec_register_from(sec, "127.0.0.1", CPORT, &o, f,
				       PORTSHARE_FROM_MAX + 1) ==
	   PORTSHARE_E_INVALID, "nine prefixes: invalid, nothing sent");
	OK(portshare_sec_register_from(sec, "127.0.0.1", CPORT, &o, NULL, 1) ==
	   PORTSHARE_E_INVALID, "a NULL filter of one prefix: invalid");
	f[1].len = 33;
	OK(portshare_sec_register_from(sec, "127.0.0.1", CPORT, &o, f, 2) ==
	   PORTSHARE_E_INVALID, "192.0.2.0/33: invalid, nothing sent");
	f[1].len = 16;
	OK(portshare_sec_register_from(sec, "127.0.0.1", CPORT, &o, f, 2) ==
	   PORTSHARE_E_HOST_BITS, "192.0.2.0/16: host bits, nothing sent");
	portshare_sec_close(sec);
}

static void test_close(void)
{
	struct portshare_reg_opts o;
	struct portshare_reg_info a, b;
	struct portshare_sec *sec;
	struct primary p;
	int r1, r2;

	portshare_sec_new(&sec);
	primary_start(&p, script_drop);
	o = opts(p.port);
	o.mode = PORTSHARE_MODE_RAW;
	o.own_socket = true;
	r1 = portshare_sec_register(sec, "127.0.0.1", CPORT, &o);
	OK(r1 == 0, "raw registration on its own socket");
	portshare_sec_close(sec);
	OK(primary_wait(&p) == 0, "close sent DROP with the data port");

	portshare_sec_new(&sec);
	primary_start(&p, script_two);
	o = opts(p.port);
	r1 = portshare_sec_register(sec, "127.0.0.1", CPORT, &o);
	r2 = portshare_sec_register(sec, "127.0.0.1", CPORT, &o);
	portshare_sec_info(sec, r1, &a);
	portshare_sec_info(sec, r2, &b);
	OK(r1 == 0 && r2 == 1 && a.data_port == b.data_port,
	   "two registrations share the data socket");
	portshare_sec_close(sec);
	OK(primary_wait(&p) == 0, "close dropped both");
}

/* A new secondary registered once with a new primary running @script. */
static int register_new(struct portshare_sec **sec, struct primary *p,
			void (*script)(int, uint16_t))
{
	struct portshare_reg_opts o;

	portshare_sec_new(sec);
	primary_start(p, script);
	o = opts(p->port);
	return portshare_sec_register(*sec, "127.0.0.1", CPORT, &o);
}

static void test_verify(void)
{
	struct portshare_sec *sec;
	struct primary p;
	int ret, reg;

	reg = register_new(&sec, &p, script_verify);
	OK(reg == 0, "102 VERIFY: the ADD sent again with the cookie, by "
	   "itself: %s", portshare_strerror(reg));
	ret = portshare_sec_drop(sec, reg, 0);
	OK(ret == 0, "so is the DROP: %s", portshare_strerror(ret));
	OK(primary_wait(&p) == 0, "primary script done: each cookie= as "
	   "the 102 gave it, after the same request");
	portshare_sec_close(sec);

	reg = register_new(&sec, &p, script_verify);
	portshare_sec_close(sec);
	OK(reg == 0 && primary_wait(&p) == 0,
	   "the DROP of close answers its 102 too");

	ret = register_new(&sec, &p, script_verify_lost);
	OK(ret == PORTSHARE_E_VERIFY && portshare_sec_count(sec) == 0,
	   "102 after two cookies: PORTSHARE_E_VERIFY, not registered: %s",
	   portshare_strerror(ret));
	OK(primary_wait(&p) == 0, "primary script done: two cookies sent, "
	   "no more");
	portshare_sec_close(sec);
}

static void test_failover(void)
{
	int calls = 0;
	struct portshare_failover_opts fo = {
		.delay_ms = 10, .jitter_ms = 10, .timeout_ms = 3000,
		.become_primary = count_primary, .arg = &calls,
	};
	struct portshare_reg_opts o;
	struct portshare_reg_info info;
	struct portshare_event ev;
	struct portshare_sec *sec;
	struct primary p;
	uint64_t gap = 0;
	int reg, ret;

	portshare_sec_new(&sec);
	primary_start(&p, script_failover);
	o = opts(p.port);
	reg = portshare_sec_register(sec, "127.0.0.1", CPORT, &o);
	portshare_sec_recv(sec, &ev, 2000);
	ret = portshare_sec_recv(sec, &ev, 2000);
	OK(reg == 0 && ret == 1 && ev.type == PORTSHARE_EV_SHUTDOWN,
	   "failover: SHUTDOWN");
	OK(portshare_sec_failover(sec, 0, &fo, &gap) == 0 && calls == 1 &&
	   gap > 0, "failover: tried to become primary once, registered again");
	ret = portshare_sec_recv(sec, &ev, 2000);
	portshare_sec_info(sec, reg, &info);
	OK(ret == 1 && ev.reg == reg && ev.hdr.seq == 0 && ev.lost == 0 &&
	   info.active && info.lost == 0, "failover: the new sequence from 0");
	OK(portshare_sec_failover(sec, 0, &fo, &gap) == PORTSHARE_E_INVALID,
	   "failover of an active registration is invalid");
	portshare_sec_close(sec);
	primary_wait(&p);
}

int main(void)
{
	printf("TAP version 13\n");
	test_copies();
	test_refusals();
	test_from();
	test_close();
	test_failover();
	test_lease();
	test_rate();
	test_verify();
	return tap_done();
}
