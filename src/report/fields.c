/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fields.c -- named fields of a finished connection, as text.
 *
 * One table maps a field name to how it is formatted, so the .expect
 * checker, report filters and tabular formats agree on names and spelling.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "tcpclose/diag.h"

char *tc_ts_str(int64_t ns, char *buf)
{
	int64_t s = ns / 1000000000LL, f = ns % 1000000000LL;
	if (f < 0) {
		f += 1000000000LL;
		s -= 1;
	}
	sprintf(buf, "%" PRId64 ".%09" PRId64, s, f);
	return buf;
}

char *tc_time_human(int64_t ns, char *buf)
{
	time_t t = (time_t)(ns / 1000000000LL);
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		tc_ts_str(ns, buf);
		return buf;
	}
	/* The year may have any number of digits on a hostile timestamp. */
	snprintf(buf, 64, "%04d-%02d-%02d %02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(((ns / 1000000LL) % 1000 + 1000) % 1000));
	return buf;
}

static void endpoint_str(const struct tc_conn *c, int role, char *buf, size_t n)
{
	char a[TC_ADDRSTRLEN];
	tc_addr_str(c->af, c->ep[role].addr, a);
	if (c->af == 6)
		snprintf(buf, n, "[%s]:%u", a, c->ep[role].port);
	else
		snprintf(buf, n, "%s:%u", a, c->ep[role].port);
}

char *tc_tunnel_outer(const struct tc_conn *c, char *buf)
{
	const struct tc_tunnel *t = &tc_conn_ext(c)->tun;
	char a[TC_ADDRSTRLEN], b[TC_ADDRSTRLEN];

	if (!c->tunnel)
		return NULL;
	snprintf(buf, TC_TUNNEL_OUTERLEN, "%s->%s", tc_addr_str(t->af, t->src, a),
		 tc_addr_str(t->af, t->dst, b));
	return buf;
}

char *tc_tunnel_str(const struct tc_conn *c, char *buf)
{
	const struct tc_tunnel *t = &tc_conn_ext(c)->tun;
	const char *name = tc_tunnel_name((enum tc_tunnel_type)t->type);
	char outer[TC_TUNNEL_OUTERLEN];

	if (!c->tunnel)
		return NULL;
	if (!name) /* the key without its description: out of memory */
		name = "unknown";
	tc_tunnel_outer(c, outer);
	if (t->has_id)
		snprintf(buf, TC_TUNNEL_STRLEN, "%s/%" PRIu32 "@%s", name, t->id, outer);
	else
		snprintf(buf, TC_TUNNEL_STRLEN, "%s@%s", name, outer);
	return buf;
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

int tc_field(const struct tc_conn *c, const struct tc_verdict *v, const struct tc_diagnosis *d,
	     const char *key, char *buf, size_t n)
{
	const struct tc_endpoint *cl = &c->ep[TC_CLIENT], *sv = &c->ep[TC_SERVER];
	const struct tc_conn_end *en = tc_conn_end(c);
	char t[32];
	tc_history_buf hb;

#define IS(k) (strcmp(key, (k)) == 0)
#define U(x) (snprintf(buf, n, "%" PRIu64, (uint64_t)(x)), 0)
#define S(x) (snprintf(buf, n, "%s", (x)), 0)
	if (IS("id")) return U(c->id);
	if (IS("client")) return endpoint_str(c, TC_CLIENT, buf, n), 0;
	if (IS("server")) return endpoint_str(c, TC_SERVER, buf, n), 0;
	if (IS("opened")) return S(tc_opened_name(v->opened));
	if (IS("close")) return S(tc_close_name(v->close));
	if (IS("closer")) return S(or_dash(tc_who_name(v->closer)));
	if (IS("reset_by")) return S(or_dash(tc_who_name(v->reset_by)));
	if (IS("reset_phase")) return S(or_dash(tc_phase_name(v->reset_phase)));
	if (IS("trailing_rst"))
		return S(or_dash(tc_who_name(v->trailing_rst)));
	if (IS("client_state")) return S(tc_state_name((enum tc_state)cl->state));
	if (IS("server_state")) return S(tc_state_name((enum tc_state)sv->state));
	if (IS("history")) return S(tc_conn_history(c, hb));
	if (IS("pkts_client")) return U(cl->pkts);
	if (IS("pkts_server")) return U(sv->pkts);
	if (IS("bytes_client")) return U(tc_ep_bytes(c, TC_CLIENT));
	if (IS("bytes_server")) return U(tc_ep_bytes(c, TC_SERVER));
	if (IS("fins_client")) return U(en->ep[TC_CLIENT].fins);
	if (IS("fins_server")) return U(en->ep[TC_SERVER].fins);
	if (IS("rsts_client")) return U(en->ep[TC_CLIENT].rsts);
	if (IS("rsts_server")) return U(en->ep[TC_SERVER].rsts);
	if (IS("retx_client")) return U(cl->retx);
	if (IS("retx_server")) return U(sv->retx);
	if (IS("rst_ignored")) return U(c->rst_ignored);
	if (IS("challenge_acks")) return U(tc_conn_ext(c)->challenge_acks);
	if (IS("simultaneous")) return S((c->cflags & TC_CONN_SIMULTANEOUS) ? "yes" : "no");
	if (IS("tw_reuse"))
		return S((c->cflags & TC_CONN_TW_REUSE) ? "yes" : "no");
	if (IS("first_ts")) return S(tc_ts_str(c->first_ts, t));
	if (IS("last_ts")) return S(tc_ts_str(c->last_ts, t));
	if (IS("proto")) return S(c->af == 6 ? "ipv6" : "ipv4");
	if (IS("tunnel")) {
		char tb[TC_TUNNEL_STRLEN];
		return S(or_dash(tc_tunnel_str(c, tb)));
	}
	if (IS("cause") || IS("keepalive_race") || IS("data_lost") || IS("unread") ||
	    IS("injected_score") || IS("stateless_rst") || IS("idle_match")) {
		if (IS("cause"))
			return S(or_dash(tc_cause_name(d->cause)));
		if (IS("keepalive_race"))
			return S((d->notes & TC_DX_KEEPALIVE_RACE) ? "yes" : "no");
		if (IS("data_lost"))
			return S((d->notes & TC_DX_DATA_LOST) ? "yes" : "no");
		if (IS("unread"))
			return S((d->notes & TC_DX_UNREAD) ? "yes" : "no");
		if (IS("stateless_rst"))
			return S((d->notes & TC_DX_STATELESS) ? "yes" : "no");
		if (IS("idle_match"))
			return U(d->idle_match_s);
		return snprintf(buf, n, "%d", d->score), 0;
	}
	if (IS("ka_probes_client")) return U(tc_conn_ext(c)->ep[TC_CLIENT].ka_probes);
	if (IS("ka_probes_server")) return U(tc_conn_ext(c)->ep[TC_SERVER].ka_probes);
#undef IS
#undef U
#undef S
	return -1;
}
