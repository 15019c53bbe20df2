/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui_model.c -- the view model of the live view (see tui_model.h).
 *
 * No curses, no libpcap, no clock: everything arrives as arguments, so the
 * sort orders, filters, counters and expiry are unit-tested alone.
 */
#include "tui_model.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpclose/classify.h"
#include "tcpclose/diag.h"
#include "tcpclose/grow.h"

#define TW_WINDOW 60 /* buckets per TIME_WAIT period (< TCM_TW_BUCKETS) */

/* TIME_WAIT entries per interval over the last TCM_TW_BUCKETS intervals:
 * cnt[slot_of(b)] holds interval b for b in (last - TCM_TW_BUCKETS, last]. */
struct twring {
	int64_t last; /* newest interval written; INT64_MIN none */
	uint32_t cnt[TCM_TW_BUCKETS];
};

struct twhost {
	uint8_t af;
	uint8_t addr[16];
	struct twring ring;          /* finished connections in TIME_WAIT */
	uint32_t tracked;            /* TIME_WAIT endpoints of tracked conns */
	uint32_t now, peak;
	uint64_t total; /* TIME_WAIT endpoints ever counted */
};

/* Connections counted at their close and not yet reported by the engine:
 * id -> the verdict they were counted with. Open addressing, linear
 * probing, key 0 free (connection ids start at 1). */
struct idset {
	uint64_t *key;
	uint8_t *close, *refused;
	size_t cap, n; /* cap: a power of two, or 0 */
};

struct sample {
	int64_t t;
	uint64_t frames, graceful, half_closed, reset, refused;
};

struct tcm_model {
	struct tcm_opts o;
	int64_t bucket_ns;

	struct tcm_row *fin; /* ring of finished rows, fin_alloc slots */
	uint32_t fin_alloc, fin_head, fin_n, fin_dead;
	uint64_t fin_aged, fin_dropped;
	size_t rows_alloc; /* snap.rows slots */

	struct tcm_event feed[TCM_FEED_MAX];
	uint32_t feed_head, feed_n;  /* head: next slot to write */

	struct twhost *hosts; /* nhosts of them, hosts_alloc slots */
	size_t nhosts, hosts_alloc;
	uint32_t *hidx; /* hash of hosts: index + 1, 0 free */
	size_t hidx_cap;
	uint64_t hosts_dropped;
	size_t tw_alloc;     /* snap.tw slots */
	struct twring gring; /* all hosts */

	struct idset closing; /* counted at close, not yet reported */
	uint64_t pend_close[TC_CLOSE__COUNT], pend_refused;

	struct sample samples[TCM_SAMPLES];
	uint32_t s_head, s_n;

	int ended;
	uint64_t end_state[TC_STATE__COUNT];

	enum tcm_sort sort;
	struct tcm_filter filter;

	int64_t now;
	uint64_t st_count[TC_STATE__COUNT];
	int heaped;

	struct tcm_snap snap;
};

/* ---- words and formatting ------------------------------------------- */

const char *tcm_sort_name(enum tcm_sort s)
{
	static const char *const n[TCM_SORT__COUNT] = {"idle", "age", "state", "bytes", "resets"};
	return (unsigned)s < TCM_SORT__COUNT ? n[s] : "?";
}

const char *tcm_filter_name(const struct tcm_filter *f, char *buf, size_t n)
{
	const char *k;
	switch (f->kind) {
	case TCM_F_STATE: k = tc_state_name((enum tc_state)f->state); break;
	case TCM_F_RESET: k = "reset"; break;
	case TCM_F_OPEN: k = "open"; break;
	case TCM_F_FINISHED: k = "finished"; break;
	default: k = "all"; break;
	}
	snprintf(buf, n, "%s", k);
	return buf;
}

char *tcm_endpoint_str(int af, const uint8_t addr[16], uint16_t port, char *buf, size_t n)
{
	char a[TC_ADDRSTRLEN];
	tc_addr_str(af, addr, a);
	if (af == 6)
		snprintf(buf, n, "[%s]:%u", a, port);
	else
		snprintf(buf, n, "%s:%u", a, port);
	return buf;
}

char *tcm_bytes_str(uint64_t b, char *buf, size_t n)
{
	static const char units[] = "KMGTPE";
	double d = (double)b;
	int u = -1;
	if (b < 1024) {
		snprintf(buf, n, "%" PRIu64, b);
		return buf;
	}
	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	if (d < 10)
		snprintf(buf, n, "%.1f%c", d, units[u]);
	else
		snprintf(buf, n, "%.0f%c", d, units[u]);
	return buf;
}

char *tcm_dur_str(int64_t ns, char *buf, size_t n)
{
	int64_t s;
	if (ns < 0)
		ns = 0;
	s = ns / 1000000000LL;
	if (ns < 10LL * 1000000000LL)
		snprintf(buf, n, "%.1fs", (double)ns / 1e9);
	else if (s < 60)
		snprintf(buf, n, "%ds", (int)s);
	else if (s < 3600)
		snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)(s % 60));
	else if (s < 86400)
		snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60 % 60));
	else
		snprintf(buf, n, "%dd%02dh", (int)(s / 86400), (int)(s / 3600 % 24));
	return buf;
}

static const char *who_word(int w)
{
	const char *s = tc_who_name((enum tc_who)w);
	return s ? s : "?";
}

static const char *other_word(int w)
{
	return w == TC_WHO_CLIENT ? "server" : w == TC_WHO_SERVER ? "client" : "?";
}

const char *tcm_row_mark(const struct tcm_row *r, char *buf, size_t n)
{
	char m = ' ';

	if (r->finished)
		m = r->v.close == TC_CLOSE_RESET ? 'R' : 'x';
	snprintf(buf, n, "%c%c", m, r->c.inferred ? '?' : ' ');
	return buf;
}

const char *tcm_row_capture(const struct tcm_row *r, char *buf, size_t n)
{
	const struct tc_conn *c = &r->c;
	const struct tc_conn_ext *x = tcm_row_ext(r);
	size_t off = 0;
	unsigned i;
	int first = 1;

#define ADD(...)                                                                  \
	do {                                                                      \
		if (off < n)                                                      \
			off += (size_t)snprintf(buf + off, n - off, __VA_ARGS__); \
	} while (0)
	if (!n)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < TC_INF__COUNT; i++) {
		if (!(c->inferred & (1u << i)))
			continue;
		ADD("%s%s", first ? "inferred, not captured: " : ", ", tc_inferred_name(i));
		first = 0;
	}
	for (i = 0; i < 2; i++) {
		const struct tc_ext_endpoint *e = &x->ep[i];
		if (!e->gaps)
			continue;
		ADD("%smissed %" PRIu32 " bytes from the %s in %u gap%s", off ? "; " : "", e->missed,
		    i ? "server" : "client", (unsigned)e->gaps, e->gaps == 1 ? "" : "s");
	}
	if (c->one_way)
		ADD("%sonly the %s's segments captured", off ? "; " : "",
		    c->one_way == TC_ONE_WAY_CLIENT_SEEN ? "client" : "server");
#undef ADD
	return buf;
}

const char *tcm_row_last(const struct tcm_row *r, char *buf, size_t n)
{
	const struct tc_conn *c = &r->c;
	const struct tc_endpoint *e = c->ep;
	const struct tc_ep_end *en = tcm_row_end(r)->ep;
	uint64_t best = 0;
	int what = 0, side = 0, i;

	if (r->finished) {
		const struct tc_verdict *v = &r->v;
		const char *tail = (c->cflags & TC_CONN_SUPERSEDED) ? ", port reused" : "";
		switch (v->close) {
		case TC_CLOSE_RESET:
			if (v->opened == TC_OPENED_REFUSED)
				snprintf(buf, n, "refused%s", tail);
			else
				snprintf(buf, n, "reset (%s)%s", who_word(v->reset_by), tail);
			break;
		case TC_CLOSE_GRACEFUL:
			snprintf(buf, n, "graceful%s", tail);
			break;
		case TC_CLOSE_HALF_CLOSED:
			snprintf(buf, n, "half_closed%s", tail);
			break;
		default:
			snprintf(buf, n, "%s", (c->cflags & TC_CONN_EVICTED) ? "open, evicted"
					       : (c->cflags & TC_CONN_SUPERSEDED) ? "open, port reused"
					       : r->at_end ? "open at end" : "open");
			break;
		}
		return buf;
	}
	/* Tracked: the latest FIN or accepted RST by frame number. */
	for (i = 0; i < 2; i++) {
		if (en[i].frame_fin > best) {
			best = en[i].frame_fin;
			what = 1;
			side = i;
		}
		if (en[i].frame_rst >= best && en[i].frame_rst) {
			best = en[i].frame_rst;
			what = 2;
			side = i;
		}
	}
	if (what == 2)
		snprintf(buf, n, "RST by %s", side == TC_CLIENT ? "client" : "server");
	else if (what == 1)
		snprintf(buf, n, "FIN by %s%s", side == TC_CLIENT ? "client" : "server",
			 (e[side].flags & TC_EP_FIN_ACKED) ? ", acked" : "");
	else if (c->rst_ignored)
		snprintf(buf, n, "RST ignored x%" PRIu32, c->rst_ignored);
	else if (e[TC_CLIENT].state == TC_SYN_SENT && !(c->cflags & TC_CONN_SYNACK_SEEN))
		snprintf(buf, n, "SYN%s", e[TC_CLIENT].pkts > 1 ? " (retried)" : "");
	else if (e[TC_SERVER].state == TC_SYN_RECEIVED)
		snprintf(buf, n, "SYN+ACK");
	else if (tcm_row_bytes(r, TC_CLIENT) || tcm_row_bytes(r, TC_SERVER))
		snprintf(buf, n, "data from %s",
			 e[TC_SERVER].ts_data_last > e[TC_CLIENT].ts_data_last ? "server" : "client");
	else
		snprintf(buf, n, "ACK");
	return buf;
}

int tcm_event_is_reset(const struct tcm_event *ev)
{
	return ev->v.close == TC_CLOSE_RESET;
}

const char *tcm_event_text(const struct tcm_event *ev, const char *arrow, char *buf, size_t n)
{
	char a[TC_ADDRSTRLEN + 8], b[TC_ADDRSTRLEN + 8], why[96];
	const char *tag;
	const struct tc_verdict *v = &ev->v;

	tcm_endpoint_str(ev->af, ev->addr[TC_CLIENT], ev->port[TC_CLIENT], a, sizeof(a));
	tcm_endpoint_str(ev->af, ev->addr[TC_SERVER], ev->port[TC_SERVER], b, sizeof(b));
	switch (v->close) {
	case TC_CLOSE_RESET:
		if (v->opened == TC_OPENED_REFUSED) {
			tag = "REFUSED";
			snprintf(why, sizeof(why), "SYN answered by RST");
		} else {
			const char *ph = tc_phase_name((enum tc_phase)v->reset_phase);
			tag = "RESET";
			snprintf(why, sizeof(why), "by %s%s%s%s%s", who_word(v->reset_by),
				 ph ? " during " : "", ph ? ph : "",
				 ev->cause != TC_CAUSE_NONE ? ": " : "",
				 ev->cause != TC_CAUSE_NONE ? tc_cause_name((enum tc_cause)ev->cause) : "");
		}
		break;
	case TC_CLOSE_GRACEFUL:
		tag = "CLOSE";
		if (v->closer == TC_WHO_BOTH)
			snprintf(why, sizeof(why), "graceful, both closed at once");
		else
			snprintf(why, sizeof(why), "graceful, %s closed first%s", who_word(v->closer),
				 (ev->state[0] == TC_LAST_ACK || ev->state[1] == TC_LAST_ACK)
					 ? ", last ACK missing" : "");
		break;
	case TC_CLOSE_HALF_CLOSED: {
		int other = v->closer == TC_WHO_CLIENT ? TC_SERVER : TC_CLIENT;
		tag = "HALF";
		snprintf(why, sizeof(why), "%s closed, %s never did (%s)", who_word(v->closer),
			 other_word(v->closer), tc_state_name((enum tc_state)ev->state[other]));
		break;
	}
	default:
		if (ev->cflags & TC_CONN_EVICTED) {
			tag = "EVICTED";
			snprintf(why, sizeof(why), "still open, dropped at --max-conns");
		} else {
			tag = "OPEN";
			snprintf(why, sizeof(why), "still open");
		}
		break;
	}
	snprintf(buf, n, "%-7s %s %s %s  %s%s", tag, a, arrow, b, why,
		 (ev->cflags & TC_CONN_SUPERSEDED) ? " [port reused]" : "");
	return buf;
}

/* ---- filters and sort orders ---------------------------------------- */

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;
	for (; *hay; hay++) {
		for (i = 0; i < n; i++)
			if (tolower((unsigned char)hay[i]) != tolower((unsigned char)needle[i]))
				break;
		if (i == n)
			return 1;
	}
	return n == 0;
}

int tcm_row_matches(const struct tcm_filter *f, const struct tcm_row *r)
{
	const struct tc_conn *c = &r->c;
	switch (f->kind) {
	case TCM_F_STATE:
		if (c->ep[0].state != f->state && c->ep[1].state != f->state)
			return 0;
		break;
	case TCM_F_RESET:
		if (r->v.close != TC_CLOSE_RESET)
			return 0;
		break;
	case TCM_F_OPEN:
		if (r->finished)
			return 0;
		break;
	case TCM_F_FINISHED:
		if (!r->finished)
			return 0;
		break;
	default:
		break;
	}
	if (f->text[0]) {
		char a[TC_ADDRSTRLEN + 8];
		int i;
		if (all_digits(f->text) && strlen(f->text) <= 5) {
			unsigned long p = strtoul(f->text, NULL, 10);
			return c->ep[0].port == p || c->ep[1].port == p;
		}
		for (i = 0; i < 2; i++)
			if (contains_ci(tcm_endpoint_str(c->af, c->ep[i].addr, c->ep[i].port, a,
							 sizeof(a)),
					f->text))
				return 1;
		return 0;
	}
	return 1;
}

static int state_rank(int s)
{
	switch (s) {
	case TC_CLOSE_WAIT: return 0;
	case TC_LAST_ACK: return 1;
	case TC_FIN_WAIT_2: return 2;
	case TC_FIN_WAIT_1: return 3;
	case TC_CLOSING: return 4;
	case TC_SYN_RECEIVED: return 5;
	case TC_SYN_SENT: return 6;
	case TC_ESTABLISHED: return 7;
	case TC_TIME_WAIT: return 8;
	case TC_LISTEN: return 9;
	default: return 10;
	}
}

static int row_rank(const struct tcm_row *r)
{
	int a = state_rank(r->c.ep[0].state), b = state_rank(r->c.ep[1].state);
	return a < b ? a : b;
}

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

/* <0: a is shown before b. Total order (ties broken by id). */
static int row_cmp(const struct tcm_row *a, const struct tcm_row *b, enum tcm_sort s)
{
	int d = 0;
	switch (s) {
	case TCM_SORT_IDLE:
		/* The IDLE column is now - last_ts, finished rows included: the
		 * order must be the order of what it shows. */
		d = CMP(a->c.last_ts, b->c.last_ts);
		break;
	case TCM_SORT_AGE:
		d = CMP(a->c.first_ts, b->c.first_ts); /* AGE: now - first_ts */
		break;
	case TCM_SORT_STATE:
		d = CMP(row_rank(a), row_rank(b));
		if (!d)
			d = CMP(a->finished, b->finished);
		if (!d)
			d = CMP(a->c.last_ts, b->c.last_ts);
		break;
	case TCM_SORT_BYTES:
		d = -CMP(tcm_row_bytes(a, TC_CLIENT) + tcm_row_bytes(a, TC_SERVER),
			 tcm_row_bytes(b, TC_CLIENT) + tcm_row_bytes(b, TC_SERVER));
		break;
	case TCM_SORT_RESETS:
		d = CMP(a->v.close != TC_CLOSE_RESET, b->v.close != TC_CLOSE_RESET);
		if (!d)
			d = -CMP(tcm_row_end(a)->ep[0].rsts + tcm_row_end(a)->ep[1].rsts,
				 tcm_row_end(b)->ep[0].rsts + tcm_row_end(b)->ep[1].rsts);
		if (!d)
			d = -CMP(a->c.rst_ignored, b->c.rst_ignored);
		if (!d)
			d = -CMP(a->c.last_ts, b->c.last_ts);
		break;
	default:
		break;
	}
	return d ? d : CMP(a->c.id, b->c.id);
}

static enum tcm_sort qsort_key; /* the view is single-threaded */

static int qsort_cmp(const void *a, const void *b)
{
	return row_cmp(a, b, qsort_key);
}

/* Max-heap on row_cmp: the row shown last is at the root. */
static void sift_down(struct tcm_row *h, size_t n, size_t i, enum tcm_sort s)
{
	struct tcm_row tmp;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, big = i;
		if (l < n && row_cmp(&h[l], &h[big], s) > 0)
			big = l;
		if (r < n && row_cmp(&h[r], &h[big], s) > 0)
			big = r;
		if (big == i)
			return;
		tmp = h[i];
		h[i] = h[big];
		h[big] = tmp;
		i = big;
	}
}

/* Offer one row to the snapshot: filter, then keep the rows_cap first. */
static void offer(struct tcm_model *m, const struct tcm_row *r)
{
	struct tcm_snap *s = &m->snap;
	size_t cap = m->o.rows_cap;

	s->ntotal++;
	if (!tcm_row_matches(&m->filter, r))
		return;
	s->nmatch++;
	if (s->nrows < cap && s->nrows == m->rows_alloc) {
		/* Grow as rows come; out of memory, the rows held are the cap. */
		size_t n = m->rows_alloc ? 2 * m->rows_alloc : 256;
		struct tcm_row *p;
		if (n > cap)
			n = cap;
		p = realloc(s->rows, n * sizeof(*p));
		if (p) {
			s->rows = p;
			m->rows_alloc = n;
		}
	}
	if (s->nrows < cap && s->nrows < m->rows_alloc) {
		s->rows[s->nrows++] = *r;
		return;
	}
	if (!s->nrows)
		return;
	cap = s->nrows;
	if (!m->heaped) {
		size_t i = cap / 2;
		while (i-- > 0)
			sift_down(s->rows, cap, i, m->sort);
		m->heaped = 1;
	}
	if (row_cmp(r, &s->rows[0], m->sort) < 0) {
		s->rows[0] = *r;
		sift_down(s->rows, cap, 0, m->sort);
	}
}

/* ---- TIME_WAIT accounting ------------------------------------------- */

static int64_t bucket_of(const struct tcm_model *m, int64_t t)
{
	int64_t b = t / m->bucket_ns;
	if (t < 0 && t % m->bucket_ns)
		b--;
	return b;
}

static size_t slot_of(int64_t b)
{
	int64_t i = b % TCM_TW_BUCKETS;
	return (size_t)(i < 0 ? i + TCM_TW_BUCKETS : i);
}

static void ring_init(struct twring *r)
{
	r->last = INT64_MIN;
	memset(r->cnt, 0, sizeof(r->cnt));
}

static void ring_add(struct twring *r, int64_t b)
{
	if (r->last == INT64_MIN || b - r->last >= TCM_TW_BUCKETS) {
		memset(r->cnt, 0, sizeof(r->cnt));
		r->last = b;
	} else if (b > r->last) {
		while (r->last < b)
			r->cnt[slot_of(++r->last)] = 0;
	} else if (b <= r->last - TCM_TW_BUCKETS) {
		return; /* older than the ring holds: long expired */
	}
	r->cnt[slot_of(b)]++;
}

/* Entries of the intervals (now_b - TW_WINDOW, last]. */
static uint32_t ring_sum(const struct twring *r, int64_t now_b)
{
	int64_t b, lo;
	uint32_t s = 0;
	if (r->last == INT64_MIN)
		return 0;
	lo = now_b - TW_WINDOW + 1;
	if (lo < r->last - TCM_TW_BUCKETS + 1)
		lo = r->last - TCM_TW_BUCKETS + 1;
	for (b = lo; b <= r->last; b++)
		s += r->cnt[slot_of(b)];
	return s;
}

static size_t host_hash(int af, const uint8_t addr[16])
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)af;
	size_t i;
	for (i = 0; i < 16; i++) {
		h ^= addr[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

static int host_is(const struct twhost *h, int af, const uint8_t addr[16])
{
	return h->af == af && memcmp(h->addr, addr, 16) == 0;
}

static void hidx_put(struct tcm_model *m, size_t k)
{
	const struct twhost *h = &m->hosts[k];
	size_t i = host_hash(h->af, h->addr) & (m->hidx_cap - 1);
	while (m->hidx[i])
		i = (i + 1) & (m->hidx_cap - 1);
	m->hidx[i] = (uint32_t)k + 1;
}

/* Rebuild the index at `cap` slots (a power of two > nhosts). */
static int hidx_rebuild(struct tcm_model *m, size_t cap)
{
	uint32_t *p = calloc(cap, sizeof(*p));
	size_t k;
	if (!p)
		return -1;
	free(m->hidx);
	m->hidx = p;
	m->hidx_cap = cap;
	for (k = 0; k < m->nhosts; k++)
		hidx_put(m, k);
	return 0;
}

static int quiet_order(const void *a, const void *b)
{
	const struct twhost *x = a, *y = b;
	int d = CMP(x->peak, y->peak);
	return d ? d : CMP(x->total, y->total);
}

/* The host table is full: the quietest eighth (lowest peak, then fewest
 * TIME_WAIT endpoints ever) gives way at once, so the cost of making room
 * is paid once per TCM_HOSTS_MAX / 8 new hosts. */
static int hosts_make_room(struct tcm_model *m)
{
	size_t drop = m->nhosts / 8;
	qsort(m->hosts, m->nhosts, sizeof(*m->hosts), quiet_order);
	memmove(m->hosts, m->hosts + drop, (m->nhosts - drop) * sizeof(*m->hosts));
	m->nhosts -= drop;
	m->hosts_dropped += drop;
	return hidx_rebuild(m, m->hidx_cap);
}

/* The host's record, made on first use. Past TCM_HOSTS_MAX hosts the
 * quietest give way (hosts_make_room) and are counted. NULL only when out
 * of memory. */
static struct twhost *host_get(struct tcm_model *m, int af, const uint8_t addr16[16])
{
	uint8_t addr[16] = {0};
	struct twhost *h, *p;
	size_t i;

	memcpy(addr, addr16, af == 6 ? 16 : 4);
	if (m->hidx_cap) {
		for (i = host_hash(af, addr) & (m->hidx_cap - 1); m->hidx[i];
		     i = (i + 1) & (m->hidx_cap - 1))
			if (host_is(&m->hosts[m->hidx[i] - 1], af, addr))
				return &m->hosts[m->hidx[i] - 1];
	}
	if (m->nhosts >= TCM_HOSTS_MAX && hosts_make_room(m) != 0)
		return NULL;
	if (!(p = tc_grow(m->hosts, &m->hosts_alloc, m->nhosts + 1, sizeof(*p), 64)))
		return NULL;
	m->hosts = p;
	if (2 * (m->nhosts + 1) > m->hidx_cap &&
	    hidx_rebuild(m, m->hidx_cap ? 2 * m->hidx_cap : 128) != 0)
		return NULL;
	h = &m->hosts[m->nhosts];
	memset(h, 0, sizeof(*h));
	h->af = (uint8_t)af;
	memcpy(h->addr, addr, 16);
	ring_init(&h->ring);
	hidx_put(m, m->nhosts++);
	return h;
}

/* ---- closes counted when they happen ----------------------------------- */

static long idset_find(const struct idset *d, uint64_t id)
{
	size_t i;
	if (!d->cap)
		return -1;
	for (i = (size_t)(id * 0x9e3779b97f4a7c15ULL >> 17) & (d->cap - 1); d->key[i];
	     i = (i + 1) & (d->cap - 1))
		if (d->key[i] == id)
			return (long)i;
	return -1;
}

static void idset_put_at(struct idset *d, uint64_t id, uint8_t close, uint8_t refused)
{
	size_t i = (size_t)(id * 0x9e3779b97f4a7c15ULL >> 17) & (d->cap - 1);
	while (d->key[i])
		i = (i + 1) & (d->cap - 1);
	d->key[i] = id;
	d->close[i] = close;
	d->refused[i] = refused;
	d->n++;
}

static int idset_add(struct idset *d, uint64_t id, uint8_t close, uint8_t refused)
{
	if (2 * (d->n + 1) > d->cap) {
		struct idset g = {0};
		size_t i;
		g.cap = d->cap ? 2 * d->cap : 256;
		g.key = calloc(g.cap, sizeof(*g.key));
		g.close = calloc(g.cap, 1);
		g.refused = calloc(g.cap, 1);
		if (!g.key || !g.close || !g.refused) {
			free(g.key);
			free(g.close);
			free(g.refused);
			return -1;
		}
		for (i = 0; i < d->cap; i++)
			if (d->key[i])
				idset_put_at(&g, d->key[i], d->close[i], d->refused[i]);
		free(d->key);
		free(d->close);
		free(d->refused);
		*d = g;
	}
	idset_put_at(d, id, close, refused);
	return 0;
}

/* Remove slot i, shifting back the entries of its probe run. */
static void idset_del(struct idset *d, size_t i)
{
	size_t j = i;
	d->key[i] = 0;
	d->n--;
	for (;;) {
		size_t home;
		j = (j + 1) & (d->cap - 1);
		if (!d->key[j])
			return;
		home = (size_t)(d->key[j] * 0x9e3779b97f4a7c15ULL >> 17) & (d->cap - 1);
		/* Move j into the hole unless its home lies in (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			d->key[i] = d->key[j];
			d->close[i] = d->close[j];
			d->refused[i] = d->refused[j];
			d->key[j] = 0;
			i = j;
		}
	}
}

static void idset_free(struct idset *d)
{
	free(d->key);
	free(d->close);
	free(d->refused);
	memset(d, 0, sizeof(*d));
}

/* When the endpoint entered TIME_WAIT: the later of the two FINs. */
static int64_t tw_start(const struct tc_conn *c)
{
	const struct tc_conn_end *en = tc_conn_end(c);
	int64_t t = en->ep[0].ts_fin > en->ep[1].ts_fin ? en->ep[0].ts_fin : en->ep[1].ts_fin;
	return t ? t : c->last_ts;
}

static void row_set_conn(struct tcm_row *r, const struct tc_conn *c)
{
	r->c = *c;
	r->c.x = NULL;
	r->c.end = NULL;
	r->has_x = c->x != NULL;
	if (c->x)
		r->x = *c->x;
	r->has_end = c->end != NULL;
	r->end = *tc_conn_end(c);
}

const struct tc_conn *tcm_row_conn(const struct tcm_row *r, struct tc_conn *c,
				   struct tc_conn_bufs *b)
{
	*c = r->c;
	if (r->has_x) {
		b->x = r->x;
		c->x = &b->x;
	}
	if (r->has_end) {
		b->end = r->end;
		c->end = &b->end;
	}
	return c;
}

/* ---- the model -------------------------------------------------------- */

struct tcm_model *tcm_new(const struct tcm_opts *o)
{
	struct tcm_model *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	if (o)
		m->o = *o;
	if (!m->o.finished_cap)
		m->o.finished_cap = TCM_DEFAULT_FINISHED_CAP;
	if (!m->o.rows_cap)
		m->o.rows_cap = TCM_DEFAULT_ROWS_CAP;
	if (!m->o.keep_ns)
		m->o.keep_ns = TCM_DEFAULT_KEEP_NS;
	if (m->o.time_wait_ns <= 0)
		m->o.time_wait_ns = TCM_DEFAULT_TIME_WAIT_NS;
	if (!m->o.eph_ports)
		m->o.eph_ports = TCM_DEFAULT_EPH_PORTS;
	if (!m->o.rate_window_ns)
		m->o.rate_window_ns = TCM_DEFAULT_RATE_WINDOW_NS;
	m->bucket_ns = m->o.time_wait_ns / TW_WINDOW;
	if (m->bucket_ns < 1)
		m->bucket_ns = 1;
	ring_init(&m->gring);
	/* Storage grows with use (a file may hold a handful of connections
	 * or hundreds of thousands); what is allocated up front is small. */
	m->fin_alloc = m->o.finished_cap < 256 ? m->o.finished_cap : 256;
	m->fin = calloc(m->fin_alloc, sizeof(*m->fin));
	if (!m->fin) {
		tcm_free(m);
		return NULL;
	}
	m->snap.browsing = m->o.keep_ns < 0;
	m->snap.fin_cap = m->o.finished_cap;
	m->snap.rows_cap = m->o.rows_cap;
	m->snap.eph_ports = m->o.eph_ports;
	m->snap.time_wait_ns = m->o.time_wait_ns;
	m->snap.rate_avg = m->o.rate_window_ns < 0;
	return m;
}

void tcm_free(struct tcm_model *m)
{
	if (!m)
		return;
	free(m->fin);
	free(m->snap.rows);
	free(m->hosts);
	free(m->hidx);
	free(m->snap.tw);
	idset_free(&m->closing);
	free(m);
}

/* ts: when it happened: the close (the last packet), or the eviction. */
static void event_fill(struct tcm_event *ev, const struct tc_conn *c, const struct tc_verdict *v,
		       const struct tc_diagnosis *d, int final, int64_t ts)
{
	int i;
	ev->cause = (uint8_t)d->cause;
	ev->ts = ts;
	ev->id = c->id;
	ev->af = c->af;
	ev->cflags = c->cflags;
	ev->final = (uint8_t)final;
	ev->v = *v;
	for (i = 0; i < 2; i++) {
		ev->state[i] = c->ep[i].state;
		ev->port[i] = c->ep[i].port;
		memcpy(ev->addr[i], c->ep[i].addr, 16);
	}
}

static struct tcm_event *feed_find(struct tcm_model *m, uint64_t id)
{
	uint32_t i;
	for (i = 0; i < m->feed_n; i++) {
		uint32_t k = (m->feed_head + TCM_FEED_MAX - 1 - i) % TCM_FEED_MAX;
		if (m->feed[k].id == id)
			return &m->feed[k];
	}
	return NULL;
}

static struct tcm_event *feed_push(struct tcm_model *m)
{
	struct tcm_event *ev = &m->feed[m->feed_head];
	m->feed_head = (m->feed_head + 1) % TCM_FEED_MAX;
	if (m->feed_n < TCM_FEED_MAX)
		m->feed_n++;
	return ev;
}

/* Double the finished ring (up to the cap), oldest row first at 0. */
static void fin_grow(struct tcm_model *m)
{
	uint32_t n = m->fin_alloc ? 2 * m->fin_alloc : 256, i;
	struct tcm_row *p;
	if (n > m->o.finished_cap || n < m->fin_alloc)
		n = m->o.finished_cap;
	p = calloc(n, sizeof(*p));
	if (!p)
		return; /* the ring stays as it is: the oldest gives way */
	for (i = 0; i < m->fin_n; i++)
		p[i] = m->fin[(m->fin_head + i) % m->fin_alloc];
	free(m->fin);
	m->fin = p;
	m->fin_alloc = n;
	m->fin_head = 0;
}

void tcm_on_conn(struct tcm_model *m, const struct tc_conn *c, const struct tc_verdict *v,
		 const struct tc_diagnosis *d, int64_t now)
{
	struct tcm_row *r;
	struct tcm_event *ev;
	int i, tw = 0;
	int64_t tws = tw_start(c);

	/* Counted at its close already: the final verdict takes over (the
	 * engine's counters hold it from now on). */
	if (m->closing.n) {
		long k = idset_find(&m->closing, c->id);
		if (k >= 0) {
			m->pend_close[m->closing.close[k]]--;
			m->pend_refused -= m->closing.refused[k];
			idset_del(&m->closing, (size_t)k);
		}
	}

	/* The row. */
	if (m->fin_n == m->fin_alloc && m->fin_alloc < m->o.finished_cap)
		fin_grow(m);
	if (m->fin_n == m->fin_alloc) {
		r = &m->fin[m->fin_head];       /* the oldest gives way */
		if (r->dead)
			m->fin_dead--;
		else
			m->fin_dropped++;
		m->fin_head = (m->fin_head + 1) % m->fin_alloc;
	} else {
		r = &m->fin[(m->fin_head + m->fin_n) % m->fin_alloc];
		m->fin_n++;
	}
	memset(r, 0, sizeof(*r));
	row_set_conn(r, c);
	r->v = *v;
	r->d = *d;
	r->finished = 1;
	r->at_end = (uint8_t)m->ended;
	r->finished_ts = now;

	/* TIME_WAIT endpoints: counted per host until their TIME_WAIT ends. */
	for (i = 0; i < 2; i++) {
		const struct tc_endpoint *e = &c->ep[i];
		if (e->state == TC_TIME_WAIT) {
			tw = 1;
			if (tws + m->o.time_wait_ns > now) {
				struct twhost *h = host_get(m, c->af, e->addr);
				int64_t b = bucket_of(m, tws);
				if (h) {
					ring_add(&h->ring, b);
					h->total++;
				}
				ring_add(&m->gring, b);
			}
		} else if (m->ended && e->state != TC_CLOSED) {
			m->end_state[e->state]++;
		}
	}
	if (m->o.keep_ns < 0) {
		r->expire_ts = INT64_MAX;
	} else {
		r->expire_ts = now + m->o.keep_ns;
		if (tw && tws + m->o.time_wait_ns > r->expire_ts)
			r->expire_ts = tws + m->o.time_wait_ns;
	}

	/* The feed: closes only (an open connection reported at the end or
	 * superseded is not news), updating the line if it was seen closing. */
	ev = feed_find(m, c->id);
	if (!ev) {
		if (v->close == TC_CLOSE_OPEN && !(c->cflags & TC_CONN_EVICTED))
			return;
		ev = feed_push(m);
	}
	event_fill(ev, c, v, d, 1, v->close == TC_CLOSE_OPEN ? now : c->last_ts);
}

void tcm_set_ended(struct tcm_model *m)
{
	m->ended = 1;
}

void tcm_set_sort(struct tcm_model *m, enum tcm_sort s)
{
	if ((unsigned)s < TCM_SORT__COUNT)
		m->sort = s;
}

void tcm_set_filter(struct tcm_model *m, const struct tcm_filter *f)
{
	m->filter = *f;
	m->filter.text[TCM_SEARCH_MAX - 1] = '\0';
}

void tcm_resort(struct tcm_model *m)
{
	qsort_key = m->sort;
	if (m->snap.nrows)
		qsort(m->snap.rows, m->snap.nrows, sizeof(*m->snap.rows), qsort_cmp);
	m->snap.sort = m->sort;
}

/* Drop expired finished rows; compact the ring when some died. */
static void expire_finished(struct tcm_model *m, int64_t now)
{
	uint32_t i, cap = m->fin_alloc, w = 0;

	for (i = 0; i < m->fin_n; i++) {
		struct tcm_row *r = &m->fin[(m->fin_head + i) % cap];
		if (!r->dead && r->expire_ts <= now) {
			r->dead = 1;
			m->fin_dead++;
			m->fin_aged++;
		}
	}
	while (m->fin_n && m->fin[m->fin_head].dead) {
		m->fin_head = (m->fin_head + 1) % cap;
		m->fin_n--;
		m->fin_dead--;
	}
	if (!m->fin_dead)
		return;
	for (i = 0; i < m->fin_n; i++) {
		uint32_t from = (m->fin_head + i) % cap;
		if (m->fin[from].dead)
			continue;
		if (w != i)
			m->fin[(m->fin_head + w) % cap] = m->fin[from];
		w++;
	}
	m->fin_n = w;
	m->fin_dead = 0;
}

size_t tcm_finished_count(const struct tcm_model *m)
{
	return m->fin_n - m->fin_dead;
}

void tcm_rebuild_begin(struct tcm_model *m, int64_t now)
{
	struct tcm_snap *s = &m->snap;
	size_t i;

	m->now = now;
	m->heaped = 0;
	memset(m->st_count, 0, sizeof(m->st_count));
	for (i = 0; i < m->nhosts; i++)
		m->hosts[i].tracked = 0;
	s->nrows = s->nmatch = s->ntotal = 0;
	s->sort = m->sort;
	s->filter = m->filter;
	expire_finished(m, now);
}

void tcm_rebuild_conn(struct tcm_model *m, const struct tc_conn *c)
{
	struct tcm_row r;
	int i;

	for (i = 0; i < 2; i++) {
		unsigned st = c->ep[i].state;
		if (st < TC_STATE__COUNT)
			m->st_count[st]++;
		if (st == TC_TIME_WAIT) {
			struct twhost *h = host_get(m, c->af, c->ep[i].addr);
			if (h)
				h->tracked++;
		}
	}
	memset(&r, 0, sizeof(r));
	row_set_conn(&r, c);
	tc_classify(c, &r.v);
	/* Seen closed for the first time: counted now, with the verdict so
	 * far, and told in the feed; neither waits for the engine's linger. */
	if ((c->cflags & TC_CONN_DONE) && idset_find(&m->closing, c->id) < 0) {
		uint8_t refused = r.v.opened == TC_OPENED_REFUSED;
		if (idset_add(&m->closing, c->id, (uint8_t)r.v.close, refused) == 0) {
			m->pend_close[r.v.close]++;
			m->pend_refused += refused;
		}
		if (!feed_find(m, c->id)) {
			/* Not reported yet: the engine's answer so far. */
			struct tc_verdict v;
			struct tc_diagnosis d;
			tc_engine_judge(c, &v, &d);
			event_fill(feed_push(m), c, &v, &d, 0, c->last_ts);
		}
	}
	offer(m, &r);
}

static int host_order(const void *a, const void *b)
{
	const struct tcm_host *x = a, *y = b;
	int d = -CMP(x->peak, y->peak);
	if (!d)
		d = -CMP(x->now, y->now);
	if (!d)
		d = CMP(x->af, y->af);
	return d ? d : memcmp(x->addr, y->addr, 16);
}

static int feed_order(const void *a, const void *b)
{
	const struct tcm_event *x = a, *y = b;
	int d = -CMP(x->ts, y->ts);
	return d ? d : -CMP(x->id, y->id);
}

static double rate_of(uint64_t now_v, uint64_t then_v, int64_t dt)
{
	if (dt <= 0 || now_v < then_v)
		return 0;
	return (double)(now_v - then_v) * 1e9 / (double)dt;
}

void tcm_rebuild_end(struct tcm_model *m, const struct tc_stats *st)
{
	struct tcm_snap *s = &m->snap;
	uint32_t i, cap = m->fin_alloc;
	size_t hk;
	int64_t now_b = bucket_of(m, m->now);
	struct sample cur, *old = NULL;

	for (i = 0; i < m->fin_n; i++) {
		const struct tcm_row *r = &m->fin[(m->fin_head + i) % cap];
		if (!r->dead)
			offer(m, r);
	}
	qsort_key = m->sort;
	if (s->nrows)
		qsort(s->rows, s->nrows, sizeof(*s->rows), qsort_cmp);

	/* Counters. */
	s->now = m->now;
	s->first_ts = st->ts_first;
	s->frames = st->frames;
	s->tcp = st->tcp;
	s->tracked = st->active;
	s->peak_tracked = st->peak_active;
	s->conns = st->conns;
	s->reported = st->reported;
	s->evicted = st->evicted;
	s->rst_ignored = st->rst_ignored;
	s->time_backwards = st->time_backwards;
	/* Final verdicts of reported connections, plus the closes counted
	 * when they happened whose report is still to come. */
	s->graceful = st->by_close[TC_CLOSE_GRACEFUL] + m->pend_close[TC_CLOSE_GRACEFUL];
	s->half_closed = st->by_close[TC_CLOSE_HALF_CLOSED] + m->pend_close[TC_CLOSE_HALF_CLOSED];
	s->reset = st->by_close[TC_CLOSE_RESET] + m->pend_close[TC_CLOSE_RESET];
	s->refused = st->refused + m->pend_refused;
	s->open = st->by_close[TC_CLOSE_OPEN] + m->pend_close[TC_CLOSE_OPEN];
	s->closing = m->closing.n;
	s->fin_aged = m->fin_aged;
	s->fin_dropped = m->fin_dropped;
	for (i = 0; i < TC_STATE__COUNT; i++)
		s->state_count[i] = m->st_count[i] + m->end_state[i];
	s->state_count[TC_TIME_WAIT] += ring_sum(&m->gring, now_b);
	s->tw_total = s->state_count[TC_TIME_WAIT];

	/* TIME_WAIT per host: every host that held some. */
	s->ntw = 0;
	s->tw_hosts_dropped = m->hosts_dropped;
	if (m->nhosts > m->tw_alloc) {
		struct tcm_host *p = realloc(s->tw, m->nhosts * sizeof(*p));
		if (p) {
			s->tw = p;
			m->tw_alloc = m->nhosts;
		}
	}
	for (hk = 0; hk < m->nhosts; hk++) {
		struct twhost *h = &m->hosts[hk];
		h->now = ring_sum(&h->ring, now_b) + h->tracked;
		if (h->now > h->peak)
			h->peak = h->now;
		if (!h->peak || s->ntw == m->tw_alloc)
			continue;
		s->tw[s->ntw].af = h->af;
		memcpy(s->tw[s->ntw].addr, h->addr, 16);
		s->tw[s->ntw].now = h->now;
		s->tw[s->ntw].peak = h->peak;
		s->ntw++;
	}
	if (s->ntw)
		qsort(s->tw, s->ntw, sizeof(*s->tw), host_order);

	/* Rates. */
	cur.t = m->now;
	cur.frames = s->frames;
	cur.graceful = s->graceful;
	cur.half_closed = s->half_closed;
	cur.reset = s->reset;
	cur.refused = s->refused;
	if (m->o.rate_window_ns < 0) {
		/* averages: from nothing at the first frame to now */
		s->pkt_rate = rate_of(s->frames, 0, m->now - st->ts_first);
		s->graceful_rate = rate_of(s->graceful, 0, m->now - st->ts_first);
		s->half_closed_rate = rate_of(s->half_closed, 0, m->now - st->ts_first);
		s->reset_rate = rate_of(s->reset, 0, m->now - st->ts_first);
		s->refused_rate = rate_of(s->refused, 0, m->now - st->ts_first);
	} else if (m->now <= 0) {
		/* No capture time yet (a file before its first frame). */
		s->pkt_rate = s->graceful_rate = s->half_closed_rate = 0;
		s->reset_rate = s->refused_rate = 0;
	} else {
		uint32_t k;
		if (m->s_n && m->samples[(m->s_head + m->s_n - 1) % TCM_SAMPLES].t >= cur.t) {
			m->s_n--; /* same instant (or time stood still): replace */
		}
		if (m->s_n == TCM_SAMPLES) {
			m->s_head = (m->s_head + 1) % TCM_SAMPLES;
			m->s_n--;
		}
		m->samples[(m->s_head + m->s_n) % TCM_SAMPLES] = cur;
		m->s_n++;
		/* The newest sample at least a window old, else the oldest. */
		for (k = 0; k + 1 < m->s_n; k++) {
			struct sample *x = &m->samples[(m->s_head + k) % TCM_SAMPLES];
			if (x->t <= cur.t - m->o.rate_window_ns || !old)
				old = x;
			else
				break;
		}
		/* Samples older than two windows are no longer needed. */
		while (m->s_n > 2 && m->samples[(m->s_head + 1) % TCM_SAMPLES].t <=
					     cur.t - m->o.rate_window_ns) {
			m->s_head = (m->s_head + 1) % TCM_SAMPLES;
			m->s_n--;
		}
		if (old) {
			int64_t dt = cur.t - old->t;
			s->pkt_rate = rate_of(cur.frames, old->frames, dt);
			s->graceful_rate = rate_of(cur.graceful, old->graceful, dt);
			s->half_closed_rate = rate_of(cur.half_closed, old->half_closed, dt);
			s->reset_rate = rate_of(cur.reset, old->reset, dt);
			s->refused_rate = rate_of(cur.refused, old->refused, dt);
		} else {
			s->pkt_rate = s->graceful_rate = s->half_closed_rate = 0;
			s->reset_rate = s->refused_rate = 0;
		}
	}

	/* Feed, newest first (by close time: lines seen closing in one
	 * rebuild were added in table order). */
	s->nfeed = m->feed_n;
	for (i = 0; i < m->feed_n; i++)
		s->feed[i] = m->feed[(m->feed_head + TCM_FEED_MAX - 1 - i) % TCM_FEED_MAX];
	qsort(s->feed, s->nfeed, sizeof(*s->feed), feed_order);
}

static void visit(const struct tc_conn *c, void *arg)
{
	tcm_rebuild_conn(arg, c);
}

void tcm_rebuild(struct tcm_model *m, const struct tc_engine *e, int64_t now)
{
	tcm_rebuild_begin(m, now);
	tc_engine_foreach(e, visit, m);
	tcm_rebuild_end(m, tc_engine_stats(e));
}

const struct tcm_snap *tcm_snap(const struct tcm_model *m)
{
	return &m->snap;
}

long tcm_find(const struct tcm_snap *s, uint64_t id)
{
	size_t i;
	for (i = 0; i < s->nrows; i++)
		if (s->rows[i].c.id == id)
			return (long)i;
	return -1;
}
