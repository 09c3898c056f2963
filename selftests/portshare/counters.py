# SPDX-License-Identifier: GPL-2.0
"""Every counter psnl -j reports, at zero (docs/psnl-json.md): of a port
(P0), of its registration port (R0) and of a secondary (S0). The suites'
JSON checks build their expected values from these (psnl_lib.sh's json_eq,
monitor.sh's events)."""

P0 = dict.fromkeys(["rx", "shared", "err_csum", "err_malformed", "err_gso",
                    "err_loop"], 0)
R0 = dict.fromkeys(["reg_requests", "reg_ok", "reg_errors", "reg_denied",
                    "reg_rate_limited", "reg_not_permitted", "reg_list_full",
                    "reg_ignored", "reg_send_errors", "reg_verify"], 0)
S0 = dict.fromkeys(["copies", "bytes", "sampled", "skip_filtered",
                    "skip_dead", "drop_nomem",
                    "drop_noroute", "drop_xmit", "drop_family",
                    "drop_toobig", "drop_rcvbuf", "drop_nosocket",
                    "drop_filter", "drop_dest", "drop_nosrc",
                    "drop_budget", "drop_ratelimited", "icmp_errors",
                    "probes"], 0)
PR0 = {**P0, **R0}
# A port's dead-secondary detection settings at their defaults
D0 = {"dead_errors": 3, "dead_period": 10, "hold": 300}
