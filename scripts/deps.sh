#!/bin/sh
# Make sure the build packages are installed. Installs them with apt-get
# when it can (root, or sudo without a password); otherwise prints the exact
# command and fails, so `make` never half-builds on a missing header.
set -u
PKGS="cmake gcc make pkg-config libpcap-dev libncurses-dev libcmocka-dev"
# Optional: used by tests when present (live-view test, valgrind step).
OPT_PKGS="tmux tcpdump valgrind"

missing=""
for p in $PKGS $OPT_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	for p in $PKGS; do
		case " $missing " in *" $p "*)
			echo "tcpclose: missing build packages:$missing" >&2
			echo "tcpclose: install them with your package manager and run make again" >&2
			exit 1;;
		esac
	done
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO="sudo -n"
else
	echo "tcpclose: missing packages:$missing" >&2
	echo "tcpclose: run:  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi

echo "tcpclose: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || true
if ! $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
	# Optional packages may be unavailable; the build ones are not.
	$SUDO apt-get install -y -qq --no-install-recommends $PKGS >/dev/null || {
		echo "tcpclose: apt-get install failed; run: sudo apt-get install -y$missing" >&2
		exit 1
	}
fi
exit 0
