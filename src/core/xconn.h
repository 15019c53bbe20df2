/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xconn.h -- what other connections say about an RST (issue 12, rule 8).
 *
 * One connection alone cannot tell a middlebox's forged RST from its
 * claimed sender's own: a firewall or NAT that forgets an idle connection
 * and resets both ends sends RSTs whose only tell is that they do not look
 * like the claimed host. The look of the host is best taken from its
 * recent data-carrying segments, on this connection or an earlier one of
 * the same host (a min/max over one connection mixes two stacks once a
 * forged segment is in it); and a box that forges RSTs "from" several
 * servers numbers their IP IDs from one counter.
 *
 * This memory is bounded: a direct-mapped table of TC_XCONN_HOSTS hosts
 * (a host overwritten by a colliding one is simply forgotten: the
 * evidence is then missing, never wrong) and a ring of the last
 * TC_XCONN_RSTS accepted IPv4 RSTs. Entries older than TC_XCONN_MAX_AGE
 * are not used. The engine feeds it every segment after the state machine
 * ran; it writes the cross-connection fields of the RST evidence
 * (host_ttl, xconn, xconn_frame) when a connection accepts its first RST.
 */
#ifndef TCPCLOSE_XCONN_H
#define TCPCLOSE_XCONN_H

#include <stdint.h>

#include "tcpclose/conn.h"
#include "tcpclose/decode.h"

#define TC_XCONN_HOSTS 4096
#define TC_XCONN_RSTS 16
#define TC_XCONN_MAX_AGE (600LL * 1000000000LL)
/* IP IDs "in sequence": the later RST's ID is 1..TC_XCONN_IPID_STEP above */
#define TC_XCONN_IPID_STEP 8

struct tc_xconn;

/* The key the engine hashes host addresses with (see engine.c: fixed, so
 * that the evidence does not change from run to run). */
#define TC_XCONN_KEY 0x9e3779b97f4a7c15ULL

struct tc_xconn *tc_xconn_new(uint64_t seed);
void tc_xconn_free(struct tc_xconn *x);

/* After tc_sm_segment(): p, from c's `from` side, was frame `frame`. */
void tc_xconn_segment(struct tc_xconn *x, struct tc_conn *c, const struct tc_pkt *p,
		      int64_t ts_ns, uint64_t frame);

#endif
