#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dead.sh: dead-secondary detection (DESIGN §9, docs/protocol.md §1.9).
# A secondary whose copies draw a port's "dead E/S" errors (ICMP or ICMPv6
# unreachable, or a local copy finding no socket) within S seconds is
# dead: it gets one probe copy per S seconds and nothing else, and is up
# again once a probe draws no error.  Dead for its hold, it is dropped
# with reason unreachable.  Each change is a sec_state event.
#
# Topology (datapath_lib.sh): the sender $SND, the primary $PRI with
# local secondaries on its loopback, remote ones in $REM, where a closed
# data port answers with an ICMP or ICMPv6 port unreachable.  Traffic is
# 50 datagrams/s, as the issue's test asks; the times asserted are upper
# bounds with the slowest (debug) guest in mind.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_lib.sh"
. "$(dirname "$0")/register_lib.sh"

MON_PID=

fresh()
{
	load_topology
	ps_reset
}

# mon_start: "psnl -j monitor" of $PRI into $PS_TMP/mon, subscribed.
mon_start()
{
	# psnl itself, not the function pri: bg_kill must end the monitor
	rm -f "$PS_TMP/mon"
	psnl -n "$PRI" -j monitor >"$PS_TMP/mon" 2>"$PS_TMP/mon.err" &
	MON_PID=$!
	echo "$MON_PID" >>"$PS_TMP/pids"
	busywait 10000 mon_marker ||
		fail "the monitor did not start: $(<"$PS_TMP/mon.err")"
}

mon_marker()
{
	pri port add 65001 reg 5001 >/dev/null 2>&1
	pri port del 65001 >/dev/null 2>&1
	grep -q '"port_del".*"port":65001' "$PS_TMP/mon"
}

mon_stop()
{
	bg_kill "$MON_PID"
	assert_empty "$PS_TMP/mon.err" "monitor stderr"
}

# sec_json PORT DATA_PORT KEY...: keys of that secondary in "psnl -j list
# PORT", or of its stats, on one line; "gone" without such a secondary.
sec_json()
{
	pri -j list "$1" | python3 -c '
import json, sys
dport, keys = int(sys.argv[1]), sys.argv[2:]
for s in json.load(sys.stdin):
    if s["data_port"] == dport:
        print(*(s["stats"].get(k, s.get(k, "missing")) for k in keys))
        break
else:
    print("gone")' "${@:2}"
}

# is_state PORT ADDR:DATA_PORT up|dead|gone: that secondary's state, from
# "psnl list PORT", parsed in bash (a program costs 0.6 s on the debug
# kernel).
is_state()
{
	local line state=gone

	while IFS= read -r line; do
		[[ $line == "add $1 $2 "* ]] || continue
		state=up
		[[ $line == *$'\t# state dead '* ]] && state=dead
	done < <(pri list "$1")
	[ "$state" = "$3" ]
}

# events PORT DATA_PORT EVENT: the monitor's events of that secondary, one
# "event reason state" line each.
events()
{
	python3 -c '
import json, sys
dport, event = int(sys.argv[2]), sys.argv[3]
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        sys.exit("not JSON: %r" % line)
    if e.get("data_port") == dport and e["event"] == event:
        print(e["event"], e.get("reason", "-"), e.get("state", "-"))' \
		"$PS_TMP/mon" "$2" "$3"
}

# first_event_ms DATA_PORT EVENT STATE: when (ms since the epoch) the
# monitor saw that secondary's first EVENT with STATE; "none" if it did not.
first_event_ms()
{
	python3 -c '
import datetime, json, sys
dport, event, state = int(sys.argv[2]), sys.argv[3], sys.argv[4]
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("data_port") == dport and e.get("state") == state and \
       e["event"] == event:
        t = datetime.datetime.strptime(e["time"][:26], "%Y-%m-%dT%H:%M:%S.%f")
        t = t.replace(tzinfo=datetime.timezone.utc)
        print(int(t.timestamp() * 1000))
        break
else:
    print("none")' "$PS_TMP/mon" "$1" "$2" "$3"
}

# send_bg PORT COUNT TAG [RATE]: COUNT datagrams at RATE (default 50) per
# second to PORT, in the background ($TX_PID).
send_bg()
{
	# pstraffic itself, not the function tx: bg_kill must end the sender
	"$PSTRAFFIC" send --cpu 0 -n "$SND" --to "$P:$1" --from $S:5162 \
		--count "$2" --size 100 --tag "$3" --rate "${4:-50}" &
	TX_PID=$!
	echo "$TX_PID" >>"$PS_TMP/pids"
}

# wait_state STATE START_MS ADDR:DATA_PORT...: each of port 162's
# secondaries is in STATE within 30 s.
wait_state()
{
	local state=$1 start=$2 sec
	shift 2

	for sec in "$@"; do
		busywait 30000 is_state 162 "$sec" "$state" ||
			fail "$sec: not $state after $(($(__now_ms) - start)) ms"
	done
}

# A remote secondary with a closed data port, IPv4 and IPv6, is dead
# within 5 s at 50 datagrams/s; it then gets only its probes, one per
# period, while its open neighbour gets every datagram.  A transparent
# one is never dead (its errors go to the sender).  Once its port is
# open, a probe draws no error and it is up again.
test_dead_and_revive()
{
	local start t n

	fresh
	cmd_ok pri port add 162 dead 3/2
	cmd_ok pri add 162 $R:9241
	cmd_ok pri add 162 "[$R6]:9242"
	cmd_ok pri add 162 $R:9243
	cmd_ok pri add 162 $R:9244 mode transparent
	rx open "$REM" $R:9243
	mon_start
	start=$(__now_ms)
	send_bg 162 200 a
	wait_state dead "$start" $R:9241 "[$R6]:9242"
	for n in 9241 9242; do
		t=$(first_event_ms "$n" sec_state dead)
		[ "$t" != none ] || fail "no sec_state dead event for $n"
		[ $((t - start)) -le 5000 ] ||
			fail "data port $n: dead after $((t - start)) ms, not within 5 s"
		diag "data port $n: dead after $((t - start)) ms"
	done
	wait "$TX_PID" || fail "the sender failed"
	rx_wait 200 open
	for n in 9241 9242; do
		assert_dead_costs "$n" 200 $(($(__now_ms) - start))
	done
	assert_eq "up 0" "$(sec_json 162 9244 state icmp_errors)" \
		"transparent: never dead, its errors go to the sender"
	assert_eq "up 0" "$(sec_json 162 9243 state skip_dead)" \
		"the open neighbour"
	# its probes drew errors: still dead, 2 s after the last datagram
	nap 2
	for n in $R:9241 "[$R6]:9242"; do
		is_state 162 "$n" dead || fail "$n: up again with its port closed"
	done

	rx back4 "$REM" $R:9241
	rx back6 "$REM" "[$R6]:9242"
	start=$(__now_ms)
	send_bg 162 400 b
	wait_state up "$start" $R:9241 "[$R6]:9242"
	diag "up again after $(($(__now_ms) - start)) ms"
	rx_wait 5 back4 back6
	bg_kill "$TX_PID"
	mon_stop
	for n in 9241 9242; do
		events 162 "$n" sec_state >"$PS_TMP/ev"
		assert_text "$PS_TMP/ev" "sec_state - dead
sec_state - up" "data port $n: a sec_state event for each change"
	done
}

# assert_dead_costs DATA_PORT SENT MS: of SENT datagrams over MS ms, a dead
# secondary got the few before it was dead and one probe per 2 s; the
# rest were counted as skip_dead.
assert_dead_costs()
{
	local skip copies probes drops errors max_probes

	read -r skip copies probes drops errors < <(sec_json 162 "$1" \
		skip_dead copies probes drop_noroute icmp_errors)
	max_probes=$(($3 / 2000 + 1))
	assert_eq "$2" $((skip + copies + drops)) \
		"data port $1: every datagram copied or skipped"
	{ [ "$probes" -ge 1 ] && [ "$probes" -le "$max_probes" ]; } ||
		fail "data port $1: $probes probes in $3 ms, not 1..$max_probes"
	[ $((copies + drops - probes)) -le 10 ] ||
		fail "data port $1: $((copies + drops - probes)) copies besides probes"
	[ "$errors" -ge 3 ] || fail "data port $1: $errors icmp_errors, not 3"
}

# Dead for its hold, a secondary is dropped with reason unreachable: a
# wire registration after the port's hold, a netlink one after its own,
# and never one without.  Local secondaries: a copy finding no socket is
# an error.
test_hold()
{
	fresh
	cmd_ok pri port add 162 dead 2/1 hold 2
	req "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1 "ADD 127.0.0.1 162 9251"
	assert_text "$OUT" "100 OK 127.0.0.1 13162" "a wire ADD: the OK of Table 2"
	assert_list 162 "add 162 127.0.0.1:9251 mode encap"
	cmd_ok pri add 162 127.0.0.1:9252
	cmd_ok pri add 162 127.0.0.1:9253 hold 1
	mon_start
	send_bg 162 50 a
	busywait 20000 is_state 162 127.0.0.1:9253 gone ||
		fail "hold 1: not dropped"
	busywait 20000 is_state 162 127.0.0.1:9251 gone ||
		fail "the port's hold 2: not dropped"
	wait "$TX_PID" || fail "the sender failed"
	assert_eq dead "$(sec_json 162 9252 state)" \
		"no hold: dead, and kept"
	mon_stop
	for n in 9251:2 9253:1; do
		events 162 "${n%:*}" sec_drop >"$PS_TMP/ev"
		assert_text "$PS_TMP/ev" "sec_drop unreachable dead" \
			"data port ${n%:*}: the drop's reason, unreachable"
		assert_held "${n%:*}" "${n#*:}"
	done
	events 162 9252 sec_drop >"$PS_TMP/ev"
	assert_empty "$PS_TMP/ev" "no hold: no drop"
}

# assert_held DATA_PORT HOLD: the monitor saw the secondary dropped no
# sooner than HOLD seconds after it became dead.
assert_held()
{
	local dead drop

	dead=$(first_event_ms "$1" sec_state dead)
	drop=$(first_event_ms "$1" sec_drop dead)
	{ [ "$dead" != none ] && [ "$drop" != none ]; } ||
		fail "data port $1: no dead or no drop event"
	[ $((drop - dead)) -ge $(($2 * 1000 - 20)) ] ||
		fail "data port $1: dropped $((drop - dead)) ms after dead, hold $2 s"
}

# A port without a registration port sends copies from the contested port:
# their errors are seen too.  With "dead off" errors are counted, and
# copies go on.
test_reg_off_and_off()
{
	local errors state copies

	fresh
	cmd_ok pri port add 162 reg off dead 3/1
	cmd_ok pri port add 163 dead off
	cmd_ok pri add 162 $R:9261
	cmd_ok pri add 163 $R:9262
	send_bg 162 50 a
	busywait 30000 is_state 162 $R:9261 dead ||
		fail "reg off: not dead"
	wait "$TX_PID" || fail "the sender failed"
	# a period of 1 s at 500/s: a probe is due every second, and each
	# must get its verdict before the next goes
	rx open "$REM" $R:9261
	send_bg 162 10000 c 500
	wait_state up "$(__now_ms)" $R:9261
	rx_wait 5 open
	bg_kill "$TX_PID"
	send_bg 163 50 b
	wait "$TX_PID" || fail "the sender failed"
	read -r errors state copies < <(sec_json 163 9262 icmp_errors state copies)
	[ "$errors" -ge 3 ] || fail "dead off: $errors errors counted, not 3"
	assert_eq "up 50" "$state $copies" "dead off: never dead, every copy sent"
}

# Settings in psnl list, -j and -b; refusals change nothing.
test_psnl()
{
	fresh
	cmd_ok pri port add 162 dead 5/20 hold 0
	cmd_ok pri port add 163
	cmd_ok pri add 162 127.0.0.1:9271 hold 30
	cmd_ok pri -j port list
	assert_grep -F '"dead_errors":5,"dead_period":20,"hold":0' "$OUT" \
		"psnl -j port list: the port's settings"
	assert_grep -F '"dead_errors":3,"dead_period":10,"hold":300' "$OUT" \
		"psnl -j port list: the defaults"
	cmd_ok pri port list
	assert_grep -F "port add 162 reg 13162 max 64 dead 5/20 hold 0"$'\t' \
		"$OUT" "psnl port list: settings that are not the defaults"
	assert_grep -F "port add 163 reg 13163 max 64"$'\t' "$OUT" \
		"psnl port list: the defaults are not shown"
	assert_list 162 "add 162 127.0.0.1:9271 mode encap hold 30"
	assert_eq "up 30" "$(sec_json 162 9271 state hold)" \
		"psnl -j list: a new secondary is up; its hold"
	cmd_ok pri port del 163
	replay_port 162
	ps_state "$PRI" >"$PS_TMP/before"
	cmd_fail_rc 2 pri port add 164 dead 3/0
	cmd_fail_rc 2 pri port add 164 dead 1001/10
	cmd_fail_rc 2 pri add 162 127.0.0.1:9272 hold 31536001
	ps_state "$PRI" >"$PS_TMP/after"
	cmd_ok diff -u "$PS_TMP/before" "$PS_TMP/after"
}

ktap_plan 5
require_portshare
run_test "setup: the primary, a sender and a remote host" test_setup
run_test "closed data port: dead within 5 s, probes only, up when open" test_dead_and_revive
run_test "dead for its hold: dropped, reason unreachable" test_hold
run_test "reg off ports are watched; dead off counts only" test_reg_off_and_off
run_test "psnl: dead and hold in list, -j and -b; refusals" test_psnl
ktap_finished
