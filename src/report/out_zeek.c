/*
 * out_zeek.c -- a Zeek conn.log (ASCII writer, TSV layout), so zeek-cut,
 * RITA, and every SIEM pipeline that ingests Zeek logs read tcpclose's
 * verdicts as they are.
 *
 * The standard conn.log columns come first, in Zeek's order and with its
 * types; our verdict follows in tc_* columns, which a Zeek reader treats
 * like any extension field. Where tcpclose does not know a value Zeek
 * would log (service: no protocol detection; missed_bytes and the IP-level
 * byte counts: not tracked; local_orig/local_resp: no Site::local_nets) the
 * field is unset ("-"), never a guess.
 *
 * Differences from Zeek's own numbers, all documented in tcpclose(1):
 *   orig_bytes/resp_bytes  payload bytes of every segment, retransmissions
 *                          included (Zeek derives them from sequence numbers);
 *   duration               first to last packet (Zeek stops at the last
 *                          packet that carried new payload or flags);
 *   #open/#close           capture time of the first and last packet, in
 *                          UTC (Zeek writes its wall clock), so that one
 *                          capture always gives the same file.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	{"ts", "time"}, {"uid", "string"}, {"id.orig_h", "addr"}, {"id.orig_p", "port"},
	{"id.resp_h", "addr"}, {"id.resp_p", "port"}, {"proto", "enum"}, {"service", "string"},
	{"duration", "interval"}, {"orig_bytes", "count"}, {"resp_bytes", "count"},
	{"conn_state", "string"}, {"local_orig", "bool"}, {"local_resp", "bool"},
	{"missed_bytes", "count"}, {"history", "string"}, {"orig_pkts", "count"},
	{"orig_ip_bytes", "count"}, {"resp_pkts", "count"}, {"resp_ip_bytes", "count"},
	{"tunnel_parents", "set[string]"},
	/* ours */
	{"tc_id", "count"}, {"tc_close", "string"}, {"tc_cause", "string"}, {"tc_closer", "string"},
	{"tc_reset_by", "string"}, {"tc_reset_phase", "string"}, {"tc_client_state", "string"},
	{"tc_server_state", "string"},
};

#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* ---- conn_state ------------------------------------------------------ */

/* Zeek's per-endpoint TCP states (TCP_Endpoint.h), as conn_state sees them. */
enum zstate { Z_INACTIVE, Z_SYN_SENT, Z_PARTIAL, Z_ESTABLISHED, Z_CLOSED, Z_RESET };

/*
 * Zeek's endpoint state, from what the record says the endpoint did. Zeek
 * moves an endpoint to CLOSED on its FIN and to RESET on its RST, and both
 * ends to ESTABLISHED on the SYN+ACK; an endpoint whose first packet was
 * not a SYN (and that never saw the handshake) is PARTIAL. We take only
 * accepted RSTs, so the state agrees with our close verdict: an RST that
 * failed the acceptability check, or that came after both FINs were
 * acknowledged, did not end the connection.
 */
static enum zstate zeek_state(const struct tc_conn *c, int role)
{
	const struct tc_endpoint *e = &c->ep[role], *peer = &c->ep[!role];

	if (e->flags & TC_EP_RST)
		return Z_RESET;
	if (e->flags & TC_EP_FIN)
		return Z_CLOSED;
	if (e->pkts == 0)
		return Z_INACTIVE;
	if (role == TC_CLIENT) {
		if (e->flags & TC_EP_SYN)
			return (peer->flags & TC_EP_SYN) ? Z_ESTABLISHED : Z_SYN_SENT;
		/* SYN missed, SYN+ACK seen: Zeek establishes on the client's ACK. */
		return (peer->flags & TC_EP_SYN) ? Z_ESTABLISHED : Z_PARTIAL;
	}
	if (e->flags & TC_EP_SYN)
		return Z_ESTABLISHED;
	/* A bare ACK to a SYN, before any SYN+ACK, leaves Zeek's responder
	 * INACTIVE ("eccentric TCPs", TCP.cc). */
	if ((peer->flags & TC_EP_SYN) && e->bytes == 0)
		return Z_INACTIVE;
	return Z_PARTIAL;
}

/* Zeek's /\^?S[^HAFGIQ]*R.* / on the history: SYN, then RST, nothing between. */
static int syn_then_rst(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return 0;
	for (; *h && !strchr("HAFGIQR", *h); h++)
		;
	return *h == 'R';
}

/* Zeek's conn_state() (base/protocols/conn/main.zeek), over our facts. */
const char *tc_zeek_conn_state(const struct tc_conn *c)
{
	enum zstate os = zeek_state(c, TC_CLIENT), rs = zeek_state(c, TC_SERVER);
	int o_inactive = os == Z_INACTIVE || os == Z_PARTIAL;
	int r_inactive = rs == Z_INACTIVE || rs == Z_PARTIAL;

	if (rs == Z_RESET) {
		if (os == Z_SYN_SENT ||
		    (os == Z_RESET && c->ep[TC_CLIENT].bytes == 0 && c->ep[TC_SERVER].bytes == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == Z_RESET) {
		if (r_inactive)
			return syn_then_rst(c->history) ? "RSTOS0" : "OTH";
		return "RSTO";
	}
	if (os == Z_CLOSED && rs == Z_CLOSED)
		return "SF";
	if (os == Z_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == Z_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == Z_SYN_SENT && rs == Z_INACTIVE)
		return "S0";
	if (os == Z_ESTABLISHED && rs == Z_ESTABLISHED)
		return "S1";
	return "OTH";
}

/* ---- uid ------------------------------------------------------------- */

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* splitmix64's finalizer: spreads FNV's weak high bits over all 64. */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/*
 * "C" (Zeek's prefix for connections), 11 base62 digits of a hash of the
 * 4-tuple and the first packet's time, then the connection id in base62.
 * Deterministic, so two runs over one capture agree and rows can be joined
 * across runs; the hash keeps the ids of different captures apart (every
 * capture has a connection 1); the id suffix makes it unique in a run.
 */
char *tc_zeek_uid(const struct tc_conn *c, char *buf)
{
	uint64_t h = 0xcbf29ce484222325ULL, id = c->id;
	uint8_t port[2];
	char tail[16];
	int i, n = 0;

	h = fnv1a(h, &c->af, 1);
	for (i = 0; i < 2; i++) {
		h = fnv1a(h, c->ep[i].addr, 16);
		port[0] = (uint8_t)(c->ep[i].port >> 8);
		port[1] = (uint8_t)c->ep[i].port;
		h = fnv1a(h, port, 2);
	}
	for (i = 0; i < 8; i++) {
		uint8_t byte = (uint8_t)((uint64_t)c->first_ts >> (8 * i));
		h = fnv1a(h, &byte, 1);
	}
	h = mix(h);
	buf[0] = 'C';
	for (i = 11; i >= 1; i--) {
		buf[i] = b62[h % 62];
		h /= 62;
	}
	do {
		tail[n++] = b62[id % 62];
		id /= 62;
	} while (id);
	for (i = 0; i < n; i++)
		buf[12 + i] = tail[n - 1 - i];
	buf[12 + n] = '\0';
	return buf;
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

void tc_zeek_conn(struct tc_zeek *z, const struct tc_conn *c, const struct tc_verdict *v,
		  const struct tc_diagnosis *d)
{
	const struct tc_endpoint *cl = &c->ep[TC_CLIENT], *sv = &c->ep[TC_SERVER];
	FILE *o = z->out;
	char uid[24], a[TC_ADDRSTRLEN], b[TC_ADDRSTRLEN];

	header(z);
	zeek_time(o, c->first_ts);
	fprintf(o, "\t%s\t%s\t%u\t%s\t%u\ttcp\t-\t", tc_zeek_uid(c, uid),
		tc_addr_str(c->af, cl->addr, a), cl->port, tc_addr_str(c->af, sv->addr, b), sv->port);
	/* Zeek logs duration and byte counts only when the duration is > 0. */
	if (c->last_ts > c->first_ts) {
		zeek_time(o, c->last_ts - c->first_ts);
		fprintf(o, "\t%" PRIu64 "\t%" PRIu64 "\t", cl->bytes, sv->bytes);
	} else {
		fputs("-\t-\t-\t", o);
	}
	fprintf(o, "%s\t-\t-\t-\t", tc_zeek_conn_state(c));
	zeek_str(o, c->history[0] ? c->history : NULL);
	fprintf(o, "\t%" PRIu32 "\t-\t%" PRIu32 "\t-\t-", cl->pkts, sv->pkts);
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
	fprintf(o, "\t%s\t%s\n", tc_state_name((enum tc_state)cl->state),
		tc_state_name((enum tc_state)sv->state));
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

const struct tc_writer_ops tc_writer_zeek = {"zeek", 1, zeek_begin, zeek_conn, zeek_end, zeek_discard};
