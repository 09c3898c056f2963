// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The ICMP errors copies draw, for dead-secondary detection (pri_dead.c):
 * the sockets copies leave from (the registration port's, or the
 * contested port's when standalone) have IP_RECVERR or IPV6_RECVERR, so
 * the kernel queues each error with the destination of the datagram that
 * drew it, the secondary's address and data port, and the socket polls
 * POLLERR until the queue is read.  Only destination unreachable of the
 * codes that say the secondary cannot be reached counts, as in
 * portshare.ko (docs/protocol.md); every other error is read and left.
 */
#include <netinet/in.h>
#include <string.h>
#include <time.h>		/* before errqueue.h: its struct timespec */

#include <linux/errqueue.h>

#include "primary.h"

#define ICMP_BATCH	64	/* errors read per socket and call */
#define ICMP4_UNREACH	3	/* ICMP_DEST_UNREACH */
#define ICMP6_UNREACH	1	/* ICMP6_DST_UNREACH */
#define BIT(n)		(1u << (n))

/*
 * ICMP: net, host, port, net unknown, host unknown, net prohibited, host
 * prohibited, net and host for TOS, administratively prohibited; not
 * protocol (2), fragmentation needed (4: path MTU) or source route (5).
 */
static const unsigned int icmp4_codes = BIT(0) | BIT(1) | BIT(3) | BIT(6) |
	BIT(7) | BIT(9) | BIT(10) | BIT(11) | BIT(12) | BIT(13);
/*
 * ICMPv6: no route, administratively prohibited, address and port
 * unreachable, policy failure, reject route; not beyond scope (2).
 */
static const unsigned int icmp6_codes = BIT(0) | BIT(1) | BIT(3) | BIT(4) |
	BIT(5) | BIT(6);

/* IP_RECVERR or IPV6_RECVERR on a socket copies leave from. */
void pri_icmp_enable(int fd, int fam)
{
	int one = 1;

	if (fam == PRI_V4)
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
}

/**
 * pri_icmp_counts() - is a queued error one that counts?
 * @origin: its sock_extended_err's ee_origin
 * @type: ee_type
 * @code: ee_code
 *
 * Return: true for an ICMP or ICMPv6 destination unreachable of a code
 * that counts.
 */
bool pri_icmp_counts(uint8_t origin, uint8_t type, uint8_t code)
{
	if (code >= 32)
		return false;
	if (origin == SO_EE_ORIGIN_ICMP)
		return type == ICMP4_UNREACH && (icmp4_codes & BIT(code));
	if (origin == SO_EE_ORIGIN_ICMP6)
		return type == ICMP6_UNREACH && (icmp6_codes & BIT(code));
	return false;
}

/* The error's sock_extended_err, if @msg has one; false if not. */
static bool ee_of(struct msghdr *msg, struct sock_extended_err *ee)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if ((c->cmsg_level == IPPROTO_IP &&
		     c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == IPPROTO_IPV6 &&
		     c->cmsg_type == IPV6_RECVERR)) {
			memcpy(ee, CMSG_DATA(c), sizeof(*ee));
			return true;
		}
	}
	return false;
}

/*
 * One error off @fd's queue: false when it is empty.  *@counts says
 * whether it is one that counts, then @a and @port are the destination
 * of the datagram that drew it.
 */
static bool read_one(int fd, struct portshare_addr *a, uint16_t *port,
		     bool *counts)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
				    sizeof(struct sockaddr_in6))];
	} cbuf;
	struct sockaddr_storage ss;
	struct sock_extended_err ee;
	char data[64];		/* the datagram itself: not needed */
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = {
		.msg_name = &ss, .msg_namelen = sizeof(ss),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};

	memset(&ss, 0, sizeof(ss));
	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return false;
	*counts = ee_of(&msg, &ee) &&
		  pri_icmp_counts(ee.ee_origin, ee.ee_type, ee.ee_code) &&
		  !portshare_addr_from_sockaddr((struct sockaddr *)&ss, a,
						port);
	return true;
}

/**
 * pri_icmp_input() - read the errors queued on a socket of @p's
 * @pri: the primary
 * @p: the port
 * @fd: one of its sockets
 *
 * Each error that counts goes to the secondary its datagram was sent to,
 * if it is still on @p's list.  Reading the queue also clears the error
 * the socket would otherwise return from its next send or receive.
 */
void pri_icmp_input(struct portshare_primary *pri, struct pri_port *p,
		    int fd)
{
	struct portshare_addr a;
	struct pri_sec *s;
	uint16_t port;
	bool counts;
	int64_t now = pri_mono_ns();
	int i;

	for (i = 0; i < ICMP_BATCH && read_one(fd, &a, &port, &counts); i++) {
		s = counts ? pri_sec_find(p, &a, port) : NULL;
		if (s)
			pri_dead_error(pri, p, s, now);
	}
}

/* pri_icmp_input() on every socket copies leave from. */
void pri_icmp_drain(struct portshare_primary *pri)
{
	unsigned int i;
	int fam, fd;

	for (i = 0; i < pri->nports; i++) {
		struct pri_port *p = &pri->ports[i];

		for (fam = 0; fam < PRI_NFAM; fam++) {
			fd = pri_port_tx_fd(p, fam == PRI_V4 ?
					    PORTSHARE_FAMILY_INET :
					    PORTSHARE_FAMILY_INET6);
			if (fd >= 0)
				pri_icmp_input(pri, p, fd);
		}
	}
}
