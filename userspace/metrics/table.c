// SPDX-License-Identifier: GPL-2.0
/*
 * Every metric of portshare, one line per value: which counter, as which
 * metric family (Prometheus naming: the portshare_ prefix, base units,
 * _total on counters) and with which label.  A new counter is one line
 * here (and its entry in psnl(8), METRICS); a new drop reason is a row of
 * an existing family with its own reason label.  Rows of one family are
 * adjacent and share its help text.
 */
#include "metrics.h"

#define STAT(id)	PORTSHARE_STAT_##id

#define PORT(id, type, name, label, help) \
	{ PS_METRIC_PORT, id, PS_METRIC_##type, "portshare_" name, label, help }
#define SEC(id, type, name, label, help) \
	{ PS_METRIC_SECONDARY, id, PS_METRIC_##type, "portshare_" name, label, help }

/* Help texts of the families with more than one row. */
#define NOT_SHARED	"Datagrams received on the contested port but not shared, by reason."
#define REPLIES		"Registration requests answered, by result: ok (100 OK), error (an error code) or verify (102 VERIFY)."
#define REFUSALS	"Registration requests answered with an error code for a reason counted on its own; also in replies_total{result=\"error\"}."
#define IGNORED		"Datagrams on the registration port that got no reply, by reason: denied (acl), rate_limited, other (empty, a reply or SHUTDOWN, from a registration port, queue full)."
#define SKIPPED		"Datagrams not copied to the secondary, by reason: sampled (sample), filtered (from) or dead."
#define DROPPED		"Copies to the secondary that could not be sent, by reason."

const struct ps_metric ps_metrics[] = {
	PORT(STAT(PORT_RX), COUNTER, "port_datagrams_received_total", NULL,
	     "Datagrams received on the contested port."),
	PORT(STAT(PORT_SHARED), COUNTER, "port_datagrams_shared_total", NULL,
	     "Datagrams copied to at least one secondary."),
	PORT(STAT(PORT_ERR_CSUM), COUNTER, "port_datagrams_not_shared_total", "reason=\"csum\"", NOT_SHARED),
	PORT(STAT(PORT_ERR_MALFORMED), COUNTER, "port_datagrams_not_shared_total", "reason=\"malformed\"", NOT_SHARED),
	PORT(STAT(PORT_ERR_GSO), COUNTER, "port_datagrams_not_shared_total", "reason=\"gso\"", NOT_SHARED),
	PORT(STAT(PORT_ERR_LOOP), COUNTER, "port_datagrams_not_shared_total", "reason=\"loop\"", NOT_SHARED),
	PORT(PS_METRIC_SECONDARIES, GAUGE, "port_secondaries", NULL,
	     "Secondaries on the port's distribution list."),
	PORT(PS_METRIC_SECONDARIES_LIMIT, GAUGE, "port_secondaries_limit", NULL,
	     "Most secondaries the port's distribution list may hold."),
	PORT(STAT(REG_REQUESTS), COUNTER, "registration_requests_total", NULL,
	     "Datagrams received on the port's registration port."),
	PORT(STAT(REG_OK), COUNTER, "registration_replies_total", "result=\"ok\"", REPLIES),
	PORT(STAT(REG_ERRORS), COUNTER, "registration_replies_total", "result=\"error\"", REPLIES),
	PORT(STAT(REG_VERIFY), COUNTER, "registration_replies_total", "result=\"verify\"", REPLIES),
	PORT(STAT(REG_NOT_PERMITTED), COUNTER, "registration_refusals_total", "reason=\"not_permitted\"", REFUSALS),
	PORT(STAT(REG_LIST_FULL), COUNTER, "registration_refusals_total", "reason=\"list_full\"", REFUSALS),
	PORT(STAT(REG_DENIED), COUNTER, "registration_ignored_total", "reason=\"denied\"", IGNORED),
	PORT(STAT(REG_RATE_LIMITED), COUNTER, "registration_ignored_total", "reason=\"rate_limited\"", IGNORED),
	PORT(STAT(REG_IGNORED), COUNTER, "registration_ignored_total", "reason=\"other\"", IGNORED),
	PORT(STAT(REG_SEND_ERRORS), COUNTER, "registration_send_errors_total", NULL,
	     "Replies and SHUTDOWNs the network stack refused to send."),
	SEC(PS_METRIC_UP, GAUGE, "secondary_up", NULL,
	    "1 while the secondary gets copies (state up), 0 while it is dead."),
	SEC(STAT(SEC_COPIES), COUNTER, "secondary_copies_total", NULL,
	    "Copies sent to the secondary."),
	SEC(STAT(SEC_BYTES), COUNTER, "secondary_payload_bytes_total", NULL,
	    "Payload bytes sent to the secondary, without the encap header."),
	SEC(STAT(SEC_SAMPLED), COUNTER, "secondary_datagrams_skipped_total", "reason=\"sampled\"", SKIPPED),
	SEC(STAT(SEC_FILTERED), COUNTER, "secondary_datagrams_skipped_total", "reason=\"filtered\"", SKIPPED),
	SEC(STAT(SEC_DEAD_SKIPPED), COUNTER, "secondary_datagrams_skipped_total", "reason=\"dead\"", SKIPPED),
	SEC(STAT(SEC_DROP_NOMEM), COUNTER, "secondary_copies_dropped_total", "reason=\"nomem\"", DROPPED),
	SEC(STAT(SEC_DROP_NOROUTE), COUNTER, "secondary_copies_dropped_total", "reason=\"noroute\"", DROPPED),
	SEC(STAT(SEC_DROP_XMIT), COUNTER, "secondary_copies_dropped_total", "reason=\"xmit\"", DROPPED),
	SEC(STAT(SEC_DROP_FAMILY), COUNTER, "secondary_copies_dropped_total", "reason=\"family\"", DROPPED),
	SEC(STAT(SEC_DROP_TOOBIG), COUNTER, "secondary_copies_dropped_total", "reason=\"toobig\"", DROPPED),
	SEC(STAT(SEC_DROP_RCVBUF), COUNTER, "secondary_copies_dropped_total", "reason=\"rcvbuf\"", DROPPED),
	SEC(STAT(SEC_DROP_NOSOCKET), COUNTER, "secondary_copies_dropped_total", "reason=\"nosocket\"", DROPPED),
	SEC(STAT(SEC_DROP_FILTER), COUNTER, "secondary_copies_dropped_total", "reason=\"filter\"", DROPPED),
	SEC(STAT(SEC_DROP_DEST), COUNTER, "secondary_copies_dropped_total", "reason=\"dest\"", DROPPED),
	SEC(STAT(SEC_DROP_NOSRC), COUNTER, "secondary_copies_dropped_total", "reason=\"nosrc\"", DROPPED),
	SEC(STAT(SEC_DROP_BUDGET), COUNTER, "secondary_copies_dropped_total", "reason=\"budget\"", DROPPED),
	SEC(STAT(SEC_DROP_RATELIMITED), COUNTER, "secondary_copies_dropped_total", "reason=\"ratelimited\"", DROPPED),
	SEC(STAT(SEC_PROBES), COUNTER, "secondary_probes_total", NULL,
	    "Datagrams chosen as probes of the secondary while it was dead; each is also counted as a copy or a drop."),
	SEC(STAT(SEC_ICMP_ERRORS), COUNTER, "secondary_icmp_errors_total", NULL,
	    "Errors copies to the secondary drew: ICMP or ICMPv6 unreachable or prohibited, or a local copy that found no socket."),
	{ 0 }
};
