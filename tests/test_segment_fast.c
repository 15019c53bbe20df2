/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_segment_fast.c -- the predicted per-segment path (tc_segment_fast,
 * segment.h) against the full one, segment by segment (segdiff.c).
 *
 * Three kinds of test: a steady exchange, whose in-order segments must be
 * predicted (a path that declined everything would agree with the full
 * one and be worth nothing); one segment just outside each condition of
 * the prediction, which must be declined and leave the record as it was;
 * and random conversations mixing both kinds with the events that end
 * steadiness -- loss, copies, retransmissions, probes, zero windows, long
 * silences, FINs and RSTs -- where every segment must agree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "convo.h"
#include "rng.h"
#include "segdiff.h"
#include "seq.h"

/* Where tc_conn_history() puts a long history together. */
static tc_history_buf hist_buf;

/* Apply p through both paths; returns whether it was predicted. */
static int both(struct conv *v, struct tc_pkt *p)
{
	struct segdiff d;
	enum tc_role r = conv_next(v, p);

	if (segdiff_apply(&v->c, r, p, v->now, v->frame, &d) != 0)
		fail_msg("frame %llu: %s", (unsigned long long)v->frame, d.why);
	v->now += MS_NS;
	return d.fast;
}

/* A segment from `from` with its next IP ID and, if ts, TSval. */
static struct tc_pkt next(struct conv *v, enum tc_role from, uint8_t flags, uint32_t seq,
			  uint32_t ack, uint32_t len, int ts)
{
	struct tc_pkt p = pkt(v, from, flags, seq, ack, len);

	p.ip_id = v->ipid[from]++;
	p.ip_len = 40 + len;
	if (ts) {
		p.opt |= TC_OPT_TS;
		p.tsval = v->tsval[from]++;
	}
	return p;
}

/* Handshake (with MSS 100 on both SYNs, so sub-MSS segments count) and
 * one byte each way: both ends ESTABLISHED, the history begun. */
static void open_conv(struct conv *v, uint32_t *cseq, uint32_t *sseq)
{
	struct tc_pkt p;

	conv_init(v);
	p = next(v, C, TC_SYN, ISN_C, 0, 0, 1);
	p.opt |= TC_OPT_MSS;
	p.mss = 100;
	assert_false(both(v, &p));
	p = next(v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0, 1);
	p.opt |= TC_OPT_MSS;
	p.mss = 100;
	assert_false(both(v, &p));
	p = next(v, C, TC_ACK, ISN_C + 1, ISN_S + 1, 0, 1);
	assert_false(both(v, &p)); /* the server leaves SYN_RECEIVED */
	*cseq = ISN_C + 1;
	*sseq = ISN_S + 1;
}

/* open_conv(), then 10 bytes from the client, predicted. */
static void open_with_data(struct conv *v, uint32_t *cseq, uint32_t *sseq)
{
	struct tc_pkt p;

	open_conv(v, cseq, sseq);
	p = next(v, C, TC_ACK, *cseq, *sseq, 10, 0);
	assert_true(both(v, &p));
	*cseq += 10;
}

static void test_steady_exchange_predicted(void **state)
{
	struct conv v;
	uint32_t cs, ss;
	struct tc_pkt p;
	int i, predicted = 0;

	(void)state;
	open_conv(&v, &cs, &ss);
	for (i = 0; i < 50; i++) {
		p = next(&v, C, TC_ACK | TC_PSH, cs, ss, 40, 1); /* sub-MSS request */
		predicted += both(&v, &p);
		cs += 40;
		p = next(&v, S, TC_ACK, ss, cs, 100, 1); /* full-size reply */
		predicted += both(&v, &p);
		ss += 100;
		p = next(&v, C, TC_ACK, cs, ss, 0, 1); /* bare ACK */
		predicted += both(&v, &p);
	}
	assert_int_equal(predicted, 150);
	assert_int_equal(v.c.ep[C].pkts, 102);
	assert_int_equal(v.c.ep[S].bytes, 5000);
	assert_int_equal(v.c.ep[C].snd_nxt, ISN_C + 1 + 2000);
	assert_int_equal(v.c.ep[S].ack, ISN_C + 1 + 2000);
	assert_string_equal(tc_conn_history(&v.c, hist_buf), "ShADd");
	conv_done(&v);
}

/* One segment beside the prediction: declined, and nothing changed by the
 * attempt (segdiff checks that); then the full path's result stands. */
static void test_each_condition_declines(void **state)
{
	struct conv v;
	uint32_t cs, ss;
	struct tc_pkt p;

	(void)state;
	open_with_data(&v, &cs, &ss);

	/* Repeats sequence space: a retransmission. */
	p = next(&v, C, TC_ACK, cs - 10, ss, 10, 0);
	assert_false(both(&v, &p));
	assert_int_equal(v.c.ep[C].retx, 1);
	/* Acknowledges bytes the server was never seen sending. */
	p = next(&v, C, TC_ACK, cs, ss + 5, 0, 0);
	assert_false(both(&v, &p));
	assert_int_equal(tc_conn_ext(&v.c)->ep[S].acks_unseen, 1);
	/* The loss is noted; in-order segments are predicted again (this
	 * one acknowledges no more than the server was seen sending). */
	p = next(&v, C, TC_ACK, cs, ss, 10, 0);
	assert_true(both(&v, &p));
	cs += 10;
	conv_done(&v);

	open_conv(&v, &cs, &ss);
	/* A jump in the sender's own numbers: loss in the capture. */
	p = next(&v, S, TC_ACK, ss + 100, cs, 10, 0);
	assert_false(both(&v, &p));
	assert_int_equal(tc_conn_ext(&v.c)->ep[S].gaps, 1);
	ss += 110;
	/* Its next segment is in order, and predicted. The peer's ACKs are
	 * not while the hole is open (the one that passes it writes the
	 * history's gap letter); after that they are again. */
	p = next(&v, S, TC_ACK, ss, cs, 10, 0);
	assert_true(both(&v, &p));
	ss += 10;
	p = next(&v, C, TC_ACK, cs, ISN_S + 1, 0, 0);
	assert_false(both(&v, &p));
	p = next(&v, C, TC_ACK, cs, ss, 0, 0);
	assert_false(both(&v, &p));
	assert_non_null(strchr(tc_conn_history(&v.c, hist_buf), 'g'));
	p = next(&v, C, TC_ACK, cs, ss, 10, 0);
	assert_true(both(&v, &p));
	conv_done(&v);

	open_conv(&v, &cs, &ss);
	/* Data with its sender's last IP ID is not a copy: at snd_nxt it
	 * is new. */
	p = next(&v, S, TC_ACK, ss, cs, 0, 0);
	assert_true(both(&v, &p));
	v.ipid[S]--;
	p = next(&v, S, TC_ACK, ss, cs, 10, 0);
	assert_true(both(&v, &p));
	ss += 10;
	/* A zero window (the W letter). */
	p = next(&v, S, TC_ACK, ss, cs, 0, 0);
	p.win = 0;
	assert_false(both(&v, &p));
	assert_int_equal(v.c.ep[S].zero_win, 1);
	/* An empty segment carrying its sender's last IP ID again: a copy,
	 * which the extension record counts. Prediction goes on with the
	 * extension record there. */
	v.ipid[S]--;
	p = next(&v, S, TC_ACK, ss, cs, 0, 0);
	assert_false(both(&v, &p));
	assert_non_null(v.c.x);
	assert_int_equal(v.c.x->ep[S].dups, 1);
	p = next(&v, S, TC_ACK, ss, cs, 10, 0);
	assert_true(both(&v, &p));
	ss += 10;
	/* A keep-alive probe one below snd_nxt. */
	p = next(&v, C, TC_ACK, cs - 1, ss, 0, 0);
	assert_false(both(&v, &p));
	/* A segment with no ACK flag. */
	p = next(&v, C, TC_PSH, cs, ss, 10, 0);
	assert_false(both(&v, &p));
	cs += 10;
	/* A FIN, then the peer's data after it. */
	p = next(&v, C, TC_ACK | TC_FIN, cs, ss, 0, 0);
	assert_false(both(&v, &p));
	cs += 1;
	p = next(&v, S, TC_ACK, ss, cs, 10, 0);
	assert_false(both(&v, &p));
	assert_int_equal(ST(&v, S), TC_CLOSE_WAIT);
	conv_done(&v);

	open_conv(&v, &cs, &ss);
	/* An RST, and anything after it. */
	p = next(&v, S, TC_ACK | TC_RST, ss, cs, 0, 0);
	assert_false(both(&v, &p));
	p = next(&v, C, TC_ACK, cs, ss, 10, 0);
	assert_false(both(&v, &p));
	conv_done(&v);
}

/* Nagle's stall (evidence.c) is found on the predicted path too: it makes
 * the extension record there, as on the full one. */
static void test_nagle_stall_on_predicted_path(void **state)
{
	struct conv v;
	uint32_t cs, ss;
	struct tc_pkt p;

	(void)state;
	open_conv(&v, &cs, &ss);
	p = next(&v, C, TC_ACK | TC_PSH, cs, ss, 10, 0);
	assert_true(both(&v, &p));
	cs += 10;
	v.now += 40 * MS_NS; /* the peer's delayed ACK */
	p = next(&v, S, TC_ACK, ss, cs, 0, 0);
	assert_true(both(&v, &p));
	p = next(&v, C, TC_ACK | TC_PSH, cs, ss, 10, 0); /* right after it */
	assert_true(both(&v, &p));
	assert_non_null(v.c.x);
	assert_int_equal(v.c.x->ep[C].nagle_stalls, 1);
	conv_done(&v);
}

/* With an extension record: a keep-alive probe answered on the predicted
 * path; an RST out of window, after which its sender's segments are
 * followed apart (declined) and its peer's still predicted. */
static void test_extension_record_predicted(void **state)
{
	struct conv v;
	uint32_t cs, ss;
	struct tc_pkt p;

	(void)state;
	open_with_data(&v, &cs, &ss);
	p = next(&v, S, TC_ACK, ss, cs, 0, 0);
	assert_true(both(&v, &p));
	v.now += 7200LL * 1000 * MS_NS;
	p = next(&v, C, TC_ACK, cs - 1, ss, 0, 0); /* the probe */
	assert_false(both(&v, &p));
	assert_non_null(v.c.x);
	assert_int_equal(v.c.x->ep[C].ka_unanswered, 1);
	p = next(&v, S, TC_ACK, ss, cs, 0, 0); /* its answer */
	assert_true(both(&v, &p));
	assert_int_equal(v.c.x->ep[C].ka_unanswered, 0);
	assert_int_equal(v.c.x->ep[C].ka_answered, 1);

	p = next(&v, S, TC_RST, ss + 5000000, 0, 0, 0);
	assert_false(both(&v, &p));
	assert_int_equal(v.c.reset_by, TC_WHO_NONE);
	assert_int_equal(v.c.x->last_rst, 1 + S);
	p = next(&v, C, TC_ACK, cs, ss, 10, 0);
	assert_true(both(&v, &p));
	cs += 10;
	assert_int_equal(v.c.x->last_rst, 0);
	p = next(&v, S, TC_ACK, ss, cs, 10, 0);
	assert_false(both(&v, &p));
	assert_int_equal(v.c.x->ep[S].own_ip_id, p.ip_id);
	conv_done(&v);
}

/* Random conversations: in-order traffic most of the time, and every few
 * segments one of the events that leave the prediction. */
static void test_random_conversations_agree(void **state)
{
	unsigned long predicted = 0, total = 0;
	int n, i;

	(void)state;
	for (n = 0; n < 400; n++) {
		struct conv v;
		uint32_t seq[2], ts = (unsigned)(rnd() & 1);
		struct tc_pkt p;

		open_conv(&v, &seq[C], &seq[S]);
		if (rnd() & 1)
			v.c.af = 6; /* IPv6: no IP ID; copies are judged by TSval */
		for (i = 0; i < 60; i++) {
			enum tc_role from = (enum tc_role)(rnd() & 1);
			uint32_t len = (uint32_t)(rnd() % 4 == 0 ? 0 : rnd() % 150);
			uint32_t ack = seq[!from];
			uint8_t flags = TC_ACK | ((rnd() & 1) ? TC_PSH : 0);
			uint32_t s = seq[from];
			unsigned ev = (unsigned)(rnd() % 40);

			switch (ev) {
			case 0: s -= len ? len : 1; break;            /* retransmission / probe */
			case 1: s += 1 + (uint32_t)(rnd() % 3000); break; /* loss */
			case 2: ack += 1 + (uint32_t)(rnd() % 3); break;  /* unseen data acked */
			case 3: ack -= (uint32_t)(rnd() % 50); break;     /* an old ACK */
			case 4: v.ipid[from]--; break;                    /* same IP ID again */
			case 5: v.now += (int64_t)(rnd() % 3) * 40 * MS_NS; break;
			case 6: v.now += 2200LL * 1000 * MS_NS; break;    /* past the Nagle clock's half */
			case 7: v.ipid[from] = 0; break;
			case 8: flags |= TC_FIN; break;
			case 9: if (rnd() % 4 == 0) flags = TC_RST | TC_ACK; break;
			case 10: flags = TC_PSH; break;
			default: break;
			}
			p = next(&v, from, flags, s, ack, len, (int)ts);
			if (ev == 11)
				p.win = 0;
			p.ttl = (uint8_t)(60 + rnd() % 5);
			if (v.c.af == 6) {
				p.af = 6;
				p.ip_id = 0;
				if (ev == 4 && ts)
					p.tsval = --v.tsval[from];
			}
			predicted += (unsigned long)both(&v, &p);
			total++;
			if (!(flags & TC_RST) && seq_lt(seq[from], s + len + !!(flags & TC_FIN)))
				seq[from] = s + len + !!(flags & TC_FIN);
		}
		conv_done(&v);
	}
	/* Both kinds were exercised. */
	assert_true(predicted > total / 10);
	assert_true(predicted < total);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_exchange_predicted),
		cmocka_unit_test(test_each_condition_declines),
		cmocka_unit_test(test_nagle_stall_on_predicted_path),
		cmocka_unit_test(test_extension_record_predicted),
		cmocka_unit_test(test_random_conversations_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
