/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the suites' C helpers (pstraffic, psreq, psstress, psqueue,
 * pshard) share: dying with a message, entering a namespace by its
 * "ip netns" name, going to the background once ready, and reading an
 * address and port from the command line.
 */
#ifndef PORTSHARE_SELFTEST_TOOL_H
#define PORTSHARE_SELFTEST_TOOL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* The exit status of die(); 1 unless a tool documents another. */
extern int die_status;

/* "PROGRAM: MESSAGE" on stderr, then exit(die_status). */
void die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
/* The same with exit status @status. */
void die_with(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/* setns() into /run/netns/NAME, or die. */
void enter_netns(const char *name);

/*
 * Fork; the parent writes the child's pid to @pidfile and exits 0, so
 * whoever started the tool knows it is ready once the command returns.
 */
void daemonize(const char *pidfile);

/* An address and port, ready for bind(), connect() and sendto(). */
struct ep {
	int family;		/* AF_INET or AF_INET6 */
	socklen_t len;		/* of the sockaddr */
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_storage ss;
	};
};

/*
 * "1.2.3.4:5", "[::1]:5", "1.2.3.4" or "::1" (port 0) into @ep; with
 * @need_port the port must be given.  Anything else dies with exit
 * status 2 and says what was wrong.
 */
void parse_ep(const char *text, bool need_port, struct ep *ep);
uint16_t ep_port(const struct ep *ep);
/* The address in network order: 4 bytes for AF_INET, else 16. */
const void *ep_addr(const struct ep *ep);

#endif
