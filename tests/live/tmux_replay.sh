#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tmux_replay.sh TCPCLOSE TC_GEN -- `-r FILE --tui` on a capture of more
# connections than any cap the view used to have (20000 rows read from a
# file, 5000 live, 4096 finished), made by the bench generator: 30000 SYNs
# from distinct clients, 0.3 s of capture. The view holds every one of
# them, says so, finds the first and the last by search, sorts idle and
# age by the values it shows, and keeps the header whole at 80x24.
# Skips (77) unless tmux is installed; needs no root and no network.
set -u
TCPCLOSE=${1:?usage: $0 TCPCLOSE TC_GEN}
GEN=${2:?usage: $0 TCPCLOSE TC_GEN}
# lib.sh's setup wants root for capture; this test reads a file only.
. "$(dirname "$0")/lib.sh"
if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux is not installed"
	exit 77
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcpclose-replay.XXXXXX")
export TMUX_TMPDIR="$WORK"
unset TMUX
SOCKS=""; SOCK=""; VIEW_N=0; TRAFFIC_PID=""
trap live_cleanup EXIT
trap 'exit 1' INT TERM HUP

N=30000
"$GEN" --synflood $N --seed 14 --out "$WORK/flood.pcap" --expect "$WORK/flood.expect" 2>/dev/null ||
	fail "tc-gen could not write the capture"
# The first and the last connection of the file, as "addr:port".
first=$(grep -m1 '^conn ' "$WORK/flood.expect" | sed -E 's/.*client=([^ ]+).*/\1/')
last=$(grep '^conn ' "$WORK/flood.expect" | tail -1 | sed -E 's/.*client=([^ ]+).*/\1/')
[ -n "$first" ] && [ -n "$last" ] || fail "no connections in the generator's ground truth"

start_view 120 40 "$TCPCLOSE -r $WORK/flood.pcap --tui"
expect "read: done" 20 "--tui reads the $N-connection file to the end"
expect "rows $N( |$)" 5 "every one of the $N connections is held (no cap dropped any)"
screen | grep -q "showing " && fail "a 'showing N of M' notice although nothing was left out"
ok "no 'showing N of M': nothing left out"
expect "SYN_S(ENT)? $N " 3 "all $N clients counted in SYN_SENT"

key() { T send-keys -t view "$@"; }

# Search covers every connection: the first of the file (which a ring of
# the newest 20000 had dropped) and the last.
for who in "$first" "$last"; do
	key /; expect "search host or port:" 3 "/ opens the search prompt"
	key C-u; for _ in $(seq 24); do key BSpace; done
	key "$who" Enter
	expect "search: $who" 3 "searching $who"
	expect "rows 1 of $N" 3 "the search finds $who among all $N"
done
key c; wait_gone "search:" 3 || fail "c clears the search"
key /; key 80 Enter
expect "rows $N( |$)" 3 "searching the server port finds all $N"
key c

# 80x24: drops are not shown for a file; the states and counters stay.
T resize-window -t view -x 80 -y 24
expect "^ tcpclose +flood\.pcap .*read: done" 3 "the title at 80 columns"
expect "SS $N  SR 0" 3 "SYN_SENT / SYN_RECEIVED stay at 80 columns"
expect "open $N" 3 "the open count stays at 80 columns"
long=$(screen | sed 's/\xe2\x86\x92/>/g' | awk 'length($0) > 80' | head -1)
[ -z "$long" ] || fail "a line wider than 80: $long"
ok "nothing drawn beyond 80 columns"

key q
expect "^EXIT=0" 5 "q quits with status 0"

# Sort by idle, then age, on a capture of varied connections (tc-gen's
# mix of closes over ~4 s): the column of that name never increases down
# the table. Rows: marker (close, inferred), client, arrow, server, two states, AGE, IDLE, ...
col_sorted() { # col_sorted FIELD: the field's values (seconds) never increase
	screen | grep -E '^[ xR][ ?][][0-9a-f.:]+ ' | cut -c3- |
		awk -v f="$1" '{ v = $f; sub(/s$/, "", v); n++;
			if (n > 1 && v + 0 > prev + 0) { print "not sorted at row " n ": " prev " then " v; bad = 1 }
			prev = v } END { if (n < 10) print "only " n " rows"; exit (bad || n < 10) }'
}
"$GEN" --packets 20000 --seed 14 --out "$WORK/mix.pcap" 2>/dev/null || fail "tc-gen (mix)"
start_view 200 40 "$TCPCLOSE -r $WORK/mix.pcap --tui"
expect "read: done" 20 "--tui reads the mixed capture"
expect "sort: idle " 2 "sort starts on idle"
expect "^  CLIENT +SERVER +CLIENT ST +SERVER ST +AGE +IDLE " 2 "the AGE and IDLE columns are drawn"
col_sorted 7 || fail "sort: idle does not order the IDLE column"
ok "sort: idle orders the IDLE column, most idle first"
key s; expect "sort: age " 3 "s: sort by age"
sleep 0.3
col_sorted 6 || fail "sort: age does not order the AGE column"
ok "sort: age orders the AGE column, oldest first"

key q
expect "^EXIT=0" 5 "q quits the second view with status 0"
echo "PASS: tmux_replay"
