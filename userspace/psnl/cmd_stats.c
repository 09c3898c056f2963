// SPDX-License-Identifier: GPL-2.0
/*
 * stats [PORT] [--prometheus]: every counter of every contested port (or
 * of PORT) and of its secondaries, zeros included; as text, JSON or the
 * Prometheus text exposition (prometheus.c).  Two dumps, secondaries first: with
 * PORT, the kernel refuses that dump when PORT is not designated, with a
 * message naming it.  Both dumps come in ascending port order.
 */
#include <errno.h>
#include <string.h>

#include "psnl.h"

/* Each port, followed by the run of secondaries that belong to it. */
static void print_all(const struct psnl_records *ports,
		      const struct psnl_records *secs)
{
	size_t i, first = 0, end;

	print_begin_list();
	for (i = 0; i < ports->len; i++) {
		uint16_t port = ports->v[i].port;

		while (first < secs->len && secs->v[first].port < port)
			first++;
		for (end = first; end < secs->len && secs->v[end].port == port;
		     end++)
			;
		psnl_format_stats(&ports->v[i], secs->v + first, end - first);
		first = end;
	}
	print_end_list();
}

static int show_stats(struct psnl *ps, uint16_t port, bool prometheus)
{
	struct psnl_records ports = { 0 }, secs = { 0 };
	int err;

	err = psnl_collect(ps, PORTSHARE_CMD_SEC_GET, port, &secs);
	if (!err)
		err = psnl_collect(ps, PORTSHARE_CMD_PORT_GET, port, &ports);
	if (!err && port && ports.len == 0) {
		/* undesignated between the two dumps */
		psnl_error("port %u is not designated", port);
		err = -ENOENT;
	}
	if (!err && prometheus) {
		err = psnl_prometheus(ps, &ports, &secs);
	} else if (!err) {
		print_all(&ports, &secs);
		err = psnl_show_flush();
	}
	psnl_records_free(&ports);
	psnl_records_free(&secs);
	return err;
}

static int do_stats(struct psnl *ps, int argc, char **argv)
{
	bool prometheus = false, has_port = false;
	uint16_t port = 0;
	int i, err = 0;

	for (i = 0; i < argc && !err; i++) {
		if (!strcmp(argv[i], "--prometheus"))
			err = psnl_once(&prometheus, "--prometheus");
		else if (!has_port)
			err = psnl_parse_port("port", argv[i], &port);
		else
			err = psnl_no_more_args(argc, argv, i);
		has_port |= port != 0;
	}
	if (err)
		return err;
	if (prometheus && ps->json)
		return psnl_usage_error("--prometheus and -j exclude each other: choose one format");
	return show_stats(ps, port, prometheus);
}

const struct psnl_cmd psnl_cmd_stats = {
	.name = "stats",
	.args = "[PORT] [--prometheus]",
	.help = "show every counter of the contested ports, or of PORT\n"
		"Each port is followed by its secondaries, in the syntax of\n"
		"\"port list\" and \"list\" (so the output can be fed to psnl -b),\n"
		"with all counters after the \"#\", zeros included.\n"
		"With --prometheus, the same counters in the Prometheus text\n"
		"exposition format (metric names: psnl(8), METRICS).\n"
		"\n"
		"Port counters (datagrams):\n"
		"  rx                 seen on the port\n"
		"  shared             shared with the secondaries\n"
		"  err_csum           not shared: bad UDP checksum\n"
		"  err_malformed      not shared: bad UDP length\n"
		"  err_gso            not shared: GSO packet that could not be split\n"
		"  err_loop           not shared: a copy from a portshare primary\n"
		"Registration port counters (absent with \"reg off\"):\n"
		"  reg_requests       requests received\n"
		"  reg_ok             answered 100 OK\n"
		"  reg_errors         answered with an error code\n"
		"  reg_denied         ignored: the acl does not allow the source\n"
		"  reg_rate_limited   ignored: the source is over its rate\n"
		"  reg_not_permitted  answered 400: a third party address without\n"
		"                     an acl grant, another user's local data port\n"
		"                     or mode=transparent from other than root\n"
		"                     (also counted in reg_errors)\n"
		"  reg_list_full      answered 401: the list is full (also counted\n"
		"                     in reg_errors)\n"
		"  reg_ignored        ignored: empty, a reply or a SHUTDOWN, from a\n"
		"                     local registration port, or the queue was full\n"
		"  reg_send_errors    a reply or SHUTDOWN the network stack refused\n"
		"                     (no route, a firewall): the peer got nothing\n"
		"  reg_verify         answered 102 VERIFY: a request from an acl\n"
		"                     network with verify, without a good cookie\n"
		"Secondary counters:\n"
		"  copies             copies sent (local: queued on the socket)\n"
		"  bytes              payload bytes sent\n"
		"  sampled            datagrams skipped by sampling\n"
		"  skip_filtered      datagrams skipped by the source filter (from)\n"
		"  skip_dead          datagrams skipped: the secondary was dead\n"
		"  drop_nomem         not sent: out of memory\n"
		"  drop_noroute       not sent: no route to the secondary\n"
		"  drop_xmit          not sent: the output path dropped it\n"
		"  drop_family        not sent: IPv6 sender, transparent IPv4 copy\n"
		"  drop_toobig        not sent: too big for IP\n"
		"  drop_rcvbuf        local copy lost: the socket's receive buffer\n"
		"                     was full\n"
		"  drop_nosocket      local copy lost: no socket on the data port\n"
		"  drop_filter        local copy lost: the socket's filter refused it\n"
		"  drop_dest          not sent: the address routes as broadcast or\n"
		"                     multicast\n"
		"  drop_nosrc         not sent: the primary address it would come\n"
		"                     from is no longer local\n"
		"  drop_budget        not sent: the datagram's copies had used the\n"
		"                     port's copy budget (copy_budget)\n"
		"  drop_ratelimited   not sent: over the secondary's rate cap (rate)\n"
		"  icmp_errors        errors copies drew: ICMP unreachable or\n"
		"                     prohibited, or a local copy with no socket\n"
		"  probes             datagrams chosen as probes while it was dead,\n"
		"                     to see if it is up again (each also counted\n"
		"                     as a copy or a drop)",
	.handler = do_stats,
};
