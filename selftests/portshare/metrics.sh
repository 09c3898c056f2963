#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# metrics.sh: `psnl stats --prometheus` against the module's real counters,
# and psnl's bash completion against the real lists.
#
#	+---------------------------- $NS ---------------------------------+
#	|  pstraffic send --6 datagrams--> 127.0.0.1:162 (contested)        |
#	|        portshare.ko --copies--> raw   127.0.0.1:9001  6 copies    |
#	|                        \------> encap 127.0.0.1:9002  5 copies,   |
#	|                                 1 drop_toobig                     |
#	|  port 427 reg off, no secondaries                                 |
#	+-------------------------------------------------------------------+
#
# Five datagrams of 100 bytes, then one of 65507, the largest a UDP
# datagram holds: raw it fits, with the 64-byte encap header it does not,
# so the encap secondary counts exactly one drop of reason toobig.  Then
# the exposition must pass `promtool check metrics`, and every counter of
# `psnl -j stats` must be exactly one sample with the same value
# (prom_check.py, which also checks what promtool does not: one block per
# family, no series twice, every family documented in psnl(8)).
#
# Cheap on purpose (CI's budget): one namespace, two receivers, one send
# of six datagrams, two python3 and two promtool runs.

. "$(dirname "$0")/lib.sh"

PSTRAFFIC=${PSTRAFFIC:-$PS_REPO/build/selftests/pstraffic}
CHECK=$PS_REPO/selftests/portshare/prom_check.py
BIG=65507
NS=

p()
{
	psnl -n "$NS" "$@"
}

rx()
{
	"$PSTRAFFIC" recv -n "$NS" --bind "$2" --out "$PS_TMP/$1" \
		--pidfile "$PS_TMP/$1.pid" --timeout 300000 ||
		fail "receiver $1 on $2 did not start"
	cat "$PS_TMP/$1.pid" >>"$PS_TMP/pids"	# lib.sh kills it on exit
}

# promtool check metrics FILE, quiet unless it complains.
promtool_ok()
{
	command -v promtool >/dev/null || fail "no promtool: run 'make deps' (Debian's prometheus)"
	cmd_ok promtool check metrics <"$1"
	assert_empty "$OUT" "promtool's findings"
}

# prom_check FILE ARGS...: see prom_check.py.
prom_check()
{
	cmd_ok python3 "$CHECK" "$@" --docs "$PS_REPO/docs/psnl.8"
}

# The samples every run must have, with LABELS before port="...".
expect_args()
{
	local pre=$1 sraw senc

	sraw="${pre}port=\"162\",secondary=\"127.0.0.1\",data_port=\"9001\",mode=\"raw\""
	senc="${pre}port=\"162\",secondary=\"127.0.0.1\",data_port=\"9002\",mode=\"encap\""
	printf -- '--expect\n%s\n' \
		"portshare_port_datagrams_received_total{${pre}port=\"162\"}=6" \
		"portshare_port_datagrams_shared_total{${pre}port=\"162\"}=6" \
		"portshare_port_secondaries{${pre}port=\"162\"}=2" \
		"portshare_port_secondaries{${pre}port=\"427\"}=0" \
		"portshare_secondary_copies_total{$sraw}=6" \
		"portshare_secondary_payload_bytes_total{$sraw}=$((5 * 100 + BIG))" \
		"portshare_secondary_copies_total{$senc}=5" \
		"portshare_secondary_payload_bytes_total{$senc}=500" \
		"portshare_secondary_copies_dropped_total{$senc,reason=\"toobig\"}=1" \
		"portshare_secondary_copies_dropped_total{$sraw,reason=\"toobig\"}=0" \
		"portshare_secondary_up{$senc}=1"
}

test_traffic()
{
	setup_ns NS
	echo "$NS" >"$PS_TMP/ns"
	cmd_ok p add 162 127.0.0.1:9001 mode raw
	cmd_ok p add 162 127.0.0.1:9002 mode encap
	cmd_ok p port add 427 reg off
	rx raw 127.0.0.1:9001
	rx encap 127.0.0.1:9002
	cmd_ok "$PSTRAFFIC" send -n "$NS" --to 127.0.0.1:162 --count 5 --size 100 --tag s
	cmd_ok "$PSTRAFFIC" send -n "$NS" --to 127.0.0.1:162 --count 1 --size $BIG --tag b
	cmd_ok "$PSTRAFFIC" wait --count 6 --timeout 30000 "$PS_TMP/raw"
	cmd_ok "$PSTRAFFIC" wait --count 5 --timeout 30000 "$PS_TMP/encap"
	cmd_ok p -j stats
	cp "$OUT" "$PS_TMP/stats.json"
}

test_prometheus_netns()
{
	local args

	read -r NS <"$PS_TMP/ns"
	cmd_ok p stats --prometheus
	cp "$OUT" "$PS_TMP/netns.prom"
	promtool_ok "$PS_TMP/netns.prom"
	mapfile -t args < <(expect_args "netns=\"$NS\",")
	prom_check "$PS_TMP/netns.prom" --stats "$PS_TMP/stats.json" \
		--netns "$NS" "${args[@]}"
	# reg off: no registration families for 427
	assert_no_grep '^portshare_registration.*port="427"' "$PS_TMP/netns.prom"
}

test_prometheus_own()
{
	local args

	read -r NS <"$PS_TMP/ns"
	cmd_ok ip netns exec "$NS" psnl stats --prometheus
	cp "$OUT" "$PS_TMP/own.prom"
	promtool_ok "$PS_TMP/own.prom"
	mapfile -t args < <(expect_args "")
	prom_check "$PS_TMP/own.prom" --stats "$PS_TMP/stats.json" --netns "" \
		"${args[@]}"
	cmd_ok p stats 427 --prometheus
	assert_no_grep 'port="162"' "$OUT"
	assert_grep '^portshare_port_secondaries_limit\{netns="[^"]*",port="427"\} 64$' "$OUT"
}

test_errors()
{
	read -r NS <"$PS_TMP/ns"
	cmd_fail_rc 1 p stats 999 --prometheus
	assert_empty "$OUT" "stdout of a failed stats"
	assert_grep -F "999" "$ERR"
	cmd_fail_rc 2 p -j stats --prometheus
	assert_grep -F -- "--prometheus and -j" "$ERR"
}

# complete LINE: what _psnl offers for the end of LINE, space-separated.
complete_line()
{
	bash --norc --noprofile -c '. "$1"; COMP_LINE=$2; COMP_POINT=${#2}
		_psnl; echo "${COMPREPLY[*]}"' complete \
		"$PS_REPO/dist/bash-completion/psnl" "$1"
}

test_completion()
{
	read -r NS <"$PS_TMP/ns"
	assert_eq "162 427" "$(complete_line "psnl -n $NS port del ")" "ports"
	assert_eq "127.0.0.1:9001 127.0.0.1:9002" \
		"$(complete_line "psnl -n $NS drop 162 ")" "secondaries"
	assert_eq "9002" "$(complete_line "psnl -n $NS drop 162 127.0.0.1:9002")" \
		"the data port after a colon"
}

ktap_plan 5
require_portshare
run_test "6 datagrams to two secondaries, one encap copy too big" test_traffic
run_test "-n: promtool accepts it; values, labels and docs match psnl -j stats" test_prometheus_netns
run_test "no -n: no netns label, same values; stats PORT --prometheus" test_prometheus_own
run_test "errors: an undesignated PORT, -j with --prometheus" test_errors
run_test "bash completion offers the live ports and secondaries" test_completion
ktap_finished
