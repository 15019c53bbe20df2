/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * live.c -- live capture with libpcap (see live.h), and the streaming
 * live mode.
 *
 * The handle is set up the way a monitor needs: a short snapshot (headers
 * are all tcpclose reads), a large kernel buffer so a burst is queued rather
 * than dropped, immediate mode so a packet is seen when it arrives (not
 * when a buffer block fills), nanosecond time stamps where the platform has
 * them, and non-blocking reads behind a selectable descriptor.
 */
#include "live.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "pipeline.h"
#include "privdrop.h"
#include "rotate.h"

struct tc_live {
	pcap_t *p;
	char *name;
	int dlt;
	int nano;                /* time stamps in ns (else us) */
	int fd;
	uint64_t frame;
	char err[PCAP_ERRBUF_SIZE + 64];
	/* dispatch context */
	tc_live_cb cb;
	void *arg;
	/* -w (rotate.h): every packet delivered, before the callback */
	struct tc_rotate *save;
	uint64_t save_max; /* -c: write no more than the run reads */
	int save_end;      /* 1: -G -W's file limit, -1: write error */
};

int64_t tc_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t tc_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void tc_live_perror(const char *msg)
{
	const char *s = msg, *nl;
	do {
		nl = strchr(s, '\n');
		fprintf(stderr, "tcpclose: %.*s\n", nl ? (int)(nl - s) : (int)strlen(s), s);
		s = nl ? nl + 1 : NULL;
	} while (s && *s);
}

/* "lo, eth0, any": what could have been meant. */
static void list_devices(char *buf, size_t n)
{
	pcap_if_t *all = NULL, *d;
	char e[PCAP_ERRBUF_SIZE];
	size_t len = 0;

	buf[0] = '\0';
	if (pcap_findalldevs(&all, e) != 0 || !all)
		return;
	for (d = all; d && len + 1 < n; d = d->next) {
		int k = snprintf(buf + len, n - len, "%s%s", len ? ", " : "", d->name);
		if (k < 0 || (size_t)k >= n - len)
			break;
		len += (size_t)k;
	}
	pcap_freealldevs(all);
}

static void open_error(pcap_t *p, const char *iface, int rc, char *errbuf)
{
	const char *detail = pcap_geterr(p);
	char devs[256];

	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		list_devices(devs, sizeof(devs));
		snprintf(errbuf, TC_ERRBUF, "%s: No such device exists\n%s%s%s", iface,
			 devs[0] ? "capture interfaces here: " : "", devs,
			 devs[0] ? " (tcpdump -D lists them)" : "");
		break;
	case PCAP_ERROR_PERM_DENIED:
		snprintf(errbuf, TC_ERRBUF,
			 "%s: You don't have permission to capture on that device%s%s%s\n"
			 "run it as root (it drops to an unprivileged user once the capture is open), "
			 "or: setcap cap_net_raw,cap_net_admin=eip $(command -v tcpclose)",
			 iface, detail && *detail ? " (" : "", detail ? detail : "",
			 detail && *detail ? ")" : "");
		break;
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		snprintf(errbuf, TC_ERRBUF,
			 "%s: You don't have permission to capture in promiscuous mode%s%s%s", iface,
			 detail && *detail ? " (" : "", detail ? detail : "",
			 detail && *detail ? ")" : "");
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(errbuf, TC_ERRBUF, "%s: That device is not up", iface);
		break;
	default:
		if (detail && *detail)
			snprintf(errbuf, TC_ERRBUF, "%s: %s", iface, detail);
		else
			snprintf(errbuf, TC_ERRBUF, "%s: %s", iface, pcap_statustostr(rc));
		break;
	}
}

struct tc_live *tc_live_open(const char *iface, const char *filter, int snaplen,
			     int buffer_mib, int promisc, char errbuf[TC_ERRBUF])
{
	struct tc_live *l = calloc(1, sizeof(*l));
	char e[PCAP_ERRBUF_SIZE] = "";
	int rc;

	if (!l || !(l->name = strdup(iface))) {
		snprintf(errbuf, TC_ERRBUF, "out of memory");
		free(l);
		return NULL;
	}
	l->fd = -1;
	l->p = pcap_create(iface, e);
	if (!l->p) {
		snprintf(errbuf, TC_ERRBUF, "%s: %s", iface, e);
		goto fail;
	}
	pcap_set_snaplen(l->p, snaplen > 0 ? snaplen : TC_LIVE_SNAPLEN);
	pcap_set_promisc(l->p, promisc);
	pcap_set_buffer_size(l->p, (buffer_mib > 0 ? buffer_mib : TC_LIVE_BUFFER_MIB) << 20);
	/* Immediate mode where there is one; a short timeout elsewhere. */
	pcap_set_timeout(l->p, 100);
	(void)pcap_set_immediate_mode(l->p, 1);
#ifdef PCAP_TSTAMP_PRECISION_NANO
	(void)pcap_set_tstamp_precision(l->p, PCAP_TSTAMP_PRECISION_NANO);
#endif
	rc = pcap_activate(l->p);
	if (rc < 0) {
		open_error(l->p, iface, rc, errbuf);
		goto fail;
	}
	/* rc > 0 is a warning (e.g. promiscuous mode not supported): go on. */
#ifdef PCAP_TSTAMP_PRECISION_NANO
	l->nano = pcap_get_tstamp_precision(l->p) == PCAP_TSTAMP_PRECISION_NANO;
#endif
	l->dlt = pcap_datalink(l->p);

	if (filter && *filter) {
		struct bpf_program prog;
		bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
		if (pcap_lookupnet(iface, &net, &mask, e) != 0)
			mask = PCAP_NETMASK_UNKNOWN;
		if (pcap_compile(l->p, &prog, filter, 1, mask) != 0) {
			snprintf(errbuf, TC_ERRBUF, "invalid filter '%s': %s", filter, pcap_geterr(l->p));
			goto fail;
		}
		rc = pcap_setfilter(l->p, &prog);
		pcap_freecode(&prog);
		if (rc != 0) {
			snprintf(errbuf, TC_ERRBUF, "%s: cannot set filter: %s", iface, pcap_geterr(l->p));
			goto fail;
		}
	}
	if (pcap_setnonblock(l->p, 1, e) != 0) {
		snprintf(errbuf, TC_ERRBUF, "%s: %s", iface, e);
		goto fail;
	}
	l->fd = pcap_get_selectable_fd(l->p);
	return l;
fail:
	tc_live_close(l);
	return NULL;
}

int tc_live_fd(const struct tc_live *l)
{
	return l->fd;
}

static void handler(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct tc_live *l = (struct tc_live *)user;
	struct tc_frame fr;

	if (l->save_end)
		return; /* the savefile ended the capture: nothing more is taken */
	if (l->save && (!l->save_max || l->frame < l->save_max)) {
		int rc = tc_rotate_write(l->save, h, bytes);
		if (rc != 0) {
			l->save_end = rc;
			pcap_breakloop(l->p);
			return;
		}
	}
	fr.ts_ns = (int64_t)h->ts.tv_sec * 1000000000LL +
		   (int64_t)h->ts.tv_usec * (l->nano ? 1 : 1000);
	fr.frame = ++l->frame;
	fr.caplen = h->caplen;
	fr.wirelen = h->len;
	fr.dlt = l->dlt;
	fr.data = bytes;
	l->cb(l->arg, &fr);
}

int tc_live_dispatch(struct tc_live *l, int max, tc_live_cb cb, void *arg)
{
	int n;
	l->cb = cb;
	l->arg = arg;
	n = pcap_dispatch(l->p, max > 0 ? max : 1, handler, (u_char *)l);
	/* The savefile is flushed after each batch (as tcpdump -U): a file
	 * read during the capture is current, and a full disk shows now. */
	if (l->save && !l->save_end && n > 0 && tc_rotate_flush(l->save) != 0)
		l->save_end = -1;
	if (l->save_end < 0) {
		snprintf(l->err, sizeof(l->err), "%s; the capture stopped", tc_rotate_error(l->save));
		return -1;
	}
	if (n == PCAP_ERROR_BREAK)
		return 0;
	if (n < 0) {
		snprintf(l->err, sizeof(l->err), "%s: capture stopped: %s", l->name, pcap_geterr(l->p));
		return -1;
	}
	return n;
}

const char *tc_live_error(const struct tc_live *l)
{
	return l->err;
}

void tc_live_stats(struct tc_live *l, struct tc_live_stats *st)
{
	struct pcap_stat ps;
	memset(st, 0, sizeof(*st));
	if (pcap_stats(l->p, &ps) != 0)
		return;
	st->recv = ps.ps_recv;
	st->drop = ps.ps_drop;
	st->ifdrop = ps.ps_ifdrop;
	st->valid = 1;
}

const char *tc_live_name(const struct tc_live *l)
{
	return l->name;
}

int tc_live_save(struct tc_live *l, const struct tc_save_opts *o, uint64_t max,
		 char errbuf[TC_ERRBUF])
{
	char e[TC_ERRBUF - 128]; /* room for the hint */

	l->save = tc_rotate_open(l->p, o, e, sizeof(e));
	if (!l->save) {
		snprintf(errbuf, TC_ERRBUF, "%s%s", e,
			 strstr(e, "ermission denied")
				 ? "\n(-w files are created once privileges are dropped, as tcpdump's: "
				   "in a directory the -Z user can write, or with -Z root)"
				 : "");
		return -1;
	}
	l->save_max = max;
	return 0;
}

int tc_live_ended(const struct tc_live *l)
{
	return l->save_end > 0;
}

int tc_live_save_finish(struct tc_live *l)
{
	struct tc_rotate *r = l->save;
	int rc, failed = l->save_end < 0;

	if (!r)
		return 0;
	rc = tc_rotate_finish(r);
	/* A write error the capture stopped on was said with it; one that
	 * showed only at the last flush is said here. */
	if (rc != 0 && !failed)
		fprintf(stderr, "tcpclose: %s\n", tc_rotate_error(r));
	if (tc_rotate_files(r) > 1)
		fprintf(stderr, "tcpclose: %llu packets written to %llu files (the last: %s)\n",
			(unsigned long long)tc_rotate_packets(r),
			(unsigned long long)tc_rotate_files(r), tc_rotate_current(r));
	else
		fprintf(stderr, "tcpclose: %llu packets written to %s\n",
			(unsigned long long)tc_rotate_packets(r),
			strcmp(tc_rotate_current(r), "-") ? tc_rotate_current(r) : "standard output");
	if (tc_rotate_limited(r))
		fprintf(stderr, "tcpclose: maximum file limit reached: %llu (-W)\n",
			(unsigned long long)tc_rotate_files(r));
	tc_rotate_free(r);
	l->save = NULL;
	return rc;
}

void tc_live_close(struct tc_live *l)
{
	if (!l)
		return;
	tc_rotate_free(l->save);
	if (l->p)
		pcap_close(l->p);
	free(l->name);
	free(l);
}

/* ---- streaming live mode --------------------------------------------- */

static volatile sig_atomic_t stream_stop;

static void on_stop(int sig)
{
	(void)sig;
	stream_stop = 1;
}

struct stream_run {
	struct tc_engine *eng;
	const struct tc_live_opts *o;
	uint64_t frames; /* given to the engine, counted for -c */
	int stop;
};

/* Queued (tc_engine_push); each batch the kernel hands over is drained
 * after it, so no connection waits for the next packet to be reported. */
static void stream_frame(void *arg, const struct tc_frame *fr)
{
	struct stream_run *r = arg;
	if (r->stop)
		return;
	tc_engine_push(r->eng, fr->dlt, fr->ts_ns, fr->frame, fr->data, fr->caplen, fr->wirelen);
	if (r->o->count && ++r->frames >= r->o->count)
		r->stop = 1;
}

/*
 * --metrics: hand the pipeline the kernel counters and let it rewrite the
 * file when due. A failed write is said once (warned NULL: only record
 * the counters for the final write); the capture goes on.
 */
int tc_live_metrics(struct tc_pipeline *pl, struct tc_live *l, int *warned)
{
	int rc;

	struct tc_live_stats ks;
	struct tc_capture_counts cc = {0};

	tc_live_stats(l, &ks);
	cc.drop = ks.drop;
	cc.ifdrop = ks.ifdrop;
	cc.valid = ks.valid;
	if (!warned)
		return tc_pipeline_metrics(pl, &cc, INT64_MIN);
	rc = tc_pipeline_metrics(pl, &cc, tc_mono_ns());
	if (rc != 0 && !*warned) {
		fprintf(stderr, "tcpclose: --metrics %s\n", tc_pipeline_error(pl));
		*warned = 1;
	}
	return rc;
}

int tc_live_metrics_start(struct tc_pipeline *pl, struct tc_live *l)
{
	int warned = 1;

	if (tc_live_metrics(pl, l, &warned) == 0)
		return 0;
	fprintf(stderr, "tcpclose: --metrics %s\n"
		"tcpclose: (it is written after privileges are dropped: a directory the -Z user can write)\n",
		tc_pipeline_error(pl));
	return -1;
}

int tc_live_stream_run(const struct tc_live_opts *o, const struct tc_writer_ops *fmt, FILE *out)
{
	char err[TC_ERRBUF];
	struct tc_live *l;
	struct stream_run r = {0};
	struct tc_pipeline_opts po = {0};
	struct tc_pipeline *pl;
	struct tc_run_info ri = {0};
	struct tc_input_stats is = {0};
	struct tc_live_stats ks;
	struct sigaction sa;
	const char *capture_err = NULL;
	int status = 0, metrics_warned = 0;

	l = tc_live_open(o->iface, o->filter, o->snaplen, o->buffer_mib, !o->no_promisc, err);
	if (!l) {
		tc_live_perror(err);
		return 1;
	}
	if (tc_privdrop(o->user, err, sizeof(err)) != 0 ||
	    (o->save.file && tc_live_save(l, &o->save, o->count, err) != 0)) {
		tc_live_perror(err);
		tc_live_close(l);
		return 1;
	}
	po.fmt = fmt;
	po.wcfg.out = out;
	po.aggregate = 1;
	po.flush_each = 1; /* a pipe to jq sees each connection as it finishes */
	po.eng = o->eng;
	po.agg = o->agg;
	po.metrics = o->metrics;
	if (!(pl = tc_pipeline_new(&po))) {
		tc_live_perror("out of memory");
		tc_live_close(l);
		return 1;
	}
	r.o = o;
	r.eng = tc_pipeline_engine(pl);
	if (o->metrics && tc_live_metrics_start(pl, l) != 0) {
		tc_pipeline_free(pl);
		tc_live_close(l);
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop; /* no SA_RESTART: poll() returns at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fprintf(stderr, "tcpclose: listening on %s%s%s%s\n", tc_live_name(l),
		o->filter && *o->filter ? ", filter '" : "", o->filter ? o->filter : "",
		o->filter && *o->filter ? "'" : "");

	while (!stream_stop && !r.stop) {
		struct pollfd pfd = {tc_live_fd(l), POLLIN, 0};
		int i, n = 0, drained = 0;
		if (pfd.fd >= 0)
			(void)poll(&pfd, 1, 250);
		else
			(void)poll(NULL, 0, 20);
		/* A bounded batch, then look at the clock and the signals again. */
		for (i = 0; i < 16 && !r.stop; i++) {
			n = tc_live_dispatch(l, 1024, stream_frame, &r);
			tc_engine_drain(r.eng);
			if (n < 0) {
				capture_err = tc_live_error(l);
				break;
			}
			if (n < 1024) {
				drained = 1;
				break;
			}
		}
		if (tc_live_ended(l))
			r.stop = 1; /* -G -W: the last file is full */
		if (capture_err)
			break;
		/* Idle: let capture time advance so closed connections are
		 * reported. A little behind the wall clock, so a packet still
		 * queued in the kernel is not older than the engine's now. */
		if (drained)
			tc_engine_tick(r.eng, tc_wall_ns() - 200000000LL);
		if (o->metrics)
			(void)tc_live_metrics(pl, l, &metrics_warned);
	}
	if (o->metrics)
		(void)tc_live_metrics(pl, l, NULL); /* the kernel counters the last write shows */

	tc_engine_finish(r.eng);
	ri.filter = o->filter;
	/* The kernel's own count of what the capture lost goes in the report
	 * beside the loss the sequence numbers show; the closing line below
	 * says the same snapshot. */
	tc_live_stats(l, &ks);
	if (ks.valid) {
		is.from = "libpcap's pcap_stats";
		is.have_ifrecv = is.have_ifdrop = 1;
		is.ifrecv = ks.recv;
		is.ifdrop = ks.drop + ks.ifdrop;
		ri.input_stats = &is;
	}
	if (capture_err) {
		ri.nerrors = 1;
		ri.errors = &capture_err;
		status = 2;
	}
	/* The same ending as a file: findings, per-endpoint records, summary. */
	if (tc_pipeline_end(pl, &ri) != 0)
		status = 1;
	if (capture_err)
		tc_live_perror(capture_err);
	/* A write error that showed only at the last flush: the report is
	 * whole, the savefile is not (2, as a capture stopped part-way). */
	if (tc_live_save_finish(l) != 0 && !status)
		status = 2;
	if (ks.valid)
		fprintf(stderr,
			"tcpclose: %llu packets captured, %llu received by filter, %llu dropped by kernel%s\n",
			(unsigned long long)tc_engine_stats(r.eng)->frames, (unsigned long long)ks.recv,
			(unsigned long long)ks.drop, ks.ifdrop ? " (and some by the interface)" : "");
	if (ferror(out))
		status = 1;
	tc_pipeline_free(pl);
	tc_live_close(l);
	return status;
}
