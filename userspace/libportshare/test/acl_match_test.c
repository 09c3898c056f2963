// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The acl's prefix match (shared/acl_match.c, in portshare.ko and psd),
 * exhaustively, against a reference of its own: an address is a 128-bit
 * integer (IPv4 in the top 32 bits) and the prefix a mask of the top bits,
 * so the match is ((net ^ addr) & mask) == 0, with no byte arithmetic in
 * common with the code under test.
 *
 * For every prefix length of both families (IPv4 /0 to /32, IPv6 /0 to
 * /128), for networks at random and at both ends of the address space:
 * the network's first and last address match, the addresses just below
 * the first and just above the last do not, and 3,000 more addresses
 * (any, inside, and one network bit away) get the reference's answer.
 * Then the entry check (host bits), and families: an IPv4-mapped IPv6
 * source against IPv4 entries and the reverse match nothing
 * (portshare(7)).  Prints TAP; the random seed is fixed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl_match.h"
#include "tap.h"

typedef unsigned __int128 u128;

#define RANDOM_EACH	1000	/* per kind of random address and length */
#define NETS_EACH	3	/* networks per prefix length */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: fixed seed, so a failure repeats. */
static uint64_t rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static u128 rnd128(void)
{
	return (u128)rnd64() << 64 | rnd64();
}

/* The family's addresses: the top @bits bits of a u128. */
struct fam {
	const char *name;
	u8 family;
	unsigned int bits;
};

static const struct fam V4 = { "IPv4", PS_ACL_INET, 32 };
static const struct fam V6 = { "IPv6", PS_ACL_INET6, 128 };

/* The top @len bits set. */
static u128 top_mask(unsigned int len)
{
	return len ? ~(u128)0 << (128 - len) : 0;
}

/* The reference: the top @len bits of @net and @addr are equal. */
static bool ref_match(u128 net, unsigned int len, u128 addr)
{
	return !((net ^ addr) & top_mask(len));
}

/* @a as the bytes acl_match.c takes: network order, IPv4 first 4. */
static void to_bytes(const struct fam *f, u128 a, u8 out[16])
{
	unsigned int i;

	memset(out, 0, 16);
	for (i = 0; i < f->bits / 8; i++)
		out[i] = (u8)(a >> (120 - 8 * i));
}

static bool impl_match(const struct fam *f, u128 net, unsigned int len,
		       u128 addr)
{
	u8 n[16], a[16];

	to_bytes(f, net, n);
	to_bytes(f, addr, a);
	return ps_acl_match(f->family, n, len, f->family, a);
}

static int nbad;

/* One address against one network: the implementation agrees with the
 * reference (and with @want, unless it is -1). */
static void one(const struct fam *f, u128 net, unsigned int len, u128 addr,
		int want, const char *what)
{
	bool ref = ref_match(net, len, addr), got = impl_match(f, net, len, addr);
	u8 n[16], a[16];
	int i;

	if (got == ref && (want < 0 || ref == want))
		return;
	if (nbad++ >= 5)
		return;
	to_bytes(f, net, n);
	to_bytes(f, addr, a);
	printf("#   %s /%u, %s: got %d, reference %d, want %d\n#   net  ",
	       f->name, len, what, got, ref, want);
	for (i = 0; i < (int)f->bits / 8; i++)
		printf("%02x", n[i]);
	printf("\n#   addr ");
	for (i = 0; i < (int)f->bits / 8; i++)
		printf("%02x", a[i]);
	printf("\n");
}

/* A network of prefix @len: random, all zeros or all ones (k = 0, 1, 2). */
static u128 network(const struct fam *f, unsigned int len, int k)
{
	u128 n = k == 0 ? 0 : k == 1 ? ~(u128)0 : rnd128();

	return n & top_mask(len) & top_mask(f->bits);
}

/* The edges of @net/@len: first and last inside, the neighbours outside. */
static void edges(const struct fam *f, u128 net, unsigned int len)
{
	u128 unit = (u128)1 << (128 - f->bits);	/* one address */
	u128 first = net, last = net | (~top_mask(len) & top_mask(f->bits));

	one(f, net, len, first, 1, "first address");
	one(f, net, len, last, 1, "last address");
	if (first)
		one(f, net, len, first - unit, 0, "just below the first");
	if (last != top_mask(f->bits))
		one(f, net, len, last + unit, 0, "just above the last");
}

/* Random addresses: any; inside (random host bits); one network bit off. */
static void randoms(const struct fam *f, u128 net, unsigned int len)
{
	u128 width = top_mask(f->bits), a;
	int i;

	for (i = 0; i < RANDOM_EACH; i++) {
		one(f, net, len, rnd128() & width, -1, "a random address");
		a = net | (rnd128() & ~top_mask(len) & width);
		one(f, net, len, a, 1, "a random address inside");
		if (!len)
			continue;
		a ^= (u128)1 << (127 - rnd64() % len);
		one(f, net, len, a, 0, "one network bit off");
	}
}

static void test_family(const struct fam *f)
{
	unsigned int len;
	int k;

	nbad = 0;
	for (len = 0; len <= f->bits; len++)
		for (k = 0; k < NETS_EACH; k++)
			edges(f, network(f, len, k), len);
	OK(!nbad, "%s, every prefix /0 to /%u: first and last address match, "
	   "just below and just above do not", f->name, f->bits);
	nbad = 0;
	for (len = 0; len <= f->bits; len++)
		for (k = 0; k < NETS_EACH; k++)
			randoms(f, network(f, len, k), len);
	OK(!nbad, "%s, every prefix: %d random addresses each (any, inside, "
	   "one network bit off) as the reference says", f->name,
	   3 * RANDOM_EACH * NETS_EACH);
}

/* Host bits: the network itself is valid, with any one host bit set not. */
static void test_valid(const struct fam *f)
{
	unsigned int len, bit;
	u8 n[16];
	u128 net;

	nbad = 0;
	for (len = 0; len <= f->bits; len++) {
		net = network(f, len, 2);
		to_bytes(f, net, n);
		if (!ps_acl_net_valid(f->family, n, len))
			nbad++;
		for (bit = len; bit < f->bits; bit++) {
			to_bytes(f, net | (u128)1 << (127 - bit), n);
			if (ps_acl_net_valid(f->family, n, len))
				nbad++;
		}
		if (ps_acl_net_valid(f->family, n, f->bits + 1))
			nbad++;
	}
	OK(!nbad, "%s entries: valid without host bits, invalid with any one "
	   "set or a prefix longer than /%u (%d wrong)", f->name, f->bits,
	   nbad);
}

static void test_families(void)
{
	static const u8 v4net[16] = { 10, 1, 2, 0 };
	static const u8 v4src[16] = { 10, 1, 2, 3 };
	static const u8 mapped_net[16] = { [10] = 0xff, [11] = 0xff, 10, 1, 2 };
	static const u8 mapped_src[16] = { [10] = 0xff, [11] = 0xff, 10, 1, 2, 3 };
	static const u8 zero[16];

	OK(ps_acl_match(PS_ACL_INET, v4net, 24, PS_ACL_INET, v4src) &&
	   !ps_acl_match(PS_ACL_INET, v4net, 24, PS_ACL_INET6, mapped_src) &&
	   !ps_acl_match(PS_ACL_INET, zero, 0, PS_ACL_INET6, mapped_src),
	   "an IPv4-mapped IPv6 source (::ffff:10.1.2.3) matches no IPv4 "
	   "entry, /0 included");
	OK(ps_acl_match(PS_ACL_INET6, mapped_net, 120, PS_ACL_INET6, mapped_src) &&
	   !ps_acl_match(PS_ACL_INET6, mapped_net, 120, PS_ACL_INET, v4src) &&
	   !ps_acl_match(PS_ACL_INET6, mapped_net, 96, PS_ACL_INET, v4src) &&
	   !ps_acl_match(PS_ACL_INET6, zero, 0, PS_ACL_INET, v4src),
	   "an IPv4 source (10.1.2.3) matches no IPv6 entry, ::ffff:10.1.2.0/120, "
	   "::ffff:0:0/96 and ::/0 included");
	OK(!ps_acl_match(0, zero, 0, 0, zero) &&
	   !ps_acl_match(PS_ACL_INET, v4net, 33, PS_ACL_INET, v4net) &&
	   !ps_acl_match(PS_ACL_INET6, zero, 129, PS_ACL_INET6, zero) &&
	   !ps_acl_net_valid(0, zero, 0),
	   "an unknown family or a prefix longer than the address matches "
	   "nothing");
}

/* A source filter is any of its prefixes; no prefix at all admits all. */
static void test_from(void)
{
	static const struct ps_prefix from[] = {
		{ PS_ACL_INET, 24, { 192, 0, 2 } },
		{ PS_ACL_INET6, 16, { 0xfd, 0x00 } },
		{ PS_ACL_INET, 32, { 10, 9, 8, 7 } },
	};
	static const u8 in24[16] = { 192, 0, 2, 200 }, out24[16] = { 192, 0, 3 };
	static const u8 host[16] = { 10, 9, 8, 7 }, near[16] = { 10, 9, 8, 6 };
	static const u8 v6in[16] = { 0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				     0, 0, 0, 5 };
	static const u8 v6out[16] = { 0xfd, 0x01 };

	OK(ps_from_admits(from, 0, PS_ACL_INET, out24) &&
	   ps_from_admits(NULL, 0, PS_ACL_INET6, v6out),
	   "no from prefixes: every source is admitted");
	OK(ps_from_admits(from, 3, PS_ACL_INET, in24) &&
	   ps_from_admits(from, 3, PS_ACL_INET, host) &&
	   ps_from_admits(from, 3, PS_ACL_INET6, v6in),
	   "a source in any one of three prefixes is admitted");
	OK(!ps_from_admits(from, 3, PS_ACL_INET, out24) &&
	   !ps_from_admits(from, 3, PS_ACL_INET, near) &&
	   !ps_from_admits(from, 3, PS_ACL_INET6, v6out) &&
	   !ps_from_admits(from, 2, PS_ACL_INET, host),
	   "a source in none of them is not, nor one in a prefix past n");
}

int main(void)
{
	printf("TAP version 13\n");
	test_family(&V4);
	test_family(&V6);
	test_valid(&V4);
	test_valid(&V6);
	test_families();
	test_from();
	return tap_done();
}
