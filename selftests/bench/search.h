/* SPDX-License-Identifier: GPL-2.0 */
/* The state of one benchmark configuration and what its trials found. */
#ifndef SEARCH_H
#define SEARCH_H

#include "psbench.h"

struct bench {
	const char *label;	/* "key=value ..." copied into every record */
	struct blaster blaster;
	struct sink sink;
	double seconds;		/* per trial */
	double min_rate;	/* the search gives up below this */
	int bisect;		/* bisection steps after the coarse search */
	unsigned int quiet_ms;	/* drained once nothing arrived for this long */
	bool soak;		/* measure the trial's CPU time with soak.c */
	unsigned int trial_id;
};

struct trial {
	unsigned int id;
	double target, offered;
	unsigned long sent, failed, min_got, min_ontime, app_got, copies, stale;
	double max_loss;	/* never arrived, worst secondary */
	double max_late;	/* lost or late, worst secondary: the criterion */
	double user_us, sys_us, softirq_us, busy_us;
	double soak_us;		/* all CPUs, with bench.soak (soak.c) */
	unsigned long long softnet_drop, rcvbuf_err;
	bool pass, sender_bound;
};

struct trial trial_run(struct bench *b, double rate, int rep, int step);
struct trial search(struct bench *b, double start, int rep);

#endif
