/*
 * main.c -- the tcpclose command line.
 *
 * Thin by design: parse options, open the input (source.c), feed frames to
 * the engine, route finished connections to the chosen writer. All analysis
 * lives in the core library; nothing here knows TCP.
 *
 * Exit status: 0 success; 1 usage error or input that cannot be read at
 * all; 2 input damaged part-way (a report of what was read was produced);
 * 3 --expect found mismatches.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "ladder.h"
#include "output.h"
#include "source.h"

#ifndef TC_VERSION
#define TC_VERSION "0.0.0"
#endif

enum format { FMT_TEXT, FMT_JSON };

struct opts {
	char **files;
	int nfiles;
	char *filter;
	uint64_t count;          /* -c: 0 = all */
	enum format fmt;
	int verbose;
	int color;               /* -1 auto */
	const char *expect;
	const char *outfile;
	struct tc_engine_opts eng;
	struct tc_agg_opts agg;
	const char *ladder;       /* --ladder SELECTOR */
	int ladder_full;
};

#define MAX_LADDERS 16

/* Ladders being recorded for --ladder, with the verdict once known. */
struct ladders {
	struct tc_ladder_sel sel;
	struct tc_ladder *l[MAX_LADDERS];
	struct tc_conn conn[MAX_LADDERS];
	char verdict[MAX_LADDERS][512];
	int n;
	uint64_t more;            /* matching connections beyond MAX_LADDERS */
};

struct run {
	struct opts *o;
	FILE *out;
	struct tc_text *text;
	struct tc_expect *expect;
	struct tc_agg *agg;
	struct ladders *lad;
};

static const char *prog = "tcpclose";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s -r FILE [-r FILE ...] [options] [BPF expression]\n"
		"Report how every TCP connection in a capture ended, who ended it, and why.\n"
		"\n"
		"  -r FILE            read a pcap/pcapng file (\"-\" = stdin); repeat for rotated\n"
		"                     files: they are merged in time order\n"
		"  -c N               stop after N packets\n"
		"  -o FILE            write the report to FILE instead of stdout\n"
		"  -v                 list every connection, graceful ones included\n"
		"  --format FMT       text (default) or json (JSON Lines, one record per\n"
		"                     connection as it finishes, then a summary record)\n"
		"  --expect FILE      check the verdicts against a .expect file; exit 3 if\n"
		"                     they differ (captures as regression tests)\n"
		"  --max-conns N      track at most N connections at once (default %u);\n"
		"                     the most idle are reported and dropped first\n"
		"  --linger SECONDS   report a closed connection this long after its close,\n"
		"                     so late retransmissions still count (default %d)\n"
		"  --time-wait S      TIME_WAIT length for the accounting (default 60, Linux)\n"
		"  --ephemeral-ports LO-HI|N  client port range to compare TIME_WAIT peaks\n"
		"                     with (default 32768-60999, Linux)\n"
		"  --ladder SEL       draw the close sequence of connection SEL (an id from the\n"
		"                     report, or ADDR:PORT-ADDR:PORT) as a ladder diagram\n"
		"  --ladder-all       ... with every segment (handshake and data not compressed)\n"
		"  --color[=WHEN]     colour the text report: auto, always, never (NO_COLOR)\n"
		"  -h, --help         this help\n"
		"  --version          versions of tcpclose and libpcap\n"
		"\n"
		"Exit status: 0 ok, 1 usage or unreadable input, 2 input damaged part-way\n"
		"(the report covers what was read), 3 --expect mismatch.\n",
		prog, TC_DEFAULT_MAX_CONNS, (int)(TC_DEFAULT_LINGER_NS / 1000000000LL));
}

static void die_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\n", prog, msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	exit(1);
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		die_usage(what, s);
	return v;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 0;
	int i;
	char *s;
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (!len)
		return NULL;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void parse(struct opts *o, int argc, char **argv)
{
	enum { O_FORMAT = 256, O_EXPECT, O_MAXCONNS, O_LINGER, O_COLOR, O_VERSION, O_TIMEWAIT,
	       O_EPHEMERAL, O_LADDER, O_LADDER_ALL };
	static const struct option longopts[] = {
		{"format", required_argument, NULL, O_FORMAT},
		{"expect", required_argument, NULL, O_EXPECT},
		{"max-conns", required_argument, NULL, O_MAXCONNS},
		{"linger", required_argument, NULL, O_LINGER},
		{"color", optional_argument, NULL, O_COLOR},
		{"colour", optional_argument, NULL, O_COLOR},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, O_VERSION},
		{"time-wait", required_argument, NULL, O_TIMEWAIT},
		{"ephemeral-ports", required_argument, NULL, O_EPHEMERAL},
		{"ladder", required_argument, NULL, O_LADDER},
		{"ladder-all", no_argument, NULL, O_LADDER_ALL},
		{NULL, 0, NULL, 0},
	};
	int ch;

	o->color = -1;
	o->eng.linger_ns = -1;
	o->files = calloc((size_t)argc + 1, sizeof(*o->files));
	if (!o->files)
		exit(1);
	/* "+" stops at the first non-option: the BPF expression follows. */
	while ((ch = getopt_long(argc, argv, "+r:c:o:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': o->files[o->nfiles++] = optarg; break;
		case 'c': o->count = parse_u64(optarg, "invalid packet count"); break;
		case 'o': o->outfile = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		case O_FORMAT:
			if (!strcmp(optarg, "text")) o->fmt = FMT_TEXT;
			else if (!strcmp(optarg, "json")) o->fmt = FMT_JSON;
			else die_usage("unknown format (text, json)", optarg);
			break;
		case O_EXPECT: o->expect = optarg; break;
		case O_MAXCONNS: {
			uint64_t v = parse_u64(optarg, "invalid --max-conns");
			if (v == 0 || v > UINT32_MAX)
				die_usage("--max-conns must be 1 .. 4294967295", optarg);
			o->eng.max_conns = (uint32_t)v;
			break;
		}
		case O_LINGER: {
			char *end;
			double d = strtod(optarg, &end);
			if (end == optarg || *end || d < 0 || d > 86400)
				die_usage("invalid --linger", optarg);
			o->eng.linger_ns = (int64_t)(d * 1e9);
			break;
		}
		case O_TIMEWAIT: {
			char *end;
			double d = strtod(optarg, &end);
			if (end == optarg || *end || d <= 0 || d > 86400)
				die_usage("invalid --time-wait (seconds)", optarg);
			o->agg.time_wait_ns = o->eng.time_wait_ns = (int64_t)(d * 1e9);
			break;
		}
		case O_EPHEMERAL: {
			/* "LO-HI" as in ip_local_port_range, or a count */
			unsigned lo, hi;
			char dash;
			if (sscanf(optarg, "%u%c%u", &lo, &dash, &hi) == 3 && dash == '-' && lo <= hi && hi <= 65535)
				o->agg.ephemeral_ports = hi - lo + 1;
			else {
				uint64_t v = parse_u64(optarg, "invalid --ephemeral-ports (LO-HI or a count)");
				if (v == 0 || v > 65535)
					die_usage("invalid --ephemeral-ports (LO-HI or a count)", optarg);
				o->agg.ephemeral_ports = (uint32_t)v;
			}
			break;
		}
		case O_LADDER: o->ladder = optarg; break;
		case O_LADDER_ALL: o->ladder_full = 1; break;
		case O_COLOR:
			if (!optarg || !strcmp(optarg, "always")) o->color = 1;
			else if (!strcmp(optarg, "never")) o->color = 0;
			else if (!strcmp(optarg, "auto")) o->color = -1;
			else die_usage("--color takes auto, always or never", optarg);
			break;
		case O_VERSION:
			printf("tcpclose %s\n%s\n", TC_VERSION, pcap_lib_version());
			exit(0);
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n", prog);
			exit(1);
		}
	}
	o->filter = join_args(argc - optind, argv + optind);
	if (o->nfiles == 0)
		die_usage("no input: give a capture file with -r FILE", NULL);
}

static void on_segment(const struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
		       int64_t ts, uint64_t frame, const uint8_t before[2], void *arg)
{
	struct ladders *L = arg;
	int i;
	if (!tc_ladder_matches(&L->sel, c))
		return;
	for (i = 0; i < L->n; i++)
		if (L->l[i]->conn_id == c->id)
			break;
	if (i == L->n) {
		if (L->n == MAX_LADDERS || !(L->l[i] = malloc(sizeof(*L->l[i])))) {
			L->more++;
			return;
		}
		tc_ladder_init(L->l[i], c->id);
		L->n++;
	}
	tc_ladder_add(L->l[i], c, from, p, ts, frame, before);
}

static void ladder_verdict(struct ladders *L, const struct tc_conn *c, const struct tc_verdict *v,
			   const struct tc_diagnosis *d)
{
	int i;
	for (i = 0; i < L->n; i++) {
		if (L->l[i]->conn_id != c->id)
			continue;
		L->conn[i] = *c;
		if (d->cause != TC_CAUSE_NONE) {
			char why[400];
			tc_diag_explain(c, v, d, why, sizeof(why));
			snprintf(L->verdict[i], sizeof(L->verdict[i]), "%s: %s", tc_close_name(v->close), why);
		} else {
			snprintf(L->verdict[i], sizeof(L->verdict[i]), "%s, closer %s, final states %s / %s",
				 tc_close_name(v->close), tc_who_name(v->closer) ? tc_who_name(v->closer) : "none",
				 tc_state_name((enum tc_state)c->ep[0].state),
				 tc_state_name((enum tc_state)c->ep[1].state));
		}
	}
}

static void put_line(const char *s, void *arg)
{
	fprintf(arg, "%s\n", s);
}

static void on_conn(const struct tc_conn *c, const struct tc_verdict *v, void *arg)
{
	struct run *r = arg;
	struct tc_diagnosis d;

	if (r->lad) {
		tc_diagnose(c, v, &d);
		ladder_verdict(r->lad, c, v, &d);
		return;
	}
	if (r->expect) {
		tc_expect_conn(r->expect, c, v);
		return;
	}
	tc_diagnose(c, v, &d);
	tc_agg_conn(r->agg, c, v, &d);
	if (r->o->fmt == FMT_JSON)
		tc_json_conn(r->out, c, v, &d);
	else
		tc_text_conn(r->text, c, v, &d);
}

static uint64_t random_seed(void)
{
	uint64_t s = 0;
	if (getentropy(&s, sizeof(s)) != 0)
		s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return s;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct run r = {0};
	struct tc_source *src;
	struct tc_engine *eng;
	struct tc_frame fr;
	struct tc_run_info ri = {0};
	char err[TC_ERRBUF];
	const char **errs = NULL;
	int status = 0, i;

	parse(&o, argc, argv);
	r.o = &o;
	r.out = stdout;
	if (o.outfile && !(r.out = fopen(o.outfile, "w"))) {
		fprintf(stderr, "%s: %s: %s\n", prog, o.outfile, strerror(errno));
		return 1;
	}
	if (o.color < 0)
		o.color = !o.outfile && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");

	if (o.expect) {
		r.expect = tc_expect_load(o.expect, err, sizeof(err));
		if (!r.expect) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return 1;
		}
	} else {
		r.agg = tc_agg_new(&o.agg);
		if (!r.agg) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
	}
	if (!o.expect && o.fmt == FMT_TEXT) {
		r.text = tc_text_new(r.out, o.verbose, o.color);
		if (!r.text) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
	}

	src = tc_source_open(o.files, o.nfiles, o.filter, err);
	if (!src) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	o.eng.hash_seed = random_seed();
	eng = tc_engine_new(&o.eng, on_conn, &r);
	if (!eng) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	if (o.ladder) {
		r.lad = calloc(1, sizeof(*r.lad));
		if (!r.lad) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
		if (tc_ladder_parse_selector(o.ladder, &r.lad->sel) != 0)
			die_usage("--ladder takes a connection id or ADDR:PORT-ADDR:PORT", o.ladder);
		tc_engine_set_tap(eng, on_segment, r.lad);
	}

	while (tc_source_next(src, &fr) == 1) {
		tc_engine_frame(eng, fr.dlt, fr.ts_ns, fr.frame, fr.data, fr.caplen);
		if (o.count && tc_engine_stats(eng)->frames >= o.count) {
			ri.truncated_by_count = 1;
			break;
		}
	}
	tc_engine_finish(eng);

	ri.files = o.files;
	ri.nfiles = o.nfiles;
	ri.filter = o.filter;
	ri.nerrors = tc_source_nerrors(src);
	if (ri.nerrors) {
		errs = calloc((size_t)ri.nerrors, sizeof(*errs));
		for (i = 0; errs && i < ri.nerrors; i++)
			errs[i] = tc_source_error(src, i);
		ri.errors = errs;
		if (!errs)
			ri.nerrors = 0;
		for (i = 0; i < ri.nerrors; i++)
			fprintf(stderr, "%s: %s\n", prog, errs[i]);
		status = 2;
	}

	if (r.lad) {
		for (i = 0; i < r.lad->n; i++) {
			if (i)
				fputc('\n', r.out);
			tc_ladder_render(r.lad->l[i], &r.lad->conn[i], r.lad->verdict[i], 80, o.ladder_full,
					 put_line, r.out);
			free(r.lad->l[i]);
		}
		if (r.lad->n == 0) {
			fprintf(stderr, "%s: --ladder %s: no such connection\n", prog, o.ladder);
			status = 1;
		}
		if (r.lad->more)
			fprintf(r.out, "\n(%llu more connections on that 4-tuple not drawn)\n",
				(unsigned long long)r.lad->more);
		free(r.lad);
	} else if (r.expect) {
		/* The .expect file says whether damage is expected (error=...),
		 * so here only a mismatch fails. */
		status = tc_expect_finish(r.expect, tc_engine_stats(eng), &ri, r.out) ? 3 : 0;
		tc_expect_free(r.expect);
	} else if (o.fmt == FMT_JSON) {
		tc_json_end(r.out, r.agg, tc_engine_stats(eng), &ri);
	} else {
		tc_text_end(r.text, r.agg, tc_engine_stats(eng), &ri);
		tc_text_free(r.text);
	}
	tc_agg_free(r.agg);

	if (fflush(r.out) != 0 || ferror(r.out)) {
		fprintf(stderr, "%s: write error: %s\n", prog, strerror(errno));
		status = 1;
	}
	if (r.out != stdout)
		fclose(r.out);
	tc_engine_free(eng);
	tc_source_close(src);
	free(errs);
	free(o.filter);
	free(o.files);
	return status;
}
