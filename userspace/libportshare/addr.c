// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * struct portshare_addr: text and socket-address conversions; and
 * struct portshare_prefix, a source filter's network, checked as the
 * shared parser checks the wire's from= (shared/request.c).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "acl_match.h"
#include "portshare.h"
#include "primary.h"
#include "request.h"		/* ps_req_parse_prefix() */

int portshare_addr_parse(const char *text, struct portshare_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, text, addr->addr) == 1) {
		addr->family = PORTSHARE_FAMILY_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, addr->addr) == 1) {
		addr->family = PORTSHARE_FAMILY_INET6;
		return 0;
	}
	memset(addr, 0, sizeof(*addr));
	return PORTSHARE_E_INVALID_ADDRESS;
}

int portshare_addr_format(const struct portshare_addr *addr, char *buf,
			  size_t size)
{
	char tmp[INET6_ADDRSTRLEN];
	int af;
	size_t n;

	if (addr->family == PORTSHARE_FAMILY_INET)
		af = AF_INET;
	else if (addr->family == PORTSHARE_FAMILY_INET6)
		af = AF_INET6;
	else
		return PORTSHARE_E_INVALID;
	if (!inet_ntop(af, addr->addr, tmp, sizeof(tmp)))
		return PORTSHARE_E_INVALID;
	n = strlen(tmp);
	if (n >= size)
		return PORTSHARE_E_NO_SPACE;
	memcpy(buf, tmp, n + 1);
	return (int)n;
}

int portshare_addr_from_sockaddr(const struct sockaddr *sa,
				 struct portshare_addr *addr, uint16_t *port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	memset(addr, 0, sizeof(*addr));
	if (sa->sa_family == AF_INET) {
		addr->family = PORTSHARE_FAMILY_INET;
		memcpy(addr->addr, &sin->sin_addr, 4);
		if (port)
			*port = ntohs(sin->sin_port);
		return 0;
	}
	if (sa->sa_family != AF_INET6)
		return PORTSHARE_E_INVALID;
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		addr->family = PORTSHARE_FAMILY_INET;
		memcpy(addr->addr, sin6->sin6_addr.s6_addr + 12, 4);
	} else {
		addr->family = PORTSHARE_FAMILY_INET6;
		memcpy(addr->addr, &sin6->sin6_addr, 16);
	}
	if (port)
		*port = ntohs(sin6->sin6_port);
	return 0;
}

int portshare_addr_to_sockaddr(const struct portshare_addr *addr,
			       uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (addr->family == PORTSHARE_FAMILY_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr->addr, 4);
		return (int)sizeof(*sin);
	}
	if (addr->family != PORTSHARE_FAMILY_INET6)
		return PORTSHARE_E_INVALID;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, addr->addr, 16);
	return (int)sizeof(*sin6);
}

bool portshare_addr_equal(const struct portshare_addr *a,
			  const struct portshare_addr *b)
{
	size_t n = a->family == PORTSHARE_FAMILY_INET ? 4 : 16;

	return a->family == b->family && !memcmp(a->addr, b->addr, n);
}

uint16_t portshare_default_reg_port(uint16_t port)
{
	if (!port || port > 65535 - PORTSHARE_REG_PORT_OFFSET)
		return 0;
	return (uint16_t)(port + PORTSHARE_REG_PORT_OFFSET);
}

/**
 * pri_prefix_check() - is @p a network a source filter may name?
 * @p: the prefix
 *
 * Return: 0; PORTSHARE_E_INVALID for a family other than INET or INET6 or
 * a length beyond it; PORTSHARE_E_HOST_BITS for bits set after @p->len
 * (the wire's from= refuses them as well, with 306).
 */
int pri_prefix_check(const struct portshare_prefix *p)
{
	unsigned int bits = p->net.family == PORTSHARE_FAMILY_INET ? 32 : 128;

	if ((p->net.family != PORTSHARE_FAMILY_INET &&
	     p->net.family != PORTSHARE_FAMILY_INET6) || p->len > bits)
		return PORTSHARE_E_INVALID;
	if (!ps_acl_net_valid(p->net.family, p->net.addr, p->len))
		return PORTSHARE_E_HOST_BITS;
	return 0;
}

/**
 * pri_prefixes_check() - is @from, @n prefixes, a source filter?
 * @from: the prefixes; may be NULL if @n is 0
 * @n: how many
 *
 * The one check of a caller's filter, so that the codec, the secondary
 * and the primary API refuse alike what the wire's from= refuses.
 *
 * Return: 0; PORTSHARE_E_INVALID for more than PORTSHARE_FROM_MAX or a
 * NULL @from with @n; else the first of pri_prefix_check()'s errors.
 */
int pri_prefixes_check(const struct portshare_prefix *from, size_t n)
{
	size_t i;
	int err;

	if (n > PORTSHARE_FROM_MAX || (n && !from))
		return PORTSHARE_E_INVALID;
	for (i = 0; i < n; i++) {
		err = pri_prefix_check(&from[i]);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The shared parser's grammar (shared/request.c), so that a filter given
 * here is one the wire takes; its one "no" is split into the errors this
 * API reports: the address alone, then the length, then the host bits.
 */
int portshare_prefix_parse(const char *text, struct portshare_prefix *p)
{
	size_t n = strlen(text), alen = strcspn(text, "/");
	struct ps_prefix sp;

	memset(p, 0, sizeof(*p));
	/* ADDR without /LEN is a whole host: it parses iff ADDR does */
	if (!ps_req_parse_prefix(text, alen, &sp))
		return PORTSHARE_E_INVALID_ADDRESS;
	if (!ps_req_parse_prefix(text, n, &sp))
		return PORTSHARE_E_INVALID;
	p->net.family = sp.family;
	memcpy(p->net.addr, sp.addr, sizeof(p->net.addr));
	p->len = sp.len;
	return pri_prefix_check(p);
}
