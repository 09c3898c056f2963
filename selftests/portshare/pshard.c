// SPDX-License-Identifier: GPL-2.0
/*
 * pshard: the small tools of harden.sh, each one exact answer the shell
 * cannot get by itself.
 *
 *   pshard [-n NETNS] nl CMD [dump] [ATTR=VALUE...]
 *	Send one portshare netlink request, print one line:
 *	"error NAME attr ATTR msg TEXT" (NAME: 0 or the errno's name; ATTR:
 *	the attribute NLMSGERR_ATTR_OFFS points at, or "-"; TEXT: the extack
 *	message, or "-").  CMD: port_new port_del port_get sec_add sec_drop
 *	sec_get acl_add acl_get.  ATTRs: port reg_port data_port mode
 *	max_secondaries prefix_len (numbers), addr4 addr6 (literals),
 *	auto_port reg_off (flags, no value).
 *   pshard [-n NETNS] join-events
 *	Join the "events" group; print "error NAME".
 *   pshard [-n NETNS] spoof --from ADDR:PORT --to ADDR:PORT TEXT
 *	Send TEXT as one UDP datagram from any source address and port, as a
 *	host that forges its source would (a raw socket writing the IP
 *	header).  Addresses are 10.0.0.1:9 or [fd00::1]:9.
 *
 *   pshard [-n NETNS] spoof ... --count N
 *	The same datagram N times.
 *   pshard [-n NETNS] hold-udp ADDR:PORT FILE
 *	Bind a UDP socket there, write "ready" to FILE, wait until killed.
 *   pshard [-n NETNS] regflood --to ADDR:PORT --count N --size S --port P
 *	As a SCHED_FIFO task on CPU 0, where the registration work item
 *	queued from there cannot run meanwhile (ksoftirqd/0 is made FIFO
 *	above it for the time, so softirqs still run): send N datagrams of S bytes
 *	to the registration port, note how much MemFree fell and read port
 *	P's counters, then become an ordinary task again.  Prints "requests R
 *	ignored I memfree_drop KIB".
 *   pshard netns-hold N FILE
 *	Create N network namespaces and hold them (an open fd each); write
 *	"ready" to FILE, then wait until killed.
 *
 * In C rather than python3: under TCG a python3 start costs seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <sched.h>
#include <sys/types.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/portshare.h>

#include "genl.h"
#include "tool.h"

#define BUFSZ	GENL_BUFSZ

static const char *errno_name(int err)
{
	static char buf[16];

	switch (err) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case EEXIST: return "EEXIST";
	case ENOSPC: return "ENOSPC";
	case ELOOP: return "ELOOP";
	case ERANGE: return "ERANGE";
	case EADDRINUSE: return "EADDRINUSE";
	case ENOMEM: return "ENOMEM";
	case E2BIG: return "E2BIG";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	}
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

/* ---- generic netlink ---------------------------------------------------- */

static void msg_init(struct genl_msg *m, __u16 family, __u8 cmd, __u16 flags)
{
	genl_msg_init(m, family, cmd, PORTSHARE_GENL_VERSION,
		      NLM_F_REQUEST | NLM_F_ACK | flags, 1);
}

static int nl_socket(void)
{
	int fd = genl_socket(10);

	if (fd < 0)
		die("netlink socket: %s", strerror(-fd));
	return fd;
}

static struct genl_family resolve(int fd)
{
	struct genl_family fam;
	int err = genl_resolve(fd, PORTSHARE_GENL_NAME, PORTSHARE_MCGRP_EVENTS,
			       &fam);

	if (err)
		die("family %s: %s", PORTSHARE_GENL_NAME, strerror(-err));
	return fam;
}

/* What came back for a request: its error and extack. */
struct result {
	int error;
	struct genl_extack ext;
};

/* Send @m, read until its ACK, error or DONE; returns the error. */
static int xfer(int fd, struct genl_msg *m, struct result *r)
{
	static char buf[BUFSZ];
	struct nlmsghdr *h;
	ssize_t len;

	r->error = -1;
	genl_extack_init(&r->ext);
	if (send(fd, m->buf, m->nlh->nlmsg_len, 0) < 0)
		die("send: %s", strerror(errno));
	while (r->error < 0) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			die("recv: %s", strerror(errno));
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				r->error = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
				genl_parse_extack(h, &r->ext);
			} else if (h->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				memcpy(&err, NLMSG_DATA(h), sizeof(err));
				r->error = err < 0 ? -err : 0;
			}
		}
	}
	return r->error;
}

static const struct { const char *name; __u8 cmd; } cmds[] = {
	{ "port_new", PORTSHARE_CMD_PORT_NEW },
	{ "port_del", PORTSHARE_CMD_PORT_DEL },
	{ "port_get", PORTSHARE_CMD_PORT_GET },
	{ "sec_add", PORTSHARE_CMD_SEC_ADD },
	{ "sec_drop", PORTSHARE_CMD_SEC_DROP },
	{ "sec_get", PORTSHARE_CMD_SEC_GET },
	{ "acl_add", PORTSHARE_CMD_ACL_ADD },
	{ "acl_get", PORTSHARE_CMD_ACL_GET },
};

static const struct { const char *name; __u16 type; int size; } attrs[] = {
	{ "port", PORTSHARE_A_PORT, 2 },
	{ "reg_port", PORTSHARE_A_REG_PORT, 2 },
	{ "reg_off", PORTSHARE_A_REG_OFF, 0 },
	{ "max_secondaries", PORTSHARE_A_MAX_SECONDARIES, 4 },
	{ "addr4", PORTSHARE_A_ADDR4, -4 },
	{ "addr6", PORTSHARE_A_ADDR6, -6 },
	{ "data_port", PORTSHARE_A_DATA_PORT, 2 },
	{ "mode", PORTSHARE_A_MODE, 1 },
	{ "auto_port", PORTSHARE_A_AUTO_PORT, 0 },
	{ "prefix_len", PORTSHARE_A_PREFIX_LEN, 1 },
};

static void put_arg(struct genl_msg *m, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
	unsigned long v = eq ? strtoul(eq + 1, NULL, 0) : 0;
	__u8 a[16];
	size_t i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		if (strlen(attrs[i].name) != n || strncmp(arg, attrs[i].name, n))
			continue;
		switch (attrs[i].size) {
		case 0:
			genl_put(m, attrs[i].type, NULL, 0);
			return;
		case 1:
			genl_put(m, attrs[i].type, &(__u8){ (__u8)v }, 1);
			return;
		case 2:
			genl_put(m, attrs[i].type, &(__u16){ (__u16)v }, 2);
			return;
		case 4:
			genl_put(m, attrs[i].type, &(__u32){ (__u32)v }, 4);
			return;
		default:
			if (!eq || inet_pton(attrs[i].size == -4 ? AF_INET :
					     AF_INET6, eq + 1, a) != 1)
				die("%s: not an address", arg);
			genl_put(m, attrs[i].type, a, attrs[i].size == -4 ? 4 : 16);
			return;
		}
	}
	die("%s: unknown attribute", arg);
}

/* The type of the attribute at byte @off of the request, or "-". */
static const char *attr_at(const struct genl_msg *m, int off)
{
	static char buf[16];
	const struct nlattr *a;
	size_t i;

	if (off < 0 || off + NLA_HDRLEN > (int)m->nlh->nlmsg_len)
		return "-";
	a = (const struct nlattr *)(m->buf + off);
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (attrs[i].type == (a->nla_type & NLA_TYPE_MASK))
			return attrs[i].name;
	snprintf(buf, sizeof(buf), "type%u", a->nla_type);
	return buf;
}

static int cmd_nl(int argc, char **argv)
{
	struct genl_family fam;
	struct genl_msg m;
	bool dump = false;
	struct result r;
	int fd, i, c = -1;

	if (argc < 1)
		die("nl: which command?");
	for (i = 0; i < (int)(sizeof(cmds) / sizeof(cmds[0])); i++)
		if (!strcmp(argv[0], cmds[i].name))
			c = i;
	if (c < 0)
		die("nl: unknown command %s", argv[0]);
	if (argc > 1 && !strcmp(argv[1], "dump"))
		dump = true;
	fd = nl_socket();
	fam = resolve(fd);
	msg_init(&m, fam.id, cmds[c].cmd, dump ? NLM_F_DUMP : 0);
	for (i = dump ? 2 : 1; i < argc; i++)
		put_arg(&m, argv[i]);
	xfer(fd, &m, &r);
	printf("error %s attr %s msg %s\n", errno_name(r.error),
	       attr_at(&m, r.ext.offs), r.ext.msg[0] ? r.ext.msg : "-");
	return 0;
}

static int cmd_join_events(void)
{
	struct genl_family fam;
	int fd, grp, err = 0;

	fd = nl_socket();
	fam = resolve(fd);
	if (!fam.grp_id)
		die("no events group");
	grp = fam.grp_id;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp)))
		err = errno;
	printf("error %s\n", errno_name(err));
	return 0;
}

/* ---- forged datagrams ----------------------------------------------------- */

static __u32 sum16(const void *data, size_t len, __u32 sum)
{
	const __u8 *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	return sum;
}

static __u16 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* UDP header + payload with its checksum over the pseudo header. */
static size_t build_udp(__u8 *out, const struct ep *from, const struct ep *to,
			const char *text)
{
	size_t alen = from->family == AF_INET ? 4 : 16, len = strlen(text);
	struct udphdr *uh = (struct udphdr *)out;
	__u32 sum;
	__u16 c;

	uh->source = htons(ep_port(from));
	uh->dest = htons(ep_port(to));
	uh->len = htons((__u16)(sizeof(*uh) + len));
	uh->check = 0;
	memcpy(out + sizeof(*uh), text, len);
	sum = sum16(ep_addr(from), alen, 0);
	sum = sum16(ep_addr(to), alen, sum);
	sum += IPPROTO_UDP + (__u32)(sizeof(*uh) + len);
	sum = sum16(out, sizeof(*uh) + len, sum);
	c = fold(sum);
	uh->check = htons(c ? c : 0xffff);
	return sizeof(*uh) + len;
}

static int cmd_spoof(int argc, char **argv)
{
	static __u8 pkt[2048];
	struct ep from = { 0 }, to = { 0 };
	size_t hlen, ulen;
	int fd, i, count = 1;

	for (i = 0; i + 1 < argc - 1; i += 2) {
		if (!strcmp(argv[i], "--from"))
			parse_ep(argv[i + 1], true, &from);
		else if (!strcmp(argv[i], "--to"))
			parse_ep(argv[i + 1], true, &to);
		else if (!strcmp(argv[i], "--count"))
			count = atoi(argv[i + 1]);
		else
			die("spoof: unknown option %s", argv[i]);
	}
	if (i != argc - 1 || !from.family || from.family != to.family ||
	    strlen(argv[argc - 1]) > 1024)
		die("spoof: give --from ADDR:PORT --to ADDR:PORT TEXT");
	fd = socket(from.family, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		die("raw socket: %s", strerror(errno));
	if (from.family == AF_INET) {
		struct iphdr *ip = (struct iphdr *)pkt;

		hlen = sizeof(*ip);
		ulen = build_udp(pkt + hlen, &from, &to, argv[argc - 1]);
		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		ip->tot_len = htons((__u16)(hlen + ulen));
		ip->saddr = from.in.sin_addr.s_addr;
		ip->daddr = to.in.sin_addr.s_addr;
	} else {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)pkt;

		hlen = sizeof(*ip6);
		ulen = build_udp(pkt + hlen, &from, &to, argv[argc - 1]);
		ip6->ip6_flow = htonl(6u << 28);
		ip6->ip6_plen = htons((__u16)ulen);
		ip6->ip6_nxt = IPPROTO_UDP;
		ip6->ip6_hlim = 64;
		ip6->ip6_src = from.in6.sin6_addr;
		ip6->ip6_dst = to.in6.sin6_addr;
	}
	/* a raw socket takes no port: the UDP header above has them */
	if (to.family == AF_INET)
		to.in.sin_port = 0;
	else
		to.in6.sin6_port = 0;
	for (i = 0; i < count; i++)
		if (sendto(fd, pkt, hlen + ulen, 0, &to.sa, to.len) < 0)
			die("sendto: %s", strerror(errno));
	close(fd);
	return 0;
}

static void write_ready(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs("ready\n", f) < 0 || fclose(f))
		die("%s: %s", path, strerror(errno));
}

static int cmd_hold_udp(int argc, char **argv)
{
	struct ep ep;
	int fd;

	if (argc != 2)
		die("hold-udp: give ADDR:PORT FILE");
	parse_ep(argv[0], true, &ep);
	fd = socket(ep.family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, &ep.sa, ep.len))
		die("bind %s: %s", argv[0], strerror(errno));
	write_ready(argv[1]);
	for (;;)
		pause();
}

static long memfree_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static void on_stat(const struct nlattr *a, void *arg)
{
	__u64 *st = arg;

	if ((a->nla_type & NLA_TYPE_MASK) <= PORTSHARE_STAT_MAX &&
	    a->nla_len == NLA_HDRLEN + 8)
		memcpy(&st[a->nla_type & NLA_TYPE_MASK], nla_payload(a), 8);
}

static void on_port_attr(const struct nlattr *a, void *arg)
{
	if ((a->nla_type & NLA_TYPE_MASK) == PORTSHARE_A_STATS)
		nla_walk(nla_payload(a), nla_payload_len(a), on_stat, arg);
}

/* PORT_GET @port: its counters in @st. */
static void port_stats(__u16 port, __u64 *st)
{
	static char buf[BUFSZ];
	struct genl_family fam;
	struct nlmsghdr *h;
	struct genl_msg m;
	ssize_t len;
	int fd;

	fd = nl_socket();
	fam = resolve(fd);
	msg_init(&m, fam.id, PORTSHARE_CMD_PORT_GET, 0);
	m.nlh->nlmsg_flags &= (__u16)~NLM_F_ACK;
	genl_put(&m, PORTSHARE_A_PORT, &port, 2);
	if (send(fd, m.buf, m.nlh->nlmsg_len, 0) < 0)
		die("send: %s", strerror(errno));
	len = recv(fd, buf, sizeof(buf), 0);
	h = (struct nlmsghdr *)buf;
	if (len < 0 || !NLMSG_OK(h, len) || h->nlmsg_type != fam.id)
		die("PORT_GET %u failed", port);
	genl_walk(h, on_port_attr, st);
	close(fd);
}

/* The pid of ksoftirqd/0, or 0. */
static pid_t ksoftirqd0(void)
{
	char path[64], comm[32];
	pid_t pid;
	FILE *f;

	for (pid = 2; pid < 4096; pid++) {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    !strcmp(comm, "ksoftirqd/0\n")) {
			fclose(f);
			return pid;
		}
		fclose(f);
	}
	return 0;
}

/*
 * Softirqs left to ksoftirqd must still run while we hog CPU 0, or the
 * requests wait in the backlog instead of the queue: ksoftirqd/0 gets a
 * higher FIFO priority than ours for the burst (the work item, an
 * ordinary task, still cannot run).
 */
static void set_policy(pid_t pid, int policy, int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	if (sched_setscheduler(pid, policy, &sp))
		die("sched_setscheduler %d: %s", (int)pid, strerror(errno));
}

static int cmd_regflood(int argc, char **argv)
{
	__u64 st[PORTSHARE_STAT_MAX + 1] = { 0 };
	struct ep to = { 0 };
	static char payload[65507];
	long count = 0, size = 0, before, after, i;
	__u16 port = 0;
	cpu_set_t cpus;
	pid_t softirqd;
	int fd;

	for (i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--to"))
			parse_ep(argv[i + 1], true, &to);
		else if (!strcmp(argv[i], "--count"))
			count = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--size"))
			size = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--port"))
			port = (__u16)atoi(argv[i + 1]);
		else
			die("regflood: unknown option %s", argv[i]);
	}
	if (i != argc || !to.family || !port || size < 1 ||
	    size > (long)sizeof(payload))
		die("regflood: give --to ADDR:PORT --count N --size S --port P");
	memset(payload, 'A', sizeof(payload));
	fd = socket(to.family, SOCK_DGRAM, 0);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (fd < 0 || sched_setaffinity(0, sizeof(cpus), &cpus))
		die("regflood: %s", strerror(errno));
	softirqd = ksoftirqd0();
	if (!softirqd)
		die("regflood: no ksoftirqd/0");
	set_policy(softirqd, SCHED_FIFO, 60);
	set_policy(0, SCHED_FIFO, 50);
	before = memfree_kib();
	for (i = 0; i < count; i++)
		if (sendto(fd, payload, (size_t)size, 0,
			   &to.sa, to.len) < 0)
			break;	/* reported as fewer requests */
	after = memfree_kib();
	/* still on CPU 0 as FIFO: the counters as they were at the reading */
	port_stats(port, st);
	set_policy(0, SCHED_OTHER, 0);
	set_policy(softirqd, SCHED_OTHER, 0);
	close(fd);
	printf("requests %llu ignored %llu memfree_drop %ld\n",
	       (unsigned long long)st[PORTSHARE_STAT_REG_REQUESTS],
	       (unsigned long long)st[PORTSHARE_STAT_REG_IGNORED],
	       before - after);
	return 0;
}

static int cmd_netns_hold(int argc, char **argv)
{
	int i, n, fd;

	if (argc != 2)
		die("netns-hold: give N FILE");
	n = atoi(argv[0]);
	for (i = 0; i < n; i++) {
		if (unshare(CLONE_NEWNET))
			die("unshare: %s", strerror(errno));
		fd = open("/proc/self/ns/net", O_RDONLY);
		if (fd < 0)
			die("open: %s", strerror(errno));
	}
	write_ready(argv[1]);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		enter_netns(argv[2]);
		i = 3;
	}
	if (i >= argc)
		die("usage: pshard [-n NETNS] nl|join-events|spoof|hold-udp|regflood|netns-hold ...");
	if (!strcmp(argv[i], "nl"))
		return cmd_nl(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "join-events"))
		return cmd_join_events();
	if (!strcmp(argv[i], "spoof"))
		return cmd_spoof(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "hold-udp"))
		return cmd_hold_udp(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "regflood"))
		return cmd_regflood(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "netns-hold"))
		return cmd_netns_hold(argc - i - 1, argv + i + 1);
	die("unknown command %s", argv[i]);
}
