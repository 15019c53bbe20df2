/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * run.h -- the offline run: capture files in, one report (or --expect's
 * verdict, or --ladder's drawings) out, and with -w the packets of the
 * connections shown.
 *
 *     source.c --frames--> pipeline (engine, aggregator, writer)
 *                              `--tap--> --expect | --ladder | -w's record
 *     then: the writer's end, the input's errors, -w's pass 2 (extract.c)
 *
 * The command line (main.c) validates every option, loads the .expect file
 * and parses the --ladder selector before calling here, so nothing the user
 * owns is opened before the arguments are known good. Inputs are opened
 * first, then -o and -w, which replace their files only once complete
 * (report/outfile.h). Messages go to stderr as "tcpclose: ...".
 *
 * It lives in the capture layer because it reads files through libpcap
 * (source.c) and re-reads them for -w (extract.c); it sits on the report
 * layer (pipeline, writers, expect, ladder), as live.c does.
 */
#ifndef TCPCLOSE_RUN_H
#define TCPCLOSE_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "expect.h"
#include "ladder.h"
#include "select.h"
#include "writer.h"
#include "tcpclose/agg.h"
#include "tcpclose/engine.h"

struct tc_run_opts {
	char *const *files; /* -r FILE ...: at least one */
	int nfiles;
	const char *filter; /* BPF expression or NULL */
	uint64_t count;     /* -c: 0 = all */
	const struct tc_writer_ops *fmt;
	int fmt_set; /* --format was given */
	int verbose;
	int quiet;                    /* -q: no progress line, no -w line */
	int color;                    /* -1: auto (a terminal, NO_COLOR unset) */
	size_t top;                   /* --top: 0 = the default */
	const char *outfile;          /* -o, or NULL: stdout */
	const char *wfile;            /* -w, or NULL */
	const struct tc_select *sel;  /* what the report shows */
	const struct tc_select *wsel; /* what -w writes */
	struct tc_engine_opts eng;
	struct tc_agg_opts agg;
	const char *ladder;        /* --ladder SELECTOR as given, or NULL */
	struct tc_ladder_sel lsel; /* ... parsed */
	int ladder_full;           /* --ladder-all */
	struct tc_expect *expect;  /* --expect, loaded; the run frees it */
	const char *metrics;       /* --metrics FILE, or NULL */
};

/*
 * Read the files and write what was asked. Returns the exit status:
 * 0 success; 1 input that cannot be read, output that cannot be written,
 * or no connection for --ladder; 2 input damaged part-way (what was read is
 * reported); 3 --expect found mismatches.
 */
int tc_run_files(struct tc_run_opts *o);

#endif
