// SPDX-License-Identifier: GPL-2.0
/*
 * Table test of the registration request parser (shared/request.c) in
 * userspace: every rule of docs/protocol.md's grammar, one line each.
 * Prints TAP; exits non-zero on any failure.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "request.h"

#define X(s) s, sizeof(s) - 1

struct tcase {
	const char *in;
	size_t len;
	int want;
	const char *addr;	/* expected address when parsed */
	unsigned int port, data_port, mode;
};

static const struct tcase cases[] = {
	{ X("ADD 10.0.0.5 427"), 100, "10.0.0.5", 427, 0, 0 },
	{ X("ADD 10.0.0.5 427\r\n"), 100, "10.0.0.5", 427, 0, 0 },
	{ X("ADD 10.0.0.5 427\0\0"), 100, "10.0.0.5", 427, 0, 0 },
	{ X("ADD 10.0.0.5 427\n\r\0\n"), 100, "10.0.0.5", 427, 0, 0 },
	{ X("ADD\t10.0.0.5\t427"), 100, "10.0.0.5", 427, 0, 0 },
	{ X("ADD 10.0.0.5 427 5000"), 100, "10.0.0.5", 427, 5000, 0 },
	{ X("ADD 10.0.0.5 427 5000 mode=raw"), 100, "10.0.0.5", 427, 5000, 1 },
	{ X("ADD 10.0.0.5 427 mode=transparent"), 100, "10.0.0.5", 427, 0, 2 },
	{ X("ADD 10.0.0.5 427 mode=encap"), 100, "10.0.0.5", 427, 0, 0 },
	{ X("ADD 10.0.0.5 65535 1"), 100, "10.0.0.5", 65535, 1, 0 },
	{ X("ADD 10.0.0.5 00427"), 100, "10.0.0.5", 427, 0, 0 },
	{ X("ADD ::1 427"), 100, "::1", 427, 0, 0 },
	{ X("ADD fd00::5 427 9000"), 100, "fd00::5", 427, 9000, 0 },
	{ X("ADD FD00:0:0:0:0:0:0:5 427"), 100, "fd00::5", 427, 0, 0 },
	{ X("ADD 2001:db8::1.2.3.4 427"), 100, "2001:db8::102:304", 427, 0, 0 },
	{ X("DROP 10.0.0.5 427"), 100, "10.0.0.5", 427, 0, 0 },
	{ X("DROP 10.0.0.5 427 5000"), 100, "10.0.0.5", 427, 5000, 0 },
	{ X("DROP fd00::5 427"), 100, "fd00::5", 427, 0, 0 },
	/* silence */
	{ X(""), 0 },
	{ X("\r\n"), 0 },
	{ X("\0\0\0"), 0 },
	{ X("100 OK 10.0.0.1 13427"), 0 },
	{ X("300 ERROR. Invalid Address"), 0 },
	{ X("SHUTDOWN 10.0.0.1 13427"), 0 },
	{ X("SHUTDOWN"), 0 },
	/* malformed */
	{ X("SHUTDOWNX 1.2.3.4 1"), 305 },
	{ X(" ADD 10.0.0.5 427"), 304 },
	{ X("ADD  10.0.0.5 427"), 304 },
	{ X("ADD 10.0.0.5  427"), 304 },
	{ X("ADD 10.0.0.5 427 "), 304 },
	{ X("ADD 10.0.0.5 427\t"), 304 },
	{ X("ADD \t10.0.0.5 427"), 304 },
	{ X("ADD 10.0.0.5\0 427"), 304 },
	{ X("ADD 10.0.0.5 427\0x"), 304 },
	{ X("ADD 10.0.0.5 427\r\nADD 10.0.0.6 427"), 304 },
	{ X("ADD 10.0.0.5 427\x7f"), 304 },
	{ X("ADD 10.0.0.5 427 \xc3\xa9"), 304 },
	{ X("\x01\x02\x03\x04"), 304 },
	{ X("ADD 1.2.3.4 1 2 mode=raw a b c d e f g h i j k l"), 304 },
	/* command */
	{ X("add 10.0.0.5 427"), 305 },
	{ X("Add 10.0.0.5 427"), 305 },
	{ X("drop 10.0.0.5 427"), 305 },
	{ X("ADDX 10.0.0.5 427"), 305 },
	{ X("LIST"), 305 },
	{ X("PSHR\x01"), 304 },
	/* address */
	{ X("ADD"), 300 },
	{ X("DROP"), 300 },
	{ X("ADD localhost 427"), 300 },
	{ X("ADD example.com 427"), 300 },
	{ X("ADD 10.0.0 427"), 300 },
	{ X("ADD 10.0.0.256 427"), 300 },
	{ X("ADD 10.0.0.05 427"), 300 },
	{ X("ADD 10.0.0.5. 427"), 300 },
	{ X("ADD 0.0.0.0 427"), 300 },
	{ X("ADD 0.1.2.3 427"), 300 },
	{ X("ADD 224.0.0.1 427"), 300 },
	{ X("ADD 255.255.255.255 427"), 300 },
	{ X("ADD :: 427"), 300 },
	{ X("ADD ::ffff:10.0.0.5 427"), 300 },
	{ X("ADD ::10.0.0.5 427"), 300 },
	{ X("ADD ff02::1 427"), 300 },
	{ X("ADD fe80::1 427"), 300 },
	{ X("ADD fe80::1%eth0 427"), 300 },
	{ X("ADD [fd00::5] 427"), 300 },
	{ X("ADD fd00::5::1 427"), 300 },
	{ X("ADD fd00:::5 427"), 300 },
	{ X("ADD 1:2:3:4:5:6:7:8:9 427"), 300 },
	{ X("ADD 12345::1 427"), 300 },
	{ X("ADD 1:0:1:0:f:1:10:f:: 427"), 300 },
	{ X("ADD 1:2:3:4:5:6:7:: 427"), 100, "1:2:3:4:5:6:7:0", 427, 0, 0 },
	{ X("ADD 427"), 300 },
	/* ports */
	{ X("ADD 10.0.0.5"), 301 },
	{ X("DROP fd00::5"), 301 },
	{ X("ADD 10.0.0.5 0"), 302 },
	{ X("ADD 10.0.0.5 65536"), 302 },
	{ X("ADD 10.0.0.5 -1"), 302 },
	{ X("ADD 10.0.0.5 +1"), 302 },
	{ X("ADD 10.0.0.5 427x"), 302 },
	{ X("ADD 10.0.0.5 000427"), 302 },
	{ X("ADD 10.0.0.5 427 0"), 302 },
	{ X("ADD 10.0.0.5 427 65536"), 302 },
	{ X("ADD 10.0.0.5 427 -1"), 302 },
	/* options */
	{ X("ADD 10.0.0.5 427 mode=bogus"), 306 },
	{ X("ADD 10.0.0.5 427 MODE=raw"), 306 },
	{ X("ADD 10.0.0.5 427 sample=2"), 306 },
	{ X("ADD 10.0.0.5 427 5000 6000"), 306 },
	{ X("ADD 10.0.0.5 427 mode=raw mode=raw"), 306 },
	{ X("ADD 10.0.0.5 427 mode=raw 5000"), 306 },
	{ X("DROP 10.0.0.5 427 mode=raw"), 306 },
	{ X("DROP 10.0.0.5 427 5000 mode=raw"), 306 },
	{ X("ADD 1.2.3.4 1 2 mode=raw a b c d"), 306 },
	/* from= (DESIGN §9) */
	{ X("DROP 10.0.0.5 427 from=10.0.0.0/8"), 306 },
	{ X("ADD 10.0.0.5 427 from="), 306 },
	{ X("ADD 10.0.0.5 427 from"), 302 },
	{ X("ADD 10.0.0.5 427 FROM=10.0.0.0/8"), 306 },
	{ X("ADD 10.0.0.5 427 from=10.0.0.1/8"), 306 },
	{ X("ADD 10.0.0.5 427 from=10.0.0.0/33"), 306 },
	{ X("ADD 10.0.0.5 427 from=10.0.0.0/08"), 306 },
	{ X("ADD 10.0.0.5 427 from=10.0.0.0/"), 306 },
	{ X("ADD 10.0.0.5 427 from=10.0.0.0/-1"), 306 },
	{ X("ADD 10.0.0.5 427 from=10.0.0.0/8/8"), 306 },
	{ X("ADD 10.0.0.5 427 from=fd00::/129"), 306 },
	{ X("ADD 10.0.0.5 427 from=fd00::1/64"), 306 },
	{ X("ADD 10.0.0.5 427 from=host.example/32"), 306 },
	{ X("ADD 10.0.0.5 427 from=10.0.0.0/1000"), 306 },
	{ X("ADD 10.0.0.5 427 5000 from=10.0.0.1 from=10.0.0.2 "
	    "from=10.0.0.3 from=10.0.0.4 from=10.0.0.5 from=10.0.0.6 "
	    "from=10.0.0.7 from=10.0.0.8 from=10.0.0.9"), 306 },
	/* lease= (DESIGN §9) */
	{ X("DROP 10.0.0.5 427 lease=30"), 306 },
	{ X("ADD 10.0.0.5 427 lease="), 306 },
	{ X("ADD 10.0.0.5 427 lease=0"), 306 },
	{ X("ADD 10.0.0.5 427 lease=030"), 306 },
	{ X("ADD 10.0.0.5 427 lease=-1"), 306 },
	{ X("ADD 10.0.0.5 427 lease=+30"), 306 },
	{ X("ADD 10.0.0.5 427 lease=30s"), 306 },
	{ X("ADD 10.0.0.5 427 LEASE=30"), 306 },
	{ X("ADD 10.0.0.5 427 lease=30 lease=30"), 306 },
	{ X("ADD 10.0.0.5 427 lease=31536001"), 306 },
	{ X("ADD 10.0.0.5 427 lease=4294967326"), 306 },
	{ X("ADD 10.0.0.5 427 lease=99999999999999999999"), 306 },
	/* rate= (DESIGN §9) */
	{ X("DROP 10.0.0.5 427 rate=30"), 306 },
	{ X("ADD 10.0.0.5 427 rate="), 306 },
	{ X("ADD 10.0.0.5 427 rate=0"), 306 },
	{ X("ADD 10.0.0.5 427 rate=010"), 306 },
	{ X("ADD 10.0.0.5 427 rate=-1"), 306 },
	{ X("ADD 10.0.0.5 427 rate=10/20"), 306 },
	{ X("ADD 10.0.0.5 427 rate=1e3"), 306 },
	{ X("ADD 10.0.0.5 427 RATE=10"), 306 },
	{ X("ADD 10.0.0.5 427 rate=10 rate=10"), 306 },
	{ X("ADD 10.0.0.5 427 rate=10000001"), 306 },
	{ X("ADD 10.0.0.5 427 rate=4294967306"), 306 },
	/* cookie= (DESIGN §9) */
	{ X("ADD 10.0.0.5 427 cookie="), 306 },
	{ X("ADD 10.0.0.5 427 cookie=0123456789abcde"), 306 },
	{ X("ADD 10.0.0.5 427 cookie=0123456789abcdef0"), 306 },
	{ X("ADD 10.0.0.5 427 cookie=0123456789abcdeg"), 306 },
	{ X("ADD 10.0.0.5 427 cookie=0x23456789abcdef"), 306 },
	{ X("ADD 10.0.0.5 427 cookie=-123456789abcdef"), 306 },
	{ X("ADD 10.0.0.5 427 COOKIE=0123456789abcdef"), 306 },
	{ X("ADD 10.0.0.5 427 cookie=0123456789abcdef "
	    "cookie=0123456789abcdef"), 306 },
	{ X("DROP 10.0.0.5 427 cookie=1 mode=raw"), 306 },
	{ X("ADD 10.0.0.5 427 5000 mode=raw lease=1 rate=1 "
	    "cookie=0123456789abcdef from=10.0.0.1 "
	    "from=10.0.0.2 from=10.0.0.3 from=10.0.0.4 from=10.0.0.5 "
	    "from=10.0.0.6 from=10.0.0.7 from=10.0.0.8 x=1"), 304 },
};

/* The leases, rate caps and cookies of well-formed requests. */
struct lcase {
	const char *in;
	unsigned int lease;
	unsigned int rate;
	bool has_cookie;
	unsigned long long cookie;
};

static const struct lcase lease_cases[] = {
	{ "ADD 10.0.0.5 427", 0 },
	{ "ADD 10.0.0.5 427 lease=1", 1 },
	{ "ADD 10.0.0.5 427 5000 lease=30 mode=raw", 30 },
	{ "ADD fd00::5 427 from=::/0 lease=31536000", 31536000 },
	{ "ADD 10.0.0.5 427 5000 mode=raw lease=9 from=10.0.0.1 "
	  "from=10.0.0.2 from=10.0.0.3 from=10.0.0.4 from=10.0.0.5 "
	  "from=10.0.0.6 from=10.0.0.7 from=10.0.0.8", 9 },
	{ "ADD 10.0.0.5 427 rate=1", 0, 1 },
	{ "ADD 10.0.0.5 427 5000 rate=50 lease=30", 30, 50 },
	{ "ADD fd00::5 427 rate=10000000 mode=raw", 0, 10000000 },
	{ "ADD 10.0.0.5 427 5000 mode=raw lease=9 rate=7 from=10.0.0.1 "
	  "from=10.0.0.2 from=10.0.0.3 from=10.0.0.4 from=10.0.0.5 "
	  "from=10.0.0.6 from=10.0.0.7 from=10.0.0.8", 9, 7 },
	{ "ADD 10.0.0.5 427 cookie=0123456789abcdef", 0, 0, true,
	  0x0123456789abcdefULL },
	{ "DROP 10.0.0.5 427 5000 cookie=FFFFFFFFFFFFFFFF", 0, 0, true,
	  0xffffffffffffffffULL },
	{ "ADD fd00::5 427 cookie=0000000000000000 lease=5", 5, 0, true, 0 },
	{ "ADD 10.0.0.5 427 5000 mode=raw lease=9 rate=7 "
	  "cookie=00000000000000ff from=10.0.0.1 "
	  "from=10.0.0.2 from=10.0.0.3 from=10.0.0.4 from=10.0.0.5 "
	  "from=10.0.0.6 from=10.0.0.7 from=10.0.0.8", 9, 7, true, 0xff },
};

/* The source filters of well-formed ADDs, as "ADDR/LEN" each. */
struct fcase {
	const char *in;
	unsigned int n;
	const char *from[PS_FROM_MAX];
};

static const struct fcase from_cases[] = {
	{ "ADD 10.0.0.5 427", 0, { NULL } },
	{ "ADD 10.0.0.5 427 from=10.0.0.0/8", 1, { "10.0.0.0/8" } },
	{ "ADD 10.0.0.5 427 from=10.1.2.3", 1, { "10.1.2.3/32" } },
	{ "ADD 10.0.0.5 427 from=0.0.0.0/0", 1, { "0.0.0.0/0" } },
	{ "ADD 10.0.0.5 427 5000 mode=raw from=fd00::/8 from=192.0.2.128/25",
	  2, { "fd00::/8", "192.0.2.128/25" } },
	{ "ADD fd00::5 427 from=::/0 mode=encap from=fd00::1", 2,
	  { "::/0", "fd00::1/128" } },
	{ "ADD 10.0.0.5 427 5000 mode=raw from=10.0.0.1 from=10.0.0.2 "
	  "from=10.0.0.3 from=10.0.0.4 from=10.0.0.5 from=10.0.0.6 "
	  "from=10.0.0.7 from=10.0.0.8", 8,
	  { "10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32", "10.0.0.4/32",
	    "10.0.0.5/32", "10.0.0.6/32", "10.0.0.7/32", "10.0.0.8/32" } },
};

/*
 * ps_req_parse_prefix() alone, as libportshare's portshare_prefix_parse()
 * calls it: @in's first @len bytes, the grammar only (host bits parse).
 */
struct pcase {
	const char *in;
	size_t len;
	const char *want;	/* NULL: refused */
};

static const struct pcase prefix_cases[] = {
	{ X("10.0.0.0/8"), "10.0.0.0/8" },
	{ X("10.1.2.3/8"), "10.1.2.3/8" },
	{ X("10.1.2.3"), "10.1.2.3/32" },
	{ X("fd00::1/64"), "fd00::1/64" },
	{ X("::ffff:192.0.2.0/120"), "::ffff:192.0.2.0/120" },
	{ "10.0.0.0/8 trailing", 10, "10.0.0.0/8" },
	{ "10.0.0.0/8", 8, "10.0.0.0/32" },
	{ X("10.0.0.0/08"), NULL },
	{ X("10.0.0.0/33"), NULL },
	{ X("fd00::/129"), NULL },
	{ X("10.0.0.0/"), NULL },
	{ X("10.0.0.0/8/8"), NULL },
	{ X("/8"), NULL },
	{ X(""), NULL },
	{ X("host.example"), NULL },
};

static int prefix_is(const struct ps_prefix *p, const char *want)
{
	char addr[INET6_ADDRSTRLEN], got[INET6_ADDRSTRLEN + 5];
	int fam = p->family == PS_ACL_INET ? AF_INET : AF_INET6;

	if (!inet_ntop(fam, p->addr, addr, sizeof(addr)))
		return 0;
	snprintf(got, sizeof(got), "%s/%u", addr, p->len);
	return !strcmp(got, want);
}

static int check_from(const struct fcase *c, unsigned int num)
{
	struct ps_req r;
	unsigned int i;
	int ok;

	ok = ps_req_parse(c->in, strlen(c->in), &r) == 100 && r.n_from == c->n;
	for (i = 0; ok && i < c->n; i++)
		ok = prefix_is(&r.from[i], c->from[i]);
	printf("%sok %u - '%s' -> %u from= prefixes\n", ok ? "" : "not ",
	       num, c->in, c->n);
	return !ok;
}

static int check_prefix(const struct pcase *c, unsigned int num)
{
	struct ps_prefix p;
	bool got = ps_req_parse_prefix(c->in, c->len, &p);
	int ok = c->want ? got && prefix_is(&p, c->want) : !got;

	printf("%sok %u - prefix '%.*s' -> %s\n", ok ? "" : "not ", num,
	       (int)c->len, c->in, c->want ? c->want : "refused");
	return !ok;
}

static int check_lease(const struct lcase *c, unsigned int num)
{
	struct ps_req r;
	int ok;

	ok = ps_req_parse(c->in, strlen(c->in), &r) == 100 &&
	     r.lease == c->lease && r.rate == c->rate &&
	     r.has_cookie == c->has_cookie && r.cookie == c->cookie;
	printf("%sok %u - '%s' -> lease %u rate %u cookie %d %llx\n",
	       ok ? "" : "not ", num, c->in, c->lease, c->rate, c->has_cookie,
	       c->cookie);
	return !ok;
}

static int check_fields(const struct tcase *c, const struct ps_req *r)
{
	unsigned char want[16] = { 0 };
	int fam = strchr(c->addr, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(fam, c->addr, want) != 1)
		return 0;
	return r->family == (fam == AF_INET ? PS_REQ_INET : PS_REQ_INET6) &&
	       !memcmp(r->addr, want, sizeof(r->addr)) &&
	       r->port == c->port && r->data_port == c->data_port &&
	       r->mode == c->mode &&
	       r->cmd == (c->in[0] == 'A' ? PS_REQ_ADD : PS_REQ_DROP);
}

int main(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]), i;
	size_t nf = sizeof(from_cases) / sizeof(from_cases[0]);
	size_t nl = sizeof(lease_cases) / sizeof(lease_cases[0]);
	size_t np = sizeof(prefix_cases) / sizeof(prefix_cases[0]);
	char big[PS_REQ_MAX_LEN + 2];
	struct ps_req r;
	int fails = 0, ret;

	printf("TAP version 13\n1..%zu\n", n + nf + nl + np + 2);
	for (i = 0; i < n; i++) {
		const struct tcase *c = &cases[i];
		int ok;

		ret = ps_req_parse(c->in, c->len, &r);
		ok = ret == c->want && (ret != 100 || check_fields(c, &r));
		if (!ok)
			fails++;
		printf("%sok %zu - '%.*s' -> %d (got %d)\n", ok ? "" : "not ",
		       i + 1, (int)strcspn(c->in, "\r\n"), c->in, c->want, ret);
	}
	/* exactly 512 bytes parse; 513 do not, even if the tail is CR/LF */
	memset(big, 'x', sizeof(big));
	memcpy(big, "ADD 10.0.0.5 427", 16);
	memset(big + 16, '\n', sizeof(big) - 16);
	ret = ps_req_parse(big, PS_REQ_MAX_LEN, &r);
	printf("%sok %zu - 512 bytes with trailing LF\n", ret == 100 ? "" : "not ", n + 1);
	fails += ret != 100;
	ret = ps_req_parse(big, PS_REQ_MAX_LEN + 1, &r);
	printf("%sok %zu - 513 bytes\n", ret == 304 ? "" : "not ", n + 2);
	fails += ret != 304;
	for (i = 0; i < nf; i++)
		fails += check_from(&from_cases[i], (unsigned int)(n + 3 + i));
	for (i = 0; i < nl; i++)
		fails += check_lease(&lease_cases[i],
				     (unsigned int)(n + nf + 3 + i));
	for (i = 0; i < np; i++)
		fails += check_prefix(&prefix_cases[i],
				      (unsigned int)(n + nf + nl + 3 + i));
	return fails ? 1 : 0;
}
