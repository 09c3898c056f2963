#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stress.sh: the module under fire (issue 8).  Unload and namespace
# teardown under a flood, control-plane churn racing the data path,
# allocation failures in the copy path, the largest datagrams, and after
# every case a conservation check and object counts back at their baseline.
#
# Everything stays on loopback, in the initial namespace ($INIT: only for
# the module parameter ports=, which designates there) and in the suite's
# own namespaces:
#
#	$NS    lo 127.0.0.1: the application on 127.0.0.1:$P, 16 secondaries
#	       127.0.0.1:9100..9115 (psstress sink), the flood (psstress
#	       flood) and the churn (psnl -b, psstress wire, port del)
#	$INIT  the same, for the rmmod cycles
#	cyc    nscycle's namespace, made and destroyed 100 times
#
# Conservation, per port (docs/protocol.md counters):
#   (rx - err_*) x secondaries == copies + drop_* + sampled
#   shared <= rx - err_*, and == when nothing was dropped ("shared" counts
#   datagrams copied to at least one secondary)
# and, per secondary, what its receiver got + what its socket dropped
# (SO_RXQ_OVFL) == copies, and the application gets every original the
# flood sent.  The per-CPU backlog (/proc/net/softnet_stat, machine-wide)
# may drop datagrams on a starved guest: then the receivers together may
# fall short by at most what it dropped during the case, never more, and
# never receive more than was sent.  In the rmmod and netns cases the
# counters die with the module or the namespace: there the check runs on
# a fresh port right after the case (probe), with an exact burst.
#
# Object counts after each case: no port and no secondary left anywhere
# (the module's own counters), and, where /proc/slabinfo shows them
# (the runner boots with slub_debug, so caches are not merged and active
# objects are exact), skbuff_head_cache and net_namespace back at their
# baseline.  The debug kernel adds KASAN, lockdep and a kmemleak scan
# after the suite (selftests/vm/guest-init).
#
# Scale: STRESS_SCALE=N (percent) scales every cycle and operation count,
# and the test names give the counts that ran.  The default is 100,
# except on a KASAN/kmemleak kernel (the debug kernel, about 4x slower
# under TCG): 20 (20 rmmod and 20 netns cycles, 2,000
# operations), with floods of 30 instead of 300 datagrams/s (STRESS_RATE),
# which takes about 500 s there; at 100 it takes about half an hour, too
# long for CI (selftests/vm/run -k debug -t 3600 -- env STRESS_SCALE=100
# selftests/portshare/stress.sh runs it).

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_lib.sh"
. "$(dirname "$0")/stress_lib.sh"

PSSTRESS=${PSSTRESS:-$PS_REPO/build/selftests/psstress}
# The flood's datagrams per second.  On the debug kernel 16 secondaries
# at 100/s (1,600 copies/s) were more than its one CPU delivered: the
# backlog, raised to 20,000 below so that nothing is dropped, then grew
# by the second, and every datagram on loopback, registration replies
# too, waited behind it for tens of seconds (an ADD the module carried
# out went unanswered through 20 attempts in 40 s).  30/s stays under.
if [ -e /sys/kernel/debug/kmemleak ]; then
	SCALE=${STRESS_SCALE:-20}
	RATE=${STRESS_RATE:-30}
else
	SCALE=${STRESS_SCALE:-100}
	RATE=${STRESS_RATE:-300}
fi
P=30162			# the contested port
REG=$((P + 13000))	# its registration port
BASE=9100		# data ports BASE..BASE+15
NSEC=16

scaled()
{
	local n=$(($1 * SCALE / 100))

	[ "$n" -ge 1 ] || n=1
	echo "$n"
}

suite_cleanup()
{
	failslab_off
	module_loaded || modprobe portshare
	[ ! -s "$PS_TMP/reg_rate" ] ||
		cat "$PS_TMP/reg_rate" >/sys/module/portshare/parameters/reg_rate
	restore_backlog
}

# ---- the cases -----------------------------------------------------------------

test_setup()
{
	require_datapath
	[ -x "$PSSTRESS" ] || fail "missing $PSSTRESS: run 'make -C selftests/portshare'"
	backlog_raise
	setup_ns NS
	echo "$NS" >"$PS_TMP/ns"
	REG_RATE0=$(cat /sys/module/portshare/parameters/reg_rate)
	echo "$REG_RATE0" >"$PS_TMP/reg_rate"
	baseline_save
	diag "baseline (skbuff_head_cache net_namespace): $(cat "$PS_TMP/baseline")"
	# the data path works before anything is stressed
	probe "$NS"
	baseline_check
}

# Each case starts clean, also after a failed one.
load_state()
{
	read -r NS <"$PS_TMP/ns"
	read -r REG_RATE0 <"$PS_TMP/reg_rate"
	stop_leftovers
	module_loaded || modprobe portshare
	psnl -n "$NS" port del "$P" 2>/dev/null || true
	psnl port del "$P" 2>/dev/null || true
}

# A failed case may have left its flood and receivers running: they would
# feed the next case's counters and hold its ports.
stop_leftovers()
{
	local pid

	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done <"$PS_TMP/pids"
	while read -r pid; do
		busywait 10000 __gone "$pid" || true
	done <"$PS_TMP/pids"
	: >"$PS_TMP/pids"
}

# Why a registration went unanswered: the port's counters (requests,
# denied, rate limited, queue drops), the sockets on its registration
# port and the kernel's last words.
modcycle_diag()
{
	diag "psnl stats $P:"
	psnl stats "$P" 2>&1 | diag
	diag "UDP sockets on port $REG (local_address:port in hex):"
	grep -i ":$(printf '%04X' "$REG") " /proc/net/udp /proc/net/udp6 2>&1 | diag
	diag "udp errors (NoPorts InErrors RcvbufErrors): $(udp_errors)"
	# how long a datagram now waits on loopback (the backlog's depth)
	python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); s.settimeout(60); t = time.time()
s.sendto(b"x", s.getsockname()); s.recv(1)
print("a datagram to itself on loopback took %.3f s" % (time.time() - t))' 2>&1 | diag
	dmesg | tail -n 20 | diag
}

# rmmod under a flood: 100 times, load with ports=$P, register 16
# secondaries over the wire, let copies flow, unload.  The application
# loses nothing, and every secondary gets a SHUTDOWN per unload.
test_rmmod()
{
	local ko cycles b0 u0 port got shut drops
	load_state
	cycles=$(scaled 100)

	ko=$(modinfo -n portshare) || fail "modinfo -n portshare"
	# rmmod, not modprobe -r: its dependencies stay for finit_module()
	cmd_ok rmmod portshare
	sink_start app "" "$P" 1
	sink_start secs "" "$BASE" "$NSEC"
	b0=$(backlog_drops)
	u0=$(udp_errors)
	flood_start flood "" "$P" 200 "$RATE"
	timeout 600 "$PSSTRESS" modcycle --ko "$ko" --params "ports=$P" \
		--cycles "$cycles" --port "$P" --reg "$REG" --base "$BASE" \
		--secondaries "$NSEC" --dwell 50 >"$OUT" 2>"$ERR" ||
		{ diag <"$ERR"; modcycle_diag; modprobe portshare; fail "modcycle failed"; }
	diag <"$OUT"
	flood_stop flood
	busywait 10000 __sink_has app "$(awk '{ print $1 }' "$PS_TMP/flood")" || true
	# The last unload's notices may still be on their way to the sink (on
	# the one-CPU debug kernel that took seconds): stopping it early would
	# lose them from the count, not from the wire.
	busywait 30000 __sink_shutdowns secs "$cycles" || true
	sink_stop app secs
	cmd_ok modprobe portshare
	SHORT=0
	app_got app flood
	# a SHUTDOWN the per-CPU backlog dropped is lost like any datagram
	while read -r port got _ shut drops; do
		[ "$shut" -le "$cycles" ] ||
			fail "secondary $port got $shut SHUTDOWN notices, more than $cycles"
		[ "$shut" = "$cycles" ] ||
			diag "secondary $port got $shut SHUTDOWN notices of $cycles" \
				"(its receiver: $got copies, $drops socket drops; UDP NoPorts," \
				"InErrors, RcvbufErrors before: $u0, after: $(udp_errors))"
		SHORT=$((SHORT + cycles - shut))
	done <"$PS_TMP/secs"
	short_at_most "$b0"
	diag "every secondary got $cycles SHUTDOWN notices; copies: $(awk '{ s += $2 } END { print s }' "$PS_TMP/secs")"
	probe "$NS"
	baseline_check
}

# ip netns del of a sharing namespace under a flood, 100 times (nscycle).
test_netns_del()
{
	local name
	load_state

	name=${PS_NS_PREFIX}cyc
	echo "$name" >>"$PS_TMP/netns"
	timeout 600 "$PSSTRESS" nscycle --name "$name" --cycles "$(scaled 100)" \
		--port "$P" --base "$BASE" --secondaries "$NSEC" --dwell 50 \
		--rate "$RATE" --size 200 --psnl "$(command -v psnl)" \
		>"$OUT" 2>"$ERR" || { diag <"$ERR"; fail "nscycle failed"; }
	diag <"$OUT"
	[ ! -e "/run/netns/$name" ] || fail "/run/netns/$name left behind"
	probe "$NS"
	baseline_check
}

# 10,000 ADD/DROP over netlink and 10,000 over the wire, while a flood
# runs and the port is deleted (and designated again) every ~0.3 s.  Wire
# requests to a deleted port are refused by ICMP; netlink "add" designates
# it again.
#
# What each outcome may be: every ADD is followed by the DROP of the same
# secondary, so only a deletion between the two can make the DROP fail
# (the list was purged): at most one failed netlink operation per
# deletion, and on the wire at most one error and one unanswered request
# (it was queued when the port went) per deletion.  Requests sent while
# the port was gone are refused.  Both sides end with a DROP, so the list
# is empty afterwards, and the registration port answers again.
test_churn()
{
	local ops i nl wire del_pid ok err refused timeouts nlerr dels b0
	load_state
	ops=$(scaled 10000)

	echo 0 >/sys/module/portshare/parameters/reg_rate
	cmd_ok psnl -n "$NS" port add "$P"
	sink_start app "$NS" "$P" 1
	sink_start secs "$NS" "$BASE" 32
	b0=$(backlog_drops)
	flood_start flood "$NS" "$P" 200 "$RATE"
	# netlink on data ports BASE+16.., the wire on BASE..BASE+15
	for ((i = 0; i < ops; i++)); do
		if ((i % 2)); then
			echo "drop $P 127.0.0.1:$((BASE + 16 + (i / 2) % 16))"
		else
			echo "add $P 127.0.0.1:$((BASE + 16 + (i / 2) % 16)) mode raw"
		fi
	done >"$PS_TMP/churn.batch"
	: >"$PS_TMP/dels"
	rm_f "$PS_TMP/churn.done"
	(
		while [ ! -e "$PS_TMP/churn.done" ]; do
			nap 0.3
			psnl -n "$NS" port del "$P" 2>/dev/null &&
				echo del >>"$PS_TMP/dels"
			psnl -n "$NS" port add "$P" 2>/dev/null || true
		done
	) &
	del_pid=$!
	echo "$del_pid" >>"$PS_TMP/pids"
	"$PSSTRESS" wire -n "$NS" --to "127.0.0.1:$REG" --port "$P" \
		--base "$BASE" --span 16 --ops "$ops" --wait 500 \
		--out "$PS_TMP/wire" &
	wire=$!
	timeout 600 psnl -n "$NS" --force -b "$PS_TMP/churn.batch" \
		>/dev/null 2>"$PS_TMP/nl.err" && nl=0 || nl=$?
	wait "$wire" || fail "psstress wire failed"
	touch "$PS_TMP/churn.done"
	wait "$del_pid"
	flood_stop flood
	sink_stop app secs
	dels=$(nlines "$PS_TMP/dels")
	nlerr=$(nlines "$PS_TMP/nl.err")
	read -r ok err refused timeouts <"$PS_TMP/wire"
	diag "port deleted $dels times under the churn"
	diag "netlink: $ops operations, $nlerr refused, psnl -b exit status $nl"
	diag "wire: $ops requests: $ok ok, $err errors, $refused refused (port deleted), $timeouts unanswered"
	[ "$dels" -gt 0 ] || fail "the port was never deleted: nothing raced"
	[ "$nl" = $((nlerr > 0)) ] ||
		fail "psnl -b exited $nl with $nlerr failed lines (want 1 if any failed, else 0)"
	[ "$nlerr" -le "$dels" ] ||
		fail "netlink: $nlerr operations failed, more than the $dels deletions explain"
	[ $((ok + err + refused + timeouts)) = "$ops" ] ||
		fail "wire: not every request accounted for"
	[ "$err" -le "$dels" ] ||
		fail "wire: $err errors, more than the $dels deletions explain"
	[ "$timeouts" -le "$dels" ] ||
		fail "wire: $timeouts unanswered, more than the $dels deletions explain"
	psnl -n "$NS" port add "$P" 2>/dev/null || true
	cmd_ok psnl -n "$NS" list "$P"
	assert_empty "$OUT" "the list after the churn (both sides ended with DROP)"
	cmd_ok "$PSSTRESS" wire -n "$NS" --to "127.0.0.1:$REG" --port "$P" \
		--base "$BASE" --span 16 --ops 32 --wait 5000 --out "$PS_TMP/wire"
	assert_text "$PS_TMP/wire" "32 0 0 0" "wire after the churn (ok errors refused unanswered)"
	echo "$REG_RATE0" >/sys/module/portshare/parameters/reg_rate
	SHORT=0
	app_got app flood
	short_at_most "$b0"
	psnl -n "$NS" port del "$P" 2>/dev/null || true
	probe "$NS"
	baseline_check
}

# failslab on the copies' sk_buffs: copies fail and are counted as
# drop_nomem, the originals all arrive, nothing leaks.
test_failslab()
{
	local why nomem
	load_state

	why=$(failslab_missing)
	[ -z "$why" ] || skip "$why"
	cmd_ok psnl -n "$NS" port add "$P"
	add_secondaries "$NS" "$P"
	trap failslab_off EXIT
	failslab_on 10
	burst "$NS" "$P" "$(scaled 400)" 200 400
	failslab_off
	nomem=$(awk '/drop_nomem/ { for (i = 1; i <= NF; i++) if ($i == "drop_nomem") print $(i + 1) }' "$PS_TMP/cons")
	diag "drop_nomem: ${nomem:-0}"
	[ "${nomem:-0}" -gt 0 ] || fail "no copy failed: failslab did not hit the copy path"
	cmd_ok psnl -n "$NS" port del "$P"
	probe "$NS"
	baseline_check
}

# 64 KiB datagrams (65507 bytes, the largest UDP payload) to 16
# secondaries, raw and transparent (an encap copy would not fit).
test_64k()
{
	load_state

	cmd_ok psnl -n "$NS" port add "$P"
	add_secondaries "$NS" "$P" raw transparent
	burst "$NS" "$P" "$(scaled 64)" 65507 20
	cmd_ok psnl -n "$NS" port del "$P"
	baseline_check
}

# timed TEST: run it and say how long it took.
timed()
{
	local start=$SECONDS

	"$@"
	diag "$1: $((SECONDS - start)) s"
}

ktap_plan 6
require_portshare
run_test "setup: a namespace, baselines, the data path works" timed test_setup
run_test "rmmod under a flood to 16 secondaries, $(scaled 100) cycles" timed test_rmmod
run_test "ip netns del of a sharing namespace under a flood, $(scaled 100) cycles" timed test_netns_del
run_test "$(scaled 10000) ADD/DROP over netlink and $(scaled 10000) over the wire, racing a flood and port del" timed test_churn
run_test "failslab in the copy path: counted as drop_nomem, originals kept" timed test_failslab
run_test "64 KiB datagrams to 16 secondaries" timed test_64k
