# SPDX-License-Identifier: BSD-3-Clause
# lib.sh -- shared by the tests/cli scripts (POSIX sh). Sourced with
#   . "$(dirname "$0")/lib.sh" BIN SRCDIR
# BIN is the tcpclose under test, SRCDIR the project root (captures/, docs/).
set -u
BIN=$1
SRC=$2
CAP=$SRC/captures
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tcpclose-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
NAME=$(basename "$0" .sh)

fail() {
	echo "FAIL [$NAME]: $*" >&2
	exit 1
}

# skip WHY: part of the script cannot run here (a tool is missing). It goes
# on with the rest; pass then exits 77, which CTest (SKIP_RETURN_CODE)
# reports as skipped instead of passed.
SKIPPED=
skip() {
	echo "SKIP [$NAME]: $*" >&2
	SKIPPED=1
}

# pass: the end of a script that did not fail.
pass() {
	[ -z "$SKIPPED" ] || exit 77
	exit 0
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# run EXPECTED_RC ARGS...: run tcpclose, stdout to $TMP/out, stderr to
# $TMP/err; fail unless the exit status is EXPECTED_RC.
run() {
	want=$1
	shift
	"$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq "$want" ] || {
		sed 's/^/  stderr: /' "$TMP/err" >&2
		fail "tcpclose $* exited $rc, expected $want"
	}
}

# contains FILE STRING: the file has the string (fixed, not a regex).
contains() {
	grep -qF -- "$2" "$1" || {
		sed 's/^/  | /' "$1" | head -20 >&2
		fail "$1 lacks: $2"
	}
}

lacks() {
	if grep -qF -- "$2" "$1"; then
		fail "$1 has: $2"
	fi
}

# A mini zeek-cut: print the named columns of a Zeek log on stdin, found by
# the #fields line, as zeek-cut does. Fails on an unknown column name.
zcut() {
	awk -F '\t' -v cols="$*" '
		BEGIN { n = split(cols, want, " ") }
		/^#fields\t/ { for (i = 2; i <= NF; i++) idx[$i] = i - 1; next }
		/^#/ { next }
		{
			out = ""
			for (j = 1; j <= n; j++) {
				if (!(want[j] in idx)) { print "no column " want[j] > "/dev/stderr"; exit 1 }
				out = out (j > 1 ? "\t" : "") $(idx[want[j]])
			}
			print out
		}'
}
