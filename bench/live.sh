#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/live.sh -- kernel drops of `tcpclose -i lo` under tc-loadgen, at
# increasing connection rates: the JSON stream to /dev/null, then the
# ncurses view in a detached tmux (120x40).
#
#   bench/live.sh [--rates "R ..."] [--duration S] [--concurrency K]
#                 [--rounds N] [--modes "json view"]
#
# Rates are connections per second given to tc-loadgen (0 = unpaced: as
# fast as it goes with K in flight). Each step: start tcpclose on lo with a
# filter on the generator's two ports, wait for it, run tc-loadgen for S
# seconds, stop tcpclose (SIGINT for the stream, q for the view) and read
# its last line on stderr: packets captured and dropped by kernel
# (pcap_stats). The packet rate is packets captured / the generator's time.
# Prints a Markdown table. Needs root (capture on lo) and tmux for the view;
# builds nothing: BUILD (default build/) must hold tcpclose and
# tools/tc-loadgen. Every wait is bounded.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
RATES="2000 5000 10000 0"
DURATION=5
CONC=2000
ROUNDS=4
MODES="json view"

while [ $# -gt 0 ]; do
	case $1 in
	--rates) RATES=$2; shift ;;
	--duration) DURATION=$2; shift ;;
	--concurrency) CONC=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--modes) MODES=$2; shift ;;
	-h|--help) sed -n "2,/^set -euo/p" "$0" | sed "/^set /d; s/^# \{0,1\}//"; exit 0 ;;
	*) echo "live.sh: unknown option $1" >&2; exit 1 ;;
	esac
	shift
done

ME=live.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
GEN=$BUILD/tools/tc-loadgen
bench_need "$TCPCLOSE" "$GEN"
[ "$(id -u)" = 0 ] || { echo "live.sh: needs root (capture on lo)" >&2; exit 1; }
case " $MODES " in *" view "*)
	command -v tmux >/dev/null || { echo "live.sh: the view needs tmux" >&2; exit 1; } ;;
esac

TMP=$(mktemp -d)
SOCK=tcbench$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null || true
	[ -n "${TCPID:-}" ] && kill "$TCPID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

# Two ports below the ephemeral range (so no client holds one), free now.
pick_ports() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 10000))
		if ! ss -Htan "( sport = :$p or sport = :$((p + 1)) )" | grep -q .; then
			echo "$p $((p + 1))"
			return 0
		fi
	done
	return 1
}

echo "nproc: $(nproc); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "tc-loadgen: --concurrency $CONC --rounds $ROUNDS --duration $DURATION (each step)"
echo
echo "| mode | rate asked (conn/s) | conn/s done | packets captured | pkt/s | kernel drops | early/errors |"
echo "|---|---|---|---|---|---|---|"

for mode in $MODES; do
	for rate in $RATES; do
		read -r P Q < <(pick_ports) || { echo "live.sh: no free port" >&2; exit 1; }
		FILTER="tcp port $P or tcp port $Q"
		ERR=$TMP/stderr.$mode.$rate
		if [ "$mode" = json ]; then
			live_start json "$ERR" "$SOCK" "$TCPCLOSE" -i lo --format json "$FILTER"
		else
			live_start view "$ERR" "$SOCK" "$TCPCLOSE -i lo '$FILTER'"
		fi
		OUT=$("$GEN" --port "$P" --closed-port "$Q" --rate "$rate" --conns 100000000 \
			--duration "$DURATION" --concurrency "$CONC" --rounds "$ROUNDS" --quiet || true)
		sleep 1 # what is in flight reaches the capture
		live_stop "$mode" "$ERR" "$SOCK"
		SUM=$(echo "$OUT" | grep '^connections' || true)
		SECS=$(echo "$SUM" | sed -n 's/.* seconds \([0-9.]*\).*/\1/p')
		CPS=$(echo "$SUM" | sed -n 's/.* conn_per_s \([0-9]*\).*/\1/p')
		EARLY=$(echo "$SUM" | sed -n 's/.* early \([0-9]*\) errors \([0-9]*\).*/\1\/\2/p')
		PPS=-
		if [ -n "$PKTS" ] && [ -n "$SECS" ]; then
			PPS=$(awk -v p="$PKTS" -v s="$SECS" 'BEGIN { printf "%.0f", p / s }')
		fi
		[ "$rate" = 0 ] && rate="unpaced"
		echo "| $mode | $rate | ${CPS:--} | ${PKTS:--} | $PPS | ${DROPS:-?} | ${EARLY:--} |"
		if [ -z "$LINE" ]; then
			echo "live.sh: no drop count from tcpclose ($mode, rate $rate):" >&2
			tail -5 "$ERR" >&2 || true
		fi
	done
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
