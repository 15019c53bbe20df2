#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# tcpdump.sh -- the options tcpdump users type: -r (files, stdin, several),
# -c, -n, -N, a trailing BPF expression, -i and -Z (reserved for the live
# capture), -o, -q, -v.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
v=$CAP/synth_vlan.pcap

run 0 -r "$v"
cp out plain
contains plain "2 connections: 1 graceful, 0 half_closed, 1 reset"

# -n and -N change nothing: nothing is ever resolved.
run 0 -n -r "$v"
cmp -s out plain || fail "-n changed the report"
run 0 -N -r "$v"
cmp -s out plain || fail "-N changed the report"
run 0 -nN -r "$v"
cmp -s out plain || fail "-nN changed the report"

# stdin, and -o.
run 0 -r - <"$v"
sed 1d out >a
sed 1d plain >b
cmp -s a b || fail "-r - differs from -r FILE"
contains out "tcpclose report: -"
run 0 -r "$v" -o report.txt
[ ! -s out ] || fail "-o still wrote to stdout"
cmp -s report.txt plain || fail "-o FILE differs from stdout"
run 0 -r "$v" -o -
cmp -s out plain || fail "-o - is not stdout"

# -c N: stop after N packets that pass the filter.
run 0 -c 5 -r "$v" --format json
contains out '"packets":5,'
run 0 -c 3 -r "$v" --format json 'vlan and ip6'
contains out '"packets":3,'
contains out '"open":1'

# BPF (the words after the options, as for tcpdump): only IPv6 -> only the
# second connection; frame numbers still count every packet of the file
# (the RST is frame 17 either way).
run 0 -r "$v" vlan and ip6
contains out "1 connection: 0 graceful, 0 half_closed, 1 reset"
contains out "(filter: vlan and ip6)"
contains out "frame 17"
run 0 -r "$v" 'vlan and tcp port 80'
contains out "2 connections"

# Several files, one stream.
run 0 -r "$v" -r "$CAP/synth_raw.pcap"
contains out "5 connections"

# -v lists graceful connections beyond the first ten; here it only must
# keep the report the same size or larger.
run 0 -v -r "$v"
[ "$(wc -l <out)" -ge "$(wc -l <plain)" ] || fail "-v shortened the report"

# -q: no progress line (stderr is not a terminal here: silent anyway).
run 0 -q -r "$v"
cmp -s out plain || fail "-q changed the report"
[ ! -s err ] || fail "-q: stderr not empty"

# -i: reserved for the live capture; without it built in, a clear refusal.
"$BIN" -i tc-no-such-if0 >out 2>err
rc=$?
[ "$rc" -ne 0 ] || fail "-i on a missing interface succeeded"
contains err "tcpclose: "
contains err "tc-no-such-if0"

# -h: the help on stdout, status 0, as --help.
run 0 -h
contains out "Usage: tcpclose"
[ ! -s err ] || fail "-h wrote to stderr"

# -Z USER is accepted (it matters with -i); an offline run is unchanged.
run 0 -Z nobody -r "$v"
cmp -s out plain || fail "-Z changed an offline report"
pass
