// SPDX-License-Identifier: GPL-2.0
/*
 * CPU time measured by what is left over.  One SCHED_IDLE thread per CPU
 * counts loop iterations while a CPU trial runs; every other task and all
 * softirq work preempt it, so the iterations a CPU loses against an idle
 * calibration are the time the trial's work took there.
 *
 * /proc/stat cannot do this under TCG: it samples 10 ms ticks, and with
 * both vCPUs on one host thread a vCPU that waits for its turn is
 * charged as busy.  Under qemu's icount clock the soakers also keep
 * every vCPU from idling, so guest time is exactly the instructions run
 * and the measurement repeats.
 *
 * Only the total is meaningful: qemu runs the vCPUs in turns whose
 * lengths depend on their exits, so one CPU's share of the instructions
 * is not stable, while all CPUs together always run the same number per
 * second of guest time.  The result is in CPU time: the CPUs' count times
 * the trial's duration times the share of all iterations the work took.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "psbench.h"

struct soaker {
	_Atomic unsigned long count;
	int cpu;
	pthread_t thread;
} __attribute__((aligned(64)));

static struct {
	struct soaker k[SOAK_MAX_CPUS];
	int ncpu;
	double per_s[SOAK_MAX_CPUS];	/* iterations per second, idle */
	atomic_bool run;
	bool quit;
	pthread_mutex_t lock;
	pthread_cond_t go;
} soak = { .lock = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER };

static void pin_idle(int cpu)
{
	struct sched_param sp = { 0 };
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) ||
	    pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp))
		die("soaker on CPU %d: cannot pin it or make it SCHED_IDLE", cpu);
}

static void *soak_loop(void *arg)
{
	struct soaker *k = arg;
	unsigned long n = 0;

	pin_idle(k->cpu);
	for (;;) {
		pthread_mutex_lock(&soak.lock);
		while (!atomic_load(&soak.run) && !soak.quit)
			pthread_cond_wait(&soak.go, &soak.lock);
		pthread_mutex_unlock(&soak.lock);
		if (soak.quit)
			return NULL;
		while (atomic_load_explicit(&soak.run, memory_order_relaxed))
			atomic_store_explicit(&k->count, ++n,
					      memory_order_relaxed);
	}
}

void soak_begin(struct soak_sample *s)
{
	int i;

	pthread_mutex_lock(&soak.lock);
	atomic_store(&soak.run, true);
	pthread_cond_broadcast(&soak.go);
	pthread_mutex_unlock(&soak.lock);
	s->t = now_s();
	for (i = 0; i < soak.ncpu; i++)
		s->count[i] = atomic_load(&soak.k[i].count);
}

void soak_end(struct soak_sample *s)
{
	int i;

	for (i = 0; i < soak.ncpu; i++)
		s->count[i] = atomic_load(&soak.k[i].count);
	s->t = now_s();
	atomic_store(&soak.run, false);
}

/* µs of CPU time (all CPUs) the work between @a and @b took. */
double soak_busy_us(const struct soak_sample *a, const struct soak_sample *b)
{
	double dt = b->t - a->t, got = 0, idle = 0, share;
	int i;

	for (i = 0; i < soak.ncpu; i++) {
		got += b->count[i] - a->count[i];
		idle += soak.per_s[i] * dt;
	}
	if (idle <= 0)
		return 0;
	share = got < idle ? 1 - got / idle : 0;
	return 1e6 * soak.ncpu * dt * share;
}

int soak_cpus(void)
{
	return soak.ncpu;
}

/*
 * One soaker per CPU, and their rate on a guest with nothing else to do
 * (psbench's sink thread waits in epoll), over @seconds.
 */
void soak_start(double seconds)
{
	struct soak_sample a, b;
	int i;

	soak.ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (soak.ncpu > SOAK_MAX_CPUS)
		soak.ncpu = SOAK_MAX_CPUS;
	for (i = 0; i < soak.ncpu; i++) {
		soak.k[i].cpu = i;
		if (pthread_create(&soak.k[i].thread, NULL, soak_loop, &soak.k[i]))
			die("pthread_create");
	}
	soak_begin(&a);
	sleep_ms(seconds * 1000);
	soak_end(&b);
	for (i = 0; i < soak.ncpu; i++)
		soak.per_s[i] = (b.count[i] - a.count[i]) / (b.t - a.t);
}

void soak_stop(void)
{
	int i;

	pthread_mutex_lock(&soak.lock);
	soak.quit = true;
	pthread_cond_broadcast(&soak.go);
	pthread_mutex_unlock(&soak.lock);
	for (i = 0; i < soak.ncpu; i++)
		pthread_join(soak.k[i].thread, NULL);
}
