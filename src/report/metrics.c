/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.c -- the Prometheus text file of --metrics (see metrics.h).
 */
#include "metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcpclose/diag.h"

/* Hosts whose CLOSE_WAIT this module counts itself (the aggregator keeps
 * TIME_WAIT per host, not CLOSE_WAIT). Past the cap, "other". */
#define CW_MAX_HOSTS 65536u

struct cw_host {
	uint8_t used, af;
	uint8_t addr[16];
	uint32_t now; /* sample being taken */
	uint32_t end; /* left the table in CLOSE_WAIT */
	uint32_t peak;
};

struct tc_metrics {
	char *path;
	uint32_t top;
	struct cw_host *cw; /* open addressing, ncw slots (a power of 2) */
	size_t ncw, ucw;
	uint32_t cw_other_now, cw_other_end, cw_other_peak;
	uint64_t cw_overflow; /* samples that found the host table full */
};

struct tc_metrics *tc_metrics_new(const char *path, uint32_t top)
{
	struct tc_metrics *m = calloc(1, sizeof(*m));

	if (!m || !(m->path = strdup(path))) {
		free(m);
		return NULL;
	}
	m->top = top ? top : TC_METRICS_TOP_DEFAULT;
	return m;
}

void tc_metrics_free(struct tc_metrics *m)
{
	if (!m)
		return;
	free(m->cw);
	free(m->path);
	free(m);
}

static size_t cw_hash(int af, const uint8_t addr[16])
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)af;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

static struct cw_host *cw_slot(struct cw_host *t, size_t n, int af, const uint8_t addr[16])
{
	size_t i = cw_hash(af, addr) & (n - 1);

	while (t[i].used && !(t[i].af == af && !memcmp(t[i].addr, addr, 16)))
		i = (i + 1) & (n - 1);
	return &t[i];
}

/* The host's entry, added if new; NULL when the table is full (or no memory). */
static struct cw_host *cw_get(struct tc_metrics *m, int af, const uint8_t addr[16])
{
	struct cw_host *h;

	if (m->ucw * 2 >= m->ncw) {
		size_t n = m->ncw ? m->ncw * 2 : 64, i;
		struct cw_host *t;

		if (m->ucw >= CW_MAX_HOSTS)
			goto full;
		if (!(t = calloc(n, sizeof(*t))))
			goto full;
		for (i = 0; i < m->ncw; i++)
			if (m->cw[i].used)
				*cw_slot(t, n, m->cw[i].af, m->cw[i].addr) = m->cw[i];
		free(m->cw);
		m->cw = t;
		m->ncw = n;
	}
	h = cw_slot(m->cw, m->ncw, af, addr);
	if (!h->used) {
		h->used = 1;
		h->af = (uint8_t)af;
		memcpy(h->addr, addr, 16);
		m->ucw++;
	}
	return h;
full:
	/* Still there if it was added before the table filled. */
	if (m->ncw) {
		h = cw_slot(m->cw, m->ncw, af, addr);
		if (h->used)
			return h;
	}
	m->cw_overflow++;
	return NULL;
}

/* Count c's endpoints in CLOSE_WAIT: into `now` (a sample) or `end`. */
static void cw_count(struct tc_metrics *m, const struct tc_conn *c, int end)
{
	int r;

	for (r = 0; r < 2; r++) {
		struct cw_host *h;

		if (c->ep[r].state != TC_CLOSE_WAIT)
			continue;
		h = cw_get(m, c->af, c->ep[r].addr);
		if (end) {
			if (h)
				h->end++;
			else
				m->cw_other_end++;
		} else {
			if (h)
				h->now++;
			else
				m->cw_other_now++;
		}
	}
}

void tc_metrics_conn(struct tc_metrics *m, const struct tc_conn *c)
{
	if (c->cflags & TC_CONN_EVICTED)
		return; /* dropped for the cap, not at the end of the input */
	cw_count(m, c, 1);
}

static void cw_sample_fn(const struct tc_conn *c, void *arg)
{
	cw_count(arg, c, 0);
}

/* ---- writing ----------------------------------------------------------- */

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* "10.0.0.1:80", "[2001:db8::1]:443" */
static void service_label(const struct tc_service_stats *s, char *buf, size_t n)
{
	char a[64];

	tc_addr_str(s->af, s->addr, a);
	snprintf(buf, n, s->af == 6 ? "[%s]:%u" : "%s:%u", a, (unsigned)s->port);
}

static const struct tc_agg *sort_agg;

static int svc_cmp(const void *x, const void *y)
{
	const struct tc_service_stats *a = tc_agg_service(sort_agg, *(const size_t *)x);
	const struct tc_service_stats *b = tc_agg_service(sort_agg, *(const size_t *)y);

	if (a->conns != b->conns)
		return a->conns > b->conns ? -1 : 1;
	return *(const size_t *)x < *(const size_t *)y ? -1 : 1;
}

/* One host's pair of gauges (TIME_WAIT or CLOSE_WAIT): now and peak. */
struct host_row {
	uint8_t af;
	const uint8_t *addr;
	uint32_t now, peak;
};

/* Highest peak first, then most now; the address settles ties so that
 * two runs over one input write the same file. */
static int row_cmp(const void *x, const void *y)
{
	const struct host_row *a = x, *b = y;

	if (a->peak != b->peak)
		return a->peak > b->peak ? -1 : 1;
	if (a->now != b->now)
		return a->now > b->now ? -1 : 1;
	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

/*
 * The NAME and NAME_peak series for the top hosts by peak, then
 * host="other" (the rest summed now, the highest of their peaks, plus
 * what the caller already folded there) when there is a rest or
 * want_other. Returns the hosts folded into "other".
 */
static uint64_t put_host_gauges(FILE *f, const char *name, const char *help_now, const char *help_peak,
				struct host_row *v, size_t n, uint32_t top, uint64_t o_now, uint32_t o_peak,
				int want_other)
{
	size_t shown = n < top ? n : top, i;
	char lab[64];

	if (n)
		qsort(v, n, sizeof(*v), row_cmp);
	for (i = shown; i < n; i++) {
		o_now += v[i].now;
		if (v[i].peak > o_peak)
			o_peak = v[i].peak;
	}
	want_other = want_other || n > shown;
	head(f, name, "gauge", help_now);
	for (i = 0; i < shown; i++)
		fprintf(f, "%s{host=\"%s\"} %" PRIu32 "\n", name, tc_addr_str(v[i].af, v[i].addr, lab), v[i].now);
	if (want_other)
		fprintf(f, "%s{host=\"other\"} %" PRIu64 "\n", name, o_now);
	fprintf(f, "# HELP %s_peak %s\n# TYPE %s_peak gauge\n", name, help_peak, name);
	for (i = 0; i < shown; i++)
		fprintf(f, "%s_peak{host=\"%s\"} %" PRIu32 "\n", name, tc_addr_str(v[i].af, v[i].addr, lab),
			v[i].peak);
	if (want_other)
		fprintf(f, "%s_peak{host=\"other\"} %" PRIu32 "\n", name, o_peak);
	return n - shown;
}

/* Services: closes by verdict, causes, refusals; top N, then "other". */
static uint64_t put_services(FILE *f, const struct tc_agg *a, uint32_t top)
{
	size_t n = a ? tc_agg_nservices(a) : 0, i, k;
	size_t *ix = n ? malloc(n * sizeof(*ix)) : NULL;
	uint64_t o_close[TC_CLOSE__COUNT] = {0}, o_cause[TC_CAUSE__COUNT] = {0}, o_ref = 0;
	size_t shown = 0;
	char lab[80];

	if (n && !ix)
		n = 0; /* no memory: everything in "other" is not possible either */
	for (i = 0; i < n; i++)
		ix[i] = i;
	sort_agg = a;
	if (n)
		qsort(ix, n, sizeof(*ix), svc_cmp);
	shown = n < top ? n : top;
	for (i = shown; i < n; i++) {
		const struct tc_service_stats *s = tc_agg_service(a, ix[i]);
		for (k = 0; k < TC_CLOSE__COUNT; k++)
			o_close[k] += s->by_close[k];
		for (k = 1; k < TC_CAUSE__COUNT; k++)
			o_cause[k] += s->by_cause[k];
		o_ref += s->refused;
	}

	head(f, "tcpclose_closes_total", "counter",
	     "Connections that ended, per service (server address:port) and verdict.");
	for (i = 0; i < shown; i++) {
		const struct tc_service_stats *s = tc_agg_service(a, ix[i]);
		service_label(s, lab, sizeof(lab));
		for (k = 0; k < TC_CLOSE__COUNT; k++)
			fprintf(f, "tcpclose_closes_total{service=\"%s\",close=\"%s\"} %" PRIu64 "\n", lab,
				tc_close_name((enum tc_close)k), s->by_close[k]);
	}
	if (n > shown)
		for (k = 0; k < TC_CLOSE__COUNT; k++)
			fprintf(f, "tcpclose_closes_total{service=\"other\",close=\"%s\"} %" PRIu64 "\n",
				tc_close_name((enum tc_close)k), o_close[k]);

	head(f, "tcpclose_close_causes_total", "counter",
	     "Diagnosed causes of resets and abandoned connections, per service.");
	for (i = 0; i < shown; i++) {
		const struct tc_service_stats *s = tc_agg_service(a, ix[i]);
		service_label(s, lab, sizeof(lab));
		for (k = 1; k < TC_CAUSE__COUNT; k++)
			if (s->by_cause[k])
				fprintf(f, "tcpclose_close_causes_total{service=\"%s\",cause=\"%s\"} %" PRIu64 "\n",
					lab, tc_cause_name((enum tc_cause)k), s->by_cause[k]);
	}
	for (k = 1; k < TC_CAUSE__COUNT; k++)
		if (o_cause[k])
			fprintf(f, "tcpclose_close_causes_total{service=\"other\",cause=\"%s\"} %" PRIu64 "\n",
				tc_cause_name((enum tc_cause)k), o_cause[k]);

	head(f, "tcpclose_refused_total", "counter",
	     "Connection attempts answered by RST (refused), per service.");
	for (i = 0; i < shown; i++) {
		const struct tc_service_stats *s = tc_agg_service(a, ix[i]);
		service_label(s, lab, sizeof(lab));
		fprintf(f, "tcpclose_refused_total{service=\"%s\"} %" PRIu64 "\n", lab, s->refused);
	}
	if (n > shown)
		fprintf(f, "tcpclose_refused_total{service=\"other\"} %" PRIu64 "\n", o_ref);
	free(ix);
	return n - shown;
}

/* TIME_WAIT per host, from the aggregator: hosts that never held one
 * need no series. */
static uint64_t put_time_wait(FILE *f, const struct tc_agg *a, uint32_t top)
{
	size_t n = a ? tc_agg_nhosts(a) : 0, i, m = 0;
	struct host_row *v = n ? malloc(n * sizeof(*v)) : NULL;
	uint64_t folded;

	for (i = 0; i < n && v; i++) {
		const struct tc_host_stats *h = tc_agg_host(a, i);
		if (h->tw_peak || h->tw_now)
			v[m++] = (struct host_row){h->af, h->addr, h->tw_now, h->tw_peak};
	}
	folded = put_host_gauges(f, "tcpclose_time_wait_sockets",
				 "TIME_WAIT sockets a host holds now (capture time); host=\"other\" sums the rest.",
				 "Most TIME_WAIT sockets a host held at once; host=\"other\" is the highest of the rest.",
				 v, m, top, 0, 0, 0);
	free(v);
	return folded;
}

/* CLOSE_WAIT per host, from this module's table. */
static uint64_t put_close_wait(FILE *f, struct tc_metrics *m, int final)
{
	struct host_row *v = m->ucw ? malloc(m->ucw * sizeof(*v)) : NULL;
	size_t i, n = 0;
	uint64_t folded;

	for (i = 0; i < m->ncw; i++) {
		struct cw_host *h = &m->cw[i];
		if (!h->used)
			continue;
		if (final)
			h->now = h->end;
		if (h->now > h->peak)
			h->peak = h->now;
		if (v && h->peak)
			v[n++] = (struct host_row){h->af, h->addr, h->now, h->peak};
	}
	if (final)
		m->cw_other_now = m->cw_other_end;
	if (m->cw_other_now > m->cw_other_peak)
		m->cw_other_peak = m->cw_other_now;
	folded = put_host_gauges(f, "tcpclose_close_wait_sockets",
				 "Connections in which a host sits in CLOSE_WAIT now (its peer closed, it has not); "
				 "at the end of a file, those still so when the input ended.",
				 "Most CLOSE_WAIT connections a host held at one write of this file.", v, n, m->top,
				 m->cw_other_now, m->cw_other_peak, m->cw_other_peak != 0);
	free(v);
	return folded;
}

static void put_counts(FILE *f, const struct tc_stats *st, const struct tc_capture_counts *cc,
		       const struct tc_agg *a, uint64_t folded, uint64_t cw_overflow)
{
	head(f, "tcpclose_packets_total", "counter", "Frames read from the capture.");
	fprintf(f, "tcpclose_packets_total %" PRIu64 "\n", st->frames);
	head(f, "tcpclose_tcp_segments_total", "counter", "Frames decoded as TCP segments.");
	fprintf(f, "tcpclose_tcp_segments_total %" PRIu64 "\n", st->tcp);
	head(f, "tcpclose_capture_dropped_total", "counter",
	     "Packets the capture lost before tcpclose saw them (pcap_stats; 0 reading a file).");
	fprintf(f, "tcpclose_capture_dropped_total{where=\"kernel\"} %" PRIu64 "\n",
		cc && cc->valid ? cc->drop : 0);
	fprintf(f, "tcpclose_capture_dropped_total{where=\"interface\"} %" PRIu64 "\n",
		cc && cc->valid ? cc->ifdrop : 0);
	head(f, "tcpclose_connections_total", "counter", "Connections seen.");
	fprintf(f, "tcpclose_connections_total %" PRIu64 "\n", st->conns);
	head(f, "tcpclose_connections_tracked", "gauge", "Connections in the table now.");
	fprintf(f, "tcpclose_connections_tracked %" PRIu64 "\n", st->active);
	head(f, "tcpclose_connections_tracked_peak", "gauge", "Most connections in the table at once.");
	fprintf(f, "tcpclose_connections_tracked_peak %" PRIu64 "\n", st->peak_active);
	head(f, "tcpclose_cap_hits_total", "counter",
	     "What each cap cost: connections evicted (--max-conns), segments with no memory "
	     "for their connection, hosts/services past the aggregator's key cap, series of "
	     "this file folded into \"other\".");
	fprintf(f, "tcpclose_cap_hits_total{cap=\"max_conns\"} %" PRIu64 "\n", st->evicted);
	fprintf(f, "tcpclose_cap_hits_total{cap=\"memory\"} %" PRIu64 "\n", st->untracked);
	fprintf(f, "tcpclose_cap_hits_total{cap=\"aggregate_keys\"} %" PRIu64 "\n",
		a ? tc_agg_dropped(a) : 0);
	fprintf(f, "tcpclose_cap_hits_total{cap=\"metric_series\"} %" PRIu64 "\n", folded + cw_overflow);
	head(f, "tcpclose_last_packet_timestamp_seconds", "gauge",
	     "Capture time of the newest frame (seconds since the epoch; 0 before the first).");
	fprintf(f, "tcpclose_last_packet_timestamp_seconds %" PRId64 ".%09" PRId64 "\n",
		st->ts_last / 1000000000, st->ts_last % 1000000000);
}

int tc_metrics_write(struct tc_metrics *m, const struct tc_agg *a, const struct tc_engine *e,
		     const struct tc_capture_counts *cc, int final, char *err, size_t errlen)
{
	char *tmp;
	const char *slash = strrchr(m->path, '/');
	size_t dlen = slash ? (size_t)(slash - m->path) + 1 : 0, i;
	uint64_t folded = 0;
	FILE *f;
	int fd, bad;

	/* A name the textfile collector ignores (it reads *.prom only), in
	 * the same directory so that rename() replaces FILE atomically. */
	if (!(tmp = malloc(strlen(m->path) + 16))) {
		snprintf(err, errlen, "%s: out of memory", m->path);
		return -1;
	}
	memcpy(tmp, m->path, dlen);
	snprintf(tmp + dlen, strlen(m->path) + 16 - dlen, ".%s.XXXXXX", m->path + dlen);
	if ((fd = mkstemp(tmp)) < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "%s: %s", m->path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return -1;
	}
	(void)fchmod(fd, 0644); /* mkstemp's 0600 would hide it from the exporter */

	for (i = 0; i < m->ncw; i++)
		m->cw[i].now = 0;
	m->cw_other_now = 0;
	if (!final && e)
		tc_engine_foreach(e, cw_sample_fn, m);

	folded += put_services(f, a, m->top);
	folded += put_time_wait(f, a, m->top);
	folded += put_close_wait(f, m, final);
	put_counts(f, tc_engine_stats(e), cc, a, folded, m->cw_overflow);

	bad = fflush(f) != 0 || ferror(f);
	if (fclose(f) != 0)
		bad = 1;
	if (bad || rename(tmp, m->path) != 0) {
		snprintf(err, errlen, "%s: %s", m->path, strerror(errno ? errno : EIO));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
