/* SPDX-License-Identifier: GPL-2.0 */
/*
 * psnl: the portshare netlink command-line tool.  Declarations shared by
 * its files, grouped under the name of the file that implements them.
 */
#ifndef PSNL_H
#define PSNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <linux/portshare.h>

struct nlmsghdr;
struct nl_msg;
struct nl_sock;

/* Exit statuses (psnl.8, EXIT STATUS). */
#define PSNL_EXIT_OK		0
#define PSNL_EXIT_FAILED	1
#define PSNL_EXIT_USAGE		2

/* What EPERM from the kernel means, and what to do about it. */
#define PSNL_NEED_ADMIN \
	"CAP_NET_ADMIN in the network namespace's user namespace: run psnl as root (e.g. with sudo)"

/*
 * Handler return contract.  0: success.  A negative errno: the operation
 * failed and was already reported (exit 1).  HANDLER_RET_BADARG: an
 * argument was wrong and was already reported (exit 2).  HANDLER_RET_USAGE:
 * the caller prints the command's usage on stderr (exit 2).
 */
#define HANDLER_RET_USAGE	1
#define HANDLER_RET_BADARG	2

struct psnl_nl;

/* Global options and lazily opened state, shared by every command. */
struct psnl {
	bool json;
	bool pretty;
	bool force;
	const char *netns;	/* -n NAME, or NULL */
	struct psnl_nl *nl;	/* opened by the first command that needs it */
};

/*
 * One entry of a command table.  A command has either a handler, which gets
 * the words after its name, or a table of subcommands.
 */
struct psnl_cmd {
	const char *name;
	const char *args;	/* argument synopsis, "" when there are none */
	const char *help;	/* first line: summary; more lines: details */
	int (*handler)(struct psnl *ps, int argc, char **argv);
	const struct psnl_cmd *const *sub;	/* NULL-terminated */
};

/* command.c: the command table, dispatch and generated usage */
extern const struct psnl_cmd *const psnl_commands[];
int psnl_run(struct psnl *ps, int argc, char **argv);
void psnl_usage(FILE *f);
void psnl_cmd_usage(FILE *f, const char *path, const struct psnl_cmd *cmd);
const struct psnl_cmd *psnl_find_cmd(const struct psnl_cmd *const *table,
				     const char *name);
void psnl_list_names(char *buf, size_t size,
		     const struct psnl_cmd *const *table);
bool psnl_is_help_word(const char *word);
int psnl_missing(const char *what);

/*
 * cmd_help.c, cmd_sec.c, cmd_port.c, cmd_stats.c, cmd_acl.c,
 * cmd_monitor.c: the commands
 */
extern const struct psnl_cmd psnl_cmd_help;
extern const struct psnl_cmd psnl_cmd_add;
extern const struct psnl_cmd psnl_cmd_drop;
extern const struct psnl_cmd psnl_cmd_list;
extern const struct psnl_cmd psnl_cmd_port;
extern const struct psnl_cmd psnl_cmd_stats;
extern const struct psnl_cmd psnl_cmd_acl;
extern const struct psnl_cmd psnl_cmd_monitor;

/* batch.c: -b FILE */
int psnl_batch(struct psnl *ps, const char *file);

/* err.c: one-line error reports, "psnl: [FILE:LINE: ][COMMAND: ]message" */
void psnl_err_set_location(const char *file, unsigned long line);
void psnl_err_set_command(const char *command);
void psnl_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void psnl_warning(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
int psnl_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* parse.c: strict argument parsing; errors are reported, HANDLER_RET_BADARG */
struct psnl_endpoint {
	sa_family_t family;		/* AF_INET or AF_INET6 */
	struct in_addr addr4;
	struct in6_addr addr6;
	uint16_t port;			/* 0: not given */
};

int psnl_parse_port(const char *what, const char *word, uint16_t *port);
int psnl_parse_u32(const char *what, const char *word, uint32_t min,
		   uint32_t max, uint32_t *value);
bool psnl_number_part(const char *s, uint32_t min, uint32_t max, char **end,
		      uint32_t *n);
int psnl_parse_endpoint(const char *word, struct psnl_endpoint *ep);

struct psnl_prefix {
	sa_family_t family;		/* AF_INET or AF_INET6 */
	struct in_addr addr4;
	struct in6_addr addr6;
	bool has_len;
	uint8_t len;			/* 0..32 or 0..128, when has_len */
};

int psnl_parse_prefix(const char *word, struct psnl_prefix *pfx);

int psnl_next_value(int argc, char **argv, int *i, const char *expected,
		    const char **value);
int psnl_once(bool *seen, const char *keyword);
int psnl_parse_lease_option(int argc, char **argv, int *i, bool *seen,
			    uint32_t *lease);
int psnl_no_more_args(int argc, char **argv, int i);

/* limits.c: rate PPS[/BURST] and ttl N, of "port add" and "add" */
struct psnl_limits {
	bool has_rate;
	uint32_t rate;			/* copies per second, 0: none */
	uint32_t burst;			/* 0: not given, the kernel's default */
	bool has_ttl;
	uint8_t ttl;
};

bool psnl_limits_keyword(const char *word);
int psnl_parse_limits_option(int argc, char **argv, int *i,
			     struct psnl_limits *lim);
int psnl_put_limits(struct nl_msg *msg, const struct psnl_limits *lim);

/*
 * dead.c: dead E/S|off and hold SECONDS, of "port add" (both) and "add"
 * (hold)
 */
struct psnl_dead {
	bool has_dead;
	uint32_t errors;		/* 0: detection off */
	bool has_period;		/* not with "dead off" */
	uint32_t period;		/* seconds */
	bool has_hold;
	uint32_t hold;			/* seconds, 0: never dropped */
};

bool psnl_dead_keyword(const char *word);
int psnl_parse_dead_option(int argc, char **argv, int *i,
			   struct psnl_dead *d);
int psnl_put_dead(struct nl_msg *msg, const struct psnl_dead *d);

/* names.c: names of enum values, for parsing and printing */
int psnl_mode_from_name(const char *name);
const char *psnl_mode_name(unsigned int mode, char *buf, size_t size);
const char *psnl_reason_name(unsigned int reason, char *buf, size_t size);
const char *psnl_state_name(unsigned int state, char *buf, size_t size);
const char *psnl_attr_name(unsigned int attr);
const char *psnl_event_name(unsigned int cmd);
extern const char psnl_mode_choices[];

/* record.c: replies and events decoded into one flat record */
struct psnl_record {
	uint8_t cmd;			/* genl command that carried it */
	uint32_t has;			/* PSNL_HAS(PORTSHARE_A_*) bits */
	uint16_t port;
	uint16_t reg_port;
	uint16_t data_port;
	uint32_t max_secondaries;
	uint32_t num_secondaries;
	uint32_t sample;
	uint32_t lease;			/* seconds, 0: none */
	uint32_t lease_left;		/* seconds until it expires */
	uint32_t rate;			/* copies per second, 0: none */
	uint32_t burst;
	uint8_t ttl;			/* 0: the route's */
	uint32_t dead_errors;		/* 0: detection off */
	uint32_t dead_period;		/* seconds */
	uint32_t hold;			/* seconds, 0: never dropped */
	uint8_t state;			/* PORTSHARE_STATE_* */
	uint32_t dead_for;		/* seconds dead, while dead */
	sa_family_t family;		/* AF_INET, AF_INET6 or 0 */
	struct in_addr addr4;
	struct in6_addr addr6;
	uint8_t mode;
	uint8_t reason;
	uint8_t prefix_len;
	uint32_t acl_flags;
	uint8_t n_from;			/* FROM networks, in the order sent */
	struct psnl_prefix from[PORTSHARE_FROM_MAX];
	uint64_t has_stats;		/* PSNL_HAS_STAT(PORTSHARE_STAT_*) bits */
	uint64_t stats[PORTSHARE_STAT_MAX + 1];
};

#define PSNL_HAS(attr)	(1u << (attr))
#define PSNL_HAS_STAT(stat)	(1ull << (stat))

struct psnl_records {
	struct psnl_record *v;
	size_t len;
	size_t cap;
};

int psnl_record_parse(struct nlmsghdr *nlh, struct psnl_record *rec);
int psnl_records_push(struct psnl_records *recs,
		      const struct psnl_record *rec);
void psnl_records_clear(struct psnl_records *recs);
void psnl_records_free(struct psnl_records *recs);

/* format.c: ports, secondaries, acl entries and events, as text or JSON */
void psnl_format_port(const struct psnl_record *rec);
void psnl_format_secondary(const struct psnl_record *rec);
void psnl_format_stats(const struct psnl_record *port,
		       const struct psnl_record *secs, size_t nsecs);
void psnl_format_acl(const struct psnl_record *rec);
/* When and where an event was seen, for psnl -j monitor. */
struct psnl_event_meta {
	const char *time;	/* RFC 3339, UTC, with nanoseconds */
	const char *netns;	/* the namespace's name, or NULL: none */
};

void psnl_format_event(const struct psnl_record *rec,
		       const struct psnl_event_meta *meta);

/* show.c: run a dump and print what it returned as one list */
int psnl_collect(struct psnl *ps, uint8_t cmd, uint16_t port,
		 struct psnl_records *recs);
int psnl_show_flush(void);
int psnl_show(struct psnl *ps, uint8_t cmd, uint16_t port,
	      void (*format)(const struct psnl_record *rec));

/* prometheus.c: stats --prometheus */
int psnl_prometheus(const struct psnl *ps, const struct psnl_records *ports,
		    const struct psnl_records *secs);

/* netns.c: -n NAME */
int psnl_netns_enter(const char *name, int *saved);
int psnl_netns_return(int saved);
const char *psnl_netns_identify(char *buf, size_t size);

/* nl.c: the generic netlink session */
struct psnl_dump {
	uint8_t cmd;
	uint16_t port;		/* only this port's entries; 0: all */
	int (*on_reply)(const struct psnl_record *rec, void *arg);
	void (*on_restart)(void *arg);	/* forget replies before a retry */
	void *arg;
};

int psnl_nl_open(struct psnl *ps);
void psnl_nl_close(struct psnl *ps);
struct nl_msg *psnl_nl_new_request(struct psnl_nl *nl, uint8_t cmd);
int psnl_nl_discard(struct nl_msg *msg);
int psnl_nl_request(struct psnl_nl *nl, struct nl_msg *msg);
int psnl_nl_dump(struct psnl_nl *nl, const struct psnl_dump *dump);
int psnl_nl_library_error(const char *what, int nlerr);
struct nl_sock *psnl_nl_socket(struct psnl_nl *nl);
int psnl_nl_family(struct psnl_nl *nl);
int psnl_put_prefix(struct nl_msg *msg, const struct psnl_prefix *pfx);

/* events.c: the "events" multicast group */
struct psnl_events;

struct psnl_events *psnl_events_subscribe(struct psnl_nl *nl);
void psnl_events_free(struct psnl_events *ev);
int psnl_events_fd(struct psnl_events *ev);
int psnl_events_read(struct psnl_events *ev,
		     void (*on_event)(const struct psnl_record *rec));

/* json.c: a small streaming JSON writer */
void json_start(FILE *f, bool pretty);
void json_end(void);
void json_open_object(const char *key);
void json_close_object(void);
void json_open_array(const char *key);
void json_close_array(void);
void json_uint(const char *key, uint64_t value);
void json_string(const char *key, const char *value);
void json_bool(const char *key, bool value);
void json_null(const char *key);
void json_write_string(FILE *f, const char *s);

/* print.c: one print path for text and JSON (iproute2 style) */
enum output_type {
	PRINT_FP = 1,		/* text only */
	PRINT_JSON = 2,		/* JSON only */
	PRINT_ANY = PRINT_FP | PRINT_JSON,
};

void print_init(bool json, bool pretty);
bool is_json(void);
void print_begin_list(void);
void print_end_list(void);
void print_begin_line(void);
void print_end_line(void);
void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);
void print_uint(enum output_type t, const char *key, const char *fmt,
		uint64_t value);
void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value);
void print_bool(enum output_type t, const char *key, const char *fmt,
		bool value);
void print_null(enum output_type t, const char *key, const char *fmt,
		const char *text);
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* PSNL_H */
