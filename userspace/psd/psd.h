/* SPDX-License-Identifier: GPL-2.0 */
/*
 * psd: the userspace primary (US 6,363,081 FIGs. 3 and 4).  It binds each
 * contested port and then its registration port, answers ADD and DROP
 * there with the replies and rules of portshare.ko (docs/protocol.md), and
 * sends every secondary a copy of every datagram.  Single-threaded: one
 * epoll loop over the sockets and a signalfd.
 */
#ifndef PSD_H
#define PSD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <portshare.h>

#define PSD_MAX_PORTS		64
#define PSD_ACL_MAX		256
#define PSD_RL_BUCKETS		256

/* Indexes of the per-family socket arrays. */
enum { PSD_V4, PSD_V6, PSD_NFAM };

/* Why a copy was not sent (docs/protocol.md §5). */
enum psd_drop {
	PSD_DROP_NOMEM,
	PSD_DROP_NOROUTE,
	PSD_DROP_XMIT,
	PSD_DROP_FAMILY,
	PSD_DROP_TOOBIG,
	PSD_NDROP,
};

/* Registration port counters, in the order of enum portshare_stat. */
enum psd_reg_counter {
	PSD_REG_REQUESTS,
	PSD_REG_OK,
	PSD_REG_ERRORS,
	PSD_REG_DENIED,
	PSD_REG_RATE_LIMITED,
	PSD_REG_NOT_PERMITTED,
	PSD_REG_LIST_FULL,
	PSD_REG_IGNORED,
	PSD_NREG,
};

/**
 * struct psd_sec - one secondary on a port's distribution list
 * @addr: its address
 * @data_port: where the copies go
 * @mode: enum portshare_mode
 * @src: the primary address of its "100 OK" (copies and SHUTDOWN come
 *       from there); family 0 for a -s secondary: the route decides
 * @seq: the sequence number of its next copy
 */
struct psd_sec {
	struct portshare_addr addr;
	uint16_t data_port;
	uint8_t mode;
	struct portshare_addr src;
	uint32_t seq;
	uint64_t copies, bytes, drops[PSD_NDROP];
};

/**
 * struct psd_port - a contested port
 * @port: the contested port
 * @reg_port: its registration port
 * @standalone: the registration port could not be bound (FIG. 3 step 82)
 * @cfd: contested sockets, per family; -1 if none
 * @rfd: registration sockets, per family; -1 if none
 * @secs: the distribution list, in order of addition
 */
struct psd_port {
	uint16_t port;
	uint16_t reg_port;
	bool standalone;
	int cfd[PSD_NFAM];
	int rfd[PSD_NFAM];
	struct psd_sec *secs;
	unsigned int nsecs;
	uint64_t rx, shared, err_loop;
	uint64_t reg[PSD_NREG];
};

struct psd_acl {
	struct portshare_addr net;
	uint8_t prefix;
	bool third_party;
};

struct psd {
	struct psd_port ports[PSD_MAX_PORTS];
	unsigned int nports;
	unsigned int max_secs;
	struct psd_acl acl[PSD_ACL_MAX];
	unsigned int nacl;
	unsigned int reg_rate, reg_burst;
	uint64_t rl_tat[PSD_RL_BUCKETS];	/* theoretical arrival, ns */
	struct portshare_addr *own;		/* the host's addresses */
	unsigned int nown;
	int64_t own_stamp;
	int raw[PSD_NFAM];			/* transparent copies; -1 */
	int epfd, sigfd;
	int ready_fd;				/* --ready-fd, or -1 */
	bool verbose;
};

/* port.c */
int psd_port_open(struct psd *d, struct psd_port *p);
void psd_port_shutdown(struct psd *d, struct psd_port *p);
void psd_port_close(struct psd_port *p);
bool psd_is_contested(const struct psd *d, uint16_t port);
bool psd_is_reg_port(const struct psd *d, uint16_t port);
int psd_port_tx_fd(const struct psd_port *p, uint8_t family);
void psd_msg_fill(struct msghdr *msg, const struct portshare_addr *src,
		  const struct portshare_addr *to, uint16_t port,
		  struct sockaddr_storage *ss, void *cbuf);
int psd_send_from(int fd, const struct portshare_addr *src,
		  const struct portshare_addr *to, uint16_t port,
		  const void *buf, size_t len);

/* acl.c */
int psd_acl_add(struct psd *d, const char *spec);
bool psd_is_local(struct psd *d, const struct portshare_addr *a);
bool psd_acl_allows(struct psd *d, const struct portshare_addr *src,
		    bool *third_party);
bool psd_rate_allows(struct psd *d, const struct portshare_addr *src);

/* reg.c */
void psd_reg_input(struct psd *d, struct psd_port *p, int fam);
int psd_sec_add(struct psd *d, struct psd_port *p, const struct psd_sec *s);

/* forward.c */
int psd_forward_init(struct psd *d);
void psd_forward_input(struct psd *d, struct psd_port *p, int fam);
void psd_forward_fini(void);

/* psd.c */
void psd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void psd_addr_text(const struct portshare_addr *a, char *buf);

#endif /* PSD_H */
