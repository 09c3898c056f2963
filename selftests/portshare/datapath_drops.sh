#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# datapath_drops.sh: IPv4 copies that cannot be delivered, and what counts
# them: no route, a firewall, a socket that refuses or closes, an
# encapsulation socket, a route change and a source address gone
# mid-stream, copy_budget, copies too big, and datagrams the INPUT chain
# drops or that are malformed.
#
# Topology and helpers: datapath_lib.sh (see datapath.sh's header):
#
#	$SND 10.99.1.2 --v1-- 10.99.1.1 $PRI 10.99.2.1 --v2-- 10.99.2.2 $REM

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_lib.sh"

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
# UDP answers each with a port unreachable, an error of the secondary's:
# "dead off", else it would be dead after three (dead.sh).
test_encap_sock()
{
	load_topology
	cmd_ok pri port add 162 dead off
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
	[ "$(sec_stat 162 127.0.0.1:9001 icmp_errors)" -gt 0 ] ||
		fail "no icmp_errors: UDP's port unreachables over loopback"
}

# The secondary's socket closes mid-stream: the copies from then on are
# counted as drop_nosocket, and a socket bound again gets the next ones.
# Without "dead off" the secondary would be dead after three (dead.sh).
test_sock_closed()
{
	local snd copies nosock

	load_topology
	cmd_ok pri port add 162 dead off
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
	assert_grep -F "${PS_REPLY[OK]} 10.99.2.9 13162" "$OUT" "reply"
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

ktap_plan 14
require_portshare
run_test "setup: sender, primary and remote namespaces" test_setup
run_test "a secondary without a route is counted, the others served" test_noroute
run_test "a copy the firewall drops is counted as drop_xmit" test_xmit_drop
run_test "local copies a socket refuses: drop_rcvbuf, drop_filter" test_local_refused
run_test "a socket closed mid-stream: drop_nosocket, then copies again" test_sock_closed
run_test "a local copy to an encapsulation socket takes IP's way" test_encap_sock
run_test "a route change mid-stream: the copies follow the new route" test_route_change
run_test "a registered source address removed: drop_nosrc" test_nosrc
run_test "an address that routes as broadcast: drop_dest" test_dest
run_test "copy_budget bounds one datagram's copies: drop_budget" test_budget
run_test "a copy too big for IP is counted as drop_toobig" test_toobig
run_test "a datagram the INPUT chain drops is not shared" test_input_drop
run_test "a bad UDP length is not shared (err_malformed)" test_malformed
run_test "an unsplittable GSO packet is not shared (err_gso)" test_gso_tunnel
ktap_finished
