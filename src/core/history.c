/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * history.c -- Zeek-compatible `history` letters (see history.h for the
 * alphabet). Kept apart from the state machine because it answers a
 * different question: not "what state is each side in" but "what kinds of
 * segments were seen, in what order", the compact summary analysts grep.
 */
#include "history.h"

#include <ctype.h>

#include "segment.h"

/* Letters recorded once per direction: bit index in tc_conn.hist_seen. */
enum { HB_A, HB_D, HB_Q, HB_I, HB__COUNT };

static void add(struct tc_conn *c, enum tc_role from, char letter)
{
	char l = (char)(from == TC_CLIENT ? letter : tolower((unsigned char)letter));

	if (c->hist_len < TC_HISTORY_INLINE) {
		c->history[c->hist_len++] = l;
		c->history[c->hist_len] = '\0';
	} else if (c->hist_len < TC_HISTORY_MAX) {
		/* Past what the record holds: the rest goes to the
		 * extension. Out of memory, the history stops here. */
		struct tc_conn_ext *x = tc_conn_ext_mut(c);
		if (x)
			x->hist_more[c->hist_len++ - TC_HISTORY_INLINE] = l;
	}
}

static void add_once(struct tc_conn *c, enum tc_role from, int bit, char letter)
{
	uint32_t mask = 1u << (bit + (from == TC_CLIENT ? 0 : HB__COUNT));
	if (c->hist_seen & mask)
		return;
	c->hist_seen |= mask;
	add(c, from, letter);
}

/* Zeek's logarithmic letters: at the 1st, 10th, 100th ... occurrence. */
static int is_power_of_ten(uint32_t n)
{
	while (n >= 10 && n % 10 == 0)
		n /= 10;
	return n == 1;
}

/* Zeek reports a content gap only between endpoints that are, in its own
 * model, established or closed from established (TCP_Reassembler.cc):
 * elsewhere a jump is as likely a mismatch as a loss. */
static int zeek_clean(const struct tc_endpoint *e)
{
	return TC_ZSTATE(e) == TC_Z_ESTABLISHED ||
	       (TC_ZSTATE(e) == TC_Z_CLOSED && TC_ZSTATE_PREV(e) == TC_Z_ESTABLISHED);
}

void tc_history_gaps(struct tc_conn *c, const struct tc_seg *g)
{
	enum tc_role data = (enum tc_role) !g->from;
	struct tc_ext_endpoint *xe;
	unsigned n;

	if (!c->x || !c->x->gap_now)
		return;
	if (!zeek_clean(&c->ep[0]) || !zeek_clean(&c->ep[1]))
		return;
	xe = &c->x->ep[data];
	for (n = c->x->gap_now; n > 0; n--) {
		if (xe->zeek_gaps == UINT16_MAX)
			return;
		xe->zeek_gaps++;
		if (is_power_of_ten(xe->zeek_gaps))
			add(c, data, 'G');
	}
}

void tc_history_steady(struct tc_conn *c, enum tc_role from, int data)
{
	if (data)
		add_once(c, from, HB_D, 'D');
	else
		add_once(c, from, HB_A, 'A');
}

void tc_history_observe(struct tc_conn *c, const struct tc_seg *g)
{
	const struct tc_pkt *p = g->p;
	enum tc_role from = g->from;
	struct tc_endpoint *s = &c->ep[from];
	uint8_t f = p->flags;
	int retx = g->retx;

	/* Most segments carry data or a bare ACK, with no SYN, FIN or RST,
	 * repeat nothing and open the window: of all the letters below, such
	 * a one can only add D or A, and those once. */
	if (!(f & (TC_SYN | TC_FIN | TC_RST)) && !retx && p->win != 0 && c->hist_len != 0) {
		if (p->payload_len > 0 || (f & TC_ACK))
			tc_history_steady(c, from, p->payload_len > 0);
		return;
	}
	if (c->hist_len == 0 && (c->cflags & TC_CONN_FLIPPED))
		add(c, TC_CLIENT, '^');

	if ((f & TC_SYN) && (f & (TC_FIN | TC_RST)))
		add_once(c, from, HB_Q, 'Q');
	else if ((f & TC_FIN) && (f & TC_RST))
		add_once(c, from, HB_I, 'I');

	/* A SYN letter for its sender's first SYN only (the state machine
	 * has marked this one seen already: ask what it knew before). */
	if ((f & TC_SYN) && !(g->before.flags & TC_EP_SYN))
		add(c, from, (f & TC_ACK) ? 'H' : 'S');

	if (p->payload_len > 0)
		add_once(c, from, HB_D, 'D');
	else if ((f & (TC_ACK | TC_SYN | TC_FIN | TC_RST)) == TC_ACK)
		add_once(c, from, HB_A, 'A');

	if (f & TC_FIN) {
		/* A FIN at a new sequence number is a new letter; a retransmitted
		 * one is not. The first FIN's number is its fin_seq (as it was
		 * before this segment: the state machine sets it for a first
		 * FIN); only a FIN that moved needs the extension. */
		uint32_t fin_seq = p->seq + p->payload_len + ((f & TC_SYN) ? 1 : 0);
		const struct tc_ext_endpoint *xe = &tc_conn_ext(c)->ep[from];
		uint32_t last = (xe->have & TC_XE_FIN_SEQ_LAST) ? xe->fin_seq_last
								 : g->before.fin_seq;
		uint16_t fins = tc_conn_end(c)->ep[from].fins;
		if (fins == 1 && !(f & TC_RST)) {
			add(c, from, 'F');
		} else if (fins == 1 || fin_seq != last) {
			/* (An RST+FIN never reaches on_fin: remember its number.) */
			struct tc_conn_ext *x = tc_conn_ext_mut(c);
			add(c, from, 'F');
			if (x) {
				x->ep[from].fin_seq_last = fin_seq;
				x->ep[from].have |= TC_XE_FIN_SEQ_LAST;
			}
		}
	}
	if ((f & TC_RST) && g->rst_new)
		add(c, from, 'R');
	if (retx && is_power_of_ten(s->retx))
		add(c, from, 'T');
	if (p->win == 0 && !(f & (TC_SYN | TC_FIN | TC_RST)) && is_power_of_ten(s->zero_win))
		add(c, from, 'W');
}
