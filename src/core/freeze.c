/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * freeze.c -- lossless compact form of a connection record (see freeze.h).
 *
 * Layout: a flags byte (FZ_EXT: an extension record follows), the
 * record's first_ts (8 bytes, the reference of the time lanes), then one
 * part for struct tc_conn and, with FZ_EXT, one for struct tc_conn_ext.
 * A part is:
 *   - a bitmap of the lanes (32-bit words, in memory order) that are not
 *     zero, one bit per lane, LSB first. In the extension's part, which is
 *     mostly zero lanes, the bitmap is sparse: first one bit per bitmap
 *     byte (LSB first) telling which bitmap bytes are not zero, then only
 *     those bytes;
 *   - for each nonzero lane, a 4-bit code, two to a byte, low nibble first
 *     (a last high nibble left over is zero): the reference (mode, bits
 *     0-1) and how many low bytes of the difference are written (bits 2-3:
 *     0, 1, 2 or 4 bytes; the bytes above are zero);
 *   - those bytes, lowest first, one lane after the other.
 * A lane is rebuilt as its difference plus its reference: mode 0 raw (the
 * bytes are the lane itself; length code 0, which a nonzero raw lane
 * cannot use, means 3 bytes), 1 the same half of first_ts, 2 the lane one
 * endpoint before (sizeof(struct tc_endpoint) earlier: the same field of
 * the other side), 3 that one plus one lane (a side's ACK is the other's
 * next sequence number). Lanes before a part's first count as zero.
 * Differences are signed and zigzag-encoded, so a value a little below its
 * reference also costs one byte.
 * The extension pointer is encoded as zero and set again on thaw.
 *
 * Four references and 4-bit codes, rather than more of either, because
 * this runs for every connection that closes and again when it is
 * reported: the encoder tries every reference of every nonzero lane
 * without a branch, the decoder visits only the nonzero lanes (bitmap
 * words, count trailing zeros) and reads each difference with one load.
 */
#include "freeze.h"

#include <stddef.h>
#include <string.h>

enum { FZ_EXT = 0x01 };

#define CONN_LANES (sizeof(struct tc_conn) / 4)
#define EXT_LANES (sizeof(struct tc_conn_ext) / 4)
#define EP_LANES (sizeof(struct tc_endpoint) / 4)
#define MAX_LANES (CONN_LANES > EXT_LANES ? CONN_LANES : EXT_LANES)
#define BM_WORDS ((MAX_LANES + 63) / 64)
/* Lanes of zeros kept before a part's first, so that every reference is a
 * plain load. */
#define PAD EP_LANES
#define HDR (1 + 8)

/* Lanes must tile the structs, and first_ts's halves must be lanes that
 * line up with the other 64-bit times (even lane: low half). */
_Static_assert(sizeof(struct tc_conn) % 8 == 0, "tc_conn is not a whole number of lanes");
_Static_assert(sizeof(struct tc_conn_ext) % 8 == 0, "tc_conn_ext is not a whole number of lanes");
_Static_assert(offsetof(struct tc_conn, first_ts) % 8 == 0, "first_ts not 8-aligned");
_Static_assert(sizeof(struct tc_endpoint) % 4 == 0, "tc_endpoint is not a whole number of lanes");
/* The references 2 and 3 are lanes already decoded. */
_Static_assert(EP_LANES >= 2, "tc_endpoint is too small for its references");
/* The decoder reads each difference with the 4 bytes that end it: the
 * header always lies before a part's bytes. */
_Static_assert(HDR >= 4, "header too short for the decoder's loads");

/* Bytes written under code c (mode in bits 0-1, length in bits 2-3). */
#define CODE_LEN(c) ((c) < 4 ? ((c) ? 0 : 3) : (c) < 12 ? (c) >> 2 \
							: 4)
static const uint8_t code_len[16] = {CODE_LEN(0), CODE_LEN(1), CODE_LEN(2), CODE_LEN(3),
				     CODE_LEN(4), CODE_LEN(5), CODE_LEN(6), CODE_LEN(7),
				     CODE_LEN(8), CODE_LEN(9), CODE_LEN(10), CODE_LEN(11),
				     CODE_LEN(12), CODE_LEN(13), CODE_LEN(14), CODE_LEN(15)};

/* 32 - 8 x code_len[c]: what drops the bytes of the next lanes. */
#define CODE_SHIFT(c) (32 - 8 * CODE_LEN(c))
static const uint8_t code_shift[16] = {CODE_SHIFT(0), CODE_SHIFT(1), CODE_SHIFT(2), CODE_SHIFT(3),
				       CODE_SHIFT(4), CODE_SHIFT(5), CODE_SHIFT(6), CODE_SHIFT(7),
				       CODE_SHIFT(8), CODE_SHIFT(9), CODE_SHIFT(10), CODE_SHIFT(11),
				       CODE_SHIFT(12), CODE_SHIFT(13), CODE_SHIFT(14), CODE_SHIFT(15)};

/* By bit length (0-32) of the bytes written: the length code that holds
 * them, for a zigzagged difference ([0]) and for a raw lane ([1]). */
static const uint8_t len_code[2][33] = {
	{0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2,
	 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3},
	{0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2,
	 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 3, 3}};

/* Two codes a byte: the bytes both write together. */
static const uint8_t pair_len[256] = {
#define L1(c) (CODE_LEN((c)&15) + CODE_LEN((c) >> 4))
#define L4(c) L1(c), L1((c) + 1), L1((c) + 2), L1((c) + 3)
#define L16(c) L4(c), L4((c) + 4), L4((c) + 8), L4((c) + 12)
#define L64(c) L16(c), L16((c) + 16), L16((c) + 32), L16((c) + 48)
	L64(0), L64(64), L64(128), L64(192)
#undef L64
#undef L16
#undef L4
#undef L1
};

static uint32_t zigzag(uint32_t d)
{
	return (d << 1) ^ (uint32_t) - (int32_t)(d >> 31);
}

static uint32_t unzigzag(uint32_t z)
{
	return (z >> 1) ^ (uint32_t) - (int32_t)(z & 1);
}

/* Significant bits of v (0 for 0). */
static unsigned bitlen(uint32_t v)
{
	return (unsigned)(63 - __builtin_clzll((uint64_t)v << 1 | 1));
}

static uint32_t le32(uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}

static uint64_t get64le(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* Encode lanes [0, n) of lane (PAD zero lanes before it); sparse: the
 * bitmap's sparse form. Returns the bytes written. */
static size_t put_part(const uint32_t *lane, size_t n, const uint32_t ts[2], int sparse,
		       uint8_t *out)
{
	uint8_t nz[BM_WORDS * 64], bmb[BM_WORDS * 8], cs[MAX_LANES + 1], data[MAX_LANES * 4 + 4];
	size_t nb = (n + 7) / 8, i, k = 0, d = 0, o = 0, w;

	/* The bitmap first, without a branch per lane: a byte per lane (a
	 * loop compilers vectorize), eight of them gathered into a bitmap
	 * byte by one multiplication. Then only the nonzero lanes. */
	for (i = 0; i < n; i++)
		nz[i] = lane[i] != 0;
	memset(nz + n, 0, sizeof(nz) - n);
	for (i = 0; i < sizeof(bmb); i++)
		bmb[i] = (uint8_t)((get64le(nz + 8 * i) * 0x0102040810204080ull) >> 56);
	for (w = 0; w < BM_WORDS; w++) {
		uint64_t bits = get64le(bmb + 8 * w);
		while (bits) {
			size_t j = w * 64 + (size_t)__builtin_ctzll(bits);
			uint32_t v = lane[j], z, z2, z3, raw;
			unsigned m, c;
			bits &= bits - 1;
			/* Every reference, the smallest difference kept:
			 * selects, not branches, as which one wins is a
			 * coin toss. */
			z = zigzag(v - ts[j & 1]);
			z2 = zigzag(v - lane[(ptrdiff_t)j - (ptrdiff_t)EP_LANES]);
			z3 = zigzag(v - lane[(ptrdiff_t)j - (ptrdiff_t)EP_LANES + 1]);
			m = z2 < z ? 2 : 1;
			z = z2 < z ? z2 : z;
			m = z3 < z ? 3 : m;
			z = z3 < z ? z3 : z;
			/* Raw costs no more when it is no larger, and has 3
			 * bytes where a difference takes 4. */
			raw = v <= z || (v < 0x1000000u && z > 0xffffu);
			z = raw ? v : z;
			m = raw ? 0 : m;
			c = m | (unsigned)len_code[raw][bitlen(z)] << 2;
			z = le32(z);
			memcpy(data + d, &z, 4);
			d += code_len[c];
			cs[k++] = (uint8_t)c;
		}
	}
	if (sparse) {
		size_t ns = (nb + 7) / 8;
		memset(out, 0, ns);
		o = ns;
		for (i = 0; i < nb; i++) {
			if (!bmb[i])
				continue;
			out[i / 8] |= (uint8_t)(1u << (i % 8));
			out[o++] = bmb[i];
		}
	} else {
		memcpy(out, bmb, nb);
		o = nb;
	}
	cs[k] = 0;
	for (i = 0; i < (k + 1) / 2; i++)
		out[o + i] = (uint8_t)(cs[2 * i] | cs[2 * i + 1] << 4);
	o += (k + 1) / 2;
	memcpy(out + o, data, d);
	return o + d;
}

/* Decode part lanes [0, n) from buf[o, len) into lane (PAD zero lanes
 * before it, set by the caller); o is at least HDR. Returns the offset
 * past the part, 0 if malformed. */
static size_t get_part(const uint8_t *buf, size_t len, size_t o, uint32_t *lane, size_t n,
		       const uint32_t ts[2], int sparse)
{
	uint8_t bmb[BM_WORDS * 8] = {0}, cs[MAX_LANES + 1];
	const uint8_t *codes;
	size_t nb = (n + 7) / 8, i, k = 0, ncb, total = 0, w;

	if (sparse) {
		size_t ns = (nb + 7) / 8;
		if (len - o < ns)
			return 0;
		for (i = 0; i < ns * 8; i++) {
			if (!((buf[o + i / 8] >> (i % 8)) & 1u))
				continue;
			if (i >= nb || o + ns + k >= len || !buf[o + ns + k])
				return 0; /* past the bitmap, cut short, or a zero byte */
			bmb[i] = buf[o + ns + k++];
		}
		o += ns + k;
	} else {
		if (len - o < nb)
			return 0;
		memcpy(bmb, buf + o, nb);
		o += nb;
	}
	if (n % 8 && (bmb[nb - 1] >> (n % 8)))
		return 0; /* bits past the last lane */
	k = 0;
	for (w = 0; w < BM_WORDS; w++)
		k += (size_t)__builtin_popcountll(get64le(bmb + 8 * w));
	ncb = (k + 1) / 2;
	if (len - o < ncb)
		return 0;
	codes = buf + o;
	if (k % 2 && codes[k / 2] >> 4)
		return 0; /* the nibble after the last code */
	for (i = 0; i < ncb; i++) {
		total += pair_len[codes[i]];
		cs[2 * i] = codes[i] & 15;
		cs[2 * i + 1] = codes[i] >> 4;
	}
	total -= (k % 2) * code_len[0]; /* the nibble after the last code */
	o += ncb;
	if (len - o < total)
		return 0;
	k = 0;
	for (w = 0; w < BM_WORDS; w++) {
		uint64_t bits = get64le(bmb + 8 * w);
		while (bits) {
			size_t j = w * 64 + (size_t)__builtin_ctzll(bits);
			unsigned c = cs[k++], m = c & 3u;
			uint32_t d, r, t = ts[j & 1], a = lane[(ptrdiff_t)j - (ptrdiff_t)EP_LANES],
				       b = lane[(ptrdiff_t)j - (ptrdiff_t)EP_LANES + 1];
			bits &= bits - 1;
			/* The 4 bytes that end this lane's: buf[o - 4] is
			 * in the header or an earlier part at worst. */
			o += code_len[c];
			memcpy(&d, buf + o - 4, 4);
			d = (uint32_t)((uint64_t)le32(d) >> code_shift[c]);
			r = m == 2 ? a : b;
			r = m == 1 ? t : r;
			lane[j] = m ? unzigzag(d) + r : d;
		}
	}
	return o;
}

size_t tc_freeze(const struct tc_conn *c, uint8_t *out)
{
	uint32_t lane[PAD + MAX_LANES], ts[2];
	size_t o = HDR;

	memset(lane, 0, PAD * 4);
	memcpy(lane + PAD, c, sizeof(*c));
	memset((uint8_t *)(lane + PAD) + offsetof(struct tc_conn, x), 0, sizeof(c->x));
	memcpy(ts, &c->first_ts, sizeof(ts));
	out[0] = c->x ? FZ_EXT : 0;
	memcpy(out + 1, ts, sizeof(ts));
	o += put_part(lane + PAD, CONN_LANES, ts, 0, out + o);
	if (c->x) {
		memcpy(lane + PAD, c->x, sizeof(*c->x));
		o += put_part(lane + PAD, EXT_LANES, ts, 1, out + o);
	}
	return o;
}

int tc_thaw_view(const uint8_t *buf, size_t len, struct tc_conn *c, struct tc_conn_ext *xbuf)
{
	uint32_t lane[PAD + CONN_LANES], ts[2];
	size_t o;

	if (len < HDR || (buf[0] & ~FZ_EXT))
		return -1;
	memcpy(ts, buf + 1, sizeof(ts));
	memset(lane, 0, sizeof(lane));
	if (!(o = get_part(buf, len, HDR, lane + PAD, CONN_LANES, ts, 0)))
		return -1;
	if (buf[0] & FZ_EXT) {
		uint32_t xl[PAD + EXT_LANES];
		memset(xl, 0, sizeof(xl));
		if (!(o = get_part(buf, len, o, xl + PAD, EXT_LANES, ts, 1)))
			return -1;
		memcpy(xbuf, xl + PAD, sizeof(*xbuf));
	}
	if (o != len)
		return -1;
	memcpy(c, lane + PAD, sizeof(*c));
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
