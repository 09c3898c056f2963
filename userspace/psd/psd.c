// SPDX-License-Identifier: GPL-2.0
/*
 * psd: the userspace primary.  Options, the event loop, signals (SIGTERM
 * and SIGINT: SHUTDOWN to every secondary, then exit; SIGUSR1: counters
 * to stderr).  See docs/psd.8.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "psd.h"

#define SIG_TAG		UINT32_MAX

static const char *const mode_names[] = { "encap", "raw", "transparent" };

void psd_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("psd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void psd_addr_text(const struct portshare_addr *a, char *buf)
{
	if (portshare_addr_format(a, buf, PORTSHARE_ADDR_STRLEN) < 0)
		strcpy(buf, "?");
}

static void usage(FILE *f)
{
	fputs("usage: psd [-v] [-m MAX] [-a NET[/LEN][,third-party]]...\n"
	      "           [-s PORT,ADDR,DATAPORT[,MODE]]... [--reg-rate N] [--reg-burst N]\n"
	      "           [--ready-fd FD] PORT[:REGPORT]...\n"
	      "Be the primary of each contested PORT: bind it, then its registration port\n"
	      "(PORT + 13000 unless given), answer ADD and DROP there and send every\n"
	      "secondary a copy of every datagram. See psd(8).\n", f);
}

static bool num(const char *s, unsigned long min, unsigned long max,
		unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && *s >= '0' && *s <= '9' && !*end && *out >= min &&
	       *out <= max;
}

static int add_port(struct psd *d, const char *arg)
{
	struct psd_port *p = &d->ports[d->nports];
	char spec[16], *colon;
	unsigned long port, reg = 0;

	/* a copy: argv stays as given, for ps(1) */
	if (strlen(arg) >= sizeof(spec))
		return -1;
	strcpy(spec, arg);
	colon = strchr(spec, ':');
	if (colon)
		*colon++ = '\0';
	if (d->nports == PSD_MAX_PORTS || !num(spec, 1, 65535, &port) ||
	    (colon && !num(colon, 1, 65535, &reg)))
		return -1;
	if (!reg)
		reg = portshare_default_reg_port((uint16_t)port);
	if (!reg) {
		psd_log("port %lu: give a registration port (PORT:REGPORT) above 52535",
			port);
		return -1;
	}
	if (psd_is_contested(d, (uint16_t)port) ||
	    psd_is_contested(d, (uint16_t)reg) || reg == port) {
		psd_log("port %lu: given twice or collides", port);
		return -1;
	}
	memset(p, 0, sizeof(*p));
	p->port = (uint16_t)port;
	p->reg_port = (uint16_t)reg;
	d->nports++;
	return 0;
}

/* The source address routing picks for @a: family 0 if none. */
static void route_src(const struct portshare_addr *a, uint16_t port,
		      struct portshare_addr *src)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	memset(src, 0, sizeof(*src));
	len = (socklen_t)portshare_addr_to_sockaddr(a, port, &ss);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (!connect(fd, (struct sockaddr *)&ss, len)) {
		len = sizeof(ss);
		if (!getsockname(fd, (struct sockaddr *)&ss, &len))
			portshare_addr_from_sockaddr((struct sockaddr *)&ss,
						     src, NULL);
	}
	close(fd);
}

/* -s PORT,ADDR,DATAPORT[,MODE]: a secondary that needs no registration. */
static int add_static(struct psd *d, const char *arg)
{
	char spec[128], *port, *addr, *dport, *mode;
	struct psd_sec s = { 0 };
	unsigned long pn, dn;
	unsigned int i;
	int err;

	if (strlen(arg) >= sizeof(spec))
		return -1;
	strcpy(spec, arg);
	port = strtok(spec, ",");
	addr = strtok(NULL, ",");
	dport = strtok(NULL, ",");
	mode = strtok(NULL, ",");
	if (!port || !addr || !dport || strtok(NULL, ",") ||
	    !num(port, 1, 65535, &pn) || !num(dport, 1, 65535, &dn) ||
	    portshare_addr_parse(addr, &s.addr))
		return -1;
	for (i = 0; mode && i < 3 && strcmp(mode, mode_names[i]); i++)
		;
	if (i == 3)
		return -1;
	s.mode = (uint8_t)(mode ? i : 0);
	s.data_port = (uint16_t)dn;
	route_src(&s.addr, s.data_port, &s.src);
	for (i = 0; i < d->nports; i++) {
		if (d->ports[i].port != pn)
			continue;
		err = psd_sec_add(d, &d->ports[i], &s);
		if (err)
			psd_log("-s %s: %s", addr, portshare_strerror(err));
		return err ? -1 : 0;
	}
	psd_log("-s: port %lu is not one of psd's ports", pn);
	return -1;
}

enum { OPT_RATE = 256, OPT_BURST, OPT_READY };

static int parse_args(struct psd *d, int argc, char **argv, char ***statics)
{
	static const struct option lopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "max", required_argument, NULL, 'm' },
		{ "acl", required_argument, NULL, 'a' },
		{ "static", required_argument, NULL, 's' },
		{ "reg-rate", required_argument, NULL, OPT_RATE },
		{ "reg-burst", required_argument, NULL, OPT_BURST },
		{ "ready-fd", required_argument, NULL, OPT_READY },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long v;
	int c, ns = 0;

	while ((c = getopt_long(argc, argv, "vm:a:s:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			d->verbose = true;
			break;
		case 'm':
			if (!num(optarg, 1, PORTSHARE_MAX_SECONDARIES_LIMIT, &v))
				goto bad;
			d->max_secs = (unsigned int)v;
			break;
		case 'a':
			if (psd_acl_add(d, optarg))
				return -1;
			break;
		case 's':
			(*statics)[ns++] = optarg;
			break;
		case OPT_RATE:
			if (!num(optarg, 0, 1000000, &v))
				goto bad;
			d->reg_rate = (unsigned int)v;
			break;
		case OPT_BURST:
			if (!num(optarg, 1, 1000000, &v))
				goto bad;
			d->reg_burst = (unsigned int)v;
			break;
		case OPT_READY:
			if (!num(optarg, 0, INT32_MAX, &v))
				goto bad;
			d->ready_fd = (int)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind == argc) {
		psd_log("no PORT given");
		usage(stderr);
		return -1;
	}
	for (; optind < argc; optind++) {
		if (add_port(d, argv[optind])) {
			psd_log("'%s' is not PORT[:REGPORT]", argv[optind]);
			return -1;
		}
	}
	return 0;
bad:
	for (ns = 0; lopts[ns].name && lopts[ns].val != c; ns++)
		;
	psd_log("invalid argument to --%s: '%s'", lopts[ns].name, optarg);
	return -1;
}

static void dump_stats(const struct psd *d)
{
	static const char *const drops[PSD_NDROP] = {
		"drop_nomem", "drop_noroute", "drop_xmit", "drop_family",
		"drop_toobig",
	};
	char a[PORTSHARE_ADDR_STRLEN];
	unsigned int i, j, k;

	for (i = 0; i < d->nports; i++) {
		const struct psd_port *p = &d->ports[i];

		fprintf(stderr, "port %u reg %u%s rx %" PRIu64 " shared %" PRIu64
			" err_loop %" PRIu64 " reg_requests %" PRIu64
			" reg_ok %" PRIu64 " reg_errors %" PRIu64
			" reg_denied %" PRIu64 " reg_rate_limited %" PRIu64
			" reg_ignored %" PRIu64 "\n", p->port, p->reg_port,
			p->standalone ? " standalone" : "", p->rx, p->shared,
			p->err_loop, p->reg[PSD_REG_REQUESTS],
			p->reg[PSD_REG_OK], p->reg[PSD_REG_ERRORS],
			p->reg[PSD_REG_DENIED], p->reg[PSD_REG_RATE_LIMITED],
			p->reg[PSD_REG_IGNORED]);
		for (j = 0; j < p->nsecs; j++) {
			const struct psd_sec *s = &p->secs[j];

			psd_addr_text(&s->addr, a);
			fprintf(stderr, "  sec %s %u mode %s copies %" PRIu64
				" bytes %" PRIu64, a, s->data_port,
				mode_names[s->mode], s->copies, s->bytes);
			for (k = 0; k < PSD_NDROP; k++)
				fprintf(stderr, " %s %" PRIu64, drops[k],
					s->drops[k]);
			fputc('\n', stderr);
		}
	}
}

static int sig_open(struct psd *d)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = SIG_TAG };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	d->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sigfd < 0 || epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->sigfd, &ev))
		return -errno;
	return 0;
}

/* Return: true to go on, false on SIGTERM or SIGINT. */
static bool on_signal(struct psd *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1)
			dump_stats(d);
		else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			return false;
	}
	return true;
}

static int loop(struct psd *d)
{
	struct epoll_event ev[32];
	int n, i;
	uint32_t tag;

	for (;;) {
		n = epoll_wait(d->epfd, ev, 32, -1);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (i = 0; i < n; i++) {
			tag = ev[i].data.u32;
			if (tag == SIG_TAG) {
				if (!on_signal(d))
					return 0;
				continue;
			}
			if (tag & 2)
				psd_reg_input(d, &d->ports[tag / 4], tag & 1);
			else
				psd_forward_input(d, &d->ports[tag / 4],
						  tag & 1);
		}
	}
}

/* FIG. 3 for every port; ports another application holds are left out. */
static int open_ports(struct psd *d)
{
	unsigned int i, j = 0;
	int ret;

	for (i = 0; i < d->nports; i++) {
		d->ports[j] = d->ports[i];
		ret = psd_port_open(d, &d->ports[j]);
		if (ret) {
			psd_log("port %u: %s: not its primary", d->ports[i].port,
				strerror(-ret));
			free(d->ports[j].secs);
			continue;
		}
		j++;
	}
	d->nports = j;
	return j ? 0 : -1;
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

int main(int argc, char **argv)
{
	static struct psd d = {
		.max_secs = PORTSHARE_DEFAULT_MAX_SECONDARIES,
		.reg_rate = 10, .reg_burst = 20, .raw = { -1, -1 },
		.ready_fd = -1,
	};
	char **statics = calloc((size_t)argc, sizeof(char *));
	unsigned int i;
	int ret;

	setvbuf(stderr, NULL, _IOLBF, 0);
	if (!statics || parse_args(&d, argc, argv, &statics))
		return 2;
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.epfd < 0 || sig_open(&d) || psd_forward_init(&d)) {
		psd_log("setup: %s", strerror(errno));
		return 1;
	}
	for (i = 0; statics[i]; i++)
		if (add_static(&d, statics[i])) {
			psd_log("-s: give PORT,ADDR,DATAPORT[,encap|raw|transparent]");
			return 2;
		}
	if (open_ports(&d))
		return 1;
	ready(&d);
	ret = loop(&d);
	for (i = 0; i < d.nports; i++) {
		psd_port_shutdown(&d, &d.ports[i]);
		psd_port_close(&d.ports[i]);
		free(d.ports[i].secs);
	}
	if (d.verbose)
		psd_log("shut down");
	psd_forward_fini();
	free(d.own);
	free(statics);
	return ret ? 1 : 0;
}
