#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psnl.sh: secondaries through psnl (add, drop, list, stats), its text and
# JSON output, and batch mode.
#
# Topology: the first test uses the initial namespace right after a module
# reload (secondary on 127.0.0.5, loopback).  Every other test gets a fresh
# namespace $NS (psnl_lib.sh); the round-trip tests replay the output into
# a second fresh namespace $NS2.
#
# What it tests: `psnl add` auto-designation and defaults, explicit data
# ports, IPv6 (bracketed and bare), modes, sample, EEXIST / ENOENT / ENOSPC /
# ELOOP refusals, `psnl list` and `psnl port list` text that replays through
# `psnl -b -` to an identical state, the JSON of both (-j, -j -p), batch
# files (FILE:LINE errors, stop at the first error, --force), the empty
# state, and `psnl stats` with every counter, in text and JSON.  Help and
# malformed arguments are psnl_input.sh's, the acl psnl_acl.sh's.

. "$(dirname "$0")/psnl_lib.sh"

# ---- tests -------------------------------------------------------------------

test_auto_designate()
{
	cmd_ok reload_module
	cmd_ok psnl port list
	assert_empty "$OUT" "port list after load"
	cmd_ok psnl add 427 127.0.0.5
	assert_empty "$OUT" "add stdout"
	assert_empty "$ERR" "add stderr"
	cmd_ok psnl port list
	assert_text "$OUT" "port add 427 reg 13427 max 64$T# secondaries 1 rx 0 shared 0"
	cmd_ok psnl list
	assert_text "$OUT" "add 427 127.0.0.5:13427 mode encap$T# copies 0 bytes 0"
	cmd_ok psnl port del 427
	cmd_ok psnl list
	assert_empty "$OUT" "list after port del"
}

test_data_ports_modes()
{
	new_ns
	cmd_ok p add 427 10.0.0.5:9000
	cmd_ok p add 427 10.0.0.5:9001 mode raw
	cmd_ok p add 427 10.0.0.6:9001 mode transparent sample 10
	cmd_ok p add 427 10.0.0.6:9002 sample 1 mode encap
	cmd_ok p add 427 10.0.0.7 mode raw sample 1000000
	# insertion order within a port
	list_is "add 427 10.0.0.5:9000 mode encap$T# copies 0 bytes 0
add 427 10.0.0.5:9001 mode raw$T# copies 0 bytes 0
add 427 10.0.0.6:9001 mode transparent sample 10$T# copies 0 bytes 0
add 427 10.0.0.6:9002 mode encap$T# copies 0 bytes 0
add 427 10.0.0.7:13427 mode raw sample 1000000$T# copies 0 bytes 0"
	port_list_is "port add 427 reg 13427 max 64$T# secondaries 5 rx 0 shared 0"
	# an explicit reg port is the default data port
	cmd_ok p port add 60000 reg 14000
	cmd_ok p add 60000 10.0.0.5
	cmd_ok p list 60000
	assert_text "$OUT" "add 60000 10.0.0.5:14000 mode encap$T# copies 0 bytes 0"
}

test_ipv6()
{
	new_ns
	cmd_ok p add 427 '[fd00::5]:9000'
	cmd_ok p add 427 fd00::5
	cmd_ok p add 427 '[FD00:0:0::6]:9001' mode raw
	cmd_ok p add 427 ::1 sample 2
	list_is "add 427 [fd00::5]:9000 mode encap$T# copies 0 bytes 0
add 427 [fd00::5]:13427 mode encap$T# copies 0 bytes 0
add 427 [fd00::6]:9001 mode raw$T# copies 0 bytes 0
add 427 [::1]:13427 mode encap sample 2$T# copies 0 bytes 0"
	cmd_ok p drop 427 '[fd00::6]:9001'
	cmd_ok p drop 427 fd00::5
	list_is "add 427 [fd00::5]:9000 mode encap$T# copies 0 bytes 0
add 427 [::1]:13427 mode encap sample 2$T# copies 0 bytes 0"
	port_list_is "port add 427 reg 13427 max 64$T# secondaries 2 rx 0 shared 0"
}

test_duplicates()
{
	new_ns
	cmd_ok p add 427 10.0.0.5
	cmd_ok p add 427 '[fd00::5]:9000'
	snapshot before
	cmd_fail_rc 1 p add 427 10.0.0.5
	assert_grep -i 'exist|already' "$ERR" "stderr"
	# the default data port is the registration port: same key
	cmd_fail_rc 1 p add 427 10.0.0.5:13427 mode raw
	assert_grep -i 'exist|already' "$ERR" "stderr"
	cmd_fail_rc 1 p add 427 '[fd00:0::5]:9000'
	assert_grep -i 'exist|already' "$ERR" "stderr"
	unchanged before
}

test_drop()
{
	new_ns
	cmd_ok p add 427 10.0.0.5
	cmd_ok p add 427 10.0.0.5:9000
	cmd_ok p add 161 10.0.0.5:9000
	cmd_ok p drop 427 10.0.0.5:9000
	assert_empty "$OUT" "drop stdout"
	list_is "add 161 10.0.0.5:9000 mode encap$T# copies 0 bytes 0
add 427 10.0.0.5:13427 mode encap$T# copies 0 bytes 0"
	snapshot before
	cmd_fail_rc 1 p drop 427 10.0.0.5:9000
	assert_grep -i 'not' "$ERR" "stderr"
	cmd_fail_rc 1 p drop 427 10.0.0.6
	assert_grep -i 'not' "$ERR" "stderr"
	cmd_fail_rc 1 p drop 162 10.0.0.5:9000
	assert_grep -i 'not' "$ERR" "stderr"
	unchanged before
	# drop never undesignates the port
	cmd_ok p drop 427 10.0.0.5
	cmd_ok p drop 161 10.0.0.5:9000
	list_is ""
	port_list_is "port add 161 reg 13161 max 64$T# secondaries 0 rx 0 shared 0
port add 427 reg 13427 max 64$T# secondaries 0 rx 0 shared 0"
}

test_full()
{
	new_ns
	cmd_ok p port add 427 max 2
	cmd_ok p add 427 10.0.0.5
	cmd_ok p add 427 10.0.0.6
	snapshot before
	cmd_fail_rc 1 p add 427 10.0.0.7
	assert_grep -i 'full|space|max' "$ERR" "stderr"
	unchanged before
	cmd_ok p drop 427 10.0.0.5
	cmd_ok p add 427 10.0.0.7
	list_is "add 427 10.0.0.6:13427 mode encap$T# copies 0 bytes 0
add 427 10.0.0.7:13427 mode encap$T# copies 0 bytes 0"
}

test_loop()
{
	new_ns
	cmd_ok p port add 161
	cmd_ok p add 427 10.0.0.5
	snapshot before
	cmd_fail_rc 1 p add 427 10.0.0.5:161
	assert_grep -i 'loop|contested' "$ERR" "stderr"
	cmd_fail_rc 1 p add 427 10.0.0.5:427
	assert_grep -i 'loop|contested' "$ERR" "stderr"
	unchanged before
}

test_roundtrip()
{
	new_ns
	populate
	list_is "$POP_LIST"
	port_list_is "$POP_PORTS"
	setup_ns NS2
	add_addrs "$NS2"
	# ports first (they carry reg and max), then the lists
	{ p port list; p list; } >"$PS_TMP/dump"
	cmd_ok p2 -b - <"$PS_TMP/dump"
	cmd_ok p2 port list
	assert_text "$OUT" "$POP_PORTS" "replayed port list"
	cmd_ok p2 list
	assert_text "$OUT" "$POP_LIST" "replayed list"
	p -j list >"$PS_TMP/a"
	p2 -j list >"$PS_TMP/b"
	cmd_ok diff -u "$PS_TMP/a" "$PS_TMP/b"
}

test_roundtrip_list_only()
{
	# `psnl list` alone replays into an empty state: ports are designated
	# on the fly, with defaults
	new_ns
	cmd_ok p add 427 10.0.0.5
	cmd_ok p add 427 '[fd00::5]:9001' mode transparent sample 10
	cmd_ok p add 161 10.0.0.7:9003 mode raw
	p list >"$PS_TMP/dump"
	setup_ns NS2
	add_addrs "$NS2"
	cmd_ok p2 -b "$PS_TMP/dump"
	cmd_ok p2 list
	assert_text "$OUT" "$(<"$PS_TMP/dump")" "replayed list"
	cmd_ok p2 port list
	assert_text "$OUT" "port add 161 reg 13161 max 64$T# secondaries 1 rx 0 shared 0
port add 427 reg 13427 max 64$T# secondaries 2 rx 0 shared 0"
}

test_json_ports()
{
	new_ns
	cmd_ok p -j port list
	json_eq "$OUT" '[]'
	populate
	cmd_ok p -j port list
	# every counter the kernel sends; no registration counters with reg off
	json_eq "$OUT" '[
	{"port": 161, "reg_port": null, "max_secondaries": 3, **D0,
	 "secondaries": 2,
	 "stats": P0},
	{"port": 427, "reg_port": 13427, "max_secondaries": 64, **D0,
	 "secondaries": 3,
	 "stats": PR0},
	{"port": 60000, "reg_port": 14000, "max_secondaries": 10, **D0,
	 "secondaries": 1,
	 "stats": PR0}]'
	cp "$OUT" "$PS_TMP/compact"
	assert_eq 1 "$(nlines "$OUT")" "lines of -j output"
	cmd_ok p -j -p port list
	[ "$(nlines "$OUT")" -gt 3 ] || fail "-j -p output is not pretty: $(<"$OUT")"
	json_eq "$OUT" "$(<"$PS_TMP/compact")"
}

test_json_list()
{
	new_ns
	cmd_ok p -j list
	json_eq "$OUT" '[]'
	populate
	cmd_ok p -j list
	json_eq "$OUT" '[
	{"port": 161, "family": "inet6", "addr": "fd00::6", "data_port": 9002,
	 "mode": "encap", "sample": 1, "state": "up", "stats": S0},
	{"port": 161, "family": "inet", "addr": "10.0.0.7", "data_port": 9003,
	 "mode": "encap", "sample": 1000000, "state": "up", "stats": S0},
	{"port": 427, "family": "inet", "addr": "10.0.0.5", "data_port": 13427,
	 "mode": "encap", "sample": 1, "state": "up", "stats": S0},
	{"port": 427, "family": "inet", "addr": "10.0.0.6", "data_port": 9000,
	 "mode": "raw", "sample": 1, "state": "up", "stats": S0},
	{"port": 427, "family": "inet6", "addr": "fd00::5", "data_port": 9001,
	 "mode": "transparent", "sample": 10, "state": "up", "stats": S0},
	{"port": 60000, "family": "inet", "addr": "10.0.0.5", "data_port": 14000,
	 "mode": "encap", "sample": 1, "state": "up", "stats": S0}]'
	cp "$OUT" "$PS_TMP/compact"
	assert_eq 1 "$(nlines "$OUT")" "lines of -j output"
	cmd_ok p --json --pretty list
	[ "$(nlines "$OUT")" -gt 6 ] || fail "--json --pretty output is not pretty"
	json_eq "$OUT" "$(<"$PS_TMP/compact")"
	cmd_ok p -j list 161
	json_eq "$OUT" '[
	{"port": 161, "family": "inet6", "addr": "fd00::6", "data_port": 9002,
	 "mode": "encap", "sample": 1, "state": "up", "stats": S0},
	{"port": 161, "family": "inet", "addr": "10.0.0.7", "data_port": 9003,
	 "mode": "encap", "sample": 1000000, "state": "up", "stats": S0}]'
}

test_batch_ok()
{
	local f=$PS_TMP/batch

	new_ns
	cat >"$f" <<-EOF
	# a comment line

	port add 427 max 5
	add 427 10.0.0.5	# trailing comment
	   add 427 10.0.0.6:9000 mode raw
	port add 161 reg off
	add 161 [fd00::5]:9001
	drop 427 10.0.0.5
	EOF
	cmd_ok p -b "$f"
	assert_empty "$ERR" "batch stderr"
	port_list_is "port add 161 reg off max 64$T# secondaries 1 rx 0 shared 0
port add 427 reg 13427 max 5$T# secondaries 1 rx 0 shared 0"
	list_is "add 161 [fd00::5]:9001 mode encap$T# copies 0 bytes 0
add 427 10.0.0.6:9000 mode raw$T# copies 0 bytes 0"
	# list commands in a batch print like on the command line
	printf 'list 161\nport list\n' >"$f"
	cmd_ok p --batch "$f"
	assert_text "$OUT" "add 161 [fd00::5]:9001 mode encap$T# copies 0 bytes 0
port add 161 reg off max 64$T# secondaries 1 rx 0 shared 0
port add 427 reg 13427 max 5$T# secondaries 1 rx 0 shared 0"
}

test_batch_stops()
{
	local f=$PS_TMP/batch.txt

	new_ns
	printf 'port add 427\nadd 427 10.0.0.5\nadd 427 10.0.0.5\nadd 427 10.0.0.6\n' >"$f"
	cmd_fail_rc 1 p -b "$f"
	assert_grep -F "$f:3:" "$ERR" "stderr"
	assert_no_grep -F "$f:1:" "$ERR" "stderr"
	list_is "add 427 10.0.0.5:13427 mode encap$T# copies 0 bytes 0"

	# a malformed line stops the batch the same way
	new_ns
	printf 'port add 427\nadd 427 10.0.0.5\nadd 427 10.0.0.5 mode bogus\nadd 427 10.0.0.6\n' >"$f"
	cmd_fail p -b "$f"
	assert_grep -F "$f:3:" "$ERR" "stderr"
	assert_grep -F "bogus" "$ERR" "stderr"
	list_is "add 427 10.0.0.5:13427 mode encap$T# copies 0 bytes 0"
}

test_batch_force()
{
	local f=$PS_TMP/batch.txt

	new_ns
	printf '%s\n' 'port add 427' 'add 427 10.0.0.5' 'add 427 10.0.0.5' \
		'add 427 10.0.0.6' 'add 427 10.0.0.7 mode bogus' \
		'add 427 10.0.0.7' >"$f"
	cmd_fail p -b "$f" --force
	assert_grep -F "$f:3:" "$ERR" "stderr"
	assert_grep -F "$f:5:" "$ERR" "stderr"
	list_is "add 427 10.0.0.5:13427 mode encap$T# copies 0 bytes 0
add 427 10.0.0.6:13427 mode encap$T# copies 0 bytes 0
add 427 10.0.0.7:13427 mode encap$T# copies 0 bytes 0"

	# a missing batch file
	cmd_fail p -b "$PS_TMP/no-such-file"
	assert_grep -F "no-such-file" "$ERR" "stderr"
}

test_empty()
{
	new_ns
	cmd_ok p list
	assert_empty "$OUT" "psnl list"
	assert_empty "$ERR" "psnl list stderr"
	cmd_ok p port list
	assert_empty "$OUT" "psnl port list"
	assert_empty "$ERR" "psnl port list stderr"
	# a port without secondaries lists nothing either
	cmd_ok p port add 427
	cmd_ok p list
	assert_empty "$OUT" "psnl list"
	cmd_ok p list 427
	assert_empty "$OUT" "psnl list 427"
}

test_stats()
{
	new_ns
	populate
	cmd_ok p stats
	assert_text "$OUT" "$POP_STATS" "psnl stats"
	assert_empty "$ERR" "psnl stats stderr"
	cmd_ok p stats 427
	assert_text "$OUT" "$POP_STATS_427" "psnl stats 427"
	cmd_ok p stats 161
	assert_text "$OUT" "$POP_STATS_161" "psnl stats 161"
	cmd_ok p stats 60000
	assert_text "$OUT" "$POP_STATS_60000" "psnl stats 60000"
	# the output is a batch file too: ports, then their lists
	p stats >"$PS_TMP/dump"
	setup_ns NS2
	add_addrs "$NS2"
	cmd_ok p2 -b "$PS_TMP/dump"
	cmd_ok p2 port list
	assert_text "$OUT" "$POP_PORTS" "replayed port list"
	cmd_ok p2 list
	assert_text "$OUT" "$POP_LIST" "replayed list"
}

test_stats_json()
{
	new_ns
	cmd_ok p -j stats
	json_eq "$OUT" '[]'
	populate
	cmd_ok p -j stats
	json_eq "$OUT" '[
	{"port": 161, "reg_port": null, "max_secondaries": 3, **D0,
	 "secondaries": 2,
	 "stats": P0, "list": [
	  {"port": 161, "family": "inet6", "addr": "fd00::6", "data_port": 9002,
	   "mode": "encap", "sample": 1, "state": "up", "stats": S0},
	  {"port": 161, "family": "inet", "addr": "10.0.0.7", "data_port": 9003,
	   "mode": "encap", "sample": 1000000, "state": "up", "stats": S0}]},
	{"port": 427, "reg_port": 13427, "max_secondaries": 64, **D0,
	 "secondaries": 3,
	 "stats": PR0, "list": [
	  {"port": 427, "family": "inet", "addr": "10.0.0.5", "data_port": 13427,
	   "mode": "encap", "sample": 1, "state": "up", "stats": S0},
	  {"port": 427, "family": "inet", "addr": "10.0.0.6", "data_port": 9000,
	   "mode": "raw", "sample": 1, "state": "up", "stats": S0},
	  {"port": 427, "family": "inet6", "addr": "fd00::5", "data_port": 9001,
	   "mode": "transparent", "sample": 10, "state": "up", "stats": S0}]},
	{"port": 60000, "reg_port": 14000, "max_secondaries": 10, **D0,
	 "secondaries": 1,
	 "stats": PR0, "list": [
	  {"port": 60000, "family": "inet", "addr": "10.0.0.5", "data_port": 14000,
	   "mode": "encap", "sample": 1, "state": "up", "stats": S0}]}]'
	assert_eq 1 "$(nlines "$OUT")" "lines of -j output"
	cp "$OUT" "$PS_TMP/compact"
	cmd_ok p -p stats
	[ "$(nlines "$OUT")" -gt 10 ] || fail "-p output is not pretty"
	json_eq "$OUT" "$(<"$PS_TMP/compact")"
	cmd_ok p -j stats 60000
	json_eq "$OUT" '[
	{"port": 60000, "reg_port": 14000, "max_secondaries": 10, **D0,
	 "secondaries": 1,
	 "stats": PR0, "list": [
	  {"port": 60000, "family": "inet", "addr": "10.0.0.5", "data_port": 14000,
	   "mode": "encap", "sample": 1, "state": "up", "stats": S0}]}]'
}

test_stats_edges()
{
	new_ns
	cmd_ok p stats
	assert_empty "$OUT" "psnl stats of an empty state"
	assert_empty "$ERR" "psnl stats stderr"
	# a port without secondaries: its line alone
	cmd_ok p port add 427
	cmd_ok p stats
	assert_text "$OUT" "port add 427 reg 13427 max 64$T# secondaries 0 $PORT0 $REG0"
	cmd_ok p -j stats 427
	json_eq "$OUT" '[{"port": 427, "reg_port": 13427, "max_secondaries": 64, **D0,
	 "secondaries": 0, "stats": PR0, "list": []}]'
	# an unknown port is an error, not an empty listing
	cmd_fail_rc 1 p stats 428
	assert_grep -F "428" "$ERR" "stderr"
	assert_grep -i "not designated" "$ERR" "stderr"
	assert_empty "$OUT" "stdout of a failed psnl stats"
	cmd_fail_rc 1 p -j stats 428
	assert_empty "$OUT" "stdout of a failed psnl -j stats"
}

# list and port list show their main counters always, the others once
# they are not zero: sampling skips every second datagram here.  10.0.0.5
# is local: a socket on its data port takes the copy.
test_list_counters()
{
	local pid

	new_ns
	cmd_ok p add 427 10.0.0.5:9000 sample 2
	cmd_ok "$PS_REPO/build/selftests/pstraffic" recv -n "$NS" \
		--bind 10.0.0.5:9000 --out "$PS_TMP/copies" \
		--pidfile "$PS_TMP/copies.pid" --timeout 60000
	read -r pid <"$PS_TMP/copies.pid"
	echo "$pid" >>"$PS_TMP/pids"	# killed on exit
	cmd_ok ip netns exec "$NS" bash -c \
		'printf a >/dev/udp/127.0.0.1/427; printf bc >/dev/udp/127.0.0.1/427'
	busywait 5000 sh -c "psnl -n '$NS' list | grep -q 'sampled 1'" ||
		fail "no datagram was sampled out: $(p stats)"
	list_is "add 427 10.0.0.5:9000 mode encap sample 2$T# copies 1 bytes 1 sampled 1"
	# shared: datagrams of which a copy was sent
	port_list_is "port add 427 reg 13427 max 64$T# secondaries 1 rx 2 shared 1"
	cmd_ok p stats
	assert_text "$OUT" "port add 427 reg 13427 max 64$T# secondaries 1 rx 2 shared 1 err_csum 0 err_malformed 0 err_gso 0 err_loop 0 $REG0
add 427 10.0.0.5:9000 mode encap sample 2$T# copies 1 bytes 1 sampled 1 skip_filtered 0 skip_dead 0 drop_nomem 0 drop_noroute 0 drop_xmit 0 drop_family 0 drop_toobig 0 drop_rcvbuf 0 drop_nosocket 0 drop_filter 0 drop_dest 0 drop_nosrc 0 drop_budget 0 drop_ratelimited 0 icmp_errors 0 probes 0"
	cmd_ok p -j list
	json_eq "$OUT" '[{"port": 427, "family": "inet", "addr": "10.0.0.5",
	 "data_port": 9000, "mode": "encap", "sample": 2,
	 "state": "up", "stats": {**S0, "copies": 1, "bytes": 1, "sampled": 1}}]'
}

ktap_plan 19
require_portshare
run_test "add right after load designates 427 (reg 13427, data 13427)" test_auto_designate
run_test "add: explicit data ports, modes and sample" test_data_ports_modes
run_test "add/drop: IPv6 bracketed, bare and canonicalised" test_ipv6
run_test "add: duplicates refused, state unchanged" test_duplicates
run_test "drop: present ok, absent refused" test_drop
run_test "add: full list refused (max 2)" test_full
run_test "add: data port that is a contested port refused (loop)" test_loop
run_test "port list + list replay through -b - identically" test_roundtrip
run_test "list alone replays into an empty state" test_roundtrip_list_only
run_test "JSON port list (-j, -j -p)" test_json_ports
run_test "JSON list (-j, --json --pretty, list PORT)" test_json_list
run_test "batch file with comments and blank lines" test_batch_ok
run_test "batch stops at the first error and reports FILE:3:" test_batch_stops
run_test "batch --force continues and still fails" test_batch_force
run_test "list and port list of an empty state print nothing" test_empty
run_test "stats: every counter, PORT filter, replays through -b" test_stats
run_test "JSON stats (-j, -p, stats PORT)" test_stats_json
run_test "stats: empty state, port without list, unknown port (exit 1)" test_stats_edges
run_test "list/port list show non-zero extra counters (sampled)" test_list_counters
ktap_finished
