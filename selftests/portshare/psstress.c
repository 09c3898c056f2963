// SPDX-License-Identifier: GPL-2.0
/*
 * psstress: the load and the churn of stress.sh, in one process each, so
 * that a cycle costs the TCG guest kernel work and not a dozen execs.
 *
 *   psstress sink  --bind ADDR --port BASE [--ports N] --out FILE
 *                  [--pidfile FILE] [--timeout MS]
 *   psstress flood --to ADDR:PORT [--size S] [--rate PPS] [--count N]
 *                  [--seconds S] [--out FILE] [--pidfile FILE]
 *   psstress wire  --to ADDR:REGPORT --port P --base B [--span K]
 *                  [--ops N] [--wait MS] [--out FILE]
 *   psstress modcycle --ko PATH --params STR --cycles N --port P
 *                  --reg REGPORT --base B [--secondaries K] [--dwell MS]
 *   psstress nscycle --name PREFIX --cycles N --port P --base B
 *                  [--secondaries K] [--dwell MS] [--rate PPS]
 *                  [--size S] [--psnl PATH]
 *
 * Every command takes -n NETNS (a name from "ip netns") to run there.
 *
 * sink binds ports BASE..BASE+N-1 on ADDR and counts what arrives until
 * SIGTERM or --timeout; it keeps --out current (rewritten every 200 ms
 * while the counts change, and at the end), one line per port,
 * "PORT DATAGRAMS BYTES SHUTDOWNS DROPS": SHUTDOWN notices (Table 3) are
 * counted apart from the copies, DROPS is what the socket's receive queue
 * overflowed (SO_RXQ_OVFL).  --pidfile forks once every socket is bound.
 *
 * flood sends datagrams of S bytes at PPS (0: as fast as it can) until
 * --count, --seconds or SIGTERM, and writes "SENT FAILED": sends that
 * succeeded and sends that failed (a vanished route is no reason to stop).
 *
 * wire sends N registration requests, alternately "ADD 127.0.0.1 P D" and
 * "DROP 127.0.0.1 P D" with D cycling through BASE..BASE+K-1, each from
 * one connected socket, and waits up to --wait MS for each reply.  It
 * writes "OK ERRORS REFUSED TIMEOUTS": 100 replies, other replies, ICMP
 * port unreachable (the port was deleted) and silence.
 *
 * modcycle loads the module at PATH with STR (finit_module), registers K
 * secondaries 127.0.0.1:BASE.. on P over the wire, waits --dwell MS and
 * unloads it (delete_module), N times.  Its dependencies stay loaded.
 *
 * nscycle creates a network namespace, names it /run/netns/PREFIX (as "ip
 * netns add" does), designates P with K secondaries 127.0.0.1:BASE.. (one
 * "psnl -b"), binds a sink for P and the secondaries and floods P from
 * inside; after --dwell MS it deletes the name (as "ip netns del" does)
 * and kills the flood and the sink, whose sockets held the namespace: it
 * is torn down with datagrams in flight.  N times.
 *
 * Both cycles print "cycles N in MS ms" and exit 1 on the first failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define MAX_DGRAM	65536
#define MAX_PORTS	64
#define NETNS_DIR	"/run/netns"

struct opts {
	const char *to, *bind, *out, *pidfile, *ko, *params, *name, *psnl;
	const char *netns;
	long port, base, ports, timeout, size, rate, count, seconds, ops;
	long span, wait, cycles, reg, dwell;
};

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void catch_term(void)
{
	struct sigaction sa = { .sa_handler = on_term };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { ns / 1000000000ULL, ns % 1000000000ULL };

	while (nanosleep(&ts, &ts) && errno == EINTR && !stop)
		;
}

/* IPv4 only: the suite works on 127.0.0.1 and its own namespaces. */
static void parse_ep4(const char *text, struct sockaddr_in *sin)
{
	struct ep ep;

	parse_ep(text, false, &ep);
	if (ep.family != AF_INET)
		die_with(2, "%s: not an IPv4 address", text);
	*sin = ep.in;
}

/* Write @text to @path through a rename: a reader sees all or nothing. */
static void write_out(const char *path, const char *text)
{
	char tmp[512];
	FILE *f;

	if (!path) {
		fputs(text, stdout);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) || rename(tmp, path))
		die("%s: %s", path, strerror(errno));
}

/* ---- sink ----------------------------------------------------------------- */

struct sink_port {
	int fd;
	long port, dgrams, bytes, shutdowns;
	uint32_t drops;
};

static int udp_bound(const struct sockaddr_in *sin, int rcvbuf)
{
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)sin, sizeof(*sin)))
		die("bind %s:%u: %s", inet_ntoa(sin->sin_addr),
		    ntohs(sin->sin_port), strerror(errno));
	if (rcvbuf &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return fd;
}

static void sink_bind(struct sink_port *sp, long n, const struct opts *o)
{
	struct sockaddr_in sin;
	int one = 1;
	long i;

	parse_ep4(o->bind, &sin);
	for (i = 0; i < n; i++) {
		sp[i].port = o->base + i;
		sin.sin_port = htons(sp[i].port);
		sp[i].fd = udp_bound(&sin, 8 << 20);
		setsockopt(sp[i].fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	}
}

static void sink_drain(struct sink_port *sp)
{
	static uint8_t buf[MAX_DGRAM];
	char cbuf[CMSG_SPACE(sizeof(uint32_t))];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	for (;;) {
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		n = recvmsg(sp->fd, &msg, MSG_DONTWAIT);
		if (n < 0)
			return;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SO_RXQ_OVFL)
				memcpy(&sp->drops, CMSG_DATA(cm),
				       sizeof(sp->drops));
		if (n >= 9 && !memcmp(buf, "SHUTDOWN ", 9)) {
			sp->shutdowns++;
			continue;
		}
		sp->dgrams++;
		sp->bytes += n;
	}
}

static void sink_write(const struct sink_port *sp, long n, const char *out)
{
	static char text[MAX_PORTS * 80];
	size_t len = 0;
	long i;

	for (i = 0; i < n; i++)
		len += snprintf(text + len, sizeof(text) - len,
				"%ld %ld %ld %ld %u\n", sp[i].port, sp[i].dgrams,
				sp[i].bytes, sp[i].shutdowns, sp[i].drops);
	write_out(out, text);
}

/* The counts are rewritten every 200 ms while they change, and at the end. */
static void cmd_sink(const struct opts *o)
{
	static struct sink_port sp[MAX_PORTS];
	static struct pollfd pfd[MAX_PORTS];
	uint64_t end, next = 0;
	long i, n = o->ports, total, written = -1;

	struct opts so = *o;

	if (n < 1 || n > MAX_PORTS || !o->bind || !o->port || !o->out)
		die("sink: needs --bind, --port, --out and 1..%d --ports",
		    MAX_PORTS);
	so.base = o->port;
	sink_bind(sp, n, &so);
	sink_write(sp, n, o->out);
	catch_term();
	if (o->pidfile)
		daemonize(o->pidfile);
	for (i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = sp[i].fd, .events = POLLIN };
	end = now_ms() + o->timeout;
	while (!stop && now_ms() < end) {
		if (poll(pfd, n, 100) > 0)
			for (i = 0; i < n; i++)
				if (pfd[i].revents)
					sink_drain(&sp[i]);
		if (now_ms() < next)
			continue;
		next = now_ms() + 200;
		for (i = 0, total = 0; i < n; i++)
			total += sp[i].dgrams + sp[i].shutdowns + sp[i].drops;
		if (total != written)
			sink_write(sp, n, o->out);
		written = total;
	}
	for (i = 0; i < n; i++)
		sink_drain(&sp[i]);
	sink_write(sp, n, o->out);
}

/* ---- flood ---------------------------------------------------------------- */

static void flood(const struct sockaddr_in *to, long size, long rate,
		  long count, uint64_t end, long *sent, long *failed)
{
	static uint8_t buf[MAX_DGRAM];
	uint64_t next = 0, interval = rate ? 1000000000ULL / rate : 0;
	struct timespec ts;
	uint64_t now;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	memset(buf, 'f', size);
	memcpy(buf, "flood:", size < 6 ? size : 6);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	next = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	while (!stop && (!count || *sent + *failed < count) &&
	       (!end || now_ms() < end)) {
		if (sendto(fd, buf, size, 0, (const struct sockaddr *)to,
			   sizeof(*to)) < 0)
			(*failed)++;
		else
			(*sent)++;
		if (!interval)
			continue;
		next += interval;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
		if (next > now)
			sleep_ns(next - now);
		else if (now - next > 100 * interval)
			next = now;	/* a stalled guest: no burst after it */
	}
	close(fd);
}

static void cmd_flood(const struct opts *o)
{
	struct sockaddr_in to;
	long sent = 0, failed = 0;
	char text[64];

	if (!o->to || o->size < 0 || o->size > 65507)
		die("flood: needs --to and a --size of 0..65507");
	parse_ep4(o->to, &to);
	catch_term();
	if (o->pidfile)
		daemonize(o->pidfile);
	flood(&to, o->size, o->rate, o->count,
	      o->seconds ? now_ms() + o->seconds * 1000 : 0, &sent, &failed);
	snprintf(text, sizeof(text), "%ld %ld\n", sent, failed);
	write_out(o->out, text);
}

/* ---- wire ----------------------------------------------------------------- */

enum { REPLY_OK, REPLY_ERROR, REPLY_REFUSED, REPLY_TIMEOUT, REPLY_ADDED };

static int connected(const struct sockaddr_in *to)
{
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)to, sizeof(*to)))
		die("connect: %s", strerror(errno));
	return fd;
}

/* Why a request got no "100 OK", for a failure message. */
static const char *reply_name(int r)
{
	switch (r) {
	case REPLY_ERROR:
		return "answered with an error";
	case REPLY_REFUSED:
		return "ICMP port unreachable (no registration socket)";
	case REPLY_TIMEOUT:
		return "no answer (silence)";
	default:
		return "unexpected reply";
	}
}

/* What a reply says: "100 ..." OK, "200 ..." Already Added, else error. */
static int reply_kind(const char *reply, ssize_t n)
{
	if (n >= 3 && !memcmp(reply, "100", 3))
		return REPLY_OK;
	if (n >= 3 && !memcmp(reply, "200", 3))
		return REPLY_ADDED;
	return REPLY_ERROR;
}

/* One request, one reply (or none) on a connected socket. */
static int request(int fd, const char *text, long wait_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char reply[600];
	ssize_t n;

	/* a stale reply or error from an earlier timed out request */
	while (recv(fd, reply, sizeof(reply), MSG_DONTWAIT) >= 0 ||
	       errno == ECONNREFUSED)
		;
	if (send(fd, text, strlen(text), 0) < 0)
		return errno == ECONNREFUSED ? REPLY_REFUSED : REPLY_ERROR;
	if (poll(&pfd, 1, wait_ms) <= 0)
		return REPLY_TIMEOUT;
	n = recv(fd, reply, sizeof(reply) - 1, MSG_DONTWAIT);
	if (n < 0)
		return errno == ECONNREFUSED ? REPLY_REFUSED : REPLY_TIMEOUT;
	return reply_kind(reply, n);
}

static void cmd_wire(const struct opts *o)
{
	struct sockaddr_in to;
	long i, res[5] = { 0 };
	char text[128];
	int fd;

	if (!o->to || !o->port || !o->base || o->span < 1)
		die("wire: needs --to, --port, --base and --span");
	parse_ep4(o->to, &to);
	fd = connected(&to);
	for (i = 0; i < o->ops; i++) {
		snprintf(text, sizeof(text), "%s 127.0.0.1 %ld %ld",
			 i % 2 ? "DROP" : "ADD", o->port,
			 o->base + (i / 2) % o->span);
		res[request(fd, text, o->wait)]++;
	}
	res[REPLY_ERROR] += res[REPLY_ADDED];
	close(fd);
	snprintf(text, sizeof(text), "%ld %ld %ld %ld\n", res[REPLY_OK],
		 res[REPLY_ERROR], res[REPLY_REFUSED], res[REPLY_TIMEOUT]);
	write_out(o->out, text);
}

/* ---- modcycle ------------------------------------------------------------- */

#define ADD_TRIES	20
#define ADD_WAIT_MS	2000

/*
 * The first answer, within ADD_WAIT_MS, to any attempt of one ADD:
 * REPLY_TIMEOUT if none came, REPLY_REFUSED if an attempt was refused
 * (ICMP port unreachable) and none answered.  "Already Added" to a retry
 * means an earlier attempt of this very ADD was carried out; to the first
 * attempt it is an error (each cycle starts with an empty list).
 */
static int add_answer(const int *fds, int n)
{
	uint64_t deadline = now_ms() + ADD_WAIT_MS;
	struct pollfd pfd[ADD_TRIES];
	int i, kind, refused = 0;
	char reply[600];
	ssize_t len;
	uint64_t now;

	for (i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	while ((now = now_ms()) < deadline) {
		if (poll(pfd, n, (int)(deadline - now)) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			/* an error is cleared by reading it, a reply taken */
			len = recv(fds[i], reply, sizeof(reply), MSG_DONTWAIT);
			if (len < 0) {
				refused += errno == ECONNREFUSED;
				continue;
			}
			kind = reply_kind(reply, len);
			if (kind == REPLY_ADDED)
				return i ? REPLY_OK : REPLY_ERROR;
			return kind;
		}
	}
	return refused ? REPLY_REFUSED : REPLY_TIMEOUT;
}

/*
 * One ADD, sent again every 2 s of silence from a new socket, while the
 * sockets of its earlier attempts stay open: on the one-CPU debug kernel
 * under a flood an answer can take longer than 2 s, and a late answer to
 * an earlier attempt answers this ADD as well.  The sockets are this
 * ADD's alone, so no reply to another secondary's ADD can pass for it.
 */
static int add_one(const struct sockaddr_in *to, const char *text)
{
	int fds[ADD_TRIES], n, r = REPLY_TIMEOUT;

	for (n = 0; n < ADD_TRIES && (r == REPLY_TIMEOUT || r == REPLY_REFUSED);) {
		fds[n] = connected(to);
		if (send(fds[n], text, strlen(text), 0) < 0 && errno != ECONNREFUSED)
			die("send '%s': %s", text, strerror(errno));
		n++;
		r = add_answer(fds, n);
	}
	if (n > 1 && r != REPLY_TIMEOUT && r != REPLY_REFUSED)
		printf("'%s' answered after %d attempts\n", text, n);
	while (n--)
		close(fds[n]);
	return r;
}

/* K secondaries over the wire; every one must get its "100 OK". */
static void register_all(const struct opts *o, long cycle)
{
	struct sockaddr_in to;
	char text[128];
	long i;
	int r;

	parse_ep4("127.0.0.1", &to);
	to.sin_port = htons(o->reg);
	for (i = 0; i < o->ports; i++) {
		snprintf(text, sizeof(text), "ADD 127.0.0.1 %ld %ld", o->port,
			 o->base + i);
		r = add_one(&to, text);
		if (r != REPLY_OK)
			die("cycle %ld: '%s' to port %ld: %s", cycle, text,
			    o->reg, reply_name(r));
	}
}

static void unload(long cycle)
{
	int i;

	/* EAGAIN/EBUSY while a netlink dump or the like holds it briefly */
	for (i = 0; i < 200; i++) {
		if (!syscall(SYS_delete_module, "portshare", O_NONBLOCK))
			return;
		if (errno != EAGAIN && errno != EBUSY && errno != EWOULDBLOCK)
			break;
		sleep_ns(20000000);
	}
	die("cycle %ld: delete_module: %s", cycle, strerror(errno));
}

static void cmd_modcycle(const struct opts *o)
{
	uint64_t start = now_ms();
	long c;
	int fd;

	if (!o->ko || !o->params || !o->port || !o->reg || !o->base)
		die("modcycle: needs --ko, --params, --port, --reg and --base");
	for (c = 0; c < o->cycles; c++) {
		fd = open(o->ko, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("%s: %s", o->ko, strerror(errno));
		if (syscall(SYS_finit_module, fd, o->params, 0))
			die("cycle %ld: finit_module %s: %s", c, o->ko,
			    strerror(errno));
		close(fd);
		register_all(o, c);
		sleep_ns(o->dwell * 1000000ULL);
		unload(c);
	}
	printf("cycles %ld in %llu ms\n", o->cycles,
	       (unsigned long long)(now_ms() - start));
}

/* ---- nscycle -------------------------------------------------------------- */

static void lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr))
		die("lo: %s", strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		die("lo up: %s", strerror(errno));
	close(fd);
}

/* "ip netns add": a bind mount of the namespace of @pid at @path. */
static void name_netns(pid_t pid, const char *path)
{
	char src[64];
	int fd;

	mkdir(NETNS_DIR, 0755);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	close(fd);
	snprintf(src, sizeof(src), "/proc/%d/ns/net", pid);
	if (mount(src, path, "none", MS_BIND, NULL))
		die("mount %s on %s: %s", src, path, strerror(errno));
}

/* "ip netns del" */
static void unname_netns(const char *path)
{
	if (umount2(path, MNT_DETACH) || unlink(path))
		die("deleting %s: %s", path, strerror(errno));
}

static int run_psnl(const struct opts *o, const char *batch)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		execlp(o->psnl, o->psnl, "-n", o->name, "-b", batch,
		       (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void write_batch(const struct opts *o, const char *path)
{
	char line[128];
	FILE *f;
	long i;

	f = fopen(path, "w");
	if (!f)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "port add %ld\n", o->port);
	for (i = 0; i < o->ports; i++) {
		snprintf(line, sizeof(line), "add %ld 127.0.0.1:%ld mode %s\n",
			 o->port, o->base + i, i % 2 ? "raw" : "encap");
		fputs(line, f);
	}
	if (fclose(f))
		die("%s: %s", path, strerror(errno));
}

/*
 * The namespace's first process: lo up, then (once named and configured,
 * a byte on @go) the sink in a child and the flood here.
 */
static void ns_child(const struct opts *o, int ready, int go)
{
	struct sockaddr_in to;
	long sent = 0, failed = 0;
	struct opts so = *o;
	char c = 0;

	if (unshare(CLONE_NEWNET))
		die("unshare: %s", strerror(errno));
	lo_up();
	if (write(ready, &c, 1) != 1 || read(go, &c, 1) != 1)
		_exit(1);
	so.bind = "127.0.0.1";
	so.base = o->base;
	so.ports = o->ports;
	parse_ep4("127.0.0.1", &to);
	to.sin_port = htons(o->port);
	if (!fork()) {
		/* the secondaries and, last, the application */
		static struct sink_port sp[MAX_PORTS + 1];
		long i;

		sink_bind(sp, so.ports, &so);
		sp[so.ports].fd = udp_bound(&to, 0);
		for (;;) {
			for (i = 0; i <= so.ports; i++)
				sink_drain(&sp[i]);
			sleep_ns(2000000);
		}
	}
	flood(&to, o->size, o->rate, 0, 0, &sent, &failed);
	_exit(0);
}

static void one_nscycle(const struct opts *o, long cycle, const char *path,
			const char *batch)
{
	int ready[2], go[2], rc;
	char c = 0;
	pid_t pid;

	if (pipe(ready) || pipe(go))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		setpgid(0, 0);
		ns_child(o, ready[1], go[0]);
	}
	setpgid(pid, pid);
	if (read(ready[0], &c, 1) != 1)
		die("cycle %ld: the namespace child died", cycle);
	name_netns(pid, path);
	rc = run_psnl(o, batch);
	if (rc)
		die("cycle %ld: psnl -n %s -b %s: exit status %d", cycle,
		    o->name, batch, rc);
	if (write(go[1], &c, 1) != 1)
		die("cycle %ld: the namespace child died", cycle);
	sleep_ns(o->dwell * 1000000ULL);
	unname_netns(path);
	kill(-pid, SIGKILL);
	while (waitpid(-pid, NULL, 0) > 0 || errno == EINTR)
		;
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

static void cmd_nscycle(const struct opts *o)
{
	char path[256], batch[256];
	uint64_t start = now_ms();
	long c;

	if (!o->name || !o->port || !o->base || o->ports < 1 ||
	    o->ports > MAX_PORTS)
		die("nscycle: needs --name, --port, --base and --secondaries");
	snprintf(path, sizeof(path), NETNS_DIR "/%s", o->name);
	snprintf(batch, sizeof(batch), "/tmp/psstress-%d.batch", getpid());
	write_batch(o, batch);
	for (c = 0; c < o->cycles; c++)
		one_nscycle(o, c, path, batch);
	unlink(batch);
	printf("cycles %ld in %llu ms\n", o->cycles,
	       (unsigned long long)(now_ms() - start));
}

/* ---- options -------------------------------------------------------------- */

static long num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (*end || end == s || v < 0)
		die("%s: not a number", s);
	return v;
}

static void usage(void)
{
	fputs("usage: psstress sink|flood|wire|modcycle|nscycle [OPTIONS] (see the source)\n",
	      stderr);
	exit(2);
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "to", 1, 0, 't' }, { "bind", 1, 0, 'b' },
		{ "out", 1, 0, 'o' }, { "pidfile", 1, 0, 'P' },
		{ "ko", 1, 0, 'k' }, { "params", 1, 0, 'a' },
		{ "name", 1, 0, 'N' }, { "psnl", 1, 0, 'L' },
		{ "port", 1, 0, 'p' }, { "base", 1, 0, 'B' },
		{ "ports", 1, 0, 'K' }, { "secondaries", 1, 0, 'K' },
		{ "timeout", 1, 0, 'w' }, { "size", 1, 0, 's' },
		{ "rate", 1, 0, 'r' }, { "count", 1, 0, 'c' },
		{ "seconds", 1, 0, 'e' }, { "ops", 1, 0, 'O' },
		{ "span", 1, 0, 'S' }, { "wait", 1, 0, 'W' },
		{ "cycles", 1, 0, 'C' }, { "reg", 1, 0, 'R' },
		{ "dwell", 1, 0, 'D' }, { "netns", 1, 0, 'n' },
		{ 0, 0, 0, 0 }
	};
	int c;

	*o = (struct opts){ .ports = 1, .timeout = 600000, .size = 100,
			    .ops = 1000, .span = 16, .wait = 200,
			    .cycles = 1, .dwell = 100, .psnl = "psnl" };
	while ((c = getopt_long(argc, argv, "n:", lo, NULL)) != -1) {
		switch (c) {
		case 't': o->to = optarg; break;
		case 'b': o->bind = optarg; break;
		case 'o': o->out = optarg; break;
		case 'P': o->pidfile = optarg; break;
		case 'k': o->ko = optarg; break;
		case 'a': o->params = optarg; break;
		case 'N': o->name = optarg; break;
		case 'L': o->psnl = optarg; break;
		case 'p': o->port = num(optarg); break;
		case 'B': o->base = num(optarg); break;
		case 'K': o->ports = num(optarg); break;
		case 'w': o->timeout = num(optarg); break;
		case 's': o->size = num(optarg); break;
		case 'r': o->rate = num(optarg); break;
		case 'c': o->count = num(optarg); break;
		case 'e': o->seconds = num(optarg); break;
		case 'O': o->ops = num(optarg); break;
		case 'S': o->span = num(optarg); break;
		case 'W': o->wait = num(optarg); break;
		case 'C': o->cycles = num(optarg); break;
		case 'R': o->reg = num(optarg); break;
		case 'D': o->dwell = num(optarg); break;
		case 'n': o->netns = optarg; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
}

int main(int argc, char **argv)
{
	struct opts o;
	const char *cmd;

	if (argc < 2)
		usage();
	cmd = argv[1];
	parse_opts(argc - 1, argv + 1, &o);
	if (o.netns)
		enter_netns(o.netns);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "sink"))
		cmd_sink(&o);
	else if (!strcmp(cmd, "flood"))
		cmd_flood(&o);
	else if (!strcmp(cmd, "wire"))
		cmd_wire(&o);
	else if (!strcmp(cmd, "modcycle"))
		cmd_modcycle(&o);
	else if (!strcmp(cmd, "nscycle"))
		cmd_nscycle(&o);
	else
		usage();
	return 0;
}
