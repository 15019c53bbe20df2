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
 * The CLOSED list is a byte ring of entries in close order ("cold"): an
 * 8-byte header (close time, length, state) and the record in its frozen
 * form (freeze.h), about two fifths of the record and its extension,
 * frozen against its chunk's prototype (the chunk's first record, kept
 * with the chunk). A closed
 * connection only waits, so its record goes back to the table's free list
 * and the index names the frozen entry. A late segment thaws it into a
 * record again (state THAWED: the header names the record), which goes on
 * exactly as before; once the segment is applied it is frozen again in
 * place if it still fits. A connection that leaves the list (reported
 * early, or no longer closed after an undone RST) leaves a DEAD entry that
 * the head skips. Reports at the end of the linger decode the entry into a
 * record on the stack: the callback sees the same record either way.
 * The ring is 64 KiB chunks taken and given back in order, mapped and
 * unmapped whole (tc_alloc_pages: a chunk freed into the heap would stay
 * resident below the next one's); an entry never
 * straddles two, and a handle (the index's name for an entry) is its
 * offset in the ring's virtual address space, in 4-byte units (entries are
 * 4-aligned: 8 would pad each by 2 bytes more on average). The header
 * holds the close time as 32 bits of ns after its chunk's first entry's
 * (4.29 s: closes come in bursts, which is when the ring is big); an entry
 * that closed out of that range carries its time whole, 8 bytes more
 * (WIDE). Nor does it hold the index hash: the report decodes the record
 * anyway and hashes its 4-tuple again, and a late segment brings its own.
 * tc_engine_finish() moves the head past what it reports, so the chunks
 * go back during the final report rather than after it.
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
#include "freeze.h"
#include "huge.h"
#include "infer.h"
#include "prefetch.h"
#include "segment.h"
#include "tcpsm.h"
#include "xconn.h"

enum { L_NONE = 0, L_ACTIVE, L_CLOSED };

#define LRU_GRANULARITY 1000000000LL /* 1 s */

/* A list of records through their prev/next links: record numbers + 1,
 * 0 for none (flow.h). */
struct list {
	uint32_t head, tail;
};

struct tomb {
	uint64_t key; /* tc_flowtab_key64() */
	int64_t end;  /* when its TIME_WAIT ends (ns) */
};

struct tombs {
	struct tomb *ring; /* cap entries, a power of two */
	/* 2 * cap slots, 0 empty: the ring position + 1 in the pos_mask
	 * bits, the same bits of the entry's key in the others, so that a
	 * lookup reads the ring (a cache miss of its own) only for a key that
	 * nearly always is the one sought. */
	uint32_t *idx;
	uint32_t pos_mask;
	size_t cap, head, n;
};

#define TOMBS_MIN 1024u

/* The closed ring: see the top of the file. */
enum { C_PAD = 0,
       C_FROZEN,
       C_THAWED,
       C_DEAD };

struct cold_hdr {
	uint32_t dts;      /* when it closed: ns after its chunk's base */
	uint16_t len;      /* frozen bytes (the body) */
	uint8_t size4;     /* the entry, header included, in 4-byte units */
	uint8_t state : 4; /* C_* */
	/* The close time is the body's first 8 bytes, the frozen bytes after. */
	uint8_t wide : 1;
};

#define COLD_SHIFT 16
#define COLD_CHUNK ((uint64_t)1 << COLD_SHIFT)
#define COLD_HDR ((uint64_t)sizeof(struct cold_hdr))
/* Handles are 31 bits of 4-byte units: the ring spans less than 8 GiB. */
#define COLD_SPAN ((uint64_t)1 << 33)

_Static_assert(sizeof(struct cold_hdr) == 8, "cold_hdr is not 8 bytes");
_Static_assert(sizeof(struct cold_hdr) + 8 + TC_FREEZE_MAX <= 255 * 4,
	       "a frozen record no longer fits an entry's size4");

struct cold_chunk {
	uint8_t *p;
	int64_t base; /* close time of its first entry: dts counts from it */
	/* Its first entry's record, which its entries are frozen against
	 * (freeze.h): connections that close together are much alike. A copy,
	 * so it outlives that entry. */
	struct tc_freeze_proto proto;
};

struct cold {
	/* Chunk v >> COLD_SHIFT at [(v >> COLD_SHIFT) & (cap - 1)]. */
	struct cold_chunk *chunk;
	size_t cap;          /* a power of two */
	uint8_t *spare;      /* one emptied chunk kept for the next */
	uint64_t head, tail; /* virtual offsets, 4-aligned */
	uint64_t nchunks;    /* chunks held (the spare not counted) */
};

/*
 * A frame tc_engine_push() decoded and the analysis has not taken yet. It
 * keeps what the analysis reads of the frame's bytes after the decode: the
 * payload's first TC_ENGINE_PAYLOAD_KEPT bytes (an RST's text).
 */
struct queued {
	struct tc_pkt p;
	int64_t ts_ns;
	uint64_t frame;
	uint32_t h;
	uint8_t st; /* enum tc_decode_status */
	uint8_t payload[TC_ENGINE_PAYLOAD_KEPT];
};

/* Frames queued before the first is taken: its index slot was requested
 * QUEUE frames earlier and its record QUEUE - AHEAD frames earlier, enough
 * for each to arrive while the frames between are worked on, few enough
 * that the requests in flight (a slot, up to 8 lines a record) do not queue
 * up in the memory system. */
#define QUEUE 8u
#define AHEAD 4u

struct tc_engine {
	struct tc_engine_opts o;
	tc_conn_cb cb;
	void *arg;
	struct tc_flowtab *ft;
	struct list active;
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
	struct cold cold; /* the CLOSED list */
	/* No entry of the ring lingers out before this (expire()): the
	 * head's time, or earlier. 0 until known. */
	int64_t cold_due;
	uint64_t nx;      /* extension records held by live records */
	uint64_t nend;    /* end records held by live records, the table's own aside */
	struct queued q[QUEUE]; /* tc_engine_push: decoded, not yet taken */
	unsigned qhead, qn;
};

/* tc_flow.cflags */
enum {
	F_XCOUNTED = 0x01, /* its extension record is in e->nx */
	F_ECOUNTED = 0x02  /* its end record is in e->nend */
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
	t->idx[i] = ((uint32_t)t->ring[pos].key & ~t->pos_mask) | ((uint32_t)pos + 1);
}

/* Remove the head from the ring and the index (backward-shift delete). */
static void tomb_pop(struct tombs *t)
{
	size_t mask = 2 * t->cap - 1, i = tomb_home(t, t->ring[t->head].key), j;

	while ((t->idx[i] & t->pos_mask) != t->head + 1)
		i = (i + 1) & mask;
	for (j = i;;) {
		size_t k;
		j = (j + 1) & mask;
		if (!t->idx[j])
			break;
		k = tomb_home(t, t->ring[(t->idx[j] & t->pos_mask) - 1].key);
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
	/* Positions + 1 go up to ncap, a power of two: one bit more than
	 * ncap - 1 has. */
	nt.pos_mask = ncap >= ((size_t)1 << 31) ? UINT32_MAX : (uint32_t)(2 * ncap - 1);
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
		const struct tomb *x;
		if ((t->idx[i] ^ (uint32_t)key) & ~t->pos_mask)
			continue;
		x = &t->ring[(t->idx[i] & t->pos_mask) - 1];
		if (x->key == key && x->end > now)
			return 1;
	}
	return 0;
}

/* Fetch the index slot where key's run starts: a tomb_find() or
 * tomb_push() for it comes a little later. */
static void tomb_prefetch(const struct tombs *t, uint64_t key)
{
	if (t->cap)
		__builtin_prefetch(&t->idx[tomb_home(t, key)]);
}

/* The record a link names (not 0). */
static struct tc_flow *link_rec(const struct tc_engine *e, uint32_t link)
{
	return tc_flowtab_record(e->ft, link - 1);
}

/* The first record of list l, or NULL. */
static struct tc_flow *list_head(const struct tc_engine *e, const struct list *l)
{
	return l->head ? link_rec(e, l->head) : NULL;
}

static void list_unlink(const struct tc_engine *e, struct list *l, struct tc_flow *f)
{
	if (f->prev)
		link_rec(e, f->prev)->next = f->next;
	else
		l->head = f->next;
	if (f->next)
		link_rec(e, f->next)->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = 0;
}

static void list_append(const struct tc_engine *e, struct list *l, struct tc_flow *f)
{
	f->next = 0;
	f->prev = l->tail;
	if (l->tail)
		link_rec(e, l->tail)->next = f->recno + 1;
	else
		l->head = f->recno + 1;
	l->tail = f->recno + 1;
}

/* ---- the closed ring ---------------------------------------------------- */

static struct cold_chunk *cold_chunk_of(const struct cold *r, uint64_t v)
{
	return &r->chunk[(v >> COLD_SHIFT) & (r->cap - 1)];
}

static struct cold_hdr *cold_hdr_at(const struct cold *r, uint64_t v)
{
	return (struct cold_hdr *)(void *)(cold_chunk_of(r, v)->p + (v & (COLD_CHUNK - 1)));
}

/* The entry's frozen bytes; THAWED, its record number (4 bytes). */
static uint8_t *cold_body(struct cold_hdr *h)
{
	return (uint8_t *)(h + 1) + (h->wide ? 8 : 0);
}

/* When the entry at v closed. */
static int64_t cold_mark(const struct cold *r, uint64_t v, const struct cold_hdr *h)
{
	int64_t t;

	if (!h->wide)
		return cold_chunk_of(r, v)->base + h->dts;
	memcpy(&t, h + 1, sizeof(t));
	return t;
}

/* The prototype the entry at v is frozen against: its chunk's. */
static struct tc_freeze_proto *cold_proto(const struct cold *r, uint64_t v)
{
	return &cold_chunk_of(r, v)->proto;
}

/* The record frozen in the entry at v, decoded into *t: the record, or NULL. */
static struct tc_conn *cold_view(const struct cold *r, uint64_t v, struct cold_hdr *h,
				 struct tc_thawed *t)
{
	if (!tc_thaw_view(cold_body(h), h->len, cold_mark(r, v, h), cold_proto(r, v), t))
		return NULL;
	return &t->rec.c;
}

static uint32_t cold_recno(struct cold_hdr *h)
{
	uint32_t n;
	memcpy(&n, cold_body(h), sizeof(n));
	return n;
}

static uint32_t cold_handle(uint64_t v)
{
	return (uint32_t)(v >> 2) & (TC_FLOW_FROZEN_MAX - 1);
}

/* The virtual offset of a live handle. */
static uint64_t cold_voff(const struct cold *r, uint32_t handle)
{
	return r->head + ((((uint64_t)handle << 2) - r->head) & (COLD_SPAN - 1));
}

/* Chunk number c as the tail's: grow the pointer ring if needed; 0 if no memory. */
static int cold_add_chunk(struct cold *r, uint64_t c)
{
	uint64_t first = r->head >> COLD_SHIFT, i;
	uint8_t *p;

	if (c - first >= r->cap) {
		size_t ncap = r->cap ? 2 * r->cap : 16;
		struct cold_chunk *v = calloc(ncap, sizeof(*v));
		if (!v)
			return 0;
		for (i = first; i < c; i++)
			v[i & (ncap - 1)] = r->chunk[i & (r->cap - 1)];
		free(r->chunk);
		r->chunk = v;
		r->cap = ncap;
	}
	if (r->spare) {
		p = r->spare;
		r->spare = NULL;
	} else if (!(p = tc_alloc_pages(COLD_CHUNK))) {
		return 0;
	}
	r->chunk[c & (r->cap - 1)].p = p;
	r->nchunks++;
	return 1;
}

/*
 * A new entry at the tail for a connection that closed at `mark`, with
 * room for `bytes` of frozen record (4 at least: a THAWED entry's record
 * number), its header's time, size and length set; NULL if there is no
 * memory. Chunks held: those from the head's to the one before the tail's
 * next boundary.
 */
static struct cold_hdr *cold_push(struct cold *r, int64_t mark, size_t bytes, uint64_t *voff)
{
	uint64_t off = r->tail & (COLD_CHUNK - 1), tail = r->tail, size;
	int64_t d;
	int wide;
	struct cold_hdr *h;

	/* An empty ring's chunk holds no entry that reads its base: it
	 * starts again from this one (after a quiet spell, say). */
	if (off && r->head == tail)
		cold_chunk_of(r, tail)->base = mark;
	d = off ? mark - cold_chunk_of(r, tail)->base : 0;
	wide = d < 0 || d > (int64_t)UINT32_MAX;

	if (bytes < 4)
		bytes = 4;
	size = (COLD_HDR + (wide ? 8 : 0) + bytes + 3) & ~(uint64_t)3;
	if (tail - r->head + size + COLD_CHUNK >= COLD_SPAN)
		return NULL;
	if (off && off + size > COLD_CHUNK) {
		/* Not enough room left in this chunk: the rest is padding. The
		 * entry opens the next chunk, whose base it sets: not wide. */
		if (COLD_CHUNK - off >= COLD_HDR)
			cold_hdr_at(r, tail)->state = C_PAD;
		tail += COLD_CHUNK - off;
		off = 0;
		if (wide) {
			wide = 0;
			size -= 8;
		}
	}
	if (!off) {
		if (!cold_add_chunk(r, tail >> COLD_SHIFT))
			return NULL; /* the padding is not written over: tail unchanged */
		cold_chunk_of(r, tail)->base = mark;
		d = 0;
	}
	r->tail = tail;
	h = cold_hdr_at(r, r->tail);
	h->size4 = (uint8_t)(size >> 2);
	h->wide = (uint8_t)wide;
	if (wide)
		memcpy(h + 1, &mark, sizeof(mark));
	h->dts = wide ? 0 : (uint32_t)d;
	h->len = 0;
	*voff = r->tail;
	r->tail += size;
	return h;
}

/* Bytes of frozen record entry h has room for. */
static size_t cold_room(const struct cold_hdr *h)
{
	return ((size_t)h->size4 << 2) - COLD_HDR - (h->wide ? 8 : 0);
}

/* Give back the head's chunk, which the head has just left. */
static void cold_drop_chunk(struct cold *r, uint64_t c)
{
	uint8_t **p = &r->chunk[c & (r->cap - 1)].p;
	if (!r->spare)
		r->spare = *p;
	else
		tc_free_pages(*p, COLD_CHUNK);
	*p = NULL;
	r->nchunks--;
}

/*
 * The head's entries are read in order, but a few microseconds apart (each
 * is thawed and reported): too slowly for the hardware to see a stream,
 * and they were written long enough ago to have left the cache. So the
 * bytes COLD_AHEAD past the entry at v (h), as many as it has, are
 * requested now: about two entries on, where the head will be then. Within
 * the entry's chunk only: the next one may not be there.
 */
#define COLD_AHEAD 512u

static void cold_prefetch(const struct cold *r, uint64_t v, const struct cold_hdr *h)
{
	uint64_t off = (v & (COLD_CHUNK - 1)) + COLD_AHEAD, end = off + ((uint64_t)h->size4 << 2);

	if (end > COLD_CHUNK)
		end = COLD_CHUNK;
	if (off < end)
		TC_PREFETCH_RANGE(cold_chunk_of(r, v)->p + off, end - off, 0);
}

/* The first entry that is still a connection (FROZEN or THAWED), past any
 * padding and DEAD ones, which leave; NULL if none. */
static struct cold_hdr *cold_first(struct cold *r, uint64_t *voff)
{
	while (r->head < r->tail) {
		uint64_t off = r->head & (COLD_CHUNK - 1), next;
		struct cold_hdr *h = NULL;

		if (COLD_CHUNK - off >= COLD_HDR)
			h = cold_hdr_at(r, r->head);
		if (h && (h->state == C_FROZEN || h->state == C_THAWED)) {
			cold_prefetch(r, r->head, h);
			*voff = r->head;
			return h;
		}
		if (h && h->state == C_DEAD)
			next = r->head + ((uint64_t)h->size4 << 2);
		else
			next = (r->head | (COLD_CHUNK - 1)) + 1; /* padding: the chunk's end */
		if ((next >> COLD_SHIFT) != (r->head >> COLD_SHIFT))
			cold_drop_chunk(r, r->head >> COLD_SHIFT);
		r->head = next;
	}
	return NULL;
}

static int frozen_match(void *arg, uint32_t handle, const struct tc_pkt *p, enum tc_role *from);

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
		tc_xconn_free(e->xc);
		free(e);
		return NULL;
	}
	tc_flowtab_set_frozen_match(e->ft, frozen_match, e);
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
	while (e->cold.nchunks)
		cold_drop_chunk(&e->cold, e->cold.head >> COLD_SHIFT), e->cold.head += COLD_CHUNK;
	tc_free_pages(e->cold.spare, COLD_CHUNK);
	free(e->cold.chunk);
	free(e);
}

static void account_loss(struct tc_engine *e, const struct tc_conn *c)
{
	const struct tc_conn_ext *x = tc_conn_ext(c);
	const struct tc_ext_endpoint *a = &x->ep[0], *b = &x->ep[1];

	e->st.one_way += c->one_way != TC_ONE_WAY_NONE;
	e->st.inferred += c->inferred != 0;
	e->st.dups += (uint64_t)x->ep[0].dups + x->ep[1].dups;
	e->st.loss_bytes += (uint64_t)a->missed + b->missed;
	e->st.loss_gaps += (uint64_t)a->gaps + b->gaps;
	e->st.acks_unseen += (uint64_t)a->acks_unseen + b->acks_unseen;
	e->st.loss_conns += (a->gaps | b->gaps | a->acks_unseen | b->acks_unseen) != 0;
	e->st.payload_bytes += tc_ep_bytes(c, TC_CLIENT) + tc_ep_bytes(c, TC_SERVER);
}

void tc_engine_judge(const struct tc_conn *c, struct tc_verdict *v, struct tc_diagnosis *d)
{
	tc_classify(c, v);
	tc_diagnose(c, v, d);
}

/* When the last of c's endpoints in TIME_WAIT leaves it; 0 if none is in it. */
static int64_t tw_end(const struct tc_engine *e, const struct tc_conn *c)
{
	const struct tc_conn_end *en = tc_conn_end(c);
	int64_t end = 0;
	int i;
	for (i = 0; i < 2; i++) {
		int64_t since = en->ep[i].ts_time_wait;
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

/* Judge c, hand it to the callback, leave its tombstone. */
static void hand_over(struct tc_engine *e, struct tc_conn *c)
{
	struct tc_verdict v;
	struct tc_diagnosis d;
	uint64_t key = 0;

	/* In TIME_WAIT already (nearly every one that will leave a
	 * tombstone; the inference below seldom puts one there): its key
	 * and the tombstone index slot are fetched now for the end. */
	if (!e->finishing && in_time_wait(e, c)) {
		key = tc_flowtab_key64(e->ft, c);
		tomb_prefetch(&e->tw, key);
	}
	if (e->o.ahead)
		e->o.ahead(c, e->arg);
	tc_infer_finish(c, e->now, e->one_way_capture);
	tc_engine_judge(c, &v, &d);
	account_loss(e, c);
	e->st.reported++;
	e->st.by_close[v.close]++;
	if (v.opened == TC_OPENED_REFUSED)
		e->st.refused++;
	if (c->cflags & TC_CONN_EVICTED)
		e->st.evicted++;
	if (e->cb)
		e->cb(c, &v, &d, e->arg);
	if (!e->finishing && in_time_wait(e, c))
		tomb_push(e, key ? key : tc_flowtab_key64(e->ft, c), tw_end(e, c));
	e->st.active--;
}

/* What f's record owns is counted in the tracked memory. */
static void count_owned(struct tc_engine *e, struct tc_flow *f)
{
	if (f->conn.x && !(f->cflags & F_XCOUNTED)) {
		f->cflags |= F_XCOUNTED;
		e->nx++;
	}
	if (f->conn.end && !(f->cflags & F_ECOUNTED) && !tc_flowtab_owns_end(f)) {
		f->cflags |= F_ECOUNTED;
		e->nend++;
	}
}

/* f's extension and end records are no longer counted (they are freed or frozen). */
static void uncount_owned(struct tc_engine *e, struct tc_flow *f)
{
	if (f->cflags & F_XCOUNTED) {
		e->nx--;
		f->cflags &= (uint8_t)~F_XCOUNTED;
	}
	if (f->cflags & F_ECOUNTED) {
		e->nend--;
		f->cflags &= (uint8_t)~F_ECOUNTED;
	}
}

/* Hand a connection to the callback and forget it. */
static void report(struct tc_engine *e, struct tc_flow *f)
{
	if (f->list == L_ACTIVE)
		list_unlink(e, &e->active, f);
	else if (f->list == L_CLOSED)
		cold_hdr_at(&e->cold, cold_voff(&e->cold, f->cold))->state = C_DEAD;
	f->list = L_NONE;
	hand_over(e, &f->conn);
	uncount_owned(e, f);
	tc_flowtab_del(e->ft, f);
}

/* Hand a frozen connection to the callback and forget it. */
static void report_frozen(struct tc_engine *e, struct cold_hdr *h, uint64_t voff)
{
	struct tc_thawed t;
	struct tc_conn *c;
	uint32_t hash = 0;

	h->state = C_DEAD;
	if (!(c = cold_view(&e->cold, voff, h, &t))) {
		e->st.active--; /* cannot happen: the bytes are our own */
		return;
	}
	/* Once finishing, the index is gone and the entry goes without a
	 * lookup: its hash would be worked out for nothing. Else its slot,
	 * untouched since the close, is fetched while the connection is
	 * judged and reported, and taken out of the index after. */
	if (!e->finishing) {
		hash = tc_flowtab_conn_hash(e->ft, c);
		tc_flowtab_prefetch_slot(e->ft, hash);
	}
	hand_over(e, c);
	tc_flowtab_del_frozen(e->ft, hash, cold_handle(voff));
	tc_thawed_release(&t); /* what tc_infer_finish allocated */
}

/* Report the entry at the head of the closed ring. */
static void report_cold(struct tc_engine *e, struct cold_hdr *h, uint64_t voff)
{
	if (h->state == C_THAWED)
		report(e, tc_flowtab_record(e->ft, cold_recno(h)));
	else
		report_frozen(e, h, voff);
}

static void expire(struct tc_engine *e, int64_t now)
{
	struct cold_hdr *h;
	uint64_t voff;

	/* Every frame comes here; the ring is in close order, so until its
	 * head's linger is out nothing is to do, and that time is known. A
	 * head that went another way leaves a due time too early, which
	 * costs one look and nothing else. */
	if (now >= e->cold_due) {
		while ((h = cold_first(&e->cold, &voff)) &&
		       cold_mark(&e->cold, voff, h) + e->o.linger_ns <= now)
			report_cold(e, h, voff);
		e->cold_due = h ? cold_mark(&e->cold, voff, h) + e->o.linger_ns : INT64_MAX;
	}
	tomb_expire(&e->tw, now);
}

/* Make room for one more: closed-but-lingering first, then the most idle. */
static void evict_one(struct tc_engine *e)
{
	struct cold_hdr *h;
	struct tc_flow *f;
	uint64_t voff;

	if ((h = cold_first(&e->cold, &voff))) {
		report_cold(e, h, voff);
	} else if ((f = list_head(e, &e->active))) {
		f->conn.cflags |= TC_CONN_EVICTED;
		report(e, f);
	}
}

static void to_active(struct tc_engine *e, struct tc_flow *f)
{
	if (f->list == L_ACTIVE)
		list_unlink(e, &e->active, f);
	else if (f->list == L_CLOSED)
		cold_hdr_at(&e->cold, cold_voff(&e->cold, f->cold))->state = C_DEAD;
	f->list = L_ACTIVE;
	list_append(e, &e->active, f);
}

/* Encode f into entry h (room checked by the caller), and let its record go. */
static void freeze_into(struct tc_engine *e, struct tc_flow *f, struct cold_hdr *h, uint64_t voff,
			const uint8_t *buf, size_t n)
{
	memcpy(cold_body(h), buf, n);
	h->len = (uint16_t)n;
	h->state = C_FROZEN;
	uncount_owned(e, f);
	tc_flowtab_freeze(e->ft, f, cold_handle(voff));
	e->st.frozen++;
	e->st.frozen_bytes += n;
}

/*
 * f has just closed: onto the closed ring, frozen unless the engine keeps
 * closed records whole. Without memory for an entry it is reported now.
 */
static void to_closed(struct tc_engine *e, struct tc_flow *f)
{
	uint8_t buf[TC_FREEZE_MAX];
	struct cold *r = &e->cold;
	/* Against the prototype of the chunk it will most likely go to, the
	 * tail's; if it opens the next one instead, it is that one's. */
	const struct tc_freeze_proto *proto =
		r->tail & (COLD_CHUNK - 1) ? cold_proto(r, r->tail) : NULL;
	size_t n = e->o.no_freeze ? 0 : tc_freeze(&f->conn, f->mark_ts, proto, buf);
	struct cold_hdr *h;
	uint64_t voff;

	if (f->list == L_ACTIVE)
		list_unlink(e, &e->active, f);
	f->list = L_NONE;
	if (!(h = cold_push(&e->cold, f->mark_ts, n, &voff))) {
		report(e, f);
		return;
	}
	e->st.frozen_wide += h->wide;
	if (f->mark_ts + e->o.linger_ns < e->cold_due)
		e->cold_due = f->mark_ts + e->o.linger_ns;
	if (e->o.no_freeze) {
		h->state = C_THAWED;
		memcpy(cold_body(h), &f->recno, sizeof(f->recno));
		f->list = L_CLOSED;
		f->cold = cold_handle(voff);
		return;
	}
	if (!(voff & (COLD_CHUNK - 1))) {
		/* It opened a chunk: it is the chunk's prototype, and frozen
		 * again against itself, which is never longer (its byte lanes
		 * take no byte, its other lanes no more than before). */
		struct tc_freeze_proto *pr = cold_proto(r, voff);
		tc_freeze_proto_set(pr, &f->conn, f->mark_ts);
		n = tc_freeze(&f->conn, f->mark_ts, pr, buf);
	}
	freeze_into(e, f, h, voff, buf, n);
}

/* A thawed f took its late segment and is still closed: frozen again in its
 * own entry if it still fits (it stays a record otherwise). */
static void refreeze(struct tc_engine *e, struct tc_flow *f)
{
	uint8_t buf[TC_FREEZE_MAX];
	uint64_t voff = cold_voff(&e->cold, f->cold);
	struct cold_hdr *h = cold_hdr_at(&e->cold, voff);
	size_t n;

	if (e->o.no_freeze)
		return;
	n = tc_freeze(&f->conn, f->mark_ts, cold_proto(&e->cold, voff), buf);
	if (n <= cold_room(h)) {
		freeze_into(e, f, h, voff, buf, n);
		e->st.refrozen++;
	}
}

/* A late segment for frozen entry `handle`: its record back in the table. */
static struct tc_flow *thaw(struct tc_engine *e, uint32_t handle, uint32_t hash)
{
	uint64_t voff = cold_voff(&e->cold, handle);
	struct cold_hdr *h = cold_hdr_at(&e->cold, voff);
	struct tc_flow *f = tc_flowtab_thaw(e->ft, hash, handle);

	if (!f)
		return NULL;
	if (tc_thaw(cold_body(h), h->len, cold_mark(&e->cold, voff, h), cold_proto(&e->cold, voff),
		    &f->conn) != 0) {
		/* Out of memory for its extension: it stays frozen. */
		tc_flowtab_freeze(e->ft, f, handle);
		return NULL;
	}
	f->mark_ts = cold_mark(&e->cold, voff, h);
	f->list = L_CLOSED;
	f->cold = handle;
	count_owned(e, f);
	h->state = C_THAWED;
	memcpy(cold_body(h), &f->recno, sizeof(f->recno));
	e->st.thawed++;
	return f;
}

/* flow.h's question for a frozen entry: is it p's 4-tuple? */
static int frozen_match(void *arg, uint32_t handle, const struct tc_pkt *p, enum tc_role *from)
{
	const struct tc_engine *e = arg;
	uint64_t voff = cold_voff(&e->cold, handle);
	struct cold_hdr *h = cold_hdr_at(&e->cold, voff);
	struct tc_thawed t;
	const struct tc_conn *c = cold_view(&e->cold, voff, h, &t);
	const struct tc_endpoint *a, *b;

	if (!c || c->af != p->af || c->tunnel != p->tunnel)
		return 0;
	a = &c->ep[0];
	b = &c->ep[1];
	if (a->port == p->sport && b->port == p->dport && !memcmp(a->addr, p->src, 16) &&
	    !memcmp(b->addr, p->dst, 16)) {
		*from = TC_CLIENT;
		return 1;
	}
	if (b->port == p->sport && a->port == p->dport && !memcmp(b->addr, p->src, 16) &&
	    !memcmp(a->addr, p->dst, 16)) {
		*from = TC_SERVER;
		return 1;
	}
	return 0;
}

/* Tracked memory now (see tc_stats.peak_bytes): the ring counts its
 * chunks' descriptors too, each with its prototype record. */
static uint64_t tracked_bytes(const struct tc_engine *e)
{
	return (uint64_t)tc_flowtab_records(e->ft) * sizeof(struct tc_flow) +
	       e->nx * sizeof(struct tc_conn_ext) + e->nend * sizeof(struct tc_conn_end) +
	       tc_flowtab_end_memory(e->ft) +
	       (e->cold.tail - e->cold.head) +
	       e->cold.cap * sizeof(struct cold_chunk) + tc_flowtab_index_memory(e->ft);
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
	if (e->st.active > e->st.peak_active) {
		e->st.peak_active = e->st.active;
		e->st.peak_bytes = tracked_bytes(e);
	}
	f->mark_ts = e->now;
	to_active(e, f);
	return f;
}

enum tc_decode_status tc_engine_frame(struct tc_engine *e, int dlt, int64_t ts_ns,
				      uint64_t frame, const uint8_t *buf, uint32_t caplen)
{
	return tc_engine_frame_wire(e, dlt, ts_ns, frame, buf, caplen, 0);
}

/* What every frame does before its decode: the clock, and expiry up to it. */
static void frame_clock(struct tc_engine *e, int64_t ts_ns)
{
	e->st.frames++;
	/* Capture time only moves forward: a frame stamped in the past (clock
	 * step, merged files) is analysed but does not rewind expiry. */
	/* The first frame's time, not have_now's: live mode ticks the
	 * clock before any frame arrives. */
	if (e->st.frames == 1)
		e->st.ts_first = ts_ns;
	if (!e->have_now || ts_ns >= e->now) {
		e->now = ts_ns;
		e->st.ts_last = ts_ns;
		e->have_now = 1;
	} else {
		e->st.time_backwards++;
	}
	expire(e, e->now);
}

static int64_t clamp_ts(int64_t ts_ns)
{
	if (ts_ns < 0)
		return 0;
	return ts_ns > TC_TS_MAX ? TC_TS_MAX : ts_ns;
}

/* One decoded TCP segment (h = tc_flowtab_hash of it) to its connection. */
static void apply(struct tc_engine *e, const struct tc_pkt *p, uint32_t h, int64_t ts_ns,
		  uint64_t frame)
{
	struct tc_flow *f;
	enum tc_role from = TC_CLIENT;
	uint32_t fz;
	uint8_t before[2];
	int inf;

	e->st.tcp++;
	e->st.len_clamped += p->len_clamped;

	f = tc_flowtab_lookup(e->ft, p, h, &from, &fz);
	if (!f && fz && !(f = thaw(e, fz - 1, h))) {
		e->st.untracked++; /* out of memory: counted, not tracked */
		return;
	}
	if (f && tc_sm_is_new_syn(&f->conn, from, p)) {
		int tw = in_time_wait(e, &f->conn);
		if (!(f->conn.cflags & TC_CONN_DONE))
			f->conn.cflags |= TC_CONN_SUPERSEDED;
		report(e, f);
		f = start_conn(e, p, h, &from);
		if (f && tw)
			f->conn.cflags |= TC_CONN_TW_REUSE;
	} else if (!f) {
		f = start_conn(e, p, h, &from);
	}
	if (!f) {
		e->st.untracked++; /* out of memory: counted, not tracked */
		return;
	}

	before[0] = f->conn.ep[0].state;
	before[1] = f->conn.ep[1].state;
	/* A FIN or RST makes the record's end record: the table's, reused
	 * from the connections that closed before, not a malloc each. (Out
	 * of memory for them, the state machine tries one of its own; out of
	 * memory for that too, the FIN or RST is still taken and only where
	 * it was is lost, as an extension record's facts are.) */
	if ((p->flags & (TC_FIN | TC_RST)) && !f->conn.end)
		(void)tc_flowtab_end(e->ft, f);
	if (!tc_segment_fast(&f->conn, from, p, ts_ns, frame)) {
		inf = tc_infer_segment(&f->conn, from, p, ts_ns, frame);
		if (inf & TC_INFER_ONE_WAY)
			e->one_way_capture = 1;
		if (inf & TC_INFER_DUPLICATE) {
			/* The same frame again: counted, not applied. */
			if (f->list == L_CLOSED)
				refreeze(e, f);
			return;
		}
		if (tc_segment_apply(&f->conn, from, p, ts_ns, frame))
			e->st.rst_ignored++;
	}
	tc_xconn_segment(e->xc, &f->conn, p, ts_ns, frame);
	if (e->tap)
		e->tap(&f->conn, from, p, ts_ns, frame, before, e->tap_arg);

	count_owned(e, f);
	if (f->conn.cflags & TC_CONN_DONE) {
		if (f->list != L_CLOSED) {
			f->mark_ts = e->now; /* when it closed */
			to_closed(e, f);
		} else {
			refreeze(e, f);
		}
	} else if (f->list != L_ACTIVE || e->now - f->mark_ts >= LRU_GRANULARITY) {
		f->mark_ts = e->now; /* when it last moved to the tail */
		to_active(e, f);
	}
}

enum tc_decode_status tc_engine_frame_wire(struct tc_engine *e, int dlt, int64_t ts_ns,
					   uint64_t frame, const uint8_t *buf, uint32_t caplen,
					   uint32_t wirelen)
{
	struct tc_pkt p;
	enum tc_decode_status st;

	tc_engine_drain(e); /* frames queued before it go first */
	ts_ns = clamp_ts(ts_ns);
	frame_clock(e, ts_ns);
	st = tc_decode_wire(dlt, buf, caplen, wirelen, &p);
	e->st.by_status[st]++;
	if (st == TC_DEC_OK)
		apply(e, &p, tc_flowtab_hash(e->ft, &p), ts_ns, frame);
	return st;
}

/* Take the oldest queued frame, as tc_engine_frame_wire() would have. */
static void take(struct tc_engine *e)
{
	struct queued *q = &e->q[e->qhead];

	e->qhead = (e->qhead + 1) % QUEUE;
	e->qn--;
	frame_clock(e, q->ts_ns);
	e->st.by_status[q->st]++;
	if (q->st == TC_DEC_OK)
		apply(e, &q->p, q->h, q->ts_ns, q->frame);
}

void tc_engine_drain(struct tc_engine *e)
{
	while (e->qn)
		take(e);
}

/*
 * Per frame, the index slot and the record are each a likely cache miss
 * (the table is far larger than the cache): taken one frame at a time they
 * are waited for one after the other. Decoding reads only the frame, so it
 * is done at once, and the slot is requested then; the record the slot
 * names is requested AHEAD frames before the frame's turn. What a frame
 * does may change the table (a new connection, a record freed, the index
 * grown): a request then loads a line for nothing; every lookup is the
 * real one, in order, so the result cannot differ.
 */
enum tc_decode_status tc_engine_push(struct tc_engine *e, int dlt, int64_t ts_ns, uint64_t frame,
				     const uint8_t *buf, uint32_t caplen, uint32_t wirelen)
{
	struct queued *q;
	enum tc_decode_status st;

	if (e->qn == QUEUE)
		take(e);
	q = &e->q[(e->qhead + e->qn) % QUEUE];
	st = tc_decode_wire(dlt, buf, caplen, wirelen, &q->p);
	q->st = (uint8_t)st;
	q->ts_ns = clamp_ts(ts_ns);
	q->frame = frame;
	if (st == TC_DEC_OK) {
		uint32_t n = q->p.payload_caplen < TC_ENGINE_PAYLOAD_KEPT ? q->p.payload_caplen
									  : TC_ENGINE_PAYLOAD_KEPT;
		/* Most segments with payload fill the copy: a constant-size
		 * copy is a few moves, a variable one a loop. */
		if (n == TC_ENGINE_PAYLOAD_KEPT)
			memcpy(q->payload, q->p.payload, TC_ENGINE_PAYLOAD_KEPT);
		else if (n)
			memcpy(q->payload, q->p.payload, n);
		q->p.payload = q->payload;
		q->p.payload_caplen = n;
		q->h = tc_flowtab_hash(e->ft, &q->p);
		tc_flowtab_prefetch_slot(e->ft, q->h);
		/* A SYN alone may open a connection, which is then looked up
		 * among the tombstones (TIME_WAIT reuse). */
		if ((q->p.flags & (TC_SYN | TC_ACK | TC_RST)) == TC_SYN)
			tomb_prefetch(&e->tw, tc_flowtab_pkt_key64(e->ft, &q->p));
	}
	e->qn++;
	if (e->qn > AHEAD) {
		const struct queued *r = &e->q[(e->qhead + e->qn - 1 - AHEAD) % QUEUE];
		if (r->st == TC_DEC_OK)
			tc_flowtab_prefetch_rec(e->ft, r->h);
	}
	return st;
}

void tc_engine_tick(struct tc_engine *e, int64_t now_ns)
{
	tc_engine_drain(e);
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

/*
 * A connection left at the end, to be reported in id order: its record
 * (low bit clear: a pointer, at least 2-aligned), or its ring entry's
 * virtual offset << 1 | 1. 16 bytes, not 24: there is one for every
 * connection still held, allocated while the ring is still whole.
 */
struct left {
	uint64_t id;
	uint64_t at;
};

_Static_assert(_Alignof(struct tc_flow) >= 2, "a record's address has no spare low bit");

/* Restore the max-heap below v[i] in v[0..n). */
static void sift_down(struct left *v, size_t i, size_t n)
{
	struct left x = v[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && v[c + 1].id > v[c].id)
			c++;
		if (v[c].id <= x.id)
			break;
		v[i] = v[c];
		i = c;
	}
	v[i] = x;
}

/*
 * Sort by id in place. qsort() would copy the array (glibc merges through
 * a buffer as large), and that copy came at the very moment memory is at
 * its most: the ring still whole, the aggregator at its largest. Heapsort
 * needs nothing more and cannot go quadratic; ids are unique.
 */
static void sort_left(struct left *v, size_t n)
{
	size_t i;
	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (i = n - 1; i > 0; i--) {
		struct left t = v[0];
		v[0] = v[i];
		v[i] = t;
		sift_down(v, 0, i);
	}
}

static void collect(struct tc_flow *f, void *arg)
{
	struct left **pp = arg;
	(*pp)->id = f->conn.id;
	(*pp)->at = (uint64_t)(uintptr_t)f;
	(*pp)++;
}

/*
 * In id order, the connections left are an open record here, a frozen
 * entry there: random reads the hardware cannot see coming. The one
 * LEFT_AHEAD reports on is requested ahead: an open record whole, a
 * frozen entry's first lines (most are shorter). Where it starts (at as
 * struct left has it) and how many bytes.
 */
#define LEFT_AHEAD 4u

static const uint8_t *left_bytes(const struct tc_engine *e, uint64_t at, size_t *n)
{
	if (at & 1) {
		*n = 256;
		return (const uint8_t *)cold_hdr_at(&e->cold, at >> 1);
	}
	*n = sizeof(struct tc_flow);
	return (const uint8_t *)(uintptr_t)at;
}

/* Call fn on every FROZEN entry of the ring, in close order. */
static void cold_foreach(const struct tc_engine *e,
			 void (*fn)(const struct tc_engine *e, struct cold_hdr *h, uint64_t voff,
				    void *arg),
			 void *arg)
{
	const struct cold *r = &e->cold;
	uint64_t v = r->head;

	while (v < r->tail) {
		uint64_t off = v & (COLD_CHUNK - 1);
		struct cold_hdr *h = COLD_CHUNK - off >= COLD_HDR ? cold_hdr_at(r, v) : NULL;
		if (!h || h->state == C_PAD) {
			v = (v | (COLD_CHUNK - 1)) + 1;
			continue;
		}
		if (h->state == C_FROZEN)
			fn(e, h, v, arg);
		v += (uint64_t)h->size4 << 2;
	}
}

static void collect_frozen(const struct tc_engine *e, struct cold_hdr *h, uint64_t voff, void *arg)
{
	struct left **pp = arg;
	uint64_t id;

	/* Its id alone: the report decodes it whole. */
	if (tc_frozen_id(cold_body(h), h->len, cold_proto(&e->cold, voff), &id) != 0)
		return;
	(*pp)->id = id;
	(*pp)->at = voff << 1 | 1;
	(*pp)++;
}

void tc_engine_finish(struct tc_engine *e)
{
	size_t n, i;
	struct left *v, *p;
	struct cold_hdr *h;
	struct tc_flow *f;
	uint64_t voff;

	tc_engine_drain(e);
	n = tc_flowtab_count(e->ft);
	e->finishing = 1;
	if (n == 0)
		return;
	/* Nothing is looked up from here on: the index goes before the sort
	 * array comes, which it is at least twice the size of (it is at most
	 * half full), so the end of the input is no longer the moment memory
	 * is at its most. */
	tc_flowtab_drop_index(e->ft);
	v = malloc(n * sizeof(*v));
	if (!v) {
		/* No memory to sort: report in table order rather than lose them. */
		while ((h = cold_first(&e->cold, &voff)))
			report_cold(e, h, voff);
		while ((f = list_head(e, &e->active)))
			report(e, f);
	} else {
		p = v;
		tc_flowtab_foreach(e->ft, collect, &p);
		cold_foreach(e, collect_frozen, &p);
		n = (size_t)(p - v);
		sort_left(v, n);
		for (i = 0; i < n; i++) {
			uint64_t at = v[i].at;
			if (i + LEFT_AHEAD < n) {
				size_t len;
				const uint8_t *b = left_bytes(e, v[i + LEFT_AHEAD].at, &len);
				TC_PREFETCH_RANGE(b, len, 0);
			}
			if (!(at & 1)) {
				report(e, (struct tc_flow *)(uintptr_t)at);
				continue;
			}
			report_frozen(e, cold_hdr_at(&e->cold, at >> 1), at >> 1);
			/* The head follows past the entries reported, giving
			 * back the chunks it leaves: ids come nearly in close
			 * order, so most of the ring goes while the
			 * aggregator still grows, not after. */
			(void)cold_first(&e->cold, &voff);
		}
		free(v);
	}
	/* The table's own count, not the reports': an entry that was in the
	 * table but in neither list nor the ring shows here instead of
	 * vanishing. */
	e->st.active = tc_flowtab_count(e->ft);
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

uint64_t tc_engine_memory(const struct tc_engine *e)
{
	return tracked_bytes(e);
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

static void visit_frozen(const struct tc_engine *e, struct cold_hdr *h, uint64_t voff, void *arg)
{
	struct foreach_ctx *x = arg;
	struct tc_thawed t;
	const struct tc_conn *c = cold_view(&e->cold, voff, h, &t);

	if (c)
		x->fn(c, x->arg);
}

void tc_engine_foreach(const struct tc_engine *e,
		       void (*fn)(const struct tc_conn *c, void *arg), void *arg)
{
	struct foreach_ctx x = {fn, arg};
	tc_flowtab_foreach(e->ft, visit, &x);
	cold_foreach(e, visit_frozen, &x);
}
