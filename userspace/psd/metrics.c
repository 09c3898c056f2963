// SPDX-License-Identifier: GPL-2.0
/*
 * --metrics-file PATH: psd's ports and secondaries in the Prometheus text
 * exposition, under the metric names of "psnl stats --prometheus"
 * (../metrics), for node_exporter's textfile collector.  The file is
 * replaced whole (a temporary file in the same directory, then rename),
 * so a reader never sees half of it; the temporary name does not end in
 * ".prom", so the collector never reads it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "psd.h"
#include "metrics.h"

/* libportshare's counter indexes as the stat ids of the metrics table */
static const unsigned int reg_ids[PORTSHARE_NREG] = {
	[PORTSHARE_REG_REQUESTS] = PORTSHARE_STAT_REG_REQUESTS,
	[PORTSHARE_REG_OK] = PORTSHARE_STAT_REG_OK,
	[PORTSHARE_REG_ERRORS] = PORTSHARE_STAT_REG_ERRORS,
	[PORTSHARE_REG_DENIED] = PORTSHARE_STAT_REG_DENIED,
	[PORTSHARE_REG_RATE_LIMITED] = PORTSHARE_STAT_REG_RATE_LIMITED,
	[PORTSHARE_REG_NOT_PERMITTED] = PORTSHARE_STAT_REG_NOT_PERMITTED,
	[PORTSHARE_REG_LIST_FULL] = PORTSHARE_STAT_REG_LIST_FULL,
	[PORTSHARE_REG_IGNORED] = PORTSHARE_STAT_REG_IGNORED,
};

static const unsigned int drop_ids[PORTSHARE_NDROP] = {
	[PORTSHARE_DROP_NOMEM] = PORTSHARE_STAT_SEC_DROP_NOMEM,
	[PORTSHARE_DROP_NOROUTE] = PORTSHARE_STAT_SEC_DROP_NOROUTE,
	[PORTSHARE_DROP_XMIT] = PORTSHARE_STAT_SEC_DROP_XMIT,
	[PORTSHARE_DROP_FAMILY] = PORTSHARE_STAT_SEC_DROP_FAMILY,
	[PORTSHARE_DROP_TOOBIG] = PORTSHARE_STAT_SEC_DROP_TOOBIG,
};

/* One port, or one secondary of a port, of the primary. */
struct object {
	const struct portshare_port_info *port;
	const struct portshare_list_entry *sec;	/* NULL for the port */
	uint64_t skip_filtered;		/* the secondary's source filter's */
	uint64_t drop_ratelimited;	/* over the secondary's rate cap */
	struct portshare_sec_state st;	/* the secondary's: up or dead */
	uint64_t reg_verify;		/* the port's "102 VERIFY" replies */
	unsigned int max_secondaries;
};

static bool find(const unsigned int *ids, unsigned int n, unsigned int id,
		 const uint64_t *values, uint64_t *value)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (ids[i] == id) {
			*value = values[i];
			return true;
		}
	}
	return false;
}

static bool port_value(const struct object *o, unsigned int id,
		       uint64_t *value)
{
	const struct portshare_port_info *p = o->port;

	switch (id) {
	case PORTSHARE_STAT_PORT_RX:
		*value = p->rx;
		return true;
	case PORTSHARE_STAT_PORT_SHARED:
		*value = p->shared;
		return true;
	case PORTSHARE_STAT_PORT_ERR_LOOP:
		*value = p->err_loop;
		return true;
	case PS_METRIC_SECONDARIES:
		*value = p->nsecs;
		return true;
	case PS_METRIC_SECONDARIES_LIMIT:
		*value = o->max_secondaries;
		return true;
	case PORTSHARE_STAT_REG_VERIFY:
		/* not in p->reg[]: libportshare keeps that array's size */
		*value = o->reg_verify;
		return !p->standalone;
	}
	/* a standalone port has no registration port, like "reg off" */
	return !p->standalone && find(reg_ids, PORTSHARE_NREG, id, p->reg,
				      value);
}

static bool sec_value(const struct object *o, unsigned int id,
		      uint64_t *value)
{
	switch (id) {
	case PORTSHARE_STAT_SEC_COPIES:
		*value = o->sec->copies;
		return true;
	case PORTSHARE_STAT_SEC_BYTES:
		*value = o->sec->bytes;
		return true;
	case PORTSHARE_STAT_SEC_FILTERED:
		*value = o->skip_filtered;
		return true;
	case PORTSHARE_STAT_SEC_DROP_RATELIMITED:
		*value = o->drop_ratelimited;
		return true;
	case PORTSHARE_STAT_SEC_ICMP_ERRORS:
		*value = o->st.icmp_errors;
		return true;
	case PORTSHARE_STAT_SEC_DEAD_SKIPPED:
		*value = o->st.dead_skipped;
		return true;
	case PORTSHARE_STAT_SEC_PROBES:
		*value = o->st.probes;
		return true;
	case PS_METRIC_UP:
		*value = o->st.state == PORTSHARE_STATE_UP;
		return true;
	}
	return find(drop_ids, PORTSHARE_NDROP, id, o->sec->drops, value);
}

static bool get_value(const void *arg, unsigned int id, uint64_t *value)
{
	const struct object *o = arg;

	return o->sec ? sec_value(o, id, value) : port_value(o, id, value);
}

static void labels(const void *arg, struct ps_labels *l)
{
	const struct object *o = arg;
	char addr[PORTSHARE_ADDR_STRLEN];

	ps_labels_add_uint(l, "port", o->port->port);
	if (!o->sec)
		return;
	if (portshare_addr_format(&o->sec->addr, addr, sizeof(addr)) < 0)
		strcpy(addr, "?");
	ps_labels_add(l, "secondary", addr);
	ps_labels_add_uint(l, "data_port", o->sec->data_port);
	ps_labels_add(l, "mode", psd_mode_name(o->sec->mode));
}

/* Everything the primary counts, as it is now. */
struct snapshot {
	struct portshare_port_info ports[PORTSHARE_PRIMARY_MAX_PORTS];
	struct portshare_list_entry *secs;
	struct object *objs;
	struct ps_metric_object *mo;
	size_t n;
};

static void snapshot_free(struct snapshot *s)
{
	free(s->secs);
	free(s->objs);
	free(s->mo);
	free(s);
}

static void add_object(struct snapshot *s, const struct psd *d,
		       const struct portshare_port_info *port,
		       const struct portshare_list_entry *sec,
		       const struct psd_sec_extra *c)
{
	s->objs[s->n] = (struct object){
		.port = port,
		.sec = sec,
		.skip_filtered = c ? c->skip_filtered : 0,
		.drop_ratelimited = c ? c->drop_ratelimited : 0,
		.st = c ? c->st : (struct portshare_sec_state){ 0 },
		.max_secondaries = d->opts.max_secondaries,
	};
	if (!sec)
		portshare_primary_reg_verify(d->pri, port->port,
					     &s->objs[s->n].reg_verify);
	s->mo[s->n] = (struct ps_metric_object){
		.scope = sec ? PS_METRIC_SECONDARY : PS_METRIC_PORT,
		.labels = labels,
		.get = get_value,
		.arg = &s->objs[s->n],
	};
	s->n++;
}

static struct snapshot *snapshot_take(const struct psd *d)
{
	uint16_t ports[PORTSHARE_PRIMARY_MAX_PORTS];
	struct snapshot *s = calloc(1, sizeof(*s));
	size_t nsecs = 0, k = 0, max;
	struct psd_sec_extra c;
	int n, i;
	unsigned int j;

	if (!s)
		return NULL;
	n = portshare_primary_ports(d->pri, ports, PORTSHARE_PRIMARY_MAX_PORTS);
	for (i = 0; i < n; i++)
		if (!portshare_primary_port_info(d->pri, ports[i], &s->ports[i]))
			nsecs += s->ports[i].nsecs;
	max = (size_t)n + nsecs;
	s->secs = calloc(nsecs + 1, sizeof(*s->secs));
	s->objs = calloc(max + 1, sizeof(*s->objs));
	s->mo = calloc(max + 1, sizeof(*s->mo));
	if (!s->secs || !s->objs || !s->mo) {
		snapshot_free(s);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (!s->ports[i].port)
			continue;	/* no info: not one of its ports now */
		add_object(s, d, &s->ports[i], NULL, NULL);
		for (j = 0; j < s->ports[i].nsecs && k < nsecs; j++)
			if (psd_sec_get(d, ports[i], j, &s->secs[k], &c))
				add_object(s, d, &s->ports[i], &s->secs[k++],
					   &c);
	}
	return s;
}

/* The exposition into a new file beside @path, then renamed over it. */
static int write_file(const char *path, const struct snapshot *s)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + sizeof(".XXXXXX"));
	FILE *f = NULL;
	int fd, err = 0;

	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".XXXXXX", sizeof(".XXXXXX"));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(tmp);
		return -errno;
	}
	if (fchmod(fd, 0644) || !(f = fdopen(fd, "w")))
		err = -errno;
	if (!err)
		err = ps_metrics_write(f, s->mo, s->n);
	if (!err && fsync(fd))
		err = -errno;
	if (f ? fclose(f) : close(fd))
		err = err ? err : -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}

/**
 * psd_metrics_write() - replace the --metrics-file with the counters now
 * @d: psd, with its primary
 *
 * Return: 0, or a negated errno (the file is then left as it was).
 */
int psd_metrics_write(const struct psd *d)
{
	struct snapshot *s = snapshot_take(d);
	int err;

	if (!s)
		return -ENOMEM;
	err = write_file(d->metrics_file, s);
	snapshot_free(s);
	return err;
}
