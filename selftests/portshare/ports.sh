#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ports.sh: designating and undesignating contested ports with psnl.
#
# Topology: every test point gets its own fresh network namespace $NS (only
# lo, up), so it starts from an empty portshare state and nothing it
# registers can send a datagram anywhere but inside $NS:
#
#	+-------- $NS (one per test) --------+
#	|  lo: 127.0.0.1, 10.0.0.5, fd00::5  |
#	|  psnl -n $NS                       |
#	+------------------------------------+
#
# What it tests: `psnl port add` defaults (reg = port + 13000, max 64), the
# 52535 boundary of the default registration port, explicit `reg`, `reg off`,
# `max` limits, EEXIST / EADDRINUSE / ELOOP refusals, `port del` of absent
# and present ports (which purges the port's secondaries).  Every refusal
# must leave the state exactly as it was.

. "$(dirname "$0")/lib.sh"

T=$'\t'
NS=

p()
{
	psnl -n "$NS" "$@"
}

new_ns()
{
	setup_ns NS
	ip -n "$NS" -b - <<-EOF
	addr add 10.0.0.5/32 dev lo
	addr add fd00::5/128 dev lo nodad
	EOF
}

port_list_is()
{
	cmd_ok p port list
	assert_text "$OUT" "$1" "psnl port list"
}

list_is()
{
	cmd_ok p list
	assert_text "$OUT" "$1" "psnl list"
}

test_defaults()
{
	new_ns
	port_list_is ""
	cmd_ok p port add 427
	assert_empty "$OUT" "port add stdout"
	assert_empty "$ERR" "port add stderr"
	port_list_is "port add 427 reg 13427 max 64$T# secondaries 0 rx 0 shared 0"
	cmd_ok p port add 161
	cmd_ok p port add 67
	# ascending order, whatever the order of designation
	port_list_is "port add 67 reg 13067 max 64$T# secondaries 0 rx 0 shared 0
port add 161 reg 13161 max 64$T# secondaries 0 rx 0 shared 0
port add 427 reg 13427 max 64$T# secondaries 0 rx 0 shared 0"
	list_is ""
}

test_reg_boundary()
{
	new_ns
	cmd_ok p port add 52535
	port_list_is "port add 52535 reg 65535 max 64$T# secondaries 0 rx 0 shared 0"
	snapshot before
	# psnl refuses it before asking the kernel: a usage error
	cmd_fail_rc 2 p port add 52536
	assert_grep -F '52536' "$ERR" "stderr"
	assert_grep -F 'reg' "$ERR" "stderr"
	cmd_fail_rc 2 p port add 60000
	assert_grep -F 'reg' "$ERR" "stderr"
	unchanged before
	cmd_ok p port add 60000 reg 14000
	cmd_ok p port add 65534 reg 1
	port_list_is "port add 52535 reg 65535 max 64$T# secondaries 0 rx 0 shared 0
port add 60000 reg 14000 max 64$T# secondaries 0 rx 0 shared 0
port add 65534 reg 1 max 64$T# secondaries 0 rx 0 shared 0"
}

test_reg_off()
{
	new_ns
	cmd_ok p port add 427 reg off
	cmd_ok p port add 60000 reg off max 3
	# two ports without a registration port never collide
	port_list_is "port add 427 reg off max 64$T# secondaries 0 rx 0 shared 0
port add 60000 reg off max 3$T# secondaries 0 rx 0 shared 0"
	# without a registration port there is no default data port
	snapshot before
	cmd_fail_rc 1 p add 427 10.0.0.5
	assert_grep -i 'data port|reg' "$ERR" "stderr"
	unchanged before
	cmd_ok p add 427 10.0.0.5:9000
	list_is "add 427 10.0.0.5:9000 mode encap$T# copies 0 bytes 0"
	cmd_ok p drop 427 10.0.0.5:9000
	list_is ""
}

test_max()
{
	local bad

	new_ns
	cmd_ok p port add 427 max 1
	cmd_ok p port add 161 max 4096
	cmd_ok p port add 162 reg 20000 max 7
	port_list_is "port add 161 reg 13161 max 4096$T# secondaries 0 rx 0 shared 0
port add 162 reg 20000 max 7$T# secondaries 0 rx 0 shared 0
port add 427 reg 13427 max 1$T# secondaries 0 rx 0 shared 0"
	snapshot before
	for bad in 0 4097 -1 abc 99999999999; do
		cmd_fail_rc 2 p port add 428 max "$bad"
		assert_grep -F -- "$bad" "$ERR" "stderr of max $bad"
	done
	unchanged before
	# max 1: the second secondary does not fit
	cmd_ok p add 427 10.0.0.5:9000
	cmd_fail_rc 1 p add 427 10.0.0.5:9001
	list_is "add 427 10.0.0.5:9000 mode encap$T# copies 0 bytes 0"
}

test_eexist()
{
	new_ns
	cmd_ok p port add 427 max 10
	snapshot before
	cmd_fail_rc 1 p port add 427
	assert_grep -i 'exist|already' "$ERR" "stderr"
	# a duplicate with other settings changes nothing either
	cmd_fail_rc 1 p port add 427 reg 15000 max 3
	assert_grep -i 'exist|already' "$ERR" "stderr"
	cmd_fail_rc 1 p port add 427 reg off
	unchanged before
}

test_reg_collision()
{
	new_ns
	cmd_ok p port add 427
	cmd_ok p port add 60000 reg 14000
	snapshot before
	cmd_fail_rc 1 p port add 428 reg 13427
	assert_grep -i 'in use|collid|13427' "$ERR" "stderr"
	cmd_fail_rc 1 p port add 1000 reg 14000
	assert_grep -i 'in use|collid|14000' "$ERR" "stderr"
	# 1000 + 13000 = 14000, the registration port of 60000
	cmd_fail_rc 1 p port add 1000
	# a registration port is not a contested port, nor the reverse
	cmd_fail_rc 1 p port add 13427
	assert_grep -F '13427' "$ERR" "stderr"
	cmd_fail_rc 1 p port add 429 reg 60000
	assert_grep -F '60000' "$ERR" "stderr"
	unchanged before
	# once 427 is gone, its registration port is free again
	cmd_ok p port del 427
	cmd_ok p port add 428 reg 13427
	port_list_is "port add 428 reg 13427 max 64$T# secondaries 0 rx 0 shared 0
port add 60000 reg 14000 max 64$T# secondaries 0 rx 0 shared 0"
}

test_reg_socket_busy()
{
	local pid

	new_ns
	cmd_ok p port add 427
	cmd_ok ip netns exec "$NS" ss -Hunl 'sport = :13427'
	[ -s "$OUT" ] || fail "port add 427 opened no registration socket on 13427"
	cmd_ok p port del 427
	# a userspace socket already holds 13500: 500 cannot be designated
	ip netns exec "$NS" socat -u UDP4-RECV:13500,bind=0.0.0.0 /dev/null &
	pid=$!
	echo "$pid" >>"$PS_TMP/pids"
	busywait 5000 sh -c "ip netns exec $NS ss -Hunl 'sport = :13500' | grep -q ."
	snapshot before
	cmd_fail_rc 1 p port add 500
	assert_grep -i 'in use|13500' "$ERR" "stderr"
	unchanged before
	bg_kill "$pid"
	cmd_ok p port add 500
}

test_del_absent()
{
	new_ns
	cmd_fail_rc 1 p port del 427
	assert_grep -i 'not|no such' "$ERR" "stderr"
	cmd_ok p port add 161
	cmd_ok p add 161 10.0.0.5
	snapshot before
	cmd_fail_rc 1 p port del 427
	assert_grep -i 'not|no such' "$ERR" "stderr"
	unchanged before
}

test_del_purges()
{
	new_ns
	cmd_ok p port add 427
	cmd_ok p port add 161
	cmd_ok p add 427 10.0.0.5
	cmd_ok p add 427 fd00::5 mode raw
	cmd_ok p add 161 10.0.0.5:9000
	cmd_ok p add 427 10.0.0.5:9001
	port_list_is "port add 161 reg 13161 max 64$T# secondaries 1 rx 0 shared 0
port add 427 reg 13427 max 64$T# secondaries 3 rx 0 shared 0"
	cmd_ok p port del 427
	assert_empty "$OUT" "port del stdout"
	port_list_is "port add 161 reg 13161 max 64$T# secondaries 1 rx 0 shared 0"
	list_is "add 161 10.0.0.5:9000 mode encap$T# copies 0 bytes 0"
	# designating it again starts from an empty list
	cmd_ok p port add 427
	cmd_ok p list 427
	assert_empty "$OUT" "psnl list 427"
	port_list_is "port add 161 reg 13161 max 64$T# secondaries 1 rx 0 shared 0
port add 427 reg 13427 max 64$T# secondaries 0 rx 0 shared 0"
	cmd_ok p port del 161
	cmd_ok p port del 427
	port_list_is ""
	list_is ""
}

test_eloop()
{
	new_ns
	cmd_ok p add 427 10.0.0.5:9000
	snapshot before
	# 9000 receives copies: sharing it would loop
	cmd_fail_rc 1 p port add 9000
	assert_grep -i 'loop|data port' "$ERR" "stderr"
	unchanged before
	cmd_ok p drop 427 10.0.0.5:9000
	cmd_ok p port add 9000
}

test_bad_ports()
{
	local bad

	new_ns
	cmd_ok p port add 427
	snapshot before
	for bad in 0 65536 -1 abc 1x 0x1b; do
		cmd_fail_rc 2 p port add "$bad"
		assert_grep -F -- "$bad" "$ERR" "stderr of port add $bad"
		cmd_fail_rc 2 p port del "$bad"
		assert_grep -F -- "$bad" "$ERR" "stderr of port del $bad"
		cmd_fail_rc 2 p port add 428 reg "$bad"
		assert_grep -F -- "$bad" "$ERR" "stderr of reg $bad"
	done
	unchanged before
}

test_repeated_keywords()
{
	new_ns
	snapshot before
	cmd_fail_rc 2 p port add 427 reg 14000 reg off
	assert_grep -F 'reg' "$ERR" "stderr"
	cmd_fail_rc 2 p port add 427 max 3 max 4
	assert_grep -F 'max' "$ERR" "stderr"
	unchanged before
}

ktap_plan 12
require_portshare
run_test "port add: registration port = port + 13000, max 64" test_defaults
run_test "port add: no default registration port above 52535" test_reg_boundary
run_test "port add: reg off needs explicit data ports" test_reg_off
run_test "port add: max 1..4096" test_max
run_test "port add: duplicate is EEXIST, state unchanged" test_eexist
run_test "port add: registration port collision refused" test_reg_collision
run_test "port add: registration port held by a socket refused" test_reg_socket_busy
run_test "port del: absent port refused" test_del_absent
run_test "port del: removes the port and purges its list" test_del_purges
run_test "port add: data port of a secondary refused (loop)" test_eloop
run_test "port add/del: malformed ports refused with exit 2" test_bad_ports
run_test "port add: repeated keywords refused with exit 2" test_repeated_keywords
ktap_finished
