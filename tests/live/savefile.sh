#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# savefile.sh TCPCLOSE TC_TRAFFIC -- live -w, and tcpdump's -C/-G/-W
# rotation, on real loopback traffic made by tc-traffic:
#   1. a -w file in a directory the -Z user cannot write: a clear error
#      with the hint, at start;
#   2. the stream with --format csv and -w: the rows stream as without -w,
#      the file is readable while the capture runs, SIGINT closes it whole,
#      and tcpclose -r on it finds the same connections and as many packets
#      as were captured;
#   3. the live view in tmux with -w: after q, the file holds every packet
#      the view counted, and the connections generated; --format csv on
#      the terminal in tmux with -w, ended by Ctrl-C; -c 7 caps the file;
#   4. -C 1 (millions of bytes) on ~3 MB of small connections: FILE, FILE1,
#      FILE2 ..., each but the last just over 1,000,000 bytes, their union
#      every packet; alongside, -C 100k -W 11 wraps a ring of FILE00 ..
#      FILE10; and, where tcpdump is installed and dropped nothing, tcpdump
#      -C 1 on the same traffic makes the same names with the same packet
#      counts;
#   5. -G 1 -W 3 with a strftime pattern: three files named as the pattern
#      says at times within the run, then the capture stops by itself with
#      status 0 (tcpdump alongside does the same, when installed);
#   6. -w /dev/full: the write error stops the capture, status 2, with the
#      file and the reason, and the CSV still ends as a file does.
# Every wait is bounded. Skips (77) unless root with tmux (lib.sh).
set -u
. "$(dirname "$0")/lib.sh"
live_setup "$@"

PIDS=""
cleanup_all() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	live_cleanup
}
trap cleanup_all EXIT

# The -Z user (nobody, by default) creates the files: it may pass through
# the work directory (not list it) and write in OUT.
chmod o+x "$WORK"
OUT=$WORK/save
mkdir -m 1777 "$OUT"

# pkts FILE...: packets in these files, counted by tcpclose -r; a name
# without a slash is in $OUT.
pkts() {
	local args=() f
	for f in "$@"; do
		case $f in
		*/*) args+=(-r "$f") ;;
		*) args+=(-r "$OUT/$f") ;;
		esac
	done
	"$TCPCLOSE" "${args[@]}" --format json 2>/dev/null | tail -1 |
		sed -n 's/.*"packets":\([0-9]*\).*/\1/p'
}
written() { sed -n 's/^tcpclose: \([0-9]*\) packets written to .*/\1/p' "$1"; }
captured() { sed -n 's/^tcpclose: \([0-9]*\) packets captured.*/\1/p' "$1"; }

# wait_line FILE REGEX SECONDS: until FILE has a line matching.
wait_line() {
	local i=0
	while [ "$i" -lt $(($3 * 10)) ]; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_exit PID SECONDS: until the process has ended (then reaped: $? of
# `wait` is its status, read by the caller).
wait_gone_pid() {
	local i=0
	while kill -0 "$1" 2>/dev/null && [ "$i" -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! kill -0 "$1" 2>/dev/null
}

# conns FILE: the connections tcpclose -r finds in FILE, one per line:
# "client_port close" (the server port is $PORT), sorted.
conns() {
	"$TCPCLOSE" -r "$1" --format csv 2>/dev/null | tail -n +2 | cut -d, -f5,9 | sort
}

# --- 1. a directory the -Z user cannot write ----------------------------
mkdir -m 700 "$WORK/private"
echo "the user's" >"$WORK/private/x.pcap"
timeout 10 "$TCPCLOSE" -i lo -w "$WORK/private/new.pcap" --format json 'tcp port 1' \
	>/dev/null 2>"$WORK/err.priv"
rc=$?
[ "$rc" -eq 1 ] || fail "-w in a directory nobody cannot write: status $rc, 1 expected: $(cat "$WORK/err.priv")"
grep -q "new.pcap: Permission denied" "$WORK/err.priv" || fail "no 'Permission denied': $(cat "$WORK/err.priv")"
grep -q -- "-Z root" "$WORK/err.priv" || fail "no hint about -Z: $(cat "$WORK/err.priv")"
[ ! -e "$WORK/private/new.pcap" ] || fail "the file was made anyway"
ok "-w where the -Z user cannot write: a clear error with the hint"

# --- 2. the stream: --format csv with -w ---------------------------------
PORT=$("$TRAFFIC" --free-port) || fail "no free port"
"$TCPCLOSE" -i lo --linger 1 --format csv -w "$OUT/stream.pcap" "tcp port $PORT" \
	>"$WORK/stream.csv" 2>"$WORK/err.stream" &
pid=$!
PIDS="$PIDS $pid"
wait_line "$WORK/err.stream" "listening on lo" 10 || fail "stream: did not start: $(cat "$WORK/err.stream")"
start_traffic
i=0
while [ "$(tail -n +2 "$WORK/stream.csv" | grep -c .)" -lt 5 ] && [ "$i" -lt 100 ]; do
	kill -0 "$pid" 2>/dev/null || fail "stream: tcpclose exited: $(cat "$WORK/err.stream")"
	sleep 0.1
	i=$((i + 1))
done
[ "$(tail -n +2 "$WORK/stream.csv" | grep -c .)" -ge 5 ] || fail "stream: the CSV rows did not stream with -w"
ok "stream: CSV rows stream while -w saves"
# Flushed per batch: the file is a readable capture while the run goes on.
during=$(pkts "$OUT/stream.pcap")
[ -n "$during" ] && [ "$during" -gt 10 ] || fail "stream: the -w file is not current during the capture ($during packets)"
ok "stream: the -w file is readable during the capture ($during packets)"
kill -INT "$pid"
wait "$pid" || fail "stream: exit status $? after SIGINT: $(cat "$WORK/err.stream")"
kill "$TRAFFIC_PID" 2>/dev/null
wait "$TRAFFIC_PID" 2>/dev/null
TRAFFIC_PID=""
n=$(written "$WORK/err.stream")
c=$(captured "$WORK/err.stream")
[ -n "$n" ] && [ "$n" = "$c" ] || fail "stream: $n packets written, $c captured: $(cat "$WORK/err.stream")"
[ "$(pkts "$OUT/stream.pcap")" = "$n" ] || fail "stream: the file holds $(pkts "$OUT/stream.pcap"), $n were written"
# 6 connections of at least 2 packets each: a sane count, not an exact one.
[ "$n" -ge 20 ] && [ "$n" -le 200 ] || fail "stream: $n packets for 6 connections"
ok "stream: every captured packet is in the file ($n)"
[ "$(tail -n +2 "$WORK/stream.csv" | grep -c .)" -eq 6 ] || fail "stream: not 6 rows after SIGINT"
# The connections of the file are those the stream reported.
live=$(tail -n +2 "$WORK/stream.csv" | cut -d, -f5 | sort)
file=$("$TCPCLOSE" -r "$OUT/stream.pcap" --format csv | tail -n +2 | cut -d, -f5 | sort)
[ "$live" = "$file" ] || fail "stream: the file's connections differ: live [$live] file [$file]"
[ "$(conns "$OUT/stream.pcap" | grep -c ',reset$')" -eq 2 ] || fail "stream: the reset and the refused one are not in the file"
[ "$(conns "$OUT/stream.pcap" | grep -c ',graceful$')" -eq 3 ] || fail "stream: the 3 graceful ones are not in the file"
ok "stream: tcpclose -r on the file finds the 6 connections, 3 graceful and 2 reset"
[ "$(stat -c %U "$OUT/stream.pcap")" = nobody ] || fail "stream: the file was not made by the -Z user"
ok "stream: the file was made after privileges were dropped"

# --- 3. the live view in tmux with -w ------------------------------------
PORT=$("$TRAFFIC" --free-port) || fail "no free port"
start_view 120 40 "exec 2>$WORK/err.view; $TCPCLOSE -i lo --linger 1 -w $OUT/view.pcap 'tcp port $PORT'"
expect "tcpclose +lo +'tcp port $PORT'" 10 "view: starts with -w"
expect "saving view.pcap" 5 "view: the title says where the packets go"
start_traffic
expect "graceful 3 " 15 "view: 3 graceful closes counted"
expect "reset 2 \(refused 1\) " 5 "view: 2 resets counted"
T send-keys -t view q
expect "EXIT=0" 10 "view: q quits with status 0"
kill "$TRAFFIC_PID" 2>/dev/null
wait "$TRAFFIC_PID" 2>/dev/null
TRAFFIC_PID=""
n=$(written "$WORK/err.view")
seen=$(sed -n 's/^tcpclose: \([0-9]*\) packets, .*/\1/p' "$WORK/err.view")
[ -n "$n" ] && [ "$n" = "$seen" ] || fail "view: $n packets written, the view counted $seen: $(cat "$WORK/err.view")"
[ "$(pkts "$OUT/view.pcap")" = "$n" ] || fail "view: the file holds $(pkts "$OUT/view.pcap"), $n written"
[ "$n" -ge 20 ] && [ "$n" -le 200 ] || fail "view: $n packets for 6 connections"
ok "view: the file holds every packet the view counted ($n)"
[ "$(conns "$OUT/view.pcap" | grep -c .)" -eq 6 ] || fail "view: $(conns "$OUT/view.pcap" | grep -c .) connections in the file, 6 expected"
[ "$(conns "$OUT/view.pcap" | grep -c ',graceful$')" -eq 3 ] || fail "view: the 3 graceful ones are not in the file"
ok "view: tcpclose -r on the file finds the 6 connections generated"

# --- 3b. the CSV stream on a terminal (tmux), with -w and -c -------------
# --format csv on a terminal streams rows rather than showing the view;
# Ctrl-C ends it; -c caps the file as it caps the run.
PORT=$("$TRAFFIC" --free-port) || fail "no free port"
start_view 200 50 "$TCPCLOSE -i lo --linger 1 --format csv -c 1000 -w $OUT/tty.pcap 'tcp port $PORT'"
expect "listening on lo" 10 "tty csv: starts"
expect "^id,first_ts,last_ts,client_ip," 5 "tty csv: the CSV header on the terminal"
start_traffic
expect ",127\.0\.0\.1,$PORT,.*,reset," 15 "tty csv: a reset row streams to the terminal"
T send-keys -t view C-c
expect "EXIT=0" 10 "tty csv: Ctrl-C ends it with status 0"
expect "packets written to $OUT/tty.pcap" 2 "tty csv: says what the file holds"
kill "$TRAFFIC_PID" 2>/dev/null
wait "$TRAFFIC_PID" 2>/dev/null
TRAFFIC_PID=""
n=$(screen | sed -n 's/^tcpclose: \([0-9]*\) packets written to .*/\1/p')
[ -n "$n" ] && [ "$(pkts "$OUT/tty.pcap")" = "$n" ] || fail "tty csv: the file holds $(pkts "$OUT/tty.pcap") packets, $n said"
[ "$(conns "$OUT/tty.pcap" | grep -c .)" -eq 6 ] || fail "tty csv: not the 6 connections in the file"
ok "tty csv: the file holds the $n packets and the 6 connections"
PORT=$("$TRAFFIC" --free-port) || fail "no free port"
start_view 200 50 "$TCPCLOSE -i lo --format csv -c 7 -w $OUT/c7.pcap 'tcp port $PORT'"
expect "listening on lo" 10 "-c 7: starts"
start_traffic
expect "EXIT=0" 15 "-c 7: stops by itself after 7 packets"
kill "$TRAFFIC_PID" 2>/dev/null
wait "$TRAFFIC_PID" 2>/dev/null
TRAFFIC_PID=""
[ "$(pkts "$OUT/c7.pcap")" = 7 ] || fail "-c 7: the file holds $(pkts "$OUT/c7.pcap") packets"
ok "-c 7: the file holds exactly the 7 packets the run read"

# --- 4. -C: size rotation, the -W ring, tcpdump's names -----------------
PORT=$("$TRAFFIC" --free-port) || fail "no free port"
"$TCPCLOSE" -i lo -C 1 -w "$OUT/c.pcap" --format json "tcp port $PORT" >/dev/null 2>"$WORK/err.c" &
cpid=$!
"$TCPCLOSE" -i lo -C 100k -W 11 -w "$OUT/r.pcap" --format json "tcp port $PORT" >/dev/null 2>"$WORK/err.r" &
rpid=$!
PIDS="$PIDS $cpid $rpid"
tdpid=""
if command -v tcpdump >/dev/null 2>&1; then
	# The same snapshot length as tcpclose's: the same bytes a packet.
	tcpdump -i lo -s 512 -Z root -C 1 -w "$OUT/t.pcap" "tcp port $PORT" 2>"$WORK/err.t" &
	tdpid=$!
	PIDS="$PIDS $tdpid"
	wait_line "$WORK/err.t" "listening on lo" 10 || fail "tcpdump did not start: $(cat "$WORK/err.t")"
fi
wait_line "$WORK/err.c" "listening on lo" 10 || fail "-C: did not start: $(cat "$WORK/err.c")"
wait_line "$WORK/err.r" "listening on lo" 10 || fail "-C -W: did not start: $(cat "$WORK/err.r")"
# ~3,000 connections of ~11 small packets: about 3 MB of pcap.
timeout 60 "$TRAFFIC" "$PORT" --graceful 1 --many 3000 --hold 0 >"$WORK/traffic.c" 2>&1 ||
	fail "tc-traffic --many 3000: $(cat "$WORK/traffic.c")"
sleep 1
kill -TERM "$cpid" "$rpid" $tdpid 2>/dev/null
wait "$cpid" || fail "-C: exit status $? after SIGTERM: $(cat "$WORK/err.c")"
wait "$rpid" || fail "-C -W: exit status $? after SIGTERM: $(cat "$WORK/err.r")"
[ -n "$tdpid" ] && wait "$tdpid"

names=$(cd "$OUT" && printf '%s\n' c.pcap* | sort -V)
nfiles=$(echo "$names" | grep -c .)
[ "$nfiles" -ge 3 ] || fail "-C 1: $nfiles files for ~3 MB: $names"
want="c.pcap"
for i in $(seq 1 $((nfiles - 1))); do want="$want
c.pcap$i"; done
[ "$names" = "$want" ] || fail "-C 1: names [$names], tcpdump's would be [$want]"
ok "-C 1: $nfiles files named as tcpdump names them (c.pcap, c.pcap1 ...)"
last=$(echo "$names" | tail -1)
for f in $names; do
	size=$(stat -c %s "$OUT/$f")
	if [ "$f" != "$last" ]; then
		# Turned once over 1,000,000 bytes, by at most one record.
		[ "$size" -gt 1000000 ] && [ "$size" -le $((1000000 + 16 + 512)) ] ||
			fail "-C 1: $f is $size bytes"
	fi
done
ok "-C 1: each full file just over 1,000,000 bytes"
n=$(written "$WORK/err.c")
c=$(captured "$WORK/err.c")
# shellcheck disable=SC2086
total=$(pkts $names)
[ -n "$n" ] && [ "$n" = "$c" ] && [ "$total" = "$n" ] ||
	fail "-C 1: captured $c, written $n, in the files $total: $(cat "$WORK/err.c")"
[ "$n" -gt 20000 ] || fail "-C 1: only $n packets for 3000 connections"
grep -q "written to $nfiles files" "$WORK/err.c" || fail "-C 1: stderr does not say $nfiles files: $(cat "$WORK/err.c")"
ok "-C 1: the union of the files holds every packet captured ($n)"

rnames=$(cd "$OUT" && printf '%s\n' r.pcap* | sort)
want=$(for i in 00 01 02 03 04 05 06 07 08 09 10; do echo "r.pcap$i"; done)
[ "$rnames" = "$want" ] || fail "-C 100k -W 11: names [$rnames], expected r.pcap00 .. r.pcap10"
ok "-C 100k -W 11: a ring of 11 files zero-padded to 2 digits, as tcpdump pads"
rfiles=$(sed -n 's/^tcpclose: [0-9]* packets written to \([0-9]*\) files.*/\1/p' "$WORK/err.r")
rn=$(written "$WORK/err.r")
# shellcheck disable=SC2086
rtotal=$(pkts $rnames)
[ -n "$rfiles" ] && [ "$rfiles" -gt 11 ] || fail "-C 100k -W 11: the ring did not wrap ($rfiles files opened)"
[ "$rtotal" -gt 0 ] && [ "$rtotal" -lt "$rn" ] || fail "-C 100k -W 11: $rtotal packets kept of $rn"
ok "-C 100k -W 11: the ring wrapped ($rfiles files opened, $rtotal of $rn packets kept)"

if [ -z "$tdpid" ]; then
	echo "note: tcpdump is not installed: the comparison with it is left out"
elif ! grep -q "^0 packets dropped by kernel" "$WORK/err.t"; then
	echo "note: tcpdump dropped packets: the comparison with it is left out ($(grep dropped "$WORK/err.t"))"
elif ! grep -q "dropped by kernel" "$WORK/err.c" || grep -q " [1-9][0-9]* dropped by kernel" "$WORK/err.c"; then
	echo "note: tcpclose dropped packets: the comparison with tcpdump is left out"
else
	tnames=$(cd "$OUT" && printf '%s\n' t.pcap* | sort -V | sed 's/^t/c/')
	[ "$tnames" = "$names" ] || fail "-C 1: tcpdump made [$tnames] (renamed), tcpclose [$names]"
	for f in $names; do
		t=t${f#c}
		[ "$(pkts "$OUT/$f")" = "$(pkts "$OUT/$t")" ] ||
			fail "-C 1: $f holds $(pkts "$OUT/$f") packets, tcpdump's $t $(pkts "$OUT/$t")"
	done
	ok "-C 1: tcpdump -C 1 on the same traffic makes the same names with the same packets"
fi

# --- 5. -G 1 -W 3 with a strftime pattern ---------------------------------
PORT=$("$TRAFFIC" --free-port) || fail "no free port"
t0=$(date +%Y%m%d%H%M%S)
"$TCPCLOSE" -i lo -G 1 -W 3 -w "$OUT/g-%Y%m%d-%H%M%S.pcap" --format json "tcp port $PORT" \
	>/dev/null 2>"$WORK/err.g" &
gpid=$!
PIDS="$PIDS $gpid"
tdpid=""
if command -v tcpdump >/dev/null 2>&1; then
	tcpdump -i lo -s 512 -Z root -G 1 -W 3 -w "$OUT/tg-%Y%m%d-%H%M%S.pcap" "tcp port $PORT" \
		2>"$WORK/err.tg" &
	tdpid=$!
	PIDS="$PIDS $tdpid"
	wait_line "$WORK/err.tg" "listening on lo" 10 || fail "tcpdump -G did not start"
fi
wait_line "$WORK/err.g" "listening on lo" 10 || fail "-G: did not start: $(cat "$WORK/err.g")"
# A few connections every half second until both stopped (at most 10 s).
i=0
while { kill -0 "$gpid" 2>/dev/null || { [ -n "$tdpid" ] && kill -0 "$tdpid" 2>/dev/null; }; } &&
	[ "$i" -lt 20 ]; do
	timeout 10 "$TRAFFIC" "$PORT" --graceful 1 --hold 0 >/dev/null 2>&1
	sleep 0.5
	i=$((i + 1))
done
wait_gone_pid "$gpid" 2 || fail "-G 1 -W 3: still capturing after 3 files: $(cat "$WORK/err.g")"
wait "$gpid" || fail "-G 1 -W 3: exit status $? at the file limit: $(cat "$WORK/err.g")"
t1=$(date +%Y%m%d%H%M%S)
grep -q "maximum file limit reached: 3" "$WORK/err.g" || fail "-G -W: no limit message: $(cat "$WORK/err.g")"
ok "-G 1 -W 3: the capture stopped by itself, status 0, at the file limit"
gnames=$(cd "$OUT" && printf '%s\n' g-* | sort)
[ "$(echo "$gnames" | grep -c .)" -eq 3 ] || fail "-G 1 -W 3: files [$gnames], 3 expected"
prev=0
for f in $gnames; do
	echo "$f" | grep -Eq '^g-[0-9]{8}-[0-9]{6}\.pcap$' || fail "-G: $f is not the pattern expanded"
	ts=$(echo "$f" | tr -dc 0-9)
	# Begun within the run (t0 to t1), a second or more apart.
	[ "$ts" -ge "$t0" ] && [ "$ts" -le "$t1" ] && [ "$ts" -gt "$prev" ] ||
		fail "-G: $f is not named by a time in the run ($t0 .. $t1)"
	prev=$ts
done
ok "-G 1: files named by the strftime pattern at their start times: $(echo $gnames)"
# shellcheck disable=SC2086
[ "$(pkts $gnames)" = "$(written "$WORK/err.g")" ] ||
	fail "-G: the files hold $(pkts $gnames) packets, $(written "$WORK/err.g") written"
ok "-G: the union of the files holds every packet written"
if [ -n "$tdpid" ]; then
	wait_gone_pid "$tdpid" 5 || fail "tcpdump -G 1 -W 3 did not stop by itself"
	wait "$tdpid"
	tg=$(cd "$OUT" && printf '%s\n' tg-* | grep -Ec '^tg-[0-9]{8}-[0-9]{6}\.pcap$')
	[ "$tg" -eq 3 ] || fail "tcpdump -G 1 -W 3 made $tg files: tcpclose's rule would differ"
	ok "tcpdump -G 1 -W 3 on the same traffic also stops at 3 files of the pattern"
fi

# --- 6. a write error: -w /dev/full ---------------------------------------
PORT=$("$TRAFFIC" --free-port) || fail "no free port"
"$TCPCLOSE" -i lo --linger 1 --format csv -w /dev/full "tcp port $PORT" \
	>"$WORK/full.csv" 2>"$WORK/err.full" &
pid=$!
PIDS="$PIDS $pid"
wait_line "$WORK/err.full" "listening on lo" 10 || fail "/dev/full: did not start: $(cat "$WORK/err.full")"
start_traffic
wait_gone_pid "$pid" 10 || fail "/dev/full: the capture did not stop on the write error"
wait "$pid"
rc=$?
[ "$rc" -eq 2 ] || fail "/dev/full: exit status $rc, 2 expected: $(cat "$WORK/err.full")"
grep -q "^tcpclose: /dev/full: write error: No space left on device; the capture stopped" "$WORK/err.full" ||
	fail "/dev/full: the error does not say which file and why: $(cat "$WORK/err.full")"
head -1 "$WORK/full.csv" | grep -q '^id,' || fail "/dev/full: the CSV lost its header"
grep -q "packets captured" "$WORK/err.full" || fail "/dev/full: no capture counters at the end"
ok "/dev/full: the write error stops the capture cleanly (status 2, which file and why)"
exit 0
