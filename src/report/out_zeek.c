/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * out_zeek.c -- a Zeek conn.log (ASCII writer, TSV layout), so zeek-cut,
 * RITA, and every SIEM pipeline that ingests Zeek logs read tcpclose's
 * verdicts as they are.
 *
 * The standard conn.log columns come first, in Zeek's order and with its
 * types; our verdict follows in tc_* columns, which a Zeek reader treats
 * like any extension field. Where tcpclose does not know a value Zeek
 * would log (service: no protocol detection; local_orig/local_resp: no
 * Site::local_nets) the field is unset ("-"), never a guess.
 *
 * conn_state comes from Zeek's own endpoint rules run over the packets
 * (segment.c), orig_bytes/resp_bytes from sequence numbers as Zeek counts
 * them (tc_zeek_size), missed_bytes from the sequence space the capture
 * lacks (infer.c's per-endpoint counters), orig_pkts/resp_pkts and
 * orig_ip_bytes/resp_ip_bytes as Zeek's ConnSize analyzer counts them:
 * every frame of the direction, duplicates and retransmissions included,
 * and the IP length field of each (segment.c); tcpclose's own verdict is
 * in the tc_* columns and may disagree with conn_state.
 *
 * Differences from Zeek's own numbers, all documented in tcpclose(1):
 *   orig_bytes/resp_bytes  an endpoint whose SYN was not captured counts its
 *                          payload bytes seen (its start is not kept);
 *   duration               first to last packet (Zeek stops at the last
 *                          packet that carried new payload or flags);
 *   *_pkts, *_ip_bytes     frames with a bad TCP checksum count (Zeek
 *                          drops them before ConnSize sees them);
 *   #open/#close           capture time of the first and last packet, in
 *                          UTC (Zeek writes its wall clock), so that one
 *                          capture always gives the same file.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcpclose/zeek.h"

#include "out_tab.h"
#include "output.h"
#include "writer.h"

struct tc_zeek {
	FILE *out;
	const struct tc_stats *st;
	int header_done;
};

static const struct {
	const char *name, *type;
} cols[] = {
	{"ts", "time"},
	{"uid", "string"},
	{"id.orig_h", "addr"},
	{"id.orig_p", "port"},
	{"id.resp_h", "addr"},
	{"id.resp_p", "port"},
	{"proto", "enum"},
	{"service", "string"},
	{"duration", "interval"},
	{"orig_bytes", "count"},
	{"resp_bytes", "count"},
	{"conn_state", "string"},
	{"local_orig", "bool"},
	{"local_resp", "bool"},
	{"missed_bytes", "count"},
	{"history", "string"},
	{"orig_pkts", "count"},
	{"orig_ip_bytes", "count"},
	{"resp_pkts", "count"},
	{"resp_ip_bytes", "count"},
	{"tunnel_parents", "set[string]"},
	/* ours */
	{"tc_id", "count"},
	{"tc_close", "string"},
	{"tc_cause", "string"},
	{"tc_closer", "string"},
	{"tc_reset_by", "string"},
	{"tc_reset_phase", "string"},
	{"tc_client_state", "string"},
	{"tc_server_state", "string"},
	{"tc_trailing_rst_by", "string"},
	{"tc_trailing_rst_cause", "string"},
	{"tc_trailing_rst_frame", "count"},
	{"tc_inferred", "set[string]"},
	{"tc_one_way", "string"},
};

#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static void zeek_tunnel_parent(FILE *o, const struct tc_conn *c)
{
	char buf[13];
	const char *uid = tc_zeek_tunnel_uid(c, buf);
	fputs(uid ? uid : "-", o);
}

/*
 * tc_inferred, a set[string] as Zeek's ASCII writer logs one: the names
 * joined by the set separator, "(empty)" when nothing was inferred -- the
 * set is known and empty, which Zeek writes so, not unset ("-").
 */
static void zeek_inferred(FILE *o, unsigned inferred)
{
	unsigned i;
	int first = 1;

	for (i = 0; i < TC_INF__COUNT; i++) {
		if (!(inferred & (1u << i)))
			continue;
		fprintf(o, "%s%s", first ? "" : ",", tc_inferred_name(i));
		first = 0;
	}
	if (first)
		fputs("(empty)", o);
}

/* ---- rows ------------------------------------------------------------ */

/* Zeek's time and interval: seconds with microseconds. */
static void zeek_time(FILE *o, int64_t ns)
{
	int64_t s = ns / 1000000000LL, f = ns % 1000000000LL;
	if (f < 0) {
		f += 1000000000LL;
		s -= 1;
	}
	fprintf(o, "%" PRId64 ".%06" PRId64, s, f / 1000);
}

/* A string field: unset "-", empty "(empty)", anything unprintable, the
 * separator or a backslash as \xHH, as Zeek's ASCII writer escapes. */
static void zeek_str(FILE *o, const char *s)
{
	if (!s) {
		fputc('-', o);
		return;
	}
	if (!*s) {
		fputs("(empty)", o);
		return;
	}
	if (!strcmp(s, "-")) {
		fputs("\\x2d", o);
		return;
	}
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch >= 0x7f || ch == '\\')
			fprintf(o, "\\x%02x", ch);
		else
			fputc(ch, o);
	}
}

/* Zeek's header time stamp: %Y-%m-%d-%H-%M-%S. */
static void header_time(FILE *o, int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000LL);
	struct tm tm;
	char buf[64];
	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%d-%H-%M-%S", &tm))
		snprintf(buf, sizeof(buf), "%" PRId64, (int64_t)(ns / 1000000000LL));
	fputs(buf, o);
}

/* With no packet at all there is no capture time: say now, as Zeek would. */
static int64_t capture_or_now(const struct tc_stats *st, int64_t ns)
{
	struct timespec now;
	if (st->frames)
		return ns;
	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		return 0;
	return (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static void header(struct tc_zeek *z)
{
	FILE *o = z->out;
	size_t i;

	if (z->header_done)
		return;
	z->header_done = 1;
	fputs("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
	      "#path\tconn\n#open\t", o);
	header_time(o, capture_or_now(z->st, z->st->ts_first));
	fputs("\n#fields", o);
	for (i = 0; i < NCOLS; i++)
		fprintf(o, "\t%s", cols[i].name);
	fputs("\n#types", o);
	for (i = 0; i < NCOLS; i++)
		fprintf(o, "\t%s", cols[i].type);
	fputc('\n', o);
}

struct tc_zeek *tc_zeek_new(FILE *out, const struct tc_stats *st)
{
	struct tc_zeek *z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	z->out = out;
	z->st = st;
	return z;
}

/* The side whose segments alone were captured, NULL if both were. */
static const char *one_way_word(const struct tc_conn *c)
{
	if (c->one_way == TC_ONE_WAY_NONE)
		return NULL;
	return c->one_way == TC_ONE_WAY_CLIENT_SEEN ? "client" : "server";
}

void tc_zeek_conn(struct tc_zeek *z, const struct tc_conn *c, const struct tc_verdict *v,
		  const struct tc_diagnosis *d)
{
	const struct tc_endpoint *cl = &c->ep[TC_CLIENT], *sv = &c->ep[TC_SERVER];
	FILE *o = z->out;
	char uid[24], a[TC_ADDRSTRLEN], b[TC_ADDRSTRLEN];
	const struct tc_conn_ext *x = tc_conn_ext(c);
	tc_history_buf hb;

	header(z);
	zeek_time(o, c->first_ts);
	fprintf(o, "\t%s\t%s\t%u\t%s\t%u\ttcp\t-\t", tc_zeek_uid(c, uid),
		tc_addr_str(c->af, cl->addr, a), cl->port, tc_addr_str(c->af, sv->addr, b), sv->port);
	/* Zeek logs duration and byte counts only when the duration is > 0. */
	if (c->last_ts > c->first_ts) {
		zeek_time(o, c->last_ts - c->first_ts);
		fprintf(o, "\t%" PRIu64 "\t%" PRIu64 "\t", tc_zeek_size(c, TC_CLIENT),
			tc_zeek_size(c, TC_SERVER));
	} else {
		fputs("-\t-\t-\t", o);
	}
	fprintf(o, "%s\t-\t-\t%" PRIu64 "\t", tc_zeek_conn_state(c),
		(uint64_t)x->ep[TC_CLIENT].missed + x->ep[TC_SERVER].missed);
	zeek_str(o, c->hist_len ? tc_conn_history(c, hb) : NULL);
	fprintf(o, "\t%" PRIu32 "\t%" PRIu64 "\t%" PRIu32 "\t%" PRIu64 "\t", cl->pkts,
		tc_ep_ip_bytes(c, TC_CLIENT), sv->pkts, tc_ep_ip_bytes(c, TC_SERVER));
	zeek_tunnel_parent(o, c);
	fprintf(o, "\t%" PRIu64 "\t", c->id);
	zeek_str(o, tc_close_name(v->close));
	fputc('\t', o);
	zeek_str(o, tc_cause_name(d->cause));
	fputc('\t', o);
	zeek_str(o, tc_who_name(v->closer));
	fputc('\t', o);
	zeek_str(o, tc_who_name(v->reset_by));
	fputc('\t', o);
	zeek_str(o, tc_phase_name(v->reset_phase));
	fprintf(o, "\t%s\t%s\t", tc_state_name((enum tc_state)cl->state),
		tc_state_name((enum tc_state)sv->state));
	if (v->trailing_rst != TC_WHO_NONE) {
		zeek_str(o, tc_who_name(v->trailing_rst));
		fputc('\t', o);
		zeek_str(o, tc_cause_name(d->cause));
		fprintf(o, "\t%" PRIu64 "\t", tc_conn_end(c)->frame_rst);
	} else {
		fputs("-\t-\t-\t", o);
	}
	zeek_inferred(o, c->inferred);
	fputc('\t', o);
	zeek_str(o, one_way_word(c));
	fputc('\n', o);
}

void tc_zeek_end(struct tc_zeek *z)
{
	if (!z)
		return;
	header(z);
	fputs("#close\t", z->out);
	header_time(z->out, capture_or_now(z->st, z->st->ts_last));
	fputc('\n', z->out);
	free(z);
}

/* ---- as a format of the pipeline (writer.h) --------------------------- */

static void *zeek_begin(const struct tc_writer_cfg *cfg)
{
	return tc_zeek_new(cfg->out, cfg->st);
}

static void zeek_conn(void *w, const struct tc_conn *c, const struct tc_verdict *v,
		      const struct tc_diagnosis *d, int shown)
{
	if (shown)
		tc_zeek_conn(w, c, v, d);
}

static void zeek_end(void *w, const struct tc_writer_end *e)
{
	(void)e;
	tc_zeek_end(w);
}

static void zeek_discard(void *w)
{
	free(w);
}

const struct tc_writer_ops tc_writer_zeek = {
	.name = "zeek",
	.rows = 1,
	.begin = zeek_begin,
	.conn = zeek_conn,
	.end = zeek_end,
	.discard = zeek_discard,
};
