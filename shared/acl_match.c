// SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1+
/*
 * Prefix matching shared by both primaries (acl_match.h): the
 * registration acl's and the secondaries' source filters'.  Addresses are
 * bytes in network order, IPv4 in the first 4; the prefix is compared
 * whole bytes first, then the leading bits of the next byte, so no shift
 * is ever as wide as its operand (/0, /32 and /128 included).
 *
 * An entry matches only addresses of its own family: an IPv4-mapped IPv6
 * source (::ffff:a.b.c.d) is IPv6 and no IPv4 entry matches it, and no
 * IPv6 entry (::ffff:0:0/96 included) matches an IPv4 source
 * (portshare(7)).
 */

#include "acl_match.h"

/* The width of @family's addresses in bits, 0 for no family we know. */
static unsigned int family_bits(u8 family)
{
	if (family == PS_ACL_INET)
		return 32;
	if (family == PS_ACL_INET6)
		return 128;
	return 0;
}

/* Do the first @len bits of @a and @b agree? */
static bool prefix_equal(const u8 *a, const u8 *b, unsigned int len)
{
	unsigned int i, full = len / 8, rest = len % 8;
	u8 mask;

	for (i = 0; i < full; i++)
		if (a[i] != b[i])
			return false;
	if (!rest)
		return true;
	mask = (u8)(0xff << (8 - rest));
	return !((a[full] ^ b[full]) & mask);
}

/**
 * ps_acl_net_valid() - is this a network an acl entry may name?
 * @family: PS_ACL_INET or PS_ACL_INET6
 * @net: the address
 * @prefix_len: its prefix length
 *
 * As in "ip route": 10.0.0.0/8, not 10.1.2.3/8.
 *
 * Return: true if @family is known, @prefix_len fits it and every bit of
 * @net after the prefix is zero.
 */
bool ps_acl_net_valid(u8 family, const u8 *net, unsigned int prefix_len)
{
	unsigned int bits = family_bits(family), i;

	if (!bits || prefix_len > bits)
		return false;
	for (i = prefix_len; i < bits; i++)
		if (net[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

/**
 * ps_acl_match() - is @addr in the network @net/@prefix_len?
 * @net_family: the entry's family, PS_ACL_INET or PS_ACL_INET6
 * @net: the entry's network address
 * @prefix_len: its prefix length: 0 matches the whole family
 * @family: the source address's family
 * @addr: the source address
 *
 * Return: true if the families are the same and the first @prefix_len
 * bits of @addr are those of @net; false for an unknown family or a
 * prefix longer than the family's addresses.
 */
bool ps_acl_match(u8 net_family, const u8 *net, unsigned int prefix_len,
		  u8 family, const u8 *addr)
{
	unsigned int bits = family_bits(net_family);

	if (!bits || family != net_family || prefix_len > bits)
		return false;
	return prefix_equal(net, addr, prefix_len);
}

/**
 * ps_from_admits() - does a source filter let a datagram through?
 * @from: the secondary's prefixes
 * @n: how many; 0 is no filter
 * @family: the datagram's source family, PS_ACL_INET or PS_ACL_INET6
 * @addr: its source address
 *
 * Families match as in ps_acl_match(): an IPv4 prefix never admits an
 * IPv4-mapped IPv6 source.
 *
 * Return: true if @n is 0 or @addr is in one of the prefixes.
 */
bool ps_from_admits(const struct ps_prefix *from, unsigned int n,
		    u8 family, const u8 *addr)
{
	unsigned int i;

	if (!n)
		return true;
	for (i = 0; i < n; i++)
		if (ps_acl_match(from[i].family, from[i].addr, from[i].len,
				 family, addr))
			return true;
	return false;
}
