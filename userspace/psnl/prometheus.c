// SPDX-License-Identifier: GPL-2.0
/*
 * stats --prometheus: the ports and secondaries of one stats dump as the
 * Prometheus text exposition (../metrics: the metric names, shared with
 * psd).  Labels: netns (with -n), port; for a secondary also secondary
 * (its address), data_port and mode.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "psnl.h"
#include "metrics.h"

/* What the labels and values of one port or secondary come from. */
struct object {
	const struct psnl *ps;
	const struct psnl_record *rec;
};

static bool get_value(const void *arg, unsigned int id, uint64_t *value)
{
	const struct psnl_record *rec = ((const struct object *)arg)->rec;

	switch (id) {
	case PS_METRIC_SECONDARIES:
		*value = rec->num_secondaries;
		return rec->has & PSNL_HAS(PORTSHARE_A_NUM_SECONDARIES);
	case PS_METRIC_SECONDARIES_LIMIT:
		*value = rec->max_secondaries;
		return rec->has & PSNL_HAS(PORTSHARE_A_MAX_SECONDARIES);
	case PS_METRIC_UP:
		/* up unless the kernel says otherwise (or is too old to) */
		*value = !(rec->has & PSNL_HAS(PORTSHARE_A_STATE)) ||
			 rec->state == PORTSHARE_STATE_UP;
		return true;
	}
	if (id > PORTSHARE_STAT_MAX || !(rec->has_stats & PSNL_HAS_STAT(id)))
		return false;
	*value = rec->stats[id];
	return true;
}

static void port_labels(const void *arg, struct ps_labels *l)
{
	const struct object *o = arg;

	if (o->ps->netns)
		ps_labels_add(l, "netns", o->ps->netns);
	ps_labels_add_uint(l, "port", o->rec->port);
}

static void sec_labels(const void *arg, struct ps_labels *l)
{
	const struct psnl_record *rec = ((const struct object *)arg)->rec;
	const void *addr = rec->family == AF_INET6 ? (const void *)&rec->addr6 :
						     (const void *)&rec->addr4;
	char buf[INET6_ADDRSTRLEN], mode[16];

	port_labels(arg, l);
	if (!rec->family || !inet_ntop(rec->family, addr, buf, sizeof(buf)))
		strcpy(buf, "?");
	ps_labels_add(l, "secondary", buf);
	ps_labels_add_uint(l, "data_port", rec->data_port);
	ps_labels_add(l, "mode", psnl_mode_name(rec->mode, mode, sizeof(mode)));
}

static void add_objects(const struct psnl *ps, const struct psnl_records *recs,
			enum ps_metric_scope scope, struct object *o,
			struct ps_metric_object *mo)
{
	size_t i;

	for (i = 0; i < recs->len; i++) {
		o[i] = (struct object){ .ps = ps, .rec = &recs->v[i] };
		mo[i] = (struct ps_metric_object){
			.scope = scope,
			.labels = scope == PS_METRIC_PORT ? port_labels :
							    sec_labels,
			.get = get_value,
			.arg = &o[i],
		};
	}
}

/**
 * psnl_prometheus() - print ports and their secondaries as metrics
 * @ps: psnl, for -n
 * @ports: the ports of a PORT_GET dump
 * @secs: the secondaries of a SEC_GET dump
 *
 * Return: 0, or a negative errno, reported.
 */
int psnl_prometheus(const struct psnl *ps, const struct psnl_records *ports,
		    const struct psnl_records *secs)
{
	size_t n = ports->len + secs->len;
	struct ps_metric_object *mo = calloc(n + 1, sizeof(*mo));
	struct object *o = calloc(n + 1, sizeof(*o));
	int err = -ENOMEM;

	if (mo && o) {
		add_objects(ps, ports, PS_METRIC_PORT, o, mo);
		add_objects(ps, secs, PS_METRIC_SECONDARY, o + ports->len,
			    mo + ports->len);
		err = ps_metrics_write(stdout, mo, n);
	}
	if (err == -ENAMETOOLONG)
		psnl_error("the namespace name is too long for a label");
	else if (err)
		psnl_error("cannot write output: %s", strerror(-err));
	free(mo);
	free(o);
	return err;
}
