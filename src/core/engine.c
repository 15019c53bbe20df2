/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * engine.c -- decode, track, classify, report (see engine.h).
 *
 * Each tracked connection is on exactly one of two lists:
 *   ACTIVE  ordered by last activity, oldest first: the eviction order when
 *           the table is full (the oldest idle or embryonic entry goes).
 *           An entry moves to the tail at most once per LRU_GRANULARITY of
 *           capture time: relinking on every packet costs two random
 *           writes per packet, and "most idle first" within a second is
 *           all eviction needs;
 *   CLOSED  ordered by the time it closed: reported `linger` later, so the
 *           list is a FIFO and expiry is O(1) per connection.
 * Nothing here walks the table per packet; the only O(n) step is
 * tc_engine_finish(), which sorts what is left so output is in id order.
 *
 * A connection reported while an endpoint is still in TIME_WAIT (the linger
 * is 5 s, TIME_WAIT 60 s) leaves a tombstone: a 64-bit hash of its 4-tuple
 * and the time its TIME_WAIT ends, 16 bytes in a ring in report order with
 * an open-addressing index over it. A SYN that opens a connection on that
 * tuple before the end is flagged TC_CONN_TW_REUSE, as if the record were
 * still there. Tombstones leave from the head once their end has passed;
 * one whose end is earlier than a predecessor's just waits its turn (a
 * lookup checks the end). At most max_conns are kept; beyond, the oldest
 * is dropped and counted (tc_stats.tw_forgotten).
 */
#include "tcpclose/engine.h"

#include <stdlib.h>
#include <string.h>

#include "tcpclose/classify.h"
#include "tcpclose/diag.h"
#include "flow.h"
#include "infer.h"
#include "segment.h"
#include "tcpsm.h"
#include "xconn.h"

enum { L_NONE = 0, L_ACTIVE, L_CLOSED };

#define LRU_GRANULARITY 1000000000LL /* 1 s */

struct list {
	struct tc_flow *head, *tail;
};

struct tomb {
	uint64_t key; /* tc_flowtab_key64() */
	int64_t end;  /* when its TIME_WAIT ends (ns) */
};

struct tombs {
	struct tomb *ring; /* cap entries, a power of two */
	uint32_t *idx;     /* 2 * cap slots: ring position + 1; 0 empty */
	size_t cap, head, n;
};

#define TOMBS_MIN 1024u

struct tc_engine {
	struct tc_engine_opts o;
	tc_conn_cb cb;
	void *arg;
	struct tc_flowtab *ft;
	struct list active, closed;
	struct tc_stats st;
	uint64_t next_id;
	int64_t now;
	int have_now;
	tc_segment_cb tap;
	void *tap_arg;
	struct tc_xconn *xc; /* cross-connection RST evidence; NULL if out of memory */
	int one_way_capture; /* some connection proved a direction missing (infer.h) */
	int finishing;       /* in tc_engine_finish: no more frames, no tombstones */
	struct tombs tw;
};

static size_t tomb_home(const struct tombs *t, uint64_t key)
{
	return (size_t)(key >> 32) & (2 * t->cap - 1);
}

static void tomb_index(struct tombs *t, size_t pos)
{
	size_t mask = 2 * t->cap - 1, i = tomb_home(t, t->ring[pos].key);
	while (t->idx[i])
		i = (i + 1) & mask;
	t->idx[i] = (uint32_t)pos + 1;
}

/* Remove the head from the ring and the index (backward-shift delete). */
static void tomb_pop(struct tombs *t)
{
	size_t mask = 2 * t->cap - 1, i = tomb_home(t, t->ring[t->head].key), j;

	while (t->idx[i] != t->head + 1)
		i = (i + 1) & mask;
	for (j = i;;) {
		size_t k;
		j = (j + 1) & mask;
		if (!t->idx[j])
			break;
		k = tomb_home(t, t->ring[t->idx[j] - 1].key);
		/* Move j back to the hole unless its home lies in (i, j]. */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			t->idx[i] = t->idx[j];
			i = j;
		}
	}
	t->idx[i] = 0;
	t->head = (t->head + 1) & (t->cap - 1);
	t->n--;
}

/* Double the ring (up to max entries); 0 if it cannot. */
static int tomb_grow(struct tombs *t, size_t max)
{
	size_t ncap = t->cap ? 2 * t->cap : TOMBS_MIN, i;
	struct tombs nt;

	if (t->cap >= max)
		return 0;
	nt.ring = malloc(ncap * sizeof(*nt.ring));
	nt.idx = calloc(2 * ncap, sizeof(*nt.idx));
	if (!nt.ring || !nt.idx) {
		free(nt.ring);
		free(nt.idx);
		return 0;
	}
	nt.cap = ncap;
	nt.head = 0;
	nt.n = t->n;
	for (i = 0; i < t->n; i++) {
		nt.ring[i] = t->ring[(t->head + i) & (t->cap - 1)];
		tomb_index(&nt, i);
	}
	free(t->ring);
	free(t->idx);
	*t = nt;
	return 1;
}

static void tomb_push(struct tc_engine *e, uint64_t key, int64_t end)
{
	struct tombs *t = &e->tw;
	size_t pos;

	if (t->n == t->cap && !tomb_grow(t, e->o.max_conns)) {
		if (!t->n)
			return; /* no memory at all: reuse goes unseen, as before */
		tomb_pop(t);
		e->st.tw_forgotten++;
	}
	pos = (t->head + t->n) & (t->cap - 1);
	t->ring[pos].key = key;
	t->ring[pos].end = end;
	tomb_index(t, pos);
	t->n++;
}

static void tomb_expire(struct tombs *t, int64_t now)
{
	while (t->n && t->ring[t->head].end <= now)
		tomb_pop(t);
}

static int tomb_find(const struct tombs *t, uint64_t key, int64_t now)
{
	size_t mask, i;

	if (!t->n)
		return 0;
	mask = 2 * t->cap - 1;
	for (i = tomb_home(t, key); t->idx[i]; i = (i + 1) & mask) {
		const struct tomb *x = &t->ring[t->idx[i] - 1];
		if (x->key == key && x->end > now)
			return 1;
	}
	return 0;
}

static void list_unlink(struct list *l, struct tc_flow *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		l->head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = NULL;
}

static void list_append(struct list *l, struct tc_flow *f)
{
	f->next = NULL;
	f->prev = l->tail;
	if (l->tail)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
}

static struct list *list_of(struct tc_engine *e, struct tc_flow *f)
{
	return f->list == L_ACTIVE ? &e->active : f->list == L_CLOSED ? &e->closed : NULL;
}

static void move_to(struct tc_engine *e, struct tc_flow *f, int which)
{
	struct list *l = list_of(e, f);
	if (l)
		list_unlink(l, f);
	f->list = (uint8_t)which;
	list_append(which == L_ACTIVE ? &e->active : &e->closed, f);
}

struct tc_engine *tc_engine_new(const struct tc_engine_opts *opts, tc_conn_cb on_conn,
				void *arg)
{
	struct tc_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	if (opts)
		e->o = *opts;
	else
		e->o.linger_ns = -1;
	if (e->o.max_conns == 0)
		e->o.max_conns = TC_DEFAULT_MAX_CONNS;
	if (e->o.linger_ns < 0)
		e->o.linger_ns = TC_DEFAULT_LINGER_NS;
	if (e->o.time_wait_ns <= 0)
		e->o.time_wait_ns = TC_TIME_WAIT_DEFAULT_NS;
	else if (e->o.time_wait_ns > TC_TS_MAX)
		e->o.time_wait_ns = TC_TS_MAX; /* end = since + length cannot overflow */
	e->cb = on_conn;
	e->arg = arg;
	/* Without it RSTs only lose their cross-connection evidence. */
	/* A fixed key, not the run's seed: which hosts share a slot of this
	 * direct-mapped memory decides which RSTs get cross-connection
	 * evidence, and two runs over one capture must say the same. A
	 * crafted capture can only make it forget, never slow it down. */
	e->xc = tc_xconn_new(TC_XCONN_KEY);
	e->ft = tc_flowtab_new(e->o.hash_seed);
	if (!e->ft) {
		free(e);
		return NULL;
	}
	return e;
}

void tc_engine_free(struct tc_engine *e)
{
	if (!e)
		return;
	tc_flowtab_free(e->ft);
	tc_xconn_free(e->xc);
	free(e->tw.ring);
	free(e->tw.idx);
	free(e);
}

static void account_loss(struct tc_engine *e, const struct tc_conn *c)
{
	const struct tc_endpoint *a = &c->ep[0], *b = &c->ep[1];
	const struct tc_conn_ext *x = tc_conn_ext(c);

	e->st.one_way += c->one_way != TC_ONE_WAY_NONE;
	e->st.inferred += c->inferred != 0;
	e->st.dups += (uint64_t)x->ep[0].dups + x->ep[1].dups;
	e->st.loss_bytes += (uint64_t)a->missed + b->missed;
	e->st.loss_gaps += (uint64_t)a->gaps + b->gaps;
	e->st.acks_unseen += (uint64_t)a->acks_unseen + b->acks_unseen;
	e->st.loss_conns += (a->gaps | b->gaps | a->acks_unseen | b->acks_unseen) != 0;
	e->st.payload_bytes += a->bytes + b->bytes;
}

void tc_engine_judge(const struct tc_conn *c, struct tc_verdict *v, struct tc_diagnosis *d)
{
	tc_classify(c, v);
	tc_diagnose(c, v, d);
}

/* When the last of c's endpoints in TIME_WAIT leaves it; 0 if none is in it. */
static int64_t tw_end(const struct tc_engine *e, const struct tc_conn *c)
{
	int64_t end = 0;
	int i;
	for (i = 0; i < 2; i++) {
		int64_t since = c->ep[i].ts_time_wait;
		if (c->ep[i].state == TC_TIME_WAIT && since && since + e->o.time_wait_ns > end)
			end = since + e->o.time_wait_ns;
	}
	return end;
}

/* Is an endpoint of `old` still in TIME_WAIT now? */
static int in_time_wait(const struct tc_engine *e, const struct tc_conn *old)
{
	return tw_end(e, old) > e->now;
}

/* Hand a connection to the callback and forget it. */
static void report(struct tc_engine *e, struct tc_flow *f)
{
	struct tc_verdict v;
	struct tc_diagnosis d;
	struct list *l = list_of(e, f);

	if (l)
		list_unlink(l, f);
	tc_infer_finish(&f->conn, e->now, e->one_way_capture);
	tc_engine_judge(&f->conn, &v, &d);
	account_loss(e, &f->conn);
	e->st.reported++;
	e->st.by_close[v.close]++;
	if (v.opened == TC_OPENED_REFUSED)
		e->st.refused++;
	if (f->conn.cflags & TC_CONN_EVICTED)
		e->st.evicted++;
	if (e->cb)
		e->cb(&f->conn, &v, &d, e->arg);
	if (!e->finishing && in_time_wait(e, &f->conn))
		tomb_push(e, tc_flowtab_key64(e->ft, &f->conn), tw_end(e, &f->conn));
	tc_flowtab_del(e->ft, f);
	e->st.active--;
}

static void expire(struct tc_engine *e, int64_t now)
{
	while (e->closed.head && e->closed.head->mark_ts + e->o.linger_ns <= now)
		report(e, e->closed.head);
	tomb_expire(&e->tw, now);
}

/* Make room for one more: closed-but-lingering first, then the most idle. */
static void evict_one(struct tc_engine *e)
{
	struct tc_flow *f = e->closed.head ? e->closed.head : e->active.head;
	if (!f)
		return;
	if (f->list == L_ACTIVE)
		f->conn.cflags |= TC_CONN_EVICTED;
	report(e, f);
}


static struct tc_flow *start_conn(struct tc_engine *e, const struct tc_pkt *p, uint32_t h,
				  enum tc_role *from)
{
	struct tc_flow *f;

	while (e->st.active >= e->o.max_conns)
		evict_one(e);
	f = tc_flowtab_add_h(e->ft, h);
	if (!f)
		return NULL;
	*from = tc_sm_init(&f->conn, p);
	/* Only an opening SYN reuses the tuple: anything else after the
	 * record is gone is a straggler picked up mid-stream. */
	if ((p->flags & (TC_SYN | TC_ACK | TC_RST)) == TC_SYN &&
	    tomb_find(&e->tw, tc_flowtab_key64(e->ft, &f->conn), e->now))
		f->conn.cflags |= TC_CONN_TW_REUSE;
	if (p->tunnel) {
		/* The key needs only the tunnel's hash; what the reports name
		 * (type, outer addresses, id) waits in the extension record.
		 * Without memory for it the key still holds, the name is lost. */
		struct tc_conn_ext *x = tc_conn_ext_mut(&f->conn);
		f->conn.tunnel = p->tunnel;
		if (x)
			x->tun = p->tun;
	}
	f->conn.id = ++e->next_id;
	e->st.conns++;
	e->st.active++;
	if (e->st.active > e->st.peak_active)
		e->st.peak_active = e->st.active;
	f->mark_ts = e->now;
	move_to(e, f, L_ACTIVE);
	return f;
}

enum tc_decode_status tc_engine_frame(struct tc_engine *e, int dlt, int64_t ts_ns,
				      uint64_t frame, const uint8_t *buf, uint32_t caplen)
{
	return tc_engine_frame_wire(e, dlt, ts_ns, frame, buf, caplen, 0);
}

enum tc_decode_status tc_engine_frame_wire(struct tc_engine *e, int dlt, int64_t ts_ns,
					   uint64_t frame, const uint8_t *buf, uint32_t caplen,
					   uint32_t wirelen)
{
	struct tc_pkt p;
	enum tc_decode_status st;
	struct tc_flow *f;
	enum tc_role from = TC_CLIENT;
	uint32_t ignored_before, h;
	uint8_t before[2];
	int inf;

	e->st.frames++;
	if (ts_ns < 0)
		ts_ns = 0;
	else if (ts_ns > TC_TS_MAX)
		ts_ns = TC_TS_MAX;
	/* Capture time only moves forward: a frame stamped in the past (clock
	 * step, merged files) is analysed but does not rewind expiry. */
	if (!e->have_now)
		e->st.ts_first = ts_ns;
	if (!e->have_now || ts_ns >= e->now) {
		e->now = ts_ns;
		e->st.ts_last = ts_ns;
		e->have_now = 1;
	} else {
		e->st.time_backwards++;
	}
	expire(e, e->now);

	st = tc_decode_wire(dlt, buf, caplen, wirelen, &p);
	e->st.by_status[st]++;
	if (st != TC_DEC_OK)
		return st;
	e->st.tcp++;
	e->st.len_clamped += p.len_clamped;

	h = tc_flowtab_hash(e->ft, &p);
	f = tc_flowtab_find_h(e->ft, &p, h, &from);
	if (f && tc_sm_is_new_syn(&f->conn, from, &p)) {
		int tw = in_time_wait(e, &f->conn);
		if (!(f->conn.cflags & TC_CONN_DONE))
			f->conn.cflags |= TC_CONN_SUPERSEDED;
		report(e, f);
		f = start_conn(e, &p, h, &from);
		if (f && tw)
			f->conn.cflags |= TC_CONN_TW_REUSE;
	} else if (!f) {
		f = start_conn(e, &p, h, &from);
	}
	if (!f) {
		e->st.untracked++; /* out of memory: counted, not tracked */
		return st;
	}

	ignored_before = f->conn.rst_ignored;
	before[0] = f->conn.ep[0].state;
	before[1] = f->conn.ep[1].state;
	inf = tc_infer_segment(&f->conn, from, &p, ts_ns, frame);
	if (inf & TC_INFER_ONE_WAY)
		e->one_way_capture = 1;
	if (inf & TC_INFER_DUPLICATE)
		return st; /* the same frame again: counted, not applied */
	tc_segment_apply(&f->conn, from, &p, ts_ns, frame);
	tc_xconn_segment(e->xc, &f->conn, &p, ts_ns, frame);
	if (e->tap)
		e->tap(&f->conn, from, &p, ts_ns, frame, before, e->tap_arg);
	e->st.rst_ignored += f->conn.rst_ignored - ignored_before;

	if (f->conn.cflags & TC_CONN_DONE) {
		if (f->list != L_CLOSED) {
			f->mark_ts = e->now; /* when it closed */
			move_to(e, f, L_CLOSED);
		}
	} else if (f->list != L_ACTIVE || e->now - f->mark_ts >= LRU_GRANULARITY) {
		f->mark_ts = e->now; /* when it last moved to the tail */
		move_to(e, f, L_ACTIVE);
	}
	return st;
}

void tc_engine_tick(struct tc_engine *e, int64_t now_ns)
{
	if (now_ns < 0)
		now_ns = 0;
	else if (now_ns > TC_TS_MAX)
		now_ns = TC_TS_MAX;
	if (!e->have_now || now_ns > e->now) {
		e->now = now_ns;
		e->have_now = 1;
	}
	expire(e, e->now);
}

static int by_id(const void *a, const void *b)
{
	uint64_t x = (*(struct tc_flow *const *)a)->conn.id;
	uint64_t y = (*(struct tc_flow *const *)b)->conn.id;
	return (x > y) - (x < y);
}

static void collect(struct tc_flow *f, void *arg)
{
	struct tc_flow ***pp = arg;
	*(*pp)++ = f;
}

void tc_engine_finish(struct tc_engine *e)
{
	size_t n = tc_flowtab_count(e->ft), i;
	struct tc_flow **v, **p;

	e->finishing = 1;
	if (n == 0)
		return;
	v = malloc(n * sizeof(*v));
	if (!v) {
		/* No memory to sort: report in table order rather than lose them. */
		while (e->closed.head)
			report(e, e->closed.head);
		while (e->active.head)
			report(e, e->active.head);
		return;
	}
	p = v;
	tc_flowtab_foreach(e->ft, collect, &p);
	qsort(v, n, sizeof(*v), by_id);
	for (i = 0; i < n; i++)
		report(e, v[i]);
	free(v);
}

void tc_engine_set_tap(struct tc_engine *e, tc_segment_cb cb, void *arg)
{
	e->tap = cb;
	e->tap_arg = arg;
}

const struct tc_stats *tc_engine_stats(const struct tc_engine *e)
{
	return &e->st;
}

struct foreach_ctx {
	void (*fn)(const struct tc_conn *c, void *arg);
	void *arg;
};

static void visit(struct tc_flow *f, void *arg)
{
	struct foreach_ctx *x = arg;
	x->fn(&f->conn, x->arg);
}

void tc_engine_foreach(const struct tc_engine *e,
		       void (*fn)(const struct tc_conn *c, void *arg), void *arg)
{
	struct foreach_ctx x = {fn, arg};
	tc_flowtab_foreach(e->ft, visit, &x);
}
