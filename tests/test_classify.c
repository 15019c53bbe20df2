/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_classify.c -- the verdict rules, one record per rule, built by hand
 * so each rule is pinned independently of the state machine: RST beats
 * FINs, two FINs are graceful even without the last ACK, one FIN is a
 * half-close, nothing is open, and the recorded who/phase pass through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcpclose/classify.h"

static struct tc_conn rec(uint16_t cflags_c, uint16_t cflags_s, uint8_t reset_by)
{
	struct tc_conn c;
	memset(&c, 0, sizeof(c));
	c.ep[TC_CLIENT].flags = cflags_c;
	c.ep[TC_SERVER].flags = cflags_s;
	c.reset_by = reset_by;
	return c;
}

#define FIN_ACKED (TC_EP_FIN | TC_EP_FIN_ACKED)

static void test_close_labels(void **state)
{
	static const struct {
		uint16_t fc, fs;
		uint8_t reset_by;
		enum tc_close want;
	} t[] = {
		{FIN_ACKED, FIN_ACKED, TC_WHO_NONE, TC_CLOSE_GRACEFUL},
		{FIN_ACKED, TC_EP_FIN, TC_WHO_NONE, TC_CLOSE_GRACEFUL},   /* last ACK missing */
		{TC_EP_FIN, TC_EP_FIN, TC_WHO_NONE, TC_CLOSE_GRACEFUL},   /* neither ACK seen */
		{FIN_ACKED, 0, TC_WHO_NONE, TC_CLOSE_HALF_CLOSED},
		{0, FIN_ACKED, TC_WHO_NONE, TC_CLOSE_HALF_CLOSED},
		{TC_EP_FIN, 0, TC_WHO_NONE, TC_CLOSE_HALF_CLOSED},        /* FIN never acked */
		{0, 0, TC_WHO_NONE, TC_CLOSE_OPEN},
		{0, 0, TC_WHO_CLIENT, TC_CLOSE_RESET},
		{FIN_ACKED, 0, TC_WHO_SERVER, TC_CLOSE_RESET},            /* reset while closing */
		{TC_EP_FIN, TC_EP_FIN, TC_WHO_BOTH, TC_CLOSE_RESET},
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct tc_conn c = rec(t[i].fc, t[i].fs, t[i].reset_by);
		struct tc_verdict v;
		tc_classify(&c, &v);
		if (v.close != t[i].want)
			fail_msg("row %zu: expected %s, got %s", i, tc_close_name(t[i].want),
				 tc_close_name(v.close));
	}
}

static void test_fields_pass_through(void **state)
{
	struct tc_conn c = rec(0, 0, TC_WHO_SERVER);
	struct tc_verdict v;
	(void)state;
	c.opened = TC_OPENED_REFUSED;
	c.reset_phase = TC_PHASE_HANDSHAKE;
	c.closer = TC_WHO_NONE;
	tc_classify(&c, &v);
	assert_int_equal(v.opened, TC_OPENED_REFUSED);
	assert_int_equal(v.reset_by, TC_WHO_SERVER);
	assert_int_equal(v.reset_phase, TC_PHASE_HANDSHAKE);
	assert_int_equal(v.closer, TC_WHO_NONE);

	c = rec(FIN_ACKED, FIN_ACKED, TC_WHO_NONE);
	c.closer = TC_WHO_BOTH;
	c.opened = TC_OPENED_MIDSTREAM;
	tc_classify(&c, &v);
	assert_int_equal(v.closer, TC_WHO_BOTH);
	assert_int_equal(v.opened, TC_OPENED_MIDSTREAM);
	assert_int_equal(v.reset_phase, TC_PHASE_NONE);
}

/* The verdict is a function of the record: asking twice gives the same. */
static void test_pure(void **state)
{
	struct tc_conn c = rec(FIN_ACKED, 0, TC_WHO_NONE), copy;
	struct tc_verdict a, b;
	(void)state;
	memcpy(&copy, &c, sizeof(c));
	tc_classify(&c, &a);
	tc_classify(&c, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_memory_equal(&c, &copy, sizeof(c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_labels),
		cmocka_unit_test(test_fields_pass_through),
		cmocka_unit_test(test_pure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
