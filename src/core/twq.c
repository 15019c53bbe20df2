/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * twq.c -- TIME_WAIT expiries: an in-order FIFO of blocks and a heap for
 * the stragglers (twq.h).
 */
#include "twq.h"

#include <stdlib.h>
#include <string.h>

#include "tcpclose/grow.h"

static void heap_swap(struct tc_tw *h, size_t i, size_t j)
{
	struct tc_tw t = h[i];
	h[i] = h[j];
	h[j] = t;
}

static int heap_push(struct tc_twq *q, const struct tc_tw *e)
{
	size_t i;
	struct tc_tw *p = tc_grow(q->heap, &q->capheap, q->nheap + 1, sizeof(*p), 64);

	if (!p)
		return -1;
	q->heap = p;
	i = q->nheap++;
	q->heap[i] = *e;
	while (i && q->heap[(i - 1) / 2].expiry > q->heap[i].expiry) {
		heap_swap(q->heap, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return 0;
}

static void heap_pop(struct tc_twq *q)
{
	size_t i = 0;
	q->heap[0] = q->heap[--q->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < q->nheap && q->heap[l].expiry < q->heap[m].expiry)
			m = l;
		if (r < q->nheap && q->heap[r].expiry < q->heap[m].expiry)
			m = r;
		if (m == i)
			break;
		heap_swap(q->heap, i, m);
		i = m;
	}
}

/*
 * Slot an expiry slightly out of order into the last block, if its place
 * is among that block's last TC_TWQ_SHIFT entries: they are the ones in
 * cache, and moving them up by one costs less than a heap would on every
 * later pop. 0, or -1 when its place is not there (it goes to the heap).
 */
static int fifo_insert(struct tc_twq *q, const struct tc_tw *e)
{
	struct tc_tw *b = q->last->e;
	size_t lo = q->first == q->last ? q->head : 0, i, hi = q->tail;
	if (q->tail == TC_TWQ_BLOCK)
		return -1;
	/* Its place: after every entry no later than it (the block is
	 * sorted), looked for by halves among the last TC_TWQ_SHIFT + 1. At
	 * the end of the input connections are reported in id order, not
	 * close order, and most expiries then fall farther back than that:
	 * a scan paid the whole window for each before going to the heap. */
	if (hi - lo > TC_TWQ_SHIFT + 1)
		lo = hi - TC_TWQ_SHIFT - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b[mid].expiry > e->expiry)
			hi = mid;
		else
			lo = mid + 1;
	}
	i = lo;
	if (q->tail - i > TC_TWQ_SHIFT)
		return -1;
	/* Before the block's first entry: the block before may hold later
	 * ones. (Before the FIFO's oldest is fine.) */
	if (i == 0 && q->first != q->last)
		return -1;
	memmove(&b[i + 1], &b[i], (q->tail - i) * sizeof(*b));
	b[i] = *e;
	q->tail++;
	q->n++;
	return 0;
}

int tc_twq_push(struct tc_twq *q, int64_t expiry, uint32_t host, uint32_t pair)
{
	struct tc_tw e;
	e.expiry = expiry;
	e.host = host;
	e.pair = pair;
	/* Before the newest queued: the FIFO would lose its order. */
	if (q->n && q->last->e[q->tail - 1].expiry > expiry) {
		if (fifo_insert(q, &e) == 0)
			return 0;
		return heap_push(q, &e);
	}
	if (!q->last || q->tail == TC_TWQ_BLOCK) {
		struct tc_twblk *b = q->spare;
		if (b)
			q->spare = NULL;
		else if (!(b = malloc(sizeof(*b))))
			return -1;
		b->next = NULL;
		if (q->last)
			q->last->next = b;
		else
			q->first = b;
		q->last = b;
		q->tail = 0;
	}
	q->last->e[q->tail++] = e;
	q->n++;
	return 0;
}

/* Take the FIFO's oldest off; an emptied first block becomes the spare. */
static void fifo_pop(struct tc_twq *q)
{
	struct tc_twblk *b;
	q->n--;
	if (++q->head < TC_TWQ_BLOCK && q->n)
		return;
	if (q->first == q->last) { /* empty: start the block over */
		q->head = q->tail = 0;
		return;
	}
	b = q->first;
	q->first = b->next;
	q->head = 0;
	free(q->spare);
	q->spare = b;
}

int tc_twq_pop_due(struct tc_twq *q, int64_t now, struct tc_tw *out)
{
	const struct tc_tw *r = q->n ? &q->first->e[q->head] : NULL;
	if (q->nheap && q->heap[0].expiry <= now && (!r || q->heap[0].expiry < r->expiry)) {
		*out = q->heap[0];
		heap_pop(q);
		return 1;
	}
	if (!r || r->expiry > now)
		return 0;
	*out = *r;
	fifo_pop(q);
	return 1;
}

size_t tc_twq_len(const struct tc_twq *q) { return q->n + q->nheap; }
size_t tc_twq_stragglers(const struct tc_twq *q) { return q->nheap; }

void tc_twq_free(struct tc_twq *q)
{
	while (q->first) {
		struct tc_twblk *b = q->first;
		q->first = b->next;
		free(b);
	}
	free(q->spare);
	free(q->heap);
	memset(q, 0, sizeof(*q));
}
