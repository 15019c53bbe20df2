/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hash.h -- the mixing steps behind the core's hashes.
 *
 * tc_hash_fold() is the step of the tables' keyed hashes (flow.c, agg.c):
 * xor a word in, then two rounds of multiply and xor-shift by 32 (the
 * golden-ratio multiplier, then a second odd constant). It is not the
 * splitmix64 finalizer -- different shifts and constants -- but does the same
 * job: every input bit reaches every output bit. Callers start from a
 * per-run seed, so a capture crafted to collide in one run does not collide
 * in the next.
 *
 * tc_splitmix64_fin() is splitmix64's finalizer proper (Steele, Lea and
 * Flood, "Fast splittable pseudorandom number generators", 2014), used to
 * spread an FNV-1a hash over 64 bits for the Zeek uid (zeek.c).
 */
#ifndef TCPCLOSE_HASH_H
#define TCPCLOSE_HASH_H

#include <stdint.h>

/* Fold v into h and mix. */
static inline uint64_t tc_hash_fold(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h;
}

/* splitmix64's output function: a bijection on 64 bits. */
static inline uint64_t tc_splitmix64_fin(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif
