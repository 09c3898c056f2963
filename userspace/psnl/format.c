// SPDX-License-Identifier: GPL-2.0
/*
 * Ports, secondaries and events, printed through print.c.  Text uses the
 * syntax of the commands, so that "psnl list" and "psnl port list" can be
 * fed back through "psnl -b"; counters follow as a "\t# ..." comment,
 * which batch mode skips.  The JSON form is documented in docs/psnl-json.md.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/socket.h>

#include "psnl.h"

#define HAS(rec, attr)	((rec)->has & PSNL_HAS(PORTSHARE_A_##attr))

struct stat_name {
	unsigned int id;
	const char *name;
};

static const struct stat_name port_stats[] = {
	{ PORTSHARE_STAT_PORT_RX, "rx" },
	{ PORTSHARE_STAT_PORT_SHARED, "shared" },
	{ 0, NULL }
};

static const struct stat_name sec_stats[] = {
	{ PORTSHARE_STAT_SEC_COPIES, "copies" },
	{ PORTSHARE_STAT_SEC_BYTES, "bytes" },
	{ 0, NULL }
};

static bool has_any_stat(const struct psnl_record *rec,
			 const struct stat_name *names)
{
	for (; names->name; names++)
		if (rec->has_stats & PSNL_HAS(names->id))
			return true;
	return false;
}

/* "stats":{...} in JSON, " name value..." in text. */
static void print_stats(const struct psnl_record *rec,
			const struct stat_name *names)
{
	char fmt[32];

	if (!(rec->has & PSNL_HAS(PORTSHARE_A_STATS)))
		return;
	open_json_object("stats");
	for (; names->name; names++) {
		if (!(rec->has_stats & PSNL_HAS(names->id)))
			continue;
		snprintf(fmt, sizeof(fmt), " %s %%%s", names->name, PRIu64);
		print_uint(PRINT_ANY, names->name, fmt, rec->stats[names->id]);
	}
	close_json_object();
}

const char *psnl_format_addr(const struct psnl_record *rec, char *buf,
			     size_t size)
{
	const void *addr = rec->family == AF_INET6 ? (const void *)&rec->addr6 :
						     (const void *)&rec->addr4;

	if (!rec->family || !inet_ntop(rec->family, addr, buf, size))
		return "?";
	return buf;
}

/* "10.0.0.5:13427" or "[fd00::5]:13427"; JSON: family, addr, data_port. */
static void print_endpoint(const struct psnl_record *rec)
{
	char buf[INET6_ADDRSTRLEN];
	const char *addr = psnl_format_addr(rec, buf, sizeof(buf));
	bool v6 = rec->family == AF_INET6;

	if (rec->family)
		print_string(PRINT_JSON, "family", NULL, v6 ? "inet6" : "inet");
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

/* mode M [sample N]: text shows sample only when it is not 1. */
static void print_sec_options(const struct psnl_record *rec)
{
	char buf[16];

	if (HAS(rec, MODE))
		print_string(PRINT_ANY, "mode", " mode %s",
			     psnl_mode_name(rec->mode, buf, sizeof(buf)));
	if (HAS(rec, SAMPLE)) {
		print_uint(PRINT_JSON, "sample", NULL, rec->sample);
		if (rec->sample > 1)
			print_uint(PRINT_FP, NULL, " sample %" PRIu64,
				   rec->sample);
	}
}

/* PORT reg REGPORT|off max N */
static void print_port_config(const struct psnl_record *rec)
{
	if (HAS(rec, PORT))
		print_uint(PRINT_ANY, "port", "%" PRIu64, rec->port);
	if (HAS(rec, REG_OFF))
		print_null(PRINT_ANY, "reg_port", " reg %s", "off");
	else if (HAS(rec, REG_PORT))
		print_uint(PRINT_ANY, "reg_port", " reg %" PRIu64,
			   rec->reg_port);
	if (HAS(rec, MAX_SECONDARIES))
		print_uint(PRINT_ANY, "max_secondaries", " max %" PRIu64,
			   rec->max_secondaries);
}

/* "\t# secondaries N rx N shared N": a comment for batch mode. */
static void print_port_counters(const struct psnl_record *rec)
{
	if (HAS(rec, NUM_SECONDARIES) || has_any_stat(rec, port_stats))
		print_text("\t#");
	if (HAS(rec, NUM_SECONDARIES))
		print_uint(PRINT_ANY, "secondaries", " secondaries %" PRIu64,
			   rec->num_secondaries);
	print_stats(rec, port_stats);
}

/* "\t# copies N bytes N" */
static void print_sec_counters(const struct psnl_record *rec)
{
	if (has_any_stat(rec, sec_stats))
		print_text("\t#");
	print_stats(rec, sec_stats);
}

/* port add PORT reg REGPORT|off max N	# secondaries N rx N shared N */
void psnl_format_port(const struct psnl_record *rec)
{
	open_json_object(NULL);
	print_text("port add ");
	print_port_config(rec);
	print_port_counters(rec);
	print_text("\n");
	close_json_object();
}

/* add PORT ADDR:DATAPORT mode M [sample N]	# copies N bytes N */
void psnl_format_secondary(const struct psnl_record *rec)
{
	open_json_object(NULL);
	print_text("add ");
	print_sec_key(rec);
	print_sec_options(rec);
	print_sec_counters(rec);
	print_text("\n");
	close_json_object();
}

/* The fields of the event's text line, which are also its JSON keys. */
static void print_event_body(const struct psnl_record *rec)
{
	char buf[16];

	switch (rec->cmd) {
	case PORTSHARE_CMD_PORT_NEW:
		print_text("port add ");
		print_port_config(rec);
		break;
	case PORTSHARE_CMD_PORT_DEL:
		print_uint(PRINT_ANY, "port", "port del %" PRIu64, rec->port);
		break;
	case PORTSHARE_CMD_SEC_ADD:
		print_text("add ");
		print_sec_key(rec);
		print_sec_options(rec);
		break;
	case PORTSHARE_CMD_SEC_DROP:
		print_text("drop ");
		print_sec_key(rec);
		if (HAS(rec, REASON))
			print_text(" reason %s", psnl_reason_name(rec->reason,
								  buf, sizeof(buf)));
		break;
	case PORTSHARE_CMD_SHUTDOWN:
		print_text("shutdown ");
		print_port_config(rec);
		if (HAS(rec, NUM_SECONDARIES))
			print_uint(PRINT_ANY, "secondaries",
				   " secondaries %" PRIu64,
				   rec->num_secondaries);
		break;
	}
}

/*
 * One event: a line of text in command syntax, or one JSON object with
 * "event", "reason" (when the kernel gives one) and the same fields as
 * the text line.  Counters are not part of events.
 */
void psnl_format_event(const struct psnl_record *rec)
{
	char buf[16];

	open_json_object(NULL);
	print_string(PRINT_JSON, "event", NULL, psnl_event_name(rec->cmd));
	if (HAS(rec, REASON))
		print_string(PRINT_JSON, "reason", NULL,
			     psnl_reason_name(rec->reason, buf, sizeof(buf)));
	print_event_body(rec);
	close_json_object();
}
