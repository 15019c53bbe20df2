/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * jbuf.c -- the JSON record buffer (see jbuf.h): integers, timestamps and
 * escaped strings formatted by hand, since they are most of every record
 * and printf's generality is what made them slow.
 */
#include <stdio.h>
#include <string.h>

#include "jbuf.h"

#include "tcpclose/conn.h"

/* Room for "%.*f" of any double: sign, 309 integer digits, point, 9 decimals. */
#define FIXED_MAX 330
_Static_assert(FIXED_MAX <= TC_JB_CAP, "tc_jb_room takes at most TC_JB_CAP");

/* Not a string: 200 digits, no NUL. */
const char tc_jb_digits2[200] =
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
	b->clock = NULL;
}

void tc_jb_clock_init(struct tc_jb_clock *k)
{
	size_t i;
	memset(k, 0, sizeof(*k));
	for (i = 0; i < TC_JB_CLOCK_SLOTS; i++)
		k->slot[i].s = INT64_MIN;
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

/* The two digits of v < 100 at p: one table read, no division. */
static inline void put_pair(char *p, unsigned v)
{
	memcpy(p, tc_jb_digits2 + 2 * v, 2);
}

/* Decimal digits of v: a short tree of comparisons, no division. */
static inline unsigned len32(uint32_t v)
{
	if (v < 100000) {
		if (v < 100)
			return v < 10 ? 1 : 2;
		if (v < 1000)
			return 3;
		return v < 10000 ? 4 : 5;
	}
	if (v < 10000000)
		return v < 1000000 ? 6 : 7;
	if (v < 100000000)
		return 8;
	return v < 1000000000 ? 9 : 10;
}

/* v's digits, right-aligned so the last ends just before `end`: the caller
 * knows how many there are (len32). Two per step, each pair a multiply
 * (division by a constant) and a table read. */
static inline void put_u32(char *end, uint32_t v)
{
	/* Four digits per step: one division by 10^4, then two pairs. */
	while (v >= 10000) {
		uint32_t q = v / 10000, r = v - q * 10000;
		put_pair(end - 4, r / 100);
		put_pair(end - 2, r % 100);
		end -= 4;
		v = q;
	}
	if (v >= 100) {
		end -= 2;
		put_pair(end, v % 100);
		v /= 100;
	}
	if (v >= 10)
		put_pair(end - 2, v);
	else
		end[-1] = (char)('0' + v);
}

/* Exactly nine digits, zero-padded: the nanoseconds of a timestamp. */
static inline void put_nine(char *p, uint32_t f)
{
	uint32_t lo = f % 100000000, a = lo / 10000, c = lo % 10000;

	p[0] = (char)('0' + f / 100000000);
	put_pair(p + 1, a / 100);
	put_pair(p + 3, a % 100);
	put_pair(p + 5, c / 100);
	put_pair(p + 7, c % 100);
}

/* Decimal v at p, returning the number of bytes (at most 20). */
static inline size_t put_u64(char *p, uint64_t v)
{
	uint64_t t = 10000000000ULL; /* 10^n */
	unsigned n = 10;
	char *end;

	if (v <= UINT32_MAX) {
		n = len32((uint32_t)v);
		put_u32(p + n, (uint32_t)v);
		return n;
	}
	/* 10..20 digits: 10^19 is the last power that fits. */
	while (v >= t) {
		if (++n == 20)
			break;
		t *= 10;
	}
	for (end = p + n; v > UINT32_MAX; v /= 100) {
		end -= 2;
		put_pair(end, (unsigned)(v % 100));
	}
	put_u32(end, (uint32_t)v);
	return n;
}

char *tc_jp_u64_slow(char *p, uint64_t v)
{
	return p + put_u64(p, v);
}

void tc_jb_u64_slow(struct tc_jbuf *b, uint64_t v)
{
	char *p = tc_jb_room(b, TC_JP_U64_MAX);
	b->len += put_u64(p, v);
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

void tc_jb_ipv4(struct tc_jbuf *b, const uint8_t a[4])
{
	tc_jb_commit(b, tc_addr_put4(tc_jb_room(b, TC_JP_IPV4_MAX), a));
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

/* The text of second s: "s." and "\"YYYY-MM-DDTHH:MM:SS.". */
static void sec_fill(struct tc_jb_sec *k, int64_t s)
{
	int64_t days = s / 86400, sod = s % 86400, y;
	uint64_t u = (uint64_t)s;
	unsigned mo, d, n = 0;
	char *p = k->date;

	memset(k, 0, sizeof(*k)); /* the bytes past slen are copied too */
	k->s = s;
	if (s < 0) {
		k->sec[n++] = '-';
		u = 0 - u;
	}
	n += (unsigned)put_u64(k->sec + n, u);
	k->sec[n++] = '.';
	k->slen = (uint8_t)n;

	/* Floor, not truncation: before the epoch the day is the earlier one. */
	if (sod < 0) {
		sod += 86400;
		days -= 1;
	}
	civil_from_days(days, &y, &mo, &d);
	p[0] = '"';
	put_pair(p + 1, (unsigned)(y / 100));
	put_pair(p + 3, (unsigned)(y % 100));
	p[5] = '-';
	put_pair(p + 6, mo);
	p[8] = '-';
	put_pair(p + 9, d);
	p[11] = 'T';
	put_pair(p + 12, (unsigned)(sod / 3600));
	p[14] = ':';
	put_pair(p + 15, (unsigned)(sod / 60 % 60));
	p[17] = ':';
	put_pair(p + 18, (unsigned)(sod % 60));
	p[20] = '.';
}

/* Seconds (floor) and nanoseconds (0..999999999) of ns, and the second's
 * text: from the clock when there is one, else made into *tmp. */
static inline const struct tc_jb_sec *split(struct tc_jb_clock *clock, int64_t ns, uint32_t *frac,
					    struct tc_jb_sec *tmp)
{
	int64_t s = ns / 1000000000LL, f = ns % 1000000000LL;
	struct tc_jb_sec *k = tmp;

	if (f < 0) {
		f += 1000000000LL;
		s -= 1;
	}
	*frac = (uint32_t)f;
	if (clock) {
		k = &clock->slot[(uint64_t)s & (TC_JB_CLOCK_SLOTS - 1)];
		if (k->s == s)
			return k;
	}
	sec_fill(k, s);
	return k;
}

char *tc_jp_ts(char *p, struct tc_jb_clock *clock, int64_t ns)
{
	struct tc_jb_sec tmp;
	uint32_t f;
	const struct tc_jb_sec *k = split(clock, ns, &f, &tmp);

	/* A fixed-size copy of the whole field; only slen bytes count. */
	memcpy(p, k->sec, sizeof(k->sec));
	put_nine(p + k->slen, f);
	return p + k->slen + 9;
}

char *tc_jp_time(char *p, struct tc_jb_clock *clock, int64_t ns)
{
	struct tc_jb_sec tmp;
	uint32_t f;
	const struct tc_jb_sec *k = split(clock, ns, &f, &tmp);

	/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" and its quotes: 32 bytes. */
	memcpy(p, k->date, sizeof(k->date));
	put_nine(p + 21, f);
	p[30] = 'Z';
	p[31] = '"';
	return p + 32;
}

void tc_jb_inst_set(struct tc_jb_inst *t, struct tc_jb_clock *clock, int64_t ns)
{
	uint32_t f;

	t->k = split(clock, ns, &f, &t->tmp);
	put_nine(t->nine, f);
}

char *tc_jp_inst_ts(char *p, const struct tc_jb_inst *t)
{
	memcpy(p, t->k->sec, sizeof(t->k->sec));
	memcpy(p + t->k->slen, t->nine, 9);
	return p + t->k->slen + 9;
}

char *tc_jp_inst_time(char *p, const struct tc_jb_inst *t)
{
	memcpy(p, t->k->date, sizeof(t->k->date));
	memcpy(p + 21, t->nine, 9);
	p[30] = 'Z';
	p[31] = '"';
	return p + 32;
}

void tc_jb_ts(struct tc_jbuf *b, int64_t ns)
{
	tc_jb_commit(b, tc_jp_ts(tc_jb_room(b, TC_JP_TS_MAX), b->clock, ns));
}

void tc_jb_time(struct tc_jbuf *b, int64_t ns)
{
	tc_jb_commit(b, tc_jp_time(tc_jb_room(b, TC_JP_TIME_MAX), b->clock, ns));
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

/* One byte of a JSON string at o, escaped if it must be; the new end. */
static inline char *quote_byte(char *o, unsigned char ch)
{
	static const char hex[] = "0123456789abcdef";

	if (plain[ch]) {
		*o++ = (char)ch;
	} else if (ch == '"' || ch == '\\') {
		o[0] = '\\';
		o[1] = (char)ch;
		o += 2;
	} else {
		memcpy(o, "\\u00", 4);
		o[4] = hex[ch >> 4];
		o[5] = hex[ch & 0xf];
		o += 6;
	}
	return o;
}

/*
 * Whether none of eight bytes needs escaping: none below 0x20, none above
 * 0x7e, no '"', no '\\'. The usual word-at-a-time tests (a borrow or carry
 * into a byte's high bit); a carry across bytes only starts at a byte that
 * is itself flagged, so the answer for the word is exact.
 */
static inline int plain8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
	uint64_t bad = ((x - ones * 0x20) & ~x) | ((x + ones) | x) | ((q - ones) & ~q) |
		       ((bs - ones) & ~bs);
	return !(bad & high);
}

#ifdef __SSE2__
#include <emmintrin.h>
/* The same test on sixteen bytes: plain is above 0x1f and below 0x7f as a
 * signed byte (so 0x80..0xff, negative, is not), and neither '"' nor '\\'. */
static inline int plain16(const char *s)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i ok = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x1f)),
				   _mm_cmplt_epi8(x, _mm_set1_epi8(0x7f)));
	__m128i bad = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
				   _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
	return _mm_movemask_epi8(_mm_andnot_si128(bad, ok)) == 0xffff;
}
#endif

void tc_jb_quote(struct tc_jbuf *b, const char *s)
{
	size_t n = strlen(s);

	tc_jb_ch(b, '"');
	while (n) {
		/* Up to 64 bytes of input at a time, room for each escaped. */
		size_t k = n < 64 ? n : 64;
		const char *e = s + k;
		char *p = tc_jb_room(b, 6 * k), *o = p;

		while (s < e) {
			uint64_t x;
#ifdef __SSE2__
			if (e - s >= 16 && plain16(s)) {
				memcpy(o, s, 16);
				o += 16;
				s += 16;
				continue;
			}
#endif
			if (e - s >= 8) {
				memcpy(&x, s, 8);
				if (plain8(x)) {
					memcpy(o, s, 8);
					o += 8;
					s += 8;
					continue;
				}
			}
			o = quote_byte(o, (unsigned char)*s++);
		}
		b->len += (size_t)(o - p);
		n -= k;
	}
	tc_jb_ch(b, '"');
}

char *tc_jp_quote(char *p, const char *s, size_t max)
{
	const char *end = s + max;

	*p++ = '"';
	for (; s < end && *s; s++)
		p = quote_byte(p, (unsigned char)*s);
	*p++ = '"';
	return p;
}

/*
 * "%.*f" of v >= 0 below 2^31 units of its last digit, without printf:
 * the digits of v * 10^prec rounded to an integer. That product is v's
 * exact value scaled within 2^-22 (one rounding, below 2^31), so its
 * fraction decides the rounding as printf's exact arithmetic would
 * unless it lies within 1e-6 of a half: then, and for anything else
 * (negative, -0.0, NaN, too large), 0 and printf does it.
 */
static size_t fixed_fast(char *p, double v, int prec)
{
	static const uint32_t pow10[] = {1, 10, 100, 1000, 10000,
					 100000, 1000000, 10000000, 100000000, 1000000000};
	double x, f;
	uint32_t n, ip, fp;
	size_t len;

	if (!(v >= 0.0) || (v == 0.0 && __builtin_signbit(v)))
		return 0;
	x = v * (double)pow10[prec]; /* exact: every power here fits a double */
	if (!(x < 2147483648.0))
		return 0;
	f = (double)(uint32_t)x; /* floor: x >= 0 */
	if (x - f > 0.5 - 1e-6 && x - f < 0.5 + 1e-6)
		return 0;
	n = (uint32_t)f + (x - f > 0.5);
	ip = n / pow10[prec];
	fp = n % pow10[prec];
	len = put_u64(p, ip);
	if (prec) {
		/* fp < 10^prec: its digits, zero-padded to prec. */
		p[len] = '.';
		memset(p + len + 1, '0', (size_t)prec);
		len += (size_t)prec + 1;
		put_u32(p + len, fp);
	}
	return len;
}

void tc_jb_fixed(struct tc_jbuf *b, double v, int prec)
{
	char *p;
	int n;
	size_t fast;

	if (prec < 0)
		prec = 0;
	else if (prec > 9)
		prec = 9;
	p = tc_jb_room(b, FIXED_MAX);
	if ((fast = fixed_fast(p, v, prec))) {
		b->len += fast;
		return;
	}
	n = snprintf(p, FIXED_MAX, "%.*f", prec, v);
	if (n > 0)
		b->len += (size_t)n < FIXED_MAX ? (size_t)n : FIXED_MAX - 1;
}
