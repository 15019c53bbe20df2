/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire.c -- raw IPv4 TCP segments for engine-level tests (see wire.h).
 */
#include "wire.h"

#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

uint32_t wire_frame(uint8_t *b, uint16_t cport, uint16_t sport, int from_server, uint8_t flags,
		    uint32_t seq, uint32_t ack, uint16_t len, uint16_t ip_id)
{
	if (len > 64)
		len = 64;
	memset(b, 0, 40u + len);
	b[0] = 0x45;
	put16(b + 2, (uint16_t)(40 + len));
	put16(b + 4, ip_id);
	b[8] = 64;
	b[9] = 6;
	memcpy(b + 12, from_server ? "\x0a\x00\x00\x02" : "\x0a\x00\x00\x01", 4);
	memcpy(b + 16, from_server ? "\x0a\x00\x00\x01" : "\x0a\x00\x00\x02", 4);
	put16(b + 20, from_server ? sport : cport);
	put16(b + 22, from_server ? cport : sport);
	put32(b + 24, seq);
	put32(b + 28, ack);
	b[32] = 5 << 4;
	b[33] = flags;
	put16(b + 34, 8192);
	return 40u + len;
}

enum tc_decode_status wire_tx(struct wire *w, uint16_t cport, int from_server, uint8_t flags,
			      uint32_t seq, uint32_t ack, uint16_t len)
{
	uint8_t b[40 + 64];
	uint32_t n = wire_frame(b, cport, 80, from_server, flags, seq, ack, len, w->ip_id);

	w->now += 1000; /* 1 us */
	return tc_engine_frame(w->e, TC_DLT_RAW, w->now, ++w->frame, b, n);
}
