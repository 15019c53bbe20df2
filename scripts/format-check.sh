#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# format-check.sh -- hold the C sources to .clang-format, as a ratchet.
#
# The code predates .clang-format and clang-format cannot express all of
# the house style (comments aligned at a fixed column, one-line structs),
# so instead of reformatting everything, scripts/format-baseline.txt records
# for each file how many lines clang-format would change today. The check
# fails when a file drifts further than its baseline, or a new file is not
# clean; `scripts/format-check.sh --update` records an improvement (never
# use it to accept a regression). Baseline made with clang-format 14.
#   format-check.sh [--update]      (run from anywhere)
set -u
cd "$(dirname "$0")/.." || exit 1
base=scripts/format-baseline.txt
CF=${CLANG_FORMAT:-clang-format}
command -v "$CF" >/dev/null 2>&1 || { echo "format-check: $CF not found (apt-get install clang-format)" >&2; exit 1; }

files=$(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 2>/dev/null || find src include -name '*.[ch]' | sort)
drift() { "$CF" --style=file "$1" | diff "$1" - | grep -c '^>'; }

if [ "${1:-}" = --update ]; then
	for f in $files; do
		echo "$(drift "$f") $f"
	done >"$base"
	echo "format-check: wrote $base"
	exit 0
fi
bad=0
for f in $files; do
	n=$(drift "$f")
	allowed=$(awk -v f="$f" '$2 == f { print $1 }' "$base")
	[ -n "$allowed" ] || allowed=0
	if [ "$n" -gt "$allowed" ]; then
		echo "format-check: $f: $n lines differ from clang-format, at most $allowed allowed" >&2
		"$CF" --style=file "$f" | diff -u "$f" - | head -30 >&2
		bad=1
	fi
done
[ "$bad" = 0 ] && echo "format-check: ok"
exit $bad
