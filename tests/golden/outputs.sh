#!/bin/sh
# outputs.sh BIN SRCDIR CAPNAME -- every report tcpclose writes for
# captures/CAPNAME.pcap(ng), byte for byte: text, text -v, JSON, CSV, Zeek,
# and a -w extraction of every verdict (by checksum), against the files in
# tests/golden/outputs/. It guards refactoring: a change that moves a byte of
# any format fails here.
#   After a deliberate change, regenerate and review the diff one by one:
#   TC_GOLDEN_UPDATE=1 ctest -L golden
. "$(dirname "$0")/../cli/lib.sh"
CAPNAME=$3
NAME=outputs.$CAPNAME
GOLD=$SRC/tests/golden/outputs

cap=$CAP/$CAPNAME.pcap
[ -f "$cap" ] || cap=$CAP/$CAPNAME.pcapng
# Relative names: nothing of this machine's paths gets into the output.
cd "$CAP" || exit 1
in=$(basename "$cap")

: >"$TMP/status"
# each SUFFIX ARGS...: one run, stdout to $TMP/CAPNAME.SUFFIX; its exit
# status and stderr go to the .status file.
each() {
	sfx=$1
	shift
	"$BIN" -q -r "$in" "$@" >"$TMP/$CAPNAME.$sfx" 2>"$TMP/err"
	echo "$sfx: exit $?" >>"$TMP/status"
	sed "s/^/$sfx: /" "$TMP/err" >>"$TMP/status"
}
each text --format text
each text-v --format text -v
each json --format json
each csv --format csv
each zeek --format zeek
# -w with a selection: the two-pass extraction (pass 2 re-decodes).
each w --format csv -w "$TMP/w.pcap" --write-matching graceful,half_closed,reset,open
if [ -f "$TMP/w.pcap" ]; then
	echo "w.pcap: $(cksum <"$TMP/w.pcap")" >>"$TMP/status"
fi
rm -f "$TMP/$CAPNAME.w"
# Without a packet Zeek's #open/#close fall back to the wall clock.
if grep -q '"type":"summary","packets":0,' "$TMP/$CAPNAME.json"; then
	sed 's/^\(#open\|#close\)\t.*/\1\tWALL-CLOCK/' "$TMP/$CAPNAME.zeek" >"$TMP/z" &&
		mv "$TMP/z" "$TMP/$CAPNAME.zeek"
fi
mv "$TMP/status" "$TMP/$CAPNAME.status"

rc=0
for f in text text-v json csv zeek status; do
	got=$TMP/$CAPNAME.$f
	want=$GOLD/$CAPNAME.$f
	if [ "${TC_GOLDEN_UPDATE:-}" = 1 ]; then
		cmp -s "$got" "$want" 2>/dev/null || { cp "$got" "$want" && echo "updated $want"; }
		continue
	fi
	[ -f "$want" ] || fail "no golden file $want (TC_GOLDEN_UPDATE=1 writes it)"
	if ! cmp -s "$want" "$got"; then
		diff -u "$want" "$got" | head -30 >&2
		echo "FAIL [$NAME]: output differs from $want" >&2
		rc=1
	fi
done
exit $rc
