/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcpsm.c -- per-endpoint TCP state machine, inferred from observed segments.
 *
 * The module has two halves. tc_sm_next() is the transition function of
 * RFC 9293 section 3.3.2 (figure 5), restated per endpoint: one handler per
 * state, each a switch over the events that state reacts to. It is pure and
 * it is the only place where a state changes meaning.
 *
 * tc_sm_observe() is the observer, the state machine's step of the
 * per-segment pass (segment.h): it turns one captured segment into events
 * for its sender and its receiver, in the order RFC 9293 section 3.10.7.4
 * processes a segment (RST, then SYN, then ACK, then FIN), so that a FIN
 * that also acknowledges the peer's FIN first moves the peer from FIN_WAIT_1
 * to FIN_WAIT_2 and then to TIME_WAIT. Every state change goes through
 * one setter, enter(), which keeps the state left (tc_endpoint.state_prev)
 * and runs the on-enter hook (entering TIME_WAIT stamps its time).
 *
 * The observer assumes that what it sees is delivered. When a later segment
 * proves otherwise -- a FIN whose ACK field does not cover the peer's FIN
 * was sent before that FIN arrived -- the event says so
 * (TC_EV_SEND_FIN_CROSSED) rather than rewriting history.
 *
 * Not here: the counters (segment.c), what the verdict is (classify.c), the
 * Zeek history letters (history.c), the facts behind a diagnosis
 * (evidence.c), why an RST happened (diag.c).
 */
#include "tcpsm.h"

#include <string.h>

#include "segment.h"
#include "seq.h"

static const char *const event_names[TC_EV__COUNT] = {
	[TC_EV_SEND_SYN] = "send SYN",
	[TC_EV_SEND_SYN_ACK] = "send SYN+ACK",
	[TC_EV_RECV_SYN] = "receive SYN",
	[TC_EV_RECV_SYN_ACK] = "receive SYN+ACK",
	[TC_EV_RECV_ACK_OF_SYN] = "receive ACK of SYN",
	[TC_EV_SEND_FIN] = "send FIN",
	[TC_EV_SEND_FIN_CROSSED] = "send FIN (crossed)",
	[TC_EV_RECV_FIN] = "receive FIN",
	[TC_EV_RECV_ACK_OF_FIN] = "receive ACK of FIN",
	[TC_EV_SEND_RST] = "send RST",
	[TC_EV_RECV_RST] = "receive RST",
};

const char *tc_event_name(enum tc_event ev)
{
	return (unsigned)ev < TC_EV__COUNT ? event_names[ev] : "?";
}

/* ---- the transition function: one handler per state ------------------- */

static enum tc_state on_closed(enum tc_event ev)
{
	switch (ev) {
	case TC_EV_SEND_SYN: return TC_SYN_SENT;
	case TC_EV_SEND_SYN_ACK: return TC_SYN_RECEIVED;
	default: return TC_CLOSED;
	}
}

static enum tc_state on_listen(enum tc_event ev)
{
	switch (ev) {
	case TC_EV_SEND_SYN_ACK: return TC_SYN_RECEIVED;
	case TC_EV_SEND_SYN: return TC_SYN_SENT;
	default: return TC_LISTEN;
	}
}

static enum tc_state on_syn_sent(enum tc_event ev)
{
	switch (ev) {
	case TC_EV_RECV_SYN_ACK: return TC_ESTABLISHED;
	/* Simultaneous open (RFC 9293 figure 8). */
	case TC_EV_RECV_SYN:
	case TC_EV_SEND_SYN_ACK: return TC_SYN_RECEIVED;
	/* Not sent by a conforming stack (close() in SYN_SENT just deletes the
	 * TCB), but if it is on the wire the sender has begun closing. */
	case TC_EV_SEND_FIN:
	case TC_EV_SEND_FIN_CROSSED: return TC_FIN_WAIT_1;
	case TC_EV_SEND_RST:
	case TC_EV_RECV_RST: return TC_CLOSED;
	default: return TC_SYN_SENT;
	}
}

static enum tc_state on_syn_received(enum tc_event ev)
{
	switch (ev) {
	case TC_EV_RECV_ACK_OF_SYN:
	case TC_EV_RECV_SYN_ACK: return TC_ESTABLISHED;
	case TC_EV_SEND_FIN:
	case TC_EV_SEND_FIN_CROSSED: return TC_FIN_WAIT_1;
	case TC_EV_RECV_FIN: return TC_CLOSE_WAIT;
	case TC_EV_SEND_RST:
	case TC_EV_RECV_RST: return TC_CLOSED;
	default: return TC_SYN_RECEIVED;
	}
}

static enum tc_state on_established(enum tc_event ev)
{
	switch (ev) {
	case TC_EV_SEND_FIN:
	case TC_EV_SEND_FIN_CROSSED: return TC_FIN_WAIT_1;
	case TC_EV_RECV_FIN: return TC_CLOSE_WAIT;
	case TC_EV_SEND_RST:
	case TC_EV_RECV_RST: return TC_CLOSED;
	default: return TC_ESTABLISHED;
	}
}

static enum tc_state on_fin_wait_1(enum tc_event ev)
{
	switch (ev) {
	case TC_EV_RECV_ACK_OF_FIN: return TC_FIN_WAIT_2;
	/* The peer's FIN without an ACK of ours: the FINs crossed. */
	case TC_EV_RECV_FIN: return TC_CLOSING;
	case TC_EV_SEND_RST:
	case TC_EV_RECV_RST: return TC_CLOSED;
	default: return TC_FIN_WAIT_1;
	}
}

static enum tc_state on_fin_wait_2(enum tc_event ev)
{
	switch (ev) {
	case TC_EV_RECV_FIN: return TC_TIME_WAIT;
	case TC_EV_SEND_RST:
	case TC_EV_RECV_RST: return TC_CLOSED;
	default: return TC_FIN_WAIT_2;
	}
}

static enum tc_state on_closing(enum tc_event ev)
{
	switch (ev) {
	case TC_EV_RECV_ACK_OF_FIN: return TC_TIME_WAIT;
	case TC_EV_SEND_RST:
	case TC_EV_RECV_RST: return TC_CLOSED;
	default: return TC_CLOSING;
	}
}

static enum tc_state on_time_wait(enum tc_event ev)
{
	switch (ev) {
	/* Linux (tcp_rfc1337 = 0, the default) lets an RST end TIME_WAIT
	 * early; RFC 1337 recommends ignoring it. We follow what is deployed. */
	case TC_EV_SEND_RST:
	case TC_EV_RECV_RST: return TC_CLOSED;
	default: return TC_TIME_WAIT;
	}
}

static enum tc_state on_close_wait(enum tc_event ev)
{
	switch (ev) {
	case TC_EV_SEND_FIN: return TC_LAST_ACK;
	/* Our FIN left before the peer's arrived: we were really in
	 * FIN_WAIT_1 when it came, which makes this CLOSING. */
	case TC_EV_SEND_FIN_CROSSED: return TC_CLOSING;
	case TC_EV_SEND_RST:
	case TC_EV_RECV_RST: return TC_CLOSED;
	default: return TC_CLOSE_WAIT;
	}
}

static enum tc_state on_last_ack(enum tc_event ev)
{
	switch (ev) {
	case TC_EV_RECV_ACK_OF_FIN:
	case TC_EV_SEND_RST:
	case TC_EV_RECV_RST: return TC_CLOSED;
	default: return TC_LAST_ACK;
	}
}

enum tc_state tc_sm_next(enum tc_state s, enum tc_event ev)
{
	switch (s) {
	case TC_CLOSED: return on_closed(ev);
	case TC_LISTEN: return on_listen(ev);
	case TC_SYN_SENT: return on_syn_sent(ev);
	case TC_SYN_RECEIVED: return on_syn_received(ev);
	case TC_ESTABLISHED: return on_established(ev);
	case TC_FIN_WAIT_1: return on_fin_wait_1(ev);
	case TC_FIN_WAIT_2: return on_fin_wait_2(ev);
	case TC_CLOSING: return on_closing(ev);
	case TC_TIME_WAIT: return on_time_wait(ev);
	case TC_CLOSE_WAIT: return on_close_wait(ev);
	case TC_LAST_ACK: return on_last_ack(ev);
	default: return s;
	}
}

/* ---- the one setter ------------------------------------------------------ */

/*
 * What entering a state does besides changing it: entering TIME_WAIT
 * stamps when (the TIME_WAIT accounting and reuse detection measure from
 * it). The first entry counts: a TIME_WAIT restored after a tentative RST
 * was undone keeps its time.
 */
static void on_enter(struct tc_conn *c, enum tc_role who, enum tc_state to, int64_t ts_ns)
{
	if (to == TC_TIME_WAIT) {
		/* The time is kept with the FINs, in the end record (a side
		 * in TIME_WAIT sent one, so it is there already). Out of
		 * memory, the time is lost: TIME_WAIT is not counted for it. */
		struct tc_conn_end *en = tc_conn_end_mut(c);
		if (en && !en->ep[who].ts_time_wait)
			en->ep[who].ts_time_wait = ts_ns;
	}
}

/*
 * Every state change of an endpoint goes through here: it keeps the state
 * left in state_prev and runs the on-enter hook. (tc_sm_init() picks the
 * starting state of a fresh record; that is not a change.)
 */
static void enter(struct tc_conn *c, enum tc_role who, enum tc_state to, int64_t ts_ns)
{
	struct tc_endpoint *ep = &c->ep[who];

	if ((enum tc_state)ep->state == to)
		return;
	ep->state_prev = ep->state;
	ep->state = (uint8_t)to;
	on_enter(c, who, to, ts_ns);
}

/*
 * A state the inference (infer.c) corrects to, when a segment the capture
 * missed turns up, or an inferred one proves wrong: through the setter, so
 * the state left is kept and the on-enter hook runs.
 */
void tc_sm_correct_state(struct tc_conn *c, enum tc_role who, enum tc_state to, int64_t ts_ns)
{
	enter(c, who, to, ts_ns);
}

/* An event for one endpoint: the transition function says where it goes. */
static void set_state(struct tc_conn *c, enum tc_role who, enum tc_event ev, int64_t ts_ns)
{
	enter(c, who, tc_sm_next((enum tc_state)c->ep[who].state, ev), ts_ns);
}

/* ---- roles --------------------------------------------------------------- */

static int addr_port_cmp(const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
	int r = memcmp(a, b, 16);
	if (r)
		return r;
	return (pa > pb) - (pa < pb);
}

enum tc_role tc_sm_init(struct tc_conn *c, const struct tc_pkt *p)
{
	enum tc_role sender;

	memset(c, 0, sizeof(*c));
	c->af = p->af;

	if ((p->flags & TC_SYN) && !(p->flags & TC_RST)) {
		/* SYN: the sender opens. SYN+ACK: the receiver opened it. */
		sender = (p->flags & TC_ACK) ? TC_SERVER : TC_CLIENT;
	} else {
		int s_wk = p->sport < 1024, d_wk = p->dport < 1024;
		if (s_wk != d_wk)
			sender = s_wk ? TC_SERVER : TC_CLIENT;
		else if (p->sport != p->dport)
			sender = p->sport < p->dport ? TC_SERVER : TC_CLIENT;
		else
			sender = TC_CLIENT;
	}
	if (sender != TC_CLIENT)
		c->cflags |= TC_CONN_FLIPPED;

	memcpy(c->ep[sender].addr, p->src, 16);
	c->ep[sender].port = p->sport;
	memcpy(c->ep[!sender].addr, p->dst, 16);
	c->ep[!sender].port = p->dport;

	if (!(p->flags & TC_SYN)) {
		/* Picked up mid-stream: whatever came before, it was open. */
		c->ep[TC_CLIENT].state = TC_ESTABLISHED;
		c->ep[TC_SERVER].state = TC_ESTABLISHED;
		c->opened = TC_OPENED_MIDSTREAM;
	} else if (p->flags & TC_ACK) {
		/* The client's SYN was missed; it is waiting for this answer. */
		c->ep[TC_CLIENT].state = TC_SYN_SENT;
		c->opened = TC_OPENED_MIDSTREAM;
	} else {
		c->opened = TC_OPENED_SYN_ONLY;
	}
	return sender;
}

enum tc_role tc_sm_role_of(const struct tc_conn *c, const struct tc_pkt *p)
{
	const struct tc_endpoint *cl = &c->ep[TC_CLIENT];
	return addr_port_cmp(p->src, p->sport, cl->addr, cl->port) == 0 ? TC_CLIENT
									  : TC_SERVER;
}

int tc_sm_is_new_syn(const struct tc_conn *c, enum tc_role from, const struct tc_pkt *p)
{
	const struct tc_endpoint *s = &c->ep[from], *r = &c->ep[!from];

	if ((p->flags & (TC_SYN | TC_ACK | TC_RST)) != TC_SYN)
		return 0;
	if (s->flags & TC_EP_SYN)
		return p->seq != s->isn; /* same ISN: a retransmitted SYN */
	/* Picked up at the SYN+ACK, and this is the SYN it answered, captured
	 * late (reordered, or two capture points merged). */
	if ((r->flags & TC_EP_SYN) && (r->flags & TC_EP_ACK) && p->seq + 1 == r->ack)
		return 0;
	/* The peer's SYN is still unanswered: a simultaneous open. */
	if ((r->flags & TC_EP_SYN) && r->state == TC_SYN_SENT)
		return 0;
	return 1;
}

/* ---- RST acceptability (RFC 9293 3.10.7.3 / 3.10.7.4, RFC 5961 3.2) ----- */

/*
 * The receiver's window in bytes. Window scaling is in effect only if both
 * SYNs carried the option (RFC 7323 2.2); if the handshake was not seen we
 * cannot know the scale, so assume the largest (14) rather than reject a
 * genuine RST from a connection we picked up late.
 */
static uint32_t recv_window(const struct tc_conn *c, const struct tc_endpoint *r)
{
	const struct tc_endpoint *s = (r == &c->ep[0]) ? &c->ep[1] : &c->ep[0];
	unsigned shift;
	uint64_t w;

	if ((r->flags & TC_EP_SYN) && (s->flags & TC_EP_SYN))
		shift = ((r->flags & s->flags) & TC_EP_WSCALE) ? r->wscale : 0;
	else
		shift = 14;
	if (shift > 14)
		shift = 14;
	if (r->flags & TC_EP_WIN_UNSCALED)
		shift = 0; /* the window of a SYN is never scaled (RFC 7323 2.2) */
	w = (uint64_t)r->win << shift;
	if (w == 0)
		w = 1; /* a zero window still accepts the exact RST */
	if (w > (1u << 30))
		w = 1u << 30;
	return (uint32_t)w;
}

enum tc_rst_check tc_sm_rst_check(const struct tc_conn *c, enum tc_role from,
				  const struct tc_pkt *p)
{
	const struct tc_endpoint *s = &c->ep[from], *r = &c->ep[!from];

	if (r->state == TC_SYN_SENT && (r->flags & TC_EP_SYN)) {
		/* Answer to a SYN: only the ACK field can validate it, and an
		 * RST without ACK is dropped (RFC 9293 3.10.7.3). */
		if ((p->flags & TC_ACK) && p->ack == r->isn + 1)
			return TC_RST_EXACT;
		return TC_RST_BAD_ACK;
	}
	if (!(r->flags & TC_EP_ACK)) {
		/* The receiver never acknowledged anything we saw: compare with
		 * what the sender has sent, if anything. */
		if ((s->flags & TC_EP_SEQ) && p->seq == s->snd_nxt)
			return TC_RST_EXACT;
		/* Below the sender's own ISN it is in no window of the peer's,
		 * seen or not (a one-way capture shows no ACK to check against). */
		if ((s->flags & TC_EP_SYN) && seq_lt(p->seq, s->isn))
			return TC_RST_OUT_OF_WINDOW;
		return TC_RST_UNCHECKED;
	}
	if (p->seq == r->ack)
		return TC_RST_EXACT;
	/* The receiver may hold data it has not acknowledged yet. */
	if ((s->flags & TC_EP_SEQ) && p->seq == s->snd_nxt)
		return TC_RST_EXACT;
	if (seq_geq(p->seq, r->ack) && seq_lt(p->seq, r->ack + recv_window(c, r)))
		return TC_RST_IN_WINDOW;
	return TC_RST_OUT_OF_WINDOW;
}

/* ---- the observer ------------------------------------------------------- */

static int both_fins_acked(const struct tc_conn *c)
{
	uint16_t need = TC_EP_FIN | TC_EP_FIN_ACKED;
	return (c->ep[0].flags & need) == need && (c->ep[1].flags & need) == need;
}

static enum tc_phase phase_now(const struct tc_conn *c)
{
	/* Until both sides are synchronized the handshake is not over: a
	 * client that aborts after the SYN+ACK still aborts a handshake, and
	 * so does one that sent a FIN from SYN_SENT (a connect() abandoned
	 * before the SYN+ACK came, which some stacks send once the SYN+ACK
	 * arrives, and no byte was exchanged). Every SYN seen acknowledged,
	 * and the handshake is behind (a SYN not seen: picked up later). */
	int i, synced = 1;
	for (i = 0; i < 2; i++)
		if ((c->ep[i].flags & (TC_EP_SYN | TC_EP_SYN_ACKED)) == TC_EP_SYN ||
		    ((c->ep[i].flags & TC_EP_FIN_IN_SYN_SENT) && !tc_ep_bytes(c, TC_CLIENT) &&
		     !tc_ep_bytes(c, TC_SERVER)))
			synced = 0;
	if (!synced)
		return TC_PHASE_HANDSHAKE;
	if ((c->ep[0].flags | c->ep[1].flags) & TC_EP_FIN)
		return TC_PHASE_CLOSING;
	return TC_PHASE_ESTABLISHED;
}

static void on_rst(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
		   uint64_t frame, struct tc_seg *g)
{
	struct tc_endpoint *s = &c->ep[from], *r = &c->ep[!from];
	struct tc_conn_end *en;
	enum tc_rst_check chk;

	/* After both FINs were acknowledged the connection has closed
	 * gracefully; an RST now (answering a late segment in TIME_WAIT)
	 * does not change how it ended. */
	if (both_fins_acked(c))
		return;
	/* Once one side reset, its peer has no state left to check against;
	 * an RST from the side that already reset changes nothing. */
	if (c->reset_by & (from == TC_CLIENT ? TC_WHO_CLIENT : TC_WHO_SERVER))
		return;

	chk = tc_sm_rst_check(c, from, p);
	if (chk == TC_RST_OUT_OF_WINDOW || chk == TC_RST_BAD_ACK) {
		c->rst_ignored++;
		g->rst_ignored = 1;
		return;
	}
	/* RFC 5961 3.2: an RST in the window but not exact draws a challenge
	 * ACK and does not reset. We cannot see the receiver's rcv_nxt, only
	 * its last ACK, so the RST stands until the receiver proves it alive. */
	if (chk == TC_RST_IN_WINDOW) {
		struct tc_conn_ext *x = tc_conn_ext_mut(c);
		if (x) { /* out of memory: it stands for good */
			c->cflags |= TC_CONN_RST_TENTATIVE;
			x->undo.from = (uint8_t)from;
			x->undo.reset_by = c->reset_by;
			x->undo.reset_phase = c->reset_phase;
			x->undo.state[0] = c->ep[0].state;
			x->undo.state[1] = c->ep[1].state;
			x->undo.sender_flags = s->flags;
			x->undo.frame_rst = tc_conn_end(c)->frame_rst;
			x->undo.sender_frame_rst = tc_conn_end(c)->ep[from].frame_rst;
		}
	}
	/* Step 0 made the end record when it counted the RST; out of
	 * memory, the RST is still taken and only its frame is lost. */
	en = tc_conn_end_mut(c);
	if (c->reset_by == TC_WHO_NONE) {
		c->reset_phase = (uint8_t)phase_now(c);
		if (en)
			en->frame_rst = frame;
		g->rst_first = 1; /* the evidence records it (evidence.c) */
		g->rst_check = (uint8_t)chk;
		if (from == TC_SERVER && s->state != TC_SYN_RECEIVED &&
		    !(c->cflags & TC_CONN_SYNACK_SEEN) && (r->flags & TC_EP_SYN))
			c->opened = TC_OPENED_REFUSED;
	}
	c->reset_by |= (uint8_t)(from == TC_CLIENT ? TC_WHO_CLIENT : TC_WHO_SERVER);
	s->flags |= TC_EP_RST;
	if (en && !en->ep[from].frame_rst)
		en->ep[from].frame_rst = frame;
	set_state(c, from, TC_EV_SEND_RST, g->ts_ns);
	set_state(c, tc_peer(from), TC_EV_RECV_RST, g->ts_ns);
	c->cflags |= TC_CONN_DONE;
}

static void on_syn(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int64_t ts_ns)
{
	struct tc_endpoint *s = &c->ep[from], *r = &c->ep[!from];

	if (s->flags & TC_EP_SYN)
		return; /* retransmitted SYN (same ISN: tc_sm_is_new_syn said so) */
	s->flags |= TC_EP_SYN;
	s->isn = p->seq;
	if (p->opt & TC_OPT_WSCALE) {
		s->flags |= TC_EP_WSCALE;
		s->wscale = p->wscale > 14 ? 14 : p->wscale; /* RFC 7323 2.3 */
	}
	if (!(p->flags & TC_ACK)) {
		/* The SYN of a connection picked up at its SYN+ACK: the
		 * handshake was seen after all, only out of order. */
		if (c->opened == TC_OPENED_MIDSTREAM && (c->cflags & TC_CONN_SYNACK_SEEN))
			c->opened = TC_OPENED_HANDSHAKE;
		set_state(c, from, TC_EV_SEND_SYN, ts_ns);
		set_state(c, tc_peer(from), TC_EV_RECV_SYN, ts_ns);
		return;
	}
	c->cflags |= TC_CONN_SYNACK_SEEN;
	if (c->opened == TC_OPENED_SYN_ONLY)
		c->opened = TC_OPENED_HANDSHAKE;
	set_state(c, from, TC_EV_SEND_SYN_ACK, ts_ns);
	if ((r->flags & TC_EP_SYN) && p->ack == r->isn + 1) {
		r->flags |= TC_EP_SYN_ACKED;
		set_state(c, tc_peer(from), TC_EV_RECV_SYN_ACK, ts_ns);
	} else if (!(r->flags & TC_EP_SYN) && r->state == TC_SYN_SENT) {
		/* Picked up at the SYN+ACK: the client's SYN was missed. */
		set_state(c, tc_peer(from), TC_EV_RECV_SYN_ACK, ts_ns);
	}
}

static void on_ack(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int64_t ts_ns)
{
	struct tc_endpoint *s = &c->ep[from], *r = &c->ep[!from];

	if (!(s->flags & TC_EP_ACK) || seq_lt(s->ack, p->ack))
		s->ack = p->ack;
	s->flags |= TC_EP_ACK;

	if ((r->flags & TC_EP_SYN) && !(r->flags & TC_EP_SYN_ACKED) &&
	    !(p->flags & TC_SYN) && seq_geq(p->ack, r->isn + 1)) {
		r->flags |= TC_EP_SYN_ACKED;
		set_state(c, tc_peer(from), TC_EV_RECV_ACK_OF_SYN, ts_ns);
	}
	if ((r->flags & TC_EP_FIN) && !(r->flags & TC_EP_FIN_ACKED) &&
	    seq_geq(p->ack, tc_conn_end(c)->ep[!from].fin_seq + 1)) {
		r->flags |= TC_EP_FIN_ACKED;
		set_state(c, tc_peer(from), TC_EV_RECV_ACK_OF_FIN, ts_ns);
	}
}

static void on_fin(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
		   int64_t ts_ns, uint64_t frame)
{
	struct tc_endpoint *s = &c->ep[from], *r = &c->ep[!from];
	uint32_t fin_seq = p->seq + p->payload_len + ((p->flags & TC_SYN) ? 1 : 0);
	struct tc_conn_end *en;
	int crossed;

	if (s->flags & TC_EP_FIN)
		return; /* a retransmission, or a bogus second FIN: one close */
	s->flags |= TC_EP_FIN;
	if (s->state == TC_SYN_SENT)
		s->flags |= TC_EP_FIN_IN_SYN_SENT;
	/* Out of memory, the FIN is still taken; only where it was is lost. */
	if ((en = tc_conn_end_mut(c)) != NULL) {
		en->ep[from].fin_seq = fin_seq;
		en->ep[from].frame_fin = frame;
		en->ep[from].ts_fin = ts_ns;
	}

	crossed = (r->flags & TC_EP_FIN) &&
		  !((p->flags & TC_ACK) && seq_geq(p->ack, tc_conn_end(c)->ep[!from].fin_seq + 1));
	if (c->closer == TC_WHO_NONE)
		c->closer = (uint8_t)(from == TC_CLIENT ? TC_WHO_CLIENT : TC_WHO_SERVER);
	if (crossed) {
		c->closer = TC_WHO_BOTH;
		c->cflags |= TC_CONN_SIMULTANEOUS;
	}
	set_state(c, from, crossed ? TC_EV_SEND_FIN_CROSSED : TC_EV_SEND_FIN, ts_ns);
	set_state(c, tc_peer(from), TC_EV_RECV_FIN, ts_ns);
}

void tc_sm_infer_fin(struct tc_conn *c, enum tc_role from, uint32_t fin_seq, int64_t ts_ns)
{
	const struct tc_endpoint *r = &c->ep[!from];
	struct tc_pkt q;

	if (c->ep[from].flags & (TC_EP_FIN | TC_EP_RST))
		return;
	/* A FIN the capture missed carries no ACK field we could check; it is
	 * taken to follow the peer's FIN if that was seen (the later reading:
	 * crossing FINs are rare, lost frames are not). */
	memset(&q, 0, sizeof(q));
	q.flags = TC_FIN | TC_ACK;
	q.seq = fin_seq;
	q.ack = (r->flags & TC_EP_FIN) ? tc_conn_end(c)->ep[!from].fin_seq + 1 : c->ep[from].ack;
	on_fin(c, from, &q, ts_ns, 0);
	/* The peer may have acknowledged it already (that is how it was found). */
	if ((r->flags & TC_EP_ACK) && seq_geq(r->ack, fin_seq + 1)) {
		c->ep[from].flags |= TC_EP_FIN_ACKED;
		set_state(c, from, TC_EV_RECV_ACK_OF_FIN, ts_ns);
	}
	if (both_fins_acked(c))
		c->cflags |= TC_CONN_DONE;
}

void tc_sm_infer_rst(struct tc_conn *c, enum tc_role from, int64_t ts_ns)
{
	struct tc_endpoint *s = &c->ep[from], *r = &c->ep[!from];

	if (c->reset_by != TC_WHO_NONE || both_fins_acked(c))
		return;
	c->reset_phase = (uint8_t)phase_now(c);
	if (from == TC_SERVER && !(c->cflags & TC_CONN_SYNACK_SEEN) && (r->flags & TC_EP_SYN) &&
	    r->state == TC_SYN_SENT)
		c->opened = TC_OPENED_REFUSED;
	c->reset_by = (uint8_t)(from == TC_CLIENT ? TC_WHO_CLIENT : TC_WHO_SERVER);
	s->flags |= TC_EP_RST;
	set_state(c, from, TC_EV_SEND_RST, ts_ns);
	set_state(c, tc_peer(from), TC_EV_RECV_RST, ts_ns);
	c->cflags |= TC_CONN_DONE;
}

/*
 * The first segment from the receiver of a tentative RST settles it: a
 * further RST confirms the reset; anything else (a challenge ACK, data)
 * shows the receiver kept the connection, so the RST is undone and
 * counted as not accepted (returns 1 then).
 */
static int settle_tentative_rst(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
				int64_t ts_ns)
{
	struct tc_conn_ext *x = c->x; /* set with TC_CONN_RST_TENTATIVE */
	struct tc_endpoint *sender = &c->ep[x->undo.from];

	if (from == (enum tc_role)x->undo.from)
		return 0;
	c->cflags &= (uint8_t)~TC_CONN_RST_TENTATIVE;
	if (p->flags & TC_RST)
		return 0;
	c->reset_by = x->undo.reset_by;
	c->reset_phase = x->undo.reset_phase;
	enter(c, TC_CLIENT, (enum tc_state)x->undo.state[0], ts_ns);
	enter(c, TC_SERVER, (enum tc_state)x->undo.state[1], ts_ns);
	sender->flags = x->undo.sender_flags;
	if (c->end) {
		c->end->frame_rst = x->undo.frame_rst;
		c->end->ep[x->undo.from].frame_rst = x->undo.sender_frame_rst;
	}
	if (c->reset_by == TC_WHO_NONE)
		c->cflags &= (uint8_t)~TC_CONN_DONE;
	c->rst_ignored++;
	if (x->challenge_acks < 255)
		x->challenge_acks++;
	return 1;
}

/*
 * What a segment said about how its sender is closing: data after its own
 * FIN, or after the peer's. Read before this segment's FIN is recorded.
 */
static void data_after_fin(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p)
{
	struct tc_endpoint *s = &c->ep[from];

	if (p->payload_len == 0 || (p->flags & TC_RST))
		return;
	if ((s->flags & TC_EP_FIN) && seq_geq(p->seq, tc_conn_end(c)->ep[from].fin_seq))
		s->flags |= TC_EP_DATA_AFTER_FIN;
	if (c->ep[!from].flags & TC_EP_FIN)
		s->flags |= TC_EP_DATA_AFTER_PEER_FIN;
}

void tc_sm_observe(struct tc_conn *c, struct tc_seg *g)
{
	const struct tc_pkt *p = g->p;
	enum tc_role from = g->from;

	if (c->cflags & TC_CONN_RST_TENTATIVE)
		g->rst_ignored = (uint8_t)settle_tentative_rst(c, from, p, g->ts_ns);
	data_after_fin(c, from, p);

	if (p->flags & TC_RST) {
		on_rst(c, from, p, g->frame, g);
		return;
	}
	if (p->flags & TC_SYN)
		on_syn(c, from, p, g->ts_ns);
	if (p->flags & TC_ACK)
		on_ack(c, from, p, g->ts_ns);
	if (p->flags & TC_FIN)
		on_fin(c, from, p, g->ts_ns, g->frame);
	if (both_fins_acked(c))
		c->cflags |= TC_CONN_DONE;
}
