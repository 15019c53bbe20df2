/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_fields.c -- the named fields of a finished connection (fields.c):
 * the vocabulary .expect files, CSV and filters share, and the time
 * strings of the reports.
 *
 * The connection is a real one through the state machine (convo.c): a
 * handshake, 10 bytes each way, the client closes first, so every field
 * has a value known from the conversation, not from the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "convo.h"
#include "output.h"
#include "tcpclose/classify.h"
#include "tcpclose/diag.h"

struct done {
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
};

/* The conversation so far, numbered id and judged as the engine would. */
static void judge(struct done *x, uint64_t id)
{
	x->v.c.id = id;
	tc_classify(&x->v.c, &x->vd);
	tc_diagnose(&x->v.c, &x->vd, &x->d);
}

/* Client closes first: client TIME_WAIT, server CLOSED. 6 client segments
 * (SYN, ACK, data, ACK, FIN, ACK), 3 server (SYN+ACK, data, FIN+ACK). */
static void graceful(struct done *x)
{
	conv_init(&x->v);
	handshake_and_data(&x->v);
	seg(&x->v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&x->v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	seg(&x->v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	judge(x, 7);
}

/* A SYN answered by RST+ACK: refused by the server. */
static void refused(struct done *x)
{
	conv_init(&x->v);
	seg(&x->v, C, TC_SYN, ISN_C, 0, 0);
	seg(&x->v, S, TC_RST | TC_ACK, 0, ISN_C + 1, 0);
	judge(x, 1);
}

static const char *field(const struct done *x, const char *key)
{
	static char buf[256];
	assert_int_equal(tc_field(&x->v.c, &x->vd, &x->d, key, buf, sizeof(buf)), 0);
	return buf;
}

static void test_fields_graceful_close(void **state)
{
	struct done x;
	(void)state;
	graceful(&x);
	assert_string_equal(field(&x, "id"), "7");
	assert_string_equal(field(&x, "client"), "10.0.0.1:40000");
	assert_string_equal(field(&x, "server"), "10.0.0.2:80");
	assert_string_equal(field(&x, "proto"), "ipv4");
	assert_string_equal(field(&x, "opened"), "handshake");
	assert_string_equal(field(&x, "close"), "graceful");
	assert_string_equal(field(&x, "closer"), "client");
	assert_string_equal(field(&x, "reset_by"), "-");
	assert_string_equal(field(&x, "reset_phase"), "-");
	assert_string_equal(field(&x, "cause"), "-");
	assert_string_equal(field(&x, "client_state"), "TIME_WAIT");
	assert_string_equal(field(&x, "server_state"), "CLOSED");
	assert_string_equal(field(&x, "pkts_client"), "6");
	assert_string_equal(field(&x, "pkts_server"), "3");
	assert_string_equal(field(&x, "bytes_client"), "10");
	assert_string_equal(field(&x, "bytes_server"), "10");
	assert_string_equal(field(&x, "fins_client"), "1");
	assert_string_equal(field(&x, "fins_server"), "1");
	assert_string_equal(field(&x, "rsts_client"), "0");
	assert_string_equal(field(&x, "rsts_server"), "0");
	assert_string_equal(field(&x, "simultaneous"), "no");
	assert_string_equal(field(&x, "tunnel"), "-");
	assert_string_equal(field(&x, "keepalive_race"), "no");
	/* First segment at conv_init's clock, one millisecond per segment. */
	assert_string_equal(field(&x, "first_ts"), "1700000000.000000000");
	assert_string_equal(field(&x, "last_ts"), "1700000000.008000000");
	/* Zeek letters: originator SYN, responder SYN+ACK, ..., both FINs. */
	assert_memory_equal(field(&x, "history"), "Sh", 2);
	assert_non_null(strchr(field(&x, "history"), 'F'));
	assert_non_null(strchr(field(&x, "history"), 'f'));
	conv_done(&x.v);
}

static void test_fields_refused(void **state)
{
	struct done x;
	(void)state;
	refused(&x);
	assert_string_equal(field(&x, "close"), "reset");
	assert_string_equal(field(&x, "reset_by"), "server");
	assert_string_equal(field(&x, "cause"), "refused");
	assert_string_equal(field(&x, "rsts_server"), "1");
	assert_string_equal(field(&x, "rsts_client"), "0");
	assert_string_equal(field(&x, "closer"), "-");
	conv_done(&x.v);
}

/* A history longer than the record's own letters (TC_HISTORY_INLINE):
 * the field is all of it, the extension's letters after the record's. */
static void test_fields_long_history_whole(void **state)
{
	struct done x;
	uint32_t i;
	(void)state;
	conv_init(&x.v);
	seg(&x.v, C, TC_SYN, ISN_C, 0, 0);
	/* RSTs from both sides, each at a number of its own: a letter each. */
	for (i = 0; i < 20; i++)
		seg(&x.v, i % 2 ? S : C, TC_RST, ISN_C + 1000 * (i + 1), 0, 0);
	judge(&x, 3);
	assert_true(x.v.c.hist_len > TC_HISTORY_INLINE);
	assert_non_null(x.v.c.x);
	assert_string_equal(field(&x, "history"), "SRrRrRrRrRrRrRrRrRrRr");
	conv_done(&x.v);
}

/* Payload past 4 GiB one way: the count is whole (the record's low half
 * and the extension's high half). */
static void test_fields_bytes_past_4gib(void **state)
{
	struct done x;
	(void)state;
	graceful(&x);
	assert_string_equal(field(&x, "bytes_client"), "10");
	tc_ep_add_bytes(&x.v.c, TC_CLIENT, 0xffffffffu, 0);
	assert_string_equal(field(&x, "bytes_client"), "4294967305");
	assert_string_equal(field(&x, "bytes_server"), "10");
	conv_done(&x.v);
}

/* IPv6 endpoints are bracketed, so the port stays unambiguous. */
static void test_fields_ipv6_endpoint_bracketed(void **state)
{
	struct done x;
	(void)state;
	graceful(&x);
	x.v.c.af = 6;
	memset(x.v.c.ep[C].addr, 0, 16);
	x.v.c.ep[C].addr[15] = 1;
	assert_string_equal(field(&x, "client"), "[::1]:40000");
	assert_string_equal(field(&x, "proto"), "ipv6");
	conv_done(&x.v);
}

static void test_fields_unknown_key_and_short_buffer(void **state)
{
	struct done x;
	char small[6];
	(void)state;
	graceful(&x);
	assert_int_equal(tc_field(&x.v.c, &x.vd, &x.d, "no_such_key", small, sizeof(small)), -1);
	assert_int_equal(tc_field(&x.v.c, &x.vd, &x.d, "", small, sizeof(small)), -1);
	/* Cut to the buffer, terminated. */
	assert_int_equal(tc_field(&x.v.c, &x.vd, &x.d, "client", small, sizeof(small)), 0);
	assert_string_equal(small, "10.0.");
	assert_int_equal(tc_field(&x.v.c, &x.vd, &x.d, "first_ts", small, sizeof(small)), 0);
	assert_string_equal(small, "17000");
	conv_done(&x.v);
}

/* Endpoint fields need no verdict (the .expect checker's "not expected"). */
static void test_fields_endpoints_without_verdict(void **state)
{
	struct done x;
	char buf[64];
	(void)state;
	graceful(&x);
	assert_int_equal(tc_field(&x.v.c, NULL, NULL, "server", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.0.0.2:80");
	conv_done(&x.v);
}

static void test_ts_str_edges(void **state)
{
	char b[32];
	(void)state;
	assert_string_equal(tc_ts_str(0, b), "0.000000000");
	assert_string_equal(tc_ts_str(1, b), "0.000000001");
	assert_string_equal(tc_ts_str(1700000000123456789LL, b), "1700000000.123456789");
	/* Before 1970 the fraction stays positive: -1 ns is -1 s + 0.999999999. */
	assert_string_equal(tc_ts_str(-1, b), "-1.999999999");
	assert_string_equal(tc_ts_str(-1000000000LL, b), "-1.000000000");
	assert_string_equal(tc_ts_str(INT64_MAX, b), "9223372036.854775807");
	assert_string_equal(tc_ts_str(INT64_MIN, b), "-9223372037.145224192");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_graceful_close),
		cmocka_unit_test(test_fields_refused),
		cmocka_unit_test(test_fields_long_history_whole),
		cmocka_unit_test(test_fields_bytes_past_4gib),
		cmocka_unit_test(test_fields_ipv6_endpoint_bracketed),
		cmocka_unit_test(test_fields_unknown_key_and_short_buffer),
		cmocka_unit_test(test_fields_endpoints_without_verdict),
		cmocka_unit_test(test_ts_str_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
