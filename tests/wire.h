/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire.h -- real frames for engine-level tests: raw IPv4 TCP segments
 * (DLT_RAW) between a client 10.0.0.1:cport and a server 10.0.0.2:80, fed
 * to an engine one microsecond apart, so the decoder is in the path.
 */
#ifndef TC_TEST_WIRE_H
#define TC_TEST_WIRE_H

#include <stdint.h>

#include "tcpclose/engine.h"

struct wire {
	struct tc_engine *e;
	uint64_t frame;           /* number of the last frame fed */
	int64_t now;              /* time of the last frame fed (ns) */
	uint16_t ip_id;           /* IPv4 ID of the next frame (0: none, as most tests) */
};

/* Build into b (>= 40 + 64 bytes) the segment wire_tx() feeds, with the
 * client at 10.0.0.1:cport and the server at 10.0.0.2:sport; returns its
 * length. */
uint32_t wire_frame(uint8_t *b, uint16_t cport, uint16_t sport, int from_server, uint8_t flags,
		    uint32_t seq, uint32_t ack, uint16_t len, uint16_t ip_id);

/* Build one segment (with `len` zero bytes of payload, len <= 64), feed it
 * 1 us after the previous one, and return what the engine decoded. */
enum tc_decode_status wire_tx(struct wire *w, uint16_t cport, int from_server, uint8_t flags,
			      uint32_t seq, uint32_t ack, uint16_t len);

#endif
