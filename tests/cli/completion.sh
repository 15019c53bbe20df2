#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# completion.sh BIN SRCDIR -- the bash completion (contrib/tcpclose.bash)
# completes options, --format and --only values (after a comma too) and
# interfaces for -i, and offers every option src/main.c has. Skipped (77)
# without bash-completion.
set -u
BIN=$1
SRC=$2
BC=/usr/share/bash-completion/bash_completion
fail() {
	echo "FAIL [completion]: $*" >&2
	exit 1
}
[ -r "$BC" ] || { echo "SKIP [completion]: no bash-completion" >&2; exit 77; }
# shellcheck disable=SC1090
. "$BC"
# shellcheck disable=SC1091
. "$SRC/contrib/tcpclose.bash"

# complete WORDS...: COMPREPLY for the last word, one per line, sorted.
complete_words() {
	COMP_WORDS=("$BIN" "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_tcpclose "$BIN" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

[ "$(complete_words --form)" = "--format" ] || fail "--form does not complete to --format"
[ "$(complete_words --format c | tr '\n' ' ')" = "csv " ] || fail "--format c: $(complete_words --format c)"
got=$(complete_words --only ha | tr '\n' ' ')
[ "$got" = "half_closed handshake_abort " ] || fail "--only ha: $got"
got=$(complete_words --only reset,ab | tr '\n' ' ')
[ "$got" = "reset,abortive_close " ] || fail "--only reset,ab: $got"
complete_words -i l | grep -qx lo || fail "-i l does not offer lo"
complete_words -i a | grep -qx any || fail "-i a does not offer any"
[ "$(complete_words --color=n)" = "never" ] || fail "--color=n: $(complete_words --color=n)"

# Every option of main.c is offered.
main=$SRC/src/main.c
shorts=$(sed -n 's/.*getopt_long(argc, argv, "+\([^"]*\)".*/\1/p' "$main" | tr -d ':+')
longs=$(sed -n '/longopts\[\] = {/,/{NULL, 0, NULL, 0}/p' "$main" |
	sed -n 's/^[[:space:]]*{"\([a-z-]*\)",.*/\1/p')
all=$(complete_words -)
all="$all
$(complete_words --)"
for c in $(echo "$shorts" | sed 's/./& /g'); do
	grep -qx -- "-$c" <<<"$all" || fail "completion lacks -$c"
done
for l in $longs; do
	grep -qx -- "--$l" <<<"$all" || fail "completion lacks --$l"
done
exit 0
