/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * convo.h -- a two-endpoint conversation for state-machine level tests:
 * segment facts built by hand (client 10.0.0.1:cport, server
 * 10.0.0.2:sport), applied with tc_sm_init/tc_segment_apply, one frame and by
 * default one millisecond per segment (tests move `now` to make idle time).
 */
#ifndef TC_TEST_CONVO_H
#define TC_TEST_CONVO_H

#include <stdint.h>

#include "segment.h"
#include "tcpsm.h"

#define C TC_CLIENT
#define S TC_SERVER
#define ISN_C 1000u
#define ISN_S 5000u
#define MS_NS 1000000LL

struct conv {
	struct tc_conn c;
	uint64_t frame;
	int started;
	uint16_t cport, sport;
	int64_t now;              /* time of the next segment; +1 ms after each */
	uint16_t ipid[2];         /* next IPv4 ID per side, for tests that set it */
	uint32_t tsval[2];        /* next TSval per side */
};

struct tc_pkt pkt(const struct conv *v, enum tc_role from, uint8_t flags, uint32_t seq,
		  uint32_t ack, uint32_t len);
/* Before applying p: the first segment starts the record; the frame
 * number moves on. Returns the role the state machine attributes p to. */
enum tc_role conv_next(struct conv *v, const struct tc_pkt *p);
/* Apply a segment; the first one starts the record. Returns the role the
 * state machine attributed it to. */
enum tc_role sendp(struct conv *v, const struct tc_pkt *p);
/* Build and apply; asserts the role. */
void seg(struct conv *v, enum tc_role from, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len);
void conv_init(struct conv *v);
/* Free what the connection record owns (its extension record, if any). */
void conv_done(struct conv *v);
/* SYN, SYN+ACK, ACK, 10 bytes each way. Client next seq ISN_C+11, server ISN_S+11. */
void handshake_and_data(struct conv *v);

#define ST(v, role) ((enum tc_state)(v)->c.ep[role].state)

#endif
