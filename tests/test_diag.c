/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_diag.c -- reset causes and their edges.
 *
 * Each cause from a conversation built to produce it, and the near misses
 * that must not produce it: a TTL one hop off is not a signal; a socket RST
 * after idle is an abortive close, not a forgotten connection; the
 * keep-alive race needs the server to have closed first; a stateless RST
 * from a side that had sent FIN but was sent no data is not data-after-close.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "convo.h"
#include "tcpclose/classify.h"
#include "tcpclose/diag.h"
#include "infer.h"
#include "xconn.h"

#define SEC_NS 1000000000LL

static void diagnose(const struct conv *v, struct tc_verdict *vd, struct tc_diagnosis *d)
{
	tc_classify(&v->c, vd);
	tc_diagnose(&v->c, vd, d);
}

/* Send a segment with the sender's usual IP-level signature: TTL 64, IP ID
 * counting up per side, timestamps on. */
static void sig_seg(struct conv *v, enum tc_role from, uint8_t flags, uint32_t seq, uint32_t ack,
		    uint32_t len)
{
	struct tc_pkt p = pkt(v, from, flags, seq, ack, len);
	p.ip_id = v->ipid[from]++;
	p.opt = TC_OPT_TS;
	p.tsval = v->tsval[from]++;
	sendp(v, &p);
}

static void test_refused(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	seg(&v, S, TC_RST | TC_ACK, 0, ISN_C + 1, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(d.cause, TC_CAUSE_REFUSED);
	assert_int_equal(d.by, S);
	assert_int_equal(d.frames[0], 1); /* the SYN it answered */
	assert_int_equal(d.frames[1], 2);
	conv_done(&v);
}

/* SO_LINGER {1,0} on the server with data still unacknowledged. */
static void test_abortive_close_data_lost(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 11, 100);
	sig_seg(&v, S, TC_RST | TC_ACK, ISN_S + 111, ISN_C + 11, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(vd.close, TC_CLOSE_RESET);
	assert_int_equal(d.cause, TC_CAUSE_ABORTIVE_CLOSE);
	assert_int_equal(d.by, S);
	assert_true(d.notes & TC_DX_DATA_LOST);
	assert_int_equal(d.data_lost, 100);
	assert_false(d.notes & TC_DX_UNREAD); /* the server spoke last */
	assert_true(d.notes & TC_DX_SOCKET_RST);
	/* same window both ways is not "copied"; its TTL is the server's own */
	assert_int_equal(d.signals, TC_SIG_TTL_MATCH);
	assert_true(d.score < 0);
	conv_done(&v);
}

/* close() with unread data: the client's request arrives, the server
 * closes without reading: RST, and the client spoke last. */
static void test_abortive_close_unread(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	sig_seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 50);
	sig_seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 61, 0);
	sig_seg(&v, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 61, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(d.cause, TC_CAUSE_ABORTIVE_CLOSE);
	assert_true(d.notes & TC_DX_UNREAD);
	assert_false(d.notes & TC_DX_DATA_LOST);
	conv_done(&v);
}

/* Server closes an idle keep-alive connection; the client's next request
 * crosses the FIN; the server's kernel answers it with RST. */
static void test_keepalive_race(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	struct tc_pkt p;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	v.now += 5 * SEC_NS;
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	/* frame 8: the request, sent before the FIN arrived (acks only data) */
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 80);
	p = pkt(&v, S, TC_RST, ISN_S + 12, 0, 0);                 /* stateless answer */
	p.win = 0;
	sendp(&v, &p);
	diagnose(&v, &vd, &d);
	assert_int_equal(d.cause, TC_CAUSE_DATA_AFTER_CLOSE);
	assert_int_equal(d.by, S);
	assert_true(d.notes & TC_DX_KEEPALIVE_RACE);
	assert_true(d.notes & TC_DX_STATELESS);
	assert_int_equal(d.frames[0], 8);
	assert_int_equal(d.frames[1], 9);
	assert_int_equal(d.frames[2], 7); /* the server's FIN */
	conv_done(&v);
}

/* The server closed; the client saw the FIN (acknowledged it) and wrote
 * anyway: write-after-close, not the race. */
static void test_write_after_seen_fin_not_race(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	struct tc_pkt p;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	seg(&v, C, TC_ACK, ISN_C + 11, ISN_S + 12, 0);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 12, 80);
	p = pkt(&v, S, TC_RST, ISN_S + 12, 0, 0);
	p.win = 0;
	sendp(&v, &p);
	diagnose(&v, &vd, &d);
	assert_int_equal(d.cause, TC_CAUSE_DATA_AFTER_CLOSE);
	assert_false(d.notes & TC_DX_KEEPALIVE_RACE);
	conv_done(&v);
}

/* The client half-closed; the server wrote after it: the client's RST is
 * data-after-close, but not the keep-alive race (the client closed). */
static void test_data_after_close_not_race(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 12, 30);
	seg(&v, C, TC_RST, ISN_C + 12, 0, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(d.cause, TC_CAUSE_DATA_AFTER_CLOSE);
	assert_int_equal(d.by, C);
	assert_false(d.notes & TC_DX_KEEPALIVE_RACE);
	conv_done(&v);
}

/* Rule 3: shutdown(SHUT_WR), then close() with unread data: the socket's
 * RST follows its own FIN, nothing from the peer between. */
static void test_fin_then_socket_rst_is_shutdown_unread(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	sig_seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	sig_seg(&v, C, TC_RST | TC_ACK, ISN_C + 12, ISN_S + 11, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(vd.close, TC_CLOSE_RESET); /* the server never closed */
	assert_int_equal(d.cause, TC_CAUSE_ABORTIVE_CLOSE);
	assert_true(d.notes & TC_DX_SHUTDOWN);
	assert_int_equal(d.frames[1], tc_conn_end(&v.c)->ep[C].frame_fin);
	conv_done(&v);
}

/* Rule 3's edge: the same order, but the RST looks stateless (no socket
 * left to have unread data): not the shutdown pattern. */
static void test_fin_then_stateless_rst_not_shutdown(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	struct tc_pkt p;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	sig_seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	p = pkt(&v, C, TC_RST, ISN_C + 12, 0, 0);
	p.win = 0;
	p.ip_id = 0;
	sendp(&v, &p);
	diagnose(&v, &vd, &d);
	assert_false(d.notes & TC_DX_SHUTDOWN);
	assert_int_equal(d.cause, TC_CAUSE_UNKNOWN);
	conv_done(&v);
}

/* Rule 1 (tls__telesec.pcap): client data+FIN, server data (close_notify)
 * and FIN, client bare RST. The server's FIN sits between its data and
 * the RST; both FINs came first, so the close is graceful with a trailing
 * RST whose cause is data_after_close. */
static void tls_close_race(struct conv *v, int client_acks_data)
{
	conv_init(v);
	handshake_and_data(v);
	sig_seg(v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 31);
	sig_seg(v, C, TC_FIN | TC_ACK, ISN_C + 42, ISN_S + 11, 0);
	sig_seg(v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 43, 31);
	if (client_acks_data)
		sig_seg(v, C, TC_ACK, ISN_C + 43, ISN_S + 42, 0);
	sig_seg(v, S, TC_FIN | TC_ACK, ISN_S + 42, ISN_C + 43, 0);
}

static void test_trailing_rst_data_after_close(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	char why[512];
	(void)state;
	tls_close_race(&v, 0);
	seg(&v, C, TC_RST, ISN_C + 43, 0, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(vd.close, TC_CLOSE_GRACEFUL);
	assert_int_equal(vd.trailing_rst, TC_WHO_CLIENT);
	assert_int_equal(vd.reset_by, TC_WHO_NONE);
	assert_int_equal(d.cause, TC_CAUSE_DATA_AFTER_CLOSE);
	assert_int_equal(d.by, C);
	assert_true(d.notes & TC_DX_TRAILING);
	assert_true(d.score < TC_INJECTED_THRESHOLD); /* a kernel reply, not forged */
	tc_diag_explain(&v.c, &vd, &d, why, sizeof(why));
	assert_non_null(strstr(why, "harmless"));
	assert_null(strstr(why, "no_timestamps"));
	conv_done(&v);
}

/* Rule 1's edge: the client acknowledged the server's data before the
 * RST: nothing was thrown away, so not data_after_close. */
static void test_trailing_rst_after_acked_data_not_data_after_close(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	(void)state;
	tls_close_race(&v, 1);
	seg(&v, C, TC_RST, ISN_C + 43, 0, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(vd.close, TC_CLOSE_GRACEFUL);
	assert_int_equal(vd.trailing_rst, TC_WHO_CLIENT);
	assert_int_not_equal(d.cause, TC_CAUSE_DATA_AFTER_CLOSE);
	conv_done(&v);
}

/* Only one FIN before the RST: that is still a reset. */
static void test_rst_before_second_fin_is_reset(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	sig_seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 12, 30);
	seg(&v, C, TC_RST, ISN_C + 12, 0, 0);
	sig_seg(&v, S, TC_FIN | TC_ACK, ISN_S + 41, ISN_C + 12, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(vd.close, TC_CLOSE_RESET);
	assert_int_equal(vd.trailing_rst, TC_WHO_NONE);
	assert_int_equal(vd.reset_by, TC_WHO_CLIENT);
	assert_int_equal(d.cause, TC_CAUSE_DATA_AFTER_CLOSE);
	conv_done(&v);
}

/* Rule 2 (tls__tls13-ech.pcap): the RST answering data after the sender's
 * FIN looks stateless (Linux, orphaned FIN_WAIT socket): data_after_close,
 * not no_connection. */
static void test_stateless_rst_after_own_fin_is_data_after_close(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	struct tc_pkt p;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	sig_seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 12, 30);
	p = pkt(&v, C, TC_RST, ISN_C + 12, 0, 0);
	p.win = 0;
	p.ip_id = 0;
	sendp(&v, &p);
	diagnose(&v, &vd, &d);
	assert_true(d.notes & TC_DX_STATELESS);
	assert_int_equal(d.cause, TC_CAUSE_DATA_AFTER_CLOSE);
	conv_done(&v);
}

/*
 * Rule 1 looks back (close_race_fin_between.pcap): the client closed
 * (FIN, frame 7); the server's data (frame 9) came after it, then the
 * server's bare ACK and its FIN, twice; the client's kernel answers the
 * FIN retransmission with RST. The data the closed socket never took is
 * the evidence, not the FIN the RST answered.
 */
static void test_data_after_close_cites_data_before_fins(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	char why[512];
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	sig_seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);        /* 7 */
	sig_seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 12, 0);                 /* 8 */
	sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 12, 22);       /* 9 */
	sig_seg(&v, S, TC_FIN | TC_ACK, ISN_S + 33, ISN_C + 12, 0);        /* 10 */
	sig_seg(&v, S, TC_FIN | TC_ACK, ISN_S + 33, ISN_C + 12, 0);        /* 11 */
	seg(&v, C, TC_RST, ISN_C + 12, 0, 0);                              /* 12 */
	diagnose(&v, &vd, &d);
	assert_int_equal(d.cause, TC_CAUSE_DATA_AFTER_CLOSE);
	assert_int_equal(tc_conn_ext(&v.c)->rst.trigger_frame, 11);
	assert_int_equal(tc_conn_ext(&v.c)->rst.peer_late_frame, 9);
	assert_int_equal(d.frames[0], 9);
	assert_int_equal(d.frames[1], 12);
	assert_int_equal(d.frames[2], 7);
	tc_diag_explain(&v.c, &vd, &d, why, sizeof(why));
	assert_int_equal(vd.trailing_rst, TC_WHO_CLIENT); /* both FINs came first */
	assert_non_null(strstr(why, "then the server's last data (frame 9, "));
	conv_done(&v);
}

/* The closed side still acknowledged the peer's first late payload (a
 * half-close, still reading); the RST then answers a later one: that one
 * is cited. */
static void test_data_after_close_cites_first_unacknowledged(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	char why[512];
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	sig_seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);        /* 7 */
	sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 12, 20);       /* 8 */
	sig_seg(&v, C, TC_ACK, ISN_C + 12, ISN_S + 31, 0);                 /* 9 */
	sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 31, ISN_C + 12, 20);       /* 10 */
	sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 51, ISN_C + 12, 20);       /* 11 */
	seg(&v, C, TC_RST, ISN_C + 12, 0, 0);                              /* 12 */
	diagnose(&v, &vd, &d);
	assert_int_equal(d.cause, TC_CAUSE_DATA_AFTER_CLOSE);
	assert_int_equal(d.frames[0], 10);
	assert_int_equal(d.frames[1], 12);
	tc_diag_explain(&v.c, &vd, &d, why, sizeof(why));
	assert_non_null(strstr(why, "its data (frame 10) came after the client's FIN (frame 7)"));
	conv_done(&v);
}

/* Rule 4 (dce-rpc__mapi.pcap): a lone RST, nothing else captured. */
static void test_lone_rst_is_unknown(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	char why[512];
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_RST | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(vd.close, TC_CLOSE_RESET);
	assert_int_equal(d.cause, TC_CAUSE_UNKNOWN);
	assert_true(d.notes & TC_DX_LONE_RST);
	assert_false(d.notes & TC_DX_DATA_LOST); /* a window never seen is not 0 */
	tc_diag_explain(&v.c, &vd, &d, why, sizeof(why));
	assert_non_null(strstr(why, "cannot tell"));
	assert_null(strstr(why, "window"));
	conv_done(&v);
}

/* Rule 5 (http__206_example_b.pcap): retransmissions into silence, then
 * RST: the sender gave up on a dead peer. Edge: two are not a backoff. */
static void rst_after_retransmissions(int n, struct tc_diagnosis *d)
{
	struct conv v;
	struct tc_verdict vd;
	int i;
	conv_init(&v);
	handshake_and_data(&v);
	sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 11, 100);
	for (i = 0; i < n; i++) {
		v.now += (int64_t)(1 << i) * SEC_NS;
		sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 11, 100);
	}
	v.now += 10 * SEC_NS;
	sig_seg(&v, S, TC_RST | TC_ACK, ISN_S + 111, ISN_C + 11, 0);
	diagnose(&v, &vd, d);
	assert_int_equal(vd.close, TC_CLOSE_RESET);
	conv_done(&v);
}

static void test_rst_after_rto_backoff_is_dead_peer(void **state)
{
	struct tc_diagnosis d;
	(void)state;
	rst_after_retransmissions(5, &d);
	assert_int_equal(d.cause, TC_CAUSE_DEAD_PEER);
	assert_int_equal(d.by, S);
	assert_true(d.idle_ns >= 40 * SEC_NS);
	rst_after_retransmissions(2, &d);
	assert_int_equal(d.cause, TC_CAUSE_ABORTIVE_CLOSE);
}

/* ---- issue 13: no RST-cause rule across a capture gap ------------------- */

/* Apply p as the engine does: loss inference first, then the pass. */
static void send_inferred(struct conv *v, const struct tc_pkt *p)
{
	tc_infer_segment(&v->c, tc_sm_role_of(&v->c, p), p, v->now, v->frame + 1);
	sendp(v, p);
}

/*
 * Each rule about the span before an RST, on a clean capture and with a
 * hole inside that span. `gap`: the last segment before the RST reveals
 * that the capture lost the peer's segments (it acknowledges 400 bytes
 * never seen).
 */
static void keepalive_then_rst(int gap, struct tc_diagnosis *d, char *why, size_t n)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_pkt p;
	int i;
	conv_init(&v);
	handshake_and_data(&v);
	for (i = 0; i < 3; i++) {
		v.now += 75 * SEC_NS;
		seg(&v, C, TC_ACK, ISN_C + 10, ISN_S + 11, 0);
	}
	p = pkt(&v, C, TC_RST | TC_ACK, ISN_C + 11, ISN_S + 11 + (gap ? 400 : 0), 0);
	send_inferred(&v, &p);
	diagnose(&v, &vd, d);
	tc_diag_explain(&v.c, &vd, d, why, n);
	assert_int_equal(tc_conn_ext(&v.c)->ep[S].acks_unseen, gap ? 1 : 0);
	conv_done(&v);
}

static void test_keepalive_timeout_not_across_gap(void **state)
{
	struct tc_diagnosis d;
	char why[512];
	(void)state;
	keepalive_then_rst(0, &d, why, sizeof(why));
	assert_int_equal(d.cause, TC_CAUSE_KEEPALIVE_TIMEOUT);
	assert_false(d.notes & TC_DX_CAPTURE_LOSS);
	keepalive_then_rst(1, &d, why, sizeof(why));
	/* the server's answers may be in the hole: not "unanswered" */
	assert_int_equal(d.cause, TC_CAUSE_UNKNOWN);
	assert_true(d.notes & TC_DX_CAPTURE_LOSS);
	assert_non_null(strstr(why, "the client sent RST (frame "));
	assert_non_null(strstr(why, "the capture lost segments just before it"));
	assert_non_null(strstr(why, "so the wire cannot tell why"));
}

/* The explanation is written by diag.c's own formatter: the same text as
 * snprintf would make of the sentence, and cut like snprintf when the
 * buffer is short (every length, the terminating NUL always there). */
static void test_explain_text_as_snprintf(void **state)
{
	struct tc_diagnosis d;
	char why[512], cut[512], want[512];
	const char *at;
	unsigned long long fr;
	size_t len, n;
	(void)state;
	keepalive_then_rst(0, &d, why, sizeof(why));
	assert_int_equal(d.cause, TC_CAUSE_KEEPALIVE_TIMEOUT);
	assert_int_equal(d.by, TC_CLIENT);
	/* the RST's frame number, read back from the text */
	at = strstr(why, "(frame ");
	assert_non_null(at);
	fr = strtoull(at + 7, NULL, 10);
	assert_true(fr > 0);
	snprintf(want, sizeof(want),
		 "the %s's keep-alive probes went unanswered (%u); it gave up with RST (frame %llu): the %s vanished",
		 "client", 3u, fr, "server");
	assert_memory_equal(why, want, strlen(want));
	len = strlen(why);
	for (n = 1; n <= len + 1; n++) {
		memset(cut, 'x', sizeof(cut));
		keepalive_then_rst(0, &d, cut, n);
		assert_int_equal(strlen(cut), n - 1);
		assert_memory_equal(cut, why, n - 1);
		assert_int_equal(cut[n], 'x'); /* nothing written past n */
	}
}

/* Rule 5: retransmissions into silence, then RST; with the RST revealing
 * that the client did answer (its data lost by the capture). */
static void retx_then_rst(int gap, struct tc_diagnosis *d)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_pkt p;
	int i;
	conv_init(&v);
	handshake_and_data(&v);
	sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 11, 100);
	for (i = 0; i < 5; i++) {
		v.now += (int64_t)(1 << i) * SEC_NS;
		sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 11, 100);
	}
	v.now += 10 * SEC_NS;
	p = pkt(&v, S, TC_RST | TC_ACK, ISN_S + 111, ISN_C + 11 + (gap ? 400 : 0), 0);
	p.ip_id = v.ipid[S]++;
	p.opt = TC_OPT_TS;
	p.tsval = v.tsval[S]++;
	send_inferred(&v, &p);
	diagnose(&v, &vd, d);
	conv_done(&v);
}

static void test_dead_peer_not_across_gap(void **state)
{
	struct tc_diagnosis d;
	(void)state;
	retx_then_rst(0, &d);
	assert_int_equal(d.cause, TC_CAUSE_DEAD_PEER);
	retx_then_rst(1, &d);
	assert_int_equal(d.cause, TC_CAUSE_UNKNOWN);
	assert_true(d.notes & TC_DX_CAPTURE_LOSS);
}

/* no_connection after 350 s idle: the idle match needs the idle span
 * whole. `gap`: the client's segment after the idle starts 300 bytes past
 * what it was seen sending (the "idle" held segments the capture lost). */
static void idle_then_stateless_rst(int gap, struct tc_diagnosis *d, char *why, size_t n)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_pkt p;
	conv_init(&v);
	handshake_and_data(&v);
	v.now += 350 * SEC_NS;
	p = pkt(&v, C, TC_ACK | TC_PSH, ISN_C + 11 + (gap ? 300 : 0), ISN_S + 11, 20);
	send_inferred(&v, &p);
	p = pkt(&v, S, TC_RST, ISN_S + 11, 0, 0);
	p.win = 0;
	send_inferred(&v, &p);
	diagnose(&v, &vd, d);
	tc_diag_explain(&v.c, &vd, d, why, n);
	assert_int_equal(tc_conn_ext(&v.c)->ep[C].gaps, gap ? 1 : 0);
	conv_done(&v);
}

static void test_idle_match_not_across_gap(void **state)
{
	struct tc_diagnosis d;
	char why[512];
	(void)state;
	idle_then_stateless_rst(0, &d, why, sizeof(why));
	assert_int_equal(d.cause, TC_CAUSE_NO_CONNECTION);
	assert_true(d.notes & TC_DX_IDLE_MATCH);
	assert_int_equal(d.idle_match_s, 350);
	idle_then_stateless_rst(1, &d, why, sizeof(why));
	/* still no socket (its look says so), but no idle claim */
	assert_int_equal(d.cause, TC_CAUSE_NO_CONNECTION);
	assert_false(d.notes & TC_DX_IDLE_MATCH);
	assert_int_equal(d.idle_match_s, 0);
	assert_true(d.notes & TC_DX_CAPTURE_LOSS);
	assert_null(strstr(why, "s idle --"));
	assert_non_null(strstr(why, "the idle time before it is unknown"));
}

/* Rule 3: FIN, then the socket's RST with nothing from the peer between;
 * `gap`: the RST acknowledges client data the capture never held, so
 * something did come between. */
static void fin_then_socket_rst(int gap, struct tc_diagnosis *d)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_pkt p;
	conv_init(&v);
	handshake_and_data(&v);
	sig_seg(&v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	p = pkt(&v, S, TC_RST | TC_ACK, ISN_S + 12, ISN_C + 11 + (gap ? 400 : 0), 0);
	p.ip_id = v.ipid[S]++;
	p.opt = TC_OPT_TS;
	p.tsval = v.tsval[S]++;
	send_inferred(&v, &p);
	diagnose(&v, &vd, d);
	conv_done(&v);
}

static void test_shutdown_rst_not_across_gap(void **state)
{
	struct tc_diagnosis d;
	(void)state;
	fin_then_socket_rst(0, &d);
	assert_int_equal(d.cause, TC_CAUSE_ABORTIVE_CLOSE);
	assert_true(d.notes & TC_DX_SHUTDOWN);
	fin_then_socket_rst(1, &d);
	assert_false(d.notes & TC_DX_SHUTDOWN);
	assert_int_equal(d.cause, TC_CAUSE_UNKNOWN);
	assert_true(d.notes & TC_DX_CAPTURE_LOSS);
}

/* Rule 6 (tcp__fin_retransmission.pcap): FIN sent in SYN_SENT, then the
 * handshake completes and the server resets: still the handshake. */
static void test_fin_in_syn_sent_phase_handshake(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	seg(&v, C, TC_FIN, ISN_C + 1, 0, 0);
	seg(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 1, ISN_S + 1, 0);
	seg(&v, S, TC_RST, ISN_S + 1, 0, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(vd.close, TC_CLOSE_RESET);
	assert_int_equal(vd.reset_phase, TC_PHASE_HANDSHAKE);
	assert_int_equal(d.cause, TC_CAUSE_HANDSHAKE_ABORT);
	conv_done(&v);

	/* Edge: a FIN after the handshake is a close. */
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(&v, S, TC_RST, ISN_S + 11, 0, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(vd.reset_phase, TC_PHASE_CLOSING);
	conv_done(&v);
}

/* Rule 7: a bare RST at the exact seq, without timestamps and with an IP
 * ID of another counter, is a kernel's reply: not injected. With a TTL
 * unlike the sender's, the same RST is. */
static void kernel_reply_rst(uint8_t ttl, struct tc_diagnosis *d)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_pkt p;
	conv_init(&v);
	v.ipid[S] = 9000;
	handshake_and_data(&v);
	sig_seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 20);
	sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 31, 200);
	sig_seg(&v, C, TC_ACK | TC_PSH, ISN_C + 31, ISN_S + 211, 20);
	p = pkt(&v, S, TC_RST, ISN_S + 211, 0, 0);
	p.ttl = ttl;
	p.ip_id = 31337;
	p.win = 0;
	sendp(&v, &p);
	diagnose(&v, &vd, d);
	conv_done(&v);
}

/* Send p through the state machine and the cross-connection memory, as the
 * engine does. */
static void send_x(struct conv *v, struct tc_xconn *x, struct tc_pkt *p)
{
	sendp(v, p);
	tc_xconn_segment(x, &v->c, p, v->now, v->frame);
}

/*
 * Rule 8: the RST's TTL is compared with the claimed host's recent data
 * segments, here those of an earlier connection: one connection's forged
 * data segment (TTL 56) does not make the host's TTL a range. And an RST
 * whose IP ID runs on from an RST "from" another host was forged by the
 * box that sent both.
 */
static void test_injection_evidence_from_other_connections(void **state)
{
	struct tc_xconn *x = tc_xconn_new(7);
	struct conv a, b;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	struct tc_pkt p;
	(void)state;
	assert_non_null(x);

	/* An earlier connection: the server's data arrives with TTL 54. */
	conv_init(&a);
	handshake_and_data(&a);
	p = pkt(&a, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 11, 100);
	p.ttl = 54;
	send_x(&a, x, &p);
	conv_done(&a);

	/* This one: an RST "from" the server with TTL 60 and IP ID 501. */
	conv_init(&b);
	b.cport = 40001;
	handshake_and_data(&b);
	p = pkt(&b, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	p.ttl = 60;
	p.ip_id = 501;
	p.win = 0;
	send_x(&b, x, &p);
	diagnose(&b, &vd, &d);
	assert_int_equal(tc_conn_ext(&b.c)->rst.host_ttl, 54);
	assert_true(d.signals & TC_SIG_TTL);
	assert_false(d.signals & TC_SIG_IPID_RUN); /* the first RST of the capture */
	conv_done(&b);

	/* Another "server" (10.0.0.9), the next IP ID: a run across hosts. */
	conv_init(&b);
	b.cport = 40002;
	handshake_and_data(&b);
	p = pkt(&b, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	p.ip_id = 502;
	p.win = 0;
	memcpy(p.src, "\x0a\x00\x00\x09", 4);
	b.c.ep[S].addr[3] = 9; /* the conversation's server is that host */
	send_x(&b, x, &p);
	diagnose(&b, &vd, &d);
	assert_true(tc_conn_ext(&b.c)->rst.xconn & TC_XC_IPID_RUN);
	assert_true(d.signals & TC_SIG_IPID_RUN);
	conv_done(&b);

	/* Edge: an ID of its own counter, far from the others': no run. */
	conv_init(&b);
	b.cport = 40003;
	handshake_and_data(&b);
	p = pkt(&b, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	p.ip_id = 40000;
	memcpy(p.src, "\x0a\x00\x00\x07", 4);
	b.c.ep[S].addr[3] = 7;
	send_x(&b, x, &p);
	assert_false(tc_conn_ext(&b.c)->rst.xconn & TC_XC_IPID_RUN);
	conv_done(&b);
	tc_xconn_free(x);
}

static void test_kernel_reply_rst_not_injected(void **state)
{
	struct tc_diagnosis d;
	(void)state;
	kernel_reply_rst(64, &d);
	assert_true(d.notes & TC_DX_KERNEL_REPLY);
	assert_false(d.signals & (TC_SIG_IPID | TC_SIG_NO_TS));
	assert_true(d.signals & TC_SIG_TTL_MATCH);
	/* It answered the client's data, from a kernel with no socket for it:
	 * no_connection, though its IP ID (31337) is not Linux's 0. */
	assert_false(d.notes & TC_DX_STATELESS);
	assert_int_equal(d.cause, TC_CAUSE_NO_CONNECTION);
	kernel_reply_rst(57, &d);
	assert_true(d.signals & TC_SIG_TTL);
	assert_true(d.signals & TC_SIG_IPID);
	assert_int_equal(d.cause, TC_CAUSE_INJECTED);
}

/* After a long idle, the server answers the client's segment with a
 * stateless RST: it no longer knew the connection; 350 s is AWS's NLB. */
static void no_connection_after(int64_t idle, struct tc_diagnosis *d)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_pkt p;
	conv_init(&v);
	handshake_and_data(&v);
	v.now += idle;
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 20);
	p = pkt(&v, S, TC_RST, ISN_S + 11, 0, 0);
	p.win = 0;
	sendp(&v, &p);
	diagnose(&v, &vd, d);
	conv_done(&v);
}

static void test_no_connection_idle(void **state)
{
	struct tc_diagnosis d;
	(void)state;
	no_connection_after(350 * SEC_NS, &d);
	assert_int_equal(d.cause, TC_CAUSE_NO_CONNECTION);
	assert_true(d.notes & TC_DX_STATELESS);
	assert_true(d.notes & TC_DX_IDLE_MATCH);
	assert_int_equal(d.idle_match_s, 350);
	assert_true(d.idle_ns >= 350 * SEC_NS);

	no_connection_after(200 * SEC_NS, &d);
	assert_int_equal(d.cause, TC_CAUSE_NO_CONNECTION);
	assert_int_equal(d.idle_match_s, 0);
	assert_false(d.notes & TC_DX_IDLE_MATCH);
}

/* The same idle, but the RST comes from the socket (timestamps, next IP
 * ID, a window): the server aborted, it did not forget. */
static void test_socket_rst_after_idle_is_abortive(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	(void)state;
	conv_init(&v);
	sig_seg(&v, C, TC_SYN, ISN_C, 0, 0);
	sig_seg(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	sig_seg(&v, C, TC_ACK, ISN_C + 1, ISN_S + 1, 0);
	v.now += 400 * SEC_NS;
	sig_seg(&v, C, TC_ACK | TC_PSH, ISN_C + 1, ISN_S + 1, 20);
	sig_seg(&v, S, TC_RST | TC_ACK, ISN_S + 1, ISN_C + 21, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(d.cause, TC_CAUSE_ABORTIVE_CLOSE);
	assert_true(d.notes & TC_DX_SOCKET_RST);
	conv_done(&v);
}

static void injected_rst(uint8_t ttl, uint16_t ip_id, struct tc_diagnosis *d)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_pkt p;
	conv_init(&v);
	sig_seg(&v, C, TC_SYN, ISN_C, 0, 0);
	sig_seg(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	sig_seg(&v, C, TC_ACK, ISN_C + 1, ISN_S + 1, 0);
	sig_seg(&v, C, TC_ACK | TC_PSH, ISN_C + 1, ISN_S + 1, 20);
	sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 1, ISN_C + 21, 200);
	p = pkt(&v, S, TC_RST | TC_ACK, ISN_S + 201, ISN_C + 21, 0);
	p.ttl = ttl;
	p.ip_id = ip_id;
	p.win = 0;
	sendp(&v, &p);
	diagnose(&v, &vd, d);
	conv_done(&v);
}

static void test_injected_ttl_and_ipid(void **state)
{
	struct tc_diagnosis d;
	(void)state;
	injected_rst(57, 31337, &d);
	assert_int_equal(d.cause, TC_CAUSE_INJECTED);
	assert_true(d.signals & TC_SIG_TTL);
	assert_true(d.signals & TC_SIG_IPID);
	assert_true(d.signals & TC_SIG_NO_TS);
	assert_true(d.score >= TC_INJECTED_THRESHOLD);
}

/* One hop of TTL difference is routing noise (ECMP paths), not a signal;
 * with nothing else odd the RST is the server's own. */
static void test_ttl_one_off_is_not_a_signal(void **state)
{
	struct tc_diagnosis d;
	(void)state;
	injected_rst(63, 9002, &d); /* the server's next IP ID */
	assert_false(d.signals & TC_SIG_TTL);
	assert_false(d.signals & TC_SIG_IPID);
	assert_true(d.score < TC_INJECTED_THRESHOLD);
	assert_int_not_equal(d.cause, TC_CAUSE_INJECTED);
}

/*
 * An injector racing the server: three RSTs "from" the server within two
 * milliseconds, at three sequence numbers, with the server's own TTL (the
 * box sits as far away as the server) and IP IDs from its own counter.
 * `accepted_first`: the exact one leads (the others come after it,
 * unchecked); else it comes last (the others are rejected first).
 */
static void injected_burst(int accepted_first, struct tc_conn_ext *xo, struct tc_diagnosis *d,
			   char *why, size_t n)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_pkt p;
	static const uint32_t off_first[3] = {0, 70000, 140000}, off_last[3] = {70000, 140000, 0};
	const uint32_t *off = accepted_first ? off_first : off_last;
	int i;
	conv_init(&v);
	sig_seg(&v, C, TC_SYN, ISN_C, 0, 0);
	sig_seg(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	sig_seg(&v, C, TC_ACK, ISN_C + 1, ISN_S + 1, 0);
	sig_seg(&v, C, TC_ACK | TC_PSH, ISN_C + 1, ISN_S + 1, 20);
	sig_seg(&v, S, TC_ACK | TC_PSH, ISN_S + 1, ISN_C + 21, 10);
	v.now += 3 * SEC_NS;
	for (i = 0; i < 3; i++) {
		p = pkt(&v, S, TC_RST | TC_ACK, ISN_S + 11 + off[i], ISN_C + 21, 0);
		p.ip_id = (uint16_t)(30000 + i);
		p.win = 0;
		sendp(&v, &p);
	}
	diagnose(&v, &vd, d);
	tc_diag_explain(&v.c, &vd, d, why, n);
	*xo = *tc_conn_ext(&v.c);
	conv_done(&v);
}

static void test_injected_burst_one_accepted(void **state)
{
	struct tc_conn_ext x;
	struct tc_diagnosis d;
	char why[512];
	int k;
	(void)state;
	for (k = 0; k < 2; k++) {
		injected_burst(k, &x, &d, why, sizeof(why));
		/* TTL alone speaks for the server; the burst shows the box. */
		assert_true(d.signals & TC_SIG_TTL_MATCH);
		assert_true(d.signals & TC_SIG_FORGED_TWIN);
		assert_int_equal(d.cause, TC_CAUSE_INJECTED);
		assert_int_equal(x.rst_others, 2);
		if (k) {
			/* the exact one led: the other two came after, unchecked */
			assert_int_equal(d.frames[0], 6);
			assert_false(x.other[0].flags & TC_RS_REJECTED);
			assert_true(x.other[0].flags & TC_RS_AFTER_OWN_RST);
			assert_int_equal(d.frames[1], 7);
		} else {
			/* two rejected, then the exact one */
			assert_int_equal(d.frames[0], 8);
			assert_true(x.other[0].flags & TC_RS_REJECTED);
			assert_true(x.other[1].flags & TC_RS_REJECTED);
			assert_int_equal(d.frames[1], 6);
		}
		assert_non_null(strstr(why, "it shares TTL 64 and an IP ID run with the RST at another sequence number in frame"));
		assert_non_null(strstr(why, "sent in the same burst: one box sent both"));
		assert_null(strstr(why, "forged_twin"));
	}
}

/* The same RSTs a second apart, each answering a segment of the client:
 * a stack answering segments one by one, not a burst. */
static void test_rsts_answering_segments_not_a_burst(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	struct tc_pkt p;
	int i;
	(void)state;
	conv_init(&v);
	sig_seg(&v, C, TC_SYN, ISN_C, 0, 0);
	sig_seg(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	sig_seg(&v, C, TC_ACK, ISN_C + 1, ISN_S + 1, 0);
	for (i = 0; i < 2; i++) {
		v.now += SEC_NS;
		sig_seg(&v, C, TC_ACK | TC_PSH, ISN_C + 1 + 20u * (uint32_t)i, ISN_S + 1, 20);
		p = pkt(&v, S, TC_RST, ISN_S + 1 + 70000u * (uint32_t)(2 - i), 0, 0);
		p.ip_id = v.ipid[S]++;
		sendp(&v, &p);
	}
	v.now += SEC_NS;
	sig_seg(&v, C, TC_ACK | TC_PSH, ISN_C + 41, ISN_S + 1, 20);
	p = pkt(&v, S, TC_RST, ISN_S + 1, 0, 0);
	p.ip_id = v.ipid[S]++;
	sendp(&v, &p);
	diagnose(&v, &vd, &d);
	assert_int_equal(vd.close, TC_CLOSE_RESET);
	assert_int_equal(tc_conn_ext(&v.c)->rst_others, 2);
	assert_true(tc_conn_ext(&v.c)->other[0].flags & TC_RS_REJECTED);
	assert_false(d.signals & TC_SIG_FORGED_TWIN);
	assert_false(d.notes & TC_DX_FORGED_IGNORED); /* they look like the server */
	assert_int_not_equal(d.cause, TC_CAUSE_INJECTED);
	conv_done(&v);
}

/*
 * A box forges an RST "from" the server (TTL 50, IP ID copied from the
 * client's segment, out of window: rejected); the server's own RST
 * follows a millisecond later (its TTL, its next IP ID, its timestamps).
 * `ecmp`: the server's segments come with TTLs 63 and 64, so its own RST
 * cannot be told from that box's by TTL.
 */
static void stray_then_real(int ecmp, struct tc_diagnosis *d, char *why, size_t n)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_pkt p;
	conv_init(&v);
	sig_seg(&v, C, TC_SYN, ISN_C, 0, 0);
	sig_seg(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	sig_seg(&v, C, TC_ACK, ISN_C + 1, ISN_S + 1, 0);
	p = pkt(&v, S, TC_ACK | TC_PSH, ISN_S + 1, ISN_C + 1, 10);
	p.ip_id = v.ipid[S]++;
	p.opt = TC_OPT_TS;
	p.tsval = v.tsval[S]++;
	p.ttl = ecmp ? 63 : 64;
	sendp(&v, &p);
	sig_seg(&v, C, TC_ACK | TC_PSH, ISN_C + 1, ISN_S + 11, 20);
	p = pkt(&v, S, TC_RST | TC_ACK, ISN_S + 11 + 500000, ISN_C + 21, 0); /* frame 6 */
	p.ttl = 50;
	p.ip_id = (uint16_t)(v.ipid[C] - 1);
	p.win = 0;
	sendp(&v, &p);
	sig_seg(&v, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 21, 0); /* frame 7 */
	diagnose(&v, &vd, d);
	tc_diag_explain(&v.c, &vd, d, why, n);
	assert_int_equal(v.c.rst_ignored, 1);
	assert_int_equal(tc_conn_end(&v.c)->frame_rst, 7);
	conv_done(&v);
}

static void test_real_rst_after_forged_stray_not_injected(void **state)
{
	struct tc_diagnosis d;
	char why[512];
	(void)state;
	stray_then_real(0, &d, why, sizeof(why));
	assert_int_equal(d.cause, TC_CAUSE_ABORTIVE_CLOSE);
	assert_false(d.signals & (TC_SIG_FORGED_TWIN | TC_SIG_TTL | TC_SIG_IPID));
	assert_true(d.signals & TC_SIG_TTL_MATCH);
	assert_true(d.notes & TC_DX_FORGED_IGNORED);
	assert_false(d.notes & TC_DX_TWO_TTLS); /* the odd TTL is the forged RST's, explained */
	assert_int_equal(d.frames[0], 7);
	assert_int_equal(d.frames[1], 6);
	assert_non_null(strstr(why, "frame 6 was an RST forged in the server's name (TTL 50, not its 64; IP ID copied from the client's), ignored"));
	assert_non_null(strstr(why, "frame 7 has the server's TTL and next IP ID: the server's own"));

	stray_then_real(1, &d, why, sizeof(why));
	assert_int_equal(d.cause, TC_CAUSE_ABORTIVE_CLOSE);
	assert_true(d.notes & TC_DX_FORGED_IGNORED);
	assert_non_null(strstr(why, "TTL 50, not its 63-64"));
	assert_non_null(strstr(why, "whether frame 7 came from the server or that box, the capture cannot tell"));
}

/* A forged RST rejected (TTL 50 where the server's come with 64), and two
 * seconds later, not in the same burst, an accepted one with its TTL and
 * the next IP ID of its counter: the same box. */
static void test_rejected_forged_twin_counts_later(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	struct tc_pkt p;
	char why[512], want[80];
	uint64_t forged;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	p = pkt(&v, S, TC_RST | TC_ACK, ISN_S + 11 + 500000, ISN_C + 11, 0);
	p.ttl = 50;
	p.ip_id = 4000;
	sendp(&v, &p);
	forged = v.frame;
	v.now += 2 * SEC_NS;
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 20);
	p = pkt(&v, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 31, 0);
	p.ttl = 50;
	p.ip_id = 4001;
	sendp(&v, &p);
	diagnose(&v, &vd, &d);
	tc_diag_explain(&v.c, &vd, &d, why, sizeof(why));
	assert_true(d.signals & TC_SIG_FORGED_TWIN);
	assert_int_equal(d.cause, TC_CAUSE_INJECTED);
	assert_int_equal(d.frames[0], forged + 1); /* the data it answered */
	assert_int_equal(d.frames[1], forged + 2); /* the RST */
	assert_int_equal(d.frames[2], forged);     /* its twin */
	snprintf(want, sizeof(want), "in frame %llu, rejected as forged: one box sent both",
		 (unsigned long long)forged);
	assert_non_null(strstr(why, want));
	conv_done(&v);
}

/* The claimed sender goes on sending data after "its" RST. */
static void test_data_after_own_rst(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, S, TC_RST, ISN_S + 11, 0, 0);
	seg(&v, S, TC_ACK | TC_PSH, ISN_S + 11, ISN_C + 11, 100);
	diagnose(&v, &vd, &d);
	assert_true(d.signals & TC_SIG_DATA_AFTER_RST);
	conv_done(&v);
}

static void test_keepalive_timeout(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	int i;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	for (i = 0; i < 3; i++) {
		v.now += 75 * SEC_NS;
		seg(&v, C, TC_ACK, ISN_C + 10, ISN_S + 11, 0); /* seq = snd_nxt - 1 */
	}
	assert_int_equal(tc_conn_ext(&v.c)->ep[C].ka_probes, 3);
	assert_int_equal(tc_conn_ext(&v.c)->ep[C].ka_unanswered, 3);
	assert_in_range(tc_conn_ext(&v.c)->ep[C].ka_interval_ms, 75000, 75001); /* +1 ms per segment */
	assert_int_equal(v.c.ep[C].retx, 0);
	seg(&v, C, TC_RST | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(d.cause, TC_CAUSE_KEEPALIVE_TIMEOUT);
	assert_int_equal(d.by, C);
	assert_true(d.notes & TC_DX_KEEPALIVE);
	conv_done(&v);
}

/* Probes that are answered are not a timeout. */
static void test_keepalive_answered(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	v.now += 75 * SEC_NS;
	seg(&v, C, TC_ACK, ISN_C + 10, ISN_S + 11, 0);
	seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	assert_int_equal(tc_conn_ext(&v.c)->ep[C].ka_probes, 1);
	assert_int_equal(tc_conn_ext(&v.c)->ep[C].ka_answered, 1);
	assert_int_equal(tc_conn_ext(&v.c)->ep[C].ka_unanswered, 0);
	conv_done(&v);
}

static void test_handshake_abort(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	(void)state;
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	seg(&v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	seg(&v, C, TC_RST, ISN_C + 1, 0, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(d.cause, TC_CAUSE_HANDSHAKE_ABORT);
	assert_int_equal(d.by, C);
	conv_done(&v);
}

/* The server stops answering: the client's retransmissions meet silence. */
static void test_dead_peer(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	int i;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 40);
	for (i = 0; i < 4; i++) {
		v.now += (int64_t)(1 << i) * SEC_NS;
		seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 40);
	}
	diagnose(&v, &vd, &d);
	assert_int_equal(vd.close, TC_CLOSE_OPEN);
	assert_int_equal(d.cause, TC_CAUSE_DEAD_PEER);
	assert_int_equal(d.by, C);
	assert_true(d.idle_ns >= 15 * SEC_NS);
	conv_done(&v);
}

/* SYNs into silence are syn_only, not a dead peer. */
static void test_unanswered_syns_not_dead_peer(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	int i;
	(void)state;
	conv_init(&v);
	for (i = 0; i < 6; i++)
		seg(&v, C, TC_SYN, ISN_C, 0, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(vd.opened, TC_OPENED_SYN_ONLY);
	assert_int_equal(d.cause, TC_CAUSE_NONE);
	conv_done(&v);
}

/* Two retransmissions then an answer: not dead. */
static void test_retransmissions_answered_not_dead(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	(void)state;
	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 40);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 40);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 40);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 11, ISN_S + 11, 40);
	seg(&v, S, TC_ACK, ISN_S + 11, ISN_C + 51, 0);
	diagnose(&v, &vd, &d);
	assert_int_equal(d.cause, TC_CAUSE_NONE);
	conv_done(&v);
}

/* SYN with an MSS option, so "small" means something. */
static void handshake_mss(struct conv *v)
{
	struct tc_pkt p = pkt(v, C, TC_SYN, ISN_C, 0, 0);
	p.opt = TC_OPT_MSS;
	p.mss = 1460;
	sendp(v, &p);
	p = pkt(v, S, TC_SYN | TC_ACK, ISN_S, ISN_C + 1, 0);
	p.opt = TC_OPT_MSS;
	p.mss = 1460;
	sendp(v, &p);
	seg(v, C, TC_ACK, ISN_C + 1, ISN_S + 1, 0);
}

/* Nagle on, delayed ACK: the second small write waits for the ACK of the
 * first, which the peer holds 40 ms. */
static void test_nagle_stall(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_mss(&v);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 1, ISN_S + 1, 100);
	v.now += 40 * MS_NS;
	seg(&v, S, TC_ACK, ISN_S + 1, ISN_C + 101, 0); /* the delayed ACK */
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 101, ISN_S + 1, 100); /* 1 ms later */
	assert_int_equal(tc_conn_ext(&v.c)->ep[C].nagle_stalls, 1);
	assert_in_range(tc_conn_ext(&v.c)->ep[C].nagle_stall_ms, 40, 41);
	assert_int_equal(v.c.ep[C].small_unacked_max, 1);
	conv_done(&v);
}

/* The Nagle clock is microseconds modulo 2^32 (71.6 minutes): a stall
 * that straddles its wrap is still a 40 ms stall, and one long after the
 * previous small write (a multiple of the wrap plus 40 ms) is not one. */
static void test_nagle_stall_across_clock_wrap(void **state)
{
	struct conv v;
	const int64_t wrap_ns = 4294967296LL * 1000;
	(void)state;
	conv_init(&v);
	/* The first small write 10 ms before the clock wraps. */
	v.now = (v.now / wrap_ns + 1) * wrap_ns - 10 * MS_NS - 4 * MS_NS;
	handshake_mss(&v);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 1, ISN_S + 1, 100);
	v.now += 40 * MS_NS;
	seg(&v, S, TC_ACK, ISN_S + 1, ISN_C + 101, 0);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 101, ISN_S + 1, 100);
	assert_int_equal(tc_conn_ext(&v.c)->ep[C].nagle_stalls, 1);
	assert_in_range(tc_conn_ext(&v.c)->ep[C].nagle_stall_ms, 40, 41);
	/* Now a small write answered a whole wrap plus 40 ms later: the
	 * clock alone would read a 40 ms stall; the silence says otherwise. */
	v.now += 5 * MS_NS;
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 201, ISN_S + 1, 100);
	v.now += wrap_ns + 40 * MS_NS;
	seg(&v, S, TC_ACK, ISN_S + 1, ISN_C + 301, 0);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 301, ISN_S + 1, 100);
	assert_int_equal(tc_conn_ext(&v.c)->ep[C].nagle_stalls, 1);
	conv_done(&v);
}

/* A prompt ACK and a later write: no stall. */
static void test_no_stall_when_ack_prompt(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_mss(&v);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 1, ISN_S + 1, 100);
	seg(&v, S, TC_ACK, ISN_S + 1, ISN_C + 101, 0);
	v.now += 40 * MS_NS;
	seg(&v, S, TC_FIN | TC_ACK, ISN_S + 1, ISN_C + 101, 0);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 101, ISN_S + 2, 100);
	assert_int_equal(tc_conn_ext(&v.c)->ep[C].nagle_stalls, 0);
	conv_done(&v);
}

/* TCP_NODELAY: small segments leave back to back, unacknowledged. */
static void test_nodelay_small_in_flight(void **state)
{
	struct conv v;
	(void)state;
	conv_init(&v);
	handshake_mss(&v);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 1, ISN_S + 1, 50);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 51, ISN_S + 1, 50);
	seg(&v, C, TC_ACK | TC_PSH, ISN_C + 101, ISN_S + 1, 50);
	assert_int_equal(v.c.ep[C].small_unacked_max, 3);
	seg(&v, S, TC_ACK, ISN_S + 1, ISN_C + 151, 0);
	assert_int_equal(v.c.ep[C].small_unacked, 0);
	assert_int_equal(tc_conn_ext(&v.c)->ep[C].nagle_stalls, 0);
	conv_done(&v);
}

static void test_idle_timeout_match(void **state)
{
	(void)state;
	assert_int_equal(tc_idle_timeout_match(350 * SEC_NS), 350);
	assert_int_equal(tc_idle_timeout_match(352 * SEC_NS), 350);
	assert_int_equal(tc_idle_timeout_match(60 * SEC_NS + SEC_NS / 2), 60);
	assert_int_equal(tc_idle_timeout_match(3610 * SEC_NS), 3600);
	assert_int_equal(tc_idle_timeout_match(45 * SEC_NS), 0);
	assert_int_equal(tc_idle_timeout_match(200 * SEC_NS), 0);
	assert_int_equal(tc_idle_timeout_match(58 * SEC_NS), 0); /* timers fire late, not early */
	assert_int_equal(tc_idle_timeout_match(0), 0);
}

static void test_names_and_explain(void **state)
{
	struct conv v;
	struct tc_verdict vd;
	struct tc_diagnosis d;
	char buf[512];
	int i;
	(void)state;
	assert_null(tc_cause_name(TC_CAUSE_NONE));
	for (i = 1; i < TC_CAUSE__COUNT; i++)
		assert_non_null(tc_cause_name((enum tc_cause)i));
	assert_string_equal(tc_cause_name(TC_CAUSE_DATA_AFTER_CLOSE), "data_after_close");
	assert_string_equal(tc_signal_name(TC_SIG_TTL), "ttl");
	conv_init(&v);
	seg(&v, C, TC_SYN, ISN_C, 0, 0);
	seg(&v, S, TC_RST | TC_ACK, 0, ISN_C + 1, 0);
	diagnose(&v, &vd, &d);
	tc_diag_explain(&v.c, &vd, &d, buf, sizeof(buf));
	assert_non_null(strstr(buf, "refused"));
	assert_non_null(strstr(buf, "frame 2"));
	/* A tiny buffer is cut, never overrun. */
	memset(buf, 'x', sizeof(buf));
	tc_diag_explain(&v.c, &vd, &d, buf, 8);
	assert_int_equal(strlen(buf), 7);
	conv_done(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_abortive_close_data_lost),
		cmocka_unit_test(test_abortive_close_unread),
		cmocka_unit_test(test_keepalive_race),
		cmocka_unit_test(test_data_after_close_not_race),
		cmocka_unit_test(test_write_after_seen_fin_not_race),
		cmocka_unit_test(test_fin_then_socket_rst_is_shutdown_unread),
		cmocka_unit_test(test_fin_then_stateless_rst_not_shutdown),
		cmocka_unit_test(test_trailing_rst_data_after_close),
		cmocka_unit_test(test_trailing_rst_after_acked_data_not_data_after_close),
		cmocka_unit_test(test_rst_before_second_fin_is_reset),
		cmocka_unit_test(test_stateless_rst_after_own_fin_is_data_after_close),
		cmocka_unit_test(test_lone_rst_is_unknown),
		cmocka_unit_test(test_rst_after_rto_backoff_is_dead_peer),
		cmocka_unit_test(test_fin_in_syn_sent_phase_handshake),
		cmocka_unit_test(test_kernel_reply_rst_not_injected),
		cmocka_unit_test(test_injection_evidence_from_other_connections),
		cmocka_unit_test(test_no_connection_idle),
		cmocka_unit_test(test_socket_rst_after_idle_is_abortive),
		cmocka_unit_test(test_data_after_close_cites_data_before_fins),
		cmocka_unit_test(test_data_after_close_cites_first_unacknowledged),
		cmocka_unit_test(test_keepalive_timeout_not_across_gap),
		cmocka_unit_test(test_explain_text_as_snprintf),
		cmocka_unit_test(test_dead_peer_not_across_gap),
		cmocka_unit_test(test_idle_match_not_across_gap),
		cmocka_unit_test(test_shutdown_rst_not_across_gap),
		cmocka_unit_test(test_injected_ttl_and_ipid),
		cmocka_unit_test(test_injected_burst_one_accepted),
		cmocka_unit_test(test_rsts_answering_segments_not_a_burst),
		cmocka_unit_test(test_real_rst_after_forged_stray_not_injected),
		cmocka_unit_test(test_rejected_forged_twin_counts_later),
		cmocka_unit_test(test_ttl_one_off_is_not_a_signal),
		cmocka_unit_test(test_data_after_own_rst),
		cmocka_unit_test(test_keepalive_timeout),
		cmocka_unit_test(test_keepalive_answered),
		cmocka_unit_test(test_handshake_abort),
		cmocka_unit_test(test_dead_peer),
		cmocka_unit_test(test_retransmissions_answered_not_dead),
		cmocka_unit_test(test_unanswered_syns_not_dead_peer),
		cmocka_unit_test(test_nagle_stall),
		cmocka_unit_test(test_nagle_stall_across_clock_wrap),
		cmocka_unit_test(test_no_stall_when_ack_prompt),
		cmocka_unit_test(test_nodelay_small_in_flight),
		cmocka_unit_test(test_idle_timeout_match),
		cmocka_unit_test(test_names_and_explain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
