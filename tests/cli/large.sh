#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# large.sh BIN SRCDIR GEN -- the default text report of a large capture
# (tc-gen, fixed seed: ~980k packets, >= 30,000 connections over ~880
# services and ~12,000 hosts) fits in 150 lines, groups its findings (no two
# differ only in addresses and numbers), ranks them by harm, and sorts its
# tables; -v still lists every connection, in id order.
. "$(dirname "$0")/lib.sh"
GEN=$3

cd "$TMP" || exit 1
"$GEN" --packets 500000 --concurrency 30000 --snaplen 96 --seed 7 --out big.pcap \
	>/dev/null 2>gen.err || fail "tc-gen: $(cat gen.err)"

run 0 -q -r big.pcap
cp out report.txt
lines=$(wc -l <report.txt)
[ "$lines" -le 150 ] || fail "the report is $lines lines, more than 150"
conns=$(sed -n 's/^  \([0-9]*\) connections: .*/\1/p' report.txt)
[ -n "$conns" ] && [ "$conns" -ge 30000 ] || fail "not a large capture: '$conns' connections"

# section PATTERN: the lines of the section whose heading starts so, to the
# next blank line, heading excluded.
section() {
	awk -v h="$1" 'index($0, h) == 1 { on = 1; next } on && /^$/ { exit } on' report.txt
}

# ---- findings: at most 15 shown, grouped, ranked by harm
section FINDINGS | grep '^  [0-9]*\. ' >findings
n=$(wc -l <findings)
[ "$n" -ge 5 ] && [ "$n" -le 15 ] || fail "$n findings shown (want 5 .. 15)"
# Addresses and numbers out: what is left is the pattern, said once.
sed -E -e 's/^  [0-9]+\. //' -e 's/\[[0-9a-f:]+\]//g' -e 's/[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+//g' \
	-e 's/[0-9a-f]*:[0-9a-f:]*:[0-9a-f:]+//g' -e 's/[0-9]+//g' findings | sort | uniq -d >dups
[ ! -s dups ] || fail "findings differing only in addresses and numbers: $(cat dups)"
# Harm: resets the applications saw and leaks before benign patterns.
harm=$(grep -n -E 'abort|CLOSE_WAIT|no longer knew' findings | head -1 | cut -d: -f1)
benign=$(grep -n -E 'closed first in|delayed ACK|RSTs ignored|reused a 4-tuple' findings |
	head -1 | cut -d: -f1)
[ -n "$harm" ] && [ -n "$benign" ] || fail "expected harmful and benign findings"
[ "$(grep -n -E 'abort|CLOSE_WAIT|no longer knew' findings | tail -1 | cut -d: -f1)" -lt "$benign" ] ||
	fail "a benign finding ranks above a harmful one"

# nonincreasing FILE COLUMN WHAT: the numbers of a column never go up.
nonincreasing() {
	awk -v c="$2" 'NR > 1 && $c + 0 > prev + 0 { bad = 1 } { prev = $c } END { exit bad }' "$1" ||
		fail "$3 not sorted: $(cut -c1-80 "$1" | head -12)"
}

# ---- services: by resets + half-closes, top 10
section SERVICES | sed 1d >services
[ "$(wc -l <services)" -eq 10 ] || fail "services: not the top 10"
awk '{ print $1, $5 + $4 }' services >trouble
nonincreasing trouble 2 "services by trouble"

# ---- TIME_WAIT: hosts and pairs by peak, the real top holder first
section "TIME_WAIT (" >tw
[ -s tw ] || fail "no TIME_WAIT section"
grep -q 'each for 60 s' report.txt || fail "TIME_WAIT heading lacks its length"
awk '/^  host /{ on = 1; next } /^  client -> service/{ on = 0 } on && !/^  \.\.\./' tw >hosts
awk '/^  client -> service/{ on = 1; next } on && !/^  \.\.\./' tw >pairs
nonincreasing hosts 2 "TIME_WAIT hosts by peak"
nonincreasing pairs 4 "TIME_WAIT pairs by peak"
run 0 -r big.pcap --format json
cp out big.jsonl
# Two runs over one capture say the same, whatever the hash keys of the
# run (each run draws new ones): nothing that decides an output may hang
# on them.
run 0 -r big.pcap --format json
cmp -s out big.jsonl || fail "a second run over the same capture differs: $(diff big.jsonl out | head -4 | cut -c1-200)"
# Findings, grouped and per server, say what the records say.
python3 "$SRC/tests/cli/findcheck.py" big.jsonl >check || fail "JSON findings: $(cat check)"
top=$(sed -n 's/.*"type":"host".*"time_wait":{"total":[0-9]*,"peak":\([0-9]*\).*/\1/p' out |
	sort -n | tail -1)
[ "$(head -1 hosts | awk '{ print $2 }')" = "$top" ] ||
	fail "TIME_WAIT: the top holder (peak $top) is not first: $(head -1 hosts)"

# ---- CLOSE_WAIT leaks: most first
section "CLOSE_WAIT LEAKS" | sed 1d | grep -v '^  (\|^  \.\.\.' | awk '{ print $1, $2 + $3 }' >leaks
[ -s leaks ] || fail "no CLOSE_WAIT section"
nonincreasing leaks 2 "CLOSE_WAIT leaks"

# ---- resets over time; samples with times
grep -q '^RESETS OVER TIME' report.txt || fail "no reset timeline"
want=$(sed -n 's/.*"type":"reset_timeline".*"counts":\[\([0-9,]*\)\].*/\1/p' big.jsonl | tr ',' ' ')
[ -n "$want" ] && [ "$(sed -n 's/^  per [0-9.]* m*s: //p' report.txt)" = "$want" ] ||
	fail "the text timeline's counts are not the JSON's ($want)"
grep -q '^RESET (.*; the first 3: --only reset lists them all' report.txt ||
	fail "no sample line for resets"

# ---- -v: every connection, each section in id order
run 0 -q -v -r big.pcap
[ "$(grep -c '^  #[0-9]' out)" -eq "$conns" ] || fail "-v does not list every connection"
awk '/^[A-Z]/{ prev = 0 } /^  #[0-9]/{ id = substr($1, 2) + 0; if (id <= prev) bad = 1; prev = id }
	END { exit bad }' out || fail "-v: a section is not in id order"
exit 0
