#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# fuzzbuild.sh CMAKE SRCDIR BUILDDIR -- the libFuzzer harnesses (fuzz/)
# build, and every seed runs through them clean.
#
# The harnesses compile the project's sources a second time with their own
# flags, so nothing else in the suite notices when that copy stops linking
# (a library the front end gained) or when a seed crashes the sanitized
# code. Here, in BUILDDIR (kept beside the main tree, incremental after the
# first run):
#   - CC=clang, -DTC_FUZZ=ON: fuzz_packets, fuzz_capture and pcap2frames
#     build;
#   - fuzz/seeds.sh makes both seed corpora (every capture, the hostile
#     corpus, the kept crashers); fuzz_capture runs every capture seed
#     once (-runs=0) with ASan and UBSan, fuzz_packets every seed with the
#     default option byte (0x1f) and every kept crasher, each cut at the
#     length a fuzzing run uses (fuzz/README.md): a crash or a broken
#     promise of fuzz_check.h fails the test;
#   - then a short, fixed fuzzing run per harness (-seed=1, 1000 inputs,
#     bounded in time): a smoke test, not a campaign.
# Skipped (77) without clang or its libFuzzer runtime.
BDIR=$3
. "$(dirname "$0")/lib.sh" "$1" "$2"
CMAKE=$BIN

if ! sh "$SRC/scripts/deps.sh" --have cmd:clang fuzzer:libfuzzer; then
	skip "no clang with a libFuzzer runtime (scripts/deps.sh test installs them)"
	pass
fi

CC=clang "$CMAKE" -S "$SRC" -B "$BDIR" -DTC_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug -DTC_TUI=OFF \
	-DTC_BENCH=OFF -DBUILD_TESTING=OFF >"$TMP/conf.log" 2>&1 ||
	fail "configure failed: $(tail -20 "$TMP/conf.log")"
"$CMAKE" --build "$BDIR" -j2 --target fuzz_packets fuzz_capture pcap2frames >"$TMP/build.log" 2>&1 ||
	fail "the harnesses do not build: $(grep -E 'error|undefined' "$TMP/build.log" | head -20)"

CC=clang sh "$SRC/fuzz/seeds.sh" "$BDIR" "$TMP/seeds" >"$TMP/seeds.log" 2>&1 ||
	fail "seeds.sh failed: $(tail -20 "$TMP/seeds.log")"
# The other option bytes run the same captures through other table
# sizes and lingers: the fuzzing runs cover them.
mkdir -p "$TMP/seeds/packets-default"
for f in "$TMP/seeds/corpus-packets"/*.0x1f "$TMP/seeds/corpus-packets"/packets-*; do
	[ -f "$f" ] && cp "$f" "$TMP/seeds/packets-default/"
done
for d in packets-default corpus-capture; do
	n=$(ls "$TMP/seeds/$d" | wc -l)
	[ "$n" -ge 50 ] || fail "only $n seeds in $d"
done

# fuzz HARNESS WHAT ARGS...: one libFuzzer run. libFuzzer exits non-zero
# on a crash, a leak or a broken promise (abort), and names the input:
# the test fails with that, as WHAT.
fuzz() {
	h=$1
	what=$2
	shift 2
	(cd "$TMP" && "$BDIR/fuzz/fuzz_$h" -rss_limit_mb=4096 -timeout=30 "$@") >"$TMP/$h.log" 2>&1 ||
		fail "fuzz_$h, $what: $(grep -E 'ERROR|SUMMARY|abort|Test unit written' "$TMP/$h.log" | head -10)"
}
# Every seed once.
fuzz packets "on its seeds" -runs=0 -max_len=65536 "$TMP/seeds/packets-default"
fuzz capture "on its seeds" -runs=0 -max_len=131072 "$TMP/seeds/corpus-capture"
grep -q "INITED" "$TMP/packets.log" || fail "fuzz_packets never ran its seeds: $(tail -5 "$TMP/packets.log")"
grep -q "INITED" "$TMP/capture.log" || fail "fuzz_capture never ran its seeds: $(tail -5 "$TMP/capture.log")"

# A short fixed run: the same inputs every time (-seed=1), at most 1000
# of them and 60 s each.
mkdir -p "$TMP/work-p" "$TMP/work-c"
fuzz packets "short run" -seed=1 -runs=1000 -max_total_time=60 -max_len=65536 \
	"$TMP/work-p" "$TMP/seeds/packets-default"
fuzz capture "short run" -seed=1 -runs=1000 -max_total_time=60 -max_len=131072 \
	-dict="$SRC/fuzz/capture.dict" "$TMP/work-c" "$TMP/seeds/corpus-capture"
echo "ok [$NAME]: harnesses built; $(ls "$TMP/seeds/packets-default" | wc -l) + $(ls "$TMP/seeds/corpus-capture" | wc -l) seeds and 2 x 1000 inputs clean"
pass
