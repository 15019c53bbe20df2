/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_evidence.c -- unit tests for the facts the diagnosis rests on
 * (src/core/evidence.c), driven through the real per-segment pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "convo.h"
#include "infer.h"

/* A segment through the loss inference first, as the engine sends it. */
static void iseg(struct conv *v, enum tc_role from, uint8_t flags, uint32_t seq, uint32_t ack,
		 uint32_t len)
{
	struct tc_pkt p = pkt(v, from, flags, seq, ack, len);
	(void)tc_infer_segment(&v->c, from, &p, v->now, v->frame + 1);
	assert_int_equal(sendp(v, &p), from);
}

/* Keep-alive probes (seq = SND.NXT - 1, no payload): counted, answered by
 * the peer's next segment, the interval between two probes measured. */
static void test_keepalive_probes_counted_and_answered(void **state)
{
	struct conv v;
	const struct tc_ext_endpoint *xc;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	v.now += 75000 * MS_NS;
	seg(&v, C, TC_ACK, ISN_C + 10, ISN_S + 11, 0);
	xc = &tc_conn_ext(&v.c)->ep[C];
	assert_int_equal(xc->ka_probes, 1);
	assert_int_equal(xc->ka_unanswered, 1);
	assert_int_equal(xc->ka_answered, 0);
	assert_int_equal(v.c.ep[C].retx, 0); /* a probe is not a retransmission */
	seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	assert_int_equal(xc->ka_unanswered, 0);
	assert_int_equal(xc->ka_answered, 1);
	v.now += 75000 * MS_NS - MS_NS;
	seg(&v, C, TC_ACK, ISN_C + 10, ISN_S + 11, 0);
	assert_int_equal(xc->ka_probes, 2);
	assert_int_equal(xc->ka_interval_ms, 75001);
	conv_done(&v);
}

/* Three probes 75 s apart and a silent server, the capture complete: a
 * streak of three unanswered probes, the interval measured. */
static void test_keepalive_streak_clean(void **state)
{
	struct conv v;
	const struct tc_ext_endpoint *xc;
	int i;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	for (i = 0; i < 3; i++) {
		v.now += 75000 * MS_NS;
		iseg(&v, C, TC_ACK, ISN_C + 10, ISN_S + 11, 0);
	}
	xc = &tc_conn_ext(&v.c)->ep[C];
	assert_int_equal(xc->ka_probes, 3);
	assert_int_equal(xc->ka_unanswered, 3);
	assert_int_equal(xc->ka_interval_ms, 75001);
	conv_done(&v);
}

/* The same probes, but the third acknowledges 500 bytes of the server's
 * that the capture never held: the server did send between the probes,
 * so the streak of unanswered probes (and the interval across the hole)
 * starts again at the third. */
static void test_keepalive_streak_not_across_a_gap(void **state)
{
	struct conv v;
	const struct tc_ext_endpoint *xc;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	v.now += 75000 * MS_NS;
	iseg(&v, C, TC_ACK, ISN_C + 10, ISN_S + 11, 0);
	v.now += 75000 * MS_NS;
	iseg(&v, C, TC_ACK, ISN_C + 10, ISN_S + 11, 0);
	xc = &tc_conn_ext(&v.c)->ep[C];
	assert_int_equal(xc->ka_unanswered, 2);
	v.now += 75000 * MS_NS;
	iseg(&v, C, TC_ACK, ISN_C + 10, ISN_S + 511, 0);
	assert_int_equal(tc_conn_ext(&v.c)->ep[S].acks_unseen, 1);
	assert_int_equal(xc->ka_probes, 3);
	assert_int_equal(xc->ka_unanswered, 1);
	assert_int_equal(xc->ka_interval_ms, 75001); /* the last one measured, not this */
	conv_done(&v);
}

/* The first accepted RST is recorded with its sender's values from before
 * it and what it answered; a second RST at the same sequence number is
 * not a distinct one, a third at another is. */
static void test_first_rst_recorded_and_distinct_rsts_counted(void **state)
{
	struct conv v;
	const struct tc_conn_ext *x;
	uint32_t server_pkts;
	uint64_t client_frame;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 5);
	client_frame = v.frame;
	server_pkts = v.c.ep[S].pkts;
	v.now += 3 * MS_NS;
	seg(&v, S, TC_RST, ISN_S + 11, 0, 0);
	x = tc_conn_ext(&v.c);
	assert_int_equal(v.c.reset_by, TC_WHO_SERVER);
	assert_int_equal(x->rst.check, TC_RST_EXACT);
	assert_int_equal(x->rst.sender_pkts_before, server_pkts);
	assert_int_equal(x->rst.answered, 1);
	assert_int_equal(x->rst.peer_had_data, 1);
	assert_int_equal(x->rst.trigger_frame, client_frame);
	assert_int_equal(x->rst.response_ns, 4 * MS_NS);
	assert_int_equal(x->rst.unread, 1); /* the client spoke last, with data */
	assert_int_equal(x->rst_distinct, 1);
	seg(&v, S, TC_RST, ISN_S + 11, 0, 0);
	assert_int_equal(x->rst_distinct, 1);
	seg(&v, S, TC_RST, ISN_S + 12, 0, 0);
	assert_int_equal(x->rst_distinct, 2);
	/* the record is of the first RST, not of the later ones */
	assert_int_equal(x->rst.trigger_frame, client_frame);
	conv_done(&v);
}

/* Data sent after the peer's FIN, with an ACK that does not cover that
 * FIN, left before the FIN arrived: the two crossed. Data that does
 * acknowledge the FIN did not cross it. */
static void test_data_crossing_fin(void **state)
{
	struct conv v, w;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 11, 10);
	assert_true(v.c.ep[S].flags & TC_EP_DATA_CROSSED_FIN);
	assert_true(v.c.ep[S].flags & TC_EP_DATA_AFTER_PEER_FIN);
	conv_done(&v);

	conv_init(&w);
	handshake_and_data(&w);
	seg(&w, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&w, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 12, 10);
	assert_false(w.c.ep[S].flags & TC_EP_DATA_CROSSED_FIN);
	assert_true(w.c.ep[S].flags & TC_EP_DATA_AFTER_PEER_FIN);
	conv_done(&w);
}

/* Retransmissions into silence: counted until the peer sends anything. */
static void test_retransmissions_unanswered(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 100);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 100);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 100);
	assert_int_equal(v.c.ep[C].retx_unanswered, 2);
	assert_int_equal(v.c.ep[C].retx, 2);
	seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 111, 0);
	assert_int_equal(v.c.ep[C].retx_unanswered, 0);
	conv_done(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keepalive_probes_counted_and_answered),
		cmocka_unit_test(test_keepalive_streak_clean),
		cmocka_unit_test(test_keepalive_streak_not_across_a_gap),
		cmocka_unit_test(test_first_rst_recorded_and_distinct_rsts_counted),
		cmocka_unit_test(test_data_crossing_fin),
		cmocka_unit_test(test_retransmissions_unanswered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
