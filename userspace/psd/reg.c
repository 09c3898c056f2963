// SPDX-License-Identifier: GPL-2.0
/*
 * The registration port (US 6,363,081 FIG. 4, Table 2): ADD and DROP
 * parsed by kmod/request.c, the very parser of portshare.ko, and carried
 * out with the kernel's rules and replies (kmod/register.c,
 * docs/protocol.md §1): the silences, the acl, the rate limit, the
 * own-address rule, the cap and the loop check.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "psd.h"
#include "request.h"

#define REG_BATCH	64

_Static_assert(PS_REQ_PARSED == PORTSHARE_REPLY_OK, "codes");
_Static_assert(PS_REQ_MALFORMED == PORTSHARE_REPLY_MALFORMED, "codes");
_Static_assert(PS_REQ_INET == PORTSHARE_FAMILY_INET, "families");
_Static_assert(PS_REQ_INET6 == PORTSHARE_FAMILY_INET6, "families");
_Static_assert(PS_REQ_MODE_RAW == PORTSHARE_MODE_RAW, "modes");
_Static_assert(PS_REQ_MODE_TRANSPARENT == PORTSHARE_MODE_TRANSPARENT,
	       "modes");

/* One received request and where it came from and went to. */
struct rq {
	struct portshare_addr src, dst;
	uint16_t sport;
	bool third_party;
};

static struct psd_sec *sec_find(struct psd_port *p,
				const struct portshare_addr *a, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < p->nsecs; i++)
		if (p->secs[i].data_port == port &&
		    portshare_addr_equal(&p->secs[i].addr, a))
			return &p->secs[i];
	return NULL;
}

/**
 * psd_sec_add() - put a secondary on a port's list
 * @d: psd
 * @p: the port
 * @s: the secondary, with its data port
 *
 * Return: 0 or the PORTSHARE_E_* refusal (loop, already added, list full,
 * out of resources).
 */
int psd_sec_add(struct psd *d, struct psd_port *p, const struct psd_sec *s)
{
	struct psd_sec *secs;

	if (psd_is_contested(d, s->data_port))
		return PORTSHARE_E_LOOP;
	if (sec_find(p, &s->addr, s->data_port))
		return PORTSHARE_E_ALREADY_ADDED;
	if (p->nsecs >= d->max_secs)
		return PORTSHARE_E_LIST_FULL;
	secs = realloc(p->secs, (p->nsecs + 1) * sizeof(*secs));
	if (!secs)
		return PORTSHARE_E_NO_RESOURCES;
	p->secs = secs;
	secs[p->nsecs++] = *s;
	return 0;
}

static int sec_drop(struct psd_port *p, const struct portshare_addr *a,
		    uint16_t port)
{
	struct psd_sec *s = sec_find(p, a, port);

	if (!s)
		return PORTSHARE_E_NOT_IN_LIST;
	memmove(s, s + 1, (size_t)(p->secs + p->nsecs - (s + 1)) * sizeof(*s));
	p->nsecs--;
	return 0;
}

/* The secondary a parsed request names (kmod/register.c sec_cfg()). */
static int sec_of(const struct psd_port *p, const struct rq *rq,
		  const struct ps_req *req, struct psd_sec *s)
{
	memset(s, 0, sizeof(*s));
	s->addr.family = req->family;
	memcpy(s->addr.addr, req->addr, sizeof(req->addr));
	if (req->port != p->port)
		return PORTSHARE_E_UNKNOWN_PORT;
	if (!portshare_addr_equal(&s->addr, &rq->src)) {
		if (!rq->third_party)
			return PORTSHARE_E_NOT_PERMITTED;
		if (s->addr.family != rq->src.family)
			return PORTSHARE_E_INVALID_ADDRESS;
	}
	s->src = rq->dst;
	s->data_port = req->data_port ? req->data_port : rq->sport;
	s->mode = req->mode;
	return 0;
}

static void log_request(const struct psd_port *p, const struct rq *rq,
			const struct psd_sec *s, int cmd, int err)
{
	char a[PORTSHARE_ADDR_STRLEN], from[PORTSHARE_ADDR_STRLEN];

	psd_addr_text(&s->addr, a);
	psd_addr_text(&rq->src, from);
	psd_log("port %u: %s %s %u from %s %u: %s", p->port,
		cmd == PS_REQ_ADD ? "ADD" : "DROP", a, s->data_port, from,
		rq->sport, portshare_strerror(err));
}

/* Carry out a parsed request: 0 or the refusal. */
static int carry_out(struct psd *d, struct psd_port *p, const struct rq *rq,
		     const struct ps_req *req)
{
	struct psd_sec s;
	int err;

	err = sec_of(p, rq, req, &s);
	if (!err && req->cmd == PS_REQ_ADD)
		err = psd_sec_add(d, p, &s);
	else if (!err)
		err = sec_drop(p, &s.addr, s.data_port);
	if (d->verbose)
		log_request(p, rq, &s, req->cmd, err);
	return err;
}

static void reply(struct psd_port *p, int fam, const struct rq *rq, int err,
		  int cmd)
{
	char buf[PORTSHARE_REPLY_MAX];
	int len;

	len = portshare_reply_format(err, cmd ? cmd : PS_REQ_ADD, &rq->dst,
				     p->reg_port, buf, sizeof(buf));
	if (len < 0)
		return;
	p->reg[err ? PSD_REG_ERRORS : PSD_REG_OK]++;
	if (err == PORTSHARE_E_NOT_PERMITTED)
		p->reg[PSD_REG_NOT_PERMITTED]++;
	else if (err == PORTSHARE_E_LIST_FULL)
		p->reg[PSD_REG_LIST_FULL]++;
	psd_send_from(p->rfd[fam], &rq->dst, &rq->src, rq->sport, buf,
		      (size_t)len);
}

/* Silence and admission, in the kernel's order; a counter or -1. */
static int admit(struct psd *d, struct rq *rq)
{
	if (!rq->sport || !psd_is_local(d, &rq->dst))
		return PSD_REG_IGNORED;	/* port 0, broadcast, multicast */
	if (!psd_acl_allows(d, &rq->src, &rq->third_party))
		return PSD_REG_DENIED;
	if (!psd_rate_allows(d, &rq->src))
		return PSD_REG_RATE_LIMITED;
	if (psd_is_local(d, &rq->src) && psd_is_reg_port(d, rq->sport))
		return PSD_REG_IGNORED;	/* our own reply, copy or notice */
	return -1;
}

static void handle(struct psd *d, struct psd_port *p, int fam, struct rq *rq,
		   const char *buf, size_t len)
{
	struct ps_req req;
	int why, code, err;

	p->reg[PSD_REG_REQUESTS]++;
	why = admit(d, rq);
	if (why >= 0) {
		p->reg[why]++;
		return;
	}
	code = ps_req_parse(buf, len, &req);
	if (code == PS_REQ_SILENT) {
		p->reg[PSD_REG_IGNORED]++;
		return;
	}
	if (code == PS_REQ_PARSED)
		err = carry_out(d, p, rq, &req);
	else
		err = portshare_reply_error(code, req.cmd);
	reply(p, fam, rq, err, req.cmd);
}

/* The source, and the destination from IP_PKTINFO/IPV6_PKTINFO. */
static bool envelope(struct msghdr *msg, struct rq *rq)
{
	struct cmsghdr *c;

	memset(rq, 0, sizeof(*rq));
	if (portshare_addr_from_sockaddr(msg->msg_name, &rq->src, &rq->sport))
		return false;
	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rq->dst.family = PORTSHARE_FAMILY_INET;
			memcpy(rq->dst.addr, &pi.ipi_addr, 4);
			return true;
		}
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rq->dst.family = PORTSHARE_FAMILY_INET6;
			memcpy(rq->dst.addr, &pi.ipi6_addr, 16);
			return true;
		}
	}
	return false;
}

/**
 * psd_reg_input() - answer the requests waiting on a registration socket
 * @d: psd
 * @p: the port
 * @fam: PSD_V4 or PSD_V6
 *
 * At most REG_BATCH per call, so copies are not held up.
 */
void psd_reg_input(struct psd *d, struct psd_port *p, int fam)
{
	/* one byte more than a request may have tells the parser it is long */
	char buf[PS_REQ_MAX_LEN + 1];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg;
	struct rq rq;
	ssize_t n;
	int i;

	for (i = 0; i < REG_BATCH; i++) {
		msg = (struct msghdr){
			.msg_name = &ss, .msg_namelen = sizeof(ss),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf.buf,
			.msg_controllen = sizeof(cbuf.buf),
		};
		n = recvmsg(p->rfd[fam], &msg, MSG_DONTWAIT);
		if (n < 0)
			return;
		if (!envelope(&msg, &rq)) {
			p->reg[PSD_REG_REQUESTS]++;
			p->reg[PSD_REG_IGNORED]++;
			continue;
		}
		handle(d, p, fam, &rq, buf, (size_t)n);
	}
}
