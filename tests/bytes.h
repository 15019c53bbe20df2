/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bytes.h -- frames built byte by byte in network order, for the decoder's
 * tests (test_decode.c, test_decode_fast.c). Include after cmocka.h: a
 * frame that outgrows its buffer fails the test.
 */
#ifndef TCPCLOSE_TEST_BYTES_H
#define TCPCLOSE_TEST_BYTES_H

#include <stdint.h>

struct buf {
	uint8_t d[2048];
	uint32_t n;
};

static inline void put8(struct buf *b, unsigned v)
{
	assert_true(b->n < sizeof b->d);
	b->d[b->n++] = (uint8_t)v;
}

static inline void put16(struct buf *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v & 0xff);
}

static inline void put32(struct buf *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b, v & 0xffff);
}

static inline void putn(struct buf *b, const uint8_t *p, uint32_t n)
{
	while (n-- > 0)
		put8(b, *p++);
}

#endif
