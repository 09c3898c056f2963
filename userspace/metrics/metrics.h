/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus text exposition (format 0.0.4) of portshare's counters, for
 * psnl (stats --prometheus) and psd (--metrics-file): both print the same
 * metric names because both print ps_metrics[].
 *
 *   table.c       which counter is which metric: one line per counter
 *   exposition.c  the writer: families, samples, labels and escaping
 *
 * A caller describes every port and secondary it has as a struct
 * ps_metric_object: its labels, and a function that returns a value by
 * the table's id (a PORTSHARE_STAT_* counter or one of PS_METRIC_*
 * below).  Values an object does not have are left out, so psd, which
 * counts fewer things than the module, prints fewer samples.
 */
#ifndef PS_METRICS_H
#define PS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/portshare.h>

enum ps_metric_scope {
	PS_METRIC_PORT,		/* a contested port */
	PS_METRIC_SECONDARY,	/* one secondary of a port's list */
};

enum ps_metric_type {
	PS_METRIC_COUNTER,
	PS_METRIC_GAUGE,
};

/* Values that are not counters of PORTSHARE_A_STATS: ids after them. */
enum ps_metric_value {
	PS_METRIC_SECONDARIES = 1000,	/* port: length of its list */
	PS_METRIC_SECONDARIES_LIMIT,	/* port: cap on its list */
	PS_METRIC_UP,			/* secondary: 1 up, 0 dead */
};

/**
 * struct ps_metric - one value as one sample of a metric family
 * @scope: what has the value
 * @id: PORTSHARE_STAT_* or enum ps_metric_value
 * @type: of the family
 * @name: the family's name; rows of one family are adjacent
 * @label: the row's own label in exposition syntax, 'reason="csum"', or
 *         NULL
 * @help: the family's HELP text (the first row's is printed)
 */
struct ps_metric {
	enum ps_metric_scope scope;
	unsigned int id;
	enum ps_metric_type type;
	const char *name;
	const char *label;
	const char *help;
};

/* table.c: every metric, ending with a row whose name is NULL */
extern const struct ps_metric ps_metrics[];

/*
 * The labels of one port or secondary, in exposition syntax.  Room for a
 * namespace path of PATH_MAX bytes, every byte escaped.
 */
#define PS_LABELS_MAX	10240

struct ps_labels {
	char text[PS_LABELS_MAX];	/* 'port="427",mode="raw"' */
	size_t len;
	bool overflow;
};

/**
 * struct ps_metric_object - a port or a secondary, as the writer sees it
 * @scope: which rows of the table apply
 * @labels: fills in its labels (they identify it), after ps_labels_init()
 * @get: sets *@value to its value for @id and returns true, or returns
 *       false when it has no such value
 * @arg: passed to @labels and @get
 *
 * Labels are made when they are printed, not kept: a namespace may hold
 * thousands of secondaries.
 */
struct ps_metric_object {
	enum ps_metric_scope scope;
	void (*labels)(const void *arg, struct ps_labels *l);
	bool (*get)(const void *arg, unsigned int id, uint64_t *value);
	const void *arg;
};

/* exposition.c */
void ps_labels_init(struct ps_labels *l);
void ps_labels_add(struct ps_labels *l, const char *name, const char *value);
void ps_labels_add_uint(struct ps_labels *l, const char *name,
			unsigned long value);
int ps_metrics_write(FILE *f, const struct ps_metric_object *objs,
		     size_t n);

#endif /* PS_METRICS_H */
