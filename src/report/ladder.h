/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ladder.h -- the close sequence of one connection as a text ladder.
 *
 * The two endpoints are columns; each segment is an arrow with its flags,
 * relative seq/ack and time, followed by both endpoints' states after it.
 * The handshake and the data exchange are compressed into one line each
 * unless `full` is asked for, so the close itself is what the eye lands on.
 * Readable at 80 columns.
 *
 * A ladder records segments through the engine's tap (tc_engine_set_tap)
 * into a bounded store: the first LADDER_HEAD rows and the last LADDER_TAIL
 * rows are kept, the count of those in between is remembered. The offline
 * report (--ladder) and the live view's detail pane use the same renderer.
 */
#ifndef TCPCLOSE_LADDER_H
#define TCPCLOSE_LADDER_H

#include <stdint.h>
#include <stdio.h>

#include "tcpclose/conn.h"
#include "tcpclose/decode.h"

#define LADDER_HEAD 512
#define LADDER_TAIL 512

struct tc_ladder_row {
	int64_t ts;
	uint64_t frame;
	uint32_t seq, ack, len;
	uint16_t win;
	uint8_t from;             /* enum tc_role */
	uint8_t flags;
	uint8_t before[2], after[2];
	uint8_t keepalive;
	uint8_t ignored;          /* an RST that failed the acceptability check */
	uint8_t retx;             /* repeats sequence space already sent */
};

/*
 * What a recorder keeps of a segment besides its row: the connection's
 * facts right after it, from which appending makes sequence numbers
 * relative and marks retransmissions and keep-alive probes.
 */
struct tc_ladder_facts {
	uint32_t isn[2];
	uint8_t isn_known[2];     /* the side's SYN was seen */
	uint32_t retx[2];         /* each side's retransmission count */
	uint32_t ka[2];           /* each side's keep-alive probe count */
};

struct tc_ladder {
	uint64_t conn_id;
	struct tc_ladder_row head[LADDER_HEAD];
	struct tc_ladder_row tail[LADDER_TAIL]; /* ring */
	uint32_t nhead;
	uint64_t ntail;           /* rows ever put in the tail ring */
	uint32_t isn[2];          /* for relative sequence numbers */
	uint8_t isn_known[2];
	struct tc_ladder_facts seen; /* the facts of the last row appended */
};

void tc_ladder_init(struct tc_ladder *l, uint64_t conn_id);

/* One segment as the engine tap sees it: its row and the facts after it. */
void tc_ladder_capture(const struct tc_conn *c, int from, const struct tc_pkt *p, int64_t ts_ns,
		       uint64_t frame, const uint8_t before[2], struct tc_ladder_row *r,
		       struct tc_ladder_facts *f);

/*
 * Append a captured segment. Retransmissions and probes are marked by
 * their counts moving since the previous row; the first row appended is
 * the baseline (a recorder that lost the rows before it cannot know).
 */
void tc_ladder_append(struct tc_ladder *l, const struct tc_ladder_row *r,
		      const struct tc_ladder_facts *f);

/* capture + append: record one segment of the chosen connection. */
void tc_ladder_add(struct tc_ladder *l, const struct tc_conn *c, int from, const struct tc_pkt *p,
		   int64_t ts_ns, uint64_t frame, const uint8_t before[2]);

/*
 * Render. `c` is the finished record (for addresses and the verdict line;
 * may be NULL), `verdict` a one-line summary or NULL. Each output line is
 * passed to `line` without a newline; `width` >= 60.
 */
void tc_ladder_render(const struct tc_ladder *l, const struct tc_conn *c, const char *verdict,
		      int width, int full, void (*line)(const char *s, void *arg), void *arg);

/* Parse a --ladder selector: a connection id, or ADDR:PORT-ADDR:PORT. */
struct tc_ladder_sel {
	uint64_t id;              /* 0 when selecting by 4-tuple */
	uint8_t af;
	uint8_t a[16], b[16];
	uint16_t pa, pb;
};
int tc_ladder_parse_selector(const char *s, struct tc_ladder_sel *sel);
int tc_ladder_matches(const struct tc_ladder_sel *sel, const struct tc_conn *c);

#endif
