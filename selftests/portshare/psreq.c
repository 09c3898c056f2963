// SPDX-License-Identifier: GPL-2.0
/*
 * psreq: a registration-port client for register.sh.  It sends requests
 * (DESIGN §3, Table 2) and prints the exact bytes of every reply.
 *
 *   psreq [-n NETNS] --to ADDR:PORT [--from ADDR[:PORT]] [--wait MS]
 *         [--probe TEXT] [--src] [--connect] [--repeat N] REQUEST...
 *
 * Each REQUEST is sent as one datagram from one socket, bound to --from
 * (default: any address, an ephemeral port).  Escapes: \\ \t \r \n \0 and
 * \xHH.  "@N" stands for N bytes of 'A'.
 *
 * For each REQUEST one line is printed: its replies, each escaped the
 * same way (bytes outside printable ASCII as \xHH, a backslash as \\),
 * joined by " || ", or "-" when there is none.  With --src every reply is
 * preceded by its source, "ADDR:PORT ".  The line is complete once:
 *
 * - with --probe: TEXT, sent from a second socket on the same address
 *   right after the request, has been answered.  The primary answers in
 *   order, so silence is proven without waiting.  No answer to the probe
 *   within --wait MS is an error (exit 3).
 * - without: a reply came and 50 ms passed without another, or --wait MS
 *   (default 1000) passed without any.
 *
 * --connect connects the socket to --to, so that an ICMP port unreachable
 * comes back as an error: the line is then "refused", at once.
 *
 * --repeat N sends every REQUEST N times back to back and then prints
 * "replies K span_us U": the replies that came until --wait MS passed
 * without one, and the microseconds from the first send to the last
 * reply (to the last send if none came).  Whatever the primary decided
 * about the requests it answered, it decided within that span.  With
 * --from given more than once (up to 8, --repeat only), each source in
 * turn sends its N, and the line has one K per source:
 * "replies K1 K2 ... span_us U".
 *
 * In C rather than python3: under TCG a python3 start costs seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define MAX_DGRAM 65536
#define MAX_FROM 8

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The datagram a REQUEST argument stands for. */
static size_t unescape(const char *s, char *out)
{
	size_t n = 0;
	long fill;

	if (s[0] == '@' && s[1]) {
		fill = strtol(s + 1, NULL, 10);
		if (fill < 0 || fill > MAX_DGRAM)
			die_with(2, "%s: bad size", s);
		memset(out, 'A', fill);
		return fill;
	}
	for (; *s; s++) {
		if (*s != '\\') {
			out[n++] = *s;
			continue;
		}
		switch (*++s) {
		case 't': out[n++] = '\t'; break;
		case 'r': out[n++] = '\r'; break;
		case 'n': out[n++] = '\n'; break;
		case '0': out[n++] = '\0'; break;
		case '\\': out[n++] = '\\'; break;
		case 'x':
			if (hexval(s[1]) < 0 || hexval(s[2]) < 0)
				die_with(2, "bad \\x escape");
			out[n++] = (char)(hexval(s[1]) << 4 | hexval(s[2]));
			s += 2;
			break;
		default:
			die_with(2, "bad escape \\%c", *s);
		}
	}
	return n;
}

static void print_escaped(const unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\\')
			fputs("\\\\", stdout);
		else if (buf[i] >= ' ' && buf[i] <= '~')
			putchar(buf[i]);
		else
			printf("\\x%02x", buf[i]);
	}
}

static void print_src(const struct sockaddr_storage *ss)
{
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		printf("%s:%u ", a, ntohs(in->sin_port));
	} else {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		printf("[%s]:%u ", a, ntohs(in6->sin6_port));
	}
}

static int udp_socket(const struct ep *to, const struct ep *from)
{
	int fd, one = 1;
	struct ep any;

	fd = socket(to->family, SOCK_DGRAM, 0);
	if (fd < 0)
		die_with(1, "socket: %s", strerror(errno));
	if (to->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (!from) {
		memset(&any, 0, sizeof(any));
		any.family = to->family;
		any.sa.sa_family = to->family;
		any.len = to->len;
		from = &any;
	}
	if (from->family != to->family)
		die_with(2, "--from and --to differ in family");
	if (bind(fd, &from->sa, from->len))
		die_with(1, "bind: %s", strerror(errno));
	return fd;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * One reply within @ms, appended to the line unless @quiet; false if none
 * came.  A refused request (--connect) appends "refused".
 */
static bool recv_one(int fd, int ms, bool src, bool quiet, int *nrep)
{
	static unsigned char buf[MAX_DGRAM];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return false;
	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (void *)&ss, &sl);
	if (n < 0 && errno == ECONNREFUSED && !quiet) {
		fputs(*nrep ? " || refused" : "refused", stdout);
		(*nrep)++;
		return true;
	}
	if (n < 0)
		return false;
	if (quiet) {
		(*nrep)++;
		return true;
	}
	if (*nrep)
		fputs(" || ", stdout);
	if (src)
		print_src(&ss);
	print_escaped(buf, n);
	(*nrep)++;
	return true;
}

static void drain_probe(int pfd, int ms)
{
	int n = 0;

	if (!recv_one(pfd, ms, false, true, &n))
		die_with(3, "no reply to the probe within %d ms", ms);
}

static void send_dgram(int fd, const struct ep *to, const char *buf,
		       size_t len)
{
	ssize_t n = sendto(fd, buf, len, 0, &to->sa, to->len);

	/* an earlier request's ICMP error (--connect) is reported once */
	if (n < 0 && errno == ECONNREFUSED)
		n = sendto(fd, buf, len, 0, &to->sa, to->len);
	if (n != (ssize_t)len)
		die_with(1, "sendto: %s", strerror(errno));
}

/* --repeat: each socket sends @n, then every reply is counted. */
static void repeat_from(const int *fds, int nfds, const struct ep *to,
			const char *buf, size_t len, int n, int wait_ms)
{
	struct pollfd pfd[MAX_FROM];
	int i, k, nrep[MAX_FROM] = { 0 };
	uint64_t first, last;
	char reply[64];

	first = now_us();
	for (i = 0; i < nfds; i++) {
		for (k = 0; k < n; k++)
			send_dgram(fds[i], to, buf, len);
		pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	}
	last = now_us();
	while (poll(pfd, nfds, wait_ms) > 0) {
		for (i = 0; i < nfds; i++)
			if (pfd[i].revents &&
			    recv(fds[i], reply, sizeof(reply), MSG_DONTWAIT) >= 0)
				nrep[i]++;
		last = now_us();
	}
	fputs("replies", stdout);
	for (i = 0; i < nfds; i++)
		printf(" %d", nrep[i]);
	printf(" span_us %llu\n", (unsigned long long)(last - first));
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "to", 1, 0, 't' }, { "from", 1, 0, 'f' },
		{ "wait", 1, 0, 'w' }, { "probe", 1, 0, 'p' },
		{ "src", 0, 0, 's' }, { "repeat", 1, 0, 'r' },
		{ "netns", 1, 0, 'n' }, { "connect", 0, 0, 'c' }, { 0 },
	};
	const char *to_s = NULL, *from_s = NULL, *probe = NULL;
	const char *more_from[MAX_FROM];
	static char buf[MAX_DGRAM + 1], pbuf[1024];
	struct ep to, from, pfrom;
	int c, fd, pfd = -1, wait_ms = 1000, repeat = 0, i, k, nrep;
	int fds[MAX_FROM], nfrom = 0;
	bool src = false, conn = false;
	size_t len, plen = 0;

	while ((c = getopt_long(argc, argv, "n:", lo, NULL)) != -1) {
		switch (c) {
		case 't': to_s = optarg; break;
		case 'f':
			if (nfrom == MAX_FROM)
				die_with(2, "at most %d --from", MAX_FROM);
			more_from[nfrom++] = optarg;
			from_s = more_from[0];
			break;
		case 'w': wait_ms = atoi(optarg); break;
		case 'p': probe = optarg; break;
		case 's': src = true; break;
		case 'r': repeat = atoi(optarg); break;
		case 'n': enter_netns(optarg); break;
		case 'c': conn = true; break;
		default: die_with(2, "usage: see the source");
		}
	}
	if (!to_s)
		die_with(2, "--to is required");
	if (nfrom > 1 && !repeat)
		die_with(2, "more than one --from needs --repeat");
	parse_ep(to_s, true, &to);
	if (from_s)
		parse_ep(from_s, false, &from);
	fd = udp_socket(&to, from_s ? &from : NULL);
	fds[0] = fd;
	for (k = 1; k < nfrom; k++) {
		struct ep other;

		parse_ep(more_from[k], false, &other);
		fds[k] = udp_socket(&to, &other);
	}
	if (conn && connect(fd, &to.sa, to.len))
		die_with(1, "connect: %s", strerror(errno));
	if (probe) {
		if (from_s) {
			pfrom = from;
			if (pfrom.family == AF_INET)
				pfrom.in.sin_port = 0;
			else
				pfrom.in6.sin6_port = 0;
		}
		pfd = udp_socket(&to, from_s ? &pfrom : NULL);
		plen = unescape(probe, pbuf);
	}
	for (i = optind; i < argc; i++) {
		len = unescape(argv[i], buf);
		if (repeat) {
			repeat_from(fds, nfrom ? nfrom : 1, &to, buf, len,
				    repeat, wait_ms);
			continue;
		}
		send_dgram(fd, &to, buf, len);
		nrep = 0;
		if (pfd >= 0) {
			send_dgram(pfd, &to, pbuf, plen);
			drain_probe(pfd, wait_ms);
			while (recv_one(fd, 20, src, false, &nrep))
				;
		} else if (recv_one(fd, wait_ms, src, false, &nrep)) {
			while (recv_one(fd, 50, src, false, &nrep))
				;
		}
		if (!nrep)
			putchar('-');
		putchar('\n');
		fflush(stdout);
	}
	return 0;
}
