// SPDX-License-Identifier: GPL-2.0
/*
 * Return-routability cookies for acl networks with "verify" (DESIGN §9):
 * a request from such a network changes nothing until it carries the
 * cookie of a "102 VERIFY" reply, which went to its source address.  A
 * forged source never sees that reply, so it cannot register or drop.
 *
 * Stateless, like a SYN cookie: SipHash-2-4, under a random key of the
 * namespace, of who asked (source address and port, the registration
 * port) and for whom (the secondary's address and data port as the
 * request gives them), and of a 64-second time bucket.  A cookie is good
 * in its bucket and the next one: for 64 to 128 seconds.
 */

#include "portshare.h"
#include "request.h"

#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#define COOKIE_BUCKET_SECS	64

/* What a cookie covers; no padding, so no stray bytes reach the hash. */
struct cookie_input {
	struct in6_addr saddr;
	u8 sec_addr[16];
	u64 bucket;
	__be16 sport;
	u16 reg_port;
	u16 data_port;
	u8 family;
	u8 sec_family;
} __aligned(SIPHASH_ALIGNMENT);

static_assert(sizeof(struct cookie_input) == 48);

/**
 * portshare_cookie_init() - a namespace's cookie key
 * @key: set to random bytes
 */
void portshare_cookie_init(siphash_key_t *key)
{
	get_random_bytes(key, sizeof(*key));
}

static u64 cookie_of(const siphash_key_t *key,
		     const struct portshare_reg_req *rq,
		     const struct ps_req *req, u64 bucket)
{
	struct cookie_input in;

	memset(&in, 0, sizeof(in));
	in.saddr = rq->saddr;
	memcpy(in.sec_addr, req->addr, sizeof(in.sec_addr));
	in.bucket = bucket;
	in.sport = rq->sport;
	in.reg_port = rq->reg_port;
	in.data_port = req->data_port;
	in.family = rq->family;
	in.sec_family = req->family;
	return siphash(&in, sizeof(in), key);
}

static u64 bucket_now(void)
{
	return (u64)ktime_get_seconds() / COOKIE_BUCKET_SECS;
}

/**
 * portshare_cookie() - the cookie a "102 VERIFY" hands out now
 * @key: the namespace's key
 * @rq: the request's envelope
 * @req: the request
 *
 * Return: the cookie for this source, registration port and secondary.
 */
u64 portshare_cookie(const siphash_key_t *key,
		     const struct portshare_reg_req *rq,
		     const struct ps_req *req)
{
	return cookie_of(key, rq, req, bucket_now());
}

/**
 * portshare_cookie_valid() - does a request carry a good cookie?
 * @key: the namespace's key
 * @rq: the request's envelope
 * @req: the request
 *
 * Return: true if its cookie= is the one handed out to the same source
 * for the same secondary in this time bucket or the one before.
 */
bool portshare_cookie_valid(const siphash_key_t *key,
			    const struct portshare_reg_req *rq,
			    const struct ps_req *req)
{
	u64 bucket = bucket_now();

	if (!req->has_cookie)
		return false;
	return req->cookie == cookie_of(key, rq, req, bucket) ||
	       (bucket && req->cookie == cookie_of(key, rq, req, bucket - 1));
}
