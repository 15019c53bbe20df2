#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# mkpcapng.py OUT.pcapng A.pcap B.pcap [SNAPLEN_B [late]]
#
# One pcapng file with two interfaces, as dumpcap writes when it captures on
# two interfaces at once: interface 0 has A's packets as they are
# (Ethernet, A's snaplen); interface 1 has B's packets with the Ethernet
# header taken off (link type RAW, 101) and a different snapshot length.
# Packets are interleaved in timestamp order (ties: A first), as
# `tcpclose -r A -r B` merges them. libpcap refuses such a file; tshark
# reads it. With `late`, interface 1's description comes just before its
# first packet (pcapng allows it anywhere before): libpcap then stops in
# the middle of the file, not before its first packet.
import struct
import sys


def read_pcap(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    if magic == 0xa1b2c3d4:
        e, nano = '<', False
    elif magic == 0xa1b23c4d:
        e, nano = '<', True
    elif magic == 0xd4c3b2a1:
        e, nano = '>', False
    elif magic == 0x4d3cb2a1:
        e, nano = '>', True
    else:
        sys.exit(f'{path}: not a pcap file')
    snaplen, dlt = struct.unpack(e + 'II', data[16:24])
    pkts, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + 'IIII', data[off:off + 16])
        ns = sec * 10**9 + (frac if nano else frac * 1000)
        pkts.append((ns, orig, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return snaplen, dlt, pkts


def block(btype, body):
    body += b'\0' * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack('<II', btype, n) + body + struct.pack('<I', n)


def idb(linktype, snaplen):
    # if_tsresol = 9: nanoseconds, then opt_endofopt
    opts = struct.pack('<HHB', 9, 1, 9) + b'\0' * 3 + struct.pack('<HH', 0, 0)
    return block(1, struct.pack('<HHI', linktype, 0, snaplen) + opts)


def epb(ifid, ns, orig, pkt):
    return block(6, struct.pack('<IIIII', ifid, ns >> 32, ns & 0xffffffff, len(pkt), orig) + pkt)


def main():
    out, a, b = sys.argv[1:4]
    snap_b = int(sys.argv[4]) if len(sys.argv) > 4 else 128
    late = len(sys.argv) > 5 and sys.argv[5] == 'late'
    snap_a, dlt_a, pa = read_pcap(a)
    _, dlt_b, pb = read_pcap(b)
    if dlt_b != 1:
        sys.exit(f'{b}: Ethernet expected')
    # B without its Ethernet header, cut to snap_b bytes of IP.
    pb = [(ns, orig - 14, p[14:14 + snap_b]) for ns, orig, p in pb]
    recs = sorted([(ns, 0, i) for i, (ns, _, _) in enumerate(pa)] +
                  [(ns, 1, i) for i, (ns, _, _) in enumerate(pb)])
    with open(out, 'wb') as f:
        f.write(block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1)))
        f.write(idb(dlt_a, snap_a))
        if not late:
            f.write(idb(101, snap_b))
        for ns, ifid, i in recs:
            if late and ifid == 1:
                f.write(idb(101, snap_b))
                late = False
            _, orig, pkt = (pa if ifid == 0 else pb)[i]
            f.write(epb(ifid, ns, orig, pkt))


main()
