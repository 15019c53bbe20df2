/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * expect.c -- golden expectations (see expect.h, docs/expect-format.md).
 */
#include "expect.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tcpclose/grow.h"

#define MAX_MISMATCH_LINES 50

struct tc_expect {
	char **conn;             /* conn[i]: fields of connection id i+1 */
	size_t nconn, capconn;
	long long count_only;    /* "conns N", or -1 */
	char *summary;           /* fields of the summary line, or NULL */
	char *path;
	uint64_t seen;           /* results received */
	int mismatches;
	FILE *log;               /* mismatches found while streaming */
	char *logbuf;
	size_t loglen;
};

static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

struct tc_expect *tc_expect_load(const char *path, char *errbuf, size_t errlen)
{
	struct tc_expect *x = calloc(1, sizeof(*x));
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;

	if (!f) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		free(x);
		return NULL;
	}
	if (!x)
		goto oom;
	x->count_only = -1;
	x->path = strdup(path);
	while (getline(&line, &cap, f) > 0) {
		char *s = trim(line);
		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		if (strncmp(s, "conn ", 5) == 0) {
			char **n = tc_grow(x->conn, &x->capconn, x->nconn + 1, sizeof(*n), 64);
			if (!n)
				goto oom;
			x->conn = n;
			if (!(x->conn[x->nconn++] = strdup(trim(s + 5))))
				goto oom;
		} else if (strncmp(s, "conns ", 6) == 0) {
			x->count_only = atoll(s + 6);
		} else if (strncmp(s, "summary", 7) == 0) {
			free(x->summary);
			if (!(x->summary = strdup(trim(s + 7))))
				goto oom;
		} else {
			snprintf(errbuf, errlen, "%s:%ld: unknown line", path, lineno);
			free(line);
			fclose(f);
			tc_expect_free(x);
			return NULL;
		}
	}
	free(line);
	fclose(f);
	x->log = open_memstream(&x->logbuf, &x->loglen);
	if (!x->log)
		goto oom2;
	return x;
oom:
	free(line);
	fclose(f);
oom2:
	snprintf(errbuf, errlen, "out of memory");
	tc_expect_free(x);
	return NULL;
}

void tc_expect_free(struct tc_expect *x)
{
	size_t i;
	if (!x)
		return;
	for (i = 0; i < x->nconn; i++)
		free(x->conn[i]);
	free(x->conn);
	free(x->summary);
	free(x->path);
	if (x->log)
		fclose(x->log);
	free(x->logbuf);
	free(x);
}

static void mismatch(struct tc_expect *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));


static void mismatch(struct tc_expect *x, const char *fmt, ...)
{
	va_list ap;
	x->mismatches++;
	if (x->mismatches > MAX_MISMATCH_LINES)
		return;
	va_start(ap, fmt);
	vfprintf(x->log, fmt, ap);
	va_end(ap);
}

/* Walk "k=v k=v" in place; calls fn for each pair. */
static void each_pair(const char *fields, void (*fn)(void *ctx, const char *k, const char *v),
		      void *ctx)
{
	char *copy = strdup(fields), *save = NULL, *tok;
	if (!copy)
		return;
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		fn(ctx, tok, eq + 1);
	}
	free(copy);
}

struct conn_ctx {
	struct tc_expect *x;
	const struct tc_conn *c;
	const struct tc_verdict *v;
	const struct tc_diagnosis *d;
};

static void check_conn_pair(void *ctx, const char *k, const char *want)
{
	struct conn_ctx *cc = ctx;
	char got[128];
	if (strcmp(want, "*") == 0)
		return;
	if (tc_field(cc->c, cc->v, cc->d, k, got, sizeof(got)) != 0) {
		mismatch(cc->x, "conn %" PRIu64 ": unknown key '%s'\n", cc->c->id, k);
		return;
	}
	if (strcmp(got, want) != 0)
		mismatch(cc->x, "conn %" PRIu64 ": %s: expected %s, got %s\n", cc->c->id, k, want,
			 got);
}

void tc_expect_conn(struct tc_expect *x, const struct tc_conn *c, const struct tc_verdict *v,
		    const struct tc_diagnosis *d)
{
	struct conn_ctx cc = {x, c, v, d};
	x->seen++;
	if (x->count_only >= 0 && x->nconn == 0)
		return;
	if (c->id == 0 || c->id > x->nconn) {
		char cl[64], sv[64];
		tc_field(c, v, d, "client", cl, sizeof(cl));
		tc_field(c, v, d, "server", sv, sizeof(sv));
		mismatch(x, "conn %" PRIu64 ": not expected (%s -> %s, close=%s)\n", c->id, cl, sv,
			 tc_close_name(v->close));
		return;
	}
	each_pair(x->conn[c->id - 1], check_conn_pair, &cc);
}

struct sum_ctx {
	struct tc_expect *x;
	const struct tc_stats *st;
};

static void check_sum_pair(void *ctx, const char *k, const char *want)
{
	struct sum_ctx *sc = ctx;
	const struct tc_stats *st = sc->st;
	uint64_t got;

	if (strcmp(k, "error") == 0)
		return; /* checked on the whole line */
	if (!strcmp(k, "connections")) got = st->reported;
	else if (!strcmp(k, "graceful")) got = st->by_close[TC_CLOSE_GRACEFUL];
	else if (!strcmp(k, "half_closed")) got = st->by_close[TC_CLOSE_HALF_CLOSED];
	else if (!strcmp(k, "reset")) got = st->by_close[TC_CLOSE_RESET];
	else if (!strcmp(k, "open")) got = st->by_close[TC_CLOSE_OPEN];
	else if (!strcmp(k, "refused")) got = st->refused;
	else if (!strcmp(k, "packets")) got = st->frames;
	else if (!strcmp(k, "tcp_packets")) got = st->tcp;
	else if (!strcmp(k, "rst_ignored")) got = st->rst_ignored;
	else {
		mismatch(sc->x, "summary: unknown key '%s'\n", k);
		return;
	}
	if (strtoull(want, NULL, 10) != got || want[0] == '\0')
		mismatch(sc->x, "summary: %s: expected %s, got %" PRIu64 "\n", k, want, got);
}

int tc_expect_finish(struct tc_expect *x, const struct tc_stats *st,
		     const struct tc_run_info *ri, FILE *out)
{
	uint64_t want = x->count_only >= 0 && x->nconn == 0 ? (uint64_t)x->count_only : x->nconn;
	int i;

	if (x->seen != want)
		mismatch(x, "expected %" PRIu64 " connections, found %" PRIu64 "\n", want, x->seen);
	if (x->summary) {
		struct sum_ctx sc = {x, st};
		const char *err = strstr(x->summary, "error=");
		each_pair(x->summary, check_sum_pair, &sc);
		if (err) {
			int found = 0;
			err += 6;
			for (i = 0; i < ri->nerrors; i++)
				if (strstr(ri->errors[i], err))
					found = 1;
			if (!found)
				mismatch(x, "expected an input error containing '%s', got %s\n", err,
					 ri->nerrors ? ri->errors[0] : "none");
		} else if (ri->nerrors) {
			mismatch(x, "unexpected input error: %s\n", ri->errors[0]);
		}
	} else if (ri->nerrors) {
		mismatch(x, "unexpected input error: %s\n", ri->errors[0]);
	}
	fflush(x->log);
	if (x->mismatches) {
		fprintf(out, "%s: %d mismatch%s\n", x->path, x->mismatches,
			x->mismatches == 1 ? "" : "es");
		fwrite(x->logbuf, 1, x->loglen, out);
		if (x->mismatches > MAX_MISMATCH_LINES)
			fprintf(out, "... (%d more)\n", x->mismatches - MAX_MISMATCH_LINES);
	} else {
		fprintf(out, "%s: ok (%" PRIu64 " connections)\n", x->path, x->seen);
	}
	return x->mismatches;
}
