/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * classify.c -- close verdicts (see classify.h for the rules).
 *
 * The state machine records facts as they happen (which FINs were sent and
 * acknowledged, who reset, in which phase); this function only reads them,
 * so the verdict of a record never depends on when it is asked for.
 */
#include "tcpclose/classify.h"

void tc_classify(const struct tc_conn *c, struct tc_verdict *v)
{
	int fin_c = (c->ep[TC_CLIENT].flags & TC_EP_FIN) != 0;
	int fin_s = (c->ep[TC_SERVER].flags & TC_EP_FIN) != 0;
	const struct tc_conn_end *en = tc_conn_end(c);

	v->opened = (enum tc_opened)c->opened;
	v->closer = (enum tc_who)c->closer;
	v->reset_by = (enum tc_who)c->reset_by;
	v->reset_phase = (enum tc_phase)c->reset_phase;
	v->trailing_rst = TC_WHO_NONE;

	/* Both FINs before the first accepted RST: both applications had
	 * closed, nobody saw "connection reset"; the RST trails a graceful
	 * close (Zeek says SF for the same reason). Frames count in capture
	 * order, so "before" is a comparison of frame numbers. */
	if (c->reset_by != TC_WHO_NONE && fin_c && fin_s && en->frame_rst &&
	    en->ep[TC_CLIENT].frame_fin < en->frame_rst && en->ep[TC_SERVER].frame_fin < en->frame_rst) {
		v->close = TC_CLOSE_GRACEFUL;
		v->trailing_rst = en->ep[TC_SERVER].frame_rst == en->frame_rst ? TC_WHO_SERVER : TC_WHO_CLIENT;
		v->reset_by = TC_WHO_NONE;
		v->reset_phase = TC_PHASE_NONE;
	} else if (c->reset_by != TC_WHO_NONE)
		v->close = TC_CLOSE_RESET;
	else if (fin_c && fin_s)
		v->close = TC_CLOSE_GRACEFUL;
	else if (fin_c || fin_s)
		v->close = TC_CLOSE_HALF_CLOSED;
	else
		v->close = TC_CLOSE_OPEN;
}
