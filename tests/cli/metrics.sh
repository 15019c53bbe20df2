#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# metrics.sh -- --metrics FILE on files: the Prometheus text file is
# well-formed (every sample after its HELP and TYPE, counters end _total,
# names tcpclose_*; promtool check metrics when installed), its values are
# those of the report (closes per verdict and cause against the JSON
# records of the same capture), services and hosts past the cap add up in
# one "other" series without losing a connection, the file is replaced
# whole (no temporary file left), a file it cannot write is an error, and
# the alerting rules of docs/metrics.md pass promtool check rules.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1

# wellformed FILE: the exposition format, checked by hand.
wellformed() {
	awk '
	/^# HELP / { help[$3] = 1; next }
	/^# TYPE / { type[$3] = $4; next }
	/^#/ { next }
	{
		name = $0; sub(/[{ ].*/, "", name)
		if (name !~ /^tcpclose_[a-z_]+$/) { print "bad name: " $0; bad = 1 }
		if (!(name in help) || !(name in type)) { print "no HELP/TYPE before: " $0; bad = 1 }
		if ((type[name] == "counter") != (name ~ /_total$/)) { print "counter/_total: " $0; bad = 1 }
		if ($0 !~ /^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9]+(\.[0-9]+)?$/) {
			print "bad sample: " $0; bad = 1
		}
		if (seen[$1]++) { print "duplicate series: " $1; bad = 1 }
	}
	END { exit bad }' "$1" >wf.err || fail "$1 is not well-formed: $(head -3 wf.err)"
	if have promtool; then
		promtool check metrics <"$1" >pt.err 2>&1 || fail "promtool: $(cat pt.err)"
	fi
}

# sum FILE METRIC LABEL=VALUE: the sum of the series of METRIC with that label.
sum() {
	awk -v m="$2" -v l="$3" '
	index($0, m "{") == 1 || $1 == m {
		if (l == "" || index($0, l "\"") || index($0, l ",") ) s += $NF
	}
	END { printf "%d\n", s }' "$1"
}

# 1. The corpus capture: 4 graceful, 1 half-closed, 2 resets (1 refused).
run 0 -q -r "$CAP/default.pcap" --metrics m.prom
[ -s m.prom ] || fail "--metrics wrote no file"
wellformed m.prom
run 0 -q -r "$CAP/default.pcap" --format json
for v in graceful half_closed reset open; do
	want=$(grep -c "\"type\":\"conn\".*\"close\":\"$v\"" out)
	got=$(sum m.prom tcpclose_closes_total "close=\"$v")
	[ "$got" = "$want" ] || fail "closes_total close=$v is $got, the JSON has $want"
done
[ "$(sum m.prom tcpclose_closes_total 'close="graceful')" = 4 ] || fail "graceful is not 4"
[ "$(sum m.prom tcpclose_closes_total 'close="half_closed')" = 1 ] || fail "half_closed is not 1"
[ "$(sum m.prom tcpclose_closes_total 'close="reset')" = 2 ] || fail "reset is not 2"
[ "$(sum m.prom tcpclose_refused_total '')" = 1 ] || fail "refused is not 1"
want=$(grep -c '"cause":"refused"' out)
[ "$(sum m.prom tcpclose_close_causes_total 'cause="refused')" = "$want" ] ||
	fail "close_causes_total cause=refused differs from the JSON ($want)"
want=$(grep -c '"type":"conn"' out)
[ "$(sum m.prom tcpclose_connections_total '')" = "$want" ] || fail "connections_total is not $want"
contains m.prom 'tcpclose_packets_total 62'
contains m.prom 'tcpclose_connections_tracked 0'
contains m.prom 'tcpclose_capture_dropped_total{where="kernel"} 0'
contains m.prom 'tcpclose_cap_hits_total{cap="max_conns"} 0'
# The half-closed connection's server never closed: it was in CLOSE_WAIT
# when the capture ended; four client sockets were still in TIME_WAIT.
contains m.prom 'tcpclose_close_wait_sockets{host="127.0.0.1"} 1'
contains m.prom 'tcpclose_time_wait_sockets_peak{host="127.0.0.1"} 4'
ls -A | grep -q '^\.m\.prom\.' && fail "a temporary file was left beside m.prom"

# The same file with a report: the report is unchanged by --metrics.
run 0 -q -r "$CAP/default.pcap" --format json --metrics m2.prom
mv out with.json
run 0 -q -r "$CAP/default.pcap" --format json
grep -v '"type":"summary"' out >a
grep -v '"type":"summary"' with.json >b
cmp -s a b || fail "--metrics changed the JSON report"
# Rewritten, not appended to.
run 0 -q -r "$CAP/default.pcap" --metrics m2.prom
cmp -s m.prom m2.prom || fail "a second run over the same capture wrote another file"

# 2. More services than the cap (20): 30 refused connections, one per
# port; 20 series each and one service="other" for the 10 others, and
# nothing lost in the sum.
python3 - many.pcap <<'PY' || fail "python3 could not write the capture"
import struct, sys
def pkt(src, dst, sp, dp, seq, ack, flags):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0,
                     bytes(src), bytes(dst)) + tcp
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
t = 0
for i in range(30):
    for p in (pkt([10, 0, 0, 1], [10, 0, 1, 2], 40000 + i, 1000 + i, 7, 0, 2),
              pkt([10, 0, 1, 2], [10, 0, 0, 1], 1000 + i, 40000 + i, 0, 8, 4 | 16)):
        out.write(struct.pack("<IIII", 1700000000, t, len(p), len(p)) + p)
        t += 1000
PY
run 0 -q -r many.pcap --metrics many.prom
wellformed many.prom
n=$(grep -c '^tcpclose_refused_total{service="10\.0\.1\.2:' many.prom)
[ "$n" = 20 ] || fail "$n services have their own series, expected the cap, 20"
contains many.prom 'tcpclose_refused_total{service="other"} 10'
contains many.prom 'tcpclose_closes_total{service="other",close="reset"} 10'
[ "$(sum many.prom tcpclose_closes_total 'close="reset')" = 30 ] || fail "resets do not add up to 30"
contains many.prom 'tcpclose_cap_hits_total{cap="metric_series"} 10'

# 3. A file it cannot write: said, exit 1, and no report lost on stdout.
run 1 -r "$CAP/default.pcap" --format json --metrics "$TMP/nodir/m.prom"
contains err "tcpclose: --metrics $TMP/nodir/m.prom: No such file or directory"
contains out '"type":"summary"'
run 1 -r "$CAP/default.pcap" --expect "$CAP/default.expect" --metrics x.prom
contains err "--metrics goes with a report or a live capture"
run 1 -r "$CAP/default.pcap" --metrics ""
contains err "--metrics needs a file name"

# The alerting rules docs/metrics.md shows are valid rules.
if have promtool; then
	sed -n '/^   ```yaml$/,/^   ```$/p' "$SRC/docs/metrics.md" | sed -e '1d' -e '$d' -e 's/^   //' >rules.yml
	[ -s rules.yml ] || fail "docs/metrics.md has no yaml block"
	promtool check rules rules.yml >pr.err 2>&1 || fail "docs/metrics.md rules: $(cat pr.err)"
fi
have promtool || skip "promtool not installed (Debian: prometheus): checked by hand only"
pass
