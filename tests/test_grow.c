/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_grow.c -- tc_grow() (grow.h): capacity doubles from its first size
 * to hold what is asked, the contents move with it, and a size that does
 * not fit a size_t is refused with the array and its capacity unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcpclose/grow.h"

/* One at a time: 4, 8, 16 ... as each fills, the values kept. */
static void test_doubles_as_it_fills(void **state)
{
	uint32_t *a = NULL, *p;
	size_t cap = 0, n, grew = 0, last = 0;
	(void)state;
	for (n = 0; n < 1000; n++) {
		p = tc_grow(a, &cap, n + 1, sizeof(*a), 4);
		assert_non_null(p);
		a = p;
		assert_true(cap >= n + 1);
		if (cap != last) {
			assert_int_equal(cap, last ? 2 * last : 4);
			last = cap;
			grew++;
		}
		a[n] = (uint32_t)(n * 7 + 1);
	}
	assert_int_equal(cap, 1024);
	assert_int_equal(grew, 9); /* 4 .. 1024 */
	for (n = 0; n < 1000; n++)
		assert_int_equal(a[n], (uint32_t)(n * 7 + 1));
	free(a);
}

/* Room already there: the same array, the capacity untouched. */
static void test_room_already_there(void **state)
{
	size_t cap = 0;
	char *a = tc_grow(NULL, &cap, 10, 1, 16), *b;
	(void)state;
	assert_non_null(a);
	assert_int_equal(cap, 16);
	b = tc_grow(a, &cap, 16, 1, 16);
	assert_ptr_equal(a, b);
	assert_int_equal(cap, 16);
	/* Asked for far more than double: the first power of two past it. */
	b = tc_grow(a, &cap, 100, 1, 16);
	assert_non_null(b);
	assert_int_equal(cap, 128);
	free(b);
}

/* A size past SIZE_MAX: NULL, the array still the caller's, cap kept. */
static void test_overflow_refused(void **state)
{
	size_t cap = 0;
	uint64_t *a = tc_grow(NULL, &cap, 8, sizeof(*a), 8), *b;
	(void)state;
	assert_non_null(a);
	a[7] = 42;
	b = tc_grow(a, &cap, SIZE_MAX / 4, sizeof(*a), 8); /* elements * 8 overflows */
	assert_null(b);
	assert_int_equal(cap, 8);
	b = tc_grow(a, &cap, SIZE_MAX, 1, 8); /* the doubling itself overflows */
	assert_null(b);
	assert_int_equal(cap, 8);
	assert_int_equal(a[7], 42);
	free(a);
}

/* A first size of 0 starts at 1 instead of never growing. */
static void test_first_zero(void **state)
{
	size_t cap = 0;
	char *a = tc_grow(NULL, &cap, 3, 1, 0);
	(void)state;
	assert_non_null(a);
	assert_int_equal(cap, 4);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubles_as_it_fills),
		cmocka_unit_test(test_room_already_there),
		cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_first_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
