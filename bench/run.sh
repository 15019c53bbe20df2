#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/run.sh -- the tcpclose performance benchmark (see bench/README.md).
#
#   bench/run.sh [--sizes "3000000 10000000"] [--quick] [--reps N] [--seed S]
#                [--concurrency K|auto] [--snaplen BYTES] [--slow-limit PACKETS]
#                [--flood N] [--max-conns N] [--perf] [--no-build]
#
# For each size: generate a capture with its ground truth (cached in
# bench/data by size and seed), warm the page cache, then time on that file
# the bare libpcap loop (the floor), tcpdump, a trivial per-flow counter,
# tcpclose (JSON and text), and tshark / tcptrace when installed (only up to
# --slow-limit packets: they are slow and tshark keeps every frame in
# memory). Check tcpclose's verdicts against the ground truth; any mismatch
# fails the run. Then a SYN flood: --flood SYNs from spoofed sources, with
# and without a --max-conns cap, to show memory stays bounded.
#
# Wall time is the best of --reps runs; peak RSS is from /usr/bin/time (%M).
# Results are printed as Markdown and appended to bench/data/results.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
DATA=$ROOT/bench/data
SIZES="3000000 10000000"
SEED=1
REPS=3
SLOW_LIMIT=3000000
FLOOD=1000000
MAXCONNS=100000
# Connections open at once, the same at every size so that sizes compare
# (time linear in packets, memory flat); "auto" lets tc-gen scale it with
# the size (packets / 200, 1000 .. 50000).
CONC=30000
SNAPLEN=""
BUILD_IT=1
PERF=0
TIMEOUT=${TIMEOUT:-1800}   # seconds, per command

usage() { sed -n "2,/^set -euo/p" "$0" | sed "/^set /d; s/^# \{0,1\}//"; }

while [ $# -gt 0 ]; do
	case $1 in
	--sizes) SIZES=$2; shift ;;
	--quick) SIZES=300000; REPS=1; FLOOD=200000; MAXCONNS=20000; CONC=3000 ;;
	--reps) REPS=$2; shift ;;
	--seed) SEED=$2; shift ;;
	--concurrency) CONC=$2; [ "$CONC" = auto ] && CONC=""; shift ;;
	--snaplen) SNAPLEN=$2; shift ;;
	--slow-limit) SLOW_LIMIT=$2; shift ;;
	--flood) FLOOD=$2; shift ;;
	--max-conns) MAXCONNS=$2; shift ;;
	--perf) PERF=1 ;;
	--no-build) BUILD_IT=0 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 1 ;;
	esac
	shift
done

mkdir -p "$DATA"
TMP=$(mktemp -d "$DATA/tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILED=0
fail() { printf '\n*** BENCHMARK FAILURE: %s ***\n\n' "$*" >&2; FAILED=1; }

# ---- tools ----------------------------------------------------------------
if [ "$BUILD_IT" = 1 ]; then
	cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$BUILD" -j "$(nproc)" --target tcpclose tc-gen tc-pcapfloor tc-flowcount >/dev/null
fi
TCPCLOSE=$BUILD/tcpclose
GEN=$BUILD/bench/tc-gen
FLOOR=$BUILD/bench/tc-pcapfloor
FLOWCOUNT=$BUILD/bench/tc-flowcount
for b in "$TCPCLOSE" "$GEN" "$FLOOR" "$FLOWCOUNT"; do
	[ -x "$b" ] || { echo "run.sh: $b not built" >&2; exit 1; }
done

TIME=/usr/bin/time
if [ ! -x $TIME ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get install -y -qq time >/dev/null 2>&1 || true
	fi
fi
if [ ! -x $TIME ]; then
	# A tiny stand-in: wall time and the child's peak RSS via getrusage.
	cat > "$TMP/rtime.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct timespec a, b; struct rusage ru; int st; pid_t p; FILE *o;
	if (argc < 5 || strcmp(argv[1], "-f") || strcmp(argv[3], "-o")) return 125;
	clock_gettime(CLOCK_MONOTONIC, &a);
	if ((p = fork()) == 0) { execvp(argv[5], argv + 5); _exit(127); }
	wait4(p, &st, 0, &ru);
	clock_gettime(CLOCK_MONOTONIC, &b);
	o = fopen(argv[4], "w");
	fprintf(o, "%.2f %ld %ld.%02ld %ld.%02ld\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
		ru.ru_maxrss, (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec / 10000,
		(long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec / 10000);
	fclose(o);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
EOF
	cc -O2 -o "$DATA/rtime" "$TMP/rtime.c"
	TIME=$DATA/rtime
fi
have() { command -v "$1" >/dev/null 2>&1; }

# sizeof of the per-connection records, from the headers being measured.
SIZEOF="unknown"
if have cc && printf '%s\n' '#include <stdio.h>' '#include "flow.h"' \
	'int main(void){printf("tc_flow=%zu tc_conn=%zu tc_endpoint=%zu\n",sizeof(struct tc_flow),sizeof(struct tc_conn),sizeof(struct tc_endpoint));return 0;}' \
	| cc -I"$ROOT/include" -I"$ROOT/src/core" -x c - -o "$TMP/sizeof" 2>/dev/null; then
	SIZEOF=$("$TMP/sizeof")
fi
FLOW_BYTES=$(echo "$SIZEOF" | sed -n 's/.*tc_flow=\([0-9]*\).*/\1/p')

# ---- measuring ------------------------------------------------------------
# measure OUT REPS cmd...  -> M_WALL (best), M_RSS (KiB, max), M_CPU (user+sys
# of best), M_RC (exit status). A non-zero exit fails the run unless
# ALLOW_RC=1 (the caller then looks at M_RC itself).
measure() {
	local out=$1 reps=$2 i w m u s
	shift 2
	M_WALL=""; M_RSS=0; M_CPU=""; M_RC=0
	for ((i = 0; i < reps; i++)); do
		timeout "$TIMEOUT" $TIME -f '%e %M %U %S' -o "$TMP/time" "$@" > "$out" 2> "$TMP/err" || M_RC=$?
		if [ $M_RC -ne 0 ] && [ "${ALLOW_RC:-0}" != 1 ]; then
			fail "exit status $M_RC from: $* ($(tail -n 3 "$TMP/err" | tr '\n' ' '))"
			M_WALL=NaN; M_RSS=0; M_CPU=NaN
			return 0
		fi
		read -r w m u s < <(tail -n 1 "$TMP/time")
		[ "$m" -gt "$M_RSS" ] && M_RSS=$m
		if [ -z "$M_WALL" ] || awk "BEGIN{exit !($w < $M_WALL)}"; then
			M_WALL=$w
			M_CPU=$(awk "BEGIN{printf \"%.2f\", $u + $s}")
		fi
	done
	return 0
}

RESULTS=$TMP/results.md
# FW/FC: the floor's wall and CPU time for the current file.
row() { # size tool packets wall rss cpu note
	local size=$1 tool=$2 pk=$3 w=$4 rss=$5 cpu=$6 note=${7:-}
	awk -v size="$size" -v tool="$tool" -v pk="$pk" -v w="$w" -v rss="$rss" -v fw="$FW" \
		-v cpu="$cpu" -v fc="$FC" -v note="$note" 'BEGIN {
		if (w == "NaN" || w + 0 == 0) { printf "| %s | %s | failed | | | | | | | %s |\n", size, tool, note; exit }
		ws = (w < 0.01) ? 0.01 : w; fws = (fw < 0.01) ? 0.01 : fw
		cs = (cpu < 0.01) ? 0.01 : cpu; fcs = (fc < 0.01) ? 0.01 : fc
		printf "| %s | %s | %.2f | %.2f | %.2f | %.0f | %.1f | %.2fx | %.2fx | %s |\n",
			size, tool, w, cpu, pk / ws / 1e6, ws * 1e9 / pk, rss / 1024, ws / fws, cs / fcs, note
	}' >> "$RESULTS"
}
human() { awk -v n="$1" 'BEGIN { if (n >= 1e6) printf "%gM", n / 1e6; else if (n >= 1e3) printf "%gk", n / 1e3; else print n }'; }
json_field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$2"; }

# ---- the machine ----------------------------------------------------------
{
	echo
	echo "## tcpclose benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo '```'
	echo "nproc: $(nproc)"
	lscpu | head -n 15
	free -h | head -n 2
	echo "kernel: $(uname -r)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "tcpclose: $("$TCPCLOSE" --version | tr '\n' ' ')"
	echo "tcpdump: $(tcpdump --version 2>&1 | head -n 1)"
	have tshark && echo "tshark: $(tshark --version 2>/dev/null | head -n 1)"
	have tcptrace && echo "tcptrace: $(tcptrace -v 2>&1 | sed -n 's/.*\(version [0-9.]*\).*/\1/p' | head -n 1)"
	echo "records: $SIZEOF"
	echo '```'
	echo
	echo "Wall time is the best of $REPS run(s) after the page cache was warmed; CPU is user+sys of that run;"
	echo "RSS is the peak resident set (/usr/bin/time %M). Mpkt/s and ns/pkt are from wall time."
	echo "\"x floor\" is the ratio to tc-pcapfloor's wall time, \"x floor CPU\" to its user+sys time"
	echo "(the better figure on a loaded machine: all these tools are single-threaded)."
	echo
	echo "| packets | tool | wall s | CPU s | Mpkt/s | ns/pkt | peak RSS MiB | x floor | x floor CPU | notes |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
} > "$RESULTS"

# Baseline RSS of tcpclose with (almost) nothing tracked, to get bytes per
# tracked connection from the peak RSS.
"$GEN" --packets 2000 --concurrency 10 --seed 1 --out "$TMP/tiny.pcap" --quiet
measure /dev/null 1 "$TCPCLOSE" -r "$TMP/tiny.pcap" --format json
BASE_RSS=$M_RSS

NOTES=$TMP/notes.md
: > "$NOTES"
LINEAR=$TMP/linear.md
: > "$LINEAR"

gen_file() { # N -> sets CAP EXP
	local n=$1 tag="gen-$1-s$SEED${CONC:+-k$CONC}${SNAPLEN:+-l$SNAPLEN}"
	CAP=$DATA/$tag.pcap
	EXP=$DATA/$tag.expect
	if [ ! -s "$CAP" ] || [ ! -s "$EXP" ] || [ "$GEN" -nt "$CAP" ]; then
		local need avail
		need=$(( n * PKT_BYTES / 1024 + 1048576 ))
		avail=$(df -Pk "$DATA" | awk 'NR == 2 { print $4 }')
		if [ "$avail" -lt "$need" ]; then
			fail "not enough disk for $n packets in $DATA (need ~$((need / 1048576)) GiB)"
			return 1
		fi
		echo "run.sh: generating $(human "$n") packets -> $CAP" >&2
		"$GEN" --packets "$n" --seed "$SEED" ${CONC:+--concurrency "$CONC"} \
			${SNAPLEN:+--snaplen "$SNAPLEN"} --out "$TMP/g.pcap" --expect "$TMP/g.expect" 2> "$TMP/gen.log"
		cat "$TMP/gen.log" >&2
		mv "$TMP/g.pcap" "$CAP"
		mv "$TMP/g.expect" "$EXP"
		cp "$TMP/gen.log" "$CAP.log"
	fi
}
# Disk estimate: ~780 bytes per frame with full payloads (measured), less with --snaplen.
PKT_BYTES=800
[ -n "$SNAPLEN" ] && [ "$SNAPLEN" -lt 784 ] && PKT_BYTES=$(( SNAPLEN + 16 ))

# ---- per size ---------------------------------------------------------------
for N in $SIZES; do
	gen_file "$N" || continue
	echo "run.sh: $(human "$N"): warming the page cache" >&2
	cat "$CAP" > /dev/null
	PK=$("$FLOOR" "$CAP" | awk '{ print $2 }')
	FBYTES=$(stat -c %s "$CAP")
	S=$(human "$N")

	echo "run.sh: $S: floor" >&2
	measure /dev/null "$REPS" "$FLOOR" "$CAP"; FW=$M_WALL; FC=$M_CPU
	row "$S" "tc-pcapfloor (pcap_next_ex)" "$PK" "$M_WALL" "$M_RSS" "$M_CPU" "the floor; $((FBYTES / 1048576)) MiB file"
	measure /dev/null "$REPS" "$FLOOR" "$CAP" --loop
	row "$S" "tc-pcapfloor --loop (pcap_loop)" "$PK" "$M_WALL" "$M_RSS" "$M_CPU"
	measure /dev/null "$REPS" "$FLOOR" "$CAP" --bufsize 1048576
	row "$S" "tc-pcapfloor --bufsize 1M (setvbuf)" "$PK" "$M_WALL" "$M_RSS" "$M_CPU" "1 read() per MiB instead of per 4 KiB"

	echo "run.sh: $S: tcpdump" >&2
	measure /dev/null "$REPS" tcpdump -r "$CAP" -w /dev/null
	row "$S" "tcpdump -r F -w /dev/null" "$PK" "$M_WALL" "$M_RSS" "$M_CPU" "read + write back"
	# tcpdump -n prints every packet; its cost per packet grows with the
	# file (its address-string cache hashes only the first octets of an
	# IPv4 address on little-endian hosts, and its relative-sequence table
	# has 919 chained buckets and forgets nothing), so it is kept below
	# --slow-limit.
	if [ "$N" -le "$SLOW_LIMIT" ]; then
		measure /dev/null 1 tcpdump -n -r "$CAP"
		row "$S" "tcpdump -n -r F > /dev/null" "$PK" "$M_WALL" "$M_RSS" "$M_CPU" "formats every packet; 1 run"
	fi

	echo "run.sh: $S: tc-flowcount" >&2
	measure "$TMP/fc.out" "$REPS" "$FLOWCOUNT" "$CAP"
	row "$S" "tc-flowcount" "$PK" "$M_WALL" "$M_RSS" "$M_CPU" "$(awk '{ print $6 " flows, never forgotten" }' "$TMP/fc.out")"

	echo "run.sh: $S: tcpclose" >&2
	measure /dev/null "$REPS" "$TCPCLOSE" -r "$CAP" --format json; JW=$M_WALL; JRSS=$M_RSS; JC=$M_CPU
	# The summary record (untimed run): tracked connections for the memory figure.
	"$TCPCLOSE" -r "$CAP" --format json | tail -n 1 > "$TMP/summary.json"
	PEAK=$(json_field peak_tracked "$TMP/summary.json")
	CONNS=$(json_field connections "$TMP/summary.json")
	row "$S" "**tcpclose --format json > /dev/null**" "$PK" "$JW" "$JRSS" "$JC" "$CONNS conns, peak $PEAK tracked"
	measure /dev/null "$REPS" "$TCPCLOSE" -r "$CAP"
	row "$S" "**tcpclose (text report) > /dev/null**" "$PK" "$M_WALL" "$M_RSS" "$M_CPU"
	measure /dev/null "$REPS" "$TCPCLOSE" -r "$CAP" -o /dev/null -v
	row "$S" "tcpclose -v (every connection, text)" "$PK" "$M_WALL" "$M_RSS" "$M_CPU"

	echo "run.sh: $S: checking verdicts against the ground truth" >&2
	ALLOW_RC=1 measure "$TMP/expect.out" 1 "$TCPCLOSE" -r "$CAP" --expect "$EXP"
	if [ "$M_RC" -ne 0 ] || ! grep -q ': ok (' "$TMP/expect.out"; then
		cat "$TMP/expect.out" >&2
		fail "$S: tcpclose's verdicts differ from the ground truth ($EXP)"
		row "$S" "tcpclose --expect (ground truth check)" "$PK" "$M_WALL" "$M_RSS" "$M_CPU" "**MISMATCH**"
	else
		row "$S" "tcpclose --expect (ground truth check)" "$PK" "$M_WALL" "$M_RSS" "$M_CPU" \
			"$(sed -n 's/.*: ok (\(.*\))/ok, \1/p' "$TMP/expect.out"); holds all expect lines in memory"
	fi

	if [ "$N" -le "$SLOW_LIMIT" ]; then
		if have tshark; then
			echo "run.sh: $S: tshark" >&2
			measure /dev/null 1 tshark -n -q -r "$CAP" -z conv,tcp
			row "$S" "tshark -n -q -z conv,tcp" "$PK" "$M_WALL" "$M_RSS" "$M_CPU" "1 run"
		fi
		if have tcptrace; then
			echo "run.sh: $S: tcptrace" >&2
			measure /dev/null 1 tcptrace -n "$CAP"
			row "$S" "tcptrace -n" "$PK" "$M_WALL" "$M_RSS" "$M_CPU" "1 run"
		fi
	else
		echo "| $S | tcpdump -n, tshark, tcptrace | skipped | | | | | | | above --slow-limit $(human "$SLOW_LIMIT") packets |" >> "$RESULTS"
	fi

	# Memory per tracked connection, from the JSON run.
	awk -v s="$S" -v rss="$JRSS" -v base="$BASE_RSS" -v peak="$PEAK" -v fb="$FLOW_BYTES" 'BEGIN {
		printf "- %s: peak RSS %.1f MiB, baseline %.1f MiB, peak %d connections tracked: **%.0f bytes per tracked connection** (sizeof(struct tc_flow) = %s; target <= 256)\n",
			s, rss / 1024, base / 1024, peak, (rss - base) * 1024 / (peak ? peak : 1), fb
	}' >> "$NOTES"
	awk -v s="$S" -v pk="$PK" -v w="$JW" -v fw="$FW" -v c="$JC" -v fc="$FC" 'BEGIN {
		printf "| %s | %.0f | %.0f | %.0f | %.0f | %.2fx | %.2fx |\n", s, w * 1e9 / pk, c * 1e9 / pk,
			fw * 1e9 / pk, fc * 1e9 / pk, w / fw, c / fc }' >> "$LINEAR"

	if [ "$PERF" = 1 ] && have perf; then
		echo "run.sh: $S: perf record" >&2
		perf record -q -g -o "$DATA/perf-$N.data" "$TCPCLOSE" -r "$CAP" --format json > /dev/null 2>&1 || true
		perf report -i "$DATA/perf-$N.data" --stdio --no-children --percent-limit 1 2>/dev/null \
			| grep -E '^ +[0-9.]+%' > "$DATA/perf-$N.txt" || true
		echo "perf profile of tcpclose --format json at $S: $DATA/perf-$N.txt" >&2
	fi
done

# ---- SYN flood ----------------------------------------------------------------
if [ "$FLOOD" -gt 0 ]; then
	FCAP=$DATA/flood-$FLOOD-s$SEED.pcap
	FEXP=$DATA/flood-$FLOOD-s$SEED.expect
	if [ ! -s "$FCAP" ] || [ ! -s "$FEXP" ] || [ "$GEN" -nt "$FCAP" ]; then
		echo "run.sh: generating a SYN flood of $(human "$FLOOD")" >&2
		"$GEN" --synflood "$FLOOD" --seed "$SEED" --out "$TMP/f.pcap" --expect "$TMP/f.expect"
		mv "$TMP/f.pcap" "$FCAP"
		mv "$TMP/f.expect" "$FEXP"
	fi
	cat "$FCAP" > /dev/null
	S="flood $(human "$FLOOD")"
	measure /dev/null "$REPS" "$FLOOR" "$FCAP"; FW=$M_WALL; FC=$M_CPU
	row "$S" "tc-pcapfloor" "$FLOOD" "$M_WALL" "$M_RSS" "$M_CPU" "the floor"
	for cap in 0 "$MAXCONNS"; do
		args=(); label="tcpclose --format json"
		if [ "$cap" != 0 ]; then args=(--max-conns "$cap"); label="tcpclose --format json --max-conns $cap"; fi
		measure /dev/null "$REPS" "$TCPCLOSE" -r "$FCAP" --format json "${args[@]}"
		W=$M_WALL; R=$M_RSS; C=$M_CPU
		"$TCPCLOSE" -r "$FCAP" --format json "${args[@]}" | tail -n 1 > "$TMP/fsum.json"
		EV=$(json_field evicted "$TMP/fsum.json"); PT=$(json_field peak_tracked "$TMP/fsum.json")
		row "$S" "$label" "$FLOOD" "$W" "$R" "$C" "evicted $EV, peak_tracked $PT"
		rc=0
		"$TCPCLOSE" -r "$FCAP" --expect "$FEXP" "${args[@]}" > "$TMP/fexp.out" || rc=$?
		if [ $rc -ne 0 ]; then
			cat "$TMP/fexp.out" >&2
			fail "$S ${args[*]}: verdicts differ from the ground truth"
		fi
		if [ "$cap" != 0 ]; then
			[ "$PT" = "$cap" ] || fail "$S: peak_tracked $PT, expected the cap $cap"
			[ "$EV" = "$((FLOOD - cap))" ] || fail "$S: evicted $EV, expected $((FLOOD - cap))"
			awk -v s="$S" -v r="$R" -v base="$BASE_RSS" -v cap="$cap" 'BEGIN {
				printf "- %s with --max-conns %d: peak RSS %.1f MiB (%.0f bytes per tracked connection over the baseline)\n",
					s, cap, r / 1024, (r - base) * 1024 / cap }' >> "$NOTES"
		else
			awk -v s="$S" -v r="$R" -v base="$BASE_RSS" -v pt="$PT" 'BEGIN {
				printf "- %s uncapped: peak RSS %.1f MiB for %d tracked (%.0f bytes per tracked connection)\n",
					s, r / 1024, pt, (r - base) * 1024 / pt }' >> "$NOTES"
		fi
	done
fi

{
	echo
	echo "Memory:"
	echo
	cat "$NOTES"
	if [ -s "$LINEAR" ]; then
		echo
		echo "Linearity (tcpclose --format json):"
		echo
		echo "| packets | tcpclose wall ns/pkt | tcpclose CPU ns/pkt | floor wall ns/pkt | floor CPU ns/pkt | x floor | x floor CPU |"
		echo "|---|---|---|---|---|---|---|"
		cat "$LINEAR"
	fi
	[ "$FAILED" = 0 ] || { echo; echo "**FAILED: see the messages above.**"; }
} >> "$RESULTS"

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS"
cat "$RESULTS"
cat "$RESULTS" >> "$DATA/results.md"
echo "run.sh: results appended to $DATA/results.md" >&2
if [ "$FAILED" != 0 ]; then
	echo "run.sh: FAILED" >&2
	exit 1
fi
