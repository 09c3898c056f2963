// SPDX-License-Identifier: GPL-2.0
/*
 * The load: a UDP stream at a given rate from a socket in the sender's
 * namespace, in sendmmsg batches.  Pacing is by the clock: each wake-up
 * sends what the schedule says is due (at most one batch), then sleeps
 * until the next datagram is due, so a late wake-up sends a larger batch
 * instead of lowering the rate.  Sleeping rather than spinning matters:
 * the guest's vCPUs share one host thread, and a spinning sender would
 * take time from the data path it measures.
 *
 * The offered rate is what sendmmsg accepted per second, measured; what it
 * refused (EAGAIN, ENOBUFS, a short count) is counted apart, because that
 * is the sender's loss, not the primary's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "psbench.h"

#define BATCH 256
#define MAX_SIZE 1472

void blast_open(struct blaster *b, const char *ns, const char *to,
		const char *from, const char *mcast_if, size_t size)
{
	struct sockaddr_in src;
	int sndbuf = 4 << 20, ttl = 1, off = 0, home;

	if (size < sizeof(struct bench_tag) || size > MAX_SIZE)
		die("--size must be %zu to %d", sizeof(struct bench_tag), MAX_SIZE);
	b->size = size;
	parse_addr(to, &b->to);
	home = netns_enter(ns);
	b->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (b->fd < 0)
		die("socket: %s", strerror(errno));
	if (setsockopt(b->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)))
		die("SO_SNDBUFFORCE: %s", strerror(errno));
	if (from) {
		parse_addr(from, &src);
		if (bind(b->fd, (struct sockaddr *)&src, sizeof(src)))
			die("bind %s: %s", from, strerror(errno));
	}
	if (mcast_if) {
		struct in_addr ifa;

		if (inet_pton(AF_INET, mcast_if, &ifa) != 1)
			die("--mcast-if %s: not an address", mcast_if);
		if (setsockopt(b->fd, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof(ifa)) ||
		    setsockopt(b->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ||
		    setsockopt(b->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off)))
			die("multicast options: %s", strerror(errno));
	}
	netns_leave(home);
	/* wake-ups on time: the default 50 us slack is a lot at 100k/s */
	prctl(PR_SET_TIMERSLACK, 1UL);
}

struct blast_result blast(const struct blaster *b, unsigned int trial,
			  double rate, double seconds)
{
	static unsigned char buf[BATCH][MAX_SIZE];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct blast_result r = { 0 };
	struct bench_tag tag = { .magic = BENCH_MAGIC, .trial = trial };
	unsigned long due, tried = 0;
	double t0, t, last = 0;
	int i, n, want;

	for (i = 0; i < BATCH; i++) {
		memset(buf[i], 0x5a, b->size);
		iov[i] = (struct iovec){ buf[i], b->size };
		msg[i] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = (void *)&b->to, .msg_namelen = sizeof(b->to),
			.msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	t0 = now_s();
	for (;;) {
		t = now_s() - t0;
		if (t >= seconds)
			break;
		due = (unsigned long)(rate * t) + 1;
		if (due <= tried) {
			/* sleep until the next one is due (at least 50 us) */
			double wait = (tried + 1) / rate - t;

			usleep(wait > 50e-6 ? (useconds_t)(wait * 1e6) : 50);
			continue;
		}
		want = due - tried > BATCH ? BATCH : (int)(due - tried);
		for (i = 0; i < want; i++) {
			tag.index = tried + i;
			memcpy(buf[i], &tag, sizeof(tag));
		}
		n = sendmmsg(b->fd, msg, want, 0);
		if (n < 0) {
			if (errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
				die("sendmmsg: %s", strerror(errno));
			n = 0;
		}
		/* the unsent rest of the batch is refused: skip, do not retry */
		r.sent += n;
		r.failed += want - n;
		tried += want;
		last = now_s() - t0;
	}
	r.seconds = last > 0 ? last : seconds;
	return r;
}
