// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Return-routability cookies for acl networks with verify (docs/protocol.md
 * §1.8), as portshare.ko's kmod/cookie.c makes them: a request from such
 * a network changes nothing until it carries the cookie of a "102
 * VERIFY" reply, which went to its source address, so a forged source
 * never learns it.
 *
 * Stateless, like a SYN cookie: SipHash-2-4 under a random key of the
 * primary, of who asked (source address and port, the registration port)
 * and for whom (the secondary's address and data port as the request
 * gives them), and of a 64-second time bucket.  A cookie is good in its
 * bucket and the next one: for 64 to 128 seconds.  The byte layout is
 * this file's own: each primary checks only the cookies it handed out.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "primary.h"
#include "request.h"

#define BUCKET_NS	(64 * 1000000000LL)

/* The fields a cookie covers, each at its own offset: no padding. */
enum {
	IN_SRC = 0,		/* 16: the request's source address */
	IN_SEC = 16,		/* 16: the secondary's address */
	IN_BUCKET = 32,		/* 8: the time bucket */
	IN_SPORT = 40,		/* 2: the source port */
	IN_REG_PORT = 42,	/* 2: the registration port */
	IN_DATA_PORT = 44,	/* 2: the data port, 0 if none */
	IN_FAMILY = 46,		/* 1: the source's family */
	IN_SEC_FAMILY = 47,	/* 1: the secondary's family */
	IN_LEN = 48,
};

/**
 * pri_verify_init() - a primary's cookie key
 * @pri: the primary
 *
 * Return: 0, or a negated errno if the kernel gave no random bytes.
 */
int pri_verify_init(struct portshare_primary *pri)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(pri->cookie_key)) {
		n = getrandom(pri->cookie_key + got,
			      sizeof(pri->cookie_key) - got, 0);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			got += (size_t)n;
	}
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint64_t cookie_of(const struct portshare_primary *pri,
			  const struct pri_verify_env *env,
			  const struct ps_req *req, uint64_t bucket)
{
	uint8_t in[IN_LEN] = { 0 };
	int i;

	memcpy(in + IN_SRC, env->src->addr, 16);
	memcpy(in + IN_SEC, req->addr, 16);
	for (i = 0; i < 8; i++)
		in[IN_BUCKET + i] = (uint8_t)(bucket >> (8 * i));
	put16(in + IN_SPORT, env->sport);
	put16(in + IN_REG_PORT, env->reg_port);
	put16(in + IN_DATA_PORT, req->data_port);
	in[IN_FAMILY] = env->src->family;
	in[IN_SEC_FAMILY] = req->family;
	return pri_siphash(pri->cookie_key, in, sizeof(in));
}

static uint64_t bucket_now(void)
{
	return (uint64_t)(pri_mono_ns() / BUCKET_NS);
}

/* Is the request's cookie= the one of this bucket or the one before? */
static bool cookie_valid(const struct portshare_primary *pri,
			 const struct pri_verify_env *env,
			 const struct ps_req *req, uint64_t bucket)
{
	if (!req->has_cookie)
		return false;
	return req->cookie == cookie_of(pri, env, req, bucket) ||
	       (bucket && req->cookie == cookie_of(pri, env, req, bucket - 1));
}

/**
 * pri_verify_needed() - must this request be answered "102 VERIFY"?
 * @pri: the primary
 * @env: who asked, on which registration port; its acl flags
 * @req: the parsed request
 * @cookie: set to the cookie to hand out, if so
 *
 * Return: true if its source is on an acl network with verify and it
 * carries no good cookie=; a cookie= from elsewhere is not looked at.
 */
bool pri_verify_needed(const struct portshare_primary *pri,
		       const struct pri_verify_env *env,
		       const struct ps_req *req, uint64_t *cookie)
{
	uint64_t bucket = bucket_now();

	if (!(env->acl_flags & PORTSHARE_ACL_F_VERIFY) ||
	    cookie_valid(pri, env, req, bucket))
		return false;
	*cookie = cookie_of(pri, env, req, bucket);
	return true;
}
