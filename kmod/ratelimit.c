// SPDX-License-Identifier: GPL-2.0
/*
 * Rate limits as a generic cell rate algorithm: a token bucket kept as one
 * timestamp, the theoretical arrival time of the next event, updated
 * lockless.  Used by a secondary's rate cap (copy.c) and by the
 * per-source rate limit of registration requests (DESIGN §7), one GCRA
 * per hash slot.  Sources are IPv4 addresses or IPv6 /64 prefixes, and loopback
 * (127.0.0.0/8 and ::1) is one source: a local process can send from any
 * 127/8 address, and would otherwise get 2^24 budgets.  Memory is fixed
 * (PORTSHARE_RL_SLOTS slots per namespace) and updates are lockless.
 */

#include "portshare.h"

#include <linux/jhash.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/socket.h>
#include <net/ipv6.h>

#define RL_LIMIT	1000000

static unsigned int reg_rate = 10;
module_param(reg_rate, uint, 0644);
MODULE_PARM_DESC(reg_rate,
		 "registration requests per second per source (IPv4 address or IPv6 /64), 0 = unlimited (default 10)");

static unsigned int reg_burst = 20;
module_param(reg_burst, uint, 0644);
MODULE_PARM_DESC(reg_burst,
		 "registration requests a source may send at once (default 20)");

/**
 * portshare_gcra_allow() - may one more event happen now?
 * @tat: the theoretical arrival time of the next event, in ns; 0 at first
 * @now: now, in ns of the clock @tat counts in
 * @interval: ns between two events at the rate
 * @tolerance: how far ahead of @now @tat may be: (burst - 1) * @interval
 *
 * Any context; concurrent callers each take their own event.
 *
 * Return: true, and the event is taken, if it is within the rate.
 */
bool portshare_gcra_allow(atomic64_t *tat, u64 now, u64 interval,
			  u64 tolerance)
{
	s64 old = atomic64_read(tat);
	u64 next;

	do {
		next = max_t(u64, old, now);
		if (next - now > tolerance)
			return false;
	} while (!atomic64_try_cmpxchg(tat, &old, next + interval));
	return true;
}

/**
 * portshare_rl_init() - give every source its full burst
 * @rl: the rate limit of a new namespace
 */
void portshare_rl_init(struct portshare_ratelimit *rl)
{
	int i;

	rl->seed = get_random_u32();
	for (i = 0; i < PORTSHARE_RL_SLOTS; i++)
		atomic64_set(&rl->tat[i], 0);
}

static atomic64_t *rl_slot(struct portshare_ratelimit *rl, u8 family,
			   const struct in6_addr *saddr)
{
	u32 h;

	if (family == AF_INET ? ipv4_is_loopback(saddr->s6_addr32[0]) :
				ipv6_addr_loopback(saddr))
		h = jhash_1word(INADDR_LOOPBACK, rl->seed);
	else if (family == AF_INET)
		h = jhash_1word((__force u32)saddr->s6_addr32[0], rl->seed);
	else
		h = jhash_2words((__force u32)saddr->s6_addr32[0],
				 (__force u32)saddr->s6_addr32[1], ~rl->seed);
	return &rl->tat[h % PORTSHARE_RL_SLOTS];
}

/**
 * portshare_rl_allow() - may this source send a request now?
 * @rl: the namespace's rate limit
 * @family: AF_INET or AF_INET6
 * @saddr: the source address
 *
 * Any context.  A source gets reg_burst requests at once and reg_rate
 * per second after that.
 *
 * Return: true if the request is within the source's rate.
 */
bool portshare_rl_allow(struct portshare_ratelimit *rl, u8 family,
			const struct in6_addr *saddr)
{
	unsigned int rate = min(READ_ONCE(reg_rate), RL_LIMIT);
	unsigned int burst = clamp(READ_ONCE(reg_burst), 1U, RL_LIMIT);
	u64 interval;

	if (!rate)
		return true;
	interval = NSEC_PER_SEC / rate;
	return portshare_gcra_allow(rl_slot(rl, family, saddr), ktime_get_ns(),
				    interval, interval * (burst - 1));
}
