#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Decoding cross-checked against tshark on every capture of the corpus
# (connections, per-direction packets, FINs and RSTs). Skipped (77) where
# tshark or python3 is not installed: neither is a build dependency.
#   xcheck.sh SRCDIR TCPCLOSE
set -u
src=$1
tc=$2
command -v tshark >/dev/null 2>&1 || { echo "skipped: tshark not installed"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 not installed"; exit 77; }
exec timeout 600 python3 "$src/scripts/xcheck-tshark.py" --tcpclose "$tc" -q \
	"$src"/captures/*.pcap "$src"/captures/*.pcapng
