/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * engine.h -- the tcpclose core behind one opaque handle.
 *
 * The engine takes captured frames in time order and hands back finished
 * connections through a callback. It owns the flow table and drives the
 * decoder, the state machine, the classifier and the diagnosis. It does no
 * I/O: it never reads a file, a clock or a terminal. Time is the capture's own time, in
 * nanoseconds, as given with each frame.
 *
 * A connection is handed to the callback exactly once:
 *   - `linger` capture-seconds after it closed (FIN both ways acknowledged,
 *     or an accepted RST), so trailing retransmissions and RSTs still count
 *     toward it rather than opening a phantom connection;
 *   - at once when a new SYN reuses its 4-tuple after it closed;
 *   - when it is evicted to respect max_conns (TC_CONN_EVICTED is set);
 *   - from tc_engine_finish(), for everything still tracked, in id order.
 * After the callback returns the record is gone: memory depends on the
 * connections open at once, not on how many the capture holds.
 */
#ifndef TCPCLOSE_ENGINE_H
#define TCPCLOSE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "tcpclose/conn.h"
#include "tcpclose/decode.h"

struct tc_engine;

struct tc_engine_opts {
	uint32_t max_conns;       /* table cap; 0 = TC_DEFAULT_MAX_CONNS */
	int64_t linger_ns;        /* report a closed connection this long after
	                             its close; <0 = TC_DEFAULT_LINGER_NS */
	uint64_t hash_seed;       /* flow table hash key (see flow.h) */
	int64_t time_wait_ns;     /* TIME_WAIT length, for reuse detection; 0 = TC_TIME_WAIT_DEFAULT_NS */

	/* Keep closed connections as whole records instead of frozen
	 * (src/core/freeze.h): the same output, more memory; for comparison. */
	int no_freeze;

	/* Called (if set) with each connection about to be judged and then
	 * handed to the callback, with the callback's arg: a moment to
	 * request from memory what the callback will read, so that judging
	 * hides the wait. It must not change what the callback does. */
	void (*ahead)(const struct tc_conn *c, void *arg);
};

/*
 * Capture time is kept within [0, TC_TS_MAX] ns (TC_TS_MAX is the year
 * 2096): a hostile timestamp is clamped into it, so that any difference of
 * two times, and a time plus a timeout, fits in 64 bits.
 */
#define TC_TS_MAX (4000000000LL * 1000000000LL)

#define TC_DEFAULT_MAX_CONNS 1000000u
#define TC_DEFAULT_LINGER_NS (5LL * 1000000000LL)

/* Counters over everything fed to the engine. */
struct tc_stats {
	uint64_t frames;          /* frames given to tc_engine_frame() */
	uint64_t tcp;             /* decoded TCP segments */
	uint64_t by_status[TC_DEC__COUNT]; /* decode outcome per frame */
	uint64_t conns;           /* connections created */
	uint64_t reported;        /* connections handed to the callback */
	uint64_t evicted;         /* ... of which evicted by max_conns */
	uint64_t active;          /* connections in the table now */
	uint64_t peak_active;     /* most connections in the table at once */

	/* Tracked-connection memory when peak_active was reached: records in
	 * use, their extension records, the closed ring's bytes and its
	 * chunks' descriptors, the index. */
	uint64_t peak_bytes;
	/* Records frozen on close (or again after a late segment), their
	 * frozen lengths summed (entry headers not counted), how many a late
	 * segment thawed, and how many of those were frozen again in their
	 * own entry, still fitting it (the rest stay records until reported). */
	uint64_t frozen, frozen_bytes, thawed, refrozen;
	/* Closed-ring entries whose close time came more than 4.29 s after
	 * their chunk's first and is kept whole, 8 bytes more (engine.c). */
	uint64_t frozen_wide;

	uint64_t by_close[TC_CLOSE__COUNT]; /* verdicts of reported connections */
	uint64_t refused;         /* reported connections with opened=refused */
	uint64_t time_backwards;  /* frames older than the newest seen so far */
	uint64_t rst_ignored;     /* RSTs that failed the acceptability check */
	uint64_t len_clamped;     /* segments whose IP length exceeded the frame */
	uint64_t untracked;       /* segments lost: no memory for their connection */
	/* What the capture missed (infer.h), over reported connections. */
	uint64_t one_way;         /* connections with only one side's segments */
	uint64_t inferred;        /* connections with an inferred segment */
	uint64_t dups;            /* frames captured twice, not applied */
	uint64_t loss_conns;      /* connections with missed bytes or unseen ACKed data */
	uint64_t loss_bytes;      /* bytes their sequence numbers skipped */
	uint64_t loss_gaps;       /* jumps in sequence numbers */
	uint64_t acks_unseen;     /* ACKs for data the capture never held */
	uint64_t payload_bytes;   /* payload bytes seen (for the share missed) */
	int64_t ts_first;         /* time of the first frame (ns) */
	int64_t ts_last;          /* newest frame time (ns) */
	uint64_t tw_forgotten;    /* TIME_WAIT tombstones dropped before their end:
	                             more than max_conns tuples in TIME_WAIT at once */
};

/* Everything the classifier concluded about a finished connection. */
struct tc_verdict {
	enum tc_close close;
	enum tc_opened opened;
	enum tc_who closer;
	enum tc_who reset_by;
	enum tc_phase reset_phase;
	enum tc_who trailing_rst; /* graceful, and then an RST from this side
	                             (client or server): see classify.h */
};

/* diag.h: the most likely cause, with the frames it rests on. */
struct tc_diagnosis;

/*
 * A finished connection, with its verdict and diagnosis computed once here:
 * every front end (report writers, live streaming, the view) takes them
 * from this call and none computes them again. All three are valid only
 * during the call.
 */
typedef void (*tc_conn_cb)(const struct tc_conn *c, const struct tc_verdict *v,
			   const struct tc_diagnosis *d, void *arg);

/*
 * The verdict and diagnosis of a connection, as the callback receives them:
 * final for a finished one, the answer so far for one still tracked (the
 * live view's detail pane). The one place both are computed.
 */
void tc_engine_judge(const struct tc_conn *c, struct tc_verdict *v, struct tc_diagnosis *d);

/* NULL on allocation failure. `opts` may be NULL for defaults. */
struct tc_engine *tc_engine_new(const struct tc_engine_opts *opts,
				tc_conn_cb on_conn, void *arg);
void tc_engine_free(struct tc_engine *e);

/*
 * Feed one captured frame. `frame` is its number, counted from 1 over the
 * whole input as tcpdump and Wireshark count. Returns the decode status.
 */
enum tc_decode_status tc_engine_frame(struct tc_engine *e, int dlt,
				      int64_t ts_ns, uint64_t frame,
				      const uint8_t *buf, uint32_t caplen);
/* The same with the frame's length on the wire (see tc_decode_wire). */
enum tc_decode_status tc_engine_frame_wire(struct tc_engine *e, int dlt, int64_t ts_ns,
					   uint64_t frame, const uint8_t *buf, uint32_t caplen,
					   uint32_t wirelen);

/*
 * The same, queued: the frame is decoded now (its status is returned, and
 * buf need not outlive the call) and taken by the analysis a few frames
 * later, in order, as tc_engine_frame_wire() would take it, so that the
 * table entries it touches can be loaded while the frames before it are
 * worked on. tc_engine_frame_wire(), _tick() and _finish() take the queued
 * frames first; call tc_engine_drain() before reading tc_engine_stats() or
 * visiting with tc_engine_foreach() in the middle of a run. A queued
 * segment reaches the tap with at most TC_ENGINE_PAYLOAD_KEPT bytes of its
 * payload (payload_caplen says how many): what the analysis reads of it.
 */
#define TC_ENGINE_PAYLOAD_KEPT TC_RST_TEXT_MAX
enum tc_decode_status tc_engine_push(struct tc_engine *e, int dlt, int64_t ts_ns, uint64_t frame,
				     const uint8_t *buf, uint32_t caplen, uint32_t wirelen);
/* Take every queued frame now. */
void tc_engine_drain(struct tc_engine *e);

/* Advance capture time without a frame (live idle periods). */
void tc_engine_tick(struct tc_engine *e, int64_t now_ns);

/*
 * Report every connection still tracked, in id order; the table is empty
 * after. The closed ring's memory goes back as its entries are reported,
 * not at the end.
 */
void tc_engine_finish(struct tc_engine *e);

const struct tc_stats *tc_engine_stats(const struct tc_engine *e);

/* Bytes held for tracked connections now, counted as tc_stats.peak_bytes
 * counts them: records in use and their extensions, the closed ring from
 * its head to its tail and its chunks' descriptors, the index. */
uint64_t tc_engine_memory(const struct tc_engine *e);

/*
 * A tap on every segment applied to a connection, after the state machine
 * ran: the record as it is now, who sent it, the segment facts and each
 * endpoint's state before it. For the ladder diagram; NULL to remove.
 */
typedef void (*tc_segment_cb)(const struct tc_conn *c, enum tc_role from, const struct tc_pkt *p,
			      int64_t ts_ns, uint64_t frame, const uint8_t state_before[2], void *arg);
void tc_engine_set_tap(struct tc_engine *e, tc_segment_cb cb, void *arg);

/* Visit every tracked connection (unordered). The record must not be kept. */
void tc_engine_foreach(const struct tc_engine *e,
		       void (*fn)(const struct tc_conn *c, void *arg), void *arg);

#endif
