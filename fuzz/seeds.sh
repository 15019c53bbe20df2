#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# seeds.sh -- build the seed corpora for the fuzz harnesses.
#
#   fuzz/seeds.sh BUILD_DIR [OUT_DIR]
#
# BUILD_DIR is the -DTC_FUZZ=ON build (it has fuzz/pcap2frames).
# OUT_DIR defaults to fuzz/ (corpus-capture/ and corpus-packets/ are made
# there; both are in .gitignore: corpora are not committed).
#
#   corpus-capture/  every captures/*.pcap*, the hostile corpus
#                    (tests/hostile/mkhostile) and the kept crashers
#                    tests/regress/capture-*
#   corpus-packets/  the same captures in fuzz_packets' input format
#                    (pcap2frames), each with a few option bytes: defaults;
#                    max-conns 2 + linger 0; max-conns 3 + linger 1 s;
#                    defaults + a small aggregator; and the kept crashers
#                    tests/regress/packets-*
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:?usage: seeds.sh BUILD_DIR [OUT_DIR]}
OUT=${2:-$ROOT/fuzz}
P2F=$BUILD/fuzz/pcap2frames
[ -x "$P2F" ] || { echo "seeds.sh: no $P2F (build the pcap2frames target)" >&2; exit 1; }

mkdir -p "$OUT/corpus-capture" "$OUT/corpus-packets"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The hostile corpus, generated fresh.
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -o "$TMP/mkhostile" "$ROOT/tests/hostile/mkhostile.c"
"$TMP/mkhostile" "$TMP/hostile" >/dev/null

for f in "$ROOT"/captures/*.pcap "$ROOT"/captures/*.pcapng "$TMP"/hostile/*; do
	[ -f "$f" ] || continue
	b=$(basename "$f")
	cp "$f" "$OUT/corpus-capture/$b"
	# Option bytes: see fuzz_packets.h (FP_OPT_*).
	for opt in 0x1f 0x01 0x12 0x9f; do
		"$P2F" "$opt" "$f" "$OUT/corpus-packets/$b.$opt" 2>/dev/null ||
			rm -f "$OUT/corpus-packets/$b.$opt"
	done
done
for f in "$ROOT"/tests/regress/capture-*; do
	[ -f "$f" ] && cp "$f" "$OUT/corpus-capture/"
done
for f in "$ROOT"/tests/regress/packets-*; do
	[ -f "$f" ] && cp "$f" "$OUT/corpus-packets/"
done
echo "corpus-capture: $(find "$OUT/corpus-capture" -type f | wc -l) files; corpus-packets: $(find "$OUT/corpus-packets" -type f | wc -l) files"
