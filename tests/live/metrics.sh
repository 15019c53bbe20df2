#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# metrics.sh TCPCLOSE TC_TRAFFIC -- -i lo --metrics FILE: the file appears
# as soon as the capture is open, is rewritten while it runs (every 5 s)
# with the closes of real loopback traffic (tc-traffic: 1 refused, 3
# graceful, 1 reset, 1 half-open held: its server sits in CLOSE_WAIT), and
# is written a last time on SIGINT; the same from the live view (tmux).
# Every write is a whole file (promtool check metrics when installed).
# Skips (77) unless root with tmux (lib.sh).
set -u
. "$(dirname "$0")/lib.sh"
live_setup "$@"

# val FILE SERIES: the value of one series ("" if absent).
val() { awk -v s="$2" 'index($0, s " ") == 1 { print $NF }' "$1"; }

# wait_val FILE SERIES VALUE SECONDS WHAT
wait_val() {
	local i=0
	while [ "$i" -lt $(($4 * 10)) ]; do
		[ -r "$1" ] && [ "$(val "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	[ -r "$1" ] && sed 's/^/  | /' "$1" | grep -v '^  | #' >&2
	fail "$5: $2 is '$( [ -r "$1" ] && val "$1" "$2")', expected $3 within $4 s"
}

check_file() {
	if command -v promtool >/dev/null 2>&1; then
		promtool check metrics <"$1" >"$WORK/pt.err" 2>&1 || fail "promtool: $(cat "$WORK/pt.err")"
	fi
	grep -q '^# TYPE tcpclose_closes_total counter$' "$1" || fail "$1: no closes_total"
}

# The file is written after privileges are dropped (to nobody): a
# directory nobody cannot write is refused at once, before any traffic.
PORT=$("$TRAFFIC" --free-port) || fail "no free port"
timeout 10 "$TCPCLOSE" -i lo --format json --metrics "$WORK/m.prom" "tcp port $PORT" \
	>"$WORK/out.json" 2>"$WORK/err"
rc=$?
[ "$rc" -eq 1 ] || fail "an unwritable --metrics directory: exit $rc, expected 1"
grep -q "^tcpclose: --metrics $WORK/m.prom: Permission denied" "$WORK/err" ||
	fail "no clear error for an unwritable directory: $(cat "$WORK/err")"
ok "an unwritable directory is refused at the start"
# As with the textfile collector: a directory the -Z user can write.
chmod 0711 "$WORK"
mkdir "$WORK/textfile"
chown nobody "$WORK/textfile" || fail "chown nobody"

# 1. Streaming (--format json to a file).
M=$WORK/textfile/tc.prom
"$TCPCLOSE" -i lo --linger 1 --format json --metrics "$M" "tcp port $PORT" \
	>"$WORK/out.json" 2>"$WORK/err" &
pid=$!
wait_val "$M" tcpclose_packets_total 0 5 "before any traffic"
check_file "$M"
ok "stream: the file is there once the capture is open"
start_traffic
S="127.0.0.1:$PORT"
wait_val "$M" "tcpclose_closes_total{service=\"$S\",close=\"graceful\"}" 3 12 "stream"
wait_val "$M" "tcpclose_close_wait_sockets{host=\"127.0.0.1\"}" 1 12 "stream, half-open held"
[ "$(val "$M" "tcpclose_refused_total{service=\"$S\"}")" = 1 ] || fail "stream: refused is not 1"
[ "$(val "$M" "tcpclose_connections_tracked")" -ge 1 ] || fail "stream: the held connection is not tracked"
check_file "$M"
kill -0 "$pid" 2>/dev/null || fail "tcpclose exited: $(cat "$WORK/err")"
ok "stream: rewritten while capturing, with the closes and the CLOSE_WAIT held"
kill -INT "$pid"
wait "$pid" || fail "exit status $? after SIGINT: $(cat "$WORK/err")"
kill "$TRAFFIC_PID" 2>/dev/null
wait "$TRAFFIC_PID" 2>/dev/null
TRAFFIC_PID=""
# The last write: the held connection reported (half-closed, its server
# still in CLOSE_WAIT when the capture stopped), nothing tracked.
[ "$(val "$M" "tcpclose_closes_total{service=\"$S\",close=\"half_closed\"}")" = 1 ] ||
	fail "after SIGINT: the held connection is not half_closed"
[ "$(val "$M" "tcpclose_connections_tracked")" = 0 ] || fail "after SIGINT: connections still tracked"
[ "$(val "$M" "tcpclose_close_wait_sockets{host=\"127.0.0.1\"}")" = 1 ] ||
	fail "after SIGINT: CLOSE_WAIT at the end is not 1"
check_file "$M"
ls -A "$WORK/textfile" | grep -q '^\.tc\.prom\.' && fail "a temporary file was left beside $M"
ok "stream: written a last time on SIGINT"

# 2. The live view writes it too.
PORT=$("$TRAFFIC" --free-port) || fail "no free port"
M=$WORK/textfile/view.prom
start_view 100 30 "'$TCPCLOSE' -i lo --linger 1 --metrics '$M' 'tcp port $PORT'"
wait_val "$M" tcpclose_packets_total 0 10 "view, before any traffic"
start_traffic
S="127.0.0.1:$PORT"
wait_val "$M" "tcpclose_closes_total{service=\"$S\",close=\"graceful\"}" 3 12 "view"
check_file "$M"
T send-keys -t view q
expect 'EXIT=0' 10 "the view exits 0 on q"
check_file "$M"
ok "view: the file is rewritten while the view runs"
exit 0
