// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Who owns a local UDP socket, from /proc/net/udp and /proc/net/udp6 (a
 * dropped-privilege psd can read them): the registration port's rules for
 * copies to this host's own sockets need it (kmod/reglocal.c asks the
 * kernel's socket table instead).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "primary.h"

/* "0100007F:1F90": the address as the kernel printed its 32-bit words. */
static bool parse_local(const char *field, size_t words, uint8_t *addr,
			uint16_t *port)
{
	unsigned int p;
	uint32_t w;
	size_t i;
	char hex[9];

	for (i = 0; i < words; i++) {
		memcpy(hex, field + 8 * i, 8);
		hex[8] = '\0';
		if (sscanf(hex, "%" SCNx32, &w) != 1)
			return false;
		memcpy(addr + 4 * i, &w, 4);	/* the kernel's byte order */
	}
	if (field[8 * words] != ':' ||
	    sscanf(field + 8 * words + 1, "%x", &p) != 1)
		return false;
	*port = (uint16_t)p;
	return true;
}

static bool is_zero(const uint8_t *a, size_t n)
{
	while (n--)
		if (*a++)
			return false;
	return true;
}

/* 3: bound to @a exactly, 2: the IPv4 address mapped, 1: the wildcard. */
static int match(const struct portshare_addr *a, bool v6, const uint8_t *b)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (!v6) {
		if (a->family != PORTSHARE_FAMILY_INET)
			return 0;
		return !memcmp(b, a->addr, 4) ? 3 : is_zero(b, 4) ? 1 : 0;
	}
	if (a->family == PORTSHARE_FAMILY_INET6)
		return !memcmp(b, a->addr, 16) ? 3 : is_zero(b, 16) ? 1 : 0;
	/* a dual-stack socket receives IPv4 too */
	if (!memcmp(b, mapped, 12) && !memcmp(b + 12, a->addr, 4))
		return 2;
	return is_zero(b, 16) ? 1 : 0;
}

/* The best match in one table: its score, and the owner in @uid. */
static int scan(const char *path, bool v6, const struct portshare_addr *a,
		uint16_t port, unsigned long *uid)
{
	char line[512], local[64];
	unsigned long u;
	uint8_t b[16];
	uint16_t p;
	int best = 0, m;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*s %63s %*s %*s %*s %*s %*s %lu", local,
			   &u) != 2 ||
		    !parse_local(local, v6 ? 4 : 1, b, &p) || p != port)
			continue;
		m = match(a, v6, b);
		if (m > best) {
			best = m;
			*uid = u;
		}
	}
	fclose(f);
	return best;
}

/**
 * pri_udp_owner() - the user owning the UDP socket that receives at @a:@port
 * @a: a local address
 * @port: the port
 * @uid: set to its owner (as this process's user namespace sees it)
 *
 * A socket bound to @a wins over one bound to the wildcard address.
 *
 * Return: true if there is such a socket.
 */
bool pri_udp_owner(const struct portshare_addr *a, uint16_t port,
		   unsigned long *uid)
{
	unsigned long u4 = 0, u6 = 0;
	int m4, m6;

	m4 = scan("/proc/net/udp", false, a, port, &u4);
	m6 = scan("/proc/net/udp6", true, a, port, &u6);
	if (!m4 && !m6)
		return false;
	*uid = m4 >= m6 ? u4 : u6;
	return true;
}
