/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decdiff.h -- one frame through both decoder paths, compared.
 *
 * tc_decode_wire() (the straight line for the common frame, the general
 * path for the rest) must give exactly what tc_decode_general() gives: the
 * same status and, on TC_DEC_OK, the same struct tc_pkt, every field and
 * every byte. Used by the unit test (tests/test_decode_fast.c) over built
 * and mutated frames and by the wild-trace check (tests/fastpaths.c)
 * over real ones.
 */
#ifndef TC_TEST_DECDIFF_H
#define TC_TEST_DECDIFF_H

#include <stddef.h>
#include <stdint.h>

#include "tcpclose/decode.h"

struct decdiff {
	enum tc_decode_status st;       /* what both paths returned (if same) */
	int fast;                       /* tc_decode_fast() took the frame */
	char why[160];                  /* the first difference, if any */
};

/*
 * Decode frame [buf, buf + caplen) with both paths, each over its own
 * malloc()ed copy of exactly caplen bytes at one address (so a read past
 * caplen is an AddressSanitizer error and the payload pointers compare),
 * with each output prefilled with a different byte so that a byte one
 * path leaves unwritten shows. Returns 0 if they agree, -1 (with d->why)
 * if not.
 */
int decdiff_frame(int dlt, const uint8_t *buf, uint32_t caplen, uint32_t wirelen,
		  struct decdiff *d);

#endif
