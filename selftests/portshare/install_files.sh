#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install_files.sh: what installing portshare puts on a system and takes
# off it again (dist/install.mk), checked on the host; the installed module
# and unit against a kernel are install.sh's, in each guest.
#
# Here: the man pages, `make install`/`uninstall` into a DESTDIR, PREFIX
# and config files that survive; then what install-fixture recorded when it
# ran `make install`, `make dkms-install` and `dpkg -i` of the packages,
# each with its removal, natively in a throwaway overlay of this machine's
# root (`make install-fixture`, as root). Nothing here needs a guest: every
# install is into a DESTDIR or was the fixture's, so this runs once, with
# the host suites of `selftests/vm/check`, and not once per kernel.
#
#   selftests/portshare/install_files.sh     (after make all install-fixture)

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install_lib.sh"

mapfile -t INSTALL_KVERS < <("$PS_REPO/scripts/kernels")
STAGE=$PS_TMP/stage
DEB_DIR=$PS_REPO/build/deb

# Make, quietly; its output is shown only when it fails. This suite tests
# installing, not building: -o keeps make from rebuilding psnl or a module
# (`make check` built them) when a source is newer.
mk()
{
	local k old=(-o userspace)

	for k in "${INSTALL_KVERS[@]}"; do
		old+=(-o "build/$k/portshare.ko")
	done
	cmd_ok make -C "$PS_REPO" --no-print-directory -s "${old[@]}" "$@"
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
		echo "$prefix/include/linux/portshare_nl.h"
		for m in "$PS_REPO"/docs/*.[1-8]; do
			echo "$prefix/share/man/man${m##*.}/${m##*/}"
		done
		echo "$prefix/share/bash-completion/completions/psnl"
		echo "etc/modprobe.d/portshare.conf"
		echo "etc/portshare.conf"
		printf "$unitdir/%s\n" "${UNITS[@]}"
	} | LC_ALL=C sort
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
	local k

	mk install DESTDIR="$STAGE"
	files_in "$STAGE" >"$PS_TMP/got"
	assert_text "$PS_TMP/got" "$(expected_files /usr/local /usr/local/lib/systemd/system "${INSTALL_KVERS[@]}")" \
		"files installed into DESTDIR"
	cmp -s "$PS_REPO/build/bin/psnl" "$STAGE/usr/local/sbin/psnl" ||
		fail "the installed psnl is not build/bin/psnl"
	[ -x "$STAGE/usr/local/sbin/psnl" ] || fail "psnl is not executable"
	for k in "${INSTALL_KVERS[@]}"; do
		cmp -s "$PS_REPO/build/$k/portshare.ko" "$STAGE/lib/modules/$k/extra/portshare.ko" ||
			fail "the installed module is not build/$k/portshare.ko"
	done
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
	mk uninstall DESTDIR="$STAGE"
	files_in "$STAGE" >"$PS_TMP/got"
	assert_empty "$PS_TMP/got" "files left in DESTDIR after make uninstall"
}

# ---- what install-fixture's installs and removals changed ----------------------

test_system_install()
{
	local k

	require_fixture install
	fixture_ok install install
	fixture_files install installed >"$PS_TMP/got"
	assert_text "$PS_TMP/got" "$(expected_files /usr/local /usr/local/lib/systemd/system "${INSTALL_KVERS[@]}")" \
		"files make install installed on the host"
	for k in "${INSTALL_KVERS[@]}"; do
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
		for f in Kbuild "$PS_REPO"/kmod/*.[ch] "$PS_REPO"/shared/*.[ch] \
			"$PS_REPO"/shared/*.def "$PS_REPO"/uapi/linux/portshare*.h; do
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

test_deb_purge()
{
	require_fixture deb
	fixture_ok deb remove
	assert_nothing_left deb
}

ktap_plan 11
run_test "man pages are lint-clean" test_man_lint
run_test "make install DESTDIR= installs the expected files" test_destdir_install
run_test "PREFIX places tools, man pages and unit" test_prefix
run_test "a changed /etc/portshare.conf survives install and uninstall" test_config_survives
run_test "make uninstall DESTDIR= leaves nothing" test_destdir_uninstall
run_test "make install on the host: files and depmod" test_system_install
run_test "systemd-analyze verify accepts portshare.service and portshare-metrics.{service,timer}" test_unit_verify
run_test "make uninstall on the host leaves nothing" test_system_uninstall
run_test "make dkms-remove leaves nothing" test_dkms_remove
run_test "make deb: both packages carry the expected files" test_deb_contents
run_test "dpkg --purge leaves nothing" test_deb_purge
ktap_finished
