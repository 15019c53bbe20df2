#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/threads.sh -- --threads 2 against --threads 1 and the buffered read
# loop, wall and CPU time, on the two workloads of floor.sh.
#
#   bench/threads.sh [--reps N] [--packets N]
#
# With --threads 2 the files are read and decoded in a thread of their own
# (src/capture/readahead.c): it trades CPU time (the hand-over) for wall
# time, so both are reported, best of --reps, the three commands' runs
# alternated so that all see the same moments of the machine. Wall time
# means something only on a machine with two cores free: run it on a quiet
# one (or under `nice -n -20`, as root, beside other work). The outputs of both in json, text, csv and zeek are compared with
# `cmp`: any difference fails.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DATA=$ROOT/bench/data
REPS=5
PACKETS=3000000

while [ $# -gt 0 ]; do
	case $1 in
	--reps) REPS=$2; shift ;;
	--packets) PACKETS=$2; shift ;;
	-h|--help) sed -n "2,/^set -euo/p" "$0" | sed "/^set /d; s/^# \{0,1\}//"; exit 0 ;;
	*) echo "threads.sh: unknown option $1" >&2; exit 1 ;;
	esac
	shift
done

ME=threads.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
GEN=$BUILD/bench/tc-gen
FLOOR=$BUILD/bench/tc-pcapfloor
bench_need "$TCPCLOSE" "$GEN" "$FLOOR"
bench_need_time
mkdir -p "$DATA"
TMP=$(mktemp -d "$DATA/tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILED=0

# best NAME WALL CPU: keep the lowest of each for NAME.
declare -A BW BC
best() {
	if [ -z "${BW[$1]:-}" ] || [ "$(echo "$2 < ${BW[$1]}" | bc)" = 1 ]; then BW[$1]=$2; fi
	if [ -z "${BC[$1]:-}" ] || [ "$(echo "$3 < ${BC[$1]}" | bc)" = 1 ]; then BC[$1]=$3; fi
}

# run NAME cmd...: one run, into best.
run() {
	local name=$1 e u s
	shift
	/usr/bin/time -f '%e %U %S' -o "$TMP/t" "$@" > /dev/null
	read -r e u s < <(tail -n 1 "$TMP/t")
	best "$name" "$e" "$(printf '%.2f' "$(echo "$u + $s" | bc)")"
}

echo "| workload | floor wall / CPU s | --threads 1 wall / CPU s | --threads 2 wall / CPU s | wall gain | wall ratio to the floor (1 / 2 threads) |"
echo "|---|---|---|---|---|---|"
for W in current small; do
	CAP=$(bench_workload "$W" "$PACKETS")
	BW=() BC=()
	for ((i = 0; i < REPS; i++)); do
		run floor "$FLOOR" "$CAP" --bufsize 262144
		run t1 "$TCPCLOSE" -r "$CAP" --format json --threads 1
		run t2 "$TCPCLOSE" -r "$CAP" --format json --threads 2
	done
	GAIN=$(echo "scale=1; 100 * (${BW[t1]} - ${BW[t2]}) / ${BW[t1]}" | bc)
	R1=$(echo "scale=2; ${BW[t1]} / ${BW[floor]}" | bc)
	R2=$(echo "scale=2; ${BW[t2]} / ${BW[floor]}" | bc)
	echo "| $W | ${BW[floor]} / ${BC[floor]} | ${BW[t1]} / ${BC[t1]} | ${BW[t2]} / ${BC[t2]} | ${GAIN}% | ${R1}x / ${R2}x |"
	for F in json text csv zeek; do
		"$TCPCLOSE" -r "$CAP" --format $F --threads 1 > "$TMP/a.$F" 2>/dev/null || true
		"$TCPCLOSE" -r "$CAP" --format $F --threads 2 > "$TMP/b.$F" 2>/dev/null || true
		if ! cmp -s "$TMP/a.$F" "$TMP/b.$F"; then
			echo "threads.sh: $W --format $F differs with two threads" >&2
			FAILED=1
		fi
	done
done
if [ $FAILED = 0 ]; then echo "Outputs identical with one and two threads in json, text, csv and zeek on both workloads."; fi
exit $FAILED
