/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_summary.c -- what the report loses is said in its summary: records
 * the aggregator could not keep (tc_agg_dropped) and segments the engine
 * could not track (out of memory), in the text report and the JSON
 * summary line; and nothing is said when nothing was lost.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agg_dropped_shown),
		cmocka_unit_test(test_untracked_shown),
		cmocka_unit_test(test_nothing_lost_nothing_said),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
