/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui.c -- the ncurses view and its event loop (see tui.h).
 *
 * Screen, top to bottom:
 *   header   source, filter, elapsed, packets/s, kernel drops, tracked;
 *            endpoints per state; closes by verdict with rates; sort/filter
 *   table    one row per connection (tracked, then recently finished)
 *   feed     recent closes, resets first-class; or the detail pane (Enter)
 *   status   keys, prompt, messages
 * `t` swaps table and feed for TIME_WAIT per host; `?` shows the keys.
 *
 * Drawing: erase() + wnoutrefresh() + doupdate() each frame, never clear(),
 * so ncurses sends only what changed and nothing flickers.
 */
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pipeline.h"
#include "privdrop.h"
#include "tcpclose/diag.h"

#define TICK_NS (250LL * 1000000LL)      /* model rebuild + redraw: 4 Hz */
#define LIVE_BATCH 512                   /* packets per pcap_dispatch */
#define LIVE_ROUNDS 8                    /* dispatches per loop turn */
#define FILE_SLICE_NS (30LL * 1000000LL) /* reading a file: this long per turn */
#define LIVE_TICK_LAG_NS (200LL * 1000000LL)
#define NS 1000000000LL

enum { V_CONNS = 0, V_TW };

enum {
	C_TITLE = 1, C_RED, C_YELLOW, C_GREEN, C_CYAN, C_DROP, C_HEAD, C__COUNT
};

struct ui {
	const struct tc_live_opts *o;
	struct tcm_model *m;
	struct tc_pipeline *pl; /* the wiring (pipeline.h): owns the engine */
	struct tc_engine *eng;
	struct tc_live *live;
	struct tc_source *src;
	const struct tcm_snap *s;

	/* input */
	int capturing;              /* live capture still running */
	int drained;                /* the last dispatch emptied the queue */
	int eof;                    /* files: all read */
	struct tc_frame pend;       /* files, paced: the next frame, not yet due */
	int have_pend;
	int64_t pace_mono0, pace_cap0, paused_ns, pause_mono;
	int64_t cap_now;            /* capture time given to the model */
	int64_t wall0, mono0;
	int count_reached;
	/* frames captured live, for -c */
	uint64_t live_frames;
	struct tc_live_stats ks;
	char msg[TC_ERRBUF];        /* capture failure / damaged input */
	int status;

	/* view */
	int quit, paused, view, detail, help, prompt;
	char pbuf[TCM_SEARCH_MAX];
	int plen;
	size_t fidx;
	struct tcm_filter filter;
	enum tcm_sort sort;
	long sel, top, tw_top;
	uint64_t sel_id;
	int sel_moved;              /* the user moved the selection: follow that
	                               connection; else stay on the top row */
	struct tcm_row drow;        /* the connection in the detail pane */
	int drow_valid, drow_gone;
	uint64_t frames_at_pause;
	int table_h;
	int utf8, color;
	int keyfd;
	int64_t next_rebuild;       /* mono: rebuilds slow down when they cost */
	FILE *ttyin;
	SCREEN *scr;
	int dirty;
};

static volatile sig_atomic_t g_stop;
static int g_curses;                 /* curses owns the terminal */
static struct tc_tui_ladder_hook g_ladder;

void tc_tui_set_ladder(const struct tc_tui_ladder_hook *hook)
{
	if (hook)
		g_ladder = *hook;
	else
		memset(&g_ladder, 0, sizeof(g_ladder));
}

/* ---- terminal restore on every way out ------------------------------- */

static void restore_term(void)
{
	if (g_curses && !isendwin())
		endwin();
	g_curses = 0;
}

static void on_stop(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void on_fatal(int sig)
{
	/* Best effort: leave the terminal usable, then die as we would have. */
	if (g_curses)
		endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	struct sigaction sa;
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop; /* no SA_RESTART: poll() returns at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	atexit(restore_term);
}

/* ---- small drawing helpers ------------------------------------------- */

/* Bytes of s that fit in `cols` screen columns (UTF-8: one column per
 * character; the only non-ASCII text drawn is the arrow). */
static int fit_bytes(const char *s, int cols)
{
	int b = 0, c = 0;
	while (s[b]) {
		if (((unsigned char)s[b] & 0xc0) != 0x80) {
			if (c == cols)
				break;
			c++;
		}
		b++;
	}
	return b;
}

static int text_cols(const char *s)
{
	int c = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			c++;
	return c;
}

/* Draw s at (y, x), clipped to `maxw` columns and the screen; returns x after. */
static int put(int y, int x, int maxw, attr_t a, const char *s)
{
	int room = COLS - x, n;
	if (y < 0 || y >= LINES || x >= COLS || room <= 0)
		return x;
	if (maxw >= 0 && maxw < room)
		room = maxw;
	n = fit_bytes(s, room);
	if (a)
		attron(a);
	mvaddnstr(y, x, s, n);
	if (a)
		attroff(a);
	return x + text_cols(s) < x + room ? x + text_cols(s) : x + room;
}

#if defined(__GNUC__) || defined(__clang__)
static int putf(int y, int x, attr_t a, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#endif
static int putf(int y, int x, attr_t a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return put(y, x, -1, a, buf);
}

static attr_t cp(struct ui *u, int pair)
{
	return u->color ? COLOR_PAIR(pair) : 0;
}

/* A full-width line in attribute a. */
static void bar(int y, attr_t a)
{
	if (y < 0 || y >= LINES)
		return;
	attron(a);
	mvhline(y, 0, ' ', COLS);
	attroff(a);
}

static char *num_str(double v, char *buf, size_t n)
{
	if (v >= 1e6)
		snprintf(buf, n, "%.1fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, n, "%.1fk", v / 1e3);
	else if (v >= 100)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.1f", v);
	return buf;
}

static char *clock_str(int64_t ns, char *buf, size_t n)
{
	time_t t = (time_t)(ns / NS);
	struct tm tm;
	if (!localtime_r(&t, &tm)) {
		snprintf(buf, n, "--:--:--");
		return buf;
	}
	snprintf(buf, n, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(ns % NS / 1000000));
	return buf;
}

static const char *arrow(struct ui *u)
{
	return u->utf8 ? "\xe2\x86\x92" : ">";
}

/* ---- header ----------------------------------------------------------- */

/*
 * Items laid out left to right on header lines, wrapping to a new line
 * (indented) when the next one does not fit: on a narrow terminal the
 * header grows a line rather than losing what is at its end.
 */
struct flow {
	int y0, y, x, lines;
};

static void flow_start(struct flow *f, int y)
{
	f->y0 = f->y = y;
	f->x = 0;
	f->lines = 1;
}

#if defined(__GNUC__) || defined(__clang__)
static void flowf(struct flow *f, attr_t a, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#endif
/* One item; a leading "  " is the gap, dropped at the start of a line. */
static void flowf(struct flow *f, attr_t a, const char *fmt, ...)
{
	char buf[256];
	const char *p = buf;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (f->x > 2 && f->x + text_cols(buf) > COLS) {
		f->y++;
		f->lines++;
		f->x = 2;
	}
	if (f->x <= 2)
		while (*p == ' ')
			p++;
	f->x = put(f->y, f->x, -1, a, p);
}

/* Line 0, in the title bar: the items that fit, by priority, in order. */
static void draw_title(struct ui *u)
{
	const struct tcm_snap *s = u->s;
	struct {
		char text[160];
		attr_t a;
		int prio; /* 0 always; higher goes first when short of room */
	} it[10];
	char a[64];
	int n = 0, i, w, drop;
	attr_t title = A_REVERSE | A_BOLD;

#define ITEM(p, at, ...)                                               \
	do {                                                           \
		snprintf(it[n].text, sizeof(it[n].text), __VA_ARGS__); \
		it[n].a = (at);                                        \
		it[n].prio = (p);                                      \
		n++;                                                   \
	} while (0)

	bar(0, title);
	ITEM(0, title, " tcpclose ");
	if (u->live) {
		ITEM(0, title, " %s", tc_live_name(u->live));
	} else {
		const char *f = u->o->files[0], *base = strrchr(f, '/');
		ITEM(0, title, " %s%s", base && base[1] ? base + 1 : f, u->o->nfiles > 1 ? " ..." : "");
	}
	if (u->o->filter && *u->o->filter)
		ITEM(3, title, "  '%s'", u->o->filter);
	/* Kernel drops: the number that says whether the view can be trusted,
	 * right after the source, never left out. */
	if (u->live) {
		uint64_t drops = u->ks.drop + u->ks.ifdrop;
		if (drops) {
			uint64_t seen = u->ks.recv + u->ks.ifdrop;
			double pct = seen ? 100.0 * (double)drops / (double)seen : 100.0;
			ITEM(0, (u->color ? cp(u, C_DROP) : A_NORMAL) | A_BOLD,
			     pct < 0.1 ? "  KERNEL DROPS %" PRIu64 " (<0.1%%) "
				       : "  KERNEL DROPS %" PRIu64 " (%.1f%%) ",
			     drops, pct);
		} else {
			ITEM(0, title, "  drops 0");
		}
	}
	/* Packets saved (-w): the operator must know the disk is filling. */
	if (u->live && u->o->save.file) {
		const char *f = u->o->save.file, *base = strrchr(f, '/');
		ITEM(1, title, "  saving %s", base && base[1] ? base + 1 : f);
	}
	if (u->live)
		ITEM(2, title, "  up %s", tcm_dur_str(tc_mono_ns() - u->mono0, a, sizeof(a)));
	else
		ITEM(2, title, "  capture %s",
		     tcm_dur_str(s->frames ? s->now - s->first_ts : 0, a, sizeof(a)));
	ITEM(4, title, "  %s pkt/s", num_str(s->pkt_rate, a, sizeof(a)));
	ITEM(1, title, "  tracked %" PRIu64, s->tracked);
	if (!u->live) {
		int64_t done = 0, total = -1;
		if (u->src && !u->eof)
			tc_source_progress(u->src, &done, &total);
		if (u->eof)
			ITEM(0, title, "  read: done");
		else if (total > 0)
			ITEM(0, title, "  read %d%%", (int)(done * 100 / total));
		if (u->o->speed > 0)
			ITEM(3, title, "  x%g", u->o->speed);
	}
#undef ITEM
	/* Leave out the least needed until the rest fits (PAUSED: 8 more). */
	for (drop = 5; drop > 0; drop--) {
		for (w = 0, i = 0; i < n; i++)
			if (it[i].prio < drop)
				w += text_cols(it[i].text);
		if (w + (u->paused ? 8 : 0) <= COLS)
			break;
	}
	if (drop == 0)
		drop = 1; /* what must stay stays, clipped at the edge */
	{
		int x = 0;
		for (i = 0; i < n; i++)
			if (it[i].prio < drop)
				x = put(0, x, -1, it[i].a, it[i].text);
		if (u->paused)
			putf(0, COLS - 8 > x ? COLS - 8 : x, title | cp(u, C_YELLOW), " PAUSED ");
	}
}

/* Endpoints per state, all nine: whole names when they fit, then shorter
 * ones (TIME_WAIT and CLOSE_WAIT stay whole while they can), then short
 * names over as many lines as they need. Returns the lines drawn. */
static int draw_states(struct ui *u, int y)
{
	const struct tcm_snap *s = u->s;
	static const int st[] = {TC_ESTABLISHED, TC_FIN_WAIT_1, TC_FIN_WAIT_2, TC_CLOSING,
				 TC_TIME_WAIT, TC_CLOSE_WAIT, TC_LAST_ACK, TC_SYN_SENT,
				 TC_SYN_RECEIVED};
	enum { NST = sizeof(st) / sizeof(st[0]) };
	static const char *const medn[NST] = {"ESTAB", "FIN_W1", "FIN_W2",
					      "CLOSING", "TIME_WAIT", "CLOSE_WAIT",
					      "LAST_ACK", "SYN_S", "SYN_R"};
	static const char *const mixn[NST] = {"EST", "FW1", "FW2", "CLG", "TIME_WAIT",
					      "CLOSE_WAIT", "LA", "SS", "SR"};
	static const char *const shortn[NST] = {"EST", "FW1", "FW2", "CLG", "TW",
						"CW", "LA", "SS", "SR"};
	const char *const *names[4] = {NULL, medn, mixn, shortn};
	char nb[24];
	int t, i, w = 0;
	struct flow f;

	for (t = 0; t < 4; t++) {
		w = 0;
		for (i = 0; i < NST; i++) {
			snprintf(nb, sizeof(nb), "%" PRIu64, s->state_count[st[i]]);
			w += (int)strlen(t ? names[t][i] : tc_state_name((enum tc_state)st[i])) + 1 +
			     (int)strlen(nb) + (i ? 2 : 0);
		}
		if (w <= COLS)
			break;
	}
	if (t == 4)
		t = 3; /* short names, wrapped */
	flow_start(&f, y);
	for (i = 0; i < NST; i++) {
		uint64_t n = s->state_count[st[i]];
		attr_t at = 0;
		if (n && (st[i] == TC_CLOSE_WAIT || st[i] == TC_FIN_WAIT_2 || st[i] == TC_LAST_ACK))
			at = cp(u, C_YELLOW) | A_BOLD;
		else if (!n)
			at = A_DIM;
		flowf(&f, at, "%s%s %" PRIu64, i ? "  " : "",
		      t ? names[t][i] : tc_state_name((enum tc_state)st[i]), n);
	}
	return f.lines;
}

static int draw_header(struct ui *u)
{
	const struct tcm_snap *s = u->s;
	char a[64], fn[32];
	int y = 1, i, rates;
	struct flow f;

	draw_title(u);
	y += draw_states(u, y);

	/* Closes and their rates, in the text report's words: reset includes
	 * refused. The rates are left out when the line would not fit. */
	{
		struct {
			char text[96];
			char rate[32];
			attr_t a;
		} k[4];
		int nk = 0, w = 0;
		const char *head = s->rate_avg ? "closes (avg/s)" : "closes";
		uint64_t n[3] = {s->graceful, s->half_closed, s->reset};
		double r[3] = {s->graceful_rate, s->half_closed_rate, s->reset_rate};
		static const char *const name[3] = {"graceful", "half_closed", "reset"};
		static const int pair[3] = {C_GREEN, C_YELLOW, C_RED};

		for (i = 0; i < 3; i++, nk++) {
			if (i == 2)
				snprintf(k[i].text, sizeof(k[i].text), "  %s %" PRIu64 " (refused %" PRIu64 ")",
					 name[i], n[i], s->refused);
			else
				snprintf(k[i].text, sizeof(k[i].text), "  %s %" PRIu64, name[i], n[i]);
			snprintf(k[i].rate, sizeof(k[i].rate), " %s/s", num_str(r[i], a, sizeof(a)));
			k[i].a = n[i] ? cp(u, pair[i]) | (pair[i] == C_RED ? A_BOLD : 0) : A_DIM;
		}
		if (s->open) {
			snprintf(k[nk].text, sizeof(k[nk].text), "  open %" PRIu64, s->open);
			k[nk].rate[0] = '\0';
			k[nk++].a = A_DIM;
		}
		for (i = 0; i < nk; i++)
			w += text_cols(k[i].text) + text_cols(k[i].rate);
		rates = (int)strlen(head) + w <= COLS;
		flow_start(&f, y);
		flowf(&f, cp(u, C_CYAN), "%s", rates ? head : "closes");
		for (i = 0; i < nk; i++) {
			flowf(&f, k[i].a, "%s", k[i].text);
			if (rates && k[i].rate[0])
				f.x = put(f.y, f.x, -1, A_DIM, k[i].rate);
		}
		y += f.lines;
	}

	/* How the table is cut, and what the view does not hold. */
	tcm_filter_name(&s->filter, fn, sizeof(fn));
	flow_start(&f, y);
	flowf(&f, 0, "sort: %s", tcm_sort_name(s->sort));
	flowf(&f, s->filter.kind ? A_BOLD | cp(u, C_YELLOW) : 0, "  filter: %s", fn);
	if (s->filter.text[0])
		flowf(&f, A_BOLD | cp(u, C_YELLOW), "  search: %s", s->filter.text);
	flowf(&f, 0, "  rows %zu", s->nmatch);
	if (s->nmatch != s->ntotal)
		flowf(&f, A_DIM, " of %zu", s->ntotal);
	if (s->nmatch != s->nrows)
		flowf(&f, A_BOLD | cp(u, C_YELLOW), "  (first %zu shown: cap %" PRIu32 ")", s->nrows,
		      s->rows_cap);
	if (s->browsing && s->fin_dropped)
		flowf(&f, A_BOLD | cp(u, C_RED), "  showing %zu of %" PRIu64 " (newest kept: cap %" PRIu32 ")",
		      s->ntotal, (uint64_t)s->ntotal + s->fin_dropped + s->fin_aged, s->fin_cap);
	else if (!s->browsing && (s->fin_aged || s->fin_dropped)) {
		flowf(&f, A_DIM, "  aged out %" PRIu64, s->fin_aged + s->fin_dropped);
		if (s->fin_dropped)
			flowf(&f, A_BOLD | cp(u, C_YELLOW), " (%" PRIu64 " early: cap %" PRIu32 ")",
			      s->fin_dropped, s->fin_cap);
	}
	if (u->paused)
		flowf(&f, A_BOLD, "  paused: %" PRIu64 " packets since",
		      tc_engine_stats(u->eng)->frames - u->frames_at_pause);
	if (s->evicted)
		flowf(&f, cp(u, C_RED), "  evicted %" PRIu64, s->evicted);
	y += f.lines;
	return y;
}

/* ---- connection table ------------------------------------------------- */

struct cols {
	int ca, sa;          /* address widths */
	int st;              /* state width */
	int age, idle, bytes, last, hist;
};

static void layout(struct ui *u, struct cols *c, long first, long n)
{
	const struct tcm_snap *s = u->s;
	char e[TC_ADDRSTRLEN + 8];
	long i;
	int w, used, reserve;

	c->ca = 6;
	c->sa = 6;
	for (i = first; i < first + n && i < (long)s->nrows; i++) {
		const struct tc_conn *k = &s->rows[i].c;
		int l = (int)strlen(tcm_endpoint_str(k->af, k->ep[0].addr, k->ep[0].port, e, sizeof(e)));
		if (l > c->ca)
			c->ca = l;
		l = (int)strlen(tcm_endpoint_str(k->af, k->ep[1].addr, k->ep[1].port, e, sizeof(e)));
		if (l > c->sa)
			c->sa = l;
	}
	c->st = 11;
	w = COLS;
	/* marker (close, inferred), client, arrow, server, two states */
	used = 2 + c->ca + 3 + c->sa + 1 + c->st + 1 + c->st;
	while (used > w && (c->ca > 12 || c->sa > 12)) {
		if (c->ca >= c->sa && c->ca > 12)
			c->ca--;
		else
			c->sa--;
		used--;
	}
	c->age = c->idle = c->bytes = c->last = c->hist = 0;
	/* What fits, by what matters in an incident: idle time, the last
	 * event / verdict (at least 12 columns), age, then the byte counts. */
	if (used + 7 <= w)
		c->idle = 6, used += 7;
	reserve = used + 13 <= w ? 13 : 0;
	if (used + reserve + 7 <= w)
		c->age = 6, used += 7;
	if (used + 14 + 17 <= w)
		c->bytes = 6, used += 14;
	if (reserve && used + 13 <= w) {
		c->last = w - used - 1;
		if (c->last > 22 && used + 1 + 22 + 1 + 8 <= w) {
			c->last = 22;
			c->hist = w - used - 1 - 22 - 1;
			if (c->hist > TC_HISTORY_MAX)
				c->hist = TC_HISTORY_MAX;
		}
	}
}

/* An address that does not fit loses its middle, never its port. */
static void fit_addr(const char *in, int w, char *out, size_t n)
{
	int l = (int)strlen(in);
	if (l <= w || w < 5) {
		snprintf(out, n, "%s", in);
		return;
	}
	{
		int tail = w / 2, head = w - tail - 1;
		snprintf(out, n, "%.*s~%s", head, in, in + l - tail);
	}
}

static int state_pair(int st)
{
	switch (st) {
	case TC_CLOSE_WAIT:
	case TC_FIN_WAIT_2:
	case TC_LAST_ACK:
		return C_YELLOW;
	case TC_ESTABLISHED:
		return C_GREEN;
	default:
		return 0;
	}
}

static void draw_row(struct ui *u, int y, const struct cols *c, const struct tcm_row *r, int sel)
{
	const struct tc_conn *k = &r->c;
	char e[TC_ADDRSTRLEN + 8], f[TC_ADDRSTRLEN + 8], t1[16], t2[16], last[64];
	tc_history_buf hb;
	int x = 0, i;
	attr_t base = 0, at;
	char mark[4];

	if (r->finished)
		base = A_DIM;
	tcm_row_mark(r, mark, sizeof(mark));
	if (r->v.close == TC_CLOSE_RESET)
		base = cp(u, C_RED) | (r->finished ? 0 : A_BOLD);
	if (sel) {
		base = A_REVERSE;
		bar(y, A_REVERSE);
	}
	x = putf(y, x, base, "%s", mark);
	tcm_endpoint_str(k->af, k->ep[0].addr, k->ep[0].port, e, sizeof(e));
	fit_addr(e, c->ca, f, sizeof(f));
	put(y, x, c->ca, base, f);
	x += c->ca;
	x = putf(y, x, base, " %s ", arrow(u));
	tcm_endpoint_str(k->af, k->ep[1].addr, k->ep[1].port, e, sizeof(e));
	fit_addr(e, c->sa, f, sizeof(f));
	put(y, x, c->sa, base, f);
	x += c->sa + 1;
	for (i = 0; i < 2; i++) {
		int st = k->ep[i].state;
		at = base;
		if (!sel && !r->finished && state_pair(st))
			at = cp(u, state_pair(st)) | (st == TC_ESTABLISHED ? 0 : A_BOLD);
		put(y, x, c->st, at, st == TC_SYN_RECEIVED ? "SYN_RCVD" : tc_state_name((enum tc_state)st));
		x += c->st + 1;
	}
	if (c->age) {
		putf(y, x, base, "%*s", c->age, tcm_dur_str(u->s->now - k->first_ts, t1, sizeof(t1)));
		x += c->age + 1;
	}
	if (c->idle) {
		putf(y, x, base, "%*s", c->idle, tcm_dur_str(u->s->now - k->last_ts, t1, sizeof(t1)));
		x += c->idle + 1;
	}
	if (c->bytes) {
		putf(y, x, base, "%*s %*s", c->bytes,
		     tcm_bytes_str(tcm_row_bytes(r, TC_CLIENT), t1, sizeof(t1)), c->bytes,
		     tcm_bytes_str(tcm_row_bytes(r, TC_SERVER), t2, sizeof(t2)));
		x += 2 * c->bytes + 2;
	}
	if (c->last) {
		tcm_row_last(r, last, sizeof(last));
		put(y, x, c->last, base, last);
		x += c->last + 1;
	}
	if (c->hist)
		put(y, x, c->hist, base | (sel ? 0 : A_DIM), tcm_row_history(r, hb));
}

static void draw_table(struct ui *u, int y0, int h)
{
	const struct tcm_snap *s = u->s;
	struct cols c;
	int x = 0, y;
	long i;
	attr_t hd = A_BOLD | A_UNDERLINE;
	char cs[16], sc[16];

	u->table_h = h - 1;
	if (u->table_h < 1)
		u->table_h = 1;
	if (u->sel >= (long)s->nrows)
		u->sel = (long)s->nrows - 1;
	if (u->sel < 0)
		u->sel = 0;
	if (u->sel < u->top)
		u->top = u->sel;
	if (u->sel >= u->top + u->table_h)
		u->top = u->sel - u->table_h + 1;
	if (u->top > (long)s->nrows - u->table_h)
		u->top = (long)s->nrows - u->table_h;
	if (u->top < 0)
		u->top = 0;

	layout(u, &c, u->top, u->table_h);
	bar(y0, hd | cp(u, C_HEAD));
	x = putf(y0, 0, hd | cp(u, C_HEAD), "  %-*s   %-*s %-*s %-*s", c.ca, "CLIENT", c.sa,
		 "SERVER", c.st, "CLIENT ST", c.st, "SERVER ST");
	if (c.age)
		x = putf(y0, x, hd | cp(u, C_HEAD), " %*s", c.age, "AGE");
	if (c.idle)
		x = putf(y0, x, hd | cp(u, C_HEAD), " %*s", c.idle, "IDLE");
	if (c.bytes) {
		snprintf(cs, sizeof(cs), "C%sS", arrow(u));
		snprintf(sc, sizeof(sc), "S%sC", arrow(u));
		x = putf(y0, x, hd | cp(u, C_HEAD), " %*s %*s", c.bytes + (int)strlen(cs) - 3, cs,
			 c.bytes + (int)strlen(sc) - 3, sc);
	}
	if (c.last)
		x = putf(y0, x, hd | cp(u, C_HEAD), " %-*s", c.last, "LAST");
	if (c.hist)
		putf(y0, x, hd | cp(u, C_HEAD), " %s", "HISTORY");

	if (!s->nrows) {
		putf(y0 + 1, 1, A_DIM, s->ntotal ? "no connection matches the filter (c clears it)"
						 : "no TCP connection seen yet");
		return;
	}
	for (i = u->top, y = y0 + 1; i < (long)s->nrows && y < y0 + h; i++, y++)
		draw_row(u, y, &c, &s->rows[i], i == u->sel);
}

/* ---- event feed -------------------------------------------------------- */

static void draw_feed(struct ui *u, int y0, int h)
{
	const struct tcm_snap *s = u->s;
	char t[32], line[256];
	size_t i;
	int y;

	bar(y0, A_BOLD | A_UNDERLINE | cp(u, C_HEAD));
	putf(y0, 0, A_BOLD | A_UNDERLINE | cp(u, C_HEAD), " RECENT CLOSES (newest first)");
	if (!s->nfeed)
		putf(y0 + 1, 1, A_DIM, "none yet: closes appear here as connections end");
	for (i = 0, y = y0 + 1; i < s->nfeed && y < y0 + h; i++, y++) {
		const struct tcm_event *ev = &s->feed[i];
		attr_t at = 0;
		if (tcm_event_is_reset(ev))
			at = cp(u, C_RED) | A_BOLD;
		else if (ev->v.close == TC_CLOSE_HALF_CLOSED)
			at = cp(u, C_YELLOW);
		else if (ev->v.close == TC_CLOSE_OPEN)
			at = A_DIM;
		putf(y, 0, A_DIM, " %s ", clock_str(ev->ts, t, sizeof(t)));
		tcm_event_text(ev, arrow(u), line, sizeof(line));
		put(y, 15, -1, at, line);
	}
}

/* ---- detail pane -------------------------------------------------------- */

/* Text from column x to the right edge, wrapped at spaces, on lines y up
 * to (not including) ymax. Returns the line after. */
static int wrap(int y, int x, int ymax, attr_t a, const char *p)
{
	int w = COLS - x - 1;
	while (*p && y < ymax && w > 10) {
		int n = fit_bytes(p, w), cut = n;
		if (p[n]) {
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = n;
		}
		putf(y++, x, a, "%.*s", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
	return y;
}

static void draw_detail(struct ui *u, int y0, int h)
{
	const struct tcm_row *r = &u->drow;
	const struct tc_conn *k = &r->c;
	char a[TC_ADDRSTRLEN + 8], b[TC_ADDRSTRLEN + 8], t1[32], t2[32], d1[16], d2[16];
	tc_history_buf hb;
	int y = y0, i;

	bar(y, A_BOLD | A_UNDERLINE | cp(u, C_HEAD));
	if (!u->drow_valid) {
		putf(y, 0, A_BOLD | A_UNDERLINE | cp(u, C_HEAD), " DETAIL");
		putf(y + 1, 1, A_DIM, "no connection selected");
		return;
	}
	tcm_endpoint_str(k->af, k->ep[0].addr, k->ep[0].port, a, sizeof(a));
	tcm_endpoint_str(k->af, k->ep[1].addr, k->ep[1].port, b, sizeof(b));
	putf(y++, 0, A_BOLD | A_UNDERLINE | cp(u, C_HEAD), " CONNECTION #%" PRIu64 "  %s %s %s  %s%s",
	     k->id, a, arrow(u), b, r->finished ? "finished" : "open",
	     u->drow_gone ? " (no longer in the table)" : "");
	if (y >= y0 + h)
		return;
	{
		const char *closer = tc_who_name((enum tc_who)r->v.closer);
		const char *rby = tc_who_name((enum tc_who)r->v.reset_by);
		const char *ph = tc_phase_name((enum tc_phase)r->v.reset_phase);
		putf(y++, 1, 0, "opened %s   close%s %s   closer %s   reset by %s%s%s",
		     tc_opened_name((enum tc_opened)r->v.opened), r->finished ? "" : " so far",
		     tc_close_name((enum tc_close)r->v.close), closer ? closer : "-",
		     rby ? rby : "-", ph ? " during " : "", ph ? ph : "");
	}
	if (y >= y0 + h)
		return;
	putf(y++, 1, A_BOLD, "%-6s %-11s %6s %8s %4s %4s %4s %4s %5s %7s %7s", "", "STATE", "PKTS",
	     "BYTES", "FINS", "RSTS", "RETX", "ZWIN", "TTL", "FIN@", "RST@");
	for (i = 0; i < 2 && y < y0 + h; i++) {
		const struct tc_endpoint *e = &k->ep[i];
		const struct tc_ep_end *en = &tcm_row_end(r)->ep[i];
		char ttl[16], ff[24], fr[24];
		if (e->ttl_min == e->ttl_max)
			snprintf(ttl, sizeof(ttl), "%u", e->ttl_min);
		else
			snprintf(ttl, sizeof(ttl), "%u-%u", e->ttl_min, e->ttl_max);
		snprintf(ff, sizeof(ff), en->frame_fin ? "%" PRIu64 : "-", en->frame_fin);
		snprintf(fr, sizeof(fr), en->frame_rst ? "%" PRIu64 : "-", en->frame_rst);
		putf(y++, 1, 0, "%-6s %-11s %6" PRIu32 " %8" PRIu64 " %4" PRIu32 " %4" PRIu32 " %4" PRIu32
			       " %4" PRIu32 " %5s %7s %7s",
		     i ? "server" : "client", tc_state_name((enum tc_state)e->state), e->pkts,
		     tcm_row_bytes(r, (enum tc_role)i),
		     en->fins, en->rsts, e->retx, e->zero_win, ttl, ff, fr);
	}
	if (y >= y0 + h)
		return;
	putf(y++, 1, 0, "age %s  idle %s  frames %" PRIu64 "-%" PRIu64 "  history %s",
	     tcm_dur_str(u->s->now - k->first_ts, d1, sizeof(d1)),
	     tcm_dur_str(u->s->now - k->last_ts, d2, sizeof(d2)), k->frame_first, k->frame_last,
	     tcm_row_history(r, hb));
	if (y < y0 + h)
		putf(y++, 1, 0, "first packet %s  last packet %s", clock_str(k->first_ts, t1, sizeof(t1)),
		     clock_str(k->last_ts, t2, sizeof(t2)));
	if (y < y0 + h && (k->cflags & (TC_CONN_SIMULTANEOUS | TC_CONN_SUPERSEDED | TC_CONN_EVICTED) ||
			   k->rst_ignored))
		putf(y++, 1, 0, "%s%s%s%s", (k->cflags & TC_CONN_SIMULTANEOUS) ? "simultaneous close  " : "",
		     (k->cflags & TC_CONN_SUPERSEDED) ? "port reused (superseded)  " : "",
		     (k->cflags & TC_CONN_EVICTED) ? "evicted (--max-conns)  " : "",
		     k->rst_ignored ? "RSTs ignored (out of window)" : "");
	if (y < y0 + h) {
		char cap[256];
		if (tcm_row_capture(r, cap, sizeof(cap))[0]) {
			putf(y, 1, A_BOLD, "capture:");
			y = wrap(y, 10, y0 + h, cp(u, C_YELLOW), cap);
		}
	}
	if (y < y0 + h && !r->finished && r->v.close == TC_CLOSE_HALF_CLOSED &&
	    (r->v.closer == TC_WHO_CLIENT || r->v.closer == TC_WHO_SERVER)) {
		int c = r->v.closer == TC_WHO_CLIENT ? TC_CLIENT : TC_SERVER, o = 1 - c;
		char d3[16], why[256];
		snprintf(why, sizeof(why),
			 "the %s sent FIN %s ago; the %s (%s) has not closed its side yet: its "
			 "application has not called close()",
			 c == TC_CLIENT ? "client" : "server",
			 tcm_dur_str(u->s->now - tcm_row_end(r)->ep[c].ts_fin, d3, sizeof(d3)),
			 o == TC_CLIENT ? "client" : "server",
			 tc_state_name((enum tc_state)k->ep[o].state));
		putf(y, 1, A_BOLD, "why:");
		y = wrap(y, 6, y0 + h, cp(u, C_YELLOW), why);
	}
	if (y < y0 + h && (r->v.close == TC_CLOSE_RESET || r->finished)) {
		struct tc_diagnosis dx;
		struct tc_conn kc;
		struct tc_conn_bufs kx;
		const struct tc_conn *kk = tcm_row_conn(r, &kc, &kx);
		char why[512];
		struct tc_verdict vx = r->v;
		/* Finished: what the engine handed over; else its answer so far. */
		if (r->finished)
			dx = r->d;
		else
			tc_engine_judge(kk, &vx, &dx);
		tc_diag_explain(kk, &vx, &dx, why, sizeof(why));
		if (why[0]) {
			putf(y, 1, A_BOLD, "why:");
			y = wrap(y, 6, y0 + h, 0, why);
		}
	}
	/* The ladder diagram renderer plugs in here (tc_tui_set_ladder). */
	if (g_ladder.draw && y + 2 < y0 + h) {
		WINDOW *w = derwin(stdscr, y0 + h - y - 1, COLS - 2, y + 1, 1);
		if (w) {
			werase(w);
			g_ladder.draw(w, y0 + h - y - 1, COLS - 2, r, g_ladder.arg);
			delwin(w);
		}
	}
}

/* ---- TIME_WAIT per host -------------------------------------------------- */

static void draw_tw(struct ui *u, int y0, int h)
{
	const struct tcm_snap *s = u->s;
	char a[TC_ADDRSTRLEN];
	int y = y0, barw = 0;
	size_t i;

	{
		int x = putf(y, 1, A_BOLD, "TIME_WAIT per host: %" PRIu64 " endpoints now, %zu host%s by peak",
			     s->tw_total, s->ntw, s->ntw == 1 ? "" : "s");
		if (s->tw_hosts_dropped)
			putf(y, x, A_BOLD | cp(u, C_YELLOW),
			     "  (host table full at %d: %" PRIu64 " quiet hosts left out)", TCM_HOSTS_MAX,
			     s->tw_hosts_dropped);
		y++;
	}
	putf(y++, 1, 0, "held %llds by the side that closed first; ephemeral range %" PRIu32 " ports (Linux %u-%u)",
	     (long long)(s->time_wait_ns / NS), s->eph_ports, TC_EPHEMERAL_PORT_LO, TC_EPHEMERAL_PORT_HI);
	bar(y, A_BOLD | A_UNDERLINE | cp(u, C_HEAD));
	putf(y++, 0, A_BOLD | A_UNDERLINE | cp(u, C_HEAD), " %-39s %8s %8s %7s  %s", "HOST",
	     "NOW", "PEAK", "PEAK%", "PEAK AGAINST THE EPHEMERAL RANGE");
	if (!s->ntw) {
		putf(y, 1, A_DIM, "no TIME_WAIT seen yet");
		return;
	}
	if (u->tw_top > (long)s->ntw - 1)
		u->tw_top = (long)s->ntw - 1;
	if (u->tw_top < 0)
		u->tw_top = 0;
	for (i = (size_t)u->tw_top; i < s->ntw && y < y0 + h; i++, y++) {
		const struct tcm_host *t = &s->tw[i];
		double pct = s->eph_ports ? 100.0 * t->peak / s->eph_ports : 0;
		attr_t at = pct >= 80 ? cp(u, C_RED) | A_BOLD : pct >= 50 ? cp(u, C_YELLOW) | A_BOLD : 0;
		int x = putf(y, 0, at, " %-39s %8" PRIu32 " %8" PRIu32 " %6.1f%%  ",
			     tc_addr_str(t->af, t->addr, a), t->now, t->peak, pct);
		barw = COLS - x - 3;
		if (barw >= 10) {
			int fill = (int)(pct / 100.0 * barw + 0.5), k;
			char bb[256];
			if (fill > barw)
				fill = barw;
			if (t->peak && fill == 0)
				fill = 1;
			for (k = 0; k < barw && k < (int)sizeof(bb) - 3; k++)
				bb[k] = k < fill ? '#' : '.';
			bb[k] = '\0';
			putf(y, x, at, "[%s]", bb);
		}
	}
}

/* ---- help ------------------------------------------------------------------ */

static void draw_help(struct ui *u, int y0, int h)
{
	static const char *const lines[] = {
		"Keys",
		"  q            quit (the terminal is restored)",
		"  p            pause / resume the view (capture goes on and is counted)",
		"  s / S        next / previous sort: idle, age, state, bytes, resets",
		"  f / F        next / previous filter: all, CLOSE_WAIT, FIN_WAIT_2, FIN_WAIT_1,",
		"               CLOSING, LAST_ACK, TIME_WAIT, ESTABLISHED, SYN_SENT,",
		"               SYN_RECEIVED, reset, open, finished",
		"  /            search by host or port (digits: a port; else part of addr:port)",
		"  c            clear filter and search",
		"  Up/Down j/k  move;  PgUp/PgDn  page;  Home/End g/G  first / last",
		"  Enter        detail of the selected connection (Enter or Esc closes)",
		"  t            TIME_WAIT per host against the ephemeral port range",
		"  ?            this help (any key closes it)",
		"",
		"Rows: tracked and finished connections (x; R: reset), sorted alike. Live,",
		"finished ones stay a while, then count as aged out; a file keeps them all.",
		"State counts include TIME_WAIT of finished connections until it expires.",
		"Closes count when they happen; reset includes refused (SYN answered by RST).",
		"While paused, a new filter or search takes one fresh snapshot.",
	};
	int i, n = (int)(sizeof(lines) / sizeof(lines[0]));
	for (i = 0; i < n && i < h; i++)
		putf(y0 + i, 2, i == 0 ? A_BOLD | cp(u, C_CYAN) : 0, "%s", lines[i]);
}

/* ---- one frame ---------------------------------------------------------------- */

static void draw_status(struct ui *u)
{
	int y = LINES - 1;
	if (u->prompt) {
		bar(y, 0);
		putf(y, 0, A_BOLD, "search host or port: %s", u->pbuf);
		move(y, 21 + u->plen < COLS ? 21 + u->plen : COLS - 1);
		return;
	}
	bar(y, A_REVERSE);
	if (u->msg[0]) {
		int x = put(y, 0, COLS - 18, A_REVERSE | A_BOLD | cp(u, C_RED), u->msg);
		putf(y, x, A_REVERSE, "   q quit  ? help");
		return;
	}
	putf(y, 0, A_REVERSE,
	     " q quit  p pause  s sort  f filter  / search  Enter detail  t TIME_WAIT  ? help%s",
	     u->count_reached ? "   [capture stopped at -c]" : "");
}

static void draw(struct ui *u)
{
	int y, h, feed_h;

	erase();
	if (LINES < 12 || COLS < 60) {
		putf(0, 0, A_BOLD, "tcpclose: terminal too small (%dx%d, need 60x12); q quits", COLS, LINES);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	y = draw_header(u);
	h = LINES - 1 - y; /* lines between header and status */
	if (u->help) {
		draw_help(u, y + 1, h - 1);
	} else if (u->view == V_TW) {
		draw_tw(u, y, h);
	} else {
		if (u->detail)
			feed_h = h / 2 > 9 ? h / 2 : (h > 12 ? 9 : h / 2);
		else
			feed_h = h / 3 < 3 ? 3 : h / 3 > 11 ? 11 : h / 3;
		draw_table(u, y, h - feed_h);
		if (u->detail)
			draw_detail(u, y + h - feed_h, feed_h);
		else
			draw_feed(u, y + h - feed_h, feed_h);
	}
	draw_status(u);
	if (!u->prompt)
		move(LINES - 1, COLS - 1);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- model upkeep ----------------------------------------------------------- */

/* Keep the selection on the same connection across rebuilds. */
static void follow_selection(struct ui *u)
{
	const struct tcm_snap *s = u->s;
	long i = u->sel_moved && u->sel_id ? tcm_find(s, u->sel_id) : -1;
	if (!u->sel_moved)
		u->sel = 0;
	else if (i >= 0)
		u->sel = i;
	if (u->sel >= (long)s->nrows)
		u->sel = (long)s->nrows - 1;
	if (u->sel < 0)
		u->sel = 0;
	u->sel_id = s->nrows ? s->rows[u->sel].c.id : 0;
	if (u->detail && u->drow_valid) {
		long k = tcm_find(s, u->drow.c.id);
		if (k >= 0) {
			u->drow = s->rows[k];
			u->drow_gone = 0;
		} else {
			u->drow_gone = 1;
		}
	}
}

static int64_t model_now(struct ui *u)
{
	if (u->live)
		return tc_wall_ns();
	return u->cap_now;
}

static void rebuild(struct ui *u)
{
	tcm_rebuild(u->m, u->eng, model_now(u));
	follow_selection(u);
}

static void on_conn(const struct tc_conn *c, const struct tc_verdict *v,
		    const struct tc_diagnosis *d, void *arg)
{
	struct ui *u = arg;
	tcm_on_conn(u->m, c, v, d, u->cap_now);
}

/* ---- keys ------------------------------------------------------------------------- */

static const struct {
	int kind, state;
} fcycle[] = {
	{TCM_F_ALL, 0},
	{TCM_F_STATE, TC_CLOSE_WAIT},
	{TCM_F_STATE, TC_FIN_WAIT_2},
	{TCM_F_STATE, TC_FIN_WAIT_1},
	{TCM_F_STATE, TC_CLOSING},
	{TCM_F_STATE, TC_LAST_ACK},
	{TCM_F_STATE, TC_TIME_WAIT},
	{TCM_F_STATE, TC_ESTABLISHED},
	{TCM_F_STATE, TC_SYN_SENT},
	{TCM_F_STATE, TC_SYN_RECEIVED},
	{TCM_F_RESET, 0},
	{TCM_F_OPEN, 0},
	{TCM_F_FINISHED, 0},
};
#define NFCYCLE (sizeof(fcycle) / sizeof(fcycle[0]))

static void apply_filter(struct ui *u)
{
	tcm_set_filter(u->m, &u->filter);
	rebuild(u); /* also while paused: one fresh snapshot */
}

static void set_pause(struct ui *u, int on)
{
	u->paused = on;
	if (on) {
		u->frames_at_pause = tc_engine_stats(u->eng)->frames;
		u->pause_mono = tc_mono_ns();
	} else {
		u->paused_ns += tc_mono_ns() - u->pause_mono;
		rebuild(u);
	}
}

static void key_prompt(struct ui *u, int ch)
{
	switch (ch) {
	case 27: /* Esc: cancel */
		u->prompt = 0;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		u->prompt = 0;
		snprintf(u->filter.text, sizeof(u->filter.text), "%s", u->pbuf);
		apply_filter(u);
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (u->plen > 0)
			u->pbuf[--u->plen] = '\0';
		break;
	default:
		if (ch >= 32 && ch < 127 && u->plen < TCM_SEARCH_MAX - 1) {
			u->pbuf[u->plen++] = (char)ch;
			u->pbuf[u->plen] = '\0';
		}
		break;
	}
}

static void move_sel(struct ui *u, long d)
{
	if (u->view == V_TW) {
		u->tw_top += d;
		if (u->tw_top < 0)
			u->tw_top = 0;
		return;
	}
	u->sel += d;
	if (u->sel >= (long)u->s->nrows)
		u->sel = (long)u->s->nrows - 1;
	if (u->sel < 0)
		u->sel = 0;
	u->sel_moved = u->sel > 0; /* back on the top row: stay there */
	u->sel_id = u->s->nrows ? u->s->rows[u->sel].c.id : 0;
}

/* Tell the ladder hook which connection the detail pane shows. */
static void ladder_select(struct ui *u)
{
	static uint64_t last;
	uint64_t id = u->detail && u->drow_valid ? u->drow.c.id : 0;
	if (id != last && g_ladder.select)
		g_ladder.select(id, g_ladder.arg);
	last = id;
}

static void key(struct ui *u, int ch)
{
	long page = u->table_h > 1 ? u->table_h - 1 : 1;

	u->dirty = 1;
	if (ch == KEY_RESIZE)
		return;
	if (u->prompt) {
		key_prompt(u, ch);
		return;
	}
	if (u->help) {
		u->help = 0;
		if (ch != 'q' && ch != 'Q')
			return;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		u->quit = 1;
		break;
	case 'p':
	case ' ':
		set_pause(u, !u->paused);
		break;
	case 's':
	case 'S':
		u->sort = (enum tcm_sort)((u->sort + (ch == 's' ? 1 : TCM_SORT__COUNT - 1)) % TCM_SORT__COUNT);
		tcm_set_sort(u->m, u->sort);
		if (u->paused)
			tcm_resort(u->m);
		else
			rebuild(u);
		follow_selection(u);
		break;
	case 'f':
	case 'F':
		u->fidx = (u->fidx + (ch == 'f' ? 1 : NFCYCLE - 1)) % NFCYCLE;
		u->filter.kind = fcycle[u->fidx].kind;
		u->filter.state = fcycle[u->fidx].state;
		apply_filter(u);
		break;
	case '/':
		u->prompt = 1;
		snprintf(u->pbuf, sizeof(u->pbuf), "%s", u->filter.text);
		u->plen = (int)strlen(u->pbuf);
		break;
	case 'c':
		u->fidx = 0;
		memset(&u->filter, 0, sizeof(u->filter));
		apply_filter(u);
		break;
	case 't':
		u->view = u->view == V_TW ? V_CONNS : V_TW;
		break;
	case '?':
	case 'h':
		u->help = 1;
		break;
	case 27: /* Esc */
		if (u->detail)
			u->detail = 0;
		else if (u->view == V_TW)
			u->view = V_CONNS;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (u->view == V_TW)
			break;
		if (u->detail) {
			u->detail = 0;
		} else if (u->s->nrows) {
			u->detail = 1;
			u->drow = u->s->rows[u->sel];
			u->drow_valid = 1;
			u->drow_gone = 0;
		}
		break;
	case KEY_UP:
	case 'k':
		move_sel(u, -1);
		break;
	case KEY_DOWN:
	case 'j':
		move_sel(u, 1);
		break;
	case KEY_PPAGE:
		move_sel(u, -page);
		break;
	case KEY_NPAGE:
		move_sel(u, page);
		break;
	case KEY_HOME:
	case 'g':
		move_sel(u, -(long)u->s->nrows - (long)u->s->ntw);
		break;
	case KEY_END:
	case 'G':
		move_sel(u, (long)u->s->nrows + (long)u->s->ntw);
		break;
	default:
		u->dirty = 0;
		break;
	}
	/* The detail pane follows the selection. */
	if (u->detail && u->s->nrows && u->sel < (long)u->s->nrows &&
	    u->s->rows[u->sel].c.id != u->drow.c.id) {
		u->drow = u->s->rows[u->sel];
		u->drow_gone = 0;
	}
	ladder_select(u);
}

static void read_keys(struct ui *u)
{
	int ch, n = 0;
	while (n++ < 64 && (ch = getch()) != ERR) {
		key(u, ch);
		if (u->quit)
			return;
	}
}

/* ---- input ------------------------------------------------------------------------ */

static void live_frame(void *arg, const struct tc_frame *fr)
{
	struct ui *u = arg;
	if (!u->capturing)
		return;
	if (fr->ts_ns > u->cap_now)
		u->cap_now = fr->ts_ns;
	/* Queued, as the stream does (the engine takes it a few frames later;
	 * the loop drains the queue after pump_live()): the engine's frame
	 * count lags, so -c counts here. */
	(void)tc_engine_push(u->eng, fr->dlt, fr->ts_ns, fr->frame, fr->data, fr->caplen,
			     fr->wirelen);
	if (u->o->count && ++u->live_frames >= u->o->count) {
		u->capturing = 0;
		u->count_reached = 1;
	}
}

static void pump_live(struct ui *u)
{
	int i, n;
	u->drained = 0;
	for (i = 0; i < LIVE_ROUNDS && u->capturing; i++) {
		n = tc_live_dispatch(u->live, LIVE_BATCH, live_frame, u);
		if (n < 0) {
			snprintf(u->msg, sizeof(u->msg), " %s (the view stays)",
				 tc_live_error(u->live));
			u->capturing = 0;
			u->status = 2;
			u->dirty = 1;
			return;
		}
		if (tc_live_ended(u->live)) {
			/* -G -W: the last file is full; tcpdump would exit. */
			snprintf(u->msg, sizeof(u->msg),
				 " -w: -W's file limit reached, the capture stopped (the view stays)");
			u->capturing = 0;
			u->dirty = 1;
			return;
		}
		if (n < LIVE_BATCH) {
			u->drained = 1;
			return;
		}
	}
}

static void file_end(struct ui *u)
{
	int i, n;
	u->eof = 1;
	tcm_set_ended(u->m);
	tc_engine_finish(u->eng);
	n = tc_source_nerrors(u->src);
	for (i = 0; i < n; i++) {
		snprintf(u->msg, sizeof(u->msg), " %s", tc_source_error(u->src, i));
		u->status = 2;
	}
	rebuild(u);
	u->dirty = 1;
}

static void pump_file(struct ui *u)
{
	int64_t t0 = tc_mono_ns(), target = INT64_MAX;
	unsigned k = 0;

	if (u->eof)
		return;
	if (u->o->speed > 0) {
		if (u->paused)
			return; /* replaying: pause stops the clock too */
		if (u->pace_mono0)
			target = u->pace_cap0 +
				 (int64_t)((double)(t0 - u->pace_mono0 - u->paused_ns) * u->o->speed);
	}
	for (;;) {
		if (!u->have_pend) {
			if (u->count_reached || tc_source_next(u->src, &u->pend) != 1) {
				file_end(u);
				return;
			}
			u->have_pend = 1;
			if (!u->pace_mono0) {
				u->pace_mono0 = t0;
				u->pace_cap0 = u->pend.ts_ns;
				if (u->o->speed > 0)
					target = u->pace_cap0;
			}
		}
		if (u->pend.ts_ns > target)
			break;
		if (u->pend.ts_ns > u->cap_now)
			u->cap_now = u->pend.ts_ns;
		tc_engine_frame_wire(u->eng, u->pend.dlt, u->pend.ts_ns, u->pend.frame, u->pend.data,
				     u->pend.caplen, u->pend.wirelen);
		u->have_pend = 0;
		if (u->o->count && tc_engine_stats(u->eng)->frames >= u->o->count)
			u->count_reached = 1;
		if ((++k & 255) == 0 && tc_mono_ns() - t0 > FILE_SLICE_NS)
			return;
	}
	/* Paced and waiting for the next frame: capture time still flows. */
	if (target != INT64_MAX && target > u->cap_now) {
		u->cap_now = target;
		tc_engine_tick(u->eng, target);
	}
}

/* ms until the paced replay needs the next frame. */
static int pace_wait_ms(struct ui *u)
{
	int64_t due;
	if (!u->have_pend || u->o->speed <= 0 || u->paused)
		return 250;
	due = u->pace_mono0 + u->paused_ns +
	      (int64_t)((double)(u->pend.ts_ns - u->pace_cap0) / u->o->speed);
	due -= tc_mono_ns();
	if (due <= 0)
		return 0;
	return due / 1000000 > 250 ? 250 : (int)(due / 1000000) + 1;
}

static void tick(struct ui *u)
{
	if (u->live) {
		/* Idle or not, capture time advances so the engine reports the
		 * connections that closed; a little behind the wall clock so a
		 * packet still queued in the kernel is not older than it. */
		if (u->drained || !u->capturing) {
			int64_t t = tc_wall_ns() - LIVE_TICK_LAG_NS;
			if (t > u->cap_now)
				u->cap_now = t;
			tc_engine_tick(u->eng, u->cap_now);
		}
		tc_live_stats(u->live, &u->ks);
	}
	/* The model is rebuilt 4 times a second, or less often when a
	 * rebuild costs more than a fifth of the time (a million connections
	 * tracked): packets keep the CPU. */
	/* A file read to the end changes no more: file_end() rebuilt it, and
	 * a new sort or filter rebuilds at once. */
	if (!u->paused && !u->eof && tc_mono_ns() >= u->next_rebuild) {
		int64_t t0 = tc_mono_ns(), cost;
		rebuild(u);
		cost = tc_mono_ns() - t0;
		u->next_rebuild = t0 + (5 * cost > TICK_NS ? 5 * cost : TICK_NS) - TICK_NS / 10;
	}
}

/* ---- setup and the loop -------------------------------------------------------- */

static void colors(struct ui *u)
{
	u->color = has_colors() && !getenv("NO_COLOR");
	if (!u->color)
		return;
	start_color();
	use_default_colors();
	init_pair(C_TITLE, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_RED, COLOR_RED, -1);
	init_pair(C_YELLOW, COLOR_YELLOW, -1);
	init_pair(C_GREEN, COLOR_GREEN, -1);
	init_pair(C_CYAN, COLOR_CYAN, -1);
	init_pair(C_DROP, COLOR_WHITE, COLOR_RED);
	init_pair(C_HEAD, COLOR_CYAN, -1);
}

static int start_curses(struct ui *u, int stdin_is_data)
{
	const char *term = getenv("TERM");
	u->keyfd = STDIN_FILENO;
	if (stdin_is_data || !isatty(STDIN_FILENO)) {
		/* The capture comes on stdin, or stdin is not the terminal:
		 * keys from the terminal itself. */
		u->ttyin = fopen("/dev/tty", "r");
		if (!u->ttyin) {
			tc_live_perror("the view needs a terminal to read keys from (/dev/tty)");
			return -1;
		}
		u->keyfd = fileno(u->ttyin);
	}
	u->scr = newterm(NULL, stdout, u->ttyin ? u->ttyin : stdin);
	if (!u->scr) {
		fprintf(stderr, "tcpclose: cannot drive terminal type '%s'\n", term ? term : "(unset)");
		return -1;
	}
	set_term(u->scr);
	g_curses = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	leaveok(stdscr, TRUE);
	colors(u);
	return 0;
}

static void summary(struct ui *u)
{
	const struct tc_stats *st = tc_engine_stats(u->eng);
	uint64_t g = st->by_close[TC_CLOSE_GRACEFUL], h = st->by_close[TC_CLOSE_HALF_CLOSED];
	uint64_t rs = st->by_close[TC_CLOSE_RESET];
	/* Live, connections still in the table (open, or closed and not yet
	 * reported) have no verdict yet: say so rather than call them open.
	 * The text report's words: reset includes refused. */
	fprintf(stderr,
		"tcpclose: %" PRIu64 " packets, %" PRIu64 " connections: %" PRIu64 " graceful, %" PRIu64
		" half_closed, %" PRIu64 " reset (%" PRIu64 " refused), %" PRIu64 " open, %" PRIu64
		" still tracked",
		st->frames, st->conns, g, h, rs, st->refused, st->by_close[TC_CLOSE_OPEN], st->active);
	if (u->live && u->ks.valid)
		fprintf(stderr, ", %" PRIu64 " dropped by kernel", u->ks.drop + u->ks.ifdrop);
	fputc('\n', stderr);
	if (u->msg[0])
		tc_live_perror(u->msg + 1);
}

int tc_tui_run(const struct tc_live_opts *o)
{
	static struct ui ui; /* the signal and exit paths only need g_curses */
	struct ui *u = &ui;
	struct tcm_opts mo = {0};
	struct tc_pipeline_opts po = {0};
	char err[TC_ERRBUF];
	int stdin_is_data = 0, i, status = 1;
	const char *cs;
	int64_t next_tick;
	int metrics_warned = 1; /* errors are said once the screen is back */

	memset(u, 0, sizeof(*u));
	u->o = o;
	if (!isatty(STDOUT_FILENO)) {
		tc_live_perror("the live view needs a terminal on stdout (--format json streams instead)");
		return 1;
	}
	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	u->utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	tzset(); /* before privileges go: /etc/localtime stays readable anyway */

	/* 1. Open the input, with privileges. */
	if (o->iface) {
		u->live = tc_live_open(o->iface, o->filter, o->snaplen, o->buffer_mib, !o->no_promisc, err);
		if (!u->live) {
			tc_live_perror(err);
			return 1;
		}
		u->capturing = 1;
	} else {
		u->src = tc_source_open(o->files, o->nfiles, o->filter, err);
		if (!u->src) {
			tc_live_perror(err);
			return 1;
		}
		for (i = 0; i < o->nfiles; i++)
			if (!strcmp(o->files[i], "-"))
				stdin_is_data = 1;
	}
	/* 2. Drop them before the first packet is parsed; -w's files are
	 * created after, as tcpdump's. */
	if (tc_privdrop(o->user, err, sizeof(err)) != 0 ||
	    (u->live && o->save.file && tc_live_save(u->live, &o->save, o->count, err) != 0)) {
		tc_live_perror(err);
		goto fail;
	}

	/* 3. The model and the engine. */
	if (u->live) {
		mo.finished_cap = TCM_DEFAULT_FINISHED_CAP;
		mo.rows_cap = TCM_DEFAULT_ROWS_CAP;
	} else {
		/* Browsing a file: everything has finished by the end; every
		 * connection is kept (storage grows as they come) up to
		 * TCM_BROWSE_CAP, past which the header says how many are shown
		 * of how many. */
		mo.finished_cap = TCM_BROWSE_CAP;
		mo.rows_cap = TCM_BROWSE_CAP;
		if (o->speed <= 0) {
			mo.keep_ns = -1;
			mo.rate_window_ns = -1;
		}
	}
	mo.time_wait_ns = o->agg.time_wait_ns;
	mo.eph_ports = o->agg.ephemeral_ports;
	u->m = tcm_new(&mo);
	if (u->m)
		u->s = tcm_snap(u->m);
	/* The same wiring as a report, with the model as its only consumer. */
	po.eng = o->eng;
	po.tap = on_conn;
	po.tap_arg = u;
	po.metrics = u->live ? o->metrics : NULL;
	if (u->m && (u->pl = tc_pipeline_new(&po)))
		u->eng = tc_pipeline_engine(u->pl);
	if (!u->m || !u->eng) {
		tc_live_perror("out of memory");
		goto fail;
	}
	if (g_ladder.attach)
		g_ladder.attach(u->eng, g_ladder.arg);
	u->wall0 = tc_wall_ns();
	u->mono0 = tc_mono_ns();
	u->cap_now = u->live ? u->wall0 : 0;

	if (u->live && o->metrics && tc_live_metrics_start(u->pl, u->live) != 0)
		goto fail;

	/* 4. The terminal. */
	install_signals();
	if (start_curses(u, stdin_is_data) != 0)
		goto fail;
	rebuild(u);
	draw(u);

	next_tick = tc_mono_ns() + TICK_NS;
	while (!g_stop && !u->quit) {
		struct pollfd pfd[2];
		int n = 0, timeout;
		int64_t now = tc_mono_ns();

		timeout = next_tick > now ? (int)((next_tick - now) / 1000000) + 1 : 0;
		pfd[n].fd = u->keyfd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
		if (u->live && u->capturing) {
			if (tc_live_fd(u->live) >= 0) {
				pfd[n].fd = tc_live_fd(u->live);
				pfd[n].events = POLLIN;
				pfd[n++].revents = 0;
			} else if (timeout > 20) {
				timeout = 20;
			}
			if (!u->drained)
				timeout = 0; /* a burst is still queued */
		}
		if (u->src && !u->eof) {
			if (o->speed > 0) {
				int w = pace_wait_ms(u);
				if (w < timeout)
					timeout = w;
			} else {
				timeout = 0;
			}
		}
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break; /* the terminal went away */
		/* Keys first: a burst of packets never makes them wait. */
		read_keys(u);
		if (u->quit || g_stop)
			break;
		if (u->live && u->capturing) {
			pump_live(u);
			/* What is drawn, counted and rebuilt from the engine
			 * is every frame read so far. */
			tc_engine_drain(u->eng);
		} else if (u->src)
			pump_file(u);
		now = tc_mono_ns();
		if (now >= next_tick) {
			tick(u);
			/* --metrics: quiet while curses owns the screen; said below. */
			if (u->live && o->metrics)
				(void)tc_live_metrics(u->pl, u->live, &metrics_warned);
			next_tick += TICK_NS;
			if (next_tick <= now)
				next_tick = now + TICK_NS;
			u->dirty = 1;
		}
		if (u->dirty) {
			draw(u);
			u->dirty = 0;
		}
	}
	restore_term();
	if (u->scr)
		delscreen(u->scr);
	u->scr = NULL;
	/* --metrics: the last rewrite shows the capture as the view left it. */
	if (u->live && o->metrics) {
		(void)tc_live_metrics(u->pl, u->live, NULL);
		(void)tc_pipeline_metrics(u->pl, NULL, INT64_MAX);
		if (tc_pipeline_error(u->pl))
			fprintf(stderr, "tcpclose: --metrics %s\n", tc_pipeline_error(u->pl));
	}
	summary(u);
	status = u->status;
	/* -w: closed and said after the summary; a write error that showed
	 * only at the last flush makes the run one stopped part-way. */
	if (u->live && tc_live_save_finish(u->live) != 0 && !status)
		status = 2;
fail:
	/* One way out, for a finished run and a failed start alike. */
	restore_term();
	if (u->scr)
		delscreen(u->scr);
	if (u->ttyin)
		fclose(u->ttyin);
	tc_pipeline_free(u->pl);
	tcm_free(u->m);
	if (u->live)
		tc_live_close(u->live);
	if (u->src)
		tc_source_close(u->src);
	return status;
}
