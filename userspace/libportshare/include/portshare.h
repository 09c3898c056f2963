/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libportshare: the portshare wire protocol for applications (DESIGN §3,
 * docs/protocol.md; US 6,363,081 Tables 2-3, FIG. 5).
 *
 * Three layers:
 *
 *  - The codec turns requests, replies, SHUTDOWN notices and the encap
 *    header of copies into bytes and back.  It allocates nothing, does no
 *    I/O and never aborts: every function returns a value.
 *
 *  - The secondary API registers one application with one or many
 *    primaries (portshare.ko or psd), each contested port with a data
 *    socket of its own or with the shared one, and receives the copies
 *    with their origin decoded, losses counted from the sequence numbers
 *    and SHUTDOWN notices reported.  Closing it sends DROP for every
 *    registration still alive.
 *
 *  - The primary API is US 6,363,081's primary in userspace (FIGs. 3 and
 *    4), the one psd(8) is built on: it binds contested ports and their
 *    registration ports, answers ADD and DROP with portshare.ko's rules and
 *    reply strings (its very request parser), and copies every datagram to
 *    every secondary in encap, raw or transparent mode.  It runs in the
 *    application's event loop: portshare_primary_fd() to poll, then
 *    portshare_primary_dispatch(); or the application reads its own sockets
 *    and calls portshare_primary_request() and portshare_primary_forward().
 *
 * Errors.  Functions that can fail return an int: >= 0 on success, and a
 * negative value on failure, which is either a negated errno (a system
 * call failed: -ECONNREFUSED, -ENOMEM, ...) or one of PORTSHARE_E_* below
 * (all <= -4096, so the two never overlap).  portshare_strerror() turns
 * either into a message; for a refusal by the primary, that message is the
 * primary's reply text, byte for byte ("401 ERROR. List Full").
 *
 * Addresses are struct portshare_addr: a family (PORTSHARE_FAMILY_INET or
 * PORTSHARE_FAMILY_INET6, as in the encap header) and 16 bytes in network
 * order, of which IPv4 uses the first 4.  Ports are in host order.
 *
 * Thread safety: the codec is reentrant.  One struct portshare_sec or
 * struct portshare_primary must not be used by two threads at once.
 */
#ifndef PORTSHARE_LIB_H
#define PORTSHARE_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/portshare.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ */

enum portshare_error {
	PORTSHARE_E_BASE = -4096,
	/* no reply from the primary in time (no primary, or it was lost) */
	PORTSHARE_E_NO_REPLY = PORTSHARE_E_BASE,
	/* a datagram that is not a valid reply, notice or copy */
	PORTSHARE_E_BAD_MESSAGE = PORTSHARE_E_BASE - 1,
	/* the buffer is too small for what was to be written */
	PORTSHARE_E_NO_SPACE = PORTSHARE_E_BASE - 2,
	/* an argument is out of range (family, port, mode, command) */
	PORTSHARE_E_INVALID = PORTSHARE_E_BASE - 3,
	/* no default registration port: contested port above 52535 */
	PORTSHARE_E_NO_REG_PORT = PORTSHARE_E_BASE - 4,
	/* the registration was ended by a SHUTDOWN notice or a DROP */
	PORTSHARE_E_CLOSED = PORTSHARE_E_BASE - 5,
	/* a host name that does not resolve */
	PORTSHARE_E_RESOLVE = PORTSHARE_E_BASE - 6,
	/* the primary refused with a code this library does not know */
	PORTSHARE_E_REFUSED = PORTSHARE_E_BASE - 7,
	/* an acl network with bits set beyond its prefix length */
	PORTSHARE_E_HOST_BITS = PORTSHARE_E_BASE - 8,
	/* a primary's table of ports or acl entries is full */
	PORTSHARE_E_TABLE_FULL = PORTSHARE_E_BASE - 9,
	/* a port that is already one of the primary's contested ports */
	PORTSHARE_E_PORT_CONFLICT = PORTSHARE_E_BASE - 10,
	/*
	 * the primary still answered "102 VERIFY" after the secondary sent
	 * back its cookie twice (LIBPORTSHARE_1.5): the replies do not reach
	 * the source address it sends from, or the cookie expired in transit
	 */
	PORTSHARE_E_VERIFY = PORTSHARE_E_BASE - 11,
	/* refusals, one per reply of enum portshare_reply */
	PORTSHARE_E_ALREADY_ADDED = PORTSHARE_E_BASE - 20,	/* 200, ADD */
	PORTSHARE_E_NOT_IN_LIST = PORTSHARE_E_BASE - 21,	/* 200, DROP */
	PORTSHARE_E_INVALID_ADDRESS = PORTSHARE_E_BASE - 22,	/* 300 */
	PORTSHARE_E_PORT_MISSING = PORTSHARE_E_BASE - 23,	/* 301 */
	PORTSHARE_E_INVALID_PORT = PORTSHARE_E_BASE - 24,	/* 302 */
	PORTSHARE_E_UNKNOWN_PORT = PORTSHARE_E_BASE - 25,	/* 303 */
	PORTSHARE_E_MALFORMED = PORTSHARE_E_BASE - 26,		/* 304 */
	PORTSHARE_E_UNKNOWN_COMMAND = PORTSHARE_E_BASE - 27,	/* 305 */
	PORTSHARE_E_UNKNOWN_OPTION = PORTSHARE_E_BASE - 28,	/* 306 */
	PORTSHARE_E_NOT_PERMITTED = PORTSHARE_E_BASE - 29,	/* 400 */
	PORTSHARE_E_LIST_FULL = PORTSHARE_E_BASE - 30,		/* 401 */
	PORTSHARE_E_LOOP = PORTSHARE_E_BASE - 31,		/* 402 */
	PORTSHARE_E_NO_RESOURCES = PORTSHARE_E_BASE - 32,	/* 403 */
};

/**
 * portshare_strerror() - the message for an error value
 * @err: a negated errno or a PORTSHARE_E_* value
 *
 * Return: a static string, never NULL.  For the refusals it is the
 * primary's whole reply, as on the wire ("200 ERROR. Already Added").
 */
const char *portshare_strerror(int err);

/**
 * portshare_reply_error() - the error value for a reply code
 * @code: 100..499, as in enum portshare_reply
 * @cmd: PORTSHARE_REQ_ADD or PORTSHARE_REQ_DROP (200 depends on it)
 *
 * Return: 0 for 100, the PORTSHARE_E_* refusal for a known code,
 * PORTSHARE_E_REFUSED for another.
 */
int portshare_reply_error(int code, int cmd);

/**
 * portshare_error_reply() - the reply code and text of a refusal
 * @err: a PORTSHARE_E_* refusal (PORTSHARE_E_ALREADY_ADDED ..
 *       PORTSHARE_E_NO_RESOURCES), or 0 for "100 OK"
 * @text: set to the reply text (without address and port for 100)
 *
 * This is the mapping a primary uses to answer.
 *
 * Return: the reply code (100..403), or PORTSHARE_E_INVALID.
 */
int portshare_error_reply(int err, const char **text);

/* ---- addresses ----------------------------------------------------------- */

struct portshare_addr {
	uint8_t family;		/* PORTSHARE_FAMILY_INET or _INET6 */
	uint8_t addr[16];	/* network order; IPv4 in the first 4 bytes */
};

/* Long enough for any address text portshare_addr_format() writes. */
#define PORTSHARE_ADDR_STRLEN	46

/**
 * portshare_addr_parse() - an IPv4 or IPv6 literal to an address
 * @text: NUL-terminated; no brackets, no zone, no host names
 * @addr: the result
 *
 * Return: 0, or PORTSHARE_E_INVALID_ADDRESS.
 */
int portshare_addr_parse(const char *text, struct portshare_addr *addr);

/**
 * portshare_addr_format() - an address as text (dotted quad, RFC 5952)
 * @addr: the address
 * @buf: at least PORTSHARE_ADDR_STRLEN bytes
 * @size: size of @buf
 *
 * Return: the length written without the NUL, or PORTSHARE_E_INVALID or
 * PORTSHARE_E_NO_SPACE.
 */
int portshare_addr_format(const struct portshare_addr *addr, char *buf,
			  size_t size);

/**
 * portshare_addr_from_sockaddr() - the address and port of a socket address
 * @sa: an AF_INET or AF_INET6 address; an IPv4-mapped IPv6 address is
 *      returned as IPv4
 * @addr: the address
 * @port: the port in host order; may be NULL
 *
 * Return: 0, or PORTSHARE_E_INVALID for another family.
 */
int portshare_addr_from_sockaddr(const struct sockaddr *sa,
				 struct portshare_addr *addr, uint16_t *port);

/**
 * portshare_addr_to_sockaddr() - a socket address from address and port
 * @addr: the address
 * @port: in host order
 * @ss: the result, AF_INET or AF_INET6
 *
 * Return: the length of the socket address, or PORTSHARE_E_INVALID.
 */
int portshare_addr_to_sockaddr(const struct portshare_addr *addr,
			       uint16_t port, struct sockaddr_storage *ss);

/** portshare_addr_equal() - same family and address */
bool portshare_addr_equal(const struct portshare_addr *a,
			  const struct portshare_addr *b);

/* Most prefixes of one secondary's source filter (DESIGN §9). */
#define PORTSHARE_FROM_MAX	8

/**
 * struct portshare_prefix - a network, as in a source filter (from=)
 * @net: its address; every bit after @len must be zero, as for
 *       "ip route" (else PORTSHARE_E_HOST_BITS)
 * @len: the prefix length, 0..32 for IPv4, 0..128 for IPv6
 *
 * An IPv4 network matches IPv4 sources only: an IPv4-mapped IPv6 source
 * (::ffff:a.b.c.d) is IPv6, as in the registration acl (portshare(7)).
 */
struct portshare_prefix {
	struct portshare_addr net;
	uint8_t len;
};

/**
 * portshare_prefix_parse() - "ADDR" or "ADDR/LEN" to a prefix
 * @text: NUL-terminated; an IPv4 or IPv6 literal, the length in decimal
 *        without leading zeros; without it the host alone (/32, /128)
 * @p: the result
 *
 * Takes what the wire's from= takes (docs/protocol.md).
 *
 * Return: 0, PORTSHARE_E_INVALID_ADDRESS, PORTSHARE_E_INVALID (a length
 * that is not a number or is beyond the family's) or
 * PORTSHARE_E_HOST_BITS ("10.0.0.1/8": write 10.0.0.0/8).
 */
int portshare_prefix_parse(const char *text, struct portshare_prefix *p);

/* ---- codec: requests ------------------------------------------------------ */

enum portshare_req_cmd {
	PORTSHARE_REQ_ADD = 1,
	PORTSHARE_REQ_DROP = 2,
};

/* Longest request and reply in bytes (docs/protocol.md §1.1). */
#define PORTSHARE_REQUEST_MAX	512
/*
 * Room for the longest reply or notice this library writes, with a NUL:
 * 96 since LIBPORTSHARE_1.4, as portshare.ko's ("100 OK", the longest
 * IPv6 address, lease= and rate= take 82); 80 before.
 */
#define PORTSHARE_REPLY_MAX	96

/**
 * struct portshare_request - an ADD or DROP request
 * @cmd: PORTSHARE_REQ_ADD or PORTSHARE_REQ_DROP
 * @addr: the secondary's address
 * @port: the contested port, 1..65535
 * @data_port: the data port, or 0 to let the primary use the request's
 *             source port
 * @mode: enum portshare_mode, or -1 to send no mode= option (the primary
 *        then uses encap); ignored for DROP
 */
struct portshare_request {
	int cmd;
	struct portshare_addr addr;
	uint16_t port;
	uint16_t data_port;
	int mode;
};

/**
 * portshare_request_format() - write a request datagram
 * @req: the request
 * @buf: where to write it; a NUL is added if there is room
 * @size: size of @buf
 *
 * Writes "ADD 10.0.0.5 427 9000 mode=raw": single spaces, no newline.
 *
 * Return: the length of the datagram, or PORTSHARE_E_INVALID or
 * PORTSHARE_E_NO_SPACE.
 */
int portshare_request_format(const struct portshare_request *req, char *buf,
			     size_t size);

/**
 * portshare_request_format_from() - write an ADD with a source filter
 * @req: the request
 * @from: the networks whose datagrams alone the secondary wants
 *        (DESIGN §9); may be NULL if @n is 0
 * @n: how many, 0..PORTSHARE_FROM_MAX; 0 writes what
 *     portshare_request_format() writes
 * @buf: where to write it; a NUL is added if there is room
 * @size: size of @buf
 *
 * Writes "ADD 10.0.0.5 427 9000 mode=raw from=192.0.2.0/24": a
 * " from=ADDR/LEN" for each prefix, in order.  A primary that does not
 * know from= answers "306 ERROR. Unknown Option".
 *
 * Return: the length of the datagram; PORTSHARE_E_INVALID (as
 * portshare_request_format(), or a prefix on DROP, more than
 * PORTSHARE_FROM_MAX, a prefix's family or length), PORTSHARE_E_HOST_BITS
 * or PORTSHARE_E_NO_SPACE.
 */
int portshare_request_format_from(const struct portshare_request *req,
				  const struct portshare_prefix *from,
				  size_t n, char *buf, size_t size);

/**
 * portshare_request_format_lease() - write an ADD that asks for a lease
 * @req: the request
 * @from: the source filter, as for portshare_request_format_from()
 * @n: how many prefixes in @from
 * @lease: the lease to ask for in seconds, 1..PORTSHARE_LEASE_MAX; 0
 *         writes what portshare_request_format_from() writes
 * @buf: where to write it; a NUL is added if there is room
 * @size: size of @buf
 *
 * Writes "ADD 10.0.0.5 427 9000 mode=raw lease=30 from=192.0.2.0/24":
 * " lease=SECONDS" after the mode, before the filter.  The primary grants
 * the shorter of this and its port's lease; a primary that does not know
 * lease= answers "306 ERROR. Unknown Option".
 *
 * Return: as portshare_request_format_from(); also PORTSHARE_E_INVALID
 * for a lease on DROP or beyond PORTSHARE_LEASE_MAX.
 */
int portshare_request_format_lease(const struct portshare_request *req,
				   const struct portshare_prefix *from,
				   size_t n, uint32_t lease, char *buf,
				   size_t size);

/**
 * portshare_request_format_rate() - write an ADD that asks for a rate cap
 * @req: the request
 * @from: the source filter, as for portshare_request_format_from()
 * @n: how many prefixes in @from
 * @lease: the lease, as for portshare_request_format_lease()
 * @rate: the copies per second to ask for, 1..PORTSHARE_RATE_MAX; 0
 *        writes what portshare_request_format_lease() writes
 * @buf: where to write it; a NUL is added if there is room
 * @size: size of @buf
 *
 * Writes "ADD 10.0.0.5 427 9000 lease=30 rate=50 from=192.0.2.0/24":
 * " rate=PPS" after the lease, before the filter.  The primary grants
 * the lower of this and its port's rate; a primary that does not know
 * rate= answers "306 ERROR. Unknown Option".
 *
 * Return: as portshare_request_format_lease(); also PORTSHARE_E_INVALID
 * for a rate on DROP or beyond PORTSHARE_RATE_MAX.
 */
int portshare_request_format_rate(const struct portshare_request *req,
				  const struct portshare_prefix *from,
				  size_t n, uint32_t lease, uint32_t rate,
				  char *buf, size_t size);

/**
 * portshare_request_format_cookie() - write a request with a cookie
 * @req: the request, ADD or DROP
 * @from: the source filter, as for portshare_request_format_from()
 * @n: how many prefixes in @from
 * @lease: the lease, as for portshare_request_format_lease()
 * @rate: the rate cap, as for portshare_request_format_rate()
 * @cookie: the cookie of a "102 VERIFY" reply, written last as
 *          " cookie=" and 16 lower-case hex digits; NULL writes what
 *          portshare_request_format_rate() writes
 * @buf: where to write it
 * @size: the size of @buf; PORTSHARE_REQUEST_MAX + 1 always suffices
 *
 * The same request again with the cookie is what a primary that answered
 * "102 VERIFY" (an acl network with verify, docs/protocol.md §1.8)
 * carries out.  Since LIBPORTSHARE_1.5.
 *
 * Return: as portshare_request_format_rate().
 */
int portshare_request_format_cookie(const struct portshare_request *req,
				    const struct portshare_prefix *from,
				    size_t n, uint32_t lease, uint32_t rate,
				    const uint64_t *cookie, char *buf,
				    size_t size);

/* ---- codec: replies and SHUTDOWN ------------------------------------------ */

/**
 * struct portshare_reply_msg - a parsed reply
 * @code: the reply code, 100..499
 * @error: 0 for "100 OK", PORTSHARE_E_VERIFY for "102 VERIFY" (since
 *	LIBPORTSHARE_1.5; its cookie: portshare_reply_parse_cookie()), else
 *	the PORTSHARE_E_* refusal (for @cmd)
 * @has_primary: a "100 OK" carried the primary address and port
 * @primary: the primary address, if @has_primary
 * @reg_port: the registration port, if @has_primary
 */
struct portshare_reply_msg {
	int code;
	int error;
	bool has_primary;
	struct portshare_addr primary;
	uint16_t reg_port;
};

/**
 * portshare_reply_parse() - parse a reply datagram
 * @buf: the datagram, not NUL-terminated
 * @len: its length; trailing CR, LF and NUL are ignored
 * @cmd: the request it answers (decides what 200 means)
 * @reply: the result
 *
 * Accepts "100 OK", "100 OK <address> <port>" (with or without a
 * " lease=SECONDS" after it, see portshare_reply_parse_lease()) and any
 * "NNN ERROR. Text" with NNN 200..499.  A known code with another text is
 * still that code.
 *
 * Return: 0, or PORTSHARE_E_BAD_MESSAGE.
 */
int portshare_reply_parse(const void *buf, size_t len, int cmd,
			  struct portshare_reply_msg *reply);

/**
 * portshare_reply_parse_lease() - parse a reply and the lease it grants
 * @buf: the datagram, not NUL-terminated
 * @len: its length; trailing CR, LF and NUL are ignored
 * @cmd: the request it answers
 * @reply: the result, as from portshare_reply_parse()
 * @lease: set to the seconds of "100 OK <address> <port> lease=SECONDS",
 *         1..PORTSHARE_LEASE_MAX, or 0 when the reply has none
 *
 * Return: 0, or PORTSHARE_E_BAD_MESSAGE (also for a lease= that is not
 * a number in range, or anything after it).
 */
int portshare_reply_parse_lease(const void *buf, size_t len, int cmd,
				struct portshare_reply_msg *reply,
				uint32_t *lease);

/**
 * portshare_reply_parse_rate() - parse a reply, its lease and rate cap
 * @buf: the datagram, not NUL-terminated
 * @len: its length; trailing CR, LF and NUL are ignored
 * @cmd: the request it answers
 * @reply: the result, as from portshare_reply_parse()
 * @lease: as for portshare_reply_parse_lease()
 * @rate: set to the copies per second of a " rate=PPS" after the port
 *        (and the lease, if any), 1..PORTSHARE_RATE_MAX, or 0 when the
 *        reply has none
 *
 * Return: 0, or PORTSHARE_E_BAD_MESSAGE (also for a rate= that is not a
 * number in range, one before the lease=, or anything after it).
 */
int portshare_reply_parse_rate(const void *buf, size_t len, int cmd,
			       struct portshare_reply_msg *reply,
			       uint32_t *lease, uint32_t *rate);

/**
 * portshare_reply_parse_cookie() - parse a reply, and the cookie of a 102
 * @buf: the datagram, not NUL-terminated
 * @len: its length; trailing CR, LF and NUL are ignored
 * @cmd: the request it answers
 * @reply: the result, as from portshare_reply_parse()
 * @lease: as for portshare_reply_parse_lease()
 * @rate: as for portshare_reply_parse_rate()
 * @cookie: set to the cookie of "102 VERIFY <cookie>" (16 hex digits,
 *          either case), else 0
 *
 * A 102 has @reply->error PORTSHARE_E_VERIFY: send the same request again
 * with the cookie (portshare_request_format_cookie()).  The other parsers
 * read a 102 alike but do not return its cookie.  Since LIBPORTSHARE_1.5.
 *
 * Return: 0, or PORTSHARE_E_BAD_MESSAGE (also for a 102 without exactly
 * one cookie of 16 hex digits).
 */
int portshare_reply_parse_cookie(const void *buf, size_t len, int cmd,
				 struct portshare_reply_msg *reply,
				 uint32_t *lease, uint32_t *rate,
				 uint64_t *cookie);

/**
 * portshare_reply_format() - write the reply a primary sends
 * @err: 0 for success, or a PORTSHARE_E_* refusal
 * @cmd: the request's command
 * @primary: for "100 OK" to ADD, the primary address
 * @reg_port: for "100 OK" to ADD, the registration port
 * @buf: where to write it, at least PORTSHARE_REPLY_MAX bytes
 * @size: size of @buf
 *
 * Return: the length (no NUL, no newline), PORTSHARE_E_INVALID or
 * PORTSHARE_E_NO_SPACE.
 */
int portshare_reply_format(int err, int cmd,
			   const struct portshare_addr *primary,
			   uint16_t reg_port, char *buf, size_t size);

/**
 * portshare_reply_format_lease() - write a reply that grants a lease
 * @err: as for portshare_reply_format()
 * @cmd: the request's command
 * @primary: for "100 OK" to ADD, the primary address
 * @reg_port: for "100 OK" to ADD, the registration port
 * @lease: the granted lease in seconds, 0..PORTSHARE_LEASE_MAX; written
 *         as " lease=SECONDS" on "100 OK" to ADD only; 0 writes the
 *         reply of portshare_reply_format(), byte for byte
 * @buf: where to write it, at least PORTSHARE_REPLY_MAX bytes
 * @size: size of @buf
 *
 * Return: the length, PORTSHARE_E_INVALID or PORTSHARE_E_NO_SPACE.
 */
int portshare_reply_format_lease(int err, int cmd,
				 const struct portshare_addr *primary,
				 uint16_t reg_port, uint32_t lease, char *buf,
				 size_t size);

/**
 * portshare_reply_format_rate() - write a reply that grants a rate cap
 * @err: as for portshare_reply_format()
 * @cmd: the request's command
 * @primary: for "100 OK" to ADD, the primary address
 * @reg_port: for "100 OK" to ADD, the registration port
 * @lease: as for portshare_reply_format_lease()
 * @rate: the granted rate cap, 0..PORTSHARE_RATE_MAX; written as
 *        " rate=PPS" after the lease on "100 OK" to ADD only; 0 writes
 *        the reply of portshare_reply_format_lease(), byte for byte
 * @buf: where to write it, at least PORTSHARE_REPLY_MAX bytes
 * @size: size of @buf
 *
 * Return: the length, PORTSHARE_E_INVALID or PORTSHARE_E_NO_SPACE.
 */
int portshare_reply_format_rate(int err, int cmd,
				const struct portshare_addr *primary,
				uint16_t reg_port, uint32_t lease,
				uint32_t rate, char *buf, size_t size);

/**
 * portshare_reply_format_verify() - write "102 VERIFY <cookie>"
 * @cookie: the cookie, written as 16 lower-case hex digits
 * @buf: where to write it, at least PORTSHARE_REPLY_MAX bytes
 * @size: the size of @buf
 *
 * Since LIBPORTSHARE_1.5.
 *
 * Return: the length (no NUL, no newline), or PORTSHARE_E_NO_SPACE.
 */
int portshare_reply_format_verify(uint64_t cookie, char *buf, size_t size);

/**
 * portshare_shutdown_parse() - parse a SHUTDOWN notice (Table 3)
 * @buf: the datagram
 * @len: its length; trailing CR, LF and NUL are ignored
 * @primary: the primary address it names
 * @reg_port: the registration port it names
 *
 * Return: 0, or PORTSHARE_E_BAD_MESSAGE.
 */
int portshare_shutdown_parse(const void *buf, size_t len,
			     struct portshare_addr *primary,
			     uint16_t *reg_port);

/**
 * portshare_shutdown_format() - write "SHUTDOWN <address> <port>"
 * @primary: the primary address of the secondary's "100 OK"
 * @reg_port: the registration port
 * @buf: where to write it, at least PORTSHARE_REPLY_MAX bytes
 * @size: size of @buf
 *
 * Return: the length, PORTSHARE_E_INVALID or PORTSHARE_E_NO_SPACE.
 */
int portshare_shutdown_format(const struct portshare_addr *primary,
			      uint16_t reg_port, char *buf, size_t size);

/* ---- codec: the encap header ---------------------------------------------- */

/**
 * struct portshare_copy_hdr - the encap header of a copy, decoded
 * @version: PORTSHARE_ENCAP_VERSION
 * @hdr_len: bytes from the start of the copy to the payload
 * @flags: as sent; none are defined yet
 * @origin: the original sender's address
 * @origin_port: the original sender's UDP port
 * @contested_port: the port the original was sent to
 * @secondary: the address the copy is for
 * @payload_len: bytes of payload after the header
 * @seq: the per-secondary sequence number
 * @timestamp_ns: when the primary received the original (CLOCK_REALTIME)
 */
struct portshare_copy_hdr {
	uint8_t version;
	uint8_t hdr_len;
	uint16_t flags;
	struct portshare_addr origin;
	uint16_t origin_port;
	uint16_t contested_port;
	struct portshare_addr secondary;
	uint32_t payload_len;
	uint32_t seq;
	uint64_t timestamp_ns;
};

/**
 * portshare_encap_parse() - decode an encap copy
 * @buf: the copy's UDP payload
 * @len: its length
 * @hdr: the decoded header
 * @payload: set to the payload inside @buf; may be NULL
 *
 * Checks the magic, the version (1), hdr_len (at least 64, within @len),
 * both families, and that payload_len is exactly what follows the header.
 * Unknown trailing header bytes (a longer hdr_len) are skipped.
 *
 * Return: 0, or PORTSHARE_E_BAD_MESSAGE.
 */
int portshare_encap_parse(const void *buf, size_t len,
			  struct portshare_copy_hdr *hdr,
			  const void **payload);

/**
 * portshare_encap_write() - write a version 1 encap header
 * @hdr: the header; version, hdr_len and flags are ignored (1, 64, 0)
 * @buf: at least PORTSHARE_ENCAP_HDR_LEN bytes
 * @size: size of @buf
 *
 * Return: PORTSHARE_ENCAP_HDR_LEN, PORTSHARE_E_INVALID or
 * PORTSHARE_E_NO_SPACE.
 */
int portshare_encap_write(const struct portshare_copy_hdr *hdr, void *buf,
			  size_t size);

/**
 * portshare_default_reg_port() - contested port + 13000 (Table 1)
 * @port: the contested port
 *
 * Return: the registration port, or 0 above 52535 (it must be given).
 */
uint16_t portshare_default_reg_port(uint16_t port);

/* ---- the secondary API (FIG. 5) ------------------------------------------ */

struct portshare_sec;

/**
 * struct portshare_reg_opts - how to register on one contested port
 * @reg_port: the primary's registration port; 0 for the default
 * @mode: enum portshare_mode; the default (zero) is encap
 * @own_socket: receive this port's copies on a data socket of its own
 *              instead of the shared one (one per address family)
 * @data_port: with @own_socket, the port to bind it to (0: any free one)
 * @timeout_ms: how long to wait for the reply, with two retries within it;
 *              0 means 1000
 */
struct portshare_reg_opts {
	uint16_t reg_port;
	int mode;
	bool own_socket;
	uint16_t data_port;
	int timeout_ms;
};

/**
 * struct portshare_reg_info - one registration, as the primary confirmed it
 * @primary: the primary address of "100 OK" (else the address sent to)
 * @port: the contested port
 * @reg_port: the registration port
 * @data_port: where the copies go
 * @mode: the delivery mode asked for
 * @local: the secondary's address, the one in the ADD
 * @active: not yet dropped or shut down
 * @copies: copies received
 * @lost: copies missing, from gaps in the sequence (encap only)
 * @reordered: copies that came after a later one (encap only)
 */
struct portshare_reg_info {
	struct portshare_addr primary;
	uint16_t port;
	uint16_t reg_port;
	uint16_t data_port;
	int mode;
	struct portshare_addr local;
	bool active;
	uint64_t copies;
	uint64_t lost;
	uint64_t reordered;
};

enum portshare_event_type {
	PORTSHARE_EV_COPY = 1,		/* a copy of a datagram */
	PORTSHARE_EV_SHUTDOWN,		/* the primary stops sharing */
	/* a lease could not be renewed: the primary refused the refresh, or
	 * did not answer before the lease ran out (LIBPORTSHARE_1.3) */
	PORTSHARE_EV_EXPIRED,
};

/**
 * struct portshare_event - what portshare_sec_recv() received
 * @type: enum portshare_event_type
 * @reg: the registration it belongs to (portshare_sec_register()'s
 *       value), or -1 for a transparent copy on a shared socket that more
 *       than one transparent registration uses
 * @mode: the mode of that registration
 * @has_hdr: @hdr is valid (encap copies)
 * @hdr: the decoded encap header
 * @lost: copies missing just before this one (encap only)
 * @from: the datagram's source: the primary, or for transparent copies
 *        the original sender
 * @from_port: its port
 * @payload: the original payload; valid until the next call on the
 *           same struct portshare_sec
 * @len: its length
 */
struct portshare_event {
	int type;
	int reg;
	int mode;
	bool has_hdr;
	struct portshare_copy_hdr hdr;
	uint32_t lost;
	struct portshare_addr from;
	uint16_t from_port;
	const void *payload;
	size_t len;
};

/**
 * portshare_sec_new() - a secondary with no registration yet
 * @secp: set to the new secondary
 *
 * Return: 0, or a negated errno.
 */
int portshare_sec_new(struct portshare_sec **secp);

/**
 * portshare_sec_register() - register with a primary (ADD)
 * @sec: the secondary
 * @primary: the primary's host: an address or a host name, resolved
 *           here (the request always carries an address)
 * @port: the contested port
 * @opts: options; NULL for the defaults (encap, shared data socket)
 *
 * Sends "ADD <own address> <port> <data port> [mode=...]" to the
 * registration port from a socket of its own, and waits for the reply.
 * The own address is the one the route to @primary uses, as the primary
 * allows only that one (DESIGN §7).  A lost reply is retried; "200 ERROR.
 * Already Added" to a retry means the first one got through.
 *
 * Return: the registration number (>= 0), or a negated errno or
 * PORTSHARE_E_* value (a refusal is the primary's reply).
 */
int portshare_sec_register(struct portshare_sec *sec, const char *primary,
			   uint16_t port, const struct portshare_reg_opts *opts);

/**
 * portshare_sec_register_from() - register for datagrams from some sources
 * @sec: the secondary
 * @primary: as for portshare_sec_register()
 * @port: the contested port
 * @opts: options; NULL for the defaults
 * @from: the source filter (DESIGN §9): the primary copies only datagrams
 *        whose source is in one of these networks and counts the others
 *        as skip_filtered; may be NULL if @n is 0
 * @n: how many, 0..PORTSHARE_FROM_MAX; 0 is portshare_sec_register()
 *
 * The ADD carries a from= option per prefix
 * (portshare_request_format_from()); portshare_sec_failover() sends the
 * same filter again.  The encap sequence numbers count the datagrams the
 * filter left out too, so they look lost in portshare_reg_info.lost and
 * portshare_event.lost: the primary's skip_filtered tells them apart.
 *
 * Return: as portshare_sec_register(); also PORTSHARE_E_INVALID or
 * PORTSHARE_E_HOST_BITS for a bad filter (nothing is sent then), and
 * PORTSHARE_E_UNKNOWN_OPTION from a primary without source filters.
 */
int portshare_sec_register_from(struct portshare_sec *sec,
				const char *primary, uint16_t port,
				const struct portshare_reg_opts *opts,
				const struct portshare_prefix *from, size_t n);

/**
 * portshare_sec_register_lease() - register for a limited time, renewed
 * @sec: the secondary
 * @primary: as for portshare_sec_register()
 * @port: the contested port
 * @opts: options; NULL for the defaults
 * @from: the source filter, as for portshare_sec_register_from()
 * @n: how many prefixes in @from
 * @lease: seconds to ask for, 1..PORTSHARE_LEASE_MAX; 0 asks for none
 *         (the port's lease, if the primary has one, still applies)
 *
 * The ADD carries lease=@lease.  The primary grants it or its port's
 * shorter lease ("100 OK <address> <port> lease=SECONDS"; with no
 * lease= in the reply the asked one is assumed) and drops the
 * registration once that runs out without a refresh.  The library
 * refreshes it by itself at a third of the granted lease by sending the
 * same ADD again ("200 ERROR. Already Added" is the primary's yes), from
 * portshare_sec_recv(): call it at least as often as
 * portshare_sec_timeout() says.  A lease the primary grants on its own
 * (its port's, on a plain ADD) is refreshed alike.
 *
 * Return: as portshare_sec_register_from(); also PORTSHARE_E_INVALID
 * for @lease beyond PORTSHARE_LEASE_MAX, PORTSHARE_E_UNKNOWN_OPTION from
 * a primary without leases.
 */
int portshare_sec_register_lease(struct portshare_sec *sec,
				 const char *primary, uint16_t port,
				 const struct portshare_reg_opts *opts,
				 const struct portshare_prefix *from, size_t n,
				 uint32_t lease);

/**
 * portshare_sec_lease() - the lease a registration holds
 * @sec: the secondary
 * @reg: the registration
 * @lease: set to the granted lease in seconds, 0 for none
 *
 * Return: 0, or PORTSHARE_E_INVALID if there is no such registration.
 */
int portshare_sec_lease(const struct portshare_sec *sec, int reg,
			uint32_t *lease);

/**
 * portshare_sec_register_rate() - register with a rate cap
 * @sec: the secondary
 * @primary: as for portshare_sec_register()
 * @port: the contested port
 * @opts: options; NULL for the defaults
 * @from: the source filter, as for portshare_sec_register_from()
 * @n: how many prefixes in @from
 * @lease: as for portshare_sec_register_lease()
 * @rate: copies per second to ask for at most, 1..PORTSHARE_RATE_MAX; 0
 *        asks for none (the port's cap, if the primary has one, applies)
 *
 * The ADD carries rate=@rate; the primary grants it or its port's lower
 * cap ("100 OK <address> <port> rate=PPS") and counts the copies over it
 * as drop_ratelimited, not sent: in encap mode they are gaps in the
 * sequence, losses.  A lease's refresh and portshare_sec_failover() send
 * the same rate= again.
 *
 * Return: as portshare_sec_register_lease(); also PORTSHARE_E_INVALID
 * for @rate beyond PORTSHARE_RATE_MAX, PORTSHARE_E_UNKNOWN_OPTION from a
 * primary without rate caps.
 */
int portshare_sec_register_rate(struct portshare_sec *sec,
				const char *primary, uint16_t port,
				const struct portshare_reg_opts *opts,
				const struct portshare_prefix *from, size_t n,
				uint32_t lease, uint32_t rate);

/**
 * portshare_sec_rate() - the rate cap a registration was granted
 * @sec: the secondary
 * @reg: the registration
 * @rate: set to the granted copies per second, 0 for none
 *
 * Return: 0, or PORTSHARE_E_INVALID if there is no such registration.
 */
int portshare_sec_rate(const struct portshare_sec *sec, int reg,
		       uint32_t *rate);

/**
 * portshare_sec_timeout() - how long a caller's own poll may wait
 * @sec: the secondary
 *
 * For a program that polls portshare_sec_fd() with other descriptors:
 * wait at most this long, then call portshare_sec_recv() (a timeout of
 * 0 is enough) so that leases are refreshed in time.
 *
 * Return: milliseconds until the next refresh is due (0: now), or -1
 * when no active registration has a lease.
 */
int portshare_sec_timeout(const struct portshare_sec *sec);

/**
 * portshare_sec_fd() - a descriptor to poll for readability
 * @sec: the secondary
 *
 * It is readable when a copy or notice is waiting on any data socket
 * (an epoll descriptor).
 *
 * Return: the descriptor; it belongs to @sec.
 */
int portshare_sec_fd(const struct portshare_sec *sec);

/**
 * portshare_sec_recv() - the next copy or SHUTDOWN notice
 * @sec: the secondary
 * @ev: the event
 * @timeout_ms: how long to wait: 0 not at all, -1 for ever
 *
 * Datagrams that belong to no registration (wrong source, bad encap
 * header) are skipped and counted in portshare_sec_foreign().  A
 * SHUTDOWN ends every registration with that primary address and
 * registration port; they are not dropped on close.
 *
 * Leases are refreshed here when due (portshare_sec_register_lease()),
 * before anything is read and while waiting; a refresh waits for its
 * reply, for at most a sixth of the lease (100 ms to 1 s).  A refresh
 * the primary refuses, or one it has not answered when the lease runs
 * out, ends the registration: PORTSHARE_EV_EXPIRED, after which
 * portshare_sec_failover() may register it again.  A refresh answered
 * with "100 OK" (the primary had dropped it, or is a new one) registers
 * it anew: its sequence restarts at 0.
 *
 * Return: 1 with @ev filled, 0 if nothing came in time, or a negated
 * errno (-EINTR when a signal interrupted the wait).
 */
int portshare_sec_recv(struct portshare_sec *sec, struct portshare_event *ev,
		       int timeout_ms);

/**
 * portshare_sec_drop() - unregister one registration (DROP)
 * @sec: the secondary
 * @reg: the registration
 * @timeout_ms: how long to wait for "100 OK"; 0 means 1000
 *
 * The registration ends even if the primary does not answer.
 *
 * Return: 0, PORTSHARE_E_CLOSED if it had already ended, or the error.
 */
int portshare_sec_drop(struct portshare_sec *sec, int reg, int timeout_ms);

/**
 * portshare_sec_info() - a registration's details and counters
 * @sec: the secondary
 * @reg: the registration
 * @info: the result
 *
 * Return: 0, or PORTSHARE_E_INVALID if there is no such registration.
 */
int portshare_sec_info(const struct portshare_sec *sec, int reg,
		       struct portshare_reg_info *info);

/**
 * struct portshare_failover_opts - recovering from a SHUTDOWN (FIG. 5)
 * @delay_ms: wait at least this long after the SHUTDOWN, so the old
 *            primary is gone; 0 means 200
 * @jitter_ms: plus a random part up to this, so that the secondaries do
 *             not all try at once; 0 means 300
 * @timeout_ms: give up this long after the SHUTDOWN; 0 means 10000
 * @become_primary: try to become the primary of @port (e.g. start psd
 *                  for it): called once per round before registering;
 *                  NULL to only wait for another primary.  Binding the
 *                  contested port decides who wins: exactly one can.
 * @arg: passed to @become_primary
 */
struct portshare_failover_opts {
	int delay_ms;
	int jitter_ms;
	int timeout_ms;
	void (*become_primary)(uint16_t port, uint16_t reg_port, void *arg);
	void *arg;
};

/**
 * portshare_sec_failover() - register again after a SHUTDOWN
 * @sec: the secondary
 * @reg: a registration ended by SHUTDOWN (PORTSHARE_EV_SHUTDOWN)
 * @opts: options; NULL for the defaults and no @become_primary
 * @gap_ns: set to the time from the SHUTDOWN to the new registration;
 *          may be NULL
 *
 * The seed's negotiation (FIG. 5 step 126): wait the delay and a jitter,
 * try to become the primary, then ADD at the same registration port with
 * the same data socket, address, mode and source filter; repeat in short
 * rounds until a primary answers or the timeout passes.  The registration
 * number stays the same; its sequence restarts at 0.
 *
 * Return: 0 once registered again; PORTSHARE_E_NO_REPLY (or the last
 * error) at the timeout; a refusal at once; PORTSHARE_E_INVALID if @reg
 * is active or unknown.
 */
int portshare_sec_failover(struct portshare_sec *sec, int reg,
			   const struct portshare_failover_opts *opts,
			   uint64_t *gap_ns);

/** portshare_sec_count() - registrations made so far (ended ones too) */
int portshare_sec_count(const struct portshare_sec *sec);

/** portshare_sec_foreign() - datagrams skipped by portshare_sec_recv() */
uint64_t portshare_sec_foreign(const struct portshare_sec *sec);

/**
 * portshare_sec_close() - drop every active registration and free @sec
 * @sec: the secondary, or NULL
 *
 * Sends DROP for each registration that is still active and waits for
 * the replies for at most 500 ms in all.
 */
void portshare_sec_close(struct portshare_sec *sec);

/* ---- the primary API (FIGs. 3 and 4) ---------------------------------- */

struct portshare_primary;

/* Most contested ports and acl entries one primary holds. */
#define PORTSHARE_PRIMARY_MAX_PORTS	64
#define PORTSHARE_PRIMARY_MAX_ACL	256

/* Why a copy was not sent: index of portshare_list_entry.drops[]. */
enum portshare_drop {
	PORTSHARE_DROP_NOMEM,		/* the kernel had no buffer */
	PORTSHARE_DROP_NOROUTE,		/* no route to the secondary */
	PORTSHARE_DROP_XMIT,		/* not accepted at once, or no raw socket */
	PORTSHARE_DROP_FAMILY,		/* no socket or source of its family */
	PORTSHARE_DROP_TOOBIG,		/* too big for one IP datagram */
	PORTSHARE_NDROP,
};

/* Registration port counters: index of portshare_port_info.reg[]. */
enum portshare_reg_counter {
	PORTSHARE_REG_REQUESTS,		/* datagrams received */
	PORTSHARE_REG_OK,		/* answered 100 OK */
	PORTSHARE_REG_ERRORS,		/* answered with an error code */
	PORTSHARE_REG_DENIED,		/* silent: source not allowed (acl) */
	PORTSHARE_REG_RATE_LIMITED,	/* silent: over the source's rate */
	PORTSHARE_REG_NOT_PERMITTED,	/* answered 400 */
	PORTSHARE_REG_LIST_FULL,	/* answered 401 */
	PORTSHARE_REG_IGNORED,		/* silent by rule (docs/protocol.md) */
	PORTSHARE_NREG,
};

/**
 * struct portshare_list_entry - one secondary on a distribution list
 * @addr: its address
 * @data_port: where its copies go
 * @mode: enum portshare_mode
 * @src: the address its copies and SHUTDOWN come from (the primary
 *       address of its "100 OK"); family 0 lets the route choose
 * @seq: the sequence number of its next encap copy
 * @copies: copies sent
 * @bytes: payload bytes sent
 * @drops: copies not sent, by enum portshare_drop
 *
 * To portshare_primary_sec_add() only @addr, @data_port, @mode and @src
 * matter; the counters start at 0.  A secondary's source filter and the
 * datagrams it skipped are portshare_primary_sec_from()'s: this struct
 * keeps its size for programs built against LIBPORTSHARE_1.1.
 */
struct portshare_list_entry {
	struct portshare_addr addr;
	uint16_t data_port;
	uint8_t mode;
	struct portshare_addr src;
	uint32_t seq;
	uint64_t copies;
	uint64_t bytes;
	uint64_t drops[PORTSHARE_NDROP];
};

/**
 * struct portshare_port_info - a contested port of a primary
 * @port: the contested port
 * @reg_port: its registration port
 * @standalone: the registration port could not be bound (FIG. 3): no
 *              secondary can register, copies leave from the contested port
 * @reg_error: why it could not be bound (a negated errno), else 0
 * @nsecs: secondaries on its list
 * @rx: datagrams received
 * @shared: datagrams copied to at least one secondary
 * @err_loop: datagrams not shared because they are encap copies
 * @reg: the registration port's counters, by enum portshare_reg_counter
 */
struct portshare_port_info {
	uint16_t port;
	uint16_t reg_port;
	bool standalone;
	int reg_error;
	unsigned int nsecs;
	uint64_t rx;
	uint64_t shared;
	uint64_t err_loop;
	uint64_t reg[PORTSHARE_NREG];
};

/**
 * struct portshare_request_log - one ADD or DROP a primary carried out
 * @port: the contested port
 * @cmd: PORTSHARE_REQ_ADD or PORTSHARE_REQ_DROP
 * @addr: the secondary's address
 * @data_port: its data port
 * @from: the request's source address
 * @from_port: its source port
 * @error: 0, or the refusal it was answered with
 * @reason: PORTSHARE_REASON_WIRE for a request; PORTSHARE_REASON_EXPIRED
 *          for a secondary whose lease ran out (@cmd is
 *          PORTSHARE_REQ_DROP, @from is unset: no request, no SHUTDOWN)
 * @lease: the lease of the secondary in seconds, 0 for none: granted by
 *         a successful ADD, or the one that expired
 * @rate: the rate cap a successful ADD granted, copies per second; 0 for
 *        none
 * @hold: for PORTSHARE_REASON_UNREACHABLE (@cmd PORTSHARE_REQ_DROP, @from
 *        unset, no SHUTDOWN), the hold that ran out: the seconds the
 *        secondary was dead; else 0
 *
 * The library fills this in and hands it to on_request: @reason and
 * @lease came with LIBPORTSHARE_1.3, @rate with 1.4, @hold with 1.6,
 * after the fields programs built against older versions read.
 */
struct portshare_request_log {
	uint16_t port;
	int cmd;
	struct portshare_addr addr;
	uint16_t data_port;
	struct portshare_addr from;
	uint16_t from_port;
	int error;
	uint8_t reason;
	uint32_t lease;
	uint32_t rate;
	uint32_t hold;
};

/**
 * struct portshare_primary_opts - a primary's rules (portshare.ko's
 *                                 module parameters and port options)
 * @max_secondaries: cap of every distribution list, 1..4096 (401 beyond)
 * @reg_rate: requests per second each source (an IPv4 address or an IPv6
 *            /64) may send after its burst; 0 turns the limit off
 * @reg_burst: requests each source may send at once, >= 1
 * @on_request: called after every well-formed ADD or DROP and for every
 *              lease that expires, or NULL; it
 *              runs in the middle of the request and may only read the
 *              primary (portshare_primary_ports(), _port_info(),
 *              _sec_info()): a port removed or the primary closed from
 *              it would be used after it is freed
 * @arg: passed to @on_request
 *
 * portshare_primary_opts_init() fills in the defaults: 64, 10, 20.
 */
struct portshare_primary_opts {
	unsigned int max_secondaries;
	unsigned int reg_rate;
	unsigned int reg_burst;
	void (*on_request)(const struct portshare_request_log *log, void *arg);
	void *arg;
};

/**
 * struct portshare_request_env - where a registration datagram came from
 * @from: its source address
 * @from_port: its source port
 * @to: the local address it was sent to (IP_PKTINFO); it becomes the
 *      primary address of the "100 OK", except for a third party: that
 *      gets the source address routing picks towards it, as from
 *      portshare.ko
 */
struct portshare_request_env {
	struct portshare_addr from;
	uint16_t from_port;
	struct portshare_addr to;
};

/**
 * struct portshare_datagram - a datagram received on a contested port
 * @origin: its sender's address
 * @origin_port: its sender's port
 * @payload: the UDP payload
 * @len: its length
 * @timestamp_ns: when it arrived (CLOCK_REALTIME); 0 means now
 */
struct portshare_datagram {
	struct portshare_addr origin;
	uint16_t origin_port;
	const void *payload;
	size_t len;
	uint64_t timestamp_ns;
};

/** portshare_primary_opts_init() - the defaults: 64 secondaries, 10/s, 20 */
void portshare_primary_opts_init(struct portshare_primary_opts *opts);

/**
 * portshare_primary_new() - a primary without ports yet
 * @prip: set to the new primary
 * @opts: its rules; NULL for the defaults
 *
 * Opens the raw sockets transparent copies are sent through.  They need
 * CAP_NET_RAW now, not later: a program may drop its privileges after
 * this call and after binding its ports.  Without them transparent copies
 * are counted as PORTSHARE_DROP_XMIT (portshare_primary_transparent()).
 *
 * Return: 0; PORTSHARE_E_INVALID for options out of range; -ENOMEM or
 * another negated errno.
 */
int portshare_primary_new(struct portshare_primary **prip,
			  const struct portshare_primary_opts *opts);

/**
 * portshare_primary_transparent() - can transparent copies be sent?
 * @pri: the primary
 *
 * Return: 0, or the negated errno the raw socket failed with (-EPERM
 * without CAP_NET_RAW).
 */
int portshare_primary_transparent(const struct portshare_primary *pri);

/**
 * portshare_primary_acl_add() - let a network register (psnl acl add)
 * @pri: the primary
 * @net: the network; the bits beyond @prefix_len must be zero
 * @prefix_len: 0..32 for IPv4, 0..128 for IPv6
 * @third_party: its requests may name addresses other than their own
 *
 * The host's own addresses may always register; entries only grant.
 *
 * Return: 0; PORTSHARE_E_INVALID (family, length),
 * PORTSHARE_E_HOST_BITS or PORTSHARE_E_TABLE_FULL; nothing changes then.
 */
int portshare_primary_acl_add(struct portshare_primary *pri,
			      const struct portshare_addr *net,
			      unsigned int prefix_len, bool third_party);

/**
 * portshare_primary_acl_add_flags() - let a network register, with flags
 * @pri: the primary
 * @net: the network, as for portshare_primary_acl_add()
 * @prefix_len: as for portshare_primary_acl_add()
 * @flags: PORTSHARE_ACL_F_* of <linux/portshare.h>, OR-ed:
 *         PORTSHARE_ACL_F_THIRD_PARTY as @third_party above;
 *         PORTSHARE_ACL_F_VERIFY: an ADD or DROP from the network without
 *         a good cookie= changes nothing and is answered "102 VERIFY
 *         <cookie>" (docs/protocol.md §1.8), counted by
 *         portshare_primary_reg_verify()
 *
 * The flags of every entry a source matches are OR-ed.  Since
 * LIBPORTSHARE_1.5.
 *
 * Return: as portshare_primary_acl_add(); also PORTSHARE_E_INVALID for
 * an unknown flag.
 */
int portshare_primary_acl_add_flags(struct portshare_primary *pri,
				    const struct portshare_addr *net,
				    unsigned int prefix_len, unsigned int flags);

/**
 * portshare_primary_add_port() - become the primary of a port (FIG. 3)
 * @pri: the primary
 * @port: the contested port
 * @reg_port: its registration port; 0 for @port + 13000
 *
 * Binds @port (IPv4, and IPv6 where the host has it), then @reg_port.
 * If @port cannot be bound another application is its primary: the
 * negated errno (-EADDRINUSE) is returned and nothing changes.  If
 * @reg_port cannot be bound the port runs standalone: only secondaries
 * added with portshare_primary_sec_add() get copies.
 *
 * Return: 0 as primary, 1 standalone (portshare_port_info.reg_error says
 * why); a negated errno; PORTSHARE_E_INVALID for port 0,
 * PORTSHARE_E_NO_REG_PORT above 52535 without @reg_port,
 * PORTSHARE_E_PORT_CONFLICT if either port is already one of this
 * primary's contested ports or both are the same,
 * PORTSHARE_E_TABLE_FULL beyond PORTSHARE_PRIMARY_MAX_PORTS.
 */
int portshare_primary_add_port(struct portshare_primary *pri, uint16_t port,
			       uint16_t reg_port);

/**
 * portshare_primary_remove_port() - stop sharing a port (Table 3)
 * @pri: the primary
 * @port: the contested port
 *
 * Sends SHUTDOWN to every secondary (not for a standalone port: it has no
 * registration port to name), purges the list and closes the sockets.
 *
 * Return: 0, or PORTSHARE_E_UNKNOWN_PORT.
 */
int portshare_primary_remove_port(struct portshare_primary *pri,
				  uint16_t port);

/**
 * portshare_primary_sec_add() - put a secondary on a list (psnl add)
 * @pri: the primary
 * @port: the contested port
 * @sec: the secondary: @addr, @data_port (1..65535), @mode and @src
 *       (family 0: the source routing picks for @addr)
 *
 * Return: 0; PORTSHARE_E_UNKNOWN_PORT, PORTSHARE_E_INVALID (address,
 * port or mode), or the refusal a registration would get:
 * PORTSHARE_E_LOOP, PORTSHARE_E_ALREADY_ADDED, PORTSHARE_E_LIST_FULL,
 * PORTSHARE_E_NO_RESOURCES.
 */
int portshare_primary_sec_add(struct portshare_primary *pri, uint16_t port,
			      const struct portshare_list_entry *sec);

/**
 * portshare_primary_sec_add_from() - add a secondary with a source filter
 *                                    (psnl add ... from PREFIX)
 * @pri: the primary
 * @port: the contested port
 * @sec: the secondary, as for portshare_primary_sec_add()
 * @from: its source filter: it gets copies only of datagrams whose source
 *        is in one of these networks (DESIGN §9); may be NULL if @n is 0
 * @n: how many, 0..PORTSHARE_FROM_MAX; 0 is no filter, every source
 *
 * A datagram the filter leaves out is counted in the secondary's
 * skipped_filtered (portshare_primary_sec_from()), not as a drop.  It
 * uses no encap sequence number, as in portshare.ko: a gap in a filtered
 * secondary's sequence is a loss, as in any other's.
 *
 * Return: as portshare_primary_sec_add(); also PORTSHARE_E_INVALID for
 * more than PORTSHARE_FROM_MAX prefixes or a prefix whose family or
 * length is out of range, PORTSHARE_E_HOST_BITS for one with bits set
 * after its length.  Nothing changes on an error; an existing secondary
 * (PORTSHARE_E_ALREADY_ADDED) keeps its filter.
 */
int portshare_primary_sec_add_from(struct portshare_primary *pri,
				   uint16_t port,
				   const struct portshare_list_entry *sec,
				   const struct portshare_prefix *from,
				   size_t n);

/**
 * portshare_primary_port_lease() - the lease of wire registrations
 * @pri: the primary
 * @port: the contested port
 * @lease: seconds, 1..PORTSHARE_LEASE_MAX; 0 for none (the default)
 *
 * A wire ADD that puts a secondary on the list from now on gets the
 * shorter of @lease and its own lease= (any lease= when @lease is 0),
 * told in its "100 OK ... lease=SECONDS"; a repeated ADD of it renews
 * the lease it got.  One not renewed in time is dropped without
 * SHUTDOWN, with on_request's reason PORTSHARE_REASON_EXPIRED, within
 * the next portshare_primary_dispatch() (or portshare_primary_expire()).
 * Secondaries already on the list keep their lease.
 *
 * Return: 0, PORTSHARE_E_UNKNOWN_PORT, or PORTSHARE_E_INVALID beyond
 * PORTSHARE_LEASE_MAX.
 */
int portshare_primary_port_lease(struct portshare_primary *pri,
				 uint16_t port, uint32_t lease);

/**
 * portshare_primary_sec_add_lease() - add a secondary for a limited time
 * @pri: the primary
 * @port: the contested port
 * @sec: the secondary, as for portshare_primary_sec_add()
 * @from: its source filter, as for portshare_primary_sec_add_from()
 * @n: how many prefixes in @from
 * @lease: seconds until it is dropped, 1..PORTSHARE_LEASE_MAX, unless a
 *         wire ADD of it renews it; 0 for none (the port's lease is for
 *         wire registrations only)
 *
 * Return: as portshare_primary_sec_add_from(); also PORTSHARE_E_INVALID
 * for @lease beyond PORTSHARE_LEASE_MAX.
 */
int portshare_primary_sec_add_lease(struct portshare_primary *pri,
				    uint16_t port,
				    const struct portshare_list_entry *sec,
				    const struct portshare_prefix *from,
				    size_t n, uint32_t lease);

/**
 * struct portshare_rate - a rate cap and the TTL of copies
 * @rate: copies per second at most, 0..PORTSHARE_RATE_MAX; 0 for no cap
 * @burst: copies at once, 1..PORTSHARE_RATE_MAX, only with @rate; 0 for
 *         the default, @rate (one second's worth)
 * @ttl: the IPv4 TTL or IPv6 hop limit of copies; 0 for the system's
 *
 * As portshare.ko: a copy over the cap (a GCRA, a token bucket of @burst
 * refilled at @rate) is not sent and is counted as drop_ratelimited; in
 * encap mode it uses its sequence number, so the secondary sees a loss.
 * The cap applies after the source filter: skipped datagrams spend none.
 */
struct portshare_rate {
	uint32_t rate;
	uint32_t burst;
	uint8_t ttl;
};

/**
 * portshare_primary_port_rate() - the rate cap and TTL of wire
 *                                 registrations
 * @pri: the primary
 * @port: the contested port
 * @r: the port's cap and TTL; NULL for none (the default)
 *
 * A wire ADD that puts a secondary on the list from now on gets @r's TTL
 * and its rate cap, or the lower one its rate= asks for, with @r's burst
 * scaled to it (a port of 100/s with a burst of 200 gives rate=10 a burst
 * of 20); the "100 OK" says " rate=PPS" when the ADD had rate= (as
 * portshare.ko: a secondary that does not know rate= must not see it).
 * Secondaries already on the list keep theirs.
 *
 * Return: 0, PORTSHARE_E_UNKNOWN_PORT, or PORTSHARE_E_INVALID for a rate
 * or burst beyond PORTSHARE_RATE_MAX or a burst without a rate.
 */
int portshare_primary_port_rate(struct portshare_primary *pri, uint16_t port,
				const struct portshare_rate *r);

/**
 * portshare_primary_sec_add_rate() - add a secondary with a rate cap
 * @pri: the primary
 * @port: the contested port
 * @sec: the secondary, as for portshare_primary_sec_add()
 * @from: its source filter, as for portshare_primary_sec_add_from()
 * @n: how many prefixes in @from
 * @lease: its lease, as for portshare_primary_sec_add_lease()
 * @r: its own cap and TTL (the port's are for wire registrations only);
 *     NULL for none
 *
 * Return: as portshare_primary_sec_add_lease(); also PORTSHARE_E_INVALID
 * for a bad @r, as for portshare_primary_port_rate().
 */
int portshare_primary_sec_add_rate(struct portshare_primary *pri,
				   uint16_t port,
				   const struct portshare_list_entry *sec,
				   const struct portshare_prefix *from,
				   size_t n, uint32_t lease,
				   const struct portshare_rate *r);

/**
 * portshare_primary_sec_drop() - take a secondary off a list (psnl drop)
 * @pri: the primary
 * @port: the contested port
 * @addr: the secondary's address
 * @data_port: its data port
 *
 * Return: 0, PORTSHARE_E_UNKNOWN_PORT or PORTSHARE_E_NOT_IN_LIST.
 */
int portshare_primary_sec_drop(struct portshare_primary *pri, uint16_t port,
			       const struct portshare_addr *addr,
			       uint16_t data_port);

/**
 * portshare_primary_request() - carry out one registration datagram
 * @pri: the primary
 * @port: the contested port whose registration port received it
 * @env: where it came from and was sent to
 * @buf: the datagram
 * @len: its length
 * @reply: where the reply is written, PORTSHARE_REPLY_MAX bytes
 * @size: size of @reply
 *
 * Applies portshare.ko's rules in its order (docs/protocol.md §1): the
 * silences, the acl, the rate limit, the parser, the own-address rule,
 * the 402 check, the list and its cap; counts the outcome and updates the
 * list.  The caller sends the reply from @env->to and the registration
 * port to @env->from:@env->from_port.  portshare_primary_dispatch() does
 * all that itself.
 *
 * Return: the reply's length; 0 when the datagram gets no reply;
 * PORTSHARE_E_UNKNOWN_PORT, PORTSHARE_E_INVALID (a standalone port, a bad
 * @env) or PORTSHARE_E_NO_SPACE, and nothing changes.
 */
int portshare_primary_request(struct portshare_primary *pri, uint16_t port,
			      const struct portshare_request_env *env,
			      const void *buf, size_t len, char *reply,
			      size_t size);

/**
 * portshare_primary_forward() - copy datagrams to every secondary (FIG. 4)
 * @pri: the primary
 * @port: the contested port they arrived on
 * @dgs: the datagrams
 * @n: how many
 *
 * Sends each secondary its copies in its mode, in batches, from the
 * registration port (the contested port when standalone) and its @src,
 * or through a raw socket with the sender's address (transparent).  Never
 * blocks: a copy the kernel does not take at once is dropped and counted
 * against that secondary alone.  An encap copy is not shared again
 * (err_loop).
 *
 * Return: how many datagrams were shared, or PORTSHARE_E_UNKNOWN_PORT or
 * PORTSHARE_E_INVALID (NULL @dgs with @n > 0, @n > INT_MAX, a bad
 * origin), and nothing is sent.
 */
int portshare_primary_forward(struct portshare_primary *pri, uint16_t port,
			      const struct portshare_datagram *dgs,
			      size_t n);

/**
 * portshare_primary_fd() - a descriptor to poll for readability
 * @pri: the primary
 *
 * An epoll descriptor over every socket of every port, and a timer
 * for the next lease to expire; it belongs to @pri.
 *
 * Return: the descriptor.
 */
int portshare_primary_fd(const struct portshare_primary *pri);

/**
 * portshare_primary_dispatch() - serve what is waiting on the sockets
 * @pri: the primary
 * @timeout_ms: how long to wait for something: 0 not at all, -1 for ever
 *
 * Answers registration datagrams (at most 64 per socket and call) and
 * shares datagrams of contested ports (at most 64 per socket and call),
 * so neither starves the other, and drops secondaries whose lease ran
 * out (portshare_primary_expire()).
 *
 * Return: the number of sockets served, or a negated errno (-EINTR when a
 * signal interrupted the wait).
 */
int portshare_primary_dispatch(struct portshare_primary *pri, int timeout_ms);

/**
 * portshare_primary_ports() - the contested ports, in order of addition
 * @pri: the primary
 * @ports: filled with up to @n ports; may be NULL if @n is 0
 * @n: room in @ports
 *
 * Return: the number of ports (which may be more than @n).
 */
int portshare_primary_ports(const struct portshare_primary *pri,
			    uint16_t *ports, size_t n);

/**
 * portshare_primary_port_info() - a port's state and counters
 * @pri: the primary
 * @port: the contested port
 * @info: the result
 *
 * Return: 0 or PORTSHARE_E_UNKNOWN_PORT.
 */
int portshare_primary_port_info(const struct portshare_primary *pri,
				uint16_t port,
				struct portshare_port_info *info);

/**
 * portshare_primary_reg_verify() - requests a port answered "102 VERIFY"
 * @pri: the primary
 * @port: the contested port
 * @count: set to their number (reg_verify; counted in neither
 *         PORTSHARE_REG_OK nor PORTSHARE_REG_ERRORS)
 *
 * Not in struct portshare_port_info, whose size programs built against
 * older versions allocate.  Since LIBPORTSHARE_1.5.
 *
 * Return: 0 or PORTSHARE_E_UNKNOWN_PORT.
 */
int portshare_primary_reg_verify(const struct portshare_primary *pri,
				 uint16_t port, uint64_t *count);

/**
 * portshare_primary_sec_info() - one secondary of a port's list
 * @pri: the primary
 * @port: the contested port
 * @index: 0 .. portshare_port_info.nsecs - 1, in order of addition
 * @sec: the result
 *
 * Return: 0, PORTSHARE_E_UNKNOWN_PORT, or PORTSHARE_E_INVALID past the
 * end of the list.
 */
int portshare_primary_sec_info(const struct portshare_primary *pri,
			       uint16_t port, unsigned int index,
			       struct portshare_list_entry *sec);

/**
 * portshare_primary_sec_from() - one secondary's source filter
 * @pri: the primary
 * @port: the contested port
 * @index: as for portshare_primary_sec_info()
 * @from: filled with up to @n prefixes, in the order given; may be NULL
 *        if @n is 0
 * @n: room in @from; PORTSHARE_FROM_MAX is always enough
 * @skipped_filtered: set to the datagrams the filter left out (psnl's
 *                    skip_filtered); may be NULL
 *
 * Secondaries added by a wire ADD have the filter of its from= options.
 *
 * Return: the number of prefixes (0: no filter; may be more than @n),
 * PORTSHARE_E_UNKNOWN_PORT, or PORTSHARE_E_INVALID past the end of the
 * list or for a NULL @from with @n > 0.
 */
int portshare_primary_sec_from(const struct portshare_primary *pri,
			       uint16_t port, unsigned int index,
			       struct portshare_prefix *from, size_t n,
			       uint64_t *skipped_filtered);

/**
 * portshare_primary_sec_lease() - one secondary's lease
 * @pri: the primary
 * @port: the contested port
 * @index: as for portshare_primary_sec_info()
 * @lease: set to its lease in seconds, 0 for none; may be NULL
 * @left: set to the seconds until it expires, rounded up (0 for none,
 *        or when it is due); may be NULL
 *
 * Return: 0, PORTSHARE_E_UNKNOWN_PORT, or PORTSHARE_E_INVALID past the
 * end of the list.
 */
int portshare_primary_sec_lease(const struct portshare_primary *pri,
				uint16_t port, unsigned int index,
				uint32_t *lease, uint32_t *left);

/**
 * portshare_primary_sec_rate() - one secondary's rate cap and TTL
 * @pri: the primary
 * @port: the contested port
 * @index: as for portshare_primary_sec_info()
 * @r: set to its cap (@burst is the one in force: @rate when it was
 *     left to the default) and TTL; may be NULL
 * @drop_ratelimited: set to the copies not sent for the cap; may be NULL
 *
 * Return: 0, PORTSHARE_E_UNKNOWN_PORT, or PORTSHARE_E_INVALID past the
 * end of the list.
 */
int portshare_primary_sec_rate(const struct portshare_primary *pri,
			       uint16_t port, unsigned int index,
			       struct portshare_rate *r,
			       uint64_t *drop_ratelimited);

/**
 * struct portshare_dead - dead-secondary detection of a port
 * @errors: ICMP errors within @period that make a secondary dead,
 *          0..PORTSHARE_DEAD_ERRORS_MAX; 0 turns detection off (errors
 *          are still counted)
 * @period: seconds, 1..PORTSHARE_DEAD_PERIOD_MAX: the window the errors
 *          are counted in, and the time between two probes of a dead
 *          secondary
 * @hold: seconds, 0..PORTSHARE_LEASE_MAX, a secondary a wire ADD puts on
 *        the list may stay dead before it is dropped; 0 never drops it
 *
 * As portshare.ko (docs/protocol.md): an error is an ICMP or ICMPv6
 * destination unreachable of the codes that say the secondary cannot be
 * reached (not fragmentation needed, not packet too big) caused by one of
 * its copies, which portshare_primary_dispatch() reads from the sockets
 * the copies leave from (IP_RECVERR).  A secondary with @errors errors
 * within @period is dead: it gets one copy per @period, a probe, instead
 * of every one (the others are counted as dead_skipped); a probe that
 * draws no error within a second makes it up again.  One dead for its
 * hold is dropped without SHUTDOWN, with on_request's reason
 * PORTSHARE_REASON_UNREACHABLE.  Transparent copies carry their sender's
 * address, so their errors go to the sender: transparent secondaries are
 * never dead.  The order on the data path: source filter, dead check or
 * probe, rate cap.  A dead-skipped copy uses its encap sequence number.
 */
struct portshare_dead {
	uint32_t errors;
	uint32_t period;
	uint32_t hold;
};

/**
 * portshare_primary_port_dead() - dead-secondary detection of a port
 * @pri: the primary
 * @port: the contested port
 * @d: the options; NULL for the defaults, which a port has when it is
 *     added: PORTSHARE_DEAD_ERRORS_DEFAULT errors within
 *     PORTSHARE_DEAD_PERIOD_DEFAULT seconds, a hold of
 *     PORTSHARE_HOLD_DEFAULT seconds
 *
 * Every secondary of the port uses its @errors and @period at once; @hold
 * is what a wire ADD gets from now on (secondaries on the list keep
 * theirs).  Since LIBPORTSHARE_1.6.
 *
 * Return: 0, PORTSHARE_E_UNKNOWN_PORT, or PORTSHARE_E_INVALID for a
 * value out of its range; nothing changes on an error.
 */
int portshare_primary_port_dead(struct portshare_primary *pri, uint16_t port,
				const struct portshare_dead *d);

/**
 * portshare_primary_port_dead_get() - a port's dead-secondary detection
 * @pri: the primary
 * @port: the contested port
 * @d: set to its options
 *
 * Since LIBPORTSHARE_1.6.
 *
 * Return: 0 or PORTSHARE_E_UNKNOWN_PORT.
 */
int portshare_primary_port_dead_get(const struct portshare_primary *pri,
				    uint16_t port, struct portshare_dead *d);

/**
 * portshare_primary_sec_add_hold() - add a secondary with a hold
 * @pri: the primary
 * @port: the contested port
 * @sec: the secondary, as for portshare_primary_sec_add()
 * @from: its source filter, as for portshare_primary_sec_add_from()
 * @n: how many prefixes in @from
 * @lease: its lease, as for portshare_primary_sec_add_lease()
 * @r: its cap and TTL, as for portshare_primary_sec_add_rate()
 * @hold: seconds it may stay dead before it is dropped,
 *        0..PORTSHARE_LEASE_MAX; 0 never drops it (the default of every
 *        other portshare_primary_sec_add*(): the port's hold is for wire
 *        registrations only)
 *
 * Since LIBPORTSHARE_1.6.
 *
 * Return: as portshare_primary_sec_add_rate(); also PORTSHARE_E_INVALID
 * for @hold beyond PORTSHARE_LEASE_MAX.
 */
int portshare_primary_sec_add_hold(struct portshare_primary *pri,
				   uint16_t port,
				   const struct portshare_list_entry *sec,
				   const struct portshare_prefix *from,
				   size_t n, uint32_t lease,
				   const struct portshare_rate *r,
				   uint32_t hold);

/**
 * struct portshare_sec_state - a secondary's state and its counters
 * @state: PORTSHARE_STATE_UP or PORTSHARE_STATE_DEAD
 * @dead_for: seconds it has been dead, 0 while up
 * @hold: its own hold in seconds (portshare_primary_sec_add_hold()), 0
 *        for none; a wire registration's is its port's
 *        (portshare_primary_port_dead_get()), not reported here
 * @icmp_errors: ICMP errors its copies drew, also while dead and with
 *               detection off
 * @dead_skipped: datagrams not copied to it while dead (psnl's
 *                skip_dead): not drops, nothing was sent
 * @probes: copies sent to it while dead, one per dead period (also in
 *          its copies)
 */
struct portshare_sec_state {
	uint8_t state;
	uint32_t dead_for;
	uint32_t hold;
	uint64_t icmp_errors;
	uint64_t dead_skipped;
	uint64_t probes;
};

/**
 * portshare_primary_sec_state() - one secondary's state (up or dead)
 * @pri: the primary
 * @port: the contested port
 * @index: as for portshare_primary_sec_info()
 * @st: the result
 *
 * Since LIBPORTSHARE_1.6.
 *
 * Return: 0, PORTSHARE_E_UNKNOWN_PORT, or PORTSHARE_E_INVALID past the
 * end of the list.
 */
int portshare_primary_sec_state(const struct portshare_primary *pri,
				uint16_t port, unsigned int index,
				struct portshare_sec_state *st);

/**
 * struct portshare_state_log - a secondary went dead or up again
 * @port: the contested port
 * @addr: the secondary's address
 * @data_port: its data port
 * @st: its state after the change, and its counters
 * @dead_errors: the port's errors, @dead_period its period: going dead,
 *               @dead_errors errors came within @dead_period seconds
 * @dead_period: as above
 */
struct portshare_state_log {
	uint16_t port;
	struct portshare_addr addr;
	uint16_t data_port;
	struct portshare_sec_state st;
	uint32_t dead_errors;
	uint32_t dead_period;
};

/**
 * portshare_primary_on_state() - be told when a secondary goes dead or up
 * @pri: the primary
 * @cb: called after each change (portshare.ko's sec-state event), or
 *      NULL for none (the default); it may only read the primary, as
 *      on_request
 * @arg: passed to @cb
 *
 * Since LIBPORTSHARE_1.6.
 */
void portshare_primary_on_state(struct portshare_primary *pri,
				void (*cb)(const struct portshare_state_log *log,
					   void *arg),
				void *arg);

/**
 * portshare_primary_expire() - drop the secondaries whose lease ran out
 * @pri: the primary
 *
 * portshare_primary_dispatch() does this when the primary's descriptor
 * says a lease is due (a timer among its sockets); a program that reads
 * the sockets itself calls it when that descriptor is readable.  Since
 * LIBPORTSHARE_1.6 it also reads the ICMP errors waiting, draws the
 * verdicts of probes sent a second ago and drops, with reason
 * PORTSHARE_REASON_UNREACHABLE, secondaries dead for their hold
 * (portshare_primary_port_dead()).
 *
 * Return: how many secondaries were dropped.
 */
int portshare_primary_expire(struct portshare_primary *pri);

/**
 * portshare_primary_close() - stop sharing every port and free @pri
 * @pri: the primary, or NULL
 *
 * Sends SHUTDOWN to every secondary of every port that has a registration
 * port (Table 3), then closes every socket.
 */
void portshare_primary_close(struct portshare_primary *pri);

#ifdef __cplusplus
}
#endif

#endif /* PORTSHARE_LIB_H */
