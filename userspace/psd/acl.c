// SPDX-License-Identifier: GPL-2.0
/*
 * Who may use the registration ports (DESIGN §7, docs/protocol.md §1.3),
 * as portshare.ko decides it: the host's own addresses and the networks of
 * -a, of which those with ",third-party" may register other addresses; and
 * a per-source rate limit (an IPv4 address or an IPv6 /64, hashed into
 * 256 buckets), reg_burst requests at once and reg_rate per second after.
 */
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "psd.h"

#define OWN_REFRESH_NS	2000000000LL
#define NSEC		1000000000ULL

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool prefix_match(const struct portshare_addr *net, unsigned int len,
			 const struct portshare_addr *a)
{
	unsigned int full = len / 8, rest = len % 8;
	uint8_t mask;

	if (net->family != a->family || memcmp(net->addr, a->addr, full))
		return false;
	if (!rest)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (net->addr[full] & mask) == (a->addr[full] & mask);
}

/**
 * psd_acl_add() - allow a network: "ADDR[/LEN][,third-party]"
 * @d: psd
 * @spec: the network; host bits must be zero
 *
 * Return: 0, or -1 with the reason logged.
 */
int psd_acl_add(struct psd *d, const char *spec)
{
	char buf[128], *slash, *comma, *end;
	struct psd_acl e = { 0 };
	unsigned long len;
	unsigned int max;

	if (strlen(spec) >= sizeof(buf) || d->nacl == PSD_ACL_MAX)
		goto bad;
	strcpy(buf, spec);
	comma = strchr(buf, ',');
	if (comma) {
		*comma++ = '\0';
		if (strcmp(comma, "third-party"))
			goto bad;
		e.third_party = true;
	}
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (portshare_addr_parse(buf, &e.net))
		goto bad;
	max = e.net.family == PORTSHARE_FAMILY_INET ? 32 : 128;
	len = max;
	if (slash) {
		len = strtoul(slash, &end, 10);
		if (!*slash || *end || len > max)
			goto bad;
	}
	e.prefix = (uint8_t)len;
	{
		struct portshare_addr masked = { .family = e.net.family };

		memcpy(masked.addr, e.net.addr, len / 8);
		if (len % 8)
			masked.addr[len / 8] = e.net.addr[len / 8] &
					      (uint8_t)(0xff << (8 - len % 8));
		if (!portshare_addr_equal(&masked, &e.net)) {
			psd_log("acl %s: host bits set", spec);
			return -1;
		}
	}
	d->acl[d->nacl++] = e;
	return 0;
bad:
	psd_log("acl '%s': give ADDR[/LEN][,third-party]", spec);
	return -1;
}

static void own_refresh(struct psd *d)
{
	struct ifaddrs *ifa, *i;
	struct portshare_addr *own = NULL, *n;
	unsigned int count = 0;

	if (getifaddrs(&ifa))
		return;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET &&
				     i->ifa_addr->sa_family != AF_INET6))
			continue;
		n = realloc(own, (count + 1) * sizeof(*own));
		if (!n)
			break;
		own = n;
		portshare_addr_from_sockaddr(i->ifa_addr, &own[count++], NULL);
	}
	freeifaddrs(ifa);
	free(d->own);
	d->own = own;
	d->nown = count;
	d->own_stamp = mono_ns();
}

static bool is_loopback(const struct portshare_addr *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	if (a->family == PORTSHARE_FAMILY_INET)
		return a->addr[0] == 127;
	return !memcmp(a->addr, v6lo, 16);
}

/**
 * psd_is_local() - is @a one of the host's addresses?
 * @d: psd; the address list is refreshed every 2 s when it is asked
 * @a: the address
 *
 * Return: true for loopback and the addresses of every interface.
 */
bool psd_is_local(struct psd *d, const struct portshare_addr *a)
{
	unsigned int i;

	if (is_loopback(a))
		return true;
	if (mono_ns() - d->own_stamp > OWN_REFRESH_NS)
		own_refresh(d);
	for (i = 0; i < d->nown; i++)
		if (portshare_addr_equal(&d->own[i], a))
			return true;
	return false;
}

/**
 * psd_acl_allows() - may @src send requests, and for others?
 * @d: psd
 * @src: the request's source address
 * @third_party: set if it may name addresses other than its own
 *
 * Return: true if @src is local or in the acl.
 */
bool psd_acl_allows(struct psd *d, const struct portshare_addr *src,
		    bool *third_party)
{
	bool allowed = psd_is_local(d, src);
	unsigned int i;

	*third_party = false;
	for (i = 0; i < d->nacl; i++) {
		if (!prefix_match(&d->acl[i].net, d->acl[i].prefix, src))
			continue;
		allowed = true;
		*third_party |= d->acl[i].third_party;
	}
	return allowed;
}

static unsigned int bucket(const struct portshare_addr *a)
{
	size_t n = a->family == PORTSHARE_FAMILY_INET ? 4 : 8, i;
	uint32_t h = 2166136261u ^ a->family;

	for (i = 0; i < n; i++)
		h = (h ^ a->addr[i]) * 16777619u;
	return h % PSD_RL_BUCKETS;
}

/**
 * psd_rate_allows() - charge one request to @src's bucket
 * @d: psd
 * @src: the source address
 *
 * Return: true if the request is within the rate (always with rate 0).
 */
bool psd_rate_allows(struct psd *d, const struct portshare_addr *src)
{
	uint64_t now = (uint64_t)mono_ns(), interval, *tat;

	if (!d->reg_rate)
		return true;
	interval = NSEC / d->reg_rate;
	tat = &d->rl_tat[bucket(src)];
	if (*tat < now)
		*tat = now;
	if (*tat - now > interval * (d->reg_burst - 1))
		return false;
	*tat += interval;
	return true;
}
