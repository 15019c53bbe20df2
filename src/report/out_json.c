/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * out_json.c -- JSON Lines: one "conn" record per finished connection, as
 * it finishes; then a "finding_group" per grouped finding, most harmful
 * first, as the writer's finding op hands them over; each server's, host's
 * and pair's "finding" (naming its group), "service", "host" and
 * "time_wait" records, the "reset_timeline"; a "selection" record when the
 * report is a selection; the "summary", always the last line. The fields of
 * the documented contract (tcpclose(1), docs/schema/) never change meaning;
 * new ones may be added.
 *
 * Everything written is either a number, a fixed vocabulary word, an
 * address, or text escaped by tc_jb_quote(), so the output is valid JSON
 * whatever the capture holds.
 *
 * Each record is built in a tc_jbuf and reaches stdio with one fwrite:
 * written field by field with fprintf, stdio's per-call overhead was most
 * of the cost of a record. Decimals stay with printf ("%.3f"), whose
 * rounding the output has always had.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jbuf.h"
#include "output.h"
#include "writer.h"
#include "tcpclose/diag.h"

/* A vocabulary word, quoted. One missing from a name table comes out as
 * printf's "%s" wrote it rather than crashing the report. */
static void put_word(struct tc_jbuf *b, const char *s)
{
	size_t n;
	char *p;

	if (!s)
		s = "(null)";
	n = strlen(s);
	if (n > TC_JB_CAP - 2) {
		tc_jb_ch(b, '"');
		tc_jb_mem(b, s, n);
		tc_jb_ch(b, '"');
		return;
	}
	p = tc_jb_room(b, n + 2);
	p[0] = '"';
	memcpy(p + 1, s, n);
	p[n + 1] = '"';
	b->len += n + 2;
}

/* A word, or null where the contract allows one (closer, reset_by, cause). */
static void put_word_or_null(struct tc_jbuf *b, const char *s)
{
	if (s)
		put_word(b, s);
	else
		tc_jb_lit(b, "null");
}

/* Fields printed with "%u" and "%d" pass through unsigned and int here, so a
 * narrower or signed field converts as it did for printf. */
static void put_u(struct tc_jbuf *b, unsigned v)
{
	tc_jb_u64(b, v);
}

static void put_d(struct tc_jbuf *b, int v)
{
	tc_jb_i64(b, v);
}

static void put_bool(struct tc_jbuf *b, int v)
{
	if (v)
		tc_jb_lit(b, "true");
	else
		tc_jb_lit(b, "false");
}

/* A key, as a literal with its punctuation, then a counter. */
static void put_count(struct tc_jbuf *b, const char *key, size_t keylen, uint64_t n)
{
	tc_jb_mem(b, key, keylen);
	tc_jb_u64(b, n);
}
#define COUNT(b, key, n) put_count((b), "" key, sizeof(key) - 1, (n))

/* ,"graceful":N,"half_closed":N,"reset":N,"open":N */
static void put_closes(struct tc_jbuf *b, const uint64_t by_close[TC_CLOSE__COUNT])
{
	COUNT(b, ",\"graceful\":", by_close[TC_CLOSE_GRACEFUL]);
	COUNT(b, ",\"half_closed\":", by_close[TC_CLOSE_HALF_CLOSED]);
	COUNT(b, ",\"reset\":", by_close[TC_CLOSE_RESET]);
	COUNT(b, ",\"open\":", by_close[TC_CLOSE_OPEN]);
}

static const char *status_name(int i) { return tc_decode_status_name((enum tc_decode_status)i); }
static const char *cause_name(int i) { return tc_cause_name((enum tc_cause)i); }

/* "name":N,... for the values 1 .. n-1 of a vocabulary (0 is "none"). */
static void put_named_counts(struct tc_jbuf *b, const uint64_t *v, int n, const char *(*name)(int))
{
	int i;
	for (i = 1; i < n; i++) {
		if (i > 1)
			tc_jb_ch(b, ',');
		put_word(b, name(i));
		tc_jb_ch(b, ':');
		tc_jb_u64(b, v[i]);
	}
}

static void put_addr(struct tc_jbuf *b, int af, const uint8_t addr[16])
{
	char *p = tc_jb_room(b, TC_ADDRSTRLEN);
	b->len += strlen(tc_addr_str(af, addr, p));
}

static void json_endpoint(struct tc_jbuf *b, const struct tc_conn *c, int role)
{
	tc_jb_lit(b, "{\"ip\":\"");
	put_addr(b, c->af, c->ep[role].addr);
	tc_jb_lit(b, "\",\"port\":");
	put_u(b, c->ep[role].port);
	tc_jb_ch(b, '}');
}

static void json_frame(struct tc_jbuf *b, uint64_t f)
{
	if (f)
		tc_jb_u64(b, f);
	else
		tc_jb_lit(b, "null");
}

/* {"client":N,"server":M}: the per-side counters. */
static void json_pair(struct tc_jbuf *b, uint64_t client, uint64_t server)
{
	tc_jb_lit(b, "{\"client\":");
	tc_jb_u64(b, client);
	tc_jb_lit(b, ",\"server\":");
	tc_jb_u64(b, server);
	tc_jb_ch(b, '}');
}

/* A record ends with its newline, then goes to the stream. */
static void end_record(struct tc_jbuf *b)
{
	tc_jb_lit(b, "}\n");
	tc_jb_flush(b);
}

static const char *rst_check_name(int chk)
{
	switch (chk) {
	case TC_RST_EXACT: return "exact";
	case TC_RST_IN_WINDOW: return "in_window";
	case TC_RST_UNCHECKED: return "unchecked";
	default: return "rejected";
	}
}

static void json_rst(struct tc_jbuf *b, const struct tc_conn *c, const struct tc_diagnosis *d)
{
	const struct tc_rst_evidence *e = &tc_conn_ext(c)->rst;
	uint32_t bit;
	int first;

	tc_jb_lit(b, ",\"injected_score\":");
	put_d(b, d->score);
	tc_jb_lit(b, ",\"signals\":[");
	for (bit = 1, first = 1; bit <= TC_SIG_TTL_MATCH; bit <<= 1)
		if (d->signals & bit) {
			if (!first)
				tc_jb_ch(b, ',');
			put_word(b, tc_signal_name(bit));
			first = 0;
		}
	tc_jb_lit(b, "],\"rst\":{\"seq\":");
	put_word(b, rst_check_name(e->check));
	tc_jb_lit(b, ",\"ttl\":");
	put_u(b, e->ttl);
	tc_jb_lit(b, ",\"sender_ttl\":[");
	put_u(b, e->ttl_min);
	tc_jb_ch(b, ',');
	put_u(b, e->ttl_max);
	tc_jb_ch(b, ']');
	if (e->xconn & TC_XC_HOST_TTL) {
		tc_jb_lit(b, ",\"host_data_ttl\":");
		put_u(b, e->host_ttl);
	}
	if (e->xconn & TC_XC_IPID_RUN) {
		tc_jb_lit(b, ",\"ip_id_run_frame\":");
		tc_jb_u64(b, e->xconn_frame);
	}
	tc_jb_lit(b, ",\"window\":");
	put_u(b, e->win);
	tc_jb_lit(b, ",\"timestamps\":");
	put_bool(b, e->opt & TC_OPT_TS);
	if (c->af == 4) {
		tc_jb_lit(b, ",\"ip_id\":");
		put_u(b, e->ip_id);
		tc_jb_lit(b, ",\"sender_prev_ip_id\":");
		put_u(b, e->ip_id_prev);
	}
	if (e->payload_len) {
		tc_jb_lit(b, ",\"payload_len\":");
		put_u(b, e->payload_len);
		tc_jb_lit(b, ",\"text\":");
		tc_jb_quote(b, e->text);
	}
	tc_jb_ch(b, '}');
}

/* The diagnosis: cause, the frames it rests on, and the signals seen. */
static void json_diag(struct tc_jbuf *b, const struct tc_conn *c, const struct tc_verdict *v,
		      const struct tc_diagnosis *d)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} notes[] = {
		{TC_DX_DATA_LOST, "data_lost"},
		{TC_DX_UNREAD, "unread_data"},
		{TC_DX_KEEPALIVE_RACE, "keepalive_race"},
		{TC_DX_STATELESS, "stateless_rst"},
		{TC_DX_SOCKET_RST, "socket_rst"},
		{TC_DX_IDLE_MATCH, "idle_timeout_match"},
		{TC_DX_MULTI_RST, "multiple_rsts"},
		{TC_DX_RST_IGNORED, "rst_ignored"},
		{TC_DX_TEXT, "rst_text"},
		{TC_DX_KEEPALIVE, "keepalive"},
		{TC_DX_LONE_RST, "lone_rst"},
		{TC_DX_SHUTDOWN, "rst_after_own_fin"},
		{TC_DX_KERNEL_REPLY, "kernel_reply"},
		{TC_DX_TWO_TTLS, "two_ttls"},
		{TC_DX_TRAILING, "trailing_rst"},
	};
	char why[512];
	size_t i;
	int first;

	tc_jb_lit(b, ",\"cause\":");
	put_word_or_null(b, tc_cause_name(d->cause));
	if (d->cause == TC_CAUSE_NONE && !d->notes)
		return;
	tc_jb_lit(b, ",\"evidence\":{\"frames\":[");
	for (i = 0; i < 4 && d->frames[i]; i++) {
		if (i)
			tc_jb_ch(b, ',');
		tc_jb_u64(b, d->frames[i]);
	}
	tc_jb_lit(b, "],\"notes\":[");
	for (i = 0, first = 1; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (d->notes & notes[i].bit) {
			if (!first)
				tc_jb_ch(b, ',');
			put_word(b, notes[i].name);
			first = 0;
		}
	tc_jb_ch(b, ']');
	if (d->cause != TC_CAUSE_NONE) {
		tc_jb_lit(b, ",\"by\":");
		put_word(b, d->by == TC_CLIENT ? "client" : "server");
	}
	if (c->frame_rst)
		json_rst(b, c, d);
	if (d->cause == TC_CAUSE_NO_CONNECTION || d->cause == TC_CAUSE_INJECTED ||
	    d->cause == TC_CAUSE_DEAD_PEER || (d->notes & TC_DX_IDLE_MATCH)) {
		tc_jb_lit(b, ",\"idle_s\":");
		tc_jb_fixed(b, (double)d->idle_ns / 1e9, 3);
	}
	if (d->idle_match_s) {
		tc_jb_lit(b, ",\"idle_timeout_match_s\":");
		put_u(b, d->idle_match_s);
	}
	if (d->notes & TC_DX_DATA_LOST) {
		tc_jb_lit(b, ",\"bytes_lost\":");
		put_u(b, d->data_lost);
	}
	if (d->cause != TC_CAUSE_NONE) {
		tc_diag_explain(c, v, d, why, sizeof(why));
		tc_jb_lit(b, ",\"explain\":");
		tc_jb_quote(b, why);
	}
	tc_jb_ch(b, '}');
}

/* ,"tunnel":{"type":"vxlan","outer":"10.0.0.1->10.0.0.2","id":42}: only
 * for a connection seen inside a tunnel; id is null for tunnels without one. */
static void json_tunnel(struct tc_jbuf *b, const struct tc_conn *c)
{
	const struct tc_tunnel *t = &tc_conn_ext(c)->tun;
	char outer[TC_TUNNEL_OUTERLEN];

	tc_jb_lit(b, ",\"tunnel\":{\"type\":");
	put_word(b, tc_tunnel_name((enum tc_tunnel_type)t->type));
	tc_jb_lit(b, ",\"outer\":");
	tc_jb_quote(b, tc_tunnel_outer(c, outer));
	tc_jb_lit(b, ",\"id\":");
	if (t->has_id)
		tc_jb_u64(b, t->id);
	else
		tc_jb_lit(b, "null");
	tc_jb_ch(b, '}');
}

/* An epoch number, or null for "never". */
static void json_ts(struct tc_jbuf *b, int64_t ns)
{
	if (ns)
		tc_jb_ts(b, ns);
	else
		tc_jb_lit(b, "null");
}

/* The same instant as an RFC 3339 string, or null. */
static void json_time(struct tc_jbuf *b, int64_t ns)
{
	if (ns)
		tc_jb_time(b, ns);
	else
		tc_jb_lit(b, "null");
}

/*
 * When it closed, on the wall clock, beside the frames: each side's first
 * FIN and the first accepted RST, as epoch numbers ("close_ts") and as
 * RFC 3339 strings ("close_time"), null for what did not happen.
 */
static void json_close_times(struct tc_jbuf *b, const struct tc_conn *c)
{
	int64_t rst = c->frame_rst ? tc_conn_ext(c)->rst.ts : 0;
	tc_jb_lit(b, ",\"close_ts\":{\"client_fin\":");
	json_ts(b, c->ep[TC_CLIENT].ts_fin);
	tc_jb_lit(b, ",\"server_fin\":");
	json_ts(b, c->ep[TC_SERVER].ts_fin);
	tc_jb_lit(b, ",\"rst\":");
	json_ts(b, rst);
	tc_jb_lit(b, "},\"close_time\":{\"client_fin\":");
	json_time(b, c->ep[TC_CLIENT].ts_fin);
	tc_jb_lit(b, ",\"server_fin\":");
	json_time(b, c->ep[TC_SERVER].ts_fin);
	tc_jb_lit(b, ",\"rst\":");
	json_time(b, rst);
	tc_jb_ch(b, '}');
}

/*
 * What the capture missed on this connection (infer.h): written only when
 * there is something to say, so a clean capture's records are unchanged.
 */
static void json_capture(struct tc_jbuf *b, const struct tc_conn *c)
{
	const struct tc_endpoint *cl = &c->ep[TC_CLIENT], *sv = &c->ep[TC_SERVER];
	const struct tc_conn_ext *x = tc_conn_ext(c);
	unsigned i;
	int first = 1;

	if (c->inferred) {
		tc_jb_lit(b, ",\"inferred\":[");
		for (i = 0; i < TC_INF__COUNT; i++)
			if (c->inferred & (1u << i)) {
				if (!first)
					tc_jb_ch(b, ',');
				tc_jb_quote(b, tc_inferred_name(i));
				first = 0;
			}
		tc_jb_ch(b, ']');
	}
	if (c->one_way) {
		tc_jb_lit(b, ",\"one_way\":");
		put_word(b, c->one_way == TC_ONE_WAY_CLIENT_SEEN ? "client" : "server");
	}
	if (cl->gaps | sv->gaps | cl->acks_unseen | sv->acks_unseen | x->ep[0].dups | x->ep[1].dups) {
		tc_jb_lit(b, ",\"capture_loss\":{\"missed_bytes\":");
		json_pair(b, (uint64_t)cl->missed, (uint64_t)sv->missed);
		tc_jb_lit(b, ",\"gaps\":");
		json_pair(b, (uint32_t)cl->gaps, (uint32_t)sv->gaps);
		tc_jb_lit(b, ",\"acks_unseen\":");
		json_pair(b, (uint32_t)cl->acks_unseen, (uint32_t)sv->acks_unseen);
		tc_jb_lit(b, ",\"duplicates\":");
		json_pair(b, (uint32_t)x->ep[0].dups, (uint32_t)x->ep[1].dups);
		tc_jb_ch(b, '}');
	}
}

/* The summary's capture_loss object, only when the capture missed something. */
void tc_json_conn(FILE *o, const struct tc_conn *c, const struct tc_verdict *v,
		  const struct tc_diagnosis *d)
{
	const struct tc_endpoint *cl = &c->ep[TC_CLIENT], *sv = &c->ep[TC_SERVER];
	struct tc_jbuf b;

	tc_jb_init(&b, o);
	COUNT(&b, "{\"type\":\"conn\",\"id\":", c->id);
	tc_jb_lit(&b, ",\"first_ts\":");
	tc_jb_ts(&b, c->first_ts);
	tc_jb_lit(&b, ",\"first_time\":");
	tc_jb_time(&b, c->first_ts);
	tc_jb_lit(&b, ",\"last_ts\":");
	tc_jb_ts(&b, c->last_ts);
	tc_jb_lit(&b, ",\"last_time\":");
	tc_jb_time(&b, c->last_ts);
	tc_jb_lit(&b, ",\"client\":");
	json_endpoint(&b, c, TC_CLIENT);
	tc_jb_lit(&b, ",\"server\":");
	json_endpoint(&b, c, TC_SERVER);
	if (c->tunnel)
		json_tunnel(&b, c);
	tc_jb_lit(&b, ",\"opened\":");
	put_word(&b, tc_opened_name(v->opened));
	tc_jb_lit(&b, ",\"close\":");
	put_word(&b, tc_close_name(v->close));
	tc_jb_lit(&b, ",\"closer\":");
	put_word_or_null(&b, tc_who_name(v->closer));
	tc_jb_lit(&b, ",\"reset_by\":");
	put_word_or_null(&b, tc_who_name(v->reset_by));
	tc_jb_lit(&b, ",\"reset_phase\":");
	put_word_or_null(&b, tc_phase_name(v->reset_phase));
	/* A graceful close an RST trailed: who, why (the diagnosis), where. */
	tc_jb_lit(&b, ",\"trailing_rst\":");
	if (v->trailing_rst != TC_WHO_NONE) {
		tc_jb_lit(&b, "{\"by\":");
		put_word(&b, tc_who_name(v->trailing_rst));
		tc_jb_lit(&b, ",\"cause\":");
		put_word_or_null(&b, tc_cause_name(d->cause));
		tc_jb_lit(&b, ",\"frame\":");
		tc_jb_u64(&b, c->frame_rst);
		tc_jb_ch(&b, '}');
	} else {
		tc_jb_lit(&b, "null");
	}
	tc_jb_lit(&b, ",\"client_state\":");
	put_word(&b, tc_state_name((enum tc_state)cl->state));
	tc_jb_lit(&b, ",\"server_state\":");
	put_word(&b, tc_state_name((enum tc_state)sv->state));
	tc_jb_lit(&b, ",\"history\":");
	tc_jb_quote(&b, c->history);
	tc_jb_lit(&b, ",\"pkts\":");
	json_pair(&b, (uint32_t)cl->pkts, (uint32_t)sv->pkts);
	tc_jb_lit(&b, ",\"bytes\":");
	json_pair(&b, (uint64_t)cl->bytes, (uint64_t)sv->bytes);
	tc_jb_lit(&b, ",\"fins\":");
	json_pair(&b, (uint32_t)cl->fins, (uint32_t)sv->fins);
	tc_jb_lit(&b, ",\"rsts\":");
	json_pair(&b, (uint32_t)cl->rsts, (uint32_t)sv->rsts);
	tc_jb_lit(&b, ",\"retransmits\":");
	json_pair(&b, (uint32_t)cl->retx, (uint32_t)sv->retx);
	COUNT(&b, ",\"rst_ignored\":", (uint32_t)c->rst_ignored);
	tc_jb_lit(&b, ",\"challenge_acks\":");
	put_u(&b, tc_conn_ext(c)->challenge_acks);
	tc_jb_lit(&b, ",\"simultaneous\":");
	put_bool(&b, c->cflags & TC_CONN_SIMULTANEOUS);
	tc_jb_lit(&b, ",\"superseded\":");
	put_bool(&b, c->cflags & TC_CONN_SUPERSEDED);
	tc_jb_lit(&b, ",\"evicted\":");
	put_bool(&b, c->cflags & TC_CONN_EVICTED);
	json_capture(&b, c);
	tc_jb_lit(&b, ",\"frames\":{\"first\":");
	json_frame(&b, c->frame_first);
	tc_jb_lit(&b, ",\"last\":");
	json_frame(&b, c->frame_last);
	tc_jb_lit(&b, ",\"client_fin\":");
	json_frame(&b, cl->frame_fin);
	tc_jb_lit(&b, ",\"server_fin\":");
	json_frame(&b, sv->frame_fin);
	tc_jb_lit(&b, ",\"rst\":");
	json_frame(&b, c->frame_rst);
	tc_jb_ch(&b, '}');
	json_close_times(&b, c);
	json_diag(&b, c, v, d);
	end_record(&b);
}

static void json_summary_loss(struct tc_jbuf *b, const struct tc_stats *st)
{
	if (!(st->loss_conns | st->dups | st->one_way | st->inferred))
		return;
	COUNT(b, ",\"capture_loss\":{\"bytes\":", st->loss_bytes);
	COUNT(b, ",\"gaps\":", st->loss_gaps);
	COUNT(b, ",\"connections\":", st->loss_conns);
	tc_jb_lit(b, ",\"share\":");
	tc_jb_fixed(b, st->loss_bytes ? (double)st->loss_bytes / (double)(st->loss_bytes + st->payload_bytes) : 0.0, 6);
	COUNT(b, ",\"acks_unseen\":", st->acks_unseen);
	COUNT(b, ",\"duplicates\":", st->dups);
	COUNT(b, ",\"one_way\":", st->one_way);
	COUNT(b, ",\"inferred\":", st->inferred);
	tc_jb_ch(b, '}');
}

/* The capture's own drop counters (pcapng ISBs), when the input has them. */
static void json_summary_drops(struct tc_jbuf *b, const struct tc_input_stats *is)
{
	char sep = '{';

	tc_jb_lit(b, ",\"capture_drops\":");
	if (is->have_ifrecv) {
		tc_jb_ch(b, sep);
		COUNT(b, "\"ifrecv\":", is->ifrecv);
		sep = ',';
	}
	if (is->have_ifdrop) {
		tc_jb_ch(b, sep);
		COUNT(b, "\"ifdrop\":", is->ifdrop);
		sep = ',';
	}
	if (is->have_osdrop) {
		tc_jb_ch(b, sep);
		COUNT(b, "\"osdrop\":", is->osdrop);
		sep = ',';
	}
	if (sep == '{')
		tc_jb_ch(b, sep);
	tc_jb_ch(b, '}');
}

static void json_summary(struct tc_jbuf *b, struct tc_agg *agg, const struct tc_stats *st,
			 const struct tc_run_info *ri)
{
	int i;

	COUNT(b, "{\"type\":\"summary\",\"packets\":", st->frames);
	COUNT(b, ",\"tcp_packets\":", st->tcp);
	COUNT(b, ",\"connections\":", st->reported);
	put_closes(b, st->by_close);
	COUNT(b, ",\"refused\":", st->refused);
	tc_jb_lit(b, ",\"skipped\":{");
	put_named_counts(b, st->by_status, TC_DEC__COUNT, status_name);
	COUNT(b, "},\"rst_ignored\":", st->rst_ignored);
	COUNT(b, ",\"evicted\":", st->evicted);
	COUNT(b, ",\"peak_tracked\":", st->peak_active);
	COUNT(b, ",\"time_backwards\":", st->time_backwards);
	COUNT(b, ",\"ip_length_clamped\":", st->len_clamped);
	/* Losses that make the report partial: present when they happened. */
	if (st->untracked)
		COUNT(b, ",\"untracked_segments\":", st->untracked);
	if (agg && tc_agg_dropped(agg))
		COUNT(b, ",\"aggregate_dropped\":", tc_agg_dropped(agg));
	json_summary_loss(b, st);
	if (ri->input_stats)
		json_summary_drops(b, ri->input_stats);
	if (st->frames) {
		tc_jb_lit(b, ",\"first_ts\":");
		tc_jb_ts(b, st->ts_first);
		tc_jb_lit(b, ",\"first_time\":");
		tc_jb_time(b, st->ts_first);
		tc_jb_lit(b, ",\"last_ts\":");
		tc_jb_ts(b, st->ts_last);
		tc_jb_lit(b, ",\"last_time\":");
		tc_jb_time(b, st->ts_last);
	}
	tc_jb_lit(b, ",\"complete\":");
	put_bool(b, !ri->nerrors);
	if (ri->nerrors) {
		tc_jb_lit(b, ",\"errors\":[");
		for (i = 0; i < ri->nerrors; i++) {
			if (i)
				tc_jb_ch(b, ',');
			tc_jb_quote(b, ri->errors[i]);
		}
		tc_jb_ch(b, ']');
	}
	end_record(b);
}

static const char *const finding_kind[TC_FIND__COUNT] = {
	[TC_FIND_ABORTIVE] = "abortive_close",
	[TC_FIND_KEEPALIVE_RACE] = "keepalive_race",
	[TC_FIND_DATA_AFTER_CLOSE] = "data_after_close",
	[TC_FIND_IDLE_TIMEOUT] = "idle_timeout",
	[TC_FIND_NO_CONNECTION] = "no_connection",
	[TC_FIND_INJECTED] = "injected",
	[TC_FIND_REFUSED] = "refused",
	[TC_FIND_CLOSE_WAIT] = "close_wait",
	[TC_FIND_TIME_WAIT_PORTS] = "time_wait_ports",
	[TC_FIND_SERVER_CLOSES_FIRST] = "server_closes_first",
	[TC_FIND_TW_REUSE] = "time_wait_reuse",
	[TC_FIND_KEEPALIVE_TIMEOUT] = "keepalive_timeout",
	[TC_FIND_DEAD_PEER] = "dead_peer",
	[TC_FIND_NAGLE] = "nagle_stall",
	[TC_FIND_RST_IGNORED] = "rst_ignored",
	[TC_FIND_HANDSHAKE_ABORT] = "handshake_abort",
	[TC_FIND_TRAILING_RST] = "trailing_rst",
	[TC_FIND_SYN_UNANSWERED] = "syn_unanswered",
};

static const char *const scope_word[] = {
	[TC_SCOPE_SERVICE] = "service",
	[TC_SCOPE_CLIENT] = "client",
	[TC_SCOPE_PAIR] = "pair",
	[TC_SCOPE_ALL] = "all",
};

/* Members a "finding_group" names in "offenders"; its finding records
 * (the "group" field) list them all. */
#define JSON_OFFENDERS 10

/* One "finding_group": a grouped finding as the text report shows it. */
static void json_group(FILE *o, const struct tc_agg *agg, const struct tc_finding_group *g,
		       size_t rank)
{
	struct tc_jbuf jb, *b = &jb;
	size_t k;

	tc_jb_init(b, o);

	COUNT(b, "{\"type\":\"finding_group\",\"rank\":", rank);
	tc_jb_lit(b, ",\"kind\":");
	put_word(b, finding_kind[g->kind]);
	tc_jb_lit(b, ",\"scope\":");
	put_word(b, scope_word[g->scope]);
	tc_jb_lit(b, ",\"severity\":");
	put_d(b, g->severity);
	COUNT(b, ",\"count\":", g->count);
	if (g->of)
		COUNT(b, ",\"of\":", g->of);
	if (g->port)
		COUNT(b, ",\"port\":", g->port);
	COUNT(b, ",\"members\":", g->n);
	tc_jb_lit(b, ",\"offenders\":[");
	for (k = 0; k < g->n && k < JSON_OFFENDERS; k++) {
		const struct tc_finding *m = tc_agg_group_member(agg, g->first + k);
		if (k)
			tc_jb_ch(b, ',');
		tc_jb_lit(b, "{\"subject\":");
		tc_jb_quote(b, m->subject);
		COUNT(b, ",\"count\":", m->count);
		if (m->of)
			COUNT(b, ",\"of\":", m->of);
		COUNT(b, ",\"finding\":", m->rank);
		tc_jb_ch(b, '}');
	}
	tc_jb_lit(b, "],\"text\":");
	tc_jb_quote(b, g->text);
	end_record(b);
}

/* Which group each finding is in (by the finding's rank), filled as the
 * groups are written: the "group" of a finding record. */
struct group_map {
	uint32_t *of; /* of[rank - 1]: the group's rank, 0 none */
	size_t cap;
};

static void group_map_add(struct group_map *m, const struct tc_agg *agg,
			  const struct tc_finding_group *g, size_t rank)
{
	size_t k;

	for (k = 0; k < g->n; k++) {
		uint32_t r = tc_agg_group_member(agg, g->first + k)->rank;
		if (!r)
			continue;
		if (r > m->cap) {
			size_t nc = m->cap ? m->cap : 64;
			uint32_t *no;
			while (nc < r)
				nc *= 2;
			if (!(no = realloc(m->of, nc * sizeof(*no))))
				continue; /* that finding record goes without "group" */
			memset(no + m->cap, 0, (nc - m->cap) * sizeof(*no));
			m->of = no;
			m->cap = nc;
		}
		m->of[r - 1] = (uint32_t)rank;
	}
}

/*
 * Each server's, host's and pair's own finding ("finding"), naming its
 * group by rank: the "finding_group" records, written before (the
 * writer's finding op), list the findings grouped, most harmful first, as
 * the text report does. A group's count and of are the sums of its
 * members' (time_wait_ports: a peak, the largest member's), so the two
 * kinds of record can be checked against each other. The aggregator
 * computes the findings the same way each time: their ranks are the ones
 * the groups named.
 */
static void json_findings(struct tc_jbuf *b, struct tc_agg *agg, const struct group_map *m)
{
	const struct tc_finding *f;
	size_t n, i;

	f = tc_agg_findings(agg, &n);
	for (i = 0; i < n; i++) {
		COUNT(b, "{\"type\":\"finding\",\"rank\":", i + 1);
		tc_jb_lit(b, ",\"kind\":");
		put_word(b, finding_kind[f[i].kind]);
		tc_jb_lit(b, ",\"severity\":");
		put_d(b, f[i].severity);
		COUNT(b, ",\"count\":", f[i].count);
		if (f[i].of)
			COUNT(b, ",\"of\":", f[i].of);
		tc_jb_lit(b, ",\"subject\":");
		tc_jb_quote(b, f[i].subject);
		tc_jb_lit(b, ",\"text\":");
		tc_jb_quote(b, f[i].text);
		if (i < m->cap && m->of[i])
			COUNT(b, ",\"group\":", m->of[i]);
		end_record(b);
	}
}

/* Resets (refused included) per interval of capture time, as the text
 * report's RESETS OVER TIME draws them. */
static void json_reset_timeline(struct tc_jbuf *b, const struct tc_agg *agg)
{
	const uint64_t *c;
	int64_t start, width;
	size_t n = tc_agg_reset_timeline(agg, &c, &start, &width), i;
	uint64_t total = 0;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		total += c[i];
	COUNT(b, "{\"type\":\"reset_timeline\",\"resets\":", total);
	tc_jb_lit(b, ",\"start_ts\":");
	tc_jb_ts(b, start);
	tc_jb_lit(b, ",\"start_time\":");
	tc_jb_time(b, start);
	tc_jb_lit(b, ",\"bucket_s\":");
	tc_jb_fixed(b, (double)width / 1e9, 3);
	COUNT(b, ",\"buckets\":", n);
	tc_jb_lit(b, ",\"counts\":[");
	for (i = 0; i < n; i++) {
		if (i)
			tc_jb_ch(b, ',');
		tc_jb_u64(b, c[i]);
	}
	tc_jb_ch(b, ']');
	end_record(b);
}

/* Keep-alive, Nagle and TIME_WAIT reuse: shared by service and host records. */
static void json_socket_tail(struct tc_jbuf *b, uint64_t ka_interval_ms, uint64_t nodelay,
			     uint64_t stalls, uint64_t stall_ms, uint64_t tw_reuse)
{
	if (ka_interval_ms) {
		tc_jb_lit(b, ",\"keepalive_interval_s\":");
		tc_jb_fixed(b, (double)ka_interval_ms / 1e3, 3);
	}
	COUNT(b, ",\"nodelay_conns\":", nodelay);
	COUNT(b, ",\"nagle_stalls\":", stalls);
	COUNT(b, ",\"nagle_stall_ms\":", stall_ms);
	COUNT(b, ",\"time_wait_reuse\":", tw_reuse);
	tc_jb_ch(b, '}');
	end_record(b);
}

/* Socket options read from the wire, per service, when there is evidence. */
static void json_services(struct tc_jbuf *b, const struct tc_agg *agg)
{
	size_t i;
	int k;

	for (i = 0; i < tc_agg_nservices(agg); i++) {
		const struct tc_service_stats *s = tc_agg_service(agg, i);

		tc_jb_lit(b, "{\"type\":\"service\",\"ip\":\"");
		put_addr(b, s->af, s->addr);
		tc_jb_lit(b, "\",\"port\":");
		put_u(b, s->port);
		COUNT(b, ",\"connections\":", s->conns);
		put_closes(b, s->by_close);
		COUNT(b, ",\"refused\":", s->refused);
		COUNT(b, ",\"closer\":{\"client\":", s->client_closed_first);
		COUNT(b, ",\"server\":", s->server_closed_first);
		COUNT(b, ",\"both\":", s->simultaneous);
		tc_jb_lit(b, "},\"causes\":{");
		put_named_counts(b, s->by_cause, TC_CAUSE__COUNT, cause_name);
		COUNT(b, "},\"close_wait\":{\"server\":", s->close_wait_server);
		COUNT(b, ",\"client\":", s->close_wait_client);
		tc_jb_lit(b, ",\"longest_s\":");
		tc_jb_fixed(b, (double)s->close_wait_longest_ns / 1e9, 3);
		tc_jb_lit(b, "},\"idle_before_close\":{");
		for (k = 0; k < TC_IDLE_BUCKETS; k++) {
			if (k < TC_IDLE_BUCKETS - 1) {
				if (k)
					tc_jb_ch(b, ',');
				tc_jb_lit(b, "\"lt_");
				put_u(b, tc_idle_bucket_s[k]);
			} else {
				tc_jb_lit(b, ",\"ge_");
				put_u(b, tc_idle_bucket_s[k - 1]);
			}
			tc_jb_lit(b, "s\":");
			tc_jb_u64(b, s->idle_hist[k]);
		}
		COUNT(b, "},\"socket_options\":{\"linger0_aborts\":",
		      s->by_cause_server[TC_CAUSE_ABORTIVE_CLOSE]);
		COUNT(b, ",\"keepalive_conns\":", s->ka_conns);
		json_socket_tail(b, s->ka_interval_ms, s->nodelay_conns, s->nagle_stalls,
				 s->nagle_stall_ms, s->tw_reuse);
	}
}

/* Hosts that held TIME_WAIT sockets or showed client-side socket options. */
static void json_hosts(struct tc_jbuf *b, const struct tc_agg *agg)
{
	size_t i;

	for (i = 0; i < tc_agg_nhosts(agg); i++) {
		const struct tc_host_stats *h = tc_agg_host(agg, i);
		if (!h->tw_total && !h->ka_conns && !h->nodelay_conns && !h->nagle_stalls && !h->aborts &&
		    !h->tw_reuse)
			continue;
		tc_jb_lit(b, "{\"type\":\"host\",\"ip\":\"");
		put_addr(b, h->af, h->addr);
		COUNT(b, "\",\"as_client\":", h->as_client);
		COUNT(b, ",\"as_server\":", h->as_server);
		COUNT(b, ",\"time_wait\":{\"total\":", h->tw_total);
		tc_jb_lit(b, ",\"peak\":");
		put_u(b, h->tw_peak);
		if (h->tw_peak) {
			tc_jb_lit(b, ",\"peak_ts\":");
			tc_jb_ts(b, h->tw_peak_ts);
			tc_jb_lit(b, ",\"peak_time\":");
			tc_jb_time(b, h->tw_peak_ts);
		}
		COUNT(b, "},\"socket_options\":{\"linger0_aborts\":", h->aborts);
		COUNT(b, ",\"keepalive_conns\":", h->ka_conns);
		json_socket_tail(b, h->ka_interval_ms, h->nodelay_conns, h->nagle_stalls,
				 h->nagle_stall_ms, h->tw_reuse);
	}
	for (i = 0; i < tc_agg_npairs(agg); i++) {
		const struct tc_pair_stats *p = tc_agg_pair(agg, i);
		const struct tc_host_stats *h = tc_agg_host(agg, p->client);
		const struct tc_service_stats *s = tc_agg_service(agg, p->service);
		if (!p->tw_peak)
			continue;
		tc_jb_lit(b, "{\"type\":\"time_wait\",\"client\":\"");
		put_addr(b, h->af, h->addr);
		tc_jb_lit(b, "\",\"server\":{\"ip\":\"");
		put_addr(b, s->af, s->addr);
		tc_jb_lit(b, "\",\"port\":");
		put_u(b, s->port);
		tc_jb_lit(b, "},\"peak\":");
		put_u(b, p->tw_peak);
		tc_jb_lit(b, ",\"peak_ts\":");
		tc_jb_ts(b, p->tw_peak_ts);
		tc_jb_lit(b, ",\"peak_time\":");
		tc_jb_time(b, p->tw_peak_ts);
		tc_jb_lit(b, ",\"ephemeral_ports\":");
		put_u(b, tc_agg_ephemeral_ports(agg));
		tc_jb_lit(b, ",\"peak_pct\":");
		tc_jb_fixed(b, 100.0 * p->tw_peak / tc_agg_ephemeral_ports(agg), 2);
		end_record(b);
	}
}

/* After the findings grouped: each one's own, the per-endpoint records, the
 * selection, then the summary, always the last line. */
static void json_rest(FILE *o, struct tc_agg *agg, const struct tc_stats *st,
		      const struct tc_run_info *ri, const struct group_map *m,
		      const struct tc_select *sel, uint64_t shown)
{
	struct tc_jbuf b;

	tc_jb_init(&b, o);
	if (agg) {
		tc_agg_set_stats(agg, st);
		json_findings(&b, agg, m);
		json_services(&b, agg);
		json_hosts(&b, agg);
		json_reset_timeline(&b, agg);
	}
	if (sel && tc_select_active(sel)) {
		fprintf(o, "{\"type\":\"selection\",\"shown\":%" PRIu64 ",\"of\":%" PRIu64 ",", shown,
			st->reported);
		tc_select_json(o, sel);
		fputs("}\n", o);
	}
	json_summary(&b, agg, st, ri);
}

void tc_json_end(FILE *o, struct tc_agg *agg, const struct tc_stats *st, const struct tc_run_info *ri)
{
	struct group_map m = {NULL, 0};

	if (agg) {
		const struct tc_finding_group *g;
		size_t n, i;

		tc_agg_set_stats(agg, st);
		g = tc_agg_groups(agg, &n);
		for (i = 0; i < n; i++) {
			json_group(o, agg, &g[i], i + 1);
			group_map_add(&m, agg, &g[i], i + 1);
		}
	}
	json_rest(o, agg, st, ri, &m, NULL, 0);
	free(m.of);
}

/* ---- as a format of the pipeline (writer.h) --------------------------- */

struct json_writer {
	FILE *out;
	const struct tc_select *sel;
	struct group_map groups;
};

static void *json_begin(const struct tc_writer_cfg *cfg)
{
	struct json_writer *j = calloc(1, sizeof(*j));
	if (j) {
		j->out = cfg->out;
		j->sel = cfg->sel;
	}
	return j;
}

static void json_conn(void *w, const struct tc_conn *c, const struct tc_verdict *v,
		      const struct tc_diagnosis *d, int shown)
{
	struct json_writer *j = w;
	if (shown)
		tc_json_conn(j->out, c, v, d);
}

/* A grouped finding: written as it comes, after the last connection. */
static void json_finding(void *w, const struct tc_finding_group *g, size_t rank,
			 const struct tc_agg *agg)
{
	struct json_writer *j = w;
	json_group(j->out, agg, g, rank);
	group_map_add(&j->groups, agg, g, rank);
}

static void json_end(void *w, const struct tc_writer_end *e)
{
	struct json_writer *j = w;
	json_rest(j->out, e->agg, e->st, e->ri, &j->groups, j->sel, e->shown);
	free(j->groups.of);
	free(j);
}

static void json_discard(void *w)
{
	struct json_writer *j = w;
	free(j->groups.of);
	free(j);
}

const struct tc_writer_ops tc_writer_json = {
	.name = "json",
	.rows = 1,
	.begin = json_begin,
	.conn = json_conn,
	.finding = json_finding,
	.end = json_end,
	.discard = json_discard,
};
