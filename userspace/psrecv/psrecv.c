// SPDX-License-Identifier: GPL-2.0
/*
 * psrecv: register as a secondary on one or more contested ports and
 * print every copy (US 6,363,081 FIG. 5; FIG. 2 with several ports), or
 * write the original datagrams as a pcap stream.  See docs/psrecv.1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "psrecv.h"

struct opts {
	const char *primary;
	struct portshare_reg_opts reg;
	struct portshare_prefix from[PORTSHARE_FROM_MAX];	/* -f */
	size_t nfrom;
	uint32_t lease;		/* -l, seconds; 0: none asked */
	uint32_t rate;		/* -R, copies a second; 0: none asked */
	bool json, quiet;
	const char *pcap;
	unsigned long count;
	long seconds;
	bool failover;
	const char *psd;
	pid_t psd_pid;		/* the psd this psrecv started, if it runs */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fputs("usage: psrecv [-p HOST] [-r REGPORT] [-m encap|raw|transparent] [-o]\n"
	      "              [-d DATAPORT] [-f PREFIX]... [-l SECONDS] [-R PPS] [-j]\n"
	      "              [-w FILE|-] [-c COUNT]\n"
	      "              [-t SECONDS] [-q]\n"
	      "              [-F [--psd PATH]] PORT[:REGPORT]...\n"
	      "Register with the primary on HOST (default 127.0.0.1) for copies of the\n"
	      "datagrams to each PORT and print them, one line each (-j: JSON), or\n"
	      "write them as pcap (-w). See psrecv(1).\n", f);
}

static bool parse_num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && *s >= '0' && *s <= '9' && !*end && *out <= max;
}

static bool parse_port(const char *s, uint16_t *port)
{
	unsigned long v;

	if (!parse_num(s, 65535, &v) || !v)
		return false;
	*port = (uint16_t)v;
	return true;
}

static int parse_mode(const char *s)
{
	if (!strcmp(s, "encap"))
		return PORTSHARE_MODE_ENCAP;
	if (!strcmp(s, "raw"))
		return PORTSHARE_MODE_RAW;
	if (!strcmp(s, "transparent"))
		return PORTSHARE_MODE_TRANSPARENT;
	return -1;
}

/*
 * -l SECONDS or -R PPS, 1..@max, @what it is: the number in @out; -1
 * said why not.
 */
static int set_count(int c, const char *what, const char *arg,
		     unsigned long max, uint32_t *out)
{
	unsigned long v;

	if (!parse_num(arg, max, &v) || !v) {
		fprintf(stderr, "psrecv: -%c %s: give %s, 1..%lu\n", c, arg,
			what, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* -f PREFIX: one more network of the source filter; -1 said why not. */
static int add_from(struct opts *o, const char *arg)
{
	int err;

	if (o->nfrom == PORTSHARE_FROM_MAX) {
		fprintf(stderr, "psrecv: -f %s: at most %d prefixes; give a "
			"shorter prefix that covers several\n", arg,
			PORTSHARE_FROM_MAX);
		return -1;
	}
	err = portshare_prefix_parse(arg, &o->from[o->nfrom]);
	if (err) {
		fprintf(stderr, "psrecv: -f %s: %s; give ADDR or ADDR/LEN, "
			"with no bits set after LEN (192.0.2.0/24)\n", arg,
			portshare_strerror(err));
		return -1;
	}
	o->nfrom++;
	return 0;
}

static const struct option long_opts[] = {
	{ "primary", required_argument, NULL, 'p' },
	{ "reg-port", required_argument, NULL, 'r' },
	{ "mode", required_argument, NULL, 'm' },
	{ "own-socket", no_argument, NULL, 'o' },
	{ "data-port", required_argument, NULL, 'd' },
	{ "from", required_argument, NULL, 'f' },
	{ "lease", required_argument, NULL, 'l' },
	{ "rate", required_argument, NULL, 'R' },
	{ "json", no_argument, NULL, 'j' },
	{ "write", required_argument, NULL, 'w' },
	{ "count", required_argument, NULL, 'c' },
	{ "time", required_argument, NULL, 't' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "failover", no_argument, NULL, 'F' },
	{ "psd", required_argument, NULL, 'P' },	/* long only */
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

#define SHORT_OPTS	"p:r:m:od:f:l:R:jw:c:t:qFh"

/* What an option group's handler made of one option. */
enum opt_ret {
	OPT_OK,
	OPT_BAD,	/* a bad value: parse_opts() says which, with usage */
	OPT_FAILED,	/* refused, and the handler said why */
	OPT_OTHER,	/* not an option of this group */
};

/* Where and how to register: the primary, the ADD's fields, failover. */
static enum opt_ret reg_opt(struct opts *o, int c, const char *arg)
{
	switch (c) {
	case 'p':
		o->primary = arg;
		return OPT_OK;
	case 'r':
		return parse_port(arg, &o->reg.reg_port) ? OPT_OK : OPT_BAD;
	case 'm':
		o->reg.mode = parse_mode(arg);
		return o->reg.mode < 0 ? OPT_BAD : OPT_OK;
	case 'o':
		o->reg.own_socket = true;
		return OPT_OK;
	case 'd':
		if (!parse_port(arg, &o->reg.data_port))
			return OPT_BAD;
		o->reg.own_socket = true;	/* a data port needs one */
		return OPT_OK;
	case 'f':
		return add_from(o, arg) ? OPT_FAILED : OPT_OK;
	case 'l':
		return set_count(c, "the lease in seconds", arg,
				 PORTSHARE_LEASE_MAX, &o->lease) ?
		       OPT_FAILED : OPT_OK;
	case 'R':
		return set_count(c, "the most copies a second", arg,
				 PORTSHARE_RATE_MAX, &o->rate) ?
		       OPT_FAILED : OPT_OK;
	case 'F':
		o->failover = true;
		return OPT_OK;
	case 'P':
		o->psd = arg;
		return OPT_OK;
	}
	return OPT_OTHER;
}

/* What to do with the copies, and for how long. */
static enum opt_ret out_opt(struct opts *o, int c, const char *arg)
{
	unsigned long v;

	switch (c) {
	case 'j':
		o->json = true;
		return OPT_OK;
	case 'w':
		o->pcap = arg;
		return OPT_OK;
	case 'c':
		return parse_num(arg, ~0UL, &o->count) ? OPT_OK : OPT_BAD;
	case 't':
		if (!parse_num(arg, 1000000, &v))
			return OPT_BAD;
		o->seconds = (long)v;
		return OPT_OK;
	case 'q':
		o->quiet = true;
		return OPT_OK;
	}
	return OPT_OTHER;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	enum opt_ret r;
	int c;

	o->primary = "127.0.0.1";
	while ((c = getopt_long(argc, argv, SHORT_OPTS, long_opts,
				NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		r = reg_opt(o, c, optarg);
		if (r == OPT_OTHER)
			r = out_opt(o, c, optarg);	/* '?' is neither's */
		if (r == OPT_BAD)
			fprintf(stderr, "psrecv: invalid argument to -%c: "
				"'%s'\n", c, optarg);
		if (r == OPT_BAD || r == OPT_OTHER)
			usage(stderr);
		if (r != OPT_OK)
			return -1;
	}
	if (optind == argc) {
		fprintf(stderr, "psrecv: no PORT given\n");
		usage(stderr);
		return -1;
	}
	return 0;
}

/* Register on every PORT[:REGPORT]; 0, or 1 after the first failure. */
static int register_all(struct portshare_sec *sec, struct opts *o, int argc,
			char **argv, FILE *out)
{
	struct portshare_reg_info info;
	struct portshare_reg_opts ro;
	struct psr_grant g = { 0 };
	uint16_t port;
	char *colon;
	int i, reg;

	for (i = optind; i < argc; i++) {
		ro = o->reg;
		colon = strchr(argv[i], ':');
		if (colon)
			*colon = '\0';
		if (!parse_port(argv[i], &port) ||
		    (colon && !parse_port(colon + 1, &ro.reg_port))) {
			fprintf(stderr, "psrecv: '%s' is not PORT[:REGPORT]\n",
				argv[i]);
			return 2;
		}
		if (i > optind && ro.data_port)
			ro.data_port = 0;	/* -d is for the first port */
		reg = portshare_sec_register_rate(sec, o->primary, port, &ro,
						  o->from, o->nfrom, o->lease,
						  o->rate);
		if (reg < 0) {
			fprintf(stderr, "psrecv: port %u: %s\n", port,
				portshare_strerror(reg));
			return 1;
		}
		portshare_sec_info(sec, reg, &info);
		portshare_sec_lease(sec, reg, &g.lease);
		portshare_sec_rate(sec, reg, &g.rate);
		if (!o->quiet)
			psr_print_registered(out, o->json, reg, &info, &g);
	}
	return 0;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The original datagram as far as the copy tells. */
static void dgram_of(const struct portshare_event *ev,
		     const struct portshare_reg_info *info,
		     struct psr_dgram *d)
{
	memset(d, 0, sizeof(*d));
	d->payload = ev->payload;
	d->len = ev->len;
	d->dst = info->primary;
	d->dport = info->port;
	d->time_ns = realtime_ns();
	if (ev->has_hdr) {
		d->src = ev->hdr.origin;
		d->sport = ev->hdr.origin_port;
		d->dport = ev->hdr.contested_port;
		d->time_ns = ev->hdr.timestamp_ns;
	} else if (ev->mode == PORTSHARE_MODE_TRANSPARENT) {
		d->src = ev->from;
		d->sport = ev->from_port;
	}
}

/* pcap needs one family: an unknown source or a foreign dst is zeros. */
static void dgram_for_pcap(struct psr_dgram *d)
{
	struct portshare_addr dst = { .family = d->src.family };

	if (!d->src.family) {
		d->src.family = d->dst.family;
		return;
	}
	if (d->dst.family == d->src.family)
		return;
	if (d->src.family == PORTSHARE_FAMILY_INET6) {
		dst.addr[10] = dst.addr[11] = 0xff;
		memcpy(dst.addr + 12, d->dst.addr, 4);
	}
	d->dst = dst;
}

static bool any_active(const struct portshare_sec *sec)
{
	struct portshare_reg_info info;
	int i;

	for (i = 0; i < portshare_sec_count(sec); i++)
		if (!portshare_sec_info(sec, i, &info) && info.active)
			return true;
	return false;
}

/* psd next to this program (build tree), in ../sbin, or on PATH. */
static const char *psd_path(const struct opts *o, char *buf, size_t size)
{
	char self[PATH_MAX];
	ssize_t n;

	if (o->psd)
		return o->psd;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		dirname(self);		/* in place: the directory */
		if (snprintf(buf, size, "%s/psd", self) < (int)size &&
		    !access(buf, X_OK))
			return buf;
		if (snprintf(buf, size, "%s/../sbin/psd", self) < (int)size &&
		    !access(buf, X_OK))
			return buf;
	}
	return "psd";
}

/*
 * Try to become the primary: start psd for the port, in a session of its
 * own, with --ready-fd.  psd writes READY once it has bound the ports: it
 * is the primary, and stays one after psrecv exits.  If another secondary
 * won, psd cannot bind the contested port and exits: end of file.
 */
static void become_primary(uint16_t port, uint16_t reg_port, void *arg)
{
	struct opts *o = arg;
	char spec[16], path[PATH_MAX], buf[8];
	const char *psd = psd_path(o, path, sizeof(path));
	struct pollfd pfd = { .events = POLLIN };
	int fds[2], fd, ret;
	pid_t pid;
	ssize_t n;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;			/* psds that lost */
	if (o->psd_pid > 0 && !waitpid(o->psd_pid, NULL, WNOHANG))
		return;			/* ours already runs */
	o->psd_pid = 0;
	if (pipe2(fds, O_CLOEXEC))
		return;
	snprintf(spec, sizeof(spec), "%u:%u", port, reg_port);
	pid = fork();
	if (pid == 0) {
		setsid();
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0)
			dup2(fd, STDIN_FILENO), dup2(fd, STDOUT_FILENO);
		if (fds[1] == 3)	/* dup2() would keep O_CLOEXEC */
			fcntl(3, F_SETFD, 0);
		else
			dup2(fds[1], 3);
		execlp(psd, "psd", "--ready-fd", "3", spec, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	pfd.fd = fds[0];
	ret = pid > 0 ? poll(&pfd, 1, 5000) : -1;
	n = ret == 1 ? read(fds[0], buf, sizeof(buf)) : 0;
	close(fds[0]);
	if (n > 0 || ret == 0)
		o->psd_pid = pid;	/* READY (or still starting) */
	else if (ret == 1)
		waitpid(pid, NULL, 0);	/* it lost and exits */
}

/* After SHUTDOWN: find the new primary for every ended registration. */
static int failover(struct portshare_sec *sec, struct opts *o, FILE *out)
{
	struct portshare_failover_opts fo = {
		.become_primary = become_primary, .arg = o,
	};
	struct portshare_reg_info info;
	uint64_t gap;
	int i, ret;
	bool mine;

	for (i = 0; i < portshare_sec_count(sec); i++) {
		if (portshare_sec_info(sec, i, &info) || info.active)
			continue;
		ret = portshare_sec_failover(sec, i, &fo, &gap);
		if (ret) {
			fprintf(stderr, "psrecv: port %u: failover: %s\n",
				info.port, portshare_strerror(ret));
			return 1;
		}
		portshare_sec_info(sec, i, &info);
		mine = o->psd_pid > 0 && !waitpid(o->psd_pid, NULL, WNOHANG);
		if (!o->quiet && out)
			psr_print_failover(out, o->json, i, &info, gap, mine ?
					   o->psd_pid : 0);
	}
	return 0;
}

static int handle(struct portshare_sec *sec, const struct opts *o,
		  const struct portshare_event *ev, FILE *out, FILE *pcap)
{
	struct portshare_reg_info info = { 0 };
	struct psr_dgram d;

	if (ev->reg >= 0)
		portshare_sec_info(sec, ev->reg, &info);
	if (ev->type == PORTSHARE_EV_SHUTDOWN ||
	    ev->type == PORTSHARE_EV_EXPIRED) {
		if (!o->quiet && out && ev->type == PORTSHARE_EV_SHUTDOWN)
			psr_print_shutdown(out, o->json, ev, &info);
		else if (!o->quiet && out)
			psr_print_expired(out, o->json, ev, &info);
		if (o->failover)
			return 2;
		return any_active(sec) ? 0 : 1;
	}
	dgram_of(ev, &info, &d);
	if (pcap) {
		dgram_for_pcap(&d);
		if (psr_pcap_write(pcap, &d))
			return -1;
	}
	if (out)
		psr_print_copy(out, o->json, ev, &info, &d);
	return 0;
}

static int run(struct portshare_sec *sec, struct opts *o, FILE *out,
	       FILE *pcap)
{
	time_t end = o->seconds ? time(NULL) + o->seconds : 0;
	struct portshare_event ev;
	unsigned long copies = 0;
	int ret;

	while (!stop && (!o->count || copies < o->count)) {
		if (end && time(NULL) >= end)
			break;
		ret = portshare_sec_recv(sec, &ev, 200);
		if (ret == -EINTR || ret == 0)
			continue;
		if (ret < 0) {
			fprintf(stderr, "psrecv: %s\n", portshare_strerror(ret));
			return 1;
		}
		ret = handle(sec, o, &ev, out, pcap);
		if (ret < 0) {
			fprintf(stderr, "psrecv: writing %s: %s\n", o->pcap,
				strerror(errno));
			return 1;
		}
		if (ret == 2 && failover(sec, o, out ? out : stderr))
			return 1;
		if (ret == 1)
			break;
		copies += ev.type == PORTSHARE_EV_COPY;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct portshare_sec *sec;
	FILE *out = stdout, *pcap = NULL;
	struct opts o = { 0 };
	int ret;

	if (parse_opts(argc, argv, &o))
		return 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (o.pcap) {
		pcap = strcmp(o.pcap, "-") ? fopen(o.pcap, "wb") : stdout;
		out = pcap == stdout ? NULL : stdout;
		if (!pcap || psr_pcap_header(pcap)) {
			fprintf(stderr, "psrecv: %s: %s\n", o.pcap,
				strerror(errno));
			return 1;
		}
	}
	ret = portshare_sec_new(&sec);
	if (ret) {
		fprintf(stderr, "psrecv: %s\n", portshare_strerror(ret));
		return 1;
	}
	ret = register_all(sec, &o, argc, argv, out ? out : stderr);
	if (!ret)
		ret = run(sec, &o, out, pcap);
	portshare_sec_close(sec);
	if (pcap && pcap != stdout)
		fclose(pcap);
	return ret;
}
