#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""wild-resets.py -- every reset and trailing RST in the wild traces, with its cause.

A developer check: runs tcpclose --format json over every file in
../shared/wild-traces/ (relative to the project root) and lists each
connection that ended with an RST -- close=reset, or graceful with a
trailing_rst -- one per line:

    FILE  CONN-ID  reset|trailing  BY  CAUSE  explanation

then a summary: how many resets and trailing RSTs, by cause, and how many
carry the notes forged_rst_ignored, capture_lost_span, two_ttls. Exit status 0
when it ran, 1 when tcpclose failed on a file, 77 (skip) when the traces are
absent (a user's clone has no ../shared), 2 on a setup error.

usage: wild-resets.py [--tcpclose BIN] [--dir DIR] [--quiet] [--cause C]
"""
import argparse
import collections
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# Notes worth a count of their own: a forged RST the receiver ignored, a
# rule not applied because the capture lost segments before the RST.
WATCHED_NOTES = ("forged_rst_ignored", "capture_lost_span", "two_ttls")


def find_tcpclose():
    for d in (os.environ.get("BUILD", "build"), "build", "build-xcheck"):
        p = os.path.join(ROOT, d, "tcpclose")
        if os.access(p, os.X_OK):
            return p
    return None


def default_dir():
    # ../shared beside the clone; a git worktree sits one level deeper.
    up = os.path.dirname(ROOT)
    for base in (up, os.path.dirname(up)):
        d = os.path.join(base, "shared", "wild-traces")
        if os.path.isdir(d):
            return d
    return os.path.join(up, "shared", "wild-traces")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tcpclose", default=os.environ.get("TCPCLOSE") or find_tcpclose())
    ap.add_argument("--dir", default=os.environ.get("WILD_DIR") or default_dir())
    ap.add_argument("--quiet", action="store_true", help="summary only")
    ap.add_argument("--cause", help="list only connections with this cause")
    a = ap.parse_args()

    if not os.path.isdir(a.dir):
        print("wild-resets: %s not present, skipped" % a.dir)
        return 77
    if not a.tcpclose or not os.access(a.tcpclose, os.X_OK):
        print("wild-resets: no tcpclose binary: build it (or set TCPCLOSE)", file=sys.stderr)
        return 2

    kinds = collections.Counter()
    notes = collections.Counter()  # the notes that qualify a cause
    causes = {"reset": collections.Counter(), "trailing": collections.Counter()}
    failed = 0
    for name in sorted(os.listdir(a.dir)):
        path = os.path.join(a.dir, name)
        if not os.path.isfile(path):
            continue
        try:
            r = subprocess.run([a.tcpclose, "-r", path, "--format", "json"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               timeout=60)
        except subprocess.TimeoutExpired:
            print("wild-resets: %s: tcpclose timed out" % name)
            failed += 1
            continue
        if r.returncode not in (0, 1, 2):
            print("wild-resets: %s: tcpclose exited %d" % (name, r.returncode))
            failed += 1
            continue
        for line in r.stdout.decode("utf-8", "replace").splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("type") != "conn":
                continue
            tr = rec.get("trailing_rst")
            if rec.get("close") == "reset":
                kind, by, cause = "reset", rec.get("reset_by"), rec.get("cause")
            elif tr:
                kind, by, cause = "trailing", tr.get("by"), tr.get("cause")
            else:
                continue
            if rec.get("opened") == "refused":
                cause = cause or "refused"
            kinds[kind] += 1
            causes[kind][cause] += 1
            for n in (rec.get("evidence") or {}).get("notes") or []:
                if n in WATCHED_NOTES:
                    notes[n] += 1
            if a.quiet or (a.cause and a.cause != cause):
                continue
            why = ((rec.get("evidence") or {}).get("explain") or "").replace("\n", " ")
            print("%-50s %4s %-8s %-6s %-17s %s" % (name, rec.get("id"), kind, by, cause, why))

    for kind in ("reset", "trailing"):
        c = causes[kind]
        print("wild-resets: %d %s connection(s): %s" % (
            kinds[kind], "reset" if kind == "reset" else "graceful-with-trailing-RST",
            ", ".join("%s %d" % (k, v) for k, v in sorted(c.items(), key=lambda kv: (-kv[1], str(kv[0]))))
            or "none"))
    print("wild-resets: notes: %s" % ", ".join("%s %d" % (n, notes[n]) for n in WATCHED_NOTES))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
