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

/*
 * One second's text, made once and copied after: the epoch seconds with
 * their point ("1700000000.") and the RFC 3339 prefix with its opening quote
 * ("\"2023-11-14T22:13:20."). A capture's timestamps fall in few distinct
 * seconds, most of them recent, so a record's four to seven instants are
 * nearly always found here and only their nine decimals are formatted.
 */
struct tc_jb_sec {
	int64_t s;     /* the second, or INT64_MIN: empty (never a real one) */
	uint8_t slen;  /* bytes of sec used */
	char sec[16];  /* "-9223372037." is the longest: 12 */
	char date[24]; /* 21 used */
};

#define TC_JB_CLOCK_SLOTS 64 /* a power of two: the slot is s % SLOTS */

/* Lives as long as the writer that owns it, across records. */
struct tc_jb_clock {
	struct tc_jb_sec slot[TC_JB_CLOCK_SLOTS];
};

struct tc_jbuf {
	FILE *out;
	size_t len;
	struct tc_jb_clock *clock; /* NULL: each instant formatted in full */
	char buf[TC_JB_CAP];
};

/* Starts without a clock; a writer that keeps one sets b->clock. */
void tc_jb_init(struct tc_jbuf *b, FILE *out);
void tc_jb_clock_init(struct tc_jb_clock *k);
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
/* An IPv4 address in dotted decimal, as tc_addr_str() writes it. */
void tc_jb_ipv4(struct tc_jbuf *b, const uint8_t a[4]);
/* Nanoseconds as tc_ts_str() writes them: "1700000000.123456789". */
void tc_jb_ts(struct tc_jbuf *b, int64_t ns);
/* The same instant as an RFC 3339 string in UTC, quotes included, with all
 * nine decimals: "2023-11-14T22:13:20.123456789Z". A JSON number cannot
 * carry nanoseconds through a double (jq, JavaScript); this string can.
 * Nanoseconds in an int64_t span the years 1677..2262: always four digits.
 * The project's only RFC 3339 formatter (the text formats print epoch
 * seconds or tc_time_human). With b->clock, tc_jb_ts and tc_jb_time take
 * the second's text from it: the same bytes, made once per second. */
void tc_jb_time(struct tc_jbuf *b, int64_t ns);
/* A JSON string, quotes included, escaped exactly as the writer always has:
 * '"' and '\\' backslashed, other bytes outside 0x20..0x7e as \u00xx. */
void tc_jb_quote(struct tc_jbuf *b, const char *s);
/* printf's "%.*f" (prec is clamped to 0..9), to the byte: what printf
 * would round differently near a tie is left to printf itself. */
void tc_jb_fixed(struct tc_jbuf *b, double v, int prec);

/*
 * The same formatters on a pointer, for a stretch of a record whose length
 * is bounded: the caller takes room for the whole stretch once
 * (tc_jb_room), writes with these, each returning the end of what it
 * wrote, and commits with tc_jb_commit. No bounds check per field: the
 * TC_JP_*_MAX bounds say how much room each needs. A fixed-size stretch of
 * a record costs a few stores per literal this way.
 */
#define TC_JP_U64_MAX 20
#define TC_JP_TS_MAX (sizeof(((struct tc_jb_sec *)0)->sec) + 9)
#define TC_JP_TIME_MAX 32
#define TC_JP_IPV4_MAX 16 /* 15 used */

static inline char *tc_jp_mem(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define tc_jp_lit(p, s) tc_jp_mem((p), "" s, sizeof(s) - 1)

char *tc_jp_u64_slow(char *p, uint64_t v);
extern const char tc_jb_digits2[200]; /* "00" "01" ... "99" */

/* One or two digits take no call. */
static inline char *tc_jp_u64(char *p, uint64_t v)
{
	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	if (v < 100) {
		memcpy(p, tc_jb_digits2 + 2 * v, 2);
		return p + 2;
	}
	return tc_jp_u64_slow(p, v);
}

/* Room tc_addr_put6() needs for an IPv6 address (RFC 5952, at most 45
 * bytes, and its scratch). */
#define TC_JP_IPV6_MAX 48
/* clock may be NULL. */
char *tc_jp_ts(char *p, struct tc_jb_clock *clock, int64_t ns);
char *tc_jp_time(char *p, struct tc_jb_clock *clock, int64_t ns);
/* An instant taken apart once, for a record that writes it both ways
 * (epoch seconds and RFC 3339): the second's text and the nine decimals. */
struct tc_jb_inst {
	const struct tc_jb_sec *k;
	char nine[9];
	struct tc_jb_sec tmp; /* k's storage when there is no clock */
};
void tc_jb_inst_set(struct tc_jb_inst *t, struct tc_jb_clock *clock, int64_t ns);
char *tc_jp_inst_ts(char *p, const struct tc_jb_inst *t);   /* as tc_jp_ts */
char *tc_jp_inst_time(char *p, const struct tc_jb_inst *t); /* as tc_jp_time */
/* s escaped as tc_jb_quote does, quotes included; s has at most max bytes
 * before its NUL, and there is room for 2 + 6 * max. */
char *tc_jp_quote(char *p, const char *s, size_t max);

static inline void tc_jb_commit(struct tc_jbuf *b, char *end)
{
	b->len = (size_t)(end - b->buf);
}

#endif
