#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The registration port's replies, read from shared/replies.def: the one
# table portshare.ko and libportshare answer from. Suites name a reply by
# its row, so a text is written once. libportshare's codec_test checks
# the table's texts against the patent's Table 2. The requests whose
# replies do not depend on the topology are in selftests/replies.matrix,
# which psd_wire.py reads too.

# PS_REPLY[NAME]: the whole reply of row NAME, "300 ERROR. Invalid Address";
# PS_REPLY[-] is psreq's "-" for no reply
declare -gA PS_REPLY=([-]=-)

__load_replies()
{
	# shellcheck disable=SC2153 # PS_REPO is lib.sh's
	local def=$PS_REPO/shared/replies.def line
	local re='^PS_REPLY\(([A-Z_]+),[[:space:]]*([0-9]+),[[:space:]]*"([^"]*)"'

	while IFS= read -r line; do
		[[ $line =~ $re ]] &&
			PS_REPLY[${BASH_REMATCH[1]}]="${BASH_REMATCH[2]} ${BASH_REMATCH[3]}"
	done <"$def"
	[ -n "${PS_REPLY[OK]-}" ] || {
		echo "# no replies in $def" >&2
		exit 1
	}
}
__load_replies

# reply_lines ROW... - set REPLY_LINES to the replies, one per line
# ROW is NAME, NAME*COUNT (the same reply COUNT times) or "NAME TEXT" (the
# reply followed by a space and TEXT: "OK 127.0.0.1 13162"). NAME - is
# psreq's "-" for no reply. No subshell, so a suite can build many.
reply_lines()
{
	local row name rest n

	REPLY_LINES=
	for row in "$@"; do
		name=${row%% *}
		rest=
		[ "$name" = "$row" ] || rest=" ${row#* }"
		n=1
		if [[ $name == *\** ]]; then
			n=${name#*\*}
			name=${name%\**}
		fi
		[ -n "${PS_REPLY[$name]-}" ] || {
			echo "# reply_lines: no reply $name in shared/replies.def" >&2
			exit 1
		}
		while [ "$n" -gt 0 ]; do
			REPLY_LINES+=${REPLY_LINES:+$'\n'}${PS_REPLY[$name]}$rest
			n=$((n - 1))
		done
	done
}

# assert_replies FILE WHAT ROW... - FILE holds exactly these replies
assert_replies()
{
	local file=$1 what=$2

	shift 2
	reply_lines "$@"
	assert_text "$file" "$REPLY_LINES" "$what"
}

printf -v __matrix_long '%0300d' 0
__matrix_long=${__matrix_long//0/a}

# matrix_section NAME PORT - section NAME of selftests/replies.matrix, for
# the contested port PORT: MATRIX_REQ, the requests in psreq's syntax, and
# MATRIX_REPLY, the rows reply_lines and assert_replies take
matrix_section()
{
	local name=$1 port=$2 line in='' req row re='\{([A-Z_]+)\}'

	MATRIX_REQ=()
	MATRIX_REPLY=()
	while IFS= read -r line; do
		case $line in
		"[$name]") in=1; continue ;;
		'['*']') in=; continue ;;
		'#'* | '') continue ;;
		esac
		[ -n "$in" ] || continue
		req=${line%$'\t'*}
		row=${line##*$'\t'}
		req=${req//\{PORT\}/$port}
		req=${req//\{REG\}/$((port + 13000))}
		req=${req//\{LONG\}/$__matrix_long}
		while [[ $req =~ $re ]]; do
			[ -n "${PS_REPLY[${BASH_REMATCH[1]}]-}" ] || __matrix_die "$line"
			req=${req//"${BASH_REMATCH[0]}"/${PS_REPLY[${BASH_REMATCH[1]}]}}
		done
		MATRIX_REQ+=("$req")
		MATRIX_REPLY+=("$row")
	done <"$PS_REPO/selftests/replies.matrix"
	[ ${#MATRIX_REQ[@]} -gt 0 ] || __matrix_die "no section [$name]"
}

__matrix_die()
{
	echo "# selftests/replies.matrix: $1" >&2
	exit 1
}
