/*
 * zeek.h -- Zeek's conn_state and uid for a connection record.
 *
 * conn_state is Zeek's close label ("SF", "S0", "REJ", "RSTO", "RSTR",
 * "RSTOS0", "RSTRH", "SH", "SHR", "S1", "S2", "S3", "OTH"), computed as
 * base/protocols/conn/main.zeek does, over the endpoint facts the state
 * machine recorded. Only accepted RSTs count, so it agrees with our verdict.
 * The uid is deterministic (hash of the 4-tuple and first packet time, then
 * the connection id), so two runs over one capture agree.
 */
#ifndef TCPCLOSE_ZEEK_H
#define TCPCLOSE_ZEEK_H

#include "tcpclose/conn.h"

/* Zeek's conn_state for a finished connection ("SF", "RSTO", ...). */
const char *tc_zeek_conn_state(const struct tc_conn *c);

/* Deterministic Zeek-style uid, "C" + base62. buf >= 24 bytes. */
char *tc_zeek_uid(const struct tc_conn *c, char *buf);

/* The uid naming the tunnel a connection was carried in (Zeek's
 * tunnel_parents), or NULL outside any tunnel. */
char *tc_zeek_tunnel_uid(const struct tc_conn *c, char buf[13]);

#endif
