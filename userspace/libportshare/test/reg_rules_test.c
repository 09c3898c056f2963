// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The register rules both primaries share (shared/reg_rules.c), against
 * references of their own:
 *
 * - ps_reg_local_rules(), for every combination of the facts, who asked
 *   and whether they own the data port's socket (192 cases), against the
 *   rules of docs/protocol.md §1.3 written as one expression each; and it
 *   asks who sent the request at most once, and whose the data port is
 *   only when that decides;
 * - ps_reg_admit(), for every answer of its four checks: what becomes of
 *   the datagram, and that no check runs after one that decided (the rate
 *   limit is spent only on datagrams that would be answered);
 * - ps_sec_add_check() likewise: address, loop, listed, full;
 * - ps_reg_sec_of(): own address, third parties allowed or not, the other
 *   family, another port, the data port defaulting to the source port;
 * - ps_addr_unusable() at the edges of each class;
 * - ps_sec_may_loop() for each mode;
 * - ps_lease_granted(): a secondary shortens its lease, never lengthens it;
 * - ps_rate_granted(): a secondary lowers its rate, never raises it, and
 *   keeps the port's burst in time.
 *
 * Prints TAP.
 */
#include <arpa/inet.h>
#include <string.h>

#include "reg_rules.h"
#include "request.h"
#include "tap.h"

struct lookups {
	enum ps_requester who;
	bool owns;
	int asked_who, asked_owner;
};

static enum ps_requester ask_who(void *arg)
{
	struct lookups *l = arg;

	l->asked_who++;
	return l->who;
}

static bool ask_owner(void *arg)
{
	struct lookups *l = arg;

	l->asked_owner++;
	return l->owns;
}

static const struct ps_reg_local_ops ops = {
	.requester = ask_who, .same_owner = ask_owner,
};

/* docs/protocol.md §1.3, "Local data ports", one rule at a time. */
static int expected(const struct ps_reg_local *f, const struct lookups *l)
{
	bool root = l->who == PS_REQUESTER_ROOT;
	bool user_owns = l->who == PS_REQUESTER_USER && l->owns;

	if (f->local && f->reg_port && (!f->transparent || !f->vetted || root))
		return PORTSHARE_REPLY_LOOP;
	if (!f->vetted)
		return 0;
	if (f->transparent && !root)
		return PORTSHARE_REPLY_NOT_PERMITTED;
	if (f->local && !f->own_socket && !root && !user_owns)
		return PORTSHARE_REPLY_NOT_PERMITTED;
	return 0;
}

/* The owner of the data port decides only for a user's foreign socket. */
static bool owner_needed(const struct ps_reg_local *f, const struct lookups *l)
{
	return f->vetted && !f->transparent && f->local && !f->reg_port &&
	       !f->own_socket && l->who == PS_REQUESTER_USER;
}

static void test_local_rules(void)
{
	static const char *const who[] = { "unknown", "user", "root" };
	int bad = 0, asked_twice = 0, asked_needlessly = 0;
	unsigned int bits, w, own;

	for (bits = 0; bits < 32; bits++) {
		struct ps_reg_local f = {
			.vetted = bits & 1, .transparent = bits & 2,
			.local = bits & 4, .reg_port = bits & 8,
			.own_socket = bits & 16,
		};

		for (w = 0; w < 3; w++) {
			for (own = 0; own < 2; own++) {
				struct lookups l = { .who = w, .owns = own };
				int got = ps_reg_local_rules(&f, &ops, &l);

				if (got != expected(&f, &l)) {
					bad++;
					printf("# facts %#x, %s, owns %u: %d, want %d\n",
					       bits, who[w], own, got,
					       expected(&f, &l));
				}
				asked_twice += l.asked_who > 1;
				asked_needlessly += l.asked_owner &&
						    !owner_needed(&f, &l);
			}
		}
	}
	OK(!bad, "local rules: 192 cases as docs/protocol.md §1.3 says");
	OK(!asked_twice, "local rules: who asked is looked up at most once");
	OK(!asked_needlessly,
	   "local rules: the data port's owner only when it decides");
}

struct checks {
	unsigned int answers, asked;	/* bit i: check i's answer; was asked */
};

static bool check(void *arg, unsigned int i)
{
	struct checks *c = arg;

	c->asked |= 1u << i;
	return c->answers & 1u << i;
}

static bool check0(void *c) { return check(c, 0); }
static bool check1(void *c) { return check(c, 1); }
static bool check2(void *c) { return check(c, 2); }
static bool check3(void *c) { return check(c, 3); }

static const struct ps_reg_admit_ops admit_ops = {
	.answerable = check0, .allowed = check1, .looped = check2,
	.within_rate = check3,
};

static const struct ps_sec_add_ops add_ops = {
	.unusable = check0, .loops = check1, .listed = check2, .full = check3,
};

/* docs/protocol.md §1.2, Silence: the order of the checks before parsing. */
static void test_admit(void)
{
	int bad = 0, extra = 0;
	unsigned int a;

	for (a = 0; a < 16; a++) {
		struct checks c = { .answers = a };
		enum ps_admit want, got = ps_reg_admit(&admit_ops, &c);
		unsigned int needed;

		if (!(a & 1)) {
			want = PS_ADMIT_IGNORED;
			needed = 1;
		} else if (!(a & 2)) {
			want = PS_ADMIT_DENIED;
			needed = 3;
		} else if (a & 4) {
			want = PS_ADMIT_IGNORED;
			needed = 7;
		} else {
			want = a & 8 ? PS_ADMIT_ANSWER : PS_ADMIT_RATE_LIMITED;
			needed = 15;
		}
		bad += got != want;
		extra += c.asked != needed;
	}
	OK(!bad, "admit: 16 cases, the first check that fails decides");
	OK(!extra, "admit: nothing is asked after the deciding check");
}

/* docs/protocol.md §1.2: the address's kind, then the list (402, 200, 401). */
static void test_sec_add(void)
{
	static const int code[] = {
		PORTSHARE_REPLY_INVALID_ADDRESS, PORTSHARE_REPLY_LOOP,
		PORTSHARE_REPLY_ALREADY_ADDED, PORTSHARE_REPLY_LIST_FULL,
	};
	int bad = 0, extra = 0;
	unsigned int a, first;

	for (a = 0; a < 16; a++) {
		struct checks c = { .answers = a };
		int got = ps_sec_add_check(&add_ops, &c);

		for (first = 0; first < 4 && !(a & 1u << first); first++)
			;
		bad += got != (first < 4 ? code[first] : 0);
		extra += c.asked != (first < 4 ? (2u << first) - 1 : 15);
	}
	OK(!bad, "sec_add: 16 cases, the first refusal decides");
	OK(!extra, "sec_add: nothing is asked after the deciding check");
}

static struct ps_req request(const char *addr, u16 port, u16 data_port)
{
	struct ps_req r = { .cmd = PS_REQ_ADD, .port = port,
			    .data_port = data_port };

	if (inet_pton(AF_INET, addr, r.addr) == 1) {
		r.family = PS_REQ_INET;
	} else {
		r.family = PS_REQ_INET6;
		inet_pton(AF_INET6, addr, r.addr);
	}
	return r;
}

static struct ps_reg_env env_of(const char *addr, u16 port, bool third)
{
	struct ps_reg_env e = { .port = port, .third_party = third };
	struct ps_req r = request(addr, 0, 0);

	e.family = r.family;
	memcpy(e.addr, r.addr, sizeof(e.addr));
	return e;
}

struct sec_case {
	const char *what, *addr;
	u16 port, data_port;
	const char *from;
	bool third_ok;
	int code;
	u16 want_data_port;
	bool third_party;
};

static const struct sec_case sec_cases[] = {
	{ "own address, no data port", "10.0.0.5", 427, 0, "10.0.0.5", false,
	  0, 5000, false },
	{ "own address, data port 6000", "10.0.0.5", 427, 6000, "10.0.0.5",
	  false, 0, 6000, false },
	{ "another port's registration port", "10.0.0.5", 161, 0, "10.0.0.5",
	  true, PORTSHARE_REPLY_UNKNOWN_PORT, 5000, false },
	{ "third party, not allowed", "10.0.0.6", 427, 0, "10.0.0.5", false,
	  PORTSHARE_REPLY_NOT_PERMITTED, 5000, true },
	{ "third party, allowed", "10.0.0.6", 427, 7000, "10.0.0.5", true, 0,
	  7000, true },
	{ "third party of the other family", "fd00::6", 427, 0, "10.0.0.5",
	  true, PORTSHARE_REPLY_INVALID_ADDRESS, 5000, true },
	{ "the other family, not allowed", "fd00::6", 427, 0, "10.0.0.5",
	  false, PORTSHARE_REPLY_NOT_PERMITTED, 5000, true },
	{ "own IPv6 address", "fd00::5", 427, 0, "fd00::5", false, 0, 5000,
	  false },
};

static void test_sec_of(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(sec_cases) / sizeof(sec_cases[0]); i++) {
		const struct sec_case *c = &sec_cases[i];
		struct ps_req r = request(c->addr, c->port, c->data_port);
		struct ps_reg_env e = env_of(c->from, 5000, c->third_ok);
		struct ps_reg_sec s;
		int code = ps_reg_sec_of(&r, 427, &e, &s);

		OK(code == c->code && s.data_port == c->want_data_port &&
		   s.third_party == c->third_party && s.family == r.family &&
		   !memcmp(s.addr, r.addr, sizeof(s.addr)),
		   "sec_of: %s: %d, data port %u%s", c->what, code,
		   s.data_port, s.third_party ? ", third party" : "");
	}
}

static void test_addr_unusable(void)
{
	static const char *const bad[] = {
		"0.0.0.0", "0.255.255.255", "224.0.0.0", "239.255.255.255",
		"255.255.255.255", "::", "ff02::1", "ff00::",
	};
	static const char *const good[] = {
		"1.0.0.0", "127.0.0.1", "223.255.255.255", "240.0.0.1",
		"255.255.255.254", "::1", "fe80::1", "::ffff:10.0.0.1",
		"feff::1",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ps_req r = request(bad[i], 0, 0);

		OK(ps_addr_unusable(r.family, r.addr) != NULL,
		   "%s is no secondary", bad[i]);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ps_req r = request(good[i], 0, 0);

		OK(!ps_addr_unusable(r.family, r.addr),
		   "%s may be a secondary", good[i]);
	}
}

static void test_may_loop(void)
{
	OK(!ps_sec_may_loop(PS_REQ_MODE_ENCAP, false) &&
	   ps_sec_may_loop(PS_REQ_MODE_ENCAP, true) &&
	   ps_sec_may_loop(PS_REQ_MODE_RAW, false) &&
	   ps_sec_may_loop(PS_REQ_MODE_TRANSPARENT, false),
	   "loops: encap only to our own addresses, raw and transparent anywhere");
}

static void test_lease_granted(void)
{
	static const struct {
		u32 port, asked, want;
	} c[] = {
		{ 0, 0, 0 }, { 0, 30, 30 }, { 60, 0, 60 }, { 60, 30, 30 },
		{ 60, 90, 60 }, { 60, 60, 60 }, { 1, PS_LEASE_MAX, 1 },
		{ 0, PS_LEASE_MAX, PS_LEASE_MAX },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		OK(ps_lease_granted(c[i].port, c[i].asked) == c[i].want,
		   "port lease %u, lease=%u: granted %u", c[i].port,
		   c[i].asked, c[i].want);
}

static void test_rate_granted(void)
{
	static const struct {
		u32 port, port_burst, asked, want, want_burst;
	} c[] = {
		{ 0, 0, 0, 0, 0 }, { 0, 0, 30, 30, 30 },
		{ 100, 0, 0, 100, 100 }, { 100, 200, 0, 100, 200 },
		{ 100, 200, 10, 10, 20 }, { 100, 200, 500, 100, 200 },
		{ 100, 1, 10, 10, 1 }, { 100, 5, 99, 99, 4 },
		{ PS_RATE_MAX, PS_RATE_MAX, PS_RATE_MAX - 1, PS_RATE_MAX - 1,
		  PS_RATE_MAX - 1 },
		{ 0, 0, PS_RATE_MAX, PS_RATE_MAX, PS_RATE_MAX },
	};
	size_t i;
	u32 burst;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		burst = 12345;
		OK(ps_rate_granted(c[i].port, c[i].port_burst, c[i].asked,
				   &burst) == c[i].want &&
		   burst == c[i].want_burst,
		   "port rate %u/%u, rate=%u: granted %u/%u", c[i].port,
		   c[i].port_burst, c[i].asked, c[i].want, c[i].want_burst);
	}
}

int main(void)
{
	test_admit();
	test_sec_add();
	test_local_rules();
	test_sec_of();
	test_addr_unusable();
	test_may_loop();
	test_lease_granted();
	test_rate_granted();
	return tap_done();
}
