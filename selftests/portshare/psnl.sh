#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psnl.sh: secondaries through psnl (add, drop, list), its text and JSON
# output, batch mode, help, and its argument checking.
#
# Topology: the first test uses the initial namespace right after a module
# reload (secondary on 127.0.0.5, loopback).  Every other test gets a fresh
# namespace $NS whose lo carries the addresses that secondaries use, so no
# datagram (copy or SHUTDOWN) can leave it; the round-trip tests replay the
# output into a second fresh namespace $NS2:
#
#	+---------------- $NS / $NS2 ---------------+
#	|  lo: 127.0.0.1 10.0.0.5 10.0.0.6 10.0.0.7 |
#	|      fd00::5 fd00::6                      |
#	|  psnl -n $NS                              |
#	+-------------------------------------------+
#
# What it tests: `psnl add` auto-designation and defaults, explicit data
# ports, IPv6 (bracketed and bare), modes, sample, EEXIST / ENOENT / ENOSPC /
# ELOOP refusals, `psnl list` and `psnl port list` text that replays through
# `psnl -b -` to an identical state, the JSON of both (-j, -j -p), batch
# files (FILE:LINE errors, stop at the first error, --force), help for every
# command, and that every malformed argument is refused with exit status 2,
# a message naming the token and no state change.

. "$(dirname "$0")/lib.sh"

T=$'\t'
NS=
NS2=

p()
{
	psnl -n "$NS" "$@"
}

p2()
{
	psnl -n "$NS2" "$@"
}

add_addrs()
{
	ip -n "$1" -b - <<-EOF
	addr add 10.0.0.5/32 dev lo
	addr add 10.0.0.6/32 dev lo
	addr add 10.0.0.7/32 dev lo
	addr add fd00::5/128 dev lo nodad
	addr add fd00::6/128 dev lo nodad
	EOF
}

new_ns()
{
	setup_ns NS
	add_addrs "$NS"
}

snapshot()
{
	ps_state "$NS" >"$PS_TMP/$1"
}

unchanged()
{
	ps_state "$NS" >"$PS_TMP/now"
	if ! diff -u "$PS_TMP/$1" "$PS_TMP/now" >"$PS_TMP/diff"; then
		diag "FAIL: the state changed (-before +after):"
		diag <"$PS_TMP/diff"
		exit 1
	fi
}

list_is()
{
	cmd_ok p list
	assert_text "$OUT" "$1" "psnl list"
}

port_list_is()
{
	cmd_ok p port list
	assert_text "$OUT" "$1" "psnl port list"
}

# json_eq FILE PYTHON_EXPR: FILE holds one JSON document equal to the value.
# P0, R0, S0 and PR0 (P0 and R0) stand for all-zero counter objects.
json_eq()
{
	if ! python3 - "$1" "$2" >"$PS_TMP/json" 2>&1 <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    got = json.load(f)
# every counter, zero: of a port (P0), its registration port (R0), a
# secondary (S0)
P0 = dict.fromkeys(["rx", "shared", "err_csum", "err_malformed", "err_gso",
                    "err_loop"], 0)
R0 = dict.fromkeys(["reg_requests", "reg_ok", "reg_errors", "reg_denied",
                    "reg_rate_limited", "reg_not_permitted", "reg_list_full",
                    "reg_ignored", "reg_send_errors"], 0)
S0 = dict.fromkeys(["copies", "bytes", "sampled", "drop_nomem",
                    "drop_noroute", "drop_xmit", "drop_family",
                    "drop_toobig", "drop_rcvbuf", "drop_nosocket",
                    "drop_filter", "drop_dest", "drop_nosrc",
                    "drop_budget"], 0)
want = eval(sys.argv[2], {"null": None, "true": True, "false": False,
                          "P0": P0, "R0": R0, "S0": S0, "PR0": {**P0, **R0}})
if got != want:
    print("expected: " + json.dumps(want, sort_keys=True))
    print("got:      " + json.dumps(got, sort_keys=True))
    sys.exit(1)
EOF
	then
		diag "FAIL: JSON in $1 differs"
		diag <"$PS_TMP/json"
		diag "raw:"
		diag <"$1"
		exit 1
	fi
}

# A populated state for the output and refusal tests.
populate()
{
	cmd_ok p port add 427
	cmd_ok p port add 161 reg off max 3
	cmd_ok p port add 60000 reg 14000 max 10
	cmd_ok p add 427 10.0.0.5
	cmd_ok p add 427 10.0.0.6:9000 mode raw
	cmd_ok p add 427 '[fd00::5]:9001' mode transparent sample 10
	cmd_ok p add 161 '[fd00::6]:9002'
	cmd_ok p add 161 10.0.0.7:9003 mode encap sample 1000000
	cmd_ok p add 60000 10.0.0.5
}

POP_LIST="add 161 [fd00::6]:9002 mode encap$T# copies 0 bytes 0
add 161 10.0.0.7:9003 mode encap sample 1000000$T# copies 0 bytes 0
add 427 10.0.0.5:13427 mode encap$T# copies 0 bytes 0
add 427 10.0.0.6:9000 mode raw$T# copies 0 bytes 0
add 427 [fd00::5]:9001 mode transparent sample 10$T# copies 0 bytes 0
add 60000 10.0.0.5:14000 mode encap$T# copies 0 bytes 0"

POP_PORTS="port add 161 reg off max 3$T# secondaries 2 rx 0 shared 0
port add 427 reg 13427 max 64$T# secondaries 3 rx 0 shared 0
port add 60000 reg 14000 max 10$T# secondaries 1 rx 0 shared 0"

# psnl stats: every counter, zeros included (none of the registration port
# with reg off)
PORT0="rx 0 shared 0 err_csum 0 err_malformed 0 err_gso 0 err_loop 0"
REG0="reg_requests 0 reg_ok 0 reg_errors 0 reg_denied 0 reg_rate_limited 0 reg_not_permitted 0 reg_list_full 0 reg_ignored 0 reg_send_errors 0"
SEC0="copies 0 bytes 0 sampled 0 drop_nomem 0 drop_noroute 0 drop_xmit 0 drop_family 0 drop_toobig 0 drop_rcvbuf 0 drop_nosocket 0 drop_filter 0 drop_dest 0 drop_nosrc 0 drop_budget 0"

POP_STATS_161="port add 161 reg off max 3$T# secondaries 2 $PORT0
add 161 [fd00::6]:9002 mode encap$T# $SEC0
add 161 10.0.0.7:9003 mode encap sample 1000000$T# $SEC0"
POP_STATS_427="port add 427 reg 13427 max 64$T# secondaries 3 $PORT0 $REG0
add 427 10.0.0.5:13427 mode encap$T# $SEC0
add 427 10.0.0.6:9000 mode raw$T# $SEC0
add 427 [fd00::5]:9001 mode transparent sample 10$T# $SEC0"
POP_STATS_60000="port add 60000 reg 14000 max 10$T# secondaries 1 $PORT0 $REG0
add 60000 10.0.0.5:14000 mode encap$T# $SEC0"
POP_STATS="$POP_STATS_161
$POP_STATS_427
$POP_STATS_60000"

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
	{"port": 161, "reg_port": null, "max_secondaries": 3, "secondaries": 2,
	 "stats": P0},
	{"port": 427, "reg_port": 13427, "max_secondaries": 64, "secondaries": 3,
	 "stats": PR0},
	{"port": 60000, "reg_port": 14000, "max_secondaries": 10, "secondaries": 1,
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
	 "mode": "encap", "sample": 1, "stats": S0},
	{"port": 161, "family": "inet", "addr": "10.0.0.7", "data_port": 9003,
	 "mode": "encap", "sample": 1000000, "stats": S0},
	{"port": 427, "family": "inet", "addr": "10.0.0.5", "data_port": 13427,
	 "mode": "encap", "sample": 1, "stats": S0},
	{"port": 427, "family": "inet", "addr": "10.0.0.6", "data_port": 9000,
	 "mode": "raw", "sample": 1, "stats": S0},
	{"port": 427, "family": "inet6", "addr": "fd00::5", "data_port": 9001,
	 "mode": "transparent", "sample": 10, "stats": S0},
	{"port": 60000, "family": "inet", "addr": "10.0.0.5", "data_port": 14000,
	 "mode": "encap", "sample": 1, "stats": S0}]'
	cp "$OUT" "$PS_TMP/compact"
	assert_eq 1 "$(nlines "$OUT")" "lines of -j output"
	cmd_ok p --json --pretty list
	[ "$(nlines "$OUT")" -gt 6 ] || fail "--json --pretty output is not pretty"
	json_eq "$OUT" "$(<"$PS_TMP/compact")"
	cmd_ok p -j list 161
	json_eq "$OUT" '[
	{"port": 161, "family": "inet6", "addr": "fd00::6", "data_port": 9002,
	 "mode": "encap", "sample": 1, "stats": S0},
	{"port": 161, "family": "inet", "addr": "10.0.0.7", "data_port": 9003,
	 "mode": "encap", "sample": 1000000, "stats": S0}]'
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

test_help()
{
	local c

	new_ns
	for c in "" add drop list monitor port "port add" "port del" "port list" \
		stats acl "acl add" "acl del" "acl list" help; do
		# shellcheck disable=SC2086
		cmd_ok p help $c
		[ -s "$OUT" ] || fail "'psnl help $c' printed nothing on stdout"
		assert_empty "$ERR" "stderr of psnl help $c"
		cp "$OUT" "$PS_TMP/help"
		# shellcheck disable=SC2086
		cmd_ok p $c --help
		assert_empty "$ERR" "stderr of psnl $c --help"
		assert_text "$OUT" "$(<"$PS_TMP/help")" "psnl $c --help, as psnl help $c"
		if [ -n "$c" ]; then
			assert_grep -F "$c" "$OUT" "psnl $c --help"
		fi
	done
	cmd_ok p help add
	assert_grep -F "PORT" "$OUT" "psnl help add"
	assert_grep -F "mode" "$OUT" "psnl help add"
	cmd_ok p help stats
	for c in err_csum reg_ok reg_ignored drop_noroute drop_toobig; do
		assert_grep -F "$c" "$OUT" "psnl help stats"
	done
	cmd_ok p help acl add
	assert_grep -F "third-party" "$OUT" "psnl help acl add"
	cmd_ok p help
	for c in add drop list port stats acl monitor; do
		assert_grep "(^|[[:space:]])$c([[:space:]]|$)" "$OUT" "psnl help"
	done
	cmd_fail_rc 2 p help frobnicate
	assert_grep -F frobnicate "$ERR" "stderr"
}

# bad_args TOKEN ARGS...: psnl ARGS must exit 2 and name TOKEN on stderr
# (any message when TOKEN is empty).  bad_done then checks that none of
# them changed the state (one check for all: each exec is slow under TCG).
BAD_FAILS=0
bad_args()
{
	local token=$1 rc=0 why=""
	shift

	p "$@" >"$OUT" 2>"$ERR" </dev/null || rc=$?
	[ "$rc" = 2 ] || why="exit status $rc, expected 2"
	if [ -z "$why" ]; then
		if [ -n "$token" ]; then
			__match -F -- "$token" "$ERR" || why="stderr does not name '$token'"
		else
			[ -s "$ERR" ] || why="nothing on stderr"
		fi
	fi
	[ -z "$why" ] && return 0
	diag "psnl$(printf " '%s'" "$@"): $why"
	[ ! -s "$ERR" ] || diag <"$ERR"
	BAD_FAILS=$((BAD_FAILS + 1))
}

bad_done()
{
	unchanged before
	[ "$BAD_FAILS" = 0 ] || fail "$BAD_FAILS malformed commands were not refused properly"
}

bad_setup()
{
	new_ns
	populate
	snapshot before
}

test_bad_ports()
{
	local x

	bad_setup
	for x in 0 65536 -1 abc 4x2 ''; do
		bad_args "$x" add "$x" 10.0.0.5
		bad_args "$x" drop "$x" 10.0.0.5
		bad_args "$x" list "$x"
		bad_args "$x" stats "$x"
		bad_args "$x" port add "$x"
		bad_args "$x" port del "$x"
		bad_args "$x" port add 428 reg "$x"
	done
	for x in 0 65536 -1 abc; do
		bad_args "$x" add 428 "10.0.0.5:$x"
		bad_args "$x" add 428 "[fd00::5]:$x"
		bad_args "$x" drop 427 "10.0.0.5:$x"
	done
	bad_done
}

test_bad_addresses()
{
	local x

	bad_setup
	for x in 10.0.0.300 10.0.0 10.0.0.5.1 fd00::zz fd00:::5 '[fd00::5' \
		'fd00::5]:9000' '[fd00::5]:' '10.0.0.5:' '[10.0.0.5]:9000' \
		'10.0.0.5:9000:1' ''; do
		bad_args "$x" add 428 "$x"
		bad_args "$x" drop 427 "$x"
	done
	bad_done
}

test_bad_options()
{
	local x

	bad_setup
	for x in bogus ENCAP raw,encap 1 ''; do
		bad_args "$x" add 428 10.0.0.5 mode "$x"
	done
	for x in 0 -1 abc 1000001 4294967296 1.5 ''; do
		bad_args "$x" add 428 10.0.0.5 sample "$x"
	done
	for x in 0 4097 -1 abc ''; do
		bad_args "$x" port add 428 max "$x"
	done
	# missing values
	bad_args mode add 428 10.0.0.5 mode
	bad_args sample add 428 10.0.0.5 sample
	bad_args sample add 428 10.0.0.5 mode raw sample
	bad_args reg port add 428 reg
	bad_args max port add 428 max
	bad_args max port add 428 reg 20000 max
	# repeated options
	bad_args mode add 428 10.0.0.5 mode raw mode encap
	bad_args sample add 428 10.0.0.5 sample 2 sample 3
	bad_done
}

test_bad_words()
{
	bad_setup
	# unknown words
	bad_args bogus add 428 10.0.0.5 bogus
	bad_args bogus add 428 10.0.0.5 mode raw bogus
	bad_args bogus port add 428 bogus
	bad_args bogus port add 428 max 3 bogus
	# extra arguments
	bad_args extra drop 427 10.0.0.5 extra
	bad_args extra port del 427 extra
	bad_args extra list 427 extra
	bad_args extra port list extra
	bad_args extra stats 427 extra
	bad_args extra acl list extra
	bad_args extra monitor extra
	bad_args mode drop 427 10.0.0.5 mode raw
	# unknown commands
	bad_args frobnicate frobnicate
	bad_args frob port frob
	bad_args frob acl frob
	bad_args ADD ADD 428 10.0.0.5
	# missing arguments
	bad_args "" add
	bad_args "" add 428
	bad_args "" drop
	bad_args "" drop 427
	bad_args "" port add
	bad_args "" port del
	bad_args "" port
	bad_args "" acl
	bad_args "" acl add
	bad_args "" acl del
	# global options
	bad_args --bogus --bogus list
	bad_args -x -x list
	bad_args "" -n
	bad_args "" -b
	bad_done
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
	{"port": 161, "reg_port": null, "max_secondaries": 3, "secondaries": 2,
	 "stats": P0, "list": [
	  {"port": 161, "family": "inet6", "addr": "fd00::6", "data_port": 9002,
	   "mode": "encap", "sample": 1, "stats": S0},
	  {"port": 161, "family": "inet", "addr": "10.0.0.7", "data_port": 9003,
	   "mode": "encap", "sample": 1000000, "stats": S0}]},
	{"port": 427, "reg_port": 13427, "max_secondaries": 64, "secondaries": 3,
	 "stats": PR0, "list": [
	  {"port": 427, "family": "inet", "addr": "10.0.0.5", "data_port": 13427,
	   "mode": "encap", "sample": 1, "stats": S0},
	  {"port": 427, "family": "inet", "addr": "10.0.0.6", "data_port": 9000,
	   "mode": "raw", "sample": 1, "stats": S0},
	  {"port": 427, "family": "inet6", "addr": "fd00::5", "data_port": 9001,
	   "mode": "transparent", "sample": 10, "stats": S0}]},
	{"port": 60000, "reg_port": 14000, "max_secondaries": 10, "secondaries": 1,
	 "stats": PR0, "list": [
	  {"port": 60000, "family": "inet", "addr": "10.0.0.5", "data_port": 14000,
	   "mode": "encap", "sample": 1, "stats": S0}]}]'
	assert_eq 1 "$(nlines "$OUT")" "lines of -j output"
	cp "$OUT" "$PS_TMP/compact"
	cmd_ok p -p stats
	[ "$(nlines "$OUT")" -gt 10 ] || fail "-p output is not pretty"
	json_eq "$OUT" "$(<"$PS_TMP/compact")"
	cmd_ok p -j stats 60000
	json_eq "$OUT" '[
	{"port": 60000, "reg_port": 14000, "max_secondaries": 10, "secondaries": 1,
	 "stats": PR0, "list": [
	  {"port": 60000, "family": "inet", "addr": "10.0.0.5", "data_port": 14000,
	   "mode": "encap", "sample": 1, "stats": S0}]}]'
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
	json_eq "$OUT" '[{"port": 427, "reg_port": 13427, "max_secondaries": 64,
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
add 427 10.0.0.5:9000 mode encap sample 2$T# copies 1 bytes 1 sampled 1 drop_nomem 0 drop_noroute 0 drop_xmit 0 drop_family 0 drop_toobig 0 drop_rcvbuf 0 drop_nosocket 0 drop_filter 0 drop_dest 0 drop_nosrc 0 drop_budget 0"
	cmd_ok p -j list
	json_eq "$OUT" '[{"port": 427, "family": "inet", "addr": "10.0.0.5",
	 "data_port": 9000, "mode": "encap", "sample": 2,
	 "stats": {**S0, "copies": 1, "bytes": 1, "sampled": 1}}]'
}

ACL_LIST="acl add 10.0.0.0/8 third-party
acl add 192.168.1.7/32
acl add fd00::/64
acl add 2001:db8::1/128 third-party
acl add 0.0.0.0/0
acl add ::/0 third-party"

acl_is()
{
	cmd_ok p acl list
	assert_text "$OUT" "$1" "psnl acl list"
}

acl_populate()
{
	cmd_ok p acl add 10.0.0.0/8 third-party
	cmd_ok p acl add 192.168.1.7
	cmd_ok p acl add FD00:0::/64
	cmd_ok p acl add 2001:db8::1 third-party
	cmd_ok p acl add 0.0.0.0/0
	cmd_ok p acl add ::/0 third-party
}

test_acl()
{
	new_ns
	cmd_ok p acl list
	assert_empty "$OUT" "acl list of a new namespace"
	cmd_ok p -j acl list
	json_eq "$OUT" '[]'
	acl_populate
	assert_empty "$OUT" "acl add stdout"
	# in the order of addition, with the prefix length always shown
	acl_is "$ACL_LIST"
	cmd_ok p -j acl list
	json_eq "$OUT" '[
	{"family": "inet", "addr": "10.0.0.0", "prefix_len": 8, "third_party": true},
	{"family": "inet", "addr": "192.168.1.7", "prefix_len": 32, "third_party": false},
	{"family": "inet6", "addr": "fd00::", "prefix_len": 64, "third_party": false},
	{"family": "inet6", "addr": "2001:db8::1", "prefix_len": 128, "third_party": true},
	{"family": "inet", "addr": "0.0.0.0", "prefix_len": 0, "third_party": false},
	{"family": "inet6", "addr": "::", "prefix_len": 0, "third_party": true}]'
	# del names the network; the flag is not part of it
	cmd_ok p acl del 192.168.1.7/32
	cmd_ok p acl del 2001:db8::1
	cmd_ok p acl del fd00:0:0::/64
	cmd_ok p acl del 10.0.0.0/8
	assert_empty "$OUT" "acl del stdout"
	acl_is "acl add 0.0.0.0/0
acl add ::/0 third-party"
	cmd_ok p acl del 0.0.0.0/0
	cmd_ok p acl del ::/0
	acl_is ""
	# an entry may come back with other flags
	cmd_ok p acl add 10.0.0.0/8
	acl_is "acl add 10.0.0.0/8"
}

test_acl_roundtrip()
{
	new_ns
	acl_populate
	p acl list >"$PS_TMP/dump"
	setup_ns NS2
	cmd_ok p2 -b - <"$PS_TMP/dump"
	cmd_ok p2 acl list
	assert_text "$OUT" "$ACL_LIST" "replayed acl list"
	p -j acl list >"$PS_TMP/a"
	p2 -j acl list >"$PS_TMP/b"
	cmd_ok diff -u "$PS_TMP/a" "$PS_TMP/b"
}

test_acl_refused()
{
	local f=$PS_TMP/acl.batch i

	new_ns
	cmd_ok p acl add 10.0.0.0/8
	cmd_ok p acl add fd00::/64 third-party
	p -j acl list >"$PS_TMP/acl_before"
	# host bits: the kernel's message
	cmd_fail_rc 1 p acl add 10.0.0.1/8
	assert_grep -F "host bits" "$ERR" "stderr"
	cmd_fail_rc 1 p acl add fd00::1/64
	assert_grep -F "host bits" "$ERR" "stderr"
	cmd_fail_rc 1 p acl add 10.0.0.0/8 third-party
	assert_grep -i "already" "$ERR" "stderr"
	cmd_fail_rc 1 p acl add FD00::/64
	assert_grep -i "already" "$ERR" "stderr"
	cmd_fail_rc 1 p acl del 10.0.0.0/16
	assert_grep -F "not in the acl" "$ERR" "stderr"
	cmd_fail_rc 1 p acl del 10.0.0.0
	assert_grep -F "not in the acl" "$ERR" "stderr"
	cmd_fail_rc 1 p acl del fd00::/48
	assert_grep -F "not in the acl" "$ERR" "stderr"
	p -j acl list >"$PS_TMP/acl_after"
	cmd_ok diff -u "$PS_TMP/acl_before" "$PS_TMP/acl_after"
	# at most 256 entries
	for ((i = 0; i < 254; i++)); do
		echo "acl add 192.168.$i.0/24"
	done >"$f"
	cmd_ok p -b "$f"
	cmd_fail_rc 1 p acl add 172.16.0.0/12
	assert_grep -i "full" "$ERR" "stderr"
	cmd_ok p acl list
	assert_eq 256 "$(nlines "$OUT")" "acl entries"
}

test_bad_acl()
{
	local x

	bad_setup
	cmd_ok p acl add 10.0.0.0/8
	p -j acl list >"$PS_TMP/acl_before"
	for x in 10.0.0.0/33 fd00::/129 10.0.0.0/-1 10.0.0.0/8/8 10.0.0.0/ \
		10.0.0.0/x /8 10.0.0.300/8 10.0.0/8 fd00:::/64 '[fd00::]/64' \
		localhost bogus ''; do
		bad_args "$x" acl add "$x"
		bad_args "$x" acl del "$x"
	done
	bad_args bogus acl add 10.1.0.0/16 bogus
	bad_args Third-Party acl add 10.1.0.0/16 Third-Party
	bad_args third-party acl add 10.1.0.0/16 third-party third-party
	bad_args third-party acl del 10.0.0.0/8 third-party
	bad_args extra acl del 10.0.0.0/8 extra
	p -j acl list >"$PS_TMP/acl_after"
	cmd_ok diff -u "$PS_TMP/acl_before" "$PS_TMP/acl_after"
	bad_done
}

ktap_plan 28
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
run_test "help and --help for every command" test_help
run_test "malformed ports: exit 2, token named, no change" test_bad_ports
run_test "malformed addresses: exit 2, token named, no change" test_bad_addresses
run_test "malformed options: exit 2, token named, no change" test_bad_options
run_test "unknown words, extra args, unknown commands: exit 2" test_bad_words
run_test "list and port list of an empty state print nothing" test_empty
run_test "stats: every counter, PORT filter, replays through -b" test_stats
run_test "JSON stats (-j, -p, stats PORT)" test_stats_json
run_test "stats: empty state, port without list, unknown port (exit 1)" test_stats_edges
run_test "list/port list show non-zero extra counters (sampled)" test_list_counters
run_test "acl add/del/list: IPv4, IPv6, third-party, text and JSON" test_acl
run_test "acl list replays through -b - identically" test_acl_roundtrip
run_test "acl: host bits, duplicates, absent, full refused by the kernel" test_acl_refused
run_test "acl: malformed networks and words: exit 2, no change" test_bad_acl
ktap_finished
