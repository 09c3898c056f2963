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
# alone.  The last test unloads the module under a flood and loads it
# again.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_lib.sh"

S=10.99.1.2	# the sender
P=10.99.1.1	# the primary, sender's side
P2=10.99.2.1	# the primary, remote side
R=10.99.2.2	# the remote secondary host
PSREQ=${PSREQ:-$PS_REPO/build/selftests/psreq}
PSQUEUE=${PSQUEUE:-$PS_REPO/build/selftests/psqueue}
PARAMS=/sys/module/portshare/parameters
BUDGET=8388608	# copy_budget's default

suite_cleanup()
{
	restore_backlog
	[ -w $PARAMS/copy_budget ] && echo $BUDGET >$PARAMS/copy_budget
	return 0
}

test_setup()
{
	require_datapath
	setup_topology
}

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

# A secondary without a route: counted on it, nobody else notices.
test_noroute()
{
	load_topology
	cmd_ok pri add 162 10.98.0.1:9001 mode raw
	cmd_ok pri add 162 127.0.0.1:9002 mode raw
	rx app "$PRI" 0.0.0.0:162
	rx s2 "$PRI" 127.0.0.1:9002
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 50 --size 100 \
		--tag n --rate 250
	rx_wait 50 s2
	fence "$PRI" s2
	rx_stop
	chk app --tag n --count 50 --size 100 --total 50
	chk s2 --mode raw --tag n --count 50 --size 100 --total 50
	assert_stat 50 "drop_noroute" sec_stat 162 10.98.0.1:9001 drop_noroute
	assert_stat 0 "copies" sec_stat 162 10.98.0.1:9001 copies
	assert_stat 50 "shared" port_stat 162 shared
}

# The firewall drops one secondary's copies: a remote copy passes OUTPUT
# and is counted as drop_xmit there.  A local raw copy goes straight into
# its socket (portshare(7), "Netfilter"): OUTPUT never sees it.
test_xmit_drop()
{
	load_topology
	cmd_ok pri add 162 $R:9001 mode raw
	cmd_ok pri add 162 127.0.0.1:9001 mode raw
	trap 'ip netns exec "$PRI" nft delete table inet dp_test || true' EXIT
	cmd_ok ip netns exec "$PRI" nft -f - <<-EOF
	table inet dp_test {
		chain out {
			type filter hook output priority 0;
			udp dport 9001 drop
		}
	}
	EOF
	rx s1 "$PRI" 127.0.0.1:9001
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 20 --size 100 \
		--tag z --rate 250
	rx_wait 20 s1
	rx_stop
	chk s1 --mode raw --tag z --count 20 --size 100 --total 20
	assert_stat 20 "drop_xmit" sec_stat 162 $R:9001 drop_xmit
	assert_stat 0 "copies" sec_stat 162 $R:9001 copies
	assert_stat 20 "local copies" sec_stat 162 127.0.0.1:9001 copies
}

# A local copy its socket does not take is counted as lost, never as a
# copy: a full receive buffer (drop_rcvbuf), a socket filter refusing
# everything (drop_filter).  "copies" is exactly what the held socket
# hands over once it reads.
test_local_refused()
{
	local copies drops

	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode raw
	cmd_ok pri add 162 127.0.0.1:9002 mode raw
	cmd_ok pri add 162 127.0.0.1:9003 mode raw
	rx s1 "$PRI" 127.0.0.1:9001 --rcvbuf 2048 --hold
	rx s2 "$PRI" 127.0.0.1:9002 --drop-all
	rx s3 "$PRI" 127.0.0.1:9003
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 100 --size 500 \
		--tag r --rate 250
	rx_wait 100 s3
	copies=$(sec_stat 162 127.0.0.1:9001 copies)
	drops=$(sec_stat 162 127.0.0.1:9001 drop_rcvbuf)
	assert_eq 100 "$((copies + drops))" "copies + drop_rcvbuf"
	[ "$drops" -gt 0 ] || fail "a 2 KiB buffer took all 100 copies"
	rx_signal s1 USR1
	rx_wait "$copies" s1
	rx_stop
	assert_eq "$copies" "$(rx_count s1 r)" "datagrams the held socket had"
	assert_stat 100 "drop_filter" sec_stat 162 127.0.0.1:9002 drop_filter
	assert_stat 0 "copies refused by the filter" \
		sec_stat 162 127.0.0.1:9002 copies
	assert_eq 0 "$(rx_count s2 r)" "datagrams past the filter"
	assert_stat 100 "shared" port_stat 162 shared
}

# A local copy to an ESP-in-UDP encapsulation socket takes the output
# path, so that the socket's encap_rcv sees it as IP delivers it: it takes
# these payloads for ESP packets without a security association and drops
# them, as it would the same datagrams from anywhere.  A copy queued
# straight on the socket would have reached the application instead.
test_encap_sock()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode raw
	cmd_ok pri add 162 127.0.0.1:9002 mode raw
	"$PSTRAFFIC" recv -n "$PRI" --bind 127.0.0.1:9001 --out "$PS_TMP/s1" \
		--pidfile "$PS_TMP/s1.pid" --timeout 300000 --udp-encap ||
		skip "no UDP_ENCAP (CONFIG_XFRM)"
	read -r RX_PIDS <"$PS_TMP/s1.pid"
	echo "$RX_PIDS" >>"$PS_TMP/pids"
	rx s2 "$PRI" 127.0.0.1:9002
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 20 --size 100 \
		--tag e --rate 250
	rx_wait 20 s2
	fence "$PRI" s2
	rx_stop
	assert_stat 20 "copies" sec_stat 162 127.0.0.1:9001 copies
	assert_eq 0 "$(rx_count s1 e)" "datagrams past encap_rcv"
}

# The secondary's socket closes mid-stream: the copies from then on are
# counted as drop_nosocket, and a socket bound again gets the next ones.
test_sock_closed()
{
	local snd copies nosock

	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode raw
	cmd_ok pri add 162 127.0.0.1:9002 mode raw
	rx s1 "$PRI" 127.0.0.1:9001
	rx s2 "$PRI" 127.0.0.1:9002
	bg "$PSTRAFFIC" send -n "$SND" --to $P:162 --from $S:5162 --count 300 \
		--size 200 --tag c --rate 150
	snd=$BG_PID
	rx_wait 30 s1
	rx_end s1
	wait "$snd"
	rx_wait 300 s2
	copies=$(sec_stat 162 127.0.0.1:9001 copies)
	nosock=$(sec_stat 162 127.0.0.1:9001 drop_nosocket)
	assert_eq 300 "$((copies + nosock))" "copies + drop_nosocket"
	[ "$nosock" -gt 0 ] || fail "no copy counted after the socket closed"
	[ "$(rx_count s1 c)" -le "$copies" ] ||
		fail "s1 got more than the copies counted"
	rx s1 "$PRI" 127.0.0.1:9001
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 20 --size 200 \
		--tag d --rate 250
	rx_wait 20 s1 s2
	rx_stop
	chk s1 --mode raw --tag d --count 20 --size 200 --total 20
	assert_stat "$((copies + 20))" "copies" sec_stat 162 127.0.0.1:9001 copies
}

# packets IFNAME: copies to data port 9003 that $REM received on IFNAME.
packets()
{
	ip netns exec "$REM" nft list chain inet rt_test in |
		awk -v dev="\"$1\"" '$2 == dev {
			for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

# burst TAG TOTAL: 30 datagrams; returns once $R:9003 has TOTAL copies.
burst()
{
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 30 --size 100 \
		--tag "$1" --rate 250
	rx_wait "$2" s3
}

route_change_cleanup()
{
	ip -n "$PRI" link del v3 || true
	ip netns exec "$REM" nft delete table inet rt_test || true
}

# The route to a remote secondary changes mid-stream, and changes back:
# the copies follow it each time, from a route cached per CPU.
test_route_change()
{
	load_topology
	trap route_change_cleanup EXIT
	link_ns "$PRI" "$REM" v3
	ip -n "$PRI" addr add 10.99.3.1/24 dev v3
	ip -n "$REM" addr add 10.99.3.2/24 dev v3
	pin "$PRI" v3 10.99.3.2 "$REM"
	pin "$REM" v3 10.99.3.1 "$PRI"
	cmd_ok ip netns exec "$REM" nft -f - <<-EOF
	table inet rt_test {
		chain in {
			type filter hook input priority 0;
			iifname "v2" udp dport 9003 counter
			iifname "v3" udp dport 9003 counter
		}
	}
	EOF
	cmd_ok pri add 162 $R:9003 mode raw
	rx s3 "$REM" $R:9003
	burst a 30
	assert_eq "30 0" "$(packets v2) $(packets v3)" "copies via v2, v3"
	cmd_ok ip -n "$PRI" route add $R/32 via 10.99.3.2 dev v3
	burst b 60
	assert_eq "30 30" "$(packets v2) $(packets v3)" "copies via v2, v3"
	cmd_ok ip -n "$PRI" route del $R/32
	burst c 90
	rx_stop
	assert_eq "60 30" "$(packets v2) $(packets v3)" "copies via v2, v3"
	chk s3 --mode raw --tag c --count 30 --size 100 --total 90
	assert_stat 90 "copies" sec_stat 162 $R:9003 copies
}

nosrc_cleanup()
{
	ip -n "$PRI" addr del 10.99.2.9/24 dev v2 2>/dev/null || true
	pri acl del 10.99.2.0/24 || true
}

# A copy's registered source address is removed from the host: the copies
# stop, counted as drop_nosrc, rather than leave with a source the host no
# longer has.
test_nosrc()
{
	load_topology
	trap nosrc_cleanup EXIT
	cmd_ok ip -n "$PRI" addr add 10.99.2.9/24 dev v2
	pin "$REM" v2 10.99.2.9 "$PRI"
	cmd_ok pri port add 162
	cmd_ok pri acl add 10.99.2.0/24
	cmd_ok "$PSREQ" -n "$REM" --to 10.99.2.9:13162 --from $R \
		'ADD 10.99.2.2 162 9005 mode=raw'
	assert_grep -F "100 OK 10.99.2.9 13162" "$OUT" "reply"
	cmd_ok pri add 162 127.0.0.1:9006 mode raw
	rx s5 "$REM" $R:9005
	rx s6 "$PRI" 127.0.0.1:9006
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 20 --size 100 \
		--tag s --rate 250
	rx_wait 20 s5 s6
	cmd_ok ip -n "$PRI" addr del 10.99.2.9/24 dev v2
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 20 --size 100 \
		--tag t --rate 250
	rx_wait 40 s6
	rx_stop
	chk s5 --mode raw --tag s --count 20 --size 100 --src 10.99.2.9:13162 \
		--total 20
	assert_stat 20 "drop_nosrc" sec_stat 162 $R:9005 drop_nosrc
	assert_stat 20 "copies" sec_stat 162 $R:9005 copies
}

# An address that routes as a broadcast once an interface joins its
# subnet: its copies are counted as drop_dest, not broadcast.
test_dest()
{
	load_topology
	cmd_ok pri add 162 10.99.4.255:9000 mode raw
	cmd_ok pri add 162 127.0.0.1:9001 mode raw
	trap 'ip -n "$PRI" link del d0 || true' EXIT
	cmd_ok ip -n "$PRI" link add d0 type dummy
	cmd_ok ip -n "$PRI" link set d0 up
	cmd_ok ip -n "$PRI" addr add 10.99.4.1/24 dev d0
	rx s1 "$PRI" 127.0.0.1:9001
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 20 --size 100 \
		--tag b --rate 250
	rx_wait 20 s1
	rx_stop
	assert_stat 20 "drop_dest" sec_stat 162 10.99.4.255:9000 drop_dest
	assert_stat 0 "copies" sec_stat 162 10.99.4.255:9000 copies
	assert_stat 20 "copies to 9001" sec_stat 162 127.0.0.1:9001 copies
}

# copy_budget: each datagram's copies on a port carry at most that many
# bytes; the secondaries beyond it get none, counted as drop_budget.
test_budget()
{
	load_topology
	for p in 9001 9002 9003; do
		cmd_ok pri add 162 127.0.0.1:$p mode raw
	done
	rx s1 "$PRI" 127.0.0.1:9001
	rx s2 "$PRI" 127.0.0.1:9002
	rx s3 "$PRI" 127.0.0.1:9003
	trap 'echo $BUDGET >$PARAMS/copy_budget || true' EXIT
	echo 1000 >$PARAMS/copy_budget
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 20 --size 400 \
		--tag g --rate 250
	rx_wait 20 s1 s2
	rx_stop
	assert_stat 20 "copies to 9002" sec_stat 162 127.0.0.1:9002 copies
	assert_stat 20 "drop_budget" sec_stat 162 127.0.0.1:9003 drop_budget
	assert_stat 0 "copies to 9003" sec_stat 162 127.0.0.1:9003 copies
	assert_eq 0 "$(rx_count s3 g)" "datagrams at 9003"
}

# The INPUT chain drops the sender's datagrams: the application does not
# get them, and neither do the secondaries (the hook runs after the
# firewall, docs/protocol.md §3).  What the firewall lets through is shared.
test_input_drop()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode raw
	cmd_ok ip netns exec "$PRI" nft -f - <<-EOF
	table inet dp_test {
		chain in {
			type filter hook input priority 0;
			ip saddr $S udp dport 162 drop
		}
	}
	EOF
	rx app "$PRI" 0.0.0.0:162
	rx s1 "$PRI" 127.0.0.1:9001
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 20 --size 100 \
		--tag i --rate 250
	cmd_ok tx "$PRI" --to $P:162 --from $P:5163 --count 10 --size 100 \
		--tag j
	rx_wait 10 app s1
	fence "$PRI" s1
	rx_stop
	cmd_ok ip netns exec "$PRI" nft delete table inet dp_test
	chk app --tag j --count 10 --size 100 --total 10
	chk s1 --mode raw --tag j --count 10 --size 100 --total 10
	assert_stat 10 "port rx" port_stat 162 rx
}

# A datagram whose UDP length is beyond its end: not shared, counted as
# err_malformed (the stack drops it too).
test_malformed()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode raw
	rx s1 "$PRI" 127.0.0.1:9001
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 5 --size 100 \
		--tag x --bad-len
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 5 --size 100 \
		--tag y
	rx_wait 5 s1
	fence "$PRI" s1
	rx_stop
	chk s1 --mode raw --tag y --count 5 --size 100 --total 5
	assert_stat 5 "err_malformed" port_stat 162 err_malformed
	assert_stat 10 "rx" port_stat 162 rx
	assert_stat 5 "shared" port_stat 162 shared
}

# A GSO packet of a kind that cannot be split into datagrams (TCP over
# VXLAN: a UDP tunnel GSO packet to the VXLAN port, kept whole across the
# veth) is not shared, and is counted as err_gso; the tunnel's other
# datagrams are shared.
test_gso_tunnel()
{
	local gso rx shared got copies drops

	load_topology
	modprobe vxlan 2>/dev/null || skip "no vxlan module (CONFIG_VXLAN)"
	ip -n "$SND" link add vx0 type vxlan id 42 local $S remote $P \
		dstport 4789 dev v1
	ip -n "$PRI" link add vx0 type vxlan id 42 local $P remote $S \
		dstport 4789 dev v1
	ip -n "$SND" addr add 10.55.0.2/24 dev vx0
	ip -n "$PRI" addr add 10.55.0.1/24 dev vx0
	ip -n "$SND" link set vx0 up
	ip -n "$PRI" link set vx0 up
	# bound first: the tunnel carries IPv6 autoconfiguration from the
	# moment its links are up, and a copy with no socket is dropped
	rx s1 "$PRI" 127.0.0.1:9001
	cmd_ok pri add 4789 127.0.0.1:9001 mode raw
	bg ip netns exec "$PRI" socat -u TCP-LISTEN:5001,bind=10.55.0.1,reuseaddr \
		OPEN:"$PS_TMP/tcp",creat
	head -c 300000 /dev/zero | ip netns exec "$SND" socat -u STDIN \
		TCP:10.55.0.1:5001,retry=100,interval=0.1
	busywait 10000 eval '[ "$(stat -c %s "$PS_TMP/tcp")" = 300000 ]' ||
		fail "TCP over VXLAN did not carry 300000 bytes"
	# no more tunnel traffic; then the fence, the same way, is the last
	ip -n "$SND" link del vx0
	cmd_ok tx "$SND" --to $P:4789 --from $S:5789 --count 1 --size 100 \
		--tag fence
	fence_sent s1
	gso=$(port_stat 4789 err_gso)
	rx=$(port_stat 4789 rx)
	shared=$(port_stat 4789 shared)
	rx_stop
	ip -n "$PRI" link del vx0
	got=$(nlines "$PS_TMP/s1")
	copies=$(sec_stat 4789 127.0.0.1:9001 copies)
	drops=$(sec_drops 4789 127.0.0.1:9001)
	diag "rx $rx: shared $shared, err_gso $gso; copies $copies, dropped $drops; the secondary got $got"
	[ "$drops" = 0 ] || diag "$(psnl -n "$PRI" stats 4789)"
	[ "$gso" -gt 0 ] || fail "no GSO packet was refused (err_gso 0)"
	# with one secondary, a datagram is shared when its copy went out
	assert_eq "$shared" "$copies" "shared, as copies"
	assert_eq 0 "$drops" "copies dropped"
	assert_eq "$rx" $((gso + copies)) "rx, as err_gso + copies"
	# a local copy goes straight into the socket: every copy counted arrives
	assert_eq "$copies" "$got" "datagrams the secondary got, as copies"
}

# port_stat_is PORT NAME N: the port's counter NAME is N.
port_stat_is()
{
	[ "$(port_stat "$1" "$2")" = "$3" ]
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
	bg taskset -c 1 "$PSTRAFFIC" send -n "$SND" --to $P:162 --from $S:5162 \
		--count 1500 --size 100 --tag q --rate 3000
	a=$BG_PID
	bg taskset -c 0 "$PSTRAFFIC" send -n "$SND" --to $P:162 --from $S:5163 \
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

# The largest UDP datagram fits raw, but not with the encap header.
test_toobig()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9001 mode raw
	cmd_ok pri add 162 127.0.0.1:9002 mode encap
	rx app "$PRI" 0.0.0.0:162
	rx s1 "$PRI" 127.0.0.1:9001
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 3 --size 65507 \
		--tag w --rate 10
	rx_wait 3 app s1
	fence "$PRI" s1
	rx_stop
	chk app --tag w --count 3 --size 65507 --total 3
	chk s1 --mode raw --tag w --count 3 --size 65507 --total 3
	assert_stat 3 "drop_toobig" sec_stat 162 127.0.0.1:9002 drop_toobig
	assert_stat 3 "shared" port_stat 162 shared
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
ktap_plan 31
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
run_test "a secondary without a route is counted, the others served" test_noroute
run_test "a copy the firewall drops is counted as drop_xmit" test_xmit_drop
run_test "local copies a socket refuses: drop_rcvbuf, drop_filter" test_local_refused
run_test "a socket closed mid-stream: drop_nosocket, then copies again" test_sock_closed
run_test "a local copy to an encapsulation socket takes IP's way" test_encap_sock
run_test "a route change mid-stream: the copies follow the new route" test_route_change
run_test "a registered source address removed: drop_nosrc" test_nosrc
run_test "an address that routes as broadcast: drop_dest" test_dest
run_test "copy_budget bounds one datagram's copies: drop_budget" test_budget
run_test "behind an NFQUEUE verdict: every datagram shared once" test_nfqueue
run_test "a copy too big for IP is counted as drop_toobig" test_toobig
run_test "a datagram the INPUT chain drops is not shared" test_input_drop
run_test "a bad UDP length is not shared (err_malformed)" test_malformed
run_test "an unsplittable GSO packet is not shared (err_gso)" test_gso_tunnel
run_test "unloading the module under a flood is clean" test_unload_flood
