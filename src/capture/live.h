/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * live.h -- live capture with libpcap, and the streaming live mode.
 *
 * The capture is opened non-blocking with a selectable descriptor, so one
 * poll() loop serves the packets, the keyboard and the redraw timer, and a
 * burst never starves the keys: tc_live_dispatch() handles at most `max`
 * packets per call.
 *
 * Opening needs privileges; the callers drop them (privdrop.h) right after
 * tc_live_open() and before the first packet is parsed.
 */
#ifndef TCPCLOSE_LIVE_H
#define TCPCLOSE_LIVE_H

#include <stdint.h>
#include <stdio.h>

#include "rotate.h"
#include "source.h"
#include "tcpclose/agg.h"
#include "tcpclose/engine.h"

/* Everything a live (or --tui) run needs from the command line. */
struct tc_live_opts {
	const char *iface;          /* -i IFACE; NULL with files */
	char *const *files;         /* -r FILE ... (--tui on files) */
	int nfiles;
	const char *filter;         /* BPF expression or NULL */
	const char *user;           /* -Z USER; NULL = default (see privdrop.h) */
	double speed;               /* files: 0 = as fast as possible, else
	                               capture time runs `speed` times real time */
	uint64_t count;             /* -c N: stop capturing after N packets */
	int snaplen;                /* 0 = TC_LIVE_SNAPLEN */
	int buffer_mib;             /* kernel buffer; 0 = TC_LIVE_BUFFER_MIB */
	int no_promisc;             /* do not put the interface in promiscuous mode */
	struct tc_engine_opts eng;
	struct tc_agg_opts agg;     /* --time-wait, --ephemeral-ports */
	const char *metrics;        /* --metrics FILE (pipeline.h), or NULL */
	/* -w FILE, with -C/-G/-W (rotate.h); file NULL: not saving */
	struct tc_save_opts save;
};

#define TC_LIVE_SNAPLEN 512         /* headers only: enough for any stack of
                                       link, VLAN, IP extension and TCP options */
/*
 * The kernel's ring holds what arrives while tcpclose is off the CPU: the
 * view stops reading while it rebuilds its model and while the terminal
 * takes the screen. 64 MiB is ~200 ms of 500k pkt/s of headers (~600-byte
 * ring frames); with 32 the view dropped 1-2% at 400-450k pkt/s, with 64
 * nothing at 500k (bench/blast.sh).
 */
#define TC_LIVE_BUFFER_MIB 64

struct tc_live_stats {
	uint64_t recv;              /* packets the filter accepted (pcap_stats) */
	uint64_t drop;              /* dropped by the kernel: buffer full */
	uint64_t ifdrop;            /* dropped by the interface or driver */
	int valid;                  /* pcap_stats worked */
};

struct tc_live;

/*
 * Open `iface` for capture with `filter` (NULL: everything). On failure
 * returns NULL with a message in errbuf, tcpdump's words, no program name:
 * "eth9: No such device exists"; a second line, after '\n', may give a hint.
 */
struct tc_live *tc_live_open(const char *iface, const char *filter, int snaplen,
			     int buffer_mib, int promisc, char errbuf[TC_ERRBUF]);

/* A descriptor for poll(), or -1 (then poll with a short timeout). */
int tc_live_fd(const struct tc_live *l);

/*
 * Hand at most `max` waiting packets to cb, without blocking. Returns the
 * number handled (0: none waiting), or -1 when the capture failed (the
 * interface went away): tc_live_error() says why.
 */
typedef void (*tc_live_cb)(void *arg, const struct tc_frame *fr);
int tc_live_dispatch(struct tc_live *l, int max, tc_live_cb cb, void *arg);
const char *tc_live_error(const struct tc_live *l);

/*
 * -w: from now on write every packet the capture delivers (after the
 * filter) to the savefile `o` describes, rotated as tcpdump's (rotate.h),
 * at most `max` of them (-c; 0 = no limit), before the callback sees it.
 * Called once privileges are dropped. Returns 0, or -1 with errbuf (a
 * second line may give a hint). From then on tc_live_dispatch() returns -1
 * when a write fails (tc_live_error(): which file, why), and
 * tc_live_ended() says when -G -W's file limit ended the capture.
 */
int tc_live_save(struct tc_live *l, const struct tc_save_opts *o, uint64_t max,
		 char errbuf[TC_ERRBUF]);
int tc_live_ended(const struct tc_live *l);
/* Flush and close the savefile; say on stderr what it holds ("N packets
 * written to FILE"). 0, or -1 when a write failed (said). No -w: 0. */
int tc_live_save_finish(struct tc_live *l);

/* Kernel counters since the capture opened. */
void tc_live_stats(struct tc_live *l, struct tc_live_stats *st);
const char *tc_live_name(const struct tc_live *l);
void tc_live_close(struct tc_live *l);

/* Wall clock and monotonic clock, in ns. */
int64_t tc_wall_ns(void);
int64_t tc_mono_ns(void);

/*
 * --metrics in a live loop: pass the kernel counters to the pipeline and
 * let it rewrite the metrics file when due (pipeline.h). A failed write is
 * said once on stderr (*warned); warned NULL only records the counters,
 * for the final write of tc_pipeline_end(). Returns 0 or -1 (write error).
 */
struct tc_pipeline;
int tc_live_metrics(struct tc_pipeline *pl, struct tc_live *l, int *warned);
/* The first write, once privileges are dropped: -1 (said, with why it
 * may be so) when the file cannot be written, and the run should stop. */
int tc_live_metrics_start(struct tc_pipeline *pl, struct tc_live *l);

/* Print "tcpclose: LINE" for each line of msg (stderr). */
void tc_live_perror(const char *msg);

/*
 * `tcpclose -i IFACE --format json|csv|zeek` (json when stdout is not a
 * terminal): one row per finished connection as it finishes, flushed at
 * once, until SIGINT/SIGTERM or -c; then the connections still open and
 * the format's ending (JSON: findings and the summary line). The same
 * pipeline (pipeline.h) and writer as a file. Kernel counters go to
 * stderr, as tcpdump prints them.
 * Returns the exit status: 0, 1 (could not start), 2 (capture failed).
 */
struct tc_writer_ops;
int tc_live_stream_run(const struct tc_live_opts *o, const struct tc_writer_ops *fmt, FILE *out);

#endif
