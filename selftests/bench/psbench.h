/* SPDX-License-Identifier: GPL-2.0 */
/*
 * psbench: one process that offers a paced UDP stream from one network
 * namespace and counts, per socket, what arrives in others.  Sender and
 * receivers share a process so that a trial needs no exec and no IPC:
 * under TCG every exec costs the guest a lot, and the counts of one trial
 * must be read exactly when that trial has drained.
 */
#ifndef PSBENCH_H
#define PSBENCH_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define MAX_SOCKS 64
#define BENCH_MAGIC 0x50534231u	/* "PSB1": first word of every payload */
#define PKTGEN_MAGIC 0xbe9be955u	/* first word of pktgen's payload */
#define MAX_TRIALS 4096

/* What starts every payload: which trial sent it, and its index. */
struct bench_tag {
	uint32_t magic;
	uint32_t trial;
	uint64_t index;
};

/* One receiving socket and what it got in the current trial. */
struct sink_sock {
	int fd;
	bool secondary;		/* counts for the loss criterion */
	char name[64];		/* NS,ADDR:PORT as given */
	atomic_ullong got;	/* trial << 32 | its datagrams so far */
	unsigned long stale;	/* of an earlier trial, or foreign */
};

/* pktgen's payload header (net/core/pktgen.c), network byte order */
struct pktgen_hdr {
	uint32_t magic, seq, tv_sec, tv_usec;
};

struct sink {
	/* trials by start time, for pktgen frames: trial N began at
	 * start_us[N] (CLOCK_REALTIME); latest is the current trial */
	uint64_t start_us[MAX_TRIALS];
	atomic_uint latest;
	struct sink_sock sock[MAX_SOCKS];
	int nsock;
	int epfd;
	atomic_ulong total;	/* every datagram, for drain detection */
	atomic_bool stop;
};

/* What one paced send achieved. */
struct blast_result {
	unsigned long sent;	/* accepted by sendmmsg */
	unsigned long failed;	/* refused by sendmmsg: EAGAIN, ENOBUFS... */
	double seconds;		/* from the first send to the last */
};

/* The sender: a UDP socket (blast.c) or pktgen on a veth (pktgen.c). */
struct blaster {
	bool pktgen;
	int fd;
	struct sockaddr_in to;
	size_t size;
	int pg_ctrl, pg_dev;	/* pgctrl and the device's control file */
	const char *ns;		/* pktgen's namespace */
};

/* Guest-wide CPU time (/proc/stat, in USER_HZ ticks) and drop counters. */
struct cpu_sample {
	unsigned long long user, nice, sys, idle, iowait, irq, softirq;
	unsigned long long softnet_drop;	/* backlog full, every CPU */
	unsigned long long rcvbuf_err;		/* UDP RcvbufErrors, every ns watched */
};

/* soak.c: CPU time per CPU from SCHED_IDLE soakers' lost iterations */
#define SOAK_MAX_CPUS 8
struct soak_sample {
	double t;
	unsigned long count[SOAK_MAX_CPUS];
};

void soak_start(double calibrate_s);
void soak_stop(void);
int soak_cpus(void);
void soak_begin(struct soak_sample *s);
void soak_end(struct soak_sample *s);
double soak_busy_us(const struct soak_sample *a, const struct soak_sample *b);

/* netns.c */
int netns_enter(const char *name);	/* returns an fd to go back with */
void netns_leave(int home);
void netns_watch_snmp(void);		/* watch the current ns's UDP counters */
unsigned long long netns_rcvbuf_errors(void);

/* sink.c */
void sink_add(struct sink *s, const char *spec);
void *sink_run(void *arg);
unsigned long sink_got(const struct sink_sock *k, unsigned int trial);
void sink_begin(struct sink *s, unsigned int trial);
void sink_drain(const struct sink *s, unsigned int quiet_ms, unsigned int max_ms);

/* blast.c */
void blast_open(struct blaster *b, const char *ns, const char *to,
		const char *from, const char *mcast_if, size_t size);
struct blast_result blast(const struct blaster *b, unsigned int trial,
			  double rate, double seconds);

/* pktgen.c */
void pktgen_open(struct blaster *b, const char *ns, const char *dev,
		 const char *to, const char *from, const char *dst_mac,
		 size_t size);
struct blast_result pktgen_run(const struct blaster *b, double rate, double seconds);

/* cpustat.c */
void cpu_read(struct cpu_sample *c);
unsigned long long cpu_busy(const struct cpu_sample *a, const struct cpu_sample *b);

/* util */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
double now_s(void);
uint64_t realtime_us(void);
void sleep_ms(unsigned int ms);
void parse_addr(const char *text, struct sockaddr_in *sin);

#endif
