#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netns.sh: portshare state is per network namespace, and so is permission
# to change it.
#
# Topology (all namespaces only have lo, carrying the secondaries'
# addresses, so nothing leaves them):
#
#	init_net          $A                  $B              $C... (deleted
#	(empty)           427 -> 10.0.0.5     427 -> 10.0.0.6  with state)
#	                  psnl monitor        psnl ...
#
#	nobody (uid 65534) -- unshare -Urn --> own userns + netns: may manage
#	                                       its own portshare state
#
# What it tests: state in one namespace is invisible in the others and in
# init_net, the same port and registration port may be designated in two
# namespaces, `psnl -n NAME`, deleting namespaces that hold ports and
# secondaries (the runner then checks the kernel log; the module must still
# unload), events stay in their namespace, an unprivileged user gets EPERM
# naming CAP_NET_ADMIN (exit 1, no change) and may read only the ports, and a user
# namespace that owns its network namespace may manage it but not init_net.

. "$(dirname "$0")/lib.sh"

T=$'\t'
A=
B=
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# in_ns NS ARGS...: psnl in NS. psnl -n enters NS before it opens its
# netlink socket, as "ip netns exec NS psnl" would, without a second
# program to start (the unprivileged cases below need ip netns exec).
in_ns()
{
	local ns=$1
	shift
	psnl -n "$ns" "$@"
}

lo_addrs()
{
	local ns=$1 a
	shift

	for a in "$@"; do
		ip -n "$ns" addr add "$a" dev lo nodad 2>/dev/null ||
			ip -n "$ns" addr add "$a" dev lo
	done
}

list_in()
{
	cmd_ok in_ns "$1" list
	assert_text "$OUT" "$2" "psnl list in $1"
}

port_list_in()
{
	cmd_ok in_ns "$1" port list
	assert_text "$OUT" "$2" "psnl port list in $1"
}

test_isolation()
{
	cmd_ok psnl port list
	assert_empty "$OUT" "port list in init_net"
	cmd_ok in_ns "$A" port add 427
	cmd_ok in_ns "$A" add 427 10.0.0.5
	# the same port and registration port, another namespace
	cmd_ok in_ns "$B" port add 427
	cmd_ok in_ns "$B" add 427 10.0.0.6:9000 mode raw
	cmd_ok in_ns "$B" port add 161 max 3
	port_list_in "$A" "port add 427 reg 13427 max 64$T# secondaries 1 rx 0 shared 0"
	list_in "$A" "add 427 10.0.0.5:13427 mode encap$T# copies 0 bytes 0"
	port_list_in "$B" "port add 161 reg 13161 max 3$T# secondaries 0 rx 0 shared 0
port add 427 reg 13427 max 64$T# secondaries 1 rx 0 shared 0"
	list_in "$B" "add 427 10.0.0.6:9000 mode raw$T# copies 0 bytes 0"
	cmd_ok psnl port list
	assert_empty "$OUT" "port list in init_net"
	cmd_ok psnl list
	assert_empty "$OUT" "list in init_net"
	# removing in one namespace leaves the other alone
	cmd_ok in_ns "$B" port del 427
	list_in "$A" "add 427 10.0.0.5:13427 mode encap$T# copies 0 bytes 0"
	cmd_fail_rc 1 in_ns "$B" drop 427 10.0.0.5
}

test_dash_n()
{
	cmd_ok psnl -n "$A" list
	assert_text "$OUT" "add 427 10.0.0.5:13427 mode encap$T# copies 0 bytes 0"
	cmd_ok psnl --netns "$A" list
	assert_text "$OUT" "add 427 10.0.0.5:13427 mode encap$T# copies 0 bytes 0"
	cmd_ok psnl --netns "$A" port add 162
	port_list_in "$A" "port add 162 reg 13162 max 64$T# secondaries 0 rx 0 shared 0
port add 427 reg 13427 max 64$T# secondaries 1 rx 0 shared 0"
	cmd_ok psnl port list
	assert_empty "$OUT" "port list in init_net"
	cmd_ok psnl -n "$A" port del 162
	cmd_fail psnl -n "${PS_NS_PREFIX}no-such-ns" list
	assert_grep -F "${PS_NS_PREFIX}no-such-ns" "$ERR" "stderr"
}

test_delete_with_state()
{
	local ns

	for _ in $(seq 1 10); do
		setup_ns C
		ns=$C
		lo_addrs "$ns" 10.0.0.5/32 fd00::5/128
		cmd_ok in_ns "$ns" port add 427
		cmd_ok in_ns "$ns" port add 60000 reg 14000 max 2
		cmd_ok in_ns "$ns" port add 162 reg off
		cmd_ok in_ns "$ns" add 427 10.0.0.5
		cmd_ok in_ns "$ns" add 427 '[fd00::5]:9000' mode raw
		cmd_ok in_ns "$ns" add 60000 10.0.0.5 mode transparent
		cmd_ok in_ns "$ns" add 162 10.0.0.5:9162
		cmd_ok ip netns del "$ns"
	done
	# the other namespaces are untouched
	list_in "$A" "add 427 10.0.0.5:13427 mode encap$T# copies 0 bytes 0"
	# namespaces that die with the module loaded hold no module reference
	assert_eq 0 "$(</sys/module/portshare/refcnt)" "module refcnt"
}

test_delete_then_unload()
{
	local ns

	setup_ns D
	ns=$D
	lo_addrs "$ns" 10.0.0.5/32
	cmd_ok in_ns "$ns" add 427 10.0.0.5
	cmd_ok in_ns "$ns" add 428 10.0.0.5:9000
	cmd_ok ip netns del "$ns"
	# the namespace may still be dying: unload must wait for it cleanly
	cmd_ok modprobe -r portshare
	module_loaded && fail "portshare still loaded after modprobe -r"
	cmd_ok modprobe portshare
	# state in surviving namespaces did not outlive the module
	list_in "$A" ""
	port_list_in "$A" ""
	cmd_ok in_ns "$A" add 427 10.0.0.5
}

test_events_isolated()
{
	local pid out=$PS_TMP/mon

	psnl -n "$A" monitor >"$out" 2>"$out.err" &
	pid=$!
	echo "$pid" >>"$PS_TMP/pids"
	busywait 10000 marker_once "$A" "$out" ||
		fail "the monitor in $A did not start"
	# events in B and in init_net
	cmd_ok in_ns "$B" port add 500
	cmd_ok in_ns "$B" add 500 10.0.0.6
	cmd_ok in_ns "$B" port del 500
	cmd_ok psnl port add 501
	cmd_ok psnl port del 501
	# end marker in A
	cmd_ok in_ns "$A" port add 65002 reg 5002
	cmd_ok in_ns "$A" port del 65002
	busywait 10000 __match '^port del 65002$' "$out" ||
		fail "the monitor in $A missed its own events"
	bg_kill "$pid"
	assert_no_grep ' 50[01]( |$)' "$out" "monitor output in $A"
	assert_no_grep '10\.0\.0\.6' "$out" "monitor output in $A"
}

# marker_once NS FILE: designate and remove 65001 in NS; does FILE show it?
marker_once()
{
	psnl -n "$1" port add 65001 reg 5001 >/dev/null 2>&1
	psnl -n "$1" port del 65001 >/dev/null 2>&1
	__match '^port del 65001$' "$2"
}

test_unprivileged_refused()
{
	local before=$PS_TMP/before now=$PS_TMP/now

	ps_state "$A" >"$before"
	cmd_fail_rc 1 ip netns exec "$A" "${NOBODY[@]}" psnl add 427 10.0.0.7
	assert_grep -F "CAP_NET_ADMIN" "$ERR" "stderr"
	cmd_fail_rc 1 ip netns exec "$A" "${NOBODY[@]}" psnl add 1427 10.0.0.7
	assert_grep -F "CAP_NET_ADMIN" "$ERR" "stderr"
	cmd_fail_rc 1 ip netns exec "$A" "${NOBODY[@]}" psnl drop 427 10.0.0.5
	assert_grep -F "CAP_NET_ADMIN" "$ERR" "stderr"
	cmd_fail_rc 1 ip netns exec "$A" "${NOBODY[@]}" psnl port add 162
	assert_grep -F "CAP_NET_ADMIN" "$ERR" "stderr"
	cmd_fail_rc 1 ip netns exec "$A" "${NOBODY[@]}" psnl port del 427
	assert_grep -F "CAP_NET_ADMIN" "$ERR" "stderr"
	printf 'port add 163\n' >"$PS_TMP/batch"
	chmod 644 "$PS_TMP/batch"
	chmod 755 "$PS_TMP"
	cmd_fail_rc 1 ip netns exec "$A" "${NOBODY[@]}" psnl -b "$PS_TMP/batch"
	assert_grep -F "CAP_NET_ADMIN" "$ERR" "stderr"
	ps_state "$A" >"$now"
	cmd_ok diff -u "$before" "$now"
}

# The ports are open to every user; the lists name secondaries (what a
# DROP needs) and are not (harden.sh checks each errno).
test_unprivileged_reads()
{
	local sub

	for sub in "port list" "-j port list"; do
		# shellcheck disable=SC2086
		cmd_ok in_ns "$A" $sub
		cp "$OUT" "$PS_TMP/root"
		# shellcheck disable=SC2086
		cmd_ok ip netns exec "$A" "${NOBODY[@]}" psnl $sub
		cp "$OUT" "$PS_TMP/nobody"
		cmd_ok diff -u "$PS_TMP/root" "$PS_TMP/nobody"
	done
	[ -s "$PS_TMP/root" ] || fail "nothing listed in $A"
	for sub in "list" "-j list" "list 427"; do
		# shellcheck disable=SC2086
		cmd_fail_rc 1 ip netns exec "$A" "${NOBODY[@]}" psnl $sub
		assert_grep -F "CAP_NET_ADMIN" "$ERR" "psnl $sub as nobody"
	done
}

test_userns_owns_netns()
{
	local script

	if ! "${NOBODY[@]}" unshare -Urn true >"$OUT" 2>"$ERR"; then
		skip "unprivileged user namespaces unavailable: $(head -n 1 "$ERR")"
	fi
	script='set -e
ip link set lo up
psnl port add 427
psnl add 427 127.0.0.1:9000 mode raw
psnl add 161 127.0.0.1
psnl port list
psnl list
psnl drop 427 127.0.0.1:9000
psnl port del 427'
	cmd_ok "${NOBODY[@]}" unshare -Urn sh -c "$script"
	assert_text "$OUT" "port add 161 reg 13161 max 64$T# secondaries 1 rx 0 shared 0
port add 427 reg 13427 max 64$T# secondaries 1 rx 0 shared 0
add 161 127.0.0.1:13161 mode encap$T# copies 0 bytes 0
add 427 127.0.0.1:9000 mode raw$T# copies 0 bytes 0" "output in the user namespace"
	# it never touched init_net
	cmd_ok psnl port list
	assert_empty "$OUT" "port list in init_net"
}

test_userns_not_init_net()
{
	if ! "${NOBODY[@]}" unshare -Ur true >"$OUT" 2>"$ERR"; then
		skip "unprivileged user namespaces unavailable: $(head -n 1 "$ERR")"
	fi
	# root of a user namespace that does not own init_net / $A
	cmd_fail_rc 1 "${NOBODY[@]}" unshare -Ur psnl port add 427
	assert_grep -F "CAP_NET_ADMIN" "$ERR" "stderr"
	cmd_fail_rc 1 ip netns exec "$A" "${NOBODY[@]}" unshare -Ur psnl add 427 10.0.0.7
	assert_grep -F "CAP_NET_ADMIN" "$ERR" "stderr"
	cmd_ok psnl port list
	assert_empty "$OUT" "port list in init_net"
	cmd_ok in_ns "$A" list
	assert_no_grep -F 10.0.0.7 "$OUT" "list in $A"
}

ktap_plan 9
require_portshare
# shellcheck disable=SC2119
reload_module || exit 1
setup_ns A B
lo_addrs "$A" 10.0.0.5/32 10.0.0.7/32
lo_addrs "$B" 10.0.0.6/32

run_test "state is per namespace; init_net stays empty" test_isolation
run_test "psnl -n / --netns NAME" test_dash_n
run_test "deleting namespaces with ports and secondaries" test_delete_with_state
run_test "module unloads right after a namespace with state died" test_delete_then_unload
run_test "events stay in their namespace" test_events_isolated
run_test "unprivileged changes: EPERM naming CAP_NET_ADMIN, no change" test_unprivileged_refused
run_test "unprivileged: port list matches root's, lists need CAP_NET_ADMIN" test_unprivileged_reads
run_test "user namespace manages its own netns state" test_userns_owns_netns
run_test "user namespace root cannot change a netns it does not own" test_userns_not_init_net
ktap_finished
