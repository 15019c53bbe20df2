#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tmux_live.sh TCPCLOSE TC_TRAFFIC -- the live view on real loopback traffic.
#
# Starts `tcpclose -i lo 'tcp port P'` in a detached 120x40 tmux session,
# makes known closes with tc-traffic (1 refused, 3 graceful, 1 reset by the
# client's SO_LINGER {1,0}, 1 half-open held open), reads the screen with
# capture-pane and checks the rows, their endpoint states, the counters and
# the feed; then that privileges were dropped, that q quits with status 0
# and the terminal modes are restored; and that -c 7 stops the capture
# after exactly 7 packets. Skips (77) unless root with tmux.
set -u
. "$(dirname "$0")/lib.sh"
live_setup "$@"

PORT=$("$TRAFFIC" --free-port) || fail "no free port"
start_view 120 40 "exec 2>$WORK/stderr; $TCPCLOSE -i lo --linger 1 'tcp port $PORT'"
expect "tcpclose +lo +'tcp port $PORT'" 10 "the view starts with the interface and the filter"
expect "no TCP connection seen yet" 5 "an empty table says so"
expect "drops 0" 5 "kernel drops are shown"

start_traffic

# The half-open connection: client FIN_WAIT_2, server CLOSE_WAIT, in one row.
expect "^[ xR][ ?]127\.0\.0\.1:[0-9]+ +[^ ]+ +127\.0\.0\.1:$PORT +FIN_WAIT_2 +CLOSE_WAIT " 10 \
	"the half-open connection shows FIN_WAIT_2 / CLOSE_WAIT"
# Counters: reported after --linger 1 and the next tick.
expect "graceful 3 " 15 "3 graceful closes counted"
expect "reset 2 \(refused 1\) " 5 "2 resets counted, 1 of them refused (the report's words)"
expect "half_closed 0 " 1 "the held half-open one is not counted closed"
expect "FIN_WAIT_2 1 .*TIME_WAIT 3 .*CLOSE_WAIT 1 " 5 "endpoint state counts (TIME_WAIT of finished ones included)"
expect "tracked 1( |$)" 5 "1 connection still tracked"

rows=$(table_rows)
[ "$(echo "$rows" | grep -c .)" -eq 6 ] || fail "6 connection rows expected, got: $rows"
ok "6 connection rows"
[ "$(echo "$rows" | grep -Ec '^x.* TIME_WAIT +CLOSED .*graceful')" -eq 3 ] ||
	fail "3 finished graceful rows with the client in TIME_WAIT"
ok "3 finished graceful rows, client in TIME_WAIT"
echo "$rows" | grep -Eq '^R.* CLOSED +CLOSED .*reset \(client\)' || fail "the reset row"
ok "the reset row says reset (client)"
echo "$rows" | grep -Eq '^R.* CLOSED +CLOSED .*refused' || fail "the refused row"
ok "the refused row"

# The feed: resets first-class, who and why on one line.
expect "RESET +127\.0\.0\.1:[0-9]+ .*127\.0\.0\.1:$PORT +by client during established" 5 \
	"the feed tells the reset: by client during established"
expect "REFUSED +127\.0\.0\.1:[0-9]+ .*SYN answered by RST" 2 "the feed tells the refusal"
[ "$(screen | grep -Ec "CLOSE +127\.0\.0\.1:[0-9]+ .*graceful, client closed first")" -eq 3 ] ||
	fail "3 graceful closes in the feed"
ok "3 graceful closes in the feed"

# The packet parser does not run as root.
pid=$(view_pid)
[ -n "$pid" ] || fail "no tcpclose process in the pane"
uid=$(awk '/^Uid:/ {print $2, $3, $4}' /proc/"$pid"/status)
case "$uid" in
"0 "*|*" 0 "*|*" 0") fail "still root after the capture opened (uids: $uid)";;
esac
capeff=$(awk '/^CapEff:/ {print $2}' /proc/"$pid"/status)
[ "$capeff" = "0000000000000000" ] || fail "capabilities kept: CapEff $capeff"
ok "privileges dropped (uids $uid, no capabilities)"

# Idle: time passes without packets; the view keeps ticking.
before=$(screen | grep -Eo "up [0-9.]+s" | head -1)
sleep 1.2
after=$(screen | grep -Eo "up [0-9.]+s" | head -1)
[ "$before" != "$after" ] || fail "the elapsed time did not move while idle ($before)"
ok "the view refreshes while idle ($before -> $after)"

T send-keys -t view q
expect "^EXIT=0" 5 "q quits with status 0"
expect "^MODES=icanon echo" 3 "the terminal modes are restored (icanon, echo)"
grep -q "connections: 3 graceful, 0 half_closed, 2 reset (1 refused)" "$WORK/stderr" ||
	{ cat "$WORK/stderr"; fail "the summary on stderr"; }
ok "a one-line summary on stderr"

# -c 7: the view stops capturing after exactly 7 packets and stays.
kill "$TRAFFIC_PID" 2>/dev/null
wait "$TRAFFIC_PID" 2>/dev/null
TRAFFIC_PID=""
PORT=$("$TRAFFIC" --free-port) || fail "no free port"
start_view 120 40 "exec 2>$WORK/stderr.c7; $TCPCLOSE -i lo -c 7 'tcp port $PORT'"
expect "no TCP connection seen yet" 10 "-c 7: the view starts"
start_traffic
expect "capture stopped at -c" 15 "-c 7: the capture stops and the view stays"
T send-keys -t view q
expect "^EXIT=0" 5 "-c 7: q quits with status 0"
grep -q "^tcpclose: 7 packets," "$WORK/stderr.c7" ||
	{ cat "$WORK/stderr.c7"; fail "-c 7: the summary counts 7 packets"; }
ok "-c 7: exactly 7 packets analysed"
echo "PASS: tmux_live"
