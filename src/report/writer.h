/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * writer.h -- the report formats behind one interface.
 *
 * A format is a table of four operations the pipeline (pipeline.h) calls:
 *   begin   once, before the first connection: a writer instance, or NULL
 *           when out of memory;
 *   conn    each finished connection, with the verdict and diagnosis the
 *           engine computed; `shown` says whether the report's selection
 *           (--only, --port, --host) keeps it. Formats that list rows write
 *           only the shown ones; the text report also counts the others;
 *   finding each grouped finding (struct tc_finding_group, agg.h), most
 *           harmful first, rank 1, 2, ...: after the last connection,
 *           before `end`. `agg` gives the group's members
 *           (tc_agg_group_member); `g` and `agg`'s arrays are valid only
 *           during the call. NULL: the format has no place for them;
 *   end     once, after the findings: the per-endpoint records, tables and
 *           summary the format has (from the aggregator), then the instance
 *           is freed;
 *   discard free the instance without writing more (an error stopped the run).
 * Findings are known only when the input ends, and a format may place them
 * elsewhere than where they arrive (the text report puts the counts above
 * them): such a format keeps what `finding` hands it and writes it in `end`.
 *
 * Adding a format: one file src/report/out_NAME.c defining `const struct
 * tc_writer_ops tc_writer_NAME`, and its line in the table in writer.c (the
 * report library takes every src/report/out_*.c, so CMakeLists.txt does not
 * change). The command line, live streaming and the tests find it by name
 * there.
 */
#ifndef TCPCLOSE_WRITER_H
#define TCPCLOSE_WRITER_H

#include <stdint.h>
#include <stdio.h>

#include "output.h"
#include "select.h"
#include "tcpclose/agg.h"
#include "tcpclose/diag.h"
#include "tcpclose/engine.h"

struct tc_writer_cfg {
	FILE *out;
	int verbose;                 /* text: list every connection */
	int color;                   /* text: ANSI colour */
	const struct tc_select *sel; /* the report's selection (NULL: all) */
	const struct tc_stats *st;   /* the engine's counters, read as it runs */
	size_t top;                  /* text: table rows (0: the default, 10) */
	int flush_each;              /* each row to the stream as it is written
	                                (a reader on a pipe sees it at once) */
};

/* What the end of a report is written from. */
struct tc_writer_end {
	struct tc_agg *agg; /* findings, per-endpoint records */
	const struct tc_stats *st;
	const struct tc_run_info *ri;
	uint64_t shown; /* connections the selection kept */
};

struct tc_writer_ops {
	const char *name; /* --format NAME */
	int rows;         /* writes a row as each connection finishes
	                                   (not only at the end): it can stream from
	                                   a live capture */
	void *(*begin)(const struct tc_writer_cfg *cfg);
	void (*conn)(void *w, const struct tc_conn *c, const struct tc_verdict *v,
		     const struct tc_diagnosis *d, int shown);
	void (*finding)(void *w, const struct tc_finding_group *g, size_t rank,
			const struct tc_agg *agg);
	void (*end)(void *w, const struct tc_writer_end *e);
	void (*discard)(void *w);
};

/* The format called `name`, or NULL. */
const struct tc_writer_ops *tc_writer_find(const char *name);
/* "text, json, csv, zeek": the names, for messages. */
const char *tc_writer_names(void);

#endif
