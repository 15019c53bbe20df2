#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# outfile.sh -- -o and -w never destroy a file the user has: every argument
# is checked before an output is opened, and the output replaces its file
# only once the run succeeded (written beside it, renamed at the end).
. "$(dirname "$0")/lib.sh"

mkdir "$TMP/d" && cd "$TMP/d" || exit 1
d=$CAP/default.pcap

old() {
	echo "an earlier report" >"$1"
}
kept() {
	[ "$(cat "$1")" = "an earlier report" ] || fail "$2: $1 was overwritten or truncated"
}
# Nothing but the named files in the directory: no temporary left behind.
only() {
	got=$(ls -A | sort | tr '\n' ' ')
	[ "$got" = "$* " ] || fail "files left: $got (expected $*)"
}

# Usage errors found after the command line was read.
old rep.txt
run 1 -r "$d" -o rep.txt --ladder 'bogus!!'
kept rep.txt "--ladder with a bad selector"
run 1 -r "$d" -o rep.txt --expect /nonexistent/x.expect
kept rep.txt "--expect with a missing file"
# A run that fails: no such connection to draw.
run 1 -r "$d" -o rep.txt --ladder 999
kept rep.txt "--ladder of no connection"
# An input that cannot be read.
run 1 -r missing.pcap -o rep.txt
kept rep.txt "missing input"
only rep.txt

# -w likewise.
old keep.pcap
run 1 -r "$d" -w keep.pcap --ladder 'bogus!!'
kept keep.pcap "-w with a usage error"
run 1 -r missing.pcap -w keep.pcap
kept keep.pcap "-w with a missing input"
only keep.pcap rep.txt

# Success replaces the file, with the mode it had, and leaves nothing else.
chmod 640 rep.txt
run 0 -r "$d" -o rep.txt --format csv
"$BIN" -r "$d" --format csv >want.csv 2>/dev/null
cmp -s rep.txt want.csv || fail "-o: the report differs from stdout's"
[ "$(stat -c %a rep.txt)" = 640 ] || fail "-o: mode $(stat -c %a rep.txt), expected 640 kept"
run 0 -r "$d" -w keep.pcap
run 0 -r keep.pcap --format csv
cmp -s "$TMP/out" want.csv || fail "-w: the copy reads back differently"
only keep.pcap rep.txt want.csv

# A damaged input still gives a report (exit 2): it is written.
run 2 -r "$CAP/synth_truncated_file.pcap" -o rep.txt --format json
contains rep.txt '"type":"summary"'

# A symbolic link stays one; the file it points to gets the report.
old target.txt
ln -s target.txt link.txt
run 0 -r "$d" -o link.txt --format csv
[ -L link.txt ] || fail "-o replaced the symbolic link"
cmp -s target.txt want.csv || fail "-o through a link: target not written"

# Not a regular file: written to, not replaced.
run 0 -r "$d" -o /dev/null
[ -c /dev/null ] || fail "/dev/null is no longer a device"
exit 0
