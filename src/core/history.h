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
 * A, D, Q, I are recorded once per direction; F and R again when their
 * sequence number differs from the previous one of that side; T and W on
 * the 1st, 10th, 100th ... occurrence. Zeek's C (bad checksum) and G
 * (content gap) are not produced: tcpclose neither verifies checksums
 * (offloading makes them wrong in most host captures) nor reassembles.
 * The string holds at most TC_HISTORY_MAX letters; later ones are dropped.
 */
#ifndef TCPCLOSE_HISTORY_H
#define TCPCLOSE_HISTORY_H

#include "tcpclose/conn.h"
#include "tcpclose/decode.h"

/*
 * Record the letters for segment `p` sent by `from`. Call after the
 * endpoint's counters (pkts, rsts, retx, zero_win) include `p` and before
 * the state machine acts on it. `retx` says the segment repeats payload.
 */
void tc_history_update(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
		       int retx);

#endif
