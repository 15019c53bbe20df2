/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui_ladder.c -- the ring of recent segments behind the detail pane's
 * ladder (see tui_ladder.h). Each slot holds what tc_ladder_capture()
 * makes of a segment; a connection's slots are replayed through
 * tc_ladder_append(), as --ladder records them.
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
	struct tc_ladder_facts facts;
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
	(void)arg;
	s->conn_id = c->id;
	tc_ladder_capture(c, from, p, ts, frame, before, &s->row, &s->facts);
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

	tc_ladder_init(g.ladder, id);
	for (k = first; k < g.n; k++) {
		const struct slot *s = &g.ring[k % TUI_LADDER_RING];
		if (s->conn_id == id)
			tc_ladder_append(g.ladder, &s->row, &s->facts);
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
