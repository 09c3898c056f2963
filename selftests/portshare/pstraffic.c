// SPDX-License-Identifier: GPL-2.0
/*
 * pstraffic: exact UDP traffic for the portshare data path suites.
 *
 *   pstraffic send  --to ADDR:PORT [--from ADDR[:PORT]] [--count N]
 *                   [--first I] [--size S] [--tag T] [--rate PPS]
 *                   [--gso SEG] [--broadcast] [--mcast-if ADDR] [--bad-csum]
 *                   [--bad-len] [--raw-sport PORT]
 *   pstraffic recv  --bind ADDR:PORT --out FILE [--pidfile FILE]
 *                   [--join GROUP[@IFADDR]] [--count N] [--idle MS]
 *                   [--timeout MS] [--rcvbuf BYTES] [--hold] [--drop-all]
 *                   [--udp-encap]
 *   pstraffic wait  --count N|--fence [--timeout MS] FILE...
 *   pstraffic check FILE --count N --size S [--tag T] [--first I]
 *                   [--mode app|raw|transparent|encap] [--src ADDR[:PORT]]
 *                   [--origin ADDR:PORT] [--contested PORT]
 *                   [--secondary ADDR] [--sample N] [--first-seq N]
 *                   [--total N]
 *   pstraffic count FILE [--tag T]
 *   pstraffic flood --to ADDR:PORT [--from ADDR] --seconds S [--size S]
 *   pstraffic fence [--timeout MS] ADDR:PORT=FILE...
 *
 * Every command takes -n NETNS (a name from "ip netns") to run there, and
 * --cpu N to run on CPU N only (what taskset -c N would do, without a
 * second program to start: a start costs 0.6 s on the debug kernel).
 * recv --pidfile forks once its socket is bound and writes the pid, so
 * the receiver is ready when the command returns; SIGTERM ends it.
 * --rcvbuf sets SO_RCVBUF (default: 16 MiB, forced); --hold reads
 * nothing until SIGUSR1, so datagrams pile up in the socket's buffer;
 * --drop-all attaches a socket filter that refuses every datagram;
 * --udp-encap makes the socket an ESP-in-UDP encapsulation socket (exit 4
 * if the kernel has no UDP_ENCAP).
 * wait returns once every FILE has N datagrams (exit 1 at the timeout).
 *
 * send --bad-csum, --bad-len (a UDP length 100 bytes beyond the datagram)
 * and --raw-sport (any source port, 0 too) write the UDP header
 * themselves, over a raw socket bound to --from.
 *
 * Addresses are 10.0.0.1:9 or [fd00::1]:9.  Datagram I of tag T and size
 * S always has the same payload ("T:IIIIII:" then bytes (I + j) % 251), so
 * a receiver can tell exactly which datagrams it got, byte for byte.
 * recv writes one line per datagram, "SRC SPORT LEN HEX", flushed at once.
 * check exits 1 and says why unless FILE holds exactly the datagrams the
 * options describe: every wanted index once, nothing else of that tag, each
 * byte-for-byte, from the right source, with a right encap header; the
 * sequence numbers of the copies are consecutive, each used once.
 *
 * fence sends one datagram tagged "fence" to each ADDR:PORT (from this
 * namespace, the way the copies before it went) and returns once the
 * receiver writing FILE has it (exit 1 at the timeout); wait --fence
 * waits for a fence sent otherwise (send --tag fence, to a contested
 * port: its copies are fences too).  What was sent that way before the
 * fence has then arrived, so a receiver's file is final without a wait
 * for silence.  check ignores fences, and so does --total.  recv, when
 * stopped, still writes what its socket had queued.
 *
 * In C rather than a scripting language: under TCG a python3 start costs
 * the guest seconds, and the suites start this hundreds of times.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/portshare.h>

#include "tool.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#define MAX_DGRAM 65536
#define MAX_PAYLOAD 65507	/* the largest IPv4 UDP payload */
#define MAX_INDEX 1000000
#define FENCE_TAG "fence"
#define FENCE_SIZE 16

struct opts {
	const char *to, *from, *tag, *mcast_if, *bind, *out, *join;
	const char *mode, *src, *origin, *secondary, *file, *netns, *pidfile;
	const char *cpu;
	char **files;
	int nfiles;
	long count, first, size, rate, gso, idle, timeout, contested, sample;
	long first_seq, total, seconds, raw_sport, rcvbuf;
	bool broadcast, bad_csum, bad_len, fence, hold, drop_all, udp_encap;
};

static size_t payload(uint8_t *buf, const char *tag, long index, long size)
{
	char head[64];
	long n, j;

	n = snprintf(head, sizeof(head), "%s:%06ld:", tag, index);
	if (n > size)
		n = size;
	memcpy(buf, head, n);
	for (j = 0; j < size - n; j++)
		buf[n + j] = (index + j) % 251;
	return size;
}

static int udp_socket(int family, const struct ep *bind_to)
{
	int fd, one = 1;

	fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind_to && bind(fd, &bind_to->sa, bind_to->len))
		die("bind: %s", strerror(errno));
	return fd;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void pace(uint64_t *next, long rate)
{
	struct timespec ts;
	uint64_t now;

	if (!rate)
		return;
	*next += 1000000000ULL / rate;
	now = now_ns(CLOCK_MONOTONIC);
	if (*next <= now)
		return;
	ts.tv_sec = (*next - now) / 1000000000ULL;
	ts.tv_nsec = (*next - now) % 1000000000ULL;
	nanosleep(&ts, NULL);
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

/* The right UDP checksum of @udp (check field 0) from @src to @dst. */
static uint16_t udp_csum(const struct ep *src, const struct ep *dst,
			 const uint8_t *udp, size_t len)
{
	size_t alen = src->family == AF_INET ? 4 : 16;
	uint32_t sum = 0;

	sum = csum_add(sum, ep_addr(src), alen);
	sum = csum_add(sum, ep_addr(dst), alen);
	sum += IPPROTO_UDP + len;
	sum = csum_add(sum, udp, len);
	return csum_fold(sum) ?: 0xffff;
}

/*
 * UDP over a raw socket: a checksum off by one (--bad-csum), a UDP length
 * beyond the datagram (--bad-len), any source port (--raw-sport).
 */
static void send_raw(const struct opts *o, const struct ep *dst)
{
	static uint8_t pkt[MAX_DGRAM];
	struct udphdr *uh = (struct udphdr *)pkt;
	struct ep src, raw_dst = *dst;
	uint16_t good;
	long i;
	int fd;

	if (!o->from)
		die("--bad-csum, --bad-len and --raw-sport need --from");
	parse_ep(o->from, false, &src);
	fd = socket(dst->family, SOCK_RAW, IPPROTO_UDP);
	if (fd < 0)
		die("raw socket: %s", strerror(errno));
	if (bind(fd, &src.sa, src.len))
		die("bind: %s", strerror(errno));
	if (raw_dst.family == AF_INET)
		raw_dst.in.sin_port = 0;
	else
		raw_dst.in6.sin6_port = 0;
	for (i = o->first; i < o->first + o->count; i++) {
		payload(pkt + sizeof(*uh), o->tag, i, o->size);
		uh->source = htons(o->raw_sport >= 0 ? o->raw_sport :
				   ep_port(&src) ?: 40000);
		uh->dest = htons(ep_port(dst));
		uh->len = htons(sizeof(*uh) + o->size);
		uh->check = 0;
		good = udp_csum(&src, dst, pkt, sizeof(*uh) + o->size);
		uh->check = htons(good);
		if (o->bad_csum)
			uh->check = htons(good > 1 ? good - 1 : 0x1234);
		if (o->bad_len)
			uh->len = htons(sizeof(*uh) + o->size + 100);
		if (sendto(fd, pkt, sizeof(*uh) + o->size, 0, &raw_dst.sa,
			   raw_dst.len) < 0)
			die("sendto: %s", strerror(errno));
	}
	close(fd);
}

static void send_opts(int fd, const struct opts *o)
{
	struct in_addr ifaddr;
	int one = 1, zero = 0;

	if (o->broadcast &&
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)))
		die("SO_BROADCAST: %s", strerror(errno));
	if (o->mcast_if) {
		if (inet_pton(AF_INET, o->mcast_if, &ifaddr) != 1)
			die("%s: not an IPv4 address", o->mcast_if);
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifaddr,
			       sizeof(ifaddr)) ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero,
			       sizeof(zero)))
			die("IP_MULTICAST_IF: %s", strerror(errno));
	}
	if (o->gso) {
		int seg = o->gso;

		if (setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &seg, sizeof(seg)))
			die("UDP_SEGMENT: %s", strerror(errno));
	}
}

/* --gso: each send carries size / gso datagrams of gso bytes. */
static void cmd_send(const struct opts *o)
{
	static uint8_t buf[MAX_DGRAM];
	struct ep dst, src;
	uint64_t next = now_ns(CLOCK_MONOTONIC);
	long i, k, per = 1, len = o->size, index = o->first;
	int fd;

	parse_ep(o->to, true, &dst);
	if (o->bad_csum || o->bad_len || o->raw_sport >= 0) {
		send_raw(o, &dst);
		return;
	}
	if (o->from)
		parse_ep(o->from, false, &src);
	fd = udp_socket(dst.family, o->from ? &src : NULL);
	send_opts(fd, o);
	if (o->gso)
		per = o->size / o->gso;
	for (i = 0; i < o->count; i++) {
		if (o->gso) {
			for (k = 0; k < per; k++)
				payload(buf + k * o->gso, o->tag, index++,
					o->gso);
			len = per * o->gso;
		} else {
			payload(buf, o->tag, index++, o->size);
		}
		if (sendto(fd, buf, len, 0, &dst.sa, dst.len) < 0)
			die("sendto %s: %s", o->to, strerror(errno));
		pace(&next, o->rate);
	}
	close(fd);
}

static void cmd_flood(const struct opts *o)
{
	static uint8_t buf[MAX_DGRAM];
	struct ep dst, src;
	uint64_t end;
	long n = 0;
	int fd;

	parse_ep(o->to, true, &dst);
	if (o->from)
		parse_ep(o->from, false, &src);
	fd = udp_socket(dst.family, o->from ? &src : NULL);
	payload(buf, "flood", 0, o->size);
	end = now_ns(CLOCK_MONOTONIC) + o->seconds * 1000000000ULL;
	while (now_ns(CLOCK_MONOTONIC) < end) {
		sendto(fd, buf, o->size, 0, &dst.sa, dst.len);
		n++;
	}
	printf("%ld\n", n);
}

static void join_group(int fd, int family, const char *spec)
{
	char buf[128], *at;

	snprintf(buf, sizeof(buf), "%s", spec);
	at = strchr(buf, '@');
	if (at)
		*at++ = '\0';
	if (family == AF_INET) {
		struct ip_mreq mreq = { .imr_interface.s_addr = INADDR_ANY };

		if (inet_pton(AF_INET, buf, &mreq.imr_multiaddr) != 1 ||
		    (at && inet_pton(AF_INET, at, &mreq.imr_interface) != 1))
			die("--join %s: bad address", spec);
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
			       sizeof(mreq)))
			die("IP_ADD_MEMBERSHIP: %s", strerror(errno));
	} else {
		struct ipv6_mreq mreq = {};

		if (inet_pton(AF_INET6, buf, &mreq.ipv6mr_multiaddr) != 1)
			die("--join %s: bad address", spec);
		mreq.ipv6mr_interface = at ? if_nametoindex(at) : 0;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq,
			       sizeof(mreq)))
			die("IPV6_JOIN_GROUP: %s", strerror(errno));
	}
}

static void write_record(FILE *out, const struct sockaddr_storage *ss,
			 const uint8_t *data, ssize_t len)
{
	static const char digits[] = "0123456789abcdef";
	static char line[2 * MAX_DGRAM + 128];
	const struct sockaddr_in6 *in6 = (const void *)ss;
	const struct sockaddr_in *in = (const void *)ss;
	char addr[INET6_ADDRSTRLEN];
	ssize_t i;
	int n;

	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &in->sin_addr, addr, sizeof(addr));
	else
		inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof(addr));
	n = snprintf(line, 128, "%s %u %zd ", addr,
		     ntohs(ss->ss_family == AF_INET ? in->sin_port :
						      in6->sin6_port), len);
	for (i = 0; i < len; i++) {
		line[n++] = digits[data[i] >> 4];
		line[n++] = digits[data[i] & 15];
	}
	line[n++] = '\n';
	/* one write per record: a reader never sees half a line */
	if (write(fileno(out), line, n) != n)
		die("write: %s", strerror(errno));
}

static volatile sig_atomic_t stop, held;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_release(int sig)
{
	(void)sig;
	held = 0;
}

/* --hold: sleep until SIGUSR1 (or SIGTERM), without a lost wake-up. */
static void hold(void)
{
	sigset_t usr1, old;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	while (held && !stop)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* --pidfile: fork once the socket is bound; the parent writes the pid. */
/* A classic BPF socket filter that keeps nothing: "ret #0". */
static void attach_drop_all(int fd)
{
	struct sock_filter code[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { .len = 1, .filter = code };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		die("SO_ATTACH_FILTER: %s", strerror(errno));
}

/* UDP_ENCAP_ESPINUDP: the kernel's xfrm4/6_udp_encap_rcv() sees every
 * datagram first and takes those that look like ESP. */
static void set_udp_encap(int fd)
{
	int type = UDP_ENCAP_ESPINUDP;

	if (setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type))) {
		fprintf(stderr, "pstraffic: UDP_ENCAP: %s\n", strerror(errno));
		exit(4);
	}
}

static void cmd_recv(const struct opts *o)
{
	static uint8_t buf[MAX_DGRAM];
	uint64_t start, last, now, wait;
	struct sockaddr_storage ss;
	int fd, rcvbuf = 16 << 20;
	socklen_t sslen;
	struct ep ep;
	long got = 0;
	ssize_t n;
	FILE *out;

	parse_ep(o->bind, true, &ep);
	fd = udp_socket(ep.family, &ep);
	if (o->rcvbuf) {
		rcvbuf = o->rcvbuf;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			       sizeof(rcvbuf)))
			die("SO_RCVBUF %d: %s", rcvbuf, strerror(errno));
	/* root may exceed rmem_max: a slow guest must not drop datagrams */
	} else if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
			      sizeof(rcvbuf))) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	}
	if (o->join)
		join_group(fd, ep.family, o->join);
	if (o->drop_all)
		attach_drop_all(fd);
	if (o->udp_encap)
		set_udp_encap(fd);
	out = fopen(o->out, "w");
	if (!out)
		die("%s: %s", o->out, strerror(errno));
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	held = o->hold;
	signal(SIGUSR1, on_release);
	if (o->pidfile)
		daemonize(o->pidfile);
	hold();
	start = last = now_ns(CLOCK_MONOTONIC) / 1000000;
	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		now = now_ns(CLOCK_MONOTONIC) / 1000000;
		if ((o->count && got >= o->count) || now >= start + o->timeout ||
		    (got && o->idle && now >= last + o->idle))
			break;
		wait = start + o->timeout - now;
		if (got && o->idle && last + o->idle - now < wait)
			wait = last + o->idle - now;
		if (poll(&pfd, 1, wait) <= 0)
			continue;
		sslen = sizeof(ss);
		n = recvfrom(fd, buf, sizeof(buf), 0, (void *)&ss, &sslen);
		if (n < 0)
			continue;
		write_record(out, &ss, buf, n);
		got++;
		last = now_ns(CLOCK_MONOTONIC) / 1000000;
	}
	/* stopped: what is queued already arrived, and counts */
	while (stop && (n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
				     (void *)&ss, &sslen)) >= 0) {
		write_record(out, &ss, buf, n);
		sslen = sizeof(ss);
	}
	fclose(out);
}

/* One line of a recv file. */
struct record {
	char src[INET6_ADDRSTRLEN];
	unsigned int sport;
	long len;
	uint8_t data[MAX_DGRAM];
};

static bool read_record(FILE *f, struct record *r)
{
	static char line[2 * MAX_DGRAM + 128];
	char *hex;
	long i;

	if (!fgets(line, sizeof(line), f))
		return false;
	if (sscanf(line, "%45s %u %ld", r->src, &r->sport, &r->len) != 3 ||
	    r->len < 0 || r->len > MAX_DGRAM)
		die("malformed record: %.60s", line);
	hex = strrchr(line, ' ') + 1;
	for (i = 0; i < r->len; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &r->data[i]) != 1)
			die("malformed record data: %.60s", line);
	return true;
}

/* "TAG:IIIIII:..." -> index of @tag, or -1 for another tag. */
static long parse_tag(const uint8_t *data, long len, const char *tag)
{
	size_t tlen = strlen(tag);
	char num[8];

	if (len < (long)tlen + 8 || memcmp(data, tag, tlen) ||
	    data[tlen] != ':' || data[tlen + 7] != ':')
		return -1;
	memcpy(num, data + tlen + 1, 6);
	num[6] = '\0';
	return strtol(num, NULL, 10);
}

static const struct portshare_encap_hdr *encap_hdr(const struct record *r)
{
	const struct portshare_encap_hdr *h = (const void *)r->data;

	if (r->len < (long)sizeof(*h) || ntohl(h->magic) != PORTSHARE_ENCAP_MAGIC)
		return NULL;
	return h;
}

/* A datagram tagged "fence", sent on its own or as an encap copy. */
static bool is_fence(const struct record *r)
{
	const struct portshare_encap_hdr *h = encap_hdr(r);

	if (h && h->hdr_len <= r->len &&
	    parse_tag(r->data + h->hdr_len, r->len - h->hdr_len, FENCE_TAG) >= 0)
		return true;
	return parse_tag(r->data, r->len, FENCE_TAG) >= 0;
}

/* The family byte and 16 address bytes an encap header would hold. */
static void wire_addr(const char *text, uint8_t *fam, uint8_t raw[16])
{
	struct ep ep;

	parse_ep(text, false, &ep);
	memset(raw, 0, 16);
	*fam = ep.family == AF_INET ? PORTSHARE_FAMILY_INET :
				      PORTSHARE_FAMILY_INET6;
	memcpy(raw, ep_addr(&ep), ep.family == AF_INET ? 4 : 16);
}

static void check_encap(const struct opts *o,
			const struct portshare_encap_hdr *h, long plen,
			long index)
{
	uint64_t ts = be64toh(h->timestamp_ns), now = now_ns(CLOCK_REALTIME);
	uint8_t fam, raw[16];
	struct ep ep;

	if (h->version != PORTSHARE_ENCAP_VERSION ||
	    h->hdr_len != PORTSHARE_ENCAP_HDR_LEN || h->flags || h->reserved)
		die("%s: %s:%ld: version %u hdr_len %u flags %#x reserved %#x",
		    o->file, o->tag, index, h->version, h->hdr_len,
		    ntohs(h->flags), ntohs(h->reserved));
	if ((long)ntohl(h->payload_len) != plen)
		die("%s: %s:%ld: payload_len %u, payload %ld bytes", o->file,
		    o->tag, index, ntohl(h->payload_len), plen);
	if (o->origin) {
		parse_ep(o->origin, true, &ep);
		wire_addr(o->origin, &fam, raw);
		if (h->origin_family != fam || memcmp(h->origin_addr, raw, 16) ||
		    ntohs(h->origin_port) != ep_port(&ep))
			die("%s: %s:%ld: origin family %u port %u is not %s",
			    o->file, o->tag, index, h->origin_family,
			    ntohs(h->origin_port), o->origin);
	}
	if (o->contested && ntohs(h->contested_port) != o->contested)
		die("%s: %s:%ld: contested_port %u", o->file, o->tag, index,
		    ntohs(h->contested_port));
	if (o->secondary) {
		wire_addr(o->secondary, &fam, raw);
		if (h->secondary_family != fam ||
		    memcmp(h->secondary_addr, raw, 16))
			die("%s: %s:%ld: secondary address is not %s", o->file,
			    o->tag, index, o->secondary);
	}
	if (ts + 600000000000ULL < now || ts > now + 600000000000ULL)
		die("%s: %s:%ld: timestamp %llu is far from now (%llu)",
		    o->file, o->tag, index, (unsigned long long)ts,
		    (unsigned long long)now);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The primary numbers copies in the order it shares the originals, which
 * two CPUs may take out of the order they were sent in: the numbers must
 * be consecutive, each used once, from --first-seq (if given) on.
 */
static void check_seqs(const struct opts *o, uint32_t *seq, long n)
{
	long i;

	if (!n)
		return;
	qsort(seq, n, sizeof(*seq), cmp_u32);
	if (o->first_seq >= 0 && seq[0] != o->first_seq)
		die("%s: sequence starts at %u, expected %ld", o->file, seq[0],
		    o->first_seq);
	for (i = 1; i < n; i++)
		if (seq[i] != seq[0] + i)
			die("%s: %s:* sequence numbers %u..%u are not consecutive (%u after %u)",
			    o->file, o->tag, seq[0], seq[n - 1], seq[i],
			    seq[i - 1]);
}

static void check_src(const struct opts *o, const struct record *r,
		      long index)
{
	struct ep want, got;

	parse_ep(o->src, false, &want);
	parse_ep(r->src, false, &got);
	if (want.family != got.family ||
	    memcmp(ep_addr(&want), ep_addr(&got),
		   want.family == AF_INET ? 4 : 16) ||
	    (ep_port(&want) && ep_port(&want) != r->sport))
		die("%s: %s:%ld came from %s port %u, expected %s", o->file,
		    o->tag, index, r->src, r->sport, o->src);
}

static void cmd_check(const struct opts *o)
{
	static uint8_t expect[MAX_DGRAM];
	static struct record r;
	long i, index, n = 0, missing = 0, first_missing = -1;
	const struct portshare_encap_hdr *h;
	long nseq = 0, plen;
	uint32_t *seqs;
	const uint8_t *p;
	bool encap = !strcmp(o->mode, "encap");
	char *seen;
	FILE *f;

	if (o->first + o->count > MAX_INDEX || o->sample < 1)
		die("bad --first/--count/--sample");
	seen = calloc(MAX_INDEX, 1);
	seqs = calloc(o->count, sizeof(*seqs));
	f = fopen(o->file, "r");
	if (!f || !seen || !seqs)
		die("%s: %s", o->file, strerror(errno));
	while (read_record(f, &r)) {
		if (is_fence(&r))
			continue;
		n++;
		h = encap ? encap_hdr(&r) : NULL;
		if (encap && !h)
			continue;
		p = h ? r.data + h->hdr_len : r.data;
		plen = h ? r.len - h->hdr_len : r.len;
		index = parse_tag(p, plen, o->tag);
		if (index < 0)
			continue;
		if (index < o->first || index >= o->first + o->count ||
		    (index - o->first) % o->sample)
			die("%s: unexpected datagram %s:%ld", o->file, o->tag,
			    index);
		if (seen[index]++)
			die("%s: %s:%ld arrived twice", o->file, o->tag, index);
		if (plen != o->size ||
		    memcmp(p, expect, payload(expect, o->tag, index, o->size)))
			die("%s: %s:%ld differs from what was sent (%ld bytes)",
			    o->file, o->tag, index, plen);
		if (o->src)
			check_src(o, &r, index);
		if (h) {
			check_encap(o, h, plen, index);
			seqs[nseq++] = ntohl(h->seq);
		}
	}
	fclose(f);
	check_seqs(o, seqs, nseq);
	for (i = o->first; i < o->first + o->count; i += o->sample)
		if (!seen[i] && !missing++)
			first_missing = i;
	if (missing)
		die("%s: %ld datagrams %s:* missing (the first: %ld)", o->file,
		    missing, o->tag, first_missing);
	if (o->total >= 0 && n != o->total)
		die("%s: %ld datagrams in all, expected %ld", o->file, n,
		    o->total);
	free(seqs);
	free(seen);
}

static void cmd_count(const struct opts *o)
{
	static struct record r;
	const struct portshare_encap_hdr *h;
	long n = 0;
	FILE *f;

	f = fopen(o->file, "r");
	if (!f)
		die("%s: %s", o->file, strerror(errno));
	while (read_record(f, &r)) {
		h = encap_hdr(&r);
		if (!o->tag ||
		    parse_tag(h ? r.data + h->hdr_len : r.data,
			      h ? r.len - h->hdr_len : r.len, o->tag) >= 0)
			n++;
	}
	fclose(f);
	printf("%ld\n", n);
}

static long lines_of(const char *path)
{
	char buf[65536];
	long n = 0;
	ssize_t r, i;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < r; i++)
			n += buf[i] == '\n';
	close(fd);
	return n;
}

/*
 * Does @path hold a fence?  Its receiver may be writing it: a record is
 * read only once its line is complete.
 */
static bool has_fence(const char *path)
{
	static struct record r;
	bool found = false;
	long end = 0;
	FILE *f;
	int c;

	f = fopen(path, "r");
	if (!f)
		return false;
	while ((c = getc(f)) != EOF)
		if (c == '\n')
			end = ftell(f);
	rewind(f);
	while (!found && ftell(f) < end && read_record(f, &r))
		found = is_fence(&r);
	fclose(f);
	return found;
}

/* Until every file has a fence; exit 1 at --timeout. */
static void wait_fences(char **files, int n, long timeout)
{
	uint64_t end = now_ns(CLOCK_MONOTONIC) + timeout * 1000000ULL;
	struct timespec ts = { 0, 20000000 };
	bool done;
	int i;

	do {
		done = true;
		for (i = 0; i < n && done; i++)
			done = has_fence(files[i]);
		if (done)
			return;
		nanosleep(&ts, NULL);
	} while (now_ns(CLOCK_MONOTONIC) < end);
	for (i = 0; i < n; i++)
		if (!has_fence(files[i]))
			fprintf(stderr, "pstraffic: %s: no fence within %ld ms\n",
				files[i], timeout);
	exit(1);
}

/* ADDR:PORT=FILE, split at the last '='. */
static void fence_arg(char *arg, struct ep *to, const char **file)
{
	char *eq = strrchr(arg, '=');

	if (!eq)
		die("%s: give ADDR:PORT=FILE", arg);
	*eq = '\0';
	parse_ep(arg, true, to);
	*file = eq + 1;
}

static void cmd_fence(const struct opts *o)
{
	uint8_t buf[FENCE_SIZE];
	const char *file;
	struct ep to;
	int i, fd;

	payload(buf, FENCE_TAG, 0, FENCE_SIZE);
	for (i = 0; i < o->nfiles; i++) {
		fence_arg(o->files[i], &to, &file);
		fd = udp_socket(to.family, NULL);
		if (sendto(fd, buf, sizeof(buf), 0, &to.sa, to.len) < 0)
			die("fence to %s: %s", o->files[i], strerror(errno));
		close(fd);
		o->files[i] = (char *)file;
	}
	wait_fences(o->files, o->nfiles, o->timeout);
}

/*
 * Until every file has --count lines (--fence: a fence, the datagram
 * "pstraffic send --tag fence" sent); exit 1 at --timeout.
 */
static void cmd_wait(const struct opts *o)
{
	uint64_t end = now_ns(CLOCK_MONOTONIC) + o->timeout * 1000000ULL;
	struct timespec ts = { 0, 20000000 };
	bool done;
	int i;

	if (o->fence) {
		wait_fences(o->files, o->nfiles, o->timeout);
		return;
	}
	do {
		done = true;
		for (i = 0; i < o->nfiles && done; i++)
			done = lines_of(o->files[i]) >= o->count;
		if (done)
			return;
		nanosleep(&ts, NULL);
	} while (now_ns(CLOCK_MONOTONIC) < end);
	for (i = 0; i < o->nfiles; i++)
		fprintf(stderr, "pstraffic: %s: %ld datagrams, expected %ld\n",
			o->files[i], lines_of(o->files[i]), o->count);
	exit(1);
}

/* -n NAME: work in the network namespace "ip netns" calls NAME. */
static void usage(void)
{
	fputs("usage: pstraffic send|recv|check|count|flood|fence [OPTIONS] (see the source)\n",
	      stderr);
	exit(2);
}

static long num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (*end || end == s)
		die("%s: not a number", s);
	return v;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "to", 1, 0, 't' }, { "from", 1, 0, 'f' },
		{ "count", 1, 0, 'c' }, { "first", 1, 0, 'F' },
		{ "size", 1, 0, 's' }, { "tag", 1, 0, 'T' },
		{ "rate", 1, 0, 'r' }, { "gso", 1, 0, 'g' },
		{ "broadcast", 0, 0, 'B' }, { "mcast-if", 1, 0, 'M' },
		{ "bad-csum", 0, 0, 'X' }, { "bind", 1, 0, 'b' },
		{ "out", 1, 0, 'o' },
		{ "join", 1, 0, 'j' }, { "idle", 1, 0, 'i' },
		{ "timeout", 1, 0, 'w' }, { "mode", 1, 0, 'm' },
		{ "src", 1, 0, 'S' }, { "origin", 1, 0, 'O' },
		{ "contested", 1, 0, 'C' }, { "secondary", 1, 0, 'D' },
		{ "sample", 1, 0, 'k' }, { "first-seq", 1, 0, 'q' },
		{ "total", 1, 0, 'a' }, { "seconds", 1, 0, 'e' },
		{ "netns", 1, 0, 'N' }, { "pidfile", 1, 0, 'P' },
		{ "fence", 0, 0, 'E' }, { "bad-len", 0, 0, 'L' },
		{ "raw-sport", 1, 0, 'R' },
		{ "rcvbuf", 1, 0, 'V' }, { "hold", 0, 0, 'H' },
		{ "drop-all", 0, 0, 'Z' }, { "udp-encap", 0, 0, 'U' },
		{ "cpu", 1, 0, 'K' },
		{ 0, 0, 0, 0 }
	};
	int c;

	*o = (struct opts){ .tag = "ps", .mode = "app", .count = -1,
			    .size = 100, .timeout = 60000, .sample = 1,
			    .first_seq = -1, .total = -1, .raw_sport = -1 };
	while ((c = getopt_long(argc, argv, "n:", lo, NULL)) != -1) {
		switch (c) {
		case 't': o->to = optarg; break;
		case 'f': o->from = optarg; break;
		case 'c': o->count = num(optarg); break;
		case 'F': o->first = num(optarg); break;
		case 's': o->size = num(optarg); break;
		case 'T': o->tag = optarg; break;
		case 'r': o->rate = num(optarg); break;
		case 'g': o->gso = num(optarg); break;
		case 'B': o->broadcast = true; break;
		case 'M': o->mcast_if = optarg; break;
		case 'X': o->bad_csum = true; break;
		case 'b': o->bind = optarg; break;
		case 'o': o->out = optarg; break;
		case 'j': o->join = optarg; break;
		case 'i': o->idle = num(optarg); break;
		case 'w': o->timeout = num(optarg); break;
		case 'm': o->mode = optarg; break;
		case 'S': o->src = optarg; break;
		case 'O': o->origin = optarg; break;
		case 'C': o->contested = num(optarg); break;
		case 'D': o->secondary = optarg; break;
		case 'k': o->sample = num(optarg); break;
		case 'q': o->first_seq = num(optarg); break;
		case 'a': o->total = num(optarg); break;
		case 'e': o->seconds = num(optarg); break;
		case 'n':
		case 'N': o->netns = optarg; break;
		case 'P': o->pidfile = optarg; break;
		case 'E': o->fence = true; break;
		case 'L': o->bad_len = true; break;
		case 'R': o->raw_sport = num(optarg); break;
		case 'V': o->rcvbuf = num(optarg); break;
		case 'H': o->hold = true; break;
		case 'Z': o->drop_all = true; break;
		case 'U': o->udp_encap = true; break;
		case 'K': o->cpu = optarg; break;
		default: usage();
		}
	}
	o->files = argv + optind;
	o->nfiles = argc - optind;
	if (o->nfiles == 1)
		o->file = argv[optind];
	if (o->size < 0 || o->size > MAX_PAYLOAD)
		usage();
	if (o->count < 0)	/* recv: until --idle or --timeout */
		o->count = o->bind ? 0 : 1;
}

static void pin_to_cpu(const char *arg)
{
	long cpu = num(arg);
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE)
		die("--cpu %ld: not a CPU number", cpu);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("--cpu %ld: %s", cpu, strerror(errno));
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
	if (o.cpu)
		pin_to_cpu(o.cpu);
	if (o.nfiles > 1 && strcmp(cmd, "wait") && strcmp(cmd, "fence"))
		usage();
	if (!strcmp(cmd, "wait") && o.nfiles)
		cmd_wait(&o);
	else if (!strcmp(cmd, "fence") && o.nfiles)
		cmd_fence(&o);
	else if (!strcmp(cmd, "send") && o.to)
		cmd_send(&o);
	else if (!strcmp(cmd, "flood") && o.to && o.seconds > 0)
		cmd_flood(&o);
	else if (!strcmp(cmd, "recv") && o.bind && o.out)
		cmd_recv(&o);
	else if (!strcmp(cmd, "check") && o.file)
		cmd_check(&o);
	else if (!strcmp(cmd, "count") && o.file)
		cmd_count(&o);
	else
		usage();
	return 0;
}
