// SPDX-License-Identifier: GPL-2.0
/*
 * SHUTDOWN (Table 3): when a port stops being shared, every secondary
 * gets "SHUTDOWN <primary-address> <registration-port>" on its data port,
 * from the registration port, once (DESIGN §3).
 */

#include "portshare.h"

#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/socket.h>
#include <net/ipv6.h>

/* "SHUTDOWN <IPv6 address> <port>" */
#define SHUTDOWN_LEN	64

/* The primary address of @s: where its "100 OK" came from, or routing's. */
static int primary_addr(struct portshare_net *pn,
			const struct portshare_port *p,
			const struct portshare_secondary *s,
			struct in6_addr *src)
{
	memset(src, 0, sizeof(*src));
	if (s->family == AF_INET && s->src.v4.s_addr) {
		src->s6_addr32[0] = s->src.v4.s_addr;
		return 0;
	}
	if (s->family == AF_INET6 && !ipv6_addr_any(&s->src.v6)) {
		*src = s->src.v6;
		return 0;
	}
	return portshare_reg_route_src(pn, p, s->family, &s->addr, src);
}

static void shutdown_one(struct portshare_net *pn,
			 const struct portshare_port *p,
			 const struct portshare_secondary *s)
{
	struct in6_addr src, dst = {};
	char msg[SHUTDOWN_LEN];
	int len;

	if (primary_addr(pn, p, s, &src)) {
		portshare_reg_count(p, PS_REG_SEND_ERRORS);
		return;
	}
	if (s->family == AF_INET) {
		dst.s6_addr32[0] = s->addr.v4.s_addr;
		len = scnprintf(msg, sizeof(msg), "%s %pI4 %u",
				PORTSHARE_SHUTDOWN_TEXT, &src.s6_addr32[0],
				p->reg_port);
	} else {
		dst = s->addr.v6;
		len = scnprintf(msg, sizeof(msg), "%s %pI6c %u",
				PORTSHARE_SHUTDOWN_TEXT, &src, p->reg_port);
	}
	if (portshare_reg_send(p, s->family, &src, &dst, htons(s->data_port),
			       0, msg, len) < 0)
		portshare_reg_count(p, PS_REG_SEND_ERRORS);
}

/**
 * portshare_reg_shutdown() - send SHUTDOWN to every secondary of a port
 * @pn: the namespace; the caller holds @pn->lock
 * @p: the port, about to be undesignated, its list not yet purged
 *
 * A port without a registration port (reg off) has no address to name in
 * the notice and sends none.  Delivery is best effort: a secondary that
 * cannot be reached is skipped, and counted in PS_REG_SEND_ERRORS (which
 * the PORT_DEL event carries).
 */
void portshare_reg_shutdown(struct portshare_net *pn,
			    struct portshare_port *p)
{
	struct portshare_secondary *s;

	lockdep_assert_held(&pn->lock);
	if (p->reg_off || !p->reg.sock4)
		return;
	list_for_each_entry(s, &p->secondaries, node)
		shutdown_one(pn, p, s);
}
