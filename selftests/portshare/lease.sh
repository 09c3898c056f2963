#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lease.sh: leases (DESIGN §9, docs/protocol.md §1.4).  A port's lease
# ("psnl port add PORT lease N") applies to secondaries registered over
# the wire; lease=N in an ADD may shorten it, never lengthen it; "psnl add
# ... lease N" gives one secondary its own.  A repeated ADD refreshes the
# lease and is still answered "200 ERROR. Already Added"; a lease that
# runs out drops the secondary, reason expired, without a SHUTDOWN.
#
# Topology (datapath_lib.sh): the primary $PRI; requests and receivers on
# its loopback.  Leases are a few seconds long, and only their lower
# bound is exact: a lease never ends early, and ends within a few seconds
# of its end even on the debug kernel.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_lib.sh"
. "$(dirname "$0")/register_lib.sh"

REG=127.0.0.1:13162

# fresh: the topology, with no designated port (register_lib.sh's
# load_topology keeps the ports; each test designates its own).
fresh()
{
	load_topology
	ps_reset
}

# add_wire REQUEST...: psreq from 127.0.0.1 to port 162's registration port.
add_wire()
{
	req "$PRI" --to $REG --from 127.0.0.1 "$@"
}

# listed DPORT: 127.0.0.1:DPORT is on port 162's list.
listed()
{
	psnl -n "$PRI" list 162 >"$PS_TMP/listed" || return 1
	has_line_starting "add 162 127.0.0.1:$1 " "$PS_TMP/listed"
}

# has_line_starting TEXT FILE: without a grep process (0.6 s on debug).
has_line_starting()
{
	local l

	while IFS= read -r l; do
		[[ $l == "$1"* ]] && return 0
	done <"$2"
	return 1
}

gone()
{
	! listed "$1"
}

# lease_field DPORT KEY: KEY of the secondary 127.0.0.1:DPORT in psnl -j.
lease_field()
{
	psnl -n "$PRI" -j list 162 |
		jq -e --argjson dp "$1" --arg key "$2" \
			'.[] | select(.data_port == $dp) | .[$key]'
}

# expires_between DPORT START_MS LOW_S HIGH_S: the secondary goes between
# LOW_S and HIGH_S seconds after START_MS.
expires_between()
{
	local dport=$1 start=$2 low=$3 high=$4 took

	busywait $((high * 1000)) gone "$dport" ||
		fail "127.0.0.1:$dport is still listed ${high}s after its ADD"
	took=$(($(__now_ms) - start))
	[ "$took" -ge $((low * 1000)) ] ||
		fail "127.0.0.1:$dport expired after ${took} ms, before its lease of ${low}s"
}

test_psnl()
{
	local left

	fresh
	cmd_ok pri port add 162 lease 30
	cmd_ok pri add 162 127.0.0.1:9101 lease 20
	cmd_ok pri add 162 127.0.0.1:9102
	cmd_ok pri port list
	assert_grep -F "port add 162 reg 13162 max 64 lease 30"$'\t' "$OUT" \
		"psnl port list: the port's lease"
	list_of 162 >"$PS_TMP/l"
	assert_text "$PS_TMP/l" "add 162 127.0.0.1:9101 mode encap lease 20
add 162 127.0.0.1:9102 mode encap" \
		"psnl list: a netlink-added secondary has only its own lease"
	cmd_ok pri list 162
	assert_grep -F "lease 20"$'\t'"# lease_left " "$OUT" \
		"psnl list: lease_left in the comment"
	cmd_ok pri -j list 162
	assert_grep -F '"sample":1,"lease":20,"state":"up","lease_left":' "$OUT" \
		"psnl -j list: lease and lease_left"
	assert_grep -F '"data_port":9102,"mode":"encap","sample":1,"state":"up","stats":{' \
		"$OUT" "psnl -j list: no lease keys without a lease"
	left=$(lease_field 9101 lease_left)
	if [ "$left" -lt 1 ] || [ "$left" -gt 20 ]; then
		fail "lease_left $left is not within 1..20"
	fi
	replay_port 162
	cmd_ok pri -j port list
	assert_grep -F '"lease":30' "$OUT" "psnl -b: the port's lease"
}

# Rejected, with a message naming the problem, and nothing changed.
test_psnl_bad()
{
	fresh
	cmd_ok pri port add 162
	ps_state "$PRI" >"$PS_TMP/before"
	cmd_fail_rc 2 pri port add 163 lease 31536001
	assert_grep -F 'invalid lease "31536001": expected a number 0..31536000' \
		"$ERR" "a lease over a year"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9103 lease -1
	assert_grep -F 'invalid lease "-1"' "$ERR" "a negative lease"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9103 lease 5s
	assert_grep -F 'invalid lease "5s"' "$ERR" "a unit"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9103 lease
	assert_grep -F 'missing value after "lease": expected seconds' "$ERR" \
		"lease alone"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9103 lease 5 lease 6
	assert_grep -F '"lease" given twice' "$ERR" "lease twice"
	ps_state "$PRI" >"$PS_TMP/after"
	cmd_ok diff -u "$PS_TMP/before" "$PS_TMP/after"
}

# The "100 OK" names the lease a wire ADD got, and only if it got one.
test_wire_grant()
{
	fresh
	cmd_ok pri port add 162
	add_wire "ADD 127.0.0.1 162 9111" "ADD 127.0.0.1 162 9112 lease=7"
	assert_text "$OUT" "100 OK 127.0.0.1 13162
100 OK 127.0.0.1 13162 lease=7" \
		"no port lease: Table 2's reply, or the lease asked for"
	cmd_ok pri port del 162
	cmd_ok pri port add 162 lease 60
	add_wire "ADD 127.0.0.1 162 9113" "ADD 127.0.0.1 162 9114 lease=30" \
		"ADD 127.0.0.1 162 9115 lease=90" "ADD 127.0.0.1 162 9116 lease=0" \
		"DROP 127.0.0.1 162 9113 lease=5"
	assert_text "$OUT" "100 OK 127.0.0.1 13162 lease=60
100 OK 127.0.0.1 13162 lease=30
100 OK 127.0.0.1 13162 lease=60
306 ERROR. Unknown Option
306 ERROR. Unknown Option" \
		"port lease 60: shorter asked for is granted, longer is not"
	assert_eq 30 "$(lease_field 9114 lease)" "psnl -j: the lease granted"
	add_wire "ADD 127.0.0.1 162 9114 lease=5"
	assert_text "$OUT" "200 ERROR. Already Added" "a repeated ADD"
	assert_eq 30 "$(lease_field 9114 lease)" \
		"a repeated ADD keeps the lease: DROP and ADD to change it"
	req "$PRI" --to "[$P6]:13162" --from "$P6" \
		"ADD $P6 162 9117 lease=20" "ADD $P6 162 9118"
	assert_text "$OUT" "100 OK $P6 13162 lease=20
100 OK $P6 13162 lease=60" "IPv6: the same suffix"
}

# A repeated ADD refreshes; without one the secondary expires, with an
# event and no SHUTDOWN, while one without a lease stays.
test_wire_expiry()
{
	local start i

	fresh
	cmd_ok pri port add 162 lease 3
	cmd_ok pri add 162 127.0.0.1:9122
	rx s1 "$PRI" 127.0.0.1:9121
	psnl -n "$PRI" monitor >"$PS_TMP/mon" 2>&1 &
	echo $! >>"$PS_TMP/pids"
	busywait 10000 mon_marker || fail "the monitor did not start"
	start=$(__now_ms)
	add_wire "ADD 127.0.0.1 162 9121"
	assert_text "$OUT" "100 OK 127.0.0.1 13162 lease=3" "ADD"
	for i in 1 2 3 4 5; do
		nap 1
		# before the ADD: the lease starts over after this, never before
		start=$(__now_ms)
		add_wire "ADD 127.0.0.1 162 9121"
		assert_text "$OUT" "200 ERROR. Already Added" "refresh $i"
	done
	listed 9121 || fail "refreshed every second, but gone after 5 s"
	expires_between 9121 "$start" 3 10
	busywait 10000 mon_sees "drop 162 127.0.0.1:9121 reason expired" ||
		fail "no expired event: $(<"$PS_TMP/mon")"
	listed 9122 || fail "the secondary without a lease went too"
	fence "$PRI" s1
	rx_stop
	assert_eq 0 "$(count_dgrams "$PS_TMP/s1" 127.0.0.1 13162 \
		"SHUTDOWN 127.0.0.1 13162")" "no SHUTDOWN on expiry"
	add_wire "ADD 127.0.0.1 162 9121"
	assert_text "$OUT" "100 OK 127.0.0.1 13162 lease=3" \
		"an expired secondary registers anew"
}

# mon_marker: add and drop a secondary; has the monitor seen it yet?
mon_marker()
{
	psnl -n "$PRI" add 162 127.0.0.1:9129 >/dev/null 2>&1
	psnl -n "$PRI" drop 162 127.0.0.1:9129 >/dev/null 2>&1
	mon_sees "drop 162 127.0.0.1:9129 "
}

mon_sees()
{
	has_line_starting "$1" "$PS_TMP/mon"
}

# psnl add ... lease: the secondary's own lease; a wire ADD refreshes it.
test_netlink_expiry()
{
	local start

	fresh
	cmd_ok pri port add 162
	start=$(__now_ms)
	cmd_ok pri add 162 127.0.0.1:9131 lease 2
	cmd_ok pri add 162 127.0.0.1:9132 lease 30
	expires_between 9131 "$start" 2 10
	listed 9132 || fail "the 30 s lease ended with the 2 s one"
	cmd_ok pri drop 162 127.0.0.1:9132
}

# Copies flow until the lease ends, and none after.
test_datapath()
{
	local start n

	fresh
	cmd_ok pri port add 162 lease 2
	rx s1 "$PRI" 127.0.0.1:9141
	start=$(__now_ms)
	add_wire "ADD 127.0.0.1 162 9141"
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 10 --size 100 \
		--tag a --rate 250
	rx_wait 10 s1
	expires_between 9141 "$start" 2 10
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 10 --size 100 \
		--tag b --rate 250
	fence "$PRI" s1
	rx_stop
	n=$(rx_count s1 b)
	assert_eq 0 "$n" "copies after the lease ended"
}

# Leases pending when the port goes, or the namespace: nothing leaks or
# fires late (the debug kernel's KASAN and kmemleak watch).
test_teardown()
{
	local ns

	fresh
	cmd_ok pri port add 162 lease 1
	add_wire "ADD 127.0.0.1 162 9151"
	cmd_ok pri port del 162
	setup_ns ns
	cmd_ok psnl -n "$ns" port add 162 lease 1
	cmd_ok psnl -n "$ns" add 162 127.0.0.1:9152 lease 1
	cleanup_ns "$ns"
	nap 2
}

ktap_plan 8
require_portshare
run_test "setup: the primary and a sender" test_setup
run_test "psnl: port and secondary leases; list, -j and -b" test_psnl
run_test "bad lease: exit status, message, nothing changed" test_psnl_bad
run_test "wire: lease= shortens, never lengthens; the OK names it" test_wire_grant
run_test "wire: ADD refreshes; expiry drops, with an event, no SHUTDOWN" test_wire_expiry
run_test "psnl add lease: the secondary's own lease expires" test_netlink_expiry
run_test "copies stop when the lease ends" test_datapath
run_test "leases pending at port del and namespace exit" test_teardown
ktap_finished
