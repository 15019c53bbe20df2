/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_expect.c -- the --expect golden checker (expect.c): a file that
 * matches passes; each kind of mismatch fails with the message that names
 * it; bad syntax is refused with its file and line.
 *
 * Connections are real ones through the state machine (convo.c); the
 * .expect files are written to a temporary file, as a user would.
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

#include "convo.h"
#include "expect.h"
#include "tcpclose/classify.h"
#include "tcpclose/diag.h"

struct done {
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
};

/* Client closes first: client TIME_WAIT, server CLOSED; id as given. */
static void graceful(struct done *x, uint64_t id)
{
	conv_init(&x->v);
	handshake_and_data(&x->v);
	seg(&x->v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&x->v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	seg(&x->v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	x->v.c.id = id;
	tc_classify(&x->v.c, &x->vd);
	tc_diagnose(&x->v.c, &x->vd, &x->d);
}

static char path[64];

static void write_expect(const char *text)
{
	int fd;
	FILE *f;
	strcpy(path, "/tmp/test_expect.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static struct tc_expect *load(const char *text)
{
	char err[256] = "";
	struct tc_expect *x;
	write_expect(text);
	x = tc_expect_load(path, err, sizeof(err));
	unlink(path);
	if (!x)
		fail_msg("refused: %s", err);
	return x;
}

/* The engine's counters for `n` graceful connections. */
static void stats_graceful(struct tc_stats *st, uint64_t n)
{
	memset(st, 0, sizeof(*st));
	st->reported = n;
	st->by_close[TC_CLOSE_GRACEFUL] = n;
	st->frames = st->tcp = 9 * n;
}

/* Feed `n` graceful connections with ids 1..n, finish, return the
 * mismatch count; *out gets what the checker printed. */
static int run(struct tc_expect *x, uint64_t n, const char *const *errors, int nerrors, char **out)
{
	struct tc_stats st;
	struct tc_run_info ri = {0};
	size_t len;
	FILE *f = open_memstream(out, &len);
	uint64_t i;
	int m;

	assert_non_null(f);
	for (i = 1; i <= n; i++) {
		struct done c;
		graceful(&c, i);
		tc_expect_conn(x, &c.v.c, &c.vd, &c.d);
		conv_done(&c.v);
	}
	stats_graceful(&st, n);
	ri.errors = errors;
	ri.nerrors = nerrors;
	m = tc_expect_finish(x, &st, &ri, f);
	fclose(f);
	tc_expect_free(x);
	return m;
}

#define CONN1 "conn client=10.0.0.1:40000 server=10.0.0.2:80 opened=handshake close=graceful " \
	      "closer=client reset_by=- client_state=TIME_WAIT server_state=CLOSED cause=-\n"

static void test_expect_matching_file_passes(void **state)
{
	char *out = NULL, want[128];
	struct tc_expect *x;
	(void)state;
	x = load("# a comment, then a blank line\n\n" CONN1
		 "summary connections=1 graceful=1 half_closed=0 reset=0 open=0 refused=0 "
		 "packets=9 tcp_packets=9\n");
	assert_int_equal(run(x, 1, NULL, 0, &out), 0);
	snprintf(want, sizeof(want), "%s: ok (1 connections)\n", path);
	assert_string_equal(out, want);
	free(out);
}

static void test_expect_wildcard_matches_anything(void **state)
{
	char *out = NULL;
	(void)state;
	assert_int_equal(run(load("conn close=* closer=* cause=*\n"), 1, NULL, 0, &out), 0);
	free(out);
}

static void test_expect_field_mismatch_fails(void **state)
{
	char *out = NULL;
	(void)state;
	assert_int_equal(run(load("conn close=reset client_state=TIME_WAIT\n"), 1, NULL, 0, &out), 1);
	assert_non_null(strstr(out, ": 1 mismatch\n"));
	assert_non_null(strstr(out, "conn 1: close: expected reset, got graceful\n"));
	free(out);
}

static void test_expect_unknown_key_fails(void **state)
{
	char *out = NULL;
	(void)state;
	assert_int_equal(run(load("conn bogus=1\n"), 1, NULL, 0, &out), 1);
	assert_non_null(strstr(out, "conn 1: unknown key 'bogus'\n"));
	free(out);
}

static void test_expect_extra_connection_fails(void **state)
{
	char *out = NULL;
	(void)state;
	/* Two found, one expected: the second is named, and the count. */
	assert_int_equal(run(load(CONN1), 2, NULL, 0, &out), 2);
	assert_non_null(strstr(out, "conn 2: not expected (10.0.0.1:40000 -> 10.0.0.2:80, "
				    "close=graceful)\n"));
	assert_non_null(strstr(out, "expected 1 connections, found 2\n"));
	free(out);
}

static void test_expect_missing_connection_fails(void **state)
{
	char *out = NULL;
	(void)state;
	assert_int_equal(run(load(CONN1 CONN1), 1, NULL, 0, &out), 1);
	assert_non_null(strstr(out, "expected 2 connections, found 1\n"));
	free(out);
}

static void test_expect_count_only(void **state)
{
	char *out = NULL;
	(void)state;
	assert_int_equal(run(load("conns 3\n"), 3, NULL, 0, &out), 0);
	free(out);
	assert_int_equal(run(load("conns 3\n"), 2, NULL, 0, &out), 1);
	assert_non_null(strstr(out, "expected 3 connections, found 2\n"));
	free(out);
}

static void test_expect_summary_mismatch_fails(void **state)
{
	char *out = NULL;
	(void)state;
	assert_int_equal(run(load(CONN1 "summary connections=1 graceful=2 nonsense=4\n"), 1, NULL, 0,
			     &out),
			 2);
	assert_non_null(strstr(out, "summary: graceful: expected 2, got 1\n"));
	assert_non_null(strstr(out, "summary: unknown key 'nonsense'\n"));
	free(out);
}

static void test_expect_input_errors(void **state)
{
	const char *errs[] = {"x.pcap: truncated dump file; tried to read 16 header bytes"};
	char *out = NULL;
	(void)state;
	/* Expected and there. */
	assert_int_equal(run(load(CONN1 "summary connections=1 error=truncated\n"), 1, errs, 1, &out),
			 0);
	free(out);
	/* Expected and absent. */
	assert_int_equal(run(load(CONN1 "summary connections=1 error=truncated\n"), 1, NULL, 0, &out),
			 1);
	assert_non_null(strstr(out, "expected an input error containing 'truncated', got none\n"));
	free(out);
	/* There and not expected, with or without a summary line. */
	assert_int_equal(run(load(CONN1 "summary connections=1\n"), 1, errs, 1, &out), 1);
	assert_non_null(strstr(out, "unexpected input error: x.pcap: truncated"));
	free(out);
	assert_int_equal(run(load(CONN1), 1, errs, 1, &out), 1);
	assert_non_null(strstr(out, "unexpected input error: x.pcap: truncated"));
	free(out);
}

/* More than 50 mismatches -- 1 field, 59 unexpected connections, the
 * count -- 50 listed, the rest counted. */
static void test_expect_many_mismatches_capped(void **state)
{
	char *out = NULL, *p;
	int lines = 0;
	(void)state;
	assert_int_equal(run(load("conn close=reset\n"), 60, NULL, 0, &out), 61);
	assert_non_null(strstr(out, ": 61 mismatches\n"));
	assert_non_null(strstr(out, "... (11 more)\n"));
	assert_null(strstr(out, "expected 1 connections, found 60"));
	for (p = out; (p = strstr(p, "conn ")); p++)
		lines++;
	assert_int_equal(lines, 50);
	free(out);
}

static void test_expect_bad_syntax_refused_with_line(void **state)
{
	char err[256] = "", want[128];
	(void)state;
	write_expect("# header\n" CONN1 "summery connections=1\n");
	assert_null(tc_expect_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:3: unknown line", path);
	assert_string_equal(err, want);
	unlink(path);
}

static void test_expect_missing_file_refused(void **state)
{
	char err[256] = "";
	(void)state;
	assert_null(tc_expect_load("/nonexistent/x.expect", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/x.expect: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expect_matching_file_passes),
		cmocka_unit_test(test_expect_wildcard_matches_anything),
		cmocka_unit_test(test_expect_field_mismatch_fails),
		cmocka_unit_test(test_expect_unknown_key_fails),
		cmocka_unit_test(test_expect_extra_connection_fails),
		cmocka_unit_test(test_expect_missing_connection_fails),
		cmocka_unit_test(test_expect_count_only),
		cmocka_unit_test(test_expect_summary_mismatch_fails),
		cmocka_unit_test(test_expect_input_errors),
		cmocka_unit_test(test_expect_many_mismatches_capped),
		cmocka_unit_test(test_expect_bad_syntax_refused_with_line),
		cmocka_unit_test(test_expect_missing_file_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
