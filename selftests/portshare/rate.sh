#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rate.sh: rate caps and TTL (DESIGN §9, docs/protocol.md §1.7).  A
# port's "rate PPS[/BURST]" and "ttl N" apply to secondaries registered
# over the wire; rate=PPS in an ADD may lower the rate, never raise it,
# and the "100 OK" names the rate granted.  "psnl add ... rate ... ttl"
# gives one secondary its own.  A copy over the rate is not sent and
# counts as drop_ratelimited; a copy leaves with the secondary's TTL or
# hop limit.
#
# Topology (datapath_lib.sh): the sender $SND, the primary $PRI with
# local secondaries on its loopback, remote ones in $REM.  Rates are
# checked against the time the burst took, measured: only the burst is
# exact, so the bounds hold on the slowest (debug) guest too.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_lib.sh"
. "$(dirname "$0")/register_lib.sh"

TTL_RECV=$(dirname "$(readlink -f "$0")")/ttl_recv.py

fresh()
{
	load_topology
	ps_reset
}

# add_wire REQUEST...: psreq from 127.0.0.1 to port 162's registration port.
add_wire()
{
	req "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1 "$@"
}

test_psnl()
{
	fresh
	cmd_ok pri port add 162 rate 100/200 ttl 9
	cmd_ok pri add 162 127.0.0.1:9201 rate 10 ttl 3
	cmd_ok pri add 162 127.0.0.1:9202 rate 10/40
	cmd_ok pri add 162 127.0.0.1:9203 rate 0 ttl 255
	cmd_ok pri port list
	assert_grep -F "port add 162 reg 13162 max 64 rate 100/200 ttl 9"$'\t' \
		"$OUT" "psnl port list: the port's rate, burst and ttl"
	list_of 162 >"$PS_TMP/l"
	assert_text "$PS_TMP/l" "add 162 127.0.0.1:9201 mode encap rate 10/10 ttl 3
add 162 127.0.0.1:9202 mode encap rate 10/40
add 162 127.0.0.1:9203 mode encap ttl 255" \
		"psnl list: the burst defaults to the rate; rate 0 is none"
	cmd_ok pri -j list 162
	assert_grep -F '"sample":1,"rate":10,"burst":10,"ttl":3,"state":"up","stats":{' \
		"$OUT" "psnl -j list: rate, burst and ttl"
	assert_grep -F '"drop_ratelimited":0' "$OUT" \
		"psnl -j list: drop_ratelimited"
	assert_grep -F '"data_port":9203,"mode":"encap","sample":1,"ttl":255,"state":"up","stats":{' \
		"$OUT" "psnl -j list: no rate keys without a rate"
	replay_port 162
	cmd_ok pri -j port list
	assert_grep -F '"rate":100,"burst":200,"ttl":9' "$OUT" \
		"psnl -b: the port's rate and ttl"
}

# Rejected, with a message naming the problem, and nothing changed.
test_psnl_bad()
{
	fresh
	cmd_ok pri port add 162
	ps_state "$PRI" >"$PS_TMP/before"
	cmd_fail_rc 2 pri port add 163 rate 10000001
	assert_grep -F 'invalid rate "10000001": expected PPS[/BURST], PPS a number 0..10000000 (0: none)' \
		"$ERR" "a rate over the limit"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9204 rate 0/5
	assert_grep -F 'invalid rate "0/5": a burst needs a rate above 0' \
		"$ERR" "a burst without a rate"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9204 rate 10/0
	assert_grep -F 'invalid rate "10/0": expected PPS/BURST, BURST a number 1..10000000' \
		"$ERR" "a burst of 0"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9204 rate 10/
	assert_grep -F 'invalid rate "10/": expected PPS/BURST' "$ERR" \
		"a slash without a burst"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9204 rate 5/5/5
	assert_grep -F 'invalid rate "5/5/5"' "$ERR" "two bursts"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9204 rate 10pps
	assert_grep -F 'invalid rate "10pps"' "$ERR" "a unit"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9204 rate
	assert_grep -F 'missing value after "rate": expected copies per second' \
		"$ERR" "rate alone"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9204 rate 5 rate 6
	assert_grep -F '"rate" given twice' "$ERR" "rate twice"
	cmd_fail_rc 2 pri add 162 127.0.0.1:9204 ttl 0
	assert_grep -F 'invalid ttl "0": expected a number 1..255' "$ERR" \
		"a ttl of 0"
	cmd_fail_rc 2 pri port add 163 ttl 256
	assert_grep -F 'invalid ttl "256": expected a number 1..255' "$ERR" \
		"a ttl over 255"
	ps_state "$PRI" >"$PS_TMP/after"
	cmd_ok diff -u "$PS_TMP/before" "$PS_TMP/after"
}

# The "100 OK" names the rate a wire ADD got, and only if it asked for one.
test_wire_grant()
{
	fresh
	cmd_ok pri port add 162
	add_wire "ADD 127.0.0.1 162 9211" "ADD 127.0.0.1 162 9212 rate=50"
	assert_text "$OUT" "100 OK 127.0.0.1 13162
100 OK 127.0.0.1 13162 rate=50" \
		"no port rate: Table 2's reply, or the rate asked for"
	list_of 162 >"$PS_TMP/l"
	assert_text "$PS_TMP/l" "add 162 127.0.0.1:9211 mode encap
add 162 127.0.0.1:9212 mode encap rate 50/50" \
		"the rate asked for, with a second's burst"
	cmd_ok pri port del 162
	cmd_ok pri port add 162 rate 100/200 ttl 9 lease 60
	add_wire "ADD 127.0.0.1 162 9213" "ADD 127.0.0.1 162 9214 rate=10" \
		"ADD 127.0.0.1 162 9215 rate=500" "ADD 127.0.0.1 162 9216 rate=0" \
		"DROP 127.0.0.1 162 9213 rate=5"
	assert_text "$OUT" "100 OK 127.0.0.1 13162 lease=60
100 OK 127.0.0.1 13162 lease=60 rate=10
100 OK 127.0.0.1 13162 lease=60 rate=100
306 ERROR. Unknown Option
306 ERROR. Unknown Option" \
		"port rate 100: lower asked for is granted, higher is not; the OK names the rate only when asked"
	list_of 162 >"$PS_TMP/l"
	assert_text "$PS_TMP/l" "add 162 127.0.0.1:9213 mode encap lease 60 rate 100/200 ttl 9
add 162 127.0.0.1:9214 mode encap lease 60 rate 10/20 ttl 9
add 162 127.0.0.1:9215 mode encap lease 60 rate 100/200 ttl 9" \
		"the port's ttl; a lower rate keeps the burst's time"
	add_wire "ADD 127.0.0.1 162 9214 rate=5"
	assert_text "$OUT" "200 ERROR. Already Added" "a repeated ADD"
	list_of 162 >"$PS_TMP/l2"
	assert_text "$PS_TMP/l2" "$(<"$PS_TMP/l")" \
		"a repeated ADD keeps the rate: DROP and ADD to change it"
	req "$PRI" --to "[$P6]:13162" --from "$P6" \
		"ADD $P6 162 9217 rate=20" "ADD $P6 162 9218"
	assert_text "$OUT" "100 OK $P6 13162 lease=60 rate=20
100 OK $P6 13162 lease=60" "IPv6: the same suffix"
}

# burst NAME TAG: 30 datagrams at 250/s to port 162, all of them seen by
# the uncapped receiver NAME; sets BURST_START and BURST_END (ms).
burst()
{
	BURST_START=$(__now_ms)
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 30 --size 100 \
		--tag "$2" --rate 250
	"$PSTRAFFIC" wait --count "$3" --timeout 30000 "$PS_TMP/$1" ||
		fail "the uncapped receiver did not get $3 datagrams"
	BURST_END=$(__now_ms)
}

# A secondary capped at 1/s with a burst of 5 (a GCRA: in any W seconds at
# most 5 + W copies) gets its burst of a burst of 30 and at most one more
# per second the burst took; the rest count as drop_ratelimited, and its
# uncapped neighbour gets all 30.  After 3 s of quiet it has at least 3
# again.  Only the windows are measured, and they only ever over-estimate
# the time the copies took, so the bounds hold on the slowest guest.
test_datapath()
{
	local n1 n2 start1 quiet max

	fresh
	cmd_ok pri port add 162
	cmd_ok pri add 162 127.0.0.1:9221 rate 1/5
	cmd_ok pri add 162 127.0.0.1:9222
	rx s1 "$PRI" 127.0.0.1:9221
	rx s2 "$PRI" 127.0.0.1:9222
	burst s2 a 30
	start1=$BURST_START
	quiet=$(__now_ms)
	fence "$PRI" s1
	n1=$(rx_count s1 a)
	max=$((5 + (BURST_END - BURST_START) / 1000))
	[ "$n1" -ge 5 ] || fail "the capped secondary got $n1 copies, not its burst of 5"
	[ "$n1" -le "$max" ] ||
		fail "the capped secondary got $n1 copies in $((BURST_END - BURST_START)) ms, more than $max"
	nap 3
	quiet=$(($(__now_ms) - quiet))
	burst s2 b 60
	fence "$PRI" s1
	rx_stop
	n2=$(rx_count s1 b)
	[ "$n2" -ge 3 ] || fail "after ${quiet} ms of quiet the cap gave $n2 copies, not 3"
	max=$((5 + (BURST_END - start1) / 1000))
	[ $((n1 + n2)) -le "$max" ] ||
		fail "the capped secondary got $((n1 + n2)) copies in $((BURST_END - start1)) ms, more than $max"
	assert_eq $((60 - n1 - n2)) \
		"$(sec_stat 162 127.0.0.1:9221 drop_ratelimited)" \
		"drop_ratelimited: the copies not sent"
	assert_eq $((n1 + n2)) "$(sec_stat 162 127.0.0.1:9221 copies)" "copies"
	assert_eq 0 "$(sec_stat 162 127.0.0.1:9222 drop_ratelimited)" \
		"the uncapped neighbour"
	assert_eq 60 "$(port_stat 162 shared)" "every datagram was shared"
}

# ttl_ready FILE: ttl_recv.py has bound its sockets.
ttl_ready()
{
	[ -e "$1.ready" ]
}

# ttl_start NAME NS COUNT ADDR:PORT...: a ttl_recv.py in NS.
ttl_start()
{
	local name=$1 ns=$2
	shift 2

	ip netns exec "$ns" python3 "$TTL_RECV" "$PS_TMP/$name" "$@" &
	echo $! >"$PS_TMP/$name.pid"
	echo $! >>"$PS_TMP/pids"
	busywait 60000 ttl_ready "$PS_TMP/$name" ||
		fail "ttl_recv.py $name did not start"
}

ttl_end()
{
	local pid

	read -r pid <"$PS_TMP/$1.pid"
	wait "$pid" || fail "ttl_recv.py $1 did not get its copies: $(<"$PS_TMP/$1")"
	sort -u "$PS_TMP/$1"
}

# Each secondary's copies carry its TTL or hop limit, remote and local
# (straight into the socket), netlink-added and registered over the wire
# (the port's); without one the route's default (64).
test_ttl()
{
	fresh
	cmd_ok pri port add 162 ttl 7
	cmd_ok pri add 162 $R:9231 ttl 3
	cmd_ok pri add 162 "[$R6]:9232" ttl 5
	cmd_ok pri add 162 $R:9233
	cmd_ok pri add 162 127.0.0.1:9234 ttl 4
	cmd_ok pri add 162 "[::1]:9236" ttl 6
	ttl_start remote "$REM" 2 $R:9231 "[$R6]:9232" $R:9233
	ttl_start local "$PRI" 2 127.0.0.1:9234 127.0.0.1:9235 "[::1]:9236"
	add_wire "ADD 127.0.0.1 162 9235"
	assert_text "$OUT" "100 OK 127.0.0.1 13162" "a port's ttl is not in the OK"
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 2 --size 100 \
		--rate 250
	ttl_end remote >"$PS_TMP/t"
	assert_text "$PS_TMP/t" "$R:9231 3
$R:9233 64
[$R6]:9232 5" "remote copies: their own TTL or hop limit, or the default"
	ttl_end local >"$PS_TMP/t"
	assert_text "$PS_TMP/t" "127.0.0.1:9234 4
127.0.0.1:9235 7
[::1]:9236 6" "local copies: their own TTL or hop limit, or the port's for a wire ADD"
}

ktap_plan 6
require_portshare
run_test "setup: the primary, a sender and a remote host" test_setup
run_test "psnl: port and secondary rate and ttl; list, -j and -b" test_psnl
run_test "bad rate or ttl: exit status, message, nothing changed" test_psnl_bad
run_test "wire: rate= lowers, never raises; the OK names it" test_wire_grant
run_test "a rate cap passes the burst, then the rate" test_datapath
run_test "copies carry the secondary's TTL or hop limit" test_ttl
ktap_finished
