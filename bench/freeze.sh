#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/freeze.sh -- frozen closed-connection records: same output, less memory.
#
#   bench/freeze.sh [--packets N] [--baseline PATH/TO/tcpclose] [--no-corpus]
#
# Closed connections wait out the linger frozen (src/core/freeze.h) unless
# the environment has TC_BENCH_NO_FREEZE set, which keeps them as whole
# records. This script runs tcpclose both ways and checks with `cmp` that
# every format (json, text, csv, zeek) is byte-identical:
#   - on every capture in captures/ (unless --no-corpus);
#   - on the three generated workloads of bench/floor.sh (current: ~760-byte
#     frames, 30k open at once; small: ~240-byte frames, 20k open at once;
#     burst: ~300-byte frames, 250k connections squeezed into 7 s, most
#     of them closed at once),
#     with the default settings, with --linger 30 (most of the table is then
#     closed connections) and with --max-conns 5000 (evictions take frozen
#     entries first);
#   - with --baseline, also against another build's binary (e.g. the tree
#     before freezing), same captures and settings.
# And it measures, on the generated workloads, both ways: peak RSS
# (/usr/bin/time %M), CPU time (user+sys) and the engine's own count of
# tracked-connection memory at the peak (TC_BENCH_MEMSTATS: records in use
# x sizeof(struct tc_flow) + extension records x sizeof(struct
# tc_conn_ext) + the closed ring's bytes + the index, when the number of
# tracked connections peaked), divided by the connections tracked then.
# Any difference fails (exit 1).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DATA=$ROOT/bench/data
PACKETS=3000000
BASELINE=""
CORPUS=1

while [ $# -gt 0 ]; do
	case $1 in
	--packets) PACKETS=$2; shift ;;
	--baseline) BASELINE=$2; shift ;;
	--no-corpus) CORPUS=0 ;;
	-h|--help) sed -n "2,/^set -euo/p" "$0" | sed "/^set /d; s/^# \{0,1\}//"; exit 0 ;;
	*) echo "freeze.sh: unknown option $1" >&2; exit 1 ;;
	esac
	shift
done

ME=freeze.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
GEN=$BUILD/bench/tc-gen
bench_need "$TCPCLOSE" "$GEN" "$BUILD/bench/tc-stretch"
bench_need_time
mkdir -p "$DATA"
TMP=$(mktemp -d "$DATA/tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILED=0
NCMP=0

# same LABEL FILE ARGS...: every format, frozen vs whole records (vs baseline).
same() {
	local label=$1 f=$2 fmt
	shift 2
	for fmt in json text csv zeek; do
		"$TCPCLOSE" -r "$f" --format $fmt "$@" > "$TMP/frozen" 2>&1 || true
		TC_BENCH_NO_FREEZE=1 "$TCPCLOSE" -r "$f" --format $fmt "$@" > "$TMP/whole" 2>&1 || true
		NCMP=$((NCMP + 1))
		if ! cmp -s "$TMP/frozen" "$TMP/whole"; then
			echo "freeze.sh: $label --format $fmt $*: frozen and whole records differ" >&2
			FAILED=1
		fi
		if [ -n "$BASELINE" ]; then
			"$BASELINE" -r "$f" --format $fmt "$@" > "$TMP/base" 2>&1 || true
			NCMP=$((NCMP + 1))
			if ! cmp -s "$TMP/frozen" "$TMP/base"; then
				echo "freeze.sh: $label --format $fmt $*: differs from $BASELINE" >&2
				FAILED=1
			fi
		fi
	done
}

if [ $CORPUS = 1 ]; then
	for f in "$ROOT"/captures/*.pcap "$ROOT"/captures/*.pcapng; do
		[ -e "$f" ] || continue
		same "$(basename "$f")" "$f"
	done
fi

# measure LABEL ARGS... (env NOF=1 for whole records): one row.
measure() {
	local label=$1 u s m line
	shift
	if [ -n "${BIN:-}" ]; then
		/usr/bin/time -f '%U %S %M' -o "$TMP/t" "$BIN" "$@" --format json > /dev/null 2> "$TMP/e"
	elif [ "${NOF:-0}" = 1 ]; then
		TC_BENCH_NO_FREEZE=1 TC_BENCH_MEMSTATS=1 /usr/bin/time -f '%U %S %M' -o "$TMP/t" \
			"$TCPCLOSE" "$@" --format json > /dev/null 2> "$TMP/e"
	else
		TC_BENCH_MEMSTATS=1 /usr/bin/time -f '%U %S %M' -o "$TMP/t" \
			"$TCPCLOSE" "$@" --format json > /dev/null 2> "$TMP/e"
	fi
	read -r u s m < <(tail -n 1 "$TMP/t")
	line=$(grep memstats "$TMP/e" || true)
	# "tcpclose: memstats peak_tracked N peak_bytes B bytes_per_conn X frozen F thawed T frozen_avg A wide W"
	# shellcheck disable=SC2086
	set -- $line
	echo "| $label | $(echo "$u + $s" | bc) | $(echo "scale=1; $m / 1024" | bc) | ${4:--} | $([ -n "${6:-}" ] && echo "scale=1; $6 / 1048576" | bc || echo -) | ${8:--} | ${10:--} | ${12:--} | ${14:--} |"
}

echo "| run | CPU s | peak RSS MiB | peak tracked | tracked MiB at peak | bytes / tracked conn | frozen | thawed | avg frozen bytes |"
echo "|---|---|---|---|---|---|---|---|---|"
for W in current small burst; do
	CAP=$(bench_workload "$W" "$PACKETS")
	for SET in "" "--linger 30" "--max-conns 5000"; do
		if [ -n "$BASELINE" ]; then
			# shellcheck disable=SC2086
			BIN=$BASELINE measure "$W ${SET:-defaults}, baseline" -r "$CAP" $SET
		fi
		# shellcheck disable=SC2086
		NOF=1 measure "$W ${SET:-defaults}, whole records" -r "$CAP" $SET
		# shellcheck disable=SC2086
		measure "$W ${SET:-defaults}, frozen" -r "$CAP" $SET
		# shellcheck disable=SC2086
		same "$W" "$CAP" $SET
	done
done
if [ $FAILED = 0 ]; then
	echo
	echo "Outputs identical in all $NCMP comparisons (json, text, csv, zeek${BASELINE:+; baseline $BASELINE})."
fi
exit $FAILED
