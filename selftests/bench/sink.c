// SPDX-License-Identifier: GPL-2.0
/*
 * The receivers: every socket under test, drained by one thread with
 * epoll and recvmmsg.  Each datagram is counted against its socket only
 * if it carries the current trial's tag, so a straggler of the previous
 * rate step can never hide a loss in this one.  Encap copies are
 * recognised by their magic and their header skipped (hdr_len), so the
 * same counting works for every contender.
 *
 * A socket spec is NS,ADDR:PORT[,app][,join=GROUP@IFADDR]: app marks the
 * application on the contested port, which does not count for the loss
 * criterion (only secondaries do); join makes it a multicast member, bound
 * with SO_REUSEADDR as every member of the group is.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/portshare.h>

#include "psbench.h"

#define BATCH 64
#define BUFSZ 2048
/* Room for a whole rate step even if the reader stalls for a while. */
#define RCVBUF (4 << 20)

static void join(int fd, const char *spec)
{
	char buf[64], *at;
	struct ip_mreq m = { 0 };

	snprintf(buf, sizeof(buf), "%s", spec);
	at = strchr(buf, '@');
	if (at)
		*at++ = '\0';
	if (inet_pton(AF_INET, buf, &m.imr_multiaddr) != 1 ||
	    (at && inet_pton(AF_INET, at, &m.imr_interface) != 1))
		die("join=%s: bad address", spec);
	if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)))
		die("IP_ADD_MEMBERSHIP %s: %s", spec, strerror(errno));
}

void sink_add(struct sink *s, const char *spec)
{
	char buf[256], *ns, *addr, *opt, *save = NULL;
	struct sink_sock *k;
	struct sockaddr_in sin;
	struct epoll_event ev = { .events = EPOLLIN };
	int one = 1, rcvbuf = RCVBUF, home;
	const char *group = NULL;

	if (s->nsock == MAX_SOCKS)
		die("at most %d sockets", MAX_SOCKS);
	k = &s->sock[s->nsock];
	snprintf(k->name, sizeof(k->name), "%s", spec);
	k->secondary = true;
	snprintf(buf, sizeof(buf), "%s", spec);
	ns = strtok_r(buf, ",", &save);
	addr = strtok_r(NULL, ",", &save);
	if (!ns || !addr)
		die("--rx %s: want NS,ADDR:PORT[,app][,join=G@IF]", spec);
	while ((opt = strtok_r(NULL, ",", &save))) {
		if (!strcmp(opt, "app"))
			k->secondary = false;
		else if (!strncmp(opt, "join=", 5))
			group = spec + (opt + 5 - buf);
		else
			die("--rx %s: unknown option %s", spec, opt);
	}
	parse_addr(addr, &sin);

	home = netns_enter(ns);
	netns_watch_snmp();
	k->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (k->fd < 0)
		die("socket: %s", strerror(errno));
	/* FORCE: beyond rmem_max without touching the sysctl */
	if (setsockopt(k->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		die("SO_RCVBUFFORCE: %s", strerror(errno));
	if (group && setsockopt(k->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR: %s", strerror(errno));
	if (bind(k->fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("bind %s: %s", spec, strerror(errno));
	if (group) {
		char g[64];

		snprintf(g, sizeof(g), "%s", group);
		g[strcspn(g, ",")] = '\0';
		join(k->fd, g);
	}
	netns_leave(home);

	ev.data.u32 = s->nsock;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, k->fd, &ev))
		die("epoll_ctl: %s", strerror(errno));
	s->nsock++;
}

/* The trial a pktgen frame was built in: the latest that began before. */
static unsigned int trial_at(struct sink *s, const struct pktgen_hdr *h)
{
	uint64_t us = ntohl(h->tv_sec) * 1000000ULL + ntohl(h->tv_usec);
	unsigned int t = atomic_load(&s->latest);

	while (t && us < s->start_us[t])
		t--;
	return t;
}

/* The trial a datagram belongs to, or 0 if it is not one of ours. */
static unsigned int trial_of(struct sink *s, const unsigned char *p, size_t len)
{
	struct pktgen_hdr h;
	struct bench_tag tag;
	size_t off = 0;

	if (len >= PORTSHARE_ENCAP_HDR_LEN &&
	    ntohl(*(const uint32_t *)p) == PORTSHARE_ENCAP_MAGIC)
		off = ((const struct portshare_encap_hdr *)p)->hdr_len;
	if (len < off + sizeof(tag))
		return 0;
	memcpy(&tag, p + off, sizeof(tag));
	if (tag.magic == BENCH_MAGIC)
		return tag.trial;
	memcpy(&h, p + off, sizeof(h));
	return ntohl(h.magic) == PKTGEN_MAGIC ? trial_at(s, &h) : 0;
}

static void drain_sock(struct sink *s, struct sink_sock *k)
{
	static unsigned char buf[BATCH][BUFSZ];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	unsigned long long v;
	unsigned int t;
	int n, i;

	for (;;) {
		for (i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ buf[i], BUFSZ };
			msg[i] = (struct mmsghdr){ .msg_hdr = {
				.msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		n = recvmmsg(k->fd, msg, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				die("recvmmsg %s: %s", k->name, strerror(errno));
			return;
		}
		/* this thread is the only writer: no read-modify-write needed */
		for (i = 0; i < n; i++) {
			t = trial_of(s, buf[i], msg[i].msg_len);
			v = atomic_load_explicit(&k->got, memory_order_relaxed);
			if (t && t == v >> 32)
				v++;
			else if (t > v >> 32)
				v = (unsigned long long)t << 32 | 1;	/* a newer trial */
			else
				k->stale++;
			atomic_store_explicit(&k->got, v, memory_order_relaxed);
		}
		atomic_fetch_add_explicit(&s->total, n, memory_order_relaxed);
	}
}

void *sink_run(void *arg)
{
	struct sink *s = arg;
	struct epoll_event ev[MAX_SOCKS];
	int n, i;

	while (!atomic_load(&s->stop)) {
		n = epoll_wait(s->epfd, ev, MAX_SOCKS, 50);
		if (n < 0 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (i = 0; i < n; i++)
			drain_sock(s, &s->sock[ev[i].data.u32]);
	}
	return NULL;
}

/* TRIAL starts now: pktgen frames built from now on are its. */
void sink_begin(struct sink *s, unsigned int trial)
{
	if (trial >= MAX_TRIALS)
		die("more than %d trials", MAX_TRIALS);
	s->start_us[trial] = realtime_us();
	atomic_store(&s->latest, trial);
}

/* Datagrams of TRIAL that socket K has got so far. */
unsigned long sink_got(const struct sink_sock *k, unsigned int trial)
{
	unsigned long long v = atomic_load_explicit(&k->got, memory_order_relaxed);

	return v >> 32 == trial ? (unsigned long)(v & 0xffffffffu) : 0;
}

/*
 * Wait until nothing has arrived for QUIET_MS (at most MAX_MS): copies
 * still queued in backlogs and socket buffers then count for this trial.
 */
void sink_drain(const struct sink *s, unsigned int quiet_ms, unsigned int max_ms)
{
	unsigned long last = atomic_load(&s->total), cur;
	unsigned int waited = 0, quiet = 0;

	while (quiet < quiet_ms && waited < max_ms) {
		sleep_ms(10);
		waited += 10;
		cur = atomic_load(&s->total);
		quiet = cur == last ? quiet + 10 : 0;
		last = cur;
	}
}
