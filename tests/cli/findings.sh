#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# findings.sh BIN SRCDIR -- on every bundled capture, the JSON findings say
# what the JSON records say (findcheck.py: grouped findings against their
# members, per-service findings against the connection records, the reset
# timeline against the summary); and the text report prints the timeline's
# counts under its columns, the same numbers as the JSON.
. "$(dirname "$0")/lib.sh"

have python3 || { skip "no python3"; pass; }
n=0
for f in "$CAP"/*.pcap "$CAP"/*.pcapng; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	"$BIN" -q -r "$f" --format json >"$TMP/$n.jsonl" 2>/dev/null
	grep '"type":"reset_timeline"' "$TMP/$n.jsonl" >"$TMP/tl" || continue
	# The text timeline's numbers are the JSON's.
	want=$(sed 's/.*"counts":\[\([0-9,]*\)\].*/\1/' "$TMP/tl" | tr ',' ' ')
	"$BIN" -q -r "$f" >"$TMP/text" 2>/dev/null
	got=$(sed -n 's/^  per [0-9.]* m*s: //p' "$TMP/text")
	[ "$got" = "$want" ] || fail "$(basename "$f"): text timeline '$got', JSON '$want'"
done
[ "$(cat "$TMP"/*.jsonl | grep -c '"type":"finding_group"')" -ge 10 ] ||
	fail "few grouped findings in the corpus: the check would check little"
python3 "$SRC/tests/cli/findcheck.py" "$TMP"/*.jsonl >"$TMP/check" || fail "$(cat "$TMP/check")"
pass
