# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the install suites: install_files.sh on the host (what `make
# install` and the packages install and remove) and install.sh in a guest
# (the installed module and unit against a kernel). Source it after lib.sh.

# shellcheck disable=SC2034 # for the suites
VERSION=$(cat "$PS_REPO/VERSION")
FIX=$PS_REPO/build/install-fixture

# ---- what install-fixture recorded on the host -----------------------------------

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

# fixture_dir CASE STATE PATH: PATH inside the snapshot, merged /usr or not.
fixture_dir()
{
	if [ -e "$FIX/$1/$2/usr$3" ]; then
		echo "$FIX/$1/$2/usr$3"
	else
		echo "$FIX/$1/$2$3"
	fi
}
