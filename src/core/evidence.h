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
 * Called by tc_sm_segment() only: tc_evidence_before() sees the record as
 * it was before the segment (it needs the "before" values), and
 * tc_evidence_rst() runs for the first accepted RST.
 */
#ifndef TCPCLOSE_EVIDENCE_H
#define TCPCLOSE_EVIDENCE_H

#include <stdint.h>

#include "tcpclose/conn.h"
#include "tcpclose/decode.h"

/* The sender's values from before the current segment, for the RST record. */
struct tc_ev_snapshot {
	uint8_t ttl_min, ttl_max, had_ts, answered, peer_had_data, ka_unanswered;
	uint16_t ip_id_prev, peer_win, win_prev;
	uint32_t tsval_prev;
	uint32_t pkts_before;
	int64_t gap_before_trigger;
	int64_t response_ns;
	int64_t ts;               /* when the RST came */
	uint64_t trigger_frame;
};

/* Is p, from `from`, a keep-alive probe (RFC 9293 3.8.4: seq = SND.NXT - 1)? */
int tc_evidence_is_keepalive(const struct tc_conn *c, enum tc_role from, const struct tc_pkt *p);

void tc_evidence_before(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
			int64_t ts_ns, struct tc_ev_snapshot *snap);

void tc_evidence_rst(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int check,
		     const struct tc_ev_snapshot *snap);

#endif
