#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# psrecv_args.sh: psrecv's command line alone, no primary needed: --help,
# every option taken in its short and long form, and each refusal with
# its message and exit status 2 (a bad value: which option, then the
# usage; -f and -l: why, without it).  An accepted command line is seen
# to reach the first thing after the options, opening -w's file, made to
# fail.  Prints TAP.
#
#   selftests/userspace/psrecv_args.sh     (make -C userspace test)
#
# PS_BIN: where psrecv is (default build/bin of this tree).
set -u

HERE=$(dirname "$(readlink -f "$0")")
TOP=$(readlink -f "$HERE/../..")
PSRECV=${PS_BIN:-$TOP/build/bin}/psrecv
TMP=$(mktemp -d "${TMPDIR:-/tmp}/psrecv-args.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=selftests/userspace/tap.sh
. "$HERE/tap.sh"

# No such directory: psrecv fails on -w's file, after its options.
NOFILE=$TMP/none/x.pcap

# run ARGS...: psrecv as "psrecv" (its messages name argv[0]); sets RC,
# OUT and ERR.
run()
{
	(exec -a psrecv "$PSRECV" "$@") >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

test_help()
{
	local help

	run --help
	help=$OUT
	USAGE1=$(head -n1 <<<"$OUT")
	[ "$RC" = 0 ] && [ -z "$ERR" ] && [[ $OUT == "usage: psrecv "* ]]
	ok $? "--help: the usage on stdout, status 0"
	run -h -p x 427
	[ "$RC" = 0 ] && [ "$OUT" = "$help" ]
	ok $? "-h: the same, whatever else is given"
}

# taken ARGS...: psrecv gets past its options (to -w's file).
taken()
{
	run "$@" -w "$NOFILE" 427
	[ "$RC" = 1 ] && [ "$ERR" = "psrecv: $NOFILE: No such file or directory" ]
	ok $? "taken: $*"
	[ "$RC" = 1 ] || diag <<<"status $RC: $ERR"
}

test_taken()
{
	taken -p 127.0.0.1 -r 9427 -m raw -o -d 9000 -f 10.0.0.0/8 \
		-f fd00::/8 -l 30 -R 50 -j -c 5 -t 5 -q -F
	taken --primary=127.0.0.1 --reg-port=9427 --mode=transparent \
		--own-socket --data-port=9000 --from=192.0.2.7 --lease=1 \
		--rate=10000000 \
		--json --count=0 --time=1000000 --quiet --failover \
		--psd=/bin/false
	taken -jqF -m encap
}

# bad ARGS...: refused for a bad value of OPT with VALUE, usage after.
bad()
{
	local opt=$1 value=$2

	shift 2
	run "$@" 427
	[ "$RC" = 2 ] && [ -z "$OUT" ] &&
		[ "$(head -n1 <<<"$ERR")" = "psrecv: invalid argument to -$opt: '$value'" ] &&
		[ "$(sed -n 2p <<<"$ERR")" = "$USAGE1" ]
	ok $? "refused, then the usage: $*"
	[ "$RC" = 2 ] || diag <<<"status $RC: $ERR"
}

test_bad_values()
{
	bad r 0 -r 0
	bad r 70000 --reg-port 70000
	bad m foo -m foo
	bad d x --data-port=x
	bad c -1 -c -1
	bad t 1000001 --time 1000001
}

# said USAGE MESSAGE ARGS...: refused with MESSAGE as stderr's first line,
# then the usage if USAGE is "usage", else nothing ("alone").
said()
{
	local usage=$1 msg=$2 lines

	shift 2
	run "$@"
	lines=$(wc -l <"$TMP/err")
	[ "$RC" = 2 ] && [[ $(head -n1 <<<"$ERR") == "$msg"* ]] &&
		if [ "$usage" = usage ]; then
			[ "$(sed -n 2p <<<"$ERR")" = "$USAGE1" ]
		else
			[ "$lines" = 1 ]
		fi
	ok $? "refused with '$msg' ($usage): $*"
	[ "$RC" = 2 ] || diag <<<"status $RC: $ERR"
}

test_refusals()
{
	local nine=() i

	for i in 1 2 3 4 5 6 7 8 9; do nine+=(-f "10.0.0.$i"); done
	said alone "psrecv: -f 10.0.0.1/8: " -f 10.0.0.1/8 427
	said alone "psrecv: -f 10.0.0.0/08: " -f 10.0.0.0/08 427
	said alone "psrecv: -f 10.0.0.9: at most 8 prefixes" "${nine[@]}" 427
	said alone "psrecv: -l 0: give the lease in seconds, 1..31536000" \
		-l 0 427
	said alone "psrecv: -R 0: give the most copies a second, 1..10000000" \
		-R 0 427
	said alone "psrecv: -R 10000001: give the most copies a second, 1..10000000" \
		--rate 10000001 427
	said usage "psrecv: option requires an argument -- 'R'" -R
	said usage "psrecv: unrecognized option '--bogus'" --bogus 427
	said usage "psrecv: invalid option -- 'P'" -P x 427
	said usage "psrecv: option requires an argument -- 'w'" -w
	said usage "psrecv: no PORT given" -j
}

echo "TAP version 13"
test_help
test_taken
test_bad_values
test_refusals
echo "1..$NTEST"
echo "# $((NTEST - NFAIL)) passed, $NFAIL failed"
[ "$NFAIL" = 0 ]
