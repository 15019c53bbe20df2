# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# bench/lib.sh -- what the bench scripts share: where the binaries are,
# the check that they are built, and the two generated workloads.
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
bench_workload() {
	local cap=$DATA/$1-$2.pcap gopts
	case $1 in
	current) gopts="--concurrency 30000" ;;
	small) gopts="--concurrency 20000 --max-resp 1500" ;;
	*) echo "$ME: no workload $1" >&2; exit 1 ;;
	esac
	if [ ! -s "$cap" ]; then
		# shellcheck disable=SC2086
		"$GEN" --packets "$2" --seed 1 $gopts --out "$cap" --expect "${cap%.pcap}.expect" >&2
	fi
	cat "$cap" > /dev/null
	echo "$cap"
}
