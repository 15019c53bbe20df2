/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c -- the tcpclose command line.
 *
 * Only the command line: parse and validate the options, then hand one
 * configuration to the mode asked for -- files (capture/run.h: the offline
 * run, its report, --expect, --ladder and -w), a live capture streaming rows
 * (capture/live.h), or the view (tui/tui.h). Every argument, the --ladder
 * selector and the .expect file are checked before any output is opened;
 * nothing here knows TCP or reads a packet.
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
#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "ladder.h"
#include "live.h"
#include "portrange.h"
#include "outfile.h"
#include "run.h"
#include "select.h"
#include "writer.h"
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
	size_t top;                 /* --top N: table rows in the text report */
	struct tc_expect *expect_h; /* --expect FILE, loaded */
	const char *metrics;        /* --metrics FILE: Prometheus text file */
	struct tc_save_opts save;   /* -i -w: -C, -G, -W (rotate.h); file = wfile */
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
		"  -w FILE        save the packets of the connections shown (-r), or all (-i)\n"
		"  --write-matching LIST  ... of these verdicts or causes instead (as --only)\n"
		"  -C MB, -G S, -W N  -i -w: rotate the file by size, time, count, as tcpdump\n"
		"  --expect FILE  check the verdicts against a .expect file (exit 3 if not)\n"
		"  --max-conns N  track at most N connections at once (default %u)\n"
		"  --linger S     report a closed connection S s after its close (default %d)\n"
		"  --time-wait S  TIME_WAIT length (%d)    --metrics FILE  Prometheus metrics\n"
		"  --ephemeral-ports LO-HI|N  client ports (-i: this host's; else %u-%u)\n"
		"  --ladder SEL   draw connection SEL (id or A:P-B:P); --ladder-all: all of it\n"
		"  --color[=WHEN] auto, always, never (NO_COLOR: never)  -h, --help  --version\n"
		"Exit: 0 ok, 1 usage or unreadable input, 2 input damaged part-way, 3 --expect\n"
		"mismatch. Verdicts, causes, formats and examples: man tcpclose\n",
		prog, TC_DEFAULT_MAX_CONNS, (int)(TC_DEFAULT_LINGER_NS / 1000000000LL),
		(int)(TC_TIME_WAIT_DEFAULT_NS / 1000000000LL), TC_EPHEMERAL_PORT_LO, TC_EPHEMERAL_PORT_HI);
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
	enum { O_FORMAT = 256,
	       O_EXPECT,
	       O_MAXCONNS,
	       O_LINGER,
	       O_COLOR,
	       O_VERSION,
	       O_TIMEWAIT,
	       O_EPHEMERAL,
	       O_LADDER,
	       O_LADDER_ALL,
	       O_ONLY,
	       O_PORT,
	       O_HOST,
	       O_WMATCH,
	       O_TUI,
	       O_SPEED,
	       O_TOP,
	       O_METRICS };
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
	while ((ch = getopt_long(argc, argv, "+:r:i:c:nNo:qvw:C:G:W:Z:h", longopts, NULL)) != -1) {
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
		case 'C': /* tcpdump's unit: millions of bytes */
			if (tc_rotate_parse_size(optarg, &o->save.size) != 0)
				die_usage("invalid file size (-C: 1 or more millions of bytes, or KiB, "
					  "MiB, GiB with k, m, g)",
					  optarg);
			break;
		case 'G': {
			uint64_t v = parse_u64(optarg, "invalid number of seconds (-G)");
			if (v == 0 || v > TC_ROTATE_SECONDS_MAX)
				die_usage("invalid number of seconds (-G: 1 or more)", optarg);
			o->save.seconds = (int)v;
			break;
		}
		case 'W': {
			uint64_t v = parse_u64(optarg, "invalid number of output files (-W)");
			if (v == 0 || v > TC_ROTATE_COUNT_MAX)
				die_usage("invalid number of output files (-W: 1 or more)", optarg);
			o->save.count = (int)v;
			break;
		}
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

/*
 * -C, -G, -W: what tcpdump would silently ignore is refused here, and the
 * -G pattern is tried, so that no mistake shows only once files are made.
 */
static void check_rotation(const struct opts *o)
{
	struct tc_save_opts so = o->save, *s = &so;
	struct tc_rotate_state st;
	struct tm tmv, *tm;
	time_t now = time(NULL);
	char name[4096];

	if (o->wfile && !*o->wfile)
		die_usage("-w needs a file name", NULL);
	if (!s->size && !s->seconds && !s->count)
		return;
	if (!o->wfile)
		die_usage("-C, -G and -W rotate the -w file: give -w FILE", NULL);
	if (!o->iface)
		die_usage("-C, -G and -W rotate the -w file of a live capture (-i); with -r, "
			  "-w writes one file",
			  NULL);
	if (s->count && !s->size && !s->seconds)
		die_usage("-W goes with -C (a ring of files) or -G (at most that many files)", NULL);
	if (!strcmp(o->wfile, "-"))
		die_usage("-C and -G make files: not with -w - (standard output)", NULL);
	so.file = o->wfile;
	tc_rotate_start(&st, (int64_t)now);
	tm = localtime_r(&now, &tmv);
	if (tc_rotate_name(s, &st, tm, name, sizeof(name)) != 0)
		die_usage("-w: the file name pattern gives an empty or too long name", o->wfile);
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
	if ((o->iface || o->tui) && (o->expect || o->ladder || tc_select_active(&o->sel)))
		die_usage("--expect, --ladder, --only, --port and --host read files: not with -i "
			  "or --tui (a BPF expression filters a live capture)",
			  NULL);
	if (o->tui && o->wfile)
		die_usage("--tui browses -r files: -w goes with a report of them, or with -i", NULL);
	/* Live, -w saves every packet as it comes: which connection ends how
	 * is known only after its packets have passed. */
	if (o->iface && o->have_wmatch)
		die_usage("--write-matching picks connections by how they ended, known only after "
			  "their packets passed: with -i, -w saves every packet the BPF expression "
			  "passes (run -r on that file with -w and --write-matching after)",
			  NULL);
	check_rotation(o);
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
	lo.save = o->save;
	lo.save.file = o->wfile;
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

/* The offline run's configuration from the options (capture/run.h). */
static void run_opts(struct opts *o, struct tc_run_opts *ro)
{
	ro->files = o->files;
	ro->nfiles = o->nfiles;
	ro->filter = o->filter;
	ro->count = o->count;
	ro->fmt = o->fmt;
	ro->fmt_set = o->fmt_set;
	ro->verbose = o->verbose;
	ro->quiet = o->quiet;
	ro->color = o->color;
	ro->top = o->top;
	ro->outfile = o->outfile;
	ro->wfile = o->wfile;
	ro->sel = &o->sel;
	ro->wsel = &o->wsel;
	ro->eng = o->eng;
	ro->agg = o->agg;
	ro->ladder = o->ladder;
	ro->lsel = o->lsel;
	ro->ladder_full = o->ladder_full;
	ro->expect = o->expect_h;
	ro->metrics = o->metrics;
	o->expect_h = NULL;
}

int main(int argc, char **argv)
{
	/* Static: the option strings live as long as the process. */
	static struct opts o;
	struct tc_run_opts ro = {0};
	int status;

	parse(&o, argc, argv);
	check(&o);
	validate(&o);
	if (o.iface || o.tui)
		return run_live(&o);
	run_opts(&o, &ro);
	status = tc_run_files(&ro);
	free(o.filter);
	free(o.files);
	return status;
}
