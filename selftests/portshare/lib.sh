# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the portshare shell suites.  Source it from a suite:
#
#	. "$(dirname "$0")/lib.sh"
#	ktap_plan 3
#	run_test "port add defaults" test_port_add
#	...
#	ktap_finished
#
# KTAP: ktap_plan N prints "TAP version 13" and "1..N"; run_test NAME FUNC
# [ARGS...] runs FUNC in a subshell under `set -eE` and prints one
# "ok N - NAME", "not ok N - NAME" or "ok N - NAME # SKIP reason" line.  A
# test fails on its first failed command or assertion; skip REASON ends it
# as skipped.  ktap_finished (also run on EXIT) prints the totals, checks
# that the plan was kept, cleans up and exits non-zero on any failure.
#
# Commands: cmd_ok CMD... / cmd_fail CMD... / cmd_fail_rc RC CMD... run CMD
# with its stdout in $OUT and stderr in $ERR, and print both (as "#"
# diagnostics) only when the expectation is not met.  assert_* compare exact
# values and print expected vs actual.
#
# Namespaces: setup_ns VAR... creates uniquely named network namespaces
# (lo up) and stores their names in VAR; all are deleted on EXIT, also when
# created inside a test.  bg CMD... starts a background process that is
# killed on EXIT; its pid is in $BG_PID.  busywait MS CMD... polls CMD
# until it succeeds or MS milliseconds pass.

set -u

# shellcheck disable=SC2034 # for the suites
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

PS_REPO=${PORTSHARE_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# build/bin-static/psnl first: the same psnl, cheaper to start in a guest
# (userspace/Makefile)
case ":$PATH:" in
*":$PS_REPO/build/bin:"*) ;;
*) PATH=$PS_REPO/build/bin:$PATH ;;
esac
case ":$PATH:" in
*":$PS_REPO/build/bin-static:"*) ;;
*) PATH=$PS_REPO/build/bin-static:$PATH ;;
esac
export PATH

PS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/portshare-st.XXXXXX")
OUT=$PS_TMP/out
ERR=$PS_TMP/err
PS_NS_PREFIX=ps$$-
: >"$PS_TMP/netns"
: >"$PS_TMP/pids"

__ktap_planned=0
__ktap_num=0
__ktap_pass=0
__ktap_fail=0
__ktap_skip=0
__ktap_done=0

# ---- KTAP ------------------------------------------------------------------

ktap_plan()
{
	__ktap_planned=$1
	echo "TAP version 13"
	echo "1..$1"
}

# Diagnostics: every line prefixed with "# ".
diag()
{
	local l

	if [ $# -gt 0 ]; then
		diag <<<"$*"
	else
		while IFS= read -r l || [ -n "$l" ]; do
			printf '# %s\n' "$l"
		done
	fi
}

# End the current test as failed / skipped.
fail()
{
	diag "FAIL: $*"
	exit "$KSFT_FAIL"
}

skip()
{
	printf '%s' "$*" >"$PS_TMP/skip_reason"
	exit "$KSFT_SKIP"
}

__on_err()
{
	diag "FAIL: line $1: '$2' exited with status $3"
}

run_test()
{
	local name=$1 rc start=${EPOCHREALTIME/./}
	shift

	rm_f "$PS_TMP/skip_reason"
	(
		set -eE
		trap '__on_err "$LINENO" "$BASH_COMMAND" "$?"; exit 1' ERR
		"$@"
	)
	rc=$?
	# where a suite's time goes, for whoever makes it shorter
	diag "took $(((${EPOCHREALTIME/./} - start) / 1000)) ms"
	__ktap_num=$((__ktap_num + 1))
	case $rc in
	0)
		echo "ok $__ktap_num - $name"
		__ktap_pass=$((__ktap_pass + 1))
		;;
	"$KSFT_SKIP")
		echo "ok $__ktap_num - $name # SKIP $(cat "$PS_TMP/skip_reason" 2>/dev/null)"
		__ktap_skip=$((__ktap_skip + 1))
		;;
	*)
		echo "not ok $__ktap_num - $name"
		__ktap_fail=$((__ktap_fail + 1))
		;;
	esac
	return 0
}

# ktap_fail_rest NAME: every planned point not yet printed fails as NAME
# (a suite that cannot run at all still keeps its plan).
ktap_fail_rest()
{
	while [ "$__ktap_num" -lt "$__ktap_planned" ]; do
		__ktap_num=$((__ktap_num + 1))
		echo "not ok $__ktap_num - $1"
		__ktap_fail=$((__ktap_fail + 1))
	done
}

ktap_finished()
{
	local rc=0

	[ "$__ktap_done" = 0 ] || return 0
	__ktap_done=1
	__cleanup
	if [ "$__ktap_num" != "$__ktap_planned" ]; then
		diag "planned $__ktap_planned tests but ran $__ktap_num"
		rc=1
	fi
	echo "# Totals: pass:$__ktap_pass fail:$__ktap_fail xfail:0 xpass:0 skip:$__ktap_skip error:0"
	[ "$__ktap_fail" = 0 ] || rc=1
	exit "$rc"
}

# ---- commands and assertions -------------------------------------------------

__show_output()
{
	[ -s "$OUT" ] && { diag "stdout:"; diag <"$OUT"; }
	[ -s "$ERR" ] && { diag "stderr:"; diag <"$ERR"; }
	return 0
}

# cmd_ok CMD...: CMD must exit 0.
cmd_ok()
{
	local rc=0

	"$@" >"$OUT" 2>"$ERR" || rc=$?
	if [ "$rc" != 0 ]; then
		diag "FAIL: '$*' exited with status $rc, expected 0"
		__show_output
		exit "$KSFT_FAIL"
	fi
}

# cmd_fail CMD...: CMD must exit non-zero.
cmd_fail()
{
	local rc=0

	"$@" >"$OUT" 2>"$ERR" || rc=$?
	if [ "$rc" = 0 ]; then
		diag "FAIL: '$*' succeeded, expected it to fail"
		__show_output
		exit "$KSFT_FAIL"
	fi
	LAST_RC=$rc
}

# cmd_fail_rc RC CMD...: CMD must exit with status RC.
cmd_fail_rc()
{
	local want=$1 rc=0
	shift

	"$@" >"$OUT" 2>"$ERR" || rc=$?
	if [ "$rc" != "$want" ]; then
		diag "FAIL: '$*' exited with status $rc, expected $want"
		__show_output
		exit "$KSFT_FAIL"
	fi
	LAST_RC=$rc
}

# cmd_mayfail CMD...: run CMD, keep its output, never fail; status in LAST_RC.
# shellcheck disable=SC2034
cmd_mayfail()
{
	LAST_RC=0
	"$@" >"$OUT" 2>"$ERR" || LAST_RC=$?
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq()
{
	[ "$1" = "$2" ] && return 0
	diag "FAIL: ${3:-value}: expected '$1', got '$2'"
	exit "$KSFT_FAIL"
}

# assert_text FILE EXPECTED_TEXT [WHAT]: FILE's content is exactly the text
# (trailing newlines aside).  Compared in the shell: every exec is
# expensive in a TCG guest, so diff only runs to explain a failure.
assert_text()
{
	local file=$1 want=$2 what=${3:-$1} got

	got=$(<"$file")
	[ "$got" = "$want" ] && return 0
	diag "FAIL: $what differs (-expected +actual):"
	printf '%s\n' "$want" >"$PS_TMP/want"
	diff -u "$PS_TMP/want" "$file" | diag
	exit "$KSFT_FAIL"
}

# assert_empty FILE [WHAT]
assert_empty()
{
	[ -s "$1" ] || return 0
	diag "FAIL: ${2:-$1} is not empty:"
	diag <"$1"
	exit "$KSFT_FAIL"
}

# __match [-i] [-F] [--] PATTERN FILE: does a line of FILE match the
# extended regex (or, with -F, contain the string)?  Pure bash.
__match()
{
	local icase=0 fixed=0 pat file line rc=1

	while [ $# -gt 0 ]; do
		case $1 in
		-i) icase=1 ;;
		-F) fixed=1 ;;
		--) shift; break ;;
		*) break ;;
		esac
		shift
	done
	pat=$1 file=$2
	[ "$icase" = 1 ] && shopt -s nocasematch
	while IFS= read -r line || [ -n "$line" ]; do
		if [ "$fixed" = 1 ]; then
			[[ $line == *"$pat"* ]] && { rc=0; break; }
		else
			[[ $line =~ $pat ]] && { rc=0; break; }
		fi
	done <"$file"
	shopt -u nocasematch
	return "$rc"
}

# __assert_match WANT [-i] [-F] [--] PATTERN FILE [WHAT]: fail the test
# unless __match's status is WANT (0: a line matches, 1: none does).
__assert_match()
{
	local want=$1 opts=() rc=0

	shift
	while [ $# -gt 0 ]; do
		case $1 in
		-i | -F) opts+=("$1") ;;
		--) shift; break ;;
		*) break ;;
		esac
		shift
	done
	__match "${opts[@]}" -- "$1" "$2" || rc=1
	[ "$rc" = "$want" ] && return 0
	if [ "$want" = 0 ]; then
		diag "FAIL: ${3:-$2} does not match '$1':"
	else
		diag "FAIL: ${3:-$2} unexpectedly matches '$1':"
	fi
	diag <"$2"
	exit "$KSFT_FAIL"
}

# assert_grep [-i] [-F] [--] PATTERN FILE [WHAT]: a line of FILE matches.
assert_grep()
{
	__assert_match 0 "$@"
}

# assert_no_grep [-i] [-F] [--] PATTERN FILE [WHAT]: no line of FILE matches.
assert_no_grep()
{
	__assert_match 1 "$@"
}

# A sleep without an exec: read with a timeout from a pipe nobody writes.
exec {__sleep_fd}<> <(:)
nap()
{
	read -r -t "$1" -u "$__sleep_fd" || true
}

# rm_f FILE...: rm -f that starts no process for a file that is not there,
# the usual case (run_test, receivers): a process costs 0.15 s in a guest,
# 0.6 s on the debug kernel.
rm_f()
{
	local f

	for f in "$@"; do
		if [ -e "$f" ] || [ -L "$f" ]; then
			rm -f -- "$f"
		fi
	done
}

__now_ms()
{
	local t=${EPOCHREALTIME//[!0-9]/}
	echo $((t / 1000))
}

# nlines FILE: the number of lines in FILE.
nlines()
{
	local l

	mapfile -t l <"$1"
	echo "${#l[@]}"
}

# busywait TIMEOUT_MS CMD...: poll CMD until it succeeds.
busywait()
{
	local timeout=$1 start
	shift

	start=$(__now_ms)
	while :; do
		"$@" && return 0
		[ $(($(__now_ms) - start)) -lt "$timeout" ] || return 1
		nap 0.05
	done
}

# ---- processes and namespaces ------------------------------------------------

# bg CMD...: run CMD in the background, killed on EXIT.
bg()
{
	"$@" &
	BG_PID=$!
	echo "$BG_PID" >>"$PS_TMP/pids"
}

bg_kill()
{
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# setup_ns VAR...: new network namespaces, lo up. One ip adds them all:
# an ip process takes 0.7 s to start on the debug kernel.
setup_ns()
{
	local var low name names=()

	for var in "$@"; do
		low=${var,,}
		# $RANDOM alone collided with a namespace an earlier test
		# (another subshell) still had: "File exists".  The subshell's
		# PID and a check make a name that is free.
		name=$PS_NS_PREFIX${low//_/-}-$BASHPID-$RANDOM
		while [ -e "/run/netns/$name" ]; do
			name=$PS_NS_PREFIX${low//_/-}-$BASHPID-$RANDOM
		done
		names+=("$name")
		echo "$name" >>"$PS_TMP/netns"
		eval "$var=\$name"
	done
	printf 'netns add %s\n' "${names[@]}" | ip -b - || return 1
	for name in "${names[@]}"; do
		ip -n "$name" link set lo up || return 1
	done
}

# link_ns A B DEV [ADDR_A ADDR_B]: a veth pair named DEV at both ends,
# from namespace A to B, up, with each end's address (ADDR/LEN) if given.
link_ns()
{
	local a=$1 b=$2 dev=$3

	ip link add "$dev" netns "$a" type veth peer name "$dev" netns "$b"
	if [ $# -ge 5 ]; then
		ip -n "$a" addr add "$4" dev "$dev"
		ip -n "$b" addr add "$5" dev "$dev"
	fi
	ip -n "$a" link set "$dev" up
	ip -n "$b" link set "$dev" up
}

cleanup_ns()
{
	local ns

	for ns in "$@"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

__cleanup()
{
	local p ns

	while read -r p; do
		kill "$p" 2>/dev/null || true
	done <"$PS_TMP/pids"
	while read -r p; do
		wait "$p" 2>/dev/null || true
	done <"$PS_TMP/pids"
	# one ip for all of them (-force: past those a test deleted itself)
	if [ -s "$PS_TMP/netns" ]; then
		while read -r ns; do
			echo "netns del $ns"
		done <"$PS_TMP/netns" | ip -force -b - >/dev/null 2>&1 || true
	fi
	# the function hook lets a suite restore global state
	if declare -F suite_cleanup >/dev/null; then
		suite_cleanup || true
	fi
	rm -rf "$PS_TMP"
}

trap ktap_finished EXIT

# ---- portshare ---------------------------------------------------------------

# shellcheck source=portshare_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/portshare_lib.sh"
# shellcheck source=reply_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/reply_lib.sh"
