/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * infer.c -- segments the capture missed, and what it missed (see infer.h).
 *
 * Runs before the state machine on every segment, O(1), and writes only
 * fixed-size counters and the TC_INF_* bits; an inferred FIN goes through
 * tc_sm_infer_fin() so that the endpoint states follow it exactly as they
 * would have followed the segment itself.
 */
#include "infer.h"

#include "tcpsm.h"

/* Initial RTO is 1 s (RFC 6298); 3 s leaves room for a slower stack. */
#define SYN_ANSWERED_NS 3000000000LL

/* A duplicate comes this soon after its original: SPAN copies within
 * microseconds, merged capture points within a link's delay; no stack
 * retransmits sooner than its minimum RTO (200 ms on Linux, RFC 6298 1 s). */
#define DUP_WITHIN_MS 100

/* Beyond this a jump is not a hole in the capture but another stream. */
#define MAX_JUMP (1u << 30)

static int seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

static uint16_t fin_bit(enum tc_role r)
{
	return r == TC_CLIENT ? TC_INF_CLIENT_FIN : TC_INF_SERVER_FIN;
}

static void sat16(uint16_t *v)
{
	if (*v < UINT16_MAX)
		(*v)++;
}

static void add_missed(struct tc_endpoint *e, uint32_t n)
{
	sat16(&e->gaps);
	e->missed = e->missed > UINT32_MAX - n ? UINT32_MAX : e->missed + n;
}

/* A hole in the capture: the Nagle clocks of both sides would measure it. */
static void forget_timing(struct tc_conn *c)
{
	c->ep[0].sflags &= (uint8_t) ~(TC_SM_SMALL | TC_SM_SMALL_ACKED);
	c->ep[1].sflags &= (uint8_t) ~(TC_SM_SMALL | TC_SM_SMALL_ACKED);
}

static void infer_fin(struct tc_conn *c, enum tc_role who, uint32_t fin_seq, int64_t ts)
{
	tc_sm_infer_fin(c, who, fin_seq, ts);
	c->inferred |= fin_bit(who);
}

/* An endpoint's state as if it had not sent its FIN. */
static uint8_t without_own_fin(uint8_t st)
{
	switch (st) {
	case TC_FIN_WAIT_1:
	case TC_FIN_WAIT_2: return TC_ESTABLISHED;
	case TC_CLOSING:
	case TC_TIME_WAIT: return TC_CLOSE_WAIT;
	default: return st;
	}
}

/* An endpoint's state as if it had not received its peer's FIN. */
static uint8_t without_peer_fin(uint8_t st, int own_fin_acked)
{
	switch (st) {
	case TC_CLOSE_WAIT: return TC_ESTABLISHED;
	case TC_LAST_ACK:
	case TC_CLOSING: return TC_FIN_WAIT_1;
	case TC_TIME_WAIT: return own_fin_acked ? TC_FIN_WAIT_2 : TC_FIN_WAIT_1;
	case TC_CLOSED: return own_fin_acked ? TC_FIN_WAIT_2 : TC_CLOSED;
	default: return st;
	}
}

/*
 * The sender of an inferred FIN sends payload or a FIN beyond it: the
 * sequence number the peer acknowledged was a byte of data the capture
 * missed, not a FIN (a FIN is the last thing a side sends). Take the FIN
 * back -- both endpoints' states, the closer -- as if it had never been
 * inferred. Only inferred FINs are taken back,
 * and only before an RST (after one, states are CLOSED and stay so).
 */
static void retract_fin(struct tc_conn *c, enum tc_role who)
{
	struct tc_endpoint *s = &c->ep[who], *r = &c->ep[!who];
	uint8_t me = who == TC_CLIENT ? TC_WHO_CLIENT : TC_WHO_SERVER;
	uint8_t peer = who == TC_CLIENT ? TC_WHO_SERVER : TC_WHO_CLIENT;

	c->inferred &= (uint16_t)~fin_bit(who);
	if (c->reset_by != TC_WHO_NONE)
		return;
	tc_sm_correct_state(s, (enum tc_state)without_own_fin(s->state), c->last_ts);
	tc_sm_correct_state(r, (enum tc_state)without_peer_fin(r->state, (r->flags & TC_EP_FIN_ACKED) != 0),
			    c->last_ts);
	if (s->state != TC_TIME_WAIT)
		s->ts_time_wait = 0;
	if (r->state != TC_TIME_WAIT)
		r->ts_time_wait = 0;
	s->flags &= (uint16_t) ~(TC_EP_FIN | TC_EP_FIN_ACKED);
	s->ts_fin = 0;
	if (c->closer == me || c->closer == TC_WHO_BOTH)
		c->closer = (r->flags & TC_EP_FIN) ? peer : TC_WHO_NONE;
	c->cflags &= (uint8_t) ~(TC_CONN_SIMULTANEOUS | TC_CONN_DONE);
	/* the byte is counted as missed by the jump the segment now shows */
}

/*
 * The same frame again: same IPv4 ID (or, on IPv6, same TSval) as the
 * sender's previous frame, ending where the sender's sequence space ends,
 * acknowledging what it last acknowledged. A retransmission is a new
 * frame: Linux and Windows give it a new IP ID, and a new TSval once a
 * millisecond has passed; a stack that keeps the IP ID retransmits only
 * after its RTO, so the copy must come within DUP_WITHIN_MS. Empty
 * segments on IPv6 are not judged: a
 * repeated ACK there is as likely a duplicate ACK.
 */
static int is_duplicate(const struct tc_conn *c, const struct tc_endpoint *s, const struct tc_pkt *p,
			int64_t ts_ns)
{
	uint32_t seglen = p->payload_len + !!(p->flags & TC_SYN) + !!(p->flags & TC_FIN);

	if (s->pkts == 0 || !(s->flags & TC_EP_SEQ))
		return 0;
	/* A copy follows its original within the capture point's delay; a
	 * stack that reuses the IP ID retransmits only after its RTO. */
	if (tc_conn_rel(c, ts_ns) - s->t_last > DUP_WITHIN_MS)
		return 0;
	if (c->af == 4) {
		if (p->ip_id == 0 || p->ip_id != s->ip_id_last)
			return 0;
	} else {
		if (seglen == 0 || !(p->opt & TC_OPT_TS) || !(s->flags & TC_EP_TS) ||
		    p->tsval != s->tsval_last)
			return 0;
	}
	if ((p->flags & TC_ACK) && (!(s->flags & TC_EP_ACK) || p->ack != s->ack))
		return 0;
	/* A copy repeats what the sender already sent: its SYN, FIN, RST. */
	if (((p->flags & TC_SYN) && !(s->flags & TC_EP_SYN)) ||
	    ((p->flags & TC_FIN) && !(s->flags & TC_EP_FIN)) ||
	    (!(p->flags & TC_SYN) && (s->flags & TC_EP_SYN) && p->seq == s->isn))
		return 0;
	if (p->flags & TC_RST)
		return s->rsts > 0;
	return p->seq + seglen == s->snd_nxt;
}

int tc_infer_segment(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int64_t ts_ns,
		     uint64_t frame)
{
	struct tc_endpoint *s = &c->ep[from], *r = &c->ep[!from];

	if (is_duplicate(c, s, p, ts_ns)) {
		struct tc_conn_ext *x = tc_conn_ext_mut(c);
		if (x)
			sat16(&x->ep[from].dups);
		/* Still a frame of this direction in the capture: the frame
		 * counters say what the file holds (as tshark's do); only the
		 * state machine, the history and the retransmission count do
		 * not see it twice. */
		s->pkts++;
		s->ip_bytes += p->ip_len;
		if ((p->flags & TC_FIN) && s->fins < UINT16_MAX)
			s->fins++;
		if ((p->flags & TC_RST) && s->rsts < UINT16_MAX)
			s->rsts++;
		c->frame_last = frame;
		c->last_ts = ts_ns;
		return TC_INFER_DUPLICATE;
	}

	/* The FIN we inferred arrives after all (reordered): it is observed. */
	if ((p->flags & TC_FIN) && (c->inferred & fin_bit(from)) &&
	    p->seq + p->payload_len + !!(p->flags & TC_SYN) == s->fin_seq) {
		c->inferred &= (uint16_t)~fin_bit(from);
		s->frame_fin = frame;
		/* The inference took it to follow the peer's FIN; its own ACK
		 * field says it left before that FIN arrived: the FINs crossed
		 * (simultaneous close), and the sender is in CLOSING or, its
		 * FIN acknowledged, TIME_WAIT rather than LAST_ACK or CLOSED. */
		if ((r->flags & TC_EP_FIN) && !(c->cflags & TC_CONN_SIMULTANEOUS) &&
		    c->reset_by == TC_WHO_NONE &&
		    !(tc_conn_ext(c)->ep[from].have & TC_XE_FIN_ACKED_BY_FIN) &&
		    !((p->flags & TC_ACK) && !seq_lt(p->ack, r->fin_seq + 1))) {
			c->closer = TC_WHO_BOTH;
			c->cflags |= TC_CONN_SIMULTANEOUS;
			if (s->state == TC_LAST_ACK)
				tc_sm_correct_state(s, TC_CLOSING, ts_ns);
			else if (s->state == TC_CLOSED)
				tc_sm_correct_state(s, TC_TIME_WAIT, ts_ns);
		}
	}

	if ((c->inferred & fin_bit(from)) && !(p->flags & TC_RST) &&
	    (p->payload_len > 0 || (p->flags & TC_FIN)) && !seq_lt(p->seq, s->fin_seq + 1))
		retract_fin(c, from);

	/* The sender's own sequence numbers jumped past what we saw it send. */
	if ((s->flags & TC_EP_SEQ) && !(s->flags & (TC_EP_FIN | TC_EP_RST)) && !(p->flags & TC_SYN) &&
	    seq_lt(s->snd_nxt, p->seq)) {
		uint32_t d = p->seq - s->snd_nxt;
		if (d == 1 && p->payload_len == 0 && !(p->flags & TC_FIN)) {
			/* an empty segment one past its data: a FIN went between */
			infer_fin(c, from, s->snd_nxt, ts_ns);
		} else if (d < MAX_JUMP && !(p->flags & TC_RST)) {
			/* (an RST's sequence number is the RST check's business:
			 * a forged or stray one is not the sender's stream) */
			add_missed(s, d);
			forget_timing(c);
		}
	}

	/* The peer acknowledges more than we saw the sender send. */
	if ((p->flags & TC_ACK) && (r->flags & TC_EP_SEQ) && seq_lt(r->snd_nxt, p->ack) &&
	    (!(s->flags & TC_EP_ACK) || seq_lt(s->ack, p->ack))) {
		uint32_t d = p->ack - r->snd_nxt;
		struct tc_conn_ext *x;
		if (d == 1 && !(r->flags & (TC_EP_FIN | TC_EP_RST))) {
			/* exactly one beyond its data: the FIN it sent */
			infer_fin(c, (enum tc_role) !from, r->snd_nxt, ts_ns);
			/* Acknowledged by the peer's own FIN: whatever order
			 * the capture later shows them in, the peer had its
			 * FIN when it closed, so the FINs did not cross. */
			if ((p->flags & TC_FIN) && (x = tc_conn_ext_mut(c)))
				x->ep[!from].have |= TC_XE_FIN_ACKED_BY_FIN;
		} else if (d < MAX_JUMP && !((r->flags & TC_EP_FIN) && d == 1)) {
			sat16(&r->acks_unseen);
			forget_timing(c);
		}
	}

	/* One-way so far: remember an ACK that moved by exactly one (a FIN's
	 * worth of sequence space from the side we cannot see). An ACK that
	 * moves at all while its peer has sent nothing captured proves that
	 * the capture misses that direction. */
	if (r->pkts == 0 && (p->flags & TC_ACK) && (s->flags & TC_EP_ACK) && p->ack != s->ack) {
		if (p->ack == s->ack + 1) {
			struct tc_conn_ext *x = tc_conn_ext_mut(c);
			if (x) {
				x->ep[from].ack_step1 = p->ack;
				x->ep[from].have |= TC_XE_ACK_STEP1;
			}
		}
		return TC_INFER_ONE_WAY;
	}
	return 0;
}

/* The end of x's sequence space as far as the capture (and inference) know. */
static uint32_t seen_end(const struct tc_endpoint *x)
{
	if ((x->flags & TC_EP_FIN) && seq_lt(x->snd_nxt, x->fin_seq + 1))
		return x->fin_seq + 1;
	return x->snd_nxt;
}

void tc_infer_finish(struct tc_conn *c, int64_t now, int one_way_capture)
{
	int i;

	if ((c->ep[0].pkts == 0) != (c->ep[1].pkts == 0)) {
		enum tc_role seen = c->ep[TC_CLIENT].pkts ? TC_CLIENT : TC_SERVER;
		const struct tc_endpoint *s = &c->ep[seen];
		const struct tc_ext_endpoint *xs = &tc_conn_ext(c)->ep[seen];
		enum tc_role unseen = (enum tc_role) !seen;

		int8_t mark = seen == TC_CLIENT ? TC_ONE_WAY_CLIENT_SEEN : TC_ONE_WAY_SERVER_SEEN;

		/* Only a side that acknowledged something shows that its peer
		 * spoke on a path the capture missed; an unanswered SYN is
		 * one-sided by nature, not by the capture. */
		if (s->flags & TC_EP_ACK)
			c->one_way = (uint8_t)mark;
		/* On a capture proven to miss one direction of some
		 * connections: one SYN, never retransmitted while the capture
		 * ran on past every initial RTO, was answered. An answering SYN+ACK
		 * would have drawn the handshake's ACK; nothing came, so the
		 * answer was RST (a refusal, on the path the capture missed).
		 * Without that proof it is as likely a scanner's probe of a
		 * filtered port, and stays unanswered. */
		if (one_way_capture && seen == TC_CLIENT && s->pkts == 1 && (s->flags & TC_EP_SYN) && !(s->flags & TC_EP_ACK) &&
		    s->state == TC_SYN_SENT && now - c->last_ts >= SYN_ANSWERED_NS) {
			tc_sm_infer_rst(c, unseen, c->last_ts);
			c->inferred |= TC_INF_SERVER_RST;
			c->one_way = (uint8_t)mark;
			return;
		}
		/* The seen side's last ACK advance was one: the unseen side's
		 * FIN, unless more of its data was acknowledged after that. */
		if ((xs->have & TC_XE_ACK_STEP1) && (s->flags & TC_EP_ACK) && xs->ack_step1 == s->ack &&
		    !(c->ep[unseen].flags & (TC_EP_FIN | TC_EP_RST)) && c->reset_by == TC_WHO_NONE) {
			c->ep[unseen].snd_nxt = s->ack - 1;
			infer_fin(c, unseen, s->ack - 1, c->last_ts);
		}
		return;
	}
	/* Data acknowledged at the end that the capture never held. When the
	 * peer closed after acknowledging it, the sender's FIN went with it
	 * (an application that closes after its peer's last ACK sends FIN;
	 * the peer had nothing to wait for). */
	for (i = 0; i < 2; i++) {
		struct tc_endpoint *x = &c->ep[i];
		const struct tc_endpoint *y = &c->ep[!i];
		uint32_t end = seen_end(x), d;

		if (!(x->flags & TC_EP_SEQ) || !(y->flags & TC_EP_ACK) || !seq_lt(end, y->ack))
			continue;
		d = y->ack - end;
		if (d >= MAX_JUMP)
			continue;
		if (!(x->flags & (TC_EP_FIN | TC_EP_RST)) && (y->flags & TC_EP_FIN) &&
		    c->reset_by == TC_WHO_NONE && d > 1) {
			add_missed(x, d - 1);
			infer_fin(c, (enum tc_role)i, y->ack - 1, c->last_ts);
		} else {
			add_missed(x, d);
		}
	}
}
