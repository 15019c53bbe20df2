#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# threads.sh BIN SRCDIR [HOSTILE_DIR] -- --threads 2 (frames read and
# decoded in a thread of their own) changes nothing a run says: for every
# corpus capture, and every damaged file of the hostile corpus if given,
# the same report in json and text -v, the same messages and exit status
# as --threads 1; with -c cutting the stream short, and with several files
# merged.
. "$(dirname "$0")/lib.sh"
HOSTILE=${3:-}

# same ARGS...: --threads 1 and 2 agree on stdout, stderr and exit status.
same() {
	"$BIN" --threads 1 "$@" >"$TMP/o1" 2>"$TMP/e1"
	r1=$?
	"$BIN" --threads 2 "$@" >"$TMP/o2" 2>"$TMP/e2"
	r2=$?
	[ "$r1" -eq "$r2" ] || fail "tcpclose $*: exit $r1 with one thread, $r2 with two"
	cmp -s "$TMP/o1" "$TMP/o2" || {
		diff "$TMP/o1" "$TMP/o2" | head -10 >&2
		fail "tcpclose $*: the report differs with two threads"
	}
	cmp -s "$TMP/e1" "$TMP/e2" || {
		diff "$TMP/e1" "$TMP/e2" | head -10 >&2
		fail "tcpclose $*: the messages differ with two threads"
	}
	checked=$((checked + 1))
}

checked=0
for f in "$CAP"/*.pcap "$CAP"/*.pcapng; do
	[ -e "$f" ] || continue
	same -q -r "$f" --format json
	same -q -v -r "$f"
	same -q -c 3 -r "$f" --format json
done
[ "$checked" -ge 150 ] || fail "only $checked runs compared: captures/ missing?"

# Merged by time across files (rotated captures).
same -q -r "$CAP/client_close.pcap" -r "$CAP/close_wait_leak.pcap" --format json

if [ -n "$HOSTILE" ]; then
	n=0
	for f in "$HOSTILE"/*; do
		[ -f "$f" ] || continue
		same -q -r "$f" --format json
		n=$((n + 1))
	done
	[ "$n" -ge 10 ] || fail "only $n hostile files in $HOSTILE"
fi
pass
