// SPDX-License-Identifier: GPL-2.0
/*
 * psrecv's output: one line per event, as text or as a JSON object
 * (docs/psrecv.1 lists the keys).
 */
#include <inttypes.h>

#include "psrecv.h"

static const char *mode_name(int mode)
{
	static const char *const names[] = { "encap", "raw", "transparent" };

	return mode >= 0 && mode <= PORTSHARE_MODE_MAX ? names[mode] : "?";
}

static void addr_text(const struct portshare_addr *a, char *buf)
{
	if (portshare_addr_format(a, buf, PORTSHARE_ADDR_STRLEN) < 0)
		buf[0] = '\0';
}

/* Text: printable ASCII as is, backslash and the rest as \\ and \xHH. */
static void payload_text(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\\')
			fputs("\\\\", f);
		else if (p[i] >= ' ' && p[i] <= '~')
			fputc(p[i], f);
		else
			fprintf(f, "\\x%02x", p[i]);
	}
}

static void payload_hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

void psr_print_copy(FILE *f, bool json, const struct portshare_event *ev,
		    const struct portshare_reg_info *reg,
		    const struct psr_dgram *d)
{
	char src[PORTSHARE_ADDR_STRLEN] = "";

	if (d->src.family)
		addr_text(&d->src, src);
	if (json) {
		fprintf(f, "{\"event\":\"copy\",\"reg\":%d,\"port\":%u,"
			"\"mode\":\"%s\"", ev->reg, d->dport,
			mode_name(ev->mode));
		if (d->src.family)
			fprintf(f, ",\"origin\":\"%s\",\"origin_port\":%u",
				src, d->sport);
		if (ev->has_hdr)
			fprintf(f, ",\"seq\":%" PRIu32 ",\"lost\":%" PRIu32
				",\"timestamp_ns\":%" PRIu64, ev->hdr.seq,
				ev->lost, ev->hdr.timestamp_ns);
		fprintf(f, ",\"len\":%zu,\"payload_hex\":\"", d->len);
		payload_hex(f, d->payload, d->len);
		fputs("\"}\n", f);
	} else {
		fprintf(f, "copy port %u", d->dport);
		if (d->src.family)
			fprintf(f, d->src.family == PORTSHARE_FAMILY_INET6 ?
				" from [%s]:%u" : " from %s:%u", src, d->sport);
		if (ev->has_hdr)
			fprintf(f, " seq %" PRIu32 " lost %" PRIu32,
				ev->hdr.seq, ev->lost);
		fprintf(f, " len %zu: ", d->len);
		payload_text(f, d->payload, d->len);
		fputc('\n', f);
	}
	(void)reg;
	fflush(f);
}

/*
 * A registration ended by the primary @primary:@reg_port: its SHUTDOWN,
 * or (@expired) a lease the library could not renew.
 */
static void print_ended(FILE *f, bool json, bool expired, int reg,
			uint16_t port, const struct portshare_addr *primary,
			uint16_t reg_port)
{
	char p[PORTSHARE_ADDR_STRLEN];

	addr_text(primary, p);
	if (json)
		fprintf(f, "{\"event\":\"%s\",\"reg\":%d,\"port\":%u,"
			"\"primary\":\"%s\",\"reg_port\":%u}\n",
			expired ? "expired" : "shutdown", reg, port, p,
			reg_port);
	else if (expired)
		fprintf(f, "expired port %u: %s %u did not renew the lease\n",
			port, p, reg_port);
	else
		fprintf(f, "shutdown port %u: SHUTDOWN %s %u\n", port, p,
			reg_port);
	fflush(f);
}

void psr_print_shutdown(FILE *f, bool json, const struct portshare_event *ev,
			const struct portshare_reg_info *reg)
{
	print_ended(f, json, false, ev->reg, reg->port, &ev->from,
		    ev->from_port);
}

/*
 * @g: the granted lease and rate cap, each told only if there is one (as
 * on the wire)
 */
void psr_print_registered(FILE *f, bool json, int reg,
			  const struct portshare_reg_info *info,
			  const struct psr_grant *g)
{
	char p[PORTSHARE_ADDR_STRLEN], l[PORTSHARE_ADDR_STRLEN];

	addr_text(&info->primary, p);
	addr_text(&info->local, l);
	if (json)
		fprintf(f, "{\"event\":\"registered\",\"reg\":%d,\"port\":%u,"
			"\"primary\":\"%s\",\"reg_port\":%u,\"address\":\"%s\","
			"\"data_port\":%u,\"mode\":\"%s\"", reg, info->port,
			p, info->reg_port, l, info->data_port,
			mode_name(info->mode));
	else
		fprintf(f, "registered port %u with %s %u as %s %u mode %s",
			info->port, p, info->reg_port, l, info->data_port,
			mode_name(info->mode));
	if (g->lease)
		fprintf(f, json ? ",\"lease\":%u" : " lease %u", g->lease);
	if (g->rate)
		fprintf(f, json ? ",\"rate\":%u" : " rate %u", g->rate);
	fputs(json ? "}\n" : "\n", f);
	fflush(f);
}

/* The library could not renew a lease: the registration has ended. */
void psr_print_expired(FILE *f, bool json, const struct portshare_event *ev,
		       const struct portshare_reg_info *reg)
{
	print_ended(f, json, true, ev->reg, reg->port, &reg->primary,
		    reg->reg_port);
}

void psr_print_failover(FILE *f, bool json, int reg,
			const struct portshare_reg_info *info, uint64_t gap_ns,
			int psd_pid)
{
	char p[PORTSHARE_ADDR_STRLEN];
	uint64_t ms = gap_ns / 1000000;

	addr_text(&info->primary, p);
	if (json) {
		fprintf(f, "{\"event\":\"failover\",\"reg\":%d,\"port\":%u,"
			"\"primary\":\"%s\",\"reg_port\":%u,\"gap_ms\":%" PRIu64
			",\"became_primary\":%s", reg, info->port, p,
			info->reg_port, ms, psd_pid ? "true" : "false");
		if (psd_pid)
			fprintf(f, ",\"psd_pid\":%d", psd_pid);
		fputs("}\n", f);
	} else {
		fprintf(f, "failover port %u: registered with %s %u after %" PRIu64
			" ms", info->port, p, info->reg_port, ms);
		if (psd_pid)
			fprintf(f, " (became the primary: psd pid %d)", psd_pid);
		fputc('\n', f);
	}
	fflush(f);
}
