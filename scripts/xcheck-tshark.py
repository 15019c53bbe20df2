#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""xcheck-tshark.py -- cross-check tcpclose's packet decoding against tshark.

For each capture file, run `tcpclose --format json` and tshark, and compare,
per direction of every TCP 4-tuple (src ip:port -> dst ip:port):

    packets, FIN segments, RST segments

Both sides are aggregated by 4-tuple (tcpclose splits a 4-tuple into several
connections on a new SYN, tshark's tcp.stream may or may not): the number of
connections per 4-tuple is compared separately and reported, never failed.

What tshark is allowed to count (its view is restricted to what tcpclose is
specified to decode):
  * TCP carried directly by the OUTERMOST IP header (IPv6 extension headers
    in between are fine), or inside the tunnels tcpclose decodes (IP-in-IP,
    GRE, ERSPAN, VXLAN, GENEVE, GTP-U, Teredo, AYIYA, L2TPv2, an Aruba
    access point's 802.11 in GRE): then the innermost IP header's addresses
    are compared. TCP inside other tunnels (LISP, EoMPLS ...) is counted as
    "tunnel" and not compared.
  * not TCP headers quoted inside ICMP/ICMPv6 errors ("icmp", not compared).
  * IP reassembly is off (-o ip.defragment:FALSE -o ipv6.defragment:FALSE):
    non-first fragments carry no TCP header for either side.

When the counts differ, every frame involved is decoded by tcpclose on its
own (the frame is cut out with editcap and fed to tcpclose alone; tcpclose's
decoding is stateless, so this gives its per-frame verdict) and compared
with tshark's view of that frame. Each differing frame gets a class:

  explained (a documented limit of tcpclose, or both sides agree the frame
  is damaged and tshark merely shows a partial header):
    unsupported-link    link type tcpclose does not decode (FDDI, NFLOG, ...)
    unsupported-encap   supported link type, encapsulation before IP that
                        tcpclose does not walk (802.3 LLC/SNAP, ...)
    truncated           snaplen cut the TCP header; tshark flags the frame
                        short/malformed and shows the fields it has
    malformed           tshark also reports the frame malformed / in error
    tiny-fragment       IPv4/IPv6 first fragment too short for the fixed
                        20-byte TCP header (RFC 1858): tshark shows the part
                        it has, tcpclose counts it under skipped.fragment
    ipv6-plen0          IPv6 payload length 0 without a jumbo option: tshark
                        dissects an empty payload, tcpclose reads it as TSO
                        (what was captured), as both do for IPv4 length 0
    libpcap-multi-link  pcapng whose interfaces have different link types:
                        libpcap (so tcpclose) refuses it at the second one
    damaged-file        both report the file damaged and stop at different
                        frames (only the frames both read are compared)
  unexplained (possible decoding bug in tcpclose, or in tshark):
    bug:<reason>        tcpclose skipped the frame as <reason> and tshark
                        saw a sound TCP segment
    bug:tcpclose-only   tcpclose decoded TCP where tshark saw none
    bug:tuple, bug:flags  both decoded it, differently
    unresolved          counts still differ after the per-frame check
                        (diagnosis limit hit, editcap missing, ...)
    frames-read         the two read a different number of frames
    tcpclose-failed     tcpclose crashed, hung, or exited outside 0/1/2

Exit status: 0 every file agrees or differs only in explained ways (also 0,
with a message, when tshark is not installed); 1 some file has an
unexplained disagreement; 2 usage error or tcpclose not found.

Standard library only.
"""

import argparse
import concurrent.futures
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

# frame.protocols tokens tshark puts between the outermost IP header and TCP
# that do not make the TCP "tunnelled": IPv6 extension headers.
IP6_EXT = {"ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts",
           "ah", "mipv6", "hip", "shim6", "ipv6.shim6"}
# frame.protocols tokens between an outer IP header and TCP for the tunnels
# tcpclose decodes.
TUNNEL_OK = IP6_EXT | {"ip", "ipv6", "gre", "erspan", "udp", "vxlan", "geneve",
                       "gtp", "eth", "ethertype", "vlan", "ieee8021ad", "mpls",
                       "wlan", "llc", "teredo", "ayiya", "l2tp", "ppp"}
# frame.protocols tokens before the first IP header that tcpclose walks.
LINK_OK = {"eth", "ethertype", "vlan", "ieee8021ad", "pppoes", "ppp", "mpls",
           "sll", "null", "raw", "ip", "ipv6", "chdlc", "fddi", "llc", "radiotap",
           "wlan_radio", "wlan", "pflog", "prism", "wlancap", "ppi"}
# tshark expert severity "error" (PI_ERROR)
PI_ERROR = 0x00800000

EXPLAINED = ("unsupported-link", "unsupported-encap", "truncated", "malformed",
             "libpcap-multi-link", "damaged-file", "ipv6-plen0", "tiny-fragment")

TSHARK_PREFS = [
    "-o", "tcp.analyze_sequence_numbers:FALSE",
    "-o", "tcp.desegment_tcp_streams:FALSE",
    "-o", "ip.defragment:FALSE",
    "-o", "ipv6.defragment:FALSE",
    "-d", "udp.port==8472,vxlan",   # Linux's VXLAN port, which tcpclose decodes
]
TSHARK_FIELDS = ["frame.number", "frame.protocols", "ip.src", "ip.dst",
                 "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
                 "tcp.flags", "tcp.stream"]

TH_FIN, TH_RST = 0x01, 0x04


def is_explained(cls):
    return cls.split(":", 1)[0] in EXPLAINED


def norm_ip(s):
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return s


def first(v):
    return v.split(",", 1)[0] if v else ""


def nth(v, k):
    xs = v.split(",") if v else [""]
    return xs[k] if k < len(xs) else ""


def fmt_ep(ip, port):
    return "[%s]:%s" % (ip, port) if ":" in ip else "%s:%s" % (ip, port)


def fmt_tuple(t):
    return "%s > %s" % (fmt_ep(t[0], t[1]), fmt_ep(t[2], t[3]))


def undirected(t):
    a, b = (t[0], t[1]), (t[2], t[3])
    return (a, b) if a <= b else (b, a)


def run(cmd, timeout, **kw):
    """Run cmd; return (rc, stdout, stderr). rc is -SIG on a signal, None on
    a timeout."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or b"", e.stderr or b""
    return p.returncode, p.stdout, p.stderr


# ---- tshark side -----------------------------------------------------------

class TsharkView:
    """tshark's reading of one file, restricted as described above."""

    def __init__(self):
        self.frames = 0                  # frames tshark dissected
        self.rc = 0
        self.err = ""
        self.counts = defaultdict(lambda: [0, 0, 0])   # tuple -> pkts,fins,rsts
        self.tuple_frames = defaultdict(list)          # tuple -> [frame]
        self.streams = defaultdict(set)                # undirected -> {stream}
        self.stream_of = {}                            # frame -> tcp.stream
        self.direct = {}      # frame -> (tuple, fin, rst)
        self.other = {}       # frame -> category (tunnel, icmp, no-tcp, ...)
        self.protos = {}      # frame -> frame.protocols (for frames w/ an IP)
        self.excluded = Counter()   # tunnel / icmp / tcp-noports

    def restrict(self, limit):
        """Forget what tshark saw after frame `limit` (tcpclose stopped there)."""
        self.counts = defaultdict(lambda: [0, 0, 0])
        self.tuple_frames = defaultdict(list)
        for fno in sorted(self.direct):
            t, fin, rst = self.direct[fno]
            if fno > limit:
                del self.direct[fno]
                continue
            c = self.counts[t]
            c[0] += 1
            c[1] += fin
            c[2] += rst
            self.tuple_frames[t].append(fno)
        for fno in [f for f in self.other if f > limit]:
            del self.other[fno]
        self.streams = defaultdict(set)
        for fno, st in self.stream_of.items():
            if fno in self.direct:
                self.streams[undirected(self.direct[fno][0])].add(st)

    def any_tcp(self):
        return bool(self.direct) or any(
            c in ("tunnel", "icmp", "tcp-noports", "tcp-noip")
            for c in self.other.values())


def classify_protos(toks):
    """Where the first TCP layer sits. Returns (category, ip_token, k):
    the TCP's IP header is the k-th (from 0) of that token."""
    if "tcp" not in toks:
        return "no-tcp", None, 0
    t = toks.index("tcp")
    ips = [i for i, x in enumerate(toks[:t]) if x in ("ip", "ipv6")]
    if not ips:
        return "tcp-noip", None, 0
    i = ips[0]
    between = toks[i + 1:t]
    if any(x in ("icmp", "icmpv6") for x in between):
        return "icmp", None, 0
    if all(x in IP6_EXT for x in between):
        return "direct", toks[i], 0
    if all(x in TUNNEL_OK for x in between):
        j = ips[-1]
        return "direct", toks[j], toks[:j].count(toks[j])
    return "tunnel", None, 0


def tshark_read(tshark, path, timeout):
    v = TsharkView()
    cmd = [tshark, "-n", "-r", path] + TSHARK_PREFS + [
        "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
        "-E", "aggregator=,"]
    for f in TSHARK_FIELDS:
        cmd += ["-e", f]
    rc, out, err = run(cmd, timeout)
    v.rc = rc
    v.err = "\n".join(x for x in err.decode("utf-8", "replace").splitlines()
                      if x.strip() and not x.startswith("Running as user"))
    for line in out.decode("utf-8", "replace").splitlines():
        p = line.split("\t")
        if len(p) < len(TSHARK_FIELDS) or not p[0].isdigit():
            continue
        fno = int(p[0])
        v.frames += 1
        toks = p[1].split(":")
        if "ip" in toks or "ipv6" in toks:
            v.protos[fno] = sys.intern(p[1])
        cat, iptok, k = classify_protos(toks)
        if cat != "direct":
            v.other[fno] = cat
            if cat in ("tunnel", "icmp", "tcp-noip"):
                v.excluded[cat] += 1
            continue
        sport, dport = first(p[6]), first(p[7])
        if not sport or not dport:          # header cut before the ports
            v.other[fno] = "tcp-noports"
            v.excluded["tcp-noports"] += 1
            continue
        if iptok == "ip":
            src, dst = nth(p[2], k), nth(p[3], k)
        else:
            src, dst = nth(p[4], k), nth(p[5], k)
        try:
            flags = int(first(p[8]), 16) if first(p[8]) else 0
        except ValueError:
            flags = 0
        t = (norm_ip(src), int(sport), norm_ip(dst), int(dport))
        fin, rst = int(bool(flags & TH_FIN)), int(bool(flags & TH_RST))
        c = v.counts[t]
        c[0] += 1
        c[1] += fin
        c[2] += rst
        v.tuple_frames[t].append(fno)
        v.direct[fno] = (t, fin, rst)
        if first(p[9]):
            v.streams[undirected(t)].add(first(p[9]))
            v.stream_of[fno] = first(p[9])
    return v


def tshark_hints(tshark, path, frames, timeout):
    """Expert/malformed facts tshark has about some frames:
    frame -> (damaged?, protocols, short text, outer IPv6 payload length,
    tshark says "fragment"?)."""
    hints = {}
    if not frames:
        return hints
    fl = sorted(frames)
    for i in range(0, len(fl), 500):
        chunk = fl[i:i + 500]
        # set members: commas since Wireshark 4.0, blanks before
        for sep in (",", " "):
            filt = "frame.number in {%s}" % sep.join(str(x) for x in chunk)
            cmd = [tshark, "-n", "-r", path] + TSHARK_PREFS + [
                "-Y", filt, "-T", "fields", "-E", "separator=/t",
                "-E", "occurrence=a", "-E", "aggregator=|",
                "-e", "frame.number", "-e", "frame.protocols",
                "-e", "_ws.malformed", "-e", "_ws.short",
                "-e", "_ws.expert.severity", "-e", "_ws.expert.message",
                "-e", "ipv6.plen"]
            rc, out, _ = run(cmd, timeout)
            if out.strip():
                break
        for line in out.decode("utf-8", "replace").splitlines():
            p = line.split("\t")
            if len(p) < 7 or not p[0].isdigit():
                continue
            sev = 0
            for s in p[4].split("|"):
                try:
                    sev = max(sev, int(s))
                except ValueError:
                    pass
            damaged = bool(p[2] or p[3]) or sev >= PI_ERROR
            msgs = [m for m in p[5].split("|") if m]
            if p[3]:
                msgs.insert(0, p[3].strip("[]"))
            errs = [m for m, s in zip(p[5].split("|"), p[4].split("|"))
                    if s.isdigit() and int(s) >= PI_ERROR]
            frag = any("fragment" in m.lower() for m in msgs)
            hints[int(p[0])] = (damaged, p[1], "; ".join((errs or msgs)[:2]),
                                first(p[6].replace("|", ",")), frag)
    return hints


# ---- tcpclose side ---------------------------------------------------------

class TcpcloseView:
    def __init__(self):
        self.rc = 0
        self.err = ""
        self.summary = None
        self.conns = []
        self.counts = defaultdict(lambda: [0, 0, 0])
        self.nconns = Counter()          # undirected -> connections
        self.ranges = defaultdict(list)  # undirected -> [(first, last)]


def tcpclose_parse(out):
    v = TcpcloseView()
    for line in out.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("type") == "summary":
            v.summary = r
        elif r.get("type") == "conn":
            v.conns.append(r)
            c = (norm_ip(r["client"]["ip"]), int(r["client"]["port"]))
            s = (norm_ip(r["server"]["ip"]), int(r["server"]["port"]))
            for a, b, side in ((c, s, "client"), (s, c, "server")):
                n = v.counts[a + b]
                n[0] += r["pkts"][side]
                n[1] += r["fins"][side]
                n[2] += r["rsts"][side]
            u = undirected(c + s)
            v.nconns[u] += 1
            fr = r.get("frames") or {}
            if fr.get("first") and fr.get("last"):
                v.ranges[u].append((fr["first"], fr["last"]))
    return v


def tcpclose_read(tcpclose, path, timeout, count=None):
    cmd = [tcpclose, "-r", path, "--format", "json"]
    if count is not None:
        cmd += ["-c", str(count)]
    rc, out, err = run(cmd, timeout)
    v = tcpclose_parse(out)
    v.rc = rc
    v.err = err.decode("utf-8", "replace").strip()
    return v


def tcpclose_frame_verdicts(tcpclose, editcap, path, frames, timeout):
    """Decode each of `frames` alone with tcpclose.
    Returns frame -> ("ok", tuple, fin, rst) | ("skip", reason) | ("error", why)."""
    res = {}
    fl = sorted(frames)
    if not fl:
        return res
    with tempfile.TemporaryDirectory(prefix="xcheck-") as d:
        ext = ".pcapng" if path.endswith(".pcapng") else ".pcap"
        sub = os.path.join(d, "sub" + ext)
        spec = []
        lo = prev = fl[0]
        for x in fl[1:] + [None]:
            if x is not None and x == prev + 1:
                prev = x
                continue
            spec.append(str(lo) if lo == prev else "%d-%d" % (lo, prev))
            if x is not None:
                lo = prev = x
        rc, _, err = run([editcap, "-r", path, sub] + spec, timeout)
        if rc is None or not os.path.exists(sub):
            return {f: ("error", "editcap -r failed") for f in fl}
        split = os.path.join(d, "one" + ext)
        rc, _, err = run([editcap, "-c", "1", sub, split], timeout)
        parts = sorted(x for x in os.listdir(d) if x.startswith("one"))
        if len(parts) != len(fl):
            return {f: ("error", "editcap gave %d frames for %d"
                        % (len(parts), len(fl))) for f in fl}
        for fno, part in zip(fl, parts):
            rc, out, err = run([tcpclose, "-r", os.path.join(d, part),
                                "--format", "json"], timeout)
            if rc not in (0, 2):
                res[fno] = ("error", "tcpclose exit %s" % rc)
                continue
            v = tcpclose_parse(out)
            s = v.summary or {}
            if s.get("packets") != 1:
                res[fno] = ("error", "tcpclose read %s frames of 1%s"
                            % (s.get("packets"), ": " + "; ".join(s["errors"])
                               if s.get("errors") else ""))
            elif s.get("tcp_packets") == 1 and v.conns:
                r = v.conns[0]
                c = (norm_ip(r["client"]["ip"]), int(r["client"]["port"]))
                sv = (norm_ip(r["server"]["ip"]), int(r["server"]["port"]))
                side = "client" if r["pkts"]["client"] else "server"
                t = c + sv if side == "client" else sv + c
                res[fno] = ("ok", t, r["fins"][side], r["rsts"][side])
            else:
                sk = s.get("skipped") or {}
                why = [k for k, n in sk.items() if n]
                res[fno] = ("skip", why[0] if why else "unknown")
    return res


# ---- comparison ------------------------------------------------------------

class Result:
    def __init__(self, path):
        self.path = path
        self.verdict = "agree"       # agree | explained | disagree | skip | error
        self.note = ""
        self.classes = Counter()     # class -> frames (or occurrences)
        self.tuple_diffs = []        # (tuple, tcpclose counts, tshark counts)
        self.frame_diffs = []        # (frame, class, tshark text, tcpclose text)
        self.conn_diff = 0           # 4-tuples whose connection counts differ
        self.conn_diff_tuples = []   # (undirected 4-tuple, tcpclose, tshark)
        self.conns = (0, 0)          # tcpclose conns, tshark streams
        self.tcp_pkts = (0, 0)
        self.excluded = Counter()
        self.lines = []


def describe_tshark(fno, tv, hints):
    if fno in tv.direct:
        t, fin, rst = tv.direct[fno]
        fl = ("F" if fin else "") + ("R" if rst else "")
        return "TCP %s%s" % (fmt_tuple(t), " [%s]" % fl if fl else "")
    h = hints.get(fno)
    return "%s (%s)" % (tv.other.get(fno, "not read"),
                        h[1] if h else tv.protos.get(fno, "?"))


def describe_tcpclose(v):
    if v[0] == "ok":
        fl = "".join(("" if n == 0 else c if n == 1 else "%s%d" % (c, n))
                     for c, n in (("F", v[2]), ("R", v[3])))
        return "TCP %s%s" % (fmt_tuple(v[1]), " [%s]" % fl if fl else "")
    if v[0] == "skip":
        return "skipped: %s" % v[1]
    return "? (%s)" % v[1]


def classify_frame(fno, tv, cv, hints):
    """Class of a frame the two sides see differently, or None if they agree."""
    tsd = tv.direct.get(fno)
    if cv[0] == "error":
        return "unresolved"
    if tsd and cv[0] == "ok":
        if cv[1] != tsd[0]:
            return "bug:tuple"
        if (cv[2], cv[3]) != (tsd[1], tsd[2]):
            return "bug:flags"
        return None
    if not tsd and cv[0] != "ok":
        return None
    h = hints.get(fno)
    damaged = bool(h and h[0])
    if not tsd:
        # tshark takes an IPv6 payload length of 0 literally (an empty
        # payload, TCP "malformed"); tcpclose reads it as TSO/jumbo and
        # decodes what was captured, as tshark does for IPv4 length 0.
        if tv.other.get(fno) == "tcp-noports" and damaged and h[3] == "0":
            return "ipv6-plen0"
        return "bug:tcpclose-only"
    reason = cv[1]
    protos = (h[1] if h else tv.protos.get(fno, "")).split(":")
    link = []
    for x in protos:
        if x in ("ip", "ipv6"):
            break
        link.append(x)
    if reason == "unsupported_link":
        return "unsupported-link:%s" % (link[0] if link else "?")
    if reason in ("not_ip", "not_tcp") and any(x not in LINK_OK for x in link):
        return "unsupported-encap:%s" % ":".join(link)
    if reason == "truncated" and damaged:
        return "truncated"
    if reason == "malformed" and damaged:
        return "malformed"
    # With reassembly off tshark dissects TCP only in a first fragment; one
    # too short for the fixed TCP header (RFC 1858 "tiny fragment") tshark
    # shows in part, tcpclose counts as a fragment by design.
    if reason == "fragment" and h and h[4]:
        return "tiny-fragment"
    return "bug:%s" % reason


def compare(path, args):
    r = Result(path)
    cv = tcpclose_read(args.tcpclose, path, args.timeout)
    if cv.rc is None or cv.rc < 0 or cv.rc not in (0, 1, 2):
        r.verdict = "disagree"
        what = ("hang (timeout %ss)" % args.timeout if cv.rc is None else
                "crash (signal %d)" % -cv.rc if cv.rc < 0 else
                "exit %d" % cv.rc)
        r.classes["tcpclose-failed"] += 1
        r.note = "tcpclose %s" % what
        return r
    tv = tshark_read(args.tshark, path, args.timeout)
    if cv.rc == 1 or cv.summary is None:
        if tv.frames == 0:
            r.verdict = "skip"
            r.note = "unreadable by both (tcpclose exit %s)" % cv.rc
            return r
        r.verdict = "disagree"
        r.classes["frames-read"] += 1
        r.note = ("tcpclose could not read it (exit %s: %s), tshark read %d frames"
                  % (cv.rc, cv.err.splitlines()[-1] if cv.err else "", tv.frames))
        return r

    s = cv.summary
    r.excluded = tv.excluded
    if args.skip_no_tcp and not s.get("tcp_packets") and not tv.any_tcp():
        r.verdict = "skip"
        r.note = "no TCP"
        return r

    if s.get("packets") != tv.frames:
        # Compare the frames both read; say why the counts differ.
        ncv = s.get("packets") or 0
        errs = " ".join(s.get("errors") or []) + " " + cv.err
        r.note = ("frames read: tcpclose %s (exit %s), tshark %d (exit %s%s)"
                  % (ncv, cv.rc, tv.frames, tv.rc,
                     ": " + tv.err.strip().splitlines()[-1]
                     if tv.err.strip() else ""))
        if "different from the type of the first interface" in errs:
            r.classes["libpcap-multi-link"] += 1
        elif cv.rc == 2 and tv.rc != 0:
            r.classes["damaged-file"] += 1
        else:
            r.classes["frames-read"] += 1
        if ncv < tv.frames:
            tv.restrict(ncv)
        else:
            cv = tcpclose_read(args.tcpclose, path, args.timeout, tv.frames)

    r.tcp_pkts = (sum(c[0] for c in cv.counts.values()),
                  sum(c[0] for c in tv.counts.values()))
    r.conns = (len(cv.conns), sum(len(x) for x in tv.streams.values()))
    # Connection counts per 4-tuple, where both sides see packets: reported,
    # never failed (a 4-tuple seen by one side only is a packet difference).
    for u in set(cv.nconns) & set(tv.streams):
        if cv.nconns[u] != len(tv.streams[u]):
            r.conn_diff += 1
            r.conn_diff_tuples.append((u, cv.nconns[u], len(tv.streams[u])))

    keys = set(k for k, c in cv.counts.items() if any(c)) | set(tv.counts)
    diffs = [k for k in keys if cv.counts.get(k, [0, 0, 0]) != tv.counts.get(k, [0, 0, 0])]
    if not diffs:
        if not r.classes:
            r.verdict = "agree"
        else:
            r.verdict = ("explained" if all(is_explained(c) for c in r.classes)
                         else "disagree")
        return r
    for k in sorted(diffs):
        r.tuple_diffs.append((k, list(cv.counts.get(k, [0, 0, 0])),
                              list(tv.counts.get(k, [0, 0, 0]))))

    # Frames to decode one by one: tshark's frames of the differing tuples,
    # and, where tcpclose counted more, the frames of its connections that
    # tshark did not attribute to that tuple.
    cand = set()
    extra = set()
    for k in diffs:
        cand.update(tv.tuple_frames.get(k, ()))
        c, t = cv.counts.get(k, [0, 0, 0]), tv.counts.get(k, [0, 0, 0])
        if any(a > b for a, b in zip(c, t)) and len(extra) < 4 * args.diag_limit:
            for lo, hi in cv.ranges.get(undirected(k), ()):
                for fno in range(lo, hi + 1):
                    d = tv.direct.get(fno)
                    if d is None or d[0] != k:
                        extra.add(fno)
    # frames tshark saw no direct TCP in first: the likely ones
    extra_sorted = sorted(extra, key=lambda f: (f in tv.direct, f))
    budget = args.diag_limit
    cand = sorted(cand)[:budget]
    cand_set = set(cand) | set(extra_sorted[:max(0, budget - len(cand))])

    verdicts = {}
    if args.editcap:
        verdicts = tcpclose_frame_verdicts(args.tcpclose, args.editcap, path,
                                           cand_set, args.timeout)
    hints = {}
    # what tcpclose skipped (or saw alone) needs tshark's opinion of damage
    need = [f for f, v in verdicts.items() if v[0] != "ok" or f not in tv.direct]
    if need:
        hints = tshark_hints(args.tshark, path, need, args.timeout)

    # Replay: replace tshark's view of each diagnosed frame by tcpclose's,
    # and see whether the counts then agree.
    adj = defaultdict(lambda: [0, 0, 0])
    for k, c in tv.counts.items():
        adj[k] = list(c)
    for fno in sorted(verdicts):
        v = verdicts[fno]
        cls = classify_frame(fno, tv, v, hints)
        if cls is None:
            continue
        r.classes[cls] += 1
        r.frame_diffs.append((fno, cls, describe_tshark(fno, tv, hints),
                              describe_tcpclose(v),
                              hints.get(fno, (0, "", "", "", 0))[2]))
        if cls == "unresolved":
            continue
        if fno in tv.direct:
            t, fin, rst = tv.direct[fno]
            a = adj[t]
            a[0] -= 1
            a[1] -= fin
            a[2] -= rst
        if v[0] == "ok":
            a = adj[v[1]]
            a[0] += 1
            a[1] += v[2]
            a[2] += v[3]
    left = [k for k in set(adj) | set(cv.counts)
            if list(adj.get(k, [0, 0, 0])) != list(cv.counts.get(k, [0, 0, 0]))]
    if left:
        r.classes["unresolved"] += len(left)
    r.verdict = ("explained" if all(is_explained(c) for c in r.classes)
                 else "disagree")
    return r


def class_key(c):
    """Class name without its detail (unsupported-link:fddi -> unsupported-link)."""
    return c if c.startswith("bug:") else c.split(":", 1)[0]


def report(r, args, out):
    tag = {"agree": "AGREE", "explained": "EXPLAINED", "disagree": "DISAGREE",
           "skip": "SKIP"}[r.verdict]
    if args.quiet and r.verdict in ("agree", "explained", "skip"):
        return
    bits = []
    if r.verdict != "skip":
        bits.append("tcp pkts %d/%d" % r.tcp_pkts)
        bits.append("conns %d/%d" % r.conns)
    if r.conn_diff:
        bits.append("conn-count differs on %d 4-tuple(s)" % r.conn_diff)
    if r.excluded:
        bits.append("not compared: " + ", ".join(
            "%s %d" % kv for kv in sorted(r.excluded.items())))
    if r.classes:
        bits.append("classes: " + ", ".join(
            "%s=%d" % kv for kv in sorted(r.classes.items())))
    if r.note:
        bits.append(r.note)
    out.write("%-9s %s  (%s)\n" % (tag, r.path, "; ".join(bits)))
    if args.verbose:
        for u, a, b in r.conn_diff_tuples[:args.show]:
            out.write("    connections on %s: tcpclose %d, tshark %d\n"
                      % (fmt_tuple(u[0] + u[1]).replace(" > ", " - "), a, b))
    if r.verdict != "disagree" and not args.verbose:
        return
    for k, c, t in r.tuple_diffs[:args.show]:
        out.write("    %s  tcpclose pkts/fins/rsts %d/%d/%d  tshark %d/%d/%d\n"
                  % ((fmt_tuple(k),) + tuple(c) + tuple(t)))
    if len(r.tuple_diffs) > args.show:
        out.write("    ... %d more 4-tuple direction(s)\n"
                  % (len(r.tuple_diffs) - args.show))
    shown = [d for d in r.frame_diffs if args.verbose or not is_explained(d[1])]
    for fno, cls, ts, tc, hint in shown[:args.show]:
        out.write("    frame %d [%s]: tshark %s%s; tcpclose %s\n"
                  % (fno, cls, ts, " {%s}" % hint if hint else "", tc))
    if len(shown) > args.show:
        out.write("    ... %d more frame(s)\n" % (len(shown) - args.show))


def find_tcpclose():
    env = os.environ.get("TCPCLOSE")
    if env:
        return env
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for d in ("build-xcheck", "build", "build-main"):
        p = os.path.join(root, d, "tcpclose")
        if os.access(p, os.X_OK):
            return p
    return shutil.which("tcpclose")


def main():
    ap = argparse.ArgumentParser(
        description="Compare tcpclose's TCP decoding with tshark's: per 4-tuple "
                    "direction packet, FIN and RST counts.")
    ap.add_argument("files", nargs="*", help="capture files (pcap/pcapng)")
    ap.add_argument("--files-from", metavar="FILE",
                    help="read more file names from FILE ('-' = stdin), one per "
                         "line or NUL-separated")
    ap.add_argument("--tcpclose", default=None,
                    help="tcpclose binary (default: $TCPCLOSE, build*/tcpclose, PATH)")
    ap.add_argument("--tshark", default=None, help="tshark binary (default: PATH)")
    ap.add_argument("-q", "--quiet", action="store_true",
                    help="print only disagreements and the summary")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="details for explained differences too")
    ap.add_argument("--show", type=int, default=5,
                    help="4-tuples / frames shown per disagreeing file (5)")
    ap.add_argument("--diag-limit", type=int, default=2000,
                    help="frames decoded one by one per file at most (2000)")
    ap.add_argument("--timeout", type=int, default=300,
                    help="seconds allowed per tshark/tcpclose run (300)")
    ap.add_argument("-j", "--jobs", type=int, default=min(4, os.cpu_count() or 1),
                    help="files checked in parallel")
    ap.add_argument("--skip-no-tcp", action="store_true",
                    help="skip files in which neither side sees any TCP")
    ap.add_argument("--json-summary", metavar="FILE",
                    help="also write the totals and per-file classes as JSON")
    args = ap.parse_args()
    if args.files_from:
        data = (sys.stdin.buffer.read() if args.files_from == "-"
                else open(args.files_from, "rb").read())
        sep = b"\0" if b"\0" in data else b"\n"
        args.files += [x.decode("utf-8", "surrogateescape")
                       for x in data.split(sep) if x.strip()]
    if not args.files:
        ap.error("no capture files given")

    args.tshark = args.tshark or shutil.which("tshark")
    if not args.tshark:
        print("xcheck-tshark: tshark not installed, cross-check skipped")
        return 0
    args.tcpclose = args.tcpclose or find_tcpclose()
    if not args.tcpclose or not os.access(args.tcpclose, os.X_OK):
        print("xcheck-tshark: tcpclose binary not found (build it, or set "
              "--tcpclose / $TCPCLOSE)", file=sys.stderr)
        return 2
    args.editcap = shutil.which("editcap",
                                path=os.path.dirname(args.tshark) + os.pathsep +
                                os.environ.get("PATH", ""))
    if not args.editcap:
        print("xcheck-tshark: editcap not found: differences cannot be "
              "diagnosed per frame", file=sys.stderr)

    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = [ex.submit(compare, f, args) for f in args.files]
        for fut in futs:           # in input order
            r = fut.result()
            report(r, args, sys.stdout)
            sys.stdout.flush()
            results.append(r)

    tot = Counter(r.verdict for r in results)
    cls_files = Counter()
    cls_frames = Counter()
    excl = Counter()
    conn_diff_files = 0
    for r in results:
        for c, n in r.classes.items():
            cls_files[class_key(c)] += 1
            cls_frames[class_key(c)] += n
        excl.update(r.excluded)
        conn_diff_files += bool(r.conn_diff)
    checked = len(results) - tot["skip"]
    print("xcheck-tshark: %d file(s), %d checked: %d agree, %d explained, "
          "%d disagree, %d skipped"
          % (len(results), checked, tot["agree"], tot["explained"],
             tot["disagree"], tot["skip"]))
    if cls_files:
        print("xcheck-tshark: classes (files/frames): " + ", ".join(
            "%s %d/%d" % (c, cls_files[c], cls_frames[c]) for c in sorted(cls_files)))
    if excl:
        print("xcheck-tshark: tshark TCP not compared (packets): " + ", ".join(
            "%s %d" % kv for kv in sorted(excl.items())))
    if conn_diff_files:
        print("xcheck-tshark: connection count per 4-tuple differs in %d file(s) "
              "(informational, not a failure: see docs/xcheck.md)" % conn_diff_files)
    if args.json_summary:
        with open(args.json_summary, "w") as f:
            json.dump({
                "files": len(results), "checked": checked,
                "verdicts": dict(tot),
                "classes_files": dict(cls_files), "classes_frames": dict(cls_frames),
                "not_compared": dict(excl), "conn_count_diff_files": conn_diff_files,
                "per_file": [{"file": r.path, "verdict": r.verdict,
                              "classes": dict(r.classes), "note": r.note,
                              "conn_diff": r.conn_diff}
                             for r in results],
            }, f, indent=1)
    return 1 if tot["disagree"] else 0


if __name__ == "__main__":
    sys.exit(main())
