/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * evidence.h -- per-segment facts the diagnosis rests on.
 *
 * The state machine answers "what state is each side in"; the diagnosis
 * asks "why did it end like this", which needs facts the states forget:
 * keep-alive probes and whether they were answered, retransmissions into
 * silence, sub-MSS segments in flight (Nagle), quiet gaps, and what an RST
 * looked like next to its sender's other segments. This module gathers
 * them into fixed-size fields of the connection record; diag.c judges.
 *
 * The evidence's step of the per-segment pass (segment.h): it runs last,
 * after the counters, the state machine and the history, and reads what
 * the sender had sent before the segment from the pass's struct tc_seg.
 */
#ifndef TCPCLOSE_EVIDENCE_H
#define TCPCLOSE_EVIDENCE_H

#include <stdint.h>

#include "tcpclose/conn.h"
#include "tcpclose/decode.h"

/*
 * Gather the facts segment g->p adds; when the state machine marked it the
 * connection's first accepted RST, record what that RST looked like.
 */
struct tc_seg;
void tc_evidence_observe(struct tc_conn *c, const struct tc_seg *g);

/*
 * tc_evidence_observe() for a segment of the predicted kind (segment.h:
 * tc_segment_fast()), sent by `from` at ts, gap after the connection's
 * previous segment: the sub-MSS clock, the latest-segment facts and the
 * peer's probes answered, all that such a segment changes.
 */
void tc_evidence_steady(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int64_t ts,
			int64_t gap);

#endif
