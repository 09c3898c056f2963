/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1+ */
/*
 * Prefix matching: the registration acl's (DESIGN §7, portshare(7)
 * SECURITY: is a request's source address in an entry's network, and is an
 * entry a network at all?) and a secondary's source filter (DESIGN §9:
 * is a datagram's source in one of the secondary's from prefixes?).
 * Pure C like request.c: acl_match.c includes only this header, so the
 * same file builds into portshare.ko and into libportshare (psd), and its
 * host-side test checks it against an independent
 * reference (userspace/libportshare/test/acl_match_test.c).
 */
#ifndef _PORTSHARE_ACL_MATCH_H
#define _PORTSHARE_ACL_MATCH_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "ps_types.h"
#endif

/* Address families, as in the copy header (PORTSHARE_FAMILY_*). */
#define PS_ACL_INET	4
#define PS_ACL_INET6	6

/* A secondary's source filter has at most this many prefixes. */
#define PS_FROM_MAX	8

/**
 * struct ps_prefix - one network of a source filter
 * @family: PS_ACL_INET or PS_ACL_INET6
 * @len: the prefix length, 0..32 or 0..128
 * @addr: the network, in network byte order; IPv4 in the first 4 bytes;
 *	every bit after @len is zero (ps_acl_net_valid())
 */
struct ps_prefix {
	u8 family;
	u8 len;
	u8 addr[16];
};

bool ps_acl_net_valid(u8 family, const u8 *net, unsigned int prefix_len);
bool ps_acl_match(u8 net_family, const u8 *net, unsigned int prefix_len,
		  u8 family, const u8 *addr);
bool ps_from_admits(const struct ps_prefix *from, unsigned int n,
		    u8 family, const u8 *addr);

#endif /* _PORTSHARE_ACL_MATCH_H */
