// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The secondary side of the protocol (US 6,363,081 FIG. 5): registrations
 * with one or many primaries, the data sockets the copies arrive on,
 * decoding and loss counting, SHUTDOWN, and DROP on close.
 *
 * Requests go out from a short-lived control socket connected to the
 * registration port, so replies never mix with copies; the request names
 * its data port explicitly.  A data socket is either shared (one per
 * address family, for every registration that does not ask for its own)
 * or a registration's own.  Copies are matched to registrations by their
 * source, the pair of the "100 OK" reply; anything else on a data socket
 * is foreign and skipped, except transparent copies, which carry the
 * original sender's source and are matched by socket alone.  A
 * registration's source filter (from=) is kept with it, so failover asks
 * for the same sources, and its rate=, for the same cap.  So is its
 * lease: portshare_sec_recv() renews it at a third of what the primary
 * granted, with the very same ADD (rate= too), so that two refreshes may
 * be lost before the primary drops it.  A primary that wants proof of
 * the source address (an acl network with verify) answers "102 VERIFY
 * <cookie>": every ADD and DROP here sends the same request again with
 * the cookie, by itself, at most VERIFY_ROUNDS times in a row.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "portshare.h"
#include "primary.h"		/* pri_prefixes_check() */

#define DEFAULT_TIMEOUT_MS	1000
#define CLOSE_TIMEOUT_MS	500
#define ATTEMPTS		3
/* A cookie that does not do twice will not do: its replies are lost. */
#define VERIFY_ROUNDS		2
#define RECV_BUF		65536

struct dsock {
	int fd;
	uint8_t family;
	uint16_t port;
	bool shared;
};

struct reg {
	struct portshare_reg_info info;
	struct portshare_prefix from[PORTSHARE_FROM_MAX];	/* its ADD's */
	size_t nfrom;
	int sock;			/* index into sec->socks */
	uint32_t next_seq;
	struct sockaddr_storage to;	/* the registration port we asked */
	socklen_t tolen;
	int64_t shutdown_ms;		/* when its SHUTDOWN came or its
					 * lease ended (failover's start) */
	uint32_t lease_ask;		/* its ADD's lease=, or 0 */
	uint32_t lease;			/* granted, seconds; 0: none */
	uint32_t rate_ask;		/* its ADD's rate=, or 0 */
	uint32_t rate;			/* granted cap, per second; 0: none */
	int64_t refresh_ms;		/* when to renew it, if @lease */
	int64_t expires_ms;		/* when the primary drops it */
};

struct portshare_sec {
	int epfd;
	struct dsock *socks;
	int nsocks;
	struct reg *regs;
	int nregs;
	int rr;				/* next socket to read first */
	uint64_t foreign;
	uint8_t *buf;
};

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int left_ms(int64_t deadline)
{
	int64_t left = deadline - now_ms();

	return left > 0 ? (int)left : 0;
}

int portshare_sec_new(struct portshare_sec **secp)
{
	struct portshare_sec *sec = calloc(1, sizeof(*sec));

	if (!sec)
		return -ENOMEM;
	sec->buf = malloc(RECV_BUF);
	sec->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!sec->buf || sec->epfd < 0) {
		int err = sec->buf ? neg_errno() : -ENOMEM;

		if (sec->epfd >= 0)
			close(sec->epfd);
		free(sec->buf);
		free(sec);
		return err;
	}
	*secp = sec;
	return 0;
}

int portshare_sec_fd(const struct portshare_sec *sec)
{
	return sec->epfd;
}

int portshare_sec_count(const struct portshare_sec *sec)
{
	return sec->nregs;
}

uint64_t portshare_sec_foreign(const struct portshare_sec *sec)
{
	return sec->foreign;
}

int portshare_sec_info(const struct portshare_sec *sec, int reg,
		       struct portshare_reg_info *info)
{
	if (reg < 0 || reg >= sec->nregs)
		return PORTSHARE_E_INVALID;
	*info = sec->regs[reg].info;
	return 0;
}

static int resolve(const char *host, uint16_t port,
		   struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICSERV,
	};
	struct addrinfo *res;
	char serv[8];

	snprintf(serv, sizeof(serv), "%u", port);
	if (getaddrinfo(host, serv, &hints, &res) || !res)
		return PORTSHARE_E_RESOLVE;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* A control socket connected to @to, and the local address it uses. */
static int ctl_open(const struct sockaddr_storage *to, socklen_t tolen,
		    struct portshare_addr *local)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd, err;

	fd = socket(to->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return neg_errno();
	if (connect(fd, (const struct sockaddr *)to, tolen) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len)) {
		err = neg_errno();
		close(fd);
		return err;
	}
	err = portshare_addr_from_sockaddr((struct sockaddr *)&ss, local,
					   NULL);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/*
 * What a "100 OK" grants besides the primary pair; 0 for none.  Or the
 * cookie of a "102 VERIFY".
 */
struct grant {
	uint32_t lease;
	uint32_t rate;
	uint64_t cookie;
};

/*
 * Wait up to @ms for a reply to @cmd on @fd, and what it grants; ICMP
 * errors end it early.
 */
static int ctl_wait(int fd, int cmd, int ms, struct portshare_reply_msg *reply,
		    struct grant *g)
{
	int64_t deadline = now_ms() + ms;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[PORTSHARE_REQUEST_MAX + 1];
	ssize_t n;
	int ret;

	for (;;) {
		ret = poll(&pfd, 1, left_ms(deadline));
		if (ret < 0 && errno != EINTR)
			return neg_errno();
		if (ret <= 0) {
			if (!left_ms(deadline))
				return PORTSHARE_E_NO_REPLY;
			continue;
		}
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return neg_errno();
		if (!portshare_reply_parse_cookie(buf, (size_t)n, cmd, reply,
						  &g->lease, &g->rate,
						  &g->cookie))
			return 0;
	}
}

/*
 * Send @req, with the source filter, lease and rate of @r's ADD (NULL for
 * a DROP) and @cookie (NULL for none), on @fd up to ATTEMPTS times within
 * @ms until a reply comes; what it grants in @g.  A "200" to a retry
 * means an earlier attempt got through.
 */
static int ctl_send(int fd, const struct portshare_request *req,
		    const struct reg *r, const uint64_t *cookie, int ms,
		    struct portshare_reply_msg *reply, struct grant *g)
{
	char buf[PORTSHARE_REQUEST_MAX + 1];
	int len, i, ret = PORTSHARE_E_NO_REPLY;

	len = portshare_request_format_cookie(req, r ? r->from : NULL,
					      r ? r->nfrom : 0,
					      r ? r->lease_ask : 0,
					      r ? r->rate_ask : 0, cookie, buf,
					      sizeof(buf));
	if (len < 0)
		return len;
	for (i = 0; i < ATTEMPTS; i++) {
		if (send(fd, buf, (size_t)len, 0) < 0)
			return neg_errno();
		ret = ctl_wait(fd, req->cmd, ms / ATTEMPTS, reply, g);
		if (ret != PORTSHARE_E_NO_REPLY)
			break;
	}
	if (ret)
		return ret;
	if (i && (reply->error == PORTSHARE_E_ALREADY_ADDED ||
		  reply->error == PORTSHARE_E_NOT_IN_LIST))
		reply->error = 0;
	return reply->error;
}

/*
 * ctl_send(), and the same request with the cookie of each "102 VERIFY"
 * (docs/protocol.md §1.8), up to VERIFY_ROUNDS times; still 102 after
 * that is PORTSHARE_E_VERIFY.
 */
static int ctl_exchange(int fd, const struct portshare_request *req,
			const struct reg *r, int ms,
			struct portshare_reply_msg *reply, struct grant *g)
{
	const uint64_t *cookie = NULL;
	uint64_t last;
	int round, ret;

	for (round = 0;; round++) {
		ret = ctl_send(fd, req, r, cookie, ms, reply, g);
		if (ret != PORTSHARE_E_VERIFY || round == VERIFY_ROUNDS)
			return ret;
		last = g->cookie;
		cookie = &last;
	}
}

static int dsock_bind(uint8_t family, uint16_t port, uint16_t *bound)
{
	struct sockaddr_storage ss;
	struct portshare_addr any = { .family = family };
	socklen_t len = sizeof(ss);
	int fd, one = 1, err;

	fd = socket(family == PORTSHARE_FAMILY_INET ? AF_INET : AF_INET6,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return neg_errno();
	if (family == PORTSHARE_FAMILY_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	len = (socklen_t)portshare_addr_to_sockaddr(&any, port, &ss);
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		err = neg_errno();
		close(fd);
		return err;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	portshare_addr_from_sockaddr((struct sockaddr *)&ss, &any, bound);
	return fd;
}

/* The data socket for a new registration: the shared one or a new one. */
static int dsock_get(struct portshare_sec *sec, uint8_t family, bool own,
		     uint16_t port)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct dsock *socks;
	uint16_t bound = 0;
	int i, fd;

	for (i = 0; !own && i < sec->nsocks; i++)
		if (sec->socks[i].shared && sec->socks[i].family == family)
			return i;
	socks = realloc(sec->socks, (size_t)(sec->nsocks + 1) * sizeof(*socks));
	if (!socks)
		return -ENOMEM;
	sec->socks = socks;
	fd = dsock_bind(family, own ? port : 0, &bound);
	if (fd < 0)
		return fd;
	ev.data.u32 = (uint32_t)sec->nsocks;
	if (epoll_ctl(sec->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		i = neg_errno();
		close(fd);
		return i;
	}
	socks[sec->nsocks] = (struct dsock){
		.fd = fd, .family = family, .port = bound, .shared = !own,
	};
	return sec->nsocks++;
}

static int reg_add(struct portshare_sec *sec, const struct reg *r)
{
	struct reg *regs;

	regs = realloc(sec->regs, (size_t)(sec->nregs + 1) * sizeof(*regs));
	if (!regs)
		return -ENOMEM;
	sec->regs = regs;
	regs[sec->nregs] = *r;
	return sec->nregs++;
}

static bool mode_ok(int mode)
{
	return mode == PORTSHARE_MODE_ENCAP || mode == PORTSHARE_MODE_RAW ||
	       mode == PORTSHARE_MODE_TRANSPARENT;
}

/* The primary just (re)started @r's lease, if it has one: when to renew. */
static void lease_schedule(struct reg *r)
{
	int64_t now = now_ms();

	r->expires_ms = now + (int64_t)r->lease * 1000;
	r->refresh_ms = now + (int64_t)r->lease * 1000 / 3;
}

/*
 * The lease of a successful ADD: the reply's, else the asked one (a
 * "200" to a retry tells none: what was known stays).
 */
static void lease_take(struct reg *r, const struct portshare_reply_msg *reply,
		       uint32_t granted)
{
	if (reply->code == PORTSHARE_REPLY_OK)
		r->lease = granted ?: r->lease_ask;
	else if (!r->lease)
		r->lease = r->lease_ask;
	lease_schedule(r);
}

/*
 * ADD for @r on @fd (connected to r->to), with r->sock's data port; on
 * success r->info gets the primary pair of the reply and @r its lease
 * and rate cap.
 * A "200" to a retry of a refresh leaves the pair alone.
 */
static int reg_exchange(struct portshare_sec *sec, struct reg *r, int fd,
			int timeout_ms)
{
	struct portshare_request req = { .cmd = PORTSHARE_REQ_ADD };
	struct portshare_reply_msg reply;
	struct grant granted = { 0 };
	int ret;

	r->info.data_port = sec->socks[r->sock].port;
	req.addr = r->info.local;
	req.port = r->info.port;
	req.data_port = r->info.data_port;
	req.mode = r->info.mode == PORTSHARE_MODE_ENCAP ? -1 : r->info.mode;
	ret = ctl_exchange(fd, &req, r, timeout_ms ?: DEFAULT_TIMEOUT_MS,
			   &reply, &granted);
	if (ret)
		return ret;
	if (reply.has_primary) {
		r->info.primary = reply.primary;
		r->info.reg_port = reply.reg_port;
	} else if (!r->info.active) {
		portshare_addr_from_sockaddr((struct sockaddr *)&r->to,
					     &r->info.primary, NULL);
	}
	if (reply.code == PORTSHARE_REPLY_OK || !r->info.active)
		r->next_seq = 0;	/* a new entry on the primary's list */
	r->info.active = true;
	lease_take(r, &reply, granted.lease);
	if (reply.code == PORTSHARE_REPLY_OK)	/* a "200" tells none */
		r->rate = granted.rate;
	return 0;
}

/* Keep a valid source filter in @r, for the ADD and for failover's. */
static int filter_set(struct reg *r, const struct portshare_prefix *from,
		      size_t n)
{
	int err = pri_prefixes_check(from, n);

	if (err)
		return err;
	if (n)		/* memcpy() must not see a NULL @from, even for 0 */
		memcpy(r->from, from, n * sizeof(*from));
	r->nfrom = n;
	return 0;
}

int portshare_sec_register(struct portshare_sec *sec, const char *primary,
			   uint16_t port, const struct portshare_reg_opts *opts)
{
	return portshare_sec_register_from(sec, primary, port, opts, NULL, 0);
}

int portshare_sec_register_from(struct portshare_sec *sec,
				const char *primary, uint16_t port,
				const struct portshare_reg_opts *opts,
				const struct portshare_prefix *from, size_t n)
{
	return portshare_sec_register_lease(sec, primary, port, opts, from, n,
					    0);
}

int portshare_sec_register_lease(struct portshare_sec *sec,
				 const char *primary, uint16_t port,
				 const struct portshare_reg_opts *opts,
				 const struct portshare_prefix *from, size_t n,
				 uint32_t lease)
{
	return portshare_sec_register_rate(sec, primary, port, opts, from, n,
					   lease, 0);
}

int portshare_sec_register_rate(struct portshare_sec *sec,
				const char *primary, uint16_t port,
				const struct portshare_reg_opts *opts,
				const struct portshare_prefix *from, size_t n,
				uint32_t lease, uint32_t rate)
{
	static const struct portshare_reg_opts defaults;
	struct reg r = { 0 };
	int fd, ret;

	if (!opts)
		opts = &defaults;
	if (!port || !mode_ok(opts->mode) || lease > PORTSHARE_LEASE_MAX ||
	    rate > PORTSHARE_RATE_MAX)
		return PORTSHARE_E_INVALID;
	ret = filter_set(&r, from, n);
	if (ret)
		return ret;
	r.lease_ask = lease;
	r.rate_ask = rate;
	r.info.port = port;
	r.info.mode = opts->mode;
	r.info.reg_port = opts->reg_port ?: portshare_default_reg_port(port);
	if (!r.info.reg_port)
		return PORTSHARE_E_NO_REG_PORT;
	ret = resolve(primary, r.info.reg_port, &r.to, &r.tolen);
	if (ret)
		return ret;
	fd = ctl_open(&r.to, r.tolen, &r.info.local);
	if (fd < 0)
		return fd;
	r.sock = dsock_get(sec, r.info.local.family, opts->own_socket,
			   opts->data_port);
	ret = r.sock < 0 ? r.sock : reg_exchange(sec, &r, fd, opts->timeout_ms);
	close(fd);
	if (ret)
		return ret;
	return reg_add(sec, &r);
}

/* Sleep @ms, but not past @deadline. */
static void nap(int ms, int64_t deadline)
{
	struct timespec ts;
	int left = left_ms(deadline);

	if (ms > left)
		ms = left;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static bool retryable(int err)
{
	return err == PORTSHARE_E_NO_REPLY || err == -ECONNREFUSED ||
	       err == -EHOSTUNREACH || err == -ENETUNREACH;
}

int portshare_sec_failover(struct portshare_sec *sec, int reg,
			   const struct portshare_failover_opts *opts,
			   uint64_t *gap_ns)
{
	static const struct portshare_failover_opts defaults;
	unsigned int seed = (unsigned int)(getpid() ^ now_ms());
	int64_t start, deadline;
	int wait, fd, ret = PORTSHARE_E_NO_REPLY;
	struct reg *r;

	if (!opts)
		opts = &defaults;
	if (reg < 0 || reg >= sec->nregs || sec->regs[reg].info.active)
		return PORTSHARE_E_INVALID;
	r = &sec->regs[reg];
	start = r->shutdown_ms ? r->shutdown_ms : now_ms();
	deadline = start + (opts->timeout_ms ?: 10000);
	wait = (opts->delay_ms ?: 200) +
	       (int)(rand_r(&seed) % (unsigned int)(opts->jitter_ms ?: 300));
	while (left_ms(deadline)) {
		nap(wait, deadline);
		wait = 50 + (int)(rand_r(&seed) % 100);
		if (opts->become_primary)
			opts->become_primary(r->info.port, r->info.reg_port,
					     opts->arg);
		fd = ctl_open(&r->to, r->tolen, &r->info.local);
		if (fd < 0) {
			ret = fd;
			continue;
		}
		ret = reg_exchange(sec, r, fd, 300);
		close(fd);
		if (ret == PORTSHARE_E_ALREADY_ADDED) {
			r->info.active = true;
			lease_schedule(r);
			ret = 0;
		}
		if (!ret && gap_ns)
			*gap_ns = (uint64_t)(now_ms() - start) * 1000000ULL;
		if (!ret || !retryable(ret))
			return ret;
	}
	return ret;
}

static int drop_request(const struct reg *r, int *fdp)
{
	struct portshare_addr local;
	int fd;

	fd = ctl_open(&r->to, r->tolen, &local);
	if (fd < 0)
		return fd;
	*fdp = fd;
	return 0;
}

static void drop_fill(const struct reg *r, struct portshare_request *req)
{
	*req = (struct portshare_request){
		.cmd = PORTSHARE_REQ_DROP,
		.addr = r->info.local,
		.port = r->info.port,
		.data_port = r->info.data_port,
		.mode = -1,
	};
}

int portshare_sec_drop(struct portshare_sec *sec, int reg, int timeout_ms)
{
	struct portshare_request req;
	struct portshare_reply_msg reply;
	struct grant g;
	struct reg *r;
	int fd, ret;

	if (reg < 0 || reg >= sec->nregs)
		return PORTSHARE_E_INVALID;
	r = &sec->regs[reg];
	if (!r->info.active)
		return PORTSHARE_E_CLOSED;
	r->info.active = false;
	ret = drop_request(r, &fd);
	if (ret)
		return ret;
	drop_fill(r, &req);
	ret = ctl_exchange(fd, &req, NULL, timeout_ms ?: DEFAULT_TIMEOUT_MS,
			   &reply, &g);
	close(fd);
	return ret;
}

/*
 * One DROP of drop_all(), sent once (no time for retries) and once more
 * with the cookie of each "102 VERIFY", while @deadline allows.
 */
static void drop_once(int fd, const struct portshare_request *req,
		      int64_t deadline)
{
	char buf[PORTSHARE_REQUEST_MAX + 1];
	struct portshare_reply_msg reply;
	const uint64_t *cookie = NULL;
	struct grant g;
	uint64_t last;
	int round, len;

	for (round = 0; round <= VERIFY_ROUNDS; round++) {
		len = portshare_request_format_cookie(req, NULL, 0, 0, 0,
						      cookie, buf, sizeof(buf));
		if (len <= 0 || send(fd, buf, (size_t)len, 0) != len ||
		    ctl_wait(fd, PORTSHARE_REQ_DROP, left_ms(deadline), &reply,
			     &g) || reply.error != PORTSHARE_E_VERIFY)
			return;
		last = g.cookie;
		cookie = &last;
	}
}

/* Send every DROP, then collect replies until the deadline. */
static void drop_all(struct portshare_sec *sec)
{
	struct portshare_request req;
	int64_t deadline = now_ms() + CLOSE_TIMEOUT_MS;
	int i, fd;

	for (i = 0; i < sec->nregs; i++) {
		struct reg *r = &sec->regs[i];

		if (!r->info.active || drop_request(r, &fd))
			continue;
		r->info.active = false;
		drop_fill(r, &req);
		drop_once(fd, &req, deadline);
		close(fd);
	}
}

void portshare_sec_close(struct portshare_sec *sec)
{
	int i;

	if (!sec)
		return;
	drop_all(sec);
	for (i = 0; i < sec->nsocks; i++)
		close(sec->socks[i].fd);
	close(sec->epfd);
	free(sec->socks);
	free(sec->regs);
	free(sec->buf);
	free(sec);
}

/* ---- leases ------------------------------------------------------------- */

int portshare_sec_lease(const struct portshare_sec *sec, int reg,
			uint32_t *lease)
{
	if (reg < 0 || reg >= sec->nregs)
		return PORTSHARE_E_INVALID;
	*lease = sec->regs[reg].lease;
	return 0;
}

int portshare_sec_rate(const struct portshare_sec *sec, int reg,
		       uint32_t *rate)
{
	if (reg < 0 || reg >= sec->nregs)
		return PORTSHARE_E_INVALID;
	*rate = sec->regs[reg].rate;
	return 0;
}

static bool leased(const struct reg *r)
{
	return r->info.active && r->lease;
}

int portshare_sec_timeout(const struct portshare_sec *sec)
{
	int64_t now = now_ms(), next = -1, left;
	int i;

	for (i = 0; i < sec->nregs; i++) {
		if (!leased(&sec->regs[i]))
			continue;
		left = sec->regs[i].refresh_ms - now;
		left = left > 0 ? left : 0;
		if (next < 0 || left < next)
			next = left;
	}
	return next > INT32_MAX ? INT32_MAX : (int)next;
}

/* How long a refresh waits for its reply: a sixth of the lease, 0.1-1 s. */
static int refresh_wait(const struct reg *r)
{
	int64_t ms = (int64_t)r->lease * 1000 / 6;

	if (ms < 100)
		return 100;
	return ms > DEFAULT_TIMEOUT_MS ? DEFAULT_TIMEOUT_MS : (int)ms;
}

/*
 * Renew the lease of regs[@i] with its ADD.  "200" is the yes; "100 OK"
 * registered it anew (it had expired, or the primary is another).  No
 * reply is tried again until the lease runs out; a refusal, or the end
 * of the lease, ends the registration: 1 with @ev saying so, else 0.
 */
static int refresh(struct portshare_sec *sec, int i, struct portshare_event *ev)
{
	struct reg *r = &sec->regs[i];
	struct portshare_addr local;
	int fd, ret;

	fd = ctl_open(&r->to, r->tolen, &local);
	ret = fd < 0 ? fd : reg_exchange(sec, r, fd, refresh_wait(r));
	if (fd >= 0)
		close(fd);
	if (ret == PORTSHARE_E_ALREADY_ADDED)
		lease_schedule(r);
	if (!ret || ret == PORTSHARE_E_ALREADY_ADDED)
		return 0;
	if (retryable(ret) && now_ms() < r->expires_ms) {
		r->refresh_ms = now_ms() + refresh_wait(r);
		return 0;
	}
	r->info.active = false;
	r->shutdown_ms = now_ms();
	memset(ev, 0, sizeof(*ev));
	ev->type = PORTSHARE_EV_EXPIRED;
	ev->reg = i;
	ev->mode = r->info.mode;
	return 1;
}

/* Every refresh that is due; 1 with @ev if one ended its registration. */
static int refresh_due(struct portshare_sec *sec, struct portshare_event *ev)
{
	int64_t now = now_ms();
	int i;

	for (i = 0; i < sec->nregs; i++)
		if (leased(&sec->regs[i]) && sec->regs[i].refresh_ms <= now &&
		    refresh(sec, i, ev))
			return 1;
	return 0;
}

/* ---- receiving ---------------------------------------------------------- */

static bool from_primary(const struct reg *r, const struct portshare_addr *a,
			 uint16_t port)
{
	return r->info.reg_port == port && portshare_addr_equal(&r->info.primary, a);
}

/* A SHUTDOWN from a primary ends every registration with that pair. */
static int on_shutdown(struct portshare_sec *sec, struct portshare_event *ev)
{
	int i, first = -1;

	for (i = 0; i < sec->nregs; i++) {
		struct reg *r = &sec->regs[i];

		if (!r->info.active || !from_primary(r, &ev->from, ev->from_port))
			continue;
		r->info.active = false;
		r->shutdown_ms = now_ms();
		if (first < 0)
			first = i;
	}
	if (first < 0)
		return 0;
	ev->type = PORTSHARE_EV_SHUTDOWN;
	ev->reg = first;
	ev->mode = sec->regs[first].info.mode;
	return 1;
}

static void count_seq(struct reg *r, struct portshare_event *ev)
{
	int32_t gap = (int32_t)(ev->hdr.seq - r->next_seq);

	if (gap < 0) {
		r->info.reordered++;
		return;
	}
	ev->lost = (uint32_t)gap;
	r->info.lost += (uint32_t)gap;
	r->next_seq = ev->hdr.seq + 1;
}

/* A copy from a primary: the registration on @sock with its source pair. */
static int on_copy(struct portshare_sec *sec, int sock,
		   struct portshare_event *ev, size_t len)
{
	struct portshare_copy_hdr hdr;
	const void *payload = sec->buf;
	bool encap_ok;
	int i;

	encap_ok = !portshare_encap_parse(sec->buf, len, &hdr, &payload);
	for (i = 0; i < sec->nregs; i++) {
		struct reg *r = &sec->regs[i];

		if (!r->info.active || r->sock != sock ||
		    r->info.mode == PORTSHARE_MODE_TRANSPARENT ||
		    !from_primary(r, &ev->from, ev->from_port))
			continue;
		if (r->info.mode == PORTSHARE_MODE_ENCAP &&
		    (!encap_ok || hdr.contested_port != r->info.port))
			continue;
		ev->reg = i;
		ev->mode = r->info.mode;
		if (r->info.mode == PORTSHARE_MODE_ENCAP) {
			ev->has_hdr = true;
			ev->hdr = hdr;
			ev->payload = payload;
			ev->len = hdr.payload_len;
			count_seq(r, ev);
		}
		r->info.copies++;
		return 1;
	}
	return 0;
}

/* A transparent copy: the only transparent registration on @sock. */
static int on_transparent(struct portshare_sec *sec, int sock,
			  struct portshare_event *ev)
{
	int i, found = -1, n = 0;

	for (i = 0; i < sec->nregs; i++) {
		const struct reg *r = &sec->regs[i];

		if (r->info.active && r->sock == sock &&
		    r->info.mode == PORTSHARE_MODE_TRANSPARENT) {
			found = i;
			n++;
		}
	}
	if (!n)
		return 0;
	ev->reg = n == 1 ? found : -1;
	ev->mode = PORTSHARE_MODE_TRANSPARENT;
	sec->regs[found].info.copies += n == 1;
	return 1;
}

static int classify(struct portshare_sec *sec, int sock,
		    struct portshare_event *ev, size_t len)
{
	struct portshare_addr paddr;
	uint16_t pport;

	ev->type = PORTSHARE_EV_COPY;
	ev->payload = sec->buf;
	ev->len = len;
	if (!portshare_shutdown_parse(sec->buf, len, &paddr, &pport) &&
	    portshare_addr_equal(&paddr, &ev->from) && pport == ev->from_port &&
	    on_shutdown(sec, ev))
		return 1;
	if (on_copy(sec, sock, ev, len))
		return 1;
	return on_transparent(sec, sock, ev);
}

/* Read one datagram from any data socket, round robin; 0 if none. */
static int read_one(struct portshare_sec *sec, struct portshare_event *ev)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	ssize_t n;
	int k, i;

	for (k = 0; k < sec->nsocks; k++) {
		i = (sec->rr + k) % sec->nsocks;
		sslen = sizeof(ss);
		n = recvfrom(sec->socks[i].fd, sec->buf, RECV_BUF, MSG_DONTWAIT,
			     (struct sockaddr *)&ss, &sslen);
		if (n < 0)
			continue;
		sec->rr = (i + 1) % sec->nsocks;
		memset(ev, 0, sizeof(*ev));
		ev->reg = -1;
		if (portshare_addr_from_sockaddr((struct sockaddr *)&ss,
						 &ev->from, &ev->from_port) ||
		    !classify(sec, i, ev, (size_t)n)) {
			sec->foreign++;
			k = -1;		/* look again from the start */
			continue;
		}
		return 1;
	}
	return 0;
}

int portshare_sec_recv(struct portshare_sec *sec, struct portshare_event *ev,
		       int timeout_ms)
{
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct epoll_event eev[8];
	int ret, wait, due;

	for (;;) {
		if (refresh_due(sec, ev) || read_one(sec, ev))
			return 1;
		wait = timeout_ms < 0 ? -1 : left_ms(deadline);
		if (!wait && timeout_ms >= 0)
			return 0;
		due = portshare_sec_timeout(sec);
		if (due >= 0 && (wait < 0 || due < wait))
			wait = due;	/* wake up for the next refresh */
		ret = epoll_wait(sec->epfd, eev, 8, wait);
		if (ret < 0)
			return neg_errno();
	}
}
