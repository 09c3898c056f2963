// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The primary (US 6,363,081 FIGs. 3 and 4): its rules, its contested
 * ports and the event loop helpers.  The work is done by pri_sock.c
 * (FIG. 3), pri_reg.c (ADD and DROP) and pri_forward.c (copies).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "primary.h"

#define DEFAULT_REG_RATE	10
#define DEFAULT_REG_BURST	20
#define EVENTS			32

void portshare_primary_opts_init(struct portshare_primary_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->max_secondaries = PORTSHARE_DEFAULT_MAX_SECONDARIES;
	opts->reg_rate = DEFAULT_REG_RATE;
	opts->reg_burst = DEFAULT_REG_BURST;
}

static bool opts_valid(const struct portshare_primary_opts *o)
{
	return o->max_secondaries >= 1 &&
	       o->max_secondaries <= PORTSHARE_MAX_SECONDARIES_LIMIT &&
	       o->reg_burst >= 1;
}

int portshare_primary_new(struct portshare_primary **prip,
			  const struct portshare_primary_opts *opts)
{
	struct portshare_primary *pri;
	int err;

	*prip = NULL;
	if (opts && !opts_valid(opts))
		return PORTSHARE_E_INVALID;
	pri = calloc(1, sizeof(*pri));
	if (!pri)
		return -ENOMEM;
	if (opts)
		pri->opts = *opts;
	else
		portshare_primary_opts_init(&pri->opts);
	pri->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (pri->epfd < 0) {
		err = -errno;
		free(pri);
		return err;
	}
	err = pri_lease_init(pri);
	if (!err)
		err = pri_verify_init(pri);
	if (!err)
		err = pri_forward_init(pri);
	if (err) {
		if (pri->tfd >= 0)
			close(pri->tfd);
		close(pri->epfd);
		free(pri);
		return err;
	}
	*prip = pri;
	return 0;
}

int portshare_primary_transparent(const struct portshare_primary *pri)
{
	return pri->raw_error;
}

/* PRI_V4 or PRI_V6 for a PORTSHARE_FAMILY_*. */
int pri_fam(uint8_t family)
{
	return family == PORTSHARE_FAMILY_INET ? PRI_V4 : PRI_V6;
}

struct pri_port *pri_port_find(const struct portshare_primary *pri,
			       uint16_t port)
{
	unsigned int i;

	for (i = 0; i < pri->nports; i++)
		if (pri->ports[i].port == port)
			return (struct pri_port *)&pri->ports[i];
	return NULL;
}

bool pri_is_contested(const struct portshare_primary *pri, uint16_t port)
{
	return pri_port_find(pri, port) != NULL;
}

bool pri_is_reg_port(const struct portshare_primary *pri, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < pri->nports; i++)
		if (!pri->ports[i].standalone && pri->ports[i].reg_port == port)
			return true;
	return false;
}

int portshare_primary_add_port(struct portshare_primary *pri, uint16_t port,
			       uint16_t reg_port)
{
	struct pri_port *p = &pri->ports[pri->nports];
	int err;

	if (!port)
		return PORTSHARE_E_INVALID;
	if (!reg_port)
		reg_port = portshare_default_reg_port(port);
	if (!reg_port)
		return PORTSHARE_E_NO_REG_PORT;
	if (reg_port == port || pri_is_contested(pri, port) ||
	    pri_is_contested(pri, reg_port))
		return PORTSHARE_E_PORT_CONFLICT;
	if (pri->nports == PORTSHARE_PRIMARY_MAX_PORTS)
		return PORTSHARE_E_TABLE_FULL;
	memset(p, 0, sizeof(*p));
	p->port = port;
	p->reg_port = reg_port;
	pri_dead_port_init(p);
	err = pri_port_bind(pri, p);
	if (err < 0)
		return err;
	pri->nports++;
	return p->standalone ? 1 : 0;
}

/* SHUTDOWN, purge, close: the port is gone from @pri afterwards. */
static void port_remove(struct portshare_primary *pri, struct pri_port *p)
{
	pri_port_shutdown(p);
	pri_port_close(pri, p);
	free(p->secs);
	memmove(p, p + 1,
		(size_t)(pri->ports + pri->nports - (p + 1)) * sizeof(*p));
	pri->nports--;
}

int portshare_primary_remove_port(struct portshare_primary *pri,
				  uint16_t port)
{
	struct pri_port *p = pri_port_find(pri, port);

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	port_remove(pri, p);
	return 0;
}

int portshare_primary_fd(const struct portshare_primary *pri)
{
	return pri->epfd;
}

/*
 * epoll tags are pri_sock.c's: port * 4 + (2 registration) + family; and
 * the lease timer's.  EPOLLERR on a socket copies leave from: ICMP errors
 * are queued (pri_icmp.c), read before anything else.
 */
static void serve(struct portshare_primary *pri, const struct epoll_event *ev)
{
	uint32_t tag = ev->data.u32;
	struct pri_port *p;
	int fam = (int)(tag & 1);

	if (tag == PRI_TAG_TIMER) {
		pri_lease_timer(pri);
		return;
	}
	p = pri_port_find(pri, (uint16_t)(tag / 4));
	if (!p)
		return;		/* removed since the wait */
	if (ev->events & EPOLLERR)
		pri_icmp_input(pri, p, tag & 2 ? p->rfd[fam] : p->cfd[fam]);
	if (tag & 2)
		pri_reg_input(pri, p, fam);
	else
		pri_forward_input(pri, p, fam);
}

int portshare_primary_dispatch(struct portshare_primary *pri, int timeout_ms)
{
	struct epoll_event ev[EVENTS];
	int n, i;

	n = epoll_wait(pri->epfd, ev, EVENTS, timeout_ms);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++)
		serve(pri, &ev[i]);
	return n;
}

void portshare_primary_close(struct portshare_primary *pri)
{
	if (!pri)
		return;
	while (pri->nports)
		port_remove(pri, &pri->ports[0]);
	pri_forward_fini(pri);
	close(pri->tfd);
	close(pri->epfd);
	free(pri->own);
	free(pri->bcast);
	free(pri);
}
