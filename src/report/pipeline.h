/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pipeline.h -- the one wiring of a run: engine -> (diagnosis) ->
 * aggregator -> selection -> writer.
 *
 *     frames --> engine --(conn, verdict, diagnosis)--> tap (optional)
 *                                                   --> aggregator (findings)
 *                                                   --> selection --> writer
 *
 * The engine classifies and diagnoses each finished connection once; the
 * pipeline hands that to a tap the caller may add (the live view's model,
 * --expect, --ladder, the -w record), to the aggregator, and to the chosen
 * format (writer.h) with whether the selection keeps it. The command line
 * on files (main.c), live streaming (capture/live.c) and the view
 * (tui/tui.c) all run through it; they differ only in where frames come
 * from and which of the three consumers they ask for.
 *
 * It lives in the report layer because it is the meeting point of the core
 * and the writers and needs neither libpcap nor curses: the capture layer
 * and the view sit above it and feed it frames.
 */
#ifndef TCPCLOSE_PIPELINE_H
#define TCPCLOSE_PIPELINE_H

#include <stdint.h>
#include <stdio.h>

#include "metrics.h"
#include "output.h"
#include "writer.h"
#include "tcpclose/agg.h"
#include "tcpclose/engine.h"

struct tc_pipeline_opts {
	const struct tc_writer_ops *fmt; /* NULL: no report (view, --expect, --ladder) */
	struct tc_writer_cfg wcfg;       /* out, verbose, color, sel (st is filled in) */
	int aggregate;                   /* findings and summaries (on with fmt) */
	int flush_each;                  /* flush after each connection: a reader on
	                                    a pipe sees it as it finishes (live) */
	struct tc_engine_opts eng;       /* hash_seed 0: one from getentropy */
	struct tc_agg_opts agg;          /* hash_seed 0: one from getentropy */
	tc_conn_cb tap;                  /* also told of each connection, first */
	void *tap_arg;
	const char *metrics;  /* --metrics FILE (metrics.h), or NULL */
	uint32_t metrics_top; /* services/hosts with their own series; 0 = default */
};

/* How often a live run rewrites the metrics file. */
#define TC_METRICS_PERIOD_NS (5LL * 1000000000LL)

struct tc_pipeline;

/* NULL on allocation failure. The writer has begun (CSV's header is out). */
struct tc_pipeline *tc_pipeline_new(const struct tc_pipeline_opts *o);
/* The engine to feed frames to (tc_engine_frame_wire, _tick, _finish). */
struct tc_engine *tc_pipeline_engine(struct tc_pipeline *p);
/* Connections the selection kept so far. */
uint64_t tc_pipeline_shown(const struct tc_pipeline *p);
/*
 * After tc_engine_finish(): the writer's end (findings, summary), and the
 * metrics file's last rewrite. Returns 0, or -1 if the output stream or
 * the metrics file has an error (tc_pipeline_error says which for the latter).
 */
int tc_pipeline_end(struct tc_pipeline *p, const struct tc_run_info *ri);
/*
 * Live runs, at every turn of their loop: rewrite the metrics file when
 * TC_METRICS_PERIOD_NS has passed since the last time (the first call
 * writes it), with the capture's counters (NULL: none). mono_ns is a
 * monotonic clock. Returns 0 (also: nothing due, no --metrics), or -1 on
 * a write error (tc_pipeline_error); the run goes on and tries again.
 * tc_pipeline_end() writes the file a last time with the counters given
 * here last, whether or not there is a writer.
 */
int tc_pipeline_metrics(struct tc_pipeline *p, const struct tc_capture_counts *cc, int64_t mono_ns);
/* The last metrics write error ("FILE: reason"), or NULL. */
const char *tc_pipeline_error(const struct tc_pipeline *p);
/* Frees everything (a writer that has not ended is discarded). */
void tc_pipeline_free(struct tc_pipeline *p);

/* 64 random bits from getentropy(): hash keys an attacker cannot guess
 * from the clock (live traffic is attacker-controlled). */
uint64_t tc_random_seed(void);

#endif
