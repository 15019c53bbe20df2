#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# select.sh -- the report filters --only, --port and --host: they choose
# the connections listed (text, json, csv, zeek) while every count, finding
# and summary stays over all of them ("showing N of M").
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
d=$CAP/default.pcap       # 7 connections: 4 graceful, 1 half_closed, 2 reset (1 refused)
v=$CAP/synth_vlan.pcap    # IPv4 graceful, IPv6 reset

# count FORMAT ARGS...: the number of connections listed.
count() {
	f=$1
	shift
	run 0 -r "$d" --format "$f" "$@"
	case $f in
	json) grep -c '"type":"conn"' out ;;
	csv) echo $(($(wc -l <out) - 1)) ;;
	zeek) grep -vc '^#' out ;;
	esac
}

expect_n() {
	want=$1
	shift
	for f in json csv zeek; do
		n=$(count "$f" "$@")
		[ "$n" -eq "$want" ] || fail "--format $f $*: $n connections, expected $want"
	done
}

expect_n 7
expect_n 2 --only reset
expect_n 3 --only reset,half_closed
expect_n 3 --only reset --only half-closed
expect_n 1 --only abortive_close
expect_n 1 --only refused
expect_n 5 --only graceful,refused
expect_n 0 --only open
expect_n 1 --port 30008
expect_n 7 --port 30007,30008
expect_n 7 --port 30007 --port 30008
expect_n 1 --only reset --port 30007
expect_n 7 --host 127.0.0.1
expect_n 7 --host 127.0.0.0/8
expect_n 0 --host 10.0.0.0/8
expect_n 1 --host 127.0.0.1 --port 30008 --only refused

# Text: the header counts everything, then says what is listed.
run 0 -r "$d" --only reset
contains out "7 connections: 4 graceful, 1 half_closed, 2 reset (1 of them refused), 0 open"
contains out "graceful closes: client closed first 3, server first 1"
contains out "  showing 2 of 7 connections: --only reset"
contains out "RESET (2)"
lacks out "GRACEFUL ("
lacks out "HALF-CLOSED"
# The findings are over everything too.
run 0 -r "$d" --only graceful --port 30007
contains out "showing 4 of 7 connections: --only graceful --port 30007"
contains out "FINDINGS"
contains out "aborted 1 of 7 connections"
contains out "GRACEFUL (4)"
lacks out "RESET ("
run 0 -r "$d" --host 10.0.0.0/8
contains out "showing 0 of 7 connections: --host 10.0.0.0/8"
# Without a selection, no such line.
run 0 -r "$d"
lacks out "showing"

# JSON: a selection record before the summary, which is still the last
# line and still counts all seven.
run 0 -r "$d" --format json --only reset,abortive_close --port 30007,30008 --host 127.0.0.1
contains out '{"type":"selection","shown":2,"of":7,"only":["reset","abortive_close"],"ports":[30007,30008],"hosts":["127.0.0.1"]}'
tail -1 out >last
contains last '"type":"summary"'
contains last '"connections":7,"graceful":4,"half_closed":1,"reset":2'
run 0 -r "$d" --format json
lacks out '"type":"selection"'

# IPv6 and prefixes; [brackets] as the text report prints them.
run 0 -r "$v" --format csv --host 2001:db8::/32
[ "$(sed 1d out | cut -d, -f4)" = "2001:db8:1::10" ] || fail "--host 2001:db8::/32"
run 0 -r "$v" --format csv --host '[2001:db8:2::5]'
[ "$(sed 1d out | wc -l)" -eq 1 ] || fail "--host [v6]"
run 0 -r "$v" --format csv --host 192.0.2.10/32,2001:db8:2::5
[ "$(sed 1d out | wc -l)" -eq 2 ] || fail "--host list"
run 0 -r "$v" --format csv --host 192.0.2.0/25
[ "$(sed 1d out | wc -l)" -eq 1 ] || fail "--host 192.0.2.0/25"
run 0 -r "$v" --format csv --host 192.0.2.128/25
[ "$(sed 1d out | wc -l)" -eq 0 ] || fail "--host 192.0.2.128/25"
pass
