# SPDX-License-Identifier: GPL-2.0
#
# The portshare part of the suites' helpers, sourced by lib.sh (which a suite
# sources): the module's state and counters as psnl shows them, loading
# and reloading the module, and the kernel log since a mark.
# shellcheck shell=bash

# The kernel's portshare state as psnl sees it (JSON, in netns $1 or the
# current one): used to prove that a failed command changed nothing.
ps_state()
{
	if [ -n "${1:-}" ]; then
		psnl -n "$1" -j port list && psnl -n "$1" -j list
	else
		psnl -j port list && psnl -j list
	fi
}

# port_stat PORT NAME [NS]: counter NAME of contested port PORT, in NS
# ($PRI by default), from "psnl -j port list"; fails, naming what is
# missing, when the port or the counter is (docs/psnl-json.md).
port_stat()
{
	psnl -n "${3:-$PRI}" -j port list |
		jq -e --argjson port "$1" --arg key "$2" '.[] | select(.port == $port) |
			.stats[$key] // error("port \($port) has no counter \($key)")'
}

# port_stat_is PORT NAME VALUE [NS]: the counter is VALUE (for busywait).
port_stat_is()
{
	[ "$(port_stat "$1" "$2" "${4:-}")" = "$3" ]
}

# snapshot NAME: the state of namespace $NS (ps_state), kept as NAME.
snapshot()
{
	ps_state "$NS" >"$PS_TMP/$1"
}

# unchanged NAME: the state of $NS is what it was at snapshot NAME.
unchanged()
{
	ps_state "$NS" >"$PS_TMP/now"
	if ! diff -u "$PS_TMP/$1" "$PS_TMP/now" >"$PS_TMP/diff"; then
		diag "FAIL: the state changed (-before +after):"
		diag <"$PS_TMP/diff"
		exit 1
	fi
}

module_loaded()
{
	local name rest

	[ -d /sys/module/portshare ] || return 1
	while read -r name rest; do
		[ "$name" = portshare ] && return 0
	done </proc/modules
	return 1
}

# reload_module [PARAMS...]: a fresh module with empty state everywhere.
# shellcheck disable=SC2120
reload_module()
{
	if module_loaded; then
		modprobe -r portshare || return 1
	fi
	modprobe portshare "$@"
}

# Give up on the suite early when its subject is missing.
require_portshare()
{
	local why=""

	command -v psnl >/dev/null || why="psnl not found in PATH (make userspace)"
	module_loaded || modprobe portshare 2>/dev/null || why=${why:-"portshare.ko is not loaded"}
	[ -z "$why" ] && return 0
	diag "$why"
	ktap_fail_rest "setup # $why"
	exit 1
}

# The kernel log since a mark: mark=$(dmesg_mark); ...; dmesg_since $mark
dmesg_mark()
{
	dmesg | wc -l
}

dmesg_since()
{
	dmesg | tail -n +$(($1 + 1))
}
