/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_freeze.c -- unit tests for the frozen record codec (src/core/freeze.c).
 *
 * What freeze.h promises: tc_thaw(tc_freeze(c)) is c byte for byte (padding
 * included), whatever the base time both are given (the close time makes
 * the record shorter) and whatever the prototype (none, another record,
 * c itself: a like one makes it shorter, and the same one must be given
 * back), with or without an extension record and an end record, for
 * records built by the state machine (graceful close, RST with its
 * evidence, IPv6, a full Zeek history) and for randomized ones of every
 * density; the extension and end pointers are rebuilt (NULL stays NULL);
 * an end record's lanes on a record frozen without one are refused; no
 * encoding exceeds TC_FREEZE_MAX; every
 * lane survives extreme values (all ones, sign bits, the edges of each
 * byte length) next to references that make the differences wrap; a
 * truncated, extended or corrupted flags byte is refused, never read past,
 * and so are codes for lanes that are never written or past the last lane;
 * any corruption of the bytes is refused or decodes to some record, never
 * read past (each copy is exactly its length, for ASan); and a plain closed
 * connection takes well under half its record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "convo.h"
#include "freeze.h"
#include "rng.h"

/* The record's bytes with the extension and end pointers blanked: what must survive. */
static void image(const struct tc_conn *c, uint8_t *out)
{
	memcpy(out, c, sizeof(*c));
	memset(out + offsetof(struct tc_conn, x), 0, sizeof(c->x));
	memset(out + offsetof(struct tc_conn, end), 0, sizeof(c->end));
}

/* tc_thaw_view() into *t, the record copied to *c (its pointers still
 * into *t); 0, or -1 if refused. */
static int thaw_view(const uint8_t *buf, size_t n, int64_t base, const struct tc_freeze_proto *p,
		     struct tc_conn *c, struct tc_thawed *t)
{
	const struct tc_conn *v = tc_thaw_view(buf, n, base, p, t);
	if (!v)
		return -1;
	assert_ptr_equal(v, &t->rec.c);
	*c = *v;
	return 0;
}

/* A part the record owns (extension or end record, n bytes), as thawed:
 * none if the original had none, else the same bytes, at `at` for a view
 * (NULL: a record of its own, not the original's). */
static void owned_same(const void *orig, const void *got, const void *at, size_t n)
{
	if (!orig) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	if (at)
		assert_ptr_equal(got, at);
	else
		assert_true(got != orig);
	assert_memory_equal(orig, got, n);
}

/* Freeze c from base against proto, thaw it both ways, and check both
 * against c; returns the size. */
static size_t roundtrip_at(const struct tc_conn *c, int64_t base,
			   const struct tc_freeze_proto *proto)
{
	uint8_t buf[TC_FREEZE_MAX], a[sizeof(struct tc_conn)], b[sizeof(struct tc_conn)];
	struct tc_conn v, h;
	struct tc_thawed xb;
	uint64_t id;
	size_t n = tc_freeze(c, base, proto, buf);

	assert_true(n > 0 && n <= TC_FREEZE_MAX);
	/* The id alone, as the whole record has it. */
	assert_int_equal(tc_frozen_id(buf, n, proto, &id), 0);
	assert_true(id == c->id);
	memset(&v, 0xa5, sizeof(v));
	assert_int_equal(thaw_view(buf, n, base, proto, &v, &xb), 0);
	image(c, a);
	image(&v, b);
	assert_memory_equal(a, b, sizeof(a));
	owned_same(c->x, v.x, &xb.x, sizeof(xb.x));
	owned_same(c->end, v.end, &xb.rec.end, sizeof(xb.rec.end));
	memset(&h, 0x5a, sizeof(h));
	assert_int_equal(tc_thaw(buf, n, base, proto, &h), 0);
	image(&h, b);
	assert_memory_equal(a, b, sizeof(a));
	owned_same(c->x, h.x, NULL, sizeof(*h.x));
	owned_same(c->end, h.end, NULL, sizeof(*h.end));
	tc_conn_release(&h);
	return n;
}

/* A prototype unlike any record here: random bytes, random lane codes
 * (any codes are a prototype's: they are only XORed), no extension. */
static const struct tc_freeze_proto *odd_proto(void)
{
	static struct tc_freeze_proto p;
	static int made;
	if (!made) {
		uint8_t *b = (uint8_t *)&p;
		size_t i;
		for (i = 0; i < sizeof(p); i++)
			b[i] = (uint8_t)rnd();
		p.rec.c.x = NULL;
		p.rec.c.end = NULL;
		made = 1;
	}
	return &p;
}

/* The same from the engine's base, the close time (last_ts), without a
 * prototype (the size returned); then from one of the bases that make the
 * spans wrap or sit at the ends of 64 bits, and against c itself or an
 * unlike prototype, a different pair each call. */
static size_t roundtrip(const struct tc_conn *c)
{
	static unsigned turn;
	size_t n = roundtrip_at(c, c->last_ts, NULL);
	struct tc_freeze_proto self;
	const struct tc_freeze_proto *pr = turn % 2 ? &self : odd_proto();

	tc_freeze_proto_set(&self, c, c->last_ts);
	switch (turn++ % 5) {
	case 0: roundtrip_at(c, c->first_ts, pr); break;
	case 1: roundtrip_at(c, 0, pr); break;
	case 2: roundtrip_at(c, INT64_MIN, pr); break;
	case 3: roundtrip_at(c, INT64_MAX, pr); break;
	default: roundtrip_at(c, (int64_t)0x0123456789abcdefLL, pr); break;
	}
	return n;
}

static void close_graceful(struct conv *v)
{
	handshake_and_data(v);
	seg(v, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 11, 0);
	seg(v, S, TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	seg(v, S, TC_FIN | TC_ACK, ISN_S + 11, ISN_C + 12, 0);
	seg(v, C, TC_ACK, ISN_C + 12, ISN_S + 12, 0);
}

/* A graceful close: no extension, and well under half the record. */
static void test_graceful_small(void **state)
{
	struct conv v;
	size_t n;
	(void)state;

	conv_init(&v);
	close_graceful(&v);
	assert_true(v.c.cflags & TC_CONN_DONE);
	assert_null(v.c.x);
	n = roundtrip(&v.c);
	assert_true(n < sizeof(struct tc_conn) / 2);
	conv_done(&v);
}

/* The close time as the base: last_ts takes no byte and first_ts and the
 * endpoints' times only how long before the close they were, so the
 * record is shorter than from a base 10 s off; thawed from another base
 * than its own, those times move with it (those that are 0, never, stay
 * 0) and nothing else does. */
static void test_close_time_base_shorter(void **state)
{
	struct conv v;
	uint8_t buf[TC_FREEZE_MAX], a[sizeof(struct tc_conn)], b[sizeof(struct tc_conn)];
	struct tc_conn c;
	struct tc_thawed xb;
	size_t near, far;
	int i, j;
	(void)state;

	conv_init(&v);
	close_graceful(&v);
	assert_true(v.c.last_ts > v.c.first_ts);
	near = roundtrip_at(&v.c, v.c.last_ts, NULL);
	far = roundtrip_at(&v.c, v.c.last_ts + 10000000000LL, NULL);
	assert_true(near + 8 <= far);
	near = tc_freeze(&v.c, v.c.last_ts, NULL, buf);
	assert_int_equal(thaw_view(buf, near, v.c.last_ts + 7, NULL, &c, &xb), 0);
	assert_true(c.first_ts == v.c.first_ts + 7);
	assert_true(c.last_ts == v.c.last_ts + 7);
	c.first_ts = v.c.first_ts;
	c.last_ts = v.c.last_ts;
	assert_true(tc_conn_end(&v.c)->ep[TC_CLIENT].ts_fin && tc_conn_end(&v.c)->ep[TC_SERVER].ts_fin);
	assert_true(tc_conn_end(&v.c)->ep[TC_CLIENT].ts_time_wait &&
		    !tc_conn_end(&v.c)->ep[TC_SERVER].ts_time_wait);
	for (i = 0; i < 2; i++) {
		int64_t *t[3] = {&xb.rec.end.ep[i].ts_fin, &xb.rec.end.ep[i].ts_time_wait,
				 &c.ep[i].ts_data_last};
		const int64_t u[3] = {tc_conn_end(&v.c)->ep[i].ts_fin, tc_conn_end(&v.c)->ep[i].ts_time_wait,
				      v.c.ep[i].ts_data_last};
		for (j = 0; j < 3; j++) {
			assert_true(*t[j] == (u[j] ? u[j] + 7 : 0));
			*t[j] = u[j];
		}
	}
	image(&v.c, a);
	image(&c, b);
	assert_memory_equal(a, b, sizeof(a));
	assert_ptr_equal(c.end, &xb.rec.end);
	assert_memory_equal(v.c.end, &xb.rec.end, sizeof(xb.rec.end));
	conv_done(&v);
}

/* The endpoints' times at the edges of their spans from the base: 0
 * (never), the base itself, one past it (the one whose span would be 0),
 * one before it, and times that wrap; each comes back as it was. */
static void test_endpoint_times_at_the_edges(void **state)
{
	static const int64_t bases[] = {0, 1, -1, 1700000000000000000LL, INT64_MAX, INT64_MIN};
	struct conv v;
	size_t b;
	(void)state;

	conv_init(&v);
	close_graceful(&v);
	for (b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		int64_t base = bases[b];
		v.c.end->ep[0].ts_fin = (int64_t)((uint64_t)base + 1);
		v.c.end->ep[0].ts_time_wait = base;
		v.c.ep[0].ts_data_last = (int64_t)((uint64_t)base - 1);
		v.c.end->ep[1].ts_fin = 0;
		v.c.end->ep[1].ts_time_wait = (int64_t)((uint64_t)base + 2);
		v.c.ep[1].ts_data_last = (int64_t)((uint64_t)base ^ 0x8000000000000000ULL);
		roundtrip_at(&v.c, base, NULL);
		roundtrip_at(&v.c, base, odd_proto());
	}
	conv_done(&v);
}

/* An RST after data: the evidence lives in the extension record. */
static void test_reset_with_extension(void **state)
{
	struct conv v;
	(void)state;

	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	assert_non_null(v.c.x);
	roundtrip(&v.c);
	conv_done(&v);
}

/* IPv6 addresses (all 16 bytes), a full history, and the tunnel key. */
static void test_ipv6_history_full(void **state)
{
	struct conv v;
	int i, r;
	(void)state;

	conv_init(&v);
	close_graceful(&v);
	v.c.af = 6;
	for (r = 0; r < 2; r++)
		for (i = 0; i < 16; i++)
			v.c.ep[r].addr[i] = (uint8_t)(0x20 + 17 * i + r);
	/* The longest history: the record's letters and the extension's. */
	assert_non_null(tc_conn_ext_mut(&v.c));
	for (i = 0; i < TC_HISTORY_MAX; i++) {
		char l = "ShADadFfRr"[i % 10];
		if (i < TC_HISTORY_INLINE)
			v.c.history[i] = l;
		else
			v.c.x->hist_more[i - TC_HISTORY_INLINE] = l;
	}
	v.c.history[TC_HISTORY_INLINE] = '\0';
	v.c.hist_len = TC_HISTORY_MAX;
	v.c.hist_seen = 0xffffffffu;
	v.c.tunnel = 0xdeadbeefu;
	roundtrip(&v.c);
	/* The same with an extension that is dense. */
	{
		struct tc_conn_ext *x = tc_conn_ext_mut(&v.c);
		assert_non_null(x);
		memset(x, 0xff, sizeof(*x));
		roundtrip(&v.c);
	}
	conv_done(&v);
}

/* Random records, from nearly all zero to every byte set, around a time. */
static void test_random_records(void **state)
{
	struct tc_conn c;
	struct tc_conn_ext x;
	struct tc_conn_end en;
	int iter;
	(void)state;

	for (iter = 0; iter < 20000; iter++) {
		unsigned density = (unsigned)(rnd() % 257), i;
		uint8_t *p = (uint8_t *)&c, *e = (uint8_t *)&en;
		int64_t t0 = (int64_t)(rnd() >> 2);

		for (i = 0; i < sizeof(c); i++)
			p[i] = (rnd() & 0xff) < density ? (uint8_t)rnd() : 0;
		for (i = 0; i < sizeof(en); i++)
			e[i] = (rnd() & 0xff) < density ? (uint8_t)rnd() : 0;
		c.end = iter % 4 ? &en : NULL;
		/* Times near first_ts, lanes that repeat: the cases the
		 * references are for, including small negative differences. */
		c.first_ts = t0;
		c.last_ts = t0 + (int64_t)(rnd() % 100000000000ULL);
		en.ep[0].ts_fin = iter & 1 ? t0 - 5 : 0;
		c.ep[1].isn = (uint32_t)rnd();
		c.ep[1].snd_nxt = c.ep[1].isn + (uint32_t)(rnd() % 300);
		c.ep[1].ack = c.ep[1].snd_nxt - 1;
		c.x = NULL;
		if (iter % 3 == 0) {
			uint8_t *q = (uint8_t *)&x;
			for (i = 0; i < sizeof(x); i++)
				q[i] = (rnd() & 0xff) < density ? (uint8_t)rnd() : 0;
			c.x = &x;
		}
		roundtrip(&c);
	}
}

/* Every truncation, a trailing byte and unknown flags are refused. */
static void test_malformed_refused(void **state)
{
	struct conv v;
	uint8_t buf[TC_FREEZE_MAX + 1];
	struct tc_conn c;
	struct tc_thawed xb;
	uint64_t id;
	size_t n, i;
	(void)state;

	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	n = tc_freeze(&v.c, v.c.last_ts, odd_proto(), buf);
	for (i = 0; i < n; i++) {
		/* A copy of exactly i bytes, so ASan sees any read past it. */
		uint8_t *cut = malloc(i ? i : 1);
		assert_non_null(cut);
		memcpy(cut, buf, i);
		assert_int_equal(thaw_view(cut, i, v.c.last_ts, odd_proto(), &c, &xb), -1);
		(void)tc_frozen_id(cut, i, odd_proto(), &id); /* never past the cut (ASan) */
		free(cut);
	}
	buf[n] = 0;
	assert_int_equal(thaw_view(buf, n + 1, v.c.last_ts, odd_proto(), &c, &xb), -1);
	buf[0] |= 0x80;
	assert_int_equal(thaw_view(buf, n, v.c.last_ts, odd_proto(), &c, &xb), -1);
	conv_done(&v);
}

/*
 * The record's lane codes (freeze.c): after the flags byte, a 32-bit word
 * (LSB first) flagging which code bytes follow, then those bytes, each the
 * XOR of the code byte with the prototype's (NULL: with zero). The code
 * bytes are a plane of the low code bits and one of the high bits, one bit
 * per lane. After them the byte lanes' 4-bit masks (8 bytes), for these
 * lanes in this order (freeze.c's BYTE_LANES), which have no code.
 */
#define CONN_LANES (sizeof(struct tc_freeze_rec) / 4)
#define PLANE_BYTES ((CONN_LANES + 7) / 8)
#define NCODES (2 * PLANE_BYTES)
#define PLANE_AT(p, l) ((p) * PLANE_BYTES + (l) / 8)
#define PLANE_BIT(l) ((uint8_t)(1u << ((l) % 8)))
#define LANE(f) (offsetof(struct tc_freeze_rec, c.f) / 4)
#define ELANE(f) (offsetof(struct tc_freeze_rec, end.f) / 4)
static const size_t byte_lanes[] = {
	LANE(af), LANE(reset_phase), LANE(ep[0].addr), LANE(ep[0].port),
	LANE(ep[0].mss), LANE(ep[0].state), LANE(ep[0].retx_unanswered),
	LANE(ep[0].state_prev), LANE(ep[1].addr), LANE(ep[1].port), ELANE(ep[1].fins),
	LANE(ep[1].state), LANE(ep[1].retx_unanswered), LANE(frame_first), LANE(history)};
#define NBYTE_LANES (sizeof(byte_lanes) / sizeof(byte_lanes[0]))

static uint32_t get32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The code bytes of a record frozen without a prototype; returns where
 * the byte lanes' masks start. */
static size_t codes_get(const uint8_t *buf, uint8_t codes[NCODES])
{
	uint32_t fl = get32le(buf + 1);
	size_t o = 5, i;
	for (i = 0; i < NCODES; i++)
		codes[i] = fl >> i & 1 ? buf[o++] : 0;
	return o;
}

/* buf (n bytes, frozen without a prototype) with its code bytes replaced
 * by codes, into out; returns its length. */
static size_t codes_put(const uint8_t *buf, size_t n, const uint8_t codes[NCODES], uint8_t *out)
{
	uint8_t old[NCODES];
	size_t rest = codes_get(buf, old), o = 5, i;
	uint32_t fl = 0;

	out[0] = buf[0];
	for (i = 0; i < NCODES; i++)
		if (codes[i]) {
			fl |= 1u << i;
			out[o++] = codes[i];
		}
	for (i = 0; i < 4; i++)
		out[1 + i] = (uint8_t)(fl >> (8 * i));
	memcpy(out + o, buf + rest, n - rest);
	return o + n - rest;
}

static int is_byte_lane(size_t l)
{
	size_t i;
	for (i = 0; i < NBYTE_LANES; i++)
		if (byte_lanes[i] == l)
			return 1;
	return 0;
}

/* A frozen record whose code for lane l is moved to a lane that must not
 * have one, the length unchanged (the code of a 1-byte lane, so that the
 * bytes still add up): refused. Lanes that are never written (the
 * extension pointer's), and bits past the last lane. */
static void test_plane_bits_refused(void **state)
{
	struct conv v;
	uint8_t buf[TC_FREEZE_MAX], bad[TC_FREEZE_MAX + 8], codes[NCODES], mod[NCODES];
	struct tc_conn c;
	struct tc_thawed xb;
	size_t n, m, i, one = CONN_LANES, nib;
	size_t never[] = {offsetof(struct tc_conn, x) / 4,
			  offsetof(struct tc_conn, x) / 4 + sizeof(void *) / 4 - 1,
			  offsetof(struct tc_conn, end) / 4,
			  offsetof(struct tc_conn, end) / 4 + sizeof(void *) / 4 - 1, CONN_LANES};
	int64_t base = 0;
	(void)state;

	conv_init(&v);
	handshake_and_data(&v);
	seg(&v, S, TC_RST | TC_ACK, ISN_S + 11, ISN_C + 11, 0);
	assert_non_null(v.c.x);
	base = v.c.last_ts;
	n = tc_freeze(&v.c, base, NULL, buf);
	assert_int_equal(thaw_view(buf, n, base, NULL, &c, &xb), 0);
	nib = codes_get(buf, codes);
	/* Written back unchanged, the bytes are the same. */
	assert_int_equal(codes_put(buf, n, codes, bad), n);
	assert_memory_equal(bad, buf, n);
	/* A lane of 1 byte: low bit set, high bit clear. */
	for (i = 0; i < CONN_LANES && one == CONN_LANES; i++)
		if ((codes[PLANE_AT(0, i)] & PLANE_BIT(i)) && !(codes[PLANE_AT(1, i)] & PLANE_BIT(i)))
			one = i;
	assert_true(one < CONN_LANES);
	/* The same move onto an ordinary zero lane decodes (the check is
	 * about the lanes, not the length). */
	for (i = 0; i < CONN_LANES; i++)
		if (!(codes[PLANE_AT(0, i)] & PLANE_BIT(i)) && !(codes[PLANE_AT(1, i)] & PLANE_BIT(i)) &&
		    i != never[0] && i != never[1] && i != never[2] && i != never[3] && !is_byte_lane(i))
			break;
	assert_true(i < CONN_LANES);
	memcpy(mod, codes, NCODES);
	mod[PLANE_AT(0, one)] &= (uint8_t)~PLANE_BIT(one);
	mod[PLANE_AT(0, i)] |= PLANE_BIT(i);
	m = codes_put(buf, n, mod, bad);
	assert_int_equal(thaw_view(bad, m, base, NULL, &c, &xb), 0);
	for (i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		if (never[i] == CONN_LANES && CONN_LANES % 8 == 0)
			continue; /* no bits past the last lane */
		memcpy(mod, codes, NCODES);
		mod[PLANE_AT(0, one)] &= (uint8_t)~PLANE_BIT(one);
		mod[PLANE_AT(0, never[i])] |= PLANE_BIT(never[i]);
		m = codes_put(buf, n, mod, bad);
		assert_int_equal(thaw_view(bad, m, base, NULL, &c, &xb), -1);
	}
	/* A byte lane has no code in the planes. */
	for (i = 0; i < NBYTE_LANES; i++) {
		memcpy(mod, codes, NCODES);
		mod[PLANE_AT(0, one)] &= (uint8_t)~PLANE_BIT(one);
		mod[PLANE_AT(0, byte_lanes[i])] |= PLANE_BIT(byte_lanes[i]);
		m = codes_put(buf, n, mod, bad);
		assert_int_equal(thaw_view(bad, m, base, NULL, &c, &xb), -1);
	}
	/* Nor a mask past the last byte lane. */
	memcpy(bad, buf, n);
	bad[nib + 7] |= 0x80;
	assert_int_equal(thaw_view(bad, n, base, NULL, &c, &xb), -1);
	/* The extension's flag word, last: a plane byte that is not there. */
	memcpy(bad, buf, n);
	bad[n - 1] ^= 0x80;
	assert_int_equal(thaw_view(bad, n, base, NULL, &c, &xb), -1);
	conv_done(&v);
}

/* The code bytes' flag word: a flag past the last code byte, and a flagged
 * byte that is zero (the encoder leaves those out), are refused, by the
 * whole decoder and by the id alone. */
static void test_code_flags_refused(void **state)
{
	struct conv v;
	uint8_t buf[TC_FREEZE_MAX], bad[TC_FREEZE_MAX + 8], codes[NCODES];
	struct tc_conn c;
	struct tc_thawed xb;
	uint64_t id;
	uint32_t fl;
	size_t n, i, o, z;
	(void)state;

	conv_init(&v);
	handshake_and_data(&v);
	n = tc_freeze(&v.c, v.c.last_ts, NULL, buf);
	assert_int_equal(thaw_view(buf, n, v.c.last_ts, NULL, &c, &xb), 0);
	fl = get32le(buf + 1);
	assert_true(fl != 0 && fl >> NCODES == 0);
	/* Each flag past the last code byte, the length unchanged. */
	for (i = NCODES; i < 32; i++) {
		memcpy(bad, buf, n);
		bad[1 + i / 8] |= (uint8_t)(1u << (i % 8));
		assert_int_equal(thaw_view(bad, n, v.c.last_ts, NULL, &c, &xb), -1);
		assert_int_equal(tc_frozen_id(bad, n, NULL, &id), -1);
	}
	/* A zero byte flagged and inserted where it would stand. */
	codes_get(buf, codes);
	for (z = 0; z < NCODES && codes[z]; z++)
		;
	assert_true(z < NCODES);
	for (o = 5, i = 0; i < z; i++)
		o += codes[i] != 0;
	memcpy(bad, buf, o);
	bad[o] = 0;
	memcpy(bad + o + 1, buf + o, n - o);
	bad[1 + z / 8] |= (uint8_t)(1u << (z % 8));
	assert_int_equal(thaw_view(bad, n + 1, v.c.last_ts, NULL, &c, &xb), -1);
	assert_int_equal(tc_frozen_id(bad, n + 1, NULL, &id), -1);
	conv_done(&v);
}

/* A prototype's lane codes: a record frozen against a prototype made of
 * itself writes no code byte, and one against a like record's prototype
 * fewer than against none; each decodes only against the prototype it was
 * frozen against. */
static void test_codes_against_prototype(void **state)
{
	struct conv a, b;
	struct tc_freeze_proto self, like;
	uint8_t buf[TC_FREEZE_MAX], none[TC_FREEZE_MAX];
	struct tc_conn c;
	struct tc_thawed xb;
	size_t n, n0;
	(void)state;

	conv_init(&a);
	close_graceful(&a);
	/* Another connection of the same kind: another port, three seconds
	 * and a thousand frames later, more data from the server. */
	conv_init(&b);
	b.cport = (uint16_t)(b.cport + 7);
	b.now += 3000 * MS_NS;
	b.frame += 1000;
	handshake_and_data(&b);
	seg(&b, S, TC_ACK, ISN_S + 11, ISN_C + 11, 300);
	seg(&b, C, TC_FIN | TC_ACK, ISN_C + 11, ISN_S + 311, 0);
	seg(&b, S, TC_FIN | TC_ACK, ISN_S + 311, ISN_C + 12, 0);
	seg(&b, C, TC_ACK, ISN_C + 12, ISN_S + 312, 0);

	n0 = tc_freeze(&a.c, a.c.last_ts, NULL, none);
	assert_true(get32le(none + 1) != 0);
	tc_freeze_proto_set(&self, &a.c, a.c.last_ts);
	n = tc_freeze(&a.c, a.c.last_ts, &self, buf);
	assert_int_equal(get32le(buf + 1), 0);
	assert_true(n < n0);
	assert_int_equal(thaw_view(buf, n, a.c.last_ts, &self, &c, &xb), 0);
	assert_memory_equal(&c.ep, &a.c.ep, sizeof(c.ep));

	tc_freeze_proto_set(&like, &b.c, b.c.last_ts);
	n = tc_freeze(&a.c, a.c.last_ts, &like, buf);
	assert_true(__builtin_popcount(get32le(buf + 1)) < __builtin_popcount(get32le(none + 1)));
	roundtrip_at(&a.c, a.c.last_ts, &like);
	/* The codes are the prototype's business: against other codes the
	 * same bytes do not give the record back. */
	like.codes[0] ^= 0x01;
	assert_true(thaw_view(buf, n, a.c.last_ts, &like, &c, &xb) != 0 ||
		    memcmp(&c.ep, &a.c.ep, sizeof(c.ep)) != 0 || c.id != a.c.id);
	conv_done(&a);
	conv_done(&b);
}

/* Values at the edges of what each length holds (as a signed difference
 * from a reference: 1 byte holds -0x80..0x7f, 2 bytes -0x8000..0x7fff),
 * and wrapping. */
static const uint32_t extremes[] = {1,          0x7f,       0x80,       0xff,       0x100,
				    0x7fff,     0x8000,     0xffff,     0x10000,    0xffffff,
				    0x1000000,  0x7fffffff, 0x80000000, 0x80000001, 0xffff7fff,
				    0xffff8000, 0xffffff7f, 0xffffff80, 0xfffffffe, 0xffffffff};
#define NEXTREME (sizeof(extremes) / sizeof(extremes[0]))

/* Is lane i of struct tc_conn one of pointer p's (at offset off)? */
static int pointer_lane(size_t i, size_t off)
{
	return i * 4 >= off && i * 4 < off + sizeof(void *);
}

/* Each lane of the record, of its end record and of the extension alone
 * at every extreme value, over a background of extremes too (so the
 * references around it are extreme), and every lane at once. */
static void test_extreme_lanes(void **state)
{
	struct tc_conn c;
	struct tc_conn_end en;
	struct tc_conn_ext x;
	uint32_t *cl = (uint32_t *)(void *)&c, *el = (uint32_t *)(void *)&en,
		 *xl = (uint32_t *)(void *)&x;
	size_t nc = sizeof(c) / 4, ne = sizeof(en) / 4, nx = sizeof(x) / 4, i, e, bg;
	(void)state;

	for (bg = 0; bg < NEXTREME + 1; bg++) {
		for (i = 0; i < nc + ne + nx; i++) {
			if (i < nc && (pointer_lane(i, offsetof(struct tc_conn, x)) ||
				       pointer_lane(i, offsetof(struct tc_conn, end))))
				continue; /* the pointers' lanes: not data */
			for (e = 0; e < NEXTREME; e++) {
				size_t j;
				for (j = 0; j < nc; j++)
					cl[j] = bg < NEXTREME ? extremes[(bg + j) % NEXTREME] : 0;
				for (j = 0; j < ne; j++)
					el[j] = bg < NEXTREME ? extremes[(bg + 5 * j) % NEXTREME] : 0;
				for (j = 0; j < nx; j++)
					xl[j] = bg < NEXTREME ? extremes[(bg + 3 * j) % NEXTREME] : 0;
				if (i < nc)
					cl[i] = extremes[e];
				else if (i < nc + ne)
					el[i - nc] = extremes[e];
				else
					xl[i - nc - ne] = extremes[e];
				c.x = (bg + e) % 2 || i >= nc + ne ? &x : NULL;
				c.end = (bg + e) % 3 || (i >= nc && i < nc + ne) ? &en : NULL;
				roundtrip(&c);
			}
		}
	}
	/* Every lane all ones, with and without the extension and the end record. */
	memset(&c, 0xff, sizeof(c));
	memset(&en, 0xff, sizeof(en));
	memset(&x, 0xff, sizeof(x));
	c.x = NULL;
	c.end = NULL;
	assert_true(roundtrip(&c) <= TC_FREEZE_MAX);
	c.x = &x;
	c.end = &en;
	assert_true(roundtrip(&c) <= TC_FREEZE_MAX);
}

/* A record frozen without an end record whose bytes are changed to give
 * it an end record's lanes, the flags byte not saying it had one:
 * refused. With the flag it decodes, end record and all. */
static void test_end_lanes_without_flag_refused(void **state)
{
	struct conv v;
	uint8_t buf[TC_FREEZE_MAX], bad[TC_FREEZE_MAX + 8], codes[NCODES];
	struct tc_conn c;
	struct tc_thawed xb;
	size_t n, m, i, lane = ELANE(frame_rst), one = CONN_LANES;
	(void)state;

	conv_init(&v);
	handshake_and_data(&v);
	assert_null(v.c.end);
	n = tc_freeze(&v.c, v.c.last_ts, NULL, buf);
	assert_int_equal(buf[0] & 0x02, 0);
	codes_get(buf, codes);
	/* Move a 1-byte lane's code onto the end record's first RST frame. */
	for (i = 0; i < CONN_LANES && one == CONN_LANES; i++)
		if ((codes[PLANE_AT(0, i)] & PLANE_BIT(i)) && !(codes[PLANE_AT(1, i)] & PLANE_BIT(i)))
			one = i;
	assert_true(one < lane);
	codes[PLANE_AT(0, one)] &= (uint8_t)~PLANE_BIT(one);
	codes[PLANE_AT(0, lane)] |= PLANE_BIT(lane);
	m = codes_put(buf, n, codes, bad);
	assert_int_equal(thaw_view(bad, m, v.c.last_ts, NULL, &c, &xb), -1);
	bad[0] |= 0x02;
	assert_int_equal(thaw_view(bad, m, v.c.last_ts, NULL, &c, &xb), 0);
	assert_ptr_equal(c.end, &xb.rec.end);
	assert_true(xb.rec.end.frame_rst != 0);
	conv_done(&v);
}

/* Thaw n bytes from an exact-size copy against proto; if they decode, the
 * record must freeze and thaw back to itself. */
static void thaw_copy(const uint8_t *buf, size_t n, const struct tc_freeze_proto *proto)
{
	uint8_t *cp = malloc(n ? n : 1);
	struct tc_conn c;
	struct tc_thawed xb;
	uint64_t id;
	int id_ok;

	assert_non_null(cp);
	memcpy(cp, buf, n);
	/* The id alone reads no byte past the copy either, and agrees with
	 * the whole record whenever that decodes. */
	id_ok = tc_frozen_id(cp, n, proto, &id) == 0;
	if (thaw_view(cp, n, 12345, proto, &c, &xb) == 0) {
		assert_true(id_ok && id == c.id);
		roundtrip(&c);
	}
	free(cp);
}

/* Random damage to frozen records of every density: flipped bits, random
 * bytes, cuts, bytes added or removed inside. Each must be refused or
 * decode to a record, without a read past the buffer. */
static void test_corrupted_bounded(void **state)
{
	struct tc_conn c;
	struct tc_conn_ext x;
	struct tc_conn_end en;
	uint8_t buf[TC_FREEZE_MAX + 8], bad[TC_FREEZE_MAX + 8];
	int iter;
	(void)state;

	for (iter = 0; iter < 20000; iter++) {
		unsigned density = (unsigned)(rnd() % 257), i;
		uint8_t *p = (uint8_t *)&c, *q = (uint8_t *)&x, *r = (uint8_t *)&en;
		size_t n, m, at;

		for (i = 0; i < sizeof(c); i++)
			p[i] = (rnd() & 0xff) < density ? (uint8_t)rnd() : 0;
		for (i = 0; i < sizeof(x); i++)
			q[i] = (rnd() & 0xff) < density / 4 ? (uint8_t)rnd() : 0;
		for (i = 0; i < sizeof(en); i++)
			r[i] = (rnd() & 0xff) < density ? (uint8_t)rnd() : 0;
		c.x = iter % 2 ? &x : NULL;
		c.end = iter % 7 < 4 ? &en : NULL;
		n = tc_freeze(&c, 12345, iter % 3 ? odd_proto() : NULL, buf);
		memcpy(bad, buf, n);
		m = n;
		switch (iter % 5) {
		case 0: /* a few flipped bits */
			for (i = 0; i < 1 + rnd() % 4; i++)
				bad[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		case 1: /* a random byte, anywhere */
			bad[rnd() % n] = (uint8_t)rnd();
			break;
		case 2: /* cut short */
			m = (size_t)(rnd() % n);
			break;
		case 3: /* a byte inserted */
			at = (size_t)(rnd() % n);
			memmove(bad + at + 1, bad + at, n - at);
			bad[at] = (uint8_t)rnd();
			m = n + 1;
			break;
		default: /* a byte removed */
			at = (size_t)(rnd() % n);
			memmove(bad + at, bad + at + 1, n - at - 1);
			m = n - 1;
			break;
		}
		thaw_copy(bad, m, iter % 3 ? odd_proto() : NULL);
	}
	/* Pure noise of every length. */
	for (iter = 0; iter < 20000; iter++) {
		size_t n = (size_t)(rnd() % (TC_FREEZE_MAX + 1)), i;
		for (i = 0; i < n; i++)
			bad[i] = (uint8_t)rnd();
		bad[0] &= 3; /* past the flags check, into the parts */
		thaw_copy(bad, n, iter % 2 ? odd_proto() : NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_graceful_small),
		cmocka_unit_test(test_close_time_base_shorter),
		cmocka_unit_test(test_endpoint_times_at_the_edges),
		cmocka_unit_test(test_reset_with_extension),
		cmocka_unit_test(test_ipv6_history_full),
		cmocka_unit_test(test_random_records),
		cmocka_unit_test(test_malformed_refused),
		cmocka_unit_test(test_plane_bits_refused),
		cmocka_unit_test(test_code_flags_refused),
		cmocka_unit_test(test_codes_against_prototype),
		cmocka_unit_test(test_extreme_lanes),
		cmocka_unit_test(test_end_lanes_without_flag_refused),
		cmocka_unit_test(test_corrupted_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
