#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# errors.sh -- messages in tcpdump's shape ("tcpclose: FILE: reason"), the
# exit status of each kind of failure, and combinations refused up front.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
cp "$CAP/synth_vlan.pcap" in.pcap

# A missing file: exactly tcpdump's wording, status 1, no report, and no
# empty -o file left behind.
run 1 -r nope.pcap -o report.txt
[ "$(cat err)" = "tcpclose: nope.pcap: No such file or directory" ] ||
	fail "missing file message: $(cat err)"
[ ! -s out ] || fail "a report was printed for a missing file"
[ ! -e report.txt ] || fail "-o file created although the input is missing"

# Not a capture.
echo "hello" >text.pcap
run 1 -r text.pcap
contains err "tcpclose: text.pcap: "

# Damaged part-way: status 2, the report covers what was read.
run 2 -r "$CAP/synth_truncated_file.pcap"
contains err "synth_truncated_file.pcap: input damaged after packet"
contains out "INPUT STOPPED EARLY"

# Usage errors: status 1 and a pointer to --help.
for args in "" "-r" "--format xml -r in.pcap" "--bogus -r in.pcap" "-c many -r in.pcap" \
	"--only bogus -r in.pcap" "--port 70000 -r in.pcap" "--port -r in.pcap" \
	"--host example.com -r in.pcap" "--host 10.0.0.0/33 -r in.pcap" \
	"--write-matching reset -r in.pcap" "--color=sometimes -r in.pcap" \
	"--max-conns 0 -r in.pcap" "--linger -1 -r in.pcap" "--time-wait 0 -r in.pcap" \
	"--ephemeral-ports 9-3 -r in.pcap" "-i lo -r in.pcap" \
	"--speed 2 -r in.pcap" "--tui -o out.txt -r in.pcap" "--tui --speed 0 -r in.pcap" \
	"--expect x.expect --only reset -r in.pcap" "--ladder 1 -w o.pcap -r in.pcap" \
	"-c 0 -r in.pcap" "-x -r in.pcap" "-nx -r in.pcap" "--help=1" "--l 1 -r in.pcap"; do
	# shellcheck disable=SC2086
	run 1 $args
	contains err "Try 'tcpclose --help'"
	# Every message is tcpclose's, named "tcpclose:", never getopt's with
	# the path the binary was started by.
	bad=$(grep -v -e "^tcpclose: " -e "^Try 'tcpclose --help'" err)
	[ -z "$bad" ] || fail "tcpclose $args: a message without the tcpclose: prefix: $bad"
	lacks err "$BIN"
done
# tcpdump refuses -c 0 too.
run 1 -c 0 -r in.pcap
contains err "tcpclose: invalid packet count (1 or more): 0"
run 1 -r in.pcap -nx
[ "$(head -1 err)" = "tcpclose: unknown option: -x" ] || fail "unknown option message: $(cat err)"
run 1 -r
[ "$(head -1 err)" = "tcpclose: option requires an argument: -r" ] ||
	fail "missing argument message: $(cat err)"
run 1 --format
[ "$(head -1 err)" = "tcpclose: option requires an argument: --format" ] ||
	fail "missing argument message: $(cat err)"
run 1 -r in.pcap --only bogus
contains err "unknown verdict or cause 'bogus'"
contains err "half_closed"
run 1 --host example.com -r in.pcap
contains err "names are not resolved"

# -w: refused before anything is read when it cannot work.
run 1 -r - -w o.pcap --only reset <in.pcap
contains err "standard input cannot be re-read"
run 1 -r in.pcap -w in.pcap
contains err "-w would overwrite an input file"
run 1 -r in.pcap -o in.pcap
contains err "-o would overwrite an input file"
cmp -s in.pcap "$CAP/synth_vlan.pcap" || fail "an input file was overwritten"
run 1 -r in.pcap -w -
contains err "-w - writes packets to stdout"
run 1 -r in.pcap -w same.out -o same.out
contains err "-o and -w name the same file"
run 1 -r in.pcap -w no/such/dir/o.pcap
[ "$(cat err)" = "tcpclose: no/such/dir/o.pcap: No such file or directory" ] ||
	fail "unwritable -w message: $(cat err)"
[ ! -s out ] || fail "a report was printed although -w cannot be written"

# Unwritable report file.
run 1 -r in.pcap -o no/such/dir/report.txt
contains err "tcpclose: no/such/dir/report.txt: No such file or directory"

# A filter libpcap cannot compile.
run 1 -r in.pcap 'tcp port'
contains err "bad filter expression"
pass
