/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ladder.c -- text ladder diagrams of one connection (see ladder.h).
 *
 * Layout at 80 columns: relative time (10) and frame (7), the arrow between
 * the two endpoint columns, then each endpoint's state after the segment.
 * Sequence numbers are relative to each side's ISN when the SYN was seen,
 * else to the first sequence number seen from that side.
 */
#include "ladder.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

#define STATE_W 12

void tc_ladder_init(struct tc_ladder *l, uint64_t conn_id)
{
	memset(l, 0, sizeof(*l));
	l->conn_id = conn_id;
}

void tc_ladder_capture(const struct tc_conn *c, int from, const struct tc_pkt *p, int64_t ts_ns,
		       uint64_t frame, const uint8_t before[2], struct tc_ladder_row *r,
		       struct tc_ladder_facts *f)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->ts = ts_ns;
	r->frame = frame;
	r->seq = p->seq;
	r->ack = p->ack;
	r->len = p->payload_len;
	r->win = p->win;
	r->from = (uint8_t)from;
	r->flags = p->flags;
	r->before[0] = before[0];
	r->before[1] = before[1];
	r->after[0] = c->ep[0].state;
	r->after[1] = c->ep[1].state;
	/* An RST that changed nothing was not accepted (or came after the end). */
	r->ignored = (p->flags & TC_RST) && before[0] == r->after[0] && before[1] == r->after[1] &&
		     !(before[0] == TC_CLOSED && before[1] == TC_CLOSED);
	for (i = 0; i < 2; i++) {
		f->isn[i] = c->ep[i].isn;
		f->isn_known[i] = (c->ep[i].flags & TC_EP_SYN) != 0;
		f->retx[i] = c->ep[i].retx;
		f->ka[i] = tc_conn_ext(c)->ep[i].ka_probes;
	}
}

void tc_ladder_append(struct tc_ladder *l, const struct tc_ladder_row *in,
		      const struct tc_ladder_facts *f)
{
	struct tc_ladder_row r = *in;
	int i, first = l->nhead == 0;

	for (i = 0; i < 2; i++) {
		if (!l->isn_known[i] && f->isn_known[i]) {
			l->isn[i] = f->isn[i];
			l->isn_known[i] = 2; /* from the SYN */
		}
	}
	/* Without the SYN, relative to the first segment seen of that side. */
	if (!l->isn_known[r.from] && !(r.flags & TC_SYN)) {
		l->isn[r.from] = r.seq;
		l->isn_known[r.from] = 1;
	}
	if (!first) {
		/* The state machine counted it just now. */
		r.retx = f->retx[r.from] != l->seen.retx[r.from];
		r.keepalive = f->ka[r.from] != l->seen.ka[r.from];
	}
	l->seen = *f;
	if (l->nhead < LADDER_HEAD)
		l->head[l->nhead++] = r;
	else
		l->tail[l->ntail++ % LADDER_TAIL] = r;
}

void tc_ladder_add(struct tc_ladder *l, const struct tc_conn *c, int from, const struct tc_pkt *p,
		   int64_t ts_ns, uint64_t frame, const uint8_t before[2])
{
	struct tc_ladder_row r;
	struct tc_ladder_facts f;
	tc_ladder_capture(c, from, p, ts_ns, frame, before, &r, &f);
	tc_ladder_append(l, &r, &f);
}

/* ---- rendering -------------------------------------------------------- */

struct out {
	void (*line)(const char *s, void *arg);
	void *arg;
	int width;
};

/* One line, trailing blanks trimmed, cut at the width (rows fit by design). */
static void emit(struct out *o, const char *s)
{
	char buf[512];
	size_t n = strlen(s);
	if ((int)n > o->width)
		n = (size_t)o->width;
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	o->line(buf, o->arg);
}

/* Prose (the verdict): word-wrapped, continuation lines indented. */
static void emit_wrapped(struct out *o, const char *s)
{
	char buf[512];
	int indent = 0;
	while (*s) {
		int room = o->width - indent, cut = 0, i;
		size_t len = strlen(s);
		if ((int)len <= room) {
			snprintf(buf, sizeof(buf), "%*s%s", indent, "", s);
			emit(o, buf);
			return;
		}
		for (i = 0; i < room; i++)
			if (s[i] == ' ')
				cut = i;
		if (cut == 0)
			cut = room;
		snprintf(buf, sizeof(buf), "%*s%.*s", indent, "", cut, s);
		emit(o, buf);
		s += cut;
		while (*s == ' ')
			s++;
		indent = 4;
	}
}

static const struct tc_ladder_row *row_at(const struct tc_ladder *l, uint64_t i)
{
	uint64_t kept_tail = l->ntail < LADDER_TAIL ? l->ntail : LADDER_TAIL;
	if (i < l->nhead)
		return &l->head[i];
	i -= l->nhead;
	if (i >= kept_tail)
		return NULL;
	/* the oldest kept tail row is at ntail - kept_tail */
	return &l->tail[(l->ntail - kept_tail + i) % LADDER_TAIL];
}

static uint64_t nrows(const struct tc_ladder *l)
{
	return l->nhead + (l->ntail < LADDER_TAIL ? l->ntail : LADDER_TAIL);
}

static void flag_str(uint8_t f, char *b)
{
	char *o = b;
	if (f & TC_SYN) *o++ = 'S';
	if (f & TC_FIN) *o++ = 'F';
	if (f & TC_PSH) *o++ = 'P';
	if (f & TC_RST) *o++ = 'R';
	if (f & TC_URG) *o++ = 'U';
	if (f & TC_ECE) *o++ = 'E';
	if (f & TC_CWR) *o++ = 'W';
	if (f & TC_ACK) *o++ = '.';
	if (o == b) {
		strcpy(b, "none");
		return;
	}
	*o = '\0';
}

static void label(const struct tc_ladder *l, const struct tc_ladder_row *r, char *b, size_t n)
{
	char fl[12];
	uint32_t seq = r->seq - l->isn[r->from], ack = r->ack - l->isn[!r->from];
	size_t off;

	flag_str(r->flags, fl);
	off = (size_t)snprintf(b, n, "%s", fl);
	if (r->len)
		off += (size_t)snprintf(b + off, n - off, " %" PRIu32 ":%" PRIu32, seq, seq + r->len);
	else
		off += (size_t)snprintf(b + off, n - off, " %" PRIu32, seq);
	if ((r->flags & TC_ACK) && off < n)
		off += (size_t)snprintf(b + off, n - off, " ack %" PRIu32, ack);
	if (r->keepalive && off < n)
		snprintf(b + off, n - off, " keep-alive");
	else if (r->retx && off < n)
		snprintf(b + off, n - off, " retx");
	else if (r->ignored && off < n)
		snprintf(b + off, n - off, " (ignored)");
}

/* "|-- label ------>|" or "|<------ label --|" in exactly w columns. */
static void arrow(char *b, int w, int rightwards, const char *lab)
{
	int ll = (int)strlen(lab), i, pos;
	if (ll > w - 8)
		ll = w - 8;
	for (i = 0; i < w; i++)
		b[i] = '-';
	b[0] = '|';
	b[w - 1] = '|';
	if (rightwards) {
		b[w - 2] = '>';
		pos = 4;
	} else {
		b[1] = '<';
		pos = w - 4 - ll;
	}
	b[pos - 1] = ' ';
	memcpy(b + pos, lab, (size_t)ll);
	b[pos + ll] = ' ';
	b[w] = '\0';
}

/* time(10) frame(7) 2 spaces | arrow | 2 spaces, two state columns */
static int arrow_width(const struct out *o)
{
	int w = o->width - (10 + 1 + 6 + 2) - (2 + STATE_W + 1 + STATE_W);
	return w < 24 ? 24 : w;
}

static void row_line(struct out *o, const struct tc_ladder *l, const struct tc_ladder_row *r, int64_t t0)
{
	char lab[96], arr[256], buf[512];
	int aw = arrow_width(o);
	label(l, r, lab, sizeof(lab));
	arrow(arr, aw, r->from == TC_CLIENT, lab);
	snprintf(buf, sizeof(buf), "%10.6f %6" PRIu64 "  %s  %-*s %-*s", (double)(r->ts - t0) / 1e9,
		 r->frame, arr, STATE_W, tc_state_name((enum tc_state)r->after[0]), STATE_W,
		 tc_state_name((enum tc_state)r->after[1]));
	emit(o, buf);
}

static int plain(const struct tc_ladder_row *r)
{
	return !(r->flags & (TC_SYN | TC_FIN | TC_RST)) && r->before[0] == r->after[0] &&
	       r->before[1] == r->after[1] && !r->keepalive && !r->retx;
}

static int in_handshake(const struct tc_ladder_row *r)
{
	if (r->flags & (TC_FIN | TC_RST))
		return 0;
	if (r->flags & TC_SYN)
		return 1;
	return !(r->before[0] == TC_ESTABLISHED && r->before[1] == TC_ESTABLISHED);
}

static void summary_line(struct out *o, const char *what, const struct tc_ladder_row *a,
			 const struct tc_ladder_row *b, int64_t t0, const char *detail)
{
	char frames[48], buf[512];
	snprintf(frames, sizeof(frames), "%" PRIu64 "-%" PRIu64, a->frame, b->frame);
	snprintf(buf, sizeof(buf), "%10.6f %6s  [%s: %s]", (double)(a->ts - t0) / 1e9,
		 frames, what, detail);
	emit(o, buf);
}

void tc_ladder_render(const struct tc_ladder *l, const struct tc_conn *c, const char *verdict,
		      int width, int full, void (*line)(const char *s, void *arg), void *arg)
{
	struct out o = {line, arg, width < 60 ? 60 : (width > 400 ? 400 : width)};
	uint64_t n = nrows(l), i = 0, gap = l->ntail > LADDER_TAIL ? l->ntail - LADDER_TAIL : 0;
	int64_t t0;
	char buf[512], cl[80], sv[80];

	if (c) {
		tc_field(c, NULL, NULL, "client", cl, sizeof(cl));
		tc_field(c, NULL, NULL, "server", sv, sizeof(sv));
		snprintf(buf, sizeof(buf), "connection #%" PRIu64 ": %s (client) -> %s (server)", l->conn_id,
			 cl, sv);
		emit(&o, buf);
	}
	if (verdict)
		emit_wrapped(&o, verdict);
	if (n == 0) {
		emit(&o, "  (no segments recorded)");
		return;
	}
	t0 = row_at(l, 0)->ts;
	{
		int aw = arrow_width(&o);
		char cols[256];
		snprintf(cols, sizeof(cols), "%-*s%s", aw - 6, "client", "server");
		snprintf(buf, sizeof(buf), "%10s %6s  %s  %-*s %s", "time(s)", "frame", cols, STATE_W,
			 "client state", "server state");
		emit(&o, buf);
	}

	if (!full) {
		/* The handshake, when it completed normally, in one line. */
		uint64_t j = 0;
		while (j < n && in_handshake(row_at(l, j)))
			j++;
		if (j >= 2 && j < n) {
			const struct tc_ladder_row *last = row_at(l, j - 1);
			char d[96];
			snprintf(d, sizeof(d), "%" PRIu64 " segments, %.3f ms, both ESTABLISHED", j,
				 (double)(last->ts - row_at(l, 0)->ts) / 1e6);
			if (last->after[0] == TC_ESTABLISHED && last->after[1] == TC_ESTABLISHED) {
				summary_line(&o, "handshake", row_at(l, 0), last, t0, d);
				i = j;
			}
		}
	}
	for (; i < n; i++) {
		const struct tc_ladder_row *r = row_at(l, i);
		if (i == l->nhead && gap) {
			snprintf(buf, sizeof(buf), "%17s  [... %" PRIu64 " segments not kept ...]", "", gap);
			emit(&o, buf);
		}
		if (!full && plain(r)) {
			/* A run of data/ACK segments in one line; the last one stays
			 * visible when an RST or FIN answers it. */
			uint64_t j = i, bytes[2] = {0, 0};
			const struct tc_ladder_row *next;
			/* A run never spans the rows that were not kept. */
			while (j < n && plain(row_at(l, j)) && !(gap && j == l->nhead && j > i))
				j++;
			next = j < n ? row_at(l, j) : NULL;
			if (next && (next->flags & (TC_RST | TC_FIN)) && j - i >= 1)
				j--;
			if (j - i >= 2) {
				char d[128];
				uint64_t k;
				for (k = i; k < j; k++)
					bytes[row_at(l, k)->from] += row_at(l, k)->len;
				snprintf(d, sizeof(d), "%" PRIu64 " segments, %" PRIu64 " B ->, %" PRIu64 " B <-",
					 j - i, bytes[0], bytes[1]);
				summary_line(&o, "data", r, row_at(l, j - 1), t0, d);
				i = j - 1;
				continue;
			}
		}
		row_line(&o, l, r, t0);
	}
}

/* ---- selectors -------------------------------------------------------- */

static int parse_endpoint(const char *s, size_t n, uint8_t *af, uint8_t addr[16], uint16_t *port)
{
	char host[64];
	const char *colon;
	unsigned long p;
	char *end;
	uint8_t a[16];
	int fam;

	if (n == 0 || n >= sizeof(host))
		return -1;
	if (s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		if (!rb || rb + 1 >= s + n || rb[1] != ':')
			return -1;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		colon = rb + 1;
		fam = 6;
	} else {
		colon = NULL;
		for (const char *q = s; q < s + n; q++)
			if (*q == ':')
				colon = q;
		if (!colon)
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		fam = strchr(host, ':') ? 6 : 4;
	}
	p = strtoul(colon + 1, &end, 10);
	if (end != s + n || p > 65535 || colon + 1 == end)
		return -1;
	memset(a, 0, sizeof(a));
	if (inet_pton(fam == 4 ? AF_INET : AF_INET6, host, a) != 1)
		return -1;
	if (*af && *af != fam)
		return -1;
	*af = (uint8_t)fam;
	memcpy(addr, a, 16);
	*port = (uint16_t)p;
	return 0;
}

int tc_ladder_parse_selector(const char *s, struct tc_ladder_sel *sel)
{
	const char *dash = NULL, *q;
	int depth = 0;
	char *end;

	memset(sel, 0, sizeof(*sel));
	if (*s >= '0' && *s <= '9' && !strpbrk(s, ".:-")) {
		unsigned long long id = strtoull(s, &end, 10);
		if (*end || id == 0)
			return -1;
		sel->id = id;
		return 0;
	}
	for (q = s; *q; q++) {
		if (*q == '[')
			depth++;
		else if (*q == ']')
			depth--;
		else if (*q == '-' && depth == 0)
			dash = q;
	}
	if (!dash)
		return -1;
	if (parse_endpoint(s, (size_t)(dash - s), &sel->af, sel->a, &sel->pa) != 0)
		return -1;
	return parse_endpoint(dash + 1, strlen(dash + 1), &sel->af, sel->b, &sel->pb);
}

int tc_ladder_matches(const struct tc_ladder_sel *sel, const struct tc_conn *c)
{
	const struct tc_endpoint *x = &c->ep[0], *y = &c->ep[1];
	if (sel->id)
		return c->id == sel->id;
	if (c->af != sel->af)
		return 0;
	if (x->port == sel->pa && y->port == sel->pb && !memcmp(x->addr, sel->a, 16) &&
	    !memcmp(y->addr, sel->b, 16))
		return 1;
	return y->port == sel->pa && x->port == sel->pb && !memcmp(y->addr, sel->a, 16) &&
	       !memcmp(x->addr, sel->b, 16);
}
