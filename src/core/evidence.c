/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * evidence.c -- facts for the diagnosis, gathered per segment (see evidence.h).
 *
 * Everything here is O(1) per segment and writes fixed-size counters: no
 * list of segments is kept, so a connection's memory does not grow with
 * its length. The heuristics are deliberately simple and documented where
 * they are made; diag.c decides what they add up to.
 */
#include "evidence.h"

#include <string.h>

#include "segment.h"
#include "seq.h"

#define MS 1000000LL

/* The sender's values from before the current segment, for the RST record. */
struct snapshot {
	uint8_t ttl_min, ttl_max, had_ts, answered, peer_had_data, ka_unanswered, retx_unanswered;
	uint16_t ip_id_prev, peer_win, win_prev;
	uint32_t tsval_prev;
	uint32_t pkts_before;
	int64_t gap_before_trigger;
	int64_t response_ns;
	int64_t peer_silent_ns;
	int64_t ts; /* when the RST came */
	uint64_t trigger_frame;
};

/*
 * Is g->p a keep-alive probe (RFC 9293 3.8.4: seq = SND.NXT - 1), by what
 * its sender had sent before it? Linux sends zero bytes at snd_una - 1;
 * BSD-derived stacks one garbage byte there. Either way it lies just below
 * what was sent. A zero-window probe looks the same, but only toward a
 * zero window.
 */
static int is_keepalive(const struct tc_conn *c, const struct tc_seg *g)
{
	const struct tc_endpoint *r = &c->ep[!g->from];
	const struct tc_pkt *p = g->p;
	return (g->before.flags & TC_EP_SEQ) && (p->flags & TC_ACK) && r->win != 0 &&
	       !(p->flags & (TC_SYN | TC_FIN | TC_RST)) && p->payload_len <= 1 &&
	       p->seq + 1 == g->before.snd_nxt;
}

/*
 * Nagle (RFC 896, RFC 9293 3.7.4): a sender with Nagle on never has two
 * sub-MSS segments unacknowledged at once. Two or more in flight means
 * TCP_NODELAY. With Nagle on, a small segment waits for the ACK of the
 * previous one; if the peer delays that ACK (40 ms on Linux, up to 200 ms
 * elsewhere), the small segment leaves right after the late ACK: a stall.
 * So a stall is: the ACK covering the previous small segment came >= 30 ms
 * after it, and the next small segment left within 2 ms of that ACK.
 * Returns whether p was recorded as the sender's latest small segment.
 */
static int nagle(struct tc_conn *c, struct tc_endpoint *s, const struct tc_endpoint *r,
		 const struct tc_pkt *p, int64_t ts)
{
	uint32_t mss = s->mss ? s->mss : r->mss;
	uint32_t now_us = (uint32_t)(ts / 1000);

	if (!mss || p->payload_len == 0 || p->payload_len >= mss || (p->flags & (TC_SYN | TC_RST)))
		return 0;
	if ((r->flags & TC_EP_ACK) && seq_lt(r->ack, p->seq) &&
	    (s->sflags & (TC_SM_SMALL | TC_SM_SMALL_LAST)) == (TC_SM_SMALL | TC_SM_SMALL_LAST)) {
		if (s->small_unacked < 255)
			s->small_unacked++;
	} else {
		s->small_unacked = 1;
	}
	if (s->small_unacked > s->small_unacked_max)
		s->small_unacked_max = s->small_unacked;

	if (s->sflags & TC_SM_SMALL_ACKED) {
		/* Wrapping microseconds: both spans are short when they matter. */
		uint32_t since = now_us - s->small_acked_us;
		uint32_t delay = s->small_acked_us - s->small_sent_us;
		if (since < 2000 && delay >= 30000 && delay < 0x80000000u) {
			struct tc_conn_ext *x = tc_conn_ext_mut(c);
			if (x) {
				struct tc_ext_endpoint *xe = &x->ep[s - c->ep];
				xe->nagle_stalls++;
				xe->nagle_stall_ms += delay / 1000;
			}
		}
	}
	s->small_sent_us = now_us;
	s->small_end = p->seq + p->payload_len;
	s->sflags = (uint8_t)((s->sflags | TC_SM_SMALL) & ~TC_SM_SMALL_ACKED);
	return 1;
}

/* When does the peer first acknowledge our last small segment? */
static void small_acked(struct tc_endpoint *r, const struct tc_pkt *p, int64_t ts)
{
	if ((p->flags & TC_ACK) && (r->sflags & (TC_SM_SMALL | TC_SM_SMALL_ACKED)) == TC_SM_SMALL &&
	    !seq_lt(p->ack, r->small_end)) {
		r->small_acked_us = (uint32_t)(ts / 1000);
		r->sflags |= TC_SM_SMALL_ACKED;
	}
}

/*
 * The Nagle clock wraps every 2^32 us (71.6 min): after half that in
 * silence (gap, the quiet before this segment) its readings could alias,
 * so forget them.
 */
static void clock_wrap(struct tc_endpoint *s, struct tc_endpoint *r, int64_t gap)
{
	if (gap >= ((int64_t)1 << 31) * 1000) {
		s->sflags &= (uint8_t)~(TC_SM_SMALL | TC_SM_SMALL_ACKED);
		r->sflags &= (uint8_t)~(TC_SM_SMALL | TC_SM_SMALL_ACKED);
	}
}

/* Anything `from` sends answers the peer's probes and retransmissions. */
static void answers(struct tc_conn *c, enum tc_role from)
{
	if (c->x && c->x->ep[!from].ka_unanswered) {
		c->x->ep[!from].ka_answered++;
		c->x->ep[!from].ka_unanswered = 0;
	}
	c->ep[!from].retx_unanswered = 0;
}

/* The sub-MSS tracker's share of segment p from s to r; returns nagle()'s. */
static int sub_mss(struct tc_conn *c, struct tc_endpoint *s, struct tc_endpoint *r,
		   const struct tc_pkt *p, int64_t ts)
{
	/* The peer acknowledging all we sent ends any sub-MSS flight. */
	if ((p->flags & TC_ACK) && !seq_lt(p->ack, r->snd_nxt))
		r->small_unacked = 0;
	small_acked(r, p, ts);
	return nagle(c, s, r, p, ts);
}

/* s sent payload at ts; small: it was the sub-MSS segment nagle() kept. */
static void data_sent(struct tc_endpoint *s, int64_t ts, int small)
{
	s->ts_data_last = ts;
	if (small)
		s->sflags |= TC_SM_SMALL_LAST;
	else
		s->sflags &= (uint8_t)~TC_SM_SMALL_LAST;
}

/* The connection's latest segment: who sent it, whether it had payload. */
static void latest(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p)
{
	c->last_from = (uint8_t)from;
	c->last_data = p->payload_len > 0;
}

static void record_rst(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int check,
		       const struct snapshot *snap);

/*
 * The look of the sender's own segments, RSTs left out. Until its first
 * RST the record's TTL range and IP ID are those; from then on an RST
 * claiming it -- possibly forged by a box on the path -- would mix in, so
 * its other segments are followed apart (only then: the extension exists
 * once any RST was seen).
 */
static void own_look(struct tc_conn *c, const struct tc_seg *g)
{
	const struct tc_pkt *p = g->p;
	struct tc_ext_endpoint *xe;

	if (!c->x)
		return;
	xe = &c->x->ep[g->from];
	if (p->flags & TC_RST) {
		if (xe->have & TC_XE_OWN_TRACK)
			return;
		xe->have |= TC_XE_OWN_TRACK;
		if (g->before.pkts > 0) {
			xe->own_ttl_min = g->before.ttl_min;
			xe->own_ttl_max = g->before.ttl_max;
			xe->own_ip_id = g->before.ip_id_last;
			xe->have |= TC_XE_OWN;
		}
		return;
	}
	if (!(xe->have & TC_XE_OWN_TRACK))
		return;
	if (!(xe->have & TC_XE_OWN) || p->ttl < xe->own_ttl_min)
		xe->own_ttl_min = p->ttl;
	if (!(xe->have & TC_XE_OWN) || p->ttl > xe->own_ttl_max)
		xe->own_ttl_max = p->ttl;
	xe->own_ip_id = p->ip_id;
	xe->have |= TC_XE_OWN;
}

/* How an RST sat among its neighbours (TC_RS_*), before c's "latest
 * segment" fields move on to it. */
static uint8_t rst_shape(const struct tc_conn *c, const struct tc_seg *g)
{
	const struct tc_pkt *p = g->p;
	uint8_t f = 0;

	if (g->first)
		return 0;
	if (c->af == 4 && p->ip_id != 0 && c->last_from != (uint8_t)g->from &&
	    p->ip_id == c->ep[!g->from].ip_id_last)
		f |= TC_RS_ID_COPIED;
	if (c->x && c->x->last_rst == 1u + (unsigned)g->from)
		f |= TC_RS_AFTER_OWN_RST;
	return f;
}

/*
 * An RST other than the first accepted one, at a sequence number of its
 * own: rejected (it failed the acceptability check, which changed
 * nothing), or sent after its sender's accepted one. The first
 * TC_RST_OTHERS are kept.
 */
static void record_other(struct tc_conn *c, const struct tc_seg *g, uint8_t shape)
{
	const struct tc_pkt *p = g->p;
	struct tc_conn_ext *x = c->x;
	const uint16_t done = TC_EP_FIN | TC_EP_FIN_ACKED;
	struct tc_rst_other *o;

	if (!x || !g->rst_new)
		return;
	if (x->rst_others < 255)
		x->rst_others++;
	if (x->rst_others > TC_RST_OTHERS)
		return;
	o = &x->other[x->rst_others - 1];
	o->frame = g->frame;
	o->seq = p->seq;
	o->t = tc_conn_rel(c, g->ts_ns);
	o->ip_id = p->ip_id;
	o->ttl = p->ttl;
	o->flags = shape;
	if (g->from == TC_SERVER)
		o->flags |= TC_RS_SERVER;
	/* The state machine ignores an RST after both FINs were acknowledged
	 * and one from a side that had reset already; any other it did not
	 * act on failed the check. */
	if (!(g->before.flags & TC_EP_RST) && !(c->ep[g->from].flags & TC_EP_RST) &&
	    !((c->ep[0].flags & done) == done && (c->ep[1].flags & done) == done))
		o->flags |= TC_RS_REJECTED;
}

void tc_evidence_observe(struct tc_conn *c, const struct tc_seg *g)
{
	const struct tc_pkt *p = g->p;
	enum tc_role from = g->from;
	int64_t ts = g->ts_ns;
	struct tc_endpoint *s = &c->ep[from], *r = &c->ep[!from];
	uint16_t sflags = g->before.flags; /* the sender's TC_EP_* before p */
	int have_prev = !g->first;
	int64_t gap = have_prev ? ts - g->before.last_ts : 0; /* quiet time before p */
	uint32_t seglen = p->payload_len + !!(p->flags & TC_SYN) + !!(p->flags & TC_FIN);
	struct snapshot snapbuf, *snap = &snapbuf;
	uint8_t shape = 0;
	int small;

	own_look(c, g);

	/* The "before" values only an RST's evidence uses: taken for RSTs
	 * alone, since they are a small minority of segments. */
	if (p->flags & TC_RST) {
		const struct tc_ext_endpoint *xs = &tc_conn_ext(c)->ep[from];
		memset(snap, 0, sizeof(*snap));
		snap->ts = ts;
		snap->ttl_min = g->before.ttl_min;
		snap->ttl_max = g->before.ttl_max;
		snap->had_ts = (sflags & TC_EP_TS) != 0;
		snap->ip_id_prev = g->before.ip_id_last;
		snap->tsval_prev = g->before.tsval_last;
		snap->peer_win = r->win;
		snap->win_prev = g->before.win;
		snap->pkts_before = g->before.pkts;
		snap->ka_unanswered = xs->ka_unanswered > 255 ? 255 : (uint8_t)xs->ka_unanswered;
		snap->retx_unanswered = s->retx_unanswered;
		if (r->t_last)
			snap->peer_silent_ns = ts - tc_conn_ts(c, r->t_last);
		if (have_prev) {
			snap->answered = c->last_from != (uint8_t)from;
			snap->peer_had_data = snap->answered && c->last_data;
			snap->gap_before_trigger = c->gap_last;
			snap->response_ns = gap;
			if (snap->answered)
				snap->trigger_frame = g->before.frame_last;
		}
		shape = rst_shape(c, g);
	}

	clock_wrap(s, r, gap);
	if (p->flags & TC_SYN) {
		if (p->opt & TC_OPT_MSS)
			s->mss = p->mss;
	}
	answers(c, from);

	if (is_keepalive(c, g)) {
		struct tc_conn_ext *x = tc_conn_ext_mut(c);
		if (x) {
			struct tc_ext_endpoint *xs = &x->ep[from];
			/* The capture lost segments since the previous probe
			 * (segment.c): an answer may be among them, and the
			 * interval spans a hole. The streak starts again. */
			if (xs->ts_ka_last && x->loss_ts > xs->ts_ka_last) {
				xs->ts_ka_last = 0;
				xs->ka_unanswered = 0;
			}
			if (xs->ts_ka_last)
				xs->ka_interval_ms = (uint32_t)((ts - xs->ts_ka_last) / MS);
			xs->ts_ka_last = ts;
			xs->ka_probes++;
			xs->ka_unanswered++;
		}
	} else if ((sflags & TC_EP_SEQ) && seglen > 0 && !(p->flags & TC_RST) &&
		   !seq_lt(g->before.snd_nxt, p->seq + seglen)) {
		if (s->retx_unanswered < 255)
			s->retx_unanswered++;
	}
	small = sub_mss(c, s, r, p, ts);

	if (p->flags & TC_RST) {
		struct tc_conn_ext *x = tc_conn_ext_mut(c);
		if (x && g->rst_new && x->rst_distinct < 255)
			x->rst_distinct++;
	}
	if (p->payload_len > 0 && !(p->flags & TC_RST)) {
		if (sflags & TC_EP_RST) {
			struct tc_conn_ext *x = tc_conn_ext_mut(c);
			if (x)
				x->data_after_rst = 1;
		}
		data_sent(s, ts, small);
	}
	/* Payload after the peer's FIN (in capture order): remember the
	 * first the peer -- the FIN's sender -- leaves unacknowledged, for
	 * the frame a data_after_close diagnosis cites. */
	if (p->payload_len > 0 && !(p->flags & TC_RST) && (r->flags & TC_EP_FIN)) {
		struct tc_conn_ext *x = tc_conn_ext_mut(c);
		if (x) {
			uint64_t *f = &x->late_data_frame[!from];
			if (!*f || ((r->flags & TC_EP_ACK) && !seq_lt(r->ack, x->late_data_end[!from]))) {
				*f = g->frame;
				x->late_data_end[!from] = p->seq + p->payload_len;
			}
		}
	}
	/* Data sent after the peer's FIN whose ACK does not cover that FIN
	 * left before the FIN arrived: the two crossed (the keep-alive race). */
	if (p->payload_len > 0 && !(p->flags & TC_RST) && (r->flags & TC_EP_FIN) &&
	    !((p->flags & TC_ACK) && !seq_lt(p->ack, tc_conn_end(c)->ep[!from].fin_seq + 1)))
		s->flags |= TC_EP_DATA_CROSSED_FIN;

	if (have_prev)
		c->gap_last = gap;
	latest(c, from, p);

	if (g->rst_first) {
		record_rst(c, from, p, g->rst_check, snap);
		if (c->x)
			c->x->rst.shape = shape;
	} else if (p->flags & TC_RST) {
		record_other(c, g, shape);
	}
	if (c->x)
		c->x->last_rst = (p->flags & TC_RST) ? (uint8_t)(1u + (unsigned)from) : 0;
}

/*
 * What tc_evidence_observe() does for a predicted segment (segment.h):
 * ACK, with or without payload, no SYN, FIN or RST, at its sender's next
 * sequence number, both sides established and neither closed, its sender
 * not followed apart for RSTs (TC_XE_OWN_TRACK). Of its steps only these
 * have anything to do then: no probe, retransmission, RST or FIN is in
 * play.
 */
void tc_evidence_steady(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int64_t ts,
			int64_t gap)
{
	struct tc_endpoint *s = &c->ep[from], *r = &c->ep[!from];
	int small;

	clock_wrap(s, r, gap);
	answers(c, from);
	small = sub_mss(c, s, r, p, ts);
	if (p->payload_len > 0)
		data_sent(s, ts, small);
	c->gap_last = gap;
	latest(c, from, p);
	if (c->x)
		c->x->last_rst = 0;
}

/*
 * The first accepted RST (the state machine said so): what it looked like
 * next to its sender's earlier segments. Its sender's counters include it;
 * the values from before it are in the snapshot.
 */
static void record_rst(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int check,
		       const struct snapshot *snap)
{
	struct tc_conn_ext *x = tc_conn_ext_mut(c);
	struct tc_rst_evidence *e;
	const struct tc_endpoint *s = &c->ep[from], *r = &c->ep[!from];
	uint32_t i, n;

	if (!x)
		return; /* out of memory: the verdict stands, the evidence is lost */
	e = &x->rst;
	e->check = (uint8_t)check;
	e->flags = p->flags;
	e->opt = p->opt;
	e->ttl = p->ttl;
	e->ttl_min = snap->ttl_min;
	e->ttl_max = snap->ttl_max;
	e->ip_id_prev = snap->ip_id_prev;
	e->sender_own = snap->pkts_before > 0;
	if (x->ep[from].have & TC_XE_OWN_TRACK) {
		/* Its own segments' look: an earlier RST claiming it (rejected,
		 * maybe forged) is no sample of the sender. */
		const struct tc_ext_endpoint *xe = &x->ep[from];
		e->sender_own = (xe->have & TC_XE_OWN) != 0;
		e->ttl_min = xe->own_ttl_min;
		e->ttl_max = xe->own_ttl_max;
		e->ip_id_prev = xe->own_ip_id;
	}
	e->answered = snap->answered;
	e->peer_had_data = snap->peer_had_data;
	e->ip_id = p->ip_id;
	e->win = p->win;
	e->peer_win = snap->peer_win;
	e->win_prev = snap->win_prev;
	e->sender_pkts_before = snap->pkts_before > 255 ? 255 : (uint8_t)snap->pkts_before;
	e->sender_had_ts = snap->had_ts;
	e->sender_fin = (s->flags & TC_EP_FIN) != 0;
	e->ka_unanswered = snap->ka_unanswered;
	e->tsval = p->tsval;
	e->tsval_prev = snap->tsval_prev;
	e->idle_before_ns = snap->gap_before_trigger;
	e->response_ns = snap->response_ns;
	e->trigger_frame = snap->trigger_frame;
	e->ts = snap->ts;
	/* Data the sender sent that the peer never acknowledged is lost. */
	if ((s->flags & TC_EP_SEQ) && (r->flags & TC_EP_ACK) && seq_lt(r->ack, s->snd_nxt))
		e->inflight = s->snd_nxt - r->ack - ((s->flags & TC_EP_FIN) ? 1u : 0u);
	/* The peer spoke last: data the sender's application never answered
	 * (close() with unread data makes the kernel send RST, not FIN). */
	e->unread = r->ts_data_last && r->ts_data_last > s->ts_data_last;
	e->retx_before = snap->retx_unanswered;
	e->peer_silent_ns = snap->peer_silent_ns;
	/* The peer's payload the sender never acknowledged (its FIN aside),
	 * and whether the peer sent payload after the sender's FIN: data that
	 * reached a socket already closed, whatever FINs or bare ACKs came
	 * between it and the RST. */
	if ((r->flags & TC_EP_SEQ) && (s->flags & TC_EP_ACK)) {
		uint32_t rfin = tc_conn_end(c)->ep[!from].fin_seq;
		uint32_t end = r->snd_nxt - ((r->flags & TC_EP_FIN) && !seq_lt(r->snd_nxt, rfin + 1) ? 1u : 0u);
		if (seq_lt(s->ack, end))
			e->peer_unacked = end - s->ack;
	}
	e->peer_late_data = e->peer_unacked && (s->flags & TC_EP_FIN) && r->ts_data_last &&
			    (r->ts_data_last >= tc_conn_end(c)->ep[from].ts_fin ||
			     (r->flags & TC_EP_DATA_CROSSED_FIN));
	if (x->late_data_frame[from] && !((s->flags & TC_EP_ACK) && !seq_lt(s->ack, x->late_data_end[from])))
		e->peer_late_frame = x->late_data_frame[from];
	n = p->payload_caplen < TC_RST_TEXT_MAX ? p->payload_caplen : TC_RST_TEXT_MAX;
	e->payload_len = p->payload_len > 0xffff ? 0xffff : (uint16_t)p->payload_len;
	for (i = 0; i < n; i++) {
		uint8_t ch = p->payload[i];
		e->text[i] = (char)(ch >= 0x20 && ch < 0x7f ? ch : '.');
	}
	e->text[n] = '\0';
}
