/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcpsm.c -- the per-endpoint state machine.
 *
 * Two layers: the pure transition function (a table of RFC 9293 transitions
 * and the promise that inapplicable events change nothing), and the
 * observer, driven with segment facts built here, for every close sequence
 * the classifier depends on: each side closing first, FIN+ACK combined,
 * crossed FINs, unacknowledged and retransmitted FINs, accepted, ignored
 * and late RSTs, refused and aborted handshakes, mid-stream pick-up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcpsm.h"

/* ---- transition table -------------------------------------------------- */

struct tr {
	enum tc_state from;
	enum tc_event ev;
	enum tc_state to;
};

static const struct tr transitions[] = {
	{TC_CLOSED, TC_EV_SEND_SYN, TC_SYN_SENT},
	{TC_CLOSED, TC_EV_SEND_SYN_ACK, TC_SYN_RECEIVED},
	{TC_LISTEN, TC_EV_SEND_SYN_ACK, TC_SYN_RECEIVED},
	{TC_SYN_SENT, TC_EV_RECV_SYN_ACK, TC_ESTABLISHED},
	{TC_SYN_SENT, TC_EV_RECV_SYN, TC_SYN_RECEIVED},
	{TC_SYN_SENT, TC_EV_RECV_RST, TC_CLOSED},
	{TC_SYN_SENT, TC_EV_SEND_RST, TC_CLOSED},
	{TC_SYN_RECEIVED, TC_EV_RECV_ACK_OF_SYN, TC_ESTABLISHED},
	{TC_SYN_RECEIVED, TC_EV_SEND_FIN, TC_FIN_WAIT_1},
	{TC_SYN_RECEIVED, TC_EV_RECV_FIN, TC_CLOSE_WAIT},
	{TC_SYN_RECEIVED, TC_EV_RECV_RST, TC_CLOSED},
	{TC_ESTABLISHED, TC_EV_SEND_FIN, TC_FIN_WAIT_1},
	{TC_ESTABLISHED, TC_EV_RECV_FIN, TC_CLOSE_WAIT},
	{TC_ESTABLISHED, TC_EV_SEND_RST, TC_CLOSED},
	{TC_ESTABLISHED, TC_EV_RECV_RST, TC_CLOSED},
	{TC_FIN_WAIT_1, TC_EV_RECV_ACK_OF_FIN, TC_FIN_WAIT_2},
	{TC_FIN_WAIT_1, TC_EV_RECV_FIN, TC_CLOSING},
	{TC_FIN_WAIT_1, TC_EV_RECV_RST, TC_CLOSED},
	{TC_FIN_WAIT_2, TC_EV_RECV_FIN, TC_TIME_WAIT},
	{TC_FIN_WAIT_2, TC_EV_RECV_RST, TC_CLOSED},
	{TC_CLOSING, TC_EV_RECV_ACK_OF_FIN, TC_TIME_WAIT},
	{TC_CLOSE_WAIT, TC_EV_SEND_FIN, TC_LAST_ACK},
	{TC_CLOSE_WAIT, TC_EV_SEND_FIN_CROSSED, TC_CLOSING},
	{TC_CLOSE_WAIT, TC_EV_SEND_RST, TC_CLOSED},
	{TC_LAST_ACK, TC_EV_RECV_ACK_OF_FIN, TC_CLOSED},
	{TC_LAST_ACK, TC_EV_RECV_RST, TC_CLOSED},
	{TC_TIME_WAIT, TC_EV_RECV_RST, TC_CLOSED},
};

static void test_transition_table(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++) {
		const struct tr *t = &transitions[i];
		if (tc_sm_next(t->from, t->ev) != t->to)
			fail_msg("%s + %s: expected %s, got %s", tc_state_name(t->from),
				 tc_event_name(t->ev), tc_state_name(t->to),
				 tc_state_name(tc_sm_next(t->from, t->ev)));
	}
}

/* Every (state, event) lands in a valid state; events that make no sense
 * in a state leave it alone (a stray ACK never moves anyone). */
static void test_transition_total_and_inert(void **state)
{
	int s, e;
	(void)state;
	for (s = 0; s < TC_STATE__COUNT; s++)
		for (e = 0; e < TC_EV__COUNT; e++)
			assert_true(tc_sm_next((enum tc_state)s, (enum tc_event)e) < TC_STATE__COUNT);
	assert_int_equal(tc_sm_next(TC_ESTABLISHED, TC_EV_RECV_ACK_OF_FIN), TC_ESTABLISHED);
	assert_int_equal(tc_sm_next(TC_FIN_WAIT_2, TC_EV_RECV_ACK_OF_FIN), TC_FIN_WAIT_2);
	assert_int_equal(tc_sm_next(TC_TIME_WAIT, TC_EV_RECV_FIN), TC_TIME_WAIT);
	assert_int_equal(tc_sm_next(TC_CLOSE_WAIT, TC_EV_RECV_FIN), TC_CLOSE_WAIT);
	assert_int_equal(tc_sm_next(TC_LAST_ACK, TC_EV_SEND_FIN), TC_LAST_ACK);
	assert_int_equal(tc_sm_next(TC_CLOSED, TC_EV_RECV_FIN), TC_CLOSED);
}

/* ---- the observer ------------------------------------------------------ */

#include "convo.h"

static void test_client_closes_first(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	assert_int_equal(ST(&v, C), TC_FIN_WAIT_1);
	assert_int_equal(ST(&v, S), TC_CLOSE_WAIT);
	assert_int_equal(v.c.closer, TC_WHO_CLIENT);
	/* An ACK that stops one short of the FIN does not acknowledge it. */
	seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	assert_int_equal(ST(&v, C), TC_FIN_WAIT_1);
	seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	assert_int_equal(ST(&v, C), TC_FIN_WAIT_2);
	assert_true(v.c.ep[C].flags & TC_EP_FIN_ACKED);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	assert_int_equal(ST(&v, S), TC_LAST_ACK);
	assert_int_equal(ST(&v, C), TC_TIME_WAIT);
	assert_false(v.c.cflags & TC_CONN_DONE);
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	assert_int_equal(ST(&v, S), TC_CLOSED);
	assert_int_equal(ST(&v, C), TC_TIME_WAIT);
	assert_true(v.c.cflags & TC_CONN_DONE);
	assert_int_equal(v.c.closer, TC_WHO_CLIENT);
	assert_int_equal(tc_conn_end(&v.c)->ep[C].frame_fin, 7);
	assert_int_equal(tc_conn_end(&v.c)->ep[S].frame_fin, 10);
	assert_false(v.c.cflags & TC_CONN_SIMULTANEOUS);
	conv_done(&v);
}

static void test_server_closes_first(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	assert_int_equal(ST(&v, S), TC_FIN_WAIT_1);
	assert_int_equal(ST(&v, C), TC_CLOSE_WAIT);
	seg(&v, C, TC_ACK, ISN_C + 11, ISN_S + 12, 0);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 12, 0);
	seg(&v, S, TC_ACK, ISN_S + 12, ISN_C + 12, 0);
	assert_int_equal(ST(&v, S), TC_TIME_WAIT);
	assert_int_equal(ST(&v, C), TC_CLOSED);
	assert_int_equal(v.c.closer, TC_WHO_SERVER);
	conv_done(&v);
}

/* The setter's contract: a change keeps the state left, and entering
 * TIME_WAIT stamps the time of the segment that caused it -- once: later
 * segments (the final ACK, a retransmitted FIN) leave the stamp alone. */
static void test_setter_keeps_previous_state_and_stamps_time_wait(void **state)
{
	struct conv v;
	int64_t t_enter;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	assert_int_equal(v.c.ep[C].state_prev, TC_ESTABLISHED);
	seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	assert_int_equal(v.c.ep[C].state_prev, TC_FIN_WAIT_1);
	assert_int_equal(tc_conn_end(&v.c)->ep[C].ts_time_wait, 0);
	v.now += 250 * MS_NS;
	t_enter = v.now;
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	assert_int_equal(ST(&v, C), TC_TIME_WAIT);
	assert_int_equal(v.c.ep[C].state_prev, TC_FIN_WAIT_2);
	assert_int_equal(tc_conn_end(&v.c)->ep[C].ts_time_wait, t_enter);
	assert_int_equal(tc_conn_end(&v.c)->ep[S].ts_time_wait, 0);
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0); /* retransmitted */
	assert_int_equal(ST(&v, C), TC_TIME_WAIT);
	assert_int_equal(tc_conn_end(&v.c)->ep[C].ts_time_wait, t_enter);
	assert_int_equal(v.c.ep[S].state_prev, TC_LAST_ACK);
	conv_done(&v);
}

/* Undoing a tentative RST restores the states through the setter too: the
 * state left is CLOSED, the one the RST had put them in. */
static void test_setter_restores_after_undone_rst(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_RST, ISN_C + 11 + 500, 0, 0); /* in window, not exact */
	assert_int_equal(ST(&v, S), TC_CLOSED);
	assert_int_equal(v.c.ep[S].state_prev, TC_ESTABLISHED);
	seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 11, 0); /* the challenge ACK */
	assert_int_equal(ST(&v, C), TC_ESTABLISHED);
	assert_int_equal(ST(&v, S), TC_ESTABLISHED);
	assert_int_equal(v.c.ep[C].state_prev, TC_CLOSED);
	assert_int_equal(v.c.ep[S].state_prev, TC_CLOSED);
	conv_done(&v);
}

/* The passive closer's FIN carries the ACK of the first FIN: the ACK is
 * processed before the FIN, so the active closer goes FIN_WAIT_1 ->
 * FIN_WAIT_2 -> TIME_WAIT on one segment. */
static void test_fin_ack_combined(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	assert_int_equal(ST(&v, C), TC_TIME_WAIT);
	assert_int_equal(ST(&v, S), TC_LAST_ACK);
	assert_false(v.c.cflags & TC_CONN_SIMULTANEOUS);
	assert_int_equal(v.c.closer, TC_WHO_CLIENT);
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	assert_int_equal(ST(&v, S), TC_CLOSED);
	conv_done(&v);
}

/* Both FINs sent before either is acknowledged: CLOSING on both sides, both
 * end in TIME_WAIT, the closer is "both". */
static void test_simultaneous_close(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 11, 0); /* does not ack C's FIN */
	assert_int_equal(ST(&v, C), TC_CLOSING);
	assert_int_equal(ST(&v, S), TC_CLOSING);
	assert_int_equal(v.c.closer, TC_WHO_BOTH);
	assert_true(v.c.cflags & TC_CONN_SIMULTANEOUS);
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	assert_int_equal(ST(&v, S), TC_TIME_WAIT);
	assert_int_equal(ST(&v, C), TC_CLOSING);
	seg(&v, S, TC_ACK, ISN_S + 12, ISN_C + 12, 0);
	assert_int_equal(ST(&v, C), TC_TIME_WAIT);
	assert_true(v.c.cflags & TC_CONN_DONE);
	conv_done(&v);
}

static void test_fin_retransmission_counts_once(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	assert_int_equal(tc_conn_end(&v.c)->ep[C].fins, 2);
	assert_int_equal(tc_conn_end(&v.c)->ep[C].frame_fin, 7); /* the first one */
	assert_int_equal(ST(&v, C), TC_FIN_WAIT_1);
	assert_int_equal(ST(&v, S), TC_CLOSE_WAIT);
	assert_int_equal(v.c.closer, TC_WHO_CLIENT);
	seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	assert_int_equal(ST(&v, C), TC_FIN_WAIT_2);
	conv_done(&v);
}

/* FIN carrying data: the FIN occupies the sequence number after the data. */
static void test_fin_with_data(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 5);
	assert_int_equal(tc_conn_end(&v.c)->ep[C].fin_seq, ISN_C + 16);
	seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 16, 0); /* data acked, FIN not */
	assert_int_equal(ST(&v, C), TC_FIN_WAIT_1);
	seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 17, 0);
	assert_int_equal(ST(&v, C), TC_FIN_WAIT_2);
	conv_done(&v);
}

/* shutdown(SHUT_WR): the peer keeps sending after the FIN, then never
 * closes -- CLOSE_WAIT. */
static void test_half_close_peer_keeps_sending(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 12, 100);
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 111, 0);
	assert_int_equal(ST(&v, C), TC_FIN_WAIT_2);
	assert_int_equal(ST(&v, S), TC_CLOSE_WAIT);
	assert_true(v.c.ep[S].flags & TC_EP_DATA_AFTER_PEER_FIN);
	assert_false(v.c.ep[C].flags & TC_EP_DATA_AFTER_FIN);
	assert_false(v.c.cflags & TC_CONN_DONE);
	conv_done(&v);
}

static void test_rst_exact_accepted(void **state)
{
	struct conv v;
	struct tc_pkt p;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	p = pkt(&v, C, TC_RST | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	assert_int_equal(tc_sm_rst_check(&v.c, C, &p), TC_RST_EXACT);
	sendp(&v, &p);
	assert_int_equal(ST(&v, C), TC_CLOSED);
	assert_int_equal(ST(&v, S), TC_CLOSED);
	assert_int_equal(v.c.reset_by, TC_WHO_CLIENT);
	assert_int_equal(v.c.reset_phase, TC_PHASE_ESTABLISHED);
	assert_int_equal(tc_conn_end(&v.c)->frame_rst, 7);
	assert_true(v.c.cflags & TC_CONN_DONE);
	conv_done(&v);
}

static void test_rst_window_edges(void **state)
{
	struct conv v;
	struct tc_pkt p;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	/* Server last acked ISN_C + 11 with window 1000, no scaling. */
	p = pkt(&v, C, TC_RST, ISN_C + 11 + 999, 0, 0);
	assert_int_equal(tc_sm_rst_check(&v.c, C, &p), TC_RST_IN_WINDOW);
	p = pkt(&v, C, TC_RST, ISN_C + 11 + 1000, 0, 0);
	assert_int_equal(tc_sm_rst_check(&v.c, C, &p), TC_RST_OUT_OF_WINDOW);
	p = pkt(&v, C, TC_RST, ISN_C + 10, 0, 0);
	assert_int_equal(tc_sm_rst_check(&v.c, C, &p), TC_RST_OUT_OF_WINDOW);
	conv_done(&v);
}

static void test_rst_window_scaled_and_wrapping(void **state)
{
	struct conv v;
	struct tc_pkt p;
	const uint32_t isn_c = 0xfffffff0u; /* the window wraps past 2^32 */
	(void)state;
	conv_init(&v);
	p = pkt(&v, C, TC_SYN, isn_c, 0, 0);
	p.opt = TC_OPT_WSCALE;
	p.wscale = 7;
	sendp(&v, &p);
	p = pkt(&v, S, TC_SYN | TC_ACK, ISN_S, isn_c + 1, 0);
	p.opt = TC_OPT_WSCALE;
	p.wscale = 7;
	sendp(&v, &p);
	seg(&v, C, TC_ACK, isn_c + 1, ISN_S + 1, 0);
	seg(&v, S, TC_ACK, ISN_S + 1, isn_c + 1, 0); /* window 1000 << 7 = 128000 */
	p = pkt(&v, C, TC_RST, isn_c + 1 + 127999, 0, 0);
	assert_int_equal(tc_sm_rst_check(&v.c, C, &p), TC_RST_IN_WINDOW);
	p = pkt(&v, C, TC_RST, isn_c + 1 + 128000, 0, 0);
	assert_int_equal(tc_sm_rst_check(&v.c, C, &p), TC_RST_OUT_OF_WINDOW);
	conv_done(&v);
}

/* The window carried by a SYN is never scaled. */
static void test_rst_window_of_syn_unscaled(void **state)
{
	struct conv v;
	struct tc_pkt p;
	(void)state;
	conv_init(&v);
	p = pkt(&v, C, TC_SYN, ISN_C, 0, 0);
	p.opt = TC_OPT_WSCALE;
	p.wscale = 7;
	sendp(&v, &p);
	p = pkt(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	p.opt = TC_OPT_WSCALE;
	p.wscale = 7;
	sendp(&v, &p);
	/* Server's last segment is its SYN+ACK: window 1000, not 128000. */
	p = pkt(&v, C, TC_RST, ISN_C + 1 + 1500, 0, 0);
	assert_int_equal(tc_sm_rst_check(&v.c, C, &p), TC_RST_OUT_OF_WINDOW);
	conv_done(&v);
}

static void test_rst_out_of_window_ignored(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, S, TC_RST, ISN_S + 11 + 5000000, 0, 0);
	assert_int_equal(v.c.rst_ignored, 1);
	assert_int_equal(v.c.reset_by, TC_WHO_NONE);
	assert_int_equal(ST(&v, C), TC_ESTABLISHED);
	assert_int_equal(ST(&v, S), TC_ESTABLISHED);
	assert_int_equal(tc_conn_end(&v.c)->ep[S].rsts, 1);
	assert_false(v.c.cflags & TC_CONN_DONE);
	conv_done(&v);
}

/* RFC 5961: an RST in the window but not exact draws a challenge ACK; the
 * receiver carrying on undoes the reset, and it counts as not accepted. */
static void test_rst_undone_by_challenge_ack(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_RST, ISN_C + 11 + 500, 0, 0); /* in window, not exact */
	assert_int_equal(v.c.reset_by, TC_WHO_CLIENT);
	assert_true(v.c.cflags & TC_CONN_RST_TENTATIVE);
	seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 11, 0); /* the challenge ACK */
	assert_int_equal(v.c.reset_by, TC_WHO_NONE);
	assert_int_equal(v.c.reset_phase, TC_PHASE_NONE);
	assert_int_equal(tc_conn_end(&v.c)->frame_rst, 0);
	assert_int_equal(ST(&v, C), TC_ESTABLISHED);
	assert_int_equal(ST(&v, S), TC_ESTABLISHED);
	assert_int_equal(v.c.rst_ignored, 1);
	assert_int_equal(tc_conn_ext(&v.c)->challenge_acks, 1);
	assert_false(v.c.cflags & (TC_CONN_DONE | TC_CONN_RST_TENTATIVE));
	/* and the connection can still close normally */
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	assert_int_equal(ST(&v, C), TC_FIN_WAIT_1);
	conv_done(&v);
}

/* Nothing more from the receiver, or its own RST: the reset stands. */
static void test_rst_in_window_stands(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_RST, ISN_C + 11 + 500, 0, 0);
	seg(&v, C, TC_ACK, ISN_C + 11, ISN_S + 11, 0); /* the sender again: undecided */
	assert_true(v.c.cflags & TC_CONN_RST_TENTATIVE);
	seg(&v, S, TC_RST, ISN_S + 11, 0, 0);
	assert_int_equal(v.c.reset_by, TC_WHO_BOTH);
	assert_int_equal(v.c.rst_ignored, 0);
	assert_int_equal(ST(&v, S), TC_CLOSED);
	conv_done(&v);
}

/* Connect to a closed port: SYN, RST+ACK acknowledging the SYN. */
static void test_refused(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	seg(&v, S, TC_RST | TC_ACK, 0, ISN_C + 1, 0);
	assert_int_equal(v.c.opened, TC_OPENED_REFUSED);
	assert_int_equal(v.c.reset_by, TC_WHO_SERVER);
	assert_int_equal(v.c.reset_phase, TC_PHASE_HANDSHAKE);
	assert_int_equal(ST(&v, C), TC_CLOSED);
	assert_int_equal(ST(&v, S), TC_CLOSED);
	conv_done(&v);
}

/* RFC 9293 3.10.7.3: in SYN_SENT an RST is acceptable only with an ACK of
 * the SYN. Without ACK, or acknowledging something else, it is dropped. */
static void test_rst_to_syn_needs_right_ack(void **state)
{
	struct conv v;
	struct tc_pkt p;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	p = pkt(&v, S, TC_RST, 0, 0, 0);
	assert_int_equal(tc_sm_rst_check(&v.c, S, &p), TC_RST_BAD_ACK);
	p = pkt(&v, S, TC_RST | TC_ACK, 0, ISN_C + 2, 0);
	assert_int_equal(tc_sm_rst_check(&v.c, S, &p), TC_RST_BAD_ACK);
	sendp(&v, &p);
	assert_int_equal(v.c.rst_ignored, 1);
	assert_int_equal(ST(&v, C), TC_SYN_SENT);
	assert_int_equal(v.c.opened, TC_OPENED_SYN_ONLY);
	conv_done(&v);
}

/* The client gives up after the SYN+ACK: a handshake abort, not a refusal. */
static void test_client_aborts_handshake(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	seg(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	seg(&v, C, TC_RST, ISN_C + 1, 0, 0);
	assert_int_equal(v.c.reset_by, TC_WHO_CLIENT);
	assert_int_equal(v.c.reset_phase, TC_PHASE_HANDSHAKE);
	assert_int_equal(v.c.opened, TC_OPENED_HANDSHAKE);
	conv_done(&v);
}

/* After both FINs are acknowledged, an RST (answering a late segment in
 * TIME_WAIT) does not turn a graceful close into a reset. */
static void test_rst_after_graceful_close(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	seg(&v, C, TC_RST, ISN_C + 12, 0, 0);
	assert_int_equal(v.c.reset_by, TC_WHO_NONE);
	assert_int_equal(ST(&v, C), TC_TIME_WAIT);
	assert_int_equal(tc_conn_end(&v.c)->ep[C].rsts, 1);
	conv_done(&v);
}

/* An RST while closing: phase "closing", whoever had sent FIN. */
static void test_rst_while_closing(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 12, 20); /* writes after peer closed */
	seg(&v, S, TC_RST, ISN_S + 12, 0, 0);
	assert_int_equal(v.c.reset_by, TC_WHO_SERVER);
	assert_int_equal(v.c.reset_phase, TC_PHASE_CLOSING);
	assert_true(v.c.ep[C].flags & TC_EP_DATA_AFTER_PEER_FIN);
	conv_done(&v);
}

/* A second RST from the other side, still acceptable, makes it "both";
 * a repeated RST from the same side changes nothing. */
static void test_rst_both_sides(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_RST, ISN_C + 11, 0, 0);
	seg(&v, C, TC_RST, ISN_C + 11, 0, 0);
	assert_int_equal(v.c.reset_by, TC_WHO_CLIENT);
	assert_int_equal(tc_conn_end(&v.c)->ep[C].rsts, 2);
	seg(&v, S, TC_RST, ISN_S + 11, 0, 0);
	assert_int_equal(v.c.reset_by, TC_WHO_BOTH);
	assert_int_equal(tc_conn_end(&v.c)->frame_rst, 7);
	conv_done(&v);
}

static void test_midstream_roles(void **state)
{
	struct conv v;
	struct tc_pkt p;
	(void)state;

	/* First packet from the well-known port: the server spoke first. */
	conv_init(&v);
	v.cport = 51514;
	v.sport = 443;
	p = pkt(&v, S, TC_ACK | TC_PSH, 7000, 3000, 100);
	assert_int_equal(sendp(&v, &p), S);
	assert_int_equal(v.c.ep[C].port, 51514);
	assert_int_equal(v.c.ep[S].port, 443);
	assert_true(v.c.cflags & TC_CONN_FLIPPED);
	assert_int_equal(v.c.opened, TC_OPENED_MIDSTREAM);
	assert_int_equal(ST(&v, C), TC_ESTABLISHED);
	assert_int_equal(ST(&v, S), TC_ESTABLISHED);

	/* Neither port well-known: the lower one is the server. */
	conv_init(&v);
	v.cport = 50000;
	v.sport = 8080;
	p = pkt(&v, C, TC_ACK, 1, 1, 0);
	assert_int_equal(sendp(&v, &p), C);
	assert_false(v.c.cflags & TC_CONN_FLIPPED);

	/* Equal ports: the first sender is the client. */
	conv_init(&v);
	v.cport = 5000;
	v.sport = 5000;
	p = pkt(&v, S, TC_ACK, 1, 1, 0);
	tc_sm_init(&v.c, &p);
	assert_memory_equal(v.c.ep[C].addr, p.src, 16);
	conv_done(&v);
}

/* Picked up at the SYN+ACK: its receiver is the client. */
static void test_pickup_at_syn_ack(void **state)
{
	struct conv v;
	struct tc_pkt p;
	(void)state;
	conv_init(&v);
	p = pkt(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	assert_int_equal(sendp(&v, &p), S);
	assert_int_equal(v.c.ep[C].port, v.cport);
	assert_int_equal(ST(&v, C), TC_ESTABLISHED);
	assert_int_equal(ST(&v, S), TC_SYN_RECEIVED);
	seg(&v, C, TC_ACK, ISN_C + 1, ISN_S + 1, 0);
	assert_int_equal(ST(&v, S), TC_ESTABLISHED);
	assert_int_equal(v.c.opened, TC_OPENED_MIDSTREAM);
	conv_done(&v);
}

/* The SYN captured after its SYN+ACK (reordered, or merged capture
 * points): one connection, and its handshake was seen after all. */
static void test_syn_after_syn_ack(void **state)
{
	struct conv v;
	struct tc_pkt p;
	(void)state;
	conv_init(&v);
	seg(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	p = pkt(&v, C, TC_SYN, ISN_C, 0, 0);
	assert_false(tc_sm_is_new_syn(&v.c, C, &p));
	sendp(&v, &p);
	seg(&v, C, TC_ACK, ISN_C + 1, ISN_S + 1, 0);
	assert_int_equal(v.c.opened, TC_OPENED_HANDSHAKE);
	assert_int_equal(ST(&v, C), TC_ESTABLISHED);
	assert_int_equal(ST(&v, S), TC_ESTABLISHED);
	/* a SYN with another ISN is still a new connection */
	p = pkt(&v, C, TC_SYN, ISN_C + 777, 0, 0);
	assert_true(tc_sm_is_new_syn(&v.c, C, &p));
	conv_done(&v);
}

/* Mid-stream close: FIN first seen from the server. */
static void test_midstream_close(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_ACK | TC_PSH, 100, 900, 10);
	seg(&v, S, TC_FIN | TC_ACK, 900, 110, 0);
	assert_int_equal(ST(&v, S), TC_FIN_WAIT_1);
	assert_int_equal(ST(&v, C), TC_CLOSE_WAIT);
	seg(&v, C, TC_FIN | TC_ACK, 110, 901, 0);
	seg(&v, S, TC_ACK, 901, 111, 0);
	assert_int_equal(ST(&v, S), TC_TIME_WAIT);
	assert_int_equal(ST(&v, C), TC_CLOSED);
	conv_done(&v);
}

static void test_new_syn_detection(void **state)
{
	struct conv v;
	struct tc_pkt p;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	p = pkt(&v, C, TC_SYN, ISN_C, 0, 0);
	assert_false(tc_sm_is_new_syn(&v.c, C, &p)); /* retransmitted SYN */
	p = pkt(&v, C, TC_SYN, ISN_C + 99999, 0, 0);
	assert_true(tc_sm_is_new_syn(&v.c, C, &p)); /* new ISN: new connection */
	p = pkt(&v, S, TC_SYN, ISN_S, 0, 0);
	assert_false(tc_sm_is_new_syn(&v.c, S, &p)); /* simultaneous open */
	p = pkt(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	assert_false(tc_sm_is_new_syn(&v.c, S, &p));

	conv_init(&v);
	seg(&v, C, TC_ACK, 100, 200, 0); /* mid-stream */
	p = pkt(&v, C, TC_SYN, 5, 0, 0);
	assert_true(tc_sm_is_new_syn(&v.c, C, &p));
	conv_done(&v);
}

/* Retransmitted payload is counted; a keep-alive probe (one byte at
 * snd_nxt - 1) is not a retransmission. */
static void test_retransmission_counting(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 1, ISN_S + 11, 10); /* repeats bytes 1..10 */
	assert_int_equal(v.c.ep[C].retx, 1);
	seg(&v, C, TC_ACK, ISN_C + 10, ISN_S + 11, 1); /* keep-alive probe */
	assert_int_equal(v.c.ep[C].retx, 1);
	assert_int_equal(v.c.ep[C].snd_nxt, ISN_C + 11);
	conv_done(&v);
}

/* The rare facts live in an extension record allocated on first use: a
 * plain close never pays for it; an RST, a keep-alive probe do. */
static void test_extension_only_when_needed(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	assert_true(v.c.cflags & TC_CONN_DONE);
	assert_null(v.c.x);
	conv_done(&v);

	conv_init(&v);
	handshake_and_data(&v);
	assert_null(v.c.x);
	seg(&v, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	assert_non_null(v.c.x);
	assert_int_equal(tc_conn_ext(&v.c)->rst.check, TC_RST_EXACT);
	assert_int_equal(tc_conn_ext(&v.c)->ep[S].rst_seq, ISN_S + 11);
	conv_done(&v);
	assert_null(v.c.x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extension_only_when_needed),
		cmocka_unit_test(test_transition_table),
		cmocka_unit_test(test_transition_total_and_inert),
		cmocka_unit_test(test_client_closes_first),
		cmocka_unit_test(test_server_closes_first),
		cmocka_unit_test(test_fin_ack_combined),
		cmocka_unit_test(test_simultaneous_close),
		cmocka_unit_test(test_fin_retransmission_counts_once),
		cmocka_unit_test(test_fin_with_data),
		cmocka_unit_test(test_half_close_peer_keeps_sending),
		cmocka_unit_test(test_rst_exact_accepted),
		cmocka_unit_test(test_rst_window_edges),
		cmocka_unit_test(test_rst_window_scaled_and_wrapping),
		cmocka_unit_test(test_rst_window_of_syn_unscaled),
		cmocka_unit_test(test_rst_out_of_window_ignored),
		cmocka_unit_test(test_rst_undone_by_challenge_ack),
		cmocka_unit_test(test_setter_keeps_previous_state_and_stamps_time_wait),
		cmocka_unit_test(test_setter_restores_after_undone_rst),
		cmocka_unit_test(test_rst_in_window_stands),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_rst_to_syn_needs_right_ack),
		cmocka_unit_test(test_client_aborts_handshake),
		cmocka_unit_test(test_rst_after_graceful_close),
		cmocka_unit_test(test_rst_while_closing),
		cmocka_unit_test(test_rst_both_sides),
		cmocka_unit_test(test_midstream_roles),
		cmocka_unit_test(test_pickup_at_syn_ack),
		cmocka_unit_test(test_syn_after_syn_ack),
		cmocka_unit_test(test_midstream_close),
		cmocka_unit_test(test_new_syn_detection),
		cmocka_unit_test(test_retransmission_counting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
