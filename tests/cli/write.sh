#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# write.sh -- -w FILE and --write-matching: the packets of the chosen
# connections, every one of them and nothing else, in a pcap that tcpclose,
# tcpdump and Wireshark read back; refusals for what cannot work.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
d=$CAP/default.pcap       # 7 connections: 4 graceful, 1 half_closed, 2 reset (1 refused)
v=$CAP/synth_vlan.pcap    # IPv4 graceful, IPv6 reset (VLAN-tagged Ethernet)

# The verdict columns of a CSV report: what must survive extraction (not the
# id or frame numbers, which depend on what else is in the file).
verdicts() {
	cut -d, -f2-29,35 "$1" | sed 1d
}

# rows CSV VERDICT...: the verdict columns of the rows with one of the closes.
rows() {
	f=$1
	shift
	for w in "$@"; do awk -F, -v w="$w" 'NR > 1 && $9 == w' "$f"; done | sort -t, -k1,1n >rows.tmp
	cut -d, -f2-29,35 rows.tmp
}

run 0 -r "$d" --format csv
cp out all.csv

# -w alone: every TCP packet, one pass; reading it back gives the same
# report (default.pcap is all TCP, so even the frame numbers agree).
run 0 -q -r "$d" -w all.pcap
[ ! -s err ] || fail "-w alone: stderr: $(cat err)"
# -q is quiet: the pcap is the output, no report on stdout.
[ ! -s out ] || fail "-q -w printed a report: $(head -3 out)"
run 0 -r all.pcap --format csv
cmp -s out all.csv || fail "-w alone: the copy reads back differently"
run 0 -r all.pcap --format json
contains out '"packets":62,"tcp_packets":62,"connections":7'
# Nanosecond pcap (magic a1b23c4d, little-endian here).
[ "$(od -An -tx1 -N4 all.pcap | tr -d ' ')" = "4d3cb2a1" ] || fail "not a nanosecond pcap"

# --write-matching reset: the two reset connections, all their packets.
run 0 -r "$d" -w reset.pcap --write-matching reset
# Without -q, one line says what was written: 2 connections, 10 packets.
[ "$(cat err)" = "tcpclose: wrote 10 packets of 2 connections to reset.pcap" ] ||
	fail "--write-matching: stderr: $(cat err)"
grep -q "GRACEFUL" out || fail "--write-matching changed the report (must show all)"
run 0 -r reset.pcap --format csv
cp out reset.csv
verdicts reset.csv >got
rows all.csv reset >want
cmp -s got want || { diff want got >&2; fail "--write-matching reset: other connections or packets"; }

# --only selects the report and what -w writes.
run 0 -r "$d" -w only.pcap --only reset --format json
cmp -s only.pcap reset.pcap || fail "--only reset -w differs from --write-matching reset"
[ "$(grep -c '"type":"conn"' out)" -eq 2 ] || fail "--only reset: report not selected"

# Several words; a cause; with --port.
run 0 -r "$d" -w rh.pcap --write-matching reset,half_closed
run 0 -r rh.pcap --format csv
verdicts out >got
rows all.csv reset half_closed >want
sort got >a
sort want >b
cmp -s a b || fail "--write-matching reset,half_closed"
run 0 -r "$d" -w ab.pcap --write-matching abortive_close
run 0 -r ab.pcap --format json
contains out '"connections":1,"graceful":0,"half_closed":0,"reset":1'
contains out '"cause":"abortive_close"'
run 0 -r "$d" -w p.pcap --write-matching reset --port 30008
run 0 -r p.pcap --format json
contains out '"connections":1,'
contains out '"opened":"refused"'

# Nothing chosen: a valid, empty pcap.
run 0 -r "$d" -w none.pcap --write-matching open
[ "$(wc -c <none.pcap)" -eq 24 ] || fail "empty selection: not a header-only pcap"
run 0 -r none.pcap --format json
contains out '"packets":0,'

# With a BPF filter: only what the filter let through is analysed or written.
run 0 -r "$v" -w f.pcap 'vlan and ip6'
run 0 -r f.pcap --format json
contains out '"packets":6,"tcp_packets":6,"connections":1'

# -c: pass 2 stops where pass 1 did.
run 0 -c 40 -r "$d" -w c.pcap --write-matching open
! grep -v '^tcpclose: wrote [0-9]* packets\{0,1\} of [0-9]* connections\{0,1\} to c.pcap$' err ||
	fail "-c with -w: stderr: $(cat err)"
run 0 -r c.pcap --format json
contains out '"connections":6,'

# -w - sends the packets down a pipe (the report goes to -o).
"$BIN" -r "$d" -w - -o report.txt --write-matching reset >pipe.pcap 2>err || fail "-w -: $(cat err)"
cmp -s pipe.pcap reset.pcap || fail "-w - differs from -w FILE"
contains report.txt "tcpclose report:"
# ... and -w alone works from standard input (one pass).
run 0 -r - -w stdin.pcap <"$d"
cmp -s stdin.pcap all.pcap || fail "-r - -w FILE differs"

# Rotated files: one stream, one output.
run 0 -r "$v" -r "$CAP/synth_qinq.pcap" -w two.pcap --write-matching reset
run 0 -r two.pcap --format json
contains out '"connections":2,"graceful":0,"half_closed":0,"reset":2'

# Mixed link types cannot share a pcap file: refused, nothing left behind.
run 1 -r "$v" -r "$CAP/synth_sll.pcap" -w mixed.pcap
contains err "different link types (EN10MB, then LINUX_SLL"
[ ! -e mixed.pcap ] || fail "a partial file was left after the link type error"
run 1 -r "$v" -r "$CAP/synth_sll.pcap" -w mixed.pcap --only reset
contains err "different link types"
[ ! -e mixed.pcap ] || fail "a partial file was left after the link type error (2 passes)"

# Frames are copied unchanged: tcpdump shows the same bytes as its own
# extraction with the equivalent filter.
if have tcpdump; then
	run 0 -r "$v" -w t.pcap --write-matching reset
	tcpdump -r "$v" -w ref.pcap 'vlan and ip6' 2>/dev/null || fail "tcpdump -w"
	tcpdump -nr t.pcap -tt -xx >a 2>/dev/null || fail "tcpdump cannot read our pcap"
	tcpdump -nr ref.pcap -tt -xx >b 2>/dev/null
	[ -s a ] || fail "tcpdump read nothing"
	cmp -s a b || { diff a b | head >&2; fail "written frames differ from tcpdump's"; }
else
	skip "no tcpdump: frames not compared with tcpdump's"
fi
pass
