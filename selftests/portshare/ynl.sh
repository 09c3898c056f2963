#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ynl.sh: the family through an independent client, the kernel's own YNL
# CLI (linux-source-6.12's tools/net/ynl/cli.py, extracted by scripts/deps)
# reading uapi/linux/portshare.yaml, cross-checked with psnl -j.
#
#	+------------------------------ $NS --------------------------------+
#	|  lo: 10.0.0.5 fd00::5 (the secondaries: SHUTDOWN stays in $NS)    |
#	|  cli.py --do/--dump ...  --\                                       |
#	|                             >-- genetlink "portshare" --> module    |
#	|  psnl -j ...  -------------/                                       |
#	|  cli.py --subscribe events  <-- "events" --  psnl port del         |
#	+-------------------------------------------------------------------+
#
# cli.py requests every command (port, secondary and acl; do and dump) and
# decodes the replies by the spec alone; psnl, which builds on the header,
# must see the same state, so a wrong attribute type, id or enum in the
# spec fails here.  Rejections must show the kernel's extack message and
# the attribute it blames, named by the spec.  Of the events, YNL can
# describe only SHUTDOWN (the spec says why), so that is the one received.
#
# cli.py is a Python process per call, about 2 s each under TCG: the tests
# share one namespace and batch requests with --multi.
# YNL_SPEC=FILE tests another spec (a wrong one must fail).

. "$(dirname "$0")/lib.sh"

YNL_DIR=${PORTSHARE_CACHE:-/var/cache/portshare}/linux-6.12
CLI=$YNL_DIR/tools/net/ynl/cli.py
SCHEMA=$YNL_DIR/Documentation/netlink/genetlink-legacy.yaml
SPEC=${YNL_SPEC:-$PS_REPO/uapi/linux/portshare.yaml}
NS=
# fd00::5, fd00:: and fd00:1:: as cli.py takes a binary attribute: bytes in hex
FD00_5=fd000000000000000000000000000005
FD00_0=fd000000000000000000000000000000
FD00_1=fd000001000000000000000000000000

# Why the suite cannot run, if it cannot: each test then skips.
ynl_missing()
{
	if [ ! -f "$CLI" ]; then
		echo "no $CLI: 'make deps' extracts it from linux-source-6.12"
	elif [ ! -f "$SPEC" ]; then
		echo "no spec $SPEC"
	elif ! python3 -c 'import yaml' 2>/dev/null; then
		echo "python3 cannot import yaml (python3-yaml)"
	fi
}
YNL_MISSING=$(ynl_missing)

# with_ynl FUNC: run the test FUNC, or skip it saying what is missing.
with_ynl()
{
	[ -z "$YNL_MISSING" ] || skip "$YNL_MISSING"
	read -r NS <"$PS_TMP/ns" || fail "no namespace: the first test failed"
	"$@"
}

# ynl ARGS...: cli.py in $NS, JSON out (the spec was validated once).
ynl()
{
	ip netns exec "$NS" python3 "$CLI" --spec "$SPEC" --no-schema \
		--output-json "$@"
}

p()
{
	psnl -n "$NS" "$@"
}

# ip4 A.B.C.D: the address as the integer cli.py takes for a be32.
ip4()
{
	local IFS=. a

	read -r -a a <<<"$1"
	echo $(((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]))
}
SEC4=$(ip4 10.0.0.5)
NET4=$(ip4 10.1.0.0)

# json_same WHAT JQ_FILTER FILE EXPECTED_FILE: FILE, through JQ_FILTER,
# equals the JSON in EXPECTED_FILE (keys in any order).
json_same()
{
	local what=$1 filter=$2 got=$3 want=$4

	if ! jq -e -n --slurpfile got "$got" --slurpfile want "$want" \
		"$JQ_DEFS (\$got[0] | $filter) == \$want[0]" >/dev/null; then
		diag "FAIL: $what: cli.py's reply differs from psnl's"
		diag "cli.py (through the filter):"
		jq -S "$JQ_DEFS $filter" "$got" | diag
		diag "psnl:"
		jq -S . "$want" | diag
		exit 1
	fi
}

# cli.py's objects in psnl's shape (docs/psnl-json.md): the spec's names
# with dashes, psnl's with underscores and without the counters' port- and
# sec- prefixes (sec-filtered is psnl's skip_filtered, sec-dead-skipped
# its skip_dead); a FROM nest is psnl's "ADDR/LEN", and psnl has no "from"
# without a filter, no "hold" of 0 and no "dead_for" while up.
JQ_DEFS='
def counters(pfx): with_entries(.key |= (ltrimstr(pfx) | gsub("-"; "_") |
	if . == "filtered" then "skip_filtered"
	elif . == "dead_skipped" then "skip_dead" else . end));
def net: "\(.addr4 // .addr6)/\(.["prefix-len"])";
def port: {port, reg_port: (.["reg-port"] // null),
	max_secondaries: .["max-secondaries"],
	dead_errors: .["dead-errors"], dead_period: .["dead-period"], hold,
	secondaries: .["num-secondaries"], stats: (.stats | counters("port-"))};
def family: if has("addr4") then "inet" else "inet6" end;
def sec: {port, family: family, addr: (.addr4 // .addr6),
	data_port: .["data-port"], mode, sample, state: (.state // "up"),
	stats: (.stats | counters("sec-"))} +
	(if .from then {from: (.from | map(net))} else {} end) +
	(if (.hold // 0) != 0 then {hold} else {} end) +
	(if has("dead-for") then {dead_for: .["dead-for"]} else {} end);
def acl: {family: family, addr: (.addr4 // .addr6),
	prefix_len: .["prefix-len"],
	third_party: (.["acl-flags"] | index("third-party") != null),
	verify: (.["acl-flags"] | index("verify") != null)};
'

# assert_extack ERRNO_TEXT MSG [BAD_ATTR]: cli.py failed with the kernel's
# error, extack message and blamed attribute (named by the spec).
assert_extack()
{
	assert_eq 1 "$LAST_RC" "cli.py's exit status"
	assert_grep -F "Netlink error: $1" "$OUT"
	assert_grep -F "'msg': '$2'" "$OUT" "the kernel's extack message"
	[ -z "${3:-}" ] ||
		assert_grep -F "'bad-attr': '.$3'" "$OUT" "the attribute it blames"
}

test_spec()
{
	[ -z "$YNL_MISSING" ] || skip "$YNL_MISSING"
	setup_ns NS
	echo "$NS" >"$PS_TMP/ns"
	ip -n "$NS" -b - <<-EOF
	addr add 10.0.0.5/32 dev lo
	addr add fd00::5/128 dev lo nodad
	EOF
	# the one run that validates the spec: the rest use --no-schema
	cmd_ok python3 "$CLI" --spec "$SPEC" --schema "$SCHEMA" --list-ops
	# the modes come from a set: in any order
	sed -i 's/\[ dump, do \]/[ do, dump ]/' "$OUT"
	assert_text "$OUT" "port-new  [ do ]
port-del  [ do ]
port-get  [ do, dump ]
sec-add  [ do ]
sec-drop  [ do ]
sec-get  [ dump ]
acl-add  [ do ]
acl-del  [ do ]
acl-get  [ dump ]" "cli.py --list-ops"
}

test_ports()
{
	cmd_ok ynl --multi port-new '{"port": 427, "max-secondaries": 8}' \
		--multi port-new '{"port": 60000, "reg-off": true}'
	cmd_ok p -j port list
	cp "$OUT" "$PS_TMP/ports.json"
	cmd_ok ynl --do port-get --json '{"port": 427}'
	assert_grep -F '"reg-port": 13427' "$OUT"
	json_same "port-get 427" '[port]' "$OUT" <(jq '[.[0]]' "$PS_TMP/ports.json")
	cmd_ok ynl --dump port-get
	json_same "the port-get dump" 'map(port)' "$OUT" "$PS_TMP/ports.json"
	assert_grep -F '"reg-off": true' "$OUT"
}

test_secondaries()
{
	local v4="{\"port\": 427, \"addr4\": $SEC4, \"mode\": \"raw\"}"
	local v6="{\"port\": 427, \"addr6\": \"$FD00_5\", \"data-port\": 9000,
		\"sample\": 3, \"from\": [{\"addr6\": \"$FD00_0\", \"prefix-len\": 8},
		{\"addr4\": $NET4, \"prefix-len\": 16}]}"

	cmd_ok ynl --multi sec-add "$v4" --multi sec-add "$v6"
	cmd_ok p -j list
	cp "$OUT" "$PS_TMP/secs.json"
	assert_eq 2 "$(jq length "$PS_TMP/secs.json")" "secondaries psnl lists"
	cmd_ok ynl --dump sec-get --json '{"port": 427}'
	json_same "the sec-get dump" 'map(sec)' "$OUT" "$PS_TMP/secs.json"
	assert_grep -F '"addr4": "10.0.0.5"' "$OUT"
	assert_grep -F '"addr6": "fd00::5"' "$OUT"
	assert_grep -F '"sec-drop-budget": 0' "$OUT"
	assert_grep -F '"from":["fd00::/8","' "$PS_TMP/secs.json" \
		"psnl -j list: the filter cli.py gave"
}

test_acl()
{
	local v4="{\"addr4\": $NET4, \"prefix-len\": 16}"
	local v4tp="{\"addr4\": $NET4, \"prefix-len\": 16, \"acl-flags\": [\"third-party\"]}"
	local v6="{\"addr6\": \"$FD00_1\", \"prefix-len\": 32}"

	cmd_ok ynl --multi acl-add "$v4tp" --multi acl-add "$v6"
	cmd_ok p -j acl list
	cp "$OUT" "$PS_TMP/acl.json"
	cmd_ok ynl --dump acl-get
	json_same "the acl-get dump" 'map(acl)' "$OUT" "$PS_TMP/acl.json"
	cmd_ok ynl --do acl-del --json "$v4"
	cmd_ok p -j acl list
	assert_text "$OUT" '[{"family":"inet6","addr":"fd00:1::","prefix_len":32,"third_party":false,"verify":false}]' \
		"psnl -j acl list after acl-del"
}

test_drop_and_del()
{
	cmd_ok ynl --do sec-drop --json "{\"port\": 427, \"addr4\": $SEC4}"
	cmd_ok p -j list 427
	assert_eq '[["fd00::5",9000]]' "$(jq -c 'map([.addr, .data_port])' "$OUT")" \
		"secondaries after sec-drop"
	cmd_ok ynl --do port-del --json '{"port": 427}'
	cmd_ok p -j port list
	assert_eq '[60000]' "$(jq -c 'map(.port)' "$OUT")" "ports after port-del"
	# a dump's rejection carries its extack too (on 6.1 without the
	# attribute's offset)
	cmd_fail ynl --dump sec-get --json '{"port": 427}'
	assert_extack "No such file or directory" "port 427 is not designated"
}

test_reject_exists()
{
	snapshot before
	cmd_fail ynl --do port-new --json '{"port": 60000, "reg-off": true}'
	assert_extack "File exists" "port 60000 is already designated" port
	unchanged before
}

# The policy's own rejection: its message and the range, as cli.py
# decodes NLMSGERR_ATTR_POLICY.
test_reject_range()
{
	snapshot before
	cmd_fail ynl --do port-new --json '{"port": 1000, "max-secondaries": 4097}'
	assert_extack "Numerical result out of range" "integer out of range" \
		max-secondaries
	assert_grep -F "'max-value': 4096" "$OUT"
	unchanged before
}

# An attribute only replies and events carry, in a request: the policy
# rejects it with the message kmod/nl_family.c gives the attributes the
# generated policy leaves out, and blames it.
test_reject_reply_only()
{
	snapshot before
	cmd_fail ynl --do port-new --json '{"port": 1000, "num-secondaries": 1}'
	assert_extack "Invalid argument" \
		"attribute is only used in replies and events" num-secondaries
	unchanged before
}

# cli.py reads what arrived after --sleep; psnl designates and undesignates
# a port with a secondary until it has, and every round multicasts a
# SHUTDOWN (and port and secondary events, which YNL cannot decode: cli.py
# prints them as unexpected).
test_events()
{
	local pid n=0 lines

	ynl --subscribe events --sleep 2 >"$PS_TMP/events" 2>"$PS_TMP/events.err" &
	pid=$!
	echo "$pid" >>"$PS_TMP/pids"
	# Paced: cli.py reads its events only after its sleep, and with a
	# static psnl unpaced rounds overran its socket's buffer on a loaded
	# host (ENOBUFS). At two rounds a second they do not even with a
	# 10 s sleep (runs of 2026-12-05).
	while kill -0 "$pid" 2>/dev/null && [ $((n += 1)) -le 300 ]; do
		cmd_ok p add 500 10.0.0.5:9500
		cmd_ok p port del 500
		nap 0.5
	done
	wait "$pid" || fail "cli.py --subscribe failed: $(<"$PS_TMP/events.err")"
	mapfile -t lines <"$PS_TMP/events"
	[ "${#lines[@]}" -gt 0 ] || fail "cli.py printed nothing"
	printf '%s\n' "${lines[-1]}" >"$PS_TMP/ntf.json"
	if ! jq -e 'length > 0 and all(. == {"name": "shutdown", "msg":
		{"port": 500, "reg-port": 13500, "num-secondaries": 1}})' \
		"$PS_TMP/ntf.json" >/dev/null; then
		diag "FAIL: expected SHUTDOWN events of port 500, got:"
		diag <"$PS_TMP/ntf.json"
		exit 1
	fi
	diag "$(jq length "$PS_TMP/ntf.json") SHUTDOWN events in $n rounds"
}

ktap_plan 9
require_portshare
run_test "the spec is valid genetlink-legacy; cli.py lists its operations" test_spec
run_test "port-new, then port-get (do and dump) equals psnl -j port list" with_ynl test_ports
run_test "sec-add IPv4 and IPv6; the sec-get dump with stats equals psnl -j list" with_ynl test_secondaries
run_test "acl-add IPv4 (third-party) and IPv6, acl-get equals psnl, acl-del" with_ynl test_acl
run_test "sec-drop and port-del; a dump of the port is refused with extack" with_ynl test_drop_and_del
run_test "port-new of a designated port: EEXIST with the kernel's message" with_ynl test_reject_exists
run_test "max-secondaries over 4096: the policy's message and range" with_ynl test_reject_range
run_test "num-secondaries in a request: rejected as reply-only, blamed" with_ynl test_reject_reply_only
run_test "cli.py --subscribe events receives SHUTDOWN events" with_ynl test_events
ktap_finished
