/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * segment.c -- the per-segment driver and the record's counters (see
 * segment.h for the order of the steps and why it is fixed).
 */
#include "segment.h"

#include "evidence.h"
#include "history.h"
#include "seq.h"
#include "tcpsm.h"

/*
 * Did the loss inference (infer.c, which ran just before) find a hole in
 * the capture at this segment? Then remember when: the hole lies before
 * this segment, and a rule that measures a span reaching past that time
 * would measure the capture, not the stacks. One add and a compare per
 * segment; the extension record only once a hole is found.
 */
static void note_loss(struct tc_conn *c, int64_t ts_ns)
{
	uint32_t loss = tc_conn_loss_total(c);
	struct tc_conn_ext *x;

	if (!loss || loss == tc_conn_ext(c)->loss_seen || !(x = tc_conn_ext_mut(c)))
		return;
	x->loss_seen = loss;
	x->loss_ts = ts_ns;
}

/*
 * What every segment tells of its sender, whatever its flags: the
 * counters, its TTL range, the IP ID, window and TSval it carried, when.
 */
static void sent(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int64_t ts_ns)
{
	struct tc_endpoint *s = &c->ep[from];

	if (s->pkts == 0 || p->ttl < s->ttl_min)
		s->ttl_min = p->ttl;
	if (s->pkts == 0 || p->ttl > s->ttl_max)
		s->ttl_max = p->ttl;
	s->pkts++;
	tc_ep_add_bytes(c, from, p->payload_len, p->ip_len);
	s->ip_id_last = p->ip_id;
	s->win = p->win;
	if (p->flags & TC_SYN)
		s->flags |= TC_EP_WIN_UNSCALED;
	else
		s->flags &= (uint16_t)~TC_EP_WIN_UNSCALED;
	s->t_last = tc_conn_rel(c, ts_ns);
	if (p->opt & TC_OPT_TS) {
		s->flags |= TC_EP_TS;
		s->tsval_last = p->tsval;
	}
}

/* A FIN or RST counted in the end record, which the first one makes. */
static inline void count_fin_rst(struct tc_conn *c, enum tc_role from, uint8_t flags)
{
	struct tc_conn_end *en = tc_conn_end_mut(c);
	if (!en)
		return;
	if ((flags & TC_FIN) && en->ep[from].fins < UINT16_MAX)
		en->ep[from].fins++;
	if ((flags & TC_RST) && en->ep[from].rsts < UINT16_MAX)
		en->ep[from].rsts++;
}

void tc_segment_count_fin_rst(struct tc_conn *c, enum tc_role from, uint8_t flags)
{
	count_fin_rst(c, from, flags);
}

/*
 * Step 0: bookkeeping that does not depend on state -- counters, IP-level
 * facts, the highest sequence number sent -- after keeping the values the
 * later steps need from before the segment.
 */
static void count(struct tc_conn *c, struct tc_seg *g)
{
	const struct tc_pkt *p = g->p;
	struct tc_endpoint *s = &c->ep[g->from];
	uint32_t seglen = p->payload_len + ((p->flags & TC_SYN) ? 1 : 0) +
			  ((p->flags & TC_FIN) ? 1 : 0);
	uint32_t end = p->seq + seglen;

	g->first = c->ep[0].pkts + c->ep[1].pkts == 0;
	if (g->first) {
		/* Times in the record are relative to the first segment's. */
		c->frame_first = g->frame;
		c->first_ts = g->ts_ns;
	}
	g->before.flags = s->flags;
	g->before.ip_id_last = s->ip_id_last;
	g->before.win = s->win;
	g->before.ttl_min = s->ttl_min;
	g->before.ttl_max = s->ttl_max;
	g->before.snd_nxt = s->snd_nxt;
	/* Read by the history for a FIN only. */
	g->before.fin_seq = (p->flags & TC_FIN) ? tc_conn_end(c)->ep[g->from].fin_seq : 0;
	g->before.tsval_last = s->tsval_last;
	g->before.pkts = s->pkts;
	g->before.last_ts = c->last_ts;
	g->before.frame_last = c->frame_last;

	sent(c, g->from, p, g->ts_ns);
	if (p->flags & (TC_FIN | TC_RST))
		count_fin_rst(c, g->from, p->flags);
	if (p->win == 0 && !(p->flags & (TC_SYN | TC_FIN | TC_RST)) && s->zero_win < UINT16_MAX)
		s->zero_win++;

	if (p->flags & TC_RST) {
		/* A repeated RST (same sequence number as its sender's last)
		 * is one reset said twice: the history writes one letter and
		 * the evidence counts one. */
		struct tc_conn_ext *x = tc_conn_ext_mut(c);
		g->rst_new = tc_conn_end(c)->ep[g->from].rsts == 1 || !x ||
			     p->seq != x->ep[g->from].rst_seq;
		if (x)
			x->ep[g->from].rst_seq = p->seq;
	} else {
		/* Repeating sequence space already sent is a retransmission;
		 * a one-byte (or empty) probe at snd_nxt - 1 is a keep-alive
		 * and is counted by the diagnosis, not here. */
		if ((s->flags & TC_EP_SEQ) && p->payload_len > 0 && seq_lt(p->seq, s->snd_nxt) &&
		    !(p->payload_len == 1 && p->seq + 1 == s->snd_nxt))
			g->retx = 1;
		if (!(s->flags & TC_EP_SEQ) || seq_lt(s->snd_nxt, end))
			s->snd_nxt = end;
		s->flags |= TC_EP_SEQ;
	}
	if (g->retx)
		s->retx++;
	note_loss(c, g->ts_ns);

	c->frame_last = g->frame;
	c->last_ts = g->ts_ns;
}

/*
 * Step 4: Zeek's endpoint model (TCPSessionAdapter::UpdateStateMachine), so
 * the Zeek writer's conn_state is what Zeek itself would log for these
 * packets. Zeek's rules differ from RFC 9293's on purpose and are kept as
 * they are: any FIN makes its sender CLOSED, acknowledged or not; any RST
 * makes it RESET, in window or not, and RESET is final; an RST from an
 * endpoint whose peer is CLOSED too changes nothing (both FINs came first);
 * a FIN answering a peer that went CLOSED then RESET (FIN, then RST) turns
 * that peer back to CLOSED; the responder's SYN+ACK establishes both ends.
 * The originator is the client (Zeek's orig is the first packet's sender;
 * tcpclose's client is the SYN's sender, which is Zeek's after its
 * SYN/SYN+ACK reversal).
 */
static void zset(struct tc_endpoint *e, enum tc_zstate s)
{
	enum tc_zstate cur = TC_ZSTATE(e);

	if (s != cur)
		e->zstate = (uint8_t)(s | (unsigned)cur << 4);
}

static void zeek_observe(struct tc_conn *c, const struct tc_seg *g)
{
	struct tc_endpoint *e = &c->ep[g->from], *peer = &c->ep[!g->from];
	uint8_t f = g->p->flags;
	int is_orig = g->from == TC_CLIENT;

	switch (TC_ZSTATE(e)) {
	case TC_Z_INACTIVE:
		if (f & TC_SYN) {
			if (is_orig) {
				zset(e, (f & TC_ACK) ? TC_Z_SYN_ACK_SENT : TC_Z_SYN_SENT);
			} else {
				/* SYN/SYN+ACK reversal: Zeek flips the roles
				 * and establishes the originator. */
				if (!(f & TC_ACK) && TC_ZSTATE(peer) == TC_Z_SYN_ACK_SENT)
					zset(peer, TC_Z_ESTABLISHED);
				if (TC_ZSTATE(peer) == TC_Z_SYN_SENT)
					zset(peer, TC_Z_ESTABLISHED);
				zset(e, TC_Z_ESTABLISHED);
			}
		}
		if (f & TC_FIN)
			zset(e, TC_Z_CLOSED);
		if (f & TC_RST)
			zset(e, TC_Z_RESET);
		if (TC_ZSTATE(e) == TC_Z_INACTIVE) {
			/* No control flag moved it. A bare ACK from the
			 * responder to a SYN before any SYN+ACK leaves it
			 * INACTIVE ("eccentric TCPs" in Zeek); an ACK after the
			 * peer's SYN+ACK (SYN missed) establishes it. */
			if (!is_orig && g->p->payload_len == 0 &&
			    TC_ZSTATE(&c->ep[TC_CLIENT]) == TC_Z_SYN_SENT)
				;
			else if ((f & TC_ACK) && TC_ZSTATE(peer) == TC_Z_ESTABLISHED)
				zset(e, TC_Z_ESTABLISHED);
			else
				zset(e, TC_Z_PARTIAL);
		}
		break;
	case TC_Z_SYN_SENT:
	case TC_Z_SYN_ACK_SENT:
		if (f & TC_FIN)
			zset(e, TC_Z_CLOSED);
		if (f & TC_RST)
			zset(e, TC_Z_RESET);
		break;
	case TC_Z_ESTABLISHED:
	case TC_Z_PARTIAL:
		if ((f & TC_SYN) && !(f & TC_ACK) && TC_ZSTATE(e) == TC_Z_PARTIAL &&
		    TC_ZSTATE(peer) == TC_Z_INACTIVE)
			zset(e, TC_Z_SYN_SENT); /* SYN after partial */
		if ((f & TC_FIN) && !(f & TC_RST)) {
			zset(e, TC_Z_CLOSED);
			if (TC_ZSTATE(peer) == TC_Z_RESET && TC_ZSTATE_PREV(peer) == TC_Z_CLOSED)
				zset(peer, TC_Z_CLOSED); /* its FIN, RST was a normal end */
		}
		if (f & TC_RST)
			zset(e, TC_Z_RESET);
		break;
	case TC_Z_CLOSED:
		if ((f & TC_RST) && TC_ZSTATE(peer) != TC_Z_CLOSED)
			zset(e, TC_Z_RESET);
		break;
	case TC_Z_RESET:
		break;
	}
}

int tc_segment_apply(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
		     int64_t ts_ns, uint64_t frame)
{
	struct tc_seg g = {0};

	g.p = p;
	g.from = from;
	g.ts_ns = ts_ns;
	g.frame = frame;

	count(c, &g);               /* 0 */
	tc_sm_observe(c, &g);       /* 1 */
	tc_history_observe(c, &g);  /* 2 */
	tc_evidence_observe(c, &g); /* 3 */
	zeek_observe(c, &g);        /* 4 */
	tc_history_gaps(c, &g);     /* 5 */
	return g.rst_ignored;
}

/*
 * The predicted segment (segment.h). Each condition names the step that
 * would do more than the counters for a segment failing it.
 */
static int predicted(const struct tc_conn *c, enum tc_role from, const struct tc_pkt *p)
{
	const struct tc_endpoint *s = &c->ep[from], *r = &c->ep[!from];
	uint32_t loss;

	/* No SYN, FIN or RST: the state machine's and the history's
	 * transitions, the RST evidence, Zeek's model. */
	if ((p->flags & (TC_SYN | TC_FIN | TC_RST | TC_ACK)) != TC_ACK)
		return 0;
	/* Nothing inferred, reset or undone: the inference's corrections,
	 * tentative RSTs. (The flag and state conditions below imply this;
	 * it is said here so the equivalence does not rest on that.) */
	if (c->inferred || c->reset_by != TC_WHO_NONE ||
	    (c->cflags & (TC_CONN_RST_TENTATIVE | TC_CONN_DONE)))
		return 0;
	/* Loss in the capture already noted where note_loss() keeps it: a
	 * connection with holes still has its in-order segments predicted. */
	loss = tc_conn_loss_total(c);
	if (loss && (!c->x || c->x->loss_seen != loss))
		return 0;
	/* In the extension record, no hole in the peer's data for this ACK
	 * to pass (a gap letter) and no RST from the sender that has its
	 * other segments followed apart (evidence.c's own look). */
	if (c->x && ((c->x->ep[!from].have & TC_XE_HOLE) || (c->x->ep[from].have & TC_XE_OWN_TRACK)))
		return 0;
	/* Both established, neither closing: no handshake inference, no
	 * transition on the ACK, no data after or across a FIN. */
	if (s->state != TC_ESTABLISHED || r->state != TC_ESTABLISHED ||
	    (s->flags & (TC_EP_SEQ | TC_EP_ACK | TC_EP_FIN | TC_EP_RST)) != (TC_EP_SEQ | TC_EP_ACK) ||
	    (r->flags & (TC_EP_SEQ | TC_EP_FIN | TC_EP_RST)) != TC_EP_SEQ ||
	    (r->flags & (TC_EP_SYN | TC_EP_SYN_ACKED)) == TC_EP_SYN || s->pkts == 0 || r->pkts == 0 ||
	    TC_ZSTATE(s) == TC_Z_INACTIVE)
		return 0;
	/* At the sender's next sequence number: no retransmission (counted
	 * or on the timer), no probe, no jump; acknowledging nothing the
	 * peer was not seen sending; a window open and the history begun. */
	if (p->seq != s->snd_nxt || seq_lt(r->snd_nxt, p->ack) || p->win == 0 || c->hist_len == 0)
		return 0;
	/* An empty IPv4 segment with its sender's last IP ID may be that
	 * segment again (infer.c judges duplicates). */
	if (p->payload_len == 0 && c->af == 4 && p->ip_id != 0 && p->ip_id == s->ip_id_last)
		return 0;
	return 1;
}

int tc_segment_fast(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p, int64_t ts_ns,
		    uint64_t frame)
{
	struct tc_endpoint *s = &c->ep[from];
	int64_t gap;

	if (!predicted(c, from, p))
		return 0;
	gap = ts_ns - c->last_ts;
	/* The inference: at snd_nxt, it cannot be on the retransmission
	 * timer, and with no hole it reports no content gap. */
	s->iflags &= (uint8_t)~TC_IE_LAST_RETX;
	if (c->x)
		c->x->gap_now = 0;
	/* Step 0. */
	sent(c, from, p, ts_ns);
	s->snd_nxt = p->seq + p->payload_len;
	c->frame_last = frame;
	c->last_ts = ts_ns;
	/* Step 1: an ACK moves only the ACK mark here (tcpsm.c's on_ack). */
	if (seq_lt(s->ack, p->ack))
		s->ack = p->ack;
	tc_history_steady(c, from, p->payload_len > 0); /* 2 */
	tc_evidence_steady(c, from, p, ts_ns, gap);     /* 3 */
	/* Steps 4 and 5 have nothing to do: Zeek's states move on SYN, FIN
	 * and RST, and its gap letters need a gap_now. */
	return 1;
}
