#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psnl_input.sh: psnl's help for every command, and its argument checking:
# every malformed port, address, option or word is refused with exit
# status 2, a message naming the token, and no state change (psnl_lib.sh's
# bad_args and bad_done).

. "$(dirname "$0")/psnl_lib.sh"

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
	for c in err_csum reg_ok reg_ignored drop_noroute drop_toobig \
		skip_dead icmp_errors probes; do
		assert_grep -F "$c" "$OUT" "psnl help stats"
	done
	cmd_ok p help port add
	assert_grep -F "[dead E/S|off] [hold SECONDS]" "$OUT" "psnl help port add"
	cmd_ok p help add
	assert_grep -F "[hold SECONDS]" "$OUT" "psnl help add"
	cmd_ok p help acl add
	assert_grep -F "third-party" "$OUT" "psnl help acl add"
	cmd_ok p help
	for c in add drop list port stats acl monitor; do
		assert_grep "(^|[[:space:]])$c([[:space:]]|$)" "$OUT" "psnl help"
	done
	cmd_fail_rc 2 p help frobnicate
	assert_grep -F frobnicate "$ERR" "stderr"
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
	# dead E/S|off and hold SECONDS: the whole word is quoted
	for x in 3/0 1001/10 3/3601 x 3 3/ /10 -1/10 3/10/5 OFF ''; do
		bad_args "$x" port add 428 dead "$x"
	done
	for x in -1 31536001 1h ''; do
		bad_args "$x" port add 428 hold "$x"
		bad_args "$x" add 428 10.0.0.5 hold "$x"
	done
	# missing values
	bad_args mode add 428 10.0.0.5 mode
	bad_args sample add 428 10.0.0.5 sample
	bad_args sample add 428 10.0.0.5 mode raw sample
	bad_args reg port add 428 reg
	bad_args max port add 428 max
	bad_args max port add 428 reg 20000 max
	bad_args dead port add 428 dead
	bad_args hold port add 428 hold
	bad_args hold add 428 10.0.0.5 hold
	# repeated options
	bad_args mode add 428 10.0.0.5 mode raw mode encap
	bad_args sample add 428 10.0.0.5 sample 2 sample 3
	bad_args dead port add 428 dead off dead 3/10
	bad_args hold port add 428 hold 1 hold 2
	bad_args hold add 428 10.0.0.5 hold 1 hold 2
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
	# dead is a port's setting, not a secondary's
	bad_args dead add 428 10.0.0.5 dead 3/10
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

ktap_plan 5
require_portshare
run_test "help and --help for every command" test_help
run_test "malformed ports: exit 2, token named, no change" test_bad_ports
run_test "malformed addresses: exit 2, token named, no change" test_bad_addresses
run_test "malformed options: exit 2, token named, no change" test_bad_options
run_test "unknown words, extra args, unknown commands: exit 2" test_bad_words
ktap_finished
