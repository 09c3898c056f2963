/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the suites' C helpers (pstraffic, psreq, psstress, psqueue,
 * pshard) share: dying with a message, entering a namespace by its
 * "ip netns" name, going to the background once ready.
 */
#ifndef PORTSHARE_SELFTEST_TOOL_H
#define PORTSHARE_SELFTEST_TOOL_H

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

#endif
