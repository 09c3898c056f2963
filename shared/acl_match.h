/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1+ */
/*
 * The registration acl's match (DESIGN §7, portshare(7) SECURITY): is a
 * request's source address in an entry's network, and is an entry a
 * network at all?  Pure C like request.c: acl_match.c includes only this
 * header, so the same file builds into portshare.ko and into libportshare
 * (psd), and its host-side test checks it against an independent
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

bool ps_acl_net_valid(u8 family, const u8 *net, unsigned int prefix_len);
bool ps_acl_match(u8 net_family, const u8 *net, unsigned int prefix_len,
		  u8 family, const u8 *addr);

#endif /* _PORTSHARE_ACL_MATCH_H */
