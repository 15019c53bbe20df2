/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * out_text.c -- the human report.
 *
 * One or two screens, whatever the size of the capture, in the order an
 * operator on call reads it: the counts; the findings, grouped by pattern
 * and service and ranked by harm; the services with the most trouble; who
 * holds TIME_WAIT; the CLOSE_WAIT leaks; resets over time; socket options;
 * then a few sample connections of each verdict with their times and
 * frames. Tables show the top N (--top N, default 10); -v shows them all
 * and lists every connection, as does a selection (--only, --port, --host)
 * for the connections it selects.
 *
 * Sections are always in this order, and connections within a section in
 * id order (the order of their first packet). Connections arrive in the
 * order they finish: a sample keeps the lowest ids in memory; a full
 * listing spools lines to a temporary file with an index of (id, offset),
 * sorted at the end, so memory stays small however many connections there
 * are.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "writer.h"
#include "tcpclose/diag.h"
#include "tcpclose/grow.h"

#define TOP_DEFAULT 10
#define FINDINGS_SHOWN 15

static const int order[TC_CLOSE__COUNT] = {TC_CLOSE_RESET, TC_CLOSE_HALF_CLOSED, TC_CLOSE_OPEN,
					   TC_CLOSE_GRACEFUL};

struct line_ref {
	uint64_t id;
	long off;
	size_t len;
};

struct sample {
	uint64_t id;
	char *text;
};

struct spool {
	uint64_t n; /* connections of this verdict shown */
	/* full listing: lines in a temporary file, indexed */
	FILE *f;
	char *mem; /* open_memstream fallback */
	size_t memlen;
	struct line_ref *ref;
	size_t nref, capref;
	/* sample: the lowest ids */
	struct sample *smp;
	size_t nsmp;
};

struct tc_text {
	FILE *out;
	int verbose;
	int color;
	size_t top;     /* table rows */
	size_t samples; /* sample connections per verdict */
	struct spool sp[TC_CLOSE__COUNT];
	uint64_t closer_client, closer_server, closer_both;
	uint64_t time_wait_client, time_wait_server;
	char *selection;          /* description of --only/--port/--host, or NULL */
	uint64_t shown;
	int oom; /* a line could not be kept */
	/* The grouped findings' sentences as the finding op handed them: the
	 * first nfind (at most the cap) kept, nfound in all. */
	char **find;
	size_t nfind, nfound, capfind;
};

static FILE *spool_open(struct spool *s)
{
	if (!s->f) {
		s->f = tmpfile();
		if (!s->f)
			s->f = open_memstream(&s->mem, &s->memlen);
	}
	return s->f;
}

static size_t samples_for(size_t top)
{
	return top >= 3 ? top / 3 : 1;
}

struct tc_text *tc_text_new(FILE *out, int verbose, int color)
{
	struct tc_text *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->out = out;
	t->verbose = verbose;
	t->color = color;
	t->top = TOP_DEFAULT;
	t->samples = samples_for(t->top);
	return t;
}

void tc_text_set_top(struct tc_text *t, size_t n)
{
	int i;
	/* The sample arrays are sized on first use: fixed from then on. */
	for (i = 0; i < TC_CLOSE__COUNT; i++)
		if (t->sp[i].smp)
			return;
	t->top = n ? n : TOP_DEFAULT;
	t->samples = samples_for(t->top);
}

void tc_text_free(struct tc_text *t)
{
	int i;
	size_t k;
	if (!t)
		return;
	for (i = 0; i < TC_CLOSE__COUNT; i++) {
		struct spool *s = &t->sp[i];
		if (s->f)
			fclose(s->f);
		free(s->mem);
		free(s->ref);
		for (k = 0; k < s->nsmp; k++)
			free(s->smp[k].text);
		free(s->smp);
	}
	for (k = 0; k < t->nfind; k++)
		free(t->find[k]);
	free(t->find);
	free(t->selection);
	free(t);
}

static const char *role_name(int r)
{
	return r == TC_CLIENT ? "client" : "server";
}

static double secs(int64_t ns)
{
	return (double)ns / 1e9;
}

/* Time of day with microseconds, "22:13:20.123456" (the date is in the
 * header): what lines up with an application's log. */
static char *tod(int64_t ns, char *buf, size_t n)
{
	time_t s = (time_t)(ns / 1000000000LL);
	int64_t us = (ns % 1000000000LL) / 1000;
	struct tm tm;
	if (us < 0) {
		us += 1000000;
		s -= 1;
	}
	if (!gmtime_r(&s, &tm)) {
		snprintf(buf, n, "%.6f", secs(ns));
		return buf;
	}
	snprintf(buf, n, "%02d:%02d:%02d.%06d", tm.tm_hour, tm.tm_min, tm.tm_sec, (int)us);
	return buf;
}

/* ip:port, IPv6 in brackets: "[::1]:30015". */
static char *service_str(int af, const uint8_t addr[16], unsigned port, char *buf, size_t n)
{
	char a[TC_ADDRSTRLEN];
	tc_addr_str(af, addr, a);
	snprintf(buf, n, af == 6 ? "[%s]:%u" : "%s:%u", a, port);
	return buf;
}

/*
 * Width of a table's name column: w, or the longest of the names its rows
 * show if one is longer. An IPv6 service ("[2001:db8:...]:443") does not
 * fit the width an IPv4 one needs; a column sized for the longest possible
 * name would push every IPv4 table off the screen, and a name that spills
 * past its column pushes the numbers after it out of line with the header,
 * which is worse in a table of hundreds of rows.
 */
static int name_width(int w, const char *name)
{
	size_t n = strlen(name);
	return n > (size_t)w ? (int)n : w;
}

/* A duration at a glance: "42 ms", "3.5 s", "350 s". */
static char *dur(int64_t ns, char *buf, size_t n)
{
	if (ns < 1000000000LL)
		snprintf(buf, n, "%.0f ms", (double)ns / 1e6);
	else if (ns < 60 * 1000000000LL)
		snprintf(buf, n, "%.1f s", secs(ns));
	else
		snprintf(buf, n, "%.0f s", secs(ns));
	return buf;
}

/* One sentence: who did what, with the frame it rests on. */
static void explain(char *buf, size_t n, const struct tc_conn *c, const struct tc_verdict *v,
		    const struct tc_diagnosis *d)
{
	const struct tc_endpoint *ep = c->ep;
	const struct tc_conn_end *end = tc_conn_end(c);
	const struct tc_ep_end *en = end->ep;
	uint64_t rst = end->frame_rst;
	int first;

	if (d->cause != TC_CAUSE_NONE) {
		tc_diag_explain(c, v, d, buf, n);
		return;
	}

	switch (v->close) {
	case TC_CLOSE_GRACEFUL:
		if (v->closer == TC_WHO_BOTH) {
			snprintf(buf, n, "simultaneous close: FINs crossed (frames %" PRIu64
				 ", %" PRIu64 "), both sides hold TIME_WAIT",
				 en[0].frame_fin, en[1].frame_fin);
			break;
		}
		first = v->closer == TC_WHO_SERVER ? TC_SERVER : TC_CLIENT;
		snprintf(buf, n, "%s closed first (FIN frame %" PRIu64 "), %s followed%s; %s holds TIME_WAIT",
			 role_name(first), en[first].frame_fin, role_name(!first),
			 (ep[!first].flags & TC_EP_FIN_ACKED) ? "" : " (its FIN was never acknowledged)",
			 role_name(first));
		break;
	case TC_CLOSE_HALF_CLOSED:
		first = (ep[TC_CLIENT].flags & TC_EP_FIN) ? TC_CLIENT : TC_SERVER;
		/* The record ends at its last packet, the leak does not: still
		 * open, it lasts to the end of the capture (CLOSE_WAIT section). */
		if (!(ep[first].flags & TC_EP_FIN_ACKED))
			snprintf(buf, n, "%s sent FIN (frame %" PRIu64 "), never acknowledged; %s never closed",
				 role_name(first), en[first].frame_fin, role_name(!first));
		else if (c->cflags & (TC_CONN_EVICTED | TC_CONN_SUPERSEDED))
			snprintf(buf, n, "%s closed (FIN frame %" PRIu64 "); %s never did: in CLOSE_WAIT for %.3f s until the connection was %s",
				 role_name(first), en[first].frame_fin, role_name(!first),
				 secs(c->last_ts - en[first].ts_fin),
				 (c->cflags & TC_CONN_EVICTED) ? "evicted" : "superseded");
		else
			snprintf(buf, n, "%s closed (FIN frame %" PRIu64 "); %s never did: in CLOSE_WAIT from then to the end of the capture",
				 role_name(first), en[first].frame_fin, role_name(!first));
		break;
	case TC_CLOSE_RESET:
		if (v->opened == TC_OPENED_REFUSED)
			snprintf(buf, n, "refused: the SYN was answered by RST (frame %" PRIu64 ")",
				 rst);
		else if (v->reset_by == TC_WHO_BOTH)
			snprintf(buf, n, "both sides sent RST, first during %s (frame %" PRIu64 ")",
				 tc_phase_name(v->reset_phase), rst);
		else
			snprintf(buf, n, "%s sent RST during %s (frame %" PRIu64 ")",
				 v->reset_by == TC_WHO_SERVER ? "server" : "client",
				 tc_phase_name(v->reset_phase), rst);
		break;
	default:
		if (v->opened == TC_OPENED_SYN_ONLY)
			snprintf(buf, n, "SYN never answered (%" PRIu32 " sent over %.3f s)",
				 ep[TC_CLIENT].pkts, secs(c->last_ts - c->first_ts));
		else if (c->cflags & TC_CONN_SUPERSEDED)
			snprintf(buf, n, "superseded by a new SYN on the same 4-tuple");
		else if (c->cflags & TC_CONN_EVICTED)
			snprintf(buf, n, "still open when evicted from a full table");
		else
			snprintf(buf, n, "no FIN or RST seen; %.3f s of traffic",
				 secs(c->last_ts - c->first_ts));
		break;
	}
}

/* When: first and last packet, and the close (first FIN, or the RST). */
static void when(char *buf, size_t n, const struct tc_conn *c, const struct tc_verdict *v)
{
	char a[32], b[32], e[32];
	size_t off;
	int64_t rst = tc_conn_ext(c)->rst.ts;
	const struct tc_conn_end *en = tc_conn_end(c);

	off = (size_t)snprintf(buf, n, "%s .. %s (frames %" PRIu64 "..%" PRIu64 ")",
			       tod(c->first_ts, a, sizeof(a)), tod(c->last_ts, b, sizeof(b)),
			       c->frame_first, c->frame_last);
	if (off >= n)
		return;
	if (v->close == TC_CLOSE_RESET && en->frame_rst)
		snprintf(buf + off, n - off, ", RST %s", rst ? tod(rst, e, sizeof(e)) : "-");
	else if (en->ep[TC_CLIENT].ts_fin || en->ep[TC_SERVER].ts_fin) {
		int64_t fc = en->ep[TC_CLIENT].ts_fin, fs = en->ep[TC_SERVER].ts_fin;
		int who = !fc || (fs && fs < fc) ? TC_SERVER : TC_CLIENT;
		snprintf(buf + off, n - off, ", first FIN (%s) %s", role_name(who),
			 tod(en->ep[who].ts_fin, e, sizeof(e)));
	}
}

/*
 * What the capture missed on this connection (infer.h), as a line of its
 * own, only when there is something to say: a verdict resting on an
 * inferred segment is never presented as observed.
 */
static int capture_line(char *buf, size_t n, const struct tc_conn *c)
{
	const struct tc_ext_endpoint *x = tc_conn_ext(c)->ep;
	size_t off = 0;
	unsigned i;
	int first = 1;

#define PUT(...)                                                    \
	do {                                                        \
		int w_ = snprintf(buf + off, n - off, __VA_ARGS__); \
		if (w_ < 0 || (size_t)w_ >= n - off)                \
			return (int)off;                            \
		off += (size_t)w_;                                  \
	} while (0)
	if (!(c->inferred || c->one_way || tc_conn_loss_total(c)))
		return 0;
	PUT("         capture:");
	if (c->inferred) {
		PUT(" INFERRED (not captured, implied by what was):");
		for (i = 0; i < TC_INF__COUNT; i++)
			if (c->inferred & (1u << i)) {
				PUT("%s%s", first ? " " : ",", tc_inferred_name(i));
				first = 0;
			}
		PUT(";");
	}
	if (c->one_way)
		PUT(" one-way, only the %s's segments;",
		    c->one_way == TC_ONE_WAY_CLIENT_SEEN ? "client" : "server");
	if (tc_conn_loss_total(c))
		PUT(" missed %" PRIu32 "/%" PRIu32 " bytes in %u/%u gaps, %u/%u ACKs of data not captured",
		    x[0].missed, x[1].missed, x[0].gaps, x[1].gaps, x[0].acks_unseen, x[1].acks_unseen);
	PUT("\n");
#undef PUT
	return (int)off;
}

static int format_conn(char *buf, size_t n, const struct tc_conn *c, const struct tc_verdict *v,
		       const struct tc_diagnosis *d)
{
	char cl[64], sv[64], why[512], tm[160];
	tc_history_buf hb;
	tc_field(c, v, d, "client", cl, sizeof(cl));
	tc_field(c, v, d, "server", sv, sizeof(sv));
	explain(why, sizeof(why), c, v, d);
	when(tm, sizeof(tm), c, v);
	int len = snprintf(buf, n,
			   "  #%-5" PRIu64 " %-21s -> %-21s %s\n"
			   "         %s\n"
			   "         states %s/%s  pkts %" PRIu32 "/%" PRIu32 "  bytes %" PRIu64 "/%" PRIu64
			   "  history %s%s\n",
			   c->id, cl, sv, why, tm, tc_state_name((enum tc_state)c->ep[0].state),
			   tc_state_name((enum tc_state)c->ep[1].state), c->ep[0].pkts, c->ep[1].pkts,
			   tc_ep_bytes(c, TC_CLIENT), tc_ep_bytes(c, TC_SERVER),
			   c->hist_len ? tc_conn_history(c, hb) : "-",
			   c->rst_ignored ? "  (RSTs not accepted: out of window or challenge-ACKed)" : "");
	if (len > 0 && (size_t)len < n)
		len += capture_line(buf + len, n - (size_t)len, c);
	return len;
}

void tc_text_set_selection(struct tc_text *t, const char *desc)
{
	free(t->selection);
	t->selection = desc ? strdup(desc) : NULL;
}

/* Every connection is listed: -v, or a selection. */
static int listing(const struct tc_text *t)
{
	return t->verbose || t->selection;
}

static void list_add(struct tc_text *t, struct spool *s, const char *line, size_t len,
		     uint64_t id)
{
	FILE *f = spool_open(s);
	long off;
	if (!f || (off = ftell(f)) < 0) {
		t->oom = 1;
		return;
	}
	struct line_ref *r = tc_grow(s->ref, &s->capref, s->nref + 1, sizeof(*r), 256);
	if (!r) {
		t->oom = 1;
		return;
	}
	s->ref = r;
	fwrite(line, 1, len, f);
	s->ref[s->nref].id = id;
	s->ref[s->nref].off = off;
	s->ref[s->nref].len = len;
	s->nref++;
}

/* Keep the `samples` lowest ids: is id one of them (so far)? */
static struct sample *sample_slot(struct tc_text *t, struct spool *s, uint64_t id)
{
	size_t i, worst = 0;
	if (!s->smp && !(s->smp = calloc(t->samples, sizeof(*s->smp)))) {
		t->oom = 1;
		return NULL;
	}
	if (s->nsmp < t->samples)
		return &s->smp[s->nsmp++];
	for (i = 1; i < s->nsmp; i++)
		if (s->smp[i].id > s->smp[worst].id)
			worst = i;
	if (id > s->smp[worst].id)
		return NULL;
	free(s->smp[worst].text);
	s->smp[worst].text = NULL;
	return &s->smp[worst];
}

void tc_text_conn(struct tc_text *t, const struct tc_conn *c, const struct tc_verdict *v,
		  const struct tc_diagnosis *d, int shown)
{
	struct spool *s = &t->sp[v->close];
	char line[1400];
	int len;

	if (v->close == TC_CLOSE_GRACEFUL) {
		if (v->closer == TC_WHO_BOTH)
			t->closer_both++;
		else if (v->closer == TC_WHO_SERVER)
			t->closer_server++;
		else
			t->closer_client++;
	}
	if (c->ep[TC_CLIENT].state == TC_TIME_WAIT)
		t->time_wait_client++;
	if (c->ep[TC_SERVER].state == TC_TIME_WAIT)
		t->time_wait_server++;
	if (!shown)
		return;
	t->shown++;
	s->n++;
	if (listing(t)) {
		len = format_conn(line, sizeof(line), c, v, d);
		if (len > 0)
			list_add(t, s, line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1,
				 c->id);
	} else {
		struct sample *k = sample_slot(t, s, c->id);
		if (!k)
			return;
		len = format_conn(line, sizeof(line), c, v, d);
		k->id = c->id;
		if (!(k->text = strdup(len > 0 ? line : "")))
			t->oom = 1;
	}
}

static const char *const section_title[TC_CLOSE__COUNT] = {
	[TC_CLOSE_GRACEFUL] = "GRACEFUL",
	[TC_CLOSE_HALF_CLOSED] = "HALF-CLOSED: one side never called close() (CLOSE_WAIT)",
	[TC_CLOSE_RESET] = "RESET",
	[TC_CLOSE_OPEN] = "OPEN: no close seen",
};

static const char *const section_word[TC_CLOSE__COUNT] = {
	[TC_CLOSE_GRACEFUL] = "graceful",
	[TC_CLOSE_HALF_CLOSED] = "half_closed",
	[TC_CLOSE_RESET] = "reset",
	[TC_CLOSE_OPEN] = "open",
};

static const char *const section_color[TC_CLOSE__COUNT] = {
	[TC_CLOSE_GRACEFUL] = "\033[32m", [TC_CLOSE_HALF_CLOSED] = "\033[33m",
	[TC_CLOSE_RESET] = "\033[31m", [TC_CLOSE_OPEN] = "\033[36m",
};

static int by_ref_id(const void *x, const void *y)
{
	const struct line_ref *a = x, *b = y;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int by_sample_id(const void *x, const void *y)
{
	const struct sample *a = x, *b = y;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* The spooled lines, in id order. */
static void copy_listing(FILE *out, struct spool *s)
{
	char buf[2048];
	size_t i;
	if (!s->f || !s->nref)
		return;
	fflush(s->f);
	qsort(s->ref, s->nref, sizeof(*s->ref), by_ref_id);
	for (i = 0; i < s->nref; i++) {
		const struct line_ref *r = &s->ref[i];
		size_t len = r->len < sizeof(buf) ? r->len : sizeof(buf);
		if (s->mem) {
			if ((size_t)r->off + len <= s->memlen)
				fwrite(s->mem + r->off, 1, len, out);
			continue;
		}
		if (fseek(s->f, r->off, SEEK_SET) != 0 || fread(buf, 1, len, s->f) != len)
			continue;
		fwrite(buf, 1, len, out);
	}
}

static void heading(struct tc_text *t, const char *color, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void heading(struct tc_text *t, const char *color, const char *fmt, ...)
{
	va_list ap;
	fputc('\n', t->out);
	if (t->color)
		fputs(color ? color : "\033[1m", t->out);
	va_start(ap, fmt);
	vfprintf(t->out, fmt, ap);
	va_end(ap);
	if (t->color)
		fputs("\033[0m", t->out);
	fputc('\n', t->out);
}

/* ---- findings -------------------------------------------------------- */

/* Most harmful first, the caller's order: kept until the report is written,
 * below the counts. Past the cap only counted. */
void tc_text_finding(struct tc_text *t, const struct tc_finding_group *g, size_t rank)
{
	size_t cap = t->verbose ? (size_t)-1 : FINDINGS_SHOWN;
	char **nf;

	(void)rank; /* numbered in arrival order, which is the rank */
	t->nfound++;
	if (t->nfind >= cap)
		return;
	if (!(nf = tc_grow(t->find, &t->capfind, t->nfind + 1, sizeof(*nf), 16))) {
		t->oom = 1;
		return;
	}
	t->find = nf;
	if (!(nf[t->nfind] = strdup(g->text))) {
		t->oom = 1;
		return;
	}
	t->nfind++;
}

/* Grouped, most harmful first: the answer before the evidence. */
static void findings(struct tc_text *t, struct tc_agg *agg)
{
	FILE *o = t->out;
	const struct tc_finding *f;
	size_t nf, i;

	if (!t->nfound)
		return;
	heading(t, NULL, "FINDINGS (most harmful first)");
	for (i = 0; i < t->nfind; i++)
		fprintf(o, "  %zu. %s\n", i + 1, t->find[i]);
	if (i < t->nfound)
		fprintf(o, "  ... %zu more (-v lists them; --format json has one per server and host)\n",
			t->nfound - i);
	if (!t->verbose)
		return;
	/* -v: each server's and host's own, as the JSON findings give them. */
	f = tc_agg_findings(agg, &nf);
	heading(t, NULL, "FINDINGS PER SERVER AND HOST (%zu)", nf);
	for (i = 0; i < nf; i++) {
		char text[TC_FINDING_TEXT_MAX];
		fprintf(o, "  %zu. %s\n", i + 1, tc_agg_finding_text(agg, &f[i], text));
	}
}

/* ---- services -------------------------------------------------------- */

/* What the table sorts on, and shows: resets (refused included) and
 * half-closes; then unanswered SYNs (in "open"). */
static uint64_t trouble(const struct tc_service_stats *s)
{
	return s->by_close[TC_CLOSE_RESET] + s->by_close[TC_CLOSE_HALF_CLOSED];
}

static int by_trouble(const void *x, const void *y)
{
	const struct tc_service_stats *a = *(const struct tc_service_stats *const *)x;
	const struct tc_service_stats *b = *(const struct tc_service_stats *const *)y;
	uint64_t ta = trouble(a), tb = trouble(b);
	int c;
	if (ta != tb)
		return ta < tb ? 1 : -1;
	if (a->syn_only != b->syn_only)
		return a->syn_only < b->syn_only ? 1 : -1;
	if (a->conns != b->conns)
		return a->conns < b->conns ? 1 : -1;
	if (a->af != b->af)
		return a->af - b->af;
	if ((c = memcmp(a->addr, b->addr, 16)) != 0)
		return c;
	return a->port - b->port;
}

/* "abortive_close 25, no_connection 3": the biggest reset causes. */
static void causes(const struct tc_service_stats *s, char *buf, size_t n, int max)
{
	int shown = 0, k;
	uint64_t done[TC_CAUSE__COUNT] = {0};
	size_t off = 0;
	buf[0] = '\0';
	while (shown < max) {
		int best = -1;
		for (k = TC_CAUSE_NONE + 1; k < TC_CAUSE__COUNT; k++)
			if (k != TC_CAUSE_REFUSED && !done[k] && s->by_cause[k] &&
			    (best < 0 || s->by_cause[k] > s->by_cause[best]))
				best = k;
		if (best < 0)
			break;
		done[best] = 1;
		if (off < n)
			off += (size_t)snprintf(buf + off, n - off, "%s%s %" PRIu64, shown ? ", " : "",
						tc_cause_name((enum tc_cause)best), s->by_cause[best]);
		shown++;
	}
	if (!shown)
		snprintf(buf, n, "-");
}

/* Who holds the TIME_WAIT of its graceful closes, and how often. */
static void tw_side(const struct tc_service_stats *s, char *buf, size_t n)
{
	uint64_t all = s->server_closed_first + s->client_closed_first + s->simultaneous;
	if (!all)
		snprintf(buf, n, "-");
	else if (s->server_closed_first >= s->client_closed_first &&
		 s->server_closed_first >= s->simultaneous)
		snprintf(buf, n, "server %.0f%%", 100.0 * s->server_closed_first / all);
	else if (s->client_closed_first >= s->simultaneous)
		snprintf(buf, n, "client %.0f%%", 100.0 * s->client_closed_first / all);
	else
		snprintf(buf, n, "both %.0f%%", 100.0 * s->simultaneous / all);
}

static void services(struct tc_text *t, const struct tc_agg *agg)
{
	FILE *o = t->out;
	size_t n = tc_agg_nservices(agg), i, rows;
	const struct tc_service_stats **v;
	char nm[80];
	int w;

	if (!n)
		return;
	if (!(v = malloc(n * sizeof(*v))))
		return;
	for (i = 0; i < n; i++)
		v[i] = tc_agg_service(agg, i);
	qsort(v, n, sizeof(*v), by_trouble);
	rows = t->verbose || n <= t->top ? n : t->top;
	if (rows < n)
		heading(t, NULL, "SERVICES (the %zu of %zu with the most resets and half-closes; --top N, -v all)",
			rows, n);
	else
		heading(t, NULL, "SERVICES (most resets and half-closes first)");
	for (i = 0, w = 28; i < rows; i++)
		w = name_width(w, service_str(v[i]->af, v[i]->addr, v[i]->port, nm, sizeof(nm)));
	fprintf(o, "  %-*s %6s %6s %5s %6s %7s %5s  %-11s %s\n", w, "server", "conns", "grace", "half",
		"reset", "refused", "open", "TIME_WAIT", "resets by cause");
	for (i = 0; i < rows; i++) {
		const struct tc_service_stats *s = v[i];
		char side[32], cz[200];
		service_str(s->af, s->addr, s->port, nm, sizeof(nm));
		tw_side(s, side, sizeof(side));
		causes(s, cz, sizeof(cz), t->verbose ? TC_CAUSE__COUNT : 2);
		fprintf(o, "  %-*s %6" PRIu64 " %6" PRIu64 " %5" PRIu64 " %6" PRIu64 " %7" PRIu64 " %5" PRIu64 "  %-11s %s\n",
			w, nm, s->conns, s->by_close[TC_CLOSE_GRACEFUL], s->by_close[TC_CLOSE_HALF_CLOSED],
			s->by_close[TC_CLOSE_RESET], s->refused, s->by_close[TC_CLOSE_OPEN], side, cz);
	}
	free(v);
}

/* ---- TIME_WAIT ------------------------------------------------------- */

static int by_host_peak(const void *x, const void *y)
{
	const struct tc_host_stats *a = *(const struct tc_host_stats *const *)x;
	const struct tc_host_stats *b = *(const struct tc_host_stats *const *)y;
	int c;
	if (a->tw_peak != b->tw_peak)
		return a->tw_peak < b->tw_peak ? 1 : -1;
	if (a->tw_total != b->tw_total)
		return a->tw_total < b->tw_total ? 1 : -1;
	if (a->af != b->af)
		return a->af - b->af;
	c = memcmp(a->addr, b->addr, 16);
	return c;
}

struct pair_row {
	const struct tc_pair_stats *p;
	const struct tc_host_stats *h;
	const struct tc_service_stats *s;
};

static int by_pair_peak(const void *x, const void *y)
{
	const struct pair_row *a = x, *b = y;
	int c;
	if (a->p->tw_peak != b->p->tw_peak)
		return a->p->tw_peak < b->p->tw_peak ? 1 : -1;
	if (a->p->tw_peak_ts != b->p->tw_peak_ts)
		return a->p->tw_peak_ts < b->p->tw_peak_ts ? -1 : 1;
	if ((c = memcmp(a->h->addr, b->h->addr, 16)) != 0)
		return c;
	if ((c = memcmp(a->s->addr, b->s->addr, 16)) != 0)
		return c;
	return a->s->port - b->s->port;
}

/* "client -> service" of a pair's row. */
static const char *pair_str(const struct pair_row *r, char *buf, size_t n)
{
	char a[TC_ADDRSTRLEN], b[80];
	snprintf(buf, n, "%s -> %s", tc_addr_str(r->h->af, r->h->addr, a),
		 service_str(r->s->af, r->s->addr, r->s->port, b, sizeof(b)));
	return buf;
}

/* Who held TIME_WAIT, most at once first, against the ephemeral port range. */
static void time_wait(struct tc_text *t, const struct tc_agg *agg)
{
	FILE *o = t->out;
	size_t i, n = 0, np = 0, rows;
	const struct tc_host_stats **h;
	struct pair_row *pr;
	uint32_t ports = tc_agg_ephemeral_ports(agg);
	char len[32], ts[64], a[TC_ADDRSTRLEN], nm[160];
	int w;

	h = malloc((tc_agg_nhosts(agg) + 1) * sizeof(*h));
	pr = malloc((tc_agg_npairs(agg) + 1) * sizeof(*pr));
	if (!h || !pr)
		goto out;
	for (i = 0; i < tc_agg_nhosts(agg); i++)
		if (tc_agg_host(agg, i)->tw_peak)
			h[n++] = tc_agg_host(agg, i);
	if (!n)
		goto out;
	for (i = 0; i < tc_agg_npairs(agg); i++) {
		const struct tc_pair_stats *p = tc_agg_pair(agg, i);
		if (!p->tw_peak)
			continue;
		pr[np].p = p;
		pr[np].h = tc_agg_host(agg, p->client);
		pr[np].s = tc_agg_service(agg, p->service);
		np++;
	}
	qsort(h, n, sizeof(*h), by_host_peak);
	if (np)
		qsort(pr, np, sizeof(*pr), by_pair_peak);
	snprintf(len, sizeof(len), "%g s", secs(tc_agg_time_wait_ns(agg)));
	heading(t, NULL, "TIME_WAIT (held by the side that closed first, each for %s: --time-wait; most at once first)",
		len);
	rows = t->verbose || n <= t->top ? n : t->top;
	fprintf(o, "  %-39s %6s  %-25s %8s\n", "host", "peak", "at", "in all");
	for (i = 0; i < rows; i++) {
		fprintf(o, "  %-39s %6u  %-25s %8" PRIu64 "\n", tc_addr_str(h[i]->af, h[i]->addr, a),
			h[i]->tw_peak, tc_time_human(h[i]->tw_peak_ts, ts), h[i]->tw_total);
	}
	if (rows < n)
		fprintf(o, "  ... %zu more hosts (--top N, -v)\n", n - rows);
	if (!np)
		goto out;
	rows = t->verbose || np <= t->top ? np : t->top;
	for (i = 0, w = 55; i < rows; i++)
		w = name_width(w, pair_str(&pr[i], nm, sizeof(nm)));
	fprintf(o, "  %-*s %6s  %s\n", w, "client -> service", "peak", "share of the client's ports");
	for (i = 0; i < rows; i++) {
		const struct pair_row *r = &pr[i];
		fprintf(o, "  %-*s %6u  %.2f%% of %u ephemeral ports\n", w, pair_str(r, nm, sizeof(nm)),
			r->p->tw_peak, 100.0 * r->p->tw_peak / ports, ports);
	}
	if (rows < np)
		fprintf(o, "  ... %zu more client -> service pairs (--top N, -v)\n", np - rows);
out:
	free(h);
	free(pr);
}

/* ---- CLOSE_WAIT ------------------------------------------------------ */

static uint64_t leaks(const struct tc_service_stats *s)
{
	return s->close_wait_server + s->close_wait_client;
}

static int by_leaks(const void *x, const void *y)
{
	const struct tc_service_stats *a = *(const struct tc_service_stats *const *)x;
	const struct tc_service_stats *b = *(const struct tc_service_stats *const *)y;
	if (leaks(a) != leaks(b))
		return leaks(a) < leaks(b) ? 1 : -1;
	if (a->close_wait_longest_ns != b->close_wait_longest_ns)
		return a->close_wait_longest_ns < b->close_wait_longest_ns ? 1 : -1;
	return by_trouble(x, y);
}

static void close_wait(struct tc_text *t, const struct tc_agg *agg)
{
	FILE *o = t->out;
	size_t n = 0, i, rows;
	const struct tc_service_stats **v = malloc((tc_agg_nservices(agg) + 1) * sizeof(*v));
	char nm[80];
	int w;

	if (!v)
		return;
	for (i = 0; i < tc_agg_nservices(agg); i++)
		if (leaks(tc_agg_service(agg, i)))
			v[n++] = tc_agg_service(agg, i);
	if (!n) {
		free(v);
		return;
	}
	qsort(v, n, sizeof(*v), by_leaks);
	heading(t, section_color[TC_CLOSE_HALF_CLOSED],
		"CLOSE_WAIT LEAKS (held from the FIN to the end of the capture while still open)");
	rows = t->verbose || n <= t->top ? n : t->top;
	for (i = 0, w = 28; i < rows; i++)
		w = name_width(w, service_str(v[i]->af, v[i]->addr, v[i]->port, nm, sizeof(nm)));
	fprintf(o, "  %-*s %7s %7s %10s  %s\n", w, "server", "server", "client", "longest",
		"oldest still open since");
	for (i = 0; i < rows; i++) {
		char d[32], ts[32];
		fprintf(o, "  %-*s %7" PRIu64 " %7" PRIu64 " %10s  %s\n", w,
			service_str(v[i]->af, v[i]->addr, v[i]->port, nm, sizeof(nm)),
			v[i]->close_wait_server, v[i]->close_wait_client,
			dur(v[i]->close_wait_longest_ns, d, sizeof(d)),
			v[i]->close_wait_oldest_fin ? tod(v[i]->close_wait_oldest_fin, ts, sizeof(ts)) : "-");
	}
	if (rows < n)
		fprintf(o, "  ... %zu more servers (--top N, -v)\n", n - rows);
	fprintf(o, "  (server: the server never called close(); client: the client never did)\n");
	free(v);
}

/* ---- resets over time ------------------------------------------------ */

static void reset_timeline(struct tc_text *t, const struct tc_agg *agg)
{
	static const char level[] = " .:-=+*#%@";
	FILE *o = t->out;
	const uint64_t *c;
	int64_t start, width;
	size_t n = tc_agg_reset_timeline(agg, &c, &start, &width), i, peak = 0;
	uint64_t total = 0;
	char a[32], b[32], w[32];

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		total += c[i];
		if (c[i] > c[peak])
			peak = i;
	}
	heading(t, section_color[TC_CLOSE_RESET], "RESETS OVER TIME (%" PRIu64 ", refused included; one column per %s from %s)",
		total, dur(width, w, sizeof(w)), tod(start, a, sizeof(a)));
	fputs("  |", o);
	for (i = 0; i < n; i++) {
		int l = c[i] ? 1 + (int)((c[i] * 8 + c[peak] - 1) / c[peak]) : 0;
		fputc(level[l > 9 ? 9 : l], o);
	}
	fprintf(o, "| %s\n", tod(start + (int64_t)n * width, b, sizeof(b)));
	fprintf(o, "  busiest: %" PRIu64 " from %s to %s (scale: . least, @ most)\n", c[peak],
		tod(start + (int64_t)peak * width, a, sizeof(a)),
		tod(start + (int64_t)(peak + 1) * width, b, sizeof(b)));
	/* The numbers behind the columns, one per column, on one line. */
	fprintf(o, "  per %s:", dur(width, w, sizeof(w)));
	for (i = 0; i < n; i++)
		fprintf(o, " %" PRIu64, c[i]);
	fputc('\n', o);
}

/* ---- socket options -------------------------------------------------- */

/* One "name: evidence" clause per option seen, into buf; 0 if none. */
static int options_line(char *buf, size_t n, uint64_t aborts, uint64_t ka, uint32_t ka_ms,
			uint64_t nodelay, uint64_t stalls, uint64_t stall_ms, uint64_t reuse)
{
	size_t off = 0;
	buf[0] = '\0';
#define ADD(...)                                                                  \
	do {                                                                      \
		if (off < n)                                                      \
			off += (size_t)snprintf(buf + off, n - off, __VA_ARGS__); \
	} while (0)
	if (aborts)
		ADD("%sSO_LINGER 0 (%" PRIu64 " abort%s)", off ? "; " : "", aborts, aborts == 1 ? "" : "s");
	if (ka) {
		ADD("%sSO_KEEPALIVE (%" PRIu64 " conn%s", off ? "; " : "", ka, ka == 1 ? "" : "s");
		if (ka_ms)
			ADD(", every %.1f s", ka_ms / 1e3);
		ADD(")");
	}
	if (nodelay)
		ADD("%sTCP_NODELAY (%" PRIu64 " conn%s with small segments in flight)", off ? "; " : "",
		    nodelay, nodelay == 1 ? "" : "s");
	if (stalls)
		ADD("%sNagle on, %" PRIu64 " stall%s behind delayed ACKs (%" PRIu64 " ms)", off ? "; " : "",
		    stalls, stalls == 1 ? "" : "s", stall_ms);
	if (reuse)
		ADD("%sreuses 4-tuples in TIME_WAIT (%" PRIu64 ")", off ? "; " : "", reuse);
#undef ADD
	return off > 0;
}

static uint64_t svc_option_weight(const struct tc_service_stats *s)
{
	return s->by_cause_server[TC_CAUSE_ABORTIVE_CLOSE] * 4 + s->nagle_stalls * 2 + s->ka_conns +
	       s->nodelay_conns;
}

static int by_options(const void *x, const void *y)
{
	const struct tc_service_stats *a = *(const struct tc_service_stats *const *)x;
	const struct tc_service_stats *b = *(const struct tc_service_stats *const *)y;
	uint64_t wa = svc_option_weight(a), wb = svc_option_weight(b);
	if (wa != wb)
		return wa < wb ? 1 : -1;
	return by_trouble(x, y);
}

/*
 * The socket-option rows, services then clients, at most t's row limit.
 * With w < 0 nothing is printed and the width their names need (at least
 * 28) is returned; otherwise they are printed with names that wide, and
 * the count of rows left out goes to *more.
 */
static int option_rows(struct tc_text *t, const struct tc_agg *agg,
		       const struct tc_service_stats *const *v, size_t n, int w, size_t *more)
{
	FILE *o = t->out;
	size_t i, shown = 0, rows = t->verbose ? (size_t)-1 : t->top;
	char line[512], name[80], a[TC_ADDRSTRLEN];
	int width = 28;

	*more = 0;
	for (i = 0; i < n; i++) {
		const struct tc_service_stats *s = v[i];
		if (!options_line(line, sizeof(line), s->by_cause_server[TC_CAUSE_ABORTIVE_CLOSE],
				  s->ka_conns, s->ka_interval_ms, s->nodelay_conns, s->nagle_stalls,
				  s->nagle_stall_ms, 0))
			continue;
		if (shown >= rows) {
			(*more)++;
			continue;
		}
		service_str(s->af, s->addr, s->port, name, sizeof(name));
		if (w < 0) {
			width = name_width(width, name);
			shown++;
			continue;
		}
		if (!shown++)
			heading(t, NULL, "SOCKET OPTIONS (as the wire shows them)");
		fprintf(o, "  server %-*s %s\n", w, name, line);
	}
	for (i = 0; i < tc_agg_nhosts(agg); i++) {
		const struct tc_host_stats *h = tc_agg_host(agg, i);
		const struct tc_host_opts *ho = tc_agg_host_opts(agg, i);
		if (!options_line(line, sizeof(line), ho->aborts, ho->ka_conns, ho->ka_interval_ms,
				  ho->nodelay_conns, ho->nagle_stalls, ho->nagle_stall_ms, ho->tw_reuse))
			continue;
		if (shown >= rows) {
			(*more)++;
			continue;
		}
		tc_addr_str(h->af, h->addr, a);
		if (w < 0) {
			width = name_width(width, a);
			shown++;
			continue;
		}
		if (!shown++)
			heading(t, NULL, "SOCKET OPTIONS (as the wire shows them)");
		fprintf(o, "  client %-*s %s\n", w, a, line);
	}
	return width;
}

/* Socket options read from the wire: services by ip:port, clients by host. */
static void socket_options(struct tc_text *t, const struct tc_agg *agg)
{
	size_t i, n = 0, more;
	const struct tc_service_stats **v = malloc((tc_agg_nservices(agg) + 1) * sizeof(*v));

	if (!v)
		return;
	for (i = 0; i < tc_agg_nservices(agg); i++)
		if (svc_option_weight(tc_agg_service(agg, i)) || tc_agg_service(agg, i)->tw_reuse)
			v[n++] = tc_agg_service(agg, i);
	qsort(v, n, sizeof(*v), by_options);
	option_rows(t, agg, v, n, option_rows(t, agg, v, n, -1, &more), &more);
	free(v);
	if (more)
		fprintf(t->out, "  ... %zu more servers and clients (--top N, -v; --format json has all)\n",
			more);
}

/* ---- connections ----------------------------------------------------- */

static void connections(struct tc_text *t)
{
	FILE *o = t->out;
	int i;
	size_t k;

	for (i = 0; i < TC_CLOSE__COUNT; i++) {
		int v = order[i];
		struct spool *s = &t->sp[v];
		if (!s->n)
			continue;
		if (listing(t)) {
			heading(t, section_color[v], "%s (%" PRIu64 ")", section_title[v], s->n);
			copy_listing(o, s);
			continue;
		}
		qsort(s->smp, s->nsmp, sizeof(*s->smp), by_sample_id);
		if (s->nsmp < s->n)
			heading(t, section_color[v], "%s (%" PRIu64 "; the first %zu: --only %s lists them all, -v every connection)",
				section_title[v], s->n, s->nsmp, section_word[v]);
		else
			heading(t, section_color[v], "%s (%" PRIu64 ")", section_title[v], s->n);
		for (k = 0; k < s->nsmp; k++)
			if (s->smp[k].text)
				fputs(s->smp[k].text, o);
	}
	if (t->oom)
		fprintf(o, "\n(out of memory: some connection lines are missing above)\n");
}

/* ---- header ---------------------------------------------------------- */

/*
 * How far the capture can be trusted: the place for capture loss (packets
 * the capture missed) and one-way connections, next to the RSTs ignored,
 * backwards time and evictions the engine counts today.
 */
static void capture_quality(struct tc_text *t, const struct tc_stats *st, struct tc_agg *agg)
{
	FILE *o = t->out;
	if (st->rst_ignored)
		fprintf(o, "  %" PRIu64 " RSTs ignored (sequence number not acceptable)\n",
			st->rst_ignored);
	if (st->time_backwards)
		fprintf(o, "  %" PRIu64 " packets older than one before them (capture time went backwards)\n",
			st->time_backwards);
	if (st->evicted)
		fprintf(o, "  %" PRIu64 " connections evicted to stay within --max-conns\n",
			st->evicted);
	if (st->untracked)
		fprintf(o, "  %" PRIu64 " segments not tracked: out of memory for their connection\n",
			st->untracked);
	if (agg && tc_agg_dropped(agg))
		fprintf(o, "  %" PRIu64 " host, service or client-service records not kept (the "
			   "aggregator is full): findings and tables below are partial\n",
			tc_agg_dropped(agg));
	if (st->loss_conns || st->one_way || st->inferred || st->dups) {
		double share = st->loss_bytes ? 100.0 * (double)st->loss_bytes /
							(double)(st->loss_bytes + st->payload_bytes)
					      : 0.0;
		fprintf(o, "  CAPTURE LOSS: the capture missed %.2f%% of bytes (%" PRIu64 " in %" PRIu64 " gaps) in %" PRIu64 " of %" PRIu64 " connections%s; %" PRIu64 " %s on inferred segments\n",
			share, st->loss_bytes, st->loss_gaps, st->loss_conns, st->reported,
			share >= 0.1 ? " (kernel drops at the capture point?)" : "", st->inferred,
			st->inferred == 1 ? "connection rests" : "connections rest");
		if (st->one_way)
			fprintf(o, "  %" PRIu64 " one-way connection%s (only one side's segments: asymmetric routing at the capture point?)\n",
				st->one_way, st->one_way == 1 ? "" : "s");
		if (st->dups)
			fprintf(o, "  %" PRIu64 " frame%s captured twice (not retransmissions; SPAN port or merged captures?)\n",
				st->dups, st->dups == 1 ? "" : "s");
	}
}

/* The capture's own counters (pcapng interface statistics, or live the
 * kernel's), as given. */
static void input_drops(FILE *o, const struct tc_input_stats *is)
{
	const char *sep = "";

	fprintf(o, "  capture's own counters (%s):", is->from ? is->from : "pcapng interface statistics");
	if (is->have_ifrecv) {
		fprintf(o, " %" PRIu64 " received", is->ifrecv);
		sep = ",";
	}
	if (is->have_ifdrop) {
		fprintf(o, "%s %" PRIu64 " dropped by the interface or capture buffer", sep, is->ifdrop);
		sep = ",";
	}
	if (is->have_osdrop)
		fprintf(o, "%s %" PRIu64 " dropped by the OS", sep, is->osdrop);
	if (!(is->have_ifrecv | is->have_ifdrop | is->have_osdrop))
		fprintf(o, " none given");
	fputc('\n', o);
}

static void header(struct tc_text *t, const struct tc_stats *st, const struct tc_run_info *ri,
		   struct tc_agg *agg)
{
	FILE *o = t->out;
	int i;

	fprintf(o, "tcpclose report: ");
	for (i = 0; i < ri->nfiles; i++)
		fprintf(o, "%s%s", i ? ", " : "", ri->files[i]);
	if (ri->filter && *ri->filter)
		fprintf(o, "  (filter: %s)", ri->filter);
	fputc('\n', o);
	fprintf(o, "  %" PRIu64 " packets, %" PRIu64 " TCP", st->frames, st->tcp);
	if (st->frames > st->tcp)
		fprintf(o, " (%" PRIu64 " other or undecodable)", st->frames - st->tcp);
	if (st->frames) {
		char t1[64], t2[32];
		fprintf(o, ", %.3f s of capture from %s to %s", secs(st->ts_last - st->ts_first),
			tc_time_human(st->ts_first, t1), tod(st->ts_last, t2, sizeof(t2)));
	}
	fputc('\n', o);
	if (ri->input_stats)
		input_drops(o, ri->input_stats);
	fprintf(o, "  %" PRIu64 " connection%s: %" PRIu64 " graceful, %" PRIu64 " half_closed, %" PRIu64 " reset (%" PRIu64 " of them refused), %" PRIu64 " open\n",
		st->reported, st->reported == 1 ? "" : "s", st->by_close[TC_CLOSE_GRACEFUL],
		st->by_close[TC_CLOSE_HALF_CLOSED],
		st->by_close[TC_CLOSE_RESET], st->refused, st->by_close[TC_CLOSE_OPEN]);
	capture_quality(t, st, agg);
	if (st->by_close[TC_CLOSE_GRACEFUL])
		fprintf(o, "  graceful closes: client closed first %" PRIu64 ", server first %" PRIu64
			   ", simultaneous %" PRIu64 "\n",
			t->closer_client, t->closer_server, t->closer_both);
	if (t->time_wait_client || t->time_wait_server)
		fprintf(o, "  TIME_WAIT left on: clients %" PRIu64 ", servers %" PRIu64 "%s\n",
			t->time_wait_client, t->time_wait_server,
			t->time_wait_server > t->time_wait_client ? "  <- servers close first" : "");
	if (t->selection)
		fprintf(o, "  showing %" PRIu64 " of %" PRIu64 " connection%s: %s\n", t->shown,
			st->reported, st->reported == 1 ? "" : "s", t->selection);
}

/* The report, from the findings handed over and the aggregator's tables. */
static void text_write(struct tc_text *t, struct tc_agg *agg, const struct tc_stats *st,
		       const struct tc_run_info *ri)
{
	FILE *o = t->out;
	int i;

	header(t, st, ri, agg);
	if (agg) {
		tc_agg_set_stats(agg, st);
		findings(t, agg);
		services(t, agg);
		time_wait(t, agg);
		close_wait(t, agg);
		reset_timeline(t, agg);
		socket_options(t, agg);
	}
	connections(t);
	for (i = 0; i < ri->nerrors; i++)
		fprintf(o, "\nINPUT STOPPED EARLY: %s\n  the report covers what was read before it\n",
			ri->errors[i]);
}

void tc_text_end(struct tc_text *t, struct tc_agg *agg, const struct tc_stats *st,
		 const struct tc_run_info *ri)
{
	if (agg) {
		const struct tc_finding_group *g;
		size_t n, i;

		tc_agg_set_stats(agg, st);
		g = tc_agg_groups(agg, &n);
		for (i = 0; i < n; i++)
			tc_text_finding(t, &g[i], i + 1);
	}
	text_write(t, agg, st, ri);
}

/* ---- as a format of the pipeline (writer.h) --------------------------- */

static void *text_begin(const struct tc_writer_cfg *cfg)
{
	struct tc_text *t = tc_text_new(cfg->out, cfg->verbose, cfg->color);
	if (!t)
		return NULL;
	tc_text_set_top(t, cfg->top);
	if (cfg->sel && tc_select_active(cfg->sel)) {
		char sel[512];
		tc_select_describe(cfg->sel, "--only", sel, sizeof(sel));
		tc_text_set_selection(t, sel);
	}
	return t;
}

static void text_conn(void *w, const struct tc_conn *c, const struct tc_verdict *v,
		      const struct tc_diagnosis *d, int shown)
{
	tc_text_conn(w, c, v, d, shown); /* counts all, lists the shown */
}

static void text_finding(void *w, const struct tc_finding_group *g, size_t rank,
			 const struct tc_agg *agg)
{
	(void)agg;
	tc_text_finding(w, g, rank);
}

static void text_end(void *w, const struct tc_writer_end *e)
{
	text_write(w, e->agg, e->st, e->ri);
	tc_text_free(w);
}

static void text_discard(void *w)
{
	tc_text_free(w);
}

const struct tc_writer_ops tc_writer_text = {
	.name = "text",
	.rows = 0,
	.begin = text_begin,
	.conn = text_conn,
	.finding = text_finding,
	.end = text_end,
	.discard = text_discard,
};
