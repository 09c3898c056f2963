// SPDX-License-Identifier: GPL-2.0
/*
 * psd's command line (docs/psd.8): ports and their options (lease=,
 * rate=, ttl=, dead=, hold=: fields.c), rules, the acl (-a), static secondaries (-s)
 * and the user to run as (-u).
 * Everything is checked before a socket is bound; -a and -s are applied
 * to the primary once it exists (-s once its ports are bound).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "psd.h"

static void usage(FILE *f)
{
	fputs("usage: psd [-v] [-m MAX] [-a NET[/LEN][,third-party][,verify]]...\n"
	      "           [-s PORT,ADDR,DATAPORT[,MODE][,from=PREFIX]...[,OPTION]...]...\n"
	      "           [--reg-rate N] [--reg-burst N]\n"
	      "           [--ready-fd FD] [-u USER] [--metrics-file PATH [--metrics-interval S]]\n"
	      "           PORT[:REGPORT][,OPTION]...\n"
	      "OPTION: lease=SECONDS, rate=PPS[/BURST], ttl=N, hold=SECONDS;\n"
	      "        of a PORT also dead=E/S or dead=off\n"
	      "Be the primary of each contested PORT: bind it, then its registration port\n"
	      "(PORT + 13000 unless given), answer ADD and DROP there and send every\n"
	      "secondary a copy of every datagram. See psd(8).\n", f);
}

static bool spec_has(const struct psd *d, unsigned long port)
{
	unsigned int i;

	for (i = 0; i < d->nspecs; i++)
		if (d->specs[i].port == port)
			return true;
	return false;
}

/*
 * A port's ,lease=,rate=,ttl=,dead=,hold= in @fields (cut up) into @s: 0,
 * or -1.  Without hold= wire registrations get PORTSHARE_HOLD_DEFAULT.
 */
static int port_fields(const char *arg, char *fields, struct psd_port_spec *s)
{
	char *f;
	int r;

	for (f = strtok(fields, ","); f; f = strtok(NULL, ",")) {
		r = psd_limit_field(arg, f, &s->lim);
		if (!r)
			r = psd_dead_field(arg, f, s);
		if (r != 1)
			return -1;
	}
	if (s->lim.has_hold)
		s->dead.hold = s->lim.hold;
	return 0;
}

/*
 * PORT[:REGPORT][,lease=SECONDS][,rate=PPS[/BURST]][,ttl=N]
 * [,dead=E/S|off][,hold=SECONDS]: 0, or -1 (with why, for a bad value of
 * an option).
 */
static int add_port(struct psd *d, const char *arg)
{
	char spec[96], *colon, *comma;
	unsigned long port, reg = 0;
	struct psd_port_spec ps = {
		.dead = { PORTSHARE_DEAD_ERRORS_DEFAULT,
			  PORTSHARE_DEAD_PERIOD_DEFAULT,
			  PORTSHARE_HOLD_DEFAULT },
	};

	/* a copy: argv stays as given, for ps(1) */
	if (strlen(arg) >= sizeof(spec))
		return -1;
	strcpy(spec, arg);
	comma = strchr(spec, ',');
	if (comma) {
		*comma++ = '\0';
		if (port_fields(arg, comma, &ps))
			return -1;
	}
	colon = strchr(spec, ':');
	if (colon)
		*colon++ = '\0';
	if (d->nspecs == PORTSHARE_PRIMARY_MAX_PORTS ||
	    !psd_num(spec, 1, 65535, &port) ||
	    (colon && !psd_num(colon, 1, 65535, &reg)))
		return -1;
	if (!reg)
		reg = portshare_default_reg_port((uint16_t)port);
	if (!reg) {
		psd_log("port %lu: give a registration port (PORT:REGPORT) above 52535",
			port);
		return -1;
	}
	if (spec_has(d, port) || spec_has(d, reg) || reg == port) {
		psd_log("port %lu: given twice or collides", port);
		return -1;
	}
	ps.port = (uint16_t)port;
	ps.reg_port = (uint16_t)reg;
	d->specs[d->nspecs++] = ps;
	return 0;
}

#define ACL_SYNTAX	"ADDR[/LEN][,third-party][,verify]"

/*
 * The flags after an acl network's first comma, "third-party" and
 * "verify" (portshare.ko's, psnl acl add's), each at most once, in any
 * order; false for another word.
 */
static bool acl_flags(char *s, unsigned int *flags)
{
	char *save = NULL, *word;
	unsigned int f;

	*flags = 0;
	for (word = strtok_r(s, ",", &save); word;
	     word = strtok_r(NULL, ",", &save)) {
		if (!strcmp(word, "third-party"))
			f = PORTSHARE_ACL_F_THIRD_PARTY;
		else if (!strcmp(word, "verify"))
			f = PORTSHARE_ACL_F_VERIFY;
		else
			return false;
		if (*flags & f)
			return false;
		*flags |= f;
	}
	return true;
}

/* ACL_SYNTAX to the primary's acl; -1 with the reason. */
static int add_acl(struct psd *d, const char *spec)
{
	char buf[128], *slash, *comma, *end;
	struct portshare_addr net;
	unsigned int flags = 0;
	unsigned long len = 128;
	int err;

	if (strlen(spec) >= sizeof(buf))
		goto bad;
	strcpy(buf, spec);
	comma = strchr(buf, ',');
	if (comma) {
		*comma++ = '\0';
		/* "NET," alone is a typo, not an entry without flags */
		if (!*comma || *comma == ',' ||
		    comma[strlen(comma) - 1] == ',' || strstr(comma, ",,") ||
		    !acl_flags(comma, &flags))
			goto bad;
	}
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (portshare_addr_parse(buf, &net))
		goto bad;
	if (net.family == PORTSHARE_FAMILY_INET)
		len = 32;
	if (slash) {
		len = strtoul(slash, &end, 10);
		if (!*slash || *end || len > 128)
			goto bad;
	}
	err = portshare_primary_acl_add_flags(d->pri, &net, (unsigned int)len,
					      flags);
	if (err == PORTSHARE_E_HOST_BITS) {
		psd_log("acl %s: host bits set", spec);
		return -1;
	}
	if (err == PORTSHARE_E_TABLE_FULL) {
		psd_log("acl %s: %s (at most %d -a)", spec,
			portshare_strerror(err), PORTSHARE_PRIMARY_MAX_ACL);
		return -1;
	}
	if (!err)
		return 0;
bad:
	psd_log("acl '%s': give " ACL_SYNTAX, spec);
	return -1;
}

/**
 * psd_add_acls() - put every -a network on the primary's acl
 * @d: psd, with its primary
 *
 * Return: 0, or -1 with the reason logged.
 */
int psd_add_acls(struct psd *d)
{
	unsigned int i;

	for (i = 0; d->acls[i]; i++)
		if (add_acl(d, d->acls[i]))
			return -1;
	return 0;
}

struct static_sec {
	unsigned long port;
	const char *addr_text;
	struct portshare_list_entry sec;
	struct portshare_prefix from[PORTSHARE_FROM_MAX];
	size_t nfrom;
	struct psd_limits lim;
	unsigned int nlim;		/* lease=, rate=, ttl=, hold= given */
};

#define FROM_FIELD	"from="
/* A -s argument: eight IPv6 from= fields fit. */
#define STATIC_LEN	512

/*
 * A -s field after DATAPORT: the mode (once, first), a from=PREFIX,
 * lease=SECONDS, rate=PPS[/BURST], ttl=N or hold=SECONDS.  Not dead=:
 * a secondary uses its port's.
 */
static bool static_field(const char *f, struct static_sec *st, bool *moded)
{
	unsigned int m = 0;
	int lim;

	if (!strncmp(f, FROM_FIELD, strlen(FROM_FIELD)))
		return st->nfrom < PORTSHARE_FROM_MAX &&
		       !portshare_prefix_parse(f + strlen(FROM_FIELD),
					       &st->from[st->nfrom++]);
	if (!strncmp(f, "dead=", strlen("dead="))) {
		psd_log("-s: '%s': dead= is an option of the port (PORT,dead=E/S): its secondaries use it",
			f);
		return false;
	}
	lim = psd_limit_field("-s", f, &st->lim);
	st->nlim += lim > 0;
	if (lim)
		return lim > 0;
	if (*moded || st->nfrom || st->nlim)
		return false;
	while (m <= PORTSHARE_MODE_MAX && strcmp(f, psd_mode_name(m)))
		m++;
	st->sec.mode = (uint8_t)m;
	*moded = true;
	return m <= PORTSHARE_MODE_MAX;
}

/*
 * -s PORT,ADDR,DATAPORT[,MODE][,from=PREFIX]...[,lease=SECONDS]
 * [,rate=PPS[/BURST]][,ttl=N][,hold=SECONDS]: 0, or -1 if it is not that.
 */
static int static_parse(const char *arg, char *spec, size_t size,
			struct static_sec *st)
{
	char *port, *addr, *dport, *f;
	bool moded = false;
	unsigned long dn;

	if (strlen(arg) >= size)
		return -1;
	strcpy(spec, arg);
	port = strtok(spec, ",");
	addr = strtok(NULL, ",");
	dport = strtok(NULL, ",");
	memset(st, 0, sizeof(*st));
	if (!port || !addr || !dport ||
	    !psd_num(port, 1, 65535, &st->port) ||
	    !psd_num(dport, 1, 65535, &dn) ||
	    portshare_addr_parse(addr, &st->sec.addr))
		return -1;
	while ((f = strtok(NULL, ",")))
		if (!static_field(f, st, &moded))
			return -1;
	st->addr_text = addr;
	st->sec.data_port = (uint16_t)dn;
	return 0;
}

/* A -s argument, parsed and checked: 0, or -1 with the reason logged. */
static int static_get(const struct psd *d, const char *arg, char *spec,
		      size_t size, struct static_sec *st)
{
	if (static_parse(arg, spec, size, st))
		return -1;
	if (!spec_has(d, st->port)) {
		psd_log("-s: port %lu is not one of psd's ports", st->port);
		return -1;
	}
	return 0;
}

/* One -s: 0, or -1 with the reason logged. */
static int add_static(struct psd *d, const char *arg)
{
	struct portshare_port_info info;
	struct static_sec st;
	char spec[STATIC_LEN];
	int err;

	if (static_get(d, arg, spec, sizeof(spec), &st))
		return -1;
	if (portshare_primary_port_info(d->pri, (uint16_t)st.port, &info))
		return 0;	/* psd is not its primary: nothing to copy */
	err = portshare_primary_sec_add_hold(d->pri, (uint16_t)st.port,
					     &st.sec, st.from, st.nfrom,
					     st.lim.lease, &st.lim.rate,
					     st.lim.hold);
	if (err)
		psd_log("-s %s: %s", st.addr_text, portshare_strerror(err));
	return err ? -1 : 0;
}

static const char static_usage[] =
	"-s: give PORT,ADDR,DATAPORT[,encap|raw|transparent][,from=PREFIX]..."
	"[,lease=SECONDS][,rate=PPS[/BURST]][,ttl=N][,hold=SECONDS], at most "
	"8 from=, each "
	"ADDR or ADDR/LEN with no bits set after LEN";

/**
 * psd_add_statics() - put every -s secondary on its port's list
 * @d: psd, with its ports bound
 *
 * Return: 0, or -1 with the reason logged.
 */
int psd_add_statics(struct psd *d)
{
	unsigned int i;

	for (i = 0; d->statics[i]; i++) {
		if (add_static(d, d->statics[i])) {
			psd_log("%s", static_usage);
			return -1;
		}
	}
	return 0;
}

/* -s is checked before any port is bound, applied after. */
static int check_statics(const struct psd *d)
{
	struct static_sec st;
	char spec[STATIC_LEN];
	unsigned int i;

	for (i = 0; d->statics[i]; i++) {
		if (static_get(d, d->statics[i], spec, sizeof(spec), &st)) {
			psd_log("%s", static_usage);
			return -1;
		}
	}
	return 0;
}

enum {
	OPT_RATE = 256, OPT_BURST, OPT_READY, OPT_METRICS_FILE,
	OPT_METRICS_INTERVAL,
};

static const struct option lopts[] = {
	{ "verbose", no_argument, NULL, 'v' },
	{ "max", required_argument, NULL, 'm' },
	{ "acl", required_argument, NULL, 'a' },
	{ "static", required_argument, NULL, 's' },
	{ "user", required_argument, NULL, 'u' },
	{ "reg-rate", required_argument, NULL, OPT_RATE },
	{ "reg-burst", required_argument, NULL, OPT_BURST },
	{ "ready-fd", required_argument, NULL, OPT_READY },
	{ "metrics-file", required_argument, NULL, OPT_METRICS_FILE },
	{ "metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static void bad_value(int c)
{
	int i;

	for (i = 0; lopts[i].name && lopts[i].val != c; i++)
		;
	psd_log("invalid argument to --%s: '%s'", lopts[i].name, optarg);
}

/* One option with a number: false if the value is out of range. */
static bool number_option(struct psd *d, int c)
{
	unsigned long v;

	switch (c) {
	case 'm':
		if (!psd_num(optarg, 1, PORTSHARE_MAX_SECONDARIES_LIMIT, &v))
			return false;
		d->opts.max_secondaries = (unsigned int)v;
		return true;
	case OPT_RATE:
		if (!psd_num(optarg, 0, 1000000, &v))
			return false;
		d->opts.reg_rate = (unsigned int)v;
		return true;
	case OPT_BURST:
		if (!psd_num(optarg, 1, 1000000, &v))
			return false;
		d->opts.reg_burst = (unsigned int)v;
		return true;
	case OPT_METRICS_INTERVAL:
		if (!psd_num(optarg, 1, 86400, &v))
			return false;
		d->metrics_interval = (unsigned int)v;
		return true;
	}
	if (!psd_num(optarg, 0, INT32_MAX, &v))
		return false;
	d->ready_fd = (int)v;
	return true;
}

static int options(struct psd *d, int argc, char **argv)
{
	int c, na = 0, ns = 0;
	bool interval = false;

	while ((c = getopt_long(argc, argv, "vm:a:s:u:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			d->verbose = true;
			break;
		case 'a':
			d->acls[na++] = optarg;
			break;
		case 's':
			d->statics[ns++] = optarg;
			break;
		case 'u':
			d->user = optarg;
			break;
		case OPT_METRICS_FILE:
			if (!*optarg) {
				bad_value(c);
				return -1;
			}
			d->metrics_file = optarg;
			break;
		case 'm':
		case OPT_RATE:
		case OPT_BURST:
		case OPT_READY:
		case OPT_METRICS_INTERVAL:
			if (!number_option(d, c)) {
				bad_value(c);
				return -1;
			}
			interval |= c == OPT_METRICS_INTERVAL;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (interval && !d->metrics_file) {
		psd_log("--metrics-interval: give --metrics-file PATH too");
		return -1;
	}
	return 0;
}

/**
 * psd_parse_args() - the command line into @d
 * @d: psd, with defaults set
 * @argc: as main()'s
 * @argv: as main()'s
 *
 * Return: 0, or -1 after logging what was wrong (exit status 2).
 */
int psd_parse_args(struct psd *d, int argc, char **argv)
{
	d->acls = calloc((size_t)argc, sizeof(char *));
	d->statics = calloc((size_t)argc, sizeof(char *));
	if (!d->acls || !d->statics) {
		psd_log("out of memory");
		return -1;
	}
	if (options(d, argc, argv))
		return -1;
	if (optind == argc) {
		psd_log("no PORT given");
		usage(stderr);
		return -1;
	}
	for (; optind < argc; optind++) {
		if (add_port(d, argv[optind])) {
			psd_log("'%s' is not PORT[:REGPORT][,lease=SECONDS][,rate=PPS[/BURST]][,ttl=N][,dead=E/S|off][,hold=SECONDS]",
				argv[optind]);
			return -1;
		}
	}
	return check_statics(d);
}
