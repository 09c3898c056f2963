/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink plumbing of the suites' C programs (nl_test and
 * pshard): building a request, walking attributes, reading the extack of
 * an error and finding a family by name.  Deliberately raw, without
 * libnl: the tests must see exactly what the kernel sends.
 */
#ifndef PORTSHARE_SELFTEST_GENL_H
#define PORTSHARE_SELFTEST_GENL_H

#include <stddef.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#define GENL_BUFSZ	16384

struct genl_msg {
	char buf[GENL_BUFSZ];
	struct nlmsghdr *nlh;
};

/* A request with a genetlink header and no attributes yet. */
void genl_msg_init(struct genl_msg *m, __u16 family, __u8 cmd, __u8 version,
		   __u16 flags, __u32 seq);
/* Append attribute @type with @len bytes of @data; returns it. */
struct nlattr *genl_put(struct genl_msg *m, __u16 type, const void *data,
			size_t len);

static inline void *nla_payload(const struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static inline int nla_payload_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* Call @fn for each well-formed attribute of the @rem bytes at @a. */
void nla_walk(const struct nlattr *a, int rem,
	      void (*fn)(const struct nlattr *a, void *arg), void *arg);
/* The attributes of a genetlink message: those after its genlmsghdr. */
void genl_walk(const struct nlmsghdr *h,
	       void (*fn)(const struct nlattr *a, void *arg), void *arg);

/* What an NLMSG_ERROR's extack TLVs say. */
struct genl_extack {
	char msg[256];		/* NLMSGERR_ATTR_MSG, or "" */
	int offs;		/* NLMSGERR_ATTR_OFFS, or -1 */
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
};

/* No message, no offset, no missing type. */
void genl_extack_init(struct genl_extack *ext);
/* Read the extack that follows @h's struct nlmsgerr into @ext. */
void genl_parse_extack(const struct nlmsghdr *h, struct genl_extack *ext);

/*
 * A bound NETLINK_GENERIC socket with extended and capped acks, whose
 * reads time out after @timeout_s seconds; or -errno.
 */
int genl_socket(int timeout_s);

struct genl_family {
	__u16 id;		/* 0: not found */
	__u32 version;
	int grp_id;		/* of the group asked for, or 0 */
};

/*
 * Ask the controller for family @name and the id of its multicast group
 * @grp (may be NULL).  Returns 0, -ENOENT if there is no such family, or
 * another -errno.
 */
int genl_resolve(int fd, const char *name, const char *grp,
		 struct genl_family *fam);

#endif
