#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# compressed.sh -- captures as they travel: gzip- and zstd-compressed files
# (and through standard input) give exactly the report of the uncompressed
# capture; a cut compressed file is reported as a cut capture; a pcapng file
# whose two interfaces differ in link type and snapshot length (made by
# mkpcapng.py, as dumpcap writes them) is refused with the exact way to read
# it, and that way gives the verdicts of the two captures read together.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
cp "$CAP/client_close.pcap" a.pcap
run 0 -q -r a.pcap --format json
mv out plain.json

gzip -c a.pcap >a.pcap.gz
run 0 -q -r a.pcap.gz --format json
cmp -s out plain.json || fail ".pcap.gz report differs from the uncompressed one"
"$BIN" -q -r - --format json <a.pcap.gz >out 2>err || fail "gzip on stdin: $(cat err)"
cmp -s out plain.json || fail "gzip on stdin: report differs"
# Two gzip members one after the other (cat a.gz b.gz), as gzip -d reads them.
head -c 1000 a.pcap | gzip -c >two.gz
tail -c +1001 a.pcap | gzip -c >>two.gz
run 0 -q -r two.gz --format json
cmp -s out plain.json || fail "two gzip members: report differs"
# Cut short: the packets before the cut, and libpcap's words for a cut file.
head -c 400 a.pcap.gz >cut.gz
run 2 -q -r cut.gz
contains err "tcpclose: cut.gz: input damaged after packet"
contains err "truncated dump file"
# Damaged compressed data: an error, never a crash or a silent short report.
python3 -c "
d = bytearray(open('a.pcap.gz', 'rb').read()); d[len(d) // 2] ^= 0xff
open('bad.gz', 'wb').write(d)"
"$BIN" -q -r bad.gz >out 2>err
rc=$?
[ "$rc" -eq 2 ] || [ "$rc" -eq 1 ] || fail "damaged gzip data exited $rc"
contains err "tcpclose: bad.gz: "

if have zstd; then
	zstd -q a.pcap -o a.pcap.zst
	run 0 -q -r a.pcap.zst --format json
	cmp -s out plain.json || fail ".pcap.zst report differs from the uncompressed one"
else
	skip "no zstd: the zstd case is not run"
fi

# Two interfaces, Ethernet (snaplen 262144) and raw IP (snaplen 128).
python3 "$SRC/tests/cli/mkpcapng.py" two.pcapng a.pcap "$CAP/half_close.pcap" 128 ||
	fail "mkpcapng.py failed"
run 2 -r two.pcapng
contains err "tcpclose: two.pcapng: reading stopped after packet 0 of this file: libpcap reads only one link type per file and one snapshot length, and this file's interfaces differ"
contains err "editcap -r -F pcap -T ENCAP two.pcapng ifN.pcap \$(tshark -r two.pcapng -Y frame.interface_id==N -T fields -e frame.number)"
contains err "tcpclose -r if0.pcap -r if1.pcap"
if have editcap && have tshark; then
	# Follow the message, word for word, for both interfaces.
	for n in 0 1; do
		case $n in 0) encap=ether ;; 1) encap=rawip ;; esac
		capinfos two.pcapng 2>/dev/null | grep -A1 "Interface #$n info" | grep -q "($encap)\| - $encap)" ||
			fail "capinfos does not name interface #$n $encap"
		# shellcheck disable=SC2046
		editcap -r -F pcap -T $encap two.pcapng if$n.pcap \
			$(tshark -r two.pcapng -Y frame.interface_id==$n -T fields -e frame.number 2>/dev/null) ||
			fail "editcap failed for interface $n"
	done
	run 0 -q -r if0.pcap -r if1.pcap --format json
	mv out split.json
	run 0 -q -r a.pcap -r "$CAP/half_close.pcap" --format json
	mv out orig.json
	python3 - split.json orig.json <<'PY' || fail "the split file's verdicts differ from the captures'"
import json, sys
def verdicts(path):
    keys = ('client', 'server', 'opened', 'close', 'closer', 'reset_by', 'client_state',
            'server_state', 'history', 'cause')
    return sorted(json.dumps([r.get(k) for k in keys]) for r in map(json.loads, open(path))
                  if r['type'] == 'conn')
a, b = verdicts(sys.argv[1]), verdicts(sys.argv[2])
assert len(a) == 2, a
assert a == b, (a, b)
PY
else
	skip "no editcap/tshark: the conversion the message gives is not run"
fi
exit 0
