# SPDX-License-Identifier: GPL-2.0
#
# harden_lib.sh: what harden.sh and harden_reg.sh share: pshard and psreq,
# netlink requests as root and as nobody, the registration rate limit,
# and restoring the module's parameters and the cgroup mount on exit.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PSHARD=${PSHARD:-$PS_REPO/build/selftests/pshard}
PSREQ=${PSREQ:-$PS_REPO/build/selftests/psreq}
PARAMS=/sys/module/portshare/parameters
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
T=$'\t'

# nl NS ARGS...: pshard's one-line answer to a netlink request, in $OUT.
nl()
{
	local ns=$1
	shift

	cmd_ok "$PSHARD" -n "$ns" nl "$@"
}

# nobody_nl NS ARGS...: the same, as uid 65534 without capabilities.
nobody_nl()
{
	local ns=$1
	shift

	cmd_ok ip netns exec "$ns" "${NOBODY[@]}" "$PSHARD" nl "$@"
}


# set_rate RATE BURST: the registration rate limit (restored on exit).
set_rate()
{
	echo "$1" >$PARAMS/reg_rate
	echo "$2" >$PARAMS/reg_burst
}

# the cgroup test's mount and directory (harden.sh), undone on exit
CG_MOUNTED=
CG_DIR=

suite_cleanup()
{
	[ -s "$PS_TMP/rt_runtime" ] &&
		cat "$PS_TMP/rt_runtime" >/proc/sys/kernel/sched_rt_runtime_us
	[ -w $PARAMS/reg_rate ] && echo 10 >$PARAMS/reg_rate
	[ -w $PARAMS/reg_burst ] && echo 20 >$PARAMS/reg_burst
	[ -w $PARAMS/max_ports ] && echo 256 >$PARAMS/max_ports
	[ -w $PARAMS/max_total_secondaries ] &&
		echo 16384 >$PARAMS/max_total_secondaries
	[ -n "$CG_DIR" ] && rmdir "$CG_DIR" 2>/dev/null
	[ -n "$CG_MOUNTED" ] && umount /sys/fs/cgroup
	return 0
}
