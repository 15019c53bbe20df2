/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * agg.h -- what the connections add up to, per host and per service.
 *
 * Fed every finished connection (with its verdict and diagnosis), the
 * aggregator keeps, in memory bounded by the number of hosts and services
 * (capped, the rest counted as dropped), what an operator asks after the
 * per-connection list:
 *   - TIME_WAIT: per host, how many TIME_WAIT sockets it held over time, the
 *     peak and when; per (client host -> server ip:port), the peak, which is
 *     what exhausts ephemeral ports, against the ephemeral port range;
 *     servers that close first; 4-tuples reused while in TIME_WAIT;
 *   - CLOSE_WAIT: servers and clients that left connections half-closed;
 *   - socket options read from the wire per endpoint: SO_LINGER 0 aborts,
 *     SO_KEEPALIVE probes and interval, TCP_NODELAY vs Nagle stalls,
 *     SO_REUSEADDR-style reuse;
 *   - idle profile per server port: idle time before each close or reset,
 *     bucketed, so a middlebox timeout stands out;
 *   - reset causes per server port; graceful closes an RST trailed, apart
 *     (harmless: they must not swell the reset findings).
 * tc_agg_findings() turns that into one-sentence findings, one per service,
 * host or pair; tc_agg_groups() folds those into one per pattern (servers,
 * clients or pairs, whatever their ports), ranked by harm: resets applications saw and
 * leaks first, capacity next, benign patterns (a server that closes first)
 * last. Every count in a finding is a count of connection records.
 *
 * TIME_WAIT counts follow capture time: a TIME_WAIT socket is counted from
 * the moment its holder entered it until `time_wait` later. Connections are
 * reported up to --linger after they close and in id order at the end of
 * the input, so a peak can be off by the few sockets of that window.
 */
#ifndef TCPCLOSE_AGG_H
#define TCPCLOSE_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "tcpclose/conn.h"
#include "tcpclose/diag.h"
#include "tcpclose/engine.h"

struct tc_agg_opts {
	int64_t time_wait_ns;     /* TIME_WAIT length; 0 = TC_TIME_WAIT_DEFAULT_NS */
	uint32_t ephemeral_ports; /* 0 = TC_EPHEMERAL_PORTS_DEFAULT */
	uint32_t max_keys;        /* hosts / services / pairs tracked; 0 = 100000 */
	uint64_t hash_seed;       /* keys the indexes; output never depends on it */
};

#define TC_IDLE_BUCKETS 9
/* Upper bounds (seconds) of the idle buckets; the last is open-ended. */
extern const uint32_t tc_idle_bucket_s[TC_IDLE_BUCKETS - 1];

/*
 * One host (an address): the TIME_WAIT sockets it held. 64 bytes, one
 * cache line in the aggregator's 64-byte aligned table, with the key and
 * what every connection updates. What only some hosts ever have (socket
 * options, aborts, TIME_WAIT reuse) is in a struct tc_host_opts of its
 * own, made for the host on first use (tc_agg_host_opts): on a capture of
 * many clients most never need one, and the host table is the largest.
 */
struct tc_host_stats {
	uint8_t af;
	uint8_t addr[16];
	uint32_t tw_now, tw_peak;
	uint32_t opts; /* the aggregator's: its tc_host_opts' position + 1, 0 if none */
	int64_t tw_peak_ts;
	uint64_t tw_total; /* connections it ended in TIME_WAIT */
	uint64_t as_client, as_server;
};

/* A host's rare counters (tc_agg_host_opts). */
struct tc_host_opts {
	uint64_t tw_reuse; /* its new connections on a 4-tuple still in TIME_WAIT */
	/* socket options of this host acting as a client (ports vary) */
	uint64_t ka_conns;      /* connections where it sent keep-alive probes */
	uint64_t nodelay_conns; /* >= 2 sub-MSS segments in flight at once */
	uint64_t nagle_stalls;
	uint64_t nagle_stall_ms;
	uint64_t aborts;         /* abortive closes it sent as a client */
	uint32_t ka_interval_ms; /* the last probe interval seen */
};

/* One service (server address and port). */
struct tc_service_stats {
	uint8_t af;
	uint8_t addr[16];
	uint16_t port;
	uint64_t conns;
	uint64_t by_close[TC_CLOSE__COUNT];
	uint64_t by_cause[TC_CAUSE__COUNT];
	uint64_t by_cause_server[TC_CAUSE__COUNT]; /* ... where the server sent the RST */
	uint64_t refused;
	/* who closed first, over graceful closes only (their sum is graceful) */
	uint64_t server_closed_first, client_closed_first, simultaneous;
	uint64_t close_wait_server;   /* half-closed: the server never closed */
	uint64_t close_wait_client;   /* half-closed: the client never closed */
	/* The longest CLOSE_WAIT: for a leak still open when the capture ended,
	 * from its FIN to the end of the capture (known at tc_agg_set_stats). */
	int64_t close_wait_longest_ns;
	int64_t close_wait_ended_ns;   /* ... of leaks that ended (evicted, superseded) */
	int64_t close_wait_oldest_fin; /* FIN of the oldest leak open at the end, 0 if none */
	uint64_t syn_only;             /* SYNs never answered (Zeek's S0) */
	uint64_t keepalive_race;
	uint64_t aborts_after_exchange; /* server RST without FIN after data both ways */
	uint64_t data_lost_conns;
	uint64_t idle_hist[TC_IDLE_BUCKETS];
	uint64_t idle_match[4];       /* closes whose idle matched idle_match_s[i] */
	uint32_t idle_match_s[4];
	uint64_t ka_conns;            /* server sent keep-alive probes */
	uint32_t ka_interval_ms;
	uint64_t nodelay_conns, nagle_stalls, nagle_stall_ms;
	uint64_t tw_reuse;            /* connections opened on a 4-tuple in TIME_WAIT */
	uint64_t injected;
	/* graceful closes an RST trailed (not in by_cause: they were not reset) */
	uint64_t trailing_rst;
	uint64_t trailing_rst_client;       /* ... the RST from the client */
	uint64_t trailing_data_after_close; /* ... answering the peer's late data */
};

/* A (client host -> service) pair: the TIME_WAIT that exhausts ports. */
struct tc_pair_stats {
	uint32_t client;          /* index of the client host */
	uint32_t service;         /* index of the service */
	uint32_t tw_now, tw_peak;
	int64_t tw_peak_ts;
};

enum tc_finding_kind {
	TC_FIND_ABORTIVE = 0,
	TC_FIND_KEEPALIVE_RACE,
	TC_FIND_DATA_AFTER_CLOSE,
	TC_FIND_IDLE_TIMEOUT,
	TC_FIND_NO_CONNECTION,
	TC_FIND_INJECTED,
	TC_FIND_REFUSED,
	TC_FIND_CLOSE_WAIT,
	TC_FIND_TIME_WAIT_PORTS,
	TC_FIND_SERVER_CLOSES_FIRST,
	TC_FIND_TW_REUSE,
	TC_FIND_KEEPALIVE_TIMEOUT,
	TC_FIND_DEAD_PEER,
	TC_FIND_NAGLE,
	TC_FIND_RST_IGNORED,
	TC_FIND_HANDSHAKE_ABORT,
	TC_FIND_TRAILING_RST,
	TC_FIND_SYN_UNANSWERED,
	TC_FIND_CAPTURE_LOSS,
	TC_FIND__COUNT
};

/* What a finding is about: a service (server ip:port), a client host, a
 * client -> service pair, or the whole capture. */
enum tc_finding_scope { TC_SCOPE_SERVICE = 0,
			TC_SCOPE_CLIENT,
			TC_SCOPE_PAIR,
			TC_SCOPE_ALL };

/*
 * A finding holds its numbers, not its sentence: there can be one per
 * server and host, and only those a writer prints need words
 * (tc_agg_finding_text).
 */
struct tc_finding {
	enum tc_finding_kind kind;
	enum tc_finding_scope scope;
	int severity;             /* ranking weight, higher first */
	uint64_t count, of;       /* e.g. 1204 of 1310 connections */
	uint16_t port;            /* the service port (service and pair scope) */
	uint8_t nth;              /* which of its source's findings (for the sentence) */
	uint32_t variant;         /* what else keys the group: the idle seconds
				     matched, which side leaked CLOSE_WAIT */
	uint32_t src;             /* the service, host or pair it is about, by scope */
	char subject[64];         /* host or ip:port it is about */
	uint32_t rank;            /* 1-based place in tc_agg_findings() order */
};

/* A finding's sentence, with its terminating NUL, fits in this. */
#define TC_FINDING_TEXT_MAX 320

/*
 * Findings of one pattern: kind, scope, and for CLOSE_WAIT the side that
 * leaked; never two that differ only in addresses and numbers. "3 servers
 * on :443 abort 8-12% of their connections ...", "40 servers on :443, :80,
 * :22 and 5 more abort ...". Members are the findings it folds, most count
 * first; the sentence names the ports and the top offenders. A group of
 * one carries its member's sentence.
 */
struct tc_finding_group {
	enum tc_finding_kind kind;
	enum tc_finding_scope scope;
	int severity;
	uint16_t port;      /* the members' port if they share one, else 0 */
	uint32_t variant;   /* ... their variant, likewise */
	uint64_t count, of; /* sums over the members */
	size_t first, n;    /* members: tc_agg_group_member(a, first .. first + n - 1) */
	char text[640];
};

struct tc_agg;

struct tc_agg *tc_agg_new(const struct tc_agg_opts *o);
void tc_agg_free(struct tc_agg *a);

/* Account one finished connection. */
void tc_agg_conn(struct tc_agg *a, const struct tc_conn *c, const struct tc_verdict *v,
		 const struct tc_diagnosis *d);
/*
 * Request from memory what tc_agg_conn(a, c, ...) will read, so that work
 * done in between hides the waits: the index slots of c's keys, then,
 * some work later (the slots arrived), the entries those name. The first
 * keeps c's keys hashed for the other two; any call for another
 * connection, or none, costs only the hashing again. Neither changes a
 * count: called or not, the accounts are the same.
 */
void tc_agg_fetch_slots(struct tc_agg *a, const struct tc_conn *c);
void tc_agg_fetch_entries(struct tc_agg *a, const struct tc_conn *c);

/* Global counters (rst_ignored etc. come from the engine's stats). */
void tc_agg_set_stats(struct tc_agg *a, const struct tc_stats *st);

/*
 * Ranked findings, most severe first; *n set. Worked out again only when
 * something was counted since the last call (tc_agg_conn, tc_agg_set_stats),
 * so asking twice costs nothing; valid until then.
 */
const struct tc_finding *tc_agg_findings(struct tc_agg *a, size_t *n);

/*
 * The sentence of f, a finding of a's (tc_agg_findings, tc_agg_group_member)
 * with nothing counted since, worded from a's counts into buf
 * (TC_FINDING_TEXT_MAX bytes). Returns buf; "" for a finding not of a's.
 */
const char *tc_agg_finding_text(const struct tc_agg *a, const struct tc_finding *f, char *buf);

/* The findings grouped (see struct tc_finding_group), most harmful first;
 * *n set. Valid until the next call of either function. */
const struct tc_finding_group *tc_agg_groups(struct tc_agg *a, size_t *n);
const struct tc_finding *tc_agg_group_member(const struct tc_agg *a, size_t i);

/* Resets (refused included) over capture time: counts per bucket of
 * *width_ns from *start_ns; at most TC_TIMELINE_MAX buckets, the width
 * doubling as the span grows. Returns the number of buckets (0: none). */
#define TC_TIMELINE_MAX 60
size_t tc_agg_reset_timeline(const struct tc_agg *a, const uint64_t **counts, int64_t *start_ns,
			     int64_t *width_ns);
int64_t tc_agg_time_wait_ns(const struct tc_agg *a);

size_t tc_agg_nhosts(const struct tc_agg *a);
const struct tc_host_stats *tc_agg_host(const struct tc_agg *a, size_t i);
/* Host i's rare counters: all zero if it never had any. Never NULL. */
const struct tc_host_opts *tc_agg_host_opts(const struct tc_agg *a, size_t i);
size_t tc_agg_nservices(const struct tc_agg *a);
const struct tc_service_stats *tc_agg_service(const struct tc_agg *a, size_t i);
size_t tc_agg_npairs(const struct tc_agg *a);
const struct tc_pair_stats *tc_agg_pair(const struct tc_agg *a, size_t i);
uint64_t tc_agg_dropped(const struct tc_agg *a);
uint32_t tc_agg_ephemeral_ports(const struct tc_agg *a);

/* The idle time of a finished connection before its close or reset, or -1. */
int64_t tc_agg_idle_before_close(const struct tc_conn *c, const struct tc_verdict *v);

/*
 * The capture_loss finding fires when the capture lost at least 1 byte in
 * 1000 of what the connections sent, or when at least 1 verdict in 100
 * rests on a segment the capture lost and tcpclose inferred (`inferred`
 * connections of `conns`):
 *   - 0.1% is the order of the loss rates a network analysis looks for (a
 *     path dropping 1 segment in 1000 already costs a bulk transfer much of
 *     its throughput): a capture that loses as much cannot tell the
 *     network's loss from its own, so its retransmission and dead-peer
 *     evidence is suspect;
 *   - 1% of the verdicts is the share a finding about one service or client
 *     can rest on: that many inferred closes could make a finding on their
 *     own. A hole in the middle of a connection changes no verdict (and
 *     the rules that measure time do not read across one), so it counts
 *     through the bytes it cost, not as a connection.
 * Below both, a hole here and there does not move any conclusion; the
 * summary's capture_loss still counts it.
 */
#define TC_CAPTURE_LOSS_MIN_PERMILLE 1u
#define TC_CAPTURE_LOSS_MIN_CONN_PCT 1u

#endif
