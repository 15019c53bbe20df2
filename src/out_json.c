/*
 * out_json.c -- JSON Lines: one "conn" record per finished connection, as
 * it finishes, then one "summary" record. The fields of the documented
 * contract (README, docs/json.md) never change meaning; new ones may be added.
 *
 * Everything written is either a number, a fixed vocabulary word, an
 * address, or text escaped by json_str(), so the output is valid JSON
 * whatever the capture holds.
 */
#include <inttypes.h>
#include <stdio.h>

#include "output.h"
#include "tcpclose/diag.h"
#include "tcpclose/tcpsm.h"

static void json_str(FILE *o, const char *s)
{
	fputc('"', o);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(o, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(o, "\\u%04x", ch);
		else
			fputc(ch, o);
	}
	fputc('"', o);
}

static void json_word(FILE *o, const char *s)
{
	if (s)
		fprintf(o, "\"%s\"", s);
	else
		fputs("null", o);
}

static void json_endpoint(FILE *o, const struct tc_conn *c, int role)
{
	char a[TC_ADDRSTRLEN];
	fprintf(o, "{\"ip\":\"%s\",\"port\":%u}", tc_addr_str(c->af, c->ep[role].addr, a),
		c->ep[role].port);
}

static void json_frame(FILE *o, uint64_t f)
{
	if (f)
		fprintf(o, "%" PRIu64, f);
	else
		fputs("null", o);
}

static const char *rst_check_name(int chk)
{
	switch (chk) {
	case TC_RST_EXACT: return "exact";
	case TC_RST_IN_WINDOW: return "in_window";
	case TC_RST_UNCHECKED: return "unchecked";
	default: return "rejected";
	}
}

/* The diagnosis: cause, the frames it rests on, and the signals seen. */
static void json_diag(FILE *o, const struct tc_conn *c, const struct tc_verdict *v,
		      const struct tc_diagnosis *dp)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} notes[] = {
		{TC_DX_DATA_LOST, "data_lost"}, {TC_DX_UNREAD, "unread_data"},
		{TC_DX_KEEPALIVE_RACE, "keepalive_race"}, {TC_DX_STATELESS, "stateless_rst"},
		{TC_DX_SOCKET_RST, "socket_rst"}, {TC_DX_IDLE_MATCH, "idle_timeout_match"},
		{TC_DX_MULTI_RST, "multiple_rsts"}, {TC_DX_RST_IGNORED, "rst_ignored"},
		{TC_DX_TEXT, "rst_text"}, {TC_DX_KEEPALIVE, "keepalive"},
	};
	const struct tc_diagnosis d = *dp;
	char why[512];
	size_t i;
	int first;
	uint32_t bit;

	fputs(",\"cause\":", o);
	json_word(o, tc_cause_name(d.cause));
	if (d.cause == TC_CAUSE_NONE && !d.notes)
		return;
	fputs(",\"evidence\":{\"frames\":[", o);
	for (i = 0; i < 4 && d.frames[i]; i++)
		fprintf(o, "%s%" PRIu64, i ? "," : "", d.frames[i]);
	fputs("],\"notes\":[", o);
	for (i = 0, first = 1; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (d.notes & notes[i].bit) {
			fprintf(o, "%s\"%s\"", first ? "" : ",", notes[i].name);
			first = 0;
		}
	fputs("]", o);
	if (d.cause != TC_CAUSE_NONE)
		fprintf(o, ",\"by\":\"%s\"", d.by == TC_CLIENT ? "client" : "server");
	if (c->frame_rst) {
		const struct tc_rst_evidence *e = &tc_conn_ext(c)->rst;
		fprintf(o, ",\"injected_score\":%d,\"signals\":[", d.score);
		for (bit = 1, first = 1; bit <= TC_SIG_BURST; bit <<= 1)
			if (d.signals & bit) {
				fprintf(o, "%s\"%s\"", first ? "" : ",", tc_signal_name(bit));
				first = 0;
			}
		fprintf(o, "],\"rst\":{\"seq\":\"%s\",\"ttl\":%u,\"sender_ttl\":[%u,%u],\"window\":%u,"
			   "\"timestamps\":%s",
			rst_check_name(e->check), e->ttl, e->ttl_min, e->ttl_max, e->win,
			(e->opt & TC_OPT_TS) ? "true" : "false");
		if (c->af == 4)
			fprintf(o, ",\"ip_id\":%u,\"sender_prev_ip_id\":%u", e->ip_id, e->ip_id_prev);
		if (e->payload_len) {
			fprintf(o, ",\"payload_len\":%u,\"text\":", e->payload_len);
			json_str(o, e->text);
		}
		fputc('}', o);
	}
	if (d.cause == TC_CAUSE_NO_CONNECTION || d.cause == TC_CAUSE_INJECTED ||
	    d.cause == TC_CAUSE_DEAD_PEER || (d.notes & TC_DX_IDLE_MATCH))
		fprintf(o, ",\"idle_s\":%.3f", (double)d.idle_ns / 1e9);
	if (d.idle_match_s)
		fprintf(o, ",\"idle_timeout_match_s\":%u", d.idle_match_s);
	if (d.notes & TC_DX_DATA_LOST)
		fprintf(o, ",\"bytes_lost\":%u", d.data_lost);
	if (d.cause != TC_CAUSE_NONE) {
		tc_diag_explain(c, v, &d, why, sizeof(why));
		fputs(",\"explain\":", o);
		json_str(o, why);
	}
	fputc('}', o);
}

void tc_json_conn(FILE *o, const struct tc_conn *c, const struct tc_verdict *v,
		  const struct tc_diagnosis *d)
{
	const struct tc_endpoint *cl = &c->ep[TC_CLIENT], *sv = &c->ep[TC_SERVER];
	char t1[32], t2[32];

	fprintf(o, "{\"type\":\"conn\",\"id\":%" PRIu64 ",\"first_ts\":%s,\"last_ts\":%s,", c->id,
		tc_ts_str(c->first_ts, t1), tc_ts_str(c->last_ts, t2));
	fputs("\"client\":", o);
	json_endpoint(o, c, TC_CLIENT);
	fputs(",\"server\":", o);
	json_endpoint(o, c, TC_SERVER);
	fprintf(o, ",\"opened\":\"%s\",\"close\":\"%s\",\"closer\":", tc_opened_name(v->opened),
		tc_close_name(v->close));
	json_word(o, tc_who_name(v->closer));
	fputs(",\"reset_by\":", o);
	json_word(o, tc_who_name(v->reset_by));
	fputs(",\"reset_phase\":", o);
	json_word(o, tc_phase_name(v->reset_phase));
	fprintf(o, ",\"client_state\":\"%s\",\"server_state\":\"%s\",\"history\":",
		tc_state_name((enum tc_state)cl->state), tc_state_name((enum tc_state)sv->state));
	json_str(o, c->history);
	fprintf(o,
		",\"pkts\":{\"client\":%" PRIu32 ",\"server\":%" PRIu32 "}"
		",\"bytes\":{\"client\":%" PRIu64 ",\"server\":%" PRIu64 "}"
		",\"fins\":{\"client\":%" PRIu32 ",\"server\":%" PRIu32 "}"
		",\"rsts\":{\"client\":%" PRIu32 ",\"server\":%" PRIu32 "}"
		",\"retransmits\":{\"client\":%" PRIu32 ",\"server\":%" PRIu32 "}"
		",\"rst_ignored\":%" PRIu32 ",\"challenge_acks\":%u,\"simultaneous\":%s,\"superseded\":%s,\"evicted\":%s",
		cl->pkts, sv->pkts, cl->bytes, sv->bytes, cl->fins, sv->fins, cl->rsts, sv->rsts,
		cl->retx, sv->retx, c->rst_ignored, tc_conn_ext(c)->challenge_acks,
		(c->cflags & TC_CONN_SIMULTANEOUS) ? "true" : "false",
		(c->cflags & TC_CONN_SUPERSEDED) ? "true" : "false",
		(c->cflags & TC_CONN_EVICTED) ? "true" : "false");
	fputs(",\"frames\":{\"first\":", o);
	json_frame(o, c->frame_first);
	fputs(",\"last\":", o);
	json_frame(o, c->frame_last);
	fputs(",\"client_fin\":", o);
	json_frame(o, cl->frame_fin);
	fputs(",\"server_fin\":", o);
	json_frame(o, sv->frame_fin);
	fputs(",\"rst\":", o);
	json_frame(o, c->frame_rst);
	fputc('}', o);
	json_diag(o, c, v, d);
	fputs("}\n", o);
}

static void json_summary(FILE *o, const struct tc_stats *st, const struct tc_run_info *ri)
{
	char t1[32], t2[32];
	int i;

	fprintf(o,
		"{\"type\":\"summary\",\"packets\":%" PRIu64 ",\"tcp_packets\":%" PRIu64
		",\"connections\":%" PRIu64 ",\"graceful\":%" PRIu64 ",\"half_closed\":%" PRIu64
		",\"reset\":%" PRIu64 ",\"open\":%" PRIu64 ",\"refused\":%" PRIu64,
		st->frames, st->tcp, st->reported, st->by_close[TC_CLOSE_GRACEFUL],
		st->by_close[TC_CLOSE_HALF_CLOSED], st->by_close[TC_CLOSE_RESET],
		st->by_close[TC_CLOSE_OPEN], st->refused);
	fputs(",\"skipped\":{", o);
	for (i = 1; i < TC_DEC__COUNT; i++)
		fprintf(o, "%s\"%s\":%" PRIu64, i > 1 ? "," : "",
			tc_decode_status_name((enum tc_decode_status)i), st->by_status[i]);
	fprintf(o,
		"},\"rst_ignored\":%" PRIu64 ",\"evicted\":%" PRIu64 ",\"peak_tracked\":%" PRIu64
		",\"time_backwards\":%" PRIu64 ",\"ip_length_clamped\":%" PRIu64,
		st->rst_ignored, st->evicted, st->peak_active, st->time_backwards, st->len_clamped);
	if (st->frames)
		fprintf(o, ",\"first_ts\":%s,\"last_ts\":%s", tc_ts_str(st->ts_first, t1),
			tc_ts_str(st->ts_last, t2));
	fputs(",\"complete\":", o);
	fputs(ri->nerrors ? "false" : "true", o);
	if (ri->nerrors) {
		fputs(",\"errors\":[", o);
		for (i = 0; i < ri->nerrors; i++) {
			if (i)
				fputc(',', o);
			json_str(o, ri->errors[i]);
		}
		fputc(']', o);
	}
	fputs("}\n", o);
}

static const char *const finding_kind[TC_FIND__COUNT] = {
	[TC_FIND_ABORTIVE] = "abortive_close", [TC_FIND_KEEPALIVE_RACE] = "keepalive_race",
	[TC_FIND_DATA_AFTER_CLOSE] = "data_after_close", [TC_FIND_IDLE_TIMEOUT] = "idle_timeout",
	[TC_FIND_NO_CONNECTION] = "no_connection", [TC_FIND_INJECTED] = "injected",
	[TC_FIND_REFUSED] = "refused", [TC_FIND_CLOSE_WAIT] = "close_wait",
	[TC_FIND_TIME_WAIT_PORTS] = "time_wait_ports",
	[TC_FIND_SERVER_CLOSES_FIRST] = "server_closes_first", [TC_FIND_TW_REUSE] = "time_wait_reuse",
	[TC_FIND_KEEPALIVE_TIMEOUT] = "keepalive_timeout", [TC_FIND_DEAD_PEER] = "dead_peer",
	[TC_FIND_NAGLE] = "nagle_stall", [TC_FIND_RST_IGNORED] = "rst_ignored",
	[TC_FIND_HANDSHAKE_ABORT] = "handshake_abort",
};

/* Socket options read from the wire, per service, when there is evidence. */
static void json_services(FILE *o, const struct tc_agg *agg)
{
	size_t i;
	int b;
	for (i = 0; i < tc_agg_nservices(agg); i++) {
		const struct tc_service_stats *s = tc_agg_service(agg, i);
		char a[TC_ADDRSTRLEN];
		fprintf(o, "{\"type\":\"service\",\"ip\":\"%s\",\"port\":%u,\"connections\":%" PRIu64
			   ",\"graceful\":%" PRIu64 ",\"half_closed\":%" PRIu64 ",\"reset\":%" PRIu64
			   ",\"open\":%" PRIu64 ",\"refused\":%" PRIu64,
			tc_addr_str(s->af, s->addr, a), s->port, s->conns, s->by_close[TC_CLOSE_GRACEFUL],
			s->by_close[TC_CLOSE_HALF_CLOSED], s->by_close[TC_CLOSE_RESET],
			s->by_close[TC_CLOSE_OPEN], s->refused);
		fprintf(o, ",\"closer\":{\"client\":%" PRIu64 ",\"server\":%" PRIu64 ",\"both\":%" PRIu64 "}",
			s->client_closed_first, s->server_closed_first, s->simultaneous);
		fputs(",\"causes\":{", o);
		for (b = 1; b < TC_CAUSE__COUNT; b++)
			fprintf(o, "%s\"%s\":%" PRIu64, b > 1 ? "," : "", tc_cause_name((enum tc_cause)b),
				s->by_cause[b]);
		fprintf(o, "},\"close_wait\":{\"server\":%" PRIu64 ",\"client\":%" PRIu64 ",\"longest_s\":%.3f}",
			s->close_wait_server, s->close_wait_client, (double)s->close_wait_longest_ns / 1e9);
		fputs(",\"idle_before_close\":{", o);
		for (b = 0; b < TC_IDLE_BUCKETS; b++) {
			if (b < TC_IDLE_BUCKETS - 1)
				fprintf(o, "%s\"lt_%us\":%" PRIu64, b ? "," : "", tc_idle_bucket_s[b], s->idle_hist[b]);
			else
				fprintf(o, ",\"ge_%us\":%" PRIu64, tc_idle_bucket_s[b - 1], s->idle_hist[b]);
		}
		fputs("},\"socket_options\":{", o);
		fprintf(o, "\"linger0_aborts\":%" PRIu64 ",\"keepalive_conns\":%" PRIu64,
			s->by_cause_server[TC_CAUSE_ABORTIVE_CLOSE], s->ka_conns);
		if (s->ka_interval_ms)
			fprintf(o, ",\"keepalive_interval_s\":%.3f", s->ka_interval_ms / 1e3);
		fprintf(o, ",\"nodelay_conns\":%" PRIu64 ",\"nagle_stalls\":%" PRIu64 ",\"nagle_stall_ms\":%" PRIu64
			   ",\"time_wait_reuse\":%" PRIu64 "}}\n",
			s->nodelay_conns, s->nagle_stalls, s->nagle_stall_ms, s->tw_reuse);
	}
}

/* Hosts that held TIME_WAIT sockets or showed client-side socket options. */
static void json_hosts(FILE *o, const struct tc_agg *agg)
{
	size_t i;
	char t[32];
	for (i = 0; i < tc_agg_nhosts(agg); i++) {
		const struct tc_host_stats *h = tc_agg_host(agg, i);
		char a[TC_ADDRSTRLEN];
		if (!h->tw_total && !h->ka_conns && !h->nodelay_conns && !h->nagle_stalls && !h->aborts &&
		    !h->tw_reuse)
			continue;
		fprintf(o, "{\"type\":\"host\",\"ip\":\"%s\",\"as_client\":%" PRIu64 ",\"as_server\":%" PRIu64
			   ",\"time_wait\":{\"total\":%" PRIu64 ",\"peak\":%u",
			tc_addr_str(h->af, h->addr, a), h->as_client, h->as_server, h->tw_total, h->tw_peak);
		if (h->tw_peak)
			fprintf(o, ",\"peak_ts\":%s", tc_ts_str(h->tw_peak_ts, t));
		fprintf(o, "},\"socket_options\":{\"linger0_aborts\":%" PRIu64 ",\"keepalive_conns\":%" PRIu64,
			h->aborts, h->ka_conns);
		if (h->ka_interval_ms)
			fprintf(o, ",\"keepalive_interval_s\":%.3f", h->ka_interval_ms / 1e3);
		fprintf(o, ",\"nodelay_conns\":%" PRIu64 ",\"nagle_stalls\":%" PRIu64 ",\"nagle_stall_ms\":%" PRIu64
			   ",\"time_wait_reuse\":%" PRIu64 "}}\n",
			h->nodelay_conns, h->nagle_stalls, h->nagle_stall_ms, h->tw_reuse);
	}
	for (i = 0; i < tc_agg_npairs(agg); i++) {
		const struct tc_pair_stats *p = tc_agg_pair(agg, i);
		const struct tc_host_stats *h = tc_agg_host(agg, p->client);
		const struct tc_service_stats *s = tc_agg_service(agg, p->service);
		char a[TC_ADDRSTRLEN], b[TC_ADDRSTRLEN];
		if (!p->tw_peak)
			continue;
		fprintf(o, "{\"type\":\"time_wait\",\"client\":\"%s\",\"server\":{\"ip\":\"%s\",\"port\":%u}"
			   ",\"peak\":%u,\"peak_ts\":%s,\"ephemeral_ports\":%u,\"peak_pct\":%.2f}\n",
			tc_addr_str(h->af, h->addr, a), tc_addr_str(s->af, s->addr, b), s->port, p->tw_peak,
			tc_ts_str(p->tw_peak_ts, t), tc_agg_ephemeral_ports(agg),
			100.0 * p->tw_peak / tc_agg_ephemeral_ports(agg));
	}
}

void tc_json_end(FILE *o, struct tc_agg *agg, const struct tc_stats *st, const struct tc_run_info *ri)
{
	if (agg) {
		size_t n, i;
		const struct tc_finding *f;
		tc_agg_set_stats(agg, st);
		f = tc_agg_findings(agg, &n);
		for (i = 0; i < n; i++) {
			fprintf(o, "{\"type\":\"finding\",\"rank\":%zu,\"kind\":\"%s\",\"severity\":%d,"
				   "\"count\":%" PRIu64,
				i + 1, finding_kind[f[i].kind], f[i].severity, f[i].count);
			if (f[i].of)
				fprintf(o, ",\"of\":%" PRIu64, f[i].of);
			fputs(",\"subject\":", o);
			json_str(o, f[i].subject);
			fputs(",\"text\":", o);
			json_str(o, f[i].text);
			fputs("}\n", o);
		}
		json_services(o, agg);
		json_hosts(o, agg);
	}
	json_summary(o, st, ri);
}
