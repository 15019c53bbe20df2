/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_twq.c -- the TIME_WAIT expiry queue (twq.h): an in-order FIFO with
 * a heap for stragglers must give back exactly what one heap of them all
 * would, each entry once, in time order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rng.h"
#include "twq.h"

/* Expiries in order stay in the FIFO and come out as far as `now`. */
static void test_in_order_stays_in_the_fifo(void **state)
{
	struct tc_twq q;
	struct tc_tw e;
	int64_t t;
	(void)state;
	memset(&q, 0, sizeof(q));
	for (t = 10; t <= 100; t += 10)
		assert_int_equal(tc_twq_push(&q, t, (uint32_t)t, 0), 0);
	assert_int_equal(tc_twq_len(&q), 10);
	assert_int_equal(tc_twq_stragglers(&q), 0);
	for (t = 10; t <= 50; t += 10) {
		assert_int_equal(tc_twq_pop_due(&q, 55, &e), 1);
		assert_int_equal(e.expiry, t);
		assert_int_equal(e.host, (uint32_t)t);
	}
	assert_int_equal(tc_twq_pop_due(&q, 55, &e), 0); /* 60 is not due */
	assert_int_equal(tc_twq_len(&q), 5);
	tc_twq_free(&q);
}

/* An expiry a little earlier than the newest queued is slotted into the
 * FIFO, and comes out before the later ones queued before it. */
static void test_straggler_comes_out_in_time_order(void **state)
{
	static const int64_t in[] = {10, 30, 20, 40, 15, 40, 50, 5};
	static const int64_t out[] = {5, 10, 15, 20, 30, 40, 40, 50};
	struct tc_twq q;
	struct tc_tw e;
	size_t i;
	(void)state;
	memset(&q, 0, sizeof(q));
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		assert_int_equal(tc_twq_push(&q, in[i], (uint32_t)i, 0), 0);
	assert_int_equal(tc_twq_stragglers(&q), 0); /* all in the FIFO */
	assert_int_equal(tc_twq_pop_due(&q, 14, &e), 1);
	assert_int_equal(e.expiry, 5);
	assert_int_equal(tc_twq_pop_due(&q, 14, &e), 1);
	assert_int_equal(e.expiry, 10);
	assert_int_equal(tc_twq_pop_due(&q, 14, &e), 0);
	for (i = 2; i < sizeof(out) / sizeof(out[0]); i++) {
		assert_int_equal(tc_twq_pop_due(&q, 1000, &e), 1);
		assert_int_equal(e.expiry, out[i]);
	}
	assert_int_equal(tc_twq_pop_due(&q, 1000, &e), 0);
	assert_int_equal(tc_twq_len(&q), 0);
	tc_twq_free(&q);
}

/*
 * From farther back than TC_TWQ_SHIFT places, or from before the last
 * block's first entry, an expiry goes to the heap, and the two merge in
 * time order: 0, 2, .., 2046 fill the first block, 3000 starts the
 * second; 2999 and 1 are stragglers; a second 3000 is slotted in before
 * 3001.
 */
static void test_far_stragglers_go_to_the_heap(void **state)
{
	struct tc_twq q;
	struct tc_tw e;
	int64_t t, last = -1;
	size_t n = 0;
	(void)state;
	memset(&q, 0, sizeof(q));
	for (t = 0; t < 2 * TC_TWQ_BLOCK; t += 2) {
		assert_int_equal(tc_twq_push(&q, t, 0, 0), 0);
		if (t == 2 * (TC_TWQ_SHIFT + 10)) { /* past TC_TWQ_SHIFT back */
			assert_int_equal(tc_twq_push(&q, 1, 0, 0), 0);
			assert_int_equal(tc_twq_stragglers(&q), 1);
		}
	}
	assert_int_equal(tc_twq_push(&q, 3000, 0, 0), 0);
	assert_int_equal(tc_twq_push(&q, 2999, 0, 0), 0); /* before the block's first */
	assert_int_equal(tc_twq_stragglers(&q), 2);
	assert_int_equal(tc_twq_push(&q, 3001, 0, 0), 0);
	assert_int_equal(tc_twq_pop_due(&q, 2, &e), 1);
	assert_int_equal(e.expiry, 0);
	assert_int_equal(tc_twq_pop_due(&q, 2, &e), 1);
	assert_int_equal(e.expiry, 1);
	assert_int_equal(tc_twq_push(&q, 3000, 0, 0), 0); /* slotted in */
	assert_int_equal(tc_twq_stragglers(&q), 1);        /* 2999 */
	while (tc_twq_pop_due(&q, 5000, &e)) {
		assert_true(e.expiry >= last);
		last = e.expiry;
		n++;
	}
	assert_int_equal(n, TC_TWQ_BLOCK + 5 - 2);
	assert_int_equal(last, 3001);
	assert_int_equal(tc_twq_len(&q), 0);
	tc_twq_free(&q);
}

/*
 * The window's edge: an expiry whose place is exactly TC_TWQ_SHIFT
 * entries from the end is slotted in; one place farther back, it goes to
 * the heap. With 0, 2, .., 2 * (n - 1) queued, an odd v goes after v - 1,
 * at place (v + 1) / 2 of n.
 */
static void edge_case(int64_t back, size_t stragglers)
{
	struct tc_twq q;
	struct tc_tw e;
	const int64_t n = 600;
	int64_t t, last = -1;
	size_t got = 0;
	memset(&q, 0, sizeof(q));
	for (t = 0; t < n; t++)
		assert_int_equal(tc_twq_push(&q, 2 * t, 0, 0), 0);
	assert_int_equal(tc_twq_push(&q, 2 * (n - back) - 1, 1, 0), 0);
	assert_int_equal(tc_twq_stragglers(&q), stragglers);
	while (tc_twq_pop_due(&q, 2 * n, &e)) {
		assert_true(e.expiry >= last);
		last = e.expiry;
		got++;
	}
	assert_int_equal(got, (size_t)n + 1);
	tc_twq_free(&q);
}

static void test_shift_window_edge(void **state)
{
	(void)state;
	edge_case(TC_TWQ_SHIFT, 0);
	edge_case(TC_TWQ_SHIFT + 1, 1);
	edge_case(1, 0);
}

/* The FIFO keeps its order across its blocks, drained part-way and
 * refilled (TC_TWQ_BLOCK 1024: 1000 in, 1000 out, 5000 in). */
static void test_fifo_across_blocks(void **state)
{
	struct tc_twq q;
	struct tc_tw e;
	int64_t t, next = 0;
	(void)state;
	memset(&q, 0, sizeof(q));
	for (t = 0; t < 1000; t++)
		assert_int_equal(tc_twq_push(&q, t, 0, 0), 0);
	for (t = 0; t < 1000; t++)
		assert_int_equal(tc_twq_pop_due(&q, t, &e), 1);
	next = 1000;
	/* the first block is now 1000 slots in: these fill it and four more */
	for (t = 1000; t < 6000; t++)
		assert_int_equal(tc_twq_push(&q, t, (uint32_t)t, 0), 0);
	assert_int_equal(tc_twq_stragglers(&q), 0);
	while (tc_twq_pop_due(&q, 10000, &e)) {
		assert_int_equal(e.expiry, next);
		assert_int_equal(e.host, (uint32_t)next);
		next++;
	}
	assert_int_equal(next, 6000);
	tc_twq_free(&q);
}

/*
 * The aggregator's use, against a plain model (every pending entry in an
 * array, the due ones taken by a scan): closes nearly in order with some
 * reported late, the clock moving only forward, TIME_WAIT counted per
 * host. The FIFO fills and drains across blocks. Every step's count
 * per host and every peak must be the model's.
 */
#define HOSTS 16
#define STEPS 20000
static void test_nearly_sorted_matches_a_scan_model(void **state)
{
	struct tc_twq q;
	struct tc_tw e, *pend = calloc(STEPS, sizeof(*pend));
	size_t npend = 0, i, j;
	uint32_t now_q[HOSTS] = {0}, now_m[HOSTS] = {0}, peak_q[HOSTS] = {0}, peak_m[HOSTS] = {0};
	int64_t clock = 0, t = 0, tw = 5000;
	size_t stragglers = 0;
	(void)state;
	assert_non_null(pend);
	memset(&q, 0, sizeof(q));
	for (i = 0; i < STEPS; i++) {
		uint32_t h = (uint32_t)(rnd() % HOSTS);
		int64_t start;
		/* bursts of closes, then quiet, so that the queue fills and
		 * drains */
		t += (i / 3000) % 2 ? (int64_t)(rnd() % 7) : (int64_t)(rnd() % 2);
		start = t;
		if (rnd() % 10 == 0) /* reported late */
			start -= (int64_t)(rnd() % 300);
		if (start > clock) {
			clock = start;
			while (tc_twq_pop_due(&q, start, &e)) {
				assert_true(e.expiry <= start);
				now_q[e.host]--;
			}
			for (j = 0; j < npend;) {
				if (pend[j].expiry <= start) {
					now_m[pend[j].host]--;
					pend[j] = pend[--npend];
				} else {
					j++;
				}
			}
		}
		assert_int_equal(tc_twq_push(&q, start + tw, h, 0), 0);
		pend[npend].expiry = start + tw;
		pend[npend++].host = h;
		if (++now_q[h] > peak_q[h])
			peak_q[h] = now_q[h];
		if (++now_m[h] > peak_m[h])
			peak_m[h] = now_m[h];
		assert_int_equal(tc_twq_len(&q), npend);
		if (tc_twq_stragglers(&q) > stragglers)
			stragglers = tc_twq_stragglers(&q);
		assert_memory_equal(now_q, now_m, sizeof(now_q));
	}
	assert_memory_equal(peak_q, peak_m, sizeof(peak_q));
	assert_true(stragglers > 0);                 /* the heap was used */
	assert_true(tc_twq_stragglers(&q) < npend); /* ... and the FIFO too */
	tc_twq_free(&q);
	free(pend);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_stays_in_the_fifo),
		cmocka_unit_test(test_straggler_comes_out_in_time_order),
		cmocka_unit_test(test_far_stragglers_go_to_the_heap),
		cmocka_unit_test(test_shift_window_edge),
		cmocka_unit_test(test_fifo_across_blocks),
		cmocka_unit_test(test_nearly_sorted_matches_a_scan_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
