#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# completion.sh: the bash completion of psnl (dist/bash-completion/psnl) in
# a non-interactive bash, as bash calls it: COMP_LINE, COMP_POINT,
# COMP_WORDS and COMP_CWORD set, _psnl run, COMPREPLY read.  Prints TAP.
#
# The live part (ports, secondaries, acl) talks to a stub psnl that
# answers the three JSON listings the completion asks for, so no module is
# needed; selftests/portshare/metrics.sh does the same against the real
# one.  The rest is checked against the real psnl's --help: every command,
# sub-command, keyword and global option it lists must complete, so the
# completion cannot silently fall behind the command table.
#
#   selftests/userspace/completion.sh     (make -C userspace test)
#
# PS_BIN: where the real psnl is (default build/bin of this tree).
set -u

HERE=$(dirname "$(readlink -f "$0")")
TOP=$(readlink -f "$HERE/../..")
COMPLETION=$TOP/dist/bash-completion/psnl
PSNL=${PS_BIN:-$TOP/build/bin}/psnl
TMP=$(mktemp -d "${TMPDIR:-/tmp}/psnl-completion.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=selftests/userspace/tap.sh
. "$HERE/tap.sh"

# A psnl that knows two ports, two secondaries of 427, one acl network,
# and one port in namespace ns1; it logs its arguments.
make_stub()
{
	mkdir -p "$TMP/bin"
	cat >"$TMP/bin/psnl" <<-'EOF'
	#!/bin/bash
	echo "$*" >>"${0%/*}/calls"
	if [ -n "${STUB_EPERM:-}" ]; then
		echo "psnl: list: Operation not permitted" >&2
		exit 1
	fi
	case "$*" in
	"-j port list")
		echo '[{"port":162,"reg_port":13162,"max_secondaries":64,"dead_errors":3,"dead_period":10,"hold":300,"secondaries":0,"stats":{"rx":0}},{"port":427,"reg_port":null,"max_secondaries":64,"dead_errors":0,"dead_period":10,"hold":0,"secondaries":2,"stats":{"rx":0}}]' ;;
	"-n ns1 -j port list")
		echo '[{"port":1161,"reg_port":14161,"max_secondaries":64,"secondaries":0,"stats":{"rx":0}}]' ;;
	"-j list 427")
		echo '[{"port":427,"family":"inet","addr":"10.0.0.5","data_port":13427,"mode":"encap","sample":1,"state":"up","stats":{"copies":0}},{"port":427,"family":"inet6","addr":"fd00::5","data_port":9000,"mode":"raw","sample":1,"hold":60,"state":"dead","dead_for":12,"stats":{"copies":0}}]' ;;
	"-j acl list")
		echo '[{"family":"inet","addr":"10.0.0.0","prefix_len":8,"third_party":true},{"family":"inet6","addr":"fd00::","prefix_len":64,"third_party":false}]' ;;
	*)
		echo "psnl: stub: no answer for '$*'" >&2; exit 1 ;;
	esac
	EOF
	chmod +x "$TMP/bin/psnl"
}

# complete LINE: the candidates for the end of LINE, one a line, sorted;
# in a fresh non-interactive bash with bash's own COMP_WORDBREAKS.
complete_line()
{
	PATH=$TMP/bin:$PATH bash --norc --noprofile -c '
		. "$1" || exit 1
		COMP_LINE=$2
		COMP_POINT=${#2}
		read -r -a COMP_WORDS <<<"$2"
		COMP_CWORD=${#COMP_WORDS[@]}
		[[ $2 == *" " ]] || COMP_CWORD=$((COMP_CWORD - 1))
		_psnl psnl "" "" || exit 1
		printf "%s\n" "${COMPREPLY[@]}"' complete "$COMPLETION" "$1" |
		LC_ALL=C sort
}

# expect LINE CANDIDATE...: exactly these (in any order).
expect()
{
	local line=$1 want got
	shift

	want=$(printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort)
	got=$(complete_line "$line")
	if [ "$got" = "$want" ]; then
		ok 0 "'$line' completes to: ${want//$'\n'/ }"
	else
		ok 1 "'$line' completes to: ${want//$'\n'/ }"
		{ echo "expected:"; echo "$want"; echo "got:"; echo "$got"; } | diag
	fi
}

# offers LINE WORD...: these are among the candidates (for --help checks);
# each check once.
declare -A OFFERED
offers()
{
	local line=$1 got w missing=()
	shift

	[ $# -gt 0 ] || return 0
	[ -z "${OFFERED["$line $*"]:-}" ] || return 0
	OFFERED["$line $*"]=1
	got=$(complete_line "$line")
	for w in "$@"; do
		grep -q -x -F -- "$w" <<<"$got" || missing+=("$w")
	done
	[ ${#missing[@]} = 0 ]
	ok $? "'$line' offers $*"
	[ ${#missing[@]} = 0 ] || echo "missing: ${missing[*]}; got: ${got//$'\n'/ }" | diag
}

test_static()
{
	expect "psnl " add drop list port stats acl monitor help
	expect "psnl p" port
	expect "psnl port " add del list
	expect "psnl acl d" del
	expect "psnl add 427 10.0.0.9 mode " encap raw transparent
	expect "psnl add 427 10.0.0.9 mode raw " sample lease rate ttl hold from
	expect "psnl add 427 10.0.0.9 from 10.0.0.0/8 sample 2 " mode lease rate ttl hold from
	expect "psnl add 427 10.0.0.9 rate 10/20 ttl 3 " mode sample lease hold from
	expect "psnl add 427 10.0.0.9 hold 60 " mode sample lease rate ttl from
	expect "psnl add 427 10.0.0.9 rate "
	expect "psnl add 427 10.0.0.9 hold "
	expect "psnl add 427 10.0.0.9 from "
	expect "psnl port add 500 reg " off
	expect "psnl port add 500 reg off " max lease rate ttl dead hold
	expect "psnl port add 500 ttl 2 " reg max lease rate dead hold
	expect "psnl port add 500 dead " off
	expect "psnl port add 500 dead o" off
	expect "psnl port add 500 hold "
	expect "psnl port add 500 dead 5/20 hold 0 " reg max lease rate ttl
	expect "psnl acl add 10.0.0.0/8 " third-party verify
	expect "psnl acl add 10.0.0.0/8 verify " third-party
	expect "psnl stats 162 " --prometheus
	expect "psnl stats --prometheus 1" 162
	expect "psnl list --h" --help
	expect "psnl monitor "
	expect "psnl help p" port
}

test_live()
{
	: >"$TMP/bin/calls"
	expect "psnl port del " 162 427
	expect "psnl drop 427 " 10.0.0.5:13427 "[fd00::5]:9000"
	# bash replaces only what follows the last ":" of the word
	expect "psnl drop 427 [fd00::5]:" 9000
	expect "psnl drop 427 10.0.0.5:1" 13427
	expect "psnl drop 162 "
	expect "psnl stats " --prometheus 162 427
	expect "psnl acl del " 10.0.0.0/8 fd00::/64
	expect "psnl -n ns1 list " 1161
	expect "psnl --netns ns1 add 1" 1161
	grep -q -x -F -- "-n ns1 -j port list" "$TMP/bin/calls"
	ok $? "-n NAME is passed on to psnl's listings"
	expect "psnl add 427 10.0.0.9 mode raw sample 2 " lease rate ttl hold from
	# not root, say: nothing to offer, and no error on the terminal
	STUB_EPERM=1 expect "psnl drop 427 "
	STUB_EPERM=1 complete_line "psnl drop 427 " 2>&1 >/dev/null | diag
	[ "${PIPESTATUS[0]}" = 0 ]
	ok $? "a failing psnl listing is silent"
}

# The commands, keywords and options of the real psnl's --help.
test_help_drift()
{
	local line words w i pos kw alt

	if [ ! -x "$PSNL" ]; then
		ok 1 "psnl's --help: $PSNL is not built (make userspace)"
		return
	fi
	"$PSNL" --help >"$TMP/help"
	sed -n '/^Options:/,/^Commands:/p' "$TMP/help" >"$TMP/options"
	# shellcheck disable=SC2046 # one word each
	offers "psnl --" $(grep -o -E -- '--[a-z][a-z-]*' "$TMP/options")
	# shellcheck disable=SC2046
	offers "psnl -" $(grep -o -E -- '^ +-[a-z],' "$TMP/options" | tr -d ' ,')
	while read -r line; do
		read -r -a words <<<"${line#psnl }"
		# the command path: lower-case words before the first argument
		pos="psnl"
		for ((i = 0; i < ${#words[@]}; i++)); do
			w=${words[i]}
			[[ $w =~ ^[a-z][a-z-]*$ ]] || break
			offers "$pos " "$w"
			pos+=" $w"
		done
		# one plausible value per positional argument
		for (( ; i < ${#words[@]}; i++)); do
			w=${words[i]}
			[[ $w == \[* ]] && break
			case $w in
			PORT) pos+=" 427" ;;
			ADDR*) pos+=" 10.0.0.9" ;;
			*) pos+=" x" ;;
			esac
		done
		# [keyword VALUE|literal] and [--option]
		for (( ; i < ${#words[@]}; i++)); do
			w=${words[i]}
			[[ $w == \[* ]] || continue
			kw=${w#[}
			kw=${kw%]}
			[[ $kw =~ ^[A-Z] ]] && continue	# [PORT], [COMMAND]
			offers "$pos " "$kw"
			alt=${words[i + 1]:-}
			alt=${alt%]}
			[[ $w == *"]" || -z $alt ]] && continue
			# shellcheck disable=SC2046 # literal alternatives
			offers "$pos $kw " $(tr '|' '\n' <<<"$alt" | grep -E '^[a-z]')
		done
	done < <(sed -n 's/^  \(psnl .*\)/\1/p' "$TMP/help")
}

echo "TAP version 13"
make_stub
test_static
test_live
test_help_drift
echo "1..$NTEST"
echo "# $((NTEST - NFAIL)) passed, $NFAIL failed"
[ "$NFAIL" = 0 ]
