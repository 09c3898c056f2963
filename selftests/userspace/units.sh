#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# units.sh: the systemd units of dist/ as `make install` writes them
# (@SBINDIR@ filled in), checked by `systemd-analyze verify` with no
# complaint at all (it exits 0 on unknown keys, so its output must be
# empty too); then the ExecStart= of portshare-metrics.service run by
# hand against a stub psnl: the file appears whole and readable, a failing
# psnl removes it, no temporary file is left.  Prints TAP.  The installed
# units, man pages included, are verified again by install-fixture
# (selftests/portshare/install_files.sh).
#
#   selftests/userspace/units.sh     (make -C userspace test)
set -u

HERE=$(dirname "$(readlink -f "$0")")
TOP=$(readlink -f "$HERE/../..")
BIN=${PS_BIN:-$TOP/build/bin}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/psnl-units.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=selftests/userspace/tap.sh
. "$HERE/tap.sh"

# render SBINDIR: every dist/*.in unit into $TMP/units, as install.mk does
render()
{
	local f

	mkdir -p "$TMP/units"
	for f in "$TOP"/dist/*.service.in "$TOP"/dist/*.timer.in; do
		f=${f##*/}
		sed "s|@SBINDIR@|$1|g" "$TOP/dist/$f" >"$TMP/units/${f%.in}"
	done
}

test_verify()
{
	local u out rc

	if ! command -v systemd-analyze >/dev/null; then
		echo "ok $((NTEST += 1)) - systemd-analyze verify # SKIP no systemd-analyze"
		return
	fi
	render "$BIN"
	for u in "$TMP"/units/*; do
		# --man=no: the man pages are not installed here
		out=$(cd "$TMP/units" && systemd-analyze verify --man=no "${u##*/}" 2>&1)
		rc=$?
		[ "$rc" = 0 ] && [ -z "$out" ]
		ok $? "systemd-analyze verify ${u##*/}: no complaint"
		[ -z "$out" ] || diag <<<"$out"
	done
}

# The metrics unit's command, as the shell gets it from systemd.
metrics_command()
{
	sed -n 's/^ExecStart=\/bin\/sh -c //p' "$TMP/units/portshare-metrics.service" |
		sed 's/\$\$/$/g'
}

# A psnl that prints metrics, or fails with STUB_FAIL set.
make_stub()
{
	mkdir -p "$TMP/stub"
	cat >"$TMP/stub/psnl" <<-'EOF'
	#!/bin/sh
	[ "$*" = "stats --prometheus" ] || exit 2
	if [ -n "${STUB_FAIL:-}" ]; then
		echo "psnl: stats: portshare kernel module is not loaded" >&2
		exit 1
	fi
	echo "# HELP portshare_port_datagrams_received_total Datagrams received."
	echo "# TYPE portshare_port_datagrams_received_total counter"
	echo "portshare_port_datagrams_received_total{port=\"162\"} ${STUB_VALUE:-1}"
	EOF
	chmod +x "$TMP/stub/psnl"
}

test_metrics_command()
{
	local cmd words args prom=$TMP/textfile/portshare.prom rc

	render "$TMP/stub"
	make_stub
	mkdir -p "$TMP/textfile"
	cmd=$(metrics_command)
	# the script and its one argument, the file; run with the stub's path
	eval "args=($cmd)"
	[ "${args[1]}" = /var/lib/prometheus/node-exporter/portshare.prom ]
	ok $? "the unit writes /var/lib/prometheus/node-exporter/portshare.prom"
	(umask 077 && STUB_VALUE=7 sh -c "${args[0]}" "$prom")
	rc=$?
	[ "$rc" = 0 ] && grep -q -x 'portshare_port_datagrams_received_total{port="162"} 7' "$prom"
	ok $? "ExecStart writes psnl's output to the file (status $rc)"
	[ "$(stat -c %a "$prom" 2>/dev/null)" = 644 ]
	ok $? "the file is readable by the node exporter (0644, whatever the umask)"
	STUB_VALUE=8 sh -c "${args[0]}" "$prom"
	grep -q -x 'portshare_port_datagrams_received_total{port="162"} 8' "$prom"
	ok $? "the next run replaces it"
	STUB_FAIL=1 sh -c "${args[0]}" "$prom" 2>"$TMP/err"
	rc=$?
	[ "$rc" != 0 ] && [ ! -e "$prom" ] && grep -q "not loaded" "$TMP/err"
	ok $? "a failing psnl removes the file and fails the unit with its message (status $rc)"
	words=$(ls -A "$TMP/textfile")
	[ -z "$words" ]
	ok $? "no temporary file is left behind"
	[ -z "$words" ] || diag <<<"$words"
}

echo "TAP version 13"
test_verify
test_metrics_command
echo "1..$NTEST"
echo "# $((NTEST - NFAIL)) passed, $NFAIL failed"
[ "$NFAIL" = 0 ]
