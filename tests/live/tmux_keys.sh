#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tmux_keys.sh TCPCLOSE TC_TRAFFIC -- the keys of the live view, resizing,
# and the ways out (q, SIGTERM) with the terminal restored; then --tui on a
# capture file. Same loopback traffic as tmux_live.sh. Skips (77) unless
# root with tmux.
set -u
. "$(dirname "$0")/lib.sh"
live_setup "$@"

PORT=$("$TRAFFIC" --free-port) || fail "no free port"
# A linger of 30 s: the engine reports nothing during this test, so every
# close counted below was counted when it happened.
start_view 120 40 "$TCPCLOSE -i lo --linger 30 'tcp port $PORT'"
expect "tcpclose +lo " 10 "the view starts"
start_traffic
expect "graceful 3 " 8 "closes counted when they happen, not after the engine's 30 s linger"
expect "reset 2 \(refused 1\) " 3 "the reset and the refusal counted at once too"
expect "FIN_WAIT_2 +CLOSE_WAIT " 5 "the half-open row is there"
nrows=$(table_rows | grep -c .)
[ "$nrows" -eq 6 ] || fail "6 rows before the keys, got $nrows"

key() { T send-keys -t view "$@"; }

# s cycles the sort, and the header says which; S goes back.
expect "sort: idle " 1 "sort starts on idle"
key s; expect "sort: age " 3 "s: sort by age"
key s; expect "sort: state " 3 "s: sort by state"
# by state the half-open (CLOSE_WAIT) row comes first
first=$(table_rows | head -1)
echo "$first" | grep -q "CLOSE_WAIT" || fail "sorted by state, CLOSE_WAIT first (got: $first)"
ok "sorted by state, the CLOSE_WAIT row is first"
key s; expect "sort: bytes " 3 "s: sort by bytes"
key s; expect "sort: resets " 3 "s: sort by resets"
first=$(table_rows | head -1)
echo "$first" | grep -Eq "reset \(client\)|refused|RST by" || fail "sorted by resets, a reset first (got: $first)"
ok "sorted by resets, a reset row is first"
key s; expect "sort: idle " 3 "s wraps around to idle"
key S; expect "sort: resets " 3 "S: previous sort"
key s

# f filters by state: CLOSE_WAIT shows only the half-open row.
key f; expect "filter: CLOSE_WAIT " 3 "f: filter CLOSE_WAIT"
sleep 0.3
rows=$(table_rows)
[ "$(echo "$rows" | grep -c .)" -eq 1 ] || fail "one row under the CLOSE_WAIT filter, got: $rows"
echo "$rows" | grep -q "FIN_WAIT_2 +CLOSE_WAIT\|FIN_WAIT_2  *CLOSE_WAIT" || fail "the CLOSE_WAIT row"
ok "only the CLOSE_WAIT row is shown"
key f; expect "filter: FIN_WAIT_2 " 3 "f: next filter FIN_WAIT_2"
[ "$(table_rows | grep -c .)" -eq 1 ] || fail "one row under FIN_WAIT_2"
key c; expect "filter: all " 3 "c clears the filter"
[ "$(table_rows | grep -c .)" -eq 6 ] || fail "6 rows again after c"
ok "all rows back"

# / searches by host or port.
key /; expect "search host or port:" 3 "/ opens the search prompt"
key 10.9.9.9 Enter
expect "search: 10\.9\.9\.9" 3 "the search is shown in the header"
expect "no connection matches the filter" 3 "nothing matches 10.9.9.9"
key / C-u
key BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
key "$PORT" Enter
expect "search: $PORT" 3 "search by the server port"
[ "$(table_rows | grep -c .)" -eq 6 ] || fail "all 6 rows match the port"
ok "all rows match the server port"
key c; wait_gone "search:" 3 || fail "c clears the search"

# p pauses the view; the capture goes on and is counted.
key p; expect "PAUSED" 3 "p pauses"
frozen=$(table_rows | grep -c .)
bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; sleep 0.2; exec 3>&-" 2>/dev/null
expect "paused: [1-9][0-9]* packets since" 5 "packets are counted while paused"
sleep 0.6
[ "$(table_rows | grep -c .)" -eq "$frozen" ] || fail "the table changed while paused"
ok "the table stays frozen while paused"
key p; wait_gone "PAUSED" 3 || fail "p resumes"
ok "p resumes"
expect "rows 7" 5 "the connection made while paused appears after resuming"

# ? shows the help; any key closes it.
key '?'; expect "^ +Keys" 3 "? shows the help"
expect "pause / resume" 1 "the help lists the keys"
key x; wait_gone "^ +Keys" 3 || fail "a key closes the help"
ok "a key closes the help"

# Moving and Enter: the detail pane of the selected connection.
key End; key Home; key Down; key Up; key NPage; key PPage
key s s; expect "sort: state " 3 "sort by state again"
key Home Enter
expect "CONNECTION #[0-9]+ +127\.0\.0\.1:[0-9]+ .*127\.0\.0\.1:$PORT +open" 3 "Enter opens the detail of the selected row"
expect "^ client +FIN_WAIT_2 " 2 "the detail shows the client's state"
expect "^ server +CLOSE_WAIT " 2 "the detail shows the server's state"
expect "history S" 2 "the detail shows the history letters"
expect "\[handshake: 3 segments" 2 "the detail draws the ladder: handshake folded"
expect "\|-- F\. .*FIN_WAIT_1 +CLOSE_WAIT" 2 "the ladder shows the client's FIN and both states"
key Escape; wait_gone "CONNECTION #" 3 || fail "Esc closes the detail"
ok "Esc closes the detail"

# t: TIME_WAIT per host against the ephemeral range.
key t; expect "TIME_WAIT per host: 3 endpoints now" 3 "t shows TIME_WAIT per host"
expect "^ 127\.0\.0\.1 +3 +3 +0\.0%" 2 "127.0.0.1 holds 3, peak 3"
expect "28232 ports" 1 "against the ephemeral port range"
key t; wait_gone "TIME_WAIT per host" 3 || fail "t returns to the table"

# Resize to 80x24 and back.
T resize-window -t view -x 80 -y 24
expect "^ tcpclose +lo " 3 "the header survives 80x24"
expect "^ tcpclose +lo .* drops 0 .*tracked [0-9]+" 3 "at 80 columns the kernel drop count and tracked stay"
expect "TIME_WAIT 3  CLOSE_WAIT [0-9]+ " 3 "the state counts fit 80 columns"
expect "SS [0-9]+  SR [0-9]+" 3 "SYN_SENT and SYN_RECEIVED stay at 80 columns (abbreviated)"
expect "reset 2 \(refused 1\)" 3 "the close counters fit 80 columns"
expect "FIN_WAIT_2 +CLOSE_WAIT " 3 "the rows fit 80 columns"
expect "^ q quit " 3 "the key line is on the last line"
[ "$(screen | wc -l)" -le 24 ] || fail "more than 24 lines"
long=$(screen | sed 's/\xe2\x86\x92/>/g' | awk 'length($0) > 80' | head -1)
[ -z "$long" ] || fail "a line wider than 80: $long"
ok "nothing drawn beyond 80x24"
T resize-window -t view -x 120 -y 40
expect "ESTABLISHED 0 +FIN_WAIT_1 0 +FIN_WAIT_2 [0-9]+ " 3 "back at 120x40 with full state names"
expect "RECENT CLOSES" 3 "the feed is back"

# q quits; the terminal is restored.
key q
expect "^EXIT=0" 5 "q quits with status 0"
expect "^MODES=icanon echo" 3 "the terminal modes are restored after q"

# SIGTERM: same clean exit.
start_view 100 30 "$TCPCLOSE -i lo 'tcp port $PORT'"
expect "tcpclose +lo " 10 "the view starts again"
pid=$(view_pid)
[ -n "$pid" ] || fail "no tcpclose process"
kill -TERM "$pid"
expect "^EXIT=0" 5 "SIGTERM ends the view with status 0"
expect "^MODES=icanon echo" 3 "the terminal modes are restored after SIGTERM"

# --tui on a capture file: read it all, then browse.
CAP="$SRCDIR/captures/synth_ipv4_options.pcap"
if [ -f "$CAP" ]; then
	start_view 120 40 "$TCPCLOSE -r $CAP --tui"
	expect "read: done" 10 "--tui reads the file to the end"
	expect "graceful 2 .*reset 1 \(refused 0\)" 3 "the file's verdicts are counted"
	expect "rows 3" 3 "its 3 connections are listed"
	expect "TIME_WAIT 2" 3 "end state: 2 endpoints in TIME_WAIT"
	key f f f f f f; expect "filter: TIME_WAIT" 3 "filter on a file"
	key q
	expect "^EXIT=0" 5 "q quits the file view with status 0"
	expect "^MODES=icanon echo" 3 "the terminal is restored"
fi
echo "PASS: tmux_keys"
