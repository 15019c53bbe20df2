#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# golden.sh BIN SRCDIR FORMAT NAME [RC] -- tcpclose --format FORMAT on
# captures/NAME.pcap must print exactly tests/golden/NAME.FORMAT and exit RC
# (default 0; 2 for a capture damaged on purpose).
#   Regenerate after a deliberate change, and review the diff:
#   TC_GOLDEN_UPDATE=1 ctest -R golden
. "$(dirname "$0")/lib.sh"
FMT=$3
CAPNAME=$4
RC=${5:-0}
NAME=golden.$FMT.$CAPNAME
gold=$SRC/tests/golden/$CAPNAME.$FMT

cap=$CAP/$CAPNAME.pcap
[ -f "$cap" ] || cap=$CAP/$CAPNAME.pcapng
# Run from captures/ with a relative name: nothing of this machine's paths
# gets into the output.
cd "$CAP" || exit 1
"$BIN" -r "$(basename "$cap")" --format "$FMT" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq "$RC" ] || fail "exit status $rc, expected $RC: $(cat "$TMP/err")"
if [ "${TC_GOLDEN_UPDATE:-}" = 1 ]; then
	cp "$TMP/out" "$gold"
	echo "updated $gold"
	exit 0
fi
[ -f "$gold" ] || fail "no golden file $gold (TC_GOLDEN_UPDATE=1 writes it)"
diff -u "$gold" "$TMP/out" >"$TMP/diff" || {
	head -40 "$TMP/diff" >&2
	fail "output differs from $gold"
}
pass
