/* SPDX-License-Identifier: GPL-2.0 */
/*
 * psrecv: an example portshare secondary built on libportshare.
 */
#ifndef PSRECV_H
#define PSRECV_H

#include <stdio.h>

#include <portshare.h>

/* What is known of one copy's original datagram. */
struct psr_dgram {
	struct portshare_addr src;	/* unspecified if unknown (raw) */
	uint16_t sport;
	struct portshare_addr dst;	/* the primary, unspecified if unknown */
	uint16_t dport;			/* the contested port */
	uint64_t time_ns;		/* CLOCK_REALTIME */
	const uint8_t *payload;
	size_t len;
};

/* pcap.c */
int psr_pcap_header(FILE *f);
int psr_pcap_write(FILE *f, const struct psr_dgram *d);

/* print.c */
void psr_print_copy(FILE *f, bool json, const struct portshare_event *ev,
		    const struct portshare_reg_info *reg,
		    const struct psr_dgram *d);
void psr_print_shutdown(FILE *f, bool json, const struct portshare_event *ev,
			const struct portshare_reg_info *reg);
void psr_print_failover(FILE *f, bool json, int reg,
			const struct portshare_reg_info *info, uint64_t gap_ns,
			int psd_pid);
/* What the primary granted a registration; 0 for none. */
struct psr_grant {
	uint32_t lease;		/* seconds */
	uint32_t rate;		/* copies a second at most */
};

void psr_print_registered(FILE *f, bool json, int reg,
			  const struct portshare_reg_info *info,
			  const struct psr_grant *g);
void psr_print_expired(FILE *f, bool json, const struct portshare_event *ev,
		       const struct portshare_reg_info *reg);

#endif /* PSRECV_H */
