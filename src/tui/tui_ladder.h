/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui_ladder.h -- the ladder diagram in the live view's detail pane.
 *
 * A ladder must be recorded while the segments pass; the operator picks a
 * connection afterwards, often one that just closed. So every segment goes
 * into one bounded ring (the most recent TUI_LADDER_RING segments of all
 * connections, about 4 MiB), and selecting a connection builds its ladder
 * from what of it is still there, drawn by the same renderer as --ladder.
 */
#ifndef TCPCLOSE_TUI_LADDER_H
#define TCPCLOSE_TUI_LADDER_H

#define TUI_LADDER_RING 65536

/* Install the recorder as the live view's ladder hook (tc_tui_set_ladder).
 * Returns 0, or -1 if the ring could not be allocated (no ladder then). */
int tc_tui_ladder_install(void);
void tc_tui_ladder_uninstall(void);

#endif
