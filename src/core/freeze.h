/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * freeze.h -- a compact, lossless byte form of a connection record.
 *
 * A closed connection waits out the linger (engine.h) doing nothing: its
 * record is read again only if a late segment arrives, and when it is
 * reported. tc_freeze() turns the record (and its extension record, if it
 * has one, and its end record) into a short byte string; tc_thaw() gives
 * back the same record, byte for byte, padding included, with its
 * extension and end pointers rebuilt.
 *
 * The encoding sees the record and its end record side by side (struct
 * tc_freeze_rec) as 32-bit lanes and writes each nonzero
 * lane as the 1, 2 or 4 low bytes of its difference from one fixed
 * reference: for most lanes zero (raw), for some named in freeze.c an
 * earlier lane (a sequence number from the one it follows, a server field
 * from the client's), first_ts's high half (times) or the same lane of a
 * prototype record. Lanes that pack small fields are written byte by byte
 * as their XOR with the prototype's, and so are the codes that say how
 * wide each lane is, against the prototype's own (the bytes that are the
 * same left out). Fields added to struct tc_conn,
 * tc_endpoint, tc_conn_end or tc_conn_ext are carried without a change
 * here, raw until given a reference. Times in a record are close to first_ts, sequence
 * numbers close to the other side's, most counters and flags zero, and
 * flags, states, ports and history letters much like another connection's
 * of the same capture. The caller names a time it keeps anyway, `base`
 * (the engine: when the connection closed, which is nearly always its
 * last_ts), and first_ts, last_ts and the endpoints' FIN, TIME_WAIT and
 * last-data times are written as spans from it, the same base given back
 * to thaw them; and a prototype it keeps anyway (the engine: the first
 * record of each 64 KiB of its ring), the same given back, or NULL. A
 * closed connection takes about two fifths of its record and extension
 * (~170 bytes on generated workloads of short connections).
 *
 * Pure: no I/O, no state. tc_thaw() allocates the extension record (with
 * tc_conn_ext_mut()) when there was one; tc_thaw_view() fills caller
 * buffers and allocates nothing.
 */
#ifndef TCPCLOSE_FREEZE_H
#define TCPCLOSE_FREEZE_H

#include <stddef.h>
#include <stdint.h>

#include "tcpclose/conn.h"

/*
 * A record as the encoding sees it: the connection and its end record
 * side by side, the end record all zero when the connection has none.
 * Its lanes are what the codes number, the references point between and
 * a prototype holds.
 */
struct tc_freeze_rec {
	struct tc_conn c;
	struct tc_conn_end end;
};

/* Bytes of a record's lane codes: two bits per lane of struct tc_freeze_rec. */
#define TC_FREEZE_CODES (2 * ((sizeof(struct tc_freeze_rec) / 4 + 7) / 8))
/* Bytes the encoding of a record takes at most: flags, the lane codes'
 * flag word and codes, the byte lanes' masks, two bits per lane of the
 * extension and its flag word, and every byte of both structs (more than
 * the most ever written). */
#define TC_FREEZE_MAX                                                                   \
	(1 + 4 + TC_FREEZE_CODES + 8 + 2 * ((sizeof(struct tc_conn_ext) / 4 + 7) / 8) + \
	 4 + sizeof(struct tc_freeze_rec) + sizeof(struct tc_conn_ext))

/*
 * A prototype: a record others are frozen against, and its own lane codes
 * (frozen against itself), which theirs are written against. Records that
 * close near each other mostly share which of their lanes are zero and how
 * wide the others are: about half their code bytes equal the prototype's.
 * Set it with tc_freeze_proto_set(); its record's extension is never read.
 */
struct tc_freeze_proto {
	struct tc_freeze_rec rec;
	uint8_t codes[TC_FREEZE_CODES];
};

/* *p made a prototype of c (its extension left out), its codes from base. */
void tc_freeze_proto_set(struct tc_freeze_proto *p, const struct tc_conn *c, int64_t base);

/* Encode c (and c->x and c->end, if any) into out (TC_FREEZE_MAX bytes), its times
 * from base (any time; a close one is shorter), its flags, states, lane
 * codes and the like against proto (any, or NULL; a like one is shorter);
 * returns the length. */
size_t tc_freeze(const struct tc_conn *c, int64_t base, const struct tc_freeze_proto *proto,
		 uint8_t *out);

/*
 * Decode len bytes from tc_freeze() with the same base and prototype (which
 * must not be *c) into *c. With an extension or an end record, c->x or
 * c->end points at a new record from tc_conn_ext_mut() or
 * tc_conn_end_mut(): the caller releases them as it would
 * any record's (tc_conn_release). Returns 0, or -1 if the bytes are not a
 * frozen record or memory ran out (then *c owns nothing).
 */
int tc_thaw(const uint8_t *buf, size_t len, int64_t base, const struct tc_freeze_proto *proto,
	    struct tc_conn *c);

/* Room for a record decoded in place: it, its end record and its extension. */
struct tc_thawed {
	struct tc_freeze_rec rec;
	struct tc_conn_ext x;
};

/*
 * The same into caller storage: the record is decoded into t->rec, and
 * its x and end, if it had them, point into *t. Returns the record
 * (&t->rec.c), or NULL if the bytes are not a frozen record. Never
 * tc_conn_release() such a record; tc_thawed_release() frees what it
 * came to own after (an extension or end record a later step made).
 */
const struct tc_conn *tc_thaw_view(const uint8_t *buf, size_t len, int64_t base,
				   const struct tc_freeze_proto *proto, struct tc_thawed *t);
void tc_thawed_release(struct tc_thawed *t);

/*
 * Only the record's id, from len bytes of tc_freeze() with the same
 * prototype, without decoding the rest: the engine sorts what is left at
 * the end by id before reporting it, which decodes each record anyway.
 * Returns 0, or -1 if the bytes cannot hold a record (not every damage is
 * seen: tc_thaw_view() checks it all).
 */
int tc_frozen_id(const uint8_t *buf, size_t len, const struct tc_freeze_proto *proto,
		 uint64_t *id);

#endif
