#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# analysis.sh -- the options that tune or redirect the analysis: --expect,
# --max-conns, --linger, --time-wait, --ephemeral-ports, --ladder,
# --ladder-all, --version and --help.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
d=$CAP/default.pcap

# --expect: the capture's own .expect passes; a wrong one fails with 3.
run 0 -r "$CAP/synth_vlan.pcap" --expect "$CAP/synth_vlan.expect"
sed 's/close=graceful/close=reset/' "$CAP/synth_vlan.expect" >wrong.expect
run 3 -r "$CAP/synth_vlan.pcap" --expect wrong.expect
[ -s out ] || fail "--expect mismatch printed nothing"

# --max-conns 1: the table holds one connection, the rest are evicted.
run 0 -r "$d" --max-conns 1 --format json
contains out '"peak_tracked":1,'
grep -q '"evicted":[1-9]' out || fail "--max-conns 1 evicted nothing"

# --linger 0: a closed connection is reported at once (so earlier: the
# order changes); the verdicts of this capture do not depend on it.
run 0 -r "$d" --format csv
cut -d, -f1,9 out | sort >a
head -3 out | cut -d, -f1 >order_a
run 0 -r "$d" --linger 0 --format csv
cut -d, -f1,9 out | sort >b
head -3 out | cut -d, -f1 >order_b
cmp -s a b || fail "--linger 0 changed verdicts"
cmp -s order_a order_b && fail "--linger 0 did not report closed connections sooner"
run 0 -r "$d" --linger 0.5

# --time-wait and --ephemeral-ports: the TIME_WAIT accounting.
run 0 -r "$d" --ephemeral-ports 1000-1999 --time-wait 30
contains out "of 1000 ephemeral ports"
# The heading says the length in force, not Linux's 60 s.
contains out "TIME_WAIT (held by the side that closed first, each for 30 s"
run 0 -r "$d" --ephemeral-ports 500
contains out "of 500 ephemeral ports"

# --ladder: one connection as a ladder; --ladder-all: every segment.
run 0 -r "$d" --ladder 5
contains out "connection #5:"
contains out "[handshake: 3 segments"
n=$(wc -l <out)
run 0 -r "$d" --ladder 5 --ladder-all
lacks out "[handshake:"
[ "$(wc -l <out)" -gt "$n" ] || fail "--ladder-all is not longer"
run 1 -r "$d" --ladder 99
contains err "--ladder 99: no such connection"

# --version and --help.
# --top N: table rows (default.pcap has two services, 127.0.0.1:30007 with
# the resets and half-close first); a third as many sample connections.
run 0 -r "$d" --top 1
contains out "SERVICES (the 1 of 2 with the most resets"
contains out "  127.0.0.1:30007 "
lacks out "  127.0.0.1:30008 "
contains out "GRACEFUL (4; the first 1: --only graceful lists them all"
run 0 -r "$d" --top 1 -v
contains out "  127.0.0.1:30008 "
contains out "GRACEFUL (4)"
run 1 -r "$d" --top 0
contains err "--top must be 1 .. 1000000"

run 0 --version
contains out "tcpclose "
run 0 --help
contains out "--format FMT"
pass
