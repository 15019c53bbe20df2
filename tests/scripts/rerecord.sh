#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Re-record a fast subset of the real-socket captures and check that the
# fresh recordings get the verdicts their scenarios declare: the path from
# real kernel sockets to the analyzer stays alive, not only the committed
# files. Needs root (capture, network namespaces); skipped (77) otherwise.
#   rerecord.sh TC_RECORD TCPCLOSE
set -u
rec=$1
tc=$2
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: recording needs root"
	exit 77
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/tc-rerecord.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM
scenarios="client_close server_close half_close linger_abort_client refused ipv6_graceful server_forgot tls_close_race shutdown_unread"
# Each scenario is bounded by the recorder's own watchdog; this bounds the lot.
if ! timeout 120 "$rec" --out "$dir" $scenarios; then
	echo "FAIL: the recorder could not reproduce its scenarios"
	exit 1
fi
fail=0
for s in $scenarios; do
	if ! "$tc" -r "$dir/$s.pcap" --expect "$dir/$s.expect"; then
		fail=1
	fi
done
exit $fail
