/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portshare internals: per-namespace tables of contested ports and their
 * distribution lists, shared by the control plane and the data path.
 *
 * Locking: every change holds portshare_net.lock.  The data path reads
 * under rcu_read_lock(): test_bit() on portshare_net.designated, then
 * portshare_port_find(), then list_for_each_entry_rcu() on the port's
 * secondaries.  Unlinked objects are freed after a grace period.
 */
#ifndef _PORTSHARE_H
#define _PORTSHARE_H

#include <linux/hashtable.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/portshare.h>

#include "reg.h"

#define PORTSHARE_NR_PORTS	65536
#define PORTSHARE_HASH_BITS	6

/* pernet.c */

/**
 * struct portshare_net - portshare state of one network namespace
 * @lock: serialises every change and every dump
 * @generation: bumped on every change, for consistent dumps; @lock
 * @ports: designated ports sorted by number, for dumps; @lock
 * @port_hash: designated ports by number; RCU readers, @lock writers
 * @designated: bit N set while port N is designated; test_bit() under RCU
 * @net: the namespace this state belongs to
 * @hook_users: allocated ports, each holding the hooks (hook.c); @lock
 * @reg: the registration sockets' queue, acl and rate limit (regsock.c)
 */
struct portshare_net {
	struct mutex lock; /* serialises changes and dumps */
	u32 generation;
	struct list_head ports;
	DECLARE_HASHTABLE(port_hash, PORTSHARE_HASH_BITS);
	DECLARE_BITMAP(designated, PORTSHARE_NR_PORTS);
	struct net *net;
	unsigned int hook_users;
	struct portshare_reg_net reg;
};

extern unsigned int portshare_net_id;

static inline struct portshare_net *portshare_net(const struct net *net)
{
	return net_generic(net, portshare_net_id);
}

int portshare_pernet_register(void);
void portshare_pernet_unregister(void);

/* port.c */

/**
 * enum portshare_port_err - why a datagram to a contested port was not shared
 * @PS_PORT_ERR_CSUM: its UDP checksum is wrong
 * @PS_PORT_ERR_MALFORMED: its UDP length is wrong, or it is an IPv6
 *	fragment that was not reassembled
 * @PS_PORT_ERR_GSO: a GSO packet of a type that cannot be split
 * @PS_PORT_ERR_LOOP: it is a portshare encap copy, or it arrived while this
 *	CPU was sending a copy
 * @PS_PORT_ERR_MAX: number of reasons
 *
 * In the order of PORTSHARE_STAT_PORT_ERR_CSUM and its successors.
 */
enum portshare_port_err {
	PS_PORT_ERR_CSUM,
	PS_PORT_ERR_MALFORMED,
	PS_PORT_ERR_GSO,
	PS_PORT_ERR_LOOP,
	PS_PORT_ERR_MAX,
};

/**
 * struct portshare_port_stats - per-CPU counters of a contested port
 * @rx: datagrams seen on the port
 * @shared: datagrams shared with at least one secondary
 * @err: datagrams not shared, by enum portshare_port_err
 * @syncp: u64_stats synchronisation
 */
struct portshare_port_stats {
	u64_stats_t rx;
	u64_stats_t shared;
	u64_stats_t err[PS_PORT_ERR_MAX];
	struct u64_stats_sync syncp;
};

/**
 * struct portshare_port_totals - a port's counters summed over all CPUs
 * @rx: see struct portshare_port_stats
 * @shared: see struct portshare_port_stats
 * @err: see struct portshare_port_stats
 */
struct portshare_port_totals {
	u64 rx;
	u64 shared;
	u64 err[PS_PORT_ERR_MAX];
};

/**
 * struct portshare_port - a contested (designated) port
 * @hnode: entry in portshare_net.port_hash
 * @node: entry in portshare_net.ports
 * @port: the contested port; immutable
 * @reg_port: the registration port, 0 if @reg_off; immutable
 * @reg_off: no registration port; immutable
 * @max_secondaries: cap on @num_secondaries; immutable
 * @num_secondaries: length of @secondaries; written under the lock
 * @secondaries: the distribution list in insertion order; RCU list
 * @stats: per-CPU counters
 * @reg: the registration sockets, unless @reg_off (regsock.c)
 * @rcu: frees the port after a grace period
 */
struct portshare_port {
	struct hlist_node hnode;
	struct list_head node;
	u16 port;
	u16 reg_port;
	bool reg_off;
	u32 max_secondaries;
	u32 num_secondaries;
	struct list_head secondaries;
	struct portshare_port_stats __percpu *stats;
	struct portshare_reg reg;
	struct rcu_head rcu;
};

/**
 * struct portshare_port_cfg - what a designation asks for
 * @port: the contested port
 * @reg_port: the registration port, 0 if none (see @reg_off)
 * @reg_off: no registration port
 * @max_secondaries: cap on the distribution list
 */
struct portshare_port_cfg {
	u16 port;
	u16 reg_port;
	bool reg_off;
	u32 max_secondaries;
};

void portshare_port_cfg_init(struct portshare_port_cfg *cfg, u16 port);
struct portshare_port *portshare_port_find(struct portshare_net *pn, u16 port);
int portshare_port_check(struct portshare_net *pn,
			 const struct portshare_port_cfg *cfg,
			 struct netlink_ext_ack *extack);
struct portshare_port *portshare_port_alloc(struct portshare_net *pn,
					    const struct portshare_port_cfg *cfg,
					    struct netlink_ext_ack *extack);
void portshare_port_free(struct portshare_net *pn, struct portshare_port *p);
void portshare_port_link(struct portshare_net *pn, struct portshare_port *p,
			 enum portshare_reason reason);
int portshare_port_designate(struct portshare_net *pn,
			     const struct portshare_port_cfg *cfg,
			     enum portshare_reason reason,
			     struct netlink_ext_ack *extack);
void portshare_port_shutdown(struct portshare_net *pn,
			     struct portshare_port *p);
void portshare_port_undesignate(struct portshare_net *pn,
				struct portshare_port *p,
				enum portshare_reason reason);
void portshare_port_read_stats(const struct portshare_port *p,
			       struct portshare_port_totals *t);

/* secondary.c */

/**
 * union portshare_addr - a secondary's address
 * @v4: IPv4 address, when the family is AF_INET
 * @v6: IPv6 address, when the family is AF_INET6
 */
union portshare_addr {
	struct in_addr v4;
	struct in6_addr v6;
};

/**
 * enum portshare_sec_drop - why a copy for a secondary was not sent
 * @PS_SEC_DROP_NOMEM: no memory for the copy
 * @PS_SEC_DROP_NOROUTE: no route to the secondary
 * @PS_SEC_DROP_XMIT: the output path refused it (netfilter, qdisc, device)
 * @PS_SEC_DROP_FAMILY: transparent mode cannot put an IPv6 sender's
 *	address on an IPv4 copy
 * @PS_SEC_DROP_TOOBIG: the copy would exceed the largest IP datagram
 * @PS_SEC_DROP_MAX: number of reasons
 *
 * In the order of PORTSHARE_STAT_SEC_DROP_NOMEM and its successors.
 */
enum portshare_sec_drop {
	PS_SEC_DROP_NOMEM,
	PS_SEC_DROP_NOROUTE,
	PS_SEC_DROP_XMIT,
	PS_SEC_DROP_FAMILY,
	PS_SEC_DROP_TOOBIG,
	PS_SEC_DROP_MAX,
};

/**
 * struct portshare_sec_stats - per-CPU counters of a secondary
 * @copies: copies sent
 * @bytes: payload bytes sent (the original's, without the encap header)
 * @sampled: datagrams skipped by sampling
 * @drop: copies not sent, by enum portshare_sec_drop
 * @syncp: u64_stats synchronisation
 */
struct portshare_sec_stats {
	u64_stats_t copies;
	u64_stats_t bytes;
	u64_stats_t sampled;
	u64_stats_t drop[PS_SEC_DROP_MAX];
	struct u64_stats_sync syncp;
};

/**
 * struct portshare_sec_totals - a secondary's counters summed over all CPUs
 * @copies: see struct portshare_sec_stats
 * @bytes: see struct portshare_sec_stats
 * @sampled: see struct portshare_sec_stats
 * @drop: see struct portshare_sec_stats
 */
struct portshare_sec_totals {
	u64 copies;
	u64 bytes;
	u64 sampled;
	u64 drop[PS_SEC_DROP_MAX];
};

/**
 * struct portshare_secondary - one entry of a port's distribution list
 * @node: entry in portshare_port.secondaries (RCU)
 * @family: AF_INET or AF_INET6
 * @addr: where copies go, with @data_port
 * @data_port: the secondary's data port
 * @mode: enum portshare_mode
 * @sample: deliver one datagram in @sample
 * @src: the primary address: the source of copies (except transparent
 *	ones) and of SHUTDOWN; all zero lets routing choose.  A registration
 *	over the wire sets it to the one its "100 OK" names: the address the
 *	request was sent to, or for a third party routing's choice
 *	(register.c).
 * @seq: sequence number of the next copy (encap header); data path
 * @sample_count: datagrams seen, for sampling; data path
 * @stats: per-CPU counters
 * @rcu: frees the secondary after a grace period
 *
 * (@family, @addr, @data_port) is unique within one port; every field but
 * @node, @seq, @sample_count and @stats is immutable.
 */
struct portshare_secondary {
	struct list_head node;
	u16 family;
	union portshare_addr addr;
	u16 data_port;
	u8 mode;
	u32 sample;
	union portshare_addr src;
	atomic_t seq;
	atomic_t sample_count;
	struct portshare_sec_stats __percpu *stats;
	struct rcu_head rcu;
};

/**
 * struct portshare_sec_cfg - what a secondary registration asks for
 * @family: AF_INET or AF_INET6
 * @addr: the secondary's address
 * @data_port: the secondary's data port
 * @mode: enum portshare_mode
 * @sample: deliver one datagram in @sample
 * @src: the primary address, or all zero
 */
struct portshare_sec_cfg {
	u16 family;
	union portshare_addr addr;
	u16 data_port;
	u8 mode;
	u32 sample;
	union portshare_addr src;
};

struct portshare_secondary *portshare_sec_find(struct portshare_net *pn,
					       struct portshare_port *p,
					       const struct portshare_sec_cfg *cfg);
struct portshare_port *portshare_sec_data_port_user(struct portshare_net *pn,
						    u16 data_port);
int portshare_sec_check(struct portshare_net *pn, struct portshare_port *p,
			const struct portshare_sec_cfg *cfg,
			struct netlink_ext_ack *extack);
struct portshare_secondary *portshare_sec_alloc(const struct portshare_sec_cfg *cfg);
void portshare_sec_link(struct portshare_net *pn, struct portshare_port *p,
			struct portshare_secondary *s,
			enum portshare_reason reason);
void portshare_sec_unlink(struct portshare_net *pn, struct portshare_port *p,
			  struct portshare_secondary *s,
			  enum portshare_reason reason);
int portshare_sec_drop(struct portshare_net *pn, struct portshare_port *p,
		       const struct portshare_sec_cfg *cfg,
		       enum portshare_reason reason,
		       struct netlink_ext_ack *extack);
void portshare_sec_read_stats(const struct portshare_secondary *s,
			      struct portshare_sec_totals *t);

/* netlink.c */

int portshare_genl_register(void);
void portshare_genl_unregister(void);
void portshare_nl_port_event(struct portshare_net *pn,
			     const struct portshare_port *p, u8 cmd,
			     enum portshare_reason reason, gfp_t gfp);
void portshare_nl_sec_event(struct portshare_net *pn,
			    const struct portshare_port *p,
			    const struct portshare_secondary *s, u8 cmd,
			    enum portshare_reason reason, gfp_t gfp);
void portshare_nl_shutdown_event(struct portshare_net *pn,
				 const struct portshare_port *p, gfp_t gfp);

/*
 * PS_SET_ERR() - set a formatted extack message (at most 79 characters)
 * and point the extack at @attr, which may be NULL.  Kernels before 6.2
 * cannot format into the extack: netlink.c provides a fallback.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define ps_extack_fmt(extack, fmt, args...) NL_SET_ERR_MSG_FMT(extack, fmt, ##args)
#else
__printf(2, 3)
void portshare_extack_fmt(struct netlink_ext_ack *extack, const char *fmt, ...);
#define ps_extack_fmt portshare_extack_fmt
#endif

#define PS_SET_ERR(extack, attr, fmt, args...) do {	\
	struct netlink_ext_ack *__ps_extack = (extack);	\
							\
	NL_SET_BAD_ATTR(__ps_extack, attr);		\
	ps_extack_fmt(__ps_extack, fmt, ##args);	\
} while (0)

struct sk_buff;
struct udphdr;

/* hook.c */

int portshare_hook_get(struct portshare_net *pn);
void portshare_hook_put(struct portshare_net *pn);

/* share.c */

/**
 * struct portshare_dgram - one datagram to share, as its application sees it
 * @skb: the original; only read
 * @offset: where the UDP payload starts in @skb
 * @len: payload bytes
 * @family: AF_INET or AF_INET6: how the original arrived
 * @saddr: the original sender's address
 * @sport: the original sender's port
 * @tstamp: when it was received, ns since the epoch (CLOCK_REALTIME)
 */
struct portshare_dgram {
	const struct sk_buff *skb;
	unsigned int offset;
	unsigned int len;
	u16 family;
	union portshare_addr saddr;
	__be16 sport;
	u64 tstamp;
};

void portshare_share_skb(struct portshare_net *pn, struct sk_buff *skb,
			 unsigned int uoff, const struct udphdr *uh, u8 family,
			 bool frag);

/* copy.c */

bool portshare_copy(struct net *net, const struct portshare_port *p,
		    struct portshare_secondary *s,
		    const struct portshare_dgram *d);

/* xmit.c */

bool portshare_xmit_nested(void);
int portshare_xmit4(struct net *net, struct sk_buff *skb, __be32 src,
		    __be32 dst, __be16 sport, __be16 dport);
int portshare_xmit6(struct net *net, struct sk_buff *skb,
		    const struct in6_addr *src, const struct in6_addr *dst,
		    __be16 sport, __be16 dport);

/* params.c */

extern unsigned int portshare_max_secondaries;

int portshare_params_check(void);
int portshare_params_apply(struct net *net);

#endif /* _PORTSHARE_H */
