/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tui_model.c -- the live view's model: sort orders, filters, the
 * counters of the header, the event feed, TIME_WAIT per host, and the
 * expiry and caps of finished rows. No terminal, no capture: connections
 * are made by hand (and, in the last test, by the real engine).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tcpclose/diag.h"
#include "tcpclose/engine.h"
#include "wire.h"
#include "tui_model.h"

#define NS 1000000000LL
#define T0 (1700000000LL * NS)

/*
 * c's end record, from a pool that lasts the whole run: the records here
 * are built by value and copied about, and the model copies what it keeps,
 * so nothing here frees them.
 */
static struct tc_conn_end *end_of(struct tc_conn *c)
{
	static struct tc_conn_end pool[1 << 17];
	static size_t used;
	if (!c->end) {
		assert_true(used < sizeof(pool) / sizeof(pool[0]));
		c->end = &pool[used++];
	}
	return c->end;
}

static struct tc_conn mk(uint64_t id, uint16_t cport, int cst, int sst, int64_t first, int64_t last)
{
	struct tc_conn c;
	memset(&c, 0, sizeof(c));
	c.id = id;
	c.af = 4;
	memcpy(c.ep[TC_CLIENT].addr, "\x0a\x00\x00\x01", 4);
	memcpy(c.ep[TC_SERVER].addr, "\x0a\x00\x00\x02", 4);
	c.ep[TC_CLIENT].port = cport;
	c.ep[TC_SERVER].port = 80;
	c.ep[TC_CLIENT].state = (uint8_t)cst;
	c.ep[TC_SERVER].state = (uint8_t)sst;
	c.ep[TC_CLIENT].flags = TC_EP_SYN;
	c.ep[TC_SERVER].flags = TC_EP_SYN;
	c.cflags = TC_CONN_SYNACK_SEEN;
	c.first_ts = first;
	c.last_ts = last;
	c.ep[TC_CLIENT].t_last = tc_conn_rel(&c, last);
	c.ep[TC_SERVER].t_last = tc_conn_rel(&c, last);
	return c;
}

/* A graceful close, client first: the client ends in TIME_WAIT. */
static struct tc_conn graceful_conn(uint64_t id, uint16_t cport, int64_t fin_ts)
{
	struct tc_conn c = mk(id, cport, TC_TIME_WAIT, TC_CLOSED, fin_ts - NS, fin_ts);
	c.ep[TC_CLIENT].flags |= TC_EP_FIN | TC_EP_FIN_ACKED;
	c.ep[TC_SERVER].flags |= TC_EP_FIN | TC_EP_FIN_ACKED;
	end_of(&c)->ep[TC_CLIENT].ts_fin = fin_ts - NS / 10;
	end_of(&c)->ep[TC_SERVER].ts_fin = fin_ts;
	c.cflags |= TC_CONN_DONE;
	return c;
}

static struct tc_verdict verdict(enum tc_close close, enum tc_who closer, enum tc_who reset_by)
{
	struct tc_verdict v;
	memset(&v, 0, sizeof(v));
	v.close = close;
	v.closer = closer;
	v.reset_by = reset_by;
	v.reset_phase = reset_by ? TC_PHASE_ESTABLISHED : TC_PHASE_NONE;
	return v;
}

/* A hand-made connection reported with a hand-made verdict, and the
 * diagnosis the engine would hand over with them. */
static void feed_conn(struct tcm_model *m, const struct tc_conn *c, const struct tc_verdict *v,
		      int64_t now)
{
	struct tc_diagnosis d;
	tc_diagnose(c, v, &d);
	tcm_on_conn(m, c, v, &d, now);
}

static struct tc_stats no_stats(void)
{
	struct tc_stats st;
	memset(&st, 0, sizeof(st));
	st.ts_first = T0;
	return st;
}

static void rebuild(struct tcm_model *m, int64_t now, const struct tc_conn *c, int n)
{
	struct tc_stats st = no_stats();
	int i;
	tcm_rebuild_begin(m, now);
	for (i = 0; i < n; i++)
		tcm_rebuild_conn(m, &c[i]);
	st.active = (uint64_t)n;
	tcm_rebuild_end(m, &st);
}

static uint64_t row_id(const struct tcm_model *m, size_t i)
{
	const struct tcm_snap *s = tcm_snap(m);
	assert_true(i < s->nrows);
	return s->rows[i].c.id;
}

/* ---- sort orders ------------------------------------------------------- */

static void test_sort_orders(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct tc_conn c[4];
	(void)state;
	assert_non_null(m);

	/* 1: old, busy recently; 2: young, idle long; 3: CLOSE_WAIT; 4: RSTs */
	c[0] = mk(1, 1001, TC_ESTABLISHED, TC_ESTABLISHED, T0, T0 + 50 * NS);
	c[1] = mk(2, 1002, TC_ESTABLISHED, TC_ESTABLISHED, T0 + 10 * NS, T0 + 11 * NS);
	c[2] = mk(3, 1003, TC_FIN_WAIT_2, TC_CLOSE_WAIT, T0 + 20 * NS, T0 + 30 * NS);
	c[3] = mk(4, 1004, TC_ESTABLISHED, TC_ESTABLISHED, T0 + 30 * NS, T0 + 40 * NS);
	c[0].ep[0].bytes = 10;
	c[1].ep[1].bytes = 5000;
	c[2].ep[0].bytes = 100;
	c[3].ep[0].bytes = 1;
	end_of(&c[3])->ep[1].rsts = 2; /* RSTs sent but none accepted: not reset */
	c[3].rst_ignored = 2;

	tcm_set_sort(m, TCM_SORT_IDLE);
	rebuild(m, T0 + 60 * NS, c, 4);
	assert_int_equal(tcm_snap(m)->nrows, 4);
	assert_int_equal(row_id(m, 0), 2); /* idle since +11 s */
	assert_int_equal(row_id(m, 1), 3);
	assert_int_equal(row_id(m, 2), 4);
	assert_int_equal(row_id(m, 3), 1);

	tcm_set_sort(m, TCM_SORT_AGE);
	rebuild(m, T0 + 60 * NS, c, 4);
	assert_int_equal(row_id(m, 0), 1);
	assert_int_equal(row_id(m, 3), 4);

	tcm_set_sort(m, TCM_SORT_STATE);
	rebuild(m, T0 + 60 * NS, c, 4);
	assert_int_equal(row_id(m, 0), 3); /* CLOSE_WAIT comes first */

	tcm_set_sort(m, TCM_SORT_BYTES);
	rebuild(m, T0 + 60 * NS, c, 4);
	assert_int_equal(row_id(m, 0), 2);
	assert_int_equal(row_id(m, 1), 3);
	assert_int_equal(row_id(m, 2), 1);
	assert_int_equal(row_id(m, 3), 4);

	tcm_set_sort(m, TCM_SORT_RESETS);
	rebuild(m, T0 + 60 * NS, c, 4);
	assert_int_equal(row_id(m, 0), 4); /* most RSTs */
	assert_string_equal(tcm_sort_name(tcm_snap(m)->sort), "resets");

	/* Re-sorting the rows already there (paused view) needs no engine. */
	tcm_set_sort(m, TCM_SORT_AGE);
	tcm_resort(m);
	assert_int_equal(row_id(m, 0), 1);
	assert_int_equal(tcm_snap(m)->sort, TCM_SORT_AGE);
	tcm_free(m);
}

/* The IDLE and AGE columns show now - last_ts and now - first_ts for
 * every row, open or finished: each order is the order of its column. */
static void test_idle_and_age_order_finished_rows_too(void **state)
{
	struct tcm_opts o = {0};
	struct tcm_model *m;
	struct tc_conn open = mk(5, 2005, TC_ESTABLISHED, TC_ESTABLISHED, T0 + 5 * NS, T0 + 6 * NS);
	struct tc_verdict v = verdict(TC_CLOSE_GRACEFUL, TC_WHO_CLIENT, TC_WHO_NONE);
	const struct tcm_snap *s;
	size_t i;
	int k;
	(void)state;

	o.keep_ns = -1;
	m = tcm_new(&o);
	/* Finished rows reported in an order unrelated to their times (the
	 * engine reports after a linger, or all at once at the end): first
	 * and last packets drawn so that the idle and age orders differ. */
	for (k = 0; k < 40; k++) {
		int64_t first = T0 + (int64_t)((k * 17) % 40) * NS;
		int64_t last = first + (int64_t)((k * 23) % 37) * NS / 2;
		struct tc_conn c = graceful_conn((uint64_t)k + 10, (uint16_t)(2100 + k), last);
		c.first_ts = first;
		feed_conn(m, &c, &v, T0 + (int64_t)((k * 29) % 40) * NS + 60 * NS);
	}
	tcm_set_sort(m, TCM_SORT_IDLE);
	rebuild(m, T0 + 100 * NS, &open, 1);
	s = tcm_snap(m);
	assert_int_equal(s->nrows, 41);
	for (i = 1; i < s->nrows; i++)
		assert_true(s->now - s->rows[i - 1].c.last_ts >= s->now - s->rows[i].c.last_ts);
	/* The open row sits where its idle time puts it, not first. */
	assert_true(tcm_find(s, 5) > 0);

	tcm_set_sort(m, TCM_SORT_AGE);
	rebuild(m, T0 + 100 * NS, &open, 1);
	s = tcm_snap(m);
	for (i = 1; i < s->nrows; i++)
		assert_true(s->now - s->rows[i - 1].c.first_ts >= s->now - s->rows[i].c.first_ts);
	/* and the two orders are not the same order */
	{
		uint64_t by_age[41];
		size_t differ = 0;
		for (i = 0; i < s->nrows; i++)
			by_age[i] = s->rows[i].c.id;
		tcm_set_sort(m, TCM_SORT_IDLE);
		tcm_resort(m);
		for (i = 0; i < s->nrows; i++)
			differ += tcm_snap(m)->rows[i].c.id != by_age[i];
		assert_true(differ > 10);
	}
	tcm_free(m);
}

/* Every key on a mix of open and finished rows; ties go by id. */
static void test_sort_keys_mixed_rows(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct tc_conn c[3];
	struct tc_conn rst = mk(20, 2020, TC_CLOSED, TC_CLOSED, T0 + 2 * NS, T0 + 3 * NS);
	struct tc_conn gr = graceful_conn(21, 2021, T0 + 8 * NS);
	struct tc_verdict rv = verdict(TC_CLOSE_RESET, TC_WHO_NONE, TC_WHO_SERVER);
	struct tc_verdict gv = verdict(TC_CLOSE_GRACEFUL, TC_WHO_CLIENT, TC_WHO_NONE);
	(void)state;

	c[0] = mk(1, 2001, TC_ESTABLISHED, TC_ESTABLISHED, T0 + 1 * NS, T0 + 9 * NS);
	c[1] = mk(2, 2002, TC_ESTABLISHED, TC_CLOSE_WAIT, T0 + 4 * NS, T0 + 5 * NS);
	c[2] = mk(3, 2003, TC_SYN_SENT, TC_CLOSED, T0 + 6 * NS, T0 + 6 * NS);
	c[0].ep[1].bytes = 300;
	c[1].ep[0].bytes = 20;
	gr.first_ts = T0;
	gr.ep[0].bytes = 1000;
	end_of(&rst)->ep[TC_SERVER].rsts = 1;
	rst.ep[TC_SERVER].bytes = 50;
	feed_conn(m, &rst, &rv, T0 + 8 * NS);
	feed_conn(m, &gr, &gv, T0 + 9 * NS);

	/* last packets: 20 @3, 2 @5, 3 @6, 21 @8, 1 @9 */
	tcm_set_sort(m, TCM_SORT_IDLE);
	rebuild(m, T0 + 10 * NS, c, 3);
	assert_int_equal(row_id(m, 0), 20);
	assert_int_equal(row_id(m, 1), 2);
	assert_int_equal(row_id(m, 2), 3);
	assert_int_equal(row_id(m, 3), 21);
	assert_int_equal(row_id(m, 4), 1);
	/* first packets: 21 @0, 1 @1, 20 @2, 2 @4, 3 @6 */
	tcm_set_sort(m, TCM_SORT_AGE);
	rebuild(m, T0 + 10 * NS, c, 3);
	assert_int_equal(row_id(m, 0), 21);
	assert_int_equal(row_id(m, 1), 1);
	assert_int_equal(row_id(m, 2), 20);
	assert_int_equal(row_id(m, 3), 2);
	assert_int_equal(row_id(m, 4), 3);
	/* state: CLOSE_WAIT, SYN_SENT, ESTABLISHED; then finished ones:
	 * TIME_WAIT before CLOSED */
	tcm_set_sort(m, TCM_SORT_STATE);
	rebuild(m, T0 + 10 * NS, c, 3);
	assert_int_equal(row_id(m, 0), 2);
	assert_int_equal(row_id(m, 1), 3);
	assert_int_equal(row_id(m, 2), 1);
	assert_int_equal(row_id(m, 3), 21);
	assert_int_equal(row_id(m, 4), 20);
	/* bytes both ways: 21 1000, 1 300, 20 50, 2 20, 3 0 */
	tcm_set_sort(m, TCM_SORT_BYTES);
	rebuild(m, T0 + 10 * NS, c, 3);
	assert_int_equal(row_id(m, 0), 21);
	assert_int_equal(row_id(m, 1), 1);
	assert_int_equal(row_id(m, 2), 20);
	assert_int_equal(row_id(m, 3), 2);
	assert_int_equal(row_id(m, 4), 3);
	/* resets: the reset first; the rest by latest packet first */
	tcm_set_sort(m, TCM_SORT_RESETS);
	rebuild(m, T0 + 10 * NS, c, 3);
	assert_int_equal(row_id(m, 0), 20);
	assert_int_equal(row_id(m, 1), 1);
	assert_int_equal(row_id(m, 2), 21);
	assert_int_equal(row_id(m, 3), 3);
	assert_int_equal(row_id(m, 4), 2);
	tcm_free(m);
}

/* A finished row outlives the engine's record, extension included: the
 * detail pane diagnoses the row long after the record was recycled. */
static void test_row_keeps_extension(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct tc_conn open = mk(5, 2005, TC_ESTABLISHED, TC_ESTABLISHED, T0 + 5 * NS, T0 + 6 * NS);
	struct tc_conn done = graceful_conn(1, 2001, T0 + 2 * NS), kc;
	struct tc_conn_bufs kx;
	struct tc_verdict v = verdict(TC_CLOSE_GRACEFUL, TC_WHO_CLIENT, TC_WHO_NONE);
	const struct tcm_row *r;
	const struct tc_conn *k;
	(void)state;

	assert_non_null(tc_conn_ext_mut(&done));
	done.x->ep[TC_SERVER].ka_probes = 7;
	memcpy(done.x->rst.text, "bye", 4);
	feed_conn(m, &done, &v, T0 + 3 * NS);
	memset(done.x, 0xee, sizeof(*done.x)); /* the engine reuses them */
	memset(done.end, 0xee, sizeof(*done.end));
	free(done.x);
	done.x = NULL;
	rebuild(m, T0 + 7 * NS, &open, 1);
	assert_int_equal(tcm_snap(m)->nrows, 2);
	assert_true(tcm_find(tcm_snap(m), 1) >= 0);
	r = &tcm_snap(m)->rows[tcm_find(tcm_snap(m), 1)];
	assert_int_equal(r->c.id, 1);
	assert_null(r->c.x); /* rows are sorted by value: no pointer into one */
	k = tcm_row_conn(r, &kc, &kx);
	assert_ptr_equal(k->x, &kx.x);
	/* The end record too, by value: the engine's was overwritten. */
	assert_null(r->c.end);
	assert_ptr_equal(k->end, &kx.end);
	assert_true(tc_conn_end(k)->ep[TC_SERVER].ts_fin == T0 + 2 * NS);
	assert_true(tcm_row_end(r)->ep[TC_CLIENT].ts_fin == T0 + 2 * NS - NS / 10);
	assert_int_equal(tc_conn_ext(k)->ep[TC_SERVER].ka_probes, 7);
	assert_string_equal(tc_conn_ext(k)->rst.text, "bye");
	/* A row without one reads as all zero. */
	k = tcm_row_conn(&tcm_snap(m)->rows[tcm_find(tcm_snap(m), 5)], &kc, &kx);
	assert_null(k->x);
	assert_null(k->end);
	assert_int_equal(tc_conn_ext(k)->ep[TC_SERVER].ka_probes, 0);
	assert_int_equal(tcm_row_end(&tcm_snap(m)->rows[tcm_find(tcm_snap(m), 5)])->ep[0].frame_fin, 0);
	tcm_free(m);
}

static void test_rows_cap_keeps_first_in_order(void **state)
{
	struct tcm_opts o = {0};
	struct tcm_model *m;
	struct tc_conn c[100];
	int i;
	(void)state;

	o.rows_cap = 10;
	m = tcm_new(&o);
	for (i = 0; i < 100; i++) {
		c[i] = mk((uint64_t)i + 1, (uint16_t)(3000 + i), TC_ESTABLISHED, TC_ESTABLISHED, T0, T0);
		c[i].ep[0].bytes = (uint64_t)((i * 37) % 100); /* a permutation of 0..99 */
	}
	tcm_set_sort(m, TCM_SORT_BYTES);
	rebuild(m, T0 + NS, c, 100);
	assert_int_equal(tcm_snap(m)->nrows, 10);
	assert_int_equal(tcm_snap(m)->nmatch, 100);
	assert_int_equal(tcm_snap(m)->ntotal, 100);
	for (i = 0; i < 10; i++)
		assert_int_equal(tcm_snap(m)->rows[i].c.ep[0].bytes, 99 - i);
	tcm_free(m);
}

/* Rows read what a record keeps in its extension: a byte count past 4 GiB
 * (shown and sorted by its whole value) and history letters past the
 * record's 15; a row without an extension reads neither. */
static void test_rows_read_the_extension(void **state)
{
	static const char hist[] = "ShADadDdAaDdAaDdFfRr"; /* 20 letters */
	struct tcm_opts o = {0};
	struct tcm_model *m;
	struct tc_conn c[3];
	const struct tcm_row *r;
	tc_history_buf hb;
	int i;
	(void)state;

	m = tcm_new(&o);
	for (i = 0; i < 3; i++) {
		c[i] = mk((uint64_t)i + 1, (uint16_t)(3000 + i), TC_ESTABLISHED, TC_ESTABLISHED, T0, T0);
		c[i].ep[TC_CLIENT].bytes = 1000u * (uint32_t)(i + 1);
		memcpy(c[i].history, "ShAD", 5);
		c[i].hist_len = 4;
	}
	tc_ep_add_bytes(&c[0], TC_CLIENT, 0xffffffffu, 0); /* 4 GiB + 999 */
	assert_non_null(c[0].x);
	memcpy(c[0].history, hist, TC_HISTORY_INLINE);
	c[0].history[TC_HISTORY_INLINE] = '\0';
	memcpy(c[0].x->hist_more, hist + TC_HISTORY_INLINE, sizeof(hist) - 1 - TC_HISTORY_INLINE);
	c[0].hist_len = (uint8_t)(sizeof(hist) - 1);
	tcm_set_sort(m, TCM_SORT_BYTES);
	rebuild(m, T0 + NS, c, 3);
	assert_int_equal(tcm_snap(m)->nrows, 3);
	r = &tcm_snap(m)->rows[0];
	assert_int_equal(r->c.id, 1);
	assert_true(tcm_row_bytes(r, TC_CLIENT) == 0xffffffffULL + 1000);
	assert_string_equal(tcm_row_history(r, hb), hist);
	r = &tcm_snap(m)->rows[1];
	assert_int_equal(r->c.id, 3);
	assert_true(tcm_row_bytes(r, TC_CLIENT) == 3000);
	assert_string_equal(tcm_row_history(r, hb), "ShAD");
	for (i = 0; i < 3; i++)
		tc_conn_release(&c[i]);
	tcm_free(m);
}

/* ---- filters ------------------------------------------------------------- */

static void test_filters(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct tc_conn c[3], r = mk(9, 4009, TC_CLOSED, TC_CLOSED, T0, T0 + NS);
	struct tc_verdict rv = verdict(TC_CLOSE_RESET, TC_WHO_NONE, TC_WHO_SERVER);
	struct tcm_filter f;
	char name[32];
	(void)state;

	c[0] = mk(1, 4001, TC_ESTABLISHED, TC_ESTABLISHED, T0, T0 + NS);
	c[1] = mk(2, 4002, TC_FIN_WAIT_2, TC_CLOSE_WAIT, T0, T0 + NS);
	c[2] = mk(3, 4003, TC_ESTABLISHED, TC_ESTABLISHED, T0, T0 + NS);
	c[2].af = 6;
	memset(c[2].ep[0].addr, 0, 16);
	memcpy(c[2].ep[0].addr, "\x20\x01\x0d\xb8", 4);
	c[2].ep[0].addr[15] = 1;
	r.ep[TC_SERVER].flags |= TC_EP_RST;
	feed_conn(m, &r, &rv, T0 + 2 * NS);

	memset(&f, 0, sizeof(f));
	f.kind = TCM_F_STATE;
	f.state = TC_CLOSE_WAIT;
	tcm_set_filter(m, &f);
	rebuild(m, T0 + 2 * NS, c, 3);
	assert_int_equal(tcm_snap(m)->nrows, 1);
	assert_int_equal(row_id(m, 0), 2);
	assert_int_equal(tcm_snap(m)->ntotal, 4);
	assert_string_equal(tcm_filter_name(&tcm_snap(m)->filter, name, sizeof(name)), "CLOSE_WAIT");

	f.state = TC_FIN_WAIT_2; /* either endpoint */
	tcm_set_filter(m, &f);
	rebuild(m, T0 + 2 * NS, c, 3);
	assert_int_equal(tcm_snap(m)->nrows, 1);

	f.kind = TCM_F_RESET;
	tcm_set_filter(m, &f);
	rebuild(m, T0 + 2 * NS, c, 3);
	assert_int_equal(tcm_snap(m)->nrows, 1);
	assert_int_equal(row_id(m, 0), 9);

	f.kind = TCM_F_OPEN;
	tcm_set_filter(m, &f);
	rebuild(m, T0 + 2 * NS, c, 3);
	assert_int_equal(tcm_snap(m)->nrows, 3);
	f.kind = TCM_F_FINISHED;
	tcm_set_filter(m, &f);
	rebuild(m, T0 + 2 * NS, c, 3);
	assert_int_equal(tcm_snap(m)->nrows, 1);

	/* Search: digits are a port of either side ... */
	memset(&f, 0, sizeof(f));
	snprintf(f.text, sizeof(f.text), "4002");
	tcm_set_filter(m, &f);
	rebuild(m, T0 + 2 * NS, c, 3);
	assert_int_equal(tcm_snap(m)->nrows, 1);
	assert_int_equal(row_id(m, 0), 2);
	snprintf(f.text, sizeof(f.text), "80");
	tcm_set_filter(m, &f);
	rebuild(m, T0 + 2 * NS, c, 3);
	assert_int_equal(tcm_snap(m)->nrows, 4); /* the server port, not "8080" or ".80." */
	snprintf(f.text, sizeof(f.text), "400");
	tcm_set_filter(m, &f);
	rebuild(m, T0 + 2 * NS, c, 3);
	assert_int_equal(tcm_snap(m)->nrows, 0); /* a port is a whole number */

	/* ... anything else is part of "addr:port", IPv6 in brackets, any case. */
	snprintf(f.text, sizeof(f.text), "2001:DB8::1");
	tcm_set_filter(m, &f);
	rebuild(m, T0 + 2 * NS, c, 3);
	assert_int_equal(tcm_snap(m)->nrows, 1);
	assert_int_equal(row_id(m, 0), 3);
	snprintf(f.text, sizeof(f.text), "10.0.0.1:4001");
	tcm_set_filter(m, &f);
	rebuild(m, T0 + 2 * NS, c, 3);
	assert_int_equal(tcm_snap(m)->nrows, 1);
	assert_int_equal(row_id(m, 0), 1);

	/* State and search together. */
	f.kind = TCM_F_STATE;
	f.state = TC_CLOSE_WAIT;
	tcm_set_filter(m, &f);
	rebuild(m, T0 + 2 * NS, c, 3);
	assert_int_equal(tcm_snap(m)->nrows, 0);
	tcm_free(m);
}

/* ---- counters ---------------------------------------------------------------- */

static void test_counters_and_rates(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct tc_conn c[3];
	struct tc_stats st = no_stats();
	const struct tcm_snap *s;
	int i;
	(void)state;

	c[0] = mk(1, 5001, TC_ESTABLISHED, TC_ESTABLISHED, T0, T0);
	c[1] = mk(2, 5002, TC_FIN_WAIT_2, TC_CLOSE_WAIT, T0, T0);
	c[2] = mk(3, 5003, TC_TIME_WAIT, TC_LAST_ACK, T0, T0);

	/* t = 0 s: nothing closed; t = 10 s: 20 graceful, 5 resets of which 2
	 * refused, 1000 frames. */
	tcm_rebuild_begin(m, T0);
	for (i = 0; i < 3; i++)
		tcm_rebuild_conn(m, &c[i]);
	tcm_rebuild_end(m, &st);
	st.frames = 1000;
	st.active = 3;
	st.by_close[TC_CLOSE_GRACEFUL] = 20;
	st.by_close[TC_CLOSE_RESET] = 5;
	st.refused = 2;
	tcm_rebuild_begin(m, T0 + 10 * NS);
	for (i = 0; i < 3; i++)
		tcm_rebuild_conn(m, &c[i]);
	tcm_rebuild_end(m, &st);

	s = tcm_snap(m);
	assert_int_equal(s->state_count[TC_ESTABLISHED], 2);
	assert_int_equal(s->state_count[TC_FIN_WAIT_2], 1);
	assert_int_equal(s->state_count[TC_CLOSE_WAIT], 1);
	assert_int_equal(s->state_count[TC_TIME_WAIT], 1);
	assert_int_equal(s->state_count[TC_LAST_ACK], 1);
	assert_int_equal(s->tracked, 3);
	assert_int_equal(s->graceful, 20);
	assert_int_equal(s->reset, 5); /* refused included, as the report says */
	assert_int_equal(s->refused, 2);
	assert_true(s->graceful_rate > 1.99 && s->graceful_rate < 2.01);
	assert_true(s->reset_rate > 0.49 && s->reset_rate < 0.51);
	assert_true(s->pkt_rate > 99.9 && s->pkt_rate < 100.1);
	assert_false(s->rate_avg);

	/* 30 s later with nothing new: the 10 s window says 0/s. */
	tcm_rebuild_begin(m, T0 + 40 * NS);
	tcm_rebuild_end(m, &st);
	assert_true(tcm_snap(m)->graceful_rate < 0.001);
	assert_int_equal(tcm_snap(m)->graceful, 20);
	tcm_free(m);
}

static void test_rate_average_over_capture(void **state)
{
	struct tcm_opts o = {0};
	struct tcm_model *m;
	struct tc_stats st = no_stats();
	(void)state;

	o.rate_window_ns = -1; /* a file read as fast as possible */
	m = tcm_new(&o);
	st.frames = 500;
	st.by_close[TC_CLOSE_HALF_CLOSED] = 10;
	tcm_rebuild_begin(m, T0 + 5 * NS);
	tcm_rebuild_end(m, &st);
	assert_true(tcm_snap(m)->rate_avg);
	assert_true(tcm_snap(m)->pkt_rate > 99.9 && tcm_snap(m)->pkt_rate < 100.1);
	assert_true(tcm_snap(m)->half_closed_rate > 1.99 && tcm_snap(m)->half_closed_rate < 2.01);
	tcm_free(m);
}

static void test_rate_starts_at_first_frame(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct tc_stats st = no_stats();
	(void)state;

	/* A file: the view draws once before the first frame, at time 0. */
	tcm_rebuild_begin(m, 0);
	tcm_rebuild_end(m, &st);
	assert_true(tcm_snap(m)->pkt_rate == 0);
	st.frames = 100;
	tcm_rebuild_begin(m, T0);
	tcm_rebuild_end(m, &st);
	st.frames = 300;
	tcm_rebuild_begin(m, T0 + 2 * NS);
	tcm_rebuild_end(m, &st);
	assert_true(tcm_snap(m)->pkt_rate > 99.9 && tcm_snap(m)->pkt_rate < 100.1);
	tcm_free(m);
}

/* ---- finished rows: expiry and caps ----------------------------------------------- */

static void test_finished_rows_expire(void **state)
{
	struct tcm_model *m = tcm_new(NULL); /* keep 30 s, TIME_WAIT 60 s */
	struct tc_conn tw = graceful_conn(1, 6001, T0);
	struct tc_conn rst = mk(2, 6002, TC_CLOSED, TC_CLOSED, T0 - NS, T0);
	struct tc_verdict gv = verdict(TC_CLOSE_GRACEFUL, TC_WHO_CLIENT, TC_WHO_NONE);
	struct tc_verdict rv = verdict(TC_CLOSE_RESET, TC_WHO_NONE, TC_WHO_CLIENT);
	(void)state;

	/* Reported 5 s after the close (the engine's linger). */
	feed_conn(m, &tw, &gv, T0 + 5 * NS);
	feed_conn(m, &rst, &rv, T0 + 5 * NS);
	rebuild(m, T0 + 6 * NS, NULL, 0);
	assert_int_equal(tcm_snap(m)->nrows, 2);
	assert_int_equal(tcm_snap(m)->state_count[TC_TIME_WAIT], 1);
	assert_int_equal(tcm_snap(m)->tw_total, 1);

	/* 30 s after the report the RST row goes; TIME_WAIT stays. */
	rebuild(m, T0 + 36 * NS, NULL, 0);
	assert_int_equal(tcm_snap(m)->nrows, 1);
	assert_int_equal(row_id(m, 0), 1);
	assert_int_equal(tcm_finished_count(m), 1);
	assert_int_equal(tcm_snap(m)->state_count[TC_TIME_WAIT], 1);

	/* 60 s after the TIME_WAIT began, it has expired: row and count. */
	rebuild(m, T0 + 61 * NS, NULL, 0);
	assert_int_equal(tcm_snap(m)->nrows, 0);
	assert_int_equal(tcm_finished_count(m), 0);
	assert_int_equal(tcm_snap(m)->state_count[TC_TIME_WAIT], 0);
	/* The per-host peak outlives the sockets. */
	assert_int_equal(tcm_snap(m)->ntw, 1);
	assert_int_equal(tcm_snap(m)->tw[0].now, 0);
	assert_int_equal(tcm_snap(m)->tw[0].peak, 1);
	tcm_free(m);
}

static void test_finished_ring_is_bounded(void **state)
{
	struct tcm_opts o = {0};
	struct tcm_model *m;
	struct tc_verdict v = verdict(TC_CLOSE_RESET, TC_WHO_NONE, TC_WHO_SERVER);
	int i;
	(void)state;

	o.finished_cap = 50;
	o.keep_ns = -1; /* browsing a file: only the cap makes room */
	m = tcm_new(&o);
	for (i = 0; i < 500; i++) {
		struct tc_conn c = mk((uint64_t)i + 1, (uint16_t)(7000 + i), TC_CLOSED, TC_CLOSED, T0, T0);
		feed_conn(m, &c, &v, T0 + i * NS);
	}
	assert_int_equal(tcm_finished_count(m), 50);
	rebuild(m, T0 + 10000 * NS, NULL, 0); /* no expiry with keep < 0 */
	assert_int_equal(tcm_snap(m)->nrows, 50);
	/* What the view says: showing 50 of 500, the newest kept. */
	assert_true(tcm_snap(m)->browsing);
	assert_int_equal(tcm_snap(m)->ntotal, 50);
	assert_int_equal(tcm_snap(m)->fin_dropped, 450);
	assert_int_equal(tcm_snap(m)->fin_aged, 0);
	assert_int_equal(tcm_snap(m)->fin_cap, 50);
	tcm_set_sort(m, TCM_SORT_AGE);
	rebuild(m, T0 + 10000 * NS, NULL, 0);
	/* the newest 50 are kept (same first packet: by id) */
	assert_int_equal(row_id(m, 0), 451);
	assert_int_equal(row_id(m, 49), 500);
	/* the feed is capped too */
	assert_int_equal(tcm_snap(m)->nfeed, TCM_FEED_MAX);
	assert_int_equal(tcm_snap(m)->feed[0].id, 500);
	tcm_free(m);
}

static void test_ring_compacts_after_partial_expiry(void **state)
{
	struct tcm_opts o = {0};
	struct tcm_model *m;
	struct tc_verdict gv = verdict(TC_CLOSE_GRACEFUL, TC_WHO_CLIENT, TC_WHO_NONE);
	struct tc_verdict rv = verdict(TC_CLOSE_RESET, TC_WHO_NONE, TC_WHO_SERVER);
	int i;
	(void)state;

	o.finished_cap = 8;
	m = tcm_new(&o);
	/* alternate TIME_WAIT (long) and reset (short) rows */
	for (i = 0; i < 8; i++) {
		struct tc_conn c = (i & 1) ? mk((uint64_t)i + 1, (uint16_t)(8000 + i), TC_CLOSED,
						TC_CLOSED, T0, T0)
					   : graceful_conn((uint64_t)i + 1, (uint16_t)(8000 + i), T0);
		feed_conn(m, &c, (i & 1) ? &rv : &gv, T0 + NS);
	}
	rebuild(m, T0 + 40 * NS, NULL, 0);
	assert_int_equal(tcm_finished_count(m), 4);
	assert_int_equal(tcm_snap(m)->nrows, 4);
	/* room again for four more without pushing out a live TIME_WAIT row */
	for (i = 8; i < 12; i++) {
		struct tc_conn c = mk((uint64_t)i + 1, (uint16_t)(8000 + i), TC_CLOSED, TC_CLOSED,
				      T0 + 39 * NS, T0 + 39 * NS);
		feed_conn(m, &c, &rv, T0 + 40 * NS);
	}
	rebuild(m, T0 + 41 * NS, NULL, 0);
	assert_int_equal(tcm_finished_count(m), 8);
	assert_int_equal(tcm_snap(m)->state_count[TC_TIME_WAIT], 4);
	tcm_free(m);
}


/* Browsing a file of more connections than any former cap (20000 rows):
 * every one is held, and a search by port finds every one it should. */
static void test_browse_holds_every_connection(void **state)
{
	struct tcm_opts o = {0};
	struct tcm_model *m;
	struct tc_verdict gv = verdict(TC_CLOSE_GRACEFUL, TC_WHO_CLIENT, TC_WHO_NONE);
	struct tcm_filter f;
	const struct tcm_snap *s;
	int i, want = 0;
	(void)state;

	o.finished_cap = TCM_BROWSE_CAP;
	o.rows_cap = TCM_BROWSE_CAP;
	o.keep_ns = -1;
	m = tcm_new(&o);
	assert_non_null(m);
	for (i = 0; i < 36765; i++) {
		struct tc_conn c = graceful_conn((uint64_t)i + 1, (uint16_t)(20000 + i % 40000),
						 T0 + (int64_t)i * NS / 100);
		if (i % 21 == 0) {
			c.ep[TC_SERVER].port = 5432;
			want++;
		}
		feed_conn(m, &c, &gv, c.last_ts + 5 * NS);
	}
	rebuild(m, T0 + 400 * NS, NULL, 0);
	s = tcm_snap(m);
	assert_int_equal(s->ntotal, 36765);
	assert_int_equal(s->nrows, 36765);
	assert_int_equal(s->fin_dropped, 0);
	memset(&f, 0, sizeof(f));
	snprintf(f.text, sizeof(f.text), "5432");
	tcm_set_filter(m, &f);
	rebuild(m, T0 + 400 * NS, NULL, 0);
	assert_int_equal(s->nmatch, (size_t)want);
	assert_int_equal(s->nrows, (size_t)want);
	assert_int_equal(s->ntotal, 36765);
	for (i = 0; i < (int)s->nrows; i++)
		assert_int_equal(s->rows[i].c.ep[TC_SERVER].port, 5432);
	tcm_free(m);
}

/* Live: finished rows leave after their time and are counted as aged out;
 * the cap pushing one out early is counted apart. */
static void test_live_counts_aged_out(void **state)
{
	struct tcm_opts o = {0};
	struct tcm_model *m;
	struct tc_verdict rv = verdict(TC_CLOSE_RESET, TC_WHO_NONE, TC_WHO_SERVER);
	int i;
	(void)state;

	o.finished_cap = 4;
	m = tcm_new(&o); /* keep 30 s */
	for (i = 0; i < 3; i++) {
		struct tc_conn c = mk((uint64_t)i + 1, (uint16_t)(7100 + i), TC_CLOSED, TC_CLOSED, T0, T0);
		feed_conn(m, &c, &rv, T0 + NS);
	}
	rebuild(m, T0 + 2 * NS, NULL, 0);
	assert_int_equal(tcm_snap(m)->fin_aged, 0);
	assert_int_equal(tcm_snap(m)->nrows, 3);
	rebuild(m, T0 + 40 * NS, NULL, 0);
	assert_int_equal(tcm_snap(m)->nrows, 0);
	assert_int_equal(tcm_snap(m)->fin_aged, 3);
	assert_int_equal(tcm_snap(m)->fin_dropped, 0);
	assert_false(tcm_snap(m)->browsing);
	/* six at once into four slots: two pushed out before their time */
	for (i = 0; i < 6; i++) {
		struct tc_conn c = mk((uint64_t)i + 10, (uint16_t)(7200 + i), TC_CLOSED, TC_CLOSED,
				      T0 + 40 * NS, T0 + 40 * NS);
		feed_conn(m, &c, &rv, T0 + 41 * NS);
	}
	rebuild(m, T0 + 42 * NS, NULL, 0);
	assert_int_equal(tcm_snap(m)->nrows, 4);
	assert_int_equal(tcm_snap(m)->fin_dropped, 2);
	assert_int_equal(tcm_snap(m)->fin_aged, 3);
	tcm_free(m);
}

/* ---- the feed ----------------------------------------------------------------------- */

static void test_feed(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct tc_conn done = mk(1, 9001, TC_CLOSED, TC_CLOSED, T0, T0 + NS);
	struct tc_conn open = mk(2, 9002, TC_ESTABLISHED, TC_ESTABLISHED, T0, T0 + NS);
	struct tc_conn half = mk(3, 9003, TC_FIN_WAIT_2, TC_CLOSE_WAIT, T0, T0 + 2 * NS);
	struct tc_verdict rv = verdict(TC_CLOSE_RESET, TC_WHO_NONE, TC_WHO_SERVER);
	struct tc_verdict ov = verdict(TC_CLOSE_OPEN, TC_WHO_NONE, TC_WHO_NONE);
	struct tc_verdict hv = verdict(TC_CLOSE_HALF_CLOSED, TC_WHO_CLIENT, TC_WHO_NONE);
	char line[256];
	(void)state;

	/* Seen closing (RST accepted) while still tracked: announced at once. */
	done.ep[TC_SERVER].flags |= TC_EP_RST;
	end_of(&done)->ep[TC_SERVER].rsts = 1;
	end_of(&done)->ep[TC_SERVER].frame_rst = 7;
	end_of(&done)->frame_rst = 7;
	done.reset_by = TC_WHO_SERVER;
	done.reset_phase = TC_PHASE_ESTABLISHED;
	done.cflags |= TC_CONN_DONE;
	rebuild(m, T0 + 2 * NS, &done, 1);
	assert_int_equal(tcm_snap(m)->nfeed, 1);
	assert_int_equal(tcm_snap(m)->feed[0].id, 1);
	assert_false(tcm_snap(m)->feed[0].final);
	assert_true(tcm_event_is_reset(&tcm_snap(m)->feed[0]));

	/* The engine reports it later: same line, now final; no duplicate. */
	feed_conn(m, &done, &rv, T0 + 7 * NS);
	/* An open connection reported at the end is not news; a half-close is. */
	feed_conn(m, &open, &ov, T0 + 7 * NS);
	feed_conn(m, &half, &hv, T0 + 7 * NS);
	rebuild(m, T0 + 8 * NS, NULL, 0);
	assert_int_equal(tcm_snap(m)->nfeed, 2);
	assert_int_equal(tcm_snap(m)->feed[0].id, 3); /* newest first */
	assert_int_equal(tcm_snap(m)->feed[1].id, 1);
	assert_true(tcm_snap(m)->feed[1].final);

	tcm_event_text(&tcm_snap(m)->feed[1], "->", line, sizeof(line));
	assert_non_null(strstr(line, "RESET"));
	assert_non_null(strstr(line, "10.0.0.1:9001 -> 10.0.0.2:80"));
	assert_non_null(strstr(line, "by server during established"));
	tcm_event_text(&tcm_snap(m)->feed[0], "->", line, sizeof(line));
	assert_non_null(strstr(line, "HALF"));
	assert_non_null(strstr(line, "client closed, server never did (CLOSE_WAIT)"));

	/* Evicted while open is told. */
	open.cflags |= TC_CONN_EVICTED;
	open.id = 4;
	feed_conn(m, &open, &ov, T0 + 9 * NS);
	rebuild(m, T0 + 9 * NS, NULL, 0);
	assert_int_equal(tcm_snap(m)->nfeed, 3);
	tcm_event_text(&tcm_snap(m)->feed[0], "->", line, sizeof(line));
	assert_non_null(strstr(line, "EVICTED"));
	tcm_free(m);
}

/* ---- TIME_WAIT per host ------------------------------------------------------------- */

static void test_time_wait_per_host(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct tc_verdict gv = verdict(TC_CLOSE_GRACEFUL, TC_WHO_CLIENT, TC_WHO_NONE);
	struct tc_conn tracked = graceful_conn(100, 10100, T0 + 20 * NS);
	int i;
	(void)state;

	/* host 10.0.0.1: 3 finished in TIME_WAIT + 1 still tracked;
	 * host 10.0.0.9: 1 */
	for (i = 0; i < 3; i++) {
		struct tc_conn c = graceful_conn((uint64_t)i + 1, (uint16_t)(10000 + i), T0 + i * NS);
		feed_conn(m, &c, &gv, T0 + 10 * NS);
	}
	{
		struct tc_conn c = graceful_conn(50, 10050, T0 + 5 * NS);
		c.ep[TC_CLIENT].addr[3] = 9;
		feed_conn(m, &c, &gv, T0 + 10 * NS);
	}
	rebuild(m, T0 + 21 * NS, &tracked, 1);
	assert_int_equal(tcm_snap(m)->ntw, 2);
	assert_int_equal(tcm_snap(m)->tw[0].addr[3], 1);
	assert_int_equal(tcm_snap(m)->tw[0].now, 4);
	assert_int_equal(tcm_snap(m)->tw[0].peak, 4);
	assert_int_equal(tcm_snap(m)->tw[1].now, 1);
	assert_int_equal(tcm_snap(m)->tw_total, 5);
	assert_int_equal(tcm_snap(m)->eph_ports, TCM_DEFAULT_EPH_PORTS);

	/* 61.5 s after the first FINs: the first two have expired. */
	rebuild(m, T0 + 61 * NS + NS / 2, NULL, 0);
	assert_int_equal(tcm_snap(m)->tw[0].now, 1);
	assert_int_equal(tcm_snap(m)->tw[0].peak, 4);
	tcm_free(m);
}


/* More hosts than the view used to keep (256), the two busiest seen first
 * and then quiet: they stay, on top, sorted by peak. */
static void test_time_wait_top_hosts_kept(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct tc_verdict gv = verdict(TC_CLOSE_GRACEFUL, TC_WHO_CLIENT, TC_WHO_NONE);
	const struct tcm_snap *s;
	uint64_t id = 1;
	int h, k;
	(void)state;

	/* 10.1.0.1 peaks at 40, 10.1.0.2 at 30, at the start */
	for (h = 1; h <= 2; h++)
		for (k = 0; k < (h == 1 ? 40 : 30); k++) {
			struct tc_conn c = graceful_conn(id++, (uint16_t)(30000 + k), T0);
			c.ep[TC_CLIENT].addr[1] = 1;
			c.ep[TC_CLIENT].addr[3] = (uint8_t)h;
			feed_conn(m, &c, &gv, T0 + NS);
		}
	rebuild(m, T0 + 2 * NS, NULL, 0);
	/* then 600 hosts with one or two each, 70 s later (the first two
	 * have no TIME_WAIT left) */
	for (h = 0; h < 600; h++)
		for (k = 0; k < 1 + (h % 2); k++) {
			struct tc_conn c = graceful_conn(id++, (uint16_t)(40000 + k), T0 + 70 * NS);
			c.ep[TC_CLIENT].addr[1] = 2;
			c.ep[TC_CLIENT].addr[2] = (uint8_t)(h >> 8);
			c.ep[TC_CLIENT].addr[3] = (uint8_t)h;
			feed_conn(m, &c, &gv, T0 + 71 * NS);
		}
	rebuild(m, T0 + 72 * NS, NULL, 0);
	s = tcm_snap(m);
	assert_int_equal(s->ntw, 602);
	assert_int_equal(s->tw_hosts_dropped, 0);
	assert_int_equal(s->tw[0].addr[1], 1);
	assert_int_equal(s->tw[0].addr[3], 1);
	assert_int_equal(s->tw[0].peak, 40);
	assert_int_equal(s->tw[0].now, 0);
	assert_int_equal(s->tw[1].addr[3], 2);
	assert_int_equal(s->tw[1].peak, 30);
	for (k = 1; k < (int)s->ntw; k++)
		assert_true(s->tw[k - 1].peak >= s->tw[k].peak);
	assert_int_equal(s->tw_total, 900);
	tcm_free(m);
}

/* Past TCM_HOSTS_MAX hosts the quietest give way, and the view is told;
 * the busiest host, seen first, is not among them. */
static void test_time_wait_host_cap_counted(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct tc_verdict gv = verdict(TC_CLOSE_GRACEFUL, TC_WHO_CLIENT, TC_WHO_NONE);
	const struct tcm_snap *s;
	uint32_t h;
	int k;
	(void)state;

	for (k = 0; k < 5; k++) { /* the busy one, first */
		struct tc_conn c = graceful_conn((uint64_t)k + 1, (uint16_t)(30000 + k), T0);
		c.ep[TC_CLIENT].addr[0] = 11;
		feed_conn(m, &c, &gv, T0 + NS);
	}
	for (h = 0; h < TCM_HOSTS_MAX + 10; h++) {
		struct tc_conn c = graceful_conn(100 + h, 40000, T0);
		c.ep[TC_CLIENT].addr[0] = 12;
		c.ep[TC_CLIENT].addr[1] = (uint8_t)(h >> 16);
		c.ep[TC_CLIENT].addr[2] = (uint8_t)(h >> 8);
		c.ep[TC_CLIENT].addr[3] = (uint8_t)h;
		feed_conn(m, &c, &gv, T0 + NS);
	}
	rebuild(m, T0 + 2 * NS, NULL, 0);
	s = tcm_snap(m);
	/* an eighth of the table made room at once, counted */
	assert_int_equal(s->tw_hosts_dropped, TCM_HOSTS_MAX / 8);
	assert_int_equal(s->ntw + s->tw_hosts_dropped, TCM_HOSTS_MAX + 11);
	assert_int_equal(s->tw[0].addr[0], 11);
	assert_int_equal(s->tw[0].peak, 5);
	/* the endpoint total does not depend on the host table */
	assert_int_equal(s->tw_total, TCM_HOSTS_MAX + 15);
	tcm_free(m);
}

/* ---- the input ended (file browsing) ------------------------------------------------ */

static void test_end_states_counted(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct tc_conn half = mk(1, 11001, TC_FIN_WAIT_2, TC_CLOSE_WAIT, T0, T0 + NS);
	struct tc_conn est = mk(2, 11002, TC_ESTABLISHED, TC_ESTABLISHED, T0, T0 + NS);
	struct tc_verdict hv = verdict(TC_CLOSE_HALF_CLOSED, TC_WHO_CLIENT, TC_WHO_NONE);
	struct tc_verdict ov = verdict(TC_CLOSE_OPEN, TC_WHO_NONE, TC_WHO_NONE);
	char last[64];
	(void)state;

	tcm_set_ended(m); /* tc_engine_finish() follows */
	feed_conn(m, &half, &hv, T0 + NS);
	feed_conn(m, &est, &ov, T0 + NS);
	rebuild(m, T0 + NS, NULL, 0);
	assert_int_equal(tcm_snap(m)->state_count[TC_CLOSE_WAIT], 1);
	assert_int_equal(tcm_snap(m)->state_count[TC_FIN_WAIT_2], 1);
	assert_int_equal(tcm_snap(m)->state_count[TC_ESTABLISHED], 2);
	assert_int_equal(tcm_snap(m)->nrows, 2);
	assert_true(tcm_snap(m)->rows[0].at_end);
	tcm_row_last(&tcm_snap(m)->rows[tcm_find(tcm_snap(m), 2)], last, sizeof(last));
	assert_string_equal(last, "open at end");
	tcm_free(m);
}

/* ---- words ------------------------------------------------------------------------ */

static void test_words(void **state)
{
	char b[32];
	struct tcm_row r;
	(void)state;

	assert_string_equal(tcm_bytes_str(0, b, sizeof(b)), "0");
	assert_string_equal(tcm_bytes_str(1023, b, sizeof(b)), "1023");
	assert_string_equal(tcm_bytes_str(1536, b, sizeof(b)), "1.5K");
	assert_string_equal(tcm_bytes_str(50u << 20, b, sizeof(b)), "50M");
	assert_string_equal(tcm_dur_str(NS / 2, b, sizeof(b)), "0.5s");
	assert_string_equal(tcm_dur_str(42 * NS, b, sizeof(b)), "42s");
	assert_string_equal(tcm_dur_str(187 * NS, b, sizeof(b)), "3m07s");
	assert_string_equal(tcm_dur_str(7500 * NS, b, sizeof(b)), "2h05m");

	memset(&r, 0, sizeof(r));
	r.c = mk(1, 1, TC_FIN_WAIT_1, TC_CLOSE_WAIT, T0, T0);
	r.end.ep[TC_CLIENT].frame_fin = 9;
	assert_string_equal(tcm_row_last(&r, b, sizeof(b)), "FIN by client");
	r.end.ep[TC_SERVER].frame_rst = 12;
	assert_string_equal(tcm_row_last(&r, b, sizeof(b)), "RST by server");
	r.c = mk(1, 1, TC_SYN_SENT, TC_CLOSED, T0, T0);
	memset(&r.end, 0, sizeof(r.end));
	r.c.cflags = 0;
	assert_string_equal(tcm_row_last(&r, b, sizeof(b)), "SYN");
	r.finished = 1;
	r.v = verdict(TC_CLOSE_RESET, TC_WHO_NONE, TC_WHO_SERVER);
	r.v.opened = TC_OPENED_REFUSED;
	assert_string_equal(tcm_row_last(&r, b, sizeof(b)), "refused");
	assert_string_equal(tcm_endpoint_str(4, r.c.ep[0].addr, 443, b, sizeof(b)), "10.0.0.1:443");
}

/* A row whose verdict rests on an inferred segment is marked, and the
 * detail pane's capture line names the inferred segments and the holes. */
static void test_inferred_marker(void **state)
{
	char b[256];
	struct tcm_row r;
	(void)state;

	memset(&r, 0, sizeof(r));
	r.c = mk(1, 1, TC_ESTABLISHED, TC_ESTABLISHED, T0, T0);
	assert_string_equal(tcm_row_mark(&r, b, sizeof(b)), "  ");
	assert_string_equal(tcm_row_capture(&r, b, sizeof(b)), "");
	r.finished = 1;
	r.v = verdict(TC_CLOSE_GRACEFUL, TC_WHO_CLIENT, TC_WHO_NONE);
	assert_string_equal(tcm_row_mark(&r, b, sizeof(b)), "x ");
	/* The client's FIN was lost and inferred from the server's ACK. */
	r.c.inferred = TC_INF_CLIENT_FIN;
	assert_string_equal(tcm_row_mark(&r, b, sizeof(b)), "x?");
	assert_string_equal(tcm_row_capture(&r, b, sizeof(b)), "inferred, not captured: client_fin");
	/* A reset whose RST was inferred, open rows too. */
	r.v = verdict(TC_CLOSE_RESET, TC_WHO_NONE, TC_WHO_SERVER);
	r.c.inferred = TC_INF_CLIENT_FIN | TC_INF_SERVER_RST;
	assert_string_equal(tcm_row_mark(&r, b, sizeof(b)), "R?");
	r.finished = 0;
	assert_string_equal(tcm_row_mark(&r, b, sizeof(b)), " ?");
	r.has_x = 1;
	r.x.ep[TC_SERVER].gaps = 2;
	r.x.ep[TC_SERVER].missed = 2896;
	r.c.one_way = TC_ONE_WAY_SERVER_SEEN;
	assert_string_equal(tcm_row_capture(&r, b, sizeof(b)),
			    "inferred, not captured: client_fin, server_rst; missed 2896 bytes from the "
			    "server in 2 gaps; only the server's segments captured");
	/* Holes alone: nothing inferred, no marker, but the pane says so. */
	r.c.inferred = 0;
	r.c.one_way = TC_ONE_WAY_NONE;
	r.x.ep[TC_SERVER].gaps = 1;
	r.x.ep[TC_SERVER].missed = 1380;
	assert_string_equal(tcm_row_mark(&r, b, sizeof(b)), "  ");
	assert_string_equal(tcm_row_capture(&r, b, sizeof(b)), "missed 1380 bytes from the server in 1 gap");
	/* Cut short, never past the buffer. */
	r.c.inferred = TC_INF_CLIENT_FIN;
	assert_string_equal(tcm_row_capture(&r, b, 12), "inferred, n");
}

/* ---- with the real engine -------------------------------------------------------------- */

/* The model's tests only need segments without payload. */
static void tx(struct wire *w, uint16_t cport, int from_server, uint8_t flags, uint32_t seq,
	       uint32_t ack)
{
	(void)wire_tx(w, cport, from_server, flags, seq, ack, 0);
}

struct link {
	struct tcm_model *m;
	int64_t *now;
};

static void on_conn(const struct tc_conn *c, const struct tc_verdict *v,
		    const struct tc_diagnosis *d, void *arg)
{
	struct link *l = arg;
	tcm_on_conn(l->m, c, v, d, *l->now);
}

static void test_with_engine(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct wire w = {NULL, 0, T0, 0};
	struct link l = {m, &w.now};
	struct tc_engine_opts eo = {0};
	const struct tcm_snap *s;
	(void)state;

	eo.linger_ns = NS;
	w.e = tc_engine_new(&eo, on_conn, &l);
	/* graceful, client first */
	tx(&w, 1000, 0, TC_SYN, 100, 0);
	tx(&w, 1000, 1, TC_SYN | TC_ACK, 900, 101);
	tx(&w, 1000, 0, TC_ACK, 101, 901);
	tx(&w, 1000, 0, TC_FIN | TC_ACK, 101, 901);
	tx(&w, 1000, 1, TC_FIN | TC_ACK, 901, 102);
	tx(&w, 1000, 0, TC_ACK, 102, 902);
	/* half-open: the client's FIN, acknowledged, never the server's */
	tx(&w, 1001, 0, TC_SYN, 200, 0);
	tx(&w, 1001, 1, TC_SYN | TC_ACK, 800, 201);
	tx(&w, 1001, 0, TC_ACK, 201, 801);
	tx(&w, 1001, 0, TC_FIN | TC_ACK, 201, 801);
	tx(&w, 1001, 1, TC_ACK, 801, 202);

	tcm_rebuild(m, w.e, w.now);
	s = tcm_snap(m);
	assert_int_equal(s->nrows, 2);
	assert_int_equal(s->state_count[TC_CLOSE_WAIT], 1);
	assert_int_equal(s->state_count[TC_FIN_WAIT_2], 1);
	assert_int_equal(s->state_count[TC_TIME_WAIT], 1);
	assert_int_equal(s->nfeed, 1); /* the graceful one, seen closing */

	/* Idle time passes (live: tc_engine_tick): the closed one is reported,
	 * stays as a finished row, and is counted. */
	w.now += 2 * NS;
	tc_engine_tick(w.e, w.now);
	tcm_rebuild(m, w.e, w.now);
	s = tcm_snap(m);
	assert_int_equal(s->tracked, 1);
	assert_int_equal(s->nrows, 2);
	assert_int_equal(s->graceful, 1);
	assert_int_equal(s->state_count[TC_TIME_WAIT], 1);
	assert_int_equal(s->nfeed, 1);
	assert_true(s->feed[0].final);
	assert_int_equal(tcm_finished_count(m), 1);
	tc_engine_free(w.e);
	tcm_free(m);
}

/* Through the real engine: the client's FIN is not in the capture, the
 * server's ACK of it is (the loss inference supplies it). The row, open
 * and then finished, carries the '?' marker and the capture line names the
 * inferred FIN; a clean connection beside it has neither. */
static void test_inferred_marker_with_engine(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct wire w = {NULL, 0, T0, 0};
	struct link l = {m, &w.now};
	struct tc_engine_opts eo = {0};
	const struct tcm_snap *s;
	char b[256];
	long i;
	(void)state;

	eo.linger_ns = NS;
	w.e = tc_engine_new(&eo, on_conn, &l);
	tx(&w, 1000, 0, TC_SYN, 100, 0);
	tx(&w, 1000, 1, TC_SYN | TC_ACK, 900, 101);
	tx(&w, 1000, 0, TC_ACK, 101, 901);
	/* (the client's FIN at 101 lost) */
	tx(&w, 1000, 1, TC_ACK, 901, 102);
	tx(&w, 1001, 0, TC_SYN, 200, 0);
	tx(&w, 1001, 1, TC_SYN | TC_ACK, 800, 201);
	tx(&w, 1001, 0, TC_ACK, 201, 801);

	tcm_rebuild(m, w.e, w.now);
	s = tcm_snap(m);
	assert_int_equal(s->nrows, 2);
	i = tcm_find(s, 1);
	assert_true(i >= 0);
	assert_string_equal(tcm_row_mark(&s->rows[i], b, sizeof(b)), " ?");
	assert_string_equal(tcm_row_capture(&s->rows[i], b, sizeof(b)),
			    "inferred, not captured: client_fin");
	i = tcm_find(s, 2);
	assert_true(i >= 0);
	assert_string_equal(tcm_row_mark(&s->rows[i], b, sizeof(b)), "  ");
	assert_string_equal(tcm_row_capture(&s->rows[i], b, sizeof(b)), "");

	/* The server closes too; reported, the finished row keeps the mark. */
	tx(&w, 1000, 1, TC_FIN | TC_ACK, 901, 102);
	tx(&w, 1000, 0, TC_ACK, 102, 902);
	w.now += 2 * NS;
	tc_engine_tick(w.e, w.now);
	tcm_rebuild(m, w.e, w.now);
	s = tcm_snap(m);
	i = tcm_find(s, 1);
	assert_true(i >= 0);
	assert_true(s->rows[i].finished);
	assert_string_equal(tcm_row_mark(&s->rows[i], b, sizeof(b)), "x?");
	tc_engine_free(w.e);
	tcm_free(m);
}

/* The counters count a close when it happens, not when the engine reports
 * it after its linger; the report does not count it again. */
static void test_counters_at_close_time(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct wire w = {NULL, 0, T0, 0};
	struct link l = {m, &w.now};
	struct tc_engine_opts eo = {0};
	const struct tcm_snap *s;
	(void)state;

	eo.linger_ns = 5 * NS;
	w.e = tc_engine_new(&eo, on_conn, &l);
	/* graceful, client first */
	tx(&w, 1000, 0, TC_SYN, 100, 0);
	tx(&w, 1000, 1, TC_SYN | TC_ACK, 900, 101);
	tx(&w, 1000, 0, TC_ACK, 101, 901);
	tx(&w, 1000, 0, TC_FIN | TC_ACK, 101, 901);
	tx(&w, 1000, 1, TC_FIN | TC_ACK, 901, 102);
	tx(&w, 1000, 0, TC_ACK, 102, 902);
	/* aborted by the server */
	tx(&w, 1001, 0, TC_SYN, 200, 0);
	tx(&w, 1001, 1, TC_SYN | TC_ACK, 800, 201);
	tx(&w, 1001, 0, TC_ACK, 201, 801);
	tx(&w, 1001, 1, TC_RST | TC_ACK, 801, 201);
	/* refused */
	tx(&w, 1002, 0, TC_SYN, 300, 0);
	tx(&w, 1002, 1, TC_RST | TC_ACK, 0, 301);
	/* still open */
	tx(&w, 1003, 0, TC_SYN, 400, 0);
	tx(&w, 1003, 1, TC_SYN | TC_ACK, 700, 401);
	tx(&w, 1003, 0, TC_ACK, 401, 701);

	tcm_rebuild(m, w.e, w.now);
	s = tcm_snap(m);
	assert_int_equal(tc_engine_stats(w.e)->reported, 0); /* all lingering */
	assert_int_equal(s->graceful, 1);
	assert_int_equal(s->reset, 2);
	assert_int_equal(s->refused, 1);
	assert_int_equal(s->half_closed, 0);
	assert_int_equal(s->open, 0);
	assert_int_equal(s->closing, 3);
	/* A second look before the report counts nothing twice. */
	w.now += NS;
	tcm_rebuild(m, w.e, w.now);
	assert_int_equal(s->graceful, 1);
	assert_int_equal(s->reset, 2);

	/* The linger passes: reported, the same counts, now final. */
	w.now += 5 * NS;
	tc_engine_tick(w.e, w.now);
	tcm_rebuild(m, w.e, w.now);
	assert_int_equal(tc_engine_stats(w.e)->reported, 3);
	assert_int_equal(s->closing, 0);
	assert_int_equal(s->graceful, 1);
	assert_int_equal(s->reset, 2);
	assert_int_equal(s->refused, 1);

	/* The end: the open one is counted open, once. */
	tcm_set_ended(m);
	tc_engine_finish(w.e);
	tcm_rebuild(m, w.e, w.now);
	assert_int_equal(s->open, 1);
	assert_int_equal(s->graceful + s->half_closed + s->reset + s->open, 4);
	assert_int_equal(s->graceful, tc_engine_stats(w.e)->by_close[TC_CLOSE_GRACEFUL]);
	assert_int_equal(s->reset, tc_engine_stats(w.e)->by_close[TC_CLOSE_RESET]);
	tc_engine_free(w.e);
	tcm_free(m);
}

/* A close reported before the next rebuild (port reuse, a file read fast)
 * is counted once, from the report. A close counted at the time and then
 * given another verdict by the engine's report (an RST inside the linger)
 * moves to that verdict: one connection, one count, the engine's word. */
static void test_counted_close_then_trailing_rst(void **state)
{
	struct tcm_model *m = tcm_new(NULL);
	struct wire w = {NULL, 0, T0, 0};
	struct link l = {m, &w.now};
	struct tc_engine_opts eo = {0};
	const struct tc_stats *st;
	const struct tcm_snap *s;
	(void)state;

	eo.linger_ns = 5 * NS;
	w.e = tc_engine_new(&eo, on_conn, &l);
	tx(&w, 1000, 0, TC_SYN, 100, 0);
	tx(&w, 1000, 1, TC_SYN | TC_ACK, 900, 101);
	tx(&w, 1000, 0, TC_ACK, 101, 901);
	tx(&w, 1000, 1, TC_FIN | TC_ACK, 901, 101);
	tx(&w, 1000, 0, TC_FIN | TC_ACK, 101, 902);
	tx(&w, 1000, 1, TC_ACK, 902, 102);
	tcm_rebuild(m, w.e, w.now);
	s = tcm_snap(m);
	assert_int_equal(s->graceful, 1);
	/* the client's RST after both FINs */
	tx(&w, 1000, 0, TC_RST, 102, 0);
	w.now += 6 * NS;
	tc_engine_tick(w.e, w.now);
	tcm_rebuild(m, w.e, w.now);
	st = tc_engine_stats(w.e);
	assert_int_equal(st->reported, 1);
	assert_int_equal(s->graceful + s->reset, 1);
	assert_int_equal(s->graceful, st->by_close[TC_CLOSE_GRACEFUL]);
	assert_int_equal(s->reset, st->by_close[TC_CLOSE_RESET]);
	tc_engine_free(w.e);
	tcm_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_orders),
		cmocka_unit_test(test_idle_and_age_order_finished_rows_too),
		cmocka_unit_test(test_sort_keys_mixed_rows),
		cmocka_unit_test(test_rows_cap_keeps_first_in_order),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_counters_and_rates),
		cmocka_unit_test(test_rate_average_over_capture),
		cmocka_unit_test(test_rate_starts_at_first_frame),
		cmocka_unit_test(test_row_keeps_extension),
		cmocka_unit_test(test_finished_rows_expire),
		cmocka_unit_test(test_finished_ring_is_bounded),
		cmocka_unit_test(test_ring_compacts_after_partial_expiry),
		cmocka_unit_test(test_feed),
		cmocka_unit_test(test_time_wait_per_host),
		cmocka_unit_test(test_end_states_counted),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_inferred_marker),
		cmocka_unit_test(test_inferred_marker_with_engine),
		cmocka_unit_test(test_with_engine),
		cmocka_unit_test(test_counters_at_close_time),
		cmocka_unit_test(test_counted_close_then_trailing_rst),
		cmocka_unit_test(test_browse_holds_every_connection),
		cmocka_unit_test(test_rows_read_the_extension),
		cmocka_unit_test(test_live_counts_aged_out),
		cmocka_unit_test(test_time_wait_top_hosts_kept),
		cmocka_unit_test(test_time_wait_host_cap_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
