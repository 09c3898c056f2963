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
#include <linux/workqueue.h>
#include <net/dst_cache.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/portshare.h>

#include "acl_match.h"

#include "reg.h"

#define PORTSHARE_NR_PORTS	65536
#define PORTSHARE_HASH_BITS	6

/* pernet.c */

struct mem_cgroup;

/**
 * struct portshare_net - portshare state of one network namespace
 * @lock: serialises every change and every dump
 * @generation: bumped on every change, for consistent dumps; @lock
 * @ports: designated ports sorted by number, for dumps; @lock
 * @port_hash: designated ports by number; RCU readers, @lock writers
 * @reg_hash: designated ports with a registration port, by that port;
 *	RCU readers, @lock writers
 * @designated: bit N set while port N is designated; test_bit() under RCU
 * @net: the namespace this state belongs to
 * @memcg: charged for what wire registrations allocate: the memory
 *	cgroup of the task that first used portshare in the namespace
 * @num_ports: designated ports, against portshare_max_ports; @lock
 * @num_secondaries: secondaries of all ports, against
 *	portshare_max_total_secondaries; @lock
 * @dying: undesignated ports waiting for portshare_port_reap(); @lock
 * @reap_work: runs portshare_port_reap()
 * @hook_users: allocated ports, each holding the hooks (hook.c); @lock
 * @lease_work: drops the secondaries whose lease ran out (lease.c)
 * @lease_next: when @lease_work is due, in jiffies; 0 if not queued; @lock
 * @health_work: announces dead secondaries, revives and drops them
 *	(health.c)
 * @reg: the registration sockets' queue, acl and rate limit (regsock.c)
 *
 * Allocated when the namespace first uses portshare (portshare_net_get()),
 * charged to that task's memory cgroup, freed with the namespace.
 */
struct portshare_net {
	struct mutex lock; /* serialises changes and dumps */
	u32 generation;
	struct list_head ports;
	DECLARE_HASHTABLE(port_hash, PORTSHARE_HASH_BITS);
	DECLARE_HASHTABLE(reg_hash, PORTSHARE_HASH_BITS);
	DECLARE_BITMAP(designated, PORTSHARE_NR_PORTS);
	struct net *net;
	struct mem_cgroup *memcg;
	unsigned int num_ports;
	unsigned int num_secondaries;
	struct list_head dying;
	struct work_struct reap_work;
	unsigned int hook_users;
	struct delayed_work lease_work;
	u64 lease_next;
	struct delayed_work health_work;
	struct portshare_reg_net reg;
};

/**
 * struct portshare_net_slot - what every namespace has of portshare
 * @pn: its state, NULL until it first uses portshare; set once, with
 *	release semantics, and freed only with the namespace
 */
struct portshare_net_slot {
	struct portshare_net *pn;
};

extern unsigned int portshare_net_id;

/**
 * portshare_net() - a namespace's portshare state, if it has any
 * @net: the namespace
 *
 * Any context.  Never NULL where a port of @net is known to exist (its
 * hooks and sockets exist only with the state).
 *
 * Return: the state, or NULL if @net never used portshare.
 */
static inline struct portshare_net *portshare_net(const struct net *net)
{
	struct portshare_net_slot *slot = net_generic(net, portshare_net_id);

	/* pairs with the release in portshare_net_get() */
	return smp_load_acquire(&slot->pn);
}

struct portshare_net *portshare_net_get(struct net *net);
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
 * struct portshare_limits - how fast and how far a secondary's copies go
 * @rate: copies per second, 0: uncapped
 * @burst: copies it may get at once, with @rate
 * @ttl: the copies' TTL or hop limit, 0: the route's
 *
 * A port's apply to the secondaries that register over the wire
 * (register.c, ps_rate_granted()); each secondary has its own.
 */
struct portshare_limits {
	u32 rate;
	u32 burst;
	u8 ttl;
};

/**
 * struct portshare_dead_cfg - when a port's secondaries are dead (health.c)
 * @errors: errors within @period that make a secondary dead; 0: never
 * @period: seconds: the window of @errors and the interval of probes
 * @hold: seconds a secondary registered over the wire may stay dead
 *	before it is dropped; 0: for ever
 */
struct portshare_dead_cfg {
	u32 errors;
	u32 period;
	u32 hold;
};

/**
 * struct portshare_port - a contested (designated) port
 * @hnode: entry in portshare_net.port_hash
 * @reg_hnode: entry in portshare_net.reg_hash, unless @reg_off
 * @node: entry in portshare_net.ports, then in portshare_net.dying
 * @port: the contested port; immutable
 * @reg_port: the registration port, 0 if @reg_off; immutable
 * @reg_off: no registration port; immutable
 * @max_secondaries: cap on @num_secondaries; immutable
 * @lease: the lease of secondaries registered over the wire, in seconds;
 *	0: none; immutable
 * @limits: the rate cap and TTL of secondaries registered over the wire;
 *	immutable
 * @dead: dead-secondary detection of its secondaries; immutable
 * @num_secondaries: length of @secondaries; written under the lock
 * @secondaries: the distribution list in insertion order; RCU list
 * @stats: per-CPU counters
 * @reg: the registration sockets, unless @reg_off (regsock.c)
 * @del_reason: why it was undesignated, for the PORT_DEL event
 * @rcu: frees the port after a grace period
 * @dgram_seq: datagrams shared so far; an encap copy's sequence number is
 *	this datagram's index minus the secondary's @seq_base (share.c).  On
 *	its own cache line: the one write per datagram.
 */
struct portshare_port {
	struct hlist_node hnode;
	struct hlist_node reg_hnode;
	struct list_head node;
	u16 port;
	u16 reg_port;
	bool reg_off;
	u32 max_secondaries;
	u32 lease;
	struct portshare_limits limits;
	struct portshare_dead_cfg dead;
	u32 num_secondaries;
	struct list_head secondaries;
	struct portshare_port_stats __percpu *stats;
	struct portshare_reg reg;
	u8 del_reason;
	struct rcu_head rcu;
	atomic_t dgram_seq ____cacheline_aligned_in_smp;
};

/**
 * struct portshare_nla - the attributes of a netlink request, if any
 * @port: PORTSHARE_A_PORT
 * @reg_port: PORTSHARE_A_REG_PORT
 * @addr: PORTSHARE_A_ADDR4 or PORTSHARE_A_ADDR6
 * @data_port: PORTSHARE_A_DATA_PORT
 *
 * A rejection points the extack at the attribute to blame (NULL ones, and
 * all of them for a request over the wire, point nowhere).
 */
struct portshare_nla {
	const struct nlattr *port;
	const struct nlattr *reg_port;
	const struct nlattr *addr;
	const struct nlattr *data_port;
};

/**
 * struct portshare_port_cfg - what a designation asks for
 * @port: the contested port
 * @reg_port: the registration port, 0 if none (see @reg_off)
 * @reg_off: no registration port
 * @max_secondaries: cap on the distribution list
 * @lease: see struct portshare_port
 * @limits: see struct portshare_port
 * @dead: see struct portshare_port
 * @nla: where in a netlink request each of these came from
 */
struct portshare_port_cfg {
	u16 port;
	u16 reg_port;
	bool reg_off;
	u32 max_secondaries;
	u32 lease;
	struct portshare_limits limits;
	struct portshare_dead_cfg dead;
	struct portshare_nla nla;
};

void portshare_port_cfg_init(struct portshare_port_cfg *cfg, u16 port);
struct portshare_port *portshare_port_find(struct portshare_net *pn, u16 port);
struct portshare_port *portshare_port_by_reg(struct portshare_net *pn,
					     u16 reg_port);
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
void portshare_port_reap(struct portshare_net *pn);
void portshare_port_settle(struct portshare_net *pn);
void portshare_port_net_init(struct portshare_net *pn);
void portshare_port_net_exit(struct portshare_net *pn);
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
 * @PS_SEC_DROP_RCVBUF: a local copy found the socket's receive buffer (or
 *	UDP's memory limit) full
 * @PS_SEC_DROP_NOSOCKET: a local copy found no socket on the data port
 * @PS_SEC_DROP_FILTER: the socket's filter (BPF, cgroup, LSM) refused a
 *	local copy
 * @PS_SEC_DROP_DEST: the secondary's address routes as neither unicast
 *	nor local (broadcast, multicast)
 * @PS_SEC_DROP_NOSRC: the primary address the copy would come from is no
 *	longer one of the host's
 * @PS_SEC_DROP_BUDGET: the datagram's copies had spent the port's byte
 *	budget (copy_budget)
 * @PS_SEC_DROP_RATELIMIT: the copy was over the secondary's rate cap
 * @PS_SEC_DROP_MAX: number of reasons
 *
 * portshare_sec_drop_stat[] maps them to PORTSHARE_STAT_SEC_DROP_*.
 */
enum portshare_sec_drop {
	PS_SEC_DROP_NOMEM,
	PS_SEC_DROP_NOROUTE,
	PS_SEC_DROP_XMIT,
	PS_SEC_DROP_FAMILY,
	PS_SEC_DROP_TOOBIG,
	PS_SEC_DROP_RCVBUF,
	PS_SEC_DROP_NOSOCKET,
	PS_SEC_DROP_FILTER,
	PS_SEC_DROP_DEST,
	PS_SEC_DROP_NOSRC,
	PS_SEC_DROP_BUDGET,
	PS_SEC_DROP_RATELIMIT,
	PS_SEC_DROP_MAX,
};

extern const u16 portshare_sec_drop_stat[PS_SEC_DROP_MAX];

/**
 * struct portshare_sec_stats - per-CPU counters of a secondary
 * @copies: copies sent
 * @bytes: payload bytes sent (the original's, without the encap header)
 * @sampled: datagrams skipped by sampling
 * @filtered: datagrams skipped by the source filter
 * @drop: copies not sent, by enum portshare_sec_drop
 * @icmp_errors: errors its copies drew (health.c)
 * @dead_skipped: datagrams not copied while it was dead
 * @probes: copies sent while it was dead, as probes
 * @syncp: u64_stats synchronisation
 */
struct portshare_sec_stats {
	u64_stats_t copies;
	u64_stats_t bytes;
	u64_stats_t sampled;
	u64_stats_t filtered;
	u64_stats_t drop[PS_SEC_DROP_MAX];
	u64_stats_t icmp_errors;
	u64_stats_t dead_skipped;
	u64_stats_t probes;
	struct u64_stats_sync syncp;
};

/**
 * struct portshare_sec_totals - a secondary's counters summed over all CPUs
 * @copies: see struct portshare_sec_stats
 * @bytes: see struct portshare_sec_stats
 * @sampled: see struct portshare_sec_stats
 * @filtered: see struct portshare_sec_stats
 * @drop: see struct portshare_sec_stats
 * @icmp_errors: see struct portshare_sec_stats
 * @dead_skipped: see struct portshare_sec_stats
 * @probes: see struct portshare_sec_stats
 */
struct portshare_sec_totals {
	u64 copies;
	u64 bytes;
	u64 sampled;
	u64 filtered;
	u64 drop[PS_SEC_DROP_MAX];
	u64 icmp_errors;
	u64 dead_skipped;
	u64 probes;
};

/**
 * struct portshare_health - whether a secondary's copies arrive (health.c)
 * @lock: serialises the fields below against each other, but for the
 *	data path's lockless reads of @state and its claims of a probe
 *	(@probe_due, @probe_sent, @verdict_due)
 * @state: enum portshare_state
 * @announced: the state the last SEC_STATE event gave; under
 *	portshare_net.lock
 * @window_errors: errors since @window_start
 * @window_start: when the window of errors began, in jiffies64
 * @dead_since: when it became dead, in jiffies64
 * @last_error: when its last error came, in jiffies64
 * @probe_due: while dead, when the next probe may go, in jiffies64
 * @probe_sent: when the last probe went, in jiffies64; stable while
 *	@verdict_due
 * @verdict_due: a probe went and its verdict is not taken yet; no other
 *	probe goes until it is
 */
struct portshare_health {
	spinlock_t lock; /* errors against state changes */
	u8 state;
	u8 announced;
	u32 window_errors;
	u64 window_start;
	u64 dead_since;
	u64 last_error;
	atomic64_t probe_due;
	u64 probe_sent;
	bool verdict_due;
};

/**
 * struct portshare_secondary - one entry of a port's distribution list
 * @node: entry in portshare_port.secondaries (RCU)
 * @family: AF_INET or AF_INET6
 * @addr: where copies go, with @data_port
 * @data_port: the secondary's data port
 * @mode: enum portshare_mode
 * @sample: deliver one datagram in @sample
 * @n_from: how many prefixes the source filter has; 0: none, every
 *	datagram is copied
 * @from: the source filter: only datagrams from these networks are copied
 * @src: the primary address: the source of copies (except transparent
 *	ones) and of SHUTDOWN; all zero lets routing choose.  A registration
 *	over the wire sets it to the one its "100 OK" names: the address the
 *	request was sent to, or for a third party routing's choice
 *	(register.c).
 * @seq_base: the port's dgram_seq when the secondary was linked: its
 *	first encap copy has sequence number 0
 * @lease: its lease in seconds, 0 if it has none
 * @expires: when the lease runs out, in jiffies, if it has one; an ADD
 *	refreshes it; control plane only, under portshare_net.lock
 * @limits: its rate cap and TTL
 * @hold: seconds it may stay dead before it is dropped; 0: for ever
 * @hold_is_ports: @hold is its port's, as for every wire registration:
 *	not reported as its own
 * @health: whether its copies arrive; dead secondaries get only probes
 * @rate_interval: with a rate cap, ns between two copies at the rate
 * @rate_tolerance: with a rate cap, how far ahead of now @rate_tat may be
 *	(the burst)
 * @stats: per-CPU counters
 * @dst_cache: per-CPU cache of the route to @addr (not for transparent
 *	copies, whose source changes with every datagram)
 * @rcu: frees the secondary after a grace period
 * @seq: sequence number of the next copy, for sampled (@sample > 1) and
 *	filtered (@n_from) secondaries only; data path
 * @sample_count: datagrams seen, for sampling; data path
 * @rate_tat: with a rate cap, when the next copy is due at the rate, in
 *	ns of ktime_get_ns() (a GCRA, ratelimit.c); data path
 *
 * (@family, @addr, @data_port) is unique within one port; every field but
 * @node, @expires, @seq, @sample_count, @rate_tat and the caches behind
 * @stats and @dst_cache is immutable.  A copy to an unsampled, uncapped
 * secondary writes nothing shared: @seq, @sample_count and @rate_tat, the
 * only shared writes, have their own cache line.
 */
struct portshare_secondary {
	struct list_head node;
	u16 family;
	union portshare_addr addr;
	u16 data_port;
	u8 mode;
	u32 sample;
	u8 n_from;
	struct ps_prefix from[PS_FROM_MAX];
	union portshare_addr src;
	u32 seq_base;
	u32 lease;
	u64 expires;
	struct portshare_limits limits;
	u32 hold;
	bool hold_is_ports;
	struct portshare_health health;
	u64 rate_interval;
	u64 rate_tolerance;
	struct portshare_sec_stats __percpu *stats;
	struct dst_cache dst_cache;
	struct rcu_head rcu;
	atomic_t seq ____cacheline_aligned_in_smp;
	atomic_t sample_count;
	atomic64_t rate_tat;
};

/* Count one in the counter at @offset of @s's stats on this CPU. */
static inline void portshare_sec_inc(struct portshare_secondary *s,
				     size_t offset)
{
	struct portshare_sec_stats *st = this_cpu_ptr(s->stats);

	u64_stats_update_begin(&st->syncp);
	u64_stats_inc((u64_stats_t *)((char *)st + offset));
	u64_stats_update_end(&st->syncp);
}

/*
 * PS_SEC_INC() - count one event in the per-CPU counter @field of a
 * secondary's struct portshare_sec_stats; BHs disabled.
 */
#define PS_SEC_INC(s, field) \
	portshare_sec_inc(s, offsetof(struct portshare_sec_stats, field))

/**
 * struct portshare_sec_cfg - what a secondary registration asks for
 * @family: AF_INET or AF_INET6
 * @addr: the secondary's address
 * @data_port: the secondary's data port
 * @mode: enum portshare_mode
 * @sample: deliver one datagram in @sample
 * @n_from: see struct portshare_secondary
 * @from: see struct portshare_secondary
 * @src: the primary address, or all zero
 * @lease: see struct portshare_secondary
 * @limits: see struct portshare_secondary
 * @hold: see struct portshare_secondary
 * @hold_is_ports: see struct portshare_secondary
 * @nla: where in a netlink request each of these came from
 */
struct portshare_sec_cfg {
	u16 family;
	union portshare_addr addr;
	u16 data_port;
	u8 mode;
	u32 sample;
	u8 n_from;
	struct ps_prefix from[PS_FROM_MAX];
	union portshare_addr src;
	u32 lease;
	struct portshare_limits limits;
	u32 hold;
	bool hold_is_ports;
	struct portshare_nla nla;
};

struct portshare_secondary *portshare_sec_find(struct portshare_net *pn,
					       struct portshare_port *p,
					       const struct portshare_sec_cfg *cfg);
struct portshare_port *portshare_sec_data_port_user(struct portshare_net *pn,
						    u16 data_port);
int portshare_sec_refusal(struct portshare_net *pn, struct portshare_port *p,
			  const struct portshare_sec_cfg *cfg,
			  struct netlink_ext_ack *extack);
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
bool portshare_sec_rate_allow(struct portshare_secondary *s);

/* lease.c */

void portshare_lease_start(struct portshare_net *pn,
			   struct portshare_secondary *s);
void portshare_lease_refresh(struct portshare_secondary *s);
u32 portshare_lease_left(const struct portshare_secondary *s);
void portshare_lease_net_init(struct portshare_net *pn);
void portshare_lease_net_exit(struct portshare_net *pn);

/* health.c */

void portshare_health_init(struct portshare_secondary *s);
void portshare_health_error(struct portshare_net *pn,
			    const struct portshare_port *p,
			    struct portshare_secondary *s);
void portshare_health_icmp(struct net *net, u16 family, __be16 sport,
			   const union portshare_addr *daddr, __be16 dport);
bool portshare_health_probe(const struct portshare_port *p,
			    struct portshare_secondary *s);
void portshare_health_probe_lost(struct portshare_secondary *s);
u32 portshare_health_dead_for(const struct portshare_secondary *s);
void portshare_health_net_init(struct portshare_net *pn);
void portshare_health_net_exit(struct portshare_net *pn);

/* secaddr.c */

int portshare_sec_addr_check(struct portshare_net *pn,
			     const struct portshare_sec_cfg *cfg,
			     struct netlink_ext_ack *extack);
bool portshare_addr_is_local(struct net *net, u16 family,
			     const union portshare_addr *addr);
bool portshare_sec_loops(struct portshare_net *pn, u16 family,
			 const union portshare_addr *addr, u8 mode);

/* nl_family.c, nl_event.c */

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
void portshare_nl_state_event(struct portshare_net *pn,
			      const struct portshare_port *p,
			      const struct portshare_secondary *s);

/*
 * PS_SET_ERR() - set a formatted extack message (at most 79 characters)
 * and point the extack at @attr, which may be NULL.  Kernels before 6.2
 * cannot format into the extack: nl_family.c provides a fallback.
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

/* icmp.c */

unsigned int portshare_icmp4(struct net *net, struct sk_buff *skb);
unsigned int portshare_icmp6(struct net *net, struct sk_buff *skb,
			     unsigned int off);

/* payload.c */

/* The payload of the largest UDP datagram, in pages. */
#define PS_PAYLOAD_CHUNKS	DIV_ROUND_UP(U16_MAX, PAGE_SIZE)

/**
 * struct portshare_payload - a datagram's payload, shared by its copies
 * @chunk: page fragments of at most PAGE_SIZE bytes holding the payload
 * @nr: chunks in use; 0 until a copy first needs them
 * @failed: building them failed: the datagram's copies are not made
 */
struct portshare_payload {
	void *chunk[PS_PAYLOAD_CHUNKS];
	u8 nr;
	bool failed;
};

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
 * @rx_tstamp: the original's receive timestamp, for local copies' sockets
 * @index: the datagram's index on its port (portshare_port.dgram_seq)
 * @budget: copy bytes left for this datagram (copy_budget)
 * @payload: the payload the copies share
 */
struct portshare_dgram {
	const struct sk_buff *skb;
	unsigned int offset;
	unsigned int len;
	u16 family;
	union portshare_addr saddr;
	__be16 sport;
	u64 tstamp;
	ktime_t rx_tstamp;
	u32 index;
	unsigned int budget;
	struct portshare_payload payload;
};

int portshare_payload_attach(struct sk_buff *skb, struct portshare_dgram *d);
unsigned int portshare_payload_tailroom(const struct portshare_dgram *d);
void portshare_payload_put(struct portshare_dgram *d);

void portshare_share_skb(struct portshare_net *pn, struct sk_buff *skb,
			 unsigned int uoff, const struct udphdr *uh, u8 family,
			 bool frag);

/* copy.c */

bool portshare_copy(struct net *net, const struct portshare_port *p,
		    struct portshare_secondary *s, struct portshare_dgram *d);

/* route.c */

/**
 * struct portshare_route - where one copy goes
 * @dst: the route, held; consumed by portshare_deliver() or
 *	portshare_xmit(), else released with portshare_route_put()
 * @saddr: the copy's source address
 * @daddr: the secondary's address
 * @local: the destination is local and reached over loopback: the copy
 *	may go straight into the socket (deliver.c)
 * @iif: for a local copy, the input interface it would have on loopback
 * @ttl: the copy's TTL or hop limit; 0: the route's
 */
struct portshare_route {
	struct dst_entry *dst;
	union portshare_addr saddr;
	union portshare_addr daddr;
	bool local;
	int iif;
	u8 ttl;
};

int portshare_route(struct net *net, struct portshare_secondary *s,
		    const union portshare_addr *src, __be16 sport,
		    bool transparent, struct portshare_route *r);
void portshare_route_put(struct portshare_route *r);

/* headers.c */

void portshare_push_headers(struct sk_buff *skb, u16 family,
			    const struct portshare_route *r, __be16 sport,
			    __be16 dport);

/* deliver.c */

struct sock *portshare_udp_lookup(struct net *net, u16 family,
				  const union portshare_addr *saddr,
				  __be16 sport,
				  const union portshare_addr *daddr,
				  __be16 dport, int dif);
struct sock *portshare_local_sock(struct net *net, u16 family,
				  const struct portshare_route *r,
				  __be16 sport, __be16 dport);
bool portshare_direct_ok(const struct sock *sk);
int portshare_deliver(struct sock *sk, struct sk_buff *skb, u16 family,
		      struct portshare_route *r, __be16 sport, __be16 dport,
		      ktime_t tstamp);

/* xmit.c */

bool portshare_xmit_nested(void);
int portshare_xmit(struct net *net, struct sk_buff *skb, u16 family,
		   struct portshare_route *r, __be16 sport, __be16 dport);

/* params.c */

extern unsigned int portshare_max_secondaries;
extern unsigned int portshare_copy_budget;
extern unsigned int portshare_max_ports;
extern unsigned int portshare_max_total_secondaries;

int portshare_params_check(void);
int portshare_params_apply(struct net *net);

/* fault.c: a test's way to fail portshare_sec_alloc() */
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
void portshare_fault_init(void);
void portshare_fault_exit(void);
bool portshare_fail_sec_alloc(void);
#else
static inline void portshare_fault_init(void) {}
static inline void portshare_fault_exit(void) {}
static inline bool portshare_fail_sec_alloc(void) { return false; }
#endif

#endif /* _PORTSHARE_H */
