#!/bin/sh
# Make sure the packages tcpclose needs are installed. Installs them with
# apt-get when it can (root, or sudo without a password); otherwise prints
# the exact command. A missing build package stops `make` (never half-build
# on a missing header); a missing test extra only warns: the tests that use
# it skip themselves.
#   deps.sh          what building needs
#   deps.sh test     ... and what the test suite uses when present: tmux
#                    (live view), valgrind, tshark (decoding cross-check)
set -u
PKGS="cmake gcc make pkg-config libpcap-dev libncurses-dev zlib1g-dev libzstd-dev libcmocka-dev"
OPT_PKGS=""
if [ "${1:-}" = test ]; then
	OPT_PKGS="tmux tcpdump valgrind tshark python3-jsonschema bash-completion"
fi

missing_of() {
	m=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || m="$m $p"
	done
	echo "$m"
}

need=$(missing_of $PKGS)
want=$(missing_of $OPT_PKGS)
[ -z "$need$want" ] && exit 0

give_up() {
	if [ -n "$need" ]; then
		echo "tcpclose: missing build packages:$need" >&2
		echo "tcpclose: run:  $1$need$want" >&2
		exit 1
	fi
	echo "tcpclose: optional test packages missing (their tests will be skipped):$want" >&2
	echo "tcpclose: to run them:  $1$want" >&2
	exit 0
}

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
	give_up "your package manager: install"
fi
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO="sudo -n"
else
	give_up "sudo apt-get update && sudo apt-get install -y"
fi

echo "tcpclose: installing:$need$want"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || true
if [ -n "$need" ] && ! $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null; then
	echo "tcpclose: apt-get install failed; run: sudo apt-get install -y$need" >&2
	exit 1
fi
if [ -n "$want" ] && ! $SUDO apt-get install -y -qq --no-install-recommends $want >/dev/null 2>&1; then
	echo "tcpclose: could not install optional test packages:$want (their tests will be skipped)" >&2
fi
exit 0
