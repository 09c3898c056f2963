#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# datapath6.sh: sharing IPv6 datagrams, and copies across address families
# (the seed's "second network protocol", claim 9).
#
# Topology (datapath_lib.sh), IPv6 next to the IPv4 of datapath.sh:
#
#	$SND fd99:1::2 --v1-- fd99:1::1 $PRI fd99:2::1 --v2-- fd99:2::2 $REM
#	     10.99.1.2        10.99.1.1      10.99.2.1        10.99.2.2
#
# Transparent copies across families: an IPv4 sender appears to an IPv6
# secondary as its v4-mapped address; an IPv6 sender cannot appear on an
# IPv4 copy, which is counted as drop_family instead.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_lib.sh"

# An IPv6 contested port: the application and IPv6 secondaries, local and
# remote, in every mode.
test_ipv6()
{
	load_topology
	cmd_ok pri add 162 [::1]:9001 mode encap
	cmd_ok pri add 162 [$R6]:9003 mode raw
	cmd_ok pri add 162 [$R6]:9004 mode transparent
	cmd_ok pri add 162 [$R6]:9005 mode encap
	rx app "$PRI" "[::]:162"
	rx s1 "$PRI" [::1]:9001
	rx s3 "$REM" [$R6]:9003
	rx s4 "$REM" [$R6]:9004
	rx s5 "$REM" [$R6]:9005
	cmd_ok tx "$SND" --to [$P6]:162 --from [$S6]:5162 --count 500 \
		--size 300 --tag v --rate 250
	rx_wait 500 app s1 s3 s4 s5
	fence "$PRI" s1 s3 s4 s5
	rx_stop
	chk app --tag v --count 500 --size 300 --src [$S6]:5162 --total 500
	chk s1 --mode encap --tag v --count 500 --size 300 --total 500 \
		--first-seq 0 --origin [$S6]:5162 --contested 162 \
		--secondary ::1 --src [::1]:13162
	chk s3 --mode raw --tag v --count 500 --size 300 --total 500 \
		--src [$P26]:13162
	chk s4 --mode transparent --tag v --count 500 --size 300 --total 500 \
		--src [$S6]:5162
	chk s5 --mode encap --tag v --count 500 --size 300 --total 500 \
		--first-seq 0 --origin [$S6]:5162 --secondary $R6 \
		--src [$P26]:13162
	assert_stat 500 "port rx" port_stat 162 rx
	assert_stat 500 "port shared" port_stat 162 shared
}

# IPv4 datagrams to IPv6 secondaries.
test_v4_to_v6()
{
	load_topology
	cmd_ok pri add 162 [::1]:9011 mode encap
	cmd_ok pri add 162 [$R6]:9012 mode raw
	cmd_ok pri add 162 [::1]:9013 mode transparent
	rx s1 "$PRI" [::1]:9011
	rx s2 "$REM" [$R6]:9012
	rx s3 "$PRI" [::1]:9013
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 100 --size 200 \
		--tag a --rate 250
	rx_wait 100 s1 s2 s3
	fence "$PRI" s1 s2 s3
	rx_stop
	chk s1 --mode encap --tag a --count 100 --size 200 --total 100 \
		--first-seq 0 --origin $S:5162 --secondary ::1 --src [::1]:13162
	chk s2 --mode raw --tag a --count 100 --size 200 --total 100 \
		--src [$P26]:13162
	chk s3 --mode transparent --tag a --count 100 --size 200 --total 100 \
		--src [::ffff:$S]:5162
}

# IPv6 datagrams to IPv4 secondaries; transparent cannot be done.
test_v6_to_v4()
{
	load_topology
	cmd_ok pri add 162 127.0.0.1:9021 mode encap
	cmd_ok pri add 162 $R:9022 mode raw
	cmd_ok pri add 162 $R:9023 mode transparent
	rx s1 "$PRI" 127.0.0.1:9021
	rx s2 "$REM" $R:9022
	rx s3 "$REM" $R:9023
	cmd_ok tx "$SND" --to [$P6]:162 --from [$S6]:5162 --count 100 \
		--size 200 --tag b --rate 250
	rx_wait 100 s1 s2
	fence "$PRI" s1 s2 s3
	rx_stop
	chk s1 --mode encap --tag b --count 100 --size 200 --total 100 \
		--first-seq 0 --origin [$S6]:5162 --secondary 127.0.0.1 \
		--src 127.0.0.1:13162
	chk s2 --mode raw --tag b --count 100 --size 200 --total 100 \
		--src $P2:13162
	chk s3 --count 0 --total 0
	assert_stat 100 "drop_family" sec_stat 162 $R:9023 drop_family
	assert_stat 0 "copies" sec_stat 162 $R:9023 copies
	assert_stat 100 "shared" port_stat 162 shared
}

# 8000 bytes over a 1500-byte link: IPv6 fragments are reassembled before
# sharing (nf_defrag_ipv6), copies fragmented again where needed.
test_fragments6()
{
	load_topology
	cmd_ok pri add 162 [::1]:9001 mode encap
	cmd_ok pri add 162 [$R6]:9003 mode raw
	cmd_ok pri add 162 $R:9004 mode raw
	rx app "$PRI" "[::]:162"
	rx s1 "$PRI" [::1]:9001
	rx s3 "$REM" [$R6]:9003
	rx s4 "$REM" $R:9004
	cmd_ok tx "$SND" --to [$P6]:162 --from [$S6]:5162 --count 30 \
		--size 8000 --tag f --rate 30
	rx_wait 30 app s1 s3 s4
	fence "$PRI" s1 s3 s4
	rx_stop
	chk app --tag f --count 30 --size 8000 --total 30
	chk s1 --mode encap --tag f --count 30 --size 8000 --total 30 \
		--first-seq 0 --origin [$S6]:5162
	chk s3 --mode raw --tag f --count 30 --size 8000 --total 30
	chk s4 --mode raw --tag f --count 30 --size 8000 --total 30
	assert_stat 30 "port rx" port_stat 162 rx
	assert_stat 0 "err_malformed" port_stat 162 err_malformed
}

# UDP_SEGMENT over IPv6, from $SND (veth) and from $PRI itself (lo).
test_gso6()
{
	load_topology
	cmd_ok pri add 162 [::1]:9001 mode encap
	cmd_ok pri add 162 $R:9003 mode raw
	rx app "$PRI" "[::]:162"
	rx s1 "$PRI" [::1]:9001
	rx s3 "$REM" $R:9003
	cmd_ok tx "$SND" --to [$P6]:162 --from [$S6]:5162 --count 10 \
		--size 4000 --gso 400 --tag g --rate 20
	cmd_ok tx "$PRI" --to [$P6]:162 --from [$P6]:5163 --count 10 \
		--size 4000 --gso 400 --tag l --rate 20
	rx_wait 200 app s1 s3
	fence "$PRI" s1 s3
	rx_stop
	chk app --tag g --count 100 --size 400 --total 200
	chk app --tag l --count 100 --size 400
	chk s1 --mode encap --tag g --count 100 --size 400 --total 200 \
		--origin [$S6]:5162
	chk s1 --mode encap --tag l --count 100 --size 400 --origin [$P6]:5163
	chk s3 --mode raw --tag g --count 100 --size 400 --total 200
	chk s3 --mode raw --tag l --count 100 --size 400
	assert_stat 200 "port rx" port_stat 162 rx
}

test_bad_csum6()
{
	load_topology
	cmd_ok pri add 162 [::1]:9001 mode raw
	rx app "$PRI" "[::]:162"
	rx s1 "$PRI" [::1]:9001
	cmd_ok tx "$SND" --to [$P6]:162 --from [$S6]:5162 --count 10 \
		--size 100 --tag x --bad-csum
	cmd_ok tx "$SND" --to [$P6]:162 --from [$S6]:5162 --count 10 \
		--size 100 --tag y
	rx_wait 10 s1
	fence "$PRI" s1
	rx_stop
	chk app --tag y --count 10 --size 100 --total 10
	chk s1 --mode raw --tag y --count 10 --size 100 --total 10
	assert_stat 10 "err_csum" port_stat 162 err_csum
	assert_stat 20 "rx" port_stat 162 rx
}

# An IPv6 secondary without a route is counted; the others are served.
test_noroute6()
{
	load_topology
	cmd_ok pri add 162 [fd98::1]:9001 mode raw
	cmd_ok pri add 162 [::1]:9002 mode raw
	rx s2 "$PRI" [::1]:9002
	cmd_ok tx "$SND" --to [$P6]:162 --from [$S6]:5162 --count 20 \
		--size 100 --tag n --rate 250
	rx_wait 20 s2
	fence "$PRI" s2
	rx_stop
	chk s2 --mode raw --tag n --count 20 --size 100 --total 20
	assert_stat 20 "drop_noroute" sec_stat 162 [fd98::1]:9001 drop_noroute
}

# Local IPv6 copies go straight into their socket: a full receive buffer
# counts drop_rcvbuf, a data port without a socket drop_nosocket, and the
# copies counted are the datagrams the socket hands over ("dead off": else
# the one without a socket would be dead after three, dead.sh).
test_local6()
{
	local copies drops

	load_topology
	cmd_ok pri port add 162 dead off
	cmd_ok pri add 162 [::1]:9001 mode raw
	cmd_ok pri add 162 [::1]:9002 mode raw
	cmd_ok pri add 162 [$P26]:9003 mode encap
	rx s1 "$PRI" [::1]:9001 --rcvbuf 2048 --hold
	rx s3 "$PRI" [$P26]:9003
	cmd_ok tx "$SND" --to [$P6]:162 --from [$S6]:5162 --count 50 \
		--size 500 --tag l --rate 250
	rx_wait 50 s3
	copies=$(sec_stat 162 [::1]:9001 copies)
	drops=$(sec_stat 162 [::1]:9001 drop_rcvbuf)
	assert_eq 50 "$((copies + drops))" "copies + drop_rcvbuf"
	[ "$drops" -gt 0 ] || fail "a 2 KiB buffer took all 50 copies"
	rx_signal s1 USR1
	rx_wait "$copies" s1
	rx_stop
	assert_eq "$copies" "$(rx_count s1 l)" "datagrams the held socket had"
	assert_stat 50 "drop_nosocket" sec_stat 162 [::1]:9002 drop_nosocket
	chk s3 --mode encap --tag l --count 50 --size 500 --total 50 \
		--first-seq 0 --origin [$S6]:5162 --secondary $P26 \
		--src [$P26]:13162
}

nosrc6_cleanup()
{
	ip -n "$PRI" addr del fd99:2::9/64 dev v2 2>/dev/null || true
	pri acl del fd99:2::/64 || true
}

# The IPv6 primary address a secondary registered with is removed: its
# copies stop, counted as drop_nosrc.
test_nosrc6()
{
	load_topology
	trap nosrc6_cleanup EXIT
	cmd_ok ip -n "$PRI" addr add fd99:2::9/64 dev v2 nodad
	pin "$REM" v2 fd99:2::9 "$PRI"
	cmd_ok pri port add 162
	cmd_ok pri acl add fd99:2::/64
	cmd_ok "$PSREQ" -n "$REM" --to [fd99:2::9]:13162 --from [$R6] \
		"ADD $R6 162 9005 mode=raw"
	assert_grep -F "${PS_REPLY[OK]} fd99:2::9 13162" "$OUT" "reply"
	cmd_ok pri add 162 [::1]:9006 mode raw
	rx s5 "$REM" [$R6]:9005
	rx s6 "$PRI" [::1]:9006
	cmd_ok tx "$SND" --to [$P6]:162 --from [$S6]:5162 --count 20 \
		--size 100 --tag s --rate 250
	rx_wait 20 s5 s6
	cmd_ok ip -n "$PRI" addr del fd99:2::9/64 dev v2
	cmd_ok tx "$SND" --to [$P6]:162 --from [$S6]:5162 --count 20 \
		--size 100 --tag t --rate 250
	rx_wait 40 s6
	rx_stop
	chk s5 --mode raw --tag s --count 20 --size 100 --src [fd99:2::9]:13162 \
		--total 20
	assert_stat 20 "drop_nosrc" sec_stat 162 [$R6]:9005 drop_nosrc
	assert_stat 20 "copies" sec_stat 162 [$R6]:9005 copies
}

ktap_plan 10
require_portshare
run_test "setup: sender, primary and remote namespaces" test_setup
run_test "IPv6 contested port: application and secondaries in every mode" test_ipv6
run_test "IPv4 datagrams reach IPv6 secondaries (transparent: v4-mapped)" test_v4_to_v6
run_test "IPv6 datagrams reach IPv4 secondaries (transparent: drop_family)" test_v6_to_v4
run_test "8000-byte IPv6 fragmented datagrams arrive whole" test_fragments6
run_test "IPv6 UDP_SEGMENT sends are split into their datagrams" test_gso6
run_test "an IPv6 bad UDP checksum is not shared" test_bad_csum6
run_test "an IPv6 secondary without a route is counted" test_noroute6
run_test "local IPv6 copies: into the socket, drop_rcvbuf, drop_nosocket" test_local6
run_test "a registered IPv6 source address removed: drop_nosrc" test_nosrc6
