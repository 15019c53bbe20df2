/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_jbuf.c -- unit tests for src/report/jbuf.c, the JSON record buffer.
 *
 * The JSON output must not change by a byte when written through the
 * buffer, so every formatter is checked against the printf call it
 * replaces: integers against PRIu64/PRId64, timestamps against
 * tc_ts_str() itself, strings against the fprintf-based escaper the JSON
 * writer used before, decimals against "%.*f". The buffer's edges are
 * checked by writing each kind of field at every offset around a full
 * buffer, and text longer than the buffer several times over: nothing may
 * be lost, reordered or written past the end (AddressSanitizer watches).
 */
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include "rng.h"

#include "jbuf.h"
#include "output.h"

/* ---- capturing what reaches the stream ----------------------------------- */

struct sink {
	FILE *f;
	char *p;
	size_t n;
};

static void sink_open(struct sink *s)
{
	s->p = NULL;
	s->n = 0;
	s->f = open_memstream(&s->p, &s->n);
	assert_non_null(s->f);
}

/* Close the stream; the caller frees s->p. */
static void sink_close(struct sink *s)
{
	assert_int_equal(fclose(s->f), 0);
}

/* The escaper the JSON writer used before the buffer: the reference. */
static void ref_quote(FILE *o, const char *s)
{
	fputc('"', o);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(o, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(o, "\\u%04x", ch);
		else
			fputc(ch, o);
	}
	fputc('"', o);
}

static void assert_same(const struct sink *got, const struct sink *want)
{
	assert_int_equal(got->n, want->n);
	assert_memory_equal(got->p, want->p, want->n);
}


/* Numbers of every length: 10^k - 1, 10^k, 10^k + 1, random k-digit ones. */
static uint64_t sample_u64(int i)
{
	static const uint64_t fixed[] = {
		0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, 65536, 999999999,
		1000000000, 4294967295ULL, 4294967296ULL, 4294967297ULL,
		9999999999999999999ULL, 10000000000000000000ULL, UINT64_MAX, UINT64_MAX - 1,
	};
	uint64_t p = 1;
	int k;

	if (i < (int)(sizeof(fixed) / sizeof(fixed[0])))
		return fixed[i];
	k = (int)(rnd() % 20);
	while (k--)
		p *= 10;
	switch (rnd() % 4) {
	case 0: return p - 1;
	case 1: return p;
	case 2: return p + 1;
	default: return rnd() % p + p / 10;
	}
}

/* ---- numbers ------------------------------------------------------------- */

static void test_u64_as_printf(void **state)
{
	struct sink got, want;
	struct tc_jbuf b;
	int i;

	(void)state;
	sink_open(&got);
	sink_open(&want);
	tc_jb_init(&b, got.f);
	for (i = 0; i < 20000; i++) {
		uint64_t v = sample_u64(i);
		tc_jb_u64(&b, v);
		tc_jb_ch(&b, ' ');
		fprintf(want.f, "%" PRIu64 " ", v);
	}
	tc_jb_flush(&b);
	sink_close(&got);
	sink_close(&want);
	assert_same(&got, &want);
	free(got.p);
	free(want.p);
}

static void test_i64_as_printf(void **state)
{
	static const int64_t fixed[] = {
		0, 1, -1, 9, -9, 10, -10, INT64_MAX, INT64_MIN, INT64_MIN + 1, INT32_MIN,
	};
	struct sink got, want;
	struct tc_jbuf b;
	size_t i;

	(void)state;
	sink_open(&got);
	sink_open(&want);
	tc_jb_init(&b, got.f);
	for (i = 0; i < 20000; i++) {
		int64_t v = i < sizeof(fixed) / sizeof(fixed[0]) ? fixed[i] : (int64_t)sample_u64((int)i);
		tc_jb_i64(&b, v);
		tc_jb_ch(&b, ' ');
		fprintf(want.f, "%" PRId64 " ", v);
	}
	tc_jb_flush(&b);
	sink_close(&got);
	sink_close(&want);
	assert_same(&got, &want);
	free(got.p);
	free(want.p);
}

static void test_ts_as_tc_ts_str(void **state)
{
	static const int64_t fixed[] = {
		0, 1, -1, 999999999, 1000000000, -999999999, -1000000000, -1000000001,
		1700000000123456789LL, -1700000000123456789LL, INT64_MAX, INT64_MIN, INT64_MIN + 1,
	};
	struct sink got, want;
	struct tc_jbuf b;
	size_t i;

	(void)state;
	sink_open(&got);
	sink_open(&want);
	tc_jb_init(&b, got.f);
	for (i = 0; i < 20000; i++) {
		int64_t v = i < sizeof(fixed) / sizeof(fixed[0]) ? fixed[i] : (int64_t)sample_u64((int)i);
		char t[32];
		tc_jb_ts(&b, v);
		tc_jb_ch(&b, ' ');
		fprintf(want.f, "%s ", tc_ts_str(v, t));
	}
	tc_jb_flush(&b);
	sink_close(&got);
	sink_close(&want);
	assert_same(&got, &want);
	free(got.p);
	free(want.p);
}

/* The RFC 3339 string against gmtime_r() and strftime(), over all of
 * int64_t nanoseconds (the years 1677..2262). */
static void test_time_as_gmtime(void **state)
{
	static const int64_t fixed[] = {
		0, 1, -1, 999999999, -999999999, -1000000000, -1000000001, 1700000000123456789LL,
		951782400LL * 1000000000LL,              /* 2000-02-29 */
		4107542399LL * 1000000000LL + 999999999, /* 2100-02-28T23:59:59.999999999 */
		INT64_MAX, INT64_MIN, INT64_MIN + 1,
	};
	struct sink got, want;
	struct tc_jbuf b;
	size_t i;

	(void)state;
	sink_open(&got);
	sink_open(&want);
	tc_jb_init(&b, got.f);
	for (i = 0; i < 20000; i++) {
		int64_t v = i < sizeof(fixed) / sizeof(fixed[0]) ? fixed[i] : (int64_t)sample_u64((int)i);
		int64_t s = v / 1000000000LL, f = v % 1000000000LL;
		time_t t;
		struct tm tm;
		char day[64];
		if (f < 0) {
			f += 1000000000LL;
			s--;
		}
		t = (time_t)s;
		assert_non_null(gmtime_r(&t, &tm));
		strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(want.f, "\"%s.%09" PRId64 "Z\" ", day, f);
		tc_jb_time(&b, v);
		tc_jb_ch(&b, ' ');
	}
	tc_jb_flush(&b);
	sink_close(&got);
	sink_close(&want);
	assert_same(&got, &want);
	free(got.p);
	free(want.p);
}

/* The fixed instants tc_time_rfc3339() was once tested on, when fields.c
 * had a second formatter built on gmtime_r: the one left must give them. */
static void test_time_edges(void **state)
{
	static const struct {
		int64_t ns;
		const char *want;
	} c[] = {
		{0, "\"1970-01-01T00:00:00.000000000Z\""},
		{1700000000123456789LL, "\"2023-11-14T22:13:20.123456789Z\""},
		/* One nanosecond before the epoch is the last one of 1969. */
		{-1, "\"1969-12-31T23:59:59.999999999Z\""},
		/* A leap day. */
		{951782400LL * 1000000000LL, "\"2000-02-29T00:00:00.000000000Z\""},
		/* The extremes of int64 ns still give a date, not garbage. */
		{INT64_MAX, "\"2262-04-11T23:47:16.854775807Z\""},
		{INT64_MIN, "\"1677-09-21T00:12:43.145224192Z\""},
	};
	struct tc_jb_clock clock;
	size_t i;
	int with;

	(void)state;
	tc_jb_clock_init(&clock);
	for (with = 0; with < 2; with++)
		for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			struct sink got;
			struct tc_jbuf b;
			sink_open(&got);
			tc_jb_init(&b, got.f);
			b.clock = with ? &clock : NULL;
			tc_jb_time(&b, c[i].ns);
			tc_jb_flush(&b);
			sink_close(&got);
			assert_int_equal(got.n, strlen(c[i].want));
			assert_memory_equal(got.p, c[i].want, got.n);
			free(got.p);
		}
}

/*
 * The clock gives the bytes the formatters give without it: instants
 * clustered in a few seconds (hits), spread far apart, negative, and
 * seconds that share a slot (s and s + TC_JB_CLOCK_SLOTS), each written as
 * epoch seconds and as RFC 3339, alone and through tc_jb_inst.
 */
static void test_clock_as_without(void **state)
{
	struct tc_jb_clock clock;
	struct sink got, want;
	struct tc_jbuf b, w;
	int i;

	(void)state;
	tc_jb_clock_init(&clock);
	sink_open(&got);
	sink_open(&want);
	tc_jb_init(&b, got.f);
	b.clock = &clock;
	tc_jb_init(&w, want.f);
	for (i = 0; i < 40000; i++) {
		int64_t ns;
		struct tc_jb_inst t;
		char *p;
		switch (i % 4) {
		case 0: ns = 1700000000000000000LL + (int64_t)(rnd() % 5000000000ULL); break;
		case 1: ns = (1700000000LL + (int64_t)(rnd() % 4) * TC_JB_CLOCK_SLOTS) * 1000000000LL +
			     (int64_t)(rnd() % 1000000000ULL);
			break;
		case 2: ns = -(int64_t)(rnd() % 3000000000ULL); break;
		default: ns = (int64_t)sample_u64(i); break;
		}
		tc_jb_ts(&b, ns);
		tc_jb_ch(&b, ' ');
		tc_jb_time(&b, ns);
		tc_jb_ch(&b, ' ');
		tc_jb_inst_set(&t, (i & 8) ? &clock : NULL, ns);
		p = tc_jp_inst_ts(tc_jb_room(&b, TC_JP_TS_MAX), &t);
		tc_jb_commit(&b, p);
		tc_jb_ch(&b, ' ');
		p = tc_jp_inst_time(tc_jb_room(&b, TC_JP_TIME_MAX), &t);
		tc_jb_commit(&b, p);
		tc_jb_ch(&b, '\n');
		tc_jb_ts(&w, ns);
		tc_jb_ch(&w, ' ');
		tc_jb_time(&w, ns);
		tc_jb_ch(&w, ' ');
		tc_jb_ts(&w, ns);
		tc_jb_ch(&w, ' ');
		tc_jb_time(&w, ns);
		tc_jb_ch(&w, '\n');
	}
	tc_jb_flush(&b);
	tc_jb_flush(&w);
	sink_close(&got);
	sink_close(&want);
	assert_same(&got, &want);
	free(got.p);
	free(want.p);
}

/*
 * What an independent formatter writes: the C library's inet_ntop(),
 * which follows RFC 5952 except that it writes an IPv4-compatible address
 * (the first 96 bits zero, then a nonzero group: ::/96, deprecated by
 * RFC 4291) as a dotted quad, where RFC 5952 keeps hex.
 */
static const char *ntop(int af, const uint8_t a[16], char *t)
{
	static const uint8_t zero[12];

	if (af == 6 && !memcmp(a, zero, 12) && (a[12] | a[13])) {
		sprintf(t, "::%x:%x", (unsigned)(a[12] << 8 | a[13]), (unsigned)(a[14] << 8 | a[15]));
		return t;
	}
	return inet_ntop(af == 4 ? AF_INET : AF_INET6, a, t, TC_ADDRSTRLEN);
}

/* Dotted quads as inet_ntop() writes them: every octet value in every
 * position, then random addresses. */
static void test_ipv4_as_inet_ntop(void **state)
{
	struct sink got, want;
	struct tc_jbuf b;
	int i;

	(void)state;
	sink_open(&got);
	sink_open(&want);
	tc_jb_init(&b, got.f);
	for (i = 0; i < 4 * 256 + 20000; i++) {
		uint8_t a[16] = {0};
		char t[TC_ADDRSTRLEN];
		int k;
		if (i < 4 * 256) {
			for (k = 0; k < 4; k++)
				a[k] = (uint8_t)(k * 77 + 1);
			a[i / 256] = (uint8_t)(i % 256);
		} else {
			for (k = 0; k < 4; k++)
				a[k] = (uint8_t)rnd();
		}
		tc_jb_ipv4(&b, a);
		tc_jb_ch(&b, ' ');
		fprintf(want.f, "%s ", ntop(4, a, t));
	}
	tc_jb_flush(&b);
	sink_close(&got);
	sink_close(&want);
	assert_same(&got, &want);
	free(got.p);
	free(want.p);
}

/* IPv6 as RFC 5952 (inet_ntop()) writes it: groups zero at random (so
 * runs of every length, ties, runs at either end), small and large group
 * values, IPv4-mapped, and the all-zero and loopback addresses. */
static void test_ipv6_as_inet_ntop(void **state)
{
	struct sink got, want;
	struct tc_jbuf b;
	int i;

	(void)state;
	sink_open(&got);
	sink_open(&want);
	tc_jb_init(&b, got.f);
	for (i = 0; i < 50000; i++) {
		uint8_t a[16] = {0};
		char t[TC_ADDRSTRLEN], *p;
		int k;
		if (i == 1)
			a[15] = 1;
		for (k = 0; i > 1 && k < 8; k++) {
			unsigned v;
			switch (rnd() % 5) {
			case 0:
			case 1: v = 0; break;
			case 2: v = (unsigned)(rnd() % 16); break;
			case 3: v = (unsigned)(rnd() % 0x1000); break;
			default: v = (unsigned)(rnd() % 0x10000); break;
			}
			a[2 * k] = (uint8_t)(v >> 8);
			a[2 * k + 1] = (uint8_t)v;
		}
		if (i % 97 == 5) { /* ::ffff:a.b.c.d */
			memset(a, 0, 10);
			a[10] = a[11] = 0xff;
		}
		p = tc_addr_put6(tc_jb_room(&b, TC_JP_IPV6_MAX + 1), a);
		*p++ = ' ';
		tc_jb_commit(&b, p);
		fprintf(want.f, "%s ", ntop(6, a, t));
	}
	tc_jb_flush(&b);
	sink_close(&got);
	sink_close(&want);
	assert_same(&got, &want);
	assert_non_null(strstr(got.p, ":: "));
	assert_non_null(strstr(got.p, "::1 "));
	assert_non_null(strstr(got.p, "::ffff:"));
	free(got.p);
	free(want.p);
}

/* The pointer writers against the checked ones: integers, and strings cut
 * at max bytes when they have no NUL before it. */
static void test_pointer_writers(void **state)
{
	struct sink got, want;
	struct tc_jbuf b;
	int i;

	(void)state;
	sink_open(&got);
	sink_open(&want);
	tc_jb_init(&b, got.f);
	for (i = 0; i < 20000; i++) {
		uint64_t v = i < 1000 ? (uint64_t)i : sample_u64(i);
		char s[12], *p;
		int k;
		for (k = 0; k < 11; k++)
			s[k] = (char)(rnd() % 4 ? 'a' + rnd() % 26 : rnd() % 255 + 1);
		s[11] = '\0';
		p = tc_jb_room(&b, TC_JP_U64_MAX + 1 + 2 + 6 * 11 + 1);
		p = tc_jp_u64(p, v);
		*p++ = ' ';
		p = tc_jp_quote(p, s, (size_t)(i % 12));
		*p++ = ' ';
		tc_jb_commit(&b, p);
		fprintf(want.f, "%" PRIu64 " ", v);
		s[i % 12] = '\0';
		ref_quote(want.f, s);
		fputc(' ', want.f);
	}
	tc_jb_flush(&b);
	sink_close(&got);
	sink_close(&want);
	assert_same(&got, &want);
	free(got.p);
	free(want.p);
}

static void test_fixed_as_printf(void **state)
{
	static const double fixed[] = {
		0.0, -0.0, 0.0005, 0.0015, 0.0025, 1.0005, 2.675, 99.995, 1e-9, 1e15, 9.2233720368e9,
		1e308, -1e308, 1.7976931348623157e308, 4.9e-324,
	};
	struct sink got, want;
	struct tc_jbuf b;
	size_t i;
	int prec;

	(void)state;
	sink_open(&got);
	sink_open(&want);
	tc_jb_init(&b, got.f);
	for (prec = 0; prec <= 9; prec++) {
		for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
			tc_jb_fixed(&b, fixed[i], prec);
			tc_jb_ch(&b, ' ');
			fprintf(want.f, "%.*f ", prec, fixed[i]);
		}
		for (i = 0; i < 2000; i++) {
			double v = (double)(int64_t)rnd() / (double)(rnd() % 1000000000 + 1);
			tc_jb_fixed(&b, v, prec);
			tc_jb_ch(&b, ' ');
			fprintf(want.f, "%.*f ", prec, v);
		}
	}
	/* What the writer prints most: spans in ns as seconds and shares
	 * as percentages, ties and near-ties of the last digit among them
	 * (500,000 ns is a tie at 3 places, 2.675 one at 2). */
	for (i = 0; i < 30000; i++) {
		int64_t ns = (int64_t)(i / 3) * 500000 + (int64_t)(i % 3) - 1;
		double pct = 100.0 * (double)i / 28232.0;
		tc_jb_fixed(&b, (double)ns / 1e9, 3);
		tc_jb_fixed(&b, pct, 2);
		tc_jb_fixed(&b, (double)(i * 37) / 1e3, 3);
		tc_jb_fixed(&b, (double)i / 1048576.0, 6);
		tc_jb_ch(&b, ' ');
		fprintf(want.f, "%.3f%.2f%.3f%.6f ", (double)ns / 1e9, pct, (double)(i * 37) / 1e3,
			(double)i / 1048576.0);
	}
	/* What the writer prints for a division by zero. */
	tc_jb_fixed(&b, INFINITY, 2);
	tc_jb_fixed(&b, -INFINITY, 2);
	tc_jb_fixed(&b, NAN, 3);
	fprintf(want.f, "%.2f%.2f%.3f", INFINITY, -INFINITY, NAN);
	tc_jb_flush(&b);
	sink_close(&got);
	sink_close(&want);
	assert_same(&got, &want);
	free(got.p);
	free(want.p);
}

/* ---- strings ------------------------------------------------------------- */

static void test_quote_every_byte(void **state)
{
	struct sink got, want;
	struct tc_jbuf b;
	char s[4];
	int ch;

	(void)state;
	sink_open(&got);
	sink_open(&want);
	tc_jb_init(&b, got.f);
	for (ch = 1; ch < 256; ch++) {
		s[0] = (char)ch;
		s[1] = '\0';
		tc_jb_quote(&b, s);
		ref_quote(want.f, s);
		/* Between plain bytes, and in a run of its own kind. */
		s[0] = 'a';
		s[1] = (char)ch;
		s[2] = 'z';
		s[3] = '\0';
		tc_jb_quote(&b, s);
		ref_quote(want.f, s);
	}
	tc_jb_quote(&b, "");
	ref_quote(want.f, "");
	tc_jb_flush(&b);
	sink_close(&got);
	sink_close(&want);
	assert_same(&got, &want);
	assert_non_null(strstr(got.p, "\"\\\"\""));       /* "\"" */
	assert_non_null(strstr(got.p, "\"\\\\\""));       /* "\\" */
	assert_non_null(strstr(got.p, "\"\\u001f\""));
	assert_non_null(strstr(got.p, "\"\\u007f\""));
	assert_non_null(strstr(got.p, "\"\\u00ff\""));
	free(got.p);
	free(want.p);
}

/* Text that is mostly plain, as the diagnosis writes it, is copied eight
 * bytes at a time: one byte to escape at each place in and around a word,
 * of each kind (quote, backslash, control, DEL, high byte), at every length
 * up to a few words, so each word boundary and tail is crossed. */
static void test_quote_words_mostly_plain(void **state)
{
	static const unsigned char odd[] = {'"', '\\', 0x01, 0x1f, 0x7f, 0x80, 0xff, ' ', '~'};
	struct sink got, want;
	struct tc_jbuf b;
	char s[40];
	size_t len, at, k, i;

	(void)state;
	sink_open(&got);
	sink_open(&want);
	tc_jb_init(&b, got.f);
	for (len = 0; len < sizeof(s); len++)
		for (at = 0; at <= len; at++)
			for (k = 0; k < sizeof(odd); k++) {
				for (i = 0; i < len; i++)
					s[i] = (char)('A' + (i * 7 + len) % 58); /* 'A'..'z': '\\' is 0x5c */
				for (i = 0; i < len; i++)
					if (s[i] == '\\')
						s[i] = 'x';
				if (at < len)
					s[at] = (char)odd[k];
				s[len] = '\0';
				tc_jb_quote(&b, s);
				ref_quote(want.f, s);
			}
	tc_jb_flush(&b);
	sink_close(&got);
	sink_close(&want);
	assert_same(&got, &want);
	free(got.p);
	free(want.p);
}

/* Hostile text: random bytes, several times the buffer, most of them
 * escaped to six bytes. */
static void test_quote_longer_than_buffer(void **state)
{
	size_t n = 5 * TC_JB_CAP + 17, i;
	char *s = malloc(n + 1);
	struct sink got, want;
	struct tc_jbuf b;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < n; i++) {
		s[i] = (char)(rnd() % 255 + 1);
		if (i % 7 == 0)
			s[i] = '"';
	}
	s[n] = '\0';
	sink_open(&got);
	sink_open(&want);
	tc_jb_init(&b, got.f);
	tc_jb_lit(&b, "{\"text\":");
	tc_jb_quote(&b, s);
	tc_jb_lit(&b, "}\n");
	tc_jb_flush(&b);
	fputs("{\"text\":", want.f);
	ref_quote(want.f, s);
	fputs("}\n", want.f);
	sink_close(&got);
	sink_close(&want);
	assert_same(&got, &want);
	assert_true(got.n > 5 * TC_JB_CAP);
	free(got.p);
	free(want.p);
	free(s);
}

/* ---- the buffer's edge --------------------------------------------------- */

/* Every kind of field, started at every offset near the end of the buffer:
 * each must either fit or move on to a fresh buffer with nothing lost. */
static void test_fields_across_the_edge(void **state)
{
	static char fill[TC_JB_CAP];
	size_t off;

	(void)state;
	memset(fill, 'x', sizeof(fill));
	for (off = TC_JB_CAP - 400; off <= TC_JB_CAP; off++) {
		struct sink got, want;
		struct tc_jbuf b;
		char t[32];

		sink_open(&got);
		sink_open(&want);
		tc_jb_init(&b, got.f);
		tc_jb_mem(&b, fill, off);
		fwrite(fill, 1, off, want.f);
		switch (off % 8) {
		case 0:
			tc_jb_u64(&b, UINT64_MAX);
			fprintf(want.f, "%" PRIu64, UINT64_MAX);
			break;
		case 1:
			tc_jb_i64(&b, INT64_MIN);
			fprintf(want.f, "%" PRId64, INT64_MIN);
			break;
		case 2:
			tc_jb_ts(&b, INT64_MIN);
			fputs(tc_ts_str(INT64_MIN, t), want.f);
			break;
		case 3:
			tc_jb_quote(&b, "a\"b\\c\x01\xff");
			ref_quote(want.f, "a\"b\\c\x01\xff");
			break;
		case 4:
			tc_jb_fixed(&b, -1.7976931348623157e308, 9);
			fprintf(want.f, "%.9f", -1.7976931348623157e308);
			break;
		case 5:
			tc_jb_lit(&b, "idle_timeout_match");
			fputs("idle_timeout_match", want.f);
			break;
		case 6:
			tc_jb_ch(&b, '}');
			fputc('}', want.f);
			break;
		default:
			tc_jb_u64(&b, 7);
			fputc('7', want.f);
			break;
		}
		tc_jb_ch(&b, '\n');
		fputc('\n', want.f);
		assert_true(b.len <= TC_JB_CAP);
		tc_jb_flush(&b);
		sink_close(&got);
		sink_close(&want);
		assert_same(&got, &want);
		free(got.p);
		free(want.p);
	}
}

/* More than the buffer holds in one copy: written through, in order. */
static void test_mem_larger_than_buffer(void **state)
{
	size_t n = 3 * TC_JB_CAP + 5, i;
	char *s = malloc(n);
	struct sink got;
	struct tc_jbuf b;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	sink_open(&got);
	tc_jb_init(&b, got.f);
	tc_jb_ch(&b, '<');
	tc_jb_mem(&b, s, n);
	tc_jb_ch(&b, '>');
	tc_jb_flush(&b);
	tc_jb_flush(&b); /* nothing left: writes nothing */
	sink_close(&got);
	assert_int_equal(got.n, n + 2);
	assert_int_equal(got.p[0], '<');
	assert_memory_equal(got.p + 1, s, n);
	assert_int_equal(got.p[n + 1], '>');
	free(got.p);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_as_printf),
		cmocka_unit_test(test_i64_as_printf),
		cmocka_unit_test(test_ts_as_tc_ts_str),
		cmocka_unit_test(test_time_as_gmtime),
		cmocka_unit_test(test_time_edges),
		cmocka_unit_test(test_clock_as_without),
		cmocka_unit_test(test_ipv4_as_inet_ntop),
		cmocka_unit_test(test_ipv6_as_inet_ntop),
		cmocka_unit_test(test_pointer_writers),
		cmocka_unit_test(test_quote_words_mostly_plain),
		cmocka_unit_test(test_fixed_as_printf),
		cmocka_unit_test(test_quote_every_byte),
		cmocka_unit_test(test_quote_longer_than_buffer),
		cmocka_unit_test(test_fields_across_the_edge),
		cmocka_unit_test(test_mem_larger_than_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
