// SPDX-License-Identifier: GPL-2.0
/*
 * Registration requests: what an ADD or DROP received on a registration
 * port does to the distribution list, and the reply (DESIGN §3, §7;
 * Table 2).  Runs in process context under the namespace's lock.
 */

#include "portshare.h"
#include "reg_rules.h"
#include "reply.h"
#include "request.h"

#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/socket.h>
#include <linux/string.h>

/*
 * "100 OK <IPv6 address> <port> lease=<seconds> rate=<copies/s>" (86
 * bytes with an ISATAP address's dotted tail) and the longest error fit.
 */
#define REPLY_LEN	96

static_assert(PS_REQ_MODE_ENCAP == PORTSHARE_MODE_ENCAP);
static_assert(PS_REQ_MODE_RAW == PORTSHARE_MODE_RAW);
static_assert(PS_REQ_MODE_TRANSPARENT == PORTSHARE_MODE_TRANSPARENT);

/* Every code the module sends has a row; a code without one is a bug. */
static const char *reply_text(int code, u8 cmd)
{
	const struct ps_reply *r = ps_reply_of_code(code, cmd == PS_REQ_DROP);

	return r ? r->string : PS_REPLY_TEXT(NO_RESOURCES);
}

static void count_reply(const struct portshare_port *p, int code)
{
	if (code == PORTSHARE_REPLY_OK) {
		portshare_reg_count(p, PS_REG_OK);
		return;
	}
	if (code == PORTSHARE_REPLY_VERIFY) {
		portshare_reg_count(p, PS_REG_VERIFY);
		return;
	}
	portshare_reg_count(p, PS_REG_ERRORS);
	if (code == PORTSHARE_REPLY_NOT_PERMITTED)
		portshare_reg_count(p, PS_REG_NOT_PERMITTED);
	else if (code == PORTSHARE_REPLY_LIST_FULL)
		portshare_reg_count(p, PS_REG_LIST_FULL);
}

/**
 * struct reg_added - what the "100 OK" to an ADD tells the secondary
 * @primary: the primary address, the copies' source
 * @lease: its lease in seconds, 0 if none
 * @rate: the rate cap its rate= was granted, 0 if it asked for none
 * @cookie: for a "102 VERIFY" instead, the cookie to send back
 */
struct reg_added {
	struct in6_addr primary;
	u32 lease;
	u32 rate;
	u64 cookie;
};

/*
 * The "100 OK" to an ADD names the primary address and, only if the
 * secondary has a lease, the lease (it must refresh in time), and only if
 * it asked for a rate, the rate granted: legacy secondaries on a port
 * without a lease get Table 2's reply, byte for byte, and those that know
 * lease= but not rate= never see rate=.
 */
static int ok_text(char *msg, size_t size, const struct portshare_reg_req *rq,
		   const struct reg_added *added)
{
	int len;

	if (rq->family == AF_INET)
		len = scnprintf(msg, size, "%s %pI4 %u", PS_REPLY_TEXT(OK),
				&added->primary.s6_addr32[0], rq->reg_port);
	else
		len = scnprintf(msg, size, "%s %pI6c %u", PS_REPLY_TEXT(OK),
				&added->primary, rq->reg_port);
	if (added->lease)
		len += scnprintf(msg + len, size - len, " lease=%u",
				 added->lease);
	if (added->rate)
		len += scnprintf(msg + len, size - len, " rate=%u",
				 added->rate);
	return len;
}

static void reply(const struct portshare_port *p,
		  const struct portshare_reg_req *rq, int code, u8 cmd,
		  const struct reg_added *added)
{
	char msg[REPLY_LEN];
	int len;

	if (code == PORTSHARE_REPLY_OK && cmd == PS_REQ_ADD)
		len = ok_text(msg, sizeof(msg), rq, added);
	else if (code == PORTSHARE_REPLY_VERIFY)
		len = scnprintf(msg, sizeof(msg), "%u VERIFY %016llx",
				PORTSHARE_REPLY_VERIFY, added->cookie);
	else
		len = scnprintf(msg, sizeof(msg), "%s", reply_text(code, cmd));
	count_reply(p, code);
	if (portshare_reg_send(p, rq->family, &rq->daddr, &rq->saddr, rq->sport,
			       rq->ifindex, msg, len) < 0)
		portshare_reg_count(p, PS_REG_SEND_ERRORS);
}

/* The envelope of a request as the shared rules see it (reg_rules.h). */
static void reg_env(const struct portshare_reg_req *rq, struct ps_reg_env *env)
{
	memset(env, 0, sizeof(*env));
	env->family = rq->family == AF_INET ? PS_REQ_INET : PS_REQ_INET6;
	memcpy(env->addr, &rq->saddr, sizeof(env->addr));
	env->port = ntohs(rq->sport);
	env->third_party = rq->flags & PS_REG_F_THIRD_PARTY;
}

/*
 * The secondary a request names (ps_reg_sec_of()).  Copies will come
 * from the primary address of the "100 OK" reply: the address the request
 * was sent to, or for a third party the source routing picks towards it.
 */
static int sec_cfg(struct portshare_net *pn, const struct portshare_port *p,
		   const struct portshare_reg_req *rq, const struct ps_req *req,
		   struct portshare_sec_cfg *cfg)
{
	struct in6_addr src = rq->daddr;
	struct ps_reg_env env;
	struct ps_reg_sec sec;
	int ret;

	reg_env(rq, &env);
	ret = ps_reg_sec_of(req, p->port, &env, &sec);
	if (ret)
		return ret;
	memset(cfg, 0, sizeof(*cfg));
	cfg->family = sec.family == PS_REQ_INET ? AF_INET : AF_INET6;
	memcpy(&cfg->addr, sec.addr, sizeof(sec.addr));
	if (sec.third_party && req->cmd == PS_REQ_ADD &&
	    portshare_reg_route_src(pn, p, cfg->family, &cfg->addr, &src))
		return PORTSHARE_REPLY_INVALID_ADDRESS;
	memcpy(&cfg->src, &src, cfg->family == AF_INET ? 4 : 16);
	cfg->data_port = sec.data_port;
	cfg->mode = sec.mode;
	cfg->sample = 1;
	cfg->n_from = req->n_from;
	memcpy(cfg->from, req->from, sizeof(cfg->from));
	cfg->lease = ps_lease_granted(p->lease, req->lease);
	cfg->limits.rate = ps_rate_granted(p->limits.rate, p->limits.burst,
					   req->rate, &cfg->limits.burst);
	cfg->limits.ttl = p->limits.ttl;
	cfg->hold = p->dead.hold;
	cfg->hold_is_ports = true;
	return 0;
}

/* A repeated ADD ("200 ERROR. Already Added") refreshes the lease. */
static int reg_refresh(struct portshare_net *pn, struct portshare_port *p,
		       const struct portshare_sec_cfg *cfg, int code)
{
	struct portshare_secondary *s;

	if (code == PORTSHARE_REPLY_LISTED) {
		s = portshare_sec_find(pn, p, cfg);
		if (s)
			portshare_lease_refresh(s);
	}
	return code;
}

/* ADD; @added is set on success. */
static int reg_add(struct portshare_net *pn, struct portshare_port *p,
		   const struct portshare_reg_req *rq, const struct ps_req *req,
		   struct reg_added *added)
{
	struct portshare_sec_cfg cfg;
	struct portshare_secondary *s;
	int ret;

	ret = sec_cfg(pn, p, rq, req, &cfg) ?:
	      portshare_reg_local_check(pn, rq, &cfg);
	if (ret)
		return ret;
	ret = portshare_sec_refusal(pn, p, &cfg, NULL);
	if (ret)
		return reg_refresh(pn, p, &cfg, ret);
	s = portshare_sec_alloc(&cfg);
	if (!s)
		return PORTSHARE_REPLY_NO_RESOURCES;
	portshare_sec_link(pn, p, s, PORTSHARE_REASON_WIRE);
	memset(&added->primary, 0, sizeof(added->primary));
	memcpy(&added->primary, &cfg.src, cfg.family == AF_INET ? 4 : 16);
	added->lease = cfg.lease;
	added->rate = req->rate ? cfg.limits.rate : 0;
	return PORTSHARE_REPLY_OK;
}

static int reg_drop(struct portshare_net *pn, struct portshare_port *p,
		    const struct portshare_reg_req *rq, const struct ps_req *req)
{
	struct portshare_sec_cfg cfg;
	int ret;

	ret = sec_cfg(pn, p, rq, req, &cfg);
	if (ret)
		return ret;
	ret = portshare_sec_drop(pn, p, &cfg, PORTSHARE_REASON_WIRE, NULL);
	return ret ? PORTSHARE_REPLY_LISTED : PORTSHARE_REPLY_OK;
}

/*
 * A request from an acl network with "verify" changes nothing until it
 * carries the cookie the last "102 VERIFY" to its source named (cookie.c);
 * @added->cookie is the one to send now.
 */
static bool unverified(struct portshare_net *pn,
		       const struct portshare_reg_req *rq,
		       const struct ps_req *req, struct reg_added *added)
{
	const siphash_key_t *key = &pn->reg.cookie_key;

	if (!(rq->flags & PS_REG_F_VERIFY) ||
	    portshare_cookie_valid(key, rq, req))
		return false;
	added->cookie = portshare_cookie(key, rq, req);
	return true;
}

/**
 * portshare_register_handle() - carry out and answer one request
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port whose registration port received the request
 * @rq: the request's addresses and what the acl allows its source
 * @buf: the request datagram's payload
 * @len: its length, at most PS_REQ_MAX_LEN + 1 (longer ones are cut)
 */
void portshare_register_handle(struct portshare_net *pn,
			       struct portshare_port *p,
			       const struct portshare_reg_req *rq,
			       const char *buf, size_t len)
{
	struct reg_added added = { .primary = rq->daddr };
	struct ps_req req;
	int code;

	lockdep_assert_held(&pn->lock);
	code = ps_req_parse(buf, len, &req);
	if (code == PS_REQ_SILENT) {
		portshare_reg_count(p, PS_REG_IGNORED);
		return;
	}
	if (code == PS_REQ_PARSED && unverified(pn, rq, &req, &added))
		code = PORTSHARE_REPLY_VERIFY;
	else if (code == PS_REQ_PARSED && req.cmd == PS_REQ_ADD)
		code = reg_add(pn, p, rq, &req, &added);
	else if (code == PS_REQ_PARSED)
		code = reg_drop(pn, p, rq, &req);
	reply(p, rq, code, req.cmd, &added);
}
