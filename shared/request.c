// SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1+
/*
 * The registration request parser: one datagram in, a struct ps_req or a
 * reply code out.  Pure C without kernel or libc dependencies (request.h),
 * so the same file is fuzzed in userspace, with acl_match.c: a from= is a
 * network by the acl's own rule, ps_acl_net_valid().  The grammar is
 * documented in docs/protocol.md:
 *
 *	request = command SP address [SP port [SP data-port] *(SP option)] *end
 *	command = "ADD" / "DROP"	; case-sensitive
 *	SP      = exactly one space or tab
 *	end     = CR / LF / NUL	; ignored, only at the end
 */

#include "request.h"

/*
 * ADD, address, port, data port, mode=, lease=, rate=, cookie= and
 * PS_FROM_MAX from=
 */
#define PS_REQ_MAX_TOKENS	(8 + PS_FROM_MAX)
#define PORT_MAX		65535

struct tok {
	const char *s;
	size_t n;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_val(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Does the token equal the NUL-terminated literal? */
static bool tok_is(const struct tok *t, const char *lit)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!lit[i] || lit[i] != t->s[i])
			return false;
	return !lit[i];
}

/* Does the token start with the NUL-terminated literal? */
static bool tok_starts(const struct tok *t, const char *lit)
{
	size_t i;

	for (i = 0; lit[i]; i++)
		if (i >= t->n || lit[i] != t->s[i])
			return false;
	return true;
}

static bool tok_has(const struct tok *t, char c)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->s[i] == c)
			return true;
	return false;
}

/**
 * ps_req_parse_ip4() - parse a dotted-quad IPv4 address
 * @s: the text, not NUL-terminated
 * @n: its length
 * @out: 4 bytes, network order; may be written even on failure
 *
 * Exactly four decimal octets 0..255 without leading zeros, as inet_pton().
 *
 * Return: true if @s is an IPv4 address.
 */
bool ps_req_parse_ip4(const char *s, size_t n, u8 *out)
{
	unsigned int octet = 0, digits = 0, parts = 0;
	size_t i;

	for (i = 0; i <= n; i++) {
		if (i < n && is_digit(s[i])) {
			if (digits && !octet)
				return false;
			octet = octet * 10 + (unsigned int)(s[i] - '0');
			if (octet > 255)
				return false;
			digits++;
			continue;
		}
		if (!digits || parts == 4 || (i < n && s[i] != '.'))
			return false;
		out[parts++] = (u8)octet;
		octet = 0;
		digits = 0;
	}
	return parts == 4;
}

/* Move the groups after "::" to the end and zero the gap. */
static void ip6_expand(u8 *tmp, size_t tp, size_t colonp)
{
	size_t shift = 16 - tp, k;

	for (k = tp; k-- > colonp;) {
		tmp[k + shift] = tmp[k];
		tmp[k] = 0;
	}
}

static bool ip6_put16(u8 *tmp, size_t *tp, unsigned int val)
{
	if (*tp + 2 > 16)
		return false;
	tmp[(*tp)++] = (u8)(val >> 8);
	tmp[(*tp)++] = (u8)(val & 0xff);
	return true;
}

/**
 * ps_req_parse_ip6() - parse an IPv6 literal (RFC 4291 section 2.2)
 * @s: the text, not NUL-terminated; no brackets, no zone
 * @n: its length
 * @out: 16 bytes, network order; written only on success
 *
 * Accepts what inet_pton(AF_INET6) accepts: up to four hex digits per
 * group, one "::", and a dotted-quad in the last 32 bits.
 *
 * Return: true if @s is an IPv6 address.
 */
bool ps_req_parse_ip6(const char *s, size_t n, u8 *out)
{
	size_t i = 0, tp = 0, curtok, colonp = 0, k;
	bool compressed = false;
	unsigned int val = 0, digits = 0;
	u8 tmp[16] = { 0 };
	int x;

	if (n && s[0] == ':') {
		if (n < 2 || s[1] != ':')
			return false;
		i = 1;
	}
	for (curtok = i; i < n; i++) {
		x = hex_val(s[i]);
		if (x >= 0) {
			if (++digits > 4)
				return false;
			val = val << 4 | (unsigned int)x;
			continue;
		}
		if (s[i] == ':') {
			curtok = i + 1;
			if (!digits) {
				if (compressed)
					return false;
				compressed = true;
				colonp = tp;
				continue;
			}
			if (i + 1 == n || !ip6_put16(tmp, &tp, val))
				return false;
			val = 0;
			digits = 0;
			continue;
		}
		/* a dotted quad ends the address */
		if (s[i] != '.' || tp + 4 > 16 ||
		    !ps_req_parse_ip4(s + curtok, n - curtok, tmp + tp))
			return false;
		tp += 4;
		digits = 0;
		break;
	}
	if (digits && !ip6_put16(tmp, &tp, val))
		return false;
	if (compressed) {
		if (tp == 16)
			return false;
		ip6_expand(tmp, tp, colonp);
		tp = 16;
	}
	if (tp != 16)
		return false;
	for (k = 0; k < 16; k++)
		out[k] = tmp[k];
	return true;
}

/* 0.0.0.0/8, multicast, 240.0.0.0/4 and broadcast are not secondaries. */
static bool usable4(const u8 *a)
{
	return a[0] != 0 && a[0] < 224;
}

/*
 * Not the unspecified address, multicast, link-local (no scope) or
 * IPv4-compatible/mapped (use the dotted form); ::1 is fine.
 */
static bool usable6(const u8 *a)
{
	size_t k;

	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return false;
	for (k = 0; k < 10; k++)
		if (a[k])
			return true;
	if (a[10] || a[11])
		return !(a[10] == 0xff && a[11] == 0xff);
	for (k = 12; k < 15; k++)
		if (a[k])
			return false;
	return a[15] == 1;
}

static bool parse_addr(const struct tok *t, struct ps_req *req)
{
	if (!tok_has(t, ':')) {
		req->family = PS_REQ_INET;
		return ps_req_parse_ip4(t->s, t->n, req->addr) &&
		       usable4(req->addr);
	}
	req->family = PS_REQ_INET6;
	return ps_req_parse_ip6(t->s, t->n, req->addr) && usable6(req->addr);
}

/* 1..65535 in at most five decimal digits; no sign. */
static bool parse_port(const struct tok *t, u16 *port)
{
	unsigned int val = 0;
	size_t i;

	if (!t->n || t->n > 5)
		return false;
	for (i = 0; i < t->n; i++) {
		if (!is_digit(t->s[i]))
			return false;
		val = val * 10 + (unsigned int)(t->s[i] - '0');
	}
	if (!val || val > PORT_MAX)
		return false;
	*port = (u16)val;
	return true;
}

static bool parse_mode(const struct tok *t, u8 *mode)
{
	if (tok_is(t, "mode=encap"))
		*mode = PS_REQ_MODE_ENCAP;
	else if (tok_is(t, "mode=raw"))
		*mode = PS_REQ_MODE_RAW;
	else if (tok_is(t, "mode=transparent"))
		*mode = PS_REQ_MODE_TRANSPARENT;
	else
		return false;
	return true;
}

/* 0..@max in at most three decimal digits, without leading zeros. */
static bool parse_prefix_len(const char *s, size_t n, unsigned int max,
			     u8 *len)
{
	unsigned int val = 0;
	size_t i;

	if (!n || n > 3 || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		val = val * 10 + (unsigned int)(s[i] - '0');
	}
	if (val > max)
		return false;
	*len = (u8)val;
	return true;
}

/**
 * ps_req_parse_prefix() - parse a from= network, ADDR or ADDR/LEN
 * @s: the text, not NUL-terminated
 * @n: its length
 * @p: the prefix; written even on failure
 *
 * ADDR is an IPv4 or IPv6 literal (ps_req_parse_ip4(), ps_req_parse_ip6()),
 * LEN 0..32 or 0..128 in decimal without a leading zero; without /LEN the
 * host alone (/32, /128).  The grammar only: host bits set after LEN are
 * for the caller to refuse (ps_acl_net_valid()), so that libportshare's
 * portshare_prefix_parse() can tell the three errors apart.
 *
 * Return: true if @s is a prefix.
 */
bool ps_req_parse_prefix(const char *s, size_t n, struct ps_prefix *p)
{
	size_t alen = 0, k;
	unsigned int bits;

	while (alen < n && s[alen] != '/')
		alen++;
	for (k = 0; k < sizeof(p->addr); k++)
		p->addr[k] = 0;
	if (ps_req_parse_ip4(s, alen, p->addr)) {
		p->family = PS_ACL_INET;
		bits = 32;
	} else if (ps_req_parse_ip6(s, alen, p->addr)) {
		p->family = PS_ACL_INET6;
		bits = 128;
	} else {
		return false;
	}
	p->len = (u8)bits;
	return alen == n || parse_prefix_len(s + alen + 1, n - alen - 1, bits,
					     &p->len);
}

#define FROM_OPTION	"from="

/* from=PREFIX: one more network of the source filter. */
static bool parse_from(const struct tok *t, struct ps_req *req)
{
	size_t skip = sizeof(FROM_OPTION) - 1;
	struct ps_prefix *p;

	if (req->n_from == PS_FROM_MAX)
		return false;
	p = &req->from[req->n_from];
	/* a network as "ip route" takes it: no bits set after the length */
	if (!ps_req_parse_prefix(t->s + skip, t->n - skip, p) ||
	    !ps_acl_net_valid(p->family, p->addr, p->len))
		return false;
	req->n_from++;
	return true;
}

#define LEASE_OPTION	"lease="
#define RATE_OPTION	"rate="
#define COOKIE_OPTION	"cookie="

/**
 * ps_req_parse_count() - parse the value of a lease= or rate= option
 * @s: the digits; need not be NUL-terminated
 * @n: their number
 * @max: the largest value allowed
 * @out: the value, when true is returned
 *
 * The grammar of every numeric option of the wire protocol, in requests
 * and in the "100 OK" that grants them: 1..@max in decimal, no sign, no
 * leading zero.
 *
 * Return: true if @s is such a number.
 */
bool ps_req_parse_count(const char *s, size_t n, u32 max, u32 *out)
{
	u32 val = 0;
	size_t i;

	if (!n || s[0] == '0')
		return false;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]) || val > max / 10)
			return false;
		val = val * 10 + (u32)(s[i] - '0');
	}
	if (val > max)
		return false;
	*out = val;
	return true;
}

/* lease=SECONDS or rate=PPS: once; 0 in *@val means not given yet. */
static bool parse_count(const struct tok *t, size_t skip, u32 max, u32 *val)
{
	return !*val && ps_req_parse_count(t->s + skip, t->n - skip, max, val);
}

/* cookie=HEX: exactly PS_COOKIE_DIGITS hex digits, either case; once. */
static bool parse_cookie(const struct tok *t, struct ps_req *req)
{
	size_t skip = sizeof(COOKIE_OPTION) - 1, i;
	u64 val = 0;
	int x;

	if (req->has_cookie || t->n != skip + PS_COOKIE_DIGITS)
		return false;
	for (i = skip; i < t->n; i++) {
		x = hex_val(t->s[i]);
		if (x < 0)
			return false;
		val = val << 4 | (u64)x;
	}
	req->cookie = val;
	req->has_cookie = true;
	return true;
}

/*
 * One option: cookie= of an ADD or DROP, at most once; of an ADD only,
 * mode=, lease= and rate= at most once, from= at most PS_FROM_MAX times.
 */
static bool parse_option(const struct tok *t, struct ps_req *req,
			 bool *mode_seen)
{
	if (tok_starts(t, COOKIE_OPTION))
		return parse_cookie(t, req);
	if (req->cmd != PS_REQ_ADD)
		return false;
	if (tok_starts(t, FROM_OPTION))
		return parse_from(t, req);
	if (tok_starts(t, LEASE_OPTION))
		return parse_count(t, sizeof(LEASE_OPTION) - 1, PS_LEASE_MAX,
				   &req->lease);
	if (tok_starts(t, RATE_OPTION))
		return parse_count(t, sizeof(RATE_OPTION) - 1, PS_RATE_MAX,
				   &req->rate);
	if (*mode_seen || !parse_mode(t, &req->mode))
		return false;
	*mode_seen = true;
	return true;
}

/* [data-port] [option...]: a token with '=' is an option. */
static int parse_rest(const struct tok *t, size_t n, struct ps_req *req)
{
	bool mode_seen = false;
	size_t i = 0;

	if (n && !tok_has(&t[0], '=')) {
		if (!parse_port(&t[0], &req->data_port))
			return PORTSHARE_REPLY_INVALID_PORT;
		i = 1;
	}
	for (; i < n; i++)
		if (!parse_option(&t[i], req, &mode_seen))
			return PORTSHARE_REPLY_UNKNOWN_OPTION;
	return PS_REQ_PARSED;
}

/* A reply ("100 OK", "300 ERROR. ...") or a SHUTDOWN notice. */
static bool not_a_request(const char *buf, size_t len)
{
	static const char notice[] = "SHUTDOWN";
	size_t i;

	if (is_digit(buf[0]))
		return true;
	for (i = 0; i < sizeof(notice) - 1; i++)
		if (i >= len || buf[i] != notice[i])
			return false;
	return i == len || buf[i] == ' ' || buf[i] == '\t';
}

/* Printable ASCII, space and tab only: no NUL, control or 8-bit bytes. */
static bool is_text(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((buf[i] < ' ' || buf[i] > '~') && buf[i] != '\t')
			return false;
	return true;
}

/* Split at single spaces or tabs; an empty token is an extra separator. */
static int split(const char *buf, size_t len, struct tok *t, size_t *ntok)
{
	size_t i, start = 0, n = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && buf[i] != ' ' && buf[i] != '\t')
			continue;
		if (i == start || n == PS_REQ_MAX_TOKENS)
			return PORTSHARE_REPLY_MALFORMED;
		t[n].s = buf + start;
		t[n].n = i - start;
		n++;
		start = i + 1;
	}
	*ntok = n;
	return 0;
}

static void req_init(struct ps_req *req)
{
	size_t k;

	req->cmd = 0;
	req->family = 0;
	req->mode = PS_REQ_MODE_ENCAP;
	for (k = 0; k < sizeof(req->addr); k++)
		req->addr[k] = 0;
	req->port = 0;
	req->data_port = 0;
	req->n_from = 0;
	req->lease = 0;
	req->rate = 0;
	req->has_cookie = false;
	req->cookie = 0;
}

/**
 * ps_req_parse() - parse one registration request datagram
 * @buf: the UDP payload; need not be NUL-terminated
 * @len: its length
 * @req: the request, valid when PS_REQ_PARSED is returned
 *
 * Checks, in order: length (at most PS_REQ_MAX_LEN bytes), silence
 * (nothing but CR/LF/NUL, a reply, a SHUTDOWN notice), bytes (printable
 * ASCII, space, tab), separators, command, address, port, data port,
 * options.  The first failed check decides the reply code.
 *
 * Return: PS_REQ_PARSED, PS_REQ_SILENT, or the reply code of the first
 * problem: PORTSHARE_REPLY_MALFORMED, _UNKNOWN_COMMAND, _INVALID_ADDRESS,
 * _PORT_MISSING, _INVALID_PORT or _UNKNOWN_OPTION.
 */
int ps_req_parse(const char *buf, size_t len, struct ps_req *req)
{
	struct tok t[PS_REQ_MAX_TOKENS];
	size_t n;
	int ret;

	req_init(req);
	if (len > PS_REQ_MAX_LEN)
		return PORTSHARE_REPLY_MALFORMED;
	while (len && (buf[len - 1] == '\r' || buf[len - 1] == '\n' ||
		       buf[len - 1] == '\0'))
		len--;
	if (!len || not_a_request(buf, len))
		return PS_REQ_SILENT;
	if (!is_text(buf, len))
		return PORTSHARE_REPLY_MALFORMED;
	ret = split(buf, len, t, &n);
	if (ret)
		return ret;
	if (tok_is(&t[0], "ADD"))
		req->cmd = PS_REQ_ADD;
	else if (tok_is(&t[0], "DROP"))
		req->cmd = PS_REQ_DROP;
	else
		return PORTSHARE_REPLY_UNKNOWN_COMMAND;
	if (n < 2 || !parse_addr(&t[1], req))
		return PORTSHARE_REPLY_INVALID_ADDRESS;
	if (n < 3)
		return PORTSHARE_REPLY_PORT_MISSING;
	if (!parse_port(&t[2], &req->port))
		return PORTSHARE_REPLY_INVALID_PORT;
	return parse_rest(t + 3, n - 3, req);
}
