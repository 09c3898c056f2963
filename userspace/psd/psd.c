// SPDX-License-Identifier: GPL-2.0
/*
 * psd: the userspace primary.  Setup in the order of FIG. 3 (bind, then
 * drop privileges, then tell --ready-fd), then one epoll loop over the
 * primary's descriptor, a signalfd (SIGTERM and SIGINT: SHUTDOWN to
 * every secondary, then exit; SIGUSR1: counters to stderr and to the
 * --metrics-file) and, with --metrics-file, a timer that rewrites that
 * file.  See docs/psd.8.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "psd.h"

enum { TAG_PRIMARY, TAG_SIGNAL, TAG_METRICS };

static int sig_open(struct psd *d, int epfd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = TAG_SIGNAL };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	d->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sigfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, d->sigfd, &ev))
		return -errno;
	return 0;
}

/* Rewrite --metrics-file; log when writing starts or stops failing. */
static int metrics_update(struct psd *d)
{
	int err = psd_metrics_write(d);

	if (err && err != d->metrics_err)
		psd_log("cannot write --metrics-file %s: %s (psd runs as uid %u: its directory must be writable by it)",
			d->metrics_file, strerror(-err),
			(unsigned int)geteuid());
	else if (!err && d->metrics_err)
		psd_log("--metrics-file %s: written again", d->metrics_file);
	d->metrics_err = err;
	return err;
}

/* Write --metrics-file now and every --metrics-interval seconds. */
static int metrics_start(struct psd *d, int epfd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = TAG_METRICS };
	struct itimerspec its = {
		.it_value.tv_sec = d->metrics_interval,
		.it_interval.tv_sec = d->metrics_interval,
	};

	if (!d->metrics_file)
		return 0;
	if (metrics_update(d))
		return -1;
	d->metrics_timer = timerfd_create(CLOCK_MONOTONIC,
					  TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->metrics_timer < 0 ||
	    timerfd_settime(d->metrics_timer, 0, &its, NULL) ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, d->metrics_timer, &ev)) {
		psd_log("--metrics-interval timer: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void on_metrics_timer(struct psd *d)
{
	uint64_t expirations;

	if (read(d->metrics_timer, &expirations, sizeof(expirations)) ==
	    sizeof(expirations))
		metrics_update(d);
}

/* Return: true to go on, false on SIGTERM or SIGINT. */
static bool on_signal(struct psd *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			psd_dump_stats(d);
			if (d->metrics_file)
				metrics_update(d);
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			return false;
	}
	return true;
}

static int loop(struct psd *d, int epfd)
{
	struct epoll_event ev[3];
	int n, i;

	for (;;) {
		n = epoll_wait(epfd, ev, 3, -1);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (i = 0; i < n; i++) {
			if (ev[i].data.u32 == TAG_PRIMARY)
				portshare_primary_dispatch(d->pri, 0);
			else if (ev[i].data.u32 == TAG_METRICS)
				on_metrics_timer(d);
			else if (!on_signal(d))
				return 0;
		}
	}
}

/* ", dead E/S s" or ", dead off", and ", hold N s", if not the defaults. */
static void dead_text(const struct portshare_dead *d, char *buf, size_t size)
{
	int n = 0;

	if (!d->errors)
		n = snprintf(buf, size, ", dead off");
	else if (d->errors != PORTSHARE_DEAD_ERRORS_DEFAULT ||
		 d->period != PORTSHARE_DEAD_PERIOD_DEFAULT)
		n = snprintf(buf, size, ", dead %u/%u s", d->errors, d->period);
	if (d->hold != PORTSHARE_HOLD_DEFAULT)
		snprintf(buf + n, size - (size_t)n, ", hold %u s", d->hold);
}

/* "port P: primary ...", with the limits wire registrations get. */
static void log_port(const struct psd_port_spec *s)
{
	char lease[32] = "", rate[64] = "", ttl[16] = "", dead[64] = "";

	if (s->lim.lease)
		snprintf(lease, sizeof(lease), ", lease %u s", s->lim.lease);
	if (s->lim.rate.rate)
		snprintf(rate, sizeof(rate), ", rate %u/s burst %u",
			 s->lim.rate.rate,
			 s->lim.rate.burst ?: s->lim.rate.rate);
	if (s->lim.rate.ttl)
		snprintf(ttl, sizeof(ttl), ", ttl %u", s->lim.rate.ttl);
	dead_text(&s->dead, dead, sizeof(dead));
	psd_log("port %u: primary, registration port %u%s%s%s%s", s->port,
		s->reg_port, lease, rate, ttl, dead);
}

/* FIG. 3 for every port; ports another application holds are left out. */
static int open_ports(struct psd *d)
{
	struct portshare_port_info info;
	const struct psd_port_spec *s;
	unsigned int i, bound = 0;
	int ret;

	for (i = 0; i < d->nspecs; i++) {
		s = &d->specs[i];
		ret = portshare_primary_add_port(d->pri, s->port, s->reg_port);
		if (ret < 0) {
			psd_log("port %u: %s: not its primary", s->port,
				portshare_strerror(ret));
			continue;
		}
		bound++;
		portshare_primary_port_info(d->pri, s->port, &info);
		portshare_primary_port_lease(d->pri, s->port, s->lim.lease);
		portshare_primary_port_rate(d->pri, s->port, &s->lim.rate);
		portshare_primary_port_dead(d->pri, s->port, &s->dead);
		if (info.standalone)
			psd_log("port %u: registration port %u: %s: standalone, no secondaries can register",
				s->port, s->reg_port,
				portshare_strerror(info.reg_error));
		else
			log_port(s);
	}
	return bound ? 0 : -1;
}

/* --ready-fd: tell whoever started psd that its ports are bound. */
static void ready(struct psd *d)
{
	static const char msg[] = "READY\n";

	if (d->ready_fd < 0)
		return;
	if (write(d->ready_fd, msg, sizeof(msg) - 1) < 0)
		psd_log("--ready-fd %d: %s", d->ready_fd, strerror(errno));
	close(d->ready_fd);
	d->ready_fd = -1;
}

/* The primary with psd's rules; 0, 1 (setup failed) or 2 (usage). */
static int primary_open(struct psd *d)
{
	int err;

	if (d->verbose)
		d->opts.on_request = psd_log_request;
	err = portshare_primary_new(&d->pri, &d->opts);
	if (err) {
		psd_log("setup: %s", portshare_strerror(err));
		return 1;
	}
	if (d->verbose)
		portshare_primary_on_state(d->pri, psd_log_state, NULL);
	err = portshare_primary_transparent(d->pri);
	if (err)
		psd_log("no raw socket (%s): transparent copies will be dropped",
			portshare_strerror(err));
	return psd_add_acls(d) ? 2 : 0;
}

/* Everything before the loop: 0, or psd's exit status. */
static int setup(struct psd *d, int epfd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = TAG_PRIMARY };
	int ret;

	ret = primary_open(d);
	if (ret)
		return ret;
	if (sig_open(d, epfd) ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, portshare_primary_fd(d->pri), &ev)) {
		psd_log("setup: %s", strerror(errno));
		return 1;
	}
	if (open_ports(d))
		return 1;
	if (psd_add_statics(d))
		return 2;
	if (psd_drop_privileges(d->user, d->verbose))
		return 1;
	if (metrics_start(d, epfd))
		return 1;
	ready(d);
	return 0;
}

int main(int argc, char **argv)
{
	static struct psd d = {
		.ready_fd = -1,
		.sigfd = -1,
		.metrics_interval = PSD_METRICS_INTERVAL,
		.metrics_timer = -1,
	};
	int epfd, ret;

	setvbuf(stderr, NULL, _IOLBF, 0);
	portshare_primary_opts_init(&d.opts);
	if (psd_parse_args(&d, argc, argv))
		return 2;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		psd_log("setup: %s", strerror(errno));
		return 1;
	}
	ret = setup(&d, epfd);
	if (!ret) {
		ret = loop(&d, epfd) ? 1 : 0;
		portshare_primary_close(d.pri);	/* SHUTDOWN to all */
		if (d.verbose)
			psd_log("shut down");
	} else {
		portshare_primary_close(d.pri);
	}
	free(d.acls);
	free(d.statics);
	return ret;
}
