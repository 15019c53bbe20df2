/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow.c -- connection table (see flow.h for what it promises).
 *
 * Records live in slabs of SLAB_ENTRIES and are named by a 32-bit record
 * number (slab * SLAB_ENTRIES + position); freed records go on a free list
 * threaded through their `recno` field and are reused before a fresh one is
 * taken. A record does not keep its index hash (flow.h says why): the
 * rare calls that need it, a delete and a freeze, hash its 4-tuple again.
 *
 * The index is linear probing over slots of {hash, record number + 1}
 * (0 = empty), kept at most half full so that a miss ends after about two
 * slots. Deletion shifts the following run back instead of leaving
 * tombstones (Knuth 6.4, algorithm R), so lookups never slow down as
 * connections come and go. The slots double when half full; their hashes
 * are stored, so growing never rehashes a key.
 */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "huge.h"
#include "prefetch.h"

#include "tcpclose/grow.h"

#define INITIAL_SLOTS 2048u
#define MAX_RECORDS 0x7fffffffu

struct slot {
	uint32_t hash;
	uint32_t rec1; /* record number + 1; 0: empty; FROZEN | handle:
	                             a frozen entry (no record) */
};

#define FROZEN TC_FLOW_FROZEN_MAX

struct tc_flowtab {
	struct slot *s;
	size_t ns;                /* power of two */
	size_t count;
	struct tc_flow **slabs;   /* slabs[i] holds records from i * SLAB_ENTRIES */
	size_t nslabs, slabs_cap;
	uint32_t free1;           /* free record number + 1; 0: none */
	uint32_t nrec;            /* records ever handed out: numbers below are
	                             initialized, the rest of the last slab not
	                             yet touched (nor faulted in) */
	size_t live;              /* records in use */
	uint64_t seed;
	tc_frozen_match_fn fz_match;
	void *fz_arg;
	/* End records (tc_flowtab_end), in chunks; the free ones linked
	 * through their first bytes. */
	struct end_chunk *ends;
	struct tc_conn_end *end_free;
	size_t end_chunks;
};

/* End records are taken END_CHUNK at a time (22 KiB of 88-byte records) and never given
 * back before the table goes: only connections between their first FIN
 * or RST and their freezing hold one, a few hundred on a busy capture. */
#define END_CHUNK 256
struct end_chunk {
	struct end_chunk *next;
	struct tc_conn_end e[END_CHUNK];
};

/* The index after tc_flowtab_drop_index(): one empty slot, where every
 * lookup ends at once. Never written: nothing adds to such a table. */
static struct slot no_slots[1];

static int index_dropped(const struct tc_flowtab *t)
{
	return t->s == no_slots;
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* One endpoint's share of the hash; IPv4 leaves the upper 8 bytes zero. */
static uint64_t hash_end(uint64_t seed, int af, const uint8_t *a, uint16_t port)
{
	uint64_t h = tc_hash_fold(seed, load64(a) ^ ((uint64_t)port << 48));
	if (af != 4)
		h = tc_hash_fold(h, load64(a + 8));
	return h;
}

/*
 * Direction-independent because addition commutes: no comparison of the
 * endpoints, no branch. Each share is keyed by the seed, so the sum is as
 * unpredictable to someone crafting a capture as either share.
 */
static uint32_t hash_tuple(uint64_t seed, int af, const uint8_t *a, uint16_t pa,
			   const uint8_t *b, uint16_t pb, uint32_t tunnel)
{
	uint64_t h = hash_end(seed ^ (uint64_t)af, af, a, pa) + hash_end(seed ^ (uint64_t)af, af, b, pb);
	/* The tunnel key is symmetric already; 0 (no tunnel) adds nothing. */
	h += tunnel;
	/* The high half: every input bit reaches it. (h ^ h >> 32 would undo
	 * the mixer's last shift and leave the low bits blind to the last
	 * port, putting one client's connections to one server in a run.) */
	return (uint32_t)(tc_hash_fold(h, 0) >> 32);
}

static int eq16(const uint8_t *a, const uint8_t *b)
{
	return load64(a) == load64(b) && load64(a + 8) == load64(b + 8);
}

/*
 * Lookups land on random records all over the slabs: with 4 KiB pages
 * nearly every one is also a TLB miss. Slabs (and a large index) are
 * therefore 2 MiB-aligned and offered to the kernel as huge pages; where
 * that is not available this is plain aligned memory.
 */
/*
 * A power of two of records, so that a record's number splits into slab
 * and place with a shift and a mask: the division by a count that fills
 * one huge page took more instructions on every lookup than anything the
 * records' size saves. The fewest that fill whole huge pages: a huge page
 * over the largest power of two that divides the record's size (16384
 * records of 384 bytes are three huge pages, 32768 of 320 five).
 */
#define SLAB_ENTRIES ((uint32_t)(TC_HUGE_PAGE / (sizeof(struct tc_flow) & -sizeof(struct tc_flow))))
#define SLAB_BYTES (SLAB_ENTRIES * sizeof(struct tc_flow))
_Static_assert(SLAB_BYTES % TC_HUGE_PAGE == 0, "a slab is not a whole number of huge pages");

static struct tc_flow *rec(const struct tc_flowtab *t, uint32_t n)
{
	return &t->slabs[n / SLAB_ENTRIES][n % SLAB_ENTRIES];
}

struct tc_flowtab *tc_flowtab_new(uint64_t seed)
{
	struct tc_flowtab *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ns = INITIAL_SLOTS;
	t->s = calloc(t->ns, sizeof(*t->s));
	if (!t->s) {
		free(t);
		return NULL;
	}
	t->seed = seed;
	return t;
}

void tc_flowtab_free(struct tc_flowtab *t)
{
	size_t i;
	if (!t)
		return;
	for (i = 0; i < t->nrec; i++) {
		struct tc_flow *f = rec(t, (uint32_t)i);
		if (!f->used)
			continue;
		if (f->used & TC_FLOW_OWN_END)
			f->conn.end = NULL; /* freed with its chunk below */
		tc_conn_release(&f->conn);
	}
	while (t->ends) {
		struct end_chunk *k = t->ends;
		t->ends = k->next;
		free(k);
	}
	for (i = 0; i < t->nslabs; i++)
		free(t->slabs[i]);
	free(t->slabs);
	if (!index_dropped(t))
		free(t->s);
	free(t);
}

uint32_t tc_flowtab_hash(const struct tc_flowtab *t, const struct tc_pkt *p)
{
	return hash_tuple(t->seed, p->af, p->src, p->sport, p->dst, p->dport, p->tunnel);
}

uint32_t tc_flowtab_conn_hash(const struct tc_flowtab *t, const struct tc_conn *c)
{
	return hash_tuple(t->seed, c->af, c->ep[0].addr, c->ep[0].port, c->ep[1].addr, c->ep[1].port,
			  c->tunnel);
}

/* The endpoints' shares are added: the same key in either order. */
static uint64_t key64(const struct tc_flowtab *t, int af, const uint8_t *a, uint16_t pa,
		      const uint8_t *b, uint16_t pb, uint32_t tunnel)
{
	/* Another seed than the index hash's, and all 64 bits: a 32-bit
	 * hash would let one tuple in ~4 billion match another's TIME_WAIT
	 * by chance, and would match whenever the index hash does. */
	uint64_t s = t->seed ^ 0x7469772d7475706cULL ^ (uint64_t)af;
	uint64_t h = hash_end(s, af, a, pa) + hash_end(s, af, b, pb) + tunnel;
	return tc_hash_fold(h, 0);
}

uint64_t tc_flowtab_key64(const struct tc_flowtab *t, const struct tc_conn *c)
{
	return key64(t, c->af, c->ep[0].addr, c->ep[0].port, c->ep[1].addr, c->ep[1].port,
		     c->tunnel);
}

uint64_t tc_flowtab_pkt_key64(const struct tc_flowtab *t, const struct tc_pkt *p)
{
	return key64(t, p->af, p->src, p->sport, p->dst, p->dport, p->tunnel);
}

struct tc_flow *tc_flowtab_lookup(const struct tc_flowtab *t, const struct tc_pkt *p, uint32_t h,
				  enum tc_role *from, uint32_t *frozen)
{
	size_t mask = t->ns - 1, i;

	if (frozen)
		*frozen = 0;
	for (i = h & mask; t->s[i].rec1; i = (i + 1) & mask) {
		struct tc_flow *f;
		const struct tc_conn *c;
		if (t->s[i].hash != h)
			continue;
		if (t->s[i].rec1 & FROZEN) {
			uint32_t handle = t->s[i].rec1 & ~FROZEN;
			if (frozen && t->fz_match && t->fz_match(t->fz_arg, handle, p, from)) {
				*frozen = handle + 1;
				return NULL;
			}
			continue;
		}
		f = rec(t, t->s[i].rec1 - 1);
		c = &f->conn;
		if (c->af != p->af || c->tunnel != p->tunnel)
			continue;
		if (c->ep[0].port == p->sport && c->ep[1].port == p->dport &&
		    eq16(c->ep[0].addr, p->src) && eq16(c->ep[1].addr, p->dst)) {
			*from = TC_CLIENT;
			return f;
		}
		if (c->ep[1].port == p->sport && c->ep[0].port == p->dport &&
		    eq16(c->ep[1].addr, p->src) && eq16(c->ep[0].addr, p->dst)) {
			*from = TC_SERVER;
			return f;
		}
	}
	return NULL;
}

void tc_flowtab_prefetch_slot(const struct tc_flowtab *t, uint32_t h)
{
	__builtin_prefetch(&t->s[h & (t->ns - 1)]);
}

void tc_flowtab_prefetch_rec(const struct tc_flowtab *t, uint32_t h)
{
	const struct slot *s = &t->s[h & (t->ns - 1)];

	/* Only the first slot of the run: where the record nearly always is. */
	if (s->hash != h || !s->rec1 || (s->rec1 & FROZEN))
		return;
	/* A segment reads both endpoints and the list links: every line
	 * (whole lines: a record starts on one, flow.h). */
	TC_PREFETCH_RANGE(rec(t, s->rec1 - 1), sizeof(struct tc_flow), 1);
}

struct tc_flow *tc_flowtab_find_h(const struct tc_flowtab *t, const struct tc_pkt *p,
				  uint32_t h, enum tc_role *from)
{
	return tc_flowtab_lookup(t, p, h, from, NULL);
}

void tc_flowtab_set_frozen_match(struct tc_flowtab *t, tc_frozen_match_fn fn, void *arg)
{
	t->fz_match = fn;
	t->fz_arg = arg;
}

struct tc_flow *tc_flowtab_find(const struct tc_flowtab *t, const struct tc_pkt *p,
				enum tc_role *from)
{
	return tc_flowtab_find_h(t, p, tc_flowtab_hash(t, p), from);
}

static void place(struct slot *s, size_t ns, uint32_t h, uint32_t rec1)
{
	size_t mask = ns - 1, i = h & mask;
	while (s[i].rec1)
		i = (i + 1) & mask;
	s[i].hash = h;
	s[i].rec1 = rec1;
}

static int grow(struct tc_flowtab *t)
{
	size_t ns = t->ns * 2, i;
	struct slot *s = tc_alloc_huge(ns * sizeof(*s));
	if (!s)
		return -1;
	memset(s, 0, ns * sizeof(*s));
	for (i = 0; i < t->ns; i++)
		if (t->s[i].rec1)
			place(s, ns, t->s[i].hash, t->s[i].rec1);
	free(t->s);
	t->s = s;
	t->ns = ns;
	return 0;
}

static int add_slab(struct tc_flowtab *t)
{
	struct tc_flow *slab;
	struct tc_flow **v = tc_grow(t->slabs, &t->slabs_cap, t->nslabs + 1, sizeof(*v), 16);

	if (!v)
		return -1;
	t->slabs = v;
	slab = tc_alloc_huge(SLAB_BYTES);
	if (!slab)
		return -1;
	t->slabs[t->nslabs++] = slab;
	return 0;
}

static struct tc_flow *alloc_entry(struct tc_flowtab *t)
{
	struct tc_flow *f;
	uint32_t n;

	if (t->free1) {
		n = t->free1 - 1;
		f = rec(t, n);
		t->free1 = f->recno;
	} else {
		if (t->nrec >= MAX_RECORDS)
			return NULL;
		if (t->nrec == t->nslabs * SLAB_ENTRIES && add_slab(t) != 0)
			return NULL;
		/* Fresh records are taken from the bottom of the newest slab
		 * up: a new slab costs nothing until its records are used. */
		n = t->nrec++;
		f = rec(t, n);
	}
	memset(f, 0, sizeof(*f));
	f->recno = n;
	f->used = TC_FLOW_USED;
	t->live++;
	return f;
}

struct tc_flow *tc_flowtab_add_h(struct tc_flowtab *t, uint32_t h)
{
	struct tc_flow *f;

	if (index_dropped(t))
		return NULL;
	/* Keep the index at most half full; if it cannot grow, it still
	 * works until it is full, only with longer probes. */
	if ((t->count + 1) * 2 > t->ns && grow(t) != 0 && t->count + 1 >= t->ns)
		return NULL;
	f = alloc_entry(t);
	if (!f)
		return NULL;
	place(t->s, t->ns, h, f->recno + 1);
	t->count++;
	return f;
}

struct tc_flow *tc_flowtab_add(struct tc_flowtab *t, const struct tc_pkt *p)
{
	return tc_flowtab_add_h(t, tc_flowtab_hash(t, p));
}

/* The index slot holding (h, rec1), or ns if there is none. */
static size_t slot_of(const struct tc_flowtab *t, uint32_t h, uint32_t rec1)
{
	size_t mask = t->ns - 1, i;
	for (i = h & mask; t->s[i].rec1 != rec1; i = (i + 1) & mask)
		if (!t->s[i].rec1)
			return t->ns;
	return i;
}

/* Empty slot i: backward-shift deletion moves up every later entry of the
 * run whose home slot is not between the hole and itself. */
static void del_slot(struct tc_flowtab *t, size_t i)
{
	size_t mask = t->ns - 1, j;

	for (j = i;;) {
		size_t home;
		j = (j + 1) & mask;
		if (!t->s[j].rec1)
			break;
		home = t->s[j].hash & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->s[i] = t->s[j];
			i = j;
		}
	}
	t->s[i].rec1 = 0;
	t->s[i].hash = 0;
	t->count--;
}

/* A free end record's link to the next free one, in its first bytes. */
static struct tc_conn_end *end_next(const struct tc_conn_end *e)
{
	struct tc_conn_end *n;
	memcpy(&n, (const unsigned char *)e, sizeof(n));
	return n;
}

static void end_link(struct tc_conn_end *e, struct tc_conn_end *next)
{
	memcpy((unsigned char *)e, &next, sizeof(next));
}

struct tc_conn_end *tc_flowtab_end(struct tc_flowtab *t, struct tc_flow *f)
{
	struct tc_conn_end *e;

	if (f->conn.end)
		return f->conn.end;
	if (!t->end_free) {
		struct end_chunk *k = malloc(sizeof(*k));
		size_t i;
		if (!k)
			return tc_conn_end_mut(&f->conn);
		k->next = t->ends;
		t->ends = k;
		t->end_chunks++;
		for (i = 0; i < END_CHUNK; i++)
			end_link(&k->e[i], i + 1 < END_CHUNK ? &k->e[i + 1] : NULL);
		t->end_free = &k->e[0];
	}
	e = t->end_free;
	t->end_free = end_next(e);
	memset(e, 0, sizeof(*e));
	f->conn.end = e;
	f->used |= TC_FLOW_OWN_END;
	return e;
}

size_t tc_flowtab_end_memory(const struct tc_flowtab *t)
{
	return t->end_chunks * sizeof(struct end_chunk);
}

/* Back to the free list; f->recno becomes the free-list link (the list's
 * head names the record, which gets its number back when taken). The
 * table's end record, if the record has one, goes back to its own. */
static void free_entry(struct tc_flowtab *t, struct tc_flow *f)
{
	uint32_t n = f->recno;

	if (f->used & TC_FLOW_OWN_END) {
		end_link(f->conn.end, t->end_free);
		t->end_free = f->conn.end;
		f->conn.end = NULL;
	}
	tc_conn_release(&f->conn);
	f->used = 0;
	f->recno = t->free1;
	t->free1 = n + 1;
	t->live--;
}

/* The index slot naming record f, or ns if there is none: under the hash
 * of its 4-tuple, or, if the caller changed that, anywhere. */
static size_t rec_slot(const struct tc_flowtab *t, const struct tc_flow *f)
{
	size_t i = slot_of(t, tc_flowtab_conn_hash(t, &f->conn), f->recno + 1);

	if (i == t->ns)
		for (i = 0; i < t->ns && t->s[i].rec1 != f->recno + 1; i++)
			;
	return i;
}

void tc_flowtab_del(struct tc_flowtab *t, struct tc_flow *f)
{
	size_t i;

	if (!f->used)
		return; /* already free: a caller bug, but not memory corruption */
	if (index_dropped(t)) {
		t->count--;
		free_entry(t, f);
		return;
	}
	if ((i = rec_slot(t, f)) == t->ns)
		return; /* not in this table */
	del_slot(t, i);
	free_entry(t, f);
}

void tc_flowtab_freeze(struct tc_flowtab *t, struct tc_flow *f, uint32_t handle)
{
	size_t i;

	if (index_dropped(t) || !f->used || (i = rec_slot(t, f)) == t->ns)
		return;
	t->s[i].rec1 = FROZEN | handle;
	free_entry(t, f);
}

struct tc_flow *tc_flowtab_thaw(struct tc_flowtab *t, uint32_t h, uint32_t handle)
{
	size_t i;
	struct tc_flow *f;

	if (index_dropped(t) || (i = slot_of(t, h, FROZEN | handle)) == t->ns || !(f = alloc_entry(t)))
		return NULL;
	t->s[i].rec1 = f->recno + 1;
	return f;
}

void tc_flowtab_del_frozen(struct tc_flowtab *t, uint32_t h, uint32_t handle)
{
	size_t i;
	if (index_dropped(t)) {
		if (t->count > t->live)
			t->count--;
		return;
	}
	i = slot_of(t, h, FROZEN | handle);
	if (i != t->ns)
		del_slot(t, i);
}

void tc_flowtab_drop_index(struct tc_flowtab *t)
{
	if (index_dropped(t))
		return;
	free(t->s);
	t->s = no_slots;
	t->ns = 1;
}

struct tc_flow *tc_flowtab_record(const struct tc_flowtab *t, uint32_t recno)
{
	return rec(t, recno);
}

size_t tc_flowtab_count(const struct tc_flowtab *t)
{
	return t->count;
}

size_t tc_flowtab_records(const struct tc_flowtab *t)
{
	return t->live;
}

size_t tc_flowtab_index_memory(const struct tc_flowtab *t)
{
	return index_dropped(t) ? 0 : t->ns * sizeof(*t->s);
}

size_t tc_flowtab_longest_chain(const struct tc_flowtab *t)
{
	size_t mask = t->ns - 1, i, best = 0;
	for (i = 0; i < t->ns; i++) {
		size_t probes;
		if (!t->s[i].rec1)
			continue;
		probes = ((i - (t->s[i].hash & mask)) & mask) + 1;
		if (probes > best)
			best = probes;
	}
	return best;
}

size_t tc_flowtab_memory(const struct tc_flowtab *t)
{
	return t->nslabs * SLAB_BYTES + t->slabs_cap * sizeof(*t->slabs) + t->ns * sizeof(*t->s) +
	       sizeof(*t);
}

void tc_flowtab_foreach(const struct tc_flowtab *t,
			void (*fn)(struct tc_flow *f, void *arg), void *arg)
{
	uint32_t n, end = t->nrec;
	/* Over the records, not the index: fn may delete, and deletion
	 * moves index slots but never records. */
	for (n = 0; n < end; n++)
		if (rec(t, n)->used)
			fn(rec(t, n), arg);
}
