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
 *   - for each of those, a 7-bit code, packed LSB first: the reference
 *     (mode, 3 bits) and which of the 4 bytes of the difference are not
 *     zero (4 bits);
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
#define CODE_BITS 7
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
	return (d << 1) ^ (uint32_t)-(int32_t)(d >> 31);
}

static uint32_t unzigzag(uint32_t z)
{
	return (z >> 1) ^ (uint32_t)-(int32_t)(z & 1);
}

static unsigned mask_of(uint32_t v)
{
	return (unsigned)((v & 0xffu) != 0) | (unsigned)((v & 0xff00u) != 0) << 1 |
	       (unsigned)((v & 0xff0000u) != 0) << 2 | (unsigned)((v & 0xff000000u) != 0) << 3;
}

static unsigned popcount4(unsigned m)
{
	return (m & 1) + (m >> 1 & 1) + (m >> 2 & 1) + (m >> 3 & 1);
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
		uint32_t v = lane[i], best = v, r;
		unsigned bm, bc, m;
		if (!v)
			continue;
		out[i / 8] |= (uint8_t)(1u << (i % 8));
		bm = 0;
		bc = popcount4(mask_of(v));
		for (m = 1; m < NMODES && bc; m++) {
			uint32_t d;
			unsigned c;
			if (!ref_of(lane, i, m, ts, &r))
				continue;
			d = zigzag(v - r);
			c = popcount4(mask_of(d));
			if (c < bc) {
				bc = c;
				bm = m;
				best = d;
			}
		}
		diff[k] = best;
		code[k] = (uint8_t)(bm | mask_of(best) << 3);
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
		unsigned j, mk = (unsigned)code[i] >> 3;
		for (j = 0; j < 4; j++)
			if (mk & (1u << j))
				out[o++] = (uint8_t)(diff[i] >> (8 * j));
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
		for (j = 0; j < 4; j++) {
			if (!(c & (8u << j)))
				continue;
			if (o >= len)
				return 0;
			d |= (uint32_t)buf[o++] << (8 * j);
		}
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
