// SPDX-License-Identifier: GPL-2.0
/*
 * monitor: print events as they happen, one line each (text in command
 * syntax, or one compact JSON object with the time it was read and the
 * namespace, for log pipelines), until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "psnl.h"

static volatile sig_atomic_t stop_requested;
static bool output_failed;
static const char *netns_name;	/* -n NAME, or the one psnl runs in */

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Now, in RFC 3339 with nanoseconds, UTC: 2026-12-01T10:15:30.123456789Z */
static void format_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t len;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	len = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + len, size - len, ".%09ldZ", ts.tv_nsec);
}

static void print_event(const struct psnl_record *rec)
{
	struct psnl_event_meta meta = { .netns = netns_name };
	char now[64];

	format_now(now, sizeof(now));
	meta.time = now;
	print_begin_line();
	psnl_format_event(rec, &meta);
	print_end_line();
	if (ferror(stdout))
		output_failed = true;
}

/*
 * SIGINT and SIGTERM stay blocked except inside ppoll(), so a signal can
 * never slip in between the check of stop_requested and the wait.
 */
static void catch_stop_signals(sigset_t *wait_mask, sigset_t *saved_mask,
			       struct sigaction saved[2])
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, saved_mask);
	*wait_mask = *saved_mask;
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &saved[0]);
	sigaction(SIGTERM, &sa, &saved[1]);
}

static void restore_signals(const sigset_t *saved_mask,
			    const struct sigaction saved[2])
{
	sigaction(SIGINT, &saved[0], NULL);
	sigaction(SIGTERM, &saved[1], NULL);
	sigprocmask(SIG_SETMASK, saved_mask, NULL);
}

static int wait_and_print(struct psnl_events *ev, const sigset_t *wait_mask)
{
	struct pollfd pfd = { .fd = psnl_events_fd(ev), .events = POLLIN };
	int err = 0;

	while (!stop_requested && !err) {
		if (ppoll(&pfd, 1, NULL, wait_mask) < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			psnl_error("cannot wait for events: %s", strerror(-err));
			return err;
		}
		err = psnl_events_read(ev, print_event);
		if (!err && output_failed) {
			psnl_error("cannot write output: %s", strerror(errno));
			err = -EIO;
		}
	}
	return err;
}

static int do_monitor(struct psnl *ps, int argc, char **argv)
{
	static char own_netns[NAME_MAX + 1];
	struct sigaction saved[2];
	sigset_t wait_mask, saved_mask;
	struct psnl_events *ev;
	int err = psnl_no_more_args(argc, argv, 0);

	if (err)
		return err;
	netns_name = ps->netns ? ps->netns :
		     psnl_netns_identify(own_netns, sizeof(own_netns));
	err = psnl_nl_open(ps);
	if (err)
		return err;
	ev = psnl_events_subscribe(ps->nl);
	if (ev) {
		stop_requested = 0;
		output_failed = false;
		catch_stop_signals(&wait_mask, &saved_mask, saved);
		err = wait_and_print(ev, &wait_mask);
		restore_signals(&saved_mask, saved);
		psnl_events_free(ev);
	}
	/* The socket is subscribed and non-blocking: not for requests. */
	psnl_nl_close(ps);
	return ev ? err : -EIO;
}

const struct psnl_cmd psnl_cmd_monitor = {
	.name = "monitor",
	.args = "",
	.help = "print events until interrupted\n"
		"Ports added and deleted, secondaries added and dropped, found\n"
		"dead or up again (state), and SHUTDOWNs sent, one line each;\n"
		"with -j one JSON object a line, with the time it was read and\n"
		"the namespace (\"time\", \"netns\").",
	.handler = do_monitor,
};
