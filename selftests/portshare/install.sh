#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install.sh: installed portshare against this guest's kernel. What the
# installs put on a system and take off it again is install_files.sh's, on
# the host, once; this suite needs a kernel:
#
# - the example configuration applied and removed by portshare.service's
#   own commands: the unit and psnl that `make install` installed on the
#   host (install-fixture), copied into this guest's root;
# - the module that `make dkms-install` and `dpkg -i` of the packages
#   built through DKMS on the host (install-fixture, natively in a
#   throwaway overlay of the host's root: a DKMS build takes far too long
#   under TCG), loaded from that DKMS tree into this kernel:
#
#	host:  overlay root --make dkms-install / dpkg -i--> /lib/modules/K/updates/dkms
#	                                                          | (fixture copy)
#	guest: modprobe portshare ports=162 <---------------------+
#
# The guest's own state is restored on exit: files installed into / are
# removed, /lib/modules/K gets its modules.* back and the module is loaded
# again with its defaults, as the runner expects.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install_lib.sh"

KVER=$(uname -r)
MODS=/lib/modules/$KVER
SAVED=$PS_TMP/saved-modules
# /etc and /usr/local files a test copies into this guest's root from the
# fixture's `make install`
LIVE_FILES=(/etc/portshare.conf /etc/modprobe.d/portshare.conf
	/usr/local/sbin/psnl /usr/local/lib/systemd/system/portshare.service
	/usr/local/lib/systemd/system/portshare-metrics.service
	/usr/local/lib/systemd/system/portshare-metrics.timer)

# The state the examples in dist/ describe once their commands are
# uncommented: ports=161,427 max_secondaries=32 from modprobe.d, the rest
# from portshare.conf.
EXAMPLE_STATE='port add 161 reg 13161 max 32
port add 162 reg 13162 max 16
port add 427 reg 13427 max 32
add 162 192.0.2.10:13162 mode encap
add 162 [2001:db8::10]:9162 mode raw
add 427 127.0.0.1:10427 mode raw'

suite_cleanup()
{
	local f

	for f in "${LIVE_FILES[@]}"; do
		rm_f "$f" "$f.dist"
	done
	restore_modules
	module_loaded && modprobe -r portshare
	modprobe portshare
}

# psnl's state as text, counters (the comments) stripped.
state()
{
	{ psnl port list && psnl list; } | sed 's/[[:space:]]*#.*//'
}

# An example file with its commands uncommented (lines "#word ...").
uncomment()
{
	sed -n 's/^#\([a-z]\)/\1/p' "$1"
}

# ---- the examples through the unit's own commands -------------------------------

# ExecStart= / ExecStop= lines of the unit, one command per line.
unit_cmds()
{
	sed -n "s/^$1=//p" /usr/local/lib/systemd/system/portshare.service
}

test_unit_applies_example()
{
	local c

	require_fixture install
	fixture_ok install install
	(cd "$FIX/install/installed" && cp -a --parents "${LIVE_FILES[@]#/}" /) ||
		fail "cannot copy the fixture's make install into this guest's root"
	uncomment "$PS_REPO/dist/modprobe.d/portshare.conf" >/etc/modprobe.d/portshare.conf
	uncomment "$PS_REPO/dist/portshare.conf" >/etc/portshare.conf
	modprobe -r portshare
	while read -r c; do
		# shellcheck disable=SC2086 # a unit's command line, split as systemd would
		cmd_ok $c
	done < <(unit_cmds ExecStart)
	state >"$PS_TMP/state"
	assert_text "$PS_TMP/state" "$EXAMPLE_STATE" "state after the unit's ExecStart"
}

test_unit_stop()
{
	local c

	module_loaded || modprobe portshare
	while read -r c; do
		# shellcheck disable=SC2086
		cmd_ok $c
	done < <(unit_cmds ExecStop)
	module_loaded && fail "portshare is still loaded after the unit's ExecStop"
	rm -f /etc/modprobe.d/portshare.conf /etc/portshare.conf
	modprobe portshare
}

# ---- DKMS ----------------------------------------------------------------------

save_modules()
{
	[ -d "$SAVED" ] && return 0
	mkdir -p "$SAVED"
	cp -a "$MODS"/modules.* "$SAVED/"
}

restore_modules()
{
	[ -d "$SAVED" ] || return 0
	rm -rf "$MODS/updates/dkms"
	cp -a "$SAVED"/modules.* "$MODS/"
	rm -rf "$SAVED"
}

# The fixture's DKMS build and install for this kernel.
check_dkms_built()
{
	local tree=$FIX/$1/installed/var/lib/dkms/portshare/$VERSION/$KVER

	require_fixture "$1"
	fixture_ok "$1" install
	"$PS_REPO/scripts/kernels" | grep -q -x -F "$KVER" ||
		skip "DKMS builds for the supported kernels (scripts/kernels), not $KVER"
	ls "$tree"/*/module/portshare.ko* >/dev/null 2>&1 ||
		fail "$1: DKMS did not build portshare.ko for $KVER (no $tree/*/module/portshare.ko*)"
	ls "$(fixture_dir "$1" installed "$MODS")"/updates/dkms/portshare.ko* >/dev/null 2>&1 ||
		fail "$1: DKMS did not install portshare.ko into $MODS/updates/dkms"
	assert_grep -F "PACKAGE_VERSION=\"$VERSION\"" \
		"$FIX/$1/installed/usr/src/portshare-$VERSION/dkms.conf" "$1: the installed dkms.conf"
}

# Put this kernel's /lib/modules as the fixture's DKMS left it (its
# updates/dkms and depmod's indexes), then modprobe from it.
check_dkms_loads()
{
	local src path

	check_dkms_built "$1"
	src=$(fixture_dir "$1" installed "$MODS")
	save_modules
	modprobe -r portshare
	cp -a "$src/updates" "$src"/modules.* "$MODS/"
	cmd_ok modinfo -n portshare
	path=$(cat "$OUT")
	[[ $path == "$MODS/updates/dkms/portshare.ko"* ]] ||
		fail "modprobe would load $path, not the DKMS-installed module"
	cmd_ok modprobe portshare ports=162
	state >"$PS_TMP/state"
	assert_text "$PS_TMP/state" "port add 162 reg 13162 max 64" "ports after modprobe portshare ports=162"
	modprobe -r portshare
	restore_modules
	modprobe portshare
}

test_dkms_install()
{
	check_dkms_loads dkms
}

# ---- Debian packages -----------------------------------------------------------

test_deb_install()
{
	check_dkms_loads deb
}

ktap_plan 4
require_portshare
run_test "portshare.service ExecStart applies the example configuration" test_unit_applies_example
run_test "portshare.service ExecStop unloads the module" test_unit_stop
run_test "make dkms-install: modprobe ports=162 loads the DKMS module on $KVER" test_dkms_install
run_test "dpkg -i builds through DKMS: modprobe loads it on $KVER" test_deb_install
ktap_finished
