// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Copies (US 6,363,081 FIG. 4 step 100; docs/protocol.md §2): datagrams
 * are read from a contested socket in batches with recvmmsg(), and every
 * secondary's copy is queued and sent in batches with sendmmsg(), from the
 * registration port and the secondary's primary address (encap, raw), or
 * through a raw socket with the original sender's address and port
 * (transparent).  Nothing waits: every socket is non-blocking, and a copy
 * the kernel does not take at once is dropped and counted against its
 * secondary alone, so one slow or unreachable secondary never holds up the
 * others or the contested port.  A secondary with a source filter (from=,
 * DESIGN §9) gets only datagrams from its prefixes, matched by the shared
 * ps_from_admits() as in portshare.ko, a dead one only its probes
 * (pri_dead.c) and one with a rate cap no more than it allows
 * (pri_rate.c); its TTL, if set, goes with each copy.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "primary.h"

#define RX_BATCH	16
#define TX_BATCH	64
#define RX_BUF		65536
#define IP4_HLEN	20
#define IP6_HLEN	40
#define UDP_HLEN	8
#define HDR_ROOM	64	/* encap header, or IP + UDP headers */
#define UDP4_MAX	(65535 - IP4_HLEN - UDP_HLEN)
#define UDP6_MAX	(65535 - UDP_HLEN)

/* the source's IP_PKTINFO or IPV6_PKTINFO, then IP_TTL or IPV6_HOPLIMIT */
union cbuf {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
		 CMSG_SPACE(sizeof(int))];
};

union rxcbuf {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(struct timespec)) + 64];
};

/* The datagram being shared. */
struct dgram {
	struct portshare_addr origin;
	uint16_t sport;
	const uint8_t *payload;
	size_t len;
	uint64_t tstamp;
	uint32_t sum;		/* of the payload, for transparent copies */
	bool summed;
};

struct pri_fw {
	uint8_t rxbuf[RX_BATCH][RX_BUF];
	struct mmsghdr rx[RX_BATCH];
	struct iovec rxiov[RX_BATCH];
	struct sockaddr_storage rxname[RX_BATCH];
	union rxcbuf rxc[RX_BATCH];

	int txfd;
	unsigned int ntx;
	struct mmsghdr tx[TX_BATCH];
	struct iovec txiov[TX_BATCH][2];
	struct sockaddr_storage txname[TX_BATCH];
	union cbuf txc[TX_BATCH];
	uint8_t txhdr[TX_BATCH][HDR_ROOM];
	struct pri_sec *txsec[TX_BATCH];
};

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A raw socket for transparent copies of @af; -1 and *err if none. */
static int raw_open(int af, int *err)
{
	int fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			IPPROTO_RAW);

	if (fd < 0 && !*err)
		*err = -errno;
	return fd;
}

/**
 * pri_forward_init() - buffers, and raw sockets for transparent copies
 * @pri: the primary; raw[] stays -1 without CAP_NET_RAW, and raw_error
 *       says why
 *
 * Return: 0, or -ENOMEM.
 */
int pri_forward_init(struct portshare_primary *pri)
{
	pri->fw = calloc(1, sizeof(*pri->fw));
	if (!pri->fw)
		return -ENOMEM;
	pri->fw->txfd = -1;
	pri->raw_error = 0;
	pri->raw[PRI_V4] = raw_open(AF_INET, &pri->raw_error);
	pri->raw[PRI_V6] = raw_open(AF_INET6, &pri->raw_error);
	if (pri->raw[PRI_V4] >= 0)
		pri->raw_error = 0;	/* IPv6 alone may be missing */
	return 0;
}

void pri_forward_fini(struct portshare_primary *pri)
{
	int fam;

	for (fam = 0; fam < PRI_NFAM; fam++)
		if (pri->raw[fam] >= 0)
			close(pri->raw[fam]);
	free(pri->fw);
	pri->fw = NULL;
}

static int drop_reason(int err)
{
	switch (err) {
	case ENOMEM:
	case ENOBUFS:
		return PORTSHARE_DROP_NOMEM;
	case EMSGSIZE:
		return PORTSHARE_DROP_TOOBIG;
	case ENETUNREACH:
	case EHOSTUNREACH:
		return PORTSHARE_DROP_NOROUTE;
	}
	return PORTSHARE_DROP_XMIT;
}

/*
 * Send what is queued; every failure is one secondary's drop (and a
 * dead one's probe lost: pri_dead_lost()).  With IP_RECVERR (pri_icmp.c)
 * an ICMP error not read yet also fails the socket's next send once,
 * sending nothing: not that copy's fault, so each failure is tried again
 * once before it counts.
 */
static void flush(struct pri_fw *fw)
{
	unsigned int off = 0, i;
	bool again = true;
	int sent;

	while (off < fw->ntx) {
		sent = sendmmsg(fw->txfd, fw->tx + off, fw->ntx - off,
				MSG_DONTWAIT);
		if (sent < 0 && (errno == EINTR || again)) {
			again = errno == EINTR;
			continue;
		}
		again = true;
		if (sent <= 0) {
			fw->txsec[off]->e.drops[drop_reason(sent ? errno :
								  EIO)]++;
			pri_dead_lost(fw->txsec[off]);
			off++;
			continue;
		}
		for (i = off; i < off + (unsigned int)sent; i++) {
			fw->txsec[i]->e.copies++;
			fw->txsec[i]->e.bytes += fw->txiov[i][1].iov_len;
		}
		off += (unsigned int)sent;
	}
	fw->ntx = 0;
}

/* The next free message, for @fd: flushes a full batch or another fd's. */
static unsigned int slot(struct pri_fw *fw, int fd)
{
	if (fw->ntx && (fw->txfd != fd || fw->ntx == TX_BATCH))
		flush(fw);
	fw->txfd = fd;
	return fw->ntx++;
}

/*
 * A copy's TTL or hop limit, after the cmsg of its source: per message,
 * as the socket is the registration port's, shared by every secondary.
 * 0 leaves the system's.
 */
static void ttl_add(struct msghdr *m, void *cbuf, uint8_t family, uint8_t ttl)
{
	struct cmsghdr *c;
	int val = ttl;

	if (!ttl)
		return;
	m->msg_control = cbuf;
	c = (struct cmsghdr *)((char *)cbuf + m->msg_controllen);
	c->cmsg_level = family == PORTSHARE_FAMILY_INET ? IPPROTO_IP :
							  IPPROTO_IPV6;
	c->cmsg_type = family == PORTSHARE_FAMILY_INET ? IP_TTL :
							 IPV6_HOPLIMIT;
	c->cmsg_len = CMSG_LEN(sizeof(val));
	memcpy(CMSG_DATA(c), &val, sizeof(val));
	m->msg_controllen += CMSG_SPACE(sizeof(val));
}

static void queue_encap(struct pri_fw *fw, const struct pri_port *p,
			struct pri_sec *ps, const struct dgram *g,
			uint32_t seq, int fd)
{
	struct portshare_list_entry *s = &ps->e;
	unsigned int i = slot(fw, fd);
	struct mmsghdr *m = &fw->tx[i];
	struct portshare_copy_hdr h = {
		.origin = g->origin, .origin_port = g->sport,
		.contested_port = p->port, .secondary = s->addr,
		.payload_len = (uint32_t)g->len, .seq = seq,
		.timestamp_ns = g->tstamp,
	};
	size_t hlen = 0;

	if (s->mode == PORTSHARE_MODE_ENCAP)
		hlen = (size_t)portshare_encap_write(&h, fw->txhdr[i],
						     HDR_ROOM);
	fw->txiov[i][0] = (struct iovec){ fw->txhdr[i], hlen };
	fw->txiov[i][1] = (struct iovec){ (void *)g->payload, g->len };
	memset(&m->msg_hdr, 0, sizeof(m->msg_hdr));
	m->msg_hdr.msg_iov = fw->txiov[i];
	m->msg_hdr.msg_iovlen = 2;
	pri_msg_fill(&m->msg_hdr, &s->src, &s->addr, s->data_port,
		     &fw->txname[i], fw->txc[i].buf);
	ttl_add(&m->msg_hdr, fw->txc[i].buf, s->addr.family, ps->ttl);
	fw->txsec[i] = ps;
}

static uint32_t sum16(const uint8_t *b, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)(b[n - 1] << 8);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *b, unsigned int v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/*
 * IP and UDP headers of a transparent copy from @src:@sport, with TTL or
 * hop limit @ttl (0: 64); their size.
 */
static size_t ip_udp_build(uint8_t *h, const struct portshare_addr *src,
			   uint16_t sport, const struct portshare_list_entry *s,
			   uint8_t ttl, struct dgram *g)
{
	bool v4 = s->addr.family == PORTSHARE_FAMILY_INET;
	size_t ihl = v4 ? IP4_HLEN : IP6_HLEN, alen = v4 ? 4 : 16;
	uint8_t *u = h + ihl;
	unsigned int ulen = (unsigned int)(UDP_HLEN + g->len);
	uint32_t sum;
	uint16_t csum;

	memset(h, 0, ihl + UDP_HLEN);
	if (v4) {
		h[0] = 0x45;
		put16(h + 2, (unsigned int)ihl + ulen);
		h[8] = ttl ? ttl : 64;
		h[9] = IPPROTO_UDP;
		memcpy(h + 12, src->addr, 4);
		memcpy(h + 16, s->addr.addr, 4);
		put16(h + 10, fold(sum16(h, ihl, 0)));
	} else {
		h[0] = 0x60;
		put16(h + 4, ulen);
		h[6] = IPPROTO_UDP;
		h[7] = ttl ? ttl : 64;
		memcpy(h + 8, src->addr, 16);
		memcpy(h + 24, s->addr.addr, 16);
	}
	put16(u, sport);
	put16(u + 2, s->data_port);
	put16(u + 4, ulen);
	if (!g->summed) {
		g->sum = sum16(g->payload, g->len, 0);
		g->summed = true;
	}
	sum = sum16(src->addr, alen, sum16(s->addr.addr, alen, 0));
	sum += IPPROTO_UDP + ulen + g->sum;
	sum = sum16(u, UDP_HLEN, sum);
	csum = fold(sum);
	put16(u + 6, csum ? csum : 0xffff);
	return ihl + UDP_HLEN;
}

static bool unspecified(const struct portshare_addr *a)
{
	static const uint8_t zero[16];

	return !memcmp(a->addr, zero, a->family == PORTSHARE_FAMILY_INET ?
				      4 : 16);
}

/*
 * The original sender as the source: an IPv4 sender appears to an IPv6
 * secondary as its v4-mapped address; an IPv6 sender cannot appear on
 * IPv4 (drop_family); an unspecified sender is replaced by the primary
 * address, its port kept.  Return: false if it was dropped.
 */
static bool queue_transparent(struct portshare_primary *pri,
			      struct pri_sec *ps, struct dgram *g)
{
	struct portshare_list_entry *s = &ps->e;
	struct pri_fw *fw = pri->fw;
	int fam = s->addr.family == PORTSHARE_FAMILY_INET ? PRI_V4 : PRI_V6;
	struct portshare_addr src = g->origin;
	unsigned int i;
	size_t hlen;

	if (g->origin.family == PORTSHARE_FAMILY_INET6 && fam == PRI_V4) {
		s->drops[PORTSHARE_DROP_FAMILY]++;
		return false;
	}
	if (pri->raw[fam] < 0) {
		s->drops[PORTSHARE_DROP_XMIT]++;
		return false;
	}
	if (unspecified(&src) && s->src.family == s->addr.family) {
		src = s->src;
	} else if (src.family != s->addr.family) {
		src.family = PORTSHARE_FAMILY_INET6;
		memset(src.addr, 0, 16);
		src.addr[10] = src.addr[11] = 0xff;
		memcpy(src.addr + 12, g->origin.addr, 4);
	}
	i = slot(fw, pri->raw[fam]);
	hlen = ip_udp_build(fw->txhdr[i], &src, g->sport, s, ps->ttl, g);
	fw->txiov[i][0] = (struct iovec){ fw->txhdr[i], hlen };
	fw->txiov[i][1] = (struct iovec){ (void *)g->payload, g->len };
	memset(&fw->tx[i].msg_hdr, 0, sizeof(fw->tx[i].msg_hdr));
	fw->tx[i].msg_hdr.msg_iov = fw->txiov[i];
	fw->tx[i].msg_hdr.msg_iovlen = 2;
	fw->tx[i].msg_hdr.msg_name = &fw->txname[i];
	fw->tx[i].msg_hdr.msg_namelen = (socklen_t)
		portshare_addr_to_sockaddr(&s->addr, 0, &fw->txname[i]);
	fw->txsec[i] = ps;
	return true;
}

/*
 * Is @g's source in @s's filter (DESIGN §9)?  A datagram it leaves out is
 * counted as skipped, not dropped: nothing was lost on the way.
 */
static bool admitted(struct pri_sec *s, const struct dgram *g)
{
	if (ps_from_admits(s->from, s->n_from, g->origin.family,
			   g->origin.addr))
		return true;
	s->skipped_filtered++;
	return false;
}

/* @ps's copy of @g queued, numbered @seq: false if it was dropped. */
static bool queue(struct portshare_primary *pri, struct pri_port *p,
		  struct pri_sec *ps, struct dgram *g, uint32_t seq)
{
	struct portshare_list_entry *s = &ps->e;
	size_t hlen = s->mode == PORTSHARE_MODE_ENCAP ?
		      PORTSHARE_ENCAP_HDR_LEN : 0;
	size_t max = s->addr.family == PORTSHARE_FAMILY_INET ? UDP4_MAX :
							       UDP6_MAX;
	int fd;

	if (g->len + hlen > max) {
		s->drops[PORTSHARE_DROP_TOOBIG]++;
		return false;
	}
	if (s->mode == PORTSHARE_MODE_TRANSPARENT)
		return queue_transparent(pri, ps, g);
	fd = pri_port_tx_fd(p, s->addr.family);
	if (fd < 0) {
		s->drops[PORTSHARE_DROP_FAMILY]++;
		return false;
	}
	queue_encap(pri->fw, p, ps, g, seq, fd);
	return true;
}

/*
 * Every secondary's copy of @g.  The encap sequence number counts the
 * datagrams the secondary takes: those the port shared since it was
 * added, less those its filter left out (as portshare.ko numbers them),
 * so that any gap is a loss.  A copy over its rate cap is such a loss:
 * it uses its number, and is a drop (drop_ratelimited); so is one not
 * sent to a dead secondary, though it is counted as dead_skipped.  A
 * dead secondary's probe dropped here or by flush() gets no verdict
 * (pri_dead_lost()).
 */
static void share(struct portshare_primary *pri, struct pri_port *p,
		  struct dgram *g)
{
	int64_t now = pri_mono_ns();
	unsigned int i;

	for (i = 0; i < p->nsecs; i++) {
		struct pri_sec *ps = &p->secs[i];
		uint32_t seq;

		if (!admitted(ps, g))
			continue;
		seq = ps->e.seq++;
		if (!pri_dead_admits(pri, p, ps, now))
			continue;
		if (!pri_rate_admits(ps) || !queue(pri, p, ps, g, seq))
			pri_dead_lost(ps);
	}
}

static uint64_t rx_tstamp(struct msghdr *msg)
{
	struct cmsghdr *c;
	struct timespec ts;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (uint64_t)ts.tv_sec * 1000000000ULL +
			       (uint64_t)ts.tv_nsec;
		}
	}
	return realtime_ns();
}

static int rx_batch(struct pri_fw *fw, int fd)
{
	unsigned int i;

	for (i = 0; i < RX_BATCH; i++) {
		fw->rxiov[i] = (struct iovec){ fw->rxbuf[i], RX_BUF };
		fw->rx[i].msg_hdr = (struct msghdr){
			.msg_name = &fw->rxname[i],
			.msg_namelen = sizeof(fw->rxname[i]),
			.msg_iov = &fw->rxiov[i], .msg_iovlen = 1,
			.msg_control = fw->rxc[i].buf,
			.msg_controllen = sizeof(fw->rxc[i].buf),
		};
	}
	return recvmmsg(fd, fw->rx, RX_BATCH, MSG_DONTWAIT, NULL);
}

/* Count @g and share it unless it is a copy itself: was it shared? */
static bool take(struct portshare_primary *pri, struct pri_port *p,
		 struct dgram *g)
{
	p->rx++;
	if (pri_is_copy(g->payload, g->len)) {
		p->err_loop++;
		return false;
	}
	if (!p->nsecs)
		return false;
	p->shared++;
	share(pri, p, g);
	return true;
}

/**
 * pri_forward_input() - share the datagrams waiting on a contested socket
 * @pri: the primary
 * @p: the port
 * @fam: PRI_V4 or PRI_V6
 *
 * Reads at most 4 batches per call so registration stays responsive.
 */
void pri_forward_input(struct portshare_primary *pri, struct pri_port *p,
		       int fam)
{
	struct pri_fw *fw = pri->fw;
	struct dgram g;
	int n, i, round;

	for (round = 0; round < 4; round++) {
		n = rx_batch(fw, p->cfd[fam]);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			memset(&g, 0, sizeof(g));
			g.payload = fw->rxbuf[i];
			g.len = fw->rx[i].msg_len;
			portshare_addr_from_sockaddr(
				(struct sockaddr *)&fw->rxname[i], &g.origin,
				&g.sport);
			g.tstamp = rx_tstamp(&fw->rx[i].msg_hdr);
			take(pri, p, &g);
		}
		flush(fw);
		if (n < RX_BATCH)
			break;
	}
}

static bool datagram_valid(const struct portshare_datagram *dg)
{
	return (dg->origin.family == PORTSHARE_FAMILY_INET ||
		dg->origin.family == PORTSHARE_FAMILY_INET6) &&
	       (dg->payload || !dg->len);
}

int portshare_primary_forward(struct portshare_primary *pri, uint16_t port,
			      const struct portshare_datagram *dgs, size_t n)
{
	struct pri_port *p = pri_port_find(pri, port);
	struct dgram g;
	size_t i;
	int shared = 0;

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	/* the count of those shared must fit the int returned */
	if ((!dgs && n) || n > INT_MAX)
		return PORTSHARE_E_INVALID;
	for (i = 0; i < n; i++)
		if (!datagram_valid(&dgs[i]) || dgs[i].len > UDP6_MAX)
			return PORTSHARE_E_INVALID;
	for (i = 0; i < n; i++) {
		memset(&g, 0, sizeof(g));
		g.origin = dgs[i].origin;
		g.sport = dgs[i].origin_port;
		g.payload = dgs[i].payload;
		g.len = dgs[i].len;
		g.tstamp = dgs[i].timestamp_ns ? dgs[i].timestamp_ns :
						 realtime_ns();
		shared += take(pri, p, &g);
	}
	flush(pri->fw);
	return shared;
}
