#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# seeds.sh SRCDIR -- every hash key in the front ends comes from
# tc_random_seed() (getentropy): none is derived from the clock, which an
# attacker sending live traffic can guess.
set -u
SRC=$1
bad=$(grep -rn "hash_seed *=" "$SRC/src" | grep -v "= *tc_random_seed()" | grep -v "src/core/")
if [ -n "$bad" ]; then
	echo "FAIL [seeds]: hash seeds not from tc_random_seed():" >&2
	echo "$bad" >&2
	exit 1
fi
grep -q "getentropy" "$SRC/src/report/pipeline.c" || { echo "FAIL [seeds]: tc_random_seed without getentropy" >&2; exit 1; }
exit 0
