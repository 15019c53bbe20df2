/* SPDX-License-Identifier: BSD-3-Clause */
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
#include "infer.h"
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

/* A whole graceful connection in *v, starting at `t`, `who` closing first. */
static void graceful_conv(struct conv *v, int64_t t, uint16_t cport, int who)
{
	conv_init(v);
	v->cport = cport;
	v->now = t;
	handshake_and_data(v);
	if (who == C) {
		seg(v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
		seg(v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
		seg(v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	} else {
		seg(v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
		seg(v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 12, 0);
		seg(v, S, TC_ACK, ISN_S + 12, ISN_C + 12, 0);
	}
}

/* The same, counted. */
static void graceful_at(struct tc_agg *a, int64_t t, uint16_t cport, int who)
{
	struct conv v;
	graceful_conv(&v, t, cport, who);
	feed(a, &v);
	conv_done(&v);
}

/* f's sentence (one at a time: the buffer is reused). */
static const char *words(const struct tc_agg *a, const struct tc_finding *f)
{
	static char buf[TC_FINDING_TEXT_MAX];
	return tc_agg_finding_text(a, f, buf);
}

/* The one finding of kind k among f[0..n): fails if there is none, or more. */
static const struct tc_finding *the_finding(const struct tc_finding *f, size_t n,
					    enum tc_finding_kind k)
{
	const struct tc_finding *one = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].kind == k) {
			assert_null(one);
			one = &f[i];
		}
	assert_non_null(one);
	return one;
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
	(void)state;
	for (i = 0; i < 5; i++)
		graceful_at(a, 1000 * SEC_NS + (int64_t)i * SEC_NS, (uint16_t)(41000 + i), S);
	assert_int_equal(host(a, "\x0a\x00\x00\x02")->tw_peak, 5);
	assert_int_equal(tc_agg_service(a, 0)->server_closed_first, 5);
	f = tc_agg_findings(a, &n);
	f = the_finding(f, n, TC_FIND_SERVER_CLOSES_FIRST);
	assert_non_null(strstr(words(a, f), "10.0.0.2:80"));
	assert_non_null(strstr(words(a, f), "5 of 5"));
	tc_agg_free(a);
}

/* Asked twice with nothing counted between, the findings are the same
 * array, not worked out again; a connection counted after them is in the
 * next answer (a stale answer would miss the finding it makes). */
static void test_findings_asked_again_after_a_count(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_finding *f, *g;
	size_t n, m, i;
	(void)state;
	f = tc_agg_findings(a, &n);
	assert_int_equal(n, 0);
	for (i = 0; i < 5; i++)
		graceful_at(a, 1000 * SEC_NS + (int64_t)i * SEC_NS, (uint16_t)(41000 + i), S);
	f = tc_agg_findings(a, &n);
	assert_true(n > 0);
	g = tc_agg_findings(a, &m);
	assert_ptr_equal(f, g);
	assert_int_equal(n, m);
	assert_non_null(strstr(words(a, the_finding(f, n, TC_FIND_SERVER_CLOSES_FIRST)), "5 of 5"));
	/* Five more connections: the finding now counts ten. */
	for (i = 5; i < 10; i++)
		graceful_at(a, 1000 * SEC_NS + (int64_t)i * SEC_NS, (uint16_t)(41000 + i), S);
	f = tc_agg_findings(a, &n);
	assert_non_null(strstr(words(a, the_finding(f, n, TC_FIND_SERVER_CLOSES_FIRST)), "10 of 10"));
	tc_agg_free(a);
}

/* Ports: 2000 TIME_WAIT sockets toward one service against 28232 ports. */
static void test_ephemeral_port_pressure(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_finding *f;
	size_t n, i;
	(void)state;
	for (i = 0; i < 2000; i++)
		graceful_at(a, 1000 * SEC_NS + (int64_t)i * 10000000LL, (uint16_t)(32768 + i), C);
	assert_int_equal(tc_agg_pair(a, 0)->tw_peak, 2000);
	f = tc_agg_findings(a, &n);
	f = the_finding(f, n, TC_FIND_TIME_WAIT_PORTS);
	assert_non_null(strstr(words(a, f), "2000 TIME_WAIT sockets toward 10.0.0.2:80"));
	assert_non_null(strstr(words(a, f), "7.1% of its 28232"));
	tc_agg_free(a);
}

/*
 * A finding's subject is cut to its field, not overflowed: a pair of two
 * long IPv6 addresses names itself in 85 characters, and the field holds
 * 63 of them and a NUL.
 */
static void test_long_subject_cut_to_its_field(void **state)
{
	static const uint8_t cl[16] = {0x20, 0x01, 0x0d, 0xb8, 0x11, 0x11, 0x22, 0x22,
				       0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x66};
	static const uint8_t sv[16] = {0x20, 0x01, 0x0d, 0xb8, 0xaa, 0xaa, 0xbb, 0xbb,
				       0xcc, 0xcc, 0xdd, 0xdd, 0xee, 0xee, 0xff, 0xff};
	const char *whole = "2001:db8:1111:2222:3333:4444:5555:6666 -> "
			    "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:80";
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_finding *f;
	size_t n, i;
	(void)state;
	for (i = 0; i < 200; i++) {
		struct conv v;
		graceful_conv(&v, 1000 * SEC_NS + (int64_t)i * 10000000LL, (uint16_t)(32768 + i), C);
		/* The same connection between IPv6 hosts. */
		v.c.af = 6;
		memcpy(v.c.ep[C].addr, cl, 16);
		memcpy(v.c.ep[S].addr, sv, 16);
		feed(a, &v);
		conv_done(&v);
	}
	f = tc_agg_findings(a, &n);
	f = the_finding(f, n, TC_FIND_TIME_WAIT_PORTS);
	assert_int_equal(strlen(whole), 85);
	assert_int_equal(strlen(f->subject), sizeof(f->subject) - 1);
	assert_memory_equal(f->subject, whole, sizeof(f->subject) - 1);
	tc_agg_free(a);
}

static void test_close_wait_finding(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	struct tc_stats st;
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
	/* Still open when the capture ends 30 s after its last packet: held
	 * from the FIN to the end of the capture, not to its last packet. */
	memset(&st, 0, sizeof(st));
	st.ts_last = tc_conn_end(&v.c)->ep[TC_CLIENT].ts_fin + 120 * SEC_NS;
	tc_agg_set_stats(a, &st);
	assert_int_equal(tc_agg_service(a, 0)->close_wait_longest_ns, 120 * SEC_NS);
	f = tc_agg_findings(a, &n);
	assert_int_equal(n, 1);
	assert_int_equal(f[0].kind, TC_FIND_CLOSE_WAIT);
	assert_non_null(strstr(words(a, &f[0]), "server 10.0.0.2:80 left 1 connection in CLOSE_WAIT"));
	assert_non_null(strstr(words(a, &f[0]), "held up to 120 s"));
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

/* A segment through the loss inference first, as the engine sends it. */
static void iseg(struct conv *v, enum tc_role from, uint8_t flags, uint32_t seq, uint32_t ack,
		 uint32_t len)
{
	struct tc_pkt p = pkt(v, from, flags, seq, ack, len);
	(void)tc_infer_segment(&v->c, from, &p, v->now, v->frame + 1);
	assert_int_equal(sendp(v, &p), from);
}

/* 60 s of quiet, then a graceful close: `hole` 0 a complete capture, 1 the
 * FIN shows 100 bytes of the client's the capture missed after its last
 * data seen (inside the quiet), 2 the hole is before the last data seen
 * (found by that segment, outside the quiet). Returns the idle measured. */
static int64_t idle_with_hole(int hole, struct tc_agg *a)
{
	struct conv v;
	struct tc_verdict vd;
	int64_t idle;
	uint32_t fin = ISN_C + 11 + (hole == 1 ? 100 : 0);
	conv_init(&v);
	handshake_and_data(&v);
	if (hole == 2) {
		iseg(&v, C, TC_ACK | TC_PSH, ISN_C + 111, ISN_S + 11, 10);
		iseg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 121, 0);
		fin = ISN_C + 121;
	}
	v.now += 60 * SEC_NS;
	iseg(&v, C, TC_FIN | TC_ACK, fin, ISN_S + 11, 0);
	iseg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, fin + 1, 0);
	iseg(&v, C, TC_ACK, fin + 1, ISN_S + 12, 0);
	assert_int_equal(tc_conn_ext(&v.c)->ep[C].gaps, hole ? 1 : 0);
	tc_classify(&v.c, &vd);
	assert_int_equal(vd.close, TC_CLOSE_GRACEFUL);
	idle = tc_agg_idle_before_close(&v.c, &vd);
	feed(a, &v);
	conv_done(&v);
	return idle;
}

/* The idle time before a close is the connection's only when the capture
 * lost nothing inside it: a hole there may be the traffic that broke the
 * quiet, and an idle-timeout finding would rest on the capture. */
static void test_idle_not_across_a_gap(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	(void)state;
	assert_true(idle_with_hole(0, a) >= 60 * SEC_NS);
	assert_int_equal(tc_agg_service(a, 0)->idle_match[0], 1);
	assert_int_equal(idle_with_hole(1, a), -1);
	assert_int_equal(tc_agg_service(a, 0)->idle_match[0], 1); /* not counted */
	assert_true(idle_with_hole(2, a) >= 60 * SEC_NS);
	assert_int_equal(tc_agg_service(a, 0)->idle_match[0], 2);
	tc_agg_free(a);
}

/* An aggregator that keeps at most 3 keys per table. */
static struct tc_agg *capped_at_3(void)
{
	struct tc_agg_opts o = {0};
	struct tc_agg *a;
	o.max_keys = 3;
	a = tc_agg_new(&o);
	assert_non_null(a);
	return a;
}

/* Past max_keys, new hosts are not tracked, and that is counted. */
static void test_key_cap(void **state)
{
	struct tc_agg *a = capped_at_3();
	int i;
	(void)state;
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

/* One handshake-and-data connection from client 10.0.0.`last` to port 80. */
static void from_client(struct tc_agg *a, uint8_t last, uint16_t cport)
{
	struct conv v;
	conv_init(&v);
	v.cport = cport;
	handshake_and_data(&v);
	v.c.ep[TC_CLIENT].addr[3] = last;
	feed(a, &v);
	conv_done(&v);
}

/*
 * At the cap, every new key is dropped and counted once per lookup, while
 * the keys already tracked keep counting: 3 keys = the server and two
 * clients; eight more clients are dropped (and make no pair).
 */
static void test_key_cap_hosts_and_pairs(void **state)
{
	struct tc_agg *a = capped_at_3();
	int i;
	(void)state;
	for (i = 0; i < 10; i++)
		from_client(a, (uint8_t)(100 + i), (uint16_t)(42000 + i));
	assert_int_equal(tc_agg_nhosts(a), 3);
	assert_int_equal(tc_agg_npairs(a), 2);
	assert_int_equal(tc_agg_nservices(a), 1);
	assert_int_equal(tc_agg_dropped(a), 8);
	from_client(a, 100, 43000); /* tracked: counted, nothing dropped */
	assert_int_equal(tc_agg_dropped(a), 8);
	assert_int_equal(host(a, "\x0a\x00\x00\x64")->as_client, 2);
	assert_int_equal(host(a, "\x0a\x00\x00\x02")->as_server, 11);
	assert_int_equal(tc_agg_service(a, 0)->conns, 11);
	tc_agg_free(a);
}

/*
 * tc_agg_fetch_slots() and tc_agg_fetch_entries() keep a connection's
 * hashed keys for tc_agg_conn(): kept keys must serve only the connection
 * they are of. Here the same record is fetched for as client 10.0.0.50,
 * then changed to client 10.0.0.51 (as the engine reuses one buffer for
 * every connection it reports) before it is accounted; and the entries are
 * asked for a connection never fetched. Each client must count once, under
 * its own address, as it does without the fetches.
 */
static void test_fetched_keys_serve_only_their_connection(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	struct conv v;
	(void)state;
	assert_non_null(a);
	conv_init(&v);
	handshake_and_data(&v);
	v.c.ep[TC_CLIENT].addr[3] = 50;
	tc_agg_fetch_slots(a, &v.c);
	tc_agg_fetch_entries(a, &v.c);
	v.c.ep[TC_CLIENT].addr[3] = 51;
	tc_agg_fetch_entries(a, &v.c);
	feed(a, &v);
	assert_null(host(a, "\x0a\x00\x00\x32"));
	assert_non_null(host(a, "\x0a\x00\x00\x33"));
	assert_int_equal(host(a, "\x0a\x00\x00\x33")->as_client, 1);
	/* Fetched, then accounted as it is: counted under its keys. */
	v.c.ep[TC_CLIENT].addr[3] = 50;
	tc_agg_fetch_slots(a, &v.c);
	tc_agg_fetch_entries(a, &v.c);
	feed(a, &v);
	assert_int_equal(host(a, "\x0a\x00\x00\x32")->as_client, 1);
	assert_int_equal(host(a, "\x0a\x00\x00\x33")->as_client, 1);
	assert_int_equal(tc_agg_nhosts(a), 3);
	assert_int_equal(tc_agg_npairs(a), 2);
	conv_done(&v);
	tc_agg_free(a);
}

/*
 * The indexes grow from 256 slots by filing every key again from the
 * tables (a slot keeps only some of its key's hash bits): 3,200 clients and
 * 400 services, each client visited twice, in two rounds. A key the growth
 * misfiled would be added again on its second visit.
 */
static void test_keys_found_again_after_the_indexes_grow(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_host_stats *srv;
	int round, i;
	(void)state;
	assert_non_null(a);
	for (round = 0; round < 2; round++)
		for (i = 0; i < 3200; i++) {
			struct conv v;
			conv_init(&v);
			v.cport = (uint16_t)(40000 + round);
			v.sport = (uint16_t)(8000 + i % 400);
			handshake_and_data(&v);
			v.c.ep[TC_CLIENT].addr[1] = 1; /* 10.1.x.y: none is the server */
			v.c.ep[TC_CLIENT].addr[2] = (uint8_t)(i >> 8);
			v.c.ep[TC_CLIENT].addr[3] = (uint8_t)i;
			feed(a, &v);
			conv_done(&v);
		}
	assert_int_equal(tc_agg_dropped(a), 0);
	assert_int_equal(tc_agg_nhosts(a), 3201);
	assert_int_equal(tc_agg_nservices(a), 400);
	assert_int_equal(tc_agg_npairs(a), 3200);
	for (i = 0; i < (int)tc_agg_nservices(a); i++)
		assert_int_equal(tc_agg_service(a, (size_t)i)->conns, 16);
	for (i = 0; i < (int)tc_agg_npairs(a); i++) {
		const struct tc_pair_stats *p = tc_agg_pair(a, (size_t)i);
		const struct tc_host_stats *cl = tc_agg_host(a, p->client);
		int k = cl->addr[2] << 8 | cl->addr[3];
		assert_int_equal(cl->as_client, 2);
		assert_int_equal(tc_agg_service(a, p->service)->port, 8000 + k % 400);
	}
	srv = host(a, "\x0a\x00\x00\x02");
	assert_non_null(srv);
	assert_int_equal(srv->as_server, 6400);
	tc_agg_free(a);
}

/*
 * A close reported after a later one (report order is not quite close
 * order): its TIME_WAIT still expires at its own time. TIME_WAIT 25 s,
 * closes at 0, 20, then 10 (late), 30, 40, 50 s: at most 3 overlap (the
 * late one's expiry at 35 s comes before the one at 45 s queued before
 * it). Were it taken in arrival order, 4 would seem to overlap at 40 s.
 */
static void test_time_wait_close_reported_late(void **state)
{
	static const int at[] = {0, 20, 10, 30, 40, 50};
	struct tc_agg_opts o = {0};
	struct tc_agg *a;
	const struct tc_host_stats *cl;
	size_t i;
	(void)state;
	o.time_wait_ns = 25 * SEC_NS;
	a = tc_agg_new(&o);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		graceful_at(a, 1000 * SEC_NS + at[i] * SEC_NS, (uint16_t)(40000 + i), C);
	cl = host(a, "\x0a\x00\x00\x01");
	assert_non_null(cl);
	assert_int_equal(cl->tw_total, 6);
	assert_int_equal(cl->tw_peak, 3);
	/* first reached by the late close, at 10 s and some ms */
	assert_true(cl->tw_peak_ts > 1010 * SEC_NS && cl->tw_peak_ts < 1011 * SEC_NS);
	assert_int_equal(tc_agg_pair(a, 0)->tw_peak, 3);
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
 * Ranking by harm: a reset the application saw outranks refusals however
 * many (eight refusals stay below one abort); within a tier, severity =
 * kind weight x (1 + log2 count).
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
	assert_int_equal(f[0].kind, TC_FIND_ABORTIVE);
	assert_int_equal(f[1].kind, TC_FIND_REFUSED);
	assert_int_equal(f[1].count, 8);
	for (i = 1; i < n; i++)
		assert_true(f[i - 1].severity >= f[i].severity);
	tc_agg_free(a);
}

/* A graceful close after `idle_s` of quiet, client port cport. */
static void idle_close(struct tc_agg *a, int64_t idle_s, uint16_t cport)
{
	struct conv v;
	conv_init(&v);
	v.cport = cport;
	handshake_and_data(&v);
	v.now += idle_s * SEC_NS;
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	feed(a, &v);
	conv_done(&v);
}

/*
 * A finding is worded when a writer asks, from the counts: one service
 * with five findings, two of them of the same kind told apart only by
 * their idle time, each gets its own sentence, and one asked for with
 * no such source gets none.
 */
static void test_finding_words_are_its_own(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_finding *f;
	struct tc_finding lost;
	size_t n, i, seen = 0;
	(void)state;
	refused_n(a, 3);
	one_abort(a);
	idle_close(a, 60, 44001);
	idle_close(a, 60, 44002);
	idle_close(a, 350, 44003);
	idle_close(a, 350, 44004);
	idle_close(a, 350, 44005);
	f = tc_agg_findings(a, &n);
	for (i = 0; i < n; i++) {
		const char *t = words(a, &f[i]);
		assert_int_equal(f[i].scope, TC_SCOPE_SERVICE);
		switch (f[i].kind) {
		case TC_FIND_ABORTIVE:
			assert_non_null(strstr(t, "server 10.0.0.2:80 aborted 1 of 9 connections"));
			seen |= 1;
			break;
		case TC_FIND_REFUSED:
			assert_non_null(strstr(t, "3 of 9 connections to 10.0.0.2:80 refused"));
			seen |= 2;
			break;
		case TC_FIND_IDLE_TIMEOUT:
			if (f[i].variant == 60) {
				assert_non_null(strstr(t, "2 connections to 10.0.0.2:80 ended after ~60 s idle"));
				seen |= 4;
			} else {
				assert_int_equal(f[i].variant, 350);
				assert_non_null(strstr(t, "3 connections to 10.0.0.2:80 ended after ~350 s idle"));
				seen |= 8;
			}
			break;
		case TC_FIND_SERVER_CLOSES_FIRST:
			fail_msg("the clients closed first: %s", t);
			break;
		default:
			break;
		}
	}
	assert_int_equal(seen, 15);
	/* A finding naming a service the aggregator does not have. */
	lost = f[0];
	lost.src = 1000;
	assert_string_equal(words(a, &lost), "");
	tc_agg_free(a);
}

/* An abort after data both ways, the RST from `by` (C or S), with server
 * 10.0.0.<last>:80; the conversation's own otherwise. */
static void abort_by(struct tc_agg *a, int by, uint8_t last, uint16_t cport)
{
	struct conv v;
	conv_init(&v);
	v.cport = cport;
	handshake_and_data(&v);
	if (by == C)
		seg(&v, C, TC_RST | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	else
		seg(&v, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	v.c.ep[TC_SERVER].addr[3] = last;
	feed(a, &v);
	conv_done(&v);
}

/*
 * A host's rare counters are made only for a host that has one: the
 * server of plain closes reads the shared zero record, the client that
 * aborted has its own, counted, and its client finding says so.
 */
static void test_host_rare_counters_made_on_first_use(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_host_stats *cl, *sv;
	const struct tc_host_opts *co, *so;
	const struct tc_finding *f;
	size_t n, i, ci = 0, si = 0;
	(void)state;
	graceful_at(a, SEC_NS, 40001, C);
	graceful_at(a, 2 * SEC_NS, 40002, S);
	assert_int_equal(tc_agg_nhosts(a), 2);
	assert_ptr_equal(tc_agg_host_opts(a, 0), tc_agg_host_opts(a, 1));
	assert_int_equal(tc_agg_host_opts(a, 0)->aborts, 0);
	abort_by(a, C, 2, 40003); /* the client, 10.0.0.1, to 10.0.0.2 */
	for (i = 0; i < tc_agg_nhosts(a); i++) {
		if (!memcmp(tc_agg_host(a, i)->addr, "\x0a\x00\x00\x01", 4))
			ci = i;
		else
			si = i;
	}
	cl = tc_agg_host(a, ci);
	sv = tc_agg_host(a, si);
	co = tc_agg_host_opts(a, ci);
	so = tc_agg_host_opts(a, si);
	assert_int_equal(cl->as_client, 3);
	assert_int_equal(sv->as_server, 3);
	assert_int_equal(co->aborts, 1);
	assert_int_equal(so->aborts, 0);
	assert_ptr_not_equal(co, so);
	f = tc_agg_findings(a, &n);
	for (i = 0; i < n && !(f[i].kind == TC_FIND_ABORTIVE && f[i].scope == TC_SCOPE_CLIENT); i++)
		;
	assert_true(i < n);
	assert_non_null(strstr(words(a, &f[i]), "client 10.0.0.1 aborted 1 of 3 connections"));
	tc_agg_free(a);
}


/*
 * Three servers on :80 aborting 1, 2 and 3 connections are one finding,
 * with the sums and the worst offender first; a server on another port
 * with the same pattern joins it.
 */
static void test_groups_by_pattern_and_port(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_finding_group *g;
	size_t n, i;
	uint16_t port = 44000;
	(void)state;
	for (i = 0; i < 3; i++) {
		size_t k;
		for (k = 0; k <= i; k++)
			abort_by(a, S, (uint8_t)(10 + i), port++);
	}
	g = tc_agg_groups(a, &n);
	/* the three server findings, and client 10.0.0.1 saw none: one group */
	assert_int_equal(n, 1);
	assert_int_equal(g[0].kind, TC_FIND_ABORTIVE);
	assert_int_equal(g[0].n, 3);
	assert_int_equal(g[0].count, 6);
	assert_int_equal(g[0].of, 6);
	assert_int_equal(g[0].port, 80);
	assert_non_null(strstr(g[0].text, "3 servers on :80 abort 100% of their connections"));
	assert_non_null(strstr(g[0].text, "6 of 6 in all: 10.0.0.12:80 (3 of 3), 10.0.0.11:80 (2 of 2), 10.0.0.10:80 (1 of 1)"));
	assert_int_equal(tc_agg_group_member(a, g[0].first)->count, 3);
	/* A fourth server, on :8080, aborts once: the same pattern, so the
	 * same finding, which now names both ports (no shared port left). */
	{
		struct conv v;
		conv_init(&v);
		v.cport = port++;
		v.sport = 8080;
		handshake_and_data(&v);
		seg(&v, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
		feed(a, &v);
		conv_done(&v);
	}
	g = tc_agg_groups(a, &n);
	assert_int_equal(n, 1);
	assert_int_equal(g[0].n, 4);
	assert_int_equal(g[0].count, 7);
	assert_int_equal(g[0].port, 0);
	assert_non_null(strstr(g[0].text, "4 servers on :80 and :8080 abort 100%"));
	assert_non_null(strstr(g[0].text, " and 1 more"));
	tc_agg_free(a);
}

/* "closed first in N of M graceful closes": M counts graceful closes only,
 * as the records do; a half-closed connection the server closed is not one. */
static void test_server_first_counts_graceful_only(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_finding *f;
	struct conv v;
	size_t n, i;
	(void)state;
	for (i = 0; i < 3; i++)
		graceful_at(a, 1000 * SEC_NS + (int64_t)i * SEC_NS, (uint16_t)(45000 + i), S);
	graceful_at(a, 1010 * SEC_NS, 45010, C);
	conv_init(&v);
	v.cport = 45020;
	handshake_and_data(&v);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	seg(&v, C, TC_ACK, ISN_C + 11, ISN_S + 12, 0);
	feed(a, &v);
	conv_done(&v);
	assert_int_equal(tc_agg_service(a, 0)->server_closed_first, 3);
	f = tc_agg_findings(a, &n);
	f = the_finding(f, n, TC_FIND_SERVER_CLOSES_FIRST);
	assert_non_null(strstr(words(a, f), "closed first in 3 of 4 graceful closes"));
	assert_int_equal(f->count, 3);
	assert_int_equal(f->of, 4);
	tc_agg_free(a);
}

/*
 * Keep-alive probes every 15 s, then the client's own FIN 60 s after the
 * last data: the connection was never idle 60 s for a middlebox, so no idle
 * timeout match (it used to be one).
 */
static void test_idle_not_across_keepalives(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_service_stats *s;
	struct conv v;
	int i;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	for (i = 0; i < 3; i++) {
		v.now += 15 * SEC_NS;
		seg(&v, C, TC_ACK, ISN_C + 10, ISN_S + 11, 0); /* probe: SND.NXT - 1 */
		seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	}
	v.now += 15 * SEC_NS;
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	assert_true(tc_conn_ext(&v.c)->ep[TC_CLIENT].ka_probes > 0);
	feed(a, &v);
	s = tc_agg_service(a, 0);
	assert_int_equal(s->idle_hist[2], 1); /* [10 s, 60 s): since the last probe */
	assert_int_equal(s->idle_match[0], 0);
	tc_agg_free(a);
	conv_done(&v);
}

/* Resets over time: counted per bucket, the width doubling to keep at most
 * TC_TIMELINE_MAX buckets; nothing is lost when buckets merge. */
static void test_reset_timeline(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const uint64_t *c;
	int64_t start, width;
	size_t n, i;
	uint64_t sum = 0;
	(void)state;
	for (i = 0; i < 3; i++)
		one_abort(a);  /* all at the conversation's start time */
	n = tc_agg_reset_timeline(a, &c, &start, &width);
	assert_int_equal(n, 1);
	assert_int_equal(c[0], 3);
	assert_int_equal(width, SEC_NS);
	for (i = 0; i < 200; i++) {
		struct conv v;
		conv_init(&v);
		v.cport = (uint16_t)(46000 + i);
		v.now += (int64_t)i * SEC_NS; /* 200 s: the width must grow */
		handshake_and_data(&v);
		seg(&v, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
		feed(a, &v);
		conv_done(&v);
	}
	n = tc_agg_reset_timeline(a, &c, &start, &width);
	assert_true(n <= TC_TIMELINE_MAX);
	assert_true(width >= 4 * SEC_NS);
	for (i = 0; i < n; i++)
		sum += c[i];
	assert_int_equal(sum, 203);
	tc_agg_free(a);
}

/* The capture_loss finding, if any, among the findings of `a`. */
static const struct tc_finding *loss_finding(struct tc_agg *a)
{
	size_t n, i;
	const struct tc_finding *f = tc_agg_findings(a, &n);
	for (i = 0; i < n; i++)
		if (f[i].kind == TC_FIND_CAPTURE_LOSS)
			return &f[i];
	return NULL;
}

/* 1000 connections, 5 with a hole, 200 bytes missed of 1 MB: below both
 * thresholds (0.5% of connections, 0.02% of bytes), no finding. */
static void test_capture_loss_small_is_no_finding(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	struct tc_stats st;
	(void)state;
	memset(&st, 0, sizeof(st));
	st.reported = 1000;
	st.loss_conns = 5;
	st.loss_gaps = 5;
	st.loss_bytes = 200;
	st.payload_bytes = 1000000;
	tc_agg_set_stats(a, &st);
	assert_null(loss_finding(a));
	/* A clean capture never has one, whatever its size. */
	st.loss_conns = st.loss_gaps = st.loss_bytes = 0;
	tc_agg_set_stats(a, &st);
	assert_null(loss_finding(a));
	tc_agg_free(a);
}

/* Over either threshold, the finding names the share, the connections
 * and the inferred verdicts. */
static void test_capture_loss_large_is_a_finding(void **state)
{
	struct tc_agg *a = tc_agg_new(NULL);
	const struct tc_finding *f;
	struct tc_stats st;
	(void)state;
	memset(&st, 0, sizeof(st));
	/* Bytes: 2.3% missed, in only 41 of 36000 connections (0.11%). */
	st.reported = 36000;
	st.loss_conns = 41;
	st.loss_gaps = 97;
	st.loss_bytes = 23000;
	st.payload_bytes = 977000;
	st.inferred = 12;
	tc_agg_set_stats(a, &st);
	f = loss_finding(a);
	assert_non_null(f);
	assert_int_equal(f->scope, TC_SCOPE_ALL);
	assert_int_equal(f->count, 41);
	assert_int_equal(f->of, 36000);
	assert_non_null(strstr(words(a, f), "missed 2.30% of bytes (23000 in 97 gaps) in 41 of 36000 connections"));
	assert_non_null(strstr(words(a, f), "12 connections rest on inferred segments"));
	/* Verdicts: 360 of 36000 (1%) rest on inferred segments, under 0.1%
	 * of bytes missed: enough to make a finding. */
	st.loss_conns = 360;
	st.loss_bytes = 360;
	st.payload_bytes = 100000000;
	st.inferred = 360;
	tc_agg_set_stats(a, &st);
	assert_non_null(loss_finding(a));
	/* ... one fewer is under both. */
	st.inferred = 359;
	tc_agg_set_stats(a, &st);
	assert_null(loss_finding(a));
	/* A hole in every connection, each one byte, no verdict inferred: the
	 * verdicts stand and the bytes are negligible, no finding. */
	st.inferred = 0;
	st.loss_conns = 36000;
	st.loss_bytes = 36000;
	tc_agg_set_stats(a, &st);
	assert_null(loss_finding(a));
	st.loss_conns = 359;
	st.loss_bytes = 359;
	/* No hole at all, but 85 of 2000 verdicts rest on a FIN the capture
	 * lost (inferred): 4% of connections touched. */
	memset(&st, 0, sizeof(st));
	st.reported = 2000;
	st.inferred = 85;
	st.payload_bytes = 1000000;
	tc_agg_set_stats(a, &st);
	f = loss_finding(a);
	assert_non_null(f);
	assert_int_equal(f->count, 85);
	assert_non_null(strstr(words(a, f), "The capture missed segments that what followed implies (a FIN, RST, SYN or ACK) in 85 of 2000 connections"));
	assert_non_null(strstr(words(a, f), "85 connections rest on inferred segments"));
	assert_non_null(strstr(words(a, f), ": kernel drops at the capture point"));
	/* ... and when most of them are one-way captures, routing is the why. */
	st.one_way = 60;
	tc_agg_set_stats(a, &st);
	assert_non_null(strstr(words(a, loss_finding(a)), ": asymmetric routing at the capture point"));
	st.one_way = 0;
	st.inferred = 19; /* under 1% */
	tc_agg_set_stats(a, &st);
	assert_null(loss_finding(a));
	st.reported = 36000;
	st.loss_conns = 359;
	st.inferred = 0;
	/* Exactly 1 byte in 1000. */
	st.loss_bytes = 1000;
	st.payload_bytes = 999000;
	tc_agg_set_stats(a, &st);
	assert_non_null(loss_finding(a));
	st.loss_bytes = 999;
	tc_agg_set_stats(a, &st);
	assert_null(loss_finding(a));
	tc_agg_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_wait_peak_over_time),
		cmocka_unit_test(test_time_wait_length_option),
		cmocka_unit_test(test_server_closes_first_finding),
		cmocka_unit_test(test_findings_asked_again_after_a_count),
		cmocka_unit_test(test_ephemeral_port_pressure),
		cmocka_unit_test(test_long_subject_cut_to_its_field),
		cmocka_unit_test(test_close_wait_finding),
		cmocka_unit_test(test_idle_histogram),
		cmocka_unit_test(test_key_cap),
		cmocka_unit_test(test_key_cap_hosts_and_pairs),
		cmocka_unit_test(test_keys_found_again_after_the_indexes_grow),
		cmocka_unit_test(test_fetched_keys_serve_only_their_connection),
		cmocka_unit_test(test_time_wait_close_reported_late),
		cmocka_unit_test(test_findings_ranked),
		cmocka_unit_test(test_finding_words_are_its_own),
		cmocka_unit_test(test_groups_by_pattern_and_port),
		cmocka_unit_test(test_server_first_counts_graceful_only),
		cmocka_unit_test(test_idle_not_across_keepalives),
		cmocka_unit_test(test_reset_timeline),
		cmocka_unit_test(test_capture_loss_small_is_no_finding),
		cmocka_unit_test(test_idle_not_across_a_gap),
		cmocka_unit_test(test_capture_loss_large_is_a_finding),
		cmocka_unit_test(test_host_rare_counters_made_on_first_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
