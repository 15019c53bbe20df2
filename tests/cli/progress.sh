#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# progress.sh -- the progress line: on a terminal only, after a second,
# erased at the end; never with -q, never when stderr is not a terminal,
# never when the report streams to the same terminal. The terminal is a
# pty from script(1); the slow input a FIFO fed in two bursts.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
d=$CAP/default.pcap

# Not a terminal: silent.
run 0 -r "$d" -o report.txt
[ ! -s err ] || fail "progress written to a non-terminal stderr"

if ! have script || ! have mkfifo; then
	skip "no script(1) or mkfifo: terminal progress not tested"
	pass
fi
if ! script -qec true /dev/null >/dev/null 2>&1; then
	skip "script(1) cannot open a pty here"
	pass
fi

# slow.sh ARGS...: tcpclose reads a FIFO that delivers the capture, stalls
# 1.3 s, then delivers it ten more times (over 600 packets in all).
cat >slow.sh <<EOS
#!/bin/sh
rm -f fifo
mkfifo fifo
( head -c 24 "$d"; tail -c +25 "$d"; sleep 1.3
  for i in 1 2 3 4 5 6 7 8 9 10; do tail -c +25 "$d"; done ) >fifo &
"$BIN" -r fifo "\$@"
echo "rc=\$?"
EOS

script -qec "sh slow.sh -o report.txt" /dev/null >tty.out 2>&1
contains tty.out "rc=0"
contains report.txt "tcpclose report: fifo"
contains tty.out "tcpclose: reading "
contains tty.out "packets/s"
# Erased at the end: the last thing before the exit status is CR + EL.
awk 'BEGIN { e = sprintf("\r%c[Krc=0", 27) } index($0, e) { ok = 1 } END { exit !ok }' tty.out ||
	fail "the progress line was not erased: $(od -c tty.out | tail -5)"

# -q: nothing on the terminal but the exit status.
script -qec "sh slow.sh -q -o report.txt" /dev/null >tty.out 2>&1
contains tty.out "rc=0"
lacks tty.out "tcpclose: reading"

# JSON rows streaming to the same terminal: no progress line among them.
script -qec "sh slow.sh --format json" /dev/null >tty.out 2>&1
contains tty.out "rc=0"
contains tty.out '"type":"summary"'
lacks tty.out "tcpclose: reading"
pass
