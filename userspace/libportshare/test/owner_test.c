// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pri_udp_owner() (pri_owner.c): the owner of the socket a datagram would
 * reach, with sock_diag where it answers and from /proc/net/udp and udp6
 * always.  On loopback only: a socket bound to 127.0.0.1, one bound to
 * 0.0.0.0, a dual-stack [::] socket, a connected one and a closed one.
 * Prints TAP.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "primary.h"
#include "tap.h"

static const struct portshare_addr lo = {
	.family = PORTSHARE_FAMILY_INET, .addr = { 127, 0, 0, 1 },
};

/* A UDP socket bound to @addr (IPv4, or [::] if NULL); its port in @port. */
static int bound(const char *addr, uint16_t *port)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr *sa = addr ? (void *)&s4 : (void *)&s6;
	socklen_t len = addr ? sizeof(s4) : sizeof(s6);
	int fd, off = 0;

	fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (addr)
		inet_pton(AF_INET, addr, &s4.sin_addr);
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (bind(fd, sa, len) || getsockname(fd, sa, &len)) {
		close(fd);
		return -1;
	}
	*port = ntohs(addr ? s4.sin_port : s6.sin6_port);
	return fd;
}

static bool owner_is_me(struct portshare_primary *pri, uint16_t port,
			uint16_t pport)
{
	unsigned long uid = ~0ul;

	return pri_udp_owner(pri, &lo, port, &lo, pport, &uid) &&
	       uid == (unsigned long)geteuid();
}

/* What both ways of looking answer alike. */
static void test_sockets(struct portshare_primary *pri, const char *how)
{
	uint16_t p1, p2, p3, peer = 9;
	unsigned long uid;
	int a = bound("127.0.0.1", &p1), b = bound("0.0.0.0", &p2);
	int c = bound(NULL, &p3);

	OK(a >= 0 && b >= 0 && c >= 0, "%s: three sockets bound", how);
	OK(owner_is_me(pri, p1, peer), "%s: 127.0.0.1:%u is mine", how, p1);
	OK(owner_is_me(pri, p2, peer), "%s: 0.0.0.0:%u receives at 127.0.0.1",
	   how, p2);
	OK(owner_is_me(pri, p3, peer), "%s: dual-stack [::]:%u receives IPv4",
	   how, p3);
	close(a);
	OK(!pri_udp_owner(pri, &lo, p1, &lo, peer, &uid),
	   "%s: a closed socket has no owner", how);
	close(b);
	close(c);
}

/* Only sock_diag sees a connected socket's peer, as delivery does. */
static void test_connected(struct portshare_primary *pri)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint16_t p, target;
	int t = bound("127.0.0.1", &target), fd = bound("127.0.0.1", &p);

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(target);
	OK(t >= 0 && fd >= 0 && !connect(fd, (void *)&to, sizeof(to)),
	   "sock_diag: a socket connected to :%u", target);
	OK(owner_is_me(pri, p, target), "sock_diag: found from its peer");
	OK(!owner_is_me(pri, p, target + 1),
	   "sock_diag: not found from another port (it would not receive)");
	close(fd);
	close(t);
}

int main(void)
{
	struct portshare_primary *pri = calloc(1, sizeof(*pri));

	if (!pri)
		return 1;
	test_sockets(pri, "first lookup");
	if (pri->diag > 0)
		test_connected(pri);
	else
		printf("# sock_diag cannot find UDP sockets here (no udp_diag)\n");
	pri->diag = -1;
	test_sockets(pri, "/proc/net/udp");
	free(pri);
	return tap_done();
}
