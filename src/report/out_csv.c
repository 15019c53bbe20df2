/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * out_csv.c -- one CSV row per finished connection, for spreadsheets,
 * DuckDB, pandas and `mlr`.
 *
 * Columns are the JSON record flattened, named as the field vocabulary of
 * fields.c (pkts_client, ...), so a name means the same thing in .expect
 * files, CSV and JSON. A null is an empty field; booleans are true/false;
 * timestamps are epoch seconds with nanoseconds, as in JSON.
 *
 * Quoting follows RFC 4180: a field holding a comma, a double quote, CR or
 * LF is enclosed in double quotes, and its quotes are doubled. Only the
 * explanation sentence can need it (it quotes the payload text of an RST).
 * Lines end in LF: Unix tools want it, and RFC 4180 readers accept it.
 *
 * inferred, a list in JSON, is one field of names joined by ';' (DuckDB's
 * string_split(inferred, ';'), pandas' str.split(';')): a comma would
 * force quoting on every row that has two.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "out_tab.h"
#include "output.h"
#include "writer.h"

static const char *const columns[] = {
	"id",
	"first_ts",
	"last_ts",
	"client_ip",
	"client_port",
	"server_ip",
	"server_port",
	"opened",
	"close",
	"closer",
	"reset_by",
	"reset_phase",
	"client_state",
	"server_state",
	"history",
	"pkts_client",
	"pkts_server",
	"bytes_client",
	"bytes_server",
	"fins_client",
	"fins_server",
	"rsts_client",
	"rsts_server",
	"retx_client",
	"retx_server",
	"rst_ignored",
	"simultaneous",
	"superseded",
	"evicted",
	"frame_first",
	"frame_last",
	"frame_client_fin",
	"frame_server_fin",
	"frame_rst",
	"cause",
	"cause_by",
	"explain",
	"tunnel",
	"trailing_rst_by",
	"trailing_rst_cause",
	"trailing_rst_frame",
	"inferred",
	"one_way",
};

void tc_csv_header(FILE *o)
{
	size_t i;
	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		fprintf(o, "%s%s", i ? "," : "", columns[i]);
	fputc('\n', o);
}

/* A text field, quoted only when it must be. NULL is an empty field. */
static void csv_str(FILE *o, const char *s)
{
	fputc(',', o);
	if (!s)
		return;
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, o);
		return;
	}
	fputc('"', o);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', o);
		fputc(*s, o);
	}
	fputc('"', o);
}

/* Frame numbers: 0 means "none" in the record. */
static void csv_frame(FILE *o, uint64_t f)
{
	if (f)
		fprintf(o, ",%" PRIu64, f);
	else
		fputc(',', o);
}

/* The segments the verdict infers, by tc_inferred_name(); empty if none. */
static void csv_inferred(FILE *o, unsigned inferred)
{
	unsigned i;
	int first = 1;

	fputc(',', o);
	for (i = 0; i < TC_INF__COUNT; i++) {
		if (!(inferred & (1u << i)))
			continue;
		fprintf(o, "%s%s", first ? "" : ";", tc_inferred_name(i));
		first = 0;
	}
}

static const char *yes(int b)
{
	return b ? "true" : "false";
}

/* The side whose segments alone were captured, NULL if both were. */
static const char *one_way_word(const struct tc_conn *c)
{
	if (c->one_way == TC_ONE_WAY_NONE)
		return NULL;
	return c->one_way == TC_ONE_WAY_CLIENT_SEEN ? "client" : "server";
}

void tc_csv_conn(FILE *o, const struct tc_conn *c, const struct tc_verdict *v,
		 const struct tc_diagnosis *d)
{
	const struct tc_endpoint *cl = &c->ep[TC_CLIENT], *sv = &c->ep[TC_SERVER];
	const struct tc_conn_end *en = tc_conn_end(c);
	char t1[32], t2[32], a[TC_ADDRSTRLEN], b[TC_ADDRSTRLEN], why[512], tun[TC_TUNNEL_STRLEN];
	tc_history_buf hb;

	fprintf(o, "%" PRIu64 ",%s,%s,%s,%u,%s,%u", c->id, tc_ts_str(c->first_ts, t1),
		tc_ts_str(c->last_ts, t2), tc_addr_str(c->af, cl->addr, a), cl->port,
		tc_addr_str(c->af, sv->addr, b), sv->port);
	csv_str(o, tc_opened_name(v->opened));
	csv_str(o, tc_close_name(v->close));
	csv_str(o, tc_who_name(v->closer));
	csv_str(o, tc_who_name(v->reset_by));
	csv_str(o, tc_phase_name(v->reset_phase));
	csv_str(o, tc_state_name((enum tc_state)cl->state));
	csv_str(o, tc_state_name((enum tc_state)sv->state));
	csv_str(o, c->hist_len ? tc_conn_history(c, hb) : NULL);
	fprintf(o,
		",%" PRIu32 ",%" PRIu32 ",%" PRIu64 ",%" PRIu64 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32
		",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32,
		cl->pkts, sv->pkts, tc_ep_bytes(c, TC_CLIENT), tc_ep_bytes(c, TC_SERVER),
		en->ep[TC_CLIENT].fins, en->ep[TC_SERVER].fins, en->ep[TC_CLIENT].rsts,
		en->ep[TC_SERVER].rsts, cl->retx, sv->retx, c->rst_ignored);
	csv_str(o, yes(c->cflags & TC_CONN_SIMULTANEOUS));
	csv_str(o, yes(c->cflags & TC_CONN_SUPERSEDED));
	csv_str(o, yes(c->cflags & TC_CONN_EVICTED));
	csv_frame(o, c->frame_first);
	csv_frame(o, c->frame_last);
	csv_frame(o, en->ep[TC_CLIENT].frame_fin);
	csv_frame(o, en->ep[TC_SERVER].frame_fin);
	csv_frame(o, en->frame_rst);
	csv_str(o, tc_cause_name(d->cause));
	if (d->cause != TC_CAUSE_NONE) {
		csv_str(o, d->by == TC_CLIENT ? "client" : "server");
		tc_diag_explain(c, v, d, why, sizeof(why));
		csv_str(o, why);
	} else {
		csv_str(o, NULL);
		csv_str(o, NULL);
	}
	csv_str(o, tc_tunnel_str(c, tun));
	if (v->trailing_rst != TC_WHO_NONE) {
		csv_str(o, tc_who_name(v->trailing_rst));
		csv_str(o, tc_cause_name(d->cause));
		csv_frame(o, en->frame_rst);
	} else {
		csv_str(o, NULL);
		csv_str(o, NULL);
		csv_str(o, NULL);
	}
	csv_inferred(o, c->inferred);
	csv_str(o, one_way_word(c));
	fputc('\n', o);
}

/* ---- as a format of the pipeline (writer.h) --------------------------- */

static void *csv_begin(const struct tc_writer_cfg *cfg)
{
	tc_csv_header(cfg->out);
	return cfg->out;
}

static void csv_conn(void *w, const struct tc_conn *c, const struct tc_verdict *v,
		     const struct tc_diagnosis *d, int shown)
{
	if (shown)
		tc_csv_conn(w, c, v, d);
}

static void csv_end(void *w, const struct tc_writer_end *e)
{
	(void)w;
	(void)e; /* no summary rows: see out_tab.h */
}

static void csv_discard(void *w)
{
	(void)w;
}

const struct tc_writer_ops tc_writer_csv = {
	.name = "csv",
	.rows = 1,
	.begin = csv_begin,
	.conn = csv_conn,
	.end = csv_end,
	.discard = csv_discard,
};
