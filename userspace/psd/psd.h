/* SPDX-License-Identifier: GPL-2.0 */
/*
 * psd: the userspace primary (US 6,363,081 FIGs. 3 and 4).  A command line
 * and an epoll loop over libportshare's primary API, which binds each
 * contested port and its registration port, answers ADD and DROP with the
 * replies and rules of portshare.ko (docs/protocol.md) and sends every
 * secondary a copy of every datagram.  Once its ports are bound psd drops
 * root for an unprivileged user.  Single-threaded.
 */
#ifndef PSD_H
#define PSD_H

#include <stdbool.h>
#include <stdint.h>

#include <portshare.h>

/* lease=, rate=, ttl= and hold= of a port or a -s secondary (fields.c) */
struct psd_limits {
	uint32_t lease;			/* seconds; 0: none */
	struct portshare_rate rate;	/* rate 0: no cap; ttl 0: the system's */
	uint32_t hold;			/* seconds, if @has_hold; 0: never */
	bool has_hold;
};

/*
 * A PORT[:REGPORT][,lease=SECONDS][,rate=PPS[/BURST]][,ttl=N]
 * [,dead=E/S|off][,hold=SECONDS] of the command line; its limits and hold
 * are those of wire registrations.
 */
struct psd_port_spec {
	uint16_t port;
	uint16_t reg_port;
	struct psd_limits lim;
	struct portshare_dead dead;	/* dead= (hold: lim's, or 300) */
	bool has_dead;
};

struct psd {
	struct portshare_primary *pri;
	struct portshare_primary_opts opts;
	struct psd_port_spec specs[PORTSHARE_PRIMARY_MAX_PORTS];
	unsigned int nspecs;
	char **acls;			/* -a arguments, NULL-terminated */
	char **statics;			/* -s arguments, NULL-terminated */
	const char *user;		/* -u, or NULL */
	int sigfd;
	int ready_fd;			/* --ready-fd, or -1 */
	bool verbose;
	const char *metrics_file;	/* --metrics-file, or NULL */
	unsigned int metrics_interval;	/* --metrics-interval, seconds */
	int metrics_timer;		/* timerfd, or -1 */
	int metrics_err;		/* the last write's result */
};

#define PSD_METRICS_INTERVAL	15	/* node_exporter's usual scrape */

/* fields.c */
bool psd_num(const char *s, unsigned long min, unsigned long max,
	     unsigned long *out);
int psd_limit_field(const char *what, const char *f, struct psd_limits *l);
int psd_dead_field(const char *what, const char *f, struct psd_port_spec *s);

/* options.c */
int psd_parse_args(struct psd *d, int argc, char **argv);
int psd_add_acls(struct psd *d);
int psd_add_statics(struct psd *d);

/* What psd reports of a secondary besides struct portshare_list_entry. */
struct psd_sec_extra {
	uint64_t skip_filtered;		/* its source filter's (from=) */
	uint64_t drop_ratelimited;	/* over its rate cap */
	uint32_t lease, left;		/* its lease and the seconds left */
	struct portshare_sec_state st;	/* up or dead, and its counters */
};

/* report.c */
bool psd_sec_get(const struct psd *d, uint16_t port, unsigned int j,
		 struct portshare_list_entry *sec, struct psd_sec_extra *x);
void psd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void psd_log_request(const struct portshare_request_log *log, void *arg);
void psd_log_state(const struct portshare_state_log *log, void *arg);
void psd_dump_stats(const struct psd *d);
const char *psd_mode_name(unsigned int mode);

/* metrics.c */
int psd_metrics_write(const struct psd *d);

/* privileges.c */
int psd_drop_privileges(const char *user, bool verbose);

#endif /* PSD_H */
