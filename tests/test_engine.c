/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_engine.c -- the engine's promises about when and how often a
 * connection is reported: once, `linger` after it closed, at once when its
 * 4-tuple is reused by a new SYN, when evicted under --max-conns, and at
 * finish() in id order; memory released as it goes; every frame counted;
 * and closed connections kept frozen (freeze.h) report exactly what whole
 * records would, late segments, reuse, eviction and the flush included.
 * Frames are real bytes (raw IPv4, DLT_RAW) so the decoder is in the path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcpclose/classify.h"
#include "tcpclose/diag.h"
#include "tcpclose/engine.h"
#include "rng.h"
#include "wire.h"

#define NS 1000000000LL

struct got {
	int n;
	uint64_t id[64];
	struct tc_verdict v[64];
	uint8_t cflags[64];
	uint16_t cport[64];
	const struct tc_engine *e; /* if set: its memory at each report */
	uint64_t mem[64];
};

static void on_conn(const struct tc_conn *c, const struct tc_verdict *v,
		    const struct tc_diagnosis *d, void *arg)
{
	struct got *g = arg;
	struct tc_verdict v2;
	struct tc_diagnosis d2;
	assert_true(g->n < 64);
	/* The verdict and diagnosis handed over are the classifier's and
	 * diag.c's for this record, computed by the engine. */
	tc_classify(c, &v2);
	tc_diagnose(c, &v2, &d2);
	assert_memory_equal(v, &v2, sizeof(v2));
	assert_int_equal(d->cause, d2.cause);
	assert_int_equal(d->by, d2.by);
	assert_int_equal(d->notes, d2.notes);
	assert_int_equal(d->signals, d2.signals);
	assert_memory_equal(d->frames, d2.frames, sizeof(d2.frames));
	g->id[g->n] = c->id;
	if (g->e)
		g->mem[g->n] = tc_engine_memory(g->e);
	g->v[g->n] = *v;
	g->cflags[g->n] = c->cflags;
	g->cport[g->n] = c->ep[TC_CLIENT].port;
	g->n++;
}

/* The three-way handshake of a connection (server ISN 9000). */
static void handshake(struct wire *w, uint16_t cport, uint32_t isn)
{
	wire_tx(w, cport, 0, TC_SYN, isn, 0, 0);
	wire_tx(w, cport, 1, TC_SYN | TC_ACK, 9000, isn + 1, 0);
	wire_tx(w, cport, 0, TC_ACK, isn + 1, 9001, 0);
}

/* Its graceful close after handshake(), client closing first. */
static void close_client_first(struct wire *w, uint16_t cport, uint32_t isn)
{
	wire_tx(w, cport, 0, TC_FIN | TC_ACK, isn + 1, 9001, 0);
	wire_tx(w, cport, 1, TC_FIN | TC_ACK, 9001, isn + 2, 0);
	wire_tx(w, cport, 0, TC_ACK, isn + 2, 9002, 0);
}

/* A complete graceful connection, client closing first. */
static void graceful(struct wire *w, uint16_t cport, uint32_t isn)
{
	handshake(w, cport, isn);
	close_client_first(w, cport, isn);
}

static struct tc_engine *mk(struct got *g, uint32_t max_conns, int64_t linger)
{
	struct tc_engine_opts o = {0};
	memset(g, 0, sizeof(*g));
	o.max_conns = max_conns;
	o.linger_ns = linger;
	o.hash_seed = 42;
	return tc_engine_new(&o, on_conn, g);
}

static void test_reported_once_after_linger(void **state)
{
	struct got g;
	struct wire w = {0};
	(void)state;
	w.e = mk(&g, 0, 2 * NS);
	graceful(&w, 40000, 100);
	assert_int_equal(g.n, 0); /* closed, but lingering */
	assert_int_equal(tc_engine_stats(w.e)->active, 1);
	tc_engine_tick(w.e, w.now + NS);
	assert_int_equal(g.n, 0);
	tc_engine_tick(w.e, w.now + 2 * NS);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0].close, TC_CLOSE_GRACEFUL);
	assert_int_equal(g.v[0].closer, TC_WHO_CLIENT);
	assert_int_equal(tc_engine_stats(w.e)->active, 0);
	tc_engine_finish(w.e);
	assert_int_equal(g.n, 1); /* not twice */
	tc_engine_free(w.e);
}

/* A trailing retransmission inside the linger time belongs to the same
 * connection; it does not open a phantom mid-stream one. */
static void test_late_segment_within_linger(void **state)
{
	struct got g;
	struct wire w = {0};
	(void)state;
	w.e = mk(&g, 0, 2 * NS);
	graceful(&w, 40000, 100);
	wire_tx(&w, 40000, 1, TC_FIN | TC_ACK, 9001, 102, 0); /* retransmitted FIN */
	tc_engine_finish(w.e);
	assert_int_equal(g.n, 1);
	assert_int_equal(tc_engine_stats(w.e)->conns, 1);
	tc_engine_free(w.e);
}

/* TIME_WAIT reuse: a new SYN on the 4-tuple reports the old connection at
 * once and starts a new one. */
static void test_new_syn_reuses_tuple(void **state)
{
	struct got g;
	struct wire w = {0};
	(void)state;
	w.e = mk(&g, 0, 60 * NS);
	graceful(&w, 40000, 100);
	graceful(&w, 40000, 777777);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.id[0], 1);
	assert_false(g.cflags[0] & TC_CONN_SUPERSEDED); /* it had closed */
	tc_engine_finish(w.e);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.id[1], 2);
	assert_int_equal(g.v[1].close, TC_CLOSE_GRACEFUL);
	tc_engine_free(w.e);
}

/*
 * TIME_WAIT reuse after the record is gone: the first connection is
 * reported 5 s after it closes (the default linger), its client stays in
 * TIME_WAIT for time_wait; a SYN on the same 4-tuple `gap` after the close
 * opens the second. Returns the second's cflags; *first_n is how many were
 * reported before the second SYN (1: the record was gone).
 */
static uint8_t reuse_after(int64_t gap, int64_t time_wait, int *first_n)
{
	struct got g;
	struct wire w = {0};
	struct tc_engine_opts o = {0};
	uint8_t fl;
	int i;

	memset(&g, 0, sizeof(g));
	o.linger_ns = -1;
	o.hash_seed = 42;
	o.time_wait_ns = time_wait;
	w.e = tc_engine_new(&o, on_conn, &g);
	assert_non_null(w.e);
	graceful(&w, 40000, 100);
	/* Another connection on another port, closed too: its tombstone is
	 * in the ring, and a match must be on the tuple, not on "any". */
	graceful(&w, 40001, 100);
	w.now += gap;
	tc_engine_tick(w.e, w.now);
	*first_n = g.n;
	wire_tx(&w, 40000, 0, TC_SYN, 555555, 0, 0);
	/* A SYN on a tuple never used: no reuse whatever the time. */
	wire_tx(&w, 40002, 0, TC_SYN, 555555, 0, 0);
	tc_engine_finish(w.e);
	assert_int_equal(g.n, 4);
	fl = 0;
	for (i = 0; i < g.n; i++) {
		if (g.id[i] == 3) { /* the second on 40000 */
			assert_int_equal(g.cport[i], 40000);
			fl = g.cflags[i];
		} else {
			assert_false(g.cflags[i] & TC_CONN_TW_REUSE);
		}
	}
	tc_engine_free(w.e);
	return fl;
}

static void test_tw_reuse_after_record_gone(void **state)
{
	int n;
	(void)state;
	/* 30 s after the close: reported long ago, still in TIME_WAIT (60 s). */
	assert_true(reuse_after(30 * NS, 0, &n) & TC_CONN_TW_REUSE);
	assert_int_equal(n, 2);
	/* 61 s: TIME_WAIT over. */
	assert_false(reuse_after(61 * NS, 0, &n) & TC_CONN_TW_REUSE);
	assert_int_equal(n, 2);
	/* --time-wait 20: over at 30 s, still on at 10 s. */
	assert_false(reuse_after(30 * NS, 20 * NS, &n) & TC_CONN_TW_REUSE);
	assert_true(reuse_after(10 * NS, 20 * NS, &n) & TC_CONN_TW_REUSE);
	assert_int_equal(n, 2);
	/* Within the linger the record itself still tells. */
	assert_true(reuse_after(2 * NS, 0, &n) & TC_CONN_TW_REUSE);
	assert_int_equal(n, 0);
}

/* A late non-SYN segment on a tuple in TIME_WAIT is a straggler, not reuse. */
static void test_tw_straggler_not_reuse(void **state)
{
	struct got g;
	struct wire w = {0};
	(void)state;
	w.e = mk(&g, 0, 2 * NS);
	graceful(&w, 40000, 100);
	w.now += 10 * NS;
	wire_tx(&w, 40000, 1, TC_FIN | TC_ACK, 9001, 102, 0);
	tc_engine_finish(w.e);
	assert_int_equal(g.n, 2);
	assert_false(g.cflags[1] & TC_CONN_TW_REUSE);
	tc_engine_free(w.e);
}

/*
 * Tombstones past the first ring's 1,024 (the ring and its index grow
 * three times, and an index slot keeps fewer of its key's bits each time),
 * then the older half leaving TIME_WAIT (taken out of the grown index):
 * the younger ones still tell, the older ones and a tuple never used do
 * not.
 */
static void test_tw_tombstones_after_growth_and_expiry(void **state)
{
	struct got g;
	struct wire w = {0};
	static const uint16_t port[] = {41000, 43999, 44000, 46999, 48000};
	static const int reuse[] = {0, 0, 1, 1, 0};
	int i;
	(void)state;
	w.e = mk(&g, 0, 0);
	assert_non_null(w.e);
	for (i = 0; i < 6000; i++) {
		if (i == 3000)
			w.now += 30 * NS; /* the younger half closes 30 s later */
		graceful(&w, (uint16_t)(41000 + i), 100);
		g.n = 0;
	}
	/* 61 s after the older half's closes: only the younger half is in
	 * TIME_WAIT (60 s). */
	w.now += 31 * NS;
	tc_engine_tick(w.e, w.now);
	assert_int_equal(tc_engine_stats(w.e)->reported, 6000);
	assert_int_equal(tc_engine_stats(w.e)->tw_forgotten, 0);
	g.n = 0;
	for (i = 0; i < 5; i++)
		wire_tx(&w, port[i], 0, TC_SYN, 555555, 0, 0);
	tc_engine_finish(w.e);
	assert_int_equal(g.n, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(g.cport[i], port[i]);
		assert_int_equal((g.cflags[i] & TC_CONN_TW_REUSE) != 0, reuse[i]);
	}
	tc_engine_free(w.e);
}

/* More tuples in TIME_WAIT than max_conns (1024): the oldest tombstones
 * go, counted, and the newest still tell. */
static void test_tw_tombstones_bounded(void **state)
{
	struct got g;
	struct wire w = {0};
	int i;
	(void)state;
	w.e = mk(&g, 1024, 0);
	for (i = 0; i < 1100; i++) {
		graceful(&w, (uint16_t)(41000 + i), 100);
		g.n = 0; /* only the last ones matter here */
	}
	tc_engine_tick(w.e, w.now + NS);
	assert_int_equal(tc_engine_stats(w.e)->reported, 1100);
	assert_int_equal(tc_engine_stats(w.e)->tw_forgotten, 1100 - 1024);
	w.now += NS;
	g.n = 0;
	wire_tx(&w, 41000 + 1099, 0, TC_SYN, 555555, 0, 0); /* kept */
	wire_tx(&w, 41000 + 1100 - 1024, 0, TC_SYN, 555555, 0, 0); /* oldest kept */
	wire_tx(&w, 41000 + 1100 - 1025, 0, TC_SYN, 555555, 0, 0); /* dropped */
	tc_engine_finish(w.e);
	assert_int_equal(g.n, 3);
	assert_true(g.cflags[0] & TC_CONN_TW_REUSE);
	assert_true(g.cflags[1] & TC_CONN_TW_REUSE);
	assert_false(g.cflags[2] & TC_CONN_TW_REUSE);
	tc_engine_free(w.e);
}

/* A SYN retry with a new ISN on a never-answered attempt: two attempts,
 * the first superseded and syn_only. */
static void test_superseded_syn_only(void **state)
{
	struct got g;
	struct wire w = {0};
	(void)state;
	w.e = mk(&g, 0, -1);
	wire_tx(&w, 40000, 0, TC_SYN, 100, 0, 0);
	wire_tx(&w, 40000, 0, TC_SYN, 100, 0, 0); /* retransmission: same attempt */
	wire_tx(&w, 40000, 0, TC_SYN, 5000, 0, 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0].opened, TC_OPENED_SYN_ONLY);
	assert_int_equal(g.v[0].close, TC_CLOSE_OPEN);
	assert_true(g.cflags[0] & TC_CONN_SUPERSEDED);
	tc_engine_finish(w.e);
	assert_int_equal(g.n, 2);
	tc_engine_free(w.e);
}

/* Table full: the most idle open connection goes first, flagged evicted;
 * the count stays at the cap. */
static void test_eviction_order(void **state)
{
	struct got g;
	struct wire w = {0};
	(void)state;
	w.e = mk(&g, 2, -1);
	wire_tx(&w, 40001, 0, TC_SYN, 1, 0, 0);
	wire_tx(&w, 40002, 0, TC_SYN, 1, 0, 0);
	w.now += 2 * NS; /* idleness counts to the second */
	wire_tx(&w, 40001, 0, TC_SYN, 1, 0, 0); /* 40001 active again: 40002 is idlest */
	wire_tx(&w, 40003, 0, TC_SYN, 1, 0, 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.cport[0], 40002);
	assert_true(g.cflags[0] & TC_CONN_EVICTED);
	assert_int_equal(tc_engine_stats(w.e)->active, 2);
	assert_int_equal(tc_engine_stats(w.e)->evicted, 1);
	assert_int_equal(tc_engine_stats(w.e)->peak_active, 2);
	tc_engine_finish(w.e);
	assert_int_equal(g.n, 3);
	tc_engine_free(w.e);
}

/* Closed connections waiting out their linger are dropped before any open
 * one, and they are not flagged evicted: their verdict is final. */
static void test_eviction_prefers_closed(void **state)
{
	struct got g;
	struct wire w = {0};
	(void)state;
	w.e = mk(&g, 2, 60 * NS);
	wire_tx(&w, 40001, 0, TC_SYN, 1, 0, 0);
	graceful(&w, 40002, 100);
	wire_tx(&w, 40003, 0, TC_SYN, 1, 0, 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.cport[0], 40002);
	assert_false(g.cflags[0] & TC_CONN_EVICTED);
	tc_engine_free(w.e);
}

static void test_finish_in_id_order(void **state)
{
	struct got g;
	struct wire w = {0};
	int i;
	(void)state;
	w.e = mk(&g, 0, -1);
	for (i = 0; i < 20; i++)
		wire_tx(&w, (uint16_t)(41000 + i * 7), 0, TC_SYN, 1, 0, 0);
	tc_engine_finish(w.e);
	assert_int_equal(g.n, 20);
	for (i = 0; i < 20; i++)
		assert_int_equal(g.id[i], (uint64_t)i + 1);
	tc_engine_free(w.e);
}

/*
 * Frozen and open connections together, more than a short run: the ring
 * holds the closed ones in reverse id order (they close last opened
 * first), the table the open ones in its own order; finish() reports all
 * of them once, in id order.
 */
static void test_finish_in_id_order_frozen_and_open(void **state)
{
	struct got g;
	struct wire w = {0};
	int i;
	(void)state;
	w.e = mk(&g, 0, 60 * NS);
	for (i = 0; i < 60; i++)
		handshake(&w, (uint16_t)(42000 + i * 13), 1000u * (uint32_t)i + 1);
	for (i = 59; i >= 0; i -= 2)
		close_client_first(&w, (uint16_t)(42000 + i * 13), 1000u * (uint32_t)i + 1);
	assert_int_equal(g.n, 0);
	assert_int_equal(tc_engine_stats(w.e)->frozen, 30);
	tc_engine_finish(w.e);
	assert_int_equal(g.n, 60);
	for (i = 0; i < 60; i++) {
		assert_int_equal(g.id[i], (uint64_t)i + 1);
		assert_int_equal(g.v[i].close, i % 2 ? TC_CLOSE_GRACEFUL : TC_CLOSE_OPEN);
	}
	assert_int_equal(tc_engine_stats(w.e)->active, 0);
	tc_engine_free(w.e);
}

/*
 * finish() gives memory back as it reports: the index before the first
 * report (nothing is looked up any more), then, as connections that
 * closed in id order are reported, the closed ring a little with each,
 * down to the last one's own entry.
 */
static void test_finish_gives_the_ring_back_as_it_goes(void **state)
{
	struct got g;
	struct wire w = {0};
	uint64_t before;
	int i;
	(void)state;
	w.e = mk(&g, 0, 60 * NS);
	for (i = 0; i < 40; i++)
		graceful(&w, (uint16_t)(43000 + i), 1000u * (uint32_t)i + 1);
	assert_int_equal(tc_engine_stats(w.e)->frozen, 40);
	before = tc_engine_memory(w.e);
	g.e = w.e;
	tc_engine_finish(w.e);
	assert_int_equal(g.n, 40);
	/* the index: at most half full, 8 bytes a slot, 40 entries */
	assert_true(g.mem[0] + 2 * 8 * 40 <= before);
	/* each entry reported gave back its bytes: a header of 8 and at
	 * least 4 of record */
	for (i = 1; i < 40; i++)
		assert_true(g.mem[i] + 12 <= g.mem[i - 1]);
	tc_engine_free(w.e);
}

static void test_counts_every_frame(void **state)
{
	struct got g;
	struct wire w = {0};
	uint8_t udp[28] = {0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17};
	uint8_t junk[3] = {0x45, 0, 0};
	const struct tc_stats *st;
	(void)state;
	w.e = mk(&g, 0, -1);
	assert_int_equal(tc_engine_frame(w.e, TC_DLT_RAW, 10 * NS, 1, udp, sizeof(udp)), TC_DEC_NOT_TCP);
	assert_int_equal(tc_engine_frame(w.e, TC_DLT_RAW, 20 * NS, 2, junk, sizeof(junk)), TC_DEC_TRUNCATED);
	assert_int_equal(tc_engine_frame(w.e, 9999, 30 * NS, 3, udp, sizeof(udp)), TC_DEC_UNSUPPORTED_LINK);
	w.now = 5 * NS; /* behind the newest frame: time went backwards */
	w.frame = 3;
	assert_int_equal(wire_tx(&w, 40000, 0, TC_SYN, 1, 0, 0), TC_DEC_OK);
	st = tc_engine_stats(w.e);
	assert_int_equal(st->frames, 4);
	assert_int_equal(st->tcp, 1);
	assert_int_equal(st->by_status[TC_DEC_NOT_TCP], 1);
	assert_int_equal(st->by_status[TC_DEC_TRUNCATED], 1);
	assert_int_equal(st->by_status[TC_DEC_UNSUPPORTED_LINK], 1);
	assert_int_equal(st->time_backwards, 1);
	assert_int_equal(st->ts_first, 10 * NS);
	assert_int_equal(st->ts_last, 30 * NS);
	tc_engine_finish(w.e);
	assert_int_equal(tc_engine_stats(w.e)->by_close[TC_CLOSE_OPEN], 1);
	tc_engine_free(w.e);
}

/* Live mode ticks the engine's clock before the first frame arrives: the
 * capture still starts at that frame, not at 0. */
static void test_first_ts_after_tick(void **state)
{
	struct got g;
	struct wire w = {0};
	uint8_t udp[28] = {0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17};
	(void)state;
	w.e = mk(&g, 0, -1);
	tc_engine_tick(w.e, 5 * NS);
	assert_int_equal(tc_engine_frame(w.e, TC_DLT_RAW, 7 * NS, 1, udp, sizeof(udp)), TC_DEC_NOT_TCP);
	assert_int_equal(tc_engine_stats(w.e)->ts_first, 7 * NS);
	assert_int_equal(tc_engine_stats(w.e)->ts_last, 7 * NS);
	tc_engine_finish(w.e);
	tc_engine_free(w.e);
}

/* A reset is reported linger after the RST, with the verdict tallied. */
static void test_reset_and_refused_tallies(void **state)
{
	struct got g;
	struct wire w = {0};
	const struct tc_stats *st;
	(void)state;
	w.e = mk(&g, 0, 0);
	wire_tx(&w, 40000, 0, TC_SYN, 100, 0, 0);
	wire_tx(&w, 40000, 1, TC_RST | TC_ACK, 0, 101, 0);
	wire_tx(&w, 40001, 0, TC_SYN, 100, 0, 0); /* advances time: expiry runs */
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0].close, TC_CLOSE_RESET);
	assert_int_equal(g.v[0].opened, TC_OPENED_REFUSED);
	st = tc_engine_stats(w.e);
	assert_int_equal(st->refused, 1);
	assert_int_equal(st->by_close[TC_CLOSE_RESET], 1);
	tc_engine_free(w.e);
}

/* Memory follows what is open: many short connections one after another
 * keep the table small. */
static void test_memory_follows_open_connections(void **state)
{
	struct got g;
	struct wire w = {0};
	int i;
	(void)state;
	w.e = mk(&g, 0, 0);
	for (i = 0; i < 5000; i++) {
		graceful(&w, (uint16_t)(20000 + i), (uint32_t)i * 1000u);
		g.n = 0; /* the recorder keeps only 64 */
	}
	assert_true(tc_engine_stats(w.e)->peak_active <= 2);
	assert_int_equal(tc_engine_stats(w.e)->conns, 5000);
	tc_engine_free(w.e);
}

/* ---- frozen closed records against whole ones -------------------------- */

/* What the callback saw, in order: a digest of each record's bytes (the
 * extension pointer left out, its contents in), verdict and diagnosis. */
#define TRACE_MAX 32768

struct trace {
	int n;
	uint64_t h[TRACE_MAX];
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static void on_trace(const struct tc_conn *c, const struct tc_verdict *v,
		     const struct tc_diagnosis *d, void *arg)
{
	struct trace *t = arg;
	struct tc_conn copy = *c;
	uint64_t h = 0xcbf29ce484222325ULL;

	copy.x = NULL;
	copy.end = NULL;
	h = fnv(h, &copy, sizeof(copy));
	h = fnv(h, tc_conn_ext(c), sizeof(struct tc_conn_ext));
	h = fnv(h, tc_conn_end(c), sizeof(struct tc_conn_end));
	h = fnv(h, v, sizeof(*v));
	h = fnv(h, &d->cause, sizeof(d->cause));
	h = fnv(h, d->frames, sizeof(d->frames));
	assert_true(t->n < TRACE_MAX);
	t->h[t->n++] = h;
}

static void count_conn(const struct tc_conn *c, void *arg)
{
	(void)c;
	(*(int *)arg)++;
}

/*
 * 3000 connections, a few hundred lingering at once (the closed ring spans
 * several chunks): late FINs and RSTs after the close (thawed, then frozen
 * again), tuples reused by a new SYN while closed, connections left open
 * for the flush; returns what tc_engine_foreach saw midway.
 */
static int scenario_paced(struct tc_engine *e, int pauses)
{
	struct wire w = {0};
	int i, seen = 0;

	w.e = e;
	for (i = 0; i < 3000; i++) {
		uint16_t port = (uint16_t)(20000 + i % 2500); /* the last 500 reuse a tuple */
		uint32_t isn = (uint32_t)i * 100000u;
		if (i % 17 == 0) {
			wire_tx(&w, port, 0, TC_SYN, isn, 0, 0); /* left open */
			continue;
		}
		graceful(&w, port, isn);
		if (i >= 3 && i % 5 == 0) /* a late FIN retransmission, three connections back */
			wire_tx(&w, (uint16_t)(20000 + (i - 3) % 2500), 1, TC_FIN | TC_ACK, 9001,
				(uint32_t)(i - 3) * 100000u + 2, 0);
		if (i >= 4 && i % 7 == 0) { /* an RST after the close, every other one thrice */
			int k;
			for (k = 0; k < (i % 14 ? 1 : 3); k++)
				wire_tx(&w, (uint16_t)(20000 + (i - 4) % 2500), 0, TC_RST,
					(uint32_t)(i - 4) * 100000u + 2, 0, 0);
		}
		w.now += 2000000; /* 2 ms: with a 1 s linger, ~500 closed at once */
		/* A 5 s pause now and then: the ring's entries then close more
		 * than 4.29 s after their chunk's first, and carry the time whole. */
		if (pauses && i % 97 == 0)
			w.now += 5 * NS;
		if (i == 1500)
			tc_engine_foreach(e, count_conn, &seen);
	}
	tc_engine_finish(e);
	return seen;
}

static int scenario(struct tc_engine *e)
{
	return scenario_paced(e, 0);
}

/*
 * The scenario with a linger of `linger` (pauses or not), closed records
 * kept whole and then frozen: the callback must see the same records, in
 * the same order, and tc_engine_foreach the same number midway, which it
 * returns. *whole and *frozen get each run's statistics.
 */
static int frozen_vs_whole(int64_t linger, int pauses, struct tc_stats *whole,
			    struct tc_stats *frozen)
{
	static struct trace a, b;
	struct tc_engine_opts o = {0};
	struct tc_engine *e;
	int seen_a, seen_b, i;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	o.linger_ns = linger;
	o.hash_seed = 7;
	o.no_freeze = 1;
	e = tc_engine_new(&o, on_trace, &a);
	seen_a = scenario_paced(e, pauses);
	*whole = *tc_engine_stats(e);
	tc_engine_free(e);
	o.no_freeze = 0;
	e = tc_engine_new(&o, on_trace, &b);
	seen_b = scenario_paced(e, pauses);
	*frozen = *tc_engine_stats(e);
	tc_engine_free(e);
	/* Every index entry went with its report, frozen ones included. */
	assert_int_equal(whole->active, 0);
	assert_int_equal(frozen->active, 0);
	assert_int_equal(seen_a, seen_b);
	assert_int_equal(a.n, b.n);
	assert_true(a.n >= 3000);
	for (i = 0; i < a.n; i++)
		assert_true(a.h[i] == b.h[i]);
	return seen_a;
}

static void test_frozen_reports_as_whole(void **state)
{
	struct tc_stats w, f;
	(void)state;

	assert_true(frozen_vs_whole(NS, 0, &w, &f) > 400);
	assert_int_equal(w.frozen, 0);
	assert_true(f.frozen > 2000);
	assert_true(f.thawed > 500);
	/* Through several 64 KiB chunks of the ring, each with its own
	 * prototype (freeze.h), thawed and frozen again against it. */
	assert_true(f.frozen_bytes > 3 * 65536);
	/* Some came back to their entry: the repeated RSTs change only
	 * counters, which the entry's padding holds. */
	assert_true(f.refrozen > 10);
	assert_int_equal(f.peak_active, w.peak_active);
}

/* The same with pauses longer than a ring entry's 32-bit close time
 * reaches (and a linger longer still, so that the ring never empties):
 * entries with the time whole, thawed and frozen again too, report what
 * whole records do, at the same moments. */
static void test_frozen_wide_times_as_whole(void **state)
{
	struct tc_stats w, f;
	(void)state;

	assert_true(frozen_vs_whole(10 * NS, 1, &w, &f) > 100);
	assert_true(f.frozen_wide > 100);
	assert_true(f.thawed > 500);
}

/* Two connections closing 10 s apart, in one ring chunk: the second's
 * close time is kept whole only if the first is still lingering (an empty
 * ring starts its chunk's times again), and each is reported its linger
 * after its own close. */
static void test_ring_time_after_pause(void **state)
{
	struct got g;
	struct wire w = {0};
	int64_t linger[2] = {NS, 20 * NS}, t0;
	int k;
	(void)state;

	for (k = 0; k < 2; k++) {
		w.now = 0;
		w.e = mk(&g, 0, linger[k]);
		graceful(&w, 40000, 100);
		t0 = w.now;
		w.now += 10 * NS;
		graceful(&w, 40001, 5000);
		assert_true(tc_engine_stats(w.e)->frozen_wide == (uint64_t)k);
		assert_int_equal(g.n, k ? 0 : 1);
		if (k) {
			tc_engine_tick(w.e, t0 + linger[k] - 1);
			assert_int_equal(g.n, 0);
			tc_engine_tick(w.e, t0 + linger[k]);
			assert_int_equal(g.n, 1);
		}
		assert_int_equal(g.cport[0], 40000);
		tc_engine_tick(w.e, w.now + linger[k] - 1);
		assert_int_equal(g.n, 1);
		tc_engine_tick(w.e, w.now + linger[k]);
		assert_int_equal(g.n, 2);
		assert_int_equal(g.cport[1], 40001);
		assert_int_equal(g.v[1].close, TC_CLOSE_GRACEFUL);
		tc_engine_free(w.e);
	}
}

/* Under --max-conns the frozen entries go first, in close order, as the
 * closed list's did. */
static void test_frozen_evicted_as_whole(void **state)
{
	static struct trace a, b;
	struct tc_engine_opts o = {0};
	struct tc_engine *e;
	int i;
	(void)state;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	o.linger_ns = NS;
	o.hash_seed = 7;
	o.max_conns = 100;
	o.no_freeze = 1;
	e = tc_engine_new(&o, on_trace, &a);
	scenario(e);
	assert_true(tc_engine_stats(e)->evicted > 0); /* open ones too, not only closed */
	tc_engine_free(e);
	o.no_freeze = 0;
	e = tc_engine_new(&o, on_trace, &b);
	scenario(e);
	assert_int_equal(tc_engine_stats(e)->peak_active, 100);
	assert_true(tc_engine_stats(e)->evicted > 0);
	tc_engine_free(e);
	assert_int_equal(a.n, b.n);
	for (i = 0; i < a.n; i++)
		assert_true(a.h[i] == b.h[i]);
}

/* ---- tc_engine_push() takes frames as tc_engine_frame_wire() does ----- */

#define MIX_FRAMES 20000
#define MIX_CONNS 300

struct mix {
	uint8_t b[MIX_FRAMES][40 + 64];
	uint32_t len[MIX_FRAMES];
	int64_t ts[MIX_FRAMES];
};

/* What a run hands out, in order: each report (on_trace's digest of the
 * record) and a running digest of every segment the tap sees. */
struct run_trace {
	struct trace conns;
	uint64_t seg_h, segments;
};

static void trace_seg(const struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int64_t ts,
		      uint64_t frame, const uint8_t before[2], void *arg)
{
	struct run_trace *t = arg;
	uint64_t who = c->id << 1 | (uint64_t)from;
	t->seg_h = fnv(t->seg_h, &who, sizeof(who));
	t->seg_h = fnv(t->seg_h, &frame, sizeof(frame));
	t->seg_h = fnv(t->seg_h, &ts, sizeof(ts));
	t->seg_h = fnv(t->seg_h, &p->seq, sizeof(p->seq));
	t->seg_h = fnv(t->seg_h, before, 2);
	t->segments++;
}

/*
 * 300 connections on one server port, interleaved at random: handshakes,
 * data, FINs, RSTs, stray ACKs, repeated frames, a new SYN on a used tuple,
 * frames that are not TCP or are cut short, and now and then a timestamp
 * that goes back. With a table of 64 and a linger of 2 ms, connections are
 * evicted, reported and frozen in the middle of every batch.
 */
static void mix_build(struct mix *m)
{
	static uint32_t seq[MIX_CONNS][2];
	int64_t now = NS;
	size_t i, j;

	rng_state = 0x5eed5eedULL;
	for (i = 0; i < MIX_CONNS; i++) {
		seq[i][0] = (uint32_t)rnd();
		seq[i][1] = (uint32_t)rnd();
	}
	for (i = 0; i < MIX_FRAMES; i++) {
		uint64_t r = rnd();
		unsigned k = (unsigned)(r % MIX_CONNS), srv = (unsigned)(r >> 20) & 1, what = (unsigned)(r >> 24) % 16;
		uint16_t len = 0;
		uint8_t fl = TC_ACK;
		uint32_t *s = seq[k];

		switch (what) {
		case 0:
			fl = srv ? TC_SYN | TC_ACK : TC_SYN;
			break;
		case 1:
			fl = TC_FIN | TC_ACK;
			break;
		case 2:
			fl = (r >> 40) & 1 ? TC_RST : TC_RST | TC_ACK;
			len = (uint16_t)((r >> 44) % 40); /* its text, cut at 23 */
			break;
		case 3:
			s[srv] += (uint32_t)(r >> 32) % 100000; /* a jump: lost segments */
			break;
		default:
			len = (uint16_t)((r >> 32) % 65);
			break;
		}
		if (i && what == 15 && (r >> 36) % 4 == 0) {
			/* the previous frame again */
			memcpy(m->b[i], m->b[i - 1], m->len[i - 1]);
			m->len[i] = m->len[i - 1];
		} else {
			m->len[i] = wire_frame(m->b[i], (uint16_t)(20000 + k), 443, (int)srv, fl, s[srv],
					       s[!srv], len, (uint16_t)i);
			s[srv] += len + ((fl & (TC_SYN | TC_FIN)) ? 1u : 0u);
			for (j = 0; j < len; j++) /* printable: an RST's text shows it */
				m->b[i][40 + j] = (uint8_t)('a' + (i + j) % 26);
		}
		if (what == 14 && (r >> 44) % 8 == 0)
			m->b[i][9] = 17; /* UDP */
		if (what == 13 && (r >> 44) % 8 == 0)
			m->len[i] = 30; /* cut short */
		now += (int64_t)((r >> 48) % 200000);
		m->ts[i] = (r >> 52) % 64 == 0 ? now - 3000000 : now;
	}
}

static struct tc_engine *mk_traced(struct run_trace *t)
{
	struct tc_engine_opts o = {0};
	struct tc_engine *e;
	memset(t, 0, sizeof(*t));
	t->seg_h = 0xcbf29ce484222325ULL;
	o.max_conns = 64;
	o.linger_ns = 2000000;
	o.hash_seed = 7;
	e = tc_engine_new(&o, on_trace, &t->conns);
	assert_non_null(e);
	tc_engine_set_tap(e, trace_seg, t);
	return e;
}

static void test_queued_same_as_frames(void **state)
{
	static struct mix m;
	static struct run_trace one, q;
	int i2;
	struct tc_engine *a, *b;
	enum tc_decode_status st1[MIX_FRAMES];
	const struct tc_stats *sa, *sb;
	size_t i;

	(void)state;
	mix_build(&m);
	a = mk_traced(&one);
	for (i = 0; i < MIX_FRAMES; i++)
		st1[i] = tc_engine_frame_wire(a, TC_DLT_RAW, m.ts[i], i + 1, m.b[i], m.len[i], 0);
	tc_engine_finish(a);

	/* Queued, with now and then a frame given directly, a drain, or a
	 * tick to a time already passed: each must take the queue first. */
	b = mk_traced(&q);
	for (i = 0; i < MIX_FRAMES; i++) {
		uint64_t r = rnd();
		uint8_t frame[40 + 64];
		enum tc_decode_status st;
		/* the queue keeps no pointer into the caller's buffer */
		memcpy(frame, m.b[i], m.len[i]);
		if (r % 97 == 0)
			st = tc_engine_frame_wire(b, TC_DLT_RAW, m.ts[i], i + 1, frame, m.len[i], 0);
		else
			st = tc_engine_push(b, TC_DLT_RAW, m.ts[i], i + 1, frame, m.len[i], 0);
		memset(frame, 0xa5, sizeof(frame));
		assert_int_equal(st, st1[i]);
		if (r % 89 == 1)
			tc_engine_drain(b);
		if (r % 83 == 2)
			tc_engine_tick(b, m.ts[i] - 1);
	}
	tc_engine_finish(b);

	/* The mix did what it is for: reports, evictions, frozen records,
	 * frames that are not TCP, time going back. */
	sa = tc_engine_stats(a);
	assert_true(one.conns.n > 1000);
	assert_true(sa->evicted > 0);
	assert_true(sa->frozen > 0);
	assert_true(sa->by_status[TC_DEC_NOT_TCP] > 0 && sa->by_status[TC_DEC_TRUNCATED] > 0);
	assert_true(sa->time_backwards > 0);

	assert_int_equal(q.conns.n, one.conns.n);
	for (i2 = 0; i2 < one.conns.n; i2++)
		assert_true(q.conns.h[i2] == one.conns.h[i2]);
	assert_int_equal(q.segments, one.segments);
	assert_int_equal(q.seg_h, one.seg_h);
	sb = tc_engine_stats(b);
	assert_memory_equal(sa, sb, sizeof(*sa));
	tc_engine_free(a);
	tc_engine_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reported_once_after_linger),
		cmocka_unit_test(test_late_segment_within_linger),
		cmocka_unit_test(test_new_syn_reuses_tuple),
		cmocka_unit_test(test_tw_reuse_after_record_gone),
		cmocka_unit_test(test_tw_straggler_not_reuse),
		cmocka_unit_test(test_tw_tombstones_bounded),
		cmocka_unit_test(test_tw_tombstones_after_growth_and_expiry),
		cmocka_unit_test(test_superseded_syn_only),
		cmocka_unit_test(test_eviction_order),
		cmocka_unit_test(test_eviction_prefers_closed),
		cmocka_unit_test(test_finish_in_id_order),
		cmocka_unit_test(test_finish_in_id_order_frozen_and_open),
		cmocka_unit_test(test_finish_gives_the_ring_back_as_it_goes),
		cmocka_unit_test(test_frozen_reports_as_whole),
		cmocka_unit_test(test_frozen_wide_times_as_whole),
		cmocka_unit_test(test_ring_time_after_pause),
		cmocka_unit_test(test_frozen_evicted_as_whole),
		cmocka_unit_test(test_counts_every_frame),
		cmocka_unit_test(test_first_ts_after_tick),
		cmocka_unit_test(test_reset_and_refused_tallies),
		cmocka_unit_test(test_memory_follows_open_connections),
		cmocka_unit_test(test_queued_same_as_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
