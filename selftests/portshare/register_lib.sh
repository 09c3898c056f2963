# SPDX-License-Identifier: GPL-2.0
#
# register_lib.sh: what register.sh and register_life.sh share: the
# topology (datapath_lib.sh), psreq, reading the list and the registration
# counters, proving silence, and the setup test both start with.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/datapath_lib.sh"

# a probe whose reply (305) goes to psreq's second socket
PROBE=PROBE

suite_cleanup()
{
	restore_backlog
	[ -w $PARAMS/reg_rate ] && echo 10 >$PARAMS/reg_rate
	[ -w $PARAMS/reg_burst ] && echo 20 >$PARAMS/reg_burst
	return 0
}

# req NS --to ... REQUEST...: psreq in namespace NS, replies in $OUT.
req()
{
	local ns=$1
	shift

	cmd_ok "$PSREQ" -n "$ns" "$@"
}

# replay_port PORT: what psnl list and psnl port list print, fed back
# through psnl -b after "port del PORT", gives PORT in $PRI the same list.
replay_port()
{
	list_of "$1" >"$PS_TMP/replay.before"
	cmd_ok psnl -n "$PRI" list
	cp "$OUT" "$PS_TMP/saved"
	cmd_ok psnl -n "$PRI" port list
	cat "$OUT" "$PS_TMP/saved" >"$PS_TMP/batch"
	cmd_ok psnl -n "$PRI" port del "$1"
	cmd_ok psnl -n "$PRI" -b "$PS_TMP/batch"
	list_of "$1" >"$PS_TMP/replay.after"
	assert_text "$PS_TMP/replay.after" "$(<"$PS_TMP/replay.before")" \
		"psnl -b of psnl list"
}

# The distribution list of PORT in $PRI without counters, one line each.
list_of()
{
	local l

	psnl -n "$PRI" list "$1" >"$PS_TMP/list" || return 1
	while IFS= read -r l; do
		printf '%s\n' "${l%%$'\t'*}"
	done <"$PS_TMP/list"
}

# assert_list PORT EXPECTED: the list, as list_of prints it.
assert_list()
{
	list_of "$1" >"$PS_TMP/l"
	assert_text "$PS_TMP/l" "$2" "port $1's list"
}

# A registration counter of PORT in NS, default $PRI (psnl -j port list,
# docs/psnl-json.md); fails when the port or the counter is missing.
reg_stat()
{
	port_stat "$1" "reg_$2" "${3:-}"
}

# reg_stat_over PORT NAME N [NS]: the counter is above N.
reg_stat_over()
{
	local n

	n=$(reg_stat "$1" "$2" "${4:-}")
	[ -n "$n" ] && [ "$n" -gt "$3" ]
}

# Every request on PORT's registration port is counted once:
# requests = ok + errors + denied + rate_limited + ignored.
assert_reg_sum()
{
	local n sum

	psnl -n "$PRI" -j port list >"$PS_TMP/ports.json"
	read -r n sum < <(jq -r --argjson port "$1" '.[] | select(.port == $port) |
		.stats as $s |
		["requests", "ok", "errors", "denied", "rate_limited", "ignored"] |
		map($s["reg_" + .] // error("no reg_" + .)) |
		[.[0], (.[1:] | add)] | @tsv' "$PS_TMP/ports.json") ||
		fail "no registration counters for port $1 in: $(<"$PS_TMP/ports.json")"
	assert_eq "$n" "$sum" "port $1: reg_requests vs the sum of the outcomes"
}

# hex TEXT: the lowercase hex of TEXT, as pstraffic recv writes payloads.
hex()
{
	local s=$1 i h out=

	for ((i = 0; i < ${#s}; i++)); do
		printf -v h '%02x' "'${s:i:1}"
		out+=$h
	done
	echo "$out"
}

# count_dgrams FILE SRC SPORT TEXT: how many datagrams in a pstraffic recv
# FILE came from SRC:SPORT with exactly TEXT as payload.
count_dgrams()
{
	local file=$1 src=$2 sport=$3 want n=0 a p l h
	want=$(hex "$4")

	while read -r a p l h; do
		[ "$a" = "$src" ] && [ "$p" = "$sport" ] && [ "$h" = "$want" ] &&
			n=$((n + 1))
	done <"$file"
	echo "$n"
}

shutdowns_are()
{
	[ "$(count_dgrams "$PS_TMP/$1" "$2" "$3" "SHUTDOWN $2 $3")" = "$4" ]
}

# silent PORT WHY NS PSREQ-ARGS... REQUEST...: every request goes
# unanswered, counted as reg_WHY (denied, rate_limited, ignored).  The
# count proves it without a wait: such a request is dropped where it is
# counted, and never answered (docs/protocol.md §1.2).
silent()
{
	local port=$1 why=$2 ns=$3 n0 n
	shift 3

	n0=$(reg_stat "$port" "$why")
	cmd_ok "$PSREQ" -n "$ns" --wait 0 "$@"
	n=$(nlines "$OUT")
	assert_text "$OUT" "$(printf -- '-\n%.0s' $(seq "$n"))" "replies"
	busywait 10000 port_stat_is "$port" "reg_$why" $((n0 + n)) ||
		fail "$n requests, but reg_$why went from $n0 to $(reg_stat "$port" "$why")"
}

load_topology()
{
	read_topology
	echo 0 >$PARAMS/reg_rate
}

# Every designated port and acl entry of $PRI and $REM gone.
reset_all()
{
	load_topology
	ps_reset
	psnl -n "$PRI" acl list >"$PS_TMP/acl"
	while read -r _ _ net _; do
		psnl -n "$PRI" acl del "$net"
	done <"$PS_TMP/acl"
}


test_setup()
{
	require_datapath
	[ -x "$PSREQ" ] || fail "missing $PSREQ: make -C selftests/portshare"
	setup_topology
	echo 0 >$PARAMS/reg_rate
	cmd_ok pri port add 162
	cmd_ok ip netns exec "$PRI" ss -Hnul sport = :13162
	assert_grep -F "0.0.0.0:13162" "$OUT" "IPv4 registration socket"
	# "*" where ss reads /proc (no inet_diag), which lacks IPV6_V6ONLY
	assert_grep '(\[::\]|\*):13162' "$OUT" "IPv6 registration socket"
}

