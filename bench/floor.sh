#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/floor.sh -- tcpclose against the buffered read loop, three workloads.
#
#   bench/floor.sh [--reps N] [--packets N] [--baseline PATH/TO/tcpclose] [--count]
#
# Workloads (tc-gen, cached in bench/data by name):
#   current  tc-gen --packets N --concurrency 30000            (~760-byte frames)
#   small    tc-gen --packets N --concurrency 20000 --max-resp 1500
#            (~240-byte frames, ~265k connections, 20k open at once: the linger holds
#            many closed ones at once)
#   burst    tc-gen --packets N --concurrency 20000 --max-resp 4000, squeezed
#            to 0.07 of its length (tc-stretch): ~300-byte frames, ~250k
#            connections all started within 7 s, so the linger holds most of
#            them closed at once: issue 15's shape, the peak of tracked memory
# On each: the floor is `tc-pcapfloor FILE --bufsize 262144` (libpcap's read
# loop on a stream with a real 256 KiB buffer), then tcpclose --format json.
# Reported: CPU time (user+sys, best of --reps), wall time (best of
# --reps), peak RSS (/usr/bin/time %M) and the engine's tracked memory per
# connection at its peak (TC_BENCH_MEMSTATS). CPU is the figure to compare
# by: on a shared, loaded machine wall time measures the neighbours too;
# both are single-threaded here, so on a quiet one the two agree but for
# waits on the disk. Instructions, which a
# loaded machine does not move, come from `perf stat -e instructions` when
# the PMU is available; where it is not (virtual machines), --count takes
# them from valgrind (user space only, whole run; a few minutes a run).
# With --baseline, the baseline binary is measured too, its runs alternated
# with this build's, and its output in every format is compared with `cmp` against this build's on
# every workload: any difference fails.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DATA=$ROOT/bench/data
REPS=3
PACKETS=3000000
BASELINE=""
COUNT=0

while [ $# -gt 0 ]; do
	case $1 in
	--reps) REPS=$2; shift ;;
	--packets) PACKETS=$2; shift ;;
	--baseline) BASELINE=$2; shift ;;
	--count) COUNT=1 ;;
	-h|--help) sed -n "2,/^set -euo/p" "$0" | sed "/^set /d; s/^# \{0,1\}//"; exit 0 ;;
	*) echo "floor.sh: unknown option $1" >&2; exit 1 ;;
	esac
	shift
done

ME=floor.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
GEN=$BUILD/bench/tc-gen
FLOOR=$BUILD/bench/tc-pcapfloor
bench_need "$TCPCLOSE" "$GEN" "$FLOOR" "$BUILD/bench/tc-stretch"
bench_need_time
mkdir -p "$DATA"
TMP=$(mktemp -d "$DATA/tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILED=0

PERF=0
if perf stat -x, -e instructions true 2>&1 | grep -q '^[0-9]'; then
	PERF=1
elif [ $COUNT = 1 ]; then
	command -v valgrind > /dev/null || { echo "floor.sh: --count needs valgrind" >&2; exit 1; }
	PERF=2
fi

# count cmd... -> instructions of one run, its output discarded
count() {
	if [ $PERF = 1 ]; then
		perf stat -x, -e instructions "$@" 2>&1 >/dev/null | awk -F, '/instructions/ {print $1}'
	else
		valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
			awk '/Collected :/ {print $NF}'
	fi
}

# run_once cmd... -> C (CPU s, user+sys), E (wall s) and M (peak RSS, KiB)
# of one run
run_once() {
	local u s
	/usr/bin/time -f '%U %S %M %e' -o "$TMP/t" "$@" > /dev/null
	read -r u s M E < <(tail -n 1 "$TMP/t")
	C=$(echo "$u + $s" | bc)
}

# lower A B -> 1 if A < B (or B is empty)
lower() {
	[ -z "$2" ] || [ "$(echo "$1 < $2" | bc)" = 1 ]
}

# measure cmd... -> CPU (s, user+sys, best of REPS), WALL (s, best of
# REPS), RSS (MiB, max), INS (instructions or -)
measure() {
	local i best="" rss=0
	INS=-
	WALL=""
	for ((i = 0; i < REPS; i++)); do
		run_once "$@"
		if lower "$C" "$best"; then best=$C; fi
		if lower "$E" "$WALL"; then WALL=$E; fi
		if [ "$M" -gt "$rss" ]; then rss=$M; fi
	done
	if [ $PERF != 0 ]; then
		INS=$(count "$@")
	fi
	CPU=$best
	RSS=$(echo "scale=1; $rss / 1024" | bc)
}

# measure_pair CAP -> the same as measure for tcpclose (CPU, WALL, RSS,
# INS) and the baseline (BCPU, BWALL, BRSS, BINS) on capture CAP, their
# runs alternated so that both see the same moments of a busy machine.
measure_pair() {
	local i best="" bbest="" rss=0 brss=0
	INS=-
	BINS=-
	WALL=""
	BWALL=""
	for ((i = 0; i < REPS; i++)); do
		run_once "$TCPCLOSE" -r "$1" --format json
		if lower "$C" "$best"; then best=$C; fi
		if lower "$E" "$WALL"; then WALL=$E; fi
		if [ "$M" -gt "$rss" ]; then rss=$M; fi
		run_once "$BASELINE" -r "$1" --format json
		if lower "$C" "$bbest"; then bbest=$C; fi
		if lower "$E" "$BWALL"; then BWALL=$E; fi
		if [ "$M" -gt "$brss" ]; then brss=$M; fi
	done
	if [ $PERF != 0 ]; then
		INS=$(count "$TCPCLOSE" -r "$1" --format json)
		BINS=$(count "$BASELINE" -r "$1" --format json)
	fi
	CPU=$best
	RSS=$(echo "scale=1; $rss / 1024" | bc)
	BCPU=$bbest
	BRSS=$(echo "scale=1; $brss / 1024" | bc)
}

if [ -n "$BASELINE" ]; then
	echo "| workload | packets | avg frame | conns | peak tracked | bytes / tracked conn | floor CPU s | tcpclose json CPU s | ratio | baseline json CPU s | baseline ratio | floor RSS MiB | tcpclose RSS MiB | baseline RSS MiB | instructions (floor / tcpclose / baseline) | wall s (floor / tcpclose / baseline) |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
else
	echo "| workload | packets | avg frame | conns | peak tracked | bytes / tracked conn | floor CPU s | tcpclose json CPU s | ratio | floor RSS MiB | tcpclose RSS MiB | instructions (floor / tcpclose) | wall s (floor / tcpclose) |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
fi
for W in current small burst; do
	CAP=$(bench_workload "$W" "$PACKETS")
	SZ=$(stat -L -c %s "$CAP")
	AVG=$(( (SZ - 24) / PACKETS - 16 ))
	measure "$FLOOR" "$CAP" --bufsize 262144; FC=$CPU; FR=$RSS; FI=$INS; FW=$WALL
	if [ -n "$BASELINE" ]; then
		measure_pair "$CAP"; TC=$CPU; TR=$RSS; TI=$INS; TW=$WALL; BC=$BCPU; BR=$BRSS; BI=$BINS; BW=$BWALL
	else
		measure "$TCPCLOSE" -r "$CAP" --format json; TC=$CPU; TR=$RSS; TI=$INS; TW=$WALL
	fi
	# TC_BENCH_MEMSTATS: the engine's own count of tracked memory at the
	# peak (records, extensions, the closed ring, the index) on stderr.
	TC_BENCH_MEMSTATS=1 "$TCPCLOSE" -r "$CAP" --format json 2> "$TMP/mem" | tail -n 1 > "$TMP/sum.json"
	BPC=$(grep -o 'bytes_per_conn [0-9.]*' "$TMP/mem" | cut -d' ' -f2 || true)
	CONNS=$(grep -o '"connections":[0-9]*' "$TMP/sum.json" | head -1 | cut -d: -f2 || true)
	PEAK=$(grep -o '"peak_tracked":[0-9]*' "$TMP/sum.json" | head -1 | cut -d: -f2 || true)
	RATIO=$(echo "scale=2; $TC / $FC" | bc)
	# The instructions' ratio too, when they were counted.
	IR=""
	if [[ $FI =~ ^[0-9]+$ && $TI =~ ^[0-9]+$ ]]; then IR=" ($(echo "scale=2; $TI / $FI" | bc)x)"; fi
	# Wall time's ratio; a floor too fast for time's 10 ms steps has none.
	WR=""
	if [ "$(echo "$FW > 0" | bc)" = 1 ]; then WR=" ($(echo "scale=2; $TW / $FW" | bc)x)"; fi
	if [ -z "$BASELINE" ]; then
		echo "| $W | $PACKETS | $AVG B | ${CONNS:-?} | ${PEAK:-?} | ${BPC:-?} | $FC | $TC | ${RATIO}x | $FR | $TR | $FI / $TI$IR | $FW / $TW$WR |"
	else
		BRATIO=$(echo "scale=2; $BC / $FC" | bc)
		echo "| $W | $PACKETS | $AVG B | ${CONNS:-?} | ${PEAK:-?} | ${BPC:-?} | $FC | $TC | ${RATIO}x | $BC | ${BRATIO}x | $FR | $TR | $BR | $FI / $TI / $BI$IR | $FW / $TW / $BW$WR |"
	fi
	if [ -n "$BASELINE" ]; then
		for F in json text csv zeek; do
			"$BASELINE" -r "$CAP" --format $F > "$TMP/a.$F" 2>/dev/null || true
			"$TCPCLOSE" -r "$CAP" --format $F > "$TMP/b.$F" 2>/dev/null || true
			if ! cmp -s "$TMP/a.$F" "$TMP/b.$F"; then
				echo "floor.sh: $W --format $F differs from the baseline" >&2
				FAILED=1
			fi
		done
	fi
done
if [ -n "$BASELINE" ] && [ $FAILED = 0 ]; then echo "Outputs identical to $BASELINE in json, text, csv and zeek on every workload."; fi
exit $FAILED
