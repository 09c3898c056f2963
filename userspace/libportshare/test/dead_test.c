// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Tests of dead-secondary detection in the primary API (issue 17): which
 * ICMP errors count; the state machine under given times (window, dead,
 * probes, verdicts, hold; one probe at a time until its verdict, none
 * for a probe dropped on the way); then on loopback in real time, a
 * secondary whose data port is closed (the kernel answers its copies
 * with ICMP port unreachable) goes dead at 50 datagrams a second, gets
 * only probes, comes up again once the port is open, and a wire one is
 * dropped after its hold; and bad input that changes nothing.  A wire
 * registration reports no hold of its own.  Prints TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>		/* before errqueue.h: its struct timespec */

#include <linux/errqueue.h>

#include "lo.h"
#include "portshare.h"
#include "primary.h"
#include "tap.h"

#define NSEC		1000000000LL
#define RATE		50	/* datagrams a second */

/* What the callbacks were told. */
static struct portshare_request_log drop_log;
static int ndrops;
static double drop_at;
static struct portshare_state_log state_log;
static int nstates;

static void on_request(const struct portshare_request_log *log, void *arg)
{
	(void)arg;
	if (log->reason != PORTSHARE_REASON_UNREACHABLE)
		return;
	drop_log = *log;
	drop_at = mono();
	ndrops++;
}

static void on_state(const struct portshare_state_log *log, void *arg)
{
	double *at = arg;

	state_log = *log;
	nstates++;
	if (at && log->data_port == (uint16_t)at[0])
		at[1 + log->st.state] = mono();
}

static struct portshare_primary *primary(double *state_at)
{
	struct portshare_primary *pri = primary_logged_to(on_request);

	portshare_primary_on_state(pri, on_state, state_at);
	return pri;
}

static struct portshare_list_entry entry(uint16_t dport)
{
	return (struct portshare_list_entry){
		.addr = addr_of(LO), .data_port = dport,
		.mode = PORTSHARE_MODE_ENCAP,
	};
}

/* The ICMP errors that count, code by code (docs/protocol.md). */
static void test_icmp_codes(void)
{
	static const bool v4[16] = {
		[0] = true, [1] = true, [3] = true, [6] = true, [7] = true,
		[9] = true, [10] = true, [11] = true, [12] = true, [13] = true,
	};
	static const bool v6[8] = {
		[0] = true, [1] = true, [3] = true, [4] = true, [5] = true,
		[6] = true,
	};
	unsigned int c;

	for (c = 0; c < 16; c++)
		OK(pri_icmp_counts(SO_EE_ORIGIN_ICMP, 3, (uint8_t)c) == v4[c],
		   "ICMP destination unreachable code %u %s", c,
		   v4[c] ? "counts" : "does not count");
	for (c = 0; c < 8; c++)
		OK(pri_icmp_counts(SO_EE_ORIGIN_ICMP6, 1, (uint8_t)c) == v6[c],
		   "ICMPv6 destination unreachable code %u %s", c,
		   v6[c] ? "counts" : "does not count");
	OK(!pri_icmp_counts(SO_EE_ORIGIN_ICMP, 11, 0) &&
	   !pri_icmp_counts(SO_EE_ORIGIN_ICMP, 12, 0) &&
	   !pri_icmp_counts(SO_EE_ORIGIN_ICMP6, 2, 0) &&
	   !pri_icmp_counts(SO_EE_ORIGIN_ICMP6, 3, 0) &&
	   !pri_icmp_counts(SO_EE_ORIGIN_ICMP6, 3, 1),
	   "time exceeded, parameter problem, packet too big: not counted");
	OK(!pri_icmp_counts(SO_EE_ORIGIN_LOCAL, 3, 3) &&
	   !pri_icmp_counts(SO_EE_ORIGIN_NONE, 3, 3) &&
	   !pri_icmp_counts(SO_EE_ORIGIN_ICMP, 1, 3) &&
	   !pri_icmp_counts(SO_EE_ORIGIN_ICMP6, 3, 4) &&
	   !pri_icmp_counts(SO_EE_ORIGIN_ICMP, 3, 200),
	   "a local error, another type, a code out of range: not counted");
}

/* Secondary 0 of @port's list, as the library keeps it. */
static struct pri_sec *sec0(struct portshare_primary *pri, uint16_t port,
			    struct pri_port **p)
{
	*p = pri_port_find(pri, port);
	return *p && (*p)->nsecs ? &(*p)->secs[0] : NULL;
}

/* @n errors from @t on, @gap_ns apart; the time of the last. */
static int64_t errors(struct portshare_primary *pri, struct pri_port *p,
		      struct pri_sec *s, int n, int64_t t, int64_t gap_ns)
{
	int i;

	for (i = 0; i < n; i++, t += gap_ns)
		pri_dead_error(pri, p, s, t);
	return t - gap_ns;
}

/*
 * The window under given times, dead-errors 3 within 10 s: two errors
 * and a third 11 s after the first open a new window; three within 10 s
 * make it dead, with one sec-state event.
 */
static void test_window(struct portshare_primary *pri, uint16_t port,
			int64_t t0)
{
	struct pri_port *p;
	struct pri_sec *s = sec0(pri, port, &p);

	errors(pri, p, s, 2, t0, NSEC);
	errors(pri, p, s, 1, t0 + 11 * NSEC, NSEC);
	OK(s->dead.state == PORTSHARE_STATE_UP && s->dead.win_count == 1 &&
	   s->dead.icmp_errors == 3 && !nstates,
	   "3 errors, the third 11 s after the first: up, a new window");
	errors(pri, p, s, 2, t0 + 15 * NSEC, NSEC);
	OK(s->dead.state == PORTSHARE_STATE_DEAD && nstates == 1 &&
	   state_log.st.state == PORTSHARE_STATE_DEAD &&
	   state_log.dead_errors == 3 && state_log.dead_period == 10 &&
	   state_log.data_port == s->e.data_port,
	   "3 within 10 s: dead, one sec-state event");
}

/*
 * Dead from t1 on: datagrams skipped until the probe is due at t1 + 10 s;
 * an error after the probe keeps it dead; the next probe, 10 s later,
 * draws none and its verdict a second later makes it up again.
 */
static void test_probes(struct portshare_primary *pri, uint16_t port,
			int64_t t1)
{
	struct pri_port *p;
	struct pri_sec *s = sec0(pri, port, &p);
	int64_t t2 = t1 + 10 * NSEC;

	OK(!pri_dead_admits(pri, p, s, t1 + NSEC) &&
	   !pri_dead_admits(pri, p, s, t2 - 1) && s->dead.dead_skipped == 2 &&
	   !s->dead.probes, "dead: skipped before the probe is due");
	OK(pri_dead_admits(pri, p, s, t2) && s->dead.probes == 1 &&
	   !pri_dead_admits(pri, p, s, t2 + 1) && s->dead.dead_skipped == 3,
	   "the probe at dead-period: one copy, then skipped again");
	pri_dead_error(pri, p, s, t2 + NSEC / 2);
	OK(!pri_dead_due(pri, p, s, t2 + NSEC) &&
	   s->dead.state == PORTSHARE_STATE_DEAD && nstates == 1,
	   "an error after the probe: still dead at its verdict");
	OK(pri_dead_admits(pri, p, s, t2 + 10 * NSEC) && s->dead.probes == 2,
	   "the next probe a dead-period later");
	OK(!pri_dead_due(pri, p, s, t2 + 10 * NSEC + NSEC - 1) &&
	   s->dead.state == PORTSHARE_STATE_DEAD,
	   "no verdict before a second");
	OK(!pri_dead_due(pri, p, s, t2 + 11 * NSEC) &&
	   s->dead.state == PORTSHARE_STATE_UP && nstates == 2 &&
	   state_log.st.state == PORTSHARE_STATE_UP &&
	   !s->dead.win_count && pri_dead_admits(pri, p, s, t2 + 11 * NSEC),
	   "no error for a second after it: up again, window cleared");
}

/* Dead for its hold of 5 s: dropped, reason unreachable. */
static void test_hold(struct portshare_primary *pri, uint16_t port,
		      int64_t t)
{
	struct pri_port *p;
	struct pri_sec *s = sec0(pri, port, &p);

	s->dead.hold = 5;
	errors(pri, p, s, 3, t, NSEC);
	t += 2 * NSEC;
	OK(!pri_dead_due(pri, p, s, t + 5 * NSEC - 1) && p->nsecs == 1 &&
	   pri_dead_next(s) == t + 5 * NSEC,
	   "dead for less than its hold: kept, due at the hold's end");
	OK(pri_dead_due(pri, p, s, t + 5 * NSEC) && p->nsecs == 0 &&
	   ndrops == 1 && drop_log.cmd == PORTSHARE_REQ_DROP &&
	   drop_log.hold == 5 && drop_log.port == port,
	   "dead for its hold: dropped, reason unreachable, hold 5");
}

/*
 * Dead-period 1 s and steady traffic: the probe at t + 1 s awaits its
 * verdict, so the datagram at t + 2 s is skipped, not a second probe
 * that would take its place; the verdict at t + 2 s makes it up.
 */
static void test_one_probe(struct portshare_primary *pri, uint16_t port,
			   int64_t t)
{
	struct portshare_dead fast = { 3, 1, 0 };
	struct pri_port *p;
	struct pri_sec *s = sec0(pri, port, &p);

	portshare_primary_port_dead(pri, port, &fast);
	errors(pri, p, s, 3, t - 2, 1);
	OK(s->dead.state == PORTSHARE_STATE_DEAD &&
	   pri_dead_admits(pri, p, s, t + NSEC) && s->dead.probes == 1,
	   "dead-period 1 s: the probe a second after");
	OK(!pri_dead_admits(pri, p, s, t + 2 * NSEC) && s->dead.probes == 1 &&
	   s->dead.probe_sent == t + NSEC,
	   "its verdict pending: no other probe a period later");
	OK(!pri_dead_due(pri, p, s, t + 2 * NSEC) &&
	   s->dead.state == PORTSHARE_STATE_UP,
	   "its verdict a second after it: up again");
	portshare_primary_port_dead(pri, port, NULL);
}

/*
 * A probe dropped on the way (too big for IPv4; over its rate cap of
 * 1/s, whose copy the first took) draws no error and gets no verdict:
 * still dead two seconds on, the next probe a period after the lost one.
 */
static void test_lost_probe(void)
{
	static uint8_t big[65527];
	struct portshare_primary *pri = primary(NULL);
	uint16_t port = add_free_port(pri);
	struct portshare_list_entry sec = entry(7002);
	struct portshare_rate cap = { 1, 1, 0 };
	struct portshare_datagram dg = {
		.origin = addr_of("192.0.2.1"), .origin_port = 4000,
		.payload = big, .len = sizeof(big),
	};
	struct pri_port *p;
	struct pri_sec *s;
	int64_t t;

	portshare_primary_sec_add_hold(pri, port, &sec, NULL, 0, 0, &cap, 0);
	s = sec0(pri, port, &p);
	t = pri_mono_ns();
	errors(pri, p, s, 3, t, 1);
	s->dead.probe_due = t;
	portshare_primary_forward(pri, port, &dg, 1);
	OK(s->dead.probes == 1 && s->e.drops[PORTSHARE_DROP_TOOBIG] == 1 &&
	   !pri_dead_next(s) && !pri_dead_due(pri, p, s, t + 2 * NSEC) &&
	   s->dead.state == PORTSHARE_STATE_DEAD &&
	   s->dead.probe_due >= t + 10 * NSEC,
	   "a probe too big to send: no verdict, still dead, next a period on");
	s->dead.probe_due = t;
	dg.len = 4;
	portshare_primary_forward(pri, port, &dg, 1);
	OK(s->dead.probes == 2 && s->drop_ratelimited == 1 &&
	   !s->e.copies && !pri_dead_due(pri, p, s, t + 2 * NSEC) &&
	   s->dead.state == PORTSHARE_STATE_DEAD,
	   "a probe over its rate cap: no verdict either");
	portshare_primary_close(pri);
}

/* Detection off and transparent secondaries count, never go dead. */
static void test_never_dead(struct portshare_primary *pri, uint16_t port,
			    int64_t t)
{
	struct portshare_dead off = { 0, 10, 300 };
	struct portshare_list_entry sec = entry(7001);
	struct pri_port *p;
	struct pri_sec *s;

	portshare_primary_sec_add(pri, port, &sec);
	s = sec0(pri, port, &p);
	portshare_primary_port_dead(pri, port, &off);
	errors(pri, p, s, 20, t, 1);
	OK(s->dead.state == PORTSHARE_STATE_UP && s->dead.icmp_errors == 20,
	   "dead off: 20 errors counted, still up");
	portshare_primary_port_dead(pri, port, NULL);
	s->e.mode = PORTSHARE_MODE_TRANSPARENT;
	errors(pri, p, s, 20, t, 1);
	OK(s->dead.state == PORTSHARE_STATE_UP && s->dead.icmp_errors == 40,
	   "transparent: errors counted, never dead");
}

/* The state machine under given times (its functions take the time). */
static void test_machine(void)
{
	struct portshare_primary *pri = primary(NULL);
	uint16_t port = add_free_port(pri);
	struct portshare_list_entry sec = entry(7000);
	int64_t t0 = pri_mono_ns();

	nstates = ndrops = 0;
	portshare_primary_sec_add(pri, port, &sec);
	test_window(pri, port, t0);
	test_probes(pri, port, t0 + 16 * NSEC);
	test_hold(pri, port, t0 + 100 * NSEC);
	portshare_primary_sec_add(pri, port, &sec);
	test_one_probe(pri, port, t0 + 150 * NSEC);
	portshare_primary_sec_drop(pri, port, &sec.addr, sec.data_port);
	test_never_dead(pri, port, t0 + 200 * NSEC);
	portshare_primary_close(pri);
}

/* One secondary's state, or a dead one with all counters at UINT64_MAX. */
static struct portshare_sec_state state_of(struct portshare_primary *pri,
					   uint16_t port, uint16_t dport)
{
	struct portshare_sec_state st = {
		PORTSHARE_STATE_DEAD, 0, 0, UINT64_MAX, UINT64_MAX, UINT64_MAX,
	};
	struct portshare_list_entry e;
	unsigned int i;

	for (i = 0; !portshare_primary_sec_info(pri, port, i, &e); i++)
		if (e.data_port == dport)
			portshare_primary_sec_state(pri, port, i, &st);
	return st;
}

static uint64_t copies_of(struct portshare_primary *pri, uint16_t port,
			  uint16_t dport)
{
	struct portshare_list_entry e;
	unsigned int i;

	for (i = 0; !portshare_primary_sec_info(pri, port, i, &e); i++)
		if (e.data_port == dport)
			return e.copies;
	return UINT64_MAX;
}

/* The traffic of the real-time tests: ports[] get RATE datagrams/s. */
struct traffic {
	struct portshare_primary *pri;
	uint16_t ports[2];
	double next;
	uint32_t n;
};

/* One datagram to every port, then the loop for a RATE-th of a second. */
static void tick(struct traffic *t)
{
	struct portshare_datagram dg = {
		.origin = addr_of("192.0.2.1"), .origin_port = 4000,
		.payload = &t->n, .len = sizeof(t->n),
	};
	unsigned int i;
	double now;

	for (i = 0; i < 2; i++)
		if (t->ports[i])
			portshare_primary_forward(t->pri, t->ports[i], &dg, 1);
	t->n++;
	t->next += 1.0 / RATE;
	while ((now = mono()) < t->next)
		portshare_primary_dispatch(t->pri,
					   (int)((t->next - now) * 1000) + 1);
}

/* Traffic until @until(@arg) or @limit seconds: the seconds it took. */
static double run_until(struct traffic *t, double limit,
			bool (*until)(struct traffic *t, uint16_t dport),
			uint16_t dport)
{
	double t0 = mono();

	t->next = t0;
	while (mono() - t0 < limit && !(until && until(t, dport)))
		tick(t);
	return mono() - t0;
}

static bool is_dead(struct traffic *t, uint16_t dport)
{
	return state_of(t->pri, t->ports[0], dport).state ==
	       PORTSHARE_STATE_DEAD;
}

static bool is_up(struct traffic *t, uint16_t dport)
{
	return !is_dead(t, dport);
}

/* A port on 127.0.0.1 bound and closed again: nothing listens there. */
static uint16_t closed_port(void)
{
	uint16_t port = 0;
	int fd = bind_lo(0, &port);

	if (fd < 0)
		exit(96);
	close(fd);
	return port;
}

/* "ADD 127.0.0.1 <port> <dport>" over the wire: the reply's length. */
static int wire_add(struct portshare_primary *pri, uint16_t port,
		    uint16_t dport)
{
	struct portshare_request_env env = {
		.from = addr_of(LO), .from_port = 5555, .to = addr_of(LO),
	};
	char req[64], reply[PORTSHARE_REPLY_MAX];

	snprintf(req, sizeof(req), "ADD " LO " %u %u", port, dport);
	return portshare_primary_request(pri, port, &env, req, strlen(req),
					 reply, sizeof(reply));
}

/* Dead: the API secondary (hold 0) within 5 s, the wire one too. */
static void test_goes_dead(struct traffic *t, uint16_t api, uint16_t wire)
{
	double took = run_until(t, 5, is_dead, api);
	struct portshare_sec_state st = state_of(t->pri, t->ports[0], api);

	OK(took < 5 && st.state == PORTSHARE_STATE_DEAD &&
	   st.icmp_errors >= 3 && st.hold == 0,
	   "closed data port, %d datagrams/s: dead in %.2f s (%llu ICMP errors)",
	   RATE, took, (unsigned long long)st.icmp_errors);
	run_until(t, 1, is_dead, wire);
	st = state_of(t->pri, t->ports[0], wire);
	OK(st.state == PORTSHARE_STATE_DEAD && st.hold == 0,
	   "the wire secondary too (the port's hold, not its own)");
}

/*
 * Dead for 3 s: copies are the probes alone, one a second; the wire
 * secondary is dropped 2 s after it went dead, the API one is kept.
 * With detection off on the other port: errors, but up.
 */
static void test_only_probes(struct traffic *t, uint16_t api, uint16_t off,
			     const double *wire_at)
{
	struct portshare_sec_state a = state_of(t->pri, t->ports[0], api), b;
	uint64_t copies = copies_of(t->pri, t->ports[0], api);
	double held;

	run_until(t, 3, NULL, 0);
	b = state_of(t->pri, t->ports[0], api);
	OK(b.state == PORTSHARE_STATE_DEAD &&
	   copies_of(t->pri, t->ports[0], api) - copies ==
	   b.probes - a.probes && b.probes - a.probes >= 2 &&
	   b.probes - a.probes <= 4 && b.dead_skipped - a.dead_skipped >= 100,
	   "dead 3 s: %llu copies, all probes; %llu skipped",
	   (unsigned long long)(b.probes - a.probes),
	   (unsigned long long)(b.dead_skipped - a.dead_skipped));
	OK(b.dead_for >= 3, "dead_for %u s", b.dead_for);
	held = drop_at - wire_at[1 + PORTSHARE_STATE_DEAD];
	OK(ndrops == 1 && drop_log.hold == 2 && held >= 2 && held < 3.5,
	   "the wire secondary dropped %.2f s after it went dead, reason unreachable",
	   held);
	OK(state_of(t->pri, t->ports[0], api).icmp_errors != UINT64_MAX,
	   "the API secondary (hold 0) kept");
	b = state_of(t->pri, t->ports[1], off);
	OK(b.state == PORTSHARE_STATE_UP && b.icmp_errors >= 100 &&
	   !b.dead_skipped && !b.probes,
	   "dead=off: %llu errors counted, still up",
	   (unsigned long long)b.icmp_errors);
}

/* The port open again: up within a probe and its verdict; copies come. */
static void test_revives(struct traffic *t, uint16_t api)
{
	int fd = bind_lo(api, NULL);
	uint64_t copies;
	double took;
	char buf[256];
	int got = 0;

	if (fd < 0) {
		OK(0, "bind %u again: %s", api, strerror(errno));
		return;
	}
	took = run_until(t, 4, is_up, api);
	OK(took < 3.5 && is_up(t, api),
	   "the data port open again: up in %.2f s (dead-period 1 s + 1 s)",
	   took);
	copies = copies_of(t->pri, t->ports[0], api);
	run_until(t, 0.5, NULL, 0);
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		got++;
	OK(copies_of(t->pri, t->ports[0], api) - copies >= RATE / 2 - 5 &&
	   got >= RATE / 2 - 5, "up: every datagram copied again (%d received)",
	   got);
	close(fd);
}

/*
 * Real time, dead=3/1 and hold=2: ICMP port unreachable from the kernel
 * for copies to a closed port on 127.0.0.1.
 */
static void test_closed_port(void)
{
	double wire_at[3];
	struct traffic t = { .pri = primary(wire_at) };
	struct portshare_dead fast = { 3, 1, 2 }, off = { 0, 1, 2 };
	uint16_t api = closed_port(), wire = closed_port();
	uint16_t noff = closed_port();
	struct portshare_list_entry a = entry(api), o = entry(noff);

	wire_at[0] = wire;
	ndrops = 0;
	t.ports[0] = add_free_port(t.pri);
	t.ports[1] = add_free_port(t.pri);
	if (portshare_primary_port_dead(t.pri, t.ports[0], &fast) ||
	    portshare_primary_port_dead(t.pri, t.ports[1], &off) ||
	    portshare_primary_sec_add_hold(t.pri, t.ports[0], &a, NULL, 0, 0,
					   NULL, 0) ||
	    portshare_primary_sec_add(t.pri, t.ports[1], &o) ||
	    wire_add(t.pri, t.ports[0], wire) <= 0)
		exit(95);
	test_goes_dead(&t, api, wire);
	test_only_probes(&t, api, noff, wire_at);
	test_revives(&t, api);
	portshare_primary_close(t.pri);
}

static bool dead_is(struct portshare_primary *pri, uint16_t port,
		    uint32_t errors, uint32_t period, uint32_t hold)
{
	struct portshare_dead d;

	return !portshare_primary_port_dead_get(pri, port, &d) &&
	       d.errors == errors && d.period == period && d.hold == hold;
}

/* Out of range: PORTSHARE_E_INVALID, and the port's options stay. */
static void test_port_refusals(struct portshare_primary *pri, uint16_t p)
{
	static const struct portshare_dead bad[] = {
		{ PORTSHARE_DEAD_ERRORS_MAX + 1, 10, 300 },
		{ 3, 0, 300 },
		{ 3, PORTSHARE_DEAD_PERIOD_MAX + 1, 300 },
		{ 3, 10, PORTSHARE_LEASE_MAX + 1 },
		{ UINT32_MAX, UINT32_MAX, UINT32_MAX },
	};
	static const struct portshare_dead edge[] = {
		{ 0, 1, 0 },
		{ PORTSHARE_DEAD_ERRORS_MAX, PORTSHARE_DEAD_PERIOD_MAX,
		  PORTSHARE_LEASE_MAX },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		OK(portshare_primary_port_dead(pri, p, &bad[i]) ==
		   PORTSHARE_E_INVALID && dead_is(pri, p, 3, 10, 300),
		   "port_dead %u/%u hold %u: invalid, nothing changes",
		   bad[i].errors, bad[i].period, bad[i].hold);
	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		OK(portshare_primary_port_dead(pri, p, &edge[i]) == 0 &&
		   dead_is(pri, p, edge[i].errors, edge[i].period,
			   edge[i].hold), "port_dead %u/%u hold %u: taken",
		   edge[i].errors, edge[i].period, edge[i].hold);
	OK(portshare_primary_port_dead(pri, p, NULL) == 0 &&
	   dead_is(pri, p, 3, 10, 300), "port_dead NULL: the defaults again");
}

/* A secondary's hold, and the calls with a port or index that is not. */
static void test_sec_refusals(struct portshare_primary *pri, uint16_t p)
{
	struct portshare_list_entry a = entry(7100), b = entry(7101);
	struct portshare_sec_state st;
	struct portshare_dead d;
	uint16_t none = (uint16_t)(p + 1);

	OK(portshare_primary_sec_add_hold(pri, p, &a, NULL, 0, 0, NULL,
					  PORTSHARE_LEASE_MAX + 1) ==
	   PORTSHARE_E_INVALID && portshare_primary_sec_state(pri, p, 0, &st) ==
	   PORTSHARE_E_INVALID, "sec_add_hold beyond the most: invalid, not added");
	OK(portshare_primary_sec_add_hold(pri, p, &a, NULL, 0, 0, NULL,
					  PORTSHARE_LEASE_MAX) == 0 &&
	   state_of(pri, p, 7100).hold == PORTSHARE_LEASE_MAX,
	   "sec_add_hold %u: taken", PORTSHARE_LEASE_MAX);
	OK(portshare_primary_sec_add(pri, p, &b) == 0 &&
	   state_of(pri, p, 7101).hold == 0 &&
	   state_of(pri, p, 7101).state == PORTSHARE_STATE_UP &&
	   !state_of(pri, p, 7101).dead_for,
	   "sec_add: hold 0 (never), up, not dead_for");
	OK(wire_add(pri, p, 7102) > 0 && state_of(pri, p, 7102).hold == 0 &&
	   dead_is(pri, p, 3, 10, 300),
	   "a wire ADD: no hold of its own (its port's, 300, is the port's)");
	OK(portshare_primary_port_dead(pri, none, NULL) ==
	   PORTSHARE_E_UNKNOWN_PORT &&
	   portshare_primary_port_dead_get(pri, none, &d) ==
	   PORTSHARE_E_UNKNOWN_PORT &&
	   portshare_primary_sec_state(pri, none, 0, &st) ==
	   PORTSHARE_E_UNKNOWN_PORT &&
	   portshare_primary_sec_add_hold(pri, none, &a, NULL, 0, 0, NULL, 0) ==
	   PORTSHARE_E_UNKNOWN_PORT, "a port not the primary's: unknown port");
	OK(portshare_primary_sec_state(pri, p, 3, &st) == PORTSHARE_E_INVALID,
	   "sec_state past the end: invalid");
}

static void test_refusals(void)
{
	struct portshare_primary *pri = primary(NULL);
	uint16_t p = add_free_port(pri);

	OK(dead_is(pri, p, PORTSHARE_DEAD_ERRORS_DEFAULT,
		   PORTSHARE_DEAD_PERIOD_DEFAULT, PORTSHARE_HOLD_DEFAULT),
	   "a new port: dead 3/10, hold 300");
	test_port_refusals(pri, p);
	test_sec_refusals(pri, p);
	portshare_primary_close(pri);
}

int main(void)
{
	srand((unsigned int)getpid());
	printf("TAP version 13\n");
	test_icmp_codes();
	test_machine();
	test_lost_probe();
	test_refusals();
	test_closed_port();
	return tap_done();
}
