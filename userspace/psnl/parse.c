// SPDX-License-Identifier: GPL-2.0
/*
 * Strict argument parsing.  Every function reports what was wrong, naming
 * the word and what would have been valid, and returns HANDLER_RET_BADARG;
 * nothing is sent to the kernel before every argument has parsed.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "psnl.h"

#define MAX_HOST_LEN 255

/* Plain decimal only: no sign, no blanks, no base prefix, no trailing junk. */
static bool parse_decimal(const char *word, unsigned long *value)
{
	char *end;

	if (!isdigit((unsigned char)word[0]))
		return false;
	errno = 0;
	*value = strtoul(word, &end, 10);
	return errno == 0 && *end == '\0';
}

int psnl_parse_u32(const char *what, const char *word, uint32_t min,
		   uint32_t max, uint32_t *value)
{
	unsigned long v;

	if (!parse_decimal(word, &v) || v < min || v > max)
		return psnl_usage_error("invalid %s \"%s\": expected a number %u..%u",
					what, word, min, max);
	*value = v;
	return 0;
}

/*
 * A number @min..@max at the start of @s, plain decimal, for words of
 * several parts (rate PPS/BURST, dead E/S): *@end is set past its digits.
 */
bool psnl_number_part(const char *s, uint32_t min, uint32_t max, char **end,
		      uint32_t *n)
{
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoul(s, end, 10);
	if (errno || v < min || v > max)
		return false;
	*n = (uint32_t)v;
	return true;
}

int psnl_parse_port(const char *what, const char *word, uint16_t *port)
{
	uint32_t v = 0;
	int err = psnl_parse_u32(what, word, 1, 65535, &v);

	if (!err)
		*port = v;
	return err;
}

/*
 * Split ADDR[:DATAPORT] into the host part and the port word.  "[v6]" and
 * "[v6]:port" are IPv6 literals; a word with two or more colons is a bare
 * IPv6 address without a port.
 */
static int split_endpoint(const char *word, char *host, const char **port,
			  bool *bracketed)
{
	const char *start = word, *end, *colon;

	*port = NULL;
	*bracketed = word[0] == '[';
	if (*bracketed) {
		start = word + 1;
		end = strchr(start, ']');
		if (!end)
			return psnl_usage_error("invalid address \"%s\": missing \"]\"",
						word);
		if (end[1] != '\0' && end[1] != ':')
			return psnl_usage_error("invalid address \"%s\": expected \":DATAPORT\" after \"]\"",
						word);
		if (end[1] == ':')
			*port = end + 2;
	} else {
		colon = strchr(word, ':');
		end = word + strlen(word);
		if (colon && !strchr(colon + 1, ':')) {
			end = colon;
			*port = colon + 1;
		}
	}
	if (end == start)
		return psnl_usage_error("invalid address \"%s\": no address", word);
	if (end - start > MAX_HOST_LEN)
		return psnl_usage_error("invalid address \"%.40s...\": longer than %d characters",
					word, MAX_HOST_LEN);
	memcpy(host, start, end - start);
	host[end - start] = '\0';
	return 0;
}

static int parse_data_port(const char *word, const char *port,
			   struct psnl_endpoint *ep)
{
	unsigned long v;

	if (!parse_decimal(port, &v) || v < 1 || v > 65535)
		return psnl_usage_error("invalid data port \"%s\" in \"%s\": expected a number 1..65535",
					port, word);
	ep->port = v;
	return 0;
}

static bool looks_numeric(const char *host)
{
	return strspn(host, "0123456789.") == strlen(host);
}

/* Numeric forms must parse as such: "10.1" or "1.2.3.256" never go to DNS. */
static int parse_literal(const char *word, const char *host, bool bracketed,
			 struct psnl_endpoint *ep)
{
	if (!bracketed && inet_pton(AF_INET, host, &ep->addr4) == 1) {
		ep->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &ep->addr6) == 1) {
		ep->family = AF_INET6;
		return 0;
	}
	if (bracketed)
		return psnl_usage_error("invalid address \"%s\": not an IPv6 address (brackets are for IPv6 literals only)",
					word);
	if (strchr(host, ':'))
		return psnl_usage_error("invalid address \"%s\": not an IPv6 address",
					word);
	if (looks_numeric(host))
		return psnl_usage_error("invalid address \"%s\": not an IPv4 address",
					word);
	return 1;	/* a host name */
}

static int resolve_failed(const char *host, int gai_err)
{
	const char *why = gai_err == EAI_SYSTEM ? strerror(errno) :
						  gai_strerror(gai_err);

	if (gai_err == EAI_NONAME || gai_err == EAI_FAIL ||
	    gai_err == EAI_FAMILY || gai_err == EAI_SERVICE
#ifdef EAI_NODATA
	    || gai_err == EAI_NODATA
#endif
	    )
		return psnl_usage_error("invalid address \"%s\": cannot resolve host name: %s",
					host, why);
	/* Temporary failures are not the user's fault: exit 1. */
	psnl_error("cannot resolve host name \"%s\": %s", host, why);
	return -EAGAIN;
}

/* The first result of getaddrinfo(), IPv4 or IPv6. */
static int resolve_host(const char *host, struct psnl_endpoint *ep)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
	};
	struct addrinfo *res;
	int err = getaddrinfo(host, NULL, &hints, &res);

	if (err)
		return resolve_failed(host, err);
	ep->family = res->ai_family;
	if (res->ai_family == AF_INET)
		ep->addr4 = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	else if (res->ai_family == AF_INET6)
		ep->addr6 = ((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
	else
		err = psnl_usage_error("invalid address \"%s\": resolves to neither IPv4 nor IPv6",
				       host);
	freeaddrinfo(res);
	return err;
}

static bool is_unspecified(const struct psnl_endpoint *ep)
{
	if (ep->family == AF_INET)
		return ep->addr4.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&ep->addr6);
}

/* ADDR[:DATAPORT], [IPV6]:DATAPORT, bare IPV6, or a host name. */
int psnl_parse_endpoint(const char *word, struct psnl_endpoint *ep)
{
	char host[MAX_HOST_LEN + 1];
	const char *port;
	bool bracketed;
	int err;

	memset(ep, 0, sizeof(*ep));
	err = split_endpoint(word, host, &port, &bracketed);
	if (err)
		return err;
	if (port) {
		err = parse_data_port(word, port, ep);
		if (err)
			return err;
	}
	err = parse_literal(word, host, bracketed, ep);
	if (err == 1)
		err = resolve_host(host, ep);
	if (err)
		return err;
	if (is_unspecified(ep))
		return psnl_usage_error("invalid address \"%s\": the unspecified address cannot receive copies",
					word);
	return 0;
}

/*
 * The LEN of ADDR/LEN: 0..32 for IPv4, 0..128 for IPv6, without a leading
 * zero, as the wire's from= and portshare.ko's parser take it, so that a
 * filter psnl takes is one a secondary could send (docs/protocol.md).
 */
static int parse_prefix_len(const char *word, const char *len,
			    struct psnl_prefix *pfx)
{
	unsigned long max = pfx->family == AF_INET ? 32 : 128, v;

	if (!parse_decimal(len, &v) || v > max || (len[0] == '0' && len[1]))
		return psnl_usage_error("invalid prefix length \"%s\" in \"%s\": expected a number 0..%lu without a leading zero",
					len, word, max);
	pfx->has_len = true;
	pfx->len = v;
	return 0;
}

/* ADDR[/LEN]: an IPv4 or IPv6 literal (no host names, no brackets). */
int psnl_parse_prefix(const char *word, struct psnl_prefix *pfx)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(word, '/');
	size_t alen = slash ? (size_t)(slash - word) : strlen(word);

	memset(pfx, 0, sizeof(*pfx));
	if (alen == 0)
		return psnl_usage_error("invalid network \"%s\": no address",
					word);
	if (alen >= sizeof(addr))
		return psnl_usage_error("invalid network \"%.40s\": not an IPv4 or IPv6 address",
					word);
	memcpy(addr, word, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, &pfx->addr4) == 1)
		pfx->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, &pfx->addr6) == 1)
		pfx->family = AF_INET6;
	else
		return psnl_usage_error("invalid network \"%s\": \"%s\" is not an IPv4 or IPv6 address",
					word, addr);
	if (slash)
		return parse_prefix_len(word, slash + 1, pfx);
	return 0;
}

/* Step from the keyword at argv[*i] to its value. */
int psnl_next_value(int argc, char **argv, int *i, const char *expected,
		    const char **value)
{
	if (*i + 1 >= argc)
		return psnl_usage_error("missing value after \"%s\": expected %s",
					argv[*i], expected);
	*i += 1;
	*value = argv[*i];
	return 0;
}

int psnl_once(bool *seen, const char *keyword)
{
	if (*seen)
		return psnl_usage_error("\"%s\" given twice", keyword);
	*seen = true;
	return 0;
}

/* lease SECONDS, at most once: 0 is none. */
int psnl_parse_lease_option(int argc, char **argv, int *i, bool *seen,
			    uint32_t *lease)
{
	const char *value = NULL;
	int err = psnl_once(seen, "lease");

	if (!err)
		err = psnl_next_value(argc, argv, i,
				      "seconds 0..31536000 (0: none)", &value);
	if (!err)
		err = psnl_parse_u32("lease", value, 0, PORTSHARE_LEASE_MAX,
				     lease);
	return err;
}

int psnl_no_more_args(int argc, char **argv, int i)
{
	if (i < argc)
		return psnl_usage_error("unexpected argument \"%s\"", argv[i]);
	return 0;
}
