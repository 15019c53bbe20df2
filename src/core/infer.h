/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * infer.h -- what the capture missed, inferred from what it holds.
 *
 * Captures lose frames (kernel drops at the capture point, in bursts),
 * see only one direction of some connections (asymmetric routing), and
 * duplicate or reorder frames (SPAN ports, merged files). The state
 * machine (tcpsm.h) validates every segment against sequence and ACK
 * numbers; this module uses the same numbers to infer the segments that
 * are not there, and to count what is missing:
 *
 *   - a FIN is inferred when the peer acknowledges one sequence number
 *     beyond everything its sender was seen sending, or when the sender's
 *     own next segment (empty) starts one beyond it;
 *   - on a one-way connection (one side's segments only), the unseen
 *     side's FIN is inferred when the seen side's last ACK advance was by
 *     exactly one and nothing followed it; on a capture that is proven
 *     to miss one direction of some connections, a client's single SYN,
 *     never retransmitted though the capture ran on for 3 s, and nothing
 *     after it, was refused by an RST on the path the capture missed;
 *   - at the end, an ACK beyond the sender's last seen byte, from a peer
 *     that closed, implies the sender's lost data and FIN;
 *   - the handshake: a SYN+ACK that opens the capture of a connection
 *     implies the client's SYN (its ACK field is that SYN's ISN + 1); a
 *     client that sent a SYN and then an ACK, or a server that
 *     acknowledges that SYN without a SYN+ACK captured, implies the
 *     SYN+ACK; a server whose SYN+ACK was not acknowledged in the capture
 *     but that sends data, its FIN, or an ACK of client data implies the
 *     client's final ACK (a server sends only once established, except
 *     with TCP Fast Open: not when the SYN carried data). `opened` and
 *     the endpoint states follow, as they would have followed the
 *     segment; a SYN or SYN+ACK that turns up late is observed;
 *   - an RST: a sender that retransmits on its timer once or twice,
 *     unanswered by a peer that had been answering, and then stops while
 *     the capture runs on for three more of its intervals was answered
 *     by an RST the capture missed (stacks give up only after 5 to 15
 *     retransmissions; three or more unanswered are the dead-peer
 *     diagnosis's). A second RST -- a host without a connection answering
 *     a segment that crossed its lost first one -- needs no rule: it is
 *     itself captured, accepted, and the reset is observed;
 *   - Zeek's content gaps (the history's G/g): the peer's ACK passing the
 *     start of a hole in the sender's sequence numbers, or bytes beyond
 *     all it was seen sending (tc_conn_ext.gap_now, for history.c);
 *   - sequence numbers that jump count as a gap and missed bytes (Zeek's
 *     missed_bytes), ACKs for data never seen are counted, and a gap ends
 *     the Nagle tracker's clock on both sides: time across a hole in the
 *     capture is not the stack's behaviour;
 *   - a frame captured twice (same IPv4 ID, or same timestamp option on
 *     IPv6, at the same place in the sequence space) is a duplicate, not
 *     a retransmission: counted apart (and in the frame counters pkts,
 *     fins, rsts, which say what the file holds) but not applied.
 *
 * Every inferred segment sets a TC_INF_* bit of tc_conn.inferred, so
 * reports can say which verdicts are inferred rather than observed. On a
 * capture that misses nothing, none of these rules fires, with one
 * exception that looks the same on the wire: a sender whose own short
 * user timeout (TCP_USER_TIMEOUT) ends its retransmissions after one or
 * two, silently, reads as told to stop by an RST. What cannot be
 * inferred: an RST whose only copy was lost, on a connection that then
 * goes silent (the peer, having accepted it, sends nothing more).
 */
#ifndef TCPCLOSE_INFER_H
#define TCPCLOSE_INFER_H

#include <stdint.h>

#include "tcpclose/conn.h"
#include "tcpclose/decode.h"

enum {
	TC_INFER_DUPLICATE = 1, /* the sender's previous frame again: do not apply it */
	TC_INFER_ONE_WAY = 2    /* proof that the capture misses the peer's direction */
};

/*
 * Look at segment `p` from `from` before the state machine applies it,
 * and apply what it implies the capture missed. Returns TC_INFER_* bits:
 * DUPLICATE (it was counted here; the caller does not apply it), ONE_WAY
 * (the sender acknowledged something its peer sent that the capture does
 * not hold, and the peer has no captured segment at all).
 */
int tc_infer_segment(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int64_t ts_ns,
		     uint64_t frame);

/*
 * The connection is being reported: apply what only its end shows (one-way
 * connections, data and FIN lost at the very end). `now` is the time of
 * the newest frame of the capture; `one_way_capture` says whether any
 * connection so far proved that the capture misses one direction
 * (TC_INFER_ONE_WAY). Call once.
 */
void tc_infer_finish(struct tc_conn *c, int64_t now, int one_way_capture);

#endif
