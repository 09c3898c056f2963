# SPDX-License-Identifier: GPL-2.0
#
# stress_lib.sh: stress.sh's machinery (see its header): receivers and
# floods (psstress), the conservation check, object counts against their
# baseline, and failslab aimed at the copy path.  It uses stress.sh's
# $NS, $P, $REG, $BASE, $NSEC, $RATE and scaled().

# ---- receivers and senders ---------------------------------------------------

# sink_start NAME NS BASE N: receivers on 127.0.0.1:BASE..BASE+N-1 in NS
# ("" for $INIT), counts in $PS_TMP/NAME.
sink_start()
{
	local name=$1 ns=$2 base=$3 n=$4 pid

	: >"$PS_TMP/$name"	# no stale counts: truncated, no rm started
	: >"$PS_TMP/$name.pid"
	"$PSSTRESS" sink ${ns:+-n "$ns"} --bind 127.0.0.1 --port "$base" \
		--ports "$n" --out "$PS_TMP/$name" --pidfile "$PS_TMP/$name.pid" ||
		fail "sink $name did not start"
	read -r pid <"$PS_TMP/$name.pid"
	echo "$pid" >>"$PS_TMP/pids"
}

# sink_stop NAME...: end the receivers; their counts are then final.
sink_stop()
{
	local name pid

	for name in "$@"; do
		read -r pid <"$PS_TMP/$name.pid"
		kill "$pid" 2>/dev/null || true
	done
	for name in "$@"; do
		read -r pid <"$PS_TMP/$name.pid"
		busywait 10000 __gone "$pid" || fail "sink $name did not stop"
		[ -s "$PS_TMP/$name" ] || fail "sink $name wrote no counts"
	done
}

__gone()
{
	! __running "$1"
}

# flood_start NAME NS PORT SIZE RATE: until flood_stop; counts in
# $PS_TMP/NAME ("SENT FAILED").
flood_start()
{
	local name=$1 ns=$2 port=$3 size=$4 rate=$5 pid

	: >"$PS_TMP/$name"	# no stale counts: truncated, no rm started
	: >"$PS_TMP/$name.pid"
	"$PSSTRESS" flood ${ns:+-n "$ns"} --to "127.0.0.1:$port" \
		--size "$size" --rate "$rate" --seconds 600 \
		--out "$PS_TMP/$name" --pidfile "$PS_TMP/$name.pid" ||
		fail "flood $name did not start"
	read -r pid <"$PS_TMP/$name.pid"
	echo "$pid" >>"$PS_TMP/pids"
}

flood_stop()
{
	sink_stop "$@"
}

# ---- conservation --------------------------------------------------------------

# conserve NS PORT: the conservation law on PORT's counters (see the top).
# Leaves "DATA_PORT COPIES" per secondary in $PS_TMP/copies and the
# port's line in $PS_TMP/cons.
conserve()
{
	local ns=$1 port=$2

	cmd_ok psnl -n "$ns" -j stats "$port"
	awk -v want="$port" -v copies="$PS_TMP/copies" '
	function val(s) { sub(/^[^:]*:/, "", s); return s + 0 }
	{
		gsub(/[][{}]/, ",")
		n = split($0, t, ",")
		for (i = 1; i <= n; i++) {
			if (t[i] == "")
				continue
			k = t[i]; sub(/:.*/, "", k); gsub(/"/, "", k)
			v = val(t[i])
			if (k == "reg_port") ctx = "port"
			else if (k == "family") ctx = "sec"
			if (k == "port") cur = v
			if (cur != want) continue
			if (ctx == "port") {
				if (k == "secondaries") nsec = v
				else if (k == "rx") rx = v
				else if (k == "shared") shared = v
				else if (k ~ /^err_/) err += v
			} else if (ctx == "sec") {
				if (k == "data_port") { dp = v; secs++ }
				else if (k == "copies") { c[dp] = v; copies_sum += v }
				else if (k == "sampled") sampled += v
				else if (k ~ /^drop_/) { drops += v; d[k] += v }
			}
		}
	}
	END {
		for (p in c)
			print p, c[p] > copies
		offered = rx - err
		printf "port %d: %d secondaries, rx %d, errors %d, shared %d, copies %d, drops %d (", want, nsec, rx, err, shared, copies_sum, drops
		for (k in d) if (d[k]) printf " %s %d", k, d[k]
		printf " ), sampled %d\n", sampled
		if (secs != nsec) { print "FAIL: list has " secs " secondaries, port says " nsec; exit 1 }
		if (offered * nsec != copies_sum + drops + sampled) {
			print "FAIL: (rx - errors) x secondaries = " offered * nsec " != copies + drops + sampled = " copies_sum + drops + sampled
			exit 1
		}
		if (shared > offered || (!drops && !sampled && shared != offered)) {
			print "FAIL: shared " shared " does not fit " offered " datagrams offered"
			exit 1
		}
	}' "$OUT" >"$PS_TMP/cons" || { diag <"$PS_TMP/cons"; fail "conservation on port $port"; }
	diag <"$PS_TMP/cons"
}

# lost_since BACKLOG0: what the backlogs dropped since BACKLOG0; the sum
# of all shortfalls a case may show (SHORT, below).
lost_since()
{
	echo $(($(backlog_drops) - $1))
}

# receivers_got SINK: per secondary, got + socket drops == copies
# ($PS_TMP/copies from conserve), short by at most what the backlog lost;
# adds the shortfall to SHORT.
receivers_got()
{
	local sink=$1 dp copies port got drops sum=0
	local -A want

	while read -r dp copies; do
		want[$dp]=$copies
	done <"$PS_TMP/copies"
	while read -r port got _ _ drops; do
		[ -n "${want[$port]:-}" ] || fail "receiver on $port: not a secondary"
		[ $((got + drops)) -le "${want[$port]}" ] ||
			fail "receiver on $port got $got (+$drops dropped by its socket), more than copies ${want[$port]}"
		SHORT=$((SHORT + want[$port] - got - drops))
		sum=$((sum + got))
	done <"$PS_TMP/$sink"
	diag "receivers got $sum copies in all"
}

# app_got SINK FLOOD: the application got every original the flood sent,
# short by at most what the backlog lost; adds the shortfall to SHORT.
app_got()
{
	local port got drops sent failed

	read -r port got _ _ drops <"$PS_TMP/$1"
	read -r sent failed <"$PS_TMP/$2"
	diag "application: sent $sent (failed $failed), got $got, socket drops $drops"
	[ $((got + drops)) -le "$sent" ] ||
		fail "the application got $got (+$drops dropped by its socket) of $sent sent"
	SHORT=$((SHORT + sent - got - drops))
}

# short_at_most BACKLOG0: the shortfalls (SHORT) are covered by what the
# per-CPU backlogs dropped since BACKLOG0.
short_at_most()
{
	local lost

	lost=$(lost_since "$1")
	diag "shortfall $SHORT, the backlog dropped $lost"
	[ "$SHORT" -le "$lost" ] ||
		fail "$SHORT datagrams missing, but the backlog dropped only $lost: lost by portshare"
}

# __sink_total SINK: datagrams + socket drops so far (rewritten as they come).
__sink_total()
{
	local got drops sum=0

	[ -s "$PS_TMP/$1" ] || { echo 0; return; }
	while read -r _ got _ _ drops; do
		sum=$((sum + got + drops))
	done <"$PS_TMP/$1"
	echo "$sum"
}

__sink_has()
{
	[ "$(__sink_total "$1")" -ge "$2" ]
}

# Has every port of sink $1 counted at least $2 SHUTDOWN notices?
__sink_shutdowns()
{
	[ -s "$PS_TMP/$1" ] && awk -v n="$2" '$4 < n { short = 1 } END { exit short }' "$PS_TMP/$1"
}

# burst NS PORT COUNT SIZE RATE: COUNT datagrams to PORT with 16 receivers
# ($NSEC secondaries on $BASE..) and the application, then the checks.
burst()
{
	local ns=$1 port=$2 count=$3 size=$4 rate=$5 b0 sent failed

	sink_start app "$ns" "$port" 1
	sink_start secs "$ns" "$BASE" "$NSEC"
	b0=$(backlog_drops)
	cmd_ok "$PSSTRESS" flood -n "$ns" --to "127.0.0.1:$port" --size "$size" \
		--rate "$rate" --count "$count" --out "$PS_TMP/flood"
	read -r sent failed <"$PS_TMP/flood"
	[ "$failed" = 0 ] || fail "$failed of $count sends failed"
	# every original processed (so every copy made), then every copy read
	busywait 30000 __sink_has app "$sent" || true
	conserve "$ns" "$port"
	busywait 30000 __sink_has secs "$(awk '{ s += $2 } END { print s + 0 }' "$PS_TMP/copies")" || true
	sink_stop app secs
	SHORT=0
	app_got app flood
	receivers_got secs
	short_at_most "$b0"
}

# add_secondaries NS PORT [MODE...]: $NSEC secondaries on $BASE.., modes
# taken in turn from the list (default encap raw).
add_secondaries()
{
	local ns=$1 port=$2 i
	shift 2
	local modes=("$@")
	[ $# -gt 0 ] || modes=(encap raw)

	for ((i = 0; i < NSEC; i++)); do
		echo "add $port 127.0.0.1:$((BASE + i)) mode ${modes[i % ${#modes[@]}]}"
	done >"$PS_TMP/batch"
	cmd_ok psnl -n "$ns" -b "$PS_TMP/batch"
}

# probe NS: a fresh port with 16 secondaries, an exact burst, the checks.
probe()
{
	local ns=$1

	cmd_ok psnl -n "$ns" port add "$P"
	add_secondaries "$ns" "$P"
	burst "$ns" "$P" "$(scaled 200)" 200 400
	cmd_ok psnl -n "$ns" port del "$P"
}

# ---- object counts -------------------------------------------------------------

# slab_objs CACHE: its active objects, or "" when /proc/slabinfo hides it.
# Shrinking the cache first also empties KASAN's quarantine of it: freed
# objects wait there, still counted as active, on the debug kernel.
slab_objs()
{
	local name active rest

	echo 1 2>/dev/null >"/sys/kernel/slab/$1/shrink" || true
	{
		while read -r name active rest; do
			[ "$name" = "$1" ] && { echo "$active"; return; }
		done </proc/slabinfo
	} 2>/dev/null
	echo ""
}

__slab_at_most()
{
	local n

	n=$(slab_objs "$1")
	[ -z "$n" ] || [ "$n" -le "$2" ]
}

__no_ports()
{
	psnl ${1:+-n "$1"} -j port list >"$PS_TMP/ports.json" &&
		[ "$(<"$PS_TMP/ports.json")" = "[]" ] &&
		psnl ${1:+-n "$1"} -j list >"$PS_TMP/list.json" &&
		[ "$(<"$PS_TMP/list.json")" = "[]" ]
}

baseline_save()
{
	echo "$(slab_objs skbuff_head_cache) $(slab_objs net_namespace)" \
		>"$PS_TMP/baseline"
}

# After every case: nothing of portshare left, slab back at the baseline.
baseline_check()
{
	local skb0 netns0 n

	__no_ports "" || fail "ports or secondaries left in the initial namespace: $(cat "$PS_TMP/ports.json" "$PS_TMP/list.json")"
	__no_ports "$NS" || fail "ports or secondaries left in $NS: $(cat "$PS_TMP/ports.json" "$PS_TMP/list.json")"
	read -r skb0 netns0 <"$PS_TMP/baseline" || true
	# the other checks passed: say that this one could not run
	[ -n "${skb0:-}" ] ||
		skip "no slab counts in /proc/slabinfo (CONFIG_SLUB_DEBUG): object leaks not checked"
	# netns cleanup runs in a workqueue, after an RCU grace period.  One
	# destroyed namespace may stay allocated a while longer, with or
	# without portshare (seen on 6.1): a leak per cycle would be 100.
	busywait 60000 __slab_at_most net_namespace $((netns0 + 1)) ||
		fail "net_namespace: $(slab_objs net_namespace) objects, baseline $netns0"
	# sk_buffs: sockets closed, queues purged; a little slack for
	# whatever the guest itself has in flight
	busywait 10000 __slab_at_most skbuff_head_cache $((skb0 + 32)) ||
		fail "skbuff_head_cache: $(slab_objs skbuff_head_cache) objects, baseline $skb0"
	diag "slab: skbuff_head_cache $(slab_objs skbuff_head_cache) (baseline $skb0), net_namespace $(slab_objs net_namespace) (baseline $netns0)"
}

# ---- failslab (debug kernel) -----------------------------------------------------

FAILSLAB=/sys/kernel/debug/failslab

failslab_off()
{
	[ -w "$FAILSLAB/probability" ] || return 0
	echo 0 >"$FAILSLAB/probability"
}

# Why failslab cannot aim at the copy path here, or nothing.
failslab_missing()
{
	local flag=/sys/kernel/slab/skbuff_head_cache/failslab

	[ -d /sys/kernel/debug/failslab ] ||
		mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
	[ -d "$FAILSLAB" ] || { echo "no failslab (CONFIG_FAILSLAB, debugfs): only the debug kernel has it"; return; }
	[ "$(cat "$flag" 2>/dev/null)" = 1 ] ||
		echo "skbuff_head_cache is not marked for failslab (the runner boots the debug kernel with slub_debug=...A,skbuff_head_cache)"
}

# Fail GFP_ATOMIC allocations from skbuff_head_cache only: alloc_skb() of
# the copies.  Senders allocate with GFP_KERNEL (ignore-gfp-wait), so the
# originals are unaffected.
failslab_on()
{
	echo Y >"$FAILSLAB/cache-filter"
	echo Y >"$FAILSLAB/ignore-gfp-wait"
	echo N >"$FAILSLAB/task-filter"
	echo 0 >"$FAILSLAB/verbose"
	echo 0 >"$FAILSLAB/space"
	echo 1 >"$FAILSLAB/interval"
	echo -1 >"$FAILSLAB/times"
	echo "$1" >"$FAILSLAB/probability"
}
