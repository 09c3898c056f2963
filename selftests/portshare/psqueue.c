// SPDX-License-Identifier: GPL-2.0
/*
 * psqueue: an NFQUEUE verdict program for datapath.sh, standing in for an
 * IPS such as Suricata in NFQUEUE mode: it accepts every packet of one
 * queue.  Its verdicts reach nf_reinject() in process context, so the
 * LOCAL_IN hooks after the queue rule, portshare's among them, run there.
 *
 *   psqueue [-n NETNS] --queue NUM --out FILE [--pidfile FILE]
 *
 * The queue is bound (fail-open, metadata only) before --pidfile's parent
 * returns.  On SIGTERM it writes "verdicts N" to FILE and exits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "tool.h"

static volatile sig_atomic_t stop;
static unsigned long verdicts;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int accept_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
			 struct nfq_data *nfa, void *data)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);

	(void)msg;
	(void)data;
	if (!ph)
		return -1;
	verdicts++;
	return nfq_set_verdict(qh, ntohl(ph->packet_id), NF_ACCEPT, 0, NULL);
}

static struct nfq_handle *bind_queue(unsigned int num,
				     struct nfq_q_handle **qh)
{
	struct nfq_handle *h = nfq_open();
	int rcvbuf = 8 << 20;

	if (!h)
		die("nfq_open: %s", strerror(errno));
	*qh = nfq_create_queue(h, num, accept_packet, NULL);
	if (!*qh)
		die("queue %u: %s", num, strerror(errno));
	if (nfq_set_mode(*qh, NFQNL_COPY_META, 0) ||
	    nfq_set_queue_maxlen(*qh, 10000) ||
	    nfq_set_queue_flags(*qh, NFQA_CFG_F_FAIL_OPEN,
				NFQA_CFG_F_FAIL_OPEN))
		die("queue %u: cannot configure it: %s", num, strerror(errno));
	setsockopt(nfq_fd(h), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		   sizeof(rcvbuf));
	return h;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "queue", 1, 0, 'q' }, { "out", 1, 0, 'o' },
		{ "pidfile", 1, 0, 'P' }, { 0, 0, 0, 0 }
	};
	struct sigaction sa = { .sa_handler = on_term };
	const char *out = NULL, *pidfile = NULL;
	static char buf[65536];
	struct nfq_q_handle *qh;
	struct nfq_handle *h;
	int c, num = -1;
	ssize_t n;
	FILE *f;

	while ((c = getopt_long(argc, argv, "n:", lo, NULL)) != -1) {
		switch (c) {
		case 'n': enter_netns(optarg); break;
		case 'q': num = atoi(optarg); break;
		case 'o': out = optarg; break;
		case 'P': pidfile = optarg; break;
		default: die("usage: psqueue [-n NETNS] --queue NUM --out FILE [--pidfile FILE]");
		}
	}
	if (num < 0 || !out)
		die("usage: psqueue [-n NETNS] --queue NUM --out FILE [--pidfile FILE]");
	h = bind_queue(num, &qh);
	sigaction(SIGTERM, &sa, NULL);	/* no SA_RESTART: recv() returns */
	sigaction(SIGINT, &sa, NULL);
	if (pidfile)
		daemonize(pidfile);
	while (!stop) {
		n = recv(nfq_fd(h), buf, sizeof(buf), 0);
		if (n > 0)
			nfq_handle_packet(h, buf, n);
		else if (n < 0 && errno != EINTR && errno != ENOBUFS)
			die("recv: %s", strerror(errno));
	}
	nfq_destroy_queue(qh);
	nfq_close(h);
	f = fopen(out, "w");
	if (!f)
		die("%s: %s", out, strerror(errno));
	fprintf(f, "verdicts %lu\n", verdicts);
	fclose(f);
	return 0;
}
