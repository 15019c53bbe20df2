#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# mkrst.py OUT.pcap -- a 5-packet capture whose RST carries the text
# bye, "now" (a comma and quotes): the CSV quoting test of formats.sh.
import struct, sys
def pkt(src, dst, sp, dp, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0,
                     bytes(src), bytes(dst)) + tcp
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip
C, S = [10, 0, 0, 1], [10, 0, 0, 2]
F, SY, R, P, A = 1, 2, 4, 8, 16
pk = [pkt(C, S, 40000, 80, 1000, 0, SY), pkt(S, C, 80, 40000, 5000, 1001, SY | A),
      pkt(C, S, 40000, 80, 1001, 5001, A), pkt(C, S, 40000, 80, 1001, 5001, P | A, b"0123456789"),
      pkt(S, C, 80, 40000, 5001, 1011, R | A, b'bye, "now"')]
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
for i, p in enumerate(pk):
    out.write(struct.pack("<IIII", 1700000000, i * 1000, len(p), len(p)) + p)
