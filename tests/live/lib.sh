# SPDX-License-Identifier: BSD-3-Clause
# lib.sh -- shared by the tmux tests of the live view (sourced, bash).
#
# Each test runs its own tmux server (tmux -L, no user config), so it never
# touches a tmux the user has open; everything it starts is stopped by PID
# in the EXIT trap, and every wait has a deadline.
#
# Usage in a test:  . "$(dirname "$0")/lib.sh"; live_setup "$@"

live_setup() {
	TCPCLOSE=${1:?usage: $0 TCPCLOSE TC_TRAFFIC}
	TRAFFIC=${2:?usage: $0 TCPCLOSE TC_TRAFFIC}
	SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
	# 77: skipped (CTest SKIP_RETURN_CODE).
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: live capture needs root"
		exit 77
	fi
	if ! command -v tmux >/dev/null 2>&1; then
		echo "SKIP: tmux is not installed"
		exit 77
	fi
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcpclose-live.XXXXXX")
	# tmux sockets in the work directory: nothing is left behind.
	export TMUX_TMPDIR="$WORK"
	unset TMUX
	SOCKS=""
	SOCK=""
	VIEW_N=0
	TRAFFIC_PID=""
	trap live_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	# Root without CAP_NET_RAW (some containers): nothing to test here.
	if ! out=$(timeout 2 "$TCPCLOSE" -i lo --format json -c 1 'tcp port 1' 2>&1 >/dev/null); then
		case "$out" in
		*"permission"*|*"Operation not permitted"*)
			echo "SKIP: cannot capture on lo here: $out"
			exit 77;;
		esac
	fi
}

live_cleanup() {
	if [ -n "${TRAFFIC_PID:-}" ]; then
		kill "$TRAFFIC_PID" 2>/dev/null
		wait "$TRAFFIC_PID" 2>/dev/null
	fi
	for s in ${SOCKS:-}; do
		tmux -L "$s" kill-server 2>/dev/null
	done
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}

T() { tmux -L "$SOCK" -f /dev/null "$@"; }

# Start COMMAND in a detached session "view" of COLSxLINES, on a tmux server
# of its own (the previous view's server, if any, is stopped). The pane's
# shell reports the exit status and whether the terminal modes came back.
start_view() {
	local cols=$1 lines=$2 cmd=$3
	[ -n "$SOCK" ] && tmux -L "$SOCK" kill-server 2>/dev/null
	VIEW_N=$((VIEW_N + 1))
	SOCK="tcpclose-test-$$-$VIEW_N"
	SOCKS="$SOCKS $SOCK"
	T new-session -d -s view -x "$cols" -y "$lines" \
		"$cmd; echo EXIT=\$?; stty -a | tr ' ;' '\n\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\n' ' ' | sed 's/^/MODES=/'; echo; sleep 600"
	T set-option -t view -g status off >/dev/null 2>&1 || true
}

screen() { T capture-pane -p -t view 2>/dev/null; }

# wait_for REGEX SECONDS: until the screen shows it (extended regex).
wait_for() {
	local re=$1 t=$2 i=0
	while [ "$i" -lt $((t * 5)) ]; do
		if screen | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# wait_gone REGEX SECONDS: until the screen no longer shows it.
wait_gone() {
	local re=$1 t=$2 i=0
	while [ "$i" -lt $((t * 5)) ]; do
		if ! screen | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

fail() {
	echo "FAIL: $*"
	echo "--- screen ---"
	screen
	echo "--------------"
	exit 1
}

ok() { echo "ok: $*"; }

expect() { # expect REGEX SECONDS WHAT
	wait_for "$1" "$2" || fail "$3 (expected /$1/)"
	ok "$3"
}

# The table's connection rows: marker, client address, arrow, server.
table_rows() {
	screen | grep -E "^[ xR][ ?]127\.0\.0\.1:[0-9]+ +[^ ]+ +127\.0\.0\.1:$PORT "
}

# Run tc-traffic on $PORT in the background (refused, 3 graceful, 1 reset,
# 1 half-open held until the test ends) and wait for it to say ready.
start_traffic() {
	# Gone first: the background redirection truncates it only when the
	# shell gets to it, and the previous run's "ready" must not count.
	rm -f "$WORK/traffic.out"
	"$TRAFFIC" "$PORT" --hold 120 "$@" >"$WORK/traffic.out" 2>&1 &
	TRAFFIC_PID=$!
	local i=0
	while [ "$i" -lt 100 ]; do
		grep -q ready "$WORK/traffic.out" 2>/dev/null && return 0
		kill -0 "$TRAFFIC_PID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	cat "$WORK/traffic.out"
	fail "tc-traffic did not get ready"
}

# PID of the tcpclose running in the pane.
view_pid() {
	local sh
	sh=$(T display-message -p -t view '#{pane_pid}')
	cat /proc/"$sh"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 .
}
