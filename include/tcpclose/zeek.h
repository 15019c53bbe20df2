/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * zeek.h -- Zeek's conn_state and uid for a connection record.
 *
 * conn_state is Zeek's close label ("SF", "S0", "REJ", "RSTO", "RSTR",
 * "RSTOS0", "RSTRH", "SH", "SHR", "S1", "S2", "S3", "OTH"), computed as
 * base/protocols/conn/main.zeek does, over the endpoint states Zeek's own
 * TCP analyzer rules gave the packets (tc_conn.ep[].zstate, segment.c):
 * Zeek's answer, which can differ from tcpclose's verdict (any RST counts,
 * in window or not; a FIN closes its sender whether acknowledged or not).
 * The uid is deterministic (hash of the 4-tuple and first packet time, then
 * the connection id), so two runs over one capture agree.
 */
#ifndef TCPCLOSE_ZEEK_H
#define TCPCLOSE_ZEEK_H

#include "tcpclose/conn.h"

/* Zeek's conn_state for a finished connection ("SF", "RSTO", ...). */
const char *tc_zeek_conn_state(const struct tc_conn *c);

/* Zeek's orig_bytes / resp_bytes for role: the sequence space it covered
 * (TCP_Endpoint::Size()), not the payload bytes captured. */
uint64_t tc_zeek_size(const struct tc_conn *c, int role);

/* Deterministic Zeek-style uid, "C" + base62. buf >= 24 bytes. */
char *tc_zeek_uid(const struct tc_conn *c, char *buf);

/* The uid naming the tunnel a connection was carried in (Zeek's
 * tunnel_parents), or NULL outside any tunnel. */
char *tc_zeek_tunnel_uid(const struct tc_conn *c, char buf[13]);

#endif
