// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as the attributes of a portshare
 * reply or event, decoded by record.c and printed by format.c in text
 * and JSON, and by prometheus.c as metrics (with a namespace label that
 * needs escaping).  This is everything psnl does with what the kernel
 * sends.
 *
 *	make -C userspace fuzz && build/fuzz/psnl-fuzz-record -max_total_time=60
 */
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../psnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void print_all(const struct psnl_record *rec, bool json)
{
	static const struct psnl_event_meta meta = {
		.time = "2026-12-01T00:00:00.000000000Z",
		.netns = "fuzz\"ns",
	};

	print_init(json, json);
	print_begin_list();
	psnl_format_port(rec);
	psnl_format_secondary(rec);
	psnl_format_stats(rec, rec, 1);
	psnl_format_acl(rec);
	print_end_list();
	if (psnl_event_name(rec->cmd)) {
		print_begin_line();
		psnl_format_event(rec, &meta);
		print_end_line();
	}
}

/* The record as a port with itself as its one secondary. */
static void print_metrics(const struct psnl_record *rec)
{
	struct psnl ps = { .netns = "fuzz\\ns\"\n" };
	struct psnl_records one = {
		.v = (struct psnl_record *)rec, .len = 1, .cap = 1,
	};

	psnl_prometheus(&ps, &one, &one);
}

/* The first byte is the command, the rest the attributes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN + (size ? size - 1 : 0);
	struct nlmsghdr *nlh = calloc(1, NLMSG_ALIGN(len));
	struct genlmsghdr *genl = NLMSG_DATA(nlh);
	struct psnl_record rec;

	if (!nlh || size == 0 || size > 65000) {
		free(nlh);
		return 0;
	}
	nlh->nlmsg_len = len;
	genl->cmd = data[0];
	memcpy((char *)genl + GENL_HDRLEN, data + 1, size - 1);
	if (psnl_record_parse(nlh, &rec) == 0) {
		print_all(&rec, false);
		print_all(&rec, true);
		print_metrics(&rec);
	}
	free(nlh);
	return 0;
}
