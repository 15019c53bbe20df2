/*
 * flow.c -- connection table (see flow.h for what it promises).
 *
 * Buckets double when the load factor reaches 1, rehashing all at once:
 * simple, and amortized O(1). Entries are carved from slabs of SLAB_ENTRIES
 * and recycled through a free list threaded on hnext.
 */
#include "tcpclose/flow.h"

#include <stdlib.h>
#include <string.h>

#define INITIAL_BUCKETS 1024u
#define SLAB_ENTRIES 1024u

struct slab {
	struct slab *next;
	struct tc_flow e[SLAB_ENTRIES];
};

struct tc_flowtab {
	struct tc_flow **b;
	size_t nb;                /* power of two */
	size_t count;
	struct tc_flow *free;
	struct slab *slabs;
	size_t nslabs;
	uint64_t seed;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	/* One round of a multiply-xorshift mixer (the finalizer of
	 * splitmix64): every input bit reaches every output bit. */
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h;
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static uint64_t hash_end(uint64_t h, const uint8_t *a, uint16_t port)
{
	h = mix(h, load64(a));
	h = mix(h, load64(a + 8) ^ ((uint64_t)port << 48));
	return h;
}

/* Direction-independent: the smaller (addr, port) is hashed first. */
static uint32_t hash_tuple(uint64_t seed, int af, const uint8_t *a, uint16_t pa,
			   const uint8_t *b, uint16_t pb)
{
	int r = memcmp(a, b, 16);
	uint64_t h = seed ^ (uint64_t)af;
	if (r > 0 || (r == 0 && pa > pb)) {
		const uint8_t *t = a;
		uint16_t tp = pa;
		a = b;
		pa = pb;
		b = t;
		pb = tp;
	}
	h = hash_end(h, a, pa);
	h = hash_end(h, b, pb);
	/* The high half: every input bit reaches it. (h ^ h >> 32 would undo
	 * the mixer's last shift and leave the low bits blind to the last
	 * port, putting one client's connections to one server in a bucket.) */
	return (uint32_t)(h >> 32);
}

struct tc_flowtab *tc_flowtab_new(uint64_t seed)
{
	struct tc_flowtab *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->nb = INITIAL_BUCKETS;
	t->b = calloc(t->nb, sizeof(*t->b));
	if (!t->b) {
		free(t);
		return NULL;
	}
	t->seed = seed;
	return t;
}

void tc_flowtab_free(struct tc_flowtab *t)
{
	struct slab *s, *n;
	if (!t)
		return;
	for (s = t->slabs; s; s = n) {
		n = s->next;
		free(s);
	}
	free(t->b);
	free(t);
}

struct tc_flow *tc_flowtab_find(const struct tc_flowtab *t, const struct tc_pkt *p,
				enum tc_role *from)
{
	uint32_t h = hash_tuple(t->seed, p->af, p->src, p->sport, p->dst, p->dport);
	struct tc_flow *f;

	for (f = t->b[h & (t->nb - 1)]; f; f = f->hnext) {
		const struct tc_conn *c = &f->conn;
		if (f->hash != h || c->af != p->af)
			continue;
		if (c->ep[0].port == p->sport && c->ep[1].port == p->dport &&
		    !memcmp(c->ep[0].addr, p->src, 16) && !memcmp(c->ep[1].addr, p->dst, 16)) {
			*from = TC_CLIENT;
			return f;
		}
		if (c->ep[1].port == p->sport && c->ep[0].port == p->dport &&
		    !memcmp(c->ep[1].addr, p->src, 16) && !memcmp(c->ep[0].addr, p->dst, 16)) {
			*from = TC_SERVER;
			return f;
		}
	}
	return NULL;
}

static int grow(struct tc_flowtab *t)
{
	size_t nb = t->nb * 2, i;
	struct tc_flow **b = calloc(nb, sizeof(*b));
	if (!b)
		return -1; /* keep the old buckets: longer chains, still correct */
	for (i = 0; i < t->nb; i++) {
		struct tc_flow *f = t->b[i], *n;
		for (; f; f = n) {
			n = f->hnext;
			f->hnext = b[f->hash & (nb - 1)];
			b[f->hash & (nb - 1)] = f;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
	return 0;
}

static struct tc_flow *alloc_entry(struct tc_flowtab *t)
{
	struct tc_flow *f;
	if (!t->free) {
		struct slab *s = malloc(sizeof(*s));
		size_t i;
		if (!s)
			return NULL;
		s->next = t->slabs;
		t->slabs = s;
		t->nslabs++;
		for (i = SLAB_ENTRIES; i-- > 0;) {
			s->e[i].hnext = t->free;
			t->free = &s->e[i];
		}
	}
	f = t->free;
	t->free = f->hnext;
	memset(f, 0, sizeof(*f));
	return f;
}

struct tc_flow *tc_flowtab_add(struct tc_flowtab *t, const struct tc_pkt *p)
{
	struct tc_flow *f;
	size_t i;

	if (t->count >= t->nb)
		(void)grow(t);
	f = alloc_entry(t);
	if (!f)
		return NULL;
	f->hash = hash_tuple(t->seed, p->af, p->src, p->sport, p->dst, p->dport);
	i = f->hash & (t->nb - 1);
	f->hnext = t->b[i];
	t->b[i] = f;
	t->count++;
	return f;
}

void tc_flowtab_del(struct tc_flowtab *t, struct tc_flow *f)
{
	struct tc_flow **pp = &t->b[f->hash & (t->nb - 1)];
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (!*pp)
		return; /* not in this table: a caller bug, but not memory corruption */
	*pp = f->hnext;
	f->hnext = t->free;
	t->free = f;
	t->count--;
}

size_t tc_flowtab_count(const struct tc_flowtab *t)
{
	return t->count;
}

size_t tc_flowtab_longest_chain(const struct tc_flowtab *t)
{
	size_t i, best = 0;
	for (i = 0; i < t->nb; i++) {
		size_t n = 0;
		const struct tc_flow *f;
		for (f = t->b[i]; f; f = f->hnext)
			n++;
		if (n > best)
			best = n;
	}
	return best;
}

size_t tc_flowtab_memory(const struct tc_flowtab *t)
{
	return t->nslabs * sizeof(struct slab) + t->nb * sizeof(*t->b) + sizeof(*t);
}

void tc_flowtab_foreach(const struct tc_flowtab *t,
			void (*fn)(struct tc_flow *f, void *arg), void *arg)
{
	size_t i;
	for (i = 0; i < t->nb; i++) {
		struct tc_flow *f = t->b[i], *n;
		for (; f; f = n) {
			n = f->hnext; /* fn may delete f */
			fn(f, arg);
		}
	}
}
