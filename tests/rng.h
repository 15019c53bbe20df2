/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rng.h -- the tests' deterministic generator (xorshift64*): the same
 * sequence on every run and machine, so a failure found once is found
 * again.
 */
#ifndef TCPCLOSE_TESTS_RNG_H
#define TCPCLOSE_TESTS_RNG_H

#include <stdint.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static inline uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

#endif
