#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# stream.sh TCPCLOSE TC_TRAFFIC -- -i streams every row format: with
# --format csv, zeek and json on real loopback traffic (tc-traffic: 1
# refused, 3 graceful, 1 reset, 1 half-open held), each finished
# connection's row is written while the capture runs, before it is stopped;
# SIGINT then ends the format as a file does (Zeek's #close, JSON's summary
# line). Skips (77) unless root with tmux (lib.sh).
set -u
. "$(dirname "$0")/lib.sh"
live_setup "$@"

# rows FILE FMT: finished-connection rows written so far.
rows() {
	case $2 in
	csv) tail -n +2 "$1" | grep -c . ;;
	zeek) grep -vc '^#' "$1" ;;
	json) grep -c '"type":"conn"' "$1" ;;
	esac
}

for fmt in csv zeek json; do
	PORT=$("$TRAFFIC" --free-port) || fail "no free port"
	out=$WORK/out.$fmt
	"$TCPCLOSE" -i lo --linger 1 --format "$fmt" "tcp port $PORT" >"$out" 2>"$WORK/err.$fmt" &
	pid=$!
	sleep 1 # the capture is open
	start_traffic
	# 5 connections finish (the half-open one is held): their rows arrive
	# while tcpclose still runs.
	i=0
	while [ "$(rows "$out" "$fmt")" -lt 5 ] && [ "$i" -lt 100 ]; do
		kill -0 "$pid" 2>/dev/null || fail "$fmt: tcpclose exited: $(cat "$WORK/err.$fmt")"
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(rows "$out" "$fmt")" -ge 5 ] || fail "$fmt: $(rows "$out" "$fmt") rows streamed, 5 expected"
	ok "$fmt: 5 rows streamed while capturing"
	case $fmt in
	csv) head -1 "$out" | grep -q '^id,' || fail "csv: no header row";;
	zeek) grep -q '^#fields' "$out" || fail "zeek: no #fields header";;
	esac
	kill -INT "$pid"
	wait "$pid" || fail "$fmt: exit status $? after SIGINT"
	kill "$TRAFFIC_PID" 2>/dev/null
	wait "$TRAFFIC_PID" 2>/dev/null
	TRAFFIC_PID=""
	[ "$(rows "$out" "$fmt")" -eq 6 ] || fail "$fmt: $(rows "$out" "$fmt") rows after stop, 6 expected"
	case $fmt in
	zeek) tail -1 "$out" | grep -q '^#close' || fail "zeek: no #close line";;
	json) tail -1 "$out" | grep -q '"type":"summary"' || fail "json: no summary line"
		# The kernel's own counters (pcap_stats) beside the loss the
		# sequence numbers show; the capture started at its first frame.
		tail -1 "$out" | grep -q '"capture_drops":{"ifrecv":[1-9][0-9]*,"ifdrop":[0-9][0-9]*}' ||
			fail "json: no pcap_stats counters in the summary: $(tail -1 "$out")"
		tail -1 "$out" | grep -q '"first_time":"1970' && fail "json: the summary starts in 1970";;
	csv) [ "$(grep -c ',reset,' "$out")" -ge 2 ] || fail "csv: reset and refused rows";;
	esac
	ok "$fmt: ended as a file does"
done
exit 0
