/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui.h -- the ncurses view: `tcpclose -i IFACE` on a terminal, and
 * `tcpclose -r FILE --tui` to browse a capture in the same view.
 *
 * One poll() loop serves the capture descriptor, the keyboard and a redraw
 * timer (a few frames a second whatever the packet rate); packets are
 * handled in bounded batches so a burst never freezes the keys. The view
 * draws from the view model (tui_model.h), rebuilt on the timer, never from
 * the flow table directly.
 *
 * The capture (or the files) is opened first, then privileges are dropped
 * (privdrop.h), then the terminal is taken. The terminal is restored on
 * every way out: q, SIGINT/SIGTERM/SIGHUP, exit(), and fatal signals.
 */
#ifndef TCPCLOSE_TUI_H
#define TCPCLOSE_TUI_H

#include "live.h"
#include "tui_model.h"

/*
 * Run the view on o->iface (live) or o->files (o->speed: 0 = read as fast
 * as possible, then browse; X = replay at X times capture speed). Needs a
 * terminal on stdout. Returns the exit status: 0; 1 could not start (the
 * message is printed); 2 the capture failed or a file was damaged part-way.
 */
int tc_tui_run(const struct tc_live_opts *o);

/*
 * Hook for the ladder diagram of the selected connection (ladder.h), drawn
 * in the detail pane (Enter) below the connection's facts. All members are
 * optional; set it before tc_tui_run().
 *
 *   attach  called once with the engine, before the first packet: the place
 *           to tc_engine_set_tap() a recorder;
 *   select  the connection the detail pane shows changed (0: pane closed):
 *           the place to start recording that id, bounded;
 *   draw    draw into `win`, a curses WINDOW * (a sub-window of the pane,
 *           already erased) of h lines by w columns, with the curses window
 *           functions, no refresh; `row` is the view model's copy of the
 *           connection (valid during the call only). Returns the lines used.
 */
struct tc_tui_ladder_hook {
	void (*attach)(struct tc_engine *e, void *arg);
	void (*select)(uint64_t conn_id, void *arg);
	int (*draw)(void *win, int h, int w, const struct tcm_row *row, void *arg);
	void *arg;
};
void tc_tui_set_ladder(const struct tc_tui_ladder_hook *hook);

#endif
