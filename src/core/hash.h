/*
 * hash.h -- the one mixing step behind the tables' keyed hashes (flow.c,
 * agg.c): the finalizer of splitmix64, which carries every input bit to
 * every output bit. Callers start from a per-run seed, so a capture crafted
 * to collide in one run does not collide in the next.
 */
#ifndef TCPCLOSE_HASH_H
#define TCPCLOSE_HASH_H

#include <stdint.h>

/* Fold v into h and mix. */
static inline uint64_t tc_mix64(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h;
}

#endif
