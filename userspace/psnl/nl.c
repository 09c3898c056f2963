// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink session: connect (inside -n NAME if given), turn on
 * extended ACKs, resolve the "portshare" family; then requests that wait
 * for their ACK, and dumps that are retried when they raced a change.
 * Kernel rejections are reported here with the kernel's extack message.
 * The "events" group is in events.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "psnl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define DUMP_ATTEMPTS		5
#define EXTACK_PREFIX		"portshare: "

struct psnl_nl {
	struct nl_sock *sk;
	int family;
};

/* One request in flight and what came back for it. */
struct txn {
	int status;		/* 1: waiting; 0: done; -errno: failed */
	bool from_kernel;	/* status is the kernel's answer */
	bool interrupted;	/* a dump raced a change (NLM_F_DUMP_INTR) */
	char extack[256];
	const struct psnl_dump *dump;
	int reply_err;		/* first error of dump->on_reply */
};

/* A libnl failure (not the kernel's answer): report it, return -EIO. */
int psnl_nl_library_error(const char *what, int nlerr)
{
	psnl_error("%s: %s", what, nl_geterror(nlerr));
	return -EIO;
}

/* Copy the extack TLVs that follow an ACK, an error or a DONE message. */
static void read_extack(const struct nlmsghdr *nlh, size_t offset,
			struct txn *t)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct nlattr *attrs = (struct nlattr *)((char *)nlh + offset);
	const char *msg;
	int len = (int)nlh->nlmsg_len - (int)offset;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG]) {
		msg = nla_data(tb[NLMSGERR_ATTR_MSG]);
		len = strnlen(msg, nla_len(tb[NLMSGERR_ATTR_MSG]));
		if (!strncmp(msg, EXTACK_PREFIX, strlen(EXTACK_PREFIX)) &&
		    len > (int)strlen(EXTACK_PREFIX)) {
			msg += strlen(EXTACK_PREFIX);
			len -= strlen(EXTACK_PREFIX);
		}
		snprintf(t->extack, sizeof(t->extack), "%.*s", len, msg);
	} else if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
		   nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4) {
		snprintf(t->extack, sizeof(t->extack),
			 "request lacks attribute %s",
			 psnl_attr_name(nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE])));
	}
}

/* Where the TLVs start after struct nlmsgerr (and the echoed request). */
static size_t ack_tlv_offset(const struct nlmsghdr *nlh,
			     const struct nlmsgerr *e)
{
	size_t offset = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*e));

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	return offset;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct txn *t = arg;

	(void)nla;
	t->status = e->error;
	t->from_kernel = true;
	read_extack(nlh, ack_tlv_offset(nlh, e), t);
	return NL_STOP;
}

/* Success; a message attached to it is a warning. */
static int on_ack(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct txn *t = arg;

	t->status = 0;
	read_extack(nlh, ack_tlv_offset(nlh, nlmsg_data(nlh)), t);
	if (t->extack[0])
		psnl_warning("%s", t->extack);
	return NL_STOP;
}

/* NLMSG_DONE ends a dump; it carries the dump's error, if any. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct txn *t = arg;
	int err = 0;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->interrupted = true;
	if (nlmsg_datalen(nlh) >= (int)sizeof(err))
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
	t->status = err < 0 ? err : 0;
	if (err < 0) {
		t->from_kernel = true;
		read_extack(nlh, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(err)), t);
	}
	return NL_STOP;
}

static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct txn *t = arg;

	(void)msg;
	t->interrupted = true;
	return NL_OK;
}

/* One reply of a dump, handed to its consumer. */
static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct psnl_record rec;
	struct txn *t = arg;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->interrupted = true;
	if (!t->dump || t->reply_err)
		return NL_OK;
	if (psnl_record_parse(nlh, &rec) < 0) {
		psnl_error("malformed reply from the kernel");
		t->reply_err = -EBADMSG;
	} else if (!t->dump->port || rec.port == t->dump->port) {
		t->reply_err = t->dump->on_reply(&rec, t->dump->arg);
	}
	return NL_OK;
}

static struct nl_cb *txn_callbacks(struct txn *t)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, t);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, t);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, t);
	return cb;
}

/*
 * EPERM comes from genetlink's capability check, which sends no extack
 * message: say which privilege is missing and what to do about it.
 */
static void report_kernel_error(const struct txn *t)
{
	int err = -t->status;
	const char *what = t->extack[0] ? t->extack : strerror(err);

	if ((err == EPERM || err == EACCES) && t->dump)
		psnl_error("%s: reading distribution lists and the acl needs %s; "
			   "'psnl port list' needs no privilege", what,
			   PSNL_NEED_ADMIN);
	else if (err == EPERM || err == EACCES)
		psnl_error("%s: changing portshare state needs %s", what,
			   PSNL_NEED_ADMIN);
	else
		psnl_error("%s", what);
}

/* Send msg (consumed) and read until its ACK, error or DONE. */
static int transact(struct psnl_nl *nl, struct nl_msg *msg, struct txn *t)
{
	struct nl_cb *cb = txn_callbacks(t);
	int r;

	if (!cb) {
		nlmsg_free(msg);
		psnl_error("out of memory");
		return -ENOMEM;
	}
	r = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	t->status = r < 0 ? psnl_nl_library_error("cannot send request", r) : 1;
	while (t->status > 0) {
		r = nl_recvmsgs(nl->sk, cb);
		if (r == -NLE_DUMP_INTR && t->status > 0) {
			t->interrupted = true;
			t->status = 0;
		} else if (r < 0 && t->status > 0) {
			t->status = psnl_nl_library_error("cannot read reply", r);
		}
	}
	nl_cb_put(cb);
	if (t->status < 0 && t->from_kernel)
		report_kernel_error(t);
	return t->status;
}

static struct nl_msg *new_message(struct psnl_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family,
				 0, flags, cmd, PORTSHARE_GENL_VERSION)) {
		nlmsg_free(msg);
		psnl_error("out of memory");
		return NULL;
	}
	return msg;
}

/* A request that changes state; never NLM_F_CREATE or NLM_F_EXCL. */
struct nl_msg *psnl_nl_new_request(struct psnl_nl *nl, uint8_t cmd)
{
	return new_message(nl, cmd, NLM_F_ACK);
}

/* For a request whose attributes did not fit. */
int psnl_nl_discard(struct nl_msg *msg)
{
	nlmsg_free(msg);
	psnl_error("cannot build the netlink request");
	return -ENOBUFS;
}

int psnl_nl_request(struct psnl_nl *nl, struct nl_msg *msg)
{
	struct txn t = { 0 };

	return transact(nl, msg, &t);
}

static int dump_once(struct psnl_nl *nl, const struct psnl_dump *dump,
		     bool *interrupted)
{
	struct txn t = { .dump = dump };
	struct nl_msg *msg = new_message(nl, dump->cmd, NLM_F_DUMP);
	int err;

	if (!msg)
		return -ENOMEM;
	if (dump->port && nla_put_u16(msg, PORTSHARE_A_PORT, dump->port) < 0)
		return psnl_nl_discard(msg);
	err = transact(nl, msg, &t);
	*interrupted = t.interrupted;
	return err ? err : t.reply_err;
}

/* A dump that raced a change is inconsistent: forget it and try again. */
int psnl_nl_dump(struct psnl_nl *nl, const struct psnl_dump *dump)
{
	bool interrupted;
	int attempt, err;

	for (attempt = 1; attempt <= DUMP_ATTEMPTS; attempt++) {
		err = dump_once(nl, dump, &interrupted);
		if (err || !interrupted)
			return err;
		if (dump->on_restart)
			dump->on_restart(dump->arg);
	}
	psnl_error("the list kept changing while it was read (%d attempts): try again",
		   DUMP_ATTEMPTS);
	return -EAGAIN;
}

static void enable_extended_acks(struct nl_sock *sk)
{
	int fd = nl_socket_get_fd(sk), one = 1;

	/* Best effort: without them errors fall back to strerror(). */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

static int connect_socket(struct psnl_nl *nl, const char *netns)
{
	int saved = -1, err, r;

	if (netns) {
		err = psnl_netns_enter(netns, &saved);
		if (err)
			return err;
	}
	nl->sk = nl_socket_alloc();
	r = nl->sk ? genl_connect(nl->sk) : -NLE_NOMEM;
	err = 0;
	if (r < 0)
		err = psnl_nl_library_error("cannot open a netlink socket", r);
	if (saved >= 0 && psnl_netns_return(saved) < 0 && !err)
		err = -EIO;
	return err;
}

static int resolve_family(struct psnl_nl *nl)
{
	nl->family = genl_ctrl_resolve(nl->sk, PORTSHARE_GENL_NAME);
	if (nl->family == -NLE_OBJ_NOTFOUND) {
		psnl_error("portshare kernel module is not loaded: run 'modprobe portshare'");
		return -ENOENT;
	}
	if (nl->family < 0)
		return psnl_nl_library_error("cannot resolve generic netlink family \""
				     PORTSHARE_GENL_NAME "\"", nl->family);
	return 0;
}

/* Open the session on first use; later calls return at once. */
int psnl_nl_open(struct psnl *ps)
{
	struct psnl_nl *nl;
	int err;

	if (ps->nl)
		return 0;
	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		psnl_error("out of memory");
		return -ENOMEM;
	}
	err = connect_socket(nl, ps->netns);
	if (!err) {
		enable_extended_acks(nl->sk);
		nl_socket_enable_msg_peek(nl->sk);
		err = resolve_family(nl);
	}
	if (err) {
		nl_socket_free(nl->sk);
		free(nl);
		return err;
	}
	ps->nl = nl;
	return 0;
}

void psnl_nl_close(struct psnl *ps)
{
	if (!ps->nl)
		return;
	nl_socket_free(ps->nl->sk);
	free(ps->nl);
	ps->nl = NULL;
}

struct nl_sock *psnl_nl_socket(struct psnl_nl *nl)
{
	return nl->sk;
}

int psnl_nl_family(struct psnl_nl *nl)
{
	return nl->family;
}

/* ADDR4 or ADDR6, and PREFIX_LEN if the network had one. */
int psnl_put_prefix(struct nl_msg *msg, const struct psnl_prefix *pfx)
{
	if (pfx->family == AF_INET &&
	    nla_put(msg, PORTSHARE_A_ADDR4, sizeof(pfx->addr4),
		    &pfx->addr4) < 0)
		return -ENOBUFS;
	if (pfx->family == AF_INET6 &&
	    nla_put(msg, PORTSHARE_A_ADDR6, sizeof(pfx->addr6),
		    &pfx->addr6) < 0)
		return -ENOBUFS;
	if (pfx->has_len &&
	    nla_put_u8(msg, PORTSHARE_A_PREFIX_LEN, pfx->len) < 0)
		return -ENOBUFS;
	return 0;
}
