// SPDX-License-Identifier: GPL-2.0
/*
 * Ports, secondaries, acl entries and events, printed through print.c.
 * Text uses the syntax of the commands, so that the output of "psnl list",
 * "psnl port list", "psnl stats" and "psnl acl list" can be fed back
 * through "psnl -b"; counters follow as a "\t# ..." comment, which batch
 * mode skips.  The JSON form is documented in docs/psnl-json.md.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/socket.h>

#include "psnl.h"

#define HAS(rec, attr)	((rec)->has & PSNL_HAS(PORTSHARE_A_##attr))

/*
 * The counters psnl names, in the order they are printed.  A main counter
 * is always shown in the text of "list" and "port list"; the others only
 * when they are not zero.  JSON and "stats" show every counter the kernel
 * sent.  The meanings are in psnl(8) and docs/psnl-json.md.
 */
struct stat_name {
	unsigned int id;
	const char *name;
	bool main;
};

static const struct stat_name port_stats[] = {
	{ PORTSHARE_STAT_PORT_RX, "rx", true },
	{ PORTSHARE_STAT_PORT_SHARED, "shared", true },
	{ PORTSHARE_STAT_PORT_ERR_CSUM, "err_csum", false },
	{ PORTSHARE_STAT_PORT_ERR_MALFORMED, "err_malformed", false },
	{ PORTSHARE_STAT_PORT_ERR_GSO, "err_gso", false },
	{ PORTSHARE_STAT_PORT_ERR_LOOP, "err_loop", false },
	{ PORTSHARE_STAT_REG_REQUESTS, "reg_requests", false },
	{ PORTSHARE_STAT_REG_OK, "reg_ok", false },
	{ PORTSHARE_STAT_REG_ERRORS, "reg_errors", false },
	{ PORTSHARE_STAT_REG_DENIED, "reg_denied", false },
	{ PORTSHARE_STAT_REG_RATE_LIMITED, "reg_rate_limited", false },
	{ PORTSHARE_STAT_REG_NOT_PERMITTED, "reg_not_permitted", false },
	{ PORTSHARE_STAT_REG_LIST_FULL, "reg_list_full", false },
	{ PORTSHARE_STAT_REG_IGNORED, "reg_ignored", false },
	{ PORTSHARE_STAT_REG_SEND_ERRORS, "reg_send_errors", false },
	{ PORTSHARE_STAT_REG_VERIFY, "reg_verify", false },
	{ 0, NULL, false }
};

static const struct stat_name sec_stats[] = {
	{ PORTSHARE_STAT_SEC_COPIES, "copies", true },
	{ PORTSHARE_STAT_SEC_BYTES, "bytes", true },
	{ PORTSHARE_STAT_SEC_SAMPLED, "sampled", false },
	{ PORTSHARE_STAT_SEC_FILTERED, "skip_filtered", false },
	{ PORTSHARE_STAT_SEC_DEAD_SKIPPED, "skip_dead", false },
	{ PORTSHARE_STAT_SEC_DROP_NOMEM, "drop_nomem", false },
	{ PORTSHARE_STAT_SEC_DROP_NOROUTE, "drop_noroute", false },
	{ PORTSHARE_STAT_SEC_DROP_XMIT, "drop_xmit", false },
	{ PORTSHARE_STAT_SEC_DROP_FAMILY, "drop_family", false },
	{ PORTSHARE_STAT_SEC_DROP_TOOBIG, "drop_toobig", false },
	{ PORTSHARE_STAT_SEC_DROP_RCVBUF, "drop_rcvbuf", false },
	{ PORTSHARE_STAT_SEC_DROP_NOSOCKET, "drop_nosocket", false },
	{ PORTSHARE_STAT_SEC_DROP_FILTER, "drop_filter", false },
	{ PORTSHARE_STAT_SEC_DROP_DEST, "drop_dest", false },
	{ PORTSHARE_STAT_SEC_DROP_NOSRC, "drop_nosrc", false },
	{ PORTSHARE_STAT_SEC_DROP_BUDGET, "drop_budget", false },
	{ PORTSHARE_STAT_SEC_DROP_RATELIMITED, "drop_ratelimited", false },
	{ PORTSHARE_STAT_SEC_ICMP_ERRORS, "icmp_errors", false },
	{ PORTSHARE_STAT_SEC_PROBES, "probes", false },
	{ 0, NULL, false }
};

/* Which counters the text shows: the main and non-zero ones, or all. */
enum counters {
	COUNTERS_MAIN,
	COUNTERS_ALL,
};

static bool has_stat(const struct psnl_record *rec, const struct stat_name *n)
{
	return rec->has_stats & PSNL_HAS_STAT(n->id);
}

static bool text_shows(const struct psnl_record *rec,
		       const struct stat_name *n, enum counters which)
{
	return has_stat(rec, n) &&
	       (which == COUNTERS_ALL || n->main || rec->stats[n->id]);
}

static bool text_shows_any(const struct psnl_record *rec,
			   const struct stat_name *names, enum counters which)
{
	for (; names->name; names++)
		if (text_shows(rec, names, which))
			return true;
	return false;
}

/* "stats":{...} in JSON, " name value..." in text. */
static void print_stats(const struct psnl_record *rec,
			const struct stat_name *names, enum output_type t,
			enum counters which)
{
	bool json = is_json() && (t & PRINT_JSON);
	char fmt[32];

	if (!(rec->has & PSNL_HAS(PORTSHARE_A_STATS)))
		return;
	if (json)
		open_json_object("stats");
	for (; names->name; names++) {
		if (json ? !has_stat(rec, names) :
			   !text_shows(rec, names, which))
			continue;
		snprintf(fmt, sizeof(fmt), " %s %%%s", names->name, PRIu64);
		print_uint(t, names->name, fmt, rec->stats[names->id]);
	}
	if (json)
		close_json_object();
}

static const char *format_addr(const struct psnl_record *rec, char *buf,
			       size_t size)
{
	const void *addr = rec->family == AF_INET6 ? (const void *)&rec->addr6 :
						     (const void *)&rec->addr4;

	if (!rec->family || !inet_ntop(rec->family, addr, buf, size))
		return "?";
	return buf;
}

/* JSON only: "family":"inet"|"inet6", when the kernel sent an address. */
static void print_family(const struct psnl_record *rec)
{
	if (rec->family)
		print_string(PRINT_JSON, "family", NULL,
			     rec->family == AF_INET6 ? "inet6" : "inet");
}

/* "10.0.0.5:13427" or "[fd00::5]:13427"; JSON: family, addr, data_port. */
static void print_endpoint(const struct psnl_record *rec)
{
	char buf[INET6_ADDRSTRLEN];
	const char *addr = format_addr(rec, buf, sizeof(buf));
	bool v6 = rec->family == AF_INET6;

	print_family(rec);
	print_string(PRINT_JSON, "addr", NULL, addr);
	if (!HAS(rec, DATA_PORT)) {
		print_text("%s", addr);
		return;
	}
	print_text(v6 ? "[%s]:" : "%s:", addr);
	print_uint(PRINT_ANY, "data_port", "%" PRIu64, rec->data_port);
}

/* PORT ADDR:DATAPORT, which names a secondary. */
static void print_sec_key(const struct psnl_record *rec)
{
	if (HAS(rec, PORT))
		print_uint(PRINT_ANY, "port", "%" PRIu64 " ", rec->port);
	print_endpoint(rec);
}

/* " from ADDR/LEN" each; JSON: "from":["ADDR/LEN",...], only if any. */
static void print_from(const struct psnl_record *rec, enum output_type t)
{
	char addr[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 4];
	const struct psnl_prefix *p;
	unsigned int i;

	if (!rec->n_from)
		return;
	if (t & PRINT_JSON)
		open_json_array("from");
	for (i = 0; i < rec->n_from; i++) {
		p = &rec->from[i];
		if (!inet_ntop(p->family, p->family == AF_INET6 ?
			       (const void *)&p->addr6 : (const void *)&p->addr4,
			       addr, sizeof(addr)))
			snprintf(addr, sizeof(addr), "?");
		snprintf(buf, sizeof(buf), "%s/%u", addr, p->len);
		print_string(t, NULL, " from %s", buf);
	}
	if (t & PRINT_JSON)
		close_json_array();
}

/*
 * rate PPS/BURST and ttl N, when set.  Text gives the burst always, so
 * that psnl -b gives back the same one.
 */
static void print_limits(const struct psnl_record *rec, enum output_type t)
{
	char buf[32];

	if (HAS(rec, RATE)) {
		print_uint(t & PRINT_JSON, "rate", NULL, rec->rate);
		print_uint(t & PRINT_JSON, "burst", NULL, rec->burst);
		snprintf(buf, sizeof(buf), "%u/%u", rec->rate, rec->burst);
		print_string(t & PRINT_FP, NULL, " rate %s", buf);
	}
	if (HAS(rec, TTL))
		print_uint(t, "ttl", " ttl %" PRIu64, rec->ttl);
}

/* JSON only: the detection's settings of a port, as the kernel sent them. */
static void print_dead_json(const struct psnl_record *rec)
{
	if (HAS(rec, DEAD_ERRORS))
		print_uint(PRINT_JSON, "dead_errors", NULL, rec->dead_errors);
	if (HAS(rec, DEAD_PERIOD))
		print_uint(PRINT_JSON, "dead_period", NULL, rec->dead_period);
	if (HAS(rec, HOLD))
		print_uint(PRINT_JSON, "hold", NULL, rec->hold);
}

/*
 * Text only: a port's dead E/S and hold N, unless they are the defaults
 * (3/10, 300).  "dead off" is E 0 with the default period; another
 * period is kept as "dead 0/S", so that psnl -b gives back the same.
 */
static void print_dead_text(const struct psnl_record *rec)
{
	bool has = HAS(rec, DEAD_ERRORS) && HAS(rec, DEAD_PERIOD);

	if (has && !rec->dead_errors &&
	    rec->dead_period == PORTSHARE_DEAD_PERIOD_DEFAULT)
		print_text(" dead off");
	else if (has && (rec->dead_errors != PORTSHARE_DEAD_ERRORS_DEFAULT ||
			 rec->dead_period != PORTSHARE_DEAD_PERIOD_DEFAULT))
		print_text(" dead %" PRIu32 "/%" PRIu32, rec->dead_errors,
			   rec->dead_period);
	if (HAS(rec, HOLD) && rec->hold != PORTSHARE_HOLD_DEFAULT)
		print_text(" hold %" PRIu32, rec->hold);
}

/*
 * mode M [sample N] [from PREFIX]... [lease N] [rate PPS/BURST] [ttl N]
 * [hold N]: text shows sample only when it is not 1; hold (the kernel
 * sends it only then) when it is not 0.
 */
static void print_sec_options(const struct psnl_record *rec,
			      enum output_type t)
{
	char buf[16];

	if (HAS(rec, MODE))
		print_string(t, "mode", " mode %s",
			     psnl_mode_name(rec->mode, buf, sizeof(buf)));
	if (HAS(rec, SAMPLE)) {
		print_uint(t & PRINT_JSON, "sample", NULL, rec->sample);
		if (rec->sample > 1)
			print_uint(t & PRINT_FP, NULL, " sample %" PRIu64,
				   rec->sample);
	}
	print_from(rec, t);
	if (HAS(rec, LEASE))
		print_uint(t, "lease", " lease %" PRIu64, rec->lease);
	print_limits(rec, t);
	if (HAS(rec, HOLD) && rec->hold)
		print_uint(t, "hold", " hold %" PRIu64, rec->hold);
}

/*
 * PORT [reg REGPORT|off] [max N] [lease N] [rate PPS/BURST] [ttl N]
 * [dead E/S|off] [hold N]: the port always, the rest as t says.
 */
static void print_port_config(const struct psnl_record *rec,
			      enum output_type t)
{
	if (HAS(rec, PORT))
		print_uint(PRINT_ANY, "port", "%" PRIu64, rec->port);
	if (HAS(rec, REG_OFF))
		print_null(t, "reg_port", " reg %s", "off");
	else if (HAS(rec, REG_PORT))
		print_uint(t, "reg_port", " reg %" PRIu64, rec->reg_port);
	if (HAS(rec, MAX_SECONDARIES))
		print_uint(t, "max_secondaries", " max %" PRIu64,
			   rec->max_secondaries);
	if (HAS(rec, LEASE))
		print_uint(t, "lease", " lease %" PRIu64, rec->lease);
	print_limits(rec, t);
	if (t & PRINT_JSON)
		print_dead_json(rec);
	if (t & PRINT_FP)
		print_dead_text(rec);
}

/* Text "\t# ..." only when t includes text: a comment for batch mode. */
static void print_comment_start(const struct psnl_record *rec,
				const struct stat_name *names, bool more,
				enum output_type t, enum counters which)
{
	if ((t & PRINT_FP) && (more || text_shows_any(rec, names, which)))
		print_text("\t#");
}

/* secondaries N rx N shared N [err_csum N ...] */
static void print_port_counters(const struct psnl_record *rec,
				enum output_type t, enum counters which)
{
	print_comment_start(rec, port_stats, HAS(rec, NUM_SECONDARIES), t,
			    which);
	if (HAS(rec, NUM_SECONDARIES))
		print_uint(t, "secondaries", " secondaries %" PRIu64,
			   rec->num_secondaries);
	print_stats(rec, port_stats, t, which);
}

static bool is_dead(const struct psnl_record *rec)
{
	return HAS(rec, STATE) && rec->state != PORTSHARE_STATE_UP;
}

/* "up" or "dead"; "up" from a kernel that does not send STATE. */
static const char *state_name(const struct psnl_record *rec, char *buf,
			      size_t size)
{
	return psnl_state_name(HAS(rec, STATE) ? rec->state :
			       PORTSHARE_STATE_UP, buf, size);
}

/*
 * JSON "state" always and "dead_for" while dead; text "state dead
 * dead_for 12" only while not up: the comment stays NAME VALUE pairs.
 */
static void print_state(const struct psnl_record *rec, enum output_type t)
{
	enum output_type shown = is_dead(rec) ? t : t & PRINT_JSON;
	char buf[16];

	print_string(shown, "state", " state %s",
		     state_name(rec, buf, sizeof(buf)));
	if (HAS(rec, DEAD_FOR))
		print_uint(shown, "dead_for", " dead_for %" PRIu64,
			   rec->dead_for);
}

/* [state S [dead_for N]] [lease_left N] copies N bytes N [sampled N ...] */
static void print_sec_counters(const struct psnl_record *rec,
			       enum output_type t, enum counters which)
{
	bool left = HAS(rec, LEASE_LEFT);

	print_comment_start(rec, sec_stats, left || is_dead(rec), t, which);
	print_state(rec, t);
	if (left)
		print_uint(t, "lease_left", " lease_left %" PRIu64,
			   rec->lease_left);
	print_stats(rec, sec_stats, t, which);
}

/* A port's text line, or the members of its JSON object. */
static void print_port(const struct psnl_record *rec, enum counters which)
{
	print_text("port add ");
	print_port_config(rec, PRINT_ANY);
	print_port_counters(rec, PRINT_ANY, which);
	print_text("\n");
}

/* A secondary's text line, or the members of its JSON object. */
static void print_secondary(const struct psnl_record *rec,
			    enum counters which)
{
	print_text("add ");
	print_sec_key(rec);
	print_sec_options(rec, PRINT_ANY);
	print_sec_counters(rec, PRINT_ANY, which);
	print_text("\n");
}

/* port add PORT reg REGPORT|off max N	# secondaries N rx N shared N */
void psnl_format_port(const struct psnl_record *rec)
{
	open_json_object(NULL);
	print_port(rec, COUNTERS_MAIN);
	close_json_object();
}

/* add PORT ADDR:DATAPORT mode M [sample N]	# copies N bytes N */
void psnl_format_secondary(const struct psnl_record *rec)
{
	open_json_object(NULL);
	print_secondary(rec, COUNTERS_MAIN);
	close_json_object();
}

/*
 * A port and its secondaries with every counter: in text the port line,
 * then a line for each secondary; in JSON the port object, with the
 * secondary objects in its "list".
 */
void psnl_format_stats(const struct psnl_record *port,
		       const struct psnl_record *secs, size_t nsecs)
{
	size_t i;

	open_json_object(NULL);
	print_port(port, COUNTERS_ALL);
	open_json_array("list");
	for (i = 0; i < nsecs; i++) {
		open_json_object(NULL);
		print_secondary(&secs[i], COUNTERS_ALL);
		close_json_object();
	}
	close_json_array();
	close_json_object();
}

/*
 * acl add ADDR/LEN [third-party] [verify]; JSON: addr, prefix_len,
 * third_party, verify
 */
void psnl_format_acl(const struct psnl_record *rec)
{
	bool third_party = rec->acl_flags & PORTSHARE_ACL_F_THIRD_PARTY;
	bool verify = rec->acl_flags & PORTSHARE_ACL_F_VERIFY;
	char buf[INET6_ADDRSTRLEN];

	open_json_object(NULL);
	print_text("acl add ");
	print_family(rec);
	print_string(PRINT_ANY, "addr", "%s", format_addr(rec, buf,
							  sizeof(buf)));
	if (HAS(rec, PREFIX_LEN))
		print_uint(PRINT_ANY, "prefix_len", "/%" PRIu64,
			   rec->prefix_len);
	print_bool(PRINT_JSON, "third_party", NULL, third_party);
	if (third_party)
		print_text(" third-party");
	print_bool(PRINT_JSON, "verify", NULL, verify);
	if (verify)
		print_text(" verify");
	print_text("\n");
	close_json_object();
}

static void print_port_event(const struct psnl_record *rec)
{
	bool add = rec->cmd == PORTSHARE_CMD_PORT_NEW;

	print_text(add ? "port add " : "port del ");
	print_port_config(rec, add ? PRINT_ANY : PRINT_JSON);
	print_port_counters(rec, PRINT_JSON, COUNTERS_ALL);
}

static void print_sec_event(const struct psnl_record *rec)
{
	bool add = rec->cmd == PORTSHARE_CMD_SEC_ADD;
	char buf[16];

	print_text(add ? "add " : "drop ");
	print_sec_key(rec);
	print_sec_options(rec, add ? PRINT_ANY : PRINT_JSON);
	print_sec_counters(rec, PRINT_JSON, COUNTERS_ALL);
	if (!add && HAS(rec, REASON))
		print_text(" reason %s",
			   psnl_reason_name(rec->reason, buf, sizeof(buf)));
}

/* state PORT ADDR:DATAPORT up|dead [Ns] */
static void print_state_event(const struct psnl_record *rec)
{
	char buf[16];

	print_text("state ");
	print_sec_key(rec);
	print_sec_options(rec, PRINT_JSON);
	print_text(" %s", state_name(rec, buf, sizeof(buf)));
	if (HAS(rec, DEAD_FOR))
		print_text(" %" PRIu32 "s", rec->dead_for);
	print_sec_counters(rec, PRINT_JSON, COUNTERS_ALL);
}

static void print_shutdown_event(const struct psnl_record *rec)
{
	print_text("shutdown ");
	print_port_config(rec, PRINT_ANY);
	if (HAS(rec, NUM_SECONDARIES))
		print_uint(PRINT_ANY, "secondaries", " secondaries %" PRIu64,
			   rec->num_secondaries);
	print_stats(rec, port_stats, PRINT_JSON, COUNTERS_ALL);
}

/* JSON only: "time" and "netns", when the caller knows them. */
static void print_event_meta(const struct psnl_event_meta *meta)
{
	if (!meta)
		return;
	print_string(PRINT_JSON, "time", NULL, meta->time);
	if (meta->netns)
		print_string(PRINT_JSON, "netns", NULL, meta->netns);
	else
		print_null(PRINT_JSON, "netns", NULL, NULL);
}

/*
 * One event.  The text line is in command syntax (port add, port del,
 * add, drop, shutdown; state, a secondary found dead or up again) and
 * has no counters; the JSON object has "time" and "netns" (from @meta,
 * if given), "event", "reason" when the kernel gives one, and every field
 * the kernel sent, under the keys of the listing objects.
 */
void psnl_format_event(const struct psnl_record *rec,
		       const struct psnl_event_meta *meta)
{
	char buf[16];

	open_json_object(NULL);
	print_event_meta(meta);
	print_string(PRINT_JSON, "event", NULL, psnl_event_name(rec->cmd));
	if (HAS(rec, REASON))
		print_string(PRINT_JSON, "reason", NULL,
			     psnl_reason_name(rec->reason, buf, sizeof(buf)));
	switch (rec->cmd) {
	case PORTSHARE_CMD_PORT_NEW:
	case PORTSHARE_CMD_PORT_DEL:
		print_port_event(rec);
		break;
	case PORTSHARE_CMD_SEC_ADD:
	case PORTSHARE_CMD_SEC_DROP:
		print_sec_event(rec);
		break;
	case PORTSHARE_CMD_SHUTDOWN:
		print_shutdown_event(rec);
		break;
	case PORTSHARE_CMD_SEC_STATE:
		print_state_event(rec);
		break;
	}
	close_json_object();
}
