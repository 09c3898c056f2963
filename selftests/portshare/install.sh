#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install.sh: installing portshare like a kernel package (dist/install.mk).
#
# Two halves. In this guest: the man pages, `make install`/`uninstall`
# into a DESTDIR, PREFIX, config files that survive, and the example
# configuration applied by portshare.service's own commands. On the host,
# before the guest boots: `make install`, `make dkms-install` and `dpkg -i`
# of the packages, each followed by its removal, run natively in a
# throwaway overlay of the host's root by install-fixture (`make
# install-fixture`; a DKMS build takes far too long under TCG). This suite
# checks what the fixture recorded and loads the module the fixture's DKMS
# installed, from that DKMS tree, into this guest's kernel:
#
#	host:  overlay root --make dkms-install / dpkg -i--> /lib/modules/K/updates/dkms
#	                                                          | (fixture copy)
#	guest: modprobe portshare ports=162 <---------------------+
#
# The guest's own state is restored on exit: files installed into / are
# removed, /lib/modules/K gets its modules.* back and the module is loaded
# again with its defaults, as the runner expects.

. "$(dirname "$0")/lib.sh"

KVER=$(uname -r)
VERSION=$(cat "$PS_REPO/VERSION")
FIX=$PS_REPO/build/install-fixture
DEB_DIR=$PS_REPO/build/deb
MODS=/lib/modules/$KVER
STAGE=$PS_TMP/stage
SAVED=$PS_TMP/saved-modules
# /etc and /usr/local files installed into this guest's root by a test
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

# Make, quietly; its output is shown only when it fails. This suite tests
# installing, not building: -o keeps make from rebuilding psnl or the
# module here under TCG (`make check` built both) when a source is newer.
mk()
{
	cmd_ok make -C "$PS_REPO" --no-print-directory -s \
		-o userspace -o "build/$KVER/portshare.ko" "$@"
}

# Every file (and symlink) below $1, relative, sorted.
files_in()
{
	(cd "$1" && find . ! -type d) | sed 's,^\./,,' | LC_ALL=C sort
}

# The systemd units: portshare.service, portshare-metrics.{service,timer}.
UNITS=(portshare-metrics.service portshare-metrics.timer portshare.service)

# What `make install` must install below DESTDIR with prefix $1, unit
# directory $2, for the kernels $3...: the module, psnl, psd, psrecv,
# libportshare (static, shared with its soname links, headers, .pc), every
# man page in docs/, psnl's bash completion, the two configuration files
# and the units.
expected_files()
{
	local prefix=${1#/} unitdir=${2#/} k m l
	shift 2

	{
		for k in "$@"; do
			echo "lib/modules/$k/extra/portshare.ko"
		done
		echo "$prefix/sbin/psnl"
		echo "$prefix/sbin/psd"
		echo "$prefix/bin/psrecv"
		for l in libportshare.a libportshare.so libportshare.so.1 \
			libportshare.so.1.0.0 pkgconfig/portshare.pc; do
			echo "$prefix/lib/$l"
		done
		echo "$prefix/include/portshare.h"
		echo "$prefix/include/linux/portshare.h"
		for m in "$PS_REPO"/docs/*.[1-8]; do
			echo "$prefix/share/man/man${m##*.}/${m##*/}"
		done
		echo "$prefix/share/bash-completion/completions/psnl"
		echo "etc/modprobe.d/portshare.conf"
		echo "etc/portshare.conf"
		printf "$unitdir/%s\n" "${UNITS[@]}"
	} | LC_ALL=C sort
}

# An example file with its commands uncommented (lines "#word ...").
uncomment()
{
	sed -n 's/^#\([a-z]\)/\1/p' "$1"
}

# ---- man pages ----------------------------------------------------------------

test_man_lint()
{
	local m

	command -v mandoc >/dev/null || skip "mandoc not installed (make deps)"
	command -v groff >/dev/null || skip "groff not installed (make deps: groff-base)"
	for m in "$PS_REPO"/docs/*.[1-8]; do
		cmd_ok mandoc -Tlint "$m"
		assert_empty "$OUT" "mandoc -Tlint ${m##*/}"
		cmd_ok groff -man -ww -z "$m"
		assert_empty "$ERR" "groff -ww ${m##*/}"
	done
}

# ---- make install / uninstall into a DESTDIR -----------------------------------

test_destdir_install()
{
	mk install DESTDIR="$STAGE" KVER="$KVER"
	files_in "$STAGE" >"$PS_TMP/got"
	assert_text "$PS_TMP/got" "$(expected_files /usr/local /usr/local/lib/systemd/system "$KVER")" \
		"files installed into DESTDIR"
	cmp -s "$PS_REPO/build/bin/psnl" "$STAGE/usr/local/sbin/psnl" ||
		fail "the installed psnl is not build/bin/psnl"
	[ -x "$STAGE/usr/local/sbin/psnl" ] || fail "psnl is not executable"
	cmp -s "$PS_REPO/build/$KVER/portshare.ko" "$STAGE/lib/modules/$KVER/extra/portshare.ko" ||
		fail "the installed module is not build/$KVER/portshare.ko"
	cmp -s "$PS_REPO/dist/portshare.conf" "$STAGE/etc/portshare.conf" ||
		fail "/etc/portshare.conf is not the example"
	assert_grep -F "ExecStart=/usr/local/sbin/psnl -b /etc/portshare.conf" \
		"$STAGE/usr/local/lib/systemd/system/portshare.service" "the unit"
	assert_grep -F "/usr/local/sbin/psnl stats --prometheus" \
		"$STAGE/usr/local/lib/systemd/system/portshare-metrics.service" "the metrics unit"
	cmp -s "$PS_REPO/dist/bash-completion/psnl" \
		"$STAGE/usr/local/share/bash-completion/completions/psnl" ||
		fail "the installed bash completion is not dist/bash-completion/psnl"
}

test_prefix()
{
	local d=$PS_TMP/prefix

	mk install-tools install-config DESTDIR="$d" PREFIX=/opt/ps
	files_in "$d" >"$PS_TMP/got"
	assert_text "$PS_TMP/got" "$(expected_files /opt/ps /opt/ps/lib/systemd/system)" \
		"files installed with PREFIX=/opt/ps"
	assert_grep -F "ExecStart=/opt/ps/sbin/psnl -b /etc/portshare.conf" \
		"$d/opt/ps/lib/systemd/system/portshare.service" "the unit"
}

# An admin's /etc/portshare.conf is neither replaced by an install nor
# removed by an uninstall; the new example goes next to it.
test_config_survives()
{
	local conf=$STAGE/etc/portshare.conf

	[ -f "$conf" ] || fail "no staged install (the DESTDIR test failed)"
	echo "port add 161" >>"$conf"
	cp "$conf" "$PS_TMP/mine"
	mk install-config DESTDIR="$STAGE"
	cmp -s "$PS_TMP/mine" "$conf" || fail "install replaced a changed $conf"
	cmp -s "$PS_REPO/dist/portshare.conf" "$conf.dist" || fail "no $conf.dist with the new example"
	mk uninstall-config DESTDIR="$STAGE"
	cmp -s "$PS_TMP/mine" "$conf" || fail "uninstall removed a changed $conf"
	[ ! -e "$conf.dist" ] || fail "uninstall left $conf.dist"
	# back to the example, so the uninstall test can expect an empty tree
	cp "$PS_REPO/dist/portshare.conf" "$conf"
	mk install-config DESTDIR="$STAGE"
}

test_destdir_uninstall()
{
	[ -d "$STAGE" ] || fail "no staged install (the DESTDIR test failed)"
	mk uninstall DESTDIR="$STAGE" KVER="$KVER"
	files_in "$STAGE" >"$PS_TMP/got"
	assert_empty "$PS_TMP/got" "files left in DESTDIR after make uninstall"
}

# ---- the fixture's installs on the host ----------------------------------------

# require_fixture CASE: the host ran that case (make check runs the
# fixture first; without it half of this suite would test nothing).
require_fixture()
{
	[ -f "$FIX/$1/install.status" ] ||
		fail "no host fixture for '$1' ($FIX/$1/install.status): run 'make install-fixture' as root on the host"
}

# fixture_ok CASE STEP: the step exited 0; else fail with its log.
fixture_ok()
{
	local st

	st=$(cat "$FIX/$1/$2.status" 2>/dev/null || echo missing)
	[ "$st" = 0 ] && return 0
	diag "FAIL: $1: $2 exited with status $st; its log:"
	diag <"$FIX/$1/$2.log"
	exit "$KSFT_FAIL"
}

# The files a fixture step left changed, as paths of this system: merged
# /usr shows /lib as usr/lib. modules.* (depmod), DKMS's own signing key
# and ld.so.cache (ldconfig, for libportshare) are not portshare's.
fixture_files()
{
	files_in "$FIX/$1/$2" |
		sed -E 's,^usr/lib/(modules|systemd)/,lib/\1/,' |
		grep -v -E '^lib/modules/[^/]+/modules\.|^var/lib/dkms/mok\.|^etc/ld\.so\.cache$' ||
		true
}

# fixture_dir CASE STATE PATH: PATH inside the snapshot, merged /usr or not.
fixture_dir()
{
	if [ -e "$FIX/$1/$2/usr$3" ]; then
		echo "$FIX/$1/$2/usr$3"
	else
		echo "$FIX/$1/$2$3"
	fi
}

# Nothing of portshare left after removal: no path that names it or one
# of its tools (the bash completion is just "psnl"), no modules.dep that
# lists it.
assert_nothing_left()
{
	local left=$FIX/$1/left

	[ -d "$left" ] || fail "$1: no snapshot after removal"
	(cd "$left" && find . \( -iname '*portshare*' -o -name 'psnl*' \
		-o -name 'psd*' -o -name 'psrecv*' \)) >"$PS_TMP/left"
	find "$left" -name modules.dep -exec grep -l portshare {} + >>"$PS_TMP/left" 2>/dev/null || true
	assert_empty "$PS_TMP/left" "$1: left behind after removal"
}

test_system_install()
{
	local k kernels=()

	require_fixture install
	fixture_ok install install
	mapfile -t kernels < <("$PS_REPO/scripts/kernels")
	fixture_files install installed >"$PS_TMP/got"
	assert_text "$PS_TMP/got" "$(expected_files /usr/local /usr/local/lib/systemd/system "${kernels[@]}")" \
		"files make install installed on the host"
	for k in "${kernels[@]}"; do
		assert_grep '^extra/portshare\.ko:' "$(fixture_dir install installed "/lib/modules/$k")/modules.dep" \
			"modules.dep of $k after make install (depmod)"
	done
}

test_unit_verify()
{
	require_fixture install
	fixture_ok install check
	require_fixture deb
	fixture_ok deb check
}

test_system_uninstall()
{
	require_fixture install
	fixture_ok install remove
	assert_nothing_left install
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

	mk install-tools install-config
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

test_dkms_remove()
{
	require_fixture dkms
	fixture_ok dkms remove
	assert_nothing_left dkms
}

# ---- Debian packages -----------------------------------------------------------

# deb_files DEB: the files in a package, relative, sorted.
deb_files()
{
	dpkg-deb -c "$1" | awk '$6 !~ /\/$/ { sub("^\\./", "", $6); print $6 }' | LC_ALL=C sort
}

test_deb_contents()
{
	local arch f m

	command -v dpkg-deb >/dev/null || skip "no dpkg-deb"
	arch=$(dpkg --print-architecture)
	[ -f "$DEB_DIR/portshare-dkms_${VERSION}_all.deb" ] ||
		fail "no packages in build/deb: run 'make deb' on the host (make check does)"
	deb_files "$DEB_DIR/portshare-dkms_${VERSION}_all.deb" >"$PS_TMP/got"
	assert_text "$PS_TMP/got" "$({
		echo etc/modprobe.d/portshare.conf
		echo usr/share/doc/portshare-dkms/changelog.gz
		echo usr/share/doc/portshare-dkms/copyright
		echo "usr/src/portshare-$VERSION/dkms.conf"
		for f in Kbuild "$PS_REPO"/kmod/*.[ch] "$PS_REPO"/uapi/linux/portshare.h; do
			echo "usr/src/portshare-$VERSION/${f#"$PS_REPO"/}"
		done
	} | LC_ALL=C sort)" "portshare-dkms contents"
	deb_files "$DEB_DIR/portshare-tools_${VERSION}_$arch.deb" >"$PS_TMP/got"
	assert_text "$PS_TMP/got" "$({
		echo etc/portshare.conf
		printf 'lib/systemd/system/%s\n' "${UNITS[@]}"
		echo usr/bin/psrecv
		echo usr/sbin/psd
		echo usr/sbin/psnl
		echo usr/share/bash-completion/completions/psnl
		echo usr/share/doc/portshare-tools/changelog.gz
		echo usr/share/doc/portshare-tools/copyright
		for m in "$PS_REPO"/docs/*.[1-8]; do
			echo "usr/share/man/man${m##*.}/${m##*/}.gz"
		done
	} | LC_ALL=C sort)" "portshare-tools contents"
}

test_deb_install()
{
	check_dkms_loads deb
}

test_deb_purge()
{
	require_fixture deb
	fixture_ok deb remove
	assert_nothing_left deb
}

ktap_plan 15
require_portshare
run_test "man pages are lint-clean" test_man_lint
run_test "make install DESTDIR= installs the expected files" test_destdir_install
run_test "PREFIX places tools, man pages and unit" test_prefix
run_test "a changed /etc/portshare.conf survives install and uninstall" test_config_survives
run_test "make uninstall DESTDIR= leaves nothing" test_destdir_uninstall
run_test "make install on the host: files and depmod" test_system_install
run_test "systemd-analyze verify accepts portshare.service and portshare-metrics.{service,timer}" test_unit_verify
run_test "make uninstall on the host leaves nothing" test_system_uninstall
run_test "portshare.service ExecStart applies the example configuration" test_unit_applies_example
run_test "portshare.service ExecStop unloads the module" test_unit_stop
run_test "make dkms-install: modprobe ports=162 loads the DKMS module on $KVER" test_dkms_install
run_test "make dkms-remove leaves nothing" test_dkms_remove
run_test "make deb: both packages carry the expected files" test_deb_contents
run_test "dpkg -i builds through DKMS: modprobe loads it on $KVER" test_deb_install
run_test "dpkg --purge leaves nothing" test_deb_purge
ktap_finished
