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

S=10.99.1.2
P=10.99.1.1
P2=10.99.2.1
R=10.99.2.2
S6=fd99:1::2
P6=fd99:1::1
P26=fd99:2::1
R6=fd99:2::2

suite_cleanup()
{
	restore_backlog
}

test_setup()
{
	require_datapath
	setup_topology
}

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

ktap_plan 8
require_portshare
run_test "setup: sender, primary and remote namespaces" test_setup
run_test "IPv6 contested port: application and secondaries in every mode" test_ipv6
run_test "IPv4 datagrams reach IPv6 secondaries (transparent: v4-mapped)" test_v4_to_v6
run_test "IPv6 datagrams reach IPv4 secondaries (transparent: drop_family)" test_v6_to_v4
run_test "8000-byte IPv6 fragmented datagrams arrive whole" test_fragments6
run_test "IPv6 UDP_SEGMENT sends are split into their datagrams" test_gso6
run_test "an IPv6 bad UDP checksum is not shared" test_bad_csum6
run_test "an IPv6 secondary without a route is counted" test_noroute6
