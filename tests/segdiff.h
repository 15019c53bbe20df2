/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * segdiff.h -- one segment through both paths of the per-segment pass,
 * compared.
 *
 * tc_segment_fast() (header prediction, segment.h) must leave the record
 * exactly as the full path -- tc_infer_segment() and, unless that found a
 * duplicate, tc_segment_apply() -- leaves it, every byte of the record
 * and of any extension record either path creates; and when it declines a
 * segment it must leave the record untouched. Used by the unit test
 * (tests/test_segment_fast.c) over built conversations and mutated
 * segments, by the fast-path check (tests/fastpaths.c) over the segments
 * of real captures, and by fuzz/fuzz_packets.c over the fuzzer's.
 */
#ifndef TC_TEST_SEGDIFF_H
#define TC_TEST_SEGDIFF_H

#include <stdint.h>

#include "flow.h"
#include "tcpclose/conn.h"
#include "tcpclose/decode.h"

struct segdiff {
	int fast;                 /* tc_segment_fast() took the segment */
	char why[160];            /* the first difference, if any */
};

/*
 * Apply segment p (sent by `from`, at ts_ns, frame `frame`) to c by the
 * full path, after running tc_segment_fast() on a copy of c and comparing.
 * Returns 0 if the two agree, -1 (with d->why) if not; either way c ends
 * as the full path leaves it.
 */
int segdiff_apply(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int64_t ts_ns,
		  uint64_t frame, struct segdiff *d);

/*
 * Segment p (frame `frame`, at ts_ns) to its connection in t, kept as the
 * engine keeps it -- a new record for a new 4-tuple or for a SYN that
 * starts over (tc_sm_is_new_syn()) -- then segdiff_apply(). Returns what
 * segdiff_apply() does, or 1 if no record could be had (out of memory).
 */
int segdiff_track(struct tc_flowtab *t, const struct tc_pkt *p, int64_t ts_ns, uint64_t frame,
		  struct segdiff *d);

#endif
