/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pipeline.c -- the one wiring of a run (see pipeline.h).
 */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

struct tc_pipeline {
	struct tc_pipeline_opts o;
	struct tc_engine *eng;
	struct tc_agg *agg;
	void *w; /* the writer instance, until it ends */
	uint64_t shown;
	struct tc_metrics *met; /* --metrics, or NULL */
	struct tc_capture_counts cc;
	int64_t met_next; /* monotonic time of the next live rewrite */
	int met_written;
	char met_err[320];
	int met_failed;
};

uint64_t tc_random_seed(void)
{
	uint64_t s = 0;
	struct timespec ts;

	if (getentropy(&s, sizeof(s)) == 0)
		return s;
	/* Only if the kernel has no entropy call (Linux < 3.17): better a
	 * seed that varies than none. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
}

static void on_ahead(const struct tc_conn *c, void *arg)
{
	struct tc_pipeline *p = arg;

	if (p->agg)
		tc_agg_fetch_slots(p->agg, c);
}

static void on_conn(const struct tc_conn *c, const struct tc_verdict *v,
		    const struct tc_diagnosis *d, void *arg)
{
	struct tc_pipeline *p = arg;
	int shown;

	/* The aggregator's lookups miss the cache at random: their slots were
	 * requested before c was judged (on_ahead), their entries are now,
	 * and the record is written while they come. */
	if (p->agg)
		tc_agg_fetch_entries(p->agg, c);
	if (p->o.tap)
		p->o.tap(c, v, d, p->o.tap_arg);
	if (p->met)
		tc_metrics_conn(p->met, c);
	if (p->w) {
		shown = !p->o.wcfg.sel || tc_select_match(p->o.wcfg.sel, c, v, d);
		p->shown += (uint64_t)shown;
		p->o.fmt->conn(p->w, c, v, d, shown);
		if (p->o.flush_each && shown)
			fflush(p->o.wcfg.out);
	}
	/* Findings and summaries are over every connection, shown or not. */
	if (p->agg)
		tc_agg_conn(p->agg, c, v, d);
}

struct tc_pipeline *tc_pipeline_new(const struct tc_pipeline_opts *o)
{
	struct tc_pipeline *p = calloc(1, sizeof(*p));
	struct tc_engine_opts eo;
	struct tc_agg_opts ao;

	if (!p)
		return NULL;
	p->o = *o;
	eo = o->eng;
	ao = o->agg;
	if (!eo.hash_seed)
		eo.hash_seed = tc_random_seed();
	eo.ahead = on_ahead;
	if (!ao.hash_seed)
		ao.hash_seed = tc_random_seed();
	if (!(p->eng = tc_engine_new(&eo, on_conn, p)))
		goto fail;
	if (o->metrics && !(p->met = tc_metrics_new(o->metrics, o->metrics_top)))
		goto fail;
	if ((o->aggregate || o->fmt || o->metrics) && !(p->agg = tc_agg_new(&ao)))
		goto fail;
	if (o->fmt) {
		p->o.wcfg.st = tc_engine_stats(p->eng);
		p->o.wcfg.flush_each = o->flush_each;
		if (!(p->w = o->fmt->begin(&p->o.wcfg)))
			goto fail;
	}
	return p;
fail:
	tc_pipeline_free(p);
	return NULL;
}

struct tc_engine *tc_pipeline_engine(struct tc_pipeline *p)
{
	return p->eng;
}

uint64_t tc_pipeline_shown(const struct tc_pipeline *p)
{
	return p->shown;
}

static int metrics_write(struct tc_pipeline *p, int final)
{
	tc_agg_set_stats(p->agg, tc_engine_stats(p->eng));
	if (tc_metrics_write(p->met, p->agg, p->eng, &p->cc, final, p->met_err, sizeof(p->met_err)) != 0) {
		p->met_failed = 1;
		return -1;
	}
	p->met_written = 1;
	return 0;
}

int tc_pipeline_metrics(struct tc_pipeline *p, const struct tc_capture_counts *cc, int64_t mono_ns)
{
	if (cc)
		p->cc = *cc;
	if (!p->met || (p->met_written && mono_ns < p->met_next))
		return 0;
	/* INT64_MAX asks for a write now (the view's last): no overflow. */
	p->met_next = mono_ns > INT64_MAX - TC_METRICS_PERIOD_NS ? INT64_MAX
								 : mono_ns + TC_METRICS_PERIOD_NS;
	return metrics_write(p, 0);
}

const char *tc_pipeline_error(const struct tc_pipeline *p)
{
	return p->met_failed ? p->met_err : NULL;
}

int tc_pipeline_end(struct tc_pipeline *p, const struct tc_run_info *ri)
{
	struct tc_writer_end e;
	int met = 0;

	if (p->met)
		met = metrics_write(p, 1);
	if (!p->w)
		return met;
	e.agg = p->agg;
	e.st = tc_engine_stats(p->eng);
	/* The findings, grouped and ranked, one by one before the end. */
	if (p->agg && p->o.fmt->finding) {
		const struct tc_finding_group *g;
		size_t n, i;

		tc_agg_set_stats(p->agg, e.st);
		g = tc_agg_groups(p->agg, &n);
		for (i = 0; i < n; i++)
			p->o.fmt->finding(p->w, &g[i], i + 1, p->agg);
	}
	e.ri = ri;
	e.shown = p->shown;
	p->o.fmt->end(p->w, &e);
	p->w = NULL;
	return fflush(p->o.wcfg.out) != 0 || ferror(p->o.wcfg.out) ? -1 : met;
}

void tc_pipeline_free(struct tc_pipeline *p)
{
	if (!p)
		return;
	if (p->w)
		p->o.fmt->discard(p->w);
	tc_metrics_free(p->met);
	tc_agg_free(p->agg);
	tc_engine_free(p->eng);
	free(p);
}
