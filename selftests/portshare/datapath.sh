#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# datapath.sh: sharing IPv4 datagrams (DESIGN §3 copies, §6 semantics).
#
# Topology (datapath_lib.sh): a sender $SND, the primary host $PRI with the
# application bound to the contested port and the local secondaries, and a
# remote secondary host $REM behind $PRI, all joined by veth:
#
#	$SND 10.99.1.2 --v1-- 10.99.1.1 $PRI 10.99.2.1 --v2-- 10.99.2.2 $REM
#
# Every datagram carries an exact payload (pstraffic), so each receiver
# is checked byte for byte, for duplicates and for losses.  Tests 2-6 look
# at the same 1000 datagrams from different angles; the others stand
# alone.  This suite has the copy modes and the kinds of datagram shared
# or not, NFQUEUE, and unloading under a flood; datapath_drops.sh has the
# copies that are refused or lost on the way, and what counts them.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_lib.sh"

# 1000 datagrams at a moderate rate to 162, shared with four secondaries:
# local encap, local raw, remote encap and remote transparent.
test_thousand()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode encap
	cmd_ok pri add 162 $P:9002 mode raw
	cmd_ok pri add 162 $R:9003
	cmd_ok pri add 162 $R:9004 mode transparent
	rx app "$PRI" 0.0.0.0:162
	rx s1 "$PRI" 127.0.0.1:9001
	rx s2 "$PRI" $P:9002
	rx s3 "$REM" $R:9003
	rx s4 "$REM" $R:9004
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 1000 --size 300 \
		--tag k --rate 250
	rx_wait 1000 app s1 s2 s3 s4
	fence "$PRI" s1 s2 s3 s4
	rx_stop
	chk app --tag k --count 1000 --size 300 --src $S:5162 --total 1000
	chk s1 --mode encap --tag k --count 1000 --size 300 --total 1000
	chk s2 --mode raw --tag k --count 1000 --size 300 --total 1000
	chk s3 --mode encap --tag k --count 1000 --size 300 --total 1000
	chk s4 --mode transparent --tag k --count 1000 --size 300 --total 1000
}

test_encap()
{
	chk s1 --mode encap --tag k --count 1000 --size 300 --first-seq 0 \
		--origin $S:5162 --contested 162 --secondary 127.0.0.1 \
		--src 127.0.0.1:13162
	chk s3 --mode encap --tag k --count 1000 --size 300 --first-seq 0 \
		--origin $S:5162 --contested 162 --secondary $R --src $P2:13162
}

test_raw()
{
	chk s2 --mode raw --tag k --count 1000 --size 300 --src $P:13162
}

test_transparent()
{
	chk s4 --mode transparent --tag k --count 1000 --size 300 \
		--src $S:5162
}

test_counters()
{
	read_topology
	assert_stat 1000 "port rx" port_stat 162 rx
	assert_stat 1000 "port shared" port_stat 162 shared
	assert_stat 0 "port err_csum" port_stat 162 err_csum
	for sec in 127.0.0.1:9001 $P:9002 $R:9003 $R:9004; do
		assert_stat 1000 "$sec copies" sec_stat 162 $sec copies
		assert_stat 300000 "$sec bytes" sec_stat 162 $sec bytes
		assert_stat 0 "$sec drop_noroute" sec_stat 162 $sec drop_noroute
	done
	cmd_ok pri stats 162
	assert_grep "^port add 162 .*rx 1000 shared 1000" "$OUT" "psnl stats"
	assert_grep -F "add 162 $R:9004 mode transparent" "$OUT" "psnl stats"
	cmd_ok pri -j list 162
	assert_grep -F '"stats":{"copies":1000,"bytes":300000,' "$OUT" \
		"psnl -j list"
	cmd_ok pri -j port list
	assert_grep -F '"stats":{"rx":1000,"shared":1000,' "$OUT" \
		"psnl -j port list"
}

# BOOTP: a client on the link broadcasts to 255.255.255.255:67.
test_broadcast()
{
	load_topology
	cmd_ok pri add 67 127.0.0.1:9067 mode raw
	cmd_ok pri add 67 $R:9067 mode encap
	rx app "$PRI" 0.0.0.0:67
	rx s1 "$PRI" 127.0.0.1:9067
	rx s2 "$REM" $R:9067
	cmd_ok tx "$SND" --to 255.255.255.255:67 --from $S:68 --broadcast \
		--count 20 --size 250 --tag b --rate 100
	rx_wait 20 app s1 s2
	fence "$PRI" s1 s2
	rx_stop
	chk app --tag b --count 20 --size 250 --src $S:68 --total 20
	chk s1 --mode raw --tag b --count 20 --size 250 --total 20
	chk s2 --mode encap --tag b --count 20 --size 250 --origin $S:68 \
		--contested 67 --first-seq 0 --total 20
}

# SLP: a multicast to 239.255.255.253:427, which the application joined.
test_multicast()
{
	load_topology
	cmd_ok pri add 427 127.0.0.1:9427 mode encap
	cmd_ok pri add 427 $R:9427 mode raw
	rx app "$PRI" 0.0.0.0:427 --join 239.255.255.253@$P
	rx s1 "$PRI" 127.0.0.1:9427
	rx s2 "$REM" $R:9427
	cmd_ok tx "$SND" --to 239.255.255.253:427 --from $S:427 \
		--mcast-if $S --count 20 --size 200 --tag m --rate 100
	rx_wait 20 app s1 s2
	fence "$PRI" s1 s2
	rx_stop
	chk app --tag m --count 20 --size 200 --src $S:427 --total 20
	chk s1 --mode encap --tag m --count 20 --size 200 --origin $S:427 \
		--contested 427 --first-seq 0 --total 20
	chk s2 --mode raw --tag m --count 20 --size 200 --total 20
}

# 8000 bytes over a 1500-byte link: fragments in, whole datagrams out; the
# remote copies are fragmented again on their way.
test_fragments()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode encap
	cmd_ok pri add 162 $R:9003 mode raw
	rx app "$PRI" 0.0.0.0:162
	rx s1 "$PRI" 127.0.0.1:9001
	rx s3 "$REM" $R:9003
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 50 --size 8000 \
		--tag f --rate 50
	rx_wait 50 app s1 s3
	fence "$PRI" s1 s3
	rx_stop
	chk app --tag f --count 50 --size 8000 --total 50
	chk s1 --mode encap --tag f --count 50 --size 8000 --first-seq 0 \
		--origin $S:5162 --total 50
	chk s3 --mode raw --tag f --count 50 --size 8000 --total 50
	assert_stat 50 "port rx" port_stat 162 rx
}

# UDP_SEGMENT: 10 sends of 10 x 500 bytes each from $SND (over veth) and
# from $PRI itself (over lo) are 200 datagrams.
test_gso()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode encap
	cmd_ok pri add 162 $R:9003 mode raw
	rx app "$PRI" 0.0.0.0:162
	rx s1 "$PRI" 127.0.0.1:9001
	rx s3 "$REM" $R:9003
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 10 --size 5000 \
		--gso 500 --tag g --rate 20
	cmd_ok tx "$PRI" --to $P:162 --from $P:5163 --count 10 --size 5000 \
		--gso 500 --tag l --rate 20
	rx_wait 200 app s1 s3
	fence "$PRI" s1 s3
	rx_stop
	for r in app s1 s3; do
		chk $r --tag g --count 100 --size 500 --total 200 \
			--mode "$([ $r = s1 ] && echo encap || echo raw)"
		chk $r --tag l --count 100 --size 500 \
			--mode "$([ $r = s1 ] && echo encap || echo raw)"
	done
	chk s1 --mode encap --tag g --count 100 --size 500 --origin $S:5162
	chk s1 --mode encap --tag l --count 100 --size 500 --origin $P:5163
	assert_stat 200 "port rx" port_stat 162 rx
	assert_stat 200 "copies" sec_stat 162 127.0.0.1:9001 copies
}

# Seed FIG. 2: one monitor registered on three ports gets all three streams.
test_monitor()
{
	load_topology
	for port in 161 162 1627; do
		cmd_ok pri add $port $R:9100 mode encap
	done
	rx mon "$REM" $R:9100
	for port in 161 162 1627; do
		rx app$port "$PRI" 0.0.0.0:$port
	done
	for port in 161 162 1627; do
		cmd_ok tx "$SND" --to $P:$port --from $S:6$port --count 100 \
			--size 120 --tag t$port --rate 200
	done
	rx_wait 300 mon
	fence "$PRI" mon
	rx_stop
	for port in 161 162 1627; do
		chk mon --mode encap --tag t$port --count 100 --size 120 \
			--contested $port --origin $S:6$port --first-seq 0 \
			--total 300
		chk app$port --tag t$port --count 100 --size 120 --total 100
	done
}

# sample 3: datagrams 0, 3, 6, ... with consecutive sequence numbers.
test_sample()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode encap sample 3
	cmd_ok pri add 162 127.0.0.1:9002 mode raw
	rx s1 "$PRI" 127.0.0.1:9001
	rx s2 "$PRI" 127.0.0.1:9002
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 300 --size 100 \
		--tag s --rate 250
	rx_wait 300 s2
	fence "$PRI" s1 s2
	rx_stop
	chk s1 --mode encap --tag s --count 300 --size 100 --sample 3 \
		--first-seq 0 --total 100
	chk s2 --mode raw --tag s --count 300 --size 100 --total 300
	assert_stat 100 "sampled copies" sec_stat 162 127.0.0.1:9001 copies
	assert_stat 200 "sampled out" sec_stat 162 127.0.0.1:9001 sampled
	cmd_ok pri list 162
	assert_grep -F "add 162 127.0.0.1:9001 mode encap sample 3$T# " "$OUT"
}

# Refused loops, and an encap copy that reaches another primary's contested
# port (here across namespaces) is not shared again.
test_loop()
{
	load_topology
	cmd_ok pri port add 161
	cmd_fail pri add 162 127.0.0.1:161
	assert_grep -i "loop" "$ERR" "psnl add stderr"
	cmd_ok pri add 162 127.0.0.1:9001
	cmd_fail pri port add 9001
	assert_grep -i "loop" "$ERR" "psnl port add stderr"
	# $PRI:162 -> $REM:1162 and $REM:1162 -> $PRI:162, both encap
	cmd_ok pri add 162 $R:1162 mode encap
	cmd_ok rem add 1162 $P2:162 mode encap
	rx app "$REM" 0.0.0.0:1162
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 10 --size 100 \
		--tag o --rate 100
	rx_wait 10 app
	# the fence takes the same way: shared by $PRI, stopped at $REM
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 1 --size 100 \
		--tag fence
	fence_sent app
	rx_stop
	chk app --mode encap --tag o --count 10 --size 100 --total 10 \
		--contested 162
	assert_stat 11 "loops stopped at \$REM (10 and the fence)" \
		port_stat 1162 err_loop "$REM"
	assert_stat 0 "copies from \$REM" sec_stat 1162 $P2:162 copies "$REM"
	assert_stat 11 "\$PRI rx (10 and the fence)" port_stat 162 rx
}

# After "psnl drop" returns, not one more copy.
test_drop()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode raw
	cmd_ok pri add 162 127.0.0.1:9002 mode raw
	rx s1 "$PRI" 127.0.0.1:9001
	rx s2 "$PRI" 127.0.0.1:9002
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 100 --size 100 \
		--tag d --rate 500
	rx_wait 100 s1
	cmd_ok pri drop 162 127.0.0.1:9001
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --first 100 --count 100 \
		--size 100 --tag d --rate 500
	rx_wait 200 s2
	fence "$PRI" s1 s2
	rx_stop
	chk s1 --mode raw --tag d --count 100 --size 100 --total 100
	chk s2 --mode raw --tag d --count 200 --size 100 --total 200
}

# A datagram with a wrong UDP checksum is not shared (nor delivered).
test_bad_csum()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode raw
	rx app "$PRI" 0.0.0.0:162
	rx s1 "$PRI" 127.0.0.1:9001
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 10 --size 100 \
		--tag x --bad-csum
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 10 --size 100 \
		--tag y
	rx_wait 10 s1
	fence "$PRI" s1
	rx_stop
	chk app --tag y --count 10 --size 100 --total 10
	chk s1 --mode raw --tag y --count 10 --size 100 --total 10
	assert_stat 10 "err_csum" port_stat 162 err_csum
	assert_stat 20 "rx" port_stat 162 rx
	assert_stat 10 "shared" port_stat 162 shared
}

# TCP to the contested port number and UDP to other ports pass untouched.
test_untouched()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode raw
	rx s1 "$PRI" 127.0.0.1:9001
	rx other "$PRI" $P:5000
	bg ip netns exec "$PRI" socat -u TCP-LISTEN:162,bind=$P,reuseaddr \
		OPEN:"$PS_TMP/tcp",creat
	echo "tcp-to-162" | ip netns exec "$SND" socat -u STDIN \
		TCP:$P:162,retry=100,interval=0.1
	cmd_ok tx "$SND" --to $P:5000 --from $S:5162 --count 20 --size 100 \
		--tag u
	rx_wait 20 other
	fence "$PRI" s1 other
	rx_stop
	busywait 5000 grep -q tcp-to-162 "$PS_TMP/tcp"
	chk other --tag u --count 20 --size 100 --total 20
	assert_stat 0 "copies" sec_stat 162 127.0.0.1:9001 copies
	assert_stat 0 "rx" port_stat 162 rx
}

nfqueue_cleanup()
{
	ip netns exec "$PRI" sh -c 'echo 0 >/sys/class/net/v1/queues/rx-0/rps_cpus' || true
	ip netns exec "$PRI" nft delete table inet q_test || true
}

# An IPS in NFQUEUE mode (psqueue) ahead of portshare's LOCAL_IN hook:
# its verdicts run the hook in process context, preemptible.  RPS hands
# every datagram to CPU 1, where the verdicts are given too.  Half the
# flood bypasses the queue: sent from CPU 0, its datagrams reach CPU 1 by
# IPI at any point of a verdict's work, in softirq.  Every datagram is
# shared exactly once and none is taken for a loop.
test_nfqueue()
{
	local a b v

	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode raw
	cmd_ok pri add 162 $R:9003 mode raw
	rx s1 "$PRI" 127.0.0.1:9001
	rx s3 "$REM" $R:9003
	trap nfqueue_cleanup EXIT
	cmd_ok ip netns exec "$PRI" nft -f - <<-EOF
	table inet q_test {
		chain in {
			type filter hook input priority 0;
			udp dport 162 udp sport 5162 queue num 3 bypass
		}
	}
	EOF
	cmd_ok taskset -c 1 "$PSQUEUE" -n "$PRI" --queue 3 \
		--out "$PS_TMP/verdicts" --pidfile "$PS_TMP/psqueue.pid"
	read -r v <"$PS_TMP/psqueue.pid"
	echo "$v" >>"$PS_TMP/pids"
	ip netns exec "$PRI" sh -c 'echo 2 >/sys/class/net/v1/queues/rx-0/rps_cpus'
	bg "$PSTRAFFIC" send --cpu 1 -n "$SND" --to $P:162 --from $S:5162 \
		--count 1500 --size 100 --tag q --rate 3000
	a=$BG_PID
	bg "$PSTRAFFIC" send --cpu 0 -n "$SND" --to $P:162 --from $S:5163 \
		--count 1500 --size 100 --tag u --rate 3000
	b=$BG_PID
	wait "$a" "$b"
	busywait 30000 port_stat_is 162 rx 3000 ||
		fail "port rx: $(port_stat 162 rx), not 3000"
	kill "$v"
	busywait 5000 test -s "$PS_TMP/verdicts"
	grep -qE '^verdicts [1-9]' "$PS_TMP/verdicts" ||
		fail "no datagram went through the queue: $(cat "$PS_TMP/verdicts")"
	diag "$(cat "$PS_TMP/verdicts") of 1500 queued"
	assert_stat 0 "err_loop" port_stat 162 err_loop
	assert_stat 3000 "shared" port_stat 162 shared
	assert_stat 3000 "local copies" sec_stat 162 127.0.0.1:9001 copies
	assert_stat 3000 "remote copies" sec_stat 162 $R:9003 copies
	rx_wait 3000 s1 s3
	rx_stop
	chk s1 --mode raw --tag q --count 1500 --size 100 --total 3000
	chk s3 --mode raw --tag u --count 1500 --size 100 --total 3000
}

# rmmod while datagrams pour in; the runner fails the suite on any kernel
# warning.  The module is loaded again for whatever runs next.
test_unload_flood()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode encap
	cmd_ok pri add 162 $R:9003 mode raw
	rx s1 "$PRI" 127.0.0.1:9001
	bg "$PSTRAFFIC" flood -n "$SND" --to $P:162 --from $S --seconds 6 \
		--size 200 >/dev/null
	local snd=$BG_PID
	bg "$PSTRAFFIC" flood -n "$PRI" --to 127.0.0.1:162 --seconds 6 \
		--size 8000 >/dev/null
	local loc=$BG_PID
	rx_wait 100 s1
	cmd_ok modprobe -r portshare
	wait "$snd" "$loc" || true
	rx_stop
	cmd_ok modprobe portshare
	cmd_ok pri port list
	assert_empty "$OUT" "ports after reload"
}


T=$'\t'
ktap_plan 18
require_portshare
run_test "setup: sender, primary and remote namespaces" test_setup
run_test "1000 datagrams: application and four secondaries get each once, byte for byte" test_thousand
run_test "encap: every header field, sequence from 0 (local and remote)" test_encap
run_test "raw: the payload alone, from the primary's registration port" test_raw
run_test "transparent: the sender's address and port are kept" test_transparent
run_test "counters: psnl port list, list, stats and -j match" test_counters
run_test "broadcast 255.255.255.255:67 is shared" test_broadcast
run_test "multicast 239.255.255.253:427 is shared" test_multicast
run_test "8000-byte fragmented datagrams arrive whole" test_fragments
run_test "UDP_SEGMENT sends are split into their datagrams" test_gso
run_test "one monitor on three ports gets three streams (FIG. 2)" test_monitor
run_test "sample 3 delivers one datagram in 3" test_sample
run_test "loops are refused, and encap copies are never re-shared" test_loop
run_test "a dropped secondary gets no more copies" test_drop
run_test "a bad UDP checksum is not shared" test_bad_csum
run_test "TCP and uncontested UDP are untouched" test_untouched
run_test "behind an NFQUEUE verdict: every datagram shared once" test_nfqueue
run_test "unloading the module under a flood is clean" test_unload_flood
ktap_finished
