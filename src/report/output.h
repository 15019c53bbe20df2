/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output.h -- report writers: the human text report, JSON Lines, and the
 * key=value view of a connection that .expect checks and filters share.
 *
 * Writers only format; they never decide a verdict (classify.c does) and
 * hold no pointer to a connection after the call returns (the engine frees
 * the record right after).
 */
#ifndef TCPCLOSE_OUTPUT_H
#define TCPCLOSE_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpclose/agg.h"
#include "tcpclose/diag.h"
#include "tcpclose/engine.h"

/*
 * The capture's own counters, where the input carries them (pcapng
 * interface statistics blocks, read through libwiretap: the last block
 * of each interface, summed over interfaces and files), or live, the
 * kernel's (pcap_stats: received, and dropped by the buffer or the
 * interface). have_* is 0 when
 * no block carried that option. isb_ifdrop is where dumpcap writes
 * libpcap's pcap_stats() ps_drop.
 */
struct tc_input_stats {
	const char *from; /* where they come from; NULL: pcapng interface statistics */
	int have_ifrecv, have_ifdrop, have_osdrop;
	uint64_t ifrecv; /* packets the interface received */
	uint64_t ifdrop; /* dropped by the interface or the capture buffer */
	uint64_t osdrop; /* dropped by the operating system */
};

/* What the run was over, for headers and summaries. */
struct tc_run_info {
	char *const *files;
	int nfiles;
	const char *filter;
	int nerrors;
	const char *const *errors;  /* nerrors messages: where input stopped */
	int truncated_by_count;     /* -c N stopped the read */
	const struct tc_input_stats *input_stats; /* NULL: the input carries none */
};

/*
 * The value of one named field of a finished connection, as text ("-" for
 * null): the vocabulary of .expect files and report filters. v and d are
 * what the engine handed over (NULL is fine for the endpoint fields,
 * "client" and "server"). Returns 0, or -1 for an unknown key.
 */
int tc_field(const struct tc_conn *c, const struct tc_verdict *v, const struct tc_diagnosis *d,
	     const char *key, char *buf, size_t n);

/* JSON Lines. */
void tc_json_conn(FILE *out, const struct tc_conn *c, const struct tc_verdict *v,
		  const struct tc_diagnosis *d);
/* Findings and per-endpoint records, then the summary: the end of a run. */
void tc_json_end(FILE *out, struct tc_agg *agg, const struct tc_stats *st,
		 const struct tc_run_info *ri);

/* Text report: connections are spooled by verdict, printed by tc_text_end. */
struct tc_text;
struct tc_text *tc_text_new(FILE *out, int verbose, int color);
/* Every connection is counted in the header; only `shown` ones are listed. */
void tc_text_conn(struct tc_text *t, const struct tc_conn *c, const struct tc_verdict *v,
		  const struct tc_diagnosis *d, int shown);
/* Rows of each table and (a third of it) sample connections per verdict;
 * 0 = the default, 10. */
void tc_text_set_top(struct tc_text *t, size_t n);
/* A report selection is active: the header says "showing N of M: desc". */
void tc_text_set_selection(struct tc_text *t, const char *desc);
/* One grouped finding, most harmful first (the writer's finding op): kept
 * for the report, which lists it below the counts. */
void tc_text_finding(struct tc_text *t, const struct tc_finding_group *g, size_t rank);
/* The report. Without the finding op (a caller outside the pipeline) this
 * hands over agg's groups itself first. */
void tc_text_end(struct tc_text *t, struct tc_agg *agg, const struct tc_stats *st,
		 const struct tc_run_info *ri);
void tc_text_free(struct tc_text *t);

/*
 * The tunnel a connection was seen in, or NULL outside any:
 * tc_tunnel_outer() gives its outer addresses "10.0.0.1->10.0.0.2" (as
 * its first packet carried them), tc_tunnel_str() all of it in one word,
 * "vxlan/42@10.0.0.1->10.0.0.2" ("ipip@..." when the tunnel has no id).
 * buf >= TC_TUNNEL_OUTERLEN and TC_TUNNEL_STRLEN bytes.
 */
#define TC_TUNNEL_OUTERLEN (2 * TC_ADDRSTRLEN + 2)
#define TC_TUNNEL_STRLEN (TC_TUNNEL_OUTERLEN + 32)
char *tc_tunnel_outer(const struct tc_conn *c, char *buf);
char *tc_tunnel_str(const struct tc_conn *c, char *buf);

/* Seconds with nanoseconds, "1700000000.123456789". buf >= 32 bytes. */
char *tc_ts_str(int64_t ns, char *buf);
/* UTC wall-clock time, "2023-11-14 22:13:20.000Z". buf >= 64 bytes. */
char *tc_time_human(int64_t ns, char *buf);

#endif
