// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-wide CPU time from /proc/stat, so a trial's cost can be split
 * into user, system and softirq time and divided by the copies delivered.
 * Guest-wide on purpose: the copies are made in softirq on whatever CPU
 * the datagram arrived on, and by psd in user and system time, and the
 * receivers' cost is part of every contender alike.  The backlog drop
 * count (/proc/net/softnet_stat, second column) and the watched
 * namespaces' UDP RcvbufErrors tell where datagrams were lost.
 */
#include <stdio.h>
#include <string.h>

#include "psbench.h"

static unsigned long long softnet_drops(void)
{
	unsigned long long sum = 0;
	unsigned int processed, dropped;
	char line[512];
	FILE *f = fopen("/proc/net/softnet_stat", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%x %x", &processed, &dropped) == 2)
			sum += dropped;
	fclose(f);
	return sum;
}

void cpu_read(struct cpu_sample *c)
{
	FILE *f = fopen("/proc/stat", "r");

	memset(c, 0, sizeof(*c));
	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &c->user,
			 &c->nice, &c->sys, &c->idle, &c->iowait, &c->irq,
			 &c->softirq) != 7)
		die("cannot read /proc/stat");
	fclose(f);
	c->softnet_drop = softnet_drops();
	c->rcvbuf_err = netns_rcvbuf_errors();
}

/* Busy ticks between A and B: everything but idle and iowait. */
unsigned long long cpu_busy(const struct cpu_sample *a, const struct cpu_sample *b)
{
	return (b->user - a->user) + (b->nice - a->nice) + (b->sys - a->sys) +
	       (b->irq - a->irq) + (b->softirq - a->softirq);
}
