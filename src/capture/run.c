/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * run.c -- the offline run (see run.h): pass 1 reads the files into the
 * pipeline, the end writes the report, pass 2 of -w copies the packets of
 * the connections shown.
 */
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract.h"
#include "outfile.h"
#include "output.h"
#include "pipeline.h"
#include "progress.h"
#include "source.h"

static const char *const prog = "tcpclose";

#define MAX_LADDERS 16

/* Ladders being recorded for --ladder, with the verdict once known. */
struct ladders {
	struct tc_ladder_sel sel;
	struct tc_ladder *l[MAX_LADDERS];
	struct tc_conn conn[MAX_LADDERS];
	struct tc_conn_bufs conn_x[MAX_LADDERS]; /* conn[i].x and .end point here */
	char verdict[MAX_LADDERS][512];
	int n;
	uint64_t more; /* matching connections beyond MAX_LADDERS */
};

/* Everything a run holds, so that stop() lets go of it on every path. */
struct run {
	struct tc_run_opts *o;
	struct tc_source *src;
	struct tc_engine *eng;
	struct tc_dump *dump; /* -w */
	struct tc_pipeline *pl;
	struct tc_progress *prog_line;
	int first_dlt;   /* link type of the first frame, for an empty -w */
	int dump_failed; /* the one-pass copy stopped: dump_err says why */
	char dump_err[TC_ERRBUF];
	FILE *out;
	struct tc_outfile of; /* -o */
	struct tc_expect *expect;
	struct ladders *lad;
	struct tc_extract *ext; /* -w with a selection: pass 1 records */
	int ext_oom;
	uint64_t written; /* connections -w writes */
};

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
			char why[500]; /* the verdict (512) less "half_closed: " */
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
		if (tc_select_match(r->o->wsel, c, v, d)) {
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
	struct tc_run_opts *o = r->o;
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
	struct tc_run_opts *o = r->o;
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
		fprintf(stderr, "%s: warning: %s: wrote %" PRIu64 " packets, expected %" PRIu64 ": did the input change between the two reads?\n",
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
	struct tc_run_opts *o = r->o;
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
		if (tc_select_active(o->wsel) && !(r->ext = tc_extract_new()))
			return oom();
	}
	/* The progress line shares the terminal with nothing: not with rows
	 * that stream to the same terminal as connections finish (the text
	 * report, a ladder and --expect print at the end). */
	streams = o->fmt->rows && !r->expect && !o->ladder;
	if (!o->quiet && !(streams && r->out == stdout && isatty(STDOUT_FILENO)))
		r->prog_line = tc_progress_new(STDERR_FILENO);

	/* --expect and --ladder replace the report; the rest is one. */
	if (r->expect) {
		/* taken by tc_run_files() */
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
		po.wcfg.sel = o->sel;
		po.wcfg.top = o->top;
		po.aggregate = 1;
	}
	po.eng = o->eng;
	/* Bench knob (bench/freeze.sh): closed connections kept whole, to
	 * check that freezing them changes no output. */
	if (getenv("TC_BENCH_NO_FREEZE"))
		po.eng.no_freeze = 1;
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
	uint64_t frames; /* given to the engine */
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
	/* Queued: the engine takes it a few frames later (tc_engine_push). */
	st = tc_engine_push(r->eng, fr->dlt, fr->ts_ns, fr->frame, fr->data, fr->caplen, fr->wirelen);
	x->frames++;
	/* A failed copy is reported at the end; the analysis goes on. */
	if (r->dump && !r->ext && !r->dump_failed && st == TC_DEC_OK &&
	    tc_dump_frame(r->dump, fr, r->dump_err) != 0)
		r->dump_failed = 1;
	if (r->o->count && x->frames >= r->o->count) {
		x->ri->truncated_by_count = 1;
		return 1;
	}
	return 0;
}

/* Pass 1: every frame to the engine (and, for -w without a selection, to
 * the pcap). Connections reach on_conn as they finish. */
static void analyse(struct run *r, struct tc_run_info *ri)
{
	struct pass1 x = {r, ri, 0};
	char note[TC_ERRBUF + 256];

	tc_progress_begin(r->prog_line, "reading");
	(void)tc_source_each(r->src, analyse_frame, &x);
	tc_engine_finish(r->eng);
	tc_progress_end(r->prog_line);
	if (getenv("TC_BENCH_MEMSTATS")) {
		/* Bench knob: the engine's own count of tracked memory. */
		const struct tc_stats *st = tc_engine_stats(r->eng);
		fprintf(stderr,
			"%s: memstats peak_tracked %" PRIu64 " peak_bytes %" PRIu64
			" bytes_per_conn %.1f frozen %" PRIu64 " thawed %" PRIu64
			" frozen_avg %.1f wide %" PRIu64 "\n",
			prog, st->peak_active, st->peak_bytes,
			st->peak_active ? (double)st->peak_bytes / (double)st->peak_active : 0.0,
			st->frozen, st->thawed,
			st->frozen ? (double)st->frozen_bytes / (double)st->frozen : 0.0,
			st->frozen_wide);
	}
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

int tc_run_files(struct tc_run_opts *o)
{
	struct run r = {0};
	struct tc_run_info ri = {0};
	struct tc_input_stats istats;
	const char **errs = NULL;
	int status, i, expecting;

	r.o = o;
	/* The run owns the loaded .expect file from here, on every path. */
	r.expect = o->expect;
	o->expect = NULL;
	expecting = r.expect != NULL;
	if ((status = start(&r)) != 0) {
		stop(&r);
		close_report(&r, 0);
		return status;
	}
	analyse(&r, &ri);

	ri.files = o->files;
	ri.nfiles = o->nfiles;
	ri.filter = o->filter;
	ri.nerrors = tc_source_nerrors(r.src);
	if (tc_source_input_stats(r.src, &istats))
		ri.input_stats = &istats;
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
	if (i || expecting)
		status = i;
	free(errs);
	if (fflush(r.out) != 0 || ferror(r.out)) {
		fprintf(stderr, "%s: %s: write error: %s\n", prog, o->outfile ? o->outfile : "stdout",
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
	return status;
}
