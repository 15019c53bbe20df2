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
 * rounding the output has always had. Per connection record the rest is
 * made without printf or strlen: the vocabulary words are copied quoted
 * from tables made once (words_init), integers, IPv4 addresses and
 * instants by jbuf's digit writers, and the pipeline's writer keeps a
 * tc_jb_clock so each second's text is made once. bench/README.md, "The
 * JSON writer, per record": 5,796 -> 3,122 instructions per conn record.
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
#include "tcpclose/grow.h"

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
	char *p;

	if (af == 4) {
		tc_jb_ipv4(b, addr);
		return;
	}
	p = tc_jb_room(b, TC_ADDRSTRLEN);
	b->len += strlen(tc_addr_str(af, addr, p));
}

/*
 * The words of the vocabularies every conn record carries, quoted (or the
 * literal null, where the contract has one), made once from the core's
 * name functions so they can never disagree with them: a record copies a
 * fixed 32 bytes and keeps n, instead of strlen and a copy of unknown
 * length per word. n == 0: the word did not fit, written the slow way.
 */
struct qword {
	uint8_t n;
	char s[31];
};

static struct {
	int ready;
	struct qword opened[TC_OPENED__COUNT];
	struct qword close[TC_CLOSE__COUNT];
	struct qword state[TC_STATE__COUNT];
	struct qword who[TC_WHO_BOTH + 1];        /* NONE: null */
	struct qword phase[TC_PHASE_CLOSING + 1]; /* NONE: null */
	struct qword cause[TC_CAUSE__COUNT];      /* NONE: null */
} words;

static void qword_set(struct qword *w, const char *s, int nullable)
{
	size_t n;

	if (!s && nullable) {
		memcpy(w->s, "null", 4);
		w->n = 4;
		return;
	}
	if (!s)
		s = "(null)"; /* as put_word */
	n = strlen(s);
	w->n = 0;
	if (n + 2 > sizeof(w->s))
		return;
	w->s[0] = '"';
	memcpy(w->s + 1, s, n);
	w->s[n + 1] = '"';
	w->n = (uint8_t)(n + 2);
}

static void words_init(void)
{
	int i;

	for (i = 0; i < TC_OPENED__COUNT; i++)
		qword_set(&words.opened[i], tc_opened_name((enum tc_opened)i), 0);
	for (i = 0; i < TC_CLOSE__COUNT; i++)
		qword_set(&words.close[i], tc_close_name((enum tc_close)i), 0);
	for (i = 0; i < TC_STATE__COUNT; i++)
		qword_set(&words.state[i], tc_state_name((enum tc_state)i), 0);
	for (i = 0; i <= TC_WHO_BOTH; i++)
		qword_set(&words.who[i], tc_who_name((enum tc_who)i), 1);
	for (i = 0; i <= TC_PHASE_CLOSING; i++)
		qword_set(&words.phase[i], tc_phase_name((enum tc_phase)i), 1);
	for (i = 0; i < TC_CAUSE__COUNT; i++)
		qword_set(&words.cause[i], tc_cause_name((enum tc_cause)i), 1);
	words.ready = 1;
}

/* Entry i of a table of n words, or 0 when the slow way must write it. */
static int put_q(struct tc_jbuf *b, const struct qword *tab, unsigned n, unsigned i)
{
	char *p;

	if (i >= n || !tab[i].n)
		return 0;
	p = tc_jb_room(b, sizeof(tab[i].s));
	memcpy(p, tab[i].s, sizeof(tab[i].s));
	b->len += tab[i].n;
	return 1;
}
#define NWORDS(t) ((unsigned)(sizeof(t) / sizeof((t)[0])))

static void put_cause_or_null(struct tc_jbuf *b, enum tc_cause c)
{
	if (!put_q(b, words.cause, NWORDS(words.cause), (unsigned)c))
		put_word_or_null(b, tc_cause_name(c));
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
		{TC_DX_FORGED_IGNORED, "forged_rst_ignored"},
		{TC_DX_CAPTURE_LOSS, "capture_lost_span"},
	};
	char why[512];
	size_t i;
	int first;

	tc_jb_lit(b, ",\"cause\":");
	put_cause_or_null(b, d->cause);
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
	if (tc_conn_end(c)->frame_rst)
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

/*
 * What the capture missed on this connection (infer.h): written only when
 * there is something to say, so a clean capture's records are unchanged.
 */
static void json_capture(struct tc_jbuf *b, const struct tc_conn *c)
{
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
	if (tc_conn_loss_total(c) | x->ep[0].dups | x->ep[1].dups) {
		const struct tc_ext_endpoint *xc = &x->ep[TC_CLIENT], *xs = &x->ep[TC_SERVER];
		tc_jb_lit(b, ",\"capture_loss\":{\"missed_bytes\":");
		json_pair(b, (uint64_t)xc->missed, (uint64_t)xs->missed);
		tc_jb_lit(b, ",\"gaps\":");
		json_pair(b, (uint32_t)xc->gaps, (uint32_t)xs->gaps);
		tc_jb_lit(b, ",\"acks_unseen\":");
		json_pair(b, (uint32_t)xc->acks_unseen, (uint32_t)xs->acks_unseen);
		tc_jb_lit(b, ",\"duplicates\":");
		json_pair(b, (uint32_t)x->ep[0].dups, (uint32_t)x->ep[1].dups);
		tc_jb_ch(b, '}');
	}
}

/* ---- the conn record, in stretches of bounded length (jbuf.h, tc_jp_*) ---- */

static const char *opened_name(unsigned i) { return tc_opened_name((enum tc_opened)i); }
static const char *close_name(unsigned i) { return tc_close_name((enum tc_close)i); }
static const char *state_name(unsigned i) { return tc_state_name((enum tc_state)i); }
static const char *who_name(unsigned i) { return tc_who_name((enum tc_who)i); }
static const char *phase_name(unsigned i) { return tc_phase_name((enum tc_phase)i); }
static const char *cause_name_u(unsigned i) { return tc_cause_name((enum tc_cause)i); }

/* A word of a table at p; a word the table does not hold goes the checked
 * way (put_word), after which room for a whole stretch is taken again. */
static char *jp_word(struct tc_jbuf *b, char *p, size_t stretch, const struct qword *tab,
		     unsigned n, unsigned i, const char *(*name)(unsigned), int nullable)
{
	if (i < n && tab[i].n) {
		memcpy(p, tab[i].s, sizeof(tab[i].s));
		return p + tab[i].n;
	}
	tc_jb_commit(b, p);
	if (nullable)
		put_word_or_null(b, name(i));
	else
		put_word(b, name(i));
	return tc_jb_room(b, stretch);
}
#define JP_WORD(b, p, stretch, tab, i, name, nullable) \
	jp_word((b), (p), (stretch), (tab), NWORDS(tab), (unsigned)(i), (name), (nullable))

static char *jp_addr(char *p, int af, const uint8_t addr[16])
{
	return af == 4 ? tc_addr_put4(p, addr) : tc_addr_put6(p, addr);
}

/* {"ip":"...","port":N}: at most 17 + TC_ADDRSTRLEN + 5 bytes. */
static char *jp_endpoint(char *p, const struct tc_conn *c, int role)
{
	p = tc_jp_lit(p, "{\"ip\":\"");
	p = jp_addr(p, c->af, c->ep[role].addr);
	p = tc_jp_lit(p, "\",\"port\":");
	p = tc_jp_u64(p, c->ep[role].port);
	*p++ = '}';
	return p;
}

/* {"client":N,"server":M}: at most 22 + 2 * 20 bytes. */
static char *jp_pair(char *p, uint64_t client, uint64_t server)
{
	p = tc_jp_lit(p, "{\"client\":");
	p = tc_jp_u64(p, client);
	p = tc_jp_lit(p, ",\"server\":");
	p = tc_jp_u64(p, server);
	*p++ = '}';
	return p;
}

static char *jp_frame(char *p, uint64_t f)
{
	return f ? tc_jp_u64(p, f) : tc_jp_lit(p, "null");
}

/* An instant (t, set when ns is not 0) or null for "never". */
static char *jp_ts(char *p, int64_t ns, const struct tc_jb_inst *t)
{
	return ns ? tc_jp_inst_ts(p, t) : tc_jp_lit(p, "null");
}

static char *jp_time(char *p, int64_t ns, const struct tc_jb_inst *t)
{
	return ns ? tc_jp_inst_time(p, t) : tc_jp_lit(p, "null");
}

static char *jp_bool(char *p, int v)
{
	return v ? tc_jp_lit(p, "true") : tc_jp_lit(p, "false");
}

/*
 * Room taken for each stretch, above its longest text: the head (type to
 * server: 40 + 2 * (12 + 25 + 14 + 32) + 2 * (10 + 17 + 46 + 5) = 362), the
 * middle (opened to evicted: 7 words of at most 30 with keys of at most 16,
 * the trailing RST's keys, the history escaped (2 + 6 * 32), five pairs of
 * at most 78 with their keys, three counters and three booleans: about
 * 1,000) and the tail (frames and close times: 5 * 34 + 3 * 37 + 3 * 44 +
 * 60 = 473). All well below TC_JB_CAP, so a stretch never splits.
 */
#define CONN_HEAD 512
#define CONN_MID 1536
#define CONN_TAIL 768

/* One "conn" record; clock: the writer's, or NULL. */
/* One "conn" record appended to b, whose clock (if any) it uses; not flushed. */
static void json_conn_rec(struct tc_jbuf *bp, const struct tc_conn *c, const struct tc_verdict *v,
			  const struct tc_diagnosis *d)
{
	const struct tc_endpoint *cl = &c->ep[TC_CLIENT], *sv = &c->ep[TC_SERVER];
	const struct tc_conn_end *en = tc_conn_end(c);
	struct tc_jb_inst t[3];
	struct tc_jb_clock *clock = bp->clock;
	tc_history_buf hb;
	char *p;

	if (!words.ready)
		words_init();

	p = tc_jb_room(bp, CONN_HEAD);
	p = tc_jp_lit(p, "{\"type\":\"conn\",\"id\":");
	p = tc_jp_u64(p, c->id);
	tc_jb_inst_set(&t[0], clock, c->first_ts);
	p = tc_jp_lit(p, ",\"first_ts\":");
	p = tc_jp_inst_ts(p, &t[0]);
	p = tc_jp_lit(p, ",\"first_time\":");
	p = tc_jp_inst_time(p, &t[0]);
	tc_jb_inst_set(&t[0], clock, c->last_ts);
	p = tc_jp_lit(p, ",\"last_ts\":");
	p = tc_jp_inst_ts(p, &t[0]);
	p = tc_jp_lit(p, ",\"last_time\":");
	p = tc_jp_inst_time(p, &t[0]);
	p = tc_jp_lit(p, ",\"client\":");
	p = jp_endpoint(p, c, TC_CLIENT);
	p = tc_jp_lit(p, ",\"server\":");
	p = jp_endpoint(p, c, TC_SERVER);
	tc_jb_commit(bp, p);
	if (c->tunnel)
		json_tunnel(bp, c);

	p = tc_jb_room(bp, CONN_MID);
	p = tc_jp_lit(p, ",\"opened\":");
	p = JP_WORD(bp, p, CONN_MID, words.opened, v->opened, opened_name, 0);
	p = tc_jp_lit(p, ",\"close\":");
	p = JP_WORD(bp, p, CONN_MID, words.close, v->close, close_name, 0);
	p = tc_jp_lit(p, ",\"closer\":");
	p = JP_WORD(bp, p, CONN_MID, words.who, v->closer, who_name, 1);
	p = tc_jp_lit(p, ",\"reset_by\":");
	p = JP_WORD(bp, p, CONN_MID, words.who, v->reset_by, who_name, 1);
	p = tc_jp_lit(p, ",\"reset_phase\":");
	p = JP_WORD(bp, p, CONN_MID, words.phase, v->reset_phase, phase_name, 1);
	/* A graceful close an RST trailed: who, why (the diagnosis), where. */
	p = tc_jp_lit(p, ",\"trailing_rst\":");
	if (v->trailing_rst != TC_WHO_NONE) {
		p = tc_jp_lit(p, "{\"by\":");
		p = JP_WORD(bp, p, CONN_MID, words.who, v->trailing_rst, who_name, 0);
		p = tc_jp_lit(p, ",\"cause\":");
		p = JP_WORD(bp, p, CONN_MID, words.cause, d->cause, cause_name_u, 1);
		p = tc_jp_lit(p, ",\"frame\":");
		p = tc_jp_u64(p, en->frame_rst);
		*p++ = '}';
	} else {
		p = tc_jp_lit(p, "null");
	}
	p = tc_jp_lit(p, ",\"client_state\":");
	p = JP_WORD(bp, p, CONN_MID, words.state, cl->state, state_name, 0);
	p = tc_jp_lit(p, ",\"server_state\":");
	p = JP_WORD(bp, p, CONN_MID, words.state, sv->state, state_name, 0);
	p = tc_jp_lit(p, ",\"history\":");
	p = tc_jp_quote(p, tc_conn_history(c, hb), TC_HISTORY_MAX + 1);
	p = tc_jp_lit(p, ",\"pkts\":");
	p = jp_pair(p, (uint32_t)cl->pkts, (uint32_t)sv->pkts);
	p = tc_jp_lit(p, ",\"bytes\":");
	p = jp_pair(p, tc_ep_bytes(c, TC_CLIENT), tc_ep_bytes(c, TC_SERVER));
	p = tc_jp_lit(p, ",\"fins\":");
	p = jp_pair(p, (uint32_t)en->ep[TC_CLIENT].fins, (uint32_t)en->ep[TC_SERVER].fins);
	p = tc_jp_lit(p, ",\"rsts\":");
	p = jp_pair(p, (uint32_t)en->ep[TC_CLIENT].rsts, (uint32_t)en->ep[TC_SERVER].rsts);
	p = tc_jp_lit(p, ",\"retransmits\":");
	p = jp_pair(p, (uint32_t)cl->retx, (uint32_t)sv->retx);
	p = tc_jp_lit(p, ",\"rst_ignored\":");
	p = tc_jp_u64(p, (uint32_t)c->rst_ignored);
	p = tc_jp_lit(p, ",\"challenge_acks\":");
	p = tc_jp_u64(p, (unsigned)tc_conn_ext(c)->challenge_acks);
	p = tc_jp_lit(p, ",\"simultaneous\":");
	p = jp_bool(p, c->cflags & TC_CONN_SIMULTANEOUS);
	p = tc_jp_lit(p, ",\"superseded\":");
	p = jp_bool(p, c->cflags & TC_CONN_SUPERSEDED);
	p = tc_jp_lit(p, ",\"evicted\":");
	p = jp_bool(p, c->cflags & TC_CONN_EVICTED);
	tc_jb_commit(bp, p);
	json_capture(bp, c);

	p = tc_jb_room(bp, CONN_TAIL);
	p = tc_jp_lit(p, ",\"frames\":{\"first\":");
	p = jp_frame(p, c->frame_first);
	p = tc_jp_lit(p, ",\"last\":");
	p = jp_frame(p, c->frame_last);
	p = tc_jp_lit(p, ",\"client_fin\":");
	p = jp_frame(p, en->ep[TC_CLIENT].frame_fin);
	p = tc_jp_lit(p, ",\"server_fin\":");
	p = jp_frame(p, en->ep[TC_SERVER].frame_fin);
	p = tc_jp_lit(p, ",\"rst\":");
	p = jp_frame(p, en->frame_rst);
	/* When it closed, on the wall clock, beside the frames: each side's
	 * first FIN and the first accepted RST, as epoch numbers ("close_ts")
	 * and as RFC 3339 strings ("close_time"), null for what did not happen. */
	{
		int64_t at[3];
		int i;

		at[0] = en->ep[TC_CLIENT].ts_fin;
		at[1] = en->ep[TC_SERVER].ts_fin;
		at[2] = en->frame_rst ? tc_conn_ext(c)->rst.ts : 0;
		for (i = 0; i < 3; i++)
			if (at[i])
				tc_jb_inst_set(&t[i], clock, at[i]);
		p = tc_jp_lit(p, "},\"close_ts\":{\"client_fin\":");
		p = jp_ts(p, at[0], &t[0]);
		p = tc_jp_lit(p, ",\"server_fin\":");
		p = jp_ts(p, at[1], &t[1]);
		p = tc_jp_lit(p, ",\"rst\":");
		p = jp_ts(p, at[2], &t[2]);
		p = tc_jp_lit(p, "},\"close_time\":{\"client_fin\":");
		p = jp_time(p, at[0], &t[0]);
		p = tc_jp_lit(p, ",\"server_fin\":");
		p = jp_time(p, at[1], &t[1]);
		p = tc_jp_lit(p, ",\"rst\":");
		p = jp_time(p, at[2], &t[2]);
		*p++ = '}';
	}
	tc_jb_commit(bp, p);
	json_diag(bp, c, v, d);
	tc_jb_lit(bp, "}\n");
}

void tc_json_conn(FILE *o, const struct tc_conn *c, const struct tc_verdict *v,
		  const struct tc_diagnosis *d)
{
	struct tc_jbuf b;

	tc_jb_init(&b, o);
	json_conn_rec(&b, c, v, d);
	tc_jb_flush(&b);
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
	[TC_FIND_CAPTURE_LOSS] = "capture_loss",
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
			size_t was = m->cap;
			uint32_t *no = tc_grow(m->of, &m->cap, r, sizeof(*no), 64);
			if (!no)
				continue; /* that finding record goes without "group" */
			memset(no + was, 0, (m->cap - was) * sizeof(*no));
			m->of = no;
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
	char text[TC_FINDING_TEXT_MAX];
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
		tc_jb_quote(b, tc_agg_finding_text(agg, &f[i], text));
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
		const struct tc_host_opts *ho = tc_agg_host_opts(agg, i);
		if (!h->tw_total && !ho->ka_conns && !ho->nodelay_conns && !ho->nagle_stalls &&
		    !ho->aborts && !ho->tw_reuse)
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
		COUNT(b, "},\"socket_options\":{\"linger0_aborts\":", ho->aborts);
		COUNT(b, ",\"keepalive_conns\":", ho->ka_conns);
		json_socket_tail(b, ho->ka_interval_ms, ho->nodelay_conns, ho->nagle_stalls,
				 ho->nagle_stall_ms, ho->tw_reuse);
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
		      const struct tc_select *sel, uint64_t shown, struct tc_jb_clock *clock)
{
	struct tc_jbuf b;

	tc_jb_init(&b, o);
	b.clock = clock;
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
	json_rest(o, agg, st, ri, &m, NULL, 0, NULL);
	free(m.of);
}

/* ---- as a format of the pipeline (writer.h) --------------------------- */

/*
 * The conn records of a run share one buffer, which reaches stdio when it is
 * full rather than once per record (fwrite's own cost was a tenth of a
 * record's), and before anything else is written to the stream; with
 * flush_each (a live stream), after every record.
 */
struct json_writer {
	FILE *out;
	const struct tc_select *sel;
	int flush_each;
	struct group_map groups;
	struct tc_jb_clock clock; /* each second's text, across records */
	struct tc_jbuf rows;      /* conn records not yet handed to stdio */
};

static void *json_begin(const struct tc_writer_cfg *cfg)
{
	struct json_writer *j = calloc(1, sizeof(*j));
	if (j) {
		j->out = cfg->out;
		j->sel = cfg->sel;
		j->flush_each = cfg->flush_each;
		tc_jb_clock_init(&j->clock);
		tc_jb_init(&j->rows, cfg->out);
		j->rows.clock = &j->clock;
	}
	return j;
}

static void json_conn(void *w, const struct tc_conn *c, const struct tc_verdict *v,
		      const struct tc_diagnosis *d, int shown)
{
	struct json_writer *j = w;
	if (!shown)
		return;
	json_conn_rec(&j->rows, c, v, d);
	if (j->flush_each)
		tc_jb_flush(&j->rows);
}

/* A grouped finding: written as it comes, after the last connection. */
static void json_finding(void *w, const struct tc_finding_group *g, size_t rank,
			 const struct tc_agg *agg)
{
	struct json_writer *j = w;
	tc_jb_flush(&j->rows);
	json_group(j->out, agg, g, rank);
	group_map_add(&j->groups, agg, g, rank);
}

static void json_end(void *w, const struct tc_writer_end *e)
{
	struct json_writer *j = w;
	tc_jb_flush(&j->rows);
	json_rest(j->out, e->agg, e->st, e->ri, &j->groups, j->sel, e->shown, &j->clock);
	free(j->groups.of);
	free(j);
}

static void json_discard(void *w)
{
	struct json_writer *j = w;
	tc_jb_flush(&j->rows); /* what was written so far stays written */
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
