// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of dead-secondary detection in psnl, without netlink: the
 * words (dead.c: dead E/S|off, hold SECONDS; what they take, what they
 * refuse and the message), and what list, -j, monitor and --prometheus
 * print of the attributes (DEAD_ERRORS, DEAD_PERIOD, HOLD, STATE,
 * DEAD_FOR) and counters, from messages built as the kernel sends them.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netlink/genl/genl.h>

#include "../psnl.h"
#include "../../libportshare/test/tap.h"
#include "capture.h"

static char out[8192];

/* A failed check's output, as a TAP comment with its newlines as \n. */
static void diag_out(bool ok)
{
	const char *c;

	if (ok)
		return;
	printf("# got: ");
	for (c = out; *c; c++)
		fputs(*c == '\n' ? "\\n" : (char[]){ *c, 0 }, stdout);
	printf("\n");
}

/* psnl_parse_dead_option() on KEYWORD VALUE, stderr into out. */
static int parse(const char *keyword, const char *value, struct psnl_dead *d)
{
	char *argv[] = { (char *)keyword, (char *)value };
	struct capture c;
	int i = 0, ret;

	memset(d, 0, sizeof(*d));
	capture_begin(&c, STDERR_FILENO);
	ret = psnl_parse_dead_option(value ? 2 : 1, argv, &i, d);
	capture_end(&c, out, sizeof(out));
	return ret;
}

static void dead_taken(const char *value, uint32_t errors, bool has_period,
		       uint32_t period)
{
	struct psnl_dead d;
	int ret = parse("dead", value, &d);

	OK(!ret && d.has_dead && d.errors == errors &&
	   d.has_period == has_period && (!has_period || d.period == period) &&
	   !d.has_hold, "dead %s: taken", value);
}

static void refused(const char *keyword, const char *value, const char *msg)
{
	struct psnl_dead d;
	int ret = parse(keyword, value, &d);

	OK(ret == HANDLER_RET_BADARG && strstr(out, msg),
	   "%s %s: refused with '%s'", keyword, value ? value : "(none)", msg);
	diag_out(ret == HANDLER_RET_BADARG && strstr(out, msg));
}

/* Words refused, with (a part of) the message that says why. */
static const struct {
	const char *keyword, *value, *msg;
} refusals[] = {
	{ "dead", "3/0",
	  "invalid dead \"3/0\": expected E/S, S seconds 1..3600" },
	{ "dead", "3/3601",
	  "invalid dead \"3/3601\": expected E/S, S seconds 1..3600" },
	{ "dead", "1001/10",
	  "invalid dead \"1001/10\": expected E/S or off, E errors 0..1000 (0: off) and S seconds 1..3600" },
	{ "dead", "x",
	  "invalid dead \"x\": expected E/S or off" },
	{ "dead", "3",
	  "invalid dead \"3\": expected E/S or off" },
	{ "dead", "3/",
	  "invalid dead \"3/\": expected E/S, S seconds" },
	{ "dead", "/10",
	  "invalid dead \"/10\"" },
	{ "dead", "-1/10",
	  "invalid dead \"-1/10\"" },
	{ "dead", "3/10/5",
	  "invalid dead \"3/10/5\"" },
	{ "dead", "3/+10",
	  "invalid dead \"3/+10\"" },
	{ "dead", "OFF",
	  "invalid dead \"OFF\"" },
	{ "dead", "99999999999999999999/10",
	  "invalid dead \"99999999999999999999/10\"" },
	{ "dead", NULL,
	  "missing value after \"dead\": expected errors/seconds E/S or off" },
	{ "hold", "-1",
	  "invalid hold \"-1\": expected a number 0..31536000" },
	{ "hold", "31536001",
	  "invalid hold \"31536001\": expected a number 0..31536000" },
	{ "hold", "1h",
	  "invalid hold \"1h\"" },
	{ "hold", NULL,
	  "missing value after \"hold\": expected seconds 0..31536000 (0: never)" },
};

static void test_words(void)
{
	struct psnl_dead d;
	size_t i;

	dead_taken("3/10", 3, true, 10);
	dead_taken("0/10", 0, true, 10);
	dead_taken("1000/3600", 1000, true, 3600);
	dead_taken("1/1", 1, true, 1);
	dead_taken("off", 0, false, 0);
	OK(!parse("hold", "0", &d) && d.has_hold && d.hold == 0 &&
	   !d.has_dead, "hold 0: taken (never)");
	OK(!parse("hold", "31536000", &d) && d.has_hold && d.hold == 31536000,
	   "hold 31536000: taken");
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		refused(refusals[i].keyword, refusals[i].value,
			refusals[i].msg);
}

/* A new message of @cmd; the caller adds attributes and frees it. */
static struct nl_msg *message(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg)
		genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 1, 0, 0, cmd, 1);
	return msg;
}

/* Port 427, reg 13427, max 64, and the three settings, as @cmd. */
static struct nl_msg *port_as(uint8_t cmd, uint32_t errors, uint32_t period,
			      uint32_t hold)
{
	struct nl_msg *msg = message(cmd);

	nla_put_u16(msg, PORTSHARE_A_PORT, 427);
	nla_put_u16(msg, PORTSHARE_A_REG_PORT, 13427);
	nla_put_u32(msg, PORTSHARE_A_MAX_SECONDARIES, 64);
	nla_put_u32(msg, PORTSHARE_A_DEAD_ERRORS, errors);
	nla_put_u32(msg, PORTSHARE_A_DEAD_PERIOD, period);
	nla_put_u32(msg, PORTSHARE_A_HOLD, hold);
	return msg;
}

static struct nl_msg *port(uint32_t errors, uint32_t period, uint32_t hold)
{
	return port_as(PORTSHARE_CMD_PORT_GET, errors, period, hold);
}

/* Secondary 427 10.0.0.5:9000 encap, with its three new counters. */
static struct nl_msg *secondary(uint8_t cmd)
{
	struct nl_msg *msg = message(cmd);
	struct in_addr a4;
	struct nlattr *stats;

	inet_pton(AF_INET, "10.0.0.5", &a4);
	nla_put_u16(msg, PORTSHARE_A_PORT, 427);
	nla_put(msg, PORTSHARE_A_ADDR4, sizeof(a4), &a4);
	nla_put_u16(msg, PORTSHARE_A_DATA_PORT, 9000);
	nla_put_u8(msg, PORTSHARE_A_MODE, PORTSHARE_MODE_ENCAP);
	stats = nla_nest_start(msg, PORTSHARE_A_STATS);
	nla_put_u64(msg, PORTSHARE_STAT_SEC_COPIES, 4);
	nla_put_u64(msg, PORTSHARE_STAT_SEC_BYTES, 40);
	nla_put_u64(msg, PORTSHARE_STAT_SEC_ICMP_ERRORS, 3);
	nla_put_u64(msg, PORTSHARE_STAT_SEC_DEAD_SKIPPED, 7);
	nla_put_u64(msg, PORTSHARE_STAT_SEC_PROBES, 1);
	nla_nest_end(msg, stats);
	return msg;
}

static void dead_state(struct nl_msg *msg, uint32_t dead_for)
{
	nla_put_u8(msg, PORTSHARE_A_STATE, PORTSHARE_STATE_DEAD);
	nla_put_u32(msg, PORTSHARE_A_DEAD_FOR, dead_for);
}

enum what { PORT, SECONDARY, STATS, EVENT, METRICS };

/*
 * Print the message @msg (freed) as @what, text or JSON, into out: STATS
 * as the one secondary of a port that has nothing but its number.
 */
static void show(struct nl_msg *msg, enum what what, bool json)
{
	static const struct psnl_event_meta meta = { .time = "T" };
	static const struct psnl_record bare = {
		.has = PSNL_HAS(PORTSHARE_A_PORT), .port = 427,
	};
	struct psnl ps = { 0 };
	struct psnl_record rec;
	struct psnl_records one = { .v = &rec, .len = 1, .cap = 1 };
	struct capture c;

	if (psnl_record_parse(nlmsg_hdr(msg), &rec)) {
		nlmsg_free(msg);
		snprintf(out, sizeof(out), "(malformed)");
		return;
	}
	nlmsg_free(msg);
	capture_begin(&c, STDOUT_FILENO);
	print_init(json, false);
	if (what == EVENT) {
		print_begin_line();
		psnl_format_event(&rec, &meta);
		print_end_line();
	} else if (what == METRICS) {
		psnl_prometheus(&ps, &(struct psnl_records){ 0 }, &one);
	} else {
		print_begin_list();
		if (what == PORT)
			psnl_format_port(&rec);
		else if (what == SECONDARY)
			psnl_format_secondary(&rec);
		else
			psnl_format_stats(&bare, &rec, 1);
		print_end_list();
	}
	capture_end(&c, out, sizeof(out));
}

static void shows(struct nl_msg *msg, enum what what, bool json,
		  const char *want, const char *what_text)
{
	show(msg, what, json);
	OK(!strcmp(out, want), "%s", what_text);
	diag_out(!strcmp(out, want));
}

static void has(struct nl_msg *msg, enum what what, bool json,
		const char *want, const char *what_text)
{
	show(msg, what, json);
	OK(strstr(out, want) != NULL, "%s: has '%s'", what_text, want);
	diag_out(strstr(out, want) != NULL);
}

/* A port's settings and the words its text line ends with. */
static const struct {
	uint32_t errors, period, hold;
	const char *text, *what;
} port_texts[] = {
	{ 3, 10, 300, "", "the defaults are not shown" },
	{ 5, 20, 0, " dead 5/20 hold 0", "dead E/S and hold 0" },
	{ 3, 11, 300, " dead 3/11", "another period alone" },
	{ 0, 10, 60, " dead off hold 60", "dead off" },
	{ 0, 30, 300, " dead 0/30", "off with a period of its own stays 0/S" },
};

static void test_port(void)
{
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(port_texts) / sizeof(port_texts[0]); i++) {
		snprintf(want, sizeof(want), "port add 427 reg 13427 max 64%s\n",
			 port_texts[i].text);
		shows(port(port_texts[i].errors, port_texts[i].period,
			   port_texts[i].hold), PORT, false, want,
		      port_texts[i].what);
	}
	shows(port(3, 10, 300), PORT, true,
	      "[{\"port\":427,\"reg_port\":13427,\"max_secondaries\":64,"
	      "\"dead_errors\":3,\"dead_period\":10,\"hold\":300}]\n",
	      "port JSON: all three always");
	has(port(0, 10, 0), PORT, true,
	    "\"dead_errors\":0,\"dead_period\":10,\"hold\":0}",
	    "port JSON: zeros too");
	shows(port_as(PORTSHARE_CMD_PORT_NEW, 5, 20, 0), EVENT, false,
	      "port add 427 reg 13427 max 64 dead 5/20 hold 0\n",
	    "port_add event text");
}

/* A secondary @cmd in @state (-1: without STATE), dead for @dead_for. */
static struct nl_msg *in_state(uint8_t cmd, int state, uint32_t dead_for)
{
	struct nl_msg *msg = secondary(cmd);

	if (state == PORTSHARE_STATE_DEAD)
		dead_state(msg, dead_for);
	else if (state >= 0)
		nla_put_u8(msg, PORTSHARE_A_STATE, state);
	return msg;
}

/* @msg with the u32 attribute @attr @value added. */
static struct nl_msg *with(struct nl_msg *msg, int attr, uint32_t value)
{
	nla_put_u32(msg, attr, value);
	return msg;
}

static void test_secondary(void)
{
	const uint8_t get = PORTSHARE_CMD_SEC_GET;
	struct nl_msg *msg;

	shows(in_state(get, -1, 0), SECONDARY, false,
	      "add 427 10.0.0.5:9000 mode encap\t# copies 4 bytes 40 "
	      "skip_dead 7 icmp_errors 3 probes 1\n",
	      "list text: no state from an old kernel; the new counters");
	shows(with(in_state(get, PORTSHARE_STATE_UP, 0), PORTSHARE_A_HOLD, 600),
	      SECONDARY, false,
	      "add 427 10.0.0.5:9000 mode encap hold 600\t# copies 4 bytes 40 "
	      "skip_dead 7 icmp_errors 3 probes 1\n",
	      "list text: up is not shown; hold is an option");
	shows(with(with(in_state(get, PORTSHARE_STATE_DEAD, 12),
			PORTSHARE_A_LEASE, 60), PORTSHARE_A_LEASE_LEFT, 42),
	      SECONDARY, false,
	      "add 427 10.0.0.5:9000 mode encap lease 60\t# state dead dead_for 12 "
	      "lease_left 42 copies 4 bytes 40 skip_dead 7 icmp_errors 3 "
	      "probes 1\n", "list text: state dead dead_for 12 first in the comment");
	shows(in_state(get, -1, 0), SECONDARY, true,
	      "[{\"port\":427,\"family\":\"inet\",\"addr\":\"10.0.0.5\","
	      "\"data_port\":9000,\"mode\":\"encap\",\"state\":\"up\","
	      "\"stats\":{\"copies\":4,\"bytes\":40,\"skip_dead\":7,"
	      "\"icmp_errors\":3,\"probes\":1}}]\n",
	      "list JSON: state up without STATE");
	has(with(in_state(get, PORTSHARE_STATE_DEAD, 12), PORTSHARE_A_HOLD, 600),
	    SECONDARY, true,
	    "\"mode\":\"encap\",\"hold\":600,\"state\":\"dead\",\"dead_for\":12,"
	    "\"stats\":{", "list JSON: hold, state dead, dead_for");
	has(with(in_state(get, 7, 0), PORTSHARE_A_HOLD, 0), SECONDARY, true,
	    "\"mode\":\"encap\",\"state\":\"7\",",
	    "list JSON: no hold 0; an unknown state as its number");
	msg = in_state(get, PORTSHARE_STATE_DEAD, 0);
	nla_put(msg, PORTSHARE_A_HOLD, 2, "\1");
	shows(msg, SECONDARY, false, "(malformed)",
	      "a HOLD of 2 bytes: refused by the policy");
	has(in_state(get, PORTSHARE_STATE_DEAD, 0), STATS, false,
	    " mode encap\t# state dead dead_for 0 copies 4 bytes 40 skip_dead 7 ",
	    "stats text: the state, and every counter sent");
}

/* The sec_drop event of a secondary dead longer than its hold. */
static struct nl_msg *dropped_unreachable(void)
{
	struct nl_msg *msg = in_state(PORTSHARE_CMD_SEC_DROP,
				      PORTSHARE_STATE_DEAD, 300);

	nla_put_u8(msg, PORTSHARE_A_REASON, PORTSHARE_REASON_UNREACHABLE);
	return msg;
}

static void test_events(void)
{
	shows(in_state(PORTSHARE_CMD_SEC_STATE, PORTSHARE_STATE_DEAD, 0),
	      EVENT, false, "state 427 10.0.0.5:9000 dead 0s\n",
	      "sec_state event text, dead");
	shows(in_state(PORTSHARE_CMD_SEC_STATE, PORTSHARE_STATE_UP, 0),
	      EVENT, false, "state 427 10.0.0.5:9000 up\n",
	      "sec_state event text, up");
	shows(in_state(PORTSHARE_CMD_SEC_STATE, PORTSHARE_STATE_DEAD, 0),
	      EVENT, true,
	      "{\"time\":\"T\",\"netns\":null,\"event\":\"sec_state\","
	      "\"port\":427,\"family\":\"inet\",\"addr\":\"10.0.0.5\","
	      "\"data_port\":9000,\"mode\":\"encap\",\"state\":\"dead\","
	      "\"dead_for\":0,\"stats\":{\"copies\":4,\"bytes\":40,"
	      "\"skip_dead\":7,\"icmp_errors\":3,\"probes\":1}}\n",
	      "sec_state event JSON");
	shows(dropped_unreachable(), EVENT, false,
	      "drop 427 10.0.0.5:9000 reason unreachable\n",
	      "sec_drop event text, reason unreachable");
	has(dropped_unreachable(), EVENT, true,
	    "\"event\":\"sec_drop\",\"reason\":\"unreachable\",",
	    "sec_drop event JSON, reason unreachable");
}

/* The sample NAME{the secondary's labels[,EXTRA]} VALUE is in out. */
static void sample(const char *name, const char *extra, unsigned int value,
		   const char *what)
{
	char want[256];

	snprintf(want, sizeof(want),
		 "portshare_%s{port=\"427\",secondary=\"10.0.0.5\","
		 "data_port=\"9000\",mode=\"encap\"%s} %u\n", name, extra,
		 value);
	OK(strstr(out, want) != NULL, "metrics: %s", what);
	diag_out(strstr(out, want) != NULL);
}

static void test_metrics(void)
{
	show(in_state(PORTSHARE_CMD_SEC_GET, PORTSHARE_STATE_DEAD, 12),
	     METRICS, false);
	sample("secondary_up", "", 0, "secondary_up 0 while dead");
	sample("secondary_datagrams_skipped_total", ",reason=\"dead\"", 7,
	       "skip_dead as skipped, reason dead");
	sample("secondary_icmp_errors_total", "", 3, "icmp_errors");
	sample("secondary_probes_total", "", 1, "probes");
	show(in_state(PORTSHARE_CMD_SEC_GET, -1, 0), METRICS, false);
	sample("secondary_up", "", 1, "secondary_up 1 without STATE");
	show(in_state(PORTSHARE_CMD_SEC_GET, PORTSHARE_STATE_UP, 0), METRICS,
	     false);
	sample("secondary_up", "", 1, "secondary_up 1 when up");
}

int main(void)
{
	test_words();
	test_port();
	test_secondary();
	test_events();
	test_metrics();
	return tap_done();
}
