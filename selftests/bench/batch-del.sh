#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# batch-del.sh: how long "psnl -b" takes to remove N designated ports
# (issue 16 item 8), in a guest with the module loaded:
#
#   selftests/vm/run -k KVER -- selftests/bench/batch-del.sh [N]
#
# N ports (default 1000) 30000.. with their default registration ports
# 43000.. are designated in a fresh namespace by one batch, then removed by
# another; both wall times are printed, with the time until every port is
# really gone (its registration sockets closed).  A measurement, not a test:
# it asserts nothing.
set -eu

N=${1:-1000}
REPO=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
PATH=$REPO/build/bin:$PATH
NS=batchdel$$
TMP=$(mktemp -d)
trap 'ip netns del $NS 2>/dev/null; rm -rf $TMP' EXIT

now_ms()
{
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# the parameter exists only where per-namespace limits do
p=/sys/module/portshare/parameters/max_ports
[ -w $p ] && echo $((N + 16)) >$p
ip netns add $NS
for ((i = 0; i < N; i++)); do
	echo "port add $((30000 + i))"
done >$TMP/add
for ((i = 0; i < N; i++)); do
	echo "port del $((30000 + i))"
done >$TMP/del

t0=$(now_ms)
psnl -n $NS -b $TMP/add
t1=$(now_ms)
psnl -n $NS -b $TMP/del
t2=$(now_ms)
# the registration sockets close once the removals are finished
while ip netns exec $NS ss -Hnul | grep -q ':4[0-9]\{4\} '; do
	sleep 0.05
done
t3=$(now_ms)
echo "batch-del: $(uname -r): $N ports: add $((t1 - t0)) ms, del $((t2 - t1)) ms, all sockets closed after $((t3 - t1)) ms"
