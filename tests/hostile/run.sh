#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# run.sh -- check tcpclose against the hostile capture corpus.
#
#   run.sh TCPCLOSE CORPUS_DIR [CASE...]
#
# CORPUS_DIR holds the files mkhostile wrote (mkhostile CORPUS_DIR). The
# expectations are in hostile.expect next to this script (its header says
# what each directive means). With no CASE, every case runs. Exit 0 if all
# pass; the failures are listed on stderr.
#
# Each case is run twice, with --format text and --format json. A run that
# dies of a signal (a crash, a sanitizer abort) fails whatever it expected.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 TCPCLOSE CORPUS_DIR [CASE...]" >&2
	exit 2
fi
TC=$1
DIR=$2
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
EXPECT=$HERE/hostile.expect
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hostile.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM

if command -v python3 >/dev/null 2>&1; then HAVE_PY=1; else HAVE_PY=0; fi

fails=0
ran=0

# Escape a string for use inside an ERE.
ere_escape() {
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'
}

fail() {
	echo "FAIL $cname [$fmt]: $*" >&2
	case_failed=1
}

wanted() {
	[ $# -eq 0 ] && return 0
	for w in "$@"; do [ "$w" = "$cname" ] && return 0; done
	return 1
}

# Run the current case in one format; check everything.
run_case() {
	fmt=$1
	file=$DIR/$cname
	efile=$(ere_escape "$file")
	edir=$(ere_escape "$DIR")
	if [ -n "$args" ]; then
		cmdargs=$(printf '%s' "$args" | sed "s|{DIR}|$DIR|g")
	else
		cmdargs="-r $file"
	fi
	# shellcheck disable=SC2086  # word splitting of cmdargs is wanted
	if [ -n "$stdin" ]; then
		"$TC" $cmdargs --format "$fmt" <"$DIR/$stdin" >"$TMP/out" 2>"$TMP/err"
	else
		"$TC" $cmdargs --format "$fmt" </dev/null >"$TMP/out" 2>"$TMP/err"
	fi
	rc=$?
	if [ "$rc" -gt 128 ]; then
		fail "killed by signal $((rc - 128)); stderr:"
		sed 's/^/    /' "$TMP/err" | head -20 >&2
		return
	fi
	if grep -q -E 'runtime error:|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer' "$TMP/err"; then
		fail "sanitizer report:"
		grep -E 'runtime error:|ERROR: ' "$TMP/err" | head -5 | sed 's/^/    /' >&2
	fi
	[ "$rc" = "$exit_want" ] || fail "exit $rc, want $exit_want (stderr: $(head -c 300 "$TMP/err"))"
	if [ "$exit_want" = 1 ] && [ -s "$TMP/out" ]; then
		fail "exit 1 but something was written to stdout"
	fi
	if [ -z "$stderr_res" ]; then
		[ -s "$TMP/err" ] && fail "unexpected stderr: $(head -c 300 "$TMP/err")"
	else
		printf '%s\n' "$stderr_res" | while IFS= read -r re; do
			[ -n "$re" ] || continue
			re=$(printf '%s' "$re" | sed "s|{FILE}|$(printf '%s' "$efile" | sed 's/[|&\\]/\\&/g')|g; s|{DIR}|$(printf '%s' "$edir" | sed 's/[|&\\]/\\&/g')|g")
			grep -q -E -e "$re" "$TMP/err" || echo "stderr has no line matching: $re"
		done >"$TMP/why"
		if [ -s "$TMP/why" ]; then
			fail "$(cat "$TMP/why"); stderr was: $(head -c 400 "$TMP/err")"
		fi
	fi
	if [ "$fmt" = json ]; then
		grep '"type":"summary"' "$TMP/out" >"$TMP/summary"
		if [ "$exit_want" != 1 ] && [ "$(wc -l <"$TMP/summary")" -ne 1 ]; then
			fail "want exactly one summary record, got $(wc -l <"$TMP/summary")"
		fi
		printf '%s\n' "$json_has" | while IFS= read -r t; do
			[ -n "$t" ] || continue
			t=$(printf '%s' "$t" | sed "s|{FILE}|$(printf '%s' "$file" | sed 's/[|&\\]/\\&/g')|g; s|{DIR}|$(printf '%s' "$DIR" | sed 's/[|&\\]/\\&/g')|g")
			grep -q -F -e "$t" "$TMP/summary" || echo "summary lacks: $t"
		done >"$TMP/why"
		printf '%s\n' "$json_not" | while IFS= read -r t; do
			[ -n "$t" ] || continue
			if grep -q -F -e "$t" "$TMP/out"; then
				echo "output has: $(grep -F -e "$t" "$TMP/out" | head -1 | cut -c1-200)"
			fi
		done >>"$TMP/why"
		[ -s "$TMP/why" ] && fail "$(cat "$TMP/why")"
		if [ -n "$conns_want" ]; then
			n=$(grep -c '"type":"conn"' "$TMP/out")
			[ "$n" = "$conns_want" ] || fail "$n conn records, want $conns_want"
		fi
		if [ "$HAVE_PY" = 1 ] && [ -s "$TMP/out" ]; then
			python3 -c '
import json, sys
for i, line in enumerate(open(sys.argv[1], encoding="utf-8", errors="strict"), 1):
    try:
        json.loads(line)
    except Exception as e:
        print("line %d is not JSON: %s" % (i, e)); sys.exit(1)
' "$TMP/out" >"$TMP/why" 2>&1 || fail "$(cat "$TMP/why")"
		fi
	else
		printf '%s\n' "$text_res" | while IFS= read -r re; do
			[ -n "$re" ] || continue
			re=$(printf '%s' "$re" | sed "s|{FILE}|$(printf '%s' "$efile" | sed 's/[|&\\]/\\&/g')|g")
			grep -q -E -e "$re" "$TMP/out" || echo "text report has no line matching: $re"
		done >"$TMP/why"
		[ -s "$TMP/why" ] && fail "$(cat "$TMP/why")"
	fi
}

finish_case() {
	[ -n "$cname" ] || return 0
	if wanted "$@"; then
		if [ -z "$args" ] && [ -z "$stdin" ] && [ ! -e "$DIR/$cname" ]; then
			echo "FAIL $cname: no such file in $DIR (run mkhostile $DIR)" >&2
			fails=$((fails + 1))
		else
			case_failed=0
			run_case text
			run_case json
			ran=$((ran + 1))
			if [ "$case_failed" = 1 ]; then
				fails=$((fails + 1))
			else
				echo "ok   $cname"
			fi
		fi
	fi
	cname=
}

cname=
nl='
'
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	'#'* | '') continue ;;
	esac
	key=${line%% *}
	val=${line#* }
	case $key in
	case)
		finish_case "$@"
		cname=$val
		args='' stdin='' exit_want=0 stderr_res='' json_has='' json_not='' conns_want='' text_res=''
		;;
	args) args=$val ;;
	stdin) stdin=$val ;;
	exit) exit_want=$val ;;
	stderr) stderr_res=$stderr_res$val$nl ;;
	json) json_has=$json_has$val$nl ;;
	nojson) json_not=$json_not$val$nl ;;
	conns) conns_want=$val ;;
	text) text_res=$text_res$val$nl ;;
	*)
		echo "hostile.expect: unknown directive: $line" >&2
		exit 2
		;;
	esac
done <"$EXPECT"
finish_case "$@"

if [ "$ran" = 0 ] && [ "$fails" = 0 ]; then
	echo "no case matched: $*" >&2
	exit 2
fi
echo "$ran cases, $fails failed"
[ "$fails" = 0 ]
