/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decode_paths.h -- the decoder's two paths, each on its own.
 *
 * tc_decode_wire() first tries tc_decode_fast(), a straight-line decode of
 * the frame nearly every capture is made of (Ethernet, at most one 802.1Q
 * tag, IPv4 that is not fragmented or IPv6 without extension headers, TCP
 * with its whole header captured), and hands every other frame to
 * tc_decode_general(), which walks every link type, tunnel and header
 * chain the decoder knows. The straight line promises the general path's
 * result exactly: the same status and the same struct tc_pkt, byte for
 * byte. They are declared here, beside the decoder, so that tests can hold
 * the two to that promise; front ends use tc_decode_wire().
 */
#ifndef TCPCLOSE_DECODE_PATHS_H
#define TCPCLOSE_DECODE_PATHS_H

#include "tcpclose/decode.h"

/* tc_decode_wire() without the straight line: the reference. */
enum tc_decode_status tc_decode_general(int dlt, const uint8_t *buf, uint32_t caplen,
					uint32_t wirelen, struct tc_pkt *out);

/*
 * The straight line for a DLT_EN10MB frame: 1 if the frame is the common
 * kind, with *out then exactly what tc_decode_general() gives it (status
 * TC_DEC_OK); 0 for any other frame, with *out unspecified.
 */
int tc_decode_fast(const uint8_t *buf, uint32_t caplen, uint32_t wirelen, struct tc_pkt *out);

#endif
