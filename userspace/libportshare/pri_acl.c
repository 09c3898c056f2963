// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Who may use the registration ports (DESIGN §7, docs/protocol.md §1.3),
 * as portshare.ko decides it: the host's own addresses and the networks of
 * the acl, of which those with third party may register other addresses and
 * those with verify must first answer a cookie (pri_verify.c); and
 * a per-source rate limit (an IPv4 address or an IPv6 /64, hashed into
 * 256 buckets), reg_burst requests at once and reg_rate per second after.
 * The prefix match is the module's own, shared/acl_match.c.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl_match.h"
#include "primary.h"

_Static_assert(PS_ACL_INET == PORTSHARE_FAMILY_INET, "acl_match.h families");
_Static_assert(PS_ACL_INET6 == PORTSHARE_FAMILY_INET6, "acl_match.h families");

#define OWN_REFRESH_NS	2000000000LL
#define NSEC		1000000000LL

/* CLOCK_MONOTONIC in ns: rate limits and leases (pri_lease.c) */
int64_t pri_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int portshare_primary_acl_add(struct portshare_primary *pri,
			      const struct portshare_addr *net,
			      unsigned int prefix_len, bool third_party)
{
	return portshare_primary_acl_add_flags(pri, net, prefix_len,
					       third_party ?
					       PORTSHARE_ACL_F_THIRD_PARTY : 0);
}

int portshare_primary_acl_add_flags(struct portshare_primary *pri,
				    const struct portshare_addr *net,
				    unsigned int prefix_len, unsigned int flags)
{
	struct pri_acl *e = &pri->acl[pri->nacl];
	unsigned int max;

	if (net->family == PORTSHARE_FAMILY_INET)
		max = 32;
	else if (net->family == PORTSHARE_FAMILY_INET6)
		max = 128;
	else
		return PORTSHARE_E_INVALID;
	if (prefix_len > max || (flags & ~(unsigned int)PORTSHARE_ACL_F_ALL))
		return PORTSHARE_E_INVALID;
	if (!ps_acl_net_valid(net->family, net->addr, prefix_len))
		return PORTSHARE_E_HOST_BITS;
	if (pri->nacl == PORTSHARE_PRIMARY_MAX_ACL)
		return PORTSHARE_E_TABLE_FULL;
	e->net = *net;
	e->prefix = (uint8_t)prefix_len;
	e->flags = (uint8_t)flags;
	pri->nacl++;
	return 0;
}

/* Append @a to the array @*list of @*n; false if out of memory. */
static bool addr_push(struct portshare_addr **list, unsigned int *n,
		      const struct portshare_addr *a)
{
	struct portshare_addr *grown;

	grown = realloc(*list, (*n + 1) * sizeof(**list));
	if (!grown)
		return false;
	*list = grown;
	grown[(*n)++] = *a;
	return true;
}

/*
 * The broadcast addresses of an IPv4 interface address, as the kernel's
 * local table has them: the one configured, and the subnet's highest
 * address for prefixes shorter than /31 (127.255.255.255 on lo too).
 */
static void broadcasts(const struct ifaddrs *i, struct portshare_addr **list,
		       unsigned int *n)
{
	const struct sockaddr_in *a = (const void *)i->ifa_addr;
	const struct sockaddr_in *m = (const void *)i->ifa_netmask;
	struct portshare_addr b = { .family = PORTSHARE_FAMILY_INET };
	uint32_t mask, bc;

	if ((i->ifa_flags & IFF_BROADCAST) && i->ifa_broadaddr &&
	    i->ifa_broadaddr->sa_family == AF_INET) {
		portshare_addr_from_sockaddr(i->ifa_broadaddr, &b, NULL);
		addr_push(list, n, &b);
	}
	if (!m)
		return;
	mask = ntohl(m->sin_addr.s_addr);
	if (mask == 0xffffffffu || mask == 0xfffffffeu)
		return;
	b.family = PORTSHARE_FAMILY_INET;
	bc = htonl(ntohl(a->sin_addr.s_addr) | ~mask);
	memcpy(b.addr, &bc, 4);
	addr_push(list, n, &b);
}

static void own_refresh(struct portshare_primary *pri)
{
	struct portshare_addr *own = NULL, *bcast = NULL, a;
	unsigned int count = 0, nbcast = 0;
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa))
		return;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET &&
				     i->ifa_addr->sa_family != AF_INET6))
			continue;
		portshare_addr_from_sockaddr(i->ifa_addr, &a, NULL);
		if (!addr_push(&own, &count, &a))
			break;
		if (i->ifa_addr->sa_family == AF_INET)
			broadcasts(i, &bcast, &nbcast);
	}
	freeifaddrs(ifa);
	free(pri->own);
	free(pri->bcast);
	pri->own = own;
	pri->nown = count;
	pri->bcast = bcast;
	pri->nbcast = nbcast;
	pri->own_stamp = pri_mono_ns();
}

static bool is_loopback(const struct portshare_addr *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	if (a->family == PORTSHARE_FAMILY_INET)
		return a->addr[0] == 127;
	return !memcmp(a->addr, v6lo, 16);
}

/* Is @a in one of the lists own_refresh() keeps, refreshed when stale? */
static bool in_own_list(struct portshare_primary *pri,
			struct portshare_addr *const *list,
			const unsigned int *n, const struct portshare_addr *a)
{
	unsigned int i;

	if (pri_mono_ns() - pri->own_stamp > OWN_REFRESH_NS)
		own_refresh(pri);
	for (i = 0; i < *n; i++)
		if (portshare_addr_equal(&(*list)[i], a))
			return true;
	return false;
}

/**
 * pri_is_local() - is @a one of the host's addresses?
 * @pri: the primary; the address list is refreshed every 2 s when it is asked
 * @a: the address
 *
 * Return: true for loopback and the addresses of every interface.
 */
bool pri_is_local(struct portshare_primary *pri, const struct portshare_addr *a)
{
	return is_loopback(a) || in_own_list(pri, &pri->own, &pri->nown, a);
}

/**
 * pri_is_broadcast() - is @a a broadcast address of the host's networks?
 * @pri: the primary; the address list is refreshed as for pri_is_local()
 * @a: the address
 *
 * Return: true for the broadcast address of one of the host's IPv4
 * interface addresses (portshare.ko asks the kernel's local table).
 */
bool pri_is_broadcast(struct portshare_primary *pri,
		      const struct portshare_addr *a)
{
	return a->family == PORTSHARE_FAMILY_INET &&
	       in_own_list(pri, &pri->bcast, &pri->nbcast, a);
}

/**
 * pri_acl_allows() - may @src send requests, and with what flags?
 * @pri: the primary
 * @src: the request's source address
 * @flags: set to the PORTSHARE_ACL_F_* of every entry @src matches, OR-ed
 *	as by portshare.ko: third party (it may name addresses other than
 *	its own), verify (it must answer a cookie first)
 *
 * Return: true if @src is local or in the acl.
 */
bool pri_acl_allows(struct portshare_primary *pri,
		    const struct portshare_addr *src, unsigned int *flags)
{
	bool allowed = pri_is_local(pri, src);
	unsigned int i;

	*flags = 0;
	for (i = 0; i < pri->nacl; i++) {
		if (!ps_acl_match(pri->acl[i].net.family, pri->acl[i].net.addr,
				  pri->acl[i].prefix, src->family, src->addr))
			continue;
		allowed = true;
		*flags |= pri->acl[i].flags;
	}
	return allowed;
}

/* Loopback (127.0.0.0/8 and ::1) is one source, as in portshare.ko. */
static unsigned int bucket(const struct portshare_addr *a)
{
	static const struct portshare_addr lo = {
		.family = PORTSHARE_FAMILY_INET, .addr = { 127, 0, 0, 1 },
	};
	size_t n, i;
	uint32_t h;

	if (is_loopback(a))
		a = &lo;
	n = a->family == PORTSHARE_FAMILY_INET ? 4 : 8;
	h = 2166136261u ^ a->family;
	for (i = 0; i < n; i++)
		h = (h ^ a->addr[i]) * 16777619u;
	return h % PRI_RL_BUCKETS;
}

/**
 * pri_rate_allows() - charge one request to @src's bucket
 * @pri: the primary
 * @src: the source address
 *
 * Return: true if the request is within the rate (always with rate 0).
 */
bool pri_rate_allows(struct portshare_primary *pri,
		     const struct portshare_addr *src)
{
	if (!pri->opts.reg_rate)
		return true;
	return pri_gcra(&pri->rl_tat[bucket(src)], pri_mono_ns(),
			NSEC / pri->opts.reg_rate, pri->opts.reg_burst);
}
