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
	g->before.fin_seq = s->fin_seq;
	g->before.tsval_last = s->tsval_last;
	g->before.pkts = s->pkts;
	g->before.last_ts = c->last_ts;
	g->before.frame_last = c->frame_last;

	if (s->pkts == 0 || p->ttl < s->ttl_min)
		s->ttl_min = p->ttl;
	if (s->pkts == 0 || p->ttl > s->ttl_max)
		s->ttl_max = p->ttl;
	s->pkts++;
	s->bytes += p->payload_len;
	s->ip_id_last = p->ip_id;
	s->win = p->win;
	if (p->flags & TC_SYN)
		s->flags |= TC_EP_WIN_UNSCALED;
	else
		s->flags &= (uint16_t)~TC_EP_WIN_UNSCALED;
	s->t_last = tc_conn_rel(c, g->ts_ns);
	if ((p->flags & TC_FIN) && s->fins < UINT16_MAX)
		s->fins++;
	if ((p->flags & TC_RST) && s->rsts < UINT16_MAX)
		s->rsts++;
	if (p->win == 0 && !(p->flags & (TC_SYN | TC_FIN | TC_RST)) && s->zero_win < UINT16_MAX)
		s->zero_win++;
	if (p->opt & TC_OPT_TS) {
		s->flags |= TC_EP_TS;
		s->tsval_last = p->tsval;
	}

	if (p->flags & TC_RST) {
		/* A repeated RST (same sequence number as its sender's last)
		 * is one reset said twice: the history writes one letter and
		 * the evidence counts one. */
		struct tc_conn_ext *x = tc_conn_ext_mut(c);
		g->rst_new = s->rsts == 1 || !x || p->seq != x->ep[g->from].rst_seq;
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

	c->frame_last = g->frame;
	c->last_ts = g->ts_ns;
}

void tc_segment_apply(struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
		      int64_t ts_ns, uint64_t frame)
{
	struct tc_seg g = {0};

	g.p = p;
	g.from = from;
	g.ts_ns = ts_ns;
	g.frame = frame;

	count(c, &g);                 /* 0 */
	tc_sm_observe(c, &g);         /* 1 */
	tc_history_observe(c, &g);    /* 2 */
	tc_evidence_observe(c, &g);   /* 3 */
}
