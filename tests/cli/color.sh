#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# color.sh -- colour in the text report: auto (a terminal, and NO_COLOR not
# set or empty, as no-color.org says), always, never; --colour spelled the
# British way; never in the machine formats.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
v=$CAP/synth_vlan.pcap
esc=$(printf '\033')

has_esc() { grep -q "$esc" "$1"; }

run 0 -r "$v" --color=always
has_esc out || fail "--color=always: no escape sequences"
contains out "${esc}[31mRESET (1)${esc}[0m"
run 0 -r "$v" --color
has_esc out || fail "--color alone is always"
run 0 -r "$v" --colour=always
has_esc out || fail "--colour=always"
NO_COLOR=1 "$BIN" -r "$v" --color=always >out || fail "run"
has_esc out || fail "--color=always must win over NO_COLOR"
run 0 -r "$v" --color=never
has_esc out && fail "--color=never coloured"
run 0 -r "$v" --color=auto
has_esc out && fail "--color=auto coloured a non-terminal"
run 0 -r "$v"
has_esc out && fail "a pipe was coloured by default"
for f in json csv zeek; do
	run 0 -r "$v" --color=always --format "$f"
	has_esc out && fail "--format $f has escape sequences"
done

if ! have script || ! script -qec true /dev/null >/dev/null 2>&1; then
	skip "no usable script(1): auto on a terminal not tested"
	pass
fi
# On a terminal (a pty from script(1)).
tty_run() {
	script -qec "$*" /dev/null >tty.out 2>&1
}
tty_run "env -u NO_COLOR $BIN -r $v"
has_esc tty.out || fail "auto: a terminal was not coloured"
tty_run "env NO_COLOR=1 $BIN -r $v"
has_esc tty.out && fail "auto: NO_COLOR=1 was not honoured"
tty_run "env NO_COLOR= $BIN -r $v"
has_esc tty.out || fail "auto: an empty NO_COLOR must not turn colour off"
tty_run "env -u NO_COLOR $BIN -r $v --color=never"
has_esc tty.out && fail "--color=never on a terminal"
tty_run "env -u NO_COLOR $BIN -r $v -o report.txt"
has_esc report.txt && fail "auto: -o FILE was coloured"
pass
