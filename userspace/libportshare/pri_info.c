// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a primary shares: its contested ports, their lists and counters
 * (psnl port list, psnl list and psnl stats for the userspace primary),
 * and each secondary's source filter.
 */
#include <string.h>

#include "primary.h"

int portshare_primary_ports(const struct portshare_primary *pri,
			    uint16_t *ports, size_t n)
{
	unsigned int i;

	for (i = 0; i < pri->nports && i < n; i++)
		ports[i] = pri->ports[i].port;
	return (int)pri->nports;
}

int portshare_primary_port_info(const struct portshare_primary *pri,
				uint16_t port,
				struct portshare_port_info *info)
{
	const struct pri_port *p = pri_port_find(pri, port);

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	memset(info, 0, sizeof(*info));
	info->port = p->port;
	info->reg_port = p->reg_port;
	info->standalone = p->standalone;
	info->reg_error = p->reg_error;
	info->nsecs = p->nsecs;
	info->rx = p->rx;
	info->shared = p->shared;
	info->err_loop = p->err_loop;
	memcpy(info->reg, p->reg, sizeof(info->reg));
	return 0;
}

int portshare_primary_reg_verify(const struct portshare_primary *pri,
				 uint16_t port, uint64_t *count)
{
	const struct pri_port *p = pri_port_find(pri, port);

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	*count = p->reg_verify;
	return 0;
}

int portshare_primary_sec_info(const struct portshare_primary *pri,
			       uint16_t port, unsigned int index,
			       struct portshare_list_entry *sec)
{
	const struct pri_port *p = pri_port_find(pri, port);

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	if (index >= p->nsecs)
		return PORTSHARE_E_INVALID;
	*sec = p->secs[index].e;
	return 0;
}

/* A matcher's prefix as the API reports it. */
static void prefix_put(const struct ps_prefix *in, struct portshare_prefix *out)
{
	memset(out, 0, sizeof(*out));
	out->net.family = in->family;
	memcpy(out->net.addr, in->addr, sizeof(out->net.addr));
	out->len = in->len;
}

int portshare_primary_sec_from(const struct portshare_primary *pri,
			       uint16_t port, unsigned int index,
			       struct portshare_prefix *from, size_t n,
			       uint64_t *skipped_filtered)
{
	const struct pri_port *p = pri_port_find(pri, port);
	const struct pri_sec *s;
	size_t i;

	if (!p)
		return PORTSHARE_E_UNKNOWN_PORT;
	if (index >= p->nsecs || (n && !from))
		return PORTSHARE_E_INVALID;
	s = &p->secs[index];
	for (i = 0; i < s->n_from && i < n; i++)
		prefix_put(&s->from[i], &from[i]);
	if (skipped_filtered)
		*skipped_filtered = s->skipped_filtered;
	return (int)s->n_from;
}
