/*
 * test_agg.c -- per-host / per-service accounting and findings.
 *
 * TIME_WAIT is counted over capture time: a socket counts from the moment
 * its holder entered TIME_WAIT for time_wait, so the peak is the most held
 * at once, not the total. The pair (client host -> service) carries the
 * peak that exhausts ports. Findings name the hosts and the numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "convo.h"
#include "tcpclose/agg.h"
#include "tcpclose/classify.h"
#include "tcpclose/diag.h"

#define SEC_NS 1000000000LL

static void feed(struct tc_agg *a, const struct conv *v)
{
	struct tc_verdict vd;
	struct tc_diagnosis d;
	tc_classify(&v->c, &vd);
	tc_diagnose(&v->c, &vd, &d);
	tc_agg_conn(a, &v->c, &vd, &d);
}

/* A whole graceful connection starting at `t`, `who` closing first. */
static void graceful_at(struct tc_agg *a, int64_t t, uint16_t cport, int who)
{
	struct conv v;
	conv_init(&v);
	v.cport = cport;
	v.now = t;
	handshake_and_data(&v);
	if (who == C) {
		seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
		seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
		seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	} else {
		seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
		seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 12, 0);
		seg(&v, S, TC_ACK, ISN_S + 12, ISN_C + 12, 0);
	}
	feed(a, &v);
	conv_done(&v);
}

static const struct tc_host_stats *host(const struct tc_agg *a, const char *ip4)
{
	size_t i;
	for (i = 0; i < tc_agg_nhosts(a); i++) {
		const struct tc_host_stats *h = tc_agg_host(a, i);
		if (!memcmp(h->addr, ip4, 4))
			return h;
	}
	return NULL;
}

/* Ten closes 10 s apart with TIME_WAIT 60 s: at most 6 overlap. */
static void test_time_wait_peak_over_time(void **state)
{
	struct tc_agg_opts o = {0};
	struct tc_agg *a;
	const struct tc_host_stats *cl;
	int i;
	(void)state;
	a = tc_agg_new(&o);
	for (i = 0; i < 10; i++)
		graceful_at(a, 1000 * SEC_NS + i * 10 * SEC_NS, (uint16_t)(40000 + i), C);
	cl = host(a, "\x0a\x00\x00\x01");
	assert_non_null(cl);
	assert_int_equal(cl->tw_total, 10);
	assert_int_equal(cl->tw_peak, 6);
	assert_int_equal(tc_agg_npairs(a), 1);
	assert_int_equal(tc_agg_pair(a, 0)->tw_peak, 6);
	assert_int_equal(host(a, "\x0a\x00\x00\x02")->tw_total, 0); /* the server held none */
	tc_agg_free(a);
}

/* A shorter TIME_WAIT (e.g. --time-wait 5) makes them not overlap. */
static void test_time_wait_length_option(void **state)
{
	struct tc_agg_opts o = {0};
	struct tc_agg *a;
	int i;
	(void)state;
	o.time_wait_ns = 5 * SEC_NS;
	a = tc_agg_new(&o);
	for (i = 0; i < 10; i++)
		graceful_at(a, 1000 * SEC_NS + i * 10 * SEC_NS, (uint16_t)(40000 + i), C);
	assert_int_equal(host(a, "\x0a\x00\x00\x01")->tw_peak, 1);
	tc_agg_free(a);
}

/* A server that closes first holds TIME_WAIT and is named for it. */
static void test_server_closes_first_finding(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_finding *f;
	size_t n, i;
	int found = 0;
	(void)state;
	for (i = 0; i < 5; i++)
		graceful_at(a, 1000 * SEC_NS + (int64_t)i * SEC_NS, (uint16_t)(41000 + i), S);
	assert_int_equal(host(a, "\x0a\x00\x00\x02")->tw_peak, 5);
	assert_int_equal(tc_agg_service(a, 0)->server_closed_first, 5);
	f = tc_agg_findings(a, &n);
	for (i = 0; i < n; i++)
		if (f[i].kind == TC_FIND_SERVER_CLOSES_FIRST) {
			found = 1;
			assert_non_null(strstr(f[i].text, "10.0.0.2:80"));
			assert_non_null(strstr(f[i].text, "5 of 5"));
		}
	assert_true(found);
	tc_agg_free(a);
}

/* Ports: 2000 TIME_WAIT sockets toward one service against 28232 ports. */
static void test_ephemeral_port_pressure(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_finding *f;
	size_t n, i;
	int found = 0;
	(void)state;
	for (i = 0; i < 2000; i++)
		graceful_at(a, 1000 * SEC_NS + (int64_t)i * 10000000LL, (uint16_t)(32768 + i), C);
	assert_int_equal(tc_agg_pair(a, 0)->tw_peak, 2000);
	f = tc_agg_findings(a, &n);
	for (i = 0; i < n; i++)
		if (f[i].kind == TC_FIND_TIME_WAIT_PORTS) {
			found = 1;
			assert_non_null(strstr(f[i].text, "2000 TIME_WAIT sockets toward 10.0.0.2:80"));
			assert_non_null(strstr(f[i].text, "7.1% of its 28232"));
		}
	assert_true(found);
	tc_agg_free(a);
}

static void test_close_wait_finding(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_finding *f;
	struct conv v;
	size_t n;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	v.now += 90 * SEC_NS;
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 11, 0);
	feed(a, &v);
	assert_int_equal(tc_agg_service(a, 0)->close_wait_server, 1);
	f = tc_agg_findings(a, &n);
	assert_int_equal(n, 1);
	assert_int_equal(f[0].kind, TC_FIND_CLOSE_WAIT);
	assert_non_null(strstr(f[0].text, "server 10.0.0.2:80 left 1 connection in CLOSE_WAIT"));
	assert_non_null(strstr(f[0].text, "90.0 s") ? strstr(f[0].text, "90.0 s") : strstr(f[0].text, "90 s"));
	tc_agg_free(a);
	conv_done(&v);
}

/* Idle before a close lands in its bucket; a 60 s idle is also a match. */
static void test_idle_histogram(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_service_stats *s;
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	v.now += 60 * SEC_NS;
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	feed(a, &v);
	s = tc_agg_service(a, 0);
	assert_int_equal(s->idle_hist[3], 1); /* [60 s, 120 s) */
	assert_int_equal(s->idle_match_s[0], 60);
	assert_int_equal(s->idle_match[0], 1);
	tc_agg_free(a);
	conv_done(&v);
}

/* Past max_keys, new hosts are not tracked, and that is counted. */
static void test_key_cap(void **state)
{
	struct tc_agg_opts o = {0};
	struct tc_agg *a;
	int i;
	(void)state;
	o.max_keys = 3;
	a = tc_agg_new(&o);
	for (i = 0; i < 10; i++) {
		struct conv v;
		conv_init(&v);
		v.cport = (uint16_t)(42000 + i);
		v.sport = (uint16_t)(8000 + i); /* a new service each time */
		handshake_and_data(&v);
		feed(a, &v);
		conv_done(&v);
	}
	assert_int_equal(tc_agg_nservices(a), 3);
	assert_true(tc_agg_dropped(a) > 0);
	tc_agg_free(a);
}

static void refused_n(struct tc_agg *a, int n)
{
	int i;
	for (i = 0; i < n; i++) {
		struct conv v;
		conv_init(&v);
		v.cport = (uint16_t)(43000 + i);
		seg(&v, C, TC_SYN, ISN_C, 0, 0);
		seg(&v, S, TC_RST | TC_ACK, 0, ISN_C + 1, 0);
		feed(a, &v);
		conv_done(&v);
	}
}

static void one_abort(struct tc_agg *a)
{
	struct conv v;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	feed(a, &v);
	conv_done(&v);
}

/*
 * Ranking: severity = kind weight x (1 + log2 count). Kind decides between
 * equal counts (an abort outranks a refusal); count decides when one kind
 * is much more frequent (eight refusals outrank one abort).
 */
static void test_findings_ranked(void **state)
{
	struct tc_agg *a;
	const struct tc_finding *f;
	size_t n, i;
	(void)state;

	a = tc_agg_new(NULL);
	refused_n(a, 1);
	one_abort(a);
	f = tc_agg_findings(a, &n);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].kind, TC_FIND_ABORTIVE);
	assert_int_equal(f[1].kind, TC_FIND_REFUSED);
	tc_agg_free(a);

	a = tc_agg_new(NULL);
	refused_n(a, 8);
	one_abort(a);
	f = tc_agg_findings(a, &n);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].kind, TC_FIND_REFUSED);
	assert_int_equal(f[0].count, 8);
	for (i = 1; i < n; i++)
		assert_true(f[i - 1].severity >= f[i].severity);
	tc_agg_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_wait_peak_over_time),
		cmocka_unit_test(test_time_wait_length_option),
		cmocka_unit_test(test_server_closes_first_finding),
		cmocka_unit_test(test_ephemeral_port_pressure),
		cmocka_unit_test(test_close_wait_finding),
		cmocka_unit_test(test_idle_histogram),
		cmocka_unit_test(test_key_cap),
		cmocka_unit_test(test_findings_ranked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
