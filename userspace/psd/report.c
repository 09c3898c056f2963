// SPDX-License-Identifier: GPL-2.0
/*
 * What psd tells its operator on standard error: log lines, every
 * request with -v, and the counters on SIGUSR1 (docs/psd.8).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "psd.h"

static const char *const mode_names[] = { "encap", "raw", "transparent" };

const char *psd_mode_name(unsigned int mode)
{
	return mode <= PORTSHARE_MODE_MAX ? mode_names[mode] : "?";
}

void psd_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("psd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void addr_text(const struct portshare_addr *a, char *buf)
{
	if (portshare_addr_format(a, buf, PORTSHARE_ADDR_STRLEN) < 0)
		strcpy(buf, "?");
}

/*
 * The primary's on_request callback, set with -v: every request, with
 * the lease an ADD got, every secondary whose lease expired and every
 * one dropped after its hold dead.
 */
void psd_log_request(const struct portshare_request_log *log, void *arg)
{
	char a[PORTSHARE_ADDR_STRLEN], from[PORTSHARE_ADDR_STRLEN];
	char lease[32] = "", rate[32] = "";

	(void)arg;
	addr_text(&log->addr, a);
	if (log->reason == PORTSHARE_REASON_EXPIRED) {
		psd_log("port %u: drop %s %u: reason expired (lease %u s not renewed), no SHUTDOWN",
			log->port, a, log->data_port, log->lease);
		return;
	}
	if (log->reason == PORTSHARE_REASON_UNREACHABLE) {
		psd_log("port %u: drop %s %u: reason unreachable (dead for its hold of %u s), no SHUTDOWN",
			log->port, a, log->data_port, log->hold);
		return;
	}
	addr_text(&log->from, from);
	if (log->lease)
		snprintf(lease, sizeof(lease), ", lease %u s", log->lease);
	if (log->rate)
		snprintf(rate, sizeof(rate), ", rate %u/s", log->rate);
	psd_log("port %u: %s %s %u from %s %u: %s%s%s", log->port,
		log->cmd == PORTSHARE_REQ_ADD ? "ADD" : "DROP", a,
		log->data_port, from, log->from_port,
		portshare_strerror(log->error), lease, rate);
}

/*
 * The primary's on_state callback, set with -v: a secondary went dead
 * (its ICMP errors) or up again (a probe drew none).
 */
void psd_log_state(const struct portshare_state_log *log, void *arg)
{
	char a[PORTSHARE_ADDR_STRLEN];

	(void)arg;
	addr_text(&log->addr, a);
	if (log->st.state == PORTSHARE_STATE_DEAD)
		psd_log("port %u: sec %s %u: state dead (%u ICMP errors within %u s; icmp_errors %" PRIu64 "), probes every %u s",
			log->port, a, log->data_port, log->dead_errors,
			log->dead_period, log->st.icmp_errors,
			log->dead_period);
	else
		psd_log("port %u: sec %s %u: state up (a probe drew no error; probes %" PRIu64 ")",
			log->port, a, log->data_port, log->st.probes);
}

/* A port's line; reg_verify last, after the counters of before. */
static void dump_port(const struct psd *d, const struct portshare_port_info *p)
{
	uint64_t verify = 0;

	portshare_primary_reg_verify(d->pri, p->port, &verify);
	fprintf(stderr, "port %u reg %u%s rx %" PRIu64 " shared %" PRIu64
		" err_loop %" PRIu64 " reg_requests %" PRIu64
		" reg_ok %" PRIu64 " reg_errors %" PRIu64
		" reg_denied %" PRIu64 " reg_rate_limited %" PRIu64
		" reg_not_permitted %" PRIu64 " reg_list_full %" PRIu64
		" reg_ignored %" PRIu64 " reg_verify %" PRIu64 "\n", p->port,
		p->reg_port,
		p->standalone ? " standalone" : "", p->rx, p->shared,
		p->err_loop, p->reg[PORTSHARE_REG_REQUESTS],
		p->reg[PORTSHARE_REG_OK], p->reg[PORTSHARE_REG_ERRORS],
		p->reg[PORTSHARE_REG_DENIED],
		p->reg[PORTSHARE_REG_RATE_LIMITED],
		p->reg[PORTSHARE_REG_NOT_PERMITTED],
		p->reg[PORTSHARE_REG_LIST_FULL],
		p->reg[PORTSHARE_REG_IGNORED], verify);
}

/*
 * One secondary's line: drop_ratelimited after the other drops, then
 * skip_filtered; a leased one goes on with its lease and the seconds
 * left; then its state (and dead_for while dead), skip_dead, probes and
 * icmp_errors, and its hold if it has one of its own (-s ...,hold=N): a
 * wire registration's is its port's, not shown, as in psnl list.
 */
static void dump_sec(const struct portshare_list_entry *s,
		     const struct psd_sec_extra *x)
{
	static const char *const drops[PORTSHARE_NDROP] = {
		"drop_nomem", "drop_noroute", "drop_xmit", "drop_family",
		"drop_toobig",
	};
	char a[PORTSHARE_ADDR_STRLEN];
	unsigned int k;

	addr_text(&s->addr, a);
	fprintf(stderr, "  sec %s %u mode %s copies %" PRIu64 " bytes %" PRIu64,
		a, s->data_port, psd_mode_name(s->mode), s->copies, s->bytes);
	for (k = 0; k < PORTSHARE_NDROP; k++)
		fprintf(stderr, " %s %" PRIu64, drops[k], s->drops[k]);
	fprintf(stderr, " drop_ratelimited %" PRIu64 " skip_filtered %" PRIu64,
		x->drop_ratelimited, x->skip_filtered);
	if (x->lease)
		fprintf(stderr, " lease %u left %u", x->lease, x->left);
	fprintf(stderr, " state %s", x->st.state == PORTSHARE_STATE_DEAD ?
				     "dead" : "up");
	if (x->st.state == PORTSHARE_STATE_DEAD)
		fprintf(stderr, " dead_for %u", x->st.dead_for);
	fprintf(stderr, " skip_dead %" PRIu64 " probes %" PRIu64
		" icmp_errors %" PRIu64, x->st.dead_skipped, x->st.probes,
		x->st.icmp_errors);
	if (x->st.hold)
		fprintf(stderr, " hold %u", x->st.hold);
	fputc('\n', stderr);
}

/**
 * psd_sec_get() - secondary @j of @port's list, all psd reports of it
 * @d: psd
 * @port: the contested port
 * @j: the index on its list
 * @sec: its entry
 * @x: the rest
 *
 * Return: true if it is there.
 */
bool psd_sec_get(const struct psd *d, uint16_t port, unsigned int j,
		 struct portshare_list_entry *sec, struct psd_sec_extra *x)
{
	return !portshare_primary_sec_info(d->pri, port, j, sec) &&
	       portshare_primary_sec_from(d->pri, port, j, NULL, 0,
					  &x->skip_filtered) >= 0 &&
	       !portshare_primary_sec_lease(d->pri, port, j, &x->lease,
					    &x->left) &&
	       !portshare_primary_sec_rate(d->pri, port, j, NULL,
					   &x->drop_ratelimited) &&
	       !portshare_primary_sec_state(d->pri, port, j, &x->st);
}

/* The line of secondary @j of @port's list. */
static void dump_index(const struct psd *d, uint16_t port, unsigned int j)
{
	struct portshare_list_entry sec;
	struct psd_sec_extra x;

	if (psd_sec_get(d, port, j, &sec, &x))
		dump_sec(&sec, &x);
}

/*
 * SIGUSR1: every port's counters and every secondary's, then one line
 * that says the dump is complete (scripts wait for it).
 */
void psd_dump_stats(const struct psd *d)
{
	uint16_t ports[PORTSHARE_PRIMARY_MAX_PORTS];
	struct portshare_port_info info;
	int n, i;
	unsigned int j;

	n = portshare_primary_ports(d->pri, ports, PORTSHARE_PRIMARY_MAX_PORTS);
	for (i = 0; i < n; i++) {
		if (portshare_primary_port_info(d->pri, ports[i], &info))
			continue;
		dump_port(d, &info);
		for (j = 0; j < info.nsecs; j++)
			dump_index(d, ports[i], j);
	}
	psd_log("end of counters");
}
