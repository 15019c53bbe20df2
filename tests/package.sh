#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# package.sh CPACK BUILDDIR -- `make package` builds a .deb that dpkg installs
# and that runs: the package is built from BUILDDIR's configuration into a
# scratch directory, its dependencies name the libraries the binary links
# (libpcap0.8, libncursesw6), dpkg accepts it against this system's
# packages (--dry-run), it is installed into a scratch root (dpkg --root)
# and `tcpclose --version` runs from a fresh directory, with the man page
# and the bash completion where they belong. Needs root and dpkg (77
# otherwise).
set -u
CPACK=$1
BUILD=$2
fail() {
	echo "FAIL [package]: $*" >&2
	exit 1
}
skip() {
	echo "SKIP [package]: $*" >&2
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root (dpkg)"
for t in dpkg dpkg-deb dpkg-shlibdeps; do
	command -v $t >/dev/null 2>&1 || skip "no $t"
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tcpclose-package.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM

"$CPACK" -G DEB --config "$BUILD/CPackConfig.cmake" -B "$TMP/out" >"$TMP/cpack.log" 2>&1 ||
	fail "cpack: $(cat "$TMP/cpack.log")"
deb=$(ls "$TMP"/out/tcpclose_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no .deb made: $(cat "$TMP/cpack.log")"

deps=$(dpkg-deb -f "$deb" Depends)
for d in libpcap0.8 libncursesw6 libc6; do
	echo "$deps" | grep -q "\\b$d\\b" || fail "Depends lacks $d: $deps"
done
dpkg --dry-run -i "$deb" >"$TMP/dry.log" 2>&1 || fail "dpkg would not install it here: $(cat "$TMP/dry.log")"

# A scratch root with an empty dpkg database; the libraries are the host's.
root=$TMP/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/log"
: >"$root/var/lib/dpkg/status"
dpkg --root="$root" --force-depends --force-script-chrootless -i "$deb" >"$TMP/inst.log" 2>&1 ||
	fail "dpkg --root -i: $(cat "$TMP/inst.log")"
dpkg --root="$root" -s tcpclose | grep -q '^Status: install ok installed' || fail "not installed"
mkdir "$TMP/fresh"
(cd "$TMP/fresh" && "$root/usr/bin/tcpclose" --version) >"$TMP/ver" 2>&1 ||
	fail "installed tcpclose --version failed: $(cat "$TMP/ver")"
grep -q '^tcpclose [0-9]' "$TMP/ver" || fail "--version said: $(cat "$TMP/ver")"
grep -q 'libpcap version' "$TMP/ver" || fail "--version said: $(cat "$TMP/ver")"
[ -f "$root/usr/share/man/man1/tcpclose.1" ] || [ -f "$root/usr/share/man/man1/tcpclose.1.gz" ] ||
	fail "no man page installed"
[ -f "$root/usr/share/bash-completion/completions/tcpclose" ] || fail "no bash completion installed"
[ -f "$root/usr/share/doc/tcpclose/copyright" ] || fail "no copyright file installed"
dpkg --root="$root" --force-script-chrootless -P tcpclose >/dev/null 2>&1 || fail "dpkg -P failed"
[ ! -e "$root/usr/bin/tcpclose" ] || fail "purge left the binary"
exit 0
