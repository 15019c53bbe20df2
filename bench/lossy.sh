#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# lossy.sh -- how right tcpclose's close verdicts stay on imperfect captures.
#
#   bench/lossy.sh [--build DIR] [--packets N] [--seed S] [--out DIR] [--no-naive]
#
# Generates the project's own capture (tc-gen, >= 20,000 connections at the
# default size), checks tcpclose against its ground truth, degrades it the
# four ways capture points do (tc-degrade, seeded), runs tcpclose --format
# json on each copy and scores the close class against the clean copy
# (bench/lossy_score.py). With tshark installed, a naive per-direction
# FIN/RST counter over tshark's fields is scored on the same files, side by
# side. Prints a Markdown table; see bench/README.md ("Imperfect captures").
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$here/../build
packets=700000
seed=1
out=$here/data/lossy
naive=1
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--packets) packets=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--no-naive) naive=0; shift ;;
	*) echo "usage: $0 [--build DIR] [--packets N] [--seed S] [--out DIR] [--no-naive]" >&2; exit 2 ;;
	esac
done
command -v tshark >/dev/null 2>&1 || naive=0
tc=$build/tcpclose
gen=$build/bench/tc-gen
deg=$build/tools/tc-degrade
for t in "$tc" "$gen" "$deg"; do
	[ -x "$t" ] || { echo "lossy.sh: $t missing (configure with -DTC_BENCH=ON and build)" >&2; exit 1; }
done
mkdir -p "$out"
clean=$out/clean-$packets-$seed.pcap
if [ ! -s "$clean" ] || [ "$gen" -nt "$clean" ]; then
	"$gen" --packets "$packets" --seed "$seed" --concurrency 2000 --out "$clean" \
		--expect "$out/clean-$packets-$seed.expect" >&2
fi
# the clean copy must match the generator's truth exactly, or nothing below means anything
"$tc" -r "$clean" --expect "$out/clean-$packets-$seed.expect" >/dev/null
"$tc" -r "$clean" --format json >"$out/clean.json"

fields() {
	tshark -n -r "$1" -Y tcp -T fields -E separator=/t \
		-e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport -e tcp.flags.fin -e tcp.flags.reset \
		-e ipv6.src -e ipv6.dst 2>/dev/null |
		awk -F'\t' 'BEGIN{OFS="\t"} { if ($1 == "") { $1 = $7; $3 = $8 } print $1,$2,$3,$4,$5,$6 }'
}

echo "| capture | connections | tcpclose right | naive FIN/RST counter right | missing | inferred | one_way |"
echo "|---|---:|---:|---:|---:|---:|---:|"
run() {
	name=$1; shift
	f=$out/$name.pcap
	if [ "$name" = clean ]; then f=$clean; else "$deg" -r "$clean" -w "$f" --seed "$seed" "$@" 2>"$out/$name.degrade"; fi
	"$tc" -r "$f" --format json >"$out/$name.json"
	set -- "$out/clean.json" "$out/$name.json" --label "$name"
	if [ $naive = 1 ]; then
		fields "$f" >"$out/$name.tshark"
		set -- "$@" --naive "$out/$name.tshark"
	fi
	python3 "$here/lossy_score.py" "$@" >"$out/$name.score"
	python3 - "$out/$name.score" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n = r.get("naive_share")
print("| %s | %d | %.2f%% (%d wrong) | %s | %d | %d | %d |" % (
    r["label"], r["connections"], 100 * r["share"], r["connections"] - r["right"],
    "%.2f%%" % (100 * n) if n is not None else "-", r["missing"], r["inferred"], r["one_way"]))
PY
}
run clean
run loss1 --loss 0.01
run burst5 --loss 0.01 --burst 5
run oneway10 --one-way 0.10
run mixed --loss 0.005 --dup 0.01 --reorder 0.01
echo "(wrong verdicts by kind: $out/*.score)"
