/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * history.h -- the Zeek conn.log `history` string of a connection.
 *
 * Analysts compare tcpclose with Zeek, so the letters and their case rules
 * are Zeek's: upper case for the originator (our client), lower case for the
 * responder.
 *   S  SYN without ACK            H  SYN+ACK
 *   A  pure ACK                   D  payload
 *   F  FIN                        R  RST
 *   T  retransmitted payload      W  zero window advertised
 *   Q  SYN with FIN or RST        I  FIN with RST (inconsistent)
 *   ^  the client is not the sender of the first packet (direction flipped)
 *   G  content gap: the peer acknowledged past bytes of this side that
 *      the capture never held (a hole in its sequence numbers, or data
 *      and FINs the capture lost), counted when the ACK comes, and only
 *      while both sides are established or closed from established in
 *      Zeek's own endpoint model, as Zeek's reassembler does
 * A, D, Q, I are recorded once per direction; F and R again when their
 * sequence number differs from the previous one of that side; T, W and G
 * on the 1st, 10th, 100th ... occurrence. Zeek's C (bad checksum) is not
 * produced: offloading makes checksums wrong in most host captures.
 * Zeek's letters follow its originator, which after a SYN/SYN+ACK
 * reversal (the '^') is tcpclose's client, as every letter here does.
 * The string holds at most TC_HISTORY_MAX letters; later ones are dropped.
 */
#ifndef TCPCLOSE_HISTORY_H
#define TCPCLOSE_HISTORY_H

#include "tcpclose/conn.h"
#include "tcpclose/decode.h"

/*
 * The history's step of the per-segment pass (segment.h): record the
 * letters for segment g->p sent by g->from. Runs after the counters (the
 * endpoint's pkts, fins, rsts, retx, zero_win include the segment) and the
 * state machine; what it needs from before the segment is in g->before.
 */
struct tc_seg;
void tc_history_observe(struct tc_conn *c, const struct tc_seg *g);

/*
 * The gap letters of segment g (G/g for its peer's data): runs after
 * Zeek's endpoint model has seen the segment (segment.h, step 5), on the
 * gaps the inference found its ACK reporting (tc_conn_ext.gap_now).
 */
void tc_history_gaps(struct tc_conn *c, const struct tc_seg *g);

/*
 * The letters of a segment with no SYN, FIN or RST that repeats nothing and
 * opens the window, once the history has begun (hist_len != 0): D if it
 * carries payload, else A, each once per direction. The whole of what
 * tc_history_observe() does for such a segment; also called on its own by
 * the predicted path (segment.h).
 */
void tc_history_steady(struct tc_conn *c, enum tc_role from, int data);

#endif
