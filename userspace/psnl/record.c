// SPDX-License-Identifier: GPL-2.0
/*
 * Replies and events, decoded into one flat struct psnl_record.  Every
 * attribute is checked against a policy (so a short attribute is never
 * read past its end); attributes and counters this psnl does not know are
 * ignored, so a newer kernel's additions do not break it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/genl.h>

#include "psnl.h"

_Static_assert(PORTSHARE_A_MAX < 32, "psnl_record.has is 32 bits");
_Static_assert(PORTSHARE_STAT_MAX < 64, "psnl_record.has_stats is 64 bits");

static const struct nla_policy attr_policy[PORTSHARE_A_MAX + 1] = {
	[PORTSHARE_A_PORT]		= { .type = NLA_U16 },
	[PORTSHARE_A_REG_PORT]		= { .type = NLA_U16 },
	[PORTSHARE_A_REG_OFF]		= { .type = NLA_FLAG },
	[PORTSHARE_A_MAX_SECONDARIES]	= { .type = NLA_U32 },
	[PORTSHARE_A_NUM_SECONDARIES]	= { .type = NLA_U32 },
	[PORTSHARE_A_ADDR4]		= { .type = NLA_U32 },
	[PORTSHARE_A_ADDR6]		= { .minlen = sizeof(struct in6_addr) },
	[PORTSHARE_A_DATA_PORT]		= { .type = NLA_U16 },
	[PORTSHARE_A_MODE]		= { .type = NLA_U8 },
	[PORTSHARE_A_SAMPLE]		= { .type = NLA_U32 },
	[PORTSHARE_A_AUTO_PORT]		= { .type = NLA_FLAG },
	[PORTSHARE_A_REASON]		= { .type = NLA_U8 },
	[PORTSHARE_A_STATS]		= { .type = NLA_NESTED },
	[PORTSHARE_A_PREFIX_LEN]	= { .type = NLA_U8 },
	[PORTSHARE_A_ACL_FLAGS]		= { .type = NLA_U32 },
	[PORTSHARE_A_FROM]		= { .type = NLA_NESTED },
	[PORTSHARE_A_LEASE]		= { .type = NLA_U32 },
	[PORTSHARE_A_LEASE_LEFT]	= { .type = NLA_U32 },
	[PORTSHARE_A_RATE]		= { .type = NLA_U32 },
	[PORTSHARE_A_BURST]		= { .type = NLA_U32 },
	[PORTSHARE_A_TTL]		= { .type = NLA_U8 },
	[PORTSHARE_A_DEAD_ERRORS]	= { .type = NLA_U32 },
	[PORTSHARE_A_DEAD_PERIOD]	= { .type = NLA_U32 },
	[PORTSHARE_A_HOLD]		= { .type = NLA_U32 },
	[PORTSHARE_A_STATE]		= { .type = NLA_U8 },
	[PORTSHARE_A_DEAD_FOR]		= { .type = NLA_U32 },
};

/*
 * ADDR4 or ADDR6 (ADDR4 first, if both) into @a4 or @a6, for a message's
 * address and a FROM nest's alike.  Returns the family, 0 if neither.
 */
static sa_family_t decode_addr(struct nlattr **tb, struct in_addr *a4,
			       struct in6_addr *a6)
{
	if (tb[PORTSHARE_A_ADDR4]) {
		memcpy(a4, nla_data(tb[PORTSHARE_A_ADDR4]), sizeof(*a4));
		return AF_INET;
	}
	if (tb[PORTSHARE_A_ADDR6]) {
		memcpy(a6, nla_data(tb[PORTSHARE_A_ADDR6]), sizeof(*a6));
		return AF_INET6;
	}
	return 0;
}

/* One FROM nest: ADDR4 or ADDR6 and PREFIX_LEN. */
static int decode_prefix(struct nlattr *nest, struct psnl_prefix *pfx)
{
	struct nlattr *tb[PORTSHARE_A_MAX + 1];

	if (nla_parse_nested(tb, PORTSHARE_A_MAX, nest, attr_policy) < 0 ||
	    !tb[PORTSHARE_A_PREFIX_LEN])
		return -EBADMSG;
	memset(pfx, 0, sizeof(*pfx));
	pfx->family = decode_addr(tb, &pfx->addr4, &pfx->addr6);
	if (!pfx->family)
		return -EBADMSG;
	pfx->has_len = true;
	pfx->len = nla_get_u8(tb[PORTSHARE_A_PREFIX_LEN]);
	return 0;
}

/* Every FROM of the message: genlmsg_parse() keeps only the last. */
static int decode_from(struct nlmsghdr *nlh, struct psnl_record *rec)
{
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) != PORTSHARE_A_FROM)
			continue;
		if (rec->n_from == PORTSHARE_FROM_MAX ||
		    decode_prefix(a, &rec->from[rec->n_from]))
			return -EBADMSG;
		rec->n_from++;
	}
	return 0;
}

/* Every counter is a u64, the ones this psnl has no name for too. */
static int decode_stats(struct nlattr *nest, struct psnl_record *rec)
{
	struct nlattr *tb[PORTSHARE_STAT_MAX + 1];
	int i;

	if (nla_parse_nested(tb, PORTSHARE_STAT_MAX, nest, NULL) < 0)
		return -EBADMSG;
	for (i = PORTSHARE_STAT_PORT_RX; i <= PORTSHARE_STAT_MAX; i++) {
		if (!tb[i])
			continue;
		if (nla_len(tb[i]) != sizeof(uint64_t))
			return -EBADMSG;
		rec->has_stats |= PSNL_HAS_STAT(i);
		rec->stats[i] = nla_get_u64(tb[i]);
	}
	return 0;
}

/* Dead-secondary detection: a port's settings, a secondary's state. */
static void decode_dead(struct nlattr **tb, struct psnl_record *rec)
{
	if (tb[PORTSHARE_A_DEAD_ERRORS])
		rec->dead_errors = nla_get_u32(tb[PORTSHARE_A_DEAD_ERRORS]);
	if (tb[PORTSHARE_A_DEAD_PERIOD])
		rec->dead_period = nla_get_u32(tb[PORTSHARE_A_DEAD_PERIOD]);
	if (tb[PORTSHARE_A_HOLD])
		rec->hold = nla_get_u32(tb[PORTSHARE_A_HOLD]);
	if (tb[PORTSHARE_A_STATE])
		rec->state = nla_get_u8(tb[PORTSHARE_A_STATE]);
	if (tb[PORTSHARE_A_DEAD_FOR])
		rec->dead_for = nla_get_u32(tb[PORTSHARE_A_DEAD_FOR]);
}

static void decode_scalars(struct nlattr **tb, struct psnl_record *rec)
{
	if (tb[PORTSHARE_A_PORT])
		rec->port = nla_get_u16(tb[PORTSHARE_A_PORT]);
	if (tb[PORTSHARE_A_REG_PORT])
		rec->reg_port = nla_get_u16(tb[PORTSHARE_A_REG_PORT]);
	if (tb[PORTSHARE_A_DATA_PORT])
		rec->data_port = nla_get_u16(tb[PORTSHARE_A_DATA_PORT]);
	if (tb[PORTSHARE_A_MAX_SECONDARIES])
		rec->max_secondaries =
			nla_get_u32(tb[PORTSHARE_A_MAX_SECONDARIES]);
	if (tb[PORTSHARE_A_NUM_SECONDARIES])
		rec->num_secondaries =
			nla_get_u32(tb[PORTSHARE_A_NUM_SECONDARIES]);
	if (tb[PORTSHARE_A_SAMPLE])
		rec->sample = nla_get_u32(tb[PORTSHARE_A_SAMPLE]);
	if (tb[PORTSHARE_A_LEASE])
		rec->lease = nla_get_u32(tb[PORTSHARE_A_LEASE]);
	if (tb[PORTSHARE_A_LEASE_LEFT])
		rec->lease_left = nla_get_u32(tb[PORTSHARE_A_LEASE_LEFT]);
	if (tb[PORTSHARE_A_RATE])
		rec->rate = nla_get_u32(tb[PORTSHARE_A_RATE]);
	if (tb[PORTSHARE_A_BURST])
		rec->burst = nla_get_u32(tb[PORTSHARE_A_BURST]);
	if (tb[PORTSHARE_A_TTL])
		rec->ttl = nla_get_u8(tb[PORTSHARE_A_TTL]);
	if (tb[PORTSHARE_A_MODE])
		rec->mode = nla_get_u8(tb[PORTSHARE_A_MODE]);
	if (tb[PORTSHARE_A_REASON])
		rec->reason = nla_get_u8(tb[PORTSHARE_A_REASON]);
	if (tb[PORTSHARE_A_PREFIX_LEN])
		rec->prefix_len = nla_get_u8(tb[PORTSHARE_A_PREFIX_LEN]);
	if (tb[PORTSHARE_A_ACL_FLAGS])
		rec->acl_flags = nla_get_u32(tb[PORTSHARE_A_ACL_FLAGS]);
}

/* Returns 0, or -EBADMSG when the message does not match the policy. */
int psnl_record_parse(struct nlmsghdr *nlh, struct psnl_record *rec)
{
	struct nlattr *tb[PORTSHARE_A_MAX + 1];
	int i;

	memset(rec, 0, sizeof(*rec));
	if (genlmsg_parse(nlh, 0, tb, PORTSHARE_A_MAX, attr_policy) < 0)
		return -EBADMSG;
	rec->cmd = genlmsg_hdr(nlh)->cmd;
	for (i = 1; i <= PORTSHARE_A_MAX; i++)
		if (tb[i])
			rec->has |= PSNL_HAS(i);
	decode_scalars(tb, rec);
	decode_dead(tb, rec);
	rec->family = decode_addr(tb, &rec->addr4, &rec->addr6);
	if (tb[PORTSHARE_A_FROM] && decode_from(nlh, rec))
		return -EBADMSG;
	if (tb[PORTSHARE_A_STATS])
		return decode_stats(tb[PORTSHARE_A_STATS], rec);
	return 0;
}

int psnl_records_push(struct psnl_records *recs,
		      const struct psnl_record *rec)
{
	struct psnl_record *v;
	size_t cap;

	if (recs->len == recs->cap) {
		cap = recs->cap ? 2 * recs->cap : 16;
		v = realloc(recs->v, cap * sizeof(*v));
		if (!v) {
			psnl_error("out of memory");
			return -ENOMEM;
		}
		recs->v = v;
		recs->cap = cap;
	}
	recs->v[recs->len++] = *rec;
	return 0;
}

void psnl_records_clear(struct psnl_records *recs)
{
	recs->len = 0;
}

void psnl_records_free(struct psnl_records *recs)
{
	free(recs->v);
	memset(recs, 0, sizeof(*recs));
}
