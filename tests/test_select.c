/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_select.c -- unit tests for the --only, --port and --host parsers
 * (src/report/select.c): what they accept, what they store, and that bad
 * input is refused with a message naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "select.h"

static void test_words_set_close_and_cause_bits(void **state)
{
	struct tc_select s;
	char err[256] = "";
	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(tc_select_words(&s, "reset,half-closed,,refused", err, sizeof(err)), 0);
	assert_int_equal(s.close_mask,
			 (1u << TC_CLOSE_RESET) | (1u << TC_CLOSE_HALF_CLOSED));
	assert_int_equal(s.cause_mask, 1u << TC_CAUSE_REFUSED);
	assert_int_equal(tc_select_words(&s, "reset,bogus!!", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'bogus!!'"));
	assert_int_equal(tc_select_words(&s, ",", err, sizeof(err)), -1);
	assert_string_equal(err, "empty list");
}

static void test_ports_bounds(void **state)
{
	struct tc_select s;
	char err[256] = "";
	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(tc_select_ports(&s, "80,443,65535,0", err, sizeof(err)), 0);
	assert_int_equal(s.nports, 4);
	assert_int_equal(s.ports[1], 443);
	assert_int_equal(s.ports[2], 65535);
	assert_int_equal(tc_select_ports(&s, "65536", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "65536"));
	assert_int_equal(tc_select_ports(&s, "-1", err, sizeof(err)), -1);
	assert_int_equal(tc_select_ports(&s, "8o", err, sizeof(err)), -1);
	assert_int_equal(s.nports, 4);
}

static void test_hosts_masked_to_prefix(void **state)
{
	struct tc_select s;
	char err[256] = "";
	static const uint8_t net10[4] = {10, 0, 0, 0}, one[4] = {192, 0, 2, 7};
	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(tc_select_hosts(&s, "10.1.2.3/8,192.0.2.7,[2001:db8::1]/32", err,
					 sizeof(err)), 0);
	assert_int_equal(s.nnets, 3);
	assert_int_equal(s.nets[0].af, 4);
	assert_int_equal(s.nets[0].plen, 8);
	assert_memory_equal(s.nets[0].addr, net10, 4);
	assert_int_equal(s.nets[1].plen, 32);
	assert_memory_equal(s.nets[1].addr, one, 4);
	assert_int_equal(s.nets[2].af, 6);
	assert_int_equal(s.nets[2].plen, 32);
	assert_int_equal(s.nets[2].addr[15], 0); /* host bits cleared */
	assert_int_equal(tc_select_hosts(&s, "10.0.0.0/33", err, sizeof(err)), -1);
	assert_int_equal(tc_select_hosts(&s, "example.com", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not resolved"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_set_close_and_cause_bits),
		cmocka_unit_test(test_ports_bounds),
		cmocka_unit_test(test_hosts_masked_to_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
