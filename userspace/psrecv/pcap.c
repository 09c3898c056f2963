// SPDX-License-Identifier: GPL-2.0
/*
 * A pcap stream of the original datagrams: nanosecond pcap, LINKTYPE_RAW,
 * each copy rebuilt as an IPv4 or IPv6 packet with a UDP header from the
 * origin the encap header gives and the primary's address as destination,
 * with correct checksums, so tcpdump shows the datagram as it arrived.
 */
#include <arpa/inet.h>
#include <string.h>

#include "psrecv.h"

#define PCAP_MAGIC_NS	0xa1b23c4d
#define LINKTYPE_RAW	101
#define SNAPLEN		262144
#define IP4_HLEN	20
#define IP6_HLEN	40
#define UDP_HLEN	8
#define PKT_MAX		(IP6_HLEN + UDP_HLEN + 65535)

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t sec, nsec, caplen, len;
};

int psr_pcap_header(FILE *f)
{
	struct pcap_file_hdr h = {
		.magic = PCAP_MAGIC_NS, .major = 2, .minor = 4,
		.snaplen = SNAPLEN, .linktype = LINKTYPE_RAW,
	};

	if (fwrite(&h, sizeof(h), 1, f) != 1 || fflush(f))
		return -1;
	return 0;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The UDP header and payload at @udp; @pseudo_sum covers the addresses. */
static void udp_fill(uint8_t *udp, const struct psr_dgram *d,
		     uint32_t pseudo_sum)
{
	uint16_t ulen = (uint16_t)(UDP_HLEN + d->len), csum;

	put16(udp, d->sport);
	put16(udp + 2, d->dport);
	put16(udp + 4, ulen);
	put16(udp + 6, 0);
	memcpy(udp + UDP_HLEN, d->payload, d->len);
	pseudo_sum += 17 + ulen;
	csum = fold(sum16(udp, ulen, pseudo_sum));
	put16(udp + 6, csum ? csum : 0xffff);
}

static size_t ip4_build(uint8_t *pkt, const struct psr_dgram *d)
{
	uint32_t ps;

	memset(pkt, 0, IP4_HLEN);
	pkt[0] = 0x45;
	put16(pkt + 2, (uint16_t)(IP4_HLEN + UDP_HLEN + d->len));
	pkt[6] = 0x40;			/* DF */
	pkt[8] = 64;
	pkt[9] = 17;
	memcpy(pkt + 12, d->src.addr, 4);
	memcpy(pkt + 16, d->dst.addr, 4);
	put16(pkt + 10, fold(sum16(pkt, IP4_HLEN, 0)));
	ps = sum16(pkt + 12, 8, 0);
	udp_fill(pkt + IP4_HLEN, d, ps);
	return IP4_HLEN + UDP_HLEN + d->len;
}

static size_t ip6_build(uint8_t *pkt, const struct psr_dgram *d)
{
	memset(pkt, 0, IP6_HLEN);
	pkt[0] = 0x60;
	put16(pkt + 4, (uint16_t)(UDP_HLEN + d->len));
	pkt[6] = 17;
	pkt[7] = 64;
	memcpy(pkt + 8, d->src.addr, 16);
	memcpy(pkt + 24, d->dst.addr, 16);
	udp_fill(pkt + IP6_HLEN, d, sum16(pkt + 8, 32, 0));
	return IP6_HLEN + UDP_HLEN + d->len;
}

/*
 * One packet.  The destination must be of the source's family (psrecv
 * makes it so); a payload too long for the family is cut to fit.
 */
int psr_pcap_write(FILE *f, const struct psr_dgram *d)
{
	static uint8_t pkt[PKT_MAX];
	struct psr_dgram dd = *d;
	struct pcap_rec_hdr r;
	size_t n, max;

	max = 65535 - UDP_HLEN -
	      (d->src.family == PORTSHARE_FAMILY_INET ? IP4_HLEN : 0);
	if (dd.len > max)
		dd.len = max;
	n = d->src.family == PORTSHARE_FAMILY_INET ? ip4_build(pkt, &dd) :
						      ip6_build(pkt, &dd);
	r.sec = (uint32_t)(d->time_ns / 1000000000ULL);
	r.nsec = (uint32_t)(d->time_ns % 1000000000ULL);
	r.caplen = (uint32_t)n;
	r.len = (uint32_t)n;
	if (fwrite(&r, sizeof(r), 1, f) != 1 || fwrite(pkt, n, 1, f) != 1 ||
	    fflush(f))
		return -1;
	return 0;
}
