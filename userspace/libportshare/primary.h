/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The primary API's internals (US 6,363,081 FIGs. 3 and 4), shared by the
 * files that implement it, each one job:
 *
 *	primary.c	the object, its ports, the event loop helpers
 *	pri_sock.c	binding (FIG. 3), sending from a chosen source,
 *			SHUTDOWN notices
 *	pri_acl.c	who may register: own addresses, acl, rate limit
 *	pri_list.c	the distribution lists
 *	pri_reg.c	the registration port: ADD and DROP, decided by
 *			shared/reg_rules.c
 *	pri_owner.c	who owns a local UDP socket (/proc/net/udp)
 *	pri_forward.c	copies, in batches (their header: encap.c and
 *			shared/encap.c)
 *	pri_info.c	enumeration and counters
 *	pri_lease.c	leases: the grant, renewal and expiry; the
 *			timer of expiries, probes' verdicts and holds
 *	pri_rate.c	rate caps (a GCRA per secondary) and the TTL of
 *			copies
 *	pri_verify.c	return-routability cookies of acl networks with
 *			verify ("102 VERIFY")
 *	pri_dead.c	dead-secondary detection: the state machine of
 *			each secondary (up, dead, probes, hold)
 *	pri_icmp.c	the ICMP errors copies draw (IP_RECVERR), for
 *			pri_dead.c
 *	siphash.c	SipHash-2-4, the cookies' keyed hash
 *	addr.c		(besides the public conversions) the check of a
 *			source filter, the codec's and the secondary's too
 *
 * Nothing here is exported (libportshare.map).
 */
#ifndef PORTSHARE_PRIMARY_H
#define PORTSHARE_PRIMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "acl_match.h"
#include "portshare.h"

#define PRI_RL_BUCKETS	256

/* Bytes of a SipHash key: the cookie key of a primary. */
#define PRI_SIPHASH_KEY	16

/* The lease timer's epoll tag: sockets' are port * 4 + 0..3 (pri_sock.c). */
#define PRI_TAG_TIMER	UINT32_MAX

/* Indexes of the per-family socket arrays. */
enum { PRI_V4, PRI_V6, PRI_NFAM };

/**
 * struct pri_dead_sec - a secondary's dead-secondary detection (pri_dead.c)
 * @state: PORTSHARE_STATE_UP or PORTSHARE_STATE_DEAD
 * @hold: seconds it may stay dead before it is dropped, 0 for ever
 * @hold_is_ports: @hold is its port's, as every wire registration's:
 *	not reported as its own (portshare_primary_sec_state())
 * @win_count: errors in the window, 0 when none is open
 * @win_start: when the window's first error came (ns, CLOCK_MONOTONIC,
 *	as every time here)
 * @dead_since: when it went dead, while dead
 * @probe_due: when its next probe is due, while dead
 * @probe_sent: when the probe awaiting its verdict was sent; 0 for none.
 *	No other probe goes while it awaits it
 * @last_error: when its last error came; 0 for none yet
 * @icmp_errors: errors counted, in any state
 * @dead_skipped: datagrams not copied while dead
 * @probes: copies sent while dead
 */
struct pri_dead_sec {
	uint8_t state;
	uint32_t hold;
	bool hold_is_ports;
	uint32_t win_count;
	int64_t win_start;
	int64_t dead_since;
	int64_t probe_due;
	int64_t probe_sent;
	int64_t last_error;
	uint64_t icmp_errors;
	uint64_t dead_skipped;
	uint64_t probes;
};

/**
 * struct pri_sec - a secondary on a distribution list
 * @e: what the API reports of it (portshare_primary_sec_info())
 * @n_from: prefixes of its source filter; 0 is none: every source
 * @from: the filter (DESIGN §9), as the shared ps_from_admits() takes it
 * @skipped_filtered: datagrams not copied to it because of the filter;
 *	not drops: nothing was lost
 * @lease: its lease in seconds, 0 for none
 * @expires_ns: when the lease runs out (CLOCK_MONOTONIC), if @lease
 * @rate: its cap in copies per second, 0 for none
 * @burst: copies at once under the cap, 1..PORTSHARE_RATE_MAX, if @rate
 * @ttl: the TTL or hop limit of its copies, 0 for the system's
 * @tat: the GCRA's theoretical arrival time of its next copy (ns,
 *	CLOCK_MONOTONIC)
 * @drop_ratelimited: copies not sent because of the cap: drops
 * @dead: its dead-secondary detection
 *
 * The filter and its counter are outside @e, whose layout is public and
 * allocated by callers (portshare_primary_sec_from() reports them).
 */
struct pri_sec {
	struct portshare_list_entry e;
	unsigned int n_from;
	struct ps_prefix from[PS_FROM_MAX];
	uint64_t skipped_filtered;
	uint32_t lease;
	int64_t expires_ns;
	uint32_t rate;
	uint32_t burst;
	uint8_t ttl;
	int64_t tat;
	uint64_t drop_ratelimited;
	struct pri_dead_sec dead;
};

/**
 * struct pri_port - a contested port
 * @port: the contested port
 * @reg_port: its registration port
 * @standalone: the registration port could not be bound (FIG. 3 step 82)
 * @reg_error: why, a negated errno
 * @cfd: contested sockets, per family; -1 if none
 * @rfd: registration sockets, per family; -1 if none
 * @secs: the distribution list, in order of addition
 * @lease: the longest lease a wire ADD gets, 0 for no limit
 * @rate: the cap and TTL a wire ADD gets (@rate.burst 0: @rate.rate)
 * @dead: its dead-secondary detection; @dead.hold is what a wire ADD gets
 */
struct pri_port {
	uint16_t port;
	uint16_t reg_port;
	bool standalone;
	int reg_error;
	int cfd[PRI_NFAM];
	int rfd[PRI_NFAM];
	struct pri_sec *secs;
	unsigned int nsecs;
	uint32_t lease;
	struct portshare_rate rate;
	struct portshare_dead dead;
	uint64_t rx, shared, err_loop;
	uint64_t reg[PORTSHARE_NREG];
	uint64_t reg_verify;	/* answered 102: outside reg[], whose size
				 * is public (portshare_port_info) */
};

struct pri_acl {
	struct portshare_addr net;
	uint8_t prefix;
	uint8_t flags;		/* PORTSHARE_ACL_F_* */
};

struct pri_fw;

struct portshare_primary {
	struct pri_port ports[PORTSHARE_PRIMARY_MAX_PORTS];
	unsigned int nports;
	struct portshare_primary_opts opts;
	struct pri_acl acl[PORTSHARE_PRIMARY_MAX_ACL];
	unsigned int nacl;
	int64_t rl_tat[PRI_RL_BUCKETS];		/* theoretical arrival, ns */
	struct portshare_addr *own;		/* the host's addresses */
	unsigned int nown;
	struct portshare_addr *bcast;		/* its IPv4 broadcasts */
	unsigned int nbcast;
	int64_t own_stamp;
	int raw[PRI_NFAM];			/* transparent copies; -1 */
	int raw_error;				/* why raw[] is -1 */
	int diag;		/* sock_diag finds sockets: 1, not: -1, ?: 0 */
	int epfd;
	int tfd;				/* the next lease's timer */
	struct pri_fw *fw;			/* pri_forward.c's buffers */
	uint8_t cookie_key[PRI_SIPHASH_KEY];	/* pri_verify.c's */
	void (*on_state)(const struct portshare_state_log *log, void *arg);
	void *state_arg;			/* pri_dead.c's */
};

/**
 * struct pri_verify_env - what a cookie covers besides the request
 * @src: the request's source address
 * @sport: its source port
 * @reg_port: the registration port it went to
 * @acl_flags: PORTSHARE_ACL_F_* of the acl entries its source matches
 */
struct pri_verify_env {
	const struct portshare_addr *src;
	uint16_t sport;
	uint16_t reg_port;
	unsigned int acl_flags;
};

struct ps_req;

/* addr.c */
int pri_prefix_check(const struct portshare_prefix *p);
int pri_prefixes_check(const struct portshare_prefix *from, size_t n);

/* primary.c */
struct pri_port *pri_port_find(const struct portshare_primary *pri,
			       uint16_t port);
bool pri_is_contested(const struct portshare_primary *pri, uint16_t port);
bool pri_is_reg_port(const struct portshare_primary *pri, uint16_t port);
int pri_fam(uint8_t family);

/* pri_sock.c */
int pri_port_bind(struct portshare_primary *pri, struct pri_port *p);
void pri_port_close(struct portshare_primary *pri, struct pri_port *p);
int pri_port_tx_fd(const struct pri_port *p, uint8_t family);
void pri_msg_fill(struct msghdr *msg, const struct portshare_addr *src,
		  const struct portshare_addr *to, uint16_t port,
		  struct sockaddr_storage *ss, void *cbuf);
int pri_send_from(int fd, const struct portshare_addr *src,
		  const struct portshare_addr *to, uint16_t port,
		  const void *buf, size_t len);
void pri_port_shutdown(struct pri_port *p);
void pri_route_src(const struct portshare_addr *a, uint16_t port,
		   struct portshare_addr *src);

/* pri_acl.c */
int64_t pri_mono_ns(void);
bool pri_is_local(struct portshare_primary *pri,
		  const struct portshare_addr *a);
bool pri_is_broadcast(struct portshare_primary *pri,
		      const struct portshare_addr *a);
bool pri_acl_allows(struct portshare_primary *pri,
		    const struct portshare_addr *src, unsigned int *flags);
bool pri_rate_allows(struct portshare_primary *pri,
		     const struct portshare_addr *src);

/* pri_owner.c */
bool pri_udp_owner(struct portshare_primary *pri,
		   const struct portshare_addr *a, uint16_t port,
		   const struct portshare_addr *peer, uint16_t pport,
		   unsigned long *uid);

/* pri_list.c */
int pri_sec_add(struct portshare_primary *pri, struct pri_port *p,
		const struct pri_sec *s);
int pri_sec_drop(struct pri_port *p, const struct portshare_addr *a,
		 uint16_t port);
struct pri_sec *pri_sec_find(struct pri_port *p,
			     const struct portshare_addr *a, uint16_t port);
bool pri_family_valid(uint8_t family);

/* pri_reg.c */
void pri_reg_input(struct portshare_primary *pri, struct pri_port *p,
		   int fam);

/* pri_lease.c */
int pri_lease_init(struct portshare_primary *pri);
void pri_lease_start(struct portshare_primary *pri, struct pri_sec *s);
void pri_lease_renew(struct portshare_primary *pri, struct pri_port *p,
		     const struct portshare_addr *a, uint16_t port);
void pri_lease_timer(struct portshare_primary *pri);
void pri_timer_arm(struct portshare_primary *pri);
void pri_sec_gone(struct portshare_primary *pri, struct pri_port *p,
		  struct pri_sec *s, uint8_t reason);
int64_t pri_earlier(int64_t a, int64_t b);

/* pri_rate.c */
int pri_rate_check(const struct portshare_rate *r);
void pri_rate_set(struct pri_sec *s, const struct portshare_rate *r);
void pri_rate_grant(const struct pri_port *p, uint32_t asked,
		    struct pri_sec *s);
bool pri_gcra(int64_t *tat, int64_t now, int64_t interval, uint32_t burst);
bool pri_rate_admits(struct pri_sec *s);

/* pri_verify.c */
int pri_verify_init(struct portshare_primary *pri);
bool pri_verify_needed(const struct portshare_primary *pri,
		       const struct pri_verify_env *env,
		       const struct ps_req *req, uint64_t *cookie);

/* pri_dead.c */
void pri_dead_port_init(struct pri_port *p);
int pri_dead_check(const struct portshare_dead *d);
void pri_dead_error(struct portshare_primary *pri, struct pri_port *p,
		    struct pri_sec *s, int64_t now);
bool pri_dead_admits(struct portshare_primary *pri, struct pri_port *p,
		     struct pri_sec *s, int64_t now);
void pri_dead_lost(struct pri_sec *s);
int64_t pri_dead_next(const struct pri_sec *s);
bool pri_dead_due(struct portshare_primary *pri, struct pri_port *p,
		  struct pri_sec *s, int64_t now);

/* pri_icmp.c */
void pri_icmp_enable(int fd, int fam);
bool pri_icmp_counts(uint8_t origin, uint8_t type, uint8_t code);
void pri_icmp_input(struct portshare_primary *pri, struct pri_port *p,
		    int fd);
void pri_icmp_drain(struct portshare_primary *pri);

/* siphash.c */
uint64_t pri_siphash(const uint8_t key[PRI_SIPHASH_KEY], const void *in,
		     size_t len);

/* encap.c */
bool pri_is_copy(const void *buf, size_t len);

/* pri_forward.c */
int pri_forward_init(struct portshare_primary *pri);
void pri_forward_fini(struct portshare_primary *pri);
void pri_forward_input(struct portshare_primary *pri, struct pri_port *p,
		       int fam);

#endif /* PORTSHARE_PRIMARY_H */
