#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psnl_acl.sh: the registration acl through psnl: acl add, del and list over
# IPv4 and IPv6 with the third-party and verify flags, in text and JSON; a listing that
# replays through `psnl -b -`; the kernel's refusals (host bits, duplicates,
# absent entries, a full acl); and malformed networks refused with exit
# status 2 and no change.

. "$(dirname "$0")/psnl_lib.sh"

ACL_LIST="acl add 10.0.0.0/8 third-party
acl add 192.168.1.7/32
acl add fd00::/64 verify
acl add 2001:db8::1/128 third-party verify
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
	cmd_ok p acl add FD00:0::/64 verify
	cmd_ok p acl add 2001:db8::1 verify third-party
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
	{"family": "inet", "addr": "10.0.0.0", "prefix_len": 8, "third_party": true, "verify": false},
	{"family": "inet", "addr": "192.168.1.7", "prefix_len": 32, "third_party": false, "verify": false},
	{"family": "inet6", "addr": "fd00::", "prefix_len": 64, "third_party": false, "verify": true},
	{"family": "inet6", "addr": "2001:db8::1", "prefix_len": 128, "third_party": true, "verify": true},
	{"family": "inet", "addr": "0.0.0.0", "prefix_len": 0, "third_party": false, "verify": false},
	{"family": "inet6", "addr": "::", "prefix_len": 0, "third_party": true, "verify": false}]'
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

ktap_plan 4
require_portshare
run_test "acl add/del/list: IPv4, IPv6, third-party, text and JSON" test_acl
run_test "acl list replays through -b - identically" test_acl_roundtrip
run_test "acl: host bits, duplicates, absent, full refused by the kernel" test_acl_refused
run_test "acl: malformed networks and words: exit 2, no change" test_bad_acl
ktap_finished
