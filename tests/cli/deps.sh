#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# deps.sh SRCDIR -- scripts/deps.sh decides by what the build uses (commands
# and pkg-config), not by dpkg: with everything present and no dpkg or
# apt-get on PATH it says nothing and succeeds; with something missing it
# gives, or runs as root, the install line of the package manager there.
# Package managers, pkg-config's answer and id are stand-ins on a PATH of
# its own: nothing is installed.
set -u
SRC=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tcpclose-deps.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
fail() {
	echo "FAIL [deps]: $*" >&2
	exit 1
}
mkdir "$TMP/bin"
for c in sh sed grep cmake cc make pkg-config cat; do
	p=$(command -v "$c") || { echo "SKIP [deps]: no $c"; exit 77; }
	ln -s "$p" "$TMP/bin/$c"
done
deps() {
	PATH=$TMP/bin sh "$SRC/scripts/deps.sh" "$@" >"$TMP/out" 2>&1
}

# 1. All there, no dpkg-query, no apt-get: nothing to do.
deps || fail "everything present, but: $(cat "$TMP/out")"
[ ! -s "$TMP/out" ] || fail "everything present, but it said: $(cat "$TMP/out")"

# pkg-config without cmocka.
real=$(command -v pkg-config)
rm "$TMP/bin/pkg-config"
cat >"$TMP/bin/pkg-config" <<SH
#!/bin/sh
for a in "\$@"; do [ "\$a" = cmocka ] && exit 1; done
exec $real "\$@"
SH
chmod +x "$TMP/bin/pkg-config"

# 2. dnf, not root, no sudo: the dnf line, and make stops.
printf '#!/bin/sh\necho 1000\n' >"$TMP/bin/id"
printf '#!/bin/sh\necho dnf "$@" >>%s/ran\n' "$TMP" >"$TMP/bin/dnf"
chmod +x "$TMP/bin/id" "$TMP/bin/dnf"
deps && fail "cmocka missing, yet it succeeded"
grep -q "run:  sudo dnf install -y libcmocka-devel" "$TMP/out" || fail "no dnf line: $(cat "$TMP/out")"
[ ! -e "$TMP/ran" ] || fail "ran dnf without being root"

# 3. apt-get as root: it installs (make test on Debian).
rm "$TMP/bin/dnf"
printf '#!/bin/sh\necho 0\n' >"$TMP/bin/id"
printf '#!/bin/sh\necho apt-get "$@" >>%s/ran\n' "$TMP" >"$TMP/bin/apt-get"
chmod +x "$TMP/bin/apt-get"
deps || fail "apt-get as root: $(cat "$TMP/out")"
grep -q "apt-get install .*libcmocka-dev" "$TMP/ran" || fail "apt-get not run: $(cat "$TMP/ran" 2>/dev/null)"
exit 0
