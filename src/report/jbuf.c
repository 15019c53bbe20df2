/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * jbuf.c -- the JSON record buffer (see jbuf.h): integers, timestamps and
 * escaped strings formatted by hand, since they are most of every record
 * and printf's generality is what made them slow.
 */
#include <stdio.h>
#include <string.h>

#include "jbuf.h"

/* Room for "%.*f" of any double: sign, 309 integer digits, point, 9 decimals. */
#define FIXED_MAX 330
_Static_assert(FIXED_MAX <= TC_JB_CAP, "tc_jb_room takes at most TC_JB_CAP");

static const char digits2[] =
	"00010203040506070809"
	"10111213141516171819"
	"20212223242526272829"
	"30313233343536373839"
	"40414243444546474849"
	"50515253545556575859"
	"60616263646566676869"
	"70717273747576777879"
	"80818283848586878889"
	"90919293949596979899";

void tc_jb_init(struct tc_jbuf *b, FILE *out)
{
	b->out = out;
	b->len = 0;
}

void tc_jb_flush(struct tc_jbuf *b)
{
	if (b->len)
		fwrite(b->buf, 1, b->len, b->out);
	b->len = 0;
}

void tc_jb_mem_slow(struct tc_jbuf *b, const char *s, size_t n)
{
	while (n) {
		size_t k = TC_JB_CAP - b->len;
		if (!k) {
			tc_jb_flush(b);
			k = TC_JB_CAP;
		}
		if (k > n)
			k = n;
		memcpy(b->buf + b->len, s, k);
		b->len += k;
		s += k;
		n -= k;
	}
}

/* Two digits per division: half the divisions of a digit-at-a-time loop. */
static char *put_pair(char *end, unsigned v)
{
	end[-2] = digits2[2 * v];
	end[-1] = digits2[2 * v + 1];
	return end - 2;
}

/* Exactly n digits of v, zero-padded, ending just before `end`. */
static void put_digits(char *end, uint32_t v, int n)
{
	for (; n >= 2; n -= 2, v /= 100)
		end = put_pair(end, v % 100);
	if (n)
		end[-1] = (char)('0' + v % 10);
}

void tc_jb_u64_slow(struct tc_jbuf *b, uint64_t v)
{
	/* The digits are made right to left, ending at tmp + 20, then copied
	 * as a fixed 20 bytes: cheaper than counting them first or copying a
	 * variable length. The bytes after the last digit are scratch. */
	char tmp[40] = {0}, *p = tmp + 20;
	uint32_t w;

	/* 32-bit division is cheaper, and timestamps' seconds fit. */
	for (; v > UINT32_MAX; v /= 100)
		p = put_pair(p, (unsigned)(v % 100));
	for (w = (uint32_t)v; w >= 100; w /= 100)
		p = put_pair(p, w % 100);
	if (w >= 10)
		p = put_pair(p, w);
	else
		*--p = (char)('0' + w);
	memcpy(tc_jb_room(b, 20), p, 20);
	b->len += (size_t)(tmp + 20 - p);
}

void tc_jb_i64(struct tc_jbuf *b, int64_t v)
{
	if (v < 0) {
		tc_jb_ch(b, '-');
		/* In unsigned arithmetic, so INT64_MIN negates too. */
		tc_jb_u64(b, 0 - (uint64_t)v);
	} else {
		tc_jb_u64(b, (uint64_t)v);
	}
}

void tc_jb_ts(struct tc_jbuf *b, int64_t ns)
{
	int64_t s = ns / 1000000000LL, f = ns % 1000000000LL;
	char *p;

	/* Floor, not truncation: the fraction is never negative. */
	if (f < 0) {
		f += 1000000000LL;
		s -= 1;
	}
	tc_jb_i64(b, s);
	p = tc_jb_room(b, 10);
	p[0] = '.';
	put_digits(p + 10, (uint32_t)f, 9);
	b->len += 10;
}

/*
 * Days since 1970-01-01 to a proleptic Gregorian date, by the era
 * arithmetic of Howard Hinnant's civil_from_days (public domain): no libc
 * call, no time zone, no table, exact for every day of the range used.
 */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

void tc_jb_time(struct tc_jbuf *b, int64_t ns)
{
	int64_t s = ns / 1000000000LL, f = ns % 1000000000LL, days, sod, y;
	unsigned mo, d;
	char *p;

	if (f < 0) {
		f += 1000000000LL;
		s -= 1;
	}
	days = s / 86400;
	sod = s % 86400;
	if (sod < 0) {
		sod += 86400;
		days -= 1;
	}
	civil_from_days(days, &y, &mo, &d);
	/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" and its quotes: 32 bytes. */
	p = tc_jb_room(b, 32);
	p[0] = '"';
	put_digits(p + 5, (uint32_t)y, 4);
	p[5] = '-';
	put_digits(p + 8, mo, 2);
	p[8] = '-';
	put_digits(p + 11, d, 2);
	p[11] = 'T';
	put_digits(p + 14, (uint32_t)(sod / 3600), 2);
	p[14] = ':';
	put_digits(p + 17, (uint32_t)(sod / 60 % 60), 2);
	p[17] = ':';
	put_digits(p + 20, (uint32_t)(sod % 60), 2);
	p[20] = '.';
	put_digits(p + 30, (uint32_t)f, 9);
	p[30] = 'Z';
	p[31] = '"';
	b->len += 32;
}

/* 1 for a byte that goes into a JSON string as it is: printable ASCII but
 * '"' and '\\'. A NUL is 0, so the scan also stops at the end. */
static const unsigned char plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: '\\' */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 0x70: DEL */
	/* 0x80..0xff: 0 */
};

void tc_jb_quote(struct tc_jbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	tc_jb_ch(b, '"');
	for (;;) {
		const char *run = s;
		unsigned char ch;
		char *p;

		/* Copy runs of plain bytes whole: most text has nothing to escape. */
		while (plain[(unsigned char)*s])
			s++;
		tc_jb_mem(b, run, (size_t)(s - run));
		ch = (unsigned char)*s;
		if (!ch)
			break;
		p = tc_jb_room(b, 6);
		if (ch == '"' || ch == '\\') {
			p[0] = '\\';
			p[1] = (char)ch;
			b->len += 2;
		} else {
			memcpy(p, "\\u00", 4);
			p[4] = hex[ch >> 4];
			p[5] = hex[ch & 0xf];
			b->len += 6;
		}
		s++;
	}
	tc_jb_ch(b, '"');
}

void tc_jb_fixed(struct tc_jbuf *b, double v, int prec)
{
	char *p;
	int n;

	if (prec < 0)
		prec = 0;
	else if (prec > 9)
		prec = 9;
	p = tc_jb_room(b, FIXED_MAX);
	n = snprintf(p, FIXED_MAX, "%.*f", prec, v);
	if (n > 0)
		b->len += (size_t)n < FIXED_MAX ? (size_t)n : FIXED_MAX - 1;
}
