#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# module.sh: loading and unloading portshare.ko, and its parameters.
#
# Topology: the initial namespace, plus two namespaces $A and $B that hold
# portshare state while the module is unloaded under them.  Secondaries use
# loopback addresses (init_net) or addresses on the namespace's own lo, so
# the SHUTDOWN datagrams of an unload stay on this machine:
#
#	init_net: 427 -> 127.0.0.2      $A: 427 -> 10.0.0.5   $B: 161 -> 10.0.0.6
#
# What it tests: 20 load/unload cycles (the generic netlink family comes and
# goes with the module; with module autoloading disabled psnl then says the
# module is not loaded, with it enabled a family lookup loads the module),
# unloading with ports, secondaries and namespaces holding state, and with a
# monitor listening; ports=161,162,427 designates exactly those ports in
# init_net only (reg 13161.., visible in sysfs); max_secondaries= is the
# default cap; invalid ports= / max_secondaries= values make modprobe fail
# with a kernel log line naming the value and leave no module loaded; a
# /etc/modprobe.d options file is honoured.
#
# The kernel's module autoloader is turned off (kernel.modprobe=/bin/false)
# for most of the suite so that "unloaded" stays unloaded; the original
# setting is restored on exit.

. "$(dirname "$0")/lib.sh"

T=$'\t'
A=
B=
MODPROBE_SYSCTL=/proc/sys/kernel/modprobe
ORIG_MODPROBE=$(<"$MODPROBE_SYSCTL")
CONF=/etc/modprobe.d/portshare-selftest.conf

suite_cleanup()
{
	echo "$ORIG_MODPROBE" >"$MODPROBE_SYSCTL"
	rm -f "$CONF"
	# leave the module loaded with its defaults, as the runner expects
	module_loaded && modprobe -r portshare
	modprobe portshare
}

autoload_off()
{
	echo /bin/false >"$MODPROBE_SYSCTL"
}

# The family is gone: no module, no family, and psnl says so.
assert_unloaded()
{
	module_loaded && fail "portshare is still loaded"
	cmd_ok genl ctrl list
	assert_grep -F nlctrl "$OUT" "genl ctrl list"
	assert_no_grep '(^|[^[:alnum:]_])portshare([^[:alnum:]_]|$)' "$OUT" "genl ctrl list"
	cmd_fail_rc 1 psnl port list
	assert_grep -F "not loaded" "$ERR" "psnl stderr"
	module_loaded && fail "psnl loaded the module although autoloading is off"
	return 0
}

assert_loaded_empty()
{
	module_loaded || fail "portshare is not loaded"
	cmd_ok psnl port list
	assert_empty "$OUT" "port list after load"
	cmd_ok psnl list
	assert_empty "$OUT" "list after load"
}

# modprobe_refused PARAM=VALUE REGEX: modprobe fails, nothing is loaded and
# one of the module's own kernel log lines ("portshare: ...") matches REGEX.
modprobe_refused()
{
	local mark

	module_loaded && modprobe -r portshare
	mark=$(dmesg_mark)
	cmd_fail modprobe portshare "$1"
	module_loaded && fail "portshare loaded with $1"
	dmesg_since "$mark" >"$PS_TMP/dmesg"
	assert_grep "portshare: .*($2)" "$PS_TMP/dmesg" "kernel log after modprobe portshare $1"
	# the family did not appear either
	cmd_fail_rc 1 psnl port list
	assert_grep -F "not loaded" "$ERR" "psnl stderr"
}

test_cycles()
{
	autoload_off
	for _ in $(seq 1 20); do
		cmd_ok modprobe portshare
		assert_loaded_empty
		cmd_ok psnl add 427 127.0.0.2
		cmd_ok modprobe -r portshare
		assert_unloaded
	done
}

test_unload_with_state()
{
	autoload_off
	for _ in $(seq 1 5); do
		cmd_ok modprobe portshare
		cmd_ok psnl port add 161 reg off max 3
		cmd_ok psnl add 161 127.0.0.2:9000 mode raw
		cmd_ok psnl add 427 127.0.0.2
		cmd_ok psnl add 427 '[::1]:9001' mode transparent sample 5
		cmd_ok ip netns exec "$A" psnl add 427 10.0.0.5
		cmd_ok ip netns exec "$A" psnl port add 60000 reg 14000
		cmd_ok ip netns exec "$B" psnl add 161 10.0.0.6:9000
		# state pins nothing: the module can always go
		assert_eq 0 "$(</sys/module/portshare/refcnt)" "module refcnt"
		cmd_ok modprobe -r portshare
		assert_unloaded
		cmd_fail_rc 1 ip netns exec "$A" psnl list
		assert_grep -F "not loaded" "$ERR" "psnl stderr in $A"
	done
	# a reload starts from scratch everywhere
	cmd_ok modprobe portshare
	assert_loaded_empty
	cmd_ok ip netns exec "$A" psnl port list
	assert_empty "$OUT" "port list in $A"
	cmd_ok ip netns exec "$B" psnl list
	assert_empty "$OUT" "list in $B"
	cmd_ok modprobe -r portshare
}

# marker_once FILE: designate and remove 65001; does FILE show it?
marker_once()
{
	psnl port add 65001 reg 5001 >/dev/null 2>&1
	psnl port del 65001 >/dev/null 2>&1
	__match '^port del 65001$' "$1"
}

test_unload_with_monitor()
{
	local pid

	autoload_off
	cmd_ok modprobe portshare
	cmd_ok psnl add 427 127.0.0.2
	psnl monitor >"$PS_TMP/mon" 2>&1 &
	pid=$!
	echo "$pid" >>"$PS_TMP/pids"
	busywait 10000 marker_once "$PS_TMP/mon" || fail "the monitor did not start"
	# a subscribed socket must not pin the module
	cmd_ok modprobe -r portshare
	module_loaded && fail "portshare still loaded"
	bg_kill "$pid"
	cmd_ok modprobe portshare
	assert_loaded_empty
	cmd_ok modprobe -r portshare
}

test_autoload()
{
	echo "$ORIG_MODPROBE" >"$MODPROBE_SYSCTL"
	module_loaded && cmd_ok modprobe -r portshare
	# MODULE_ALIAS_GENL_FAMILY: resolving the family loads the module
	cmd_ok psnl port list
	assert_empty "$OUT" "port list"
	module_loaded || fail "resolving the family did not load portshare"
	cmd_ok psnl add 427 127.0.0.2
	cmd_ok psnl port list
	assert_text "$OUT" "port add 427 reg 13427 max 64$T# secondaries 1 rx 0 shared 0"
	cmd_ok modprobe -r portshare
	autoload_off
}

test_param_ports()
{
	autoload_off
	module_loaded && cmd_ok modprobe -r portshare
	cmd_ok modprobe portshare ports=161,162,427
	cmd_ok psnl port list
	assert_text "$OUT" "port add 161 reg 13161 max 64$T# secondaries 0 rx 0 shared 0
port add 162 reg 13162 max 64$T# secondaries 0 rx 0 shared 0
port add 427 reg 13427 max 64$T# secondaries 0 rx 0 shared 0"
	assert_eq "161,162,427" "$(</sys/module/portshare/parameters/ports)" "parameters/ports"
	cmd_ok psnl list
	assert_empty "$OUT" "list"
	# initial namespace only
	cmd_ok ip netns exec "$A" psnl port list
	assert_empty "$OUT" "port list in $A"
	# they behave like any designated port
	cmd_ok psnl add 427 127.0.0.2
	cmd_fail_rc 1 psnl port add 162
	cmd_ok psnl port del 161
	cmd_ok psnl port list
	assert_text "$OUT" "port add 162 reg 13162 max 64$T# secondaries 0 rx 0 shared 0
port add 427 reg 13427 max 64$T# secondaries 1 rx 0 shared 0"
	cmd_ok modprobe -r portshare
	# unsorted and single
	cmd_ok modprobe portshare ports=427,67
	cmd_ok psnl port list
	assert_text "$OUT" "port add 67 reg 13067 max 64$T# secondaries 0 rx 0 shared 0
port add 427 reg 13427 max 64$T# secondaries 0 rx 0 shared 0"
	cmd_ok modprobe -r portshare
}

test_param_max()
{
	autoload_off
	module_loaded && cmd_ok modprobe -r portshare
	cmd_ok modprobe portshare max_secondaries=2 ports=427
	assert_eq 2 "$(</sys/module/portshare/parameters/max_secondaries)" "parameters/max_secondaries"
	cmd_ok psnl port add 161
	cmd_ok psnl add 1427 127.0.0.2
	cmd_ok ip netns exec "$A" psnl port add 162
	cmd_ok psnl port list
	assert_text "$OUT" "port add 161 reg 13161 max 2$T# secondaries 0 rx 0 shared 0
port add 427 reg 13427 max 2$T# secondaries 0 rx 0 shared 0
port add 1427 reg 14427 max 2$T# secondaries 1 rx 0 shared 0"
	cmd_ok ip netns exec "$A" psnl port list
	assert_text "$OUT" "port add 162 reg 13162 max 2$T# secondaries 0 rx 0 shared 0"
	# the cap is enforced, and an explicit max still wins
	cmd_ok psnl add 427 127.0.0.2:9000
	cmd_ok psnl add 427 127.0.0.2:9001
	cmd_fail_rc 1 psnl add 427 127.0.0.2:9002
	cmd_ok psnl port add 500 max 3
	cmd_ok psnl port list
	assert_grep -F "port add 500 reg 13500 max 3$T" "$OUT" "port list"
	cmd_ok modprobe -r portshare
	# the default is 64
	cmd_ok modprobe portshare
	assert_eq 64 "$(</sys/module/portshare/parameters/max_secondaries)" "parameters/max_secondaries"
	cmd_ok modprobe -r portshare
}

test_param_invalid()
{
	autoload_off
	modprobe_refused ports=70000 "'70000' is not a port"
	modprobe_refused ports=abc "'abc' is not a port"
	modprobe_refused ports=0 "'0' is not a port"
	modprobe_refused ports=161,abc,427 "'abc' is not a port"
	modprobe_refused ports=-1 "'-1' is not a port"
	# a port listed twice
	modprobe_refused ports=161,427,161 "port 161 is already designated"
	# no default registration port above 52535
	modprobe_refused ports=60000 "port 60000 has no default registration port"
	modprobe_refused max_secondaries=0 "max_secondaries=0 is invalid"
	modprobe_refused max_secondaries=4097 "max_secondaries=4097 is invalid"
	# nothing was left behind by the failed loads
	cmd_ok modprobe portshare
	assert_loaded_empty
	cmd_ok modprobe -r portshare
}

test_modprobe_conf()
{
	autoload_off
	module_loaded && cmd_ok modprobe -r portshare
	echo "options portshare ports=162 max_secondaries=8" >"$CONF"
	cmd_ok modprobe portshare
	rm -f "$CONF"
	cmd_ok psnl port list
	assert_text "$OUT" "port add 162 reg 13162 max 8$T# secondaries 0 rx 0 shared 0"
	cmd_ok modprobe -r portshare
}

ktap_plan 8
require_portshare
setup_ns A B
ip -n "$A" addr add 10.0.0.5/32 dev lo
ip -n "$B" addr add 10.0.0.6/32 dev lo

run_test "20 load/unload cycles; the family goes with the module" test_cycles
run_test "unload with ports, secondaries and namespaces holding state" test_unload_with_state
run_test "unload while a monitor is subscribed" test_unload_with_monitor
run_test "resolving the family autoloads the module" test_autoload
run_test "ports=161,162,427 designates exactly those in init_net" test_param_ports
run_test "max_secondaries= is the default cap" test_param_max
run_test "invalid ports= / max_secondaries= fail modprobe, log why" test_param_invalid
run_test "options from /etc/modprobe.d are honoured" test_modprobe_conf
ktap_finished
