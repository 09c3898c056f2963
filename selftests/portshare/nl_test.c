// SPDX-License-Identifier: GPL-2.0
/*
 * nl_test: the generic netlink family "portshare" spoken over a raw
 * AF_NETLINK socket (no libnl), so that the wire contract of
 * uapi/linux/portshare.h is checked independently of psnl.
 *
 * Topology: every test runs in its own forked child that first moves into
 * a fresh network namespace (unshare(CLONE_NEWNET)), so tests see an empty
 * portshare state and leave nothing behind: the namespace (and the
 * module's per-namespace state) dies with the child.  No traffic leaves
 * the namespace; secondaries use loopback addresses.
 *
 * What it tests:
 *   - family resolution through CTRL_CMD_GETFAMILY (id, version, "events")
 *   - PORT_NEW / PORT_GET (do and dump) / PORT_DEL, defaults and limits
 *   - SEC_ADD / SEC_DROP / SEC_GET dump, for IPv4 and IPv6 (variants)
 *   - errnos: EEXIST, ENOENT, ENOSPC, ELOOP, ERANGE, EADDRINUSE, EPERM
 *   - strict validation: unknown attribute, wrong lengths, out-of-range
 *     values, ADDR4+ADDR6, NLM_F_CREATE; each with an extack message
 *   - dump order and completeness, one multicast event
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/portshare.h>

/* the 6.1 harness is not -Wextra clean */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "genl.h"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#define BUFSZ		32768	/* replies; requests are a struct genl_msg */
#define MAX_ENTRIES	256

/* One parsed reply message (a port or a secondary). */
struct entry {
	int cmd;
	unsigned int seen;	/* bitmap of attribute types present */
	__u16 port, reg_port, data_port;
	int max_sec, num_sec, sample;	/* u32 on the wire, int for ASSERT_EQ */
	__u8 mode, reason, family;	/* family: AF_INET/AF_INET6 */
	__u8 addr[16];
	int n_from;			/* FROM nests */
	long long lease, lease_left;	/* u32; -1: not in the message */
	long long rate, burst, ttl;	/* -1: not in the message */
	long long dead_errors, dead_period, hold, state, dead_for; /* -1 too */
	long long stats[PORTSHARE_STAT_MAX + 1];
	unsigned long long stats_seen;	/* bitmap of counters present */
};

#define HAS(e, a) (!!((e)->seen & (1u << (a))))

struct nl {
	int fd;
	__u16 family;
	int events_grp;
	__u32 seq;
	int version;
	struct genl_extack ext;	/* of the last error */
	int dump_intr;
};

/* ---- message building ------------------------------------------------ */

static void req_init(struct genl_msg *r, struct nl *nl, __u8 cmd, __u16 flags)
{
	genl_msg_init(r, nl->family, cmd, PORTSHARE_GENL_VERSION,
		      NLM_F_REQUEST | flags, ++nl->seq);
}

static void put_u8(struct genl_msg *r, __u16 t, __u8 v) { genl_put(r, t, &v, 1); }
static void put_u16(struct genl_msg *r, __u16 t, __u16 v) { genl_put(r, t, &v, 2); }
static void put_u32(struct genl_msg *r, __u16 t, __u32 v) { genl_put(r, t, &v, 4); }
static void put_flag(struct genl_msg *r, __u16 t) { genl_put(r, t, NULL, 0); }

static void put_addr(struct genl_msg *r, int family, const char *addr)
{
	__u8 buf[16];

	if (inet_pton(family, addr, buf) != 1)
		abort();
	if (family == AF_INET)
		genl_put(r, PORTSHARE_A_ADDR4, buf, 4);
	else
		genl_put(r, PORTSHARE_A_ADDR6, buf, 16);
}

/*
 * A FROM nest: ADDR4 or ADDR6 @addr, PREFIX_LEN @len unless it is
 * negative, and @extra (an attribute type that has no place there) unless
 * it is 0.
 */
static void put_from(struct genl_msg *r, int family, const char *addr,
		     int len, __u16 extra)
{
	struct nlattr *nest = genl_put(r, PORTSHARE_A_FROM | NLA_F_NESTED,
				       NULL, 0);

	put_addr(r, family, addr);
	if (len >= 0)
		put_u8(r, PORTSHARE_A_PREFIX_LEN, len);
	if (extra)
		put_u16(r, extra, 1);
	nest->nla_len = (char *)r->nlh + r->nlh->nlmsg_len - (char *)nest;
}

/* ---- reply parsing --------------------------------------------------- */

static void on_stat(const struct nlattr *a, void *arg)
{
	struct entry *e = arg;
	int t = a->nla_type & NLA_TYPE_MASK;

	if (t <= PORTSHARE_STAT_MAX && nla_payload_len(a) == 8) {
		memcpy(&e->stats[t], nla_payload(a), 8);
		e->stats_seen |= 1ull << t;
	}
}

static void on_entry_attr(const struct nlattr *a, void *arg)
{
	int t = a->nla_type & NLA_TYPE_MASK, len = nla_payload_len(a);
	const void *d = nla_payload(a);
	struct entry *e = arg;

	if (t < 32)
		e->seen |= 1u << t;
	switch (t) {
	case PORTSHARE_A_PORT:
		memcpy(&e->port, d, 2);
		break;
	case PORTSHARE_A_REG_PORT:
		memcpy(&e->reg_port, d, 2);
		break;
	case PORTSHARE_A_DATA_PORT:
		memcpy(&e->data_port, d, 2);
		break;
	case PORTSHARE_A_MAX_SECONDARIES:
		memcpy(&e->max_sec, d, 4);
		break;
	case PORTSHARE_A_NUM_SECONDARIES:
		memcpy(&e->num_sec, d, 4);
		break;
	case PORTSHARE_A_SAMPLE:
		memcpy(&e->sample, d, 4);
		break;
	case PORTSHARE_A_MODE:
		e->mode = *(const __u8 *)d;
		break;
	case PORTSHARE_A_REASON:
		e->reason = *(const __u8 *)d;
		break;
	case PORTSHARE_A_FROM:
		e->n_from++;
		break;
	case PORTSHARE_A_LEASE:
		e->lease = *(const __u32 *)d;
		break;
	case PORTSHARE_A_LEASE_LEFT:
		e->lease_left = *(const __u32 *)d;
		break;
	case PORTSHARE_A_RATE:
		e->rate = *(const __u32 *)d;
		break;
	case PORTSHARE_A_BURST:
		e->burst = *(const __u32 *)d;
		break;
	case PORTSHARE_A_TTL:
		e->ttl = *(const __u8 *)d;
		break;
	case PORTSHARE_A_DEAD_ERRORS:
		e->dead_errors = *(const __u32 *)d;
		break;
	case PORTSHARE_A_DEAD_PERIOD:
		e->dead_period = *(const __u32 *)d;
		break;
	case PORTSHARE_A_HOLD:
		e->hold = *(const __u32 *)d;
		break;
	case PORTSHARE_A_STATE:
		e->state = *(const __u8 *)d;
		break;
	case PORTSHARE_A_DEAD_FOR:
		e->dead_for = *(const __u32 *)d;
		break;
	case PORTSHARE_A_ADDR4:
		if (len == 4) {
			e->family = AF_INET;
			memcpy(e->addr, d, 4);
		}
		break;
	case PORTSHARE_A_ADDR6:
		if (len == 16) {
			e->family = AF_INET6;
			memcpy(e->addr, d, 16);
		}
		break;
	case PORTSHARE_A_STATS:
		nla_walk(d, len, on_stat, e);
		break;
	}
}

static void parse_entry(struct entry *e, struct nlmsghdr *nlh)
{
	memset(e, 0, sizeof(*e));
	e->lease = -1;
	e->lease_left = -1;
	e->rate = -1;
	e->burst = -1;
	e->ttl = -1;
	e->dead_errors = -1;
	e->dead_period = -1;
	e->hold = -1;
	e->state = -1;
	e->dead_for = -1;
	e->cmd = ((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd;
	genl_walk(nlh, on_entry_attr, e);
}

/*
 * Send a request and collect the reply messages into out[] until the ack
 * (do) or NLMSG_DONE (dump).  Returns 0 or a negative errno, and the
 * number of entries in *n.
 */
static int nl_xfer(struct nl *nl, struct genl_msg *r, struct entry *out, int *n)
{
	static char buf[BUFSZ];
	int count = 0, ret = 1;
	__u32 seq = r->nlh->nlmsg_seq;

	genl_extack_init(&nl->ext);
	nl->dump_intr = 0;
	if (send(nl->fd, r->buf, r->nlh->nlmsg_len, 0) < 0)
		return -errno;

	while (ret > 0) {
		struct nlmsghdr *h;
		ssize_t len = recv(nl->fd, buf, sizeof(buf), 0);

		if (len < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				nl->dump_intr = 1;
			if (h->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&err, NLMSG_DATA(h), sizeof(int));
				if (err < 0)
					genl_parse_extack(h, &nl->ext);
				ret = err < 0 ? err : 0;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				genl_parse_extack(h, &nl->ext);
				ret = e->error;
				break;
			}
			if (out && count < MAX_ENTRIES)
				parse_entry(&out[count], h);
			count++;
		}
	}
	if (n)
		*n = count;
	return ret;
}

static int nl_open(struct nl *nl)
{
	struct genl_family fam;
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->fd = genl_socket(5);
	if (nl->fd < 0)
		return nl->fd;
	ret = genl_resolve(nl->fd, PORTSHARE_GENL_NAME, PORTSHARE_MCGRP_EVENTS,
			   &fam);
	if (ret)
		return ret;
	nl->family = fam.id;
	nl->version = (int)fam.version;
	nl->events_grp = fam.grp_id;
	return 0;
}

/* ---- small request wrappers ------------------------------------------ */

static int port_new(struct nl *nl, __u16 port, int reg, __u32 max)
{
	struct genl_msg r;

	req_init(&r, nl, PORTSHARE_CMD_PORT_NEW, NLM_F_ACK);
	put_u16(&r, PORTSHARE_A_PORT, port);
	if (reg > 0)
		put_u16(&r, PORTSHARE_A_REG_PORT, reg);
	else if (reg < 0)
		put_flag(&r, PORTSHARE_A_REG_OFF);
	if (max)
		put_u32(&r, PORTSHARE_A_MAX_SECONDARIES, max);
	return nl_xfer(nl, &r, NULL, NULL);
}

static int port_del(struct nl *nl, __u16 port)
{
	struct genl_msg r;

	req_init(&r, nl, PORTSHARE_CMD_PORT_DEL, NLM_F_ACK);
	put_u16(&r, PORTSHARE_A_PORT, port);
	return nl_xfer(nl, &r, NULL, NULL);
}

static int port_get(struct nl *nl, __u16 port, struct entry *e)
{
	struct genl_msg r;
	int n = 0, ret;

	req_init(&r, nl, PORTSHARE_CMD_PORT_GET, NLM_F_ACK);
	put_u16(&r, PORTSHARE_A_PORT, port);
	ret = nl_xfer(nl, &r, e, &n);
	if (!ret && n != 1)
		return -EBADMSG;
	return ret;
}

static int port_dump(struct nl *nl, struct entry *e, int *n)
{
	struct genl_msg r;

	req_init(&r, nl, PORTSHARE_CMD_PORT_GET, NLM_F_DUMP);
	return nl_xfer(nl, &r, e, n);
}

static int sec_add(struct nl *nl, __u16 port, int family, const char *addr,
		   __u16 data_port, int mode, __u32 sample, int auto_port)
{
	struct genl_msg r;

	req_init(&r, nl, PORTSHARE_CMD_SEC_ADD, NLM_F_ACK);
	put_u16(&r, PORTSHARE_A_PORT, port);
	put_addr(&r, family, addr);
	if (data_port)
		put_u16(&r, PORTSHARE_A_DATA_PORT, data_port);
	if (mode >= 0)
		put_u8(&r, PORTSHARE_A_MODE, mode);
	if (sample)
		put_u32(&r, PORTSHARE_A_SAMPLE, sample);
	if (auto_port)
		put_flag(&r, PORTSHARE_A_AUTO_PORT);
	return nl_xfer(nl, &r, NULL, NULL);
}

static int sec_drop(struct nl *nl, __u16 port, int family, const char *addr,
		    __u16 data_port)
{
	struct genl_msg r;

	req_init(&r, nl, PORTSHARE_CMD_SEC_DROP, NLM_F_ACK);
	put_u16(&r, PORTSHARE_A_PORT, port);
	put_addr(&r, family, addr);
	if (data_port)
		put_u16(&r, PORTSHARE_A_DATA_PORT, data_port);
	return nl_xfer(nl, &r, NULL, NULL);
}

static int sec_dump(struct nl *nl, __u16 port, struct entry *e, int *n)
{
	struct genl_msg r;

	req_init(&r, nl, PORTSHARE_CMD_SEC_GET, NLM_F_DUMP);
	if (port)
		put_u16(&r, PORTSHARE_A_PORT, port);
	return nl_xfer(nl, &r, e, n);
}

static int addr_eq(const struct entry *e, int family, const char *addr)
{
	__u8 buf[16];

	if (inet_pton(family, addr, buf) != 1 || e->family != family)
		return 0;
	return !memcmp(e->addr, buf, family == AF_INET ? 4 : 16);
}

/* Every rejection must explain itself (DESIGN §5). */
#define ASSERT_EXTACK(nl) do {						\
	ASSERT_TRUE((nl)->ext.msg[0] != '\0' || (nl)->ext.miss_type >= 0)	\
		TH_LOG("rejection without an extack message");		\
	TH_LOG("extack: \"%s\" (miss_type %d)", (nl)->ext.msg,		\
	       (nl)->ext.miss_type);					\
} while (0)

#define ASSERT_EXTACK_MSG(nl) do {					\
	ASSERT_NE('\0', (nl)->ext.msg[0])				\
		TH_LOG("rejection without an extack message");		\
	TH_LOG("extack: \"%s\"", (nl)->ext.msg);				\
} while (0)

static void enter_netns(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET))
		TH_LOG("unshare(CLONE_NEWNET): %s", strerror(errno));
}

/* ==== ports ============================================================ */

FIXTURE(port) {
	struct nl nl;
	struct genl_msg r;
};

FIXTURE_SETUP(port)
{
	enter_netns(_metadata);
	ASSERT_EQ(0, nl_open(&self->nl))
		TH_LOG("cannot resolve generic netlink family \"%s\"",
		       PORTSHARE_GENL_NAME);
}

FIXTURE_TEARDOWN(port)
{
	close(self->nl.fd);
}

TEST_F(port, family)
{
	/* resolved in setup; check what CTRL_CMD_GETFAMILY said */
	EXPECT_NE(0, self->nl.family);
	EXPECT_EQ(PORTSHARE_GENL_VERSION, self->nl.version);
	EXPECT_NE(0, self->nl.events_grp)
		TH_LOG("no multicast group \"%s\"", PORTSHARE_MCGRP_EVENTS);
}

TEST_F(port, new_get_del)
{
	struct entry e;

	ASSERT_EQ(-ENOENT, port_get(&self->nl, 427, &e));
	ASSERT_EQ(0, port_new(&self->nl, 427, 0, 0));
	ASSERT_EQ(0, port_get(&self->nl, 427, &e));
	EXPECT_EQ(PORTSHARE_CMD_PORT_GET, e.cmd);
	EXPECT_EQ(427, e.port);
	ASSERT_TRUE(HAS(&e, PORTSHARE_A_REG_PORT));
	EXPECT_EQ(13427, e.reg_port);
	EXPECT_FALSE(HAS(&e, PORTSHARE_A_REG_OFF));
	EXPECT_EQ(PORTSHARE_DEFAULT_MAX_SECONDARIES, e.max_sec);
	ASSERT_TRUE(HAS(&e, PORTSHARE_A_NUM_SECONDARIES));
	EXPECT_EQ(0, e.num_sec);
	ASSERT_TRUE(HAS(&e, PORTSHARE_A_STATS));
	EXPECT_TRUE(!!(e.stats_seen & (1u << PORTSHARE_STAT_PORT_RX)));
	EXPECT_TRUE(!!(e.stats_seen & (1u << PORTSHARE_STAT_PORT_SHARED)));
	EXPECT_EQ(0, e.stats[PORTSHARE_STAT_PORT_RX]);
	EXPECT_EQ(0, e.stats[PORTSHARE_STAT_PORT_SHARED]);

	ASSERT_EQ(0, port_del(&self->nl, 427));
	ASSERT_EQ(-ENOENT, port_get(&self->nl, 427, &e));
	ASSERT_EQ(-ENOENT, port_del(&self->nl, 427));
	ASSERT_EXTACK_MSG(&self->nl);
}

TEST_F(port, explicit_reg_and_max)
{
	struct entry e;

	/* 52535 + 13000 = 65535: the last port with a default */
	ASSERT_EQ(0, port_new(&self->nl, 52535, 0, 0));
	ASSERT_EQ(0, port_get(&self->nl, 52535, &e));
	EXPECT_EQ(65535, e.reg_port);

	ASSERT_EQ(-ERANGE, port_new(&self->nl, 52536, 0, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-ENOENT, port_get(&self->nl, 52536, &e));

	ASSERT_EQ(0, port_new(&self->nl, 60000, 14000, 5));
	ASSERT_EQ(0, port_get(&self->nl, 60000, &e));
	EXPECT_EQ(60000, e.port);
	EXPECT_EQ(14000, e.reg_port);
	EXPECT_EQ(5, e.max_sec);

	ASSERT_EQ(0, port_new(&self->nl, 61000, -1, PORTSHARE_MAX_SECONDARIES_LIMIT));
	ASSERT_EQ(0, port_get(&self->nl, 61000, &e));
	EXPECT_TRUE(HAS(&e, PORTSHARE_A_REG_OFF));
	EXPECT_FALSE(HAS(&e, PORTSHARE_A_REG_PORT));
	EXPECT_EQ(PORTSHARE_MAX_SECONDARIES_LIMIT, e.max_sec);
}

TEST_F(port, max_range)
{
	struct genl_msg *r = &self->r;
	struct entry e;

	ASSERT_NE(0, port_new(&self->nl, 427, 0, PORTSHARE_MAX_SECONDARIES_LIMIT + 1));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-ENOENT, port_get(&self->nl, 427, &e));

	/* max 0 cannot be sent through port_new(), which omits 0 */
	req_init(r, &self->nl, PORTSHARE_CMD_PORT_NEW, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	put_u32(r, PORTSHARE_A_MAX_SECONDARIES, 0);
	ASSERT_NE(0, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-ENOENT, port_get(&self->nl, 427, &e));

	ASSERT_EQ(0, port_new(&self->nl, 427, 0, 1));
	ASSERT_EQ(0, port_get(&self->nl, 427, &e));
	EXPECT_EQ(1, e.max_sec);
}

/* PORT_NEW 427 with @attr set to @val. */
static int port_new_u32(struct nl *nl, struct genl_msg *r, int attr, __u32 val)
{
	req_init(r, nl, PORTSHARE_CMD_PORT_NEW, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	put_u32(r, attr, val);
	return nl_xfer(nl, r, NULL, NULL);
}

/*
 * Dead-secondary detection: DEAD_ERRORS over its limit, a DEAD_PERIOD of
 * 0 or over its limit and a HOLD over its limit are refused with a
 * message; a port reports its settings, the defaults when not given.
 */
TEST_F(port, dead)
{
	struct genl_msg *r = &self->r;
	struct entry e;

	ASSERT_EQ(-ERANGE, port_new_u32(&self->nl, r, PORTSHARE_A_DEAD_ERRORS,
					PORTSHARE_DEAD_ERRORS_MAX + 1));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-ERANGE, port_new_u32(&self->nl, r, PORTSHARE_A_DEAD_PERIOD, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-ERANGE, port_new_u32(&self->nl, r, PORTSHARE_A_DEAD_PERIOD,
					PORTSHARE_DEAD_PERIOD_MAX + 1));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-ERANGE, port_new_u32(&self->nl, r, PORTSHARE_A_HOLD,
					PORTSHARE_LEASE_MAX + 1));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-ENOENT, port_get(&self->nl, 427, &e));

	ASSERT_EQ(0, port_new(&self->nl, 161, 0, 0));
	ASSERT_EQ(0, port_get(&self->nl, 161, &e));
	EXPECT_EQ(PORTSHARE_DEAD_ERRORS_DEFAULT, e.dead_errors);
	EXPECT_EQ(PORTSHARE_DEAD_PERIOD_DEFAULT, e.dead_period);
	EXPECT_EQ(PORTSHARE_HOLD_DEFAULT, e.hold);

	req_init(r, &self->nl, PORTSHARE_CMD_PORT_NEW, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	put_u32(r, PORTSHARE_A_DEAD_ERRORS, 0);
	put_u32(r, PORTSHARE_A_DEAD_PERIOD, 5);
	put_u32(r, PORTSHARE_A_HOLD, 0);
	ASSERT_EQ(0, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EQ(0, port_get(&self->nl, 427, &e));
	EXPECT_EQ(0, e.dead_errors);
	EXPECT_EQ(5, e.dead_period);
	EXPECT_EQ(0, e.hold);
}

TEST_F(port, eexist_eaddrinuse)
{
	struct entry e;

	ASSERT_EQ(0, port_new(&self->nl, 427, 0, 0));
	ASSERT_EQ(-EEXIST, port_new(&self->nl, 427, 0, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-EEXIST, port_new(&self->nl, 427, 15000, 3));
	ASSERT_EQ(0, port_get(&self->nl, 427, &e));
	EXPECT_EQ(13427, e.reg_port);	/* unchanged */
	EXPECT_EQ(64, e.max_sec);

	ASSERT_EQ(-EADDRINUSE, port_new(&self->nl, 428, 13427, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-ENOENT, port_get(&self->nl, 428, &e));
	/* a contested port cannot be a registration port, nor the reverse */
	ASSERT_EQ(-EADDRINUSE, port_new(&self->nl, 428, 427, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-EADDRINUSE, port_new(&self->nl, 13427, 0, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-ENOENT, port_get(&self->nl, 13427, &e));
	/* nor its own */
	ASSERT_EQ(-EINVAL, port_new(&self->nl, 500, 500, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-ENOENT, port_get(&self->nl, 500, &e));
	/* reg off ports never collide */
	ASSERT_EQ(0, port_new(&self->nl, 501, -1, 0));
	ASSERT_EQ(0, port_new(&self->nl, 502, -1, 0));
}

TEST_F(port, dump_ascending)
{
	static const __u16 order[] = { 500, 100, 65535, 300, 1 };
	struct entry e[MAX_ENTRIES];
	int n = -1;
	size_t i;

	ASSERT_EQ(0, port_dump(&self->nl, e, &n));
	ASSERT_EQ(0, n);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		ASSERT_EQ(0, port_new(&self->nl, order[i],
				      order[i] > 52535 ? 2000 : 0, 0));
	}
	ASSERT_EQ(0, port_dump(&self->nl, e, &n));
	ASSERT_EQ(5, n);
	EXPECT_EQ(1, e[0].port);
	EXPECT_EQ(13001, e[0].reg_port);
	EXPECT_EQ(100, e[1].port);
	EXPECT_EQ(300, e[2].port);
	EXPECT_EQ(500, e[3].port);
	EXPECT_EQ(65535, e[4].port);
	EXPECT_EQ(2000, e[4].reg_port);
	EXPECT_EQ(0, self->nl.dump_intr);
}

TEST_F(port, eloop)
{
	struct entry e;

	ASSERT_EQ(0, port_new(&self->nl, 427, 0, 0));
	ASSERT_EQ(0, sec_add(&self->nl, 427, AF_INET, "127.0.0.1", 9000, -1, 0, 0));
	/* 9000 is a secondary's data port: sharing it would loop */
	ASSERT_EQ(-ELOOP, port_new(&self->nl, 9000, 0, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-ENOENT, port_get(&self->nl, 9000, &e));
}

TEST_F(port, del_purges)
{
	struct entry e[MAX_ENTRIES];
	int n = -1;

	ASSERT_EQ(0, port_new(&self->nl, 427, 0, 0));
	ASSERT_EQ(0, port_new(&self->nl, 161, 0, 0));
	ASSERT_EQ(0, sec_add(&self->nl, 427, AF_INET, "127.0.0.1", 9000, -1, 0, 0));
	ASSERT_EQ(0, sec_add(&self->nl, 427, AF_INET6, "::1", 9001, -1, 0, 0));
	ASSERT_EQ(0, sec_add(&self->nl, 161, AF_INET, "127.0.0.1", 9002, -1, 0, 0));
	ASSERT_EQ(0, port_del(&self->nl, 427));
	ASSERT_EQ(0, sec_dump(&self->nl, 0, e, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(161, e[0].port);
	EXPECT_EQ(9002, e[0].data_port);

	/* designating again starts from an empty list */
	ASSERT_EQ(0, port_new(&self->nl, 427, 0, 0));
	ASSERT_EQ(0, port_get(&self->nl, 427, &e[0]));
	EXPECT_EQ(0, e[0].num_sec);
	ASSERT_EQ(0, sec_dump(&self->nl, 427, e, &n));
	EXPECT_EQ(0, n);
}

TEST_F(port, events)
{
	struct timeval tv = { .tv_sec = 5 };
	static char buf[BUFSZ];
	struct nlmsghdr *h;
	struct entry e;
	struct nl mon;
	ssize_t len;
	int grp;

	ASSERT_EQ(0, nl_open(&mon));
	grp = mon.events_grp;
	ASSERT_NE(0, grp);
	ASSERT_EQ(0, setsockopt(mon.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&grp, sizeof(grp)));
	ASSERT_EQ(0, setsockopt(mon.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));

	ASSERT_EQ(0, port_new(&self->nl, 427, 0, 7));
	len = recv(mon.fd, buf, sizeof(buf), 0);
	ASSERT_GT(len, 0) TH_LOG("no event within 5s: %s", strerror(errno));
	h = (struct nlmsghdr *)buf;
	ASSERT_TRUE(NLMSG_OK(h, len));
	ASSERT_EQ(self->nl.family, h->nlmsg_type);
	parse_entry(&e, h);
	EXPECT_EQ(PORTSHARE_CMD_PORT_NEW, e.cmd);
	EXPECT_EQ(427, e.port);
	EXPECT_EQ(13427, e.reg_port);
	EXPECT_EQ(7, e.max_sec);
	ASSERT_TRUE(HAS(&e, PORTSHARE_A_REASON));
	EXPECT_EQ(PORTSHARE_REASON_NETLINK, e.reason);

	ASSERT_EQ(0, sec_add(&self->nl, 427, AF_INET, "127.0.0.1", 9000,
			     PORTSHARE_MODE_RAW, 0, 0));
	len = recv(mon.fd, buf, sizeof(buf), 0);
	ASSERT_GT(len, 0);
	parse_entry(&e, (struct nlmsghdr *)buf);
	EXPECT_EQ(PORTSHARE_CMD_SEC_ADD, e.cmd);
	EXPECT_EQ(427, e.port);
	EXPECT_TRUE(addr_eq(&e, AF_INET, "127.0.0.1"));
	EXPECT_EQ(9000, e.data_port);
	EXPECT_EQ(PORTSHARE_MODE_RAW, e.mode);
	EXPECT_EQ(PORTSHARE_REASON_NETLINK, e.reason);
	close(mon.fd);
}

TEST_F(port, unprivileged)
{
	struct entry e;

	ASSERT_EQ(0, port_new(&self->nl, 427, 0, 0));
	/* drop every capability: GET stays allowed, mutations do not */
	ASSERT_EQ(0, setresgid(65534, 65534, 65534));
	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	ASSERT_EQ(0, port_get(&self->nl, 427, &e));
	EXPECT_EQ(13427, e.reg_port);
	ASSERT_EQ(-EPERM, port_new(&self->nl, 428, 0, 0));
	ASSERT_EQ(-EPERM, port_del(&self->nl, 427));
	ASSERT_EQ(-EPERM, sec_add(&self->nl, 427, AF_INET, "127.0.0.1", 9000,
				  -1, 0, 0));
	ASSERT_EQ(0, port_get(&self->nl, 427, &e));
	EXPECT_EQ(0, e.num_sec);
}

/* ==== secondaries, IPv4 and IPv6 ======================================= */

FIXTURE(sec) {
	struct nl nl;
};

FIXTURE_VARIANT(sec) {
	int family;
	const char *addr;	/* a loopback address */
	const char *unspec;
};

FIXTURE_VARIANT_ADD(sec, ip4) {
	.family = AF_INET,
	.addr = "127.0.0.1",
	.unspec = "0.0.0.0",
};

FIXTURE_VARIANT_ADD(sec, ip6) {
	.family = AF_INET6,
	.addr = "::1",
	.unspec = "::",
};

FIXTURE_SETUP(sec)
{
	enter_netns(_metadata);
	ASSERT_EQ(0, nl_open(&self->nl));
	ASSERT_EQ(0, port_new(&self->nl, 427, 0, 0));
}

FIXTURE_TEARDOWN(sec)
{
	close(self->nl.fd);
}

TEST_F(sec, add_dump_drop)
{
	struct entry e[MAX_ENTRIES], p;
	int n = -1;

	ASSERT_EQ(0, sec_add(&self->nl, 427, variant->family, variant->addr,
			     9000, PORTSHARE_MODE_RAW, 3, 0));
	ASSERT_EQ(0, sec_dump(&self->nl, 0, e, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(PORTSHARE_CMD_SEC_GET, e[0].cmd);
	EXPECT_EQ(427, e[0].port);
	EXPECT_TRUE(addr_eq(&e[0], variant->family, variant->addr));
	EXPECT_FALSE(HAS(&e[0], variant->family == AF_INET ?
			 PORTSHARE_A_ADDR6 : PORTSHARE_A_ADDR4));
	EXPECT_EQ(9000, e[0].data_port);
	EXPECT_EQ(PORTSHARE_MODE_RAW, e[0].mode);
	EXPECT_EQ(3, e[0].sample);
	ASSERT_TRUE(HAS(&e[0], PORTSHARE_A_STATS));
	EXPECT_TRUE(!!(e[0].stats_seen & (1u << PORTSHARE_STAT_SEC_COPIES)));
	EXPECT_TRUE(!!(e[0].stats_seen & (1u << PORTSHARE_STAT_SEC_BYTES)));
	EXPECT_EQ(0, e[0].stats[PORTSHARE_STAT_SEC_COPIES]);
	EXPECT_EQ(0, e[0].stats[PORTSHARE_STAT_SEC_BYTES]);

	ASSERT_EQ(0, port_get(&self->nl, 427, &p));
	EXPECT_EQ(1, p.num_sec);

	ASSERT_EQ(0, sec_drop(&self->nl, 427, variant->family, variant->addr, 9000));
	ASSERT_EQ(0, sec_dump(&self->nl, 0, e, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, port_get(&self->nl, 427, &p));
	EXPECT_EQ(0, p.num_sec);

	ASSERT_EQ(-ENOENT, sec_drop(&self->nl, 427, variant->family,
				    variant->addr, 9000));
	ASSERT_EXTACK_MSG(&self->nl);
}

TEST_F(sec, defaults)
{
	struct entry e[MAX_ENTRIES];
	int n = -1;

	/* no DATA_PORT: the registration port; no MODE: encap; no SAMPLE: 1 */
	ASSERT_EQ(0, sec_add(&self->nl, 427, variant->family, variant->addr,
			     0, -1, 0, 0));
	ASSERT_EQ(0, sec_dump(&self->nl, 427, e, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(13427, e[0].data_port);
	EXPECT_EQ(PORTSHARE_MODE_ENCAP, e[0].mode);
	EXPECT_EQ(1, e[0].sample);
	/* DROP defaults the data port the same way */
	ASSERT_EQ(0, sec_drop(&self->nl, 427, variant->family, variant->addr, 0));
	ASSERT_EQ(0, sec_dump(&self->nl, 427, e, &n));
	EXPECT_EQ(0, n);
}

TEST_F(sec, reg_off_needs_data_port)
{
	struct entry e[MAX_ENTRIES];
	int n = -1;

	ASSERT_EQ(0, port_new(&self->nl, 162, -1, 0));
	ASSERT_EQ(-EINVAL, sec_add(&self->nl, 162, variant->family,
				   variant->addr, 0, -1, 0, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(0, sec_add(&self->nl, 162, variant->family, variant->addr,
			     9162, -1, 0, 0));
	ASSERT_EQ(0, sec_dump(&self->nl, 162, e, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(9162, e[0].data_port);
}

TEST_F(sec, eexist)
{
	struct entry e[MAX_ENTRIES];
	int n = -1;

	ASSERT_EQ(0, sec_add(&self->nl, 427, variant->family, variant->addr,
			     9000, -1, 0, 0));
	/* same key, other options: still a duplicate */
	ASSERT_EQ(-EEXIST, sec_add(&self->nl, 427, variant->family,
				   variant->addr, 9000, PORTSHARE_MODE_RAW, 2, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	/* another data port is another secondary */
	ASSERT_EQ(0, sec_add(&self->nl, 427, variant->family, variant->addr,
			     9001, -1, 0, 0));
	ASSERT_EQ(0, sec_dump(&self->nl, 427, e, &n));
	ASSERT_EQ(2, n);
	EXPECT_EQ(PORTSHARE_MODE_ENCAP, e[0].mode);
	EXPECT_EQ(9000, e[0].data_port);
	EXPECT_EQ(9001, e[1].data_port);
}

TEST_F(sec, enoent_and_auto_port)
{
	struct entry e;

	ASSERT_EQ(-ENOENT, sec_add(&self->nl, 1427, variant->family,
				   variant->addr, 9000, -1, 0, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-ENOENT, port_get(&self->nl, 1427, &e));
	ASSERT_EQ(-ENOENT, sec_drop(&self->nl, 1427, variant->family,
				    variant->addr, 9000));

	ASSERT_EQ(0, sec_add(&self->nl, 1427, variant->family, variant->addr,
			     0, -1, 0, 1));
	ASSERT_EQ(0, port_get(&self->nl, 1427, &e));
	EXPECT_EQ(14427, e.reg_port);
	EXPECT_EQ(PORTSHARE_DEFAULT_MAX_SECONDARIES, e.max_sec);
	EXPECT_EQ(1, e.num_sec);
	/* AUTO_PORT on a designated port changes nothing */
	ASSERT_EQ(0, sec_add(&self->nl, 1427, variant->family, variant->addr,
			     9000, -1, 0, 1));
	ASSERT_EQ(0, port_get(&self->nl, 1427, &e));
	EXPECT_EQ(2, e.num_sec);
}

TEST_F(sec, enospc)
{
	struct entry p;

	ASSERT_EQ(0, port_new(&self->nl, 428, 0, 2));
	ASSERT_EQ(0, sec_add(&self->nl, 428, variant->family, variant->addr,
			     9000, -1, 0, 0));
	ASSERT_EQ(0, sec_add(&self->nl, 428, variant->family, variant->addr,
			     9001, -1, 0, 0));
	ASSERT_EQ(-ENOSPC, sec_add(&self->nl, 428, variant->family,
				   variant->addr, 9002, -1, 0, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(0, port_get(&self->nl, 428, &p));
	EXPECT_EQ(2, p.num_sec);
	/* a drop makes room again */
	ASSERT_EQ(0, sec_drop(&self->nl, 428, variant->family, variant->addr, 9000));
	ASSERT_EQ(0, sec_add(&self->nl, 428, variant->family, variant->addr,
			     9002, -1, 0, 0));
}

TEST_F(sec, eloop)
{
	struct entry e[MAX_ENTRIES];
	int n = -1;

	ASSERT_EQ(0, port_new(&self->nl, 161, 0, 0));
	ASSERT_EQ(-ELOOP, sec_add(&self->nl, 427, variant->family,
				  variant->addr, 161, -1, 0, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(-ELOOP, sec_add(&self->nl, 427, variant->family,
				  variant->addr, 427, -1, 0, 0));
	ASSERT_EQ(0, sec_dump(&self->nl, 0, e, &n));
	EXPECT_EQ(0, n);
}

/* SEC_ADD of 127.0.0.1:9000 with FROM nests; filled by @fill. */
static int sec_add_from(struct nl *nl, void (*fill)(struct genl_msg *r))
{
	struct genl_msg r;

	req_init(&r, nl, PORTSHARE_CMD_SEC_ADD, NLM_F_ACK);
	put_u16(&r, PORTSHARE_A_PORT, 427);
	put_addr(&r, AF_INET, "127.0.0.1");
	put_u16(&r, PORTSHARE_A_DATA_PORT, 9000);
	fill(&r);
	return nl_xfer(nl, &r, NULL, NULL);
}

/* @n FROM nests: 10.0.I.0/24 or fd00:I::/32 for I from 0. */
static void put_froms(struct genl_msg *r, int family, int n)
{
	char net[32];
	int i;

	for (i = 0; i < n; i++) {
		if (family == AF_INET)
			snprintf(net, sizeof(net), "10.0.%d.0", i);
		else
			snprintf(net, sizeof(net), "fd00:%d::", i);
		put_from(r, family, net, family == AF_INET ? 24 : 32, 0);
	}
}

static void from_nine(struct genl_msg *r)
{
	put_froms(r, AF_INET, 9);
}

static void from_eight(struct genl_msg *r)
{
	put_froms(r, AF_INET6, 8);
}

static void from_v4_len_33(struct genl_msg *r)
{
	put_from(r, AF_INET, "10.0.0.0", 33, 0);
}

static void from_host_bits(struct genl_msg *r)
{
	put_from(r, AF_INET6, "fd00::1", 64, 0);
}

static void from_both_families(struct genl_msg *r)
{
	struct nlattr *nest = genl_put(r, PORTSHARE_A_FROM | NLA_F_NESTED,
				       NULL, 0);

	put_addr(r, AF_INET, "10.0.0.0");
	put_addr(r, AF_INET6, "fd00::");
	nest->nla_len = (char *)r->nlh + r->nlh->nlmsg_len - (char *)nest;
}

static void from_no_address(struct genl_msg *r)
{
	struct nlattr *nest = genl_put(r, PORTSHARE_A_FROM | NLA_F_NESTED,
				       NULL, 0);

	put_u8(r, PORTSHARE_A_PREFIX_LEN, 8);
	nest->nla_len = (char *)r->nlh + r->nlh->nlmsg_len - (char *)nest;
}

static void from_stray_attr(struct genl_msg *r)
{
	put_from(r, AF_INET, "10.0.0.0", 8, PORTSHARE_A_PORT);
}

/*
 * Every malformed source filter is refused with a message and adds
 * nothing; eight networks are the most a secondary takes.
 */
TEST_F(sec, from_rejected)
{
	static void (*const bad[])(struct genl_msg *) = {
		from_nine, from_v4_len_33, from_host_bits, from_both_families,
		from_no_address, from_stray_attr,
	};
	struct entry e[MAX_ENTRIES];
	struct nl *nl = &self->nl;
	size_t i;
	int n = -1;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(-EINVAL, sec_add_from(nl, bad[i]))
			TH_LOG("malformed filter %zu accepted", i);
		ASSERT_EXTACK_MSG(nl);
	}
	ASSERT_EQ(0, sec_dump(nl, 0, e, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, sec_add_from(nl, from_eight));
	ASSERT_EQ(0, sec_dump(nl, 0, e, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(8, e[0].n_from);
	EXPECT_TRUE(!!(e[0].stats_seen & (1ull << PORTSHARE_STAT_SEC_FILTERED)));
}

static void lease_30(struct genl_msg *r)
{
	put_u32(r, PORTSHARE_A_LEASE, 30);
}

static void lease_over_max(struct genl_msg *r)
{
	put_u32(r, PORTSHARE_A_LEASE, PORTSHARE_LEASE_MAX + 1);
}

static void lease_left_in_request(struct genl_msg *r)
{
	put_u32(r, PORTSHARE_A_LEASE_LEFT, 30);
}

/*
 * A lease over PORTSHARE_LEASE_MAX, or LEASE_LEFT (replies only), is
 * refused with a message; the dump shows a lease and what is left of it,
 * and a secondary without one has neither.
 */
TEST_F(sec, lease)
{
	struct entry e[MAX_ENTRIES];
	struct nl *nl = &self->nl;
	int n = -1;

	ASSERT_EQ(-ERANGE, sec_add_from(nl, lease_over_max));
	ASSERT_EXTACK_MSG(nl);
	ASSERT_EQ(-EINVAL, sec_add_from(nl, lease_left_in_request));
	ASSERT_EXTACK_MSG(nl);
	ASSERT_EQ(0, sec_dump(nl, 0, e, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, sec_add_from(nl, lease_30));
	ASSERT_EQ(0, sec_add(nl, 427, AF_INET, "127.0.0.1", 9001, -1, 0, 0));
	ASSERT_EQ(0, sec_dump(nl, 0, e, &n));
	ASSERT_EQ(2, n);
	EXPECT_EQ(30, e[0].lease);
	EXPECT_TRUE(e[0].lease_left >= 29 && e[0].lease_left <= 30)
		TH_LOG("lease_left %lld", e[0].lease_left);
	EXPECT_EQ(-1, e[1].lease);
	EXPECT_EQ(-1, e[1].lease_left);
}

static void hold_30(struct genl_msg *r)
{
	put_u32(r, PORTSHARE_A_HOLD, 30);
}

static void hold_over_max(struct genl_msg *r)
{
	put_u32(r, PORTSHARE_A_HOLD, PORTSHARE_LEASE_MAX + 1);
}

static void state_in_request(struct genl_msg *r)
{
	put_u8(r, PORTSHARE_A_STATE, PORTSHARE_STATE_UP);
}

static void dead_for_in_request(struct genl_msg *r)
{
	put_u32(r, PORTSHARE_A_DEAD_FOR, 0);
}

/*
 * A HOLD over its limit, or STATE or DEAD_FOR (replies only), is refused
 * with a message; the dump shows a secondary's hold if it has one, its
 * state (up) and the detection's counters.
 */
TEST_F(sec, hold)
{
	struct entry e[MAX_ENTRIES];
	struct nl *nl = &self->nl;
	int n = -1;

	ASSERT_EQ(-ERANGE, sec_add_from(nl, hold_over_max));
	ASSERT_EXTACK_MSG(nl);
	ASSERT_EQ(-EINVAL, sec_add_from(nl, state_in_request));
	ASSERT_EXTACK_MSG(nl);
	ASSERT_EQ(-EINVAL, sec_add_from(nl, dead_for_in_request));
	ASSERT_EXTACK_MSG(nl);
	ASSERT_EQ(0, sec_dump(nl, 0, e, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, sec_add_from(nl, hold_30));
	ASSERT_EQ(0, sec_add(nl, 427, AF_INET, "127.0.0.1", 9001, -1, 0, 0));
	ASSERT_EQ(0, sec_dump(nl, 0, e, &n));
	ASSERT_EQ(2, n);
	EXPECT_EQ(30, e[0].hold);
	EXPECT_EQ(-1, e[1].hold);
	EXPECT_EQ(PORTSHARE_STATE_UP, e[0].state);
	EXPECT_EQ(PORTSHARE_STATE_UP, e[1].state);
	EXPECT_EQ(-1, e[0].dead_for);
	EXPECT_TRUE(!!(e[0].stats_seen &
		       (1ull << PORTSHARE_STAT_SEC_ICMP_ERRORS)));
	EXPECT_TRUE(!!(e[0].stats_seen &
		       (1ull << PORTSHARE_STAT_SEC_DEAD_SKIPPED)));
	EXPECT_TRUE(!!(e[0].stats_seen & (1ull << PORTSHARE_STAT_SEC_PROBES)));
}

static void burst_alone(struct genl_msg *r)
{
	put_u32(r, PORTSHARE_A_BURST, 5);
}

static void burst_rate_0(struct genl_msg *r)
{
	put_u32(r, PORTSHARE_A_RATE, 0);
	put_u32(r, PORTSHARE_A_BURST, 5);
}

static void rate_over_max(struct genl_msg *r)
{
	put_u32(r, PORTSHARE_A_RATE, PORTSHARE_RATE_MAX + 1);
}

static void ttl_0(struct genl_msg *r)
{
	put_u8(r, PORTSHARE_A_TTL, 0);
}

static void rate_10_ttl_3(struct genl_msg *r)
{
	put_u32(r, PORTSHARE_A_RATE, 10);
	put_u8(r, PORTSHARE_A_TTL, 3);
}

static void rate_10_burst_40(struct genl_msg *r)
{
	put_u32(r, PORTSHARE_A_RATE, 10);
	put_u32(r, PORTSHARE_A_BURST, 40);
}

/*
 * A BURST without a RATE, a RATE over PORTSHARE_RATE_MAX and a TTL of 0
 * are refused with a message; the dump shows RATE with its BURST (by
 * default the rate) and TTL, and a secondary without them has none.
 */
TEST_F(sec, limits)
{
	struct entry e[MAX_ENTRIES];
	struct nl *nl = &self->nl;
	int n = -1;

	ASSERT_EQ(-EINVAL, sec_add_from(nl, burst_alone));
	ASSERT_EXTACK_MSG(nl);
	ASSERT_EQ(-EINVAL, sec_add_from(nl, burst_rate_0));
	ASSERT_EXTACK_MSG(nl);
	ASSERT_EQ(-ERANGE, sec_add_from(nl, rate_over_max));
	ASSERT_EXTACK_MSG(nl);
	ASSERT_EQ(-ERANGE, sec_add_from(nl, ttl_0));
	ASSERT_EXTACK_MSG(nl);
	ASSERT_EQ(0, sec_dump(nl, 0, e, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, sec_add_from(nl, rate_10_ttl_3));
	ASSERT_EQ(0, sec_add(nl, 427, AF_INET, "127.0.0.1", 9001, -1, 0, 0));
	ASSERT_EQ(0, sec_dump(nl, 0, e, &n));
	ASSERT_EQ(2, n);
	EXPECT_EQ(10, e[0].rate);
	EXPECT_EQ(10, e[0].burst);
	EXPECT_EQ(3, e[0].ttl);
	EXPECT_TRUE(!!(e[0].stats_seen &
		       (1ull << PORTSHARE_STAT_SEC_DROP_RATELIMITED)));
	EXPECT_EQ(-1, e[1].rate);
	EXPECT_EQ(-1, e[1].burst);
	EXPECT_EQ(-1, e[1].ttl);
	ASSERT_EQ(0, sec_drop(nl, 427, AF_INET, "127.0.0.1", 9000));
	ASSERT_EQ(0, sec_add_from(nl, rate_10_burst_40));
	ASSERT_EQ(0, sec_dump(nl, 0, e, &n));
	ASSERT_EQ(2, n);
	EXPECT_EQ(10, e[1].rate);
	EXPECT_EQ(40, e[1].burst);
	EXPECT_EQ(-1, e[1].ttl);
}

TEST_F(sec, unspecified_address)
{
	struct entry e[MAX_ENTRIES];
	int n = -1;

	ASSERT_EQ(-EINVAL, sec_add(&self->nl, 427, variant->family,
				   variant->unspec, 9000, -1, 0, 0));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_EQ(0, sec_dump(&self->nl, 0, e, &n));
	EXPECT_EQ(0, n);
}

TEST_F(sec, dump_order)
{
	/* interleaved over three ports; dump is by port, then insertion */
	static const struct { __u16 port, data; } ops[] = {
		{ 427, 9005 }, { 161, 9001 }, { 427, 9002 }, { 2000, 9009 },
		{ 161, 9000 }, { 427, 9003 }, { 2000, 9008 }, { 161, 9004 },
	};
	static const struct { __u16 port, data; } want[] = {
		{ 161, 9001 }, { 161, 9000 }, { 161, 9004 },
		{ 427, 9005 }, { 427, 9002 }, { 427, 9003 },
		{ 2000, 9009 }, { 2000, 9008 },
	};
	struct entry e[MAX_ENTRIES];
	int n = -1, i;

	ASSERT_EQ(0, port_new(&self->nl, 161, 0, 0));
	ASSERT_EQ(0, port_new(&self->nl, 2000, 0, 0));
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, sec_add(&self->nl, ops[i].port, variant->family,
				     variant->addr, ops[i].data, -1, 0, 0));
	}
	ASSERT_EQ(0, sec_dump(&self->nl, 0, e, &n));
	ASSERT_EQ(8, n);
	EXPECT_EQ(0, self->nl.dump_intr);
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(want[i].port, e[i].port) TH_LOG("entry %d", i);
		EXPECT_EQ(want[i].data, e[i].data_port) TH_LOG("entry %d", i);
		EXPECT_TRUE(addr_eq(&e[i], variant->family, variant->addr));
	}
	ASSERT_EQ(0, sec_dump(&self->nl, 427, e, &n));
	ASSERT_EQ(3, n);
	EXPECT_EQ(9005, e[0].data_port);
	EXPECT_EQ(9002, e[1].data_port);
	EXPECT_EQ(9003, e[2].data_port);
}

TEST_F(sec, dump_large)
{
	/* more than fits in one dump skb: the dump must resume correctly */
	struct entry *e = calloc(MAX_ENTRIES, sizeof(*e));
	int n = -1, i;

	ASSERT_NE(NULL, e);
	ASSERT_EQ(0, port_new(&self->nl, 5000, 0, 200));
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, sec_add(&self->nl, 5000, variant->family,
				     variant->addr, 20000 + i, -1, 0, 0));
	}
	ASSERT_EQ(0, sec_dump(&self->nl, 0, e, &n));
	ASSERT_EQ(200, n);
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(20000 + i, e[i].data_port) TH_LOG("entry %d", i);
	}
	free(e);
}

/* ==== strict validation ================================================ */

FIXTURE(strict) {
	struct nl nl;
	struct genl_msg r;
};

FIXTURE_SETUP(strict)
{
	enter_netns(_metadata);
	ASSERT_EQ(0, nl_open(&self->nl));
	ASSERT_EQ(0, port_new(&self->nl, 427, 0, 0));
}

FIXTURE_TEARDOWN(strict)
{
	close(self->nl.fd);
}

/* The state after each rejection: port 427 with no secondaries. */
static int state_untouched(struct nl *nl)
{
	struct entry e[MAX_ENTRIES];
	int n = -1;

	if (port_dump(nl, e, &n) || n != 1 || e[0].port != 427)
		return 0;
	if (sec_dump(nl, 0, e, &n) || n != 0)
		return 0;
	return 1;
}

TEST_F(strict, unknown_attribute)
{
	struct genl_msg *r = &self->r;

	req_init(r, &self->nl, PORTSHARE_CMD_PORT_NEW, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 428);
	put_u32(r, PORTSHARE_A_MAX + 1, 1);
	ASSERT_EQ(-EINVAL, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);

	/* a reply-only attribute in a request is no better */
	req_init(r, &self->nl, PORTSHARE_CMD_SEC_ADD, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	put_addr(r, AF_INET, "127.0.0.1");
	put_u8(r, PORTSHARE_A_MAX + 5, 0);
	ASSERT_EQ(-EINVAL, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_TRUE(state_untouched(&self->nl));
}

TEST_F(strict, addr6_wrong_length)
{
	struct genl_msg *r = &self->r;
	__u8 a[17] = { 0 };
	int ret;

	a[15] = 1;
	/* the core says EINVAL or ERANGE, depending on the policy type */
	req_init(r, &self->nl, PORTSHARE_CMD_SEC_ADD, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	genl_put(r, PORTSHARE_A_ADDR6, a, 15);
	ret = nl_xfer(&self->nl, r, NULL, NULL);
	ASSERT_TRUE(ret == -EINVAL || ret == -ERANGE) TH_LOG("ret %d", ret);
	ASSERT_EXTACK_MSG(&self->nl);

	req_init(r, &self->nl, PORTSHARE_CMD_SEC_ADD, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	genl_put(r, PORTSHARE_A_ADDR6, a, 17);
	ret = nl_xfer(&self->nl, r, NULL, NULL);
	ASSERT_TRUE(ret == -EINVAL || ret == -ERANGE) TH_LOG("ret %d", ret);
	ASSERT_EXTACK_MSG(&self->nl);

	req_init(r, &self->nl, PORTSHARE_CMD_SEC_ADD, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	genl_put(r, PORTSHARE_A_ADDR4, a + 12, 3);
	ret = nl_xfer(&self->nl, r, NULL, NULL);
	ASSERT_TRUE(ret == -EINVAL || ret == -ERANGE) TH_LOG("ret %d", ret);
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_TRUE(state_untouched(&self->nl));
}

TEST_F(strict, port_wrong_length)
{
	struct genl_msg *r = &self->r;

	req_init(r, &self->nl, PORTSHARE_CMD_PORT_NEW, NLM_F_ACK);
	put_u32(r, PORTSHARE_A_PORT, 428);
	ASSERT_EQ(-EINVAL, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_TRUE(state_untouched(&self->nl));
}

TEST_F(strict, mode_out_of_range)
{
	struct genl_msg *r = &self->r;

	req_init(r, &self->nl, PORTSHARE_CMD_SEC_ADD, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	put_addr(r, AF_INET, "127.0.0.1");
	put_u16(r, PORTSHARE_A_DATA_PORT, 9000);
	put_u8(r, PORTSHARE_A_MODE, PORTSHARE_MODE_MAX + 1);
	ASSERT_NE(0, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_TRUE(state_untouched(&self->nl));
}

TEST_F(strict, sample_out_of_range)
{
	struct genl_msg *r = &self->r;

	req_init(r, &self->nl, PORTSHARE_CMD_SEC_ADD, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	put_addr(r, AF_INET, "127.0.0.1");
	put_u32(r, PORTSHARE_A_SAMPLE, 0);
	ASSERT_NE(0, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);

	req_init(r, &self->nl, PORTSHARE_CMD_SEC_ADD, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	put_addr(r, AF_INET, "127.0.0.1");
	put_u32(r, PORTSHARE_A_SAMPLE, PORTSHARE_SAMPLE_LIMIT + 1);
	ASSERT_NE(0, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_TRUE(state_untouched(&self->nl));
}

TEST_F(strict, port_zero)
{
	struct genl_msg *r = &self->r;

	req_init(r, &self->nl, PORTSHARE_CMD_PORT_NEW, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 0);
	ASSERT_NE(0, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);

	req_init(r, &self->nl, PORTSHARE_CMD_SEC_ADD, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	put_addr(r, AF_INET, "127.0.0.1");
	put_u16(r, PORTSHARE_A_DATA_PORT, 0);
	ASSERT_NE(0, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_TRUE(state_untouched(&self->nl));
}

TEST_F(strict, both_addresses)
{
	struct genl_msg *r = &self->r;

	req_init(r, &self->nl, PORTSHARE_CMD_SEC_ADD, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	put_addr(r, AF_INET, "127.0.0.1");
	put_addr(r, AF_INET6, "::1");
	put_u16(r, PORTSHARE_A_DATA_PORT, 9000);
	ASSERT_EQ(-EINVAL, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_TRUE(state_untouched(&self->nl));
}

TEST_F(strict, reg_port_and_reg_off)
{
	struct genl_msg *r = &self->r;

	req_init(r, &self->nl, PORTSHARE_CMD_PORT_NEW, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 428);
	put_u16(r, PORTSHARE_A_REG_PORT, 14000);
	put_flag(r, PORTSHARE_A_REG_OFF);
	ASSERT_EQ(-EINVAL, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_TRUE(state_untouched(&self->nl));
}

TEST_F(strict, missing_attributes)
{
	struct genl_msg *r = &self->r;

	/* no PORT */
	req_init(r, &self->nl, PORTSHARE_CMD_PORT_NEW, NLM_F_ACK);
	ASSERT_EQ(-EINVAL, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK(&self->nl);
	if (self->nl.ext.miss_type >= 0)
		EXPECT_EQ(PORTSHARE_A_PORT, self->nl.ext.miss_type);

	/* no address */
	req_init(r, &self->nl, PORTSHARE_CMD_SEC_ADD, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	put_u16(r, PORTSHARE_A_DATA_PORT, 9000);
	ASSERT_EQ(-EINVAL, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK(&self->nl);

	/* PORT_DEL without PORT */
	req_init(r, &self->nl, PORTSHARE_CMD_PORT_DEL, NLM_F_ACK);
	ASSERT_EQ(-EINVAL, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK(&self->nl);
	ASSERT_TRUE(state_untouched(&self->nl));
}

TEST_F(strict, nlm_f_create)
{
	struct genl_msg *r = &self->r;

	req_init(r, &self->nl, PORTSHARE_CMD_PORT_NEW,
		 NLM_F_ACK | NLM_F_CREATE);
	put_u16(r, PORTSHARE_A_PORT, 428);
	ASSERT_EQ(-EINVAL, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);

	req_init(r, &self->nl, PORTSHARE_CMD_PORT_NEW,
		 NLM_F_ACK | NLM_F_EXCL);
	put_u16(r, PORTSHARE_A_PORT, 428);
	ASSERT_EQ(-EINVAL, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);

	req_init(r, &self->nl, PORTSHARE_CMD_SEC_ADD,
		 NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	put_u16(r, PORTSHARE_A_PORT, 427);
	put_addr(r, AF_INET, "127.0.0.1");
	ASSERT_EQ(-EINVAL, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);

	/* genlmsghdr.reserved must be 0 */
	req_init(r, &self->nl, PORTSHARE_CMD_PORT_NEW, NLM_F_ACK);
	((struct genlmsghdr *)NLMSG_DATA(r->nlh))->reserved = 1;
	put_u16(r, PORTSHARE_A_PORT, 428);
	ASSERT_EQ(-EINVAL, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_EXTACK_MSG(&self->nl);
	ASSERT_TRUE(state_untouched(&self->nl));
}

TEST_F(strict, unknown_command)
{
	struct genl_msg *r = &self->r;

	req_init(r, &self->nl, PORTSHARE_CMD_MAX + 1, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 428);
	ASSERT_EQ(-EOPNOTSUPP, nl_xfer(&self->nl, r, NULL, NULL));
	/* SHUTDOWN is an event, not a request */
	req_init(r, &self->nl, PORTSHARE_CMD_SHUTDOWN, NLM_F_ACK);
	put_u16(r, PORTSHARE_A_PORT, 427);
	ASSERT_EQ(-EOPNOTSUPP, nl_xfer(&self->nl, r, NULL, NULL));
	ASSERT_TRUE(state_untouched(&self->nl));
}

TEST_HARNESS_MAIN
