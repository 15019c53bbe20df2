/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_infer.c -- each inference rule of infer.c with the decisive segment
 * removed from an otherwise complete exchange: the verdict and the
 * `inferred` marks are checked, and the same exchange with nothing removed
 * is checked to infer nothing. Real frames (raw IPv4) through the engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcpclose/diag.h"
#include "tcpclose/engine.h"
#include "wire.h"

#define NS 1000000000LL
#define C 0 /* from the client */
#define S 1 /* from the server */

struct rec {
	uint16_t want; /* record only the client port `want` (0: all) */
	int n;
	struct tc_verdict v;
	uint16_t inferred;
	uint8_t one_way, state[2];
	uint32_t retx[2], pkts[2], missed[2];
	uint16_t gaps[2], acks_unseen[2], dups[2];
};

static void on_conn(const struct tc_conn *c, const struct tc_verdict *v,
		    const struct tc_diagnosis *d, void *arg)
{
	struct rec *r = arg;
	int i;
	(void)d;
	if (r->want && c->ep[TC_CLIENT].port != r->want)
		return;
	r->n++;
	r->v = *v;
	r->inferred = c->inferred;
	r->one_way = c->one_way;
	for (i = 0; i < 2; i++) {
		r->state[i] = c->ep[i].state;
		r->retx[i] = c->ep[i].retx;
		r->pkts[i] = c->ep[i].pkts;
		r->missed[i] = tc_conn_ext(c)->ep[i].missed;
		r->gaps[i] = tc_conn_ext(c)->ep[i].gaps;
		r->acks_unseen[i] = tc_conn_ext(c)->ep[i].acks_unseen;
		r->dups[i] = tc_conn_ext(c)->ep[i].dups;
	}
}

static struct tc_engine *mk(struct rec *r)
{
	struct tc_engine_opts o = {0};
	memset(r, 0, sizeof(*r));
	o.linger_ns = -1;
	o.hash_seed = 7;
	return tc_engine_new(&o, on_conn, r);
}

/*
 * Client 1000, server 5000: handshake, a 10-byte request, a 20-byte
 * response, client FIN, server ACK, server FIN, client ACK. `skip` is the
 * index of the segment the capture loses (-1: none).
 */
static void exchange_mask(struct wire *w, unsigned skip_mask);

static void exchange(struct wire *w, int skip)
{
	exchange_mask(w, skip >= 0 ? 1u << skip : 0);
}

/* The same exchange without the segments whose bits are set in skip_mask. */
static void exchange_mask(struct wire *w, unsigned skip_mask)
{
	static const struct {
		int from;
		uint8_t flags;
		uint32_t seq, ack;
		uint16_t len;
	} seg[] = {
		{C, TC_SYN, 1000, 0, 0},                  /* 0 */
		{S, TC_SYN | TC_ACK, 5000, 1001, 0},      /* 1 */
		{C, TC_ACK, 1001, 5001, 0},               /* 2 */
		{C, TC_ACK | TC_PSH, 1001, 5001, 10},     /* 3 */
		{S, TC_ACK | TC_PSH, 5001, 1011, 20},     /* 4 */
		{C, TC_ACK, 1011, 5021, 0},               /* 5 */
		{C, TC_FIN | TC_ACK, 1011, 5021, 0},      /* 6: client FIN */
		{S, TC_ACK, 5021, 1012, 0},               /* 7: its ACK */
		{S, TC_FIN | TC_ACK, 5021, 1012, 0},      /* 8: server FIN */
		{C, TC_ACK, 1012, 5022, 0},               /* 9: its ACK */
	};
	size_t i;
	for (i = 0; i < sizeof(seg) / sizeof(seg[0]); i++)
		if (!(skip_mask & (1u << i)))
			wire_tx(w, 40000, seg[i].from, seg[i].flags, seg[i].seq, seg[i].ack, seg[i].len);
}

static void test_clean_exchange_infers_nothing(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	exchange(&w, -1);
	tc_engine_finish(w.e);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v.close, TC_CLOSE_GRACEFUL);
	assert_int_equal(r.inferred, 0);
	assert_int_equal(r.one_way, 0);
	assert_int_equal(r.gaps[0] + r.gaps[1] + r.acks_unseen[0] + r.acks_unseen[1], 0);
	assert_int_equal(tc_engine_stats(w.e)->inferred, 0);
	tc_engine_free(w.e);
}

/* Client FIN lost: the server's ACK of one beyond the client's data implies it. */
static void test_lost_fin_inferred_from_peer_ack(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	exchange(&w, 6);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.close, TC_CLOSE_GRACEFUL);
	assert_int_equal(r.v.closer, TC_WHO_CLIENT);
	assert_int_equal(r.inferred, TC_INF_CLIENT_FIN);
	assert_int_equal(r.state[TC_CLIENT], TC_TIME_WAIT);
	assert_int_equal(r.state[TC_SERVER], TC_CLOSED);
	assert_int_equal(tc_engine_stats(w.e)->inferred, 1);
	tc_engine_free(w.e);
}

/* Server FIN lost: the client's ACK of it (one beyond the server's data) implies it. */
static void test_lost_server_fin_inferred(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	exchange(&w, 8);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.close, TC_CLOSE_GRACEFUL);
	assert_int_equal(r.inferred, TC_INF_SERVER_FIN);
	assert_int_equal(r.state[TC_CLIENT], TC_TIME_WAIT);
	assert_int_equal(r.state[TC_SERVER], TC_CLOSED);
	tc_engine_free(w.e);
}

/* Client FIN lost and nothing acknowledges it; its RST one beyond its data implies it. */
static void test_lost_fin_inferred_from_sender_seq(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	wire_tx(&w, 40001, C, TC_SYN, 1000, 0, 0);
	wire_tx(&w, 40001, S, TC_SYN | TC_ACK, 5000, 1001, 0);
	wire_tx(&w, 40001, C, TC_ACK | TC_PSH, 1001, 5001, 10);
	/* client FIN at 1011 lost */
	wire_tx(&w, 40001, C, TC_RST | TC_ACK, 1012, 5001, 0);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.close, TC_CLOSE_RESET);
	assert_int_equal(r.v.reset_phase, TC_PHASE_CLOSING);
	assert_int_equal(r.inferred, TC_INF_CLIENT_FIN);
	tc_engine_free(w.e);
}

/*
 * The peer acknowledges one byte the capture missed, and the sender then
 * sends its real FIN beyond it: the byte was data, the inferred FIN is
 * taken back, and the close is the one observed (server first).
 */
static void test_one_byte_of_data_is_not_a_fin(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	wire_tx(&w, 40008, C, TC_SYN, 1000, 0, 0);
	wire_tx(&w, 40008, S, TC_SYN | TC_ACK, 5000, 1001, 0);
	wire_tx(&w, 40008, C, TC_ACK, 1001, 5001, 0);
	/* one client byte at 1001 lost */
	wire_tx(&w, 40008, S, TC_ACK, 5001, 1002, 0);
	wire_tx(&w, 40008, S, TC_FIN | TC_ACK, 5001, 1002, 0);
	wire_tx(&w, 40008, C, TC_FIN | TC_ACK, 1002, 5002, 0);
	wire_tx(&w, 40008, S, TC_ACK, 5002, 1003, 0);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.close, TC_CLOSE_GRACEFUL);
	assert_int_equal(r.v.closer, TC_WHO_SERVER);
	assert_int_equal(r.inferred, 0);
	assert_int_equal(r.state[TC_CLIENT], TC_CLOSED);
	assert_int_equal(r.state[TC_SERVER], TC_TIME_WAIT);
	assert_int_equal(r.missed[TC_CLIENT], 1);
	tc_engine_free(w.e);
}

/* Only the server's segments (^hadf): the client's FIN from the server's ACK advance of one. */
static void test_one_way_server_seen(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	wire_tx(&w, 40002, S, TC_SYN | TC_ACK, 5000, 1001, 0);
	wire_tx(&w, 40002, S, TC_ACK | TC_PSH, 5001, 1011, 20); /* acks a 10-byte request */
	wire_tx(&w, 40002, S, TC_ACK, 5021, 1012, 0);           /* acks the client's FIN */
	wire_tx(&w, 40002, S, TC_FIN | TC_ACK, 5021, 1012, 0);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.close, TC_CLOSE_GRACEFUL);
	assert_int_equal(r.one_way, TC_ONE_WAY_SERVER_SEEN);
	/* the SYN+ACK's ACK field implies the client's SYN too */
	assert_int_equal(r.inferred, TC_INF_CLIENT_FIN | TC_INF_CLIENT_SYN);
	assert_int_equal(r.v.opened, TC_OPENED_HANDSHAKE);
	assert_int_equal(tc_engine_stats(w.e)->one_way, 1);
	tc_engine_free(w.e);
}

/* One-way, but the last ACK advance was data, not one: no FIN is invented. */
static void test_one_way_data_is_not_a_fin(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	wire_tx(&w, 40003, S, TC_SYN | TC_ACK, 5000, 1001, 0);
	wire_tx(&w, 40003, S, TC_ACK | TC_PSH, 5001, 1011, 20);
	wire_tx(&w, 40003, S, TC_ACK, 5021, 1040, 0);
	wire_tx(&w, 40003, S, TC_FIN | TC_ACK, 5021, 1040, 0);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.close, TC_CLOSE_HALF_CLOSED);
	assert_int_equal(r.inferred, TC_INF_CLIENT_SYN); /* no FIN */
	assert_int_equal(r.one_way, TC_ONE_WAY_SERVER_SEEN);
	tc_engine_free(w.e);
}

/*
 * A lone SYN, never retransmitted, the capture running on: refused by an
 * RST the capture missed -- but only on a capture proven to miss one
 * direction. Without that proof it stays an unanswered SYN.
 */
static void test_lone_syn_refused_only_on_one_way_capture(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	wire_tx(&w, 40010, C, TC_SYN, 2000, 0, 0);
	wire_tx(&w, 40010, C, TC_ACK, 2001, 8001, 0);
	wire_tx(&w, 40010, C, TC_ACK | TC_PSH, 2001, 8001, 10);
	wire_tx(&w, 40010, C, TC_ACK, 2011, 8101, 0); /* acks 100 bytes never captured */
	wire_tx(&w, 40004, C, TC_SYN, 1000, 0, 0);
	w.now += 10 * NS;
	wire_tx(&w, 40010, C, TC_ACK, 2011, 8201, 0);
	tc_engine_finish(w.e);
	assert_int_equal(r.n, 2);
	/* reported in id order: 40004 is the second */
	assert_int_equal(r.v.close, TC_CLOSE_RESET);
	assert_int_equal(r.v.opened, TC_OPENED_REFUSED);
	assert_int_equal(r.inferred, TC_INF_SERVER_RST);
	assert_int_equal(r.one_way, TC_ONE_WAY_CLIENT_SEEN);
	tc_engine_free(w.e);
}

static struct rec lone;

static void on_lone(const struct tc_conn *c, const struct tc_verdict *v,
		    const struct tc_diagnosis *d, void *arg)
{
	(void)d;
	(void)arg;
	if (c->ep[TC_CLIENT].port == 40004) {
		lone.n++;
		lone.v = *v;
		lone.inferred = c->inferred;
	}
}

static void test_lone_syn_without_proof_stays_unanswered(void **state)
{
	struct tc_engine_opts o = {0};
	struct wire w = {0};
	(void)state;
	memset(&lone, 0, sizeof(lone));
	o.linger_ns = -1;
	w.e = tc_engine_new(&o, on_lone, NULL);
	wire_tx(&w, 40004, C, TC_SYN, 1000, 0, 0);
	w.now += 10 * NS;
	wire_tx(&w, 40011, C, TC_SYN, 3000, 0, 0);
	tc_engine_finish(w.e);
	assert_int_equal(lone.n, 1);
	assert_int_equal(lone.v.close, TC_CLOSE_OPEN);
	assert_int_equal(lone.v.opened, TC_OPENED_SYN_ONLY);
	assert_int_equal(lone.inferred, 0);
	tc_engine_free(w.e);
}

/* The same frame twice (same IP ID) is a duplicate, not a retransmission. */
static void test_duplicate_is_not_a_retransmission(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	w.ip_id = 100;
	wire_tx(&w, 40006, C, TC_SYN, 1000, 0, 0);
	w.ip_id = 200;
	wire_tx(&w, 40006, S, TC_SYN | TC_ACK, 5000, 1001, 0);
	w.ip_id = 101;
	wire_tx(&w, 40006, C, TC_ACK | TC_PSH, 1001, 5001, 10);
	wire_tx(&w, 40006, C, TC_ACK | TC_PSH, 1001, 5001, 10); /* the SPAN port's copy */
	w.ip_id = 102;
	wire_tx(&w, 40006, C, TC_ACK | TC_PSH, 1001, 5001, 10); /* a real retransmission */
	tc_engine_finish(w.e);
	assert_int_equal(r.dups[TC_CLIENT], 1);
	assert_int_equal(r.retx[TC_CLIENT], 1);
	assert_int_equal(r.pkts[TC_CLIENT], 4); /* frames in the file, the copy included */
	assert_int_equal(tc_engine_stats(w.e)->dups, 1);
	tc_engine_free(w.e);
}

/* A jump in the sender's sequence numbers is a gap: missed bytes, no FIN. */
static void test_gap_counts_missed_bytes(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	wire_tx(&w, 40007, C, TC_SYN, 1000, 0, 0);
	wire_tx(&w, 40007, S, TC_SYN | TC_ACK, 5000, 1001, 0);
	wire_tx(&w, 40007, C, TC_ACK, 1001, 5001, 0);
	wire_tx(&w, 40007, S, TC_ACK | TC_PSH, 5001, 1001, 20);
	/* 30 server bytes at 5021 lost */
	wire_tx(&w, 40007, S, TC_ACK | TC_PSH, 5051, 1001, 20);
	wire_tx(&w, 40007, C, TC_ACK, 1001, 5071, 0);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.close, TC_CLOSE_OPEN);
	assert_int_equal(r.inferred, 0);
	assert_int_equal(r.gaps[TC_SERVER], 1);
	assert_int_equal(r.missed[TC_SERVER], 30);
	assert_int_equal(tc_engine_stats(w.e)->loss_conns, 1);
	assert_int_equal(tc_engine_stats(w.e)->loss_bytes, 30);
	tc_engine_free(w.e);
}


/* ---- handshake segments ------------------------------------------------- */

/* The client's SYN lost: the SYN+ACK's ACK field (ISN + 1) implies it. */
static void test_lost_syn_inferred_from_syn_ack(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	exchange(&w, 0);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.opened, TC_OPENED_HANDSHAKE); /* not midstream */
	assert_int_equal(r.v.close, TC_CLOSE_GRACEFUL);
	assert_int_equal(r.inferred, TC_INF_CLIENT_SYN);
	assert_int_equal(r.state[TC_CLIENT], TC_TIME_WAIT);
	assert_int_equal(r.state[TC_SERVER], TC_CLOSED);
	tc_engine_free(w.e);
}

/* The SYN, captured late (reordered), is observed after all. */
static void test_late_syn_is_observed(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	wire_tx(&w, 40020, S, TC_SYN | TC_ACK, 5000, 1001, 0);
	wire_tx(&w, 40020, C, TC_SYN, 1000, 0, 0);
	wire_tx(&w, 40020, C, TC_ACK, 1001, 5001, 0);
	tc_engine_finish(w.e);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v.opened, TC_OPENED_HANDSHAKE);
	assert_int_equal(r.inferred, 0);
	tc_engine_free(w.e);
}

/* The SYN+ACK lost: the client's ACK of the server's ISN + 1 implies it. */
static void test_lost_syn_ack_inferred_from_client_ack(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	exchange(&w, 1);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.opened, TC_OPENED_HANDSHAKE); /* not syn_only */
	assert_int_equal(r.v.close, TC_CLOSE_GRACEFUL);
	assert_int_equal(r.inferred, TC_INF_SERVER_SYN_ACK);
	assert_int_equal(r.state[TC_CLIENT], TC_TIME_WAIT);
	assert_int_equal(r.state[TC_SERVER], TC_CLOSED);
	tc_engine_free(w.e);
}

/* The SYN+ACK lost and the handshake's ACK with it: the client's request implies it. */
static void test_lost_syn_ack_inferred_from_client_data(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	exchange_mask(&w, 1u << 1 | 1u << 2);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.opened, TC_OPENED_HANDSHAKE);
	assert_int_equal(r.inferred, TC_INF_SERVER_SYN_ACK);
	assert_int_equal(r.state[TC_CLIENT], TC_TIME_WAIT);
	assert_int_equal(r.state[TC_SERVER], TC_CLOSED);
	tc_engine_free(w.e);
}

/*
 * Everything of the client's lost between its SYN and its ACK of the
 * response: the server's response acknowledges the SYN (so the server had
 * sent its SYN+ACK) and the request (so the client's ACK had come: the
 * server sends only once established).
 */
static void test_syn_ack_and_final_ack_inferred_from_server_data(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	exchange_mask(&w, 1u << 1 | 1u << 2 | 1u << 3);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.opened, TC_OPENED_HANDSHAKE);
	assert_int_equal(r.v.close, TC_CLOSE_GRACEFUL);
	assert_int_equal(r.inferred, TC_INF_SERVER_SYN_ACK | TC_INF_CLIENT_ACK);
	tc_engine_free(w.e);
}

/* The final ACK lost: the request carries an ACK itself, nothing is missing. */
static void test_lost_final_ack_with_data_after_infers_nothing(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	exchange(&w, 2);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.opened, TC_OPENED_HANDSHAKE);
	assert_int_equal(r.v.close, TC_CLOSE_GRACEFUL);
	assert_int_equal(r.inferred, 0);
	tc_engine_free(w.e);
}

/* The final ACK and the request lost: the server's response implies the ACK. */
static void test_lost_final_ack_inferred_from_server_data(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	exchange_mask(&w, 1u << 2 | 1u << 3);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.opened, TC_OPENED_HANDSHAKE);
	assert_int_equal(r.v.close, TC_CLOSE_GRACEFUL);
	assert_int_equal(r.inferred, TC_INF_CLIENT_ACK);
	tc_engine_free(w.e);
}

/*
 * Near-miss: a TCP Fast Open SYN carries data, and the server answers it
 * before the handshake's ACK: its data does not imply that ACK. And a SYN
 * answered by an RST is a refusal, not a SYN+ACK the capture missed.
 */
static void test_fast_open_and_refusal_infer_no_handshake(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	r.want = 40021;
	wire_tx(&w, 40021, C, TC_SYN, 1000, 0, 10); /* SYN with data */
	wire_tx(&w, 40021, S, TC_SYN | TC_ACK, 5000, 1011, 0);
	wire_tx(&w, 40021, S, TC_ACK | TC_PSH, 5001, 1011, 20);
	tc_engine_finish(w.e);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.inferred, 0);
	assert_int_equal(r.state[TC_SERVER], TC_SYN_RECEIVED);
	tc_engine_free(w.e);

	w.e = mk(&r);
	r.want = 40022;
	wire_tx(&w, 40022, C, TC_SYN, 2000, 0, 0);
	wire_tx(&w, 40022, S, TC_RST | TC_ACK, 0, 2001, 0);
	tc_engine_finish(w.e);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v.opened, TC_OPENED_REFUSED);
	assert_int_equal(r.inferred, 0);
	tc_engine_free(w.e);
}

/*
 * Near-miss: a server whose previous connection on the tuple is in
 * TIME_WAIT answers a new SYN with a bare ACK of the old sequence space
 * (a challenge ACK), and the client resets it: no SYN+ACK is implied. A
 * bare ACK implies one only when it acknowledges the SYN exactly.
 */
static void test_challenge_ack_to_syn_infers_no_syn_ack(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	wire_tx(&w, 40023, C, TC_SYN, 1000, 0, 0);
	wire_tx(&w, 40023, S, TC_ACK, 9000, 1000 + 4096, 0);
	wire_tx(&w, 40023, C, TC_RST, 1000 + 4096, 0, 0);
	tc_engine_finish(w.e);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.inferred, 0);
	assert_int_not_equal(r.v.opened, TC_OPENED_HANDSHAKE);
	tc_engine_free(w.e);

	w = (struct wire){0};
	w.e = mk(&r);
	wire_tx(&w, 40023, C, TC_SYN, 1000, 0, 0);
	wire_tx(&w, 40023, S, TC_ACK, 5001, 1001, 0); /* exactly the SYN's: its SYN+ACK was lost */
	tc_engine_finish(w.e);
	assert_int_equal(r.inferred, TC_INF_SERVER_SYN_ACK);
	assert_int_equal(r.state[TC_CLIENT], TC_ESTABLISHED);
	assert_int_equal(r.state[TC_SERVER], TC_SYN_RECEIVED);
	tc_engine_free(w.e);
}

/* ---- an RST implied by what follows ------------------------------------- */

/*
 * The server sends a response; the client never acknowledges it; the
 * server retransmits it once on its timer (after 1 s), then stops, while
 * the capture goes on for 10 s more: a sender gives up only after 5 to 15
 * retransmissions, so the retransmission was answered -- by an RST (the
 * client had no connection any more) that the capture missed.
 * `retx` retransmissions at 1, 2, 4 ... s; the capture ends `tail` s after
 * the last; `reorder` makes the "retransmission" come 1 us later.
 */
static void stop_after_retx(struct wire *w, int retx, int tail, int reorder, int one_way)
{
	int i;
	int64_t gap = NS;
	if (!one_way) {
		wire_tx(w, 40030, C, TC_SYN, 1000, 0, 0);
		wire_tx(w, 40030, S, TC_SYN | TC_ACK, 5000, 1001, 0);
		wire_tx(w, 40030, C, TC_ACK | TC_PSH, 1001, 5001, 10);
	}
	wire_tx(w, 40030, S, TC_ACK | TC_PSH, 5001, 1011, 20);
	for (i = 0; i < retx; i++) {
		if (!reorder)
			w->now += gap;
		wire_tx(w, 40030, S, TC_ACK | TC_PSH, 5001, 1011, 20);
		gap *= 2;
	}
	w->now += (int64_t)tail * NS;
	wire_tx(w, 40031, C, TC_SYN, 3000, 0, 0); /* the capture goes on */
}

static void test_rst_inferred_from_retransmissions_stopping(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	r.want = 40030;
	stop_after_retx(&w, 1, 10, 0, 0);
	tc_engine_finish(w.e);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v.close, TC_CLOSE_RESET);
	assert_int_equal(r.v.reset_by, TC_WHO_CLIENT);
	assert_int_equal(r.v.reset_phase, TC_PHASE_ESTABLISHED);
	assert_int_equal(r.inferred, TC_INF_CLIENT_RST);
	assert_int_equal(r.state[TC_CLIENT], TC_CLOSED);
	assert_int_equal(r.state[TC_SERVER], TC_CLOSED);
	tc_engine_free(w.e);

	w = (struct wire){0};
	w.e = mk(&r);
	r.want = 40030;
	stop_after_retx(&w, 2, 10, 0, 0); /* 1 s, then 2 s: stopped after two */
	tc_engine_finish(w.e);
	assert_int_equal(r.v.close, TC_CLOSE_RESET);
	assert_int_equal(r.inferred, TC_INF_CLIENT_RST);
	tc_engine_free(w.e);
}

/* Near-misses: the capture ends before the next retransmission was due;
 * three unanswered (the dead-peer diagnosis's); a reordered segment, not a
 * retransmission; a client never seen (one-way). Nothing is inferred. */
static void test_retransmissions_near_misses_infer_no_rst(void **state)
{
	static const struct {
		int retx, tail, reorder, one_way;
	} cases[] = {
		{1, 2, 0, 0}, /* next due at +2 s, capture ends at +2 s */
		{3, 30, 0, 0},
		{1, 10, 1, 0},
		{1, 10, 0, 1},
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rec r;
		struct wire w = {0};
		w.e = mk(&r);
		r.want = 40030;
		stop_after_retx(&w, cases[i].retx, cases[i].tail, cases[i].reorder, cases[i].one_way);
		tc_engine_finish(w.e);
		assert_int_equal(r.n, 1);
		assert_int_equal(r.v.close, TC_CLOSE_OPEN);
		assert_int_equal(r.inferred & (TC_INF_CLIENT_RST | TC_INF_SERVER_RST), 0);
		tc_engine_free(w.e);
	}
}

/*
 * The client aborts (RST, lost); the server's segment already in flight
 * reaches a host with no connection, which answers it with a second RST
 * (RFC 9293 3.10.7.1: SEQ = SEG.ACK, no ACK). That one is captured and
 * accepted: the reset is observed, not inferred.
 */
static void test_second_rst_is_observed(void **state)
{
	struct rec r;
	struct wire w = {0};
	(void)state;
	w.e = mk(&r);
	wire_tx(&w, 40032, C, TC_SYN, 1000, 0, 0);
	wire_tx(&w, 40032, S, TC_SYN | TC_ACK, 5000, 1001, 0);
	wire_tx(&w, 40032, C, TC_ACK | TC_PSH, 1001, 5001, 10);
	/* client RST+ACK at 1011 lost */
	wire_tx(&w, 40032, S, TC_ACK | TC_PSH, 5001, 1011, 20);
	wire_tx(&w, 40032, C, TC_RST, 1011, 0, 0);
	tc_engine_finish(w.e);
	assert_int_equal(r.v.close, TC_CLOSE_RESET);
	assert_int_equal(r.v.reset_by, TC_WHO_CLIENT);
	assert_int_equal(r.inferred, 0);
	tc_engine_free(w.e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_exchange_infers_nothing),
		cmocka_unit_test(test_lost_fin_inferred_from_peer_ack),
		cmocka_unit_test(test_lost_server_fin_inferred),
		cmocka_unit_test(test_lost_fin_inferred_from_sender_seq),
		cmocka_unit_test(test_one_byte_of_data_is_not_a_fin),
		cmocka_unit_test(test_one_way_server_seen),
		cmocka_unit_test(test_one_way_data_is_not_a_fin),
		cmocka_unit_test(test_lone_syn_refused_only_on_one_way_capture),
		cmocka_unit_test(test_lone_syn_without_proof_stays_unanswered),
		cmocka_unit_test(test_duplicate_is_not_a_retransmission),
		cmocka_unit_test(test_gap_counts_missed_bytes),
		cmocka_unit_test(test_lost_syn_inferred_from_syn_ack),
		cmocka_unit_test(test_late_syn_is_observed),
		cmocka_unit_test(test_lost_syn_ack_inferred_from_client_ack),
		cmocka_unit_test(test_lost_syn_ack_inferred_from_client_data),
		cmocka_unit_test(test_syn_ack_and_final_ack_inferred_from_server_data),
		cmocka_unit_test(test_lost_final_ack_with_data_after_infers_nothing),
		cmocka_unit_test(test_lost_final_ack_inferred_from_server_data),
		cmocka_unit_test(test_fast_open_and_refusal_infer_no_handshake),
		cmocka_unit_test(test_challenge_ack_to_syn_infers_no_syn_ack),
		cmocka_unit_test(test_rst_inferred_from_retransmissions_stopping),
		cmocka_unit_test(test_retransmissions_near_misses_infer_no_rst),
		cmocka_unit_test(test_second_rst_is_observed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
