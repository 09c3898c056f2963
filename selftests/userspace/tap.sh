# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# TAP helpers of the host-side shell suites (completion.sh, units.sh).
# Source it; the suite prints "1..$NTEST" at the end and fails if NFAIL.

NTEST=0
NFAIL=0

# ok STATUS NAME: one test point, passed when STATUS is 0.
ok()
{
	NTEST=$((NTEST + 1))
	if [ "$1" = 0 ]; then
		echo "ok $NTEST - $2"
	else
		NFAIL=$((NFAIL + 1))
		echo "not ok $NTEST - $2"
	fi
}

# diag: stdin as TAP diagnostics.
diag()
{
	sed 's/^/#   /'
}
