/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seq.h -- wrap-safe sequence number comparisons (RFC 9293 section 3.4),
 * for the core's modules that compare sequence and acknowledgement numbers.
 */
#ifndef TCPCLOSE_SEQ_H
#define TCPCLOSE_SEQ_H

#include <stdint.h>

static inline int seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline int seq_geq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

#endif
