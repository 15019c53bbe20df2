#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# savefile.sh -- the live -w options, as far as they can be checked without
# capturing: -C, -G and -W take tcpdump's ranges, need -i and -w, -W needs
# -C or -G, rotation refuses -w -, an empty or overlong -G pattern is
# refused, --write-matching is refused with -i; every such mistake is a
# usage error (status 1, "Try 'tcpclose --help'") and leaves an existing -w
# file as it was. (The capture itself is tested in tests/live/savefile.sh.)
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
cp "$CAP/synth_vlan.pcap" in.pcap
echo "the user's file" >keep.pcap
long=$(printf '%05000d' 0)

# No -i: the capture side is never reached, whatever the interface.
for args in "-C 0 -i lo -w keep.pcap" "-C -1 -i lo -w keep.pcap" "-C 1.5 -i lo -w keep.pcap" \
	"-C 1kb -i lo -w keep.pcap" "-C 9223372036855 -i lo -w keep.pcap" "-C x -i lo -w keep.pcap" \
	"-G 0 -i lo -w keep.pcap" "-G -1 -i lo -w keep.pcap" "-G x -i lo -w keep.pcap" \
	"-G 2147483648 -i lo -w keep.pcap" "-W 0 -i lo -w keep.pcap" "-W x -C 1 -i lo -w keep.pcap" \
	"-W 2147483648 -C 1 -i lo -w keep.pcap" \
	"-C 1 -i lo" "-G 1 -i lo" "-W 2 -C 1 -i lo" \
	"-C 1 -r in.pcap -w keep.pcap" "-G 1 -r in.pcap -w keep.pcap" \
	"-W 3 -i lo -w keep.pcap" "-C 1 -i lo -w - -o out.json" "-G 1 -i lo -w - -o out.json" \
	"-G 1 -i lo -w $long" "-i lo -w keep.pcap --write-matching reset" \
	"--tui -r in.pcap -w keep.pcap" "-i lo -w ''"; do
	# shellcheck disable=SC2086
	eval run 1 $args
	contains err "Try 'tcpclose --help'"
	bad=$(grep -v -e "^tcpclose: " -e "^Try 'tcpclose --help'" err)
	[ -z "$bad" ] || fail "tcpclose $args: a message without the tcpclose: prefix: $bad"
	[ "$(cat keep.pcap)" = "the user's file" ] || fail "tcpclose $args touched the -w file"
done
[ ! -e out.json ] || fail "a usage error created the -o file"

# The words say what is wrong.
run 1 -i lo -w keep.pcap -C 0
contains err "tcpclose: invalid file size (-C: 1 or more millions of bytes"
run 1 -i lo -w keep.pcap -G 0
contains err "tcpclose: invalid number of seconds (-G: 1 or more): 0"
run 1 -i lo -w keep.pcap -W 0 -C 1
contains err "tcpclose: invalid number of output files (-W: 1 or more): 0"
run 1 -i lo -C 1
contains err "-C, -G and -W rotate the -w file: give -w FILE"
run 1 -r in.pcap -w keep.pcap -C 1
contains err "-C, -G and -W rotate the -w file of a live capture (-i)"
run 1 -i lo -w keep.pcap -W 3
contains err "-W goes with -C (a ring of files) or -G (at most that many files)"
run 1 -i lo -w - -o out.json -C 1
contains err "not with -w - (standard output)"
run 1 -i lo -w "" -G 1
contains err "-w needs a file name"
run 1 -i lo -w keep.pcap --write-matching reset
contains err "--write-matching picks connections by how they ended"

# Offline -w still works, and -C/-G/-W parse where they are valid (the run
# then stops at the interface, which does not exist: status 1, nothing
# made, the options were accepted).
run 0 -q -r in.pcap -w ok.pcap
[ -s ok.pcap ] || fail "offline -w wrote nothing"
run 1 -i tcpclose-no-such-if0 -w rot.pcap -C 2 -W 11 --format json
contains err "tcpclose-no-such-if0: "
lacks err "Try 'tcpclose --help'"
run 1 -i tcpclose-no-such-if0 -w 'rot-%Y%m%d.pcap' -G 60 -W 3 --format json
lacks err "Try 'tcpclose --help'"
run 1 -i tcpclose-no-such-if0 -w rot.pcap -C 16k -G 60 --format json
lacks err "Try 'tcpclose --help'"
[ -z "$(ls rot* 2>/dev/null)" ] || fail "a capture that could not open made a -w file"
pass
