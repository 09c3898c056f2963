# SPDX-License-Identifier: GPL-2.0
#
# psnl_lib.sh: what psnl.sh, psnl_input.sh and psnl_acl.sh share: a fresh
# namespace $NS whose lo carries the addresses secondaries use (so no
# datagram, copy or SHUTDOWN, can leave it), a populated state with its
# expected listings, JSON comparison, and bad_args for refused commands.
#
#	+---------------- $NS / $NS2 ---------------+
#	|  lo: 127.0.0.1 10.0.0.5 10.0.0.6 10.0.0.7 |
#	|      fd00::5 fd00::6                      |
#	|  psnl -n $NS                              |
#	+-------------------------------------------+

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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
# P0, R0, S0 and PR0 (P0 and R0) stand for all-zero counter objects, D0
# for a port's default dead-errors, dead-period and hold (**D0).
json_eq()
{
	if ! PYTHONPATH=$PS_REPO/selftests/portshare PYTHONDONTWRITEBYTECODE=1 \
		python3 - "$1" "$2" >"$PS_TMP/json" 2>&1 <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    got = json.load(f)
from counters import P0, R0, S0, PR0, D0
want = eval(sys.argv[2], {"null": None, "true": True, "false": False,
                          "P0": P0, "R0": R0, "S0": S0, "PR0": PR0,
                          "D0": D0})
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
REG0="reg_requests 0 reg_ok 0 reg_errors 0 reg_denied 0 reg_rate_limited 0 reg_not_permitted 0 reg_list_full 0 reg_ignored 0 reg_send_errors 0 reg_verify 0"
SEC0="copies 0 bytes 0 sampled 0 skip_filtered 0 skip_dead 0 drop_nomem 0 drop_noroute 0 drop_xmit 0 drop_family 0 drop_toobig 0 drop_rcvbuf 0 drop_nosocket 0 drop_filter 0 drop_dest 0 drop_nosrc 0 drop_budget 0 drop_ratelimited 0 icmp_errors 0 probes 0"

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
