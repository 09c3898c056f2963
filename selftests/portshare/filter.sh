#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# filter.sh: source filters (DESIGN §9, docs/protocol.md §2.3).  A
# secondary given "from PREFIX" (psnl) or "from=PREFIX" (wire) gets copies
# only of datagrams whose source is in one of its networks; the others
# count as skip_filtered, not as drops.
#
# Topology (datapath_lib.sh): two senders on either side of the primary,
# $SND (10.99.1.2, fd99:1::2) and $REM (10.99.2.2, fd99:2::2), both send
# to the application on $P:162 in $PRI, whose local secondaries filter
# by sender.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_lib.sh"
. "$(dirname "$0")/register_lib.sh"

# list_162_is TEXT WHAT: "psnl list 162" without counters is TEXT.
list_162_is()
{
	list_of 162 >"$PS_TMP/l" || fail "psnl list 162 failed"
	assert_text "$PS_TMP/l" "$1" "$2"
}

test_psnl_from()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 from 10.99.1.0/24 from fd99:1::/64
	cmd_ok pri add 162 127.0.0.1:9002 mode raw sample 2 from 10.99.2.2
	cmd_ok pri add 162 127.0.0.1:9003
	list_162_is "add 162 127.0.0.1:9001 mode encap from 10.99.1.0/24 from fd99:1::/64
add 162 127.0.0.1:9002 mode raw sample 2 from 10.99.2.2/32
add 162 127.0.0.1:9003 mode encap" "psnl list: from after the mode and sample"
	cmd_ok pri -j list 162
	assert_grep -F '"sample":1,"from":["10.99.1.0/24","fd99:1::/64"],"state":"up","stats":{' \
		"$OUT" "psnl -j list: the from array"
	assert_grep -F '"data_port":9003,"mode":"encap","sample":1,"state":"up","stats":{' \
		"$OUT" "psnl -j list: no from array without a filter"
	assert_grep -F '"sampled":0,"skip_filtered":0,' "$OUT" \
		"psnl -j list: skip_filtered"
}

# What psnl list prints, psnl -b takes back: the same filters.
test_psnl_batch()
{
	load_topology
	list_of 162 >"$PS_TMP/before"
	cmd_ok pri list 162
	cp "$OUT" "$PS_TMP/saved"
	cmd_ok pri port del 162
	cmd_ok pri -b "$PS_TMP/saved"
	list_162_is "$(<"$PS_TMP/before")" "the list after psnl -b of psnl list"
}

# Rejected, with a message naming the problem, and nothing changed.
test_psnl_bad()
{
	local nine=() i

	load_topology
	list_of 162 >"$PS_TMP/before"
	cmd_fail_rc 1 pri add 162 127.0.0.1:9010 from 10.99.1.1/24
	assert_grep "host bits" "$ERR" "host bits: the kernel's extack"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9010 from 10.99.1.0/33
	assert_grep -F 'invalid prefix length "33"' "$ERR" "/33"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9010 from
	assert_grep -F 'missing value after "from"' "$ERR" "from alone"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9010 from host.example
	assert_grep -F 'not an IPv4 or IPv6 address' "$ERR" "a host name"
	for i in 1 2 3 4 5 6 7 8 9; do
		nine+=(from "10.0.$i.0/24")
	done
	cmd_fail_rc 2 pri add 162 127.0.0.1:9010 "${nine[@]}"
	assert_grep -F 'at most 8 networks' "$ERR" "nine from"
	cmd_ok pri add 162 127.0.0.1:9010 "${nine[@]:0:16}"
	cmd_ok pri drop 162 127.0.0.1:9010
	list_162_is "$(<"$PS_TMP/before")" "the list after the refusals"
}

# 30 datagrams from $REM, then 50 from $SND: each secondary gets its own,
# and the ones its filter left out used no sequence number (s1's start at
# 0 all the same).
test_datapath()
{
	load_topology
	rx app "$PRI" 0.0.0.0:162
	rx s1 "$PRI" 127.0.0.1:9001
	rx s2 "$PRI" 127.0.0.1:9002
	rx s3 "$PRI" 127.0.0.1:9003
	cmd_ok tx "$REM" --to $P:162 --from $R:5163 --count 30 --size 200 \
		--tag b --rate 250
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 50 --size 200 \
		--tag a --rate 250
	rx_wait 80 app s3
	rx_wait 50 s1
	fence "$PRI" s1 s2 s3
	rx_stop
	chk app --tag a --count 50 --size 200 --total 80
	chk s1 --mode encap --tag a --count 50 --size 200 --origin $S:5162 \
		--first-seq 0 --total 50
	# sample 2 of the 30 that pass: the 1st, 3rd, ... 29th
	chk s2 --mode raw --tag b --count 30 --size 200 --sample 2 --total 15
	chk s3 --mode encap --tag a --count 50 --size 200 --total 80
	assert_stat 50 "s1 copies" sec_stat 162 127.0.0.1:9001 copies
	assert_stat 30 "s1 skip_filtered" sec_stat 162 127.0.0.1:9001 skip_filtered
	assert_stat 0 "s1 drops" sec_drops 162 127.0.0.1:9001
	assert_stat 50 "s2 skip_filtered" sec_stat 162 127.0.0.1:9002 skip_filtered
	assert_stat 15 "s2 sampled" sec_stat 162 127.0.0.1:9002 sampled
	assert_stat 0 "s3 skip_filtered" sec_stat 162 127.0.0.1:9003 skip_filtered
}

# IPv6: fd99:1::/64 admits $SND's IPv6 datagrams, not $REM's.
test_datapath6()
{
	load_topology
	rx s1 "$PRI" 127.0.0.1:9001
	rx s3 "$PRI" 127.0.0.1:9003
	cmd_ok tx "$SND" --to [$P6]:162 --from [$S6]:5162 --count 20 \
		--size 100 --tag c --rate 250
	cmd_ok tx "$REM" --to [$P6]:162 --from [$R6]:5163 --count 10 \
		--size 100 --tag d --rate 250
	rx_wait 30 s3
	fence "$PRI" s1 s3
	rx_stop
	chk s1 --mode encap --tag c --count 20 --size 100 --origin [$S6]:5162 \
		--total 20
	# 30 from $REM in test_datapath, 10 now
	assert_stat 40 "s1 skip_filtered" sec_stat 162 127.0.0.1:9001 skip_filtered
}

# from= over the registration port; a repeated ADD changes nothing.
test_wire()
{
	load_topology
	rx s5 "$PRI" 127.0.0.1:9005
	req "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1 \
		"ADD 127.0.0.1 162 9005 mode=raw from=10.99.2.0/24 from=fd99:2::2"
	assert_text "$OUT" "100 OK 127.0.0.1 13162" "ADD with from="
	req "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1 \
		"ADD 127.0.0.1 162 9005 from=10.99.1.0/24"
	assert_text "$OUT" "200 ERROR. Already Added" "ADD again"
	req "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1 \
		"ADD 127.0.0.1 162 9006 from=10.99.1.1/24" \
		"DROP 127.0.0.1 162 9005 from=10.99.2.0/24"
	assert_text "$OUT" "306 ERROR. Unknown Option
306 ERROR. Unknown Option" "host bits; from= on DROP"
	list_of 162 >"$PS_TMP/l"
	assert_grep -F "add 162 127.0.0.1:9005 mode raw from 10.99.2.0/24 from fd99:2::2/128" \
		"$PS_TMP/l" "the filter of the first ADD"
	assert_no_grep -F ":9006 " "$PS_TMP/l" "the refused ADD"
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 10 --size 100 \
		--tag e --rate 250
	cmd_ok tx "$REM" --to $P:162 --from $R:5163 --count 10 --size 100 \
		--tag f --rate 250
	rx_wait 10 s5
	fence "$PRI" s5
	rx_stop
	chk s5 --mode raw --tag f --count 10 --size 100 --total 10
	assert_stat 10 "skip_filtered" sec_stat 162 127.0.0.1:9005 skip_filtered
}

ktap_plan 7
require_portshare
run_test "setup: two senders and the primary" test_setup
run_test "psnl add from: list and -j show the networks" test_psnl_from
run_test "psnl -b takes back what psnl list printed" test_psnl_batch
run_test "bad from: exit status, message, nothing changed" test_psnl_bad
run_test "each secondary gets only its senders' datagrams; skip_filtered" test_datapath
run_test "IPv6 senders against an IPv6 network" test_datapath6
run_test "from= on the wire; a repeated ADD keeps the filter" test_wire
ktap_finished
