// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Who owns a local UDP socket: the registration port's rules for copies to
 * this host's own sockets need it (kmod/reglocal.c asks the kernel's socket
 * table directly).
 *
 * One sock_diag request looks the socket up as the kernel would deliver a
 * datagram to it: O(1), and open to every user, so a psd that dropped its
 * privileges can ask.  Where sock_diag cannot answer (udp_diag is a module
 * that a host without module loading lacks), every lookup reads
 * /proc/net/udp and /proc/net/udp6 instead: correct, but its cost grows
 * with the number of sockets, and a primary that answers slowly is asked
 * again and again (a secondary resends after 100 ms).
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* /proc/net/udp and udp6: a socket bound to @a wins over the wildcard. */
static bool proc_owner(const struct portshare_addr *a, uint16_t port,
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

enum { DIAG_FOUND, DIAG_NONE, DIAG_FAILED };

static void diag_addr(__be32 *to, const struct portshare_addr *a)
{
	memcpy(to, a->addr, a->family == PORTSHARE_FAMILY_INET ? 4 : 16);
}

/*
 * The socket a datagram from @peer:@pport to @local:@lport would reach
 * (udp_dump_one(): __udp4/6_lib_lookup(), its "src" being the peer).
 */
static int diag_owner(const struct portshare_addr *local, uint16_t lport,
		      const struct portshare_addr *peer, uint16_t pport,
		      unsigned long *uid)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} q = {
		.nlh = {
			.nlmsg_len = sizeof(q),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST,
		},
		.req = {
			.sdiag_family = local->family == PORTSHARE_FAMILY_INET ?
					AF_INET : AF_INET6,
			.sdiag_protocol = IPPROTO_UDP,
			.idiag_states = ~0u,
			.id = {
				.idiag_sport = htons(pport),
				.idiag_dport = htons(lport),
				.idiag_cookie = { INET_DIAG_NOCOOKIE,
						  INET_DIAG_NOCOOKIE },
			},
		},
	};
	union {
		struct nlmsghdr nlh;
		char buf[1024];
	} r;
	const struct nlmsgerr *e = NLMSG_DATA(&r.nlh);
	const struct inet_diag_msg *m = NLMSG_DATA(&r.nlh);
	ssize_t n;
	int fd, ret = DIAG_FAILED;

	diag_addr(q.req.id.idiag_src, peer);
	diag_addr(q.req.id.idiag_dst, local);
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return DIAG_FAILED;
	/* the kernel answers while send() runs: the reply is queued */
	if (send(fd, &q, sizeof(q), 0) == (ssize_t)sizeof(q)) {
		n = recv(fd, &r, sizeof(r), MSG_DONTWAIT);
		if (n >= (ssize_t)NLMSG_LENGTH(sizeof(*e)) &&
		    r.nlh.nlmsg_type == NLMSG_ERROR)
			ret = e->error == -ENOENT ? DIAG_NONE : DIAG_FAILED;
		else if (n >= (ssize_t)NLMSG_LENGTH(sizeof(*m)) &&
			 r.nlh.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
			*uid = m->idiag_uid;
			ret = DIAG_FOUND;
		}
	}
	close(fd);
	return ret;
}

/*
 * Can sock_diag find UDP sockets here?  It answers ENOENT both for "no such
 * socket" and for "no udp_diag", so ask once about a socket that exists.
 */
static bool diag_works(void)
{
	struct portshare_addr lo = { .family = PORTSHARE_FAMILY_INET,
				     .addr = { 127, 0, 0, 1 } };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	unsigned long uid;
	bool works = false;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (!bind(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
	    !getsockname(fd, (struct sockaddr *)&sin, &len))
		works = diag_owner(&lo, ntohs(sin.sin_port), &lo, 0, &uid) ==
			DIAG_FOUND && uid == (unsigned long)geteuid();
	close(fd);
	return works;
}

/**
 * pri_udp_owner() - the user owning the UDP socket that receives at @a:@port
 * @pri: the primary; it remembers whether sock_diag works here
 * @a: a local address
 * @port: the port
 * @peer: the datagram's source address, of @a's family (a connected socket
 *	matches only its peer)
 * @pport: its source port
 * @uid: set to the socket's owner (as this process's user namespace sees
 *	it)
 *
 * The socket is the one the kernel would deliver to: bound to @a wins over
 * the wildcard address.  Without sock_diag, /proc/net/udp and udp6 tell,
 * and connected sockets match any peer.
 *
 * Return: true if there is such a socket.
 */
bool pri_udp_owner(struct portshare_primary *pri,
		   const struct portshare_addr *a, uint16_t port,
		   const struct portshare_addr *peer, uint16_t pport,
		   unsigned long *uid)
{
	if (!pri->diag)
		pri->diag = diag_works() ? 1 : -1;
	if (pri->diag > 0 && peer->family == a->family) {
		switch (diag_owner(a, port, peer, pport, uid)) {
		case DIAG_FOUND:
			return true;
		case DIAG_NONE:
			return false;
		}
	}
	return proc_owner(a, port, uid);
}
