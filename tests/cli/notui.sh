#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# notui.sh CMAKE SRCDIR -- tcpclose configures and builds without the view
# (-DTC_TUI=OFF: no ncursesw needed), and the binary it gives reads a
# capture and refuses --tui with a clear message.
set -u
CMAKE=$1
SRC=$2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tcpclose-notui.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
fail() {
	echo "FAIL [notui]: $*" >&2
	exit 1
}
"$CMAKE" -S "$SRC" -B "$TMP/b" -DTC_TUI=OFF -DTC_LTO=OFF -DTC_BENCH=OFF -DBUILD_TESTING=OFF \
	>"$TMP/cfg.log" 2>&1 || fail "configure: $(tail -20 "$TMP/cfg.log")"
grep -q "ncursesw" "$TMP/cfg.log" && fail "configure looked for ncursesw"
"$CMAKE" --build "$TMP/b" -j2 --target tcpclose >"$TMP/build.log" 2>&1 ||
	fail "build: $(grep -E 'error' "$TMP/build.log" | head -20)"
bin=$TMP/b/tcpclose
"$bin" -q -r "$SRC/captures/default.pcap" --format json >"$TMP/out" 2>&1 || fail "reading a capture failed"
grep -q '"type":"summary","packets":62,' "$TMP/out" || fail "no summary: $(tail -3 "$TMP/out")"
if nm "$bin" 2>/dev/null | grep -q -e ' U initscr' -e ' U newterm'; then
	fail "the binary still needs curses"
fi
"$bin" --tui -r "$SRC/captures/default.pcap" >"$TMP/out" 2>&1 </dev/null && fail "--tui accepted"
grep -q "not built into this tcpclose" "$TMP/out" || fail "--tui: $(cat "$TMP/out")"
exit 0
