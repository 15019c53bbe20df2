/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * freeze.c -- lossless compact form of a connection record (see freeze.h).
 *
 * Layout: a flags byte (FZ_EXT: an extension record follows), the
 * record's first_ts (8 bytes, the reference of the time lanes), then one
 * part for struct tc_conn and, with FZ_EXT, one for struct tc_conn_ext.
 * A part is:
 *   - a bitmap of the lanes (32-bit words, in memory order) that are not
 *     zero, one bit per lane;
 *   - for each of those, a 6-bit code, packed LSB first: the reference
 *     (mode, 3 bits) and how many low bytes of the difference are written
 *     (0-4, 3 bits: the bytes above are zero);
 *   - those bytes, lowest first.
 * A lane is rebuilt as its difference plus its reference: mode 0 raw,
 * 1, 2, 3 the lane 1, 2, 3 before, 4 the same half of first_ts, 5, 6, 7
 * the lane one endpoint before (sizeof(struct tc_endpoint) earlier: the
 * same field of the other side), that one minus one lane, plus one lane
 * (a side's ACK is the other's next sequence number); differences are
 * signed and zigzag-encoded, so a value a little below its reference also
 * costs one byte.
 * The extension pointer is encoded as zero and set again on thaw.
 */
#include "freeze.h"

#include <stddef.h>
#include <string.h>

enum { FZ_EXT = 0x01 };

#define CONN_LANES (sizeof(struct tc_conn) / 4)
#define EXT_LANES (sizeof(struct tc_conn_ext) / 4)
#define EP_LANES (sizeof(struct tc_endpoint) / 4)
#define CODE_BITS 6
#define NMODES 8

/* Lanes must tile the structs, and first_ts's halves must be lanes that
 * line up with the other 64-bit times (even lane: low half). */
_Static_assert(sizeof(struct tc_conn) % 8 == 0, "tc_conn is not a whole number of lanes");
_Static_assert(sizeof(struct tc_conn_ext) % 8 == 0, "tc_conn_ext is not a whole number of lanes");
_Static_assert(offsetof(struct tc_conn, first_ts) % 8 == 0, "first_ts not 8-aligned");
_Static_assert(sizeof(struct tc_endpoint) % 4 == 0, "tc_endpoint is not a whole number of lanes");

/* The reference of lane i under mode m (1..7); 0 if there is none. */
static int ref_of(const uint32_t *lane, size_t i, unsigned m, const uint32_t ts[2], uint32_t *r)
{
	static const int back[NMODES] = {0, 1, 2, 3, 0, (int)EP_LANES, (int)EP_LANES + 1,
					 (int)EP_LANES - 1};
	if (m == 4) {
		*r = ts[i & 1];
		return 1;
	}
	if (m == 0 || (size_t)back[m] > i)
		return 0;
	*r = lane[i - (size_t)back[m]];
	return 1;
}

static uint32_t zigzag(uint32_t d)
{
	return (d << 1) ^ (uint32_t) - (int32_t)(d >> 31);
}

static uint32_t unzigzag(uint32_t z)
{
	return (z >> 1) ^ (uint32_t) - (int32_t)(z & 1);
}

/* How many low bytes hold v (0 for 0): what writing it costs. */
static unsigned nzbytes(uint32_t v)
{
	return (unsigned)(39 - __builtin_clz(v | 1)) / 8u - (v == 0);
}

/* Encode n lanes; returns the bytes written. */
static size_t put_part(const uint32_t *lane, size_t n, const uint32_t ts[2], uint8_t *out)
{
	size_t nb = (n + 7) / 8, i, k = 0, o, bit = 0;
	uint32_t diff[CONN_LANES > EXT_LANES ? CONN_LANES : EXT_LANES];
	uint8_t code[CONN_LANES > EXT_LANES ? CONN_LANES : EXT_LANES];
	uint8_t *codes;

	memset(out, 0, nb);
	for (i = 0; i < n; i++) {
		uint32_t v = lane[i], best = v;
		unsigned bm = 0, bc;
		if (!v)
			continue;
		out[i / 8] |= (uint8_t)(1u << (i % 8));
		bc = nzbytes(v);
		/* Every reference tried, unrolled: this runs for each lane of
		 * each connection that closes. */
#define TRY(m, r)                                                                         \
	do {                                                                              \
		uint32_t d_ = zigzag(v - (r));                                            \
		unsigned c_ = nzbytes(d_);                                                \
		int b_ = c_ < bc; /* selects, not branches: the outcome is a coin toss */ \
		bc = b_ ? c_ : bc;                                                        \
		bm = b_ ? (m) : bm;                                                       \
		best = b_ ? d_ : best;                                                    \
	} while (0)
		TRY(4, ts[i & 1]);
		if (bc <= 1) {
			/* A byte at most: not worth the search. */
		} else if (i >= 3) {
			TRY(1, lane[i - 1]);
			TRY(2, lane[i - 2]);
			TRY(3, lane[i - 3]);
		} else if (i >= 1) {
			TRY(1, lane[i - 1]);
			if (i >= 2)
				TRY(2, lane[i - 2]);
		}
		if (bc > 1 && i >= EP_LANES + 1) {
			TRY(5, lane[i - EP_LANES]);
			TRY(6, lane[i - EP_LANES - 1]);
			TRY(7, lane[i - EP_LANES + 1]);
		}
#undef TRY
		diff[k] = best;
		code[k] = (uint8_t)(bm | bc << 3);
		k++;
	}
	/* Codes: CODE_BITS each, packed LSB first. */
	codes = out + nb;
	memset(codes, 0, (k * CODE_BITS + 7) / 8);
	for (i = 0; i < k; i++, bit += CODE_BITS) {
		unsigned v = (unsigned)code[i] << (bit % 8);
		codes[bit / 8] |= (uint8_t)v;
		if (bit % 8 > 8 - CODE_BITS)
			codes[bit / 8 + 1] |= (uint8_t)(v >> 8);
	}
	o = nb + (k * CODE_BITS + 7) / 8;
	for (i = 0; i < k; i++) {
		/* All four stored, the cost kept: out has room (TC_FREEZE_MAX). */
		uint32_t d = diff[i];
		out[o] = (uint8_t)d;
		out[o + 1] = (uint8_t)(d >> 8);
		out[o + 2] = (uint8_t)(d >> 16);
		out[o + 3] = (uint8_t)(d >> 24);
		o += (unsigned)code[i] >> 3;
	}
	return o;
}

/* Decode n lanes from buf[0..len); returns the bytes read, 0 if malformed. */
static size_t get_part(const uint8_t *buf, size_t len, uint32_t *lane, size_t n,
		       const uint32_t ts[2])
{
	size_t nb = (n + 7) / 8, i, k = 0, o, bit = 0;

	if (len < nb)
		return 0;
	for (i = 0; i < n; i++)
		k += (buf[i / 8] >> (i % 8)) & 1u;
	if (n % 8 && (buf[nb - 1] >> (n % 8)))
		return 0; /* bits past the last lane */
	o = nb + (k * CODE_BITS + 7) / 8;
	if (len < o)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned c, j, mode;
		uint32_t d = 0;
		if (!((buf[i / 8] >> (i % 8)) & 1u)) {
			lane[i] = 0;
			continue;
		}
		c = buf[nb + bit / 8] >> (bit % 8);
		if (bit % 8 > 8 - CODE_BITS)
			c |= (unsigned)buf[nb + bit / 8 + 1] << (8 - bit % 8);
		c &= (1u << CODE_BITS) - 1;
		bit += CODE_BITS;
		if ((c >> 3) > 4 || len - o < (c >> 3))
			return 0;
		for (j = 0; j < (c >> 3); j++)
			d |= (uint32_t)buf[o++] << (8 * j);
		mode = c & 7;
		if (mode == 0) {
			lane[i] = d;
		} else {
			uint32_t r;
			if (!ref_of(lane, i, mode, ts, &r))
				return 0;
			lane[i] = unzigzag(d) + r;
		}
	}
	return o;
}

size_t tc_freeze(const struct tc_conn *c, uint8_t *out)
{
	uint32_t lane[CONN_LANES], ts[2];
	size_t o = 0;

	memcpy(lane, c, sizeof(*c));
	memset((uint8_t *)lane + offsetof(struct tc_conn, x), 0, sizeof(c->x));
	memcpy(ts, &c->first_ts, sizeof(ts));
	out[o++] = c->x ? FZ_EXT : 0;
	memcpy(out + o, ts, sizeof(ts));
	o += sizeof(ts);
	o += put_part(lane, CONN_LANES, ts, out + o);
	if (c->x) {
		uint32_t xl[EXT_LANES];
		memcpy(xl, c->x, sizeof(*c->x));
		o += put_part(xl, EXT_LANES, ts, out + o);
	}
	return o;
}

int tc_thaw_view(const uint8_t *buf, size_t len, struct tc_conn *c, struct tc_conn_ext *xbuf)
{
	uint32_t lane[CONN_LANES], ts[2];
	size_t o = 1 + sizeof(ts), r;

	if (len < o || (buf[0] & ~FZ_EXT))
		return -1;
	memcpy(ts, buf + 1, sizeof(ts));
	if (!(r = get_part(buf + o, len - o, lane, CONN_LANES, ts)))
		return -1;
	o += r;
	if (buf[0] & FZ_EXT) {
		uint32_t xl[EXT_LANES];
		if (!(r = get_part(buf + o, len - o, xl, EXT_LANES, ts)))
			return -1;
		o += r;
		memcpy(xbuf, xl, sizeof(*xbuf));
	}
	if (o != len)
		return -1;
	memcpy(c, lane, sizeof(*c));
	c->x = (buf[0] & FZ_EXT) ? xbuf : NULL;
	return 0;
}

int tc_thaw(const uint8_t *buf, size_t len, struct tc_conn *c)
{
	struct tc_conn_ext xb;
	struct tc_conn_ext *x;

	if (tc_thaw_view(buf, len, c, &xb) != 0)
		return -1;
	if (!c->x)
		return 0;
	c->x = NULL;
	if (!(x = tc_conn_ext_mut(c)))
		return -1;
	*x = xb;
	return 0;
}
