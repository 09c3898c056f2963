# SPDX-License-Identifier: GPL-2.0
#
# Topology and traffic helpers shared by the data path suites
# (datapath.sh, datapath6.sh).  Source it after lib.sh.
#
#  +------- $SND -------+      +------------ $PRI ------------+      +------- $REM -------+
#  | the sender         |      | application on the contested |      | remote secondaries |
#  |                    |      | port, local secondaries, psnl|      |                    |
#  | v1 10.99.1.2/24    |------| v1 10.99.1.1/24              |      |                    |
#  |    fd99:1::2/64    |      |    fd99:1::1/64              |      |                    |
#  |                    |      | v2 10.99.2.1/24              |------| v2 10.99.2.2/24    |
#  |                    |      |    fd99:2::1/64              |      |    fd99:2::2/64    |
#  +--------------------+      +------------------------------+      +--------------------+
#
# $SND and $REM route everything through $PRI, which forwards.  $PRI has
# no default route: 10.98.0.0/16 and fd98::/64 are unreachable from it,
# for "no route" tests.  Traffic never leaves these namespaces.
#
# rx NAME NS ADDR:PORT [ARGS...] starts a pstraffic receiver whose
# datagrams land in $PS_TMP/NAME; rx_wait N NAME... waits until each has N
# of them; fence NS NAME... proves that nothing more is on its way to
# them (below); rx_stop ends every receiver, each after writing what its
# socket had queued; rx_end NAME ends one at once, rx_signal NAME SIG
# signals it, rx_count NAME TAG counts its datagrams of TAG.
# tx NS ARGS... sends with pstraffic; chk NAME ARGS... checks a receiver's
# file.  sec_stat PORT ADDR:DPORT NAME reads one counter from "psnl stats
# PORT" in $PRI (port_stat PORT NAME, in lib.sh, one of a port).
#
# No sleep proves that a datagram did not come: a fence does.  It is one
# more datagram, tagged "fence", sent the way the ones in question went
# (from the namespace the copies come from, to each receiver's address),
# so once every receiver has it, whatever was sent that way before it has
# arrived too, and a count is final.  pstraffic check ignores fences.
#
# Few processes on purpose: under TCG every exec costs the guest a lot, so
# psnl and pstraffic enter namespaces themselves (-n) and pstraffic does
# the waiting.

PSTRAFFIC=${PSTRAFFIC:-$PS_REPO/build/selftests/pstraffic}
PSREQ=${PSREQ:-$PS_REPO/build/selftests/psreq}
PSQUEUE=${PSQUEUE:-$PS_REPO/build/selftests/psqueue}
PARAMS=/sys/module/portshare/parameters
BUDGET=8388608	# copy_budget's default
# setup_topology's addresses
S=10.99.1.2	# the sender
P=10.99.1.1	# the primary, sender's side
P2=10.99.2.1	# the primary, remote side
R=10.99.2.2	# the remote secondary host
S6=fd99:1::2
P6=fd99:1::1
P26=fd99:2::1
R6=fd99:2::2
# and their MAC addresses (locally administered), so that the neighbour
# entries need no "ip link show" of the other end
MAC_SND1=02:99:01:00:00:02
MAC_PRI1=02:99:01:00:00:01
MAC_PRI2=02:99:02:00:00:01
MAC_REM2=02:99:02:00:00:02
BACKLOG=/proc/sys/net/core/netdev_max_backlog
SND=
PRI=
REM=
RX_PIDS=

pri()
{
	psnl -n "$PRI" "$@"
}

rem()
{
	psnl -n "$REM" "$@"
}

# setup_topology: the three namespaces above, addresses ready (no DAD).
# Local copies queue in the per-CPU backlog with the originals: give it
# room, a slow guest must not drop them.
setup_topology()
{
	backlog_raise
	setup_ns SND PRI REM
	ip -b - <<-EOF
		link add v1 netns $SND address $MAC_SND1 type veth peer name v1 netns $PRI address $MAC_PRI1
		link add v2 netns $PRI address $MAC_PRI2 type veth peer name v2 netns $REM address $MAC_REM2
	EOF
	# One ip batch per namespace: an ip process takes 0.7 s to start on
	# the debug kernel.  Every neighbour entry is permanent: no ARP or ND
	# during a test.  On a starved guest (the debug kernel beside other
	# guests) a neighbour that went stale was not confirmed in time, and
	# the copies queued behind its resolution (7 in a row, to both remote
	# secondaries) were dropped where no counter of ours sees them.
	ip -n "$SND" -b - <<-EOF
		link set v1 up
		addr add 10.99.1.2/24 dev v1
		addr add fd99:1::2/64 dev v1 nodad
		route add default via 10.99.1.1
		route add ::/0 via fd99:1::1
		neigh replace 10.99.1.1 lladdr $MAC_PRI1 dev v1 nud permanent
		neigh replace fd99:1::1 lladdr $MAC_PRI1 dev v1 nud permanent
	EOF
	ip -n "$PRI" -b - <<-EOF
		link set v1 up
		link set v2 up
		addr add 10.99.1.1/24 dev v1
		addr add fd99:1::1/64 dev v1 nodad
		addr add 10.99.2.1/24 dev v2
		addr add fd99:2::1/64 dev v2 nodad
		neigh replace 10.99.1.2 lladdr $MAC_SND1 dev v1 nud permanent
		neigh replace fd99:1::2 lladdr $MAC_SND1 dev v1 nud permanent
		neigh replace 10.99.2.2 lladdr $MAC_REM2 dev v2 nud permanent
		neigh replace fd99:2::2 lladdr $MAC_REM2 dev v2 nud permanent
	EOF
	ip -n "$REM" -b - <<-EOF
		link set v2 up
		addr add 10.99.2.2/24 dev v2
		addr add fd99:2::2/64 dev v2 nodad
		route add default via 10.99.2.1
		route add ::/0 via fd99:2::1
		neigh replace 10.99.2.1 lladdr $MAC_PRI2 dev v2 nud permanent
		neigh replace fd99:2::1 lladdr $MAC_PRI2 dev v2 nud permanent
	EOF
	ip netns exec "$PRI" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward;
		echo 1 >/proc/sys/net/ipv6/conf/all/forwarding'
	echo "$SND $PRI $REM" >"$PS_TMP/topology"
}

# The MAC address of DEV in namespace NS.
mac_of()
{
	local mac

	read -r _ _ mac _ < <(ip -n "$1" -br link show "$2")
	echo "$mac"
}

# pin NS DEV ADDR PEER: PEER's address ADDR on DEV as a permanent
# neighbour of NS (as setup_topology pins its own).
pin()
{
	ip -n "$1" neigh replace "$3" lladdr "$(mac_of "$4" "$2")" dev "$2" nud permanent
}

# The first test and the cleanup of the suites on this topology; a suite
# with more to set up or undo defines its own after sourcing this file.
test_setup()
{
	require_datapath
	setup_topology
}

suite_cleanup()
{
	restore_backlog
	[ -w $PARAMS/copy_budget ] && echo $BUDGET >$PARAMS/copy_budget
	return 0
}

# Each test runs in a subshell: the namespace names setup_topology chose.
read_topology()
{
	read -r SND PRI REM <"$PS_TMP/topology"
}

# load_topology: the namespaces, with no designated port left.
load_topology()
{
	read_topology
	ps_reset
}

# ps_reset: no designated port left in $PRI or $REM.
ps_reset()
{
	local ns port

	for ns in "$PRI" "$REM"; do
		psnl -n "$ns" port list >"$PS_TMP/ports"
		while read -r _ _ port _; do
			psnl -n "$ns" port del "$port"
		done <"$PS_TMP/ports"
	done
}

# rx NAME NS ADDR:PORT [ARGS...]: a receiver writing $PS_TMP/NAME, ready
# (bound) when this returns.
rx()
{
	local name=$1 ns=$2 bind=$3 pid
	shift 3

	# no rm: recv truncates FILE before it says it is ready
	"$PSTRAFFIC" recv -n "$ns" --bind "$bind" --out "$PS_TMP/$name" \
		--pidfile "$PS_TMP/$name.pid" --timeout 300000 "$@" ||
		fail "receiver $name on $bind did not start"
	echo "$ns $bind" >"$PS_TMP/$name.at"
	read -r pid <"$PS_TMP/$name.pid"
	echo "$pid" >>"$PS_TMP/pids"	# lib.sh kills it on exit
	RX_PIDS+=" $pid"
}

# rx_wait N NAME...: each receiver has N datagrams (more are caught later).
rx_wait()
{
	local n=$1 files=() name
	shift

	for name in "$@"; do
		files+=("$PS_TMP/$name")
	done
	"$PSTRAFFIC" wait --count "$n" --timeout 30000 "${files[@]}" ||
		fail "receivers $* did not get $n datagrams each"
}

__running()
{
	local st=

	{ read -r _ _ st _ <"/proc/$1/stat"; } 2>/dev/null
	[ -n "$st" ] && [ "$st" != Z ]
}

# fence FROM_NS NAME...: a fence from FROM_NS (where the copies come
# from) to each receiver NAME; returns once every one has it.  A receiver
# on a wildcard address gets it on loopback (FROM_NS must be its own).
fence()
{
	local from=$1 name ns bind to=()
	shift

	for name in "$@"; do
		read -r ns bind <"$PS_TMP/$name.at"
		case $bind in
		0.0.0.0:*) bind=127.0.0.1:${bind#*:} ;;
		\[::\]:*) bind="[::1]:${bind##*:}" ;;
		esac
		to+=("$bind=$PS_TMP/$name")
	done
	"$PSTRAFFIC" fence -n "$from" --timeout 30000 "${to[@]}" ||
		fail "the fence did not reach $*"
}

# fence_sent NAME...: wait for a fence the test sent itself (tx ... --tag
# fence --count 1, e.g. to the contested port: its copies are fences).
fence_sent()
{
	local files=() name

	for name in "$@"; do
		files+=("$PS_TMP/$name")
	done
	"$PSTRAFFIC" wait --fence --timeout 30000 "${files[@]}" ||
		fail "the fence did not reach $*"
}

# rx_stop: end every receiver; each writes what its socket had queued.
rx_stop()
{
	local pid i

	for pid in $RX_PIDS; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $RX_PIDS; do
		for ((i = 0; i < 200; i++)); do
			__running "$pid" || break
			nap 0.05
		done
		__running "$pid" && fail "receiver $pid did not stop"
	done
	RX_PIDS=
}

# rx_signal NAME SIG: send SIG to receiver NAME (USR1 ends a --hold).
rx_signal()
{
	local pid

	read -r pid <"$PS_TMP/$1.pid"
	kill -"$2" "$pid"
}

# rx_end NAME: end receiver NAME now; its socket is closed on return.
rx_end()
{
	local pid i

	read -r pid <"$PS_TMP/$1.pid"
	kill "$pid" 2>/dev/null || true
	for ((i = 0; i < 200; i++)); do
		__running "$pid" || return 0
		nap 0.05
	done
	fail "receiver $1 did not end"
}

# rx_count NAME TAG: the datagrams of TAG receiver NAME has.
rx_count()
{
	"$PSTRAFFIC" count "$PS_TMP/$1" --tag "$2"
}

tx()
{
	local ns=$1
	shift

	# On CPU 0 only: a sender that migrates between CPUs queues its
	# datagrams on two CPUs' backlogs, which may pass the hook out of
	# order, and checks such as sample's expect the order they were sent.
	"$PSTRAFFIC" send --cpu 0 -n "$ns" "$@"
}

# chk NAME ARGS...: pstraffic check on receiver NAME's file.
chk()
{
	local name=$1
	shift

	cmd_ok "$PSTRAFFIC" check "$PS_TMP/$name" "$@"
}

# __sec_counters PORT ADDR:DPORT NS: the words after "\t# " on that
# secondary's line of "psnl stats PORT" ("name value ..."), in the array
# SEC_COUNTERS; empty if it has no line. Parsed here, not by grep and awk:
# each program started costs 0.6 s on the debug kernel.
__sec_counters()
{
	local out line

	SEC_COUNTERS=()
	out=$(psnl -n "$3" stats "$1") || return 1
	while IFS= read -r line; do
		[[ $line == *"add $1 $2 "*$'\t# '* ]] || continue
		read -ra SEC_COUNTERS <<<"${line#*$'\t# '}"
		return 0
	done <<<"$out"
}

# sec_stat PORT ADDR:DPORT NAME [NS]: one counter of a secondary, from
# "psnl stats PORT", which shows every counter, zeros included; "missing"
# if there is no such secondary or counter.
sec_stat()
{
	local i value=missing

	__sec_counters "$1" "$2" "${4:-$PRI}"
	for ((i = 0; i + 1 < ${#SEC_COUNTERS[@]}; i += 2)); do
		[ "${SEC_COUNTERS[i]}" = "$3" ] && value=${SEC_COUNTERS[i + 1]}
	done
	echo "$value"
}

# sec_drops PORT ADDR:DPORT [NS]: the sum of a secondary's drop_* counters.
sec_drops()
{
	local i sum=0

	__sec_counters "$1" "$2" "${3:-$PRI}"
	for ((i = 0; i + 1 < ${#SEC_COUNTERS[@]}; i += 2)); do
		[[ ${SEC_COUNTERS[i]} == drop_* ]] && sum=$((sum + SEC_COUNTERS[i + 1]))
	done
	echo "$sum"
}

# assert_stat WANT WHAT COMMAND...: a counter has the value WANT.
assert_stat()
{
	local want=$1 what=$2 got
	shift 2

	got=$("$@")
	assert_eq "$want" "$got" "$what"
}

# backlog_raise / restore_backlog: room in the per-CPU backlog for local
# copies, which queue there with the originals (a slow guest must not drop
# them), and the old size back. Read and written by the shell: no sysctl,
# cp or cat started.
backlog_raise()
{
	local old

	read -r old <"$BACKLOG"
	echo "$old" >"$PS_TMP/backlog"
	echo 20000 >"$BACKLOG"
}

restore_backlog()
{
	local old

	[ -s "$PS_TMP/backlog" ] || return 0
	read -r old <"$PS_TMP/backlog"
	echo "$old" >"$BACKLOG"
}

require_datapath()
{
	[ -x "$PSTRAFFIC" ] && return 0
	diag "missing $PSTRAFFIC: run 'make -C selftests/portshare'"
	return 1
}

# The datagrams the per-CPU backlogs dropped so far (all namespaces).
backlog_drops()
{
	local sum=0 l f

	while read -r l; do
		read -ra f <<<"$l"
		sum=$((sum + 16#${f[1]}))
	done </proc/net/softnet_stat
	echo "$sum"
}

# The UDP receive errors so far in this namespace: "NoPorts InErrors
# RcvbufErrors" from /proc/net/snmp, for diagnostics.
udp_errors()
{
	awk '/^Udp:/ && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
	     /^Udp:/ { print $c["NoPorts"], $c["InErrors"], $c["RcvbufErrors"] }' /proc/net/snmp
}
