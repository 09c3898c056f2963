// SPDX-License-Identifier: GPL-2.0
/* The suites' generic netlink plumbing: see genl.h. */

#include "genl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

void genl_msg_init(struct genl_msg *m, __u16 family, __u8 cmd, __u8 version,
		   __u16 flags, __u32 seq)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, sizeof(m->buf));
	m->nlh = (struct nlmsghdr *)m->buf;
	m->nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh->nlmsg_type = family;
	m->nlh->nlmsg_flags = flags;
	m->nlh->nlmsg_seq = seq;
	g = NLMSG_DATA(m->nlh);
	g->cmd = cmd;
	g->version = version;
}

struct nlattr *genl_put(struct genl_msg *m, __u16 type, const void *data,
			size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf +
					     NLMSG_ALIGN(m->nlh->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(nla_payload(a), data, len);
	m->nlh->nlmsg_len = NLMSG_ALIGN(m->nlh->nlmsg_len) +
			    NLA_ALIGN(a->nla_len);
	return a;
}

void nla_walk(const struct nlattr *a, int rem,
	      void (*fn)(const struct nlattr *a, void *arg), void *arg)
{
	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= rem) {
		fn(a, arg);
		rem -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a +
					    NLA_ALIGN(a->nla_len));
	}
}

void genl_walk(const struct nlmsghdr *h,
	       void (*fn)(const struct nlattr *a, void *arg), void *arg)
{
	nla_walk((const struct nlattr *)((const char *)NLMSG_DATA(h) +
					 GENL_HDRLEN),
		 (int)h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), fn, arg);
}

static void on_extack(const struct nlattr *a, void *arg)
{
	struct genl_extack *ext = arg;
	int len = nla_payload_len(a);
	__u32 v;

	switch (a->nla_type) {
	case NLMSGERR_ATTR_MSG:
		snprintf(ext->msg, sizeof(ext->msg), "%.*s", len,
			 (const char *)nla_payload(a));
		break;
	case NLMSGERR_ATTR_OFFS:
	case NLMSGERR_ATTR_MISS_TYPE:
		if (len != 4)
			break;
		memcpy(&v, nla_payload(a), 4);
		if (a->nla_type == NLMSGERR_ATTR_OFFS)
			ext->offs = (int)v;
		else
			ext->miss_type = (int)v;
		break;
	}
}

void genl_extack_init(struct genl_extack *ext)
{
	ext->msg[0] = '\0';
	ext->offs = -1;
	ext->miss_type = -1;
}

void genl_parse_extack(const struct nlmsghdr *h, struct genl_extack *ext)
{
	const struct nlmsgerr *err = NLMSG_DATA(h);
	int off = NLMSG_LENGTH(sizeof(*err));

	genl_extack_init(ext);
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* without NETLINK_CAP_ACK the request is echoed before the TLVs */
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(err->msg.nlmsg_len) - NLMSG_HDRLEN;
	nla_walk((const struct nlattr *)((const char *)h + off),
		 (int)h->nlmsg_len - off, on_extack, ext);
}

int genl_socket(int timeout_s)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = timeout_s };
	int fd, one = 1, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

struct resolve_ctx {
	struct genl_family *fam;
	const char *grp;
	__u32 id;
	int match;
};

static void on_grp_attr(const struct nlattr *a, void *arg)
{
	struct resolve_ctx *c = arg;

	if (a->nla_type == CTRL_ATTR_MCAST_GRP_ID && nla_payload_len(a) == 4)
		memcpy(&c->id, nla_payload(a), 4);
	if (a->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
	    !strncmp(nla_payload(a), c->grp, nla_payload_len(a)))
		c->match = 1;
}

/* CTRL_ATTR_MCAST_GROUPS: a nest of { NAME, ID } nests */
static void on_grp(const struct nlattr *a, void *arg)
{
	struct resolve_ctx *c = arg;

	c->id = 0;
	c->match = 0;
	nla_walk(nla_payload(a), nla_payload_len(a), on_grp_attr, c);
	if (c->match)
		c->fam->grp_id = (int)c->id;
}

static void on_family(const struct nlattr *a, void *arg)
{
	struct resolve_ctx *c = arg;

	switch (a->nla_type & NLA_TYPE_MASK) {
	case CTRL_ATTR_FAMILY_ID:
		memcpy(&c->fam->id, nla_payload(a), 2);
		break;
	case CTRL_ATTR_VERSION:
		memcpy(&c->fam->version, nla_payload(a), 4);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (c->grp)
			nla_walk(nla_payload(a), nla_payload_len(a), on_grp, c);
		break;
	}
}

int genl_resolve(int fd, const char *name, const char *grp,
		 struct genl_family *fam)
{
	static char buf[GENL_BUFSZ];
	struct resolve_ctx c = { .fam = fam, .grp = grp };
	struct genl_msg m;
	struct nlmsghdr *h;
	ssize_t len;
	int err = 1;

	memset(fam, 0, sizeof(*fam));
	genl_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
		      NLM_F_REQUEST | NLM_F_ACK, 1);
	genl_put(&m, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	if (send(fd, m.buf, m.nlh->nlmsg_len, 0) < 0)
		return -errno;
	/* the family's message, then the ack; or an error */
	while (err > 0) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
				break;
			}
			if (h->nlmsg_type == GENL_ID_CTRL)
				genl_walk(h, on_family, &c);
		}
	}
	if (err)
		return err;
	return fam->id ? 0 : -ENOENT;
}
