// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text exposition format, version 0.0.4: for each metric
 * family of ps_metrics[] that has at least one sample, "# HELP" and
 * "# TYPE" once, then every sample of every object, all in one block
 * (a family must not be split).  No timestamps: the scraper adds them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

void ps_labels_init(struct ps_labels *l)
{
	l->text[0] = '\0';
	l->len = 0;
	l->overflow = false;
}

static void put_char(struct ps_labels *l, char c)
{
	if (l->len + 1 >= sizeof(l->text)) {
		l->overflow = true;
		return;
	}
	l->text[l->len++] = c;
	l->text[l->len] = '\0';
}

static void put_str(struct ps_labels *l, const char *s)
{
	while (*s)
		put_char(l, *s++);
}

/* A label value escapes backslash, double quote and line feed. */
void ps_labels_add(struct ps_labels *l, const char *name, const char *value)
{
	if (l->len)
		put_char(l, ',');
	put_str(l, name);
	put_str(l, "=\"");
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			put_char(l, '\\');
		if (*value == '\n')
			put_str(l, "\\n");
		else
			put_char(l, *value);
	}
	put_char(l, '"');
}

void ps_labels_add_uint(struct ps_labels *l, const char *name,
			unsigned long value)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lu", value);
	ps_labels_add(l, name, buf);
}

/* HELP text escapes backslash and line feed. */
static void write_help(FILE *f, const struct ps_metric *m)
{
	const char *s;

	fprintf(f, "# HELP %s ", m->name);
	for (s = m->help; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fprintf(f, "\n# TYPE %s %s\n", m->name,
		m->type == PS_METRIC_COUNTER ? "counter" : "gauge");
}

static void write_sample(FILE *f, const struct ps_metric *m,
			 const struct ps_labels *labels, uint64_t value)
{
	const char *sep = labels->len && m->label ? "," : "";

	fputs(m->name, f);
	if (labels->len || m->label)
		fprintf(f, "{%s%s%s}", labels->text, sep,
			m->label ? m->label : "");
	fprintf(f, " %" PRIu64 "\n", value);
}

/*
 * The rows [first, end) of one family: its samples, after its header.
 * Return: 0, or -ENAMETOOLONG when an object's labels did not fit.
 */
static int write_family(FILE *f, const struct ps_metric *first,
			const struct ps_metric *end,
			const struct ps_metric_object *objs, size_t n,
			struct ps_labels *labels)
{
	const struct ps_metric *m;
	bool header = false, labelled;
	uint64_t value;
	size_t i;

	for (i = 0; i < n; i++) {
		if (objs[i].scope != first->scope)
			continue;
		labelled = false;
		for (m = first; m < end; m++) {
			if (!objs[i].get(objs[i].arg, m->id, &value))
				continue;
			if (!labelled) {
				labelled = true;
				ps_labels_init(labels);
				objs[i].labels(objs[i].arg, labels);
				if (labels->overflow)
					return -ENAMETOOLONG;
			}
			if (!header)
				write_help(f, first);
			header = true;
			write_sample(f, m, labels, value);
		}
	}
	return 0;
}

/**
 * ps_metrics_write() - the exposition of some ports and secondaries
 * @f: where to write it
 * @objs: the ports and secondaries
 * @n: how many
 *
 * Return: 0, -ENAMETOOLONG if the labels of an object did not fit in
 * PS_LABELS_MAX (the output stops there), or -EIO if @f reports a write
 * error.
 */
int ps_metrics_write(FILE *f, const struct ps_metric_object *objs, size_t n)
{
	const struct ps_metric *first, *end;
	struct ps_labels *labels = malloc(sizeof(*labels));
	int err = labels ? 0 : -ENOMEM;

	for (first = ps_metrics; first->name && !err; first = end) {
		for (end = first + 1;
		     end->name && !strcmp(end->name, first->name); end++)
			;
		err = write_family(f, first, end, objs, n, labels);
	}
	free(labels);
	if ((fflush(f) || ferror(f)) && !err)
		err = -EIO;
	return err;
}
