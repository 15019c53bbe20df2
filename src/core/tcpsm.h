/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcpsm.h -- the per-endpoint TCP state machine, inferred from the wire.
 *
 * A passive observer sees segments, not sockets. For every segment this
 * module derives what it means for each endpoint -- the sender *sent* a SYN,
 * a FIN, an RST; the receiver *received* them, or received an ACK that
 * covers its own SYN or FIN -- and feeds those events to one pure
 * transition function, tc_sm_next(). That function is the only place a
 * state transition is defined; everything else computes events.
 *
 * Decisions are driven by sequence and acknowledgement numbers, not by the
 * flags alone (RFC 9293 section 3.10.7):
 *   - a FIN is acknowledged only by an ACK >= fin_seq + 1; a FIN with the
 *     sequence number already recorded is a retransmission, not a new close;
 *   - a FIN whose ACK field does not cover a FIN the peer already sent was
 *     sent before its sender received the peer's FIN: the FINs crossed, a
 *     simultaneous close, and both endpoints pass through CLOSING;
 *   - an RST is accepted only if its sequence number is acceptable to the
 *     receiver (RFC 5961 section 3 spirit, see tc_sm_rst_check()); anything
 *     else is counted as ignored and changes no state;
 *   - a connection seen without its handshake starts ESTABLISHED on both sides.
 *
 * Client/server for a connection seen without its SYN (tc_sm_init()): a SYN
 * without ACK names its sender the client; a SYN+ACK names its *receiver*
 * the client. Otherwise the server is the endpoint on the well-known port
 * (< 1024) when exactly one port is; else the endpoint on the lower port
 * number (services listen on low ports, clients get ephemeral ones from
 * 32768 and up); on equal ports, the first sender is the client.
 */
#ifndef TCPCLOSE_TCPSM_H
#define TCPCLOSE_TCPSM_H

#include <stdint.h>

#include "tcpclose/conn.h"
#include "tcpclose/decode.h"

/* What one endpoint goes through, named from that endpoint's side. */
enum tc_event {
	TC_EV_SEND_SYN = 0,       /* it sends a SYN (active OPEN) */
	TC_EV_SEND_SYN_ACK,       /* it sends SYN+ACK (passive OPEN) */
	TC_EV_RECV_SYN,           /* it receives a SYN (simultaneous open if SYN_SENT) */
	TC_EV_RECV_SYN_ACK,       /* it receives a SYN+ACK acknowledging its SYN */
	TC_EV_RECV_ACK_OF_SYN,    /* it receives an ACK covering its SYN */
	TC_EV_SEND_FIN,           /* it sends its FIN (CLOSE) */
	TC_EV_SEND_FIN_CROSSED,   /* it sends its FIN before receiving the peer's */
	TC_EV_RECV_FIN,           /* it receives the peer's FIN */
	TC_EV_RECV_ACK_OF_FIN,    /* it receives an ACK covering its FIN */
	TC_EV_SEND_RST,           /* it sends an RST that the peer accepts */
	TC_EV_RECV_RST,           /* it receives an acceptable RST */
	TC_EV__COUNT
};

const char *tc_event_name(enum tc_event ev);

/*
 * The transition function: the state an endpoint in `s` moves to on `ev`.
 * Events that do not apply in `s` leave it unchanged. Pure.
 */
enum tc_state tc_sm_next(enum tc_state s, enum tc_event ev);

/* Is an RST from endpoint `from` acceptable to its peer? Pure. */
enum tc_rst_check tc_sm_rst_check(const struct tc_conn *c, enum tc_role from,
				  const struct tc_pkt *p);

/*
 * Start a connection record from its first segment: fills addresses, ports,
 * id-independent fields, picks the roles (see above) and returns the role of
 * the sender of `p`. The segment itself is not applied: call tc_segment_apply().
 * `c` is overwritten: it must not own an extension record (a fresh record,
 * or one given to tc_conn_release()); the caller releases it when done.
 */
enum tc_role tc_sm_init(struct tc_conn *c, const struct tc_pkt *p);

/* Which role sent `p` in connection `c` (p must belong to c's 4-tuple). */
enum tc_role tc_sm_role_of(const struct tc_conn *c, const struct tc_pkt *p);

/*
 * Does `p`, sent by `from`, open a new connection on c's 4-tuple rather than
 * continue c? True for a SYN (no ACK) with a different initial sequence
 * number than the one c began with, or a SYN on a connection that never saw
 * one -- TIME_WAIT reuse, a client retrying with a new ISN, a reused port.
 */
int tc_sm_is_new_syn(const struct tc_conn *c, enum tc_role from,
		     const struct tc_pkt *p);

/*
 * The state machine's step of the per-segment pass (segment.h): settle a
 * tentative RST, then the events of segment g->p for its sender and its
 * receiver. Runs after the counters (step 0) and before the history and
 * the evidence; marks g when the segment is the first accepted RST.
 */
struct tc_seg;
void tc_sm_observe(struct tc_conn *c, struct tc_seg *g);

/*
 * A FIN of `from` at `fin_seq` that the capture did not hold but later
 * segments imply (infer.c): the flags, states and closer follow as if it
 * had been seen, with no frame number. Nothing if `from` already sent a
 * FIN or an accepted RST.
 */
void tc_sm_infer_fin(struct tc_conn *c, enum tc_role from, uint32_t fin_seq, int64_t ts_ns);

/*
 * An accepted RST from `from` that the capture did not hold (infer.c): the
 * verdict, phase and states follow as if it had been seen, with no frame
 * and no evidence. Nothing if the connection already reset or closed.
 */
void tc_sm_infer_rst(struct tc_conn *c, enum tc_role from, int64_t ts_ns);

/*
 * Put an endpoint in state `to` because what the capture missed turned up
 * or an inference proved wrong (infer.c). It goes through the one setter:
 * the state left is kept in state_prev and the on-enter hook runs.
 */
void tc_sm_correct_state(struct tc_conn *c, enum tc_role who, enum tc_state to, int64_t ts_ns);

#endif
