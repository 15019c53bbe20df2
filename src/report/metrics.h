/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.h -- --metrics FILE: the run's counters as a Prometheus text
 * file, for node_exporter's textfile collector (docs/metrics.md).
 *
 * The file is rewritten whole and atomically: written to a temporary file
 * in the same directory, then renamed over FILE, so a scraper never reads
 * half of it. Live runs rewrite it every few seconds, file runs once at
 * the end (pipeline.h does both).
 *
 * What it holds, every name prefixed tcpclose_, counters ending _total:
 *   - closes per service by verdict, reset causes and refusals per service;
 *   - TIME_WAIT and CLOSE_WAIT sockets per host, now and peak;
 *   - captured frames, kernel and interface drops, tracked connections;
 *   - every cap that bit (connection table, memory, aggregator keys, and
 *     the series this file folded into "other").
 * Label cardinality is capped: the `top` services (by connections) and
 * hosts (by peak) get their own series, the rest add up in one
 * service="other" or host="other" series, so a scan of many addresses
 * cannot blow up a time-series database.
 */
#ifndef TCPCLOSE_METRICS_H
#define TCPCLOSE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "tcpclose/agg.h"
#include "tcpclose/engine.h"

#define TC_METRICS_TOP_DEFAULT 20

/* What the capture layer knows and the core does not. */
struct tc_capture_counts {
	uint64_t drop;   /* dropped by the kernel (pcap_stats ps_drop) */
	uint64_t ifdrop; /* dropped by the interface or driver */
	int valid;       /* the counters are known (live capture) */
};

struct tc_metrics;

/* NULL on allocation failure. top 0 = TC_METRICS_TOP_DEFAULT. */
struct tc_metrics *tc_metrics_new(const char *path, uint32_t top);
void tc_metrics_free(struct tc_metrics *m);

/*
 * Each finished connection, as the engine hands it over: one an endpoint
 * of which still sat in CLOSE_WAIT when it left the table (the end of the
 * input, or its 4-tuple reused) counts for that host at the final write.
 */
void tc_metrics_conn(struct tc_metrics *m, const struct tc_conn *c);

/*
 * Rewrite the file from the aggregator, the engine and the capture
 * counters (cc may be NULL). CLOSE_WAIT "now" comes from the connections
 * the engine tracks, or with `final` (the table is empty by then) from
 * those tc_metrics_conn saw leave it in CLOSE_WAIT. Returns 0, or -1 with
 * a message ("FILE: reason") in err.
 */
int tc_metrics_write(struct tc_metrics *m, const struct tc_agg *a, const struct tc_engine *e,
		     const struct tc_capture_counts *cc, int final, char *err, size_t errlen);

#endif
