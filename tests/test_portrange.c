/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_portrange.c -- unit tests for the reader of the capturing host's
 * ephemeral port range (src/capture/portrange.c): the kernel's own format
 * gives the count of ports; anything else (missing file, one number, a
 * reversed or out-of-range pair, trailing words) gives 0, so the caller
 * keeps the default rather than a nonsense budget.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "portrange.h"

static char path[64];

static uint32_t range_of(const char *text, unsigned *lo, unsigned *hi)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return tc_local_port_range(path, lo, hi);
}

static void test_kernel_format(void **state)
{
	unsigned lo = 0, hi = 0;
	(void)state;
	/* What /proc/sys/net/ipv4/ip_local_port_range holds: a tab between. */
	assert_int_equal(range_of("32768\t60999\n", &lo, &hi), 28232);
	assert_int_equal(lo, 32768);
	assert_int_equal(hi, 60999);
	assert_int_equal(range_of("1024 65535", &lo, &hi), 64512);
	assert_int_equal(range_of("40000 40000\n", &lo, &hi), 1);
}

static void test_nonsense_is_zero(void **state)
{
	unsigned lo = 7, hi = 9;
	(void)state;
	assert_int_equal(range_of("", &lo, &hi), 0);
	assert_int_equal(range_of("32768\n", &lo, &hi), 0);
	assert_int_equal(range_of("60999 32768\n", &lo, &hi), 0);
	assert_int_equal(range_of("1024 70000\n", &lo, &hi), 0);
	assert_int_equal(range_of("0 100\n", &lo, &hi), 0);
	assert_int_equal(range_of("-1 100\n", &lo, &hi), 0);
	assert_int_equal(range_of("32768 60999 extra\n", &lo, &hi), 0);
	assert_int_equal(range_of("low high\n", &lo, &hi), 0);
	/* Untouched on failure. */
	assert_int_equal(lo, 7);
	assert_int_equal(hi, 9);
	assert_int_equal(tc_local_port_range("/nonexistent/ip_local_port_range", &lo, &hi), 0);
}

static void test_this_host(void **state)
{
	unsigned lo, hi;
	uint32_t n;
	(void)state;
	/* On Linux the real file reads, and agrees with itself. */
	n = tc_local_port_range(TC_PORT_RANGE_PROC, &lo, &hi);
	if (access(TC_PORT_RANGE_PROC, R_OK) != 0)
		skip();
	assert_true(n > 0);
	assert_int_equal(n, hi - lo + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_format),
		cmocka_unit_test(test_nonsense_is_zero),
		cmocka_unit_test(test_this_host),
	};
	int fd, rc;

	snprintf(path, sizeof(path), "/tmp/tc-portrange.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return 1;
	close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return rc;
}
