#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# register.sh: the in-kernel registration port (DESIGN §3 wire protocol,
# §7 security defaults; seed Tables 2-3; docs/protocol.md): the reply to
# every request over IPv4 and IPv6, hostile input, copies to secondaries
# registered over the wire, the acl, the list's cap and the rate limit.
# register_life.sh has the rest (register_lib.sh what both share).
#
# Topology (datapath_lib.sh): a sender $SND, the primary host $PRI and a
# remote secondary host $REM, joined by veth:
#
#	$SND 10.99.1.2 --v1-- 10.99.1.1 $PRI 10.99.2.1 --v2-- 10.99.2.2 $REM
#
# psreq (psreq.c) sends requests and prints each reply's exact bytes
# (escaped) or "-" for none; with --probe it proves silence without
# waiting, because the primary answers in order.  Requests the acl or the
# rate limit drop never reach that queue: their counter proves their
# silence (silent, below).  Every request that may change the
# distribution list is followed by a check of the list.
#
# The per-source rate limit is off (reg_rate=0) except in its own test,
# so that the many requests of one source are all answered.

. "$(dirname "$0")/register_lib.sh"

# Table 2 and the new codes, over IPv4 from 127.0.0.1:7000.
test_matrix4()
{
	local to=127.0.0.1:13162 me=127.0.0.1:7000

	load_topology
	req "$PRI" --to $to --from $me --src 'ADD 127.0.0.1 162'
	assert_text "$OUT" "127.0.0.1:13162 ${PS_REPLY[OK]} 127.0.0.1 13162" "ADD new"
	assert_list 162 "add 162 127.0.0.1:7000 mode encap"

	req "$PRI" --to $to --from $me 'ADD 127.0.0.1 162'
	assert_replies "$OUT" "ADD duplicate" ALREADY_ADDED
	assert_list 162 "add 162 127.0.0.1:7000 mode encap"

	# data port, option, trailing CR LF and NUL, tab separators
	req "$PRI" --to $to --from $me 'ADD 127.0.0.1 162 7001 mode=raw\r\n' \
		'ADD\t127.0.0.1\t162\t7002\tmode=transparent\0'
	assert_replies "$OUT" "ADD with data port and mode" \
		"OK 127.0.0.1 13162" "OK 127.0.0.1 13162"
	assert_list 162 "add 162 127.0.0.1:7000 mode encap
add 162 127.0.0.1:7001 mode raw
add 162 127.0.0.1:7002 mode transparent"

	req "$PRI" --to $to --from $me 'DROP 127.0.0.1 162 7001' \
		'DROP 127.0.0.1 162 7002'
	assert_replies "$OUT" "DROP present" OK*2
	assert_list 162 "add 162 127.0.0.1:7000 mode encap"

	req "$PRI" --to $to --from $me 'DROP 127.0.0.1 162 7001'
	assert_replies "$OUT" "DROP absent" NOT_IN_LIST

	# host names are not resolved (docs/protocol.md)
	matrix_section invalid-address 162
	req "$PRI" --to $to --from $me "${MATRIX_REQ[@]}"
	assert_replies "$OUT" "invalid address" "${MATRIX_REPLY[@]}"

	matrix_section port-missing 162
	req "$PRI" --to $to --from $me "${MATRIX_REQ[@]}"
	assert_replies "$OUT" "missing port" "${MATRIX_REPLY[@]}"

	req "$PRI" --to $to --from $me 'ADD 127.0.0.1 163' 'ADD 127.0.0.1 427' \
		'DROP 127.0.0.1 163'
	assert_replies "$OUT" "unknown contested port" UNKNOWN_PORT*3

	# the own-address rule: not the request's source
	req "$PRI" --to $to --from $me 'ADD 10.99.1.1 162' 'ADD 10.99.2.2 162' \
		'DROP 127.0.0.1 162 7000' 'ADD ::1 162'
	assert_replies "$OUT" "not permitted" NOT_PERMITTED*2 OK NOT_PERMITTED
	assert_list 162 ""

	matrix_section unknown-command-or-option 162
	req "$PRI" --to $to --from $me "${MATRIX_REQ[@]}"
	assert_replies "$OUT" "unknown command or option" "${MATRIX_REPLY[@]}"

	# copies to a contested port would loop
	cmd_ok pri port add 427
	req "$PRI" --to $to --from $me 'ADD 127.0.0.1 162 427' \
		'ADD 127.0.0.1 162 162'
	assert_replies "$OUT" "data port contested" LOOP*2
	cmd_ok pri port del 427
	assert_list 162 ""

	# the primary address is the address the request went to
	req "$PRI" --to $P:13162 --from $P:7006 --src "ADD $P 162"
	assert_text "$OUT" "$P:13162 ${PS_REPLY[OK]} $P 13162" "ADD to $P"
	assert_list 162 "add 162 $P:7006 mode encap"
	req "$PRI" --to $P:13162 --from $P:7006 "DROP $P 162 7006"
	assert_replies "$OUT" "DROP from $P" OK
	assert_list 162 ""
}

test_matrix6()
{
	local to='[::1]:13162' me='[::1]:7000'

	load_topology
	req "$PRI" --to $to --from $me --src 'ADD ::1 162'
	assert_text "$OUT" "[::1]:13162 ${PS_REPLY[OK]} ::1 13162" "ADD ::1"
	assert_list 162 "add 162 [::1]:7000 mode encap"
	req "$PRI" --to $to --from $me 'ADD 0:0:0:0:0:0:0:1 162' \
		'ADD 0::1 162 7001 mode=raw' 'ADD 127.0.0.1 162' 'ADD ::ffff:127.0.0.1 162' \
		'ADD fe80::1 162' 'ADD ff02::1 162' 'ADD :: 162' 'ADD ::1::2 162' \
		'ADD [::1] 162'
	assert_replies "$OUT" "IPv6 literals" ALREADY_ADDED "OK ::1 13162" \
		NOT_PERMITTED INVALID_ADDRESS*6
	assert_list 162 "add 162 [::1]:7000 mode encap
add 162 [::1]:7001 mode raw"
	req "$PRI" --to '[fd99:1::1]:13162' --from '[fd99:1::1]:7002' --src \
		'ADD fd99:1:0::1 162'
	assert_text "$OUT" "[fd99:1::1]:13162 ${PS_REPLY[OK]} fd99:1::1 13162" \
		"ADD fd99:1::1"
	req "$PRI" --to $to --from $me 'DROP ::1 162' 'DROP ::1 162 7001' \
		'DROP ::1 162'
	assert_replies "$OUT" "DROP ::1" OK*2 NOT_IN_LIST
	assert_list 162 "add 162 [fd99:1::1]:7002 mode encap"
	cmd_ok pri drop 162 [fd99:1::1]:7002
}

# Hostile datagrams get an error or, where documented, silence, and
# change nothing.
test_hostile()
{
	local before after long

	reset_all
	cmd_ok pri port add 162
	cmd_ok pri add 162 127.0.0.1:7000
	before=$(list_of 162)
	matrix_section hostile 162
	req "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1:7010 --probe $PROBE \
		"${MATRIX_REQ[@]}"
	assert_replies "$OUT" "replies to hostile input" "${MATRIX_REPLY[@]}"
	after=$(list_of 162)
	assert_eq "$before" "$after" "the list after hostile input"
	# the silent ones are counted as ignored
	assert_eq 7 "$(reg_stat 162 ignored)" "reg_ignored"
	assert_eq 0 "$(reg_stat 162 ok)" "reg_ok"
	# IPv6 gets the same treatment
	printf -v long '%0300d' 0
	long=${long//0/a}
	req "$PRI" --to '[::1]:13162' --from '[::1]:7010' --probe $PROBE \
		'' '@65527' 'ADD\x00::1 162' 'add ::1 162' 'ADD  ::1 162' \
		'ADD ::1 65536' "ADD $long 162"
	assert_replies "$OUT" "IPv6 replies to hostile input" - MALFORMED*2 \
		UNKNOWN_COMMAND MALFORMED INVALID_PORT INVALID_ADDRESS
	after=$(list_of 162)
	assert_eq "$before" "$after" "the list after hostile IPv6 input"
	assert_reg_sum 162
}

# A secondary registered over the wire gets copies from
# <primary-address>:<registration-port>; a legacy one (no data port) on
# the socket it registered from.
test_copies()
{
	reset_all
	cmd_ok pri port add 162
	cmd_ok psnl -n "$PRI" acl add 10.99.2.0/24
	cmd_ok psnl -n "$PRI" acl add fd99:2::/64
	req "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1:7020 \
		'ADD 127.0.0.1 162 7021 mode=raw'
	assert_replies "$OUT" "local ADD" "OK 127.0.0.1 13162"
	req "$REM" --to $P2:13162 --from $R:7022 'ADD 10.99.2.2 162 7023' \
		'ADD 10.99.2.2 162'
	assert_replies "$OUT" "remote ADD" "OK $P2 13162" "OK $P2 13162"
	req "$REM" --to '[fd99:2::1]:13162' --from '[fd99:2::2]:7024' \
		'ADD fd99:2::2 162 7025 mode=raw'
	assert_replies "$OUT" "remote IPv6 ADD" "OK fd99:2::1 13162"
	# a local tool with a third-party grant registers a remote host: the
	# copies come from the address routing picks, which "100 OK" names
	cmd_ok psnl -n "$PRI" acl add 127.0.0.0/8 third-party
	cmd_ok psnl -n "$PRI" acl add ::1/128 third-party
	req "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1:7020 \
		'ADD 10.99.2.2 162 7026 mode=raw'
	assert_replies "$OUT" "third-party ADD over 127.0.0.1" "OK $P2 13162"
	req "$PRI" --to '[::1]:13162' --from '[::1]:7020' \
		'ADD fd99:2::2 162 7027 mode=raw'
	assert_replies "$OUT" "third-party ADD over ::1" "OK fd99:2::1 13162"
	cmd_ok psnl -n "$PRI" acl del 127.0.0.0/8
	cmd_ok psnl -n "$PRI" acl del ::1/128
	assert_list 162 "add 162 127.0.0.1:7021 mode raw
add 162 $R:7023 mode encap
add 162 $R:7022 mode encap
add 162 [fd99:2::2]:7025 mode raw
add 162 $R:7026 mode raw
add 162 [fd99:2::2]:7027 mode raw"
	rx app "$PRI" 0.0.0.0:162
	rx s1 "$PRI" 127.0.0.1:7021
	rx s2 "$REM" $R:7023
	rx s3 "$REM" $R:7022
	rx s4 "$REM" '[fd99:2::2]:7025'
	rx s5 "$REM" $R:7026
	rx s6 "$REM" '[fd99:2::2]:7027'
	cmd_ok tx "$SND" --to $P:162 --from $S:5162 --count 50 --size 200 \
		--tag w --rate 200
	rx_wait 50 app s1 s2 s3 s4 s5 s6
	fence "$PRI" s1 s2 s3 s4 s5 s6
	rx_stop
	chk app --tag w --count 50 --size 200 --total 50
	chk s1 --mode raw --tag w --count 50 --size 200 --total 50 \
		--src 127.0.0.1:13162
	chk s2 --mode encap --tag w --count 50 --size 200 --total 50 \
		--src $P2:13162 --origin $S:5162 --contested 162 --secondary $R \
		--first-seq 0
	chk s3 --mode encap --tag w --count 50 --size 200 --total 50 \
		--src $P2:13162
	chk s4 --mode raw --tag w --count 50 --size 200 --total 50 \
		--src '[fd99:2::1]:13162'
	chk s5 --mode raw --tag w --count 50 --size 200 --total 50 \
		--src $P2:13162
	chk s6 --mode raw --tag w --count 50 --size 200 --total 50 \
		--src '[fd99:2::1]:13162'
}

# Requests from outside are ignored until the acl allows their network;
# the third-party flag lets them register other addresses.
test_acl()
{
	reset_all
	cmd_ok pri port add 162
	silent 162 denied "$REM" --to $P2:13162 --from $R:7030 \
		'ADD 10.99.2.2 162 7031' 'DROP 10.99.2.2 162 7031'
	silent 162 denied "$SND" --to $P:13162 --from $S:7030 'ADD 10.99.1.2 162'
	silent 162 denied "$REM" --to '[fd99:2::1]:13162' \
		--from '[fd99:2::2]:7030' 'ADD fd99:2::2 162 7031'
	assert_list 162 ""
	assert_eq 4 "$(reg_stat 162 denied)" "reg_denied"

	cmd_ok psnl -n "$PRI" acl add 10.99.2.0/24
	cmd_ok psnl -n "$PRI" acl add fd99:2::/64
	cmd_ok psnl -n "$PRI" acl list
	assert_grep -F "acl add 10.99.2.0/24" "$OUT" "acl list"
	assert_grep -F "acl add fd99:2::/64" "$OUT" "acl list"
	req "$REM" --to $P2:13162 --from $R:7030 'ADD 10.99.2.2 162 7031' \
		'ADD 10.99.2.3 162 7031' 'DROP 10.99.2.3 162 7031' \
		'ADD 10.99.1.2 162 7031'
	assert_replies "$OUT" "acl without third-party" "OK $P2 13162" \
		NOT_PERMITTED*3
	req "$REM" --to '[fd99:2::1]:13162' --from '[fd99:2::2]:7030' \
		'ADD fd99:2::2 162 7031' 'ADD fd99:2::3 162 7031'
	assert_replies "$OUT" "IPv6 acl without third-party" \
		"OK fd99:2::1 13162" NOT_PERMITTED
	assert_eq 4 "$(reg_stat 162 not_permitted)" "reg_not_permitted"
	silent 162 denied "$SND" --to $P:13162 --from $S:7030 'ADD 10.99.1.2 162'
	assert_list 162 "add 162 $R:7031 mode encap
add 162 [fd99:2::2]:7031 mode encap"

	cmd_ok psnl -n "$PRI" acl del 10.99.2.0/24
	cmd_ok psnl -n "$PRI" acl add 10.99.2.0/24 third-party
	cmd_ok psnl -n "$PRI" acl list
	assert_grep -F "acl add 10.99.2.0/24 third-party" "$OUT" "acl list"
	req "$REM" --to $P2:13162 --from $R:7030 'ADD 10.99.2.3 162 7032' \
		'ADD 10.99.1.2 162 7033 mode=raw' 'DROP 10.99.2.3 162 7032' \
		'ADD fd99:2::2 162 7034' 'ADD 10.98.0.1 162 7035'
	# a third party's primary address is routing's source towards it;
	# without a route there is none: 300
	assert_replies "$OUT" "acl with third-party" "OK $P2 13162" \
		"OK $P 13162" OK INVALID_ADDRESS*2
	assert_list 162 "add 162 $R:7031 mode encap
add 162 [fd99:2::2]:7031 mode encap
add 162 10.99.1.2:7033 mode raw"
	cmd_ok psnl -n "$PRI" acl del fd99:2::/64
	cmd_ok psnl -n "$PRI" acl add fd99:2::/64 third-party
	req "$REM" --to '[fd99:2::1]:13162' --from '[fd99:2::2]:7030' \
		'ADD fd98::1 162 7036'
	assert_replies "$OUT" "IPv6 third party without a route" INVALID_ADDRESS

	# an acl entry never takes away what the own-address rule gives
	cmd_ok psnl -n "$PRI" acl del 10.99.2.0/24
	cmd_ok psnl -n "$PRI" acl del fd99:2::/64
	silent 162 denied "$REM" --to $P2:13162 --from $R:7030 'DROP 10.99.2.2 162 7031'
	# 2 + 1 + 1 + 4 + 2 + 1 + 5 + 1 + 1: every datagram, whatever became of it
	assert_eq 18 "$(reg_stat 162 requests)" "reg_requests counts everything"
	cmd_ok psnl -n "$PRI" stats 162
	assert_grep "reg_denied 6 " "$OUT" "psnl stats"
	assert_reg_sum 162
}

# The cap on a port's list, over the wire and counted.
test_cap()
{
	reset_all
	cmd_ok pri port add 427 max 2
	req "$PRI" --to 127.0.0.1:13427 --from 127.0.0.1:7040 \
		'ADD 127.0.0.1 427 7041' 'ADD 127.0.0.1 427 7042' \
		'ADD 127.0.0.1 427 7043' 'ADD 127.0.0.1 427 7041' \
		'DROP 127.0.0.1 427 7041' 'ADD 127.0.0.1 427 7043'
	assert_replies "$OUT" "cap of 2" "OK 127.0.0.1 13427" \
		"OK 127.0.0.1 13427" LIST_FULL ALREADY_ADDED OK \
		"OK 127.0.0.1 13427"
	assert_list 427 "add 427 127.0.0.1:7042 mode encap
add 427 127.0.0.1:7043 mode encap"
	assert_eq 1 "$(reg_stat 427 list_full)" "reg_list_full"
	assert_eq 4 "$(reg_stat 427 ok)" "reg_ok"
	assert_eq 2 "$(reg_stat 427 errors)" "reg_errors"
	assert_reg_sum 427
}

# gcra_max SPAN_US: the most requests a source with a fresh budget may
# have answered when every answered one was decided within SPAN_US of
# the first: reg_burst at once, one more per 1/reg_rate s (ratelimit.c,
# a GCRA).  Here reg_burst is 20 and reg_rate 5.
gcra_max()
{
	echo $((20 + $1 * 5 / 1000000))
}

# A source gets reg_burst requests at once, then reg_rate per second;
# other sources are not affected, but an IPv6 /64 is one source.
test_ratelimit()
{
	local n n1 n2 n3 span max sent=0 answered=0

	reset_all
	cmd_ok pri port add 162
	echo 20 >$PARAMS/reg_burst
	echo 5 >$PARAMS/reg_rate
	# psreq counts replies until 1 s passed without one: the limited
	# requests are known by their counter, checked below
	req "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1 --repeat 60 \
		'DROP 127.0.0.1 162 9'
	read -r _ n _ span <"$OUT"
	max=$(gcra_max "$span")
	[ "$n" -ge 20 ] && [ "$n" -le "$max" ] ||
		fail "$n of 60 requests answered in $span us: GCRA allows 20 to $max"
	sent=60 answered=$n
	# Other sources have their own budgets; all of loopback is one source
	# (harden.sh), so they are the primary's own addresses. Sources share
	# a budget when their hashes collide (1 in 256 slots, random seed per
	# namespace), so ask from three and want two answers: a shared budget
	# answers none.
	ip -n "$PRI" addr add 10.99.1.5/24 dev v1
	req "$PRI" --to $P:13162 --from $P --from $P2 --from 10.99.1.5 \
		--repeat 1 'DROP 127.0.0.2 162 9'
	read -r _ n1 n2 n3 _ <"$OUT"
	[ $((n1 + n2 + n3)) -ge 2 ] || fail "only $((n1 + n2 + n3)) of 3 other sources were answered"
	sent=$((sent + 3)) answered=$((answered + n1 + n2 + n3))
	# psreq waited 1 s after its last reply: more than the 1/reg_rate s
	# after which the limited source has a request again
	req "$PRI" --to 127.0.0.1:13162 --from 127.0.0.1 'DROP 127.0.0.1 162 9'
	assert_replies "$OUT" "127.0.0.1 a while later" NOT_IN_LIST
	sent=$((sent + 1)) answered=$((answered + 1))

	# IPv6: fd99:1::1 and fd99:1::3 are one source (one /64), so the
	# second finds the budget the first used up: together at most what
	# one source gets.  Were they two, both would have all 20 answered.
	# fd99:1::/64 must start with a full budget, also when its hash slot
	# is that of a source above (5 in 256; once, 127.0.0.1's: "got 10"):
	# a drained budget is full again after 4 s (reg_burst / reg_rate),
	# and 127.0.0.1 drained its own only about 3 s ago.
	nap 4
	ip -n "$PRI" addr add fd99:1::3/64 dev v1 nodad
	req "$PRI" --to '[fd99:1::1]:13162' --from fd99:1::1 --from fd99:1::3 \
		--repeat 20 'DROP fd99:1::1 162 9'
	read -r _ n1 n2 _ span <"$OUT"
	max=$(gcra_max "$span")
	[ "$max" -lt 40 ] || fail "the requests took $span us: too slow to tell one budget from two"
	[ "$n1" = 20 ] && [ $((n1 + n2)) -le "$max" ] ||
		fail "fd99:1::1 got $n1, fd99:1::3 $n2 answers of 20 each in $span us: one /64 allows 20 to $max in all"
	sent=$((sent + 40)) answered=$((answered + n1 + n2))
	# other /64s have their own budgets (two, for the hash collisions)
	req "$PRI" --to '[fd99:1::1]:13162' --from fd99:2::1 --from ::1 \
		--repeat 20 'DROP fd99:1::1 162 9'
	read -r _ n1 n2 _ <"$OUT"
	[ "$n1" = 20 ] || [ "$n2" = 20 ] ||
		fail "fd99:2::1 got $n1, ::1 $n2 answers of 20: other /64s should have a full budget"
	sent=$((sent + 40)) answered=$((answered + n1 + n2))

	assert_eq $((sent - answered)) "$(reg_stat 162 rate_limited)" "reg_rate_limited"
	assert_eq "$sent" "$(reg_stat 162 requests)" "reg_requests"
	assert_reg_sum 162
	echo 0 >$PARAMS/reg_rate
}

ktap_plan 8
require_portshare
run_test "setup: topology, port 162 with registration sockets" test_setup
run_test "reply matrix over IPv4, with the list after each" test_matrix4
run_test "reply matrix over IPv6, with the list after each" test_matrix6
run_test "hostile input: error or silence, nothing changes" test_hostile
run_test "wire-registered secondaries get copies from primary:regport" \
	test_copies
run_test "acl: remote requests ignored until allowed, third-party flag" \
	test_acl
run_test "cap on the list over the wire, counted" test_cap
run_test "per-source rate limit, counted" test_ratelimit
ktap_finished
