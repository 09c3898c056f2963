#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fan-out benchmark, inside a guest (run-bench boots it through
# selftests/vm/run): every contender, every N, both variants, each
# repetition of the whole set before the next, so that a slow patch of
# the shared host lands on every contender alike.  Raw records go to
# stdout: psbench's T (step), R (search result) and C (CPU step) lines,
# P lines of the profile, S lines of the primaries' counters, # notes;
# run-bench keeps them and report makes the tables and the plot.
#
#  $SND 10.99.1.2 --v1-- 10.99.1.1 $PRI 10.99.2.1 --v2-- 10.99.2.2 $REM
#   the sender          the primary: app on 162,         remote
#                       local secondaries (127.0.0.1)    secondaries
#
# Environment: BENCH_NS ("1 4 16"), BENCH_REPS (3), BENCH_SECONDS (0.8 s
# per rate step), BENCH_BISECT (5: a result resolves to 1/32 of its octave;
# with 3, two runs disagreed by one step of 1/8, 6-12%), BENCH_CONTENDERS, BENCH_HOOK (1: the
# hook overhead runs), BENCH_HOOK_BISECT (6: its searches resolve ~1.5%),
# BENCH_CPU_SECONDS (3: the CPU step), BENCH_SOAK (1: seconds to calibrate
# psbench's soakers, which measure the CPU step's time per CPU; 0: only
# /proc/stat), BENCH_PROFILE (0, run-bench sets 1: kernel event counts per copy
# at the end), BENCH_SENDER (sendmmsg: psbench's own paced socket, or
# pktgen), BENCH_START (2000: the first rate tried is this / N).
set -u

REPO=${PORTSHARE_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
PSBENCH=$REPO/build/bench/psbench
export PATH=$REPO/build/bin:$PATH
NS_LIST=${BENCH_NS:-1 4 16}
REPS=${BENCH_REPS:-3}
SECONDS_PER_STEP=${BENCH_SECONDS:-0.8}
BISECT=${BENCH_BISECT:-5}
HOOK_BISECT=${BENCH_HOOK_BISECT:-6}
CPU_SECONDS=${BENCH_CPU_SECONDS:-3}
SOAK=${BENCH_SOAK:-1}
APP=${BENCH_APP-1}	# empty: no application on the contested port
CONTENDERS=${BENCH_CONTENDERS:-encap raw psd mcast single}
HOOK=${BENCH_HOOK:-1}
PROFILE=${BENCH_PROFILE:-0}
SENDER=${BENCH_SENDER:-sendmmsg}
PROFILING=0	# 1: bench() profiles one fixed-rate run instead of searching
UNI=() MULTI=()	# psbench's sender options for unicast and multicast
SIZE=256		# an SNMP trap is about this size
PORT=162
GROUP=239.1.1.1
SND=bsnd PRI=bpri REM=brem
S=10.99.1.2 P=10.99.1.1 P2=10.99.2.1 R=10.99.2.2
TMP=$(mktemp -d)
declare -A START	# per configuration: the search's first rate

note() { echo "# $*"; }

topology()
{
	local ns

	for ns in $SND $PRI $REM; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	ip link add v1 netns $SND type veth peer name v1 netns $PRI
	ip link add v2 netns $PRI type veth peer name v2 netns $REM
	ip -n $SND link set v1 up
	ip -n $PRI link set v1 up
	ip -n $PRI link set v2 up
	ip -n $REM link set v2 up
	ip -n $SND addr add $S/24 dev v1
	ip -n $PRI addr add $P/24 dev v1
	ip -n $PRI addr add $P2/24 dev v2
	ip -n $REM addr add $R/24 dev v2
	ip -n $SND route add default via $P
	ip -n $REM route add default via $P2
	# multicast out of $SND's only link
	ip -n $SND route add 224.0.0.0/4 dev v1
	# CPU 1 is the primary's: RPS hands it every datagram $PRI receives,
	# so the hook, the copies, psd (pinned there) and the local
	# deliveries all run on it, as on a host whose NIC interrupts one
	# core.  CPU 0 is the rest of the world: the sender, and the
	# secondaries' readers; RPS hands it what $REM receives.  Without
	# RPS, veth would run $PRI's whole receive path inside the sender's
	# sendmmsg, and an overloaded primary would slow the sender down
	# instead of losing datagrams.
	ip netns exec $PRI sh -c 'echo 2 >/sys/class/net/v1/queues/rx-0/rps_cpus'
	ip netns exec $REM sh -c 'echo 1 >/sys/class/net/v2/queues/rx-0/rps_cpus'
	# The default backlog: a larger one only hides overload for a while.
	sysctl -qw net.core.netdev_max_backlog=1000
	if [ "$SENDER" = pktgen ]; then
		modprobe pktgen || { note "no pktgen"; exit 1; }
		UNI=(--pktgen "v1,$(ip netns exec $PRI cat /sys/class/net/v1/address)")
		# shellcheck disable=SC2054 # one argument: DEV,MAC
		MULTI=(--pktgen v1,01:00:5e:01:01:01)	# $GROUP's MAC
	fi
}

# psnl batch lines "add 162 ADDR:PORT mode MODE" for N secondaries.
secondaries()
{
	local n=$1 addr=$2 mode=$3 i

	for ((i = 0; i < n; i++)); do
		echo "add $PORT $addr:$((20000 + i)) mode $mode"
	done
}

# --rx options for N secondary sockets in NS on ADDR, ports 20000...
rx_opts()
{
	local n=$1 ns=$2 addr=$3 i

	for ((i = 0; i < n; i++)); do
		printf -- '--rx %s,%s:%d ' "$ns" "$addr" $((20000 + i))
	done
}

# The secondaries' namespace and address for a variant.
where() { [ "$1" = local ] && echo "$PRI 127.0.0.1" || echo "$REM $R"; }

# bench LABEL-KEY PSBENCH-ARGS...: one search, its start rate remembered.
# The first search of a configuration starts at 2000/N datagrams/s, the
# later ones at half what the first found: fewer steps to the edge.  The
# CPU step runs at 1000/N datagrams/s, 1000 copies/s for every N, a load
# every contender carries, so costs per copy compare at the same rate.
bench()
{
	local key=$1 out start n
	shift

	n=${key##*n=}
	n=${n%% *}
	if [ "$PROFILING" = 1 ]; then
		profile_one "$key" "$@"
		return
	fi
	start=${START[$key]:-$((${BENCH_START:-2000} / n))}
	out=$(taskset -c 0 "$PSBENCH" --label "$key" --snd $SND --seconds "$SECONDS_PER_STEP" \
		--bisect "$BISECT" --reps 1 --size $SIZE --start "$start" \
		--cpu-rate $((1000 / n)) --cpu-seconds "$CPU_SECONDS" --soak "$SOAK" "$@")
	echo "$out"
	if [ -z "${START[$key]:-}" ]; then
		start=$(echo "$out" | awk '$1 == "R" { for (i = 2; i <= NF; i++)
			if ($i ~ /^rate=/) { r = substr($i, 6) / 2; print (r < 50 ? 50 : int(r)) } }')
		START[$key]=${start:-100}
	fi
}

# keep_stats KEY: of a primary's counters, the port's and any secondary's
# that dropped something (the raw data stays small).
keep_stats()
{
	awk -v key="$1" '/port/ || / drop_[a-z]+ [1-9]/ { print "S " key " " $0 }'
}

# The module's counters for the port: copies and drops by reason.
module_stats()
{
	psnl -n $PRI stats $PORT | keep_stats "$1"
}

run_module()	# MODE VARIANT N RUN
{
	local mode=$1 variant=$2 n=$3 run=$4 ns addr key
	read -r ns addr <<<"$(where "$variant")"
	key="contender=$mode variant=$variant n=$n"

	secondaries "$n" "$addr" "$mode" | psnl -n $PRI -b - || { note "psnl failed: $key"; return; }
	# shellcheck disable=SC2046 # one option per word
	bench "$key" "${UNI[@]}" --to $P:$PORT --from $S:5162 ${APP:+--rx $PRI,0.0.0.0:$PORT,app} \
		$(rx_opts "$n" "$ns" "$addr")
	module_stats "$key run=$run"
	psnl -n $PRI port del $PORT
}

run_psd()	# VARIANT N RUN
{
	local variant=$1 n=$2 run=$3 ns addr key args=() i pid
	read -r ns addr <<<"$(where "$variant")"
	key="contender=psd variant=$variant n=$n"

	for ((i = 0; i < n; i++)); do
		args+=(-s "$PORT,$addr,$((20000 + i)),encap")
	done
	mkfifo "$TMP/ready"
	ip netns exec $PRI taskset -c 1 psd --ready-fd 3 "${args[@]}" $PORT 3>"$TMP/ready" 2>"$TMP/psd.err" &
	pid=$!
	read -r _ <"$TMP/ready"
	rm -f "$TMP/ready"
	# shellcheck disable=SC2046 # one option per word
	bench "$key" "${UNI[@]}" --to $P:$PORT --from $S:5162 $(rx_opts "$n" "$ns" "$addr")
	kill -USR1 $pid
	sleep 0.3
	kill $pid
	wait $pid
	keep_stats "$key run=$run" <"$TMP/psd.err"
}

# The in-kernel fan-out ceiling: N members of a group on one port.
run_mcast()	# N RUN
{
	local n=$1 rx="" i

	for ((i = 0; i < n; i++)); do
		rx+="--rx $PRI,0.0.0.0:$PORT,join=$GROUP@$P "
	done
	# shellcheck disable=SC2086 # one option per word
	bench "contender=mcast variant=local n=$n" "${MULTI[@]}" --to $GROUP:$PORT \
		--from $S:5162 --mcast-if $S $rx
}

run_single()
{
	bench "contender=single variant=local n=1" "${UNI[@]}" --to $P:$PORT --from $S:5162 \
		--rx $PRI,$P:$PORT
}

# Hook overhead: a port nobody shares, with 3 ports designated in the
# same namespace (the module loaded), against the module unloaded.
run_hook()	# RUN
{
	local p

	for p in 161 427 67; do
		psnl -n $PRI port add $p
	done
	bench "contender=hook-loaded variant=local n=1" "${UNI[@]}" --to $P:5000 \
		--from $S:5162 --rx $PRI,$P:5000 --bisect "$HOOK_BISECT"
	modprobe -r portshare || note "cannot unload portshare"
	bench "contender=hook-unloaded variant=local n=1" "${UNI[@]}" --to $P:5000 \
		--from $S:5162 --rx $PRI,$P:5000 --bisect "$HOOK_BISECT"
	modprobe portshare || note "cannot load portshare"
}

# Tracepoints counted over the whole guest: what each copy costs in
# kernel work.  Counting, not sampling: under TCG, perf's cpu-clock
# samples land almost only in the idle loop (the timer interrupt of a
# busy vCPU is late), so a sampled profile says nothing; a count is exact.
EVENTS=skb:consume_skb,skb:kfree_skb,kmem:kmem_cache_alloc,kmem:kmalloc
EVENTS+=,net:net_dev_xmit,net:netif_rx,net:netif_receive_skb
EVENTS+=,fib:fib_table_lookup,irq:softirq_entry,raw_syscalls:sys_enter
EVENTS+=,sched:sched_switch

# profile_one LABEL-KEY PSBENCH-ARGS...: perf stat -a over a whole
# psbench run at 1000/N datagrams/s (warm-up and a 3 s trial): "P" lines
# with the counts, to be divided by the copies made (its T lines).
profile_one()
{
	local key=$1 rate
	shift

	rate=${key##*n=}
	rate=$((1000 / ${rate%% *}))
	perf stat -a -x, -e "$EVENTS" -o "$TMP/stat" -- \
		taskset -c 0 "$PSBENCH" --label "$key" --snd $SND --seconds 3 \
		--reps 1 --size $SIZE --start "$rate" --fixed "$rate" "$@" |
		sed 's/^/P /'
	awk -F, -v key="$key" 'NF > 3 && $1 ~ /^[0-9]+$/ {
		print "P " key " event=" $3 " count=" $1 }' "$TMP/stat"
}

# What each primary does per copy with 16 local secondaries, all at the
# same rate: the module in both modes, psd, the multicast ceiling, and
# the single receiver (the cost of the original alone).
profile()
{
	command -v perf >/dev/null || { note "no perf: no profiles"; return; }
	sysctl -qw kernel.perf_event_paranoid=-1
	PROFILING=1
	run_module encap local 16 p
	run_module raw local 16 p
	run_psd local 16 p
	run_mcast 16 p
	run_single
	PROFILING=0
}

main()
{
	local run n v c

	note "kernel $(uname -r) cpus $(nproc) reps $REPS seconds $SECONDS_PER_STEP bisect $BISECT cpu_seconds $CPU_SECONDS ns '$NS_LIST' contenders '$CONTENDERS'"
	topology
	for ((run = 1; run <= REPS; run++)); do
		note "run $run started at $(cut -d' ' -f1 /proc/uptime)"
		for c in $CONTENDERS; do
			case $c in
			single) run_single ;;
			esac
			for n in $NS_LIST; do
				case $c in
				mcast) run_mcast "$n" "$run" ;;
				encap | raw | psd)
					for v in local remote; do
						if [ "$c" = psd ]; then
							run_psd "$v" "$n" "$run"
						else
							run_module "$c" "$v" "$n" "$run"
						fi
					done ;;
				esac
			done
		done
		[ "$HOOK" = 1 ] && run_hook "$run"
	done
	[ "$PROFILE" = 1 ] && profile
	note "done at $(cut -d' ' -f1 /proc/uptime)"
	rm -rf "$TMP"
}

main "$@"
