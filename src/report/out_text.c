/*
 * out_text.c -- the human report.
 *
 * Order matters to the reader on call: the counts first, then resets, then
 * half-closed connections (CLOSE_WAIT leaks), then connections still open,
 * then the graceful ones (only the first few unless verbose: they are
 * rarely the question). Connections arrive in the order they finish, so
 * each verdict's lines are spooled to a temporary file and printed in that
 * order at the end: memory stays flat however many connections there are.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "tcpclose/diag.h"

#define GRACEFUL_SHOWN 10

static const int order[TC_CLOSE__COUNT] = {TC_CLOSE_RESET, TC_CLOSE_HALF_CLOSED, TC_CLOSE_OPEN,
					   TC_CLOSE_GRACEFUL};

struct spool {
	FILE *f;
	char *mem;               /* open_memstream fallback */
	size_t memlen;
	uint64_t n;
};

struct tc_text {
	FILE *out;
	int verbose;
	int color;
	struct spool sp[TC_CLOSE__COUNT];
	uint64_t closer_client, closer_server, closer_both;
	uint64_t time_wait_client, time_wait_server;
	char *selection;          /* description of --only/--port/--host, or NULL */
	uint64_t shown;
};

static FILE *spool_open(struct spool *s)
{
	if (!s->f) {
		s->f = tmpfile();
		if (!s->f)
			s->f = open_memstream(&s->mem, &s->memlen);
	}
	return s->f;
}

struct tc_text *tc_text_new(FILE *out, int verbose, int color)
{
	struct tc_text *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->out = out;
	t->verbose = verbose;
	t->color = color;
	return t;
}

void tc_text_free(struct tc_text *t)
{
	int i;
	if (!t)
		return;
	for (i = 0; i < TC_CLOSE__COUNT; i++) {
		if (t->sp[i].f)
			fclose(t->sp[i].f);
		free(t->sp[i].mem);
	}
	free(t->selection);
	free(t);
}

static const char *role_name(int r)
{
	return r == TC_CLIENT ? "client" : "server";
}

static double secs(int64_t ns)
{
	return (double)ns / 1e9;
}

/* One sentence: who did what, with the frame it rests on. */
static void explain(char *buf, size_t n, const struct tc_conn *c, const struct tc_verdict *v,
		    const struct tc_diagnosis *d)
{
	const struct tc_endpoint *ep = c->ep;
	int first;

	if (d->cause != TC_CAUSE_NONE) {
		tc_diag_explain(c, v, d, buf, n);
		return;
	}

	switch (v->close) {
	case TC_CLOSE_GRACEFUL:
		if (v->closer == TC_WHO_BOTH) {
			snprintf(buf, n, "simultaneous close: FINs crossed (frames %" PRIu64
				 ", %" PRIu64 "), both sides hold TIME_WAIT",
				 ep[0].frame_fin, ep[1].frame_fin);
			break;
		}
		first = v->closer == TC_WHO_SERVER ? TC_SERVER : TC_CLIENT;
		snprintf(buf, n, "%s closed first (FIN frame %" PRIu64 "), %s followed%s; %s holds TIME_WAIT",
			 role_name(first), ep[first].frame_fin, role_name(!first),
			 (ep[!first].flags & TC_EP_FIN_ACKED) ? "" : " (its FIN was never acknowledged)",
			 role_name(first));
		break;
	case TC_CLOSE_HALF_CLOSED:
		first = (ep[TC_CLIENT].flags & TC_EP_FIN) ? TC_CLIENT : TC_SERVER;
		if (ep[first].flags & TC_EP_FIN_ACKED)
			snprintf(buf, n, "%s closed (FIN frame %" PRIu64 "); %s never did: in CLOSE_WAIT for %.3f s until the last packet",
				 role_name(first), ep[first].frame_fin, role_name(!first),
				 secs(c->last_ts - ep[first].ts_fin));
		else
			snprintf(buf, n, "%s sent FIN (frame %" PRIu64 "), never acknowledged; %s never closed",
				 role_name(first), ep[first].frame_fin, role_name(!first));
		break;
	case TC_CLOSE_RESET:
		if (v->opened == TC_OPENED_REFUSED)
			snprintf(buf, n, "refused: the SYN was answered by RST (frame %" PRIu64 ")",
				 c->frame_rst);
		else if (v->reset_by == TC_WHO_BOTH)
			snprintf(buf, n, "both sides sent RST, first during %s (frame %" PRIu64 ")",
				 tc_phase_name(v->reset_phase), c->frame_rst);
		else
			snprintf(buf, n, "%s sent RST during %s (frame %" PRIu64 ")",
				 v->reset_by == TC_WHO_SERVER ? "server" : "client",
				 tc_phase_name(v->reset_phase), c->frame_rst);
		break;
	default:
		if (v->opened == TC_OPENED_SYN_ONLY)
			snprintf(buf, n, "SYN never answered (%" PRIu32 " sent over %.3f s)",
				 ep[TC_CLIENT].pkts, secs(c->last_ts - c->first_ts));
		else if (c->cflags & TC_CONN_SUPERSEDED)
			snprintf(buf, n, "superseded by a new SYN on the same 4-tuple");
		else if (c->cflags & TC_CONN_EVICTED)
			snprintf(buf, n, "still open when evicted from a full table");
		else
			snprintf(buf, n, "no FIN or RST seen; %.3f s of traffic",
				 secs(c->last_ts - c->first_ts));
		break;
	}
}

void tc_text_set_selection(struct tc_text *t, const char *desc)
{
	free(t->selection);
	t->selection = desc ? strdup(desc) : NULL;
}

void tc_text_conn(struct tc_text *t, const struct tc_conn *c, const struct tc_verdict *v,
		  const struct tc_diagnosis *d, int shown)
{
	struct spool *s = &t->sp[v->close];
	char cl[64], sv[64], why[512];
	FILE *f;

	if (v->close == TC_CLOSE_GRACEFUL) {
		if (v->closer == TC_WHO_BOTH)
			t->closer_both++;
		else if (v->closer == TC_WHO_SERVER)
			t->closer_server++;
		else
			t->closer_client++;
	}
	if (c->ep[TC_CLIENT].state == TC_TIME_WAIT)
		t->time_wait_client++;
	if (c->ep[TC_SERVER].state == TC_TIME_WAIT)
		t->time_wait_server++;
	if (!shown)
		return;
	t->shown++;
	s->n++;
	if (v->close == TC_CLOSE_GRACEFUL && !t->verbose && s->n > GRACEFUL_SHOWN)
		return;
	f = spool_open(s);
	if (!f)
		return;
	tc_field(c, v, "client", cl, sizeof(cl));
	tc_field(c, v, "server", sv, sizeof(sv));
	explain(why, sizeof(why), c, v, d);
	fprintf(f, "  #%-5" PRIu64 " %-21s -> %-21s %s\n", c->id, cl, sv, why);
	fprintf(f, "         states %s/%s  pkts %" PRIu32 "/%" PRIu32 "  bytes %" PRIu64 "/%" PRIu64
		   "  history %s%s\n",
		tc_state_name((enum tc_state)c->ep[0].state), tc_state_name((enum tc_state)c->ep[1].state),
		c->ep[0].pkts, c->ep[1].pkts, c->ep[0].bytes, c->ep[1].bytes,
		c->history[0] ? c->history : "-",
		c->rst_ignored ? "  (RSTs not accepted: out of window or challenge-ACKed)" : "");
	if (c->inferred || c->one_way || c->ep[0].gaps || c->ep[1].gaps || c->ep[0].acks_unseen ||
	    c->ep[1].acks_unseen) {
		unsigned i;
		int first = 1;
		fputs("         capture:", f);
		if (c->inferred) {
			fputs(" INFERRED (not captured, implied by what was):", f);
			for (i = 0; i < TC_INF__COUNT; i++)
				if (c->inferred & (1u << i)) {
					fprintf(f, "%s%s", first ? " " : ",", tc_inferred_name(i));
					first = 0;
				}
			fputc(';', f);
		}
		if (c->one_way)
			fprintf(f, " one-way, only the %s's segments;",
				c->one_way == TC_ONE_WAY_CLIENT_SEEN ? "client" : "server");
		if (c->ep[0].gaps || c->ep[1].gaps || c->ep[0].acks_unseen || c->ep[1].acks_unseen)
			fprintf(f, " missed %" PRIu32 "/%" PRIu32 " bytes in %u/%u gaps, %u/%u ACKs of data not captured",
				c->ep[0].missed, c->ep[1].missed, c->ep[0].gaps, c->ep[1].gaps,
				c->ep[0].acks_unseen, c->ep[1].acks_unseen);
		fputc('\n', f);
	}
}

static const char *const section_title[TC_CLOSE__COUNT] = {
	[TC_CLOSE_GRACEFUL] = "GRACEFUL",
	[TC_CLOSE_HALF_CLOSED] = "HALF-CLOSED: one side never called close() (CLOSE_WAIT)",
	[TC_CLOSE_RESET] = "RESET",
	[TC_CLOSE_OPEN] = "OPEN: no close seen",
};

static const char *const section_color[TC_CLOSE__COUNT] = {
	[TC_CLOSE_GRACEFUL] = "\033[32m", [TC_CLOSE_HALF_CLOSED] = "\033[33m",
	[TC_CLOSE_RESET] = "\033[31m", [TC_CLOSE_OPEN] = "\033[36m",
};

static void copy_spool(FILE *out, struct spool *s)
{
	char buf[8192];
	size_t k;
	if (!s->f)
		return;
	fflush(s->f);
	rewind(s->f);
	while ((k = fread(buf, 1, sizeof(buf), s->f)) > 0)
		fwrite(buf, 1, k, out);
}

/* Ranked findings first: the answer before the evidence. */
static void findings(struct tc_text *t, struct tc_agg *agg, const struct tc_stats *st)
{
	FILE *o = t->out;
	const struct tc_finding *f;
	size_t n, i;

	tc_agg_set_stats(agg, st);
	f = tc_agg_findings(agg, &n);
	if (!n)
		return;
	fprintf(o, "\n%sFINDINGS%s\n", t->color ? "\033[1m" : "", t->color ? "\033[0m" : "");
	for (i = 0; i < n && (t->verbose || i < 20); i++)
		fprintf(o, "  %zu. %s\n", i + 1, f[i].text);
	if (i < n)
		fprintf(o, "  ... %zu more (-v)\n", n - i);
}

/* Who held TIME_WAIT, at the peak, against the ephemeral port range. */
static void time_wait(struct tc_text *t, struct tc_agg *agg)
{
	FILE *o = t->out;
	size_t i, shown = 0;
	const struct tc_pair_stats *top = NULL;
	uint32_t ports = tc_agg_ephemeral_ports(agg);

	for (i = 0; i < tc_agg_nhosts(agg); i++)
		if (tc_agg_host(agg, i)->tw_peak)
			shown++;
	if (!shown)
		return;
	fprintf(o, "\nTIME_WAIT (held by the side that closed first; counted for 60 s unless --time-wait)\n");
	for (i = 0, shown = 0; i < tc_agg_nhosts(agg) && shown < 10; i++) {
		const struct tc_host_stats *h = tc_agg_host(agg, i);
		char a[TC_ADDRSTRLEN], ts[64];
		if (!h->tw_peak)
			continue;
		shown++;
		fprintf(o, "  %-39s peak %u at %s, %" PRIu64 " in all\n", tc_addr_str(h->af, h->addr, a),
			h->tw_peak, tc_time_human(h->tw_peak_ts, ts), h->tw_total);
	}
	for (i = 0; i < tc_agg_npairs(agg); i++) {
		const struct tc_pair_stats *p = tc_agg_pair(agg, i);
		if (!top || p->tw_peak > top->tw_peak)
			top = p;
	}
	if (top && top->tw_peak) {
		const struct tc_host_stats *h = tc_agg_host(agg, top->client);
		const struct tc_service_stats *s = tc_agg_service(agg, top->service);
		char a[TC_ADDRSTRLEN], b[TC_ADDRSTRLEN];
		fprintf(o, "  worst client -> service: %s -> %s:%u, peak %u = %.2f%% of %u ephemeral ports\n",
			tc_addr_str(h->af, h->addr, a), tc_addr_str(s->af, s->addr, b), s->port, top->tw_peak,
			100.0 * top->tw_peak / ports, ports);
	}
}

/* One "name: evidence" clause per option seen, into buf; 0 if none. */
static int options_line(char *buf, size_t n, uint64_t aborts, uint64_t ka, uint32_t ka_ms,
			uint64_t nodelay, uint64_t stalls, uint64_t stall_ms, uint64_t reuse)
{
	size_t off = 0;
	buf[0] = '\0';
#define ADD(...)                                                                  \
	do {                                                                      \
		if (off < n)                                                      \
			off += (size_t)snprintf(buf + off, n - off, __VA_ARGS__); \
	} while (0)
	if (aborts)
		ADD("%sSO_LINGER 0 (%" PRIu64 " abort%s)", off ? "; " : "", aborts, aborts == 1 ? "" : "s");
	if (ka) {
		ADD("%sSO_KEEPALIVE (%" PRIu64 " conn%s", off ? "; " : "", ka, ka == 1 ? "" : "s");
		if (ka_ms)
			ADD(", every %.1f s", ka_ms / 1e3);
		ADD(")");
	}
	if (nodelay)
		ADD("%sTCP_NODELAY (%" PRIu64 " conn%s with small segments in flight)", off ? "; " : "",
		    nodelay, nodelay == 1 ? "" : "s");
	if (stalls)
		ADD("%sNagle on, %" PRIu64 " stall%s behind delayed ACKs (%" PRIu64 " ms)", off ? "; " : "",
		    stalls, stalls == 1 ? "" : "s", stall_ms);
	if (reuse)
		ADD("%sreuses 4-tuples in TIME_WAIT (%" PRIu64 ")", off ? "; " : "", reuse);
#undef ADD
	return off > 0;
}

/* Socket options read from the wire: services by ip:port, clients by host. */
static void socket_options(struct tc_text *t, struct tc_agg *agg)
{
	FILE *o = t->out;
	size_t i, shown = 0;
	char line[512], name[80], a[TC_ADDRSTRLEN];

	for (i = 0; i < tc_agg_nservices(agg) && shown < 20; i++) {
		const struct tc_service_stats *s = tc_agg_service(agg, i);
		if (!options_line(line, sizeof(line), s->by_cause_server[TC_CAUSE_ABORTIVE_CLOSE],
				  s->ka_conns, s->ka_interval_ms, s->nodelay_conns, s->nagle_stalls,
				  s->nagle_stall_ms, 0))
			continue;
		if (!shown++)
			fprintf(o, "\nSOCKET OPTIONS (as the wire shows them)\n");
		snprintf(name, sizeof(name), s->af == 6 ? "[%s]:%u" : "%s:%u",
			 tc_addr_str(s->af, s->addr, a), s->port);
		fprintf(o, "  server %-24s %s\n", name, line);
	}
	for (i = 0; i < tc_agg_nhosts(agg) && shown < 20; i++) {
		const struct tc_host_stats *h = tc_agg_host(agg, i);
		if (!options_line(line, sizeof(line), h->aborts, h->ka_conns, h->ka_interval_ms,
				  h->nodelay_conns, h->nagle_stalls, h->nagle_stall_ms, h->tw_reuse))
			continue;
		if (!shown++)
			fprintf(o, "\nSOCKET OPTIONS (as the wire shows them)\n");
		fprintf(o, "  client %-24s %s\n", tc_addr_str(h->af, h->addr, a), line);
	}
}

void tc_text_end(struct tc_text *t, struct tc_agg *agg, const struct tc_stats *st,
		 const struct tc_run_info *ri)
{
	FILE *o = t->out;
	int i;

	fprintf(o, "tcpclose report: ");
	for (i = 0; i < ri->nfiles; i++)
		fprintf(o, "%s%s", i ? ", " : "", ri->files[i]);
	if (ri->filter && *ri->filter)
		fprintf(o, "  (filter: %s)", ri->filter);
	fputc('\n', o);
	fprintf(o, "  %" PRIu64 " packets, %" PRIu64 " TCP", st->frames, st->tcp);
	if (st->frames > st->tcp)
		fprintf(o, " (%" PRIu64 " other or undecodable)", st->frames - st->tcp);
	if (st->frames) {
		char t1[64];
		fprintf(o, ", %.3f s of capture from %s", secs(st->ts_last - st->ts_first),
			tc_time_human(st->ts_first, t1));
	}
	fputc('\n', o);
	fprintf(o, "  %" PRIu64 " connection%s: %" PRIu64 " graceful, %" PRIu64 " half_closed, %" PRIu64
		   " reset (%" PRIu64 " refused), %" PRIu64 " open\n",
		st->reported, st->reported == 1 ? "" : "s", st->by_close[TC_CLOSE_GRACEFUL],
		st->by_close[TC_CLOSE_HALF_CLOSED],
		st->by_close[TC_CLOSE_RESET], st->refused, st->by_close[TC_CLOSE_OPEN]);
	if (st->by_close[TC_CLOSE_GRACEFUL])
		fprintf(o, "  graceful closes: client closed first %" PRIu64 ", server first %" PRIu64
			   ", simultaneous %" PRIu64 "\n",
			t->closer_client, t->closer_server, t->closer_both);
	if (t->time_wait_client || t->time_wait_server)
		fprintf(o, "  TIME_WAIT left on: clients %" PRIu64 ", servers %" PRIu64 "%s\n",
			t->time_wait_client, t->time_wait_server,
			t->time_wait_server > t->time_wait_client ? "  <- servers close first" : "");
	if (st->rst_ignored)
		fprintf(o, "  %" PRIu64 " RSTs ignored (sequence number not acceptable)\n",
			st->rst_ignored);
	if (st->loss_conns || st->one_way || st->inferred || st->dups) {
		double share = st->loss_bytes ? 100.0 * (double)st->loss_bytes /
							(double)(st->loss_bytes + st->payload_bytes)
					      : 0.0;
		fprintf(o, "  CAPTURE LOSS: the capture missed %.2f%% of bytes (%" PRIu64 " in %" PRIu64
			   " gaps) in %" PRIu64 " of %" PRIu64 " connections%s; verdicts of %" PRIu64
			   " connection%s rest on inferred segments\n",
			share, st->loss_bytes, st->loss_gaps, st->loss_conns, st->reported,
			share >= 0.1 ? " (kernel drops at the capture point?)" : "", st->inferred,
			st->inferred == 1 ? "" : "s");
		if (st->one_way)
			fprintf(o, "  %" PRIu64 " one-way connection%s (only one side's segments: asymmetric routing at the capture point?)\n",
				st->one_way, st->one_way == 1 ? "" : "s");
		if (st->dups)
			fprintf(o, "  %" PRIu64 " frame%s captured twice (not retransmissions; SPAN port or merged captures?)\n",
				st->dups, st->dups == 1 ? "" : "s");
	}
	if (t->selection)
		fprintf(o, "  showing %" PRIu64 " of %" PRIu64 " connection%s: %s\n", t->shown,
			st->reported, st->reported == 1 ? "" : "s", t->selection);
	if (st->evicted)
		fprintf(o, "  %" PRIu64 " connections evicted to stay within --max-conns\n",
			st->evicted);

	if (agg) {
		findings(t, agg, st);
		time_wait(t, agg);
		socket_options(t, agg);
	}
	for (i = 0; i < TC_CLOSE__COUNT; i++) {
		int k = order[i];
		struct spool *s = &t->sp[k];
		if (!s->n)
			continue;
		fprintf(o, "\n%s%s (%" PRIu64 ")%s\n", t->color ? section_color[k] : "",
			section_title[k], s->n, t->color ? "\033[0m" : "");
		copy_spool(o, s);
		if (k == TC_CLOSE_GRACEFUL && !t->verbose && s->n > GRACEFUL_SHOWN)
			fprintf(o, "  ... and %" PRIu64 " more graceful (-v lists all)\n",
				s->n - GRACEFUL_SHOWN);
	}
	for (i = 0; i < ri->nerrors; i++)
		fprintf(o, "\nINPUT STOPPED EARLY: %s\n  the report covers what was read before it\n",
			ri->errors[i]);
}
