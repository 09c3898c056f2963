/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * portshare: share the datagrams of a contested UDP port with registered
 * secondaries (US 6,363,081).  This header is the one definition shared by
 * the kernel module and every userspace tool.
 *
 * Generic netlink family "portshare", version 1, multicast group "events".
 * The family is namespace aware: every command acts on the caller's network
 * namespace.  Commands that change state need CAP_NET_ADMIN in the user
 * namespace that owns the network namespace; GET commands are unprivileged.
 * Attributes are validated strictly: unknown attributes, wrong lengths and
 * out-of-range values are rejected with an extack message naming the
 * problem.  Do not set NLM_F_CREATE or NLM_F_EXCL on requests.
 *
 * Attributes (all commands share one attribute space, enum portshare_attr):
 *
 *   PORTSHARE_A_PORT            u16   contested port, 1..65535
 *   PORTSHARE_A_REG_PORT        u16   registration port, 1..65535
 *   PORTSHARE_A_REG_OFF         flag  no registration port (netlink only)
 *   PORTSHARE_A_MAX_SECONDARIES u32   cap on the distribution list, 1..4096
 *   PORTSHARE_A_NUM_SECONDARIES u32   (reply only) current list length
 *   PORTSHARE_A_ADDR4           be32  secondary IPv4 address
 *   PORTSHARE_A_ADDR6           16 B  secondary IPv6 address
 *   PORTSHARE_A_DATA_PORT       u16   secondary's data port, 1..65535
 *   PORTSHARE_A_MODE            u8    enum portshare_mode
 *   PORTSHARE_A_SAMPLE          u32   deliver 1 datagram in N, 1..1000000
 *   PORTSHARE_A_AUTO_PORT       flag  SEC_ADD: designate PORT with defaults
 *                                     first if it is not designated yet
 *   PORTSHARE_A_REASON          u8    (events only) enum portshare_reason
 *   PORTSHARE_A_STATS           nest  (reply only) enum portshare_stat,
 *                                     each a u64 counter
 *
 * Commands:
 *
 *   PORTSHARE_CMD_PORT_NEW   designate a contested port.
 *       Needs PORT.  Optional REG_PORT (default PORT + 13000, which must be
 *       given explicitly for ports above 52535) or REG_OFF, and
 *       MAX_SECONDARIES (default 64).
 *       Errors: EEXIST (already designated), EADDRINUSE (registration port
 *       collides with another port's), ERANGE (no default registration port),
 *       ELOOP (the port is the data port of an existing secondary).
 *
 *   PORTSHARE_CMD_PORT_DEL   undesignate PORT.  Its secondaries are sent
 *       SHUTDOWN (Table 3) and purged.  Errors: ENOENT.
 *
 *   PORTSHARE_CMD_PORT_GET   with PORT: one port.  As a dump: every port in
 *       ascending order.  Reply: PORT, REG_PORT or REG_OFF, MAX_SECONDARIES,
 *       NUM_SECONDARIES, STATS.
 *
 *   PORTSHARE_CMD_SEC_ADD    add a secondary to PORT's list.
 *       Needs PORT and exactly one of ADDR4/ADDR6.  Optional DATA_PORT
 *       (default: the registration port; required when REG_OFF), MODE
 *       (default encap), SAMPLE (default 1), AUTO_PORT.
 *       Errors: ENOENT (port not designated and no AUTO_PORT), EEXIST
 *       (same address and data port already listed), ENOSPC (list full),
 *       ELOOP (DATA_PORT is a contested port), EINVAL (unspecified
 *       address, no data port).
 *
 *   PORTSHARE_CMD_SEC_DROP   remove the secondary (ADDR4/ADDR6, DATA_PORT)
 *       from PORT's list; DATA_PORT defaults as for SEC_ADD.
 *       Errors: ENOENT (port not designated, or not in list).
 *
 *   PORTSHARE_CMD_SEC_GET    dump only.  Every secondary, ordered by port
 *       then insertion; with PORT, only that port's list.  Reply: PORT,
 *       ADDR4 or ADDR6, DATA_PORT, MODE, SAMPLE, STATS.
 *
 * Events (multicast group "events"), each carrying the attributes of the
 * matching GET reply plus REASON:
 *
 *   PORTSHARE_CMD_PORT_NEW   a port was designated.
 *   PORTSHARE_CMD_PORT_DEL   a port was undesignated.
 *   PORTSHARE_CMD_SEC_ADD    a secondary was added.
 *   PORTSHARE_CMD_SEC_DROP   a secondary was dropped, expired or purged.
 *   PORTSHARE_CMD_SHUTDOWN   SHUTDOWN was sent to a port's secondaries
 *                            (PORT, REG_PORT, NUM_SECONDARIES).
 *
 * Dumps are consistent: a dump that raced a change carries
 * NLM_F_DUMP_INTR and should be retried.
 */
#ifndef _UAPI_LINUX_PORTSHARE_H
#define _UAPI_LINUX_PORTSHARE_H

#include <linux/types.h>

#define PORTSHARE_GENL_NAME		"portshare"
#define PORTSHARE_GENL_VERSION		1
#define PORTSHARE_MCGRP_EVENTS		"events"

/* Registration port = contested port + this (Table 1: 427 -> 13427). */
#define PORTSHARE_REG_PORT_OFFSET	13000
#define PORTSHARE_DEFAULT_MAX_SECONDARIES 64
#define PORTSHARE_MAX_SECONDARIES_LIMIT	4096
#define PORTSHARE_SAMPLE_LIMIT		1000000

enum portshare_cmd {
	PORTSHARE_CMD_UNSPEC,
	PORTSHARE_CMD_PORT_NEW,
	PORTSHARE_CMD_PORT_DEL,
	PORTSHARE_CMD_PORT_GET,
	PORTSHARE_CMD_SEC_ADD,
	PORTSHARE_CMD_SEC_DROP,
	PORTSHARE_CMD_SEC_GET,
	PORTSHARE_CMD_SHUTDOWN,
	__PORTSHARE_CMD_MAX,
};

#define PORTSHARE_CMD_MAX (__PORTSHARE_CMD_MAX - 1)

enum portshare_attr {
	PORTSHARE_A_UNSPEC,
	PORTSHARE_A_PORT,
	PORTSHARE_A_REG_PORT,
	PORTSHARE_A_REG_OFF,
	PORTSHARE_A_MAX_SECONDARIES,
	PORTSHARE_A_NUM_SECONDARIES,
	PORTSHARE_A_ADDR4,
	PORTSHARE_A_ADDR6,
	PORTSHARE_A_DATA_PORT,
	PORTSHARE_A_MODE,
	PORTSHARE_A_SAMPLE,
	PORTSHARE_A_AUTO_PORT,
	PORTSHARE_A_REASON,
	PORTSHARE_A_STATS,
	PORTSHARE_A_PAD,
	__PORTSHARE_A_MAX,
};

#define PORTSHARE_A_MAX (__PORTSHARE_A_MAX - 1)

/* How copies are delivered to a secondary (DESIGN §3). */
enum portshare_mode {
	PORTSHARE_MODE_ENCAP,		/* portshare header + payload */
	PORTSHARE_MODE_RAW,		/* payload only */
	PORTSHARE_MODE_TRANSPARENT,	/* payload, original source kept */
	__PORTSHARE_MODE_MAX,
};

#define PORTSHARE_MODE_MAX (__PORTSHARE_MODE_MAX - 1)

/* Why an event happened. */
enum portshare_reason {
	PORTSHARE_REASON_NETLINK,	/* a netlink request */
	PORTSHARE_REASON_WIRE,		/* an ADD/DROP on the registration port */
	PORTSHARE_REASON_PARAM,		/* the ports= module parameter */
	PORTSHARE_REASON_SHUTDOWN,	/* purged after SHUTDOWN */
	PORTSHARE_REASON_EXPIRED,	/* expired */
	__PORTSHARE_REASON_MAX,
};

#define PORTSHARE_REASON_MAX (__PORTSHARE_REASON_MAX - 1)

/*
 * Counters inside PORTSHARE_A_STATS, each a u64.  A port reports the PORT_*
 * ones, a secondary the SEC_* ones.  Readers ignore counters they do not
 * know; new counters are only ever appended.
 */
enum portshare_stat {
	PORTSHARE_STAT_UNSPEC,
	PORTSHARE_STAT_PAD,
	PORTSHARE_STAT_PORT_RX,		/* datagrams seen on the port */
	PORTSHARE_STAT_PORT_SHARED,	/* datagrams shared */
	PORTSHARE_STAT_SEC_COPIES,	/* copies sent */
	PORTSHARE_STAT_SEC_BYTES,	/* payload bytes sent */
	__PORTSHARE_STAT_MAX,
};

#define PORTSHARE_STAT_MAX (__PORTSHARE_STAT_MAX - 1)

/*
 * The header that starts every copy in encap mode (DESIGN §3), in network
 * byte order.  Readers check magic and version, then skip hdr_len bytes to
 * reach the payload, so later versions may append fields.  Addresses are
 * 16 bytes; an IPv4 address fills the first 4 and the rest is zero.
 *
 *   magic            PORTSHARE_ENCAP_MAGIC ("PSHR")
 *   version          PORTSHARE_ENCAP_VERSION
 *   hdr_len          bytes from magic to the payload
 *   flags            none defined yet; senders write 0, readers ignore
 *   origin_family    PORTSHARE_FAMILY_INET or _INET6: the original sender
 *   secondary_family family of secondary_addr
 *   origin_port      the original sender's UDP source port
 *   contested_port   the port the datagram was sent to
 *   origin_addr      the original sender's address
 *   secondary_addr   the address this copy is for
 *   payload_len      bytes of payload after the header
 *   seq              per-secondary sequence number, starting at 0 and
 *                    incremented for every copy the primary tries to send,
 *                    so gaps are losses; wraps at 2^32
 *   timestamp_ns     when the primary received the datagram
 *                    (CLOCK_REALTIME, ns since the epoch)
 */
#define PORTSHARE_ENCAP_MAGIC		0x50534852	/* "PSHR" */
#define PORTSHARE_ENCAP_VERSION		1
#define PORTSHARE_FAMILY_INET		4
#define PORTSHARE_FAMILY_INET6		6

struct portshare_encap_hdr {
	__be32	magic;
	__u8	version;
	__u8	hdr_len;
	__be16	flags;
	__u8	origin_family;
	__u8	secondary_family;
	__be16	origin_port;
	__be16	contested_port;
	__be16	reserved;
	__u8	origin_addr[16];
	__u8	secondary_addr[16];
	__be32	payload_len;
	__be32	seq;
	__be64	timestamp_ns;
};

#define PORTSHARE_ENCAP_HDR_LEN		64

#endif /* _UAPI_LINUX_PORTSHARE_H */
