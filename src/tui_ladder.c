/*
 * tui_ladder.c -- the ring of recent segments behind the detail pane's
 * ladder (see tui_ladder.h). The ring stores finished ladder rows plus the
 * few facts needed to make sequence numbers relative and to spot
 * retransmissions when a connection's rows are gathered.
 */
#include "tui_ladder.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"
#include "tui.h"

struct slot {
	uint64_t conn_id;         /* 0: empty */
	struct tc_ladder_row row;
	uint32_t isn[2];
	uint8_t isn_known[2];
	uint32_t retx[2];         /* each side's retransmission count after it */
	uint32_t ka[2];           /* keep-alive probe counts after it */
};

struct recorder {
	struct slot *ring;
	uint64_t n;               /* slots ever written */
	uint64_t selected;
	struct tc_ladder *ladder; /* built for `selected`, rebuilt on draw */
};

static struct recorder g;

static void on_segment(const struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
		       int64_t ts, uint64_t frame, const uint8_t before[2], void *arg)
{
	struct slot *s = &g.ring[g.n++ % TUI_LADDER_RING];
	int i;
	(void)arg;
	memset(s, 0, sizeof(*s));
	s->conn_id = c->id;
	s->row.ts = ts;
	s->row.frame = frame;
	s->row.seq = p->seq;
	s->row.ack = p->ack;
	s->row.len = p->payload_len;
	s->row.win = p->win;
	s->row.from = (uint8_t)from;
	s->row.flags = p->flags;
	s->row.before[0] = before[0];
	s->row.before[1] = before[1];
	s->row.after[0] = c->ep[0].state;
	s->row.after[1] = c->ep[1].state;
	s->row.ignored = (p->flags & TC_RST) && before[0] == c->ep[0].state &&
			 before[1] == c->ep[1].state &&
			 !(before[0] == TC_CLOSED && before[1] == TC_CLOSED);
	for (i = 0; i < 2; i++) {
		s->isn[i] = c->ep[i].isn;
		s->isn_known[i] = (c->ep[i].flags & TC_EP_SYN) != 0;
		s->retx[i] = c->ep[i].retx;
		s->ka[i] = c->ep[i].ka_probes;
	}
}

static void attach(struct tc_engine *e, void *arg)
{
	(void)arg;
	tc_engine_set_tap(e, on_segment, NULL);
}

static void select_conn(uint64_t id, void *arg)
{
	(void)arg;
	g.selected = id;
}

/* Gather the selected connection's rows, oldest first. */
static void build(uint64_t id)
{
	uint64_t first = g.n > TUI_LADDER_RING ? g.n - TUI_LADDER_RING : 0, k;
	uint32_t retx[2] = {0, 0}, ka[2] = {0, 0};
	int seen = 0, i;

	tc_ladder_init(g.ladder, id);
	for (k = first; k < g.n; k++) {
		struct slot *s = &g.ring[k % TUI_LADDER_RING];
		struct tc_ladder_row r;
		if (s->conn_id != id)
			continue;
		r = s->row;
		if (!seen) {
			/* The first row kept is the baseline: what came before it
			 * is gone from the ring, so it is not marked itself. */
			for (i = 0; i < 2; i++) {
				retx[i] = s->retx[i];
				ka[i] = s->ka[i];
			}
			seen = 1;
		}
		/* Sequence numbers relative to the ISN, else to the first
		 * segment kept of each side. */
		for (i = 0; i < 2; i++) {
			if (!g.ladder->isn_known[i] && s->isn_known[i]) {
				g.ladder->isn[i] = s->isn[i];
				g.ladder->isn_known[i] = 2;
			}
		}
		if (!g.ladder->isn_known[r.from] && !(r.flags & TC_SYN)) {
			g.ladder->isn[r.from] = r.seq;
			g.ladder->isn_known[r.from] = 1;
		}
		r.retx = s->retx[r.from] != retx[r.from];
		r.keepalive = s->ka[r.from] != ka[r.from];
		retx[r.from] = s->retx[r.from];
		ka[r.from] = s->ka[r.from];
		tc_ladder_push(g.ladder, &r);
	}
}

struct draw_ctx {
	WINDOW *w;
	int y, h, wd;
};

static void put_line(const char *s, void *arg)
{
	struct draw_ctx *d = arg;
	if (d->y >= d->h)
		return;
	mvwaddnstr(d->w, d->y++, 0, s, d->wd);
}

static int draw(void *win, int h, int w, const struct tcm_row *row, void *arg)
{
	struct draw_ctx d = {win, 0, h, w};
	(void)arg;
	if (!g.ladder || !row || h < 3)
		return 0;
	build(row->c.id);
	if (g.ladder->nhead == 0) {
		put_line("(no segments of this connection left in the recent-segment ring)", &d);
		return d.y;
	}
	/* Narrow panes get the 80-column layout cut, not a broken one. */
	tc_ladder_render(g.ladder, NULL, NULL, w < 80 ? 80 : w, 0, put_line, &d);
	return d.y;
}

int tc_tui_ladder_install(void)
{
	struct tc_tui_ladder_hook hook = {attach, select_conn, draw, NULL};
	g.ring = calloc(TUI_LADDER_RING, sizeof(*g.ring));
	g.ladder = malloc(sizeof(*g.ladder));
	if (!g.ring || !g.ladder) {
		tc_tui_ladder_uninstall();
		return -1;
	}
	g.n = 0;
	tc_tui_set_ladder(&hook);
	return 0;
}

void tc_tui_ladder_uninstall(void)
{
	tc_tui_set_ladder(NULL);
	free(g.ring);
	free(g.ladder);
	memset(&g, 0, sizeof(g));
}
