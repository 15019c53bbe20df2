#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# options.sh -- the command line is documented: --help fits one screen (24
# lines of 80 columns), and every option in src/main.c (the getopt string
# and the long option table) is in --help, the man page and the README, and
# is used by some test under tests/cli.
. "$(dirname "$0")/lib.sh"

run 0 --help
cp "$TMP/out" "$TMP/help"
lines=$(wc -l <"$TMP/help")
[ "$lines" -le 24 ] || fail "--help is $lines lines, more than a screen (24)"
wide=$(awk 'length($0) > 80' "$TMP/help")
[ -z "$wide" ] || fail "--help has lines over 80 columns: $wide"
[ ! -s "$TMP/err" ] || fail "--help wrote to stderr"
run 0 -h
cmp -s "$TMP/out" "$TMP/help" || fail "-h and --help differ"

run 0 --version
contains "$TMP/out" "tcpclose "
contains "$TMP/out" "libpcap version"

main=$SRC/src/main.c
[ -r "$main" ] || fail "no $main"
# Short options: the getopt_long string, without the colons and the '+'.
shorts=$(sed -n 's/.*getopt_long(argc, argv, "+\([^"]*\)".*/\1/p' "$main" | tr -d ':')
[ -n "$shorts" ] || fail "cannot find the getopt string in main.c"
# Long options: the first member of each longopts entry.
longs=$(sed -n '/longopts\[\] = {/,/{NULL, 0, NULL, 0}/p' "$main" |
	sed -n 's/^[[:space:]]*{"\([a-z-]*\)",.*/\1/p')
[ -n "$longs" ] || fail "cannot find the long option table in main.c"
aliases="colour"    # spellings of another option: man page and README only

man=$SRC/docs/tcpclose.1
readme=$SRC/README.md
tests=$(ls "$SRC"/tests/cli/*.sh | grep -v -e '/options.sh$' -e '/lib.sh$')

for c in $(echo "$shorts" | sed 's/./& /g'); do
	grep -qE -- "(^|[[ ,(])-[a-zA-Z]*$c([] ,:]|\$)" "$TMP/help" || fail "--help lacks -$c"
	grep -qF -- ".B \\-$c" "$man" || grep -qF -- ".BI \\-$c " "$man" ||
		grep -qF -- ".BR \\-$c " "$man" || fail "man page lacks -$c"
	grep -qF -- "\`-$c" "$readme" || fail "README lacks -$c"
	# shellcheck disable=SC2086
	grep -qE -- "[ \"']-$c( |\"|'|\$)" $tests || fail "no test in tests/cli uses -$c"
done
for l in $longs; do
	case " $aliases " in
	*" $l "*) ;;
	*) grep -qF -- "--$l" "$TMP/help" || fail "--help lacks --$l" ;;
	esac
	esc=$(echo "$l" | sed 's/-/\\-/g')
	grep -qF -- "\\-\\-$esc" "$man" || fail "man page lacks --$l"
	grep -qF -- "--$l" "$readme" || fail "README lacks --$l"
	# shellcheck disable=SC2086
	grep -qF -- "--$l" $tests || fail "no test in tests/cli uses --$l"
done

# Every output format is named in the help and the man page.
for f in text json csv zeek; do
	grep -qw "$f" "$TMP/help" || fail "--help lacks format $f"
	grep -qF ".SS $f" "$man" || fail "man page has no section for format $f"
done
pass
