/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * portshare: share the datagrams of a contested UDP port with registered
 * secondaries (US 6,363,081).  This header is the one definition shared by
 * the kernel module and every userspace tool.  The netlink family's names
 * and numbers are in <linux/portshare_nl.h>, which it includes: that file
 * is generated from the family's YNL spec, uapi/linux/portshare.yaml in
 * the source tree, which also documents every counter of
 * PORTSHARE_A_STATS.  This file adds what is not netlink (the wire
 * protocol of the registration port, the encap header) and says how the
 * family is used.
 *
 * Generic netlink family "portshare", version 1, multicast group "events".
 * The family is namespace aware: every command acts on the caller's network
 * namespace.  Commands that change state need CAP_NET_ADMIN in the user
 * namespace that owns the network namespace, and so do SEC_GET, ACL_GET
 * and joining the "events" group (they name secondaries); PORT_GET is
 * unprivileged.
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
 *   PORTSHARE_A_PREFIX_LEN      u8    acl: network prefix length, 0..32
 *                                     (IPv4) or 0..128 (IPv6)
 *   PORTSHARE_A_ACL_FLAGS       u32   acl: enum portshare_acl_flags
 *
 * Commands:
 *
 *   PORTSHARE_CMD_PORT_NEW   designate a contested port.
 *       Needs PORT.  Optional REG_PORT (default PORT + 13000, which must be
 *       given explicitly for ports above 52535) or REG_OFF, and
 *       MAX_SECONDARIES (default 64).
 *       Errors: EEXIST (already designated), EADDRINUSE (registration port
 *       collides with another port's), ERANGE (no default registration port),
 *       ELOOP (the port is the data port of a secondary whose copies would
 *       then loop: one at a local address, or a raw or transparent one
 *       elsewhere), ENOSPC
 *       (the namespace has max_ports ports, a module parameter).
 *
 *   PORTSHARE_CMD_PORT_DEL   undesignate PORT.  Its secondaries are sent
 *       SHUTDOWN (Table 3) and purged.  Errors: ENOENT.
 *
 *   PORTSHARE_CMD_PORT_GET   with PORT: one port.  As a dump: every port in
 *       ascending order.  Reply: PORT, REG_PORT or REG_OFF, MAX_SECONDARIES,
 *       NUM_SECONDARIES, STATS (with the REG_* counters unless REG_OFF).
 *
 *   PORTSHARE_CMD_SEC_ADD    add a secondary to PORT's list.
 *       Needs PORT and exactly one of ADDR4/ADDR6.  Optional DATA_PORT
 *       (default: the registration port; required when REG_OFF), MODE
 *       (default encap), SAMPLE (default 1), AUTO_PORT.
 *       Errors: ENOENT (port not designated and no AUTO_PORT), EEXIST
 *       (same address and data port already listed), ENOSPC (list full,
 *       or the namespace has max_total_secondaries secondaries),
 *       ELOOP (DATA_PORT is a contested port, and the address is local or
 *       the mode raw or transparent), EINVAL (an unspecified, multicast
 *       or broadcast address, or no data port).
 *
 *   PORTSHARE_CMD_SEC_DROP   remove the secondary (ADDR4/ADDR6, DATA_PORT)
 *       from PORT's list; DATA_PORT defaults as for SEC_ADD.
 *       Errors: ENOENT (port not designated, or not in list).
 *
 *   PORTSHARE_CMD_SEC_GET    dump only.  Every secondary, ordered by port
 *       then insertion; with PORT, only that port's list.  Reply: PORT,
 *       ADDR4 or ADDR6, DATA_PORT, MODE, SAMPLE, STATS.
 *
 *   PORTSHARE_CMD_ACL_ADD    let a network send ADD/DROP requests to the
 *       namespace's registration ports (DESIGN §7); the namespace's own
 *       addresses always may.  Needs ADDR4 or ADDR6 (host bits zero);
 *       optional PREFIX_LEN (default: the whole address) and ACL_FLAGS.
 *       At most 256 entries.  Errors: EINVAL (host bits set), EEXIST
 *       (the network is in the acl), ENOSPC (the acl is full).
 *
 *   PORTSHARE_CMD_ACL_DEL    remove the network ADDR4/ADDR6 + PREFIX_LEN.
 *       Errors: ENOENT.
 *
 *   PORTSHARE_CMD_ACL_GET    dump only.  The acl in the order of addition:
 *       ADDR4 or ADDR6, PREFIX_LEN, ACL_FLAGS.
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
 * Secondaries added or dropped by a request on a registration port carry
 * REASON_WIRE; the requests and their replies are described below, at
 * enum portshare_reply, and in docs/protocol.md.
 *
 * Dumps are consistent: a dump that raced a change carries
 * NLM_F_DUMP_INTR and should be retried.
 */
#ifndef _UAPI_LINUX_PORTSHARE_H
#define _UAPI_LINUX_PORTSHARE_H

#include <linux/types.h>
#include <linux/portshare_nl.h>

/* Commands are numbered from 1 (YNL has no name for 0). */
#define PORTSHARE_CMD_UNSPEC		0

/*
 * Replies on the registration port (DESIGN §3, Table 2): the code, a
 * space and the text, with no trailing newline.  100 to an ADD carries the
 * primary address and the registration port: "100 OK 10.0.0.1 13427";
 * copies and SHUTDOWN come from there.  The primary address is the one
 * the request was sent to or, when it registers a third party, the source
 * routing picks towards that party.
 * Codes up to 301 are the seed's; docs/protocol.md has the same table.
 * The codes are the ABI (enum portshare_reply, generated).  Their texts,
 * and the errno a netlink request gets for the same refusal, are rows of
 * shared/replies.def in the source tree, which portshare.ko, libportshare
 * and the tests all read.
 *
 *   100 OK              ADD: added; DROP: dropped
 *   200 ALREADY_ADDED   ADD: address and data port are listed
 *   200 NOT_IN_LIST     DROP: they are not listed
 *   300 INVALID_ADDRESS not a usable IPv4 or IPv6 literal (host
 *                       names are not resolved), a broadcast
 *                       address of the primary's networks, or,
 *                       for a third party, another family than
 *                       the request's or no route to it
 *   301 PORT_MISSING    no contested port
 *   302 INVALID_PORT    a port is not 1..65535 in decimal
 *   303 UNKNOWN_PORT    the contested port is not the one this
 *                       registration port serves
 *   304 MALFORMED       over 512 bytes, a byte that is not
 *                       printable ASCII, space or tab (NUL, CR
 *                       and LF only at the end), or an extra
 *                       space or tab
 *   305 UNKNOWN_COMMAND not ADD or DROP (case matters)
 *   306 UNKNOWN_OPTION  not mode=encap|raw|transparent, an
 *                       option twice, or an option to DROP
 *   400 NOT_PERMITTED   an address other than the request's
 *                       source, without an acl third-party grant;
 *                       for a secondary at one of the primary's
 *                       own addresses, a data port that is no
 *                       socket of the requesting user; or
 *                       mode=transparent from other than local
 *                       root
 *   401 LIST_FULL       the port's list is at its cap, or the
 *                       namespace at max_total_secondaries
 *   402 LOOP            the data port is a contested port (for
 *                       another host, in raw or transparent
 *                       mode), or for a local secondary a
 *                       registration port
 *   403 NO_RESOURCES    the primary is out of memory
 *
 * No reply at all goes to empty requests, to replies and SHUTDOWN notices
 * (anything starting with a digit or "SHUTDOWN"), to sources the acl does
 * not allow, to datagrams from one of the namespace's own registration
 * ports, to sources over their rate, and when the queue is full.
 */
#define PORTSHARE_REPLY_ALREADY_ADDED	PORTSHARE_REPLY_LISTED	/* to ADD */
#define PORTSHARE_REPLY_NOT_IN_LIST	PORTSHARE_REPLY_LISTED	/* to DROP */

/* SHUTDOWN notice (Table 3): "SHUTDOWN <primary-address> <reg-port>". */
#define PORTSHARE_SHUTDOWN_TEXT			"SHUTDOWN"

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
