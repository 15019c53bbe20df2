# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# bench/lib.sh -- what the bench scripts share: where the binaries are,
# the check that they are built, and the generated workloads.
# Sourced (bash), after ROOT and BUILD are set; ME names the script in
# messages.

TCPCLOSE=$BUILD/tcpclose
[ -x "$TCPCLOSE" ] || TCPCLOSE=$BUILD/src/tcpclose

# bench_need FILE...: every one built, or say which is not and stop.
bench_need() {
	local b
	for b in "$@"; do
		[ -x "$b" ] || { echo "$ME: $b not built (configure with -DTC_BENCH=ON)" >&2; exit 1; }
	done
}

# bench_need_time: /usr/bin/time (its %M is the peak RSS).
bench_need_time() {
	[ -x /usr/bin/time ] || { echo "$ME: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
}

# bench_workload NAME PACKETS: the path of a workload's capture in
# $DATA, generated with tc-gen ($GEN) the first time and read once so
# that it is in the page cache.
#   current  --concurrency 30000                 (~760-byte frames)
#   small    --concurrency 20000 --max-resp 1500 (~240-byte frames, many
#            closed connections lingering at once)
#   burst    --concurrency 20000 --max-resp 4000 (~300-byte frames, ~250k
#            connections), squeezed in time to 0.07 with tc-stretch
#            ($STRETCH, default $BUILD/bench/tc-stretch): its 101 s in 7 s,
#            every connection started within a few seconds, so the linger
#            holds most of them closed at once (issue 15's shape); its
#            .expect is the generator's, which the squeezed capture still
#            matches
bench_workload() {
	local cap=$DATA/$1-$2.pcap gopts squeeze=""
	case $1 in
	current) gopts="--concurrency 30000" ;;
	small) gopts="--concurrency 20000 --max-resp 1500" ;;
	burst) gopts="--concurrency 20000 --max-resp 4000"; squeeze=0.07 ;;
	*) echo "$ME: no workload $1" >&2; exit 1 ;;
	esac
	if [ ! -s "$cap" ]; then
		# shellcheck disable=SC2086
		"$GEN" --packets "$2" --seed 1 $gopts --out "$cap" --expect "${cap%.pcap}.expect" >&2
		if [ -n "$squeeze" ]; then
			"${STRETCH:-$BUILD/bench/tc-stretch}" "$cap" "$cap.tmp" $squeeze >&2
			mv "$cap.tmp" "$cap"
		fi
	fi
	cat "$cap" > /dev/null
	echo "$cap"
}

# wait_for FILE PATTERN SECONDS: until FILE holds PATTERN, at most SECONDS.
wait_for() {
	local i
	for i in $(seq 1 $(($3 * 10))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# live_start MODE ERR SOCK COMMAND...: tcpclose capturing, its stderr to
# ERR. MODE json: COMMAND (words, a JSON stream) in the background, its
# pid in TCPID. MODE view: COMMAND (one shell string) in a detached 120x40
# tmux session "view" on server SOCK.
live_start() {
	local mode=$1 err=$2 sock=$3
	shift 3
	: >"$err"
	if [ "$mode" = json ]; then
		"$@" >/dev/null 2>"$err" &
		TCPID=$!
	else
		tmux -L "$sock" -f /dev/null new-session -d -s view -x 120 -y 40 "exec 2>$err; $*"
	fi
	sleep 1.5 # the handle is open well within this
}

# live_stop MODE ERR SOCK: stop what live_start started (SIGINT for the
# stream, q for the view; every wait bounded) and read its last line:
# LINE (empty if there is none), PKTS (captured), DROPS (dropped by kernel).
live_stop() {
	local mode=$1 err=$2 sock=$3
	if [ "$mode" = json ]; then
		kill -INT "$TCPID"
		for _ in $(seq 1 300); do kill -0 "$TCPID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$TCPID" 2>/dev/null || true
		wait "$TCPID" 2>/dev/null || true
		TCPID=
		LINE=$(grep 'dropped by kernel' "$err" | tail -1 || true)
		PKTS=$(echo "$LINE" | sed -n 's/.*: \([0-9]*\) packets captured.*/\1/p')
		DROPS=$(echo "$LINE" | sed -n 's/.* \([0-9]*\) dropped by kernel.*/\1/p')
	else
		tmux -L "$sock" send-keys -t view q
		wait_for "$err" 'dropped by kernel' 30 || true
		tmux -L "$sock" kill-server 2>/dev/null || true
		LINE=$(grep 'dropped by kernel' "$err" | tail -1 || true)
		PKTS=$(echo "$LINE" | sed -n 's/^tcpclose: \([0-9]*\) packets,.*/\1/p')
		DROPS=$(echo "$LINE" | sed -n 's/.*, \([0-9]*\) dropped by kernel.*/\1/p')
	fi
}
