/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_check.h -- what both harnesses do with each finished connection and
 * at the end of a run: format it with every writer (so the output code is
 * fuzzed too) and check the promises engine.h and output.h make.
 *
 * A broken promise calls abort(), which libFuzzer records as a crash with
 * the input that caused it. Every check names the promise it holds.
 */
#ifndef TC_FUZZ_CHECK_H
#define TC_FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"
#include "out_tab.h"
#include "output.h"
#include "tcpclose/agg.h"
#include "tcpclose/diag.h"
#include "tcpclose/engine.h"

#include "fuzz_json.h"

/*
 * Known bugs, reported and not fixed yet, that the harness steps around so
 * a run can look for the next one (fuzz/README.md, "Findings"). A switch
 * at 1 steps around its bug; at 0 the harness checks for it. Set the
 * default back to 0 when the fix lands (build with -DFC_KNOWN_Fn=0 to check
 * before that).
 *
 * F3: tc_diag_explain() left its buffer unwritten (no NUL) when the cause
 *     is "none"; tui.c calls it that way for every finished connection.
 *     Fixed in 89a00d4.
 */
#ifndef FC_KNOWN_F3
#define FC_KNOWN_F3 0
#endif

/*
 * F5: timestamps were used unbounded: pcapng can carry any 64-bit time,
 *     and the engine, evidence, diagnosis, aggregator and writers subtract
 *     them (c->last_ts - c->first_ts, ts - c->last_ts, ...), overflowing
 *     int64. With the switch at 1 the harnesses bound times to
 *     +-(2^62 - 1) ns themselves. Fixed in 89a00d4 (time clamped to
 *     [0, TC_TS_MAX] in source.c and in tc_engine_frame/tick).
 */
#ifndef FC_KNOWN_F5
#define FC_KNOWN_F5 0
#endif
#define FC_TS_BOUND ((int64_t)(((uint64_t)1 << 62) - 1))

static int64_t fc_ts(int64_t ts)
{
	if (!FC_KNOWN_F5)
		return ts;
	return ts > FC_TS_BOUND ? FC_TS_BOUND : ts < -FC_TS_BOUND ? -FC_TS_BOUND : ts;
}

/*
 * UBSan: stop at the first report (the build keeps UBSan recoverable so
 * that suppressions work), print a stack, and read fuzz/ubsan.supp: the
 * bugs already reported and not yet fixed. Empty it as they are fixed.
 */
#ifndef TC_FUZZ_UBSAN_SUPP
#define TC_FUZZ_UBSAN_SUPP "fuzz/ubsan.supp"
#endif
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1:report_error_type=1:"
	       "suppressions=" TC_FUZZ_UBSAN_SUPP;
}

#define FC_REQUIRE(cond, what)                                                              \
	do {                                                                                \
		if (!(cond)) {                                                              \
			fprintf(stderr, "fuzz invariant broken: %s (%s) at %s:%d\n", what, \
				#cond, __FILE__, __LINE__);                                 \
			abort();                                                            \
		}                                                                           \
	} while (0)

struct fc_run {
	struct tc_agg *agg_json, *agg_text; /* one per writer, as in two runs */
	struct tc_ladder *ladder; /* the close ladder of one connection */
	uint64_t ladder_id;    /* its id (the first connection's), 0 until known */
	FILE *json;            /* open_memstream: checked line by line */
	char *json_buf;
	size_t json_len;
	struct tc_text *text;  /* writes to /dev/null */
	struct tc_zeek *zeek;  /* made at the first connection (needs stats) */
	const struct tc_stats *st; /* the engine's, set by the harness */
	FILE *devnull;
	uint64_t ncb;          /* callbacks so far */
	uint8_t *seen;         /* seen[id]: reported already */
	size_t nseen;
	uint64_t max_frame;    /* largest frame number given to the engine */
};

static const char *const fc_keys[] = {
	"id", "client", "server", "opened", "close", "closer", "reset_by", "reset_phase",
	"client_state", "server_state", "history", "pkts_client", "pkts_server",
	"bytes_client", "bytes_server", "fins_client", "fins_server", "rsts_client",
	"rsts_server", "retx_client", "retx_server", "rst_ignored", "simultaneous",
	"first_ts", "last_ts", "proto",
};

static FILE *fc_devnull(void)
{
	static FILE *f;
	if (!f)
		f = fopen("/dev/null", "w");
	if (!f)
		abort();
	return f;
}

/*
 * The aggregator's cap when an input does not ask for a small one: more
 * keys than an input of the lengths the fuzzing runs use can make (a
 * 128 KiB capture holds under 2,500 frames, each naming at most two hosts,
 * a service and a pair), so the cap is not reached, as with the default.
 * Not the default (100,000) itself: the tables are reserved at the cap,
 * and under ASan reserving and freeing 100,000 keys' worth twice per input
 * cost more than the input's whole run (7 inputs a second).
 */
#define FC_AGG_KEYS 8192

/* agg_max_keys small so the aggregator's caps are reached; 0 for FC_AGG_KEYS. */
static void fc_begin(struct fc_run *r, uint32_t agg_max_keys)
{
	struct tc_agg_opts ao = {0};
	memset(r, 0, sizeof(*r));
	ao.max_keys = agg_max_keys ? agg_max_keys : FC_AGG_KEYS;
	r->devnull = fc_devnull();
	r->json = open_memstream(&r->json_buf, &r->json_len);
	r->text = tc_text_new(r->devnull, 1, 1);
	tc_text_set_selection(r->text, "every other connection");
	r->agg_json = tc_agg_new(&ao);
	r->agg_text = tc_agg_new(&ao);
	r->ladder = malloc(sizeof(*r->ladder));
	if (!r->json || !r->text || !r->agg_json || !r->agg_text || !r->ladder)
		abort();
}

/* Engine tap: record the ladder of the first connection. */
static void fc_tap(const struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
		   int64_t ts_ns, uint64_t frame, const uint8_t state_before[2], void *arg)
{
	struct fc_run *r = arg;
	if (!r->ladder_id) {
		r->ladder_id = c->id;
		tc_ladder_init(r->ladder, c->id);
	}
	if (c->id == r->ladder_id)
		tc_ladder_add(r->ladder, c, from, p, ts_ns, frame, state_before);
}

static void fc_line(const char *s, void *arg)
{
	FILE *f = arg;
	if (strchr(s, '\n'))
		fprintf(stderr, "ladder line with a newline: \"%s\"\n", s);
	FC_REQUIRE(strchr(s, '\n') == NULL, "ladder lines come without newline");
	fputs(s, f);
	fputc('\n', f);
}

static void fc_conn(const struct tc_conn *c, const struct tc_verdict *v,
		    const struct tc_diagnosis *dx, void *arg)
{
	struct fc_run *r = arg;
	struct tc_diagnosis d;
	char buf[128], why[1024];
	size_t i;

	r->ncb++;
	/* engine.h: every connection is handed over exactly once. */
	FC_REQUIRE(c->id >= 1, "ids count from 1");
	if (c->id >= r->nseen) {
		size_t n = r->nseen ? r->nseen : 64;
		uint8_t *s;
		while (n <= c->id)
			n *= 2;
		s = realloc(r->seen, n);
		if (!s)
			abort();
		memset(s + r->nseen, 0, n - r->nseen);
		r->seen = s;
		r->nseen = n;
	}
	FC_REQUIRE(!r->seen[c->id], "a connection is reported once");
	r->seen[c->id] = 1;

	/* conn.h: the record's own promises. */
	FC_REQUIRE(c->af == 4 || c->af == 6, "af is 4 or 6");
	FC_REQUIRE(c->hist_len <= TC_HISTORY_MAX, "history fits");
	FC_REQUIRE(strlen(c->history) == (c->hist_len < TC_HISTORY_INLINE ? c->hist_len : TC_HISTORY_INLINE),
		   "the record's letters are NUL-terminated");
	FC_REQUIRE(c->hist_len <= TC_HISTORY_INLINE || c->x, "a long history has its extension");
	{
		tc_history_buf hb;
		FC_REQUIRE(strlen(tc_conn_history(c, hb)) == c->hist_len,
			   "history is NUL-terminated at hist_len");
	}
	FC_REQUIRE(c->ep[0].state < TC_STATE__COUNT && c->ep[1].state < TC_STATE__COUNT,
		   "states are states");
	FC_REQUIRE((unsigned)v->close < TC_CLOSE__COUNT, "close verdict in range");
	FC_REQUIRE((unsigned)v->opened < TC_OPENED__COUNT, "opened verdict in range");
	FC_REQUIRE((unsigned)v->closer <= TC_WHO_BOTH && (unsigned)v->reset_by <= TC_WHO_BOTH,
		   "who in range");
	FC_REQUIRE((unsigned)v->reset_phase <= TC_PHASE_CLOSING, "phase in range");
	FC_REQUIRE(c->frame_first >= 1 && c->frame_first <= c->frame_last &&
			   c->frame_last <= r->max_frame,
		   "frame numbers are frames that were fed");
	FC_REQUIRE(c->ep[0].pkts + (uint64_t)c->ep[1].pkts >= 1, "a connection has a packet");
	FC_REQUIRE((v->close == TC_CLOSE_RESET) == (v->reset_by != TC_WHO_NONE),
		   "reset verdict iff someone reset");

	/* The engine's diagnosis, then aggregation, as the pipeline does. */
	d = *dx;
	FC_REQUIRE((unsigned)d.cause < TC_CAUSE__COUNT, "cause in range");
	/* Poisoned first, so a buffer left unwritten is seen every time, not
	 * only when the stack happens to hold no zero byte. */
	memset(why, 'X', sizeof(why));
	if (d.cause != TC_CAUSE_NONE || !FC_KNOWN_F3) {
		tc_diag_explain(c, v, &d, why, sizeof(why));
		FC_REQUIRE(memchr(why, '\0', sizeof(why)) != NULL,
			   "tc_diag_explain writes a string (F3 if cause is none)");
	} else {
		why[0] = '\0';
	}
	tc_agg_conn(r->agg_json, c, v, &d);
	tc_agg_conn(r->agg_text, c, v, &d);

	/* Every writer, every field. */
	tc_json_conn(r->json, c, v, &d);
	tc_text_conn(r->text, c, v, &d, (int)(c->id & 1) || c->id < 4);
	tc_csv_conn(r->devnull, c, v, &d);
	if (!r->zeek && r->st)
		r->zeek = tc_zeek_new(r->devnull, r->st);
	if (r->zeek)
		tc_zeek_conn(r->zeek, c, v, &d);
	if (c->id == r->ladder_id) {
		tc_ladder_render(r->ladder, c, why, 80, 0, fc_line, r->devnull);
		tc_ladder_render(r->ladder, c, NULL, 60, 1, fc_line, r->devnull);
	}
	for (i = 0; i < sizeof(fc_keys) / sizeof(fc_keys[0]); i++)
		FC_REQUIRE(tc_field(c, v, &d, fc_keys[i], buf, sizeof(buf)) == 0, "known field");
	FC_REQUIRE(tc_field(c, v, &d, "no_such_field", buf, sizeof(buf)) == -1, "unknown field");
}

/* After tc_engine_finish(): counters add up, nothing was lost, the report
 * is written and the JSON is valid. */
static void fc_end(struct fc_run *r, const struct tc_stats *st, const struct tc_run_info *ri)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < TC_DEC__COUNT; i++)
		sum += st->by_status[i];
	FC_REQUIRE(sum == st->frames, "every frame has one decode status");
	FC_REQUIRE(st->by_status[TC_DEC_OK] == st->tcp, "ok frames are the TCP frames");
	FC_REQUIRE(st->active == 0, "finish empties the table");
	FC_REQUIRE(st->reported == st->conns, "every connection created is reported");
	FC_REQUIRE(r->ncb == st->reported, "reported = callbacks");
	FC_REQUIRE(st->evicted <= st->reported && st->peak_active <= st->conns, "counters");
	sum = 0;
	for (i = 0; i < TC_CLOSE__COUNT; i++)
		sum += st->by_close[i];
	FC_REQUIRE(sum == st->reported, "every reported connection has one verdict");

	tc_json_end(r->json, r->agg_json, st, ri);
	if (!r->zeek)
		r->zeek = tc_zeek_new(r->devnull, st);
	if (r->zeek)
		tc_zeek_end(r->zeek);
	tc_csv_header(r->devnull);
	tc_text_end(r->text, r->agg_text, st, ri);
	FC_REQUIRE(fflush(r->json) == 0, "memstream");
	FC_REQUIRE(fj_check_lines(r->json_buf, r->json_len), "JSON writer output is JSON Lines");

	fclose(r->json);
	free(r->json_buf);
	tc_text_free(r->text);
	tc_agg_free(r->agg_json);
	tc_agg_free(r->agg_text);
	free(r->ladder);
	free(r->seen);
}

#endif
