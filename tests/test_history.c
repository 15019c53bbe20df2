/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_history.c -- unit tests for the Zeek `history` letters (src/core/history.c).
 *
 * Segments are driven through the real per-segment pass (tc_sm_init to
 * pick the roles, tc_segment_apply, which runs the counters and the state
 * machine and then tc_history_observe), so the letters are checked in the
 * setting they are produced in. Each expected string is derived from the rules in history.h:
 * upper case for the client, '^' first when the client did not send the
 * first packet, A/D/Q/I once per direction, F/R again only for a new
 * sequence number of that side, T/W at the 1st, 10th, 100th occurrence, and
 * at most TC_HISTORY_MAX letters. The content-gap letters G/g need the
 * loss inference (infer.c) to run before each segment, as the engine runs
 * it; those tests set hc.infer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcpclose/conn.h"
#include "tcpclose/decode.h"
#include "history.h"
#include "infer.h"
#include "segment.h"
#include "tcpsm.h"

/* Where tc_conn_history() puts a long history together. */
static tc_history_buf hist_buf;

/* ---- a connection driven segment by segment ------------------------------ */

/* The two hosts: A = 192.0.2.10:51514 (ephemeral), B = 203.0.113.5:443. */
enum { FROM_A = 0, FROM_B = 1 };

struct hc {
	struct tc_conn c;
	int started;
	int infer; /* run the loss inference first, as the engine does */
	uint64_t frame;
};

/* Send one segment from host A or B; returns the role of its sender. */
static enum tc_role seg_w(struct hc *h, int from, uint8_t flags, uint32_t seq, uint32_t ack,
			  uint32_t len, uint16_t win)
{
	static const uint8_t a[4] = { 192, 0, 2, 10 }, b[4] = { 203, 0, 113, 5 };
	struct tc_pkt p;
	enum tc_role role;

	memset(&p, 0, sizeof p);
	p.af = 4;
	p.ttl = 64;
	p.flags = flags;
	memcpy(p.src, from == FROM_A ? a : b, 4);
	memcpy(p.dst, from == FROM_A ? b : a, 4);
	p.sport = from == FROM_A ? 51514 : 443;
	p.dport = from == FROM_A ? 443 : 51514;
	p.seq = seq;
	p.ack = ack;
	p.win = win;
	p.payload_len = len;
	if (!h->started) {
		role = tc_sm_init(&h->c, &p);
		h->started = 1;
	} else {
		role = tc_sm_role_of(&h->c, &p);
	}
	h->frame++;
	if (h->infer &&
	    (tc_infer_segment(&h->c, role, &p, (int64_t)h->frame * 1000000, h->frame) &
	     TC_INFER_DUPLICATE))
		return role;
	tc_segment_apply(&h->c, role, &p, (int64_t)h->frame * 1000000, h->frame);
	/* Invariants after every segment. */
	assert_true(h->c.hist_len <= TC_HISTORY_MAX);
	assert_int_equal(tc_conn_history(&h->c, hist_buf)[h->c.hist_len], '\0');
	assert_int_equal(strlen(tc_conn_history(&h->c, hist_buf)), h->c.hist_len);
	return role;
}

static enum tc_role seg(struct hc *h, int from, uint8_t flags, uint32_t seq, uint32_t ack,
			uint32_t len)
{
	return seg_w(h, from, flags, seq, ack, len, 65535);
}

static int count(const struct hc *h, char letter)
{
	int n = 0;
	const char *s;

	for (s = tc_conn_history(&h->c, hist_buf); *s; s++)
		n += *s == letter;
	return n;
}

/* A's ISN is 1000, B's 5000: SYN, SYN+ACK, ACK. */
static void handshake(struct hc *h)
{
	assert_int_equal(seg(h, FROM_A, TC_SYN, 1000, 0, 0), TC_CLIENT);
	assert_int_equal(seg(h, FROM_B, TC_SYN | TC_ACK, 5000, 1001, 0), TC_SERVER);
	assert_int_equal(seg(h, FROM_A, TC_ACK, 1001, 5001, 0), TC_CLIENT);
}

#define HIST(h) tc_conn_history(&(h)->c, hist_buf)

static int cmp_char(const void *a, const void *b)
{
	return *(const char *)a - *(const char *)b;
}

/*
 * The letters added since the history had `from` letters are exactly those
 * of `want`, in any order: history.h does not order the letters one segment
 * produces among themselves.
 */
static void expect_added(const struct hc *h, size_t from, const char *want)
{
	char got[TC_HISTORY_MAX + 1], exp[TC_HISTORY_MAX + 1];
	size_t n = strlen(want);

	assert_true(n <= TC_HISTORY_MAX);
	assert_true(strlen(tc_conn_history(&h->c, hist_buf)) >= from);
	strcpy(got, tc_conn_history(&h->c, hist_buf) + from);
	strcpy(exp, want);
	qsort(got, strlen(got), 1, cmp_char);
	qsort(exp, n, 1, cmp_char);
	if (strcmp(got, exp) != 0)
		print_error("history %s: added %s, want the letters of %s\n", tc_conn_history(&h->c, hist_buf),
			    tc_conn_history(&h->c, hist_buf) + from, want);
	assert_string_equal(got, exp);
}

/*
 * Every letter added since `from` is one of `allowed`. For the multi-flag
 * segments (SYN+FIN, FIN+RST) history.h fixes Q and I but Zeek and a
 * letter-per-flag reading differ on whether S/F/R come with them, so the
 * tests only require that nothing outside that set appears.
 */
static void expect_added_within(const struct hc *h, size_t from, const char *allowed)
{
	const char *s;

	assert_true(strlen(tc_conn_history(&h->c, hist_buf)) >= from);
	for (s = tc_conn_history(&h->c, hist_buf) + from; *s; s++) {
		if (!strchr(allowed, *s))
			print_error("history %s: unexpected letter %c\n", tc_conn_history(&h->c, hist_buf), *s);
		assert_non_null(strchr(allowed, *s));
	}
}

/* ---- tests -------------------------------------------------------------- */

/*
 * SYN -> S, SYN+ACK -> h, ACK -> A, client data -> D, server pure ACK -> a,
 * server data -> d; the client's next pure ACK adds nothing (A once);
 * FIN+ACK each way -> F, f (not A: a FIN is not a pure ACK); the last ACK
 * adds nothing.
 */
static void test_normal_connection(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	seg(&h, FROM_A, TC_SYN, 1000, 0, 0);
	assert_string_equal(HIST(&h), "S");
	seg(&h, FROM_B, TC_SYN | TC_ACK, 5000, 1001, 0);
	assert_string_equal(HIST(&h), "Sh");
	seg(&h, FROM_A, TC_ACK, 1001, 5001, 0);
	assert_string_equal(HIST(&h), "ShA");
	seg(&h, FROM_A, TC_PSH | TC_ACK, 1001, 5001, 100);
	assert_string_equal(HIST(&h), "ShAD");
	seg(&h, FROM_B, TC_ACK, 5001, 1101, 0);
	assert_string_equal(HIST(&h), "ShADa");
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5001, 1101, 200);
	assert_string_equal(HIST(&h), "ShADad");
	seg(&h, FROM_A, TC_ACK, 1101, 5201, 0);
	assert_string_equal(HIST(&h), "ShADad");
	seg(&h, FROM_A, TC_FIN | TC_ACK, 1101, 5201, 0);
	assert_string_equal(HIST(&h), "ShADadF");
	seg(&h, FROM_B, TC_FIN | TC_ACK, 5201, 1102, 0);
	assert_string_equal(HIST(&h), "ShADadFf");
	seg(&h, FROM_A, TC_ACK, 1102, 5202, 0);
	assert_string_equal(HIST(&h), "ShADadFf");
	assert_int_equal(h.c.hist_len, 8);
	/* Sanity: the state machine agrees this was a graceful close. */
	assert_int_equal(h.c.ep[TC_CLIENT].state, TC_TIME_WAIT);
	assert_int_equal(h.c.ep[TC_SERVER].state, TC_CLOSED);
	tc_conn_release(&h.c);
}

/* The server closes first: its f comes before the client's F. */
static void test_server_closes_first(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	handshake(&h);
	seg(&h, FROM_A, TC_PSH | TC_ACK, 1001, 5001, 10);
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5001, 1011, 20);
	seg(&h, FROM_B, TC_FIN | TC_ACK, 5021, 1011, 0);
	seg(&h, FROM_A, TC_FIN | TC_ACK, 1011, 5022, 0);
	seg(&h, FROM_B, TC_ACK, 5022, 1012, 0);
	assert_string_equal(HIST(&h), "ShADdfFa");
	tc_conn_release(&h.c);
}

/* FIN+ACK and RST+ACK without payload are not pure ACKs. */
static void test_fin_and_rst_are_not_pure_acks(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	seg(&h, FROM_A, TC_SYN, 1000, 0, 0);
	seg(&h, FROM_B, TC_SYN | TC_ACK, 5000, 1001, 0);
	seg(&h, FROM_A, TC_FIN | TC_ACK, 1001, 5001, 0);
	assert_string_equal(HIST(&h), "ShF");
	seg(&h, FROM_B, TC_RST | TC_ACK, 5001, 1002, 0);
	assert_string_equal(HIST(&h), "ShFr");
	seg(&h, FROM_A, TC_PSH | TC_ACK, 1002, 5001, 0); /* PSH+ACK, no data: pure */
	assert_string_equal(HIST(&h), "ShFrA");
	tc_conn_release(&h.c);
}

/* First packet a SYN+ACK: the client (its receiver) did not send first. */
static void test_flipped_first_synack(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	assert_int_equal(seg(&h, FROM_B, TC_SYN | TC_ACK, 5000, 1001, 0), TC_SERVER);
	assert_string_equal(HIST(&h), "^h");
	assert_int_equal(seg(&h, FROM_A, TC_ACK, 1001, 5001, 0), TC_CLIENT);
	assert_string_equal(HIST(&h), "^hA");
	seg(&h, FROM_A, TC_PSH | TC_ACK, 1001, 5001, 50);
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5001, 1051, 60);
	assert_string_equal(HIST(&h), "^hADd");
	assert_int_equal(count(&h, '^'), 1);
	tc_conn_release(&h.c);
}

/* Mid-stream, first seen: data from port 443 to 51514 (the server). */
static void test_flipped_midstream_server_data(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	assert_int_equal(seg(&h, FROM_B, TC_PSH | TC_ACK, 7000, 3000, 100), TC_SERVER);
	assert_string_equal(HIST(&h), "^d");
	seg(&h, FROM_A, TC_ACK, 3000, 7100, 0);
	assert_string_equal(HIST(&h), "^dA");
	seg(&h, FROM_B, TC_PSH | TC_ACK, 7100, 3000, 100);
	seg(&h, FROM_A, TC_PSH | TC_ACK, 3000, 7200, 10);
	assert_string_equal(HIST(&h), "^dAD");
	assert_int_equal(count(&h, '^'), 1);
	tc_conn_release(&h.c);
}

/* '^' even when the first segment itself produces no letter. */
static void test_flipped_first_segment_without_letters(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	assert_int_equal(seg(&h, FROM_B, 0, 7000, 0, 0), TC_SERVER);
	assert_string_equal(HIST(&h), "^");
	seg(&h, FROM_B, 0, 7000, 0, 0);
	assert_string_equal(HIST(&h), "^");
	seg(&h, FROM_B, TC_ACK, 7000, 3000, 0);
	assert_string_equal(HIST(&h), "^a");
	tc_conn_release(&h.c);
}

/* No '^' when the client sent first, whatever its port. */
static void test_not_flipped(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	assert_int_equal(seg(&h, FROM_A, TC_PSH | TC_ACK, 3000, 7000, 100), TC_CLIENT);
	assert_string_equal(HIST(&h), "D");
	seg(&h, FROM_B, TC_ACK, 7000, 3100, 0);
	assert_string_equal(HIST(&h), "Da");

	/* A SYN names its sender the client, even from port 443. */
	tc_conn_release(&h.c);
	memset(&h, 0, sizeof h);
	assert_int_equal(seg(&h, FROM_B, TC_SYN, 5000, 0, 0), TC_CLIENT);
	assert_string_equal(HIST(&h), "S");
	seg(&h, FROM_A, TC_SYN | TC_ACK, 1000, 5001, 0);
	assert_string_equal(HIST(&h), "Sh");
	tc_conn_release(&h.c);
}

/* A and D once per direction, however many segments. */
static void test_a_d_once_per_direction(void **state)
{
	struct hc h;
	uint32_t i, cs = 1001, ss = 5001;

	(void)state;
	memset(&h, 0, sizeof h);
	handshake(&h);
	for (i = 0; i < 50; i++) {
		seg(&h, FROM_A, TC_PSH | TC_ACK, cs, ss, 100);
		cs += 100;
		seg(&h, FROM_B, TC_ACK, ss, cs, 0);
		seg(&h, FROM_B, TC_PSH | TC_ACK, ss, cs, 300);
		ss += 300;
		seg(&h, FROM_A, TC_ACK, cs, ss, 0);
	}
	assert_string_equal(HIST(&h), "ShADad");
	assert_int_equal(h.c.ep[TC_CLIENT].retx, 0); /* all new data */
	assert_int_equal(h.c.ep[TC_SERVER].retx, 0);
	tc_conn_release(&h.c);
}

/* A retransmitted FIN (same sequence number) is one F. */
static void test_fin_retransmission_one_letter(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	handshake(&h);
	seg(&h, FROM_A, TC_FIN | TC_ACK, 1001, 5001, 0);
	seg(&h, FROM_A, TC_FIN | TC_ACK, 1001, 5001, 0);
	seg(&h, FROM_A, TC_FIN | TC_ACK, 1001, 5001, 0);
	assert_string_equal(HIST(&h), "ShAF");
	assert_int_equal(tc_conn_end(&h.c)->ep[TC_CLIENT].fins, 3);

	/* A FIN carrying data sits after the data: a bare FIN at that
	 * number repeats the same FIN. */
	tc_conn_release(&h.c);
	memset(&h, 0, sizeof h);
	handshake(&h);
	seg(&h, FROM_B, TC_FIN | TC_PSH | TC_ACK, 5001, 1001, 100); /* FIN at 5101 */
	assert_string_equal(HIST(&h), "ShAdf");
	seg(&h, FROM_B, TC_FIN | TC_ACK, 5101, 1001, 0);
	assert_string_equal(HIST(&h), "ShAdf");
	/* The whole FIN+data segment retransmitted: the same FIN (at 5101),
	 * though the segment starts at 5001. */
	seg(&h, FROM_B, TC_FIN | TC_PSH | TC_ACK, 5001, 1001, 100);
	assert_string_equal(HIST(&h), "ShAdft");
	tc_conn_release(&h.c);
}

/* A FIN with a new sequence number is recorded again. */
static void test_fin_new_sequence_number(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	handshake(&h);
	seg(&h, FROM_A, TC_FIN | TC_ACK, 1001, 5001, 0);
	assert_int_equal(count(&h, 'F'), 1);
	seg(&h, FROM_A, TC_FIN | TC_ACK, 1501, 5001, 0);
	assert_int_equal(count(&h, 'F'), 2);
	assert_string_equal(HIST(&h), "ShAFF");
	tc_conn_release(&h.c);
}

/*
 * "again when their sequence number differs from the previous one of that
 * side": after FINs at 1001 and 1501, another FIN at 1501 repeats the
 * previous one (no letter); one back at 1001 differs from it (a letter).
 */
static void test_fin_same_as_previous_not_repeated(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	handshake(&h);
	seg(&h, FROM_A, TC_FIN | TC_ACK, 1001, 5001, 0);
	seg(&h, FROM_A, TC_FIN | TC_ACK, 1501, 5001, 0);
	assert_string_equal(HIST(&h), "ShAFF");
	seg(&h, FROM_A, TC_FIN | TC_ACK, 1501, 5001, 0);
	assert_string_equal(HIST(&h), "ShAFF");
	seg(&h, FROM_A, TC_FIN | TC_ACK, 1001, 5001, 0);
	assert_string_equal(HIST(&h), "ShAFFF");
	tc_conn_release(&h.c);
}

/* F is tracked per side: the peer's FIN at the same number is its own f. */
static void test_fin_per_side(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	seg(&h, FROM_A, TC_PSH | TC_ACK, 7777, 7777, 10); /* mid-stream */
	seg(&h, FROM_A, TC_FIN | TC_ACK, 7787, 7777, 0);
	seg(&h, FROM_B, TC_FIN | TC_ACK, 7787, 7788, 0);
	assert_string_equal(HIST(&h), "DFf");
	tc_conn_release(&h.c);
}

/* R for the first RST, again only for a new number of that side. */
static void test_rst_sequence_numbers(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	handshake(&h);
	seg(&h, FROM_A, TC_RST | TC_ACK, 1001, 5001, 0);
	assert_string_equal(HIST(&h), "ShAR");
	seg(&h, FROM_A, TC_RST | TC_ACK, 1001, 5001, 0);
	assert_string_equal(HIST(&h), "ShAR");
	seg(&h, FROM_A, TC_RST, 2001, 0, 0);
	assert_string_equal(HIST(&h), "ShARR");
	seg(&h, FROM_A, TC_RST, 2001, 0, 0);
	assert_string_equal(HIST(&h), "ShARR");
	seg(&h, FROM_A, TC_RST, 1001, 0, 0);
	assert_string_equal(HIST(&h), "ShARRR");
	/* The server's first RST, at a number the client used: r. */
	seg(&h, FROM_B, TC_RST, 1001, 0, 0);
	assert_string_equal(HIST(&h), "ShARRRr");
	assert_int_equal(tc_conn_end(&h.c)->ep[TC_CLIENT].rsts, 5);
	tc_conn_release(&h.c);
}

/* The first RST of a side counts even at sequence number 0. */
static void test_first_rst_at_seq_zero(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	assert_int_equal(seg(&h, FROM_A, TC_RST, 0, 0, 0), TC_CLIENT);
	assert_string_equal(HIST(&h), "R");
	seg(&h, FROM_A, TC_RST, 0, 0, 0);
	assert_string_equal(HIST(&h), "R");
	seg(&h, FROM_B, TC_RST | TC_ACK, 0, 0, 0);
	assert_string_equal(HIST(&h), "Rr");
	tc_conn_release(&h.c);
}

/* T at the 1st, 10th and 100th retransmission, and not in between. */
static void test_retransmission_T(void **state)
{
	struct hc h;
	uint32_t i;

	(void)state;
	memset(&h, 0, sizeof h);
	handshake(&h);
	seg(&h, FROM_A, TC_PSH | TC_ACK, 1001, 5001, 100);
	assert_string_equal(HIST(&h), "ShAD");
	for (i = 1; i <= 150; i++) {
		int want = i >= 100 ? 3 : i >= 10 ? 2 : 1;
		seg(&h, FROM_A, TC_PSH | TC_ACK, 1001, 5001, 100);
		assert_int_equal(h.c.ep[TC_CLIENT].retx, i);
		if (count(&h, 'T') != want)
			print_error("after retransmission %u: %s\n", i, HIST(&h));
		assert_int_equal(count(&h, 'T'), want);
	}
	assert_string_equal(HIST(&h), "ShADTTT");
	/* The server's retransmissions have their own count: t. */
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5001, 1101, 10);
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5001, 1101, 10);
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5001, 1101, 10);
	assert_string_equal(HIST(&h), "ShADTTTdt");
	tc_conn_release(&h.c);
}

/* W at the 1st, 10th, 100th zero-window segment; an RST with window 0 is
 * not a zero-window advertisement. */
static void test_zero_window_W(void **state)
{
	struct hc h;
	uint32_t i;

	(void)state;
	memset(&h, 0, sizeof h);
	handshake(&h);
	seg(&h, FROM_B, TC_ACK, 5001, 1001, 0);
	assert_string_equal(HIST(&h), "ShAa");
	for (i = 1; i <= 120; i++) {
		int want = i >= 100 ? 3 : i >= 10 ? 2 : 1;
		seg_w(&h, FROM_B, TC_ACK, 5001, 1001, 0, 0);
		assert_int_equal(h.c.ep[TC_SERVER].zero_win, i);
		assert_int_equal(count(&h, 'w'), want);
		if (i == 1)
			assert_string_equal(HIST(&h), "ShAaw");
	}
	assert_string_equal(HIST(&h), "ShAawww");
	assert_int_equal(count(&h, 'W'), 0);
	seg_w(&h, FROM_A, TC_RST | TC_ACK, 1001, 5001, 0, 0);
	assert_string_equal(HIST(&h), "ShAawwwR");
	tc_conn_release(&h.c);
}

/* An RST with window 0 as the very first segment: R, no W. */
static void test_rst_window_zero_no_W(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	seg(&h, FROM_A, TC_PSH | TC_ACK, 3000, 7000, 10);
	seg_w(&h, FROM_B, TC_RST, 7000, 0, 0, 0);
	assert_string_equal(HIST(&h), "Dr");
	assert_int_equal(count(&h, 'w'), 0);

	/* Nor does it count toward the 10th: after one zero-window ACK, an
	 * RST with window 0 is not a second one. */
	tc_conn_release(&h.c);
	tc_conn_release(&h.c);
	memset(&h, 0, sizeof h);
	seg(&h, FROM_A, TC_PSH | TC_ACK, 3000, 7000, 10);
	seg_w(&h, FROM_B, TC_ACK, 7000, 3010, 0, 0);
	assert_string_equal(HIST(&h), "Daw");
	seg_w(&h, FROM_B, TC_RST | TC_ACK, 7000, 3010, 0, 0);
	assert_string_equal(HIST(&h), "Dawr");
	assert_int_equal(h.c.ep[TC_SERVER].zero_win, 1);
	tc_conn_release(&h.c);
}

/* SYN with FIN, or with RST: Q, once per direction. */
static void test_syn_fin_Q(void **state)
{
	struct hc h;
	char before[TC_HISTORY_MAX + 1];
	size_t n;

	(void)state;
	memset(&h, 0, sizeof h);
	assert_int_equal(seg(&h, FROM_A, TC_SYN | TC_FIN, 1000, 0, 0), TC_CLIENT);
	assert_int_equal(count(&h, 'Q'), 1);
	expect_added_within(&h, 0, "QSF");
	/* The same segment again: Q is not repeated. */
	seg(&h, FROM_A, TC_SYN | TC_FIN, 1000, 0, 0);
	assert_int_equal(count(&h, 'Q'), 1);
	expect_added_within(&h, 0, "QSF");

	/* SYN+RST from the other side: its own q, once. */
	strcpy(before, HIST(&h));
	n = h.c.hist_len;
	seg(&h, FROM_B, TC_SYN | TC_RST, 9000, 0, 0);
	assert_memory_equal(HIST(&h), before, n);
	assert_int_equal(count(&h, 'q'), 1);
	assert_int_equal(count(&h, 'Q'), 1);
	expect_added_within(&h, n, "qsr");
	seg(&h, FROM_B, TC_SYN | TC_RST, 9500, 0, 0);
	assert_int_equal(count(&h, 'q'), 1);
	expect_added_within(&h, n, "qsr");
	tc_conn_release(&h.c);
}

/* Plain SYN, SYN+ACK, FIN, RST never give Q or I. */
static void test_no_q_i_without_bad_flags(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	handshake(&h);
	seg(&h, FROM_A, TC_FIN | TC_ACK, 1001, 5001, 0);
	seg(&h, FROM_B, TC_RST | TC_ACK, 5001, 1002, 0);
	assert_string_equal(HIST(&h), "ShAFr");
	assert_null(strpbrk(HIST(&h), "QqIi"));
	tc_conn_release(&h.c);
}

/* FIN with RST: I, once per direction. */
static void test_fin_rst_I(void **state)
{
	struct hc h;
	size_t n;

	(void)state;
	memset(&h, 0, sizeof h);
	seg(&h, FROM_A, TC_PSH | TC_ACK, 3000, 7000, 10); /* client sends first */
	assert_string_equal(HIST(&h), "D");
	seg(&h, FROM_B, TC_FIN | TC_RST | TC_ACK, 7000, 3010, 0);
	assert_int_equal(count(&h, 'i'), 1);
	expect_added_within(&h, 1, "ifr");
	seg(&h, FROM_B, TC_FIN | TC_RST | TC_ACK, 7100, 3010, 0);
	assert_int_equal(count(&h, 'i'), 1);
	assert_int_equal(count(&h, 'I'), 0);
	expect_added_within(&h, 1, "ifr");
	n = h.c.hist_len;
	seg(&h, FROM_A, TC_FIN | TC_RST, 3010, 0, 0);
	assert_int_equal(count(&h, 'I'), 1);
	assert_int_equal(count(&h, 'i'), 1);
	expect_added_within(&h, n, "IFR");
	assert_int_equal(tc_conn_history(&h.c, hist_buf)[0], 'D');
	tc_conn_release(&h.c);
}

/* A flood of letters: at most TC_HISTORY_MAX, the first ones kept. */
static void test_history_cap(void **state)
{
	struct hc h;
	char want[TC_HISTORY_MAX + 1];
	uint32_t i;

	(void)state;
	memset(&h, 0, sizeof h);
	/* Alternating RSTs, each side at a new number every time: every
	 * segment is worth a letter, R from the client, r from the server. */
	for (i = 0; i < 200; i++)
		seg(&h, i % 2 ? FROM_B : FROM_A, TC_RST, 100000 + i, 0, 0);
	for (i = 0; i < TC_HISTORY_MAX; i++)
		want[i] = i % 2 ? 'r' : 'R';
	want[TC_HISTORY_MAX] = '\0';
	assert_int_equal(h.c.hist_len, TC_HISTORY_MAX);
	assert_string_equal(HIST(&h), want);
	assert_int_equal(tc_conn_history(&h.c, hist_buf)[TC_HISTORY_MAX], '\0');

	/* Once full, nothing is appended or overwritten, once-only letters
	 * included. */
	seg(&h, FROM_A, TC_PSH | TC_ACK, 1, 1, 10);
	seg(&h, FROM_B, TC_ACK, 1, 1, 0);
	seg(&h, FROM_B, TC_SYN | TC_FIN, 1, 0, 0);
	assert_string_equal(HIST(&h), want);

	/* A flipped connection: '^' first, then the cap still holds. */
	tc_conn_release(&h.c);
	tc_conn_release(&h.c);
	memset(&h, 0, sizeof h);
	for (i = 0; i < 100; i++)
		seg(&h, FROM_B, TC_RST, 2 * i + 1, 0, 0);
	assert_int_equal(h.c.hist_len, TC_HISTORY_MAX);
	assert_int_equal(tc_conn_history(&h.c, hist_buf)[0], '^');
	assert_int_equal(count(&h, 'r'), TC_HISTORY_MAX - 1);
	assert_int_equal(tc_conn_history(&h.c, hist_buf)[TC_HISTORY_MAX], '\0');
	tc_conn_release(&h.c);
}

/* Case: every letter the client produces is upper case, the server's lower. */
static void test_case_follows_role(void **state)
{
	struct hc h;
	size_t n;

	(void)state;
	memset(&h, 0, sizeof h);
	handshake(&h);
	seg(&h, FROM_A, TC_PSH | TC_ACK, 1001, 5001, 100);
	seg(&h, FROM_A, TC_PSH | TC_ACK, 1001, 5001, 100);      /* retransmitted */
	seg_w(&h, FROM_A, TC_ACK, 1101, 5001, 0, 0);            /* zero window */
	assert_string_equal(HIST(&h), "ShADTW");
	n = h.c.hist_len;
	seg(&h, FROM_A, TC_FIN | TC_RST, 1101, 5001, 0);
	assert_int_equal(count(&h, 'I'), 1);
	expect_added_within(&h, n, "IFR");
	n = h.c.hist_len;
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5001, 1101, 100);
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5001, 1101, 100);
	assert_string_equal(HIST(&h) + n, "dt");
	n = h.c.hist_len;
	seg_w(&h, FROM_B, TC_ACK, 5101, 1101, 0, 0);
	expect_added(&h, n, "aw");
	n = h.c.hist_len;
	seg(&h, FROM_B, TC_FIN | TC_RST, 5101, 1101, 0);
	assert_int_equal(count(&h, 'i'), 1);
	expect_added_within(&h, n, "ifr");
	tc_conn_release(&h.c);
}


/* ---- content gaps (G/g) ------------------------------------------------- */

/* A handshake, the client's 10-byte request, the server's first 20 bytes. */
static void gap_start(struct hc *h)
{
	memset(h, 0, sizeof *h);
	h->infer = 1;
	handshake(h);
	seg(h, FROM_A, TC_PSH | TC_ACK, 1001, 5001, 10);
	seg(h, FROM_B, TC_PSH | TC_ACK, 5001, 1011, 20);
}

/*
 * 30 server bytes the capture lost (5021..5050), then more server data:
 * Zeek's g comes when the client's ACK passes the hole, not before (its
 * reassembler reports a gap when the ACK trims past it); the same capture
 * with nothing lost has no g.
 */
static void test_gap_g_at_the_ack_past_the_hole(void **state)
{
	struct hc h;

	(void)state;
	gap_start(&h);
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5051, 1011, 20);
	assert_string_equal(HIST(&h), "ShADd");
	seg(&h, FROM_A, TC_ACK, 1011, 5071, 0);
	assert_string_equal(HIST(&h), "ShADdg");
	seg(&h, FROM_A, TC_ACK, 1011, 5071, 0);
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5071, 1011, 20);
	seg(&h, FROM_A, TC_ACK, 1011, 5091, 0);
	assert_string_equal(HIST(&h), "ShADdg"); /* one hole, one gap */
	tc_conn_release(&h.c);

	gap_start(&h);
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5021, 1011, 30);
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5051, 1011, 20);
	seg(&h, FROM_A, TC_ACK, 1011, 5071, 0);
	assert_string_equal(HIST(&h), "ShADd");
	tc_conn_release(&h.c);
}

/* An ACK for client data the capture never held is a gap too (upper case:
 * the client is Zeek's originator); so is the ACK of a FIN it lost. */
static void test_gap_G_for_acked_data_never_seen(void **state)
{
	struct hc h;

	(void)state;
	gap_start(&h);
	/* 40 client bytes never seen: the ACK's own letter, then the gap, in
	 * Zeek's order (its history before the ACK's processing) */
	seg(&h, FROM_B, TC_ACK, 5021, 1051, 0);
	assert_string_equal(HIST(&h), "ShADdaG");
	tc_conn_release(&h.c);

	gap_start(&h);
	seg(&h, FROM_A, TC_ACK, 1011, 5021, 0);
	/* the client's FIN at 1011 lost; the server's FIN acknowledges it */
	seg(&h, FROM_B, TC_FIN | TC_ACK, 5021, 1012, 0);
	assert_string_equal(HIST(&h), "ShADdfG");
	assert_int_equal(h.c.inferred, TC_INF_CLIENT_FIN);
	tc_conn_release(&h.c);
}

/* Zeek's repeat rule: at the 1st, 10th, 100th gap of a side. */
static void test_gap_letters_scale_by_ten(void **state)
{
	struct hc h;
	uint32_t seq = 5021;
	int i;

	(void)state;
	gap_start(&h);
	for (i = 0; i < 12; i++) {
		seq += 10; /* 10 bytes lost */
		seg(&h, FROM_B, TC_PSH | TC_ACK, seq, 1011, 20);
		seq += 20;
		seg(&h, FROM_A, TC_ACK, 1011, seq, 0);
	}
	assert_string_equal(HIST(&h), "ShADdgg");
	assert_int_equal(tc_conn_ext(&h.c)->ep[TC_SERVER].zeek_gaps, 12);
	tc_conn_release(&h.c);
}

/*
 * Where Zeek gives no gap letter: a connection picked up mid-stream (its
 * endpoints are PARTIAL, not established) and a hole revealed by an RST's
 * ACK field (the sender is RESET).
 */
static void test_no_gap_letter_midstream_or_on_rst(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	h.infer = 1;
	seg(&h, FROM_A, TC_PSH | TC_ACK, 1001, 5001, 10);
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5001, 1011, 20);
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5051, 1011, 20);
	seg(&h, FROM_A, TC_ACK, 1011, 5071, 0);
	assert_int_equal(count(&h, 'g'), 0);
	assert_int_equal(tc_conn_ext(&h.c)->ep[TC_SERVER].gaps, 1); /* the loss is still counted */
	tc_conn_release(&h.c);

	gap_start(&h);
	seg(&h, FROM_B, TC_PSH | TC_ACK, 5051, 1011, 20);
	seg(&h, FROM_A, TC_RST | TC_ACK, 1011, 5071, 0);
	assert_string_equal(HIST(&h), "ShADdR");
	tc_conn_release(&h.c);
}

/* After Zeek's SYN/SYN+ACK reversal ('^') the client is still the
 * originator: a gap in its data is G. */
static void test_gap_case_after_flip(void **state)
{
	struct hc h;

	(void)state;
	memset(&h, 0, sizeof h);
	h.infer = 1;
	seg(&h, FROM_B, TC_SYN | TC_ACK, 5000, 1001, 0);
	seg(&h, FROM_A, TC_ACK, 1001, 5001, 0);
	seg(&h, FROM_A, TC_PSH | TC_ACK, 1001, 5001, 10);
	seg(&h, FROM_A, TC_PSH | TC_ACK, 1041, 5001, 10); /* 30 client bytes lost */
	seg(&h, FROM_B, TC_ACK, 5001, 1051, 0);
	assert_string_equal(HIST(&h), "^hADaG");
	tc_conn_release(&h.c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_connection),
		cmocka_unit_test(test_server_closes_first),
		cmocka_unit_test(test_fin_and_rst_are_not_pure_acks),
		cmocka_unit_test(test_flipped_first_synack),
		cmocka_unit_test(test_flipped_midstream_server_data),
		cmocka_unit_test(test_flipped_first_segment_without_letters),
		cmocka_unit_test(test_not_flipped),
		cmocka_unit_test(test_a_d_once_per_direction),
		cmocka_unit_test(test_fin_retransmission_one_letter),
		cmocka_unit_test(test_fin_new_sequence_number),
		cmocka_unit_test(test_fin_same_as_previous_not_repeated),
		cmocka_unit_test(test_fin_per_side),
		cmocka_unit_test(test_rst_sequence_numbers),
		cmocka_unit_test(test_first_rst_at_seq_zero),
		cmocka_unit_test(test_retransmission_T),
		cmocka_unit_test(test_zero_window_W),
		cmocka_unit_test(test_rst_window_zero_no_W),
		cmocka_unit_test(test_syn_fin_Q),
		cmocka_unit_test(test_no_q_i_without_bad_flags),
		cmocka_unit_test(test_fin_rst_I),
		cmocka_unit_test(test_history_cap),
		cmocka_unit_test(test_case_follows_role),
		cmocka_unit_test(test_gap_g_at_the_ack_past_the_hole),
		cmocka_unit_test(test_gap_G_for_acked_data_never_seen),
		cmocka_unit_test(test_gap_letters_scale_by_ten),
		cmocka_unit_test(test_no_gap_letter_midstream_or_on_rst),
		cmocka_unit_test(test_gap_case_after_flip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
