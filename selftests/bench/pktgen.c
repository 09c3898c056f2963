// SPDX-License-Identifier: GPL-2.0
/*
 * The load from the kernel's pktgen, the steadier and cheaper sender: a
 * kernel thread (kpktgend_0, on CPU 0) builds each frame and hands it
 * straight to the sender's veth, with no socket, syscall or IP output
 * path in between.  Under TCG the socket path costs about as much as the
 * primary's work per datagram, so a sendmmsg sender runs out of CPU
 * before the cheap contenders (one receiver, multicast) do, and their
 * ceilings would be the sender's.
 *
 * Exact counts: pktgen sends exactly "count" frames and reports how many
 * it did and in how long.  Its frames carry no tag of ours, but each
 * starts its payload with pktgen's header and the time it was built
 * (CLOCK_REALTIME), so the receivers tell trials apart by time (sink.c).
 * pktgen keeps its state per namespace: the control files are opened in
 * the sender's namespace, and "start" is written from there, because
 * pgctrl starts the threads of the writer's namespace, not the file's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "psbench.h"

static void pg_write(int fd, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void pg_write(int fd, const char *what, const char *fmt, ...)
{
	char cmd[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	/* pgctrl cuts the last byte off, taking it for a newline */
	cmd[n++] = '\n';
	if (write(fd, cmd, n) != n)	/* proc_write: no pwrite */
		die("pktgen %s: \"%s\": %s", what, cmd, strerror(errno));
}

static int pg_open(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/net/pktgen/%s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s (modprobe pktgen?)", path, strerror(errno));
	return fd;
}

/* pktgen's thread acts on device changes later: wait until it has. */
static void pg_wait_dev(const char *dev, bool present)
{
	char path[128];
	int i;

	snprintf(path, sizeof(path), "/proc/self/net/pktgen/%s", dev);
	for (i = 0; i < 500; i++) {
		if ((access(path, F_OK) == 0) == present)
			return;
		sleep_ms(10);
	}
	die("pktgen: %s still %s", dev, present ? "missing" : "there");
}

void pktgen_open(struct blaster *b, const char *ns, const char *dev,
		 const char *to, const char *from, const char *dst_mac,
		 size_t size)
{
	struct sockaddr_in dst, src = { 0 };
	char d[16], s[16];
	int home, thread;

	parse_addr(to, &dst);
	if (from)
		parse_addr(from, &src);
	inet_ntop(AF_INET, &dst.sin_addr, d, sizeof(d));
	inet_ntop(AF_INET, &src.sin_addr, s, sizeof(s));
	b->size = size;
	b->pktgen = true;
	b->ns = ns;
	home = netns_enter(ns);
	b->pg_ctrl = pg_open("pgctrl");
	thread = pg_open("kpktgend_0");
	/* an earlier psbench's device would be there still */
	pg_write(thread, "thread", "rem_device_all");
	pg_wait_dev(dev, false);
	pg_write(thread, "thread", "add_device %s", dev);
	pg_wait_dev(dev, true);
	close(thread);
	b->pg_dev = pg_open(dev);
	netns_leave(home);

	pg_write(b->pg_dev, dev, "clone_skb 0");	/* veth consumes the skb */
	/* frame: Ethernet + IPv4 + UDP + payload + the CRC pktgen assumes */
	pg_write(b->pg_dev, dev, "pkt_size %zu", size + 14 + 20 + 8 + 4);
	pg_write(b->pg_dev, dev, "dst %s", d);
	pg_write(b->pg_dev, dev, "src_min %s", s);
	pg_write(b->pg_dev, dev, "src_max %s", s);
	pg_write(b->pg_dev, dev, "dst_mac %s", dst_mac);
	pg_write(b->pg_dev, dev, "udp_dst_min %u", ntohs(dst.sin_port));
	pg_write(b->pg_dev, dev, "udp_dst_max %u", ntohs(dst.sin_port));
	pg_write(b->pg_dev, dev, "udp_src_min %u", ntohs(src.sin_port));
	pg_write(b->pg_dev, dev, "udp_src_max %u", ntohs(src.sin_port));
}

/*
 * "Result: OK: 1000123(c999000+d1123) usec, 5000 (302byte,0frags)", or
 * false while the device has not finished (the result is still that of
 * the last command, "OK: rate=...").
 */
static bool pg_result(int fd, struct blast_result *r)
{
	char buf[4096], *p;
	unsigned long long usec = 0, pkts = 0, errors = 0;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		die("pktgen: lseek: %s", strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		die("pktgen: cannot read the result");
	buf[n] = '\0';
	p = strstr(buf, "Result: OK: ");
	if (!p || sscanf(p, "Result: OK: %llu(%*[^)]) usec, %llu", &usec, &pkts) != 2)
		return false;
	p = strstr(buf, "errors: ");
	if (p)
		errors = strtoull(p + 8, NULL, 10);
	r->sent = pkts;
	r->failed = errors;
	r->seconds = usec / 1e6;
	return true;
}

struct blast_result pktgen_run(const struct blaster *b, double rate, double seconds)
{
	struct blast_result r = { 0 };
	unsigned long count = (unsigned long)(rate * seconds + 0.5);
	int i, home;

	pg_write(b->pg_dev, "dev", "count %lu", count ? count : 1);
	pg_write(b->pg_dev, "dev", "ratep %lu", (unsigned long)(rate + 0.5));
	/*
	 * Returns when every frame is out, normally.  But it waits only
	 * 125 ms for the thread to take the device up, and under TCG the
	 * thread can be later than that: then it returns at once and the
	 * device runs on, so wait for its result.
	 */
	home = netns_enter(b->ns);
	pg_write(b->pg_ctrl, "pgctrl", "start");
	netns_leave(home);
	for (i = 0; !pg_result(b->pg_dev, &r); i++) {
		if (i > (seconds + 10) * 50)
			die("pktgen: no result after %.0f s", seconds + 10);
		sleep_ms(20);
	}
	return r;
}
