#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# wiretap.sh CMAKE SRCDIR PLAIN_BIN BUILDDIR -- the optional libwiretap input
# (-DTC_WIRETAP=ON) on captures libpcap refuses.
#
# PLAIN_BIN, the default build (libpcap only), must refuse the two-interface
# pcapng (Ethernet snaplen 262144 + Linux cooked v2 snaplen 128) with the
# exact advice: what libpcap cannot do, the editcap/tshark command that
# splits the file, and the build option. The advice is then followed to the
# letter, and PLAIN_BIN's report on the split files is the reference.
#
# When libwiretap (with wsutil and glib headers) is installed, a second
# tree in BUILDDIR is configured with -DTC_WIRETAP=ON and only tcpclose is
# built (incremental after the first run). That binary, on the same pcapng:
#   - finds every connection the reference finds, with the same verdicts
#     and frame numbers (CSV byte for byte), as many as tshark's TCP
#     conversations, with every frame decoded as TCP (each interface's own
#     link type reached the decoder);
#   - applies a BPF filter across both link types as the reference does,
#     and stops with an error naming the link type when the filter does not
#     compile for one of them;
#   - reports the interface statistics blocks' counters (isb_ifrecv,
#     isb_ifdrop, isb_osdrop), checked against the blocks read here
#     independently, in the JSON summary and the text header;
#   - takes a file over from libpcap in its middle (an interface
#     description after packets), alone and merged with another file;
#   - reads a snoop file (a format libpcap does not know) as the pcap it
#     was converted from.
# Without libwiretap: the first part runs, the rest is skipped (77).
set -u
CMAKE=$1
SRC=$2
PLAIN=$3
BDIR=$4
NAME=wiretap
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tcpclose-wiretap.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
fail() {
	echo "FAIL [$NAME]: $*" >&2
	exit 1
}
skip() {
	echo "SKIP [$NAME]: $*" >&2
	exit 77
}
F=$SRC/captures/synth_pcapng_two_if_snaplen.pcapng
[ -f "$F" ] || fail "no $F"

# 1. The default build's refusal: exact and helpful.
"$PLAIN" -q -r "$F" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 2 ] || fail "default build: exit $rc on the two-interface pcapng, want 2"
for want in "libpcap reads only one link type per file and one snapshot length" \
	"editcap -r -F pcap -T ENCAP $F ifN.pcap" \
	"tshark -r $F -Y frame.interface_id==N -T fields -e frame.number" \
	"-DTC_WIRETAP=ON"; do
	grep -qF -e "$want" "$TMP/err" || fail "default build's refusal lacks '$want': $(cat "$TMP/err")"
done

command -v tshark >/dev/null 2>&1 && command -v editcap >/dev/null 2>&1 &&
	command -v capinfos >/dev/null 2>&1 || skip "needs tshark, editcap, capinfos (tshark, wireshark-common)"

# The advice, followed: interface N's encapsulation name from capinfos
# ("Encapsulation = Ethernet (1 - ether)" -> ether), then editcap.
capinfos "$F" >"$TMP/capinfos" || fail "capinfos cannot read $F"
for n in 0 1; do
	encap=$(sed -n "/^Interface #$n info:/,/Encapsulation/s/.*Encapsulation = .*(.* - \(.*\))$/\1/p" \
		"$TMP/capinfos" | head -1)
	[ -n "$encap" ] || fail "capinfos names no encapsulation for interface $n"
	# shellcheck disable=SC2046
	editcap -r -F pcap -T "$encap" "$F" "$TMP/if$n.pcap" \
		$(tshark -r "$F" -Y frame.interface_id==$n -T fields -e frame.number) ||
		fail "the advised editcap command failed for interface $n"
done
"$PLAIN" -q -r "$TMP/if0.pcap" -r "$TMP/if1.pcap" --format csv >"$TMP/ref.csv" ||
	fail "default build on the split files: $(cat "$TMP/ref.csv")"
"$PLAIN" -q -r "$TMP/if0.pcap" -r "$TMP/if1.pcap" --format csv "tcp port 443" >"$TMP/ref443.csv" ||
	fail "default build on the split files, filtered"
"$PLAIN" -q -r "$TMP/if0.pcap" -r "$TMP/if1.pcap" --format csv "tcp port 80" >"$TMP/ref80.csv" ||
	fail "default build on the split files, filtered"

# 2. The libwiretap build.
pkg-config --exists glib-2.0 2>/dev/null || skip "no glib-2.0 development files (libglib2.0-dev)"
"$CMAKE" -S "$SRC" -B "$BDIR" -DTC_WIRETAP=ON -DTC_TUI=OFF -DTC_LTO=OFF -DTC_BENCH=OFF \
	-DBUILD_TESTING=OFF >"$TMP/cfg.log" 2>&1 || {
	grep -q "libwiretap not found" "$TMP/cfg.log" &&
		skip "libwiretap not installed (libwiretap-dev libwsutil-dev)"
	fail "configure: $(tail -20 "$TMP/cfg.log")"
}
"$CMAKE" --build "$BDIR" -j2 --target tcpclose >"$TMP/build.log" 2>&1 ||
	fail "build: $(grep -E 'error' "$TMP/build.log" | head -20)"
W=$BDIR/tcpclose

"$W" -q -r "$F" --format csv >"$TMP/w.csv" 2>"$TMP/err" || fail "wiretap build: $(cat "$TMP/err")"
rows=$(($(wc -l <"$TMP/w.csv") - 1))
[ "$rows" -ge 2 ] || fail "wiretap build found $rows connections"
cmp -s "$TMP/ref.csv" "$TMP/w.csv" ||
	fail "wiretap build's connections differ from the split files': $(diff "$TMP/ref.csv" "$TMP/w.csv")"
# tshark's TCP conversations (tcp.stream) and TCP frames, in one pass.
tshark -r "$F" -Y tcp -T fields -e tcp.stream >"$TMP/streams" 2>/dev/null || fail "tshark"
convs=$(sort -u "$TMP/streams" | wc -l)
tcpframes=$(wc -l <"$TMP/streams")
[ "$rows" = "$convs" ] || fail "$rows connections, tshark sees $convs TCP conversations"
"$W" -q -r "$F" --format json >"$TMP/w.json" 2>"$TMP/err" || fail "json: $(cat "$TMP/err")"
grep -q "\"tcp_packets\":$tcpframes,\"connections\":$rows," "$TMP/w.json" ||
	fail "not every frame decoded as TCP ($tcpframes): $(tail -1 "$TMP/w.json")"
grep -q '"unsupported_link":0' "$TMP/w.json" || fail "a link type did not reach the decoder"

# BPF over both link types: port 443 lives on the SLL2 interface, 80 on Ethernet.
"$W" -q -r "$F" --format csv "tcp port 443" >"$TMP/w443.csv" || fail "filtered run failed"
"$W" -q -r "$F" --format csv "tcp port 80" >"$TMP/w80.csv" || fail "filtered run failed"
cmp -s "$TMP/ref443.csv" "$TMP/w443.csv" || fail "filter 'tcp port 443': $(diff "$TMP/ref443.csv" "$TMP/w443.csv")"
cmp -s "$TMP/ref80.csv" "$TMP/w80.csv" || fail "filter 'tcp port 80': $(diff "$TMP/ref80.csv" "$TMP/w80.csv")"
[ "$(wc -l <"$TMP/w443.csv")" = 2 ] && [ "$(wc -l <"$TMP/w80.csv")" = 2 ] ||
	fail "each port filter should keep one connection"
"$W" -q -r "$F" "ether dst 02:00:00:00:00:01" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 2 ] || fail "a filter that does not compile for SLL2: exit $rc, want 2"
grep -q "the filter does not compile for its link type, LINUX_SLL2" "$TMP/err" ||
	fail "no error naming the link type: $(cat "$TMP/err")"

# The interface statistics blocks, read here on their own (pcapng block
# type 5; options 4 isb_ifrecv, 5 isb_ifdrop, 7 isb_osdrop; the last block
# of each interface counts), against the JSON summary.
want=$(python3 - "$F" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
bo = '<' if d[8:12] == b'\x4d\x3c\x2b\x1a' else '>'
last, off = {}, 0
while off + 12 <= len(d):
    t, n = struct.unpack_from(bo + 'II', d, off)
    if t == 5:
        ifid = struct.unpack_from(bo + 'I', d, off + 8)[0]
        opts, o = {}, off + 20
        while o + 4 <= off + n - 4:
            code, ln = struct.unpack_from(bo + 'HH', d, o)
            if code == 0:
                break
            if ln == 8:
                opts[code] = struct.unpack_from(bo + 'Q', d, o + 4)[0]
            o += 4 + ((ln + 3) & ~3)
        last[ifid] = opts
    off += n
out = []
for code, key in ((4, 'ifrecv'), (5, 'ifdrop'), (7, 'osdrop')):
    vals = [o[code] for o in last.values() if code in o]
    if vals:
        out.append('"%s":%d' % (key, sum(vals)))
print('"capture_drops":{' + ','.join(out) + '}')
PY
) || fail "cannot read the ISBs here"
case $want in *ifdrop*) ;; *) fail "the test capture has no isb_ifdrop: $want" ;; esac
grep -qF "$want" "$TMP/w.json" || fail "summary lacks $want: $(tail -1 "$TMP/w.json")"
"$W" -r "$F" >"$TMP/w.txt" 2>&1 || fail "text report failed"
grep -q "capture's own counters (pcapng interface statistics): 28 received, 5 dropped by the interface or capture buffer, 2 dropped by the OS" "$TMP/w.txt" ||
	fail "text header lacks the ISB counters: $(head -4 "$TMP/w.txt")"
# A capture without ISBs says nothing about them.
"$W" -q -r "$SRC/captures/synth_pcapng_two_if.pcapng" --format json >"$TMP/o.json" || fail "two_if"
grep -q capture_drops "$TMP/o.json" && fail "capture_drops without ISBs"

# Interface 1's description in the middle of the file (mkpcapng.py late):
# libpcap reads interface 0's 11 packets, then stops; libwiretap takes the
# file over past them. Alone (libpcap's own loop) and merged with another
# file (one frame at a time), the report is the one of the recorded pcaps
# the file was made from, frame numbers included.
python3 "$SRC/tests/cli/mkpcapng.py" "$TMP/late.pcapng" "$SRC/captures/client_close.pcap" \
	"$SRC/captures/half_close.pcap" 128 late || fail "mkpcapng.py failed"
"$PLAIN" -q -r "$TMP/late.pcapng" >/dev/null 2>"$TMP/err"
grep -q "reading stopped after packet 11 of this file: libpcap reads only one link type" "$TMP/err" ||
	fail "late interface: libpcap should stop after packet 11: $(cat "$TMP/err")"
"$PLAIN" -q -r "$SRC/captures/client_close.pcap" -r "$SRC/captures/half_close.pcap" --format csv \
	>"$TMP/ref.late" || fail "reference for the late interface"
"$W" -q -r "$TMP/late.pcapng" --format csv >"$TMP/w.late" 2>"$TMP/err" || fail "late: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/w.late")" = 3 ] || fail "late interface: want 2 connections: $(cat "$TMP/w.late")"
cmp -s "$TMP/ref.late" "$TMP/w.late" || fail "late interface, alone: $(diff "$TMP/ref.late" "$TMP/w.late")"
"$PLAIN" -q -r "$SRC/captures/client_close.pcap" -r "$SRC/captures/half_close.pcap" \
	-r "$SRC/captures/refused.pcap" --format csv >"$TMP/ref.late3" || fail "reference, 3 files"
"$W" -q -r "$TMP/late.pcapng" -r "$SRC/captures/refused.pcap" --format csv >"$TMP/w.late3" 2>"$TMP/err" ||
	fail "late + refused.pcap: $(cat "$TMP/err")"
cmp -s "$TMP/ref.late3" "$TMP/w.late3" || fail "late interface, merged: $(diff "$TMP/ref.late3" "$TMP/w.late3")"

# A format libpcap does not know: snoop, made from a recorded pcap.
editcap -F snoop "$SRC/captures/client_close.pcap" "$TMP/cc.snoop" || fail "editcap -F snoop"
"$PLAIN" -q -r "$TMP/cc.snoop" >/dev/null 2>"$TMP/err" && fail "the default build read snoop?"
grep -qF "unknown file format; libpcap reads pcap and pcapng only" "$TMP/err" &&
	grep -qF "built with -DTC_WIRETAP=ON" "$TMP/err" &&
	grep -qF "editcap -F pcapng $TMP/cc.snoop out.pcapng" "$TMP/err" ||
	fail "the default build's refusal of snoop: $(cat "$TMP/err")"
"$PLAIN" -q -r "$SRC/captures/client_close.pcap" --format csv | cut -d, -f1,4- >"$TMP/ref.cc" ||
	fail "client_close.pcap"
"$W" -q -r "$TMP/cc.snoop" --format csv >"$TMP/w.cc.full" 2>"$TMP/err" || fail "snoop: $(cat "$TMP/err")"
# snoop keeps microseconds: compare all but the two timestamps.
cut -d, -f1,4- "$TMP/w.cc.full" >"$TMP/w.cc"
[ "$(wc -l <"$TMP/w.cc")" -ge 2 ] || fail "no connection read from snoop"
cmp -s "$TMP/ref.cc" "$TMP/w.cc" || fail "snoop differs from its pcap: $(diff "$TMP/ref.cc" "$TMP/w.cc")"
exit 0
