/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * segment.h -- one segment, one pass of observers.
 *
 * Every segment of a tracked connection goes through tc_segment_apply(),
 * which runs these steps, in this order, over the same decoded segment:
 *
 *   0. counters    (segment.c)  packets, bytes, TTL range, window, the
 *                               highest sequence number sent, whether the
 *                               segment repeats sequence space, times and
 *                               frame numbers;
 *   1. state       (tcpsm.c)    the RFC 9293 transitions of both endpoints,
 *                               tc_sm_observe();
 *   2. history     (history.c)  the Zeek history letters,
 *                               tc_history_observe();
 *   3. evidence    (evidence.c) the facts the reset diagnosis rests on,
 *                               tc_evidence_observe();
 *   4. zeek        (segment.c)  Zeek's own endpoint states (TCP_Endpoint),
 *                               for conn.log's conn_state;
 *   5. gaps        (history.c)  the history's content-gap letters, which
 *                               Zeek gives only in its established states,
 *                               tc_history_gaps().
 *
 * Each step sees what the earlier ones wrote and writes only its own fields
 * of the record. What a later step needs from *before* the segment -- the
 * sender's values that step 0 overwrites -- is kept once, in struct
 * tc_seg.before; what the state machine concluded that the later steps act
 * on (this segment is the connection's first accepted RST) is in struct
 * tc_seg too. A new per-segment analysis is one more observer called from
 * tc_segment_apply(), after the ones whose results it reads.
 */
#ifndef TCPCLOSE_SEGMENT_H
#define TCPCLOSE_SEGMENT_H

#include <stdint.h>

#include "tcpclose/conn.h"
#include "tcpclose/decode.h"

/* One segment as the observers see it. */
struct tc_seg {
	const struct tc_pkt *p;
	enum tc_role from;        /* its sender */
	int64_t ts_ns;
	uint64_t frame;           /* frame number, from 1 */

	/* The record before this segment (step 0 overwrites these). */
	struct {
		uint16_t flags;   /* the sender's TC_EP_* */
		uint16_t ip_id_last;
		uint16_t win;
		uint8_t ttl_min, ttl_max;
		uint32_t snd_nxt;
		uint32_t fin_seq; /* its FIN's, on a FIN segment (0 on others) */
		uint32_t tsval_last;
		uint32_t pkts;    /* the sender's segments */
		int64_t last_ts;  /* the connection's last segment, either side */
		uint64_t frame_last;
	} before;
	uint8_t first;            /* the connection's first segment */

	/* Step 0. */
	uint8_t retx;             /* repeats sequence space already sent */
	uint8_t rst_new;          /* an RST at a sequence number its sender did
	                             not reset with last time (or its first RST) */

	/* Step 1. */
	/* An RST ignored: this one (out of window, wrong ACK), or the
	 * tentative one this segment undid. */
	uint8_t rst_ignored;
	uint8_t rst_first;        /* the connection's first accepted RST */
	uint8_t rst_check;        /* enum tc_rst_check, with rst_first */
};

/* A FIN or RST (as `flags` says) from `from` counted in c's end record,
 * which it allocates: saturating, and nothing counted if memory runs out.
 * Step 0 calls it, and so does the inference for a duplicate frame. */
void tc_segment_count_fin_rst(struct tc_conn *c, enum tc_role from, uint8_t flags);

/* Apply segment `p`, sent by `from`, to connection `c`: all the steps
 * above. Returns 1 if an RST was ignored (c->rst_ignored went up by one). */
int tc_segment_apply(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
		     int64_t ts_ns, uint64_t frame);

/*
 * Header prediction, as BSD's tcp_input() does it: most segments of most
 * connections are the expected one -- an ACK, with or without payload, at
 * its sender's next sequence number, acknowledging nothing the capture
 * did not show, both sides ESTABLISHED, nothing inferred or reset so far
 * -- and for such a segment most of the steps above have nothing to do.
 * If `p` is one, tc_segment_fast() applies it exactly as
 * tc_infer_segment() followed by tc_segment_apply() would (every field of
 * the record the same) and returns 1; otherwise it changes nothing and
 * returns 0, and the caller takes the full path. tests/segdiff.c holds it
 * to that.
 */
int tc_segment_fast(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int64_t ts_ns,
		    uint64_t frame);

#endif
