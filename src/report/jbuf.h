/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * jbuf.h -- a record buffer for the JSON Lines writer.
 *
 * A record is built in memory and handed to stdio with one fwrite: when each
 * field was its own fprintf/fputs/fputc, stdio's per-call overhead (stream
 * locking, format parsing) cost more than the formatting itself.
 *
 * The buffer never overflows and never drops a byte: when something does not
 * fit, what is buffered is written out first and the record carries on. So a
 * record longer than the buffer (possible only with long escaped text, such
 * as a hostile RST payload) reaches the stream in pieces, in order.
 */
#ifndef TCPCLOSE_JBUF_H
#define TCPCLOSE_JBUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Larger than any ordinary record, small enough for the stack. */
#define TC_JB_CAP 4096

struct tc_jbuf {
	FILE *out;
	size_t len;
	char buf[TC_JB_CAP];
};

void tc_jb_init(struct tc_jbuf *b, FILE *out);
/* Write what is buffered to the stream (errors stay in its ferror flag). */
void tc_jb_flush(struct tc_jbuf *b);
/* tc_jb_mem's path for what does not fit: flushes as often as it takes. */
void tc_jb_mem_slow(struct tc_jbuf *b, const char *s, size_t n);

/* At least n (<= TC_JB_CAP) free bytes at the returned pointer; the caller
 * adds what it wrote there to b->len. */
static inline char *tc_jb_room(struct tc_jbuf *b, size_t n)
{
	if (TC_JB_CAP - b->len < n)
		tc_jb_flush(b);
	return b->buf + b->len;
}

static inline void tc_jb_mem(struct tc_jbuf *b, const char *s, size_t n)
{
	/* The first test is decided at compile time for a literal, and lets
	 * the compiler see that a long constant copy never takes this path. */
	if (n <= TC_JB_CAP && b->len <= TC_JB_CAP - n) {
		memcpy(b->buf + b->len, s, n);
		b->len += n;
	} else {
		tc_jb_mem_slow(b, s, n);
	}
}

/* A string literal: its length is known at compile time. */
#define tc_jb_lit(b, s) tc_jb_mem((b), "" s, sizeof(s) - 1)

static inline void tc_jb_ch(struct tc_jbuf *b, char c)
{
	if (b->len == TC_JB_CAP)
		tc_jb_flush(b);
	b->buf[b->len++] = c;
}

void tc_jb_u64_slow(struct tc_jbuf *b, uint64_t v);

/* The same digits as printf's PRIu64 / PRId64. Most counters in a record
 * are a single digit: those take no call. */
static inline void tc_jb_u64(struct tc_jbuf *b, uint64_t v)
{
	if (v < 10 && b->len < TC_JB_CAP)
		b->buf[b->len++] = (char)('0' + v);
	else
		tc_jb_u64_slow(b, v);
}

void tc_jb_i64(struct tc_jbuf *b, int64_t v);
/* Nanoseconds as tc_ts_str() writes them: "1700000000.123456789". */
void tc_jb_ts(struct tc_jbuf *b, int64_t ns);
/* The same instant as an RFC 3339 string in UTC, quotes included, with all
 * nine decimals: "2023-11-14T22:13:20.123456789Z". A JSON number cannot
 * carry nanoseconds through a double (jq, JavaScript); this string can.
 * Nanoseconds in an int64_t span the years 1677..2262: always four digits. */
void tc_jb_time(struct tc_jbuf *b, int64_t ns);
/* A JSON string, quotes included, escaped exactly as the writer always has:
 * '"' and '\\' backslashed, other bytes outside 0x20..0x7e as \u00xx. */
void tc_jb_quote(struct tc_jbuf *b, const char *s);
/* printf's "%.*f" (prec is clamped to 0..9): rounding stays libc's. */
void tc_jb_fixed(struct tc_jbuf *b, double v, int prec);

#endif
