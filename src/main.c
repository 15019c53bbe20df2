/*
 * main.c -- the tcpclose command line.
 *
 * Thin by design: parse and validate options, open the input (source.c),
 * feed frames to the pipeline (report/pipeline.h: engine, aggregator,
 * selection, the chosen writer), and with -w extract packets (extract.c).
 * All analysis lives in the core library; nothing here knows TCP. Every
 * argument is checked before an output is opened, and -o / -w replace
 * their file only once complete (report/outfile.h).
 *
 * The command line is tcpdump's where tcpdump has the option (-r, -i, -c,
 * -n, -w, -Z, -q, a trailing BPF expression), long options for the rest;
 * messages are tcpdump's shape: "tcpclose: FILE: reason".
 *
 * Exit status: 0 success; 1 usage error, input that cannot be read at all,
 * or output that cannot be written; 2 input damaged part-way (a report of
 * what was read was produced); 3 --expect found mismatches.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "extract.h"
#include "ladder.h"
#include "outfile.h"
#include "output.h"
#include "pipeline.h"
#include "progress.h"
#include "select.h"
#include "writer.h"
#include "live.h"
#include "portrange.h"
#ifdef TC_HAVE_TUI
#include "tui.h"
#include "tui_ladder.h"
#endif
#include "source.h"

#ifndef TC_VERSION
#define TC_VERSION "0.0.0"
#endif

struct opts {
	char **files;
	int nfiles;
	char *filter;
	uint64_t count;          /* -c: 0 = all */
	const struct tc_writer_ops *fmt;
	int verbose;
	int quiet;               /* -q: no progress line */
	int color;               /* -1 auto */
	const char *expect;
	const char *outfile;
	const char *wfile;       /* -w */
	const char *iface;       /* -i: live capture */
	const char *user;        /* -Z: user to run as once a live capture is open */
	struct tc_select sel;    /* --only, --port, --host: what the report shows */
	struct tc_select wsel;   /* what -w writes: sel, words from --write-matching */
	int have_wmatch;
	int tui;                 /* --tui: browse the -r files in the live view */
	double speed;            /* --speed X: ... replayed at X times capture speed */
	int fmt_set;             /* --format was given */
	struct tc_engine_opts eng;
	struct tc_agg_opts agg;
	const char *ladder;       /* --ladder SELECTOR */
	struct tc_ladder_sel lsel; /* ... parsed */
	int ladder_full;
	size_t top;              /* --top N: table rows in the text report */
	struct tc_expect *expect_h; /* --expect FILE, loaded */
	const char *metrics;     /* --metrics FILE: Prometheus text file */
};

#define MAX_LADDERS 16

/* Ladders being recorded for --ladder, with the verdict once known. */
struct ladders {
	struct tc_ladder_sel sel;
	struct tc_ladder *l[MAX_LADDERS];
	struct tc_conn conn[MAX_LADDERS];
	struct tc_conn_ext conn_x[MAX_LADDERS]; /* conn[i].x points here */
	char verdict[MAX_LADDERS][512];
	int n;
	uint64_t more;            /* matching connections beyond MAX_LADDERS */
};

/* Everything a run holds, so that stop() lets go of it on every path. */
struct run {
	struct opts *o;
	struct tc_source *src;
	struct tc_engine *eng;
	struct tc_dump *dump;     /* -w */
	struct tc_pipeline *pl;
	struct tc_progress *prog_line;
	int first_dlt;            /* link type of the first frame, for an empty -w */
	int dump_failed;          /* the one-pass copy stopped: dump_err says why */
	char dump_err[TC_ERRBUF];
	FILE *out;
	struct tc_outfile of;     /* -o */
	struct tc_expect *expect;
	struct ladders *lad;
	struct tc_extract *ext;   /* -w with a selection: pass 1 records */
	int ext_oom;
	uint64_t written;         /* connections -w writes */
};

static const char *prog = "tcpclose";

/*
 * One screen (24 lines of 80 columns): the options and a pointer to the
 * manual, where the formats, the verdicts and the examples are.
 */
static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [-nNqv] [-c N] [-o FILE] [-w FILE] -r FILE ... [BPF expression]\n"
		"How every TCP connection in a capture ended, who ended it, and why.\n"
		"  -r FILE        read a pcap/pcapng file (- = stdin); repeat for rotated files\n"
		"  -i IFACE       capture live on IFACE (-Z USER: run as USER once it is open)\n"
		"  --tui          the live view on -r files too (--speed X: replay at X times)\n"
		"  -c N           stop after N packets     -n, -N  (names are never resolved)\n"
		"  -o FILE        write the report to FILE -v      list every connection\n"
		"  -q             quiet: no progress, no -w line   --top N  table rows (10)\n"
		"  --format FMT   text (default), json (JSON Lines), csv, zeek (Zeek conn.log)\n"
		"  --only LIST    show only these verdicts or causes, e.g. reset,half_closed\n"
		"  --port N[,N]   show only connections on these ports (either end)\n"
		"  --host A[/LEN] show only connections with these addresses (either end)\n"
		"  -w FILE        write the packets of the connections shown to a pcap file\n"
		"  --write-matching LIST  ... of these verdicts or causes instead (as --only)\n"
		"  --expect FILE  check the verdicts against a .expect file (exit 3 if not)\n"
		"  --max-conns N  track at most N connections at once (default %u)\n"
		"  --linger S     report a closed connection S s after its close (default %d)\n"
		"  --time-wait S  TIME_WAIT length (60)    --metrics FILE  Prometheus metrics\n"
		"  --ephemeral-ports LO-HI|N  client ports (-i: this host's; else 32768-60999)\n"
		"  --ladder SEL   draw connection SEL (id or A:P-B:P); --ladder-all: all of it\n"
		"  --color[=WHEN] auto (default), always, never; NO_COLOR is honoured\n"
		"  -h, --help     this help                --version  tcpclose, libpcap versions\n"
		"Exit: 0 ok, 1 usage or unreadable input, 2 input damaged part-way, 3 --expect\n"
		"mismatch. Verdicts, causes, formats and examples: man tcpclose\n",
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

/* --only / --write-matching / --port / --host: a list, or a usage error. */
static void select_arg(int (*add)(struct tc_select *, const char *, char *, size_t),
		       struct tc_select *s, const char *opt, const char *arg)
{
	char err[512], msg[600];
	if (add(s, arg, err, sizeof(err)) != 0) {
		snprintf(msg, sizeof(msg), "%s: %s", opt, err);
		die_usage(msg, NULL);
	}
}

static void parse(struct opts *o, int argc, char **argv)
{
	enum { O_FORMAT = 256, O_EXPECT, O_MAXCONNS, O_LINGER, O_COLOR, O_VERSION, O_TIMEWAIT,
	       O_EPHEMERAL, O_LADDER, O_LADDER_ALL, O_ONLY, O_PORT, O_HOST, O_WMATCH, O_TUI,
	       O_SPEED, O_TOP, O_METRICS };
	static const struct option longopts[] = {
		{"format", required_argument, NULL, O_FORMAT},
		{"only", required_argument, NULL, O_ONLY},
		{"port", required_argument, NULL, O_PORT},
		{"host", required_argument, NULL, O_HOST},
		{"write-matching", required_argument, NULL, O_WMATCH},
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
		{"tui", no_argument, NULL, O_TUI},
		{"speed", required_argument, NULL, O_SPEED},
		{"top", required_argument, NULL, O_TOP},
		{"metrics", required_argument, NULL, O_METRICS},
		{NULL, 0, NULL, 0},
	};
	struct tc_select wwords = {0};
	int ch;

	o->color = -1;
	o->eng.linger_ns = -1;
	o->files = calloc((size_t)argc + 1, sizeof(*o->files));
	if (!o->files)
		exit(1);
	/* "+" stops at the first non-option: the BPF expression follows. ":"
	 * after it: getopt stays quiet (its messages carry argv[0], the full
	 * path) and returns ':' for a missing argument; the messages are ours. */
	while ((ch = getopt_long(argc, argv, "+:r:i:c:nNo:qvw:Z:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': o->files[o->nfiles++] = optarg; break;
		case 'i': o->iface = optarg; break;
		case 'c': /* tcpdump refuses 0 too: "no packets" is not a count */
			o->count = parse_u64(optarg, "invalid packet count");
			if (o->count == 0)
				die_usage("invalid packet count (1 or more)", optarg);
			break;
		case 'n': /* tcpdump's "don't resolve": tcpclose never resolves */
		case 'N': /* tcpdump's "no domain part": no names, nothing to strip */
			break;
		case 'o': o->outfile = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'v': o->verbose = 1; break;
		case 'w': o->wfile = optarg; break;
		case 'Z': o->user = optarg; break;
		case 'h': usage(stdout); exit(0);
		case O_FORMAT:
			o->fmt_set = 1;
			if (!(o->fmt = tc_writer_find(optarg))) {
				char msg[300];
				snprintf(msg, sizeof(msg), "unknown format (%s)", tc_writer_names());
				die_usage(msg, optarg);
			}
			break;
		case O_ONLY: select_arg(tc_select_words, &o->sel, "--only", optarg); break;
		case O_PORT: select_arg(tc_select_ports, &o->sel, "--port", optarg); break;
		case O_HOST: select_arg(tc_select_hosts, &o->sel, "--host", optarg); break;
		case O_WMATCH:
			select_arg(tc_select_words, &wwords, "--write-matching", optarg);
			o->have_wmatch = 1;
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
		case O_TOP: {
			uint64_t v = parse_u64(optarg, "invalid --top");
			if (v == 0 || v > 1000000)
				die_usage("--top must be 1 .. 1000000", optarg);
			o->top = (size_t)v;
			break;
		}
		case O_METRICS:
			if (!*optarg)
				die_usage("--metrics needs a file name", NULL);
			o->metrics = optarg;
			break;
		case O_LADDER: o->ladder = optarg; break;
		case O_LADDER_ALL: o->ladder_full = 1; break;
		case O_TUI: o->tui = 1; break;
		case O_SPEED: {
			char *end;
			double d = strtod(optarg, &end);
			if (end == optarg || *end || !(d > 0) || d > 1e6)
				die_usage("invalid --speed (a factor above 0: 1 = capture speed)", optarg);
			o->speed = d;
			break;
		}
		case O_COLOR:
			if (!optarg || !strcmp(optarg, "always")) o->color = 1;
			else if (!strcmp(optarg, "never")) o->color = 0;
			else if (!strcmp(optarg, "auto")) o->color = -1;
			else die_usage("--color takes auto, always or never", optarg);
			break;
		case O_VERSION:
			printf("tcpclose %s\n%s\n", TC_VERSION, pcap_lib_version());
			exit(0);
		case ':':
			die_usage("option requires an argument", argv[optind - 1]);
			break;
		default: {
			/* A long option as written ("--fo", "--help=x"); a short
			 * one alone, even from a cluster ("-nx"). */
			const char *arg = argv[optind - 1];
			char opt[3] = {'-', (char)optopt, '\0'};
			if (!strncmp(arg, "--", 2))
				die_usage("unknown, ambiguous or misused option", arg);
			die_usage("unknown option", opt);
		}
		}
	}
	o->filter = join_args(argc - optind, argv + optind);
	if (!o->fmt)
		o->fmt = tc_writer_find("text");

	/* -w writes what the report shows, unless --write-matching says
	 * which verdicts; --port and --host narrow both. */
	o->wsel = o->sel;
	if (o->have_wmatch) {
		o->wsel.close_mask = wwords.close_mask;
		o->wsel.cause_mask = wwords.cause_mask;
	}
}

/* Same file? (-o or -w naming an input would destroy it before pass 2.) */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return strcmp(a, "-") && strcmp(b, "-") && stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Combinations that cannot work, refused before anything is read. */
static void check(const struct opts *o)
{
	int i;

	if (o->iface && o->nfiles)
		die_usage("-i and -r cannot be combined", NULL);
	if (o->nfiles == 0 && !o->iface)
		die_usage("no input: give a capture file with -r FILE", NULL);
	if ((o->expect || o->ladder) && (tc_select_active(&o->sel) || o->wfile))
		die_usage("--only, --port, --host and -w do not apply to --expect or --ladder", NULL);
	if (o->expect && o->ladder)
		die_usage("--expect and --ladder cannot be combined", NULL);
	if (o->speed > 0 && !o->tui)
		die_usage("--speed goes with --tui", NULL);
	if (o->tui && !o->nfiles)
		die_usage("--tui browses -r files (-i shows the live view by itself)", NULL);
	if (o->tui && (o->fmt_set || o->outfile))
		die_usage("--tui shows the view: no --format or -o", NULL);
	if ((o->iface || o->tui) &&
	    (o->expect || o->ladder || o->wfile || tc_select_active(&o->sel)))
		die_usage("--expect, --ladder, -w, --only, --port and --host read files: not with -i "
			  "or --tui (a BPF expression filters a live capture)", NULL);
	if (o->iface && !o->fmt->rows && strcmp(o->fmt->name, "text"))
		die_usage("-i shows the live view, or streams --format json, csv or zeek", NULL);
	if (o->metrics && o->tui)
		die_usage("--metrics watches -i captures and -r reports, not --tui", NULL);
	if (o->metrics && (o->expect || o->ladder))
		die_usage("--metrics goes with a report or a live capture, not --expect or --ladder", NULL);
	if (o->have_wmatch && !o->wfile)
		die_usage("--write-matching needs -w FILE", NULL);
	if (o->wfile && !strcmp(o->wfile, "-") && (!o->outfile || !strcmp(o->outfile, "-")))
		die_usage("-w - writes packets to stdout: send the report elsewhere with -o FILE", NULL);
	if (o->wfile && o->outfile && strcmp(o->wfile, "-") &&
	    (!strcmp(o->wfile, o->outfile) || same_file(o->wfile, o->outfile)))
		die_usage("-o and -w name the same file", o->wfile);
	for (i = 0; i < o->nfiles; i++) {
		if (o->wfile && same_file(o->wfile, o->files[i]))
			die_usage("-w would overwrite an input file", o->wfile);
		if (o->outfile && same_file(o->outfile, o->files[i]))
			die_usage("-o would overwrite an input file", o->outfile);
		/* Pass 2 of -w re-reads the input: a pipe cannot be read twice. */
		if (o->wfile && tc_select_active(&o->wsel) && !strcmp(o->files[i], "-"))
			die_usage("-w with --only, --port, --host or --write-matching reads the input "
				  "twice; standard input cannot be re-read: save it to a file first",
				  NULL);
	}
}

/*
 * What needs more than the command line to validate: the --ladder selector
 * and the --expect file. Before any output is opened, so that a mistake
 * here leaves the user's files as they were.
 */
static void validate(struct opts *o)
{
	char err[TC_ERRBUF];

	if (o->ladder && tc_ladder_parse_selector(o->ladder, &o->lsel) != 0)
		die_usage("--ladder takes a connection id or ADDR:PORT-ADDR:PORT", o->ladder);
	if (o->expect && !(o->expect_h = tc_expect_load(o->expect, err, sizeof(err)))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		exit(1);
	}
}

/*
 * Live capture (-i) and the view on files (--tui): src/live.c, src/tui.c.
 * On a terminal -i shows the view; into a pipe or a file (-o), or with
 * --format json, csv or zeek, it streams the rows a file gives (JSON Lines
 * by default), one per connection as it finishes, so `tcpclose -i lo
 * --format json | jq` works. Privileges are dropped (-Z) once the capture is open.
 */
static int run_live(const struct opts *o)
{
	struct tc_live_opts lo = {0};
	struct tc_outfile of;
	char err[TC_ERRBUF];
	int status;

	lo.iface = o->iface;
	lo.files = o->files;
	lo.nfiles = o->nfiles;
	lo.filter = o->filter;
	lo.user = o->user;
	lo.speed = o->speed;
	lo.count = o->count;
	lo.eng = o->eng;
	lo.agg = o->agg;
	lo.metrics = o->metrics;
	/* Capturing here: this host's own ephemeral range is the TIME_WAIT
	 * budget, unless --ephemeral-ports says otherwise. */
	if (o->iface && !o->agg.ephemeral_ports) {
		unsigned plo, phi;
		lo.agg.ephemeral_ports = tc_local_port_range(TC_PORT_RANGE_PROC, &plo, &phi);
	}
	if (o->tui || (!o->outfile && !o->fmt->rows && isatty(STDOUT_FILENO))) {
#ifdef TC_HAVE_TUI
		int st;
		/* Without the ring the view still works, only without ladders. */
		(void)tc_tui_ladder_install();
		st = tc_tui_run(&lo);
		tc_tui_ladder_uninstall();
		return st;
#else
		fprintf(stderr, "%s: %s: the live view is not built into this tcpclose (it needs "
			"ncursesw); --format json, csv or zeek streams instead\n",
			prog, o->iface ? o->iface : "--tui");
		return 1;
#endif
	}
	if (tc_outfile_open(&of, o->outfile ? o->outfile : "-", "w", err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	/* Rows stream; the text report comes at the end: JSON Lines instead. */
	status = tc_live_stream_run(&lo, o->fmt->rows ? o->fmt : tc_writer_find("json"), of.f);
	if (of.f != stdout && fclose(of.f) != 0 && !status) {
		fprintf(stderr, "%s: %s: write error: %s\n", prog, o->outfile, strerror(errno));
		status = 1;
	}
	/* A capture that could not start leaves the file as it was. */
	if (tc_outfile_finish(&of, status != 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		status = 1;
	}
	return status;
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
		tc_conn_copy(&L->conn[i], &L->conn_x[i], c);
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

/*
 * What the command line adds to the pipeline for each connection, before
 * the aggregator and the writer see it: the ladder's verdict line, the
 * --expect check, or -w's record of the connections to write.
 */
static void on_conn(const struct tc_conn *c, const struct tc_verdict *v,
		    const struct tc_diagnosis *d, void *arg)
{
	struct run *r = arg;

	if (r->lad) {
		ladder_verdict(r->lad, c, v, d);
	} else if (r->expect) {
		tc_expect_conn(r->expect, c, v, d);
	} else if (r->ext) {
		if (tc_select_match(&r->o->wsel, c, v, d)) {
			r->written++;
			if (tc_extract_add(r->ext, c) != 0)
				r->ext_oom = 1;
		}
	} else if (r->dump) {
		r->written++;
	}
}

/* The end of the report, once every connection has been handed over. */
static int end_report(struct run *r, const struct tc_stats *st, const struct tc_run_info *ri)
{
	/* Say it, rather than report zero connections as if there were none. */
	if (st->by_status[TC_DEC_UNSUPPORTED_LINK])
		fprintf(stderr, "%s: %llu packet%s of a link type tcpclose does not decode were skipped\n",
			prog, (unsigned long long)st->by_status[TC_DEC_UNSUPPORTED_LINK],
			st->by_status[TC_DEC_UNSUPPORTED_LINK] == 1 ? "" : "s");
	struct opts *o = r->o;
	int status = 0, i;

	if (r->lad) {
		for (i = 0; i < r->lad->n; i++) {
			if (i)
				fputc('\n', r->out);
			tc_ladder_render(r->lad->l[i], &r->lad->conn[i], r->lad->verdict[i], 80, o->ladder_full,
					 put_line, r->out);
			free(r->lad->l[i]);
		}
		if (r->lad->n == 0) {
			fprintf(stderr, "%s: --ladder %s: no such connection\n", prog, o->ladder);
			status = 1;
		}
		if (r->lad->more)
			fprintf(r->out, "\n(%llu more connections on that 4-tuple not drawn)\n",
				(unsigned long long)r->lad->more);
		free(r->lad);
		r->lad = NULL;
	} else if (r->expect) {
		/* The .expect file says whether damage is expected (error=...),
		 * so here only a mismatch fails. */
		status = tc_expect_finish(r->expect, st, ri, r->out) ? 3 : 0;
		tc_expect_free(r->expect);
		r->expect = NULL;
	} else {
		(void)tc_pipeline_end(r->pl, ri); /* write errors: main() checks */
	}
	return status;
}

/*
 * Pass 2 of -w, or the end of the one-pass copy. Returns 0 or 1 (the
 * message is printed). The file is removed on failure. Frees dump.
 */
static int finish_pcap(struct run *r, struct tc_dump *dump, int dlt, struct tc_progress *prog_line)
{
	struct opts *o = r->o;
	char err[TC_ERRBUF] = "";
	int failed = 0;
	uint64_t wrote;

	if (r->ext_oom) {
		snprintf(err, sizeof(err), "%s: out of memory recording the connections to write", o->wfile);
		failed = 1;
	} else if (r->ext && tc_extract_run(r->ext, o->files, o->nfiles, o->filter, dump, prog_line, err) != 0) {
		failed = 1;
	}
	wrote = tc_dump_count(dump);
	if (tc_dump_close(dump, dlt, failed, err) != 0 || failed) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	/* Pass 2 must see what pass 1 saw: same files, same numbering. */
	if (r->ext && wrote != tc_extract_expected(r->ext))
		fprintf(stderr, "%s: warning: %s: wrote %" PRIu64 " packets, expected %" PRIu64
				": did the input change between the two reads?\n",
			prog, o->wfile, wrote, tc_extract_expected(r->ext));
	/* What was written, in one line on stderr (stdout may be the report
	 * or the pcap itself); -q is quiet. */
	if (!o->quiet)
		fprintf(stderr, "%s: wrote %" PRIu64 " packet%s of %" PRIu64 " connection%s to %s\n",
			prog, wrote, wrote == 1 ? "" : "s", r->written, r->written == 1 ? "" : "s",
			strcmp(o->wfile, "-") ? o->wfile : "standard output");
	return 0;
}

static int oom(void)
{
	fprintf(stderr, "%s: out of memory\n", prog);
	return 1;
}

/*
 * Open the input, the outputs and the pipeline. Returns 0, or 1 with the
 * message printed. Inputs first, so a missing file leaves no report or
 * pcap behind; every argument was validated before.
 */
static int start(struct run *r)
{
	struct opts *o = r->o;
	struct tc_pipeline_opts po = {0};
	char err[TC_ERRBUF];
	const char *nc;
	int streams;

	r->first_dlt = -1;
	r->out = stdout;
	if (!(r->src = tc_source_open(o->files, o->nfiles, o->filter, err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	if (tc_outfile_open(&r->of, o->outfile ? o->outfile : "-", "w", err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	r->out = r->of.f;
	/* Reading a file, nobody waits on a record: write in 64 KiB pieces
	 * rather than stdio's 4 KiB (one write(2) per ~90 JSON records
	 * instead of ~6). glibc ignores the size unless given the buffer. */
	if (!isatty(fileno(r->out))) {
		static char outbuf[1 << 16];
		(void)setvbuf(r->out, outbuf, _IOFBF, sizeof(outbuf));
	}
	/* no-color.org: NO_COLOR set and not empty turns auto colour off. */
	nc = getenv("NO_COLOR");
	if (o->color < 0)
		o->color = r->out == stdout && isatty(STDOUT_FILENO) && !(nc && *nc);
	if (o->wfile) {
		if (!(r->dump = tc_dump_new(o->wfile, err))) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return 1;
		}
		/* Without a selection every connection is written: every TCP
		 * packet, copied as it is read. With one, pass 2 does it. */
		if (tc_select_active(&o->wsel) && !(r->ext = tc_extract_new()))
			return oom();
	}
	/* The progress line shares the terminal with nothing: not with rows
	 * that stream to the same terminal as connections finish (the text
	 * report, a ladder and --expect print at the end). */
	streams = o->fmt->rows && !o->expect && !o->ladder;
	if (!o->quiet && !(streams && r->out == stdout && isatty(STDOUT_FILENO)))
		r->prog_line = tc_progress_new(STDERR_FILENO);

	/* --expect and --ladder replace the report; the rest is one. */
	if (o->expect) {
		r->expect = o->expect_h;
		o->expect_h = NULL;
	} else if (o->ladder) {
		if (!(r->lad = calloc(1, sizeof(*r->lad))))
			return oom();
		r->lad->sel = o->lsel;
	} else if (o->quiet && o->wfile && !o->outfile && !o->fmt_set) {
		/* -q -w FILE with the default report on stdout: quiet means the
		 * pcap is all the output (-o or --format still ask for a report). */
	} else {
		po.fmt = o->fmt;
		po.wcfg.out = r->out;
		po.wcfg.verbose = o->verbose;
		po.wcfg.color = o->color;
		po.wcfg.sel = &o->sel;
		po.wcfg.top = o->top;
		po.aggregate = 1;
	}
	po.eng = o->eng;
	po.agg = o->agg;
	po.tap = on_conn;
	po.tap_arg = r;
	po.metrics = o->metrics;
	if (!(r->pl = tc_pipeline_new(&po)))
		return oom();
	r->eng = tc_pipeline_engine(r->pl);
	if (r->lad)
		tc_engine_set_tap(r->eng, on_segment, r->lad);
	return 0;
}

struct pass1 {
	struct run *r;
	struct tc_run_info *ri;
};

/* One frame of pass 1; nonzero stops the reading (-c reached). */
static int analyse_frame(const struct tc_frame *fr, void *arg)
{
	struct pass1 *x = arg;
	struct run *r = x->r;
	enum tc_decode_status st;

	tc_progress_frame(r->prog_line, r->src, fr->frame);
	if (r->first_dlt < 0)
		r->first_dlt = fr->dlt;
	st = tc_engine_frame_wire(r->eng, fr->dlt, fr->ts_ns, fr->frame, fr->data, fr->caplen,
				  fr->wirelen);
	/* A failed copy is reported at the end; the analysis goes on. */
	if (r->dump && !r->ext && !r->dump_failed && st == TC_DEC_OK &&
	    tc_dump_frame(r->dump, fr, r->dump_err) != 0)
		r->dump_failed = 1;
	if (r->o->count && tc_engine_stats(r->eng)->frames >= r->o->count) {
		x->ri->truncated_by_count = 1;
		return 1;
	}
	return 0;
}

/* Pass 1: every frame to the engine (and, for -w without a selection, to
 * the pcap). Connections reach on_conn as they finish. */
static void analyse(struct run *r, struct tc_run_info *ri)
{
	struct pass1 x = {r, ri};
	char note[TC_ERRBUF + 256];

	tc_progress_begin(r->prog_line, "reading");
	(void)tc_source_each(r->src, analyse_frame, &x);
	tc_engine_finish(r->eng);
	tc_progress_end(r->prog_line);
	if (tc_source_vlan_note(r->src, note, sizeof(note)))
		fprintf(stderr, "%s: %s\n", prog, note);
}

/* Let go of everything start() may have taken, whatever happened. */
static void stop(struct run *r)
{
	tc_source_close(r->src);
	tc_pipeline_free(r->pl);
	if (r->expect)
		tc_expect_free(r->expect);
	free(r->lad);
	if (r->dump) {
		char ignored[TC_ERRBUF];
		tc_dump_close(r->dump, r->first_dlt, 1, ignored);
	}
	tc_extract_free(r->ext);
	tc_progress_free(r->prog_line);
}

/* Close -o: in place if the run succeeded, else the old file stays. */
static int close_report(struct run *r, int ok)
{
	char err[TC_ERRBUF];
	int rc = 0;

	if (r->out && r->out != stdout && fclose(r->out) != 0 && ok) {
		fprintf(stderr, "%s: %s: write error: %s\n", prog, r->o->outfile, strerror(errno));
		ok = 0;
		rc = 1;
	}
	r->out = NULL;
	if (tc_outfile_finish(&r->of, ok, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = 1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	/* Static: the option strings live as long as the process. */
	static struct opts o;
	struct run r = {0};
	struct tc_run_info ri = {0};
	const char **errs = NULL;
	int status, i;

	parse(&o, argc, argv);
	check(&o);
	validate(&o);
	if (o.iface || o.tui)
		return run_live(&o);
	r.o = &o;
	if ((status = start(&r)) != 0) {
		stop(&r);
		close_report(&r, 0);
		return status;
	}
	analyse(&r, &ri);

	ri.files = o.files;
	ri.nfiles = o.nfiles;
	ri.filter = o.filter;
	ri.nerrors = tc_source_nerrors(r.src);
	if (ri.nerrors) {
		errs = calloc((size_t)ri.nerrors, sizeof(*errs));
		for (i = 0; errs && i < ri.nerrors; i++)
			errs[i] = tc_source_error(r.src, i);
		ri.errors = errs;
		if (!errs)
			ri.nerrors = 0;
		for (i = 0; i < ri.nerrors; i++)
			fprintf(stderr, "%s: %s\n", prog, errs[i]);
		status = 2;
	}
	i = end_report(&r, tc_engine_stats(r.eng), &ri);
	if (tc_pipeline_error(r.pl)) {
		fprintf(stderr, "%s: --metrics %s\n", prog, tc_pipeline_error(r.pl));
		i = 1;
	}
	/* With --expect, damage is judged by the .expect file (error=...):
	 * only a mismatch fails. */
	if (i || o.expect)
		status = i;
	free(errs);
	if (fflush(r.out) != 0 || ferror(r.out)) {
		fprintf(stderr, "%s: %s: write error: %s\n", prog, o.outfile ? o.outfile : "stdout",
			strerror(errno));
		status = 1;
	}
	if (r.dump) {
		struct tc_dump *d = r.dump;
		r.dump = NULL; /* finish_pcap() or the failure path frees it */
		if (r.dump_failed) {
			char ignored[TC_ERRBUF];
			tc_dump_close(d, r.first_dlt, 1, ignored);
			fprintf(stderr, "%s: %s\n", prog, r.dump_err);
			status = 1;
		} else if (finish_pcap(&r, d, r.first_dlt, r.prog_line) != 0) {
			status = 1;
		}
	}
	stop(&r);
	/* Exit 1 is a failed run: the report it would replace stays. */
	if (close_report(&r, status != 1))
		status = 1;
	free(o.filter);
	free(o.files);
	return status;
}
