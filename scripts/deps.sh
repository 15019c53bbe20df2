#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Make sure what tcpclose needs is installed. Decides the way the build
# does: commands on PATH, libraries through pkg-config (what CMake asks).
# Only when something is missing does it look at the package manager: as
# root (or with sudo without a password) apt-get, dnf, apk or pacman install
# it; otherwise, and with Homebrew, it prints the exact command. A missing
# build dependency stops `make` (never half-build on a missing header); a
# missing test extra only warns: the tests that use it skip themselves.
#   deps.sh          what building needs
#   deps.sh test     ... and what the test suite uses when present: tmux
#                    (live view), tcpdump, valgrind, tshark, clang with
#                    libFuzzer (build.fuzz), and libwiretap with its wsutil
#                    and glib headers (build.wiretap builds the optional
#                    -DTC_WIRETAP=ON tcpclose)
#   deps.sh --have KIND:NAME ...
#                    exit 0 if all of them are here, 1 if not; installs
#                    nothing (a test asks what it needs the way this does)
set -u

# What is needed, as "kind:name": cmd = a command, pc = a pkg-config module,
# py = a python3 module, file = a file, fuzzer = clang links a libFuzzer
# target. libzstd is wanted, not needed: the
# build reads zstd-compressed captures only when it is there.
NEED="cmd:cmake cmd:cc cmd:make cmd:pkg-config pc:libpcap pc:ncursesw pc:zlib pc:cmocka"
WANT="pc:libzstd"
if [ "${1:-}" = test ]; then
	WANT="$WANT cmd:tmux cmd:tcpdump cmd:valgrind cmd:tshark cmd:clang-format py:jsonschema file:/usr/share/bash-completion/bash_completion"
	# clang with its libFuzzer runtime: build.fuzz builds the fuzz harnesses.
	WANT="$WANT cmd:clang fuzzer:libfuzzer"
	# libwiretap 4.0 has no pkg-config file: its headers tell.
	WANT="$WANT file:/usr/include/wireshark/wiretap/wtap.h file:/usr/include/wireshark/wsutil/buffer.h pc:glib-2.0"
fi

# Does clang link a libFuzzer target? (The runtime is a package of its own
# on Debian and Fedora.)
fuzzer_links() {
	d=$(mktemp -d) || return 1
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' >"$d/t.c"
	clang -fsanitize=fuzzer "$d/t.c" -o "$d/t" >/dev/null 2>&1
	r=$?
	rm -rf "$d"
	return $r
}

have() {
	case $1 in
	cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
	pc:*) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "${1#pc:}" ;;
	py:*) command -v python3 >/dev/null 2>&1 && python3 -c "import ${1#py:}" 2>/dev/null ;;
	file:*) [ -e "${1#file:}" ] ;;
	fuzzer:*) command -v clang >/dev/null 2>&1 && fuzzer_links ;;
	esac
}

if [ "${1:-}" = --have ]; then
	shift
	for x in "$@"; do
		have "$x" || exit 1
	done
	exit 0
fi

missing_of() {
	m=""
	for x in "$@"; do
		have "$x" || m="$m $x"
	done
	echo "$m"
}

need=$(missing_of $NEED)
want=$(missing_of $WANT)
[ -z "$need$want" ] && exit 0

# The package manager here, and its name for each thing.
pm=""
for p in apt-get dnf apk pacman brew; do
	if command -v "$p" >/dev/null 2>&1; then
		pm=$p
		break
	fi
done

pkg_of() {
	case $pm:$1 in
	*:cmd:cmake) echo cmake ;;
	brew:cmd:cc) echo gcc ;;
	*:cmd:cc) echo gcc ;;
	*:cmd:make) echo make ;;
	dnf:cmd:pkg-config) echo pkgconf-pkg-config ;;
	apk:cmd:pkg-config|pacman:cmd:pkg-config) echo pkgconf ;;
	*:cmd:pkg-config) echo pkg-config ;;
	apt-get:pc:libpcap|apk:pc:libpcap) echo libpcap-dev ;;
	dnf:pc:libpcap) echo libpcap-devel ;;
	*:pc:libpcap) echo libpcap ;;
	apt-get:pc:ncursesw) echo libncurses-dev ;;
	dnf:pc:ncursesw) echo ncurses-devel ;;
	apk:pc:ncursesw) echo ncurses-dev ;;
	*:pc:ncursesw) echo ncurses ;;
	apt-get:pc:cmocka) echo libcmocka-dev ;;
	dnf:pc:cmocka) echo libcmocka-devel ;;
	apk:pc:cmocka) echo cmocka-dev ;;
	*:pc:cmocka) echo cmocka ;;
	apt-get:pc:zlib) echo zlib1g-dev ;;
	dnf:pc:zlib) echo zlib-devel ;;
	apk:pc:zlib) echo zlib-dev ;;
	*:pc:zlib) echo zlib ;;
	apt-get:pc:libzstd) echo libzstd-dev ;;
	dnf:pc:libzstd) echo libzstd-devel ;;
	apk:pc:libzstd) echo zstd-dev ;;
	*:pc:libzstd) echo zstd ;;
	apt-get:py:jsonschema) echo python3-jsonschema ;;
	dnf:py:jsonschema) echo python3-jsonschema ;;
	apk:py:jsonschema) echo py3-jsonschema ;;
	pacman:py:jsonschema) echo python-jsonschema ;;
	*:py:*) echo "python3 module ${1#py:}" ;;
	*:file:*bash_completion) echo bash-completion ;;
	apt-get:fuzzer:*) echo libclang-rt-dev ;;
	dnf:fuzzer:*|apk:fuzzer:*|pacman:fuzzer:*) echo compiler-rt ;;
	brew:fuzzer:*) echo llvm ;;
	*:fuzzer:*) echo "clang's libFuzzer runtime" ;;
	apt-get:file:*/wiretap/wtap.h) echo libwiretap-dev ;;
	apt-get:file:*/wsutil/buffer.h) echo libwsutil-dev ;;
	dnf:file:*/wiretap/wtap.h|dnf:file:*/wsutil/buffer.h) echo wireshark-devel ;;
	*:file:*/wiretap/wtap.h|*:file:*/wsutil/buffer.h) echo "libwiretap (Wireshark's development files)" ;;
	apt-get:pc:glib-2.0) echo libglib2.0-dev ;;
	dnf:pc:glib-2.0) echo glib2-devel ;;
	apk:pc:glib-2.0) echo glib-dev ;;
	*:pc:glib-2.0) echo glib ;;
	dnf:cmd:tshark|pacman:cmd:tshark) echo wireshark-cli ;;
	brew:cmd:tshark) echo wireshark ;;
	*:cmd:*) echo "${1#cmd:}" ;;
	esac
}

pkgs_of() {
	l=""
	for x in "$@"; do
		l="$l $(pkg_of "$x")"
	done
	echo "$l"
}

case $pm in
apt-get) install="apt-get install -y -qq --no-install-recommends"; hint="apt-get update && apt-get install -y" ;;
dnf) install="dnf install -y -q"; hint="dnf install -y" ;;
apk) install="apk add -q"; hint="apk add" ;;
pacman) install="pacman -S --needed --noconfirm"; hint="pacman -S --needed" ;;
brew) install=""; hint="brew install" ;;
*) install=""; hint="your package manager: install" ;;
esac
need_p=$(pkgs_of $need)
want_p=$(pkgs_of $want)

give_up() {
	if [ -n "$need" ]; then
		echo "tcpclose: missing for the build:$(echo "$need" | sed 's/[a-z]*://g')" >&2
		echo "tcpclose: run:  $1$need_p$want_p" >&2
		exit 1
	fi
	echo "tcpclose: optional test tools missing (their tests will be skipped):$(echo "$want" | sed 's/[a-z]*://g')" >&2
	echo "tcpclose: to run them:  $1$want_p" >&2
	exit 0
}

SUDO=""
if [ -z "$install" ]; then
	give_up "$hint"
elif [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		SUDO="sudo -n"
	else
		give_up "sudo $hint"
	fi
fi

echo "tcpclose: installing:$need_p$want_p"
export DEBIAN_FRONTEND=noninteractive
[ "$pm" = apt-get ] && { $SUDO apt-get update -qq >/dev/null 2>&1 || true; }
if [ -n "$need" ] && ! $SUDO $install $need_p >/dev/null; then
	echo "tcpclose: $pm could not install them; run: sudo $hint$need_p" >&2
	exit 1
fi
if [ -n "$want" ] && ! $SUDO $install $want_p >/dev/null 2>&1; then
	echo "tcpclose: could not install optional test tools:$want_p (their tests will be skipped)" >&2
fi
exit 0
