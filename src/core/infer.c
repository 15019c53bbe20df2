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

#include "segment.h"
#include "tcpsm.h"

/* Initial RTO is 1 s (RFC 6298); 3 s leaves room for a slower stack. */
#define SYN_ANSWERED_NS 3000000000LL

/* A duplicate comes this soon after its original: SPAN copies within
 * microseconds, merged capture points within a link's delay; no stack
 * retransmits sooner than its minimum RTO (200 ms on Linux, RFC 6298 1 s). */
#define DUP_WITHIN_MS 100

/* Beyond this a jump is not a hole in the capture but another stream. */
#define MAX_JUMP (1u << 30)

/* How far past the client's SYN a handshake segment the capture missed may
 * be acknowledged (client data the capture lost too): an ACK from another
 * sequence space (a TIME_WAIT's challenge ACK to a new SYN) falls in it
 * once in 256. */
#define HS_WINDOW (1u << 24)

/* No stack retransmits on its timer sooner (Linux's minimum RTO). */
#define MIN_RTO_MS 200

/* Retransmissions after which a stack that stops may have given up on its
 * own: none gives up this early (Linux tcp_retries2 = 15, Windows
 * TcpMaxDataRetransmissions = 5); from three on, the silence is the
 * dead-peer diagnosis's (diag.c). */
#define RETX_STOP_MAX 2

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

/* A jump of n in who's sequence numbers. Out of memory for the
 * extension that counts it, the hole goes uncounted. */
static void add_missed(struct tc_conn *c, enum tc_role who, uint32_t n)
{
	struct tc_conn_ext *x = tc_conn_ext_mut(c);
	struct tc_ext_endpoint *e;

	if (!x)
		return;
	e = &x->ep[who];
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
	tc_sm_correct_state(c, who, (enum tc_state)without_own_fin(s->state), c->last_ts);
	tc_sm_correct_state(c, tc_peer(who),
			    (enum tc_state)without_peer_fin(r->state, (r->flags & TC_EP_FIN_ACKED) != 0),
			    c->last_ts);
	s->flags &= (uint16_t) ~(TC_EP_FIN | TC_EP_FIN_ACKED);
	if (c->end) {
		c->end->ep[who].ts_fin = 0;
		if (s->state != TC_TIME_WAIT)
			c->end->ep[who].ts_time_wait = 0;
		if (r->state != TC_TIME_WAIT)
			c->end->ep[!who].ts_time_wait = 0;
	}
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
static int is_duplicate(const struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
			int64_t ts_ns)
{
	const struct tc_endpoint *s = &c->ep[from];
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
		return tc_conn_end(c)->ep[from].rsts > 0;
	return p->seq + seglen == s->snd_nxt;
}

/*
 * Handshake segments the capture missed, implied by the segment now
 * coming. The states are corrected as the missing segment would have
 * moved them; the SYN's options (window scale) stay unknown, so the
 * endpoint is not marked as having sent a SYN (TC_EP_SYN), and the RST
 * check keeps treating its window as unknown.
 */
static void infer_handshake(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
			    int64_t ts_ns)
{
	struct tc_endpoint *cl = &c->ep[TC_CLIENT], *sv = &c->ep[TC_SERVER];
	uint8_t f = p->flags;

	if (f & TC_RST)
		return;
	/* The client's SYN arrives after all (reordered): it is observed. */
	if (from == TC_CLIENT && (f & (TC_SYN | TC_ACK)) == TC_SYN) {
		c->inferred &= (uint16_t)~TC_INF_CLIENT_SYN;
		return;
	}
	/* The SYN+ACK arrives after all. */
	if (from == TC_SERVER && (f & (TC_SYN | TC_ACK)) == (TC_SYN | TC_ACK)) {
		if (c->inferred & TC_INF_SERVER_SYN_ACK) {
			c->inferred &= (uint16_t)~TC_INF_SERVER_SYN_ACK;
			return;
		}
		/* The connection's first segment is a SYN+ACK: its ACK field
		 * acknowledges the client's ISN, so that SYN was sent. */
		if (cl->pkts == 0 && sv->pkts == 0 && !(cl->flags & TC_EP_SYN) &&
		    c->opened == TC_OPENED_MIDSTREAM && cl->state == TC_SYN_SENT) {
			c->opened = TC_OPENED_HANDSHAKE;
			c->inferred |= TC_INF_CLIENT_SYN;
		}
		return;
	}
	if (f & TC_SYN)
		return;
	if (c->reset_by != TC_WHO_NONE)
		return;

	/* The client's SYN was seen and nothing answered it in the capture,
	 * yet a segment carries an ACK only a SYN+ACK makes possible: the
	 * client's (a client in SYN_SENT acknowledges nothing), or the
	 * server's acknowledging the client's SYN (a server answers a SYN
	 * with a SYN+ACK first). A FIN from the client is left out: the
	 * state machine reads it as a connect() given up (tcpsm.c). */
	if ((cl->flags & TC_EP_SYN) && !(cl->flags & TC_EP_SYN_ACKED) &&
	    !(c->cflags & TC_CONN_SYNACK_SEEN) && cl->state == TC_SYN_SENT &&
	    !(sv->flags & (TC_EP_SYN | TC_EP_FIN | TC_EP_RST)) && (f & TC_ACK)) {
		/* (A bare ACK from the server must acknowledge the SYN
		 * exactly: beyond it only data, which the client sends
		 * with an ACK of its own, could be acknowledged.) */
		int by_client = from == TC_CLIENT && !(f & TC_FIN) &&
				!seq_lt(p->seq, cl->isn + 1) && p->seq - (cl->isn + 1) < HS_WINDOW;
		int by_server = from == TC_SERVER && !seq_lt(p->ack, cl->isn + 1) &&
				p->ack - (cl->isn + 1) < HS_WINDOW &&
				(p->payload_len > 0 || (f & TC_FIN) || p->ack == cl->isn + 1);
		int server_open;

		if (!by_client && !by_server)
			return;
		c->cflags |= TC_CONN_SYNACK_SEEN;
		if (c->opened == TC_OPENED_SYN_ONLY)
			c->opened = TC_OPENED_HANDSHAKE;
		c->inferred |= TC_INF_SERVER_SYN_ACK;
		cl->flags |= TC_EP_SYN_ACKED;
		tc_sm_correct_state(c, TC_CLIENT, TC_ESTABLISHED, ts_ns);
		/* The server is established once the client's ACK came: this
		 * one, or the one its own data or FIN implies (not with data
		 * in the SYN: a TCP Fast Open server sends before the ACK). */
		server_open = by_client || ((p->payload_len > 0 || (f & TC_FIN)) &&
					    cl->snd_nxt == cl->isn + 1);
		if (by_server && server_open)
			c->inferred |= TC_INF_CLIENT_ACK;
		tc_sm_correct_state(c, TC_SERVER, server_open ? TC_ESTABLISHED : TC_SYN_RECEIVED, ts_ns);
		return;
	}
	/* A server whose SYN+ACK was inferred is established by the client's
	 * next ACK (the state machine cannot tell: it saw no SYN+ACK). */
	if (from == TC_CLIENT && (f & TC_ACK) && (c->inferred & TC_INF_SERVER_SYN_ACK) &&
	    sv->state == TC_SYN_RECEIVED && !(sv->flags & TC_EP_SYN)) {
		tc_sm_correct_state(c, TC_SERVER, TC_ESTABLISHED, ts_ns);
		return;
	}
	/* The handshake's final ACK: the server, its SYN+ACK unacknowledged
	 * in the capture, sends data or its FIN, or acknowledges client data
	 * the capture missed. A server sends only once the handshake is
	 * complete (accept() returns then), except with TCP Fast Open, whose
	 * SYN carries data: not when the client's SYN did. */
	if (from == TC_SERVER && (sv->flags & TC_EP_SYN) && !(sv->flags & TC_EP_SYN_ACKED) &&
	    sv->state == TC_SYN_RECEIVED && (cl->flags & TC_EP_SYN) && cl->snd_nxt == cl->isn + 1 &&
	    (p->payload_len > 0 || (f & TC_FIN) ||
	     ((f & TC_ACK) && seq_lt(cl->snd_nxt, p->ack) && p->ack - cl->snd_nxt < HS_WINDOW))) {
		sv->flags |= TC_EP_SYN_ACKED;
		tc_sm_correct_state(c, TC_SERVER, TC_ESTABLISHED, ts_ns);
		c->inferred |= TC_INF_CLIENT_ACK;
	}
}

/*
 * Is p a retransmission on the sender's timer: repeated sequence space
 * (not a keep-alive probe), at least a minimum RTO after its previous
 * segment? (A reordered segment also repeats sequence space, but comes
 * within microseconds.)
 */
static int timer_retx(const struct tc_conn *c, const struct tc_endpoint *s, const struct tc_pkt *p,
		      int64_t ts_ns)
{
	uint32_t seglen = p->payload_len + !!(p->flags & TC_FIN);

	if (!(s->flags & TC_EP_SEQ) || s->pkts == 0 || seglen == 0 ||
	    (p->flags & (TC_SYN | TC_RST)) || seq_lt(s->snd_nxt, p->seq + seglen))
		return 0;
	if (p->payload_len <= 1 && !(p->flags & TC_FIN) && p->seq + 1 == s->snd_nxt)
		return 0; /* a keep-alive probe */
	return tc_conn_rel(c, ts_ns) - s->t_last >= MIN_RTO_MS;
}

int tc_infer_segment(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int64_t ts_ns,
		     uint64_t frame)
{
	struct tc_endpoint *s = &c->ep[from], *r = &c->ep[!from];

	if (c->x)
		c->x->gap_now = 0;
	if (is_duplicate(c, from, p, ts_ns)) {
		struct tc_conn_ext *x = tc_conn_ext_mut(c);
		if (x)
			sat16(&x->ep[from].dups);
		/* Still a frame of this direction in the capture: the frame
		 * counters say what the file holds (as tshark's do); only the
		 * state machine, the history and the retransmission count do
		 * not see it twice. */
		s->pkts++;
		tc_ep_add_bytes(c, from, 0, p->ip_len);
		if (p->flags & (TC_FIN | TC_RST))
			tc_segment_count_fin_rst(c, from, p->flags);
		c->frame_last = frame;
		c->last_ts = ts_ns;
		return TC_INFER_DUPLICATE;
	}

	/* The FIN we inferred arrives after all (reordered): it is observed. */
	if ((p->flags & TC_FIN) && (c->inferred & fin_bit(from)) &&
	    p->seq + p->payload_len + !!(p->flags & TC_SYN) == tc_conn_end(c)->ep[from].fin_seq) {
		struct tc_conn_end *en = tc_conn_end_mut(c);
		c->inferred &= (uint16_t)~fin_bit(from);
		if (en)
			en->ep[from].frame_fin = frame;
		/* The inference took it to follow the peer's FIN; its own ACK
		 * field says it left before that FIN arrived: the FINs crossed
		 * (simultaneous close), and the sender is in CLOSING or, its
		 * FIN acknowledged, TIME_WAIT rather than LAST_ACK or CLOSED. */
		if ((r->flags & TC_EP_FIN) && !(c->cflags & TC_CONN_SIMULTANEOUS) &&
		    c->reset_by == TC_WHO_NONE &&
		    !(tc_conn_ext(c)->ep[from].have & TC_XE_FIN_ACKED_BY_FIN) &&
		    !((p->flags & TC_ACK) && !seq_lt(p->ack, tc_conn_end(c)->ep[!from].fin_seq + 1))) {
			c->closer = TC_WHO_BOTH;
			c->cflags |= TC_CONN_SIMULTANEOUS;
			if (s->state == TC_LAST_ACK)
				tc_sm_correct_state(c, from, TC_CLOSING, ts_ns);
			else if (s->state == TC_CLOSED)
				tc_sm_correct_state(c, from, TC_TIME_WAIT, ts_ns);
		}
	}

	if ((c->inferred & fin_bit(from)) && !(p->flags & TC_RST) &&
	    (p->payload_len > 0 || (p->flags & TC_FIN)) &&
	    !seq_lt(p->seq, tc_conn_end(c)->ep[from].fin_seq + 1))
		retract_fin(c, from);

	infer_handshake(c, from, p, ts_ns);
	if (timer_retx(c, s, p, ts_ns)) {
		struct tc_conn_ext *x = tc_conn_ext_mut(c);
		if (x) {
			s->iflags |= TC_IE_LAST_RETX;
			x->ep[from].retx_gap_ms = tc_conn_rel(c, ts_ns) - s->t_last;
		}
	} else {
		s->iflags &= (uint8_t)~TC_IE_LAST_RETX;
	}

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
			struct tc_conn_ext *x = tc_conn_ext_mut(c);
			add_missed(c, from, d);
			forget_timing(c);
			/* A hole the peer has not acknowledged past yet (what
			 * it did acknowledge was a gap when it did). */
			uint32_t from_seq = s->snd_nxt;
			if ((r->flags & TC_EP_ACK) && seq_lt(from_seq, r->ack))
				from_seq = r->ack;
			if (x && seq_lt(from_seq, p->seq)) {
				struct tc_ext_endpoint *xs = &x->ep[from];
				if (!(xs->have & TC_XE_HOLE)) {
					xs->hole_seq = from_seq;
					xs->have |= TC_XE_HOLE;
				}
				if (xs->holes < UINT8_MAX)
					xs->holes++;
			}
		}
	}

	/* Zeek's content gaps in the peer's data: this ACK passes the start
	 * of a hole in it, or bytes beyond all it was seen sending. */
	if ((p->flags & TC_ACK) && !(p->flags & TC_RST) && c->x &&
	    (c->x->ep[!from].have & TC_XE_HOLE) && seq_lt(c->x->ep[!from].hole_seq, p->ack) &&
	    p->ack - c->x->ep[!from].hole_seq < MAX_JUMP) {
		struct tc_ext_endpoint *xr = &c->x->ep[!from];
		c->x->gap_now = xr->holes;
		xr->holes = 0;
		xr->have &= (uint8_t)~TC_XE_HOLE;
	}

	/* The peer acknowledges more than we saw the sender send. */
	if ((p->flags & TC_ACK) && (r->flags & TC_EP_SEQ) && seq_lt(r->snd_nxt, p->ack) &&
	    (!(s->flags & TC_EP_ACK) || seq_lt(s->ack, p->ack))) {
		uint32_t d = p->ack - r->snd_nxt;
		struct tc_conn_ext *x;
		/* (Zeek: a gap, unless it is the ACK of a FIN it saw) */
		int zgap = d < MAX_JUMP && !((r->flags & TC_EP_FIN) && d == 1) && !(p->flags & TC_RST);
		if (d == 1 && !(r->flags & (TC_EP_FIN | TC_EP_RST))) {
			/* exactly one beyond its data: the FIN it sent */
			infer_fin(c, (enum tc_role) !from, r->snd_nxt, ts_ns);
			/* Acknowledged by the peer's own FIN: whatever order
			 * the capture later shows them in, the peer had its
			 * FIN when it closed, so the FINs did not cross. */
			if ((p->flags & TC_FIN) && (x = tc_conn_ext_mut(c)))
				x->ep[!from].have |= TC_XE_FIN_ACKED_BY_FIN;
		} else if (d < MAX_JUMP && !((r->flags & TC_EP_FIN) && d == 1)) {
			/* (out of memory for the extension, it goes uncounted) */
			if ((x = tc_conn_ext_mut(c)))
				sat16(&x->ep[!from].acks_unseen);
			forget_timing(c);
		}
		if (zgap && (x = tc_conn_ext_mut(c)) && x->gap_now < UINT8_MAX)
			x->gap_now++;
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

/* The end of side i's sequence space as far as the capture (and inference) know. */
static uint32_t seen_end(const struct tc_conn *c, int i)
{
	const struct tc_endpoint *x = &c->ep[i];
	uint32_t fin_seq = tc_conn_end(c)->ep[i].fin_seq;
	if ((x->flags & TC_EP_FIN) && seq_lt(x->snd_nxt, fin_seq + 1))
		return fin_seq + 1;
	return x->snd_nxt;
}

/*
 * The peer's retransmissions going unanswered by a host that had been
 * answering, and then stopping. A sender retransmits on its timer, each
 * time after twice the interval before (RFC 6298 5.5), until the peer
 * answers or it gives up -- after 5 (Windows) to 15 (Linux) tries. One
 * that stops after one or two, while the capture runs on for three more
 * intervals, was told to stop: its peer, which had no connection any
 * more, answered the retransmission with an RST that the capture missed
 * (an ACK would have been followed by more of the sender's data, its
 * FIN, or an ACK of its own). Not when the silent side had closed (its
 * FIN), never spoke (a one-way capture), or when three or more
 * retransmissions went unanswered: that is the dead-peer diagnosis's
 * (a host that stopped answering at all).
 */
static void infer_rst_from_stop(struct tc_conn *c, int64_t now)
{
	enum tc_role b = (enum tc_role)c->last_from, a = (enum tc_role) !b;
	const struct tc_endpoint *sb = &c->ep[b], *sa = &c->ep[a];
	int64_t interval;

	if (c->reset_by != TC_WHO_NONE || (c->cflags & TC_CONN_DONE) || !c->x)
		return;
	if (!(sb->iflags & TC_IE_LAST_RETX) || sb->retx_unanswered == 0 ||
	    sb->retx_unanswered > RETX_STOP_MAX || (sb->flags & TC_EP_RST))
		return;
	if (sa->pkts == 0 || !(sa->flags & TC_EP_ACK) || (sa->flags & (TC_EP_FIN | TC_EP_RST)))
		return;
	interval = (int64_t)c->x->ep[b].retx_gap_ms * 1000000;
	if (interval < (int64_t)MIN_RTO_MS * 1000000 || now - c->last_ts < 3 * interval)
		return;
	tc_sm_infer_rst(c, a, c->last_ts);
	if (c->reset_by != TC_WHO_NONE)
		c->inferred |= a == TC_CLIENT ? TC_INF_CLIENT_RST : TC_INF_SERVER_RST;
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
		uint32_t end = seen_end(c, i), d;

		if (!(x->flags & TC_EP_SEQ) || !(y->flags & TC_EP_ACK) || !seq_lt(end, y->ack))
			continue;
		d = y->ack - end;
		if (d >= MAX_JUMP)
			continue;
		if (!(x->flags & (TC_EP_FIN | TC_EP_RST)) && (y->flags & TC_EP_FIN) &&
		    c->reset_by == TC_WHO_NONE && d > 1) {
			add_missed(c, (enum tc_role)i, d - 1);
			infer_fin(c, (enum tc_role)i, y->ack - 1, c->last_ts);
		} else {
			add_missed(c, (enum tc_role)i, d);
		}
	}
	infer_rst_from_stop(c, now);
}
