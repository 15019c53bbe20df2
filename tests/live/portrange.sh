#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# portrange.sh TCPCLOSE TC_TRAFFIC -- -i's TIME_WAIT budget is the
# capturing host's own net.ipv4.ip_local_port_range: in a network
# namespace of its own whose range is 40000-40999 (1000 ports, not the
# 28232 of the Linux default), the JSON time_wait records of real loopback
# closes say 1000; --ephemeral-ports still wins when given. Skips (77)
# unless root with tmux (lib.sh) and ip netns.
set -u
. "$(dirname "$0")/lib.sh"
live_setup "$@"
command -v ip >/dev/null 2>&1 || { echo "SKIP: no ip(8)"; exit 77; }
NS=tcpclose-pr-$$
ip netns add "$NS" || { echo "SKIP: cannot create a network namespace"; exit 77; }
trap 'ip netns del "$NS" 2>/dev/null; live_cleanup' EXIT
N() { ip netns exec "$NS" "$@"; }
N ip link set lo up || fail "lo up in $NS"
N sh -c 'echo "40000 40999" >/proc/sys/net/ipv4/ip_local_port_range' || fail "set the range"

# run_case WANT [OPTIONS...]: capture the traffic in the namespace; every
# time_wait record must compare with WANT ports.
run_case() {
	local want=$1 out=$WORK/out.$1 tout=$WORK/traffic.$1 pid tpid i=0
	shift
	ip netns exec "$NS" "$TCPCLOSE" -i lo --linger 1 --format json "$@" "tcp port 40500" >"$out" 2>"$WORK/err" &
	pid=$!
	sleep 1 # the capture is open
	# A file of its own per case: the background redirection truncates
	# it only when the shell gets to it, and a file the previous case
	# left would say "ready" before then.
	ip netns exec "$NS" "$TRAFFIC" 40500 --hold 1 >"$tout" 2>&1 &
	tpid=$!
	while ! grep -q ready "$tout" 2>/dev/null && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q ready "$tout" || fail "tc-traffic: $(cat "$tout")"
	wait "$tpid"
	sleep 1
	kill -INT "$pid"
	wait "$pid" || fail "tcpclose exit $?: $(cat "$WORK/err")"
	grep -q '"type":"time_wait"' "$out" || fail "no time_wait record: $(tail -3 "$out")"
	if grep '"type":"time_wait"' "$out" | grep -v "\"ephemeral_ports\":$want," >/dev/null; then
		fail "time_wait records do not compare with $want ports: $(grep '"type":"time_wait"' "$out" | head -1)"
	fi
	ok "time_wait against $want ports ${*:-(the namespace range)}"
}

run_case 1000
run_case 5000 --ephemeral-ports 5000
exit 0
