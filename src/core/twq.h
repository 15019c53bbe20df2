/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * twq.h -- TIME_WAIT expiries, taken back in time order (agg.c).
 *
 * Every TIME_WAIT socket lasts the same time_wait, so its expiry is its
 * start plus a constant, and the connections reach the aggregator nearly
 * in the order they closed (in report order: up to --linger late, and in
 * id order at the end of the input). An expiry no earlier than the newest
 * queued goes to the end of a FIFO, which keeps them sorted at no cost;
 * one a little earlier is slotted in among the FIFO's last TC_TWQ_SHIFT
 * (on a generated capture of 200k closes, nearly half arrive behind the
 * newest, all but ~1% within 128 places); the few from farther back go to
 * a binary min-heap beside it. tc_twq_pop_due() takes the earlier of the
 * two heads, so the entries come out exactly as from one heap holding
 * them all: every entry whose expiry is <= now, each once.
 *
 * The FIFO is a chain of fixed blocks (one spare kept, the others freed
 * as they empty): it grows without copying and holds no more memory than
 * its entries and two blocks, however it fills and drains. The heap grows
 * by doubling. A push that finds no memory fails (-1) and queues nothing.
 */
#ifndef TCPCLOSE_TWQ_H
#define TCPCLOSE_TWQ_H

#include <stddef.h>
#include <stdint.h>

struct tc_tw {
	int64_t expiry;
	uint32_t host, pair; /* what the expiry gives back (agg.c's indexes) */
};

#define TC_TWQ_BLOCK 1024
#define TC_TWQ_SHIFT 256 /* how far back an expiry is slotted into the FIFO */

struct tc_twblk {
	struct tc_twblk *next;
	struct tc_tw e[TC_TWQ_BLOCK];
};

struct tc_twq {
	/* the FIFO, sorted by expiry: first->e[head] .. last->e[tail - 1] */
	struct tc_twblk *first, *last, *spare;
	size_t head, tail, n;
	struct tc_tw *heap; /* the stragglers */
	size_t nheap, capheap;
};

/* Queue one expiry; 0, or -1 when out of memory (nothing queued). */
int tc_twq_push(struct tc_twq *q, int64_t expiry, uint32_t host, uint32_t pair);

/* Take off one entry whose expiry is <= now into *out: 1, or 0 if none. */
int tc_twq_pop_due(struct tc_twq *q, int64_t now, struct tc_tw *out);

/* The k-th oldest entry of the FIFO if in its first block, else NULL: to
 * prefetch what the next expiries give back. */
static inline const struct tc_tw *tc_twq_ahead(const struct tc_twq *q, size_t k)
{
	size_t end = q->first == q->last ? q->tail : TC_TWQ_BLOCK;
	return q->first && q->head + k < end ? &q->first->e[q->head + k] : NULL;
}

/* Entries queued, and of those the ones in the heap. */
size_t tc_twq_len(const struct tc_twq *q);
size_t tc_twq_stragglers(const struct tc_twq *q);

void tc_twq_free(struct tc_twq *q);

#endif
