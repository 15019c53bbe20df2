/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_zeek_state.c -- Zeek's conn_state from our endpoint facts, one
 * conversation per state, driven through the real state machine (convo.c),
 * so the mapping is pinned for the states no bundled capture shows (S0,
 * REJ, S2, S3, SH, SHR, RSTOS0, RSTRH, OTH), and the uid's shape.
 * The zeek_* tests pin Zeek's own endpoint rules (TCPSessionAdapter's
 * UpdateStateMachine, TCP_Endpoint::Size) where they part from tcpclose's
 * RFC 9293 verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "convo.h"
#include "out_tab.h"

/* Where tc_conn_history() puts a long history together. */
static tc_history_buf hist_buf;

static void want(struct conv *v, const char *state)
{
	const char *got = tc_zeek_conn_state(&v->c);
	if (strcmp(got, state) != 0)
		fail_msg("history %s: expected %s, got %s", tc_conn_history(&v->c, hist_buf), state, got);
}

static void test_s0(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	seg(&v, C, TC_SYN, ISN_C, 0, 0); /* retransmitted, never answered */
	want(&v, "S0");
	conv_done(&v);
}

static void test_rej(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	seg(&v, S, TC_RST | TC_ACK, 0, ISN_C + 1, 0);
	want(&v, "REJ");
	conv_done(&v);
}

static void test_s1_sf(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	want(&v, "S1");
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	want(&v, "S2");
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
	want(&v, "SF");
	conv_done(&v);
}

static void test_s3(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	seg(&v, C, TC_ACK, ISN_C + 11, ISN_S + 12, 0);
	want(&v, "S3");
	conv_done(&v);
}

static void test_rsto_rstr(void **state)
{
	struct conv v, w;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_RST | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	want(&v, "RSTO");
	conv_init(&w);
	handshake_and_data(&w);
	seg(&w, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	want(&w, "RSTR");
	conv_done(&v);
	conv_done(&w);
}

/* A server RST after the handshake is a reset (RSTR), not a rejection. */
static void test_server_aborts_handshake(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	seg(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	seg(&v, S, TC_RST, ISN_S + 1, 0, 0);
	want(&v, "RSTR");
	conv_done(&v);
}

static void test_rstos0(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	seg(&v, C, TC_RST, ISN_C + 1, 0, 0);
	want(&v, "RSTOS0");
	conv_done(&v);
}

/* SYN+ACK first (its receiver is the client), then the server resets. */
static void test_rstrh(void **state)
{
	struct conv v;
	struct tc_pkt p;
	(void)state;
	conv_init(&v);
	p = pkt(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	sendp(&v, &p);
	p = pkt(&v, S, TC_RST, ISN_S + 1, 0, 0);
	sendp(&v, &p);
	want(&v, "RSTRH");
	conv_done(&v);
}

static void test_sh(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	seg(&v, C, TC_FIN, ISN_C + 1, 0, 0);
	want(&v, "SH");
	conv_done(&v);
}

static void test_shr(void **state)
{
	struct conv v;
	struct tc_pkt p;
	(void)state;
	conv_init(&v);
	p = pkt(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	sendp(&v, &p);
	p = pkt(&v, S, TC_FIN | TC_ACK, ISN_S + 1, ISN_C + 1, 0);
	sendp(&v, &p);
	want(&v, "SHR");
	conv_done(&v);
}

/* Mid-stream data, never closed: a partial connection. */
static void test_oth(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	v.cport = 40000;
	v.sport = 80;
	seg(&v, C, TC_ACK | TC_PSH, ISN_C, ISN_S, 100);
	seg(&v, S, TC_ACK, ISN_S, ISN_C + 100, 0);
	want(&v, "OTH");
	conv_done(&v);
}

/* Zeek: a FIN makes its sender CLOSED whether acknowledged or not. */
static void test_zeek_fins_unacked_sf(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 11, 0); /* not acking the FIN */
	assert_int_equal(TC_ZSTATE(&v.c.ep[C]), TC_Z_CLOSED);
	assert_int_equal(TC_ZSTATE(&v.c.ep[S]), TC_Z_CLOSED);
	want(&v, "SF");
	conv_done(&v);
}

/* Zeek: an RST once both sides sent their FIN changes nothing: SF. */
static void test_zeek_rst_after_both_fins_sf(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	seg(&v, C, TC_RST, ISN_C + 12, 0, 0);
	want(&v, "SF");
	conv_done(&v);
}

/* Zeek: FIN then RST from one side, then the peer's FIN: the peer's FIN
 * turns the RESET (entered from CLOSED) back to CLOSED: SF. One segment
 * carrying FIN+RST from an established endpoint enters RESET from
 * ESTABLISHED, and the same answer leaves it reset: RSTO. */
static void test_zeek_fin_answers_fin_rst(void **state)
{
	struct conv v, w;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, C, TC_RST | TC_ACK, ISN_C + 12, ISN_S + 11, 0);
	want(&v, "RSTO");
	assert_int_equal(TC_ZSTATE_PREV(&v.c.ep[C]), TC_Z_CLOSED);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	want(&v, "SF");
	conv_init(&w);
	handshake_and_data(&w);
	seg(&w, C, TC_FIN | TC_RST | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&w, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	want(&w, "RSTO");
	conv_done(&v);
	conv_done(&w);
}

/* Zeek: RESET is final -- a FIN or data after it does not move the
 * endpoint -- and any RST counts, even one tcpclose finds out of window. */
static void test_zeek_reset_sticky_any_rst(void **state)
{
	struct conv v, w;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_RST | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	assert_int_equal(TC_ZSTATE(&v.c.ep[C]), TC_Z_RESET);
	want(&v, "RSTO");
	conv_init(&w);
	handshake_and_data(&w);
	seg(&w, S, TC_RST | TC_ACK, ISN_S + 900000, ISN_C + 11, 0); /* far out of window */
	assert_int_equal(w.c.ep[S].flags & TC_EP_RST, 0); /* tcpclose ignores it */
	want(&w, "RSTR");
	conv_done(&v);
	conv_done(&w);
}

/* Zeek: the responder's RESET is looked at first: both reset after data
 * is RSTR; both reset with nothing sent is REJ. */
static void test_zeek_resp_reset_precedence(void **state)
{
	struct conv v, w;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_RST | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_RST, ISN_S + 11, 0, 0);
	want(&v, "RSTR");
	conv_init(&w);
	seg(&w, C, TC_SYN, ISN_C, 0, 0);
	seg(&w, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	seg(&w, C, TC_RST, ISN_C + 1, 0, 0);
	seg(&w, S, TC_RST, ISN_S + 1, 0, 0);
	want(&w, "REJ");
	conv_done(&v);
	conv_done(&w);
}

/* Zeek: SYN and SYN+ACK establish both ends: S1 without the third ACK. */
static void test_zeek_s1_without_ack(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	seg(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	want(&v, "S1");
	conv_done(&v);
}

/* Zeek's byte counts come from sequence numbers: a retransmission counts
 * once, a hole the capture missed counts, the SYN and FIN do not. */
static void test_zeek_size_from_seq(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 1, ISN_S + 11, 10); /* retransmission */
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 111, ISN_S + 11, 10); /* 100 bytes missed before */
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 121, ISN_S + 11, 0);
	assert_int_equal(v.c.ep[C].bytes, 30);
	assert_int_equal(tc_zeek_size(&v.c, C), 120);
	assert_int_equal(tc_zeek_size(&v.c, S), 10);
	conv_done(&v);
}

static void test_uid(void **state)
{
	struct conv v;
	char a[24], b[24];
	size_t i;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	v.c.id = 61;
	tc_zeek_uid(&v.c, a);
	assert_int_equal(strlen(a), 13);
	assert_int_equal(a[0], 'C');
	assert_int_equal(a[12], 'z'); /* 61 in base62 */
	for (i = 1; i < strlen(a); i++)
		assert_non_null(strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", a[i]));
	tc_zeek_uid(&v.c, b);
	assert_string_equal(a, b); /* deterministic */
	v.c.first_ts += 1;
	tc_zeek_uid(&v.c, b);
	assert_string_not_equal(a, b); /* another capture's connection 61 */
	v.c.id = 62;
	tc_zeek_uid(&v.c, b);
	assert_int_equal(strlen(b), 14);
	assert_string_equal(b + 12, "10");
	conv_done(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s0),
		cmocka_unit_test(test_rej),
		cmocka_unit_test(test_s1_sf),
		cmocka_unit_test(test_s3),
		cmocka_unit_test(test_rsto_rstr),
		cmocka_unit_test(test_server_aborts_handshake),
		cmocka_unit_test(test_rstos0),
		cmocka_unit_test(test_rstrh),
		cmocka_unit_test(test_sh),
		cmocka_unit_test(test_shr),
		cmocka_unit_test(test_oth),
		cmocka_unit_test(test_zeek_fins_unacked_sf),
		cmocka_unit_test(test_zeek_rst_after_both_fins_sf),
		cmocka_unit_test(test_zeek_fin_answers_fin_rst),
		cmocka_unit_test(test_zeek_reset_sticky_any_rst),
		cmocka_unit_test(test_zeek_resp_reset_precedence),
		cmocka_unit_test(test_zeek_s1_without_ack),
		cmocka_unit_test(test_zeek_size_from_seq),
		cmocka_unit_test(test_uid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
