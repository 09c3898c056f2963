/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The registration port (DESIGN §3, §7): the per-port in-kernel UDP
 * sockets, the request queue and its worker, the acl, the per-source rate
 * limit, SHUTDOWN and the cookies of "102 VERIFY".  Included by
 * portshare.h, which defines the structs these functions take.
 *
 * Life of a request: portshare_reg_encap_rcv() (softirq) checks the acl
 * and the rate limit (ps_reg_admit()), notes the addresses in skb->cb and
 * queues a copy on the namespace's queue; the namespace's work item parses
 * and answers it in process context under portshare_net.lock (regqueue.c,
 * register.c).  The rules are shared/reg_rules.c's.
 */
#ifndef _PORTSHARE_REG_H
#define _PORTSHARE_REG_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

struct netlink_ext_ack;
struct portshare_net;
struct portshare_port;
struct portshare_sec_cfg;
struct ps_req;
struct sock;
union portshare_addr;

#define PORTSHARE_RL_SLOTS	256	/* rate limit buckets per namespace */
#define PORTSHARE_ACL_MAX	256	/* acl entries per namespace */

/**
 * struct portshare_ratelimit - per-source request budgets (GCRA)
 * @seed: hash seed, random per namespace
 * @tat: per hash slot, the theoretical arrival time in ns of the next
 *	request; sources whose hashes collide share a slot
 */
struct portshare_ratelimit {
	u32 seed;
	atomic64_t tat[PORTSHARE_RL_SLOTS];
};

/**
 * struct portshare_reg_net - the registration state of a namespace
 * @queue: requests waiting for @work, at most PORTSHARE_REG_QUEUE_LEN
 * @work: answers the requests on @queue in process context
 * @rl: per-source rate limit
 * @acl: who may send requests; RCU readers, portshare_net.lock writers
 * @cookie_key: the key of the cookies of "102 VERIFY" (cookie.c)
 */
struct portshare_reg_net {
	struct sk_buff_head queue;
	struct work_struct work;
	struct portshare_ratelimit rl;
	struct portshare_acl __rcu *acl;
	siphash_key_t cookie_key;
};

/* Per-port counters of the registration port (PORTSHARE_STAT_REG_*). */
enum portshare_reg_counter {
	PS_REG_REQUESTS,	/* datagrams received */
	PS_REG_OK,		/* answered 100 OK */
	PS_REG_ERRORS,		/* answered with an error code */
	PS_REG_DENIED,		/* ignored: the acl does not allow the source */
	PS_REG_RATE_LIMITED,	/* ignored: over the source's rate */
	PS_REG_NOT_PERMITTED,	/* answered 400 (also counted in ERRORS) */
	PS_REG_LIST_FULL,	/* answered 401 (also counted in ERRORS) */
	PS_REG_IGNORED,		/* ignored: silent, queue full, looped */
	PS_REG_SEND_ERRORS,	/* a reply or SHUTDOWN the stack refused */
	PS_REG_VERIFY,		/* answered 102 VERIFY */
	PS_REG_NR_COUNTERS,
};

/**
 * struct portshare_reg_stats - per-CPU counters of a registration port
 * @c: enum portshare_reg_counter
 * @syncp: u64_stats synchronisation
 */
struct portshare_reg_stats {
	u64_stats_t c[PS_REG_NR_COUNTERS];
	struct u64_stats_sync syncp;
};

/**
 * struct portshare_reg - the registration port of a contested port
 * @sock4: IPv4 socket bound to the registration port
 * @sock6: IPv6-only socket bound to it, NULL without IPv6
 * @stats: per-CPU counters
 * @attached: per socket (4, 6), its sk_user_data still points at the port
 *
 * Opened before the port is linked, detached and closed before it is
 * freed, all in process context under portshare_net.lock.
 */
struct portshare_reg {
	struct socket *sock4;
	struct socket *sock6;
	struct portshare_reg_stats __percpu *stats;
	bool attached[2];
};

/* What reg_encap_rcv() found out, in skb->cb (flags: PS_REG_F_*). */
#define PS_REG_F_ALLOWED	BIT(0)	/* the source may send requests */
#define PS_REG_F_LOCAL		BIT(1)	/* the source is one of our addresses */
#define PS_REG_F_THIRD_PARTY	BIT(2)	/* ... and register other addresses */
#define PS_REG_F_VERIFY		BIT(3)	/* ... once it proved its address */

/**
 * struct portshare_reg_req - the envelope of a request datagram
 * @saddr: the request's source address, where the reply goes
 * @daddr: the local address it was sent to: the primary address
 * @sport: its source port
 * @reg_port: the registration port it was sent to
 * @ifindex: the interface it arrived on
 * @family: AF_INET or AF_INET6
 * @flags: PS_REG_F_*
 */
struct portshare_reg_req {
	struct in6_addr saddr;
	struct in6_addr daddr;
	__be16 sport;
	u16 reg_port;
	int ifindex;
	u8 family;
	u8 flags;
};

/* regqueue.c */

void portshare_reg_net_init(struct portshare_net *pn);
void portshare_reg_net_exit(struct portshare_net *pn);
int portshare_reg_encap_rcv(struct sock *sk, struct sk_buff *skb);

/* regsock.c */

int portshare_reg_open(struct portshare_net *pn, struct portshare_port *p,
		       struct netlink_ext_ack *extack);
bool portshare_reg_detach(struct portshare_port *p);
void portshare_reg_close(struct portshare_port *p);
void portshare_reg_count(const struct portshare_port *p,
			 enum portshare_reg_counter c);
void portshare_reg_read_stats(const struct portshare_port *p, u64 *out);
int portshare_reg_route_src(struct portshare_net *pn,
			    const struct portshare_port *p, u16 family,
			    const union portshare_addr *dst, struct in6_addr *src);
int portshare_reg_send(const struct portshare_port *p, u8 family,
		       const struct in6_addr *src, const struct in6_addr *dst,
		       __be16 dport, int ifindex, const char *buf, size_t len);

/* reglocal.c */

int portshare_reg_local_check(struct portshare_net *pn,
			      const struct portshare_reg_req *rq,
			      const struct portshare_sec_cfg *cfg);

/* register.c */

void portshare_register_handle(struct portshare_net *pn,
			       struct portshare_port *p,
			       const struct portshare_reg_req *rq,
			       const char *buf, size_t len);

/* shutdown.c */

void portshare_reg_shutdown(struct portshare_net *pn,
			    struct portshare_port *p);

/* acl.c */

/**
 * struct portshare_acl_entry - networks allowed to send requests
 * @addr: the network address, host bits zero
 * @family: AF_INET or AF_INET6
 * @prefix_len: 0..32 or 0..128
 * @flags: PORTSHARE_ACL_F_*
 */
struct portshare_acl_entry {
	struct in6_addr addr;
	u8 family;
	u8 prefix_len;
	u32 flags;
};

int portshare_acl_add(struct portshare_net *pn,
		      const struct portshare_acl_entry *e,
		      struct netlink_ext_ack *extack);
int portshare_acl_del(struct portshare_net *pn,
		      const struct portshare_acl_entry *e,
		      struct netlink_ext_ack *extack);
const struct portshare_acl_entry *portshare_acl_get(struct portshare_net *pn,
						    u32 idx);
u8 portshare_acl_check(struct portshare_net *pn, const struct sk_buff *skb,
		       u8 family, const struct in6_addr *saddr);
void portshare_acl_free(struct portshare_net *pn);

/* cookie.c */

void portshare_cookie_init(siphash_key_t *key);
u64 portshare_cookie(const siphash_key_t *key,
		     const struct portshare_reg_req *rq,
		     const struct ps_req *req);
bool portshare_cookie_valid(const siphash_key_t *key,
			    const struct portshare_reg_req *rq,
			    const struct ps_req *req);

/* ratelimit.c */

bool portshare_gcra_allow(atomic64_t *tat, u64 now, u64 interval,
			  u64 tolerance);
void portshare_rl_init(struct portshare_ratelimit *rl);
bool portshare_rl_allow(struct portshare_ratelimit *rl, u8 family,
			const struct in6_addr *saddr);

#endif /* _PORTSHARE_REG_H */
