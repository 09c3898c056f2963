/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1+ */
/*
 * The registration request parser (DESIGN §3, Table 2).  request.c is pure
 * C: it includes only this header (and acl_match.h's struct ps_prefix),
 * calls nothing but acl_match.c's ps_acl_net_valid() and allocates
 * nothing, so the same file builds into portshare.ko and into the
 * userspace libFuzzer target (selftests/fuzz, which links acl_match.c
 * too) and libportshare.  Outside the kernel,
 * ps_types.h provides u8, u16, u32, bool and size_t.
 */
#ifndef _PORTSHARE_REQUEST_H
#define _PORTSHARE_REQUEST_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "ps_types.h"
#endif
#include <linux/portshare.h>
#include "acl_match.h"

/* Longest request, in bytes, before trailing CR/LF/NUL are ignored. */
#define PS_REQ_MAX_LEN		512

/*
 * Outcomes of ps_req_parse() besides the codes of enum portshare_reply it
 * returns for malformed requests (300 to 306).
 */
#define PS_REQ_PARSED		PORTSHARE_REPLY_OK	/* a well-formed ADD or DROP */
#define PS_REQ_SILENT		0	/* ignore the datagram: no reply */

#define PS_REQ_ADD		1
#define PS_REQ_DROP		2

/* Address families, as in the copy header (PORTSHARE_FAMILY_*). */
#define PS_REQ_INET		4
#define PS_REQ_INET6		6

/* The longest lease a request may ask for, in seconds. */
#define PS_LEASE_MAX		PORTSHARE_LEASE_MAX
/* The highest rate cap a request may ask for, in copies per second. */
#define PS_RATE_MAX		PORTSHARE_RATE_MAX
/* A cookie= is a 64-bit value in this many hex digits. */
#define PS_COOKIE_DIGITS	16

/* Delivery modes, as enum portshare_mode. */
#define PS_REQ_MODE_ENCAP	0
#define PS_REQ_MODE_RAW		1
#define PS_REQ_MODE_TRANSPARENT	2

/**
 * struct ps_req - a parsed ADD or DROP request
 * @cmd: PS_REQ_ADD or PS_REQ_DROP
 * @family: PS_REQ_INET or PS_REQ_INET6
 * @mode: PS_REQ_MODE_*; PS_REQ_MODE_ENCAP unless mode= was given
 * @addr: the address in network byte order; IPv4 uses the first 4 bytes
 * @port: the contested port, 1..65535
 * @data_port: the data port, 1..65535, or 0 if the request has none
 * @n_from: how many from= options the ADD has; 0 is no source filter
 * @from: their prefixes, in the order given
 * @lease: the lease lease= asks for, in seconds; 0 if the ADD has none
 * @rate: the rate cap rate= asks for, in copies per second; 0 if the ADD
 *	has none
 * @has_cookie: the request has a cookie= (the answer to "102 VERIFY")
 * @cookie: its value
 */
struct ps_req {
	u8 cmd;
	u8 family;
	u8 mode;
	u8 addr[16];
	u16 port;
	u16 data_port;
	u8 n_from;
	struct ps_prefix from[PS_FROM_MAX];
	u32 lease;
	u32 rate;
	bool has_cookie;
	u64 cookie;
};

int ps_req_parse(const char *buf, size_t len, struct ps_req *req);
bool ps_req_parse_ip4(const char *s, size_t n, u8 *out);
bool ps_req_parse_ip6(const char *s, size_t n, u8 *out);
bool ps_req_parse_prefix(const char *s, size_t n, struct ps_prefix *p);
bool ps_req_parse_count(const char *s, size_t n, u32 max, u32 *out);

#endif /* _PORTSHARE_REQUEST_H */
