// SPDX-License-Identifier: GPL-2.0
/*
 * One trial, and the search for the highest lossless rate.
 *
 * A trial offers RATE for a fixed time and passes if every secondary got
 * all but at most 0.1% of what the sender sent, in time: a copy that
 * arrives more than GRACE after the last send counts as lost.  Without
 * that deadline, socket buffers and backlogs would hide a primary that
 * falls behind (a 1 s step fits in a few MB of buffer), and at any steady
 * rate a queue that grows ends in loss.  The trial then waits for the
 * stragglers to drain, so the true loss and the CPU time of all the work
 * the step caused are recorded too.  The search doubles the rate until a trial fails (or the
 * sender cannot reach the rate: then the data path is holding it back,
 * and what it did send is the answer), then bisects between the last pass
 * and the first failure.  The result is the highest offered rate, as
 * measured, of a passing trial.
 */
#include <stdio.h>
#include <unistd.h>

#include "psbench.h"
#include "search.h"

#define MAX_LOSS 0.001
/* below this share of the target rate the sender is the one saturated */
#define SENDER_SHORT 0.9
/* on time: within this long after the last send */
#define GRACE_MS 200

static double tick_us(void)
{
	return 1e6 / sysconf(_SC_CLK_TCK);
}

struct trial trial_run(struct bench *b, double rate, int rep, int step)
{
	struct trial t = { .target = rate, .min_got = (unsigned long)-1,
			   .min_ontime = (unsigned long)-1 };
	struct soak_sample s0, s1;
	struct cpu_sample c0, c1;
	struct blast_result r;
	unsigned long got, ontime[MAX_SOCKS];
	int i;

	t.id = ++b->trial_id;
	if (b->soak)
		soak_begin(&s0);
	cpu_read(&c0);
	sink_begin(&b->sink, t.id);
	if (b->blaster.pktgen)
		r = pktgen_run(&b->blaster, rate, b->seconds);
	else
		r = blast(&b->blaster, t.id, rate, b->seconds);
	sleep_ms(GRACE_MS);
	for (i = 0; i < b->sink.nsock; i++)
		ontime[i] = sink_got(&b->sink.sock[i], t.id);
	sink_drain(&b->sink, b->quiet_ms, 3000);
	cpu_read(&c1);
	if (b->soak) {
		soak_end(&s1);
		t.soak_us = soak_busy_us(&s0, &s1);
	}

	t.sent = r.sent;
	t.failed = r.failed;
	t.offered = r.sent / r.seconds;
	for (i = 0; i < b->sink.nsock; i++) {
		const struct sink_sock *k = &b->sink.sock[i];
		double loss;

		got = sink_got(k, t.id);
		t.stale += k->stale;
		if (!k->secondary) {
			t.app_got = got;
			continue;
		}
		t.copies += got;
		if (got < t.min_got)
			t.min_got = got;
		if (ontime[i] < t.min_ontime)
			t.min_ontime = ontime[i];
		loss = r.sent ? 1.0 - (double)got / r.sent : 1.0;
		if (loss > t.max_loss)
			t.max_loss = loss;
		loss = r.sent ? 1.0 - (double)ontime[i] / r.sent : 1.0;
		if (loss > t.max_late)
			t.max_late = loss;
	}
	t.pass = r.sent > 0 && t.max_late <= MAX_LOSS;
	t.user_us = (c1.user + c1.nice - c0.user - c0.nice) * tick_us();
	t.sys_us = (c1.sys - c0.sys) * tick_us();
	t.softirq_us = (c1.softirq - c0.softirq) * tick_us();
	t.busy_us = cpu_busy(&c0, &c1) * tick_us();
	t.softnet_drop = c1.softnet_drop - c0.softnet_drop;
	t.rcvbuf_err = c1.rcvbuf_err - c0.rcvbuf_err;

	printf("T %s rep=%d step=%d target=%.0f offered=%.0f sent=%lu sendfail=%lu"
	       " min_got=%lu min_ontime=%lu max_loss=%.5f max_late=%.5f app_got=%lu copies=%lu stale=%lu"
	       " user_us=%.0f sys_us=%.0f softirq_us=%.0f busy_us=%.0f"
	       " softnet_drop=%llu rcvbuf_err=%llu pass=%d\n",
	       b->label, rep, step, t.target, t.offered, t.sent, t.failed,
	       t.min_got, t.min_ontime, t.max_loss, t.max_late, t.app_got, t.copies, t.stale, t.user_us,
	       t.sys_us, t.softirq_us, t.busy_us, t.softnet_drop, t.rcvbuf_err,
	       t.pass);
	if (b->soak)
		printf("# soak trial=%u busy_us=%.0f\n", t.id, t.soak_us);
	fflush(stdout);
	return t;
}

static void keep_best(struct trial *best, const struct trial *t)
{
	if (t->pass && t->offered > best->offered)
		*best = *t;
}

struct trial search(struct bench *b, double start, int rep)
{
	struct trial best = { 0 }, t;
	double lo = 0, hi = 0, r = start;
	bool sender_bound = false;
	int step = 0, i;

	/* coarse: up by doubling, or down by halving if START already fails */
	for (;;) {
		t = trial_run(b, r, rep, ++step);
		keep_best(&best, &t);
		if (t.pass && t.offered < SENDER_SHORT * r) {
			sender_bound = true;
			break;
		}
		if (t.pass) {
			lo = r;
			if (hi)
				break;
			r *= 2;
		} else {
			hi = r;
			if (lo || r < 2 * b->min_rate)
				break;
			r /= 2;
		}
	}
	/* fine: bisect between the last pass and the first failure */
	for (i = 0; !sender_bound && lo && i < b->bisect; i++) {
		r = (lo + hi) / 2;
		t = trial_run(b, r, rep, ++step);
		keep_best(&best, &t);
		if (t.pass)
			lo = r;
		else
			hi = r;
	}
	best.sender_bound = sender_bound;
	return best;
}
