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

static void score_injection(const struct tc_conn *c, const struct tc_rst_evidence *e,
			    struct tc_diagnosis *d)
{
	size_t i;
	int stateless = looks_stateless(c, e);

	if (e->sender_pkts_before > 0) {
		if ((int)e->ttl + 1 < (int)e->ttl_min || (int)e->ttl > (int)e->ttl_max + 1)
			d->signals |= TC_SIG_TTL;
		if (c->af == 4 && e->ip_id != 0) {
			uint16_t delta = (uint16_t)(e->ip_id - e->ip_id_prev);
			if (delta > 1024)
				d->signals |= TC_SIG_IPID;
		}
		if (e->sender_had_ts && !(e->opt & TC_OPT_TS) && !stateless)
			d->signals |= TC_SIG_NO_TS;
		if (e->sender_had_ts && (e->opt & TC_OPT_TS) && seq_lt(e->tsval, e->tsval_prev))
			d->signals |= TC_SIG_TS_BACK;
	}
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
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (d->signals & signals[i].bit)
			d->score += signals[i].weight;
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

static void diagnose_reset(const struct tc_conn *c, const struct tc_verdict *v,
			   struct tc_diagnosis *d)
{
	const struct tc_rst_evidence *e = &tc_conn_ext(c)->rst;
	enum tc_role by = v->reset_by == TC_WHO_SERVER ? TC_SERVER : TC_CLIENT;
	const struct tc_endpoint *s = &c->ep[by];

	/* reset_by is both only when the first RST came from either; the
	 * evidence is that of the first one, whose sender rst_frame names. */
	if (v->reset_by == TC_WHO_BOTH)
		by = c->ep[TC_SERVER].frame_rst == c->frame_rst ? TC_SERVER : TC_CLIENT;
	s = &c->ep[by];
	d->by = by;
	add_frame(d, e->trigger_frame);
	add_frame(d, c->frame_rst);

	score_injection(c, e, d);
	if (looks_stateless(c, e))
		d->notes |= TC_DX_STATELESS;
	else if ((e->opt & TC_OPT_TS) || (c->af == 4 && (uint16_t)(e->ip_id - e->ip_id_prev) <= 16 &&
					  e->ip_id != 0))
		d->notes |= TC_DX_SOCKET_RST;
	if (e->text[0])
		d->notes |= TC_DX_TEXT;
	if (e->answered) {
		d->idle_ns = e->idle_before_ns;
		d->idle_match_s = tc_idle_timeout_match(e->idle_before_ns);
		if (d->idle_match_s)
			d->notes |= TC_DX_IDLE_MATCH;
	}

	if (v->opened == TC_OPENED_REFUSED) {
		d->cause = TC_CAUSE_REFUSED;
		return;
	}
	if (d->score >= TC_INJECTED_THRESHOLD) {
		d->cause = TC_CAUSE_INJECTED;
		return;
	}
	if (v->reset_phase == TC_PHASE_HANDSHAKE) {
		d->cause = TC_CAUSE_HANDSHAKE_ABORT;
		return;
	}
	if (e->ka_unanswered > 0) {
		d->cause = TC_CAUSE_KEEPALIVE_TIMEOUT;
		return;
	}
	if (e->sender_fin && e->answered && e->peer_had_data) {
		d->cause = TC_CAUSE_DATA_AFTER_CLOSE;
		add_frame(d, s->frame_fin);
		/* The race: the server closed an idle connection and the
		 * client's next request was already on its way (it does not
		 * acknowledge the FIN). A client that saw the FIN and wrote
		 * anyway is a plain write-after-close. */
		if (by == TC_SERVER && v->closer == TC_WHO_SERVER &&
		    (c->ep[TC_CLIENT].flags & TC_EP_DATA_CROSSED_FIN))
			d->notes |= TC_DX_KEEPALIVE_RACE;
		return;
	}
	if (e->answered && ((d->notes & TC_DX_STATELESS) || e->sender_pkts_before == 0)) {
		d->cause = TC_CAUSE_NO_CONNECTION;
		return;
	}
	if (!e->sender_fin) {
		d->cause = TC_CAUSE_ABORTIVE_CLOSE;
		d->data_lost = e->inflight;
		/* Bytes on the wire never acknowledged are lost; so is whatever
		 * was queued behind a peer's zero window (not on the wire, so
		 * its size is unknown: data_lost stays 0). */
		if (e->inflight || e->peer_win == 0)
			d->notes |= TC_DX_DATA_LOST;
		if (e->unread)
			d->notes |= TC_DX_UNREAD;
		return;
	}
	d->cause = TC_CAUSE_UNKNOWN;
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
	if (v->close == TC_CLOSE_RESET)
		diagnose_reset(c, v, d);
	else if (v->close == TC_CLOSE_OPEN || v->close == TC_CLOSE_HALF_CLOSED)
		diagnose_silence(c, d);
}

/* ---- the sentence ------------------------------------------------------ */

static const char *who(int role)
{
	return role == TC_CLIENT ? "client" : "server";
}

static size_t signal_list(const struct tc_diagnosis *d, const struct tc_conn *c, char *buf,
			  size_t n)
{
	const struct tc_rst_evidence *e = &tc_conn_ext(c)->rst;
	size_t off = 0;
	size_t i;
	buf[0] = '\0';
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]) && off < n; i++) {
		if (!(d->signals & signals[i].bit))
			continue;
		if (signals[i].bit == TC_SIG_TTL)
			off += (size_t)snprintf(buf + off, n - off, "%sTTL %u vs %u", off ? ", " : "",
						e->ttl, e->ttl_max);
		else
			off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? ", " : "",
						signals[i].name);
	}
	return off;
}

void tc_diag_explain(const struct tc_conn *c, const struct tc_verdict *v,
		     const struct tc_diagnosis *d, char *buf, size_t n)
{
	const struct tc_rst_evidence *e = &tc_conn_ext(c)->rst;
	const char *by = who(d->by), *peer = who(!d->by);
	char sig[160];
	size_t off = 0;

	(void)v;
	if (n == 0)
		return;
	buf[0] = '\0'; /* no cause, nothing said: still a string */
#define OUT(...)                                                                       \
	do {                                                                           \
		if (off < n)                                                           \
			off += (size_t)snprintf(buf + off, n - off, __VA_ARGS__);      \
	} while (0)

	switch (d->cause) {
	case TC_CAUSE_REFUSED:
		OUT("refused: the SYN was answered by RST (frame %llu): no listener on port %u, or a firewall reject",
		    (unsigned long long)c->frame_rst, c->ep[TC_SERVER].port);
		break;
	case TC_CAUSE_ABORTIVE_CLOSE:
		OUT("%s aborted with RST (frame %llu) without sending FIN: SO_LINGER {1,0} or abort()", by,
		    (unsigned long long)c->frame_rst);
		if (d->notes & TC_DX_UNREAD)
			OUT(", or close() with unread data (the %s spoke last)", peer);
		if ((d->notes & TC_DX_DATA_LOST) && d->data_lost)
			OUT("; %u bytes it had sent were never acknowledged (lost)", d->data_lost);
		else if (d->notes & TC_DX_DATA_LOST)
			OUT("; the %s's window was closed (0): data still queued was discarded", peer);
		break;
	case TC_CAUSE_DATA_AFTER_CLOSE:
		OUT("%s wrote to a closed socket: data (frame %llu) after the %s's FIN (frame %llu), answered by RST (frame %llu)",
		    peer, (unsigned long long)e->trigger_frame, by,
		    (unsigned long long)c->ep[d->by].frame_fin, (unsigned long long)c->frame_rst);
		if (d->notes & TC_DX_KEEPALIVE_RACE)
			OUT(" -- the keep-alive race: the server closed an idle connection as the client reused it");
		break;
	case TC_CAUSE_NO_CONNECTION:
		OUT("%s no longer knew the connection: %s RST (frame %llu) answered a segment (frame %llu) after %.1f s idle",
		    by, (d->notes & TC_DX_STATELESS) ? "stateless" : "its", (unsigned long long)c->frame_rst,
		    (unsigned long long)e->trigger_frame, (double)d->idle_ns / 1e9);
		break;
	case TC_CAUSE_INJECTED:
		signal_list(d, c, sig, sizeof(sig));
		OUT("RST (frame %llu) claiming to come from the %s looks injected (score %d: %s): a middlebox or an attacker",
		    (unsigned long long)c->frame_rst, by, d->score, sig);
		if (e->answered && d->idle_ns >= SEC)
			OUT("; it came after %.1f s idle", (double)d->idle_ns / 1e9);
		break;
	case TC_CAUSE_KEEPALIVE_TIMEOUT:
		OUT("%s's keep-alive probes went unanswered (%u); it gave up with RST (frame %llu)", by,
		    e->ka_unanswered, (unsigned long long)c->frame_rst);
		break;
	case TC_CAUSE_HANDSHAKE_ABORT:
		OUT("%s aborted the handshake with RST (frame %llu)", by, (unsigned long long)c->frame_rst);
		break;
	case TC_CAUSE_DEAD_PEER:
		OUT("%s vanished: the %s's %s went unanswered for %.1f s until the capture ended", peer, by,
		    tc_conn_ext(c)->ep[d->by].ka_unanswered >= 2 ? "keep-alive probes" : "retransmissions",
		    (double)d->idle_ns / 1e9);
		break;
	case TC_CAUSE_UNKNOWN:
		signal_list(d, c, sig, sizeof(sig));
		OUT("%s sent RST (frame %llu) while %s; no known pattern%s%s", by,
		    (unsigned long long)c->frame_rst, tc_phase_name(v->reset_phase) ? tc_phase_name(v->reset_phase) : "?",
		    sig[0] ? ", signals: " : "", sig);
		break;
	default:
		break;
	}
	if (d->notes & TC_DX_IDLE_MATCH)
		OUT(" (%.0f s idle matches the common %u s middlebox idle timeout)", (double)d->idle_ns / 1e9,
		    d->idle_match_s);
	if (d->notes & TC_DX_TEXT)
		OUT("; the RST says \"%s\"", e->text);
#undef OUT
}
