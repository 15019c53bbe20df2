/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_summary.c -- what the report loses is said in its summary: records
 * the aggregator could not keep (tc_agg_dropped) and segments the engine
 * could not track (out of memory), in the text report and the JSON
 * summary line; and nothing is said when nothing was lost. And the
 * report's tables keep their columns in line when a name is longer than
 * the column's usual width (IPv6 services and client -> service pairs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "convo.h"
#include "output.h"
#include "tcpclose/agg.h"
#include "tcpclose/classify.h"
#include "tcpclose/diag.h"

/*
 * One graceful connection, the client closing first, into a: over IPv4
 * (10.0.0.1 -> 10.0.0.2), or with v6 over IPv6 between two addresses as
 * long as IPv6 text gets.
 */
static void add_graceful(struct tc_agg *a, int v6)
{
	static const uint8_t c6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x11, 0x11, 0x22, 0x22,
				       0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x66};
	static const uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, 0xaa, 0xaa, 0xbb, 0xbb,
				       0xcc, 0xcc, 0xdd, 0xdd, 0xee, 0xee, 0xff, 0xff};
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;

	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	if (v6) {
		v.c.af = 6;
		memcpy(v.c.ep[C].addr, c6, 16);
		memcpy(v.c.ep[S].addr, s6, 16);
	}
	tc_classify(&v.c, &vd);
	tc_diagnose(&v.c, &vd, &d);
	tc_agg_conn(a, &v.c, &vd, &d);
	conv_done(&v);
}

/* One graceful connection into an aggregator keeping at most max_keys. */
static struct tc_agg *agg_with_one_conn(uint32_t max_keys)
{
	struct tc_agg_opts ao = {0};
	struct tc_agg *a;
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;

	ao.max_keys = max_keys;
	ao.hash_seed = 7;
	a = tc_agg_new(&ao);
	assert_non_null(a);
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	tc_classify(&v.c, &vd);
	tc_diagnose(&v.c, &vd, &d);
	tc_agg_conn(a, &v.c, &vd, &d);
	conv_done(&v);
	return a;
}

/* The report's end for this aggregator and these counters, as a string. */
static char *report(int json, struct tc_agg *a, const struct tc_stats *st)
{
	struct tc_run_info ri = {0};
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	assert_non_null(f);
	if (json) {
		tc_json_end(f, a, st, &ri);
	} else {
		struct tc_text *t = tc_text_new(f, 0, 0);
		assert_non_null(t);
		tc_text_end(t, a, st, &ri);
		tc_text_free(t);
	}
	fclose(f);
	return buf;
}

static void test_agg_dropped_shown(void **state)
{
	struct tc_stats st = {0};
	struct tc_agg *a = agg_with_one_conn(1); /* room for one host: the peer is dropped */
	char *s;
	(void)state;

	st.reported = 1;
	assert_true(tc_agg_dropped(a) > 0);
	s = report(1, a, &st);
	assert_non_null(strstr(s, ",\"aggregate_dropped\":"));
	free(s);
	s = report(0, a, &st);
	assert_non_null(strstr(s, "records not kept (the aggregator is full)"));
	free(s);
	tc_agg_free(a);
}

static void test_untracked_shown(void **state)
{
	struct tc_stats st = {0};
	struct tc_agg *a = agg_with_one_conn(0);
	char *s;
	(void)state;

	st.reported = 1;
	st.untracked = 3;
	s = report(1, a, &st);
	assert_non_null(strstr(s, ",\"untracked_segments\":3"));
	free(s);
	s = report(0, a, &st);
	assert_non_null(strstr(s, "3 segments not tracked: out of memory"));
	free(s);
	tc_agg_free(a);
}

static void test_nothing_lost_nothing_said(void **state)
{
	struct tc_stats st = {0};
	struct tc_agg *a = agg_with_one_conn(0);
	char *s;
	(void)state;

	st.reported = 1;
	assert_int_equal(tc_agg_dropped(a), 0);
	s = report(1, a, &st);
	assert_null(strstr(s, "aggregate_dropped"));
	assert_null(strstr(s, "untracked_segments"));
	free(s);
	s = report(0, a, &st);
	assert_null(strstr(s, "not kept"));
	assert_null(strstr(s, "not tracked"));
	free(s);
	tc_agg_free(a);
}

/*
 * In the table whose header line begins with `header`, the column named
 * `col` (right-aligned numbers) ends at the same place in the header and
 * in each of its `rows` rows.
 */
static void assert_column(const char *report, const char *header, const char *col, int rows)
{
	const char *h = strstr(report, header), *line, *c;
	size_t end;
	int i;

	assert_non_null(h);
	c = strstr(h, col);
	assert_non_null(c);
	assert_true(c < strchr(h, '\n'));
	end = (size_t)(c - h) + strlen(col);
	line = strchr(h, '\n') + 1;
	for (i = 0; i < rows; i++) {
		const char *nl = strchr(line, '\n');
		assert_non_null(nl);
		assert_true((size_t)(nl - line) > end);
		assert_true(line[end - 1] >= '0' && line[end - 1] <= '9');
		assert_int_equal(line[end], ' ');
		line = nl + 1;
	}
}

static void test_columns_in_line_with_long_ipv6_names(void **state)
{
	struct tc_agg_opts ao = {0};
	struct tc_stats st = {0};
	struct tc_agg *a;
	char *s;
	(void)state;

	ao.hash_seed = 7;
	a = tc_agg_new(&ao);
	assert_non_null(a);
	add_graceful(a, 0);
	add_graceful(a, 1);
	st.reported = 2;
	s = report(0, a, &st);
	/* The names that used to spill past their columns. */
	assert_non_null(strstr(s, "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:"));
	assert_non_null(strstr(s, "2001:db8:1111:2222:3333:4444:5555:6666 -> [2001:db8:aaaa:"));
	assert_column(s, "  server ", "conns", 2);
	assert_column(s, "  client -> service ", "peak", 2);
	free(s);
	tc_agg_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agg_dropped_shown),
		cmocka_unit_test(test_untracked_shown),
		cmocka_unit_test(test_nothing_lost_nothing_said),
		cmocka_unit_test(test_columns_in_line_with_long_ipv6_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
