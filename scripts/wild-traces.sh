#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# wild-traces.sh -- developer check: tcpclose over real-world traces.
#
# Runs tcpclose over every file in ../shared/wild-traces/ (relative to the
# project root), each run under `timeout`, and fails on a crash (signal), a
# hang (timeout) or an exit status other than 0/1/2. Then cross-checks the
# decoding against tshark (scripts/xcheck-tshark.py) on the files with TCP
# in them, and prints a summary. Not part of `make test`: a user's clone has
# no wild-traces directory, and then this says so and exits 0.
#
# Environment: TCPCLOSE (binary; default $BUILD/tcpclose, build/tcpclose,
# build-xcheck/tcpclose), WILD_DIR (trace directory), WILD_TIMEOUT (seconds
# per run, default 20), XCHECK_ARGS (extra arguments for the cross-check,
# e.g. "-v").
#
# Exit status: 0 no crash, hang or bad exit and no unexplained disagreement
# with tshark; 1 otherwise; 2 setup error (no tcpclose binary).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WILD_DIR=${WILD_DIR:-$(cd "$ROOT/.." && pwd)/shared/wild-traces}
TMO=${WILD_TIMEOUT:-20}

if [ ! -d "$WILD_DIR" ]; then
	echo "wild-traces: $WILD_DIR not present, skipped"
	exit 0
fi

TC=${TCPCLOSE:-}
if [ -z "$TC" ]; then
	for d in "${BUILD:-build}" build build-xcheck build-main; do
		if [ -x "$ROOT/$d/tcpclose" ]; then TC=$ROOT/$d/tcpclose; break; fi
	done
fi
if [ -z "$TC" ] || [ ! -x "$TC" ]; then
	echo "wild-traces: no tcpclose binary: run make (or set TCPCLOSE)" >&2
	exit 2
fi

# Sanitizer builds report with exit status 1 by default, which is also
# "unreadable input": make them distinguishable.
ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=99}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=99:halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wild-traces.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM

files=0 crashes=0 hangs=0 badexit=0 ex0=0 ex1=0 ex2=0
: > "$TMP/ok.list"

# one run: $1 file, $2.. extra arguments; sets $rc
run_one() {
	f=$1; shift
	timeout -k 5 "$TMO" "$TC" -r "$f" "$@" > /dev/null 2> "$TMP/stderr"
	rc=$?
}

for f in "$WILD_DIR"/*; do
	[ -f "$f" ] || continue
	files=$((files + 1))
	bad=""
	# both report writers: the JSON one and the text one with every connection
	for mode in json text; do
		if [ "$mode" = json ]; then run_one "$f" --format json
		else run_one "$f" -v --color=never
		fi
		case $rc in
		0|1|2) ;;
		124|137)
			bad="hang (timeout ${TMO}s, $mode)"; hangs=$((hangs + 1)); break ;;
		*)
			if [ "$rc" -gt 128 ] || [ "$rc" -eq 99 ]; then
				bad="crash (exit $rc, $mode)"; crashes=$((crashes + 1))
			else
				bad="bad exit $rc ($mode)"; badexit=$((badexit + 1))
			fi
			break ;;
		esac
	done
	if [ -n "$bad" ]; then
		nfail=$((crashes + hangs + badexit))
		if [ "$nfail" -le 20 ]; then
			echo "wild-traces: FAIL $(basename "$f"): $bad"
			grep -m 3 -E 'ERROR|runtime error|SUMMARY|tcpclose:' "$TMP/stderr" |
				sed 's/^/    /'
		elif [ "$nfail" -eq 21 ]; then
			echo "wild-traces: (further failures are counted, not listed)"
		fi
		continue
	fi
	case $rc in 0) ex0=$((ex0 + 1));; 1) ex1=$((ex1 + 1));; 2) ex2=$((ex2 + 1));; esac
	printf '%s\0' "$f" >> "$TMP/ok.list"
done

echo "wild-traces: $files files; tcpclose: $crashes crash(es), $hangs hang(s)," \
     "$badexit bad exit(s); exit 0: $ex0, 1 (unreadable): $ex1, 2 (damaged): $ex2"

# Cross-check the files tcpclose survived; --skip-no-tcp leaves out those in
# which neither tcpclose nor tshark sees any TCP.
xrc=0
if [ -s "$TMP/ok.list" ]; then
	# shellcheck disable=SC2086
	python3 "$ROOT/scripts/xcheck-tshark.py" --quiet --skip-no-tcp \
		--tcpclose "$TC" --timeout 120 -j "$(nproc 2>/dev/null || echo 2)" \
		--json-summary "$TMP/xcheck.json" --files-from "$TMP/ok.list" \
		${XCHECK_ARGS:-}
	xrc=$?
	if [ -s "$TMP/xcheck.json" ]; then
		python3 - "$TMP/xcheck.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
v = d["verdicts"]
print("wild-traces: cross-check over %d file(s) with TCP: %d agree, %d explained, "
      "%d disagree" % (d["checked"], v.get("agree", 0), v.get("explained", 0),
                       v.get("disagree", 0)))
cf, fr = d["classes_files"], d["classes_frames"]
if cf:
    print("wild-traces: differences by kind (files, frames):")
    for c in sorted(cf, key=lambda c: (c.startswith("bug") or c in (
            "unresolved", "frames-read", "tcpclose-failed"), c)):
        print("    %-22s %4d file(s) %7d frame(s)" % (c, cf[c], fr[c]))
nc = d.get("not_compared") or {}
if nc:
    print("wild-traces: tshark TCP not compared: " +
          ", ".join("%s %d" % kv for kv in sorted(nc.items())))
EOF
	fi
fi

if [ "$crashes" -ne 0 ] || [ "$hangs" -ne 0 ] || [ "$badexit" -ne 0 ]; then
	echo "wild-traces: FAILED (crash, hang or bad exit; see above)"
	exit 1
fi
if [ "$xrc" -ne 0 ]; then
	echo "wild-traces: FAILED (unexplained disagreement with tshark; see above)"
	exit 1
fi
echo "wild-traces: ok"
exit 0
