/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * agg.c -- per-host and per-service accounting and ranked findings (agg.h).
 *
 * Three keyed tables (hosts, services, client->service pairs), each an open
 * addressing index over an array of stats, capped at max_keys: a capture
 * with a million spoofed sources must not make the report grow without
 * bound; what no longer fits is counted in `dropped`. The arrays are
 * reserved at the cap once (see table_init: memory is resident only once
 * used); the indexes grow (see index_grow).
 *
 * TIME_WAIT over time: each TIME_WAIT socket becomes an expiry in a queue
 * (twq.h); before counting a new one, every socket whose TIME_WAIT ended
 * by then is taken off its host's and pair's current count. Peaks are
 * taken after each increment.
 */
#include "tcpclose/agg.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "huge.h"
#include "tcpclose/grow.h"
#include "twq.h"

#define SEC 1000000000LL
#define NONE UINT32_MAX

const uint32_t tc_idle_bucket_s[TC_IDLE_BUCKETS - 1] = {1, 10, 60, 120, 300, 600, 1800, 3600};

/* A host is one cache line (agg.h) when the table is aligned. */
_Static_assert(sizeof(struct tc_host_stats) == 64, "a host is not one cache line");

/* ---- layouts: the index, the keys' hash, the tables -------------------- */

struct index {
	/* A slot is the key's hash with its low bits replaced by the entry's
	 * position + 1 (as many bits as max_keys needs); 0 = empty. Four bytes
	 * where a whole hash and position took eight: at the default cap the
	 * hosts' and the pairs' indexes are 1 MiB each, not 2. The hash bits
	 * kept spare reading the entry of all but ~1 candidate in 2^15 at the
	 * default cap; a growth hashes the keys again (index_grow). */
	uint32_t *slot;
	size_t cap;               /* power of two, at least twice n */
	size_t n;
	uint32_t pos_mask;        /* the slot's position bits */
};

/*
 * Keyed by a per-run seed, word at a time: the keys come from the capture,
 * and a fixed hash would let a crafted one put every host in one probe run.
 * (A slot is empty when all zero; a used one always has position + 1 > 0
 * in its position bits, whatever its hash.)
 */
static inline uint32_t hash_key(uint64_t seed, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = seed ^ n, v;
	/* The tail's length apart, so that with n a constant (every caller's
	 * sizeof) its copy is a constant-size one and not a call. */
	size_t i, words = n / 8, tail = n % 8;
	for (i = 0; i < words; i++) {
		memcpy(&v, b + 8 * i, 8);
		h = tc_hash_fold(h, v);
	}
	if (tail) {
		v = 0;
		memcpy(&v, b + 8 * words, tail);
		h = tc_hash_fold(h, v);
	}
	return (uint32_t)(h >> 32);
}

/*
 * A pair's hash, from the hashes of its client's and its service's keys:
 * a function of the pair's key all the same (a position names one key),
 * and known before either lookup is done, so that the pair's slot can be
 * fetched with the others'.
 */
static uint32_t hash_pair(uint64_t seed, uint32_t hclient, uint32_t hservice)
{
	return (uint32_t)(tc_hash_fold(seed ^ 0x70616972, (uint64_t)hclient << 32 | hservice) >> 32);
}

/*
 * A table's entries, reserved at max_keys once: calloc hands memory that
 * large over from fresh zero pages, which become resident only when an
 * entry is first written, so the reservation costs what is used, and no
 * entry is ever copied by a growth or zeroed twice. `base` is aligned to
 * 64 bytes (one cache line), `raw` is what to free.
 */
struct table {
	void *raw;
	uint8_t *base;
	size_t n;
};

static int table_init(struct table *t, size_t cap, size_t elem)
{
	t->raw = calloc(1, cap * elem + 63);
	if (!t->raw)
		return -1;
	/* Huge pages past the first 2 MiB only: a table fills from its start,
	 * and a huge page there would make 2 MiB resident for the few hundred
	 * services or the hosts' rare counters a capture has, or not, as the
	 * reservation happens to be aligned. */
	if (cap * elem + 63 > TC_HUGE_PAGE)
		tc_advise_huge((uint8_t *)t->raw + TC_HUGE_PAGE, cap * elem + 63 - TC_HUGE_PAGE);
	t->base = (uint8_t *)(((uintptr_t)t->raw + 63) & ~(uintptr_t)63);
	t->n = 0;
	return 0;
}

/* Keys as stored, for comparison and hashing. */
struct host_key { uint8_t af; uint8_t addr[16]; };
struct svc_key { uint8_t af; uint8_t addr[16]; uint16_t port; };

/* A connection's four keys (its client and server hosts, its service,
 * its pair) and their hashes: known at once, before any lookup. */
struct conn_keys {
	struct host_key kc, ks;
	struct svc_key kv;
	uint32_t h_c, h_s, h_v, h_p;
};

struct tc_agg {
	struct tc_agg_opts o;
	struct tc_host_stats *hosts;
	struct table htab;
	struct index hidx;
	struct tc_host_opts *hopts; /* hosts' rare counters, made on first use */
	struct table otab;
	struct tc_service_stats *svcs;
	struct table stab;
	struct index sidx;
	struct tc_pair_stats *pairs;
	struct table ptab;
	struct index pidx;
	struct tc_twq tw; /* TIME_WAIT expiries */
	int64_t clock;
	uint64_t dropped;
	uint64_t rst_ignored;
	struct { /* what the capture missed (tc_agg_set_stats) */
		uint64_t conns, bytes, gaps, payload, inferred, one_way, reported;
	} loss;
	int64_t ts_end; /* the capture's last packet (tc_agg_set_stats) */
	struct tc_finding *find;
	size_t nfind, capfind;
	/* find[] answers the counts as they are: nothing was counted since
	 * tc_agg_findings() made it (a report asks twice: for the findings and
	 * for their groups). Every function that changes a count clears it. */
	int find_fresh;
	uint32_t *gmem; /* the findings in group order (positions in find) */
	struct tc_finding_group *groups;
	size_t ngroups, capgroups;
	/* resets over time: TC_TIMELINE_MAX buckets of tl_width from tl_start */
	uint64_t tl[TC_TIMELINE_MAX];
	int64_t tl_start, tl_width;
	size_t tl_n; /* buckets in use */
	/* The keys tc_agg_fetch_slots() was last given, hashed: what the
	 * next two calls need if they are for the same connection.
	 * have_next: 0 none, 1 their slots requested, 2 their entries too. */
	struct conn_keys next;
	int have_next;
};

/* ---- keys' hashes ------------------------------------------------------ */

static void host_key_set(struct host_key *k, int af, const uint8_t *addr)
{
	memset(k, 0, sizeof(*k));
	k->af = (uint8_t)af;
	memcpy(k->addr, addr, 16);
}

static void svc_key_set(struct svc_key *k, int af, const uint8_t *addr, uint16_t port)
{
	memset(k, 0, sizeof(*k));
	k->af = (uint8_t)af;
	memcpy(k->addr, addr, 16);
	k->port = port;
}

static uint32_t host_hash(const struct tc_agg *a, uint32_t pos)
{
	struct host_key k;
	host_key_set(&k, a->hosts[pos].af, a->hosts[pos].addr);
	return hash_key(a->o.hash_seed, &k, sizeof(k));
}

static uint32_t service_hash(const struct tc_agg *a, uint32_t pos)
{
	struct svc_key k;
	svc_key_set(&k, a->svcs[pos].af, a->svcs[pos].addr, a->svcs[pos].port);
	return hash_key(a->o.hash_seed, &k, sizeof(k));
}

static uint32_t pair_hash(const struct tc_agg *a, uint32_t pos)
{
	return hash_pair(a->o.hash_seed, host_hash(a, a->pairs[pos].client),
			 service_hash(a, a->pairs[pos].service));
}

/* ---- index: key bytes -> array position ---------------------------------- */

/* The hash of the key at a position: what it was filed under. */
typedef uint32_t (*key_hash_fn)(const struct tc_agg *a, uint32_t pos);

/* Position bits for positions + 1 up to max_keys; the rest hold hash bits. */
static uint32_t index_pos_mask(uint32_t max_keys)
{
	uint32_t m = 1;
	while (m < max_keys && m != UINT32_MAX)
		m = m << 1 | 1;
	return m;
}

static int slot_has(const struct index *ix, uint32_t s, uint32_t h)
{
	return ((s ^ h) & ~ix->pos_mask) == 0;
}

static uint32_t slot_pos(const struct index *ix, uint32_t s)
{
	return (s & ix->pos_mask) - 1;
}

/*
 * The index grows, unlike the tables: a few hundred services keep theirs
 * in a few cache lines and pages, where one sized for max_keys would
 * scatter them over 2 MiB. A slot no longer holds the hash its new place
 * needs, so the growth files the table's n entries again, reading them in
 * order and hashing their keys: O(1) amortized all the same.
 */
static int index_grow(const struct tc_agg *a, struct index *ix, size_t n, key_hash_fn hash)
{
	size_t cap = ix->cap ? ix->cap * 2 : 256;
	size_t bytes = cap * sizeof(uint32_t);
	uint32_t pos;
	/* Written all over at once by the refiling: huge pages once it fills
	 * them. Not before: an index of 1 MiB (the 100k keys at the default
	 * cap) in a huge page would hold 2 MiB resident, and its 256 small
	 * pages fit the TLB's second level. */
	uint32_t *slot = bytes >= TC_HUGE_PAGE ? tc_alloc_huge(bytes) : malloc(bytes);
	if (!slot)
		return -1;
	memset(slot, 0, bytes);
	for (pos = 0; pos < n; pos++) {
		uint32_t h = hash(a, pos);
		size_t j = h & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = (h & ~ix->pos_mask) | (pos + 1);
	}
	free(ix->slot);
	ix->slot = slot;
	ix->cap = cap;
	return 0;
}

static int index_init(const struct tc_agg *a, struct index *ix)
{
	ix->pos_mask = index_pos_mask(a->o.max_keys);
	return index_grow(a, ix, 0, NULL);
}

static void prefetch_slot(const struct index *ix, uint32_t h)
{
	__builtin_prefetch(&ix->slot[h & (ix->cap - 1)]);
}

/*
 * Fetch the entry the index names for hash h, if any, without waiting for
 * it: the first slot of h's probe run with h's kept bits is, but for a
 * collision of those, the key's. A new key's run has none, and no entry is
 * read. The lines of the entry's first `span` bytes (the key and what
 * every connection updates).
 */
static void prefetch_entry(const struct index *ix, uint32_t h, const void *base, size_t elem,
			   size_t span)
{
	size_t j = h & (ix->cap - 1);
	for (; ix->slot[j]; j = (j + 1) & (ix->cap - 1)) {
		if (slot_has(ix, ix->slot[j], h)) {
			const uint8_t *e = (const uint8_t *)base + slot_pos(ix, ix->slot[j]) * elem;
			__builtin_prefetch(e, 1);
			__builtin_prefetch(e + span - 1, 1);
			return;
		}
	}
}

/*
 * Find or add the key hashed to h (eq(a, position, key) compares; hash
 * files the table's keys again if the index grows); NONE when the table is
 * at its cap. The hash bits a slot keeps spare reading the entry of nearly
 * every candidate: a new key reads none.
 */
typedef int (*key_eq_fn)(const struct tc_agg *a, uint32_t pos, const void *key);

static uint32_t lookup(struct tc_agg *a, struct index *ix, struct table *t, key_eq_fn eq,
		       key_hash_fn hash, const void *key, uint32_t h)
{
	size_t j = h & (ix->cap - 1);
	for (; ix->slot[j]; j = (j + 1) & (ix->cap - 1)) {
		uint32_t s = ix->slot[j];
		if (slot_has(ix, s, h) && eq(a, slot_pos(ix, s), key))
			return slot_pos(ix, s);
	}
	if (t->n >= a->o.max_keys) {
		a->dropped++;
		return NONE;
	}
	/* At most half full: a miss (a new key) ends in a short probe run. */
	if ((ix->n + 1) * 2 > ix->cap) {
		if (index_grow(a, ix, t->n, hash) != 0) {
			a->dropped++; /* out of memory: counted as at the cap */
			return NONE;
		}
		for (j = h & (ix->cap - 1); ix->slot[j]; j = (j + 1) & (ix->cap - 1))
			;
	}
	/* The entry is still zero from calloc: entries are never removed. */
	ix->slot[j] = (h & ~ix->pos_mask) | (uint32_t)(t->n + 1);
	ix->n++;
	return (uint32_t)t->n++;
}

static int host_eq(const struct tc_agg *a, uint32_t pos, const void *key)
{
	const struct host_key *k = key;
	const struct tc_host_stats *e = &a->hosts[pos];
	return e->af == k->af && memcmp(e->addr, k->addr, 16) == 0;
}

static int svc_eq(const struct tc_agg *a, uint32_t pos, const void *key)
{
	const struct svc_key *k = key;
	const struct tc_service_stats *e = &a->svcs[pos];
	return e->af == k->af && e->port == k->port && memcmp(e->addr, k->addr, 16) == 0;
}

static int pair_eq(const struct tc_agg *a, uint32_t pos, const void *key)
{
	const struct tc_pair_stats *k = key;
	return a->pairs[pos].client == k->client && a->pairs[pos].service == k->service;
}

static uint32_t host_of(struct tc_agg *a, const struct host_key *k, uint32_t h)
{
	uint32_t i = lookup(a, &a->hidx, &a->htab, host_eq, host_hash, k, h);
	if (i != NONE && a->hosts[i].af == 0) {
		a->hosts[i].af = k->af;
		memcpy(a->hosts[i].addr, k->addr, 16);
	}
	return i;
}

static uint32_t service_of(struct tc_agg *a, const struct svc_key *k, uint32_t h)
{
	uint32_t i = lookup(a, &a->sidx, &a->stab, svc_eq, service_hash, k, h);
	if (i != NONE && a->svcs[i].af == 0) {
		a->svcs[i].af = k->af;
		memcpy(a->svcs[i].addr, k->addr, 16);
		a->svcs[i].port = k->port;
	}
	return i;
}

static uint32_t pair_of(struct tc_agg *a, uint32_t client, uint32_t service, uint32_t h)
{
	struct tc_pair_stats k;
	uint32_t i;
	if (client == NONE || service == NONE)
		return NONE;
	k.client = client;
	k.service = service;
	i = lookup(a, &a->pidx, &a->ptab, pair_eq, pair_hash, &k, h);
	if (i != NONE) {
		a->pairs[i].client = client;
		a->pairs[i].service = service;
	}
	return i;
}

/* ---- TIME_WAIT over capture time -------------------------------------- */

static void tw_expire(struct tc_agg *a, int64_t now)
{
	struct tc_tw e;
	while (tc_twq_pop_due(&a->tw, now, &e)) {
		/* The host a few expiries on is a cache miss of its own. */
		const struct tc_tw *next = tc_twq_ahead(&a->tw, 8);
		if (next && next->host != NONE)
			__builtin_prefetch(&a->hosts[next->host].tw_now, 1);
		if (e.host != NONE && a->hosts[e.host].tw_now)
			a->hosts[e.host].tw_now--;
		if (e.pair != NONE && a->pairs[e.pair].tw_now)
			a->pairs[e.pair].tw_now--;
	}
}

static void tw_add(struct tc_agg *a, uint32_t host, uint32_t pair, int64_t start)
{
	if (start > a->clock) {
		a->clock = start;
		tw_expire(a, start);
	}
	if (tc_twq_push(&a->tw, start + a->o.time_wait_ns, host, pair) != 0)
		return;
	if (host != NONE) {
		struct tc_host_stats *h = &a->hosts[host];
		h->tw_total++;
		if (++h->tw_now > h->tw_peak) {
			h->tw_peak = h->tw_now;
			h->tw_peak_ts = start;
		}
	}
	if (pair != NONE) {
		struct tc_pair_stats *p = &a->pairs[pair];
		if (++p->tw_now > p->tw_peak) {
			p->tw_peak = p->tw_now;
			p->tw_peak_ts = start;
		}
	}
}

/* ---- accounting ------------------------------------------------------- */

struct tc_agg *tc_agg_new(const struct tc_agg_opts *o)
{
	struct tc_agg *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	if (o)
		a->o = *o;
	if (a->o.time_wait_ns <= 0)
		a->o.time_wait_ns = TC_TIME_WAIT_DEFAULT_NS;
	if (!a->o.ephemeral_ports)
		a->o.ephemeral_ports = TC_EPHEMERAL_PORTS_DEFAULT;
	if (!a->o.max_keys)
		a->o.max_keys = 100000;
	if (table_init(&a->htab, a->o.max_keys, sizeof(*a->hosts)) != 0 ||
	    table_init(&a->otab, a->o.max_keys, sizeof(*a->hopts)) != 0 ||
	    table_init(&a->stab, a->o.max_keys, sizeof(*a->svcs)) != 0 ||
	    table_init(&a->ptab, a->o.max_keys, sizeof(*a->pairs)) != 0 ||
	    index_init(a, &a->hidx) != 0 || index_init(a, &a->sidx) != 0 ||
	    index_init(a, &a->pidx) != 0) {
		tc_agg_free(a);
		return NULL;
	}
	a->hosts = (struct tc_host_stats *)(void *)a->htab.base;
	a->hopts = (struct tc_host_opts *)(void *)a->otab.base;
	a->svcs = (struct tc_service_stats *)(void *)a->stab.base;
	a->pairs = (struct tc_pair_stats *)(void *)a->ptab.base;
	return a;
}

void tc_agg_free(struct tc_agg *a)
{
	if (!a)
		return;
	free(a->htab.raw);
	free(a->otab.raw);
	free(a->hidx.slot);
	free(a->stab.raw);
	free(a->sidx.slot);
	free(a->ptab.raw);
	free(a->pidx.slot);
	tc_twq_free(&a->tw);
	free(a->find);
	free(a->gmem);
	free(a->groups);
	free(a);
}

/*
 * The quiet span ending at `end` and `idle` long, unless the capture found
 * a hole at or after its start (tc_conn_ext.loss_ts): then the segments
 * that would have broken the quiet may be the ones it lost, and the span
 * is not the connection's idle time (-1, not counted).
 */
static int64_t idle_unless_lost(const struct tc_conn *c, int64_t end, int64_t idle)
{
	/* A hole found by the segment that opens the span lies before it,
	 * and is not inside. */
	if (tc_conn_ext(c)->loss_ts > end - idle)
		return -1;
	return idle;
}

int64_t tc_agg_idle_before_close(const struct tc_conn *c, const struct tc_verdict *v)
{
	const struct tc_conn_end *en = tc_conn_end(c);
	int64_t last_data, fin;
	int r;
	if (v->close == TC_CLOSE_RESET && en->frame_rst) {
		const struct tc_rst_evidence *e = &tc_conn_ext(c)->rst;
		int64_t idle = e->answered ? e->idle_before_ns : 0;
		/* the quiet before the segment the RST answered, or before
		 * the RST itself: whichever is longer, ending where it ends */
		if (idle > e->response_ns)
			return idle_unless_lost(c, e->ts - e->response_ns, idle);
		return idle_unless_lost(c, e->ts, e->response_ns);
	}
	if (v->close != TC_CLOSE_GRACEFUL && v->close != TC_CLOSE_HALF_CLOSED)
		return -1;
	fin = en->ep[TC_CLIENT].ts_fin;
	if (!fin || (en->ep[TC_SERVER].ts_fin && en->ep[TC_SERVER].ts_fin < fin))
		fin = en->ep[TC_SERVER].ts_fin;
	last_data = c->ep[0].ts_data_last > c->ep[1].ts_data_last ? c->ep[0].ts_data_last
								    : c->ep[1].ts_data_last;
	/* A keep-alive probe is traffic to a middlebox: the connection was not
	 * idle across it, whoever sent it. */
	for (r = 0; r < 2; r++) {
		int64_t ka = tc_conn_ext(c)->ep[r].ts_ka_last;
		if (ka && ka <= fin && ka > last_data)
			last_data = ka;
	}
	if (!last_data || last_data > fin)
		last_data = c->first_ts;
	return idle_unless_lost(c, fin, fin - last_data);
}

static void idle_account(struct tc_service_stats *s, int64_t idle)
{
	uint32_t m;
	int b, i;
	if (idle < 0)
		return;
	for (b = 0; b < TC_IDLE_BUCKETS - 1; b++)
		if (idle < (int64_t)tc_idle_bucket_s[b] * SEC)
			break;
	s->idle_hist[b]++;
	m = tc_idle_timeout_match(idle);
	if (!m)
		return;
	for (i = 0; i < 4; i++) {
		if (s->idle_match_s[i] == m || s->idle_match_s[i] == 0) {
			s->idle_match_s[i] = m;
			s->idle_match[i]++;
			return;
		}
	}
}

/* Host i's rare counters, made on first use: there is room for one per
 * host (the table has the host table's cap). */
static struct tc_host_opts *host_opts(struct tc_agg *a, uint32_t host)
{
	struct tc_host_stats *h = &a->hosts[host];
	if (!h->opts)
		h->opts = (uint32_t)++a->otab.n;
	return &a->hopts[h->opts - 1];
}

static void options_account(struct tc_agg *a, const struct tc_conn *c, int role, uint32_t host,
			    struct tc_service_stats *svc)
{
	const struct tc_endpoint *ep = &c->ep[role];
	const struct tc_ext_endpoint *xe = &tc_conn_ext(c)->ep[role];
	uint64_t *ka, *nodelay, *stalls, *stall_ms;
	uint32_t *ival;
	/* A connection the capture missed segments of (infer.h) adds no
	 * stalls: time across a hole is not the stack's behaviour. */
	int stall = (xe->nagle_stalls | xe->nagle_stall_ms) &&
		    !tc_conn_loss_total(c);

	/* Nothing to count: a host's counters are not made for it. */
	if (!xe->ka_probes && ep->small_unacked_max < 2 && !stall)
		return;
	if (svc) {
		ka = &svc->ka_conns;
		ival = &svc->ka_interval_ms;
		nodelay = &svc->nodelay_conns;
		stalls = &svc->nagle_stalls;
		stall_ms = &svc->nagle_stall_ms;
	} else if (host != NONE) {
		struct tc_host_opts *h = host_opts(a, host);
		ka = &h->ka_conns;
		ival = &h->ka_interval_ms;
		nodelay = &h->nodelay_conns;
		stalls = &h->nagle_stalls;
		stall_ms = &h->nagle_stall_ms;
	} else {
		return;
	}
	if (xe->ka_probes) {
		(*ka)++;
		if (xe->ka_interval_ms)
			*ival = xe->ka_interval_ms;
	}
	/*
	 * Two sub-MSS segments in flight at once prove TCP_NODELAY; a "stall"
	 * is only a timing reading, and a lost or late ACK makes one. So once
	 * a host:port has proved TCP_NODELAY its stalls are not reported (it
	 * is never said to have both).
	 */
	if (ep->small_unacked_max >= 2) {
		(*nodelay)++;
		*stalls = 0;
		*stall_ms = 0;
	} else if (stall && !*nodelay) {
		*stalls += xe->nagle_stalls;
		*stall_ms += xe->nagle_stall_ms;
	}
}

/*
 * Re-bucket the timeline so that it starts at or before `from` and reaches
 * past `to`: the width doubles until the span fits TC_TIMELINE_MAX buckets.
 * Bucket edges are multiples of the width, so merging never splits one.
 */
static void timeline_fit(struct tc_agg *a, int64_t from, int64_t to)
{
	uint64_t old[TC_TIMELINE_MAX];
	int64_t ostart = a->tl_start, owidth = a->tl_width, w = a->tl_width, start;
	size_t on = a->tl_n, i;

	for (;;) {
		start = from - ((from % w) + w) % w;
		if ((to - start) / w < TC_TIMELINE_MAX)
			break;
		w *= 2;
	}
	if (start == ostart && w == owidth)
		return;
	memcpy(old, a->tl, sizeof(old));
	memset(a->tl, 0, sizeof(a->tl));
	a->tl_start = start;
	a->tl_width = w;
	a->tl_n = 0;
	for (i = 0; i < on; i++) {
		size_t k;
		if (!old[i])
			continue;
		k = (size_t)((ostart + (int64_t)i * owidth - start) / w);
		a->tl[k] += old[i];
		if (k + 1 > a->tl_n)
			a->tl_n = k + 1;
	}
}

static void timeline_add(struct tc_agg *a, int64_t t)
{
	size_t k;
	if (!a->tl_width) {
		a->tl_width = SEC;
		a->tl_start = t - ((t % SEC) + SEC) % SEC;
	}
	if (t < a->tl_start)
		timeline_fit(a, t, a->tl_start + (int64_t)(a->tl_n ? a->tl_n - 1 : 0) * a->tl_width);
	else if ((t - a->tl_start) / a->tl_width >= TC_TIMELINE_MAX)
		timeline_fit(a, a->tl_start, t);
	k = (size_t)((t - a->tl_start) / a->tl_width);
	a->tl[k]++;
	if (k + 1 > a->tl_n)
		a->tl_n = k + 1;
}

size_t tc_agg_reset_timeline(const struct tc_agg *a, const uint64_t **counts, int64_t *start_ns,
			     int64_t *width_ns)
{
	*counts = a->tl;
	*start_ns = a->tl_start;
	*width_ns = a->tl_width;
	return a->tl_n;
}

int64_t tc_agg_time_wait_ns(const struct tc_agg *a) { return a->o.time_wait_ns; }

static void close_wait_longest(struct tc_service_stats *s, int64_t end)
{
	int64_t still_open = s->close_wait_oldest_fin && end > s->close_wait_oldest_fin
				     ? end - s->close_wait_oldest_fin
				     : 0;
	s->close_wait_longest_ns = still_open > s->close_wait_ended_ns ? still_open : s->close_wait_ended_ns;
}

/* c's keys into *k, not hashed. */
static void conn_keys_set(const struct tc_conn *c, struct conn_keys *k)
{
	const struct tc_endpoint *cl = &c->ep[TC_CLIENT], *sv = &c->ep[TC_SERVER];

	host_key_set(&k->kc, c->af, cl->addr);
	host_key_set(&k->ks, c->af, sv->addr);
	svc_key_set(&k->kv, c->af, sv->addr, sv->port);
}

/* Are k's keys those hashed in a->next? (The key setters zero their
 * padding, so the bytes compare.) */
static int is_next(const struct tc_agg *a, const struct conn_keys *k)
{
	return a->have_next && memcmp(&k->kc, &a->next.kc, sizeof(k->kc)) == 0 &&
	       memcmp(&k->ks, &a->next.ks, sizeof(k->ks)) == 0 &&
	       memcmp(&k->kv, &a->next.kv, sizeof(k->kv)) == 0;
}

/*
 * c's keys into *k, hashed, and their index slots requested; 1 if they are
 * a->next's, whose hashes are taken and whose slots were requested
 * already. The prefetches are here, in a function that writes memory, and
 * not in one of their own: a function doing nothing but prefetch has no
 * effect a compiler must keep, and GCC's link-time optimization drops the
 * calls to it.
 */
static int conn_keys(const struct tc_agg *a, const struct tc_conn *c, struct conn_keys *k)
{
	conn_keys_set(c, k);
	if (is_next(a, k)) {
		*k = a->next;
		return 1;
	}
	k->h_c = hash_key(a->o.hash_seed, &k->kc, sizeof(k->kc));
	k->h_s = hash_key(a->o.hash_seed, &k->ks, sizeof(k->ks));
	k->h_v = hash_key(a->o.hash_seed, &k->kv, sizeof(k->kv));
	k->h_p = hash_pair(a->o.hash_seed, k->h_c, k->h_v);
	prefetch_slot(&a->hidx, k->h_c);
	prefetch_slot(&a->hidx, k->h_s);
	prefetch_slot(&a->sidx, k->h_v);
	prefetch_slot(&a->pidx, k->h_p);
	return 0;
}

/* Fetch the entries k's slots name (read the slots: they should be in
 * cache by now). */
static void prefetch_entries(const struct tc_agg *a, const struct conn_keys *k)
{
	prefetch_entry(&a->hidx, k->h_c, a->hosts, sizeof(*a->hosts), sizeof(*a->hosts));
	prefetch_entry(&a->hidx, k->h_s, a->hosts, sizeof(*a->hosts), sizeof(*a->hosts));
	prefetch_entry(&a->sidx, k->h_v, a->svcs, sizeof(*a->svcs), 128);
	prefetch_entry(&a->pidx, k->h_p, a->pairs, sizeof(*a->pairs), sizeof(*a->pairs));
}

void tc_agg_fetch_slots(struct tc_agg *a, const struct tc_conn *c)
{
	struct conn_keys k;

	if (!conn_keys(a, c, &k)) {
		a->next = k;
		a->have_next = 1;
	}
}

void tc_agg_fetch_entries(struct tc_agg *a, const struct tc_conn *c)
{
	struct conn_keys k;

	conn_keys_set(c, &k);
	if (a->have_next == 1 && is_next(a, &k)) {
		prefetch_entries(a, &a->next);
		a->have_next = 2;
	}
}

void tc_agg_conn(struct tc_agg *a, const struct tc_conn *c, const struct tc_verdict *v,
		 const struct tc_diagnosis *d)
{
	const struct tc_endpoint *cl = &c->ep[TC_CLIENT];
	const struct tc_conn_end *en = tc_conn_end(c);
	struct conn_keys k;
	uint32_t hc, hs, si, pi;
	struct tc_service_stats *s;
	/* A trailing RST's cause describes a harmless RST after a graceful
	 * close: counted apart, never as a reset cause. */
	int trailing = v->trailing_rst != TC_WHO_NONE;
	enum tc_cause cause = trailing ? TC_CAUSE_NONE : d->cause;
	uint32_t notes = trailing ? 0 : d->notes;

	/*
	 * Fetch the four keys' index slots, then their entries, all in
	 * flight together, before the lookups use any (each is otherwise a
	 * cache miss waiting on the one before). Both are in cache already
	 * when tc_agg_fetch_slots() and tc_agg_fetch_entries() were called
	 * for c a little before.
	 */
	a->find_fresh = 0;
	if (!conn_keys(a, c, &k) || a->have_next != 2)
		prefetch_entries(a, &k);
	a->have_next = 0;
	hc = host_of(a, &k.kc, k.h_c);
	hs = host_of(a, &k.ks, k.h_s);
	si = service_of(a, &k.kv, k.h_v);
	pi = pair_of(a, hc, si, k.h_p);
	s = si != NONE ? &a->svcs[si] : NULL;

	if (hc != NONE)
		a->hosts[hc].as_client++;
	if (hs != NONE)
		a->hosts[hs].as_server++;
	if (en->ep[TC_CLIENT].ts_time_wait)
		tw_add(a, hc, pi, en->ep[TC_CLIENT].ts_time_wait);
	if (en->ep[TC_SERVER].ts_time_wait)
		tw_add(a, hs, NONE, en->ep[TC_SERVER].ts_time_wait);
	if ((c->cflags & TC_CONN_TW_REUSE) && hc != NONE)
		host_opts(a, hc)->tw_reuse++;
	if (cause == TC_CAUSE_ABORTIVE_CLOSE && d->by == TC_CLIENT && hc != NONE)
		host_opts(a, hc)->aborts++;
	options_account(a, c, TC_CLIENT, hc, NULL);
	if (v->close == TC_CLOSE_RESET) {
		int64_t t = tc_conn_ext(c)->rst.ts;
		timeline_add(a, t ? t : c->last_ts);
	}
	if (!s)
		return;
	options_account(a, c, TC_SERVER, hs, s);

	s->conns++;
	s->by_close[v->close]++;
	s->by_cause[cause]++;
	if (d->by == TC_SERVER && v->close == TC_CLOSE_RESET)
		s->by_cause_server[cause]++;
	if (v->opened == TC_OPENED_REFUSED)
		s->refused++;
	if (v->opened == TC_OPENED_SYN_ONLY)
		s->syn_only++;
	/* Over graceful closes only, so that "N of M graceful closes" is what
	 * the records say (a half-closed one has a closer too). */
	if (v->close == TC_CLOSE_GRACEFUL) {
		if (v->closer == TC_WHO_SERVER)
			s->server_closed_first++;
		else if (v->closer == TC_WHO_CLIENT)
			s->client_closed_first++;
		else if (v->closer == TC_WHO_BOTH)
			s->simultaneous++;
	}
	if (v->close == TC_CLOSE_HALF_CLOSED) {
		int fin_c = (cl->flags & TC_EP_FIN) != 0;
		int64_t closer_fin = en->ep[fin_c ? TC_CLIENT : TC_SERVER].ts_fin;
		if (fin_c)
			s->close_wait_server++;
		else
			s->close_wait_client++;
		/* Still open at the end of the capture: held until then, which
		 * only tc_agg_set_stats knows. Evicted or superseded: until its
		 * last packet. */
		if (c->cflags & (TC_CONN_EVICTED | TC_CONN_SUPERSEDED)) {
			int64_t held = c->last_ts - closer_fin;
			if (held > s->close_wait_ended_ns)
				s->close_wait_ended_ns = held;
		} else if (closer_fin && (!s->close_wait_oldest_fin ||
					  closer_fin < s->close_wait_oldest_fin)) {
			s->close_wait_oldest_fin = closer_fin;
		}
		close_wait_longest(s, a->ts_end);
	}
	if (notes & TC_DX_KEEPALIVE_RACE)
		s->keepalive_race++;
	if (cause == TC_CAUSE_ABORTIVE_CLOSE && d->by == TC_SERVER && tc_ep_bytes(c, TC_CLIENT) &&
	    tc_ep_bytes(c, TC_SERVER))
		s->aborts_after_exchange++;
	if (notes & TC_DX_DATA_LOST)
		s->data_lost_conns++;
	if (c->cflags & TC_CONN_TW_REUSE)
		s->tw_reuse++;
	if (trailing) {
		s->trailing_rst++;
		if (v->trailing_rst == TC_WHO_CLIENT)
			s->trailing_rst_client++;
		if (d->cause == TC_CAUSE_DATA_AFTER_CLOSE)
			s->trailing_data_after_close++;
	}
	if (cause == TC_CAUSE_INJECTED)
		s->injected++;
	idle_account(s, tc_agg_idle_before_close(c, v));
}

void tc_agg_set_stats(struct tc_agg *a, const struct tc_stats *st)
{
	size_t i;
	a->find_fresh = 0;
	a->rst_ignored = st->rst_ignored;
	a->loss.conns = st->loss_conns;
	a->loss.bytes = st->loss_bytes;
	a->loss.gaps = st->loss_gaps;
	a->loss.payload = st->payload_bytes;
	a->loss.inferred = st->inferred;
	a->loss.one_way = st->one_way;
	a->loss.reported = st->reported;
	a->ts_end = st->ts_last;
	for (i = 0; i < a->stab.n; i++)
		close_wait_longest(&a->svcs[i], a->ts_end);
}

/* ---- findings --------------------------------------------------------- */

static int ilog2p1(uint64_t n)
{
	int b = 1;
	while (n > 1) {
		n >>= 1;
		b++;
	}
	return b;
}

/*
 * Harm first: resets the applications saw and leaks (tier 3), then
 * capacity and reachability (tier 2: refusals, unanswered SYNs, ports held
 * in TIME_WAIT), then what is benign or only costs time (tier 1). Within a
 * tier, the weight times the order of magnitude of the count.
 */
static const int tier[TC_FIND__COUNT] = {
	[TC_FIND_INJECTED] = 3,
	[TC_FIND_KEEPALIVE_RACE] = 3,
	[TC_FIND_ABORTIVE] = 3,
	[TC_FIND_IDLE_TIMEOUT] = 3,
	[TC_FIND_NO_CONNECTION] = 3,
	[TC_FIND_DATA_AFTER_CLOSE] = 3,
	[TC_FIND_CLOSE_WAIT] = 3,
	[TC_FIND_KEEPALIVE_TIMEOUT] = 3,
	[TC_FIND_DEAD_PEER] = 3,
	[TC_FIND_TIME_WAIT_PORTS] = 2,
	[TC_FIND_REFUSED] = 2,
	[TC_FIND_SYN_UNANSWERED] = 2,
	[TC_FIND_HANDSHAKE_ABORT] = 2,
	[TC_FIND_SERVER_CLOSES_FIRST] = 1,
	[TC_FIND_TW_REUSE] = 1,
	[TC_FIND_NAGLE] = 1,
	[TC_FIND_RST_IGNORED] = 1,
	[TC_FIND_TRAILING_RST] = 1,
	[TC_FIND_CAPTURE_LOSS] = 2,
};

static const int weight[TC_FIND__COUNT] = {
	[TC_FIND_INJECTED] = 9,
	[TC_FIND_KEEPALIVE_RACE] = 8,
	[TC_FIND_ABORTIVE] = 8,
	[TC_FIND_IDLE_TIMEOUT] = 8,
	[TC_FIND_NO_CONNECTION] = 7,
	[TC_FIND_DATA_AFTER_CLOSE] = 7,
	[TC_FIND_CLOSE_WAIT] = 7,
	[TC_FIND_TIME_WAIT_PORTS] = 6,
	[TC_FIND_KEEPALIVE_TIMEOUT] = 6,
	[TC_FIND_DEAD_PEER] = 6,
	[TC_FIND_REFUSED] = 5,
	[TC_FIND_SERVER_CLOSES_FIRST] = 5,
	[TC_FIND_HANDSHAKE_ABORT] = 4,
	[TC_FIND_TW_REUSE] = 3,
	[TC_FIND_NAGLE] = 3,
	[TC_FIND_RST_IGNORED] = 2,
	[TC_FIND_SYN_UNANSWERED] = 5,
	[TC_FIND_TRAILING_RST] = 1,
	[TC_FIND_CAPTURE_LOSS] = 9,
};

static int severity(enum tc_finding_kind k, uint64_t count)
{
	return tier[k] * 1000 + weight[k] * ilog2p1(count);
}

static void svc_name(const struct tc_service_stats *s, char *buf, size_t n)
{
	char a[TC_ADDRSTRLEN];
	tc_addr_str(s->af, s->addr, a);
	snprintf(buf, n, s->af == 6 ? "[%s]:%u" : "%s:%u", a, s->port);
}

/* The host's address as text, into buf (TC_ADDRSTRLEN bytes or more). */
static void host_name(const struct tc_host_stats *h, char *buf)
{
	tc_addr_str(h->af, h->addr, buf);
}

/*
 * src into dst[n], cut to fit as snprintf(dst, n, "%s", src) would cut it,
 * without the format parsing: this runs for every finding collected, one
 * per host at most.
 */
static void copy_text(char *dst, size_t n, const char *src)
{
	size_t k = strnlen(src, n - 1);
	memcpy(dst, src, k);
	dst[k] = '\0';
}

/*
 * The findings of a service, a host, a pair or the whole capture are
 * decided and worded by one function each, run in one of two modes:
 * collecting (add() appends each finding; no sentence is written) or
 * wording one finding (add() answers for that one only, and its sentence
 * goes to `text`). A finding keeps where it came from (src, and nth: the
 * how-manieth add() of its function's run) instead of a sentence: there
 * can be one per host, and only those a writer prints are worded. The
 * decisions read only the counts, so both runs make the same add() calls.
 */
struct emit {
	struct tc_agg *a;              /* collecting: where findings go */
	const struct tc_agg *ca;       /* the counts, in both modes */
	const struct tc_finding *want; /* wording: the finding asked for */
	char *text;                    /* wording: its sentence; NULL while collecting */
	struct tc_finding one;         /* wording: what add() answers */
	uint32_t src;                  /* what the function runs for (by scope) */
	uint8_t nth;                   /* add() calls so far in this run */
};

static struct tc_finding *add(struct emit *em, enum tc_finding_kind k, enum tc_finding_scope sc,
			      uint16_t port, uint64_t count, uint64_t of, const char *subject)
{
	struct tc_finding *f;
	struct tc_agg *a = em->a;
	uint8_t nth = em->nth++;

	if (em->text) {
		if (nth != em->want->nth)
			return NULL;
		f = &em->one;
	} else {
		struct tc_finding *nf = tc_grow(a->find, &a->capfind, a->nfind + 1, sizeof(*nf), 64);
		if (!nf)
			return NULL;
		a->find = nf;
		f = &a->find[a->nfind++];
	}
	memset(f, 0, sizeof(*f));
	f->kind = k;
	f->scope = sc;
	f->port = port;
	f->count = count;
	f->of = of;
	f->severity = severity(k, count);
	f->src = em->src;
	f->nth = nth;
	copy_text(f->subject, sizeof(f->subject), subject);
	return f;
}

/* A duration an operator reads at a glance: "42 ms", "3.5 s", "350 s". */
static const char *dur(int64_t ns, char *buf, size_t n)
{
	if (ns < SEC)
		snprintf(buf, n, "%.0f ms", (double)ns / 1e6);
	else if (ns < 60 * SEC)
		snprintf(buf, n, "%.1f s", (double)ns / SEC);
	else
		snprintf(buf, n, "%.0f s", (double)ns / SEC);
	return buf;
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The sentence of f, when wording: its arguments are not even evaluated
 * while collecting. */
#define F(f, ...)                                                                   \
	((void)(f), em->text ? (void)snprintf(em->text, TC_FINDING_TEXT_MAX, __VA_ARGS__) \
			     : (void)0)

static void service_findings(struct emit *em, const struct tc_service_stats *s)
{
	struct tc_finding *f;
	char nm[64], held[32];
	uint64_t n, graceful;
	int i;
	unsigned long long conns = (unsigned long long)s->conns;

	if (em->text)
		dur(s->close_wait_longest_ns, held, sizeof(held));

	svc_name(s, nm, sizeof(nm));
	if ((n = s->by_cause_server[TC_CAUSE_ABORTIVE_CLOSE]) && (f = add(em, TC_FIND_ABORTIVE, TC_SCOPE_SERVICE, s->port, n, s->conns, nm))) {
		F(f, "server %s aborted %llu of %llu %s with RST instead of FIN%s (abortive close: SO_LINGER 0, or close() with unread data)%s",
		  nm, (unsigned long long)n, conns, plural(s->conns, "connection", "connections"),
		  s->aborts_after_exchange ? " after a normal exchange" : "",
		  s->data_lost_conns ? "; data in flight was lost" : "");
	}
	if ((n = s->keepalive_race) && (f = add(em, TC_FIND_KEEPALIVE_RACE, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)))
		F(f, "%llu %s to %s hit the keep-alive race: the server closed an idle connection as the client sent a new request, and answered it with RST (make the client's idle timeout shorter than the server's)",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	n = s->by_cause[TC_CAUSE_DATA_AFTER_CLOSE] - s->keepalive_race;
	if (n && (f = add(em, TC_FIND_DATA_AFTER_CLOSE, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)))
		F(f, "%llu %s to %s reset because one side wrote after the other had closed (\"connection reset by peer\" on the writer)",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	for (i = 0; i < 4 && s->idle_match_s[i]; i++) {
		n = s->idle_match[i];
		if (n < 2 && !(n == 1 && (s->by_cause[TC_CAUSE_NO_CONNECTION] || s->injected)))
			continue;
		if ((f = add(em, TC_FIND_IDLE_TIMEOUT, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)) &&
		    (f->variant = s->idle_match_s[i]))
			F(f, "%llu %s to %s ended after ~%u s idle: a middlebox or load-balancer idle timeout (%u s) is likely; keep-alives shorter than it, or a longer timeout, fix it",
			  (unsigned long long)n, plural(n, "connection", "connections"), nm, s->idle_match_s[i],
			  s->idle_match_s[i]);
	}
	if ((n = s->by_cause[TC_CAUSE_NO_CONNECTION]) && (f = add(em, TC_FIND_NO_CONNECTION, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)))
		F(f, "%llu %s to %s reset by a host that no longer knew them (restart, expired state or a middlebox that dropped it)",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	if ((n = s->injected) && (f = add(em, TC_FIND_INJECTED, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)))
		F(f, "%llu %s to %s ended by an RST that its claimed sender did not send (TTL, IP ID or timestamps unlike its other packets): a middlebox or an attacker",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	if ((n = s->refused) && (f = add(em, TC_FIND_REFUSED, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)))
		F(f, "%llu of %llu %s to %s refused (RST to the SYN): nothing listening, or a firewall reject",
		  (unsigned long long)n, conns, plural(s->conns, "connection", "connections"), nm);
	if ((n = s->close_wait_server) && (f = add(em, TC_FIND_CLOSE_WAIT, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)))
		F(f, "server %s left %llu %s in CLOSE_WAIT: the client closed, the application never called close() (held up to %s)",
		  nm, (unsigned long long)n, plural(n, "connection", "connections"), held);
	if ((n = s->close_wait_client) && (f = add(em, TC_FIND_CLOSE_WAIT, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)) &&
	    (f->variant = 1))
		F(f, "clients of %s left %llu %s in CLOSE_WAIT: the server closed, the client application never called close() (held up to %s)",
		  nm, (unsigned long long)n, plural(n, "connection", "connections"), held);
	graceful = s->server_closed_first + s->client_closed_first + s->simultaneous;
	if ((n = s->server_closed_first) && n * 2 > s->server_closed_first + s->client_closed_first &&
	    (f = add(em, TC_FIND_SERVER_CLOSES_FIRST, TC_SCOPE_SERVICE, s->port, n, graceful, nm)))
		F(f, "server %s closed first in %llu of %llu graceful closes, so it holds their TIME_WAIT (let clients close first, or use SO_REUSEADDR on restart)",
		  nm, (unsigned long long)n, (unsigned long long)graceful);
	/* Unanswered SYNs (Zeek's S0): worth a finding once they pile up, or
	 * when nothing to the service was ever answered. */
	if ((n = s->syn_only) && (n >= 3 || n == s->conns) &&
	    (f = add(em, TC_FIND_SYN_UNANSWERED, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)))
		F(f, "%llu of %llu %s to %s never answered (SYN only, Zeek's S0): the server is down or overloaded, or a firewall drops them",
		  (unsigned long long)n, conns, plural(s->conns, "connection attempt", "connection attempts"), nm);
	if ((n = s->by_cause[TC_CAUSE_KEEPALIVE_TIMEOUT]) && (f = add(em, TC_FIND_KEEPALIVE_TIMEOUT, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)))
		F(f, "%llu %s to %s reset after unanswered keep-alive probes: the peer vanished",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	if ((n = s->by_cause[TC_CAUSE_DEAD_PEER]) && (f = add(em, TC_FIND_DEAD_PEER, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)))
		F(f, "%llu %s to %s were left talking to a peer that vanished (retransmissions or probes unanswered)",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	if ((n = s->by_cause[TC_CAUSE_HANDSHAKE_ABORT]) && (f = add(em, TC_FIND_HANDSHAKE_ABORT, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)))
		F(f, "%llu %s to %s aborted during the handshake",
		  (unsigned long long)n, plural(n, "handshake", "handshakes"), nm);
	if ((n = s->trailing_rst) && (f = add(em, TC_FIND_TRAILING_RST, TC_SCOPE_SERVICE, s->port, n, s->conns, nm))) {
		/* Name the usual story when most of them tell it. */
		int by_client = s->trailing_rst_client * 2 >= n;
		const char *rst = by_client ? "client" : "server", *writer = by_client ? "server" : "client";
		if (s->trailing_data_after_close * 2 >= n)
			F(f, "%llu graceful %s to %s ended with a trailing RST: the %s's last data (a TLS close_notify, typically) reached the %s's closed socket -- harmless, both sides had closed",
			  (unsigned long long)n, plural(n, "close", "closes"), nm, writer, rst);
		else
			F(f, "%llu graceful %s to %s ended with a trailing RST, mostly from the %s, after both sides had sent FIN -- harmless, nobody saw \"connection reset\"",
			  (unsigned long long)n, plural(n, "close", "closes"), nm, rst);
	}
	if ((n = s->tw_reuse) && (f = add(em, TC_FIND_TW_REUSE, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)))
		F(f, "%llu %s to %s reused a 4-tuple still in TIME_WAIT (client SO_REUSEADDR bind or tcp_tw_reuse)",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	if ((n = s->nagle_stalls) && (f = add(em, TC_FIND_NAGLE, TC_SCOPE_SERVICE, s->port, n, s->conns, nm)))
		F(f, "server %s: %llu small %s waited for a delayed ACK (Nagle with delayed ACK, %.0f ms in all): TCP_NODELAY would remove it",
		  nm, (unsigned long long)n, plural(n, "write", "writes"), (double)s->nagle_stall_ms);
}

static void host_findings(struct emit *em, const struct tc_host_stats *h, const struct tc_host_opts *o)
{
	struct tc_finding *f;
	char nm[TC_ADDRSTRLEN];
	/* Most hosts have nothing to say: no name formatted for them (this
	 * runs for every host when the findings are collected). */
	if (!o->aborts && !o->nagle_stalls)
		return;
	host_name(h, nm);
	if (o->aborts && (f = add(em, TC_FIND_ABORTIVE, TC_SCOPE_CLIENT, 0, o->aborts, h->as_client, nm)))
		F(f, "client %s aborted %llu of %llu %s with RST instead of FIN (SO_LINGER 0, or close() with unread data)",
		  nm, (unsigned long long)o->aborts, (unsigned long long)h->as_client,
		  plural(h->as_client, "connection", "connections"));
	if (o->nagle_stalls && (f = add(em, TC_FIND_NAGLE, TC_SCOPE_CLIENT, 0, o->nagle_stalls, h->as_client, nm)))
		F(f, "client %s: %llu small %s waited for a delayed ACK (Nagle with delayed ACK, %.0f ms in all): TCP_NODELAY would remove it",
		  nm, (unsigned long long)o->nagle_stalls, plural(o->nagle_stalls, "write", "writes"),
		  (double)o->nagle_stall_ms);
}

static void pair_findings(struct emit *em, const struct tc_pair_stats *p)
{
	struct tc_finding *f;
	char hn[TC_ADDRSTRLEN], sn[64], subj[140];
	double pct = 100.0 * p->tw_peak / em->ca->o.ephemeral_ports;
	/* Worth saying once it is a visible share of the port range. */
	if (p->tw_peak < 100 && pct < 1.0)
		return;
	host_name(&em->ca->hosts[p->client], hn);
	svc_name(&em->ca->svcs[p->service], sn, sizeof(sn));
	snprintf(subj, sizeof(subj), "%s -> %s", hn, sn);
	f = add(em, TC_FIND_TIME_WAIT_PORTS, TC_SCOPE_PAIR, em->ca->svcs[p->service].port, p->tw_peak,
		em->ca->o.ephemeral_ports, subj);
	if (!f)
		return;
	f->severity = tier[TC_FIND_TIME_WAIT_PORTS] * 1000 +
		      weight[TC_FIND_TIME_WAIT_PORTS] * (1 + (int)(pct / 5));
	F(f, "client %s held up to %u TIME_WAIT sockets toward %s (%.1f%% of its %u ephemeral ports)%s",
	  hn, p->tw_peak, sn, pct, em->ca->o.ephemeral_ports,
	  pct >= 50 ? ": new connections will fail with EADDRNOTAVAIL; reuse connections (keep-alive/pooling)" : "");
}

static int by_severity(const void *x, const void *y)
{
	const struct tc_finding *a = x, *b = y;
	if (a->severity != b->severity)
		return b->severity - a->severity;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	return strcmp(a->subject, b->subject);
}

/*
 * Capture loss large enough to matter: the
 * capture, not the network, may have made some of the other findings, and
 * the verdicts that rest on inferred segments are named so. It ranks at the
 * top of tier 2, below the findings about what the applications saw: those
 * stay the operator's first question, this one says how far to trust them.
 */
static int capture_loss_matters(uint64_t inferred, uint64_t conns, uint64_t missed,
				uint64_t payload)
{
	if (missed && missed * 1000 >= TC_CAPTURE_LOSS_MIN_PERMILLE * (missed + payload))
		return 1;
	return inferred && inferred * 100 >= TC_CAPTURE_LOSS_MIN_CONN_PCT * conns;
}

static void capture_loss_finding(struct emit *em)
{
	const struct tc_agg *a = em->ca;
	struct tc_finding *f;
	/* Touched: a hole, or a record resting on an inferred segment (a
	 * lost FIN or RST leaves no hole in the sequence numbers). The two
	 * overlap; the larger is the least the union can be. */
	uint64_t n = a->loss.conns > a->loss.inferred ? a->loss.conns : a->loss.inferred;
	uint64_t of = a->loss.reported > n ? a->loss.reported : n;
	unsigned long long inf = (unsigned long long)a->loss.inferred;
	const char *why;
	size_t off;

	if (!capture_loss_matters(a->loss.inferred, of, a->loss.bytes, a->loss.payload) ||
	    !(f = add(em, TC_FIND_CAPTURE_LOSS, TC_SCOPE_ALL, 0, n, of, "")) || !em->text)
		return;
	if (a->loss.conns)
		F(f, "The capture missed %.2f%% of bytes (%llu in %llu %s) in %llu of %llu connections",
		  100.0 * (double)a->loss.bytes / (double)(a->loss.bytes + a->loss.payload),
		  (unsigned long long)a->loss.bytes, (unsigned long long)a->loss.gaps,
		  plural(a->loss.gaps, "gap", "gaps"), (unsigned long long)a->loss.conns,
		  (unsigned long long)of);
	else
		F(f, "The capture missed segments that what followed implies (a FIN, RST, SYN or ACK) in %llu of %llu connections", inf,
		  (unsigned long long)of);
	/* Most of it one-way: the capture point sees one direction of those
	 * connections (asymmetric routing), not drops. */
	why = a->loss.one_way * 2 >= n ? "asymmetric routing at the capture point (one side's segments only)?"
				       : "kernel drops at the capture point, or a SPAN port over its capacity?";
	off = strlen(em->text);
	if (inf)
		snprintf(em->text + off, TC_FINDING_TEXT_MAX - off,
			 ": %s %llu %s on inferred segments (marked in each record)", why,
			 inf, plural(a->loss.inferred, "connection rests", "connections rest"));
	else
		snprintf(em->text + off, TC_FINDING_TEXT_MAX - off,
			 ": %s no connection rests on an inferred segment", why);
}

/* The capture's own: ignored RSTs and capture loss (scope ALL, src 0). */
static void capture_findings(struct emit *em)
{
	const struct tc_agg *a = em->ca;
	struct tc_finding *f;

	if (a->rst_ignored && (f = add(em, TC_FIND_RST_IGNORED, TC_SCOPE_ALL, 0, a->rst_ignored, 0, "")))
		F(f, "%llu %s ignored: sequence number outside the receiver's window (stale, or a blind injection attempt)",
		  (unsigned long long)a->rst_ignored, plural(a->rst_ignored, "RST", "RSTs"));
	capture_loss_finding(em);
}

/* Run the findings of one source: collecting, or wording em->want. */
static void run_source(struct emit *em, enum tc_finding_scope scope, uint32_t src)
{
	em->src = src;
	em->nth = 0;
	switch (scope) {
	case TC_SCOPE_SERVICE:
		service_findings(em, &em->ca->svcs[src]);
		break;
	case TC_SCOPE_CLIENT:
		host_findings(em, &em->ca->hosts[src], tc_agg_host_opts(em->ca, src));
		break;
	case TC_SCOPE_PAIR:
		pair_findings(em, &em->ca->pairs[src]);
		break;
	case TC_SCOPE_ALL:
		capture_findings(em);
		break;
	}
}

const struct tc_finding *tc_agg_findings(struct tc_agg *a, size_t *n)
{
	struct emit em;
	uint32_t i;

	if (a->find_fresh) {
		*n = a->nfind;
		return a->find;
	}
	memset(&em, 0, sizeof(em));
	em.a = a;
	em.ca = a;
	a->nfind = 0;
	for (i = 0; i < a->stab.n; i++)
		run_source(&em, TC_SCOPE_SERVICE, i);
	for (i = 0; i < a->htab.n; i++)
		run_source(&em, TC_SCOPE_CLIENT, i);
	for (i = 0; i < a->ptab.n; i++)
		run_source(&em, TC_SCOPE_PAIR, i);
	run_source(&em, TC_SCOPE_ALL, 0);
	if (a->nfind) /* qsort(NULL, 0, ...) is undefined */
		qsort(a->find, a->nfind, sizeof(*a->find), by_severity);
	for (i = 0; i < a->nfind; i++) /* groups keep it: members name their record */
		a->find[i].rank = (uint32_t)(i + 1);
	a->find_fresh = 1;
	*n = a->nfind;
	return a->find;
}

const char *tc_agg_finding_text(const struct tc_agg *a, const struct tc_finding *f, char *buf)
{
	struct emit em;
	size_t n = f->scope == TC_SCOPE_SERVICE  ? a->stab.n
		   : f->scope == TC_SCOPE_CLIENT ? a->htab.n
		   : f->scope == TC_SCOPE_PAIR   ? a->ptab.n
						 : 1;

	buf[0] = '\0';
	if (f->src >= n)
		return buf;
	memset(&em, 0, sizeof(em));
	em.ca = a;
	em.want = f;
	em.text = buf;
	run_source(&em, f->scope, f->src);
	return buf;
}

/* ---- groups ------------------------------------------------------------ */

/*
 * The group key: kind and scope, and for CLOSE_WAIT which side leaked
 * (the sentences differ in words). Not the port and not the idle time
 * matched: findings that differ only in numbers and addresses are one
 * finding, which names the ports and the times.
 */
static uint32_t group_variant(const struct tc_finding *f)
{
	return f->kind == TC_FIND_CLOSE_WAIT ? f->variant : 0;
}

static int same_group(const struct tc_finding *x, const struct tc_finding *y)
{
	return x->kind == y->kind && x->scope == y->scope &&
	       group_variant(x) == group_variant(y) && x->scope != TC_SCOPE_ALL;
}

/* Group key first, then the worst offender first within a group. */
static int by_group(const void *x, const void *y)
{
	const struct tc_finding *a = *(const struct tc_finding *const *)x;
	const struct tc_finding *b = *(const struct tc_finding *const *)y;
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	if (a->scope != b->scope)
		return (int)a->scope - (int)b->scope;
	if (group_variant(a) != group_variant(b))
		return group_variant(a) < group_variant(b) ? -1 : 1;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return strcmp(a->subject, b->subject);
}

static int by_harm(const void *x, const void *y)
{
	const struct tc_finding_group *a = x, *b = y;
	if (a->severity != b->severity)
		return b->severity - a->severity;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return a->variant < b->variant ? -1 : a->variant > b->variant;
}

#define GROUP_OFFENDERS 3
#define GROUP_VALUES 64

/* Distinct values (ports, idle seconds) of a group's members, the one with
 * the most connections first. */
struct values {
	uint32_t v[GROUP_VALUES];
	uint64_t count[GROUP_VALUES];
	size_t n;
	size_t more; /* distinct values past GROUP_VALUES */
};

static void values_of(const struct tc_finding *const *m, size_t n, int idle, struct values *out)
{
	size_t i, j;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		uint32_t v = idle ? m[i]->variant : m[i]->port;
		for (j = 0; j < out->n && out->v[j] != v; j++)
			;
		if (j == out->n) {
			if (out->n == GROUP_VALUES) {
				out->more++;
				continue;
			}
			out->v[out->n++] = v;
		}
		out->count[j] += m[i]->count;
	}
	for (i = 1; i < out->n; i++) /* insertion sort: at most 64 */
		for (j = i; j > 0 && (out->count[j] > out->count[j - 1] ||
				      (out->count[j] == out->count[j - 1] && out->v[j] < out->v[j - 1]));
		     j--) {
			uint32_t tv = out->v[j];
			uint64_t tc = out->count[j];
			out->v[j] = out->v[j - 1];
			out->count[j] = out->count[j - 1];
			out->v[j - 1] = tv;
			out->count[j - 1] = tc;
		}
}

/* ":443", ":443 and :80", ":443, :80, :22 and 5 more ports" */
static void values_str(const struct values *vs, const char *pre, const char *post, char *buf,
		       size_t len)
{
	size_t i, off = 0, shown = vs->n < 3 ? vs->n : 3, rest = vs->n + vs->more - shown;
	buf[0] = '\0';
	for (i = 0; i < shown && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s%u%s",
					i == 0 ? "" : (i + 1 == shown && !rest) ? " and "
										: ", ",
					pre,
					(unsigned)vs->v[i], post);
	if (rest && off < len)
		snprintf(buf + off, len - off, " and %zu more", rest);
}

/* "8-12%", or "10%" when they all agree: the spread of count/of. */
static void pct_range(const struct tc_finding *const *m, size_t n, char *buf, size_t len)
{
	double lo = 101, hi = -1;
	size_t i;
	for (i = 0; i < n; i++) {
		double p;
		if (!m[i]->of)
			continue;
		p = 100.0 * (double)m[i]->count / (double)m[i]->of;
		lo = p < lo ? p : lo;
		hi = p > hi ? p : hi;
	}
	if (hi < 0)
		snprintf(buf, len, "some");
	else if ((int)(lo + 0.5) == (int)(hi + 0.5))
		snprintf(buf, len, "%.0f%%", lo);
	else
		snprintf(buf, len, "%.0f-%.0f%%", lo, hi);
}

static void group_text(const struct tc_agg *a, struct tc_finding_group *g,
		       const struct tc_finding *const *m)
{
	char *t = g->text, who[128], pct[32], ports[96], idles[96];
	struct values pv, iv;
	size_t len = sizeof(g->text), off, i;
	unsigned long long c = (unsigned long long)g->count, of = (unsigned long long)g->of;
	size_t n = g->n;

	if (n == 1) {
		char one[TC_FINDING_TEXT_MAX];
		snprintf(t, len, "%s", tc_agg_finding_text(a, m[0], one));
		return;
	}
	pct_range(m, n, pct, sizeof(pct));
	values_of(m, n, 0, &pv);
	values_str(&pv, ":", "", ports, sizeof(ports));
	values_of(m, n, 1, &iv);
	values_str(&iv, "~", " s", idles, sizeof(idles));
	if (g->scope == TC_SCOPE_CLIENT)
		snprintf(who, sizeof(who), "%zu clients", n);
	else
		snprintf(who, sizeof(who), "%zu servers on %s", n, ports);
	switch (g->kind) {
	case TC_FIND_ABORTIVE:
		snprintf(t, len, "%s abort %s of their connections with RST instead of FIN (abortive close: SO_LINGER 0, or close() with unread data), %llu of %llu in all",
			 who, pct, c, of);
		break;
	case TC_FIND_KEEPALIVE_RACE:
		snprintf(t, len, "%llu connections to %s hit the keep-alive race: the server closed an idle connection as the client sent a new request, and answered it with RST (make the client's idle timeout shorter than the server's)",
			 c, who);
		break;
	case TC_FIND_DATA_AFTER_CLOSE:
		snprintf(t, len, "%llu connections to %s reset because one side wrote after the other had closed (\"connection reset by peer\" on the writer)",
			 c, who);
		break;
	case TC_FIND_IDLE_TIMEOUT:
		snprintf(t, len, "%llu connections to %s ended after %s idle: a middlebox or load-balancer idle timeout is likely; keep-alives shorter than it, or a longer timeout, fix it",
			 c, who, idles);
		break;
	case TC_FIND_NO_CONNECTION:
		snprintf(t, len, "%llu connections to %s reset by a host that no longer knew them (restart, expired state or a middlebox that dropped it)",
			 c, who);
		break;
	case TC_FIND_INJECTED:
		snprintf(t, len, "%llu connections to %s ended by an RST that its claimed sender did not send: a middlebox or an attacker",
			 c, who);
		break;
	case TC_FIND_REFUSED:
		snprintf(t, len, "%s refused %s of their connections (RST to the SYN: nothing listening, or a firewall reject), %llu of %llu in all",
			 who, pct, c, of);
		break;
	case TC_FIND_CLOSE_WAIT:
		if (g->variant)
			snprintf(t, len, "clients of %s left %llu connections in CLOSE_WAIT: the server closed, the client application never called close()",
				 who, c);
		else
			snprintf(t, len, "%s left %llu connections in CLOSE_WAIT: the client closed, the application never called close()",
				 who, c);
		break;
	case TC_FIND_TIME_WAIT_PORTS:
		snprintf(t, len, "%zu clients held many TIME_WAIT sockets toward servers on %s (up to %llu at once, of %llu ephemeral ports each): reuse connections (keep-alive/pooling)",
			 n, ports, (unsigned long long)m[0]->count, (unsigned long long)m[0]->of);
		break;
	case TC_FIND_SERVER_CLOSES_FIRST:
		snprintf(t, len, "%s closed first in %s of their graceful closes (%llu of %llu), so they hold the TIME_WAIT (normal for HTTP; let clients close first if ports run short)",
			 who, pct, c, of);
		break;
	case TC_FIND_TW_REUSE:
		snprintf(t, len, "%llu connections to %s reused a 4-tuple still in TIME_WAIT (client SO_REUSEADDR bind or tcp_tw_reuse)",
			 c, who);
		break;
	case TC_FIND_KEEPALIVE_TIMEOUT:
		snprintf(t, len, "%llu connections to %s reset after unanswered keep-alive probes: the peer vanished", c, who);
		break;
	case TC_FIND_DEAD_PEER:
		snprintf(t, len, "%llu connections to %s were left talking to a peer that vanished (retransmissions or probes unanswered)",
			 c, who);
		break;
	case TC_FIND_NAGLE:
		snprintf(t, len, "%s: %llu small writes waited for a delayed ACK (Nagle with delayed ACK): TCP_NODELAY would remove it",
			 who, c);
		break;
	case TC_FIND_HANDSHAKE_ABORT:
		snprintf(t, len, "%llu handshakes to %s aborted", c, who);
		break;
	case TC_FIND_TRAILING_RST:
		snprintf(t, len, "%llu graceful closes to %s ended with a trailing RST after both sides had sent FIN: late data (a TLS close_notify, typically) reached a closed socket -- harmless, nobody saw \"connection reset\"",
			 c, who);
		break;
	case TC_FIND_SYN_UNANSWERED:
		snprintf(t, len, "%llu of %llu connection attempts to %s never answered (SYN only, Zeek's S0): the servers are down or overloaded, or a firewall drops them",
			 c, of, who);
		break;
	default:
		snprintf(t, len, "%s: %llu", who, c);
		break;
	}
	off = strlen(t);
	for (i = 0; i < n && i < GROUP_OFFENDERS && off < len; i++) {
		if (g->kind == TC_FIND_TIME_WAIT_PORTS || !m[i]->of)
			off += (size_t)snprintf(t + off, len - off, "%s%s (%llu)", i ? ", " : ": ",
						m[i]->subject, (unsigned long long)m[i]->count);
		else
			off += (size_t)snprintf(t + off, len - off, "%s%s (%llu of %llu)", i ? ", " : ": ",
						m[i]->subject, (unsigned long long)m[i]->count,
						(unsigned long long)m[i]->of);
	}
	if (n > GROUP_OFFENDERS && off < len)
		snprintf(t + off, len - off, " and %zu more", n - GROUP_OFFENDERS);
}

const struct tc_finding_group *tc_agg_groups(struct tc_agg *a, size_t *n)
{
	size_t nf, i, j, k;
	const struct tc_finding *f = tc_agg_findings(a, &nf);
	const struct tc_finding **m;

	a->ngroups = 0;
	*n = 0;
	free(a->gmem);
	a->gmem = NULL;
	if (!nf)
		return a->groups;
	/* The findings in group order, by position in `find`: a copy of
	 * each would double the report's largest allocation. */
	m = malloc(nf * sizeof(*m));
	a->gmem = malloc(nf * sizeof(*a->gmem));
	if (!m || !a->gmem) {
		free(m);
		return a->groups;
	}
	for (i = 0; i < nf; i++)
		m[i] = &f[i];
	qsort(m, nf, sizeof(*m), by_group);
	for (i = 0; i < nf; i++)
		a->gmem[i] = (uint32_t)(m[i] - f);
	for (i = 0; i < nf; i = j) {
		struct tc_finding_group *g, *ng;
		for (j = i + 1; j < nf && same_group(m[i], m[j]); j++)
			;
		if (!(ng = tc_grow(a->groups, &a->capgroups, a->ngroups + 1, sizeof(*ng), 64)))
			break;
		a->groups = ng;
		g = &a->groups[a->ngroups++];
		memset(g, 0, sizeof(*g));
		g->kind = m[i]->kind;
		g->scope = m[i]->scope;
		g->port = m[i]->port;
		g->variant = m[i]->variant;
		g->first = i;
		g->n = j - i;
		for (k = i; k < j; k++) {
			g->count += m[k]->count;
			g->of += m[k]->of;
			if (m[k]->port != g->port)
				g->port = 0;
			if (m[k]->variant != g->variant)
				g->variant = 0;
		}
		/* A peak does not add up across clients: the group's is the worst. */
		if (g->kind == TC_FIND_TIME_WAIT_PORTS) {
			g->count = m[i]->count;
			g->of = m[i]->of;
			g->severity = m[i]->severity;
		} else {
			g->severity = severity(g->kind, g->count);
		}
		group_text(a, g, &m[i]);
	}
	free(m);
	if (a->ngroups)
		qsort(a->groups, a->ngroups, sizeof(*a->groups), by_harm);
	*n = a->ngroups;
	return a->groups;
}

const struct tc_finding *tc_agg_group_member(const struct tc_agg *a, size_t i)
{
	return &a->find[a->gmem[i]];
}

size_t tc_agg_nhosts(const struct tc_agg *a) { return a->htab.n; }
const struct tc_host_stats *tc_agg_host(const struct tc_agg *a, size_t i) { return &a->hosts[i]; }

const struct tc_host_opts *tc_agg_host_opts(const struct tc_agg *a, size_t i)
{
	static const struct tc_host_opts none;
	uint32_t o = a->hosts[i].opts;
	return o ? &a->hopts[o - 1] : &none;
}
size_t tc_agg_nservices(const struct tc_agg *a) { return a->stab.n; }
const struct tc_service_stats *tc_agg_service(const struct tc_agg *a, size_t i) { return &a->svcs[i]; }
size_t tc_agg_npairs(const struct tc_agg *a) { return a->ptab.n; }
const struct tc_pair_stats *tc_agg_pair(const struct tc_agg *a, size_t i) { return &a->pairs[i]; }
uint64_t tc_agg_dropped(const struct tc_agg *a) { return a->dropped; }
uint32_t tc_agg_ephemeral_ports(const struct tc_agg *a) { return a->o.ephemeral_ports; }
