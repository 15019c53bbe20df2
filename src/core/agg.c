/*
 * agg.c -- per-host and per-service accounting and ranked findings (agg.h).
 *
 * Three keyed tables (hosts, services, client->service pairs), each an open
 * addressing index over a growable array of stats, capped at max_keys: a
 * capture with a million spoofed sources must not make the report grow
 * without bound; what no longer fits is counted in `dropped`.
 *
 * TIME_WAIT over time: each TIME_WAIT socket becomes an expiry in a binary
 * min-heap; before counting a new one, every socket whose TIME_WAIT ended
 * by then is taken off its host's and pair's current count. Peaks are
 * taken after each increment.
 */
#include "tcpclose/agg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define SEC 1000000000LL
#define NONE UINT32_MAX

const uint32_t tc_idle_bucket_s[TC_IDLE_BUCKETS - 1] = {1, 10, 60, 120, 300, 600, 1800, 3600};

/* ---- index: key bytes -> array position ---------------------------------- */

struct index {
	uint64_t *slot;           /* hash << 32 | (position + 1); 0 = empty */
	size_t cap;               /* power of two */
	size_t n;
};

/*
 * Keyed by a per-run seed, word at a time: the keys come from the capture,
 * and a fixed hash would let a crafted one put every host in one probe run.
 * (A slot is empty when all zero; a used one always has position + 1 > 0
 * in its lower half, whatever its hash.)
 */
static uint32_t hash_key(uint64_t seed, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = seed ^ n;
	while (n) {
		uint64_t v = 0;
		size_t k = n < 8 ? n : 8;
		memcpy(&v, b, k);
		h = tc_mix64(h, v);
		b += k;
		n -= k;
	}
	return (uint32_t)(h >> 32);
}

struct tc_agg {
	struct tc_agg_opts o;
	struct tc_host_stats *hosts;
	size_t nhosts, caphosts;
	struct index hidx;
	struct tc_service_stats *svcs;
	size_t nsvcs, capsvcs;
	struct index sidx;
	struct tc_pair_stats *pairs;
	size_t npairs, cappairs;
	struct index pidx;
	struct tw {
		int64_t expiry;
		uint32_t host, pair;
	} *heap;
	size_t nheap, capheap;
	int64_t clock;
	uint64_t dropped;
	uint64_t rst_ignored;
	struct tc_finding *find;
	size_t nfind, capfind;
};

/* Keys as stored, for comparison and hashing. */
struct host_key { uint8_t af; uint8_t addr[16]; };
struct svc_key { uint8_t af; uint8_t addr[16]; uint16_t port; };
struct pair_key { uint32_t client, service; };

static void host_key_of(const struct tc_agg *a, size_t i, void *k)
{
	struct host_key *hk = k;
	memset(hk, 0, sizeof(*hk));
	hk->af = a->hosts[i].af;
	memcpy(hk->addr, a->hosts[i].addr, 16);
}

static void svc_key_of(const struct tc_agg *a, size_t i, void *k)
{
	struct svc_key *sk = k;
	memset(sk, 0, sizeof(*sk));
	sk->af = a->svcs[i].af;
	memcpy(sk->addr, a->svcs[i].addr, 16);
	sk->port = a->svcs[i].port;
}

static void pair_key_of(const struct tc_agg *a, size_t i, void *k)
{
	struct pair_key *pk = k;
	pk->client = a->pairs[i].client;
	pk->service = a->pairs[i].service;
}

typedef void (*key_of_fn)(const struct tc_agg *a, size_t i, void *k);

static int index_grow(struct index *ix)
{
	size_t cap = ix->cap ? ix->cap * 2 : 256, i;
	uint64_t *slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return -1;
	for (i = 0; i < ix->cap; i++) {
		size_t j;
		if (!ix->slot[i])
			continue;
		j = (ix->slot[i] >> 32) & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = ix->slot[i];
	}
	free(ix->slot);
	ix->slot = slot;
	ix->cap = cap;
	return 0;
}

/* Position of `key` (hashed to h), or NONE; with *slot_out the empty slot to insert at. */
static uint32_t index_find(const struct tc_agg *a, const struct index *ix, key_of_fn key_of,
			   const void *key, size_t ksize, uint32_t h, size_t *slot_out)
{
	uint8_t k[32];
	size_t j;
	if (!ix->cap)
		return NONE;
	j = h & (ix->cap - 1);
	for (; ix->slot[j]; j = (j + 1) & (ix->cap - 1)) {
		uint32_t pos = (uint32_t)ix->slot[j] - 1;
		/* The stored hash spares reading the entry of every candidate. */
		if ((uint32_t)(ix->slot[j] >> 32) != h)
			continue;
		key_of(a, pos, k);
		if (memcmp(k, key, ksize) == 0)
			return pos;
	}
	*slot_out = j;
	return NONE;
}

static int grow_array(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t nc;
	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	p = realloc(*arr, nc * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

/* Find or add; NONE when the table is at its cap or memory ran out. */
static uint32_t lookup(struct tc_agg *a, struct index *ix, key_of_fn key_of, const void *key,
		       size_t ksize, void **arr, size_t *n, size_t *cap, size_t elem)
{
	size_t slot = 0;
	uint32_t h = hash_key(a->o.hash_seed, key, ksize);
	uint32_t pos = index_find(a, ix, key_of, key, ksize, h, &slot);
	if (pos != NONE)
		return pos;
	if (*n >= a->o.max_keys) {
		a->dropped++;
		return NONE;
	}
	if ((ix->n + 1) * 2 > ix->cap) {
		if (index_grow(ix) != 0)
			return NONE;
		(void)index_find(a, ix, key_of, key, ksize, h, &slot);
	}
	if (grow_array(arr, cap, *n, elem) != 0)
		return NONE;
	memset((uint8_t *)*arr + *n * elem, 0, elem);
	ix->slot[slot] = (uint64_t)h << 32 | (uint32_t)(*n + 1);
	ix->n++;
	return (uint32_t)(*n)++;
}

static uint32_t host_of(struct tc_agg *a, int af, const uint8_t *addr)
{
	struct host_key k;
	uint32_t i;
	memset(&k, 0, sizeof(k));
	k.af = (uint8_t)af;
	memcpy(k.addr, addr, 16);
	i = lookup(a, &a->hidx, host_key_of, &k, sizeof(k), (void **)&a->hosts, &a->nhosts,
		   &a->caphosts, sizeof(*a->hosts));
	if (i != NONE && a->hosts[i].af == 0) {
		a->hosts[i].af = (uint8_t)af;
		memcpy(a->hosts[i].addr, addr, 16);
	}
	return i;
}

static uint32_t service_of(struct tc_agg *a, int af, const uint8_t *addr, uint16_t port)
{
	struct svc_key k;
	uint32_t i;
	memset(&k, 0, sizeof(k));
	k.af = (uint8_t)af;
	memcpy(k.addr, addr, 16);
	k.port = port;
	i = lookup(a, &a->sidx, svc_key_of, &k, sizeof(k), (void **)&a->svcs, &a->nsvcs,
		   &a->capsvcs, sizeof(*a->svcs));
	if (i != NONE && a->svcs[i].af == 0) {
		a->svcs[i].af = (uint8_t)af;
		memcpy(a->svcs[i].addr, addr, 16);
		a->svcs[i].port = port;
	}
	return i;
}

static uint32_t pair_of(struct tc_agg *a, uint32_t client, uint32_t service)
{
	struct pair_key k = {client, service};
	uint32_t i;
	if (client == NONE || service == NONE)
		return NONE;
	i = lookup(a, &a->pidx, pair_key_of, &k, sizeof(k), (void **)&a->pairs, &a->npairs,
		   &a->cappairs, sizeof(*a->pairs));
	if (i != NONE) {
		a->pairs[i].client = client;
		a->pairs[i].service = service;
	}
	return i;
}

/* ---- TIME_WAIT over capture time -------------------------------------- */

static void heap_swap(struct tw *h, size_t i, size_t j)
{
	struct tw t = h[i];
	h[i] = h[j];
	h[j] = t;
}

static void tw_expire(struct tc_agg *a, int64_t now)
{
	while (a->nheap && a->heap[0].expiry <= now) {
		struct tw top = a->heap[0];
		size_t i = 0;
		if (top.host != NONE && a->hosts[top.host].tw_now)
			a->hosts[top.host].tw_now--;
		if (top.pair != NONE && a->pairs[top.pair].tw_now)
			a->pairs[top.pair].tw_now--;
		a->heap[0] = a->heap[--a->nheap];
		for (;;) {
			size_t l = 2 * i + 1, r = l + 1, m = i;
			if (l < a->nheap && a->heap[l].expiry < a->heap[m].expiry)
				m = l;
			if (r < a->nheap && a->heap[r].expiry < a->heap[m].expiry)
				m = r;
			if (m == i)
				break;
			heap_swap(a->heap, i, m);
			i = m;
		}
	}
}

static void tw_add(struct tc_agg *a, uint32_t host, uint32_t pair, int64_t start)
{
	size_t i;
	if (start > a->clock) {
		a->clock = start;
		tw_expire(a, start);
	}
	if (grow_array((void **)&a->heap, &a->capheap, a->nheap, sizeof(*a->heap)) != 0)
		return;
	i = a->nheap++;
	a->heap[i].expiry = start + a->o.time_wait_ns;
	a->heap[i].host = host;
	a->heap[i].pair = pair;
	while (i && a->heap[(i - 1) / 2].expiry > a->heap[i].expiry) {
		heap_swap(a->heap, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
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
		a->o.time_wait_ns = 60 * SEC;
	if (!a->o.ephemeral_ports)
		a->o.ephemeral_ports = 60999 - 32768 + 1;
	if (!a->o.max_keys)
		a->o.max_keys = 100000;
	return a;
}

void tc_agg_free(struct tc_agg *a)
{
	if (!a)
		return;
	free(a->hosts);
	free(a->hidx.slot);
	free(a->svcs);
	free(a->sidx.slot);
	free(a->pairs);
	free(a->pidx.slot);
	free(a->heap);
	free(a->find);
	free(a);
}

int64_t tc_agg_idle_before_close(const struct tc_conn *c, const struct tc_verdict *v,
				 const struct tc_diagnosis *d)
{
	int64_t last_data, fin;
	(void)d;
	if (v->close == TC_CLOSE_RESET && c->frame_rst) {
		const struct tc_rst_evidence *e = &tc_conn_ext(c)->rst;
		int64_t idle = e->answered ? e->idle_before_ns : 0;
		return idle > e->response_ns ? idle : e->response_ns;
	}
	if (v->close != TC_CLOSE_GRACEFUL && v->close != TC_CLOSE_HALF_CLOSED)
		return -1;
	fin = c->ep[TC_CLIENT].ts_fin;
	if (!fin || (c->ep[TC_SERVER].ts_fin && c->ep[TC_SERVER].ts_fin < fin))
		fin = c->ep[TC_SERVER].ts_fin;
	last_data = c->ep[0].ts_data_last > c->ep[1].ts_data_last ? c->ep[0].ts_data_last
								    : c->ep[1].ts_data_last;
	if (!last_data || last_data > fin)
		last_data = c->first_ts;
	return fin - last_data;
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

static void options_account(struct tc_agg *a, const struct tc_conn *c, int role, uint32_t host,
			    struct tc_service_stats *svc)
{
	const struct tc_endpoint *ep = &c->ep[role];
	const struct tc_ext_endpoint *xe = &tc_conn_ext(c)->ep[role];
	uint64_t *ka, *nodelay, *stalls, *stall_ms;
	uint32_t *ival;
	if (svc) {
		ka = &svc->ka_conns;
		ival = &svc->ka_interval_ms;
		nodelay = &svc->nodelay_conns;
		stalls = &svc->nagle_stalls;
		stall_ms = &svc->nagle_stall_ms;
	} else if (host != NONE) {
		struct tc_host_stats *h = &a->hosts[host];
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
	 * is never said to have both), and a connection the capture missed
	 * segments of (infer.h) adds no stalls: time across a hole is not
	 * the stack's behaviour.
	 */
	if (ep->small_unacked_max >= 2) {
		(*nodelay)++;
		*stalls = 0;
		*stall_ms = 0;
	} else if (!*nodelay && !(c->ep[0].gaps | c->ep[1].gaps | c->ep[0].acks_unseen |
				  c->ep[1].acks_unseen)) {
		*stalls += xe->nagle_stalls;
		*stall_ms += xe->nagle_stall_ms;
	}
}

void tc_agg_conn(struct tc_agg *a, const struct tc_conn *c, const struct tc_verdict *v,
		 const struct tc_diagnosis *d)
{
	const struct tc_endpoint *cl = &c->ep[TC_CLIENT], *sv = &c->ep[TC_SERVER];
	uint32_t hc = host_of(a, c->af, cl->addr);
	uint32_t hs = host_of(a, c->af, sv->addr);
	uint32_t si = service_of(a, c->af, sv->addr, sv->port);
	uint32_t pi = pair_of(a, hc, si);
	struct tc_service_stats *s = si != NONE ? &a->svcs[si] : NULL;

	if (hc != NONE)
		a->hosts[hc].as_client++;
	if (hs != NONE)
		a->hosts[hs].as_server++;
	if (cl->ts_time_wait)
		tw_add(a, hc, pi, cl->ts_time_wait);
	if (sv->ts_time_wait)
		tw_add(a, hs, NONE, sv->ts_time_wait);
	if ((c->cflags & TC_CONN_TW_REUSE) && hc != NONE)
		a->hosts[hc].tw_reuse++;
	if (d->cause == TC_CAUSE_ABORTIVE_CLOSE && d->by == TC_CLIENT && hc != NONE)
		a->hosts[hc].aborts++;
	options_account(a, c, TC_CLIENT, hc, NULL);
	if (!s)
		return;
	options_account(a, c, TC_SERVER, hs, s);

	s->conns++;
	s->by_close[v->close]++;
	s->by_cause[d->cause]++;
	if (d->by == TC_SERVER && v->close == TC_CLOSE_RESET)
		s->by_cause_server[d->cause]++;
	if (v->opened == TC_OPENED_REFUSED)
		s->refused++;
	if (v->close == TC_CLOSE_GRACEFUL || v->close == TC_CLOSE_HALF_CLOSED) {
		if (v->closer == TC_WHO_SERVER)
			s->server_closed_first++;
		else if (v->closer == TC_WHO_CLIENT)
			s->client_closed_first++;
		else if (v->closer == TC_WHO_BOTH)
			s->simultaneous++;
	}
	if (v->close == TC_CLOSE_HALF_CLOSED) {
		int fin_c = (cl->flags & TC_EP_FIN) != 0;
		const struct tc_endpoint *closer = fin_c ? cl : sv;
		int64_t held = c->last_ts - closer->ts_fin;
		if (fin_c)
			s->close_wait_server++;
		else
			s->close_wait_client++;
		if (held > s->close_wait_longest_ns)
			s->close_wait_longest_ns = held;
	}
	if (d->notes & TC_DX_KEEPALIVE_RACE)
		s->keepalive_race++;
	if (d->cause == TC_CAUSE_ABORTIVE_CLOSE && d->by == TC_SERVER && cl->bytes && sv->bytes)
		s->aborts_after_exchange++;
	if (d->notes & TC_DX_DATA_LOST)
		s->data_lost_conns++;
	if (c->cflags & TC_CONN_TW_REUSE)
		s->tw_reuse++;
	if (d->cause == TC_CAUSE_INJECTED)
		s->injected++;
	idle_account(s, tc_agg_idle_before_close(c, v, d));
}

void tc_agg_set_stats(struct tc_agg *a, const struct tc_stats *st)
{
	a->rst_ignored = st->rst_ignored;
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

static const int weight[TC_FIND__COUNT] = {
	[TC_FIND_INJECTED] = 9, [TC_FIND_KEEPALIVE_RACE] = 8, [TC_FIND_ABORTIVE] = 8,
	[TC_FIND_IDLE_TIMEOUT] = 8, [TC_FIND_NO_CONNECTION] = 7, [TC_FIND_DATA_AFTER_CLOSE] = 7,
	[TC_FIND_CLOSE_WAIT] = 7, [TC_FIND_TIME_WAIT_PORTS] = 6, [TC_FIND_KEEPALIVE_TIMEOUT] = 6,
	[TC_FIND_DEAD_PEER] = 6, [TC_FIND_REFUSED] = 5, [TC_FIND_SERVER_CLOSES_FIRST] = 5,
	[TC_FIND_HANDSHAKE_ABORT] = 4, [TC_FIND_TW_REUSE] = 3, [TC_FIND_NAGLE] = 3,
	[TC_FIND_RST_IGNORED] = 2,
};

static void svc_name(const struct tc_service_stats *s, char *buf, size_t n)
{
	char a[TC_ADDRSTRLEN];
	tc_addr_str(s->af, s->addr, a);
	snprintf(buf, n, s->af == 6 ? "[%s]:%u" : "%s:%u", a, s->port);
}

static void host_name(const struct tc_host_stats *h, char *buf, size_t n)
{
	char a[TC_ADDRSTRLEN];
	tc_addr_str(h->af, h->addr, a);
	snprintf(buf, n, "%s", a);
}

static struct tc_finding *add(struct tc_agg *a, enum tc_finding_kind k, uint64_t count,
			      uint64_t of, const char *subject)
{
	struct tc_finding *f;
	if (grow_array((void **)&a->find, &a->capfind, a->nfind, sizeof(*a->find)) != 0)
		return NULL;
	f = &a->find[a->nfind++];
	memset(f, 0, sizeof(*f));
	f->kind = k;
	f->count = count;
	f->of = of;
	f->severity = weight[k] * ilog2p1(count);
	snprintf(f->subject, sizeof(f->subject), "%s", subject);
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

#define F(f, ...) snprintf((f)->text, sizeof((f)->text), __VA_ARGS__)

static void service_findings(struct tc_agg *a, const struct tc_service_stats *s)
{
	struct tc_finding *f;
	char nm[64], held[32];
	uint64_t n;
	int i;
	unsigned long long conns = (unsigned long long)s->conns;

	dur(s->close_wait_longest_ns, held, sizeof(held));

	svc_name(s, nm, sizeof(nm));
	if ((n = s->by_cause_server[TC_CAUSE_ABORTIVE_CLOSE]) && (f = add(a, TC_FIND_ABORTIVE, n, s->conns, nm))) {
		F(f, "server %s aborted %llu of %llu %s with RST instead of FIN%s (abortive close: SO_LINGER 0, or close() with unread data)%s",
		  nm, (unsigned long long)n, conns, plural(s->conns, "connection", "connections"),
		  s->aborts_after_exchange ? " after a normal exchange" : "",
		  s->data_lost_conns ? "; data in flight was lost" : "");
	}
	if ((n = s->keepalive_race) && (f = add(a, TC_FIND_KEEPALIVE_RACE, n, s->conns, nm)))
		F(f, "%llu %s to %s hit the keep-alive race: the server closed an idle connection as the client sent a new request, and answered it with RST (make the client's idle timeout shorter than the server's)",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	n = s->by_cause[TC_CAUSE_DATA_AFTER_CLOSE] - s->keepalive_race;
	if (n && (f = add(a, TC_FIND_DATA_AFTER_CLOSE, n, s->conns, nm)))
		F(f, "%llu %s to %s reset because one side wrote after the other had closed (\"connection reset by peer\" on the writer)",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	for (i = 0; i < 4 && s->idle_match_s[i]; i++) {
		n = s->idle_match[i];
		if (n < 2 && !(n == 1 && (s->by_cause[TC_CAUSE_NO_CONNECTION] || s->injected)))
			continue;
		if ((f = add(a, TC_FIND_IDLE_TIMEOUT, n, s->conns, nm)))
			F(f, "%llu %s to %s ended after ~%u s idle: a middlebox or load-balancer idle timeout (%u s) is likely; keep-alives shorter than it, or a longer timeout, fix it",
			  (unsigned long long)n, plural(n, "connection", "connections"), nm, s->idle_match_s[i],
			  s->idle_match_s[i]);
	}
	if ((n = s->by_cause[TC_CAUSE_NO_CONNECTION]) && (f = add(a, TC_FIND_NO_CONNECTION, n, s->conns, nm)))
		F(f, "%llu %s to %s reset by a host that no longer knew them (restart, expired state or a middlebox that dropped it)",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	if ((n = s->injected) && (f = add(a, TC_FIND_INJECTED, n, s->conns, nm)))
		F(f, "%llu %s to %s ended by an RST that its claimed sender did not send (TTL, IP ID or timestamps unlike its other packets): a middlebox or an attacker",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	if ((n = s->refused) && (f = add(a, TC_FIND_REFUSED, n, s->conns, nm)))
		F(f, "%llu of %llu %s to %s refused (RST to the SYN): nothing listening, or a firewall reject",
		  (unsigned long long)n, conns, plural(s->conns, "connection", "connections"), nm);
	if ((n = s->close_wait_server) && (f = add(a, TC_FIND_CLOSE_WAIT, n, s->conns, nm)))
		F(f, "server %s left %llu %s in CLOSE_WAIT: the client closed, the application never called close() (held up to %s)",
		  nm, (unsigned long long)n, plural(n, "connection", "connections"), held);
	if ((n = s->close_wait_client) && (f = add(a, TC_FIND_CLOSE_WAIT, n, s->conns, nm)))
		F(f, "clients of %s left %llu %s in CLOSE_WAIT: the server closed, the client application never called close() (held up to %s)",
		  nm, (unsigned long long)n, plural(n, "connection", "connections"), held);
	if ((n = s->server_closed_first) && n * 2 > s->server_closed_first + s->client_closed_first &&
	    (f = add(a, TC_FIND_SERVER_CLOSES_FIRST, n, s->conns, nm)))
		F(f, "server %s closed first in %llu of %llu graceful closes, so it holds their TIME_WAIT (let clients close first, or use SO_REUSEADDR on restart)",
		  nm, (unsigned long long)n,
		  (unsigned long long)(s->server_closed_first + s->client_closed_first + s->simultaneous));
	if ((n = s->by_cause[TC_CAUSE_KEEPALIVE_TIMEOUT]) && (f = add(a, TC_FIND_KEEPALIVE_TIMEOUT, n, s->conns, nm)))
		F(f, "%llu %s to %s reset after unanswered keep-alive probes: the peer vanished",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	if ((n = s->by_cause[TC_CAUSE_DEAD_PEER]) && (f = add(a, TC_FIND_DEAD_PEER, n, s->conns, nm)))
		F(f, "%llu %s to %s were left talking to a peer that vanished (retransmissions or probes unanswered)",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	if ((n = s->by_cause[TC_CAUSE_HANDSHAKE_ABORT]) && (f = add(a, TC_FIND_HANDSHAKE_ABORT, n, s->conns, nm)))
		F(f, "%llu %s to %s aborted during the handshake",
		  (unsigned long long)n, plural(n, "handshake", "handshakes"), nm);
	if ((n = s->tw_reuse) && (f = add(a, TC_FIND_TW_REUSE, n, s->conns, nm)))
		F(f, "%llu %s to %s reused a 4-tuple still in TIME_WAIT (client SO_REUSEADDR bind or tcp_tw_reuse)",
		  (unsigned long long)n, plural(n, "connection", "connections"), nm);
	if ((n = s->nagle_stalls) && (f = add(a, TC_FIND_NAGLE, n, s->conns, nm)))
		F(f, "server %s: %llu small %s waited for a delayed ACK (Nagle with delayed ACK, %.0f ms in all): TCP_NODELAY would remove it",
		  nm, (unsigned long long)n, plural(n, "write", "writes"), (double)s->nagle_stall_ms);
}

static void host_findings(struct tc_agg *a, const struct tc_host_stats *h)
{
	struct tc_finding *f;
	char nm[64];
	host_name(h, nm, sizeof(nm));
	if (h->aborts && (f = add(a, TC_FIND_ABORTIVE, h->aborts, h->as_client, nm)))
		F(f, "client %s aborted %llu of %llu %s with RST instead of FIN (SO_LINGER 0, or close() with unread data)",
		  nm, (unsigned long long)h->aborts, (unsigned long long)h->as_client,
		  plural(h->as_client, "connection", "connections"));
	if (h->nagle_stalls && (f = add(a, TC_FIND_NAGLE, h->nagle_stalls, h->as_client, nm)))
		F(f, "client %s: %llu small %s waited for a delayed ACK (Nagle with delayed ACK, %.0f ms in all): TCP_NODELAY would remove it",
		  nm, (unsigned long long)h->nagle_stalls, plural(h->nagle_stalls, "write", "writes"),
		  (double)h->nagle_stall_ms);
}

static void pair_findings(struct tc_agg *a, const struct tc_pair_stats *p)
{
	struct tc_finding *f;
	char hn[64], sn[64], subj[140];
	double pct = 100.0 * p->tw_peak / a->o.ephemeral_ports;
	/* Worth saying once it is a visible share of the port range. */
	if (p->tw_peak < 100 && pct < 1.0)
		return;
	host_name(&a->hosts[p->client], hn, sizeof(hn));
	svc_name(&a->svcs[p->service], sn, sizeof(sn));
	snprintf(subj, sizeof(subj), "%s -> %s", hn, sn);
	f = add(a, TC_FIND_TIME_WAIT_PORTS, p->tw_peak, a->o.ephemeral_ports, subj);
	if (!f)
		return;
	f->severity = weight[TC_FIND_TIME_WAIT_PORTS] * (1 + (int)(pct / 5));
	F(f, "client %s held up to %u TIME_WAIT sockets toward %s (%.1f%% of its %u ephemeral ports)%s",
	  hn, p->tw_peak, sn, pct, a->o.ephemeral_ports,
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

const struct tc_finding *tc_agg_findings(struct tc_agg *a, size_t *n)
{
	size_t i;
	struct tc_finding *f;
	a->nfind = 0;
	for (i = 0; i < a->nsvcs; i++)
		service_findings(a, &a->svcs[i]);
	for (i = 0; i < a->nhosts; i++)
		host_findings(a, &a->hosts[i]);
	for (i = 0; i < a->npairs; i++)
		pair_findings(a, &a->pairs[i]);
	if (a->rst_ignored && (f = add(a, TC_FIND_RST_IGNORED, a->rst_ignored, 0, "")))
		F(f, "%llu %s ignored: sequence number outside the receiver's window (stale, or a blind injection attempt)",
		  (unsigned long long)a->rst_ignored, plural(a->rst_ignored, "RST", "RSTs"));
	if (a->nfind) /* qsort(NULL, 0, ...) is undefined */
		qsort(a->find, a->nfind, sizeof(*a->find), by_severity);
	*n = a->nfind;
	return a->find;
}

size_t tc_agg_nhosts(const struct tc_agg *a) { return a->nhosts; }
const struct tc_host_stats *tc_agg_host(const struct tc_agg *a, size_t i) { return &a->hosts[i]; }
size_t tc_agg_nservices(const struct tc_agg *a) { return a->nsvcs; }
const struct tc_service_stats *tc_agg_service(const struct tc_agg *a, size_t i) { return &a->svcs[i]; }
size_t tc_agg_npairs(const struct tc_agg *a) { return a->npairs; }
const struct tc_pair_stats *tc_agg_pair(const struct tc_agg *a, size_t i) { return &a->pairs[i]; }
uint64_t tc_agg_dropped(const struct tc_agg *a) { return a->dropped; }
uint32_t tc_agg_ephemeral_ports(const struct tc_agg *a) { return a->o.ephemeral_ports; }
