// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The registration port (US 6,363,081 FIG. 4, Table 2): ADD and DROP
 * parsed by shared/request.c and decided by shared/reg_rules.c, the very
 * code of portshare.ko (docs/protocol.md §1): the silences, the acl, the
 * rate limit, the own-address rule, the local data ports, the cap and the
 * loop check.  This file finds out the facts the rules ask for; the lists
 * themselves are pri_list.c's.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "primary.h"
/* portshare.ko's parser; ps_types.h (here) gives it the kernel types */
#include "reg_rules.h"
#include "request.h"

#define REG_BATCH	64
/*
 * PORTSHARE_REPLY_MAX before LIBPORTSHARE_1.4: what programs built then
 * pass to portshare_primary_request().  Every reply fits it but a "100 OK"
 * with lease= and rate= to one of the longest IPv6 addresses.
 */
#define PRI_REPLY_MAX_1_3	80

_Static_assert(PS_REQ_INET == PORTSHARE_FAMILY_INET, "families");
_Static_assert(PS_REQ_INET6 == PORTSHARE_FAMILY_INET6, "families");
_Static_assert(PS_REQ_MODE_RAW == PORTSHARE_MODE_RAW, "modes");
_Static_assert(PS_REQ_MODE_TRANSPARENT == PORTSHARE_MODE_TRANSPARENT,
	       "modes");

/* One received request and where it came from and went to. */
struct rq {
	struct portshare_addr src, dst;
	uint16_t sport;
	unsigned int acl_flags;	/* PORTSHARE_ACL_F_* its source has */
	bool from_socket;	/* received here, not handed in by the API */
};

/*
 * The source address routing picks towards @to (portshare.ko's
 * portshare_reg_route_src()): a connected UDP socket sends nothing, but
 * its local address is the route's.  0 or PORTSHARE_E_INVALID_ADDRESS.
 */
static int route_src(const struct portshare_addr *to,
		     struct portshare_addr *src)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, ret;

	ret = portshare_addr_to_sockaddr(to, 9, &ss);
	if (ret < 0)
		return PORTSHARE_E_INVALID_ADDRESS;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return PORTSHARE_E_INVALID_ADDRESS;
	ret = connect(fd, (struct sockaddr *)&ss, (socklen_t)ret);
	len = sizeof(ss);
	if (!ret)
		ret = getsockname(fd, (struct sockaddr *)&ss, &len);
	close(fd);
	if (ret || portshare_addr_from_sockaddr((struct sockaddr *)&ss, src,
						NULL))
		return PORTSHARE_E_INVALID_ADDRESS;
	return 0;
}

/*
 * An ADD's from= prefixes (DESIGN §9), already checked by the parser: the
 * secondary's source filter.  portshare.ko's wire ADD takes them alike.
 */
static void from_of(const struct ps_req *req, struct pri_sec *ps)
{
	ps->n_from = req->n_from;
	memcpy(ps->from, req->from, req->n_from * sizeof(req->from[0]));
}

/*
 * The secondary a parsed request names (ps_reg_sec_of()).  Its primary
 * address, where copies come from, is the address the request was sent
 * to, or for a third party the source routing picks towards it.
 */
static int sec_of(const struct pri_port *p, const struct rq *rq,
		  const struct ps_req *req, struct pri_sec *ps)
{
	struct portshare_list_entry *s = &ps->e;
	struct ps_reg_env env = {
		.family = rq->src.family, .port = rq->sport,
		.third_party = rq->acl_flags & PORTSHARE_ACL_F_THIRD_PARTY,
	};
	struct ps_reg_sec sec;
	int err;

	memcpy(env.addr, rq->src.addr, sizeof(env.addr));
	err = ps_reg_sec_of(req, p->port, &env, &sec);
	memset(ps, 0, sizeof(*ps));
	from_of(req, ps);
	s->addr.family = sec.family;
	memcpy(s->addr.addr, sec.addr, sizeof(sec.addr));
	s->data_port = sec.data_port;
	s->mode = sec.mode;
	if (err)
		return portshare_reply_error(err, req->cmd);
	s->src = rq->dst;
	if (sec.third_party && req->cmd == PS_REQ_ADD &&
	    route_src(&s->addr, &s->src))
		return PORTSHARE_E_INVALID_ADDRESS;
	return 0;
}

/* Tell the application about a carried out request (psd -v logs it). */
static void report(struct portshare_primary *pri, const struct pri_port *p,
		   const struct rq *rq, const struct pri_sec *s, int cmd,
		   int err)
{
	struct portshare_request_log log = {
		.port = p->port, .cmd = cmd, .addr = s->e.addr,
		.data_port = s->e.data_port, .from = rq->src,
		.from_port = rq->sport, .error = err,
		.reason = PORTSHARE_REASON_WIRE, .lease = err ? 0 : s->lease,
		.rate = err ? 0 : s->rate,
	};

	if (pri->opts.on_request)
		pri->opts.on_request(&log, pri->opts.arg);
}

/*
 * The owner of the socket a request came from (it may be connected to the
 * registration port), if it is ours to know.
 */
static bool requester(struct portshare_primary *pri, const struct pri_port *p,
		      const struct rq *rq, unsigned long *uid)
{
	return rq->from_socket &&
	       pri_udp_owner(pri, &rq->src, rq->sport, &rq->dst, p->reg_port,
			     uid);
}

/* What ps_reg_local_rules() may ask about one request. */
struct local_ctx {
	struct portshare_primary *pri;
	const struct pri_port *p;
	const struct rq *rq;
	const struct portshare_list_entry *s;
	unsigned long uid;
};

static enum ps_requester local_requester(void *arg)
{
	struct local_ctx *c = arg;

	if (!pri_is_local(c->pri, &c->rq->src) ||
	    !requester(c->pri, c->p, c->rq, &c->uid))
		return PS_REQUESTER_UNKNOWN;
	return c->uid ? PS_REQUESTER_USER : PS_REQUESTER_ROOT;
}

/* The requester owns the socket that copies from the reg port would reach. */
static bool local_same_owner(void *arg)
{
	struct local_ctx *c = arg;
	unsigned long owner;

	return pri_udp_owner(c->pri, &c->s->addr, c->s->data_port,
			     &c->rq->dst, c->p->reg_port, &owner) &&
	       owner == c->uid;
}

static const struct ps_reg_local_ops local_ops = {
	.requester = local_requester,
	.same_owner = local_same_owner,
};

/*
 * Copies to this host's own sockets: the shared rules
 * (ps_reg_local_rules()), with this primary's facts.  Requests the API
 * hands in (portshare_primary_request()) have no socket to ask about:
 * their caller decides.
 */
static int local_rules(struct portshare_primary *pri, const struct pri_port *p,
		       const struct rq *rq,
		       const struct portshare_list_entry *s)
{
	struct local_ctx ctx = { .pri = pri, .p = p, .rq = rq, .s = s };
	struct ps_reg_local sec = {
		.vetted = rq->from_socket,
		.transparent = s->mode == PORTSHARE_MODE_TRANSPARENT,
		.local = pri_is_local(pri, &s->addr),
	};
	int code;

	if (sec.local) {
		sec.reg_port = pri_is_reg_port(pri, s->data_port);
		sec.own_socket = s->data_port == rq->sport &&
				 portshare_addr_equal(&s->addr, &rq->src);
	}
	code = ps_reg_local_rules(&sec, &local_ops, &ctx);
	return code ? portshare_reply_error(code, PS_REQ_ADD) : 0;
}

/*
 * An ADD that passed the rules: on the list with the lease and rate cap
 * granted and the port's hold, or, already there, 200 and the lease it was granted starts
 * again (the new request's options are not looked at: DROP and ADD to
 * change them).
 */
static int add(struct portshare_primary *pri, struct pri_port *p,
	       const struct ps_req *req, struct pri_sec *s)
{
	int err;

	s->lease = ps_lease_granted(p->lease, req->lease);
	pri_rate_grant(p, req->rate, s);
	s->dead.hold = p->dead.hold;
	s->dead.hold_is_ports = true;
	err = pri_sec_add(pri, p, s);
	if (err == PORTSHARE_E_ALREADY_ADDED)
		pri_lease_renew(pri, p, &s->e.addr, s->e.data_port);
	return err;
}

/* What a "100 OK" tells: the primary address, the lease and rate cap. */
struct grant {
	struct portshare_addr primary;
	uint32_t lease;
	uint32_t rate;
};

/* Carry out a parsed request: 0 or the refusal; @g for the reply. */
static int carry_out(struct portshare_primary *pri, struct pri_port *p,
		     const struct rq *rq, const struct ps_req *req,
		     struct grant *g)
{
	struct pri_sec s;
	int err;

	err = sec_of(p, rq, req, &s);
	if (!err && req->cmd == PS_REQ_ADD)
		err = local_rules(pri, p, rq, &s.e);
	if (!err && req->cmd == PS_REQ_ADD)
		err = add(pri, p, req, &s);
	else if (!err)
		err = pri_sec_drop(p, &s.e.addr, s.e.data_port);
	if (!err) {
		g->primary = s.e.src;
		g->lease = s.lease;
		/*
		 * named only if asked for, as by portshare.ko: a secondary
		 * that knows lease= but not rate= (before LIBPORTSHARE_1.4)
		 * would take the reply for malformed; it is capped all the
		 * same
		 */
		g->rate = req->rate ? s.rate : 0;
	}
	report(pri, p, rq, &s, req->cmd, err);
	return err;
}

/* The reply to send for @err, counted; its length. */
static int reply(struct pri_port *p, int err, int cmd, const struct grant *g,
		 char *buf, size_t size)
{
	int len;

	len = portshare_reply_format_rate(err, cmd ? cmd : PS_REQ_ADD,
					  &g->primary, p->reg_port, g->lease,
					  g->rate, buf, size);
	if (len < 0)
		return 0;
	p->reg[err ? PORTSHARE_REG_ERRORS : PORTSHARE_REG_OK]++;
	if (err == PORTSHARE_E_NOT_PERMITTED)
		p->reg[PORTSHARE_REG_NOT_PERMITTED]++;
	else if (err == PORTSHARE_E_LIST_FULL)
		p->reg[PORTSHARE_REG_LIST_FULL]++;
	return len;
}

/* What ps_reg_admit() asks about one request. */
struct admit_ctx {
	struct portshare_primary *pri;
	struct rq *rq;
};

static bool admit_answerable(void *arg)
{
	struct admit_ctx *c = arg;

	/* not from port 0, nor to a broadcast or multicast address */
	return c->rq->sport && pri_is_local(c->pri, &c->rq->dst);
}

static bool admit_allowed(void *arg)
{
	struct admit_ctx *c = arg;

	return pri_acl_allows(c->pri, &c->rq->src, &c->rq->acl_flags);
}

static bool admit_looped(void *arg)
{
	struct admit_ctx *c = arg;

	return pri_is_local(c->pri, &c->rq->src) &&
	       pri_is_reg_port(c->pri, c->rq->sport);
}

static bool admit_within_rate(void *arg)
{
	struct admit_ctx *c = arg;

	return pri_rate_allows(c->pri, &c->rq->src);
}

static const struct ps_reg_admit_ops admit_ops = {
	.answerable = admit_answerable,
	.allowed = admit_allowed,
	.looped = admit_looped,
	.within_rate = admit_within_rate,
};

static const int admit_counter[] = {
	[PS_ADMIT_IGNORED] = PORTSHARE_REG_IGNORED,
	[PS_ADMIT_DENIED] = PORTSHARE_REG_DENIED,
	[PS_ADMIT_RATE_LIMITED] = PORTSHARE_REG_RATE_LIMITED,
};

/*
 * A parsed request from an acl network with verify and without a good
 * cookie= (pri_verify.c): nothing changes, "102 VERIFY <cookie>" goes to
 * its source, counted as reg_verify (neither ok nor an error).  Its
 * length in @buf, or -1 if it needs none.
 */
static int unverified(struct portshare_primary *pri, struct pri_port *p,
		      const struct rq *rq, const struct ps_req *req, char *buf,
		      size_t size)
{
	struct pri_verify_env env = {
		.src = &rq->src, .sport = rq->sport, .reg_port = p->reg_port,
		.acl_flags = rq->acl_flags,
	};
	uint64_t cookie;
	int len;

	if (!pri_verify_needed(pri, &env, req, &cookie))
		return -1;
	len = portshare_reply_format_verify(cookie, buf, size);
	if (len < 0)
		return 0;
	p->reg_verify++;
	return len;
}

/* One request: the length of its reply in @buf, or 0 for silence. */
static int handle(struct portshare_primary *pri, struct pri_port *p,
		  struct rq *rq, const char *req_buf, size_t len, char *buf,
		  size_t size)
{
	struct admit_ctx ctx = { .pri = pri, .rq = rq };
	struct grant g = { .primary = rq->dst };
	enum ps_admit admit;
	struct ps_req req;
	int code, err, n;

	p->reg[PORTSHARE_REG_REQUESTS]++;
	admit = ps_reg_admit(&admit_ops, &ctx);
	if (admit != PS_ADMIT_ANSWER) {
		p->reg[admit_counter[admit]]++;
		return 0;
	}
	code = ps_req_parse(req_buf, len, &req);
	if (code == PS_REQ_SILENT) {
		p->reg[PORTSHARE_REG_IGNORED]++;
		return 0;
	}
	if (code == PS_REQ_PARSED) {
		/* before anything changes, as portshare.ko's unverified() */
		n = unverified(pri, p, rq, &req, buf, size);
		if (n >= 0)
			return n;
		err = carry_out(pri, p, rq, &req, &g);
	} else {
		err = portshare_reply_error(code, req.cmd);
	}
	return reply(p, err, req.cmd, &g, buf, size);
}

static bool env_valid(const struct portshare_request_env *env)
{
	return pri_family_valid(env->from.family) &&
	       env->to.family == env->from.family;
}

int portshare_primary_request(struct portshare_primary *pri, uint16_t port,
			      const struct portshare_request_env *env,
			      const void *buf, size_t len, char *reply_buf,
			      size_t size)
{
	struct pri_port *p = pri_port_find(pri, port);
	struct rq rq = { 0 };

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	if (p->standalone || !env_valid(env) || (!buf && len))
		return PORTSHARE_E_INVALID;
	if (size < PRI_REPLY_MAX_1_3)
		return PORTSHARE_E_NO_SPACE;
	rq.src = env->from;
	rq.sport = env->from_port;
	rq.dst = env->to;
	return handle(pri, p, &rq, buf, len, reply_buf, size);
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
 * pri_reg_input() - answer the requests waiting on a registration socket
 * @pri: the primary
 * @p: the port
 * @fam: PRI_V4 or PRI_V6
 *
 * At most REG_BATCH per call, so copies are not held up.
 */
void pri_reg_input(struct portshare_primary *pri, struct pri_port *p, int fam)
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
	char out[PORTSHARE_REPLY_MAX];
	struct rq rq;
	ssize_t n;
	int i, len;

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
			p->reg[PORTSHARE_REG_REQUESTS]++;
			p->reg[PORTSHARE_REG_IGNORED]++;
			continue;
		}
		rq.from_socket = true;
		len = handle(pri, p, &rq, buf, (size_t)n, out, sizeof(out));
		if (len > 0)
			pri_send_from(p->rfd[fam], &rq.dst, &rq.src, rq.sport,
				      out, (size_t)len);
	}
}
