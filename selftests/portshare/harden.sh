#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# harden.sh: the control plane's answers to the review of issue 16 (read
# there as issue 11): who may read what, which addresses may be
# secondaries, what a namespace may allocate and where it is charged, how
# the registration port holds up, loops, spoofing.
#
# Topology (setup_lan): a LAN on a bridge in $PRI, an off-LAN host $PEER
# and a second primary on it for the two-host loop:
#
#	$VIC 10.96.0.2 fd96::2 --+
#	                         +-- br0 10.96.0.1/24 fd96::1/64 $PRI 10.95.0.1 --v-- 10.95.0.2 $PEER
#	$ATT 10.96.0.3 fd96::3 --+   (acl: 10.96.0.0/24, fd96::/64)
#
# $VIC is a secondary host, $ATT an attacker on the same LAN.  Tests that
# need no traffic use a namespace of their own.  pshard (pshard.c) sends
# raw netlink requests and forged datagrams; psreq (psreq.c) registration
# requests.  Traffic never leaves these namespaces.

. "$(dirname "$0")/lib.sh"

PSHARD=${PSHARD:-$PS_REPO/build/selftests/pshard}
PSREQ=${PSREQ:-$PS_REPO/build/selftests/psreq}
PARAMS=/sys/module/portshare/parameters
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# ---- helpers -----------------------------------------------------------------

# nl NS ARGS...: pshard's one-line answer to a netlink request, in $OUT.
nl()
{
	local ns=$1
	shift

	cmd_ok "$PSHARD" -n "$ns" nl "$@"
}

# nobody_nl NS ARGS...: the same, as uid 65534 without capabilities.
nobody_nl()
{
	local ns=$1
	shift

	cmd_ok ip netns exec "$ns" "${NOBODY[@]}" "$PSHARD" nl "$@"
}

# ---- CAP_NET_ADMIN for what names secondaries (item 5) ---------------------

# SEC_GET, ACL_GET and the events group name secondaries (what a forged
# DROP needs): uid 65534 gets EPERM for each; PORT_GET stays open.  psnl
# says which privilege is missing and what to do.
test_reads_need_admin()
{
	local ns

	setup_ns ns
	cmd_ok psnl -n "$ns" port add 427
	cmd_ok psnl -n "$ns" add 427 10.0.0.5:9000
	cmd_ok psnl -n "$ns" acl add 10.0.0.0/24
	nobody_nl "$ns" sec_get dump
	assert_grep "^error EPERM " "$OUT" "SEC_GET as nobody"
	nobody_nl "$ns" acl_get dump
	assert_grep "^error EPERM " "$OUT" "ACL_GET as nobody"
	cmd_ok ip netns exec "$ns" "${NOBODY[@]}" "$PSHARD" join-events
	assert_text "$OUT" "error EPERM" "joining events as nobody"
	nobody_nl "$ns" port_get dump
	assert_grep "^error 0 " "$OUT" "PORT_GET dump as nobody"
	nobody_nl "$ns" port_get port=427
	assert_grep "^error 0 " "$OUT" "PORT_GET as nobody"
	# root may do all of it
	nl "$ns" sec_get dump
	assert_grep "^error 0 " "$OUT" "SEC_GET as root"
	nl "$ns" acl_get dump
	assert_grep "^error 0 " "$OUT" "ACL_GET as root"
	cmd_ok "$PSHARD" -n "$ns" join-events
	assert_text "$OUT" "error 0" "joining events as root"
	# psnl tells an unprivileged user what to do
	cmd_fail_rc 1 ip netns exec "$ns" "${NOBODY[@]}" psnl list
	assert_grep -F "needs CAP_NET_ADMIN in the network namespace's user namespace: run psnl as root" \
		"$ERR" "psnl list as nobody"
	assert_grep -F "'psnl port list' needs no privilege" "$ERR" \
		"psnl list as nobody"
	cmd_fail_rc 1 ip netns exec "$ns" "${NOBODY[@]}" psnl acl list
	assert_grep -F "run psnl as root" "$ERR" "psnl acl list as nobody"
	cmd_fail_rc 1 ip netns exec "$ns" "${NOBODY[@]}" psnl monitor
	assert_grep -F "cannot listen to events: they need CAP_NET_ADMIN" \
		"$ERR" "psnl monitor as nobody"
	cmd_ok ip netns exec "$ns" "${NOBODY[@]}" psnl port list
	assert_grep "^port add 427 reg 13427 " "$OUT" "psnl port list as nobody"
}

ktap_plan 1
require_portshare
[ -x "$PSHARD" ] || { diag "missing $PSHARD: make -C selftests/portshare"; exit 1; }
run_test "SEC_GET, ACL_GET, events need CAP_NET_ADMIN; PORT_GET does not" \
	test_reads_need_admin
ktap_finished
