#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/blast.sh -- kernel drops of a live capture at packet rates beyond
# what tc-loadgen's sockets reach on a small machine: the frames of a
# generated capture sent into a veth pair at increasing rates, tcpclose
# capturing on the far end as a JSON stream to /dev/null, then as the
# ncurses view in a detached tmux (120x40).
#
#   bench/blast.sh [--rates "PPS ..."] [--packets N] [--modes "json view"]
#
# The frames are the small workload's (floor.sh; tc-gen --concurrency 20000
# --max-resp 1500: ~240-byte frames, 20k connections open at once, every
# kind of close), the first N (default 2,000,000) read into memory by
# tc-blast, which sends them out of one end of a veth pair at each rate
# (0 = as fast as it goes). The other end is in a network namespace this
# script makes and removes; tcpclose captures there, and its last line
# on stderr gives packets captured and dropped by kernel (pcap_stats).
# What this measures is the capture side: the sender is not a TCP stack,
# so it costs less per packet than tc-loadgen's sockets (bench/live.sh).
# Needs root, and tmux for the view; every wait is bounded.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DATA=$ROOT/bench/data
RATES="250000 500000 750000 0"
PACKETS=2000000
MODES="json view"

while [ $# -gt 0 ]; do
	case $1 in
	--rates) RATES=$2; shift ;;
	--packets) PACKETS=$2; shift ;;
	--modes) MODES=$2; shift ;;
	-h|--help) sed -n "2,/^set -euo/p" "$0" | sed "/^set /d; s/^# \{0,1\}//"; exit 0 ;;
	*) echo "blast.sh: unknown option $1" >&2; exit 1 ;;
	esac
	shift
done

ME=blast.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
GEN=$BUILD/bench/tc-gen
BLAST=$BUILD/bench/tc-blast
bench_need "$TCPCLOSE" "$GEN" "$BLAST"
[ "$(id -u)" = 0 ] || { echo "blast.sh: needs root (a namespace, a veth pair)" >&2; exit 1; }
case " $MODES " in *" view "*)
	command -v tmux >/dev/null || { echo "blast.sh: the view needs tmux" >&2; exit 1; } ;;
esac
mkdir -p "$DATA"
CAP=$(bench_workload small 3000000)

TMP=$(mktemp -d)
NS=tcblast$$
A=tcba$$
B=tcbb$$
SOCK=tcblast$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null || true
	[ -n "${TCPID:-}" ] && kill "$TCPID" 2>/dev/null || true
	ip link del "$A" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

ip netns add "$NS"
ip link add "$A" type veth peer name "$B"
ip link set "$B" netns "$NS"
# Room for a VLAN tag on a full frame; no IPv6 chatter of the link's own.
for dev in "$A"; do
	sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" || true
	ip link set "$dev" mtu 9000 up
done
ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$B.disable_ipv6=1" || true
ip netns exec "$NS" ip link set "$B" mtu 9000 up

echo "nproc: $(nproc); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "frames: the first $PACKETS of $(basename "$CAP")"
echo
echo "| mode | rate asked (pkt/s) | sent | pkt/s sent | packets captured | kernel drops |"
echo "|---|---|---|---|---|---|"

for mode in $MODES; do
	for rate in $RATES; do
		ERR=$TMP/stderr.$mode.$rate
		if [ "$mode" = json ]; then
			live_start json "$ERR" "$SOCK" ip netns exec "$NS" "$TCPCLOSE" -i "$B" --format json
		else
			live_start view "$ERR" "$SOCK" "ip netns exec $NS $TCPCLOSE -i $B"
		fi
		OUT=$("$BLAST" --rate "$rate" --count "$PACKETS" "$CAP" "$A" || true)
		sleep 1 # what is in flight reaches the capture
		live_stop "$mode" "$ERR" "$SOCK"
		SENT=$(echo "$OUT" | sed -n 's/^sent \([0-9]*\) .*/\1/p')
		PPS=$(echo "$OUT" | sed -n 's/.* pps \([0-9]*\).*/\1/p')
		[ "$rate" = 0 ] && rate="unpaced"
		echo "| $mode | $rate | ${SENT:--} | ${PPS:--} | ${PKTS:--} | ${DROPS:-?} |"
		if [ -z "$LINE" ]; then
			echo "blast.sh: no drop count from tcpclose ($mode, rate $rate):" >&2
			tail -5 "$ERR" >&2 || true
		fi
	done
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
