#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# harden_reg.sh: the registration port's answers to the review of issue 16
# (read there as issue 11): loopback is one rate-limit source, queued
# requests are trimmed, looped datagrams are dropped before the rate
# limit, local registrations aim only at their own sockets, a forged ADD
# and DROP from the victim's LAN and the acl's "verify" that stops them
# (issue 17), and replies that fail to send.
#
# Topology (setup_lan): a LAN on a bridge in $PRI:
#
#	$VIC 10.96.0.2 --+
#	                 +-- br0 10.96.0.1/24 $PRI
#	$ATT 10.96.0.3 --+
#
# $VIC is a secondary host, $ATT an attacker on the same LAN.
# Tests that need no traffic use a namespace of their own.  pshard
# (pshard.c) sends forged datagrams; psreq (psreq.c) registration
# requests.  Traffic never leaves these namespaces.

. "$(dirname "$0")/harden_lib.sh"

# ---- the registration port under local flooding (item 6) -------------------

# Every 127/8 address, and ::1, is one rate-limit source: a local process
# may send from any of them.  Three loopback addresses send 10 requests
# each at reg_burst 10 and reg_rate 1: as three sources they would have at
# least 30 answered, as one at most 10 plus one per second elapsed (a
# GCRA: ratelimit.c), however slow the kernel.
test_loopback_one_source()
{
	local ns t0 us n1 n2 n3 max

	setup_ns ns
	cmd_ok psnl -n "$ns" port add 427
	set_rate 1 10
	t0=$(date +%s%N)
	cmd_ok "$PSREQ" -n "$ns" --to 127.0.0.1:13427 --wait 200 --repeat 10 \
		--from 127.0.0.1:7000 --from 127.0.0.2:7000 'DROP 127.0.0.1 427 9'
	read -r _ n1 n2 _ <"$OUT"
	cmd_ok "$PSREQ" -n "$ns" --to '[::1]:13427' --wait 200 --repeat 10 \
		--from '[::1]:7000' 'DROP ::1 427 9'
	read -r _ n3 _ <"$OUT"
	us=$((($(date +%s%N) - t0) / 1000))
	set_rate 10 20
	max=$((10 + us / 1000000 + 1))
	diag "answered: 127.0.0.1 $n1, 127.0.0.2 $n2, ::1 $n3 of 10 each in $us us"
	[ "$max" -lt 30 ] || fail "the requests took $us us: too slow to tell one source from three"
	assert_eq 10 "$n1" "127.0.0.1's burst answered"
	[ $((n1 + n2 + n3)) -le "$max" ] ||
		fail "$((n1 + n2 + n3)) of 30 answered in $us us: one source allows at most $max"
	assert_eq $((30 - n1 - n2 - n3)) "$(port_stat 427 reg_rate_limited "$ns")" \
		"reg_rate_limited"
}

# Requests wait in a 64-slot queue for the work item; each holds a copy of
# at most 513 bytes, not its datagram (up to 64 KiB of the sender's
# pages).  pshard keeps the work item off CPU 0 while it fills the queue.
test_queue_trimmed()
{
	local ns req ign drop

	setup_ns ns
	cmd_ok psnl -n "$ns" port add 427
	set_rate 0 20
	# no RT throttling for the burst: the work item must not run at all
	cp /proc/sys/kernel/sched_rt_runtime_us "$PS_TMP/rt_runtime"
	echo -1 >/proc/sys/kernel/sched_rt_runtime_us
	cmd_ok "$PSHARD" -n "$ns" regflood --to 127.0.0.1:13427 --count 72 \
		--size 60000 --port 427
	cat "$PS_TMP/rt_runtime" >/proc/sys/kernel/sched_rt_runtime_us
	read -r _ req _ ign _ drop <"$OUT"
	diag "72 requests of 60000 bytes: requests $req ignored $ign, MemFree fell $drop KiB while queued"
	set_rate 10 20
	# valid only if every request went through softirq (none waits in a
	# backlog left to ksoftirqd) and the work item took none of them yet
	[ "$req" = 72 ] && [ "$ign" = 8 ] ||
		skip "inconclusive: $req requests seen, $ign found the queue full (softirqs deferred, or the work item ran)"
	# 64 queued datagrams held 64 x 60000 bytes of pages
	[ "$drop" -lt 2048 ] || fail "MemFree fell by $drop KiB with 64 requests queued"
}

# A datagram from one of our own registration ports (a reply, copy or
# notice that came back) is dropped in softirq: it costs its source no
# rate budget and takes no place in the queue.
test_looped_softirq()
{
	local ns

	setup_ns ns
	cmd_ok psnl -n "$ns" port add 162
	cmd_ok psnl -n "$ns" port add 427
	set_rate 1 1
	cmd_ok "$PSHARD" -n "$ns" spoof --from 127.0.0.1:13162 \
		--to 127.0.0.1:13427 --count 5 'ADD 127.0.0.1 427'
	cmd_ok "$PSREQ" -n "$ns" --to 127.0.0.1:13427 --from 127.0.0.1:7000 \
		--wait 1000 'DROP 127.0.0.1 427 9'
	assert_replies "$OUT" "a request after 5 looped ones" NOT_IN_LIST
	assert_eq 5 "$(port_stat 427 reg_ignored "$ns")" "reg_ignored"
	assert_eq 0 "$(port_stat 427 reg_rate_limited "$ns")" "reg_rate_limited"
	set_rate 10 20
}

# ---- local registrations aim only at their own sockets (items 6, 7) --------

# hold_udp NS ADDR:PORT [PRIV...]: a UDP socket bound there (as PRIV, e.g.
# ${NOBODY[@]}) until the test ends.
hold_udp()
{
	local ns=$1 ep=$2 f=$PS_TMP/nobody/hold.$RANDOM
	shift 2

	chmod 755 "$PS_TMP"
	[ -d "$PS_TMP/nobody" ] || mkdir -m 0777 "$PS_TMP/nobody"
	bg ip netns exec "$ns" "$@" "$PSHARD" hold-udp "$ep" "$f"
	busywait 10000 test -s "$f" || fail "could not bind $ep"
}

# A local user may register only sockets of its own (or its request's own
# source socket, as a legacy secondary does); never a registration port;
# mode=transparent only as root.  Root may name any local port.
test_local_data_ports()
{
	local ns

	set_rate 10 20

	setup_ns ns
	cmd_ok psnl -n "$ns" port add 162
	cmd_ok psnl -n "$ns" port add 427
	hold_udp "$ns" 127.0.0.1:7101 "${NOBODY[@]}"
	hold_udp "$ns" 127.0.0.1:7102
	cmd_ok ip netns exec "$ns" "${NOBODY[@]}" "$PSREQ" \
		--to 127.0.0.1:13162 --from 127.0.0.1:7100 \
		'ADD 127.0.0.1 162 7101' 'ADD 127.0.0.1 162 7102' \
		'ADD 127.0.0.1 162 7103' 'ADD 127.0.0.1 162' \
		'ADD 127.0.0.1 162 7101 mode=transparent' \
		'ADD 127.0.0.1 162 13427' 'ADD 127.0.0.1 162 13162'
	assert_replies "$OUT" "an unprivileged user's ADDs" \
		"OK 127.0.0.1 13162" NOT_PERMITTED*2 "OK 127.0.0.1 13162" \
		NOT_PERMITTED LOOP*2
	cmd_ok "$PSREQ" -n "$ns" --to 127.0.0.1:13162 --from 127.0.0.1:7200 \
		'ADD 127.0.0.1 162 7103 mode=transparent' 'ADD 127.0.0.1 162 13427'
	assert_replies "$OUT" "root's ADDs" "OK 127.0.0.1 13162" LOOP
	cmd_ok psnl -n "$ns" list 162
	assert_text "$OUT" "add 162 127.0.0.1:7101 mode encap$T# copies 0 bytes 0
add 162 127.0.0.1:7100 mode encap$T# copies 0 bytes 0
add 162 127.0.0.1:7103 mode transparent$T# copies 0 bytes 0" "the list"
}

# ---- spoofed registrations (item 3) ---------------------------------------------

# setup_lan: $PRI with the bridge br0 (10.96.0.1/24) and on it the victim
# $VIC (10.96.0.2) and the attacker $ATT (10.96.0.3); see the header.
setup_lan()
{
	local n

	setup_ns PRI VIC ATT
	ip -n "$PRI" link add br0 type bridge || return 1
	for n in VIC ATT; do
		ip link add v netns "${!n}" type veth peer name "p$n" netns "$PRI"
		ip -n "$PRI" link set "p$n" master br0 up
		ip -n "${!n}" link set v up
	done
	ip -n "$PRI" addr add 10.96.0.1/24 dev br0
	ip -n "$PRI" link set br0 up
	ip -n "$VIC" addr add 10.96.0.2/24 dev v
	ip -n "$ATT" addr add 10.96.0.3/24 dev v
}

# spoof_attack FLAGS: with the acl entry 10.96.0.0/24 FLAGS on port 162,
# $ATT forges an ADD from the victim's address, and a DROP of the victim's
# real registration (which, with verify, answered its cookie).  Prints "added" if the forged ADD listed the victim,
# "dropped" if the forged DROP removed its registration.
spoof_attack()
{
	local list requests=4

	set_rate 10 20
	cmd_ok psnl -n "$PRI" port add 162
	# shellcheck disable=SC2086 # FLAGS are words
	cmd_ok psnl -n "$PRI" acl add 10.96.0.0/24 $1
	vic 'ADD 10.96.0.2 162 7000'
	if [[ $1 == *verify* ]]; then
		vic "ADD 10.96.0.2 162 7000 cookie=$(cookie_of "$OUT")"
		requests=5
	fi
	assert_replies "$OUT" "the victim's own ADD" "OK 10.96.0.1 13162"
	# the attacker's own request: its neighbour entries are resolved
	cmd_ok "$PSREQ" -n "$ATT" --to 10.96.0.1:13162 --from 10.96.0.3:7000 \
		'DROP 10.96.0.3 162 1'
	cmd_ok "$PSHARD" -n "$ATT" spoof --from 10.96.0.2:5555 \
		--to 10.96.0.1:13162 'ADD 10.96.0.2 162 9999'
	cmd_ok "$PSHARD" -n "$ATT" spoof --from 10.96.0.2:5555 \
		--to 10.96.0.1:13162 'DROP 10.96.0.2 162 7000'
	busywait 10000 all_answered "$PRI" 162 "$requests" ||
		fail "the forged requests never arrived"
	list=$(psnl -n "$PRI" list 162)
	[[ $list == *"10.96.0.2:9999 "* ]] && echo added
	[[ $list == *"10.96.0.2:7000 "* ]] || echo dropped
}

# all_answered NS PORT N: PORT's registration port received N requests
# and is done with all of them (answered, refused or ignored).
all_answered()
{
	local c n sum=0

	[ "$(port_stat "$2" reg_requests "$1")" = "$3" ] || return 1
	for c in reg_ok reg_errors reg_verify reg_denied reg_rate_limited \
		reg_ignored; do
		n=$(port_stat "$2" $c "$1") || return 1
		sum=$((sum + n))
	done
	[ "$sum" = "$3" ]
}

# vic REQUEST...: psreq from the victim's 10.96.0.2:7000 to port 162's
# registration port.
vic()
{
	cmd_ok "$PSREQ" -n "$VIC" --to 10.96.0.1:13162 --from 10.96.0.2:7000 \
		"$@"
}

# cookie_of FILE: the cookie of the "102 VERIFY COOKIE" in FILE.
cookie_of()
{
	local l

	while IFS= read -r l; do
		[[ $l =~ ^102\ VERIFY\ ([0-9a-f]{16})$ ]] &&
			echo "${BASH_REMATCH[1]}" && return 0
	done <"$1"
	fail "no \"102 VERIFY COOKIE\" in: $(<"$1")"
}

# codes FILE: each reply of FILE without its cookie or text after the
# second word.
codes()
{
	local c w

	while read -r c w _; do
		echo "$c $w"
	done <"$1"
}

listed_162()
{
	psnl -n "$PRI" list 162 >"$PS_TMP/l" || return 1
	[[ $(<"$PS_TMP/l") == *"add 162 $1 "* ]]
}

lan()
{
	# the debug kernel has no bridge (selftests/vm/debug.config)
	modprobe bridge 2>/dev/null || true
	setup_lan || skip "no bridge support"
}

# Anyone who can forge a source address inside an acl network can list a
# victim there (who then gets every datagram, with no expiry) or drop a
# real secondary, from a namespace on the victim's LAN; unless the acl
# entry has "verify": then the forged requests are answered "102 VERIFY"
# (to the victim) and change nothing.
test_spoofed_registration()
{
	lan
	spoof_attack "" >"$PS_TMP/attack"
	assert_text "$PS_TMP/attack" "added
dropped" "a forged ADD and a forged DROP on a plain acl network"
	# the forged secondary gets the traffic
	cmd_ok psnl -n "$PRI" list 162
	assert_grep "^add 162 10.96.0.2:9999 mode encap" "$OUT" "the list"
	cleanup_ns "$PRI" "$VIC" "$ATT"
	setup_lan
	spoof_attack verify >"$PS_TMP/attack"
	assert_empty "$PS_TMP/attack" \
		"a forged ADD and a forged DROP on a verify acl network"
	assert_eq 4 "$(port_stat 162 reg_verify "$PRI")" \
		"the victim's first ADD, the attacker's own and both forged requests: 102 VERIFY"
}

# vreq FROM REQUEST...: psreq in $PRI from FROM to port 162's registration
# port on loopback.
vreq()
{
	local from=$1 to=127.0.0.1:13162

	shift
	[[ $from == "["* ]] && to="[::1]:13162"
	cmd_ok "$PSREQ" -n "$PRI" --to "$to" --from "$from" "$@"
}

# On a verify network an ADD or DROP changes nothing until it comes again
# with the cookie of its "102 VERIFY", from the same source, for the same
# secondary; a cookie= that is not 16 hex digits is still a 306.  Over
# loopback (127.0.0.0/8 verify), so that the debug kernel, which has no
# bridge, runs it too.
test_verify()
{
	local cookie

	setup_ns PRI
	set_rate 10 20
	cmd_ok psnl -n "$PRI" port add 162
	cmd_ok psnl -n "$PRI" acl add 127.0.0.0/8 third-party verify
	cmd_ok psnl -n "$PRI" acl list
	assert_text "$OUT" "acl add 127.0.0.0/8 third-party verify" "acl list"
	cmd_ok psnl -n "$PRI" -j acl list
	assert_grep -F '"third_party":true,"verify":true' "$OUT" "acl list -j"
	cmd_fail_rc 2 psnl -n "$PRI" acl add 10.97.0.0/24 verify verify
	assert_grep -F '"verify" given twice' "$ERR" "verify twice"
	vreq 127.0.0.1:7000 'ADD 127.0.0.1 162 7000'
	cookie=$(cookie_of "$OUT")
	listed_162 127.0.0.1:7000 && fail "listed without its cookie"
	vreq 127.0.0.1:7000 "ADD 127.0.0.1 162 7001 cookie=$cookie" \
		"ADD 127.0.0.2 162 7000 cookie=$cookie" \
		"ADD 127.0.0.1 162 7000 cookie=0000000000000000" \
		"ADD 127.0.0.1 162 7000 cookie=${cookie:0:15}"
	codes "$OUT" >"$PS_TMP/codes"
	assert_text "$PS_TMP/codes" "102 VERIFY
102 VERIFY
102 VERIFY
306 ERROR." "another data port, a third party, a wrong cookie: 102; a short one: 306"
	vreq 127.0.0.1:7002 "ADD 127.0.0.1 162 7000 cookie=$cookie"
	assert_grep '^102 VERIFY [0-9a-f]{16}$' "$OUT" "another source port"
	listed_162 127.0.0.1:7000 && fail "listed with another's cookie"
	vreq 127.0.0.1:7000 "ADD 127.0.0.1 162 7000 cookie=${cookie^^}"
	assert_text "$OUT" "100 OK 127.0.0.1 13162" "the cookie, in either case"
	vreq 127.0.0.1:7000 "ADD 127.0.0.1 162 7000 cookie=$cookie"
	assert_text "$OUT" "200 ERROR. Already Added" "a repeated ADD"
	vreq 127.0.0.1:7000 'DROP 127.0.0.1 162 7000'
	assert_grep '^102 VERIFY [0-9a-f]{16}$' "$OUT" "a DROP without it"
	listed_162 127.0.0.1:7000 || fail "a DROP without its cookie dropped"
	vreq 127.0.0.1:7000 "DROP 127.0.0.1 162 7000 cookie=$cookie"
	assert_text "$OUT" "100 OK" "a DROP with it"
	assert_eq 6 "$(port_stat 162 reg_verify "$PRI")" "reg_verify"
	vreq "[::1]:7003" "ADD ::1 162 7003 cookie=$cookie"
	assert_text "$OUT" "100 OK ::1 13162" \
		"a cookie= from a source outside the verify network is ignored"
}

# ---- errors that say what they are -------------------------------------------

# A reply or SHUTDOWN the stack refuses (here an output rule) is counted
# in reg_send_errors; a port's last word is in its port_del event.
test_send_errors()
{
	local ns mon

	set_rate 10 20

	setup_ns ns
	cmd_ok psnl -n "$ns" port add 427
	cmd_ok ip netns exec "$ns" nft -f - <<-EOF
	table inet out {
		chain o { type filter hook output priority 0; udp sport 13427 drop; }
	}
	EOF
	cmd_ok "$PSREQ" -n "$ns" --to 127.0.0.1:13427 --from 127.0.0.1:9000 \
		--wait 300 'ADD 127.0.0.1 427'
	assert_text "$OUT" "-" "the reply"
	cmd_ok psnl -n "$ns" stats 427
	assert_grep " reg_ok 1 .* reg_send_errors 1( |$)" "$OUT" "after a lost reply"
	cmd_ok psnl -n "$ns" add 427 127.0.0.1:9001
	bg psnl -n "$ns" -j monitor >"$PS_TMP/mon" 2>&1
	mon=$BG_PID
	busywait 10000 mon_started "$ns" || fail "the monitor did not start"
	cmd_ok psnl -n "$ns" port del 427
	busywait 10000 __match '"event": ?"port_del".*"port": ?427,' \
		"$PS_TMP/mon" || fail "no port_del event"
	bg_kill "$mon"
	# the reply, then SHUTDOWN to 127.0.0.1:9000 and 127.0.0.1:9001
	assert_grep '"event": ?"port_del".*"port": ?427,.*"reg_send_errors": ?3' \
		"$PS_TMP/mon" "the port_del event"
}

# Has the monitor in $PS_TMP/mon started (a marker port came and went)?
mon_started()
{
	psnl -n "$1" port add 65001 reg off >/dev/null 2>&1
	psnl -n "$1" port del 65001 >/dev/null 2>&1
	__match '"port": ?65001' "$PS_TMP/mon"
}

ktap_plan 7
require_portshare
run_test "loopback is one rate-limit source" test_loopback_one_source
run_test "queued requests hold 513 bytes, not their datagram" \
	test_queue_trimmed
run_test "looped datagrams dropped in softirq, before the rate limit" \
	test_looped_softirq
run_test "local data ports: own sockets only, no registration port" \
	test_local_data_ports
run_test "a forged ADD and DROP from the victim's LAN: they work, unless verify" \
	test_spoofed_registration
run_test "verify: 102 VERIFY, then only the cookie's own request" test_verify
run_test "a reply or SHUTDOWN that fails to send is counted" test_send_errors
ktap_finished
