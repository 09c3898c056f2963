#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# register_life.sh: the in-kernel registration port from its opening to
# its end (docs/protocol.md §1.2, §1.4, §2): a non-root secondary, the
# sockets and reg off, the requests it must not answer, a secondary that
# cannot be allocated, SHUTDOWN on port removal, namespace deletion and
# unload, and registrations racing a flood and port removal.  Topology,
# psreq and helpers: register_lib.sh (see register.sh's header).

. "$(dirname "$0")/register_lib.sh"

# Seed: a non-root application shares a port below 1024 over loopback.
test_nonroot()
{
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)

	reset_all
	command -v setpriv >/dev/null || skip "no setpriv"
	cmd_ok pri port add 162
	chmod o+x "$PS_TMP"
	mkdir -m 0777 "$PS_TMP/nobody"
	rx app "$PRI" 0.0.0.0:162
	cmd_fail ip netns exec "$PRI" "${nobody[@]}" "$PSTRAFFIC" recv \
		--bind 127.0.0.1:162 --out "$PS_TMP/nobody/x" --count 1 \
		--timeout 100
	assert_grep "bind" "$ERR" "non-root bind to 162"
	# the data port must be a socket of the registering user: bound first
	ip netns exec "$PRI" "${nobody[@]}" "$PSTRAFFIC" recv \
		--bind 127.0.0.1:7051 --out "$PS_TMP/nobody/s" \
		--pidfile "$PS_TMP/nobody/s.pid" --timeout 60000 ||
		fail "non-root receiver did not start"
	read -r pid <"$PS_TMP/nobody/s.pid"
	echo "$pid" >>"$PS_TMP/pids"
	echo "$PRI 127.0.0.1:7051" >"$PS_TMP/nobody/s.at"
	RX_PIDS+=" $pid"
	cmd_ok ip netns exec "$PRI" "${nobody[@]}" "$PSREQ" \
		--to 127.0.0.1:13162 --from 127.0.0.1:7050 \
		'ADD 127.0.0.1 162 7051 mode=raw'
	assert_replies "$OUT" "non-root ADD" "OK 127.0.0.1 13162"
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 20 --size 100 \
		--tag n --rate 200
	rx_wait 20 app nobody/s
	fence "$PRI" nobody/s
	rx_stop
	chk nobody/s --mode raw --tag n --count 20 --size 100 --total 20 \
		--src 127.0.0.1:13162
	[ "$(stat -c %u "$PS_TMP/nobody/s")" = 65534 ] ||
		fail "the receiver did not run as nobody"
}

# reg off: no socket; a registration port in use: EADDRINUSE naming it.
test_sockets()
{
	reset_all
	cmd_ok pri port add 427 reg off
	cmd_ok ip netns exec "$PRI" ss -Hnul
	assert_no_grep ":13427 " "$OUT" "sockets with reg off"
	# no socket: ICMP port unreachable, not silence
	req "$PRI" --to 127.0.0.1:13427 --connect --wait 10000 'ADD 127.0.0.1 427 7060'
	assert_text "$OUT" "refused" "reg off: no registration port"
	cmd_ok pri port del 427
	cmd_ok pri port add 427 reg 14000
	cmd_ok ip netns exec "$PRI" ss -Hnul
	assert_grep -F "0.0.0.0:14000" "$OUT" "explicit registration port"
	cmd_ok pri port del 427
	cmd_ok ip netns exec "$PRI" ss -Hnul
	assert_no_grep ":1[34][0-9]{3} " "$OUT" "sockets after port del"

	rx blk4 "$PRI" 127.0.0.1:13427
	cmd_fail pri port add 427
	assert_grep "13427.*in use" "$ERR" "psnl's error"
	assert_eq "" "$(psnl -n "$PRI" port list)" "port list"
	rx_stop
	rx blk6 "$PRI" '[::1]:13427'
	cmd_fail pri port add 427
	assert_grep "13427.*in use" "$ERR" "psnl's error (IPv6)"
	cmd_fail pri add 427 127.0.0.1:7061
	assert_grep "13427.*in use" "$ERR" "psnl add's error"
	cmd_ok ip netns exec "$PRI" ss -Hnul
	assert_no_grep "0.0.0.0:13427" "$OUT" "no IPv4 socket left behind"
	rx_stop
	cmd_ok pri port add 427
	cmd_ok pri port del 427
}

# The silences of docs/protocol.md §1.2 that the envelope and the queue
# decide, each counted as reg_ignored: a request to a broadcast or
# multicast address, one from UDP port 0, one from one of this
# namespace's own registration ports (a reply or notice looped back), and
# requests beyond the 64 the queue holds.
test_silence()
{
	local n0 e0 n i

	reset_all
	cmd_ok pri port add 162
	cmd_ok pri port add 427
	n0=$(reg_stat 162 ignored)
	e0=$(reg_stat 162 errors)
	rx grp4 "$PRI" 0.0.0.0:7110 --join 239.255.255.250@$P
	rx grp6 "$PRI" '[::]:7110' --join ff0e::123@v1
	cmd_ok tx "$SND" --to 10.99.1.255:13162 --from $S:7111 --broadcast \
		--count 1 --size 20 --tag b
	cmd_ok tx "$SND" --to 239.255.255.250:13162 --from $S:7111 \
		--mcast-if $S --count 1 --size 20 --tag m
	cmd_ok tx "$SND" --to '[ff0e::123]:13162' --from '[fd99:1::2]:7111' \
		--count 1 --size 20 --tag m
	cmd_ok tx "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1 --raw-sport 0 \
		--count 1 --size 20 --tag z
	for i in 13162 13427; do
		cmd_ok tx "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1 \
			--raw-sport $i --count 1 --size 20 --tag l
	done
	busywait 10000 port_stat_is 162 reg_ignored $((n0 + 6)) ||
		fail "reg_ignored went from $n0 to $(reg_stat 162 ignored), expected +6"
	# the same from a port that is not a registration port is answered
	# (305: the payload is no request)
	cmd_ok tx "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1 --raw-sport 13428 \
		--count 1 --size 20 --tag l
	busywait 10000 port_stat_is 162 reg_errors $((e0 + 1)) ||
		fail "reg_errors went from $e0 to $(reg_stat 162 errors), expected +1"
	assert_eq $((n0 + 6)) "$(reg_stat 162 ignored)" "reg_ignored"
	rx_stop

	# A full queue: the sender, real-time on one CPU, sends 200 before
	# the worker on that CPU can take any; what it cannot queue is
	# ignored.  Every request is either answered or counted so.
	n0=$(reg_stat 162 ignored)
	cmd_ok chrt -f 50 taskset -c 0 "$PSREQ" -n "$PRI" --to 127.0.0.1:13162 \
		--from 127.0.0.1 --repeat 200 'DROP 127.0.0.1 162 9'
	read -r _ n _ <"$OUT"
	busywait 10000 port_stat_is 162 reg_ignored $((n0 + 200 - n)) ||
		fail "$n of 200 answered, but reg_ignored went from $n0 to $(reg_stat 162 ignored)"
	diag "a full queue: $n of 200 requests answered"
	[ "$n" -ge 64 ] && [ "$n" -lt 200 ] ||
		fail "$n of 200 requests answered: the queue holds 64"
	assert_reg_sum 162
}

# ---- allocation failure (debug kernel) ---------------------------------------

# kmod/fault.c's fault_attr (Documentation/fault-injection/)
FAILSEC=/sys/kernel/debug/fail_portshare_secondary

# Why the allocation of a secondary cannot be failed here, or nothing.
fail_alloc_missing()
{
	mountpoint -q /sys/kernel/debug ||
		mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
	[ -d $FAILSEC ] ||
		echo "no $FAILSEC: the kernel has no CONFIG_FAULT_INJECTION_DEBUG_FS (the debug kernel has)"
}

# Every allocation of a secondary fails, quietly (no stack dump in the log).
fail_alloc_on()
{
	echo 0 >$FAILSEC/verbose
	echo 1 >$FAILSEC/interval
	echo -1 >$FAILSEC/times
	echo 100 >$FAILSEC/probability
}

fail_alloc_off()
{
	[ ! -w $FAILSEC/probability ] || echo 0 >$FAILSEC/probability
}

# A secondary that cannot be allocated: 403 over the wire, an extack over
# netlink, and nothing changes; with memory again the same ADD works.
test_no_memory()
{
	local why

	reset_all
	why=$(fail_alloc_missing)
	[ -z "$why" ] || skip "$why"
	cmd_ok pri port add 427
	trap fail_alloc_off EXIT
	fail_alloc_on
	req "$PRI" --to 127.0.0.1:13427 --from 127.0.0.1:7050 \
		'ADD 127.0.0.1 427 7051'
	assert_replies "$OUT" "ADD without memory" NO_RESOURCES
	cmd_fail_rc 1 pri add 427 127.0.0.1:7052
	assert_grep -F "out of memory for the secondary; nothing was changed" \
		"$ERR" "psnl add without memory"
	# 428 is not designated: psnl add designates it, and takes that back
	cmd_fail_rc 1 pri add 428 127.0.0.1:7052
	fail_alloc_off
	list_of 427 >"$PS_TMP/l"
	assert_empty "$PS_TMP/l" "port 427's list after the failures"
	cmd_ok pri port list
	assert_no_grep "^port add 428 " "$OUT" "the port add 428 designated"
	assert_eq 1 "$(reg_stat 427 errors)" "reg_errors"
	req "$PRI" --to 127.0.0.1:13427 --from 127.0.0.1:7050 \
		'ADD 127.0.0.1 427 7051'
	assert_replies "$OUT" "the same ADD with memory" "OK 127.0.0.1 13427"
	assert_list 427 "add 427 127.0.0.1:7051 mode encap"
	assert_reg_sum 427
}

# reg off (docs/protocol.md §1.4, §2): copies come from the contested
# port, and removing the port sends no SHUTDOWN.
test_reg_off()
{
	reset_all
	cmd_ok pri port add 427 reg off
	cmd_ok pri add 427 127.0.0.1:7301 mode raw
	cmd_ok pri add 427 $R:7302 mode encap
	rx s1 "$PRI" 127.0.0.1:7301
	rx s2 "$REM" $R:7302
	cmd_ok tx "$SND" --to $P:427 --from $S:5427 --count 20 --size 100 \
		--tag r --rate 200
	rx_wait 20 s1 s2
	cmd_ok pri port del 427
	fence "$PRI" s1 s2
	rx_stop
	chk s1 --mode raw --tag r --count 20 --size 100 --total 20 \
		--src 127.0.0.1:427
	chk s2 --mode encap --tag r --count 20 --size 100 --total 20 \
		--src $P2:427 --origin $S:5427 --contested 427
}

# Has the JSON monitor in $PS_TMP/mon seen port $1 go (after ensuring
# there is an event for it)?
mon_saw_port_del()
{
	[ "$1" = 162 ] ||
		{ pri port add "$1" reg off && pri port del "$1"; } >/dev/null 2>&1
	__match '"event": ?"port_del".*"port": ?'"$1"'[,}]' "$PS_TMP/mon"
}

# last_is_shutdown NAME SRC SPORT: the last datagram receiver NAME got,
# fences aside, is the SHUTDOWN from SRC:SPORT (no copy came after it).
last_is_shutdown()
{
	local a p l h last="" fence

	fence=$(hex fence:)
	while read -r a p l h; do
		[[ $h == "$fence"* ]] || last="$a $p $h"
	done <"$PS_TMP/$1"
	assert_eq "$2 $3 $(hex "SHUTDOWN $2 $3")" "$last" \
		"the last datagram at $1"
}

# SHUTDOWN (Table 3) once per secondary, from the registration port, when
# the port is removed, after the last copy, under a data flood; the list
# is purged, with events.
test_shutdown_del()
{
	local l n=0 mon

	reset_all
	bg psnl -n "$PRI" -j monitor >"$PS_TMP/mon" 2>&1
	mon=$BG_PID
	busywait 10000 mon_saw_port_del 65001 || fail "the monitor did not start"
	cmd_ok psnl -n "$PRI" acl add 10.99.2.0/24
	cmd_ok psnl -n "$PRI" acl add fd99:2::/64
	cmd_ok pri port add 162
	rx s1 "$PRI" 127.0.0.1:7071
	rx s2 "$REM" $R:7072
	rx s3 "$REM" '[fd99:2::2]:7073'
	req "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1:7070 'ADD 127.0.0.1 162 7071 mode=raw'
	req "$REM" --to $P2:13162 --from $R:7070 'ADD 10.99.2.2 162 7072 mode=raw'
	req "$REM" --to '[fd99:2::1]:13162' --from '[fd99:2::2]:7070' \
		'ADD fd99:2::2 162 7073 mode=raw'
	bg "$PSTRAFFIC" flood -n "$SND" --to $P:162 --from $S --seconds 3 \
		--size 100 >/dev/null
	busywait 5000 eval '[ -s "$PS_TMP/s1" ] && [ -s "$PS_TMP/s2" ] && [ -s "$PS_TMP/s3" ]' ||
		fail "no copies under the flood"
	cmd_ok pri port del 162
	busywait 5000 shutdowns_are s1 127.0.0.1 13162 1 ||
		fail "no SHUTDOWN for 127.0.0.1"
	busywait 5000 shutdowns_are s2 $P2 13162 1 || fail "no SHUTDOWN for $R"
	busywait 5000 shutdowns_are s3 fd99:2::1 13162 1 ||
		fail "no SHUTDOWN for fd99:2::2"
	# whatever the port sent before it went has arrived before the fences
	fence "$PRI" s1 s2 s3
	rx_stop
	shutdowns_are s1 127.0.0.1 13162 1 || fail "SHUTDOWN more than once"
	shutdowns_are s2 $P2 13162 1 || fail "SHUTDOWN more than once"
	shutdowns_are s3 fd99:2::1 13162 1 || fail "SHUTDOWN more than once"
	last_is_shutdown s1 127.0.0.1 13162
	last_is_shutdown s2 $P2 13162
	last_is_shutdown s3 fd99:2::1 13162
	assert_eq "" "$(psnl -n "$PRI" list)" "the lists"
	assert_eq "" "$(psnl -n "$PRI" port list)" "the ports"
	busywait 10000 mon_saw_port_del 162 || fail "no port_del event"
	while IFS= read -r l; do
		[[ $l =~ \"event\":\ ?\"sec_add\".*\"reason\":\ ?\"wire\" ]] &&
			n=$((n + 1))
	done <"$PS_TMP/mon"
	assert_eq 3 "$n" "sec_add events with reason wire"
	assert_grep '"event": ?"shutdown".*"port": ?162,.*"secondaries": ?3' \
		"$PS_TMP/mon" "the shutdown event"
	bg_kill "$mon"
}

# ... when the namespace is deleted.
test_shutdown_netns()
{
	local A B

	load_topology
	setup_ns A B
	link_ns "$A" "$B" v 10.97.0.1/24 10.97.0.2/24
	cmd_ok psnl -n "$A" acl add 10.97.0.0/24
	cmd_ok psnl -n "$A" port add 162
	rx sn "$B" 10.97.0.2:7081
	req "$B" --to 10.97.0.1:13162 --from 10.97.0.2:7080 \
		'ADD 10.97.0.2 162 7081' 'ADD 10.97.0.2 162 7082'
	assert_replies "$OUT" "ADD" "OK 10.97.0.1 13162" "OK 10.97.0.1 13162"
	# requests keep coming while the namespace goes
	bg "$PSTRAFFIC" flood -n "$B" --to 10.97.0.1:13162 --from 10.97.0.2 \
		--seconds 3 --size 30 >/dev/null
	busywait 10000 reg_stat_over 162 requests 10 "$A" ||
		fail "the request flood did not arrive"
	ip netns del "$A"
	busywait 20000 shutdowns_are sn 10.97.0.1 13162 1 ||
		fail "no SHUTDOWN after netns del"
	# $A is gone once its end of the veth took $B's with it: nothing more
	# can arrive, and the receiver writes what it had queued
	busywait 20000 eval '! ip -n "$B" link show v >/dev/null 2>&1' ||
		fail "the veth outlived the namespace"
	rx_stop
	cmd_ok "$PSTRAFFIC" check "$PS_TMP/sn" --count 0 --total 1
}

# ... when the module is unloaded (every namespace at once).
test_shutdown_rmmod()
{
	reset_all
	cmd_ok psnl -n "$PRI" acl add 10.99.2.0/24
	cmd_ok pri port add 162
	cmd_ok pri port add 427
	rx s1 "$PRI" 127.0.0.1:7091
	rx s2 "$REM" $R:7092
	rx s3 "$REM" $R:7093
	req "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1:7090 'ADD 127.0.0.1 162 7091'
	req "$REM" --to $P2:13162 --from $R:7090 'ADD 10.99.2.2 162 7092'
	req "$REM" --to $P2:13427 --from $R:7090 'ADD 10.99.2.2 427 7093'
	# requests and data keep coming while the module goes
	bg "$PSTRAFFIC" flood -n "$REM" --to $P2:13162 --from $R --seconds 3 \
		--size 30 >/dev/null
	bg "$PSTRAFFIC" flood -n "$SND" --to $P:162 --from $S --seconds 3 \
		--size 100 >/dev/null
	busywait 10000 reg_stat_over 162 requests 10 ||
		fail "the request flood did not arrive"
	busywait 10000 eval '[ -s "$PS_TMP/s1" ] && [ -s "$PS_TMP/s2" ]' ||
		fail "no copies under the flood"
	cmd_ok modprobe -r portshare
	busywait 5000 shutdowns_are s1 127.0.0.1 13162 1 ||
		fail "no SHUTDOWN for 127.0.0.1"
	busywait 5000 shutdowns_are s2 $P2 13162 1 || fail "no SHUTDOWN for $R"
	busywait 5000 shutdowns_are s3 $P2 13427 1 ||
		fail "no SHUTDOWN for $R on 427"
	# the module is gone: what it sent has arrived before the fences
	fence "$PRI" s1 s2 s3
	rx_stop
	shutdowns_are s1 127.0.0.1 13162 1 || fail "SHUTDOWN more than once"
	shutdowns_are s2 $P2 13162 1 || fail "SHUTDOWN more than once"
	shutdowns_are s3 $P2 13427 1 || fail "SHUTDOWN more than once"
	last_is_shutdown s1 127.0.0.1 13162
	last_is_shutdown s2 $P2 13162
	last_is_shutdown s3 $P2 13427
	cmd_ok modprobe portshare
	echo 0 >$PARAMS/reg_rate
}

# Registrations racing a data flood and port removal: a clean kernel log,
# and a consistent state afterwards.
test_race()
{
	local mark i

	reset_all
	mark=$(dmesg_mark)
	cmd_ok psnl -n "$PRI" acl add 10.99.2.0/24 third-party
	cmd_ok pri port add 162
	bg "$PSTRAFFIC" flood -n "$SND" --to $P:162 --from $S --seconds 8 \
		--size 200 >/dev/null
	bg "$PSTRAFFIC" flood -n "$PRI" --to 127.0.0.1:13162 --seconds 8 \
		--size 40 >/dev/null
	for i in 1 2 3 4; do
		bg "$PSREQ" -n "$REM" --to $P2:13162 --wait 50 --repeat 50 \
			"ADD 10.99.2.$((i + 10)) 162 $((7100 + i))" \
			"DROP 10.99.2.$((i + 10)) 162 $((7100 + i))" >/dev/null
	done
	for i in $(seq 12); do
		psnl -n "$PRI" port del 162 2>/dev/null || true
		psnl -n "$PRI" port add 162 2>/dev/null || true
		"$PSREQ" -n "$REM" --to $P2:13162 --wait 20 \
			"ADD 10.99.2.$i 162 7100" >/dev/null
	done
	wait
	cmd_ok pri port del 162
	cmd_ok pri port add 162
	req "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1:7100 'ADD 127.0.0.1 162'
	assert_replies "$OUT" "ADD after the race" "OK 127.0.0.1 13162"
	dmesg_since "$mark" >"$PS_TMP/dmesg"
	assert_no_grep "WARNING|BUG|Oops|leak|refcount_t|lockdep|RCU|Call Trace" \
		"$PS_TMP/dmesg" "the kernel log"
}

ktap_plan 10
require_portshare
run_test "setup: topology, port 162 with registration sockets" test_setup
run_test "non-root process registers for port 162 and gets copies" \
	test_nonroot
run_test "reg off means no socket; a taken registration port: EADDRINUSE" \
	test_sockets
run_test "silence: broadcast, multicast, port 0, looped, a full queue; counted" \
	test_silence
run_test "no memory for a secondary: 403, an extack, nothing changed" \
	test_no_memory
run_test "reg off: copies from the contested port, no SHUTDOWN" test_reg_off
run_test "SHUTDOWN once on port del, list purged" test_shutdown_del
run_test "SHUTDOWN once on netns delete" test_shutdown_netns
run_test "SHUTDOWN once on module unload" test_shutdown_rmmod
run_test "registrations racing a flood and port removal: clean log" test_race
ktap_finished
