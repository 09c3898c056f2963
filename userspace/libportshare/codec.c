// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The text messages of the registration protocol (docs/protocol.md §1):
 * requests are written, replies and SHUTDOWN notices written and parsed.
 * Writers produce exactly the bytes of the uapi header's table; parsers
 * are lenient where Table 2 was loose (runs of spaces, a trailing
 * newline, "100 OK" without address) but never read past @len.
 */
#include <stdio.h>
#include <string.h>

#include "portshare.h"
#include "primary.h"		/* pri_prefixes_check() */
#include "request.h"		/* ps_req_parse_count(), the wire's numbers */

/* A NUL-terminated copy of a datagram without its trailing CR/LF/NUL. */
struct text {
	char s[PORTSHARE_REQUEST_MAX + 1];
	size_t n;
};

static int text_load(struct text *t, const void *buf, size_t len)
{
	const char *p = buf;
	size_t i;

	while (len && (p[len - 1] == '\r' || p[len - 1] == '\n' ||
		       p[len - 1] == '\0'))
		len--;
	if (!len || len > PORTSHARE_REQUEST_MAX)
		return PORTSHARE_E_BAD_MESSAGE;
	for (i = 0; i < len; i++)
		if ((p[i] < ' ' || p[i] > '~') && p[i] != '\t')
			return PORTSHARE_E_BAD_MESSAGE;
	memcpy(t->s, p, len);
	t->s[len] = '\0';
	t->n = len;
	return 0;
}

static bool is_sep(char c)
{
	return c == ' ' || c == '\t';
}

/* The next token of @s from *@pos, after any separators; NUL-terminated. */
static char *next_token(char *s, size_t *pos)
{
	char *tok;

	while (is_sep(s[*pos]))
		(*pos)++;
	if (!s[*pos])
		return NULL;
	tok = s + *pos;
	while (s[*pos] && !is_sep(s[*pos]))
		(*pos)++;
	if (s[*pos])
		s[(*pos)++] = '\0';
	return tok;
}

/* 1..65535 in one to five decimal digits. */
static int parse_port(const char *s, uint16_t *port)
{
	unsigned int val = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (i == 5 || s[i] < '0' || s[i] > '9')
			return PORTSHARE_E_BAD_MESSAGE;
		val = val * 10 + (unsigned int)(s[i] - '0');
	}
	if (!i || !val || val > 65535)
		return PORTSHARE_E_BAD_MESSAGE;
	*port = (uint16_t)val;
	return 0;
}

static const char *mode_name(int mode)
{
	switch (mode) {
	case PORTSHARE_MODE_ENCAP:
		return "encap";
	case PORTSHARE_MODE_RAW:
		return "raw";
	case PORTSHARE_MODE_TRANSPARENT:
		return "transparent";
	}
	return NULL;
}

static int finish(int n, size_t size)
{
	if (n < 0)
		return PORTSHARE_E_INVALID;
	if ((size_t)n >= size)
		return PORTSHARE_E_NO_SPACE;
	return n;
}

int portshare_request_format(const struct portshare_request *req, char *buf,
			     size_t size)
{
	char addr[PORTSHARE_ADDR_STRLEN], dport[8] = "", mode[24] = "";
	const char *cmd;
	int ret;

	if (req->cmd == PORTSHARE_REQ_ADD)
		cmd = "ADD";
	else if (req->cmd == PORTSHARE_REQ_DROP)
		cmd = "DROP";
	else
		return PORTSHARE_E_INVALID;
	if (!req->port)
		return PORTSHARE_E_INVALID;
	ret = portshare_addr_format(&req->addr, addr, sizeof(addr));
	if (ret < 0)
		return ret;
	if (req->data_port)
		snprintf(dport, sizeof(dport), " %u", req->data_port);
	if (req->cmd == PORTSHARE_REQ_ADD && req->mode != -1) {
		if (!mode_name(req->mode))
			return PORTSHARE_E_INVALID;
		snprintf(mode, sizeof(mode), " mode=%s", mode_name(req->mode));
	}
	return finish(snprintf(buf, size, "%s %s %u%s%s", cmd, addr,
			       req->port, dport, mode), size);
}

/*
 * " from=ADDR/LEN" for each prefix (pri_prefixes_check()'s), after @n
 * bytes already in @buf.
 */
static int append_from(const struct portshare_prefix *from, size_t nfrom,
		       char *buf, size_t size, int n)
{
	char addr[PORTSHARE_ADDR_STRLEN];
	size_t i;
	int ret;

	for (i = 0; i < nfrom; i++) {
		portshare_addr_format(&from[i].net, addr, sizeof(addr));
		ret = finish(snprintf(buf + n, size - (size_t)n, " from=%s/%u",
				      addr, from[i].len), size - (size_t)n);
		if (ret < 0)
			return ret;
		n += ret;
	}
	return n;
}

/* " NAME=VALUE" at @buf's @len, when @val is not 0; the new length. */
static int append_count(const char *name, uint32_t val, char *buf,
			size_t size, int len)
{
	int ret;

	if (len < 0 || !val)
		return len;
	ret = finish(snprintf(buf + len, size - (size_t)len, " %s%u", name,
			      val), size - (size_t)len);
	return ret < 0 ? ret : len + ret;
}

#define LEASE_FIELD	"lease="
#define RATE_FIELD	"rate="

int portshare_request_format_rate(const struct portshare_request *req,
				  const struct portshare_prefix *from,
				  size_t n, uint32_t lease, uint32_t rate,
				  char *buf, size_t size)
{
	int len, ret;

	if ((n || lease || rate) && req->cmd != PORTSHARE_REQ_ADD)
		return PORTSHARE_E_INVALID;
	if (lease > PORTSHARE_LEASE_MAX || rate > PORTSHARE_RATE_MAX)
		return PORTSHARE_E_INVALID;
	ret = pri_prefixes_check(from, n);
	if (ret)
		return ret;
	len = portshare_request_format(req, buf, size);
	/* after the mode, before the filter */
	len = append_count(LEASE_FIELD, lease, buf, size, len);
	len = append_count(RATE_FIELD, rate, buf, size, len);
	if (len < 0)
		return len;
	return append_from(from, n, buf, size, len);
}

#define COOKIE_FIELD	"cookie="

int portshare_request_format_cookie(const struct portshare_request *req,
				    const struct portshare_prefix *from,
				    size_t n, uint32_t lease, uint32_t rate,
				    const uint64_t *cookie, char *buf,
				    size_t size)
{
	int len, ret;

	len = portshare_request_format_rate(req, from, n, lease, rate, buf,
					    size);
	if (len < 0 || !cookie)
		return len;
	/* last: the request as it was, then the proof (protocol.md §1.8) */
	ret = finish(snprintf(buf + len, size - (size_t)len,
			      " " COOKIE_FIELD "%016llx",
			      (unsigned long long)*cookie), size - (size_t)len);
	return ret < 0 ? ret : len + ret;
}

int portshare_request_format_lease(const struct portshare_request *req,
				   const struct portshare_prefix *from,
				   size_t n, uint32_t lease, char *buf,
				   size_t size)
{
	return portshare_request_format_rate(req, from, n, lease, 0, buf,
					     size);
}

int portshare_request_format_from(const struct portshare_request *req,
				  const struct portshare_prefix *from,
				  size_t n, char *buf, size_t size)
{
	return portshare_request_format_lease(req, from, n, 0, buf, size);
}

/*
 * A "NAME=VALUE" of a "100 OK" in @tok, if it is one: 1..@max in the
 * wire's grammar, as the primaries write it (shared/request.c's).
 */
static bool parse_field(const char *tok, const char *name, uint32_t max,
			uint32_t *val)
{
	size_t n = strlen(name);

	return tok && !strncmp(tok, name, n) &&
	       ps_req_parse_count(tok + n, strlen(tok + n), max, val);
}

/*
 * "100 OK" with optional "<address> <port>", then " lease=SECONDS" and
 * " rate=PPS", each optional, in this order.
 */
static int parse_ok(char *s, size_t pos, struct portshare_reply_msg *reply,
		    uint32_t *lease, uint32_t *rate)
{
	char *tok = next_token(s, &pos), *port, *extra;

	if (!tok || strcmp(tok, "OK"))
		return PORTSHARE_E_BAD_MESSAGE;
	tok = next_token(s, &pos);
	if (!tok)
		return 0;
	port = next_token(s, &pos);
	extra = port ? next_token(s, &pos) : NULL;
	if (parse_field(extra, LEASE_FIELD, PORTSHARE_LEASE_MAX, lease))
		extra = next_token(s, &pos);
	if (parse_field(extra, RATE_FIELD, PORTSHARE_RATE_MAX, rate))
		extra = next_token(s, &pos);
	if (!port || extra || portshare_addr_parse(tok, &reply->primary) ||
	    parse_port(port, &reply->reg_port))
		return PORTSHARE_E_BAD_MESSAGE;
	reply->has_primary = true;
	return 0;
}

int portshare_reply_parse(const void *buf, size_t len, int cmd,
			  struct portshare_reply_msg *reply)
{
	uint32_t lease;

	return portshare_reply_parse_lease(buf, len, cmd, reply, &lease);
}

int portshare_reply_parse_lease(const void *buf, size_t len, int cmd,
				struct portshare_reply_msg *reply,
				uint32_t *lease)
{
	uint32_t rate;

	return portshare_reply_parse_rate(buf, len, cmd, reply, lease, &rate);
}

int portshare_reply_parse_rate(const void *buf, size_t len, int cmd,
			       struct portshare_reply_msg *reply,
			       uint32_t *lease, uint32_t *rate)
{
	uint64_t cookie;

	return portshare_reply_parse_cookie(buf, len, cmd, reply, lease, rate,
					    &cookie);
}

/* Exactly 16 hex digits, either case, as shared/request.c's cookie=. */
static bool parse_hex64(const char *s, uint64_t *val)
{
	uint64_t v = 0;
	size_t i;
	int d;

	for (i = 0; s[i]; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return false;
		v = v << 4 | (uint64_t)d;
	}
	if (i != PS_COOKIE_DIGITS)
		return false;
	*val = v;
	return true;
}

#define VERIFY_TEXT	"VERIFY"

/* "102 VERIFY <cookie>", and nothing after the cookie. */
static int parse_verify(char *s, size_t pos, struct portshare_reply_msg *reply,
			uint64_t *cookie)
{
	char *tok = next_token(s, &pos), *hex = next_token(s, &pos);

	if (!tok || strcmp(tok, VERIFY_TEXT) || !hex ||
	    next_token(s, &pos) || !parse_hex64(hex, cookie))
		return PORTSHARE_E_BAD_MESSAGE;
	reply->error = PORTSHARE_E_VERIFY;
	return 0;
}

int portshare_reply_parse_cookie(const void *buf, size_t len, int cmd,
				 struct portshare_reply_msg *reply,
				 uint32_t *lease, uint32_t *rate,
				 uint64_t *cookie)
{
	struct text t;
	int ret, code, i;

	memset(reply, 0, sizeof(*reply));
	*lease = 0;
	*rate = 0;
	*cookie = 0;
	ret = text_load(&t, buf, len);
	if (ret)
		return ret;
	if (t.n < 4 || !is_sep(t.s[3]))
		return PORTSHARE_E_BAD_MESSAGE;
	for (code = 0, i = 0; i < 3; i++) {
		if (t.s[i] < '0' || t.s[i] > '9')
			return PORTSHARE_E_BAD_MESSAGE;
		code = code * 10 + (t.s[i] - '0');
	}
	if (code < 100 || code > 499)
		return PORTSHARE_E_BAD_MESSAGE;
	reply->code = code;
	if (code == PORTSHARE_REPLY_OK)
		return parse_ok(t.s, 4, reply, lease, rate);
	if (code == PORTSHARE_REPLY_VERIFY)
		return parse_verify(t.s, 4, reply, cookie);
	if (code < 200 || strncmp(t.s + 4, "ERROR.", 6))
		return PORTSHARE_E_BAD_MESSAGE;
	reply->error = portshare_reply_error(code, cmd);
	return 0;
}

int portshare_reply_format(int err, int cmd,
			   const struct portshare_addr *primary,
			   uint16_t reg_port, char *buf, size_t size)
{
	return portshare_reply_format_lease(err, cmd, primary, reg_port, 0,
					    buf, size);
}

int portshare_reply_format_lease(int err, int cmd,
				 const struct portshare_addr *primary,
				 uint16_t reg_port, uint32_t lease, char *buf,
				 size_t size)
{
	return portshare_reply_format_rate(err, cmd, primary, reg_port, lease,
					   0, buf, size);
}

int portshare_reply_format_rate(int err, int cmd,
				const struct portshare_addr *primary,
				uint16_t reg_port, uint32_t lease,
				uint32_t rate, char *buf, size_t size)
{
	char addr[PORTSHARE_ADDR_STRLEN];
	const char *text;
	int ret;

	if ((cmd != PORTSHARE_REQ_ADD && cmd != PORTSHARE_REQ_DROP) ||
	    lease > PORTSHARE_LEASE_MAX || rate > PORTSHARE_RATE_MAX)
		return PORTSHARE_E_INVALID;
	if (err == PORTSHARE_E_ALREADY_ADDED && cmd == PORTSHARE_REQ_DROP)
		err = PORTSHARE_E_NOT_IN_LIST;
	else if (err == PORTSHARE_E_NOT_IN_LIST && cmd == PORTSHARE_REQ_ADD)
		err = PORTSHARE_E_ALREADY_ADDED;
	ret = portshare_error_reply(err, &text);
	if (ret < 0)
		return ret;
	if (err || cmd == PORTSHARE_REQ_DROP)
		return finish(snprintf(buf, size, "%s", text), size);
	if (!primary || !reg_port)
		return PORTSHARE_E_INVALID;
	ret = portshare_addr_format(primary, addr, sizeof(addr));
	if (ret < 0)
		return ret;
	/*
	 * without a lease or rate, byte for byte the reply legacy
	 * secondaries know
	 */
	ret = finish(snprintf(buf, size, "%s %s %u", text, addr, reg_port),
		     size);
	ret = append_count(LEASE_FIELD, lease, buf, size, ret);
	return append_count(RATE_FIELD, rate, buf, size, ret);
}

int portshare_reply_format_verify(uint64_t cookie, char *buf, size_t size)
{
	/* not a row of replies.def: the text has the cookie in it */
	return finish(snprintf(buf, size, "%d " VERIFY_TEXT " %016llx",
			       PORTSHARE_REPLY_VERIFY,
			       (unsigned long long)cookie), size);
}

int portshare_shutdown_parse(const void *buf, size_t len,
			     struct portshare_addr *primary,
			     uint16_t *reg_port)
{
	struct text t;
	size_t pos = 0;
	char *cmd, *addr, *port;

	if (text_load(&t, buf, len))
		return PORTSHARE_E_BAD_MESSAGE;
	cmd = next_token(t.s, &pos);
	addr = next_token(t.s, &pos);
	port = next_token(t.s, &pos);
	if (!cmd || strcmp(cmd, PORTSHARE_SHUTDOWN_TEXT) || !addr || !port ||
	    next_token(t.s, &pos) || portshare_addr_parse(addr, primary) ||
	    parse_port(port, reg_port))
		return PORTSHARE_E_BAD_MESSAGE;
	return 0;
}

int portshare_shutdown_format(const struct portshare_addr *primary,
			      uint16_t reg_port, char *buf, size_t size)
{
	char addr[PORTSHARE_ADDR_STRLEN];
	int ret;

	if (!reg_port)
		return PORTSHARE_E_INVALID;
	ret = portshare_addr_format(primary, addr, sizeof(addr));
	if (ret < 0)
		return ret;
	return finish(snprintf(buf, size, "%s %s %u", PORTSHARE_SHUTDOWN_TEXT,
			       addr, reg_port), size);
}
