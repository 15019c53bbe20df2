#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""lossy_score.py -- score close classes on a degraded capture against the clean one.

  lossy_score.py CLEAN.json DEGRADED.json [--naive DEGRADED.tshark] [--label L]

CLEAN.json and DEGRADED.json are `tcpclose --format json` outputs. A
connection is the unordered pair of its endpoints (bench/gen.c never reuses
a 4-tuple, and the roles may swap when the capture lost the first frames).
The truth is the clean copy's close class (equal to tc-gen's ground truth:
lossy.sh checks it with --expect first). A connection of the clean copy that
is absent from the degraded one (every frame lost) counts as wrong; when the
degraded copy splits a connection into several records, the first one is
scored and the others are counted as phantoms.

--naive scores a per-direction FIN/RST counter over tshark fields
(src, srcport, dst, dstport, fin, rst; one frame a line): any RST means
reset, a FIN from both sides graceful, from one side half_closed, else open.

Prints one line of JSON with the figures.
"""
import json
import sys


def key(a, ap, b, bp):
    x, y = (a, int(ap)), (b, int(bp))
    return (x, y) if x <= y else (y, x)


def load(path):
    recs, phantoms = {}, 0
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") != "conn":
                continue
            k = key(r["client"]["ip"], r["client"]["port"], r["server"]["ip"], r["server"]["port"])
            if k in recs:
                phantoms += 1
                if r["first_ts"] >= recs[k]["first_ts"]:
                    continue
            recs[k] = r
    return recs, phantoms


def naive(path):
    c = {}
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 6 or not p[1] or not p[3]:
                continue
            src, sp, dst, dp, fin, rst = p[:6]
            k = key(src, sp, dst, dp)
            d = c.setdefault(k, [set(), False])
            if fin in ("1", "True"):
                d[0].add((src, int(sp)))
            if rst in ("1", "True"):
                d[1] = True
    out = {}
    for k, (fins, rst) in c.items():
        out[k] = "reset" if rst else "graceful" if len(fins) == 2 else "half_closed" if fins else "open"
    return out


def main(argv):
    label, nv = "", None
    args = []
    i = 1
    while i < len(argv):
        if argv[i] == "--naive":
            nv = argv[i + 1]
            i += 2
        elif argv[i] == "--label":
            label = argv[i + 1]
            i += 2
        else:
            args.append(argv[i])
            i += 1
    clean, _ = load(args[0])
    deg, phantoms = load(args[1])
    total = len(clean)
    right = missing = 0
    confusion = {}
    inferred = one_way = 0
    for k, r in clean.items():
        d = deg.get(k)
        if d is None:
            missing += 1
            continue
        if d.get("inferred"):
            inferred += 1
        if d.get("one_way"):
            one_way += 1
        if d["close"] == r["close"]:
            right += 1
        else:
            t = r["close"] + "->" + d["close"]
            confusion[t] = confusion.get(t, 0) + 1
    res = {"label": label, "connections": total, "right": right, "share": right / total if total else 0,
           "missing": missing, "phantoms": phantoms, "inferred": inferred, "one_way": one_way,
           "wrong": dict(sorted(confusion.items(), key=lambda x: -x[1]))}
    if nv:
        nres = naive(nv)
        nright = sum(1 for k, r in clean.items() if nres.get(k) == r["close"])
        res["naive_right"] = nright
        res["naive_share"] = nright / total if total else 0
    print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv)
