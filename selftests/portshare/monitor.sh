#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# monitor.sh: `psnl monitor` (text) and `psnl -j monitor` (JSON lines) against
# golden event sequences.
#
# Topology: each test gets a fresh namespace $NS; a monitor runs in it in
# the background while psnl changes the state there.  Secondaries use
# addresses on $NS's lo, so SHUTDOWN datagrams stay inside $NS:
#
#	+--------------------- $NS ----------------------+
#	|  lo: 10.0.0.5 10.0.0.6 10.0.0.7 fd00::5        |
#	|  psnl monitor > file   <-- events --  psnl ... |
#	+------------------------------------------------+
#
# Synchronisation without sleeps: a marker port is designated and removed
# until the monitor prints it (then the monitor is subscribed), and the
# events of a test are the lines between two such markers (netlink keeps
# the order of one socket's multicast messages).
#
# What it tests: port add / port del, secondary add / drop (reason netlink),
# SHUTDOWN and the purge of the list on port del (reason shutdown),
# auto-designation by `psnl add`, that refused requests emit nothing, and
# that the JSON lines carry the documented "time", "netns", "event" and
# "reason" values.
# Events of the ports= module parameter happen at load, before a monitor
# can run, so they are not tested here.

. "$(dirname "$0")/lib.sh"

NS=
MON_PID=

p()
{
	psnl -n "$NS" "$@"
}

new_ns()
{
	setup_ns NS
	ip -n "$NS" -b - <<-EOF
	addr add 10.0.0.5/32 dev lo
	addr add 10.0.0.6/32 dev lo
	addr add 10.0.0.7/32 dev lo
	addr add fd00::5/128 dev lo nodad
	EOF
}

# Does the monitor output $1 show "port del $2" (text or JSON)?
saw_port_del()
{
	local line

	while IFS= read -r line; do
		[[ $line == "port del $2" ]] && return 0
		[[ $line == *'"port_del"'* ]] && is_marker "$line" "$2" && return 0
	done <"$1"
	return 1
}

# marker FILE PORT: designate and remove PORT until FILE shows it.
marker()
{
	local file=$1 port=$2

	busywait 10000 marker_once "$file" "$port" ||
		fail "the monitor did not report port $port within 10s"
}

marker_once()
{
	p port add "$2" reg $(($2 - 60000)) >/dev/null 2>&1
	p port del "$2" >/dev/null 2>&1
	saw_port_del "$1" "$2"
}

# mon_start NAME [PSNL OPTIONS]: monitor into $PS_TMP/NAME, synced.
# MON_CMD, if set, runs the monitor instead of "psnl -n $NS".
mon_start()
{
	local name=$1
	shift

	echo "${EPOCHREALTIME/,/.}" >"$PS_TMP/$name.start"
	${MON_CMD:-psnl -n "$NS"} "$@" monitor >"$PS_TMP/$name" 2>"$PS_TMP/$name.err" &
	MON_PID=$!
	echo "$MON_PID" >>"$PS_TMP/pids"
	marker "$PS_TMP/$name" 65001
}

# mon_stop NAME: end marker, stop the monitor, print the events between
# the markers to $PS_TMP/NAME.events.
mon_stop()
{
	local name=$1

	marker "$PS_TMP/$name" 65002
	kill -0 "$MON_PID" 2>/dev/null || fail "the monitor died: $(<"$PS_TMP/$name.err")"
	bg_kill "$MON_PID"
	assert_empty "$PS_TMP/$name.err" "monitor stderr"
	between_markers "$PS_TMP/$name" >"$PS_TMP/$name.events"
}

# The lines after the last "port del 65001" and before the first line about
# port 65002 (text or JSON lines).
is_marker()
{
	local line=$1 port=$2

	[[ $line =~ ^port\ (add|del)\ $port( |$) ]] && return 0
	[[ $line =~ ^shutdown\ $port\  ]] && return 0
	[[ $line =~ \"port\":\ ?${port}[,}] ]]
}

between_markers()
{
	local lines=() line i start=-1

	mapfile -t lines <"$1"
	for i in "${!lines[@]}"; do
		line=${lines[i]}
		if [[ $line == "port del 65001" ]] ||
		   { [[ $line == *'"port_del"'* ]] && is_marker "$line" 65001; }; then
			start=$i
		fi
	done
	[ "$start" -ge 0 ] || return 0
	for ((i = start + 1; i < ${#lines[@]}; i++)); do
		is_marker "${lines[i]}" 65002 && break
		printf '%s\n' "${lines[i]}"
	done
}

events_are()
{
	assert_text "$PS_TMP/$1.events" "$2" "events"
}

# json_events_are NAME PY_LIST: every line of the monitor's output is a
# JSON object that starts with "time" (RFC 3339, UTC, ns, between the
# monitor's start and now) and "netns" ($NS), and those between the
# markers are, without these two, exactly PY_LIST.
json_events_are()
{
	if ! PYTHONPATH=$PS_REPO/selftests/portshare PYTHONDONTWRITEBYTECODE=1 \
		python3 - "$PS_TMP/$1.events" "$2" "$PS_TMP/$1" "$NS" \
		"$(<"$PS_TMP/$1.start")" >"$PS_TMP/jsondiag" 2>&1 <<'EOF'
import datetime, json, re, sys, time
start, now = float(sys.argv[5]), time.time()
# every line the monitor printed is one JSON object, markers included
for l in open(sys.argv[3]).read().splitlines():
    o = json.loads(l)
    assert isinstance(o, dict), l
    assert list(o)[:3] == ["time", "netns", "event"], l
    assert o["netns"] == sys.argv[4], l
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{9})Z", o["time"])
    assert m, l
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp() + int(m.group(2)) / 1e9
    assert start - 1 <= t <= now + 1, (start, t, now, l)
got = [json.loads(l) for l in open(sys.argv[1]).read().splitlines() if l]
for g in got:
    del g["time"], g["netns"]
from counters import P0, R0, S0, PR0, D0
want = eval(sys.argv[2], {"null": None, "P0": P0, "S0": S0, "PR0": PR0,
                          "D0": D0})
ok = len(got) == len(want)
for i, (g, w) in enumerate(zip(got, want)):
    if g != w:
        ok = False
        print("event %d:" % (i + 1))
        print("  expected: " + json.dumps(w, sort_keys=True))
        print("  got:      " + json.dumps(g, sort_keys=True))
if len(got) != len(want):
    print("expected %d events, got %d" % (len(want), len(got)))
    for g in got:
        print("  " + json.dumps(g, sort_keys=True))
sys.exit(0 if ok else 1)
EOF
	then
		diag "FAIL: JSON events differ"
		diag <"$PS_TMP/jsondiag"
		exit 1
	fi
}

test_text()
{
	new_ns
	mon_start text
	cmd_ok p port add 427
	cmd_ok p add 427 10.0.0.5
	cmd_ok p add 427 '[fd00::5]:9000' mode raw sample 3
	cmd_ok p drop 427 10.0.0.5
	cmd_ok p add 427 10.0.0.6:9001 mode transparent
	cmd_ok p port add 60000 reg 14000 max 3
	cmd_ok p add 60000 10.0.0.7
	cmd_ok p drop 60000 10.0.0.7
	cmd_ok p port del 427
	mon_stop text
	events_are text "port add 427 reg 13427 max 64
add 427 10.0.0.5:13427 mode encap
add 427 [fd00::5]:9000 mode raw sample 3
drop 427 10.0.0.5:13427 reason netlink
add 427 10.0.0.6:9001 mode transparent
port add 60000 reg 14000 max 3
add 60000 10.0.0.7:14000 mode encap
drop 60000 10.0.0.7:14000 reason netlink
shutdown 427 reg 13427 secondaries 2
drop 427 [fd00::5]:9000 reason shutdown
drop 427 10.0.0.6:9001 reason shutdown
port del 427"
}

test_json()
{
	new_ns
	mon_start json -j
	cmd_ok p port add 427
	cmd_ok p add 427 10.0.0.5
	cmd_ok p add 427 '[fd00::5]:9000' mode raw sample 3
	cmd_ok p drop 427 10.0.0.5
	cmd_ok p port add 60000 reg off max 3
	cmd_ok p port del 427
	mon_stop json
	# docs/psnl-json.md: events carry the keys of the listing objects
	json_events_are json '[
	{"event": "port_add", "reason": "netlink", "port": 427, "reg_port": 13427,
	 "max_secondaries": 64, **D0, "secondaries": 0, "stats": PR0},
	{"event": "sec_add", "reason": "netlink", "port": 427, "family": "inet",
	 "addr": "10.0.0.5", "data_port": 13427, "mode": "encap", "sample": 1,
	 "state": "up", "stats": S0},
	{"event": "sec_add", "reason": "netlink", "port": 427, "family": "inet6",
	 "addr": "fd00::5", "data_port": 9000, "mode": "raw", "sample": 3,
	 "state": "up", "stats": S0},
	{"event": "sec_drop", "reason": "netlink", "port": 427, "family": "inet",
	 "addr": "10.0.0.5", "data_port": 13427, "mode": "encap", "sample": 1,
	 "state": "up", "stats": S0},
	{"event": "port_add", "reason": "netlink", "port": 60000, "reg_port": null,
	 "max_secondaries": 3, **D0, "secondaries": 0, "stats": P0},
	{"event": "shutdown", "port": 427, "reg_port": 13427, "secondaries": 1},
	{"event": "sec_drop", "reason": "shutdown", "port": 427, "family": "inet6",
	 "addr": "fd00::5", "data_port": 9000, "mode": "raw", "sample": 3,
	 "state": "up", "stats": S0},
	{"event": "port_del", "reason": "netlink", "port": 427, "reg_port": 13427,
	 "max_secondaries": 64, **D0, "secondaries": 0, "stats": PR0}]'
}

# Without -n the namespace is named as "ip netns identify" names it.
test_json_own_netns()
{
	new_ns
	MON_CMD="ip netns exec $NS psnl" mon_start own -j
	cmd_ok p add 427 10.0.0.5
	mon_stop own
	json_events_are own '[
	{"event": "port_add", "reason": "netlink", "port": 427, "reg_port": 13427,
	 "max_secondaries": 64, **D0, "secondaries": 0, "stats": PR0},
	{"event": "sec_add", "reason": "netlink", "port": 427, "family": "inet",
	 "addr": "10.0.0.5", "data_port": 13427, "mode": "encap", "sample": 1,
	 "state": "up", "stats": S0}]'
}

test_auto_designate()
{
	new_ns
	mon_start auto
	cmd_ok p add 1427 10.0.0.7
	cmd_ok p add 1427 10.0.0.7:9000
	mon_stop auto
	events_are auto "port add 1427 reg 14427 max 64
add 1427 10.0.0.7:14427 mode encap
add 1427 10.0.0.7:9000 mode encap"
}

test_refused_silent()
{
	new_ns
	cmd_ok p port add 427 max 1
	cmd_ok p add 427 10.0.0.5
	mon_start refused
	cmd_fail p port add 427
	cmd_fail p add 427 10.0.0.5
	cmd_fail p add 427 10.0.0.6
	cmd_fail p drop 427 10.0.0.6
	cmd_fail p port del 428
	cmd_fail p add 427 10.0.0.6 mode bogus
	cmd_fail p add 428 10.0.0.5:427
	mon_stop refused
	events_are refused ""
	cmd_ok p list
	assert_text "$OUT" "add 427 10.0.0.5:13427 mode encap	# copies 0 bytes 0"
}

test_two_monitors()
{
	local pid1

	new_ns
	mon_start one
	pid1=$MON_PID
	mon_start two
	cmd_ok p add 427 10.0.0.5
	cmd_ok p port del 427
	mon_stop two
	MON_PID=$pid1
	mon_stop one
	cmd_ok diff -u "$PS_TMP/one.events" "$PS_TMP/two.events"
	events_are one "port add 427 reg 13427 max 64
add 427 10.0.0.5:13427 mode encap
shutdown 427 reg 13427 secondaries 1
drop 427 10.0.0.5:13427 reason shutdown
port del 427"
}

ktap_plan 6
require_portshare
run_test "text monitor: port, secondary and shutdown events" test_text
run_test "JSON monitor: one object per line, time, netns, event and reason" test_json
run_test "JSON monitor without -n: netns is the name of its own namespace" test_json_own_netns
run_test "add of an undesignated port: port add, then add" test_auto_designate
run_test "refused requests emit no events" test_refused_silent
run_test "two monitors see the same events" test_two_monitors
ktap_finished
