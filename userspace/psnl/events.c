// SPDX-License-Identifier: GPL-2.0
/*
 * The "events" multicast group, for monitor: join it on the session's
 * socket, then decode what arrives into records.  The socket is left
 * non-blocking and without sequence checks, so it is closed afterwards
 * rather than used for requests again.
 */
#include <errno.h>
#include <stdlib.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "psnl.h"

#define EVENT_RCVBUF	(1 << 20)

struct psnl_events {
	struct nl_sock *sk;
	int family;
	struct nl_cb *cb;
	void (*on_event)(const struct psnl_record *rec);
};

static int accept_any_sequence(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/* Events this psnl does not know are skipped. */
static int on_event_message(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct psnl_events *ev = arg;
	struct psnl_record rec;

	if (nlh->nlmsg_type != ev->family)
		return NL_OK;
	if (psnl_record_parse(nlh, &rec) < 0)
		psnl_warning("ignoring a malformed event");
	else if (psnl_event_name(rec.cmd))
		ev->on_event(&rec);
	return NL_OK;
}

static int join_group(struct psnl_events *ev)
{
	int grp = genl_ctrl_resolve_grp(ev->sk, PORTSHARE_GENL_NAME,
					PORTSHARE_MCGRP_EVENTS);
	int r;

	if (grp < 0)
		return psnl_nl_library_error("cannot resolve multicast group \""
					     PORTSHARE_MCGRP_EVENTS "\"", grp);
	nl_socket_set_buffer_size(ev->sk, EVENT_RCVBUF, 0);
	r = nl_socket_add_membership(ev->sk, grp);
	if (r == -NLE_PERM) {
		psnl_error("cannot listen to events: they need %s",
			   PSNL_NEED_ADMIN);
		return -EPERM;
	}
	if (r < 0)
		return psnl_nl_library_error("cannot join multicast group", r);
	r = nl_socket_set_nonblocking(ev->sk);
	if (r < 0)
		return psnl_nl_library_error("cannot make the socket non-blocking",
					     r);
	return 0;
}

/* Returns NULL when it failed (reported). */
struct psnl_events *psnl_events_subscribe(struct psnl_nl *nl)
{
	struct psnl_events *ev = calloc(1, sizeof(*ev));

	if (ev)
		ev->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!ev || !ev->cb) {
		free(ev);
		psnl_error("out of memory");
		return NULL;
	}
	ev->sk = psnl_nl_socket(nl);
	ev->family = psnl_nl_family(nl);
	nl_cb_set(ev->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, accept_any_sequence,
		  NULL);
	nl_cb_set(ev->cb, NL_CB_VALID, NL_CB_CUSTOM, on_event_message, ev);
	if (join_group(ev) < 0) {
		psnl_events_free(ev);
		return NULL;
	}
	return ev;
}

void psnl_events_free(struct psnl_events *ev)
{
	if (!ev)
		return;
	nl_cb_put(ev->cb);
	free(ev);
}

int psnl_events_fd(struct psnl_events *ev)
{
	return nl_socket_get_fd(ev->sk);
}

/* Read what is queued; an overrun is reported and reading goes on. */
int psnl_events_read(struct psnl_events *ev,
		     void (*on_event)(const struct psnl_record *rec))
{
	int r;

	ev->on_event = on_event;
	errno = 0;
	r = nl_recvmsgs(ev->sk, ev->cb);
	if (r >= 0 || r == -NLE_AGAIN)
		return 0;
	if (errno == ENOBUFS) {
		psnl_warning("events were lost: the receive buffer overran");
		return 0;
	}
	return psnl_nl_library_error("cannot read events", r);
}
