// SPDX-License-Identifier: GPL-2.0
/*
 * psbench: the highest lossless rate of one sharing configuration.
 *
 *   psbench --label "KEY=VALUE ..." --snd NS --to ADDR:PORT [--from ADDR]
 *           [--mcast-if ADDR] --rx NS,ADDR:PORT[,app][,join=G@IF] ...
 *           [--size BYTES] [--seconds S] [--start RATE] [--bisect N]
 *           [--reps N] [--fixed RATE] [--cpu-at FRACTION | --cpu-rate RATE]
 *           [--cpu-seconds S] [--soak S] [--pktgen DEV,DSTMAC]
 *
 * The sender is a paced sendmmsg loop on a UDP socket, or with --pktgen
 * the kernel's pktgen on the sender's DEV, sending to DSTMAC (pktgen.c).
 * For each repetition it searches the highest offered rate at which every
 * secondary (every --rx without ",app") loses at most 0.1% (search.c);
 * with --fixed it runs trials at that one rate instead.
 *
 * Output, one record a line, "KIND LABEL key=value...":
 *   T  every trial (step 0 is a warm-up, step -1 the CPU trial)
 *   R  per repetition: the best passing trial and its CPU time per copy
 *   F  instead of R with --fixed
 *   C  with --cpu-at F (--cpu-rate R): one more trial at F times the
 *      result (at R), for the CPU time per copy below saturation; at the
 *      lossless rate itself the guest is saturated, and busy time per
 *      copy is then little more than the inverse of that rate.  It lasts
 *      --cpu-seconds (default --seconds).  With --soak S, cpu_us comes
 *      from soakers (soak.c, calibrated for S seconds at the start);
 *      /proc/stat's figures stay in user_us, sys_us and softirq_us
 * selftests/bench/report turns them into tables and plots.  Repetitions
 * after the first start at a quarter of the first one's result, which
 * saves the slow climb from --start.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "psbench.h"
#include "search.h"

static void usage(void)
{
	fputs("usage: psbench --label L --snd NS --to ADDR:PORT --rx NS,ADDR:PORT[,app][,join=G@IF]...\n"
	      "       [--from ADDR] [--mcast-if ADDR] [--size B] [--seconds S] [--start R]\n"
	      "       [--bisect N] [--reps N] [--fixed R] [--cpu-at F|--cpu-rate R] [--cpu-seconds S]\n"
	      "       [--soak S] [--pktgen DEV,DSTMAC]\n", stderr);
	exit(2);
}

static void report(const struct bench *b, const struct trial *t, int rep,
		   const char *kind)
{
	double copies = t->copies ? (double)t->copies : 1;

	double busy = t->soak_us > 0 ? t->soak_us : t->busy_us;

	printf("%s %s rep=%d rate=%.0f cpu_us=%.3f user_us=%.3f sys_us=%.3f"
	       " softirq_us=%.3f soak=%d sender_bound=%d\n",
	       kind, b->label, rep, t->offered, busy / copies,
	       t->user_us / copies, t->sys_us / copies, t->softirq_us / copies,
	       t->soak_us > 0, t->sender_bound);
	fflush(stdout);
}

/* The C record: a trial at @rate lasting @seconds (0: as the others). */
static void cpu_trial(struct bench *b, double rate, double seconds, int rep)
{
	double keep = b->seconds;
	struct trial t;

	if (seconds > 0)
		b->seconds = seconds;
	b->soak = soak_cpus() > 0;
	t = trial_run(b, rate, rep, -1);
	b->soak = false;
	b->seconds = keep;
	report(b, &t, rep, "C");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "snd", required_argument, NULL, 'n' },
		{ "to", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "mcast-if", required_argument, NULL, 'm' },
		{ "rx", required_argument, NULL, 'r' },
		{ "size", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "start", required_argument, NULL, 'a' },
		{ "bisect", required_argument, NULL, 'b' },
		{ "reps", required_argument, NULL, 'R' },
		{ "fixed", required_argument, NULL, 'x' },
		{ "pktgen", required_argument, NULL, 'p' },
		{ "cpu-at", required_argument, NULL, 'c' },
		{ "cpu-rate", required_argument, NULL, 'C' },
		{ "cpu-seconds", required_argument, NULL, 'T' },
		{ "soak", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	static struct bench b = { .label = "", .seconds = 1, .min_rate = 20,
				  .bisect = 3, .quiet_ms = 150 };
	const char *snd = NULL, *to = NULL, *from = NULL, *mcast_if = NULL;
	char *pktgen = NULL, *mac;
	double start = 1000, fixed = 0, cpu_at = 0, cpu_rate = 0, cpu_seconds = 0;
	double soak_s = 0;
	size_t size = 256;
	int reps = 3, rep, c;
	pthread_t rx;
	struct trial t;

	b.sink.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (b.sink.epfd < 0)
		die("epoll_create1");
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': b.label = optarg; break;
		case 'n': snd = optarg; break;
		case 't': to = optarg; break;
		case 'f': from = optarg; break;
		case 'm': mcast_if = optarg; break;
		case 'r': sink_add(&b.sink, optarg); break;
		case 's': size = strtoul(optarg, NULL, 10); break;
		case 'S': b.seconds = atof(optarg); break;
		case 'a': start = atof(optarg); break;
		case 'b': b.bisect = atoi(optarg); break;
		case 'R': reps = atoi(optarg); break;
		case 'x': fixed = atof(optarg); break;
		case 'p': pktgen = optarg; break;
		case 'c': cpu_at = atof(optarg); break;
		case 'C': cpu_rate = atof(optarg); break;
		case 'T': cpu_seconds = atof(optarg); break;
		case 'k': soak_s = atof(optarg); break;
		default: usage();
		}
	}
	if (!snd || !to || !b.sink.nsock || optind != argc || reps < 1 ||
	    b.seconds <= 0 || start <= 0)
		usage();
	if (pktgen) {
		mac = strchr(pktgen, ',');
		if (!mac)
			usage();
		*mac++ = '\0';
		pktgen_open(&b.blaster, snd, pktgen, to, from, mac, size);
	} else {
		blast_open(&b.blaster, snd, to, from, mcast_if, size);
	}
	if (pthread_create(&rx, NULL, sink_run, &b.sink))
		die("pthread_create");
	if (soak_s > 0)
		soak_start(soak_s);

	/* warm-up: neighbours resolved, caches and page tables touched */
	trial_run(&b, start, 0, 0);
	for (rep = 1; rep <= reps; rep++) {
		if (fixed) {
			t = trial_run(&b, fixed, rep, 1);
		} else {
			t = search(&b, start, rep);
			if (rep == 1 && t.offered / 4 > start)
				start = t.offered / 4;
		}
		report(&b, &t, rep, fixed > 0 ? "F" : "R");
		if (cpu_rate > 0 || (cpu_at > 0 && t.offered > 0))
			cpu_trial(&b, cpu_rate > 0 ? cpu_rate : cpu_at * t.offered,
				  cpu_seconds, rep);
	}
	if (soak_s > 0)
		soak_stop();
	atomic_store(&b.sink.stop, true);
	pthread_join(rx, NULL);
	return 0;
}
