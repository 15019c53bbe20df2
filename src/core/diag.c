/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diag.c -- reset causes (see diag.h), judged from the record alone.
 *
 * The rules are ordered: the first that matches wins, from the most
 * specific evidence to the least. An injected RST is checked before the
 * causes an endpoint could have (an injected RST would otherwise pass for
 * an abortive close); a refusal before everything (it is unambiguous).
 *
 * The kernel-RST signature used for no_connection is Linux's answer for a
 * segment that matches no socket (tcp_v4_send_reset / tcp_v6_send_reset):
 * no TCP options, window 0, and for IPv4 an IP ID of 0. An RST sent by a
 * socket (SO_LINGER 0, abort, unread data) goes through the socket's
 * output path and carries its timestamps and its next IP ID.
 */
#include "tcpclose/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "seq.h"
#include "tcpsm.h"

#define SEC 1000000000LL

const char *tc_cause_name(enum tc_cause cause)
{
	static const char *const n[TC_CAUSE__COUNT] = {
		NULL, "refused", "abortive_close", "data_after_close", "no_connection",
		"injected", "keepalive_timeout", "handshake_abort", "dead_peer", "unknown"};
	return (unsigned)cause < TC_CAUSE__COUNT ? n[cause] : NULL;
}

static const struct {
	uint32_t bit;
	int weight;
	const char *name;
} signals[] = {
	{TC_SIG_TTL, 3, "ttl"},
	{TC_SIG_IPID, 2, "ip_id"},
	{TC_SIG_NO_TS, 1, "no_timestamps"},
	{TC_SIG_TS_BACK, 2, "tsval_backwards"},
	{TC_SIG_WIN_COPIED, 1, "window_copied"},
	{TC_SIG_SEQ_NOT_EXACT, 1, "seq_not_exact"},
	{TC_SIG_DATA_AFTER_RST, 3, "data_after_rst"},
	{TC_SIG_BURST, 2, "rst_burst"},
	{TC_SIG_IPID_RUN, 3, "ip_id_run"},
	{TC_SIG_FORGED_TWIN, 4, "forged_twin"},
	{TC_SIG_TTL_MATCH, -2, "ttl_match"},
};

const char *tc_signal_name(uint32_t sig)
{
	size_t i;
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].bit == sig)
			return signals[i].name;
	return NULL;
}

/*
 * Idle timeouts operators meet: 60 s (many NATs and proxies), 240 s
 * (Azure Load Balancer default), 300 s, 350 s (AWS NLB/Gateway LB), 600 s
 * (Google Cloud LB), 900 s, 1800 s, 3600 s (Cisco ASA conn timeout),
 * 7200 s (Linux tcp_keepalive_time, when keep-alive finally fires).
 * A match is within 2 % or 2 s, whichever is larger: timers fire late.
 */
uint32_t tc_idle_timeout_match(int64_t idle_ns)
{
	static const uint32_t known[] = {60, 240, 300, 350, 600, 900, 1800, 3600, 7200};
	size_t i;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		int64_t t = (int64_t)known[i] * SEC, tol = t / 50;
		if (tol < 2 * SEC)
			tol = 2 * SEC;
		if (idle_ns >= t - tol / 4 && idle_ns <= t + tol)
			return known[i];
	}
	return 0;
}

static int looks_stateless(const struct tc_conn *c, const struct tc_rst_evidence *e)
{
	return (e->opt & ~TC_OPT_BAD) == 0 && e->win == 0 && (c->af == 6 || e->ip_id == 0);
}

/*
 * A kernel's answer for a segment that reached no socket (RFC 9293 3.10.7.1:
 * <SEQ=SEG.ACK><CTL=RST>): no ACK flag, at exactly the sequence number
 * the receiver expects. It goes out without the socket's options and with
 * whatever IP ID the host's stateless path uses, so neither says anything
 * about who sent it.
 */
static int kernel_reply(const struct tc_rst_evidence *e)
{
	return !(e->flags & TC_ACK) && e->check == TC_RST_EXACT;
}

/*
 * The TTL range of `role`'s own segments, RSTs left out once it sent one
 * (an RST claiming it may be forged). 0 if it sent nothing else.
 */
static int own_ttl(const struct tc_conn *c, int role, uint8_t *lo, uint8_t *hi)
{
	const struct tc_ext_endpoint *xe = &tc_conn_ext(c)->ep[role];
	if (xe->have & TC_XE_OWN_TRACK) {
		*lo = xe->own_ttl_min;
		*hi = xe->own_ttl_max;
		return (xe->have & TC_XE_OWN) != 0;
	}
	*lo = c->ep[role].ttl_min;
	*hi = c->ep[role].ttl_max;
	return c->ep[role].pkts > 0;
}

/*
 * The connection's other RSTs (rejected ones, and those after the accepted
 * one) against the accepted one. An RST is forged-looking when its TTL is
 * unlike every segment its claimed sender sent otherwise (over the whole
 * connection, so segments after it count) or its IP ID was copied from
 * the peer's segment it answers. Issue 12 rule 8: a box racing the
 * endpoint sends several RSTs at different offsets; the rejected ones
 * carry its fingerprint, and the accepted one is its work when it carries
 * the same: same TTL, IP IDs in one run (or copied alike).
 */
#define BURST_NS (50LL * 1000000LL)

struct others {
	unsigned twins;        /* share the accepted RST's fingerprint */
	uint64_t twin_frame;   /* the first of them */
	uint8_t twin_burst;    /* ... sent in one burst with the accepted one */
	unsigned forged;       /* rejected and forged-looking */
	uint64_t forged_frame; /* the first of them */
	uint8_t forged_ttl, forged_flags, forged_own_lo, forged_own_hi, forged_ttl_off;
};

static void scan_others(const struct tc_conn *c, const struct tc_rst_evidence *e, int by,
			struct others *o)
{
	const struct tc_conn_ext *x = tc_conn_ext(c);
	uint64_t rst = tc_conn_end(c)->frame_rst;
	unsigned i, n = x->rst_others < TC_RST_OTHERS ? x->rst_others : TC_RST_OTHERS;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < n; i++) {
		const struct tc_rst_other *r = &x->other[i];
		int role = (r->flags & TC_RS_SERVER) ? TC_SERVER : TC_CLIENT;
		int rejected = (r->flags & TC_RS_REJECTED) != 0;
		uint8_t lo = 0, hi = 0;
		int ttl_off = own_ttl(c, role, &lo, &hi) &&
			      ((int)r->ttl + 1 < (int)lo || (int)r->ttl > (int)hi + 1);
		int forged = ttl_off || (r->flags & TC_RS_ID_COPIED);
		int64_t dt;
		uint16_t d1, d2;
		int id_near, burst;

		if (rejected && forged && o->forged++ == 0) {
			o->forged_frame = r->frame;
			o->forged_ttl = r->ttl;
			o->forged_flags = r->flags;
			o->forged_ttl_off = (uint8_t)ttl_off;
			o->forged_own_lo = lo;
			o->forged_own_hi = hi;
		}
		if (!rst || role != by || r->ttl != e->ttl)
			continue;
		d1 = (uint16_t)(e->ip_id - r->ip_id);
		d2 = (uint16_t)(r->ip_id - e->ip_id);
		id_near = c->af == 6 || !r->ip_id || !e->ip_id || d1 <= 64 || d2 <= 64 ||
			  (r->flags & e->shape & TC_RS_ID_COPIED);
		dt = tc_conn_ts(c, r->t) - e->ts;
		if (dt < 0)
			dt = -dt;
		/* One burst: no segment from the peer between them, within
		 * a moment (a stack sends one RST per segment it answers). */
		burst = dt <= BURST_NS && (r->frame > rst ? (r->flags & TC_RS_AFTER_OWN_RST)
								   : (e->shape & TC_RS_AFTER_OWN_RST));
		if (id_near && ((rejected && forged) || burst) && o->twins++ == 0) {
			o->twin_frame = r->frame;
			o->twin_burst = (uint8_t)(burst != 0);
		}
	}
}

static void score_injection(const struct tc_conn *c, const struct tc_rst_evidence *e,
			    struct tc_diagnosis *d, const struct others *o)
{
	size_t i;
	int stateless = looks_stateless(c, e), kernel = kernel_reply(e);

	if (e->xconn & TC_XC_HOST_TTL) {
		/* The host's recent data segments, on this connection or an
		 * earlier one: a range over the whole connection would mix in
		 * any segment a middlebox forged. */
		int dt = (int)e->ttl - (int)e->host_ttl;
		if (dt > 1 || dt < -1)
			d->signals |= TC_SIG_TTL;
		else if (dt == 0)
			d->signals |= TC_SIG_TTL_MATCH;
	} else if (e->sender_own) {
		if ((int)e->ttl + 1 < (int)e->ttl_min || (int)e->ttl > (int)e->ttl_max + 1)
			d->signals |= TC_SIG_TTL;
		else if (e->ttl_min == e->ttl_max && e->ttl == e->ttl_max)
			d->signals |= TC_SIG_TTL_MATCH;
	}
	/* A TTL unlike the host's says the host did not send it: then the
	 * kernel's stateless path excuses nothing. */
	if (e->sender_own && (!kernel || (d->signals & TC_SIG_TTL))) {
		if (c->af == 4 && e->ip_id != 0) {
			uint16_t delta = (uint16_t)(e->ip_id - e->ip_id_prev);
			if (delta > 1024)
				d->signals |= TC_SIG_IPID;
		}
		if (e->sender_had_ts && !(e->opt & TC_OPT_TS) && !stateless)
			d->signals |= TC_SIG_NO_TS;
	}
	if (e->sender_pkts_before > 0 && e->sender_had_ts && (e->opt & TC_OPT_TS) &&
	    seq_lt(e->tsval, e->tsval_prev))
		d->signals |= TC_SIG_TS_BACK;
	/* Copied: the other direction's window, where the sender's own would
	 * be expected. Two sides advertising the same window is common. */
	if (e->win != 0 && e->win == e->peer_win && e->win != e->win_prev)
		d->signals |= TC_SIG_WIN_COPIED;
	if (e->check == TC_RST_IN_WINDOW)
		d->signals |= TC_SIG_SEQ_NOT_EXACT;
	if (tc_conn_ext(c)->data_after_rst)
		d->signals |= TC_SIG_DATA_AFTER_RST;
	if (tc_conn_ext(c)->rst_distinct >= 3)
		d->signals |= TC_SIG_BURST;
	if (e->xconn & TC_XC_IPID_RUN)
		d->signals |= TC_SIG_IPID_RUN;
	if (o->twins)
		d->signals |= TC_SIG_FORGED_TWIN;
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (d->signals & signals[i].bit)
			d->score += signals[i].weight;
}

/*
 * Did the capture lose segments after time t (issue 13)? A hole shows when
 * the segment after it arrives (or at the end, tc_infer_finish): any hole
 * shown after t may lie in the span from t to the RST, so a rule about
 * that span (the segment the RST answered, the idle time before it, the
 * silence it ended) cannot claim its pattern.
 */
static int lost_after(const struct tc_conn *c, int64_t t)
{
	const struct tc_conn_ext *x = tc_conn_ext(c);
	uint32_t now = tc_conn_loss_total(c);
	if (!now)
		return 0;
	if (now != x->loss_seen)
		return 1; /* found at the end, after every segment */
	return x->loss_ts > t;
}

static void add_frame(struct tc_diagnosis *d, uint64_t f)
{
	size_t i;
	if (!f)
		return;
	for (i = 0; i < 3; i++) {
		if (d->frames[i] == f)
			return;
		if (d->frames[i] == 0) {
			d->frames[i] = f;
			return;
		}
	}
}

/* The first accepted RST's sender. */
static enum tc_role rst_sender(const struct tc_conn *c, const struct tc_verdict *v)
{
	enum tc_who w = v->trailing_rst != TC_WHO_NONE ? v->trailing_rst : v->reset_by;
	const struct tc_conn_end *en = tc_conn_end(c);
	if (w == TC_WHO_BOTH)
		return en->ep[TC_SERVER].frame_rst == en->frame_rst ? TC_SERVER : TC_CLIENT;
	return w == TC_WHO_SERVER ? TC_SERVER : TC_CLIENT;
}

/*
 * The rules, first match wins (docs/diagnosing-resets.md has a ladder for
 * each). Numbers in comments are those of issue 12's list.
 */
static void reset_rules(const struct tc_conn *c, const struct tc_verdict *v,
			struct tc_diagnosis *d, struct others *op)
{
	const struct tc_rst_evidence *e = &tc_conn_ext(c)->rst;
	enum tc_role by = rst_sender(c, v);
	const struct tc_endpoint *peer = &c->ep[!by];
	const struct tc_conn_end *en = tc_conn_end(c);
	const struct tc_ep_end *se = &en->ep[by];
	int stateless = looks_stateless(c, e);
	struct others o;
	uint8_t lo, hi;
	int64_t t_trig;
	int gap_ans, gap_idle, gap_silent, gap_fin;

	d->by = by;
	if (v->trailing_rst != TC_WHO_NONE)
		d->notes |= TC_DX_TRAILING;
	add_frame(d, e->trigger_frame);
	add_frame(d, en->frame_rst);

	scan_others(c, e, by, &o);
	*op = o;
	score_injection(c, e, d, &o);
	if (o.forged)
		d->notes |= TC_DX_FORGED_IGNORED;
	if (stateless)
		d->notes |= TC_DX_STATELESS;
	else if ((e->opt & TC_OPT_TS) || (c->af == 4 && (uint16_t)(e->ip_id - e->ip_id_prev) <= 16 &&
					  e->ip_id != 0))
		d->notes |= TC_DX_SOCKET_RST;
	if (kernel_reply(e))
		d->notes |= TC_DX_KERNEL_REPLY;
	/* RSTs aside (a forged one is told apart above): the sender's own
	 * range before the RST, the peer's own over the connection. */
	if ((e->sender_own && (int)e->ttl_max - (int)e->ttl_min >= 2) ||
	    (own_ttl(c, !by, &lo, &hi) && (int)hi - (int)lo >= 2))
		d->notes |= TC_DX_TWO_TTLS;
	if (e->text[0])
		d->notes |= TC_DX_TEXT;
	/* The spans the rules below reason about, and whether the capture
	 * holds them whole: after the segment the RST answered; the idle
	 * time before that segment; the peer's silence; since the sender's
	 * FIN. */
	t_trig = e->ts - e->response_ns;
	gap_ans = e->answered && lost_after(c, t_trig);
	gap_idle = e->answered && lost_after(c, t_trig - e->idle_before_ns);
	gap_silent = lost_after(c, e->ts - e->peer_silent_ns);
	gap_fin = e->sender_fin && lost_after(c, se->ts_fin);
	if (e->answered && !gap_idle) {
		d->idle_ns = e->idle_before_ns;
		d->idle_match_s = tc_idle_timeout_match(e->idle_before_ns);
		if (d->idle_match_s)
			d->notes |= TC_DX_IDLE_MATCH;
	} else if (e->answered && e->idle_before_ns >= SEC) {
		d->notes |= TC_DX_CAPTURE_LOSS;
	}

	if (v->opened == TC_OPENED_REFUSED) {
		d->cause = TC_CAUSE_REFUSED;
		return;
	}
	if (d->score >= TC_INJECTED_THRESHOLD) {
		d->cause = TC_CAUSE_INJECTED;
		add_frame(d, e->xconn_frame);
		add_frame(d, o.twin_frame);
		return;
	}
	/* 6: reset_phase (tcpsm.c) stays handshake until both are synchronized. */
	if (v->reset_phase == TC_PHASE_HANDSHAKE) {
		d->cause = TC_CAUSE_HANDSHAKE_ABORT;
		return;
	}
	/* "Unanswered" holds only if the capture lost nothing of the
	 * silence: the answers may be in a hole. */
	if ((e->ka_unanswered > 0 || e->retx_before >= 3) && gap_silent)
		goto lost;
	if (e->ka_unanswered > 0) {
		d->cause = TC_CAUSE_KEEPALIVE_TIMEOUT;
		return;
	}
	/* 5: the sender's RTO backoff ran out (Linux: tcp_retries2), then RST. */
	if (e->retx_before >= 3) {
		d->cause = TC_CAUSE_DEAD_PEER;
		d->idle_ns = e->peer_silent_ns;
		return;
	}
	/* 1, 2: data reached a socket its application had closed. Tested
	 * before no_connection: Linux answers data to an orphaned FIN_WAIT
	 * socket with an RST that looks stateless. The peer's late data is
	 * told by sequence numbers (it stands across a hole); "the RST
	 * answered data" only when nothing was lost after that data. */
	if (e->sender_fin && !e->peer_late_data && e->answered && e->peer_had_data && gap_ans)
		goto lost;
	if (e->sender_fin && (e->peer_late_data || (e->answered && e->peer_had_data))) {
		d->cause = TC_CAUSE_DATA_AFTER_CLOSE;
		/* The evidence: the peer's first payload the closed socket
		 * never acknowledged (however many FINs and bare ACKs came
		 * between it and the RST), the RST, the sender's FIN; the
		 * segment the RST answered if there is room. */
		if (e->peer_late_frame && e->peer_late_frame != e->trigger_frame) {
			memset(d->frames, 0, sizeof(d->frames));
			add_frame(d, e->peer_late_frame);
			add_frame(d, en->frame_rst);
			add_frame(d, se->frame_fin);
			add_frame(d, e->trigger_frame);
		}
		add_frame(d, se->frame_fin);
		/* The race: the server closed an idle connection and the
		 * client's next request was already on its way (it does not
		 * acknowledge the FIN). A client that saw the FIN and wrote
		 * anyway is a plain write-after-close. */
		if (by == TC_SERVER && v->closer == TC_WHO_SERVER &&
		    (c->ep[TC_CLIENT].flags & TC_EP_DATA_CROSSED_FIN))
			d->notes |= TC_DX_KEEPALIVE_RACE;
		return;
	}
	/* 3: shutdown(SHUT_WR), then close() with data still unread: the
	 * socket's RST follows its own FIN, answering nothing. */
	if (e->sender_fin && !e->answered && e->sender_pkts_before > 0 && !stateless && gap_fin)
		goto lost; /* the peer's data may have come between, unseen */
	if (e->sender_fin && !e->answered && e->sender_pkts_before > 0 && !stateless) {
		d->cause = TC_CAUSE_ABORTIVE_CLOSE;
		d->notes |= TC_DX_SHUTDOWN | TC_DX_UNREAD;
		add_frame(d, se->frame_fin);
		return;
	}
	/* 4: nothing else of this connection was captured. */
	if (e->sender_pkts_before == 0 && !e->answered && peer->pkts == 0) {
		d->cause = TC_CAUSE_UNKNOWN;
		d->notes |= TC_DX_LONE_RST;
		return;
	}
	/* A socket's abort carries ACK; an RST without it, at exactly the
	 * sequence number the answered segment acknowledged, is the reply of a
	 * kernel that had no socket for it, whatever its IP ID (rule 7: other
	 * stacks take it from a host-wide counter). */
	if (e->answered && (stateless || kernel_reply(e) || e->sender_pkts_before == 0)) {
		/* Its look says no socket, hole or not; which segment it
		 * answered, after how long, only the capture's whole span says. */
		d->cause = TC_CAUSE_NO_CONNECTION;
		if (gap_ans)
			d->notes |= TC_DX_CAPTURE_LOSS;
		return;
	}
	if (!e->sender_fin) {
		d->cause = TC_CAUSE_ABORTIVE_CLOSE;
		d->data_lost = e->inflight;
		/* Bytes on the wire never acknowledged are lost; so is whatever
		 * was queued behind a peer's zero window (not on the wire, so
		 * its size is unknown: data_lost stays 0). A window never seen
		 * is not a zero window. */
		if (e->inflight || (e->peer_win == 0 && peer->pkts > 0))
			d->notes |= TC_DX_DATA_LOST;
		if (e->unread)
			d->notes |= TC_DX_UNREAD;
		return;
	}
	d->cause = TC_CAUSE_UNKNOWN;
	return;
lost:
	/* The rule that fits needs a span the capture does not hold whole:
	 * say so rather than guess (issue 13). */
	d->cause = TC_CAUSE_UNKNOWN;
	d->notes |= TC_DX_CAPTURE_LOSS;
}

static void diagnose_reset(const struct tc_conn *c, const struct tc_verdict *v,
			   struct tc_diagnosis *d)
{
	struct others o;
	reset_rules(c, v, d, &o);
	/* A forged RST that was ignored is part of the story, cited last. */
	if (d->cause != TC_CAUSE_INJECTED)
		add_frame(d, o.forged_frame);
}

/* No FIN, no RST: did one side talk into silence until the end? */
static void diagnose_silence(const struct tc_conn *c, struct tc_diagnosis *d)
{
	int i;
	/* An unanswered SYN is its own verdict (opened=syn_only). */
	if (c->opened == TC_OPENED_SYN_ONLY)
		return;
	for (i = 0; i < 2; i++) {
		const struct tc_endpoint *s = &c->ep[i], *r = &c->ep[!i];
		if (s->retx_unanswered >= 3 || tc_conn_ext(c)->ep[i].ka_unanswered >= 2) {
			d->cause = TC_CAUSE_DEAD_PEER;
			d->by = (enum tc_role)i;
			d->idle_ns = c->last_ts - (r->t_last ? tc_conn_ts(c, r->t_last) : c->first_ts);
			add_frame(d, c->frame_last);
			return;
		}
	}
}

void tc_diagnose(const struct tc_conn *c, const struct tc_verdict *v, struct tc_diagnosis *d)
{
	memset(d, 0, sizeof(*d));
	d->by = TC_CLIENT;
	if (c->rst_ignored)
		d->notes |= TC_DX_RST_IGNORED;
	if (tc_conn_ext(c)->rst_distinct > 1)
		d->notes |= TC_DX_MULTI_RST;
	if (tc_conn_ext(c)->ep[0].ka_probes || tc_conn_ext(c)->ep[1].ka_probes)
		d->notes |= TC_DX_KEEPALIVE;
	if (v->close == TC_CLOSE_RESET || v->trailing_rst != TC_WHO_NONE)
		diagnose_reset(c, v, d);
	else if (v->close == TC_CLOSE_OPEN || v->close == TC_CLOSE_HALF_CLOSED)
		diagnose_silence(c, d);
}

/* ---- the sentence ------------------------------------------------------ */

static const char *who(int role)
{
	return role == TC_CLIENT ? "client" : "server";
}

/*
 * `*off += snprintf(buf + *off, n - *off, fmt, ...)` for *off < n, for the
 * few conversions the explanations use: %s, %u and %llu written here,
 * %.0f and %.1f through snprintf. An explanation is written for every reset in
 * the JSON and CSV output, and snprintf's general machinery (a stream set
 * up per call, the format parsed in full) cost more than the text itself.
 * What fits is written and terminated; *off grows by the whole length, as
 * with snprintf. The format attribute has the compiler check the
 * arguments against printf's rules, which these follow.
 */
static void text_put(char *buf, size_t n, size_t *off, const char *s, size_t len)
{
	size_t room = n - *off - 1, k = len < room ? len : room;

	memcpy(buf + *off, s, k);
	buf[*off + k] = '\0';
	*off += len;
	if (*off >= n)
		*off = n; /* nothing more fits: the rest only counts */
}

static size_t text_ull(char *d, unsigned long long v)
{
	char t[20];
	size_t k = 0, i;

	do
		t[k++] = (char)('0' + v % 10);
	while ((v /= 10));
	for (i = 0; i < k; i++)
		d[i] = t[k - 1 - i];
	return k;
}

__attribute__((format(__printf__, 4, 5))) static void text_out(char *buf, size_t n, size_t *off,
							       const char *fmt, ...)
{
	char num[400]; /* "%.1f" of the largest double: 311 */
	const char *p = fmt;
	va_list ap;

	va_start(ap, fmt);
	while (*p && *off < n) {
		const char *q = strchr(p, '%');
		size_t len;
		if (!q) {
			text_put(buf, n, off, p, strlen(p));
			break;
		}
		text_put(buf, n, off, p, (size_t)(q - p));
		if (*off >= n)
			break;
		q++;
		if (q[0] == 's') {
			const char *a = va_arg(ap, const char *);
			text_put(buf, n, off, a, strlen(a));
			p = q + 1;
		} else if (q[0] == 'u') {
			len = text_ull(num, va_arg(ap, unsigned));
			text_put(buf, n, off, num, len);
			p = q + 1;
		} else if (q[0] == 'l' && q[1] == 'l' && q[2] == 'u') {
			len = text_ull(num, va_arg(ap, unsigned long long));
			text_put(buf, n, off, num, len);
			p = q + 3;
		} else if (q[0] == '.' && (q[1] == '0' || q[1] == '1') && q[2] == 'f') {
			double v = va_arg(ap, double);
			int r = q[1] == '0' ? snprintf(num, sizeof(num), "%.0f", v)
					    : snprintf(num, sizeof(num), "%.1f", v);
			text_put(buf, n, off, num, r > 0 ? (size_t)r : 0);
			p = q + 3;
		} else {
			/* Any other conversion: snprintf's, from here on. */
			int r;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			r = vsnprintf(buf + *off, n - *off, q - 1, ap);
#pragma GCC diagnostic pop
			*off += r > 0 ? (size_t)r : 0;
			if (*off >= n)
				*off = n;
			break;
		}
	}
	va_end(ap);
}

/* The injection signals, in words; the names are for JSON. */
static void signal_words(const struct tc_diagnosis *d, const struct tc_conn *c, const char *by,
			 char *buf, size_t n)
{
	const struct tc_rst_evidence *e = &tc_conn_ext(c)->rst;
	size_t off = 0;
#define W(...)                                               \
	do {                                                 \
		if (off < n)                                 \
			text_out(buf, n, &off, __VA_ARGS__); \
	} while (0)
	buf[0] = '\0';
	if (d->signals & TC_SIG_TTL)
		W("%sits TTL is %u where the %s's data came with %u", off ? "; " : "", e->ttl, by,
		  (e->xconn & TC_XC_HOST_TTL) ? e->host_ttl : e->ttl_max);
	if (d->signals & TC_SIG_IPID)
		W("%sits IP ID (%u) does not follow the %s's (%u)", off ? "; " : "", e->ip_id, by,
		  e->ip_id_prev);
	if (d->signals & TC_SIG_IPID_RUN)
		W("%sits IP ID follows that of an RST (frame %llu) claiming another host: one box sent both",
		  off ? "; " : "", (unsigned long long)e->xconn_frame);
	if (d->signals & TC_SIG_NO_TS)
		W("%sit lacks the timestamps the %s puts on every segment", off ? "; " : "", by);
	if (d->signals & TC_SIG_TS_BACK)
		W("%sits timestamp is older than the %s's last", off ? "; " : "", by);
	if (d->signals & TC_SIG_WIN_COPIED)
		W("%sits window is copied from the other direction", off ? "; " : "");
	if (d->signals & TC_SIG_SEQ_NOT_EXACT)
		W("%sits sequence number is in the window but not the expected one", off ? "; " : "");
	if (d->signals & TC_SIG_DATA_AFTER_RST)
		W("%sthe %s went on sending after it", off ? "; " : "", by);
	if (d->signals & TC_SIG_BURST)
		W("%sseveral RSTs with different sequence numbers came", off ? "; " : "");
	if (d->signals & TC_SIG_FORGED_TWIN) {
		struct others o;
		scan_others(c, e, d->by, &o);
		W("%sit shares TTL %u and an IP ID run with the RST at another sequence number in frame %llu, %s: one box sent both",
		  off ? "; " : "", e->ttl, (unsigned long long)o.twin_frame,
		  o.twin_burst ? "sent in the same burst" : "rejected as forged");
	}
#undef W
}

/*
 * A forged RST that was ignored: which, why it is forged, and what that
 * says of the RST the endpoints acted on (its sender's own, or the wire
 * cannot tell).
 */
static void forged_words(const struct tc_conn *c, const struct tc_diagnosis *d, char *buf,
			 size_t n, size_t *offp)
{
	const struct tc_rst_evidence *e = &tc_conn_ext(c)->rst;
	struct others o;
	size_t off = *offp;
	int claimed, sep = 0;
	uint16_t step = (uint16_t)(e->ip_id - e->ip_id_prev);
	unsigned long long rst = (unsigned long long)tc_conn_end(c)->frame_rst;
#define W(...)                                               \
	do {                                                 \
		if (off < n)                                 \
			text_out(buf, n, &off, __VA_ARGS__); \
	} while (0)
	scan_others(c, e, d->by, &o);
	claimed = (o.forged_flags & TC_RS_SERVER) ? TC_SERVER : TC_CLIENT;
	/* Short: it follows the cause's own sentence in a 512-byte line. */
	W("; frame %llu ", (unsigned long long)o.forged_frame);
	if (o.forged > 1)
		W("(and %u more) ", o.forged - 1);
	W("was an RST forged in the %s's name (", who(claimed));
	if (o.forged_ttl_off) {
		if (o.forged_own_lo == o.forged_own_hi)
			W("TTL %u, not its %u", o.forged_ttl, o.forged_own_lo);
		else
			W("TTL %u, not its %u-%u", o.forged_ttl, o.forged_own_lo, o.forged_own_hi);
		sep = 1;
	}
	if (o.forged_flags & TC_RS_ID_COPIED)
		W("%sIP ID copied from the %s's", sep ? "; " : "", who(!claimed));
	W("), ignored");
	if (claimed == (int)d->by && rst) {
		if (d->signals & TC_SIG_TTL_MATCH)
			W("; frame %llu has the %s's TTL%s: the %s's own", rst,
			  who(d->by),
			  c->af == 4 && e->ip_id && step >= 1 && step <= 16 ? " and next IP ID" : "",
			  who(d->by));
		else
			W("; whether frame %llu came from the %s or that box, the capture cannot tell",
			  rst, who(d->by));
	}
#undef W
	*offp = off;
}

static const char *phase_words(enum tc_phase p)
{
	switch (p) {
	case TC_PHASE_HANDSHAKE: return "during the handshake";
	case TC_PHASE_ESTABLISHED: return "while the connection was open";
	case TC_PHASE_CLOSING: return "while the connection was closing";
	default: return "";
	}
}

void tc_diag_explain(const struct tc_conn *c, const struct tc_verdict *v,
		     const struct tc_diagnosis *d, char *buf, size_t n)
{
	const struct tc_rst_evidence *e = &tc_conn_ext(c)->rst;
	const char *by = who(d->by), *peer = who(!d->by);
	const struct tc_conn_end *en = tc_conn_end(c);
	unsigned long long rst = (unsigned long long)en->frame_rst;
	unsigned long long fin = (unsigned long long)en->ep[d->by].frame_fin;
	unsigned long long pfin = (unsigned long long)en->ep[!d->by].frame_fin;
	char sig[400];
	size_t off = 0;

	if (n == 0)
		return;
	buf[0] = '\0'; /* no cause, nothing said: still a string */
#define OUT(...)                                             \
	do {                                                 \
		if (off < n)                                 \
			text_out(buf, n, &off, __VA_ARGS__); \
	} while (0)

	if ((d->notes & TC_DX_TRAILING) && d->cause != TC_CAUSE_DATA_AFTER_CLOSE)
		OUT("graceful close (FINs in frames %llu and %llu), then a trailing RST from the %s (harmless, both applications had closed): ",
		    fin < pfin ? fin : pfin, fin < pfin ? pfin : fin, by);
	switch (d->cause) {
	case TC_CAUSE_REFUSED:
		OUT("refused: the SYN was answered by RST (frame %llu): nothing listens on port %u, or a firewall rejects it; check the service and the firewall rules",
		    rst, c->ep[TC_SERVER].port);
		break;
	case TC_CAUSE_ABORTIVE_CLOSE:
		if (d->notes & TC_DX_SHUTDOWN) {
			OUT("the %s shut down its sending side (FIN, frame %llu), then closed the socket with data from the %s still unread, so its kernel sent RST (frame %llu) instead of waiting; ",
			    by, fin, peer, rst);
			if (d->notes & TC_DX_TRAILING)
				OUT("both sides had closed, so nothing was lost but what the %s had not read", by);
			else
				OUT("the %s may see \"connection reset\" and lose data still in flight; fix: have the %s read until end of file before close()",
				    peer, by);
			break;
		}
		OUT("the %s aborted the connection with RST (frame %llu) instead of closing it: SO_LINGER {1,0}, a killed process or abort()",
		    by, rst);
		if (d->notes & TC_DX_UNREAD)
			OUT(", or close() with data from the %s still unread (the %s spoke last)", peer, peer);
		if ((d->notes & TC_DX_DATA_LOST) && d->data_lost)
			OUT("; %u bytes it had sent were never acknowledged (lost)", d->data_lost);
		else if (d->notes & TC_DX_DATA_LOST)
			OUT("; the %s's window was closed (0): data still queued was discarded", peer);
		OUT("; the %s sees \"connection reset by peer\"", peer);
		break;
	case TC_CAUSE_DATA_AFTER_CLOSE:
		if (d->notes & TC_DX_TRAILING) {
			OUT("graceful close (FINs in frames %llu and %llu), then the %s's last data (",
			    fin < pfin ? fin : pfin, fin < pfin ? pfin : fin, peer);
			if (e->peer_late_frame)
				OUT("frame %llu, ", (unsigned long long)e->peer_late_frame);
			OUT("a TLS close_notify, typically) reached the %s's closed socket, which answered with RST (frame %llu): harmless, both applications had closed",
			    by, rst);
			break;
		}
		OUT("the %s wrote to a closed socket: its data ", peer);
		if (e->peer_late_frame)
			OUT("(frame %llu) ", (unsigned long long)e->peer_late_frame);
		else if (e->answered && e->peer_had_data && e->trigger_frame)
			OUT("(frame %llu) ", (unsigned long long)e->trigger_frame);
		OUT("came after the %s's FIN (frame %llu) and was answered by RST (frame %llu); the %s's application sees \"connection reset\" or EPIPE",
		    by, fin, rst, peer);
		if (d->notes & TC_DX_KEEPALIVE_RACE)
			OUT(" -- the keep-alive race: the server closed an idle connection as the client reused it; fix: a client idle timeout shorter than the server's, or retry idempotent requests");
		else
			OUT("; fix: the %s should stop writing once the %s has closed (or the %s should read the %s's last message before close())",
			    peer, by, by, peer);
		break;
	case TC_CAUSE_NO_CONNECTION:
		if (d->notes & TC_DX_CAPTURE_LOSS) {
			OUT("the %s no longer had this connection: its %sRST (frame %llu) answered a segment the capture may have lost (it missed segments just before), so the idle time before it is unknown -- the %s restarted, or a NAT or firewall between forgot the connection; fix: keep-alives more often than the path's idle timeout",
			    by, (d->notes & TC_DX_STATELESS) ? "kernel's stateless " : "", rst, by);
			break;
		}
		OUT("the %s no longer had this connection: its %sRST (frame %llu) answered a segment (frame %llu) after %.1f s idle -- the %s restarted, or a NAT or firewall between forgot the connection; fix: keep-alives more often than the path's idle timeout",
		    by, (d->notes & TC_DX_STATELESS) ? "kernel's stateless " : "", rst,
		    (unsigned long long)e->trigger_frame, (double)d->idle_ns / 1e9, by);
		break;
	case TC_CAUSE_INJECTED:
		signal_words(d, c, by, sig, sizeof(sig));
		OUT("the RST (frame %llu) that claims to come from the %s was most likely forged by a middlebox: %s",
		    rst, by, sig);
		if (e->answered && d->idle_ns >= SEC)
			OUT("; it came after %.1f s idle", (double)d->idle_ns / 1e9);
		OUT("; look for a firewall, IPS or NAT on the path that resets idle or unwanted connections");
		break;
	case TC_CAUSE_KEEPALIVE_TIMEOUT:
		OUT("the %s's keep-alive probes went unanswered (%u); it gave up with RST (frame %llu): the %s vanished (crashed, or the path drops packets)",
		    by, e->ka_unanswered, rst, peer);
		break;
	case TC_CAUSE_HANDSHAKE_ABORT:
		if (c->ep[d->by].flags & TC_EP_FIN_IN_SYN_SENT)
			OUT("the %s gave up on connecting (FIN, frame %llu, sent before the SYN+ACK came) and reset (frame %llu) before the handshake completed",
			    by, fin, rst);
		else if (c->ep[!d->by].flags & TC_EP_FIN_IN_SYN_SENT)
			OUT("the %s gave up on connecting (FIN, frame %llu, sent before the SYN+ACK came); the %s answered with RST (frame %llu): the connection never got established",
			    peer, pfin, by, rst);
		else
			OUT("the %s aborted the handshake with RST (frame %llu) before the connection was established",
			    by, rst);
		break;
	case TC_CAUSE_DEAD_PEER:
		if (rst) {
			OUT("the %s stopped answering: the %s retransmitted %u times into %.1f s of silence, then gave up with RST (frame %llu); the %s crashed or the path drops its packets",
			    peer, by, e->retx_before, (double)d->idle_ns / 1e9, rst, peer);
			break;
		}
		OUT("the %s vanished: the %s's %s went unanswered for %.1f s until the capture ended", peer, by,
		    tc_conn_ext(c)->ep[d->by].ka_unanswered >= 2 ? "keep-alive probes" : "retransmissions",
		    (double)d->idle_ns / 1e9);
		break;
	case TC_CAUSE_UNKNOWN:
		if (d->notes & TC_DX_LONE_RST) {
			OUT("a lone RST (frame %llu) from the %s: nothing else of this connection was captured, so the wire cannot tell why",
			    rst, by);
			break;
		}
		if (d->notes & TC_DX_CAPTURE_LOSS) {
			OUT("the %s sent RST (frame %llu) %s; the capture lost segments just before it (what it answered, or the answers to the %s's last segments), so the wire cannot tell why",
			    by, rst,
			    phase_words(v->reset_phase != TC_PHASE_NONE ? v->reset_phase : TC_PHASE_CLOSING),
			    by);
			break;
		}
		OUT("the %s sent RST (frame %llu) %s; the capture does not show why", by, rst,
		    phase_words(v->reset_phase != TC_PHASE_NONE ? v->reset_phase : TC_PHASE_CLOSING));
		break;
	default:
		break;
	}
	if (d->notes & TC_DX_TWO_TTLS) {
		int r = e->sender_own && (int)e->ttl_max - (int)e->ttl_min >= 2 ? (int)d->by : !d->by;
		uint8_t lo = e->ttl_min, hi = e->ttl_max;
		if (r != (int)d->by)
			own_ttl(c, r, &lo, &hi);
		OUT("; segments claiming to come from the %s arrived with TTLs %u to %u: something else also spoke for it (an injected segment?)",
		    who(r), lo, hi);
	}
	if ((d->notes & TC_DX_FORGED_IGNORED) && d->cause != TC_CAUSE_INJECTED)
		forged_words(c, d, buf, n, &off);
	if (d->notes & TC_DX_IDLE_MATCH)
		OUT(" (%.0f s idle matches the common %u s middlebox idle timeout)", (double)d->idle_ns / 1e9,
		    d->idle_match_s);
	if (d->notes & TC_DX_TEXT)
		OUT("; the RST says \"%s\"", e->text);
#undef OUT
}
