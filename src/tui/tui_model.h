/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui_model.h -- the view model of the live view: a small copy of what the
 * screen shows, rebuilt from the engine on a timer.
 *
 * The model never holds a pointer into the flow table: connections expire
 * and are freed by the engine at any packet. Each rebuild copies what it
 * needs (one struct tc_conn per row shown, at most rows_cap of them) and
 * every list it keeps is capped, so memory is bounded however long it runs;
 * each cap is counted where it bites, so the view can say what it left out:
 *
 *   - finished rows: connections the engine reported through its callback,
 *     kept on screen for a while after they finished (TIME_WAIT ones until
 *     their TIME_WAIT would expire, others keep_ns), at most finished_cap
 *     of them (storage grows as needed up to that); rows that leave after
 *     their time are counted in fin_aged, rows pushed out earlier by the
 *     cap in fin_dropped. Browsing a file (keep_ns < 0) every connection
 *     stays, up to the cap: TCM_BROWSE_CAP rows, ~640 bytes each;
 *   - the event feed: the last TCM_FEED_MAX closes, resets first-class;
 *   - TIME_WAIT per host: every host that held TIME_WAIT, up to
 *     TCM_HOSTS_MAX; past that the host with the fewest gives way and
 *     tw_hosts_dropped says how many did;
 *   - rate samples: a fixed ring.
 *
 * Close counters count a close when it happens: a connection seen closed
 * (TC_CONN_DONE) in a rebuild is counted then with its verdict so far, and
 * when the engine reports it after its linger, the final verdict replaces
 * that count (never added twice). So at any snapshot the counters are the
 * engine's final verdicts plus the closes still lingering in its table.
 *
 * Time is capture time (ns since the epoch): live, the wall clock; reading
 * a file, the time of the newest frame. Nothing here reads a clock, a
 * terminal or libpcap, so it is unit-tested on its own (test_tui_model.c).
 *
 * Use:
 *   engine callback:  tcm_on_conn(m, c, v, d, now)
 *   each tick:        tcm_rebuild_begin(m, now);
 *                     tc_engine_foreach(e, cb -> tcm_rebuild_conn(m, c));
 *                     tcm_rebuild_end(m, tc_engine_stats(e));
 *                     (or tcm_rebuild(m, e, now), which does the three)
 *   the view reads:   tcm_snap(m)
 */
#ifndef TCPCLOSE_TUI_MODEL_H
#define TCPCLOSE_TUI_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "tcpclose/diag.h"
#include "tcpclose/engine.h"

#define TCM_FEED_MAX 256
#define TCM_HOSTS_MAX 65536     /* TIME_WAIT hosts tracked at once */
#define TCM_TW_BUCKETS 64       /* per host; one TIME_WAIT period is 60 of them */
#define TCM_SAMPLES 128
#define TCM_SEARCH_MAX 64

#define TCM_DEFAULT_FINISHED_CAP 4096u
#define TCM_DEFAULT_ROWS_CAP 5000u
#define TCM_BROWSE_CAP 262144u /* browsing a file: rows held and shown */
#define TCM_DEFAULT_KEEP_NS (30LL * 1000000000LL)
#define TCM_DEFAULT_TIME_WAIT_NS TC_TIME_WAIT_DEFAULT_NS
#define TCM_DEFAULT_EPH_PORTS TC_EPHEMERAL_PORTS_DEFAULT
#define TCM_DEFAULT_RATE_WINDOW_NS (10LL * 1000000000LL)

struct tcm_opts {
	uint32_t finished_cap;  /* finished rows kept at most; 0 = default */
	uint32_t rows_cap;      /* rows in one snapshot; 0 = default */
	int64_t keep_ns;        /* finished rows (not TIME_WAIT) shown this long
	                           after they finished; 0 = default; <0 = until
	                           pushed out of the ring (browsing a file) */
	int64_t time_wait_ns;   /* TIME_WAIT length; 0 = default 60 s */
	uint32_t eph_ports;     /* ephemeral ports per host; 0 = default */
	int64_t rate_window_ns; /* rates over this much capture time; 0 =
	                           default; <0 = averaged over the whole capture */
};

/*
 * Sort keys. IDLE and AGE order by the value the table shows (now minus
 * the last / first packet), open and finished rows alike.
 */
enum tcm_sort {
	TCM_SORT_IDLE = 0, /* most idle first: oldest last packet first */
	TCM_SORT_AGE,      /* oldest first: oldest first packet first */
	TCM_SORT_STATE,    /* most telling state first (CLOSE_WAIT ...),
	                           open before finished, then most idle */
	TCM_SORT_BYTES,    /* most bytes (both ways) first */
	TCM_SORT_RESETS,   /* resets first, most RSTs first */
	TCM_SORT__COUNT
};

enum tcm_fkind {
	TCM_F_ALL = 0,
	TCM_F_STATE,            /* either endpoint in `state` */
	TCM_F_RESET,            /* verdict reset (refused included) */
	TCM_F_OPEN,             /* still tracked */
	TCM_F_FINISHED,         /* reported by the engine */
	TCM_F__COUNT
};

struct tcm_filter {
	int kind;               /* enum tcm_fkind */
	int state;              /* enum tc_state, with TCM_F_STATE */
	char text[TCM_SEARCH_MAX]; /* "" none; digits only: a port of either
	                              endpoint; else a substring of "addr:port"
	                              (IPv6 "[addr]:port") of either endpoint */
};

/*
 * One connection as shown: a copy, valid after the engine freed it. Rows
 * are copied and sorted by value, so c.x and c.end are always NULL: the
 * extension record, if the connection had one, is kept in x, and the end
 * record in end (all zero if it had none; read it with tcm_row_end()).
 * Read the whole connection with tcm_row_conn().
 */
struct tcm_row {
	struct tc_conn c;
	struct tc_conn_ext x;
	struct tc_conn_end end;
	uint8_t has_x, has_end;
	struct tc_verdict v;    /* final if finished, else the verdict so far */
	struct tc_diagnosis d;  /* the engine's, if finished (else unset) */
	uint8_t finished;       /* reported through the engine callback */
	uint8_t at_end;         /* reported when the input ended */
	uint8_t dead;           /* expired (ring slot to reuse) */
	int64_t finished_ts;    /* capture time it was reported */
	int64_t expire_ts;      /* capture time it leaves the view */
};

/* One line of the event feed: a close, told from its final facts. */
struct tcm_event {
	int64_t ts;             /* capture time of the connection's last packet */
	uint64_t id;
	uint8_t af;
	uint8_t cflags;
	uint8_t state[2];
	uint8_t final;          /* reported by the engine (else seen closing) */
	uint8_t cause;          /* enum tc_cause (diag.h): the likely why */
	uint16_t port[2];
	uint8_t addr[2][16];
	struct tc_verdict v;
};

/* TIME_WAIT endpoints of one host. */
struct tcm_host {
	uint8_t af;
	uint8_t addr[16];
	uint32_t now;           /* endpoints in TIME_WAIT now */
	uint32_t peak;          /* most seen at once */
};

/* What the view draws. */
struct tcm_snap {
	int64_t now;            /* capture time of the snapshot */
	int64_t first_ts;       /* capture time of the first frame */
	uint64_t frames, tcp, tracked, peak_tracked, conns, reported, evicted;
	uint64_t rst_ignored, time_backwards;
	/* Endpoints per state: tracked connections, plus TIME_WAIT endpoints
	 * of finished ones whose TIME_WAIT has not expired, plus (once the input
	 * ended) the final states of connections still open at the end. */
	uint64_t state_count[TC_STATE__COUNT];
	/* Closes by verdict, counted when the close happens (see above).
	 * `reset` includes the refused connections, which `refused` counts
	 * again (the text report's words: "9 reset (2 refused)"); graceful,
	 * half_closed, reset and open add up to the connections counted. */
	uint64_t graceful, half_closed, reset, refused, open;
	uint64_t closing; /* of those, closes still lingering in the
	                           engine (counted, not yet reported) */
	double graceful_rate, half_closed_rate, reset_rate, refused_rate;
	double pkt_rate;
	int rate_avg;           /* rates are averages over the whole capture */

	enum tcm_sort sort;
	struct tcm_filter filter;
	struct tcm_row *rows;   /* sorted, filtered; nrows of them */
	size_t nrows;
	size_t nmatch;          /* rows matching the filter (before rows_cap) */
	size_t ntotal;          /* rows held before filtering: tracked
	                           connections plus finished rows held */
	int browsing;           /* keep_ns < 0: finished rows stay until the
	                           cap pushes them out (a file) */
	uint64_t fin_aged;      /* finished rows gone after their keep time */
	uint64_t fin_dropped;   /* finished rows pushed out by the cap early
	                           (oldest first) */
	uint32_t fin_cap;       /* that cap */
	uint32_t rows_cap;      /* rows in one snapshot at most */

	struct tcm_event feed[TCM_FEED_MAX]; /* newest first */
	size_t nfeed;

	struct tcm_host *tw; /* every host that held TIME_WAIT: by peak,
	                           then TIME_WAIT now; ntw of them */
	size_t ntw;
	uint64_t tw_hosts_dropped; /* hosts that gave way at TCM_HOSTS_MAX */
	uint64_t tw_total;      /* TIME_WAIT endpoints now, all hosts */
	uint32_t eph_ports;
	int64_t time_wait_ns;
};

struct tcm_model;

/* NULL on allocation failure; `o` may be NULL for defaults. */
struct tcm_model *tcm_new(const struct tcm_opts *o);
void tcm_free(struct tcm_model *m);

/* The engine reported a finished connection at capture time `now`. */
void tcm_on_conn(struct tcm_model *m, const struct tc_conn *c, const struct tc_verdict *v,
		 const struct tc_diagnosis *d, int64_t now);

/* The input ended: what is reported from now on was still open at the end
 * (tc_engine_finish follows). */
void tcm_set_ended(struct tcm_model *m);

/* Sort and filter apply from the next rebuild (tcm_resort applies a sort
 * at once to the rows already in the snapshot: used while paused). */
void tcm_set_sort(struct tcm_model *m, enum tcm_sort s);
void tcm_set_filter(struct tcm_model *m, const struct tcm_filter *f);
void tcm_resort(struct tcm_model *m);

void tcm_rebuild_begin(struct tcm_model *m, int64_t now);
void tcm_rebuild_conn(struct tcm_model *m, const struct tc_conn *c);
void tcm_rebuild_end(struct tcm_model *m, const struct tc_stats *st);
void tcm_rebuild(struct tcm_model *m, const struct tc_engine *e, int64_t now);

const struct tcm_snap *tcm_snap(const struct tcm_model *m);

/* Index of connection `id` in the snapshot rows, or -1. */
long tcm_find(const struct tcm_snap *s, uint64_t id);

/* Finished rows currently held (live ones, not expired), for tests. */
size_t tcm_finished_count(const struct tcm_model *m);

/* Words and helpers shared by the view and the tests. */
const char *tcm_sort_name(enum tcm_sort s);
/* "all", "CLOSE_WAIT", "reset", ... into buf (>= 24 bytes). */
const char *tcm_filter_name(const struct tcm_filter *f, char *buf, size_t n);
int tcm_row_matches(const struct tcm_filter *f, const struct tcm_row *r);
/* "10.0.0.1:443" or "[2001:db8::1]:443". buf >= TC_ADDRSTRLEN + 8. */
char *tcm_endpoint_str(int af, const uint8_t addr[16], uint16_t port, char *buf, size_t n);
/* Short text of the last notable thing that happened: "RST by server",
 * "FIN by client", "data", "SYN", or for finished rows the verdict. */
const char *tcm_row_last(const struct tcm_row *r, char *buf, size_t n);
/* The row's two-column marker: "x" closed, "R" reset, " " otherwise, then
 * "?" when its verdict rests on a segment the capture missed and tcpclose
 * inferred (tc_conn.inferred), else " ". buf >= 3 bytes. */
const char *tcm_row_mark(const struct tcm_row *r, char *buf, size_t n);
/* What the capture missed of r's connection, for the detail pane:
 * "inferred, not captured: client_fin, server_rst; missed 1380 bytes from
 * the client in 1 gap; only the client's segments captured". "" if the
 * capture holds it all. Names come from tc_inferred_name(). */
const char *tcm_row_capture(const struct tcm_row *r, char *buf, size_t n);
/* One feed line without the time: "RESET   a -> b  by server while
 * established". `arrow` is the text between the endpoints. */
const char *tcm_event_text(const struct tcm_event *e, const char *arrow, char *buf, size_t n);
/* 1 if the event is a reset (refused included): drawn first-class. */
int tcm_event_is_reset(const struct tcm_event *e);
/* Human sizes and durations: "1.5K", "12M"; "0.4s", "3m07s", "2h05m". */
char *tcm_bytes_str(uint64_t b, char *buf, size_t n);
char *tcm_dur_str(int64_t ns, char *buf, size_t n);

/* r's connection with its extension and end records attached, built in *c and *b. */
const struct tc_conn *tcm_row_conn(const struct tcm_row *r, struct tc_conn *c,
				   struct tc_conn_bufs *b);
/* r's extension record (all zero if the connection had none). */
static inline const struct tc_conn_ext *tcm_row_ext(const struct tcm_row *r)
{
	return r->has_x ? &r->x : tc_conn_ext(&r->c); /* r->c.x is NULL: the zero one */
}
/* r's history letters (tc_conn_history() of the connection, in buf). */
static inline const char *tcm_row_history(const struct tcm_row *r, tc_history_buf buf)
{
	return tc_conn_history_x(&r->c, tcm_row_ext(r), buf);
}
/* r's payload bytes from who (tc_ep_bytes() of the connection). */
static inline uint64_t tcm_row_bytes(const struct tcm_row *r, enum tc_role who)
{
	return tc_ep_bytes_x(&r->c, tcm_row_ext(r), who);
}
/* r's end record (all zero if the connection had none). */
static inline const struct tc_conn_end *tcm_row_end(const struct tcm_row *r)
{
	return &r->end;
}

#endif
